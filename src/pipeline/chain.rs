//! Stages joined in one process: what one stage emits is handed to the next as events, with no
//! pipe, no framing and no validation in between (what a stage emits is one compact JSON
//! object per line by construction).
//!
//! The leading stages that keep no state run on all cores, like a lone stateless stage; from
//! the first stage that keeps state on, events go one at a time, in input order. Events keep
//! the source and line number of the input line they came from, so a bad event at any stage
//! is reported (and dead-lettered) as that input line.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use anyhow::anyhow;

use crate::json::Span;
use crate::stage::{Fault, Free, Prepare, Reject, Stage, Stateless};
use crate::stream::resume::{Cursor, Keeps};
use crate::stream::{Event, Output};

/// Events into, out of and rejected by each stage of a pipeline, for `/metrics`.
pub struct Meter {
    pub pipeline: String,
    /// Per stage: its name, and events in, out and bad.
    pub stages: Vec<(String, [AtomicU64; 3])>,
}

impl Meter {
    fn count(&self, i: usize, out_before: usize, out: &Output, bad: bool) {
        let [events_in, events_out, rejected] = &self.stages[i].1;
        events_in.fetch_add(1, Relaxed);
        let emitted = memchr::memchr_iter(b'\n', &out.as_bytes()[out_before..]).count();
        events_out.fetch_add(emitted as u64, Relaxed);
        if bad {
            rejected.fetch_add(1, Relaxed);
        }
    }

    /// Prometheus text of the stages' counts, each family once with its type.
    pub fn render(meters: &[Arc<Meter>], text: &mut String) {
        use std::fmt::Write;
        for (k, what) in ["events_in", "events_out", "events_bad"].iter().enumerate() {
            let _ = writeln!(text, "# TYPE binge_stage_{what}_total counter");
            for m in meters {
                for (name, counts) in &m.stages {
                    let _ = writeln!(
                        text,
                        "binge_stage_{what}_total{{pipeline=\"{}\",stage=\"{}\"}} {}",
                        m.pipeline,
                        name,
                        counts[k].load(Relaxed)
                    );
                }
            }
        }
    }
}

pub struct Chain {
    /// Shared with the engine, which prepares the next batch through it while the stages
    /// that keep state handle this one.
    front: Arc<Front>,
    rest: Vec<Box<dyn Stage>>,
    names: Vec<String>,
    /// Per stage, its own time zone (a config's "tz").
    zones: Vec<Option<jiff::tz::TimeZone>>,
    /// Per stage, the members it reads (empty: it looks them up itself).
    wanted: Vec<Vec<String>>,
    /// Events emitted outside the handling of an input line (at a batch's end, when idle, at
    /// the end) that a later stage rejected: no input line to report them as.
    late: u64,
    late_reason: Option<String>,
}

/// The leading stages that keep no state.
struct Front {
    stages: Vec<Box<dyn Free>>,
    /// Per stage, the members it reads (empty: it looks them up itself).
    wanted: Vec<Vec<String>>,
    zones: Vec<Option<jiff::tz::TimeZone>>,
    meter: Option<Arc<Meter>>,
}

/// Runs `f` with an empty buffer taken from this thread's pool, and puts it back: stages
/// emit into one between them for every event, and allocating it each time cost more than
/// the stages' own work on small events.
fn scratch<R>(f: impl FnOnce(&mut Output, &mut Vec<Option<Span>>) -> R) -> R {
    type Buffers = (Vec<u8>, Vec<Option<Span>>);
    thread_local! {
        static POOL: std::cell::RefCell<Vec<Buffers>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let (bytes, mut found) = POOL.with(|p| p.borrow_mut().pop()).unwrap_or_default();
    let mut out = Output::from_bytes(bytes);
    out.clear();
    let r = f(&mut out, &mut found);
    let bytes = out.into_bytes();
    // A buffer that grew for one huge event is not kept.
    if bytes.capacity() <= 1 << 20 {
        POOL.with(|p| p.borrow_mut().push((bytes, found)));
    }
    r
}

fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut start = 0;
    memchr::memchr_iter(b'\n', bytes)
        .map(move |end| {
            let line = &bytes[start..end];
            start = end + 1;
            line
        })
        .filter(|l| !l.is_empty())
}

