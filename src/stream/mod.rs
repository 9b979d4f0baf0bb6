//! The NDJSON engine every subcommand runs on (DESIGN.md §2): it reads and frames the inputs,
//! validates each line, hands events to a stage, applies the bad-input policy and writes what
//! the stage emits, in input order.
//!
//! Reading happens on its own thread (see [`input`]); stateless stages are run on batches of
//! lines across the rayon pool, and results are written in order. Output is flushed whenever
//! the next batch is not ready yet, which is what keeps `tail -f | binge ...` live.

mod bad;
mod event;
pub mod format;
mod input;
mod output;
mod progress;
pub mod resume;

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread;

use crossbeam_channel::{RecvTimeoutError, TryRecvError, bounded};
use rayon::prelude::*;

pub use bad::{OnError, display_source};
pub use event::Event;
pub use format::{Format, event_writer};
pub use input::{Multiline, catch_stop_signals, sleep_unless_stopped, stopped};
pub use output::{Output, StdoutClosed, stdout};

use crate::exit::Exit;
use crate::json::{self, Span};
use crate::stage::{Fault, Reject, Stage};
use bad::BadLines;
use input::{Batch, Framing, Line, Msg, Segment};
use output::Sink;
use progress::Progress;
use resume::{Keeps, Plan, Resume};

/// The shortest time between two saves of input positions by the engine (stages that commit
/// them with their state save with it).
const SAVE_POSITIONS_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Lines below which a batch is not worth splitting across threads.
const MIN_PARALLEL_LINES: usize = 64;

/// How a run reads, reacts to bad input, and writes.
#[derive(Debug, Clone)]
pub struct Options {
    /// The subcommand, for messages.
    pub command: &'static str,
    pub text: bool,
    pub on_error: OnError,
    pub dead_letter: Option<PathBuf>,
    pub max_line_bytes: usize,
    pub progress: bool,
    /// Stop after this many emitted events.
    pub limit: Option<u64>,
    /// Keep how far each input file was read (`--resume`).
    pub resume: Option<Resume>,
    /// With `text`: join continuation lines into the event before (`--multiline`).
    pub multiline: Option<Multiline>,
}

/// Why the run stopped before the end of its input.
enum Stop {
    /// `--limit` events were written.
    Limit,
    /// A bad line under `--on-error fail`.
    BadLine,
    /// The reader of stdout went away.
    Closed,
    /// The stage or the output failed.
    Failed(anyhow::Error),
}

impl Stop {
    fn from_error(e: anyhow::Error) -> Stop {
        if e.downcast_ref::<StdoutClosed>().is_some() {
            Stop::Closed
        } else {
            Stop::Failed(e)
        }
    }
}

/// Runs `stage` over `inputs` (stdin when empty or `-`) and writes to `out`. Returns the exit
/// status; errors are failures to write or to open the dead-letter file, and fatal errors of
/// the stage.
///
/// However the run stops (end of input, a stop signal, `--limit`, a bad line under `--on-error
/// fail`, the reader of stdout leaving, a fatal error), the stage's `end` runs, so every event
/// it was handed is delivered, saved or committed: what went downstream also reached the
/// targets and the state file.
pub fn run(
    opts: &Options,
    inputs: &[String],
    stage: &mut dyn Stage,
    out: impl Write,
) -> anyhow::Result<Exit> {
    run_from(opts, Inputs::Named(inputs), stage, out)
}

/// Where a run's events come from.
pub enum Inputs<'a> {
    /// Files by name, `-` (or none) for standard input.
    Named(&'a [String]),
    /// Another pipeline of the same process, read to its end even after a stop signal: the
    /// writer stops on the signal too, and what it wrote before is handled, not dropped.
    Pipe(String, std::io::PipeReader),
}

