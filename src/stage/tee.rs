//! `tee`: passes every event on unchanged and copies the matching ones to side targets.
//!
//! Each target runs on its own thread behind a bounded queue of chunks, so a slow target slows
//! the stream down instead of losing events or growing memory. An event a target cannot take
//! is written to the dead letter with the target and the reason, and counted; the run then
//! ends with status 1, after every event has been passed on.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, bounded};

use super::{Fault, Reject, Stage};
use crate::expr::Program;
use crate::store::{self, Durability, Store};
use crate::stream::resume::{Cursor, Keeps};
use crate::stream::{Event, Output};
use crate::time;

/// Bytes gathered for a target before they are handed to its thread.
const CHUNK: usize = 64 * 1024;
/// Chunks waiting per target: with CHUNK, at most about 1 MiB.
const QUEUE: usize = 16;

#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    File(PathBuf),
    Sqlite {
        path: PathBuf,
        table: String,
    },
    Log {
        topic: String,
    },
    Http {
        url: String,
    },
    Exec {
        command: String,
    },
    /// agglo's Spawner: the command once per event, with the event on its stdin.
    Spawn {
        command: String,
    },
    /// Objects of an S3-compatible store.
    S3 {
        bucket: String,
        prefix: String,
    },
    /// A subject of NATS JetStream.
    Nats {
        server: String,
        subject: String,
    },
}

impl Target {
    pub fn parse(text: &str) -> Result<Target, String> {
        if let Some(rest) = text.strip_prefix("sqlite:") {
            let (path, table) = rest
                .rsplit_once('#')
                .ok_or_else(|| format!("{text}: expected sqlite:PATH#TABLE"))?;
            store::tee::check_table(table).map_err(|e| format!("{text}: {e}"))?;
            if path.is_empty() {
                return Err(format!("{text}: expected sqlite:PATH#TABLE"));
            }
            return Ok(Target::Sqlite {
                path: PathBuf::from(path),
                table: table.to_string(),
            });
        }
        if let Some(topic) = text.strip_prefix("log:") {
            if topic.is_empty() {
                return Err(format!("{text}: expected log:TOPIC"));
            }
            return Ok(Target::Log {
                topic: topic.to_string(),
            });
        }
        if text.starts_with("http://") || text.starts_with("https://") {
            return Ok(Target::Http {
                url: text.to_string(),
            });
        }
        if let Some(command) = text.strip_prefix("spawn:") {
            if command.trim().is_empty() {
                return Err(format!("{text}: expected spawn:COMMAND"));
            }
            return Ok(Target::Spawn {
                command: command.to_string(),
            });
        }
        if let Some(command) = text.strip_prefix("exec:") {
            if command.trim().is_empty() {
                return Err(format!("{text}: expected exec:COMMAND"));
            }
            return Ok(Target::Exec {
                command: command.to_string(),
            });
        }
        if text.starts_with("s3://") {
            let (bucket, prefix) = crate::connect::objects::parse_url(text)
                .ok_or_else(|| format!("{text}: expected s3://BUCKET/PREFIX"))?;
            return Ok(Target::S3 {
                bucket: bucket.to_string(),
                prefix: prefix.to_string(),
            });
        }
        if text.starts_with("nats://") {
            let (server, subject) = crate::connect::nats::parse_url(text)
                .ok_or_else(|| format!("{text}: expected nats://HOST:PORT/SUBJECT"))?;
            if subject.contains(['*', '>']) {
                return Err(format!(
                    "{text}: a subject to publish to has no wildcards (* or >)"
                ));
            }
            return Ok(Target::Nats { server, subject });
        }
        if let Some(path) = text.strip_prefix("file:") {
            if path.is_empty() {
                return Err(format!("{text}: expected file:PATH"));
            }
            return Ok(Target::File(PathBuf::from(path)));
        }
        if text.is_empty() {
            return Err("an empty target".into());
        }
        // What looks like a URL of a kind binge does not speak is never taken for a file name:
        // `tee kafka:events` writing a file named so would lose every event quietly.
        if let Some((scheme, _)) = text.split_once(':')
            && is_scheme(scheme)
        {
            return Err(format!(
                "{text}: binge knows no target {scheme}: (it knows {KNOWN_SCHEMES}); a file \
                 whose name has a colon is written ./{text} or file:{text}"
            ));
        }
        Ok(Target::File(PathBuf::from(text)))
    }
}

/// The target forms, for messages.
const KNOWN_SCHEMES: &str = "log:TOPIC, sqlite:PATH#TABLE, http://, https://, s3://, \
                             nats://, exec:COMMAND, spawn:COMMAND, file:PATH";

