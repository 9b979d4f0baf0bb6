//! Every `$ ...` example of the README's console blocks runs as written and prints what the
//! README shows. Each block runs in a fresh folder (with the repository's samples/ and tests/
//! beside it) with its own state file; `…` in a shown line stands for text that differs from
//! run to run (keys, hashes, the clock). Examples that never end (`tail -F`, `--follow`) are
//! not run.

use crate::util::*;

struct Example {
    command: String,
    shown: Vec<String>,
    line: usize,
}

fn examples(readme: &str) -> Vec<Vec<Example>> {
    let mut blocks = Vec::new();
    let mut lines = readme.lines().enumerate().peekable();
    while let Some((_, l)) = lines.next() {
        if l.trim() != "```console" {
            continue;
        }
        let mut block: Vec<Example> = Vec::new();
        while let Some((n, l)) = lines.next() {
            if l.trim() == "```" {
                break;
            }
            if let Some(cmd) = l.strip_prefix("$ ") {
                let mut command = cmd.to_string();
                while command.ends_with('\\') {
                    let (_, next) = lines.next().unwrap();
                    command.push('\n');
                    command.push_str(next);
                }
                block.push(Example {
                    command,
                    shown: Vec::new(),
                    line: n + 1,
                });
            } else if let Some(e) = block.last_mut() {
                e.shown.push(l.to_string());
            }
        }
        for e in &mut block {
            while e.shown.last().is_some_and(|l| l.trim().is_empty()) {
                e.shown.pop();
            }
        }
        blocks.push(block);
    }
    blocks
}

/// Whether `line` is what `shown` shows, `…` standing for any text.
fn matches(shown: &str, line: &str) -> bool {
    let parts: Vec<&str> = shown.split('…').collect();
    if parts.len() == 1 {
        return shown == line;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !line.starts_with(first) || !line.ends_with(last) || line.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &line[first.len()..line.len() - last.len()];
    for p in &parts[1..parts.len() - 1] {
        match rest.find(p) {
            Some(i) => rest = &rest[i + p.len()..],
            None => return false,
        }
    }
    true
}

#[test]
fn every_readme_example_runs_as_written() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let bin_dir = bin_path().parent().unwrap().to_path_buf();
    let mut failures = Vec::new();
    let mut ran = 0;
    for block in examples(&readme) {
        let dir = tempfile::tempdir().unwrap();
        for d in ["samples", "tests"] {
            std::os::unix::fs::symlink(repo().join(d), dir.path().join(d)).unwrap();
        }
        for e in block {
            if e.command.contains("tail -F") || e.command.contains("--follow") {
                continue;
            }
            ran += 1;
            let out = std::process::Command::new("sh")
                .arg("-c")
                .arg(&e.command)
                .current_dir(dir.path())
                .env_clear()
                .env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()))
                .env("TZ", "UTC")
                .env("HOME", dir.path())
                .env("BINGE_STATE", dir.path().join("state.db"))
                .output()
                .unwrap();
            let got: Vec<String> = stdout_of(&out)
                .lines()
                .chain(stderr_of(&out).lines())
                .map(str::to_string)
                .collect();
            let failed = e.shown.iter().any(|l| l.contains("syntax error"));
            let same =
                got.len() == e.shown.len() && e.shown.iter().zip(&got).all(|(s, g)| matches(s, g));
            if out.status.success() == failed || !same {
                failures.push(format!(
                    "README.md:{}: {}\n  status {:?}\n  shown:\n    {}\n  got:\n    {}",
                    e.line,
                    e.command,
                    out.status.code(),
                    e.shown.join("\n    "),
                    got.join("\n    ")
                ));
            }
        }
    }
    assert!(ran > 20, "only {ran} examples found");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
