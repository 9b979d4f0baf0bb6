//! `--resume`: cron-like runs over a growing, rotated log file, some killed with SIGKILL at
//! random moments, fold every line exactly once into the stages that keep state.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::util::*;

/// Appends `n` events numbered from `*next` to `path`.
fn append(path: &Path, next: &mut u64, n: u64) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    let mut text = String::new();
    for _ in 0..n {
        let k = *next;
        text.push_str(&format!(
            "{{\"n\":{k},\"g\":\"g{}\",\"msg\":\"event number {k} {}\"}}\n",
            k % 3,
            // Long enough lines that a killed run has several input batches (1 MiB) to go.
            "x".repeat(120)
        ));
        *next += 1;
    }
    f.write_all(text.as_bytes()).unwrap();
}

/// A small deterministic generator, so a failure can be replayed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// When a run to be killed is killed.
#[derive(Clone, Copy)]
enum Kill {
    /// At a random moment within this many milliseconds of its start.
    Within(u64),
    /// At a random moment within this many milliseconds of its first commit.
    AfterACommit(u64),
}

/// Where the state file says the scope stands now: (the file read, offset). Read directly,
/// since a run may be writing.
fn position(st: &str) -> Option<(String, u64)> {
    let conn = rusqlite::Connection::open(st).ok()?;
    conn.query_row("SELECT read_path, offset FROM input_positions", [], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
    })
    .ok()
}

/// Twenty cron-like runs of `binge ARGS... app.log`, of which ten are killed with SIGKILL at a
/// random moment, while a writer appends between runs and logrotate renames the file twice
/// (app.log -> app.log.1 -> app.log.2); then one last run that is left to finish. Returns how
/// many events were written in all, and how many killed runs had committed part of their
/// input (a kill in the middle of the work, not before or after it).
fn cron_runs(dir: &Path, st: &str, args: &[&str], kill: Kill, big: u64) -> (u64, usize) {
    let log = dir.join("app.log");
    let mut next = 0;
    let mut rng = Lcg(0x5eed);
    let mut partial = 0;
    append(&log, &mut next, big);
    for run in 0..20 {
        if run == 8 || run == 14 {
            // Lines the last run did not see yet, then the rotation: they must be read from
            // the rotated file.
            append(&log, &mut next, 700);
            if dir.join("app.log.1").exists() {
                std::fs::rename(dir.join("app.log.1"), dir.join("app.log.2")).unwrap();
            }
            std::fs::rename(&log, dir.join("app.log.1")).unwrap();
        }
        // The runs to be killed get more than one input batch (1 MiB) to work through, so a
        // kill can fall between two of their commits.
        append(&log, &mut next, if run % 2 == 1 { big } else { 2000 });
        let before = position(st);
        let mut child = binge_std()
            .args(args)
            .arg(&log)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        if run % 2 == 1 {
            match kill {
                Kill::Within(ms) => std::thread::sleep(Duration::from_millis(rng.below(ms))),
                Kill::AfterACommit(ms) => {
                    // Once the run has committed something, so the kill falls between its
                    // commits (or after its last one), never only before the first.
                    let started = std::time::Instant::now();
                    while position(st) == before
                        && child.try_wait().unwrap().is_none()
                        && started.elapsed() < Duration::from_secs(60)
                    {
                        std::thread::sleep(Duration::from_millis(2));
                    }
                    std::thread::sleep(Duration::from_millis(rng.below(ms)));
                }
            }
            let _ = child.kill();
            let _ = child.wait();
            let after = position(st);
            if let Some((file, offset)) = &after {
                let size = std::fs::metadata(file).map_or(0, |m| m.len());
                if after != before && *offset < size {
                    partial += 1;
                }
            }
        } else {
            let out = wait_at_most(child, Duration::from_secs(120));
            assert!(out.status.success(), "run {run}: {}", stderr_of(&out));
        }
    }
    let out = binge_std().args(args).arg(&log).output().unwrap();
    assert!(out.status.success(), "last run: {}", stderr_of(&out));
    (next, partial)
}

fn state(dir: &Path) -> PathBuf {
    dir.join("state.db")
}

