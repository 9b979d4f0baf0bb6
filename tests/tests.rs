//! Integration tests: the real `binge` binary, driven as a user would, one module per area.

mod util;

mod aggregate;
mod anchor;
mod annotate;
mod cli;
mod differential;
mod entwine;
mod faults;
mod filter;
mod formats;
mod fuzzed;
mod generated;
mod jcs;
mod log;
mod nats;
mod readme;
mod resume;
mod run;
mod s3;
mod samples;
mod serve;
mod stream;
mod tee;
mod verify;
mod zones;
