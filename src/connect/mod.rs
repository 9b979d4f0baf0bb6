//! Outside systems behind the shapes the engine already has (DESIGN.md §8): NATS JetStream as a
//! `tee` target, a `log read` source and where `log mirror` forwards; S3-compatible object
//! stores as a `tee` target and an input of every subcommand. binge grows no cluster of its own.

pub mod nats;
pub mod objects;
