//! The durable log (DESIGN.md §5): appending events to topics, reading them in order from a
//! consumer group's saved position, delivering them to stdout or to a command with
//! at-least-once acknowledgement, and time queries. The tables are in `store::log`.

mod deliver;
pub mod jetstream;
mod query;

pub use deliver::{Commit, Delivery, Mirror, OutOfRange, ReadOptions, Retry, read, read_to, tail};
pub use query::{Agg, Fill, Sample, query};

use std::time::{Duration, Instant};

use crate::expr::Program;
use crate::json::Value;
use crate::stage::{Fault, Reject, Stage};
use crate::store::{self, Store};
use crate::stream::resume::{Cursor, Keeps};
use crate::stream::{Event, Output};
use crate::time::{self, Unit};

/// Where a group starts, or is moved to.
#[derive(Debug, Clone, PartialEq)]
pub enum Position {
    Earliest,
    Latest,
    /// Read from this seq on.
    Seq(i64),
    /// Read from the first event (by seq) whose time is at least this.
    Time(i64),
}

impl Position {
    pub fn parse(text: &str) -> Result<Position, String> {
        match text {
            "earliest" => Ok(Position::Earliest),
            "latest" => Ok(Position::Latest),
            _ => {
                if let Some(n) = text.strip_prefix("seq:") {
                    n.parse()
                        .map(Position::Seq)
                        .map_err(|_| format!("'{text}': seq:N takes a whole number"))
                } else if let Some(t) = text.strip_prefix("time:") {
                    parse_time_arg(t).map(Position::Time).ok_or_else(|| {
                        format!("'{text}': time:T takes RFC 3339, epoch or -DURATION")
                    })
                } else {
                    Err(format!(
                        "'{text}': expected earliest, latest, seq:N or time:T"
                    ))
                }
            }
        }
    }

    /// The group position (the last seq taken as read) this stands for.
    pub fn resolve(&self, conn: &rusqlite::Connection, topic: &str) -> anyhow::Result<i64> {
        Ok(match self {
            Position::Earliest => 0,
            Position::Latest => store::log::latest(conn)?,
            Position::Seq(n) => (n - 1).max(0),
            Position::Time(t) => store::log::pos_at_time(conn, topic, *t)?,
        })
    }
}

/// A time given on the command line: RFC 3339 (in `--tz` when it has no offset), a date alone
/// (its midnight in `--tz`), an epoch number, `now`, or `-DURATION` for that long ago.
pub fn parse_time_arg(text: &str) -> Option<i64> {
    let t = text.trim();
    if t == "now" {
        return Some(time::now_ms());
    }
    if t.len() == 10 && t.as_bytes()[4] == b'-' && t.as_bytes()[7] == b'-' {
        return time::parse_rfc3339_in_zone(&format!("{t}T00:00:00"));
    }
    if let Some(ago) = t.strip_prefix('-').and_then(time::parse_duration) {
        return Some(time::now_ms() - ago);
    }
    time::parse_rfc3339_in_zone(t)
        .or_else(|| crate::json::Number::parse(t).and_then(|n| time::epoch_to_ms(&n, None)))
}

/// `binge log append`: a stage that writes every event into a topic, a transaction per batch.
pub struct Appender {
    store: Store,
    topic: String,
    time: Option<(String, Program)>,
    key: Option<(String, Program)>,
    id: Option<(String, Program)>,
    unit: Option<Unit>,
    batch: usize,
    linger: Option<Duration>,
    pending: Vec<Pending>,
    first_pending: Option<Instant>,
    pub appended: u64,
    pub skipped: u64,
    /// Under `--resume`, the input positions to commit with the events.
    cursor: Option<Cursor>,
}

struct Pending {
    time_ms: i64,
    key: Option<String>,
    id: String,
    body: String,
}

pub struct AppendOptions {
    pub topic: String,
    pub time: Option<(String, Program)>,
    pub key: Option<(String, Program)>,
    pub id: Option<(String, Program)>,
    pub unit: Option<Unit>,
    pub batch: usize,
    pub linger: Option<Duration>,
}

impl Appender {
    pub fn new(store: Store, o: AppendOptions) -> Appender {
        Appender {
            store,
            topic: o.topic,
            time: o.time,
            key: o.key,
            id: o.id,
            unit: o.unit,
            batch: o.batch.max(1),
            linger: o.linger,
            pending: Vec::new(),
            first_pending: None,
            appended: 0,
            skipped: 0,
            cursor: None,
        }
    }

    fn commit(&mut self) -> anyhow::Result<()> {
        if self.pending.is_empty() && self.cursor.is_none() {
            return Ok(());
        }
        let now = time::now_ms();
        let topic = &self.topic;
        let pending = &self.pending;
        let cursor = &self.cursor;
        let added = self.store.write(|tx| {
            if let Some(c) = cursor {
                c.save(tx)?;
            }
            let events: Vec<store::log::NewEvent<'_>> = pending
                .iter()
                .map(|p| store::log::NewEvent {
                    time_ms: p.time_ms,
                    key: p.key.as_deref(),
                    id: &p.id,
                    body: &p.body,
                })
                .collect();
            store::log::append(tx, topic, now, &events)
        })?;
        self.appended += added as u64;
        self.skipped += (self.pending.len() - added) as u64;
        self.pending.clear();
        self.first_pending = None;
        Ok(())
    }
}

