//! `binge aggregate`: statistics against mlr and agglo, named state across runs and processes,
//! windows, and collect-until-complete.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use agglo::json::Value;

use crate::util::*;

const PID_STATS: &[&str] = &[
    "--by", ".system", "--count", "--sum", ".Pid", "--min", ".Pid", "--max", ".Pid", "--avg",
    ".Pid",
];

/// Runs `binge aggregate ARGS` on `input`, asserting success.
fn aggregate(args: &[&str], input: &str) -> String {
    let out = binge()
        .arg("aggregate")
        .args(args)
        .write_stdin(input.to_string())
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {}", stderr_of(&out));
    stdout_of(&out)
}

fn state_args(dir: &Path) -> Vec<String> {
    vec!["--state".into(), dir.join("state.db").display().to_string()]
}

/// The Loghub corpus when this machine has it, else the sample excerpt every clone has.
fn corpus() -> PathBuf {
    shared("json/loghub-events.ndjson")
        .unwrap_or_else(|| repo().join("samples/filter-invalid-users/events.ndjson"))
}

#[test]
fn statistics_equal_mlr_stats1_on_the_loghub_corpus() {
    let Some(corpus) = shared("json/loghub-events.ndjson") else {
        eprintln!("skipped: ../shared/data/json/loghub-events.ndjson is not beside this clone");
        return;
    };
    let out = binge()
        .arg("aggregate")
        .args(PID_STATS)
        .arg(&corpus)
        .output()
        .unwrap();
    assert!(out.status.success());
    let ours = ndjson(&stdout_of(&out));
    let mlr =
        ndjson(&std::fs::read_to_string(data("loghub-mlr-stats1-pid-by-system.ndjson")).unwrap());
    assert_eq!(ours.len(), mlr.len());
    for (b, m) in ours.iter().zip(&mlr) {
        assert_eq!(field(b, "system"), field(m, "system"));
        // Every system has 2000 events; mlr counts Pid values, binge counts events.
        assert_eq!(field(b, "count"), "2000");
        if m.member("Pid_count").is_none() {
            // A system whose events all have "Pid": null: mlr writes no statistics, binge
            // writes null for each (documented).
            for k in ["Pid_sum", "Pid_min", "Pid_max", "Pid_avg"] {
                assert_eq!(field(b, k), "null", "{}", field(b, "system"));
            }
            continue;
        }
        assert_eq!(field(m, "Pid_count"), "2000");
        for (ours, theirs) in [
            ("Pid_sum", "Pid_sum"),
            ("Pid_min", "Pid_min"),
            ("Pid_max", "Pid_max"),
        ] {
            assert_eq!(field(b, ours), field(m, theirs), "{}", field(b, "system"));
        }
        let avg: f64 = field(b, "Pid_avg").parse().unwrap();
        let mean: f64 = field(m, "Pid_mean").parse().unwrap();
        assert!((avg - mean).abs() < 1e-6, "{avg} vs {mean}");
    }
}

#[test]
fn agglos_grouped_test() {
    let input = [
        ("kevin", 2),
        ("alice", 2),
        ("bob", 1),
        ("kevin", 12),
        ("alice", 10),
        ("bob", 4),
        ("alice", 2),
        ("bob", 1),
    ]
    .iter()
    .map(|(n, v)| format!("{{\"name\":\"{n}\",\"num\":{v}}}\n"))
    .collect::<String>();
    let out = aggregate(
        &[
            "--by", ".name", "--min", ".num", "--max", ".num", "--count", "--sum", ".num",
        ],
        &input,
    );
    assert_eq!(
        out,
        "{\"name\":\"kevin\",\"num_min\":2,\"num_max\":12,\"count\":2,\"num_sum\":14}\n\
         {\"name\":\"alice\",\"num_min\":2,\"num_max\":10,\"count\":3,\"num_sum\":14}\n\
         {\"name\":\"bob\",\"num_min\":1,\"num_max\":4,\"count\":3,\"num_sum\":6}\n"
    );
}

