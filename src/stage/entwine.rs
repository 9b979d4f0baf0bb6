//! `entwine`: appends each event to the key's stream as a hash-chained record, passes the event
//! on with `"_entwine": {"origin", "seq", "leaf"}`, and signs checkpoints of the stream's
//! Merkle tree.
//!
//! Two threads share the work. The engine's thread builds each input batch's records, leaves,
//! signatures and checkpoints ahead of what is stored; a writer thread of the stage's own
//! appends them in one transaction that continues from the head stored *now*, taking every
//! batch that queued while it wrote into the same transaction. So SQLite's inserts and fsyncs
//! no longer hold up the building, and a busy stream commits less often. Events are passed on
//! once their batch is committed. When a second writer appended in between, the writer thread
//! refuses the batches built on the old head until the engine's thread has taken in the other
//! writer's records and built them again: the chain stays linear, with whole batches
//! interleaved.

use anyhow::{Context, bail};
use crossbeam_channel::{Receiver, Sender, TryRecvError};
use rayon::prelude::*;

use super::{Fault, Prepare, Reject, Stage};
use crate::chain::merkle::{Frontier, Hash};
use crate::chain::note::{self, Signer, Verifier};
use crate::chain::record::{self, Record, TickRef};
use crate::json;
use crate::store::{self, Store};
use crate::stream::resume::{Cursor, Keeps};
use crate::stream::{Event, Output};
use crate::time;

/// Batches that may wait for the writer thread before the engine's thread waits for it: a
/// bound on memory (a batch is at most a few MB) that still lets the writer take several in
/// one transaction.
const QUEUED: usize = 2;

/// An event waiting for its batch's commit. Its bytes live in its job's buffer, one buffer
/// for the batch rather than two allocations per event.
struct Pending {
    raw: std::ops::Range<usize>,
    /// Canonical JSON, UTF-8 (checked when it was taken in).
    canonical: std::ops::Range<usize>,
    body_hash: Hash,
    time_ms: i64,
}

/// Where the stream stands: its Merkle tree's frontier, the last leaf, the size of the newest
/// checkpoint, and the newest tick it has imported (which every new record names).
#[derive(Clone)]
struct Chain {
    frontier: Frontier,
    head: Hash,
    checkpointed: u64,
    tick: Option<TickRef>,
}

/// A signed checkpoint made for a job.
struct Made {
    size: u64,
    root: Hash,
    note: String,
    frontier: Vec<Hash>,
}

/// One input batch on its way to the state file and back.
#[derive(Default)]
struct Job {
    /// The events' raw bytes and canonical forms.
    bytes: Vec<u8>,
    pending: Vec<Pending>,
    /// Under `--resume`, the positions of every line handed before the job was made.
    cursor: Option<Cursor>,
    /// The run's last job: its newest records get a checkpoint whatever `--checkpoint-every`.
    last: bool,
    /// Made by [`build`]: the chain the job continues, its records, leaves and signatures,
    /// the checkpoints among them, and the chain it leaves.
    start: Option<Chain>,
    records: Vec<(Record, Hash, Option<[u8; 64]>)>,
    checkpoints: Vec<Made>,
    made_at: i64,
    end: Option<Chain>,
}

enum ToWriter {
    Append(Box<Job>),
    /// Take in what other writers appended beyond this chain.
    CatchUp(Chain),
}

enum FromWriter {
    Appended(Box<Job>, anyhow::Result<()>),
    CaughtUp(anyhow::Result<Chain>),
}

struct Writer {
    to: Option<Sender<ToWriter>>,
    from: Receiver<FromWriter>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// Set when the stage is dropped without ending: the thread writes nothing more.
    abandon: std::sync::Arc<std::sync::atomic::AtomicBool>,
    /// Jobs sent and not yet answered.
    inflight: usize,
}

