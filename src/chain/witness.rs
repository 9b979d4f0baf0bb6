//! The witness's side of anchoring (C2SP tlog-witness `add-checkpoint`): the checks a ticker
//! makes before it accepts a stream's new head, in the order and with the outcomes the spec
//! gives, and C2SP tlog-cosignature `cosignature/v1` signatures. Both the NDJSON exchange
//! (`anchor accept`) and the HTTP endpoint (`anchor serve`) use these.

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use super::merkle::{self, Hash};
use super::note::{self, Signer, Verifier};

/// The signature type of timestamped Ed25519 cosignatures (C2SP tlog-cosignature).
pub const COSIGNATURE_V1: u8 = 0x04;

/// The most consistency proof lines a request may carry (C2SP tlog-witness).
pub const MAX_PROOF: usize = 63;

/// Why a witness refuses a checkpoint, with the HTTP status C2SP tlog-witness gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The request does not parse (400).
    Malformed(String),
    /// No key is trusted for the origin (404).
    UnknownOrigin,
    /// No valid signature by the origin's key, or one that does not verify (403).
    BadSignature,
    /// The old size is beyond the checkpoint's size (400).
    OldBeyondNew,
    /// The old size is not the size last accepted for the origin (409).
    Conflict { known: u64 },
    /// A checkpoint of size 0 whose root is not the empty tree's (422).
    EmptyTreeRoot,
    /// A proof sent with old size 0 (422).
    ProofFromEmpty,
    /// The consistency proof does not verify (422).
    BadProof,
    /// The same size as accepted, with another root (422).
    Fork,
}

impl Refusal {
    pub fn reason(&self) -> String {
        match self {
            Refusal::Malformed(why) => format!("malformed request: {why}"),
            Refusal::UnknownOrigin => "unknown origin".into(),
            Refusal::BadSignature => "bad signature".into(),
            Refusal::OldBeyondNew => "old size beyond the checkpoint".into(),
            Refusal::Conflict { .. } => "old size mismatch".into(),
            Refusal::EmptyTreeRoot => "size 0 without the empty tree's root".into(),
            Refusal::ProofFromEmpty => "a proof from old size 0".into(),
            Refusal::BadProof => "bad proof".into(),
            Refusal::Fork => "fork".into(),
        }
    }

    pub fn http_status(&self) -> u16 {
        match self {
            Refusal::Malformed(_) | Refusal::OldBeyondNew => 400,
            Refusal::UnknownOrigin => 404,
            Refusal::BadSignature => 403,
            Refusal::Conflict { .. } => 409,
            Refusal::EmptyTreeRoot
            | Refusal::ProofFromEmpty
            | Refusal::BadProof
            | Refusal::Fork => 422,
        }
    }
}

/// An anchor request: the stream's signed checkpoint, the size the stream believes was last
/// accepted, and a consistency proof from it.
pub struct Request {
    pub old_size: u64,
    pub proof: Vec<Hash>,
    pub note: String,
}

/// A checkpoint a witness accepted.
#[derive(Debug)]
pub struct Accepted {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    /// The note text the cosignature covers (the checkpoint without signatures).
    pub body: String,
    /// The key id and signature of the stream's own signature line.
    pub sig: Vec<u8>,
}

/// What the witness knows: the key it trusts for an origin, and the head it last accepted.
pub trait Known {
    fn key(&self, origin: &str) -> anyhow::Result<Option<Verifier>>;
    fn head(&self, origin: &str) -> anyhow::Result<Option<(u64, Hash)>>;
}

/// The origin a note names (its first line), whatever else is wrong with it.
pub fn origin_of(note: &str) -> &str {
    note.split('\n').next().unwrap_or_default()
}

