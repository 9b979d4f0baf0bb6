//! The engine's contracts (DESIGN.md §2), seen through `binge filter`: framing, bad input,
//! latency behind a pipe, and a reader that goes away.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::Stdio;
use std::time::Duration;

use crate::util::*;

fn suite_files(prefix: &str) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(data("jsontestsuite/test_parsing"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_str().unwrap().starts_with(prefix))
        .collect();
    files.sort();
    files
}

#[test]
fn jsontestsuite_rejects_every_n_file() {
    let files = suite_files("n_");
    assert!(files.len() > 150, "the suite is incomplete");
    for file in files {
        let input = std::fs::read(&file).unwrap();
        let out = binge()
            .args(["filter", "true"])
            .write_stdin(input)
            .output()
            .unwrap();
        let name = file.display();
        assert!(
            out.status.code() == Some(0),
            "{name}: status {:?}",
            out.status
        );
        assert_eq!(out.stdout, b"", "{name} was accepted");
        let err = stderr_of(&out);
        // Blank files are no events at all; everything else must be reported.
        if !std::fs::read(&file)
            .unwrap()
            .iter()
            .all(u8::is_ascii_whitespace)
        {
            assert!(err.contains("binge filter: stdin:"), "{name}: {err}");
            assert!(err.contains("bad line"), "{name}: {err}");
        }
    }
}

#[test]
fn jsontestsuite_accepts_every_y_object() {
    let mut seen = 0;
    for file in suite_files("y_") {
        let text = std::fs::read(&file).unwrap();
        if text.iter().find(|c| !c.is_ascii_whitespace()) != Some(&b'{') {
            continue;
        }
        // Newlines in valid JSON are only ever whitespace: fold them to fit on one line.
        let line: Vec<u8> = text
            .iter()
            .map(|&c| if c == b'\n' { b' ' } else { c })
            .chain(std::iter::once(b'\n'))
            .collect();
        let out = binge()
            .args(["filter", "true"])
            .write_stdin(line.clone())
            .output()
            .unwrap();
        let name = file.display();
        assert!(out.status.success(), "{name}");
        assert_eq!(stderr_of(&out), "", "{name}");
        let trimmed: Vec<u8> = {
            // Surrounding blanks are not part of the event; \r is taken as a line ending.
            let s = &line[..line.len() - 1];
            let start = s.iter().position(|c| !c.is_ascii_whitespace()).unwrap();
            let mut end = s.len();
            while end > start && s[end - 1] == b'\r' {
                end -= 1;
            }
            let mut v = s[start..end].to_vec();
            v.splice(0..0, s[..start].iter().copied());
            v.push(b'\n');
            v
        };
        assert_eq!(
            out.stdout, trimmed,
            "{name} was not passed through unchanged"
        );
        seen += 1;
    }
    assert!(seen >= 12, "only {seen} object files");
}