#[test]
fn distinct_hist_names_and_several_groups() {
    let input = "{\"h\":\"a\",\"s\":200,\"u\":1,\"p\":\"/x\"}\n\
                 {\"h\":\"a\",\"s\":500,\"u\":2,\"p\":\"/y\"}\n\
                 {\"h\":\"a\",\"s\":200,\"u\":1,\"p\":\"/x\"}\n\
                 {\"h\":\"b\",\"s\":200,\"p\":\"/x\"}\n";
    assert_eq!(
        aggregate(
            &[
                "--by",
                ".h",
                "--distinct",
                "users=.u",
                "--hist",
                ".p",
                "--hist",
                "codes=string(.s)"
            ],
            input
        ),
        "{\"h\":\"a\",\"users\":2,\"p_hist\":{\"/x\":2,\"/y\":1},\"codes\":{\"200\":2,\"500\":1}}\n\
         {\"h\":\"b\",\"users\":0,\"p_hist\":{\"/x\":1},\"codes\":{\"200\":1}}\n"
    );
    assert_eq!(
        aggregate(&["--by", ".h", "--by", "ok=.s < 400", "--count"], input),
        "{\"h\":\"a\",\"ok\":true,\"count\":2}\n{\"h\":\"a\",\"ok\":false,\"count\":1}\n{\"h\":\"b\",\"ok\":true,\"count\":1}\n"
    );
    // No --by: one group of everything.
    assert_eq!(
        aggregate(&["--count", "--max", ".s"], input),
        "{\"count\":4,\"s_max\":500}\n"
    );
}

#[test]
fn emit_each_writes_the_group_after_every_event() {
    assert_eq!(
        aggregate(
            &["--by", ".k", "--count", "--sum", ".n", "--emit", "each"],
            "{\"k\":\"a\",\"n\":1}\n{\"k\":\"b\",\"n\":5}\n{\"k\":\"a\",\"n\":2}\n"
        ),
        "{\"k\":\"a\",\"count\":1,\"n_sum\":1}\n{\"k\":\"b\",\"count\":1,\"n_sum\":5}\n{\"k\":\"a\",\"count\":2,\"n_sum\":3}\n"
    );
}

#[test]
fn definitions_are_checked_before_reading() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--sum", ".a * 2"],
            "--sum .a * 2: name it, as in --sum NAME=.a * 2",
        ),
        (
            &["--by", ".a", "--by", ".a", "--count"],
            "two output fields would be named a",
        ),
        (&["--by", ".a"], "give at least one statistic"),
        (
            &["--count", "--window", "5x", "--time", ".t"],
            "--window 5x: expected a duration",
        ),
        (&["--sum", ".a =="], "--sum .a ==: syntax error at column 6"),
    ];
    for (args, msg) in cases {
        let out = binge().arg("aggregate").args(*args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr_of(&out).contains(msg),
            "{args:?}: {}",
            stderr_of(&out)
        );
    }
}

