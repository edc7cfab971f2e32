#!/usr/bin/env bash
# run.sh -- `make bench-gateway`: what the gateway costs on the wire.
# Requests per second, latency and the latency the gateway adds, against
# the same upstream reached directly and through nginx's proxy_pass in the
# same invocation; then the resident memory of many open streams.
#
# usage: bench/gateway/run.sh [AIGATE] [BENCH_UPSTREAM]
#   AIGATE          default build/release/aigate
#   BENCH_UPSTREAM  default build/release/bench/bench_upstream
# environment, with its defaults:
#   DURATION=10        seconds per wrk run
#   REPEAT=3           runs per figure; best and median are printed
#   MODES="pinned shared"
#                      pinned: proxy with 1 worker on PROXY_CPUS, upstream
#                      and wrk on LOAD_CPUS; shared: nothing pinned, proxy
#                      with one worker per CPU, wrk with 2 threads
#   PROXY_CPUS=0 LOAD_CPUS=1
#   LAT_CONNS=4 LAT_DELAY_MS=1
#                      the latency run: LAT_CONNS connections, each pausing
#                      LAT_DELAY_MS before every request (a moderate load,
#                      about the same for all three targets)
#   MAX_CONNS=64       the throughput run: closed loop, no pause
#   SEQ=1              also one connection sending its requests back to
#                      back (0: skip): an idle proxy's latency, where a
#                      request that waits for something else to wake the
#                      proxy shows at once
#   STREAMS=5000       open streams in the memory test (0: skip it)
#   STREAM_CHUNKS=30 STREAM_DELAY_MS=1000
#                      each stream: a word now, then one a second
#   STREAM_ROUNDS=2    rounds through aigate (a second round shows growth)
#   BODY=bench/gateway/chat.json
#                      the request; chat-history.json is a conversation of
#                      six turns (the earlier ones sent again, as clients do)
#   AIGATE_CACHE_DIR   the engine cache (default: a temporary directory)
#   CONFIG=            aigate's configuration file for the wrk runs
#                      (default: the embedded defaults, every guard on;
#                      bench/gateway/guards-off.yaml: what the request's
#                      path costs with the guards doing as little as the
#                      configuration allows)
#
# Figures only, never pass/fail; not part of `make test`. Installs wrk and
# nginx-light with apt-get when missing (as `make deps` does); the stream
# test needs node (no npm packages). Everything runs on this machine: the
# load generator, the proxies and the upstream share its CPUs. The output
# says which CPUs each process got and, per run, how much CPU other
# people's processes took meanwhile ("others N%" of one CPU): runs with
# more than a few percent are not comparable. Each run also gives the CPU
# time the target's process spent per request ("cpu N us/req"), which
# other people's load disturbs far less than requests per second, with
# the share of it spent in the kernel and how often per request the
# target's threads were preempted (involuntary context switches, from
# /proc: on shared CPUs, mostly by wrk and the upstream it wakes).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
aigate=${1:-$root/build/release/aigate}
upstream_bin=${2:-$root/build/release/bench/bench_upstream}
DURATION=${DURATION:-10}
REPEAT=${REPEAT:-3}
MODES=${MODES:-pinned shared}
PROXY_CPUS=${PROXY_CPUS:-0}
LOAD_CPUS=${LOAD_CPUS:-1}
SEQ=${SEQ:-1}
LAT_CONNS=${LAT_CONNS:-4}
LAT_DELAY_MS=${LAT_DELAY_MS:-1}
MAX_CONNS=${MAX_CONNS:-64}
STREAMS=${STREAMS:-5000}
STREAM_CHUNKS=${STREAM_CHUNKS:-30}
STREAM_DELAY_MS=${STREAM_DELAY_MS:-1000}
STREAM_ROUNDS=${STREAM_ROUNDS:-2}
BODY=$(readlink -f "${BODY:-$here/chat.json}")
KEY=bench-master-key-0123456789
NCPU=$(nproc)

