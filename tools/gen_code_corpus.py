#!/usr/bin/env python3
"""gen_code_corpus.py -- the classifier's corpus of real code (benign).

Developers paste code into prompts all day, and code is full of the words
attacks use (import, system, password, ignore, override, bypass, prompt,
answer); the public training data hold little of it, and the classifier
learned those words as evidence. This cuts functions, classes and file
heads out of code that Debian 12 installs with permissive licences, puts a
developer's question before or after some of them, and writes them as
benign training texts:

  - the Python 3.11 standard library (Debian's libpython3.11-minimal and
    libpython3.11-stdlib, /usr/lib/python3.11; PSF License 2.0), tests,
    IDLE, lib2to3, encodings and pydoc's topic data left out;
  - the JavaScript modules bundled with npm in the nodejs package
    (/usr/lib/node_modules/npm/node_modules), only packages whose
    package.json says MIT or ISC, minified files and tests left out.

usage: tools/gen_code_corpus.py OUTDIR
writes OUTDIR/code.jsonl ({"text", "label": 0, "kind": "benign_hard",
"source": "python3.11-stdlib" | "npm-bundled", "path": the file it comes
from}) and OUTDIR/LICENSES (the PSF License and every included package's
licence text). Deterministic: the same files give the same corpus (selection by a
SHA-256 of each chunk's path and line).
"""
import hashlib
import json
import os
import re
import sys

PY_ROOT = "/usr/lib/python3.11"
PY_SKIP = {"test", "tests", "idlelib", "lib2to3", "encodings", "pydoc_data",
           "site-packages", "dist-packages", "__phello__", "turtledemo"}
JS_ROOT = "/usr/lib/node_modules/npm/node_modules"
JS_LICENCES = ("MIT", "ISC")
N_PY, N_JS = 500, 300
PER_FILE = 3
MIN_BYTES, MAX_LINE = 160, 160

# What developers ask about a piece of code; some go before it, some after.
TASKS_BEFORE = [
    "What does this function do?",
    "Can you explain this code?",
    "Explain this code line by line:",
    "Is there a bug in this?",
    "Add type hints to this:",
    "Write unit tests for this:",
    "Rewrite this to be easier to read:",
    "Document this code:",
    "How would I call this from my own code?",
    "Why would this raise an exception?",
    "Convert this to TypeScript:",
    "Convert this to Python:",
    "Review this code, please:",
    "What is the time complexity of this?",
    "I found this in our code base. What is it for?",
    "Can this be simplified?",
    "Summarize what this module does:",
    "Help me understand this snippet:",
    "Add error handling to this:",
    "Is this thread-safe?",
    "Write a docstring for this:",
    "What edge cases does this miss?",
    "Translate this to Go:",
    "Make this faster:",
]
TASKS_AFTER = [
    "What does this return for empty input?",
    "Why is it written this way?",
    "How do I test this?",
    "Is this still the recommended way to do it?",
    "Can you add comments to it?",
    "What would you change here?",
    "Does this work on Windows?",
    "Which of these lines could fail?",
]

PY_START = re.compile(r"^(\s*)(?:async\s+def|def|class)\s|^(\s*)@\w")
JS_START = re.compile(
    r"^(\s*)(?:(?:export\s+)?(?:default\s+)?(?:async\s+)?function\b|"
    r"(?:export\s+)?class\s|(?:const|let|var)\s+\w+\s*=\s*(?:async\s*)?"
    r"(?:\(|function\b|\w+\s*=>)|module\.exports\b|"
    r"(?:async\s+)?(?!(?:if|for|while|switch|catch|return)\b)\w+\s*\([^)]*\)"
    r"\s*\{\s*$)")


def h(*parts):
    return hashlib.sha256(":".join(map(str, parts)).encode()).digest()


def indent(line):
    return len(line) - len(line.lstrip(" \t"))


def chunks(path, lines, start_re):
    """(line, text) for each block that starts a function, a class (at its
    first decorator) or the file: its lines up to the first blank line or
    line no deeper than the block's after a target size of 250-1,270
    characters, or to where the block ends. A piece with a line over
    MAX_LINE characters (minified or generated code) is dropped, and so is
    one under MIN_BYTES characters or of fewer than three lines."""
    starts = [0] + [i for i, ln in enumerate(lines) if start_re.match(ln)]
    for i in sorted(set(starts)):
        if i > 0 and start_re.match(lines[i - 1] or ""):
            continue  # inside a run of decorators: the first one starts
        target = 250 + h(path, i, "size")[0] * 4  # 250..1270 characters
        base = indent(lines[i]) if i else 0
        out, size = [], 0
        for j in range(i, len(lines)):
            ln = lines[j]
            if j > i and ln.strip() and indent(ln) <= base and out and \
                    not all(o.lstrip().startswith("@") for o in out) and \
                    not ln.lstrip().startswith((")", "]", "}", "else", "elif",
                                                "except", "finally", "@")):
                if i > 0:
                    break
            if len(ln) > MAX_LINE:
                out = None
                break
            out.append(ln[base:] if ln[:base].strip() == "" else ln)
            size += len(ln) + 1
            if size >= target and (j + 1 >= len(lines) or
                                   not lines[j + 1].strip() or
                                   indent(lines[j + 1]) <= base + 4):
                break
        if not out:
            continue
        text = "\n".join(out).strip("\n")
        if len(text) >= MIN_BYTES and text.count("\n") >= 2:
            yield i, text


