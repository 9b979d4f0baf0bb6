//! `binge anchor` and `binge verify` with a ticker: requests accepted and rejected (kept as
//! evidence), ticks sealed and imported, records referencing ticks, and tampering with ticks.

use std::path::{Path, PathBuf};

use agglo::json::{Value, parse_value};

use crate::util::*;

/// A ticker and streams, each with its own state file, in one folder.
struct World {
    dir: tempfile::TempDir,
}

impl World {
    fn new() -> World {
        let w = World {
            dir: tempfile::tempdir().unwrap(),
        };
        let tpub = w.keygen("ticker.example");
        std::fs::write(w.p("ticker.pub"), &tpub).unwrap();
        w.ok(
            &[
                "anchor",
                "init",
                "--origin",
                "ticker.example",
                "--key",
                &w.s("ticker.example.key"),
            ],
            "ticker",
            "",
        );
        w
    }

    fn p(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn s(&self, name: &str) -> String {
        self.p(name).display().to_string()
    }

    fn keygen(&self, origin: &str) -> String {
        let out = binge()
            .args(["entwine", "keygen", "--origin", origin, "--out"])
            .arg(self.p(&format!("{origin}.key")))
            .output()
            .unwrap();
        stdout_of(&out).trim().to_string()
    }

    /// Runs binge with the state file `state` (a name in the folder), asserting success.
    fn ok(&self, args: &[&str], state: &str, input: &str) -> String {
        let out = binge()
            .args(args)
            .arg("--state")
            .arg(self.p(&format!("{state}.db")))
            .write_stdin(input.to_string())
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr_of(&out));
        stdout_of(&out)
    }

    fn stream(&self, origin: &str) -> String {
        let vkey = self.keygen(origin);
        self.ok(&["anchor", "trust", origin, &vkey], "ticker", "");
        vkey
    }

    fn entwine(&self, origin: &str, events: &str) {
        self.ok(
            &["entwine", "--key", &self.s(&format!("{origin}.key"))],
            origin,
            events,
        );
    }

    fn request(&self, origin: &str) -> String {
        self.ok(&["anchor", "request", "--stream", origin], origin, "")
    }

    /// Answers to the requests; the status is 0 when all were accepted and 1 when any was
    /// rejected.
    fn accept(&self, requests: &str) -> Vec<Value<'static>> {
        let out = binge()
            .args(["anchor", "accept", "--state"])
            .arg(self.p("ticker.db"))
            .write_stdin(requests.to_string())
            .output()
            .unwrap();
        let answers = ndjson(&stdout_of(&out));
        let all = answers.iter().all(|a| field(a, "status") == "\"accepted\"");
        assert_eq!(
            out.status.code(),
            Some(if all { 0 } else { 1 }),
            "{}",
            stderr_of(&out)
        );
        answers
    }

    fn tick_and_import(&self, origins: &[&str]) -> String {
        let tick = self.ok(&["anchor", "tick"], "ticker", "");
        let tpub = std::fs::read_to_string(self.p("ticker.pub")).unwrap();
        for o in origins {
            self.ok(&["anchor", "import", "--ticker", tpub.trim()], o, &tick);
        }
        tick
    }

    fn export(&self, origin: &str) -> String {
        self.ok(&["entwine", "export", "--stream", origin], origin, "")
    }

    fn trust_file(&self, vkeys: &[&str]) -> PathBuf {
        let tpub = std::fs::read_to_string(self.p("ticker.pub")).unwrap();
        let text: String = vkeys.iter().map(|k| format!("{k}\n")).collect();
        std::fs::write(
            self.p("trust.txt"),
            format!("{text}ticker {}\n", tpub.trim()),
        )
        .unwrap();
        self.p("trust.txt")
    }
}

fn verify(trust: &Path, files: &[(&str, &str)], dir: &Path, extra: &[&str]) -> (i32, Vec<String>) {
    let mut cmd = binge();
    cmd.args(["verify", "--json", "--trust"])
        .arg(trust)
        .args(extra);
    for (name, text) in files {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        cmd.arg(p);
    }
    let out = cmd.output().unwrap();
    let checks = ndjson(&stdout_of(&out))
        .iter()
        .filter(|v| v.member("check").is_some())
        .map(|v| {
            format!(
                "{} {} {}",
                field(v, "check").trim_matches('"'),
                field(v, "stream").trim_matches('"'),
                field(v, "seq")
            )
        })
        .collect();
    (out.status.code().unwrap_or(-1), checks)
}

