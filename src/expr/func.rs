//! The built-in functions, one library for every expression: their names, what they take and
//! do (the table `binge help functions` is generated from), arity and literal-argument checks
//! at parse time, and what they compute. A function given a missing value or a value of the
//! wrong type gives `null`, as a missing path does; only a regular expression or a time format
//! made from the event can fail (the event is then a bad line).

use std::borrow::Cow;
use std::cmp::Ordering;

use sha2::{Digest, Sha256};

use super::eval::{float, is_fractional};
use super::parser::Expr;
use crate::json::{self, Number, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    // Values and events
    Exists,
    Coalesce,
    Type,
    IsNull,
    IsBool,
    IsNumber,
    IsString,
    IsArray,
    IsObject,
    Number,
    String,
    ParseJson,
    ToJson,
    // Strings
    Len,
    Lower,
    Upper,
    StartsWith,
    EndsWith,
    Contains,
    Split,
    Join,
    Replace,
    ReplaceAll,
    Substr,
    Trim,
    Ltrim,
    Rtrim,
    Pad,
    Format,
    Url,
    Sha256,
    // Numbers
    Round,
    Floor,
    Ceil,
    Abs,
    Min,
    Max,
    Pow,
    Log,
    // Collections
    Keys,
    Values,
    First,
    Last,
    Sort,
    Unique,
    // Time
    Now,
    Time,
    Strftime,
    Strptime,
    // Networks and the machine
    CidrMatch,
    Hostname,
    Env,
    Uuid7,
    Line,
}

/// One function: its name, argument count (`usize::MAX`: any), how it is called, and what it
/// gives, grouped for the reference.
struct Entry {
    func: Func,
    name: &'static str,
    min: usize,
    max: usize,
    group: &'static str,
    usage: &'static str,
    doc: &'static str,
}

const fn e(
    func: Func,
    name: &'static str,
    min: usize,
    max: usize,
    group: &'static str,
    usage: &'static str,
    doc: &'static str,
) -> Entry {
    Entry {
        func,
        name,
        min,
        max,
        group,
        usage,
        doc,
    }
}

const ANY: usize = usize::MAX;

