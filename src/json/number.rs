//! JSON numbers that keep their exact text, and exact comparison between them.

use std::borrow::Cow;
use std::cmp::Ordering;

/// A number: as read (`Text`, already checked against the JSON grammar) or as computed.
#[derive(Debug, Clone)]
pub enum Number<'a> {
    Int(i64),
    Float(f64),
    Text(Cow<'a, str>),
}

impl<'a> Number<'a> {
    /// A number from text that follows the JSON number grammar, or `None`.
    pub fn parse(text: &str) -> Option<Number<'static>> {
        if is_json_number(text.as_bytes()) {
            Some(Number::Text(Cow::Owned(text.to_string())))
        } else {
            None
        }
    }

    pub fn reborrow(&self) -> Number<'_> {
        match self {
            Number::Int(i) => Number::Int(*i),
            Number::Float(f) => Number::Float(*f),
            Number::Text(t) => Number::Text(Cow::Borrowed(t)),
        }
    }

    pub fn into_owned(self) -> Number<'static> {
        match self {
            Number::Int(i) => Number::Int(i),
            Number::Float(f) => Number::Float(f),
            Number::Text(t) => Number::Text(Cow::Owned(t.into_owned())),
        }
    }

    /// The value as an i64 when it is an integer that fits.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            Number::Float(f) => {
                if f.fract() == 0.0 && *f >= i64::MIN as f64 && *f < i64::MAX as f64 {
                    Some(*f as i64)
                } else {
                    None
                }
            }
            Number::Text(t) => text_as_i64(t),
        }
    }

    /// The value as an i128 when it is an integer that fits: integer arithmetic stays exact
    /// well beyond 64 bits.
    pub fn as_i128(&self) -> Option<i128> {
        match self {
            Number::Int(i) => Some(i128::from(*i)),
            Number::Float(_) => self.as_i64().map(i128::from),
            Number::Text(t) if t.bytes().any(|c| matches!(c, b'.' | b'e' | b'E')) => None,
            Number::Text(t) => t.parse().ok(),
        }
    }

    /// An integer result: 64-bit when it fits, else its exact digits.
    pub fn from_i128(i: i128) -> Number<'static> {
        match i64::try_from(i) {
            Ok(i) => Number::Int(i),
            Err(_) => Number::Text(Cow::Owned(i.to_string())),
        }
    }

    /// A number from text as people write it: surrounding spaces, a leading `+` and leading
    /// zeros (`081110`, as syslog and HDFS dates have) are accepted; otherwise JSON's grammar.
    pub fn parse_lenient(text: &str) -> Option<Number<'static>> {
        let t = text.trim();
        let (sign, digits) = match t.as_bytes().first() {
            Some(b'-') => ("-", &t[1..]),
            Some(b'+') => ("", &t[1..]),
            _ => ("", t),
        };
        let zeros = digits.len() - digits.trim_start_matches('0').len();
        // Keep one zero when the integer part is all zeros (`000.5` is `0.5`).
        let keep = match digits.as_bytes()[zeros..].first() {
            Some(c) if c.is_ascii_digit() => zeros,
            _ => zeros.saturating_sub(1),
        };
        Number::parse(&format!("{sign}{}", &digits[keep..]))
    }

    pub fn as_f64(&self) -> f64 {
        match self {
            Number::Int(i) => *i as f64,
            Number::Float(f) => *f,
            // The JSON number grammar is a subset of what Rust's float parser accepts.
            Number::Text(t) => t.parse().unwrap_or(f64::NAN),
        }
    }

    /// Writes the number as JSON: the original text when there is one.
    pub fn write(&self, out: &mut Vec<u8>) {
        match self {
            Number::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
            Number::Float(f) => out.extend_from_slice(float_text(*f).as_bytes()),
            Number::Text(t) => out.extend_from_slice(t.as_bytes()),
        }
    }

    /// Exact comparison of the two values, whatever their representation.
    pub fn cmp_exact(&self, other: &Number<'_>) -> Ordering {
        if let (Some(a), Some(b)) = (self.as_i64(), other.as_i64()) {
            return a.cmp(&b);
        }
        let (a, b) = (self.decimal_text(), other.decimal_text());
        Decimal::of(&a).cmp(&Decimal::of(&b))
    }

    fn decimal_text(&self) -> Cow<'_, str> {
        match self {
            Number::Int(i) => Cow::Owned(i.to_string()),
            // `{:e}` is the shortest text that reads back to the same f64.
            Number::Float(f) => Cow::Owned(format!("{f:e}")),
            Number::Text(t) => Cow::Borrowed(t),
        }
    }
}

/// JSON text for a computed float: integral values without a fraction, NaN and infinities as
/// `null` (JSON has no spelling for them).
pub(crate) fn float_text(f: f64) -> String {
    if !f.is_finite() {
        "null".to_string()
    } else if f.fract() == 0.0 && f.abs() < 1e17 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

fn text_as_i64(t: &str) -> Option<i64> {
    let b = t.as_bytes();
    if b.len() > 20 || b.iter().any(|c| matches!(c, b'.' | b'e' | b'E')) {
        return None;
    }
    t.parse().ok()
}

/// Whether `b` is exactly one number in the JSON grammar.
pub(crate) fn is_json_number(b: &[u8]) -> bool {
    let mut i = 0;
    if b.first() == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            while matches!(b.get(i), Some(b'0'..=b'9')) {
                i += 1;
            }
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while matches!(b.get(i), Some(b'0'..=b'9')) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let start = i;
        while matches!(b.get(i), Some(b'0'..=b'9')) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    i == b.len()
}

/// A number in the JSON grammar seen as sign, significant digits and decimal exponent:
/// value = 0.d1d2d3... x 10^exp, with no leading or trailing zero digits.
struct Decimal<'s> {
    negative: bool,
    int: &'s [u8],
    frac: &'s [u8],
    /// Digits of int+frac skipped as leading zeros.
    lead: usize,
    /// Count of significant digits.
    len: usize,
    exp: i64,
}

