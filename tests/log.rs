//! `binge log`: append and read, groups and commits, crash safety, concurrency, retention,
//! time queries.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::util::*;

struct Log {
    _dir: tempfile::TempDir,
    state: PathBuf,
}

impl Log {
    fn new() -> Log {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state.db");
        Log { _dir: dir, state }
    }

    fn dir(&self) -> &Path {
        self.state.parent().unwrap()
    }

    fn cmd(&self, args: &[&str]) -> assert_cmd::Command {
        let mut c = binge();
        c.arg("log").args(args).arg("--state").arg(&self.state);
        c
    }

    fn std(&self, args: &[&str]) -> std::process::Command {
        let mut c = binge_std();
        c.arg("log").args(args).arg("--state").arg(&self.state);
        c
    }

    /// Runs and returns stdout, asserting success.
    fn run(&self, args: &[&str], input: &str) -> String {
        let out = self
            .cmd(args)
            .write_stdin(input.to_string())
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr_of(&out));
        stdout_of(&out)
    }

    fn append(&self, topic: &str, input: &str, extra: &[&str]) {
        let mut args = vec!["append", topic];
        args.extend_from_slice(extra);
        self.run(&args, input);
    }

    fn position(&self, topic: &str, group: &str) -> i64 {
        let out = self.run(&["groups", topic], "");
        for v in ndjson(&out) {
            if field(&v, "group") == format!("\"{group}\"") {
                return field(&v, "position").parse().unwrap();
            }
        }
        panic!("no group {group}: {out}");
    }

    fn conn(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(&self.state).unwrap()
    }
}

fn numbered(from: usize, to: usize) -> String {
    (from..to)
        .map(|i| format!("{{\"i\":{i},\"pad\":\"event number {i}\"}}\n"))
        .collect()
}

#[test]
fn events_come_back_byte_for_byte_in_order_with_meta_on_request() {
    let log = Log::new();
    let input = "{\"a\": 1,  \"big\": 505874924095815681}\n{\"b\":2.10}\n";
    log.append("t", input, &[]);
    assert_eq!(log.run(&["read", "t", "--group", "g"], ""), input);
    assert_eq!(
        log.run(&["read", "t", "--group", "g"], ""),
        "",
        "the group moved on"
    );
    let meta = log.run(&["tail", "t", "--meta"], "");
    let v = ndjson(&meta);
    assert_eq!(field(&v[0], "a"), "1");
    let m = v[0].member("_log").unwrap();
    assert_eq!(field(m, "topic"), "\"t\"");
    assert_eq!(field(m, "seq"), "1");
    assert_eq!(field(&v[1], "b"), "2.10");
}

#[test]
fn ids_make_retried_appends_idempotent() {
    let log = Log::new();
    let input = numbered(0, 50);
    log.append("t", &input, &["--id", ".i"]);
    let out = log
        .cmd(&["append", "t", "--id", ".i"])
        .write_stdin(input.clone())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        stderr_of(&out),
        "binge log append: 50 events already in t (same id) not appended again\n"
    );
    assert_eq!(log.run(&["read", "t", "--group", "g"], ""), input);
}

#[test]
fn groups_start_where_asked_and_seek_moves_them() {
    let log = Log::new();
    log.append(
        "t",
        &numbered(0, 10),
        &["--time", "\"2024-01-01T00:00:00Z\""],
    );
    log.append(
        "t",
        &numbered(10, 20),
        &["--time", "\"2024-01-02T00:00:00Z\""],
    );
    let first = |out: String| ndjson(&out).first().map(|v| field(v, "i"));
    assert_eq!(
        first(log.run(&["read", "t", "--group", "a", "-n", "1"], "")),
        Some("0".into())
    );
    assert_eq!(
        log.run(&["read", "t", "--group", "b", "--from", "latest"], ""),
        ""
    );
    assert_eq!(
        first(log.run(
            &["read", "t", "--group", "c", "--from", "seq:5", "-n", "1"],
            ""
        )),
        Some("4".into())
    );
    assert_eq!(
        first(log.run(
            &[
                "read",
                "t",
                "--group",
                "d",
                "--from",
                "time:2024-01-02T00:00:00Z",
                "-n",
                "1"
            ],
            ""
        )),
        Some("10".into())
    );
    log.run(&["seek", "t", "--group", "a", "--to", "seq:15"], "");
    assert_eq!(
        first(log.run(&["read", "t", "--group", "a", "-n", "1"], "")),
        Some("14".into())
    );
    log.run(&["seek", "t", "--group", "a", "--to", "earliest"], "");
    assert_eq!(
        first(log.run(&["read", "t", "--group", "a", "-n", "1"], "")),
        Some("0".into())
    );
}