for f in "$aigate" "$upstream_bin"; do
  [ -x "$f" ] || { echo "bench-gateway: $f: not built" >&2; exit 2; }
done
# aigate runs in a directory of its own (its database files go there).
aigate=$(readlink -f "$aigate")
upstream_bin=$(readlink -f "$upstream_bin")

# ------------------------------------------------------------ tools

bench_name=bench-gateway
# shellcheck source=bench/gateway/common.sh
. "$here/common.sh"
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
install_missing "${need[@]}"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if ! command -v node >/dev/null; then
  echo "bench-gateway: node not found: the stream test is skipped" >&2
  STREAMS=0
fi

# Thousands of sockets per process in the stream test.
ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# ------------------------------------------------------------ processes

# Prefix for a command pinned to a CPU list, or nothing.
pin() { if [ -n "${1:-}" ]; then echo "taskset -c $1"; fi; }

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",
    ()=>{console.log(s.address().port);s.close()})' 2>/dev/null ||
    echo $((20000 + RANDOM % 10000))
}

affinity() { taskset -cp "$1" 2>/dev/null | sed 's/.*: //'; }

# start_upstream CPUS -> sets UP_PID UP_PORT
start_upstream() {
  # shellcheck disable=SC2046
  $(pin "$1") "$upstream_bin" --listen 127.0.0.1:0 >"$tmp/upstream.log" 2>&1 &
  UP_PID=$!
  pids+=("$UP_PID")
  UP_PORT=$(wait_port "$tmp/upstream.log" "$UP_PID")
}

# start_aigate CPUS WORKERS [CONFIG] -> sets GW_PID GW_PORT
start_aigate() {
  local cfg=()
  [ -n "${3:-}" ] && cfg=(-c "$3")
  mkdir -p "$tmp/aigate"
  # shellcheck disable=SC2046
  (cd "$tmp/aigate" && exec env OPENAI_BASE_URL="http://127.0.0.1:$UP_PORT/v1" \
    OPENAI_API_KEY=sk-bench AIGATE_MASTER_KEY="$KEY" \
    $(pin "$1") "$aigate" serve "${cfg[@]}" --listen 127.0.0.1:0 --workers "$2" \
    --quiet) >"$tmp/aigate.log" 2>&1 &
  GW_PID=$!
  pids+=("$GW_PID")
  GW_PORT=$(wait_port "$tmp/aigate.log" "$GW_PID")
}

# start_nginx CPUS WORKERS -> sets NG_PID NG_PORT. proxy_pass to the
# upstream over kept-alive connections, no buffering (so that streams
# flow), no access log; run in the foreground as the current user.
start_nginx() {
  local d=$tmp/nginx
  mkdir -p "$d"
  NG_PORT=$(free_port)
  local user=""
  [ "$(id -u)" = 0 ] && user="user root;"
  cat >"$d/nginx.conf" <<EOF
$user
worker_processes $2;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log warn;
worker_rlimit_nofile 65536;
events { worker_connections 32768; }
http {
  access_log off;
  client_body_temp_path $d/body;
  proxy_temp_path $d/proxy;
  fastcgi_temp_path $d/fastcgi;
  uwsgi_temp_path $d/uwsgi;
  scgi_temp_path $d/scgi;
  upstream bench_upstream {
    server 127.0.0.1:$UP_PORT;
    keepalive 256;
  }
  server {
    listen 127.0.0.1:$NG_PORT backlog=4096;
    location / {
      proxy_pass http://bench_upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_read_timeout 600s;
    }
  }
}
EOF
  # shellcheck disable=SC2046
  $(pin "$1") "$NGINX" -p "$d" -e "$d/error.log" -c "$d/nginx.conf" \
    >"$d/stdout.log" 2>&1 &
  NG_PID=$!
  pids+=("$NG_PID")
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$NG_PORT/v1/models" && return 0
    sleep 0.1
  done
  echo "bench-gateway: nginx did not start:" >&2
  cat "$d/error.log" "$d/stdout.log" >&2
  return 1
}

