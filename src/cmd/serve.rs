//! `binge serve`: turns the flags into the daemon's settings and runs it.

use anyhow::Context;

use crate::cli::ServeArgs;
use crate::exit::{Exit, UsageError};
use crate::expr::Program;
use crate::store::{self, Store};

pub fn run(args: &ServeArgs) -> anyhow::Result<Exit> {
    if let Some(config) = &args.pipeline {
        return crate::pipeline::run_file(config, false, Some(args));
    }
    crate::serve::serve(settings(args)?)?;
    Ok(Exit::Success)
}

/// The daemon's settings from its options (also those of a pipeline's `{"http": ...}` input).
pub fn settings(args: &ServeArgs) -> anyhow::Result<crate::serve::Settings> {
    let token = match &args.token_file {
        Some(path) => {
            let t = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the token file {}", path.display()))?;
            let t = t.trim().to_string();
            if t.is_empty() {
                return Err(UsageError(format!("{} holds no token", path.display())).into());
            }
            Some(t)
        }
        None => None,
    };
    let id = args
        .id
        .as_deref()
        .map(|src| {
            Program::compile(src).map_err(|e| UsageError(format!("--id {src}: {}", e.render(src))))
        })
        .transpose()?;
    let log = match &args.log {
        Some(topic) => {
            let path = store::state_path(args.state.state.as_deref())?;
            Some((Store::open(&path, args.state.durability)?, topic.clone()))
        }
        None => None,
    };
    Ok(crate::serve::Settings {
        listen: args.listen.clone(),
        max_body: args.max_body,
        token,
        log,
        id,
        queue: args.queue,
        out: None,
        meters: Vec::new(),
    })
}
