//! `binge tee`: every target, against a real HTTP server on 127.0.0.1 started by the test.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::util::*;

/// What the server answers to one request: a status and an optional Retry-After.
#[derive(Clone, Copy)]
struct Answer(u16, Option<u64>);

/// A small HTTP/1.1 server on 127.0.0.1 that records each request body and answers from a
/// script (200 once the script is used up), closing every connection after its answer.
struct Server {
    port: u16,
    bodies: Arc<Mutex<Vec<(Instant, String)>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start(script: Vec<Answer>, delay: Duration) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (bodies, stop) = (Arc::clone(&bodies), Arc::clone(&stop));
            let mut script: VecDeque<Answer> = script.into();
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((conn, _)) => {
                            let answer = script.pop_front().unwrap_or(Answer(200, None));
                            serve(conn, answer, delay, &bodies);
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(2)),
                    }
                }
            })
        };
        Server {
            port,
            bodies,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/ingest", self.port)
    }

    fn bodies(&self) -> Vec<(Instant, String)> {
        self.bodies.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Reads one request and answers it. The body of a request answered 200 is recorded before
/// the answer goes out, so the client cannot finish before the test can see it.
fn serve(
    conn: TcpStream,
    answer: Answer,
    delay: Duration,
    bodies: &Mutex<Vec<(Instant, String)>>,
) -> Option<()> {
    conn.set_nonblocking(false).ok()?;
    conn.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let mut reader = BufReader::new(conn.try_clone().ok()?);
    let mut length = 0;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some(v) = l.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    std::thread::sleep(delay);
    if answer.0 == 200 {
        bodies
            .lock()
            .unwrap()
            .push((Instant::now(), String::from_utf8_lossy(&body).into_owned()));
    }
    let retry = answer
        .1
        .map(|s| format!("Retry-After: {s}\r\n"))
        .unwrap_or_default();
    let mut conn = conn;
    let _ = write!(
        conn,
        "HTTP/1.1 {} X\r\nContent-Length: 0\r\nConnection: close\r\n{retry}\r\n",
        answer.0
    );
    let _ = conn.flush();
    Some(())
}

fn input(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "{{\"i\": {i}, \"level\": \"{}\"}}\n",
                if i % 3 == 0 { "error" } else { "info" }
            )
        })
        .collect()
}

fn errors_of(text: &str) -> String {
    text.lines()
        .filter(|l| l.contains("\"error\""))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn http_receives_exactly_the_matching_events_in_order() {
    let server = Server::start(vec![], Duration::ZERO);
    let text = input(250);
    let out = binge()
        .args(["tee", "--when", ".level == \"error\"", "--batch", "20"])
        .arg(server.url())
        .write_stdin(text.clone())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), text, "stdout is the input, byte for byte");
    let received: String = server.bodies().into_iter().map(|(_, b)| b).collect();
    assert_eq!(received, errors_of(&text));
    assert!(server.bodies().iter().all(|(_, b)| b.lines().count() <= 20));
}

#[test]
fn http_5xx_is_retried_and_each_event_arrives_once() {
    let server = Server::start(vec![Answer(503, None), Answer(503, None)], Duration::ZERO);
    let text = input(30);
    let out = binge()
        .args(["tee", "--batch", "1000"])
        .arg(server.url())
        .write_stdin(text.clone())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), text);
    let bodies = server.bodies();
    assert_eq!(bodies.len(), 1, "one successful request");
    assert_eq!(bodies[0].1, text);
}

#[test]
fn http_429_retry_after_is_honoured() {
    let server = Server::start(vec![Answer(429, Some(1))], Duration::ZERO);
    let started = Instant::now();
    let out = binge()
        .args(["tee", "--batch", "1000"])
        .arg(server.url())
        .write_stdin(input(5))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let bodies = server.bodies();
    assert_eq!(bodies.len(), 1);
    assert!(bodies[0].0.duration_since(started) >= Duration::from_secs(1));
}