/// [`run`] on any [`Inputs`].
pub fn run_from(
    opts: &Options,
    inputs: Inputs<'_>,
    stage: &mut dyn Stage,
    out: impl Write,
) -> anyhow::Result<Exit> {
    let mut bad = BadLines::open(opts.command, opts.on_error, opts.dead_letter.as_deref())?;
    let mut sink = Sink::new(out, opts.limit);
    if opts.limit == Some(0) {
        return Ok(Exit::Success);
    }
    let (names, pipe) = match inputs {
        Inputs::Named(inputs) => (input::source_names(inputs), None),
        Inputs::Pipe(name, reader) => (vec![name], Some(reader)),
    };
    let mut tracker = match &opts.resume {
        Some(r) if pipe.is_none() => Some(Tracker::open(opts.command, &names, r, stage)?),
        _ => None,
    };
    let segments: Vec<Segment> = match (&mut tracker, pipe) {
        (_, Some(reader)) => vec![Segment {
            name: names[0].clone(),
            from: input::From::Pipe(reader),
        }],
        (Some(t), None) => std::mem::take(&mut t.plan.segments),
        (None, None) => resume::whole(&names),
    };
    let names: Vec<String> = segments.iter().map(|s| s.name.clone()).collect();
    let progress = Progress::new(opts.progress, total_size(&segments));
    let (spare_tx, spare_rx) = bounded::<Vec<u8>>(4);
    let framing = Framing {
        drain: false,
        text: opts.text,
        max_line_bytes: opts.max_line_bytes,
        multiline: opts.multiline.clone(),
        spare: Some(spare_rx),
    };
    let wanted = stage.fields().unwrap_or_default();
    let (tx, rx) = bounded::<Msg>(4);
    input::catch_stop_signals();
    // Standard input that can be read without waiting is read here first: at its end already
    // (a cron job's empty input, `/dev/null`), no reading thread is started at all, which is
    // a tenth of a run on empty input.
    let read = match segments.as_slice() {
        [
            Segment {
                from: input::From::Stdin,
                ..
            },
        ] => input::stdin_ready(),
        _ => None,
    };
    let reader = match read {
        Some(read) if read.is_empty() => {
            drop(tx);
            None
        }
        read => Some(
            thread::Builder::new()
                .name("binge-reader".into())
                .spawn(move || {
                    input::read_all(segments, read.unwrap_or_default(), &framing, &tx)
                })?,
        ),
    };

    let mut status = Exit::Success;
    let mut stop: Option<Stop> = None;
    // With a stage that can prepare ahead, batch N+1 is prepared on the pool while the stage
    // handles batch N on this thread; a stateless stage's batch N+1 is run whole on the pool
    // while this thread writes batch N.
    let ahead = match (
        stage.stateless_ahead(),
        stage.folder(),
        stage.preparer_ahead(),
    ) {
        (Some(free), _, _) => Some(Ahead::Run(free, opts.on_error)),
        (None, Some(fold), _) => Some(Ahead::Fold(fold, opts.on_error)),
        (None, None, Some(prep)) => Some(Ahead::Prepare(prep)),
        (None, None, None) => None,
    };
    let mut inflight: Option<crossbeam_channel::Receiver<Ready>> = None;
    let mut after = Output::new();
    while stop.is_none() {
        let got = match rx.try_recv() {
            Ok(msg) => Got::Msg(msg),
            // What is being prepared is finished before anything waits.
            Err(TryRecvError::Empty | TryRecvError::Disconnected) if inflight.is_some() => {
                Got::Ready(ready(inflight.take()))
            }
            Err(TryRecvError::Empty) => {
                // Nothing more is ready: let what we have reach the next stage now.
                if let Err(e) = sink.flush() {
                    stop = Some(Stop::from_error(e));
                    break;
                }
                if let Some(t) = &mut tracker
                    && let Err(e) = t.flushed(false)
                {
                    stop = Some(Stop::Failed(e));
                    break;
                }
                let waited = match stage.idle_after() {
                    None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                    Some(d) => rx.recv_timeout(d),
                };
                match waited {
                    Ok(msg) => Got::Msg(msg),
                    Err(RecvTimeoutError::Disconnected) => break,
                    Err(RecvTimeoutError::Timeout) => {
                        // Quiet for as long as the stage asked: what it does on wall-clock
                        // time goes out at once.
                        let mut woke = Output::new();
                        let done = stage.idle(&mut woke);
                        let written = sink.write_events(woke.as_bytes()).and_then(|more| {
                            sink.flush()?;
                            Ok(more)
                        });
                        match (done, written) {
                            (Err(e), _) => stop = Some(Stop::Failed(e)),
                            (_, Err(e)) => stop = Some(Stop::from_error(e)),
                            (_, Ok(false)) => stop = Some(Stop::Limit),
                            _ => {}
                        }
                        continue;
                    }
                }
            }
            Err(TryRecvError::Disconnected) => break,
        };
        let (mut batch, prepared) = match got {
            Got::Msg(Msg::Failed { source, error }) => {
                progress.message(&format!(
                    "binge {}: {}: {error}",
                    opts.command,
                    display_source(&names[source])
                ));
                status = Exit::Failure;
                continue;
            }
            Got::Msg(Msg::Batch(batch)) => match &ahead {
                Some(how) => {
                    let source = names[batch.source].clone();
                    let next = work_ahead(batch, source, wanted.clone(), how.clone());
                    match inflight.replace(next) {
                        None => continue,
                        Some(prev) => {
                            let (b, p) = ready(Some(prev));
                            (b, Some(p))
                        }
                    }
                }
                None => (batch, None),
            },
            Got::Ready((b, p)) => (b, Some(p)),
        };
        progress.add(batch.bytes);
        let source = &names[batch.source];
        let results = match prepared {
            Some(Work::Done(chunks)) => chunks,
            Some(Work::Prepared(parts)) => {
                process(&batch, source, &wanted, stage, opts.on_error, Some(parts))
            }
            None => process(&batch, source, &wanted, stage, opts.on_error, None),
        };
        if let Some(t) = &tracker {
            t.handed(&batch, &results);
        }
        for mut chunk in results {
            // A folded slice is taken in before its output and bad lines are written: under
            // `--on-error fail` it holds exactly the events before the bad line.
            if let Some(partial) = chunk.partial.take()
                && let Err(f) = stage.merge(partial)
            {
                chunk.fatal.get_or_insert(match f {
                    Fault::Fatal(e) => e,
                    Fault::Bad(r) => anyhow::anyhow!("{r}"),
                });
            }
            let say = |m: &str| progress.message(m);
            match write_chunk(&chunk, &batch, source, &mut sink, &mut bad, &say) {
                Ok(Flow::Go) => {}
                Ok(Flow::Limit) => stop = Some(Stop::Limit),
                Ok(Flow::Fail) => stop = Some(Stop::BadLine),
                Err(e) => stop = Some(Stop::from_error(e)),
            }
            if stop.is_none()
                && let Some(e) = chunk.fatal
            {
                stop = Some(Stop::Failed(e));
            }
            if stop.is_some() {
                break;
            }
        }
        // Its buffer is read into again.
        let _ = spare_tx.try_send(std::mem::take(&mut batch.data));
        if stop.is_none() {
            // One buffer for the run: a fresh one per batch grew by doubling, each growth a
            // copy and new pages to fault in (entwine emits every event here).
            after.clear();
            let idle = rx.is_empty() && inflight.is_none();
            let done = stage.batch_done(&mut after, idle);
            match sink.write_events(after.as_bytes()) {
                Ok(true) => {}
                Ok(false) => stop = Some(Stop::Limit),
                Err(e) => stop = Some(Stop::from_error(e)),
            }
            if let Err(e) = done {
                stop = Some(Stop::Failed(e));
            }
        }
    }
    // A batch prepared ahead of a stop was never handed to the stage: it is dropped, as the
    // unread input is.
    drop(inflight);
    drop(ahead);
    progress.finish();
    let mut tail = Output::new();
    let ended = stage.end(&mut tail);
    if !matches!(stop, Some(Stop::Closed)) {
        // Whatever went wrong at the end, what was written so far reaches stdout first.
        let written = sink
            .write_events(tail.as_bytes())
            .and_then(|_| sink.flush());
        match written {
            Err(e) => {
                if let Stop::Failed(e) = Stop::from_error(e)
                    && stop.is_none()
                {
                    stop = Some(Stop::Failed(e));
                }
            }
            Ok(()) => {
                // Everything handed was written, and the stage ended well: the positions
                // the engine keeps can move to the end.
                if let Some(t) = &mut tracker
                    && ended.is_ok()
                    && !matches!(stop, Some(Stop::Failed(_)))
                    && let Err(e) = t.flushed(true)
                    && stop.is_none()
                {
                    stop = Some(Stop::Failed(e));
                }
            }
        }
    }
    if stop.is_none() {
        // The reader has sent everything. After an early stop it may still be blocked in a
        // read, so it is only joined here; dropping the channel ends it at its next send.
        if let Some(reader) = reader {
            let _ = reader.join();
        }
    }
    bad.finish()?;
    for note in stage.notes() {
        eprintln!("binge {}: {note}", opts.command);
    }
    match stop {
        Some(Stop::Failed(e)) => {
            // The end often fails the same way (the disk is still full): say it once.
            if let Err(also) = ended
                && format!("{also:#}") != format!("{e:#}")
            {
                eprintln!("binge {}: {also:#}", opts.command);
            }
            return Err(e);
        }
        Some(Stop::BadLine) => {
            // The bad line is why the run stopped; a failure to finish is said too.
            if let Err(also) = ended {
                eprintln!("binge {}: {also:#}", opts.command);
            }
            return Ok(Exit::BadInput);
        }
        _ => {}
    }
    if input::stopped() {
        // The signal is why the run ended; what could not be finished is said too.
        if let Err(also) = ended {
            eprintln!("binge {}: {also:#}", opts.command);
        }
        return Ok(Exit::Interrupted);
    }
    ended?;
    Ok(status)
}