const TABLE: &[Entry] = &[
    e(
        Func::Exists,
        "exists",
        1,
        1,
        "Values",
        "exists(PATH)",
        "true when the event has PATH (even if it is null)",
    ),
    e(
        Func::Coalesce,
        "coalesce",
        1,
        ANY,
        "Values",
        "coalesce(a, b, ...)",
        "the first argument that is not null",
    ),
    e(
        Func::Type,
        "type",
        1,
        1,
        "Values",
        "type(x)",
        "\"null\", \"boolean\", \"number\", \"string\", \"array\" or \"object\"",
    ),
    e(
        Func::IsNull,
        "is_null",
        1,
        1,
        "Values",
        "is_null(x)",
        "whether x is null (or missing)",
    ),
    e(
        Func::IsBool,
        "is_bool",
        1,
        1,
        "Values",
        "is_bool(x)",
        "whether x is true or false",
    ),
    e(
        Func::IsNumber,
        "is_number",
        1,
        1,
        "Values",
        "is_number(x)",
        "whether x is a number",
    ),
    e(
        Func::IsString,
        "is_string",
        1,
        1,
        "Values",
        "is_string(x)",
        "whether x is a string",
    ),
    e(
        Func::IsArray,
        "is_array",
        1,
        1,
        "Values",
        "is_array(x)",
        "whether x is an array",
    ),
    e(
        Func::IsObject,
        "is_object",
        1,
        1,
        "Values",
        "is_object(x)",
        "whether x is an object",
    ),
    e(
        Func::Number,
        "number",
        1,
        1,
        "Values",
        "number(x)",
        "x as a number: numbers as they are, numeric text read exactly",
    ),
    e(
        Func::String,
        "string",
        1,
        1,
        "Values",
        "string(x)",
        "x as text: strings as they are, anything else as compact JSON",
    ),
    e(
        Func::ParseJson,
        "parse_json",
        1,
        1,
        "Values",
        "parse_json(s)",
        "the JSON value in the string s (null when it is not JSON)",
    ),
    e(
        Func::ToJson,
        "to_json",
        1,
        1,
        "Values",
        "to_json(x)",
        "x as compact JSON text, numbers exactly as they came",
    ),
    e(
        Func::Len,
        "len",
        1,
        1,
        "Strings",
        "len(x)",
        "characters of a string, items of an array, members of an object; 0 for null",
    ),
    e(
        Func::Lower,
        "lower",
        1,
        1,
        "Strings",
        "lower(s)",
        "s in lower case",
    ),
    e(
        Func::Upper,
        "upper",
        1,
        1,
        "Strings",
        "upper(s)",
        "s in upper case",
    ),
    e(
        Func::StartsWith,
        "starts_with",
        2,
        2,
        "Strings",
        "starts_with(s, prefix)",
        "whether s starts with prefix",
    ),
    e(
        Func::EndsWith,
        "ends_with",
        2,
        2,
        "Strings",
        "ends_with(s, suffix)",
        "whether s ends with suffix",
    ),
    e(
        Func::Contains,
        "contains",
        2,
        2,
        "Strings",
        "contains(s, part)",
        "whether the string s holds part, or the array s holds the value part",
    ),
    e(
        Func::Split,
        "split",
        2,
        2,
        "Strings",
        "split(s, sep)",
        "the pieces of s between each sep, as an array",
    ),
    e(
        Func::Join,
        "join",
        2,
        2,
        "Strings",
        "join(array, sep)",
        "the items joined with sep (non-strings as JSON, nulls as empty)",
    ),
    e(
        Func::Replace,
        "replace",
        3,
        3,
        "Strings",
        "replace(s, regex, with)",
        "s with the first match of regex replaced; $1, ${name} in with are the match's groups",
    ),
    e(
        Func::ReplaceAll,
        "replace_all",
        3,
        3,
        "Strings",
        "replace_all(s, regex, with)",
        "s with every match of regex replaced, as replace does",
    ),
    e(
        Func::Substr,
        "substr",
        2,
        3,
        "Strings",
        "substr(s, start[, length])",
        "characters of s from start (from 0; negative counts from the end)",
    ),
    e(
        Func::Trim,
        "trim",
        1,
        1,
        "Strings",
        "trim(s)",
        "s without blanks at either end",
    ),
    e(
        Func::Ltrim,
        "ltrim",
        1,
        1,
        "Strings",
        "ltrim(s)",
        "s without blanks at its start",
    ),
    e(
        Func::Rtrim,
        "rtrim",
        1,
        1,
        "Strings",
        "rtrim(s)",
        "s without blanks at its end",
    ),
    e(
        Func::Pad,
        "pad",
        2,
        3,
        "Strings",
        "pad(s, width[, fill])",
        "s padded with fill (a space) to width characters: at its start (right-aligned) for a positive width, at its end for a negative one",
    ),
    e(
        Func::Format,
        "format",
        1,
        ANY,
        "Strings",
        "format(template, a, b, ...)",
        "template with each {} replaced by the next argument and {N} by argument N (from 0); {{ and }} are braces",
    ),
    e(
        Func::Url,
        "url",
        2,
        2,
        "Strings",
        "url(s, part)",
        "a part of the URL s: \"scheme\", \"host\", \"port\", \"path\", \"query\" or \"fragment\"; or the query parameter named by \"?NAME\"",
    ),
    e(
        Func::Sha256,
        "sha256",
        1,
        1,
        "Strings",
        "sha256(x)",
        "SHA-256 of a string (others as JSON), in hex",
    ),
    e(
        Func::Round,
        "round",
        1,
        2,
        "Numbers",
        "round(x[, digits])",
        "x rounded half away from zero to digits decimals (0); exact for decimal literals",
    ),
    e(
        Func::Floor,
        "floor",
        1,
        1,
        "Numbers",
        "floor(x)",
        "the greatest integer not above x",
    ),
    e(
        Func::Ceil,
        "ceil",
        1,
        1,
        "Numbers",
        "ceil(x)",
        "the least integer not below x",
    ),
    e(
        Func::Abs,
        "abs",
        1,
        1,
        "Numbers",
        "abs(x)",
        "x without its sign",
    ),
    e(
        Func::Min,
        "min",
        1,
        ANY,
        "Numbers",
        "min(a, b, ...)",
        "the least of the numbers (or of one array's numbers), as written",
    ),
    e(
        Func::Max,
        "max",
        1,
        ANY,
        "Numbers",
        "max(a, b, ...)",
        "the greatest of the numbers (or of one array's numbers), as written",
    ),
    e(
        Func::Pow,
        "pow",
        2,
        2,
        "Numbers",
        "pow(x, y)",
        "x to the power y (exact for integers while they fit)",
    ),
    e(
        Func::Log,
        "log",
        1,
        2,
        "Numbers",
        "log(x[, base])",
        "the logarithm of x, natural or to base",
    ),
    e(
        Func::Keys,
        "keys",
        1,
        1,
        "Collections",
        "keys(object)",
        "the member names, in the event's order",
    ),
    e(
        Func::Values,
        "values",
        1,
        1,
        "Collections",
        "values(object)",
        "the member values, in the event's order",
    ),
    e(
        Func::First,
        "first",
        1,
        1,
        "Collections",
        "first(x)",
        "the first item of an array, or character of a string",
    ),
    e(
        Func::Last,
        "last",
        1,
        1,
        "Collections",
        "last(x)",
        "the last item of an array, or character of a string",
    ),
    e(
        Func::Sort,
        "sort",
        1,
        1,
        "Collections",
        "sort(array)",
        "the items in order: null, false, true, numbers, strings, arrays, objects",
    ),
    e(
        Func::Unique,
        "unique",
        1,
        1,
        "Collections",
        "unique(array)",
        "the items without repeats (equal as == says), first seen first",
    ),
    e(
        Func::Now,
        "now",
        0,
        0,
        "Time",
        "now()",
        "the time now, in epoch milliseconds",
    ),
    e(
        Func::Time,
        "time",
        1,
        1,
        "Time",
        "time(x)",
        "an event time (RFC 3339 text, no offset meaning --tz; or an epoch number) in epoch milliseconds",
    ),
    e(
        Func::Strftime,
        "strftime",
        2,
        3,
        "Time",
        "strftime(t, format[, zone])",
        "the time t (as time() reads it) written with a strftime format, in zone (an IANA name; UTC when not given)",
    ),
    e(
        Func::Strptime,
        "strptime",
        2,
        3,
        "Time",
        "strptime(s, format[, zone])",
        "the text s read with a strftime format, in epoch milliseconds; a time without offset is in zone (else --tz)",
    ),
    e(
        Func::CidrMatch,
        "cidr_match",
        2,
        2,
        "Networks and the machine",
        "cidr_match(cidr, ip)",
        "whether the IPv4 or IPv6 address ip is in the network cidr (\"10.0.0.0/8\")",
    ),
    e(
        Func::Hostname,
        "hostname",
        0,
        0,
        "Networks and the machine",
        "hostname()",
        "this machine's name",
    ),
    e(
        Func::Env,
        "env",
        1,
        1,
        "Networks and the machine",
        "env(name)",
        "the environment variable name, or null",
    ),
    e(
        Func::Uuid7,
        "uuid7",
        0,
        0,
        "Networks and the machine",
        "uuid7()",
        "a new UUIDv7 (time-ordered)",
    ),
    e(
        Func::Line,
        "line",
        0,
        0,
        "Networks and the machine",
        "line()",
        "the event's line number in its input",
    ),
];