#[test]
fn named_runs_continue_from_the_saved_totals() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(corpus()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let third = lines.len() / 3;
    let parts = [
        &lines[..third],
        &lines[third..2 * third],
        &lines[2 * third..],
    ];
    let mut last = String::new();
    for part in parts {
        let input: String = part.iter().map(|l| format!("{l}\n")).collect();
        let mut args: Vec<String> = PID_STATS.iter().map(|s| s.to_string()).collect();
        args.extend(["--name".into(), "pid".into()]);
        args.extend(state_args(dir.path()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        last = aggregate(&args, &input);
    }
    let whole = aggregate(PID_STATS, &text);
    assert_eq!(last, whole);
    // --show prints the same without reading input, even without the definition.
    let out = binge()
        .args(["aggregate", "--name", "pid", "--show"])
        .args(state_args(dir.path()))
        .output()
        .unwrap();
    assert_eq!(stdout_of(&out), whole);
    // Another definition under the same name is refused.
    let out = binge()
        .args(["aggregate", "--name", "pid", "--count"])
        .args(state_args(dir.path()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains(
            "aggregate pid was made with --by .system --count --sum .Pid --min .Pid --max .Pid \
             --avg .Pid; this run asks for --count."
        ),
        "{}",
        stderr_of(&out)
    );
    // --reset forgets it.
    binge()
        .args(["aggregate", "--name", "pid", "--reset"])
        .args(state_args(dir.path()))
        .assert()
        .success();
    let out = binge()
        .args(["aggregate", "--name", "pid", "--show"])
        .args(state_args(dir.path()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_of(&out).contains("no aggregate named pid"));
}

#[test]
fn concurrent_runs_into_one_name_add_up() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus();
    let mut children = Vec::new();
    for _ in 0..3 {
        children.push(
            binge_std()
                .arg("aggregate")
                .args(PID_STATS)
                .args(["--name", "pid"])
                .args(state_args(dir.path()))
                .arg(&corpus)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap(),
        );
    }
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
    }
    let shown = binge()
        .args(["aggregate", "--name", "pid", "--show"])
        .args(state_args(dir.path()))
        .output()
        .unwrap();
    let once = binge()
        .arg("aggregate")
        .args(PID_STATS)
        .arg(&corpus)
        .output()
        .unwrap();
    let shown = ndjson(&stdout_of(&shown));
    let once = ndjson(&stdout_of(&once));
    assert_eq!(shown.len(), once.len());
    for (s, o) in shown.iter().zip(&once) {
        assert_eq!(field(s, "system"), field(o, "system"));
        let count = |v: &Value<'_>| field(v, "count").parse::<i64>().unwrap();
        assert_eq!(count(s), 3 * count(o));
        if field(o, "Pid_sum") != "null" {
            let sum = |v: &Value<'_>| field(v, "Pid_sum").parse::<i64>().unwrap();
            assert_eq!(sum(s), 3 * sum(o));
            assert_eq!(field(s, "Pid_min"), field(o, "Pid_min"));
            assert_eq!(field(s, "Pid_max"), field(o, "Pid_max"));
        }
    }
}

/// Per-minute counts of a syslog file, computed from the raw text.
fn minute_counts(log: &str) -> BTreeMap<String, i64> {
    let mut counts = BTreeMap::new();
    for line in log.lines().filter(|l| !l.trim().is_empty()) {
        *counts.entry(line[..12].to_string()).or_insert(0) += 1;
    }
    counts
}

#[test]
fn one_minute_windows_match_counts_from_the_raw_log() {
    let log_path = shared("logs/OpenSSH.log")
        .unwrap_or_else(|| repo().join("samples/annotate-syslog-openssh/auth.log"));
    let log = std::fs::read_to_string(&log_path)
        .unwrap()
        .replace('\r', "");
    let structured = binge()
        .args([
            "annotate",
            "--text",
            "--extract",
            "message=@syslog",
            "--year",
            "2024",
        ])
        .args(["--parse-time", "timestamp=%b %e %T"])
        .arg(&log_path)
        .output()
        .unwrap();
    assert!(structured.status.success());
    let out = aggregate(
        &["--window", "1m", "--time", ".timestamp", "--count"],
        &stdout_of(&structured),
    );
    let windows = ndjson(&out);
    let expected = minute_counts(&log);
    assert_eq!(windows.len(), expected.len());
    // Both are in time order; the raw minute "Dec 10 06:55" is window 2024-12-10T06:55.
    for (w, (minute, count)) in windows.iter().zip(&expected) {
        let day: i64 = minute[4..6].trim().parse().unwrap();
        let start = format!("\"2024-12-{day:02}T{}:00.000Z\"", &minute[7..12]);
        assert_eq!(field(w, "window_start"), start);
        assert_eq!(field(w, "count"), count.to_string(), "{minute}");
    }
}

#[test]
fn late_events_are_counted_or_dead_lettered() {
    let input = "{\"t\":\"2024-01-01T00:00:10Z\",\"k\":1}\n\
                 {\"t\":\"2024-01-01T00:01:10Z\",\"k\":2}\n\
                 {\"t\":\"2024-01-01T00:00:50Z\",\"k\":3}\n\
                 {\"t\":\"2024-01-01T00:01:20Z\",\"k\":4}\n\
                 {\"t\":1704067290,\"k\":5}\n";
    let out = binge()
        .args(["aggregate", "--window", "1m", "--time", ".t", "--count"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        stdout_of(&out),
        "{\"window_start\":\"2024-01-01T00:00:00.000Z\",\"window_end\":\"2024-01-01T00:01:00.000Z\",\"count\":1}\n\
         {\"window_start\":\"2024-01-01T00:01:00.000Z\",\"window_end\":\"2024-01-01T00:02:00.000Z\",\"count\":3}\n"
    );
    assert_eq!(
        stderr_of(&out),
        "binge aggregate: 1 late event not counted (their window had closed)\n"
    );
    // With enough lateness the straggler still counts.
    let out = aggregate(
        &[
            "--window",
            "1m",
            "--time",
            ".t",
            "--count",
            "--lateness",
            "30s",
        ],
        input,
    );
    assert!(out.starts_with("{\"window_start\":\"2024-01-01T00:00:00.000Z\",\"window_end\":\"2024-01-01T00:01:00.000Z\",\"count\":2}\n"), "{out}");
    let dir = tempfile::tempdir().unwrap();
    let dead = dir.path().join("dead.ndjson");
    let out = binge()
        .args([
            "aggregate",
            "--window",
            "1m",
            "--time",
            ".t",
            "--count",
            "--late",
            "dead-letter",
            "--dead-letter",
        ])
        .arg(&dead)
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(out.status.success());
    let kept = std::fs::read_to_string(&dead).unwrap();
    assert!(kept.contains("\"line\":3,\"error\":\"late event: its window 2024-01-01T00:00:00.000Z to 2024-01-01T00:01:00.000Z had closed\""), "{kept}");
}

#[test]
fn an_event_without_a_time_is_a_bad_line() {
    let out = binge()
        .args(["aggregate", "--window", "1m", "--time", ".t", "--count"])
        .write_stdin("{\"t\":\"2024-01-01T00:00:10Z\"}\n{\"t\":\"later\"}\n")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        stderr_of(&out)
            .starts_with("binge aggregate: stdin:2: --time .t: cannot read \"later\" as a time\n")
    );
}

#[test]
fn named_windows_stay_open_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    let run = |input: &str| {
        let mut args = vec!["--window", "1m", "--time", ".t", "--count", "--name", "w"];
        let state = state_args(dir.path());
        args.extend(state.iter().map(String::as_str));
        aggregate(&args, input)
    };
    assert_eq!(run("{\"t\":\"2024-01-01T00:00:10Z\"}\n"), "");
    assert_eq!(
        run("{\"t\":\"2024-01-01T00:00:20Z\"}\n{\"t\":\"2024-01-01T00:01:05Z\"}\n"),
        "{\"window_start\":\"2024-01-01T00:00:00.000Z\",\"window_end\":\"2024-01-01T00:01:00.000Z\",\"count\":2}\n"
    );
    assert_eq!(
        run("{\"t\":\"2024-01-01T00:03:00Z\"}\n"),
        "{\"window_start\":\"2024-01-01T00:01:00.000Z\",\"window_end\":\"2024-01-01T00:02:00.000Z\",\"count\":1}\n"
    );
}

const BOTLNEK: &str = "{\"pipeline\":\"A\",\"date\":\"2024-05-01\",\"run\":1}\n\
                       {\"pipeline\":\"B\",\"date\":\"2024-05-01\",\"run\":1}\n\
                       {\"pipeline\":\"A\",\"date\":\"2024-05-01\",\"run\":2}\n\
                       {\"run\":1,\"date\":\"2024-05-01\",\"pipeline\":\"A\"}\n\
                       {\"pipeline\":\"A\",\"date\":\"2024-05-02\",\"run\":1}\n";

const BOTH: &str = "len(.collections.A) >= 1 and len(.collections.B) >= 1";

/// The emitted aggregates without their wall-clock `updated_at`.
fn without_clock(out: &str) -> Vec<String> {
    ndjson(out)
        .into_iter()
        .map(|mut v| {
            v.remove_path(&[agglo::json::Seg::Key("updated_at".into())])
                .expect("every aggregate has updated_at");
            v.to_json()
        })
        .collect()
}

#[test]
fn collect_versions_rise_by_one_per_new_source() {
    let out = aggregate(
        &["--collect", "--key", ".date", "--collection", ".pipeline"],
        BOTLNEK,
    );
    let got = without_clock(&out);
    let versions: Vec<String> = ndjson(&out).iter().map(|v| field(v, "version")).collect();
    // The fourth event is the first again (keys in another order): it adds nothing.
    assert_eq!(versions, ["1", "2", "3", "1"]);
    assert_eq!(
        got[2],
        "{\"aggregate\":\"2024-05-01\",\"version\":3,\"collections\":{\"A\":[{\"date\":\"2024-05-01\",\"pipeline\":\"A\",\"run\":1},{\"date\":\"2024-05-01\",\"pipeline\":\"A\",\"run\":2}],\"B\":[{\"date\":\"2024-05-01\",\"pipeline\":\"B\",\"run\":1}]}}"
    );
}

#[test]
fn collect_completes_once_then_every_version_on_request() {
    let out = aggregate(
        &[
            "--collect",
            "--key",
            ".date",
            "--collection",
            ".pipeline",
            "--complete-when",
            BOTH,
        ],
        BOTLNEK,
    );
    let got = ndjson(&out);
    assert_eq!(got.len(), 1);
    assert_eq!(field(&got[0], "version"), "2");
    assert_eq!(field(&got[0], "complete"), "true");
    let out = aggregate(
        &[
            "--collect",
            "--key",
            ".date",
            "--collection",
            ".pipeline",
            "--complete-when",
            BOTH,
            "--every-version",
        ],
        BOTLNEK,
    );
    let versions: Vec<String> = ndjson(&out).iter().map(|v| field(v, "version")).collect();
    assert_eq!(versions, ["2", "3"]);
}

#[test]
fn collect_timeouts_are_written_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec![
        "--collect",
        "--key",
        ".date",
        "--collection",
        ".pipeline",
        "--complete-when",
        BOTH,
        "--timeout",
        "0s",
        "--name",
        "b",
    ];
    let state = state_args(dir.path());
    args.extend(state.iter().map(String::as_str));
    let out = aggregate(&args, BOTLNEK);
    let got = ndjson(&out);
    assert_eq!(got.len(), 2);
    assert_eq!(field(&got[1], "aggregate"), "\"2024-05-02\"");
    assert_eq!(field(&got[1], "complete"), "false");
    assert_eq!(field(&got[1], "timed_out"), "true");
    // A later run (as from cron) writes nothing more for either.
    assert_eq!(aggregate(&args, ""), "");
}

