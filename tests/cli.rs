//! The binary's face: help, version, links named binge-<sub>, usage errors.

use crate::util::*;

#[test]
fn help_lists_subcommands_and_exit_statuses() {
    let out = binge().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = stdout_of(&out);
    assert!(text.contains("filter"), "{text}");
    assert!(text.contains("Exit status:"), "{text}");
    assert!(text.contains("65"), "{text}");
}

#[test]
fn version_prints_the_package_version() {
    let out = binge().arg("--version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        stdout_of(&out).trim(),
        format!("binge {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_for_a_subcommand_has_examples_and_the_language() {
    for args in [&["help", "filter"][..], &["filter", "--help"][..]] {
        let out = binge().args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        let text = stdout_of(&out);
        assert!(text.contains("Examples:"), "{text}");
        assert!(text.contains("Expressions:"), "{text}");
        assert!(text.contains("--dead-letter"), "{text}");
    }
}

#[test]
fn the_top_level_long_help_ends_with_the_functions_reference_however_it_is_asked_for() {
    for args in [
        &["--help"][..],
        &["-o", "csv", "--help"][..],
        &["--help", "filter"][..],
        &["help"][..],
    ] {
        let out = binge().args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        let text = stdout_of(&out);
        assert!(text.contains("Exit status:"), "{args:?}: {text}");
        assert!(text.contains("uuid7()"), "{args:?}: {text}");
    }
}

/// Subcommands are built only when run (start-up time); their help must not change for it:
/// each keeps its own description, not the doc comment of a group of options it shares.
#[test]
fn each_subcommand_help_is_its_own_whichever_way_it_is_asked_for() {
    let top = stdout_of(&binge().arg("--help").output().unwrap());
    for sub in [
        "filter",
        "annotate",
        "aggregate",
        "log",
        "tee",
        "entwine",
        "verify",
        "anchor",
        "serve",
        "state",
        "run",
    ] {
        let direct = binge().args([sub, "--help"]).output().unwrap();
        let via_help = binge().args(["help", sub]).output().unwrap();
        assert!(
            direct.status.success() && via_help.status.success(),
            "{sub}"
        );
        let text = stdout_of(&direct);
        assert_eq!(text, stdout_of(&via_help), "{sub}");
        let short = stdout_of(&binge().args([sub, "-h"]).output().unwrap());
        let about = short.lines().next().unwrap();
        let start = &about[..about.len().min(40)];
        assert!(
            top.lines()
                .any(|l| l.trim_start().starts_with(sub) && l.contains(start)),
            "{sub}: '{about}' is not its line in binge --help:\n{top}"
        );
        assert!(
            !text.starts_with("Options every subcommand"),
            "{sub}: {text}"
        );
    }
}

#[test]
fn help_into_a_closed_pipe_is_not_an_error() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    for args in [&["help", "filter"][..], &["help", "functions"][..]] {
        let out = binge_std()
            .args(args)
            .stdout(writer.try_clone().unwrap())
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr_of(&out));
        assert_eq!(stderr_of(&out), "", "{args:?}");
    }
}

#[test]
fn every_subcommand_has_a_description_and_examples() {
    for sub in [
        "filter",
        "annotate",
        "aggregate",
        "log",
        "tee",
        "entwine",
        "verify",
        "anchor",
    ] {
        let out = binge().args(["help", sub]).output().unwrap();
        assert!(out.status.success(), "{sub}");
        let text = stdout_of(&out);
        assert!(text.contains("Examples:"), "{sub} has no examples");
        assert!(
            text.contains("Exit status:") || text.contains("Exit status"),
            "{sub}"
        );
    }
}

#[test]
fn no_arguments_shows_help_and_is_a_usage_error() {
    let out = binge().output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("Usage:"));
}

#[test]
fn unknown_flag_is_a_usage_error() {
    let out = binge()
        .args(["filter", "--frobnicate", "true"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("--frobnicate"));
}

#[test]
fn a_link_named_binge_filter_runs_filter() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("binge-filter");
    std::os::unix::fs::symlink(bin_path(), &link).unwrap();
    let out = std::process::Command::new(&link)
        .arg(".a == 1")
        .stdin_bytes(b"{\"a\":1}\n{\"a\":2}\n")
        .unwrap();
    assert!(out.status.success());
    assert_eq!(stdout_of(&out), "{\"a\":1}\n");
    let help = std::process::Command::new(&link)
        .arg("--help")
        .output()
        .unwrap();
    assert!(stdout_of(&help).contains("Keep the events for which EXPR is true"));
}

/// Runs a std command with bytes on its stdin.
trait StdinBytes {
    fn stdin_bytes(&mut self, input: &[u8]) -> std::io::Result<std::process::Output>;
}

impl StdinBytes for std::process::Command {
    fn stdin_bytes(&mut self, input: &[u8]) -> std::io::Result<std::process::Output> {
        use std::io::Write;
        use std::process::Stdio;
        let mut child = self
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        child.stdin.take().unwrap().write_all(input)?;
        child.wait_with_output()
    }
}

// Regression (issue 11.16): messages that misled. 4G was refused by a message saying 4G is
// allowed; a key name longer than a record can hold was accepted by keygen; `.a-b` blamed an
// unknown function 'b'.
#[test]
fn messages_say_what_is_wrong() {
    binge()
        .args(["filter", "--max-line-bytes", "4G", "true"])
        .write_stdin("{\"a\":1}\n")
        .assert()
        .success()
        .stdout("{\"a\":1}\n");
    let out = binge()
        .args(["filter", "--max-line-bytes", "5G", "true"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));

    let dir = tempfile::tempdir().unwrap();
    let out = binge()
        .args([
            "entwine",
            "keygen",
            "--origin",
            &"o".repeat(70_000),
            "--out",
        ])
        .arg(dir.path().join("k"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("70000 bytes is too long (at most 65535)"),
        "{}",
        stderr_of(&out)
    );
    assert!(!dir.path().join("k").exists());

    let out = binge()
        .args(["filter", ".a-b"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(!err.contains("unknown function"), "{err}");
    assert!(err.contains("write .\"a-b\""), "{err}");
}
