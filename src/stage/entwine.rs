//! `entwine`: appends each event to the key's stream as a hash-chained record, passes the event
//! on with `"_entwine": {"origin", "seq", "leaf"}`, and signs checkpoints of the stream's
//! Merkle tree. Each input batch is one transaction that continues from the head stored *now*,
//! so a second writer on the same stream interleaves whole batches and the chain stays linear;
//! events are passed on once their batch is committed.

use anyhow::{Context, bail};
use rayon::prelude::*;

use super::{Fault, Prepare, Reject, Stage};
use crate::chain::merkle::{Frontier, Hash};
use crate::chain::note::{self, Signer};
use crate::chain::record::{self, Record};
use crate::json;
use crate::store::{self, Store};
use crate::stream::resume::{Cursor, Keeps};
use crate::stream::{Event, Output};
use crate::time;

/// An event waiting for its batch's commit. Its bytes live in [`Entwine::bytes`], one buffer
/// for the batch rather than two allocations per event.
struct Pending {
    raw: std::ops::Range<usize>,
    /// Canonical JSON, UTF-8 (checked when it was taken in).
    canonical: std::ops::Range<usize>,
    body_hash: Hash,
    time_ms: i64,
}

pub struct Entwine {
    store: Store,
    signer: Signer,
    origin: String,
    frontier: Frontier,
    head: Hash,
    every: u64,
    sign_each: bool,
    pending: Vec<Pending>,
    /// The bytes of the pending events and of their canonical forms.
    bytes: Vec<u8>,
    /// The size of the newest checkpoint.
    checkpointed: u64,
    /// Under `--resume`, the input positions to commit with the records.
    cursor: Option<Cursor>,
}

impl Entwine {
    /// Opens (or starts) the key's stream and checks that what is stored holds together before
    /// anything is added to it.
    pub fn new(
        mut store: Store,
        signer: Signer,
        every: u64,
        sign_each: bool,
    ) -> anyhow::Result<Entwine> {
        let origin = signer.name.clone();
        let public = signer.public();
        let genesis = record::genesis(&origin, &public);
        store.write(|tx| {
            store::entwine::create_stream(tx, &origin, &public, &genesis, time::now_ms())
        })?;
        let st = store::entwine::stream(store.conn(), &origin)?.context("the stream vanished")?;
        if st.public != public {
            bail!(
                "stream {origin} belongs to another key ({})",
                note::hex(&st.public)
            );
        }
        let mut e = Entwine {
            store,
            signer,
            origin,
            frontier: Frontier::new(),
            head: genesis,
            every: every.max(1),
            sign_each,
            pending: Vec::new(),
            bytes: Vec::new(),
            checkpointed: 0,
            cursor: None,
        };
        e.start_at_checkpoint(st.size)?;
        e.catch_up(&st)?;
        Ok(e)
    }

    /// Starts from the newest checkpoint that keeps its frontier, so start-up reads only the
    /// records after it rather than the whole stream. The frontier must give the root the
    /// checkpoint's signed note states, and the last record before it must still give its leaf
    /// and body hash; the records before are the signed tree's, checked by `binge verify`.
    fn start_at_checkpoint(&mut self, size: u64) -> anyhow::Result<()> {
        let conn = self.store.conn();
        let Some((cp, hashes)) = store::entwine::latest_with_frontier(conn, &self.origin)? else {
            return Ok(());
        };
        let tampered = |what: String| tampered(&self.origin, &what);
        let signed = self
            .signer
            .verifier()
            .open_note(&cp.note)
            .ok()
            .and_then(|text| note::parse_checkpoint(text).ok());
        let frontier = Frontier::from_hashes(cp.size, &hashes);
        let holds = cp.size <= size
            && frontier.as_ref().is_some_and(|f| f.root() == cp.root)
            && signed == Some((self.origin.clone(), cp.size, cp.root));
        let (Some(frontier), true) = (frontier, holds) else {
            return Err(tampered(format!(
                "the checkpoint at size {} is not a signed note of its frontier's root",
                cp.size
            )));
        };
        let last = store::entwine::records(conn, &self.origin, cp.size - 1, cp.size)?;
        let Some(s) = last.first().filter(|s| s.record.seq == cp.size - 1) else {
            return Err(tampered(format!("record {} is missing", cp.size - 1)));
        };
        if record::body_hash(&s.body) != s.record.body_hash {
            return Err(tampered(format!(
                "the event of record {} no longer gives its body hash",
                cp.size - 1
            )));
        }
        let leaf = s.record.leaf();
        if leaf.as_slice() != s.leaf {
            return Err(tampered(format!(
                "record {} no longer gives its leaf",
                cp.size - 1
            )));
        }
        self.frontier = frontier;
        self.head = leaf;
        self.checkpointed = cp.size;
        Ok(())
    }

