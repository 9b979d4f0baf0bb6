//! One strict JSON parser (RFC 8259) with two outputs: nothing (validation, used on every input
//! line and to walk into fields) or a [`Value`] that borrows from the input.
//!
//! Both outputs come from the same recursive descent, made generic over a [`Build`]; the
//! validating instantiation builds `()` values in `Vec<()>`, which never allocates.

use std::borrow::Cow;
use std::fmt;

use super::number::is_json_number;
use super::{Number, Value};

/// Nesting deeper than this is refused, so hostile input cannot exhaust the stack.
pub const MAX_DEPTH: usize = 512;

/// Where a value sits in the line: `start..end` byte offsets.
pub type Span = (u32, u32);

/// Why a line is not JSON, and the byte offset where that became clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub offset: usize,
    pub reason: &'static str,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid JSON at byte {}: {}",
            self.offset + 1,
            self.reason
        )
    }
}

impl std::error::Error for Error {}

/// Validates `line` as exactly one JSON object (surrounding whitespace allowed) and records,
/// for each name in `wanted`, where the value of that top-level member is (the last one if the
/// name repeats). `found` is resized to `wanted.len()`.
pub fn scan_object(
    line: &[u8],
    wanted: &[impl AsRef<str>],
    found: &mut Vec<Option<Span>>,
) -> Result<(), Error> {
    scan_object_building::<Skip>(line, wanted, found, usize::MAX).map(drop)
}

/// [`scan_object`], building the value of the member named `wanted[build]` with `B` as it is
/// validated (the last one if the name repeats; `None` when there is none): one pass over the
/// line where a second one would walk that value again. Other values are only validated.
pub(super) fn scan_object_building<'a, B: Build<'a>>(
    line: &'a [u8],
    wanted: &[impl AsRef<str>],
    found: &mut Vec<Option<Span>>,
    build: usize,
) -> Result<Option<B::V>, Error> {
    found.clear();
    found.resize(wanted.len(), None);
    let mut built = None;
    let s = check_utf8(line)?;
    if line.len() > u32::MAX as usize {
        return Err(Error {
            offset: 0,
            reason: "line longer than 4 GiB",
        });
    }
    let mut p = Parser::new(s);
    p.ws();
    if p.peek() != Some(b'{') {
        return Err(not_an_object(p));
    }
    p.i += 1;
    p.ws();
    if p.peek() == Some(b'}') {
        p.i += 1;
    } else {
        loop {
            if p.peek() != Some(b'"') {
                return Err(p.err("expected a string key in an object"));
            }
            let (key_start, key_end, escaped) = p.string()?;
            p.ws();
            p.expect(b':', "expected ':' after an object key")?;
            p.ws();
            let start = p.i;
            let raw = &line[key_start + 1..key_end - 1];
            // Without escapes the key is its text: equal lengths and bytes settle it.
            let is = |name: &str| {
                if escaped {
                    key_equals(raw, name)
                } else {
                    bytes_eq(raw, name.as_bytes())
                }
            };
            if wanted.get(build).is_some_and(|name| is(name.as_ref())) {
                built = Some(p.value::<B>(1)?);
            } else {
                p.value::<Skip>(1)?;
            }
            let end = p.i;
            for (slot, name) in found.iter_mut().zip(wanted) {
                if is(name.as_ref()) {
                    *slot = Some((start as u32, end as u32));
                }
            }
            p.ws();
            match p.next() {
                Some(b',') => p.ws(),
                Some(b'}') => break,
                _ => return Err(p.err_back("expected ',' or '}' in an object")),
            }
        }
    }
    p.ws();
    if p.i != line.len() {
        return Err(p.err("unexpected data after the object"));
    }
    Ok(built)
}

/// Validates `line` as [`scan_object`] does and builds the whole object with `B`.
pub(super) fn build_object<'a, B: Build<'a>>(line: &'a [u8]) -> Result<B::V, Error> {
    let s = check_utf8(line)?;
    let mut p = Parser::new(s);
    p.ws();
    if p.peek() != Some(b'{') || line.len() > u32::MAX as usize {
        // The same error, whatever it is, as the check every other line gets.
        return Err(scan_object(line, &[""; 0], &mut Vec::new()).expect_err("not an object"));
    }
    let v = p.value::<B>(0)?;
    p.ws();
    if p.i != line.len() {
        return Err(p.err("unexpected data after the object"));
    }
    Ok(v)
}

