//! `binge aggregate`: statistics (optionally windowed and named) or `--collect`.

use anyhow::{Context, bail};
use clap::ArgMatches;

use crate::cli::{AggregateArgs, EmitArg, LateArg};
use crate::exit::{Exit, UsageError};
use crate::expr::Program;
use crate::json::{self, Value};
use crate::stage::aggregate::{self, Aggregate, Column, Emit, Late, Persist, Spec, Stat, Window};
use crate::stage::collect::{self, Collect};
use crate::stage::stats::Kind;
use crate::stage::{Built, Piece, Stage};
use crate::store::{self, Store};
use crate::stream::{self, Output};
use crate::time;

pub fn run(args: &AggregateArgs, m: &ArgMatches) -> anyhow::Result<Exit> {
    if args.reset {
        return reset(args);
    }
    if args.list {
        return list(args);
    }
    let collecting = args.collect || (args.show && stored_kind(args)? == Some(StoredKind::Collect));
    if collecting {
        run_collect(args)
    } else {
        run_stats(args, m)
    }
}

#[derive(PartialEq)]
enum StoredKind {
    Stats,
    Collect,
}

fn open_store(args: &AggregateArgs) -> anyhow::Result<Store> {
    let path = store::state_path(args.state.state.as_deref())?;
    Store::open(&path, args.state.durability)
}

/// What a name holds in the state file, for `--show` without a definition.
fn stored_kind(args: &AggregateArgs) -> anyhow::Result<Option<StoredKind>> {
    let Some(name) = &args.name else {
        return Ok(None);
    };
    let store = open_store(args)?;
    if store::aggregate::spec(store.conn(), name)?.is_some() {
        return Ok(Some(StoredKind::Stats));
    }
    if store::collect::spec(store.conn(), name)?.is_some() {
        return Ok(Some(StoredKind::Collect));
    }
    Ok(None)
}

fn reset(args: &AggregateArgs) -> anyhow::Result<Exit> {
    let name = args.name.as_deref().unwrap_or_default();
    let mut store = open_store(args)?;
    let found = store
        .write(|tx| Ok(store::aggregate::reset(tx, name)? | store::collect::reset(tx, name)?))?;
    if !found {
        eprintln!("binge aggregate: there was no aggregate named {name}");
    }
    Ok(Exit::Success)
}

/// `--list`: every saved aggregate with its definition as flags.
fn list(args: &AggregateArgs) -> anyhow::Result<Exit> {
    let store = open_store(args)?;
    let text = |t: String| Value::String(t.into());
    // (name, kind, what it holds, definition as flags or why not, last update, how many)
    let mut rows: Vec<(String, &str, &str, String, i64, i64)> = Vec::new();
    for (name, spec, updated, n) in store::aggregate::list(store.conn())? {
        let flags = spec_from_description(&spec, Emit::Final).map(|s| s.flags());
        rows.push((
            name,
            "statistics",
            "groups",
            flags_or_why(flags),
            updated,
            n,
        ));
    }
    for (name, spec, updated, n) in store::collect::list(store.conn())? {
        let flags = collect_spec_from_description(&spec).map(|s| s.flags());
        rows.push((
            name,
            "collect",
            "aggregates",
            flags_or_why(flags),
            updated,
            n,
        ));
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = Output::new();
    for (name, kind, holds, flags, updated, n) in rows {
        out.value(&Value::Object(vec![
            ("name".into(), text(name)),
            ("kind".into(), text(kind.into())),
            ("definition".into(), text(flags)),
            ("updated_at".into(), text(time::format_rfc3339(updated))),
            (holds.into(), Value::Number(json::Number::Int(n))),
        ]));
    }
    write_shown(&out)
}

fn flags_or_why(flags: anyhow::Result<String>) -> String {
    flags.unwrap_or_else(|e| format!("(unreadable definition: {e:#})"))
}

/// Says that a name was made with other options, naming both as flags.
fn redefined(what: &str, name: &str, stored: &str, asked: &str) -> anyhow::Error {
    UsageError(format!(
        "{what} {name} was made with {stored}; this run asks for {asked}. Use the same \
         options, another --name, or --reset (binge aggregate --list shows every name)"
    ))
    .into()
}

fn missing(args: &AggregateArgs) -> anyhow::Error {
    let path = store::state_path(args.state.state.as_deref())
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    anyhow::anyhow!(
        "no aggregate named {} in {path}",
        args.name.as_deref().unwrap_or_default()
    )
}

fn write_shown(out: &Output) -> anyhow::Result<Exit> {
    use std::io::Write;
    let mut stdout = stream::event_writer()?;
    match stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Exit::Success),
        other => other
            .map(|_| Exit::Success)
            .context("cannot write to standard output"),
    }
}

