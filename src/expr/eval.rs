//! Evaluation of a syntax tree against one event. Literals are lent, not copied, and paths
//! borrow from the event, so a comparison like `.level == "error"` allocates nothing.

use std::cmp::Ordering;

use std::cell::RefCell;
use std::collections::HashMap;

use regex::Regex;

use super::Input;
use super::func::Func;
use super::parser::{ArithOp, CmpOp, Expr, Pattern};
use crate::json::{Number, Value};

pub fn truth<'a>(e: &'a Expr, input: &dyn Input<'a>) -> bool {
    match e {
        Expr::And(a, b) => truth(a, input) && truth(b, input),
        Expr::Or(a, b) => truth(a, input) || truth(b, input),
        Expr::Not(a) => !truth(a, input),
        Expr::Cmp(op, a, b) => compare(*op, &eval(a, input), &eval(b, input)),
        Expr::Match {
            subject,
            pattern,
            negate,
        } => matches(subject, pattern, *negate, input),
        other => eval(other, input).truthy(),
    }
}

pub fn eval<'a>(e: &'a Expr, input: &dyn Input<'a>) -> Value<'a> {
    match e {
        Expr::Lit(v) => v.reborrow(),
        Expr::Path(segs) if segs.is_empty() => input.whole(),
        Expr::Path(segs) => input.get(segs).unwrap_or(Value::Null),
        Expr::Array(items) => Value::Array(items.iter().map(|i| eval(i, input)).collect()),
        Expr::And(..) | Expr::Or(..) | Expr::Not(_) | Expr::Cmp(..) | Expr::Match { .. } => {
            Value::Bool(truth(e, input))
        }
        Expr::Neg(a) => match eval(a, input) {
            Value::Number(n) => match n.as_i128().and_then(i128::checked_neg) {
                Some(i) => Value::Number(Number::from_i128(i)),
                None => float(-n.as_f64()),
            },
            _ => Value::Null,
        },
        Expr::Arith(op, a, b) => arith(*op, eval(a, input), eval(b, input)),
        Expr::In(a, b) => {
            let (needle, hay) = (eval(a, input), eval(b, input));
            Value::Bool(match (&needle, &hay) {
                (_, Value::Array(items)) => items.contains(&needle),
                (Value::String(k), Value::Object(_)) => hay.member(k).is_some(),
                (Value::String(n), Value::String(h)) => h.contains(n.as_ref()),
                _ => false,
            })
        }
        Expr::Call(Func::Exists, args) => Value::Bool(match &args[0] {
            Expr::Path(segs) if segs.is_empty() => true,
            Expr::Path(segs) => input.get(segs).is_some(),
            _ => false,
        }),
        Expr::Call(Func::Coalesce, args) => args
            .iter()
            .map(|a| eval(a, input))
            .find(|v| !matches!(v, Value::Null))
            .unwrap_or(Value::Null),
        Expr::Call(Func::Line, _) => input
            .line()
            .map_or(Value::Null, |n| Value::Number(Number::Int(n as i64))),
        Expr::Call(f, args) => match f.apply(args.iter().map(|a| eval(a, input)).collect()) {
            Ok(v) => v,
            Err(why) => {
                FAULT.with(|f| *f.borrow_mut() = Some(why));
                Value::Null
            }
        },
        Expr::If(cond, then, otherwise) => {
            if truth(cond, input) {
                eval(then, input)
            } else {
                otherwise.as_ref().map_or(Value::Null, |e| eval(e, input))
            }
        }
    }
}

fn matches<'a>(
    subject: &'a Expr,
    pattern: &'a Pattern,
    negate: bool,
    input: &dyn Input<'a>,
) -> bool {
    let subject = eval(subject, input);
    let Value::String(s) = &subject else {
        return false;
    };
    let found = match pattern {
        Pattern::Fixed(re) => re.is_match(s),
        Pattern::Dynamic(p) => match eval(p, input) {
            Value::String(p) => match dynamic_match(&p, s) {
                Ok(found) => found,
                Err(why) => {
                    FAULT.with(|f| *f.borrow_mut() = Some(why));
                    return false;
                }
            },
            _ => return false,
        },
    };
    found != negate
}

thread_local! {
    /// Why the last evaluation on this thread could not be done (a pattern made from the event
    /// that is no regular expression); taken by `Program::eval` and `Program::matches`.
    static FAULT: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Patterns made from events, compiled once per thread: the same few tend to come back.
    static PATTERNS: RefCell<HashMap<String, Result<Regex, String>>> = RefCell::new(HashMap::new());
}

