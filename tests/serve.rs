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
