//! `aggregate --collect`: versioned "collect until complete" aggregates. Each event is a
//! source of one aggregate (by `--key`) in one collection (by `--collection`); a source seen
//! before in that collection adds nothing, and each new one raises the aggregate's version by
//! exactly one. The sources live in the state file (or a private in-memory one), and each
//! batch of input is applied in one transaction, so concurrent runs count every source once.

use std::borrow::Cow;

use sha2::{Digest, Sha256};

use super::aggregate::Column;
use super::{Fault, Reject, Stage};
use crate::json::{self, Number, Value};
use crate::store::{self, Store};
use crate::stream::resume::{Cursor, Keeps};
use crate::stream::{Event, Output};
use crate::time;

pub struct Spec {
    pub key: Column,
    pub collection: Column,
    pub complete_when: Option<Column>,
    pub every_version: bool,
    pub timeout_ms: Option<i64>,
    /// What identifies a source within its collection; `None`: its whole body.
    pub source_id: Option<Column>,
}

impl Spec {
    /// The definition as the command-line flags that make it, for messages and `--list`.
    pub fn flags(&self) -> String {
        use super::aggregate::shell_word;
        let mut words = vec![
            "--collect".to_string(),
            format!("--key {}", shell_word(&self.key.source)),
            format!("--collection {}", shell_word(&self.collection.source)),
        ];
        if let Some(c) = &self.source_id {
            words.push(format!("--source-id {}", shell_word(&c.source)));
        }
        if let Some(c) = &self.complete_when {
            words.push(format!("--complete-when {}", shell_word(&c.source)));
        }
        if let Some(t) = self.timeout_ms {
            words.push(format!("--timeout {}", time::format_duration(t)));
        }
        words.join(" ")
    }

    pub fn describe(&self) -> String {
        let text = |s: &str| Value::String(s.to_string().into());
        let mut members = vec![
            ("key".into(), text(&self.key.source)),
            ("collection".into(), text(&self.collection.source)),
        ];
        if let Some(c) = &self.complete_when {
            members.push(("complete_when".into(), text(&c.source)));
        }
        if let Some(t) = self.timeout_ms {
            members.push(("timeout_ms".into(), Value::Number(Number::Int(t))));
        }
        if let Some(c) = &self.source_id {
            // Only when given, so collections made before --source-id keep their definition.
            members.push(("source_id".into(), text(&c.source)));
        }
        json::canonical(&Value::Object(members)).unwrap_or_default()
    }
}

/// A source waiting for the end of its batch.
struct Pending {
    key: String,
    collection: String,
    /// The `--source-id` value as canonical JSON, else the digest.
    id: String,
    digest: String,
    body: String,
}

pub struct Collect {
    spec: Spec,
    spec_text: String,
    store: Store,
    name: String,
    pending: Vec<Pending>,
    /// Under `--resume`, the input positions to commit with the sources.
    cursor: Option<Cursor>,
    /// Whether the state is kept beyond this run.
    named: bool,
}

impl Collect {
    /// `name` is `None` for a run that keeps nothing (an in-memory store).
    pub fn new(spec: Spec, store: Store, name: Option<String>) -> anyhow::Result<Collect> {
        let spec_text = spec.describe();
        let named = name.is_some();
        let name = name.unwrap_or_else(|| "-".to_string());
        let mut c = Collect {
            spec,
            spec_text,
            store,
            name,
            pending: Vec::new(),
            cursor: None,
            named,
        };
        let (name, spec_text) = (c.name.clone(), c.spec_text.clone());
        c.store
            .write(|tx| store::collect::ensure(tx, &name, &spec_text, time::now_ms()))?;
        Ok(c)
    }

    /// Applies the waiting sources and the due timeouts in one transaction, then writes what
    /// they produced.
    fn flush(&mut self, out: &mut Output) -> anyhow::Result<()> {
        if self.pending.is_empty() && self.spec.timeout_ms.is_none() && self.cursor.is_none() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending);
        let (name, spec, cursor) = (&self.name, &self.spec, &self.cursor);
        let emitted = self.store.write(|tx| {
            let now = time::now_ms();
            let mut emitted = Vec::new();
            for p in &pending {
                let source = store::collect::Source {
                    collection: &p.collection,
                    id: &p.id,
                    digest: &p.digest,
                    body: &p.body,
                };
                let Some(agg) =
                    store::collect::add_source(tx, name, &p.key, &source, now, spec.timeout_ms)?
                else {
                    continue;
                };
                let shape = render(tx, name, &agg)?;
                let Some(cond) = &spec.complete_when else {
                    emitted.push(shape);
                    continue;
                };
                let complete = cond
                    .expr
                    .matches(&shape)
                    .map_err(|e| anyhow::anyhow!("--complete-when {}: {e}", cond.source))?;
                if complete && !agg.completed {
                    store::collect::mark_completed(tx, name, &p.key)?;
                    emitted.push(with_flags(shape, true, false));
                } else if agg.completed && spec.every_version {
                    emitted.push(with_flags(shape, complete, false));
                }
            }
            if spec.complete_when.is_some() {
                for agg in store::collect::take_timed_out(tx, name, now)? {
                    emitted.push(with_flags(render(tx, name, &agg)?, false, true));
                }
            }
            if let Some(c) = cursor {
                c.save(tx)?;
            }
            Ok(emitted)
        })?;
        for v in &emitted {
            out.value(v);
        }
        Ok(())
    }
}

