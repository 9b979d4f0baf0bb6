//! `binge run`: a pipeline writes what the same subcommands joined by pipes write; every config
//! mistake is pointed at by path, line and column; pipelines feed each other; `--print-config`
//! is the way back from a command line.

use std::path::Path;

use crate::util::*;

fn run_config(dir: &Path, config: &str) -> std::process::Output {
    let path = dir.join("pipeline.json");
    std::fs::write(&path, config).unwrap();
    binge()
        .current_dir(dir)
        .args(["run"])
        .arg(&path)
        .output()
        .unwrap()
}

/// What `sh -c PIPES` writes, binge on the PATH.
fn piped(dir: &Path, pipes: &str) -> Vec<u8> {
    let bin = bin_path();
    let path = format!("{}:/usr/bin:/bin", bin.parent().unwrap().display());
    let out = std::process::Command::new("sh")
        .current_dir(dir)
        .env_clear()
        .env("TZ", "UTC")
        .env("PATH", path)
        .args(["-c", &format!("set -e; {pipes}")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    out.stdout
}

/// The pipeline the speed target names (annotate, filter, aggregate), and a text one that
/// parses syslog: the config and the pipes give the same bytes.
#[test]
fn a_pipeline_writes_exactly_what_the_same_subcommands_joined_by_pipes_write() {
    let dir = tempfile::tempdir().unwrap();
    let auth = repo().join("samples/annotate-syslog-openssh/auth.log");
    let pipes = format!(
        "binge annotate --text --extract message=@syslog --year 2024 \
           --parse-time 'timestamp=%b %e %T' {} \
         | binge filter '.program == \"sshd\"' \
         | binge annotate --extract 'message=from (?P<ip>[0-9.]+)' --set '.n=len(.message)' \
         | binge aggregate --by .ip --count --max .n --p50 .n",
        auth.display()
    );
    let config = format!(
        r#"{{"pipelines": {{"ssh": {{
            "input": {{"files": [{auth:?}], "text": true}},
            "stages": [
              {{"annotate": {{"extract": "message=@syslog", "year": 2024,
                             "parse-time": "timestamp=%b %e %T"}}}},
              {{"filter": {{"expr": ".program == \"sshd\""}}}},
              {{"annotate": {{"extract": "message=from (?P<ip>[0-9.]+)",
                             "set": ".n=len(.message)"}}}},
              {{"aggregate": {{"by": ".ip", "count": true, "max": ".n", "p50": ".n"}}}}
            ]}}}}}}"#,
        auth = auth.display().to_string()
    );
    let want = piped(dir.path(), &pipes);
    assert!(want.len() > 1000, "the workload writes something");
    let got = run_config(dir.path(), &config);
    assert!(got.status.success(), "{}", stderr_of(&got));
    assert_eq!(
        String::from_utf8_lossy(&got.stdout),
        String::from_utf8_lossy(&want)
    );
}

