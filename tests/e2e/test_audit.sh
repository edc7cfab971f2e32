#!/usr/bin/env bash
# End-to-end tests of `aigate advisories` and `aigate audit` on the real
# binary, with fixture trees made here: virtualenvs with fake litellm
# 1.82.6 (clean), 1.82.7 and 1.82.8 (malicious, the latter with a harmless
# litellm_init.pth mimic) checked against the real OSV records of
# tests/fixtures/supply/osv; a tampered RECORD and an unowned .pth;
# requirements files with includes and hashes; npm lockfiles v1-v3 and a
# node_modules tree; malformed lockfiles; every report format; persistence
# paths under --home; and `advisories update` from a local HTTP server,
# including failed and interrupted updates that must leave the database
# unchanged.
# Usage: test_audit.sh AIGATE SRCDIR
set -u
AIGATE=${1:?path to aigate}
SRC=${2:?source dir}
TMP=$(mktemp -d)
SERVER_PID=
CUT_PID=
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
  [ -n "$CUT_PID" ] && kill "$CUT_PID" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
PY=/usr/bin/python3
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() {
  fail=$((fail + 1))
  echo "FAIL: $*" >&2
}
# expect_exit CODE DESCRIPTION -- command...
expect_exit() {
  local want=$1 what=$2
  shift 3
  "$@" >"$TMP/out" 2>"$TMP/err"
  local got=$?
  if [ "$got" = "$want" ]; then ok; else
    bad "$what: exit $got, want $want; stderr: $(head -c 300 "$TMP/err"); stdout: $(head -c 300 "$TMP/out")"
  fi
}
contains() { # FILE STRING DESCRIPTION
  if grep -qF -- "$2" "$1"; then ok; else bad "$3: '$2' not in $(head -c 600 "$1")"; fi
}
lacks() {
  if grep -qF -- "$2" "$1"; then bad "$3: '$2' present"; else ok; fi
}
# json_check FILE PYTHON-EXPRESSION DESCRIPTION (d is the parsed document)
json_check() {
  if "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if ($2) else 1)" "$1"; then
    ok
  else
    bad "$3: ($2) false for $(head -c 400 "$1")"
  fi
}

DB="$TMP/adv.db"
export AIGATE_ADVISORY_DB="$TMP/default.db"

# --- advisories import / status -----------------------------------------
expect_exit 0 "import the real OSV records" -- "$AIGATE" advisories import --db "$DB" "$SRC/tests/fixtures/supply/osv"
contains "$TMP/out" "imported 6 records" "six records"
expect_exit 0 "status" -- "$AIGATE" advisories status --db "$DB"
contains "$TMP/out" "advisories: 6 (6 malicious" "status counts"
expect_exit 0 "status json" -- "$AIGATE" advisories status --db "$DB" --format json
json_check "$TMP/out" 'd["advisories"] == 6 and d["affected_entries"]["PyPI"] == 6' "status json counts"