/// What the engine takes next: a message from the reader, or a batch prepared ahead.
enum Got {
    Msg(Msg),
    Ready(Ready),
}

/// What the pool does with a batch ahead of this thread.
#[derive(Clone)]
enum Ahead {
    /// Runs a stateless stage on it: what is left is writing the result.
    Run(Arc<dyn crate::stage::Stateless + Send>, OnError),
    /// Folds its slices into partials for a stage that merges them.
    Fold(Arc<dyn crate::stage::Fold>, OnError),
    /// Prepares it for a stage that keeps state.
    Prepare(Arc<dyn crate::stage::Prepare + Send>),
}

/// What was done ahead with a batch.
enum Work {
    Done(Vec<Chunk>),
    Prepared(Vec<Prepared>),
}

/// A batch and what was done of it ahead.
type Ready = (Batch, Work);

/// Works on `batch` on the pool; the result comes on the channel returned.
fn work_ahead(
    batch: Batch,
    source: String,
    wanted: Vec<String>,
    how: Ahead,
) -> crossbeam_channel::Receiver<Ready> {
    let (tx, rx) = bounded(1);
    rayon::spawn(move || {
        let work = match &how {
            Ahead::Run(free, on_error) => {
                Work::Done(run_stateless(&batch, &source, &wanted, &**free, *on_error))
            }
            Ahead::Fold(fold, on_error) => Work::Done(
                split(&batch.lines)
                    .into_par_iter()
                    .map(|(first, part)| {
                        let mut partial = fold.start();
                        let mut chunk = run_lines(
                            &batch,
                            first,
                            part,
                            &source,
                            &wanted,
                            *on_error,
                            &mut |ev, _| Ok(fold.fold(ev, &mut partial)?),
                        );
                        chunk.partial = Some(partial);
                        chunk
                    })
                    .collect(),
            ),
            Ahead::Prepare(prep) => Work::Prepared(
                split(&batch.lines)
                    .into_par_iter()
                    .map(|(_, part)| prepare_lines(&batch, part, &source, &wanted, &**prep))
                    .collect(),
            ),
        };
        let _ = tx.send((batch, work));
    });
    rx
}

