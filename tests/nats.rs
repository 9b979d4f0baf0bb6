//! NATS JetStream as a target (`tee nats://`), a source (`log read nats://`) and where `log
//! mirror` forwards a topic, against a real `nats-server -js` on 127.0.0.1, stopped and
//! killed on the way.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use async_nats::jetstream;
use futures_util::StreamExt;

use crate::util::*;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Every message body the stream holds, in stream order, read by the client itself (not by
/// binge).
fn stored(nats: &Nats, stream: &str) -> Vec<String> {
    runtime().block_on(async {
        let client = async_nats::connect(format!("127.0.0.1:{}", nats.port))
            .await
            .unwrap();
        let js = jetstream::new(client);
        let st = js.get_stream(stream).await.unwrap();
        let consumer = st
            .create_consumer(jetstream::consumer::pull::Config {
                ack_policy: jetstream::consumer::AckPolicy::None,
                ..Default::default()
            })
            .await
            .unwrap();
        let mut bodies = Vec::new();
        loop {
            let mut batch = consumer
                .fetch()
                .max_messages(10_000)
                .messages()
                .await
                .unwrap();
            let before = bodies.len();
            while let Some(m) = batch.next().await {
                bodies.push(String::from_utf8(m.unwrap().payload.to_vec()).unwrap());
            }
            if bodies.len() == before {
                return bodies;
            }
        }
    })
}

/// Creates the stream `name` taking `subject`.
fn create_stream(nats: &Nats, name: &str, subject: &str) {
    runtime().block_on(async {
        let client = async_nats::connect(format!("127.0.0.1:{}", nats.port))
            .await
            .unwrap();
        jetstream::new(client)
            .create_stream(jetstream::stream::Config {
                name: name.into(),
                subjects: vec![subject.into()],
                ..Default::default()
            })
            .await
            .unwrap();
    });
}

fn events(range: std::ops::Range<usize>) -> String {
    range
        .map(|i| format!("{{\"i\":{i},\"pad\":\"{:x}\"}}\n", i * 7919))
        .collect()
}

/// `tee` fed through a pipe by a thread, `write` deciding when each part goes in.
fn tee_fed(
    args: &[&str],
    write: impl FnOnce(&mut std::process::ChildStdin) + Send + 'static,
) -> std::process::Output {
    let mut child = binge_std()
        .arg("tee")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || write(&mut stdin));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

#[test]
fn tee_nats_publishes_each_event_once_under_its_id() {
    let Some(nats) = server_or_skip("nats-server -js", Nats::start()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.ndjson");
    let input = events(0..2_000);
    std::fs::write(&file, &input).unwrap();
    let target = nats.url("edge.app");
    for _ in 0..2 {
        let out = binge()
            .args(["tee", &target, "--create-stream", "EDGE", "-i"])
            .arg(&file)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        assert_eq!(stdout_of(&out), input, "events pass on unchanged");
    }
    let got = stored(&nats, "EDGE");
    assert_eq!(
        got.join("\n") + "\n",
        input,
        "each event once, in order: a second run over the same file is deduplicated by id"
    );

    // Standard input starts again every run: the same lines piped twice are two runs' events,
    // unless --id says they are the same.
    let piped = events(0..10);
    for _ in 0..2 {
        binge()
            .args(["tee", &nats.url("edge.pipe"), "--create-stream", "PIPE"])
            .write_stdin(piped.clone())
            .assert()
            .success();
    }
    assert_eq!(stored(&nats, "PIPE").len(), 20);
    for _ in 0..2 {
        binge()
            .args(["tee", &nats.url("edge.ids"), "--create-stream", "IDS"])
            .args(["--id", ".i"])
            .write_stdin(piped.clone())
            .assert()
            .success();
    }
    assert_eq!(stored(&nats, "IDS").len(), 10, "--id names the same events");

    // No stream takes the subject: every event is dead-lettered with the reason.
    let dead = dir.path().join("dead.ndjson");
    let out = binge()
        .args(["tee", &nats.url("nobody.listens"), "--retries", "0"])
        .arg("--dead-letter")
        .arg(&dead)
        .write_stdin(piped.clone())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let dead = std::fs::read_to_string(&dead).unwrap();
    assert_eq!(dead.lines().count(), 10);
    assert!(
        dead.contains("no JetStream stream takes this subject"),
        "{dead}"
    );

    // Addresses binge cannot use are usage errors before anything is read.
    for bad in ["nats://127.0.0.1:4222", "nats://127.0.0.1:4222/a.*"] {
        let out = binge()
            .args(["tee", bad])
            .write_stdin("{}\n")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stderr_of(&out));
    }
}

#[test]
fn tee_nats_rides_out_a_server_stopped_for_5_seconds() {
    let Some(mut nats) = server_or_skip("nats-server -js", Nats::start()) else {
        return;
    };
    create_stream(&nats, "OUTAGE", "outage");
    let target = nats.url("outage");
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let (half_tx, half_rx) = std::sync::mpsc::channel::<()>();
    let child = std::thread::spawn(move || {
        tee_fed(&["--timeout", "1s", &target], move |stdin| {
            // Events keep coming before, during and after the outage.
            for part in 0..60 {
                stdin
                    .write_all(events(part * 500..(part + 1) * 500).as_bytes())
                    .unwrap();
                stdin.flush().unwrap();
                if part == 20 {
                    half_tx.send(()).unwrap();
                }
                std::thread::sleep(Duration::from_millis(200));
                if rx.try_recv().is_ok() {
                    break;
                }
            }
        })
    });
    half_rx.recv().unwrap();
    nats.down();
    std::thread::sleep(Duration::from_secs(5));
    nats.up().unwrap();
    let out = child.join().unwrap();
    drop(tx);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let got = stored(&nats, "OUTAGE");
    let unique: BTreeSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), got.len(), "no event stored twice");
    assert_eq!(got.len(), 30_000, "no event lost");
}

