//! `annotate`: adds, computes, renames, copies, removes and keeps fields, and parses text
//! (regular expressions with named groups, JSON, logfmt, times) into fields. The steps run in
//! the order given, each seeing what the earlier ones did. Events the stage leaves alone
//! (`--when` false) pass byte for byte; changed ones keep their key order, new keys last.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};

use clap::ValueEnum;
use regex::Regex;

use super::{Fault, Reject, Stage, Stateless};
use crate::expr::{Input, Program};
use crate::json::{self, Number, Seg, Value, path_text};
use crate::stream::{Event, Output};
use crate::time::{self, Unit};

/// One step of an annotation, with the option text that asked for it (for messages).
pub struct Step {
    pub op: Op,
    pub label: String,
}

pub enum Op {
    Set {
        path: Vec<Seg>,
        expr: Program,
    },
    Rename {
        from: Vec<Seg>,
        to: Vec<Seg>,
    },
    Copy {
        from: Vec<Seg>,
        to: Vec<Seg>,
    },
    Delete {
        path: Vec<Seg>,
    },
    Keep {
        paths: Vec<Vec<Seg>>,
    },
    Extract {
        field: Vec<Seg>,
        layouts: Vec<Regex>,
    },
    ParseJson {
        field: Vec<Seg>,
    },
    ParseLogfmt {
        field: Vec<Seg>,
    },
    ParseTime {
        field: Vec<Seg>,
        format: Option<String>,
    },
}

impl Op {
    /// Adds the names of the top-level members this step may change to `out`; false when it
    /// may change the event as a whole.
    fn touches(&self, out: &mut Vec<String>) -> bool {
        let mut add = |path: &[Seg]| match path.first() {
            Some(Seg::Key(k)) => {
                if !out.contains(k) {
                    out.push(k.clone());
                }
                true
            }
            _ => false,
        };
        match self {
            Op::Set { path, .. } | Op::Delete { path } => add(path),
            Op::Copy { to, .. } => add(to),
            Op::Rename { from, to } => add(from) & add(to),
            // Members it drops are gone; a member it keeps only in part is changed.
            Op::Keep { paths } => paths.iter().all(|p| add(p)),
            Op::Extract { field, layouts } => {
                add(field);
                for name in layouts.iter().flat_map(|l| l.capture_names().flatten()) {
                    add(&[Seg::Key(name.to_string())]);
                }
                true
            }
            Op::ParseJson { field } | Op::ParseLogfmt { field } | Op::ParseTime { field, .. } => {
                add(field)
            }
        }
    }
}

/// See [`Annotate::needed`].
fn needed(steps: &[Step], touched: Option<&[String]>) -> Option<Vec<String>> {
    // A member removed and written again moves to the end of the event, which only the
    // whole event shows.
    let deleted: Vec<&String> = steps
        .iter()
        .filter_map(|s| match &s.op {
            Op::Delete { path } => match path.first() {
                Some(Seg::Key(k)) => Some(k),
                _ => None,
            },
            _ => None,
        })
        .collect();
    for step in steps {
        let mut writes = Vec::new();
        if !matches!(step.op, Op::Delete { .. })
            && step.op.touches(&mut writes)
            && writes.iter().any(|w| deleted.contains(&w))
        {
            return None;
        }
    }
    let mut needed: Vec<String> = touched?.to_vec();
    let mut add = |k: &str| {
        if !needed.iter().any(|n| n == k) {
            needed.push(k.to_string());
        }
    };
    for step in steps {
        match &step.op {
            Op::Set { path, expr } => {
                let Some(Seg::Key(k)) = path.first() else {
                    return None;
                };
                add(k);
                for root in expr.roots()? {
                    add(&root);
                }
            }
            Op::Delete { path }
            | Op::Extract { field: path, .. }
            | Op::ParseJson { field: path }
            | Op::ParseLogfmt { field: path }
            | Op::ParseTime { field: path, .. } => {
                let Some(Seg::Key(k)) = path.first() else {
                    return None;
                };
                add(k);
            }
            // These move or drop members: the whole event is parsed.
            Op::Rename { .. } | Op::Copy { .. } | Op::Keep { .. } => return None,
        }
    }
    Some(needed)
}

