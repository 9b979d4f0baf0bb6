//! `binge log ...`: the durable log's subcommands.

use std::time::Duration;

use anyhow::Context;

use crate::cli::{CommitArg, LogArgs, LogCommand, LogReadArgs, OutOfRangeArg};
use crate::exit::{Exit, UsageError};
use crate::expr::Program;
use crate::json::{Number, Value};
use crate::log::{self, AppendOptions, Appender, Commit, Delivery, Position, ReadOptions, Sample};
use crate::store::{self, Store};
use crate::stream;
use crate::time;

pub fn run(args: &LogArgs) -> anyhow::Result<Exit> {
    // A JetStream stream needs no state file.
    let open = || {
        store::state_path(args.state.state.as_deref())
            .and_then(|path| Store::open(&path, args.state.durability))
    };
    let usage = |e: String| anyhow::Error::new(UsageError(e));
    match &args.command {
        LogCommand::Append(a) => {
            let expr =
                |flag: &str, src: &Option<String>| -> anyhow::Result<Option<(String, Program)>> {
                    src.as_deref()
                        .map(|s| {
                            Program::compile(s)
                                .map(|p| (s.to_string(), p))
                                .map_err(|e| usage(format!("{flag} {s}: {}", e.render(s))))
                        })
                        .transpose()
                };
            let linger = a
                .linger
                .as_deref()
                .map(|l| {
                    time::parse_duration(l)
                        .map(|ms| Duration::from_millis(ms as u64))
                        .ok_or_else(|| {
                            usage(format!("--linger {l}: expected a duration such as 200ms"))
                        })
                })
                .transpose()?;
            let options = AppendOptions {
                topic: a.topic.clone(),
                time: expr("--time", &a.time)?,
                key: expr("--key", &a.key)?,
                id: expr("--id", &a.id)?,
                unit: a.time_unit.map(Into::into),
                batch: a.batch,
                linger,
            };
            let own = format!("log:{}", a.topic);
            let opts = super::stream_options("log append", &a.stream);
            let opts = super::with_resume(opts, &a.stream, &args.state, &a.files, Some(own))?;
            let mut stage = Appender::new(open()?, options);
            stream::run(&opts, &a.files, &mut stage, stream::event_writer()?)
        }
        LogCommand::Read(_) | LogCommand::Tail { .. }
            if stream::format::chosen() != stream::Format::Ndjson =>
        {
            // What a reader commits follows the bytes the next command took from the pipe,
            // so delivery stays NDJSON; another format is one pipe away.
            Err(usage(
                "log read and log tail write NDJSON only (what they commit follows the bytes \
                 delivered); pipe them into binge filter true -o FORMAT"
                    .into(),
            ))
        }
        LogCommand::Mirror(m) => {
            let (server, subject) = crate::connect::nats::parse_url(&m.target)
                .filter(|(_, s)| !s.contains(['*', '>']))
                .ok_or_else(|| {
                    usage(format!(
                        "{}: expected nats://HOST:PORT/SUBJECT (a subject without wildcards)",
                        m.target
                    ))
                })?;
            let timeout = time::parse_duration(&m.timeout)
                .filter(|&ms| ms > 0)
                .map(|ms| Duration::from_millis(ms as u64))
                .ok_or_else(|| {
                    usage(format!(
                        "--timeout {}: expected a duration such as 5s",
                        m.timeout
                    ))
                })?;
            let mut options = read_options(&LogReadArgs {
                topic: m.topic.clone(),
                group: m.group.clone(),
                from: m.from.clone(),
                limit: m.limit,
                follow: m.follow,
                meta: false,
                commit: CommitArg::Auto,
                exec: None,
                batches: m.batches.clone(),
                on_out_of_range: OutOfRangeArg::Error,
            })?;
            options.delivery = Delivery::Nats(log::Mirror {
                server,
                subject,
                create_stream: m.create_stream.clone(),
                timeout,
            });
            let mut store = open()?;
            known_topic(&store, "log mirror", &m.topic, m.follow)?;
            // Nothing is written to stdout: the events go to JetStream.
            log::read_to(
                &mut store,
                &options,
                std::fs::OpenOptions::new().write(true).open("/dev/null")?,
            )
        }
        LogCommand::Read(r) if r.topic.starts_with("nats://") => {
            log::jetstream::read_to(&read_options(r)?, stream::stdout()?)
        }
        LogCommand::Read(r) => {
            let options = read_options(r)?;
            let mut store = open()?;
            known_topic(&store, "log read", &r.topic, r.follow)?;
            log::read(&mut store, &options)
        }
        LogCommand::Ack { topic, group, upto } => {
            let mut store = open()?;
            known_topic(&store, "log ack", topic, false)?;
            let last = store::log::last_seq(store.conn(), topic)?;
            if *upto > last {
                return Err(usage(format!(
                    "--upto {upto}: beyond the last seq of {topic}, {last}; acknowledging events \
                     that do not exist yet would skip them when they come"
                )));
            }
            let pos =
                store.write(|tx| store::log::advance(tx, topic, group, *upto, time::now_ms()))?;
            if pos > *upto {
                eprintln!("binge log ack: group {group} was already at seq {pos}");
            }
            Ok(Exit::Success)
        }
        LogCommand::Seek { topic, group, to } => {
            let to = Position::parse(to).map_err(|e| usage(format!("--to {e}")))?;
            let mut store = open()?;
            known_topic(&store, "log seek", topic, false)?;
            let last = store::log::last_seq(store.conn(), topic)?;
            if let Position::Seq(n) = to
                && n - 1 > last
            {
                return Err(usage(format!(
                    "--to seq:{n}: beyond the last seq of {topic}, {last} (seq:{} reads what \
                     comes next)",
                    last + 1
                )));
            }
            let pos = to.resolve(store.conn(), topic)?;
            store.write(|tx| store::log::set_pos(tx, topic, group, pos, time::now_ms()))?;
            Ok(Exit::Success)
        }
        LogCommand::Groups { topic } => {
            let store = open()?;
            let rows = store::log::groups(store.conn(), topic.as_deref())?;
            write_values(rows.into_iter().map(|g| {
                object(vec![
                    ("topic", Value::String(g.topic.into())),
                    ("group", Value::String(g.group.into())),
                    ("position", int(g.pos)),
                    ("lag", int(g.lag)),
                    ("leases", int(g.leases)),
                    (
                        "updated_at",
                        Value::String(time::format_rfc3339(g.updated_at).into()),
                    ),
                ])
            }))
        }
        LogCommand::Topics => {
            let store = open()?;
            let rows = store::log::topics(store.conn())?;
            let opt_int = |v: Option<i64>| v.map_or(Value::Null, int);
            let opt_time = |v: Option<i64>| {
                v.map_or(Value::Null, |t| {
                    Value::String(time::format_rfc3339(t).into())
                })
            };
            write_values(rows.into_iter().map(|t| {
                object(vec![
                    ("topic", Value::String(t.topic.into())),
                    ("events", int(t.events)),
                    ("first_seq", opt_int(t.first_seq)),
                    ("last_seq", opt_int(t.last_seq)),
                    ("first_time", opt_time(t.first_time)),
                    ("last_time", opt_time(t.last_time)),
                    ("bytes", int(t.bytes)),
                ])
            }))
        }
        LogCommand::Tail {
            topic,
            n,
            follow,
            meta,
        } => {
            let mut store = open()?;
            known_topic(&store, "log tail", topic, *follow)?;
            log::tail(&mut store, topic, *n, *follow, *meta)
        }
        LogCommand::Compact(c) => {
            if c.retain.is_none() && c.max_events.is_none() && !c.by_key {
                return Err(usage("give --retain, --max-events or --by-key".into()));
            }
            let before_ms = c
                .retain
                .as_deref()
                .map(|r| {
                    time::parse_duration(r)
                        .map(|d| time::now_ms() - d)
                        .ok_or_else(|| {
                            usage(format!("--retain {r}: expected a duration such as 7d"))
                        })
                })
                .transpose()?;
            let retention = store::log::Retention {
                before_ms,
                max_events: c.max_events,
                by_key: c.by_key,
                force: c.force,
            };
            let mut store = open()?;
            let deleted = store.write(|tx| store::log::compact(tx, &c.topic, &retention))?;
            eprintln!(
                "binge log compact: {deleted} event{} deleted from {}",
                if deleted == 1 { "" } else { "s" },
                c.topic
            );
            Ok(Exit::Success)
        }
        LogCommand::Query(q) => {
            let when = |flag: &str, t: &Option<String>| -> anyhow::Result<Option<i64>> {
                t.as_deref()
                    .map(|s| {
                        log::parse_time_arg(s).ok_or_else(|| {
                            usage(format!(
                                "{flag} {s}: expected RFC 3339, an epoch number or -DURATION"
                            ))
                        })
                    })
                    .transpose()
            };
            let (since, until) = (when("--since", &q.since)?, when("--until", &q.until)?);
            let filter = q
                .filter
                .as_deref()
                .map(|w| {
                    Program::compile(w).map_err(|e| usage(format!("--where: {}", e.render(w))))
                })
                .transpose()?;
            let sample = match (&q.sample_by, &q.agg) {
                (Some(width), Some(agg)) => Some(Sample {
                    width_ms: time::parse_duration(width)
                        .filter(|&w| w > 0)
                        .ok_or_else(|| {
                            usage(format!(
                                "--sample-by {width}: expected a duration such as 5m"
                            ))
                        })?,
                    aggs: log::Agg::parse_list(agg).map_err(|e| usage(format!("--agg {e}")))?,
                    fill: q.fill,
                    by: q
                        .by
                        .as_deref()
                        .map(|b| {
                            super::aggregate::named("--by", b, None)
                                .map(|c| (c.name, c.expr))
                                .map_err(usage)
                        })
                        .transpose()?,
                }),
                _ => None,
            };
            let store = open()?;
            log::query(
                &store,
                &q.topic,
                since,
                until,
                filter.as_ref(),
                sample.as_ref(),
                q.meta,
            )
        }
        LogCommand::Dead {
            topic,
            group,
            redrive,
            purge,
        } => {
            let mut store = open()?;
            if *redrive || *purge {
                let group = group.as_deref();
                let n = store.write(|tx| {
                    if *redrive {
                        store::log::redrive(tx, topic, group)
                    } else {
                        store::log::purge(tx, topic, group)
                    }
                })?;
                eprintln!(
                    "binge log dead: {n} parked event{} of {topic} {}",
                    if n == 1 { "" } else { "s" },
                    if *redrive {
                        "put back: the group's next read delivers them again"
                    } else {
                        "deleted"
                    }
                );
                return Ok(Exit::Success);
            }
            let rows = store::log::dead(store.conn(), topic)?;
            let mut values = Vec::new();
            for d in rows
                .into_iter()
                .filter(|d| group.as_deref().is_none_or(|g| d.group == g))
            {
                let event = crate::json::parse_value(d.body.as_bytes())
                    .context("a parked event is not JSON")?
                    .into_owned();
                values.push(object(vec![
                    ("group", Value::String(d.group.into())),
                    ("seq", int(d.seq)),
                    ("attempts", int(d.attempts)),
                    ("error", Value::String(d.error.into())),
                    (
                        "parked_at",
                        Value::String(time::format_rfc3339(d.parked_at).into()),
                    ),
                    ("event", event),
                ]));
            }
            write_values(values.into_iter())
        }
    }
}

