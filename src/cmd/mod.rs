//! One module per subcommand: each turns its parsed arguments into stages and runs them.

pub mod aggregate;
pub mod anchor;
pub mod annotate;
pub mod entwine;
pub mod filter;
pub mod log;
pub mod run;
pub mod serve;
pub mod state;
pub mod tee;
pub mod verify;

use std::io::Write;

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
    // Global options: clap hands their values to every level of the command line.
    crate::time::set_zone(matches.get_one::<String>("tz").map(String::as_str))
        .map_err(|e| UsageError(format!("--tz: {e}")))?;
    crate::stream::format::choose(
        matches
            .get_one::<crate::stream::Format>("output")
            .copied()
            .unwrap_or_default(),
        matches
            .get_many::<String>("columns")
            .map(|c| c.cloned().collect()),
    );
    let records = match &command {
        Command::Verify(_) | Command::Anchor(_) => true,
        Command::Entwine(e) => e.command.is_some(),
        _ => false,
    };
    if records && crate::stream::format::chosen() != crate::stream::Format::Ndjson {
        // Exports, proofs, requests and reports are records other tools read, not events.
        return Err(UsageError(format!(
            "{} writes its records as NDJSON only; pipe them into binge filter true -o FORMAT",
            command.name()
        ))
        .into());
    }
    if matches!(
        &command,
        Command::Filter(_)
            | Command::Annotate(_)
            | Command::Aggregate(_)
            | Command::Tee(_)
            | Command::Entwine(_)
    ) && sub.try_get_one::<bool>("print_config").ok().flatten() == Some(&true)
    {
        let text = crate::pipeline::print_config(command.name(), sub);
        return match crate::stream::stdout()?.write_all(text.as_bytes()) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Exit::Success),
            other => other.map(|_| Exit::Success).map_err(Into::into),
        };
    }
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
        Command::Help(args) => help(&args.topic),
        Command::Serve(args) => serve::run(&args),
        Command::Run(args) => run::run(&args),
    }
}

/// `binge help [TOPIC...]`: a subcommand's long help, or the functions reference.
fn help(topic: &[String]) -> anyhow::Result<Exit> {
    if topic.len() == 1 && topic[0] == "functions" {
        return write_help(&crate::expr::functions_reference());
    }
    let mut cmd = crate::cli::command();
    let mut at = &mut cmd;
    for word in topic {
        let Some(next) = at.find_subcommand_mut(word) else {
            return Err(UsageError(format!(
                "no help on '{word}': give a subcommand (binge --help lists them) or functions"
            ))
            .into());
        };
        at = next;
    }
    let help = at.render_long_help();
    // Styled as clap styles it: on a terminal only.
    let text = if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        help.ansi().to_string()
    } else {
        help.to_string()
    };
    write_help(&text)
}

/// Help goes to stdout; a reader that closed it early (`| head`) is not an error.
fn write_help(text: &str) -> anyhow::Result<Exit> {
    match crate::stream::stdout()?.write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Exit::Success),
        other => other.map(|_| Exit::Success).map_err(Into::into),
    }
}

/// Engine options from the shared stream flags.
pub(crate) fn stream_options(command: &'static str, s: &StreamArgs) -> Options {
    Options {
        command,
        text: s.text,
        on_error: s.on_error,
        dead_letter: s.dead_letter.clone(),
        max_line_bytes: s.max_line_bytes,
        progress: !s.quiet,
        limit: None,
        resume: None,
        multiline: s.multiline.clone(),
    }
}

/// Adds `--resume` to engine options. `own` is the scope of a stage with a name of its own
/// (an aggregate's, a topic, a stream), used when `--resume` gives none.
pub(crate) fn with_resume(
    mut opts: Options,
    s: &StreamArgs,
    state: &StateArgs,
    files: &[String],
    own: Option<String>,
) -> anyhow::Result<Options> {
    let Some(given) = &s.resume else {
        return Ok(opts);
    };
    if files.iter().any(|f| f.starts_with("s3://")) {
        return Err(UsageError(
            "--resume keeps a place in files; s3:// objects have none to come back to".into(),
        )
        .into());
    }
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
