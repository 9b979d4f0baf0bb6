//! Offline verification of exported history (`entwine export`): every record's chain link,
//! canonical body, leaf and signature, and every checkpoint's signature and root, checked with
//! nothing but the trusted public keys. Each problem becomes a finding naming the stream, the
//! seq, what was expected and what was found; checking goes on past it, so one export yields
//! every finding.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::{Context, bail};

use super::merkle::{Frontier, Hash};
use super::note::{self, Verifier};
use super::record::{self, Record, TickRef};
use super::tick::{self, Anchor};
use super::witness::Cosigner;
use crate::json::{self, Value};

/// The keys a verifier trusts: one per stream origin, the ticker's, and C2SP witnesses'.
pub struct Trust {
    streams: BTreeMap<String, Verifier>,
    pub ticker: Option<Verifier>,
    pub witnesses: Vec<Cosigner>,
}

impl Trust {
    /// One key per line (`origin+keyid+key`); `ticker KEY` names the ticker's, `witness KEY`
    /// a witness's (a cosignature/v1 key); `#` comments.
    pub fn parse(text: &str) -> anyhow::Result<Trust> {
        let mut t = Trust {
            streams: BTreeMap::new(),
            ticker: None,
            witnesses: Vec::new(),
        };
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let at = || format!("line {}", n + 1);
            if let Some(k) = line.strip_prefix("ticker ") {
                t.ticker = Some(Verifier::parse(k.trim()).with_context(at)?);
            } else if let Some(k) = line.strip_prefix("witness ") {
                t.witnesses
                    .push(Cosigner::parse(k.trim()).with_context(at)?);
            } else {
                let v = Verifier::parse(line).with_context(at)?;
                if t.streams.insert(v.name.clone(), v).is_some() {
                    bail!("{}: a second key for the same origin", at());
                }
            }
        }
        Ok(t)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Tampering, a fork, or history that does not hold together.
    Error,
    /// Complete and consistent, but not everything could be checked.
    Warning,
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub severity: Severity,
    pub stream: String,
    pub seq: Option<u64>,
    pub check: &'static str,
    pub expected: String,
    pub found: String,
}

impl Finding {
    pub fn to_value(&self) -> Value<'static> {
        let s = |v: &str| Value::String(v.to_string().into());
        Value::Object(vec![
            (
                "severity".into(),
                s(match self.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                }),
            ),
            ("stream".into(), s(&self.stream)),
            (
                "seq".into(),
                self.seq
                    .map_or(Value::Null, |n| Value::Number(json::Number::Int(n as i64))),
            ),
            ("check".into(), s(self.check)),
            ("expected".into(), s(&self.expected)),
            ("found".into(), s(&self.found)),
        ])
    }
}

/// What was learnt of one stream.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub records: u64,
    pub checkpoints: u64,
    /// Records covered by a signed checkpoint.
    pub checkpointed: u64,
    /// Records covered by an anchor in a tick (always 0 until the ticker exists).
    pub anchored: u64,
    /// Per checkpoint size, how many trusted witnesses validly cosigned it.
    pub cosigned: BTreeMap<u64, usize>,
    /// Records disclosed alone (`entwine prove`) whose inclusion proofs hold.
    pub proved: u64,
    /// The seq of the first record: 0, or where an increment starts.
    pub first: u64,
}

impl Summary {
    /// The stream's size as far as the export reaches.
    pub fn end(&self) -> u64 {
        self.first + self.records
    }
}

struct Stream {
    key: Verifier,
    next: u64,
    prev: Hash,
    frontier: Frontier,
    /// Leaves by seq, for telling a fork from a replay.
    leaves: Vec<Hash>,
    /// Leaves of records that came after a gap in the seqs, by seq: `leaves` holds the tree's
    /// leaves in the order they came, which is by seq only up to the first gap.
    after_gap: BTreeMap<u64, Hash>,
    /// How many leaves came before the first gap.
    contiguous: Option<u64>,
    /// By seq: the index of the tick the record references.
    refs: Vec<Option<u64>>,
    /// Valid anchors of the stream: (tick index, size).
    anchors: Vec<(u64, u64)>,
    summary: Summary,
    /// The size the export's stream line states: the export must reach it.
    stated: Option<u64>,
    /// The seq of the first record read: 0, or where an increment starts. `leaves` and
    /// `frontier` hold the tree from there (the frontier including what came before).
    base: u64,
    /// The tree at `base`, before the increment's records.
    base_frontier: Frontier,
    /// Roots of the valid signed checkpoints read, by size.
    checkpoint_roots: BTreeMap<u64, Hash>,
}

#[derive(Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub streams: BTreeMap<String, Summary>,
    pub timeline: BTreeMap<String, Timeline>,
}

/// Per stream: the tick each record references (by seq), and the valid anchors (tick, size).
pub type Timeline = (Vec<Option<u64>>, Vec<(u64, u64)>);

/// How two events are ordered (DESIGN.md §6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Order {
    Before,
    After,
    Concurrent,
}

impl Report {
    /// `[ref, anc]` of an event: the tick its record references, and the first tick that
    /// sealed an anchor of its stream covering it.
    pub fn interval(&self, origin: &str, seq: u64) -> Option<(Option<u64>, Option<u64>)> {
        let (refs, anchors) = self.timeline.get(origin)?;
        let r = *refs.get(seq as usize)?;
        let anc = anchors
            .iter()
            .filter(|(_, size)| *size > seq)
            .map(|(t, _)| *t)
            .min();
        Some((r, anc))
    }