# an npm advisory for the lockfile tests (made here, OSV schema)
mkdir -p "$TMP/npm-osv"
cat >"$TMP/npm-osv/GHSA-test-0001.json" <<'EOF'
{"id": "GHSA-test-0001", "modified": "2026-01-02T00:00:00Z",
 "summary": "Prototype pollution in evil-merge",
 "database_specific": {"severity": "HIGH"},
 "affected": [{"package": {"ecosystem": "npm", "name": "evil-merge"},
   "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "2.0.1"}]}]}],
 "references": [{"type": "ADVISORY", "url": "https://example.org/GHSA-test-0001"}]}
EOF
cat >"$TMP/npm-osv/MAL-2026-0042.json" <<'EOF'
{"id": "MAL-2026-0042", "modified": "2026-01-02T00:00:00Z",
 "summary": "Malicious code in @bad/stealer (npm)",
 "affected": [{"package": {"ecosystem": "npm", "name": "@bad/stealer"}}]}
EOF
expect_exit 0 "import npm records" -- "$AIGATE" advisories import --db "$DB" "$TMP/npm-osv"

# a failed import changes nothing
mkdir -p "$TMP/broken-osv"
cp "$TMP/npm-osv/GHSA-test-0001.json" "$TMP/broken-osv/a.json"
sed 's/GHSA-test-0001/GHSA-test-0002/' "$TMP/npm-osv/GHSA-test-0001.json" >"$TMP/broken-osv/b.json"
printf '{"id": "GHSA-broken", ' >"$TMP/broken-osv/c.json"
expect_exit 2 "broken import fails" -- "$AIGATE" advisories import --db "$DB" "$TMP/broken-osv"
contains "$TMP/err" "c.json" "broken file named"
contains "$TMP/err" "nothing imported" "nothing imported"
expect_exit 0 "status after failed import" -- "$AIGATE" advisories status --db "$DB" --format json
json_check "$TMP/out" 'd["advisories"] == 8' "failed import left 8 advisories"

expect_exit 2 "import nothing" -- "$AIGATE" advisories import --db "$DB"
expect_exit 2 "import missing path" -- "$AIGATE" advisories import --db "$DB" "$TMP/nope"
expect_exit 2 "unknown subcommand" -- "$AIGATE" advisories frobnicate
expect_exit 2 "status of a missing database" -- "$AIGATE" advisories status --db "$TMP/none.db"

# --- fake virtualenvs ---------------------------------------------------
# make_venv DIR VERSION [pth]: a site-packages with litellm-VERSION.dist-info
# and a correct RECORD (hashes computed here).
make_venv() {
  local sp="$1/lib/python3.11/site-packages" v=$2
  mkdir -p "$sp/litellm-$v.dist-info" "$sp/litellm/proxy"
  printf 'Metadata-Version: 2.1\nName: litellm\nVersion: %s\nSummary: Library to easily interface with LLM API providers\n\nLong description.\n' "$v" >"$sp/litellm-$v.dist-info/METADATA"
  printf 'pip\n' >"$sp/litellm-$v.dist-info/INSTALLER"
  printf '# litellm\n' >"$sp/litellm/__init__.py"
  printf '# proxy server\n' >"$sp/litellm/proxy/proxy_server.py"
  local files="litellm/__init__.py litellm/proxy/proxy_server.py litellm-$v.dist-info/METADATA"
  if [ "${3:-}" = pth ]; then
    # the shape of the real file, with a harmless payload ("print('mimic')")
    printf '%s\n' "import os, subprocess, sys; subprocess.Popen([sys.executable, \"-c\", \"import base64; exec(base64.b64decode('cHJpbnQoJ21pbWljJyk='))\"])" >"$sp/litellm_init.pth"
    files="$files litellm_init.pth"
  fi
  # setuptools' benign startup line, owned by setuptools
  mkdir -p "$sp/setuptools-69.0.0.dist-info"
  printf 'Name: setuptools\nVersion: 69.0.0\n' >"$sp/setuptools-69.0.0.dist-info/METADATA"
  printf '%s\n' "import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, 'local') == 'local'; enabled and __import__('_distutils_hack').add_shim(); " >"$sp/distutils-precedence.pth"
  "$PY" - "$sp" "litellm-$v.dist-info" $files <<'EOF'
import base64, hashlib, os, sys
sp, dist, files = sys.argv[1], sys.argv[2], sys.argv[3:]
def rec(p):
    data = open(os.path.join(sp, p), 'rb').read()
    d = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()
    return '%s,sha256=%s,%d\n' % (p, d, len(data))
open(os.path.join(sp, dist, 'RECORD'), 'w').write(
    ''.join(rec(p) for p in files) + dist + '/RECORD,,\n')
open(os.path.join(sp, 'setuptools-69.0.0.dist-info', 'RECORD'), 'w').write(
    rec('distutils-precedence.pth'))
EOF
}

make_venv "$TMP/v6" 1.82.6
make_venv "$TMP/v7" 1.82.7
make_venv "$TMP/v8" 1.82.8 pth

expect_exit 0 "1.82.6 is clean" -- "$AIGATE" audit --db "$DB" "$TMP/v6"
contains "$TMP/out" "no findings" "1.82.6 no findings"
contains "$TMP/out" "2 packages" "1.82.6 inventory"
lacks "$TMP/out" "distutils-precedence" "setuptools' line is allowed"

expect_exit 1 "1.82.7 is malicious" -- "$AIGATE" audit --db "$DB" "$TMP/v7"
contains "$TMP/out" "litellm 1.82.7 is a malicious release" "1.82.7 finding"
contains "$TMP/out" "MAL-2026-2144 (PYSEC-2026-2)" "advisory and alias"
contains "$TMP/out" "litellm-1.82.7.dist-info/METADATA:3" "file and line"
contains "$TMP/out" "rotate every credential" "remediation"
lacks "$TMP/out" "litellm_init.pth" "1.82.7 has no .pth"

expect_exit 1 "1.82.8 is malicious" -- "$AIGATE" audit --db "$DB" "$TMP/v8" --format json
json_check "$TMP/out" 'any(f["kind"] == "malicious-package" and f["version"] == "1.82.8" and f["severity"] == "critical" for f in d["findings"])' "1.82.8 malicious"
json_check "$TMP/out" 'any(f["rule"] == "AIGATE-PTH-EXEC-OBFUSCATED" and f["severity"] == "critical" and f["file"].endswith("site-packages/litellm_init.pth") and f["line"] == 1 for f in d["findings"])' "1.82.8 .pth exec line"
json_check "$TMP/out" 'any(f["kind"] == "indicator" and "litellm_init.pth" in f["title"] for f in d["findings"])' "litellm_init.pth indicator"
json_check "$TMP/out" 'not any(f["kind"] == "integrity" for f in d["findings"])' "1.82.8 RECORD intact"
json_check "$TMP/out" 'd["summary"]["critical"] >= 3 and d["errors"] == []' "1.82.8 summary"

# without a database, the built-in indicators still know the releases
expect_exit 1 "1.82.7 without a database" -- "$AIGATE" audit --no-db "$TMP/v7" --format json
json_check "$TMP/out" 'any(f["kind"] == "malicious-package" and f["version"] == "1.82.7" and f["rule"].startswith("IOC-") and f["severity"] == "critical" for f in d["findings"])' "indicator package finding"
expect_exit 0 "1.82.6 without a database" -- "$AIGATE" audit --no-db "$TMP/v6"
# with the database the advisory finding is not repeated by the indicator
expect_exit 1 "one finding per occurrence" -- "$AIGATE" audit --db "$DB" "$TMP/v7" --format json
json_check "$TMP/out" 'sum(1 for f in d["findings"] if f["kind"] == "malicious-package") == 1' "no duplicate"

# --ignore: an accepted advisory (by id or alias) no longer fails the run
expect_exit 0 "ignore by alias" -- "$AIGATE" audit --db "$DB" "$TMP/v7" --ignore PYSEC-2026-2 --ignore IOC-none --format json
json_check "$TMP/out" 'd["findings"] == [] and d["summary"]["ignored"] == 1' "ignored counted"
expect_exit 1 "ignore a prefix only is not enough" -- "$AIGATE" audit --db "$DB" "$TMP/v7" --ignore PYSEC-2026
expect_exit 1 "ignore another advisory" -- "$AIGATE" audit --db "$DB" "$TMP/v7" --ignore MAL-2026-2254

# --fail-on: malicious packages are critical
expect_exit 1 "fail-on critical" -- "$AIGATE" audit --db "$DB" "$TMP/v8" --fail-on critical
expect_exit 2 "fail-on bogus" -- "$AIGATE" audit --db "$DB" "$TMP/v8" --fail-on severe

# tampered RECORD and an unowned .pth, in a copy of the clean venv
cp -r "$TMP/v6" "$TMP/vt"
SPT="$TMP/vt/lib/python3.11/site-packages"
printf '# changed\n' >>"$SPT/litellm/__init__.py"
rm "$SPT/litellm/proxy/proxy_server.py"
printf '/opt/extra/path\n' >"$SPT/paths-only.pth"
printf 'import sitehelper; sitehelper.run()\n' >"$SPT/zz-unknown.pth"
printf 'print(1)\n' >"$SPT/dropped.py"
mkdir -p "$SPT/dropped_pkg" "$SPT/__pycache__"
printf 'x = 1\n' >"$SPT/dropped_pkg/__init__.py"
# a RECORD naming a file outside the site directory: checked, digest not shown
printf 'private\n' >"$TMP/secret.txt"
printf '../../../../secret.txt,sha256=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA,8\n' >>"$SPT/litellm-1.82.6.dist-info/RECORD"
SECRET_SHA=$(sha256sum "$TMP/secret.txt" | cut -d' ' -f1)
expect_exit 1 "tampered venv" -- "$AIGATE" audit --db "$DB" "$TMP/vt" --format json
json_check "$TMP/out" 'any(f["rule"] == "AIGATE-RECORD-MODIFIED" and "secret.txt" in f["title"] and "does not match" in f["details"] for f in d["findings"])' "outside file checked"
lacks "$TMP/out" "$SECRET_SHA" "digest of a file outside the site directory not shown"
json_check "$TMP/out" 'any(f["rule"] == "AIGATE-RECORD-MODIFIED" and "litellm/__init__.py" in f["title"] and f["line"] == 1 for f in d["findings"])' "modified file"
json_check "$TMP/out" 'any(f["rule"] == "AIGATE-RECORD-MISSING" and "proxy_server.py" in f["title"] for f in d["findings"])' "missing file"
json_check "$TMP/out" 'any(f["rule"] == "AIGATE-PTH-EXEC" and f["severity"] == "critical" and f["file"].endswith("zz-unknown.pth") for f in d["findings"])' "unowned executable .pth is critical"
json_check "$TMP/out" 'any(f["rule"] == "AIGATE-PTH-UNOWNED" and f["severity"] == "low" for f in d["findings"])' "unowned path-only .pth is low"
json_check "$TMP/out" 'sorted(f["file"].rsplit("/", 1)[1] for f in d["findings"] if f["rule"] == "AIGATE-UNOWNED-CODE") == ["dropped.py", "dropped_pkg"]' "unowned module and package (owned litellm, __pycache__ and metadata not reported)"
expect_exit 1 "unowned executable .pth reaches --fail-on critical" -- "$AIGATE" audit --db "$DB" "$TMP/vt" --fail-on critical
expect_exit 1 "--no-hashes" -- "$AIGATE" audit --db "$DB" "$TMP/vt" --no-hashes --format json
json_check "$TMP/out" 'not any(f["rule"] == "AIGATE-RECORD-MODIFIED" for f in d["findings"]) and any(f["rule"] == "AIGATE-RECORD-MISSING" for f in d["findings"]) and any(f["rule"] == "AIGATE-PTH-EXEC" and f["severity"] == "critical" for f in d["findings"])' "--no-hashes keeps ownership and presence"
rm "$SPT/zz-unknown.pth"
expect_exit 0 "modified file is below --fail-on high" -- "$AIGATE" audit --db "$DB" "$TMP/vt"
expect_exit 1 "modified file reaches --fail-on medium" -- "$AIGATE" audit --db "$DB" "$TMP/vt" --fail-on medium
# a distribution without INSTALLER came from the system's package manager
rm "$SPT/litellm-1.82.6.dist-info/INSTALLER"
expect_exit 0 "system-managed: a changed file is low" -- "$AIGATE" audit --db "$DB" "$TMP/vt" --fail-on medium --format json
json_check "$TMP/out" 'any(f["rule"] == "AIGATE-RECORD-MODIFIED" and f["severity"] == "low" and "debsums" in f["remediation"] for f in d["findings"])' "system-managed modified file"

# .pth lines Python executes however they are hidden: \r and \f line
# breaks, a byte-order mark, a hidden file name
SPV="$TMP/evade/lib/python3.11/site-packages"
mkdir -p "$SPV/pkg-1.0.dist-info"
printf 'Name: pkg\nVersion: 1.0\n' >"$SPV/pkg-1.0.dist-info/METADATA"
printf '/some/path\rimport cr_hidden\n' >"$SPV/a-cr.pth"
printf '/some/path\fimport ff_hidden\n' >"$SPV/b-ff.pth"
printf '\xef\xbb\xbfimport bom_hidden\n' >"$SPV/c-bom.pth"
printf 'import dot_hidden\n' >"$SPV/.d-hidden.pth"
expect_exit 1 "hidden .pth lines" -- "$AIGATE" audit --no-db "$TMP/evade" --format json
for w in cr_hidden ff_hidden bom_hidden dot_hidden; do
  json_check "$TMP/out" 'any(f["rule"] == "AIGATE-PTH-EXEC" and "'$w'" in f["details"] for f in d["findings"])' ".pth $w"
done

# a site-packages without any distribution is still a site directory
mkdir -p "$TMP/bare/lib/python3.11/site-packages"
printf 'import dropped\n' >"$TMP/bare/lib/python3.11/site-packages/x.pth"
expect_exit 1 "bare site-packages" -- "$AIGATE" audit --no-db "$TMP/bare"
contains "$TMP/out" "x.pth runs code at every Python start-up" "bare site-packages .pth"

# --- requirements -------------------------------------------------------
mkdir -p "$TMP/req/sub"
cat >"$TMP/req/requirements.txt" <<'EOF'
# production pins
--index-url https://pypi.org/simple
requests==2.31.0 \
    --hash=sha256:58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f
litellm[proxy]==1.82.7 ; python_version >= "3.9"  # the bad one
-r sub/requirements-extra.txt
flask>=2.0
-e ./local-package
EOF
printf 'telnyx===4.87.1\nLiteLLM == 1.82.6\n-r ../requirements.txt\n' >"$TMP/req/sub/requirements-extra.txt"
mkfifo "$TMP/req/fifo.txt"
printf -- '-r fifo.txt\n' >"$TMP/req/requirements-fifo.txt"
expect_exit 1 "requirements" -- "$AIGATE" audit --db "$DB" "$TMP/req" --format json
json_check "$TMP/out" 'any("fifo.txt" in e["message"] and e["line"] == 1 for e in d["errors"])' "an include that is a FIFO is not read (no hang)"
json_check "$TMP/out" 'any(f["package"] == "litellm" and f["version"] == "1.82.7" and f["file"].endswith("req/requirements.txt") and f["line"] == 5 for f in d["findings"])' "litellm pin at line 5"
json_check "$TMP/out" 'any(f["package"] == "telnyx" and f["version"] == "4.87.1" and f["file"].endswith("requirements-extra.txt") and f["line"] == 1 for f in d["findings"])' "telnyx through -r"
json_check "$TMP/out" 'not any(f.get("version") == "1.82.6" for f in d["findings"])' "1.82.6 pin clean"
json_check "$TMP/out" 'd["summary"]["unpinned"] >= 1' "unpinned counted"
json_check "$TMP/out" 'any(p["name"] == "flask" and p["version"] is None and p["line"] == 7 and p["source"] == "manifest" for p in d["packages"])' "inventory lists unpinned with its line"
json_check "$TMP/out" 'any(p["name"] == "requests" and p["version"] == "2.31.0" and p["line"] == 3 for p in d["packages"])' "inventory lists clean pins"
json_check "$TMP/out" 'any("deeper" in e["message"] for e in d["errors"])' "include cycle stopped"

# --- npm ----------------------------------------------------------------
mkdir -p "$TMP/npm3" "$TMP/npm1" "$TMP/npmbad" "$TMP/nm/node_modules/evil-merge" "$TMP/nm/node_modules/@bad/stealer" "$TMP/nm/node_modules/ok/node_modules/evil-merge"
cat >"$TMP/npm3/package-lock.json" <<'EOF'
{
  "name": "app",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "app",
      "dependencies": { "evil-merge": "^1.0.0" }
    },
    "node_modules/evil-merge": {
      "version": "1.4.0",
      "resolved": "https://registry.npmjs.org/evil-merge/-/evil-merge-1.4.0.tgz"
    },
    "node_modules/lib/node_modules/evil-merge": {
      "version": "2.0.1"
    },
    "node_modules/@bad/stealer": {
      "version": "0.0.1"
    },
    "packages/local": { "version": "1.0.0" }
  }
}
EOF
cat >"$TMP/npm1/npm-shrinkwrap.json" <<'EOF'
{
  "name": "old",
  "lockfileVersion": 1,
  "dependencies": {
    "ok": {
      "version": "1.0.0",
      "requires": { "evil-merge": "^2.0.0" },
      "dependencies": {
        "evil-merge": {
          "version": "2.0.0-rc.1"
        }
      }
    }
  }
}
EOF
printf '{"lockfileVersion": 3,\n "packages": {\n  "node_modules/x": {"version": "1.0.0"},,\n}}\n' >"$TMP/npmbad/package-lock.json"
printf '{"name": "evil-merge", "version": "2.0.0"}' >"$TMP/nm/node_modules/evil-merge/package.json"
printf '{"name": "@bad/stealer",\n "version": "9.9.9"}' >"$TMP/nm/node_modules/@bad/stealer/package.json"
printf '{"name": "ok", "version": "1.0.0"}' >"$TMP/nm/node_modules/ok/package.json"
printf '{"name": "evil-merge", "version": "3.0.0"}' >"$TMP/nm/node_modules/ok/node_modules/evil-merge/package.json"