fn entry(f: Func) -> &'static Entry {
    TABLE
        .iter()
        .find(|t| t.func == f)
        .expect("every function is in the table")
}

/// The reference of every function, grouped, for `binge help functions` and the man page.
pub fn reference() -> String {
    let mut out = String::from(
        "Functions, for every expression (filter, annotate --set/--when, aggregate --by and the\n\
         statistics, tee --when, log query --where). A missing value or one of the wrong type\n\
         gives null. Conditionals: if C then A else B end (else is optional: null).\n",
    );
    let mut group = "";
    for t in TABLE {
        if t.group != group {
            group = t.group;
            out.push_str(&format!("\n{group}:\n"));
        }
        out.push_str(&format!("  {:<30} {}\n", t.usage, t.doc));
    }
    out
}

/// How far apart two names are (Levenshtein), for suggesting the function meant.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The message for a name that is no function: the close ones, and where the list is.
pub fn unknown(name: &str) -> String {
    let mut close: Vec<(usize, &str)> = TABLE
        .iter()
        .map(|t| (distance(name, t.name), t.name))
        .filter(|(d, n)| *d <= 2 || n.contains(name) || name.contains(n))
        .collect();
    close.sort();
    let close: Vec<&str> = close.into_iter().take(3).map(|(_, n)| n).collect();
    let hint = if close.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", close.join(", "))
    };
    format!("unknown function '{name}'{hint} (binge help functions lists them all)")
}

impl Func {
    pub fn by_name(name: &str) -> Option<Func> {
        TABLE.iter().find(|t| t.name == name).map(|t| t.func)
    }

    /// Whether evaluating the call can fail (a pattern or format made from the event).
    pub fn can_fail(self, args: &[Expr]) -> bool {
        match self {
            Func::Replace | Func::ReplaceAll => !matches!(args.get(1), Some(Expr::Lit(_))),
            Func::Strptime | Func::Strftime => true,
            _ => false,
        }
    }