    /// Whether `a` happened before `b`, with the evidence: same stream and a lower seq, or
    /// `a` anchored in a tick no later than the one `b`'s record references.
    pub fn order(&self, a: (&str, u64), b: (&str, u64)) -> Option<(Order, String)> {
        let (ra, aa) = self.interval(a.0, a.1)?;
        let (rb, ab) = self.interval(b.0, b.1)?;
        let name = |e: (&str, u64)| format!("{}:{}", e.0, e.1);
        if a.0 == b.0 {
            let o = match a.1.cmp(&b.1) {
                std::cmp::Ordering::Less => Order::Before,
                std::cmp::Ordering::Greater => Order::After,
                std::cmp::Ordering::Equal => Order::Concurrent,
            };
            return Some((
                o,
                format!("both in stream {}, seq {} and {}", a.0, a.1, b.1),
            ));
        }
        if let (Some(anc), Some(r)) = (aa, rb)
            && anc <= r
        {
            return Some((
                Order::Before,
                format!(
                    "{} is anchored in tick {anc}; {} references tick {r}",
                    name(a),
                    name(b)
                ),
            ));
        }
        if let (Some(anc), Some(r)) = (ab, ra)
            && anc <= r
        {
            return Some((
                Order::After,
                format!(
                    "{} is anchored in tick {anc}; {} references tick {r}",
                    name(b),
                    name(a)
                ),
            ));
        }
        let show = |x: Option<u64>| x.map_or("none".to_string(), |t| t.to_string());
        Some((
            Order::Concurrent,
            format!(
                "{} spans ticks [{}, {}], {} spans [{}, {}]",
                name(a),
                show(ra),
                show(aa),
                name(b),
                show(rb),
                show(ab)
            ),
        ))
    }
}

impl Report {
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count()
    }
}

/// Why an export cannot be checked at all (exit status 2).
#[derive(Debug)]
pub struct Unusable(pub String);

impl std::fmt::Display for Unusable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unusable {}

/// A record signature waiting to be checked with others on every core.
struct PendingSig {
    key: Verifier,
    origin: String,
    seq: u64,
    bytes: Vec<u8>,
    sig: String,
}

/// Record signatures are checked in groups of this many, spread over the rayon pool.
const SIG_BATCH: usize = 4096;

pub struct Checker {
    trust: Trust,
    streams: BTreeMap<String, Stream>,
    report: Report,
    sigs: Vec<PendingSig>,
    /// Ticks by index: (hash, prev, anchors).
    ticks: BTreeMap<u64, (Hash, Hash, Vec<Anchor>)>,
    /// Tick references of records: (origin, seq, tick).
    refs: Vec<(String, u64, TickRef)>,
    /// The stream the current export file is of (its "stream" line).
    current: Option<String>,
    /// Checkpoints the verifier trusts from before (`--since`): origin to (size, root).
    since: BTreeMap<String, (u64, Hash)>,
}

impl Checker {
    pub fn new(trust: Trust) -> Checker {
        Checker {
            trust,
            streams: BTreeMap::new(),
            report: Report::default(),
            sigs: Vec::new(),
            ticks: BTreeMap::new(),
            refs: Vec::new(),
            current: None,
            since: BTreeMap::new(),
        }
    }

    /// Takes a checkpoint verified earlier (`--since`): its signature must hold under the
    /// trusted key of its origin. An increment of that stream is then checked from there.
    pub fn trust_since(&mut self, signed_note: &str) -> anyhow::Result<String> {
        let origin = super::witness::origin_of(signed_note).to_string();
        let key = self
            .trust
            .streams
            .get(&origin)
            .with_context(|| format!("the trust file has no key for stream {origin}"))?;
        let text = key.open_note(signed_note)?;
        let (_, size, root) = note::parse_checkpoint(text)?;
        self.since.insert(origin.clone(), (size, root));
        Ok(origin)
    }

    /// Starts a new export file: its lines belong to the stream its first line names.
    pub fn begin_file(&mut self) {
        self.current = None;
    }

    fn find(
        &mut self,
        severity: Severity,
        stream: &str,
        seq: Option<u64>,
        check: &'static str,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) {
        self.report.findings.push(Finding {
            severity,
            stream: stream.to_string(),
            seq,
            check,
            expected: expected.into(),
            found: found.into(),
        });
    }

    fn stream(&mut self, origin: &str) -> Result<&mut Stream, Unusable> {
        if !self.streams.contains_key(origin) {
            let key = self.trust.streams.get(origin).cloned().ok_or_else(|| {
                Unusable(format!("the trust file has no key for stream {origin}"))
            })?;
            let prev = record::genesis(origin, &key.public());
            self.streams.insert(
                origin.to_string(),
                Stream {
                    key,
                    next: 0,
                    prev,
                    frontier: Frontier::new(),
                    leaves: Vec::new(),
                    after_gap: BTreeMap::new(),
                    contiguous: None,
                    refs: Vec::new(),
                    anchors: Vec::new(),
                    summary: Summary::default(),
                    stated: None,
                    base: 0,
                    base_frontier: Frontier::new(),
                    checkpoint_roots: BTreeMap::new(),
                },
            );
        }
        Ok(self.streams.get_mut(origin).expect("just inserted"))
    }

    /// Checks one line of an export.
    pub fn line(&mut self, v: &Value<'_>) -> Result<(), Unusable> {
        self.line_read(v, None)
    }