/// The error for a line that does not start with `{`: it names what the line holds instead
/// when that is valid JSON.
fn not_an_object(mut p: Parser<'_>) -> Error {
    let at = p.err("expected an object");
    let found = match p.peek() {
        Some(b'[') => "array",
        Some(b'"') => "string",
        Some(b'-' | b'0'..=b'9') => "number",
        Some(b't' | b'f') => "boolean",
        Some(b'n') => "null",
        _ => return at,
    };
    let valid = p.value::<Skip>(0).is_ok() && {
        p.ws();
        p.i == p.b.len()
    };
    if !valid {
        return at;
    }
    Error {
        reason: match found {
            "array" => "expected an object, found an array",
            "string" => "expected an object, found a string",
            "number" => "expected an object, found a number",
            "boolean" => "expected an object, found a boolean",
            _ => "expected an object, found null",
        },
        ..at
    }
}

/// Validates `text` as exactly one JSON value of any type.
pub fn validate_value(text: &[u8]) -> Result<(), Error> {
    let s = check_utf8(text)?;
    let mut p = Parser::new(s);
    p.ws();
    p.value::<Skip>(0)?;
    p.ws();
    if p.i != text.len() {
        return Err(p.err("unexpected data after the value"));
    }
    Ok(())
}

/// Parses `text` as exactly one JSON value.
pub fn parse_value(text: &[u8]) -> Result<Value<'_>, Error> {
    match plain_scalar(text) {
        Some(v) => Ok(v),
        None => parse_value_general(text),
    }
}

/// The values an expression reads are mostly short strings without escapes and numbers, and
/// for those the parser's set-up and its UTF-8 check (the standard library's, for text this
/// short) were a tenth of `filter`'s work. Anything else, whitespace around included, is
/// left to the parser.
fn plain_scalar(text: &[u8]) -> Option<Value<'_>> {
    match text {
        [b'"', inner @ .., b'"'] => {
            if !inner
                .iter()
                .all(|&b| (0x20..0x80).contains(&b) && b != b'"' && b != b'\\')
            {
                return None;
            }
            // SAFETY: every byte is below 0x80, so the text is ASCII and therefore UTF-8.
            let s = unsafe { std::str::from_utf8_unchecked(inner) };
            Some(Value::String(Cow::Borrowed(s)))
        }
        [b'-' | b'0'..=b'9', ..] if is_json_number(text) => {
            // SAFETY: a JSON number is made of ASCII digits, signs, '.' and 'e' alone.
            let s = unsafe { std::str::from_utf8_unchecked(text) };
            Some(Tree::number(s))
        }
        b"true" => Some(Value::Bool(true)),
        b"false" => Some(Value::Bool(false)),
        b"null" => Some(Value::Null),
        _ => None,
    }
}

fn parse_value_general(text: &[u8]) -> Result<Value<'_>, Error> {
    let s = check_utf8(text)?;
    let mut p = Parser::new(s);
    p.ws();
    let v = p.value::<Tree>(0)?;
    p.ws();
    if p.i != text.len() {
        return Err(p.err("unexpected data after the value"));
    }
    Ok(v)
}

/// In an already validated object `obj`, the text of the last member named `key`. Values are
/// skipped by their brackets and quotes alone, as [`member_texts`] does.
pub fn find_member<'a>(obj: &'a [u8], key: &str) -> Option<&'a [u8]> {
    let mut found = None;
    each_member(obj, |name, text| {
        if key_equals(name, key) {
            found = Some(text);
        }
    });
    found
}

/// In an already validated object `obj`, where the members named in `wanted` are, as
/// [`scan_object`] reports them (the last of a name given twice), without checking the object
/// again.
pub fn locate_members(obj: &[u8], wanted: &[String], found: &mut Vec<Option<Span>>) {
    found.clear();
    found.resize(wanted.len(), None);
    if wanted.is_empty() {
        return;
    }
    let base = obj.as_ptr() as usize;
    each_member(obj, |name, text| {
        if let Some(i) = wanted.iter().position(|w| key_equals(name, w)) {
            let start = (text.as_ptr() as usize - base) as u32;
            found[i] = Some((start, start + text.len() as u32));
        }
    });
}

