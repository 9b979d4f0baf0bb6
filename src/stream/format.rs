//! Output formats (`-o/--output`): events arrive as NDJSON lines and leave as NDJSON (as they
//! are), one JSON array, CSV or TSV with a header (RFC 4180 quoting for CSV), or an aligned
//! table for a terminal. Values keep their exact text: numbers as written, strings unquoted in
//! CSV/TSV/table cells, nested values as compact JSON, null as an empty cell.

use std::io::{self, Write};
use std::sync::OnceLock;

use clap::ValueEnum;

use crate::json::{self, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// One compact JSON object per line (the default)
    #[default]
    Ndjson,
    /// One JSON array of the events
    Json,
    /// Comma-separated values with a header line (RFC 4180)
    Csv,
    /// Tab-separated values with a header line
    Tsv,
    /// Aligned columns for a terminal (a table per burst of input behind a pipe)
    Table,
}

/// The format and columns chosen for this run (set once at start-up from the global flags).
static CHOSEN: OnceLock<(Format, Option<Vec<String>>)> = OnceLock::new();

pub fn choose(format: Format, columns: Option<Vec<String>>) {
    let _ = CHOSEN.set((format, columns));
}

/// The format chosen for this run.
pub fn chosen() -> Format {
    CHOSEN.get().map(|c| c.0).unwrap_or_default()
}

/// Standard output for events, in the chosen format.
pub fn event_writer() -> io::Result<Box<dyn Write + Send>> {
    let out = super::output::stdout()?;
    let (format, columns) = CHOSEN.get().cloned().unwrap_or_default();
    Ok(match format {
        Format::Ndjson => Box::new(out),
        other => Box::new(Formatted::new(out, other, columns)),
    })
}

/// Turns NDJSON lines written to it into another format.
pub struct Formatted<W: Write> {
    out: W,
    format: Format,
    /// The columns: given, or the first event's members.
    columns: Option<Vec<String>>,
    /// Bytes of a line not yet complete.
    partial: Vec<u8>,
    /// Table rows waiting for the next flush, header first.
    rows: Vec<Vec<String>>,
    header_written: bool,
    events: u64,
}

impl<W: Write> Formatted<W> {
    pub fn new(out: W, format: Format, columns: Option<Vec<String>>) -> Formatted<W> {
        Formatted {
            out,
            format,
            columns,
            partial: Vec::new(),
            rows: Vec::new(),
            header_written: false,
            events: 0,
        }
    }

    fn event(&mut self, line: &[u8]) -> io::Result<()> {
        let v = json::parse_value(line).map_err(|e| io::Error::other(e.to_string()))?;
        if self.format == Format::Json {
            self.out
                .write_all(if self.events == 0 { b"[\n" } else { b",\n" })?;
            self.out.write_all(line)?;
            self.events += 1;
            return Ok(());
        }
        let columns = self.columns.get_or_insert_with(|| match &v {
            Value::Object(members) => members.iter().map(|(k, _)| k.to_string()).collect(),
            _ => Vec::new(),
        });
        let cells: Vec<String> = columns
            .iter()
            .map(|c| match v.member(c) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.to_string(),
                Some(other) => other.to_json(),
            })
            .collect();
        if !self.header_written {
            self.header_written = true;
            let header = columns.clone();
            self.row(header)?;
        }
        self.events += 1;
        self.row(cells)
    }

    fn row(&mut self, cells: Vec<String>) -> io::Result<()> {
        match self.format {
            Format::Csv => {
                let quoted: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
                self.out.write_all(quoted.join(",").as_bytes())?;
                self.out.write_all(b"\r\n")
            }
            Format::Tsv => {
                let escaped: Vec<String> = cells.iter().map(|c| tsv_cell(c)).collect();
                self.out.write_all(escaped.join("\t").as_bytes())?;
                self.out.write_all(b"\n")
            }
            _ => {
                self.rows.push(cells);
                Ok(())
            }
        }
    }

    /// Writes the waiting table rows, each column as wide as its widest cell.
    fn table(&mut self) -> io::Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let show = |c: &str| {
            if c.is_empty() {
                "-".to_string()
            } else {
                c.replace(['\n', '\t'], " ")
            }
        };
        let rows: Vec<Vec<String>> = self
            .rows
            .drain(..)
            .map(|r| r.iter().map(|c| show(c)).collect())
            .collect();
        let n = rows.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..n)
            .map(|i| {
                rows.iter()
                    .filter_map(|r| r.get(i))
                    .map(|c| c.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for r in &rows {
            let mut line = String::new();
            for (i, c) in r.iter().enumerate() {
                if i + 1 == r.len() {
                    line.push_str(c);
                } else {
                    line.push_str(c);
                    line.extend(std::iter::repeat_n(' ', widths[i] - c.chars().count() + 1));
                }
            }
            line.push('\n');
            self.out.write_all(line.as_bytes())?;
        }
        Ok(())
    }
}

fn csv_cell(c: &str) -> String {
    if c.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", c.replace('"', "\"\""))
    } else {
        c.to_string()
    }
}

