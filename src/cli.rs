//! The command line: every clap definition lives here, the single source of `--help`, the man
//! pages and the shell completions. Nothing here runs anything.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::exit::EXIT_STATUS_HELP;
use crate::log::Fill;
use crate::stage::annotate::Unmatched;
use crate::store::Durability;
use crate::stream::OnError;
use crate::time::Unit;

const ABOUT: &str = "Event-stream processing the Unix way: NDJSON in, NDJSON out";

const LONG_ABOUT: &str = "\
binge reads events (one JSON object per line) from files or standard input, processes them, \
and writes NDJSON to standard output, so its subcommands chain with shell pipes. Every \
subcommand can also be run through a link named binge-<subcommand>.";

const AFTER_HELP: &str = "\
Examples:
  tail -F /var/log/app.ndjson | binge filter '.level == \"error\"'
  binge filter --text '.message =~ \"Failed password\"' /var/log/auth.log

Every subcommand reads NDJSON from the files named (standard input when none, or -), writes \
compact NDJSON to standard output and passes unchanged events through byte for byte. Bad input \
lines are reported on stderr and skipped (see --on-error and --dead-letter).";

/// binge: event-stream processing the Unix way.
#[derive(Debug, Parser)]
#[command(
    name = "binge",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    propagate_version = true,
    disable_help_subcommand = true,
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an
    /// IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system's zone)
    #[arg(long, value_name = "ZONE", global = true, display_order = 900)]
    pub tz: Option<String>,

    /// How events are written: ndjson, json (one array), csv or tsv (with a header), table
    /// (aligned, for a terminal)
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT", global = true, display_order = 901, default_value_t = crate::stream::Format::Ndjson)]
    pub output: crate::stream::Format,

    /// With -o csv, tsv or table: these comma-separated members as columns (default: the
    /// first event's)
    #[arg(
        long,
        value_name = "NAMES",
        global = true,
        display_order = 902,
        value_delimiter = ','
    )]
    pub columns: Option<Vec<String>>,
}

/// The whole command line, built: every subcommand's arguments are there to look at (the
/// config reader, `binge help`, the man pages and completions), and the top-level long help
/// ends with the functions reference.
pub fn command() -> clap::Command {
    let mut cmd = Cli::command().after_long_help(top_long_help());
    cmd.build();
    cmd
}

/// `sub`'s own arguments: not the global ones it has from `parent` (`--tz`, `-o` and
/// `--columns` from the top, `--state` from `log`), which a built command lists under every
/// subcommand too.
pub fn own_arguments<'a>(
    parent: &'a clap::Command,
    sub: &'a clap::Command,
) -> impl Iterator<Item = &'a clap::Arg> + 'a {
    sub.get_arguments().filter(|a| {
        !parent
            .get_arguments()
            .any(|p| p.is_global_set() && p.get_id() == a.get_id())
    })
}

/// The command line to parse `args` (argv as [`normalize_args`] leaves it) with. Only the
/// subcommand being run is built, when clap reaches it ([`Lazy`]), and the top-level long help,
/// which formats the functions reference, only when it may be shown: building everything was
/// most of binge's start-up work.
pub fn command_for(args: &[OsString]) -> clap::Command {
    let top_help = args
        .iter()
        .skip(1)
        .filter_map(|a| a.to_str())
        .find_map(|a| match a {
            "--help" => Some(true),
            a if Command::has_subcommand(a) => Some(false),
            _ => None,
        })
        .unwrap_or(true);
    let cmd = Cli::command();
    if top_help {
        cmd.after_long_help(top_long_help())
    } else {
        cmd
    }
}

fn top_long_help() -> String {
    format!(
        "{AFTER_HELP}\n\n{EXIT_STATUS_HELP}\n\n{}",
        crate::expr::functions_reference()
    )
}

/// A subcommand's arguments, added to its clap command only when that command is built: when
/// it is the one being parsed, or everything is built for help, man pages and completions.
#[derive(Debug, Clone)]
pub struct Lazy<T>(pub T);

impl<T> std::ops::Deref for Lazy<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for Lazy<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T: clap::FromArgMatches> clap::FromArgMatches for Lazy<T> {
    fn from_arg_matches(m: &clap::ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(m).map(Lazy)
    }
    fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(m)
    }
}

impl<T: Args> Args for Lazy<T> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        cmd.defer(|cmd| keep_about(cmd, T::augment_args))
    }
    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        cmd.defer(|cmd| keep_about(cmd, T::augment_args_for_update))
    }
}

/// Adds the arguments while keeping the subcommand's own description: a flattened group's
/// doc comment (StreamArgs') would otherwise replace it, as the variant's attributes are no
/// longer applied after the arguments.
fn keep_about(cmd: clap::Command, augment: fn(clap::Command) -> clap::Command) -> clap::Command {
    let about = cmd.get_about().cloned();
    let long_about = cmd.get_long_about().cloned();
    let mut cmd = augment(cmd);
    if let Some(about) = about {
        cmd = cmd.about(about);
    }
    if let Some(long_about) = long_about {
        cmd = cmd.long_about(long_about);
    }
    cmd
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Keep or drop events by an expression
    #[command(
        long_about = "Keep the events for which EXPR is true (anything but false and null), or with \
                      --invert those for which it is not. Kept events are written byte for byte \
                      as they arrived."
    )]
    Filter(Lazy<FilterArgs>),

    /// Add, compute, rename, copy and remove fields; parse text into fields
    #[command(
        long_about = "Change events: each --set, --rename, --copy, --delete, --keep, --extract and \
                      --parse-* option is one step, and the steps run in the order given on the \
                      command line, each seeing what the earlier ones did. Changed events keep \
                      their key order, with new keys last; events that --when excludes pass \
                      through byte for byte. An event a step cannot change as asked (--set .a.b=1 \
                      where .a is a string, --parse-json on text that is not JSON) is a bad line, \
                      handled like unreadable input (--on-error, --dead-letter)."
    )]
    Annotate(Lazy<Box<AnnotateArgs>>),

    /// Group-by statistics, windows, and versioned collect-until-complete aggregates
    #[command(
        long_about = "Keep running statistics per group (--by) and write them at the end of \
                      input (--emit final) or after every event (--emit each); with --window, \
                      per tumbling event-time window, written as each window closes. With \
                      --name the aggregate lives in the state file and the next run continues \
                      from its totals. With --collect, gather related events under one \
                      aggregate key in several collections instead, with a version that rises \
                      with every new source, until --complete-when holds."
    )]
    Aggregate(Lazy<Box<AggregateArgs>>),

    /// A durable append-only log with consumer groups, in the state file
    #[command(
        long_about = "A durable, append-only event log kept in the state file, with no daemon: \
                      producers append to topics, consumers read in order from a named group's \
                      saved position, and survive crashes, rewind, follow the live stream and \
                      query by time."
    )]
    Log(Lazy<LogArgs>),

    /// Copy events to side outputs (files, SQLite, the log, HTTP, a command) while passing them on
    #[command(
        long_about = "Pass every event on to stdout unchanged, and deliver the events for which \
                      --when is true (all by default) to each TARGET as well. Each target runs \
                      beside the stream behind a bounded queue: a slow target slows the stream \
                      down instead of losing events or growing memory. An event a target cannot \
                      take goes to --dead-letter with the target and the reason, and binge then \
                      exits 1 after passing every event on. At the end, and on Ctrl-C or \
                      SIGTERM, every target is flushed before binge exits."
    )]
    Tee(Lazy<Box<TeeArgs>>),

    /// Append events to a signed, hash-chained stream; keys, export, proofs, status
    #[command(
        long_about = "Append each event as a record of the key's stream: records are chained by \
                      hash and leaves of an RFC 6962 Merkle tree whose heads are signed as C2SP \
                      checkpoints, so nobody, the stream's owner included, can later rewrite the \
                      history without being caught. Events pass on with \
                      \"_entwine\": {\"origin\", \"seq\", \"leaf\"} added.",
        args_conflicts_with_subcommands = true
    )]
    Entwine(Lazy<Box<EntwineArgs>>),

    /// Check exported entwined history offline, with the trusted public keys only
    #[command(
        long_about = "Check exports of entwined streams (binge entwine export) with nothing but \
                      the trusted public keys: every record's chain link, canonical body (when \
                      not redacted), leaf and signature, and every checkpoint's signature and \
                      Merkle root. Every problem is reported with the stream, the seq, what was \
                      expected and what was found."
    )]
    Verify(Lazy<VerifyArgs>),

    /// Anchor streams to a shared ticker chain: the ticker's side and the streams' side
    #[command(
        long_about = "Tie the heads of entwined streams to a shared ticker chain. The ticker \
                      accepts signed stream heads with consistency proofs (C2SP tlog-witness \
                      rules) and seals them into signed ticks; streams import the ticks, so their \
                      next records reference them. Every exchange is NDJSON on stdin and stdout."
    )]
    Anchor(Lazy<AnchorArgs>),

    /// HTTP ingest: POST /events to stdout, or into the durable log before answering 200
    #[command(
        long_about = "Take events over HTTP: POST /events with NDJSON, a JSON array or one object \
                      (gzip accepted, up to --max-body). Each request is checked whole: a bad one \
                      gets a 4xx answer with a JSON error body and changes nothing. Without --log \
                      the events go to standard output (binge serve | binge filter ...); with \
                      --log TOPIC a request is answered 200 only once its events are committed to \
                      the topic, so a client that got 200 never loses them (with --id, a retried \
                      request adds nothing twice). GET /healthz answers ok, GET /metrics gives \
                      Prometheus counters. SIGTERM stops accepting, finishes the request in hand \
                      and exits 0."
    )]
    Serve(Lazy<ServeArgs>),

    /// What the state file keeps for inputs read with --resume
    #[command(
        long_about = "Look at, and forget, what the state file keeps besides the subcommands' own \
                      state: how far each input file was read under --resume, per scope (the \
                      name whose place it is: aggregate:NAME, log:TOPIC, entwine:ORIGIN, or \
                      the --resume=NAME given)."
    )]
    State(Lazy<StateCmdArgs>),

    /// Help on a subcommand (binge help filter), or a topic: binge help functions
    #[command(
        long_about = "Prints the help of a subcommand (binge help log read), or of a topic: \
                      functions (every function of the expression language)."
    )]
    Help(Lazy<HelpArgs>),

    /// Run the pipelines of a JSON config in one process
    #[command(
        long_about = "Run the named pipelines of a JSON config side by side in one process. Each \
                      pipeline has an input (files, standard input, another pipeline, a consumer \
                      group of the log, or HTTP), stages, and an output (standard output, or any \
                      target binge tee takes). A stage is written with its subcommand's long \
                      options, so each subcommand's help documents the config too, and binge SUB \
                      ... --print-config prints the stage a command line makes. Stages hand each \
                      other events in process; a pipeline writes exactly what the same \
                      subcommands joined by pipes would. Every mistake in the config is reported \
                      with its JSON path, line and column."
    )]
    Run(Lazy<RunArgs>),
}