    /// Checks the arguments at parse time; the message is shown after `name(): `.
    pub fn check(self, args: &[Expr]) -> Result<(), String> {
        let t = entry(self);
        let n = args.len();
        if n < t.min || n > t.max {
            let want = match (t.min, t.max) {
                (a, b) if a == b => format!("{a} argument{}", if a == 1 { "" } else { "s" }),
                (a, ANY) => format!("at least {a} argument{}", if a == 1 { "" } else { "s" }),
                (a, b) => format!("{a} to {b} arguments"),
            };
            return Err(format!("takes {want}, got {n}"));
        }
        if self == Func::Exists && !matches!(args[0], Expr::Path(_)) {
            return Err("the argument must be a path, such as .a.b".into());
        }
        let literal = |i: usize| match args.get(i) {
            Some(Expr::Lit(Value::String(s))) => Some(s.as_ref()),
            _ => None,
        };
        if matches!(self, Func::Replace | Func::ReplaceAll)
            && let Some(p) = literal(1)
        {
            regex::Regex::new(p).map_err(|e| format!("{p:?} is not a regular expression: {e}"))?;
        }
        if matches!(self, Func::Strftime | Func::Strptime)
            && let Some(z) = literal(2)
        {
            jiff::tz::TimeZone::get(z).map_err(|_| format!("unknown time zone {z:?}"))?;
        }
        if self == Func::Url
            && let Some(p) = literal(1)
            && !matches!(
                p,
                "scheme" | "host" | "port" | "path" | "query" | "fragment"
            )
            && !p.starts_with('?')
        {
            return Err(format!(
                "{p:?} is no part of a URL (scheme, host, port, path, query, fragment, ?NAME)"
            ));
        }
        Ok(())
    }

