//! C2SP `signed-note` keys and signatures, and `tlog-checkpoint` bodies: the text forms that
//! let anyone check a stream's signed heads with nothing but the public key string.

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::Signer as _;
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use super::merkle::Hash;

/// The signature type of Ed25519 in signed notes.
const ED25519: u8 = 0x01;

/// The 4-byte key id of an Ed25519 signing key.
pub fn key_id(name: &str, public: &[u8; 32]) -> [u8; 4] {
    key_id_for(name, ED25519, public)
}

/// The 4-byte key id: SHA-256(name || "\n" || signature type || public key)[..4].
pub fn key_id_for(name: &str, sig_type: u8, public: &[u8; 32]) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update([sig_type]);
    h.update(public);
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

/// Reads a verifier key string `name+keyid+base64(type || key)` of signature type `sig_type`
/// (an Ed25519 key): its name and public key, after every rule of C2SP signed-note.
pub fn parse_vkey(text: &str, sig_type: u8) -> anyhow::Result<(String, [u8; 32])> {
    let parts: Vec<&str> = text.trim().splitn(3, '+').collect();
    let [name, id, b64] = parts[..] else {
        bail!("not a verifier key (name+keyid+key)");
    };
    if !valid_key_name(name) {
        bail!("'{name}' cannot name a key: no spaces or +, and not empty");
    }
    if id.len() != 8 || !id.bytes().all(|c| c.is_ascii_hexdigit()) {
        bail!("the key id {id} is not 8 hex digits");
    }
    let raw = B64.decode(b64).context("the key is not base64")?;
    let (Some(&t), Ok(public)) = (raw.first(), <[u8; 32]>::try_from(&raw[1.min(raw.len())..]))
    else {
        bail!("not an Ed25519 verifier key");
    };
    if t != sig_type {
        bail!("a key of signature type {t:#04x}, not {sig_type:#04x}");
    }
    if hex(&key_id_for(name, sig_type, &public)) != id {
        bail!("the key id {id} does not match the key");
    }
    Ok((name.to_string(), public))
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

/// C2SP signed-note: a key name is non-empty and holds no Unicode space and no `+`.
fn valid_key_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// The most signature lines a note may carry (C2SP asks for at least 16; Go's note takes 100).
const MAX_SIGNATURES: usize = 100;

impl Verifier {
    pub fn parse(text: &str) -> anyhow::Result<Verifier> {
        let (name, public) = parse_vkey(text, ED25519)?;
        Verifier::from_public(&name, &public)
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

    /// The text of a signed note if it is well formed (C2SP signed-note) and carries a valid
    /// signature by this key. Signatures by other keys are skipped; one by this key that does
    /// not verify rejects the note.
    pub fn open_note<'n>(&self, note: &'n str) -> anyhow::Result<&'n str> {
        let (text, sigs) = split_note(note)?;
        let id = key_id(&self.name, &self.public());
        for (name, blob) in sigs {
            if name != self.name || blob.len() < 4 || blob[..4] != id {
                continue;
            }
            let Ok(sig) = <[u8; 64]>::try_from(&blob[4..]) else {
                bail!("the signature of {name} is not an Ed25519 signature");
            };
            if self.verify(text.as_bytes(), &sig) {
                return Ok(text);
            }
            bail!("the signature of {name} does not verify");
        }
        bail!("the note has no signature by {}", self.name)
    }
}

/// A signature line of a note: the key name, and the key id followed by the signature.
pub type NoteSignature<'n> = (&'n str, Vec<u8>);

/// Splits a signed note into its text (with its final newline) and its signatures (key name
/// and decoded key id and signature), checking every rule of C2SP signed-note on the way.
pub fn split_note(note: &str) -> anyhow::Result<(&str, Vec<NoteSignature<'_>>)> {
    if let Some(c) = note.chars().find(|&c| c < ' ' && c != '\n') {
        bail!(
            "a signed note must not hold ASCII control characters (found U+{:04X})",
            c as u32
        );
    }
    if !note.ends_with('\n') {
        bail!("a signed note must end with a newline");
    }
    let split = note
        .rfind("\n\n")
        .context("a signed note needs a blank line before its signatures")?;
    let (text, sigs) = (&note[..split + 1], &note[split + 2..]);
    if text.len() < 2 {
        bail!("a signed note's text must not be empty");
    }
    let mut found = Vec::new();
    for line in sigs.strip_suffix('\n').unwrap_or(sigs).split('\n') {
        let Some(rest) = line.strip_prefix("\u{2014} ") else {
            bail!("a signature line must be an em dash, a space, a key name, a space and base64");
        };
        let Some((name, b64)) = rest.split_once(' ') else {
            bail!("a signature line needs a key name and a signature");
        };
        if !valid_key_name(name) {
            bail!("'{name}' is not a key name");
        }
        let blob = B64.decode(b64).context("a signature is not base64")?;
        if blob.len() < 5 {
            bail!("a signature of {name} is too short to hold a key id and a signature");
        }
        found.push((name, blob));
        if found.len() > MAX_SIGNATURES {
            bail!("a signed note with more than {MAX_SIGNATURES} signatures");
        }
    }
    Ok((text, found))
}