/// Whether `s` has the shape of a URL scheme (RFC 3986: a letter, then letters, digits, `+`,
/// `-` or `.`).
fn is_scheme(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// How HTTP targets send.
#[derive(Debug, Clone)]
pub struct Http {
    pub batch: usize,
    pub flush_interval: Duration,
    pub headers: Vec<(String, String)>,
    pub timeout: Duration,
    pub retries: u32,
    /// The longest wait before a retry, whatever Retry-After asks for.
    pub max_retry_wait: Duration,
}

/// How long a target found down waits before one batch probes it again. Batches in between go
/// to the dead letter at once, so a dead endpoint costs the stream nothing.
const PROBE_EVERY: Duration = Duration::from_secs(5);
/// The timeout of the one last try each batch gets after a stop signal.
const LAST_TRY: Duration = Duration::from_secs(2);

pub struct Settings {
    pub when: Option<Program>,
    pub http: Http,
    pub dead_letter: Option<PathBuf>,
    /// The state file and durability, for log: targets.
    pub state: Option<(PathBuf, Durability)>,
    /// How many commands a spawn: target runs at once.
    pub spawn_max: usize,
    pub objects: Objects,
    /// nats:// targets: each message's id (JetStream stores one message per id): the value of
    /// this expression, else a hash of the event and where it came from.
    pub id: Option<(String, Program)>,
    /// nats:// targets: the stream to create, taking the target's subject, when missing.
    pub create_stream: Option<String>,
}

/// How `s3://` targets write objects.
#[derive(Debug, Clone)]
pub struct Objects {
    /// An object is written once its events (before compression) reach this size...
    pub max_bytes: usize,
    /// ...or its first event is this old.
    pub max_age: Duration,
    /// The store's address, for S3-compatible stores other than AWS (else from the
    /// environment: AWS_ENDPOINT_URL, AWS_REGION).
    pub endpoint: Option<String>,
    /// An object's key after the prefix: strftime codes for the UTC time it was started,
    /// `{uuid}` for a UUIDv7 (which sorts in writing order).
    pub key_template: String,
}

/// Events a target could not take, written where the user asked, and counted.
struct DeadLetter {
    file: Option<(PathBuf, File)>,
}

impl DeadLetter {
    /// Records the events of `lines` as not delivered to `target` because of `reason`.
    fn record(&mut self, target: &str, reason: &str, lines: &[u8]) -> u64 {
        let mut n = 0;
        for line in lines.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            n += 1;
            if let Some((path, f)) = &mut self.file {
                let mut rec = Vec::with_capacity(line.len() + 64);
                rec.extend_from_slice(b"{\"target\":");
                crate::json::write_str(target, &mut rec);
                rec.extend_from_slice(b",\"error\":");
                crate::json::write_str(reason, &mut rec);
                rec.extend_from_slice(b",\"event\":");
                rec.extend_from_slice(line);
                rec.extend_from_slice(b"}\n");
                // One write per record, so records from several targets never interleave.
                if let Err(e) = f.write_all(&rec) {
                    eprintln!(
                        "binge tee: cannot write the dead letter {}: {e}",
                        path.display()
                    );
                }
            }
        }
        n
    }
}

/// What a target's thread reports at the end.
#[derive(Default)]
struct Report {
    delivered: u64,
    failed: u64,
    /// The first reason of each kind of failure.
    reasons: Vec<String>,
}

impl Report {
    /// A problem that is not one event's: said at the end, and the run ends with status 1.
    fn note(&mut self, reason: String) {
        if !self.reasons.contains(&reason) && self.reasons.len() < 5 {
            self.reasons.push(reason);
        }
    }

    fn fail(&mut self, dead: &Mutex<DeadLetter>, label: &str, reason: &str, lines: &[u8]) {
        let n = dead
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .record(label, reason, lines);
        self.failed += n;
        if !self.reasons.iter().any(|r| r == reason) && self.reasons.len() < 5 {
            self.reasons.push(reason.to_string());
        }
    }
}

/// What a target's thread is handed: events, one per line, and under `--resume` (when the
/// target commits them) the input positions they reach.
struct Handoff {
    lines: Vec<u8>,
    /// For targets that send events under ids: an id per event, one per line.
    ids: Vec<u8>,
    positions: Option<Cursor>,
}

struct Handle {
    label: String,
    is_log: bool,
    tx: Option<Sender<Handoff>>,
    join: Option<JoinHandle<Report>>,
    buf: Vec<u8>,
    /// Whether the target takes an id with each event, and those gathered.
    wants_ids: bool,
    ids: Vec<u8>,
}

pub struct Tee {
    when: Option<Program>,
    /// How the events' ids are made, when a target wants them.
    id: Option<(String, Program)>,
    ids: Ids,
    targets: Vec<Handle>,
    notes: Vec<String>,
    /// Under `--resume`, with the log as the only target: the positions its thread commits.
    cursor: Option<Cursor>,
}

