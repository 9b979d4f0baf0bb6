//! Entwined records: the fixed binary form that is hashed (never JSON), the genesis hash that
//! starts a stream, and the leaf hash that both links the chain and leaves the Merkle tree.

use sha2::{Digest, Sha256};

use super::merkle::{Hash, leaf_hash};

pub const RECORD_LABEL: &[u8] = b"binge/entwine/v1/record\0";
pub const GENESIS_LABEL: &[u8] = b"binge/entwine/v1/genesis\0";

/// The newest tick a stream had seen when it wrote a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TickRef {
    pub index: u64,
    pub hash: Hash,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub origin: String,
    pub seq: u64,
    pub prev: Hash,
    pub tick: Option<TickRef>,
    pub time_ms: i64,
    pub body_hash: Hash,
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    // Origins are key names, which keygen and key parsing hold to 65,535 bytes.
    let len = u16::try_from(s.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&s.as_bytes()[..len as usize]);
}

impl Record {
    /// label, origin (u16 length + bytes), seq (u64), prev (32), tick (0, or 1 + index u64 +
    /// hash 32), time_ms (i64), body_hash (32); integers big-endian.
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(RECORD_LABEL.len() + self.origin.len() + 128);
        out.extend_from_slice(RECORD_LABEL);
        put_str(&mut out, &self.origin);
        out.extend_from_slice(&self.seq.to_be_bytes());
        out.extend_from_slice(&self.prev);
        match &self.tick {
            None => out.push(0),
            Some(t) => {
                out.push(1);
                out.extend_from_slice(&t.index.to_be_bytes());
                out.extend_from_slice(&t.hash);
            }
        }
        out.extend_from_slice(&self.time_ms.to_be_bytes());
        out.extend_from_slice(&self.body_hash);
        out
    }

    pub fn leaf(&self) -> Hash {
        leaf_hash(&self.bytes())
    }
}

/// The `prev` of record 0: SHA-256(label || origin || public key).
pub fn genesis(origin: &str, public: &[u8; 32]) -> Hash {
    let mut buf = GENESIS_LABEL.to_vec();
    put_str(&mut buf, origin);
    buf.extend_from_slice(public);
    Sha256::digest(&buf).into()
}

pub fn body_hash(canonical: &str) -> Hash {
    body_hash_bytes(canonical.as_bytes())
}

pub fn body_hash_bytes(canonical: &[u8]) -> Hash {
    Sha256::digest(canonical).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_bytes_are_fixed_and_length_prefixed() {
        let r = Record {
            origin: "o".into(),
            seq: 1,
            prev: [2; 32],
            tick: Some(TickRef {
                index: 3,
                hash: [4; 32],
            }),
            time_ms: 5,
            body_hash: [6; 32],
        };
        let b = r.bytes();
        assert!(b.starts_with(RECORD_LABEL));
        let rest = &b[RECORD_LABEL.len()..];
        assert_eq!(&rest[..3], &[0, 1, b'o']);
        assert_eq!(&rest[3..11], &1u64.to_be_bytes());
        assert_eq!(rest.len(), 3 + 8 + 32 + 1 + 8 + 32 + 8 + 32);
        let mut none = r.clone();
        none.tick = None;
        assert_eq!(none.bytes().len(), b.len() - 40);
        assert_ne!(none.leaf(), r.leaf());
    }
}
