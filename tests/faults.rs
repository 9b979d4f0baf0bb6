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