    /// What of a line can be worked out without the lines before it, on any thread: a record
    /// line's record, canonical body, hashes and leaf. `None` for other lines.
    pub fn read_ahead(v: &Value<'_>) -> Option<Result<Read, Unusable>> {
        if v.member("type").and_then(Value::as_str) != Some("record") {
            return None;
        }
        let origin = v.member("origin").and_then(Value::as_str)?;
        Some(read_record(origin, v))
    }

    /// A line of an export read on any thread, for [`Checker::take`]. A record's event is
    /// canonicalised straight from its text, and of the rest only what the checks in order look
    /// at is kept: building and freeing a tree per event was most of verify's work. Other
    /// lines (stream heads, checkpoints, proofs), and every line when `whole` (`--order` writes
    /// the records again), are parsed whole.
    pub fn read_line(
        line: &[u8],
        whole: bool,
        scratch: &mut Scratch,
    ) -> Result<ReadLine, json::Error> {
        let whole_line = |line| {
            json::parse_value(line).map(|v| {
                let ahead = Checker::read_ahead(&v);
                ReadLine::Whole(v.into_owned(), ahead)
            })
        };
        // The members a record line's checks read, found by the pass that validates the line
        // (the last of a repeated name, an escaped name by what it decodes to, as lookups in
        // a parsed line find them); the rest of the line is not looked at again.
        // The event's canonical text is made by the same pass (it was a second walk of it).
        if whole {
            return whole_line(line);
        }
        let Scratch {
            spans,
            canonical,
            origin: last_origin,
        } = scratch;
        canonical.clear();
        let event = match json::scan_object_canonicalizing(
            line,
            &RECORD_MEMBERS,
            spans,
            EVENT,
            canonical,
        ) {
            // Not an object (or not JSON): the parser's own message.
            Err(_) => return whole_line(line),
            Ok(event) => event.map(|r| r.map(|()| &canonical[..])),
        };
        let text = |span: json::Span| &line[span.0 as usize..span.1 as usize];
        // RECORD_MEMBERS[0] is "type".
        if spans[0].map(text) != Some(&b"\"record\""[..]) {
            return whole_line(line);
        }
        let m = Members::Spans(line, spans);
        // The lines of an export share their origin: the thread's copy of the last one is
        // shared, not a string made here and freed by the thread that checks in order.
        let Some(origin) = m.with("origin", |v| {
            let text = v.and_then(Value::as_str)?;
            Some(match last_origin {
                Some(o) if **o == *text => o.clone(),
                _ => last_origin.insert(text.into()).clone(),
            })
        }) else {
            return whole_line(line);
        };
        let read = read_record_with(&origin, &m, event.as_ref().map(|r| r.as_deref()));
        Ok(ReadLine::Record {
            seq: m.with("seq", note::uint),
            origin,
            read,
        })
    }

    /// Checks a line [`Checker::read_line`] read, in the order of the export.
    pub fn take(&mut self, line: ReadLine) -> Result<(), Unusable> {
        match line {
            ReadLine::Whole(v, ahead) => self.line_read(&v, ahead),
            ReadLine::Record { origin, seq, read } => {
                if let Some(cur) = self.current.as_deref()
                    && cur != &*origin
                {
                    let cur = cur.to_string();
                    self.foreign(&cur, seq, "record", &origin);
                    return Ok(());
                }
                self.record(&origin, read)
            }
        }
    }

    /// [`Checker::line`] with what [`Checker::read_ahead`] made of the line.
    pub fn line_read(
        &mut self,
        v: &Value<'_>,
        ahead: Option<Result<Read, Unusable>>,
    ) -> Result<(), Unusable> {
        let kind = v.member("type").and_then(Value::as_str).unwrap_or_default();
        if kind == "tick" {
            return self.tick(v);
        }
        let origin = v
            .member("origin")
            .and_then(Value::as_str)
            .ok_or_else(|| Unusable("a line without an origin".into()))?;
        if kind != "stream"
            && let Some(cur) = self.current.as_deref()
            && cur != origin
        {
            let cur = cur.to_string();
            self.foreign(&cur, note::uint_field(v, "seq"), kind, origin);
            return Ok(());
        }
        match kind {
            "stream" => {
                self.current = Some(origin.to_string());
                let st = self.stream(origin)?;
                let trusted = st.key.encode();
                let given = v
                    .member("key")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                let stated = note::uint_field(v, "size");
                st.stated = st.stated.max(stated);
                if given != trusted {
                    self.find(Severity::Error, origin, None, "stream key", trusted, given);
                }
                Ok(())
            }
            "record" => self.record(origin, ahead.unwrap_or_else(|| read_record(origin, v))),
            "checkpoint" => self.checkpoint(origin, v),
            "inclusion" => self.inclusion(origin, v),
            "increment" => self.increment(origin, v),
            "consistency" => self.consistency(origin, v),
            other => Err(Unusable(format!("unknown line type '{other}'"))),
        }
    }

    /// A line of another stream inside `cur`'s export: spliced in.
    fn foreign(&mut self, cur: &str, seq: Option<u64>, kind: &str, origin: &str) {
        self.find(
            Severity::Error,
            cur,
            seq,
            "foreign record",
            format!("a record of {cur}"),
            format!("a {kind} of {origin}"),
        );
    }

