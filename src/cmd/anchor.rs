//! `binge anchor ...`: the ticker side (init, trust, accept, tick, ticks) and the stream side
//! (request, import) of anchoring streams to a shared ticker chain. Every exchange is NDJSON on
//! stdin and stdout, so the two sides can run on different machines.

use std::io::{BufRead, Write};

use anyhow::{Context, bail};

use crate::chain::merkle::{self, Hash};
use crate::chain::note::{self, Signer, Verifier};
use crate::chain::tick::{self, Anchor, Tick};
use crate::chain::witness;
use crate::cli::{AnchorArgs, AnchorCommand};
use crate::exit::{Exit, UsageError};
use crate::json::{self, Number, Value};
use crate::store::{self, Store};
use crate::stream;
use crate::time;

fn text(s: &str) -> Value<'static> {
    Value::String(s.to_string().into())
}

fn int(i: u64) -> Value<'static> {
    Value::Number(Number::Int(i as i64))
}

fn obj(members: Vec<(&'static str, Value<'static>)>) -> Value<'static> {
    Value::Object(members.into_iter().map(|(k, v)| (k.into(), v)).collect())
}

fn hexes(hs: &[Hash]) -> Value<'static> {
    Value::Array(hs.iter().map(|h| text(&note::hex(h))).collect())
}

pub fn run(args: &AnchorArgs) -> anyhow::Result<Exit> {
    let path = store::state_path(args.state.state.as_deref())?;
    let mut st = Store::open(&path, args.state.durability)?;
    let mut out = Vec::new();
    match &args.command {
        AnchorCommand::Init { origin, key } => {
            let text = std::fs::read_to_string(key)
                .with_context(|| format!("cannot read {}", key.display()))?;
            let signer = Signer::parse(&text)?;
            if signer.name != *origin {
                return Err(
                    UsageError(format!("the key is for {}, not {origin}", signer.name)).into(),
                );
            }
            let key_path = std::fs::canonicalize(key)?.display().to_string();
            st.write(|tx| store::anchor::init(tx, origin, &signer.public(), &key_path))?;
            out.extend_from_slice(format!("{}\n", signer.verifier().encode()).as_bytes());
        }
        AnchorCommand::Trust { origin, pubkey } => {
            let v = Verifier::parse(pubkey).map_err(|e| UsageError(format!("{pubkey}: {e:#}")))?;
            if v.name != *origin {
                return Err(UsageError(format!("the key is for {}, not {origin}", v.name)).into());
            }
            st.write(|tx| store::anchor::trust(tx, origin, &v.encode()))?;
        }
        AnchorCommand::Accept => {
            let cosigner = ticker_signer(st.conn())?;
            let mut refused = 0;
            for line in std::io::stdin().lock().lines() {
                let line = line?;
                if line.trim().is_empty() {
                    continue;
                }
                let (answer, ok) = st.write(|tx| accept(tx, &line, cosigner.as_ref()))?;
                refused += u64::from(!ok);
                json::write_value(&answer, &mut out);
                out.push(b'\n');
                flush(&mut out)?;
            }
            if refused > 0 {
                // The answers say which and why; the status says that not all were taken.
                eprintln!(
                    "binge anchor accept: {refused} request{} rejected",
                    if refused == 1 { "" } else { "s" }
                );
                return Ok(Exit::Failure);
            }
        }
        AnchorCommand::Tick => {
            let t = store::anchor::ticker(st.conn())?
                .context("no ticker here: run binge anchor init first")?;
            let signer = Signer::parse(
                &std::fs::read_to_string(&t.key_path)
                    .with_context(|| format!("cannot read the ticker key {}", t.key_path))?,
            )?;
            let line = st.write(|tx| seal(tx, &t.origin, &signer))?;
            out.extend_from_slice(line.as_bytes());
            out.push(b'\n');
        }
        AnchorCommand::Ticks { since } => {
            for line in store::anchor::ticks_since(st.conn(), *since)? {
                out.extend_from_slice(line.as_bytes());
                out.push(b'\n');
            }
        }
        AnchorCommand::Request { origin } => {
            let cp = store::entwine::latest_checkpoint(st.conn(), origin)?
                .with_context(|| format!("stream {origin} has no checkpoint to anchor"))?;
            let old = store::anchor::anchored(st.conn(), origin)?.map_or(0, |a| a.0);
            let proof = if old > 0 && old < cp.size {
                let leaves = store::entwine::leaves(st.conn(), origin, 0, cp.size)?;
                merkle::consistency_proof(old as usize, &leaves)
            } else {
                Vec::new()
            };
            let v = obj(vec![
                ("type", text("anchor-request")),
                ("origin", text(origin)),
                ("old_size", int(old)),
                ("checkpoint", text(&cp.note)),
                ("proof", hexes(&proof)),
            ]);
            json::write_value(&v, &mut out);
            out.push(b'\n');
        }
        AnchorCommand::Import { ticker } => {
            let ticker =
                Verifier::parse(ticker).map_err(|e| UsageError(format!("--ticker: {e:#}")))?;
            let mut n = 0;
            for line in std::io::stdin().lock().lines() {
                let line = line?;
                if line.trim().is_empty() {
                    continue;
                }
                let v = json::parse_value(line.as_bytes())
                    .context("a tick line is not JSON")?
                    .into_owned();
                st.write(|tx| import(tx, &ticker, &v))?;
                n += 1;
            }
            eprintln!(
                "binge anchor import: {n} tick{} imported",
                if n == 1 { "" } else { "s" }
            );
        }
    }
    flush(&mut out)?;
    Ok(Exit::Success)
}

