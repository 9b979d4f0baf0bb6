//! `binge entwine`: streams written, exported and re-checked by code written here, Merkle proofs
//! against a straightforward RFC 6962 implementation, tampering and crashes.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use agglo::json::{Value, parse_value};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::util::*;

type Hash = [u8; 32];

// ---- RFC 6962, written out plainly from the RFC's definitions ----

fn sha(parts: &[&[u8]]) -> Hash {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

fn k_of(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

fn mth(d: &[Hash]) -> Hash {
    match d.len() {
        0 => sha(&[]),
        1 => d[0],
        n => {
            let k = k_of(n);
            sha(&[&[1], &mth(&d[..k]), &mth(&d[k..])])
        }
    }
}

fn path(m: usize, d: &[Hash]) -> Vec<Hash> {
    if d.len() <= 1 {
        return vec![];
    }
    let k = k_of(d.len());
    if m < k {
        [path(m, &d[..k]), vec![mth(&d[k..])]].concat()
    } else {
        [path(m - k, &d[k..]), vec![mth(&d[..k])]].concat()
    }
}

fn subproof(m: usize, d: &[Hash], b: bool) -> Vec<Hash> {
    let n = d.len();
    if m == n {
        return if b { vec![] } else { vec![mth(d)] };
    }
    let k = k_of(n);
    if m <= k {
        [subproof(m, &d[..k], b), vec![mth(&d[k..])]].concat()
    } else {
        [subproof(m - k, &d[k..], false), vec![mth(&d[..k])]].concat()
    }
}

#[test]
fn merkle_trees_match_rfc6962_for_every_size_up_to_64() {
    use agglo::chain::merkle;
    let leaves: Vec<Hash> = (0..64u8).map(|i| sha(&[&[0], &[i]])).collect();
    for n in 1..=64 {
        let d = &leaves[..n];
        let root = mth(d);
        assert_eq!(merkle::root(d), root, "root of {n}");
        let mut f = merkle::Frontier::new();
        d.iter().for_each(|l| f.push(*l));
        assert_eq!(f.root(), root, "frontier of {n}");
        for m in 0..n {
            let p = path(m, d);
            assert_eq!(merkle::inclusion_proof(m, d), p, "path {m} of {n}");
            assert!(merkle::verify_inclusion(
                m as u64, n as u64, &d[m], &p, &root
            ));
        }
        for m in 1..=n {
            let p = if m == n { vec![] } else { subproof(m, d, true) };
            assert_eq!(merkle::consistency_proof(m, d), p, "proof {m} of {n}");
            assert!(merkle::verify_consistency(
                m as u64,
                n as u64,
                &mth(&d[..m]),
                &root,
                &p
            ));
        }
    }
}

// ---- re-checking an export without binge ----

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn h32(v: &Value<'_>, k: &str) -> Hash {
    unhex(v.member(k).and_then(Value::as_str).unwrap())
        .try_into()
        .unwrap()
}

fn num(v: &Value<'_>, k: &str) -> i64 {
    v.member(k).unwrap().to_json().parse().unwrap()
}

fn len_prefixed(s: &str) -> Vec<u8> {
    [&(s.len() as u16).to_be_bytes()[..], s.as_bytes()].concat()
}

/// The public key and name of a C2SP verifier key string.
fn parse_vkey(vkey: &str) -> (String, [u8; 32]) {
    let mut parts = vkey.splitn(3, '+');
    let name = parts.next().unwrap().to_string();
    let id = parts.next().unwrap();
    let raw = B64.decode(parts.next().unwrap()).unwrap();
    assert_eq!(raw[0], 1, "Ed25519");
    let key: [u8; 32] = raw[1..].try_into().unwrap();
    let kid = sha(&[name.as_bytes(), b"\n", &[1], &key]);
    assert_eq!(
        id,
        kid[..4]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    (name, key)
}

/// Checks a signed checkpoint note against the key; returns (origin, size, root).
fn check_note(note: &str, name: &str, key: &VerifyingKey) -> (String, u64, Hash) {
    let split = note.rfind("\n\n").unwrap();
    let (text, sigs) = (&note[..=split], &note[split + 2..]);
    let kid = &sha(&[name.as_bytes(), b"\n", &[1], key.as_bytes()])[..4];
    let line = sigs.lines().next().unwrap();
    let rest = line.strip_prefix("\u{2014} ").unwrap();
    let (signer, b64) = rest.rsplit_once(' ').unwrap();
    assert_eq!(signer, name);
    let blob = B64.decode(b64).unwrap();
    assert_eq!(&blob[..4], kid);
    let sig = Signature::from_bytes(&blob[4..].try_into().unwrap());
    key.verify_strict(text.as_bytes(), &sig)
        .expect("the checkpoint signature verifies");
    let mut lines = text.lines();
    let origin = lines.next().unwrap().to_string();
    let size = lines.next().unwrap().parse().unwrap();
    let root = B64
        .decode(lines.next().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    (origin, size, root)
}

/// Re-checks an export completely: returns the number of records and checkpoints.
fn recheck(export: &str, vkey: &str) -> (usize, usize) {
    let (name, key_bytes) = parse_vkey(vkey);
    let key = VerifyingKey::from_bytes(&key_bytes).unwrap();
    let mut leaves: Vec<Hash> = Vec::new();
    let mut prev = sha(&[
        b"binge/entwine/v1/genesis\0",
        &len_prefixed(&name),
        &key_bytes,
    ]);
    let mut checkpoints = 0;
    for line in export.lines() {
        let v = parse_value(line.as_bytes()).unwrap();
        match v.member("type").and_then(Value::as_str).unwrap() {
            "stream" => assert_eq!(v.member("key").and_then(Value::as_str), Some(vkey)),
            "record" => {
                let seq = num(&v, "seq") as u64;
                assert_eq!(seq, leaves.len() as u64, "records in order from 0");
                assert_eq!(h32(&v, "prev"), prev, "prev of {seq}");
                let event = v.member("event").expect("not redacted");
                let body = agglo::json::canonical(event).unwrap();
                let body_hash = sha(&[body.as_bytes()]);
                assert_eq!(h32(&v, "body_hash"), body_hash);
                let tick = match v.member("tick").unwrap() {
                    Value::Null => vec![0u8],
                    t => [
                        &[1u8][..],
                        &(num(t, "index") as u64).to_be_bytes(),
                        &h32(t, "hash"),
                    ]
                    .concat(),
                };
                let record = [
                    &b"binge/entwine/v1/record\0"[..],
                    &len_prefixed(&name),
                    &seq.to_be_bytes(),
                    &prev,
                    &tick,
                    &num(&v, "time_ms").to_be_bytes(),
                    &body_hash,
                ]
                .concat();
                let leaf = sha(&[&[0], &record]);
                assert_eq!(h32(&v, "leaf"), leaf, "leaf of {seq}");
                if let Some(sig) = v.member("sig").and_then(Value::as_str) {
                    let sig = Signature::from_bytes(&B64.decode(sig).unwrap().try_into().unwrap());
                    key.verify_strict(&record, &sig).expect("record signature");
                }
                leaves.push(leaf);
                prev = leaf;
            }
            "checkpoint" => {
                let note = v.member("note").and_then(Value::as_str).unwrap();
                let (origin, size, root) = check_note(note, &name, &key);
                assert_eq!(origin, name);
                assert_eq!(size, num(&v, "size") as u64);
                assert_eq!(
                    size as usize,
                    leaves.len(),
                    "a checkpoint follows its last record"
                );
                assert_eq!(root, mth(&leaves), "root at {size}");
                assert_eq!(h32(&v, "root"), root);
                checkpoints += 1;
            }
            other => panic!("unknown line type {other}"),
        }
    }
    (leaves.len(), checkpoints)
}

struct Setup {
    dir: tempfile::TempDir,
    vkey: String,
}

impl Setup {
    fn new(origin: &str) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let out = binge()
            .args(["entwine", "keygen", "--origin", origin, "--out"])
            .arg(dir.path().join("stream.key"))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        Setup {
            dir,
            vkey: stdout_of(&out).trim().to_string(),
        }
    }

    fn key(&self) -> PathBuf {
        self.dir.path().join("stream.key")
    }

    fn state(&self) -> PathBuf {
        self.dir.path().join("state.db")
    }

    fn entwine(&self, extra: &[&str]) -> assert_cmd::Command {
        let mut c = binge();
        c.args(["entwine", "--key"])
            .arg(self.key())
            .arg("--state")
            .arg(self.state())
            .args(extra);
        c
    }

    fn export(&self, origin: &str) -> String {
        let out = binge()
            .args(["entwine", "export", "--stream", origin, "--state"])
            .arg(self.state())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        stdout_of(&out)
    }
}

fn corpus() -> PathBuf {
    shared("json/loghub-events.ndjson")
        .unwrap_or_else(|| repo().join("samples/filter-invalid-users/events.ndjson"))
}

#[test]
fn the_loghub_corpus_entwined_exports_and_rechecks() {
    let s = Setup::new("example.org/loghub");
    let input = std::fs::read_to_string(corpus()).unwrap();
    let n = input.lines().count();
    let out = s
        .entwine(&["--checkpoint-every", "1000", "--quiet"])
        .arg(corpus())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    // Events pass on unchanged but for the added "_entwine" member.
    let passed = stdout_of(&out);
    assert_eq!(passed.lines().count(), n);
    for (i, (a, b)) in passed.lines().zip(input.lines()).enumerate().step_by(997) {
        let prefix = &b[..b.rfind('}').unwrap()];
        assert!(a.starts_with(prefix), "{i}");
        assert!(a.contains(&format!(
            "\"_entwine\":{{\"origin\":\"example.org/loghub\",\"seq\":{i},\"leaf\":\""
        )));
    }
    let (records, checkpoints) = recheck(&s.export("example.org/loghub"), &s.vkey);
    assert_eq!(records, n);
    assert_eq!(checkpoints, n / 1000 + usize::from(!n.is_multiple_of(1000)));
}

#[test]
fn runs_continue_the_stream_and_sign_each_record_on_request() {
    let s = Setup::new("o");
    s.entwine(&[])
        .write_stdin("{\"a\":1}\n{\"a\":2}\n")
        .assert()
        .success();
    s.entwine(&["--sign-each"])
        .write_stdin("{\"a\":3}\n")
        .assert()
        .success();
    let export = s.export("o");
    assert_eq!(recheck(&export, &s.vkey), (3, 2));
    assert_eq!(export.matches("\"sig\":").count(), 1);
    let status = binge()
        .args(["entwine", "status", "--state"])
        .arg(s.state())
        .output()
        .unwrap();
    assert!(stdout_of(&status).starts_with("{\"origin\":\"o\",\"size\":3,"));
}

#[test]
fn events_without_a_canonical_form_are_bad_lines() {
    let s = Setup::new("o");
    let out = s
        .entwine(&[])
        .write_stdin("{\"a\":1,\"a\":2}\n{\"s\":\"\\ud800\"}\n{\"ok\":true}\n")
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = stderr_of(&out);
    assert!(
        err.contains("stdin:1: cannot canonicalize: duplicate key \"a\""),
        "{err}"
    );
    assert!(
        err.contains("stdin:2: a lone UTF-16 surrogate has no canonical form"),
        "{err}"
    );
    assert_eq!(recheck(&s.export("o"), &s.vkey).0, 1);
}

/// entwine checks each line itself as it canonicalises it (one pass, not the engine's check
/// and then its own): a line that is not one JSON object is refused with the reason every
/// other subcommand gives it, and the good lines around it are entwined.
#[test]
fn bad_lines_are_refused_as_every_subcommand_refuses_them() {
    let mut input: Vec<u8> = Vec::new();
    let bad: [&[u8]; 11] = [
        b"not json",
        b"[1,2]",
        b"\"a string\"",
        b"{\"a\":1} trailing",
        b"{\"a\":}",
        b"{\"a\":1,}",
        b"{\"a\":01}",
        b"{\"a\":[1,}",
        b"{\"a\":\"\xff\"}",
        b"{\"a\":\"tab\there\"}",
        b"{\"a\":\"0123456789012345678901234567890123456789\"}",
    ];
    for (i, line) in bad.iter().enumerate() {
        input.extend_from_slice(format!("{{\"good\":{i}}}\n").as_bytes());
        input.extend_from_slice(line);
        input.push(b'\n');
    }
    let dead_letters = |args: &[&str], extra: &mut assert_cmd::Command| {
        let dir = tempfile::tempdir().unwrap();
        let dead = dir.path().join("dead.ndjson");
        let out = extra
            .args(args)
            .args(["--max-line-bytes", "40", "--dead-letter"])
            .arg(&dead)
            .write_stdin(input.clone())
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        let errors: Vec<String> = ndjson(&std::fs::read_to_string(&dead).unwrap())
            .iter()
            .map(|v| format!("{}: {}", field(v, "line"), field(v, "error")))
            .collect();
        (stdout_of(&out).lines().count(), errors)
    };
    let s = Setup::new("o");
    let (entwined, entwine_errors) = dead_letters(&[], &mut s.entwine(&[]));
    let (passed, filter_errors) = dead_letters(&["filter", "true"], &mut binge());
    assert_eq!(entwined, bad.len());
    assert_eq!(passed, bad.len());
    assert_eq!(entwine_errors.len(), bad.len(), "{entwine_errors:#?}");
    assert_eq!(entwine_errors, filter_errors);
    assert_eq!(recheck(&s.export("o"), &s.vkey).0, bad.len());
}

// Regression (issue 11.9): an edit of the state file was extended and signed over. A run
// starts from the newest checkpoint's frontier (issue 18: start-up must not grow with the
// stream), so what it checks before adding anything is that checkpoint's signed note against
// its frontier, the last record before it, every record after it, and the stored head; every
// such edit is refused. Edits of older records: see the next test.
#[test]
fn a_tampered_state_file_is_refused() {
    let edits = [
        (
            "UPDATE entwine_records SET body = '{\"a\":99}' WHERE seq = 4",
            "record 4 no longer gives its leaf",
        ),
        (
            "UPDATE entwine_records SET time_ms = time_ms + 1 WHERE seq = 4",
            "record 4 no longer gives its leaf",
        ),
        // The record before it, whose leaf is the link record 4 was made with.
        (
            "UPDATE entwine_records SET leaf = zeroblob(32) WHERE seq = 3",
            "record 4 no longer gives its leaf",
        ),
        (
            "UPDATE entwine_records SET leaf = zeroblob(32) WHERE seq = 4",
            "record 4 no longer gives its leaf",
        ),
        (
            "UPDATE entwine_checkpoints SET frontier = zeroblob(32) WHERE size = 5",
            "the checkpoint at size 5 is not a signed note of its frontier's root",
        ),
        (
            "UPDATE entwine_checkpoints SET note = replace(note, char(10) || '5' || char(10), \
             char(10) || '6' || char(10))",
            "the checkpoint at size 5 is not a signed note",
        ),
        (
            "UPDATE entwine_streams SET head = zeroblob(32)",
            "the stored head does not match record 4",
        ),
    ];
    for (sql, said) in edits {
        let s = Setup::new("o");
        s.entwine(&[])
            .write_stdin("{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n{\"a\":4}\n{\"a\":5}\n")
            .assert()
            .success();
        let conn = rusqlite::Connection::open(s.state()).unwrap();
        assert_eq!(conn.execute(sql, []).unwrap(), 1, "{sql}");
        let before: i64 = conn
            .query_row("SELECT count(*) FROM entwine_checkpoints", [], |r| r.get(0))
            .unwrap();
        drop(conn);
        let out = s.entwine(&[]).write_stdin("{\"a\":6}\n").output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{sql}");
        let err = stderr_of(&out);
        assert!(err.contains(&format!("stream o: {said}")), "{sql}: {err}");
        assert!(err.contains("the state file has been changed"), "{err}");
        let conn = rusqlite::Connection::open(s.state()).unwrap();
        let (records, checkpoints): (i64, i64) = conn
            .query_row(
                "SELECT (SELECT count(*) FROM entwine_records), \
                        (SELECT count(*) FROM entwine_checkpoints)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((records, checkpoints), (5, before), "{sql}: nothing added");
    }
}

// A run starts from the newest checkpoint's frontier, so an edit of a record before it is not
// read at start-up. It is never signed over: the next checkpoints' roots come from the signed
// frontier (the tree as it was), and verify reports the edited record against them.
#[test]
fn an_edit_before_the_newest_checkpoint_is_never_signed_over_and_verify_reports_it() {
    let s = Setup::new("o");
    s.entwine(&[])
        .write_stdin("{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n{\"a\":4}\n{\"a\":5}\n")
        .assert()
        .success();
    let conn = rusqlite::Connection::open(s.state()).unwrap();
    let edit = "UPDATE entwine_records SET body = '{\"a\":99}' WHERE seq = 2";
    assert_eq!(conn.execute(edit, []).unwrap(), 1);
    drop(conn);
    s.entwine(&[]).write_stdin("{\"a\":6}\n").assert().success();
    let trust = s.dir.path().join("trust.txt");
    std::fs::write(&trust, format!("{}\n", s.vkey)).unwrap();
    let out = binge()
        .args(["verify", "--json", "--trust"])
        .arg(&trust)
        .write_stdin(s.export("o"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    let findings = stdout_of(&out);
    // The export gives the edited event's own hash: the record's leaf no longer holds.
    assert!(
        findings.contains("\"seq\":2,\"check\":\"leaf\""),
        "{findings}"
    );
}

/// verify canonicalises events straight from their text, entwine from the parsed value: both
/// must give the same bytes for every kind of event, or verify would report sound records.
#[test]
fn verify_hashes_every_kind_of_event_as_entwine_did() {
    let s = Setup::new("o");
    let events = [
        r#"{"z":1,"a":"plain","m":{"y":[3,{"k":null,"b":true}],"x":false}}"#,
        r#"{"s":"q\" b\\ \n\t\u0001\u00e9\/","\u00e9":1,"e":2,"é2":3}"#,
        r#"{"😂":1,"דּ":2,"\ud83d\ude03":3,"a":[]}"#,
        r#"{"n":[0,-0,1.0,4.50,2e-3,1E30,-12,9007199254740993,505874924095815681.0,0.1]}"#,
        r#"{"big":505874924095815681,"deep":[[[[{"a":[{}]}]]]],"empty":{}}"#,
        r#" { "spaced" : [ 1 , 2 ] , "a\u0062" : "x" } "#,
    ];
    s.entwine(&[])
        .write_stdin(events.join("\n") + "\n")
        .assert()
        .success();
    let trust = s.dir.path().join("trust.txt");
    std::fs::write(&trust, format!("{}\n", s.vkey)).unwrap();
    let out = binge()
        .args(["verify", "--json", "--trust"])
        .arg(&trust)
        .write_stdin(s.export("o"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        stdout_of(&out),
        stderr_of(&out)
    );
}

#[test]
fn a_run_killed_midway_leaves_a_stream_the_next_run_extends() {
    let s = Setup::new("o");
    let big: String = (0..200_000).map(|i| format!("{{\"i\":{i}}}\n")).collect();
    let input = s.dir.path().join("big.ndjson");
    std::fs::write(&input, &big).unwrap();
    let mut child = binge_std()
        .args(["entwine", "--checkpoint-every", "5000", "--key"])
        .arg(s.key())
        .arg("--state")
        .arg(s.state())
        .arg(&input)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(700));
    child.kill().unwrap();
    child.wait().unwrap();
    s.entwine(&[])
        .write_stdin("{\"after\":true}\n")
        .assert()
        .success();
    let export = s.export("o");
    let (records, _) = recheck(&export, &s.vkey);
    assert!(records >= 1);
    assert!(export.contains("{\"after\":true}"));
}

#[test]
fn proofs_check_one_record_against_the_signed_head() {
    let s = Setup::new("o");
    s.entwine(&[])
        .write_stdin(
            (0..13)
                .map(|i| format!("{{\"i\":{i}}}\n"))
                .collect::<String>(),
        )
        .assert()
        .success();
    let out = binge()
        .args(["entwine", "prove", "--stream", "o", "--seq", "6", "--state"])
        .arg(s.state())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let text = stdout_of(&out);
    let v = parse_value(text.trim().as_bytes()).unwrap();
    let (name, key) = parse_vkey(&s.vkey);
    let (_, size, root) = check_note(
        v.member("checkpoint").and_then(Value::as_str).unwrap(),
        &name,
        &VerifyingKey::from_bytes(&key).unwrap(),
    );
    assert_eq!(size, 13);
    let leaf = h32(v.member("record").unwrap(), "leaf");
    let proof: Vec<Hash> = match v.member("proof").unwrap() {
        Value::Array(items) => items
            .iter()
            .map(|h| unhex(h.as_str().unwrap()).try_into().unwrap())
            .collect(),
        _ => panic!(),
    };
    assert!(agglo::chain::merkle::verify_inclusion(
        6, 13, &leaf, &proof, &root
    ));
}

#[test]
fn keys_are_private_and_never_overwritten() {
    let s = Setup::new("o");
    let mode = std::fs::metadata(s.key()).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let out = binge()
        .args(["entwine", "keygen", "--origin", "o", "--out"])
        .arg(s.key())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr_of(&out).contains("never overwritten"));
    let pk = binge()
        .args(["entwine", "pubkey"])
        .arg(s.key())
        .output()
        .unwrap();
    assert_eq!(stdout_of(&pk).trim(), s.vkey);
}

#[test]
fn two_writers_on_one_stream_keep_it_linear() {
    let s = Setup::new("o");
    let write = |tag: &str| {
        let input: String = (0..3000)
            .map(|i| format!("{{\"w\":\"{tag}\",\"i\":{i}}}\n"))
            .collect();
        let path = s.dir.path().join(format!("{tag}.ndjson"));
        std::fs::write(&path, input).unwrap();
        binge_std()
            .args(["entwine", "--key"])
            .arg(s.key())
            .arg("--state")
            .arg(s.state())
            .arg(path)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (write("a"), write("b"));
    for c in [a, b] {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
    }
    assert_eq!(recheck(&s.export("o"), &s.vkey).0, 6000);
}

/// The formats the help states are the ones the code uses (recheck above recomputes them):
/// the genesis hash takes the origin with its u16 length, as records do.
#[test]
fn the_help_states_the_formats_the_code_uses() {
    let out = binge().args(["entwine", "--help"]).output().unwrap();
    let help = stdout_of(&out)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        help.contains(
            "SHA-256(\"binge/entwine/v1/genesis\\0\" || origin as u16 length + bytes || public key)"
        ),
        "{help}"
    );
    assert!(help.contains("origin (u16 length + bytes)"), "{help}");
}
