#!/usr/bin/env bash
# The supply-chain audit's benchmark (figures only, never pass/fail):
# generate a corpus of realistic size and shape (gen_corpus.py: 60,000 OSV
# records for PyPI and npm as osv.dev all.zip archives, 2,000 installed
# Python distributions with RECORD files, a 10,000-entry package-lock.json),
# then time `aigate advisories import` of both archives and `aigate audit`
# of the installed packages plus the lockfile (best of 3 and median).
# Usage: bench/audit/run.sh AIGATE [RECORDS INSTALLED LOCKED]
set -eu
AIGATE=${1:?path to aigate}
shift
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
HERE=$(cd "$(dirname "$0")" && pwd)
python3 "$HERE/gen_corpus.py" "$DIR" "$@"
du -sh "$DIR/osv/PyPI/all.zip" "$DIR/osv/npm/all.zip" "$DIR/app/package-lock.json" | sed 's/^/  /'

now() { echo $(($(date +%s%N) / 1000000)); } # milliseconds
t0=$(now)
"$AIGATE" advisories import --db "$DIR/adv.db" "$DIR/osv/PyPI/all.zip" "$DIR/osv/npm/all.zip"
t1=$(now)
echo "import: $(((t1 - t0) / 1000)).$(printf '%03d' $(((t1 - t0) % 1000))) s"
"$AIGATE" advisories status --db "$DIR/adv.db" | sed 's/^/  /'
ls -l "$DIR/adv.db" | awk '{printf "  database size: %.1f MiB\n", $5 / 1048576}'

times=()
for run in 1 2 3; do
  t0=$(now)
  rc=0
  "$AIGATE" audit --db "$DIR/adv.db" "$DIR/venv" "$DIR/app" --format json >"$DIR/audit.json" || rc=$?
  t1=$(now)
  times+=("$((t1 - t0))")
done
python3 - "$DIR/audit.json" "${times[@]}" <<'PY'
import json, statistics, sys
d = json.load(open(sys.argv[1]))
t = sorted(int(x) / 1000 for x in sys.argv[2:])
s = d["summary"]
print("audit: %d packages (%d checked), %d files, %d findings (%d critical, %d high)"
      % (s["packages"], s["checked"], s["files"], s["findings"], s["critical"], s["high"]))
print("audit time: best %.2f s, median %.2f s (3 runs)" % (t[0], statistics.median(t)))
PY
