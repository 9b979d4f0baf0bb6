//! Stages joined in one process: what one stage emits is handed to the next as events, with no
//! pipe, no framing and no validation in between (what a stage emits is one compact JSON
//! object per line by construction).
//!
//! The leading stages that keep no state run on all cores, like a lone stateless stage; from
//! the first stage that keeps state on, events go one at a time, in input order. Events keep
//! the source and line number of the input line they came from, so a bad event at any stage
//! is reported (and dead-lettered) as that input line.

use std::time::Duration;

use anyhow::anyhow;

use crate::stage::{Fault, Free, Prepare, Reject, Stage, Stateless};
use crate::stream::resume::{Cursor, Keeps};
use crate::stream::{Event, Output};

/// Counts of events through one stage, for `/metrics`.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub events_in: u64,
    pub events_out: u64,
}

pub struct Chain {
    front: Front,
    rest: Vec<Box<dyn Stage>>,
    names: Vec<String>,
    /// Events emitted outside the handling of an input line (at a batch's end, when idle, at
    /// the end) that a later stage rejected: no input line to report them as.
    late: u64,
    late_reason: Option<String>,
}

/// The leading stages that keep no state.
struct Front {
    stages: Vec<Box<dyn Free>>,
}

fn lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty())
}

/// An event made of a line a stage emitted, standing for input line `line` of `source`.
fn emitted<'a>(raw: &'a [u8], source: &'a str, line: u64) -> Event<'a> {
    Event::new(raw, &[], &[], source, line)
}

impl Front {
    fn pass(stages: &[Box<dyn Free>], ev: &Event<'_>, out: &mut Output) -> Result<(), Reject> {
        match stages {
            [] => {
                out.event(ev);
                Ok(())
            }
            [last] => Stateless::event(&**last, ev, out),
            [first, after @ ..] => {
                let mut between = Output::new();
                Stateless::event(&**first, ev, &mut between)?;
                for raw in lines(between.as_bytes()) {
                    Front::pass(after, &emitted(raw, ev.source(), ev.line()), out)?;
                }
                Ok(())
            }
        }
    }
}

impl Stateless for Front {
    fn event(&self, ev: &Event<'_>, out: &mut Output) -> Result<(), Reject> {
        Front::pass(&self.stages, ev, out)
    }
}

impl Prepare for Front {
    fn prepare(&self, ev: &Event<'_>, into: &mut Vec<u8>) -> Result<(), Reject> {
        let mut out = Output::from_bytes(std::mem::take(into));
        let passed = Front::pass(&self.stages, ev, &mut out);
        *into = out.into_bytes();
        passed
    }
}

impl Chain {
    /// Joins `stages` (each with the name messages give it) in order.
    pub fn new(stages: Vec<(String, crate::stage::Piece)>) -> Chain {
        let mut front = Vec::new();
        let mut rest: Vec<Box<dyn Stage>> = Vec::new();
        let mut names = Vec::new();
        for (name, piece) in stages {
            names.push(name);
            match piece {
                crate::stage::Piece::Free(s) if rest.is_empty() => front.push(s),
                other => rest.push(other.into_stage()),
            }
        }
        Chain {
            front: Front { stages: front },
            rest,
            names,
            late: 0,
            late_reason: None,
        }
    }

    /// How many of the stages keep state (from the first that does on).
    pub fn held(&self) -> usize {
        self.rest.len()
    }

    fn len(&self) -> usize {
        self.front.stages.len() + self.rest.len()
    }

    fn stage_mut(&mut self, i: usize) -> &mut dyn Stage {
        let n = self.front.stages.len();
        if i < n {
            &mut *self.front.stages[i]
        } else {
            &mut *self.rest[i - n]
        }
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
        for raw in lines(bytes) {
            let ev = emitted(raw, source, line);
            if from + 1 == self.len() {
                self.stage_mut(from).event(&ev, out)?;
            } else {
                let mut between = Output::new();
                self.stage_mut(from).event(&ev, &mut between)?;
                self.down(from + 1, between.as_bytes(), source, line, out)?;
            }
        }
        Ok(())
    }

    /// Runs `what` on every stage in order, handing what each emits to the stages after it.
    fn each(
        &mut self,
        out: &mut Output,
        mut what: impl FnMut(&mut dyn Stage, &mut Output) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        for i in 0..self.len() {
            let mut emitted = Output::new();
            what(self.stage_mut(i), &mut emitted)?;
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
        if self.front.stages.is_empty() {
            if self.rest.is_empty() {
                out.event(ev);
                return Ok(());
            }
            if self.rest.len() == 1 {
                return self.rest[0].event(ev, out);
            }
            let mut between = Output::new();
            self.rest[0].event(ev, &mut between)?;
            return self.down(1, between.as_bytes(), ev.source(), ev.line(), out);
        }
        if self.rest.is_empty() {
            return Ok(Front::pass(&self.front.stages, ev, out)?);
        }
        let mut between = Output::new();
        Front::pass(&self.front.stages, ev, &mut between)?;
        let first_held = self.front.stages.len();
        self.down(first_held, between.as_bytes(), ev.source(), ev.line(), out)
    }

    fn stateless(&self) -> Option<&dyn Stateless> {
        (self.rest.is_empty()).then_some(&self.front as &dyn Stateless)
    }

    fn preparer(&self) -> Option<&dyn Prepare> {
        (!self.rest.is_empty() && !self.front.stages.is_empty())
            .then_some(&self.front as &dyn Prepare)
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
            ("d".into(), filter(".n != 2")),
        ]);
        assert!(chain.stateless().is_none());
        assert!(chain.preparer().is_some());
        let got = run(
            &mut chain,
            &[r#"{"x":1}"#, r#"{"x":2}"#, r#"{"x":3}"#, r#"{"x":4}"#],
        );
        // Events 2 and 3 reach the counter; it numbers them 1 and 2; the last filter drops 2;
        // what the counter emits at its end still goes through the filter after it.
        assert_eq!(got, "{\"n\":1}\n{\"n\":2,\"end\":true}\n");
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
        let mut chain = Chain::new(vec![
            ("a".into(), filter("true")),
            ("b".into(), filter(".x + 1 > 0")),
        ]);
        let got = run(&mut chain, &[r#"{"x":"text"}"#, r#"{"x":1}"#]);
        assert!(got.starts_with("{\"bad\":"), "{got}");
        assert!(got.ends_with("{\"x\":1}\n"), "{got}");
    }
}