pub struct Entwine {
    signer: Signer,
    origin: String,
    every: u64,
    sign_each: bool,
    /// The chain as it will be once every job sent has been written.
    ahead: Chain,
    /// The chain as the writer last said it is stored.
    written: Chain,
    /// The batch being taken in.
    job: Job,
    /// Jobs the writer refused, in order, to be built again and sent again.
    unwritten: Vec<Job>,
    /// Buffers of answered jobs, to be filled again.
    spare: Vec<Job>,
    /// Under `--resume`, the input positions to commit with the records.
    cursor: Option<Cursor>,
    writer: Writer,
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
        let verifier = signer.verifier();
        let mut chain = Chain {
            frontier: Frontier::new(),
            head: genesis,
            checkpointed: 0,
            tick: None,
        };
        start_at_checkpoint(store.conn(), &verifier, &origin, &mut chain, st.size)?;
        let chain = caught_up(store.conn(), &verifier, &origin, chain)?;
        let writer = Writer::start(store, verifier, origin.clone())?;
        Ok(Entwine {
            signer,
            origin,
            every: every.max(1),
            sign_each,
            ahead: chain.clone(),
            written: chain,
            job: Job::default(),
            unwritten: Vec::new(),
            spare: Vec::new(),
            cursor: None,
            writer,
        })
    }

    /// Hands the batch taken in to the writer (waiting while it is [`QUEUED`] batches behind).
    fn send(&mut self, last: bool) -> anyhow::Result<()> {
        let wanted = !self.job.pending.is_empty()
            || self.cursor.is_some()
            || (last && self.ahead.checkpointed < self.ahead.frontier.size());
        if !wanted {
            return Ok(());
        }
        let fresh = self.spare.pop().unwrap_or_default();
        let mut job = std::mem::replace(&mut self.job, fresh);
        job.cursor = self.cursor.as_ref().map(Cursor::snapshot);
        job.last = last;
        self.build_and_send(job)
    }

    fn build_and_send(&mut self, mut job: Job) -> anyhow::Result<()> {
        build(
            &self.signer,
            &self.origin,
            self.every,
            self.sign_each,
            &self.ahead,
            &mut job,
        );
        self.ahead = job.end.clone().context("a job left unbuilt")?;
        self.writer.send(ToWriter::Append(Box::new(job)))?;
        self.writer.inflight += 1;
        Ok(())
    }

    /// Passes on the events of the jobs the writer has committed, in order: those answered so
    /// far, or (`wait`) all of them. Jobs refused because another writer appended are built
    /// again on what it appended and sent again. Jobs refused for another reason (a busy or
    /// full disk) are kept, not dropped: the error ends the run, and [`Stage::end`] tries them
    /// once more before the run's last batch, as the stage did before it had a writer thread.
    fn settle(&mut self, out: &mut Output, wait: bool) -> anyhow::Result<()> {
        let mut tries = 0;
        loop {
            let mut error = None;
            while self.writer.inflight > 0 {
                // Once a job is refused, every job after it is refused too: all are awaited.
                let answer = if wait || !self.unwritten.is_empty() {
                    self.writer.from.recv().ok()
                } else {
                    match self.writer.from.try_recv() {
                        Ok(a) => Some(a),
                        Err(TryRecvError::Empty) => return Ok(()),
                        Err(TryRecvError::Disconnected) => None,
                    }
                };
                let Some(FromWriter::Appended(job, done)) = answer else {
                    bail!("stream {}: the writer thread stopped", self.origin);
                };
                self.writer.inflight -= 1;
                match done {
                    Ok(()) => {
                        self.written = job.end.clone().context("a job left unbuilt")?;
                        emit(&self.origin, &job, out);
                        self.recycle(*job);
                    }
                    Err(e) => {
                        if !e.is::<Moved>() && error.is_none() {
                            error = Some(e);
                        }
                        self.unwritten.push(*job);
                    }
                }
            }
            if self.unwritten.is_empty() {
                return Ok(());
            }
            if let Some(e) = error {
                return Err(e);
            }
            tries += 1;
            if tries > 100 {
                bail!(
                    "stream {}: other writers kept appending; gave up after 100 tries",
                    self.origin
                );
            }
            self.resend()?;
        }
    }

    /// Takes in what the state file holds beyond the last job written (another writer's
    /// records), and builds the refused jobs again on it and sends them, in order.
    fn resend(&mut self) -> anyhow::Result<()> {
        self.writer.send(ToWriter::CatchUp(self.written.clone()))?;
        let chain = match self.writer.from.recv() {
            Ok(FromWriter::CaughtUp(chain)) => chain?,
            _ => bail!("stream {}: the writer thread stopped", self.origin),
        };
        self.written = chain.clone();
        self.ahead = chain;
        for job in std::mem::take(&mut self.unwritten) {
            self.build_and_send(job)?;
        }
        Ok(())
    }

    fn recycle(&mut self, mut job: Job) {
        job.bytes.clear();
        job.pending.clear();
        job.records.clear();
        job.checkpoints.clear();
        job.cursor = None;
        job.start = None;
        job.end = None;
        // As many as can be out at once (the one being taken in, the queue, and the writer's
        // group of up to QUEUED + 1), so a busy run reuses its buffers instead of growing new
        // ones by doubling and faulting in their pages; what is kept is no more than the run
        // already held at its busiest.
        if self.spare.len() < 2 * QUEUED + 2 {
            self.spare.push(job);
        }
    }
}