#[test]
fn http_4xx_is_not_retried() {
    let server = Server::start(vec![Answer(400, None)], Duration::ZERO);
    let dir = tempfile::tempdir().unwrap();
    let dead = dir.path().join("dead.ndjson");
    let out = binge()
        .args(["tee", "--batch", "1000", "--dead-letter"])
        .arg(&dead)
        .arg(server.url())
        .write_stdin(input(3))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr_of(&out).contains("HTTP 400 (not retried)"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(std::fs::read_to_string(&dead).unwrap().lines().count(), 3);
    assert!(server.bodies().is_empty());
}

#[test]
fn with_the_server_down_every_matching_event_is_dead_lettered_and_status_is_1() {
    // A port with nothing listening: bound, then let go.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let dead = dir.path().join("dead.ndjson");
    let text = input(40);
    let out = binge()
        .args([
            "tee",
            "--when",
            ".level == \"error\"",
            "--retries",
            "2",
            "--dead-letter",
        ])
        .arg(&dead)
        .arg(format!("http://127.0.0.1:{port}/x"))
        .write_stdin(text.clone())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout_of(&out), text, "every event still passed on");
    let kept = std::fs::read_to_string(&dead).unwrap();
    let errors = errors_of(&text);
    assert_eq!(kept.lines().count(), errors.lines().count());
    for (rec, ev) in kept.lines().zip(errors.lines()) {
        assert!(
            rec.starts_with(&format!(
                "{{\"target\":\"http://127.0.0.1:{port}/x\",\"error\":\""
            )),
            "{rec}"
        );
        assert!(rec.contains("after 3 attempts"), "{rec}");
        assert!(rec.ends_with(&format!(",\"event\":{ev}}}")), "{rec}");
    }
    assert!(
        stderr_of(&out).contains("0 events delivered, 14 not"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn file_sqlite_and_log_targets_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("copy.ndjson");
    let db = dir.path().join("events.db");
    let state = dir.path().join("state.db");
    let text = input(100);
    let out = binge()
        .args(["tee", "--when", ".level == \"error\"", "--state"])
        .arg(&state)
        .arg(&file)
        .arg(format!("sqlite:{}#raw", db.display()))
        .arg("log:copies")
        .write_stdin(text.clone())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), text);
    let errors = errors_of(&text);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), errors);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let rows: Vec<(i64, String, String)> = conn
        .prepare("SELECT id, time, event FROM raw ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let events: String = rows.iter().map(|r| format!("{}\n", r.2)).collect();
    assert_eq!(events, errors);
    assert_eq!(rows[0].0, 1);
    assert!(rows[0].1.ends_with('Z'));
    let read = binge()
        .args(["log", "read", "copies", "--group", "t", "--state"])
        .arg(&state)
        .output()
        .unwrap();
    assert_eq!(stdout_of(&read), errors);
}

#[test]
fn exec_receives_every_matching_event_and_an_early_exit_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let got = dir.path().join("got.ndjson");
    let text = input(60);
    let out = binge()
        .args(["tee", "--when", ".level == \"error\""])
        .arg(format!("exec:cat > {}", got.display()))
        .write_stdin(text.clone())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(std::fs::read_to_string(&got).unwrap(), errors_of(&text));
    // A command that stops reading at once: what it did not take is dead-lettered.
    let dead = dir.path().join("dead.ndjson");
    let big = input(50_000);
    let out = binge()
        .args(["tee", "exec:exit 0", "--dead-letter"])
        .arg(&dead)
        .write_stdin(big.clone())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout_of(&out), big);
    let err = stderr_of(&out);
    assert!(
        err.contains("exec:exit 0:") && err.contains("the command exited early"),
        "{err}"
    );
    assert!(std::fs::read_to_string(&dead).unwrap().lines().count() > 0);
}

