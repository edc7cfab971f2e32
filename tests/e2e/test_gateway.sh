#!/usr/bin/env bash
# End-to-end tests of `aigate serve`: the official OpenAI SDK (node) talks
# to the gateway, which talks to a fake OpenAI upstream (gateway/upstream.mjs)
# whose every reply the tests choose. Suites: basic/proxy, input guards,
# output guards, streaming, limits and errors, reload/drain, concurrency,
# plus a self-test of the fake upstream. Usage: test_gateway.sh AIGATE SRCDIR
#
# Installs the pinned SDK with `npm ci` into tests/e2e/node_modules when it
# is missing or package-lock.json changed. A preflight first checks that
# `aigate serve` starts at all; if it does not, its reason is printed once,
# only the upstream self-test runs, and the script fails.
#
# Environment:
#   AIGATE_CACHE_DIR    compiled-rules cache (ctest sets it; else a temp dir)
#   AIGATE_E2E_FILES    run only these suites, e.g. "streaming basic"
#   AIGATE_E2E_ALL=1    run every suite even when the preflight fails
set -u
AIGATE=${1:?path to aigate}
SRC=${2:?source dir}
E2E="$SRC/tests/e2e"
BUDGET=450 # seconds for the node run; ctest's timeout is 900 (with the warm-up)

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

case $AIGATE in /*) ;; *) AIGATE="$PWD/$AIGATE" ;; esac
[ -x "$AIGATE" ] || fail "$AIGATE is not an executable"
for tool in node npm curl python3; do
  command -v "$tool" >/dev/null || fail "$tool not found: the gateway tests need node >= 20, npm, curl and python3"
done
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || fail "node $(node --version) is too old: the gateway tests need node >= 20"

TMP=$(mktemp -d)
keep_tmp=0
group=
cleanup() {
  [ -n "$group" ] && kill -KILL -- "-$group" 2>/dev/null
  [ "$keep_tmp" = 1 ] || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# --- dependencies: the pinned SDK ------------------------------------------
# flock: two builds (release, asan) may run this at once on one checkout.
(
  flock 9
  cd "$E2E" || exit 1
  want=$(sha256sum package-lock.json | cut -d' ' -f1)
  have=$(cat node_modules/.aigate-lock-sha256 2>/dev/null)
  if [ ! -d node_modules/openai ] || [ "$want" != "$have" ]; then
    echo "installing the test dependencies (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error || exit 1
    echo "$want" >node_modules/.aigate-lock-sha256
  fi
) 9<"$E2E/package-lock.json" || fail "npm ci in $E2E failed"

# --- environment for the suites --------------------------------------------
export AIGATE_BIN="$AIGATE"
export AIGATE_CACHE_DIR="${AIGATE_CACHE_DIR:-$TMP/cache}"
export AIGATE_E2E_LOGDIR="$TMP/logs"
mkdir -p "$AIGATE_CACHE_DIR" "$AIGATE_E2E_LOGDIR"
# 1000 concurrent streams need over 2000 descriptors in the gateway.
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ] || [ "$hard" -gt 65536 ]; then hard=65536; fi
ulimit -n "$hard" 2>/dev/null || true
[ "$(ulimit -n)" -ge 4096 ] || echo "warning: ulimit -n is $(ulimit -n); the concurrency suite may fail" >&2

cd "$E2E" || fail "no $E2E"
files=()
if [ -n "${AIGATE_E2E_FILES:-}" ]; then
  for f in $AIGATE_E2E_FILES; do files+=("gateway/$f.test.mjs"); done
else
  files=(gateway/*.test.mjs)
fi

# Compile the rules into the cache before any gateway starts: a cold
# engine build takes seconds in a Release build and over a minute under
# the sanitizers, more than a gateway's start is given.
printf 'warm-up\n' | timeout 240 "$AIGATE" scan >/dev/null 2>"$TMP/warm.err"
warm=$?
[ "$warm" -le 1 ] || echo "warning: warming the rules cache failed ($warm): $(head -c 300 "$TMP/warm.err")" >&2

preflight_ok=1
if ! timeout 60 node gateway/preflight.mjs; then
  preflight_ok=0
  echo "FAIL: 'aigate serve' did not start (see the preflight line above); every gateway test needs it." >&2
  if [ "${AIGATE_E2E_ALL:-0}" != 1 ]; then
    echo "Running only the fake upstream's self-test (AIGATE_E2E_ALL=1 runs every suite anyway)." >&2
    files=(gateway/upstream.test.mjs)
  fi
fi

# --- the run ---------------------------------------------------------------
# In its own process group (setsid; timeout signals its whole group), so
# that whatever the suites started -- gateways, upstreams -- is killed with
# them: at the time budget, when this script is stopped, or when a test
# file's process dies without cleaning up.
setsid timeout -k 5 "$BUDGET" node --test --test-force-exit --test-reporter=spec \
  --test-concurrency=1 --test-timeout=90000 "${files[@]}" &
group=$!
wait "$group"
rc=$?
kill -KILL -- "-$group" 2>/dev/null
group=
[ "$rc" != 124 ] || echo "FAIL: the gateway tests ran over ${BUDGET}s and were stopped" >&2

if [ "$rc" != 0 ] || [ "$preflight_ok" != 1 ]; then
  if compgen -G "$AIGATE_E2E_LOGDIR/*.log" >/dev/null; then
    keep_tmp=1
    echo "gateway logs (stdout and stderr of each aigate serve) kept in $AIGATE_E2E_LOGDIR" >&2
  fi
  [ "$rc" != 0 ] || rc=1
fi
if [ "$preflight_ok" != 1 ]; then
  echo "FAIL: aigate serve did not start, so the gateway suites did not pass" >&2
fi
exit "$rc"
