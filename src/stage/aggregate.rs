//! `aggregate` statistics: running group-by statistics, optionally in tumbling event-time
//! windows, optionally kept in the state file so that the next run continues from the saved
//! totals.
//!
//! A named aggregate keeps, per group, the stored total it last saw (`base`) and what this run
//! added since (`delta`). Saving merges each delta into the total stored *now*, inside one
//! `BEGIN IMMEDIATE` transaction, so runs in turn and runs at the same time both add up.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use anyhow::Context;

use super::stats::{Acc, Kind};
use super::{Fault, Fold, Partial, Reject, Stage};
use crate::expr::Program;
use crate::json::{self, Value};
use crate::store::{self, Store};
use crate::stream::resume::{Cursor, Keeps};
use crate::stream::{Event, Output};
use crate::time::{self, Unit};

/// How often a named aggregate is saved while input keeps coming.
const SAVE_EVERY: Duration = Duration::from_secs(1);

/// One output column computed from an expression.
pub struct Column {
    pub name: String,
    /// The expression's text, for the stored definition.
    pub source: String,
    pub expr: Program,
}

pub struct Stat {
    pub kind: Kind,
    pub name: String,
    /// `None` for `--count`.
    pub input: Option<Column>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Late {
    Count,
    DeadLetter,
}

pub struct Window {
    pub width_ms: i64,
    pub time: Column,
    pub lateness_ms: i64,
    pub late: Late,
    pub unit: Option<Unit>,
    /// Close every open window after this long without events (wall-clock); 0: never.
    pub idle_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Emit {
    /// One event per group at the end of input (per window when it closes).
    Final,
    /// The group's new values after every event.
    Each,
}

pub struct Spec {
    pub by: Vec<Column>,
    pub stats: Vec<Stat>,
    pub window: Option<Window>,
    pub emit: Emit,
}

/// A word as a shell would take it back: quoted when it holds anything but plain characters.
pub fn shell_word(w: &str) -> String {
    let plain = !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/:=@%+,".contains(c));
    if plain {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}

impl Column {
    /// The column as a flag's value: `EXPR`, or `NAME=EXPR` when the name is not the one
    /// the expression's path would give (with `suffix`, as statistics add it).
    fn flag_value(&self, suffix: Option<&str>) -> String {
        let implied = self.expr.path_name().map(|n| match suffix {
            Some(s) => format!("{n}_{s}"),
            None => n,
        });
        if implied.as_deref() == Some(self.name.as_str()) {
            shell_word(&self.source)
        } else {
            shell_word(&format!("{}={}", self.name, self.source))
        }
    }
}

impl Spec {
    /// The definition as the command-line flags that make it, for messages and `--list`.
    pub fn flags(&self) -> String {
        let mut words = Vec::new();
        for b in &self.by {
            words.push(format!("--by {}", b.flag_value(None)));
        }
        if let Some(w) = &self.window {
            words.push(format!(
                "--window {} --time {}",
                time::format_duration(w.width_ms),
                shell_word(&w.time.source)
            ));
        }
        for st in &self.stats {
            match &st.input {
                None => words.push(format!("--{}", st.kind.flag())),
                Some(c) => words.push(format!(
                    "--{} {}",
                    st.kind.flag(),
                    c.flag_value(Some(&st.kind.suffix()))
                )),
            }
        }
        words.join(" ")
    }

    /// The definition as canonical JSON: what a named aggregate must be continued with.
    pub fn describe(&self) -> String {
        let text = |s: &str| Value::String(s.to_string().into());
        let mut members = vec![
            (
                "by".into(),
                Value::Array(
                    self.by
                        .iter()
                        .map(|c| Value::Array(vec![text(&c.name), text(&c.source)]))
                        .collect(),
                ),
            ),
            (
                "stats".into(),
                Value::Array(
                    self.stats
                        .iter()
                        .map(|s| {
                            Value::Array(vec![
                                text(&s.kind.flag()),
                                text(&s.name),
                                s.input.as_ref().map_or(Value::Null, |c| text(&c.source)),
                            ])
                        })
                        .collect(),
                ),
            ),
        ];
        if let Some(w) = &self.window {
            members.push((
                "window".into(),
                Value::Array(vec![
                    Value::Number(json::Number::Int(w.width_ms)),
                    text(&w.time.source),
                ]),
            ));
        }
        json::canonical(&Value::Object(members)).unwrap_or_default()
    }
}

/// The `--by` values of an event, with its group's key (the window start first, when
/// windowed) written to `key`. Groups are told apart by value, as `==` does; the output shows
/// the first text seen.
fn group_key<'e>(
    spec: &'e Spec,
    ev: &'e Event<'_>,
    window: Option<i64>,
    key: &mut Vec<u8>,
) -> Result<Vec<Value<'e>>, Reject> {
    let values: Vec<Value<'_>> = spec
        .by
        .iter()
        .map(|c| c.expr.eval(ev))
        .collect::<Result<_, _>>()
        .map_err(Reject::from)?;
    key.clear();
    let mut key_values = Vec::with_capacity(values.len() + 1);
    if let Some(start) = window {
        key_values.push(Value::Number(json::Number::Int(start)));
    }
    key_values.extend(values.iter().map(Value::reborrow));
    json::write_key(&Value::Array(key_values), key);
    Ok(values)
}

/// Adds the event's values to a group's statistics.
fn add_stats(spec: &Spec, ev: &Event<'_>, accs: &mut [Acc]) -> Result<(), Reject> {
    for (stat, acc) in spec.stats.iter().zip(accs.iter_mut()) {
        match &stat.input {
            Some(col) => acc.add(Some(&col.expr.eval(ev).map_err(Reject::from)?)),
            None => acc.add(None),
        }
    }
    Ok(())
}

/// Folds a slice of the input into per-group partial statistics on the engine's pool.
struct Folder(std::sync::Arc<Spec>);

/// A slice's groups in the order they first appear in it: key, first `--by` values, and the
/// partial statistics.
#[derive(Default)]
struct Groups {
    index: HashMap<String, usize>,
    groups: Vec<(String, Vec<Value<'static>>, Vec<Acc>)>,
    key: Vec<u8>,
}

impl Fold for Folder {
    fn start(&self) -> Partial {
        Box::new(Groups::default())
    }