/// What `--extract` does with an event whose field does not match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Unmatched {
    /// Leave the event as it is, silently.
    Pass,
    /// Leave the event as it is, and report how many did not match at the end.
    Count,
    /// Treat the event as a bad line (reported, dead-lettered, or stopping the run under
    /// --on-error fail); it is not passed on.
    Reject,
}

pub struct Annotate {
    steps: Vec<Step>,
    when: Option<Program>,
    keep_existing: bool,
    unmatched: Unmatched,
    time_unit: Option<Unit>,
    year: i64,
    /// Per step: events whose `--extract` did not match.
    misses: Vec<AtomicU64>,
    /// The top-level members the steps may change; every other member is written out with
    /// its original bytes. `None` when a step may change the whole event.
    touched: Option<Vec<String>>,
    /// The top-level members the steps read or change, when each step only sets, removes or
    /// rewrites named top-level members where they are (or appends new ones): then only
    /// these are parsed, and the rest of the line is copied as it is.
    needed: Option<Vec<String>>,
}

pub struct Settings {
    pub when: Option<Program>,
    pub keep_existing: bool,
    pub unmatched: Unmatched,
    pub time_unit: Option<Unit>,
    /// The year of times written without one.
    pub year: i64,
}

impl Annotate {
    pub fn new(steps: Vec<Step>, s: Settings) -> Annotate {
        let misses = steps.iter().map(|_| AtomicU64::new(0)).collect();
        let mut touched = Some(Vec::new());
        for step in &steps {
            touched = touched.and_then(|mut t| step.op.touches(&mut t).then_some(t));
        }
        let needed = needed(&steps, touched.as_deref());
        Annotate {
            needed,
            touched,
            steps,
            when: s.when,
            keep_existing: s.keep_existing,
            unmatched: s.unmatched,
            time_unit: s.time_unit,
            year: s.year,
            misses,
        }
    }

    fn apply<'a>(
        &'a self,
        k: usize,
        step: &'a Step,
        v: &mut Value<'a>,
        line: u64,
    ) -> Result<(), Reject> {
        let fail = |why: String| Reject(format!("{}: {why}", step.label));
        let exists = |v: &Value<'_>, p: &[Seg]| v.get_path(p).is_some();
        match &step.op {
            Op::Set { path, expr } => {
                if self.keep_existing && exists(v, path) {
                    return Ok(());
                }
                let new = expr
                    .eval(&WithLine { value: v, line })
                    .map_err(|e| fail(e.0))?;
                set(v, path, new).map_err(fail)
            }
            Op::Copy { from, to } => {
                let Some(new) = v.get_path(from).cloned() else {
                    return Ok(());
                };
                if self.keep_existing && exists(v, to) {
                    return Ok(());
                }
                set(v, to, new).map_err(fail)
            }
            Op::Rename { from, to } => {
                if !exists(v, from) || (self.keep_existing && exists(v, to)) || from == to {
                    return Ok(());
                }
                if rename_in_place(v, from, to) {
                    return Ok(());
                }
                let taken = v.remove_path(from).unwrap_or(Value::Null);
                set(v, to, taken).map_err(fail)
            }
            Op::Delete { path } => {
                v.remove_path(path);
                Ok(())
            }
            Op::Keep { paths } => {
                *v = v.project(paths);
                Ok(())
            }
            Op::Extract { field, layouts } => {
                let found = match v.get_path(field) {
                    Some(Value::String(s)) => extract(layouts, s),
                    _ => None,
                };
                let Some(fields) = found else {
                    return match self.unmatched {
                        Unmatched::Pass => Ok(()),
                        Unmatched::Count => {
                            self.misses[k].fetch_add(1, Ordering::Relaxed);
                            Ok(())
                        }
                        Unmatched::Reject => Err(fail(match v.get_path(field) {
                            Some(Value::String(_)) => "no match".to_string(),
                            Some(other) => format!(
                                "{} is a {}, not a string",
                                path_text(field),
                                other.type_name()
                            ),
                            None => format!("{} is missing", path_text(field)),
                        })),
                    };
                };
                for (name, text) in fields {
                    let path = [Seg::Key(name)];
                    if !(self.keep_existing && exists(v, &path)) {
                        set(v, &path, Value::String(Cow::Owned(text))).map_err(fail)?;
                    }
                }
                Ok(())
            }
            Op::ParseJson { field } => {
                let Some(Value::String(s)) = v.get_path(field) else {
                    return Ok(());
                };
                let parsed = json::parse_value(s.as_bytes())
                    .map_err(|e| fail(e.to_string()))?
                    .into_owned();
                set(v, field, parsed).map_err(fail)
            }
            Op::ParseLogfmt { field } => {
                let Some(Value::String(s)) = v.get_path(field) else {
                    return Ok(());
                };
                let parsed = logfmt(s).map_err(fail)?;
                set(v, field, parsed).map_err(fail)
            }
            Op::ParseTime { field, format } => {
                let ms = match v.get_path(field) {
                    None | Some(Value::Null) => return Ok(()),
                    Some(Value::String(s)) => match format {
                        Some(f) => time::parse_with_format(s, f, self.year),
                        None => parse_time_auto(s, self.time_unit),
                    },
                    Some(Value::Number(n)) => time::epoch_to_ms(n, self.time_unit),
                    Some(_) => None,
                };
                let Some(ms) = ms else {
                    let shown = v.get_path(field).map(Value::to_json).unwrap_or_default();
                    return Err(fail(format!("cannot read {shown} as a time")));
                };
                set(
                    v,
                    field,
                    Value::String(Cow::Owned(time::format_rfc3339(ms))),
                )
                .map_err(fail)
            }
        }
    }
}