impl Front {
    fn pass(&self, from: usize, ev: &Event<'_>, out: &mut Output) -> Result<(), Reject> {
        let Some(stage) = self.stages.get(from) else {
            out.event(ev);
            return Ok(());
        };
        let zone = self.zones[from].as_ref();
        if from + 1 == self.stages.len() {
            let before = out.len();
            let done = crate::time::in_zone(zone, || Stateless::event(&**stage, ev, out));
            if let Some(m) = &self.meter {
                m.count(from, before, out, done.is_err());
            }
            return done;
        }
        scratch(|between, found| {
            let done = crate::time::in_zone(zone, || Stateless::event(&**stage, ev, between));
            if let Some(m) = &self.meter {
                m.count(from, 0, between, done.is_err());
            }
            done?;
            let wanted = &self.wanted[from + 1];
            for raw in lines(between.as_bytes()) {
                crate::json::locate_members(raw, wanted, found);
                let next = Event::new(raw, wanted, found, ev.source(), ev.line());
                self.pass(from + 1, &next, out)?;
            }
            Ok(())
        })
    }
}

impl Stateless for Front {
    fn event(&self, ev: &Event<'_>, out: &mut Output) -> Result<(), Reject> {
        self.pass(0, ev, out)
    }
}

impl Prepare for Front {
    fn prepare(&self, ev: &Event<'_>, into: &mut Vec<u8>) -> Result<(), Reject> {
        let mut out = Output::from_bytes(std::mem::take(into));
        let passed = self.pass(0, ev, &mut out);
        *into = out.into_bytes();
        passed
    }
}

impl Chain {
    /// Joins `stages` (each with the name messages give it) in order.
    pub fn new(stages: Vec<(String, crate::stage::Piece)>) -> Chain {
        Chain::zoned(stages.into_iter().map(|(n, p)| (n, p, None)).collect())
    }

    /// [`Chain::new`], each stage reading times without an offset in its own zone (`None`:
    /// the process's).
    pub fn zoned(stages: Vec<(String, crate::stage::Piece, Option<jiff::tz::TimeZone>)>) -> Chain {
        let mut front: Vec<Box<dyn Free>> = Vec::new();
        let mut rest: Vec<Box<dyn Stage>> = Vec::new();
        let mut names = Vec::new();
        let mut zones = Vec::new();
        for (name, piece, zone) in stages {
            names.push(name);
            zones.push(zone);
            match piece {
                crate::stage::Piece::Free(s) if rest.is_empty() => front.push(s),
                other => rest.push(other.into_stage()),
            }
        }
        let wanted: Vec<Vec<String>> = front
            .iter()
            .map(|s| s.fields().unwrap_or_default())
            .chain(rest.iter().map(|s| s.fields().unwrap_or_default()))
            .collect();
        let front_zones = zones[..front.len()].to_vec();
        Chain {
            front: Arc::new(Front {
                wanted: wanted[..front.len()].to_vec(),
                stages: front,
                zones: front_zones,
                meter: None,
            }),
            rest,
            names,
            zones,
            wanted,
            late: 0,
            late_reason: None,
        }
    }

    /// Counts events through each stage from now on.
    pub fn meter(&mut self, pipeline: &str) -> Arc<Meter> {
        let meter = Arc::new(Meter {
            pipeline: pipeline.to_string(),
            stages: self
                .names
                .iter()
                .map(|n| (n.clone(), Default::default()))
                .collect(),
        });
        Arc::get_mut(&mut self.front)
            .expect("meters are set before the chain runs")
            .meter = Some(Arc::clone(&meter));
        meter
    }

    /// How many of the stages keep state (from the first that does on).
    pub fn held(&self) -> usize {
        self.rest.len()
    }

    fn len(&self) -> usize {
        self.front.stages.len() + self.rest.len()
    }

    fn stage(&self, i: usize) -> &dyn Stage {
        let n = self.front.stages.len();
        if i < n {
            &*self.front.stages[i]
        } else {
            &*self.rest[i - n]
        }
    }

    /// Hands each line of `bytes` to stage `from`, what it emits to the next, and so on;
    /// what the last emits goes to `out`.
    fn down(
        &mut self,
        from: usize,
        bytes: &[u8],
        source: &str,
        line: u64,
        out: &mut Output,
    ) -> Result<(), Fault> {
        if from == self.len() {
            for raw in lines(bytes) {
                out.raw(raw);
            }
            return Ok(());
        }
        let wanted = std::mem::take(&mut self.wanted[from]);
        let mut found = Vec::new();
        let mut done = Ok(());
        for raw in lines(bytes) {
            crate::json::locate_members(raw, &wanted, &mut found);
            let ev = Event::new(raw, &wanted, &found, source, line);
            done = self.down_one(from, &ev, out);
            if done.is_err() {
                break;
            }
        }
        self.wanted[from] = wanted;
        done
    }