impl Tee {
    /// Starts a thread per target. Targets that cannot start (a file that cannot be opened, a
    /// command that cannot run) fail here, before any input is read.
    pub fn new(targets: Vec<(String, Target)>, s: Settings) -> anyhow::Result<Tee> {
        let dead_file = match &s.dead_letter {
            Some(p) => Some((
                p.clone(),
                OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)
                    .with_context(|| format!("cannot open dead-letter file {}", p.display()))?,
            )),
            None => None,
        };
        let dead = Arc::new(Mutex::new(DeadLetter { file: dead_file }));
        let mut handles = Vec::new();
        for (label, target) in targets {
            let is_log = matches!(target, Target::Log { .. });
            let wants_ids = matches!(target, Target::Nats { .. });
            let (tx, rx) = bounded::<Handoff>(QUEUE);
            let dead = Arc::clone(&dead);
            let name = label.clone();
            let join = match target {
                Target::File(path) => {
                    let f = OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(&path)
                        .with_context(|| format!("{label}: cannot open {}", path.display()))?;
                    spawn(&label, move || to_file(f, &name, rx, &dead))?
                }
                Target::Sqlite { path, table } => {
                    let conn = store::tee::open(&path).with_context(|| label.clone())?;
                    store::tee::create(&conn, &table).with_context(|| label.clone())?;
                    spawn(&label, move || to_sqlite(conn, &table, &name, rx, &dead))?
                }
                Target::Log { topic } => {
                    let Some((path, durability)) = &s.state else {
                        bail!("{label}: no state file");
                    };
                    let store = Store::open(path, *durability).with_context(|| label.clone())?;
                    spawn(&label, move || to_log(store, &topic, &name, rx, &dead))?
                }
                Target::Http { url } => {
                    let http = s.http.clone();
                    spawn(&label, move || to_http(&url, &http, &name, rx, &dead))?
                }
                Target::S3 { bucket, prefix } => {
                    let store =
                        crate::connect::objects::store(&bucket, s.objects.endpoint.as_deref())
                            .with_context(|| label.clone())?;
                    let objects = s.objects.clone();
                    spawn(&label, move || {
                        to_s3(store, &prefix, &objects, &name, rx, &dead)
                    })?
                }
                Target::Nats { server, subject } => {
                    let publisher = crate::connect::nats::Publisher::new(
                        &server,
                        &subject,
                        s.http.timeout,
                        s.create_stream.as_deref(),
                    )
                    .with_context(|| label.clone())?;
                    let http = s.http.clone();
                    spawn(&label, move || to_nats(publisher, &http, &name, rx, &dead))?
                }
                Target::Spawn { command } => {
                    let max = s.spawn_max.max(1);
                    spawn(&label, move || to_spawn(&command, max, &name, rx, &dead))?
                }
                Target::Exec { command } => {
                    let child = Command::new("sh")
                        .arg("-c")
                        .arg(&command)
                        .stdin(Stdio::piped())
                        // Nothing but events goes to binge's stdout.
                        .stdout(std::io::stderr())
                        .spawn()
                        .with_context(|| format!("{label}: cannot start {command}"))?;
                    spawn(&label, move || to_exec(child, &name, rx, &dead))?
                }
            };
            handles.push(Handle {
                is_log,
                label,
                tx: Some(tx),
                join: Some(join),
                buf: Vec::with_capacity(CHUNK + 4096),
                wants_ids,
                ids: Vec::new(),
            });
        }
        Ok(Tee {
            when: s.when,
            id: s.id,
            ids: Ids {
                source: None,
                run: crate::sys::uuid7(),
            },
            targets: handles,
            notes: Vec::new(),
            cursor: None,
        })
    }

    /// Hands what each target has gathered to its thread (waiting while its queue is full).
    fn hand_over(&mut self, all: bool) {
        let positions = self.cursor.as_ref().map(Cursor::snapshot);
        for h in &mut self.targets {
            // Positions move even when no event went to the target.
            if (h.buf.is_empty() && positions.is_none()) || (!all && h.buf.len() < CHUNK) {
                continue;
            }
            let lines = std::mem::replace(&mut h.buf, Vec::with_capacity(CHUNK + 4096));
            let ids = std::mem::take(&mut h.ids);
            if let Some(tx) = &h.tx {
                // A thread only stops early by panicking; its report then says so.
                let _ = tx.send(Handoff {
                    lines,
                    ids,
                    positions: positions.clone(),
                });
            }
        }
    }
}

fn spawn(
    label: &str,
    f: impl FnOnce() -> Report + Send + 'static,
) -> anyhow::Result<JoinHandle<Report>> {
    std::thread::Builder::new()
        .name(format!("tee {label}"))
        .spawn(f)
        .context("cannot start a thread")
}

fn count_lines(b: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', b).count() as u64
}

