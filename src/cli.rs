//! The command line: every clap definition lives here, the single source of `--help`, the man
//! pages and the shell completions. Nothing here runs anything.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::exit::EXIT_STATUS_HELP;
use crate::stream::OnError;

const ABOUT: &str = "Event-stream processing the Unix way: NDJSON in, NDJSON out";

const LONG_ABOUT: &str = "\
binge reads events (one JSON object per line) from files or standard input, processes them, \
and writes NDJSON to standard output, so its subcommands chain with shell pipes. Every \
subcommand can also be run through a link named binge-<subcommand>.";

const AFTER_HELP: &str = "\
Examples:
  tail -F /var/log/app.ndjson | binge filter '.level == \"error\"'
  binge filter --text '.message =~ \"Failed password\"' /var/log/auth.log

Every subcommand reads NDJSON from the files named (standard input when none, or -), writes \
compact NDJSON to standard output and passes unchanged events through byte for byte. Bad input \
lines are reported on stderr and skipped (see --on-error and --dead-letter).";

/// binge: event-stream processing the Unix way.
#[derive(Debug, Parser)]
#[command(
    name = "binge",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_long_help = format!("{AFTER_HELP}\n\n{EXIT_STATUS_HELP}"),
    propagate_version = true,
    disable_help_subcommand = false,
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Keep or drop events by an expression
    #[command(
        long_about = "Keep the events for which EXPR is true (anything but false and null), or with \
                      --invert those for which it is not. Kept events are written byte for byte \
                      as they arrived.",
        after_long_help = format!("{FILTER_EXAMPLES}\n\n{EXPR_HELP}\n\n{EXIT_STATUS_HELP}")
    )]
    Filter(FilterArgs),
}

impl Command {
    /// The subcommand's name, for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Filter(_) => "filter",
        }
    }
}

const FILTER_EXAMPLES: &str = "\
Examples:
  binge filter '.system == \"OpenSSH\" and .Content =~ \"^Invalid user\"' events.ndjson
  binge filter -v 'exists(.user.id)' events.ndjson
  tail -F /var/log/auth.log | binge filter --text '.message =~ \"sshd.*Failed\"'
  binge filter --limit 10 '.status >= 500' access.ndjson";

/// The expression language, as shown in `binge help filter` (and the man page).
pub const EXPR_HELP: &str = "\
Expressions:
  Paths       .a  .a.b  .a[0]  .a[-1]  .\"key with spaces\"  .a[\"k\"]  . (the whole event)
              A missing path is null.
  Literals    1  -2.5e3  \"text\" (JSON escapes; \\d and other unknown escapes are kept)
              true  false  null  [1, \"two\", .a]
  Operators   lowest to highest precedence:
                or ||    and &&    not !
                == != < <= > >=   =~ !~ (regular expression)   in
                + -    * / %    unary -
  Comparing   == and != compare any values (numbers by exact value: 1 == 1.0, and integers
              beyond 2^53 exactly); < <= > >= compare numbers with numbers and strings with
              strings; values of different types compare false. Comparisons do not chain.
  Matching    s =~ \"re\" is true when the regular expression matches somewhere in string s
              (Rust regex syntax; anchor with ^ and $; (?i) ignores case). Non-strings never
              match, with =~ or !~.
  in          x in [..] (element), \"k\" in {object} (key), \"sub\" in \"string\" (substring).
  Arithmetic  on numbers (integers exact up to 64 bits, otherwise floating point); + also joins
              strings and arrays; anything else, and division by zero, gives null.
  Truth       false and null are false, every other value is true.
  Functions   exists(path)  len(x)  lower(s)  upper(s)  starts_with(s, p)  ends_with(s, p)
              contains(s, p)  number(x)  string(x)  coalesce(a, b, ...)  time(x)  now()
              sha256(x)  hostname()  env(\"NAME\")  uuid7()  line()
              time() reads RFC 3339 text or an epoch number (unit guessed from its size) and
              gives epoch milliseconds, as now() does; line() is the input line number.";

/// Options every subcommand that reads events shares.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Input")]
pub struct StreamArgs {
    /// Read each input line as plain text: the event is {"message": LINE}
    #[arg(long)]
    pub text: bool,

    /// What to do with a line that is not a JSON object: report it and go on, or stop with
    /// exit status 65
    #[arg(long, value_enum, value_name = "POLICY", default_value_t = OnError::Skip)]
    pub on_error: OnError,

    /// Also append each bad line to FILE as {"source","line","error","raw"}
    #[arg(long, value_name = "FILE")]
    pub dead_letter: Option<PathBuf>,

    /// Lines longer than this are bad lines (suffixes K, M, G allowed)
    #[arg(long, value_name = "BYTES", default_value = "16M", value_parser = parse_size)]
    pub max_line_bytes: usize,

    /// Show no progress display (it is only ever shown when stderr is a terminal)
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct FilterArgs {
    /// The condition, in binge's expression language (see below)
    #[arg(value_name = "EXPR")]
    pub expr: String,

    /// Input files; standard input when none, or for -
    #[arg(value_name = "FILE")]
    pub files: Vec<String>,

    /// Keep the events for which EXPR is not true instead
    #[arg(short = 'v', long)]
    pub invert: bool,

    /// Stop after writing N events (and stop reading)
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,

    #[command(flatten)]
    pub stream: StreamArgs,
}

/// A byte count with an optional K, M or G suffix (powers of 1024).
fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let (digits, mult) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 1 << 10),
        Some((i, 'm' | 'M')) => (&t[..i], 1 << 20),
        Some((i, 'g' | 'G')) => (&t[..i], 1 << 30),
        _ => (t, 1),
    };
    digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .filter(|&n| n > 0 && n <= u32::MAX as usize)
        .ok_or_else(|| format!("'{s}' is not a size from 1 byte to 4G (such as 65536, 64K, 16M)"))
}

/// The arguments as if binge had been called by its own name: a link named `binge-<sub>`
/// runs `binge <sub>`.
pub fn normalize_args(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut args: Vec<OsString> = args.into_iter().collect();
    let sub = args
        .first()
        .and_then(|a0| Path::new(a0).file_name())
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_prefix("binge-"))
        .map(|s| s.trim_end_matches(".exe").to_string());
    if let Some(sub) = sub {
        args[0] = OsString::from("binge");
        args.insert(1, OsString::from(sub));
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn links_named_binge_sub_run_the_subcommand() {
        let args = normalize_args(["/usr/local/bin/binge-filter", "true"].map(OsString::from));
        assert_eq!(args, ["binge", "filter", "true"].map(OsString::from));
        let args = normalize_args(["binge", "filter"].map(OsString::from));
        assert_eq!(args, ["binge", "filter"].map(OsString::from));
    }

    #[test]
    fn sizes_take_suffixes() {
        assert_eq!(parse_size("65536"), Ok(65536));
        assert_eq!(parse_size("64K"), Ok(65536));
        assert_eq!(parse_size("16m"), Ok(16 << 20));
        assert!(parse_size("0").is_err());
        assert!(parse_size("5G").is_err());
        assert!(parse_size("lots").is_err());
    }
}