    /// Hands `ev` to stage `from`, and what it emits on down the chain.
    fn down_one(&mut self, from: usize, ev: &Event<'_>, out: &mut Output) -> Result<(), Fault> {
        let held = self.front.stages.len();
        if from < held {
            // A stage that keeps no state, after a stage's end: through the rest of the front.
            return scratch(|between, _| {
                self.front.pass(from, ev, between)?;
                self.down(held, between.as_bytes(), ev.source(), ev.line(), out)
            });
        }
        let last = from + 1 == self.len();
        let mut between = Output::new();
        let to = if last { &mut *out } else { &mut between };
        let before = to.len();
        let zone = self.zones[from].clone();
        let stage = &mut self.rest[from - held];
        let done = crate::time::in_zone(zone.as_ref(), || stage.event(ev, to));
        if let Some(m) = &self.front.meter {
            m.count(from, before, to, done.is_err());
        }
        done?;
        if !last {
            self.down(from + 1, between.as_bytes(), ev.source(), ev.line(), out)?;
        }
        Ok(())
    }

    /// Runs `what` on every stage in order, handing what each emits to the stages after it.
    fn each(
        &mut self,
        out: &mut Output,
        mut what: impl FnMut(&mut dyn Stage, &mut Output) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        // Stages that keep no state have nothing to do at a batch's end, when idle or at the
        // end (Free), and are shared with the engine while it runs: only the others are called.
        let held = self.front.stages.len();
        for i in held..self.len() {
            let mut emitted = Output::new();
            let zone = self.zones[i].clone();
            let stage = &mut self.rest[i - held];
            crate::time::in_zone(zone.as_ref(), || what(&mut **stage, &mut emitted))?;
            if emitted.is_empty() {
                continue;
            }
            match self.down(i + 1, emitted.as_bytes(), "-", 0, out) {
                Ok(()) => {}
                Err(Fault::Fatal(e)) => return Err(e),
                Err(Fault::Bad(r)) => {
                    self.late += 1;
                    if self.late_reason.is_none() {
                        self.late_reason =
                            Some(format!("{} (after {})", r.0, self.names[i].as_str()));
                    }
                }
            }
        }
        Ok(())
    }
}

impl Stage for Chain {
    fn fields(&self) -> Option<Vec<String>> {
        if self.len() == 0 {
            return Some(Vec::new());
        }
        self.stage(0).fields()
    }

    fn event(&mut self, ev: &Event<'_>, out: &mut Output) -> Result<(), Fault> {
        if self.rest.is_empty() {
            return Ok(self.front.pass(0, ev, out)?);
        }
        let first_held = self.front.stages.len();
        if first_held == 0 {
            return self.down_one(0, ev, out);
        }
        scratch(|between, _| {
            self.front.pass(0, ev, between)?;
            self.down(first_held, between.as_bytes(), ev.source(), ev.line(), out)
        })
    }

    fn stateless(&self) -> Option<&dyn Stateless> {
        (self.rest.is_empty()).then_some(&*self.front as &dyn Stateless)
    }

    fn stateless_ahead(&self) -> Option<Arc<dyn Stateless + Send>> {
        (self.rest.is_empty()).then(|| Arc::clone(&self.front) as Arc<dyn Stateless + Send>)
    }

    fn preparer(&self) -> Option<&dyn Prepare> {
        (!self.rest.is_empty() && !self.front.stages.is_empty())
            .then_some(&*self.front as &dyn Prepare)
    }

    fn preparer_ahead(&self) -> Option<Arc<dyn Prepare + Send>> {
        (!self.rest.is_empty() && !self.front.stages.is_empty())
            .then(|| Arc::clone(&self.front) as Arc<dyn Prepare + Send>)
    }

    fn prepared(
        &mut self,
        _raw: &[u8],
        line: u64,
        prepared: &[u8],
        out: &mut Output,
    ) -> Result<(), Fault> {
        let first_held = self.front.stages.len();
        self.down(first_held, prepared, "-", line, out)
    }

    fn end(&mut self, out: &mut Output) -> anyhow::Result<()> {
        // Every stage ends, even after one failed, so each commits what it was handed.
        let mut first_error = None;
        self.each(out, |stage, emitted| {
            if let Err(e) = stage.end(emitted)
                && first_error.is_none()
            {
                first_error = Some(e);
            }
            Ok(())
        })?;
        if let Some(e) = first_error {
            return Err(e);
        }
        if self.late > 0 {
            return Err(anyhow!(
                "{} events emitted outside the handling of an input line were rejected by a \
                 later stage: {}",
                self.late,
                self.late_reason.as_deref().unwrap_or_default()
            ));
        }
        Ok(())
    }

    fn batch_done(&mut self, out: &mut Output, idle: bool) -> anyhow::Result<()> {
        self.each(out, |stage, emitted| stage.batch_done(emitted, idle))
    }

    fn idle_after(&self) -> Option<Duration> {
        (0..self.len())
            .filter_map(|i| self.stage(i).idle_after())
            .min()
    }