/// Refuses a topic that does not exist (most often a typo), naming those that do; with
/// `--follow` binge says it waits for the topic instead.
/// What `log read`'s options (or a pipeline's `{"log": ...}` input) ask for.
pub fn read_options(r: &LogReadArgs) -> anyhow::Result<ReadOptions> {
    let b = &r.batches;
    let usage = |e: String| anyhow::Error::new(UsageError(e));
    let from = Position::parse(r.from.as_deref().unwrap_or("earliest"))
        .map_err(|e| usage(format!("--from {e}")))?;
    let options = ReadOptions {
        topic: r.topic.clone(),
        group: r.group.clone(),
        from,
        from_given: r.from.is_some(),
        limit: r.limit,
        follow: r.follow,
        meta: r.meta,
        commit: match r.commit {
            CommitArg::Auto => Commit::Auto,
            CommitArg::Manual => Commit::Manual,
        },
        delivery: match &r.exec {
            Some(cmd) => Delivery::Exec(cmd.clone()),
            None => Delivery::Stdout,
        },
        retry: {
            let dur = |flag: &str, t: &str| {
                time::parse_duration(t)
                    .filter(|&ms| ms >= 0)
                    .map(|ms| Duration::from_millis(ms as u64))
                    .ok_or_else(|| usage(format!("{flag} {t}: expected a duration such as 30s")))
            };
            let (min, max) = b.backoff.split_once("..").ok_or_else(|| {
                usage(format!(
                    "--backoff {}: expected MIN..MAX, such as 100ms..30s",
                    b.backoff
                ))
            })?;
            let (min, max) = (dur("--backoff", min)?, dur("--backoff", max)?);
            if min > max || min.is_zero() {
                return Err(usage(format!(
                    "--backoff {}: MIN must be above 0 and at most MAX",
                    b.backoff
                )));
            }
            log::Retry {
                min,
                max,
                retry_for: b
                    .retry_for
                    .as_deref()
                    .map(|t| dur("--retry-for", t))
                    .transpose()?,
                max_deliver: b.max_deliver.map(|n| n.max(1)),
            }
        },
        batch: b.batch.max(1),
        lease: time::parse_duration(&b.lease)
            .filter(|&ms| ms > 0)
            .map(|ms| Duration::from_millis(ms as u64))
            .ok_or_else(|| {
                usage(format!(
                    "--lease {}: expected a duration such as 30s",
                    b.lease
                ))
            })?,
        out_of_range: match r.on_out_of_range {
            OutOfRangeArg::Error => log::OutOfRange::Error,
            OutOfRangeArg::Earliest => log::OutOfRange::Earliest,
            OutOfRangeArg::Latest => log::OutOfRange::Latest,
        },
    };
    Ok(options)
}