stop() {
  local p=$1 rest=() q
  kill "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  for q in "${pids[@]}"; do [ "$q" = "$p" ] || rest+=("$q"); done
  pids=("${rest[@]}")
}

rss_kib() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/status"; }

# ------------------------------------------------------------ wrk

results=$tmp/results.tsv
: >"$results"

# Interference: CPU time the whole machine spent (/proc/stat) minus what
# our processes spent (the upstream, the proxies, and wrk, which is the
# shell's only child that ends during a run), in clock ticks. What is left
# is other people's work (and a little kernel work on our traffic), shown
# per run as "others N%" of one CPU.
HZ=$(getconf CLK_TCK)
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
ours_ticks() {
  local p q sum=0
  for p in ${OURS:-}; do
    for q in $p $(cat "/proc/$p/task/$p/children" 2>/dev/null); do
      sum=$((sum + $(awk '{ print $14 + $15 }' "/proc/$q/stat" 2>/dev/null || echo 0)))
    done
  done
  echo "$sum"
}
# "all system preempted" of one process and its children (nginx: master
# and workers): CPU ticks, those of them in the kernel, and the times
# their threads were switched out while they could still run (the
# kernel's nonvoluntary_ctxt_switches: preempted, mostly by the load
# generator and the upstream woken on the same CPU).
proc_ticks() {
  local q all=0 sys=0 pre=0 u s t n
  for q in $1 $(cat "/proc/$1/task/$1/children" 2>/dev/null); do
    read -r u s < <(awk '{ print $14, $15 }' "/proc/$q/stat" 2>/dev/null || echo 0 0)
    all=$((all + u + s)) sys=$((sys + s))
    for t in /proc/"$q"/task/*/status; do
      n=$(sed -n 's/^nonvoluntary_ctxt_switches:[[:space:]]*//p' "$t" 2>/dev/null)
      pre=$((pre + ${n:-0}))
    done
  done
  echo "$all $sys $pre"
}
# snap: SNAP_B, SNAP_O, SNAP_W = machine, ours, ended children. `times`
# (its second line: user and system time of the ended children) must run
# in this shell, not in a pipe or $(...), whose subshell has no children.
snap() {
  SNAP_B=$(busy_ticks)
  SNAP_O=$(ours_ticks)
  times >"$tmp/times"
  SNAP_W=$(awk -v hz="$HZ" 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) {
      split($i, a, /[ms]/); t += a[1] * 60 + a[2] } printf "%d", t * hz }' \
    "$tmp/times")
}

