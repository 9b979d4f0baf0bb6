//! `-o/--output`: CSV read back by a reader written here from RFC 4180 gives the same values;
//! TSV, a table and a JSON array as documented.

use crate::util::*;

/// RFC 4180, independently of binge: records of fields, quoted fields with "" for a quote,
/// line ends CRLF (or LF).
fn read_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    records
}

#[test]
fn csv_reads_back_to_the_same_values() {
    let events = repo().join("samples/filter-invalid-users/events.ndjson");
    let columns = "LineId,Content,Pid,EventTemplate,system";
    let out = binge()
        .args(["filter", "true", "-o", "csv", "--columns", columns])
        .arg(&events)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let rows = read_csv(&stdout_of(&out));
    assert_eq!(rows[0], columns.split(',').collect::<Vec<_>>());
    let originals = ndjson(&std::fs::read_to_string(&events).unwrap());
    assert_eq!(rows.len() - 1, originals.len());
    for (row, ev) in rows[1..].iter().zip(&originals) {
        for (cell, name) in row.iter().zip(columns.split(',')) {
            let want = match ev.member(name) {
                None | Some(agglo::json::Value::Null) => String::new(),
                Some(agglo::json::Value::String(s)) => s.to_string(),
                Some(other) => other.to_json(),
            };
            assert_eq!(cell, &want, "{name}");
        }
    }
    // A cell with a comma, quotes and a newline survives the round trip.
    let out = binge()
        .args(["filter", "true", "-o", "csv"])
        .write_stdin("{\"a\":\"x, \\\"y\\\"\\nz\",\"n\":1.50}\n")
        .output()
        .unwrap();
    assert_eq!(
        read_csv(&stdout_of(&out)),
        [vec!["a", "n"], vec!["x, \"y\"\nz", "1.50"]]
    );
}

#[test]
fn a_table_for_the_terminal() {
    let out = binge()
        .args([
            "aggregate",
            "--by",
            ".system",
            "--count",
            "--max",
            ".LineId",
            "-o",
            "table",
        ])
        .arg(repo().join("samples/filter-invalid-users/events.ndjson"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = stdout_of(&out);
    let head: Vec<&str> = text.lines().take(4).collect();
    assert_eq!(
        head,
        [
            "system      count LineId_max",
            "Android     20    20",
            "Apache      20    20",
            "BGL         20    20",
        ],
        "{text}"
    );
}

#[test]
fn tsv_and_a_json_array() {
    let out = binge()
        .args(["-o", "tsv", "annotate", "--set", ".t=\"a\\tb\""])
        .write_stdin("{\"x\":1}\n")
        .output()
        .unwrap();
    assert_eq!(stdout_of(&out), "x\tt\n1\ta\\tb\n");
    let out = binge()
        .args(["filter", "true", "-o", "json"])
        .write_stdin("{\"x\":1}\n{\"x\":2.0}\n")
        .output()
        .unwrap();
    assert_eq!(stdout_of(&out), "[\n{\"x\":1},\n{\"x\":2.0}\n]\n");
}

/// log read and log tail deliver NDJSON whatever -o says, so they refuse another format
/// instead of ignoring it.
#[test]
fn log_delivery_refuses_other_formats() {
    let dir = tempfile::tempdir().unwrap();
    let st = dir.path().join("s.db");
    let out = binge()
        .args(["log", "append", "t", "--state"])
        .arg(&st)
        .write_stdin("{\"a\":1}\n")
        .output()
        .unwrap();
    assert!(out.status.success());
    for args in [&["tail", "t"][..], &["read", "t", "--group", "g"][..]] {
        // (log tail, log read)
        let out = binge()
            .arg("log")
            .args(args)
            .args(["-o", "csv", "--state"])
            .arg(&st)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr_of(&out).contains("NDJSON only"),
            "{}",
            stderr_of(&out)
        );
    }
}

#[test]
fn record_writers_refuse_other_formats() {
    for args in [
        &["verify", "--trust", "t.txt", "-o", "table"][..],
        &["anchor", "ticks", "-o", "csv"][..],
        &["entwine", "status", "-o", "json"][..],
    ] {
        let out = binge().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr_of(&out).contains("NDJSON only"),
            "{}",
            stderr_of(&out)
        );
    }
}