#[test]
fn on_the_loghub_corpus_a_pipeline_and_pipes_agree_byte_for_byte() {
    let Some(corpus) = shared("json/loghub-events.ndjson") else {
        eprintln!("skipped: ../shared/data/json/loghub-events.ndjson is not beside this clone");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let corpus = corpus.display().to_string();
    for (pipes, stages) in [
        (
            "binge annotate --set .a=1 --set '.b=.Pid * 2' | \
             binge filter '.system == \"OpenSSH\" or .Level == \"WARN\"' | \
             binge aggregate --by .system --count --sum .b --min .Pid --max .Pid --avg .Pid",
            r#"{"annotate": {"set": [".a=1", ".b=.Pid * 2"]}},
               {"filter": {"expr": ".system == \"OpenSSH\" or .Level == \"WARN\""}},
               {"aggregate": {"by": ".system", "count": true, "sum": ".b", "min": ".Pid",
                              "max": ".Pid", "avg": ".Pid"}}"#,
        ),
        (
            "binge annotate --set '.b=.Pid * 2' --delete .Content | binge filter '.Level != \"INFO\"'",
            r#"{"annotate": {"set": ".b=.Pid * 2", "delete": ".Content"}},
               {"filter": {"expr": ".Level != \"INFO\""}}"#,
        ),
    ] {
        let want = piped(dir.path(), &format!("< {corpus} {pipes}"));
        let config = format!(
            r#"{{"pipelines": {{"p": {{"input": {{"files": [{corpus:?}]}}, "stages": [{stages}]}}}}}}"#
        );
        let got = run_config(dir.path(), &config);
        assert!(got.status.success(), "{}", stderr_of(&got));
        assert!(
            got.stdout == want,
            "{pipes}: the pipeline and the pipes differ"
        );
    }
}

/// Each kind of mistake, with where it is: file:line:column, the JSON path, and what is wrong.
#[test]
fn check_points_at_every_mistake_by_path_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &str); 11] = [
        // JSON syntax.
        (
            "{\"pipelines\": {\"a\": {\"stages\": [],}}}",
            "pipeline.json:1:35: at .pipelines.a: trailing comma",
        ),
        // A member the config does not have.
        (
            "{\"pipelines\": {\"a\": {\n  \"stagez\": []}}}",
            "pipeline.json:2:10: at .pipelines.a.stagez: unknown field `stagez`, expected one of \
             `input`, `stages`, `output`",
        ),
        // A stage that does not exist.
        (
            "{\"pipelines\": {\"a\": {\"stages\": [\n  {\"filtre\": {}}]}}}",
            "pipeline.json:2:14: at .pipelines.a.stages[0].filtre: no stage is called filtre; a \
             stage is one of filter, annotate, aggregate, tee, entwine",
        ),
        // An option the subcommand does not have.
        (
            "{\"pipelines\": {\"a\": {\"stages\": [\n  {\"filter\": {\"exp\": \".a\"}}]}}}",
            "pipeline.json:2:22: at .pipelines.a.stages[0].filter.exp: filter has no option exp; \
             its options: expr, invert",
        ),
        // A value clap refuses.
        (
            "{\"pipelines\": {\"a\": {\"stages\": [\n  {\"aggregate\": {\"count\": true,\n    \"late\": \"maybe\"}}]}}}",
            "pipeline.json:3:13: at .pipelines.a.stages[0].aggregate.late: invalid value 'maybe' \
             for 'late <POLICY>'",
        ),
        // A value of the wrong JSON type.
        (
            "{\"pipelines\": {\"a\": {\"stages\": [\n  {\"annotate\": {\"keep-existing\": \"yes\"}}]}}}",
            "pipeline.json:2:34: at .pipelines.a.stages[0].annotate.keep-existing: keep-existing \
             is a switch: true or false",
        ),
        // An expression that does not parse.
        (
            "{\"pipelines\": {\"a\": {\"stages\": [\n  {\"filter\": {\"expr\": \".a ==\"}}]}}}",
            "pipeline.json:2:23: at .pipelines.a.stages[0].filter.expr: syntax error at column 6: \
             expected a value, found the end of the expression",
        ),
        // An input option given to a stage.
        (
            "{\"pipelines\": {\"a\": {\"stages\": [{\"filter\": {\"expr\": \"true\", \"text\": true}}]}}}",
            "pipeline.json:1:69: at .pipelines.a.stages[0].filter.text: text is an option of \
             the pipeline's input, not of a stage",
        ),
        // A pipeline read that does not exist.
        (
            "{\"pipelines\": {\"a\": {\"input\": {\"pipeline\": \"b\"}}}}",
            "pipeline.json:1:44: at .pipelines.a.input.pipeline: no pipeline is named b; the \
             pipelines: a",
        ),
        // Pipelines reading each other.
        (
            "{\"pipelines\": {\"a\": {\"input\": {\"pipeline\": \"b\"}},\n \"b\": {\"input\": {\"pipeline\": \"a\"}}}}",
            "pipeline.json:1:44: at .pipelines.a.input.pipeline: pipelines read each other in a \
             circle: a -> b -> a",
        ),
        // A time zone that does not exist.
        (
            "{\"tz\": \"Mars/Olympus\", \"pipelines\": {\"a\": {}}}",
            "pipeline.json:1:8: at .tz: unknown time zone \"Mars/Olympus\"",
        ),
    ];
    for (config, want) in cases {
        std::fs::write(dir.path().join("pipeline.json"), config).unwrap();
        let out = binge()
            .current_dir(dir.path())
            .args(["run", "--check", "pipeline.json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{config}");
        let err = stderr_of(&out);
        assert!(
            err.starts_with(&format!("binge run: {want}")),
            "{config}\nwant: {want}\ngot:  {err}"
        );
        // And running it says the same, before reading anything.
        let run = binge()
            .current_dir(dir.path())
            .args(["run", "pipeline.json"])
            .write_stdin("{}\n")
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(2));
        assert_eq!(stderr_of(&run), err);
    }
}

