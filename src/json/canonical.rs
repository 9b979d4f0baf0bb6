//! Canonical JSON (RFC 8785, JCS): the one byte form of a value that hashes and signatures are
//! taken over, and that `aggregate --collect` compares sources by.
//!
//! Object members are sorted by their names' UTF-16 code units, strings use the fewest escapes,
//! and numbers are written as ECMAScript writes a double. The one extension (DESIGN.md §6):
//! an integer written without fraction or exponent that lies beyond ±2^53 keeps its exact
//! digits, where plain JCS would round it.

use std::borrow::Cow;

use super::{Number, Value, each_member, element_texts, parse_value, write_str};

/// Why a value has no canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotCanonical(pub String);

/// The canonical JSON text of `v`.
pub fn canonical(v: &Value<'_>) -> Result<String, NotCanonical> {
    let mut out = Vec::new();
    write_canonical(v, &mut out)?;
    // Only UTF-8 is ever written: names and strings are `str`, the rest ASCII.
    Ok(String::from_utf8(out).expect("canonical JSON is UTF-8"))
}

pub fn write_canonical(v: &Value<'_>, out: &mut Vec<u8>) -> Result<(), NotCanonical> {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => out.extend_from_slice(number(n)?.as_bytes()),
        Value::String(s) => write_str(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out)?;
            }
            out.push(b']');
        }
        Value::Object(members) => {
            let mut sorted: Vec<(&str, &Value<'_>)> =
                members.iter().map(|(k, v)| (k.as_ref(), v)).collect();
            sorted.sort_by(|a, b| utf16_order(a.0, b.0));
            // RFC 8785 takes I-JSON only: one value per name.
            if let Some(w) = sorted.windows(2).find(|w| w[0].0 == w[1].0) {
                return Err(NotCanonical(format!("duplicate key \"{}\"", w[0].0)));
            }
            out.push(b'{');
            for (i, (k, v)) in sorted.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(k, out);
                out.push(b':');
                write_canonical(v, out)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

/// [`canonical`] of the value whose JSON text is `text` (already validated): `binge verify`
/// canonicalises every record's event this way. Most of the text is copied as it is — names
/// and strings without escapes, plain integers, literals — and only members are sorted, so no
/// tree is built; what needs more care (an escaped name, a repeated name, a number past what a
/// double holds) takes the tree path. Both give the same bytes for every text.
pub fn canonical_text(text: &[u8]) -> Result<String, NotCanonical> {
    let mut out = Vec::with_capacity(text.len());
    write_canonical_text(text, &mut out)?;
    // Only UTF-8 is ever written: the text was validated, and the rest is ASCII.
    String::from_utf8(out).map_err(|_| NotCanonical("not UTF-8".into()))
}

/// [`canonical_text`], appended to `out` (left as it was on an error).
pub fn write_canonical_text(text: &[u8], out: &mut Vec<u8>) -> Result<(), NotCanonical> {
    let start = out.len();
    if write_text(text, out, 0).is_err() {
        out.truncate(start);
        let v = parse_value(text).map_err(|e| NotCanonical(e.to_string()))?;
        write_canonical(&v, out).inspect_err(|_| out.truncate(start))?;
    }
    Ok(())
}

/// Validates `line` as exactly one JSON object, as every input line is checked
/// ([`super::scan_object`], the same error), and appends its canonical text to `out` in the
/// same pass (left as it was on an error): `entwine`'s work on each event, where checking the
/// line and then canonicalising it walked it twice.
pub fn check_and_canonicalize(
    line: &[u8],
    out: &mut Vec<u8>,
) -> Result<Result<(), NotCanonical>, super::Error> {
    let built = super::parse::build_object::<Canon>(line)?;
    Ok(put_or_tree(built, line, out))
}

/// [`super::scan_object`] of a line whose member `wanted[event]` is canonicalised as it is
/// validated (`binge verify` reads each record line so); its canonical text is appended to
/// `out`, and `None` returned when the line has no such member.
pub fn scan_object_canonicalizing(
    line: &[u8],
    wanted: &[&str],
    found: &mut Vec<Option<super::Span>>,
    event: usize,
    out: &mut Vec<u8>,
) -> Result<Option<Result<(), NotCanonical>>, super::Error> {
    let built = super::parse::scan_object_building::<Canon>(line, wanted, found, event)?;
    Ok(built.map(|v| {
        let (start, end) = found[event].expect("built, so found");
        put_or_tree(v, &line[start as usize..end as usize], out)
    }))
}

/// Writes what [`Canon`] built, or takes the tree path over `text` when it could not.
fn put_or_tree(v: Canon<'_>, text: &[u8], out: &mut Vec<u8>) -> Result<(), NotCanonical> {
    match v {
        Canon::Tree => write_canonical_text(text, out),
        v => {
            v.put(out);
            Ok(())
        }
    }
}

/// A value's canonical text, built by the validating parser bottom-up: a value is the text it
/// came as when that is already canonical (strings without escapes or escaped as RFC 8785
/// escapes, plain integers, literals, and objects and arrays of such values without
/// whitespace, members in order: what `binge entwine export` writes), otherwise its written
/// text. `Tree` where [`write_text`] would take the tree path, under the same rules, so both
/// give the same bytes.
enum Canon<'a> {
    /// A string whose text between the quotes is its canonical text's.
    Str(&'a str),
    /// A value whose text is its canonical text.
    As(&'a str),
    Bytes(Vec<u8>),
    Tree,
}

impl Canon<'_> {
    fn len(&self) -> usize {
        match self {
            Canon::Str(s) => s.len() + 2,
            Canon::As(s) => s.len(),
            Canon::Bytes(b) => b.len(),
            Canon::Tree => 0,
        }
    }

    /// Whether the value's canonical text is the text it came as.
    fn as_it_came(&self) -> bool {
        matches!(self, Canon::Str(_) | Canon::As(_))
    }

    fn put(&self, out: &mut Vec<u8>) {
        match self {
            Canon::Str(s) => {
                out.push(b'"');
                out.extend_from_slice(s.as_bytes());
                out.push(b'"');
            }
            Canon::As(s) => out.extend_from_slice(s.as_bytes()),
            Canon::Bytes(b) => out.extend_from_slice(b),
            Canon::Tree => {}
        }
    }
}

impl<'a> super::parse::Build<'a> for Canon<'a> {
    type V = Canon<'a>;
    /// The name's text between the quotes, and whether it has escapes.
    type K = (&'a str, bool);

    fn null() -> Canon<'a> {
        Canon::As("null")
    }
    fn bool(b: bool) -> Canon<'a> {
        Canon::As(if b { "true" } else { "false" })
    }
    fn number(text: &'a str) -> Canon<'a> {
        if plain_integer(text.as_bytes()) {
            return Canon::As(text);
        }
        match number(&Number::Text(Cow::Borrowed(text))) {
            Ok(n) => Canon::Bytes(n.into_bytes()),
            Err(_) => Canon::Tree,
        }
    }
    fn string(raw: &'a str, escaped: bool) -> Canon<'a> {
        if !escaped {
            return Canon::Str(raw);
        }
        let mut out = Vec::with_capacity(raw.len() + 2);
        write_str(&super::parse::unescape(raw.as_bytes()), &mut out);
        if out[1..out.len() - 1] == *raw.as_bytes() {
            return Canon::Str(raw);
        }
        Canon::Bytes(out)
    }
    fn key(raw: &'a str, escaped: bool) -> (&'a str, bool) {
        (raw, escaped)
    }
    fn array(items: Vec<Canon<'a>>, text: &'a str) -> Canon<'a> {
        if items.iter().any(|v| matches!(v, Canon::Tree)) {
            return Canon::Tree;
        }
        // The written text's length: brackets, items and the commas between them. Text as
        // long as that has no whitespace.
        let len = 2 + items.iter().map(|v| v.len() + 1).sum::<usize>() - 1.min(items.len());
        if text.len() == len && items.iter().all(Canon::as_it_came) {
            return Canon::As(text);
        }
        let mut out = Vec::with_capacity(len);
        out.push(b'[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            item.put(&mut out);
        }
        out.push(b']');
        Canon::Bytes(out)
    }
    fn object(mut members: Vec<((&'a str, bool), Canon<'a>)>, text: &'a str) -> Canon<'a> {
        if members
            .iter()
            .any(|((_, escaped), v)| *escaped || matches!(v, Canon::Tree))
        {
            return Canon::Tree;
        }
        if as_it_came(&members, text) {
            return Canon::As(text);
        }
        if sort_members(&mut members, |m| m.0.0.as_bytes()).is_err() {
            return Canon::Tree;
        }
        let len = members
            .iter()
            .map(|(k, v)| k.0.len() + v.len() + 4)
            .sum::<usize>();
        let mut out = Vec::with_capacity(len + 2);
        out.push(b'{');
        for (i, ((name, _), v)) in members.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            // A name without escapes is written as it came, as in `write_text`.
            out.push(b'"');
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"\":");
            v.put(&mut out);
        }
        out.push(b'}');
        Canon::Bytes(out)
    }
}

/// Whether an object's text (`members` built from it, names without escapes) is its canonical
/// text: its values are, its names are ASCII in strictly increasing order (so UTF-16 order,
/// and none repeats), and it has no whitespace, which the length settles: validated text
/// holds nothing else between the tokens.
fn as_it_came(members: &[((&str, bool), Canon<'_>)], text: &str) -> bool {
    let len = 2 + members
        .iter()
        .map(|((name, _), v)| name.len() + 3 + v.len() + 1)
        .sum::<usize>()
        - 1.min(members.len());
    len == text.len()
        && members
            .iter()
            .all(|((name, _), v)| v.as_it_came() && name.is_ascii())
        && members.windows(2).all(|w| w[0].0.0 < w[1].0.0)
}

/// Sorts an object's members into RFC 8785's order of their names (given without escapes,
/// as valid UTF-8), or says the tree path is needed: a name given twice (the tree path says
/// which).
fn sort_members<T>(members: &mut [T], name: impl Fn(&T) -> &[u8]) -> Result<(), Tree> {
    if members.iter().all(|m| name(m).is_ascii()) {
        sort_ascii(members, &name);
    } else {
        fn text(n: &[u8]) -> &str {
            std::str::from_utf8(n).unwrap_or_default()
        }
        if members
            .iter()
            .any(|m| std::str::from_utf8(name(m)).is_err())
        {
            return Err(Tree);
        }
        members.sort_unstable_by(|a, b| utf16_order(text(name(a)), text(name(b))));
    }
    if members.windows(2).any(|w| name(&w[0]) == name(&w[1])) {
        return Err(Tree);
    }
    Ok(())
}

/// Sorts members with ASCII names: UTF-16 order is byte order for them.
///
/// The sort is of a key per member: its name's first eight bytes as one big-endian integer (a
/// shorter name padded with zeros, which orders it first as its bytes would: a name in
/// validated text has no raw NUL), with the member's index; whole names are compared only when
/// those bytes tie. The keys are 16 bytes where a member is several times that, and are made
/// once where a comparator would make two per comparison: sorting the members themselves was
/// 5-8% of `entwine`'s CPU on the loghub corpus (PROFILE.md). The members are then put into
/// the keys' order, each moved at most once.
fn sort_ascii<T>(members: &mut [T], name: &impl Fn(&T) -> &[u8]) {
    fn head(name: &[u8]) -> u64 {
        match name.first_chunk::<8>() {
            Some(b) => u64::from_be_bytes(*b),
            None => name
                .iter()
                .enumerate()
                .fold(0, |h, (i, &b)| h | u64::from(b) << (56 - 8 * i)),
        }
    }
    // An event's object has its keys on the stack; only a larger one allocates them.
    const ON_STACK: usize = 64;
    let n = members.len();
    let (mut on_stack, mut on_heap);
    let keys: &mut [(u64, u32)] = if n <= ON_STACK {
        on_stack = [(0, 0); ON_STACK];
        &mut on_stack[..n]
    } else {
        on_heap = vec![(0, 0); n];
        &mut on_heap
    };
    for (i, (k, m)) in keys.iter_mut().zip(members.iter()).enumerate() {
        *k = (head(name(m)), i as u32);
    }
    let at = |i: u32| name(&members[i as usize]);
    keys.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| at(a.1).cmp(at(b.1))));
    // Position j takes the member that was at keys[j].1. Each cycle of that permutation is
    // followed with swaps, and a position filled is marked by pointing its key at itself.
    for i in 0..n {
        let mut j = i;
        loop {
            let from = keys[j].1 as usize;
            keys[j].1 = j as u32;
            if from == i {
                break;
            }
            members.swap(j, from);
            j = from;
        }
    }
}

/// A plain integer below 2^53, which ECMAScript writes as its digits: its text is canonical.
fn plain_integer(text: &[u8]) -> bool {
    let digits = text.strip_prefix(b"-").unwrap_or(text);
    digits.len() < 16 && digits.iter().all(u8::is_ascii_digit) && text != b"-0"
}

/// The tree path is needed.
struct Tree;

fn write_text(text: &[u8], out: &mut Vec<u8>, depth: usize) -> Result<(), Tree> {
    let text = text.trim_ascii();
    if depth > super::MAX_DEPTH {
        return Err(Tree);
    }
    match text.first() {
        Some(b'{') => {
            // Room for the members of most events, so one allocation per object.
            let mut members: Vec<(&[u8], &[u8])> = Vec::with_capacity(16);
            let mut escaped = false;
            each_member(text, |name, value| {
                escaped |= name.contains(&b'\\');
                members.push((name, value));
            });
            if escaped {
                return Err(Tree);
            }
            sort_members(&mut members, |m| m.0)?;
            out.push(b'{');
            for (i, (name, value)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                // A name without escapes is written as it came: JSON text holds no quote or
                // control character unescaped, and nothing else is escaped.
                out.push(b'"');
                out.extend_from_slice(name);
                out.extend_from_slice(b"\":");
                write_text(value, out, depth + 1)?;
            }
            out.push(b'}');
        }
        Some(b'[') => {
            out.push(b'[');
            for (i, item) in element_texts(text).into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_text(item, out, depth + 1)?;
            }
            out.push(b']');
        }
        Some(b'"') if !text.contains(&b'\\') => out.extend_from_slice(text),
        Some(b'"') => match parse_value(text) {
            Ok(Value::String(s)) => write_str(&s, out),
            _ => return Err(Tree),
        },
        Some(b't' | b'f' | b'n') => out.extend_from_slice(text),
        Some(_) => {
            if plain_integer(text) {
                out.extend_from_slice(text);
            } else {
                let t = std::str::from_utf8(text).map_err(|_| Tree)?;
                let n = number(&Number::Text(Cow::Borrowed(t))).map_err(|_| Tree)?;
                out.extend_from_slice(n.as_bytes());
            }
        }
        None => return Err(Tree),
    }
    Ok(())
}