# run_wrk MODE KIND TARGET REP URL KEY CONNS THREADS DELAY_MS CPUS PID
# PID: the process that serves TARGET; its CPU time per request ("cpu N
# us/req": user + system, its children included) is the figure that other
# people's load disturbs least.
run_wrk() {
  local mode=$1 kind=$2 target=$3 rep=$4 url=$5 key=$6 conns=$7 threads=$8
  local delay=$9 cpus=${10} pid=${11} out b0 o0 w0 t0 s0 x0 t1 s1 x1
  read -r t0 s0 x0 <<<"$(proc_ticks "$pid")"
  snap
  b0=$SNAP_B o0=$SNAP_O w0=$SNAP_W
  # shellcheck disable=SC2046
  out=$(BENCH_BODY_FILE=$BODY BENCH_KEY=$key BENCH_DELAY_MS=$delay \
    $(pin "$cpus") wrk -t "$threads" -c "$conns" -d "${DURATION}s" \
    --timeout 5s -s "$here/post.lua" "$url" 2>&1) || true
  snap
  read -r t1 s1 x1 <<<"$(proc_ticks "$pid")"
  local cpu_ticks=$((t1 - t0))
  local others
  others=$(awk -v b=$((SNAP_B - b0)) -v o=$((SNAP_O - o0)) -v w=$((SNAP_W - w0)) \
    -v hz="$HZ" -v d="$DURATION" 'BEGIN { x = (b - o - w) / hz / d * 100;
      printf "%.0f", x < 0 ? 0 : x }')
  local line
  line=$(grep '^RESULT ' <<<"$out" || true)
  if [ -z "$line" ]; then
    echo "bench-gateway: wrk failed on $target:" >&2
    echo "$out" >&2
    return 0
  fi
  # RESULT k=v ... -> the fields we keep, in a fixed order.
  local rps p50 p99 p999 non2xx errs cpu_us sys_pct pre_req n
  rps=$(field rps "$line")
  n=$(field requests "$line")
  cpu_us=$(awk -v t="$cpu_ticks" -v n="$n" -v hz="$HZ" \
    'BEGIN { printf "%.1f", (n > 0 ? t / hz * 1e6 / n : 0) }')
  sys_pct=$(awk -v s=$((s1 - s0)) -v t="$cpu_ticks" \
    'BEGIN { printf "%.0f", (t > 0 ? s * 100 / t : 0) }')
  pre_req=$(awk -v x=$((x1 - x0)) -v n="$n" \
    'BEGIN { printf "%.2f", (n > 0 ? x / n : 0) }')
  p50=$(field p50_us "$line")
  p99=$(field p99_us "$line")
  p999=$(field p999_us "$line")
  non2xx=$(field non2xx "$line")
  errs=$(($(field connect "$line") + $(field read "$line") + \
    $(field write "$line") + $(field timeout "$line")))
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$mode" "$kind" \
    "$target" "$rep" "$rps" "$p50" "$p99" "$p999" "$non2xx" "$errs" \
    "$others" "$cpu_us" "$sys_pct" "$pre_req" >>"$results"
  printf '  %-4s %-6s rep %s: %9.0f req/s  p50 %5d us  p99 %6d us  p99.9 %6d us  non-2xx %s  socket errors %s  cpu %6.1f us/req (kernel %2s%%, preempted %s/req)  others %3s%%\n' \
    "$kind" "$target" "$rep" "$rps" "$p50" "$p99" "$p999" "$non2xx" "$errs" "$cpu_us" "$sys_pct" "$pre_req" "$others"
}

# stat MODE KIND TARGET COLUMN max|min -> "median best" (best: max or min)
stat() {
  awk -F'\t' -v m="$1" -v k="$2" -v t="$3" -v c="$4" \
    '$1==m && $2==k && $3==t {print $c}' "$results" | sort -g |
    awk -v best="$5" '{a[NR]=$1} END {
      if (!NR) { print "- -"; exit }
      printf "%s %s\n", a[int((NR+1)/2)], (best=="max" ? a[NR] : a[1]) }'
}
sum_col() {
  awk -F'\t' -v m="$1" -v t="$2" -v c="$3" '$1==m && $3==t {s+=$c} END {print s+0}' "$results"
}