fn flush(out: &mut Vec<u8>) -> anyhow::Result<()> {
    let r = stream::stdout()?.write_all(out);
    out.clear();
    match r {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}

/// What the ticker's state file knows, inside the transaction that may accept.
pub(crate) struct StoreKnown<'t, 'c>(pub &'t rusqlite::Transaction<'c>);

impl witness::Known for StoreKnown<'_, '_> {
    fn key(&self, origin: &str) -> anyhow::Result<Option<Verifier>> {
        store::anchor::key(self.0, origin)?
            .map(|k| Verifier::parse(&k))
            .transpose()
    }

    fn head(&self, origin: &str) -> anyhow::Result<Option<(u64, Hash)>> {
        Ok(store::anchor::head(self.0, origin)?
            .map(|(size, root)| (size, root.as_slice().try_into().unwrap_or([0; 32]))))
    }
}

/// The ticker's signing key, when this state file is a ticker.
pub(crate) fn ticker_signer(conn: &rusqlite::Connection) -> anyhow::Result<Option<Signer>> {
    let Some(t) = store::anchor::ticker(conn)? else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(&t.key_path)
        .with_context(|| format!("cannot read the ticker key {}", t.key_path))?;
    Ok(Some(Signer::parse(&text)?))
}

/// Checks one request by the rules of C2SP tlog-witness and, if it holds, records the new
/// head (to be sealed by the next tick) in the same transaction; a refused request is kept as
/// evidence. With a ticker key, the accepted checkpoint is cosigned (`cosignature/v1`).
pub(crate) fn decide(
    tx: &rusqlite::Transaction<'_>,
    req: &witness::Request,
    evidence: &str,
    cosigner: Option<&Signer>,
) -> anyhow::Result<Result<(witness::Accepted, Option<String>), witness::Refusal>> {
    let now = time::now_ms();
    match witness::check(req, &StoreKnown(tx))? {
        Err(refusal) => {
            store::anchor::reject(tx, evidence, &refusal.reason(), now)?;
            Ok(Err(refusal))
        }
        Ok(a) => {
            store::anchor::accept(tx, &a.origin, a.size, &a.root, &a.sig, now)?;
            let cosignature =
                cosigner.map(|s| witness::cosign(s, &a.body, (now / 1000).max(1) as u64));
            Ok(Ok((a, cosignature)))
        }
    }
}

/// Answers one NDJSON anchor request; the answer, and whether it was accepted.
fn accept(
    tx: &rusqlite::Transaction<'_>,
    line: &str,
    cosigner: Option<&Signer>,
) -> anyhow::Result<(Value<'static>, bool)> {
    let rejected =
        |origin: &str, size: u64, reason: String, extra: Vec<(&'static str, Value<'static>)>| {
            let mut m = vec![
                ("type", text("anchor-response")),
                ("origin", text(origin)),
                ("size", int(size)),
                ("status", text("rejected")),
                ("reason", text(&reason)),
            ];
            m.extend(extra);
            (obj(m), false)
        };
    let parsed = json::parse_value(line.as_bytes()).ok().and_then(|v| {
        let old = note::uint_field(&v, "old_size")?;
        let note_text = v.member("checkpoint")?.as_str()?.to_string();
        let proof: Option<Vec<Hash>> = match v.member("proof") {
            Some(Value::Array(items)) => items
                .iter()
                .map(|h| note::unhex(h.as_str()?)?.try_into().ok())
                .collect(),
            None => Some(Vec::new()),
            _ => None,
        };
        Some(witness::Request {
            old_size: old,
            proof: proof?,
            note: note_text,
        })
    });
    let Some(req) = parsed else {
        let reason = "malformed request".to_string();
        store::anchor::reject(tx, line, &reason, time::now_ms())?;
        return Ok(rejected("", 0, reason, vec![]));
    };
    let origin = witness::origin_of(&req.note).to_string();
    let size = note::parse_checkpoint(req.note.rsplit_once("\n\n").map_or("", |(t, _)| t))
        .map_or(0, |c| c.1);
    Ok(match decide(tx, &req, line, cosigner)? {
        Err(refusal) => {
            let extra = match refusal {
                witness::Refusal::Conflict { known } => vec![("known_size", int(known))],
                _ => vec![],
            };
            rejected(&origin, size, refusal.reason(), extra)
        }
        Ok((a, cosignature)) => {
            let next = store::anchor::last_tick(tx)?.map_or(0, |t| t.0 + 1);
            let mut m = vec![
                ("type", text("anchor-response")),
                ("origin", text(&a.origin)),
                ("size", int(a.size)),
                ("status", text("accepted")),
                ("pending_tick", int(next)),
            ];
            if let Some(c) = cosignature {
                m.push(("cosignature", text(&c)));
            }
            (obj(m), true)
        }
    })
}

/// Seals the anchors accepted since the last tick into a new signed tick; returns its line.
fn seal(tx: &rusqlite::Transaction<'_>, ticker: &str, signer: &Signer) -> anyhow::Result<String> {
    let anchors: Vec<Anchor> = store::anchor::pending(tx)?;
    let (index, prev) = match store::anchor::last_tick(tx)? {
        Some((i, h)) => (i + 1, h),
        None => (0, tick::genesis(ticker, &signer.public())),
    };
    let mut nonce = [0u8; 32];
    crate::sys::random_bytes(&mut nonce)?;
    let leaves: Vec<Hash> = anchors.iter().map(Anchor::leaf).collect();
    let t = Tick {
        ticker: ticker.to_string(),
        index,
        prev,
        time_ms: time::now_ms(),
        nonce,
        anchors_root: merkle::root(&leaves),
    };
    let hash = t.hash();
    let mut hashes = store::anchor::tick_hashes(tx)?;
    hashes.push(hash);
    let checkpoint = signer.sign_note(&note::checkpoint_text(
        ticker,
        hashes.len() as u64,
        &merkle::root(&hashes),
    ));
    let anchor_values: Vec<Value<'static>> = anchors
        .iter()
        .enumerate()
        .map(|(i, a)| {
            obj(vec![
                ("origin", text(&a.origin)),
                ("size", int(a.size)),
                ("root", text(&note::hex(&a.root))),
                ("sig", text(&note::b64(&a.sig))),
                ("proof", hexes(&merkle::inclusion_proof(i, &leaves))),
            ])
        })
        .collect();
    let v = obj(vec![
        ("type", text("tick")),
        ("ticker", text(ticker)),
        ("index", int(index)),
        ("prev", text(&note::hex(&prev))),
        ("time_ms", Value::Number(Number::Int(t.time_ms))),
        ("nonce", text(&note::hex(&nonce))),
        ("anchors_root", text(&note::hex(&t.anchors_root))),
        ("hash", text(&note::hex(&hash))),
        ("anchors", Value::Array(anchor_values)),
        ("checkpoint", text(&checkpoint)),
    ]);
    let line = v.to_json();
    store::anchor::add_tick(tx, index, &line, &hash)?;
    store::anchor::seal(tx, index)?;
    Ok(line)
}

/// Takes in one tick: every local stream will reference it; an anchor of a local stream must
/// match that stream's own tree.
fn import(tx: &rusqlite::Transaction<'_>, ticker: &Verifier, v: &Value<'_>) -> anyhow::Result<()> {
    let (t, anchors) = tick::parse_line(ticker, v)?;
    let hash = t.hash();
    let streams = store::entwine::streams(tx)?;
    for s in &streams {
        let known: Option<Hash> = store::entwine::newest_tick(tx, &s.origin)?
            .filter(|k| k.index + 1 == t.index)
            .map(|k| k.hash);
        if let Some(prev) = known
            && prev != t.prev
        {
            bail!(
                "tick {} does not follow tick {} this stream has",
                t.index,
                t.index - 1
            );
        }
        store::anchor::import_tick(tx, &s.origin, t.index, &hash)?;
    }
    for a in &anchors {
        if !streams.iter().any(|s| s.origin == a.origin) {
            continue;
        }
        let leaves = store::entwine::leaves(tx, &a.origin, 0, a.size)?;
        if leaves.len() as u64 != a.size || merkle::root(&leaves) != a.root {
            bail!(
                "tick {} seals a head of {} (size {}) that this stream never had",
                t.index,
                a.origin,
                a.size
            );
        }
        store::anchor::set_anchored(tx, &a.origin, a.size, &a.root, t.index)?;
    }
    Ok(())
}
