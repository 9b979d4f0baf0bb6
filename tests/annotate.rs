//! `binge annotate`: every step with nested, missing and array paths, step order, --when,
//! text parsing, the built-in patterns on the real logs, and errors.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::util::*;

/// Runs annotate on `input` and returns stdout, asserting success and an empty stderr.
fn annotate(args: &[&str], input: &str) -> String {
    let out = binge()
        .arg("annotate")
        .args(args)
        .write_stdin(input.to_string())
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {}", stderr_of(&out));
    assert_eq!(stderr_of(&out), "", "{args:?}");
    stdout_of(&out)
}

#[test]
fn set_appends_new_keys_and_keeps_the_order_of_existing_ones() {
    assert_eq!(
        annotate(
            &["--set", ".b=20", "--set", ".new=1", "--set", ".a.y=2"],
            "{\"a\": {\"x\": 1}, \"b\": 2, \"c\": 3}\n"
        ),
        "{\"a\":{\"x\":1,\"y\":2},\"b\":20,\"c\":3,\"new\":1}\n"
    );
}

#[test]
fn set_creates_nested_objects_and_array_elements() {
    assert_eq!(
        annotate(
            &[
                "--set",
                ".x.y.z=1",
                "--set",
                ".arr[1]=\"b\"",
                "--set",
                ".l[2].k=true"
            ],
            "{\"arr\":[\"a\"]}\n"
        ),
        "{\"arr\":[\"a\",\"b\"],\"x\":{\"y\":{\"z\":1}},\"l\":[null,null,{\"k\":true}]}\n"
    );
    assert_eq!(
        annotate(&["--set", ".arr[-1]=9"], "{\"arr\":[1,2]}\n"),
        "{\"arr\":[1,9]}\n"
    );
}

#[test]
fn later_steps_see_what_earlier_ones_did() {
    assert_eq!(
        annotate(
            &["--set", ".b=.a * 2", "--set", ".c=.b + 1", "--delete", ".a"],
            "{\"a\":5}\n"
        ),
        "{\"b\":10,\"c\":11}\n"
    );
    // The same steps in another order give another result.
    assert_eq!(
        annotate(&["--delete", ".a", "--set", ".b=.a * 2"], "{\"a\":5}\n"),
        "{\"b\":null}\n"
    );
    assert_eq!(
        annotate(&["--rename", ".a=.z", "--set", ".w=.z"], "{\"a\":5}\n"),
        "{\"z\":5,\"w\":5}\n"
    );
}

#[test]
fn set_can_use_every_enrichment_function() {
    let out = annotate(
        &[
            "--set",
            ".host=hostname()",
            "--set",
            ".id=uuid7()",
            "--set",
            ".at=now()",
            "--set",
            ".n=line()",
            "--set",
            ".h=sha256(.msg)",
            "--set",
            ".t=time(.ts)",
            "--set",
            ".e=env(\"HOME\")",
        ],
        "\n{\"msg\":\"abc\",\"ts\":\"2024-05-01T10:30:00.250Z\"}\n",
    );
    let v = agglo::json::parse_value(out.trim().as_bytes())
        .unwrap()
        .into_owned();
    let get = |k: &str| v.member(k).unwrap().to_json();
    assert_eq!(get("host"), format!("\"{}\"", agglo::sys::hostname()));
    assert!(get("id").len() == 38 && get("id").as_bytes()[15] == b'7');
    assert!(get("at").parse::<i64>().unwrap() > 1_700_000_000_000);
    assert_eq!(get("n"), "2");
    assert_eq!(
        get("h"),
        "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\""
    );
    assert_eq!(get("t"), "1714559400250");
    // The test harness runs binge with an empty environment.
    assert_eq!(get("e"), "null");
}

#[test]
fn keep_existing_leaves_present_fields_alone() {
    assert_eq!(
        annotate(
            &[
                "--keep-existing",
                "--set",
                ".a=1",
                "--set",
                ".b=2",
                "--copy",
                ".b=.a"
            ],
            "{\"a\":\"old\"}\n"
        ),
        "{\"a\":\"old\",\"b\":2}\n"
    );
    assert_eq!(
        annotate(&["--set", ".a=1"], "{\"a\":\"old\"}\n"),
        "{\"a\":1}\n"
    );
}

#[test]
fn when_leaves_other_events_byte_for_byte() {
    let input = "{\"level\": \"info\",  \"n\": 1.10}\n{\"level\": \"error\", \"n\": 2}\n";
    assert_eq!(
        annotate(
            &["--when", ".level == \"error\"", "--set", ".alert=true"],
            input
        ),
        "{\"level\": \"info\",  \"n\": 1.10}\n{\"level\":\"error\",\"n\":2,\"alert\":true}\n"
    );
}