/// In an already validated object `obj`, every member as (its name's text between the quotes,
/// its value's text), in order. The object is known to be valid, so values are skipped by
/// their brackets and quotes alone, without checking them again.
pub fn member_texts(obj: &[u8]) -> Vec<(&[u8], &[u8])> {
    // Room for the members of most events: one allocation, no growing.
    let mut texts = Vec::with_capacity(16);
    each_member(obj, |name, text| texts.push((name, text)));
    texts
}

/// Calls `f` with each member of the validated object `obj`: its name's text between the
/// quotes, and its value's text.
pub fn each_member<'a>(obj: &'a [u8], mut f: impl FnMut(&'a [u8], &'a [u8])) {
    let mut i = skip_ws(obj, 0);
    if obj.get(i) != Some(&b'{') {
        return;
    }
    i += 1;
    loop {
        i = skip_ws(obj, i);
        if obj.get(i) != Some(&b'"') {
            return;
        }
        let key_end = string_end(obj, i);
        let name = &obj[i + 1..key_end.saturating_sub(1).max(i + 1)];
        i = skip_ws(obj, key_end);
        i += 1; // the colon
        i = skip_ws(obj, i);
        let start = i;
        i = value_end(obj, i);
        f(name, &obj[start..i]);
        i = skip_ws(obj, i);
        if obj.get(i) != Some(&b',') {
            return;
        }
        i += 1;
    }
}

/// The text of each element of the validated array `arr`, skipped as [`each_member`] skips
/// values.
pub fn element_texts(arr: &[u8]) -> Vec<&[u8]> {
    let mut items = Vec::new();
    let mut i = skip_ws(arr, 0);
    if arr.get(i) != Some(&b'[') {
        return items;
    }
    i = skip_ws(arr, i + 1);
    if arr.get(i) == Some(&b']') {
        return items;
    }
    while i < arr.len() {
        let start = i;
        i = value_end(arr, i);
        items.push(&arr[start..i]);
        i = skip_ws(arr, i);
        if arr.get(i) != Some(&b',') {
            break;
        }
        i = skip_ws(arr, i + 1);
    }
    items
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b
        .get(i)
        .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
    {
        i += 1;
    }
    i
}

/// The index just past the string that starts at `i` (its opening quote).
fn string_end(b: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    while let Some(k) = memchr::memchr2(b'"', b'\\', &b[j..]) {
        if b[j + k] == b'\\' {
            j += k + 2;
        } else {
            return j + k + 1;
        }
    }
    b.len()
}

/// The index just past the validated value that starts at `i`, trailing whitespace excluded.
fn value_end(b: &[u8], mut i: usize) -> usize {
    let start = i;
    let mut depth = 0usize;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i = string_end(b, i);
                if depth == 0 {
                    break;
                }
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' if depth == 0 => break,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    i += 1;
                    break;
                }
            }
            b',' if depth == 0 => break,
            _ => {}
        }
        i += 1;
    }
    while i > start && matches!(b[i - 1], b' ' | b'\t' | b'\n' | b'\r') {
        i -= 1;
    }
    i
}

/// In an already validated array `arr`, the text of element `index` (negative: from the end).
pub fn nth_element(arr: &[u8], index: i64) -> Option<&[u8]> {
    let elements = || {
        // Skipping reads no text, so the array's bytes need no second UTF-8 pass.
        let mut p = Parser {
            b: arr,
            s: "",
            i: 0,
        };
        p.ws();
        let open = p.next() == Some(b'[');
        p.ws();
        let mut done = !open || p.peek() == Some(b']');
        std::iter::from_fn(move || {
            if done {
                return None;
            }
            let start = p.i;
            p.value::<Skip>(1).ok()?;
            let item = &arr[start..p.i];
            p.ws();
            done = p.next() != Some(b',');
            p.ws();
            Some(item)
        })
    };
    if index >= 0 {
        elements().nth(usize::try_from(index).ok()?)
    } else {
        let count = elements().count() as i64;
        let idx = count + index;
        if idx < 0 {
            None
        } else {
            elements().nth(idx as usize)
        }
    }
}

/// `b` as text, so the parser can cut strings out of it without checking them again.
fn check_utf8(b: &[u8]) -> Result<&str, Error> {
    // simdutf8 settles a valid line at SIMD speed; the rare invalid one is checked again by
    // the standard library, which says where it stops being UTF-8.
    if let Ok(s) = simdutf8::basic::from_utf8(b) {
        return Ok(s);
    }
    std::str::from_utf8(b).map_err(|e| Error {
        offset: e.valid_up_to(),
        reason: "invalid UTF-8",
    })
}

