//! `binge run PIPELINE.json` (DESIGN.md §7): agglo's single JSON config. It owns reading the
//! config, pointing at the exact place of every mistake in it, and running its pipelines side
//! by side in one process.
//!
//! A stage in the config is written with its subcommand's long options:
//! `{"annotate": {"extract": ["message=@syslog"], "set": [".a=1"]}}` is `binge annotate
//! --extract message=@syslog --set .a=1`. The config is turned into exactly that command line
//! and parsed by the same clap definitions, so the options, their defaults, their checks and
//! their order (annotate's steps, aggregate's statistics) are the subcommand's, `--help` and
//! the man pages document the config, and `binge SUB ... --print-config` is the way back.
//! The parsed options are then built into stages by the subcommand's own `build`.

pub mod chain;

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, PipeReader, PipeWriter, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

use clap::{ArgMatches, FromArgMatches, Parser};
use serde::Deserialize;
use serde_json::Value as Json;

use crate::cli::{Cli, Command, ServeArgs, own_arguments};
use crate::exit::{Exit, UsageError};
use crate::stage::Built;
use crate::stream::{self, Inputs};
use chain::Chain;

/// The subcommands a config can use as stages.
const STAGES: [&str; 5] = ["filter", "annotate", "aggregate", "tee", "entwine"];

/// Options that belong to a pipeline's input (or are commands of their own), never to a stage.
const NOT_STAGE_OPTIONS: [&str; 18] = [
    "text",
    "multiline",
    "on-error",
    "dead-letter",
    "max-line-bytes",
    "quiet",
    "resume",
    "state",
    "durability",
    "files",
    "inputs",
    "limit",
    "show",
    "list",
    "reset",
    "help",
    "version",
    "print-config",
];

/// The input options a pipeline's input takes besides its source.
const INPUT_OPTIONS: [&str; 6] = [
    "text",
    "multiline",
    "on-error",
    "dead-letter",
    "max-line-bytes",
    "resume",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Top {
    /// As the global --tz.
    #[serde(default)]
    tz: Option<String>,
    /// As --state: the state file of every stage and input that keeps state.
    #[serde(default)]
    state: Option<String>,
    /// As --durability.
    #[serde(default)]
    durability: Option<String>,
    pipelines: BTreeMap<String, PipelineText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PipelineText {
    #[serde(default)]
    input: Option<Json>,
    #[serde(default)]
    stages: Vec<Json>,
    #[serde(default)]
    output: Option<Json>,
}

/// One step of a path into the config.
#[derive(Debug, Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

#[derive(Debug, Clone, Default)]
struct At(Vec<Seg>);

impl At {
    fn key(&self, k: &str) -> At {
        let mut p = self.0.clone();
        p.push(Seg::Key(k.to_string()));
        At(p)
    }

    fn index(&self, i: usize) -> At {
        let mut p = self.0.clone();
        p.push(Seg::Index(i));
        At(p)
    }
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str(".");
        }
        for seg in &self.0 {
            match seg {
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

/// A mistake in a config: where it is (the JSON path, and the line and column of the value
/// there) and what is wrong.
#[derive(Debug)]
pub struct ConfigError {
    file: String,
    path: String,
    line: usize,
    column: usize,
    message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: at {}: {}",
            self.file, self.line, self.column, self.path, self.message
        )
    }
}

/// The text of a config with its name, for pointing into it.
struct Source<'a> {
    name: &'a str,
    text: &'a str,
}

impl Source<'_> {
    /// An error about the value at `at`.
    fn error(&self, at: &At, message: impl Into<String>) -> ConfigError {
        let (line, column) = self.locate(at);
        ConfigError {
            file: self.name.to_string(),
            path: at.to_string(),
            line,
            column,
            message: message.into(),
        }
    }

    /// The line and column (from 1) where the value at `at` starts; where a step is missing,
    /// where the last value found starts.
    fn locate(&self, at: &At) -> (usize, usize) {
        let bytes = self.text.as_bytes();
        let mut value: &[u8] = bytes;
        for seg in &at.0 {
            let next = match seg {
                Seg::Key(k) => crate::json::find_member(value, k),
                Seg::Index(i) => crate::json::nth_element(value, *i as i64),
            };
            match next {
                Some(v) => value = v,
                None => break,
            }
        }
        let mut offset = value.as_ptr() as usize - bytes.as_ptr() as usize;
        while bytes.get(offset).is_some_and(u8::is_ascii_whitespace) {
            offset += 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, column)
    }
}

/// Where a pipeline's events come from.
enum From {
    /// Files by name (standard input when none).
    Files(Vec<String>),
    /// What another pipeline passes on.
    Pipeline(String, At),
    /// A consumer group of a topic of the durable log.
    Log(Box<crate::cli::LogReadArgs>),
    /// HTTP, from the options of the `{"http": ...}` input or of `binge serve --pipeline`.
    Http(Option<Box<ServeArgs>>),
}

/// A pipeline as the config describes it, checked, before anything is opened.
struct Planned {
    name: String,
    from: From,
    /// The input options, as command-line words (`--text`, `--on-error=fail`).
    input: Vec<String>,
    stages: Vec<Parsed>,
    /// `None`: standard output.
    output: Option<Parsed>,
    /// The config's state file and durability, as command-line words.
    common: Vec<String>,
}

