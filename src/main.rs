//! The `binge` binary: argv[0] dispatch (`binge-<sub>` links), then exit statuses. Nothing else.

use std::process::ExitCode;

use agglo::cli::{Cli, normalize_args};
use agglo::exit::{Exit, UsageError};
use agglo::stream::StdoutClosed;
use clap::Parser;

fn main() -> ExitCode {
    let cli = match Cli::try_parse_from(normalize_args(std::env::args_os())) {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print to stdout and succeed; real usage errors exit 2.
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Usage.into()
            } else {
                Exit::Success.into()
            };
        }
    };
    let name = cli.command.name();
    match agglo::cmd::run(cli.command) {
        Ok(exit) => exit.into(),
        Err(err) if err.downcast_ref::<StdoutClosed>().is_some() => Exit::Success.into(),
        Err(err) => {
            eprintln!("binge {name}: {err:#}");
            if err.downcast_ref::<UsageError>().is_some() {
                Exit::Usage.into()
            } else {
                Exit::Failure.into()
            }
        }
    }
}
