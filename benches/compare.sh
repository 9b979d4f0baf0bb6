#!/usr/bin/env bash
# Side-by-side throughput of binge against jq, jaq and mlr, in one run, on the same machine.
#
#   benches/compare.sh [SOURCE.ndjson]
#
# Builds the release binary, makes the corpus (30 copies of SOURCE, by default
# ../shared/data/json/loghub-events.ndjson: 313 MB, 900,000 events) in $BENCH_DIR
# (default /tmp/binge-bench, never inside the repository), then runs each case with every tool
# $RUNS times (default 3) and prints the median wall time, MB/s, peak memory and binge's speed-up.
# A missing peer is installed when possible (apt-get for jq and miller, cargo for jaq) and
# skipped with a message otherwise. Each tool's output is checked to select as many events
# as binge's.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
source_file=${1:-$here/../shared/data/json/loghub-events.ndjson}
bench_dir=${BENCH_DIR:-/tmp/binge-bench}
runs=${RUNS:-3}
copies=${COPIES:-30}

[ -f "$source_file" ] || { echo "no corpus source at $source_file; pass one as the first argument" >&2; exit 2; }

echo "building the release binary..." >&2
(cd "$here" && cargo build --release --quiet)
binge=$here/target/release/binge

mkdir -p "$bench_dir"
corpus=$bench_dir/corpus-x$copies.ndjson
if [ ! -s "$corpus" ]; then
    echo "making $corpus ($copies copies of $source_file)..." >&2
    for _ in $(seq "$copies"); do cat "$source_file"; done > "$corpus.tmp"
    mv "$corpus.tmp" "$corpus"
fi
size=$(stat -c %s "$corpus")

have() { command -v "$1" >/dev/null 2>&1; }
# want SECTION: whether to run it; ONLY=run,serve (say) runs those sections alone.
want() { [ -z "${ONLY:-}" ] || [[ ",$ONLY," == *",$1,"* ]]; }
install_peer() {
    local tool=$1
    have "$tool" && return 0
    case $tool in
        jq|mlr)
            local pkg=$tool; [ "$tool" = mlr ] && pkg=miller
            if [ "$(id -u)" = 0 ] && have apt-get; then
                echo "installing $pkg with apt-get..." >&2
                (apt-get install -y -qq "$pkg" >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "$pkg" >/dev/null 2>&1; }) || true
            fi ;;
        jaq)
            if have cargo; then
                echo "installing jaq with cargo (a few minutes)..." >&2
                cargo install --quiet jaq >/dev/null 2>&1 || true
                export PATH=$HOME/.cargo/bin:$PATH
            fi ;;
    esac
    have "$tool" || { echo "skipping $tool: not installed and could not be installed" >&2; return 1; }
}
if ! [ -x /usr/bin/time ]; then
    [ "$(id -u)" = 0 ] && have apt-get && apt-get install -y -qq time >/dev/null 2>&1 || true
fi
[ -x /usr/bin/time ] || { echo "GNU time (/usr/bin/time) is needed to measure peak memory" >&2; exit 2; }

peers=()
# "workload binge_seconds jaq_seconds" for the summary at the end.
summary=()
if want filter || want annotate || want aggregate; then
    for t in jq jaq mlr; do install_peer "$t" && peers+=("$t"); done
fi

# median: the median of the numbers on standard input, one per line.
median() { sort -g | awk '{t[NR]=$1} END{print (NR%2) ? t[(NR+1)/2] : (t[NR/2]+t[NR/2+1])/2}'; }

# measure NAME CMD...: median wall time over $runs runs, peak RSS, and the output's line count.
measure() {
    local name=$1; shift
    local times=() peak=0 lines=0
    for _ in $(seq "$runs"); do
        /usr/bin/time -f "%e %M" -o "$bench_dir/time.txt" "$@" < "$corpus" > "$bench_dir/out.txt"
        read -r secs kb < "$bench_dir/time.txt"
        lines=$(wc -l < "$bench_dir/out.txt")
        times+=("$secs")
        [ "$kb" -gt "$peak" ] && peak=$kb
    done
    local median
    median=$(printf '%s\n' "${times[@]}" | median)
    echo "$name $median $peak $lines"
}