#[test]
fn changed_events_keep_exact_numbers() {
    assert_eq!(
        annotate(
            &["--set", ".k=1"],
            "{\"id\": 505874924095815681, \"v\": 1.10, \"e\": 1E+400}\n"
        ),
        "{\"id\":505874924095815681,\"v\":1.10,\"e\":1E+400,\"k\":1}\n"
    );
}

#[test]
fn rename_in_place_nested_missing_and_across_objects() {
    assert_eq!(
        annotate(&["--rename", ".b=.z"], "{\"a\":1,\"b\":2,\"c\":3}\n"),
        "{\"a\":1,\"z\":2,\"c\":3}\n"
    );
    assert_eq!(
        annotate(
            &["--rename", ".o.x=.o.y"],
            "{\"o\":{\"x\":1,\"y\":0,\"w\":2}}\n"
        ),
        "{\"o\":{\"x\":1,\"w\":2}}\n"
            .replace("\"x\":1", "\"y\":1")
            .as_str()
    );
    assert_eq!(
        annotate(&["--rename", ".o.x=.top"], "{\"o\":{\"x\":1},\"k\":0}\n"),
        "{\"o\":{},\"k\":0,\"top\":1}\n"
    );
    assert_eq!(
        annotate(&["--rename", ".missing=.z"], "{\"a\":1}\n"),
        "{\"a\":1}\n"
    );
    assert_eq!(
        annotate(&["--rename", ".arr[0]=.first"], "{\"arr\":[1,2]}\n"),
        "{\"arr\":[2],\"first\":1}\n"
    );
}

#[test]
fn copy_nested_missing_and_arrays() {
    assert_eq!(
        annotate(&["--copy", ".a.b=.c.d"], "{\"a\":{\"b\":[1]}}\n"),
        "{\"a\":{\"b\":[1]},\"c\":{\"d\":[1]}}\n"
    );
    assert_eq!(
        annotate(&["--copy", ".nope=.c"], "{\"a\":1}\n"),
        "{\"a\":1}\n"
    );
    assert_eq!(
        annotate(&["--copy", ".arr[-1]=.last"], "{\"arr\":[1,2,3]}\n"),
        "{\"arr\":[1,2,3],\"last\":3}\n"
    );
}

#[test]
fn delete_nested_missing_and_arrays() {
    assert_eq!(
        annotate(
            &[
                "--delete",
                ".a.b",
                "--delete",
                ".arr[0]",
                "--delete",
                ".nope.deeper"
            ],
            "{\"a\":{\"b\":1,\"c\":2},\"arr\":[1,2]}\n"
        ),
        "{\"a\":{\"c\":2},\"arr\":[2]}\n"
    );
    assert_eq!(
        annotate(&["--delete", "message"], "{\"message\":\"x\",\"k\":1}\n"),
        "{\"k\":1}\n"
    );
}