const RUN_EXAMPLES: &str = "\
Example config (binge run edge.json):
  {
    \"tz\": \"UTC\",
    \"pipelines\": {
      \"parse\": {
        \"input\": {\"files\": [\"/var/log/syslog\"], \"text\": true, \"resume\": \"edge\"},
        \"stages\": [
          {\"annotate\": {\"extract\": [\"message=@syslog\"]}},
          {\"filter\": {\"expr\": \"exists(.program)\"}}
        ],
        \"output\": \"log:syslog\"
      },
      \"per-host\": {
        \"input\": {\"pipeline\": \"parse\"},
        \"stages\": [{\"aggregate\": {\"by\": [\".host\"], \"count\": true}}]
      }
    }
  }

A pipeline's input: \"-\" (standard input, the default); {\"files\": [...]} with the input \
options text, multiline, on-error, dead-letter, max-line-bytes and resume beside it; \
{\"pipeline\": NAME}, what another pipeline passes on; {\"log\": {\"topic\": T, \"group\": G, \
...log read's options}}; {\"http\": {...binge serve's options}}, or \"http\" under binge serve \
--pipeline. Its output: \"-\" (standard output, the default), a target as binge tee takes it, \
or tee's options with \"targets\". Top level: tz, state, durability; a stage's own \"tz\" \
is the zone it reads times in.

  binge run --check edge.json          # check the config, run nothing
  binge annotate --extract message=@syslog --print-config";

#[derive(Debug, Args)]
#[command(after_long_help = RUN_EXAMPLES)]
pub struct RunArgs {
    /// The config
    #[arg(value_name = "PIPELINE.json")]
    pub config: PathBuf,

    /// Check the config (its JSON, every option, the pipelines' links, expressions, keys)
    /// and run nothing
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Clone, Args)]
#[command(after_long_help = SERVE_EXAMPLES)]
pub struct ServeArgs {
    /// Where to listen (loopback unless you say otherwise; port 0 picks a free one, and the
    /// address is printed on stderr)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8686")]
    pub listen: String,

    /// The largest request body taken, after gzip is undone
    #[arg(long, value_name = "BYTES", default_value = "10M", value_parser = parse_size)]
    pub max_body: usize,

    /// Require `Authorization: Bearer TOKEN`, the token read from FILE (compared in constant
    /// time)
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,

    /// Commit each request's events to TOPIC before answering 200
    #[arg(long, value_name = "TOPIC", conflicts_with = "pipeline")]
    pub log: Option<String>,

    /// Hand the events to the pipelines of a config (see binge run) whose input is "http",
    /// instead of writing them to standard output
    #[arg(long, value_name = "PIPELINE.json")]
    pub pipeline: Option<PathBuf>,

    /// With --log: what identifies an event, so a retried request adds nothing twice (as log
    /// append --id)
    #[arg(long, value_name = "EXPR", requires = "log")]
    pub id: Option<String>,

    /// Requests taken and waiting to be handled; beyond, 429 with Retry-After
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub queue: usize,

    #[command(flatten)]
    pub state: StateArgs,
}

#[derive(Debug, Args)]
pub struct HelpArgs {
    /// A subcommand (and its subcommands), or: functions
    #[arg(value_name = "TOPIC")]
    pub topic: Vec<String>,
}

impl Command {
    /// The subcommand's name, for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Filter(_) => "filter",
            Command::Annotate(_) => "annotate",
            Command::Aggregate(_) => "aggregate",
            Command::Log(_) => "log",
            Command::Tee(_) => "tee",
            Command::Entwine(_) => "entwine",
            Command::Verify(_) => "verify",
            Command::Anchor(_) => "anchor",
            Command::State(_) => "state",
            Command::Help(_) => "help",
            Command::Serve(_) => "serve",
            Command::Run(_) => "run",
        }
    }
}

const SERVE_EXAMPLES: &str = "\
Examples:
  binge serve | binge filter '.level == \"error\"'                  # stateless: events to stdout
  binge serve --log ingest --id .request_id --token-file /etc/binge/token   # persistent
  curl --data-binary @events.ndjson http://127.0.0.1:8686/events