/// The stage the options describe (also what a pipeline's `{"aggregate": ...}` builds).
pub fn build(args: &AggregateArgs, m: &ArgMatches) -> anyhow::Result<Built> {
    if args.show || args.list || args.reset {
        return Err(UsageError(
            "--show, --list and --reset are commands of their own, not part of a stage".into(),
        )
        .into());
    }
    let own = args.name.as_ref().map(|n| format!("aggregate:{n}"));
    let stage: Box<dyn Stage> = if args.collect {
        Box::new(collect_stage(args)?)
    } else {
        Box::new(stats_stage(args, m)?)
    };
    Ok(Built {
        piece: Piece::Held(stage),
        own,
    })
}

fn run_stats(args: &AggregateArgs, m: &ArgMatches) -> anyhow::Result<Exit> {
    let mut stage = stats_stage(args, m)?;
    if args.show {
        let mut out = Output::new();
        aggregate::show(&stage, &mut out)?;
        return write_shown(&out);
    }
    let own = args.name.as_ref().map(|n| format!("aggregate:{n}"));
    let opts = super::stream_options("aggregate", &args.stream);
    let opts = super::with_resume(opts, &args.stream, &args.state, &args.files, own)?;
    stream::run(&opts, &args.files, &mut stage, stream::event_writer()?)
}

fn stats_stage(args: &AggregateArgs, m: &ArgMatches) -> anyhow::Result<Aggregate> {
    let mut spec = spec_from_args(args, m).map_err(UsageError)?;
    let persist = match &args.name {
        Some(name) => {
            let store = open_store(args)?;
            let stored = store::aggregate::spec(store.conn(), name)?;
            match (&stored, spec.stats.is_empty()) {
                (Some(text), true) if args.show => {
                    spec = spec_from_description(text, spec.emit)
                        .with_context(|| format!("cannot read the definition of {name}"))?;
                }
                (None, _) if args.show => return Err(missing(args)),
                (Some(text), false) if *text != spec.describe() => {
                    let stored = spec_from_description(text, spec.emit)
                        .map_or_else(|_| text.clone(), |s| s.flags());
                    return Err(redefined("aggregate", name, &stored, &spec.flags()));
                }
                _ => {}
            }
            Some(Persist {
                store,
                name: name.clone(),
                keep_ms: duration("--keep", &args.keep)?,
            })
        }
        None => None,
    };
    if spec.stats.is_empty() {
        return Err(UsageError(
            "give at least one statistic (--count, --sum, --min, --max, --avg, --distinct, \
             --hist), or --collect"
                .into(),
        )
        .into());
    }
    let mut stage = Aggregate::new(spec, persist)?;
    if args.top.is_some() || args.sort.is_some() {
        let sort = args
            .sort
            .as_deref()
            .map(|src| {
                Program::compile(src)
                    .map_err(|e| UsageError(format!("--sort {src}: {}", e.render(src))))
            })
            .transpose()?;
        stage.rank(aggregate::Ranking {
            top: args.top,
            sort,
        });
    }
    Ok(stage)
}

fn run_collect(args: &AggregateArgs) -> anyhow::Result<Exit> {
    let own = args.name.as_ref().map(|n| format!("aggregate:{n}"));
    let mut stage = collect_stage(args)?;
    if args.show {
        let mut out = Output::new();
        collect::show(&stage, &mut out)?;
        return write_shown(&out);
    }
    let opts = super::stream_options("aggregate", &args.stream);
    let opts = super::with_resume(opts, &args.stream, &args.state, &args.files, own)?;
    stream::run(&opts, &args.files, &mut stage, stream::event_writer()?)
}

fn collect_stage(args: &AggregateArgs) -> anyhow::Result<Collect> {
    let (store, name) = match &args.name {
        Some(name) => (open_store(args)?, Some(name.clone())),
        None => (Store::memory()?, None),
    };
    let spec = match (&args.key, &args.collection, &name) {
        (Some(key), Some(coll), _) => collect::Spec {
            key: column("--key", "key", key)?,
            collection: column("--collection", "collection", coll)?,
            complete_when: args
                .complete_when
                .as_deref()
                .map(|c| column("--complete-when", "complete", c))
                .transpose()?,
            every_version: args.every_version,
            timeout_ms: args
                .timeout
                .as_deref()
                .map(|t| duration("--timeout", t))
                .transpose()?,
            source_id: args
                .source_id
                .as_deref()
                .map(|c| column("--source-id", "source_id", c))
                .transpose()?,
        },
        (_, _, Some(n)) if args.show => {
            let text = store::collect::spec(store.conn(), n)?.ok_or_else(|| missing(args))?;
            collect_spec_from_description(&text)
                .with_context(|| format!("cannot read the definition of {n}"))?
        }
        _ => return Err(UsageError("--collect needs --key and --collection".into()).into()),
    };
    if let Some(n) = &name
        && let Some(text) = store::collect::spec(store.conn(), n)?
        && text != spec.describe()
    {
        let stored =
            collect_spec_from_description(&text).map_or_else(|_| text.clone(), |s| s.flags());
        return Err(redefined("collection", n, &stored, &spec.flags()));
    }
    if args.show
        && name.as_ref().is_some_and(|n| {
            store::collect::spec(store.conn(), n)
                .ok()
                .flatten()
                .is_none()
        })
    {
        return Err(missing(args));
    }
    Collect::new(spec, store, name)
}

