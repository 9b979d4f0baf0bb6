//! What binge asks of the operating system besides files: the host name, randomness and
//! time-ordered identifiers (UUIDv7, RFC 9562).

use std::sync::Mutex;

use crate::time::now_ms;

/// The machine's host name, or `localhost` when the system will not say.
pub fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its whole length, and gethostname writes at most that much.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return "localhost".to_string();
    }
    let len = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..len]).into_owned()
}

/// Fills `buf` from the system's secure random source.
pub fn random_bytes(buf: &mut [u8]) -> std::io::Result<()> {
    getrandom::fill(buf).map_err(|e| std::io::Error::other(e.to_string()))
}

/// The last UUIDv7 handed out: its millisecond and its 12-bit counter.
static LAST_UUID: Mutex<(i64, u16)> = Mutex::new((0, 0));

/// A new UUIDv7 in its text form. Within one process the values strictly increase, even
/// within one millisecond (RFC 9562 §6.2 method 1: a counter in `rand_a`, seeded at random).
pub fn uuid7() -> String {
    let mut rnd = [0u8; 10];
    // The secure source only fails on a broken system; a UUID is then still unique enough from
    // the clock and counter.
    let _ = random_bytes(&mut rnd);
    let (ms, counter) = {
        let mut last = LAST_UUID.lock().unwrap_or_else(|e| e.into_inner());
        let now = now_ms();
        if now > last.0 {
            // Start low in the counter space so a burst has room to count up.
            *last = (now, u16::from_be_bytes([rnd[0], rnd[1]]) & 0x07ff);
        } else if last.1 >= 0x0fff {
            *last = (last.0 + 1, 0);
        } else {
            last.1 += 1;
        }
        *last
    };
    let mut b = [0u8; 16];
    b[..6].copy_from_slice(&ms.to_be_bytes()[2..]);
    b[6] = 0x70 | (counter >> 8) as u8;
    b[7] = counter as u8;
    b[8..].copy_from_slice(&rnd[2..]);
    b[8] = 0x80 | (b[8] & 0x3f);
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid7_has_version_variant_and_order() {
        let ids: Vec<String> = (0..5000).map(|_| uuid7()).collect();
        for id in &ids {
            assert_eq!(id.len(), 36);
            assert_eq!(&id[14..15], "7");
            assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "{id}");
        }
        for pair in ids.windows(2) {
            assert!(pair[0] < pair[1], "{} !< {}", pair[0], pair[1]);
        }
    }

    #[test]
    fn hostname_is_not_empty() {
        assert!(!hostname().is_empty());
    }
}
