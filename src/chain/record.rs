//! Entwined records: the fixed binary form that is hashed (never JSON), the genesis hash that
//! starts a stream, and the leaf hash that both links the chain and leaves the Merkle tree.

use sha2::{Digest, Sha256};

use super::merkle::{Hash, leaf_hasher};

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

/// An origin as the record's bytes hold it: its length (u16, big-endian), then its bytes.
fn origin_parts(s: &str) -> ([u8; 2], &[u8]) {
    // Origins are key names, which keygen and key parsing hold to 65,535 bytes.
    let len = u16::try_from(s.len()).unwrap_or(u16::MAX);
    (len.to_be_bytes(), &s.as_bytes()[..len as usize])
}

impl Record {
    /// label, origin (u16 length + bytes), seq (u64), prev (32), tick (0, or 1 + index u64 +
    /// hash 32), time_ms (i64), body_hash (32); integers big-endian. Given piece by piece, so
    /// the leaf is hashed without the bytes being gathered first: the one definition of the
    /// form for both.
    fn each_part(&self, mut put: impl FnMut(&[u8])) {
        put(RECORD_LABEL);
        let (len, origin) = origin_parts(&self.origin);
        put(&len);
        put(origin);
        put(&self.seq.to_be_bytes());
        put(&self.prev);
        match &self.tick {
            None => put(&[0]),
            Some(t) => {
                put(&[1]);
                put(&t.index.to_be_bytes());
                put(&t.hash);
            }
        }
        put(&self.time_ms.to_be_bytes());
        put(&self.body_hash);
    }

    /// The bytes that are hashed into the leaf and signed.
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(RECORD_LABEL.len() + self.origin.len() + 128);
        self.each_part(|p| out.extend_from_slice(p));
        out
    }

    /// `leaf_hash(&self.bytes())`, with nothing allocated.
    pub fn leaf(&self) -> Hash {
        let mut h = leaf_hasher();
        self.each_part(|p| h.update(p));
        h.finalize().into()
    }
}

/// The `prev` of record 0: SHA-256(label || origin || public key).
pub fn genesis(origin: &str, public: &[u8; 32]) -> Hash {
    let mut buf = GENESIS_LABEL.to_vec();
    let (len, origin) = origin_parts(origin);
    buf.extend_from_slice(&len);
    buf.extend_from_slice(origin);
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
    use crate::chain::merkle::leaf_hash;

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
        for rec in [&r, &none] {
            assert_eq!(rec.leaf(), leaf_hash(&rec.bytes()), "one form for both");
        }
    }
}