def pick(cands, n):
    """n candidates in the order of their hash, at most PER_FILE per file,
    no two overlapping."""
    taken, per, used = [], {}, {}
    for _, src, line, text in sorted(cands):
        if per.get(src, 0) >= PER_FILE:
            continue
        span = range(line, line + text.count("\n") + 1)
        if any(l in used.get(src, ()) for l in span):
            continue
        per[src] = per.get(src, 0) + 1
        used.setdefault(src, set()).update(span)
        taken.append((src, line, text))
        if len(taken) == n:
            break
    return taken


def python_files():
    for d, subdirs, files in os.walk(PY_ROOT):
        subdirs.sort()
        for f in sorted(files):
            p = os.path.join(d, f)
            rel = os.path.relpath(p, PY_ROOT)
            parts = set(rel.split("/")[:-1])
            if f.endswith(".py") and not parts & PY_SKIP and \
                    not f.startswith("test_") and \
                    not rel.startswith("config-3.11"):
                yield p, rel


def js_packages():
    """(dir, name, licence file) of the bundled packages under MIT or ISC."""
    for name in sorted(os.listdir(JS_ROOT)):
        dirs = [os.path.join(JS_ROOT, name)]
        if name.startswith("@"):
            dirs = [os.path.join(JS_ROOT, name, s)
                    for s in sorted(os.listdir(os.path.join(JS_ROOT, name)))]
        for d in dirs:
            try:
                with open(os.path.join(d, "package.json")) as f:
                    meta = json.load(f)
            except (OSError, ValueError):
                continue
            if meta.get("license") not in JS_LICENCES:
                continue
            lic = next((os.path.join(d, f) for f in sorted(os.listdir(d))
                        if f.upper().startswith(("LICENSE", "LICENCE"))), None)
            if lic:
                yield d, os.path.relpath(d, JS_ROOT), lic


def read_lines(path):
    with open(path, encoding="utf-8", errors="strict") as f:
        return f.read().split("\n")


def with_task(src, line, text):
    r = h(src, line, "task")
    if r[0] < 128:
        return TASKS_BEFORE[r[1] % len(TASKS_BEFORE)] + "\n\n" + text
    if r[0] < 154:
        return text + "\n\n" + TASKS_AFTER[r[1] % len(TASKS_AFTER)]
    return text


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen_code_corpus.py OUTDIR")
    out = sys.argv[1]
    cands = []
    for p, rel in python_files():
        try:
            lines = read_lines(p)
        except (OSError, UnicodeDecodeError):
            continue
        src = "python3.11-stdlib:" + rel
        for line, text in chunks(rel, lines, PY_START):
            cands.append((h(src, line), src, line, text))
    py = pick(cands, N_PY)
    cands, licences = [], {}
    for d, pkg, lic in js_packages():
        for dd, subdirs, files in os.walk(d):
            subdirs[:] = sorted(s for s in subdirs
                                if s not in ("node_modules", "test", "tests"))
            for f in sorted(files):
                if not f.endswith((".js", ".cjs", ".mjs")) or ".min." in f:
                    continue
                p = os.path.join(dd, f)
                try:
                    lines = read_lines(p)
                except (OSError, UnicodeDecodeError):
                    continue
                src = "npm-bundled:" + os.path.relpath(p, JS_ROOT)
                for line, text in chunks(src, lines, JS_START):
                    cands.append((h(src, line), src, line, text))
                    licences[src] = (pkg, lic)
    js = pick(cands, N_JS)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "code.jsonl"), "w") as f:
        for src, line, text in sorted(py + js, key=lambda t: h(t[0], t[1])):
            origin, path = src.split(":", 1)
            f.write(json.dumps({"text": with_task(src, line, text), "label": 0,
                                "kind": "benign_hard", "source": origin,
                                "path": path}, ensure_ascii=False) + "\n")
    used = sorted({licences[s] for s, _, _ in js})
    with open(os.path.join(out, "LICENSES"), "w") as f:
        f.write("Licences of the code in code.jsonl\n"
                "==================================\n\n")
        with open(os.path.join(PY_ROOT, "LICENSE.txt")) as lf:
            f.write("--- Python 3.11 standard library (" + PY_ROOT + ")\n\n")
            f.write(lf.read().rstrip() + "\n\n")
        for pkg, lic in used:
            with open(lic, encoding="utf-8", errors="replace") as lf:
                f.write("--- " + pkg + " (bundled with npm)\n\n")
                f.write(lf.read().rstrip() + "\n\n")
    print(f"{len(py)} Python and {len(js)} JavaScript texts, "
          f"{len(used)} JavaScript packages", file=sys.stderr)


if __name__ == "__main__":
    main()