    fn fold(&self, ev: &Event<'_>, into: &mut Partial) -> Result<(), Reject> {
        let Some(part) = into.downcast_mut::<Groups>() else {
            return Err(Reject("a partial of another stage".into()));
        };
        let values = group_key(&self.0, ev, None, &mut part.key)?;
        let key = std::str::from_utf8(&part.key).unwrap_or_default();
        let at = match part.index.get(key) {
            Some(&at) => at,
            None => {
                let at = part.groups.len();
                part.index.insert(key.to_string(), at);
                let accs = self.0.stats.iter().map(|s| Acc::partial(s.kind)).collect();
                let values = values.into_iter().map(Value::into_owned).collect();
                part.groups.push((key.to_string(), values, accs));
                at
            }
        };
        add_stats(&self.0, ev, &mut part.groups[at].2)
    }
}

/// Where a named aggregate is kept.
pub struct Persist {
    pub store: Store,
    pub name: String,
    /// How long closed windows stay in the state file after they closed (`--keep`).
    pub keep_ms: i64,
}

struct Group {
    /// The --by values (after the window start, when windowed).
    values: Vec<Value<'static>>,
    window: Option<i64>,
    ord: u64,
    /// The stored total this run last saw (named aggregates only).
    base: Option<Vec<Acc>>,
    /// What this run added since the last save.
    delta: Vec<Acc>,
    dirty: bool,
}

pub struct Aggregate {
    /// Shared with the folder that runs on the pool.
    spec: std::sync::Arc<Spec>,
    spec_text: String,
    groups: HashMap<String, Group>,
    /// Open windows by their end, for closing them in order.
    open: BTreeMap<i64, Vec<String>>,
    watermark: Option<i64>,
    next_ord: u64,
    late: u64,
    persist: Option<Persist>,
    /// Windows of a named aggregate that closed since the last save: the save marks them
    /// closed and only then are they written out, so a run killed before it emits nothing
    /// and the run that does commit their closing emits them once.
    closing: Vec<(String, Group)>,
    late_unsaved: u64,
    last_save: Instant,
    key_buf: Vec<u8>,
    /// Under `--resume`, the input positions to commit with the totals.
    cursor: Option<Cursor>,
    /// `--top N` / `--sort EXPR`: which rows are written, in what order.
    ranking: Option<Ranking>,
}

/// `--sort EXPR` (default: the first statistic) ranks the rows written at once, largest
/// first; `--top N` keeps the first N (per window).
pub struct Ranking {
    pub top: Option<usize>,
    pub sort: Option<Program>,
}

impl Aggregate {
    /// Makes the stage; a named one checks its definition and, when windowed, loads its open
    /// windows and watermark.
    pub fn new(spec: Spec, persist: Option<Persist>) -> anyhow::Result<Aggregate> {
        let spec_text = spec.describe();
        let mut agg = Aggregate {
            spec: std::sync::Arc::new(spec),
            spec_text,
            groups: HashMap::new(),
            open: BTreeMap::new(),
            watermark: None,
            next_ord: 0,
            late: 0,
            persist,
            closing: Vec::new(),
            late_unsaved: 0,
            last_save: Instant::now(),
            key_buf: Vec::new(),
            cursor: None,
            ranking: None,
        };
        if let Some(p) = &mut agg.persist {
            let (name, spec_text) = (p.name.clone(), agg.spec_text.clone());
            p.store
                .write(|tx| store::aggregate::ensure(tx, &name, &spec_text, time::now_ms()))?;
            if agg.spec.window.is_some() {
                agg.watermark = p.store.conn().query_row(
                    "SELECT watermark FROM agg_stats WHERE name = ?1",
                    [&name],
                    |r| r.get(0),
                )?;
                for g in store::aggregate::groups(p.store.conn(), &name, false)? {
                    agg.adopt(g.key, &g.state)?;
                }
            }
        }
        Ok(agg)
    }

