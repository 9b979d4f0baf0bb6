//! Accumulators of `aggregate`: what each statistic keeps, how two partial states merge (so
//! runs and processes can add up), how a state is stored as JSON, and what it reports.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};

use crate::json::{Number, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Count,
    Sum,
    Min,
    Max,
    Avg,
    Distinct,
    Hist,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Count,
        Kind::Sum,
        Kind::Min,
        Kind::Max,
        Kind::Avg,
        Kind::Distinct,
        Kind::Hist,
    ];

    pub fn flag(self) -> &'static str {
        match self {
            Kind::Count => "count",
            Kind::Sum => "sum",
            Kind::Min => "min",
            Kind::Max => "max",
            Kind::Avg => "avg",
            Kind::Distinct => "distinct",
            Kind::Hist => "hist",
        }
    }
}

/// A sum that stays exact while every value is an integer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sum {
    int: i128,
    float: f64,
    floats: bool,
    n: u64,
}

impl Sum {
    fn add(&mut self, n: &Number<'_>) {
        let integral = match n {
            Number::Int(_) => true,
            Number::Float(_) => false,
            Number::Text(t) => !t.bytes().any(|c| matches!(c, b'.' | b'e' | b'E')),
        };
        match n.as_i64().filter(|_| integral) {
            Some(i) => self.int += i128::from(i),
            None => {
                self.float += n.as_f64();
                self.floats = true;
            }
        }
        self.n += 1;
    }

    fn merge(&mut self, o: &Sum) {
        self.int += o.int;
        self.float += o.float;
        self.floats |= o.floats;
        self.n += o.n;
    }

    fn total(&self) -> Value<'static> {
        if self.n == 0 {
            Value::Null
        } else if !self.floats {
            Value::Number(Number::Text(Cow::Owned(self.int.to_string())))
        } else {
            float(self.int as f64 + self.float)
        }
    }

    fn mean(&self) -> Value<'static> {
        if self.n == 0 {
            Value::Null
        } else {
            float((self.int as f64 + self.float) / self.n as f64)
        }
    }

    fn state(&self) -> Value<'static> {
        Value::Array(vec![
            Value::String(Cow::Owned(self.int.to_string())),
            float(self.float),
            Value::Bool(self.floats),
            int(self.n as i64),
        ])
    }

    fn from_state(v: &Value<'_>) -> Option<Sum> {
        let Value::Array(a) = v else { return None };
        Some(Sum {
            int: a.first()?.as_str()?.parse().ok()?,
            float: num(a.get(1)?).map_or(0.0, |n| n.as_f64()),
            floats: matches!(a.get(2)?, Value::Bool(true)),
            n: num(a.get(3)?)?.as_i64()? as u64,
        })
    }
}

/// The least (or greatest) number seen, and the least (greatest) string: numbers win when
/// there are any.
#[derive(Debug, Clone, Default)]
pub struct Extreme {
    num: Option<Number<'static>>,
    text: Option<String>,
}

impl Extreme {
    fn add(&mut self, v: &Value<'_>, want: std::cmp::Ordering) {
        match v {
            Value::Number(n) if self.num.as_ref().is_none_or(|cur| n.cmp_exact(cur) == want) => {
                self.num = Some(n.clone().into_owned());
            }
            Value::String(s)
                if self
                    .text
                    .as_deref()
                    .is_none_or(|cur| s.as_ref().cmp(cur) == want) =>
            {
                self.text = Some(s.to_string());
            }
            _ => {}
        }
    }

    fn merge(&mut self, o: &Extreme, want: std::cmp::Ordering) {
        if let Some(n) = &o.num {
            self.add(&Value::Number(n.reborrow()), want);
        }
        if let Some(t) = &o.text {
            self.add(&Value::String(Cow::Borrowed(t)), want);
        }
    }

    fn result(&self) -> Value<'static> {
        match (&self.num, &self.text) {
            (Some(n), _) => Value::Number(n.clone()),
            (None, Some(t)) => Value::String(Cow::Owned(t.clone())),
            _ => Value::Null,
        }
    }

    fn state(&self) -> Value<'static> {
        Value::Array(vec![
            self.num.clone().map_or(Value::Null, Value::Number),
            self.text
                .clone()
                .map_or(Value::Null, |t| Value::String(Cow::Owned(t))),
        ])
    }

    fn from_state(v: &Value<'_>) -> Option<Extreme> {
        let Value::Array(a) = v else { return None };
        Some(Extreme {
            num: num(a.first()?).map(|n| n.clone().into_owned()),
            text: a.get(1)?.as_str().map(str::to_string),
        })
    }
}