/// A stage's options, parsed by clap.
struct Parsed {
    label: String,
    at: At,
    /// Where each option given is in the config.
    keys: Vec<(String, At)>,
    /// The stage's "tz", else the config's.
    zone: Option<jiff::tz::TimeZone>,
    command: Command,
    matches: ArgMatches,
}

/// A config, read and checked.
pub struct Plan {
    pipelines: Vec<Planned>,
}

/// `binge run`, and `binge serve --pipeline` (then `http` inputs take the events the daemon
/// accepts).
pub fn run_file(path: &Path, check: bool, serve: Option<&ServeArgs>) -> anyhow::Result<Exit> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let name = path.display().to_string();
    let plan = read(&name, &text, serve).map_err(|e| UsageError(e.to_string()))?;
    if check {
        let src = Source {
            name: &name,
            text: &text,
        };
        for p in &plan.pipelines {
            for s in p.stages.iter().chain(&p.output) {
                dry_build(s).map_err(|e| s.error(&src, &e))?;
            }
        }
        eprintln!(
            "binge run: {name}: {} pipeline{} ok",
            plan.pipelines.len(),
            if plan.pipelines.len() == 1 { "" } else { "s" }
        );
        return Ok(Exit::Success);
    }
    execute(plan, &name, &text, serve)
}

/// Reads and checks a config: its JSON, its shape, every stage's options, and how the
/// pipelines feed each other.
pub fn read(name: &str, text: &str, serve: Option<&ServeArgs>) -> Result<Plan, ConfigError> {
    let src = Source { name, text };
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = serde_path_to_error::deserialize(&mut de).map(|t: Top| (t, de.end()));
    let top = match parsed {
        Ok((top, Ok(()))) => top,
        Ok((_, Err(e))) => {
            return Err(ConfigError {
                file: name.to_string(),
                path: ".".into(),
                line: e.line(),
                column: e.column(),
                message: "something follows the config's object".into(),
            });
        }
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let message = inner.to_string();
            // serde_json says where; "at line L column C" is said once, by us.
            let message = match message.rfind(" at line ") {
                Some(i) => message[..i].to_string(),
                None => message,
            };
            return Err(ConfigError {
                file: name.to_string(),
                // serde_path_to_error says ? where it lost track (a syntax error).
                path: match path.trim_end_matches(".?").trim_end_matches('?') {
                    "" | "." => ".".into(),
                    p => format!(".{p}"),
                },
                line: inner.line(),
                column: inner.column(),
                message,
            });
        }
    };
    if top.pipelines.is_empty() {
        return Err(src.error(
            &At::default().key("pipelines"),
            "name at least one pipeline",
        ));
    }
    let mut common = Vec::new();
    if let Some(state) = &top.state {
        common.push(format!("--state={state}"));
    }
    if let Some(d) = &top.durability {
        common.push(format!("--durability={d}"));
    }
    let zone = top
        .tz
        .as_deref()
        .map(crate::time::zone_named)
        .transpose()
        .map_err(|e| src.error(&At::default().key("tz"), e))?;
    let mut pipelines = Vec::new();
    for (pname, p) in &top.pipelines {
        let at = At::default().key("pipelines").key(pname);
        pipelines.push(plan_pipeline(
            &src,
            pname,
            p,
            &at,
            &common,
            serve,
            zone.as_ref(),
        )?);
    }
    let plan = Plan { pipelines };
    check_links(&src, &plan)?;
    Ok(plan)
}