#[test]
fn named_collections_across_runs_and_processes_count_each_source_once() {
    let dir = tempfile::tempdir().unwrap();
    let state = state_args(dir.path());
    let base = [
        "--collect",
        "--key",
        ".day",
        "--collection",
        ".src",
        "--name",
        "c",
    ];
    // Four processes at once, each sending the same 30 sources and 10 of its own.
    let mut children = Vec::new();
    for p in 0..4 {
        let mut input = String::new();
        for i in 0..30 {
            input.push_str(&format!(
                "{{\"day\":{},\"src\":\"shared\",\"i\":{i}}}\n",
                i % 3
            ));
        }
        for i in 0..10 {
            input.push_str(&format!(
                "{{\"day\":{},\"src\":\"p{p}\",\"i\":{i}}}\n",
                i % 3
            ));
        }
        let path = dir.path().join(format!("in{p}.ndjson"));
        std::fs::write(&path, input).unwrap();
        children.push(
            binge_std()
                .arg("aggregate")
                .args(base)
                .args(&state)
                .arg(&path)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap(),
        );
    }
    let mut versions: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        for v in ndjson(&stdout_of(&out)) {
            versions
                .entry(field(&v, "aggregate"))
                .or_default()
                .push(field(&v, "version").parse().unwrap());
        }
    }
    // 30 shared + 40 own sources over 3 days: every version from 1 to the total appears once.
    let mut total = 0;
    for (day, mut vs) in versions {
        vs.sort();
        let n = vs.len() as i64;
        assert_eq!(vs, (1..=n).collect::<Vec<_>>(), "day {day}");
        total += n;
    }
    assert_eq!(total, 70);
}

