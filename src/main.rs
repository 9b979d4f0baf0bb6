//! The `binge` binary: argv[0] dispatch (`binge-<sub>` links), then exit statuses. Nothing else.

use std::process::ExitCode;

use agglo::cli::{Cli, command_for, normalize_args};
use agglo::exit::{Exit, UsageError};
use agglo::stream::StdoutClosed;
use clap::FromArgMatches;

fn main() -> ExitCode {
    let args = normalize_args(std::env::args_os());
    let mut cmd = command_for(&args);
    let parsed = cmd
        .try_get_matches_from_mut(args)
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    // Freeing clap's whole tree takes longer than the rest of a run on empty input; the
    // process is about to run on and exit, which gives the memory back.
    std::mem::forget(cmd);
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
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
    match agglo::cmd::run(cli.command, &matches) {
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