fn plan_pipeline(
    src: &Source<'_>,
    name: &str,
    p: &PipelineText,
    at: &At,
    common: &[String],
    serve: Option<&ServeArgs>,
    zone: Option<&jiff::tz::TimeZone>,
) -> Result<Planned, ConfigError> {
    let (from, input) = plan_input(src, p.input.as_ref(), &at.key("input"), common, serve)?;
    let around = Around {
        common,
        input: &input,
        zone,
    };
    let mut stages = Vec::new();
    for (i, stage) in p.stages.iter().enumerate() {
        let at = at.key("stages").index(i);
        let Json::Object(map) = stage else {
            return Err(src.error(
                &at,
                "a stage is an object with one member, the subcommand: {\"filter\": {...}}",
            ));
        };
        let mut members = map.iter();
        let (Some((kind, body)), None) = (members.next(), members.next()) else {
            return Err(src.error(
                &at,
                format!(
                    "a stage has exactly one member, the subcommand ({})",
                    STAGES.join(", ")
                ),
            ));
        };
        if !STAGES.contains(&kind.as_str()) {
            return Err(src.error(
                &at.key(kind),
                format!(
                    "no stage is called {kind}; a stage is one of {}",
                    STAGES.join(", ")
                ),
            ));
        }
        let label = format!("{name}.stages[{i}] {kind}");
        stages.push(parse_stage(src, kind, body, &at.key(kind), label, &around)?);
    }
    let output = match &p.output {
        None | Some(Json::Null) => None,
        Some(Json::String(s)) if s == "-" || s == "stdout" => None,
        Some(Json::String(target)) => {
            let at = at.key("output");
            let body = serde_json::json!({ "targets": [target] });
            Some(parse_stage(
                src,
                "tee",
                &body,
                &at,
                format!("{name}.output"),
                &around,
            )?)
        }
        Some(body @ Json::Object(_)) => {
            let at = at.key("output");
            Some(parse_stage(
                src,
                "tee",
                body,
                &at,
                format!("{name}.output"),
                &around,
            )?)
        }
        Some(_) => {
            return Err(src.error(
                &at.key("output"),
                "an output is \"-\" (standard output), a target as binge tee takes it \
                 (\"log:TOPIC\", \"http://...\", a file), or tee's options with \"targets\"",
            ));
        }
    };
    let planned = Planned {
        name: name.to_string(),
        from,
        input,
        stages,
        output,
        common: common.to_vec(),
    };
    let resumes = planned.input.iter().any(|w| w.starts_with("--resume"));
    if resumes {
        let held = planned
            .stages
            .iter()
            .chain(&planned.output)
            .filter(|s| !matches!(s.command, Command::Filter(_) | Command::Annotate(_)))
            .count();
        if held > 1 {
            return Err(src.error(
                &at.key("input").key("resume"),
                "resume keeps the place in the input with the state of the one stage that \
                 keeps state; this pipeline has several (split it in two pipelines, the second \
                 reading the first)",
            ));
        }
        if !matches!(planned.from, From::Files(ref f) if !f.is_empty()) {
            return Err(src.error(
                &at.key("input").key("resume"),
                "resume keeps a place in files: name them in \"files\"",
            ));
        }
    }
    Ok(planned)
}

/// What a pipeline gives each of its stages: the config's state options, the input's options
/// (as command-line words) and the config's zone.
#[derive(Clone, Copy)]
struct Around<'c> {
    common: &'c [String],
    input: &'c [String],
    zone: Option<&'c jiff::tz::TimeZone>,
}

/// The words a JSON value stands for as the value of option `key`: one per element of an
/// array; none for false and null.
fn words(
    src: &Source<'_>,
    key: &str,
    v: &Json,
    at: &At,
    takes_value: bool,
) -> Result<Vec<Option<String>>, ConfigError> {
    let one = |v: &Json, at: &At| -> Result<Option<String>, ConfigError> {
        match v {
            Json::String(s) if takes_value => Ok(Some(s.clone())),
            Json::Number(n) if takes_value => Ok(Some(n.to_string())),
            Json::Bool(true) if !takes_value => Ok(None),
            _ if takes_value => Err(src.error(
                at,
                format!("{key} takes a string (or a number, or a list of them)"),
            )),
            _ => Err(src.error(at, format!("{key} is a switch: true or false"))),
        }
    };
    match v {
        Json::Null | Json::Bool(false) => Ok(Vec::new()),
        Json::Array(items) if takes_value => items
            .iter()
            .enumerate()
            .map(|(i, item)| one(item, &at.index(i)))
            .collect(),
        other => Ok(vec![one(other, at)?]),
    }
}

/// The command-line word for option `key` with `value` (none: a switch). `--key=value`, so a
/// value that starts with a dash is never taken for an option.
fn word(key: &str, value: Option<String>) -> String {
    match value {
        Some(v) => format!("--{key}={v}"),
        None => format!("--{key}"),
    }
}

/// The words for option `key` of command `sub` (named `who` in messages) set to `value`.
fn option_words(
    src: &Source<'_>,
    parent: &clap::Command,
    sub: &clap::Command,
    who: &str,
    key: &str,
    value: &Json,
    at: &At,
) -> Result<Vec<String>, ConfigError> {
    let Some(arg) = own_arguments(parent, sub).find(|a| a.get_long() == Some(key)) else {
        return Err(src.error(at, format!("{who} has no option {key}")));
    };
    Ok(words(src, key, value, at, arg.get_action().takes_values())?
        .into_iter()
        .map(|w| word(key, w))
        .collect())
}