    /// Takes in the records stored beyond what this run has seen, and checks them before
    /// anything is signed over them: each record's event still gives its body hash, its fields
    /// still give its leaf, it links to the record before it, every signed checkpoint among
    /// them opens with the stream's key and states the root of the leaves before it, and the
    /// stored head is the last leaf. An edited state file is refused rather than extended.
    fn catch_up(&mut self, st: &store::entwine::Stream) -> anyhow::Result<()> {
        /// Records read and hashed at a time (on every core).
        const PAGE: u64 = 8192;
        let from = self.frontier.size();
        let tampered = |what: String| tampered(&self.origin, &what);
        if st.size < from {
            return Err(tampered(format!(
                "it says {} records, fewer than the {from} already seen",
                st.size
            )));
        }
        let verifier = self.signer.verifier();
        let cps = store::entwine::checkpoints(self.store.conn(), &self.origin)?;
        let mut cps = cps.iter().filter(|c| c.size > from).peekable();
        let (mut frontier, mut prev) = (self.frontier.clone(), self.head);
        let mut checkpointed = self.checkpointed;
        let mut at = from;
        while at < st.size {
            let page = store::entwine::records(self.store.conn(), &self.origin, at, at + PAGE)?;
            if page.is_empty() {
                break;
            }
            let hashed: Vec<(Hash, Hash)> = page
                .par_iter()
                .map(|s| (record::body_hash(&s.body), s.record.leaf()))
                .collect();
            for (s, (body_hash, leaf)) in page.iter().zip(hashed) {
                let seq = s.record.seq;
                if seq != at {
                    return Err(tampered(format!("record {at} is missing")));
                }
                if body_hash != s.record.body_hash {
                    return Err(tampered(format!(
                        "the event of record {seq} no longer gives its body hash"
                    )));
                }
                if leaf.as_slice() != s.leaf {
                    return Err(tampered(format!("record {seq} no longer gives its leaf")));
                }
                if s.record.prev != prev {
                    return Err(tampered(format!(
                        "record {seq} does not link to the record before it"
                    )));
                }
                prev = leaf;
                at += 1;
                frontier.push(leaf);
                while let Some(cp) = cps.next_if(|c| c.size <= frontier.size()) {
                    let signed = verifier
                        .open_note(&cp.note)
                        .ok()
                        .and_then(|text| note::parse_checkpoint(text).ok());
                    let holds = cp.size == frontier.size()
                        && cp.root == frontier.root()
                        && signed == Some((self.origin.clone(), cp.size, cp.root));
                    if !holds {
                        return Err(tampered(format!(
                            "the checkpoint at size {} is not a signed note of the root of \
                             the records before it",
                            cp.size
                        )));
                    }
                    checkpointed = checkpointed.max(cp.size);
                }
            }
        }
        if at != st.size {
            return Err(tampered(format!(
                "records are missing below seq {}",
                st.size
            )));
        }
        if let Some(cp) = cps.next() {
            return Err(tampered(format!(
                "a checkpoint at size {} is beyond its {} records",
                cp.size, st.size
            )));
        }
        if st.head != prev {
            return Err(tampered(if st.size == 0 {
                "the stored head of the empty stream is not its genesis".into()
            } else {
                format!("the stored head does not match record {}", st.size - 1)
            }));
        }
        self.frontier = frontier;
        self.head = prev;
        self.checkpointed = checkpointed;
        Ok(())
    }