#[test]
fn a_target_that_cannot_start_stops_binge_before_reading() {
    let out = binge()
        .args(["tee", "/nonexistent/dir/out.ndjson"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_of(&out).contains("cannot open /nonexistent/dir/out.ndjson"));
    let out = binge()
        .args(["tee", "sqlite:x.db#no-good"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sigterm_flushes_what_is_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("copy.ndjson");
    let mut child = binge_std()
        .args(["tee"])
        .arg(&file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"{\"a\":1}\n{\"a\":2}\n").unwrap();
    stdin.flush().unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut first)
        .unwrap();
    // SAFETY: a plain kill(2) of our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = child.wait_with_output().unwrap();
    drop(stdin);
    assert_eq!(out.status.code(), Some(130), "{}", stderr_of(&out));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "{\"a\":1}\n{\"a\":2}\n"
    );
}

#[test]
fn memory_stays_bounded_when_a_target_is_slower_than_the_input() {
    // Each request waits 10 ms: the target takes far longer than reading the input does.
    let server = Server::start(vec![], Duration::from_millis(10));
    let mut child = binge_std()
        .args(["tee", "--batch", "2000", "--quiet"])
        .arg(server.url())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let pad = "x".repeat(280);
        let mut chunk = String::new();
        let mut written = 0usize;
        let mut i = 0;
        // About 120 MB, far more than the queues may hold.
        while written < 120_000_000 {
            chunk.clear();
            for _ in 0..1000 {
                chunk.push_str(&format!("{{\"i\":{i},\"pad\":\"{pad}\"}}\n"));
                i += 1;
            }
            written += chunk.len();
            stdin.write_all(chunk.as_bytes()).unwrap();
        }
        i
    });
    // The peak resident size since exec (VmHWM), read while the child runs: the rusage of a
    // spawned child would also count the test process it was forked from.
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0u64;
    let hwm = |text: &str| -> Option<u64> {
        let line = text.lines().find(|l| l.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    };
    while !writer.is_finished() || child.try_wait().unwrap().is_none() {
        if let Some(kb) = std::fs::read_to_string(&status_path)
            .ok()
            .as_deref()
            .and_then(hwm)
        {
            peak_kb = peak_kb.max(kb);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = writer.join().unwrap();
    let status = child.wait().unwrap();
    assert!(status.success());
    let peak_mb = peak_kb / 1024;
    assert!(peak_kb > 0, "no reading of the child's memory");
    assert!(peak_mb < 60, "peak memory {peak_mb} MB");
    let received: usize = server.bodies().iter().map(|(_, b)| b.lines().count()).sum();
    assert_eq!(received, sent);
}

// Regression (issue 11.1): when the reader of stdout left, the stage's end was skipped and
// the target lost every event still queued for it. The test holds the target's write lock, so
// events are still queued when stdout closes.
#[test]
fn targets_get_every_event_that_went_downstream_when_stdout_closes_early() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("o.db");
    let mut child = binge_std()
        .arg("tee")
        .arg(format!("sqlite:{}#ev", db.display()))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    // The first event: the table exists once it has come through.
    writeln!(stdin, "{{\"i\":0}}").unwrap();
    stdout.read_line(&mut line).unwrap();
    let lock = rusqlite::Connection::open(&db).unwrap();
    lock.execute_batch("BEGIN IMMEDIATE").unwrap();
    let mut downstream = 1;
    for i in 1..10 {
        writeln!(stdin, "{{\"i\":{i}}}").unwrap();
        line.clear();
        stdout.read_line(&mut line).unwrap();
        downstream += 1;
    }
    drop(stdout);
    // The next event meets the closed stdout.
    writeln!(stdin, "{{\"i\":10}}").unwrap();
    std::thread::sleep(Duration::from_millis(500));
    lock.execute_batch("COMMIT").unwrap();
    let out = child.wait_with_output().unwrap();
    drop(stdin);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let stored: i64 = lock
        .query_row("SELECT count(*) FROM ev", [], |r| r.get(0))
        .unwrap();
    assert!(
        stored >= downstream,
        "{downstream} events went downstream, {stored} stored"
    );
}

// Regression (issue 11.2): under --on-error fail the targets got none of the events that
// stdout got before the bad line.
#[test]
fn on_error_fail_delivers_to_every_target_what_went_downstream() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.ndjson");
    let db = dir.path().join("o.db");
    let piped = dir.path().join("exec.ndjson");
    let server = Server::start(vec![], Duration::ZERO);
    let out = binge()
        .arg("tee")
        .arg(&file)
        .arg(format!("sqlite:{}#ev", db.display()))
        .arg(format!("exec:cat > {}", piped.display()))
        .arg(server.url())
        .args(["--on-error", "fail"])
        .write_stdin("{\"a\":1}\n{\"a\":2}\nbad\n{\"a\":3}\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr_of(&out));
    let two = "{\"a\":1}\n{\"a\":2}\n";
    assert_eq!(stdout_of(&out), two);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), two);
    assert_eq!(std::fs::read_to_string(&piped).unwrap(), two);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let stored: i64 = conn
        .query_row("SELECT count(*) FROM ev", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, 2);
    let bodies: String = server.bodies().into_iter().map(|(_, b)| b).collect();
    assert_eq!(bodies, two);
}

