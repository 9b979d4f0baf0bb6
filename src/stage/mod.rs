//! Stream stages behind one trait (DESIGN.md §4). A stage sees one event at a time and emits
//! zero or more; it knows nothing of files, threads or the command line, so the same stages can
//! later be chained inside one process.

pub mod aggregate;
pub mod annotate;
pub mod collect;
pub mod entwine;
pub mod filter;
pub mod patterns;
pub mod stats;
pub mod tee;

use std::fmt;

use crate::stream::resume::{Cursor, Keeps};
use crate::stream::{Event, Output};

/// Why a stage could not handle an event: the engine treats that event as a bad line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject(pub String);

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a stateful stage stopped short on an event.
#[derive(Debug)]
pub enum Fault {
    /// The event is bad: the engine applies the bad-line policy to it and goes on.
    Bad(Reject),
    /// The stage cannot go on (its state file cannot be read or written): the engine stops
    /// reading, lets the stage end, and binge exits with status 1. Never a bad line, or a full
    /// disk would turn every later event into one and retry the same write for each.
    Fatal(anyhow::Error),
}

impl From<Reject> for Fault {
    fn from(r: Reject) -> Fault {
        Fault::Bad(r)
    }
}

pub trait Stage: Send {
    /// The top-level members the stage reads, so the engine can note where they are while it
    /// validates each line; `None` when the stage needs the whole event.
    fn fields(&self) -> Option<Vec<String>>;

    /// Handles one event, writing what it emits to `out`.
    fn event(&mut self, ev: &Event<'_>, out: &mut Output) -> Result<(), Fault>;

    /// Called once when the run stops, whatever stopped it (the end of input, a stop signal,
    /// a bad line under `--on-error fail`, the reader of stdout leaving, a fatal error): the
    /// stage emits what it accumulated and delivers, saves or commits every event it was
    /// handed. Events after a bad line that stops the run are never handed to it.
    fn end(&mut self, _out: &mut Output) -> anyhow::Result<()> {
        Ok(())
    }

    /// Called after each input batch has been handled and its output written; `idle` is true
    /// when no more input is ready yet. Stages that keep state in the state file save here.
    fn batch_done(&mut self, _out: &mut Output, _idle: bool) -> anyhow::Result<()> {
        Ok(())
    }

    /// How long without input the stage wants to wait before [`Stage::idle`] is called (for
    /// what must happen on wall-clock time, such as closing windows behind `tail -F`); `None`
    /// to wait for input however long it takes.
    fn idle_after(&self) -> Option<std::time::Duration> {
        None
    }

    /// Called when no input has come for [`Stage::idle_after`].
    fn idle(&mut self, _out: &mut Output) -> anyhow::Result<()> {
        Ok(())
    }

    /// What the stage has to say at the end of the run (printed on stderr), such as counts of
    /// events it could not fully handle.
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }

    /// `Some` when the stage keeps state but has per-event work that needs none: the engine
    /// then runs [`Prepare::prepare`] on many events at once and hands the results, in input
    /// order, to [`Stage::prepared`] instead of calling [`Stage::event`].
    fn preparer(&self) -> Option<&dyn Prepare> {
        None
    }

    /// Like [`Stage::preparer`], shared, so the engine can prepare the next batch while the
    /// stage handles this one. A stage that gives one also gives it as `preparer`.
    fn preparer_ahead(&self) -> Option<std::sync::Arc<dyn Prepare + Send>> {
        None
    }

    /// `Some` when the stage's state is a fold whose partial results merge: the engine then
    /// folds slices of each batch into partials on every core ([`Fold`]) and hands them, in
    /// input order, to [`Stage::merge`] instead of calling [`Stage::event`].
    fn folder(&self) -> Option<std::sync::Arc<dyn Fold>> {
        None
    }

    /// Takes in a partial made by the stage's [`Stage::folder`], as if its events had come
    /// one by one.
    fn merge(&mut self, _partial: Partial) -> Result<(), Fault> {
        Err(Fault::Fatal(anyhow::anyhow!("this stage folds nothing")))
    }

    /// Handles one event with what [`Prepare::prepare`] made of it.
    fn prepared(
        &mut self,
        _raw: &[u8],
        _line: u64,
        _prepared: &[u8],
        _out: &mut Output,
    ) -> Result<(), Fault> {
        Err(Fault::Bad(Reject("this stage prepares nothing".into())))
    }

