//! The built-in functions: their names, arity checks at parse time, and what they compute.

use std::borrow::Cow;

use sha2::{Digest, Sha256};

use super::parser::Expr;
use crate::json::{Number, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    Exists,
    Len,
    Lower,
    Upper,
    StartsWith,
    EndsWith,
    Contains,
    Number,
    String,
    Now,
    Time,
    Sha256,
    Coalesce,
    Hostname,
    Env,
    Uuid7,
    Line,
}

/// Name, minimum and maximum argument count (`usize::MAX`: any).
const TABLE: &[(Func, &str, usize, usize)] = &[
    (Func::Exists, "exists", 1, 1),
    (Func::Len, "len", 1, 1),
    (Func::Lower, "lower", 1, 1),
    (Func::Upper, "upper", 1, 1),
    (Func::StartsWith, "starts_with", 2, 2),
    (Func::EndsWith, "ends_with", 2, 2),
    (Func::Contains, "contains", 2, 2),
    (Func::Number, "number", 1, 1),
    (Func::String, "string", 1, 1),
    (Func::Now, "now", 0, 0),
    (Func::Time, "time", 1, 1),
    (Func::Sha256, "sha256", 1, 1),
    (Func::Coalesce, "coalesce", 1, usize::MAX),
    (Func::Hostname, "hostname", 0, 0),
    (Func::Env, "env", 1, 1),
    (Func::Uuid7, "uuid7", 0, 0),
    (Func::Line, "line", 0, 0),
];

impl Func {
    pub fn by_name(name: &str) -> Option<Func> {
        TABLE.iter().find(|t| t.1 == name).map(|t| t.0)
    }

    /// Checks the arguments at parse time; the message is shown after `name(): `.
    pub fn check(self, args: &[Expr]) -> Result<(), String> {
        let (_, _, min, max) =
            TABLE
                .iter()
                .find(|t| t.0 == self)
                .copied()
                .unwrap_or((self, "", 0, usize::MAX));
        let n = args.len();
        if n < min || n > max {
            let want = match (min, max) {
                (a, b) if a == b => format!("{a} argument{}", if a == 1 { "" } else { "s" }),
                (a, usize::MAX) => {
                    format!("at least {a} argument{}", if a == 1 { "" } else { "s" })
                }
                (a, b) => format!("{a} to {b} arguments"),
            };
            return Err(format!("takes {want}, got {n}"));
        }
        if self == Func::Exists && !matches!(args[0], Expr::Path(_)) {
            return Err("the argument must be a path, such as .a.b".into());
        }
        Ok(())
    }

    /// Applies a function whose arguments are already evaluated. `exists`, `coalesce` and
    /// `line` look at the event or evaluate lazily, so the evaluator handles them.
    pub fn apply<'a>(self, args: Vec<Value<'a>>) -> Value<'a> {
        let mut args = args.into_iter();
        let mut arg = || args.next().unwrap_or(Value::Null);
        match self {
            Func::Len => match arg() {
                Value::String(s) => int(s.chars().count()),
                Value::Array(a) => int(a.len()),
                Value::Object(o) => int(o.len()),
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
            Func::Now => Value::Number(Number::Int(crate::time::now_ms())),
            // The one rule for reading an event time, as --time and --parse-time's default
            // read it: RFC 3339 (a missing offset is UTC), or an epoch number.
            Func::Time => crate::time::from_value(&arg(), None)
                .map(|ms| Value::Number(Number::Int(ms)))
                .unwrap_or(Value::Null),
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
            Func::Hostname => Value::String(Cow::Owned(crate::sys::hostname())),
            Func::Env => match arg() {
                Value::String(name) => std::env::var(name.as_ref())
                    .map(|v| Value::String(Cow::Owned(v)))
                    .unwrap_or(Value::Null),
                _ => Value::Null,
            },
            Func::Uuid7 => Value::String(Cow::Owned(crate::sys::uuid7())),
            Func::Exists | Func::Coalesce | Func::Line => Value::Null,
        }
    }
}

fn int<'a>(n: usize) -> Value<'a> {
    Value::Number(Number::Int(n as i64))
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