#[derive(Debug, Clone)]
pub enum Acc {
    Count(u64),
    Sum(Sum),
    Min(Extreme),
    Max(Extreme),
    Avg(Sum),
    /// The distinct values, as their canonical JSON text (`json::key_text`).
    Distinct(HashSet<String>),
    /// Value (strings as they are, others as JSON text) to count, sorted by value.
    Hist(BTreeMap<String, u64>),
}

impl Acc {
    pub fn new(kind: Kind) -> Acc {
        match kind {
            Kind::Count => Acc::Count(0),
            Kind::Sum => Acc::Sum(Sum::default()),
            Kind::Min => Acc::Min(Extreme::default()),
            Kind::Max => Acc::Max(Extreme::default()),
            Kind::Avg => Acc::Avg(Sum::default()),
            Kind::Distinct => Acc::Distinct(HashSet::new()),
            Kind::Hist => Acc::Hist(BTreeMap::new()),
        }
    }

    /// Takes one event's value (`None` for `--count`, which has none). Missing values and
    /// nulls are skipped; sum and avg take numbers only.
    pub fn add(&mut self, v: Option<&Value<'_>>) {
        use std::cmp::Ordering::{Greater, Less};
        match (self, v) {
            (Acc::Count(n), _) => *n += 1,
            (_, None | Some(Value::Null)) => {}
            (Acc::Sum(s) | Acc::Avg(s), Some(Value::Number(n))) => s.add(n),
            (Acc::Sum(_) | Acc::Avg(_), _) => {}
            (Acc::Min(e), Some(v)) => e.add(v, Less),
            (Acc::Max(e), Some(v)) => e.add(v, Greater),
            (Acc::Distinct(set), Some(v)) => {
                let text = crate::json::key_text(v);
                if !set.contains(&text) {
                    set.insert(text);
                }
            }
            (Acc::Hist(h), Some(v)) => {
                let label = match v {
                    Value::String(s) => s.to_string(),
                    other => crate::json::key_text(other),
                };
                *h.entry(label).or_insert(0) += 1;
            }
        }
    }

    pub fn merge(&mut self, other: &Acc) {
        use std::cmp::Ordering::{Greater, Less};
        match (self, other) {
            (Acc::Count(a), Acc::Count(b)) => *a += b,
            (Acc::Sum(a), Acc::Sum(b)) | (Acc::Avg(a), Acc::Avg(b)) => a.merge(b),
            (Acc::Min(a), Acc::Min(b)) => a.merge(b, Less),
            (Acc::Max(a), Acc::Max(b)) => a.merge(b, Greater),
            (Acc::Distinct(a), Acc::Distinct(b)) => a.extend(b.iter().cloned()),
            (Acc::Hist(a), Acc::Hist(b)) => {
                for (k, n) in b {
                    *a.entry(k.clone()).or_insert(0) += n;
                }
            }
            // States of one definition always pair up; a mismatch would be a stored state
            // from another definition, which the definition check refuses earlier.
            _ => {}
        }
    }