# run_case TITLE BINGE_ARGS JQ_PROGRAM MLR_ARGS [JQ_FLAGS] [NAMED]
# NAMED=1 adds a row for the same binge run kept in a state file (--name).
run_case() {
    local title=$1 binge_args=$2 jq_prog=$3 mlr_args=$4 jq_flags=${5:-} named=${6:-}
    echo
    echo "== $title"
    printf '%-12s %9s %9s %10s %8s %s\n' tool seconds MB/s "peak MB" events "binge is"
    local results=()
    results+=("$(eval "measure binge $binge $binge_args")")
    if [ -n "$named" ]; then
        rm -f "$bench_dir/state.db"*
        results+=("$(eval "measure binge--name $binge $binge_args --name bench --state $bench_dir/state.db")")
    fi
    for p in "${peers[@]}"; do
        case $p in
            # shellcheck disable=SC2086
            jq|jaq) results+=("$(measure "$p" "$p" -c $jq_flags "$jq_prog")") ;;
            mlr) results+=("$(eval "measure mlr mlr --ijsonl --ojsonl $mlr_args")") ;;
        esac
    done
    local binge_secs binge_lines
    read -r _ binge_secs _ binge_lines <<< "${results[0]}"
    local r0
    for r0 in "${results[@]}"; do
        read -r n0 s0 _ _ <<< "$r0"
        [ "$n0" = jaq ] && summary+=("${title%%:*} $binge_secs $s0")
    done
    for r in "${results[@]}"; do
        read -r name secs kb lines <<< "$r"
        local ratio="" note=""
        case $name in
            binge) ;;
            binge--name) ratio=$(awk "BEGIN{printf \"costs %+.0f%%\", ($secs / $binge_secs - 1) * 100}") ;;
            *) ratio=$(awk "BEGIN{printf \"%.1fx faster\", $secs / $binge_secs}") ;;
        esac
        [ "$lines" != "$binge_lines" ] && note=" (selected $lines events, binge $binge_lines!)"
        printf '%-12s %9.2f %9.0f %10.1f %8s %s%s\n' "$name" "$secs" \
            "$(awk "BEGIN{print $size / 1e6 / ($secs > 0 ? $secs : 0.001)}")" \
            "$(awk "BEGIN{print $kb / 1024}")" "$lines" "$ratio" "$note"
    done
}

echo "corpus: $corpus ($((size / 1000000)) MB), median of $runs runs, $(nproc) cores"
want filter && run_case "filter: .system == \"OpenSSH\" or .Level == \"WARN\"" \
    "filter '.system == \"OpenSSH\" or .Level == \"WARN\"'" \
    'select(.system == "OpenSSH" or .Level == "WARN")' \
    "filter '\$system == \"OpenSSH\" || \$Level == \"WARN\"'"
want annotate && run_case "annotate: --set .a=1 --set '.b=.Pid * 2'" \
    "annotate --set .a=1 --set '.b=.Pid * 2'" \
    '. + {a: 1, b: (if .Pid == null then null else .Pid * 2 end)}' \
    "put '\$a = 1; \$b = \$Pid * 2'"
want aggregate && run_case "aggregate: --by .system --count --sum/--min/--max/--avg .Pid" \
    "aggregate --by .system --count --sum .Pid --min .Pid --max .Pid --avg .Pid" \
    'reduce inputs as $e ({}; $e.system as $k | $e.Pid as $p
        | .[$k] as $g
        | .[$k] = (if $g == null then {count: 0, n: 0, sum: 0, min: null, max: null} else $g end
            | .count += 1
            | if $p != null then .n += 1 | .sum += $p
                | .min = (if .min == null or $p < .min then $p else .min end)
                | .max = (if .max == null or $p > .max then $p else .max end)
              else . end))
      | to_entries[]
      | {system: .key, count: .value.count, Pid_sum: .value.sum, Pid_min: .value.min,
         Pid_max: .value.max, Pid_avg: (if .value.n > 0 then .value.sum / .value.n else null end)}' \
    "stats1 -a count,sum,min,max,mean -f Pid -g system" \
    "-n" 1