    /// The start of an increment (`entwine export --from N`): the tree at N, which must be the
    /// one a checkpoint trusted from before (`--since`) signed.
    fn increment(&mut self, origin: &str, v: &Value<'_>) -> Result<(), Unusable> {
        let bad = |what: &str| Unusable(format!("an increment of {origin} without a valid {what}"));
        let from = note::uint_field(v, "from").ok_or_else(|| bad("from"))?;
        let hashes = |k: &str| note::hashes_field(v, k).ok_or_else(|| bad(k));
        let (frontier, prev_proof) = (hashes("frontier")?, hashes("prev_proof")?);
        let prev = note::hash_field(v, "prev").ok_or_else(|| bad("prev"))?;
        let Some(&(size, root)) = self.since.get(origin) else {
            return Err(Unusable(format!(
                "an increment of {origin} from size {from}: give --since with a checkpoint of \
                 size {from} you verified before"
            )));
        };
        if size != from {
            return Err(Unusable(format!(
                "an increment of {origin} from size {from}, but --since gives the checkpoint of \
                 size {size}"
            )));
        }
        let tree = Frontier::from_hashes(from, &frontier);
        let holds = tree.as_ref().is_some_and(|f| f.root() == root)
            && super::merkle::verify_inclusion(from - 1, from, &prev, &prev_proof, &root);
        let st = self.stream(origin)?;
        if st.next != 0 || !st.leaves.is_empty() {
            return Err(Unusable(format!(
                "an increment line of {origin} after its records"
            )));
        }
        if let Some(f) = tree.filter(|_| holds) {
            st.next = from;
            st.prev = prev;
            st.base = from;
            st.summary.first = from;
            st.base_frontier = f.clone();
            st.frontier = f;
            // Ticks referenced by records before the increment are not known.
            st.refs = vec![None; from as usize];
            return Ok(());
        }
        self.find(
            Severity::Error,
            origin,
            Some(from.saturating_sub(1)),
            "increment base",
            format!("the tree of the trusted checkpoint of size {from}"),
            "a frontier or last leaf that does not lead to its root",
        );
        Ok(())
    }

    /// An increment's consistency proof from the trusted checkpoint to its newest one.
    fn consistency(&mut self, origin: &str, v: &Value<'_>) -> Result<(), Unusable> {
        let bad = |what: &str| {
            Unusable(format!(
                "a consistency line of {origin} without a valid {what}"
            ))
        };
        let old = note::uint_field(v, "old_size").ok_or_else(|| bad("old_size"))?;
        let size = note::uint_field(v, "size").ok_or_else(|| bad("size"))?;
        let proof = note::hashes_field(v, "proof").ok_or_else(|| bad("proof"))?;
        let Some(&(since_size, since_root)) = self.since.get(origin).filter(|s| s.0 == old) else {
            return Err(Unusable(format!(
                "a consistency proof of {origin} from size {old}: give --since with that checkpoint"
            )));
        };
        let st = self.stream(origin)?;
        let Some(&root) = st.checkpoint_roots.get(&size) else {
            // The checkpoint it leads to was not valid: that is reported already.
            return Ok(());
        };
        if !super::merkle::verify_consistency(since_size, size, &since_root, &root, &proof) {
            self.find(
                Severity::Error,
                origin,
                Some(size.saturating_sub(1)),
                "consistency",
                format!("the checkpoint of size {size} extending the trusted one of size {old}"),
                "a proof that does not hold",
            );
        }
        Ok(())
    }