    /// Writes only the top rows, ranked (`--top`, `--sort`).
    pub fn rank(&mut self, ranking: Ranking) {
        self.ranking = Some(ranking);
    }

    /// The rows to write of `rows`: all as they are, or ranked per window and cut to the top.
    fn ranked(&self, rows: Vec<Value<'static>>) -> anyhow::Result<Vec<Value<'static>>> {
        let Some(r) = &self.ranking else {
            return Ok(rows);
        };
        let first_stat = self.spec.stats.first().map(|s| s.name.clone());
        let mut keyed = Vec::with_capacity(rows.len());
        for (i, v) in rows.into_iter().enumerate() {
            let k = match (&r.sort, &first_stat) {
                (Some(p), _) => p
                    .eval(&v)
                    .map_err(|e| anyhow::anyhow!("--sort {}: {e}", p.source()))?
                    .into_owned(),
                (None, Some(name)) => v.member(name).cloned().unwrap_or(Value::Null).into_owned(),
                (None, None) => Value::Null,
            };
            let window = v.member("window_start").map(Value::to_json);
            keyed.push((window, k, i, v));
        }
        // By window, then largest first (numbers before strings before anything else), then
        // in the order the groups came.
        keyed.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(|| rank_order(&b.1, &a.1))
                .then(a.2.cmp(&b.2))
        });
        let mut out = Vec::new();
        let mut in_window = 0;
        let mut window: Option<Option<String>> = None;
        for (w, _, _, v) in keyed {
            if window.as_ref() != Some(&w) {
                window = Some(w);
                in_window = 0;
            }
            if r.top.is_none_or(|n| in_window < n) {
                out.push(v);
            }
            in_window += 1;
        }
        Ok(out)
    }

