//! `binge annotate`: turns the step options, in command-line order, into an annotate stage.

use clap::ArgMatches;

use crate::cli::AnnotateArgs;
use crate::exit::{Exit, UsageError};
use crate::expr::{ParseError, Program, Seg, parse_path, split_assignment};
use crate::stage::annotate::{Annotate, Op, Settings, Step};
use crate::stage::patterns;
use crate::stage::{Built, Piece, Shared};
use crate::stream;

/// The stage the options describe, its steps in command-line order (also what a pipeline's
/// `{"annotate": ...}` builds, its steps in the order of the config's keys).
pub fn build(args: &AnnotateArgs, matches: &ArgMatches) -> anyhow::Result<Built> {
    let steps = steps(args, matches).map_err(UsageError)?;
    let when = args
        .when
        .as_deref()
        .map(|w| Program::compile(w).map_err(|e| UsageError(format!("--when: {}", e.render(w)))))
        .transpose()?;
    let settings = Settings {
        when,
        keep_existing: args.keep_existing,
        unmatched: args.unmatched,
        time_unit: args.time_unit.map(Into::into),
        year: args.year.unwrap_or_else(crate::time::current_year),
    };
    Ok(Built {
        piece: Piece::Free(Box::new(Shared::new(Annotate::new(steps, settings)))),
        own: None,
    })
}

pub fn run(args: &AnnotateArgs, matches: &ArgMatches) -> anyhow::Result<Exit> {
    let mut stage = build(args, matches)?.piece.into_stage();
    let opts = super::stream_options("annotate", &args.stream);
    let opts = super::with_resume(opts, &args.stream, &args.state, &args.files, None)?;
    stream::run(&opts, &args.files, stage.as_mut(), stream::event_writer()?)
}

/// Every step option with its position on the command line, sorted into that order.
fn steps(args: &AnnotateArgs, m: &ArgMatches) -> Result<Vec<Step>, String> {
    type Build = fn(&str) -> Result<Op, String>;
    let kinds: [(&str, &str, &Vec<String>, Build); 9] = [
        ("set", "--set", &args.set, set),
        ("rename", "--rename", &args.rename, |v| {
            let (from, to) = pair(v, "OLD=NEW")?;
            Ok(Op::Rename { from, to })
        }),
        ("copy", "--copy", &args.copy, |v| {
            let (from, to) = pair(v, "SRC=DST")?;
            Ok(Op::Copy { from, to })
        }),
        ("delete", "--delete", &args.delete, |v| {
            Ok(Op::Delete { path: field(v)? })
        }),
        ("keep", "--keep", &args.keep, keep),
        ("extract", "--extract", &args.extract, extract),
        ("parse_json", "--parse-json", &args.parse_json, |v| {
            Ok(Op::ParseJson { field: field(v)? })
        }),
        ("parse_logfmt", "--parse-logfmt", &args.parse_logfmt, |v| {
            Ok(Op::ParseLogfmt { field: field(v)? })
        }),
        ("parse_time", "--parse-time", &args.parse_time, parse_time),
    ];
    let mut steps = Vec::new();
    for (id, flag, values, build) in kinds {
        let positions: Vec<usize> = m.indices_of(id).map(Iterator::collect).unwrap_or_default();
        for (k, value) in values.iter().enumerate() {
            let label = format!("{flag} {value}");
            let op = build(value).map_err(|e| format!("{label}: {e}"))?;
            steps.push((
                positions.get(k).copied().unwrap_or(usize::MAX),
                Step { op, label },
            ));
        }
    }
    steps.sort_by_key(|(pos, _)| *pos);
    Ok(steps.into_iter().map(|(_, s)| s).collect())
}

fn path_error(text: &str, e: ParseError) -> String {
    e.render(text)
}

/// A path that names a field: not the whole event.
fn field(text: &str) -> Result<Vec<Seg>, String> {
    let path = parse_path(text).map_err(|e| path_error(text, e))?;
    if path.is_empty() {
        return Err("the path must name a field, not the whole event".into());
    }
    Ok(path)
}

fn pair(text: &str, shape: &str) -> Result<(Vec<Seg>, Vec<Seg>), String> {
    let (a, b) = split_assignment(text).ok_or_else(|| format!("expected {shape}"))?;
    Ok((field(a)?, field(b)?))
}

fn set(text: &str) -> Result<Op, String> {
    let (path, expr) = split_assignment(text).ok_or("expected PATH=EXPR")?;
    let path = parse_path(path).map_err(|e| path_error(path, e))?;
    let expr = Program::compile(expr).map_err(|e| e.render(expr))?;
    Ok(Op::Set { path, expr })
}

fn keep(text: &str) -> Result<Op, String> {
    let mut paths = Vec::new();
    let mut rest = text;
    // Commas inside quoted names belong to the name.
    while !rest.is_empty() {
        let mut quoted = false;
        let cut = rest
            .char_indices()
            .find(|&(_, c)| {
                if c == '"' {
                    quoted = !quoted;
                }
                c == ',' && !quoted
            })
            .map_or(rest.len(), |(i, _)| i);
        let part = rest[..cut].trim();
        if !part.is_empty() {
            paths.push(parse_path(part).map_err(|e| path_error(part, e))?);
        }
        rest = rest.get(cut + 1..).unwrap_or("");
    }
    if paths.is_empty() {
        return Err("expected one or more comma-separated paths".into());
    }
    Ok(Op::Keep { paths })
}

fn extract(text: &str) -> Result<Op, String> {
    let (f, pattern) = split_assignment(text).ok_or("expected FIELD=REGEX or FIELD=@NAME")?;
    let field = field(f)?;
    let layouts = if let Some(name) = pattern.strip_prefix('@') {
        patterns::builtin(name).ok_or_else(|| {
            format!(
                "no built-in pattern @{name} (there are {})",
                patterns::names()
            )
        })?
    } else {
        let re =
            regex::Regex::new(pattern).map_err(|e| format!("invalid regular expression: {e}"))?;
        if re.capture_names().flatten().next().is_none() {
            return Err("the regular expression has no named groups, such as (?P<name>...)".into());
        }
        vec![re]
    };
    Ok(Op::Extract { field, layouts })
}

fn parse_time(text: &str) -> Result<Op, String> {
    let (f, format) = match split_assignment(text) {
        Some((f, fmt)) => (f, Some(fmt.to_string())),
        None => (text, None),
    };
    if let Some(fmt) = &format {
        check_format(fmt)?;
    }
    Ok(Op::ParseTime {
        field: field(f)?,
        format,
    })
}

/// Refuses unknown % directives before any input is read.
fn check_format(fmt: &str) -> Result<(), String> {
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c == '%' {
            match chars.next() {
                Some(
                    'Y' | 'y' | 'm' | 'd' | 'e' | 'H' | 'I' | 'p' | 'M' | 'S' | 'f' | 'b' | 'h'
                    | 'B' | 'a' | 'A' | 'j' | 'z' | 'Z' | 's' | 'T' | 'F' | 'D' | '%',
                ) => {}
                Some(other) => return Err(format!("unknown time format directive %{other}")),
                None => return Err("the time format ends with a lone %".into()),
            }
        }
    }
    Ok(())
}
