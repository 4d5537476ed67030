#!/usr/bin/env bash
# Refits a built-in ranking model on the project's labelled sets and prints each set's
# cross-validated figures. The project's holdout (tests/eval/holdout.jsonl) is never fitted on: it
# measures what the fit did. Rebuild afterwards: the models are compiled into the binary.
#
#   scripts/fit-ranker.sh [extra `beian kb fit` options]              # knowledge/ranker.toml
#   scripts/fit-ranker.sh --model DIR [extra options]                 # knowledge/ranker-encoder.toml,
#                                                                     # with the sentence encoder in DIR
set -euo pipefail
cd "$(dirname "$0")/.."
out=knowledge/ranker.toml
model=(--no-model)
if [[ "${1:-}" == "--model" ]]; then
    out=knowledge/ranker-encoder.toml
    model=(--model "$2")
    shift 2
fi
cargo build --release --quiet --features encoder
target/release/beian "${model[@]}" kb fit --out "$out" "$@" \
    data/train/t1.jsonl data/train/t2.jsonl data/train/t3.jsonl data/train/junk.jsonl \
    tests/eval/dev.jsonl tests/eval/real-dev.jsonl