#[test]
fn tee_nats_dead_letters_what_a_server_gone_for_good_did_not_take() {
    let Some(mut nats) = server_or_skip("nats-server -js", Nats::start()) else {
        return;
    };
    create_stream(&nats, "GONE", "gone");
    let dir = tempfile::tempdir().unwrap();
    let dead = dir.path().join("dead.ndjson");
    let target = nats.url("gone");
    let dead_arg = dead.to_str().unwrap().to_string();
    let (half_tx, half_rx) = std::sync::mpsc::channel::<()>();
    let child = std::thread::spawn(move || {
        tee_fed(
            &[
                "--timeout",
                "1s",
                "--retries",
                "1",
                "--dead-letter",
                &dead_arg,
                &target,
            ],
            move |stdin| {
                for part in 0..20 {
                    stdin
                        .write_all(events(part * 500..(part + 1) * 500).as_bytes())
                        .unwrap();
                    stdin.flush().unwrap();
                    if part == 5 {
                        half_tx.send(()).unwrap();
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            },
        )
    });
    half_rx.recv().unwrap();
    nats.down();
    let out = child.join().unwrap();
    // What JetStream stored before it went is read back from its store afterwards.
    nats.up().unwrap();
    let stored: BTreeSet<String> = stored(&nats, "GONE").into_iter().collect();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let dead: Vec<String> = std::fs::read_to_string(&dead)
        .unwrap()
        .lines()
        .map(|l| {
            let v = ndjson(l).remove(0);
            let agglo::json::Value::Object(members) = v else {
                panic!("{l}")
            };
            members
                .iter()
                .find(|(k, _)| k == "event")
                .unwrap()
                .1
                .to_json()
        })
        .collect();
    assert!(!dead.is_empty());
    let err = stderr_of(&out);
    assert!(
        err.contains(&format!("{} not", dead.len())),
        "the count of undelivered events is said: {err}"
    );
    // Every event is in the stream or in the dead letter; in both only when the server stored
    // it but its acknowledgement was lost with the server.
    let dead: BTreeSet<String> = dead.into_iter().collect();
    for line in events(0..10_000).lines() {
        assert!(
            stored.contains(line) || dead.contains(line),
            "{line} neither stored nor dead-lettered"
        );
    }
    assert!(!stored.is_empty(), "events before the outage were stored");
    assert!(stored.intersection(&dead).count() <= 4096);
}

/// Publishes `n` events `{"i":...}` to `subject` of a new stream `name`.
fn fill(nats: &Nats, name: &str, subject: &str, n: usize) {
    binge()
        .args(["tee", &nats.url(subject), "--create-stream", name])
        .write_stdin(events(0..n))
        .assert()
        .success();
}

/// The `"i"` of each line of `text`, counted.
fn counts(text: &str) -> BTreeMap<i64, usize> {
    let mut seen = BTreeMap::new();
    for v in ndjson(text) {
        *seen
            .entry(field(&v, "i").parse::<i64>().unwrap())
            .or_insert(0) += 1;
    }
    seen
}

#[test]
fn log_read_nats_delivers_a_stream_to_a_group_and_goes_on_where_it_stopped() {
    let Some(nats) = server_or_skip("nats-server -js", Nats::start()) else {
        return;
    };
    fill(&nats, "READ", "read", 1_000);
    let source = nats.url("READ");
    // Taken a part at a time: each event once, in order.
    let mut all = String::new();
    for n in ["300", "300", "1000"] {
        let out = binge()
            .args(["log", "read", &source, "--group", "g", "-n", n])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        all.push_str(&stdout_of(&out));
    }
    assert_eq!(all, events(0..1_000));
    // Another group reads everything again; --meta says where each event is in the stream.
    let out = binge()
        .args(["log", "read", &source, "--group", "h", "-n", "2", "--meta"])
        .output()
        .unwrap();
    let lines = ndjson(&stdout_of(&out));
    assert_eq!(lines.len(), 2);
    assert!(
        stdout_of(&out)
            .starts_with("{\"i\":0,\"pad\":\"0\",\"_log\":{\"topic\":\"READ\",\"seq\":1,")
    );
    // What the reader of a pipe did not take out is not acknowledged: it comes again. (The
    // shell's read takes one line out of a pipe, byte by byte.)
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{} log read {source} --group p | {{ read -r line; echo \"$line\"; }}",
            bin_path().display()
        ))
        .output()
        .unwrap();
    assert_eq!(stdout_of(&out), events(0..1));
    let out = binge()
        .args(["log", "read", &source, "--group", "p", "-n", "2"])
        .output()
        .unwrap();
    assert_eq!(stdout_of(&out), events(1..3));
    // --exec: a batch that fails is not acknowledged; after --max-deliver it is terminated and
    // the run fails.
    let out = binge()
        .args([
            "log", "read", &source, "--group", "x", "-n", "10", "--batch", "10",
        ])
        .args([
            "--exec",
            "exit 3",
            "--max-deliver",
            "2",
            "--backoff",
            "10ms..20ms",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("10 messages of READ terminated"));
    // Mistakes are said before anything is read.
    let out = binge()
        .args(["log", "read", &nats.url("NOPE"), "--group", "g"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("the streams are: READ"),
        "{}",
        stderr_of(&out)
    );
    let out = binge()
        .args(["log", "read", &source, "--group", "g", "--commit", "manual"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn three_readers_share_a_stream_through_20_sigkills_and_lose_nothing() {
    let Some(nats) = server_or_skip("nats-server -js", Nats::start()) else {
        return;
    };
    const N: usize = 100_000;
    fill(&nats, "SHARED", "shared", N);
    let dir = tempfile::tempdir().unwrap();
    let source = nats.url("SHARED");
    let start = |i: usize| -> Child {
        let out = dir.path().join(format!("out{i}"));
        binge_std()
            .args(["log", "read", &source, "--group", "work", "--follow"])
            .args(["--batch", "200", "--lease", "2s", "--exec"])
            // Each batch takes a moment, so the run lasts long enough to be killed often.
            .arg(format!("sleep 0.02; cat >> {}", out.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut readers: Vec<Child> = (0..3).map(start).collect();
    let read_all = || -> BTreeMap<i64, usize> {
        let mut seen = BTreeMap::new();
        for i in 0..3 {
            let text =
                std::fs::read_to_string(dir.path().join(format!("out{i}"))).unwrap_or_default();
            // A line being appended right now is left for the next look.
            let whole = &text[..text.rfind('\n').map_or(0, |p| p + 1)];
            for (k, n) in counts(whole) {
                *seen.entry(k).or_insert(0) += n;
            }
        }
        seen
    };
    let mut kills = 0;
    let mut seed = 0x9e3779b97f4a7c15u64;
    while kills < 20 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(50 + seed % 250));
        readers[0].kill().unwrap();
        readers[0].wait().unwrap();
        kills += 1;
        readers[0] = start(0);
    }
    let started = Instant::now();
    loop {
        let seen = read_all();
        if seen.len() == N {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "only {} of {N} events delivered",
            seen.len()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    for r in &mut readers {
        unsafe { libc::kill(r.id() as i32, libc::SIGTERM) };
        r.wait().unwrap();
    }
    let seen = read_all();
    assert_eq!(seen.len(), N, "every event delivered at least once");
    assert_eq!(*seen.keys().next().unwrap(), 0);
    assert_eq!(*seen.keys().last().unwrap(), N as i64 - 1);
    let extra: usize = seen.values().map(|n| n - 1).sum();
    // Only a batch in the hands of a killed reader is delivered again.
    assert!(
        extra <= 20 * 200,
        "{extra} duplicates for 20 kills of batches of 200"
    );
    for i in 0..3 {
        let text = std::fs::read_to_string(dir.path().join(format!("out{i}"))).unwrap();
        assert!(
            text.lines().count() > N / 20,
            "reader {i} got a share: {}",
            text.lines().count()
        );
    }
}

#[test]
fn log_mirror_killed_10_times_forwards_each_event_exactly_once() {
    let Some(nats) = server_or_skip("nats-server -js", Nats::start()) else {
        return;
    };
    const N: usize = 50_000;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.db");
    binge()
        .env("BINGE_STATE", &state)
        .args(["log", "append", "edge"])
        .write_stdin(events(0..N))
        .assert()
        .success();
    let target = nats.url("dc.edge");
    let mirror = || {
        binge_std()
            .env("BINGE_STATE", &state)
            .args(["log", "mirror", "edge", &target, "--create-stream", "DC"])
            .args(["--batch", "100"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut seed = 0x2545f4914f6cdd1du64;
    let mut midway = 0;
    for _ in 0..10 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut m = mirror();
        std::thread::sleep(Duration::from_millis(100 + seed % 200));
        if m.try_wait().unwrap().is_none() {
            midway += 1;
        }
        m.kill().unwrap();
        m.wait().unwrap();
    }
    assert!(midway >= 5, "only {midway} of 10 kills landed mid-run");
    let out = mirror().wait_with_output().unwrap();
    assert!(out.status.success());
    let got = stored(&nats, "DC");
    let seen = counts(&(got.join("\n") + "\n"));
    assert_eq!(seen.len(), N, "every event forwarded");
    assert!(seen.values().all(|&n| n == 1), "each exactly once");
    assert_eq!(got.len(), N);
}

#[test]
fn a_pipeline_reads_a_stream_and_writes_a_subject() {
    let Some(nats) = server_or_skip("nats-server -js", Nats::start()) else {
        return;
    };
    fill(&nats, "IN", "in", 100);
    create_stream(&nats, "OUT", "out");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("pipeline.json");
    std::fs::write(
        &config,
        format!(
            r#"{{"pipelines": {{"odd": {{
                "input": {{"log": {{"topic": "{}", "group": "pipeline"}}}},
                "stages": [{{"filter": {{"expr": ".i % 2 == 1"}}}}],
                "output": "{}"
            }}}}}}"#,
            nats.url("IN"),
            nats.url("out")
        ),
    )
    .unwrap();
    let out = binge().arg("run").arg(&config).output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let got = stored(&nats, "OUT");
    let want: Vec<String> = events(0..100)
        .lines()
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    assert_eq!(got, want);
}

/// A command slower than --lease keeps its batch: binge tells JetStream the batch is in
/// progress, so another reader of the group does not get it meanwhile.
#[test]
fn a_slow_exec_keeps_its_batch_from_other_readers() {
    let Some(nats) = server_or_skip("nats-server -js", Nats::start()) else {
        return;
    };
    fill(&nats, "SLOW", "slow", 20);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let source = nats.url("SLOW");
    let reader = |exec: &str, extra: &[&str]| {
        binge_std()
            .args(["log", "read", &source, "--group", "g", "--lease", "1s"])
            .args(["--batch", "10"])
            .args(extra)
            .arg("--exec")
            .arg(format!("{exec}cat >> {}", out.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut slow = reader("sleep 3; ", &["-n", "10"]);
    std::thread::sleep(Duration::from_millis(500));
    let mut fast = reader("", &["--follow"]);
    assert!(slow.wait().unwrap().success());
    std::thread::sleep(Duration::from_millis(1500));
    unsafe { libc::kill(fast.id() as i32, libc::SIGTERM) };
    fast.wait().unwrap();
    let seen = counts(&std::fs::read_to_string(&out).unwrap());
    assert_eq!(seen.len(), 20, "{seen:?}");
    assert!(seen.values().all(|&n| n == 1), "delivered twice: {seen:?}");
}
