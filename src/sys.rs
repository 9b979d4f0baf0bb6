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

/// The wait before retry number `attempt` (from 1): `min` doubling per attempt up to `max`,
/// with jitter taking up to half of it off, so many clients do not come back at once.
pub fn backoff(
    min: std::time::Duration,
    max: std::time::Duration,
    attempt: u32,
) -> std::time::Duration {
    let base = min
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(20))
        .min(max);
    let mut r = [0u8; 2];
    let _ = random_bytes(&mut r);
    let half = base.as_millis() as u64 / 2;
    let jitter = u64::from(u16::from_le_bytes(r)) % (half + 1);
    std::time::Duration::from_millis(base.as_millis() as u64 - half + jitter)
}

/// The last UUIDv7 handed out: its millisecond and its 12-bit counter, and random bytes fetched
/// from the system in blocks (one syscall per 409 ids instead of one per id).
struct Uuids {
    last: (i64, u16),
    pool: [u8; 4096],
    used: usize,
}

static UUIDS: Mutex<Uuids> = Mutex::new(Uuids {
    last: (0, 0),
    pool: [0; 4096],
    used: 4096,
});

/// A new UUIDv7 in its text form. Within one process the values strictly increase, even
/// within one millisecond (RFC 9562 §6.2 method 1: a counter in `rand_a`, seeded at random).
pub fn uuid7() -> String {
    let mut rnd = [0u8; 10];
    let (ms, counter) = {
        let mut u = UUIDS.lock().unwrap_or_else(|e| e.into_inner());
        if u.used + rnd.len() > u.pool.len() {
            // The secure source only fails on a broken system; a UUID is then still unique
            // enough from the clock and counter.
            let _ = random_bytes(&mut u.pool);
            u.used = 0;
        }
        let at = u.used;
        rnd.copy_from_slice(&u.pool[at..at + 10]);
        u.used += 10;
        let now = now_ms();
        if now > u.last.0 {
            // Start low in the counter space so a burst has room to count up.
            u.last = (now, u16::from_be_bytes([rnd[0], rnd[1]]) & 0x07ff);
        } else if u.last.1 >= 0x0fff {
            u.last = (u.last.0 + 1, 0);
        } else {
            u.last.1 += 1;
        }
        u.last
    };
    let mut b = [0u8; 16];
    b[..6].copy_from_slice(&ms.to_be_bytes()[2..]);
    b[6] = 0x70 | (counter >> 8) as u8;
    b[7] = counter as u8;
    b[8..].copy_from_slice(&rnd[2..]);
    b[8] = 0x80 | (b[8] & 0x3f);
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(36);
    for (i, x) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        text.push(HEX[usize::from(x >> 4)] as char);
        text.push(HEX[usize::from(x & 15)] as char);
    }
    text
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
