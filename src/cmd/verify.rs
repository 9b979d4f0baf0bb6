//! `binge verify`: checks exported entwined history against trusted keys.

use std::io::{Read, Write};

use anyhow::Context;
use rayon::prelude::*;

use crate::chain::verify::{Checker, Order, ReadLine, Scratch, Severity, Trust, Unusable};
use crate::cli::VerifyArgs;
use crate::exit::{Exit, UsageError};
use crate::json::{self, Number, Value};
use crate::stream;

/// Bytes read at a time (straight into a batch, in one system call where the input allows);
/// the whole lines among them are parsed and hashed on every core before they are checked in
/// order.
const VERIFY_READ: usize = 1 << 20;

/// The signed checkpoints a `--since` file holds: the file itself when it is a signed note,
/// else the last checkpoint line of each stream in it (an earlier export).
fn since_notes(text: &str) -> Vec<String> {
    if !text.trim_start().starts_with('{') {
        return vec![text.to_string()];
    }
    let mut last: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let Ok(v) = json::parse_value(line.as_bytes()) else {
            continue;
        };
        if v.member("type").and_then(Value::as_str) != Some("checkpoint") {
            continue;
        }
        let (Some(origin), Some(note)) = (
            v.member("origin").and_then(Value::as_str),
            v.member("note").and_then(Value::as_str),
        ) else {
            continue;
        };
        match last.iter_mut().find(|(o, _)| o == origin) {
            Some(entry) => entry.1 = note.to_string(),
            None => last.push((origin.to_string(), note.to_string())),
        }
    }
    last.into_iter().map(|(_, n)| n).collect()
}

/// Lines of one export read at a time: their bytes end to end in one buffer (no allocation
/// or UTF-8 pass per line: the parser validates each line anyway), and for each line that is
/// not blank its number (from 1) and where it lies in the buffer.
#[derive(Default)]
struct Batch {
    text: Vec<u8>,
    lines: Vec<(usize, std::ops::Range<usize>)>,
}