    /// Takes a stored group into memory.
    fn adopt(&mut self, key: String, state: &str) -> anyhow::Result<()> {
        let accs = self.parse_state(state)?;
        let keyv = json::parse_value(key.as_bytes())?.into_owned();
        let Value::Array(mut values) = keyv else {
            anyhow::bail!("a stored group key is not an array: {key}");
        };
        let window = if self.spec.window.is_some() && !values.is_empty() {
            match values.remove(0) {
                Value::Number(n) => n.as_i64(),
                _ => None,
            }
        } else {
            None
        };
        if let (Some(start), Some(w)) = (window, &self.spec.window) {
            self.open
                .entry(start + w.width_ms)
                .or_default()
                .push(key.clone());
        }
        let ord = self.next_ord;
        self.next_ord += 1;
        self.groups.insert(
            key,
            Group {
                values,
                window,
                ord,
                delta: self.empty(),
                base: Some(accs),
                dirty: false,
            },
        );
        Ok(())
    }

    /// A group seen for the first time: its stored total read in (named aggregates), its
    /// window opened, its place in the output taken.
    fn add_group(
        &mut self,
        key: String,
        values: impl FnOnce() -> Vec<Value<'static>>,
        window: Option<i64>,
    ) -> Result<(), Fault> {
        let base = match &self.persist {
            Some(p) => match store::aggregate::group(p.store.conn(), &p.name, &key) {
                Ok(found) => match found {
                    Some((_, state)) => Some(self.parse_state(&state).map_err(Fault::Fatal)?),
                    None => Some(self.empty()),
                },
                Err(e) => {
                    return Err(Fault::Fatal(e.context("cannot read the state file")));
                }
            },
            None => None,
        };
        if let (Some(start), Some(w)) = (window, &self.spec.window) {
            self.open
                .entry(start + w.width_ms)
                .or_default()
                .push(key.clone());
        }
        let g = Group {
            values: values(),
            window,
            ord: self.next_ord,
            base,
            delta: self.empty(),
            dirty: false,
        };
        self.next_ord += 1;
        self.groups.insert(key, g);
        Ok(())
    }

    fn empty(&self) -> Vec<Acc> {
        self.spec.stats.iter().map(|s| Acc::new(s.kind)).collect()
    }

    fn parse_state(&self, state: &str) -> anyhow::Result<Vec<Acc>> {
        let v = json::parse_value(state.as_bytes())
            .with_context(|| format!("a stored state is not JSON: {state}"))?;
        let Value::Array(items) = &v else {
            anyhow::bail!("a stored state is not an array: {state}");
        };
        self.spec
            .stats
            .iter()
            .zip(items)
            .map(|(s, item)| {
                Acc::from_state(s.kind, item).with_context(|| {
                    format!("a stored {} state is unreadable: {state}", s.kind.flag())
                })
            })
            .collect()
    }

    fn state_text(accs: &[Acc]) -> String {
        Value::Array(accs.iter().map(Acc::state).collect()).to_json()
    }

    /// The group as an output event.
    fn render(&self, g: &Group) -> Value<'static> {
        let mut members = Vec::new();
        if let (Some(start), Some(w)) = (g.window, &self.spec.window) {
            let t = |ms| Value::String(time::format_rfc3339(ms).into());
            members.push(("window_start".into(), t(start)));
            members.push(("window_end".into(), t(start + w.width_ms)));
        }
        for (col, v) in self.spec.by.iter().zip(&g.values) {
            members.push((col.name.clone().into(), v.clone()));
        }
        let mut total = g.base.clone().unwrap_or_else(|| self.empty());
        for (t, d) in total.iter_mut().zip(&g.delta) {
            t.merge(d);
        }
        for (stat, acc) in self.spec.stats.iter().zip(&total) {
            members.push((stat.name.clone().into(), acc.result()));
        }
        Value::Object(members)
    }

    /// The event's time in epoch milliseconds, or why it has none.
    fn event_ms(w: &Window, ev: &Event<'_>) -> Result<i64, Reject> {
        let v = w.time.expr.eval(ev)?;
        time::from_value(&v, w.unit).ok_or_else(|| {
            Reject(format!(
                "--time {}: cannot read {} as a time",
                w.time.source,
                v.to_json()
            ))
        })
    }