    /// Applies a function whose arguments are already evaluated. `exists`, `coalesce` and
    /// `line` look at the event or evaluate lazily, so the evaluator handles them. `Err` is
    /// why the event cannot be handled (a pattern or format made from it).
    pub fn apply<'a>(self, args: Vec<Value<'a>>) -> Result<Value<'a>, String> {
        let mut all = args.into_iter();
        let mut arg = || all.next().unwrap_or(Value::Null);
        Ok(match self {
            Func::Type => text(match arg() {
                Value::Null => "null",
                Value::Bool(_) => "boolean",
                Value::Number(_) => "number",
                Value::String(_) => "string",
                Value::Array(_) => "array",
                Value::Object(_) => "object",
            }),
            Func::IsNull => Value::Bool(matches!(arg(), Value::Null)),
            Func::IsBool => Value::Bool(matches!(arg(), Value::Bool(_))),
            Func::IsNumber => Value::Bool(matches!(arg(), Value::Number(_))),
            Func::IsString => Value::Bool(matches!(arg(), Value::String(_))),
            Func::IsArray => Value::Bool(matches!(arg(), Value::Array(_))),
            Func::IsObject => Value::Bool(matches!(arg(), Value::Object(_))),
            Func::Number => match arg() {
                n @ Value::Number(_) => n,
                Value::String(s) => Number::parse_lenient(&s)
                    .map(Value::Number)
                    .unwrap_or(Value::Null),
                _ => Value::Null,
            },
            Func::String => match arg() {
                s @ Value::String(_) => s,
                other => Value::String(Cow::Owned(other.to_json())),
            },
            Func::ParseJson => match arg() {
                Value::String(s) => json::parse_value(s.as_bytes())
                    .map(Value::into_owned)
                    .unwrap_or(Value::Null),
                _ => Value::Null,
            },
            Func::ToJson => Value::String(Cow::Owned(arg().to_json())),
            Func::Len => match arg() {
                Value::String(s) => int(s.chars().count() as i64),
                Value::Array(a) => int(a.len() as i64),
                Value::Object(o) => int(o.len() as i64),
                Value::Null => int(0),
                _ => Value::Null,
            },
            Func::Lower => map_str(arg(), |s| s.to_lowercase()),
            Func::Upper => map_str(arg(), |s| s.to_uppercase()),
            Func::StartsWith => str_pair(arg(), arg(), |s, p| s.starts_with(p)),
            Func::EndsWith => str_pair(arg(), arg(), |s, p| s.ends_with(p)),
            Func::Contains => {
                let (s, p) = (arg(), arg());
                match (&s, &p) {
                    (Value::String(s), Value::String(p)) => Value::Bool(s.contains(p.as_ref())),
                    (Value::Array(items), _) => Value::Bool(items.contains(&p)),
                    _ => Value::Null,
                }
            }
            Func::Split => match (arg(), arg()) {
                (Value::String(s), Value::String(sep)) if !sep.is_empty() => Value::Array(
                    s.split(sep.as_ref())
                        .map(|p| Value::String(Cow::Owned(p.to_string())))
                        .collect(),
                ),
                (Value::String(s), Value::String(_)) => Value::Array(
                    s.chars()
                        .map(|c| Value::String(Cow::Owned(c.to_string())))
                        .collect(),
                ),
                _ => Value::Null,
            },
            Func::Join => match (arg(), arg()) {
                (Value::Array(items), Value::String(sep)) => {
                    let parts: Vec<String> = items
                        .iter()
                        .map(|v| match v {
                            Value::String(s) => s.to_string(),
                            Value::Null => String::new(),
                            other => other.to_json(),
                        })
                        .collect();
                    Value::String(Cow::Owned(parts.join(&sep)))
                }
                _ => Value::Null,
            },
            Func::Replace | Func::ReplaceAll => match (arg(), arg(), arg()) {
                (Value::String(s), Value::String(re), Value::String(with)) => {
                    let all = self == Func::ReplaceAll;
                    let out = super::eval::with_regex(&re, |r| {
                        if all {
                            r.replace_all(&s, with.as_ref()).into_owned()
                        } else {
                            r.replace(&s, with.as_ref()).into_owned()
                        }
                    })?;
                    Value::String(Cow::Owned(out))
                }
                _ => Value::Null,
            },
            Func::Substr => {
                let (s, start, len) = (arg(), arg(), arg());
                match (s, whole(&start), &len) {
                    (Value::String(s), Some(start), Value::Null) => substr(&s, start, None),
                    (Value::String(s), Some(start), l) => match whole(l) {
                        Some(l) if l >= 0 => substr(&s, start, Some(l as usize)),
                        _ => Value::Null,
                    },
                    _ => Value::Null,
                }
            }
            Func::Trim => map_str(arg(), |s| s.trim().to_string()),
            Func::Ltrim => map_str(arg(), |s| s.trim_start().to_string()),
            Func::Rtrim => map_str(arg(), |s| s.trim_end().to_string()),
            Func::Pad => {
                let (s, width, fill) = (arg(), arg(), arg());
                let fill = match &fill {
                    Value::Null => Some(' '),
                    Value::String(f) if f.chars().count() == 1 => f.chars().next(),
                    _ => None,
                };
                let s = match s {
                    Value::String(s) => Some(s.into_owned()),
                    Value::Number(n) => Some(Value::Number(n).to_json()),
                    _ => None,
                };
                match (s, whole(&width), fill) {
                    // A width from the event must not make a line no one can hold.
                    (Some(_), Some(w), _) if w.unsigned_abs() > MAX_PAD => Value::Null,
                    (Some(s), Some(w), Some(fill)) => {
                        let missing = (w.unsigned_abs() as usize).saturating_sub(s.chars().count());
                        let padding: String = std::iter::repeat_n(fill, missing).collect();
                        Value::String(Cow::Owned(if w >= 0 { padding + &s } else { s + &padding }))
                    }
                    _ => Value::Null,
                }
            }
            Func::Format => {
                let template = arg();
                let rest: Vec<Value<'a>> = all.collect();
                match template {
                    Value::String(t) => format_template(&t, &rest),
                    _ => Value::Null,
                }
            }
            Func::Url => match (arg(), arg()) {
                (Value::String(s), Value::String(part)) => url_part(&s, &part),
                _ => Value::Null,
            },
            Func::Sha256 => {
                let v = arg();
                let digest = match &v {
                    Value::String(s) => Sha256::digest(s.as_bytes()),
                    other => Sha256::digest(other.to_json().as_bytes()),
                };
                Value::String(Cow::Owned(
                    digest.iter().map(|b| format!("{b:02x}")).collect(),
                ))
            }
            Func::Round => {
                let (x, digits) = (arg(), arg());
                let digits = match digits {
                    Value::Null => Some(0),
                    d => whole(&d),
                };
                match (x, digits) {
                    (Value::Number(n), Some(d)) => round(&n, d, Mode::HalfAway),
                    _ => Value::Null,
                }
            }
            Func::Floor => match arg() {
                Value::Number(n) => round(&n, 0, Mode::Floor),
                _ => Value::Null,
            },
            Func::Ceil => match arg() {
                Value::Number(n) => round(&n, 0, Mode::Ceil),
                _ => Value::Null,
            },
            Func::Abs => match arg() {
                Value::Number(Number::Int(i)) => match i.checked_abs() {
                    Some(a) => int(a),
                    None => Value::Number(Number::from_i128((i as i128).abs())),
                },
                Value::Number(Number::Float(f)) => float(f.abs()),
                Value::Number(Number::Text(t)) => Value::Number(Number::Text(Cow::Owned(
                    t.strip_prefix('-').unwrap_or(&t).to_string(),
                ))),
                _ => Value::Null,
            },
            Func::Min | Func::Max => {
                let mut items: Vec<Value<'a>> = std::iter::once(arg()).chain(all).collect();
                if items.len() == 1
                    && let Some(Value::Array(inner)) = items.pop()
                {
                    items = inner;
                }
                let want = if self == Func::Min {
                    Ordering::Less
                } else {
                    Ordering::Greater
                };
                items
                    .into_iter()
                    .filter_map(|v| match v {
                        Value::Number(n) => Some(n),
                        _ => None,
                    })
                    .reduce(|best, n| if n.cmp_exact(&best) == want { n } else { best })
                    .map_or(Value::Null, Value::Number)
            }
            Func::Pow => match (arg(), arg()) {
                (Value::Number(x), Value::Number(y)) => {
                    let exact = (!is_fractional(&x) && !is_fractional(&y))
                        .then(|| x.as_i128().zip(y.as_i64()))
                        .flatten()
                        .filter(|(_, e)| (0..=u32::MAX as i64).contains(e))
                        .and_then(|(b, e)| b.checked_pow(e as u32));
                    match exact {
                        Some(v) => Value::Number(Number::from_i128(v)),
                        None => float(x.as_f64().powf(y.as_f64())),
                    }
                }
                _ => Value::Null,
            },
            Func::Log => match (arg(), arg()) {
                (Value::Number(x), Value::Null) if x.as_f64() > 0.0 => float(x.as_f64().ln()),
                (Value::Number(x), Value::Number(b)) if x.as_f64() > 0.0 && b.as_f64() > 0.0 => {
                    float(x.as_f64().log(b.as_f64()))
                }
                _ => Value::Null,
            },
            Func::Keys => match arg() {
                Value::Object(members) => {
                    Value::Array(members.into_iter().map(|(k, _)| Value::String(k)).collect())
                }
                _ => Value::Null,
            },
            Func::Values => match arg() {
                Value::Object(members) => {
                    Value::Array(members.into_iter().map(|(_, v)| v).collect())
                }
                _ => Value::Null,
            },
            Func::First | Func::Last => {
                let first = self == Func::First;
                match arg() {
                    Value::Array(items) => {
                        let pick = if first {
                            items.into_iter().next()
                        } else {
                            items.into_iter().next_back()
                        };
                        pick.unwrap_or(Value::Null)
                    }
                    Value::String(s) => {
                        let c = if first {
                            s.chars().next()
                        } else {
                            s.chars().next_back()
                        };
                        c.map_or(Value::Null, |c| Value::String(Cow::Owned(c.to_string())))
                    }
                    _ => Value::Null,
                }
            }
            Func::Sort => match arg() {
                Value::Array(mut items) => {
                    items.sort_by(order);
                    Value::Array(items)
                }
                _ => Value::Null,
            },
            Func::Unique => match arg() {
                Value::Array(items) => {
                    // Equal as == says, found by the grouping key (linear, whatever the size).
                    let mut seen = std::collections::HashSet::new();
                    Value::Array(
                        items
                            .into_iter()
                            .filter(|v| seen.insert(json::key_text(v)))
                            .collect(),
                    )
                }
                _ => Value::Null,
            },
            Func::Now => int(crate::time::now_ms()),
            // The one rule for reading an event time, as --time and --parse-time's default
            // read it: RFC 3339 (a missing offset is --tz), or an epoch number.
            Func::Time => crate::time::from_value(&arg(), None)
                .map(int)
                .unwrap_or(Value::Null),
            Func::Strftime => {
                let (t, fmt, zone) = (arg(), arg(), arg());
                let (Some(ms), Value::String(fmt)) = (crate::time::from_value(&t, None), fmt)
                else {
                    return Ok(Value::Null);
                };
                let zone = match &zone {
                    Value::Null => None,
                    Value::String(z) => Some(z.as_ref()),
                    _ => return Ok(Value::Null),
                };
                Value::String(Cow::Owned(crate::time::strftime(ms, &fmt, zone)?))
            }
            Func::Strptime => {
                let (s, fmt, zone) = (arg(), arg(), arg());
                let (Value::String(s), Value::String(fmt)) = (s, fmt) else {
                    return Ok(Value::Null);
                };
                let zone = match &zone {
                    Value::Null => None,
                    Value::String(z) => Some(z.as_ref()),
                    _ => return Ok(Value::Null),
                };
                crate::time::strptime(&s, &fmt, zone)?.map_or(Value::Null, int)
            }
            Func::CidrMatch => match (arg(), arg()) {
                (Value::String(net), Value::String(ip)) => {
                    cidr_match(&net, &ip).map_or(Value::Null, Value::Bool)
                }
                _ => Value::Null,
            },
            Func::Hostname => Value::String(Cow::Owned(crate::sys::hostname())),
            Func::Env => match arg() {
                Value::String(name) => std::env::var(name.as_ref())
                    .map(|v| Value::String(Cow::Owned(v)))
                    .unwrap_or(Value::Null),
                _ => Value::Null,
            },
            Func::Uuid7 => Value::String(Cow::Owned(crate::sys::uuid7())),
            Func::Exists | Func::Coalesce | Func::Line => Value::Null,
        })
    }
}