fn to_file(mut f: File, label: &str, rx: Receiver<Handoff>, dead: &Mutex<DeadLetter>) -> Report {
    let mut r = Report::default();
    // Only regular files can be synced or cut back; /dev/null, a FIFO or a terminal cannot.
    let regular = f.metadata().is_ok_and(|m| m.is_file());
    for Handoff { lines: chunk, .. } in rx {
        let before = if regular {
            f.metadata().map(|m| m.len()).ok()
        } else {
            None
        };
        match f.write_all(&chunk) {
            Ok(()) => r.delivered += count_lines(&chunk),
            Err(e) => {
                let reason = format!("cannot write: {e}");
                // A write that stopped part way (a full disk) is cut back to the last whole
                // event it wrote, so the file never ends in a torn line and each event is
                // counted once: written whole and delivered, or dead-lettered.
                let kept = match before.map(|b| (b, f.metadata().map(|m| m.len()))) {
                    Some((b, Ok(now))) if now > b => {
                        let written = ((now - b) as usize).min(chunk.len());
                        let whole = memchr::memrchr(b'\n', &chunk[..written]).map_or(0, |p| p + 1);
                        if let Err(e) = f.set_len(b + whole as u64) {
                            r.note(format!("cannot cut back a torn line: {e}"));
                        }
                        whole
                    }
                    _ => 0,
                };
                r.delivered += count_lines(&chunk[..kept]);
                r.fail(dead, label, &reason, &chunk[kept..]);
            }
        }
    }
    if regular && let Err(e) = f.sync_data() {
        r.note(format!("cannot sync: {e}"));
    }
    r
}

