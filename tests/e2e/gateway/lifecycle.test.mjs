// Operating the gateway: SIGHUP reloads the configuration (a bad one is
// refused and the old one keeps serving), SIGTERM drains (requests in
// flight finish, new connections are refused, exit status 0); a bad command
// line is refused before anything is created.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import {
  aigateBin,
  tmpDir,
  startUpstream,
  startGateway,
  startStack,
  stopStack,
  testCleanShutdown,
  deadUpstreamUrl,
  chat,
  mock,
  request,
  post,
  postWithAgent,
  streamRaw,
  contentByChoice,
  finishByChoice,
  modelListYaml,
  tryConnect,
  waitFor,
  sleep,
} from './harness.mjs';
import { CANNED } from './upstream.mjs';

const modelIds = async (gw) => {
  const r = await request(gw, 'GET', '/v1/models');
  assert.equal(r.status, 200, r.text);
  return r.json.data.map((m) => m.id);
};

describe('SIGHUP reload', () => {
  let up, gw;
  before(async () => {
    ({ up, gw } = await startStack(async (upstream) => ({
      upstreamUrl: await deadUpstreamUrl(),
      config: modelListYaml(upstream.url, [['gpt-test', 'upstream-model']]),
      env: { TEST_UPSTREAM_KEY: 'sk-reload-test' },
    })));
  });
  after(() => stopStack({ up, gw }));

  test('a model added to model_list appears after SIGHUP; a stream in flight completes', async () => {
    assert.deepEqual((await modelIds(gw)).includes('gpt-new'), false);
    // About 1.2 s of stream, running while the configuration changes.
    const inflight = streamRaw(gw, chat(mock({ reply_id: 'clean', chunk: 2, delay_ms: 75 }), { model: 'gpt-test' }));
    await waitFor(async () => (await up.requests()).length > 0, 30000, 'the stream to reach the upstream');

    gw.writeConfig(modelListYaml(up.url, [['gpt-test', 'upstream-model'], ['gpt-new', 'upstream-model-2']]));
    gw.signal('SIGHUP');
    await waitFor(async () => (await modelIds(gw)).includes('gpt-new'), 60000, 'gpt-new in /v1/models');

    const s = await inflight;
    assert.equal(s.status, 200);
    assert.equal(s.done, true);
    assert.equal(contentByChoice(s.chunks)[0], CANNED.clean);

    await up.clear();
    const r = await post(gw, '/v1/chat/completions', chat('new model?', { model: 'gpt-new' }));
    assert.equal(r.status, 200, r.text);
    const [rec] = await up.requests();
    assert.equal(rec.body.model, 'upstream-model-2');
    assert.equal(rec.headers.authorization, 'Bearer sk-reload-test');
  });

  test('an invalid configuration on SIGHUP is refused and the old one keeps serving', async () => {
    const bad = {
      'YAML syntax error': 'model_list: [\n  - {model_name: broken\n',
      'unknown key': modelListYaml(up.url, [['gpt-other', 'upstream-model']]) + 'no_such_section: 1\n',
      'unset environment variable': modelListYaml(up.url, [['gpt-other', 'upstream-model']], 'AIGATE_E2E_UNSET_VAR'),
    };
    const refusals = () => gw.log().split('reload failed, still serving the previous configuration').length - 1;
    for (const [what, yaml] of Object.entries(bad)) {
      const before = refusals();
      gw.writeConfig(yaml);
      gw.signal('SIGHUP');
      // Judged once the gateway has read it and said it refuses it.
      await waitFor(() => refusals() > before || gw.proc.exitCode !== null || gw.proc.signalCode !== null, 60000, `${what}: the refusal`);
      assert.equal(gw.proc.exitCode, null, `${what}: the gateway exited`);
      assert.equal(gw.proc.signalCode, null, `${what}: the gateway died`);
      const ids = await modelIds(gw);
      assert.ok(ids.includes('gpt-test') && ids.includes('gpt-new'), `${what}: models now ${ids}`);
      assert.ok(!ids.includes('gpt-other'), `${what}: the invalid config was applied`);
      const r = await post(gw, '/v1/chat/completions', chat('still routed?', { model: 'gpt-new' }));
      assert.equal(r.status, 200, `${what}: ${r.text}`);
      const h = await request(gw, 'GET', '/health/ready', undefined, { key: null });
      assert.equal(h.status, 200, `${what}: not ready after a failed reload`);
    }
  });

  testCleanShutdown(() => gw);
});

