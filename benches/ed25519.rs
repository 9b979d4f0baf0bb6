//! What Ed25519 signing alone allows on one core, for comparing `entwine --sign-each` with:
//! signs record-sized messages for a few seconds and prints signatures per second.
//!
//!     cargo bench --bench ed25519

use std::time::{Duration, Instant};

use agglo::chain::note::Signer;

fn main() {
    let signer = Signer::generate("bench").expect("a key");
    // A record of a short origin is about 140 bytes.
    let mut msg = [7u8; 140];
    let started = Instant::now();
    let mut n: u64 = 0;
    while started.elapsed() < Duration::from_secs(3) {
        for _ in 0..1000 {
            msg[..8].copy_from_slice(&n.to_be_bytes());
            std::hint::black_box(signer.sign(&msg));
            n += 1;
        }
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    println!("ed25519 signing alone, one core: {rate:.0} signatures/s");
}
