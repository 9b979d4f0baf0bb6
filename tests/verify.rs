//! `binge verify` on exports of entwined streams: clean ones pass, and each kind of tampering
//! is caught with status 1 and a finding that names the right stream and seq.

use std::path::{Path, PathBuf};

use agglo::json::{Value, parse_value};

use crate::util::*;

struct Stream {
    dir: tempfile::TempDir,
    origin: String,
    vkey: String,
}

impl Stream {
    /// A stream of `n` events, checkpointed every `every` records, written by `key_from` (a
    /// stream whose key to reuse) or a new key.
    fn new(origin: &str, n: usize, every: usize, key_from: Option<&Stream>) -> Stream {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("k.key");
        let vkey = match key_from {
            Some(other) => {
                std::fs::copy(other.dir.path().join("k.key"), &key).unwrap();
                other.vkey.clone()
            }
            None => {
                let out = binge()
                    .args(["entwine", "keygen", "--origin", origin, "--out"])
                    .arg(&key)
                    .output()
                    .unwrap();
                stdout_of(&out).trim().to_string()
            }
        };
        let input: String = (0..n)
            .map(|i| format!("{{\"story\":{i},\"origin\":\"{origin}\"}}\n"))
            .collect();
        binge()
            .args([
                "entwine",
                "--sign-each",
                "--checkpoint-every",
                &every.to_string(),
                "--key",
            ])
            .arg(&key)
            .arg("--state")
            .arg(dir.path().join("s.db"))
            .write_stdin(input)
            .assert()
            .success();
        Stream {
            dir,
            origin: origin.to_string(),
            vkey,
        }
    }

    fn export(&self, extra: &[&str]) -> Vec<String> {
        let out = binge()
            .args(["entwine", "export", "--stream", &self.origin, "--state"])
            .arg(self.dir.path().join("s.db"))
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success());
        stdout_of(&out).lines().map(str::to_string).collect()
    }
}

fn trust(dir: &Path, streams: &[&Stream]) -> PathBuf {
    let path = dir.join("trust.txt");
    let text: String = streams.iter().map(|s| format!("{}\n", s.vkey)).collect();
    std::fs::write(&path, format!("# keys\n{text}")).unwrap();
    path
}

/// Runs verify --json on the lines; returns the status and the findings (kind, stream, seq).
fn verify(
    dir: &Path,
    trust: &Path,
    lines: &[String],
    extra: &[&str],
) -> (i32, Vec<(String, String, String)>) {
    let export = dir.join("export.ndjson");
    std::fs::write(&export, lines.join("\n") + "\n").unwrap();
    let out = binge()
        .args(["verify", "--json", "--trust"])
        .arg(trust)
        .args(extra)
        .arg(&export)
        .output()
        .unwrap();
    let findings = stdout_of(&out)
        .lines()
        .map(|l| parse_value(l.as_bytes()).unwrap().into_owned())
        .filter(|v| v.member("check").is_some())
        .map(|v| {
            let f = |k: &str| v.member(k).map(Value::to_json).unwrap_or_default();
            (
                f("check").trim_matches('"').to_string(),
                f("stream").trim_matches('"').to_string(),
                f("seq"),
            )
        })
        .collect();
    (out.status.code().unwrap_or(-1), findings)
}

fn has(findings: &[(String, String, String)], check: &str, stream: &str, seq: u64) -> bool {
    findings
        .iter()
        .any(|(c, s, q)| c == check && s == stream && *q == seq.to_string())
}

#[test]
fn clean_and_redacted_exports_verify() {
    let a = Stream::new("a.example", 25, 10, None);
    let t = trust(a.dir.path(), &[&a]);
    let (code, findings) = verify(a.dir.path(), &t, &a.export(&[]), &[]);
    assert_eq!((code, findings.len()), (0, 0), "{findings:?}");
    let redacted = a.export(&["--redact"]);
    assert!(redacted.iter().all(|l| !l.contains("\"event\"")));
    let (code, findings) = verify(a.dir.path(), &t, &redacted, &[]);
    assert_eq!((code, findings.len()), (0, 0), "{findings:?}");
    // Nothing is anchored yet: --strict says incomplete.
    assert_eq!(verify(a.dir.path(), &t, &a.export(&[]), &["--strict"]).0, 3);
}

