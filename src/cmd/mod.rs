//! One module per subcommand: each turns its parsed arguments into stages and runs them.

pub mod filter;

use crate::cli::{Command, StreamArgs};
use crate::exit::Exit;
use crate::stream::Options;

/// Runs the chosen subcommand.
pub fn run(command: Command) -> anyhow::Result<Exit> {
    match command {
        Command::Filter(args) => filter::run(&args),
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
