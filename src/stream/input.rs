//! Reading and framing: sources are read in large blocks on their own thread, cut into lines
//! with memchr, and handed on in batches through a bounded channel, so memory stays bounded
//! and reading overlaps processing. A batch is sent as soon as a read comes back short (the
//! source has nothing more ready), which is what lets `tail -f | binge` pass each event on at
//! once while a file is still read in 1 MiB steps.

use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsFd, AsRawFd};

use std::sync::atomic::{AtomicBool, Ordering};

use crossbeam_channel::Sender;
use memchr::memchr;

/// Set by SIGINT or SIGTERM: reading stops as if every input had ended, so every stage gets to
/// finish (flush, save, commit) before binge exits.
static STOP: AtomicBool = AtomicBool::new(false);

/// Whether a stop signal ended the input.
pub fn stopped() -> bool {
    STOP.load(Ordering::SeqCst)
}

extern "C" fn on_stop_signal(sig: libc::c_int) {
    if STOP.swap(true, Ordering::SeqCst) {
        // A second signal: the user wants out now.
        // SAFETY: _exit is async-signal-safe.
        unsafe { libc::_exit(128 + sig) };
    }
}

/// Makes SIGINT and SIGTERM stop the reading instead of killing binge: the handler only sets
/// the flag, and the reader, which waits for input with `poll` in short steps, sees it.
pub fn catch_stop_signals() {
    // SAFETY: the handler only touches an atomic and calls _exit, both async-signal-safe.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_stop_signal as extern "C" fn(libc::c_int) as usize;
        libc::sigemptyset(&mut action.sa_mask);
        action.sa_flags = libc::SA_RESTART;
        libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
        libc::sigaction(libc::SIGTERM, &action, std::ptr::null_mut());
    }
}

/// Sleeps for `d` in short steps; false when a stop signal came first, so waits for a retry
/// never hold up a stopping binge.
pub fn sleep_unless_stopped(d: std::time::Duration) -> bool {
    let until = std::time::Instant::now() + d;
    loop {
        if stopped() {
            return false;
        }
        let left = until.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return true;
        }
        std::thread::sleep(left.min(std::time::Duration::from_millis(50)));
    }
}

/// What waiting for input ended with.
#[derive(PartialEq)]
enum Waited {
    Ready,
    Stopped,
    Quiet,
}

/// Waits until `fd` has input (or its end), looking at the stop flag every 100 ms; `Quiet`
/// when `quiet` passed first.
fn wait_readable(fd: std::os::fd::RawFd, quiet: Option<std::time::Duration>) -> Waited {
    let since = std::time::Instant::now();
    loop {
        if stopped() {
            return Waited::Stopped;
        }
        if quiet.is_some_and(|q| since.elapsed() >= q) {
            return Waited::Quiet;
        }
        let mut p = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        let n = unsafe { libc::poll(&mut p, 1, 100) };
        if n != 0 {
            // Ready, at its end, or an error the read itself will report.
            return if !stopped() || n > 0 {
                Waited::Ready
            } else {
                Waited::Stopped
            };
        }
    }
}

/// The most bytes asked of the source per read, and the size at which a batch is sent.
const BLOCK: usize = 1 << 20;

/// The first read's size; each read that fills its buffer doubles the next, up to [`BLOCK`].
/// Starting small keeps a short input (a cron job, an empty pipe) from faulting in a megabyte
/// it never uses: page faults are most of binge's start-up time.
const FIRST_READ: usize = 64 << 10;

/// A line of a batch: `data[start..end]`, numbered from 1 in its source.
#[derive(Debug, Clone)]
pub struct Line {
    pub start: u32,
    pub end: u32,
    pub no: u64,
    /// Set when the line was longer than the limit: `data[start..end]` then holds its first
    /// bytes only.
    pub too_long: bool,
    /// The offset in the source just after the line and its line ending: where a run that
    /// has handled this line resumes (`--resume`).
    pub after: u64,
}

/// Complete lines of one source.
pub struct Batch {
    pub source: usize,
    pub data: Vec<u8>,
    pub lines: Vec<Line>,
    /// Source bytes consumed to make this batch, for progress.
    pub bytes: u64,
}

pub enum Msg {
    Batch(Batch),
    /// A source could not be opened or read; reading goes on with the next one.
    Failed {
        source: usize,
        error: io::Error,
    },
}

