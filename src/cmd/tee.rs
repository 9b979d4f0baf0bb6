//! `binge tee TARGET...`: copies matching events to side targets while passing all on.

use std::time::Duration;

use crate::cli::TeeArgs;
use crate::exit::{Exit, UsageError};
use crate::expr::Program;
use crate::stage::tee::{Http, Settings, Target, Tee};
use crate::stage::{Built, Piece};
use crate::store;
use crate::stream;
use crate::time;

/// The stage the options describe (also what a pipeline's `{"tee": ...}` and its outputs
/// build).
pub fn build(args: &TeeArgs) -> anyhow::Result<Built> {
    let (targets, settings) = settings(args)?;
    // A tee whose one target is the log commits its place with the events; any other tee
    // keeps it itself, so it needs a name.
    let own = match targets.as_slice() {
        [(_, Target::Log { topic })] => Some(format!("log:{topic}")),
        _ => None,
    };
    Ok(Built {
        piece: Piece::Held(Box::new(Tee::new(targets, settings)?)),
        own,
    })
}

/// The targets and settings the options describe, checked; nothing is opened yet.
pub fn settings(args: &TeeArgs) -> anyhow::Result<(Vec<(String, Target)>, Settings)> {
    let usage = |e: String| anyhow::Error::new(UsageError(e));
    let targets = args
        .targets
        .iter()
        .map(|t| Target::parse(t).map(|p| (t.clone(), p)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(usage)?;
    let when = args
        .when
        .as_deref()
        .map(|w| Program::compile(w).map_err(|e| usage(format!("--when: {}", e.render(w)))))
        .transpose()?;
    let duration = |flag: &str, text: &str| {
        time::parse_duration(text)
            .filter(|&d| d > 0)
            .map(|ms| Duration::from_millis(ms as u64))
            .ok_or_else(|| {
                usage(format!(
                    "{flag} {text}: expected a duration such as 500ms or 30s"
                ))
            })
    };
    let headers = args
        .header
        .iter()
        .map(|h| {
            h.split_once(':')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| usage(format!("--header {h}: expected NAME:VALUE")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let needs_state = targets.iter().any(|(_, t)| matches!(t, Target::Log { .. }));
    let settings = Settings {
        when,
        http: Http {
            batch: args.batch.max(1),
            flush_interval: duration("--flush-interval", &args.flush_interval)?,
            headers,
            timeout: duration("--timeout", &args.timeout)?,
            retries: args.retries,
            max_retry_wait: duration("--max-retry-wait", &args.max_retry_wait)?,
        },
        dead_letter: args.stream.dead_letter.clone(),
        state: if needs_state {
            Some((
                store::state_path(args.state.state.as_deref())?,
                args.state.durability,
            ))
        } else {
            None
        },
        spawn_max: args.spawn_max,
        objects: crate::stage::tee::Objects {
            max_bytes: args.max_bytes.max(1),
            max_age: duration("--max-age", &args.max_age)?,
            endpoint: args.endpoint.clone(),
            key_template: {
                let t = &args.key_template;
                if !t.contains("{uuid}") || t.starts_with('/') {
                    return Err(usage(format!(
                        "--key-template {t}: needs {{uuid}} (objects of one hour would \
                         overwrite each other) and no leading /"
                    )));
                }
                t.clone()
            },
        },
        id: args
            .id
            .as_deref()
            .map(|src| {
                Program::compile(src)
                    .map(|p| (src.to_string(), p))
                    .map_err(|e| usage(format!("--id {src}: {}", e.render(src))))
            })
            .transpose()?,
        create_stream: args.create_stream.clone(),
    };
    Ok((targets, settings))
}

pub fn run(args: &TeeArgs) -> anyhow::Result<Exit> {
    let built = build(args)?;
    let opts = super::stream_options("tee", &args.stream);
    let opts = super::with_resume(opts, &args.stream, &args.state, &args.inputs, built.own)?;
    let mut stage = built.piece.into_stage();
    stream::run(&opts, &args.inputs, stage.as_mut(), stream::event_writer()?)
}
