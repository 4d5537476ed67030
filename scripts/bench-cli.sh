#!/usr/bin/env bash
# Times a one-shot `beian ask` (release build, whole process) against `grep -r` over knowledge/,
# in the same run, and prints the ratio. Uses hyperfine when it is installed, a plain loop otherwise.
#
# Usage: scripts/bench-cli.sh [RUNS]      (default 100 runs)
# Targets (issue 7): median ≤ 5 ms and ≤ 3× the grep baseline.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
runs=${1:-100}
cargo build --release --quiet --locked
bin=target/release/beian
question="网站换了云服务商,原来的备案号还能用吗"

median_ms() { # command... → median wall time in ms over $runs runs (plain loop)
    python3 - "$runs" "$@" <<'PY'
import statistics, subprocess, sys, time
runs, cmd = int(sys.argv[1]), sys.argv[2:]
times = []
for _ in range(runs):
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append((time.perf_counter() - t) * 1000)
print(f"{statistics.median(times):.2f}")
PY
}

if command -v hyperfine >/dev/null; then
    json=$(mktemp)
    hyperfine -N --warmup 10 --runs "$runs" --export-json "$json" \
        "$bin ask $question" "grep -r 备案号 knowledge/" >&2
    read -r ask grep < <(python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results']; print(' '.join(f\"{x['median']*1000:.2f}\" for x in r))" "$json")
    rm -f "$json"
else
    ask=$(median_ms "$bin" ask "$question")
    grep=$(median_ms grep -r 备案号 knowledge/)
fi
ratio=$(python3 -c "print(f'{$ask/$grep:.2f}')")
echo "one-shot ask median: ${ask} ms; grep -r median: ${grep} ms; ratio: ${ratio}x (targets: <= 5 ms, <= 3x)"