#[derive(Clone)]
pub struct Framing {
    /// Read to the end even after a stop signal (see [`From::Pipe`]).
    pub drain: bool,
    /// Wrap each line as `{"message": line}` instead of parsing it.
    pub text: bool,
    pub max_line_bytes: usize,
    /// With `text`: which lines begin an event; the others continue the one before.
    pub multiline: Option<Multiline>,
    /// Buffers of batches the engine is done with, read into again: a fresh one would be
    /// faulted in and zeroed page by page for every megabyte read.
    pub spare: Option<crossbeam_channel::Receiver<Vec<u8>>>,
}

/// How `--multiline` tells the first line of an event from its continuation lines.
#[derive(Debug, Clone)]
pub enum Multiline {
    /// Lines matching the expression begin an event.
    Start(regex::Regex),
    /// `@java`: a line beginning with a date or time (`2015-07-29`, `17/06/09`, `Jun 14`,
    /// `15:16:01`) or `[` begins a record; stack frames, `Caused by:` and exception lines
    /// continue it.
    Java,
}

impl Multiline {
    /// Reads `--multiline`'s value: `@java`, or a regular expression.
    pub fn parse(text: &str) -> Result<Multiline, String> {
        match text {
            "@java" => Ok(Multiline::Java),
            t if t.starts_with('@') => Err(format!("unknown preset {t} (there is @java)")),
            t => regex::Regex::new(t)
                .map(Multiline::Start)
                .map_err(|e| format!("{t:?} is not a regular expression: {e}")),
        }
    }

    fn starts(&self, line: &str) -> bool {
        match self {
            Multiline::Start(re) => re.is_match(line),
            Multiline::Java => {
                let b = line.as_bytes();
                let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
                let iso = digit(0) && digit(1) && digit(2) && digit(3) && b.get(4) == Some(&b'-');
                let short = digit(0) && digit(1) && matches!(b.get(2), Some(b'/' | b':' | b'-'));
                let month = b.len() > 4
                    && b[0].is_ascii_uppercase()
                    && b[1].is_ascii_lowercase()
                    && b[2].is_ascii_lowercase()
                    && b[3] == b' '
                    && (digit(4) || b[4] == b' ');
                iso || short || month || b.first() == Some(&b'[')
            }
        }
    }
}

/// How long a pipe may stay quiet before the event being gathered by `--multiline` is
/// handed on: behind `tail -F`, the last event of a burst comes out this long after it.
pub const MULTILINE_FLUSH: std::time::Duration = std::time::Duration::from_millis(500);

/// One piece of input to read, in order: a whole source, or a file from an offset.
pub struct Segment {
    /// The name in messages.
    pub name: String,
    pub from: From,
}

pub enum From {
    Stdin,
    /// Another pipeline's output: read to its end, whatever signal comes.
    Pipe(std::io::PipeReader),
    /// Opened when its turn comes; a failure to open is reported then.
    Path(String),
    /// Already opened (`--resume` looked at it first), read from `start`.
    File {
        file: File,
        start: u64,
        /// The number of the line at `start`.
        first_line: u64,
        /// A last line without a newline is left for the next run: the writer may not have
        /// finished it. False for a rotated file, which nobody writes any more.
        hold_partial: bool,
    },
}

/// The display name of each input: `-` is standard input.
pub fn source_names(inputs: &[String]) -> Vec<String> {
    if inputs.is_empty() {
        vec!["-".to_string()]
    } else {
        inputs.to_vec()
    }
}

/// Standard input's first bytes when they can be read without waiting, read on the calling
/// thread: none when it is already at its end (an empty file, `/dev/null`, a pipe closed
/// with nothing in it). `None` when a read would wait (a terminal, a pipe not written to yet)
/// or fails; the reading thread reads it then, and reports the failure.
pub fn stdin_ready() -> Option<Vec<u8>> {
    let stdin = io::stdin();
    if let Some(fd) = pollable(&stdin) {
        let mut p = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd; a zero timeout never waits.
        if unsafe { libc::poll(&mut p, 1, 0) } != 1 {
            return None;
        }
    }
    // Read from the descriptor itself, never through std's buffered `Stdin`: bytes left in
    // that buffer would wait there while the reading thread waits on the descriptor. A page
    // on the stack: at the input's end nothing is allocated or faulted in.
    let mut first = [0u8; 4096];
    // SAFETY: the buffer is ours and `first.len()` long; the descriptor is standard input's,
    // open while `stdin` is borrowed.
    let n = unsafe {
        libc::read(
            stdin.as_fd().as_raw_fd(),
            first.as_mut_ptr().cast(),
            first.len(),
        )
    };
    let n = usize::try_from(n).ok()?;
    let mut buf = Vec::new();
    if n > 0 {
        buf.reserve_exact(BLOCK * 2);
        buf.extend_from_slice(&first[..n]);
    }
    Some(buf)
}