/// Reads the next [`VERIFY_READ`] bytes or so into `batch` (emptied first): the line `rest`
/// held from the read before, then whole lines; a line the read ends inside is left in `rest`
/// (a line longer than a read is read on until it ends). Lines are counted in `n`; false at
/// the end of the input. Line ends are `\n` or `\r\n`, as `BufRead::lines` takes them.
fn read_batch(
    reader: &mut dyn Read,
    batch: &mut Batch,
    rest: &mut Vec<u8>,
    n: &mut usize,
) -> std::io::Result<bool> {
    batch.text.clear();
    batch.lines.clear();
    batch.text.append(rest);
    let mut more = true;
    let mut searched = 0;
    let whole = loop {
        // `read_to_end` reads into the spare capacity without zeroing it first.
        let got = reader
            .take(VERIFY_READ as u64)
            .read_to_end(&mut batch.text)?;
        if got < VERIFY_READ {
            more = false;
            break batch.text.len();
        }
        match memchr::memrchr(b'\n', &batch.text[searched..]) {
            Some(i) => break searched + i + 1,
            None => searched = batch.text.len(),
        }
    };
    rest.extend_from_slice(&batch.text[whole..]);
    batch.text.truncate(whole);
    let mut start = 0;
    while start < batch.text.len() {
        let end =
            memchr::memchr(b'\n', &batch.text[start..]).map_or(batch.text.len(), |i| start + i);
        *n += 1;
        let line = &batch.text[start..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if !line.iter().all(u8::is_ascii_whitespace) {
            batch.lines.push((*n, start..start + line.len()));
        }
        start = end + 1;
    }
    Ok(more)
}

/// Checks one export; the number of its lines that are not blank. Three things go on at once:
/// a thread reads the next batch of lines, the pool reads the batch after the one being
/// checked (parses it, canonicalises and hashes its records), and the checks that follow the
/// chain take the batch before in order.
fn check_file(
    name: &str,
    mut reader: Box<dyn Read + Send>,
    order: bool,
    checker: &mut Checker,
    records: &mut Vec<Value<'static>>,
) -> anyhow::Result<usize> {
    let (tx, rx) = crossbeam_channel::bounded::<std::io::Result<Batch>>(2);
    // Batches already read come back to be filled again, so the reader does not touch fresh
    // pages for every megabyte.
    let (spare_tx, spare_rx) = crossbeam_channel::bounded::<Batch>(4);
    std::thread::scope(|s| {
        // Owned here, so an early return hangs up on the reading thread instead of waiting
        // for it forever.
        let rx = rx;
        s.spawn(move || {
            let mut n = 0;
            let mut rest = Vec::new();
            loop {
                let mut batch = spare_rx.try_recv().unwrap_or_default();
                let more = match read_batch(&mut *reader, &mut batch, &mut rest, &mut n) {
                    Ok(more) => more,
                    Err(e) => {
                        let e = std::io::Error::new(e.kind(), format!("{name}:{}: {e}", n + 1));
                        let _ = tx.send(Err(e));
                        return;
                    }
                };
                // A batch of blank lines is passed on too: only the end of the input ends
                // the reading.
                if (!batch.lines.is_empty() && tx.send(Ok(batch)).is_err()) || !more {
                    return;
                }
            }
        });
        let read = |batch: Batch| -> Vec<_> {
            let read = batch
                .lines
                .par_iter()
                .map_init(Scratch::default, |scratch, (n, at)| {
                    let line = &batch.text[at.clone()];
                    (*n, Checker::read_line(line, order, scratch))
                })
                .collect();
            let _ = spare_tx.try_send(batch);
            read
        };
        let mut check = |read: Vec<(usize, Result<ReadLine, json::Error>)>| {
            for (n, r) in read {
                let line = r.map_err(|e| UsageError(format!("{name}:{n}: {e}")))?;
                let unusable = |Unusable(why)| UsageError(format!("{name}:{n}: {why}"));
                match line {
                    ReadLine::Whole(v, ahead) => {
                        checker.line_read(&v, ahead).map_err(unusable)?;
                        if order && v.member("type").and_then(Value::as_str) == Some("record") {
                            records.push(v);
                        }
                    }
                    record => checker.take(record).map_err(unusable)?,
                }
            }
            Ok::<_, UsageError>(())
        };
        let mut lines_read = 0;
        let mut before = Vec::new();
        for batch in rx.iter() {
            let batch = batch.map_err(|e| UsageError(e.to_string()))?;
            lines_read += batch.lines.len();
            let (next, checked) =
                rayon::join(|| read(batch), || check(std::mem::take(&mut before)));
            checked?;
            before = next;
        }
        check(before)?;
        Ok(lines_read)
    })
}

pub fn run(args: &VerifyArgs) -> anyhow::Result<Exit> {
    let trust_text = std::fs::read_to_string(&args.trust).map_err(|e| {
        UsageError(format!(
            "cannot read the trust file {}: {e}",
            args.trust.display()
        ))
    })?;
    let trust = Trust::parse(&trust_text)
        .map_err(|e| UsageError(format!("the trust file {}: {e:#}", args.trust.display())))?;
    let has_witnesses = !trust.witnesses.is_empty();
    let mut checker = Checker::new(trust);
    for path in &args.since {
        let shown = path.display();
        let text = std::fs::read_to_string(path)
            .map_err(|e| UsageError(format!("--since {shown}: {e}")))?;
        for note in since_notes(&text) {
            checker
                .trust_since(&note)
                .map_err(|e| UsageError(format!("--since {shown}: {e:#}")))?;
        }
    }
    // --order writes the records again, with their intervals, once everything is checked.
    let mut records: Vec<Value<'static>> = Vec::new();
    let inputs = if args.exports.is_empty() {
        vec!["-".to_string()]
    } else {
        args.exports.clone()
    };
    for name in &inputs {
        checker.begin_file();
        let reader: Box<dyn Read + Send> = if name == "-" {
            Box::new(std::io::stdin())
        } else {
            Box::new(
                std::fs::File::open(name)
                    .map_err(|e| UsageError(format!("cannot read {name}: {e}")))?,
            )
        };
        let lines_read = check_file(name, reader, args.order, &mut checker, &mut records)?;
        if lines_read == 0 {
            // Nothing to check is no proof of anything.
            return Err(UsageError(format!(
                "{}: empty, not an export (made by binge entwine export)",
                stream::display_source(name)
            ))
            .into());
        }
    }
    let report = checker.finish();
    let mut out = Vec::new();
    for f in &report.findings {
        if args.json {
            json::write_value(&f.to_value(), &mut out);
            out.push(b'\n');
        } else {
            let at = f.seq.map(|s| format!(" seq {s}")).unwrap_or_default();
            let level = if f.severity == Severity::Warning {
                "warning: "
            } else {
                ""
            };
            eprintln!(
                "binge verify: {level}{}{at}: {}: expected {}, found {}",
                f.stream, f.check, f.expected, f.found
            );
        }
    }
    let errors = report.errors();
    let mut incomplete = false;
    let mut unwitnessed = false;
    for (origin, s) in &report.streams {
        incomplete |= s.anchored < s.end();
        // The newest checkpoint, cosigned by how many trusted witnesses.
        let witnessed = s.cosigned.get(&s.checkpointed).copied().unwrap_or(0);
        if let Some(k) = args.witnesses
            && witnessed < k
        {
            unwitnessed = true;
            if !args.json {
                eprintln!(
                    "binge verify: warning: {origin}: the newest checkpoint (size {}) has {witnessed} \
                     trusted cosignature{}, fewer than --witnesses {k}",
                    s.checkpointed,
                    if witnessed == 1 { "" } else { "s" }
                );
            }
        }
        let int = |n: u64| Value::Number(Number::Int(n as i64));
        let mut members = vec![
            ("stream".into(), Value::String(origin.clone().into())),
            ("records".into(), int(s.records)),
            ("checkpoints".into(), int(s.checkpoints)),
            ("checkpointed".into(), int(s.checkpointed)),
            ("anchored".into(), int(s.anchored)),
            (
                "verified".into(),
                Value::Bool(
                    !report
                        .findings
                        .iter()
                        .any(|f| f.stream == *origin && f.severity == Severity::Error),
                ),
            ),
        ];
        if s.first > 0 {
            members.insert(2, ("from".into(), int(s.first)));
        }
        if s.proved > 0 {
            members.insert(5, ("proved".into(), int(s.proved)));
        }
        if has_witnesses {
            // How many trusted witnesses cosigned the newest checkpoint.
            members.insert(5, ("witnesses".into(), int(witnessed as u64)));
        }
        let line = Value::Object(members);
        if args.json {
            json::write_value(&line, &mut out);
            out.push(b'\n');
        }
    }
    if let [a, b] = &args.before[..] {
        let event = |t: &str| -> anyhow::Result<(String, u64)> {
            let (o, seq) = t
                .rsplit_once(':')
                .and_then(|(o, s)| Some((o.to_string(), s.parse().ok()?)))
                .ok_or_else(|| UsageError(format!("--before {t}: expected ORIGIN:SEQ")))?;
            Ok((o, seq))
        };
        let (ea, eb) = (event(a)?, event(b)?);
        let (order, evidence) = report.order((&ea.0, ea.1), (&eb.0, eb.1)).ok_or_else(|| {
            UsageError(format!(
                "--before: {a} or {b} is not among the records checked"
            ))
        })?;
        let word = match order {
            Order::Before => "before",
            Order::After => "after",
            Order::Concurrent => "concurrent",
        };
        if args.json {
            let v = Value::Object(vec![
                ("a".into(), Value::String(a.clone().into())),
                ("b".into(), Value::String(b.clone().into())),
                ("order".into(), Value::String(word.into())),
                ("evidence".into(), Value::String(evidence.into())),
            ]);
            json::write_value(&v, &mut out);
            out.push(b'\n');
        } else {
            out.extend_from_slice(format!("{a} {word} {b}: {evidence}\n").as_bytes());
        }
    }
    for r in &records {
        let origin = r
            .member("origin")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let seq = r
            .member("seq")
            .map(Value::to_json)
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(0);
        let (rf, anc) = report.interval(origin, seq).unwrap_or((None, None));
        let tick = |t: Option<u64>| t.map_or(Value::Null, |t| Value::Number(Number::Int(t as i64)));
        let mut members = vec![
            ("origin".into(), Value::String(origin.to_string().into())),
            ("seq".into(), Value::Number(Number::Int(seq as i64))),
            ("ref".into(), tick(rf)),
            ("anc".into(), tick(anc)),
        ];
        if let Some(e) = r.member("event") {
            members.push(("event".into(), e.clone()));
        }
        json::write_value(&Value::Object(members), &mut out);
        out.push(b'\n');
    }
    stream::stdout()?
        .write_all(&out)
        .or_else(|e| {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                Ok(())
            } else {
                Err(e)
            }
        })
        .context("cannot write to standard output")?;
    let records: u64 = report.streams.values().map(|s| s.records).sum();
    if !args.json {
        eprintln!(
            "binge verify: {} stream{}, {records} records: {}",
            report.streams.len(),
            if report.streams.len() == 1 { "" } else { "s" },
            if errors == 0 {
                "verified".to_string()
            } else {
                format!(
                    "{errors} problem{} found",
                    if errors == 1 { "" } else { "s" }
                )
            }
        );
    }
    Ok(if errors > 0 {
        Exit::Failure
    } else if (args.strict && incomplete) || unwitnessed {
        Exit::Incomplete
    } else {
        Exit::Success
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every batch `read_batch` makes of `input`, as (line number, text) pairs.
    fn batches(input: &[u8]) -> Vec<Vec<(usize, String)>> {
        let mut reader = input;
        let (mut rest, mut n, mut out) = (Vec::new(), 0, Vec::new());
        let mut batch = Batch::default();
        loop {
            let more = read_batch(&mut reader, &mut batch, &mut rest, &mut n).unwrap();
            out.push(
                batch
                    .lines
                    .iter()
                    .map(|(n, at)| {
                        (
                            *n,
                            String::from_utf8(batch.text[at.clone()].to_vec()).unwrap(),
                        )
                    })
                    .collect(),
            );
            if !more {
                assert!(rest.is_empty(), "the last line is handed on");
                return out;
            }
        }
    }

    #[test]
    fn lines_are_numbered_from_one_with_blank_lines_counted_and_skipped() {
        let got = batches(b"{\"a\":1}\r\n\n  \r\n{\"b\":2}\n{\"c\":3}");
        let want = [(1, "{\"a\":1}"), (4, "{\"b\":2}"), (5, "{\"c\":3}")];
        assert_eq!(
            got.concat(),
            want.iter()
                .map(|(n, s)| (*n, s.to_string()))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_line_across_reads_and_a_line_longer_than_a_read_arrive_whole() {
        // Lines of every length around a read's size, so reads end inside lines, on their
        // ends, and inside lines longer than a read.
        let mut input = Vec::new();
        let mut want = Vec::new();
        for (i, len) in [
            10,
            VERIFY_READ - 3,
            5,
            VERIFY_READ * 2 + 7,
            1,
            VERIFY_READ - 1,
        ]
        .into_iter()
        .enumerate()
        {
            let line = format!("{i}{}", "x".repeat(len));
            input.extend_from_slice(line.as_bytes());
            input.push(b'\n');
            want.push((i + 1, line));
        }
        let got = batches(&input);
        assert!(got.len() > 2, "the input was read in more than one batch");
        assert_eq!(got.concat(), want);
    }

    #[test]
    fn an_input_without_lines_reads_as_one_empty_batch() {
        assert_eq!(batches(b""), vec![vec![]]);
        assert_eq!(batches(b"\n\n"), vec![vec![]]);
    }
}