fn column(flag: &str, name: &str, source: &str) -> Result<Column, UsageError> {
    let expr = Program::compile(source)
        .map_err(|e| UsageError(format!("{flag} {source}: {}", e.render(source))))?;
    Ok(Column {
        name: name.to_string(),
        source: source.to_string(),
        expr,
    })
}

fn duration(flag: &str, text: &str) -> Result<i64, UsageError> {
    time::parse_duration(text)
        .filter(|&d| d >= 0)
        .ok_or_else(|| {
            UsageError(format!(
                "{flag} {text}: expected a duration such as 500ms, 30s, 5m, 1h30m or 2d"
            ))
        })
}

/// `NAME=EXPR`, or an EXPR that is a path of names (named after it). `suffix` is the kind
/// of statistic, added to a name taken from the path.
pub(super) fn named(flag: &str, text: &str, suffix: Option<&str>) -> Result<Column, String> {
    let explicit = text.split_once('=').filter(|(name, rest)| {
        let mut chars = name.chars();
        chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
            && chars.all(|c| c == '_' || c.is_alphanumeric())
            && !rest.starts_with('=')
    });
    let (name, source) = match explicit {
        Some((name, source)) => (Some(name.to_string()), source),
        None => (None, text),
    };
    let expr =
        Program::compile(source).map_err(|e| format!("{flag} {text}: {}", e.render(source)))?;
    let name = match name {
        Some(n) => n,
        None => {
            let base = expr
                .path_name()
                .ok_or_else(|| format!("{flag} {text}: name it, as in {flag} NAME={source}"))?;
            match suffix {
                Some(s) => format!("{base}_{s}"),
                None => base,
            }
        }
    };
    Ok(Column {
        name,
        source: source.to_string(),
        expr,
    })
}

fn spec_from_args(args: &AggregateArgs, m: &ArgMatches) -> Result<Spec, String> {
    let by = args
        .by
        .iter()
        .map(|b| named("--by", b, None))
        .collect::<Result<Vec<_>, _>>()?;
    let kinds: [(&str, Kind, &Vec<String>); 9] = [
        ("sum", Kind::Sum, &args.sum),
        ("min", Kind::Min, &args.min),
        ("max", Kind::Max, &args.max),
        ("avg", Kind::Avg, &args.avg),
        ("distinct", Kind::Distinct, &args.distinct),
        ("hist", Kind::Hist, &args.hist),
        ("p50", Kind::Percentile(5000), &args.p50),
        ("p95", Kind::Percentile(9500), &args.p95),
        ("p99", Kind::Percentile(9900), &args.p99),
    ];
    let mut stats: Vec<(usize, Stat)> = Vec::new();
    if args.count {
        let at = m.index_of("count").unwrap_or(0);
        stats.push((
            at,
            Stat {
                kind: Kind::Count,
                name: "count".into(),
                input: None,
            },
        ));
    }
    for (id, kind, values) in kinds {
        let at: Vec<usize> = m.indices_of(id).map(Iterator::collect).unwrap_or_default();
        for (k, text) in values.iter().enumerate() {
            let col = named(&format!("--{id}"), text, Some(&kind.suffix()))?;
            stats.push((
                at.get(k).copied().unwrap_or(usize::MAX),
                Stat {
                    kind,
                    name: col.name.clone(),
                    input: Some(col),
                },
            ));
        }
    }
    let at: Vec<usize> = m
        .indices_of("percentile")
        .map(Iterator::collect)
        .unwrap_or_default();
    for (k, text) in args.percentile.iter().enumerate() {
        let (q, expr) = text
            .split_once(':')
            .and_then(|(q, e)| Some((crate::stage::stats::parse_percent(q)?, e)))
            .ok_or_else(|| {
                format!("--percentile {text}: expected Q:EXPR, Q from 0 to 100 (99.9:.ms)")
            })?;
        let kind = Kind::Percentile(q);
        let col = named("--percentile", expr, Some(&kind.suffix()))?;
        stats.push((
            at.get(k).copied().unwrap_or(usize::MAX),
            Stat {
                kind,
                name: col.name.clone(),
                input: Some(col),
            },
        ));
    }
    stats.sort_by_key(|(at, _)| *at);
    let stats: Vec<Stat> = stats.into_iter().map(|(_, s)| s).collect();
    let mut names: Vec<&str> = Vec::new();
    for name in by
        .iter()
        .map(|c| &c.name)
        .chain(stats.iter().map(|s| &s.name))
    {
        if names.contains(&name.as_str()) {
            return Err(format!(
                "two output fields would be named {name}; name one with NAME=EXPR"
            ));
        }
        names.push(name);
    }
    let window = match (&args.window, &args.time) {
        (Some(w), Some(t)) => {
            let width_ms = time::parse_duration(w).filter(|&d| d > 0).ok_or_else(|| {
                format!("--window {w}: expected a duration such as 30s, 5m or 1h")
            })?;
            let lateness_ms = time::parse_duration(&args.lateness).ok_or_else(|| {
                format!(
                    "--lateness {}: expected a duration such as 30s",
                    args.lateness
                )
            })?;
            let idle_ms = match &args.idle {
                None => width_ms.saturating_add(lateness_ms),
                Some(i) => time::parse_duration(i).filter(|&d| d >= 0).ok_or_else(|| {
                    format!("--idle {i}: expected a duration such as 90s or 0 (never)")
                })?,
            };
            Some(Window {
                width_ms,
                idle_ms,
                time: column("--time", "time", t).map_err(|e| e.0)?,
                lateness_ms,
                late: match args.late {
                    LateArg::Count => Late::Count,
                    LateArg::DeadLetter => Late::DeadLetter,
                },
                unit: args.time_unit.map(Into::into),
            })
        }
        _ => None,
    };
    Ok(Spec {
        by,
        stats,
        window,
        emit: match args.emit {
            EmitArg::Final => Emit::Final,
            EmitArg::Each => Emit::Each,
        },
    })
}