/// The widest `pad` makes a string (characters); wider gives null.
const MAX_PAD: u64 = 1 << 20;

fn int<'a>(n: i64) -> Value<'a> {
    Value::Number(Number::Int(n))
}

fn text<'a>(s: &str) -> Value<'a> {
    Value::String(Cow::Owned(s.to_string()))
}

/// A number that is a whole number (as an index or a count), or `None`.
fn whole(v: &Value<'_>) -> Option<i64> {
    match v {
        Value::Number(n) => match n.as_i64() {
            Some(i) => Some(i),
            None => {
                let f = n.as_f64();
                (f.fract() == 0.0 && f.abs() < 9e15).then_some(f as i64)
            }
        },
        _ => None,
    }
}

fn map_str<'a>(v: Value<'a>, f: impl Fn(&str) -> String) -> Value<'a> {
    match v {
        Value::String(s) => Value::String(Cow::Owned(f(&s))),
        _ => Value::Null,
    }
}

fn str_pair<'a>(a: Value<'a>, b: Value<'a>, f: impl Fn(&str, &str) -> bool) -> Value<'a> {
    match (a, b) {
        (Value::String(a), Value::String(b)) => Value::Bool(f(&a, &b)),
        _ => Value::Null,
    }
}

fn substr<'a>(s: &str, start: i64, len: Option<usize>) -> Value<'a> {
    let n = s.chars().count() as i64;
    let from = if start < 0 {
        (n + start).max(0)
    } else {
        start.min(n)
    } as usize;
    let taken: String = match len {
        Some(l) => s.chars().skip(from).take(l).collect(),
        None => s.chars().skip(from).collect(),
    };
    Value::String(Cow::Owned(taken))
}