expect_exit 1 "npm lockfiles" -- "$AIGATE" audit --db "$DB" "$TMP/npm3" "$TMP/npm1" "$TMP/nm" --format json
json_check "$TMP/out" 'any(f["package"] == "evil-merge" and f["version"] == "1.4.0" and f["line"] == 10 and f["severity"] == "high" and f["fixed"] == "2.0.1" for f in d["findings"])' "v3 lockfile entry with line"
json_check "$TMP/out" 'not any(f.get("version") == "2.0.1" for f in d["findings"])' "fixed version clean"
json_check "$TMP/out" 'any(f["package"] == "@bad/stealer" and f["kind"] == "malicious-package" and f["file"].endswith("package-lock.json") for f in d["findings"])' "scoped malicious package in lockfile"
json_check "$TMP/out" 'any(f["version"] == "2.0.0-rc.1" and f["file"].endswith("npm-shrinkwrap.json") and f["line"] == 9 for f in d["findings"])' "v1 nested entry with line"
json_check "$TMP/out" 'any(f["package"] == "@bad/stealer" and f["version"] == "9.9.9" and f["file"].endswith("node_modules/@bad/stealer/package.json") for f in d["findings"])' "node_modules scoped package"
json_check "$TMP/out" 'any(f["version"] == "2.0.0" and f["file"].endswith("node_modules/evil-merge/package.json") for f in d["findings"])' "node_modules package"
json_check "$TMP/out" 'not any(f.get("version") == "3.0.0" for f in d["findings"])' "nested node_modules 3.0.0 clean"
json_check "$TMP/out" 'not any(f.get("version") == "1.0.0" for f in d["findings"])' "workspace folder and ok not flagged"

