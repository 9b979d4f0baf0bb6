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

/// RFC 3339 text, where a missing offset means the `--tz` zone.
pub fn parse_rfc3339_in_zone(s: &str) -> Option<i64> {
    parse_rfc3339(s).or_else(|| {
        let civil = parse_rfc3339(&format!("{}Z", s.trim()))?;
        with_zone(|z| civil_to_ms(civil, z))
    })
}

/// An event time held in a value: RFC 3339 text (no offset: the `--tz` zone) or an epoch
/// number in `unit` (guessed from its size when `None`).
pub fn from_value(v: &crate::json::Value<'_>, unit: Option<Unit>) -> Option<i64> {
    match v {
        crate::json::Value::String(s) => parse_rfc3339_in_zone(s),
        crate::json::Value::Number(n) => epoch_to_ms(n, unit),
        _ => None,
    }
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

/// Epoch milliseconds from `text` read with a strftime-style `format`:
///
/// `%Y` year, `%y` two-digit year (69-99: 19xx), `%m` month, `%d`/`%e` day, `%H` hour,
/// `%I` hour (1-12, with `%p` AM/PM), `%M` minute, `%S` second, `%f` fraction of a second
/// (any number of digits), `%b`/`%h`/`%B` month name, `%a`/`%A` weekday name (checked loosely,
/// not used), `%j` day of the year, `%z` offset (`Z`, `+hhmm`, `+hh:mm`), `%Z` zone name (UTC,
/// GMT or Z only), `%s` epoch seconds, `%T` = `%H:%M:%S`, `%F` = `%Y-%m-%d`, `%D` =
/// `%m/%d/%y`, `%%` a percent sign. A space matches any run of blanks, so `%b %e` reads both
/// `Jul 13` and `Jul  3`. Without `%z` the time is in the `--tz` zone; without a year,
/// `default_year`.
pub fn parse_with_format(text: &str, format: &str, default_year: i64) -> Option<i64> {
    let mut p = FormatParser {
        s: text.trim().as_bytes(),
        i: 0,
    };
    let mut t = Fields {
        year: default_year,
        month: 1,
        day: 1,
        ..Fields::default()
    };
    let expanded = format
        .replace("%T", "%H:%M:%S")
        .replace("%F", "%Y-%m-%d")
        .replace("%D", "%m/%d/%y");
    let f = expanded.as_bytes();
    let mut k = 0;
    while k < f.len() {
        let c = f[k];
        k += 1;
        if c.is_ascii_whitespace() {
            p.blanks();
            continue;
        }
        if c != b'%' {
            p.byte(c)?;
            continue;
        }
        let spec = *f.get(k)?;
        k += 1;
        match spec {
            b'Y' => t.year = p.signed_int(1, 6)?,
            b'y' => {
                let y = p.int(2, 2)?;
                t.year = if y >= 69 { 1900 + y } else { 2000 + y };
            }
            b'm' => t.month = p.int(1, 2)?,
            b'd' | b'e' => {
                p.blanks();
                t.day = p.int(1, 2)?;
            }
            b'H' => t.hour = p.int(1, 2)?,
            b'I' => {
                t.hour = p.int(1, 2)?;
                t.twelve = true;
            }
            b'p' => t.pm = Some(p.word(&["am", "pm"])? == 1),
            b'M' => t.min = p.int(1, 2)?,
            b'S' => t.sec = p.int(1, 2)?,
            b'f' => {
                let start = p.i;
                let digits = p.int(1, 18).map(|_| &p.s[start..p.i])?;
                let ms: i64 = digits
                    .iter()
                    .chain(b"000".iter())
                    .take(3)
                    .fold(0, |a, &d| a * 10 + i64::from(d - b'0'));
                t.ms = ms;
            }
            b'b' | b'h' | b'B' => t.month = p.month()?,
            b'a' | b'A' => {
                p.word(&[
                    "monday",
                    "tuesday",
                    "wednesday",
                    "thursday",
                    "friday",
                    "saturday",
                    "sunday",
                    "mon",
                    "tue",
                    "wed",
                    "thu",
                    "fri",
                    "sat",
                    "sun",
                ])?;
            }
            b'j' => t.yday = Some(p.int(1, 3)?),
            b'z' => t.offset_min = Some(p.offset()?),
            b'Z' => {
                p.word(&["utc", "gmt", "z"])?;
                t.offset_min = Some(0);
            }
            b's' => {
                let start = p.i;
                if p.peek() == Some(b'-') {
                    p.i += 1;
                }
                p.int(1, 19)?;
                if p.peek() == Some(b'.') {
                    p.i += 1;
                    p.int(1, 18)?;
                }
                let n: f64 = std::str::from_utf8(&p.s[start..p.i]).ok()?.parse().ok()?;
                t.epoch_ms = Some((n * 1000.0).floor() as i64);
            }
            b'%' => p.byte(b'%')?,
            _ => return None,
        }
    }
    if p.i != p.s.len() {
        return None;
    }
    t.to_ms()
}

#[derive(Default)]
struct Fields {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    min: i64,
    sec: i64,
    ms: i64,
    /// `None` when the text gave no offset: the time is then read in the `--tz` zone.
    offset_min: Option<i64>,
    yday: Option<i64>,
    twelve: bool,
    pm: Option<bool>,
    epoch_ms: Option<i64>,
}

impl Fields {
    fn to_ms(&self) -> Option<i64> {
        if let Some(ms) = self.epoch_ms {
            return Some(ms);
        }
        let mut hour = self.hour;
        if self.twelve || self.pm.is_some() {
            if !(1..=12).contains(&hour) {
                return None;
            }
            hour %= 12;
            if self.pm == Some(true) {
                hour += 12;
            }
        }
        let days = match self.yday {
            Some(yd) if (1..=if is_leap(self.year) { 366 } else { 365 }).contains(&yd) => {
                days_from_civil(self.year, 1, 1) + yd - 1
            }
            Some(_) => return None,
            None => {
                if !(1..=12).contains(&self.month)
                    || self.day < 1
                    || self.day > days_in_month(self.year, self.month)
                {
                    return None;
                }
                days_from_civil(self.year, self.month, self.day)
            }
        };
        if hour > 23 || self.min > 59 || self.sec > 60 {
            return None;
        }
        let secs = days * 86_400 + hour * 3600 + self.min * 60 + self.sec;
        let civil = secs * 1000 + self.ms;
        match self.offset_min {
            Some(off) => Some(civil - off * 60_000),
            None => with_zone(|z| civil_to_ms(civil, z)),
        }
    }
}

struct FormatParser<'s> {
    s: &'s [u8],
    i: usize,
}