/// RFC 8785's order of member names: by their UTF-16 code units, compared lazily (nothing is
/// allocated per name). ASCII names order by their bytes alike, which is quicker.
fn utf16_order(a: &str, b: &str) -> std::cmp::Ordering {
    if a.is_ascii() && b.is_ascii() {
        a.cmp(b)
    } else {
        a.encode_utf16().cmp(b.encode_utf16())
    }
}

/// Writes the text by which binge tells values apart when it groups or counts distinct values:
/// the canonical form, so values that `==` calls equal (`1`, `1.0`, `1e0`, `10e-1`; objects
/// whose members come in another order) are one; a value that has none (a duplicate key, a
/// number beyond a double) by its compact text.
pub fn write_key(v: &Value<'_>, out: &mut Vec<u8>) {
    let start = out.len();
    if write_canonical(v, out).is_err() {
        out.truncate(start);
        super::write_value(v, out);
    }
}

/// [`write_key`] as a string.
pub fn key_text(v: &Value<'_>) -> String {
    let mut out = Vec::new();
    write_key(v, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Whether JSON text escapes a lone UTF-16 surrogate (`"\ud800"`), which has no canonical
/// form: the parser turns it into U+FFFD, so only the raw text can tell.
pub fn has_lone_surrogate(raw: &[u8]) -> bool {
    let hex4 = |i: usize| -> Option<u32> {
        let h = raw.get(i..i + 4)?;
        u32::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()
    };
    let mut i = 0;
    while i + 1 < raw.len() {
        // Most lines hold no escape at all: find the next one at memchr's speed rather than
        // a byte at a time (this loop was most of entwine's per-event work on the pool).
        match memchr::memchr(b'\\', &raw[i..raw.len() - 1]) {
            Some(k) => i += k,
            None => return false,
        }
        if raw[i + 1] != b'u' {
            // Any other escape, \\ included, is two bytes.
            i += 2;
            continue;
        }
        let Some(code) = hex4(i + 2) else {
            return false;
        };
        match code {
            0xd800..=0xdbff => {
                let low = (raw.get(i + 6..i + 8) == Some(b"\\u"))
                    .then(|| hex4(i + 8))
                    .flatten();
                if !low.is_some_and(|l| (0xdc00..=0xdfff).contains(&l)) {
                    return true;
                }
                i += 12;
            }
            0xdc00..=0xdfff => return true,
            _ => i += 6,
        }
    }
    false
}

/// Whether an integer literal (an optional `-`, then digits) is exactly a double's value.
fn representable(t: &str, f: f64) -> bool {
    if !f.is_finite() {
        return false;
    }
    let digits = t.trim_start_matches('-');
    // Every integer up to 2^53 is a double; beyond it, compare with the double's exact
    // decimal expansion (`{:.0}` writes it digit for digit).
    if digits.len() < 16 {
        return true;
    }
    format!("{:.0}", f.abs()) == digits
}

fn number(n: &Number<'_>) -> Result<String, NotCanonical> {
    match n {
        // An i64 is written by ECMAScript as its digits when a double holds it (it is below
        // 1e21), and keeps them by binge's one extension when none does: its digits either way.
        Number::Int(i) => return Ok(i.to_string()),
        Number::Text(t) if !t.bytes().any(|c| matches!(c, b'.' | b'e' | b'E')) => {
            let f = n.as_f64();
            if !representable(t, f) {
                // binge's one extension to RFC 8785: an integer literal no double holds
                // exactly keeps its digits, so two ids differing past 2^53 never hash alike.
                // Every document without one canonicalizes exactly as standard JCS.
                return Ok(t.to_string());
            }
        }
        _ => {}
    }
    let f = n.as_f64();
    // A literal no double holds, too large (infinite) or too small (a nonzero number that
    // would round to 0), has no canonical form: rounding it would make two different events
    // hash alike, and it would no longer compare as the number it is.
    let underflow = f == 0.0
        && matches!(n, Number::Text(t) if t
            .bytes()
            .take_while(|c| !matches!(c, b'e' | b'E'))
            .any(|c| matches!(c, b'1'..=b'9')));
    if !f.is_finite() || underflow {
        return Err(NotCanonical(format!(
            "the number {} is out of range for canonical JSON",
            match n {
                Number::Text(t) => t.to_string(),
                other => format!("{other:?}"),
            }
        )));
    }
    Ok(es_number(f))
}

/// ECMAScript's Number::toString for a finite double (ECMA-262 §6.1.6.1.20), as the ryu-js
/// crate implements it: the shortest digits that read back to the double, and of two equally
/// short and equally close, the even one.
pub fn es_number(f: f64) -> String {
    if f == 0.0 {
        // -0 too.
        return "0".into();
    }
    ryu_js::Buffer::new().format_finite(f).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse_value;

    fn canon(s: &str) -> String {
        canonical(&parse_value(s.as_bytes()).unwrap()).unwrap()
    }

    #[test]
    fn numbers_as_ecmascript_writes_them() {
        for (input, want) in [
            ("0", "0"),
            ("-0", "0"),
            ("1.0", "1"),
            ("4.50", "4.5"),
            ("2e-3", "0.002"),
            ("1E30", "1e+30"),
            ("0.000001", "0.000001"),
            ("0.0000001", "1e-7"),
            ("333333333.33333329", "333333333.3333333"),
            ("1e21", "1e+21"),
            ("1e20", "100000000000000000000"),
            ("-1.5e-10", "-1.5e-10"),
            ("9007199254740992", "9007199254740992"),
            ("5e-324", "5e-324"),
            ("1.7976931348623157e308", "1.7976931348623157e+308"),
            ("0e-400", "0"),
            // Two equally short digit strings, equally close: the even one, as ECMAScript.
            ("77206932568465.12", "77206932568465.12"),
            ("832054551864818.25", "832054551864818.2"),
        ] {
            assert_eq!(canon(input), want, "{input}");
        }
    }

    #[test]
    fn big_integers_keep_their_digits() {
        assert_eq!(canon("505874924095815681"), "505874924095815681");
        assert_eq!(canon("-505874924095815681"), "-505874924095815681");
        // With a fraction or exponent it is a double like any other.
        assert_eq!(canon("505874924095815681.0"), "505874924095815700");
        // Exactly at the edge: 2^53 + 1 is no double, 2^53 is; 2^60 is one too, so it is
        // written as standard JCS writes it (shortest digits, then zeros).
        assert_eq!(canon("9007199254740993"), "9007199254740993");
        assert_eq!(canon("9007199254740992"), "9007199254740992");
        assert_eq!(canon("1152921504606846976"), "1152921504606847000");
        assert_eq!(canon("1152921504606846977"), "1152921504606846977");
        // 2^70 is a double, written with an exponent past 1e21; 10^23 is not one.
        assert_eq!(canon("1180591620717411303424"), "1.1805916207174113e+21");
        assert_eq!(
            canon("100000000000000000000000"),
            "100000000000000000000000"
        );
        assert_eq!(
            canonical(&Value::Number(Number::Int(i64::MAX))).unwrap(),
            "9223372036854775807"
        );
    }

    #[test]
    fn out_of_range_numbers_have_no_canonical_form() {
        assert!(canonical(&parse_value(b"1e400").unwrap()).is_err());
    }

    #[test]
    fn members_sorted_by_utf16_and_duplicates_refused() {
        assert_eq!(
            canon(r#"{"b":2,"a":{"d":[3,{"z":1,"y":2}],"c":null},"\ud83d\ude02":1,"\ufb33":2}"#),
            "{\"a\":{\"c\":null,\"d\":[3,{\"y\":2,\"z\":1}]},\"b\":2,\"\u{1f602}\":1,\"\u{fb33}\":2}"
        );
        let dup = parse_value(br#"{"a":{"x":1,"x":2}}"#).unwrap();
        assert_eq!(
            canonical(&dup),
            Err(NotCanonical("duplicate key \"x\"".into()))
        );
    }

    /// The keyed sort puts members, and what rides with them, in byte order of their names:
    /// names that tie in their first eight bytes, one a prefix of another, the empty name,
    /// repeats, and objects past the keyed size.
    #[test]
    fn ascii_members_sort_as_their_names_do() {
        let words = [
            "",
            "a",
            "ab",
            "abcdefgh",
            "abcdefghi",
            "abcdefghj",
            "abcdefgg",
            "Level",
            "LineId",
            "EventId",
            "EventTemplate",
            "z",
            "zz",
            "_",
            "~",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for len in (0..20).chain([63, 64, 65, 200]) {
            for _ in 0..50 {
                // Each member carries its name and index as its value, to show it moved whole.
                let mut members: Vec<(String, String)> = (0..len)
                    .map(|i| {
                        let w = words[next(words.len())];
                        // Mostly distinct names, as objects have, some repeated.
                        let name = if next(4) == 0 {
                            w.to_string()
                        } else {
                            format!("{w}{i}")
                        };
                        (name.clone(), format!("{i}:{name}"))
                    })
                    .collect();
                let mut want = members.clone();
                want.sort();
                sort_ascii(&mut members, &|m: &(String, String)| m.0.as_bytes());
                let names =
                    |v: &[(String, String)]| v.iter().map(|m| m.0.clone()).collect::<Vec<_>>();
                assert_eq!(names(&members), names(&want), "{len} members");
                let mut values: Vec<&String> = members.iter().map(|m| &m.1).collect();
                values.sort();
                values.dedup();
                assert_eq!(values.len(), len, "a member lost or doubled");
                for (name, value) in &members {
                    assert_eq!(value.split_once(':').map(|v| v.1), Some(name.as_str()));
                }
            }
        }
    }

    /// The text path gives what the tree path gives, errors included, for every kind of value.
    #[test]
    fn canonical_text_is_canonical_of_the_parsed_value() {
        for text in [
            r#"{"b":2,"a":{"d":[3,{"z":1,"y":2}],"c":null},"\ud83d\ude02":1,"\ufb33":2}"#,
            r#"{"é":1,"e":2,"\u00e9":3}"#,
            r#"{"😂":1,"דּ":2,"a":[]}"#,
            r#" { "s" : "q\" b\\ \n\t\u0001\u00e9\/" , "t" : [ true , false , null ] } "#,
            r#"{"n":[0,-0,1.0,4.50,2e-3,1E30,-12,123456789012345,1234567890123456,9007199254740993]}"#,
            r#"{"big":505874924095815681,"f":505874924095815681.0,"x":1e400}"#,
            r#"{"a":{"x":1,"x":2}}"#,
            r#"{"a\u0062":1,"ab":2}"#,
            // Names sharing their first eight bytes, or one a prefix of another.
            r#"{"abcdefghj":1,"abcdefgh":2,"abcdefghi":3,"a":4,"abcdefgg":5,"":6,"ab":7}"#,
            r#"{"lone":"\ud800"}"#,
            r#"[{"z":1,"a":[{"y":{},"b":[]}]}, "x", 1]"#,
            r#""just a string""#,
            "-0",
            "{}",
            "[]",
        ] {
            let tree = parse_value(text.as_bytes())
                .map_err(|e| NotCanonical(e.to_string()))
                .and_then(|v| canonical(&v));
            assert_eq!(canonical_text(text.as_bytes()), tree, "{text}");
        }
    }

    #[test]
    fn lone_surrogates_are_found_in_the_raw_text() {
        assert!(has_lone_surrogate(br#"{"a":"\ud800"}"#));
        assert!(has_lone_surrogate(br#"{"a":"x\udc00y"}"#));
        assert!(has_lone_surrogate(br#"{"a":"\ud800\u0041"}"#));
        assert!(!has_lone_surrogate(
            br#"{"a":"\ud83d\ude02 \u00e9 \\ud800"}"#
        ));
        assert!(!has_lone_surrogate(br#"{"a":"no escape at all"}"#));
        assert!(!has_lone_surrogate(br#"{"a":"\\"}"#));
        assert!(has_lone_surrogate(br#"{"a":"\\\n\t\"\ud800"}"#));
        assert!(!has_lone_surrogate(b"\\"));
    }
}