/// Runs a stateless stage over a batch, its slices on every core.
fn run_stateless(
    batch: &Batch,
    source: &str,
    wanted: &[String],
    stateless: &dyn crate::stage::Stateless,
    on_error: OnError,
) -> Vec<Chunk> {
    let lines = &batch.lines;
    let run = |(first, part): (usize, &[Line])| {
        run_lines(
            batch,
            first,
            part,
            source,
            wanted,
            on_error,
            &mut |ev, out| Ok(stateless.event(ev, out)?),
        )
    };
    if lines.len() < MIN_PARALLEL_LINES {
        return vec![run((0, lines))];
    }
    split(lines).into_par_iter().map(run).collect()
}

/// The batch being prepared ahead, once it is.
fn ready(inflight: Option<crossbeam_channel::Receiver<Ready>>) -> Ready {
    inflight
        .expect("a batch is being prepared")
        .recv()
        .expect("preparing a batch does not fail: it runs no code that can panic on purpose")
}

/// What one slice of a batch produced: the emitted lines, and the bad lines met, each with the
/// output offset it must be reported at to keep the order.
struct Chunk {
    out: Output,
    bad: Vec<(usize, BadLine)>,
    /// The stage failed for good after the output so far: nothing after it was handled.
    fatal: Option<anyhow::Error>,
    /// How many lines of the slice, from its first, were handled (handed to the stage, or
    /// reported as bad and passed over).
    handed: usize,
    /// The slice stopped before its end (a fatal error, or a bad line under `--on-error fail`).
    stopped: bool,
    /// What a folding stage made of the slice's events, for it to merge.
    partial: Option<crate::stage::Partial>,
}

