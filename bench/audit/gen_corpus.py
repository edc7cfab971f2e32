#!/usr/bin/env python3
"""Generate the supply-chain audit benchmark's inputs (bench/audit/run.sh).

The real osv.dev archives cannot be downloaded here, so this makes a corpus
of their size and shape from a fixed seed: OSV records for PyPI and npm
(per-ecosystem all.zip archives, like osv.dev's) with ECOSYSTEM/SEMVER
ranges (introduced/fixed/last_affected), explicit versions lists, aliases,
CVSS vectors, references and a details text, about one in ten a malicious
package (MAL- id); a site-packages directory with installed distributions
(METADATA and RECORD with hashed files); and a large npm package-lock.json.

Usage: gen_corpus.py OUTDIR [RECORDS [INSTALLED [LOCKED]]]
       (defaults 60000 records, 2000 installed packages, 10000 locked)
"""
import base64
import hashlib
import json
import os
import random
import sys
import zipfile

out = sys.argv[1]
n_records = int(sys.argv[2]) if len(sys.argv) > 2 else 60000
n_installed = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
n_locked = int(sys.argv[4]) if len(sys.argv) > 4 else 10000
rnd = random.Random(20260324)

WORDS = ("py lib core http json yaml async data net web cli api client "
         "server auth crypto db sql orm test mock log util tool kit llm ai "
         "chat vector embed graph cloud aws gcp azure k8s dev fast micro "
         "parse format color image audio video").split()


def name(i, eco):
    a, b = WORDS[i % len(WORDS)], WORDS[(i // len(WORDS)) % len(WORDS)]
    base = "%s-%s-%d" % (a, b, i)
    if eco == "npm" and i % 7 == 0:
        return "@%s/%s" % (b, base)
    return base


def version(eco, major=None):
    major = rnd.randint(0, 12) if major is None else major
    v = "%d.%d.%d" % (major, rnd.randint(0, 30), rnd.randint(0, 40))
    r = rnd.random()
    if r < 0.05:
        v += ("rc%d" if eco == "PyPI" else "-rc.%d") % rnd.randint(1, 3)
    elif r < 0.08 and eco == "PyPI":
        v += ".post%d" % rnd.randint(1, 3)
    return v


DETAILS = ("An issue in the request parser allows a remote attacker to cause "
           "a denial of service or execute code via a crafted payload. ") * 6

# Package name pools: advisories cluster on fewer packages than exist.
N_PKG = {"PyPI": 20000, "npm": 12000}


def record(i, eco):
    pkg = name(rnd.randrange(N_PKG[eco]), eco)
    mal = rnd.random() < 0.1
    rid = ("MAL-2026-%d" % i) if mal else ("GHSA-%s-%04d" % (eco.lower(), i))
    aff = {"package": {"ecosystem": eco, "name": pkg,
                       "purl": "pkg:%s/%s" % (eco.lower(), pkg)}}
    if mal:
        if rnd.random() < 0.7:
            aff["versions"] = sorted({version(eco) for _ in range(rnd.randint(1, 4))})
    else:
        kind = "ECOSYSTEM" if eco == "PyPI" else "SEMVER"
        events = [{"introduced": "0" if rnd.random() < 0.4 else version(eco, rnd.randint(0, 3))}]
        if rnd.random() < 0.85:
            events.append({"fixed": version(eco, rnd.randint(4, 12))})
        else:
            events.append({"last_affected": version(eco, rnd.randint(4, 12))})
        aff["ranges"] = [{"type": kind, "events": events}]
        if rnd.random() < 0.5:
            aff["versions"] = sorted({version(eco) for _ in range(rnd.randint(1, 12))})
    rec = {
        "schema_version": "1.6.0", "id": rid,
        "modified": "2026-0%d-1%dT00:00:00Z" % (rnd.randint(1, 9), rnd.randint(0, 9)),
        "published": "2025-01-01T00:00:00Z",
        "aliases": ["CVE-2026-%d" % (10000 + i)] + (["PYSEC-2026-%d" % i] if eco == "PyPI" and rnd.random() < 0.5 else []),
        "summary": "Malicious code in %s" % pkg if mal else "Vulnerability %d in %s" % (i, pkg),
        "details": DETAILS,
        "affected": [aff],
        "references": [{"type": "ADVISORY", "url": "https://example.org/advisories/%s" % rid},
                       {"type": "WEB", "url": "https://example.org/%s/issues/%d" % (pkg, i)}],
    }
    if not mal and rnd.random() < 0.6:
        rec["severity"] = [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:%s/S:U/C:H/I:%s/A:N" % (rnd.choice("NR"), rnd.choice("HLN"))}]
    return rec


os.makedirs(out, exist_ok=True)
n_pypi = n_records * 2 // 3
for eco, lo, hi in (("PyPI", 0, n_pypi), ("npm", n_pypi, n_records)):
    d = os.path.join(out, "osv", eco)
    os.makedirs(d, exist_ok=True)
    with zipfile.ZipFile(os.path.join(d, "all.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(lo, hi):
            rec = record(i, eco)
            z.writestr(rec["id"] + ".json", json.dumps(rec, indent=2))

# Installed distributions: names drawn from the advisory pool, so lookups
# find records to evaluate (as in a real environment, most are clean).
sp = os.path.join(out, "venv", "lib", "python3.11", "site-packages")
os.makedirs(sp, exist_ok=True)
for i in range(n_installed):
    pkg = name(rnd.randrange(N_PKG["PyPI"]), "PyPI") + ("" if i % 50 else "-x%d" % i)
    ver = version("PyPI")
    mod = pkg.replace("-", "_")
    dist = "%s-%s.dist-info" % (mod, ver)
    if os.path.exists(os.path.join(sp, dist)):
        continue
    os.makedirs(os.path.join(sp, dist))
    os.makedirs(os.path.join(sp, mod), exist_ok=True)
    rows = []
    for f, data in ((mod + "/__init__.py", b"# %s\n" % mod.encode()),
                    (mod + "/core.py", b"def f():\n    return %d\n" % i),
                    (dist + "/METADATA", ("Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: x\n\n" % (pkg, ver)).encode())):
        open(os.path.join(sp, f), "wb").write(data)
        h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        rows.append("%s,sha256=%s,%d\n" % (f, h, len(data)))
    rows.append(dist + "/RECORD,,\n")
    open(os.path.join(sp, dist, "RECORD"), "w").write("".join(rows))

# A large npm lockfile (v3).
pk = {"": {"name": "bench-app", "version": "1.0.0"}}
for i in range(n_locked):
    nm = name(rnd.randrange(N_PKG["npm"]), "npm")
    path = "node_modules/" + nm
    if path in pk:
        path = "node_modules/%s/node_modules/%s" % (name(i, "npm"), nm)
    pk[path] = {"version": version("npm"),
                "resolved": "https://registry.npmjs.org/%s/-/x.tgz" % nm,
                "integrity": "sha512-" + base64.b64encode(hashlib.sha512(path.encode()).digest()).decode()}
os.makedirs(os.path.join(out, "app"), exist_ok=True)
json.dump({"name": "bench-app", "version": "1.0.0", "lockfileVersion": 3,
           "requires": True, "packages": pk},
          open(os.path.join(out, "app", "package-lock.json"), "w"), indent=2)
print("generated %d records, %d installed, %d locked in %s"
      % (n_records, n_installed, len(pk) - 1, out))