#[test]
fn a_flipped_byte_in_an_event() {
    let a = Stream::new("a.example", 25, 10, None);
    let t = trust(a.dir.path(), &[&a]);
    let mut lines = a.export(&[]);
    let i = lines
        .iter()
        .position(|l| l.contains("\"story\":12}"))
        .unwrap();
    lines[i] = lines[i].replace("\"story\":12}", "\"story\":13}");
    let (code, f) = verify(a.dir.path(), &t, &lines, &[]);
    assert_eq!(code, 1);
    assert!(has(&f, "body", "a.example", 12), "{f:?}");
    assert!(f.iter().filter(|x| x.0 == "body").count() == 1, "{f:?}");
}

#[test]
fn two_records_swapped() {
    let a = Stream::new("a.example", 25, 100, None);
    let t = trust(a.dir.path(), &[&a]);
    let mut lines = a.export(&[]);
    let i = lines.iter().position(|l| l.contains("\"seq\":5,")).unwrap();
    lines.swap(i, i + 1);
    let (code, f) = verify(a.dir.path(), &t, &lines, &[]);
    assert_eq!(code, 1);
    assert!(has(&f, "missing records", "a.example", 6), "{f:?}");
}

#[test]
fn a_middle_record_deleted() {
    let a = Stream::new("a.example", 25, 100, None);
    let t = trust(a.dir.path(), &[&a]);
    let mut lines = a.export(&[]);
    let i = lines.iter().position(|l| l.contains("\"seq\":9,")).unwrap();
    lines.remove(i);
    let (code, f) = verify(a.dir.path(), &t, &lines, &[]);
    assert_eq!(code, 1);
    assert!(has(&f, "missing records", "a.example", 10), "{f:?}");
    assert!(has(&f, "prev link", "a.example", 10), "{f:?}");
}

#[test]
fn truncation_below_a_signed_size_is_an_error_and_of_the_tail_a_warning() {
    let a = Stream::new("a.example", 25, 10, None);
    let t = trust(a.dir.path(), &[&a]);
    let lines = a.export(&[]);
    // Cut records 15.. but keep the final checkpoint (size 25): records are missing below it.
    let cut: Vec<String> = lines
        .iter()
        .filter(|l| {
            let v = parse_value(l.as_bytes()).unwrap();
            let seq = v
                .member("seq")
                .map(Value::to_json)
                .and_then(|s| s.parse::<u64>().ok());
            seq.is_none_or(|s| s < 15)
        })
        .cloned()
        .collect();
    let (code, f) = verify(a.dir.path(), &t, &cut, &[]);
    assert_eq!(code, 1);
    assert!(
        f.iter()
            .any(|x| x.0 == "records missing below a checkpoint"),
        "{f:?}"
    );
    // Without the checkpoints beyond the cut, only an unsigned tail is left: a warning.
    let tail: Vec<String> = cut
        .into_iter()
        .filter(|l| {
            let v = parse_value(l.as_bytes()).unwrap();
            let checkpoint = v.member("type").and_then(Value::as_str) == Some("checkpoint");
            let size = v
                .member("size")
                .map(Value::to_json)
                .and_then(|s| s.parse::<u64>().ok());
            !(checkpoint && size.is_some_and(|s| s > 15))
        })
        .collect();
    let (code, f) = verify(a.dir.path(), &t, &tail, &[]);
    assert_eq!(code, 0, "{f:?}");
    assert!(
        has(&f, "not under a valid checkpoint", "a.example", 10),
        "{f:?}"
    );
}