// Regression (issue 11.13): only regular files can be synced; /dev/null failed the run.
#[test]
fn targets_that_are_not_regular_files_are_not_synced() {
    let out = binge()
        .args(["tee", "/dev/null"])
        .write_stdin("{\"a\":1}\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), "{\"a\":1}\n");
    assert_eq!(stderr_of(&out), "");

    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let out = binge()
        .arg("tee")
        .arg(&fifo)
        .write_stdin("{\"a\":1}\n{\"a\":2}\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    assert_eq!(reader.join().unwrap(), "{\"a\":1}\n{\"a\":2}\n");
}

// Regression (issue 11.6): Retry-After: 3600 slept an hour.
#[test]
fn retry_after_is_capped_by_max_retry_wait() {
    let server = Server::start(vec![Answer(503, Some(3600))], Duration::ZERO);
    let child = binge_std()
        .args([
            "tee",
            "--max-retry-wait",
            "200ms",
            "--flush-interval",
            "50ms",
        ])
        .arg(server.url())
        .stdin(std::fs::File::open(write_temp(&input(5)).1).unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait_at_most(child, Duration::from_secs(30));
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let bodies: String = server.bodies().into_iter().map(|(_, b)| b).collect();
    assert_eq!(bodies, input(5));
}

/// Writes `text` to a file in a new temporary folder.
fn write_temp(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.ndjson");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

// Regression (issue 11.6): with nothing listening, every 100-event batch cost about 6 s of
// retries, so 200k events took many minutes and stdout saw nothing meanwhile. Once a batch has
// used up its retries the target counts as down and the stream flows.
#[test]
fn a_dead_endpoint_costs_the_stream_one_batch_of_retries_not_every_batch() {
    let (dir, events) = write_temp(&input(20_000));
    let dead = dir.path().join("dead.ndjson");
    let child = binge_std()
        .args([
            "tee",
            "http://127.0.0.1:1/x",
            "--batch",
            "100",
            "--retries",
            "3",
        ])
        .arg("--dead-letter")
        .arg(&dead)
        .arg("--input")
        .arg(&events)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait_at_most(child, Duration::from_secs(120));
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), input(20_000));
    let kept = std::fs::read_to_string(&dead).unwrap();
    assert_eq!(
        kept.lines().count(),
        20_000,
        "each event dead-lettered once"
    );
    assert!(kept.contains("the target is down"), "{}", &kept[..300]);
    assert!(
        stderr_of(&out).contains("0 events delivered, 20000 not"),
        "{}",
        stderr_of(&out)
    );
}

// Regression (issue 11.6): after SIGTERM binge kept retrying every queued batch, and a second
// signal left events neither delivered, nor dead-lettered, nor counted. Now the batch being
// retried gets one last try, the rest are dead-lettered and counted, and binge exits 130.
#[test]
fn sigterm_during_retries_dead_letters_and_counts_what_is_left_then_exits_130() {
    let server = Server::start(vec![Answer(503, None); 1000], Duration::ZERO);
    let dir = tempfile::tempdir().unwrap();
    let dead = dir.path().join("dead.ndjson");
    let mut child = binge_std()
        .args(["tee", "--batch", "10", "--retries", "20", "--dead-letter"])
        .arg(&dead)
        .arg(server.url())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input(100).as_bytes()).unwrap();
    stdin.flush().unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut passed = String::new();
    for _ in 0..100 {
        reader.read_line(&mut passed).unwrap();
    }
    // Let the first batch meet its first 503s, then stop binge.
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: a plain kill(2) of our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = wait_at_most(child, Duration::from_secs(20));
    drop(stdin);
    assert_eq!(out.status.code(), Some(130), "{}", stderr_of(&out));
    assert_eq!(passed, input(100));
    let kept = std::fs::read_to_string(&dead).unwrap();
    assert_eq!(kept.lines().count(), 100, "every event dead-lettered once");
    assert!(
        stderr_of(&out).contains("0 events delivered, 100 not"),
        "{}",
        stderr_of(&out)
    );
}

/// agglo's Spawner: one command per matching event, a few at a time, a failing one dead-
/// lettered with its status.
#[test]
fn spawn_runs_a_command_per_event_and_dead_letters_its_failures() {
    let dir = tempfile::tempdir().unwrap();
    let outdir = dir.path().join("out");
    std::fs::create_dir(&outdir).unwrap();
    let dead = dir.path().join("dead.ndjson");
    // Each command writes its event to a file named after it; n == 3 fails.
    let cmd = format!(
        "spawn:read e; n=$(echo \"$e\" | tr -dc 0-9); [ \"$n\" != 3 ] && echo \"$e\" > {}/$n",
        outdir.display()
    );
    let input: String = (1..=6).map(|i| format!("{{\"n\":{i}}}\n")).collect();
    let out = binge()
        .args([
            "tee",
            "--spawn-max",
            "2",
            "--when",
            ".n != 5",
            &cmd,
            "--dead-letter",
        ])
        .arg(&dead)
        .write_stdin(input.clone())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), input, "every event still passes on");
    let mut written: Vec<String> = std::fs::read_dir(&outdir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    written.sort();
    assert_eq!(
        written,
        ["{\"n\":1}\n", "{\"n\":2}\n", "{\"n\":4}\n", "{\"n\":6}\n"]
    );
    let dead = ndjson(&std::fs::read_to_string(&dead).unwrap());
    assert_eq!(dead.len(), 1);
    assert!(
        field(&dead[0], "error").contains("exit status: 1"),
        "{dead:?}"
    );
    assert_eq!(field(&dead[0], "event"), "{\"n\":3}");
}