/// The signature blob (key id and signature) of `key`'s signature line in a signed note.
pub fn signature_blob_of(note: &str, key: &Verifier) -> Option<Vec<u8>> {
    let id = key_id(&key.name, &key.public());
    let (_, sigs) = split_note(note).ok()?;
    sigs.into_iter()
        .find(|(name, blob)| *name == key.name && blob.len() >= 4 && blob[..4] == id)
        .map(|(_, blob)| blob)
}

/// The signature blob (key id and signature) of the first signature line of a signed note.
pub fn signature_blob(note: &str) -> Option<Vec<u8>> {
    let (_, sigs) = split_note(note).ok()?;
    sigs.into_iter().next().map(|(_, blob)| blob)
}

/// A checkpoint body: origin, tree size and root, each on its own line.
pub fn checkpoint_text(origin: &str, size: u64, root: &Hash) -> String {
    format!("{origin}\n{size}\n{}\n", B64.encode(root))
}

/// Origin, size and root of a checkpoint body, read by the rules of C2SP tlog-checkpoint:
/// at least three lines, each ending in a newline; a non-empty origin; a size in decimal
/// without sign or leading zeros; a base64 SHA-256 root; extension lines, if any, not empty.
pub fn parse_checkpoint(text: &str) -> anyhow::Result<(String, u64, Hash)> {
    let Some(body) = text.strip_suffix('\n') else {
        bail!("a checkpoint must end with a newline");
    };
    let mut lines = body.split('\n');
    let origin = lines.next().unwrap_or_default();
    if origin.is_empty() {
        bail!("a checkpoint needs an origin line");
    }
    let size_text = lines.next().context("a checkpoint needs a size line")?;
    let canonical = !size_text.is_empty()
        && size_text.bytes().all(|c| c.is_ascii_digit())
        && (size_text == "0" || !size_text.starts_with('0'));
    let size = size_text
        .parse()
        .ok()
        .filter(|_| canonical)
        .with_context(|| {
            format!("a checkpoint's size must be decimal digits without a leading zero, not '{size_text}'")
        })?;
    let root = lines
        .next()
        .and_then(|l| B64.decode(l).ok())
        .and_then(|r| <Hash>::try_from(r.as_slice()).ok())
        .context("a checkpoint needs a base64 root hash line")?;
    if lines.any(str::is_empty) {
        bail!("a checkpoint's extension lines must not be empty");
    }
    Ok((origin.to_string(), size, root))
}

pub fn hex(bytes: &[u8]) -> String {
    const_hex::encode(bytes)
}

/// Appends `bytes` in lowercase hex to `out`.
pub fn hex_into(bytes: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + bytes.len() * 2, 0);
    const_hex::encode_to_slice(bytes, &mut out[start..]).expect("room for two digits a byte");
}

/// Decodes hex `text` (either case) into `out`, which it must fill exactly; false if it does
/// not or holds anything but hex digits. const-hex decodes with SIMD: verify reads three
/// hashes a record, and decoding them by table was a twelfth of its time. const-hex also
/// takes a `0x` prefix, which the length check here leaves no room for.
pub fn unhex_into(text: &[u8], out: &mut [u8]) -> bool {
    text.len() == out.len() * 2 && const_hex::decode_to_slice(text, out).is_ok()
}

pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let mut out = vec![0; text.len() / 2];
    unhex_into(text.as_bytes(), &mut out).then_some(out)
}

/// A 32-byte hash written as hex in member `k` of an exported line.
pub fn hash_field(v: &crate::json::Value<'_>, k: &str) -> Option<Hash> {
    hash(v.member(k))
}

/// A value as a 32-byte hash written as hex, as [`hash_field`] reads a member.
pub fn hash(v: Option<&crate::json::Value<'_>>) -> Option<Hash> {
    let mut hash = [0; 32];
    unhex_into(v?.as_str()?.as_bytes(), &mut hash).then_some(hash)
}

/// A list of 32-byte hashes written as hex in member `k` of an exported line.
pub fn hashes_field(v: &crate::json::Value<'_>, k: &str) -> Option<Vec<Hash>> {
    match v.member(k)? {
        crate::json::Value::Array(items) => items
            .iter()
            .map(|h| unhex(h.as_str()?)?.try_into().ok())
            .collect(),
        _ => None,
    }
}

/// A non-negative integer in member `k` of an exported line.
pub fn uint_field(v: &crate::json::Value<'_>, k: &str) -> Option<u64> {
    uint(v.member(k))
}

