//! `binge log query`: the events of a time range (read through the time index), optionally
//! filtered, or summarised per time bucket.

use std::borrow::Cow;
use std::io::Write;

use anyhow::Context;
use clap::ValueEnum;
use rusqlite::params;

use super::with_meta;
use crate::exit::Exit;
use crate::expr::Program;
use crate::json::{self, Number, Value};
use crate::stage::stats::{Acc, Kind};
use crate::store::{self, Store};
use crate::time;

/// What an empty bucket of `--sample-by` becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Fill {
    /// Left out.
    None,
    /// Written with every value null.
    Null,
    /// Written with the values of the bucket before.
    Prev,
    /// Written with every value 0.
    #[value(name = "0")]
    Zero,
}

/// One `--agg` item: `count`, or `sum|min|max|avg|distinct(EXPR)`.
pub struct Agg {
    pub kind: Kind,
    pub name: String,
    pub expr: Option<Program>,
}

pub struct Sample {
    pub width_ms: i64,
    pub aggs: Vec<Agg>,
    pub fill: Fill,
    /// `--by`: a row per bucket and value of this expression (named after its path).
    pub by: Option<(String, Program)>,
}

/// The groups of one time bucket, in the order they first came: (group key, accumulators).
type Bucket = (i64, Vec<(String, Vec<Acc>)>);