    /// Appends what is waiting, in one transaction, and passes the events on. When another
    /// writer appended in between, this run takes in its records and tries again.
    fn commit(&mut self, out: &mut Output, final_checkpoint: bool) -> anyhow::Result<()> {
        for _ in 0..100 {
            let st = store::entwine::stream(self.store.conn(), &self.origin)?
                .context("the stream vanished")?;
            if st.size != self.frontier.size() || st.head != self.head {
                self.catch_up(&st)?;
            }
            match self.try_commit(out, final_checkpoint) {
                Err(e) if e.downcast_ref::<Moved>().is_some() => continue,
                other => return other,
            }
        }
        bail!(
            "stream {}: other writers kept appending; gave up after 100 tries",
            self.origin
        )
    }

    fn try_commit(&mut self, out: &mut Output, final_checkpoint: bool) -> anyhow::Result<()> {
        if self.pending.is_empty()
            && self.cursor.is_none()
            && !(final_checkpoint && self.checkpointed < self.frontier.size())
        {
            return Ok(());
        }

        let Entwine {
            store,
            signer,
            origin,
            frontier,
            head,
            every,
            sign_each,
            checkpointed,
            pending,
            bytes,
            cursor,
        } = self;
        let mut emitted: Vec<(u64, Hash)> = Vec::with_capacity(pending.len());
        let (mut f, mut h, mut cp) = (frontier.clone(), *head, *checkpointed);
        store.write(|tx| {
            let now = time::now_ms();
            // Re-read inside the transaction: the head must not move between check and append.
            let st = store::entwine::stream(tx, origin)?.context("the stream vanished")?;
            if st.size != f.size() || st.head != h {
                return Err(anyhow::Error::new(Moved));
            }
            let tick = store::entwine::newest_tick(tx, origin)?;
            // The chain is sequential, but the records' signatures are not: they are made on
            // every core at once before the records are written in order.
            let mut records = Vec::with_capacity(pending.len());
            let mut prev = h;
            for (k, p) in pending.iter().enumerate() {
                let rec = Record {
                    origin: origin.clone(),
                    seq: f.size() + k as u64,
                    prev,
                    tick,
                    time_ms: p.time_ms,
                    body_hash: p.body_hash,
                };
                let leaf = rec.leaf();
                prev = leaf;
                records.push((rec, leaf));
            }
            let sigs: Vec<Option<[u8; 64]>> = if *sign_each {
                records
                    .par_iter()
                    .map(|(rec, _)| Some(signer.sign(&rec.bytes())))
                    .collect()
            } else {
                vec![None; records.len()]
            };
            let mut inserter = store::entwine::Inserter::new(tx)?;
            for ((p, (rec, leaf)), sig) in pending.iter().zip(&records).zip(&sigs) {
                let body = &bytes[p.canonical.clone()];
                inserter.insert(rec, leaf, body, sig.as_ref().map(|s| s.as_slice()))?;
                f.push(*leaf);
                h = *leaf;
                emitted.push((rec.seq, *leaf));
                if f.size() % *every == 0 {
                    checkpoint(tx, signer, origin, &f, now)?;
                    cp = f.size();
                }
            }
            if final_checkpoint && cp < f.size() {
                checkpoint(tx, signer, origin, &f, now)?;
                cp = f.size();
            }
            store::entwine::set_head(tx, origin, f.size(), &h)?;
            if let Some(c) = cursor {
                c.save(tx)?;
            }
            Ok(())
        })?;
        *frontier = f;
        *head = h;
        *checkpointed = cp;
        let pending = std::mem::take(pending);
        let mut meta = Vec::new();
        let mut origin_json = Vec::new();
        json::write_str(origin, &mut origin_json);
        for (p, (seq, leaf)) in pending.iter().zip(&emitted) {
            use std::io::Write;
            meta.clear();
            meta.extend_from_slice(b"{\"origin\":");
            meta.extend_from_slice(&origin_json);
            meta.extend_from_slice(b",\"seq\":");
            let _ = write!(meta, "{seq}");
            meta.extend_from_slice(b",\"leaf\":\"");
            note::hex_into(leaf, &mut meta);
            meta.extend_from_slice(b"\"}");
            out.written(|line| json::with_member(&bytes[p.raw.clone()], "_entwine", &meta, line));
        }
        bytes.clear();
        Ok(())
    }
}

