#!/usr/bin/env bash
# Times a one-shot `beian ask` (release build, whole process) against `grep -r` over knowledge/,
# in the same run, and prints the ratio. Uses hyperfine when it is installed, a plain loop otherwise.
#
# Usage: scripts/bench-cli.sh [RUNS]      (default 100 runs)
# Targets (issue 7): median ≤ 5 ms and ≤ 3× the grep baseline.
#
# A second part times `--kb DIR` runs, whose compiled knowledge base is cached (in a temporary
# BEIAN_CACHE_DIR here): the first run after a change to DIR compiles and stores it, later runs read it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
runs=${1:-100}
cargo build --release --quiet --locked
bin=target/release/beian
question="网站换了云服务商,原来的备案号还能用吗"

median_ms() { # command... → median wall time in ms over $runs runs (plain loop)
    median_of "$runs" "$@"
}

median_of() { # N command... → median wall time in ms over N runs (plain loop)
    python3 - "$@" <<'PY'
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

# --kb: cold (compile and store) and warm (read the cache), before and after an edit.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export BEIAN_CACHE_DIR="$work/cache"
mkdir -p "$work/kb/faq"
entry="$work/kb/faq/bench-entry.md"
cat >"$entry" <<'MD'
+++
id = "faq/bench-entry"
kind = "faq"
title = "蓝鲸机房的测试条目"
title_en = "Bench entry"
aliases = ["蓝鲸机房"]
patterns = []
related = []
sources = ["BENCH"]
+++
遇到蓝鲸机房时，先在公司内部的工单系统登记。

## 原因
- 蓝鲸机房是公司自有的接入点。

## 解决步骤
1. 在工单系统提交申请。

## 下一步
- 等待值班同事回复。
MD
kb_cold() { median_of 1 "$bin" --kb "$work/kb" ask "$question"; }
kb_warm() { median_of "$runs" "$bin" --kb "$work/kb" ask "$question"; }
cold=$(kb_cold)
warm=$(kb_warm)
echo "- 这一条目只用于计时。" >>"$entry"
cold_edit=$(kb_cold)
warm_edit=$(kb_warm)
echo "--kb DIR: first run ${cold} ms (compiles and caches), later runs median ${warm} ms; after an edit: first run ${cold_edit} ms, later runs ${warm_edit} ms"