/// The index of the first byte at or after `i` that ends a string's plain run: a quote, a
/// backslash or a control character (below 0x20), else `b.len()`; and whether that byte is
/// the quote. Sixteen bytes at a time. Saying which byte it is from the compare masks spares
/// the caller a load of that byte and a dependent branch on it, at the end of every string.
#[inline]
fn plain_run(b: &[u8], mut i: usize) -> (usize, bool) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        // SSE2 is part of x86_64, so these are always available.
        // SAFETY: every load reads 16 bytes starting at `i`, and the loop runs only while
        // `i + 16 <= b.len()`.
        unsafe {
            let quote = _mm_set1_epi8(b'"' as i8);
            let backslash = _mm_set1_epi8(b'\\' as i8);
            let below = _mm_set1_epi8(0x1f);
            while i + 16 <= b.len() {
                let v = _mm_loadu_si128(b.as_ptr().add(i) as *const __m128i);
                // A byte is at most 0x1f exactly when max(byte, 0x1f) is 0x1f (unsigned).
                let ctrl = _mm_cmpeq_epi8(_mm_max_epu8(v, below), below);
                let quotes = _mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)) as u32;
                let others =
                    _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, backslash), ctrl)) as u32;
                let hit = quotes | others;
                if hit != 0 {
                    let at = hit.trailing_zeros();
                    return (i + at as usize, quotes >> at & 1 == 1);
                }
                i += 16;
            }
        }
    }
    while i < b.len() && !matches!(b[i], b'"' | b'\\' | 0..=0x1f) {
        i += 1;
    }
    (i, b.get(i) == Some(&b'"'))
}

/// Whether two short byte strings are equal, compared inline: keys and the values an
/// expression compares are a few bytes long, and a call to the C library's `memcmp` for each
/// (several per event) cost more than the comparison itself.
#[inline]
pub fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let n = a.len();
    let word = |s: &[u8], at: usize| u64::from_le_bytes(s[at..at + 8].try_into().unwrap());
    let half = |s: &[u8], at: usize| u32::from_le_bytes(s[at..at + 4].try_into().unwrap());
    match n {
        // Two overlapping loads cover every length from 8 to 16 (and from 4 to 8).
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        4..=7 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        0..=3 => a.iter().zip(b).all(|(x, y)| x == y),
        _ => a == b,
    }
}

/// Compares a raw (still escaped) key from the input with a plain name.
#[inline]
pub fn key_equals(raw: &[u8], name: &str) -> bool {
    // An escape is longer than what it stands for, so the lengths alone settle most
    // comparisons without looking for a backslash.
    match raw.len().cmp(&name.len()) {
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => bytes_eq(raw, name.as_bytes()) && !raw.contains(&b'\\'),
        std::cmp::Ordering::Greater => {
            // A first byte that is no escape is the first byte of what the key says.
            if raw[0] != b'\\' && name.as_bytes().first() != Some(&raw[0]) {
                return false;
            }
            raw.contains(&b'\\') && unescape(raw) == name
        }
    }
}

