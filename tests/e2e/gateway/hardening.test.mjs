// The gateway's own process: no core dumps, no_new_privs and the seccomp
// filter on every thread (every other suite of this run also serves with
// the filter on, so "seccomp does not break normal serving" is tested by
// all of them); and, when the tests run as root, the switch to an
// unprivileged user after the database and sockets are open.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startUpstream, startGateway, testCleanShutdown, chat, post, request, waitFor, tmpDir, cacheDir } from './harness.mjs';

function status(pid) {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Object.fromEntries(s.split('\n').filter(Boolean).map((l) => l.split(/:\s*/, 2)));
}

describe('process hardening', () => {
  let up, gw;
  before(async () => {
    up = await startUpstream();
    gw = await startGateway({ upstreamUrl: up.url });
  });
  after(async () => {
    await gw?.stop(2000);
    await up?.stop();
  });

  test('no core dumps, no_new_privs, seccomp on every thread (Release builds)', async () => {
    const r = await post(gw, '/v1/chat/completions', chat('hello'));
    assert.equal(r.status, 200, r.text);
    const pid = gw.proc.pid;
    const st = status(pid);
    assert.equal(st.NoNewPrivs, '1');
    const limits = fs.readFileSync(`/proc/${pid}/limits`, 'utf8');
    assert.match(limits, /Max core file size\s+0\s+0\s/);
    const line = gw.log().match(/aigate: hardened: .*seccomp (on|off in sanitizer builds)/);
    assert.ok(line, 'the start-up line says what is on');
    if (line[1] === 'on') {
      for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
        const ts = fs.readFileSync(`/proc/${pid}/task/${t}/status`, 'utf8');
        assert.match(ts, /^Seccomp:\s+2$/m, `thread ${t} runs without the filter`);
      }
    }
  });

  testCleanShutdown(() => gw);
});

describe('switch to an unprivileged user', { skip: process.getuid() !== 0 && 'needs root' }, () => {
  let up, gw, dir;
  before(async () => {
    up = await startUpstream();
    dir = fs.mkdtempSync(path.join(tmpDir(), 'user-'));
    fs.chmodSync(tmpDir(), 0o755);
    fs.chmodSync(dir, 0o755);
    const yaml = `server:\n  user: nobody\ngeneral_settings:\n  database_url: ${path.join(dir, 'k.db')}\n`;
    gw = await startGateway({ upstreamUrl: up.url, config: yaml, cwd: dir });
    fs.chmodSync(gw.configPath, 0o644);
    // The compiled-rules cache (0600 files) readable by the new user, so
    // that the reload below does not compile everything again.
    const cache = cacheDir();
    fs.chownSync(cache, 65534, 65534); // created 0700 by the first gateway
    // Other tests (ctest -j) share the cache: a temporary file listed here
    // may be renamed into place before it is reached.
    for (const f of fs.readdirSync(cache)) {
      try {
        fs.chownSync(path.join(cache, f), 65534, 65534);
      } catch (e) {
        if (e.code !== 'ENOENT') throw e;
      }
    }
  });
  after(async () => {
    await gw?.stop(2000);
    await up?.stop();
  });

  test('runs as nobody and still serves, writes keys and reloads', async () => {
    const st = status(gw.proc.pid);
    assert.match(st.Uid, /^65534\s+65534\s+65534\s+65534$/);
    assert.match(gw.log(), /running as nobody/);
    const k = await post(gw, '/key/generate', { key_alias: 'after-drop' });
    assert.equal(k.status, 200, k.text);
    const r = await post(gw, '/v1/chat/completions', chat('hello'), { key: k.json.key });
    assert.equal(r.status, 200, r.text);
    gw.signal('SIGHUP');
    await waitFor(() => /configuration reloaded/.test(gw.log()), 60000, 'the reload');
    const again = await request(gw, 'GET', `/key/info?key=${k.json.id}`);
    assert.equal(again.status, 200, 'the master key still works after the reload');
  });

  testCleanShutdown(() => gw);
});
