//! `binge serve`: HTTP ingest (DESIGN.md §7), and the HTTP plumbing `anchor serve` shares. `POST /events` takes NDJSON, a JSON array or
//! one object (gzip accepted) and either writes the events to stdout (stateless) or commits them
//! to a topic of the durable log before answering 200 (persistent, `--log`). `GET /healthz` and
//! `GET /metrics` (Prometheus text) tell a supervisor how it is doing. One request at a time:
//! each is validated whole, then written or committed whole, so a request is all or nothing.

use std::io::{Read, Write};
use std::time::Duration;

use anyhow::Context;

use crate::json::{self, Value};
use crate::store::{self, Store};
use crate::time;

/// How the daemon is run.
pub struct Settings {
    pub listen: String,
    pub max_body: usize,
    /// The bearer token a request must carry, if any.
    pub token: Option<String>,
    /// `--log TOPIC`: commit to the log before answering.
    pub log: Option<(Store, String)>,
    /// `--id EXPR`: what identifies an event, so a retried request adds nothing twice.
    pub id: Option<crate::expr::Program>,
    /// Requests taken but not yet handled; more are answered 429 with Retry-After.
    pub queue: usize,
    /// Where stateless events go instead of standard output (a pipeline's input).
    pub out: Option<Box<dyn Write + Send>>,
    /// The counts of the stages of the pipelines the events go to, for `/metrics`.
    pub meters: Vec<std::sync::Arc<crate::pipeline::chain::Meter>>,
}

#[derive(Default)]
struct Metrics {
    requests: u64,
    events_in: u64,
    events_out: u64,
    rejected: u64,
}

/// Serves until SIGINT or SIGTERM. Requests are taken on this thread and handled, one at a
/// time and in order, on another, through a bounded queue: a request that finds it full is
/// answered 429 with Retry-After at once. A stop signal stops the taking; what was taken is
/// still handled before binge exits.
pub fn serve(s: Settings) -> anyhow::Result<()> {
    let server = listen(&s.listen, "serve")?;
    let (tx, rx) = crossbeam_channel::bounded::<tiny_http::Request>(s.queue.max(1));
    let worker = std::thread::Builder::new()
        .name("binge-serve".into())
        .spawn(move || work(s, rx))
        .context("cannot start a thread")?;
    while !crate::stream::stopped() {
        let Some(req) = server.recv_timeout(Duration::from_millis(100))? else {
            continue;
        };
        if let Err(crossbeam_channel::TrySendError::Full(req)) = tx.try_send(req) {
            let (status, body) = error(429, "too many requests waiting; retry later");
            answer(req, status, body, JSON, &[("Retry-After", "1")]);
        }
    }
    drop(tx);
    worker
        .join()
        .map_err(|_| anyhow::anyhow!("the request handler failed"))?
}

fn work(
    mut s: Settings,
    rx: crossbeam_channel::Receiver<tiny_http::Request>,
) -> anyhow::Result<()> {
    let mut m = Metrics::default();
    let mut stdout = match s.out.take() {
        Some(out) => out,
        None => crate::stream::event_writer()?,
    };
    for mut req in rx {
        m.requests += 1;
        let (status, body) = handle(&mut s, &mut m, &mut req, &mut *stdout);
        if status >= 400 {
            m.rejected += 1;
        }
        let extra: &[(&str, &str)] = if status == 503 {
            &[("Retry-After", "1")]
        } else {
            &[]
        };
        let ctype = if body.starts_with('{') { JSON } else { TEXT };
        answer(req, status, body, ctype, extra);
    }
    stdout.flush().context("cannot write to standard output")?;
    Ok(())
}

const JSON: &str = "application/json";
/// Plain text, as Prometheus reads it.
const TEXT: &str = "text/plain; version=0.0.4";

/// Listens on `addr` (port 0: a free one), says where on stderr as `binge WHO: listening on
/// ADDR`, and makes SIGINT and SIGTERM stop the caller's loop instead of binge.
pub fn listen(addr: &str, who: &str) -> anyhow::Result<tiny_http::Server> {
    let server = tiny_http::Server::http(addr)
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    let bound = server
        .server_addr()
        .to_ip()
        .map_or_else(|| addr.to_string(), |a| a.to_string());
    eprintln!("binge {who}: listening on {bound}");
    crate::stream::catch_stop_signals();
    Ok(server)
}