/// Runs every check of C2SP tlog-witness `add-checkpoint`, in the spec's order. The caller
/// records the head and cosigns only on `Ok`, in the same transaction as these reads.
pub fn check(req: &Request, known: &dyn Known) -> anyhow::Result<Result<Accepted, Refusal>> {
    let origin = origin_of(&req.note);
    let Some(key) = known.key(origin)? else {
        return Ok(Err(Refusal::UnknownOrigin));
    };
    let Ok(body) = key.open_note(&req.note) else {
        return Ok(Err(Refusal::BadSignature));
    };
    let (o, size, root) = match note::parse_checkpoint(body) {
        Ok(c) => c,
        Err(e) => return Ok(Err(Refusal::Malformed(format!("{e:#}")))),
    };
    if o != origin {
        return Ok(Err(Refusal::BadSignature));
    }
    if req.proof.len() > MAX_PROOF {
        return Ok(Err(Refusal::Malformed(format!(
            "more than {MAX_PROOF} proof lines"
        ))));
    }
    if req.old_size > size {
        return Ok(Err(Refusal::OldBeyondNew));
    }
    let (known_size, known_root) = known.head(origin)?.unwrap_or((0, merkle::empty_root()));
    if req.old_size != known_size {
        return Ok(Err(Refusal::Conflict { known: known_size }));
    }
    if size == 0 && root != merkle::empty_root() {
        return Ok(Err(Refusal::EmptyTreeRoot));
    }
    if req.old_size == 0 {
        if !req.proof.is_empty() {
            return Ok(Err(Refusal::ProofFromEmpty));
        }
    } else if req.old_size == size {
        if root != known_root {
            return Ok(Err(Refusal::Fork));
        }
    } else if !merkle::verify_consistency(req.old_size, size, &known_root, &root, &req.proof) {
        return Ok(Err(Refusal::BadProof));
    }
    let sig = note::signature_blob_of(&req.note, &key).unwrap_or_default();
    Ok(Ok(Accepted {
        origin: o,
        size,
        root,
        body: body.to_string(),
        sig,
    }))
}

/// Reads the body of a C2SP `add-checkpoint` request: `old N`, proof lines, a blank line,
/// then the signed checkpoint.
pub fn parse_request(body: &str) -> Result<Request, Refusal> {
    let bad = |why: &str| Refusal::Malformed(why.to_string());
    let (head, note) = body
        .split_once("\n\n")
        .ok_or_else(|| bad("no blank line before the checkpoint"))?;
    let mut lines = head.split('\n');
    let old = lines
        .next()
        .and_then(|l| l.strip_prefix("old "))
        .ok_or_else(|| bad("the first line must be 'old SIZE'"))?;
    if old.is_empty()
        || !old.bytes().all(|c| c.is_ascii_digit())
        || (old.len() > 1 && old.starts_with('0'))
    {
        return Err(bad("the old size must be decimal without a leading zero"));
    }
    let old_size = old.parse().map_err(|_| bad("the old size is too large"))?;
    let mut proof = Vec::new();
    for l in lines {
        let h = B64
            .decode(l)
            .ok()
            .and_then(|h| <Hash>::try_from(h.as_slice()).ok())
            .ok_or_else(|| bad("a proof line is not a base64 SHA-256 hash"))?;
        proof.push(h);
        if proof.len() > MAX_PROOF {
            return Err(bad("more than 63 proof lines"));
        }
    }
    Ok(Request {
        old_size,
        proof,
        note: note.to_string(),
    })
}

/// The body of a C2SP `add-checkpoint` request.
pub fn request_body(old_size: u64, proof: &[Hash], note: &str) -> String {
    let mut body = format!("old {old_size}\n");
    for h in proof {
        body.push_str(&B64.encode(h));
        body.push('\n');
    }
    body.push('\n');
    body.push_str(note);
    body
}

/// The message a `cosignature/v1` signs: the header, the time, then the checkpoint's text.
pub fn cosigned_message(timestamp: u64, body: &str) -> String {
    format!("cosignature/v1\ntime {timestamp}\n{body}")
}

