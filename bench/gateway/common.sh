# common.sh -- what the scripts of bench/gateway share (sourced, after
# `set -euo pipefail` and with $bench_name set): a temporary directory,
# the processes they start (pids), both cleaned up on exit; installing
# the Debian packages of missing tools; waiting for a server's
# "listening on" line; reading a field of wrk's RESULT line (post.lua).
# shellcheck shell=bash

# install_missing PACKAGE...: apt-get install them (nothing when none).
install_missing() {
  [ $# -gt 0 ] || return 0
  local sudo
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  echo "installing: $*"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
    --no-install-recommends "$@"
}

# field NAME LINE: the value of NAME=... in a RESULT line.
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }

tmp=$(mktemp -d)
export AIGATE_CACHE_DIR=${AIGATE_CACHE_DIR:-$tmp/cache}
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do
    kill "$p" 2>/dev/null || true
  done
  for p in "${pids[@]}"; do
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_port FILE PID [TENTHS]: wait (up to TENTHS tenths of a second,
# default 300) until FILE contains "listening on http://HOST:PORT" and
# print PORT.
wait_port() {
  local file=$1 pid=$2
  for _ in $(seq 1 "${3:-300}"); do
    local p
    # The process may not have created its log yet (a loaded machine).
    p=$(sed -n 's|.*listening on http://[^:]*:\([0-9]*\).*|\1|p' "$file" 2>/dev/null | head -1 || true)
    if [ -n "$p" ]; then echo "$p"; return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "${bench_name:-bench}: no listening line from pid $pid:" >&2
  cat "$file" >&2
  return 1
}