    /// An `entwine prove` line: one record, disclosed alone, with an RFC 6962 inclusion proof
    /// against a checkpoint signed by its stream's key.
    fn inclusion(&mut self, origin: &str, v: &Value<'_>) -> Result<(), Unusable> {
        let bad = |what: &str| Unusable(format!("a proof of {origin} without a valid {what}"));
        let record = v.member("record").ok_or_else(|| bad("record"))?;
        let note_text = v
            .member("checkpoint")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("checkpoint"))?;
        let proof = note::hashes_field(v, "proof").ok_or_else(|| bad("proof"))?;
        let read = read_record(origin, record)?;
        let seq = read.seq;
        let key = self.stream(origin)?.key.clone();
        let mut findings = read.findings;
        match key.open_note(note_text).and_then(note::parse_checkpoint) {
            Err(e) => findings.push((
                "checkpoint signature",
                format!("a checkpoint signed by {}", key.name),
                format!("{e:#}"),
            )),
            Ok((o, size, root)) => {
                let stated = (note::uint_field(v, "size"), note::hash_field(v, "root"));
                if o != origin {
                    findings.push(("checkpoint origin", origin.to_string(), o));
                } else if stated != (Some(size), Some(root)) {
                    findings.push((
                        "checkpoint fields",
                        format!("size {size} and root {} as signed", note::hex(&root)),
                        format!("{:?} and {:?}", stated.0, stated.1.map(|r| note::hex(&r))),
                    ));
                } else if !super::merkle::verify_inclusion(seq, size, &read.leaf, &proof, &root) {
                    findings.push((
                        "inclusion",
                        format!("record {seq} in the tree of size {size}"),
                        "a proof that does not lead to its root".to_string(),
                    ));
                }
            }
        }
        let ok = findings.is_empty();
        for (check, expected, found) in findings {
            self.find(Severity::Error, origin, Some(seq), check, expected, found);
        }
        if let Some((sig, bytes)) = read.signed {
            self.sigs.push(PendingSig {
                key,
                origin: origin.to_string(),
                seq,
                bytes,
                sig,
            });
        }
        if ok {
            self.stream(origin)?.summary.proved += 1;
        }
        Ok(())
    }

    fn record(&mut self, origin: &str, read: Result<Read, Unusable>) -> Result<(), Unusable> {
        let Read {
            seq,
            prev,
            tick,
            signed,
            leaf,
            stated_leaf,
            mut findings,
        } = read?;
        if let Some(t) = tick {
            self.refs.push((origin.to_string(), seq, t));
        }
        let st = self.stream(origin)?;
        let (expected_seq, expected_prev) = (st.next, st.prev);
        let pending_sig = signed.map(|(sig, bytes)| PendingSig {
            key: st.key.clone(),
            origin: origin.to_string(),
            seq,
            bytes,
            sig,
        });
        if seq < expected_seq {
            let earlier = match st.contiguous {
                Some(n) if seq >= n => st.after_gap.get(&seq).copied(),
                _ => seq
                    .checked_sub(st.base)
                    .and_then(|i| st.leaves.get(i as usize))
                    .copied(),
            };
            let (check, exp) = match earlier {
                Some(h) if h == leaf => ("replayed record", "each seq once".to_string()),
                Some(h) => ("fork", format!("leaf {}", note::hex(&h))),
                // Not among the records read: out of order rather than provably a fork.
                None => ("record order", format!("seq {expected_seq} next")),
            };
            findings.push((
                check,
                exp,
                format!("a second record {seq} with leaf {}", note::hex(&leaf)),
            ));
        } else {
            if seq > expected_seq {
                findings.push((
                    "missing records",
                    format!("seq {expected_seq}"),
                    format!("seq {seq}"),
                ));
            }
            if prev != expected_prev {
                findings.push(("prev link", note::hex(&expected_prev), note::hex(&prev)));
            }
            st.next = seq + 1;
            // The next record links to the leaf this one states, so one altered record is
            // reported once; the tree takes the leaf its content gives, so every signed root
            // over it disagrees.
            st.prev = stated_leaf;
            st.frontier.push(leaf);
            if seq != st.base + st.leaves.len() as u64 && st.contiguous.is_none() {
                st.contiguous = Some(st.base + st.leaves.len() as u64);
            }
            if st.contiguous.is_some() {
                st.after_gap.insert(seq, leaf);
            }
            st.leaves.push(leaf);
            st.summary.records += 1;
            st.refs.push(tick.map(|t| t.index));
        }
        for (check, expected, found) in findings {
            self.find(Severity::Error, origin, Some(seq), check, expected, found);
        }
        if let Some(p) = pending_sig {
            self.sigs.push(p);
            if self.sigs.len() >= SIG_BATCH {
                self.check_sigs();
            }
        }
        Ok(())
    }

    fn tick(&mut self, v: &Value<'_>) -> Result<(), Unusable> {
        let ticker = self
            .trust
            .ticker
            .clone()
            .ok_or_else(|| Unusable("a tick, but the trust file names no ticker".into()))?;
        let index = v
            .member("index")
            .map(Value::to_json)
            .and_then(|i| i.parse().ok());
        match tick::parse_line(&ticker, v) {
            Ok((t, anchors)) => {
                self.ticks.insert(t.index, (t.hash(), t.prev, anchors));
            }
            Err(e) => self.find(
                Severity::Error,
                &ticker.name,
                index,
                "tick",
                "a tick signed by the ticker that holds together",
                format!("{e:#}"),
            ),
        }
        Ok(())
    }

    /// The ticker's chain, the ticks records reference, and the anchors ticks seal.
    fn check_ticks(&mut self) {
        let ticker = self.trust.ticker.clone();
        let mut findings = Vec::new();
        if let Some(tk) = &ticker {
            let genesis = tick::genesis(&tk.name, &tk.public());
            for (index, (_, prev, _)) in &self.ticks {
                let expected = if *index == 0 {
                    Some(genesis)
                } else {
                    self.ticks.get(&(index - 1)).map(|t| t.0)
                };
                if let Some(e) = expected
                    && e != *prev
                {
                    findings.push((
                        tk.name.clone(),
                        Some(*index),
                        "tick prev link",
                        note::hex(&e),
                        note::hex(prev),
                    ));
                }
            }
        }
        if self.ticks.is_empty() && !self.refs.is_empty() {
            // Without any ticks the references cannot be checked, which is no sign of
            // tampering: say so once per stream.
            let mut seen: Vec<&String> = Vec::new();
            let mut warnings = Vec::new();
            for (origin, seq, _) in &self.refs {
                if !seen.contains(&origin) {
                    seen.push(origin);
                    warnings.push((origin.clone(), *seq));
                }
            }
            for (origin, seq) in warnings {
                self.find(
                    Severity::Warning,
                    &origin,
                    Some(seq),
                    "tick references unchecked",
                    "the ticker's ticks among the exports",
                    "no ticks",
                );
            }
        }
        for (origin, seq, r) in self.refs.iter().filter(|_| !self.ticks.is_empty()) {
            match self.ticks.get(&r.index) {
                None => findings.push((
                    origin.clone(),
                    Some(*seq),
                    "unknown tick",
                    format!("tick {} among the ticks given", r.index),
                    "no such tick".into(),
                )),
                Some((h, _, _)) if *h != r.hash => findings.push((
                    origin.clone(),
                    Some(*seq),
                    "wrong tick",
                    note::hex(h),
                    note::hex(&r.hash),
                )),
                _ => {}
            }
        }
        let mut beyond = Vec::new();
        for (index, (_, _, anchors)) in &self.ticks {
            for a in anchors {
                let Some(st) = self.streams.get_mut(&a.origin) else {
                    continue;
                };
                if st.stated.is_some_and(|stated| stated < a.size) {
                    // The export was made before the stream reached this anchor (its own
                    // stream line says how far it went): nothing to check it against, and no
                    // sign of rewriting.
                    beyond.push((a.origin.clone(), a.size, *index, st.stated.unwrap_or(0)));
                    continue;
                }
                if a.size < st.base {
                    // Before the increment: covered by the checkpoint trusted with --since.
                    continue;
                }
                if st.base + (st.leaves.len() as u64) < a.size {
                    findings.push((
                        a.origin.clone(),
                        Some(a.size - 1),
                        "records missing below an anchor",
                        format!("{} records (anchored in tick {index})", a.size),
                        format!("{}", st.base + st.leaves.len() as u64),
                    ));
                    continue;
                }
                let mut tree = st.base_frontier.clone();
                for l in &st.leaves[..(a.size - st.base) as usize] {
                    tree.push(*l);
                }
                let root = tree.root();
                if root != a.root {
                    findings.push((
                        a.origin.clone(),
                        Some(a.size.saturating_sub(1)),
                        "anchor root",
                        note::hex(&root),
                        format!("{} (tick {index})", note::hex(&a.root)),
                    ));
                    continue;
                }
                st.summary.anchored = st.summary.anchored.max(a.size);
                st.anchors.push((*index, a.size));
            }
        }
        for (stream, seq, check, expected, found) in findings {
            self.find(Severity::Error, &stream, seq, check, expected, found);
        }
        for (stream, size, index, stated) in beyond {
            self.find(
                Severity::Warning,
                &stream,
                Some(stated),
                "anchor beyond the export",
                format!("an export of at least {size} records to check tick {index}'s anchor"),
                format!("an export of {stated} records, made before it"),
            );
        }
    }

    /// Checks the waiting record signatures on every core.
    fn check_sigs(&mut self) {
        use rayon::prelude::*;
        let bad: Vec<Finding> = self
            .sigs
            .par_iter()
            .filter(|p| !base64_sig(&p.sig).is_some_and(|s| p.key.verify(&p.bytes, &s)))
            .map(|p| Finding {
                severity: Severity::Error,
                stream: p.origin.clone(),
                seq: Some(p.seq),
                check: "record signature",
                expected: format!("a signature by {}", p.key.name),
                found: p.sig.clone(),
            })
            .collect();
        self.sigs.clear();
        self.report.findings.extend(bad);
    }

    fn checkpoint(&mut self, origin: &str, v: &Value<'_>) -> Result<(), Unusable> {
        let note_text = v
            .member("note")
            .and_then(Value::as_str)
            .ok_or_else(|| Unusable(format!("a checkpoint of {origin} without its note")))?
            .to_string();
        let st = self.stream(origin)?;
        let key = st.key.clone();
        let (have, root_now) = (st.frontier.size(), st.frontier.root());
        let opened = key.open_note(&note_text).map(str::to_string);
        let text = match opened {
            Ok(t) => t,
            Err(e) => {
                // Name the checkpoint by the size its line states: the note cannot be trusted.
                let size = note::uint_field(v, "size");
                let which = size.map_or("a checkpoint".to_string(), |n| {
                    format!("the checkpoint of size {n}")
                });
                self.find(
                    Severity::Error,
                    origin,
                    size.map(|n| n.saturating_sub(1)),
                    "checkpoint signature",
                    format!("{which} signed by {}", key.name),
                    format!("{e:#}"),
                );
                return Ok(());
            }
        };
        let (o, size, root) = match note::parse_checkpoint(&text) {
            Ok(parsed) => parsed,
            Err(e) => {
                // Signed by the stream's key, but not a checkpoint by C2SP's rules: the stream
                // published something no other verifier would take.
                self.find(
                    Severity::Error,
                    origin,
                    note::uint_field(v, "size").map(|n| n.saturating_sub(1)),
                    "checkpoint format",
                    "a C2SP tlog-checkpoint",
                    format!("{e:#}"),
                );
                return Ok(());
            }
        };
        if o != origin {
            self.find(
                Severity::Error,
                origin,
                None,
                "checkpoint origin",
                origin,
                o,
            );
            return Ok(());
        }
        // The line repeats the note's size and root for readers; a copy that disagrees with
        // what is signed is an alteration.
        let stated_size = v.member("size").map(|_| note::uint_field(v, "size"));
        let stated_root = v.member("root").map(|_| note::hash_field(v, "root"));
        if stated_size.is_some_and(|s| s != Some(size))
            || stated_root.is_some_and(|r| r != Some(root))
        {
            self.find(
                Severity::Error,
                origin,
                Some(size.saturating_sub(1)),
                "checkpoint fields",
                format!("size {size} and root {} as signed", note::hex(&root)),
                format!(
                    "size {} and root {}",
                    v.member("size").map(Value::to_json).unwrap_or_default(),
                    v.member("root").map(Value::to_json).unwrap_or_default()
                ),
            );
            return Ok(());
        }
        if size != have {
            // Exports put each checkpoint right after the record that completes it.
            let found = format!("a checkpoint of size {size} after {have} records");
            let check = if size > have {
                "records missing below a checkpoint"
            } else {
                "checkpoint order"
            };
            self.find(
                Severity::Error,
                origin,
                Some(size.saturating_sub(1)),
                check,
                format!("size {have}"),
                found,
            );
            return Ok(());
        }
        if root != root_now {
            self.find(
                Severity::Error,
                origin,
                Some(size.saturating_sub(1)),
                "checkpoint root",
                note::hex(&root_now),
                note::hex(&root),
            );
            return Ok(());
        }
        // Cosignatures by trusted witnesses (C2SP tlog-cosignature): each one present must
        // verify; how many did is counted for --witnesses.
        let mut cosigned = 0;
        let mut bad = Vec::new();
        for w in &self.trust.witnesses {
            match w.cosigned(&note_text) {
                Ok(Some(_)) => cosigned += 1,
                Ok(None) => {}
                Err(e) => bad.push((w.name.clone(), format!("{e:#}"))),
            }
        }
        for (name, why) in bad {
            self.find(
                Severity::Error,
                origin,
                Some(size.saturating_sub(1)),
                "cosignature",
                format!("a valid cosignature by {name}"),
                why,
            );
        }
        let st = self.stream(origin)?;
        st.summary.checkpoints += 1;
        st.summary.checkpointed = size;
        st.summary.cosigned.insert(size, cosigned);
        st.checkpoint_roots.insert(size, root);
        Ok(())
    }

    /// The findings, with a warning for every record no signed checkpoint covers, and the
    /// per-stream summaries.
    pub fn finish(mut self) -> Report {
        self.check_sigs();
        self.check_ticks();
        // Signatures are checked in groups: put every finding back in stream and seq order.
        self.report
            .findings
            .sort_by(|a, b| (&a.stream, a.seq).cmp(&(&b.stream, b.seq)));
        let tails: Vec<(String, Summary)> = self
            .streams
            .iter()
            .map(|(o, s)| (o.clone(), s.summary.clone()))
            .collect();
        let short: Vec<(String, u64, u64)> = self
            .streams
            .iter()
            .filter_map(|(o, s)| {
                s.stated
                    .filter(|&n| s.next < n)
                    .map(|n| (o.clone(), n, s.next))
            })
            .collect();
        for (origin, stated, next) in short {
            // Cut short in transit, or on purpose: what is there holds, but is not all.
            self.find(
                Severity::Warning,
                &origin,
                Some(next),
                "incomplete export",
                format!("{stated} records, as its stream line says"),
                format!("{next} records"),
            );
        }
        for (origin, s) in &tails {
            let from = s.checkpointed.max(s.first);
            if from < s.end() {
                self.find(
                    Severity::Warning,
                    origin,
                    Some(from),
                    "not under a valid checkpoint",
                    format!("a valid signed checkpoint of size {}", s.end()),
                    format!("records {from}..{} under none", s.end() - 1),
                );
            }
        }
        if !self.ticks.is_empty() {
            for (origin, s) in &tails {
                if s.anchored < s.end() {
                    let from = s.anchored.max(s.first);
                    self.find(
                        Severity::Warning,
                        origin,
                        Some(from),
                        "unanchored tail",
                        format!("an anchor covering {} records", s.end()),
                        format!("records {from}..{} in no tick", s.end() - 1),
                    );
                }
            }
        }
        self.report.streams = tails.into_iter().collect();
        self.report.timeline = self
            .streams
            .iter()
            .map(|(o, s)| (o.clone(), (s.refs.clone(), s.anchors.clone())))
            .collect();
        self.report
    }
}

