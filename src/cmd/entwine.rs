//! `binge entwine ...`: keys, appending to a stream, export, proofs, status.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;

use anyhow::{Context, bail};

use crate::chain::merkle;
use crate::chain::note::{self, Signer, Verifier};
use crate::cli::{EntwineArgs, EntwineCommand};
use crate::exit::{Exit, UsageError};
use crate::json::{self, Number, Value};
use crate::stage::entwine::Entwine;
use crate::stage::{Built, Piece};
use crate::store::{self, Store};
use crate::stream;
use crate::time;

pub fn run(args: &EntwineArgs) -> anyhow::Result<Exit> {
    let open = || -> anyhow::Result<Store> {
        Store::open(
            &store::state_path(args.state.state.as_deref())?,
            args.state.durability,
        )
    };
    let mut out = Vec::new();
    match &args.command {
        None => {
            let built = build(args)?;
            let opts = super::stream_options("entwine", &args.stream);
            let opts = super::with_resume(opts, &args.stream, &args.state, &args.files, built.own)?;
            let mut stage = built.piece.into_stage();
            return stream::run(&opts, &args.files, stage.as_mut(), stream::event_writer()?);
        }
        Some(EntwineCommand::Keygen { origin, out: path }) => {
            let signer =
                Signer::generate(origin).map_err(|e| UsageError(format!("--origin: {e:#}")))?;
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .with_context(|| {
                    format!(
                        "cannot create {} (an existing key is never overwritten)",
                        path.display()
                    )
                })?;
            f.write_all(format!("{}\n", signer.encode()).as_bytes())?;
            f.sync_all()?;
            out.extend_from_slice(format!("{}\n", signer.verifier().encode()).as_bytes());
        }
        Some(EntwineCommand::Pubkey { keyfile }) => {
            out.extend_from_slice(
                format!("{}\n", read_key(keyfile)?.verifier().encode()).as_bytes(),
            );
        }
        Some(EntwineCommand::Export {
            origin,
            from,
            redact,
        }) => {
            let store = open()?;
            export(&store, origin, *from, *redact, &mut out)?;
        }
        Some(EntwineCommand::Prove { origin, seq }) => {
            let store = open()?;
            prove(&store, origin, *seq, &mut out)?;
        }
        Some(EntwineCommand::Status) => {
            let store = open()?;
            for st in store::entwine::streams(store.conn())? {
                let cp = store::entwine::latest_checkpoint(store.conn(), &st.origin)?;
                let v = obj(vec![
                    ("origin", text(&st.origin)),
                    ("size", int(st.size as i64)),
                    ("head", text(&note::hex(&st.head))),
                    (
                        "checkpoint",
                        cp.map_or(Value::Null, |c| {
                            obj(vec![
                                ("size", int(c.size as i64)),
                                ("made_at", text(&time::format_rfc3339(c.made_at))),
                            ])
                        }),
                    ),
                    (
                        "anchor",
                        store::anchor::anchored(store.conn(), &st.origin)?.map_or(
                            Value::Null,
                            |(size, _, tick)| {
                                obj(vec![("size", int(size as i64)), ("tick", int(tick as i64))])
                            },
                        ),
                    ),
                ]);
                json::write_value(&v, &mut out);
                out.push(b'\n');
            }
        }
    }
    match stream::stdout()?.write_all(&out) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Exit::Success),
        other => other
            .map(|_| Exit::Success)
            .context("cannot write to standard output"),
    }
}

/// The appending stage the options describe (also what a pipeline's `{"entwine": ...}` builds).
pub fn build(args: &EntwineArgs) -> anyhow::Result<Built> {
    let Some(keyfile) = &args.key else {
        return Err(UsageError("give --key KEYFILE (see binge entwine keygen)".into()).into());
    };
    let signer = read_key(keyfile)?;
    let own = format!("entwine:{}", signer.name);
    let store = Store::open(
        &store::state_path(args.state.state.as_deref())?,
        args.state.durability,
    )?;
    let stage = Entwine::new(store, signer, args.checkpoint_every, args.sign_each)?;
    Ok(Built {
        piece: Piece::Held(Box::new(stage)),
        own: Some(own),
    })
}

/// What `binge run --check` checks of an entwine stage: its key can be read.
pub fn check(args: &EntwineArgs) -> anyhow::Result<()> {
    match &args.key {
        Some(keyfile) => read_key(keyfile).map(drop),
        None => Err(UsageError("give --key KEYFILE (see binge entwine keygen)".into()).into()),
    }
}

fn read_key(path: &std::path::Path) -> anyhow::Result<Signer> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the key {}", path.display()))?;
    Signer::parse(&text).with_context(|| format!("{} is not a binge entwine key", path.display()))
}

fn text(s: &str) -> Value<'static> {
    Value::String(s.to_string().into())
}

fn int(i: i64) -> Value<'static> {
    Value::Number(Number::Int(i))
}

fn obj(members: Vec<(&'static str, Value<'static>)>) -> Value<'static> {
    Value::Object(members.into_iter().map(|(k, v)| (k.into(), v)).collect())
}

