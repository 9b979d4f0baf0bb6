//! Every input a fuzzer found failing, replayed through the property it broke (fuzz/run and
//! src/checks.rs): fixed bugs stay fixed.

use crate::util::repo;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = repo().join("fuzz/regressions").join(target);
    let seeds = repo().join("fuzz/seeds").join(target);
    let mut n = 0;
    for d in [dir, seeds] {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let r = std::panic::catch_unwind(|| check(&data));
            assert!(r.is_ok(), "{target}: {} fails again", path.display());
            n += 1;
        }
    }
    assert!(n > 0, "{target}: no seeds or regressions to replay");
}

#[test]
fn json_line() {
    replay("json_line", agglo::checks::json_line);
}

#[test]
fn expr() {
    replay("expr", agglo::checks::expr);
}

#[test]
fn canonical() {
    replay("canonical", agglo::checks::canonical);
}

#[test]
fn note() {
    replay("note", agglo::checks::note);
}

#[test]
fn verify_export() {
    replay("verify_export", agglo::checks::verify_export);
}