/// Makes the job's records, leaves, signatures and checkpoints, continuing `from`.
fn build(signer: &Signer, origin: &str, every: u64, sign_each: bool, from: &Chain, job: &mut Job) {
    let now = time::now_ms();
    let mut f = from.frontier.clone();
    let (mut head, mut cp) = (from.head, from.checkpointed);
    job.records.clear();
    job.checkpoints.clear();
    let base = f.size();
    for (k, p) in job.pending.iter().enumerate() {
        let rec = Record {
            origin: origin.to_string(),
            seq: base + k as u64,
            prev: head,
            tick: from.tick,
            time_ms: p.time_ms,
            body_hash: p.body_hash,
        };
        let leaf = rec.leaf();
        head = leaf;
        job.records.push((rec, leaf, None));
    }
    // The chain is sequential, but the records' signatures are not: they are made on every
    // core at once.
    if sign_each {
        job.records
            .par_iter_mut()
            .for_each(|(rec, _, sig)| *sig = Some(signer.sign(&rec.bytes())));
    }
    for (_, leaf, _) in &job.records {
        f.push(*leaf);
        if f.size().is_multiple_of(every) {
            job.checkpoints.push(checkpoint(signer, origin, &f));
            cp = f.size();
        }
    }
    if job.last && cp < f.size() {
        job.checkpoints.push(checkpoint(signer, origin, &f));
        cp = f.size();
    }
    job.made_at = now;
    job.start = Some(from.clone());
    job.end = Some(Chain {
        frontier: f,
        head,
        checkpointed: cp,
        tick: from.tick,
    });
}

fn checkpoint(signer: &Signer, origin: &str, f: &Frontier) -> Made {
    let root = f.root();
    let text = note::checkpoint_text(origin, f.size(), &root);
    Made {
        size: f.size(),
        root,
        note: signer.sign_note(&text),
        frontier: f.hashes(),
    }
}

/// Writes each committed event with its `_entwine` member.
fn emit(origin: &str, job: &Job, out: &mut Output) {
    use std::io::Write;
    let mut origin_json = Vec::new();
    json::write_str(origin, &mut origin_json);
    let mut meta = Vec::new();
    for (p, (rec, leaf, _)) in job.pending.iter().zip(&job.records) {
        meta.clear();
        meta.extend_from_slice(b"{\"origin\":");
        meta.extend_from_slice(&origin_json);
        meta.extend_from_slice(b",\"seq\":");
        let _ = write!(meta, "{}", rec.seq);
        meta.extend_from_slice(b",\"leaf\":\"");
        note::hex_into(leaf, &mut meta);
        meta.extend_from_slice(b"\"}");
        out.written(|line| json::with_member(&job.bytes[p.raw.clone()], "_entwine", &meta, line));
    }
}

