//! Writing: stages emit into an [`Output`] buffer; the engine moves buffers to the [`Sink`], which
//! writes them to stdout in order, counts events for `--limit`, and turns a reader closing the
//! pipe into [`StdoutClosed`] so binge can end quietly.

use std::fmt;
use std::fs::File;
use std::io::{self, Write};
use std::os::fd::AsFd;

use crate::json::{Value, write_value};
use crate::stream::Event;

/// Where a stage puts the events it emits: NDJSON lines, in order.
#[derive(Default)]
pub struct Output {
    buf: Vec<u8>,
}

impl Output {
    pub fn new() -> Output {
        Output::default()
    }

    /// Emits an unchanged event, byte for byte.
    pub fn event(&mut self, ev: &Event<'_>) {
        self.raw(ev.raw());
    }

    /// Emits a line that is already one compact JSON object.
    pub fn raw(&mut self, line: &[u8]) {
        self.buf.extend_from_slice(line);
        self.buf.push(b'\n');
    }

    /// Emits the event `write` writes (one compact JSON object) straight into the output.
    pub fn written(&mut self, write: impl FnOnce(&mut Vec<u8>)) {
        write(&mut self.buf);
        self.buf.push(b'\n');
    }

    /// Emits a new or changed event.
    pub fn value(&mut self, v: &Value<'_>) {
        write_value(v, &mut self.buf);
        self.buf.push(b'\n');
    }

    /// Emits `after`, a changed version of the event whose line is `raw`, of which only the
    /// top-level members named in `touched` may have changed: every other member keeps its
    /// bytes from `raw` (its number text, its escapes, even a lone surrogate), and only the
    /// touched ones are written anew.
    pub fn spliced(&mut self, raw: &[u8], after: &Value<'_>, touched: &[String]) {
        let Value::Object(members) = after else {
            return self.value(after);
        };
        let texts = crate::json::member_texts(raw);
        // A name given twice: which text is meant is not clear, so all is written anew.
        if texts
            .iter()
            .enumerate()
            .any(|(i, (a, _))| texts[i + 1..].iter().any(|(b, _)| a == b))
        {
            return self.value(after);
        }
        self.buf.push(b'{');
        for (i, (k, v)) in members.iter().enumerate() {
            if i > 0 {
                self.buf.push(b',');
            }
            crate::json::write_str(k, &mut self.buf);
            self.buf.push(b':');
            let kept = if touched.iter().any(|t| t == k) {
                None
            } else {
                // Looked for where it most likely is: steps append, and remove only a few.
                let named = |(name, _): &&(&[u8], &[u8])| crate::json::key_equals(name, k);
                texts
                    .get(i)
                    .filter(named)
                    .or_else(|| texts.iter().find(named))
            };
            match kept {
                Some((_, text)) => self.buf.extend_from_slice(text),
                None => write_value(v, &mut self.buf),
            }
        }
        self.buf.extend_from_slice(b"}\n");
    }

    /// Emits an event whose members are `texts` (name, value text; names unique and without
    /// escapes) after steps
    /// that changed only the members named in `touched`, whose new values (or absence, for a
    /// removed one) are in `after`: every other member keeps its place and bytes, and members
    /// of `after` the event did not have are added at the end, in `after`'s order.
    pub fn patched(
        &mut self,
        raw: &[u8],
        texts: &[(&[u8], &[u8])],
        after: &Value<'_>,
        touched: &[String],
    ) {
        let Value::Object(members) = after else {
            return self.value(after);
        };
        if let Some(body) = compact_body(raw, texts)
            && !texts
                .iter()
                .any(|(name, _)| touched.iter().any(|t| t.as_bytes() == *name))
        {
            // Nothing the event had was changed and it has no spaces: it is copied whole and
            // the new members follow.
            self.buf.push(b'{');
            self.buf.extend_from_slice(body);
            let mut first = body.is_empty();
            for (k, v) in members {
                if texts.iter().any(|(name, _)| k.as_bytes() == *name) {
                    continue; // read, not changed: it is in the body
                }
                if !first {
                    self.buf.push(b',');
                }
                first = false;
                crate::json::write_str(k, &mut self.buf);
                self.buf.push(b':');
                write_value(v, &mut self.buf);
            }
            self.buf.extend_from_slice(b"}\n");
            return;
        }
        self.buf.push(b'{');
        let mut first = true;
        let mut sep = |buf: &mut Vec<u8>| {
            if !first {
                buf.push(b',');
            }
            first = false;
        };
        for (name, text) in texts {
            let changed = touched.iter().find(|t| crate::json::key_equals(name, t));
            match changed {
                None => {
                    sep(&mut self.buf);
                    self.buf.push(b'"');
                    self.buf.extend_from_slice(name);
                    self.buf.extend_from_slice(b"\":");
                    self.buf.extend_from_slice(text);
                }
                Some(t) => {
                    if let Some((k, v)) = members.iter().find(|(k, _)| k == t) {
                        sep(&mut self.buf);
                        crate::json::write_str(k, &mut self.buf);
                        self.buf.push(b':');
                        write_value(v, &mut self.buf);
                    }
                }
            }
        }
        for (k, v) in members {
            if texts
                .iter()
                .any(|(name, _)| crate::json::key_equals(name, k))
            {
                continue;
            }
            sep(&mut self.buf);
            crate::json::write_str(k, &mut self.buf);
            self.buf.push(b':');
            write_value(v, &mut self.buf);
        }
        self.buf.extend_from_slice(b"}\n");
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Emits into `buf`, after what it holds.
    pub fn from_bytes(buf: Vec<u8>) -> Output {
        Output { buf }
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    pub fn clear(&mut self) {
        self.buf.clear();
    }
}

/// The text of `raw` from its first member's name to its last member's value, when the members
/// follow each other with nothing but a comma between them (compact JSON). `texts` are the
/// members of `raw`, cut from it.
fn compact_body<'a>(raw: &'a [u8], texts: &[(&[u8], &[u8])]) -> Option<&'a [u8]> {
    let at = |s: &[u8]| s.as_ptr() as usize - raw.as_ptr() as usize;
    let (Some((first, _)), Some((_, last))) = (texts.first(), texts.last()) else {
        return Some(&[]);
    };
    for (k, (name, value)) in texts.iter().enumerate() {
        // `"name":value`, then `,"next`.
        if at(value) != at(name) + name.len() + 2 {
            return None;
        }
        if let Some((next, _)) = texts.get(k + 1)
            && at(next) != at(value) + value.len() + 2
        {
            return None;
        }
    }
    Some(&raw[at(first) - 1..at(last) + last.len()])
}