/// What the parser makes of each kind of value.
pub(super) trait Build<'a> {
    type V;
    type K;
    /// Whether the builder reads the text of strings, numbers and keys; validation alone
    /// does not, and cutting it out (a UTF-8 check of each range) is most of a string's cost.
    const TEXT: bool = true;
    fn null() -> Self::V;
    fn bool(b: bool) -> Self::V;
    fn number(text: &'a str) -> Self::V;
    /// `raw` is the text between the quotes, escapes not yet resolved.
    fn string(raw: &'a str, escaped: bool) -> Self::V;
    fn key(raw: &'a str, escaped: bool) -> Self::K;
    /// `text` is the array's whole text, brackets included ("" when `TEXT` is false).
    fn array(items: Vec<Self::V>, text: &'a str) -> Self::V;
    /// `text` is the object's whole text, braces included ("" when `TEXT` is false).
    fn object(members: Vec<(Self::K, Self::V)>, text: &'a str) -> Self::V;
}

/// Validation only.
struct Skip;

impl Build<'_> for Skip {
    type V = ();
    type K = ();
    const TEXT: bool = false;
    fn null() {}
    fn bool(_: bool) {}
    fn number(_: &str) {}
    fn string(_: &str, _: bool) {}
    fn key(_: &str, _: bool) {}
    fn array(_: Vec<()>, _: &str) {}
    fn object(_: Vec<((), ())>, _: &str) {}
}

/// A [`Value`] tree borrowing from the input.
struct Tree;

impl<'a> Build<'a> for Tree {
    type V = Value<'a>;
    type K = Cow<'a, str>;
    fn null() -> Value<'a> {
        Value::Null
    }
    fn bool(b: bool) -> Value<'a> {
        Value::Bool(b)
    }
    fn number(text: &'a str) -> Value<'a> {
        Value::Number(Number::Text(Cow::Borrowed(text)))
    }
    fn string(raw: &'a str, escaped: bool) -> Value<'a> {
        Value::String(Tree::key(raw, escaped))
    }
    fn key(raw: &'a str, escaped: bool) -> Cow<'a, str> {
        if escaped {
            Cow::Owned(unescape(raw.as_bytes()))
        } else {
            Cow::Borrowed(raw)
        }
    }
    fn array(items: Vec<Value<'a>>, _: &'a str) -> Value<'a> {
        Value::Array(items)
    }
    fn object(members: Vec<(Cow<'a, str>, Value<'a>)>, _: &'a str) -> Value<'a> {
        Value::Object(members)
    }
}

struct Parser<'a> {
    b: &'a [u8],
    /// `b` as the text it was checked to be ("" for builders that read no text).
    s: &'a str,
    i: usize,
}

impl<'a> Parser<'a> {
    fn new(s: &'a str) -> Parser<'a> {
        Parser {
            b: s.as_bytes(),
            s,
            i: 0,
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    #[inline]
    fn next(&mut self) -> Option<u8> {
        let c = self.peek();
        self.i += 1;
        c
    }

    fn err(&self, reason: &'static str) -> Error {
        Error {
            offset: self.i.min(self.b.len()),
            reason,
        }
    }

    /// An error about the byte just consumed.
    fn err_back(&self, reason: &'static str) -> Error {
        Error {
            offset: self.i.saturating_sub(1).min(self.b.len()),
            reason,
        }
    }

    fn expect(&mut self, c: u8, reason: &'static str) -> Result<(), Error> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.err(reason))
        }
    }

    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn value<B: Build<'a>>(&mut self, depth: usize) -> Result<B::V, Error> {
        match self.peek() {
            Some(b'{') => self.object::<B>(depth + 1),
            Some(b'[') => self.array::<B>(depth + 1),
            Some(b'"') => {
                let (s, e, escaped) = self.string()?;
                Ok(B::string(self.text_for::<B>(s + 1, e - 1), escaped))
            }
            Some(b'-' | b'0'..=b'9') => {
                let start = self.i;
                self.number()?;
                Ok(B::number(self.text_for::<B>(start, self.i)))
            }
            Some(b't') => self.literal(b"true").map(|_| B::bool(true)),
            Some(b'f') => self.literal(b"false").map(|_| B::bool(false)),
            Some(b'n') => self.literal(b"null").map(|_| B::null()),
            Some(_) => Err(self.err("expected a value")),
            None => Err(self.err("unexpected end of input, expected a value")),
        }
    }

    /// Text of a checked range: the whole input was checked to be UTF-8 and every range cut
    /// here starts and ends at ASCII delimiters.
    fn text(&self, start: usize, end: usize) -> &'a str {
        // Only a parser made by `Parser::new` holds the text; one that skips has "".
        debug_assert_eq!(
            self.s.len(),
            self.b.len(),
            "text read by a parser without it"
        );
        self.s.get(start..end).unwrap_or_default()
    }

    /// [`Parser::text`] for builders that read it, nothing for those that do not.
    #[inline]
    fn text_for<B: Build<'a>>(&self, start: usize, end: usize) -> &'a str {
        if B::TEXT { self.text(start, end) } else { "" }
    }

    fn literal(&mut self, word: &'static [u8]) -> Result<(), Error> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err(self.err("invalid literal (expected true, false or null)"))
        }
    }

    fn object<B: Build<'a>>(&mut self, depth: usize) -> Result<B::V, Error> {
        if depth > MAX_DEPTH {
            return Err(self.err("nesting too deep"));
        }
        let start = self.i;
        self.i += 1;
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            return Ok(B::object(Vec::new(), self.text_for::<B>(start, self.i)));
        }
        // Room for a typical event's members up front: growing from empty reallocates
        // several times per object (nothing is allocated when validating: `B::V` is `()`).
        let mut members = Vec::with_capacity(16);
        loop {
            if self.peek() != Some(b'"') {
                return Err(self.err("expected a string key in an object"));
            }
            let (s, e, escaped) = self.string()?;
            let key = B::key(self.text_for::<B>(s + 1, e - 1), escaped);
            self.ws();
            self.expect(b':', "expected ':' after an object key")?;
            self.ws();
            let v = self.value::<B>(depth)?;
            members.push((key, v));
            self.ws();
            match self.next() {
                Some(b',') => self.ws(),
                Some(b'}') => return Ok(B::object(members, self.text_for::<B>(start, self.i))),
                _ => return Err(self.err_back("expected ',' or '}' in an object")),
            }
        }
    }

    fn array<B: Build<'a>>(&mut self, depth: usize) -> Result<B::V, Error> {
        if depth > MAX_DEPTH {
            return Err(self.err("nesting too deep"));
        }
        let start = self.i;
        self.i += 1;
        self.ws();
        let mut items = Vec::new();
        if self.peek() == Some(b']') {
            self.i += 1;
            return Ok(B::array(items, self.text_for::<B>(start, self.i)));
        }
        loop {
            items.push(self.value::<B>(depth)?);
            self.ws();
            match self.next() {
                Some(b',') => self.ws(),
                Some(b']') => return Ok(B::array(items, self.text_for::<B>(start, self.i))),
                _ => return Err(self.err_back("expected ',' or ']' in an array")),
            }
        }
    }

    /// Checks the string starting at the opening quote; returns the offsets of both quotes
    /// (end is one past the closing quote) and whether it holds escapes.
    #[inline]
    fn string(&mut self) -> Result<(usize, usize, bool), Error> {
        let start = self.i;
        let mut escaped = false;
        if self.peek() != Some(b'"') {
            return Err(self.err("expected a string"));
        }
        self.i += 1;
        loop {
            let (at, quote) = plain_run(self.b, self.i);
            self.i = at;
            if quote {
                self.i += 1;
                return Ok((start, self.i, escaped));
            }
            match self.peek() {
                Some(b'\\') => {
                    self.i += 1;
                    escaped = true;
                    match self.next() {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {}
                        Some(b'u') => {
                            let hex = self.b.get(self.i..self.i + 4);
                            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                                return Err(self.err("invalid \\u escape in a string"));
                            }
                            self.i += 4;
                        }
                        _ => return Err(self.err_back("invalid escape in a string")),
                    }
                }
                // A run stops only at a quote, a backslash or a control character.
                Some(_) => return Err(self.err("unescaped control character in a string")),
                None => return Err(self.err("unterminated string")),
            }
        }
    }

    fn number(&mut self) -> Result<(), Error> {
        let start = self.i;
        while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') = self.peek() {
            self.i += 1;
        }
        if is_json_number(&self.b[start..self.i]) {
            Ok(())
        } else {
            Err(Error {
                offset: start,
                reason: "invalid number",
            })
        }
    }
}