/// The cosignature key id: SHA-256(name || "\n" || 0x04 || public key)[:4].
pub fn cosigner_key_id(name: &str, public: &[u8; 32]) -> [u8; 4] {
    note::key_id_for(name, COSIGNATURE_V1, public)
}

/// The witness's public key as a vkey with signature type 0x04.
pub fn cosigner_vkey(signer: &Signer) -> String {
    let public = signer.public();
    let mut raw = vec![COSIGNATURE_V1];
    raw.extend_from_slice(&public);
    format!(
        "{}+{}+{}",
        signer.name,
        note::hex(&cosigner_key_id(&signer.name, &public)),
        B64.encode(raw)
    )
}

/// A `cosignature/v1` signature line over the checkpoint text `body` at `timestamp`.
pub fn cosign(signer: &Signer, body: &str, timestamp: u64) -> String {
    let sig = signer.sign(cosigned_message(timestamp, body).as_bytes());
    let mut blob = cosigner_key_id(&signer.name, &signer.public()).to_vec();
    blob.extend_from_slice(&timestamp.to_be_bytes());
    blob.extend_from_slice(&sig);
    format!("\u{2014} {} {}\n", signer.name, B64.encode(blob))
}

/// A witness key a verifier trusts: its name and Ed25519 public key.
#[derive(Debug, Clone)]
pub struct Cosigner {
    pub name: String,
    public: [u8; 32],
    key: ed25519_dalek::VerifyingKey,
}

impl Cosigner {
    /// Reads a vkey of signature type 0x04.
    pub fn parse(text: &str) -> anyhow::Result<Cosigner> {
        let (name, public) = note::parse_vkey(text, COSIGNATURE_V1)
            .context("not a cosignature/v1 witness key (signature type 0x04, Ed25519)")?;
        Ok(Cosigner {
            name,
            public,
            key: ed25519_dalek::VerifyingKey::from_bytes(&public)
                .context("not a valid Ed25519 public key")?,
        })
    }

