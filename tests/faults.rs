//! What binge does when a run cannot go on as planned: a bad line under `--on-error fail`, a
//! full file system, a state file that cannot be written. The rule for every stateful stage:
//! exactly the events before the stop are handled (saved, committed, delivered), none after.

use std::path::{Path, PathBuf};

use crate::util::*;

fn numbered(from: usize, to: usize) -> String {
    (from..to)
        .map(|i| format!("{{\"i\":{i},\"k\":\"k{}\"}}\n", i % 3))
        .collect()
}

/// 1,200 good lines, one bad, 1,300 good: one input batch, so the stage would see all of it
/// if the engine did not stop at the bad line.
fn good_bad_good() -> String {
    format!("{}bad\n{}", numbered(0, 1200), numbered(1200, 2500))
}

fn count(state: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(state).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn keygen(dir: &Path, origin: &str) -> PathBuf {
    let key = dir.join(format!("{}.key", origin.replace('/', "_")));
    let out = binge()
        .args(["entwine", "keygen", "--origin", origin, "--out"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    key
}

// Regression (issue 11.3): log append committed 2,000 events, 800 of them after the bad line;
// aggregate --name and entwine saved nothing.
#[test]
fn on_error_fail_keeps_exactly_the_events_before_the_bad_line_in_every_stateful_stage() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.db");
    let out = binge()
        .args(["log", "append", "t", "--on-error", "fail", "--state"])
        .arg(&state)
        .write_stdin(good_bad_good())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("stdin:1201:"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(count(&state, "SELECT count(*) FROM log_events"), 1200);
    assert_eq!(
        count(
            &state,
            "SELECT max(json_extract(body, '$.i')) FROM log_events"
        ),
        1199
    );

    let out = binge()
        .args(["aggregate", "--name", "n", "--count", "--on-error", "fail"])
        .arg("--state")
        .arg(&state)
        .write_stdin(good_bad_good())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr_of(&out));
    let shown = binge()
        .args(["aggregate", "--name", "n", "--show", "--state"])
        .arg(&state)
        .output()
        .unwrap();
    assert_eq!(stdout_of(&shown), "{\"count\":1200}\n");

    let key = keygen(dir.path(), "example.org/s");
    let out = binge()
        .args(["entwine", "--on-error", "fail", "--key"])
        .arg(&key)
        .arg("--state")
        .arg(&state)
        .write_stdin(good_bad_good())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out).lines().count(), 1200);
    assert_eq!(count(&state, "SELECT count(*) FROM entwine_records"), 1200);
    let signed = count(&state, "SELECT max(size) FROM entwine_checkpoints");
    assert_eq!(signed, 1200, "the end of the run signs what was added");
}

/// A size-limited tmpfs, for filling the disk under binge. Mounting needs root (CI runs as
/// root); elsewhere the tests that need it say why they skipped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().unwrap();
        let out = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output();
        match out {
            Ok(o) if o.status.success() => Some(Tmpfs { dir }),
            Ok(o) => {
                eprintln!(
                    "skipped: cannot mount a tmpfs to fill (needs root): {}",
                    stderr_of(&o).trim()
                );
                None
            }
            Err(e) => {
                eprintln!("skipped: cannot run mount: {e}");
                None
            }
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Gives the file system room again, as freeing space would.
    fn grow(&self, size: &str) {
        let out = std::process::Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(self.dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

/// Events big enough to fill a 1 MB file system several times over.
fn big_events(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "{{\"i\":{i},\"k\":\"k{}\",\"pad\":\"{}\"}}\n",
                i % 3,
                "x".repeat(80)
            )
        })
        .collect()
}

/// Runs binge with `input` on stdin and a deadline: a run that spins on a full disk fails the
/// test instead of hanging it.
fn run_with_deadline(
    mut cmd: std::process::Command,
    input: &str,
    deadline: std::time::Duration,
) -> std::process::Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_string();
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let out = wait_at_most(child, deadline);
    let _ = feeder.join();
    out
}