# The log has no peer among jq, jaq and mlr: its figures are events per second.
if want log; then
echo
echo "== log: append the corpus (--durability full, batches of 1000), then read it into a file, through | cat and through | wc -l (a new group each)"
events=$(wc -l < "$corpus")
rm -f "$bench_dir/log.db"*
/usr/bin/time -f "%e %M" -o "$bench_dir/time.txt" "$binge" log append bench --state "$bench_dir/log.db" < "$corpus"
read -r secs kb < "$bench_dir/time.txt"
printf '%-12s %9.2f s %12.0f events/s %10.1f peak MB\n' append "$secs" "$(awk "BEGIN{print $events / $secs}")" "$(awk "BEGIN{print $kb / 1024}")"
for how in "> file" "| cat" "| wc -l"; do
    case $how in
        "> file") sink="> '$bench_dir/log-read.ndjson'" ;;
        "| cat") sink="| cat > /dev/null" ;;
        *) sink="| wc -l > /dev/null" ;;
    esac
    group=g$RANDOM$RANDOM
    /usr/bin/time -f "%e %M" -o "$bench_dir/time.txt" sh -c "'$binge' log read bench --group $group --state '$bench_dir/log.db' $sink"
    read -r secs kb < "$bench_dir/time.txt"
    printf '%-12s %9.2f s %12.0f events/s %10.1f peak MB\n' "read $how" "$secs" "$(awk "BEGIN{print $events / $secs}")" "$(awk "BEGIN{print $kb / 1024}")"
done
rm -f "$bench_dir/log-read.ndjson"
rm -f "$bench_dir/log.db"*
fi

# tee has no peer either: it is measured against binge filter true, which passes every event on.
if want tee; then
echo
echo "== tee: copy every event to a file while passing it on, against filter true"
printf '%-12s %9s %9s %10s %8s %s\n' tool seconds MB/s "peak MB" events ""
base=$(measure "filter-true" "$binge" filter true)
read -r _ base_secs kb lines <<< "$base"
printf '%-12s %9.2f %9.0f %10.1f %8s\n' "filter true" "$base_secs" "$(awk "BEGIN{print $size / 1e6 / $base_secs}")" "$(awk "BEGIN{print $kb / 1024}")" "$lines"
teed=$(measure "tee" "$binge" tee "$bench_dir/tee-copy.ndjson")
read -r _ secs kb lines <<< "$teed"
printf '%-12s %9.2f %9.0f %10.1f %8s %s\n' "tee FILE" "$secs" "$(awk "BEGIN{print $size / 1e6 / $secs}")" "$(awk "BEGIN{print $kb / 1024}")" "$lines" \
    "$(awk "BEGIN{printf \"%.0f%% of filter true's speed\", $base_secs / $secs * 100}")"
rm -f "$bench_dir/tee-copy.ndjson"
fi

