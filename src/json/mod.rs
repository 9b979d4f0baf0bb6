//! The JSON value binge computes with, and the one parser and writer every module uses.
//!
//! Events arrive as raw lines and most stages only need a few fields, so the parser has two
//! faces over one grammar: a validating skip that allocates nothing (used on every line, and to
//! locate fields inside it) and a builder that makes a [`Value`] borrowing from the line.
//! Numbers keep the text they arrived as, so integers beyond 2^53 and decimals such as `1.10`
//! come out exactly as they went in; comparisons between numbers are exact decimal comparisons.

mod canonical;
mod number;
mod parse;
mod path;
mod write;

use std::borrow::Cow;

pub use canonical::{
    NotCanonical, canonical, canonical_text, check_and_canonicalize, es_number, has_lone_surrogate,
    key_text, scan_object_canonicalizing, write_canonical, write_canonical_text, write_key,
};
pub use number::Number;
pub use parse::{
    Error, MAX_DEPTH, Span, bytes_eq, each_member, element_texts, find_member, key_equals,
    locate_members, member_texts, nth_element, parse_value, scan_object, validate_value,
};
pub use path::{Seg, path_text};
pub use write::{with_member, write_str, write_value};

/// A JSON value. Strings and number texts borrow from the line they were parsed from when they
/// can; objects keep their members in order (duplicates included, the last one wins on lookup).
#[derive(Debug, Clone)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    Number(Number<'a>),
    String(Cow<'a, str>),
    Array(Vec<Value<'a>>),
    Object(Vec<(Cow<'a, str>, Value<'a>)>),
}

impl<'a> Value<'a> {
    /// The name of the value's type, as used in messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }

    /// `false` and `null` are false; everything else is true (as in jq).
    pub fn truthy(&self) -> bool {
        !matches!(self, Value::Null | Value::Bool(false))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The member `key` of an object (the last one if the key repeats).
    pub fn member(&self, key: &str) -> Option<&Value<'a>> {
        match self {
            Value::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|m| &m.1),
            _ => None,
        }
    }

    /// Element `i` of an array; a negative index counts from the end.
    pub fn element(&self, i: i64) -> Option<&Value<'a>> {
        match self {
            Value::Array(items) => {
                let idx = if i < 0 { items.len() as i64 + i } else { i };
                usize::try_from(idx).ok().and_then(|idx| items.get(idx))
            }
            _ => None,
        }
    }

    /// A cheap copy that borrows strings and number texts from `self` instead of cloning them.
    pub fn reborrow(&self) -> Value<'_> {
        match self {
            Value::Null => Value::Null,
            Value::Bool(b) => Value::Bool(*b),
            Value::Number(n) => Value::Number(n.reborrow()),
            Value::String(s) => Value::String(Cow::Borrowed(s)),
            Value::Array(items) => Value::Array(items.iter().map(Value::reborrow).collect()),
            Value::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (Cow::Borrowed(k.as_ref()), v.reborrow()))
                    .collect(),
            ),
        }
    }

    /// A copy that owns all its data, free of the line it was parsed from.
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::Null => Value::Null,
            Value::Bool(b) => Value::Bool(b),
            Value::Number(n) => Value::Number(n.into_owned()),
            Value::String(s) => Value::String(Cow::Owned(s.into_owned())),
            Value::Array(items) => Value::Array(items.into_iter().map(Value::into_owned).collect()),
            Value::Object(members) => Value::Object(
                members
                    .into_iter()
                    .map(|(k, v)| (Cow::Owned(k.into_owned()), v.into_owned()))
                    .collect(),
            ),
        }
    }

    /// Compact JSON text of the value.
    pub fn to_json(&self) -> String {
        let mut out = Vec::new();
        write_value(self, &mut out);
        // The writer only emits UTF-8: keys and strings are `str`, the rest is ASCII.
        String::from_utf8(out).expect("JSON writer produced UTF-8")
    }
}

/// Equality as the expression language sees it: numbers by exact value (`1 == 1.0`), strings by
/// content, arrays element by element, objects by members regardless of their order.
impl PartialEq for Value<'_> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a.cmp_exact(b) == std::cmp::Ordering::Equal,
            (Value::String(a), Value::String(b)) => bytes_eq(a.as_bytes(), b.as_bytes()),
            (Value::Array(a), Value::Array(b)) => a == b,
            (Value::Object(a), Value::Object(b)) => {
                let last = |members: &'_ [(Cow<'_, str>, Value<'_>)], key: &str| {
                    members.iter().rposition(|(k, _)| k == key)
                };
                a.iter().all(|(k, _)| match (last(a, k), last(b, k)) {
                    (Some(i), Some(j)) => a[i].1 == b[j].1,
                    _ => false,
                }) && b.iter().all(|(k, _)| last(a, k).is_some())
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Value<'_> {
        parse_value(s.as_bytes()).unwrap()
    }

    #[test]
    fn equality_is_by_value() {
        assert_eq!(parse("1"), parse("1.0"));
        assert_eq!(parse("1e2"), parse("100"));
        assert_ne!(parse("1"), parse("\"1\""));
        assert_eq!(parse(r#"{"a":1,"b":[2]}"#), parse(r#"{"b":[2.0],"a":1}"#));
        assert_ne!(parse(r#"{"a":1}"#), parse(r#"{"a":1,"b":2}"#));
        assert_ne!(parse("[1,2]"), parse("[2,1]"));
    }

    #[test]
    fn member_lookup_takes_the_last_duplicate() {
        let v = parse(r#"{"a":1,"a":2}"#);
        assert_eq!(v.member("a"), Some(&parse("2")));
        assert_eq!(v.member("b"), None);
    }

    #[test]
    fn negative_index_counts_from_the_end() {
        let v = parse("[1,2,3]");
        assert_eq!(v.element(-1), Some(&parse("3")));
        assert_eq!(v.element(-4), None);
        assert_eq!(v.element(3), None);
    }

    #[test]
    fn truthiness_follows_jq() {
        assert!(!parse("null").truthy());
        assert!(!parse("false").truthy());
        assert!(parse("0").truthy());
        assert!(parse("\"\"").truthy());
    }
}