# malformed lockfile: reported with file and line, the rest still audited
expect_exit 1 "malformed lockfile with findings elsewhere" -- "$AIGATE" audit --db "$DB" "$TMP/npmbad" "$TMP/v7"
contains "$TMP/out" "npmbad/package-lock.json:3" "malformed lockfile file:line"
contains "$TMP/out" "litellm 1.82.7 is a malicious release" "audit went on"
expect_exit 2 "malformed lockfile alone" -- "$AIGATE" audit --db "$DB" "$TMP/npmbad" "$TMP/v6"
contains "$TMP/out" "not read (1)" "problem listed"

# --- other lockfile formats ---------------------------------------------
mkdir -p "$TMP/locks/poetry" "$TMP/locks/uv" "$TMP/locks/pipenv" "$TMP/locks/pnpm" "$TMP/locks/yarn1" "$TMP/locks/berry" "$TMP/locks/pylock"
printf '[[package]]\nname = "requests"\nversion = "2.31.0"\n\n[[package]]\nname = "litellm"\nversion = "1.82.8"\n\n[package.dependencies]\nx = "1"\n' >"$TMP/locks/poetry/poetry.lock"
printf 'version = 1\n\n[[package]]\nname = "telnyx"\nversion = "4.87.2"\nsource = { registry = "https://pypi.org/simple" }\n\n[[package]]\nname = "app"\nversion = "0.1.0"\nsource = { editable = "." }\n' >"$TMP/locks/uv/uv.lock"
printf '{\n "_meta": {"pipfile-spec": 6},\n "default": {\n  "litellm": {"version": "==1.82.7"}\n },\n "develop": {}\n}\n' >"$TMP/locks/pipenv/Pipfile.lock"
printf "lockfileVersion: '9.0'\npackages:\n  evil-merge@1.0.0:\n    resolution: {integrity: x}\n  '@bad/stealer@1.2.3':\n    resolution: {integrity: y}\n" >"$TMP/locks/pnpm/pnpm-lock.yaml"
printf '# yarn lockfile v1\n\n"evil-merge@^1.0.0", "evil-merge@^1.1.0":\n  version "1.1.0"\n\nsafe@^1:\n  version "1.0.0"\n' >"$TMP/locks/yarn1/yarn.lock"
printf '__metadata:\n  version: 6\n\n"evil-merge@npm:^1.0.0":\n  version: 1.9.9\n  resolution: "evil-merge@npm:1.9.9"\n' >"$TMP/locks/berry/yarn.lock"
printf "lock-version = '1.0'\n[[packages]]\nname = 'litellm'\nversion = '1.82.8'\n[[packages.wheels]]\nname = 'litellm-1.82.8-py3-none-any.whl'\n" >"$TMP/locks/pylock/pylock.toml"
expect_exit 1 "every lockfile format" -- "$AIGATE" audit --db "$DB" "$TMP/locks" --format json
json_check "$TMP/out" 'any(f["package"] == "litellm" and f["version"] == "1.82.8" and f["file"].endswith("poetry.lock") and f["line"] == 5 for f in d["findings"])' "poetry.lock"
json_check "$TMP/out" 'any(f["package"] == "telnyx" and f["file"].endswith("uv.lock") and f["line"] == 3 for f in d["findings"])' "uv.lock"
json_check "$TMP/out" 'any(f["package"] == "litellm" and f["version"] == "1.82.7" and f["file"].endswith("Pipfile.lock") and f["line"] == 4 for f in d["findings"])' "Pipfile.lock"
json_check "$TMP/out" 'any(f["package"] == "litellm" and f["file"].endswith("pylock.toml") and f["line"] == 2 for f in d["findings"])' "pylock.toml"
json_check "$TMP/out" 'any(f["package"] == "evil-merge" and f["file"].endswith("pnpm-lock.yaml") and f["line"] == 3 for f in d["findings"])' "pnpm-lock.yaml"
json_check "$TMP/out" 'any(f["package"] == "@bad/stealer" and f["file"].endswith("pnpm-lock.yaml") and f["kind"] == "malicious-package" for f in d["findings"])' "pnpm scoped malicious"
json_check "$TMP/out" 'any(f["version"] == "1.1.0" and f["file"].endswith("yarn1/yarn.lock") and f["line"] == 3 for f in d["findings"])' "yarn.lock v1"
json_check "$TMP/out" 'any(f["version"] == "1.9.9" and f["file"].endswith("berry/yarn.lock") and f["line"] == 4 for f in d["findings"])' "yarn.lock berry"
json_check "$TMP/out" 'd["summary"]["packages"] == 10 and d["errors"] == []' "lockfile inventory"
printf '[[package]]\nname = "x"\nversion = "1.0\n' >"$TMP/locks/poetry/poetry.lock"
expect_exit 1 "malformed poetry.lock" -- "$AIGATE" audit --db "$DB" "$TMP/locks" --format json
json_check "$TMP/out" 'any(e["file"].endswith("poetry.lock") and e["line"] == 3 for e in d["errors"])' "poetry.lock error line"