# entwine has no peer: events per second (the first 300,000 events of the corpus into a new
# stream, checkpoints every 10,000; median of $runs runs), verify of that export, and
# --sign-each against Ed25519 signing alone.
if want entwine; then
echo
echo "== entwine: the first 300,000 events with checkpoints every 10,000 records, verify of the export; --sign-each"
# The signing rate doubles as the machine's speed this hour (a VM's moves by a fifth), so the
# summary repeats it beside the rates it qualifies.
signing=$( (cd "$here" && cargo bench --quiet --bench ed25519 2>/dev/null) | tail -1)
echo "$signing"
rm -f "$bench_dir/entwine.db"* "$bench_dir/entwine.key"
"$binge" entwine keygen --origin bench --out "$bench_dir/entwine.key" > /dev/null
head -300000 "$corpus" > "$bench_dir/first300k.ndjson"
# runs_of SETUP CMD...: runs SETUP (a shell command) then CMD, $runs times; sets secs (the
# median) and peak (KB).
runs_of() {
    local setup=$1; shift
    local times=() s kb
    peak=0
    for _ in $(seq "$runs"); do
        eval "$setup"
        /usr/bin/time -f "%e %M" -o "$bench_dir/time.txt" "$@"
        read -r s kb < "$bench_dir/time.txt"
        times+=("$s"); [ "$kb" -gt "$peak" ] && peak=$kb
    done
    secs=$(printf '%s\n' "${times[@]}" | median)
}
runs_of "rm -f '$bench_dir/entwine.db'*" sh -c "'$binge' entwine --checkpoint-every 10000 --key '$bench_dir/entwine.key' --state '$bench_dir/entwine.db' < '$bench_dir/first300k.ndjson' > /dev/null"
printf '%-16s %9.2f s %12.0f events/s %10.1f peak MB\n' entwine "$secs" "$(awk "BEGIN{print 300000 / $secs}")" "$(awk "BEGIN{print $peak / 1024}")"
entwine_rate=$(awk "BEGIN{printf \"%.0f\", 300000 / $secs}")
# verify reads that export back, with the public key alone.
"$binge" entwine export --stream bench --state "$bench_dir/entwine.db" > "$bench_dir/export.ndjson"
"$binge" entwine pubkey "$bench_dir/entwine.key" > "$bench_dir/trust.txt"
runs_of true sh -c "'$binge' verify --trust '$bench_dir/trust.txt' '$bench_dir/export.ndjson' 2> /dev/null"
printf '%-16s %9.2f s %12.0f records/s %9.1f peak MB\n' verify "$secs" "$(awk "BEGIN{print 300000 / $secs}")" "$(awk "BEGIN{print $peak / 1024}")"
verify_rate=$(awk "BEGIN{printf \"%.0f\", 300000 / $secs}")
rm -f "$bench_dir/entwine.db"* "$bench_dir/export.ndjson" "$bench_dir/trust.txt"
/usr/bin/time -f "%e %M" -o "$bench_dir/time.txt" "$binge" entwine --sign-each --key "$bench_dir/entwine.key" --state "$bench_dir/entwine.db" < "$bench_dir/first300k.ndjson" > /dev/null
read -r secs kb < "$bench_dir/time.txt"
printf '%-16s %9.2f s %12.0f events/s %10.1f peak MB\n' "--sign-each" "$secs" "$(awk "BEGIN{print 300000 / $secs}")" "$(awk "BEGIN{print $kb / 1024}")"
rm -f "$bench_dir/entwine.db"* "$bench_dir/entwine.key" "$bench_dir/first300k.ndjson"
fi

# binge run: the same three stages in one process against three processes joined by pipes,
# both reading the corpus on standard input.
if want run; then
echo
echo "== run: annotate, filter and aggregate in one binge run against the same three subcommands joined by pipes"
cat > "$bench_dir/pipeline.json" <<'JSON'
{"pipelines": {"p": {"stages": [
  {"annotate": {"set": [".a=1", ".b=.Pid * 2"]}},
  {"filter": {"expr": ".system == \"OpenSSH\" or .Level == \"WARN\""}},
  {"aggregate": {"by": ".system", "count": true, "sum": ".b", "max": ".Pid"}}]}}}
JSON
printf '%-12s %9s %9s %10s %8s %s\n' how seconds MB/s "peak MB" events ""
piped=$(measure "pipes" sh -c "'$binge' annotate --set .a=1 --set '.b=.Pid * 2' | '$binge' filter '.system == \"OpenSSH\" or .Level == \"WARN\"' | '$binge' aggregate --by .system --count --sum .b --max .Pid")
read -r _ pipe_secs kb lines <<< "$piped"
cp "$bench_dir/out.txt" "$bench_dir/piped.txt"
printf '%-12s %9.2f %9.0f %10.1f %8s\n' "pipes" "$pipe_secs" "$(awk "BEGIN{print $size / 1e6 / $pipe_secs}")" "$(awk "BEGIN{print $kb / 1024}")" "$lines"
inproc=$(measure "run" "$binge" run "$bench_dir/pipeline.json")
read -r _ secs kb lines <<< "$inproc"
cmp -s "$bench_dir/out.txt" "$bench_dir/piped.txt" || echo "binge run and the pipes wrote different output" >&2
printf '%-12s %9.2f %9.0f %10.1f %8s %s\n' "binge run" "$secs" "$(awk "BEGIN{print $size / 1e6 / $secs}")" "$(awk "BEGIN{print $kb / 1024}")" "$lines" \
    "$(awk "BEGIN{printf \"%.2fx the pipes' speed\", $pipe_secs / $secs}")"