fn format_template<'a>(t: &str, args: &[Value<'a>]) -> Value<'a> {
    let show = |v: &Value<'_>| match v {
        Value::String(s) => s.to_string(),
        Value::Null => String::new(),
        other => other.to_json(),
    };
    let mut out = String::new();
    let mut next = 0;
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut index = String::new();
                for d in chars.by_ref() {
                    if d == '}' {
                        break;
                    }
                    index.push(d);
                }
                let i = if index.is_empty() {
                    next += 1;
                    next - 1
                } else {
                    match index.parse::<usize>() {
                        Ok(i) => i,
                        Err(_) => return Value::Null,
                    }
                };
                out.push_str(&args.get(i).map(show).unwrap_or_default());
            }
            c => out.push(c),
        }
    }
    Value::String(Cow::Owned(out))
}

fn url_part<'a>(s: &str, part: &str) -> Value<'a> {
    let (rest, fragment) = match s.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (s, None),
    };
    let Ok(uri) = rest.parse::<http::Uri>() else {
        return Value::Null;
    };
    let text_or_null =
        |t: Option<&str>| t.map_or(Value::Null, |t| Value::String(Cow::Owned(t.to_string())));
    match part {
        "scheme" => text_or_null(uri.scheme_str()),
        "host" => text_or_null(uri.host()),
        "port" => uri.port_u16().map_or(Value::Null, |p| int(p as i64)),
        "path" => text_or_null(Some(uri.path())),
        "query" => text_or_null(uri.query()),
        "fragment" => text_or_null(fragment),
        name => {
            let name = name.trim_start_matches('?');
            let found = uri.query().and_then(|q| {
                q.split('&').find_map(|pair| {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    (k == name).then(|| v.to_string())
                })
            });
            found.map_or(Value::Null, |v| Value::String(Cow::Owned(v)))
        }
    }
}

fn cidr_match(net: &str, ip: &str) -> Option<bool> {
    let (base, bits) = net.split_once('/').unwrap_or((net, ""));
    let base: std::net::IpAddr = base.parse().ok()?;
    let ip: std::net::IpAddr = ip.parse().ok()?;
    let (a, b, width) = match (base, ip) {
        (std::net::IpAddr::V4(a), std::net::IpAddr::V4(b)) => {
            (u32::from(a) as u128, u32::from(b) as u128, 32)
        }
        (std::net::IpAddr::V6(a), std::net::IpAddr::V6(b)) => (u128::from(a), u128::from(b), 128),
        _ => return Some(false),
    };
    let bits: u32 = if bits.is_empty() {
        width
    } else {
        bits.parse().ok().filter(|&n| n <= width)?
    };
    if bits == 0 {
        return Some(true);
    }
    let shift = width - bits;
    Some(a >> shift == b >> shift)
}