/// A target that looks like a URL of a kind binge does not speak is a usage error naming the
/// ones it knows, and nothing is written; a file whose name has a colon is ./NAME or file:NAME.
#[test]
fn targets_are_never_guessed() {
    let dir = tempfile::tempdir().unwrap();
    for targets in [
        vec!["redis:events", "kafka:topic"],
        vec!["gs://bucket/key"],
        vec!["out.ndjson", "amqp://127.0.0.1:5672/x"],
    ] {
        let out = binge()
            .current_dir(dir.path())
            .arg("tee")
            .args(&targets)
            .write_stdin("{\"a\":1}\n")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{targets:?}");
        let err = stderr_of(&out);
        assert!(err.contains("binge knows no target"), "{err}");
        assert!(
            err.contains("log:TOPIC, sqlite:PATH#TABLE, http://"),
            "{err}"
        );
        assert_eq!(stdout_of(&out), "");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "{targets:?}"
        );
    }
    let out = binge()
        .current_dir(dir.path())
        .args(["tee", "./kafka:topic", "file:redis:events"])
        .write_stdin("{\"a\":1}\n")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    for name in ["kafka:topic", "redis:events"] {
        assert_eq!(
            std::fs::read_to_string(dir.path().join(name)).unwrap(),
            "{\"a\":1}\n"
        );
    }
}
