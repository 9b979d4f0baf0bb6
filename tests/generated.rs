//! man/ and completions/ are generated from the clap definitions (src/cli.rs) and committed.
//! This test regenerates them and fails when the committed files differ.
//!
//! To regenerate after changing the command line:
//!     BINGE_REGENERATE=1 cargo test --test tests generated

use std::collections::BTreeMap;
use std::path::Path;

use clap_complete::Shell;

use crate::util::repo;

/// Every generated file: path relative to the repository, and contents.
fn generate() -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let man = tempfile::tempdir().unwrap();
    clap_mangen::generate_to(agglo::cli::command(), man.path()).unwrap();
    for entry in std::fs::read_dir(man.path()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        files.insert(format!("man/{name}"), std::fs::read(&path).unwrap());
    }
    for (shell, name) in [
        (Shell::Bash, "binge.bash"),
        (Shell::Zsh, "_binge"),
        (Shell::Fish, "binge.fish"),
    ] {
        let mut buf = Vec::new();
        clap_complete::generate(shell, &mut agglo::cli::command(), "binge", &mut buf);
        files.insert(format!("completions/{name}"), buf);
    }
    files
}

fn committed(dir: &str) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(repo().join(dir)) {
        for entry in entries {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            files.insert(format!("{dir}/{name}"), std::fs::read(&path).unwrap());
        }
    }
    files
}

#[test]
fn generated_man_pages_and_completions_are_current() {
    let fresh = generate();
    if std::env::var_os("BINGE_REGENERATE").is_some() {
        for dir in ["man", "completions"] {
            let _ = std::fs::remove_dir_all(repo().join(dir));
            std::fs::create_dir_all(repo().join(dir)).unwrap();
        }
        for (rel, bytes) in &fresh {
            std::fs::write(repo().join(Path::new(rel)), bytes).unwrap();
        }
        return;
    }
    let mut have = committed("man");
    have.extend(committed("completions"));
    let mut stale: Vec<&String> = fresh
        .keys()
        .chain(have.keys())
        .filter(|k| fresh.get(*k) != have.get(*k))
        .collect();
    stale.sort();
    stale.dedup();
    assert!(
        stale.is_empty(),
        "out of date: {stale:?}; regenerate with: BINGE_REGENERATE=1 cargo test --test tests generated"
    );
}
