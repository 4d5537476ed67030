#!/usr/bin/env bash
# Throughput and peak memory of `beian triage` on generated ticket queues (release build).
#
# Usage: scripts/bench-triage.sh [SIZE...]        default sizes: 10000 100000
# Environment:
#   JOBS="1 2"      worker counts to run for each size (default: the default, one per core)
#   FORMAT=csv      output format (default jsonl)
#   BENCH_DIR=DIR   where the ticket files are kept between runs (default: a temporary directory)
#   BEIAN=PATH      the binary to measure (default: build target/release/beian first)
#   RUNS=N          timed runs of each size (default 3); the last line of each size is their median
#   FULL=1          time `--full` records too (each result with the entry's text)
#
# Issue 21's targets: >= 25,000 tickets/s on 100,000 tickets with the default record (median of 3
# runs), peak RSS <= 32 MiB, records <= 1.5 KB on average. An untimed run per size counts the bytes
# per record, of the default record and of `--full`.
#
# Output goes to /dev/null: what is measured is reading, answering and writing, not the disk. Peak memory
# is the maximum resident set size from /usr/bin/time -v; it should not grow with the input size.
# Before timing a size, an untimed CSV run checks that every line got its record, in input order
# (scripts/verify-triage.py). A last line measures the pipeline alone (tickets with nothing to search for never reach the engine).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
jobs_list=${JOBS:-default}
format=${FORMAT:-jsonl}

if [ ! -x /usr/bin/time ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get install -y -qq time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
    else
        echo "bench-triage: /usr/bin/time is missing; install it (apt-get install time)" >&2
        exit 2
    fi
fi

if [ -n "${BEIAN:-}" ]; then
    beian=$BEIAN
else
    (cd "$root" && cargo build --release --quiet)
    beian="$root/target/release/beian"
fi

dir=${BENCH_DIR:-}
if [ -z "$dir" ]; then
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
fi
mkdir -p "$dir"

# run LABEL FILE TICKETS [ARGS...]: one timed run, one result line.
run() {
    local label=$1 file=$2 tickets=$3
    shift 3
    local report="$dir/time.txt"
    local load
    load=$(cut -d' ' -f1 /proc/loadavg)
    /usr/bin/time -v -o "$report" "$beian" triage "$file" --format "$format" "$@" >/dev/null
    awk -v label="$label" -v tickets="$tickets" -v load="$load" -v cores="$(nproc)" -v rates="$dir/rates.txt" '
        /Elapsed \(wall clock\)/ { n = split($NF, t, ":"); wall = (n == 3) ? t[1] * 3600 + t[2] * 60 + t[3] : t[1] * 60 + t[2] }
        /User time/ { user = $NF }
        /System time/ { sys = $NF }
        /Maximum resident set size/ { rss = $NF }
        END {
            printf "%-26s %8d tickets  %7.2f s  %8.0f tickets/s  cpu %6.2f s (%3.0f%% of %d cores)  peak RSS %6.1f MiB  load before %s\n",
                label, tickets, wall, tickets / wall, user + sys, 100 * (user + sys) / wall / cores, cores, rss / 1024, load
            printf "%.0f %.1f\n", tickets / wall, rss / 1024 >> rates
        }' "$report"
}

# median LABEL: the median throughput and the largest peak RSS of the runs since the last call.
median() {
    sort -n "$dir/rates.txt" | awk -v label="$1" '
        { rate[NR] = $1; if ($2 > rss) rss = $2 }
        END { printf "%-26s median of %d runs: %8.0f tickets/s, peak RSS at most %.1f MiB\n", label, NR, rate[int((NR + 1) / 2)], rss }'
    rm -f "$dir/rates.txt"
}

# bytes LABEL FILE TICKETS [ARGS...]: the average bytes per record (untimed).
bytes() {
    local label=$1 file=$2 tickets=$3
    shift 3
    local total
    total=$("$beian" triage "$file" "$@" | wc -c)
    printf '%-26s %8d tickets  %12d bytes  %8.0f bytes per record\n' "$label" "$tickets" "$total" "$((total / tickets))"
}

echo "beian triage benchmark: $(nproc) cores, format $format, $(date -u +%Y-%m-%dT%H:%MZ)"
for size in "${sizes[@]}"; do
    file="$dir/tickets-$size.jsonl"
    [ -s "$file" ] || python3 "$root/scripts/gen-tickets.py" --count "$size" --seed 1 >"$file"
    # Untimed: one record per line, in input order, whatever the line holds.
    printf '%-26s ' "verify-$size"
    "$beian" triage "$file" --format csv | python3 "$root/scripts/verify-triage.py" "$file"
    bytes "bytes-$size" "$file" "$size"
    bytes "bytes-$size --full" "$file" "$size" --full
    for jobs in $jobs_list; do
        args=()
        label="tickets-$size"
        if [ "$jobs" != default ]; then
            args=(--jobs "$jobs")
            label="$label --jobs $jobs"
        fi
        for _ in $(seq "${RUNS:-3}"); do
            run "$label" "$file" "$size" "${args[@]}"
        done
        median "$label"
        if [ -n "${FULL:-}" ]; then
            for _ in $(seq "${RUNS:-3}"); do
                run "$label --full" "$file" "$size" "${args[@]}" --full
            done
            median "$label --full"
        fi
    done
done

# The pipeline without the engine: read, parse, write in order.
size=${sizes[-1]}
file="$dir/blank-$size.jsonl"
[ -s "$file" ] || python3 -c "
import sys
for n in range(1, $size + 1):
    sys.stdout.write('{\"id\": %d, \"text\": \"？\"}\n' % n)
" >"$file"
run "pipeline only" "$file" "$size"
rm -f "$dir/rates.txt"