/// Answers a request; a client that went away is said on stderr, not an error.
pub fn answer(
    req: tiny_http::Request,
    status: u16,
    body: String,
    content_type: &str,
    extra: &[(&str, &str)],
) {
    let mut resp = tiny_http::Response::from_string(body).with_status_code(status);
    for (k, v) in std::iter::once(&("Content-Type", content_type)).chain(extra) {
        if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            resp = resp.with_header(h);
        }
    }
    if let Err(e) = req.respond(resp) {
        eprintln!("binge: cannot answer an HTTP request: {e}");
    }
}

fn error(status: u16, why: &str) -> (u16, String) {
    let v = Value::Object(vec![(
        "error".into(),
        Value::String(why.to_string().into()),
    )]);
    (status, v.to_json())
}

/// Constant time in the length of the given token: no early exit on the first difference.
fn same_secret(given: &[u8], want: &[u8]) -> bool {
    let mut diff = given.len() ^ want.len();
    for (i, w) in want.iter().enumerate() {
        diff |= usize::from(given.get(i).copied().unwrap_or(0) ^ w);
    }
    diff == 0
}

fn header<'r>(req: &'r tiny_http::Request, name: &'static str) -> Option<&'r str> {
    req.headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str())
}

fn handle(
    s: &mut Settings,
    m: &mut Metrics,
    req: &mut tiny_http::Request,
    stdout: &mut dyn Write,
) -> (u16, String) {
    let path = req.url().split('?').next().unwrap_or_default().to_string();
    let method = req.method().clone();
    match (method, path.as_str()) {
        (tiny_http::Method::Get, "/healthz") => return (200, "ok\n".into()),
        (tiny_http::Method::Get, "/metrics") => {
            let mut text = format!(
                "# TYPE binge_requests_total counter\nbinge_requests_total {}\n\
                 # TYPE binge_events_in_total counter\nbinge_events_in_total {}\n\
                 # TYPE binge_events_out_total counter\nbinge_events_out_total {}\n\
                 # TYPE binge_requests_rejected_total counter\nbinge_requests_rejected_total {}\n",
                m.requests, m.events_in, m.events_out, m.rejected
            );
            if !s.meters.is_empty() {
                crate::pipeline::chain::Meter::render(&s.meters, &mut text);
            }
            return (200, text);
        }
        (tiny_http::Method::Post, "/events") => {}
        (_, "/events") => return error(405, "POST events to /events"),
        _ => {
            return error(
                404,
                "no such endpoint (POST /events, GET /healthz, GET /metrics)",
            );
        }
    }
    if let Some(token) = &s.token {
        let given = header(req, "Authorization")
            .and_then(|h| h.strip_prefix("Bearer "))
            .unwrap_or_default();
        if !same_secret(given.as_bytes(), token.as_bytes()) {
            return error(401, "a valid bearer token is required");
        }
    }
    if let Some(ct) = header(req, "Content-Type") {
        let ct = ct.split(';').next().unwrap_or_default().trim();
        // application/x-www-form-urlencoded is what curl --data-binary sends unless told.
        if !matches!(
            ct,
            "application/json"
                | "application/x-ndjson"
                | "application/jsonl"
                | "text/plain"
                | "application/x-www-form-urlencoded"
                | ""
        ) {
            return error(415, &format!("content type {ct} is not JSON or NDJSON"));
        }
    }
    let gzip = header(req, "Content-Encoding").is_some_and(|e| e.eq_ignore_ascii_case("gzip"));
    let mut raw = Vec::new();
    let limit = s.max_body as u64 + 1;
    let read = if gzip {
        flate2::read::GzDecoder::new(req.as_reader())
            .take(limit)
            .read_to_end(&mut raw)
    } else {
        req.as_reader().take(limit).read_to_end(&mut raw)
    };
    if let Err(e) = read {
        return error(400, &format!("cannot read the body: {e}"));
    }
    if raw.len() > s.max_body {
        return error(
            413,
            &format!("the body is larger than {} bytes", s.max_body),
        );
    }
    let events = match events_of(&raw) {
        Ok(e) => e,
        Err(why) => return error(400, &why),
    };
    m.events_in += events.len() as u64;
    let n = events.len();
    match &mut s.log {
        None => {
            let mut out = Vec::new();
            for e in &events {
                out.extend_from_slice(e.as_bytes());
                out.push(b'\n');
            }
            if let Err(e) = stdout.write_all(&out).and_then(|()| stdout.flush()) {
                return error(503, &format!("cannot pass the events on: {e}"));
            }
        }
        Some((store, topic)) => {
            let ids: Vec<String> = match &s.id {
                None => events.iter().map(|_| crate::sys::uuid7()).collect(),
                Some(p) => {
                    let mut ids = Vec::with_capacity(n);
                    for (i, e) in events.iter().enumerate() {
                        let v = json::parse_value(e.as_bytes()).unwrap_or(Value::Null);
                        match p.eval(&v) {
                            Ok(Value::Null) | Err(_) => {
                                return error(400, &format!("event {}: it has no --id", i + 1));
                            }
                            Ok(Value::String(s)) => ids.push(s.to_string()),
                            Ok(other) => ids.push(other.to_json()),
                        }
                    }
                    ids
                }
            };
            let now = time::now_ms();
            let new: Vec<store::log::NewEvent<'_>> = events
                .iter()
                .zip(&ids)
                .map(|(body, id)| store::log::NewEvent {
                    time_ms: now,
                    key: None,
                    id,
                    body,
                })
                .collect();
            if let Err(e) = store.write(|tx| store::log::append(tx, topic, now, &new)) {
                eprintln!("binge serve: {e:#}");
                return error(503, "the events could not be committed; retry later");
            }
        }
    }
    m.events_out += n as u64;
    let v = Value::Object(vec![(
        "accepted".into(),
        Value::Number(json::Number::Int(n as i64)),
    )]);
    (200, v.to_json())
}