fn set<'a>(v: &mut Value<'a>, path: &[Seg], new: Value<'a>) -> Result<(), String> {
    if path.is_empty() && !matches!(new, Value::Object(_)) {
        return Err(format!(
            "an event must stay an object, not become {}",
            new.type_name()
        ));
    }
    v.set_path(path, new)
}

/// A rename within one object keeps the member where it was.
fn rename_in_place(v: &mut Value<'_>, from: &[Seg], to: &[Seg]) -> bool {
    let (Some((Seg::Key(old), parent)), Some((Seg::Key(new), to_parent))) =
        (from.split_last(), to.split_last())
    else {
        return false;
    };
    if parent != to_parent {
        return false;
    }
    let Some(Value::Object(members)) = v.get_path_mut(parent) else {
        return false;
    };
    members.retain(|(k, _)| k != new);
    for (k, _) in members.iter_mut().filter(|(k, _)| k == old) {
        *k = Cow::Owned(new.clone());
    }
    true
}

/// The named groups of the first layout that matches `text`.
fn extract(layouts: &[Regex], text: &str) -> Option<Vec<(String, String)>> {
    layouts.iter().find_map(|re| {
        let caps = re.captures(text)?;
        Some(
            re.capture_names()
                .flatten()
                .filter_map(|name| {
                    caps.name(name)
                        .map(|m| (name.to_string(), m.as_str().to_string()))
                })
                .collect(),
        )
    })
}

/// RFC 3339 (a missing offset is UTC) or an epoch number written as text.
fn parse_time_auto(s: &str, unit: Option<Unit>) -> Option<i64> {
    let t = s.trim();
    time::parse_rfc3339_in_zone(t)
        .or_else(|| Number::parse(t).and_then(|n| time::epoch_to_ms(&n, unit)))
}