rm -f "$bench_dir/pipeline.json" "$bench_dir/piped.txt"
fi

# serve --log: one curl process posting batches of 1,000 events over one connection (--next),
# each answered only once committed (--durability full).
if want serve && have curl; then
    echo
    echo "== serve --log: 200,000 events POSTed by curl in batches of 1,000 over one connection"
    rm -rf "$bench_dir/serve" && mkdir -p "$bench_dir/serve"
    head -200000 "$corpus" | split -l 1000 - "$bench_dir/serve/batch-"
    "$binge" serve --listen 127.0.0.1:0 --log bench --state "$bench_dir/serve/s.db" 2> "$bench_dir/serve/err" &
    server=$!
    while ! grep -qs 'listening on' "$bench_dir/serve/err"; do sleep 0.05; done
    url="http://$(sed -n 's/.*listening on //p' "$bench_dir/serve/err")/events"
    first=1
    for f in "$bench_dir"/serve/batch-*; do
        [ $first = 1 ] || echo "next"
        first=0
        printf 'url = "%s"\ndata-binary = "@%s"\nheader = "Content-Type: application/x-ndjson"\noutput = "/dev/null"\n' "$url" "$f"
    done > "$bench_dir/serve/curl.cfg"
    times=()
    for _ in $(seq "$runs"); do
        start=$(date +%s.%N)
        curl -s -f -K "$bench_dir/serve/curl.cfg"
        end=$(date +%s.%N)
        times+=("$(awk "BEGIN{print $end - $start}")")
    done
    kill -TERM $server; wait $server || true
    median=$(printf '%s\n' "${times[@]}" | median)
    printf '%-12s %9.2f s %12.0f events/s\n' "serve --log" "$median" "$(awk "BEGIN{print 200000 / $median}")"
    rm -rf "$bench_dir/serve"
fi

# tee s3:// against tee FILE, into moto_server on loopback (gzip at its fastest level).
if want s3 && have moto_server && have curl; then
    echo
    echo "== tee s3://: the corpus into objects of an S3-compatible server (moto) on 127.0.0.1, against tee FILE"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    moto_server -H 127.0.0.1 -p "$port" > /dev/null 2>&1 &
    moto=$!
    while ! curl -s -o /dev/null "http://127.0.0.1:$port/"; do sleep 0.1; done
    curl -s -X PUT "http://127.0.0.1:$port/bench" > /dev/null
    printf '%-12s %9s %9s %10s %8s %s\n' tool seconds MB/s "peak MB" events ""
    teed=$(measure "tee" "$binge" tee "$bench_dir/tee-copy.ndjson")
    read -r _ file_secs kb lines <<< "$teed"
    printf '%-12s %9.2f %9.0f %10.1f %8s\n' "tee FILE" "$file_secs" "$(awk "BEGIN{print $size / 1e6 / $file_secs}")" "$(awk "BEGIN{print $kb / 1024}")" "$lines"
    export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
    s3=$(measure "tee-s3" "$binge" tee --endpoint "http://127.0.0.1:$port" "s3://bench/corpus")
    read -r _ secs kb lines <<< "$s3"
    printf '%-12s %9.2f %9.0f %10.1f %8s %s\n' "tee s3://" "$secs" "$(awk "BEGIN{print $size / 1e6 / $secs}")" "$(awk "BEGIN{print $kb / 1024}")" "$lines" \
        "$(awk "BEGIN{printf \"%.2fx the time of tee FILE\", $secs / $file_secs}")"
    kill $moto; wait $moto 2>/dev/null || true
    rm -f "$bench_dir/tee-copy.ndjson"
fi