    /// Emits and forgets the windows that end at or before the watermark, oldest first.
    fn close_windows(&mut self, out: &mut Output) {
        let Some(wm) = self.watermark else { return };
        let mut closing: Vec<String> = Vec::new();
        while let Some(entry) = self.open.first_entry() {
            if *entry.key() > wm {
                break;
            }
            closing.extend(entry.remove());
        }
        let mut closed: Vec<(String, Group)> = closing
            .into_iter()
            .filter_map(|k| self.groups.remove(&k).map(|g| (k, g)))
            .collect();
        closed.sort_by_key(|(_, g)| (g.window, g.ord));
        if self.persist.is_some() {
            self.closing.extend(closed);
        } else if self.spec.emit == Emit::Final {
            let rows: Vec<Value<'static>> = closed.iter().map(|(_, g)| self.render(g)).collect();
            // The ranking's only failure is a --sort that fails on a row: then unranked.
            for v in self.ranked(rows.clone()).unwrap_or(rows) {
                out.value(&v);
            }
        }
    }

    /// Merges what this run added into the state file, marks the windows that closed since
    /// the last save as closed, and then writes them out.
    fn save(&mut self, out: &mut Output) -> anyhow::Result<()> {
        let Some(p) = &mut self.persist else {
            return Ok(());
        };
        let stats = &self.spec.stats;
        // New groups are numbered in the file as they are written: in first-seen order.
        let mut dirty: Vec<(&String, &Group)> = self
            .groups
            .iter()
            .chain(self.closing.iter().map(|(k, g)| (k, g)))
            .filter(|(_, g)| g.dirty)
            .collect();
        dirty.sort_by_key(|(_, g)| g.ord);
        let (name, spec_text, keep_ms) = (&p.name, &self.spec_text, p.keep_ms);
        let (closing, late, watermark) = (&self.closing, self.late_unsaved, self.watermark);
        let cursor = &self.cursor;
        let parse = |state: &str| -> anyhow::Result<Vec<Acc>> {
            let v = json::parse_value(state.as_bytes())?;
            let Value::Array(items) = &v else {
                anyhow::bail!("a stored state is not an array: {state}");
            };
            stats
                .iter()
                .zip(items)
                .map(|(s, item)| Acc::from_state(s.kind, item).context("unreadable stored state"))
                .collect()
        };
        let (merged, stored_wm) = p.store.write(|tx| {
            let now = time::now_ms();
            store::aggregate::ensure(tx, name, spec_text, now)?;
            let stored_wm = store::aggregate::touch(tx, name, now, watermark, late)?;
            let mut merged = Vec::with_capacity(dirty.len());
            for (key, g) in &dirty {
                let mut total = match store::aggregate::group(tx, name, key)? {
                    Some((_, state)) => parse(&state)?,
                    None => stats.iter().map(|s| Acc::new(s.kind)).collect(),
                };
                for (t, d) in total.iter_mut().zip(&g.delta) {
                    t.merge(d);
                }
                store::aggregate::put_group(tx, name, key, &Self::state_text(&total))?;
                merged.push(((*key).clone(), total));
            }
            for (key, _) in closing {
                store::aggregate::close_group(tx, name, key, now)?;
            }
            if !closing.is_empty() {
                store::aggregate::prune_closed(tx, name, now.saturating_sub(keep_ms))?;
            }
            if let Some(c) = cursor {
                c.save(tx)?;
            }
            Ok((merged, stored_wm))
        })?;
        let empty = self.empty();
        let mut merged: HashMap<String, Vec<Acc>> = merged.into_iter().collect();
        for (key, g) in self.groups.iter_mut() {
            if let Some(total) = merged.remove(key) {
                g.base = Some(total);
                g.delta = empty.clone();
                g.dirty = false;
            }
        }
        let mut rows = Vec::new();
        for (key, mut g) in std::mem::take(&mut self.closing) {
            if let Some(total) = merged.remove(&key) {
                g.base = Some(total);
                g.delta = empty.clone();
            }
            if self.spec.emit == Emit::Final {
                rows.push(self.render(&g));
            }
        }
        for v in self.ranked(rows)? {
            out.value(&v);
        }
        self.late_unsaved = 0;
        self.watermark = self.watermark.max(stored_wm);
        self.last_save = Instant::now();
        Ok(())
    }
}

