#!/usr/bin/env bash
# seed_means.sh -- compare trainer settings by their means over several
# seeds, the figures docs/detection.md compares them by.
#
# One seed's model says little about a change to the trainer: its
# level-2 threshold rests on some ten benign texts out of fold and moves
# from 0.45 to 0.68 between seeds of one and the same training, more than
# most changes move anything. This trains the model for seeds 1..N with
# the given options and prints, per evaluation file, the mean attacks
# caught and benign texts blocked at the default level (and dev's F1),
# and the mean out-of-fold recall of the attacks as read at level 2.
#
# usage: tools/seed_means.sh [-n N] [-j JOBS] [-o DIR] [-a AIGATE]
#                            TRAIN.jsonl [-- TRAIN OPTIONS...]
#   -n N       seeds 1..N (default 6)
#   -j JOBS    trainings at once (default 2)
#   -o DIR     where the models and logs go (default a temporary
#              directory, removed at the end); models already there are
#              reused, so a second run with more files evaluates only
#   -a AIGATE  the binary (default build/release/aigate)
# environment: EVAL="dev.jsonl probe.jsonl ...": the files to evaluate
# (default ../shared/datasets/dev.jsonl when it exists, and every
# tests/fixtures/*/probe.jsonl and tests/fixtures/checks/*.jsonl).
#
# example: tools/seed_means.sh ../shared/datasets/train.jsonl -- --word-requests 0
# Needs python3 (for reading `aigate eval --format json`). Not part of
# `make test`: a run trains N models (about 15 s each on this machine).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
n=6 jobs=2 dir="" aigate="$root/build/release/aigate"
while getopts "n:j:o:a:" opt; do
  case $opt in
  n) n=$OPTARG ;;
  j) jobs=$OPTARG ;;
  o) dir=$OPTARG ;;
  a) aigate=$OPTARG ;;
  *) echo "usage: $0 [-n N] [-j JOBS] [-o DIR] [-a AIGATE] TRAIN.jsonl [-- OPTIONS...]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "seed_means: no training file" >&2; exit 2; }
train=$1
shift
[ "${1:-}" = "--" ] && shift
[[ $n =~ ^[1-9][0-9]?$ && $jobs =~ ^[1-9]$ ]] || { echo "seed_means: -n 1..99, -j 1..9" >&2; exit 2; }
[ -x "$aigate" ] || { echo "seed_means: $aigate: not built" >&2; exit 2; }
[ -r "$train" ] || { echo "seed_means: $train: cannot read" >&2; exit 2; }
if [ -z "$dir" ]; then
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' EXIT
fi
mkdir -p "$dir"

# Train the seeds that have no model yet, JOBS at a time.
running=0
for s in $(seq 1 "$n"); do
  [ -f "$dir/seed$s.bin" ] && continue
  "$aigate" train "$train" --seed "$s" "$@" -o "$dir/seed$s.bin" >"$dir/seed$s.log" 2>&1 &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait
for s in $(seq 1 "$n"); do
  [ -f "$dir/seed$s.bin" ] || { echo "seed_means: seed $s failed:" >&2; cat "$dir/seed$s.log" >&2; exit 1; }
done

files=()
if [ -n "${EVAL:-}" ]; then
  read -r -a files <<<"$EVAL"
else
  [ -f "$root/../shared/datasets/dev.jsonl" ] && files+=("$root/../shared/datasets/dev.jsonl")
  files+=("$root"/tests/fixtures/*/probe.jsonl "$root"/tests/fixtures/checks/*.jsonl)
fi

python3 - "$aigate" "$dir" "$n" "${files[@]}" <<'PY'
import json, subprocess, sys
aigate, d, n, files = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
rec = []
for s in range(1, n + 1):
    for line in open("%s/seed%d.log" % (d, s)):
        if "level-2 recall" in line:
            rec.append(float(line.split("level-2 recall")[1].split()[0]))
if rec:
    print("out-of-fold recall of the attacks as read, level 2: %.4f (mean of %d)"
          % (sum(rec) / len(rec), len(rec)))
print("%-48s %16s %16s %8s" % ("file (means over %d seeds)" % n, "attacks caught", "benign blocked", "F1"))
for f in files:
    tp = fp = f1 = 0.0
    na = nb = 0
    for s in range(1, n + 1):
        out = subprocess.run([aigate, "eval", f, "--format", "json", "--model",
                              "%s/seed%d.bin" % (d, s)], capture_output=True)
        if out.returncode:
            sys.exit("seed_means: eval %s: %s" % (f, out.stderr.decode().strip()))
        m = json.loads(out.stdout)["metrics"]
        tp += m["tp"]; fp += m["fp"]; f1 += m["f1"]
        na, nb = m["tp"] + m["fn"], m["fp"] + m["tn"]
    name = "/".join(f.split("/")[-2:])
    caught = "%.1f of %d" % (tp / n, na) if na else "-"
    blocked = "%.1f of %d" % (fp / n, nb) if nb else "-"
    print("%-48s %16s %16s %8.4f" % (name, caught, blocked, f1 / n))
PY