impl FormatParser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn blanks(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    fn byte(&mut self, c: u8) -> Option<()> {
        (self.peek() == Some(c)).then(|| self.i += 1)
    }

    fn int(&mut self, min: usize, max: usize) -> Option<i64> {
        let start = self.i;
        while self.i - start < max && self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        (self.i - start >= min).then(|| {
            self.s[start..self.i]
                .iter()
                .fold(0, |a, &d| a * 10 + i64::from(d - b'0'))
        })
    }

    fn signed_int(&mut self, min: usize, max: usize) -> Option<i64> {
        let neg = self.peek() == Some(b'-');
        if neg {
            self.i += 1;
        }
        self.int(min, max).map(|n| if neg { -n } else { n })
    }

    /// The index of the longest word of `words` that the text starts with (ignoring case).
    fn word(&mut self, words: &[&str]) -> Option<usize> {
        let rest = &self.s[self.i..];
        let (idx, w) = words
            .iter()
            .enumerate()
            .filter(|(_, w)| {
                rest.len() >= w.len() && rest[..w.len()].eq_ignore_ascii_case(w.as_bytes())
            })
            .max_by_key(|(_, w)| w.len())?;
        self.i += w.len();
        Some(idx)
    }

    fn month(&mut self) -> Option<i64> {
        const NAMES: [&str; 24] = [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
            "jan",
            "feb",
            "mar",
            "apr",
            "may",
            "jun",
            "jul",
            "aug",
            "sep",
            "oct",
            "nov",
            "dec",
        ];
        self.word(&NAMES).map(|i| (i % 12) as i64 + 1)
    }

    fn offset(&mut self) -> Option<i64> {
        if matches!(self.peek(), Some(b'Z' | b'z')) {
            self.i += 1;
            return Some(0);
        }
        let neg = match self.peek()? {
            b'+' => false,
            b'-' => true,
            _ => return None,
        };
        self.i += 1;
        let h = self.int(2, 2)?;
        if self.peek() == Some(b':') {
            self.i += 1;
        }
        let m = self.int(2, 2)?;
        if h > 23 || m > 59 {
            return None;
        }
        Some(if neg { -(h * 60 + m) } else { h * 60 + m })
    }
}

/// The current year, UTC: the year assumed for times written without one (syslog's).
pub fn current_year() -> i64 {
    civil_from_days(now_ms().div_euclid(86_400_000)).0
}