/// The aggregate as an event: `{"aggregate", "version", "updated_at", "collections"}`.
fn render(
    conn: &rusqlite::Connection,
    name: &str,
    agg: &store::collect::Aggregate,
) -> anyhow::Result<Value<'static>> {
    let mut collections: Vec<(Cow<'static, str>, Value<'static>)> = Vec::new();
    for (collection, body) in store::collect::sources(conn, name, &agg.key)? {
        let source = json::parse_value(body.as_bytes())?.into_owned();
        match collections.iter_mut().find(|(c, _)| *c == collection) {
            Some((_, Value::Array(items))) => items.push(source),
            _ => collections.push((Cow::Owned(collection), Value::Array(vec![source]))),
        }
    }
    Ok(Value::Object(vec![
        (
            "aggregate".into(),
            json::parse_value(agg.key.as_bytes())?.into_owned(),
        ),
        ("version".into(), Value::Number(Number::Int(agg.version))),
        (
            "updated_at".into(),
            Value::String(time::format_rfc3339(agg.updated_at).into()),
        ),
        ("collections".into(), Value::Object(collections)),
    ]))
}

fn with_flags(mut v: Value<'static>, complete: bool, timed_out: bool) -> Value<'static> {
    if let Value::Object(members) = &mut v {
        members.push(("complete".into(), Value::Bool(complete)));
        if timed_out {
            members.push(("timed_out".into(), Value::Bool(true)));
        }
    }
    v
}

impl Stage for Collect {
    fn fields(&self) -> Option<Vec<String>> {
        // Every source is kept whole.
        None
    }

    fn event(&mut self, ev: &Event<'_>, _out: &mut Output) -> Result<(), Fault> {
        let key = self.spec.key.expr.eval(ev).map_err(Reject::from)?;
        if matches!(key, Value::Null) {
            return Err(Reject(format!(
                "--key {}: the event has no key",
                self.spec.key.source
            ))
            .into());
        }
        let collection = match self.spec.collection.expr.eval(ev).map_err(Reject::from)? {
            Value::String(s) => s.into_owned(),
            Value::Null => {
                return Err(Reject(format!(
                    "--collection {}: the event names no collection",
                    self.spec.collection.source
                ))
                .into());
            }
            other => other.to_json(),
        };
        let canon = |v: &Value<'_>| json::canonical(v).map_err(|e| Reject(e.0));
        let key = canon(&key)?;
        let body = canon(&ev.parse())?;
        let digest: String = Sha256::digest(body.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let id = match &self.spec.source_id {
            None => digest.clone(),
            Some(c) => match c.expr.eval(ev).map_err(Reject::from)? {
                Value::Null => {
                    return Err(Reject(format!(
                        "--source-id {}: the event has no source id",
                        c.source
                    ))
                    .into());
                }
                v => canon(&v)?,
            },
        };
        self.pending.push(Pending {
            key,
            collection,
            id,
            digest,
            body,
        });
        Ok(())
    }

    fn keep_positions(&mut self, cursor: &Cursor) -> Keeps {
        if !self.named {
            // Nothing is kept beyond the run, and what completes is written at once.
            return Keeps::AtEnd;
        }
        self.cursor = Some(cursor.clone());
        Keeps::WithState
    }

    fn batch_done(&mut self, out: &mut Output, _idle: bool) -> anyhow::Result<()> {
        self.flush(out)
    }

    fn end(&mut self, out: &mut Output) -> anyhow::Result<()> {
        self.flush(out)
    }
}

/// Writes every aggregate of a named collection as it stands.
pub fn show(c: &Collect, out: &mut Output) -> anyhow::Result<()> {
    for agg in store::collect::all(c.store.conn(), &c.name)? {
        let mut v = render(c.store.conn(), &c.name, &agg)?;
        let replaced = store::collect::replaced(c.store.conn(), &c.name, &agg.key)?;
        if !replaced.is_empty()
            && let Value::Object(members) = &mut v
        {
            // The history of changed sources: what each version replaced.
            let mut history = Vec::new();
            for (version, collection, body, by) in replaced {
                history.push(Value::Object(vec![
                    ("version".into(), Value::Number(Number::Int(version))),
                    ("collection".into(), Value::String(collection.into())),
                    (
                        "source".into(),
                        json::parse_value(body.as_bytes())?.into_owned(),
                    ),
                    ("replaced_by".into(), Value::Number(Number::Int(by))),
                ]));
            }
            members.push(("replaced".into(), Value::Array(history)));
        }
        if c.spec.complete_when.is_some() {
            v = with_flags(v, agg.completed, agg.timed_out);
        }
        out.value(&v);
    }
    Ok(())
}
