#!/usr/bin/env bash
# syscalls.sh -- the system calls and the CPU time a request costs the
# gateway, counted by the kernel.
#
# usage: bench/gateway/syscalls.sh [AIGATE ...]
#   AIGATE  one or more aigate binaries (default build/release/aigate),
#           measured in turns, ROUNDS times, at each load
# environment, with its defaults:
#   BENCH_UPSTREAM=build/release/bench/bench_upstream
#   LOADS="1:1 1:0 4:1 16:0"   CONNS:DELAY_MS pairs: wrk connections, and
#                the pause each takes before every request (0: closed loop)
#   DURATION=3   seconds per measurement (after a 2-second warm-up)
#   ROUNDS=2     measurements per binary and load
#   BODY=bench/gateway/chat.json
#
# Each binary runs `aigate serve --workers 1` pinned to CPU 0 (the master
# key, the embedded defaults); bench_upstream and wrk (post.lua's unique
# requests) share CPU 1. `perf stat -e raw_syscalls:sys_enter -p PID`
# counts the system calls of the whole process (its store thread
# included) while wrk runs; they are divided by the requests wrk counted,
# as is the process's CPU time (user + system, /proc/PID/stat) over the
# same run. The counts do not depend on other people's load on the
# machine; the CPU time and wrk's p50 do. Needs 2 CPUs, perf and wrk
# (wrk and linux-perf installed with apt-get when missing); not part of
# `make test`.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
[ $# -gt 0 ] || set -- "$root/build/release/aigate"
upstream_bin=${BENCH_UPSTREAM:-$root/build/release/bench/bench_upstream}
LOADS=${LOADS:-1:1 1:0 4:1 16:0}
DURATION=${DURATION:-3}
ROUNDS=${ROUNDS:-2}
BODY=$(readlink -f "${BODY:-$here/chat.json}")
KEY=bench-master-key-0123456789

for f in "$@" "$upstream_bin"; do
  [ -x "$f" ] || { echo "syscalls: $f: not built" >&2; exit 2; }
done
[ "$(nproc)" -ge 2 ] || { echo "syscalls: needs 2 CPUs" >&2; exit 2; }
bench_name=syscalls
# shellcheck source=bench/gateway/common.sh
. "$here/common.sh"
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v perf >/dev/null || need+=(linux-perf)
install_missing "${need[@]}"

taskset -c 1 "$upstream_bin" --listen 127.0.0.1:0 >"$tmp/upstream.log" 2>&1 &
pids+=($!)
up_port=$(wait_port "$tmp/upstream.log" $!)

ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
load() { # URL CONNS DELAY SECONDS -> wrk's RESULT line
  BENCH_BODY_FILE=$BODY BENCH_KEY=$KEY BENCH_DELAY_MS=$3 taskset -c 1 wrk -t1 \
    -c "$2" -d "${4}s" -s "$here/post.lua" "$1" 2>&1 | grep '^RESULT ' || true
}

echo "== $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); aigate on CPU 0 (1 worker), wrk and the upstream on CPU 1; ${DURATION}s per measurement"
for spec in $LOADS; do
  conns=${spec%%:*} delay=${spec##*:}
  for round in $(seq 1 "$ROUNDS"); do
    for bin in "$@"; do
      exe=$(readlink -f "$bin")
      d=$(mktemp -d -p "$tmp")
      (cd "$d" && exec env OPENAI_BASE_URL="http://127.0.0.1:$up_port/v1" \
        OPENAI_API_KEY=sk-bench AIGATE_MASTER_KEY="$KEY" taskset -c 0 \
        "$exe" serve --listen 127.0.0.1:0 --workers 1 \
        --quiet) >"$d/log" 2>&1 &
      pid=$!
      pids+=("$pid")
      url=http://127.0.0.1:$(wait_port "$d/log" "$pid")/v1/chat/completions
      load "$url" "$conns" "$delay" 2 >/dev/null # warm: caches, pools
      t0=$(cpu_ticks "$pid")
      perf stat -x, -e raw_syscalls:sys_enter -p "$pid" -o "$d/perf" \
        -- sleep "$DURATION" >/dev/null 2>&1 &
      perf_pid=$!
      line=$(load "$url" "$conns" "$delay" "$DURATION")
      wait "$perf_pid" || true
      t1=$(cpu_ticks "$pid")
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      n=$(field requests "$line")
      calls=$(awk -F, '/raw_syscalls/ { print $1 }' "$d/perf")
      if [ -z "$n" ] || [ "$n" = 0 ] || [ -z "$calls" ]; then
        echo "syscalls: nothing measured for $bin at $spec" >&2
        exit 1
      fi
      awk -v b="$bin" -v c="$conns" -v dl="$delay" -v r="$round" -v n="$n" \
        -v s="$calls" -v t=$((t1 - t0)) -v hz="$ticks" \
        -v p50="$(field p50_us "$line")" -v bad="$(field non2xx "$line")" \
        'BEGIN { printf "  %-36s %2d conns, pause %s ms, round %d: %6d requests, %5.2f system calls and %6.1f us of CPU per request, p50 %s us, non-2xx %s\n",
                 b, c, dl, r, n, s / n, t / hz * 1e6 / n, p50, bad }'
    done
  done
done