    /// `Some` when the stage keeps no state between events: the engine may then run it on many
    /// events at once and still write the results in input order.
    fn stateless(&self) -> Option<&dyn Stateless> {
        None
    }

    /// Like [`Stage::stateless`], shared, so the engine can run the next batch on the pool
    /// while it writes this one. A stage that gives one also gives it as `stateless`.
    fn stateless_ahead(&self) -> Option<std::sync::Arc<dyn Stateless + Send>> {
        None
    }

    /// Under `--resume`: how the positions of the input lines handed to the stage are kept.
    /// A stage that commits them with its own state keeps `cursor` and saves it in the same
    /// transaction as the state those lines produced (and commits only in `batch_done` and
    /// `end`, when the cursor is exact). By default the engine saves them once the stage has
    /// ended well, which is right for a stage that holds events until its end.
    fn keep_positions(&mut self, _cursor: &Cursor) -> Keeps {
        if self.stateless().is_some() {
            Keeps::AfterOutput
        } else {
            Keeps::AtEnd
        }
    }
}

/// The part of a stateful stage's work that needs no state, callable from several threads.
pub trait Prepare: Sync {
    /// Writes what the stage needs of the event to `into`, or rejects the event.
    fn prepare(&self, ev: &Event<'_>, into: &mut Vec<u8>) -> Result<(), Reject>;

    /// Whether `prepare` checks each line as the engine does before a stage sees it (exactly
    /// one JSON object, refused with the same reason), so that, when the stage reads no member
    /// ([`Stage::fields`] gives none), the engine leaves that to it: one pass over the line
    /// instead of two.
    fn checks_lines(&self) -> bool {
        false
    }
}

/// What a [`Fold`] made of a slice of events, for its stage's [`Stage::merge`].
pub type Partial = Box<dyn std::any::Any + Send>;

/// The half of a stage's work that folds events into a partial state, callable from several
/// threads at once; partials are merged in input order by the stage.
pub trait Fold: Sync + Send {
    fn start(&self) -> Partial;
    fn fold(&self, ev: &Event<'_>, into: &mut Partial) -> Result<(), Reject>;
}

/// A stage that handles each event on its own, callable from several threads at once.
pub trait Stateless: Sync {
    fn event(&self, ev: &Event<'_>, out: &mut Output) -> Result<(), Reject>;
}

/// A stateless stage held so the engine's pool can share it ([`Stage::stateless_ahead`]).
pub struct Shared<T>(std::sync::Arc<T>);

impl<T: Stage + Stateless + Send + 'static> Shared<T> {
    pub fn new(stage: T) -> Shared<T> {
        Shared(std::sync::Arc::new(stage))
    }
}

impl<T: Stage + Stateless + Send + 'static> Stateless for Shared<T> {
    fn event(&self, ev: &Event<'_>, out: &mut Output) -> Result<(), Reject> {
        Stateless::event(&*self.0, ev, out)
    }
}

impl<T: Stage + Stateless + Send + 'static> Stage for Shared<T> {
    fn fields(&self) -> Option<Vec<String>> {
        self.0.fields()
    }

    fn event(&mut self, ev: &Event<'_>, out: &mut Output) -> Result<(), Fault> {
        Ok(Stateless::event(&*self.0, ev, out)?)
    }

    fn stateless(&self) -> Option<&dyn Stateless> {
        Some(&*self.0)
    }

    fn stateless_ahead(&self) -> Option<std::sync::Arc<dyn Stateless + Send>> {
        Some(self.0.clone())
    }

    fn notes(&self) -> Vec<String> {
        self.0.notes()
    }
}

/// A stage that keeps no state, usable both one event at a time and from many threads. It has
/// nothing to do at a batch's end, when idle or at the end: in a chain of stages it is not
/// called for them.
pub trait Free: Stage + Stateless {}

impl<T: Stage + Stateless> Free for T {}

/// A stage made from its options, as a pipeline needs it: whether it keeps state decides
/// whether the stages before it can run on all cores.
pub enum Piece {
    Free(Box<dyn Free>),
    Held(Box<dyn Stage>),
}

impl Piece {
    pub fn into_stage(self) -> Box<dyn Stage> {
        match self {
            Piece::Free(s) => s,
            Piece::Held(s) => s,
        }
    }
}

/// What a subcommand's options build: the stage, and the scope its input positions are kept
/// under by `--resume` when the stage has a name of its own (`aggregate:NAME`, `log:TOPIC`).
pub struct Built {
    pub piece: Piece,
    pub own: Option<String>,
}