/// The error for a state file that no longer holds together: binge does not extend it.
fn tampered(origin: &str, what: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "stream {origin}: {what}; the state file has been changed, so binge will not extend it"
    )
}

/// Another writer appended between reading the head and taking the write lock.
#[derive(Debug)]
struct Moved;

impl std::fmt::Display for Moved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the stream moved on")
    }
}

impl std::error::Error for Moved {}

fn checkpoint(
    tx: &rusqlite::Transaction<'_>,
    signer: &Signer,
    origin: &str,
    f: &Frontier,
    now: i64,
) -> anyhow::Result<()> {
    let root = f.root();
    let text = note::checkpoint_text(origin, f.size(), &root);
    let note = signer.sign_note(&text);
    store::entwine::add_checkpoint(tx, origin, f.size(), &root, &note, now, &f.hashes())
}

/// The stateless half of entwining: the event's canonical body and its hash, made on every
/// core at once. Prepared bytes: the 32-byte body hash, then the canonical JSON.
struct Canonical;

impl Prepare for Canonical {
    fn prepare(&self, ev: &Event<'_>, into: &mut Vec<u8>) -> Result<(), Reject> {
        if json::has_lone_surrogate(ev.raw()) {
            return Err(Reject(
                "a lone UTF-16 surrogate has no canonical form (RFC 8785)".into(),
            ));
        }
        let start = into.len();
        into.extend_from_slice(&[0; 32]);
        json::write_canonical_text(ev.raw(), into)
            .map_err(|e| Reject(format!("cannot canonicalize: {}", e.0)))?;
        // Canonical JSON is written from `str`s: UTF-8. Checked here, on the pool, rather than
        // on the thread that commits.
        if simdutf8::basic::from_utf8(&into[start + 32..]).is_err() {
            return Err(Reject("canonical JSON that is not UTF-8".into()));
        }
        let hash = record::body_hash_bytes(&into[start + 32..]);
        into[start..start + 32].copy_from_slice(&hash);
        Ok(())
    }
}

impl Stage for Entwine {
    fn fields(&self) -> Option<Vec<String>> {
        None
    }

    fn event(&mut self, ev: &Event<'_>, out: &mut Output) -> Result<(), Fault> {
        let mut prepared = Vec::new();
        Canonical.prepare(ev, &mut prepared)?;
        self.prepared(ev.raw(), ev.line(), &prepared, out)
    }

    fn preparer(&self) -> Option<&dyn Prepare> {
        Some(&Canonical)
    }

    fn preparer_ahead(&self) -> Option<std::sync::Arc<dyn Prepare + Send>> {
        Some(std::sync::Arc::new(Canonical))
    }

    fn prepared(
        &mut self,
        raw: &[u8],
        _line: u64,
        prepared: &[u8],
        _out: &mut Output,
    ) -> Result<(), Fault> {
        let (hash, canonical) = prepared.split_at(32);
        let at = self.bytes.len();
        self.bytes.extend_from_slice(raw);
        self.bytes.extend_from_slice(canonical);
        self.pending.push(Pending {
            raw: at..at + raw.len(),
            canonical: at + raw.len()..self.bytes.len(),
            body_hash: hash.try_into().unwrap_or([0; 32]),
            time_ms: time::now_ms(),
        });
        Ok(())
    }

    fn batch_done(&mut self, out: &mut Output, _idle: bool) -> anyhow::Result<()> {
        self.commit(out, false)
    }

    fn end(&mut self, out: &mut Output) -> anyhow::Result<()> {
        self.commit(out, true)
    }

    fn keep_positions(&mut self, cursor: &Cursor) -> Keeps {
        self.cursor = Some(cursor.clone());
        Keeps::WithState
    }
}
