//! Runs every sample in samples/ and compares its output with `expected`, byte for byte. Its
//! stderr must be empty, or equal `expected-stderr` when the sample has one.

use std::process::Command;

use crate::util::*;

#[test]
fn every_sample_produces_its_expected_output() {
    let bin_dir = bin_path().parent().unwrap().to_path_buf();
    let mut dirs: Vec<_> = std::fs::read_dir(repo().join("samples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty());
    let mut failures = Vec::new();
    for dir in &dirs {
        let expected = std::fs::read(dir.join("expected"))
            .unwrap_or_else(|_| panic!("{} has no expected file", dir.display()));
        let out = Command::new("sh")
            .arg("run")
            .current_dir(dir)
            .env_clear()
            .env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()))
            // The samples' logs carry no zone: they are read as UTC on every machine.
            .env("TZ", "UTC")
            .output()
            .unwrap();
        let expected_err = std::fs::read(dir.join("expected-stderr")).unwrap_or_default();
        if !out.status.success() || out.stdout != expected || out.stderr != expected_err {
            failures.push(format!(
                "{}: status {:?}, {} bytes out vs {} expected\n{}",
                dir.display(),
                out.status.code(),
                out.stdout.len(),
                expected.len(),
                stderr_of(&out)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
