#!/usr/bin/env bash
# bench/assess/run.sh -- how long a default `aigate assess` run takes
# against a fast local endpoint (the deterministic test model of
# tests/e2e/assess/model.mjs), for each personality and a few
# concurrencies. Prints figures only; docs/benchmarks.md records them.
# Usage: bench/assess/run.sh AIGATE [ROUNDS]
set -eu
AIGATE=${1:?path to aigate}
ROUNDS=${2:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
node "$HERE/../../tests/e2e/assess/model.mjs" >"$TMP/model.out" &
MODEL=$!
trap 'kill $MODEL 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 50); do grep -q PORT "$TMP/model.out" && break; sleep 0.1; done
PORT=$(awk '/PORT/{print $2}' "$TMP/model.out")
printf '%-12s %-12s %-6s %10s %10s\n' personality concurrency round seconds attempts
for p in vulnerable robust; do
  for c in 1 8 32; do
    for r in $(seq "$ROUNDS"); do
      out=$TMP/$p-$c-$r
      start=$(date +%s.%N)
      "$AIGATE" assess --target "http://127.0.0.1:$PORT/$p/v1" --model bench \
        --out "$out" --concurrency "$c" --quiet || true
      end=$(date +%s.%N)
      n=$(wc -l <"$out/transcripts.jsonl")
      printf '%-12s %-12s %-6s %10.2f %10s\n' "$p" "$c" "$r" \
        "$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" "$n"
    done
  done
done