impl Stage for Aggregate {
    fn fields(&self) -> Option<Vec<String>> {
        let mut roots = Vec::new();
        let cols = self
            .spec
            .by
            .iter()
            .chain(self.spec.stats.iter().filter_map(|s| s.input.as_ref()))
            .chain(self.spec.window.as_ref().map(|w| &w.time));
        for c in cols {
            for r in c.expr.roots()? {
                if !roots.contains(&r) {
                    roots.push(r);
                }
            }
        }
        Some(roots)
    }

    fn event(&mut self, ev: &Event<'_>, out: &mut Output) -> Result<(), Fault> {
        let mut event_ms = None;
        let window = match &self.spec.window {
            Some(w) => {
                let ms = Self::event_ms(w, ev)?;
                event_ms = Some(ms);
                let start = ms.div_euclid(w.width_ms) * w.width_ms;
                if self.watermark.is_some_and(|wm| start + w.width_ms <= wm) {
                    return match w.late {
                        Late::Count => {
                            self.late += 1;
                            self.late_unsaved += 1;
                            Ok(())
                        }
                        Late::DeadLetter => Err(Reject(format!(
                            "late event: its window {} to {} had closed",
                            time::format_rfc3339(start),
                            time::format_rfc3339(start + w.width_ms)
                        ))
                        .into()),
                    };
                }
                Some(start)
            }
            None => None,
        };
        let mut key_buf = std::mem::take(&mut self.key_buf);
        let values = group_key(&self.spec, ev, window, &mut key_buf);
        self.key_buf = key_buf;
        let values = values?;
        let key = std::str::from_utf8(&self.key_buf).unwrap_or_default();
        if !self.groups.contains_key(key) {
            let key = key.to_string();
            let owned = values.into_iter().map(Value::into_owned).collect();
            self.add_group(key, || owned, window)?;
        }
        let key = std::str::from_utf8(&self.key_buf).unwrap_or_default();
        if let Some(g) = self.groups.get_mut(key) {
            add_stats(&self.spec, ev, &mut g.delta)?;
            g.dirty = true;
        }
        if self.spec.emit == Emit::Each
            && let Some(g) = self.groups.get(key)
        {
            out.value(&self.render(g));
        }
        if let (Some(w), Some(ms)) = (&self.spec.window, event_ms) {
            let wm = ms.saturating_sub(w.lateness_ms);
            if self.watermark.is_none_or(|cur| wm > cur) {
                self.watermark = Some(wm);
                self.close_windows(out);
            }
        }
        Ok(())
    }

    fn folder(&self) -> Option<std::sync::Arc<dyn Fold>> {
        // Windows close as the watermark moves and `--emit each` writes after every event:
        // both need the events one at a time, in order.
        (self.spec.window.is_none() && self.spec.emit == Emit::Final)
            .then(|| std::sync::Arc::new(Folder(self.spec.clone())) as std::sync::Arc<dyn Fold>)
    }

    fn merge(&mut self, partial: Partial) -> Result<(), Fault> {
        let Ok(part) = partial.downcast::<Groups>() else {
            return Err(Fault::Fatal(anyhow::anyhow!("a partial of another stage")));
        };
        for (key, values, accs) in part.groups {
            if !self.groups.contains_key(&key) {
                self.add_group(key.clone(), || values, None)?;
            }
            if let Some(g) = self.groups.get_mut(&key) {
                for (d, a) in g.delta.iter_mut().zip(&accs) {
                    d.merge(a);
                }
                g.dirty = true;
            }
        }
        Ok(())
    }

