#!/usr/bin/env bash
# Refits the built-in ranking model (knowledge/ranker.toml) on the project's labelled sets and prints
# each set's cross-validated figures. The project's holdout (tests/eval/holdout.jsonl) is never fitted
# on: it measures what the fit did. Rebuild afterwards: the model is compiled into the binary.
#
#   scripts/fit-ranker.sh [extra `beian kb fit` options]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
target/release/beian kb fit --out knowledge/ranker.toml "$@" \
    data/train/t1.jsonl data/train/t2.jsonl data/train/t3.jsonl data/train/junk.jsonl \
    tests/eval/dev.jsonl tests/eval/real-dev.jsonl