/// Turns a stage's options into its subcommand's command line and parses it. `body` is an
/// object of options (in the order given, which is the order of annotate's steps and of
/// aggregate's statistics), or a list of one-member objects when an option must come back
/// after another.
fn parse_stage(
    src: &Source<'_>,
    kind: &str,
    body: &Json,
    at: &At,
    label: String,
    around: &Around<'_>,
) -> Result<Parsed, ConfigError> {
    let Around {
        common,
        input,
        zone: default_zone,
    } = *around;
    let members: Vec<(&String, &Json, At)> = match body {
        Json::Object(map) => map.iter().map(|(k, v)| (k, v, at.key(k))).collect(),
        Json::Array(items) => {
            let mut members = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item {
                    Json::Object(m) if m.len() == 1 => {
                        let (k, v) = m.iter().next().expect("one member");
                        members.push((k, v, at.index(i).key(k)));
                    }
                    _ => {
                        return Err(src.error(
                            &at.index(i),
                            "in a list of options, each is an object with one member",
                        ));
                    }
                }
            }
            members
        }
        _ => {
            return Err(src.error(
                at,
                format!("{kind}'s options are an object, as in {{\"{kind}\": {{...}}}}"),
            ));
        }
    };
    // A stage may read times in a zone of its own; the config's is the default.
    let mut zone = default_zone.cloned();
    let mut members = members;
    if let Some(i) = members.iter().position(|(k, _, _)| k.as_str() == "tz") {
        let (_, value, at) = members.remove(i);
        let Json::String(name) = value else {
            return Err(src.error(&at, "tz is a zone name, as in \"Europe/Berlin\""));
        };
        zone = Some(crate::time::zone_named(name).map_err(|e| src.error(&at, e))?);
    }
    let cli = crate::cli::command();
    let sub = cli.find_subcommand(kind).expect("a stage is a subcommand");
    let mut argv: Vec<String> = vec!["binge".into(), kind.into()];
    let mut positional = Vec::new();
    for (key, value, at) in members.iter().cloned() {
        let arg = own_arguments(&cli, sub).find(|a| match a.get_long() {
            Some(long) => long == key,
            None => a.is_positional() && a.get_id().as_str() == key,
        });
        let known: Vec<String> = own_arguments(&cli, sub)
            .filter_map(|a| {
                a.get_long()
                    .map(str::to_string)
                    .or_else(|| a.is_positional().then(|| a.get_id().to_string()))
            })
            .filter(|k| !NOT_STAGE_OPTIONS.contains(&k.as_str()))
            .collect();
        let arg = match arg {
            Some(a) if !NOT_STAGE_OPTIONS.contains(&key.as_str()) => a,
            Some(_) if INPUT_OPTIONS.contains(&key.as_str()) => {
                return Err(src.error(
                    &at,
                    format!("{key} is an option of the pipeline's input, not of a stage"),
                ));
            }
            _ => {
                return Err(src.error(
                    &at,
                    format!(
                        "{kind} has no option {key}; its options: {}",
                        known.join(", ")
                    ),
                ));
            }
        };
        let takes_value = arg.get_action().takes_values();
        for given in words(src, key, value, &at, takes_value)? {
            match (arg.is_positional(), given) {
                (true, Some(w)) => positional.push(w),
                (false, w) | (true, w @ None) => argv.push(word(key, w)),
            }
        }
    }
    argv.extend(common.iter().cloned());
    // The input's options reach the stages too: tee dead-letters what its targets refuse
    // into the pipeline's --dead-letter file.
    argv.extend(
        input
            .iter()
            .filter(|w| w.starts_with("--dead-letter"))
            .cloned(),
    );
    argv.push("--".into());
    argv.extend(positional);
    let keys: Vec<(String, At)> = members
        .iter()
        .map(|(k, _, a)| (k.to_string(), a.clone()))
        .collect();
    let matches = cli.clone().try_get_matches_from(&argv).map_err(|e| {
        // Pointed at the option clap names, where the config has it.
        let named = match e.get(clap::error::ContextKind::InvalidArg) {
            Some(clap::error::ContextValue::String(arg)) => arg
                .trim_start_matches('-')
                .split([' ', '=', '<'])
                .next()
                .map(str::to_string),
            _ => None,
        };
        let place = named
            .and_then(|n| keys.iter().find(|(k, _)| *k == n).map(|(_, a)| a.clone()))
            .unwrap_or_else(|| at.clone());
        src.error(&place, clap_message(&e))
    })?;
    let command = Cli::from_arg_matches(&matches)
        .map_err(|e| src.error(at, clap_message(&e)))?
        .command;
    let matches = matches
        .subcommand()
        .map(|(_, m)| m.clone())
        .expect("a subcommand was given");
    Ok(Parsed {
        label,
        keys,
        zone,
        at: at.clone(),
        command,
        matches,
    })
}

