//! C2SP `signed-note` keys and signatures, and `tlog-checkpoint` bodies: the text forms that
//! let anyone check a stream's signed heads with nothing but the public key string.

use std::fmt::Write as _;

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::Signer as _;
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use super::merkle::Hash;

/// The signature type of Ed25519 in signed notes.
const ED25519: u8 = 0x01;

/// The 4-byte key id: SHA-256(name || "\n" || type || public key)[..4].
pub fn key_id(name: &str, public: &[u8; 32]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([ED25519]);
    h.update(public);
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

/// The longest origin: records hold it behind a 16-bit length.
pub const MAX_NAME: usize = u16::MAX as usize;

fn check_name(name: &str) -> anyhow::Result<()> {
    if name.len() > MAX_NAME {
        bail!(
            "a key name of {} bytes is too long (at most {MAX_NAME})",
            name.len()
        );
    }
    if name.is_empty()
        || name.contains(['+', ' ', '\n'])
        || !name.chars().all(|c| c.is_ascii_graphic())
    {
        bail!("'{name}' cannot name a key: printable ASCII without spaces or +");
    }
    Ok(())
}

/// A stream's signing key and its name (the stream's origin).
pub struct Signer {
    pub name: String,
    key: SigningKey,
}

impl Signer {
    /// A new random key for `name`.
    pub fn generate(name: &str) -> anyhow::Result<Signer> {
        check_name(name)?;
        let mut seed = [0u8; 32];
        crate::sys::random_bytes(&mut seed).context("cannot get random bytes for a key")?;
        Ok(Signer {
            name: name.to_string(),
            key: SigningKey::from_bytes(&seed),
        })
    }

    /// Reads `PRIVATE+KEY+name+keyid+base64`.
    pub fn parse(text: &str) -> anyhow::Result<Signer> {
        let parts: Vec<&str> = text.trim().splitn(5, '+').collect();
        let [p, k, name, id, b64] = parts[..] else {
            bail!("not a signer key (PRIVATE+KEY+name+keyid+key)");
        };
        if p != "PRIVATE" || k != "KEY" {
            bail!("not a signer key (PRIVATE+KEY+name+keyid+key)");
        }
        let raw = B64.decode(b64).context("the key is not base64")?;
        let (Some(&ED25519), Ok(seed)) =
            (raw.first(), <[u8; 32]>::try_from(&raw[1.min(raw.len())..]))
        else {
            bail!("not an Ed25519 signer key");
        };
        let key = SigningKey::from_bytes(&seed);
        let signer = Signer {
            name: name.to_string(),
            key,
        };
        if hex(&key_id(name, &signer.public())) != id {
            bail!("the key id {id} does not match the key");
        }
        Ok(signer)
    }

    pub fn public(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    /// `PRIVATE+KEY+name+keyid+base64(0x01 || seed)`.
    pub fn encode(&self) -> String {
        let mut raw = vec![ED25519];
        raw.extend_from_slice(&self.key.to_bytes());
        format!(
            "PRIVATE+KEY+{}+{}+{}",
            self.name,
            hex(&key_id(&self.name, &self.public())),
            B64.encode(raw)
        )
    }

    pub fn verifier(&self) -> Verifier {
        Verifier {
            name: self.name.clone(),
            key: self.key.verifying_key(),
        }
    }

    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.key.sign(msg).to_bytes()
    }

    /// A signed note of `text` (which must end with a newline).
    pub fn sign_note(&self, text: &str) -> String {
        let sig = self.sign(text.as_bytes());
        let mut blob = key_id(&self.name, &self.public()).to_vec();
        blob.extend_from_slice(&sig);
        format!("{text}\n\u{2014} {} {}\n", self.name, B64.encode(blob))
    }
}

/// A public key string: `name+keyid+base64(0x01 || key)`.
#[derive(Debug, Clone)]
pub struct Verifier {
    pub name: String,
    key: VerifyingKey,
}

impl Verifier {
    pub fn parse(text: &str) -> anyhow::Result<Verifier> {
        let parts: Vec<&str> = text.trim().splitn(3, '+').collect();
        let [name, id, b64] = parts[..] else {
            bail!("not a verifier key (name+keyid+key)");
        };
        let raw = B64.decode(b64).context("the key is not base64")?;
        let (Some(&ED25519), Ok(public)) =
            (raw.first(), <[u8; 32]>::try_from(&raw[1.min(raw.len())..]))
        else {
            bail!("not an Ed25519 verifier key");
        };
        if hex(&key_id(name, &public)) != id {
            bail!("the key id {id} does not match the key");
        }
        Verifier::from_public(name, &public)
    }

    /// The verifier of `name` with the raw Ed25519 public key `public`.
    pub fn from_public(name: &str, public: &[u8; 32]) -> anyhow::Result<Verifier> {
        Ok(Verifier {
            name: name.to_string(),
            key: VerifyingKey::from_bytes(public).context("not a valid Ed25519 public key")?,
        })
    }

    pub fn public(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    pub fn encode(&self) -> String {
        let mut raw = vec![ED25519];
        raw.extend_from_slice(&self.public());
        format!(
            "{}+{}+{}",
            self.name,
            hex(&key_id(&self.name, &self.public())),
            B64.encode(raw)
        )
    }

    pub fn verify(&self, msg: &[u8], sig: &[u8; 64]) -> bool {
        self.key
            .verify_strict(msg, &Signature::from_bytes(sig))
            .is_ok()
    }

    /// The text of a signed note if it carries a valid signature by this key.
    pub fn open_note<'n>(&self, note: &'n str) -> anyhow::Result<&'n str> {
        let split = note
            .rfind("\n\n")
            .context("a signed note needs a blank line before its signatures")?;
        let (text, sigs) = (&note[..split + 1], &note[split + 2..]);
        let id = key_id(&self.name, &self.public());
        for line in sigs.lines() {
            let Some(rest) = line.strip_prefix("\u{2014} ") else {
                bail!("a signature line must start with an em dash");
            };
            let Some((name, b64)) = rest.rsplit_once(' ') else {
                continue;
            };
            if name != self.name {
                continue;
            }
            let blob = B64.decode(b64).context("a signature is not base64")?;
            if blob.len() != 68 || blob[..4] != id {
                continue;
            }
            let sig: [u8; 64] = blob[4..].try_into().unwrap_or([0; 64]);
            if self.verify(text.as_bytes(), &sig) {
                return Ok(text);
            }
            bail!("the signature of {name} does not verify");
        }
        bail!("the note has no signature by {}", self.name)
    }
}