#[test]
fn keep_only_the_listed_paths() {
    assert_eq!(
        annotate(
            &["--keep", ".c,.a.x,.arr[1],.nope"],
            "{\"a\":{\"x\":1,\"y\":2},\"b\":3,\"c\":4,\"arr\":[5,6]}\n"
        ),
        "{\"a\":{\"x\":1},\"c\":4,\"arr\":[6]}\n"
    );
    assert_eq!(
        annotate(&["--keep", r#"."a,b""#], "{\"a,b\":1,\"c\":2}\n"),
        "{\"a,b\":1}\n"
    );
}

#[test]
fn a_step_that_cannot_apply_is_a_bad_line_naming_the_option() {
    let out = binge()
        .args(["annotate", "--set", ".a.b=1"])
        .write_stdin("{\"a\":\"text\"}\n{\"a\":{}}\n")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(stdout_of(&out), "{\"a\":{\"b\":1}}\n");
    assert_eq!(
        stderr_of(&out),
        "binge annotate: stdin:1: --set .a.b=1: .a is a string, not an object\n\
         binge annotate: 1 bad line skipped\n"
    );
    let out = binge()
        .args(["annotate", "--on-error", "fail", "--parse-json", ".p"])
        .write_stdin("{\"p\":\"{\\\"ok\\\":1}\"}\n{\"p\":\"{oops\"}\n{\"p\":\"2\"}\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65));
    assert_eq!(stdout_of(&out), "{\"p\":{\"ok\":1}}\n");
    assert_eq!(
        stderr_of(&out),
        "binge annotate: stdin:2: --parse-json .p: invalid JSON at byte 2: expected a string key in an object\n"
    );
}

#[test]
fn set_of_the_whole_event_must_stay_an_object() {
    assert_eq!(
        annotate(&["--set", ".=.inner"], "{\"inner\":{\"x\":1},\"y\":2}\n"),
        "{\"x\":1}\n"
    );
    let out = binge()
        .args(["annotate", "--set", ".=1"])
        .write_stdin("{}\n")
        .output()
        .unwrap();
    assert!(stderr_of(&out).contains("--set .=1: an event must stay an object, not become number"));
}

/// Runs binge with stdin open and never written: it must exit on its own.
fn exits_without_reading(args: &[&str]) -> std::process::Output {
    let mut child = binge_std()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "{args:?} waited for input");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn invalid_expressions_regexes_and_paths_exit_2_before_reading() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--set", ".b=.Pid * "],
            "binge annotate: --set .b=.Pid * : syntax error at column 8",
        ),
        (
            &["--set", ".b"],
            "binge annotate: --set .b: expected PATH=EXPR",
        ),
        (
            &["--when", ".a =="],
            "binge annotate: --when: syntax error at column 6",
        ),
        (
            &["--extract", "message=(unclosed"],
            "binge annotate: --extract message=(unclosed: invalid regular expression",
        ),
        (
            &["--extract", "message=plain"],
            "binge annotate: --extract message=plain: the regular expression has no named groups",
        ),
        (
            &["--extract", "message=@nginx"],
            "binge annotate: --extract message=@nginx: no built-in pattern @nginx (there are @syslog, @apache-error, @combined, @log4j)",
        ),
        (
            &["--delete", ".a +"],
            "binge annotate: --delete .a +: syntax error at column 4",
        ),
        (
            &["--delete", "."],
            "binge annotate: --delete .: the path must name a field",
        ),
        (
            &["--rename", ".a"],
            "binge annotate: --rename .a: expected OLD=NEW",
        ),
        (
            &["--parse-time", "ts=%Y-%q"],
            "binge annotate: --parse-time ts=%Y-%q: unknown time format directive %q",
        ),
        (
            &["--keep", ","],
            "binge annotate: --keep ,: expected one or more comma-separated paths",
        ),
    ];
    for (args, message) in cases {
        let mut all = vec!["annotate"];
        all.extend_from_slice(args);
        let out = exits_without_reading(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr_of(&out).starts_with(message),
            "{args:?}: {}",
            stderr_of(&out)
        );
        assert_eq!(out.stdout, b"");
    }
}

#[test]
fn extract_with_a_custom_regex_and_each_unmatched_policy() {
    let input = "{\"m\":\"user=ann id=7\"}\n{\"m\":\"nothing here\"}\n{\"m\":5}\n";
    let re = "m=user=(?P<user>\\w+) id=(?P<id>\\d+)";
    let matched = "{\"m\":\"user=ann id=7\",\"user\":\"ann\",\"id\":\"7\"}\n";
    let rest = "{\"m\":\"nothing here\"}\n{\"m\":5}\n";
    assert_eq!(
        annotate(&["--extract", re, "--unmatched", "pass"], input),
        format!("{matched}{rest}")
    );
    let out = binge()
        .args(["annotate", "--extract", re])
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(stdout_of(&out), format!("{matched}{rest}"));
    assert_eq!(
        stderr_of(&out),
        format!("binge annotate: 2 events did not match --extract {re} and passed unchanged\n")
    );
    let dir = tempfile::tempdir().unwrap();
    let dead = dir.path().join("dead.ndjson");
    let out = binge()
        .args([
            "annotate",
            "--extract",
            re,
            "--unmatched",
            "reject",
            "--dead-letter",
        ])
        .arg(&dead)
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(stdout_of(&out), matched);
    let kept = std::fs::read_to_string(&dead).unwrap();
    // The option text inside a JSON string: its backslashes are escaped.
    let re = re.replace('\\', "\\\\");
    assert_eq!(
        kept,
        format!(
            "{{\"source\":\"stdin\",\"line\":2,\"error\":\"--extract {re}: no match\",\"raw\":\"{{\\\"m\\\":\\\"nothing here\\\"}}\"}}\n\
             {{\"source\":\"stdin\",\"line\":3,\"error\":\"--extract {re}: .m is a number, not a string\",\"raw\":\"{{\\\"m\\\":5}}\"}}\n"
        )
    );
}

