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
    /// The q-th percentile, q in hundredths of a percent (p95 is 9500, p99.9 is 9990).
    Percentile(u32),
}

/// Values a percentile keeps exactly per group; beyond them it keeps a sketch.
pub const EXACT_PERCENTILE_VALUES: usize = 10_000;

/// The sketch's relative error bound: an estimated percentile is within 1% of a value of the
/// group whose rank is the one asked for (DDSketch, Masson, Rim and Lee, VLDB 2019).
pub const SKETCH_RELATIVE_ERROR: f64 = 0.01;

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

    /// The option's name without `--`: `sum`, or `p95`, `p99.9` for a percentile.
    pub fn flag(self) -> String {
        match self {
            Kind::Count => "count".into(),
            Kind::Sum => "sum".into(),
            Kind::Min => "min".into(),
            Kind::Max => "max".into(),
            Kind::Avg => "avg".into(),
            Kind::Distinct => "distinct".into(),
            Kind::Hist => "hist".into(),
            Kind::Percentile(q) => format!("p{}", percent_text(q)),
        }
    }

    /// The suffix of a column named after its path: `sum`, `p95`, `p99_9`.
    pub fn suffix(self) -> String {
        self.flag().replace('.', "_")
    }

    /// The kind an option name gives: `sum`, `p95`, `p99.9`.
    pub fn from_flag(flag: &str) -> Option<Kind> {
        if let Some(q) = flag.strip_prefix('p') {
            return parse_percent(q).map(Kind::Percentile);
        }
        Kind::ALL.into_iter().find(|k| k.flag() == flag)
    }
}