/// Rebuilds a statistics definition from what the state file recorded.
fn spec_from_description(text: &str, emit: Emit) -> anyhow::Result<Spec> {
    let v = json::parse_value(text.as_bytes())?;
    let strs = |v: &Value<'_>| -> Vec<String> {
        match v {
            Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().unwrap_or_default().to_string())
                .collect(),
            _ => Vec::new(),
        }
    };
    let items = |key: &str| match v.member(key) {
        Some(Value::Array(items)) => items.clone(),
        _ => Vec::new(),
    };
    let mut by = Vec::new();
    for b in items("by") {
        let parts = strs(&b);
        if parts.len() != 2 {
            bail!("unreadable --by");
        }
        by.push(column("--by", &parts[0], &parts[1])?);
    }
    let mut stats = Vec::new();
    for s in items("stats") {
        let Value::Array(parts) = &s else {
            bail!("unreadable statistic")
        };
        let flag = parts.first().and_then(Value::as_str).unwrap_or_default();
        let kind =
            Kind::from_flag(flag).ok_or_else(|| anyhow::anyhow!("unknown statistic {flag}"))?;
        let name = parts
            .get(1)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let input = match parts.get(2).and_then(Value::as_str) {
            Some(src) => Some(column(&format!("--{flag}"), &name, src)?),
            None => None,
        };
        stats.push(Stat { kind, name, input });
    }
    let window = match v.member("window") {
        Some(Value::Array(w)) => {
            let width_ms = match w.first() {
                Some(Value::Number(n)) => n.as_i64().unwrap_or(1),
                _ => bail!("unreadable window"),
            };
            let src = w.get(1).and_then(Value::as_str).unwrap_or_default();
            Some(Window {
                width_ms,
                idle_ms: 0,
                time: column("--time", "time", src)?,
                lateness_ms: 0,
                late: Late::Count,
                unit: None,
            })
        }
        _ => None,
    };
    Ok(Spec {
        by,
        stats,
        window,
        emit,
    })
}

fn collect_spec_from_description(text: &str) -> anyhow::Result<collect::Spec> {
    let v = json::parse_value(text.as_bytes())?;
    let s = |k: &str| v.member(k).and_then(Value::as_str).map(str::to_string);
    Ok(collect::Spec {
        key: column("--key", "key", &s("key").unwrap_or_default())?,
        collection: column(
            "--collection",
            "collection",
            &s("collection").unwrap_or_default(),
        )?,
        complete_when: s("complete_when")
            .map(|c| column("--complete-when", "complete", &c))
            .transpose()?,
        every_version: false,
        timeout_ms: match v.member("timeout_ms") {
            Some(Value::Number(n)) => n.as_i64(),
            _ => None,
        },
        source_id: s("source_id")
            .map(|c| column("--source-id", "source_id", &c))
            .transpose()?,
    })
}
