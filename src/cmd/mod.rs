//! One module per subcommand: each turns its parsed arguments into stages and runs them.

pub mod aggregate;
pub mod anchor;
pub mod annotate;
pub mod entwine;
pub mod filter;
pub mod log;
pub mod state;
pub mod tee;
pub mod verify;

use clap::ArgMatches;

use crate::cli::{Command, StateArgs, StreamArgs};
use crate::exit::{Exit, UsageError};
use crate::store;
use crate::stream::Options;
use crate::stream::resume::Resume;

/// Runs the chosen subcommand. `matches` are the parsed arguments of the whole command line,
/// for subcommands whose options act in the order they were given.
pub fn run(command: Command, matches: &ArgMatches) -> anyhow::Result<Exit> {
    let sub = matches.subcommand().map(|(_, m)| m).unwrap_or(matches);
    match command {
        Command::Filter(args) => filter::run(&args),
        Command::Annotate(args) => annotate::run(&args, sub),
        Command::Aggregate(args) => aggregate::run(&args, sub),
        Command::Log(args) => log::run(&args),
        Command::Tee(args) => tee::run(&args),
        Command::Entwine(args) => entwine::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Anchor(args) => anchor::run(&args),
        Command::State(args) => state::run(&args),
    }
}

/// Engine options from the shared stream flags.
fn stream_options(command: &'static str, s: &StreamArgs) -> Options {
    Options {
        command,
        text: s.text,
        on_error: s.on_error,
        dead_letter: s.dead_letter.clone(),
        max_line_bytes: s.max_line_bytes,
        progress: !s.quiet,
        limit: None,
        resume: None,
    }
}

/// Adds `--resume` to engine options. `own` is the scope of a stage with a name of its own
/// (an aggregate's, a topic, a stream), used when `--resume` gives none.
fn with_resume(
    mut opts: Options,
    s: &StreamArgs,
    state: &StateArgs,
    files: &[String],
    own: Option<String>,
) -> anyhow::Result<Options> {
    let Some(given) = &s.resume else {
        return Ok(opts);
    };
    if files.is_empty() || files.iter().any(|f| f == "-") {
        return Err(UsageError(
            "--resume keeps a place in files: name the input files (standard input has no \
             place to come back to)"
                .into(),
        )
        .into());
    }
    if opts.limit.is_some() {
        return Err(UsageError(
            "--resume cannot be used with --limit: the lines read past the limit would be \
             skipped next time"
                .into(),
        )
        .into());
    }
    let scope = match (given.is_empty(), own) {
        (false, _) => given.clone(),
        (true, Some(own)) => own,
        (true, None) => {
            return Err(UsageError(
                "--resume needs a name here, as in --resume=NAME: the place in each file is \
                 kept under it"
                    .into(),
            )
            .into());
        }
    };
    opts.resume = Some(Resume {
        scope,
        state: store::state_path(state.state.as_deref())?,
        durability: state.durability,
    });
    Ok(opts)
}
