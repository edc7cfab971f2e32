// Test oracle for aigate's node-semver ordering (tests/unit/test_version_oracle.c).
// Reads lines "A<TAB>B" on stdin and prints "VA VB CMP" per line, like
// pep440_oracle.py. Exits 3 when no semver module can be found.
'use strict'
let semver = null
for (const dir of ['semver', '/usr/share/nodejs/semver',
  '/usr/lib/node_modules/npm/node_modules/semver',
  '/usr/share/nodejs/npm/node_modules/semver']) {
  try { semver = require(dir); break } catch (e) { }
}
if (!semver) process.exit(3)
const out = []
for (const line of require('fs').readFileSync(0, 'latin1').split('\n')) {
  if (!line) continue
  const [a, b] = line.split('\t')
  const va = semver.valid(a) !== null
  const vb = semver.valid(b) !== null
  const c = va && vb ? semver.compare(a, b) : 2
  out.push(`${va ? 1 : 0} ${vb ? 1 : 0} ${c}`)
}
process.stdout.write(out.join('\n') + '\n')
