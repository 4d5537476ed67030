#!/usr/bin/env bash
# Times beian with the sentence encoder (release build with `--features encoder`): a one-shot `ask`
# as a whole process (model load included, entry vectors cached), the REPL's latency per question
# (p50/p99 over the dev set's questions, each timed from the line written to its JSON answer read),
# and `triage` on generated tickets; each with its peak RSS.
#
# Usage: scripts/bench-encoder.sh MODEL_DIR [RUNS]   (default 10 one-shot runs; BEIAN=PATH measures
#                                                     that binary instead of building one)
#   TICKETS=N   tickets of the triage run (default 1000; scripts/gen-tickets.py --clean --seed 7)
# Targets (issue 18): one-shot <= 800 ms with the load, REPL p50 <= 35 ms, triage >= 50 tickets/s,
# peak RSS <= 450 MB.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
model=${1:?usage: scripts/bench-encoder.sh MODEL_DIR [RUNS]}
runs=${2:-10}
tickets=${TICKETS:-1000}
if [ -n "${BEIAN:-}" ]; then
    bin=$BEIAN
else
    cargo build --release --quiet --locked --features encoder
    bin=target/release/beian
fi
[ -x /usr/bin/time ] || { echo "bench-encoder: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export BEIAN_CACHE_DIR=$work/cache
question="网站换了云服务商,原来的备案号还能用吗"

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# The first answer embeds the entries' texts into the cache; what is timed below reads them.
"$bin" --model "$model" ask "$question" >/dev/null 2>&1 || true

for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -a -o "$work/ask.txt" "$bin" --model "$model" ask "$question" >/dev/null || true
done
sort -n "$work/ask.txt" | awk '{t[NR]=$1; if ($2>m) m=$2} END {
    printf "one-shot ask with the model: median %.2f s (%.2f-%.2f s over %d runs), peak RSS %.0f MB\n",
        t[int((NR+1)/2)], t[1], t[NR], NR, m/1024 }'

python3 - "$bin" "$model" tests/eval/dev.jsonl <<'PY'
import json, subprocess, sys, time
binary, model, questions = sys.argv[1:4]
texts = [json.loads(line)["query"] for line in open(questions, encoding="utf-8") if line.strip()]
texts = [" ".join(t.split()) for t in texts]
repl = subprocess.Popen([binary, "--model", model, "repl", "--json"], stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE, text=True, encoding="utf-8")
times = []
for text in texts:
    start = time.perf_counter()
    repl.stdin.write(text + "\n")
    repl.stdin.flush()
    if not repl.stdout.readline():
        sys.exit("bench-encoder: the REPL stopped answering")
    times.append(time.perf_counter() - start)
repl.stdin.close()
repl.wait()
# The first answer waits for the model to load.
times = sorted(times[1:])
pick = lambda q: times[min(len(times) - 1, int(q * len(times)))] * 1000
print(f"REPL with the model, {len(times)} questions: p50 {pick(0.5):.0f} ms, p99 {pick(0.99):.0f} ms, "
      f"mean {sum(times) / len(times) * 1000:.0f} ms")
PY

python3 scripts/gen-tickets.py --count "$tickets" --clean --seed 7 >"$work/tickets.jsonl"
/usr/bin/time -f "%e %M" -o "$work/triage.txt" "$bin" --model "$model" triage "$work/tickets.jsonl" >/dev/null
awk -v n="$tickets" '{ printf "triage with the model, %d tickets: %.1f s, %.0f tickets/s, peak RSS %.0f MB\n",
    n, $1, n/$1, $2/1024 }' "$work/triage.txt"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