#[test]
fn check_runs_nothing_and_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = r#"{"state": "s.db", "pipelines": {"a": {
        "stages": [{"aggregate": {"name": "n", "by": ".x", "count": true}},
                   {"tee": {"targets": ["side.ndjson", "log:t"]}}],
        "output": "out.ndjson"}}}"#;
    std::fs::write(dir.path().join("p.json"), config).unwrap();
    let out = binge()
        .current_dir(dir.path())
        .args(["run", "--check", "p.json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stderr_of(&out), "binge run: p.json: 1 pipeline ok\n");
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["p.json"]);
}

/// `--print-config` keeps the order of steps that come back after others; the config it
/// prints does what the command line does.
#[test]
fn print_config_is_the_way_back_from_a_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = "{\"msg\":\"a=1 b=x\",\"n\":2}\n{\"msg\":\"a=7\",\"n\":5}\n";
    let args = [
        "annotate",
        "--set",
        ".n=.n * 10",
        "--parse-logfmt",
        ".msg",
        "--set",
        ".m=.n + 1",
        "--delete",
        ".msg",
    ];
    let printed = binge().args(args).arg("--print-config").output().unwrap();
    assert!(printed.status.success());
    let stage = stdout_of(&printed);
    assert!(stage.starts_with("{\n  \"annotate\": [\n"), "{stage}");
    let direct = binge().args(args).write_stdin(input).output().unwrap();
    let config = format!(r#"{{"pipelines": {{"p": {{"stages": [{stage}]}}}}}}"#);
    std::fs::write(dir.path().join("p.json"), config).unwrap();
    let via = binge()
        .current_dir(dir.path())
        .args(["run", "p.json"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(via.status.success(), "{}", stderr_of(&via));
    assert_eq!(stdout_of(&via), stdout_of(&direct));
    assert_eq!(
        stdout_of(&via),
        "{\"n\":20,\"m\":21}\n{\"n\":50,\"m\":51}\n"
    );

    let printed = binge()
        .args([
            "aggregate",
            "--by",
            ".h",
            "--count",
            "--sum",
            "s=.x",
            // The top level's options are not a stage's: they stay out of its config.
            "--tz",
            "UTC",
            "-o",
            "csv",
            "--print-config",
        ])
        .output()
        .unwrap();
    assert_eq!(
        stdout_of(&printed),
        "{\n  \"aggregate\": {\n    \"by\": \".h\",\n    \"count\": true,\n    \"sum\": \"s=.x\"\n  }\n}\n"
    );
}

/// One pipeline parses; two read it side by side: one counts to stdout, one keeps the
/// errors in a file. A pipeline whose output is a target writes nothing on stdout.
#[test]
fn pipelines_read_each_other_and_run_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let mut input = String::new();
    for i in 0..5000 {
        let level = if i % 10 == 0 { "error" } else { "info" };
        input.push_str(&format!("level={level} host=h{} i={i}\n", i % 3));
    }
    std::fs::write(dir.path().join("app.log"), &input).unwrap();
    let config = r#"{
      "pipelines": {
        "parse": {
          "input": {"files": ["app.log"], "text": true},
          "stages": [{"annotate": {
            "extract": "message=^level=(?P<level>\\S+) host=(?P<host>\\S+) i=(?P<i>\\d+)$",
            "delete": ".message"}}]
        },
        "count": {
          "input": {"pipeline": "parse"},
          "stages": [{"aggregate": {"by": ".host", "count": true}}]
        },
        "errors": {
          "input": {"pipeline": "parse"},
          "stages": [{"filter": {"expr": ".level == \"error\""}}],
          "output": "errors.ndjson"
        }
      }
    }"#;
    let out = run_config(dir.path(), config);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        stdout_of(&out),
        "{\"host\":\"h0\",\"count\":1667}\n{\"host\":\"h1\",\"count\":1667}\n{\"host\":\"h2\",\"count\":1666}\n"
    );
    let errors = std::fs::read_to_string(dir.path().join("errors.ndjson")).unwrap();
    assert_eq!(errors.lines().count(), 500);
    assert_eq!(
        errors.lines().next().unwrap(),
        "{\"level\":\"error\",\"host\":\"h0\",\"i\":\"0\"}"
    );
}