    /// The time of this witness's valid cosignature on the signed note, if it has one;
    /// an error when it has one that does not verify.
    pub fn cosigned(&self, signed_note: &str) -> anyhow::Result<Option<u64>> {
        let (text, sigs) = note::split_note(signed_note)?;
        let id = cosigner_key_id(&self.name, &self.public);
        for (name, blob) in sigs {
            if name != self.name || blob.len() < 4 || blob[..4] != id {
                continue;
            }
            if blob.len() != 4 + 8 + 64 {
                bail!("the cosignature of {name} is not a cosignature/v1");
            }
            let timestamp = u64::from_be_bytes(blob[4..12].try_into().unwrap_or_default());
            let sig =
                ed25519_dalek::Signature::from_bytes(&blob[12..].try_into().unwrap_or([0; 64]));
            let msg = cosigned_message(timestamp, text);
            if self.key.verify_strict(msg.as_bytes(), &sig).is_err() {
                bail!("the cosignature of {name} does not verify");
            }
            return Ok(Some(timestamp));
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake {
        key: Verifier,
        head: Option<(u64, Hash)>,
    }

    impl Known for Fake {
        fn key(&self, origin: &str) -> anyhow::Result<Option<Verifier>> {
            Ok((origin == self.key.name).then(|| self.key.clone()))
        }
        fn head(&self, _: &str) -> anyhow::Result<Option<(u64, Hash)>> {
            Ok(self.head)
        }
    }

    fn refusal(req: &Request, known: &Fake) -> Option<Refusal> {
        check(req, known).unwrap().err()
    }

    #[test]
    fn the_witness_refuses_what_tlog_witness_says_to_refuse() {
        let s = Signer::generate("log.example").unwrap();
        let leaves: Vec<Hash> = (0..8u8).map(|i| merkle::leaf_hash(&[i])).collect();
        let signed = |size: usize, root: Hash| {
            s.sign_note(&note::checkpoint_text("log.example", size as u64, &root))
        };
        let at = |n: usize| signed(n, merkle::root(&leaves[..n]));
        let none = Fake {
            key: s.verifier(),
            head: None,
        };
        let req = |old, proof: Vec<Hash>, note: String| Request {
            old_size: old,
            proof,
            note,
        };
        // Size 0 must carry the empty tree's root.
        assert_eq!(
            refusal(&req(0, vec![], signed(0, [9; 32])), &none),
            Some(Refusal::EmptyTreeRoot)
        );
        assert_eq!(refusal(&req(0, vec![], at(0)), &none), None);
        // Old size 0 takes no proof.
        assert_eq!(
            refusal(&req(0, vec![[1; 32]], at(5)), &none),
            Some(Refusal::ProofFromEmpty)
        );
        assert_eq!(refusal(&req(0, vec![], at(5)), &none), None);
        let at5 = Fake {
            key: s.verifier(),
            head: Some((5, merkle::root(&leaves[..5]))),
        };
        let proof = merkle::consistency_proof(5, &leaves);
        assert_eq!(refusal(&req(5, proof.clone(), at(8)), &at5), None);
        assert_eq!(
            refusal(&req(5, vec![[0; 32]], at(8)), &at5),
            Some(Refusal::BadProof)
        );
        assert_eq!(
            refusal(&req(3, vec![], at(8)), &at5),
            Some(Refusal::Conflict { known: 5 })
        );
        assert_eq!(
            refusal(&req(8, vec![], at(5)), &at5),
            Some(Refusal::OldBeyondNew)
        );
        assert_eq!(
            refusal(&req(5, vec![], signed(5, [3; 32])), &at5),
            Some(Refusal::Fork)
        );
        let other = Signer::generate("log.example").unwrap();
        let forged = other.sign_note(&note::checkpoint_text("log.example", 8, &[0; 32]));
        assert_eq!(
            refusal(&req(5, proof, forged), &at5),
            Some(Refusal::BadSignature)
        );
        let stranger = Signer::generate("other.example").unwrap();
        let note = stranger.sign_note(&note::checkpoint_text("other.example", 1, &[0; 32]));
        assert_eq!(
            refusal(&req(0, vec![], note), &none),
            Some(Refusal::UnknownOrigin)
        );
    }

    #[test]
    fn requests_round_trip_and_malformed_ones_are_refused() {
        let body = request_body(20, &[[1; 32], [2; 32]], "o\n1\nroot\n\n\u{2014} o sig\n");
        let req = parse_request(&body).unwrap();
        assert_eq!((req.old_size, req.proof.len()), (20, 2));
        assert_eq!(req.note, "o\n1\nroot\n\n\u{2014} o sig\n");
        for bad in [
            "old 020\n\nx",
            "old +2\n\nx",
            "new 2\n\nx",
            "old 2\nnot-base64\n\nx",
            "old 2\n",
        ] {
            assert!(parse_request(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn cosignatures_verify_and_tampering_is_caught() {
        let w = Signer::generate("witness.example/w1").unwrap();
        let c = Cosigner::parse(&cosigner_vkey(&w)).unwrap();
        let s = Signer::generate("log.example").unwrap();
        let body = note::checkpoint_text("log.example", 3, &[5; 32]);
        let note = s.sign_note(&body);
        let cosigned = format!("{note}{}", cosign(&w, &body, 1_700_000_000));
        assert_eq!(c.cosigned(&cosigned).unwrap(), Some(1_700_000_000));
        assert_eq!(c.cosigned(&note).unwrap(), None);
        let later = cosign(&w, &body, 1_700_000_001);
        let (_, b64) = later.trim_end().rsplit_once(' ').unwrap();
        let mut blob = B64.decode(b64).unwrap();
        blob[11] ^= 1;
        let tampered = format!("{note}\u{2014} witness.example/w1 {}\n", B64.encode(blob));
        assert!(c.cosigned(&tampered).is_err());
    }
}