/// Writes the events as gzip-compressed NDJSON objects named
/// `PREFIX/YYYY/MM/DD/HH/<uuid7>.ndjson.gz` (UTC, the hour the object was started), each
/// once and whole: an S3 PUT makes an object visible complete or not at all, so a run killed
/// midway leaves no partial object. An object is written when its events reach `max_bytes`
/// (before compression), when its first event is `max_age` old, and at the end; one that cannot be
/// written sends its events to the dead letter.
fn to_s3(
    store: object_store::aws::AmazonS3,
    prefix: &str,
    o: &Objects,
    label: &str,
    rx: Receiver<Handoff>,
    dead: &Mutex<DeadLetter>,
) -> Report {
    use flate2::write::GzEncoder;
    use object_store::ObjectStoreExt;
    let mut r = Report::default();
    let runtime = match crate::connect::objects::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            r.note(format!("cannot start: {e}"));
            for h in rx {
                r.fail(dead, label, "the target could not start", &h.lines);
            }
            return r;
        }
    };
    // The object being gathered: its compressed bytes, how many events and bytes of events
    // it holds, and when it was started. Only the compressed bytes are kept: an object that
    // cannot be written is decompressed again for the dead letter.
    struct Pending {
        gz: GzEncoder<Vec<u8>>,
        events: u64,
        bytes: usize,
        started: std::time::Instant,
        started_ms: i64,
    }
    let new_pending = || Pending {
        gz: GzEncoder::new(Vec::new(), flate2::Compression::fast()),
        events: 0,
        bytes: 0,
        started: std::time::Instant::now(),
        started_ms: time::now_ms(),
    };
    let put = |p: Pending, r: &mut Report| {
        if p.events == 0 {
            return;
        }
        let body = match p.gz.finish() {
            Ok(b) => b,
            Err(e) => {
                r.note(format!("cannot compress: {e}"));
                r.failed += p.events;
                return;
            }
        };
        let name = time::strftime(p.started_ms, &o.key_template, Some("UTC"))
            .unwrap_or_default()
            .replace("{uuid}", &crate::sys::uuid7());
        let key = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let path = object_store::path::Path::from(key);
        // Shared, not copied, by each attempt.
        let payload = object_store::PutPayload::from(body);
        let mut last = None;
        for attempt in 0..3u32 {
            if attempt > 0 {
                std::thread::sleep(Duration::from_millis(200 << attempt));
            }
            match runtime.block_on(store.put(&path, payload.clone())) {
                Ok(_) => {
                    r.delivered += p.events;
                    return;
                }
                Err(e) => last = Some(e),
            }
        }
        let why = last.map_or_else(String::new, |e| e.to_string());
        let mut events = Vec::with_capacity(p.bytes);
        let body: Vec<u8> = payload.iter().flat_map(|b| b.iter().copied()).collect();
        if let Err(e) =
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&body[..]), &mut events)
        {
            r.note(format!(
                "cannot decompress an object that was not written: {e}"
            ));
            r.failed += p.events;
            return;
        }
        r.fail(dead, label, &format!("cannot write {path}: {why}"), &events);
    };
    let mut pending: Option<Pending> = None;
    loop {
        let wait = match &pending {
            Some(p) => o.max_age.saturating_sub(p.started.elapsed()),
            None => Duration::from_secs(3600),
        };
        match rx.recv_timeout(wait) {
            Ok(Handoff { lines, .. }) => {
                let p = pending.get_or_insert_with(new_pending);
                if let Err(e) = p.gz.write_all(&lines) {
                    r.fail(dead, label, &format!("cannot compress: {e}"), &lines);
                    continue;
                }
                p.events += count_lines(&lines);
                p.bytes += lines.len();
                if p.bytes >= o.max_bytes {
                    put(pending.take().expect("just set"), &mut r);
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                if let Some(p) = pending.take() {
                    put(p, &mut r);
                }
            }
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    if let Some(p) = pending.take() {
        put(p, &mut r);
    }
    r
}

/// Publishes the events to a JetStream subject, each under its id, and waits for JetStream's
/// acknowledgement: one not acknowledged is sent again under the same id (stored once),
/// up to `--retries` times, then dead-lettered; after that the target counts as down, as an
/// HTTP target does, and is probed again every few seconds.
fn to_nats(
    p: crate::connect::nats::Publisher,
    o: &Http,
    label: &str,
    rx: Receiver<Handoff>,
    dead: &Mutex<DeadLetter>,
) -> Report {
    /// Events sent before their acknowledgements are awaited.
    const IN_FLIGHT: usize = 4096;
    let mut r = Report::default();
    let mut down: Option<(Instant, String)> = None;
    let mut lines = Vec::new();
    let mut ids = Vec::new();
    while let Ok(first) = rx.recv() {
        lines.clear();
        ids.clear();
        lines.extend_from_slice(&first.lines);
        ids.extend_from_slice(&first.ids);
        let mut gathered = count_lines(&first.ids);
        // What else is waiting goes out with it, so many events are in flight at once.
        while gathered < IN_FLIGHT as u64 {
            match rx.try_recv() {
                Ok(h) => {
                    lines.extend_from_slice(&h.lines);
                    ids.extend_from_slice(&h.ids);
                    gathered += count_lines(&h.ids);
                }
                Err(_) => break,
            }
        }
        let bodies: Vec<&[u8]> = lines
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .collect();
        let messages: Vec<crate::connect::nats::Message<'_>> = ids
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .zip(&bodies)
            .map(|(id, body)| crate::connect::nats::Message {
                id: std::str::from_utf8(id).unwrap_or_default(),
                body,
            })
            .collect();
        let retries = match &down {
            Some((at, why)) if at.elapsed() < PROBE_EVERY || crate::stream::stopped() => {
                r.fail(
                    dead,
                    label,
                    &format!("not sent: the target is down ({why})"),
                    &lines,
                );
                continue;
            }
            Some(_) => 0,
            None if crate::stream::stopped() => 0,
            None => o.retries,
        };
        match crate::connect::nats::publish_retrying(&p, &messages, retries, o.max_retry_wait) {
            Ok(()) => {
                down = None;
                r.delivered += messages.len() as u64;
            }
            Err((failed, why)) => {
                r.delivered += (messages.len() - failed.len()) as u64;
                let mut undelivered = Vec::new();
                for i in failed {
                    undelivered.extend_from_slice(messages[i].body);
                    undelivered.push(b'\n');
                }
                r.fail(dead, label, &why, &undelivered);
                down = Some((Instant::now(), why));
            }
        }
    }
    r
}

fn lines_of(chunk: &[u8]) -> Vec<&str> {
    chunk
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        // Events were validated as UTF-8 on the way in.
        .map(|l| std::str::from_utf8(l).unwrap_or_default())
        .collect()
}

fn to_sqlite(
    mut conn: rusqlite::Connection,
    table: &str,
    label: &str,
    rx: Receiver<Handoff>,
    dead: &Mutex<DeadLetter>,
) -> Report {
    let mut r = Report::default();
    for Handoff { lines: chunk, .. } in rx {
        let lines = lines_of(&chunk);
        let now = time::format_rfc3339(time::now_ms());
        match store::tee::insert(&mut conn, table, &now, &lines) {
            Ok(()) => r.delivered += lines.len() as u64,
            Err(e) => r.fail(dead, label, &format!("{e:#}"), &chunk),
        }
    }
    r
}

fn to_log(
    mut st: Store,
    topic: &str,
    label: &str,
    rx: Receiver<Handoff>,
    dead: &Mutex<DeadLetter>,
) -> Report {
    let mut r = Report::default();
    for Handoff {
        lines: chunk,
        positions,
        ..
    } in rx
    {
        let lines = lines_of(&chunk);
        let now = time::now_ms();
        let ids: Vec<String> = lines.iter().map(|_| crate::sys::uuid7()).collect();
        let events: Vec<store::log::NewEvent<'_>> = lines
            .iter()
            .zip(&ids)
            .map(|(body, id)| store::log::NewEvent {
                time_ms: now,
                key: None,
                id,
                body,
            })
            .collect();
        let written = st.write(|tx| {
            if let Some(p) = &positions {
                p.save(tx)?;
            }
            store::log::append(tx, topic, now, &events)
        });
        match written {
            Ok(n) => r.delivered += n as u64,
            Err(e) => r.fail(dead, label, &format!("{e:#}"), &chunk),
        }
    }
    r
}

fn to_exec(
    mut child: Child,
    label: &str,
    rx: Receiver<Handoff>,
    dead: &Mutex<DeadLetter>,
) -> Report {
    let mut r = Report::default();
    let mut stdin: Option<ChildStdin> = child.stdin.take();
    for Handoff { lines: chunk, .. } in rx {
        let Some(pipe) = &mut stdin else {
            r.fail(dead, label, &exited(&mut child), &chunk);
            continue;
        };
        match pipe.write_all(&chunk) {
            Ok(()) => r.delivered += count_lines(&chunk),
            Err(_) => {
                stdin = None;
                r.fail(dead, label, &exited(&mut child), &chunk);
            }
        }
    }
    drop(stdin);
    match child.wait() {
        Ok(status) if status.success() => {}
        Ok(status) => r.reasons.push(format!("the command {status}")),
        Err(e) => r.reasons.push(format!("cannot wait for the command: {e}")),
    }
    r
}

/// A spawn: target: the command once per event (the event and a newline on its stdin), at most
/// `max` at a time; an event whose command cannot start or exits non-zero is dead-lettered with
/// the reason.
fn to_spawn(
    command: &str,
    max: usize,
    label: &str,
    rx: Receiver<Handoff>,
    dead: &Mutex<DeadLetter>,
) -> Report {
    let mut r = Report::default();
    let mut running: std::collections::VecDeque<(Child, Vec<u8>)> = Default::default();
    let finish = |r: &mut Report, mut child: Child, line: Vec<u8>| match child.wait() {
        Ok(status) if status.success() => r.delivered += 1,
        Ok(status) => r.fail(dead, label, &format!("the command {status}"), &line),
        Err(e) => r.fail(
            dead,
            label,
            &format!("cannot wait for the command: {e}"),
            &line,
        ),
    };
    for Handoff { lines: chunk, .. } in rx {
        for line in chunk.split_inclusive(|&b| b == b'\n') {
            while running.len() >= max {
                // Reap whichever has finished; else wait for the oldest.
                let done = running
                    .iter_mut()
                    .position(|(c, _)| matches!(c.try_wait(), Ok(Some(_))));
                let (child, l) = match done {
                    Some(i) => running.remove(i).expect("found"),
                    None => running.pop_front().expect("not empty"),
                };
                finish(&mut r, child, l);
            }
            let started = Command::new("sh")
                .arg("-c")
                .arg(command)
                .stdin(Stdio::piped())
                // Nothing but events goes to binge's stdout.
                .stdout(std::io::stderr())
                .spawn();
            match started {
                Ok(mut child) => {
                    if let Some(mut stdin) = child.stdin.take() {
                        // A command that does not read its input still gets to run.
                        let _ = stdin.write_all(line);
                    }
                    running.push_back((child, line.to_vec()));
                }
                Err(e) => r.fail(dead, label, &format!("cannot start {command}: {e}"), line),
            }
        }
    }
    for (child, line) in running {
        finish(&mut r, child, line);
    }
    r
}

/// Why a command stopped taking events.
fn exited(child: &mut Child) -> String {
    match child.wait() {
        Ok(status) => format!("the command exited early ({status})"),
        Err(e) => format!("the command stopped reading: {e}"),
    }
}

/// The state of an HTTP endpoint as the sender sees it: up, or down since a batch used up its
/// retries (a circuit breaker: while down, only one batch every PROBE_EVERY is tried).
struct Endpoint {
    down: Option<(Instant, String)>,
}

fn to_http(
    url: &str,
    o: &Http,
    label: &str,
    rx: Receiver<Handoff>,
    dead: &Mutex<DeadLetter>,
) -> Report {
    let agent = |timeout| -> ureq::Agent {
        ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .build()
            .into()
    };
    let agents = (agent(o.timeout), agent(o.timeout.min(LAST_TRY)));
    let mut endpoint = Endpoint { down: None };
    let mut r = Report::default();
    let mut pending: Vec<u8> = Vec::new();
    let mut pending_n = 0usize;
    let mut since: Option<Instant> = None;
    let mut open = true;
    while open || pending_n > 0 {
        if open {
            let wait = since.map_or(o.flush_interval, |t| {
                o.flush_interval.saturating_sub(t.elapsed())
            });
            match rx.recv_timeout(wait) {
                Ok(Handoff { lines: chunk, .. }) => {
                    pending_n += count_lines(&chunk) as usize;
                    pending.extend_from_slice(&chunk);
                    since.get_or_insert_with(Instant::now);
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => open = false,
            }
        }
        let due = since.is_some_and(|t| t.elapsed() >= o.flush_interval) || !open;
        while pending_n >= o.batch || (due && pending_n > 0) {
            let take = pending_n.min(o.batch);
            let cut = memchr::memchr_iter(b'\n', &pending)
                .nth(take - 1)
                .map_or(pending.len(), |p| p + 1);
            let body: Vec<u8> = pending.drain(..cut).collect();
            pending_n -= take;
            match send(&agents, url, o, &mut endpoint, &body) {
                Ok(()) => r.delivered += take as u64,
                Err(reason) => r.fail(dead, label, &reason, &body),
            }
        }
        if pending_n == 0 {
            since = None;
        }
    }
    r
}

/// Sends one batch as the endpoint's state allows: with retries while it is up; as a single
/// probe, or not at all, while it is down; as one short last try after a stop signal.
fn send(
    (agent, last_try): &(ureq::Agent, ureq::Agent),
    url: &str,
    o: &Http,
    endpoint: &mut Endpoint,
    body: &[u8],
) -> Result<(), String> {
    if !crate::stream::stopped() {
        let retries = match &endpoint.down {
            None => o.retries,
            Some((at, why)) if at.elapsed() < PROBE_EVERY => {
                return Err(format!("not sent: the target is down ({why})"));
            }
            Some(_) => 0,
        };
        match post(agent, url, o, body, retries) {
            Ok(()) => {
                endpoint.down = None;
                return Ok(());
            }
            Err(Failure::Refused(why)) => return Err(why),
            Err(Failure::Unreachable(why)) => {
                endpoint.down = Some((Instant::now(), why.clone()));
                if !crate::stream::stopped() {
                    return Err(why);
                }
            }
        }
    }
    // After a stop signal nothing waits: a batch gets one short try, none if the target is
    // known to be down.
    if let Some((_, why)) = &endpoint.down {
        return Err(format!(
            "not sent: binge was stopped and the target is down ({why})"
        ));
    }
    post(last_try, url, o, body, 0).map_err(|e| {
        endpoint.down = Some((Instant::now(), e.to_string()));
        format!("{e}; binge was stopped, so the batch had one last try")
    })
}

/// Why a batch was not delivered.
enum Failure {
    /// The endpoint answered that it will not take the batch (a 4xx other than 429).
    Refused(String),
    /// The endpoint could not be reached or kept failing: it counts as down.
    Unreachable(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Refused(s) | Failure::Unreachable(s) => f.write_str(s),
        }
    }
}

/// POSTs one batch, retrying what may succeed later up to `retries` times. A wait between
/// attempts is cut short by a stop signal, after which the batch gets one last attempt.
fn post(
    agent: &ureq::Agent,
    url: &str,
    o: &Http,
    body: &[u8],
    retries: u32,
) -> Result<(), Failure> {
    let mut attempt = 0;
    loop {
        let mut req = agent
            .post(url)
            .header("Content-Type", "application/x-ndjson");
        for (k, v) in &o.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        let (reason, retry_after) = match req.send(body) {
            Ok(resp) => {
                let status = resp.status().as_u16();
                if (200..300).contains(&status) {
                    return Ok(());
                }
                let reason = format!("HTTP {status}");
                if status != 429 && status < 500 {
                    return Err(Failure::Refused(format!("{reason} (not retried)")));
                }
                let after = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                (reason, after)
            }
            Err(e) => (format!("{e}"), None),
        };
        attempt += 1;
        if attempt > retries {
            let tries = if attempt == 1 { "attempt" } else { "attempts" };
            return Err(Failure::Unreachable(format!(
                "{reason} after {attempt} {tries}"
            )));
        }
        let wait = retry_after
            .unwrap_or_else(|| backoff(attempt))
            .min(o.max_retry_wait);
        if !crate::stream::sleep_unless_stopped(wait) {
            return Err(Failure::Unreachable(format!(
                "{reason} after {attempt} attempts"
            )));
        }
    }
}

/// Exponential backoff from 200 ms, capped at 30 s, with jitter.
fn backoff(attempt: u32) -> Duration {
    crate::sys::backoff(Duration::from_millis(200), Duration::from_secs(30), attempt)
}

/// How events get message ids when no `--id` is given.
struct Ids {
    /// The current source, and whether it is a file, whose lines keep their numbers from one
    /// run to the next.
    source: Option<(String, bool)>,
    /// Unique to this run: what stands for the source when it is a pipe.
    run: String,
}

/// An event's message id: the value of `--id`, else a hash of the event and the place it came
/// from, so a retried publish is stored once. The place is the file and line (a re-run over
/// the same file is deduplicated too), or for standard input or a pipe, whose line numbers
/// start again every run, this run and the line: an event that comes again in a later run is
/// a new message.
fn event_id(
    id: &Option<(String, Program)>,
    ids: &mut Ids,
    ev: &Event<'_>,
) -> Result<String, Fault> {
    if let Some((src, p)) = id {
        let v = p.eval(ev).map_err(Reject::from)?;
        let text = crate::log::text_of(&v)
            .ok_or_else(|| Reject(format!("--id {src}: the event has no id")))?;
        if text.is_empty() || text.contains(['\n', '\r']) {
            return Err(Reject(format!("--id {src}: an id is one line, not empty")).into());
        }
        return Ok(text);
    }
    let file = match &ids.source {
        Some((s, file)) if s == ev.source() => *file,
        _ => {
            let s = ev.source();
            let file = s != "-" && (s.starts_with("s3://") || std::path::Path::new(s).is_file());
            ids.source = Some((s.to_string(), file));
            file
        }
    };
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    if file {
        h.update(ev.source().as_bytes());
    } else {
        h.update(ids.run.as_bytes());
    }
    h.update([0]);
    h.update(ev.line().to_le_bytes());
    h.update(ev.raw());
    Ok(crate::chain::note::hex(&h.finalize()[..16]))
}

impl Stage for Tee {
    fn fields(&self) -> Option<Vec<String>> {
        let mut roots = match &self.when {
            Some(w) => w.roots()?,
            None => Vec::new(),
        };
        if let Some((_, p)) = &self.id {
            for r in p.roots()? {
                if !roots.contains(&r) {
                    roots.push(r);
                }
            }
        }
        Some(roots)
    }

    fn event(&mut self, ev: &Event<'_>, out: &mut Output) -> Result<(), Fault> {
        out.event(ev);
        let wanted = match &self.when {
            Some(w) => w.matches(ev).map_err(Reject::from)?,
            None => true,
        };
        if wanted {
            let mut id = None;
            for h in &mut self.targets {
                h.buf.extend_from_slice(ev.raw());
                h.buf.push(b'\n');
                if h.wants_ids {
                    if id.is_none() {
                        id = Some(event_id(&self.id, &mut self.ids, ev)?);
                    }
                    h.ids
                        .extend_from_slice(id.as_deref().unwrap_or_default().as_bytes());
                    h.ids.push(b'\n');
                }
            }
            // Under --resume the log commits at the end of an input batch, where the
            // positions are exact.
            if self.cursor.is_none() && self.targets.first().is_some_and(|h| h.buf.len() >= CHUNK) {
                self.hand_over(false);
            }
        }
        Ok(())
    }

    fn batch_done(&mut self, _out: &mut Output, _idle: bool) -> anyhow::Result<()> {
        self.hand_over(true);
        Ok(())
    }

    fn end(&mut self, _out: &mut Output) -> anyhow::Result<()> {
        self.hand_over(true);
        let mut failed = 0;
        for h in &mut self.targets {
            drop(h.tx.take());
            let report = match h.join.take().map(JoinHandle::join) {
                Some(Ok(r)) => r,
                _ => Report {
                    reasons: vec!["the target's thread failed".into()],
                    ..Report::default()
                },
            };
            if report.failed > 0 || !report.reasons.is_empty() {
                failed += report.failed.max(1);
                self.notes.push(format!(
                    "{}: {} event{} delivered, {} not ({})",
                    h.label,
                    report.delivered,
                    if report.delivered == 1 { "" } else { "s" },
                    report.failed,
                    report.reasons.join("; ")
                ));
            }
        }
        if failed > 0 {
            bail!("not every event reached every target");
        }
        Ok(())
    }

    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }

    fn keep_positions(&mut self, cursor: &Cursor) -> Keeps {
        if self.targets.len() == 1 && self.targets[0].is_log {
            self.cursor = Some(cursor.clone());
            Keeps::WithState
        } else {
            // Other targets deliver on their own threads: only when all have finished is it
            // safe to move on.
            Keeps::AtEnd
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse() {
        assert_eq!(
            Target::parse("out.ndjson"),
            Ok(Target::File("out.ndjson".into()))
        );
        assert_eq!(
            Target::parse("sqlite:/tmp/x.db#events"),
            Ok(Target::Sqlite {
                path: "/tmp/x.db".into(),
                table: "events".into()
            })
        );
        assert!(Target::parse("sqlite:/tmp/x.db").is_err());
        assert!(Target::parse("sqlite:/tmp/x.db#bad name").is_err());
        assert_eq!(
            Target::parse("log:app"),
            Ok(Target::Log {
                topic: "app".into()
            })
        );
        assert_eq!(
            Target::parse("https://example.org/in"),
            Ok(Target::Http {
                url: "https://example.org/in".into()
            })
        );
        assert_eq!(
            Target::parse("exec:wc -l"),
            Ok(Target::Exec {
                command: "wc -l".into()
            })
        );
        assert!(Target::parse("exec: ").is_err());
    }

    #[test]
    fn backoff_grows_and_stays_capped() {
        for attempt in 1..20 {
            let d = backoff(attempt);
            assert!(d <= Duration::from_millis(45_000), "{attempt}: {d:?}");
        }
        assert!(backoff(1) <= Duration::from_millis(300));
    }
}