impl Chunk {
    fn new() -> Chunk {
        Chunk {
            out: Output::new(),
            bad: Vec::new(),
            fatal: None,
            handed: 0,
            stopped: false,
            partial: None,
        }
    }

    /// Takes what a stateful stage said of a line; true when the stage may be handed the next
    /// one. Under `--on-error fail` a stateful stage is never handed a line after a bad one,
    /// so exactly the events before it are saved or committed.
    fn note(&mut self, line: usize, fault: Option<Fault>, on_error: OnError) -> bool {
        let go = match fault {
            None => true,
            Some(Fault::Bad(r)) => {
                self.bad
                    .push((self.out.len(), BadLine { line, reason: r.0 }));
                on_error != OnError::Fail
            }
            Some(Fault::Fatal(e)) => {
                self.fatal = Some(e);
                false
            }
        };
        if go {
            self.handed += 1;
        } else {
            self.stopped = true;
        }
        go
    }
}

struct BadLine {
    line: usize,
    reason: String,
}

enum Flow {
    Go,
    Limit,
    Fail,
}

/// The lines of a batch split for the rayon pool: (index of the first line, the lines).
fn split(lines: &[Line]) -> Vec<(usize, &[Line])> {
    let threads = rayon::current_num_threads().max(1);
    let per = lines
        .len()
        .div_ceil(threads * 4)
        .max(MIN_PARALLEL_LINES / 2);
    lines
        .chunks(per)
        .enumerate()
        .map(|(i, c)| (i * per, c))
        .collect()
}