#[test]
fn manual_commits_move_only_with_ack() {
    let log = Log::new();
    log.append("t", &numbered(0, 5), &[]);
    assert_eq!(
        ndjson(&log.run(&["read", "t", "--group", "m", "--commit", "manual"], "")).len(),
        5
    );
    assert_eq!(log.position("t", "m"), 0);
    log.run(&["ack", "t", "--group", "m", "--upto", "3"], "");
    assert_eq!(log.position("t", "m"), 3);
    // A late ack never moves a group backwards.
    log.run(&["ack", "t", "--group", "m", "--upto", "1"], "");
    assert_eq!(log.position("t", "m"), 3);
    assert_eq!(
        ndjson(&log.run(&["read", "t", "--group", "m"], "")).len(),
        2
    );
}

#[test]
fn follow_into_head_commits_only_what_head_read() {
    let log = Log::new();
    let n = 5000;
    let events: String = (0..n)
        .map(|i| format!("{{\"i\":{i},\"pad\":\"{}\"}}\n", "x".repeat(100)))
        .collect();
    log.append("t", &events, &[]);
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{} log read t --group h --follow --state {} | head -5",
            bin_path().display(),
            log.state.display()
        ))
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out).lines().count(), 5);
    // Committed: at least what head printed, at most what it took out of the pipe (whole
    // reads of a few KiB), never what was still in the pipe when it left.
    let pos = log.position("t", "h");
    assert!((5..200).contains(&pos), "position {pos}");
    // The next reader of the group starts right after them.
    let next = log.run(&["read", "t", "--group", "h", "-n", "1"], "");
    assert_eq!(field(&ndjson(&next)[0], "i"), pos.to_string());
}