fn base64_sig(text: &str) -> Option<[u8; 64]> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()?
        .try_into()
        .ok()
}

/// The members of a record line that verify reads: `type` first.
const RECORD_MEMBERS: [&str; 10] = [
    "type",
    "origin",
    "seq",
    "prev",
    "tick",
    "time_ms",
    "body_hash",
    "leaf",
    "sig",
    "event",
];

/// Where `event` is in [`RECORD_MEMBERS`].
const EVENT: usize = 9;

/// A line of an export as [`Checker::read_line`] leaves it: owned, so the next lines can be
/// read while it is checked.
pub enum ReadLine {
    /// A record line: what the checks in order need of it.
    Record {
        origin: Arc<str>,
        seq: Option<u64>,
        read: Result<Read, Unusable>,
    },
    /// Any other line, or a record line kept whole, parsed whole.
    Whole(Value<'static>, Option<Result<Read, Unusable>>),
}

/// What [`Checker::read_line`] fills and empties again for each line, kept by each thread
/// that reads lines so that a line costs no allocation for them.
#[derive(Default)]
pub struct Scratch {
    spans: Vec<Option<json::Span>>,
    canonical: Vec<u8>,
    origin: Option<Arc<str>>,
}

/// A record line read: what the checks in order need of the record its fields give (its body
/// hash from the event when the line has one), its leaf, the leaf the line states, and what
/// disagrees. The record itself stays on the thread that read it.
pub struct Read {
    seq: u64,
    prev: Hash,
    tick: Option<TickRef>,
    /// The signature the line carries and the record's bytes it signs, made where the line is
    /// read, so the checks in order do not make them.
    signed: Option<(String, Vec<u8>)>,
    leaf: Hash,
    stated_leaf: Hash,
    findings: Vec<(&'static str, String, String)>,
}

fn read_record(origin: &str, v: &Value<'_>) -> Result<Read, Unusable> {
    let event = v.member("event").map(json::canonical);
    let event = event.as_ref().map(|r| r.as_deref().map(str::as_bytes));
    read_record_with(origin, &Members::Parsed(v), event)
}

/// The members of a record line that [`read_record_with`] reads: from the parsed line, or
/// straight from the spans of the validating pass (verify's path: no list of members is built,
/// and a hash is decoded from its text).
enum Members<'v, 'a> {
    Parsed(&'v Value<'a>),
    /// The line, and where each of [`RECORD_MEMBERS`] is in it.
    Spans(&'a [u8], &'v [Option<json::Span>]),
}

impl Members<'_, '_> {
    /// The text of member `name` of the line (one of [`RECORD_MEMBERS`]).
    fn text<'a>(line: &'a [u8], spans: &[Option<json::Span>], name: &str) -> Option<&'a [u8]> {
        let i = RECORD_MEMBERS.iter().position(|n| *n == name)?;
        spans[i].map(|(s, e)| &line[s as usize..e as usize])
    }

