//! Link options for the `binge` binary. Nothing is generated.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    // A position-independent executable has every pointer in its read-only data relocated
    // by the dynamic loader at each start (22,000 of them, 160 pages written, about a third
    // of a run on empty input). binge is run once per cron tick and per pipeline stage, so
    // it is linked at a fixed address instead, as Go links its binaries; the libraries,
    // heap, stacks and memory maps stay randomised. benches/PROFILE.md has the figures.
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