    fn batch_done(&mut self, out: &mut Output, idle: bool) -> anyhow::Result<()> {
        if self.persist.is_some() && (idle || self.last_save.elapsed() >= SAVE_EVERY) {
            self.save(out)?;
        }
        Ok(())
    }

    fn end(&mut self, out: &mut Output) -> anyhow::Result<()> {
        if self.persist.is_none() {
            if self.spec.window.is_some() {
                // Without a state file to continue in, every window closes at the end.
                self.watermark = Some(i64::MAX);
                self.close_windows(out);
            } else if self.spec.emit == Emit::Final {
                let mut all: Vec<&Group> = self.groups.values().collect();
                all.sort_by_key(|g| g.ord);
                let rows: Vec<Value<'static>> = all.into_iter().map(|g| self.render(g)).collect();
                for v in self.ranked(rows)? {
                    out.value(&v);
                }
            }
            return Ok(());
        }
        self.save(out)?;
        if self.spec.window.is_none() && self.spec.emit == Emit::Final {
            show(self, out)?;
        }
        Ok(())
    }

    fn keep_positions(&mut self, cursor: &Cursor) -> Keeps {
        if self.persist.is_none() {
            // Its totals go to stdout at the end: positions can only move after that.
            return Keeps::AtEnd;
        }
        self.cursor = Some(cursor.clone());
        Keeps::WithState
    }

    fn idle_after(&self) -> Option<Duration> {
        let w = self.spec.window.as_ref()?;
        (w.idle_ms > 0 && !self.open.is_empty()).then(|| Duration::from_millis(w.idle_ms as u64))
    }

    fn idle(&mut self, out: &mut Output) -> anyhow::Result<()> {
        // Nothing came for a window's worth of time: the open windows are as complete as
        // they will get, so they close as if the watermark had passed them.
        if let Some(last_end) = self.open.last_key_value().map(|(end, _)| *end) {
            self.watermark = self.watermark.max(Some(last_end));
            self.close_windows(out);
            if self.persist.is_some() {
                self.save(out)?;
            }
        }
        Ok(())
    }

    fn notes(&self) -> Vec<String> {
        if self.late == 0 {
            return Vec::new();
        }
        let plural = if self.late == 1 { "" } else { "s" };
        vec![format!(
            "{} late event{plural} not counted (their window had closed)",
            self.late
        )]
    }
}

/// Writes every stored group of a named aggregate, in the order they first appeared.
pub fn show(agg: &Aggregate, out: &mut Output) -> anyhow::Result<()> {
    let Some(p) = &agg.persist else {
        return Ok(());
    };
    let mut rows = Vec::new();
    for stored in store::aggregate::groups(p.store.conn(), &p.name, true)? {
        let (key, state) = (stored.key, stored.state);
        let mut values = match json::parse_value(key.as_bytes())?.into_owned() {
            Value::Array(v) => v,
            _ => Vec::new(),
        };
        let window = if agg.spec.window.is_some() && !values.is_empty() {
            match values.remove(0) {
                Value::Number(n) => n.as_i64(),
                _ => None,
            }
        } else {
            None
        };
        let g = Group {
            values,
            window,
            ord: 0,
            base: Some(agg.parse_state(&state)?),
            delta: agg.empty(),
            dirty: false,
        };
        let mut v = agg.render(&g);
        if agg.spec.window.is_some()
            && let Value::Object(members) = &mut v
        {
            // After window_end: whether more events can still change it.
            members.insert(
                2,
                ("closed".into(), Value::Bool(stored.closed_at.is_some())),
            );
        }
        rows.push(v);
    }
    for v in agg.ranked(rows)? {
        out.value(&v);
    }
    Ok(())
}

/// Largest first: numbers (exactly), then strings, then anything else; `a` before `b` when
/// this is `Less`.
fn rank_order(a: &Value<'_>, b: &Value<'_>) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.cmp_exact(y),
        (Value::Number(_), _) => Ordering::Greater,
        (_, Value::Number(_)) => Ordering::Less,
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::String(_), _) => Ordering::Greater,
        (_, Value::String(_)) => Ordering::Less,
        _ => Ordering::Equal,
    }
}
