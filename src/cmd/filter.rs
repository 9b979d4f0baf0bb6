//! `binge filter EXPR [FILE...]`: keep (or with --invert drop) events by an expression.

use crate::cli::FilterArgs;
use crate::exit::{Exit, UsageError};
use crate::expr::Program;
use crate::stage::filter::Filter;
use crate::stream;

pub fn run(args: &FilterArgs) -> anyhow::Result<Exit> {
    let program = Program::compile(&args.expr).map_err(|e| UsageError(e.render(&args.expr)))?;
    let mut stage = Filter::new(program, args.invert);
    let mut opts = super::stream_options("filter", &args.stream);
    opts.limit = args.limit;
    let opts = super::with_resume(opts, &args.stream, &args.state, &args.files, None)?;
    stream::run(&opts, &args.files, &mut stage, stream::event_writer()?)
}