#[test]
fn a_source_without_a_key_is_a_bad_line() {
    // Its expected output is checked by the samples test; here: a key is required.
    let out = binge()
        .args([
            "aggregate",
            "--collect",
            "--key",
            ".date",
            "--collection",
            ".pipeline",
        ])
        .write_stdin("{\"pipeline\":\"A\"}\n")
        .output()
        .unwrap();
    assert!(stderr_of(&out).contains("--key .date: the event has no key"));
}

#[test]
fn a_later_run_notices_a_timeout_even_without_input() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec![
        "--collect",
        "--key",
        ".date",
        "--collection",
        ".pipeline",
        "--complete-when",
        BOTH,
        "--timeout",
        "1s",
        "--name",
        "t",
    ];
    let state = state_args(dir.path());
    args.extend(state.iter().map(String::as_str));
    assert_eq!(
        aggregate(&args, "{\"pipeline\":\"A\",\"date\":\"d1\"}\n"),
        ""
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let got = ndjson(&aggregate(&args, ""));
    assert_eq!(got.len(), 1);
    assert_eq!(field(&got[0], "aggregate"), "\"d1\"");
    assert_eq!(field(&got[0], "timed_out"), "true");
    assert_eq!(aggregate(&args, ""), "");
}

// Regression (issue 11.11): grouping and distinct counts compared raw text, so 1, 1.0, 1e0 and
// 10e-1 were four groups and four distinct values, and objects differing only in key order two,
// while == calls them equal. The output keeps the first text seen.
#[test]
fn groups_and_distinct_values_are_told_apart_by_value_not_text() {
    let input = "{\"v\":1,\"o\":{\"a\":1,\"b\":2}}\n{\"v\":1.0,\"o\":{\"b\":2,\"a\":1}}\n\
                 {\"v\":1e0,\"o\":{\"a\":1.0,\"b\":2}}\n{\"v\":10e-1,\"o\":{\"b\":2e0,\"a\":1}}\n\
                 {\"v\":2,\"o\":{\"a\":2}}\n";
    let out = aggregate(&["--by", ".v", "--count", "--distinct", ".o"], input);
    assert_eq!(
        out,
        "{\"v\":1,\"count\":4,\"o_distinct\":1}\n{\"v\":2,\"count\":1,\"o_distinct\":1}\n"
    );
    let out = aggregate(&["--by", "o=.o", "--count"], input);
    assert_eq!(
        out,
        "{\"o\":{\"a\":1,\"b\":2},\"count\":4}\n{\"o\":{\"a\":2},\"count\":1}\n"
    );
    let out = aggregate(&["--distinct", ".v"], input);
    assert_eq!(out, "{\"v_distinct\":2}\n");
}