/// The reader of stdout went away (`binge ... | head`): not a failure.
#[derive(Debug)]
pub struct StdoutClosed;

impl fmt::Display for StdoutClosed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("standard output was closed")
    }
}

impl std::error::Error for StdoutClosed {}

/// Standard output as a plain file, so writes are not line-buffered by std's `Stdout`.
pub fn stdout() -> io::Result<File> {
    Ok(File::from(io::stdout().as_fd().try_clone_to_owned()?))
}

/// Buffered, ordered writing of emitted events to the real output.
pub struct Sink<W: Write> {
    out: io::BufWriter<W>,
    /// Events still allowed by `--limit`.
    remaining: Option<u64>,
    pub written: u64,
}

impl<W: Write> Sink<W> {
    pub fn new(w: W, limit: Option<u64>) -> Sink<W> {
        Sink {
            out: io::BufWriter::with_capacity(256 * 1024, w),
            remaining: limit,
            written: 0,
        }
    }

    /// Writes whole event lines; returns false once the limit is reached (and then writes only
    /// up to it).
    pub fn write_events(&mut self, bytes: &[u8]) -> anyhow::Result<bool> {
        if bytes.is_empty() {
            return Ok(self.remaining != Some(0));
        }
        let Some(remaining) = self.remaining else {
            self.written += memchr::memchr_iter(b'\n', bytes).count() as u64;
            self.put(bytes)?;
            return Ok(true);
        };
        let mut n = 0;
        let mut cut = 0;
        for p in memchr::memchr_iter(b'\n', bytes) {
            if n == remaining {
                break;
            }
            n += 1;
            cut = p + 1;
        }
        self.put(&bytes[..cut])?;
        self.written += n;
        self.remaining = Some(remaining - n);
        Ok(remaining > n)
    }

    fn put(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        self.out.write_all(bytes).map_err(closed)
    }

    pub fn flush(&mut self) -> anyhow::Result<()> {
        self.out.flush().map_err(closed)
    }
}

fn closed(e: io::Error) -> anyhow::Error {
    if e.kind() == io::ErrorKind::BrokenPipe {
        anyhow::Error::new(StdoutClosed)
    } else {
        anyhow::Error::new(e).context("cannot write to standard output")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_cuts_at_whole_events() {
        let mut out = Vec::new();
        {
            let mut sink = Sink::new(&mut out, Some(3));
            assert!(sink.write_events(b"a\nb\n").unwrap());
            assert!(!sink.write_events(b"c\nd\ne\n").unwrap());
            assert!(!sink.write_events(b"f\n").unwrap());
            assert_eq!(sink.written, 3);
            sink.flush().unwrap();
        }
        assert_eq!(out, b"a\nb\nc\n");
    }

    #[test]
    fn limit_exactly_at_a_boundary() {
        let mut out = Vec::new();
        {
            let mut sink = Sink::new(&mut out, Some(2));
            assert!(!sink.write_events(b"a\nb\n").unwrap());
            sink.flush().unwrap();
        }
        assert_eq!(out, b"a\nb\n");
    }

    #[test]
    fn broken_pipe_is_stdout_closed() {
        struct Closed;
        impl Write for Closed {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::ErrorKind::BrokenPipe.into())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut sink = Sink::new(Closed, None);
        sink.write_events(b"a\n").unwrap();
        let err = sink.flush().unwrap_err();
        assert!(err.downcast_ref::<StdoutClosed>().is_some());
    }
}
