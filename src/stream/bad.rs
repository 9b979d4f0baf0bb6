//! The bad-input policy of DESIGN.md §2: a line that is not a JSON object (or that a stage
//! rejects) is never dropped silently. It is reported on stderr (the first few, then a count),
//! optionally kept in a dead-letter file, or stops the run under `--on-error fail`.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use base64::Engine;
use clap::ValueEnum;

use crate::json::{Value, write_value};

/// How many bad lines are reported one by one before only the final count is.
const SHOWN: u64 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnError {
    /// Report the line and go on.
    Skip,
    /// Stop at the first bad line, with exit status 65.
    Fail,
}

pub struct BadLines {
    command: &'static str,
    policy: OnError,
    dead: Option<(PathBuf, BufWriter<File>)>,
    pub count: u64,
}

impl BadLines {
    pub fn open(
        command: &'static str,
        policy: OnError,
        dead_letter: Option<&Path>,
    ) -> anyhow::Result<BadLines> {
        let dead = match dead_letter {
            Some(path) => {
                let f = OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .with_context(|| format!("cannot open dead-letter file {}", path.display()))?;
                Some((path.to_path_buf(), BufWriter::new(f)))
            }
            None => None,
        };
        Ok(BadLines {
            command,
            policy,
            dead,
            count: 0,
        })
    }

    /// Deals with one bad line; returns false when the run must stop.
    pub fn report(
        &mut self,
        source: &str,
        line: u64,
        reason: &str,
        raw: &[u8],
        say: &dyn Fn(&str),
    ) -> anyhow::Result<bool> {
        self.count += 1;
        let source = display_source(source);
        if let Some((path, w)) = &mut self.dead {
            let record = Value::Object(vec![
                ("source".into(), Value::String(source.into())),
                (
                    "line".into(),
                    Value::Number(crate::json::Number::Int(line as i64)),
                ),
                ("error".into(), Value::String(reason.into())),
                // The line exactly as read: as text when it is UTF-8, else its bytes in base64
                // (RFC 4648), so garbage can still be recovered byte for byte.
                match std::str::from_utf8(raw) {
                    Ok(text) => ("raw".into(), Value::String(text.into())),
                    Err(_) => (
                        "raw_base64".into(),
                        Value::String(base64::engine::general_purpose::STANDARD.encode(raw).into()),
                    ),
                },
            ]);
            let mut buf = Vec::with_capacity(raw.len() + 64);
            write_value(&record, &mut buf);
            buf.push(b'\n');
            w.write_all(&buf)
                .with_context(|| format!("cannot write dead-letter file {}", path.display()))?;
        }
        if self.policy == OnError::Fail || self.count <= SHOWN {
            say(&format!(
                "binge {}: {source}:{line}: {reason}",
                self.command
            ));
        }
        Ok(self.policy != OnError::Fail)
    }

    /// Flushes the dead-letter file and prints the final count.
    pub fn finish(&mut self) -> anyhow::Result<()> {
        if let Some((path, w)) = &mut self.dead {
            w.flush()
                .with_context(|| format!("cannot write dead-letter file {}", path.display()))?;
        }
        if self.count > 0 && self.policy == OnError::Skip {
            let plural = if self.count == 1 { "" } else { "s" };
            let mut msg = format!(
                "binge {}: {} bad line{plural} skipped",
                self.command, self.count
            );
            if self.count > SHOWN {
                msg.push_str(&format!(" (the first {SHOWN} shown above)"));
            }
            if let Some((path, _)) = &self.dead {
                msg.push_str(&format!("; all written to {}", path.display()));
            }
            eprintln!("{msg}");
        }
        Ok(())
    }
}

/// How a source is named in messages: standard input is `stdin`.
pub fn display_source(name: &str) -> &str {
    if name == "-" { "stdin" } else { name }
}