/// The README's cron example: a named hourly aggregate over a log that gains an hour per run.
#[test]
fn hourly_cron_runs_lose_no_window() {
    let dir = tempfile::tempdir().unwrap();
    let mut want = BTreeMap::new();
    let mut seed = 7u64;
    for hour in 0..24 {
        let mut slice = String::new();
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
        let n = 1 + (seed >> 40) % 40;
        for k in 0..n {
            slice.push_str(&format!(
                "{{\"timestamp\":\"2026-11-29T{hour:02}:{:02}:{:02}Z\",\"status\":200}}\n",
                (k * 7) % 60,
                (k * 13) % 60
            ));
        }
        want.insert(
            format!("\"2026-11-29T{hour:02}:00:00.000Z\""),
            n.to_string(),
        );
        // The log grows by an hour, and the hourly run reads what is new.
        let log = dir.path().join("events.ndjson");
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap();
        std::io::Write::write_all(&mut f, slice.as_bytes()).unwrap();
        let out = binge()
            .args(["aggregate", "--name", "hits", "--window", "1h"])
            .args(["--time", ".timestamp", "--count", "--resume"])
            .args(state_args(dir.path()))
            .arg(&log)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        // Each run writes the hour the one before it left open: once.
        let closed = ndjson(&stdout_of(&out));
        assert_eq!(closed.len(), usize::from(hour > 0), "hour {hour}");
    }
    let out = binge()
        .args(["aggregate", "--name", "hits", "--show"])
        .args(state_args(dir.path()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let shown = ndjson(&stdout_of(&out));
    let got: BTreeMap<String, String> = shown
        .iter()
        .map(|v| (field(v, "window_start"), field(v, "count")))
        .collect();
    assert_eq!(got, want);
    let open: Vec<String> = shown
        .iter()
        .filter(|v| field(v, "closed") == "false")
        .map(|v| field(v, "window_start"))
        .collect();
    assert_eq!(open, ["\"2026-11-29T23:00:00.000Z\""]);

    // --list names it with its definition as flags; another definition is refused, naming
    // both.
    let out = binge()
        .args(["aggregate", "--list"])
        .args(state_args(dir.path()))
        .output()
        .unwrap();
    let listed = ndjson(&stdout_of(&out));
    assert_eq!(listed.len(), 1);
    assert_eq!(
        field(&listed[0], "definition"),
        "\"--window 1h --time .timestamp --count\""
    );
    let out = binge()
        .args(["aggregate", "--name", "hits", "--window", "1h"])
        .args(["--time", ".ts", "--count", "--by", "s=.status"])
        .args(state_args(dir.path()))
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr_of(&out).contains(
            "made with --window 1h --time .timestamp --count; this run asks for \
             --by s=.status --window 1h --time .ts --count."
        ),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn closed_windows_are_kept_for_keep_and_then_forgotten() {
    let dir = tempfile::tempdir().unwrap();
    let run = |input: &str, keep: &str| {
        let mut args = vec!["--window", "1m", "--time", ".t", "--count", "--name", "w"];
        args.extend(["--keep", keep]);
        let state = state_args(dir.path());
        args.extend(state.iter().map(String::as_str));
        aggregate(&args, input)
    };
    run(
        "{\"t\":\"2024-01-01T00:00:10Z\"}\n{\"t\":\"2024-01-01T00:01:10Z\"}\n",
        "7d",
    );
    run("{\"t\":\"2024-01-01T00:02:10Z\"}\n", "7d");
    let show = || {
        let mut args = vec!["--name", "w", "--show"];
        let state = state_args(dir.path());
        args.extend(state.iter().map(String::as_str));
        ndjson(&aggregate(&args, ""))
            .iter()
            .map(|v| field(v, "closed"))
            .collect::<Vec<_>>()
    };
    assert_eq!(show(), ["true", "true", "false"]);
    std::thread::sleep(std::time::Duration::from_millis(20));
    // A run that closes a window forgets those that closed longer than --keep ago.
    run("{\"t\":\"2024-01-01T00:03:10Z\"}\n", "10ms");
    assert_eq!(show(), ["true", "false"]);
}

/// Behind `tail -F`: the input stays open, and each window is written soon after its last
/// event, not when the next event comes.
#[test]
fn windows_close_after_idle_time_while_the_input_stays_open() {
    use std::io::{BufRead, BufReader, Write};
    let mut child = binge_std()
        .args([
            "aggregate",
            "--window",
            "1m",
            "--time",
            ".t",
            "--count",
            "--idle",
            "2s",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let _ = tx.send((std::time::Instant::now(), line.unwrap()));
        }
    });
    let wait = std::time::Duration::from_secs(20);
    // Two minutes of event time, written a little at a time.
    for m in 0..2 {
        for s in [5, 25, 45] {
            writeln!(stdin, "{{\"t\":\"2024-01-01T00:0{m}:{s:02}Z\"}}").unwrap();
            stdin.flush().unwrap();
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
    let last_event = std::time::Instant::now();
    // The first minute closed when the second began.
    let (_, first) = rx.recv_timeout(wait).unwrap();
    assert!(
        first.contains("\"window_start\":\"2024-01-01T00:00:00.000Z\""),
        "{first}"
    );
    assert!(first.contains("\"count\":3"), "{first}");
    // The second closes on the wall clock, while the input is still open.
    let (at, second) = rx.recv_timeout(wait).unwrap();
    assert!(
        second.contains("\"window_start\":\"2024-01-01T00:01:00.000Z\""),
        "{second}"
    );
    assert!(second.contains("\"count\":3"), "{second}");
    let after = at.duration_since(last_event);
    assert!(
        after >= std::time::Duration::from_millis(1500),
        "closed {after:?} after the last event, before --idle"
    );
    assert!(child.try_wait().unwrap().is_none(), "binge ended");
    drop(stdin);
    let status = child.wait().unwrap();
    assert!(status.success());
}

#[test]
fn a_source_id_makes_a_changed_resend_a_new_version_of_the_same_source() {
    let dir = tempfile::tempdir().unwrap();
    let run = |input: &str| {
        let mut args = vec![
            "--collect",
            "--key",
            ".date",
            "--collection",
            ".pipeline",
            "--source-id",
            ".run",
            "--complete-when",
            "len(.collections.A) >= 2",
            "--name",
            "daily",
        ];
        let state = state_args(dir.path());
        args.extend(state.iter().map(String::as_str));
        without_clock(&aggregate(&args, input))
    };
    // Across runs: the morning run, corrected in a later run, then re-sent as it is.
    assert!(
        run("{\"pipeline\":\"A\",\"date\":\"d\",\"run\":\"morning\",\"rows\":120}\n").is_empty()
    );
    assert!(
        run("{\"pipeline\":\"A\",\"date\":\"d\",\"run\":\"morning\",\"rows\":121}\n").is_empty()
    );
    assert!(
        run("{\"pipeline\":\"A\",\"date\":\"d\",\"run\":\"morning\",\"rows\":121}\n").is_empty()
    );
    let done = run("{\"pipeline\":\"A\",\"date\":\"d\",\"run\":\"evening\",\"rows\":98}\n");
    assert_eq!(done.len(), 1);
    assert!(done[0].contains("\"version\":3"), "{}", done[0]);
    assert!(!done[0].contains("120"), "{}", done[0]);

    // --show keeps the replaced source as history.
    let mut args = vec!["--name", "daily", "--show"];
    let state = state_args(dir.path());
    args.extend(state.iter().map(String::as_str));
    let shown = ndjson(&aggregate(&args, ""));
    assert_eq!(
        shown[0].member("replaced").unwrap().to_json(),
        "[{\"version\":1,\"collection\":\"A\",\"source\":{\"date\":\"d\",\"pipeline\":\"A\",\"rows\":120,\"run\":\"morning\"},\"replaced_by\":2}]"
    );
}

/// Percentiles against an exact computation here: exact per system (2,000 numbers each at
/// most), and within the documented 1% for the whole corpus (30,000 numbers, a sketch).
#[test]
fn percentiles_match_an_exact_computation_within_the_bound() {
    let corpus = corpus();
    let events = ndjson(&std::fs::read_to_string(&corpus).unwrap());
    // Nearest rank, in integers (q in hundredths of a percent): 99.9% of 30,000 is 29,970,
    // which floating point makes 29,970.000000000004.
    let nearest = |values: &mut Vec<f64>, q: f64| {
        values.sort_by(|a, b| a.total_cmp(b));
        let hundredths = (q * 100.0).round() as usize;
        let rank = (hundredths * values.len())
            .div_ceil(10_000)
            .clamp(1, values.len());
        values[rank - 1]
    };
    let lines: Vec<f64> = events
        .iter()
        .map(|v| field(v, "LineId").parse().unwrap())
        .collect();
    let out = aggregate(
        &[
            "--p50",
            ".LineId",
            "--p95",
            ".LineId",
            "--percentile",
            "99.9:.LineId",
        ],
        &std::fs::read_to_string(&corpus).unwrap(),
    );
    let got = &ndjson(&out)[0];
    for (name, q) in [
        ("LineId_p50", 50.0),
        ("LineId_p95", 95.0),
        ("LineId_p99_9", 99.9),
    ] {
        let want = nearest(&mut lines.clone(), q);
        let g: f64 = field(got, name).parse().unwrap();
        if lines.len() <= 10_000 {
            assert_eq!(g, want, "{name}");
        } else {
            assert!((g - want).abs() <= 0.01 * want, "{name}: {g} vs {want}");
        }
    }
    // Per system: few enough numbers to be exact, in the order the systems first came.
    let out = aggregate(
        &["--by", ".system", "--p95", ".LineId"],
        &std::fs::read_to_string(&corpus).unwrap(),
    );
    for row in ndjson(&out) {
        let system = field(&row, "system");
        let mut of: Vec<f64> = events
            .iter()
            .filter(|v| field(v, "system") == system)
            .map(|v| field(v, "LineId").parse().unwrap())
            .collect();
        let want = nearest(&mut of, 95.0);
        assert_eq!(
            field(&row, "LineId_p95").parse::<f64>().unwrap(),
            want,
            "{system}"
        );
    }
}

#[test]
fn percentiles_persist_in_named_aggregates_and_in_log_queries() {
    let dir = tempfile::tempdir().unwrap();
    let run = |input: String| {
        let mut args = vec!["--name", "lat", "--p50", ".ms"];
        let state = state_args(dir.path());
        args.extend(state.iter().map(String::as_str));
        aggregate(&args, &input)
    };
    run((1..=50).map(|i| format!("{{\"ms\":{i}}}\n")).collect());
    let out = run((51..=100).map(|i| format!("{{\"ms\":{i}}}\n")).collect());
    assert_eq!(out, "{\"ms_p50\":50}\n");
    let out = binge()
        .args(["log", "--state"])
        .arg(dir.path().join("l.db"))
        .args(["append", "t"])
        .write_stdin(
            (1..=100)
                .map(|i| format!("{{\"ms\":{i}}}\n"))
                .collect::<String>(),
        )
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let out = binge()
        .args(["log", "--state"])
        .arg(dir.path().join("l.db"))
        .args([
            "query",
            "t",
            "--sample-by",
            "1d",
            "--agg",
            "count,p95(.ms),p99.9(.ms)",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let rows = ndjson(&stdout_of(&out));
    assert_eq!(field(&rows[0], "ms_p95"), "95");
    assert_eq!(field(&rows[0], "ms_p99_9"), "100");
}

#[test]
fn top_n_ranks_groups_by_sort_largest_first() {
    let input: String = [("a", 3), ("b", 9), ("c", 1), ("b", 2), ("d", 9)]
        .iter()
        .map(|(k, n)| format!("{{\"k\":\"{k}\",\"n\":{n}}}\n"))
        .collect();
    let keys = |out: String| {
        ndjson(&out)
            .iter()
            .map(|v| field(v, "k"))
            .collect::<Vec<_>>()
    };
    // By the first statistic unless --sort says otherwise; ties keep the order of arrival.
    assert_eq!(
        keys(aggregate(
            &["--by", ".k", "--sum", ".n", "--top", "2"],
            &input
        )),
        ["\"b\"", "\"d\""]
    );
    assert_eq!(
        keys(aggregate(
            &["--by", ".k", "--count", "--sort", "-.count"],
            &input
        )),
        ["\"a\"", "\"c\"", "\"d\"", "\"b\""]
    );
    // Per window.
    let timed = "{\"t\":1,\"k\":\"a\"}\n{\"t\":2,\"k\":\"b\"}\n{\"t\":3,\"k\":\"b\"}\n\
                 {\"t\":61,\"k\":\"a\"}\n{\"t\":62,\"k\":\"a\"}\n{\"t\":63,\"k\":\"b\"}\n";
    let out = aggregate(
        &[
            "--window",
            "1m",
            "--time",
            ".t",
            "--time-unit",
            "s",
            "--by",
            ".k",
            "--count",
            "--top",
            "1",
        ],
        timed,
    );
    assert_eq!(keys(out), ["\"b\"", "\"a\""]);
}