# One request through TARGET, to show that the guards run and how.
check() {
  local name=$1 url=$2 key=$3 hdr
  hdr=$(curl -s -D - -o "$tmp/check.json" -X POST "$url" \
    -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    --data-binary "@$BODY" | tr -d '\r')
  printf '  %-6s %s' "$name" "$(head -1 <<<"$hdr")"
  local dec ovh
  dec=$(sed -n 's/^x-aigate-decision: //Ip' <<<"$hdr")
  ovh=$(sed -n 's/^x-aigate-overhead-ms: //Ip' <<<"$hdr")
  [ -n "$dec" ] && printf ', decision %s, overhead %s ms' "$dec" "$ovh"
  echo
  grep -q '^HTTP/1.1 200' <<<"$hdr" || {
    echo "bench-gateway: $name did not answer 200:" >&2
    cat "$tmp/check.json" >&2
    return 1
  }
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

echo "== machine: $NCPU CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), load $(loadavg)"
echo "== aigate: $aigate ($("$aigate" --version 2>/dev/null || echo '?')), configuration: ${CONFIG:-the embedded defaults}"
echo "== wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'), $("$NGINX" -v 2>&1 | sed 's/.*: //'), body $(wc -c <"$BODY") bytes ($BODY)"

# ------------------------------------------------------------ HTTP runs

for mode in $MODES; do
  if [ "$mode" = pinned ] && [ "$NCPU" -ge 2 ]; then
    pcpu=$PROXY_CPUS lcpu=$LOAD_CPUS workers=1 wthreads=1
  elif [ "$mode" = pinned ]; then
    echo "== pinned mode needs 2 CPUs: skipped"
    continue
  else
    pcpu="" lcpu="" workers=$NCPU wthreads=2
  fi
  start_upstream "$lcpu"
  start_nginx "$pcpu" "$workers"
  start_aigate "$pcpu" "$workers" "${CONFIG:+$(readlink -f "$CONFIG")}"
  echo
  echo "== mode $mode: proxies with $workers worker(s); wrk -t$wthreads; ${DURATION}s per run, $REPEAT runs"
  echo "  CPUs: upstream $(affinity "$UP_PID"), nginx $(affinity "$NG_PID") (workers inherit), aigate $(affinity "$GW_PID"), wrk ${lcpu:-0-$((NCPU - 1))}"
  direct=http://127.0.0.1:$UP_PORT/v1/chat/completions
  via_nginx=http://127.0.0.1:$NG_PORT/v1/chat/completions
  via_aigate=http://127.0.0.1:$GW_PORT/v1/chat/completions
  OURS="$UP_PID $NG_PID $GW_PID"
  check direct "$direct" ""
  check nginx "$via_nginx" ""
  check aigate "$via_aigate" "$KEY"
  # Warm-up: connection pools, caches, the allocator's arenas.
  for u in "$direct" "$via_nginx" "$via_aigate"; do
    # shellcheck disable=SC2046
    BENCH_BODY_FILE=$BODY BENCH_KEY=$KEY $(pin "$lcpu") wrk -t1 \
      -c "$MAX_CONNS" -d 2s -s "$here/post.lua" "$u" >/dev/null 2>&1 || true
  done
  check "aigate, warm," "$via_aigate" "$KEY"
  rss0=$(rss_kib "$GW_PID")
  for rep in $(seq 1 "$REPEAT"); do
    echo "  -- run $rep, load $(loadavg)"
    run_wrk "$mode" lat direct "$rep" "$direct" "" "$LAT_CONNS" 1 "$LAT_DELAY_MS" "$lcpu" "$UP_PID"
    run_wrk "$mode" lat nginx "$rep" "$via_nginx" "" "$LAT_CONNS" 1 "$LAT_DELAY_MS" "$lcpu" "$NG_PID"
    run_wrk "$mode" lat aigate "$rep" "$via_aigate" "$KEY" "$LAT_CONNS" 1 "$LAT_DELAY_MS" "$lcpu" "$GW_PID"
    if [ "$SEQ" = 1 ]; then
      run_wrk "$mode" seq direct "$rep" "$direct" "" 1 1 0 "$lcpu" "$UP_PID"
      run_wrk "$mode" seq nginx "$rep" "$via_nginx" "" 1 1 0 "$lcpu" "$NG_PID"
      run_wrk "$mode" seq aigate "$rep" "$via_aigate" "$KEY" 1 1 0 "$lcpu" "$GW_PID"
    fi
    run_wrk "$mode" max direct "$rep" "$direct" "" "$MAX_CONNS" "$wthreads" 0 "$lcpu" "$UP_PID"
    run_wrk "$mode" max nginx "$rep" "$via_nginx" "" "$MAX_CONNS" "$wthreads" 0 "$lcpu" "$NG_PID"
    run_wrk "$mode" max aigate "$rep" "$via_aigate" "$KEY" "$MAX_CONNS" "$wthreads" 0 "$lcpu" "$GW_PID"
  done
  if kill -0 "$GW_PID" 2>/dev/null; then
    echo "  aigate RSS: $rss0 KiB after the warm-up, $(rss_kib "$GW_PID") KiB after the runs"
  else
    echo "  aigate DIED during the runs; its log:"
    cat "$tmp/aigate.log"
  fi
  stop "$GW_PID"
  stop "$NG_PID"
  stop "$UP_PID"
done

# ------------------------------------------------------------ summary

# col: 5 rps, 6 p50, 7 p99
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "-") printf "%.2f", a / b; else printf "-" }'; }
num() { awk -v a="$1" 'BEGIN { if (a != "-") printf "%.0f", a; else printf "-" }'; }
diff_ms() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "-" && b != "-") printf "%.3f", (a - b) / 1000; else printf "-" }'; }
ms() { awk -v a="$1" 'BEGIN { if (a != "-") printf "%.3f", a / 1000; else printf "-" }'; }