impl<'s> Decimal<'s> {
    fn of(text: &'s str) -> Decimal<'s> {
        let mut b = text.as_bytes();
        let negative = b.first() == Some(&b'-');
        if negative {
            b = &b[1..];
        }
        let (mantissa, exp) = match b.iter().position(|&c| c == b'e' || c == b'E') {
            Some(p) => (&b[..p], parse_exp(&b[p + 1..])),
            None => (b, 0),
        };
        let (int, frac) = match mantissa.iter().position(|&c| c == b'.') {
            Some(p) => (&mantissa[..p], &mantissa[p + 1..]),
            None => (mantissa, &b""[..]),
        };
        let digits = || int.iter().chain(frac.iter());
        let total = int.len() + frac.len();
        let lead = digits().take_while(|&&c| c == b'0').count();
        let trail = if lead == total {
            0
        } else {
            frac.iter()
                .rev()
                .chain(int.iter().rev())
                .take_while(|&&c| c == b'0')
                .count()
        };
        let len = total - lead - trail;
        let exp = (int.len() as i64 - lead as i64).saturating_add(exp);
        Decimal {
            negative,
            int,
            frac,
            lead,
            len,
            exp,
        }
    }

    fn is_zero(&self) -> bool {
        self.len == 0
    }

    fn digits(&self) -> impl Iterator<Item = &u8> {
        self.int
            .iter()
            .chain(self.frac.iter())
            .skip(self.lead)
            .take(self.len)
    }

    fn cmp_magnitude(&self, other: &Decimal<'_>) -> Ordering {
        match (self.is_zero(), other.is_zero()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            _ => {}
        }
        self.exp
            .cmp(&other.exp)
            .then_with(|| self.digits().cmp(other.digits()))
    }

    fn cmp(&self, other: &Decimal<'_>) -> Ordering {
        let sign = |d: &Decimal<'_>| {
            if d.is_zero() {
                0
            } else if d.negative {
                -1
            } else {
                1
            }
        };
        match sign(self).cmp(&sign(other)) {
            Ordering::Equal if sign(self) < 0 => other.cmp_magnitude(self),
            Ordering::Equal => self.cmp_magnitude(other),
            unequal => unequal,
        }
    }
}

/// The exponent part of a number, saturating: `1e99999999999999999999` is still a huge number.
fn parse_exp(b: &[u8]) -> i64 {
    let (negative, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    let magnitude = digits.iter().fold(0i64, |acc, &d| {
        acc.saturating_mul(10).saturating_add(i64::from(d - b'0'))
    });
    if negative { -magnitude } else { magnitude }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Number<'_> {
        Number::Text(Cow::Borrowed(s))
    }

    #[test]
    fn big_integers_compare_exactly() {
        let a = text("505874924095815681");
        assert_eq!(a.cmp_exact(&text("505874924095815681")), Ordering::Equal);
        assert_eq!(a.cmp_exact(&text("505874924095815680")), Ordering::Greater);
        // Both round to the same f64, so only an exact comparison tells them apart.
        let huge = text("123456789012345678901234567890");
        assert_eq!(
            huge.cmp_exact(&text("123456789012345678901234567891")),
            Ordering::Less
        );
        assert_eq!(
            huge.cmp_exact(&text("1.23456789012345678901234567890e29")),
            Ordering::Equal
        );
    }

    #[test]
    fn decimals_compare_by_value() {
        assert_eq!(text("1.10").cmp_exact(&text("1.1")), Ordering::Equal);
        assert_eq!(text("0.05").cmp_exact(&text("5e-2")), Ordering::Equal);
        assert_eq!(text("-0").cmp_exact(&text("0.0")), Ordering::Equal);
        assert_eq!(text("-2").cmp_exact(&text("-10")), Ordering::Greater);
        assert_eq!(text("-0.5").cmp_exact(&text("0.25")), Ordering::Less);
        assert_eq!(text("100").cmp_exact(&text("99.999")), Ordering::Greater);
        assert_eq!(text("1e400").cmp_exact(&text("1e399")), Ordering::Greater);
        assert_eq!(Number::Int(3).cmp_exact(&text("3.0")), Ordering::Equal);
        assert_eq!(Number::Float(0.5).cmp_exact(&text("0.50")), Ordering::Equal);
        assert_eq!(
            Number::Float(2.5).cmp_exact(&Number::Int(2)),
            Ordering::Greater
        );
    }

    #[test]
    fn grammar_is_json_not_rust() {
        for ok in [
            "0",
            "-0",
            "1.5",
            "1e5",
            "1E+5",
            "-1.0e-5",
            "123456789012345678901234",
        ] {
            assert!(is_json_number(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "", "-", "01", "1.", ".5", "+1", "1e", "NaN", "inf", "0x10", "1_000",
        ] {
            assert!(!is_json_number(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn computed_floats_are_written_as_json() {
        assert_eq!(float_text(2.0), "2");
        assert_eq!(float_text(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(float_text(f64::NAN), "null");
    }
}