/// Milliseconds of a duration such as `500ms`, `30s`, `5m`, `1h30m`, `2d` or `1w`.
/// A duration in milliseconds as `parse_duration` reads it back: `1h30m`, `500ms`, `0s`.
pub fn format_duration(ms: i64) -> String {
    if ms == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    let mut left = ms;
    if left < 0 {
        out.push('-');
        left = -left;
    }
    for (unit, size) in [
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1000),
        ("ms", 1),
    ] {
        if left >= size {
            out.push_str(&format!("{}{unit}", left / size));
            left %= size;
        }
    }
    out
}

/// The zone times without an offset are read in (`--tz`): set once at start-up.
static ZONE: std::sync::OnceLock<jiff::tz::TimeZone> = std::sync::OnceLock::new();

/// Sets the zone for times read without an offset: `--tz NAME`, else `$TZ`, else the system's.
/// A name is looked up now, so a wrong one is refused before any input is read; `$TZ` and the
/// system's zone are looked up only when a time first needs them (finding them reads the
/// zoneinfo directory, most of a short run's start-up otherwise).
pub fn set_zone(name: Option<&str>) -> Result<(), String> {
    if let Some(n) = name {
        let _ = ZONE.set(zone_named(n)?);
    }
    Ok(())
}

thread_local! {
    /// The zone of the stage running on this thread, when it has one of its own (a pipeline
    /// stage's "tz", or the config's).
    static STAGE_ZONE: std::cell::RefCell<Option<jiff::tz::TimeZone>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `f` with `zone` as the zone of times read without an offset on this thread (`None`:
/// the process's, from --tz).
pub fn in_zone<R>(zone: Option<&jiff::tz::TimeZone>, f: impl FnOnce() -> R) -> R {
    let Some(z) = zone else {
        return f();
    };
    let before = STAGE_ZONE.with(|s| s.replace(Some(z.clone())));
    let r = f();
    STAGE_ZONE.with(|s| *s.borrow_mut() = before);
    r
}

/// Calls `f` with the zone in force on this thread.
fn with_zone<R>(f: impl FnOnce(&jiff::tz::TimeZone) -> R) -> R {
    STAGE_ZONE.with(|s| match &*s.borrow() {
        Some(z) => f(z),
        None => f(zone()),
    })
}

/// The process's zone for times without an offset (a stage's own zone aside).
pub fn zone() -> &'static jiff::tz::TimeZone {
    ZONE.get_or_init(|| jiff::tz::TimeZone::try_system().unwrap_or(jiff::tz::TimeZone::UTC))
}

/// An IANA time zone by name (`Europe/Berlin`, `UTC`), or why there is none.
pub fn zone_named(name: &str) -> Result<jiff::tz::TimeZone, String> {
    jiff::tz::TimeZone::get(name).map_err(|_| {
        format!("unknown time zone {name:?} (an IANA name such as Europe/Berlin, or UTC)")
    })
}

/// Epoch milliseconds of a wall-clock time in `zone`; a time that a change of clocks skips is
/// read as after the change, one it repeats as the earlier of the two (RFC 5545's rule, as
/// jiff's "compatible" disambiguation does).
pub fn civil_to_ms(civil_ms: i64, zone: &jiff::tz::TimeZone) -> Option<i64> {
    if *zone == jiff::tz::TimeZone::UTC {
        return Some(civil_ms);
    }
    let ts = jiff::Timestamp::from_millisecond(civil_ms).ok()?;
    local_to_ms(
        ts.to_zoned_datetime(jiff::tz::TimeZone::UTC).datetime(),
        zone,
    )
}

/// A wall-clock date and time in `zone` as epoch milliseconds, clock changes read as
/// `civil_to_ms` says.
fn local_to_ms(dt: jiff::civil::DateTime, zone: &jiff::tz::TimeZone) -> Option<i64> {
    let zoned = zone.to_ambiguous_zoned_datetime(dt).compatible().ok()?;
    Some(zoned.timestamp().as_millisecond())
}

/// `strftime(t, format[, zone])`: epoch milliseconds written with a strftime format in
/// `zone` (UTC by default).
pub fn strftime(ms: i64, format: &str, zone: Option<&str>) -> Result<String, String> {
    let tz = match zone {
        Some(z) => zone_named(z)?,
        None => jiff::tz::TimeZone::UTC,
    };
    let ts =
        jiff::Timestamp::from_millisecond(ms).map_err(|e| format!("{ms} is out of range: {e}"))?;
    let zoned = ts.to_zoned_datetime(tz);
    jiff::fmt::strtime::format(format, &zoned)
        .map_err(|e| format!("strftime format {format:?}: {e}"))
}

/// `strptime(s, format[, zone])`: text read with a strftime format, in epoch milliseconds;
/// without an offset in the text, in `zone` (else `--tz`). `None` when the text does not fit.
pub fn strptime(text: &str, format: &str, in_zone: Option<&str>) -> Result<Option<i64>, String> {
    let tz = match in_zone {
        Some(z) => zone_named(z)?,
        None => with_zone(|z| z.clone()),
    };
    let Ok(parsed) = jiff::fmt::strtime::parse(format, text) else {
        return Ok(None);
    };
    if let Ok(ts) = parsed.to_timestamp() {
        return Ok(Some(ts.as_millisecond()));
    }
    let Ok(dt) = parsed.to_datetime() else {
        return Ok(None);
    };
    Ok(local_to_ms(dt, &tz))
}

pub fn parse_duration(text: &str) -> Option<i64> {
    let s = text.trim();
    if s.is_empty() {
        return None;
    }
    let mut total: i64 = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let n: i64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let per = match &rest[..unit_len] {
            "ms" => 1,
            "s" => 1000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "w" => 604_800_000,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total = total.checked_add(n.checked_mul(per)?)?;
    }
    Some(total)
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

    #[test]
    fn formats_read_the_logs_binge_meets() {
        let at = |text, fmt| parse_with_format(text, fmt, 2024).map(format_rfc3339);
        assert_eq!(
            at("Sun Dec 04 04:47:44 2005", "%a %b %d %H:%M:%S %Y").as_deref(),
            Some("2005-12-04T04:47:44.000Z")
        );
        assert_eq!(
            at("081109 203615", "%y%m%d %H%M%S").as_deref(),
            Some("2008-11-09T20:36:15.000Z")
        );
        assert_eq!(
            at("17/06/09 20:10:40", "%y/%m/%d %T").as_deref(),
            Some("2017-06-09T20:10:40.000Z")
        );
        assert_eq!(
            at("2015-07-29 17:41:44,747", "%F %T,%f").as_deref(),
            Some("2015-07-29T17:41:44.747Z")
        );
        assert_eq!(
            at("Jul  3 04:08:03", "%b %e %H:%M:%S").as_deref(),
            Some("2024-07-03T04:08:03.000Z")
        );
        assert_eq!(
            at("10/Oct/2000:13:55:36 -0700", "%d/%b/%Y:%H:%M:%S %z").as_deref(),
            Some("2000-10-10T20:55:36.000Z")
        );
        assert_eq!(
            at("1714559400.25", "%s").as_deref(),
            Some("2024-05-01T10:30:00.250Z")
        );
        assert_eq!(
            at("March 5 2023 1:02:03 PM UTC", "%B %d %Y %I:%M:%S %p %Z").as_deref(),
            Some("2023-03-05T13:02:03.000Z")
        );
        assert_eq!(
            at("2024 060", "%Y %j").as_deref(),
            Some("2024-02-29T00:00:00.000Z")
        );
        assert_eq!(
            at("100%", "100%%").as_deref(),
            Some("2024-01-01T00:00:00.000Z")
        );
    }

    #[test]
    fn formats_reject_what_does_not_fit() {
        for (text, fmt) in [
            ("2005-13-01", "%Y-%m-%d"),
            ("2005-02-30", "%Y-%m-%d"),
            ("Foo 04 2005", "%b %d %Y"),
            ("12:00:00 extra", "%T"),
            ("12:00", "%T"),
            ("13:00:00 PM", "%I:%M:%S %p"),
            ("x", "%Q"),
        ] {
            assert_eq!(parse_with_format(text, fmt, 2024), None, "{text} / {fmt}");
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Some(500));
        assert_eq!(parse_duration("5m"), Some(300_000));
        assert_eq!(parse_duration("1h30m"), Some(5_400_000));
        assert_eq!(parse_duration("2d"), Some(172_800_000));
        assert_eq!(parse_duration("1w"), Some(604_800_000));
        for bad in ["", "5", "m", "5 m", "5x", "-5m", "1.5h"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn durations_are_written_as_they_are_read() {
        for (ms, text) in [
            (0, "0s"),
            (500, "500ms"),
            (3_600_000, "1h"),
            (5_400_000, "1h30m"),
            (90_061_001, "1d1h1m1s1ms"),
        ] {
            assert_eq!(format_duration(ms), text);
            assert_eq!(parse_duration(text), Some(ms));
        }
    }
}