/// A sum that stays exact while every value is an integer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sum {
    int: i128,
    float: f64,
    floats: bool,
    n: u64,
    /// In a partial (see [`Acc::partial`]): the non-integers in the order they came, added
    /// when the partial is merged, so a total is the same sum in the same order as one event
    /// at a time (floating-point addition depends on its order).
    later: Option<Vec<f64>>,
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
                match &mut self.later {
                    Some(later) => later.push(n.as_f64()),
                    None => self.float += n.as_f64(),
                }
                self.floats = true;
            }
        }
        self.n += 1;
    }

    fn merge(&mut self, o: &Sum) {
        self.int += o.int;
        match &o.later {
            Some(later) => {
                for x in later {
                    self.float += x;
                }
            }
            None => self.float += o.float,
        }
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
            later: None,
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
    Percentile(u32, Quantiles),
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
            Kind::Percentile(q) => Acc::Percentile(q, Quantiles::default()),
        }
    }

    /// An empty statistic for a slice of the input, to be merged into the whole in input
    /// order: merged, it gives exactly what adding the slice's values one by one would.
    pub fn partial(kind: Kind) -> Acc {
        match Acc::new(kind) {
            Acc::Sum(s) => Acc::Sum(Sum {
                later: Some(Vec::new()),
                ..s
            }),
            Acc::Avg(s) => Acc::Avg(Sum {
                later: Some(Vec::new()),
                ..s
            }),
            other => other,
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
            (Acc::Percentile(_, p), Some(Value::Number(n))) => p.add(n),
            (Acc::Percentile(..), _) => {}
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
            (Acc::Percentile(_, a), Acc::Percentile(_, b)) => a.merge(b),
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
            Acc::Percentile(q, p) => p.result(*q),
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
            Acc::Percentile(_, p) => p.state(),
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
            Kind::Percentile(q) => Acc::Percentile(q, Quantiles::from_state(v)?),
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

/// A percentage as written: `95`, `99.9`, `0.5` (from hundredths of a percent).
fn percent_text(q: u32) -> String {
    if q.is_multiple_of(100) {
        format!("{}", q / 100)
    } else {
        let s = format!("{}.{:02}", q / 100, q % 100);
        s.trim_end_matches('0').to_string()
    }
}

/// A percentage between 0 and 100 with at most two decimals, in hundredths.
pub fn parse_percent(text: &str) -> Option<u32> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || frac.len() > 2
        || !whole
            .bytes()
            .chain(frac.bytes())
            .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let q = whole.parse::<u32>().ok()? * 100 + format!("{frac:0<2}").parse::<u32>().ok()?;
    (q <= 10_000).then_some(q)
}

/// What a percentile keeps: every value while there are few, then a DDSketch (logarithmic
/// buckets whose width bounds the relative error), which merges across runs and processes.
#[derive(Debug, Clone, Default)]
pub struct Quantiles {
    exact: Vec<Number<'static>>,
    /// Sketch buckets of positive and of negative values (by magnitude), and zeros.
    pos: BTreeMap<i32, u64>,
    neg: BTreeMap<i32, u64>,
    zeros: u64,
    sketched: bool,
}

impl Quantiles {
    fn gamma() -> f64 {
        (1.0 + SKETCH_RELATIVE_ERROR) / (1.0 - SKETCH_RELATIVE_ERROR)
    }

    fn key(x: f64) -> i32 {
        (x.ln() / Self::gamma().ln()).ceil() as i32
    }

    fn value(key: i32) -> f64 {
        let g = Self::gamma();
        2.0 * g.powi(key) / (g + 1.0)
    }

    fn sketch(&mut self, x: f64) {
        if !x.is_finite() {
            return;
        }
        if x == 0.0 {
            self.zeros += 1;
        } else if x > 0.0 {
            *self.pos.entry(Self::key(x)).or_insert(0) += 1;
        } else {
            *self.neg.entry(Self::key(-x)).or_insert(0) += 1;
        }
    }

    fn start_sketch(&mut self) {
        self.sketched = true;
        for n in std::mem::take(&mut self.exact) {
            self.sketch(n.as_f64());
        }
    }

    fn add(&mut self, n: &Number<'_>) {
        if self.sketched {
            self.sketch(n.as_f64());
            return;
        }
        self.exact.push(n.clone().into_owned());
        if self.exact.len() > EXACT_PERCENTILE_VALUES {
            self.start_sketch();
        }
    }

    fn merge(&mut self, o: &Quantiles) {
        if !self.sketched
            && !o.sketched
            && self.exact.len() + o.exact.len() <= EXACT_PERCENTILE_VALUES
        {
            self.exact.extend(o.exact.iter().cloned());
            return;
        }
        if !self.sketched {
            self.start_sketch();
        }
        for n in &o.exact {
            self.sketch(n.as_f64());
        }
        for (k, c) in &o.pos {
            *self.pos.entry(*k).or_insert(0) += c;
        }
        for (k, c) in &o.neg {
            *self.neg.entry(*k).or_insert(0) += c;
        }
        self.zeros += o.zeros;
    }

    /// The nearest-rank percentile: the least value with at least q% of the values at or
    /// below it. Exact (the value as written) while every value is kept.
    fn result(&self, q: u32) -> Value<'static> {
        let n = if self.sketched {
            self.pos.values().chain(self.neg.values()).sum::<u64>() + self.zeros
        } else {
            self.exact.len() as u64
        };
        if n == 0 {
            return Value::Null;
        }
        let rank = ((u64::from(q) * n).div_ceil(10_000)).clamp(1, n);
        if !self.sketched {
            let mut sorted = self.exact.clone();
            sorted.sort_by(|a, b| a.cmp_exact(b));
            return Value::Number(sorted[(rank - 1) as usize].clone());
        }
        // Negative values first (largest magnitude first), then zeros, then positives.
        let mut seen = 0;
        for (k, c) in self.neg.iter().rev() {
            seen += c;
            if seen >= rank {
                return float(-Self::value(*k));
            }
        }
        seen += self.zeros;
        if seen >= rank {
            return int(0);
        }
        for (k, c) in &self.pos {
            seen += c;
            if seen >= rank {
                return float(Self::value(*k));
            }
        }
        Value::Null
    }

    fn state(&self) -> Value<'static> {
        if !self.sketched {
            return Value::Array(self.exact.iter().cloned().map(Value::Number).collect());
        }
        let buckets = |m: &BTreeMap<i32, u64>| {
            Value::Array(
                m.iter()
                    .map(|(k, c)| Value::Array(vec![int(i64::from(*k)), int(*c as i64)]))
                    .collect(),
            )
        };
        Value::Object(vec![
            (Cow::Borrowed("pos"), buckets(&self.pos)),
            (Cow::Borrowed("neg"), buckets(&self.neg)),
            (Cow::Borrowed("zeros"), int(self.zeros as i64)),
        ])
    }

    fn from_state(v: &Value<'_>) -> Option<Quantiles> {
        match v {
            Value::Array(items) => Some(Quantiles {
                exact: items
                    .iter()
                    .map(|i| num(i).map(|n| n.clone().into_owned()))
                    .collect::<Option<_>>()?,
                ..Quantiles::default()
            }),
            Value::Object(_) => {
                let buckets = |k: &str| -> Option<BTreeMap<i32, u64>> {
                    match v.member(k)? {
                        Value::Array(items) => items
                            .iter()
                            .map(|b| match b {
                                Value::Array(p) if p.len() == 2 => Some((
                                    i32::try_from(num(&p[0])?.as_i64()?).ok()?,
                                    num(&p[1])?.as_i64()? as u64,
                                )),
                                _ => None,
                            })
                            .collect(),
                        _ => None,
                    }
                };
                Some(Quantiles {
                    exact: Vec::new(),
                    pos: buckets("pos")?,
                    neg: buckets("neg")?,
                    zeros: num(v.member("zeros")?)?.as_i64()? as u64,
                    sketched: true,
                })
            }
            _ => None,
        }
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

#[cfg(test)]
mod percentile_tests {
    use super::*;

    fn nearest_rank(sorted: &[f64], q: u32) -> f64 {
        let n = sorted.len() as u64;
        let rank = (u64::from(q) * n).div_ceil(10_000).clamp(1, n);
        sorted[(rank - 1) as usize]
    }

    fn value_of(v: Value<'_>) -> f64 {
        match v {
            Value::Number(n) => n.as_f64(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn exact_while_small_and_within_the_bound_beyond() {
        let mut seed = 12345u64;
        for n in [1usize, 7, 100, 10_000, 60_000] {
            let mut values = Vec::with_capacity(n);
            let mut acc = Acc::new(Kind::Percentile(9500));
            let mut halves = (
                Acc::new(Kind::Percentile(9500)),
                Acc::new(Kind::Percentile(9500)),
            );
            for i in 0..n {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                // Spread over six orders of magnitude, some negative, some zero.
                let x = match seed >> 61 {
                    0 => 0.0,
                    1 => -(((seed >> 20) % 1000) as f64),
                    _ => ((seed >> 11) % 1_000_000) as f64 / 7.0,
                };
                values.push(x);
                let num = Number::Float(x);
                acc.add(Some(&Value::Number(num.clone())));
                if i % 2 == 0 {
                    halves.0.add(Some(&Value::Number(num)));
                } else {
                    halves.1.add(Some(&Value::Number(num)));
                }
            }
            halves.0.merge(&halves.1);
            // Through the state file and back.
            let stored = Acc::from_state(Kind::Percentile(9500), &halves.0.state()).unwrap();
            values.sort_by(|a, b| a.total_cmp(b));
            for q in [0, 100, 5000, 9500, 9990, 10_000] {
                let want = nearest_rank(&values, q);
                for a in [&acc, &stored] {
                    let Acc::Percentile(_, p) = a else { panic!() };
                    let got = value_of(p.result(q));
                    if n <= EXACT_PERCENTILE_VALUES {
                        assert_eq!(got, want, "n {n} q {q}");
                    } else {
                        assert!(
                            (got - want).abs() <= SKETCH_RELATIVE_ERROR * want.abs() + 1e-9,
                            "n {n} q {q}: {got} vs {want}"
                        );
                    }
                }
            }
        }
        assert_eq!(Acc::new(Kind::Percentile(5000)).result(), Value::Null);
    }

    #[test]
    fn percentile_names() {
        assert_eq!(Kind::from_flag("p95"), Some(Kind::Percentile(9500)));
        assert_eq!(Kind::from_flag("p99.9"), Some(Kind::Percentile(9990)));
        assert_eq!(Kind::Percentile(9990).suffix(), "p99_9");
        assert_eq!(Kind::Percentile(50).flag(), "p0.5");
        assert_eq!(Kind::from_flag("p101"), None);
        assert_eq!(parse_percent("99.999"), None);
    }
}