/// Reads every segment in turn and sends its batches; returns when all are read or the
/// receiver is gone. `read` holds what [`stdin_ready`] already read of the first segment.
pub fn read_all(segments: Vec<Segment>, mut read: Vec<u8>, framing: &Framing, tx: &Sender<Msg>) {
    for (source, seg) in segments.into_iter().enumerate() {
        let read = std::mem::take(&mut read);
        if stopped() && !matches!(seg.from, From::Pipe(_)) {
            return;
        }
        let start = Start::default();
        let result = match seg.from {
            From::Stdin => read_source(
                &mut io::stdin().lock(),
                pollable(&io::stdin()),
                source,
                framing,
                Start { read, ..start },
                tx,
            ),
            From::Pipe(mut reader) => {
                let framing = Framing {
                    drain: true,
                    ..framing.clone()
                };
                read_source(&mut reader, None, source, &framing, start, tx)
            }
            From::Path(name) if name.starts_with("s3://") => {
                match crate::connect::objects::reader(&name) {
                    Ok(mut objects) => read_source(&mut objects, None, source, framing, start, tx),
                    Err(e) => Err(io::Error::other(format!("{e:#}"))),
                }
            }
            From::Path(name) => match File::open(name) {
                Ok(mut f) => {
                    let fd = pollable(&f);
                    read_source(&mut f, fd, source, framing, start, tx)
                }
                Err(error) => Err(error),
            },
            From::File {
                mut file,
                start,
                first_line,
                hold_partial,
            } => {
                use std::io::Seek;
                let start = Start {
                    offset: start,
                    line: first_line,
                    hold_partial,
                    read: Vec::new(),
                };
                match file.seek(io::SeekFrom::Start(start.offset)) {
                    Ok(_) => {
                        let fd = pollable(&file);
                        read_source(&mut file, fd, source, framing, start, tx)
                    }
                    Err(e) => Err(e),
                }
            }
        };
        match result {
            Ok(true) => {}
            Ok(false) => return,
            Err(error) => {
                if tx.send(Msg::Failed { source, error }).is_err() {
                    return;
                }
            }
        }
    }
}

/// Where reading a source starts.
struct Start {
    offset: u64,
    line: u64,
    hold_partial: bool,
    /// Bytes of the source already read (by [`stdin_ready`]), taken before anything else.
    read: Vec<u8>,
}

impl Default for Start {
    fn default() -> Start {
        Start {
            offset: 0,
            line: 1,
            hold_partial: false,
            read: Vec::new(),
        }
    }
}

/// The descriptor to wait on before reading, for inputs that can keep us waiting (pipes,
/// terminals, sockets); regular files never block.
fn pollable(f: &impl std::os::fd::AsFd) -> Option<std::os::fd::RawFd> {
    let fd = f.as_fd().as_raw_fd();
    // fstat on the descriptor itself: a File made to ask would need a dup and a close.
    let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: `fd` is open while `f` is borrowed, and fstat fills `st` when it returns 0.
    if unsafe { libc::fstat(fd, st.as_mut_ptr()) } != 0 {
        return None;
    }
    // SAFETY: filled, as fstat returned 0.
    let mode = unsafe { st.assume_init() }.st_mode;
    (mode & libc::S_IFMT != libc::S_IFREG).then_some(fd)
}