    /// `f` of the member named `name` (`None` when there is none), as a lookup in the parsed
    /// line finds it.
    fn with<R>(&self, name: &str, f: impl FnOnce(Option<&Value<'_>>) -> R) -> R {
        match self {
            Members::Parsed(v) => f(v.member(name)),
            Members::Spans(line, spans) => {
                // The validating pass has checked the text, so it parses.
                let v = Self::text(line, spans, name).and_then(|t| member_value(t).ok());
                f(v.as_ref())
            }
        }
    }

    /// A 32-byte hash written as hex in member `name`.
    fn hash(&self, name: &str) -> Option<Hash> {
        if let Members::Spans(line, spans) = self
            && let Some([b'"', hex @ .., b'"']) = Self::text(line, spans, name)
            && !hex.contains(&b'\\')
        {
            let mut hash = [0; 32];
            return note::unhex_into(hex, &mut hash).then_some(hash);
        }
        self.with(name, note::hash)
    }
}

/// The value of a member of a record line that the validating pass found: the forms every
/// record line's members take (a string without escapes, a small unsigned integer, `null`)
/// read straight from their text, which that pass has checked; anything else by the parser.
fn member_value(text: &[u8]) -> Result<Value<'_>, json::Error> {
    match text {
        b"null" => return Ok(Value::Null),
        [b'"', inner @ .., b'"'] if memchr::memchr(b'\\', inner).is_none() => {
            if let Ok(s) = std::str::from_utf8(inner) {
                return Ok(Value::String(std::borrow::Cow::Borrowed(s)));
            }
        }
        // At most 18 digits always fit an i64; a leading zero is not a JSON number's.
        [b'1'..=b'9', rest @ ..] if rest.len() < 18 && rest.iter().all(u8::is_ascii_digit) => {
            let n = text.iter().fold(0i64, |n, d| n * 10 + i64::from(d - b'0'));
            return Ok(Value::Number(json::Number::Int(n)));
        }
        b"0" => return Ok(Value::Number(json::Number::Int(0))),
        _ => {}
    }
    json::parse_value(text)
}

