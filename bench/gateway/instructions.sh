#!/usr/bin/env bash
# instructions.sh -- what a request costs the gateway in instructions,
# a figure that other people's load on the machine does not move.
#
# usage: bench/gateway/instructions.sh [AIGATE ...]
#   AIGATE  one or more aigate binaries (default build/release/aigate);
#           several are measured in turns, ROUNDS times, on one upstream
# environment, with its defaults:
#   BENCH_UPSTREAM=build/release/bench/bench_upstream
#   DURATION=5   seconds of load per measurement
#   CONNS=4      wrk connections (closed loop)
#   ROUNDS=2     measurements per binary
#   BODY=bench/gateway/chat.json
#   CONFIG=      a YAML file added to the gateway's configuration (e.g.
#                bench/gateway/guards-off.yaml); it may not have a
#                `server` section (the script's own has seccomp off)
#
# Each binary runs `aigate serve` with one worker under valgrind's
# callgrind, instrumentation off until the gateway is warm; then for each
# measurement the counters are zeroed, wrk sends bench/gateway/post.lua's
# requests (unique prompts, the master key) for DURATION seconds with
# instrumentation on, and the instructions all threads executed (the
# store thread's records included, the kernel's work not) are divided by
# the requests wrk counted. Requests run about 100 times slower than
# natively, so per-request work is what is measured, not waiting; the
# figures compare builds with each other, they are not times. Prints one
# line per measurement and the median per binary. Needs valgrind and wrk
# (installed with apt-get when missing); not part of `make test`.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
[ $# -gt 0 ] || set -- "$root/build/release/aigate"
upstream_bin=${BENCH_UPSTREAM:-$root/build/release/bench/bench_upstream}
DURATION=${DURATION:-5}
CONNS=${CONNS:-4}
ROUNDS=${ROUNDS:-2}
BODY=$(readlink -f "${BODY:-$here/chat.json}")
KEY=bench-master-key-0123456789

for f in "$@" "$upstream_bin"; do
  [ -x "$f" ] || { echo "instructions: $f: not built" >&2; exit 2; }
done
bench_name=instructions
# shellcheck source=bench/gateway/common.sh
. "$here/common.sh"
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v callgrind_control >/dev/null || need+=(valgrind)
install_missing "${need[@]}"

"$upstream_bin" --listen 127.0.0.1:0 >"$tmp/upstream.log" 2>&1 &
pids+=($!)
up_port=$(wait_port "$tmp/upstream.log" $!)

# The seccomp filter would refuse valgrind's own system calls.
printf 'server:\n  seccomp: false\n' >"$tmp/config.yaml"
if [ -n "${CONFIG:-}" ]; then
  if grep -q '^server:' "$CONFIG"; then
    echo "instructions: $CONFIG: a server section would repeat the script's" >&2
    exit 2
  fi
  cat "$CONFIG" >>"$tmp/config.yaml"
fi
gw_pid=() gw_port=()
for i in $(seq 1 $#); do
  bin=$(readlink -f "${!i}")
  mkdir -p "$tmp/gw$i"
  (cd "$tmp/gw$i" && exec env OPENAI_BASE_URL="http://127.0.0.1:$up_port/v1" \
    OPENAI_API_KEY=sk-bench AIGATE_MASTER_KEY="$KEY" \
    valgrind --tool=callgrind --instr-atstart=no \
    --callgrind-out-file="$tmp/gw$i/cg.out" \
    "$bin" serve -c "$tmp/config.yaml" --listen 127.0.0.1:0 --workers 1 \
    --quiet) >"$tmp/gw$i/log" 2>&1 &
  pids+=($!)
  gw_pid+=($!)
  gw_port+=("$(wait_port "$tmp/gw$i/log" $! 1200)")
done

load() { # URL SECONDS -> wrk's RESULT line
  BENCH_BODY_FILE=$BODY BENCH_KEY=$KEY BENCH_DELAY_MS=0 wrk -t1 -c "$CONNS" \
    -d "${2}s" --timeout 30s -s "$here/post.lua" "$1" 2>&1 | grep '^RESULT ' || true
}

echo "== $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); ${DURATION}s per measurement, wrk -c$CONNS, body $(wc -c <"$BODY") bytes"
declare -A results
for round in $(seq 1 "$ROUNDS"); do
  for i in $(seq 1 $#); do
    url=http://127.0.0.1:${gw_port[$((i - 1))]}/v1/chat/completions
    pid=${gw_pid[$((i - 1))]}
    [ "$round" = 1 ] && load "$url" 3 >/dev/null # warm: caches, pools
    rm -f "$tmp/gw$i"/cg.out.*
    callgrind_control -z "$pid" >/dev/null 2>&1
    callgrind_control -i on "$pid" >/dev/null 2>&1
    line=$(load "$url" "$DURATION")
    callgrind_control -i off "$pid" >/dev/null 2>&1
    callgrind_control -d "$pid" >/dev/null 2>&1
    sleep 1
    out=$(printf '%s\n' "$tmp/gw$i"/cg.out.* | tail -1) # the one dump
    ir=$(callgrind_annotate "$out" 2>/dev/null |
      awk '/PROGRAM TOTALS/ && !done { gsub(",", "", $1); print $1; done = 1 }')
    n=$(field requests "$line")
    if [ -z "$n" ] || [ "$n" = 0 ] || [ -z "$ir" ]; then
      echo "instructions: no requests measured for ${!i}" >&2
      exit 1
    fi
    per=$((ir / n))
    results[$i]="${results[$i]:-} $per"
    printf '  %-40s round %d: %6d requests, %9d instructions per request, non-2xx %s\n' \
      "${!i}" "$round" "$n" "$per" "$(field non2xx "$line")"
  done
done
echo "== median instructions per request"
for i in $(seq 1 $#); do
  # shellcheck disable=SC2086
  med=$(printf '%s\n' ${results[$i]} | sort -n | awk '{ a[NR] = $1 }
    END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }')
  printf '  %-40s %9d\n' "${!i}" "$med"
done