/// Reads one source to its end. `Ok(false)` when the receiver hung up.
fn read_source(
    r: &mut dyn Read,
    wait: Option<std::os::fd::RawFd>,
    source: usize,
    framing: &Framing,
    mut start: Start,
    tx: &Sender<Msg>,
) -> io::Result<bool> {
    let mut read_already = std::mem::take(&mut start.read);
    let mut f = Framer::new(source, framing, start);
    let mut chunk = FIRST_READ;
    loop {
        let len = f.filled;
        let n = if read_already.is_empty() {
            if let Some(fd) = wait {
                let quiet = f.pending.is_some().then_some(MULTILINE_FLUSH);
                match wait_readable(fd, quiet) {
                    Waited::Ready => {}
                    Waited::Stopped => {
                        f.finish_lines();
                        return Ok(f.send(tx));
                    }
                    Waited::Quiet => {
                        // Nothing more for a while: the event gathered so far is complete.
                        f.flush_pending();
                        if !f.send(tx) {
                            return Ok(false);
                        }
                        continue;
                    }
                }
            }
            if f.buf.len() < len + chunk {
                // Only bytes never written before are zeroed: a recycled buffer's are not again.
                f.buf.resize(len + chunk, 0);
            }
            match r.read(&mut f.buf[len..len + chunk]) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                    if stopped() && !framing.drain {
                        0
                    } else {
                        continue;
                    }
                }
                Err(e) => {
                    // Lines read before the failure are still good.
                    f.finish_lines();
                    if !f.send(tx) {
                        return Ok(false);
                    }
                    return Err(e);
                }
            }
        } else {
            // The first read, made before this thread started: its bytes are this read's.
            f.buf = std::mem::take(&mut read_already);
            f.buf.len()
        };
        f.filled = len + n;
        f.bytes += n as u64;
        if n == 0 {
            f.finish_lines();
            return Ok(f.send(tx));
        }
        f.frame();
        if stopped() && !framing.drain {
            // Stopped by a signal: what was read is handled, the rest of the input is left.
            f.finish_lines();
            return Ok(f.send(tx));
        }
        let short = n < chunk;
        if n == chunk {
            chunk = (chunk * 2).min(BLOCK);
        }
        if (short || f.pending_data() >= BLOCK) && !f.send(tx) {
            return Ok(false);
        }
    }
}

struct Framer<'f> {
    source: usize,
    framing: &'f Framing,
    /// `buf[..filled]` holds bytes read and not yet handed on; complete lines end before
    /// `line_start`. The rest of `buf` was written before (zeroed or read into) and is
    /// read into again without being cleared.
    buf: Vec<u8>,
    filled: usize,
    line_start: usize,
    /// Where to resume looking for a newline.
    scan: usize,
    /// Inside a line that was already reported as too long: skip to its end.
    discarding: bool,
    next_no: u64,
    lines: Vec<Line>,
    /// With `text`, the wrapped lines; otherwise unused (lines point into `buf`).
    wrapped: Vec<u8>,
    bytes: u64,
    /// The source offset of `buf[line_start]` minus `line_start`: offsets of what is still
    /// in `buf` are `base + index`.
    base: u64,
    hold_partial: bool,
    /// With `--multiline`: the event being gathered, not handed on until the next one starts.
    pending: Option<Gathered>,
}

/// Shortens `s` to at most `max` bytes, on a character boundary.
fn cut(s: &mut String, max: usize) {
    if s.len() > max {
        let mut at = max;
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        s.truncate(at);
    }
}

/// An event `--multiline` is gathering: its lines so far, joined with newlines.
struct Gathered {
    text: String,
    no: u64,
    after: u64,
    too_long: bool,
}