impl Agg {
    /// Parses `count,avg(.ms),max(.ms)`.
    pub fn parse_list(text: &str) -> Result<Vec<Agg>, String> {
        let mut items = Vec::new();
        let mut depth = 0;
        let mut start = 0;
        let mut quoted = false;
        for (i, c) in text.char_indices() {
            match c {
                '"' => quoted = !quoted,
                '(' if !quoted => depth += 1,
                ')' if !quoted => depth -= 1,
                ',' if !quoted && depth == 0 => {
                    items.push(&text[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        items.push(&text[start..]);
        items
            .into_iter()
            .map(|item| {
                let item = item.trim();
                if item == "count" {
                    return Ok(Agg {
                        kind: Kind::Count,
                        name: "count".into(),
                        expr: None,
                    });
                }
                let (fname, rest) = item
                    .split_once('(')
                    .ok_or_else(|| format!("'{item}': expected count or FUNCTION(EXPR)"))?;
                let inner = rest
                    .strip_suffix(')')
                    .ok_or_else(|| format!("'{item}': missing ')'"))?;
                let kind = Kind::from_flag(fname.trim())
                    .filter(|k| !matches!(k, Kind::Count | Kind::Hist))
                    .ok_or_else(|| {
                        format!(
                            "'{item}': the functions are count, sum, min, max, avg, distinct, \
                             and percentiles p50, p95, p99.9 (any pQ)"
                        )
                    })?;
                let expr = Program::compile(inner)
                    .map_err(|e| format!("'{item}': {}", e.render(inner)))?;
                let base = expr.path_name().unwrap_or_else(|| "value".into());
                Ok(Agg {
                    kind,
                    name: format!("{base}_{}", kind.suffix()),
                    expr: Some(expr),
                })
            })
            .collect()
    }
}

pub fn query(
    store: &Store,
    topic: &str,
    since: Option<i64>,
    until: Option<i64>,
    filter: Option<&Program>,
    sample: Option<&Sample>,
    meta: bool,
) -> anyhow::Result<Exit> {
    let since = since.unwrap_or(i64::MIN);
    let until = until.unwrap_or(i64::MAX);
    let mut out = std::io::BufWriter::new(crate::stream::event_writer()?);
    let mut stmt = store.conn().prepare(store::log::RANGE_SQL)?;
    let mut rows = stmt.query(params![topic, since, until])?;
    let mut buckets: Vec<Bucket> = Vec::new();
    // Every group seen, in the order it first came: (key, the --by value).
    let mut groups: Vec<(String, Value<'static>)> = Vec::new();
    let mut line = Vec::new();
    while let Some(r) = rows.next()? {
        let (seq, time_ms, body): (i64, i64, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let needs_value = filter.is_some() || sample.is_some();
        let value = if needs_value {
            Some(json::parse_value(body.as_bytes()).context("a stored event is not JSON")?)
        } else {
            None
        };
        if let (Some(f), Some(v)) = (filter, &value)
            && !f
                .matches(v)
                .with_context(|| format!("--where, on the event at seq {seq}"))?
        {
            continue;
        }
        match (sample, &value) {
            (Some(s), Some(v)) => {
                let start = time_ms.div_euclid(s.width_ms) * s.width_ms;
                if buckets.last().is_none_or(|(b, _)| *b != start) {
                    buckets.push((start, Vec::new()));
                }
                let key = match &s.by {
                    Some((_, e)) => {
                        let by = e
                            .eval(v)
                            .with_context(|| format!("--by, on the event at seq {seq}"))?;
                        let key = json::key_text(&by);
                        if !groups.iter().any(|(k, _)| *k == key) {
                            groups.push((key.clone(), by.into_owned()));
                        }
                        key
                    }
                    None => String::new(),
                };
                let in_bucket = &mut buckets.last_mut().expect("just pushed").1;
                let at = match in_bucket.iter().position(|(k, _)| *k == key) {
                    Some(at) => at,
                    None => {
                        in_bucket.push((key, s.aggs.iter().map(|a| Acc::new(a.kind)).collect()));
                        in_bucket.len() - 1
                    }
                };
                if let Some((_, accs)) = in_bucket.get_mut(at) {
                    for (a, acc) in s.aggs.iter().zip(accs.iter_mut()) {
                        match &a.expr {
                            Some(e) => acc
                                .add(Some(&e.eval(v).with_context(|| {
                                    format!("--agg, on the event at seq {seq}")
                                })?)),
                            None => acc.add(None),
                        }
                    }
                }
            }
            _ => {
                line.clear();
                if meta {
                    with_meta(&body, topic, seq, time_ms, &mut line);
                } else {
                    line.extend_from_slice(body.as_bytes());
                }
                line.push(b'\n');
                if let Err(e) = out.write_all(&line) {
                    return closed_or(e);
                }
            }
        }
    }
    if let Some(s) = sample {
        let first = if since > i64::MIN {
            Some(since.div_euclid(s.width_ms) * s.width_ms)
        } else {
            buckets.first().map(|b| b.0)
        };
        let last = if until < i64::MAX {
            Some((until - 1).div_euclid(s.width_ms) * s.width_ms)
        } else {
            buckets.last().map(|b| b.0)
        };
        if s.by.is_none() {
            groups.push((String::new(), Value::Null));
        }
        for v in fill(s, &buckets, &groups, first, last) {
            line.clear();
            json::write_value(&v, &mut line);
            line.push(b'\n');
            if let Err(e) = out.write_all(&line) {
                return closed_or(e);
            }
        }
    }
    match out.flush() {
        Ok(()) => Ok(Exit::Success),
        Err(e) => closed_or(e),
    }
}

fn closed_or(e: std::io::Error) -> anyhow::Result<Exit> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(Exit::Success)
    } else {
        Err(e).context("cannot write to standard output")
    }
}

/// The buckets from `first` to `last`, a row per group (one group without --by), the
/// buckets a group is missing from filled as asked.
fn fill(
    s: &Sample,
    buckets: &[Bucket],
    groups: &[(String, Value<'static>)],
    first: Option<i64>,
    last: Option<i64>,
) -> Vec<Value<'static>> {
    let (Some(first), Some(last)) = (first, last) else {
        return Vec::new();
    };
    let row = |start: i64, by: &Value<'static>, values: Vec<Value<'static>>| {
        let mut members = vec![(
            Cow::Borrowed("time"),
            Value::String(time::format_rfc3339(start).into()),
        )];
        if let Some((name, _)) = &s.by {
            members.push((Cow::Owned(name.clone()), by.clone()));
        }
        for (a, v) in s.aggs.iter().zip(values) {
            members.push((Cow::Owned(a.name.clone()), v));
        }
        Value::Object(members)
    };
    let mut out = Vec::new();
    let mut prev: Vec<Option<Vec<Value<'static>>>> = vec![None; groups.len()];
    let mut i = 0;
    let mut start = first;
    // Guard against a range of more buckets than anyone wants written.
    let max_rows = 10_000_000;
    while start <= last && out.len() < max_rows {
        while i < buckets.len() && buckets[i].0 < start {
            i += 1;
        }
        let here = (i < buckets.len() && buckets[i].0 == start).then(|| &buckets[i].1);
        // Groups in the order they first came overall; with data first when it is there.
        for (g, (key, by)) in groups.iter().enumerate() {
            let found = here.and_then(|b| b.iter().find(|(k, _)| k == key));
            match found {
                Some((_, accs)) => {
                    let values: Vec<Value<'static>> = accs.iter().map(Acc::result).collect();
                    prev[g] = Some(values.clone());
                    out.push(row(start, by, values));
                }
                None => {
                    let filler = match s.fill {
                        Fill::None => None,
                        Fill::Null => Some(vec![Value::Null; s.aggs.len()]),
                        Fill::Zero => Some(vec![Value::Number(Number::Int(0)); s.aggs.len()]),
                        Fill::Prev => prev[g].clone(),
                    };
                    if let Some(values) = filler {
                        out.push(row(start, by, values));
                    }
                }
            }
        }
        start += s.width_ms;
    }
    out
}