for mode in $MODES; do
  grep -q "^$mode	" "$results" || continue
  echo
  echo "== summary, mode $mode (median / best of $REPEAT; latency in ms)"
  printf '| %-6s | %-22s | %-17s | %-17s | %-22s | %-17s | %-17s | %-17s | %-7s | %-6s | %-10s |\n' target \
    "max req/s" "max p50" "max p99" "lat req/s" "lat p50" "lat p99" "cpu us/req (max)" "non-2xx" "errors" "others max"
  printf '|%s|\n' "--------|------------------------|-------------------|-------------------|------------------------|-------------------|-------------------|-------------------|---------|--------|------------"
  for t in direct nginx aigate; do
    read -r mr br <<<"$(stat "$mode" max "$t" 5 max)"
    read -r mp5 bp5 <<<"$(stat "$mode" max "$t" 6 min)"
    read -r mp9 bp9 <<<"$(stat "$mode" max "$t" 7 min)"
    read -r lr blr <<<"$(stat "$mode" lat "$t" 5 max)"
    read -r l5 bl5 <<<"$(stat "$mode" lat "$t" 6 min)"
    read -r l9 bl9 <<<"$(stat "$mode" lat "$t" 7 min)"
    read -r mc bc <<<"$(stat "$mode" max "$t" 12 min)"
    printf '| %-6s | %10s / %9s | %7s / %7s | %7s / %7s | %10s / %9s | %7s / %7s | %7s / %7s | %7s / %7s | %7s | %6s | %9s%% |\n' \
      "$t" "$(num "$mr")" "$(num "$br")" "$(ms "$mp5")" "$(ms "$bp5")" "$(ms "$mp9")" "$(ms "$bp9")" \
      "$(num "$lr")" "$(num "$blr")" "$(ms "$l5")" "$(ms "$bl5")" "$(ms "$l9")" "$(ms "$bl9")" "$mc" "$bc" \
      "$(sum_col "$mode" "$t" 9)" "$(sum_col "$mode" "$t" 10)" \
      "$(awk -F'\t' -v m="$mode" -v t="$t" '$1==m && $3==t && $11>x {x=$11} END {print x+0}' "$results")"
  done
  read -r dr dbr <<<"$(stat "$mode" max direct 5 max)"
  read -r nr nbr <<<"$(stat "$mode" max nginx 5 max)"
  read -r gr gbr <<<"$(stat "$mode" max aigate 5 max)"
  read -r d5 db5 <<<"$(stat "$mode" lat direct 6 min)"
  read -r d9 db9 <<<"$(stat "$mode" lat direct 7 min)"
  read -r n5 nb5 <<<"$(stat "$mode" lat nginx 6 min)"
  read -r n9 nb9 <<<"$(stat "$mode" lat nginx 7 min)"
  read -r g5 gb5 <<<"$(stat "$mode" lat aigate 6 min)"
  read -r g9 gb9 <<<"$(stat "$mode" lat aigate 7 min)"
  echo "  throughput aigate/nginx: $(ratio "$gr" "$nr") (median), $(ratio "$gbr" "$nbr") (best); aigate/direct: $(ratio "$gr" "$dr") (median), $(ratio "$gbr" "$dbr") (best); nginx/direct: $(ratio "$nr" "$dr") (median)"
  line="  at full load (medians), CPU per request in the kernel and preemptions per request:"
  for t in direct nginx aigate; do
    read -r mc _ <<<"$(stat "$mode" max "$t" 12 min)"
    read -r ks _ <<<"$(stat "$mode" max "$t" 13 min)"
    read -r pr _ <<<"$(stat "$mode" max "$t" 14 min)"
    line="$line $t $(awk -v c="$mc" -v k="$ks" 'BEGIN { if (c == "-" || k == "-") printf "-"; else printf "%.1f us (%d%%)", c * k / 100, k }'), $pr;"
  done
  echo "${line%;}"
  echo "  added latency at the latency load (minus direct): aigate p50 $(diff_ms "$g5" "$d5") ms, p99 $(diff_ms "$g9" "$d9") ms (medians); best p50 $(diff_ms "$gb5" "$db5"), p99 $(diff_ms "$gb9" "$db9")"
  echo "                                                  nginx  p50 $(diff_ms "$n5" "$d5") ms, p99 $(diff_ms "$n9" "$d9") ms (medians); best p50 $(diff_ms "$nb5" "$db5"), p99 $(diff_ms "$nb9" "$db9")"
  if [ "$SEQ" = 1 ]; then
    line="  one client, requests back to back (median req/s, p50 / p99 ms):"
    for t in direct nginx aigate; do
      read -r sr _ <<<"$(stat "$mode" seq "$t" 5 max)"
      read -r s5 _ <<<"$(stat "$mode" seq "$t" 6 min)"
      read -r s9 _ <<<"$(stat "$mode" seq "$t" 7 min)"
      line="$line $t $(num "$sr"), $(ms "$s5") / $(ms "$s9");"
    done
    echo "${line%;}"
  fi
