//! `filter`: passes on, byte for byte, the events for which an expression is true.

use super::{Fault, Reject, Stage, Stateless};
use crate::expr::Program;
use crate::stream::{Event, Output};

pub struct Filter {
    program: Program,
    invert: bool,
}

impl Filter {
    pub fn new(program: Program, invert: bool) -> Filter {
        Filter { program, invert }
    }
}

impl Stateless for Filter {
    fn event(&self, ev: &Event<'_>, out: &mut Output) -> Result<(), Reject> {
        if self.program.matches(ev)? != self.invert {
            out.raw(ev.raw());
        }
        Ok(())
    }
}

impl Stage for Filter {
    fn fields(&self) -> Option<Vec<String>> {
        self.program.roots()
    }

    fn event(&mut self, ev: &Event<'_>, out: &mut Output) -> Result<(), Fault> {
        Ok(Stateless::event(self, ev, out)?)
    }

    fn stateless(&self) -> Option<&dyn Stateless> {
        Some(self)
    }
}
