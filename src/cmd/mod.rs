//! One module per subcommand: each turns its parsed arguments into stages and runs them.

pub mod aggregate;
pub mod anchor;
pub mod annotate;
pub mod entwine;
pub mod filter;
pub mod log;
pub mod tee;
pub mod verify;

use clap::ArgMatches;

use crate::cli::{Command, StreamArgs};
use crate::exit::Exit;
use crate::stream::Options;

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
    }
}
