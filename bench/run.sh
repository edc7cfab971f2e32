#!/usr/bin/env bash
# run.sh -- `make bench`: aigate's pipeline benchmark and the offline npm
# peers on the same prompts, in one invocation, then a comparison table.
#
# usage: bench/run.sh [BENCH_PIPELINE] [PROMPTS.jsonl]
#   BENCH_PIPELINE  default build/release/bench/bench_pipeline
#   PROMPTS         default ../shared/datasets/dev.jsonl next to the source
#                   tree if present, else bench/sample_prompts.jsonl
# environment:
#   AIGATE_BENCH_RULES  rule directory instead of the embedded rules
#   BENCH_ROUNDS        aigate rounds over the prompts (default 20)
#   PEER_ROUNDS         peer rounds (default 1: llm_guardrail is slow)
#   BENCH_NO_PEERS=1    skip the peers (no node/npm needed)
#
# The peers need node and npm; they are installed into bench/peers on
# first use (npm ci, versions pinned by package-lock.json). Without node,
# or when the install fails, only aigate's figures are printed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${1:-$root/build/release/bench/bench_pipeline}
data=${2:-}
if [ -z "$data" ]; then
  if [ -f "$root/../shared/datasets/dev.jsonl" ]; then
    data=$(cd "$root/../shared/datasets" && pwd)/dev.jsonl
  else
    data=$here/sample_prompts.jsonl
  fi
fi

args=(--rounds "${BENCH_ROUNDS:-20}")
if [ -n "${AIGATE_BENCH_RULES:-}" ]; then
  args+=(--rules "$AIGATE_BENCH_RULES")
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
"$bin" "${args[@]}" --json-out "$tmp/aigate.json" "$data"

if [ "${BENCH_NO_PEERS:-0}" = 1 ]; then
  exit 0
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "bench: node/npm not found: peers skipped" >&2
  exit 0
fi
if [ ! -d "$here/peers/node_modules" ]; then
  if ! (cd "$here/peers" && npm ci --no-audit --no-fund --loglevel=error); then
    echo "bench: npm ci failed: peers skipped" >&2
    exit 0
  fi
fi
echo
echo "== peers (node $(node --version)) on the same prompts"
node "$here/peers/run.mjs" "$data" --rounds "${PEER_ROUNDS:-1}" >"$tmp/peers.jsonl"
cat "$tmp/peers.jsonl"
echo
echo "== comparison"
node "$here/peers/compare.mjs" "$tmp/aigate.json" "$tmp/peers.jsonl"