#[test]
fn parse_json_and_logfmt_replace_the_field() {
    assert_eq!(
        annotate(
            &[
                "--parse-json",
                ".p",
                "--parse-logfmt",
                "l",
                "--parse-json",
                ".missing"
            ],
            "{\"p\":\"[1, {\\\"a\\\": 2.50}]\",\"l\":\"level=warn msg=\\\"disk full\\\" retry\"}\n"
        ),
        "{\"p\":[1,{\"a\":2.50}],\"l\":{\"level\":\"warn\",\"msg\":\"disk full\",\"retry\":true}}\n"
    );
    // Already parsed: left as it is.
    assert_eq!(
        annotate(&["--parse-json", ".p"], "{\"p\":{\"a\":1}}\n"),
        "{\"p\":{\"a\":1}}\n"
    );
}

#[test]
fn parse_time_with_formats_rfc3339_and_epochs() {
    assert_eq!(
        annotate(
            &[
                "--parse-time",
                "a=%d/%b/%Y:%T %z",
                "--parse-time",
                ".b",
                "--parse-time",
                ".c",
                "--parse-time",
                ".d"
            ],
            "{\"a\":\"10/Oct/2000:13:55:36 -0700\",\"b\":\"2024-05-01T12:30:00.25+02:00\",\"c\":1714559400,\"d\":\"1714559400250\"}\n"
        ),
        "{\"a\":\"2000-10-10T20:55:36.000Z\",\"b\":\"2024-05-01T10:30:00.250Z\",\"c\":\"2024-05-01T10:30:00.000Z\",\"d\":\"2024-05-01T10:30:00.250Z\"}\n"
    );
    assert_eq!(
        annotate(
            &["--parse-time", ".c", "--time-unit", "ms"],
            "{\"c\":1714559400}\n"
        ),
        "{\"c\":\"1970-01-20T20:15:59.400Z\"}\n"
    );
    assert_eq!(
        annotate(
            &["--parse-time", "t=%b %e %T", "--year", "2019"],
            "{\"t\":\"Jul  3 04:08:03\"}\n"
        ),
        "{\"t\":\"2019-07-03T04:08:03.000Z\"}\n"
    );
    let out = binge()
        .args(["annotate", "--parse-time", ".t"])
        .write_stdin("{\"t\":\"soon\"}\n")
        .output()
        .unwrap();
    assert_eq!(
        stderr_of(&out),
        "binge annotate: stdin:1: --parse-time .t: cannot read \"soon\" as a time\nbinge annotate: 1 bad line skipped\n"
    );
}

#[test]
fn builtin_patterns_match_every_line_of_the_shared_logs() {
    let logs = [
        ("OpenSSH.log", "syslog"),
        ("Linux.log", "syslog"),
        ("Apache.log", "apache-error"),
        ("HDFS.log", "log4j"),
        ("Zookeeper.log", "log4j"),
        ("Spark.log", "log4j"),
    ];
    for (file, pattern) in logs {
        let Some(path) = shared(&format!("logs/{file}")) else {
            eprintln!("skipped: ../shared/data/logs/{file} is not beside this clone");
            continue;
        };
        let out = binge()
            .args([
                "annotate",
                "--text",
                "--unmatched",
                "reject",
                "--on-error",
                "fail",
            ])
            .arg("--extract")
            .arg(format!("message=@{pattern}"))
            .arg(&path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{file}: {}", stderr_of(&out));
        assert_eq!(stdout_of(&out).lines().count(), 2000, "{file}");
    }
}

// Regression (issue 11.14): annotate rewrote members it did not touch: a lone surrogate became
// U+FFFD, escapes and number text changed. Untouched members keep their bytes.
#[test]
fn members_no_step_touches_keep_their_bytes() {
    let line = "{\"a\":\"\\ud800x\",\"b\":1.50,\"c\":\"\\u0041\",\"d\":{\"e\" : 1e2}}";
    let out = binge()
        .args([
            "annotate", "--set", ".x=1", "--set", ".b=.b", "--delete", ".c",
        ])
        .write_stdin(format!("{line}\n"))
        .output()
        .unwrap();
    assert_eq!(
        stdout_of(&out),
        "{\"a\":\"\\ud800x\",\"b\":1.50,\"d\":{\"e\" : 1e2},\"x\":1}\n",
        "{}",
        stderr_of(&out)
    );
    // A renamed member is written anew under its new name; the others keep their bytes.
    let out = binge()
        .args(["annotate", "--rename", ".c=.C"])
        .write_stdin(format!("{line}\n"))
        .output()
        .unwrap();
    assert_eq!(
        stdout_of(&out),
        "{\"a\":\"\\ud800x\",\"b\":1.50,\"C\":\"A\",\"d\":{\"e\" : 1e2}}\n"
    );
}

/// Two values equal as JSON values: numbers by value (jq writes 5.0 where binge writes 5).
fn same(a: &agglo::json::Value<'_>, b: &agglo::json::Value<'_>) -> bool {
    use agglo::json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((k, p), (l, q))| k == l && same(p, q))
        }
        _ => a == b,
    }
}

