//! `binge serve` on 127.0.0.1: requests of each shape accepted whole, bad ones refused whole
//! with a JSON error, 200 only after the events are in the log, SIGTERM losing nothing.

use std::io::{Read, Write};
use std::path::Path;

use crate::util::*;

struct Daemon {
    child: std::process::Child,
    url: String,
}

impl Daemon {
    fn start(args: &[&str], state: &Path) -> Daemon {
        let mut child = binge_std()
            .args(["serve", "--listen", "127.0.0.1:0", "--state"])
            .arg(state)
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let url = listening(&mut child, "serve");
        Daemon { child, url }
    }

    /// Stops it with SIGTERM; its status and what it wrote on stdout.
    fn stop(mut self) -> (i32, String) {
        // SAFETY: a plain kill(2) of our own child.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let mut out = String::new();
        self.child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        let status = self.child.wait().unwrap();
        (status.code().unwrap_or(-1), out)
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn post(url: &str, body: &[u8], headers: &[(&str, &str)]) -> (u16, String) {
    let mut req = agent().post(format!("{url}/events"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut r = req.send(body).unwrap();
    (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
}

fn topic(state: &Path) -> Vec<String> {
    let out = binge()
        .args(["log", "tail", "t", "-n", "1000", "--state"])
        .arg(state)
        .output()
        .unwrap();
    stdout_of(&out).lines().map(str::to_string).collect()
}

#[test]
fn the_log_holds_each_accepted_event_once_and_bad_requests_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("s.db");
    let token = dir.path().join("token");
    std::fs::write(&token, "s3cret\n").unwrap();
    let d = Daemon::start(
        &[
            "--log",
            "t",
            "--id",
            ".rid",
            "--token-file",
            token.to_str().unwrap(),
            "--max-body",
            "2K",
        ],
        &state,
    );
    let auth = [("Authorization", "Bearer s3cret")];
    // NDJSON, a JSON array, one object, and gzip.
    assert_eq!(
        post(&d.url, b"{\"rid\":1,\"v\":1.10}\n{\"rid\":2}\n", &auth),
        (200, "{\"accepted\":2}".into())
    );
    assert_eq!(post(&d.url, b"[{\"rid\":3},{\"rid\":4}]", &auth).0, 200);
    assert_eq!(post(&d.url, b"{\"rid\":5}", &auth).0, 200);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"{\"rid\":6}\n").unwrap();
    let gz = gz.finish().unwrap();
    let mut headers = auth.to_vec();
    headers.push(("Content-Encoding", "gzip"));
    assert_eq!(post(&d.url, &gz, &headers).0, 200);
    // A retried request adds nothing twice.
    assert_eq!(post(&d.url, b"{\"rid\":1,\"v\":1.10}\n", &auth).0, 200);
    let before = topic(&state);
    assert_eq!(before.len(), 6, "{before:?}");
    assert_eq!(before[0], "{\"rid\":1,\"v\":1.10}");

    // Bad requests: each a 4xx with a JSON error, none changing the topic.
    let big = format!("{{\"rid\":9,\"pad\":\"{}\"}}", "x".repeat(3000));
    for (body, headers, status) in [
        (&b"{\"rid\":7}\n{\"rid\":"[..], &auth[..], 400),
        (&b"{\"rid\":7}\n[1]\n"[..], &auth[..], 400),
        (&b"{\"no_id\":1}"[..], &auth[..], 400),
        (big.as_bytes(), &auth[..], 413),
        (
            &b"{\"rid\":8}"[..],
            &[("Authorization", "Bearer wrong")][..],
            401,
        ),
        (&b"{\"rid\":8}"[..], &[][..], 401),
        (
            &b"{\"rid\":8}"[..],
            &[
                ("Authorization", "Bearer s3cret"),
                ("Content-Type", "text/csv"),
            ][..],
            415,
        ),
    ] {
        let (got, answer) = post(&d.url, body, headers);
        assert_eq!(got, status, "{answer}");
        assert!(answer.starts_with("{\"error\":"), "{answer}");
    }
    assert_eq!(topic(&state), before);

    let mut r = agent().get(format!("{}/healthz", d.url)).call().unwrap();
    assert_eq!(r.body_mut().read_to_string().unwrap(), "ok\n");
    let mut r = agent().get(format!("{}/metrics", d.url)).call().unwrap();
    let metrics = r.body_mut().read_to_string().unwrap();
    assert!(metrics.contains("binge_events_out_total 7\n"), "{metrics}");
    assert!(
        metrics.contains("binge_requests_rejected_total 7\n"),
        "{metrics}"
    );
    assert_eq!(d.stop().0, 0);
}

#[test]
fn stateless_events_go_to_stdout_and_sigterm_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = Daemon::start(&[], &dir.path().join("s.db"));
    for i in 0..50 {
        let body = format!("{{\"n\":{i}}}\n{{\"n\":{i},\"second\":true}}\n");
        assert_eq!(post(&d.url, body.as_bytes(), &[]).0, 200);
    }
    let (status, out) = d.stop();
    assert_eq!(status, 0);
    assert_eq!(out.lines().count(), 100);
    assert!(out.starts_with("{\"n\":0}\n{\"n\":0,\"second\":true}\n"));
}

/// A full queue is answered at once with 429 and Retry-After, and what was taken still
/// arrives: stdout is left unread so the handler blocks on its first request.
#[test]
fn a_full_queue_answers_429_and_loses_nothing_taken() {
    let dir = tempfile::tempdir().unwrap();
    let mut d = Daemon::start(&["--queue", "1"], &dir.path().join("s.db"));
    let body: String = (0..2000)
        .map(|i| format!("{{\"i\":{i},\"pad\":\"{}\"}}\n", "y".repeat(40)))
        .collect();
    let mut posts = Vec::new();
    for _ in 0..4 {
        let (url, body) = (d.url.clone(), body.clone());
        posts.push(std::thread::spawn(move || {
            let mut r = agent()
                .post(format!("{url}/events"))
                .send(body.as_bytes())
                .unwrap();
            let retry = r.headers().get("Retry-After").is_some();
            (
                r.status().as_u16(),
                retry,
                r.body_mut().read_to_string().unwrap(),
            )
        }));
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    // Now let the handler write.
    let mut stdout = d.child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        stdout.read_to_string(&mut out).unwrap();
        out
    });
    let answers: Vec<(u16, bool, String)> = posts.into_iter().map(|p| p.join().unwrap()).collect();
    let ok = answers.iter().filter(|a| a.0 == 200).count();
    let busy: Vec<_> = answers.iter().filter(|a| a.0 == 429).collect();
    assert!(!busy.is_empty(), "{answers:?}");
    assert!(
        busy.iter().all(|a| a.1 && a.2.starts_with("{\"error\":")),
        "{answers:?}"
    );
    // SAFETY: a plain kill(2) of our own child.
    unsafe { libc::kill(d.child.id() as i32, libc::SIGTERM) };
    let out = reader.join().unwrap();
    assert!(d.child.wait().unwrap().success());
    assert_eq!(out.lines().count(), ok * 2000);
}

/// 20 posters send 100,000 events with ids while the daemon is killed with SIGKILL twice and
/// restarted on the same address; each poster retries a batch until it gets 200. Afterwards
/// the topic holds every event exactly once, and the last stop, by SIGTERM, exits 0.
#[test]
fn under_load_and_two_sigkills_every_acknowledged_event_is_in_the_topic_exactly_once() {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, RwLock};
    const POSTERS: usize = 20;
    const PER_POSTER: usize = 5_000;
    const BATCH: usize = 250;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("s.db");
    // A free port, kept across restarts so the posters' retries find the new daemon.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let start = || {
        let mut child = binge_std()
            .args(["serve", "--log", "t", "--id", ".id", "--queue", "8"])
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--state")
            .arg(&state)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        listening(&mut child, "serve");
        child
    };
    let url = Arc::new(RwLock::new(format!("http://127.0.0.1:{port}")));
    let acknowledged = Arc::new(AtomicU64::new(0));
    let retried = Arc::new(AtomicU64::new(0));
    let mut daemon = start();
    let posters: Vec<_> = (0..POSTERS)
        .map(|p| {
            let (url, acknowledged) = (Arc::clone(&url), Arc::clone(&acknowledged));
            let retried = Arc::clone(&retried);
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .timeout_global(Some(std::time::Duration::from_secs(10)))
                    .build()
                    .into();
                for b in 0..PER_POSTER / BATCH {
                    let body: String = (0..BATCH)
                        .map(|i| format!("{{\"id\":\"{p}-{}\",\"p\":{p}}}\n", b * BATCH + i))
                        .collect();
                    loop {
                        let target = format!("{}/events", url.read().unwrap());
                        match agent.post(&target).send(body.as_bytes()) {
                            Ok(r) if r.status() == 200 => break,
                            Ok(_) => std::thread::sleep(std::time::Duration::from_millis(20)),
                            Err(_) => {
                                retried.fetch_add(1, Ordering::SeqCst);
                                std::thread::sleep(std::time::Duration::from_millis(20))
                            }
                        }
                    }
                    acknowledged.fetch_add(BATCH as u64, Ordering::SeqCst);
                }
            })
        })
        .collect();
    for kill_after in [20_000, 55_000] {
        let waiting = std::time::Instant::now();
        while acknowledged.load(Ordering::SeqCst) < kill_after {
            assert!(
                waiting.elapsed().as_secs() < 120,
                "the posters made no progress"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        daemon.kill().unwrap();
        daemon.wait().unwrap();
        daemon = start();
    }
    for p in posters {
        p.join().unwrap();
    }
    // The kills landed while the posters were sending: some requests found no daemon or
    // lost their connection, and were sent again.
    assert!(retried.load(Ordering::SeqCst) > 0);
    // SAFETY: a plain kill(2) of our own child.
    unsafe { libc::kill(daemon.id() as i32, libc::SIGTERM) };
    assert!(daemon.wait().unwrap().success());
    let tail = binge()
        .args(["log", "tail", "t", "-n", "200000", "--state"])
        .arg(&state)
        .output()
        .unwrap();
    let mut ids: Vec<String> = stdout_of(&tail)
        .lines()
        .map(|l| field(&ndjson(l)[0], "id"))
        .collect();
    assert_eq!(ids.len(), POSTERS * PER_POSTER, "every event once, no more");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), POSTERS * PER_POSTER, "no event twice");
}