#[test]
fn killed_cron_runs_of_a_named_aggregate_count_every_line_once() {
    let dir = tempfile::tempdir().unwrap();
    let st = state(dir.path());
    let st = st.to_str().unwrap();
    // The aggregate saves once a second, so most kills land before its first save: what
    // this shows is that none counts anything twice.
    let (total, _) = cron_runs(
        dir.path(),
        st,
        &[
            "aggregate",
            "--state",
            st,
            "--name",
            "t",
            "--by",
            ".g",
            "--count",
            "--sum",
            ".n",
            "--resume",
        ],
        Kill::Within(500),
        30_000,
    );
    let out = binge()
        .args(["aggregate", "--state", st, "--name", "t", "--show"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let mut want: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for k in 0..total {
        let e = want.entry(format!("\"g{}\"", k % 3)).or_default();
        e.0 += 1;
        e.1 += k;
    }
    let got: BTreeMap<String, (u64, u64)> = ndjson(&stdout_of(&out))
        .iter()
        .map(|v| {
            (
                field(v, "g"),
                (
                    field(v, "count").parse().unwrap(),
                    field(v, "n_sum").parse().unwrap(),
                ),
            )
        })
        .collect();
    assert_eq!(got, want);
}

/// Every `n` in `lines` (NDJSON events, or records with the event under `inner`), counted.
fn numbers(events: &[agglo::json::Value<'static>]) -> BTreeMap<u64, u32> {
    let mut seen = BTreeMap::new();
    for v in events {
        let n: u64 = field(v, "n").parse().unwrap();
        *seen.entry(n).or_default() += 1;
    }
    seen
}

fn once_each(total: u64) -> BTreeMap<u64, u32> {
    (0..total).map(|n| (n, 1)).collect()
}

#[test]
fn killed_cron_runs_of_log_append_put_every_line_in_the_topic_once() {
    let dir = tempfile::tempdir().unwrap();
    let st = state(dir.path());
    let st = st.to_str().unwrap();
    let (total, partial) = cron_runs(
        dir.path(),
        st,
        &["log", "--state", st, "append", "events", "--resume"],
        Kill::AfterACommit(150),
        30_000,
    );
    assert!(
        partial >= 2,
        "only {partial} kills landed in the middle of a run"
    );
    let out = binge()
        .args(["log", "--state", st, "read", "events", "--group", "check"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(numbers(&ndjson(&stdout_of(&out))), once_each(total));
}

#[test]
fn killed_cron_runs_of_entwine_chain_every_line_once_and_verify() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("s.key");
    let out = binge()
        .args(["entwine", "keygen", "--origin", "example.org/app", "--out"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let trust = dir.path().join("trust.txt");
    std::fs::write(&trust, stdout_of(&out)).unwrap();
    let st = state(dir.path());
    let (st, key) = (st.to_str().unwrap(), key.to_str().unwrap());
    let (total, partial) = cron_runs(
        dir.path(),
        st,
        &["entwine", "--state", st, "--key", key, "--resume"],
        // Once records stopped keeping their derived fields, a killed run's commits after its
        // first could all end within 150 ms, and most kills landed after the last commit:
        // enough events that they take longer, and a narrower window.
        Kill::AfterACommit(60),
        60_000,
    );
    eprintln!("entwine: {partial} of 10 kills landed in the middle of a run");
    assert!(
        partial >= 2,
        "only {partial} kills landed in the middle of a run"
    );
    let out = binge()
        .args([
            "entwine",
            "export",
            "--stream",
            "example.org/app",
            "--state",
            st,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let export = dir.path().join("export.ndjson");
    std::fs::write(&export, &out.stdout).unwrap();
    let events: Vec<_> = ndjson(&stdout_of(&out))
        .into_iter()
        .filter(|v| field(v, "type") == "\"record\"")
        .map(|v| v.member("event").unwrap().clone())
        .collect();
    assert_eq!(numbers(&events), once_each(total));
    let out = binge()
        .args(["verify", "--trust"])
        .arg(&trust)
        .arg(&export)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
}

#[test]
fn a_stateless_run_reads_only_what_is_new_and_waits_for_a_line_to_be_finished() {
    let dir = tempfile::tempdir().unwrap();
    let (log, st) = (dir.path().join("app.log"), state(dir.path()));
    let run = || {
        let out = binge()
            .args(["filter", "true", "--resume=errors", "--state"])
            .arg(&st)
            .arg(&log)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        (stdout_of(&out), stderr_of(&out))
    };
    std::fs::write(&log, "{\"a\":1}\n{\"a\":2}\n{\"a\":").unwrap();
    assert_eq!(run().0, "{\"a\":1}\n{\"a\":2}\n");
    assert_eq!(run().0, "");
    // The writer finishes the line it was writing.
    let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    f.write_all(b"3}\nnot json\n{\"a\":4}\n").unwrap();
    let (out, err) = run();
    assert_eq!(out, "{\"a\":3}\n{\"a\":4}\n");
    // Line numbers go on from where the last run stopped.
    assert!(err.contains("app.log:4:"), "{err}");
    assert_eq!(run().0, "");

    let out = binge()
        .args(["state", "inputs", "--state"])
        .arg(&st)
        .output()
        .unwrap();
    let rows = ndjson(&stdout_of(&out));
    assert_eq!(rows.len(), 1);
    assert_eq!(field(&rows[0], "scope"), "\"errors\"");
    assert_eq!(field(&rows[0], "line"), "5");
    assert_eq!(field(&rows[0], "behind"), "0");

    let out = binge()
        .args([
            "state", "inputs", "--forget", "--scope", "errors", "--state",
        ])
        .arg(&st)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(run().0.lines().count(), 4);
}

#[test]
fn a_rotated_file_that_cannot_be_found_is_said_and_the_new_one_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let (log, st) = (dir.path().join("app.log"), state(dir.path()));
    let run = || {
        let out = binge()
            .args(["log", "append", "t", "--resume", "--state"])
            .arg(&st)
            .arg(&log)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        stderr_of(&out)
    };
    std::fs::write(&log, "{\"a\":1}\n").unwrap();
    run();
    std::fs::write(dir.path().join("new"), "{\"a\":2}\n").unwrap();
    std::fs::rename(dir.path().join("new"), &log).unwrap();
    let err = run();
    assert!(
        err.contains("not the file read last time") && err.contains("from its start"),
        "{err}"
    );
    let out = binge()
        .args(["log", "read", "t", "--group", "g", "--state"])
        .arg(&st)
        .output()
        .unwrap();
    assert_eq!(stdout_of(&out), "{\"a\":1}\n{\"a\":2}\n");
}

#[test]
fn resume_is_refused_where_it_cannot_keep_its_promise() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    std::fs::write(&log, "{\"a\":1}\n").unwrap();
    let st = state(dir.path());
    let cases: [(&[&str], &str); 3] = [
        (&["filter", "true", "--resume=x"], "name the input files"),
        (&["filter", "true", "--resume"], "--resume=NAME"),
        (&["filter", "true", "--resume=x", "--limit", "1"], "--limit"),
    ];
    for (args, says) in cases {
        let mut cmd = binge();
        cmd.args(args).arg("--state").arg(&st);
        if args[2] != "--resume=x" || args.len() > 3 {
            cmd.arg(&log);
        }
        let out = cmd.write_stdin("{}\n").output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr_of(&out).contains(says),
            "{args:?}: {}",
            stderr_of(&out)
        );
    }
}

#[test]
fn killed_cron_runs_of_tee_into_the_log_put_every_line_in_the_topic_once() {
    let dir = tempfile::tempdir().unwrap();
    let st = state(dir.path());
    let st = st.to_str().unwrap();
    let (total, partial) = cron_runs(
        dir.path(),
        st,
        &["tee", "--state", st, "log:events", "--resume", "-i"],
        Kill::AfterACommit(150),
        30_000,
    );
    assert!(
        partial >= 2,
        "only {partial} kills landed in the middle of a run"
    );
    let out = binge()
        .args(["log", "--state", st, "read", "events", "--group", "check"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(numbers(&ndjson(&stdout_of(&out))), once_each(total));
}