describe('SIGTERM drain', () => {
  let up;
  before(async () => {
    up = await startUpstream();
  });
  after(async () => up?.stop());

  test('a stream in flight completes, new connections are refused, exit 0', async () => {
    const gw = await startGateway({ upstreamUrl: up.url });
    try {
      await up.clear();
      // 64 deltas 100 ms apart: about 6.4 s, longer than the listener may
      // take to close on a loaded machine (5 s below).
      let finished = false;
      const inflight = streamRaw(gw, chat(mock({ reply_id: 'clean_long', chunk: 32, delay_ms: 100 }))).then((s) => {
        finished = true;
        return s;
      });
      await waitFor(async () => (await up.requests()).length > 0, 30000, 'the stream to reach the upstream');
      await sleep(300);

      gw.signal('SIGTERM');
      await waitFor(async () => (await tryConnect(gw.port)) === 'ECONNREFUSED', 5000, 'connections refused after SIGTERM');
      assert.equal(finished, false, 'the stream ended before the listener closed: the test proves nothing');

      const s = await inflight;
      assert.equal(s.status, 200);
      assert.equal(s.error, null, `the drained stream broke: ${s.error}`);
      assert.equal(s.done, true, 'the drained stream has no [DONE]');
      assert.equal(contentByChoice(s.chunks)[0], CANNED.clean_long);
      assert.equal(finishByChoice(s.chunks)[0], 'stop');

      const ex = await gw.waitExit(20000);
      assert.ok(ex, 'the gateway still runs 20 s after its last stream ended');
      assert.deepEqual(ex, { code: 0, signal: null }, gw.log().slice(-2000));
      assert.doesNotMatch(gw.log(), /AddressSanitizer|LeakSanitizer|runtime error:/);
    } finally {
      await gw.stop(1000);
    }
  });

  test('an idle gateway exits 0 on SIGTERM, an idle keep-alive connection open', async () => {
    const gw = await startGateway({ upstreamUrl: up.url });
    // The client keeps its connection open as long as it likes (fetch's
    // would close it after 4 s idle): a gateway that waited for it would
    // run into its drain deadline (30 s). 15 s leaves a sanitizer build's
    // exit on a loaded machine its time.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const r = await postWithAgent(agent, gw, chat('warm up'));
      assert.equal(r.status, 200);
      await waitFor(() => Object.values(agent.freeSockets).flat().length === 1, 10000, 'the connection kept alive');
      const t0 = Date.now();
      gw.signal('SIGTERM');
      const ex = await gw.waitExit(15000);
      assert.ok(ex, 'still running 15 s after SIGTERM');
      assert.deepEqual(ex, { code: 0, signal: null });
      console.log(`# idle drain took ${Date.now() - t0} ms`);
    } finally {
      agent.destroy();
      await gw.stop(1000);
    }
  });
});

describe('command line', () => {
  test('a bad --listen is refused with exit 2 before any file is created', () => {
    const dir = fs.mkdtempSync(`${tmpDir()}/cli-`);
    for (const bad of ['bad', '::1:4000', '127.0.0.1:65536', '[zz::1]:80', 'h_st:80']) {
      const r = spawnSync(aigateBin(), ['serve', '--listen', bad], {
        cwd: dir,
        env: { ...process.env, AIGATE_MASTER_KEY: '' },
        encoding: 'utf8',
        timeout: 20000,
      });
      assert.equal(r.status, 2, `${bad}: ${r.stderr}`);
      assert.match(r.stderr, /--listen: expected HOST:PORT/);
      assert.deepEqual(fs.readdirSync(dir), [], `${bad} left files behind`);
    }
  });
});