    fn idle(&mut self, out: &mut Output) -> anyhow::Result<()> {
        self.each(out, |stage, emitted| stage.idle(emitted))
    }

    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        for i in 0..self.len() {
            for note in self.stage(i).notes() {
                notes.push(format!("{}: {note}", self.names[i]));
            }
        }
        notes
    }

    fn keep_positions(&mut self, cursor: &Cursor) -> Keeps {
        match self.rest.len() {
            0 => Keeps::AfterOutput,
            1 => self.rest[0].keep_positions(cursor),
            _ => Keeps::AtEnd,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An event made of a line a stage emitted, standing for input line `line` of `source`.
    fn emitted<'a>(raw: &'a [u8], source: &'a str, line: u64) -> Event<'a> {
        Event::new(raw, &[], &[], source, line)
    }

    use crate::expr::Program;
    use crate::stage::Piece;
    use crate::stage::filter::Filter;

    fn filter(src: &str) -> Piece {
        Piece::Free(Box::new(Filter::new(Program::compile(src).unwrap(), false)))
    }

    /// A stage that keeps state: numbers the events it is handed.
    struct Number(u64);

    impl Stage for Number {
        fn fields(&self) -> Option<Vec<String>> {
            None
        }
        fn event(&mut self, ev: &Event<'_>, out: &mut Output) -> Result<(), Fault> {
            self.0 += 1;
            let _ = ev;
            out.raw(format!("{{\"n\":{}}}", self.0).as_bytes());
            Ok(())
        }
        fn end(&mut self, out: &mut Output) -> anyhow::Result<()> {
            out.raw(format!("{{\"n\":{},\"end\":true}}", self.0).as_bytes());
            Ok(())
        }
    }

    fn run(chain: &mut Chain, input: &[&str]) -> String {
        let mut out = Output::new();
        for (i, raw) in input.iter().enumerate() {
            let ev = emitted(raw.as_bytes(), "in", i as u64 + 1);
            if let Err(Fault::Bad(r)) = chain.event(&ev, &mut out) {
                out.raw(format!("{{\"bad\":{:?}}}", r.0).as_bytes());
            }
        }
        chain.end(&mut out).unwrap();
        String::from_utf8(out.into_bytes()).unwrap()
    }

    #[test]
    fn events_go_through_every_stage_in_order() {
        let mut chain = Chain::new(vec![
            ("a".into(), filter(".x > 1")),
            ("b".into(), filter(".x < 4")),
            ("c".into(), Piece::Held(Box::new(Number(0)))),
            ("d".into(), filter(".n != 1")),
        ]);
        assert!(chain.stateless().is_none());
        assert!(chain.preparer().is_some());
        let got = run(
            &mut chain,
            &[r#"{"x":1}"#, r#"{"x":2}"#, r#"{"x":3}"#, r#"{"x":4}"#],
        );
        // Events 2 and 3 reach the counter; it numbers them 1 and 2; the last filter drops 1;
        // what the counter emits at its end still goes through the filter after it.
        assert_eq!(got, "{\"n\":2}\n{\"n\":2,\"end\":true}\n");
    }

    #[test]
    fn a_stage_that_keeps_state_alone_gets_every_event() {
        let mut chain = Chain::new(vec![("c".into(), Piece::Held(Box::new(Number(0))))]);
        assert!(chain.stateless().is_none() && chain.preparer().is_none());
        let got = run(&mut chain, &[r#"{"x":1}"#, r#"{"x":2}"#]);
        assert_eq!(got, "{\"n\":1}\n{\"n\":2}\n{\"n\":2,\"end\":true}\n");
    }

    #[test]
    fn stateless_stages_alone_are_stateless() {
        let mut chain = Chain::new(vec![("a".into(), filter(".x > 1"))]);
        assert!(chain.stateless().is_some());
        assert_eq!(
            run(&mut chain, &[r#"{"x":1}"#, r#"{"x":2}"#]),
            "{\"x\":2}\n"
        );
    }

    #[test]
    fn a_later_stage_rejecting_makes_the_input_line_bad() {
        struct Refuse;
        impl Stage for Refuse {
            fn fields(&self) -> Option<Vec<String>> {
                None
            }
            fn event(&mut self, ev: &Event<'_>, out: &mut Output) -> Result<(), Fault> {
                if ev.raw().starts_with(b"{\"x\":\"") {
                    return Err(Fault::Bad(Reject("x is text".into())));
                }
                out.event(ev);
                Ok(())
            }
        }
        let mut chain = Chain::new(vec![
            ("a".into(), filter("true")),
            ("b".into(), Piece::Held(Box::new(Refuse))),
        ]);
        let got = run(&mut chain, &[r#"{"x":"text"}"#, r#"{"x":1}"#]);
        assert!(got.starts_with("{\"bad\":"), "{got}");
        assert!(got.ends_with("{\"x\":1}\n"), "{got}");
    }
}
