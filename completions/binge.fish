# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_binge_global_optspecs
    string join \n h/help V/version
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

complete -c binge -n "__fish_binge_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_needs_command" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_needs_command" -f -a "filter" -d 'Keep or drop events by an expression'
complete -c binge -n "__fish_binge_needs_command" -f -a "annotate" -d 'Add, compute, rename, copy and remove fields; parse text into fields'
complete -c binge -n "__fish_binge_needs_command" -f -a "aggregate" -d 'Group-by statistics, windows, and versioned collect-until-complete aggregates'
complete -c binge -n "__fish_binge_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c binge -n "__fish_binge_using_subcommand filter" -l limit -d 'Stop after writing N events (and stop reading)' -r
complete -c binge -n "__fish_binge_using_subcommand filter" -l on-error -d 'What to do with a line that is not a JSON object: report it and go on, or stop with exit status 65' -r -f -a "skip\t'Report the line and go on'
fail\t'Stop at the first bad line, with exit status 65'"
complete -c binge -n "__fish_binge_using_subcommand filter" -l dead-letter -d 'Also append each bad line to FILE as {"source","line","error","raw"}' -r -F
complete -c binge -n "__fish_binge_using_subcommand filter" -l max-line-bytes -d 'Lines longer than this are bad lines (suffixes K, M, G allowed)' -r
complete -c binge -n "__fish_binge_using_subcommand filter" -s v -l invert -d 'Keep the events for which EXPR is not true instead'
complete -c binge -n "__fish_binge_using_subcommand filter" -l text -d 'Read each input line as plain text: the event is {"message": LINE}'
complete -c binge -n "__fish_binge_using_subcommand filter" -s q -l quiet -d 'Show no progress display (it is only ever shown when stderr is a terminal)'
complete -c binge -n "__fish_binge_using_subcommand filter" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand filter" -s V -l version -d 'Print version'
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
complete -c binge -n "__fish_binge_using_subcommand annotate" -l on-error -d 'What to do with a line that is not a JSON object: report it and go on, or stop with exit status 65' -r -f -a "skip\t'Report the line and go on'
fail\t'Stop at the first bad line, with exit status 65'"
complete -c binge -n "__fish_binge_using_subcommand annotate" -l dead-letter -d 'Also append each bad line to FILE as {"source","line","error","raw"}' -r -F
complete -c binge -n "__fish_binge_using_subcommand annotate" -l max-line-bytes -d 'Lines longer than this are bad lines (suffixes K, M, G allowed)' -r
complete -c binge -n "__fish_binge_using_subcommand annotate" -l keep-existing -d 'Leave fields that already exist alone (--set, --copy, --rename, --extract)'
complete -c binge -n "__fish_binge_using_subcommand annotate" -l text -d 'Read each input line as plain text: the event is {"message": LINE}'
complete -c binge -n "__fish_binge_using_subcommand annotate" -s q -l quiet -d 'Show no progress display (it is only ever shown when stderr is a terminal)'
complete -c binge -n "__fish_binge_using_subcommand annotate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand annotate" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l by -d 'Group by the value of EXPR (repeatable)' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l sum -d 'Sum of EXPR over the group' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l min -d 'Least value of EXPR' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l max -d 'Greatest value of EXPR' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l avg -d 'Mean of EXPR' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l distinct -d 'Exact count of distinct values of EXPR' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l hist -d 'Histogram of EXPR: each value and its count' -r
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
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l key -d 'The aggregate an event belongs to' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l collection -d 'The collection an event is a source of' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l complete-when -d 'Write an aggregate once, marked complete, when EXPR (over the aggregate) first holds' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l timeout -d 'Write an aggregate still incomplete this long after its first source, marked timed out' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l name -d 'Keep the aggregate in the state file under NAME, and continue it in later runs' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l state -d 'The state file (default: $BINGE_STATE, else $XDG_STATE_HOME/binge/state.db, else ~/.local/state/binge/state.db)' -r -F
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l durability -d 'full: every commit survives power loss; normal: faster, survives a crash of binge only' -r -f -a "full\t'fsync at every commit: a commit survives power loss'
normal\t'fsync at checkpoints only: a commit survives a crash of binge, not of the machine'"
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l on-error -d 'What to do with a line that is not a JSON object: report it and go on, or stop with exit status 65' -r -f -a "skip\t'Report the line and go on'
fail\t'Stop at the first bad line, with exit status 65'"
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l dead-letter -d 'Also append each bad line to FILE as {"source","line","error","raw"}' -r -F
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l max-line-bytes -d 'Lines longer than this are bad lines (suffixes K, M, G allowed)' -r
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l count -d 'Count the events of each group'
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l collect -d 'Collect sources under aggregate keys instead of computing statistics'
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l every-version -d 'After completion, also write every later version'
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l show -d 'Write the saved state of --name without reading input'
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l reset -d 'Forget the saved state of --name, without reading input'
complete -c binge -n "__fish_binge_using_subcommand aggregate" -l text -d 'Read each input line as plain text: the event is {"message": LINE}'
complete -c binge -n "__fish_binge_using_subcommand aggregate" -s q -l quiet -d 'Show no progress display (it is only ever shown when stderr is a terminal)'
complete -c binge -n "__fish_binge_using_subcommand aggregate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c binge -n "__fish_binge_using_subcommand aggregate" -s V -l version -d 'Print version'
complete -c binge -n "__fish_binge_using_subcommand help; and not __fish_seen_subcommand_from filter annotate aggregate help" -f -a "filter" -d 'Keep or drop events by an expression'
complete -c binge -n "__fish_binge_using_subcommand help; and not __fish_seen_subcommand_from filter annotate aggregate help" -f -a "annotate" -d 'Add, compute, rename, copy and remove fields; parse text into fields'
complete -c binge -n "__fish_binge_using_subcommand help; and not __fish_seen_subcommand_from filter annotate aggregate help" -f -a "aggregate" -d 'Group-by statistics, windows, and versioned collect-until-complete aggregates'
complete -c binge -n "__fish_binge_using_subcommand help; and not __fish_seen_subcommand_from filter annotate aggregate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