fn integrity(state: &Path) -> String {
    let conn = rusqlite::Connection::open(state).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

// Regression (issue 11.5): log append on a full disk spun for minutes, retrying an ever larger
// transaction once per event. Every stateful subcommand must stop with status 1 and a clear
// message, leave a sound state file, and continue on the next run once there is room.
#[test]
fn every_stateful_subcommand_stops_cleanly_on_a_full_disk_and_continues_later() {
    let dir = tempfile::tempdir().unwrap();
    let key = keygen(dir.path(), "example.org/full");
    let events = big_events(40_000);
    type Args = Vec<String>;
    let cases: Vec<(&str, Args, &str)> = vec![
        (
            "log append",
            vec!["log".into(), "append".into(), "t".into()],
            "SELECT count(*) FROM log_events",
        ),
        (
            "aggregate --name",
            vec![
                "aggregate".into(),
                "--name".into(),
                "n".into(),
                "--by".into(),
                ".i".into(),
                "--count".into(),
            ],
            "SELECT count(*) FROM agg_groups",
        ),
        (
            "entwine",
            vec![
                "entwine".into(),
                "--key".into(),
                key.display().to_string(),
                "--checkpoint-every".into(),
                "1000".into(),
            ],
            "SELECT count(*) FROM entwine_records",
        ),
        (
            "tee log:",
            vec!["tee".into(), "log:t".into()],
            "SELECT count(*) FROM log_events",
        ),
        (
            "aggregate --collect --name",
            vec![
                "aggregate".into(),
                "--collect".into(),
                "--name".into(),
                "c".into(),
                "--key".into(),
                ".i".into(),
                "--collection".into(),
                ".k".into(),
            ],
            "SELECT count(*) FROM collect_sources",
        ),
    ];
    for (what, args, rows) in cases {
        let Some(fs) = Tmpfs::mount("1m") else { return };
        let state = fs.path("state.db");
        let mut cmd = binge_std();
        cmd.args(&args).arg("--state").arg(&state).arg("--quiet");
        let out = run_with_deadline(cmd, &events, std::time::Duration::from_secs(60));
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(1), "{what}: {err}");
        assert!(
            err.contains("disk is full") || err.contains("No space left"),
            "{what}: {err}"
        );
        assert!(!err.contains("panicked"), "{what}: {err}");
        assert_eq!(integrity(&state), "ok", "{what}");
        let before = count(&state, rows);

        fs.grow("256m");
        let mut cmd = binge_std();
        cmd.args(&args).arg("--state").arg(&state).arg("--quiet");
        let out = run_with_deadline(cmd, &events, std::time::Duration::from_secs(120));
        assert_eq!(
            out.status.code(),
            Some(0),
            "{what}, with room: {}",
            stderr_of(&out)
        );
        assert_eq!(integrity(&state), "ok", "{what}");
        assert!(
            count(&state, rows) > before,
            "{what}: the next run added nothing"
        );
    }
}

// Regression (issue 11.4): a file target on a full disk ended in a torn line, and 1,589 events
// were both in the file and in the dead letter.
#[test]
fn a_file_target_on_a_full_disk_keeps_whole_lines_and_counts_each_event_once() {
    let Some(fs) = Tmpfs::mount("1m") else { return };
    let dir = tempfile::tempdir().unwrap();
    let dead = dir.path().join("dead.ndjson");
    let file = fs.path("out.ndjson");
    let mut cmd = binge_std();
    cmd.arg("tee").arg(&file).arg("--dead-letter").arg(&dead);
    let events = big_events(40_000);
    let out = run_with_deadline(cmd, &events, std::time::Duration::from_secs(60));
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert_eq!(stdout_of(&out), events, "every event still passed on");
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.ends_with('\n'), "a torn last line");
    let mut seen: Vec<i64> = ndjson(&written)
        .iter()
        .map(|v| field(v, "i").parse().unwrap())
        .collect();
    let in_file = seen.len();
    let dead = std::fs::read_to_string(&dead).unwrap();
    for rec in ndjson(&dead) {
        let ev = rec.member("event").unwrap();
        seen.push(field(ev, "i").parse().unwrap());
    }
    let in_dead = seen.len() - in_file;
    seen.sort_unstable();
    assert_eq!(
        seen,
        (0..40_000).collect::<Vec<i64>>(),
        "each event exactly once"
    );
    assert!(
        stderr_of(&out).contains(&format!("{in_file} events delivered, {in_dead} not")),
        "{}",
        stderr_of(&out)
    );
}
