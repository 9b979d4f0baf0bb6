//! `binge filter EXPR [FILE...]`: keep (or with --invert drop) events by an expression.

use crate::cli::FilterArgs;
use crate::exit::{Exit, UsageError};
use crate::expr::Program;
use crate::stage::filter::Filter;
use crate::stage::{Built, Piece, Shared};
use crate::stream;

/// The stage the options describe (also what a pipeline's `{"filter": ...}` builds).
pub fn build(args: &FilterArgs) -> anyhow::Result<Built> {
    let program = Program::compile(&args.expr).map_err(|e| UsageError(e.render(&args.expr)))?;
    Ok(Built {
        piece: Piece::Free(Box::new(Shared::new(Filter::new(program, args.invert)))),
        own: None,
    })
}

pub fn run(args: &FilterArgs) -> anyhow::Result<Exit> {
    let mut stage = build(args)?.piece.into_stage();
    let mut opts = super::stream_options("filter", &args.stream);
    opts.limit = args.limit;
    let opts = super::with_resume(opts, &args.stream, &args.state, &args.files, None)?;
    stream::run(&opts, &args.files, stage.as_mut(), stream::event_writer()?)
}
