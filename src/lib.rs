//! agglo: the library behind the `binge` binary. Each module owns one concern (DESIGN.md §1):
//! the command line, the subcommands, the NDJSON engine, the expression language, the stages,
//! and the JSON values they share.

pub mod chain;
#[doc(hidden)]
pub mod checks;
pub mod cli;
pub mod cmd;
pub mod connect;
pub mod exit;
pub mod expr;
pub mod json;
pub mod log;
pub mod pipeline;
pub mod serve;
pub mod stage;
pub mod store;
pub mod stream;
pub mod sys;
pub mod time;
