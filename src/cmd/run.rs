//! `binge run PIPELINE.json`: see [`crate::pipeline`].

use crate::cli::RunArgs;
use crate::exit::Exit;

pub fn run(args: &RunArgs) -> anyhow::Result<Exit> {
    crate::pipeline::run_file(&args.config, args.check, None)
}