/// Resolves the escapes of a validated string body. Lone surrogates become U+FFFD.
pub(super) fn unescape(raw: &[u8]) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    let hex = |i: usize| {
        raw.get(i..i + 4)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u32::from_str_radix(h, 16).ok())
    };
    while i < raw.len() {
        let run = raw[i..]
            .iter()
            .position(|&c| c == b'\\')
            .unwrap_or(raw.len() - i);
        out.push_str(std::str::from_utf8(&raw[i..i + run]).unwrap_or("\u{fffd}"));
        i += run;
        if i >= raw.len() {
            break;
        }
        let esc = raw.get(i + 1).copied().unwrap_or(b'\\');
        i += 2;
        let c = match esc {
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = hex(i).unwrap_or(0xfffd);
                i += 4;
                if (0xd800..0xdc00).contains(&hi) && raw.get(i..i + 2) == Some(b"\\u") {
                    match hex(i + 2) {
                        Some(lo) if (0xdc00..0xe000).contains(&lo) => {
                            i += 6;
                            char::from_u32(0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00))
                                .unwrap_or('\u{fffd}')
                        }
                        _ => '\u{fffd}',
                    }
                } else {
                    char::from_u32(hi).unwrap_or('\u{fffd}')
                }
            }
            other => other as char,
        };
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(line: &str, wanted: &[&str]) -> Result<Vec<Option<String>>, Error> {
        let mut found = Vec::new();
        scan_object(line.as_bytes(), wanted, &mut found)?;
        Ok(found
            .iter()
            .map(|s| s.map(|(a, b)| line[a as usize..b as usize].to_string()))
            .collect())
    }

    #[test]
    fn plain_scalars_read_as_the_parser_reads_them() {
        let texts: &[&[u8]] = &[
            b"\"OpenSSH\"",
            b"\"\"",
            b"\" spaces and: punctuation {}[],\"",
            b"\"a\\\"b\"",
            b"\"tab\\tbell\"",
            b"\"raw\ttab\"",
            b"\"raw\x01control\"",
            b"\"del\x7f\"",
            "\"caf\u{e9}\"".as_bytes(),
            b"\"bad\xff\"",
            b"\"a\"b\"",
            b"\"",
            b"\"unterminated",
            b"0",
            b"-0",
            b"12345",
            b"-1.5e+10",
            b"1E400",
            b"123456789012345678901234567890",
            b"01",
            b"1.",
            b"-",
            b"1e",
            b"1x",
            b"true",
            b"false",
            b"null",
            b"nul",
            b"truee",
            b" 1",
            b"\"a\" ",
            b"[1, \"a\"]",
            b"{\"a\": 1}",
            b"",
        ];
        for &t in texts {
            let fast = parse_value(t).map_err(|e| (e.offset, e.reason));
            let general = parse_value_general(t).map_err(|e| (e.offset, e.reason));
            assert_eq!(fast, general, "{}", String::from_utf8_lossy(t));
        }
        // The fast path borrows, as the parser does.
        assert!(matches!(
            parse_value(b"\"x\""),
            Ok(Value::String(Cow::Borrowed("x")))
        ));
    }

    #[test]
    fn scan_finds_wanted_members() {
        let got = scan(
            r#" {"a": 1, "b" : {"c": [1, 2]}, "d\u0065": "x", "a": 2} "#,
            &["a", "b", "de", "zz"],
        )
        .unwrap();
        assert_eq!(
            got,
            vec![
                Some("2".into()),
                Some(r#"{"c": [1, 2]}"#.into()),
                Some(r#""x""#.into()),
                None
            ]
        );
    }

    #[test]
    fn scan_rejects_what_is_not_one_object() {
        for bad in [
            "",
            "[]",
            "1",
            "\"s\"",
            "{",
            "{}}",
            "{} {}",
            "{\"a\"}",
            "{\"a\":}",
            "{\"a\":1,}",
            "{a:1}",
            "{\"a\":01}",
            "{\"a\":\"\t\"}",
            "{\"a\":\"\\x\"}",
            "{\"a\":\"\\u12\"}",
            "{\"a\":tru}",
            "{\"a\":[1,]}",
            "{'a':1}",
        ] {
            assert!(scan(bad, &[]).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn member_texts_are_the_members_as_written() {
        let obj = br#" { "a" : 1.50 , "b\"":{"c":[1,"]}"]}, "d":"x\\" ,"e":[ ],"f":true}"#;
        let got: Vec<(String, String)> = member_texts(obj)
            .into_iter()
            .map(|(k, v)| {
                (
                    String::from_utf8_lossy(k).into_owned(),
                    String::from_utf8_lossy(v).into_owned(),
                )
            })
            .collect();
        let want = [
            ("a", "1.50"),
            ("b\\\"", r#"{"c":[1,"]}"]}"#),
            ("d", r#""x\\""#),
            ("e", "[ ]"),
            ("f", "true"),
        ];
        assert_eq!(
            got,
            want.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        );
        assert!(member_texts(b"{}").is_empty());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        let err = scan(&deep, &[]).unwrap_err();
        assert_eq!(err.reason, "nesting too deep");
        let ok = format!("{{\"a\":{}{}}}", "[".repeat(100), "]".repeat(100));
        assert!(scan(&ok, &[]).is_ok());
    }

    #[test]
    fn invalid_utf8_is_reported_with_its_offset() {
        let err = scan_object(b"{\"a\":\"\xff\"}", &[""; 0], &mut Vec::new()).unwrap_err();
        assert_eq!(err.offset, 6);
        assert_eq!(err.to_string(), "invalid JSON at byte 7: invalid UTF-8");
    }

    #[test]
    fn fast_string_path_stops_at_every_special_byte() {
        for special in ["\"", "\\\\", "\\n", "é", "\u{1f600}"] {
            for pad in 0..17 {
                let s = format!(
                    "{{\"k\":\"{}{}{}\"}}",
                    "x".repeat(pad),
                    special,
                    "y".repeat(pad)
                );
                let v = parse_value(s.as_bytes());
                if special == "\"" {
                    assert!(v.is_err());
                } else {
                    assert!(v.is_ok(), "{s}");
                }
            }
        }
        for pad in 0..17 {
            let s = format!("{{\"k\":\"{}\u{1}\"}}", "x".repeat(pad));
            assert!(parse_value(s.as_bytes()).is_err());
        }
    }

    #[test]
    fn bytes_eq_agrees_with_slice_equality() {
        let texts: Vec<Vec<u8>> = (0..=40)
            .map(|n| (0..n).map(|i| b'a' + (i % 26) as u8).collect())
            .collect();
        for a in &texts {
            for b in &texts {
                assert_eq!(bytes_eq(a, b), a == b, "{a:?} {b:?}");
            }
            // One byte changed, at each place in turn: the first, the last and between.
            for at in 0..a.len() {
                let mut c = a.clone();
                c[at] ^= 1;
                assert!(!bytes_eq(a, &c), "{a:?} {c:?}");
            }
        }
    }

    #[test]
    fn plain_runs_stop_where_and_why() {
        // Each stop at every offset from the start, so both the 16-byte steps and the byte
        // loop of the tail see it.
        for len in 0..40 {
            for stop in [b'"', b'\\', b'\n', 0x1f] {
                let mut b = vec![b'x'; len];
                b.push(stop);
                b.extend_from_slice(b"yyyyyyyy");
                assert_eq!(plain_run(&b, 0), (len, stop == b'"'), "{len} {stop}");
            }
            let b = vec![b'x'; len];
            assert_eq!(plain_run(&b, 0), (len, false));
        }
        // A byte at or above 0x20 never stops a run, whatever its value (UTF-8 included).
        let b: Vec<u8> = (0x20..=0xffu8)
            .filter(|c| !matches!(c, b'"' | b'\\'))
            .collect();
        assert_eq!(plain_run(&b, 0), (b.len(), false));
    }

    #[test]
    fn strings_borrow_unless_escaped() {
        let v = parse_value(br#"{"plain":"abc","esc":"a\"b\u00e9\ud83d\ude00\ud800x"}"#).unwrap();
        match v.member("plain") {
            Some(Value::String(Cow::Borrowed("abc"))) => {}
            other => panic!("{other:?}"),
        }
        assert_eq!(
            v.member("esc").and_then(Value::as_str),
            Some("a\"b\u{e9}\u{1f600}\u{fffd}x")
        );
    }

    #[test]
    fn numbers_keep_their_text() {
        let v = parse_value(br#"{"id":505874924095815681,"v":1.10,"e":-1E+2}"#).unwrap();
        let text = |k| match v.member(k) {
            Some(Value::Number(Number::Text(t))) => t.to_string(),
            other => panic!("{other:?}"),
        };
        assert_eq!(text("id"), "505874924095815681");
        assert_eq!(text("v"), "1.10");
        assert_eq!(text("e"), "-1E+2");
    }

    #[test]
    fn member_and_element_navigation() {
        let obj = br#"{"a": {"b": [10, {"c": "x"}, 30]}, "a2": 1}"#;
        let a = find_member(obj, "a").unwrap();
        let b = find_member(a, "b").unwrap();
        assert_eq!(nth_element(b, 0), Some(&b"10"[..]));
        assert_eq!(nth_element(b, -1), Some(&b"30"[..]));
        assert_eq!(nth_element(b, -3), Some(&b"10"[..]));
        assert_eq!(nth_element(b, -4), None);
        assert_eq!(nth_element(b, 3), None);
        assert_eq!(
            find_member(nth_element(b, 1).unwrap(), "c"),
            Some(&br#""x""#[..])
        );
        assert_eq!(find_member(obj, "zz"), None);
        assert_eq!(find_member(b"[1]", "a"), None);
        assert_eq!(nth_element(b"[]", 0), None);
        assert_eq!(nth_element(b"{}", 0), None);
    }
}
