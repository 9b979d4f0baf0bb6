//! Ticks of the shared ticker chain and the anchors they seal: binary forms and hashes
//! (DESIGN.md §6). A tick is chained to the one before, carries a random nonce so nobody can
//! reference it before it exists, and commits to the Merkle root of the anchors it seals.

use sha2::{Digest, Sha256};

use anyhow::{Context, bail};

use super::merkle::{Hash, leaf_hash, root};
use super::note::{self, Verifier};
use crate::json::Value;

pub const TICK_LABEL: &[u8] = b"binge/anchor/v1/tick\0";
pub const ANCHOR_LABEL: &[u8] = b"binge/anchor/v1/anchor\0";
pub const TICKER_GENESIS_LABEL: &[u8] = b"binge/anchor/v1/ticker-genesis\0";

fn put(out: &mut Vec<u8>, b: &[u8]) {
    let len = u16::try_from(b.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&b[..len as usize]);
}

/// One stream's head as sealed by a tick: origin, size, root and its checkpoint signature
/// (the signed note's signature blob: key id and Ed25519 signature).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    pub sig: Vec<u8>,
}

impl Anchor {
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = ANCHOR_LABEL.to_vec();
        put(&mut out, self.origin.as_bytes());
        out.extend_from_slice(&self.size.to_be_bytes());
        out.extend_from_slice(&self.root);
        put(&mut out, &self.sig);
        out
    }

    pub fn leaf(&self) -> Hash {
        leaf_hash(&self.bytes())
    }
}

/// The Merkle root of a tick's anchors, in the order the tick lists them.
pub fn anchors_root(anchors: &[Anchor]) -> Hash {
    root(&anchors.iter().map(Anchor::leaf).collect::<Vec<_>>())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tick {
    pub ticker: String,
    pub index: u64,
    pub prev: Hash,
    pub time_ms: i64,
    pub nonce: [u8; 32],
    pub anchors_root: Hash,
}

impl Tick {
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = TICK_LABEL.to_vec();
        put(&mut out, self.ticker.as_bytes());
        out.extend_from_slice(&self.index.to_be_bytes());
        out.extend_from_slice(&self.prev);
        out.extend_from_slice(&self.time_ms.to_be_bytes());
        out.extend_from_slice(&self.nonce);
        out.extend_from_slice(&self.anchors_root);
        out
    }

    pub fn hash(&self) -> Hash {
        leaf_hash(&self.bytes())
    }
}

/// The `prev` of tick 0.
pub fn genesis(ticker: &str, public: &[u8; 32]) -> Hash {
    let mut buf = TICKER_GENESIS_LABEL.to_vec();
    put(&mut buf, ticker.as_bytes());
    buf.extend_from_slice(public);
    Sha256::digest(&buf).into()
}

/// Reads a tick line back into its parts, checking its hash, its anchors' root and the
/// ticker's signature over the chain of ticks.
pub fn parse_line(ticker: &Verifier, v: &Value<'_>) -> anyhow::Result<(Tick, Vec<Anchor>)> {
    let bad = |what: &str| anyhow::anyhow!("a tick with no valid {what}");
    let anchors: Vec<Anchor> = match v.member("anchors") {
        Some(Value::Array(items)) => items
            .iter()
            .map(|a| {
                Some(Anchor {
                    origin: a.member("origin")?.as_str()?.to_string(),
                    size: note::uint_field(a, "size")?,
                    root: note::hash_field(a, "root")?,
                    sig: base64::Engine::decode(
                        &base64::engine::general_purpose::STANDARD,
                        a.member("sig")?.as_str()?,
                    )
                    .ok()?,
                })
            })
            .collect::<Option<_>>()
            .ok_or_else(|| bad("anchors"))?,
        _ => return Err(bad("anchors")),
    };
    let t = Tick {
        ticker: v
            .member("ticker")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("ticker"))?
            .to_string(),
        index: note::uint_field(v, "index").ok_or_else(|| bad("index"))?,
        prev: note::hash_field(v, "prev").ok_or_else(|| bad("prev"))?,
        time_ms: match v.member("time_ms") {
            Some(Value::Number(n)) => n.as_i64().ok_or_else(|| bad("time"))?,
            _ => return Err(bad("time")),
        },
        nonce: note::hash_field(v, "nonce").ok_or_else(|| bad("nonce"))?,
        anchors_root: note::hash_field(v, "anchors_root").ok_or_else(|| bad("anchors root"))?,
    };
    if t.ticker != ticker.name {
        bail!(
            "tick {} is of ticker {}, not {}",
            t.index,
            t.ticker,
            ticker.name
        );
    }
    if Some(t.hash()) != note::hash_field(v, "hash") {
        bail!("tick {}: its hash does not match its fields", t.index);
    }
    if anchors_root(&anchors) != t.anchors_root {
        bail!("tick {}: its anchors do not give its anchors root", t.index);
    }
    let note_text = v
        .member("checkpoint")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("checkpoint"))?;
    let body = ticker
        .open_note(note_text)
        .with_context(|| format!("tick {}", t.index))?;
    let (_, size, _) = note::parse_checkpoint(body)?;
    if size != t.index + 1 {
        bail!("tick {}: its checkpoint covers {size} ticks", t.index);
    }
    Ok((t, anchors))
}