# --- report formats -----------------------------------------------------
expect_exit 1 "several outputs" -- "$AIGATE" audit --db "$DB" "$TMP/v8" "$TMP/npm3" --format markdown --output "sarif:$TMP/a.sarif" --output "json:$TMP/a.json" --output "text:$TMP/a.txt"
contains "$TMP/out" "| severity | finding | where |" "markdown table"
contains "$TMP/out" "litellm 1\\.82\\.8 is a malicious release" "markdown escaped"
json_check "$TMP/a.sarif" 'd["version"] == "2.1.0" and len(d["runs"][0]["results"]) >= 4' "sarif results"
json_check "$TMP/a.sarif" 'all(r["ruleId"] == d["runs"][0]["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] for r in d["runs"][0]["results"])' "sarif rule indexes"
json_check "$TMP/a.sarif" 'any(r["level"] == "error" and r["locations"][0]["physicalLocation"]["region"]["startLine"] == 3 for r in d["runs"][0]["results"])' "sarif location"
json_check "$TMP/a.sarif" 'all(float(x["properties"]["security-severity"]) > 0 for x in d["runs"][0]["tool"]["driver"]["rules"])' "sarif security-severity"
json_check "$TMP/a.json" 'd["schema_version"] == 1 and len(d["findings"]) >= 4' "json output file"
contains "$TMP/a.txt" "critical (" "text output file"
expect_exit 2 "unknown format" -- "$AIGATE" audit --db "$DB" "$TMP/v6" --format xml
expect_exit 2 "bad --output" -- "$AIGATE" audit --db "$DB" "$TMP/v6" --output sarif
expect_exit 2 "unwritable --output" -- "$AIGATE" audit --db "$DB" "$TMP/v6" --output "json:$TMP/no/such/dir/x.json"