/// The expression language against jq: 32 expressions both can say, on the Loghub excerpt,
/// give the values jq 1.6 gave (tests/data/jq-differential, made with the jq expressions in
/// expressions.tsv).
#[test]
fn expressions_agree_with_jq_on_the_loghub_excerpt() {
    let dir = data("jq-differential");
    let exprs = std::fs::read_to_string(dir.join("expressions.tsv")).unwrap();
    let expected = std::fs::read_to_string(dir.join("expected.ndjson")).unwrap();
    let expected = ndjson(&expected);
    let events = repo().join("samples/filter-invalid-users/events.ndjson");
    let mut checked = 0;
    for (k, line) in exprs.lines().enumerate() {
        let (ours, theirs) = line.split_once('\t').unwrap();
        let out = binge()
            .args(["annotate", "--set"])
            .arg(format!(".r={ours}"))
            .args(["--keep", ".r"])
            .arg(&events)
            .output()
            .unwrap();
        assert!(out.status.success(), "{ours}: {}", stderr_of(&out));
        let got = ndjson(&stdout_of(&out));
        let want: Vec<_> = expected
            .iter()
            .filter(|v| field(v, "k") == k.to_string())
            .collect();
        assert_eq!(got.len(), want.len(), "{ours}");
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            let (g, w) = (g.member("r").unwrap(), w.member("r").unwrap());
            assert!(
                same(g, w),
                "{ours} (jq: {theirs}), event {i}: {} vs {}",
                g.to_json(),
                w.to_json()
            );
        }
        checked += 1;
    }
    assert!(checked >= 20);
}

/// ZooKeeper's log (Loghub) with two Java stack traces: one event per log record, the trace in
/// its message, every record read by @log4j.
#[test]
fn multiline_joins_stack_traces_to_their_record() {
    let log = data("multiline/zookeeper-with-traces.log");
    let records = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("2015-"))
        .count();
    for rule in ["@java", r"^\d{4}-\d{2}-\d{2} "] {
        let out = binge()
            .args([
                "annotate",
                "--text",
                "--multiline",
                rule,
                "--extract",
                "message=@log4j",
            ])
            .arg(&log)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        assert_eq!(stderr_of(&out), "", "{rule}: every record matched");
        let events = ndjson(&stdout_of(&out));
        assert_eq!(events.len(), records, "{rule}");
        let error = events
            .iter()
            .find(|v| field(v, "level") == "\"ERROR\"")
            .unwrap();
        let message = error.member("message").unwrap().as_str().unwrap();
        assert!(message.starts_with("Unexpected Exception: \njava.lang.RuntimeException"));
        assert!(
            message.contains("\nCaused by: java.net.ConnectException: Connection refused\n\tat ")
        );
        assert_eq!(message.lines().count(), 14, "{message}");
    }
    // Without --multiline each trace line is an event of its own, and matches nothing.
    let out = binge()
        .args(["annotate", "--text", "--extract", "message=@log4j"])
        .arg(&log)
        .output()
        .unwrap();
    assert_eq!(ndjson(&stdout_of(&out)).len(), 33);
    assert!(
        stderr_of(&out).contains("17 events did not match"),
        "{}",
        stderr_of(&out)
    );
}

/// Behind `tail -F`: the last record comes out soon after its trace, while the input stays
/// open.
#[test]
fn multiline_hands_on_the_last_event_when_the_input_goes_quiet() {
    use std::io::Write;
    let mut child = binge_std()
        .args(["filter", "--text", "--multiline", "@java", "true"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let rx = lines_as_they_come(child.stdout.take().unwrap());
    stdin
        .write_all(b"2024-01-01 10:00:00,000 ERROR [main] app: failed\njava.lang.Exception: x\n\tat a.b(C.java:1)\n")
        .unwrap();
    stdin.flush().unwrap();
    let event = rx.recv_timeout(Duration::from_secs(20)).unwrap();
    assert_eq!(
        event,
        r#"{"message":"2024-01-01 10:00:00,000 ERROR [main] app: failed\njava.lang.Exception: x\n\tat a.b(C.java:1)"}"#
    );
    assert!(child.try_wait().unwrap().is_none(), "binge ended");
    drop(stdin);
    assert!(child.wait().unwrap().success());
}
