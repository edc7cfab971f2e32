#!/usr/bin/env python3
"""Write the padding probe: committed probes' texts as written, and padded.

Usage: tools/gen_padded_probe.py OUTDIR

Reads tests/fixtures/{framing4,games2,indirect2,code2,wordsense,framing3}
/probe.jsonl (1,920 texts, 790 attacks) and writes OUTDIR/unpadded.jsonl
(the texts as they are) and OUTDIR/padded.jsonl (each text with one of ten
fillers repeated to about twice its length, at least 20 times, after it,
before it or on both sides; labels and kinds kept). It measures whether
padding a prompt with a phrase said over and over hides an attack or gets
a harmless text blocked:

    tools/gen_padded_probe.py /tmp/pad
    EVAL="/tmp/pad/unpadded.jsonl /tmp/pad/padded.jsonl" \\
      tools/seed_means.sh ../shared/datasets/train.jsonl -- models/corpus/code.jsonl

Deterministic (a fixed seed); the output is derived from committed
fixtures and not committed itself. Figures in docs/detection.md ("Each
feature once in a window").
"""
import json
import os
import random
import sys

FILLERS = [" ok", " hello world", " the", " Thanks.", " lorem ipsum dolor",
           " yes yes", " ...", " and so on", " blah", " 1 2 3"]
PROBES = ["framing4", "games2", "indirect2", "code2", "wordsense", "framing3"]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen_padded_probe.py OUTDIR")
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    rng = random.Random(7)
    with open(os.path.join(out_dir, "padded.jsonl"), "w") as padded, \
            open(os.path.join(out_dir, "unpadded.jsonl"), "w") as plain:
        for probe in PROBES:
            path = os.path.join(root, "tests", "fixtures", probe, "probe.jsonl")
            with open(path) as f:
                for line in f:
                    r = json.loads(line)
                    t = r["text"]
                    filler = rng.choice(FILLERS)
                    reps = max(20, (2 * len(t)) // len(filler))
                    where = rng.choice(["after", "before", "both"])
                    pad = filler * reps
                    if where == "after":
                        pt = t + pad
                    elif where == "before":
                        pt = pad.strip() + " " + t
                    else:
                        half = filler * (reps // 2)
                        pt = half.strip() + " " + t + half
                    kind = r.get("kind", "?")
                    padded.write(json.dumps({"text": pt, "label": r["label"],
                                             "kind": kind,
                                             "source": probe + "/" + where})
                                 + "\n")
                    plain.write(json.dumps({"text": t, "label": r["label"],
                                            "kind": kind, "source": probe})
                                + "\n")


if __name__ == "__main__":
    main()