/// A value as the text the log keeps for a key or an id: strings as they are, others as JSON.
pub(crate) fn text_of(v: &Value<'_>) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.to_string()),
        other => Some(other.to_json()),
    }
}

impl Stage for Appender {
    fn fields(&self) -> Option<Vec<String>> {
        let mut roots = Vec::new();
        for (_, p) in [&self.time, &self.key, &self.id].into_iter().flatten() {
            for r in p.roots()? {
                if !roots.contains(&r) {
                    roots.push(r);
                }
            }
        }
        Some(roots)
    }

    fn event(&mut self, ev: &Event<'_>, _out: &mut Output) -> Result<(), Fault> {
        let now = time::now_ms();
        let time_ms = match &self.time {
            None => now,
            Some((src, p)) => {
                let v = p.eval(ev)?;
                time::from_value(&v, self.unit).ok_or_else(|| {
                    Reject(format!(
                        "--time {src}: cannot read {} as a time",
                        v.to_json()
                    ))
                })?
            }
        };
        let key = match &self.key {
            Some((_, p)) => text_of(&p.eval(ev)?),
            None => None,
        };
        let id = match &self.id {
            None => crate::sys::uuid7(),
            Some((src, p)) => text_of(&p.eval(ev)?)
                .ok_or_else(|| Reject(format!("--id {src}: the event has no id")))?,
        };
        let body = String::from_utf8_lossy(ev.raw()).into_owned();
        self.pending.push(Pending {
            time_ms,
            key,
            id,
            body,
        });
        self.first_pending.get_or_insert_with(Instant::now);
        // With --resume, commits wait for the end of the input batch, where the positions
        // committed with them are exact.
        if self.pending.len() >= self.batch && self.cursor.is_none() {
            self.commit().map_err(Fault::Fatal)?;
        }
        Ok(())
    }

    fn keep_positions(&mut self, cursor: &Cursor) -> Keeps {
        self.cursor = Some(cursor.clone());
        Keeps::WithState
    }

    fn batch_done(&mut self, _out: &mut Output, idle: bool) -> anyhow::Result<()> {
        let full = self.pending.len() >= self.batch;
        let lingered = full
            || match (self.linger, self.first_pending) {
                (Some(d), Some(t)) => t.elapsed() >= d,
                // Without --linger, what has arrived is committed as soon as input pauses.
                (None, _) => idle,
                _ => false,
            };
        if lingered {
            self.commit()?;
        }
        Ok(())
    }

    fn end(&mut self, _out: &mut Output) -> anyhow::Result<()> {
        self.commit()
    }

    fn notes(&self) -> Vec<String> {
        if self.skipped == 0 {
            return Vec::new();
        }
        vec![format!(
            "{} event{} already in {} (same id) not appended again",
            self.skipped,
            if self.skipped == 1 { "" } else { "s" },
            self.topic
        )]
    }
}

/// Adds `"_log": {"topic", "seq", "time"}` to a stored event's text.
pub fn with_meta(body: &str, topic: &str, seq: i64, time_ms: i64, out: &mut Vec<u8>) {
    let mut meta = b"{\"topic\":".to_vec();
    crate::json::write_str(topic, &mut meta);
    let rest = format!(
        ",\"seq\":{seq},\"time\":\"{}\"}}",
        time::format_rfc3339(time_ms)
    );
    meta.extend_from_slice(rest.as_bytes());
    crate::json::with_member(body.trim_end().as_bytes(), "_log", &meta, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_parse() {
        assert_eq!(Position::parse("earliest"), Ok(Position::Earliest));
        assert_eq!(Position::parse("seq:42"), Ok(Position::Seq(42)));
        assert_eq!(
            Position::parse("time:2024-05-01T10:30:00.250Z"),
            Ok(Position::Time(1_714_559_400_250))
        );
        assert!(Position::parse("seq:x").is_err());
        assert!(Position::parse("soon").is_err());
    }

    #[test]
    fn meta_is_spliced_into_the_object() {
        let mut out = Vec::new();
        with_meta("{\"a\": 1} ", "t\"x", 7, 0, &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"a\": 1,\"_log\":{\"topic\":\"t\\\"x\",\"seq\":7,\"time\":\"1970-01-01T00:00:00.000Z\"}}"
        );
        let mut out = Vec::new();
        with_meta("{ }", "t", 1, 0, &mut out);
        assert!(String::from_utf8(out).unwrap().starts_with("{ \"_log\":"));
    }

    #[test]
    fn time_arguments() {
        assert_eq!(
            parse_time_arg("2024-05-01T10:30:00Z"),
            Some(1_714_559_400_000)
        );
        assert_eq!(
            parse_time_arg("2024-05-01 10:30:00"),
            Some(1_714_559_400_000)
        );
        assert_eq!(parse_time_arg("1714559400"), Some(1_714_559_400_000));
        let ago = parse_time_arg("-1h").unwrap();
        assert!((time::now_ms() - ago - 3_600_000).abs() < 5_000);
        assert_eq!(parse_time_arg("yesterday"), None);
        // A date alone is its midnight (in the --tz zone: UTC in unit tests).
        assert_eq!(parse_time_arg("2024-05-01"), Some(1_714_521_600_000));
        assert_eq!(parse_time_arg("2024-13-01"), None);
    }
}