Answers: 200 {\"accepted\": N}; 400 (not JSON objects, a missing --id), 401 (token), 404, 405,
413 (over --max-body), 415 (content type), 429 (--queue full) and 503 (the log cannot be
written now), both with Retry-After, with {\"error\": REASON}.";

const STATE_EXAMPLES: &str = "\
Examples:
  binge state inputs                      # every tracked file: scope, path, offset, line, behind
  binge state inputs --scope aggregate:hourly
  binge state inputs --scope aggregate:hourly --forget   # the next run reads from the start

Each line is {\"scope\", \"path\", \"read_path\", \"offset\", \"line\", \"device\", \"inode\",
\"updated_at\", \"behind\"}: read_path is the file read there (a rotated file being finished),
behind the bytes of read_path not read yet (null when it is gone or another file now).";

const FILTER_EXAMPLES: &str = "\
Examples:
  binge filter '.system == \"OpenSSH\" and .Content =~ \"^Invalid user\"' events.ndjson
  binge filter -v 'exists(.user.id)' events.ndjson
  tail -F /var/log/auth.log | binge filter --text '.message =~ \"sshd.*Failed\"'
  binge filter --limit 10 '.status >= 500' access.ndjson";

const ANNOTATE_EXAMPLES: &str = "\
Examples:
  binge annotate --set '.host=hostname()' --set '.pid2=.Pid * 2' events.ndjson
  binge annotate --when '.level == \"error\"' --set .alert=true --rename .msg=.message
  binge annotate --keep .time,.level,.message --delete .message.raw
  tail -F /var/log/auth.log | binge annotate --text --extract message=@syslog
  binge annotate --text --extract message=@log4j --parse-time 'timestamp=%y/%m/%d %T' spark.log
  binge annotate --parse-json .payload --parse-logfmt .detail --parse-time .ts

Paths may leave out the leading dot (message is .message). --set and --copy create the objects \
and arrays a path needs; --delete of a missing path does nothing. --extract sets the regular \
expression's named groups, as strings, as top-level fields; --parse-json and --parse-logfmt \
replace the string field with what it holds; --parse-time rewrites the field as RFC 3339 UTC \
with milliseconds (without FORMAT it reads RFC 3339, without an offset as UTC, or epoch numbers; \
with FORMAT, strftime-style: %Y %y %m %d %e %H %I %p %M %S %f %b %B %a %j %z %Z %s %T %F %D). \
Missing fields are left alone by --parse-*.";

const AGGREGATE_EXAMPLES: &str = "\
Examples:
  binge aggregate --by .system --count --sum .Pid --avg .Pid events.ndjson
  binge aggregate --by .host --by status=.code --hist .path --distinct users=.user.id
  binge aggregate --window 5m --time .timestamp --lateness 30s --by .program --count
  binge aggregate --name daily --by .level --count /var/log/app/*.ndjson    # from cron
  binge aggregate --name daily --show
  binge aggregate --collect --key .date --collection .pipeline \\
      --complete-when 'len(.collections.A) >= 1 and len(.collections.B) >= 1' --name runs

Output: one event per group: the --by values under their names, then each statistic. A --by or \
statistic over a path is named after it (.system is system, .a.b is a_b) and a statistic gets \
the suffix of its kind: --sum .Pid is Pid_sum, --count is count; NAME=EXPR names it instead \
(required when EXPR is not a path). --count counts events; the others skip events where the \
value is missing or null. --sum and --avg take numbers (integers are summed exactly) and are \
null for a group without any; --min and --max compare numbers, or strings when a group has no \
numbers; --distinct counts distinct values exactly; --hist maps each value to its count. \
Windowed groups start with window_start and window_end (RFC 3339). A window closes when the \
watermark (the newest event time minus --lateness) reaches its end; an event for a closed \
window is late: counted and reported (--late count) or a bad line (--late dead-letter).

With --name, totals are saved in the state file at least every second and at the end, each save \
one transaction that adds this run's part to what is stored, so consecutive and concurrent \
runs add up. A named aggregate must be continued with the same definition. --emit final then \
writes the totals of every group so far; named windows stay open across runs until the \
watermark passes them.

--collect: each event is a source of aggregate KEY in collection COLLECTION (a string, or the \
value's JSON text). A source already in that collection (same canonical JSON) adds nothing; \
each new one raises the aggregate's version by 1 and writes \
{\"aggregate\": KEY, \"version\": N, \"updated_at\": TIME, \"collections\": {NAME: [sources...]}}. \
With --complete-when (an expression over that object), only the first version for which it \
holds is written, with \"complete\": true (--every-version: also each later version); with \
--timeout D, an aggregate still incomplete D after its first source is written once with \
\"complete\": false, \"timed_out\": true (checked with every batch of input and at the end of \
every run).";

const LOG_EXAMPLES: &str = "\
Examples:
  tail -F app.ndjson | binge log append app --time .ts --id .request_id
  binge log read app --group alerts --follow | binge filter '.level == \"error\"'
  binge log read app --group loader --exec 'psql -c \"\\copy raw FROM STDIN\"' --max-deliver 5
  binge log seek app --group alerts --to time:-1h
  binge log query app --since -1d --sample-by 1h --agg 'count,avg(.ms),max(.ms)' --fill 0
  binge log compact app --retain 7d

Every event gets a seq (strictly increasing, never reused), an ingest time, an event time \
(--time, else the ingest time), an optional key and an id (--id, else a UUIDv7); an id already \
in the topic is not appended again, so a retried batch adds no duplicates. A group's position \
is the last seq it has taken; a new group starts as --from says.";

const TEE_HELP: &str = "\
Targets:
  PATH, file:PATH    append the events to a file, as NDJSON. Something that looks like a URL
                     of a kind binge does not know (kafka:x, s3://b/k) is a usage error, never
                     a file name: write a file with a colon in its name as ./NAME or file:NAME
  sqlite:PATH#TABLE  insert rows (id, time, event) into TABLE of the SQLite file PATH, created
                     when missing; one transaction per chunk of events
  log:TOPIC          append to TOPIC of the durable log in the state file (see binge log)
  http://URL, https://URL
                     POST batches of NDJSON (--batch, --flush-interval, --header, --timeout).
                     Connection errors, 5xx and 429 are retried with exponential backoff and
                     jitter (Retry-After is honoured up to --max-retry-wait), up to --retries
                     times; other 4xx are not retried. A batch that still fails goes to the
                     dead letter, event by event, and the target counts as down: for the next
                     5 s batches go straight to the dead letter, then one batch probes it
                     (once, without retries) until one gets through. So a dead endpoint costs
                     the stream one batch's retries, not each batch's.
  s3://BUCKET/PREFIX write gzip-compressed NDJSON objects PREFIX/YYYY/MM/DD/HH/<uuid7>.ndjson.gz
                     (UTC hour the object was started; --key-template), each written once and whole, when its
                     events reach --max-bytes, when its first event is --max-age old, and
                     at the end; credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
                     AWS_REGION, the store from --endpoint (MinIO, moto, ...) or AWS
  nats://HOST:PORT/SUBJECT
                     publish each event to SUBJECT of NATS JetStream and wait for the stream's
                     acknowledgement; each message has an id (Nats-Msg-Id: --id, else a hash
                     of the event and the file and line it came from, or for standard input
                     this run and the line), so a publish retried after a lost
                     acknowledgement is stored once (within the stream's duplicate window, 2
                     minutes by default): so is a re-run over the same file. Not acknowledged within
                     --timeout: retried like an HTTP batch (--retries, --max-retry-wait), then
                     dead-lettered, the target counting as down. --create-stream NAME creates a
                     stream taking SUBJECT when there is none of that name
  exec:COMMAND       start `sh -c COMMAND` once and write the events to its stdin (its stdout
                     goes to binge's stderr). If it exits early, that is reported and the events
                     it did not take go to the dead letter.
  spawn:COMMAND      run `sh -c COMMAND` once per event, with the event (and a newline) on its
                     stdin, at most --spawn-max at a time; an event whose command cannot start
                     or exits non-zero goes to the dead letter with the exit status.

How targets fail: a target that cannot start (a file that cannot be opened, a command that
cannot run) stops binge before any input is read, with status 1. An event that a running target
cannot take is written to --dead-letter FILE as {\"target\", \"error\", \"event\"}, counted in a
message at the end, and makes the exit status 1; the other targets and stdout still get it.
Every event that went to stdout reaches every target or its dead letter, however the run ends
(end of input, --on-error fail, the reader of stdout leaving, a stop signal).

Backpressure: each target has a queue of about 1 MiB of events. While a target is slower than
the input (or retrying a batch), the queue fills and then the stream waits for it: nothing is
dropped and memory stays bounded. On SIGINT or SIGTERM, reading stops, a batch waiting to be
retried gets one last try (at most 2 s), queued batches are sent once each (none if the
target is down), and what is not delivered is dead-lettered and counted before binge exits
with status 130.

Examples:
  tail -F app.ndjson | binge tee --when '.level == \"error\"' errors.ndjson https://alerts.example/in
  binge tee sqlite:events.db#raw log:app --input today.ndjson | binge aggregate --by .level --count
  binge tee exec:'gzip > archive.ndjson.gz' < events.ndjson > /dev/null";

const ENTWINE_HELP: &str = "\
Examples:
  binge entwine keygen --origin example.org/payments --out payments.key
  binge entwine --key payments.key events.ndjson > entwined.ndjson
  binge entwine export --stream example.org/payments --redact > history.ndjson
  binge entwine prove --stream example.org/payments --seq 41
  binge entwine status

Formats: the body of an event is its RFC 8785 canonical JSON (an integer literal that no double \
holds exactly keeps its digits; every other number is written as ECMAScript writes it; duplicate \
keys and lone surrogates make the event a bad line). A record is binary: \
\"binge/entwine/v1/record\\0\", origin (u16 length + bytes), seq (u64), prev (32 bytes: the \
leaf of seq-1, or for seq 0 SHA-256(\"binge/entwine/v1/genesis\\0\" || origin as u16 length + \
bytes || public key)), \
tick (0, or 1 + index u64 + hash 32), time_ms (i64), SHA-256 of the body; integers big-endian. \
Its leaf is SHA-256(0x00 || record), the RFC 6962 leaf hash. Checkpoints are C2SP \
tlog-checkpoint notes (origin, size, base64 root) signed with the stream's Ed25519 key, written \
every --checkpoint-every records and at the end of each run. Keys are C2SP signed-note keys: \
the private key file holds PRIVATE+KEY+origin+keyid+base64, the public key is \
origin+keyid+base64.

export writes typed NDJSON: a \"stream\" line (origin, public key, size), then each \"record\" \
(origin, seq, prev, tick, time_ms, body_hash, leaf, sig with --sign-each, and the canonical \
\"event\" unless --redact) with each \"checkpoint\" (origin, size, root, note) after the record \
that completes it.";

const VERIFY_HELP: &str = "\
Examples:
  binge entwine pubkey payments.key > trust.txt
  binge verify --trust trust.txt history.ndjson
  binge verify --trust trust.txt --json a.ndjson b.ndjson > report.ndjson

The trust file holds one public key per line (origin+keyid+key, as keygen and pubkey print
them); a line `ticker KEY` names the ticker's key, a line `witness KEY` a C2SP witness's
cosignature/v1 key (binge anchor witness-key prints a binge ticker's); # starts a comment.
Every cosignature by a trusted witness on a checkpoint is checked (one that does not verify is
tampering); --witnesses K asks for K of them on each stream's newest checkpoint.

An auditor can check less than a whole export: the output of entwine prove (one record with an
inclusion proof against a signed checkpoint, nothing else disclosed), or an increment made with
entwine export --from N, given --since with the checkpoint of size N verified before: the
increment carries the tree at N (checked against that checkpoint) and a consistency proof from
it to its newest checkpoint. An export made before an anchor its stream reached later cannot be
checked against that anchor: a warning (incomplete), not tampering.

Give the ticker's ticks (binge anchor ticks) among the exports to check anchors: the tick chain
and its signatures, the ticks records reference, and each sealed head against the stream's own
tree. Findings go to stderr (with --json: to stdout as {\"severity\", \"stream\", \"seq\",
\"check\", \"expected\", \"found\"}, followed by a summary line per stream). Records that no
signed checkpoint covers are a warning.

Happened-before: ref(e) is the tick e's record references, anc(e) the first tick that sealed an
anchor of e's stream covering e. e1 happened before e2 when both are in one stream and seq1 <
seq2, or when anc(e1) <= ref(e2); otherwise they are concurrent. --before answers for two events,
--order writes every event's interval so any tool can sort them.

Exit status:
  0   verified
  1   tampering, a fork, or history that does not hold together
  2   unusable input or trust file (also: a stream the trust file has no key for)
  3   verified but incomplete: under --strict, records not covered by an anchor; under
      --witnesses K, a newest checkpoint with fewer than K trusted cosignatures";

const ANCHOR_EXAMPLES: &str = "\
Examples:
  binge anchor init --origin ticker.example --key ticker.key          # on the ticker
  binge anchor trust payments.example \"$(cat payments.pub)\"
  binge anchor request --stream payments.example | ssh ticker binge anchor accept
  binge anchor serve --listen 127.0.0.1:7380                           # the same, over HTTP
  binge anchor request --stream payments.example --to http://127.0.0.1:7380
  ssh ticker binge anchor tick | binge anchor import --ticker \"$(cat ticker.pub)\"
  binge anchor ticks --since 0 > ticks.ndjson                          # for binge verify

A request is {\"type\": \"anchor-request\", \"origin\", \"old_size\", \"checkpoint\", \"proof\"}; an
answer {\"type\": \"anchor-response\", \"origin\", \"size\", \"status\": \"accepted\" or \"rejected\",
\"reason\", \"pending_tick\", \"cosignature\"}. The ticker checks requests by the rules of C2SP
tlog-witness, over NDJSON as over HTTP, and accept exits 1 when it rejected any. A tick {\"type\": \"tick\", \"ticker\", \"index\", \"prev\", \"time_ms\",
\"nonce\", \"anchors_root\", \"hash\", \"anchors\": [{\"origin\", \"size\", \"root\", \"sig\",
\"proof\"}], \"checkpoint\"}.";

/// The built-in --extract patterns and the fields each makes.
fn patterns_help() -> String {
    let mut s = String::from("Built-in patterns for --extract FIELD=@NAME:");
    for b in crate::stage::patterns::BUILTINS {
        s.push_str(&format!(
            "\n  @{:<13} {}\n  {:<14} fields: {}",
            b.name, b.about, "", b.fields
        ));
    }
    s
}

/// The expression language, as shown in `binge help filter` (and the man page).
pub const EXPR_HELP: &str = "\
Expressions:
  Paths       .a  .a.b  .a[0]  .a[-1]  .\"key with spaces\"  .a[\"k\"]  . (the whole event)
              A missing path is null.
  Literals    1  -2.5e3  \"text\" (JSON escapes; \\d and other unknown escapes are kept)
              true  false  null  [1, \"two\", .a]
  Operators   lowest to highest precedence:
                or ||    and &&    not !
                == != < <= > >=   =~ !~ (regular expression)   in
                + -    * / %    unary -
  Comparing   == and != compare any values (numbers by exact value: 1 == 1.0, and integers
              beyond 2^53 exactly); < <= > >= compare numbers with numbers and strings with
              strings; values of different types compare false. Comparisons do not chain.
  Matching    s =~ \"re\" is true when the regular expression matches somewhere in string s
              (Rust regex syntax; anchor with ^ and $; (?i) ignores case). Non-strings never
              match, with =~ or !~. The pattern is a string literal first: \"\\b\" is a JSON
              backspace (binge warns), so write \"\\\\b\" for a word boundary. A pattern taken
              from the event (s =~ .p) that is not a regular expression makes the event a bad
              line, with the reason.
  in          x in [..] (element), \"k\" in {object} (key), \"sub\" in \"string\" (substring).
  Arithmetic  on numbers (integers exact up to 128 bits, otherwise floating point); + also
              joins strings and arrays; anything else, and division by zero, gives null.
  Nesting     at most 256 levels (parentheses, brackets, calls, not, unary -, and each operator
              of a chain such as 1+1+...); deeper is a syntax error.
  Truth       false and null are false, every other value is true.
  Functions   exists(path)  len(x)  lower(s)  upper(s)  starts_with(s, p)  ends_with(s, p)
              contains(s, p)  number(x)  string(x)  coalesce(a, b, ...)  time(x)  now()
              sha256(x)  hostname()  env(\"NAME\")  uuid7()  line()
              time() reads RFC 3339 text (a space for the T and no offset, meaning UTC, are
              accepted) or an epoch number (unit guessed from its size) and gives epoch
              milliseconds, as now() does; number() reads text with spaces around it, a + and
              leading zeros (\"081110\" is 81110); line() is the input line number.";

/// Options every subcommand that reads events shares.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Input")]
pub struct StreamArgs {
    /// Read each input line as plain text: the event is {"message": LINE}
    #[arg(long)]
    pub text: bool,

    /// With --text: lines matching REGEX begin an event, the others (a stack trace) are joined
    /// to it with newlines; @java for log4j-style records (a line starting with a date or [).
    /// Behind a pipe, the last event comes out after half a second without input
    #[arg(long, value_name = "REGEX", requires = "text", value_parser = parse_multiline)]
    pub multiline: Option<crate::stream::Multiline>,

    /// What to do with a line that is not a JSON object: report it and go on, or stop with
    /// exit status 65
    #[arg(long, value_enum, value_name = "POLICY", default_value_t = OnError::Skip)]
    pub on_error: OnError,

    /// Also append each bad line to FILE as {"source","line","error","raw"} ("raw_base64"
    /// instead of "raw" when the line is not UTF-8)
    #[arg(long, value_name = "FILE")]
    pub dead_letter: Option<PathBuf>,

    /// Lines longer than this are bad lines (suffixes K, M, G allowed)
    #[arg(long, value_name = "BYTES", default_value = "16M", value_parser = parse_size)]
    pub max_line_bytes: usize,

    /// Show no progress display (it is only ever shown when stderr is a terminal)
    #[arg(short, long)]
    pub quiet: bool,

    /// Keep in the state file how far each input file was read, and start there next time.
    /// A rotated file found beside its name (NAME.* or NAME-*) is finished first. Stages that
    /// keep state commit the place with their state (each line counts exactly once); others
    /// save it after their output is flushed (at least once). NAME is whose place it is; it
    /// defaults to the state's name where there is one (see `binge state inputs`)
    #[arg(
        long,
        value_name = "NAME",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = ""
    )]
    pub resume: Option<String>,
}

#[derive(Debug, Args)]
#[command(after_long_help = format!("{FILTER_EXAMPLES}\n\n{EXPR_HELP}\n\n{EXIT_STATUS_HELP}"))]
pub struct FilterArgs {
    /// The condition, in binge's expression language (see below)
    #[arg(value_name = "EXPR")]
    pub expr: String,

    /// Input files; standard input when none, or for -
    #[arg(value_name = "FILE")]
    pub files: Vec<String>,

    /// Keep the events for which EXPR is not true instead
    #[arg(short = 'v', long)]
    pub invert: bool,

    /// Stop after writing N events (and stop reading)
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,

    #[command(flatten)]
    pub state: StateArgs,

    #[command(flatten)]
    pub stream: StreamArgs,

    /// Print this stage as binge run's config takes it (JSON), instead of running
    #[arg(long)]
    pub print_config: bool,
}

#[derive(Debug, Args)]
#[command(after_long_help = format!("{ANNOTATE_EXAMPLES}\n\n{}\n\n{EXPR_HELP}\n\n{EXIT_STATUS_HELP}", patterns_help()))]
pub struct AnnotateArgs {
    /// Set PATH to the value of EXPR (an expression; see below)
    #[arg(
        long = "set",
        value_name = "PATH=EXPR",
        help_heading = "Steps (run in the order given)"
    )]
    pub set: Vec<String>,

    /// Move the value at OLD to NEW (in place when both are in the same object)
    #[arg(
        long,
        value_name = "OLD=NEW",
        help_heading = "Steps (run in the order given)"
    )]
    pub rename: Vec<String>,

    /// Copy the value at SRC to DST
    #[arg(
        long,
        value_name = "SRC=DST",
        help_heading = "Steps (run in the order given)"
    )]
    pub copy: Vec<String>,

    /// Remove PATH
    #[arg(
        long,
        value_name = "PATH",
        help_heading = "Steps (run in the order given)"
    )]
    pub delete: Vec<String>,

    /// Keep only these comma-separated paths
    #[arg(
        long,
        value_name = "PATH,...",
        help_heading = "Steps (run in the order given)"
    )]
    pub keep: Vec<String>,

    /// Set the named groups of REGEX, matched against the string FIELD, as fields; REGEX may be
    /// @NAME for a built-in pattern (see below)
    #[arg(
        long,
        value_name = "FIELD=REGEX",
        help_heading = "Steps (run in the order given)"
    )]
    pub extract: Vec<String>,

    /// Replace the string FIELD with the JSON value it holds
    #[arg(
        long,
        value_name = "FIELD",
        help_heading = "Steps (run in the order given)"
    )]
    pub parse_json: Vec<String>,

    /// Replace the string FIELD (key=value pairs) with an object
    #[arg(
        long,
        value_name = "FIELD",
        help_heading = "Steps (run in the order given)"
    )]
    pub parse_logfmt: Vec<String>,

    /// Rewrite FIELD as an RFC 3339 UTC time, reading it with FORMAT (strftime-style) if given
    #[arg(
        long,
        value_name = "FIELD[=FORMAT]",
        help_heading = "Steps (run in the order given)"
    )]
    pub parse_time: Vec<String>,

    /// Change only the events for which EXPR is true; the others pass through unchanged
    #[arg(long, value_name = "EXPR")]
    pub when: Option<String>,

    /// Leave fields that already exist alone (--set, --copy, --rename, --extract)
    #[arg(long)]
    pub keep_existing: bool,

    /// What --extract does with an event that does not match
    #[arg(long, value_enum, value_name = "POLICY", default_value_t = Unmatched::Count)]
    pub unmatched: Unmatched,

    /// The unit of epoch numbers read by --parse-time (default: guessed from their size)
    #[arg(long, value_enum, value_name = "UNIT")]
    pub time_unit: Option<TimeUnit>,

    /// The year of times written without one, such as syslog's (default: the current year)
    #[arg(long, value_name = "YEAR")]
    pub year: Option<i64>,

    /// Input files; standard input when none, or for -
    #[arg(value_name = "FILE")]
    pub files: Vec<String>,

    #[command(flatten)]
    pub state: StateArgs,

    #[command(flatten)]
    pub stream: StreamArgs,

    /// Print this stage as binge run's config takes it (JSON), instead of running
    #[arg(long)]
    pub print_config: bool,
}

#[derive(Debug, Clone, Args)]
#[command(after_long_help = format!("{AGGREGATE_EXAMPLES}\n\n{EXPR_HELP}\n\n{EXIT_STATUS_HELP}"))]
pub struct AggregateArgs {
    /// Group by the value of EXPR (repeatable)
    #[arg(long, value_name = "[NAME=]EXPR", help_heading = "Statistics")]
    pub by: Vec<String>,

    /// Count the events of each group
    #[arg(long, help_heading = "Statistics")]
    pub count: bool,

    /// Sum of EXPR over the group
    #[arg(long, value_name = "[NAME=]EXPR", help_heading = "Statistics")]
    pub sum: Vec<String>,

    /// Least value of EXPR
    #[arg(long, value_name = "[NAME=]EXPR", help_heading = "Statistics")]
    pub min: Vec<String>,

    /// Greatest value of EXPR
    #[arg(long, value_name = "[NAME=]EXPR", help_heading = "Statistics")]
    pub max: Vec<String>,

    /// Mean of EXPR
    #[arg(long, value_name = "[NAME=]EXPR", help_heading = "Statistics")]
    pub avg: Vec<String>,

    /// Exact count of distinct values of EXPR
    #[arg(long, value_name = "[NAME=]EXPR", help_heading = "Statistics")]
    pub distinct: Vec<String>,

    /// Histogram of EXPR: each value and its count
    #[arg(long, value_name = "[NAME=]EXPR", help_heading = "Statistics")]
    pub hist: Vec<String>,

    /// The median (50th percentile) of EXPR's numbers (nearest rank; exact while a group has
    /// at most 10,000 numbers, else within 1% relative error)
    #[arg(long, value_name = "[NAME=]EXPR", help_heading = "Statistics")]
    pub p50: Vec<String>,

    /// The 95th percentile of EXPR's numbers (as --p50)
    #[arg(long, value_name = "[NAME=]EXPR", help_heading = "Statistics")]
    pub p95: Vec<String>,

    /// The 99th percentile of EXPR's numbers (as --p50)
    #[arg(long, value_name = "[NAME=]EXPR", help_heading = "Statistics")]
    pub p99: Vec<String>,

    /// The Q-th percentile (0 to 100, two decimals at most) of EXPR's numbers: 99.9:.ms (as
    /// --p50; named EXPR's path with _p99_9)
    #[arg(long, value_name = "Q:EXPR", help_heading = "Statistics")]
    pub percentile: Vec<String>,

    /// Write only the N groups with the largest --sort value (per window)
    #[arg(long, value_name = "N", help_heading = "Statistics")]
    pub top: Option<usize>,

    /// Rank the groups written at once by EXPR over each output row, largest first (default:
    /// the first statistic): --sort .count, --sort '-.ms_avg' for the smallest first
    #[arg(
        long,
        value_name = "EXPR",
        allow_hyphen_values = true,
        help_heading = "Statistics"
    )]
    pub sort: Option<String>,

    /// When to write a group: at the end (per window: when it closes), or after every event
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = EmitArg::Final, help_heading = "Statistics")]
    pub emit: EmitArg,

    /// Group into tumbling windows of this length of event time (such as 30s, 5m, 1h)
    #[arg(
        long,
        value_name = "DURATION",
        requires = "time",
        help_heading = "Windows"
    )]
    pub window: Option<String>,

    /// The event time: RFC 3339 text or an epoch number
    #[arg(
        long,
        value_name = "EXPR",
        requires = "window",
        help_heading = "Windows"
    )]
    pub time: Option<String>,

    /// How far behind the newest event time a window stays open
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "0s",
        requires = "window",
        help_heading = "Windows"
    )]
    pub lateness: String,

    /// What to do with an event whose window has closed
    #[arg(long, value_enum, value_name = "POLICY", default_value_t = LateArg::Count, requires = "window", help_heading = "Windows")]
    pub late: LateArg,

    /// The unit of epoch numbers in --time (default: guessed from their size)
    #[arg(long, value_enum, value_name = "UNIT", help_heading = "Windows")]
    pub time_unit: Option<TimeUnit>,

    /// With --name: how long closed windows stay in the state file for --show after they
    /// closed
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "7d",
        requires = "window",
        help_heading = "Windows"
    )]
    pub keep: String,

    /// Also close the open windows when no event has come for this long (wall-clock time),
    /// so behind tail -F each window is written soon after it ends (default: the window's
    /// width plus --lateness; 0 turns it off)
    #[arg(
        long,
        value_name = "DURATION",
        requires = "window",
        help_heading = "Windows"
    )]
    pub idle: Option<String>,

    /// Collect sources under aggregate keys instead of computing statistics
    #[arg(long, help_heading = "Collect until complete",
          conflicts_with_all = ["by", "count", "sum", "min", "max", "avg", "distinct", "hist", "window"],
          requires_all = ["key", "collection"])]
    pub collect: bool,

    /// The aggregate an event belongs to
    #[arg(
        long,
        value_name = "EXPR",
        requires = "collect",
        help_heading = "Collect until complete"
    )]
    pub key: Option<String>,

    /// The collection an event is a source of
    #[arg(
        long,
        value_name = "EXPR",
        requires = "collect",
        help_heading = "Collect until complete"
    )]
    pub collection: Option<String>,

    /// Write an aggregate once, marked complete, when EXPR (over the aggregate) first holds
    #[arg(
        long,
        value_name = "EXPR",
        requires = "collect",
        help_heading = "Collect until complete"
    )]
    pub complete_when: Option<String>,

    /// After completion, also write every later version
    #[arg(
        long,
        requires = "complete_when",
        help_heading = "Collect until complete"
    )]
    pub every_version: bool,

    /// What identifies a source within its collection: a source with a known id and a
    /// changed body replaces the old one (a new version); the same body again changes
    /// nothing (default: the whole body, so any change is a new source)
    #[arg(
        long,
        value_name = "EXPR",
        requires = "collect",
        help_heading = "Collect until complete"
    )]
    pub source_id: Option<String>,

    /// Write an aggregate still incomplete this long after its first source, marked timed out
    #[arg(
        long,
        value_name = "DURATION",
        requires = "complete_when",
        help_heading = "Collect until complete"
    )]
    pub timeout: Option<String>,

    /// Keep the aggregate in the state file under NAME, and continue it in later runs
    #[arg(long, value_name = "NAME", help_heading = "State")]
    pub name: Option<String>,

    /// Write the saved state of --name without reading input
    #[arg(
        long,
        requires = "name",
        conflicts_with = "reset",
        help_heading = "State"
    )]
    pub show: bool,

    /// Forget the saved state of --name, without reading input
    #[arg(long, requires = "name", help_heading = "State")]
    pub reset: bool,

    /// List the saved aggregates: name, kind, definition as flags, last update, groups
    #[arg(long, help_heading = "State")]
    pub list: bool,

    #[command(flatten)]
    pub state: StateArgs,

    /// Input files; standard input when none, or for -
    #[arg(value_name = "FILE")]
    pub files: Vec<String>,

    #[command(flatten)]
    pub stream: StreamArgs,

    /// Print this stage as binge run's config takes it (JSON), instead of running
    #[arg(long)]
    pub print_config: bool,
}

#[derive(Debug, Args)]
#[command(after_long_help = format!("{LOG_EXAMPLES}\n\n{EXIT_STATUS_HELP}"))]
pub struct LogArgs {
    #[command(subcommand)]
    pub command: LogCommand,

    #[command(flatten)]
    pub state: StateArgs,
}

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Append NDJSON events to a topic, one transaction per batch
    Append(LogAppendArgs),
    /// Read a topic in seq order from a consumer group's position
    Read(LogReadArgs),
    /// Forward a topic to NATS JetStream from a consumer group, at least once, going on where
    /// it stopped
    Mirror(LogMirrorArgs),
    /// Move a group's position forward to SEQ (for --commit manual)
    Ack {
        topic: String,
        #[arg(long, value_name = "GROUP")]
        group: String,
        /// The last seq the consumer has handled
        #[arg(long, value_name = "SEQ")]
        upto: i64,
    },
    /// Move a group's position, backwards too
    Seek {
        topic: String,
        #[arg(long, value_name = "GROUP")]
        group: String,
        /// earliest, latest, seq:N (read from N on) or time:T (from the first event at T or later)
        #[arg(long, value_name = "WHERE")]
        to: String,
    },
    /// The position and lag of every group (of TOPIC)
    Groups { topic: Option<String> },
    /// Every topic: events, first and last seq and time, bytes
    Topics,
    /// The last N events of a topic, then new ones with --follow (no group)
    Tail {
        topic: String,
        #[arg(short = 'n', value_name = "N", default_value_t = 10)]
        n: usize,
        #[arg(short, long)]
        follow: bool,
        /// Add "_log": {"topic", "seq", "time"} to each event
        #[arg(long)]
        meta: bool,
    },
    /// Delete old events, never what a group has not read (unless --force)
    Compact(LogCompactArgs),
    /// Events of a time range, or a summary per time bucket
    Query(LogQueryArgs),
    /// The deliveries parked after --max-deliver failed attempts
    Dead {
        topic: String,
        /// Only the events parked by this group
        #[arg(long, value_name = "GROUP")]
        group: Option<String>,
        /// Put the parked events back: the group's next read delivers them again, under their
        /// own seqs, before anything new
        #[arg(long, conflicts_with = "purge")]
        redrive: bool,
        /// Delete the parked events
        #[arg(long)]
        purge: bool,
    },
}

#[derive(Debug, Args)]
pub struct LogAppendArgs {
    pub topic: String,

    /// Input files; standard input when none, or for -
    #[arg(value_name = "FILE")]
    pub files: Vec<String>,

    /// The event time (RFC 3339 or epoch number); default: the ingest time
    #[arg(long, value_name = "EXPR")]
    pub time: Option<String>,

    /// The event's key (for --by-key compaction)
    #[arg(long, value_name = "EXPR")]
    pub key: Option<String>,

    /// The event's id; an id already in the topic is not appended again (default: a UUIDv7)
    #[arg(long, value_name = "EXPR")]
    pub id: Option<String>,

    /// Events per transaction
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub batch: usize,

    /// Commit what has arrived after this long, even if the batch is not full (default: as
    /// soon as the input pauses)
    #[arg(long, value_name = "DURATION")]
    pub linger: Option<String>,

    /// The unit of epoch numbers in --time (default: guessed from their size)
    #[arg(long, value_enum, value_name = "UNIT")]
    pub time_unit: Option<TimeUnit>,

    #[command(flatten)]
    pub stream: StreamArgs,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Each event is published to SUBJECT under the id `TOPIC:ID` (its id in the log) and counts as \
forwarded once JetStream has acknowledged it; only then does the group's position move. A \
mirror killed at any moment publishes its last batch again when it restarts, and JetStream \
stores each id once within the stream's duplicate window (2 minutes by default), so the stream \
holds each event exactly once as long as the mirror is back within that window. While \
JetStream cannot be reached, the batch is retried with --backoff, holding the group back, for \
as long as it takes (or parked after --retry-for or --max-deliver, see binge log dead).

Examples:
  binge log mirror app nats://127.0.0.1:4222/edge.app --create-stream EDGE --follow
  binge log read nats://127.0.0.1:4222/EDGE --group dc --follow | binge filter '.level == \"error\"'")]
pub struct LogMirrorArgs {
    /// The local topic to forward
    pub topic: String,

    /// nats://HOST:PORT/SUBJECT: where to publish
    #[arg(value_name = "TARGET")]
    pub target: String,

    /// The consumer group that remembers how far the mirror got
    #[arg(long, value_name = "GROUP", default_value = "mirror")]
    pub group: String,

    /// Where a new group starts: earliest, latest, seq:N or time:T (default earliest)
    #[arg(long, value_name = "WHERE")]
    pub from: Option<String>,

    /// Stop after N events
    #[arg(short = 'n', value_name = "N")]
    pub limit: Option<u64>,

    /// Keep forwarding new events as they are appended
    #[arg(short, long)]
    pub follow: bool,

    /// Create the JetStream stream NAME, taking SUBJECT, when there is no stream of that name
    #[arg(long, value_name = "NAME")]
    pub create_stream: Option<String>,

    /// How long one publish waits for JetStream's acknowledgement
    #[arg(long, value_name = "DURATION", default_value = "5s")]
    pub timeout: String,

    #[command(flatten)]
    pub batches: BatchArgs,
}

/// How a group's batches are handed over and retried: `log read` and `log mirror`.
#[derive(Debug, Clone, Args)]
pub struct BatchArgs {
    /// The wait between attempts at a failing batch (--exec, or log mirror's publish): from
    /// MIN, doubling with jitter, up to MAX
    #[arg(long, value_name = "MIN..MAX", default_value = "100ms..30s")]
    pub backoff: String,

    /// Park a batch once it has failed for this long (default: retry forever, holding the
    /// group back until the command or server recovers)
    #[arg(long, value_name = "DURATION")]
    pub retry_for: Option<String>,

    /// Park a batch after N failed attempts (see binge log dead); a run that parked anything
    /// exits with status 1
    #[arg(long, value_name = "N")]
    pub max_deliver: Option<u32>,

    /// Events per batch
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub batch: usize,

    /// Several readers of one group share its events: each batch is leased to one reader for
    /// this long, renewed while the reader runs; a batch whose reader died (or stopped
    /// renewing) goes to another
    #[arg(long, value_name = "DURATION", default_value = "30s")]
    pub lease: String,
}

#[derive(Debug, Args)]
pub struct LogReadArgs {
    pub topic: String,

    /// The consumer group whose position is read and moved
    #[arg(long, value_name = "GROUP")]
    pub group: String,

    /// Where a new group starts: earliest, latest, seq:N or time:T (default earliest); an
    /// existing group goes on from its saved position (move it with binge log seek)
    #[arg(long, value_name = "WHERE")]
    pub from: Option<String>,

    /// Stop after N events
    #[arg(short = 'n', value_name = "N")]
    pub limit: Option<u64>,

    /// Wait for new events (another process's appends show within 100 ms)
    #[arg(short, long)]
    pub follow: bool,

    /// Add "_log": {"topic", "seq", "time"} to each event
    #[arg(long)]
    pub meta: bool,

    /// auto: the position moves once events have reached the reader (on a pipe: once the
    /// reader has taken them out of it); manual: only with binge log ack
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = CommitArg::Auto)]
    pub commit: CommitArg,

    /// Give each batch to `sh -c CMD` on its stdin instead (a whole batch, from a file); the
    /// batch is acknowledged only if CMD exits 0, else retried with backoff until it
    /// succeeds, or parked after --max-deliver attempts or --retry-for
    #[arg(long, value_name = "CMD")]
    pub exec: Option<String>,

    #[command(flatten)]
    pub batches: BatchArgs,

    /// When a forced compaction deleted events the group had not read: fail, or go on from
    /// the earliest event left or the latest
    #[arg(long, value_enum, value_name = "WHERE", default_value_t = OutOfRangeArg::Error)]
    pub on_out_of_range: OutOfRangeArg,
}

#[derive(Debug, Args)]
pub struct LogCompactArgs {
    pub topic: String,

    /// Delete events ingested longer ago than this (such as 7d)
    #[arg(long, value_name = "DURATION")]
    pub retain: Option<String>,

    /// Keep at most N events (the newest)
    #[arg(long, value_name = "N")]
    pub max_events: Option<i64>,

    /// Keep only the newest event of each key (events without a key stay)
    #[arg(long)]
    pub by_key: bool,

    /// Also delete events a group has not read yet
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct LogQueryArgs {
    pub topic: String,

    /// From this event time on (RFC 3339, a date alone for its midnight in --tz, epoch, now, or
    /// -DURATION for that long ago: --since -1h)
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub since: Option<String>,

    /// Up to (not including) this event time
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub until: Option<String>,

    /// Only events for which EXPR is true
    #[arg(long = "where", value_name = "EXPR")]
    pub filter: Option<String>,

    /// Summarise per time bucket of this length instead of writing the events
    #[arg(long, value_name = "DURATION", requires = "agg")]
    pub sample_by: Option<String>,

    /// What each bucket holds: count, sum(EXPR), min(EXPR), max(EXPR), avg(EXPR),
    /// distinct(EXPR), pQ(EXPR) (a percentile: p95, p99.9), comma-separated; written as count,
    /// <name>_<function>
    #[arg(long, value_name = "LIST", requires = "sample_by")]
    pub agg: Option<String>,

    /// What an empty bucket becomes
    #[arg(long, value_enum, value_name = "HOW", default_value_t = Fill::None, requires = "sample_by")]
    pub fill: Fill,

    /// With --sample-by: a row per bucket and value of EXPR ([NAME=]EXPR; named after its
    /// path); --fill then fills each group's missing buckets
    #[arg(long, value_name = "[NAME=]EXPR", requires = "sample_by")]
    pub by: Option<String>,

    /// Add "_log": {"topic", "seq", "time"} to each event
    #[arg(long)]
    pub meta: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CommitArg {
    Auto,
    Manual,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutOfRangeArg {
    Error,
    Earliest,
    Latest,
}

#[derive(Debug, Args)]
#[command(after_long_help = format!("{TEE_HELP}\n\n{EXIT_STATUS_HELP}"))]
pub struct TeeArgs {
    /// Where to copy the events (see Targets below)
    #[arg(value_name = "TARGET", required = true)]
    pub targets: Vec<String>,

    /// Copy only the events for which EXPR is true (all pass on to stdout regardless)
    #[arg(long, value_name = "EXPR")]
    pub when: Option<String>,

    /// Read events from FILE instead of standard input (repeatable; - is standard input)
    #[arg(short, long = "input", value_name = "FILE")]
    pub inputs: Vec<String>,

    /// spawn: targets run at most N commands at a time
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub spawn_max: usize,

    /// Events per HTTP request
    #[arg(
        long,
        value_name = "N",
        default_value_t = 100,
        help_heading = "HTTP targets"
    )]
    pub batch: usize,

    /// Send what has gathered after this long even if the batch is not full
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "1s",
        help_heading = "HTTP targets"
    )]
    pub flush_interval: String,

    /// An extra request header (repeatable)
    #[arg(long, value_name = "NAME:VALUE", help_heading = "HTTP targets")]
    pub header: Vec<String>,

    /// Give up on one request after this long
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "30s",
        help_heading = "HTTP targets"
    )]
    pub timeout: String,

    /// Retries of a batch after a connection error, a 5xx or a 429
    #[arg(
        long,
        value_name = "N",
        default_value_t = 5,
        help_heading = "HTTP targets"
    )]
    pub retries: u32,

    /// The longest wait before a retry, whatever a Retry-After header asks for
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "60s",
        help_heading = "HTTP targets"
    )]
    pub max_retry_wait: String,

    /// s3:// targets: write an object once its events reach this size (before gzip)
    #[arg(long, value_name = "BYTES", default_value = "64M", value_parser = parse_size)]
    pub max_bytes: usize,

    /// s3:// targets: write an object once its first event is this old
    #[arg(long, value_name = "DURATION", default_value = "60s")]
    pub max_age: String,

    /// s3:// targets: each object's key after the prefix: strftime codes (%Y %m %d %H %M) for
    /// the UTC time the object was started, {uuid} for a UUIDv7, which sorts in writing order
    /// (keep .gz at the end: s3:// inputs decompress by it)
    #[arg(
        long,
        value_name = "TEMPLATE",
        default_value = "%Y/%m/%d/%H/{uuid}.ndjson.gz"
    )]
    pub key_template: String,

    /// s3:// targets: the address of an S3-compatible store (default: AWS, or
    /// $AWS_ENDPOINT_URL); credentials and region come from the standard AWS variables
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,

    /// nats:// targets: each message's id, for JetStream's deduplication (default: a hash of
    /// the event and the file and line it came from; for standard input, this run and the
    /// line)
    #[arg(long, value_name = "EXPR", help_heading = "NATS targets")]
    pub id: Option<String>,

    /// nats:// targets: create the JetStream stream NAME, taking the target's subject, when
    /// there is no stream of that name
    #[arg(long, value_name = "NAME", help_heading = "NATS targets")]
    pub create_stream: Option<String>,

    #[command(flatten)]
    pub state: StateArgs,

    #[command(flatten)]
    pub stream: StreamArgs,

    /// Print this stage as binge run's config takes it (JSON), instead of running
    #[arg(long)]
    pub print_config: bool,
}

#[derive(Debug, Args)]
#[command(after_long_help = format!("{ENTWINE_HELP}\n\n{EXIT_STATUS_HELP}"))]
pub struct EntwineArgs {
    #[command(subcommand)]
    pub command: Option<EntwineCommand>,

    /// The stream's private key file (from binge entwine keygen)
    #[arg(long, value_name = "KEYFILE")]
    pub key: Option<PathBuf>,

    /// Sign a checkpoint every N records (and at the end of every run)
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub checkpoint_every: u64,

    /// Also sign every record
    #[arg(long)]
    pub sign_each: bool,

    /// Input files; standard input when none, or for -
    #[arg(value_name = "FILE")]
    pub files: Vec<String>,

    #[command(flatten)]
    pub state: StateArgs,

    #[command(flatten)]
    pub stream: StreamArgs,

    /// Print this stage as binge run's config takes it (JSON), instead of running
    #[arg(long)]
    pub print_config: bool,
}

#[derive(Debug, Subcommand)]
pub enum EntwineCommand {
    /// Make a stream key: the private key goes to KEYFILE (mode 0600), the public key to stdout
    Keygen {
        /// The stream's name, such as example.org/payments
        #[arg(long, value_name = "ORIGIN")]
        origin: String,
        /// Where to write the private key (never overwritten)
        #[arg(long, value_name = "KEYFILE")]
        out: PathBuf,
    },
    /// Print the public key of a private key file
    Pubkey { keyfile: PathBuf },
    /// Write a stream's history as typed NDJSON, the input of verify
    Export {
        #[arg(long = "stream", value_name = "ORIGIN")]
        origin: String,
        /// Start at this seq
        #[arg(long, value_name = "SEQ", default_value_t = 0)]
        from: u64,
        /// Leave the events out: records carry their body hash only
        #[arg(long)]
        redact: bool,
    },
    /// An RFC 6962 inclusion proof of one record against the latest checkpoint
    Prove {
        #[arg(long = "stream", value_name = "ORIGIN")]
        origin: String,
        #[arg(long, value_name = "SEQ")]
        seq: u64,
    },
    /// Each stream's size, head, last checkpoint and last anchor
    Status,
}

#[derive(Debug, Args)]
#[command(after_long_help = VERIFY_HELP)]
pub struct VerifyArgs {
    /// Exports to check (binge entwine export); standard input when none, or for -
    #[arg(value_name = "EXPORT")]
    pub exports: Vec<String>,

    /// The trusted public keys
    #[arg(long, value_name = "FILE")]
    pub trust: PathBuf,

    /// Exit 3 when anything is verified but not anchored
    #[arg(long)]
    pub strict: bool,

    /// Require cosignatures by at least K of the trust file's witnesses (`witness KEY` lines)
    /// on each stream's newest checkpoint; fewer is incomplete (exit 3)
    #[arg(long, value_name = "K")]
    pub witnesses: Option<usize>,

    /// A checkpoint verified before (a file with its signed note, or an earlier export whose
    /// last checkpoint line of each stream is taken): an increment made with
    /// `entwine export --from SIZE` is then checked from there, without the records before it
    #[arg(long, value_name = "FILE")]
    pub since: Vec<std::path::PathBuf>,

    /// Write the findings and a summary per stream as NDJSON on stdout
    #[arg(long)]
    pub json: bool,

    /// Say whether event A happened before event B, after it, or concurrently, with the
    /// evidence (each as ORIGIN:SEQ)
    #[arg(long, num_args = 2, value_names = ["A", "B"])]
    pub before: Vec<String>,

    /// Write every event with its interval: {"origin", "seq", "ref", "anc", "event"}
    #[arg(long, conflicts_with = "before")]
    pub order: bool,
}

#[derive(Debug, Args)]
#[command(after_long_help = format!("{ANCHOR_EXAMPLES}\n\n{EXIT_STATUS_HELP}"))]
pub struct AnchorArgs {
    #[command(subcommand)]
    pub command: AnchorCommand,

    #[command(flatten)]
    pub state: StateArgs,
}

#[derive(Debug, Subcommand)]
pub enum AnchorCommand {
    /// Make this state file a ticker, signing with KEYFILE (from binge entwine keygen)
    Init {
        #[arg(long, value_name = "ORIGIN")]
        origin: String,
        #[arg(long, value_name = "KEYFILE")]
        key: PathBuf,
    },
    /// Trust a stream's public key (origin+keyid+key)
    Trust { origin: String, pubkey: String },
    /// Answer anchor requests from stdin: accepted, or rejected with the reason (kept as evidence)
    Accept,
    /// Seal the anchors accepted since the last tick into a new signed tick, and print it
    Tick,
    /// Print the ticks from index N on, with their anchors and inclusion proofs
    Ticks {
        #[arg(long, value_name = "N", default_value_t = 0)]
        since: u64,
    },
    /// Print an anchor request for a stream: its latest signed checkpoint and a consistency
    /// proof from its last anchored size
    Request {
        #[arg(long = "stream", value_name = "ORIGIN")]
        origin: String,

        /// Submit it to the C2SP tlog-witness at URL (its submission prefix: URL/add-checkpoint
        /// is posted to) instead of printing it, and keep the cosignature it returns; the
        /// exports then carry it for verify --witnesses
        #[arg(long, value_name = "URL")]
        to: Option<String>,
    },
    /// Serve C2SP tlog-witness add-checkpoint over HTTP: POST /add-checkpoint with the
    /// spec's request body; accepted checkpoints are cosigned (cosignature/v1) with the
    /// ticker's key and sealed by the next tick, as anchor accept does
    Serve {
        /// Where to listen (loopback unless you say otherwise; port 0 picks a free one, and the
        /// address is printed on stderr)
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7380")]
        listen: String,

        /// The largest request body taken
        #[arg(long, value_name = "BYTES", default_value = "1M", value_parser = parse_size)]
        max_body: usize,
    },
    /// Print the ticker's witness key: its cosignature/v1 verifier key (signature type 0x04),
    /// for the trust files of verifiers (as `witness KEY`)
    WitnessKey,
    /// Import ticks from stdin, checked against the ticker's key; later records reference them
    Import {
        /// The ticker's public key (origin+keyid+key)
        #[arg(long, value_name = "KEY")]
        ticker: String,
    },
}

#[derive(Debug, Args)]
#[command(after_long_help = STATE_EXAMPLES)]
pub struct StateCmdArgs {
    #[command(subcommand)]
    pub command: StateCommand,

    #[command(flatten)]
    pub state: StateArgs,
}

#[derive(Debug, Subcommand)]
pub enum StateCommand {
    /// List the input files read with --resume and how far each was read
    Inputs {
        /// Only this scope (aggregate:NAME, log:TOPIC, entwine:ORIGIN, or a --resume=NAME)
        #[arg(long, value_name = "SCOPE")]
        scope: Option<String>,

        /// Forget the listed positions instead: the next --resume run reads from the start
        #[arg(long)]
        forget: bool,
    },
}

/// Where state is kept, for subcommands that keep any.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "State")]
pub struct StateArgs {
    /// The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else
    /// ~/.local/state/binge/state.db)
    #[arg(long, value_name = "PATH", global = true)]
    pub state: Option<PathBuf>,

    /// full: every commit survives power loss; normal: faster, survives a crash of binge only
    #[arg(long, value_enum, value_name = "LEVEL", default_value_t = Durability::Full, global = true)]
    pub durability: Durability,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EmitArg {
    Final,
    Each,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LateArg {
    /// Leave it out of the statistics and report the count at the end
    Count,
    /// Treat it as a bad line (reported, and written to --dead-letter FILE when given)
    DeadLetter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TimeUnit {
    S,
    Ms,
    Us,
    Ns,
}

impl From<TimeUnit> for Unit {
    fn from(u: TimeUnit) -> Unit {
        match u {
            TimeUnit::S => Unit::Seconds,
            TimeUnit::Ms => Unit::Millis,
            TimeUnit::Us => Unit::Micros,
            TimeUnit::Ns => Unit::Nanos,
        }
    }
}

/// A byte count with an optional K, M or G suffix (powers of 1024).
fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let (digits, mult) = match t.char_indices().last() {
        Some((i, 'k' | 'K')) => (&t[..i], 1 << 10),
        Some((i, 'm' | 'M')) => (&t[..i], 1 << 20),
        Some((i, 'g' | 'G')) => (&t[..i], 1 << 30),
        _ => (t, 1),
    };
    digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .filter(|&n| n > 0 && n <= 4 << 30)
        // Lines are framed with 32-bit offsets: 4G means the most that allows.
        .map(|n| n.min(u32::MAX as usize))
        .ok_or_else(|| format!("'{s}' is not a size from 1 byte to 4G (such as 65536, 64K, 16M)"))
}

/// The arguments as if binge had been called by its own name: a link named `binge-<sub>`
/// runs `binge <sub>`.
fn parse_multiline(text: &str) -> Result<crate::stream::Multiline, String> {
    crate::stream::Multiline::parse(text)
}

pub fn normalize_args(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut args: Vec<OsString> = args.into_iter().collect();
    let sub = args
        .first()
        .and_then(|a0| Path::new(a0).file_name())
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_prefix("binge-"))
        .map(|s| s.trim_end_matches(".exe").to_string());
    if let Some(sub) = sub {
        args[0] = OsString::from("binge");
        args.insert(1, OsString::from(sub));
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definitions_are_consistent() {
        command().debug_assert();
    }

    #[test]
    fn links_named_binge_sub_run_the_subcommand() {
        let args = normalize_args(["/usr/local/bin/binge-filter", "true"].map(OsString::from));
        assert_eq!(args, ["binge", "filter", "true"].map(OsString::from));
        let args = normalize_args(["binge", "filter"].map(OsString::from));
        assert_eq!(args, ["binge", "filter"].map(OsString::from));
    }

    #[test]
    fn sizes_take_suffixes() {
        assert_eq!(parse_size("65536"), Ok(65536));
        assert_eq!(parse_size("64K"), Ok(65536));
        assert_eq!(parse_size("16m"), Ok(16 << 20));
        assert!(parse_size("0").is_err());
        assert!(parse_size("5G").is_err());
        assert!(parse_size("lots").is_err());
    }
}