#[test]
fn a_fork_with_the_same_key() {
    let a = Stream::new("a.example", 10, 100, None);
    // The same key writes another history: story numbers differ from seq 0 on.
    let b = Stream::new("a.example", 10, 100, Some(&a));
    let t = trust(a.dir.path(), &[&a]);
    let mut lines = a.export(&[]);
    let forked = b
        .export(&[])
        .into_iter()
        .find(|l| l.contains("\"seq\":3,"))
        .unwrap();
    lines.push(forked);
    let (code, f) = verify(a.dir.path(), &t, &lines, &[]);
    assert_eq!(code, 1);
    // Both histories start alike only if their events do; here record 3 differs in time.
    assert!(
        has(&f, "fork", "a.example", 3) || has(&f, "replayed record", "a.example", 3),
        "{f:?}"
    );
}

#[test]
fn a_record_of_another_stream_spliced_in() {
    let a = Stream::new("a.example", 10, 100, None);
    let b = Stream::new("b.example", 10, 100, None);
    let t = trust(a.dir.path(), &[&a, &b]);
    let mut lines = a.export(&[]);
    let foreign = b
        .export(&[])
        .into_iter()
        .find(|l| l.contains("\"seq\":4,"))
        .unwrap();
    let i = lines.iter().position(|l| l.contains("\"seq\":4,")).unwrap();
    lines.insert(i, foreign);
    let (code, f) = verify(a.dir.path(), &t, &lines, &[]);
    assert_eq!(code, 1);
    assert!(has(&f, "foreign record", "a.example", 4), "{f:?}");
}

#[test]
fn a_checkpoint_signed_by_another_key() {
    let a = Stream::new("a.example", 10, 5, None);
    let other = Stream::new("a.example", 10, 5, None);
    let t = trust(a.dir.path(), &[&a]);
    let mut lines = a.export(&[]);
    let forged = other
        .export(&[])
        .into_iter()
        .find(|l| l.contains("\"type\":\"checkpoint\""))
        .unwrap();
    let i = lines
        .iter()
        .position(|l| l.contains("\"type\":\"checkpoint\""))
        .unwrap();
    lines[i] = forged;
    let (code, f) = verify(a.dir.path(), &t, &lines, &[]);
    assert_eq!(code, 1);
    // Regression (issue 11.16): the finding named no checkpoint; it is the one of size 5.
    assert!(has(&f, "checkpoint signature", "a.example", 4), "{f:?}");
}

