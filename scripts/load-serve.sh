#!/usr/bin/env bash
# Load test of `beian serve` on loopback (release build): POST /v1/ask with questions, then with
# pasted notices of five reasons each; requests/s, latency percentiles and errors per phase, and the
# server's peak memory over the whole run. Bounded: a fixed number of requests per phase (and at most
# 120 s each), loopback only; the server is stopped at the end.
#
# Usage: scripts/load-serve.sh [QUESTIONS [NOTICES]]       default 250000 40000 (about a minute)
# Environment:
#   CONNECTIONS=4   keep-alive connections of the client (examples/load.rs)
#   BEIAN=PATH      the binary to measure (default: build target/release/beian first)
#
# The client runs on the same machine, on one thread: on a 2-core machine it takes part of the CPU the
# server would otherwise have. The request log goes to a file, as a desk's would. The script exits 1
# if any request failed.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
questions=${1:-250000}
notices=${2:-40000}
connections=${CONNECTIONS:-4}

(cd "$root" && cargo build --release --quiet --example load)
if [ -n "${BEIAN:-}" ]; then
    beian=$BEIAN
else
    (cd "$root" && cargo build --release --quiet)
    beian="$root/target/release/beian"
fi
load="$root/target/release/examples/load"

dir=$(mktemp -d)
server_pid=
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$dir"
}
trap cleanup EXIT

# Request bodies from the ticket generator's own wording (scripts/gen-tickets.py).
python3 - "$root/scripts/gen-tickets.py" "$dir" <<'PY'
import importlib.util, json, random, sys
spec = importlib.util.spec_from_file_location("gen", sys.argv[1])
gen = importlib.util.module_from_spec(spec)
spec.loader.exec_module(gen)
rng = random.Random(20)
with open(f"{sys.argv[2]}/questions.jsonl", "w") as out:
    for _ in range(2000):
        text = rng.choice(gen.GREETINGS) + rng.choice(gen.QUESTIONS) + rng.choice(gen.SIGN_OFFS)
        out.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
with open(f"{sys.argv[2]}/notices.jsonl", "w") as out:
    for _ in range(2000):
        reasons = rng.sample(gen.NOTICE_REASONS, 5)
        body = "".join(f"{i}. {reason}；" for i, reason in enumerate(reasons, 1))
        text = rng.choice(gen.NOTICE_LEADS) + body + rng.choice(gen.NOTICE_TAILS)
        out.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
PY

"$beian" serve --listen 127.0.0.1:0 --concurrency 1024 2> "$dir/serve.log" &
server_pid=$!
addr=
for _ in $(seq 1 100); do
    addr=$(sed -n 's|.*listening on http://\([^ ]*\).*|\1|p' "$dir/serve.log")
    [ -n "$addr" ] && break
    sleep 0.1
done
[ -n "$addr" ] || { echo "load-serve: the server did not start:" >&2; cat "$dir/serve.log" >&2; exit 2; }

echo "beian serve on $addr ($(nproc) cores; client: $connections connections, one thread)"
"$load" "$addr" "$dir/questions.jsonl" 2000 "$connections" >/dev/null    # warm-up
started=$(date +%s.%N)
q=$("$load" "$addr" "$dir/questions.jsonl" "$questions" "$connections")
echo "questions:          $q"
n=$("$load" "$addr" "$dir/notices.jsonl" "$notices" "$connections")
echo "five-reason notices: $n"
seconds=$(echo "$(date +%s.%N) - $started" | bc)
peak=$(awk '/VmHWM/ {print $2, $3}' "/proc/$server_pid/status")
printf 'peak RSS of the server over %.0f s: %s\n' "$seconds" "$peak"
echo "request log lines: $(grep -c ' POST /v1/ask ' "$dir/serve.log")"

errors=$(printf '%s\n%s\n' "$q" "$n" | sed -n 's/.* errors=\([0-9]*\) .*/\1/p' | paste -sd+ | bc)
if [ "$errors" != 0 ]; then
    echo "load-serve: $errors requests failed" >&2
    exit 1
fi