/// TSV has no quoting: tabs, newlines and backslashes in a cell are written as `\t`, `\n`,
/// `\\` (as mlr and the IANA text/tab-separated-values convention do).
fn tsv_cell(c: &str) -> String {
    c.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

impl<W: Write> Write for Formatted<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', buf) {
            if self.partial.is_empty() {
                self.event(&buf[start..end])?;
            } else {
                self.partial.extend_from_slice(&buf[start..end]);
                let line = std::mem::take(&mut self.partial);
                self.event(&line)?;
            }
            start = end + 1;
        }
        self.partial.extend_from_slice(&buf[start..]);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.format == Format::Table {
            // A header for each table, so every burst reads on its own.
            self.table()?;
            self.header_written = false;
        }
        self.out.flush()
    }
}

impl<W: Write> Drop for Formatted<W> {
    fn drop(&mut self) {
        // The end of a JSON array; errors here have nowhere to go (a closed stdout is fine).
        let _ = self.flush();
        if self.format == Format::Json {
            let _ = self
                .out
                .write_all(if self.events == 0 { b"[]\n" } else { b"\n]\n" });
            let _ = self.out.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(format: Format, columns: Option<Vec<String>>, input: &str) -> String {
        let mut out = Vec::new();
        {
            let mut f = Formatted::new(&mut out, format, columns);
            // In pieces that cut lines, as a buffered writer hands them on.
            for chunk in input.as_bytes().chunks(7) {
                f.write_all(chunk).unwrap();
            }
            f.flush().unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    const EVENTS: &str =
        "{\"a\":1.10,\"b\":\"x, \\\"y\\\"\",\"c\":null}\n{\"a\":2,\"b\":\"z\",\"c\":[1]}\n";

    #[test]
    fn csv_quotes_as_rfc_4180_says_and_keeps_numbers_exact() {
        assert_eq!(
            render(Format::Csv, None, EVENTS),
            "a,b,c\r\n1.10,\"x, \"\"y\"\"\",\r\n2,z,[1]\r\n"
        );
    }

    #[test]
    fn tsv_escapes_tabs_and_columns_can_be_chosen() {
        assert_eq!(
            render(
                Format::Tsv,
                Some(vec!["b".into(), "a".into()]),
                "{\"a\":1,\"b\":\"t\\tu\"}\n"
            ),
            "b\ta\nt\\tu\t1\n"
        );
    }

    #[test]
    fn tables_align_and_json_is_one_array() {
        assert_eq!(
            render(Format::Table, None, EVENTS),
            "a    b      c\n1.10 x, \"y\" -\n2    z      [1]\n"
        );
        assert_eq!(
            render(Format::Json, None, EVENTS),
            "[\n{\"a\":1.10,\"b\":\"x, \\\"y\\\"\",\"c\":null},\n{\"a\":2,\"b\":\"z\",\"c\":[1]}\n]\n"
        );
        assert_eq!(render(Format::Json, None, ""), "[]\n");
    }
}