/// [`read_record`] with the event's canonical form made by the caller (`m` may lack the event).
fn read_record_with(
    origin: &str,
    m: &Members<'_, '_>,
    event: Option<Result<&[u8], &json::NotCanonical>>,
) -> Result<Read, Unusable> {
    let bad = |what: &str| Unusable(format!("a record of {origin} without a valid {what}"));
    let seq = m.with("seq", note::uint).ok_or_else(|| bad("seq"))?;
    let prev = m.hash("prev").ok_or_else(|| bad("prev"))?;
    let stated_leaf = m.hash("leaf").ok_or_else(|| bad("leaf"))?;
    let mut body_hash = m.hash("body_hash").ok_or_else(|| bad("body_hash"))?;
    let time_ms = m.with("time_ms", |v| match v {
        Some(Value::Number(n)) => n.as_i64(),
        _ => None,
    });
    let time_ms = time_ms.ok_or_else(|| bad("time_ms"))?;
    let tick = m.with("tick", |v| match v {
        None | Some(Value::Null) => Ok(None),
        Some(t) => Ok(Some(TickRef {
            index: note::uint_field(t, "index").ok_or_else(|| bad("tick"))?,
            hash: note::hash_field(t, "hash").ok_or_else(|| bad("tick"))?,
        })),
    })?;
    let mut findings = Vec::new();
    if let Some(event) = event {
        match event {
            Ok(c) => {
                let h = record::body_hash_bytes(c);
                if h != body_hash {
                    findings.push(("body", note::hex(&h), note::hex(&body_hash)));
                    body_hash = h;
                }
            }
            Err(e) => findings.push(("body", "canonical JSON".into(), e.0.clone())),
        }
    }
    let rec = Record {
        origin: origin.to_string(),
        seq,
        prev,
        tick,
        time_ms,
        body_hash,
    };
    let signed = m
        .with("sig", |v| v.and_then(Value::as_str).map(str::to_string))
        .map(|sig| (sig, rec.bytes()));
    let leaf = rec.leaf();
    if leaf != stated_leaf {
        findings.push(("leaf", note::hex(&leaf), note::hex(&stated_leaf)));
    }
    Ok(Read {
        seq: rec.seq,
        prev: rec.prev,
        tick: rec.tick,
        signed,
        leaf,
        stated_leaf,
        findings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_is_where_its_index_says() {
        assert_eq!(RECORD_MEMBERS[EVENT], "event");
    }

    /// Read straight from the text or by the parser, a member's value is the same.
    #[test]
    fn a_member_read_from_its_text_is_what_the_parser_makes_of_it() {
        let texts = [
            "null",
            "0",
            "7",
            "123456789012345678",
            "1234567890123456789",
            "99999999999999999999",
            "-5",
            "7.0",
            "1e3",
            "\"\"",
            "\"ab07\"",
            "\"caf\u{e9}\"",
            "\"a\\u0062\"",
            "\"\\\\\"",
            "{\"index\":3,\"hash\":\"ab\"}",
            "true",
        ];
        for text in texts {
            let (fast, parsed) = (
                member_value(text.as_bytes()).unwrap(),
                json::parse_value(text.as_bytes()).unwrap(),
            );
            assert!(fast == parsed, "{text}: {fast:?} against {parsed:?}");
            assert_eq!(fast.as_str(), parsed.as_str(), "{text}: a string's content");
        }
    }
}