/// A consumer group of the log as a pipeline's input: each event once, the group's place kept
/// (a second run reads only what came since); the pipeline's output into another topic.
#[test]
fn a_pipeline_reads_a_consumer_group_and_writes_a_topic() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("s.db");
    let append = |from: usize, to: usize| {
        let events: String = (from..to).map(|i| format!("{{\"i\":{i}}}\n")).collect();
        let out = binge()
            .args(["log", "append", "in", "--state"])
            .arg(&state)
            .write_stdin(events)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
    };
    append(0, 300);
    let config = r#"{"state": "s.db", "pipelines": {"odd": {
        "input": {"log": {"topic": "in", "group": "g"}},
        "stages": [{"filter": {"expr": ".i % 2 == 1"}}],
        "output": "log:out"}}}"#;
    let out = run_config(dir.path(), config);
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), "");
    append(300, 310);
    let out = run_config(dir.path(), config);
    assert!(out.status.success(), "{}", stderr_of(&out));
    let tail = binge()
        .args(["log", "tail", "out", "-n", "1000", "--state"])
        .arg(&state)
        .output()
        .unwrap();
    let got: Vec<String> = stdout_of(&tail).lines().map(str::to_string).collect();
    let want: Vec<String> = (0..310)
        .filter(|i| i % 2 == 1)
        .map(|i| format!("{{\"i\":{i}}}"))
        .collect();
    assert_eq!(got, want);
}

/// A stage that fails to build stops the run before anything is read, pointing at it.
#[test]
fn a_stage_that_cannot_be_built_stops_the_run_before_anything_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let config = r#"{"pipelines": {"a": {"stages": [
        {"filter": {"expr": "true"}},
        {"entwine": {"key": "missing.key"}}]}}}"#;
    let out = run_config(dir.path(), config);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains("pipeline.json:3:21: at .pipelines.a.stages[1].entwine: cannot read the key"),
        "{err}"
    );
    assert_eq!(stdout_of(&out), "");
}

/// The config's "tz" is the zone of every stage, a stage's own "tz" wins, and neither depends
/// on the zone binge runs in (the test runs binge with TZ=UTC).
#[test]
fn the_config_and_each_stage_read_times_in_their_own_zone() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("t.ndjson"),
        "{\"t\":\"2024-06-01 12:00:00\"}\n",
    )
    .unwrap();
    let config = r#"{"tz": "America/New_York", "pipelines": {
        "a": {"input": {"files": ["t.ndjson"]},
              "stages": [{"annotate": {"set": ".ms=time(.t)"}}]},
        "b": {"input": {"files": ["t.ndjson"]},
              "stages": [{"annotate": {"set": ".ms=time(.t)", "tz": "Europe/Berlin"}}],
              "output": "b.ndjson"}}}"#;
    let out = run_config(dir.path(), config);
    assert!(out.status.success(), "{}", stderr_of(&out));
    // 12:00 in New York in June is 16:00Z; in Berlin, 10:00Z.
    assert_eq!(
        stdout_of(&out),
        "{\"t\":\"2024-06-01 12:00:00\",\"ms\":1717257600000}\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("b.ndjson")).unwrap(),
        "{\"t\":\"2024-06-01 12:00:00\",\"ms\":1717236000000}\n"
    );
    let bad = run_config(
        dir.path(),
        r#"{"pipelines": {"a": {"stages": [{"filter": {"expr": "true", "tz": "Nowhere/Land"}}]}}}"#,
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr_of(&bad).contains(":1:67: at .pipelines.a.stages[0].filter.tz: unknown time zone"),
        "{}",
        stderr_of(&bad)
    );
}