pub(crate) fn known_topic(
    store: &Store,
    command: &str,
    topic: &str,
    follow: bool,
) -> anyhow::Result<()> {
    if store::log::topic_exists(store.conn(), topic)? {
        return Ok(());
    }
    if follow {
        eprintln!("binge {command}: there is no topic {topic} yet; waiting for it");
        return Ok(());
    }
    let names = store::log::topic_names(store.conn())?;
    let known = if names.is_empty() {
        "the log has no topics yet".to_string()
    } else {
        format!("the topics are: {}", names.join(", "))
    };
    Err(UsageError(format!("there is no topic {topic}; {known}")).into())
}

fn int(i: i64) -> Value<'static> {
    Value::Number(Number::Int(i))
}

fn object(members: Vec<(&'static str, Value<'static>)>) -> Value<'static> {
    Value::Object(members.into_iter().map(|(k, v)| (k.into(), v)).collect())
}

pub(super) fn write_values(values: impl Iterator<Item = Value<'static>>) -> anyhow::Result<Exit> {
    use std::io::Write;
    let mut buf = Vec::new();
    for v in values {
        crate::json::write_value(&v, &mut buf);
        buf.push(b'\n');
    }
    let mut out = stream::event_writer()?;
    match out.write_all(&buf).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Exit::Success),
        other => other
            .map(|_| Exit::Success)
            .context("cannot write to standard output"),
    }
}