/// The order of `sort`: by type (null, false, true, numbers, strings, arrays, objects), then
/// by value; numbers exactly.
fn order(a: &Value<'_>, b: &Value<'_>) -> Ordering {
    let rank = |v: &Value<'_>| match v {
        Value::Null => 0,
        Value::Bool(false) => 1,
        Value::Bool(true) => 2,
        Value::Number(_) => 3,
        Value::String(_) => 4,
        Value::Array(_) => 5,
        Value::Object(_) => 6,
    };
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.cmp_exact(y),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Array(x), Value::Array(y)) => x
            .iter()
            .zip(y)
            .map(|(p, q)| order(p, q))
            .find(|o| o.is_ne())
            .unwrap_or(x.len().cmp(&y.len())),
        _ => rank(a)
            .cmp(&rank(b))
            .then_with(|| a.to_json().cmp(&b.to_json())),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    HalfAway,
    Floor,
    Ceil,
}

/// Rounds to `digits` decimals. Integers and plain decimal literals are rounded on their
/// digits, exactly (round(1.005, 2) is 1.01, as written); anything else in f64.
fn round<'a>(n: &Number<'_>, digits: i64, mode: Mode) -> Value<'a> {
    if let Number::Int(i) = n
        && digits >= 0
    {
        return int(*i);
    }
    if let Number::Text(t) = n
        && !t.contains(['e', 'E'])
        && digits >= 0
        && t.split_once('.')
            .is_none_or(|(_, f)| f.len() <= digits as usize)
    {
        // Already no finer than asked: as written.
        return Value::Number(Number::Text(Cow::Owned(t.to_string())));
    }
    if let Number::Text(t) = n
        && !t.contains(['e', 'E'])
        && (0..=40).contains(&digits)
        && let Some(s) = round_decimal(t, digits as usize, mode)
    {
        return Value::Number(Number::parse(&s).unwrap_or(Number::Int(0)));
    }
    let f = n.as_f64();
    let scale = 10f64.powi(digits.clamp(-300, 300) as i32);
    let scaled = f * scale;
    let r = match mode {
        Mode::HalfAway => scaled.round(),
        Mode::Floor => scaled.floor(),
        Mode::Ceil => scaled.ceil(),
    } / scale;
    if digits <= 0 && r.abs() < 9e15 {
        int(r as i64)
    } else {
        float(r)
    }
}

/// Rounds decimal text such as `-12.345` to `digits` decimals, on its digits.
fn round_decimal(t: &str, digits: usize, mode: Mode) -> Option<String> {
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t),
    };
    let (int_part, frac) = body.split_once('.').unwrap_or((body, ""));
    if int_part.is_empty()
        || !int_part
            .bytes()
            .chain(frac.bytes())
            .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let kept = &frac[..frac.len().min(digits)];
    let dropped = &frac[frac.len().min(digits)..];
    let mut all: Vec<u8> = int_part
        .bytes()
        .chain(kept.bytes())
        .map(|c| c - b'0')
        .collect();
    all.extend(std::iter::repeat_n(0, digits - kept.len()));
    let any_dropped = dropped.bytes().any(|c| c != b'0');
    let up = match mode {
        Mode::HalfAway => dropped.as_bytes().first().is_some_and(|&c| c >= b'5'),
        Mode::Floor => neg && any_dropped,
        Mode::Ceil => !neg && any_dropped,
    };
    if up {
        let mut i = all.len();
        loop {
            if i == 0 {
                all.insert(0, 1);
                break;
            }
            i -= 1;
            if all[i] == 9 {
                all[i] = 0;
            } else {
                all[i] += 1;
                break;
            }
        }
    }
    let split = all.len() - digits;
    let mut int_digits: String = all[..split].iter().map(|d| (b'0' + d) as char).collect();
    let trimmed = int_digits.trim_start_matches('0');
    int_digits = if trimmed.is_empty() {
        "0".into()
    } else {
        trimmed.to_string()
    };
    let frac_digits: String = all[split..].iter().map(|d| (b'0' + d) as char).collect();
    let zero = int_digits == "0" && frac_digits.bytes().all(|c| c == b'0');
    let sign = if neg && !zero { "-" } else { "" };
    Some(if digits == 0 {
        format!("{sign}{int_digits}")
    } else {
        format!("{sign}{int_digits}.{frac_digits}")
    })
}
