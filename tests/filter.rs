//! `binge filter`: selection, exactness, --invert, --limit, expression errors.

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::time::Duration;

use crate::util::*;

const SSH_INVALID_USER: &str = r#".system == "OpenSSH" and .Content =~ "^Invalid user""#;

#[test]
fn selects_exactly_what_jq_selects_on_the_loghub_corpus() {
    let Some(corpus) = shared("json/loghub-events.ndjson") else {
        eprintln!("skipped: ../shared/data/json/loghub-events.ndjson is not beside this clone");
        return;
    };
    let expected = std::fs::read(data("loghub-openssh-invalid-user.ndjson")).unwrap();
    let out = binge()
        .args(["filter", SSH_INVALID_USER])
        .arg(&corpus)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(out.stderr, b"");
    assert!(
        out.stdout == expected,
        "output differs from what jq selects"
    );
}

const EXACT: &str = r#"{"id": 505874924095815681, "v": 1.10, "k": "\u00e9"}"#;

#[test]
fn unchanged_events_pass_byte_for_byte() {
    let input = format!("{EXACT}\n");
    binge()
        .args(["filter", "true"])
        .write_stdin(input.clone())
        .assert()
        .success()
        .stdout(input);
}

#[test]
fn big_integers_are_compared_exactly() {
    let input = format!("{EXACT}\n");
    binge()
        .args(["filter", ".id == 505874924095815681"])
        .write_stdin(input.clone())
        .assert()
        .success()
        .stdout(input.clone());
    binge()
        .args(["filter", ".id == 505874924095815680"])
        .write_stdin(input.clone())
        .assert()
        .success()
        .stdout("");
    binge()
        .args(["filter", r#".v == 1.1 and .k == "é""#])
        .write_stdin(input.clone())
        .assert()
        .success()
        .stdout(input);
}

#[test]
fn invert_keeps_the_others() {
    let input = "{\"a\":1}\n{\"a\":2}\n{\"b\":3}\n";
    binge()
        .args(["filter", "-v", ".a == 1"])
        .write_stdin(input)
        .assert()
        .success()
        .stdout("{\"a\":2}\n{\"b\":3}\n");
    binge()
        .args(["filter", "--invert", "exists(.a)"])
        .write_stdin(input)
        .assert()
        .success()
        .stdout("{\"b\":3}\n");
}

#[test]
fn truth_is_anything_but_false_and_null() {
    let input = "{\"a\":0}\n{\"a\":null}\n{\"a\":false}\n{\"a\":\"\"}\n{}\n";
    binge()
        .args(["filter", ".a"])
        .write_stdin(input)
        .assert()
        .success()
        .stdout("{\"a\":0}\n{\"a\":\"\"}\n");
}

#[test]
fn limit_stops_after_n_kept_events() {
    let input: String = (0..1000).map(|i| format!("{{\"i\":{i}}}\n")).collect();
    binge()
        .args(["filter", "--limit", "3", ".i % 2 == 1"])
        .write_stdin(input)
        .assert()
        .success()
        .stdout("{\"i\":1}\n{\"i\":3}\n{\"i\":5}\n");
}

#[test]
fn limit_stops_reading_an_input_that_never_ends() {
    // stdin stays open: binge must end on its own once it has written N events.
    let mut child = binge_std()
        .args(["filter", "--limit", "2", ".keep"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"{\"keep\":true,\"n\":1}\n{\"keep\":false}\n{\"keep\":true,\"n\":2}\n")
        .unwrap();
    stdin.flush().unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(std::time::Instant::now() < deadline, "binge kept reading");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success());
    let mut lines = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        lines.push(line.unwrap());
    }
    assert_eq!(
        lines,
        ["{\"keep\":true,\"n\":1}", "{\"keep\":true,\"n\":2}"]
    );
    drop(stdin);
}

#[test]
fn a_syntax_error_exits_2_and_marks_the_column() {
    let out = binge()
        .args(["filter", ".a == == 1"])
        .write_stdin("{}\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(out.stdout, b"");
    assert_eq!(
        stderr_of(&out),
        "binge filter: syntax error at column 7: expected a value, found '=='\n  .a == == 1\n        ^\n"
    );
}

#[test]
fn an_invalid_regex_is_a_usage_error_before_reading() {
    // No stdin is given: the error must come before binge waits for input.
    let out = binge().args(["filter", r#".a =~ "(""#]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("column 7: invalid regular expression"));
}

#[test]
fn paths_reach_into_nested_members_and_arrays() {
    let input = "{\"a\":{\"b\":[1,{\"c\":\"x\"}]}}\n{\"a\":{\"b\":[1]}}\n{\"a\":\"str\"}\n";
    binge()
        .args(["filter", r#".a.b[-1].c == "x""#])
        .write_stdin(input)
        .assert()
        .success()
        .stdout("{\"a\":{\"b\":[1,{\"c\":\"x\"}]}}\n");
}

#[test]
fn several_files_are_read_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.ndjson");
    let b = dir.path().join("b.ndjson");
    std::fs::write(&a, "{\"f\":\"a\",\"n\":1}\n{\"f\":\"a\",\"n\":2}\n").unwrap();
    std::fs::write(&b, "{\"f\":\"b\",\"n\":1}\n").unwrap();
    binge()
        .args(["filter", ".n == 1"])
        .arg(&a)
        .arg("-")
        .arg(&b)
        .write_stdin("{\"f\":\"stdin\",\"n\":1}\n")
        .assert()
        .success()
        .stdout("{\"f\":\"a\",\"n\":1}\n{\"f\":\"stdin\",\"n\":1}\n{\"f\":\"b\",\"n\":1}\n");
}

#[test]
fn a_missing_file_fails_with_status_1_after_reading_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let b = dir.path().join("b.ndjson");
    std::fs::write(&b, "{\"n\":1}\n").unwrap();
    let out = binge()
        .args(["filter", "true", "/nonexistent/in.ndjson"])
        .arg(&b)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout_of(&out), "{\"n\":1}\n");
    assert!(
        stderr_of(&out).starts_with("binge filter: /nonexistent/in.ndjson: No such file"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn the_line_number_is_available_to_expressions() {
    binge()
        .args(["filter", "line() == 3"])
        .write_stdin("{\"a\":1}\n\n{\"a\":3}\n{\"a\":4}\n")
        .assert()
        .success()
        .stdout("{\"a\":3}\n");
}

// Regression (issue 11.8): deep nesting overflowed the stack (SIGABRT) instead of being a
// syntax error.
#[test]
fn deeply_nested_expressions_are_syntax_errors_not_crashes() {
    // Each argument stays under the 128 KiB a single argument may have.
    let n = 10_000;
    let cases = [
        format!("{}1{}", "(".repeat(n), ")".repeat(n)),
        format!("{}true", "not ".repeat(n)),
        format!("{}true", "!".repeat(n)),
        format!("{}1", "- ".repeat(n)),
        format!("{}1{}", "[".repeat(n), "]".repeat(n)),
        format!("{}1{}", "len(".repeat(n), ")".repeat(n)),
        format!("1{}", "+1".repeat(n)),
        format!("true{}", "&&true".repeat(n)),
    ];
    for expr in &cases {
        let out = binge()
            .args(["filter", "--", expr])
            // Nothing to read: binge stops before reading, and a write could meet a closed pipe.
            .write_stdin("")
            .output()
            .unwrap();
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(2), "{}...: {err}", &expr[..20]);
        assert!(err.contains("nests more than 256 levels"), "{err}");
        assert!(
            err.len() < 400,
            "a long expression is shown around the column: {err}"
        );
    }
    // Nesting within the limit still works.
    let fine = format!("{}.a{} == 1", "(".repeat(200), ")".repeat(200));
    let out = binge()
        .args(["filter", &fine])
        .write_stdin("{\"a\":1}\n")
        .output()
        .unwrap();
    assert_eq!(stdout_of(&out), "{\"a\":1}\n", "{}", stderr_of(&out));
}

// Regression (issue 11.12): number("081110") was null while number(" 42") was 42; the smallest
// 64-bit integer plus 0 lost its digits; 1e-400 was signed as 0 while 1e400 was refused and
// compared unequal to 0; time() refused a time --parse-time reads. One rule each, everywhere.
#[test]
fn numbers_and_times_follow_one_rule_everywhere() {
    let out = binge()
        .args([
            "annotate",
            "--set",
            ".d=number(.date)",
            "--set",
            ".m=.min + 0",
            "--set",
            ".t=time(.when)",
        ])
        .write_stdin(
            "{\"date\":\"081110\",\"min\":-9223372036854775808,\"when\":\"2024-01-01 00:00:10\"}\n",
        )
        .output()
        .unwrap();
    assert_eq!(
        stdout_of(&out),
        "{\"date\":\"081110\",\"min\":-9223372036854775808,\"when\":\"2024-01-01 00:00:10\",\
         \"d\":81110,\"m\":-9223372036854775808,\"t\":1704067210000}\n",
        "{}",
        stderr_of(&out)
    );
    // A number no double holds compares exactly, and has no canonical form in either direction.
    let tiny = "{\"a\":1e-400}\n{\"a\":1e400}\n{\"a\":0}\n";
    let out = binge()
        .args(["filter", ".a == 0"])
        .write_stdin(tiny)
        .output()
        .unwrap();
    assert_eq!(stdout_of(&out), "{\"a\":0}\n");
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k.key");
    binge()
        .args(["entwine", "keygen", "--origin", "o", "--out"])
        .arg(&key)
        .assert()
        .success();
    let out = binge()
        .args(["entwine", "--key"])
        .arg(&key)
        .arg("--state")
        .arg(dir.path().join("s.db"))
        .write_stdin(tiny)
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(stdout_of(&out).lines().count(), 1, "{err}");
    assert!(
        err.contains("stdin:1: cannot canonicalize: the number 1e-400 is out of range"),
        "{err}"
    );
    assert!(
        err.contains("stdin:2: cannot canonicalize: the number 1e400 is out of range"),
        "{err}"
    );
}

// Regression (issue 11.15): a pattern taken from the event that is no regular expression made
// =~ silently false; "\b" in a pattern is a backspace, which binge now warns about.
#[test]
fn a_pattern_from_the_event_that_is_no_regex_makes_a_bad_line() {
    let out = binge()
        .args(["filter", ".a =~ .b"])
        .write_stdin("{\"a\":\"x(\",\"b\":\"x\\\\(\"}\n{\"a\":\"x\",\"b\":\"(\"}\n{\"a\":\"y\",\"b\":\"y\"}\n")
        .output()
        .unwrap();
    assert_eq!(
        stdout_of(&out),
        "{\"a\":\"x(\",\"b\":\"x\\\\(\"}\n{\"a\":\"y\",\"b\":\"y\"}\n"
    );
    let err = stderr_of(&out);
    assert!(
        err.contains("stdin:2: \"(\" is not a regular expression"),
        "{err}"
    );
    assert!(err.contains("1 bad line skipped"), "{err}");

    let out = binge()
        .args(["filter", ".a =~ \"\\bword\\b\""])
        .write_stdin("{\"a\":\"a word\"}\n")
        .output()
        .unwrap();
    assert!(
        stderr_of(&out).contains("holds a backspace"),
        "{}",
        stderr_of(&out)
    );
}