fn status(v: &Value<'_>) -> String {
    format!(
        "{} {}",
        field(v, "status").trim_matches('"'),
        v.member("reason").and_then(Value::as_str).unwrap_or("")
    )
    .trim()
    .to_string()
}

#[test]
fn streams_anchor_through_ticks_and_verify() {
    let w = World::new();
    let a = w.stream("a.example");
    let b = w.stream("b.example");
    w.entwine("a.example", "{\"n\":1}\n{\"n\":2}\n");
    w.entwine("b.example", "{\"m\":1}\n");
    let answers = w.accept(&(w.request("a.example") + &w.request("b.example")));
    assert_eq!(
        answers.iter().map(status).collect::<Vec<_>>(),
        ["accepted", "accepted"]
    );
    w.tick_and_import(&["a.example", "b.example"]);
    // Later records reference tick 0; the next request proves consistency from size 2.
    w.entwine("a.example", "{\"n\":3}\n{\"n\":4}\n");
    let r = w.request("a.example");
    assert!(
        r.contains("\"old_size\":2") && !r.contains("\"proof\":[]"),
        "{r}"
    );
    assert_eq!(
        w.accept(&r).iter().map(status).collect::<Vec<_>>(),
        ["accepted"]
    );
    w.tick_and_import(&["a.example", "b.example"]);
    let ea = w.export("a.example");
    assert!(ea.contains("\"tick\":{\"index\":0,"));
    let ticks = w.ok(&["anchor", "ticks"], "ticker", "");
    assert_eq!(ticks.lines().count(), 2);
    let trust = w.trust_file(&[&a, &b]);
    let files = [
        ("a.ndjson", ea.as_str()),
        ("b.ndjson", &w.export("b.example")),
        ("ticks.ndjson", &ticks),
    ];
    let (code, findings) = verify(&trust, &files, w.dir.path(), &[]);
    assert_eq!((code, findings.clone()), (0, vec![]), "{findings:?}");
    // Everything is anchored: --strict agrees.
    assert_eq!(verify(&trust, &files, w.dir.path(), &["--strict"]).0, 0);
    // Redacted exports (hashes only) check chains, checkpoints and anchors all the same.
    let redacted = w.ok(
        &["entwine", "export", "--stream", "a.example", "--redact"],
        "a.example",
        "",
    );
    assert!(!redacted.contains("\"event\""));
    let files = [
        ("a.ndjson", redacted.as_str()),
        ("ticks.ndjson", ticks.as_str()),
    ];
    assert_eq!(
        verify(&trust, &files, w.dir.path(), &["--strict"]),
        (0, vec![])
    );
    // A new record beyond the last anchor is an unanchored tail: a warning, and 3 under --strict.
    w.entwine("a.example", "{\"n\":5}\n");
    let files = [
        ("a.ndjson", w.export("a.example")),
        ("ticks.ndjson", ticks.clone()),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let (code, f) = verify(&trust, &files, w.dir.path(), &[]);
    assert_eq!(code, 0);
    assert!(
        f.contains(&"unanchored tail a.example 4".to_string()),
        "{f:?}"
    );
    assert_eq!(verify(&trust, &files, w.dir.path(), &["--strict"]).0, 3);
}

#[test]
fn the_ticker_rejects_rewinds_forks_and_bad_proofs_and_keeps_them() {
    let w = World::new();
    w.stream("a.example");
    w.entwine("a.example", "{\"n\":1}\n{\"n\":2}\n");
    let first = w.request("a.example");
    assert_eq!(
        w.accept(&first).iter().map(status).collect::<Vec<_>>(),
        ["accepted"]
    );
    w.tick_and_import(&["a.example"]);
    w.entwine("a.example", "{\"n\":3}\n{\"n\":4}\n{\"n\":5}\n");
    let good = w.request("a.example");
    // A proof with a hash removed, and one with a hash added.
    let v = parse_value(good.trim().as_bytes()).unwrap().into_owned();
    let proof: Vec<String> = match v.member("proof").unwrap() {
        Value::Array(items) => items
            .iter()
            .map(|h| h.as_str().unwrap().to_string())
            .collect(),
        _ => panic!(),
    };
    assert!(!proof.is_empty());
    let list = |p: &[String]| {
        p.iter()
            .map(|h| format!("\"{h}\""))
            .collect::<Vec<_>>()
            .join(",")
    };
    let short = good.replace(&list(&proof), &list(&proof[1..]));
    let long = good.replace(
        &list(&proof),
        &format!("{},\"{}\"", list(&proof), "00".repeat(32)),
    );
    // A fork: the same key, another history of the same size as the accepted head.
    let forked_dir = tempfile::tempdir().unwrap();
    let forked_state = forked_dir.path().join("f.db");
    binge()
        .args(["entwine", "--key", &w.s("a.example.key"), "--state"])
        .arg(&forked_state)
        .write_stdin("{\"other\":1}\n{\"other\":2}\n")
        .assert()
        .success();
    let fork_req = stdout_of(
        &binge()
            .args(["anchor", "request", "--stream", "a.example", "--state"])
            .arg(&forked_state)
            .output()
            .unwrap(),
    )
    .replace("\"old_size\":0", "\"old_size\":2");
    let unknown = first.replace("a.example", "z.example");
    // C2SP tlog-witness, for a stream the ticker has accepted nothing of yet: a proof from old
    // size 0 is refused, and a size-0 checkpoint must carry the empty tree's root.
    w.stream("b.example");
    w.entwine("b.example", "{\"n\":1}\n{\"n\":2}\n");
    let b_first = w.request("b.example");
    let proof_from_empty = b_first.replace(
        "\"proof\":[]",
        &format!("\"proof\":[\"{}\"]", "11".repeat(32)),
    );
    assert_ne!(proof_from_empty, b_first);
    let signer =
        agglo::chain::note::Signer::parse(&std::fs::read_to_string(w.p("b.example.key")).unwrap())
            .unwrap();
    let empty_note = signer.sign_note(&agglo::chain::note::checkpoint_text(
        "b.example",
        0,
        &[9; 32],
    ));
    let empty_bad_root = format!(
        "{{\"type\":\"anchor-request\",\"origin\":\"b.example\",\"old_size\":0,\"checkpoint\":{},\"proof\":[]}}\n",
        Value::String(empty_note.into()).to_json()
    );
    let answers = w.accept(
        &[
            short,
            long,
            first.clone(),
            fork_req,
            unknown,
            proof_from_empty,
            empty_bad_root,
        ]
        .concat(),
    );
    assert_eq!(
        answers.iter().map(status).collect::<Vec<_>>(),
        [
            "rejected bad proof",
            "rejected bad proof",
            "rejected old size mismatch",
            "rejected fork",
            "rejected unknown origin",
            "rejected a proof from old size 0",
            "rejected size 0 without the empty tree's root",
        ]
    );
    assert_eq!(
        w.accept(&good).iter().map(status).collect::<Vec<_>>(),
        ["accepted"]
    );
    // A rewind: the ticker's size right, but a head smaller than the one it accepted.
    let older = first.replace("\"old_size\":0", "\"old_size\":5");
    assert_eq!(
        w.accept(&older).iter().map(status).collect::<Vec<_>>(),
        ["rejected old size beyond the checkpoint"]
    );
    let conn = rusqlite::Connection::open(w.p("ticker.db")).unwrap();
    let kept: i64 = conn
        .query_row("SELECT count(*) FROM anchor_rejected", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, 8, "every rejected request is kept as evidence");
}

#[test]
fn tampered_ticks_and_tick_references_are_caught() {
    let w = World::new();
    let a = w.stream("a.example");
    w.entwine("a.example", "{\"n\":1}\n");
    w.accept(&w.request("a.example"));
    w.tick_and_import(&["a.example"]);
    w.entwine("a.example", "{\"n\":2}\n");
    w.accept(&w.request("a.example"));
    w.tick_and_import(&["a.example"]);
    let ticks = w.ok(&["anchor", "ticks"], "ticker", "");
    let export = w.export("a.example");
    let trust = w.trust_file(&[&a]);
    let run = |e: &str, t: &str| {
        verify(
            &trust,
            &[("a.ndjson", e), ("t.ndjson", t)],
            w.dir.path(),
            &[],
        )
    };
    assert_eq!(run(&export, &ticks).0, 0);
    // A tick whose prev link is broken (its hash and signature no longer hold).
    let t1 = ticks.lines().nth(1).unwrap();
    let v = parse_value(t1.as_bytes()).unwrap();
    let prev = v.member("prev").and_then(Value::as_str).unwrap();
    let broken = ticks.replace(prev, &"11".repeat(32));
    let (code, f) = run(&export, &broken);
    assert_eq!(code, 1);
    assert!(
        f.iter().any(|x| x.starts_with("tick ticker.example 1")),
        "{f:?}"
    );
    // An anchor whose root differs from the stream's.
    let root = v
        .member("anchors")
        .and_then(|a| a.element(0))
        .and_then(|a| a.member("root"))
        .and_then(Value::as_str)
        .unwrap();
    let (code, f) = run(&export, &ticks.replace(root, &"22".repeat(32)));
    assert_eq!(code, 1);
    assert!(
        f.iter().any(|x| x.starts_with("tick ticker.example 1")),
        "{f:?}"
    );
    // A record referencing a tick that was not given.
    let only_first: String = ticks.lines().take(1).map(|l| format!("{l}\n")).collect();
    let later = export.replace("\"tick\":{\"index\":0,", "\"tick\":{\"index\":7,");
    let (code, f) = run(&later, &only_first);
    assert_eq!(code, 1);
    assert!(
        f.iter().any(|x| x.starts_with("unknown tick a.example")),
        "{f:?}"
    );
    // A stream cut below its anchored size.
    let cut: String = export
        .lines()
        .filter(|l| !l.contains("\"seq\":1,"))
        .map(|l| format!("{l}\n"))
        .collect();
    let (code, f) = run(&cut, &ticks);
    assert_eq!(code, 1);
    assert!(
        f.iter()
            .any(|x| x.starts_with("records missing below an anchor a.example")),
        "{f:?}"
    );
}

/// A small deterministic generator for the interleavings.
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

#[test]
fn happened_before_is_never_wrong_over_random_interleavings() {
    let w = World::new();
    let outlets = ["a.example", "b.example", "c.example"];
    let keys: Vec<String> = outlets.iter().map(|o| w.stream(o)).collect();
    let mut rng = Lcg(2024);
    let mut created = 0u64;
    let mut started = [false; 3];
    for _ in 0..45 {
        if rng.below(4) > 0 {
            let k = rng.below(3) as usize;
            w.entwine(outlets[k], &format!("{{\"n\":{created}}}\n"));
            created += 1;
            started[k] = true;
        } else {
            let requests: String = outlets
                .iter()
                .zip(started)
                .filter(|(_, s)| *s)
                .map(|(o, _)| w.request(o))
                .collect();
            w.accept(&requests);
            let live: Vec<&str> = outlets
                .iter()
                .zip(started)
                .filter(|(_, s)| *s)
                .map(|(o, _)| *o)
                .collect();
            w.tick_and_import(&live);
        }
    }
    let trust = w.trust_file(&keys.iter().map(String::as_str).collect::<Vec<_>>());
    let mut cmd = binge();
    cmd.args(["verify", "--order", "--trust"]).arg(&trust);
    for (o, s) in outlets.iter().zip(started) {
        if s {
            let p = w.p(&format!("{o}.ndjson"));
            std::fs::write(&p, w.export(o)).unwrap();
            cmd.arg(p);
        }
    }
    let ticks = w.p("ticks.ndjson");
    std::fs::write(&ticks, w.ok(&["anchor", "ticks"], "ticker", "")).unwrap();
    cmd.arg(&ticks);
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    // (origin, seq, ref, anc, true creation order)
    type Ev = (String, u64, Option<u64>, Option<u64>, u64);
    let events: Vec<Ev> = ndjson(&stdout_of(&out))
        .iter()
        .map(|v| {
            let opt = |k: &str| field(v, k).parse::<u64>().ok();
            (
                field(v, "origin").trim_matches('"').to_string(),
                opt("seq").unwrap(),
                opt("ref"),
                opt("anc"),
                field(v.member("event").unwrap(), "n").parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(events.len() as u64, created);
    let mut ordered = 0;
    for e1 in &events {
        for e2 in &events {
            let before = if e1.0 == e2.0 {
                e1.1 < e2.1
            } else {
                matches!((e1.3, e2.2), (Some(anc), Some(r)) if anc <= r)
            };
            if before {
                ordered += 1;
                assert!(e1.4 < e2.4, "{e1:?} said to be before {e2:?}");
            }
        }
    }
    assert!(
        ordered > events.len(),
        "too few ordered pairs to mean anything: {ordered}"
    );
    // The CLI's own answer agrees, for a few pairs across streams.
    let cross: Vec<_> = events
        .iter()
        .flat_map(|a| events.iter().map(move |b| (a, b)))
        .filter(|(a, b)| a.0 != b.0)
        .step_by(37)
        .take(8)
        .collect();
    for (a, b) in cross {
        let mut cmd = binge();
        cmd.args(["verify", "--trust"]).arg(&trust);
        cmd.arg("--before")
            .arg(format!("{}:{}", a.0, a.1))
            .arg(format!("{}:{}", b.0, b.1));
        for (o, s) in outlets.iter().zip(started) {
            if s {
                cmd.arg(w.p(&format!("{o}.ndjson")));
            }
        }
        cmd.arg(&ticks);
        let answer = stdout_of(&cmd.output().unwrap());
        let word = answer
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .to_string();
        match word.as_str() {
            "before" => assert!(a.4 < b.4, "{answer}"),
            "after" => assert!(a.4 > b.4, "{answer}"),
            "concurrent" => {}
            other => panic!("{other}: {answer}"),
        }
    }
}

#[test]
fn a_stream_that_rewrites_anchored_history_is_caught_by_its_anchor() {
    let w = World::new();
    let a = w.stream("a.example");
    w.entwine("a.example", "{\"n\":1}\n{\"n\":2}\n");
    w.accept(&w.request("a.example"));
    w.tick_and_import(&["a.example"]);
    let ticks = w.ok(&["anchor", "ticks"], "ticker", "");
    // The stream's owner writes another history of the same size with the same key: its
    // chain and its own signatures hold, but the ticker sealed the original head.
    let forged_state = w.p("forged.db");
    binge()
        .args(["entwine", "--key", &w.s("a.example.key"), "--state"])
        .arg(&forged_state)
        .write_stdin("{\"n\":1}\n{\"n\":99}\n")
        .assert()
        .success();
    let forged = stdout_of(
        &binge()
            .args(["entwine", "export", "--stream", "a.example", "--state"])
            .arg(&forged_state)
            .output()
            .unwrap(),
    );
    let trust = w.trust_file(&[&a]);
    let (code, f) = verify(
        &trust,
        &[("a.ndjson", &forged), ("t.ndjson", &ticks)],
        w.dir.path(),
        &[],
    );
    assert_eq!(code, 1);
    assert!(f.contains(&"anchor root a.example 1".to_string()), "{f:?}");
    // Without the ticks nothing shows it: that is what anchoring is for.
    let (code, _) = verify(&trust, &[("a.ndjson", &forged)], w.dir.path(), &[]);
    assert_eq!(code, 0);
}

/// `binge anchor serve` on 127.0.0.1, stopped (SIGTERM) when dropped.
struct Witness {
    child: std::process::Child,
    url: String,
}

impl Witness {
    fn start(w: &World) -> Witness {
        let mut child = binge_std()
            .args(["anchor", "serve", "--listen", "127.0.0.1:0", "--state"])
            .arg(w.p("ticker.db"))
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let url = listening(&mut child, "anchor serve");
        Witness { child, url }
    }
}

impl Drop for Witness {
    fn drop(&mut self) {
        // SAFETY: a plain kill(2) of our own child.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let status = self.child.wait().unwrap();
        assert!(status.success() || std::thread::panicking(), "{status:?}");
    }
}

/// The cosignature/v1 line C2SP tlog-cosignature defines, computed here from the witness's
/// private key: `— <name> base64(key id || u64 timestamp || Ed25519 signature)`, the key id
/// SHA-256(name || "\n" || 0x04 || public key)[:4], the signed message "cosignature/v1\n",
/// "time <timestamp>\n", then the checkpoint text. Ed25519 is deterministic, so the line the
/// witness returns must be this one byte for byte.
fn expected_cosignature(key_file: &Path, checkpoint_text: &str, timestamp: u64) -> String {
    use base64::Engine;
    use ed25519_dalek::Signer;
    use sha2::Digest;
    let b64 = base64::engine::general_purpose::STANDARD;
    let text = std::fs::read_to_string(key_file).unwrap();
    let parts: Vec<&str> = text.trim().splitn(5, '+').collect();
    let (name, raw) = (parts[2], b64.decode(parts[4]).unwrap());
    let key = ed25519_dalek::SigningKey::from_bytes(&raw[1..33].try_into().unwrap());
    let mut h = sha2::Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([0x04]);
    h.update(key.verifying_key().to_bytes());
    let id = h.finalize();
    let message = format!("cosignature/v1\ntime {timestamp}\n{checkpoint_text}");
    let mut blob = id[..4].to_vec();
    blob.extend_from_slice(&timestamp.to_be_bytes());
    blob.extend_from_slice(&key.sign(message.as_bytes()).to_bytes());
    format!("\u{2014} {name} {}\n", b64.encode(blob))
}

#[test]
fn a_witness_over_http_cosigns_by_c2sp_and_verify_counts_its_cosignatures() {
    let w = World::new();
    let a = w.stream("a.example");
    let witness_key = w.ok(&["anchor", "witness-key"], "ticker", "");
    assert!(witness_key.starts_with("ticker.example+"), "{witness_key}");
    let server = Witness::start(&w);

    w.entwine("a.example", "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");
    let submit = |w: &World| {
        let out = w.ok(
            &[
                "anchor",
                "request",
                "--stream",
                "a.example",
                "--to",
                &server.url,
            ],
            "a.example",
            "",
        );
        let v = ndjson(&out);
        assert_eq!(v.len(), 1, "{out}");
        (
            field(&v[0], "size").parse::<u64>().unwrap(),
            v[0].member("cosignature")
                .unwrap()
                .as_str()
                .unwrap()
                .to_string(),
        )
    };
    // The first submission (old size 0), then one with a consistency proof from 3.
    for (events, want_size) in [("", 3), ("{\"n\":4}\n{\"n\":5}\n", 5)] {
        if !events.is_empty() {
            w.entwine("a.example", events);
        }
        let (size, line) = submit(&w);
        assert_eq!(size, want_size);
        let export = w.export("a.example");
        let cp = ndjson(&export)
            .into_iter()
            .rfind(|v| field(v, "type") == "\"checkpoint\"")
            .unwrap();
        let note = cp.member("note").unwrap().as_str().unwrap().to_string();
        let text = &note[..note.find("\n\n").unwrap() + 1];
        use base64::Engine;
        let blob = base64::engine::general_purpose::STANDARD
            .decode(line.trim_end().rsplit_once(' ').unwrap().1)
            .unwrap();
        let timestamp = u64::from_be_bytes(blob[4..12].try_into().unwrap());
        assert_eq!(
            line,
            expected_cosignature(&w.p("ticker.example.key"), text, timestamp)
        );
        // The export carries it as a signature line of the checkpoint's note.
        assert!(note.ends_with(&line), "{note}");
    }

    // Plain HTTP: an unknown origin is 404, a malformed body 400, a stale old size 409 with
    // the size the witness knows.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let post = |body: &str| {
        let mut r = agent
            .post(&format!("{}/add-checkpoint", server.url))
            .send(body.as_bytes())
            .unwrap();
        (r.status().as_u16(), r.body_mut().read_to_string().unwrap())
    };
    let stranger = agglo::chain::note::Signer::generate("z.example").unwrap();
    let znote = stranger.sign_note(&agglo::chain::note::checkpoint_text(
        "z.example",
        1,
        &[1; 32],
    ));
    assert_eq!(post(&format!("old 0\n\n{znote}")).0, 404);
    assert_eq!(post("old 01\n\nx").0, 400);
    let export = w.export("a.example");
    let cp = ndjson(&export)
        .into_iter()
        .rfind(|v| field(v, "type") == "\"checkpoint\"")
        .unwrap();
    let note = cp.member("note").unwrap().as_str().unwrap().to_string();
    assert_eq!(post(&format!("old 3\n\n{note}")), (409, "5\n".to_string()));

    // verify: the trusted witness's cosignatures count; one altered is tampering.
    let path = w.p("a.ndjson");
    std::fs::write(&path, &export).unwrap();
    let trust = w.p("trust-w.txt");
    std::fs::write(&trust, format!("{a}\nwitness {witness_key}")).unwrap();
    let verify = |extra: &[&str], file: &Path| {
        binge()
            .args(["verify", "--trust"])
            .arg(&trust)
            .args(extra)
            .arg(file)
            .output()
            .unwrap()
    };
    let out = verify(&["--witnesses", "1"], &path);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let out = verify(&["--witnesses", "2"], &path);
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("fewer than --witnesses 2"),
        "{}",
        stderr_of(&out)
    );
    let line = note.lines().last().unwrap();
    let (head, b64) = line.rsplit_once(' ').unwrap();
    use base64::Engine;
    let mut blob = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    blob[20] ^= 1;
    let altered = export.replace(
        &format!("{head} {b64}"),
        &format!(
            "{head} {}",
            base64::engine::general_purpose::STANDARD.encode(&blob)
        ),
    );
    assert_ne!(altered, export);
    let bad = w.p("bad.ndjson");
    std::fs::write(&bad, altered).unwrap();
    let out = verify(&[], &bad);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(
        stderr_of(&out).contains("cosignature"),
        "{}",
        stderr_of(&out)
    );
}

/// An auditor verifies an export made before the stream's latest anchor with the newer ticks:
/// nothing in it can be checked against that anchor, which is incomplete, not tampering. The
/// same export with a record rewritten below an anchor it does reach is still caught.
#[test]
fn an_export_older_than_an_anchor_is_incomplete_not_tampered() {
    let w = World::new();
    let a = w.stream("a.example");
    w.entwine("a.example", "{\"n\":1}\n{\"n\":2}\n");
    w.accept(&w.request("a.example"));
    w.tick_and_import(&["a.example"]);
    w.entwine("a.example", "{\"n\":3}\n");
    let old_export = w.export("a.example");
    w.entwine("a.example", "{\"n\":4}\n{\"n\":5}\n");
    w.accept(&w.request("a.example"));
    w.tick_and_import(&["a.example"]);
    let ticks = w.ok(&["anchor", "ticks"], "ticker", "");
    let trust = w.trust_file(&[&a]);
    let files = [
        ("a.ndjson", old_export.as_str()),
        ("t.ndjson", ticks.as_str()),
    ];
    let (code, f) = verify(&trust, &files, w.dir.path(), &[]);
    assert_eq!(code, 0, "{f:?}");
    assert!(
        f.contains(&"anchor beyond the export a.example 3".to_string()),
        "{f:?}"
    );
    let (code, _) = verify(&trust, &files, w.dir.path(), &["--strict"]);
    assert_eq!(code, 3);
    // Rewritten below the first anchor (size 2), which the old export does reach.
    let rewritten = old_export.replacen("{\"n\":2}", "{\"n\":20}", 1);
    assert_ne!(rewritten, old_export);
    let files = [
        ("a.ndjson", rewritten.as_str()),
        ("t.ndjson", ticks.as_str()),
    ];
    assert_eq!(verify(&trust, &files, w.dir.path(), &[]).0, 1);
}