# hostile text is escaped: terminal escapes in a package's metadata
SPE="$TMP/esc/lib/python3.11/site-packages"
mkdir -p "$SPE/telnyx-4.87.2.dist-info"
printf 'Name: telnyx\nVersion: 4.87.2\n' >"$SPE/telnyx-4.87.2.dist-info/METADATA"
printf 'import x; print("\033[2J\033]0;owned\007")\n' >"$SPE/esc.pth"
printf '\xff\xfe bad utf8\n' >>"$SPE/esc.pth"
printf 'x\n' >"$SPE/unjudged.py"
expect_exit 1 "escape" -- "$AIGATE" audit --db "$DB" "$TMP/esc"
lacks "$TMP/out" $'\033' "no raw ESC in text output"
lacks "$TMP/out" "unjudged.py" "no ownership judgement without every RECORD"
contains "$TMP/out" '\x1b[2J' "ESC shown escaped"
expect_exit 1 "escape json" -- "$AIGATE" audit --db "$DB" "$TMP/esc" --format json
json_check "$TMP/out" 'any("\x1b" in (f["details"] or "") for f in d["findings"])' "json keeps the text, validly encoded"
expect_exit 1 "escape markdown" -- "$AIGATE" audit --db "$DB" "$TMP/esc" --format markdown
lacks "$TMP/out" $'\033' "no raw ESC in markdown"