/// Makes the line an event and hands it to `f`; a line too long or not a JSON object is an
/// error with its reason, as is whatever `f` rejects.
fn with_event<T>(
    batch: &Batch,
    line: &Line,
    source: &str,
    wanted: &[String],
    found: &mut Vec<Option<Span>>,
    check: bool,
    f: impl FnOnce(&Event<'_>) -> Result<T, String>,
) -> Result<T, String> {
    let raw = &batch.data[line.start as usize..line.end as usize];
    if line.too_long {
        return Err(format!(
            "line longer than --max-line-bytes ({} bytes)",
            raw.len()
        ));
    }
    if !check {
        // The stage's preparer checks the line itself ([`Prepare::checks_lines`]).
        return f(&Event::new(raw, &[], &[], source, line.no));
    }
    json::scan_object(raw, wanted, found).map_err(|e| e.to_string())?;
    f(&Event::new(raw, wanted, found, source, line.no))
}

/// What `Prepare::prepare` made of a slice of lines: the bytes, and per line their range or
/// why the line is bad.
struct Prepared {
    bytes: Vec<u8>,
    lines: Vec<Result<(usize, usize), String>>,
}

/// The bytes the lines span in their batch.
fn span_bytes(lines: &[Line]) -> usize {
    match (lines.first(), lines.last()) {
        (Some(a), Some(b)) => (b.end.saturating_sub(a.start)) as usize,
        _ => 0,
    }
}

fn prepare_lines(
    batch: &Batch,
    lines: &[Line],
    source: &str,
    wanted: &[String],
    prep: &dyn crate::stage::Prepare,
) -> Prepared {
    let mut p = Prepared {
        bytes: Vec::with_capacity(span_bytes(lines) + lines.len()),
        lines: Vec::with_capacity(lines.len()),
    };
    let mut found: Vec<Option<Span>> = Vec::with_capacity(wanted.len());
    let checks = wanted.is_empty() && prep.checks_lines();
    for line in lines {
        let bytes = &mut p.bytes;
        let f = |ev: &Event<'_>| {
            let start = bytes.len();
            prep.prepare(ev, bytes)
                .map(|()| (start, bytes.len()))
                .map_err(|r| r.0)
        };
        let r = with_event(batch, line, source, wanted, &mut found, !checks, f);
        p.lines.push(r);
    }
    p
}

fn process(
    batch: &Batch,
    source: &str,
    wanted: &[String],
    stage: &mut dyn Stage,
    on_error: OnError,
    ahead: Option<Vec<Prepared>>,
) -> Vec<Chunk> {
    let lines = &batch.lines;
    let prepared: Option<Vec<Prepared>> = ahead.or_else(|| {
        stage.preparer().map(|prep| {
            split(lines)
                .into_par_iter()
                .map(|(_, part)| prepare_lines(batch, part, source, wanted, prep))
                .collect()
        })
    });
    if let Some(parts) = prepared {
        // In input order, one by one: the stateful half.
        let mut chunk = Chunk::new();
        let mut k = 0;
        'parts: for part in &parts {
            for r in &part.lines {
                let line = &lines[k];
                let raw = &batch.data[line.start as usize..line.end as usize];
                let fault = match r {
                    Err(reason) => Some(Fault::Bad(Reject(reason.clone()))),
                    Ok((s, e)) => stage
                        .prepared(raw, line.no, &part.bytes[*s..*e], &mut chunk.out)
                        .err(),
                };
                if !chunk.note(k, fault, on_error) {
                    break 'parts;
                }
                k += 1;
            }
        }
        return vec![chunk];
    }

    if let Some(stateless) = stage.stateless() {
        return run_stateless(batch, source, wanted, stateless, on_error);
    }
    vec![run_lines(
        batch,
        0,
        lines,
        source,
        wanted,
        on_error,
        &mut |ev, out| stage.event(ev, out),
    )]
}

