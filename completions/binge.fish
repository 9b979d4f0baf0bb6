# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_binge_global_optspecs
    string join \n tz= o/output= columns= h/help V/version
end

function __fish_binge_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_binge_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_binge_using_subcommand
    set -l cmd (__fish_binge_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c binge -n "__fish_binge_needs_command" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_needs_command" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_needs_command" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_needs_command" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_needs_command" -f -a "filter" -d 'Keep or drop events by an expression'
complete -c binge -n "__fish_binge_needs_command" -f -a "annotate" -d 'Add, compute, rename, copy and remove fields; parse text into fields'
complete -c binge -n "__fish_binge_needs_command" -f -a "aggregate" -d 'Group-by statistics, windows, and versioned collect-until-complete aggregates'
complete -c binge -n "__fish_binge_needs_command" -f -a "log" -d 'A durable append-only log with consumer groups, in the state file'
complete -c binge -n "__fish_binge_needs_command" -f -a "tee" -d 'Copy events to side outputs (files, SQLite, the log, HTTP, a command) while passing them on'
complete -c binge -n "__fish_binge_needs_command" -f -a "entwine" -d 'Append events to a signed, hash-chained stream; keys, export, proofs, status'
complete -c binge -n "__fish_binge_needs_command" -f -a "verify" -d 'Check exported entwined history offline, with the trusted public keys only'
complete -c binge -n "__fish_binge_needs_command" -f -a "anchor" -d 'Anchor streams to a shared ticker chain: the ticker\'s side and the streams\' side'
complete -c binge -n "__fish_binge_needs_command" -f -a "serve" -d 'HTTP ingest: POST /events to stdout, or into the durable log before answering 200'
complete -c binge -n "__fish_binge_needs_command" -f -a "state" -d 'What the state file keeps for inputs read with --resume'
complete -c binge -n "__fish_binge_needs_command" -f -a "help" -d 'Help on a subcommand (binge help filter), or a topic: binge help functions'
complete -c binge -n "__fish_binge_needs_command" -f -a "run" -d 'Run the pipelines of a JSON config in one process'
complete -c binge -n "__fish_binge_using_subcommand filter" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand filter" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand filter" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand filter" -l limit -d 'Stop after writing N events (and stop reading)' -r
complete -c binge -n "__fish_binge_using_subcommand filter" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand filter" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand filter" -l multiline -d 'With --text: lines matching REGEX begin an event, the others (a stack trace) are joined to it with newlines; @java for log4j-style records (a line starting with a date or [). Behind a pipe, the last event comes out after half a second without input' -r
complete -c binge -n "__fish_binge_using_subcommand filter" -l on-error -d 'What to do with a line that is not a JSON object: report it and go on, or stop with exit status 65' -r -f -a "skip\t'Report the line and go on'
fail\t'Stop at the first bad line, with exit status 65'"
complete -c binge -n "__fish_binge_using_subcommand filter" -l dead-letter -d 'Also append each bad line to FILE as {"source","line","error","raw"} ("raw_base64" instead of "raw" when the line is not UTF-8)' -r -F
complete -c binge -n "__fish_binge_using_subcommand filter" -l max-line-bytes -d 'Lines longer than this are bad lines (suffixes K, M, G allowed)' -r
complete -c binge -n "__fish_binge_using_subcommand filter" -l resume -d 'Keep in the state file how far each input file was read, and start there next time. A rotated file found beside its name (NAME.* or NAME-*) is finished first. Stages that keep state commit the place with their state (each line counts exactly once); others save it after their output is flushed (at least once). NAME is whose place it is; it defaults to the state\'s name where there is one (see `binge state inputs`)' -r
complete -c binge -n "__fish_binge_using_subcommand filter" -s v -l invert -d 'Keep the events for which EXPR is not true instead'
complete -c binge -n "__fish_binge_using_subcommand filter" -l text -d 'Read each input line as plain text: the event is {"message": LINE}'
complete -c binge -n "__fish_binge_using_subcommand filter" -s q -l quiet -d 'Show no progress display (it is only ever shown when stderr is a terminal)'
complete -c binge -n "__fish_binge_using_subcommand filter" -l print-config -d 'Print this stage as binge run\'s config takes it (JSON), instead of running'
complete -c binge -n "__fish_binge_using_subcommand filter" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand filter" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand annotate" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand annotate" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand annotate" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand annotate" -l set -d 'Set PATH to the value of EXPR (an expression; see below)' -r
complete -c binge -n "__fish_binge_using_subcommand annotate" -l rename -d 'Move the value at OLD to NEW (in place when both are in the same object)' -r
complete -c binge -n "__fish_binge_using_subcommand annotate" -l copy -d 'Copy the value at SRC to DST' -r
complete -c binge -n "__fish_binge_using_subcommand annotate" -l delete -d 'Remove PATH' -r
complete -c binge -n "__fish_binge_using_subcommand annotate" -l keep -d 'Keep only these comma-separated paths' -r
complete -c binge -n "__fish_binge_using_subcommand annotate" -l extract -d 'Set the named groups of REGEX, matched against the string FIELD, as fields; REGEX may be @NAME for a built-in pattern (see below)' -r
complete -c binge -n "__fish_binge_using_subcommand annotate" -l parse-json -d 'Replace the string FIELD with the JSON value it holds' -r
complete -c binge -n "__fish_binge_using_subcommand annotate" -l parse-logfmt -d 'Replace the string FIELD (key=value pairs) with an object' -r
complete -c binge -n "__fish_binge_using_subcommand annotate" -l parse-time -d 'Rewrite FIELD as an RFC 3339 UTC time, reading it with FORMAT (strftime-style) if given' -r
complete -c binge -n "__fish_binge_using_subcommand annotate" -l when -d 'Change only the events for which EXPR is true; the others pass through unchanged' -r
complete -c binge -n "__fish_binge_using_subcommand annotate" -l unmatched -d 'What --extract does with an event that does not match' -r -f -a "pass\t'Leave the event as it is, silently'
count\t'Leave the event as it is, and report how many did not match at the end'
reject\t'Treat the event as a bad line (reported, dead-lettered, or stopping the run under --on-error fail); it is not passed on'"
complete -c binge -n "__fish_binge_using_subcommand annotate" -l time-unit -d 'The unit of epoch numbers read by --parse-time (default: guessed from their size)' -r -f -a "s\t''
ms\t''
us\t''
ns\t''"
complete -c binge -n "__fish_binge_using_subcommand annotate" -l year -d 'The year of times written without one, such as syslog\'s (default: the current year)' -r
complete -c binge -n "__fish_binge_using_subcommand annotate" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand annotate" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand annotate" -l multiline -d 'With --text: lines matching REGEX begin an event, the others (a stack trace) are joined to it with newlines; @java for log4j-style records (a line starting with a date or [). Behind a pipe, the last event comes out after half a second without input' -r
complete -c binge -n "__fish_binge_using_subcommand annotate" -l on-error -d 'What to do with a line that is not a JSON object: report it and go on, or stop with exit status 65' -r -f -a "skip\t'Report the line and go on'
fail\t'Stop at the first bad line, with exit status 65'"
complete -c binge -n "__fish_binge_using_subcommand annotate" -l dead-letter -d 'Also append each bad line to FILE as {"source","line","error","raw"} ("raw_base64" instead of "raw" when the line is not UTF-8)' -r -F
complete -c binge -n "__fish_binge_using_subcommand annotate" -l max-line-bytes -d 'Lines longer than this are bad lines (suffixes K, M, G allowed)' -r
complete -c binge -n "__fish_binge_using_subcommand annotate" -l resume -d 'Keep in the state file how far each input file was read, and start there next time. A rotated file found beside its name (NAME.* or NAME-*) is finished first. Stages that keep state commit the place with their state (each line counts exactly once); others save it after their output is flushed (at least once). NAME is whose place it is; it defaults to the state\'s name where there is one (see `binge state inputs`)' -r
complete -c binge -n "__fish_binge_using_subcommand annotate" -l keep-existing -d 'Leave fields that already exist alone (--set, --copy, --rename, --extract)'
complete -c binge -n "__fish_binge_using_subcommand annotate" -l text -d 'Read each input line as plain text: the event is {"message": LINE}'
complete -c binge -n "__fish_binge_using_subcommand annotate" -s q -l quiet -d 'Show no progress display (it is only ever shown when stderr is a terminal)'
complete -c binge -n "__fish_binge_using_subcommand annotate" -l print-config -d 'Print this stage as binge run\'s config takes it (JSON), instead of running'
complete -c binge -n "__fish_binge_using_subcommand annotate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand annotate" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l by -d 'Group by the value of EXPR (repeatable)' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l sum -d 'Sum of EXPR over the group' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l min -d 'Least value of EXPR' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l max -d 'Greatest value of EXPR' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l avg -d 'Mean of EXPR' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l distinct -d 'Exact count of distinct values of EXPR' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l hist -d 'Histogram of EXPR: each value and its count' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l p50 -d 'The median (50th percentile) of EXPR\'s numbers (nearest rank; exact while a group has at most 10,000 numbers, else within 1% relative error)' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l p95 -d 'The 95th percentile of EXPR\'s numbers (as --p50)' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l p99 -d 'The 99th percentile of EXPR\'s numbers (as --p50)' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l percentile -d 'The Q-th percentile (0 to 100, two decimals at most) of EXPR\'s numbers: 99.9:.ms (as --p50; named EXPR\'s path with _p99_9)' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l top -d 'Write only the N groups with the largest --sort value (per window)' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l sort -d 'Rank the groups written at once by EXPR over each output row, largest first (default: the first statistic): --sort .count, --sort \'-.ms_avg\' for the smallest first' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l emit -d 'When to write a group: at the end (per window: when it closes), or after every event' -r -f -a "final\t''
each\t''"
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l window -d 'Group into tumbling windows of this length of event time (such as 30s, 5m, 1h)' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l time -d 'The event time: RFC 3339 text or an epoch number' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l lateness -d 'How far behind the newest event time a window stays open' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l late -d 'What to do with an event whose window has closed' -r -f -a "count\t'Leave it out of the statistics and report the count at the end'
dead-letter\t'Treat it as a bad line (reported, and written to --dead-letter FILE when given)'"
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l time-unit -d 'The unit of epoch numbers in --time (default: guessed from their size)' -r -f -a "s\t''
ms\t''
us\t''
ns\t''"
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l keep -d 'With --name: how long closed windows stay in the state file for --show after they closed' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l idle -d 'Also close the open windows when no event has come for this long (wall-clock time), so behind tail -F each window is written soon after it ends (default: the window\'s width plus --lateness; 0 turns it off)' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l key -d 'The aggregate an event belongs to' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l collection -d 'The collection an event is a source of' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l complete-when -d 'Write an aggregate once, marked complete, when EXPR (over the aggregate) first holds' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l source-id -d 'What identifies a source within its collection: a source with a known id and a changed body replaces the old one (a new version); the same body again changes nothing (default: the whole body, so any change is a new source)' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l timeout -d 'Write an aggregate still incomplete this long after its first source, marked timed out' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l name -d 'Keep the aggregate in the state file under NAME, and continue it in later runs' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l multiline -d 'With --text: lines matching REGEX begin an event, the others (a stack trace) are joined to it with newlines; @java for log4j-style records (a line starting with a date or [). Behind a pipe, the last event comes out after half a second without input' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l on-error -d 'What to do with a line that is not a JSON object: report it and go on, or stop with exit status 65' -r -f -a "skip\t'Report the line and go on'
fail\t'Stop at the first bad line, with exit status 65'"
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l dead-letter -d 'Also append each bad line to FILE as {"source","line","error","raw"} ("raw_base64" instead of "raw" when the line is not UTF-8)' -r -F
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l max-line-bytes -d 'Lines longer than this are bad lines (suffixes K, M, G allowed)' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l resume -d 'Keep in the state file how far each input file was read, and start there next time. A rotated file found beside its name (NAME.* or NAME-*) is finished first. Stages that keep state commit the place with their state (each line counts exactly once); others save it after their output is flushed (at least once). NAME is whose place it is; it defaults to the state\'s name where there is one (see `binge state inputs`)' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l count -d 'Count the events of each group'
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l collect -d 'Collect sources under aggregate keys instead of computing statistics'
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l every-version -d 'After completion, also write every later version'
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l show -d 'Write the saved state of --name without reading input'
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l reset -d 'Forget the saved state of --name, without reading input'
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l list -d 'List the saved aggregates: name, kind, definition as flags, last update, groups'
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l text -d 'Read each input line as plain text: the event is {"message": LINE}'
complete -c binge -n "__fish_binge_using_subcommand aggregate" -s q -l quiet -d 'Show no progress display (it is only ever shown when stderr is a terminal)'
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l print-config -d 'Print this stage as binge run\'s config takes it (JSON), instead of running'
complete -c binge -n "__fish_binge_using_subcommand aggregate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand aggregate" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand log; and not __fish_seen_subcommand_from append read mirror ack seek groups topics tail compact query dead" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and not __fish_seen_subcommand_from append read mirror ack seek groups topics tail compact query dead" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand log; and not __fish_seen_subcommand_from append read mirror ack seek groups topics tail compact query dead" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and not __fish_seen_subcommand_from append read mirror ack seek groups topics tail compact query dead" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand log; and not __fish_seen_subcommand_from append read mirror ack seek groups topics tail compact query dead" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand log; and not __fish_seen_subcommand_from append read mirror ack seek groups topics tail compact query dead" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand log; and not __fish_seen_subcommand_from append read mirror ack seek groups topics tail compact query dead" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand log; and not __fish_seen_subcommand_from append read mirror ack seek groups topics tail compact query dead" -f -a "append" -d 'Append NDJSON events to a topic, one transaction per batch'
complete -c binge -n "__fish_binge_using_subcommand log; and not __fish_seen_subcommand_from append read mirror ack seek groups topics tail compact query dead" -f -a "read" -d 'Read a topic in seq order from a consumer group\'s position'
complete -c binge -n "__fish_binge_using_subcommand log; and not __fish_seen_subcommand_from append read mirror ack seek groups topics tail compact query dead" -f -a "mirror" -d 'Forward a topic to NATS JetStream from a consumer group, at least once, going on where it stopped'
complete -c binge -n "__fish_binge_using_subcommand log; and not __fish_seen_subcommand_from append read mirror ack seek groups topics tail compact query dead" -f -a "ack" -d 'Move a group\'s position forward to SEQ (for --commit manual)'
complete -c binge -n "__fish_binge_using_subcommand log; and not __fish_seen_subcommand_from append read mirror ack seek groups topics tail compact query dead" -f -a "seek" -d 'Move a group\'s position, backwards too'
complete -c binge -n "__fish_binge_using_subcommand log; and not __fish_seen_subcommand_from append read mirror ack seek groups topics tail compact query dead" -f -a "groups" -d 'The position and lag of every group (of TOPIC)'
complete -c binge -n "__fish_binge_using_subcommand log; and not __fish_seen_subcommand_from append read mirror ack seek groups topics tail compact query dead" -f -a "topics" -d 'Every topic: events, first and last seq and time, bytes'
complete -c binge -n "__fish_binge_using_subcommand log; and not __fish_seen_subcommand_from append read mirror ack seek groups topics tail compact query dead" -f -a "tail" -d 'The last N events of a topic, then new ones with --follow (no group)'
complete -c binge -n "__fish_binge_using_subcommand log; and not __fish_seen_subcommand_from append read mirror ack seek groups topics tail compact query dead" -f -a "compact" -d 'Delete old events, never what a group has not read (unless --force)'
complete -c binge -n "__fish_binge_using_subcommand log; and not __fish_seen_subcommand_from append read mirror ack seek groups topics tail compact query dead" -f -a "query" -d 'Events of a time range, or a summary per time bucket'
complete -c binge -n "__fish_binge_using_subcommand log; and not __fish_seen_subcommand_from append read mirror ack seek groups topics tail compact query dead" -f -a "dead" -d 'The deliveries parked after --max-deliver failed attempts'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from append" -l time -d 'The event time (RFC 3339 or epoch number); default: the ingest time' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from append" -l key -d 'The event\'s key (for --by-key compaction)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from append" -l id -d 'The event\'s id; an id already in the topic is not appended again (default: a UUIDv7)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from append" -l batch -d 'Events per transaction' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from append" -l linger -d 'Commit what has arrived after this long, even if the batch is not full (default: as soon as the input pauses)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from append" -l time-unit -d 'The unit of epoch numbers in --time (default: guessed from their size)' -r -f -a "s\t''
ms\t''
us\t''
ns\t''"
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from append" -l multiline -d 'With --text: lines matching REGEX begin an event, the others (a stack trace) are joined to it with newlines; @java for log4j-style records (a line starting with a date or [). Behind a pipe, the last event comes out after half a second without input' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from append" -l on-error -d 'What to do with a line that is not a JSON object: report it and go on, or stop with exit status 65' -r -f -a "skip\t'Report the line and go on'
fail\t'Stop at the first bad line, with exit status 65'"
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from append" -l dead-letter -d 'Also append each bad line to FILE as {"source","line","error","raw"} ("raw_base64" instead of "raw" when the line is not UTF-8)' -r -F
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from append" -l max-line-bytes -d 'Lines longer than this are bad lines (suffixes K, M, G allowed)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from append" -l resume -d 'Keep in the state file how far each input file was read, and start there next time. A rotated file found beside its name (NAME.* or NAME-*) is finished first. Stages that keep state commit the place with their state (each line counts exactly once); others save it after their output is flushed (at least once). NAME is whose place it is; it defaults to the state\'s name where there is one (see `binge state inputs`)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from append" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from append" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from append" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from append" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from append" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from append" -l text -d 'Read each input line as plain text: the event is {"message": LINE}'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from append" -s q -l quiet -d 'Show no progress display (it is only ever shown when stderr is a terminal)'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from append" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from append" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from read" -l group -d 'The consumer group whose position is read and moved' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from read" -l from -d 'Where a new group starts: earliest, latest, seq:N or time:T (default earliest); an existing group goes on from its saved position (move it with binge log seek)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from read" -s n -d 'Stop after N events' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from read" -l commit -d 'auto: the position moves once events have reached the reader (on a pipe: once the reader has taken them out of it); manual: only with binge log ack' -r -f -a "auto\t''
manual\t''"
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from read" -l exec -d 'Give each batch to `sh -c CMD` on its stdin instead (a whole batch, from a file); the batch is acknowledged only if CMD exits 0, else retried with backoff until it succeeds, or parked after --max-deliver attempts or --retry-for' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from read" -l backoff -d 'The wait between attempts at a failing batch (--exec, or log mirror\'s publish): from MIN, doubling with jitter, up to MAX' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from read" -l retry-for -d 'Park a batch once it has failed for this long (default: retry forever, holding the group back until the command or server recovers)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from read" -l max-deliver -d 'Park a batch after N failed attempts (see binge log dead); a run that parked anything exits with status 1' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from read" -l batch -d 'Events per batch' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from read" -l lease -d 'Several readers of one group share its events: each batch is leased to one reader for this long, renewed while the reader runs; a batch whose reader died (or stopped renewing) goes to another' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from read" -l on-out-of-range -d 'When a forced compaction deleted events the group had not read: fail, or go on from the earliest event left or the latest' -r -f -a "error\t''
earliest\t''
latest\t''"
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from read" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from read" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from read" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from read" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from read" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from read" -s f -l follow -d 'Wait for new events (another process\'s appends show within 100 ms)'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from read" -l meta -d 'Add "_log": {"topic", "seq", "time"} to each event'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from read" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from read" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from mirror" -l group -d 'The consumer group that remembers how far the mirror got' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from mirror" -l from -d 'Where a new group starts: earliest, latest, seq:N or time:T (default earliest)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from mirror" -s n -d 'Stop after N events' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from mirror" -l create-stream -d 'Create the JetStream stream NAME, taking SUBJECT, when there is no stream of that name' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from mirror" -l timeout -d 'How long one publish waits for JetStream\'s acknowledgement' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from mirror" -l backoff -d 'The wait between attempts at a failing batch (--exec, or log mirror\'s publish): from MIN, doubling with jitter, up to MAX' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from mirror" -l retry-for -d 'Park a batch once it has failed for this long (default: retry forever, holding the group back until the command or server recovers)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from mirror" -l max-deliver -d 'Park a batch after N failed attempts (see binge log dead); a run that parked anything exits with status 1' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from mirror" -l batch -d 'Events per batch' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from mirror" -l lease -d 'Several readers of one group share its events: each batch is leased to one reader for this long, renewed while the reader runs; a batch whose reader died (or stopped renewing) goes to another' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from mirror" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from mirror" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from mirror" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from mirror" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from mirror" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from mirror" -s f -l follow -d 'Keep forwarding new events as they are appended'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from mirror" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from mirror" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from ack" -l group -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from ack" -l upto -d 'The last seq the consumer has handled' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from ack" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from ack" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from ack" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from ack" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from ack" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from ack" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from ack" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from seek" -l group -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from seek" -l to -d 'earliest, latest, seq:N (read from N on) or time:T (from the first event at T or later)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from seek" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from seek" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from seek" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from seek" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from seek" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from seek" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from seek" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from groups" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from groups" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from groups" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from groups" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from groups" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from groups" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from groups" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from topics" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from topics" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from topics" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from topics" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from topics" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from topics" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from topics" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from tail" -s n -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from tail" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from tail" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from tail" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from tail" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from tail" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from tail" -s f -l follow
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from tail" -l meta -d 'Add "_log": {"topic", "seq", "time"} to each event'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from tail" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from tail" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from compact" -l retain -d 'Delete events ingested longer ago than this (such as 7d)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from compact" -l max-events -d 'Keep at most N events (the newest)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from compact" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from compact" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from compact" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from compact" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from compact" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from compact" -l by-key -d 'Keep only the newest event of each key (events without a key stay)'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from compact" -l force -d 'Also delete events a group has not read yet'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from compact" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from compact" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from query" -l since -d 'From this event time on (RFC 3339, a date alone for its midnight in --tz, epoch, now, or -DURATION for that long ago: --since -1h)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from query" -l until -d 'Up to (not including) this event time' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from query" -l where -d 'Only events for which EXPR is true' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from query" -l sample-by -d 'Summarise per time bucket of this length instead of writing the events' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from query" -l agg -d 'What each bucket holds: count, sum(EXPR), min(EXPR), max(EXPR), avg(EXPR), distinct(EXPR), pQ(EXPR) (a percentile: p95, p99.9), comma-separated; written as count, <name>_<function>' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from query" -l fill -d 'What an empty bucket becomes' -r -f -a "none\t'Left out'
null\t'Written with every value null'
prev\t'Written with the values of the bucket before'
0\t'Written with every value 0'"
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from query" -l by -d 'With --sample-by: a row per bucket and value of EXPR ([NAME=]EXPR; named after its path); --fill then fills each group\'s missing buckets' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from query" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from query" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from query" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from query" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from query" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from query" -l meta -d 'Add "_log": {"topic", "seq", "time"} to each event'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from query" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from query" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from dead" -l group -d 'Only the events parked by this group' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from dead" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from dead" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from dead" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from dead" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from dead" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from dead" -l redrive -d 'Put the parked events back: the group\'s next read delivers them again, under their own seqs, before anything new'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from dead" -l purge -d 'Delete the parked events'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from dead" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand log; and __fish_seen_subcommand_from dead" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand tee" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand tee" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand tee" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand tee" -l when -d 'Copy only the events for which EXPR is true (all pass on to stdout regardless)' -r
complete -c binge -n "__fish_binge_using_subcommand tee" -s i -l input -d 'Read events from FILE instead of standard input (repeatable; - is standard input)' -r
complete -c binge -n "__fish_binge_using_subcommand tee" -l spawn-max -d 'spawn: targets run at most N commands at a time' -r
complete -c binge -n "__fish_binge_using_subcommand tee" -l batch -d 'Events per HTTP request' -r
complete -c binge -n "__fish_binge_using_subcommand tee" -l flush-interval -d 'Send what has gathered after this long even if the batch is not full' -r
complete -c binge -n "__fish_binge_using_subcommand tee" -l header -d 'An extra request header (repeatable)' -r
complete -c binge -n "__fish_binge_using_subcommand tee" -l timeout -d 'Give up on one request after this long' -r
complete -c binge -n "__fish_binge_using_subcommand tee" -l retries -d 'Retries of a batch after a connection error, a 5xx or a 429' -r
complete -c binge -n "__fish_binge_using_subcommand tee" -l max-retry-wait -d 'The longest wait before a retry, whatever a Retry-After header asks for' -r
complete -c binge -n "__fish_binge_using_subcommand tee" -l max-bytes -d 's3:// targets: write an object once its events reach this size (before gzip)' -r
complete -c binge -n "__fish_binge_using_subcommand tee" -l max-age -d 's3:// targets: write an object once its first event is this old' -r
complete -c binge -n "__fish_binge_using_subcommand tee" -l key-template -d 's3:// targets: each object\'s key after the prefix: strftime codes (%Y %m %d %H %M) for the UTC time the object was started, {uuid} for a UUIDv7, which sorts in writing order (keep .gz at the end: s3:// inputs decompress by it)' -r
complete -c binge -n "__fish_binge_using_subcommand tee" -l endpoint -d 's3:// targets: the address of an S3-compatible store (default: AWS, or $AWS_ENDPOINT_URL); credentials and region come from the standard AWS variables' -r
complete -c binge -n "__fish_binge_using_subcommand tee" -l id -d 'nats:// targets: each message\'s id, for JetStream\'s deduplication (default: a hash of the event and the file and line it came from; for standard input, this run and the line)' -r
complete -c binge -n "__fish_binge_using_subcommand tee" -l create-stream -d 'nats:// targets: create the JetStream stream NAME, taking the target\'s subject, when there is no stream of that name' -r
complete -c binge -n "__fish_binge_using_subcommand tee" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand tee" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand tee" -l multiline -d 'With --text: lines matching REGEX begin an event, the others (a stack trace) are joined to it with newlines; @java for log4j-style records (a line starting with a date or [). Behind a pipe, the last event comes out after half a second without input' -r
complete -c binge -n "__fish_binge_using_subcommand tee" -l on-error -d 'What to do with a line that is not a JSON object: report it and go on, or stop with exit status 65' -r -f -a "skip\t'Report the line and go on'
fail\t'Stop at the first bad line, with exit status 65'"
complete -c binge -n "__fish_binge_using_subcommand tee" -l dead-letter -d 'Also append each bad line to FILE as {"source","line","error","raw"} ("raw_base64" instead of "raw" when the line is not UTF-8)' -r -F
complete -c binge -n "__fish_binge_using_subcommand tee" -l max-line-bytes -d 'Lines longer than this are bad lines (suffixes K, M, G allowed)' -r
complete -c binge -n "__fish_binge_using_subcommand tee" -l resume -d 'Keep in the state file how far each input file was read, and start there next time. A rotated file found beside its name (NAME.* or NAME-*) is finished first. Stages that keep state commit the place with their state (each line counts exactly once); others save it after their output is flushed (at least once). NAME is whose place it is; it defaults to the state\'s name where there is one (see `binge state inputs`)' -r
complete -c binge -n "__fish_binge_using_subcommand tee" -l text -d 'Read each input line as plain text: the event is {"message": LINE}'
complete -c binge -n "__fish_binge_using_subcommand tee" -s q -l quiet -d 'Show no progress display (it is only ever shown when stderr is a terminal)'
complete -c binge -n "__fish_binge_using_subcommand tee" -l print-config -d 'Print this stage as binge run\'s config takes it (JSON), instead of running'
complete -c binge -n "__fish_binge_using_subcommand tee" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand tee" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand entwine; and not __fish_seen_subcommand_from keygen pubkey export prove status" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand entwine; and not __fish_seen_subcommand_from keygen pubkey export prove status" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand entwine; and not __fish_seen_subcommand_from keygen pubkey export prove status" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand entwine; and not __fish_seen_subcommand_from keygen pubkey export prove status" -l key -d 'The stream\'s private key file (from binge entwine keygen)' -r -F
complete -c binge -n "__fish_binge_using_subcommand entwine; and not __fish_seen_subcommand_from keygen pubkey export prove status" -l checkpoint-every -d 'Sign a checkpoint every N records (and at the end of every run)' -r
complete -c binge -n "__fish_binge_using_subcommand entwine; and not __fish_seen_subcommand_from keygen pubkey export prove status" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand entwine; and not __fish_seen_subcommand_from keygen pubkey export prove status" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand entwine; and not __fish_seen_subcommand_from keygen pubkey export prove status" -l multiline -d 'With --text: lines matching REGEX begin an event, the others (a stack trace) are joined to it with newlines; @java for log4j-style records (a line starting with a date or [). Behind a pipe, the last event comes out after half a second without input' -r
complete -c binge -n "__fish_binge_using_subcommand entwine; and not __fish_seen_subcommand_from keygen pubkey export prove status" -l on-error -d 'What to do with a line that is not a JSON object: report it and go on, or stop with exit status 65' -r -f -a "skip\t'Report the line and go on'
fail\t'Stop at the first bad line, with exit status 65'"
complete -c binge -n "__fish_binge_using_subcommand entwine; and not __fish_seen_subcommand_from keygen pubkey export prove status" -l dead-letter -d 'Also append each bad line to FILE as {"source","line","error","raw"} ("raw_base64" instead of "raw" when the line is not UTF-8)' -r -F
complete -c binge -n "__fish_binge_using_subcommand entwine; and not __fish_seen_subcommand_from keygen pubkey export prove status" -l max-line-bytes -d 'Lines longer than this are bad lines (suffixes K, M, G allowed)' -r
complete -c binge -n "__fish_binge_using_subcommand entwine; and not __fish_seen_subcommand_from keygen pubkey export prove status" -l resume -d 'Keep in the state file how far each input file was read, and start there next time. A rotated file found beside its name (NAME.* or NAME-*) is finished first. Stages that keep state commit the place with their state (each line counts exactly once); others save it after their output is flushed (at least once). NAME is whose place it is; it defaults to the state\'s name where there is one (see `binge state inputs`)' -r
complete -c binge -n "__fish_binge_using_subcommand entwine; and not __fish_seen_subcommand_from keygen pubkey export prove status" -l sign-each -d 'Also sign every record'
complete -c binge -n "__fish_binge_using_subcommand entwine; and not __fish_seen_subcommand_from keygen pubkey export prove status" -l text -d 'Read each input line as plain text: the event is {"message": LINE}'
complete -c binge -n "__fish_binge_using_subcommand entwine; and not __fish_seen_subcommand_from keygen pubkey export prove status" -s q -l quiet -d 'Show no progress display (it is only ever shown when stderr is a terminal)'
complete -c binge -n "__fish_binge_using_subcommand entwine; and not __fish_seen_subcommand_from keygen pubkey export prove status" -l print-config -d 'Print this stage as binge run\'s config takes it (JSON), instead of running'
complete -c binge -n "__fish_binge_using_subcommand entwine; and not __fish_seen_subcommand_from keygen pubkey export prove status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand entwine; and not __fish_seen_subcommand_from keygen pubkey export prove status" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand entwine; and not __fish_seen_subcommand_from keygen pubkey export prove status" -a "keygen" -d 'Make a stream key: the private key goes to KEYFILE (mode 0600), the public key to stdout'
complete -c binge -n "__fish_binge_using_subcommand entwine; and not __fish_seen_subcommand_from keygen pubkey export prove status" -a "pubkey" -d 'Print the public key of a private key file'
complete -c binge -n "__fish_binge_using_subcommand entwine; and not __fish_seen_subcommand_from keygen pubkey export prove status" -a "export" -d 'Write a stream\'s history as typed NDJSON, the input of verify'
complete -c binge -n "__fish_binge_using_subcommand entwine; and not __fish_seen_subcommand_from keygen pubkey export prove status" -a "prove" -d 'An RFC 6962 inclusion proof of one record against the latest checkpoint'
complete -c binge -n "__fish_binge_using_subcommand entwine; and not __fish_seen_subcommand_from keygen pubkey export prove status" -a "status" -d 'Each stream\'s size, head, last checkpoint and last anchor'
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from keygen" -l origin -d 'The stream\'s name, such as example.org/payments' -r
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from keygen" -l out -d 'Where to write the private key (never overwritten)' -r -F
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from keygen" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from keygen" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from keygen" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from keygen" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from keygen" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from keygen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from keygen" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from pubkey" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from pubkey" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from pubkey" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from pubkey" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from pubkey" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from pubkey" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from pubkey" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from export" -l stream -r
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from export" -l from -d 'Start at this seq' -r
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from export" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from export" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from export" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from export" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from export" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from export" -l redact -d 'Leave the events out: records carry their body hash only'
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from prove" -l stream -r
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from prove" -l seq -r
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from prove" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from prove" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from prove" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from prove" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from prove" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from prove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from prove" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from status" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from status" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from status" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from status" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from status" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand entwine; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand verify" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand verify" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand verify" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand verify" -l trust -d 'The trusted public keys' -r -F
complete -c binge -n "__fish_binge_using_subcommand verify" -l witnesses -d 'Require cosignatures by at least K of the trust file\'s witnesses (`witness KEY` lines) on each stream\'s newest checkpoint; fewer is incomplete (exit 3)' -r
complete -c binge -n "__fish_binge_using_subcommand verify" -l since -d 'A checkpoint verified before (a file with its signed note, or an earlier export whose last checkpoint line of each stream is taken): an increment made with `entwine export --from SIZE` is then checked from there, without the records before it' -r -F
complete -c binge -n "__fish_binge_using_subcommand verify" -l before -d 'Say whether event A happened before event B, after it, or concurrently, with the evidence (each as ORIGIN:SEQ)' -r
complete -c binge -n "__fish_binge_using_subcommand verify" -l strict -d 'Exit 3 when anything is verified but not anchored'
complete -c binge -n "__fish_binge_using_subcommand verify" -l json -d 'Write the findings and a summary per stream as NDJSON on stdout'
complete -c binge -n "__fish_binge_using_subcommand verify" -l order -d 'Write every event with its interval: {"origin", "seq", "ref", "anc", "event"}'
complete -c binge -n "__fish_binge_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand verify" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand anchor; and not __fish_seen_subcommand_from init trust accept tick ticks request serve witness-key import" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand anchor; and not __fish_seen_subcommand_from init trust accept tick ticks request serve witness-key import" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand anchor; and not __fish_seen_subcommand_from init trust accept tick ticks request serve witness-key import" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand anchor; and not __fish_seen_subcommand_from init trust accept tick ticks request serve witness-key import" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand anchor; and not __fish_seen_subcommand_from init trust accept tick ticks request serve witness-key import" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand anchor; and not __fish_seen_subcommand_from init trust accept tick ticks request serve witness-key import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand anchor; and not __fish_seen_subcommand_from init trust accept tick ticks request serve witness-key import" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand anchor; and not __fish_seen_subcommand_from init trust accept tick ticks request serve witness-key import" -f -a "init" -d 'Make this state file a ticker, signing with KEYFILE (from binge entwine keygen)'
complete -c binge -n "__fish_binge_using_subcommand anchor; and not __fish_seen_subcommand_from init trust accept tick ticks request serve witness-key import" -f -a "trust" -d 'Trust a stream\'s public key (origin+keyid+key)'
complete -c binge -n "__fish_binge_using_subcommand anchor; and not __fish_seen_subcommand_from init trust accept tick ticks request serve witness-key import" -f -a "accept" -d 'Answer anchor requests from stdin: accepted, or rejected with the reason (kept as evidence)'
complete -c binge -n "__fish_binge_using_subcommand anchor; and not __fish_seen_subcommand_from init trust accept tick ticks request serve witness-key import" -f -a "tick" -d 'Seal the anchors accepted since the last tick into a new signed tick, and print it'
complete -c binge -n "__fish_binge_using_subcommand anchor; and not __fish_seen_subcommand_from init trust accept tick ticks request serve witness-key import" -f -a "ticks" -d 'Print the ticks from index N on, with their anchors and inclusion proofs'
complete -c binge -n "__fish_binge_using_subcommand anchor; and not __fish_seen_subcommand_from init trust accept tick ticks request serve witness-key import" -f -a "request" -d 'Print an anchor request for a stream: its latest signed checkpoint and a consistency proof from its last anchored size'
complete -c binge -n "__fish_binge_using_subcommand anchor; and not __fish_seen_subcommand_from init trust accept tick ticks request serve witness-key import" -f -a "serve" -d 'Serve C2SP tlog-witness add-checkpoint over HTTP: POST /add-checkpoint with the spec\'s request body; accepted checkpoints are cosigned (cosignature/v1) with the ticker\'s key and sealed by the next tick, as anchor accept does'
complete -c binge -n "__fish_binge_using_subcommand anchor; and not __fish_seen_subcommand_from init trust accept tick ticks request serve witness-key import" -f -a "witness-key" -d 'Print the ticker\'s witness key: its cosignature/v1 verifier key (signature type 0x04), for the trust files of verifiers (as `witness KEY`)'
complete -c binge -n "__fish_binge_using_subcommand anchor; and not __fish_seen_subcommand_from init trust accept tick ticks request serve witness-key import" -f -a "import" -d 'Import ticks from stdin, checked against the ticker\'s key; later records reference them'
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from init" -l origin -r
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from init" -l key -r -F
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from init" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from init" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from init" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from init" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from init" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from init" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from trust" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from trust" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from trust" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from trust" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from trust" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from trust" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from trust" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from accept" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from accept" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from accept" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from accept" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from accept" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from accept" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from accept" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from tick" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from tick" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from tick" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from tick" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from tick" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from tick" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from tick" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from ticks" -l since -r
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from ticks" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from ticks" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from ticks" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from ticks" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from ticks" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from ticks" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from ticks" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from request" -l stream -r
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from request" -l to -d 'Submit it to the C2SP tlog-witness at URL (its submission prefix: URL/add-checkpoint is posted to) instead of printing it, and keep the cosignature it returns; the exports then carry it for verify --witnesses' -r
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from request" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from request" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from request" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from request" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from request" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from request" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from request" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from serve" -l listen -d 'Where to listen (loopback unless you say otherwise; port 0 picks a free one, and the address is printed on stderr)' -r
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from serve" -l max-body -d 'The largest request body taken' -r
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from serve" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from serve" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from serve" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from serve" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from serve" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from serve" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from witness-key" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from witness-key" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from witness-key" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from witness-key" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from witness-key" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from witness-key" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from witness-key" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from import" -l ticker -d 'The ticker\'s public key (origin+keyid+key)' -r
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from import" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from import" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from import" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from import" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from import" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand anchor; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand serve" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand serve" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand serve" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand serve" -l listen -d 'Where to listen (loopback unless you say otherwise; port 0 picks a free one, and the address is printed on stderr)' -r
complete -c binge -n "__fish_binge_using_subcommand serve" -l max-body -d 'The largest request body taken, after gzip is undone' -r
complete -c binge -n "__fish_binge_using_subcommand serve" -l token-file -d 'Require `Authorization: Bearer TOKEN`, the token read from FILE (compared in constant time)' -r -F
complete -c binge -n "__fish_binge_using_subcommand serve" -l log -d 'Commit each request\'s events to TOPIC before answering 200' -r
complete -c binge -n "__fish_binge_using_subcommand serve" -l pipeline -d 'Hand the events to the pipelines of a config (see binge run) whose input is "http", instead of writing them to standard output' -r -F
complete -c binge -n "__fish_binge_using_subcommand serve" -l id -d 'With --log: what identifies an event, so a retried request adds nothing twice (as log append --id)' -r
complete -c binge -n "__fish_binge_using_subcommand serve" -l queue -d 'Requests taken and waiting to be handled; beyond, 429 with Retry-After' -r
complete -c binge -n "__fish_binge_using_subcommand serve" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand serve" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand serve" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand state; and not __fish_seen_subcommand_from inputs" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand state; and not __fish_seen_subcommand_from inputs" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand state; and not __fish_seen_subcommand_from inputs" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand state; and not __fish_seen_subcommand_from inputs" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand state; and not __fish_seen_subcommand_from inputs" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand state; and not __fish_seen_subcommand_from inputs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand state; and not __fish_seen_subcommand_from inputs" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand state; and not __fish_seen_subcommand_from inputs" -f -a "inputs" -d 'List the input files read with --resume and how far each was read'
complete -c binge -n "__fish_binge_using_subcommand state; and __fish_seen_subcommand_from inputs" -l scope -d 'Only this scope (aggregate:NAME, log:TOPIC, entwine:ORIGIN, or a --resume=NAME)' -r
complete -c binge -n "__fish_binge_using_subcommand state; and __fish_seen_subcommand_from inputs" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand state; and __fish_seen_subcommand_from inputs" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand state; and __fish_seen_subcommand_from inputs" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand state; and __fish_seen_subcommand_from inputs" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand state; and __fish_seen_subcommand_from inputs" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand state; and __fish_seen_subcommand_from inputs" -l forget -d 'Forget the listed positions instead: the next --resume run reads from the start'
complete -c binge -n "__fish_binge_using_subcommand state; and __fish_seen_subcommand_from inputs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand state; and __fish_seen_subcommand_from inputs" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand help" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand help" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand help" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand help" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand run" -l tz -d 'The time zone of times read without an offset (syslog, log4j, RFC 3339 without Z): an IANA name such as Europe/Berlin, or UTC (default: $TZ, else the system\'s zone)' -r
complete -c binge -n "__fish_binge_using_subcommand run" -s o -l output -d 'How events are written: ndjson, json (one array), csv or tsv (with a header), table (aligned, for a terminal)' -r -f -a "ndjson\t'One compact JSON object per line (the default)'
json\t'One JSON array of the events'
csv\t'Comma-separated values with a header line (RFC 4180)'
tsv\t'Tab-separated values with a header line'
table\t'Aligned columns for a terminal (a table per burst of input behind a pipe)'"
complete -c binge -n "__fish_binge_using_subcommand run" -l columns -d 'With -o csv, tsv or table: these comma-separated members as columns (default: the first event\'s)' -r
complete -c binge -n "__fish_binge_using_subcommand run" -l check -d 'Check the config (its JSON, every option, the pipelines\' links, expressions, keys) and run nothing'
complete -c binge -n "__fish_binge_using_subcommand run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand run" -s V -l version -d 'Print version'