# --- persistence under --home ------------------------------------------
mkdir -p "$TMP/home/.config/sysmon" "$TMP/home/.config/systemd/user" "$TMP/tmpdir" "$TMP/cleanhome"
printf '# mimic\n' >"$TMP/home/.config/sysmon/sysmon.py"
printf '[Unit]\nDescription=System Telemetry Service\n' >"$TMP/home/.config/systemd/user/sysmon.service"
: >"$TMP/tmpdir/.pg_state"
: >"$TMP/tmpdir/tpcp.tar.gz"
expect_exit 1 "persistence found" -- "$AIGATE" audit --no-db "$TMP/v6" --home "$TMP/cleanhome" --home "$TMP/home" --tmp "$TMP/tmpdir" --format json
json_check "$TMP/out" 'sum(1 for f in d["findings"] if f["kind"] == "indicator" and "persistence" in f["title"] and "/home/.config/" in f["file"]) == 2' "two persistence files"
json_check "$TMP/out" 'any(f["kind"] == "indicator" and f["file"].endswith("systemd/user/sysmon.service") and "System Telemetry Service" in f["title"] for f in d["findings"])' "unit content indicator"
json_check "$TMP/out" 'any(f["file"].endswith("tmpdir/.pg_state") for f in d["findings"])' "temp file indicator"
json_check "$TMP/out" 'any(f["file"].endswith("tmpdir/tpcp.tar.gz") for f in d["findings"])' "staging file name in the temp dir"
json_check "$TMP/out" 'all("systemctl --user disable" in f["remediation"] for f in d["findings"] if f["kind"] == "indicator")' "indicator remediation"
# a home's user site-packages is audited with it
make_venv "$TMP/userhome/.local" 1.82.7
expect_exit 1 "user site-packages under --home" -- "$AIGATE" audit --db "$DB" "$TMP/v6" --home "$TMP/userhome" --tmp "$TMP/cleanhome" --format json
json_check "$TMP/out" 'any(f["version"] == "1.82.7" and "/userhome/.local/lib/python3.11/site-packages/" in f["file"] for f in d["findings"])' "user site-packages finding"
mkdir -p "$TMP/renamed/.config/systemd/user"
printf '[Unit]\nDescription=System Telemetry Service\n[Service]\nExecStart=/usr/bin/python3 %%h/.cache/x.py\n' >"$TMP/renamed/.config/systemd/user/telemetry.service"
expect_exit 1 "renamed persistence unit" -- "$AIGATE" audit --no-db "$TMP/v6" --home "$TMP/renamed" --tmp "$TMP/cleanhome" --format json
json_check "$TMP/out" 'any(f["file"].endswith("telemetry.service") and f["line"] == 2 for f in d["findings"])' "renamed unit found by its Description"
expect_exit 0 "clean home" -- "$AIGATE" audit --no-db "$TMP/v6" --home "$TMP/cleanhome" --tmp "$TMP/cleanhome"
test -e "$TMP/home/.config/sysmon/sysmon.py" && ok || bad "audit must not delete anything"