fn run_lines(
    batch: &Batch,
    first: usize,
    lines: &[Line],
    source: &str,
    wanted: &[String],
    on_error: OnError,
    apply: &mut dyn FnMut(&Event<'_>, &mut Output) -> Result<(), Fault>,
) -> Chunk {
    let mut chunk = Chunk::new();
    // Most stages write about what they read: room for it up front saves growing the buffer
    // (and copying it) several times per batch.
    chunk.out = Output::from_bytes(Vec::with_capacity(span_bytes(lines) * 9 / 8 + lines.len()));
    let mut found: Vec<Option<Span>> = Vec::with_capacity(wanted.len());
    for (k, line) in lines.iter().enumerate() {
        let out = &mut chunk.out;
        let mut fatal = None;
        let fault = with_event(batch, line, source, wanted, &mut found, true, |ev| {
            apply(ev, out).map_err(|f| match f {
                Fault::Bad(r) => r.0,
                Fault::Fatal(e) => {
                    fatal = Some(e);
                    String::new()
                }
            })
        });
        let fault = match (fault, fatal) {
            (_, Some(e)) => Some(Fault::Fatal(e)),
            (Err(reason), None) => Some(Fault::Bad(Reject(reason))),
            (Ok(()), None) => None,
        };
        if !chunk.note(first + k, fault, on_error) {
            break;
        }
    }
    chunk
}

fn write_chunk<W: Write>(
    chunk: &Chunk,
    batch: &Batch,
    source: &str,
    sink: &mut Sink<W>,
    bad: &mut BadLines,
    say: &dyn Fn(&str),
) -> anyhow::Result<Flow> {
    let bytes = chunk.out.as_bytes();
    let mut at = 0;
    for (offset, b) in &chunk.bad {
        if !sink.write_events(&bytes[at..*offset])? {
            return Ok(Flow::Limit);
        }
        at = *offset;
        let line = &batch.lines[b.line];
        let raw = &batch.data[line.start as usize..line.end as usize];
        if !bad.report(source, line.no, &b.reason, raw, say)? {
            return Ok(Flow::Fail);
        }
    }
    if !sink.write_events(&bytes[at..])? {
        return Ok(Flow::Limit);
    }
    Ok(Flow::Go)
}

/// The total size of the inputs when all are regular files, for the progress bar.
fn total_size(segments: &[Segment]) -> Option<u64> {
    segments
        .iter()
        .map(|s| match &s.from {
            input::From::Stdin | input::From::Pipe(_) => None,
            input::From::Path(n) => std::fs::metadata(n)
                .ok()
                .filter(|m| m.is_file())
                .map(|m| m.len()),
            input::From::File { file, start, .. } => file
                .metadata()
                .ok()
                .filter(|m| m.is_file())
                .map(|m| m.len().saturating_sub(*start)),
        })
        .sum()
}

/// `--resume` in a run: moves the positions as lines are handed, and saves them itself
/// unless the stage commits them with its state.
struct Tracker {
    plan: Plan,
    keeps: Keeps,
    store: crate::store::Store,
    last_save: std::time::Instant,
}

impl Tracker {
    fn open(
        command: &str,
        names: &[String],
        r: &Resume,
        stage: &mut dyn Stage,
    ) -> anyhow::Result<Tracker> {
        let store = crate::store::Store::open(&r.state, r.durability)?;
        let plan = resume::plan(command, names, r, &store)?;
        for note in &plan.notes {
            eprintln!("{note}");
        }
        let keeps = stage.keep_positions(&plan.cursor);
        Ok(Tracker {
            plan,
            keeps,
            store,
            last_save: std::time::Instant::now(),
        })
    }

    /// Moves the cursor past the lines of `batch` that were handled, up to the first slice
    /// that stopped early.
    fn handed(&self, batch: &Batch, chunks: &[Chunk]) {
        let mut n = 0;
        for c in chunks {
            n += c.handed;
            if c.stopped {
                break;
            }
        }
        if let Some(last) = n.checked_sub(1).and_then(|i| batch.lines.get(i)) {
            self.plan.handed(batch.source, last.after, last.no);
        }
    }

    /// Called after the output was flushed; `end` when the run is over.
    fn flushed(&mut self, end: bool) -> anyhow::Result<()> {
        let due = match self.keeps {
            Keeps::WithState => false,
            Keeps::AfterOutput => end || self.last_save.elapsed() >= SAVE_POSITIONS_EVERY,
            Keeps::AtEnd => end,
        };
        if due {
            let cursor = &self.plan.cursor;
            self.store.write(|tx| cursor.save(tx))?;
            self.last_save = std::time::Instant::now();
        }
        Ok(())
    }
}