#[test]
fn unusable_input_or_trust_is_status_2() {
    let a = Stream::new("a.example", 3, 10, None);
    let empty = a.dir.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    assert_eq!(verify(a.dir.path(), &empty, &a.export(&[]), &[]).0, 2);
    let t = trust(a.dir.path(), &[&a]);
    assert_eq!(
        verify(a.dir.path(), &t, &["not json".to_string()], &[]).0,
        2
    );
    let bad = a.dir.path().join("bad.txt");
    std::fs::write(&bad, "not a key\n").unwrap();
    assert_eq!(verify(a.dir.path(), &bad, &a.export(&[]), &[]).0, 2);
    // A bad line early in a long export: verify stops there, named by its line, while the
    // lines after it are still being read ahead.
    let mut long = a.export(&[]);
    long.insert(2, "{\"type\":\"record\",".to_string());
    long.extend((0..50_000).map(|i| format!("{{\"type\":\"noise\",\"i\":{i}}}")));
    let export = a.dir.path().join("long.ndjson");
    std::fs::write(&export, long.join("\n") + "\n").unwrap();
    let out = binge()
        .args(["verify", "--trust"])
        .arg(&t)
        .arg(&export)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("long.ndjson:3: invalid JSON"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn a_record_signed_by_another_key() {
    let a = Stream::new("a.example", 10, 100, None);
    let other = Stream::new("a.example", 10, 100, None);
    let t = trust(a.dir.path(), &[&a]);
    let sig_of = |line: &str| {
        let v = parse_value(line.as_bytes()).unwrap();
        v.member("sig").and_then(Value::as_str).unwrap().to_string()
    };
    let mut lines = a.export(&[]);
    let theirs = other
        .export(&[])
        .into_iter()
        .find(|l| l.contains("\"seq\":2,"))
        .unwrap();
    let i = lines.iter().position(|l| l.contains("\"seq\":2,")).unwrap();
    lines[i] = lines[i].replace(&sig_of(&lines[i]), &sig_of(&theirs));
    let (code, f) = verify(a.dir.path(), &t, &lines, &[]);
    assert_eq!(code, 1);
    assert!(has(&f, "record signature", "a.example", 2), "{f:?}");
    assert_eq!(f.len(), 1, "{f:?}");
}

// Regression (issue 11.10): an export cut short of the size its stream line states, an empty
// export, and a checkpoint line whose size or root no longer matches its signed note were all
// "verified".
#[test]
fn short_empty_and_altered_exports_are_not_verified() {
    let a = Stream::new("a.example", 20, 5, None);
    let t = trust(a.dir.path(), &[&a]);
    let lines = a.export(&[]);
    let seq_or_size = |l: &String, k: &str| {
        parse_value(l.as_bytes())
            .unwrap()
            .member(k)
            .map(Value::to_json)
            .and_then(|s| s.parse::<u64>().ok())
    };
    // Cut after record 14, checkpoints included: all that is left holds, but is not all.
    let cut: Vec<String> = lines
        .iter()
        .filter(|l| {
            let kind = parse_value(l.as_bytes()).unwrap();
            match kind.member("type").and_then(Value::as_str) {
                Some("record") => seq_or_size(l, "seq").is_some_and(|s| s <= 14),
                Some("checkpoint") => seq_or_size(l, "size").is_some_and(|s| s <= 15),
                _ => true,
            }
        })
        .cloned()
        .collect();
    let (code, f) = verify(a.dir.path(), &t, &cut, &[]);
    assert_eq!(code, 0, "{f:?}");
    assert!(has(&f, "incomplete export", "a.example", 15), "{f:?}");
    assert_eq!(verify(a.dir.path(), &t, &cut, &["--strict"]).0, 3);

    // Empty: unusable.
    let out = binge()
        .args(["verify", "--trust"])
        .arg(&t)
        .arg("/dev/null")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("empty"), "{}", stderr_of(&out));

    // A checkpoint line's size or root edited: it must match what is signed.
    for (k, from, to) in [
        ("size", "\"size\":10,", "\"size\":11,"),
        ("root", "\"root\":\"", "\"root\":\"00"),
    ] {
        let mut altered = lines.clone();
        let i = altered
            .iter()
            .position(|l| l.contains("\"type\":\"checkpoint\"") && l.contains("\"size\":10,"))
            .unwrap();
        altered[i] = altered[i].replacen(from, to, 1);
        if k == "root" {
            // Keep the root 64 hex digits long: drop two from its end.
            let at = altered[i].find("\"root\":\"").unwrap() + 8;
            altered[i].replace_range(at + 64..at + 66, "");
        }
        let (code, f) = verify(a.dir.path(), &t, &altered, &[]);
        assert_eq!(code, 1, "{k}: {f:?}");
        assert!(has(&f, "checkpoint fields", "a.example", 9), "{k}: {f:?}");
    }
}

// Regression (issue 11.16): a record that came back out of order after a gap was reported as
// a fork with an empty expected leaf ("expected leaf , found").
#[test]
fn a_record_out_of_order_after_a_gap_is_said_plainly() {
    let a = Stream::new("a.example", 8, 100, None);
    let t = trust(a.dir.path(), &[&a]);
    let lines = a.export(&[]);
    let seq_of = |l: &String| {
        parse_value(l.as_bytes())
            .unwrap()
            .member("seq")
            .map(Value::to_json)
            .and_then(|s| s.parse::<u64>().ok())
    };
    let mut moved: Vec<String> = lines
        .iter()
        .filter(|l| !matches!(seq_of(l), Some(2..=4)))
        .cloned()
        .collect();
    let third = lines.iter().find(|l| seq_of(l) == Some(3)).unwrap().clone();
    moved.push(third);
    let (code, f) = verify(a.dir.path(), &t, &moved, &[]);
    assert_eq!(code, 1);
    assert!(has(&f, "record order", "a.example", 3), "{f:?}");
    assert!(!f.iter().any(|x| x.0 == "fork"), "{f:?}");
}

/// A checkpoint the stream's own key signed, but that breaks a rule of C2SP (a tab in the
/// note, a size written `+5` or `05`, an empty extension line): no other verifier would take
/// it, and neither does binge.
#[test]
fn checkpoints_that_break_c2sp_rules_are_not_verified() {
    let a = Stream::new("a.example", 5, 5, None);
    let t = trust(a.dir.path(), &[&a]);
    let signer = agglo::chain::note::Signer::parse(
        &std::fs::read_to_string(a.dir.path().join("k.key")).unwrap(),
    )
    .unwrap();
    let lines = a.export(&[]);
    let i = lines
        .iter()
        .position(|l| l.contains("\"type\":\"checkpoint\""))
        .unwrap();
    let cp = parse_value(lines[i].as_bytes()).unwrap().into_owned();
    let note = cp.member("note").unwrap().as_str().unwrap().to_string();
    let root = note.lines().nth(2).unwrap().to_string();
    for (text, check) in [
        (format!("a.example\n+5\n{root}\n"), "checkpoint format"),
        (format!("a.example\n05\n{root}\n"), "checkpoint format"),
        (format!("a.example\n5\n{root}\n\n"), "checkpoint format"),
        (
            format!("a.example\n5\n{root}\nwith\ttab\n"),
            "checkpoint signature",
        ),
    ] {
        let mut blob = agglo::chain::note::key_id("a.example", &signer.public()).to_vec();
        blob.extend_from_slice(&signer.sign(text.as_bytes()));
        let signed = format!(
            "{text}\n\u{2014} a.example {}\n",
            agglo::chain::note::b64(&blob)
        );
        let mut altered = lines.clone();
        altered[i] = lines[i].replace(
            &Value::String(note.clone().into()).to_json(),
            &Value::String(signed.into()).to_json(),
        );
        assert_ne!(altered[i], lines[i]);
        let (code, f) = verify(a.dir.path(), &t, &altered, &[]);
        assert_eq!(code, 1, "{text:?}");
        assert!(has(&f, check, "a.example", 4), "{text:?}: {f:?}");
    }
}

/// The auditor's view of one disclosed event: `entwine prove` output checks on its own, and
/// a changed event, a changed proof or a checkpoint by another key does not.
#[test]
fn a_proof_of_one_event_verifies_alone() {
    let a = Stream::new("a.example", 10, 10, None);
    let t = trust(a.dir.path(), &[&a]);
    let out = binge()
        .args([
            "entwine",
            "prove",
            "--stream",
            "a.example",
            "--seq",
            "4",
            "--state",
        ])
        .arg(a.dir.path().join("s.db"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let proof = stdout_of(&out).trim().to_string();
    let (code, f) = verify(a.dir.path(), &t, std::slice::from_ref(&proof), &[]);
    assert_eq!((code, f.len()), (0, 0), "{f:?}");

    let changed_event = proof.replace("\"story\":4", "\"story\":40");
    assert_ne!(changed_event, proof);
    let (code, f) = verify(a.dir.path(), &t, &[changed_event], &[]);
    assert_eq!(code, 1);
    assert!(has(&f, "inclusion", "a.example", 4), "{f:?}");

    let v = parse_value(proof.as_bytes()).unwrap().into_owned();
    let first = v.member("proof").unwrap().to_json();
    let hashes = first.trim_matches(|c| c == '[' || c == ']');
    let one = hashes
        .split(',')
        .next()
        .unwrap()
        .trim_matches('"')
        .to_string();
    let flipped = format!(
        "{}{}",
        if one.starts_with('0') { "1" } else { "0" },
        &one[1..]
    );
    let changed_proof = proof.replacen(&one, &flipped, 1);
    let (code, f) = verify(a.dir.path(), &t, &[changed_proof], &[]);
    assert_eq!(code, 1);
    assert!(has(&f, "inclusion", "a.example", 4), "{f:?}");

    let other = Stream::new("a.example", 10, 10, None);
    let (code, _) = verify(a.dir.path(), &trust(a.dir.path(), &[&other]), &[proof], &[]);
    assert_eq!(code, 1);
}

/// An auditor who verified a stream up to a checkpoint checks what came after it alone: the
/// increment (`export --from N`) against the trusted checkpoint of size N (`--since`).
#[test]
fn an_increment_verifies_against_a_checkpoint_trusted_from_before() {
    let a = Stream::new("a.example", 5, 5, None);
    let t = trust(a.dir.path(), &[&a]);
    let earlier = a.export(&[]);
    assert_eq!(verify(a.dir.path(), &t, &earlier, &[]).0, 0);
    let since = a.dir.path().join("earlier.ndjson");
    std::fs::write(&since, earlier.join("\n") + "\n").unwrap();
    let since = since.to_str().unwrap().to_string();
    // The stream grows; the auditor gets only what is new.
    binge()
        .args(["entwine", "--sign-each", "--checkpoint-every", "5", "--key"])
        .arg(a.dir.path().join("k.key"))
        .arg("--state")
        .arg(a.dir.path().join("s.db"))
        .write_stdin(
            (5..12)
                .map(|i| format!("{{\"story\":{i}}}\n"))
                .collect::<String>(),
        )
        .assert()
        .success();
    let inc = a.export(&["--from", "5"]);
    assert!(!inc.iter().any(|l| l.contains("\"seq\":4,")), "{inc:?}");
    let (code, f) = verify(a.dir.path(), &t, &inc, &["--since", &since]);
    assert_eq!((code, f.len()), (0, 0), "{f:?}");
    // Without the trusted checkpoint there is nothing to start from.
    assert_eq!(verify(a.dir.path(), &t, &inc, &[]).0, 2);

    // A record changed in the increment, a frontier that is not the trusted tree's, and a
    // consistency proof that does not hold.
    let changed = inc
        .iter()
        .map(|l| l.replace("{\"story\":7}", "{\"story\":70}"))
        .collect::<Vec<_>>();
    let (code, f) = verify(a.dir.path(), &t, &changed, &["--since", &since]);
    assert_eq!(code, 1);
    assert!(has(&f, "body", "a.example", 7), "{f:?}");
    let frontier_line = inc
        .iter()
        .position(|l| l.contains("\"type\":\"increment\""))
        .unwrap();
    let mut other_base = inc.clone();
    let v = parse_value(inc[frontier_line].as_bytes())
        .unwrap()
        .into_owned();
    let first = v.member("frontier").unwrap().to_json();
    let h = first
        .trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .next()
        .unwrap()
        .trim_matches('"')
        .to_string();
    let flipped = format!("{}{}", if h.starts_with('0') { "1" } else { "0" }, &h[1..]);
    other_base[frontier_line] = inc[frontier_line].replacen(&h, &flipped, 1);
    let (code, f) = verify(a.dir.path(), &t, &other_base, &["--since", &since]);
    assert_eq!(code, 1);
    assert!(has(&f, "increment base", "a.example", 4), "{f:?}");
    let last = inc.len() - 1;
    assert!(
        inc[last].contains("\"type\":\"consistency\""),
        "{}",
        inc[last]
    );
    let v = parse_value(inc[last].as_bytes()).unwrap().into_owned();
    let proof = v.member("proof").unwrap().to_json();
    let h = proof
        .trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .next()
        .unwrap()
        .trim_matches('"')
        .to_string();
    let flipped = format!("{}{}", if h.starts_with('0') { "1" } else { "0" }, &h[1..]);
    let mut bad_proof = inc.clone();
    bad_proof[last] = inc[last].replacen(&h, &flipped, 1);
    let (code, f) = verify(a.dir.path(), &t, &bad_proof, &["--since", &since]);
    assert_eq!(code, 1);
    assert!(has(&f, "consistency", "a.example", 11), "{f:?}");
}

#[test]
fn a_long_run_of_blank_lines_does_not_end_the_export() {
    // More blank lines in a row than verify reads at a time: the reading once stopped at
    // such a run, and every record after it went unchecked.
    let a = Stream::new("a.example", 25, 10, None);
    let t = trust(a.dir.path(), &[&a]);
    let mut lines = a.export(&[]);
    let i = lines.iter().position(|l| l.contains("\"seq\":5,")).unwrap();
    let blank = ["", "  ", "\t\r"].iter().cycle().take(10_000);
    lines.splice(i..i, blank.map(|b| b.to_string()));
    let (code, findings) = verify(a.dir.path(), &t, &lines, &[]);
    assert_eq!((code, findings.len()), (0, 0), "{findings:?}");
    let j = lines
        .iter()
        .position(|l| l.contains("\"story\":12}"))
        .unwrap();
    lines[j] = lines[j].replace("\"story\":12}", "\"story\":13}");
    let (code, f) = verify(a.dir.path(), &t, &lines, &[]);
    assert_eq!(code, 1);
    assert!(has(&f, "body", "a.example", 12), "{f:?}");
}

/// Record lines are read by what their JSON says, however it is written: an escaped member
/// name is that name, and of a repeated name the last counts, as every parser of the line
/// would have it.
#[test]
fn a_record_line_is_read_by_what_its_json_says() {
    let a = Stream::new("a.example", 25, 10, None);
    let t = trust(a.dir.path(), &[&a]);
    let clean = a.export(&[]);
    let at = |seq: u64| {
        clean
            .iter()
            .position(|l| {
                l.contains("\"type\":\"record\"") && l.contains(&format!("\"seq\":{seq},"))
            })
            .unwrap()
    };
    let wrong_leaf = format!("\"leaf\":\"{}\"", "0".repeat(64));

    let mut lines = clean.clone();
    let i = at(7);
    lines[i] = lines[i].replace("\"seq\":7,", "\"s\\u0065q\":7,");
    let j = at(8);
    lines[j] = lines[j].replacen('{', &format!("{{{wrong_leaf},"), 1);
    let (code, f) = verify(a.dir.path(), &t, &lines, &[]);
    assert_eq!(
        code, 0,
        "an escaped name, and a repeated one whose last is right: {f:?}"
    );

    // A hash whose digits are escaped is those digits.
    let mut lines = clean.clone();
    let i = at(9);
    let prev = lines[i].find("\"prev\":\"").unwrap() + 8;
    let digit = lines[i].as_bytes()[prev];
    lines[i].replace_range(prev..prev + 1, &format!("\\u{:04x}", digit));
    let (code, f) = verify(a.dir.path(), &t, &lines, &[]);
    assert_eq!(code, 0, "a hash with an escaped digit: {f:?}");

    let mut lines = clean.clone();
    let i = at(8);
    let l = &lines[i];
    lines[i] = format!("{},{wrong_leaf}}}", &l[..l.len() - 1]);
    let (code, f) = verify(a.dir.path(), &t, &lines, &[]);
    assert_eq!(code, 1);
    assert!(
        has(&f, "leaf", "a.example", 8),
        "the last of a repeated name counts: {f:?}"
    );
}