# --- database location and age ------------------------------------------
mkdir -p "$TMP/nothing"
expect_exit 0 "import of an empty directory" -- "$AIGATE" advisories import --db "$TMP/empty.db" "$TMP/nothing"
expect_exit 0 "audit with an empty database" -- "$AIGATE" audit --db "$TMP/empty.db" "$TMP/v6"
contains "$TMP/err" "database is empty" "empty database warning"
expect_exit 2 "no database" -- "$AIGATE" audit "$TMP/v6"
contains "$TMP/err" "aigate advisories import" "no database hint"
cp "$DB" "$AIGATE_ADVISORY_DB"
expect_exit 1 "default database from the environment" -- "$AIGATE" audit "$TMP/v7"
"$PY" -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"update meta set value='1000000000' where key='imported_at'\"); c.commit()" "$AIGATE_ADVISORY_DB"
expect_exit 0 "stale database" -- "$AIGATE" audit "$TMP/v6"
contains "$TMP/err" "days old" "stale warning text"

# --- advisories update over HTTP ----------------------------------------
mkdir -p "$TMP/www/PyPI" "$TMP/www/npm"
"$PY" - "$SRC/tests/fixtures/supply/osv" "$TMP/www" <<'EOF'
import os, sys, zipfile
src, www = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(os.path.join(www, 'PyPI', 'all.zip'), 'w', zipfile.ZIP_DEFLATED) as z:
    for n in sorted(os.listdir(src)):
        if n.endswith('.json'):
            z.write(os.path.join(src, n), n)
with zipfile.ZipFile(os.path.join(www, 'npm', 'all.zip'), 'w') as z:
    z.writestr('MAL-2026-0042.json', open(os.path.join(www, '..', 'npm-osv', 'MAL-2026-0042.json')).read())
EOF
PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$TMP/www" && exec "$PY" -m http.server "$PORT" --bind 127.0.0.1 >/dev/null 2>&1) &
SERVER_PID=$!
# Up to about a minute: python starts slowly on a loaded machine.
for _ in $(seq 300); do
  "$PY" -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 0.2)" "$PORT" 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.1
done
UDB="$TMP/upd.db"
expect_exit 0 "update" -- "$AIGATE" advisories update --db "$UDB" --base-url "http://127.0.0.1:$PORT/"
contains "$TMP/out" "imported 7 records" "update imported"
expect_exit 1 "audit after update" -- "$AIGATE" audit --db "$UDB" "$TMP/v8"
expect_exit 2 "update with a missing ecosystem" -- "$AIGATE" advisories update --db "$UDB" --base-url "http://127.0.0.1:$PORT" --ecosystem PyPI --ecosystem Go
contains "$TMP/err" "database unchanged" "failed update message"
contains "$TMP/err" "404" "HTTP status shown"
printf 'not a zip' >"$TMP/www/npm/all.zip"
expect_exit 2 "update with a damaged archive" -- "$AIGATE" advisories update --db "$UDB" --base-url "http://127.0.0.1:$PORT"
expect_exit 0 "status after failed updates" -- "$AIGATE" advisories status --db "$UDB" --format json
json_check "$TMP/out" 'd["advisories"] == 7 and "127.0.0.1" in d["source"]' "database unchanged by failed updates"
# an interrupted download: the server promises more than it sends, then
# closes the connection
PORT2=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$PY" - "$PORT2" "$TMP/www/PyPI/all.zip" <<'EOF' &
import socket, sys
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", int(sys.argv[1])))
srv.listen(4)
data = open(sys.argv[2], "rb").read()
while True:
    c, _ = srv.accept()
    try:
        if c.recv(65536):  # (the readiness probe sends nothing)
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n"
                      % len(data) + data[: len(data) // 2])
    except OSError:
        pass
    c.close()
EOF
CUT_PID=$!
for _ in $(seq 300); do
  "$PY" -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 0.2).close()" "$PORT2" 2>/dev/null && break
  kill -0 "$CUT_PID" 2>/dev/null || break
  sleep 0.1
done
expect_exit 2 "interrupted download" -- "$AIGATE" advisories update --db "$UDB" --base-url "http://127.0.0.1:$PORT2" --ecosystem PyPI
contains "$TMP/err" "database unchanged" "interrupted update message"
contains "$TMP/err" "transfer closed" "the cut transfer is the reason"
kill "$CUT_PID" 2>/dev/null
expect_exit 0 "status after an interrupted update" -- "$AIGATE" advisories status --db "$UDB" --format json
json_check "$TMP/out" 'd["advisories"] == 7' "interrupted update left the database"
expect_exit 2 "update refuses other schemes" -- "$AIGATE" advisories update --db "$UDB" --base-url "file:///etc"

echo "test_audit: $pass passed, $fail failed"
[ "$fail" = 0 ]