/// A record line of an export (and of a proof).
fn record_line(s: &store::entwine::Stored, redact: bool) -> anyhow::Result<Value<'static>> {
    let r = &s.record;
    let mut members = vec![
        ("type", text("record")),
        ("origin", text(&r.origin)),
        ("seq", int(r.seq as i64)),
        ("prev", text(&note::hex(&r.prev))),
        (
            "tick",
            r.tick.map_or(Value::Null, |t| {
                obj(vec![
                    ("index", int(t.index as i64)),
                    ("hash", text(&note::hex(&t.hash))),
                ])
            }),
        ),
        ("time_ms", int(r.time_ms)),
        ("body_hash", text(&note::hex(&r.body_hash))),
        ("leaf", text(&note::hex(&s.leaf))),
    ];
    if let Some(sig) = &s.sig {
        members.push(("sig", text(&note::b64(sig))));
    }
    if !redact {
        members.push(("event", json::parse_value(s.body.as_bytes())?.into_owned()));
    }
    Ok(obj(members))
}

fn export(
    store: &Store,
    origin: &str,
    from: u64,
    redact: bool,
    out: &mut Vec<u8>,
) -> anyhow::Result<()> {
    let st = store::entwine::stream(store.conn(), origin)?
        .with_context(|| format!("there is no stream {origin}"))?;
    let public: [u8; 32] = st
        .public
        .as_slice()
        .try_into()
        .context("a stored public key is not 32 bytes")?;
    let vkey = Verifier::from_public(origin, &public)?;
    let head = obj(vec![
        ("type", text("stream")),
        ("origin", text(origin)),
        ("key", text(&vkey.encode())),
        ("size", int(st.size as i64)),
    ]);
    json::write_value(&head, out);
    out.push(b'\n');
    let from = from.min(st.size);
    let all_cps = store::entwine::checkpoints(store.conn(), origin)?;
    if from > 0 {
        // An increment: where the tree stood at `from` (its frontier, and the last leaf with
        // its inclusion proof), so a verifier holding a trusted checkpoint of size `from` can
        // go on from there without the records before it.
        let leaves = store::entwine::leaves(store.conn(), origin, 0, from)?;
        let mut f = merkle::Frontier::new();
        for l in &leaves {
            f.push(*l);
        }
        let hexes =
            |hs: &[merkle::Hash]| Value::Array(hs.iter().map(|h| text(&note::hex(h))).collect());
        let last = (from - 1) as usize;
        let v = obj(vec![
            ("type", text("increment")),
            ("origin", text(origin)),
            ("from", int(from as i64)),
            ("frontier", hexes(&f.hashes())),
            ("prev", text(&note::hex(&leaves[last]))),
            ("prev_proof", hexes(&merkle::inclusion_proof(last, &leaves))),
        ]);
        json::write_value(&v, out);
        out.push(b'\n');
    }
    let newest = all_cps
        .iter()
        .filter(|c| c.size > from)
        .map(|c| c.size)
        .max();
    let mut cps = all_cps.into_iter().filter(|c| c.size > from).peekable();
    let written = store::entwine::each_record(store.conn(), origin, from, |s| {
        json::write_value(&record_line(&s, redact)?, out);
        out.push(b'\n');
        while let Some(cp) = cps.next_if(|c| c.size <= s.record.seq + 1) {
            // Witnesses' cosignatures are more signature lines of the same note.
            let mut signed = cp.note.clone();
            for line in store::entwine::cosignatures(store.conn(), origin, cp.size)? {
                signed.push_str(&line);
            }
            let v = obj(vec![
                ("type", text("checkpoint")),
                ("origin", text(origin)),
                ("size", int(cp.size as i64)),
                ("root", text(&note::hex(&cp.root))),
                ("note", text(&signed)),
            ]);
            json::write_value(&v, out);
            out.push(b'\n');
        }
        Ok(())
    });
    written?;
    if let Some(size) = newest.filter(|_| from > 0) {
        // The newest checkpoint of the increment extends the tree at `from`.
        let leaves = store::entwine::leaves(store.conn(), origin, 0, size)?;
        let proof = merkle::consistency_proof(from as usize, &leaves);
        let v = obj(vec![
            ("type", text("consistency")),
            ("origin", text(origin)),
            ("old_size", int(from as i64)),
            ("size", int(size as i64)),
            (
                "proof",
                Value::Array(proof.iter().map(|h| text(&note::hex(h))).collect()),
            ),
        ]);
        json::write_value(&v, out);
        out.push(b'\n');
    }
    Ok(())
}

fn prove(store: &Store, origin: &str, seq: u64, out: &mut Vec<u8>) -> anyhow::Result<()> {
    let cp = store::entwine::latest_checkpoint(store.conn(), origin)?
        .with_context(|| format!("stream {origin} has no checkpoint yet"))?;
    if seq >= cp.size {
        bail!(
            "record {seq} is not covered by the latest checkpoint (size {})",
            cp.size
        );
    }
    let rec = store::entwine::record(store.conn(), origin, seq)?
        .with_context(|| format!("stream {origin} has no record {seq}"))?;
    let leaves = store::entwine::leaves(store.conn(), origin, 0, cp.size)?;
    let proof = merkle::inclusion_proof(seq as usize, &leaves);
    let v = obj(vec![
        ("type", text("inclusion")),
        ("origin", text(origin)),
        ("seq", int(seq as i64)),
        ("size", int(cp.size as i64)),
        ("root", text(&note::hex(&cp.root))),
        (
            "proof",
            Value::Array(proof.iter().map(|h| text(&note::hex(h))).collect()),
        ),
        ("record", record_line(&rec, false)?),
        ("checkpoint", text(&cp.note)),
    ]);
    json::write_value(&v, out);
    out.push(b'\n');
    Ok(())
}