/// `binge SUB ... --print-config`: the stage the command line makes, as the config takes it.
/// Options are written in the order given; when one comes back after another (annotate's
/// `--set`, `--extract`, `--set`), as a list of one-member objects, which keeps that order.
pub fn print_config(kind: &str, m: &ArgMatches) -> String {
    let cli = crate::cli::command();
    let sub = cli.find_subcommand(kind).expect("a stage is a subcommand");
    let mut given: Vec<(usize, String, Json)> = Vec::new();
    for arg in own_arguments(&cli, sub) {
        let id = arg.get_id().as_str();
        let key = match arg.get_long() {
            Some(long) => long.to_string(),
            None if arg.is_positional() => id.to_string(),
            None => continue,
        };
        if NOT_STAGE_OPTIONS.contains(&key.as_str())
            || m.value_source(id) != Some(clap::parser::ValueSource::CommandLine)
        {
            continue;
        }
        let at: Vec<usize> = m.indices_of(id).map(Iterator::collect).unwrap_or_default();
        if !arg.get_action().takes_values() {
            given.push((at.first().copied().unwrap_or(0), key, Json::Bool(true)));
            continue;
        }
        let raw: Vec<String> = m
            .get_raw(id)
            .map(|r| r.map(|v| v.to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        for (k, value) in raw.into_iter().enumerate() {
            let i = at.get(k).copied().unwrap_or(usize::MAX);
            given.push((i, key.clone(), Json::String(value)));
        }
    }
    given.sort_by_key(|(i, _, _)| *i);
    // Whether each option's values come in one run.
    let mut runs: Vec<&str> = Vec::new();
    for (_, key, _) in &given {
        if runs.last() != Some(&key.as_str()) {
            runs.push(key);
        }
    }
    let mut seen = runs.clone();
    seen.sort_unstable();
    seen.dedup();
    let body = if seen.len() == runs.len() {
        let mut map = serde_json::Map::new();
        for (_, key, value) in given {
            match map.get_mut(&key) {
                None => {
                    map.insert(key, value);
                }
                Some(Json::Array(items)) => items.push(value),
                Some(first) => *first = Json::Array(vec![first.take(), value]),
            }
        }
        Json::Object(map)
    } else {
        Json::Array(
            given
                .into_iter()
                .map(|(_, key, value)| {
                    let mut one = serde_json::Map::new();
                    one.insert(key, value);
                    Json::Object(one)
                })
                .collect(),
        )
    };
    let mut stage = serde_json::Map::new();
    stage.insert(kind.to_string(), body);
    let mut text = serde_json::to_string_pretty(&Json::Object(stage)).expect("JSON");
    text.push('\n');
    text
}

/// clap's message without its "error: " and usage lines, its `--name` spelled as the config
/// spells it.
fn clap_message(e: &clap::Error) -> String {
    let text = e.to_string();
    let first = text.lines().next().unwrap_or_default();
    first.trim_start_matches("error: ").replace("'--", "'")
}

fn plan_input(
    src: &Source<'_>,
    input: Option<&Json>,
    at: &At,
    common: &[String],
    serve: Option<&ServeArgs>,
) -> Result<(From, Vec<String>), ConfigError> {
    let map = match input {
        None | Some(Json::Null) => return Ok((From::Files(Vec::new()), Vec::new())),
        Some(Json::String(s)) if s == "-" || s == "stdin" => {
            return Ok((From::Files(Vec::new()), Vec::new()));
        }
        Some(Json::String(s)) if s == "http" => {
            return Ok((http_from(src, at, None, serve)?, Vec::new()));
        }
        Some(Json::Object(map)) => map,
        Some(_) => {
            return Err(src.error(
                at,
                "an input is \"-\" (standard input), \"http\", or an object: {\"files\": [...]}, \
                 {\"pipeline\": NAME}, {\"log\": {\"topic\": ..., \"group\": ...}} or \
                 {\"http\": {...}}, with input options beside it",
            ));
        }
    };
    let mut from = None;
    let mut options = Vec::new();
    for (key, value) in map {
        let at = at.key(key);
        let source = match key.as_str() {
            "files" => {
                let files = match value {
                    Json::String(f) => vec![f.clone()],
                    Json::Array(items) => items
                        .iter()
                        .enumerate()
                        .map(|(i, f)| match f {
                            Json::String(f) => Ok(f.clone()),
                            _ => Err(src.error(&at.index(i), "a file is named by a string")),
                        })
                        .collect::<Result<_, _>>()?,
                    _ => return Err(src.error(&at, "files is a list of file names")),
                };
                Some(From::Files(files))
            }
            "pipeline" => match value {
                Json::String(p) => Some(From::Pipeline(p.clone(), at.clone())),
                _ => return Err(src.error(&at, "pipeline names another pipeline")),
            },
            "log" => Some(log_from(src, value, &at, common)?),
            "http" => Some(http_from(src, &at, Some(value), serve)?),
            key if INPUT_OPTIONS.contains(&key) => {
                let takes_value = key != "text";
                let takes_value = takes_value && !(key == "resume" && value == &Json::Bool(true));
                for w in words(src, key, value, &at, takes_value)? {
                    options.push(word(key, w));
                }
                None
            }
            other => {
                return Err(src.error(
                    &at,
                    format!(
                        "an input has no member {other}; it takes one of files, pipeline, log, \
                         http, and the options {}",
                        INPUT_OPTIONS.join(", ")
                    ),
                ));
            }
        };
        if let Some(s) = source {
            if from.is_some() {
                return Err(src.error(
                    &at,
                    "an input reads one source: files, pipeline, log or http",
                ));
            }
            from = Some(s);
        }
    }
    // The options are checked by the parser every subcommand uses for them.
    let mut argv = vec!["binge".to_string(), "filter".to_string()];
    argv.extend(options.iter().cloned());
    argv.extend(common.iter().cloned());
    argv.extend(["--".to_string(), "true".to_string()]);
    Cli::try_parse_from(&argv).map_err(|e| src.error(at, clap_message(&e)))?;
    Ok((from.unwrap_or(From::Files(Vec::new())), options))
}

fn log_from(
    src: &Source<'_>,
    value: &Json,
    at: &At,
    common: &[String],
) -> Result<From, ConfigError> {
    let Json::Object(map) = value else {
        return Err(src.error(at, "log is an object: {\"topic\": ..., \"group\": ...}"));
    };
    let cli = crate::cli::command();
    let log = cli.find_subcommand("log").expect("log exists");
    let read = log.find_subcommand("read").expect("log read exists");
    let mut argv: Vec<String> = vec!["binge".into(), "log".into(), "read".into()];
    let mut topic = None;
    for (key, v) in map {
        let at = at.key(key);
        if key == "topic" {
            match v {
                Json::String(t) => topic = Some(t.clone()),
                _ => return Err(src.error(&at, "topic is a string")),
            }
            continue;
        }
        if matches!(key.as_str(), "exec" | "limit") {
            return Err(src.error(
                &at,
                format!("{key} is not for a pipeline's input: the pipeline takes the events"),
            ));
        }
        argv.extend(option_words(src, log, read, "log read", key, v, &at)?);
    }
    let Some(topic) = topic else {
        return Err(src.error(at, "log needs a topic"));
    };
    argv.extend(common.iter().cloned());
    argv.push("--".into());
    argv.push(topic);
    let cli = Cli::try_parse_from(&argv).map_err(|e| src.error(at, clap_message(&e)))?;
    match cli.command {
        Command::Log(l) => match l.0.command {
            crate::cli::LogCommand::Read(r) => Ok(From::Log(Box::new(r))),
            _ => unreachable!("parsed as log read"),
        },
        _ => unreachable!("parsed as log read"),
    }
}

fn http_from(
    src: &Source<'_>,
    at: &At,
    value: Option<&Json>,
    serve: Option<&ServeArgs>,
) -> Result<From, ConfigError> {
    match value {
        // "http": the events binge serve --pipeline takes.
        None => {
            if serve.is_none() {
                return Err(src.error(
                    at,
                    "\"http\" reads what binge serve --pipeline takes; with binge run, give the \
                     server's options: {\"http\": {\"listen\": \"127.0.0.1:8686\"}}",
                ));
            }
            Ok(From::Http(None))
        }
        Some(Json::Object(map)) => {
            let mut argv: Vec<String> = vec!["binge".into(), "serve".into()];
            let cli = crate::cli::command();
            let sub = cli.find_subcommand("serve").expect("serve exists");
            for (key, v) in map {
                let at = at.key(key);
                if matches!(
                    key.as_str(),
                    "log" | "id" | "pipeline" | "state" | "durability"
                ) {
                    return Err(src.error(
                        &at,
                        format!(
                            "{key} is not for a pipeline's input: the pipeline takes the events"
                        ),
                    ));
                }
                argv.extend(option_words(src, &cli, sub, "serve", key, v, &at)?);
            }
            let cli = Cli::try_parse_from(&argv).map_err(|e| src.error(at, clap_message(&e)))?;
            match cli.command {
                Command::Serve(s) => Ok(From::Http(Some(Box::new(s.0)))),
                _ => unreachable!("parsed as serve"),
            }
        }
        Some(_) => Err(src.error(at, "http is an object of binge serve's options")),
    }
}

/// Every pipeline named as an input exists, and no pipeline reads itself, even through others.
fn check_links(src: &Source<'_>, plan: &Plan) -> Result<(), ConfigError> {
    let names: Vec<&str> = plan.pipelines.iter().map(|p| p.name.as_str()).collect();
    for p in &plan.pipelines {
        if let From::Pipeline(other, at) = &p.from {
            if !names.contains(&other.as_str()) {
                return Err(src.error(
                    at,
                    format!(
                        "no pipeline is named {other}; the pipelines: {}",
                        names.join(", ")
                    ),
                ));
            }
            let mut seen = vec![p.name.as_str()];
            let mut next = other.as_str();
            loop {
                if seen.contains(&next) {
                    return Err(src.error(
                        at,
                        format!(
                            "pipelines read each other in a circle: {} -> {next}",
                            seen.join(" -> ")
                        ),
                    ));
                }
                seen.push(next);
                let up = plan.pipelines.iter().find(|q| q.name == next);
                match up.map(|q| &q.from) {
                    Some(From::Pipeline(n, _)) => next = n,
                    _ => break,
                }
            }
        }
    }
    let https = plan
        .pipelines
        .iter()
        .filter(|p| matches!(p.from, From::Http(Some(_))))
        .count();
    if https > 0
        && plan
            .pipelines
            .iter()
            .any(|p| matches!(p.from, From::Http(None)))
    {
        return Err(src.error(
            &At::default().key("pipelines"),
            "\"http\" inputs and {\"http\": {...}} servers cannot be mixed",
        ));
    }
    Ok(())
}

impl Parsed {
    /// Where a message about this stage points: at the option it names (`--when: ...`), at a
    /// filter's expression, else at the stage.
    fn place(&self, message: &str) -> At {
        let named = self.keys.iter().find(|(k, _)| {
            message.starts_with(&format!("--{k} ")) || message.starts_with(&format!("--{k}:"))
        });
        let named = named.or_else(|| {
            matches!(self.command, Command::Filter(_))
                .then(|| self.keys.iter().find(|(k, _)| k == "expr"))
                .flatten()
        });
        named.map_or_else(|| self.at.clone(), |(_, at)| at.clone())
    }

    fn error(&self, src: &Source<'_>, e: &anyhow::Error) -> UsageError {
        let message = format!("{e:#}");
        UsageError(src.error(&self.place(&message), message).to_string())
    }
}

/// Builds a stage from its parsed options.
fn build(p: &Parsed) -> anyhow::Result<Built> {
    match &p.command {
        Command::Filter(a) => crate::cmd::filter::build(a),
        Command::Annotate(a) => crate::cmd::annotate::build(a, &p.matches),
        Command::Aggregate(a) => crate::cmd::aggregate::build(a, &p.matches),
        Command::Tee(a) => crate::cmd::tee::build(a),
        Command::Entwine(a) if a.command.is_none() => crate::cmd::entwine::build(a),
        Command::Entwine(_) => Err(UsageError(
            "entwine's subcommands are commands of their own, not stages".into(),
        )
        .into()),
        _ => unreachable!("only stages are parsed here"),
    }
}

/// What `--check` builds: everything that opens nothing, creates nothing and reads no state.
fn dry_build(p: &Parsed) -> anyhow::Result<()> {
    match &p.command {
        Command::Filter(_) | Command::Annotate(_) => build(p).map(drop),
        Command::Aggregate(a) => {
            // The definition is checked in memory; the state file is not opened.
            let mut a = a.clone();
            a.name = None;
            crate::cmd::aggregate::build(&a, &p.matches).map(drop)
        }
        Command::Tee(a) => crate::cmd::tee::settings(a).map(drop),
        Command::Entwine(a) => crate::cmd::entwine::check(a),
        _ => unreachable!("only stages are parsed here"),
    }
}

/// Standard output shared by several pipelines: each write goes out whole, so lines of two
/// pipelines never interleave.
#[derive(Clone)]
struct Shared(Arc<Mutex<std::fs::File>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut f = self.0.lock().unwrap_or_else(|p| p.into_inner());
        f.write_all(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// What one pipeline passes on, copied to every pipeline that reads it.
struct FanOut(Vec<PipeWriter>);

impl Write for FanOut {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for w in &mut self.0 {
            w.write_all(buf)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// What feeds a pipeline from outside the process's files.
enum Feeder {
    /// A consumer group, delivering into the pipeline as `log read` delivers into a pipe:
    /// an event counts as delivered once the pipeline has taken it.
    Log(Box<crate::cli::LogReadArgs>, Vec<String>, PipeWriter),
    /// The daemon, handing what it accepts to the pipelines that read `"http"`.
    Http(Box<ServeArgs>, Vec<PipeWriter>, Vec<Arc<chain::Meter>>),
}

impl Feeder {
    fn run(self) -> anyhow::Result<Exit> {
        match self {
            Feeder::Log(r, _, w) if r.topic.starts_with("nats://") => {
                crate::log::jetstream::read_to(
                    &crate::cmd::log::read_options(&r)?,
                    std::fs::File::from(std::os::fd::OwnedFd::from(w)),
                )
            }
            Feeder::Log(r, common, w) => {
                let options = crate::cmd::log::read_options(&r)?;
                // The state file the config names, as every stage's.
                let mut argv = vec!["binge".to_string(), "state".to_string()];
                argv.extend(common);
                argv.push("inputs".into());
                let state = match Cli::try_parse_from(&argv)?.command {
                    Command::State(s) => s.0.state,
                    _ => unreachable!("parsed as state"),
                };
                let path = crate::store::state_path(state.state.as_deref())?;
                let mut store = crate::store::Store::open(&path, state.durability)?;
                crate::cmd::log::known_topic(&store, "log read", &r.topic, r.follow)?;
                crate::log::read_to(
                    &mut store,
                    &options,
                    std::fs::File::from(std::os::fd::OwnedFd::from(w)),
                )
            }
            Feeder::Http(args, writers, meters) => {
                let mut settings = crate::cmd::serve::settings(&args)?;
                settings.out = Some(Box::new(FanOut(writers)));
                settings.meters = meters;
                crate::serve::serve(settings)?;
                Ok(Exit::Success)
            }
        }
    }
}

/// The status that says more of two: a failure over a usage error over a bad line over a
/// stop.
fn worse(a: Exit, b: Exit) -> Exit {
    let rank = |e: Exit| match e {
        Exit::Success => 0,
        Exit::Interrupted => 1,
        Exit::Incomplete => 2,
        Exit::BadInput => 3,
        Exit::Usage => 4,
        Exit::Failure => 5,
    };
    if rank(b) > rank(a) { b } else { a }
}

fn execute(plan: Plan, name: &str, text: &str, serve: Option<&ServeArgs>) -> anyhow::Result<Exit> {
    let src = Source { name, text };
    // Pipes between pipelines: the reading end by reader, the writing ends by writer.
    let mut readers: BTreeMap<String, PipeReader> = BTreeMap::new();
    let mut writers: BTreeMap<String, Vec<PipeWriter>> = BTreeMap::new();
    let mut http: Vec<PipeWriter> = Vec::new();
    for p in &plan.pipelines {
        match &p.from {
            From::Pipeline(up, _) => {
                let (r, w) = io::pipe()?;
                readers.insert(p.name.clone(), r);
                writers.entry(up.clone()).or_default().push(w);
            }
            From::Http(None) => {
                let (r, w) = io::pipe()?;
                readers.insert(p.name.clone(), r);
                http.push(w);
            }
            _ => {}
        }
    }
    let to_stdout = plan
        .pipelines
        .iter()
        .filter(|p| p.output.is_none() && !writers.contains_key(&p.name))
        .count();
    let shared = Shared(Arc::new(Mutex::new(stream::stdout()?)));
    stream::catch_stop_signals();

    // Everything is built before anything runs: a stage that cannot be made stops the run
    // before a single event is read.
    struct Ready {
        name: String,
        opts: stream::Options,
        chain: Chain,
        files: Vec<String>,
        pipe: Option<PipeReader>,
        out: Box<dyn Write + Send>,
    }
    let mut ready = Vec::new();
    let mut feeders = Vec::new();
    let mut meters = Vec::new();
    // Counting costs a little per event per stage: only a daemon, which has /metrics, counts.
    let metered = plan
        .pipelines
        .iter()
        .any(|p| matches!(p.from, From::Http(_)));
    for p in plan.pipelines {
        let mut pieces = Vec::new();
        let mut own = None;
        for s in p.stages.iter().chain(&p.output) {
            let built = build(s).map_err(|e| s.error(&src, &e))?;
            if built.own.is_some() {
                own = built.own;
            }
            pieces.push((s.label.clone(), built.piece, s.zone.clone()));
        }
        let command: &'static str = Box::leak(format!("run {}", p.name).into_boxed_str());
        let mut argv = vec!["binge".to_string(), "filter".to_string()];
        argv.extend(p.input.iter().cloned());
        argv.extend(p.common.iter().cloned());
        argv.extend(["--".to_string(), "true".to_string()]);
        let Command::Filter(args) = Cli::try_parse_from(&argv)?.command else {
            unreachable!("parsed as filter")
        };
        let mut opts = crate::cmd::stream_options(command, &args.stream);
        opts.progress = false;
        let files = match &p.from {
            From::Files(f) => f.clone(),
            _ => Vec::new(),
        };
        let opts = crate::cmd::with_resume(opts, &args.stream, &args.state, &files, own)?;
        let out: Box<dyn Write + Send> = match writers.remove(&p.name) {
            Some(ws) => Box::new(FanOut(ws)),
            None if p.output.is_some() => Box::new(io::sink()),
            None if to_stdout == 1 => stream::event_writer()?,
            None => Box::new(shared.clone()),
        };
        let pipe = match p.from {
            From::Pipeline(..) | From::Http(None) => readers.remove(&p.name),
            From::Log(r) => {
                let (rd, w) = io::pipe()?;
                feeders.push((p.name.clone(), Feeder::Log(r, p.common.clone(), w)));
                Some(rd)
            }
            From::Http(Some(s)) => {
                let (rd, w) = io::pipe()?;
                feeders.push((p.name.clone(), Feeder::Http(s, vec![w], Vec::new())));
                Some(rd)
            }
            From::Files(_) => None,
        };
        let mut chain = Chain::zoned(pieces);
        if metered {
            meters.push(chain.meter(&p.name));
        }
        ready.push(Ready {
            name: p.name,
            opts,
            chain,
            files,
            pipe,
            out,
        });
    }
    if !http.is_empty() {
        let args = serve.expect("\"http\" inputs are only read under binge serve");
        feeders.push((
            "serve".into(),
            Feeder::Http(Box::new(args.clone()), http, Vec::new()),
        ));
    }
    // A daemon's /metrics counts every stage of every pipeline; SIGTERM is how it is stopped,
    // not an interruption.
    let daemon = feeders.iter().any(|(_, f)| matches!(f, Feeder::Http(..)));
    for (_, f) in &mut feeders {
        if let Feeder::Http(_, _, m) = f {
            *m = meters.clone();
        }
    }

    let statuses: Vec<(String, anyhow::Result<Exit>)> = std::thread::scope(|scope| {
        let mut handles = Vec::new();
        for (name, feeder) in feeders {
            handles.push((format!("{name} (input)"), scope.spawn(move || feeder.run())));
        }
        for r in ready {
            handles.push((
                r.name.clone(),
                scope.spawn(move || {
                    let Ready {
                        name,
                        opts,
                        mut chain,
                        files,
                        pipe,
                        out,
                    } = r;
                    let inputs = match pipe {
                        Some(reader) => Inputs::Pipe(format!("pipeline:{name}"), reader),
                        None => Inputs::Named(&files),
                    };
                    stream::run_from(&opts, inputs, &mut chain, out)
                }),
            ));
        }
        handles
            .into_iter()
            .map(|(n, h)| {
                let status = h
                    .join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("its thread panicked")));
                (n, status)
            })
            .collect()
    });
    let mut worst = Exit::Success;
    for (name, status) in statuses {
        match status {
            Ok(s) => worst = worse(worst, s),
            Err(e) => {
                let usage = e.downcast_ref::<UsageError>().is_some();
                worst = worse(worst, if usage { Exit::Usage } else { Exit::Failure });
                if e.downcast_ref::<stream::StdoutClosed>().is_none() {
                    eprintln!("binge run: pipeline {name}: {e:#}");
                }
            }
        }
    }
    if daemon && worst == Exit::Interrupted {
        return Ok(Exit::Success);
    }
    Ok(worst)
}
