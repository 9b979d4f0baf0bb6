//! Event time: RFC 3339 text and epoch numbers to epoch milliseconds, and back to RFC 3339 UTC
//! with milliseconds (the only form binge writes). Calendar arithmetic is proleptic Gregorian,
//! days from civil dates by Howard Hinnant's algorithm, so no time-zone database is needed.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::json::Number;

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The unit of an epoch number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Seconds,
    Millis,
    Micros,
    Nanos,
}

impl Unit {
    /// The unit a bare epoch number most likely has: seconds up to 1e11 (year 5138), then
    /// milliseconds, microseconds and nanoseconds by the same margin.
    pub fn guess(n: f64) -> Unit {
        let a = n.abs();
        if a < 1e11 {
            Unit::Seconds
        } else if a < 1e14 {
            Unit::Millis
        } else if a < 1e17 {
            Unit::Micros
        } else {
            Unit::Nanos
        }
    }

    /// `n` of this unit in milliseconds. Multiplying by 1000 rather than dividing by 1e-3
    /// keeps fractional seconds such as 0.25 exact.
    fn to_ms(self, n: f64) -> f64 {
        match self {
            Unit::Seconds => n * 1e3,
            Unit::Millis => n,
            Unit::Micros => n / 1e3,
            Unit::Nanos => n / 1e6,
        }
    }
}

/// Epoch milliseconds from an epoch number in `unit` (guessed from its size when `None`).
/// Integers are converted exactly, so nanosecond times keep every millisecond.
pub fn epoch_to_ms(n: &Number<'_>, unit: Option<Unit>) -> Option<i64> {
    let f = n.as_f64();
    if !f.is_finite() {
        return None;
    }
    let unit = unit.unwrap_or_else(|| Unit::guess(f));
    if let Some(i) = n.as_i64() {
        return match unit {
            Unit::Seconds => i.checked_mul(1000),
            Unit::Millis => Some(i),
            Unit::Micros => Some(i.div_euclid(1000)),
            Unit::Nanos => Some(i.div_euclid(1_000_000)),
        };
    }
    let ms = unit.to_ms(f).floor();
    (ms.abs() < 9e15).then_some(ms as i64)
}

/// Epoch milliseconds from RFC 3339 text such as `2024-05-01T12:30:00.250+02:00`. A space may
/// stand for the `T`; the offset is required (`Z` or `±HH:MM`).
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.trim().as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let d = b.get(r)?;
        if d.iter().all(u8::is_ascii_digit) {
            Some(d.iter().fold(0, |a, &c| a * 10 + i64::from(c - b'0')))
        } else {
            None
        }
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || min > 59
        || sec > 60
    {
        return None;
    }
    let mut i = 19;
    let mut ms = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
        let frac = &b[start..i.min(start + 3)];
        ms = frac.iter().fold(0, |a, &c| a * 10 + i64::from(c - b'0'));
        ms *= 10i64.pow(3 - frac.len() as u32);
    }
    let offset_min = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let (h, m) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            if h > 23 || m > 59 {
                return None;
            }
            let off = h * 60 + m;
            if *sign == b'-' { -off } else { off }
        }
        _ => return None,
    };
    // A leap second is folded into the next second's start.
    let secs =
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + min * 60 + sec - offset_min * 60;
    Some(secs * 1000 + ms)
}

/// RFC 3339 UTC text with milliseconds: `2024-05-01T10:30:00.250Z`.
pub fn format_rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let milli = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{milli:03}Z",
        sod / 3600,
        sod / 60 % 60,
        sod % 60
    )
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a civil date.
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a count of days since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_parses_with_offsets_and_fractions() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339("2024-05-01T12:30:00.25+02:00"),
            Some(1_714_559_400_250)
        );
        assert_eq!(
            parse_rfc3339("2024-05-01 10:30:00.250999z"),
            Some(1_714_559_400_250)
        );
        assert_eq!(parse_rfc3339("1969-12-31T23:59:59.999Z"), Some(-1));
        assert_eq!(
            parse_rfc3339("2000-02-29T00:00:00-00:30"),
            Some(951_784_200_000)
        );
    }

    #[test]
    fn rfc3339_rejects_what_is_not_a_time() {
        for bad in [
            "",
            "2024-05-01",
            "2024-05-01T12:30:00",
            "2024-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-05-01T24:00:00Z",
            "2024-05-01T12:30:00.Z",
            "2024-05-01T12:30:00+0200",
            "2024-05-01T12:30:00Zjunk",
            "hello world, not a date",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn format_round_trips() {
        for ms in [
            0,
            -1,
            1_714_559_400_250,
            253_402_300_799_999,
            -62_135_596_800_000,
        ] {
            assert_eq!(parse_rfc3339(&format_rfc3339(ms)), Some(ms), "{ms}");
        }
        assert_eq!(
            format_rfc3339(1_714_559_400_250),
            "2024-05-01T10:30:00.250Z"
        );
    }

    #[test]
    fn epoch_units_are_guessed_from_magnitude() {
        let ms = 1_714_559_400_250;
        let float = |f: f64| epoch_to_ms(&Number::Float(f), None);
        let int = |i: i64| epoch_to_ms(&Number::Int(i), None);
        assert_eq!(float(1_714_559_400.25), Some(ms));
        assert_eq!(int(1_714_559_400), Some(ms - 250));
        assert_eq!(int(ms), Some(ms));
        assert_eq!(int(1_714_559_400_250_999), Some(ms));
        assert_eq!(int(1_714_559_400_250_999_999), Some(ms));
        assert_eq!(int(-1), Some(-1000));
        assert_eq!(epoch_to_ms(&Number::Int(5), Some(Unit::Millis)), Some(5));
        assert_eq!(float(f64::NAN), None);
    }
}