    /// What the statistic reports.
    pub fn result(&self) -> Value<'static> {
        match self {
            Acc::Count(n) => int(*n as i64),
            Acc::Sum(s) => s.total(),
            Acc::Avg(s) => s.mean(),
            Acc::Min(e) | Acc::Max(e) => e.result(),
            Acc::Distinct(set) => int(set.len() as i64),
            Acc::Hist(h) => Value::Object(
                h.iter()
                    .map(|(k, n)| (Cow::Owned(k.clone()), int(*n as i64)))
                    .collect(),
            ),
        }
    }

    /// The state as JSON, for the state file.
    pub fn state(&self) -> Value<'static> {
        match self {
            Acc::Count(n) => int(*n as i64),
            Acc::Sum(s) | Acc::Avg(s) => s.state(),
            Acc::Min(e) | Acc::Max(e) => e.state(),
            Acc::Distinct(set) => {
                let mut items: Vec<&String> = set.iter().collect();
                items.sort();
                Value::Array(
                    items
                        .into_iter()
                        .map(|s| Value::String(Cow::Owned(s.clone())))
                        .collect(),
                )
            }
            Acc::Hist(_) => self.result(),
        }
    }

    pub fn from_state(kind: Kind, v: &Value<'_>) -> Option<Acc> {
        Some(match kind {
            Kind::Count => Acc::Count(num(v)?.as_i64()? as u64),
            Kind::Sum => Acc::Sum(Sum::from_state(v)?),
            Kind::Avg => Acc::Avg(Sum::from_state(v)?),
            Kind::Min => Acc::Min(Extreme::from_state(v)?),
            Kind::Max => Acc::Max(Extreme::from_state(v)?),
            Kind::Distinct => match v {
                Value::Array(items) => Acc::Distinct(
                    items
                        .iter()
                        .filter_map(|i| i.as_str().map(str::to_string))
                        .collect(),
                ),
                _ => return None,
            },
            Kind::Hist => match v {
                Value::Object(members) => Acc::Hist(
                    members
                        .iter()
                        .filter_map(|(k, n)| Some((k.to_string(), num(n)?.as_i64()? as u64)))
                        .collect(),
                ),
                _ => return None,
            },
        })
    }
}

fn num<'v>(v: &'v Value<'_>) -> Option<&'v Number<'v>> {
    match v {
        Value::Number(n) => Some(n),
        _ => None,
    }
}

fn int(i: i64) -> Value<'static> {
    Value::Number(Number::Int(i))
}

fn float(f: f64) -> Value<'static> {
    if f.is_finite() {
        Value::Number(Number::Float(f))
    } else {
        Value::Null
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse_value;

    fn feed(kind: Kind, values: &[&str]) -> Acc {
        let mut acc = Acc::new(kind);
        for v in values {
            let v = parse_value(v.as_bytes()).unwrap();
            acc.add(Some(&v));
        }
        acc
    }

    fn result(kind: Kind, values: &[&str]) -> String {
        feed(kind, values).result().to_json()
    }

    #[test]
    fn each_statistic() {
        let vals = ["3", "1.5", "null", "\"x\"", "10", "-2"];
        assert_eq!(result(Kind::Count, &vals), "6");
        assert_eq!(result(Kind::Sum, &vals), "12.5");
        assert_eq!(
            result(Kind::Sum, &["1", "2", "9007199254740993"]),
            "9007199254740996"
        );
        assert_eq!(result(Kind::Min, &vals), "-2");
        assert_eq!(result(Kind::Max, &vals), "10");
        assert_eq!(result(Kind::Max, &["\"b\"", "\"a\""]), "\"b\"");
        assert_eq!(result(Kind::Avg, &vals), "3.125");
        assert_eq!(result(Kind::Avg, &["2", "4"]), "3");
        assert_eq!(
            result(Kind::Distinct, &["1", "\"1\"", "1", "null", "[1]"]),
            "3"
        );
        assert_eq!(
            result(Kind::Hist, &["\"b\"", "\"a\"", "\"b\"", "7", "null"]),
            r#"{"7":1,"a":1,"b":2}"#
        );
        assert_eq!(result(Kind::Sum, &["null"]), "null");
        assert_eq!(result(Kind::Min, &[]), "null");
    }

    #[test]
    fn merging_equals_feeding_everything() {
        let all = ["5", "2.5", "\"q\"", "8", "1", "\"a\"", "5"];
        for kind in Kind::ALL {
            let mut left = feed(kind, &all[..3]);
            let right = feed(kind, &all[3..]);
            left.merge(&right);
            assert_eq!(left.result(), feed(kind, &all).result(), "{kind:?}");
        }
    }

    #[test]
    fn states_round_trip() {
        let all = ["5", "2.5", "\"q\"", "8", "1", "\"a\"", "505874924095815681"];
        for kind in Kind::ALL {
            let acc = feed(kind, &all);
            let text = acc.state().to_json();
            let back = Acc::from_state(kind, &parse_value(text.as_bytes()).unwrap()).unwrap();
            assert_eq!(back.result(), acc.result(), "{kind:?}");
        }
    }
}