/// How many compiled patterns a thread keeps before it starts over.
const PATTERNS_KEPT: usize = 256;

fn dynamic_match(pattern: &str, subject: &str) -> Result<bool, String> {
    with_regex(pattern, |re| re.is_match(subject))
}

/// Runs `f` with `pattern` compiled (once per thread), or says why it is no regex.
pub fn with_regex<T>(pattern: &str, f: impl FnOnce(&Regex) -> T) -> Result<T, String> {
    PATTERNS.with(|cache| {
        let mut cache = cache.borrow_mut();
        if !cache.contains_key(pattern) {
            if cache.len() >= PATTERNS_KEPT {
                cache.clear();
            }
            let compiled = Regex::new(pattern)
                .map_err(|e| format!("{pattern:?} is not a regular expression: {e}"));
            cache.insert(pattern.to_string(), compiled);
        }
        match &cache[pattern] {
            Ok(re) => Ok(f(re)),
            Err(why) => Err(why.clone()),
        }
    })
}

/// Why the evaluation just done failed, if it did.
pub fn take_fault() -> Option<String> {
    FAULT.with(|f| f.borrow_mut().take())
}

/// `==` and `!=` compare any two values; ordering compares numbers with numbers and strings
/// with strings, and is false for anything else.
fn compare(op: CmpOp, a: &Value<'_>, b: &Value<'_>) -> bool {
    match op {
        CmpOp::Eq => a == b,
        CmpOp::Ne => a != b,
        _ => {
            let ord = match (a, b) {
                (Value::Number(x), Value::Number(y)) => x.cmp_exact(y),
                (Value::String(x), Value::String(y)) => x.cmp(y),
                _ => return false,
            };
            match op {
                CmpOp::Lt => ord == Ordering::Less,
                CmpOp::Le => ord != Ordering::Greater,
                CmpOp::Gt => ord == Ordering::Greater,
                CmpOp::Ge => ord != Ordering::Less,
                CmpOp::Eq | CmpOp::Ne => unreachable!("handled above"),
            }
        }
    }
}

pub(super) fn is_fractional(n: &Number<'_>) -> bool {
    match n {
        Number::Int(_) => false,
        Number::Float(_) => true,
        Number::Text(t) => t.bytes().any(|c| matches!(c, b'.' | b'e' | b'E')),
    }
}

pub(super) fn float<'a>(f: f64) -> Value<'a> {
    if f.is_finite() {
        Value::Number(Number::Float(f))
    } else {
        Value::Null
    }
}

/// Integers stay exact while they fit in 128 bits (results beyond 64 bits keep their digits);
/// anything else is computed in f64. Strings and arrays join with `+`. Other mixes, and
/// division by zero, give `null`.
fn arith<'a>(op: ArithOp, a: Value<'a>, b: Value<'a>) -> Value<'a> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let ints = (!is_fractional(&x) && !is_fractional(&y))
                .then(|| x.as_i128().zip(y.as_i128()))
                .flatten();
            if let Some((i, j)) = ints {
                let exact = match op {
                    ArithOp::Add => i.checked_add(j),
                    ArithOp::Sub => i.checked_sub(j),
                    ArithOp::Mul => i.checked_mul(j),
                    ArithOp::Div if j == 0 => return Value::Null,
                    ArithOp::Div => (i.checked_rem(j) == Some(0))
                        .then(|| i.checked_div(j))
                        .flatten(),
                    ArithOp::Rem if j == 0 => return Value::Null,
                    ArithOp::Rem => i.checked_rem(j),
                };
                if let Some(r) = exact {
                    return Value::Number(Number::from_i128(r));
                }
            }
            let (f, g) = (x.as_f64(), y.as_f64());
            match op {
                ArithOp::Add => float(f + g),
                ArithOp::Sub => float(f - g),
                ArithOp::Mul => float(f * g),
                ArithOp::Div if g == 0.0 => Value::Null,
                ArithOp::Div => float(f / g),
                ArithOp::Rem if g == 0.0 => Value::Null,
                ArithOp::Rem => float(f % g),
            }
        }
        (Value::String(x), Value::String(y)) if op == ArithOp::Add => {
            let mut s = x.into_owned();
            s.push_str(&y);
            Value::String(s.into())
        }
        (Value::Array(mut x), Value::Array(y)) if op == ArithOp::Add => {
            x.extend(y);
            Value::Array(x)
        }
        _ => Value::Null,
    }
}
