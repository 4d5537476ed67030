#!/usr/bin/env bash
# Times a one-shot `beian ask` (release build, whole process) paired against `grep -rl` over
# knowledge/ in the same run, and a pasted five-reason notice paired against the question: the two
# commands of a pair run in turn, A B A B …, and each pair gives a ratio, so a comparison holds while
# the machine's speed drifts. Prints the median and the range of each, and the peak RSS of each ask.
#
# Usage: scripts/bench-cli.sh [RUNS]      (default 200 pairs; BEIAN=PATH measures that binary instead
#                                          of building target/release/beian)
# Targets (issue 21): question <= 2.0x grep -rl, notice <= 1.3x the question (medians of the ratios),
# peak RSS <= 12 MiB.
#
# A second part times `--kb DIR` runs, whose compiled knowledge base is cached (in a temporary
# BEIAN_CACHE_DIR here): the first run after a change to DIR compiles and stores it, later runs read it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
runs=${1:-200}
if [ -n "${BEIAN:-}" ]; then
    bin=$BEIAN
else
    cargo build --release --quiet --locked
    bin=target/release/beian
fi
question="网站换了云服务商,原来的备案号还能用吗"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
notice="$work/notice.txt"
cat >"$notice" <<'TXT'
尊敬的客户您好，您的备案订单 ORDER20261128001 被管局退回，原因如下：
1. 网站名称不符合规范，不能使用公司简称以外的名称；
2. 通信地址不详细，请填写到门牌号；
3. 幕布照片不清晰，请重新拍摄；
4. 负责人证件已过期；
5. 域名持有者与备案主体不一致；
请修改后重新提交。如有疑问请联系客服。
TXT

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

# paired LABEL_A LABEL_B COMMANDS: COMMANDS is JSON, [[argv, stdin file or null] of A, … of B].
paired() {
    python3 - "$runs" "$1" "$2" "$3" <<'PY'
import json, statistics, subprocess, sys, time
runs, label_a, label_b = int(sys.argv[1]), sys.argv[2], sys.argv[3]
(a, a_in), (b, b_in) = json.loads(sys.argv[4])
def once(cmd, stdin):
    source = open(stdin, "rb") if stdin else subprocess.DEVNULL
    t = time.perf_counter()
    subprocess.run(cmd, stdin=source, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = (time.perf_counter() - t) * 1000
    if stdin:
        source.close()
    return elapsed
for _ in range(10):  # warm-up: page cache, CPU frequency
    once(a, a_in), once(b, b_in)
pairs = [(once(a, a_in), once(b, b_in)) for _ in range(runs)]
ratios = sorted(x / y for x, y in pairs)
q = lambda values, p: sorted(values)[int(p * (len(values) - 1))]
ta, tb = [x for x, _ in pairs], [y for _, y in pairs]
print(f"{label_a}: median {statistics.median(ta):.2f} ms; {label_b}: median {statistics.median(tb):.2f} ms; "
      f"ratio per pair: median {statistics.median(ratios):.2f}x (middle half {q(ratios, .25):.2f}-{q(ratios, .75):.2f}x, {runs} pairs)")
PY
}

peak_rss() { # command... → peak RSS in MiB (GNU time), standard input from $PEAK_STDIN or nothing
    local report
    report=$(mktemp)
    /usr/bin/time -v -o "$report" "$@" <"${PEAK_STDIN:-/dev/null}" >/dev/null 2>&1 || true
    awk '/Maximum resident set size/ { printf "%.1f", $NF / 1024 }' "$report"
    rm -f "$report"
}

paired "one-shot ask (question)" "grep -rl over knowledge/" \
    "$(printf '[[["%s", "ask", "%s"], null], [["grep", "-rl", "备案号", "knowledge/"], null]]' "$bin" "$question")"
paired "five-reason notice" "question" \
    "$(printf '[[["%s", "ask", "-"], "%s"], [["%s", "ask", "%s"], null]]' "$bin" "$notice" "$bin" "$question")"
if [ -x /usr/bin/time ]; then
    echo "peak RSS: question $(peak_rss "$bin" ask "$question") MiB; five-reason notice $(PEAK_STDIN=$notice peak_rss "$bin" ask -) MiB (targets: <= 2.0x grep, notice <= 1.3x the question, <= 12 MiB)"
fi

# --kb: cold (compile and store) and warm (read the cache), before and after an edit.
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
sources = ["https://example.com/beian-bench"]
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
