//! Exit statuses, in one place (listed in `binge --help` and the man page), and the errors that
//! choose them.

use std::fmt;
use std::process::ExitCode;

/// What binge's exit status means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything was read and written.
    Success = 0,
    /// A runtime failure: I/O, database, network.
    Failure = 1,
    /// A usage error: a bad flag or value, an expression that does not parse.
    Usage = 2,
    /// `verify`: verified, but not everything is anchored (`--strict`).
    Incomplete = 3,
    /// A bad input line under `--on-error fail`.
    BadInput = 65,
    /// Stopped by SIGINT or SIGTERM, after finishing what was read (flushed, saved, committed).
    Interrupted = 130,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// The text of the EXIT STATUS section of the help and man page.
pub const EXIT_STATUS_HELP: &str = "\
Exit status:
  0   success (also when the reader of stdout stops early, as `| head` does)
  1   runtime failure: I/O, database, network, an input file that cannot be read (verify:
      tampering or a fork found)
  2   usage error: a bad flag or value, an expression that does not parse (verify: an
      unusable export or trust file)
  3   verify --strict: verified, but not everything is anchored
  65  a bad input line under --on-error fail
  130 stopped by SIGINT or SIGTERM, after handling, writing and saving what had been read
      (a second signal ends binge at once)";

/// An error in how binge was called, found before any input was read: exit status 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}