impl<'f> Framer<'f> {
    fn new(source: usize, framing: &'f Framing, start: Start) -> Framer<'f> {
        Framer {
            base: start.offset,
            hold_partial: start.hold_partial,
            pending: None,
            source,
            framing,
            buf: Vec::with_capacity(BLOCK * 2),
            filled: 0,
            line_start: 0,
            scan: 0,
            discarding: false,
            next_no: start.line,
            lines: Vec::new(),
            wrapped: Vec::new(),
            bytes: 0,
        }
    }

    fn pending_data(&self) -> usize {
        if self.framing.text {
            self.wrapped.len()
        } else {
            self.line_start
        }
    }

    /// Cuts the complete lines out of what was read.
    fn frame(&mut self) {
        while let Some(p) = memchr(b'\n', &self.buf[self.scan..self.filled]) {
            let end = self.scan + p;
            self.line(self.line_start, end, end + 1);
            self.line_start = end + 1;
            self.scan = end + 1;
        }
        self.scan = self.filled;
        if !self.discarding && self.filled - self.line_start > self.framing.max_line_bytes {
            // Report the line now, with what fits, and skip the rest of it as it arrives.
            let start = self.line_start;
            self.push_too_long(start, start + self.framing.max_line_bytes);
            if !self.framing.text {
                // The kept part stays in `buf` and goes out with the batch.
                self.line_start = start + self.framing.max_line_bytes;
            }
            self.discarding = true;
        }
        if self.discarding {
            // What is dropped still counts for the offsets of what comes after it.
            self.base += (self.filled - self.line_start) as u64;
            self.filled = self.line_start;
            self.scan = self.filled;
        }
    }

    /// The last line, which had no newline after it.
    fn finish_lines(&mut self) {
        self.frame();
        if self.line_start < self.filled && !self.discarding && !self.hold_partial {
            let (start, end) = (self.line_start, self.filled);
            self.line(start, end, end);
            self.line_start = end;
        }
        self.discarding = false;
        // A file read under --resume may still get continuation lines: the gathered event
        // waits for the next run then.
        if !self.hold_partial {
            self.flush_pending();
        }
    }

    /// Hands on the event `--multiline` gathered, if any.
    fn flush_pending(&mut self) {
        let Some(g) = self.pending.take() else {
            return;
        };
        let at = self.wrapped.len();
        if g.too_long {
            self.wrapped.extend_from_slice(g.text.as_bytes());
        } else {
            self.wrapped.extend_from_slice(b"{\"message\":");
            crate::json::write_str(&g.text, &mut self.wrapped);
            self.wrapped.push(b'}');
        }
        self.lines.push(Line {
            start: at as u32,
            end: self.wrapped.len() as u32,
            no: g.no,
            too_long: g.too_long,
            after: g.after,
        });
    }

    /// The line `buf[start..end]`, whose line ending stops before `next`.
    fn line(&mut self, start: usize, mut end: usize, next: usize) {
        let after = self.base + next as u64;
        if self.discarding {
            // The newline ending an over-long line that was already reported.
            self.discarding = false;
            return;
        }
        let no = self.next_no;
        self.next_no += 1;
        if end > start && self.buf[end - 1] == b'\r' {
            end -= 1;
        }
        let raw = &self.buf[start..end];
        let blank = raw.iter().all(|c| matches!(c, b' ' | b'\t' | b'\r'));
        if let Some(rule) = &self.framing.multiline {
            let line = String::from_utf8_lossy(raw).into_owned();
            let continues = self.pending.is_some() && (blank || !rule.starts(&line));
            if continues {
                let max = self.framing.max_line_bytes;
                if let Some(g) = &mut self.pending {
                    g.after = after;
                    if !g.too_long {
                        if g.text.len() + 1 + line.len() > max {
                            // Kept as a bad line with its start; the rest of it is dropped.
                            g.too_long = true;
                            cut(&mut g.text, max);
                        } else {
                            g.text.push('\n');
                            g.text.push_str(&line);
                        }
                    }
                }
                return;
            }
            if blank {
                return;
            }
            self.flush_pending();
            let mut text = line;
            let too_long = text.len() > self.framing.max_line_bytes;
            cut(&mut text, self.framing.max_line_bytes);
            self.pending = Some(Gathered {
                too_long,
                text,
                no,
                after,
            });
            return;
        }
        if blank {
            return;
        }
        if raw.len() > self.framing.max_line_bytes {
            self.next_no -= 1;
            self.push_too_long(start, start + self.framing.max_line_bytes);
            if let Some(l) = self.lines.last_mut() {
                l.after = after;
            }
            return;
        }
        if self.framing.text {
            let s = String::from_utf8_lossy(raw);
            let at = self.wrapped.len();
            self.wrapped.extend_from_slice(b"{\"message\":");
            crate::json::write_str(&s, &mut self.wrapped);
            self.wrapped.push(b'}');
            self.lines.push(Line {
                start: at as u32,
                end: self.wrapped.len() as u32,
                no,
                too_long: false,
                after,
            });
        } else {
            self.lines.push(Line {
                start: start as u32,
                end: end as u32,
                no,
                too_long: false,
                after,
            });
        }
    }

    /// Records an over-long line, keeping `buf[start..end]` for the report.
    fn push_too_long(&mut self, start: usize, end: usize) {
        // Where its end is not known yet, a run that stops here resumes before the line (and
        // reports it again) rather than in the middle of it.
        let after = self.base + start as u64;
        let no = self.next_no;
        self.next_no += 1;
        let (start, end) = if self.framing.text {
            let at = self.wrapped.len();
            self.wrapped.extend_from_slice(&self.buf[start..end]);
            (at, self.wrapped.len())
        } else {
            (start, end)
        };
        self.lines.push(Line {
            start: start as u32,
            end: end as u32,
            no,
            too_long: true,
            after,
        });
    }

    /// Hands the complete lines on; false when the receiver hung up.
    fn send(&mut self, tx: &Sender<Msg>) -> bool {
        if self.lines.is_empty() {
            // Nothing complete yet; progress is counted with the next batch.
            return true;
        }
        let lines = std::mem::take(&mut self.lines);
        let data = if self.framing.text {
            self.buf.copy_within(self.line_start..self.filled, 0);
            self.filled -= self.line_start;
            std::mem::take(&mut self.wrapped)
        } else {
            // A spare keeps its length: those bytes were written once and are not zeroed again.
            let fresh = match self.framing.spare.as_ref().and_then(|r| r.try_recv().ok()) {
                Some(spare) => spare,
                None => Vec::with_capacity(BLOCK * 2),
            };
            let mut data = std::mem::replace(&mut self.buf, fresh);
            let tail = self.filled - self.line_start;
            if self.buf.len() < tail {
                self.buf.resize(tail, 0);
            }
            self.buf[..tail].copy_from_slice(&data[self.line_start..self.filled]);
            self.filled = tail;
            data.truncate(self.line_start);
            data
        };
        self.scan -= self.line_start;
        self.base += self.line_start as u64;
        self.line_start = 0;
        let batch = Batch {
            source: self.source,
            data,
            lines,
            bytes: std::mem::take(&mut self.bytes),
        };
        tx.send(Msg::Batch(batch)).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossbeam_channel::unbounded;

    /// Reads `input` in pieces of `step` bytes and returns each line's number and text.
    fn frame(input: &[u8], step: usize, text: bool, max: usize) -> Vec<(u64, String, bool)> {
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.1.min(self.0.len()).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let (tx, rx) = unbounded();
        let framing = Framing {
            drain: false,
            text,
            max_line_bytes: max,
            multiline: None,
            spare: None,
        };
        read_source(
            &mut Trickle(input, step),
            None,
            0,
            &framing,
            Start::default(),
            &tx,
        )
        .unwrap();
        drop(tx);
        let mut out = Vec::new();
        for msg in rx {
            if let Msg::Batch(b) = msg {
                for l in b.lines {
                    let s = &b.data[l.start as usize..l.end as usize];
                    out.push((l.no, String::from_utf8_lossy(s).into_owned(), l.too_long));
                }
            }
        }
        out
    }

    fn ok(no: u64, s: &str) -> (u64, String, bool) {
        (no, s.to_string(), false)
    }

    #[test]
    fn lines_are_cut_whatever_the_read_size() {
        let input = b"{\"a\":1}\r\n\n  \n{\"b\":2}\n{\"c\":3}";
        for step in [1, 2, 3, 7, 100] {
            assert_eq!(
                frame(input, step, false, 1000),
                vec![ok(1, "{\"a\":1}"), ok(4, "{\"b\":2}"), ok(5, "{\"c\":3}")],
                "step {step}"
            );
        }
    }

    #[test]
    fn over_long_lines_are_reported_with_their_start() {
        let input = b"{\"a\":1}\n0123456789abcdef\n{\"b\":2}\n0123456789abcdef";
        for step in [1, 4, 5, 100] {
            assert_eq!(
                frame(input, step, false, 10),
                vec![
                    ok(1, "{\"a\":1}"),
                    (2, "0123456789".into(), true),
                    ok(3, "{\"b\":2}"),
                    (4, "0123456789".into(), true),
                ],
                "step {step}"
            );
        }
    }

    #[test]
    fn text_lines_become_message_events() {
        let input = b"plain \"quoted\"\r\nbad \xff byte\n";
        assert_eq!(
            frame(input, 4, true, 100),
            vec![
                ok(1, r#"{"message":"plain \"quoted\""}"#),
                ok(2, "{\"message\":\"bad \u{fffd} byte\"}"),
            ]
        );
    }
}