impl Writer {
    fn start(mut store: Store, verifier: Verifier, origin: String) -> anyhow::Result<Writer> {
        let (to, jobs) = crossbeam_channel::bounded::<ToWriter>(QUEUED);
        let (answers, from) = crossbeam_channel::unbounded::<FromWriter>();
        let abandon = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let abandoned = abandon.clone();
        let thread = std::thread::Builder::new()
            .name("entwine".into())
            .spawn(move || write_jobs(&mut store, &verifier, &origin, &jobs, &answers, &abandoned))
            .context("cannot start a thread")?;
        Ok(Writer {
            to: Some(to),
            from,
            thread: Some(thread),
            abandon,
            inflight: 0,
        })
    }

    fn send(&self, m: ToWriter) -> anyhow::Result<()> {
        self.to
            .as_ref()
            .and_then(|to| to.send(m).ok())
            .context("the entwine writer thread stopped")
    }

    fn finish(&mut self) {
        drop(self.to.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // A stage dropped before its end (a panic, an error on the way) commits nothing more:
        // what it was handed was not passed on.
        self.abandon
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.finish();
    }
}

/// The writer thread: appends each job, and those queued behind it, in one transaction.
fn write_jobs(
    store: &mut Store,
    verifier: &Verifier,
    origin: &str,
    jobs: &Receiver<ToWriter>,
    answers: &Sender<FromWriter>,
    abandoned: &std::sync::atomic::AtomicBool,
) {
    // Once a job is refused (its chain moved on), so is every job after it until the engine's
    // thread has caught up: a later job must never be written before an earlier one.
    let mut stale = false;
    let mut held: Option<ToWriter> = None;
    loop {
        let Some(first) = held.take().or_else(|| jobs.recv().ok()) else {
            return;
        };
        let job = match first {
            ToWriter::CatchUp(chain) => {
                let caught = caught_up(store.conn(), verifier, origin, chain);
                stale = false;
                let _ = answers.send(FromWriter::CaughtUp(caught));
                continue;
            }
            ToWriter::Append(job) => job,
        };
        let mut group = vec![job];
        // At most what the queue holds besides the first: a bound on the transaction's memory.
        while group.len() <= QUEUED
            && let Ok(m) = jobs.try_recv()
        {
            match m {
                ToWriter::Append(job) => group.push(job),
                other => {
                    held = Some(other);
                    break;
                }
            }
        }
        let done = if abandoned.load(std::sync::atomic::Ordering::SeqCst) {
            Err(anyhow::anyhow!("the run stopped"))
        } else if stale {
            Err(anyhow::Error::new(Moved))
        } else {
            store.write(|tx| append(tx, origin, &group))
        };
        // After any refusal the later jobs are refused too, until the engine's thread catches
        // up: one built on a job that was not written must never be written.
        let refused = match &done {
            Ok(()) => None,
            Err(e) => {
                stale = true;
                Some(e.is::<Moved>())
            }
        };
        let mut done = Some(done);
        for job in group {
            let answer = match refused {
                None => Ok(()),
                Some(true) => Err(anyhow::Error::new(Moved)),
                // The first job carries the error; the engine's thread stops at it.
                Some(false) => done.take().unwrap_or_else(|| {
                    Err(anyhow::anyhow!("not written: a write before it failed"))
                }),
            };
            let _ = answers.send(FromWriter::Appended(job, answer));
        }
    }
}

/// Appends the jobs' records and checkpoints, if the stream is still where the first of them
/// starts.
fn append(tx: &rusqlite::Transaction<'_>, origin: &str, group: &[Box<Job>]) -> anyhow::Result<()> {
    let (Some(first), Some(last)) = (group.first(), group.last()) else {
        return Ok(());
    };
    let (Some(start), Some(end)) = (&first.start, &last.end) else {
        bail!("a job left unbuilt");
    };
    // Read inside the transaction: the head must not move between check and append.
    let st = store::entwine::stream(tx, origin)?.context("the stream vanished")?;
    if st.size != start.frontier.size()
        || st.head != start.head
        || store::entwine::newest_tick(tx, origin)? != start.tick
    {
        return Err(anyhow::Error::new(Moved));
    }
    let mut inserter = store::entwine::Inserter::new(tx)?;
    for job in group {
        for (p, (rec, leaf, sig)) in job.pending.iter().zip(&job.records) {
            let body = &job.bytes[p.canonical.clone()];
            inserter.insert(rec, leaf, body, sig.as_ref().map(|s| s.as_slice()))?;
        }
        for c in &job.checkpoints {
            store::entwine::add_checkpoint(
                tx,
                origin,
                c.size,
                &c.root,
                &c.note,
                job.made_at,
                &c.frontier,
            )?;
        }
    }
    store::entwine::set_head(tx, origin, end.frontier.size(), &end.head)?;
    // The newest positions cover every job's lines: all of them commit here.
    if let Some(c) = group.iter().rev().find_map(|j| j.cursor.as_ref()) {
        c.save(tx)?;
    }
    Ok(())
}

/// Starts from the newest checkpoint that keeps its frontier, so start-up reads only the
/// records after it rather than the whole stream. The frontier must give the root the
/// checkpoint's signed note states, and the last record before it must still give its leaf
/// from its event and the leaf stored before it; the records before are the signed tree's,
/// checked by `binge verify`.
fn start_at_checkpoint(
    conn: &rusqlite::Connection,
    verifier: &Verifier,
    origin: &str,
    chain: &mut Chain,
    size: u64,
) -> anyhow::Result<()> {
    let Some((cp, hashes)) = store::entwine::latest_with_frontier(conn, origin)? else {
        return Ok(());
    };
    let tampered = |what: String| tampered(origin, &what);
    let signed = verifier
        .open_note(&cp.note)
        .ok()
        .and_then(|text| note::parse_checkpoint(text).ok());
    let frontier = Frontier::from_hashes(cp.size, &hashes);
    let holds = cp.size <= size
        && frontier.as_ref().is_some_and(|f| f.root() == cp.root)
        && signed == Some((origin.to_string(), cp.size, cp.root));
    let (Some(frontier), true) = (frontier, holds) else {
        return Err(tampered(format!(
            "the checkpoint at size {} is not a signed note of its frontier's root",
            cp.size
        )));
    };
    let last = store::entwine::records(conn, origin, cp.size - 1, cp.size)?;
    let Some(s) = last.first().filter(|s| s.record.seq == cp.size - 1) else {
        return Err(tampered(format!("record {} is missing", cp.size - 1)));
    };
    // The record as read has the hash of its stored event and the stored leaf before it
    // (the state file keeps neither apart): an edit of either, or of any field, shows here.
    let leaf = s.record.leaf();
    if leaf.as_slice() != s.leaf {
        return Err(tampered(format!(
            "record {} no longer gives its leaf",
            cp.size - 1
        )));
    }
    chain.frontier = frontier;
    chain.head = leaf;
    chain.checkpointed = cp.size;
    Ok(())
}

/// `chain` moved on to what the state file holds now: its records taken in and checked by
/// [`catch_up`], and the newest tick the stream has imported.
fn caught_up(
    conn: &rusqlite::Connection,
    verifier: &Verifier,
    origin: &str,
    mut chain: Chain,
) -> anyhow::Result<Chain> {
    let st = store::entwine::stream(conn, origin)?.context("the stream vanished")?;
    catch_up(conn, verifier, origin, &mut chain, &st)?;
    chain.tick = store::entwine::newest_tick(conn, origin)?;
    Ok(chain)
}

/// Takes in the records stored beyond `chain`, and checks them before anything is signed over
/// them: each record's event and fields, with the leaf stored before it, still give its leaf,
/// the first links to the chain already taken in, every signed checkpoint among them opens
/// with the stream's key and states the root of the leaves before it, and the stored head is
/// the last leaf. An edited state file is refused rather than extended.
fn catch_up(
    conn: &rusqlite::Connection,
    verifier: &Verifier,
    origin: &str,
    chain: &mut Chain,
    st: &store::entwine::Stream,
) -> anyhow::Result<()> {
    /// Records read and hashed at a time (on every core).
    const PAGE: u64 = 8192;
    let from = chain.frontier.size();
    let tampered = |what: String| tampered(origin, &what);
    if st.size < from {
        return Err(tampered(format!(
            "it says {} records, fewer than the {from} already seen",
            st.size
        )));
    }
    let cps = store::entwine::checkpoints(conn, origin)?;
    let mut cps = cps.iter().filter(|c| c.size > from).peekable();
    let (mut frontier, mut prev) = (chain.frontier.clone(), chain.head);
    let mut checkpointed = chain.checkpointed;
    let mut at = from;
    while at < st.size {
        let page = store::entwine::records(conn, origin, at, at + PAGE)?;
        if page.is_empty() {
            break;
        }
        // Each record as read carries the hash of its stored event and the stored leaf
        // before it, so its leaf made again covers the event, every field and the link.
        let leaves: Vec<Hash> = page.par_iter().map(|s| s.record.leaf()).collect();
        for (s, leaf) in page.iter().zip(leaves) {
            let seq = s.record.seq;
            if seq != at {
                return Err(tampered(format!("record {at} is missing")));
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
                    && signed == Some((origin.to_string(), cp.size, cp.root));
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
    chain.frontier = frontier;
    chain.head = prev;
    chain.checkpointed = checkpointed;
    Ok(())
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

/// The stateless half of entwining: the event's canonical body and its hash, made on every
/// core at once. Prepared bytes: the 32-byte body hash, then the canonical JSON.
struct Canonical;

impl Prepare for Canonical {
    fn prepare(&self, ev: &Event<'_>, into: &mut Vec<u8>) -> Result<(), Reject> {
        let start = into.len();
        into.extend_from_slice(&[0; 32]);
        // The line is checked here, canonicalised in the same pass ([`Prepare::checks_lines`]).
        let canonical =
            json::check_and_canonicalize(ev.raw(), into).map_err(|e| Reject(e.to_string()))?;
        if json::has_lone_surrogate(ev.raw()) {
            return Err(Reject(
                "a lone UTF-16 surrogate has no canonical form (RFC 8785)".into(),
            ));
        }
        canonical.map_err(|e| Reject(format!("cannot canonicalize: {}", e.0)))?;
        // Canonical JSON is written from `str`s: UTF-8. Checked here, on the pool, rather than
        // on the thread that commits.
        if simdutf8::basic::from_utf8(&into[start + 32..]).is_err() {
            return Err(Reject("canonical JSON that is not UTF-8".into()));
        }
        let hash = record::body_hash_bytes(&into[start + 32..]);
        into[start..start + 32].copy_from_slice(&hash);
        Ok(())
    }

    fn checks_lines(&self) -> bool {
        true
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
        let job = &mut self.job;
        let at = job.bytes.len();
        job.bytes.extend_from_slice(raw);
        job.bytes.extend_from_slice(canonical);
        job.pending.push(Pending {
            raw: at..at + raw.len(),
            canonical: at + raw.len()..job.bytes.len(),
            body_hash: hash.try_into().unwrap_or([0; 32]),
            time_ms: time::now_ms(),
        });
        Ok(())
    }

    /// Hands the batch to the writer and passes on what it has committed; when no more input
    /// is ready, waits for all of it, so a quiet stream's events are not held back.
    fn batch_done(&mut self, out: &mut Output, idle: bool) -> anyhow::Result<()> {
        self.send(false)?;
        self.settle(out, idle)
    }

    fn end(&mut self, out: &mut Output) -> anyhow::Result<()> {
        if !self.unwritten.is_empty() {
            self.resend()?;
        }
        self.send(true)?;
        self.settle(out, true)?;
        self.writer.finish();
        Ok(())
    }

    fn keep_positions(&mut self, cursor: &Cursor) -> Keeps {
        self.cursor = Some(cursor.clone());
        Keeps::WithState
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Durability;

    fn take(e: &mut Entwine, lines: &[&str], out: &mut Output) {
        for (n, line) in lines.iter().enumerate() {
            let ev = Event::new(line.as_bytes(), &[], &[], "-", n as u64 + 1);
            e.event(&ev, out).unwrap();
        }
    }

    fn seqs(out: &Output) -> Vec<u64> {
        let text = std::str::from_utf8(out.as_bytes()).unwrap();
        text.lines()
            .map(|l| {
                let at = l.find("\"seq\":").unwrap() + 6;
                let digits: String = l[at..].chars().take_while(char::is_ascii_digit).collect();
                digits.parse().unwrap()
            })
            .collect()
    }

    /// A batch built on a head another writer has since moved is built again on that writer's
    /// records, and the batches queued behind it with it: none is written out of order or on
    /// the old head.
    #[test]
    fn batches_built_before_another_writer_appended_are_built_again_after_its_records() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let signer = Signer::generate("o").unwrap();
        let again = || Signer::parse(&signer.encode()).unwrap();
        let open = || Store::open(&path, Durability::Normal).unwrap();
        let mut a = Entwine::new(open(), again(), 2, false).unwrap();
        let mut b = Entwine::new(open(), again(), 2, false).unwrap();
        let (mut out_a, mut out_b) = (Output::new(), Output::new());

        take(
            &mut b,
            &[r#"{"w":"b","i":0}"#, r#"{"w":"b","i":1}"#],
            &mut out_b,
        );
        b.batch_done(&mut out_b, true).unwrap();
        assert_eq!(seqs(&out_b), [0, 1]);

        // a still believes the stream is empty: both of its batches are built on the genesis.
        take(&mut a, &[r#"{"w":"a","i":0}"#], &mut out_a);
        a.batch_done(&mut out_a, false).unwrap();
        take(
            &mut a,
            &[r#"{"w":"a","i":1}"#, r#"{"w":"a","i":2}"#],
            &mut out_a,
        );
        a.end(&mut out_a).unwrap();
        b.end(&mut out_b).unwrap();
        assert_eq!(seqs(&out_a), [2, 3, 4]);

        // The stream holds together for a writer that checks it all from the start.
        let mut store = open();
        store
            .write(|tx| Ok(tx.execute("UPDATE entwine_checkpoints SET frontier = NULL", [])?))
            .unwrap();
        let c = Entwine::new(store, again(), 2, false).unwrap();
        assert_eq!(c.ahead.frontier.size(), 5);
        assert_eq!(c.ahead.checkpointed, 5);
    }

    /// A batch the state file refused is neither passed on nor dropped: the run's end writes
    /// it once more, before the batches after it, and passes all of them on in order.
    #[test]
    fn a_batch_the_state_file_refused_is_written_at_the_end_before_what_came_after() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let open = || Store::open(&path, Durability::Normal).unwrap();
        let mut e = Entwine::new(open(), Signer::generate("o").unwrap(), 100, false).unwrap();
        let mut other = open();
        let mut out = Output::new();

        other
            .write(|tx| {
                Ok(tx.execute_batch(
                    "CREATE TRIGGER refuse BEFORE INSERT ON entwine_records
                     BEGIN SELECT RAISE(ABORT, 'the disk is full'); END",
                )?)
            })
            .unwrap();
        take(&mut e, &[r#"{"i":0}"#, r#"{"i":1}"#], &mut out);
        let refused = e.batch_done(&mut out, true).unwrap_err();
        assert!(
            format!("{refused:#}").contains("the disk is full"),
            "{refused:#}"
        );
        assert!(out.as_bytes().is_empty());

        other
            .write(|tx| Ok(tx.execute_batch("DROP TRIGGER refuse")?))
            .unwrap();
        take(&mut e, &[r#"{"i":2}"#], &mut out);
        e.end(&mut out).unwrap();
        assert_eq!(seqs(&out), [0, 1, 2]);
        let text = String::from_utf8(out.as_bytes().to_vec()).unwrap();
        let order: Vec<_> = text.lines().map(|l| &l[..7]).collect();
        assert_eq!(order, [r#"{"i":0,"#, r#"{"i":1,"#, r#"{"i":2,"#]);
    }
}