/// `key=value key2="quoted \"value\"" flag` as an object of strings (a bare key is `true`).
fn logfmt(s: &str) -> Result<Value<'static>, String> {
    let mut members = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' {
            i += 1;
        }
        let key = s[start..i].to_string();
        if key.is_empty() {
            return Err(format!("a value without a key at byte {}", i + 1));
        }
        if i >= b.len() || b[i] != b'=' {
            members.push((Cow::Owned(key), Value::Bool(true)));
            continue;
        }
        i += 1;
        let value = if i < b.len() && b[i] == b'"' {
            i += 1;
            let mut v = String::new();
            loop {
                let Some(c) = s[i..].chars().next() else {
                    return Err(format!("unterminated quoted value for {key}"));
                };
                i += c.len_utf8();
                match c {
                    '"' => break,
                    '\\' => {
                        let Some(e) = s[i..].chars().next() else {
                            return Err(format!("unterminated quoted value for {key}"));
                        };
                        i += e.len_utf8();
                        v.push(match e {
                            'n' => '\n',
                            't' => '\t',
                            'r' => '\r',
                            other => other,
                        });
                    }
                    c => v.push(c),
                }
            }
            v
        } else {
            let vs = i;
            while i < b.len() && !b[i].is_ascii_whitespace() {
                i += 1;
            }
            s[vs..i].to_string()
        };
        members.push((Cow::Owned(key), Value::String(Cow::Owned(value))));
    }
    Ok(Value::Object(members))
}

/// An event being annotated, with its line number, for expressions.
struct WithLine<'v, 'a> {
    value: &'v Value<'a>,
    line: u64,
}

impl<'s, 'v, 'a: 's> Input<'s> for WithLine<'v, 'a> {
    fn get(&self, path: &[Seg]) -> Option<Value<'s>> {
        self.value.get_path(path).cloned()
    }

    fn whole(&self) -> Value<'s> {
        self.value.clone()
    }

    fn line(&self) -> Option<u64> {
        Some(self.line)
    }
}

impl Stateless for Annotate {
    fn event(&self, ev: &Event<'_>, out: &mut Output) -> Result<(), Reject> {
        if let Some(when) = &self.when
            && !when.matches(ev)?
        {
            out.event(ev);
            return Ok(());
        }
        if let (Some(needed), Some(touched)) = (&self.needed, &self.touched) {
            let texts = crate::json::member_texts(ev.raw());
            // Names given twice, or escaped, are rare: the whole event is parsed for them, as
            // before, so the bytes written stay the same.
            let plain = memchr::memchr(b'\\', ev.raw()).is_none()
                || texts.iter().all(|(a, _)| !a.contains(&b'\\'));
            let unique = plain
                && texts
                    .iter()
                    .enumerate()
                    .all(|(i, (a, _))| texts[i + 1..].iter().all(|(b, _)| a != b));
            if unique {
                // Only the members the steps read or change are parsed.
                let mut members = Vec::new();
                for (name, text) in &texts {
                    if let Some(k) = needed.iter().find(|k| k.as_bytes() == *name) {
                        let value = crate::json::parse_value(text).unwrap_or(Value::Null);
                        members.push((std::borrow::Cow::Borrowed(k.as_str()), value));
                    }
                }
                let mut v = Value::Object(members);
                for (k, step) in self.steps.iter().enumerate() {
                    self.apply(k, step, &mut v, ev.line())?;
                }
                out.patched(ev.raw(), &texts, &v, touched);
                return Ok(());
            }
        }
        let mut v = ev.parse();
        for (k, step) in self.steps.iter().enumerate() {
            self.apply(k, step, &mut v, ev.line())?;
        }
        match &self.touched {
            Some(touched) => out.spliced(ev.raw(), &v, touched),
            None => out.value(&v),
        }
        Ok(())
    }
}

impl Stage for Annotate {
    fn fields(&self) -> Option<Vec<String>> {
        match &self.when {
            Some(when) => when.roots(),
            None => Some(Vec::new()),
        }
    }

    fn event(&mut self, ev: &Event<'_>, out: &mut Output) -> Result<(), Fault> {
        Ok(Stateless::event(self, ev, out)?)
    }

    fn stateless(&self) -> Option<&dyn Stateless> {
        Some(self)
    }