#[test]
fn bad_lines_are_reported_counted_and_skipped() {
    let input = "{\"a\":1}\nnot json\n[1,2]\n{\"a\":2}\n{\"a\":\n";
    let out = binge()
        .args(["filter", "true"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout_of(&out), "{\"a\":1}\n{\"a\":2}\n");
    assert_eq!(
        stderr_of(&out),
        "binge filter: stdin:2: invalid JSON at byte 1: expected an object\n\
         binge filter: stdin:3: invalid JSON at byte 1: expected an object, found an array\n\
         binge filter: stdin:5: invalid JSON at byte 6: unexpected end of input, expected a value\n\
         binge filter: 3 bad lines skipped\n"
    );
}

#[test]
fn only_the_first_ten_bad_lines_are_shown_then_a_count() {
    let mut input = String::new();
    for i in 0..25 {
        input.push_str(&format!("bad {i}\n{{\"ok\":{i}}}\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.ndjson");
    std::fs::write(&file, &input).unwrap();
    let out = binge()
        .args(["filter", "true"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(stdout_of(&out).lines().count(), 25);
    let err = stderr_of(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 11, "{err}");
    assert!(lines[0].starts_with(&format!("binge filter: {}:1: ", file.display())));
    assert!(lines[9].starts_with(&format!("binge filter: {}:19: ", file.display())));
    assert_eq!(
        lines[10],
        "binge filter: 25 bad lines skipped (the first 10 shown above)"
    );
}

#[test]
fn on_error_fail_stops_with_65_after_writing_what_came_before() {
    let mut input = String::new();
    for i in 0..5000 {
        input.push_str(&format!("{{\"i\":{i}}}\n"));
    }
    input.push_str("{oops}\n{\"after\":1}\n");
    let out = binge()
        .args(["filter", "--on-error", "fail", "true"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65));
    let stdout = stdout_of(&out);
    assert_eq!(stdout.lines().count(), 5000);
    assert!(stdout.ends_with("{\"i\":4999}\n"));
    assert_eq!(
        stderr_of(&out),
        "binge filter: stdin:5001: invalid JSON at byte 2: expected a string key in an object\n"
    );
}

#[test]
fn dead_letter_keeps_every_bad_line_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let dead = dir.path().join("dead.ndjson");
    std::fs::write(&dead, "{\"earlier\":true}\n").unwrap();
    let mut input = String::from("{\"a\":1}\n");
    for i in 0..12 {
        input.push_str(&format!("bad \"{i}\"\n"));
    }
    input.push_str("{\"a\":\"é\"}\n");
    binge()
        .args(["filter", "true", "--dead-letter"])
        .arg(&dead)
        .write_stdin(input)
        .assert()
        .success()
        .stdout("{\"a\":1}\n{\"a\":\"é\"}\n");
    let kept = std::fs::read_to_string(&dead).unwrap();
    let lines: Vec<&str> = kept.lines().collect();
    assert_eq!(lines.len(), 13, "{kept}");
    assert_eq!(lines[0], "{\"earlier\":true}", "appends, never truncates");
    assert_eq!(
        lines[1],
        r#"{"source":"stdin","line":2,"error":"invalid JSON at byte 1: expected an object","raw":"bad \"0\""}"#
    );
    assert!(lines[12].contains(r#""line":13"#) && lines[12].contains(r#""raw":"bad \"11\"""#));
}

#[test]
fn over_long_lines_are_bad_lines() {
    let long = format!("{{\"x\":\"{}\"}}", "y".repeat(5000));
    let input = format!("{{\"a\":1}}\n{long}\n{{\"a\":2}}\n");
    let dir = tempfile::tempdir().unwrap();
    let dead = dir.path().join("dead.ndjson");
    let out = binge()
        .args(["filter", "true", "--max-line-bytes", "1K", "--dead-letter"])
        .arg(&dead)
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(stdout_of(&out), "{\"a\":1}\n{\"a\":2}\n");
    assert!(
        stderr_of(&out)
            .starts_with("binge filter: stdin:2: line longer than --max-line-bytes (1024 bytes)"),
        "{}",
        stderr_of(&out)
    );
    let kept = std::fs::read_to_string(&dead).unwrap();
    // The first 1024 bytes of the line: `{"x":"` and 1018 of the y's.
    assert!(kept.contains(&format!(
        "\"raw\":\"{{\\\"x\\\":\\\"{}\"}}",
        "y".repeat(1018)
    )));
}

#[test]
fn crlf_blank_lines_and_a_last_line_without_newline() {
    binge()
        .args(["filter", "true"])
        .write_stdin("{\"a\":1}\r\n\r\n   \n{\"a\":2}\n{\"a\":3}")
        .assert()
        .success()
        .stdout("{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n");
}

#[test]
fn text_mode_wraps_each_line_as_a_message() {
    binge()
        .args(["filter", "--text", r#".message =~ "^b""#])
        .write_stdin("apple \"pie\"\r\nbanana\tsplit\n\nberry\\jam")
        .assert()
        .success()
        .stdout("{\"message\":\"banana\\tsplit\"}\n{\"message\":\"berry\\\\jam\"}\n");
}

#[test]
fn each_event_comes_out_before_the_next_goes_in() {
    let mut child = binge_std()
        .args(["filter", ".n >= 0"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let rx = lines_as_they_come(child.stdout.take().unwrap());
    for n in 0..5 {
        writeln!(stdin, "{{\"n\":{n}}}").unwrap();
        stdin.flush().unwrap();
        let got = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("the event was held back while the input stayed open");
        assert_eq!(got, format!("{{\"n\":{n}}}"));
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

/// Input already waiting when binge starts is read before the reading thread starts: those
/// first lines come out at once while the pipe stays open, and nothing is lost or reordered.
#[test]
fn input_waiting_at_start_comes_out_at_once_and_whole() {
    let (reader, mut writer) = std::io::pipe().unwrap();
    // About 6 KB: more than binge's first read (4 KiB) takes, and less than a buffer of 8 KiB
    // (std's for stdin) would: the rest must reach the reading thread, not sit in a buffer
    // while the thread waits on the pipe.
    let waiting: Vec<String> = (0..560).map(|n| format!("{{\"n\":{n}}}")).collect();
    assert!((5000..7000).contains(&waiting.iter().map(|l| l.len() + 1).sum::<usize>()));
    for line in &waiting {
        writeln!(writer, "{line}").unwrap();
    }
    let mut child = binge_std()
        .args(["filter", ".n >= 0"])
        .stdin(reader)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let rx = lines_as_they_come(child.stdout.take().unwrap());
    for line in &waiting {
        let got = rx.recv_timeout(Duration::from_secs(20));
        assert_eq!(
            got.as_ref(),
            Ok(line),
            "a line waiting at start was held back while the input stayed open"
        );
    }
    writeln!(writer, "{{\"n\":560}}").unwrap();
    drop(writer);
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(20)).as_deref(),
        Ok("{\"n\":560}")
    );
    assert!(child.wait().unwrap().success());
}

/// Standard input redirected from a file: an empty one gives nothing, a long one is read
/// whole past the first read, in order.
#[test]
fn stdin_from_a_file_is_read_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.ndjson");
    std::fs::write(&empty, "").unwrap();
    let out = binge_std()
        .args(["filter", "true"])
        .stdin(std::fs::File::open(&empty).unwrap())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty() && out.stderr.is_empty());

    let long = dir.path().join("long.ndjson");
    let text: String = (0..20_000).map(|n| format!("{{\"n\":{n}}}\n")).collect();
    assert!(text.len() > 3 * (64 << 10), "longer than the first reads");
    std::fs::write(&long, &text).unwrap();
    let out = binge_std()
        .args(["filter", "true"])
        .stdin(std::fs::File::open(&long).unwrap())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(out.stdout == text.as_bytes(), "every line, in order");
}

#[test]
fn a_reader_that_stops_early_ends_binge_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.ndjson");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&big).unwrap());
        for i in 0..400_000 {
            writeln!(f, "{{\"i\":{i},\"pad\":\"abcdefghijklmnopqrstuvwxyz\"}}").unwrap();
        }
    }
    // The shell's `| head -1`: read one line, then close the pipe.
    let mut child = binge_std()
        .args(["filter", "true"])
        .arg(&big)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert_eq!(first, "{\"i\":0,\"pad\":\"abcdefghijklmnopqrstuvwxyz\"}\n");
    drop(stdout);
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    assert_eq!(err, "");
}

#[test]
fn progress_is_never_written_when_stderr_is_not_a_terminal() {
    let input: String = (0..50_000).map(|i| format!("{{\"i\":{i}}}\n")).collect();
    let out = binge()
        .args(["filter", "false"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, b"");
    assert_eq!(out.stderr, b"");
}

// Regression (issue 11.14): bytes that are not UTF-8 were replaced by U+FFFD in the dead
// letter, so garbage lines could not be recovered.
#[test]
fn a_dead_letter_keeps_lines_that_are_not_utf8_byte_for_byte() {
    use base64::Engine;
    let dir = tempfile::tempdir().unwrap();
    let dead = dir.path().join("dead.ndjson");
    let garbage: &[u8] = b"\xff\xfe{\"a\":\"\xc3\x28\"}";
    let mut input = b"{\"ok\":1}\n".to_vec();
    input.extend_from_slice(garbage);
    input.extend_from_slice(b"\nnot json\n");
    let out = binge()
        .args(["filter", "true", "--dead-letter"])
        .arg(&dead)
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(stdout_of(&out), "{\"ok\":1}\n");
    let kept = ndjson(&std::fs::read_to_string(&dead).unwrap());
    assert_eq!(kept.len(), 2);
    let b64 = kept[0]
        .member("raw_base64")
        .and_then(|v| v.as_str())
        .unwrap();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    assert_eq!(bytes, garbage);
    assert!(kept[0].member("raw").is_none());
    assert_eq!(field(&kept[1], "raw"), "\"not json\"");
}