/// The events of a body: one JSON object, a JSON array of objects, or NDJSON; each as compact
/// text. Any event that is not an object makes the whole request bad.
fn events_of(raw: &[u8]) -> Result<Vec<String>, String> {
    let text = std::str::from_utf8(raw).map_err(|_| "the body is not UTF-8".to_string())?;
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        let v = json::parse_value(trimmed.trim_end().as_bytes())
            .map_err(|e| format!("the body is not a JSON array: {e}"))?;
        let Value::Array(items) = v else {
            return Err("the body is not a JSON array".into());
        };
        return items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::Object(_) => Ok(item.to_json()),
                _ => Err(format!("item {} is not a JSON object", i + 1)),
            })
            .collect();
    }
    let mut events = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match json::parse_value(line.as_bytes()) {
            Ok(Value::Object(_)) => events.push(line.to_string()),
            Ok(_) => return Err(format!("line {}: not a JSON object", i + 1)),
            Err(e) => return Err(format!("line {}: {e}", i + 1)),
        }
    }
    if events.is_empty() {
        return Err("no events in the body".into());
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_of_each_shape() {
        assert_eq!(events_of(b"{\"a\": 1}").unwrap(), ["{\"a\": 1}"]);
        assert_eq!(
            events_of(b"[{\"a\":1},{\"b\":2.50}]").unwrap(),
            ["{\"a\":1}", "{\"b\":2.50}"]
        );
        assert_eq!(events_of(b"{\"a\":1}\n\n{\"a\":2}\n").unwrap().len(), 2);
        assert!(
            events_of(b"{\"a\":1}\n[1]\n")
                .unwrap_err()
                .contains("line 2")
        );
        assert!(events_of(b"[{\"a\":1},2]").unwrap_err().contains("item 2"));
        assert!(events_of(b"").is_err());
        assert!(events_of(b"{\"a\":").is_err());
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret(b"token", b"token"));
        assert!(!same_secret(b"tokem", b"token"));
        assert!(!same_secret(b"tok", b"token"));
        assert!(!same_secret(b"tokens", b"token"));
    }
}