    fn notes(&self) -> Vec<String> {
        self.steps
            .iter()
            .zip(&self.misses)
            .filter_map(|(step, n)| {
                let n = n.load(Ordering::Relaxed);
                (n > 0).then(|| {
                    format!(
                        "{n} event{} did not match {} and passed unchanged",
                        if n == 1 { "" } else { "s" },
                        step.label
                    )
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The partial parse writes exactly what parsing the whole event writes, on lines chosen
    /// to trip it: spaces, escaped and repeated names, members set, removed, set again.
    #[test]
    fn parsing_only_the_members_used_writes_the_same_bytes_as_parsing_all() {
        use crate::expr::{Program, parse_path};
        let set = |p: &str, e: &str| Step {
            op: Op::Set {
                path: parse_path(p).unwrap(),
                expr: Program::compile(e).unwrap(),
            },
            label: format!("--set {p}={e}"),
        };
        let delete = |p: &str| Step {
            op: Op::Delete {
                path: parse_path(p).unwrap(),
            },
            label: format!("--delete {p}"),
        };
        let lines = [
            r#"{"a":1,"b":"x","c":[1,{"d":2}]}"#,
            r#"{ "a" : 1 , "b":"x" }"#,
            r#"{"\u0061":5,"b":2}"#,
            r#"{"a":1,"a":2,"b":3}"#,
            r#"{}"#,
            r#"{"b":null,"z":"\"quoted\" ,}"}"#,
        ];
        let cases: Vec<Vec<Step>> = vec![
            vec![set(".n", "1"), set(".m", ".a * 2")],
            vec![set(".a", ".a + 1")],
            vec![delete(".a"), set(".n", ".b")],
            vec![delete(".b"), set(".b", "7")],
            vec![set(".b", "1"), delete(".b")],
            vec![set(".a.x", "1")],
            vec![set(".c", "len(.c)"), set(".new", ".c")],
        ];
        let settings = || Settings {
            when: None,
            keep_existing: false,
            unmatched: Unmatched::Pass,
            time_unit: None,
            year: 2024,
        };
        for steps in cases {
            let labels: Vec<String> = steps.iter().map(|s| s.label.clone()).collect();
            let fast = Annotate::new(steps, settings());
            let mut slow = Annotate::new(
                labels
                    .iter()
                    .map(|l| {
                        let (flag, arg) = l.split_once(' ').unwrap();
                        match flag {
                            "--set" => {
                                let (p, e) = arg.split_once('=').unwrap();
                                set(p, e)
                            }
                            _ => delete(arg),
                        }
                    })
                    .collect(),
                settings(),
            );
            slow.needed = None;
            for line in lines {
                let mut found = Vec::new();
                crate::json::scan_object(line.as_bytes(), &[""; 0], &mut found).unwrap();
                let ev = Event::new(line.as_bytes(), &[], &found, "-", 1);
                let (mut a, mut b) = (Output::new(), Output::new());
                let ra = Stateless::event(&fast, &ev, &mut a).map_err(|r| r.0);
                let rb = Stateless::event(&slow, &ev, &mut b).map_err(|r| r.0);
                assert_eq!(ra, rb, "{labels:?} on {line}");
                assert_eq!(
                    String::from_utf8_lossy(a.as_bytes()),
                    String::from_utf8_lossy(b.as_bytes()),
                    "{labels:?} on {line}"
                );
            }
        }
    }

    #[test]
    fn logfmt_reads_bare_quoted_and_flag_values() {
        let v =
            logfmt(r#"level=info msg="hello \"world\"" took=12ms debug path=/a=b é=ü"#).unwrap();
        assert_eq!(
            v.to_json(),
            r#"{"level":"info","msg":"hello \"world\"","took":"12ms","debug":true,"path":"/a=b","é":"ü"}"#
        );
        assert!(logfmt(r#"a="open"#).is_err());
        assert!(logfmt("=x").is_err());
        assert_eq!(logfmt("  ").unwrap().to_json(), "{}");
    }

    #[test]
    fn auto_time_takes_rfc3339_with_or_without_offset_and_epochs() {
        assert_eq!(
            parse_time_auto("2024-05-01T10:30:00.250Z", None),
            Some(1_714_559_400_250)
        );
        assert_eq!(
            parse_time_auto("2024-05-01 10:30:00.250", None),
            Some(1_714_559_400_250)
        );
        assert_eq!(parse_time_auto("1714559400", None), Some(1_714_559_400_000));
        assert_eq!(
            parse_time_auto("1714559400", Some(Unit::Millis)),
            Some(1_714_559_400)
        );
        assert_eq!(parse_time_auto("yesterday", None), None);
    }
}