/// A value as an unsigned integer, as [`uint_field`] reads a member.
pub fn uint(v: Option<&crate::json::Value<'_>>) -> Option<u64> {
    match v? {
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

    /// A note signed as given, whatever its text: what a careless or hostile signer makes.
    fn raw_note(s: &Signer, text: &str) -> String {
        let mut blob = key_id(&s.name, &s.public()).to_vec();
        blob.extend_from_slice(&s.sign(text.as_bytes()));
        format!("{text}\n\u{2014} {} {}\n", s.name, B64.encode(blob))
    }

    #[test]
    fn notes_break_no_rule_of_signed_note() {
        let s = Signer::generate("origin").unwrap();
        let v = s.verifier();
        let root = B64.encode([7; 32]);
        let refused = |note: &str, why: &str| {
            let err = format!("{:#}", v.open_note(note).unwrap_err());
            assert!(err.contains(why), "{note:?}: {err}");
        };
        // Control characters: a tab, a carriage return.
        refused(
            &raw_note(&s, &format!("origin\t\n3\n{root}\n")),
            "control characters",
        );
        refused(
            &raw_note(&s, &format!("origin\r\n3\n{root}\n")),
            "control characters",
        );
        // No final newline after the signatures.
        let good = raw_note(&s, &format!("origin\n3\n{root}\n"));
        refused(good.trim_end(), "end with a newline");
        // A signature line that is not one.
        refused(&format!("{good}- origin AAAA\n"), "em dash");
        refused(
            &format!("{good}\u{2014} origin\n"),
            "key name and a signature",
        );
        refused(
            &format!("{good}\u{2014} or+igin AAAAAAAA\n"),
            "not a key name",
        );
        refused(&format!("{good}\u{2014} other AAA\n"), "not base64");
        // A signature by this key that does not verify rejects the note, even beside a good
        // one; one by an unknown key is skipped.
        let forged = good.replace("\n3\n", "\n4\n");
        refused(&forged, "does not verify");
        let other = Signer::generate("other").unwrap();
        let with_other = format!(
            "{good}{}",
            raw_note(&other, "x\n").rsplit_once("\n\n").unwrap().1
        );
        assert!(v.open_note(&with_other).is_ok());
        assert!(v.open_note(&good).is_ok());
    }

    #[test]
    fn checkpoints_break_no_rule_of_tlog_checkpoint() {
        let root = B64.encode([7; 32]);
        let ok = |t: &str| parse_checkpoint(t).unwrap();
        assert_eq!(ok(&format!("o\n80\n{root}\n")).1, 80);
        assert_eq!(ok(&format!("o\n0\n{root}\n")).1, 0);
        assert_eq!(ok(&format!("o\n1\n{root}\next\n")).1, 1);
        for (text, why) in [
            (format!("o\n080\n{root}\n"), "leading zero"),
            (format!("o\n+80\n{root}\n"), "leading zero"),
            (format!("o\n-1\n{root}\n"), "leading zero"),
            (format!("o\n 8\n{root}\n"), "leading zero"),
            (format!("o\n8\n{root}\n\n"), "extension lines"),
            (format!("o\n8\n{root}\na\n\nb\n"), "extension lines"),
            (format!("\n8\n{root}\n"), "origin"),
            (format!("o\n8\n{root}"), "newline"),
            ("o\n8\nAAAA\n".to_string(), "root hash"),
            ("o\n8\n".to_string(), "root hash"),
        ] {
            let err = format!("{:#}", parse_checkpoint(&text).unwrap_err());
            assert!(err.contains(why), "{text:?}: {err}");
        }
    }

    #[test]
    fn key_strings_break_no_rule_of_signed_note() {
        let s = Signer::generate("example.org/s").unwrap();
        let good = s.verifier().encode();
        assert!(Verifier::parse(&good).is_ok());
        let (_, rest) = good.split_once('+').unwrap();
        for bad in [
            format!("+{rest}"),
            format!("has space+{rest}"),
            good.replacen('+', "+0", 1),
            good.replace(&good[good.rfind('+').unwrap() + 1..], "AQ=="),
        ] {
            assert!(Verifier::parse(&bad).is_err(), "{bad}");
        }
    }

    /// The signed-note example of C2SP: key id and encoding of a known key.
    #[test]
    fn hex_helpers() {
        assert_eq!(hex(&[0, 255, 16]), "00ff10");
        assert_eq!(unhex("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(unhex("0g"), None);
        assert_eq!(unhex("AbCd"), Some(vec![0xab, 0xcd]));
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
        assert_eq!(unhex(""), Some(vec![]));
        let mut short = [0; 2];
        assert!(!unhex_into(b"abcdef", &mut short));
        // A prefix is not hex, and a hash is exactly its digits.
        assert!(!unhex_into(b"0xab", &mut short));
        assert!(!unhex_into(b"0xabcd", &mut short));
        let mut hash = [0; 32];
        let digits = "00ff10".repeat(10) + "abcd";
        assert!(unhex_into(digits.as_bytes(), &mut hash));
        assert_eq!(hex(&hash), digits);
        assert!(!unhex_into(
            format!("0x{}", &digits[2..]).as_bytes(),
            &mut hash
        ));
        assert!(!unhex_into(digits.replace('f', "g").as_bytes(), &mut hash));
        let mut out = b"<".to_vec();
        hex_into(&[1, 0xfe], &mut out);
        assert_eq!(out, b"<01fe");
    }
}