#[test]
fn follow_sees_another_process_append_within_100_ms() {
    let log = Log::new();
    log.append("t", &numbered(0, 1), &[]);
    let mut reader = log
        .std(&["read", "t", "--group", "f", "--follow"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(reader.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let mut best = Duration::MAX;
    for k in 1..4 {
        std::thread::sleep(Duration::from_millis(150));
        log.append("t", &numbered(k, k + 1), &[]);
        let appended = Instant::now();
        line.clear();
        out.read_line(&mut line).unwrap();
        best = best.min(appended.elapsed());
        assert!(line.contains(&format!("\"i\":{k}")), "{line}");
    }
    reader.kill().unwrap();
    reader.wait().unwrap();
    // The best of three, so that one stall of a busy test machine does not decide.
    assert!(best < Duration::from_millis(100), "took {best:?}");
}

#[test]
fn two_producers_and_two_groups_at_once() {
    let log = Log::new();
    let a = log.dir().join("a.ndjson");
    let b = log.dir().join("b.ndjson");
    std::fs::write(
        &a,
        (0..3000)
            .map(|i| format!("{{\"p\":\"a\",\"i\":{i}}}\n"))
            .collect::<String>(),
    )
    .unwrap();
    std::fs::write(
        &b,
        (0..3000)
            .map(|i| format!("{{\"p\":\"b\",\"i\":{i}}}\n"))
            .collect::<String>(),
    )
    .unwrap();
    let spawn_append = |f: &Path| {
        log.std(&["append", "t", "--batch", "100"])
            .arg(f)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let producers = [spawn_append(&a), spawn_append(&b)];
    // Two groups read while the producers write, until they have everything.
    let consume = |group: &'static str| {
        let state = log.state.clone();
        std::thread::spawn(move || {
            let mut got = Vec::new();
            let deadline = Instant::now() + Duration::from_secs(60);
            while got.len() < 6000 && Instant::now() < deadline {
                let out = binge_std()
                    .args(["log", "read", "t", "--group", group, "--state"])
                    .arg(&state)
                    .output()
                    .unwrap();
                // Before the first producer has appended, the topic does not exist yet.
                if out.status.code() == Some(2) && stderr_of(&out).contains("there is no topic t") {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                }
                assert!(out.status.success(), "{}", stderr_of(&out));
                got.extend(stdout_of(&out).lines().map(str::to_string));
            }
            got
        })
    };
    let readers = [consume("g1"), consume("g2")];
    for p in producers {
        let out = p.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
    }
    for r in readers {
        let mut got = r.join().unwrap();
        assert_eq!(got.len(), 6000);
        got.sort();
        got.dedup();
        assert_eq!(got.len(), 6000, "duplicates");
    }
}

/// Reads `PRAGMA integrity_check`.
fn integrity(log: &Log) -> String {
    log.conn()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

/// A deterministic stream of pauses for the crash tests.
struct Pauses(u64);

impl Pauses {
    fn next(&mut self, max_ms: u64) -> Duration {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        Duration::from_millis(5 + (self.0 >> 33) % max_ms)
    }
}

fn kill(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn an_exec_consumer_killed_again_and_again_loses_nothing() {
    let log = Log::new();
    let n = 3000;
    log.append("t", &numbered(0, n), &[]);
    let sink = log.dir().join("delivered.ndjson");
    let cmd = format!("cat >> {}", sink.display());
    let mut pauses = Pauses(7);
    let mut kills = 0;
    let mut last_pos = 0;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let child = log
            .std(&["read", "t", "--group", "c", "--batch", "50", "--exec", &cmd])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(pauses.next(40));
        kill(child);
        kills += 1;
        let pos = log.position("t", "c");
        assert!(
            pos >= last_pos,
            "the position went back from {last_pos} to {pos}"
        );
        last_pos = pos;
        if pos == n as i64 {
            break;
        }
        assert!(Instant::now() < deadline, "not drained after {kills} kills");
    }
    let text = std::fs::read_to_string(&sink).unwrap();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for v in ndjson(&text) {
        *seen.entry(field(&v, "i")).or_default() += 1;
    }
    assert_eq!(seen.len(), n, "events were lost");
    let duplicates: usize = seen.values().map(|c| c - 1).sum();
    // Only a batch in flight at each kill can come twice.
    assert!(
        duplicates <= kills * 50,
        "{duplicates} duplicates after {kills} kills"
    );
    assert_eq!(integrity(&log), "ok");
}

#[test]
fn a_producer_killed_mid_append_leaves_whole_batches_and_ids_fill_the_rest() {
    let log = Log::new();
    let n = 20_000;
    let input_path = log.dir().join("in.ndjson");
    std::fs::write(&input_path, numbered(0, n)).unwrap();
    let mut pauses = Pauses(11);
    for _ in 0..5 {
        let child = log
            .std(&["append", "t", "--id", ".i", "--batch", "250"])
            .arg(&input_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(pauses.next(60));
        kill(child);
        // Killed before it made the schema (a loaded machine is slow to start it): nothing
        // was committed, and the next run must start from scratch.
        let tables: i64 = log
            .conn()
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'log_events'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        if tables == 0 {
            continue;
        }
        let count: i64 = log
            .conn()
            .query_row(
                "SELECT count(*), count(DISTINCT id) FROM log_events",
                [],
                |r| {
                    let (a, b): (i64, i64) = (r.get(0)?, r.get(1)?);
                    assert_eq!(a, b, "an id is there twice");
                    Ok(a)
                },
            )
            .unwrap();
        assert_eq!(count % 250, 0, "a batch was cut: {count} events");
        assert_eq!(integrity(&log), "ok");
    }
    log.cmd(&["append", "t", "--id", ".i"])
        .arg(&input_path)
        .assert()
        .success();
    let out = log.run(&["read", "t", "--group", "all"], "");
    let mut ids: Vec<i64> = ndjson(&out)
        .iter()
        .map(|v| field(v, "i").parse().unwrap())
        .collect();
    assert_eq!(ids.len(), n);
    ids.sort();
    assert_eq!(ids, (0..n as i64).collect::<Vec<_>>());
}

#[test]
fn compaction_spares_unread_events_unless_forced() {
    let log = Log::new();
    log.append("t", &numbered(0, 10), &[]);
    log.run(&["read", "t", "--group", "slow", "-n", "4"], "");
    log.run(&["read", "t", "--group", "fast"], "");
    log.run(&["compact", "t", "--max-events", "2"], "");
    // The slow group had read 4: only those could go.
    let left = ndjson(&log.run(&["tail", "t", "-n", "100"], ""));
    assert_eq!(left.len(), 6);
    assert_eq!(field(&left[0], "i"), "4");
    log.run(&["compact", "t", "--max-events", "2", "--force"], "");
    assert_eq!(ndjson(&log.run(&["tail", "t", "-n", "100"], "")).len(), 2);
    let out = log.cmd(&["read", "t", "--group", "slow"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("group slow had not read events up to seq 8"),
        "{}",
        stderr_of(&out)
    );
    let got = ndjson(&log.run(
        &[
            "read",
            "t",
            "--group",
            "slow",
            "--on-out-of-range",
            "earliest",
        ],
        "",
    ));
    assert_eq!(
        got.iter().map(|v| field(v, "i")).collect::<Vec<_>>(),
        ["8", "9"]
    );
    // The fast group had read everything: it is not out of range.
    assert_eq!(log.run(&["read", "t", "--group", "fast"], ""), "");
}

#[test]
fn out_of_range_latest_skips_to_the_end() {
    let log = Log::new();
    log.append("t", &numbered(0, 10), &[]);
    log.run(&["read", "t", "--group", "g", "-n", "1"], "");
    log.run(&["compact", "t", "--max-events", "3", "--force"], "");
    assert_eq!(
        log.run(
            &["read", "t", "--group", "g", "--on-out-of-range", "latest"],
            ""
        ),
        ""
    );
    log.append("t", &numbered(10, 11), &[]);
    assert!(
        log.run(&["read", "t", "--group", "g"], "")
            .contains("\"i\":10")
    );
}

#[test]
fn seq_keeps_rising_after_everything_is_deleted() {
    let log = Log::new();
    log.append("t", &numbered(0, 5), &[]);
    log.run(&["compact", "t", "--retain", "0s", "--force"], "");
    assert_eq!(log.run(&["tail", "t"], ""), "");
    log.append("t", &numbered(5, 6), &[]);
    let v = ndjson(&log.run(&["tail", "t", "--meta"], ""));
    assert_eq!(field(v[0].member("_log").unwrap(), "seq"), "6");
}

#[test]
fn by_key_compaction_keeps_the_newest_of_each_key() {
    let log = Log::new();
    let input = "{\"k\":\"a\",\"v\":1}\n{\"k\":\"b\",\"v\":1}\n{\"k\":\"a\",\"v\":2}\n{\"v\":0}\n{\"k\":\"a\",\"v\":3}\n";
    log.append("t", input, &["--key", ".k"]);
    log.run(&["compact", "t", "--by-key"], "");
    assert_eq!(
        log.run(&["tail", "t"], ""),
        "{\"k\":\"b\",\"v\":1}\n{\"v\":0}\n{\"k\":\"a\",\"v\":3}\n"
    );
}

#[test]
fn a_failing_exec_is_retried_then_parked() {
    let log = Log::new();
    log.append("t", &numbered(0, 3), &[]);
    let out = log
        .cmd(&[
            "read",
            "t",
            "--group",
            "x",
            "--exec",
            "cat > /dev/null; exit 3",
            "--max-deliver",
            "2",
        ])
        .output()
        .unwrap();
    // Regression (issue 12): a run that parked events exited 0, so cron never noticed.
    assert_eq!(out.status.code(), Some(1));
    let err = stderr_of(&out);
    assert!(err.contains("(attempt 1); trying again in"), "{err}");
    assert!(err.contains("parked seq 1..3 after 2 attempts"), "{err}");
    assert!(
        err.contains("3 events parked; see binge log dead t"),
        "{err}"
    );
    let dead = ndjson(&log.run(&["dead", "t"], ""));
    assert_eq!(dead.len(), 3);
    assert_eq!(field(&dead[0], "group"), "\"x\"");
    assert_eq!(field(&dead[0], "attempts"), "2");
    assert!(field(&dead[0], "error").contains("exited with exit status: 3"));
    assert_eq!(field(dead[2].member("event").unwrap(), "i"), "2");
    assert_eq!(log.position("t", "x"), 3);
}

// Regression (issue 12): five attempts 0.1 to 0.8 s apart, then the batch was parked: a short
// outage of the downstream parked everything. By default binge now waits the outage out; with
// --max-deliver it parks, fails, and --redrive delivers the parked events again.
#[test]
fn an_exec_command_that_fails_for_a_while_loses_nothing() {
    let log = Log::new();
    log.append("t", &numbered(0, 50), &[]);
    let sink = log.dir().join("sink.ndjson");
    let down_until = log.dir().join("down-until");
    // The command fails until the clock passes the time in the file: a 3-second outage.
    let until = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3;
    std::fs::write(&down_until, until.to_string()).unwrap();
    let cmd = format!(
        "[ \"$(date +%s)\" -ge \"$(cat {})\" ] || exit 1; cat >> {}",
        down_until.display(),
        sink.display()
    );
    let out = log
        .cmd(&["read", "t", "--group", "g", "--batch", "20", "--exec", &cmd])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(std::fs::read_to_string(&sink).unwrap(), numbered(0, 50));
    assert_eq!(
        ndjson(&log.run(&["dead", "t"], "")).len(),
        0,
        "nothing parked"
    );

    // With --max-deliver 2 the failing batch is parked, and the run says so with status 1.
    let later = until + 3600;
    std::fs::write(&down_until, later.to_string()).unwrap();
    log.append("t", &numbered(50, 60), &[]);
    let out = log
        .cmd(&[
            "read",
            "t",
            "--group",
            "g",
            "--exec",
            &cmd,
            "--max-deliver",
            "2",
            "--backoff",
            "10ms..20ms",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("10 events parked"),
        "{}",
        stderr_of(&out)
    );
    // The command recovers; --redrive puts the parked events back and the next read delivers
    // them, once, under their own seqs.
    std::fs::write(&down_until, "0").unwrap();
    let out = log.cmd(&["dead", "t", "--redrive"]).output().unwrap();
    assert!(out.status.success());
    assert!(
        stderr_of(&out).contains("10 parked events of t put back"),
        "{}",
        stderr_of(&out)
    );
    let out = log
        .cmd(&["read", "t", "--group", "g", "--exec", &cmd])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(std::fs::read_to_string(&sink).unwrap(), numbered(0, 60));
    assert_eq!(ndjson(&log.run(&["dead", "t"], "")).len(), 0);
    let events: i64 = log
        .conn()
        .query_row("SELECT count(*) FROM log_events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(events, 60, "no duplicates in the topic");

    // --purge deletes what is parked.
    std::fs::write(&down_until, later.to_string()).unwrap();
    log.append("t", &numbered(60, 65), &[]);
    let out = log
        .cmd(&[
            "read",
            "t",
            "--group",
            "g",
            "--exec",
            &cmd,
            "--max-deliver",
            "1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = log.cmd(&["dead", "t", "--purge"]).output().unwrap();
    assert!(
        stderr_of(&out).contains("5 parked events of t deleted"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(ndjson(&log.run(&["dead", "t"], "")).len(), 0);
}

#[test]
fn time_queries_use_the_time_index() {
    let log = Log::new();
    log.append("t", &numbered(0, 3), &[]);
    let plan: Vec<String> = {
        let conn = log.conn();
        let mut stmt = conn
            .prepare(&format!(
                "EXPLAIN QUERY PLAN {}",
                agglo::store::log::RANGE_SQL
            ))
            .unwrap();
        stmt.query_map(rusqlite::params!["t", 0, 1], |r| r.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert!(
        plan.iter()
            .any(|p| p.contains("USING INDEX log_events_time")),
        "{plan:?}"
    );
}

#[test]
fn queries_select_by_time_and_where() {
    let log = Log::new();
    let input: String = (0..10)
        .map(|i| format!("{{\"i\":{i},\"t\":\"2024-01-01T00:{:02}:00Z\"}}\n", i * 5))
        .collect();
    log.append("t", &input, &["--time", ".t"]);
    let got = ndjson(&log.run(
        &[
            "query",
            "t",
            "--since",
            "2024-01-01T00:10:00Z",
            "--until",
            "2024-01-01T00:30:00Z",
            "--where",
            ".i % 2 == 0",
        ],
        "",
    ));
    assert_eq!(
        got.iter().map(|v| field(v, "i")).collect::<Vec<_>>(),
        ["2", "4"]
    );
    // As the README writes it: a negative duration after a space, and a date alone.
    let recent = ndjson(&log.run(&["query", "t", "--since", "-1h"], ""));
    assert!(recent.is_empty(), "{recent:?}");
    let all = ndjson(&log.run(
        &["query", "t", "--since", "2024-01-01", "--until", "-1h"],
        "",
    ));
    assert_eq!(all.len(), 10);
}

#[test]
fn sample_by_buckets_and_fills_match_a_reference() {
    let log = Log::new();
    // Minutes with events: 0, 1, 4 (none in 2 and 3), over 00:00..00:06.
    let events = [(0, 10), (20, 30), (70, 5), (250, 8), (255, 12)];
    let input: String = events
        .iter()
        .map(|(s, ms)| format!("{{\"t\":{},\"ms\":{ms}}}\n", 1_704_067_200 + s))
        .collect();
    log.append("t", &input, &["--time", ".t"]);
    // The reference, computed here: per minute count, avg and max of .ms.
    let mut by_minute: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (s, ms) in events {
        by_minute.entry(s / 60).or_default().push(ms);
    }
    let stats = |v: &Vec<i64>| {
        let avg = v.iter().sum::<i64>() as f64 / v.len() as f64;
        (v.len() as i64, avg, *v.iter().max().unwrap())
    };
    for fill in ["none", "null", "prev", "0"] {
        let got = ndjson(&log.run(
            &[
                "query",
                "t",
                "--since",
                "2024-01-01T00:00:00Z",
                "--until",
                "2024-01-01T00:06:00Z",
                "--sample-by",
                "1m",
                "--agg",
                "count,avg(.ms),max(.ms)",
                "--fill",
                fill,
            ],
            "",
        ));
        let mut expected = Vec::new();
        let mut prev: Option<String> = None;
        for minute in 0..6 {
            let time = format!("\"2024-01-01T00:{minute:02}:00.000Z\"");
            let row = match by_minute.get(&minute) {
                Some(v) => {
                    let (c, a, m) = stats(v);
                    let a = if a.fract() == 0.0 {
                        format!("{}", a as i64)
                    } else {
                        format!("{a}")
                    };
                    let r = format!("{c},{a},{m}");
                    prev = Some(r.clone());
                    Some(r)
                }
                None => match fill {
                    "none" => None,
                    "null" => Some("null,null,null".into()),
                    "0" => Some("0,0,0".into()),
                    _ => prev.clone(),
                },
            };
            if let Some(r) = row {
                expected.push(format!("{time}:{r}"));
            }
        }
        let got: Vec<String> = got
            .iter()
            .map(|v| {
                format!(
                    "{}:{},{},{}",
                    field(v, "time"),
                    field(v, "count"),
                    field(v, "ms_avg"),
                    field(v, "ms_max")
                )
            })
            .collect();
        assert_eq!(got, expected, "--fill {fill}");
    }
}

#[test]
fn topics_and_groups_describe_the_log() {
    let log = Log::new();
    log.append("a", &numbered(0, 3), &[]);
    log.append("b", &numbered(0, 2), &[]);
    log.run(&["read", "a", "--group", "g", "-n", "1"], "");
    let topics = ndjson(&log.run(&["topics"], ""));
    assert_eq!(topics.len(), 2);
    assert_eq!(field(&topics[0], "events"), "3");
    assert_eq!(field(&topics[1], "first_seq"), "4");
    let groups = ndjson(&log.run(&["groups"], ""));
    assert_eq!(groups.len(), 1);
    assert_eq!(field(&groups[0], "lag"), "2");
    // Bad input to append follows the bad-line policy like every other subcommand.
    let mut w = log
        .std(&["append", "a"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    w.stdin
        .take()
        .unwrap()
        .write_all(b"not json\n{\"ok\":1}\n")
        .unwrap();
    let out = w.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(stderr_of(&out).starts_with("binge log append: stdin:1: invalid JSON"));
    assert_eq!(ndjson(&log.run(&["tail", "a", "-n", "1"], "")).len(), 1);
}

// Regression (issue 11.7): the follow modes died by the signal (143, or killed by SIGINT)
// instead of stopping cleanly with 130, as the README promises.
#[test]
fn follow_modes_stop_cleanly_with_130_on_sigterm_and_sigint() {
    let log = Log::new();
    log.append("t", &numbered(0, 5), &[]);
    let sink = log.dir().join("sink.ndjson");
    let exec = format!("cat >> {}", sink.display());
    let modes: Vec<Vec<&str>> = vec![
        vec!["read", "t", "--group", "g", "--follow"],
        vec!["tail", "t", "--follow"],
        vec!["read", "t", "--group", "e", "--follow", "--exec", &exec],
    ];
    for signal in [libc::SIGTERM, libc::SIGINT] {
        for args in &modes {
            let mut child = log
                .std(args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let mut stdout = child.stdout.take().unwrap();
            let reader = std::thread::spawn(move || {
                let mut got = String::new();
                std::io::Read::read_to_string(&mut stdout, &mut got).unwrap();
                got
            });
            // Give it time to deliver what is there and start waiting for more.
            std::thread::sleep(Duration::from_millis(400));
            // SAFETY: a plain kill(2) of our own child.
            unsafe { libc::kill(child.id() as i32, signal) };
            let started = Instant::now();
            while child.try_wait().unwrap().is_none() && started.elapsed() < Duration::from_secs(10)
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            let got = reader.join().unwrap();
            // The first round delivers everything; the group has nothing left for the second.
            if signal == libc::SIGTERM && !args.contains(&"--exec") {
                assert_eq!(got.lines().count(), 5, "{args:?}");
            }
            assert_eq!(
                out.status.code(),
                Some(130),
                "{args:?} after signal {signal}: {:?} {}",
                out.status,
                stderr_of(&out)
            );
        }
    }
    // What was delivered before the signal was committed.
    let last: i64 = log
        .conn()
        .query_row("SELECT max(seq) FROM log_events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(log.position("t", "g"), last);
    assert_eq!(log.position("t", "e"), last);
    assert_eq!(std::fs::read_to_string(&sink).unwrap(), numbered(0, 5));
}

// Regression (issue 12): an ack or seek beyond the topic's last seq was accepted, silently
// skipping every event appended later; a typo in a topic name read nothing, exited 0 and made a
// group; --from on an existing group was ignored without a word.
#[test]
fn typos_and_positions_beyond_the_end_are_refused() {
    let log = Log::new();
    log.append("logs", &numbered(0, 10), &[]);
    log.run(&["read", "logs", "--group", "alerts", "-n", "3"], "");
    let last: i64 = log
        .conn()
        .query_row("SELECT max(seq) FROM log_events", [], |r| r.get(0))
        .unwrap();

    let out = log
        .cmd(&["ack", "logs", "--group", "alerts", "--upto", "99999"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains(&format!("beyond the last seq of logs, {last}")),
        "{}",
        stderr_of(&out)
    );
    let out = log
        .cmd(&["seek", "logs", "--group", "alerts", "--to", "seq:99999999"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    // Up to the last seq, and seq:LAST+1 (what comes next), are fine.
    log.run(
        &[
            "ack",
            "logs",
            "--group",
            "alerts",
            "--upto",
            &last.to_string(),
        ],
        "",
    );
    log.run(
        &[
            "seek",
            "logs",
            "--group",
            "alerts",
            "--to",
            &format!("seq:{}", last + 1),
        ],
        "",
    );

    let out = log.cmd(&["read", "lgos", "--group", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains("there is no topic lgos; the topics are: logs"),
        "{}",
        stderr_of(&out)
    );
    let out = log
        .cmd(&["ack", "lgos", "--group", "x", "--upto", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let groups = log.run(&["groups"], "");
    assert!(
        !groups.contains("lgos"),
        "no group made for a typo: {groups}"
    );

    // With --follow, a topic that does not exist yet is waited for, and binge says so.
    let child = log
        .std(&["read", "later", "--group", "g", "--follow"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: a plain kill(2) of our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("there is no topic later yet; waiting for it"),
        "{}",
        stderr_of(&out)
    );

    // --from on an existing group: the saved position is used, and binge says so.
    log.run(&["seek", "logs", "--group", "alerts", "--to", "seq:4"], "");
    let out = log
        .cmd(&["read", "logs", "--group", "alerts", "--from", "earliest"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(stdout_of(&out), numbered(3, 10));
    assert!(
        stderr_of(&out).contains("group alerts exists, so it goes on from its saved position"),
        "{}",
        stderr_of(&out)
    );
}

// Regression (issue 12): killing `log read --exec 'cat >> sink'` left torn lines in the sink,
// since the command had been handed part of a batch through a pipe. It now gets a whole batch
// or none. The command here is slow to start reading, so binge is often killed while the
// batch is still going to it.
#[test]
fn an_exec_command_gets_whole_batches_whenever_binge_is_killed() {
    let log = Log::new();
    let n = 4000;
    let big: String = (0..n)
        .map(|i| format!("{{\"i\":{i},\"pad\":\"{}\"}}\n", "x".repeat(300)))
        .collect();
    log.append("t", &big, &[]);
    let counts = log.dir().join("counts");
    let cmd = format!("(sleep 0.05; wc -l) >> {}", counts.display());
    let mut pauses = Pauses(3);
    for _ in 0..15 {
        let child = log
            .std(&[
                "read", "t", "--group", "c", "--batch", "1000", "--exec", &cmd,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(pauses.next(60));
        kill(child);
    }
    // Let any command still running finish its batch.
    std::thread::sleep(Duration::from_millis(500));
    let text = std::fs::read_to_string(&counts).unwrap_or_default();
    for (k, line) in text.lines().enumerate() {
        assert_eq!(
            line.trim(),
            "1000",
            "command {} got part of a batch: {text}",
            k + 1
        );
    }
}

/// Every event the sinks received, with how many times, after checking that each line is
/// whole JSON.
fn sink_counts(paths: &[PathBuf]) -> (BTreeMap<i64, usize>, Vec<usize>) {
    let mut seen: BTreeMap<i64, usize> = BTreeMap::new();
    let mut shares = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(p).unwrap_or_default();
        let mut n = 0;
        for line in text.lines() {
            let v = agglo::json::parse_value(line.as_bytes())
                .unwrap_or_else(|_| panic!("a torn line in {}: {line}", p.display()));
            *seen.entry(field(&v, "i").parse().unwrap()).or_default() += 1;
            n += 1;
        }
        shares.push(n);
    }
    (seen, shares)
}

// Regression (issue 12): two readers of one group each got every event. Readers of one group
// now share its events: each batch goes to one of them.
#[test]
fn readers_of_one_group_share_its_events() {
    let log = Log::new();
    let n = 6000;
    log.append("t", &numbered(0, n), &[]);
    let sinks: Vec<PathBuf> = (0..3).map(|k| log.dir().join(format!("s{k}"))).collect();
    let readers: Vec<Child> = sinks
        .iter()
        .map(|s| {
            let cmd = format!("sleep 0.01; cat >> {}", s.display());
            log.std(&[
                "read", "t", "--group", "g", "--batch", "100", "--exec", &cmd,
            ])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    for r in readers {
        let out = r.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
    }
    let (seen, shares) = sink_counts(&sinks);
    assert_eq!(seen.len(), n, "every event delivered");
    assert!(
        seen.values().all(|&c| c == 1),
        "no event twice without a crash"
    );
    assert!(
        shares.iter().all(|&s| s > 0),
        "each reader got a share: {shares:?}"
    );
    assert_eq!(log.position("t", "g"), n as i64);
    let groups = ndjson(&log.run(&["groups", "t"], ""));
    assert_eq!(field(&groups[0], "leases"), "0");
    assert_eq!(field(&groups[0], "lag"), "0");
}

// Issue 12 acceptance: three --exec readers of one group on a 20,000-event topic, one killed
// with SIGKILL at random moments 50 times and restarted.
#[test]
fn competing_readers_lose_nothing_when_one_is_killed_again_and_again() {
    let log = Log::new();
    let n = 20_000;
    log.append("t", &numbered(0, n), &[]);
    let sinks: Vec<PathBuf> = (0..3).map(|k| log.dir().join(format!("s{k}"))).collect();
    let reader = |k: usize| {
        let cmd = format!("cat >> {}", sinks[k].display());
        log.std(&[
            "read", "t", "--group", "g", "--batch", "100", "--follow", "--exec", &cmd,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
    };
    let steady = [reader(0), reader(1)];
    let mut pauses = Pauses(17);
    let kills = 50;
    for _ in 0..kills {
        let victim = reader(2);
        std::thread::sleep(pauses.next(30));
        kill(victim);
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while log.position("t", "g") < n as i64 {
        assert!(Instant::now() < deadline, "not drained");
        std::thread::sleep(Duration::from_millis(20));
    }
    for r in steady {
        // SAFETY: a plain kill(2) of our own child.
        unsafe { libc::kill(r.id() as i32, libc::SIGTERM) };
        let out = r.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(130));
    }
    let (seen, shares) = sink_counts(&sinks);
    assert_eq!(seen.len(), n, "every event delivered at least once");
    let duplicates: usize = seen.values().map(|c| c - 1).sum();
    assert!(
        duplicates <= kills * 100,
        "{duplicates} duplicates after {kills} kills of batches of 100"
    );
    assert!(
        shares.iter().all(|&s| s > 0),
        "each reader got a share: {shares:?}"
    );
    assert_eq!(integrity(&log), "ok");
}

// A reader that stops renewing its lease (stopped, or on another machine) loses its batch to
// another reader once the lease runs out.
#[test]
fn a_batch_whose_lease_runs_out_goes_to_another_reader() {
    let log = Log::new();
    log.append("t", &numbered(0, 300), &[]);
    let (sa, sb) = (log.dir().join("sa"), log.dir().join("sb"));
    // A takes the first batch and stalls inside its command; then it is stopped outright.
    let stall = format!("sleep 5; cat >> {}", sa.display());
    let a = log
        .std(&[
            "read", "t", "--group", "g", "--batch", "100", "--lease", "500ms", "--exec", &stall,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while ndjson(&log.run(&["groups", "t"], ""))
        .first()
        .is_none_or(|g| field(g, "leases") == "0")
    {
        assert!(Instant::now() < deadline, "A never leased a batch");
        std::thread::sleep(Duration::from_millis(10));
    }
    // SAFETY: plain kill(2)s of our own child.
    unsafe { libc::kill(a.id() as i32, libc::SIGSTOP) };
    let b_cmd = format!("cat >> {}", sb.display());
    let b = |log: &Log| {
        log.run(
            &[
                "read", "t", "--group", "g", "--batch", "100", "--lease", "500ms", "--exec", &b_cmd,
            ],
            "",
        )
    };
    b(&log);
    // B took what nobody held; A's batch waits for its lease to run out.
    assert_eq!(std::fs::read_to_string(&sb).unwrap().lines().count(), 200);
    std::thread::sleep(Duration::from_millis(700));
    b(&log);
    assert_eq!(std::fs::read_to_string(&sb).unwrap().lines().count(), 300);
    assert_eq!(log.position("t", "g"), 300);
    unsafe { libc::kill(a.id() as i32, libc::SIGKILL) };
    kill(a);
}

#[test]
fn sample_by_with_by_gives_a_row_per_bucket_and_group() {
    let log = Log::new();
    // Minute 0: a twice, b once; minute 1: nothing; minute 2: b once.
    let input = "{\"t\":1704067200,\"h\":\"a\",\"ms\":1}\n{\"t\":1704067210,\"h\":\"b\",\"ms\":5}\n\
                 {\"t\":1704067220,\"h\":\"a\",\"ms\":3}\n{\"t\":1704067330,\"h\":\"b\",\"ms\":7}\n";
    log.append("t", input, &["--time", ".t"]);
    let rows = |fill: &str| {
        ndjson(&log.run(
            &[
                "query",
                "t",
                "--sample-by",
                "1m",
                "--by",
                ".h",
                "--agg",
                "count,max(.ms)",
                "--fill",
                fill,
            ],
            "",
        ))
        .iter()
        .map(|v| {
            format!(
                "{} {} {} {}",
                &field(v, "time")[12..17],
                field(v, "h"),
                field(v, "count"),
                field(v, "ms_max")
            )
        })
        .collect::<Vec<_>>()
    };
    assert_eq!(
        rows("none"),
        ["00:00 \"a\" 2 3", "00:00 \"b\" 1 5", "00:02 \"b\" 1 7"]
    );
    assert_eq!(
        rows("0"),
        [
            "00:00 \"a\" 2 3",
            "00:00 \"b\" 1 5",
            "00:01 \"a\" 0 0",
            "00:01 \"b\" 0 0",
            "00:02 \"a\" 0 0",
            "00:02 \"b\" 1 7"
        ]
    );
}