done

# ------------------------------------------------------------ streams

if [ "$STREAMS" -gt 0 ]; then
  echo
  echo "== streams: $STREAMS concurrent streaming requests, each $STREAM_CHUNKS words $STREAM_DELAY_MS ms apart; nothing pinned; load $(loadavg)"
  model=bench-c$STREAM_CHUNKS-d$STREAM_DELAY_MS
  start_upstream ""
  # Room for every stream on whichever worker the kernel hands it to.
  maxc=$((STREAMS * 2 + 1000))
  [ "$maxc" -lt 10000 ] && maxc=10000
  printf 'server:\n  max_connections: %d\n' "$maxc" >"$tmp/streams.yaml"
  start_aigate "" "$NCPU" "$tmp/streams.yaml"
  node "$here/streams.mjs" --url "http://127.0.0.1:$GW_PORT/v1/chat/completions" \
    --key "$KEY" --pids "$GW_PID" --streams "$STREAMS" --model "$model" \
    --rounds "$STREAM_ROUNDS" --label aigate | tee "$tmp/streams-aigate.txt" | grep -v '^STREAMS '
  kill -0 "$GW_PID" 2>/dev/null || { echo "  aigate DIED during the stream test:"; cat "$tmp/aigate.log"; }
  stop "$GW_PID"
  start_nginx "" "$NCPU"
  node "$here/streams.mjs" --url "http://127.0.0.1:$NG_PORT/v1/chat/completions" \
    --pids "$NG_PID" --streams "$STREAMS" --model "$model" --rounds 1 \
    --label nginx | tee "$tmp/streams-nginx.txt" | grep -v '^STREAMS '
  stop "$NG_PID"
  stop "$UP_PID"
  a=$(sed -n 's/^STREAMS .*"round":1,.*"kib_per_stream":\([0-9.-]*\).*/\1/p' "$tmp/streams-aigate.txt")
  n=$(sed -n 's/^STREAMS .*"round":1,.*"kib_per_stream":\([0-9.-]*\).*/\1/p' "$tmp/streams-nginx.txt")
  echo "  KiB per open stream (first round, fresh process): aigate ${a:--}, nginx ${n:--}; aigate/nginx $(ratio "${a:--}" "${n:-0}")"
fi