/// The signature blob (key id and signature) of the first signature line of a signed note.
pub fn signature_blob(note: &str) -> Option<Vec<u8>> {
    let split = note.rfind("\n\n")?;
    let line = note[split + 2..].lines().next()?;
    let (_, b64) = line.strip_prefix("\u{2014} ")?.rsplit_once(' ')?;
    B64.decode(b64).ok()
}

/// A checkpoint body: origin, tree size and root, each on its own line.
pub fn checkpoint_text(origin: &str, size: u64, root: &Hash) -> String {
    format!("{origin}\n{size}\n{}\n", B64.encode(root))
}

/// Origin, size and root of a checkpoint body.
pub fn parse_checkpoint(text: &str) -> anyhow::Result<(String, u64, Hash)> {
    let mut lines = text.lines();
    let origin = lines
        .next()
        .context("a checkpoint needs an origin line")?
        .to_string();
    let size = lines
        .next()
        .and_then(|l| l.parse().ok())
        .context("a checkpoint needs a size line")?;
    let root = lines
        .next()
        .and_then(|l| B64.decode(l).ok())
        .and_then(|r| <Hash>::try_from(r.as_slice()).ok())
        .context("a checkpoint needs a base64 root hash line")?;
    Ok((origin, size, root))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A 32-byte hash written as hex in member `k` of an exported line.
pub fn hash_field(v: &crate::json::Value<'_>, k: &str) -> Option<Hash> {
    unhex(v.member(k)?.as_str()?)?.try_into().ok()
}

/// A non-negative integer in member `k` of an exported line.
pub fn uint_field(v: &crate::json::Value<'_>, k: &str) -> Option<u64> {
    match v.member(k)? {
        crate::json::Value::Number(n) => n.as_i64().and_then(|i| u64::try_from(i).ok()),
        _ => None,
    }
}

pub fn b64(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_ids_check() {
        let s = Signer::generate("example.org/stream").unwrap();
        let again = Signer::parse(&s.encode()).unwrap();
        assert_eq!(again.public(), s.public());
        let v = Verifier::parse(&s.verifier().encode()).unwrap();
        assert_eq!(v.public(), s.public());
        let mut bad = s.verifier().encode();
        bad.replace_range(bad.find('+').unwrap() + 1..bad.find('+').unwrap() + 3, "zz");
        assert!(Verifier::parse(&bad).is_err());
        assert!(Signer::generate("has space").is_err());
    }

    #[test]
    fn notes_sign_and_verify() {
        let s = Signer::generate("origin").unwrap();
        let text = checkpoint_text("origin", 3, &[7; 32]);
        let note = s.sign_note(&text);
        assert!(note.starts_with("origin\n3\n"));
        assert!(note.contains("\n\n\u{2014} origin "));
        let v = s.verifier();
        assert_eq!(v.open_note(&note).unwrap(), text);
        let forged = note.replace("\n3\n", "\n4\n");
        assert!(v.open_note(&forged).is_err());
        let other = Signer::generate("origin").unwrap().verifier();
        assert!(other.open_note(&note).is_err());
        assert_eq!(
            parse_checkpoint(&text).unwrap(),
            ("origin".into(), 3, [7; 32])
        );
    }

    /// The signed-note example of C2SP: key id and encoding of a known key.
    #[test]
    fn hex_helpers() {
        assert_eq!(hex(&[0, 255, 16]), "00ff10");
        assert_eq!(unhex("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(unhex("0g"), None);
    }
}