/// `serve --pipeline`: what is accepted goes through the pipelines that read "http"; /metrics
/// counts each stage; SIGTERM ends the daemon with status 0 and every accepted event handled.
#[test]
fn serve_hands_accepted_events_to_a_pipeline_config() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("p.json");
    std::fs::write(
        &config,
        r#"{"pipelines": {
            "errors": {"input": "http", "stages": [{"filter": {"expr": ".level == \"error\""}}]},
            "count": {"input": "http", "stages": [{"aggregate": {"by": ".level", "count": true}}],
                      "output": "counts.ndjson"}}}"#,
    )
    .unwrap();
    let mut child = binge_std()
        .current_dir(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0", "--pipeline"])
        .arg(&config)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let url = listening(&mut child, "serve");
    for i in 0..30 {
        let level = if i % 3 == 0 { "error" } else { "info" };
        let body = format!("{{\"level\":\"{level}\",\"i\":{i}}}\n");
        assert_eq!(post(&url, body.as_bytes(), &[]).0, 200);
    }
    // The stages have the events once the pipelines have read them.
    let mut metrics = String::new();
    for _ in 0..100 {
        metrics = agent()
            .get(format!("{url}/metrics"))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap();
        if metrics.contains("stage=\"errors.stages[0] filter\"} 30") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(
        metrics.contains(
            "binge_stage_events_in_total{pipeline=\"errors\",stage=\"errors.stages[0] filter\"} 30"
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains(
            "binge_stage_events_out_total{pipeline=\"errors\",stage=\"errors.stages[0] filter\"} 10"
        ),
        "{metrics}"
    );
    // SAFETY: a plain kill(2) of our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout_of(&out).lines().count(), 10);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("counts.ndjson")).unwrap(),
        "{\"level\":\"error\",\"count\":10}\n{\"level\":\"info\",\"count\":20}\n"
    );
}