# NATS JetStream on loopback: tee nats:// (each event published under its id, every
# acknowledgement awaited) and log read nats:// (a new group's durable pull consumer, every
# message acknowledged), 300,000 events of the corpus, each run into a stream of its own.
if want nats && have nats-server; then
    echo
    echo "== NATS JetStream (nats-server -js) on 127.0.0.1: 300,000 events of the corpus"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    rm -rf "$bench_dir/nats" && mkdir -p "$bench_dir/nats"
    nats-server -js -a 127.0.0.1 -p "$port" -sd "$bench_dir/nats/store" > /dev/null 2>&1 &
    nats=$!
    while ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do sleep 0.1; done
    n=300000
    head -n $n "$corpus" > "$bench_dir/nats/input.ndjson"
    tee_times=() read_times=()
    for i in $(seq "$runs"); do
        start=$(date +%s.%N)
        "$binge" tee "nats://127.0.0.1:$port/bench.$i" --create-stream "BENCH$i" < "$bench_dir/nats/input.ndjson" > /dev/null
        end=$(date +%s.%N)
        tee_times+=("$(awk "BEGIN{print $end - $start}")")
        start=$(date +%s.%N)
        "$binge" log read "nats://127.0.0.1:$port/BENCH$i" --group bench > "$bench_dir/nats/out.ndjson"
        end=$(date +%s.%N)
        read_times+=("$(awk "BEGIN{print $end - $start}")")
        cmp -s "$bench_dir/nats/out.ndjson" "$bench_dir/nats/input.ndjson" || echo "log read nats:// did not give back what tee nats:// sent" >&2
    done
    kill $nats; wait $nats 2>/dev/null || true
    for what in tee read; do
        if [ $what = tee ]; then t=("${tee_times[@]}"); label="tee nats://"; else t=("${read_times[@]}"); label="log read nats://"; fi
        median=$(printf '%s\n' "${t[@]}" | median)
        printf '%-16s %9.2f s %12.0f events/s\n' "$label" "$median" "$(awk "BEGIN{print $n / $median}")"
    done
    rm -rf "$bench_dir/nats"
fi

# Start-up: 200 runs on empty input, per run; median of $runs such rounds.
if want startup; then
    echo
    echo "== start-up: one run on empty input (200 runs, median of $runs rounds)"
    # /bin/true is the floor: what starting any process costs on this machine this run.
    for tool in binge jaq true; do
        case $tool in
            binge) cmd=("$binge" filter true) ;;
            jaq) have jaq || continue; cmd=(jaq -c .) ;;
            true) cmd=(/bin/true) ;;
        esac
        times=()
        for _ in $(seq "$runs"); do
            start=$(date +%s%N)
            for _ in $(seq 200); do "${cmd[@]}" < /dev/null > /dev/null; done
            end=$(date +%s%N)
            times+=("$(awk "BEGIN{print ($end - $start) / 200 / 1e6}")")
        done
        ms=$(printf '%s\n' "${times[@]}" | median)
        printf '%-12s %9.2f ms\n' "$tool" "$ms"
        [ $tool = binge ] && startup_ms=$ms
        [ $tool = true ] && floor_ms=$ms
    done
fi

# The issue's table: each workload against jaq from this run, and the goals.
echo
echo "== summary ($(nproc) cores, median of $runs runs)"
printf '%-10s %9s %9s %10s %s\n' workload binge jaq binge/jaq goal
for row in "${summary[@]}"; do
    read -r name b j <<< "$row"
    case $name in filter) goal=">= 15x";; aggregate) goal=">= 10x";; annotate) goal=">= 8x";; *) goal="";; esac
    printf '%-10s %8.2fs %8.2fs %9.1fx %s\n' "$name" "$b" "$j" "$(awk "BEGIN{print $j / $b}")" "$goal"
done
[ -n "${entwine_rate:-}" ] && printf '%-10s %9s events/s %s\n' entwine "$entwine_rate" "(goal >= 250,000)"
[ -n "${verify_rate:-}" ] && printf '%-10s %9s records/s %s\n' verify "$verify_rate" "(goal >= 500,000)"
[ -n "${startup_ms:-}" ] && printf '%-10s %9s ms %s\n' start-up "$startup_ms" "(goal <= 2 ms; /bin/true ${floor_ms:-?} ms)"
[ -n "${signing:-}" ] && echo "machine speed this run: $signing"
true
