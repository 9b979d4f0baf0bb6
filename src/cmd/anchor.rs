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
        AnchorCommand::Request {
            origin,
            to: Some(url),
        } => {
            return submit(&mut st, origin, url, &mut out);
        }
        AnchorCommand::Request { origin, to: None } => {
            let cp = store::entwine::latest_checkpoint(st.conn(), origin)?
                .with_context(|| format!("stream {origin} has no checkpoint to anchor"))?;
            let old = store::anchor::anchored(st.conn(), origin)?.map_or(0, |a| a.0);
            let proof = proof_from(&st, origin, old, cp.size)?;
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
        AnchorCommand::Serve { listen, max_body } => {
            return serve(st, listen, *max_body);
        }
        AnchorCommand::WitnessKey => {
            let signer =
                ticker_signer(st.conn())?.context("no ticker here: run binge anchor init first")?;
            out.extend_from_slice(format!("{}\n", witness::cosigner_vkey(&signer)).as_bytes());
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

/// A consistency proof of the stream's tree from `old` to `new` leaves (none from 0).
fn proof_from(st: &Store, origin: &str, old: u64, new: u64) -> anyhow::Result<Vec<Hash>> {
    if old == 0 || old >= new {
        return Ok(Vec::new());
    }
    let leaves = store::entwine::leaves(st.conn(), origin, 0, new)?;
    Ok(merkle::consistency_proof(old as usize, &leaves))
}

/// `anchor request --to URL`: submits the stream's newest checkpoint to a C2SP witness and
/// keeps the cosignature it returns. When the witness knows another old size (409), the
/// request is made again once from that size.
fn submit(st: &mut Store, origin: &str, url: &str, out: &mut Vec<u8>) -> anyhow::Result<Exit> {
    let cp = store::entwine::latest_checkpoint(st.conn(), origin)?
        .with_context(|| format!("stream {origin} has no checkpoint to anchor"))?;
    let endpoint = format!("{}/add-checkpoint", url.trim_end_matches('/'));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(std::time::Duration::from_secs(30)))
        .http_status_as_error(false)
        .build()
        .into();
    let mut old = store::entwine::witnessed(st.conn(), origin, url)?;
    for attempt in 0..2 {
        let proof = proof_from(st, origin, old, cp.size)?;
        let body = witness::request_body(old, &proof, &cp.note);
        let mut resp = agent
            .post(&endpoint)
            .header("Content-Type", "text/plain; charset=utf-8")
            .send(body.as_bytes())
            .with_context(|| format!("cannot reach the witness at {endpoint}"))?;
        let status = resp.status().as_u16();
        let answer = resp
            .body_mut()
            .with_config()
            .limit(1 << 20)
            .read_to_string()
            .unwrap_or_default();
        match status {
            200 => {
                let lines: Vec<&str> = answer
                    .split_inclusive('\n')
                    .filter(|l| l.starts_with("\u{2014} ") && l.ends_with('\n'))
                    .collect();
                if lines.is_empty() {
                    bail!("the witness at {endpoint} answered 200 without a cosignature");
                }
                st.write(|tx| {
                    store::entwine::add_cosignatures(
                        tx,
                        origin,
                        cp.size,
                        url,
                        &lines,
                        time::now_ms(),
                    )
                })?;
                for line in &lines {
                    let v = obj(vec![
                        ("type", text("cosignature")),
                        ("origin", text(origin)),
                        ("size", int(cp.size)),
                        ("witness", text(url)),
                        ("cosignature", text(line)),
                    ]);
                    json::write_value(&v, out);
                    out.push(b'\n');
                }
                flush(out)?;
                return Ok(Exit::Success);
            }
            409 if attempt == 0 => {
                // The witness cosigned another size last: start from the one it knows.
                old = answer.trim().parse().with_context(|| {
                    format!("the witness at {endpoint} answered 409 with {answer:?}")
                })?;
                if old > cp.size {
                    bail!(
                        "the witness at {endpoint} has cosigned size {old} of {origin}, beyond \
                         this stream's newest checkpoint ({}): a fork or a rewind",
                        cp.size
                    );
                }
            }
            _ => bail!(
                "the witness at {endpoint} refused the checkpoint of size {}: {status} {}",
                cp.size,
                answer.trim()
            ),
        }
    }
    bail!("the witness at {endpoint} kept answering 409")
}

/// `anchor serve`: C2SP tlog-witness add-checkpoint over HTTP, one request at a time, each
/// decided in one transaction; stops between requests on SIGINT or SIGTERM.
fn serve(mut st: Store, listen: &str, max_body: usize) -> anyhow::Result<Exit> {
    let signer =
        ticker_signer(st.conn())?.context("no ticker here: run binge anchor init first")?;
    let server = crate::serve::listen(listen, "anchor serve")?;
    while !stream::stopped() {
        let Some(mut request) = server.recv_timeout(std::time::Duration::from_millis(100))? else {
            continue;
        };
        let (status, body, content_type) = handle(&mut st, &signer, &mut request, max_body);
        crate::serve::answer(request, status, body, content_type, &[]);
    }
    Ok(Exit::Success)
}

/// One HTTP request to the witness: (status, body, content type).
fn handle(
    st: &mut Store,
    signer: &Signer,
    request: &mut tiny_http::Request,
    max_body: usize,
) -> (u16, String, &'static str) {
    const TEXT: &str = "text/plain; charset=utf-8";
    let path = request.url().split('?').next().unwrap_or_default();
    if path != "/add-checkpoint" {
        return (404, "not found\n".into(), TEXT);
    }
    if *request.method() != tiny_http::Method::Post {
        return (405, "add-checkpoint takes POST\n".into(), TEXT);
    }
    let mut body = Vec::new();
    let read = std::io::Read::read_to_end(
        &mut std::io::Read::take(request.as_reader(), max_body as u64 + 1),
        &mut body,
    );
    if read.is_err() {
        return (400, "cannot read the request\n".into(), TEXT);
    }
    if body.len() > max_body {
        return (
            413,
            format!("the body is larger than {max_body} bytes\n"),
            TEXT,
        );
    }
    let Ok(body) = String::from_utf8(body) else {
        return (400, "the body is not UTF-8\n".into(), TEXT);
    };
    let req = match witness::parse_request(&body) {
        Ok(r) => r,
        Err(refusal) => {
            return (
                refusal.http_status(),
                format!("{}\n", refusal.reason()),
                TEXT,
            );
        }
    };
    match st.write(|tx| decide(tx, &req, &body, Some(signer))) {
        Ok(Ok((_, Some(cosignature)))) => (200, cosignature, TEXT),
        Ok(Ok((_, None))) => (500, "no witness key\n".into(), TEXT),
        Ok(Err(witness::Refusal::Conflict { known })) => {
            (409, format!("{known}\n"), "text/x.tlog.size")
        }
        Ok(Err(refusal)) => (
            refusal.http_status(),
            format!("{}\n", refusal.reason()),
            TEXT,
        ),
        Err(e) => {
            eprintln!("binge anchor serve: {e:#}");
            (500, "the witness cannot keep its state\n".into(), TEXT)
        }
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
        let proof = match v.member("proof") {
            None => Some(Vec::new()),
            Some(_) => note::hashes_field(&v, "proof"),
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
