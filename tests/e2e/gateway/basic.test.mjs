// The gateway as a plain OpenAI-compatible proxy: health, authentication,
// the four API endpoints through the official SDK, what the upstream
// receives (model, key, fields) and what the client gets back, and the
// LiteLLM-style model_list.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  startUpstream,
  startGateway,
  startStack,
  startFastUpstream,
  stopStack,
  testCleanShutdown,
  deadUpstreamUrl,
  client,
  chat,
  mock,
  request,
  post,
  postWithAgent,
  streamRaw,
  contentByChoice,
  assertAigateHeaders,
  assertOpenAIError,
  modelListYaml,
  MASTER_KEY,
  UPSTREAM_KEY,
} from './harness.mjs';
import { CANNED, embeddingFor } from './upstream.mjs';

describe('passthrough (no config)', () => {
  let up, gw, sdk;
  before(async () => ({ up, gw, sdk } = await startStack()));
  after(() => stopStack({ up, gw }));

  test('health endpoints answer 200 without a key', async () => {
    for (const p of ['/health/live', '/health/ready', '/health/liveliness', '/health/readiness']) {
      const r = await request(gw, 'GET', p, undefined, { key: null });
      assert.equal(r.status, 200, `${p}: ${r.status} ${r.text}`);
    }
  });

  test('missing, wrong or upstream key: 401 invalid_api_key and nothing sent upstream', async () => {
    await up.clear();
    const body = chat('hello');
    for (const key of [null, 'sk-wrong', UPSTREAM_KEY, `${MASTER_KEY}x`, MASTER_KEY.slice(0, -1)]) {
      const r = await post(gw, '/v1/chat/completions', body, { key });
      const e = assertOpenAIError(r, 401, {
        code: 'invalid_api_key',
        type: /^(invalid_request_error|authentication_error)$/,
      });
      assert.equal(e.param, null);
    }
    const models = await request(gw, 'GET', '/v1/models', undefined, { key: null });
    assertOpenAIError(models, 401, { code: 'invalid_api_key' });
    await assert.rejects(
      client(gw, { apiKey: 'sk-wrong' }).chat.completions.create(body),
      (e) => e.status === 401 && e.code === 'invalid_api_key',
    );
    assert.deepEqual(await up.requests(), [], 'unauthenticated requests must not reach the upstream');
  });

  test('chat completion through the SDK: reply, aigate headers, decision allow', async () => {
    const { data, response } = await sdk.chat.completions
      .create(chat('What is the capital of France?'))
      .withResponse();
    assert.equal(data.choices[0].message.content, 'ok: What is the capital of France?');
    assert.equal(data.choices[0].finish_reason, 'stop');
    assert.equal(response.status, 200);
    assertAigateHeaders(response.headers, 'allow');
  });

  test('the upstream gets the model unchanged and its own key, never the master key', async () => {
    await up.clear();
    const r = await post(gw, '/v1/chat/completions', chat('which model?', { model: 'some-vendor/odd.model-name:v1' }));
    assert.equal(r.status, 200, r.text);
    const reqs = await up.requests();
    assert.equal(reqs.length, 1);
    const [rec] = reqs;
    assert.equal(rec.method, 'POST');
    assert.equal(rec.path, '/v1/chat/completions');
    assert.equal(rec.body.model, 'some-vendor/odd.model-name:v1');
    assert.equal(rec.headers.authorization, `Bearer ${UPSTREAM_KEY}`);
    assert.equal(rec.headers.accept, 'application/json');
    assert.equal(rec.headers['content-type'], 'application/json');
    assert.equal(rec.headers.expect, undefined, 'no 100-continue round trip');
    assert.ok(!JSON.stringify(rec).includes(MASTER_KEY), 'master key forwarded upstream');
    assert.ok(!r.text.includes(UPSTREAM_KEY), 'upstream key in the response body');
    for (const [k, v] of r.headers) assert.ok(!v.includes(UPSTREAM_KEY), `upstream key in response header ${k}`);
    assert.equal(r.json.model, 'some-vendor/odd.model-name:v1');
  });

  test('request fields the gateway does not scan reach the upstream unchanged', async () => {
    await up.clear();
    const body = {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are a terse assistant.' },
        { role: 'user', content: 'What is the weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temp_c": 21, "sky": "clear"}' },
        { role: 'user', content: [{ type: 'text', text: 'Summarise that in one line.' }] },
      ],
      temperature: 0.7,
      top_p: 0.9,
      max_tokens: 64,
      seed: 42,
      stop: ['\n\n'],
      presence_penalty: 0.1,
      frequency_penalty: -0.2,
      logit_bias: { 50256: -100 },
      user: 'user-1234',
      response_format: { type: 'json_object' },
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Weather for a city',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          },
        },
      ],
      tool_choice: 'auto',
      parallel_tool_calls: false,
      metadata: { team: 'e2e', unicode: 'café ☕ 東京' },
      some_future_field: { nested: [1, 2.5, true, null, 'x'] },
    };
    const r = await post(gw, '/v1/chat/completions', body);
    assert.equal(r.status, 200, r.text);
    const [rec] = await up.requests();
    assert.deepEqual(rec.body, body);
    assert.equal(r.json.choices[0].message.content, 'ok: Summarise that in one line.');
  });

  test('response fields pass through: id, object, created, model, usage, system_fingerprint', async () => {
    const r = await post(gw, '/v1/chat/completions', chat(mock({ reply_id: 'clean_long' })));
    assert.equal(r.status, 200, r.text);
    assert.match(r.json.id, /^chatcmpl-mock\d+$/);
    assert.equal(r.json.object, 'chat.completion');
    assert.equal(typeof r.json.created, 'number');
    assert.equal(r.json.model, 'gpt-4o-mini');
    assert.equal(r.json.system_fingerprint, 'fp_mock');
    assert.equal(r.json.choices[0].message.content, CANNED.clean_long);
    assert.equal(r.json.choices[0].message.role, 'assistant');
    assert.ok(r.json.usage.prompt_tokens > 0 && r.json.usage.completion_tokens > 0);
    assert.equal(r.json.usage.total_tokens, r.json.usage.prompt_tokens + r.json.usage.completion_tokens);
    assert.match(r.headers.get('content-type') || '', /^application\/json/);
  });

  test('every request gets its own request id', async () => {
    const ids = new Set();
    for (let i = 0; i < 6; i++) {
      const r = await post(gw, '/v1/chat/completions', chat(`question ${i}`));
      assert.equal(r.status, 200);
      ids.add(r.headers.get('x-aigate-request-id'));
    }
    assert.equal(ids.size, 6);
  });

  test('legacy completions through the SDK', async () => {
    await up.clear();
    const { data, response } = await sdk.completions
      .create({ model: 'gpt-3.5-turbo-instruct', prompt: 'Say hello to the team', max_tokens: 10 })
      .withResponse();
    assert.equal(data.choices[0].text, 'ok: Say hello to the team');
    assertAigateHeaders(response.headers, 'allow');
    const [rec] = await up.requests();
    assert.equal(rec.path, '/v1/completions');
    assert.equal(rec.body.prompt, 'Say hello to the team');
    assert.equal(rec.body.max_tokens, 10);
    assert.equal(rec.headers.authorization, `Bearer ${UPSTREAM_KEY}`);
  });

  test('embeddings through the SDK: its default base64 and explicit float', async () => {
    await up.clear();
    const { data: e, response } = await sdk.embeddings
      .create({ model: 'text-embedding-3-small', input: ['first text', 'second text'] })
      .withResponse();
    assertAigateHeaders(response.headers);
    assert.equal(e.data.length, 2);
    assert.deepEqual(e.data[0].embedding, embeddingFor('first text'));
    assert.deepEqual(e.data[1].embedding, embeddingFor('second text'));
    const [rec] = await up.requests();
    assert.equal(rec.path, '/v1/embeddings');
    assert.equal(rec.body.encoding_format, 'base64');
    assert.deepEqual(rec.body.input, ['first text', 'second text']);
    const f = await sdk.embeddings.create({ model: 'text-embedding-3-small', input: 'one', encoding_format: 'float' });
    assert.deepEqual(f.data[0].embedding, embeddingFor('one'));
    assert.ok(f.usage.total_tokens > 0);
  });

  test('GET /v1/models answers an OpenAI model list', async () => {
    const r = await request(gw, 'GET', '/v1/models');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.object, 'list');
    assert.ok(Array.isArray(r.json.data));
    for (const m of r.json.data) assert.equal(typeof m.id, 'string');
    assertAigateHeaders(r.headers);
    const ids = [];
    for await (const m of sdk.models.list()) ids.push(m.id);
    assert.deepEqual(ids, r.json.data.map((m) => m.id));
  });

  test('a GET after POSTs reaches the upstream as a GET without a body (reused transfer handles)', async () => {
    await up.clear();
    for (let i = 0; i < 6; i++) {
      const c = await request(gw, 'POST', '/v1/chat/completions', {
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: `hello ${i}` }],
      });
      assert.equal(c.status, 200, c.text);
      const m = await request(gw, 'GET', '/v1/models');
      assert.equal(m.status, 200, m.text);
      assert.equal(m.json.object, 'list');
    }
    const seen = await up.requests();
    assert.equal(seen.length, 12);
    for (const rec of seen) {
      if (rec.path === '/v1/models') {
        assert.equal(rec.method, 'GET');
        assert.equal(rec.body_bytes, 0);
      } else {
        assert.equal(rec.method, 'POST');
        assert.equal(rec.body.messages.length, 1);
      }
    }
  });

  test('keep-alive: 20 requests on one connection', async () => {
    let sockets = 0;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const orig = agent.createConnection.bind(agent);
    agent.createConnection = (...a) => {
      sockets++;
      return orig(...a);
    };
    try {
      for (let i = 0; i < 20; i++) {
        const r = await postWithAgent(agent, gw, chat(`keepalive ${i}`));
        assert.equal(r.status, 200);
        assert.equal(JSON.parse(r.body).choices[0].message.content, `ok: keepalive ${i}`);
      }
    } finally {
      agent.destroy();
    }
    assert.equal(sockets, 1, 'the gateway closed a keep-alive connection');
  });

  test('unknown path: 404 JSON error', async () => {
    const r = await post(gw, '/v1/no/such/endpoint', { model: 'x' });
    assertOpenAIError(r, 404);
  });

  testCleanShutdown(() => gw);
});

describe('repeated authentication failures', () => {
  let up, gw;
  before(async () => ({ up, gw } = await startStack()));
  after(() => stopStack({ up, gw }));

  // After four failures an address is answered 250 ms later, doubling per
  // failure. The delay is a timer on the worker; its answer must leave when
  // the timer fires, not at whatever wakes the worker next (on an idle
  // gateway the loop's 250 ms sweep interval).
  test('are answered later and later, each at its delay', async () => {
    const body = chat('hello');
    const took = [];
    for (let i = 0; i < 7; i++) {
      const t0 = process.hrtime.bigint();
      const r = await post(gw, '/v1/chat/completions', body, { key: 'sk-wrong' });
      took.push(Number(process.hrtime.bigint() - t0) / 1e6);
      assertOpenAIError(r, 401, { code: 'invalid_api_key' });
    }
    // The fourth failure is the third before the fifth attempt.
    const delays = [0, 0, 0, 0, 250, 500, 1000];
    const late = took.map((ms, i) => ms - delays[i]);
    const shown = took.map((ms) => ms.toFixed(0)).join(', ');
    // Not answered before its delay (the timer's millisecond granularity
    // aside) ...
    for (let i = 0; i < 7; i++) assert.ok(late[i] > -5, `attempt ${i + 1} answered early: ${shown} ms`);
    // ... and not long after it: the best of the three delayed answers is
    // within 200 ms of its delay (a loaded machine may hold up one or two).
    assert.ok(Math.min(...late.slice(4)) < 200, `answers came late: ${shown} ms`);
    assert.ok(Math.min(...late.slice(0, 4)) < 200, `undelayed answers came late: ${shown} ms`);
    // The right key from the same address is not slowed down.
    const t0 = process.hrtime.bigint();
    const ok = await post(gw, '/v1/chat/completions', body);
    assert.equal(ok.status, 200);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    assert.ok(ms < 1000, `the right key waited ${ms.toFixed(0)} ms`);
  });

  testCleanShutdown(() => gw);
});

describe('a fast upstream', () => {
  let up, gw;
  before(async () => {
    up = await startFastUpstream();
    gw = await startGateway({ upstreamUrl: up.url });
  });
  after(() => stopStack({ up, gw }));

  // An answer that arrives while the worker is still sending the request
  // (libcurl reads it in the same call) finishes the request after the
  // worker has served its client connections for this turn of its loop.
  // It must be sent at once, not when something else wakes the worker (on
  // an idle gateway its 250 ms sweep): 9 and 13 of these 300 waited so
  // when that was the case.
  test('answers each of 300 sequential requests as soon as the upstream has', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const slow = [];
    try {
      for (let i = 0; i < 300; i++) {
        const t0 = process.hrtime.bigint();
        const r = await postWithAgent(agent, gw, chat(`sequential ${i}`));
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        assert.equal(r.status, 200, r.body);
        if (ms >= 200) slow.push(`#${i}: ${ms.toFixed(0)} ms`);
      }
    } finally {
      agent.destroy();
    }
    // Three are allowed for the machine's own hiccups (a loaded runner).
    assert.ok(slow.length <= 3, `requests that waited: ${slow.join(', ')}`);
  });

  testCleanShutdown(() => gw);
});

describe('model_list (LiteLLM config)', () => {
  const ENV_KEY = 'sk-from-env-var-1234';
  let up, gw, sdk;
  before(async () => {
    // The passthrough upstream is dead: requests must follow api_base.
    ({ up, gw, sdk } = await startStack(async (upstream) => ({
      upstreamUrl: await deadUpstreamUrl(),
      config: modelListYaml(upstream.url, [['gpt-test', 'upstream-model']]),
      env: { TEST_UPSTREAM_KEY: ENV_KEY },
    })));
  });
  after(() => stopStack({ up, gw }));

  test('the upstream sees the mapped model and the key from os.environ/', async () => {
    await up.clear();
    const r = await sdk.chat.completions.create(chat('routed?', { model: 'gpt-test' }));
    assert.equal(r.choices[0].message.content, 'ok: routed?');
    const [rec] = await up.requests();
    assert.equal(rec.path, '/v1/chat/completions');
    assert.equal(rec.body.model, 'upstream-model');
    assert.equal(rec.headers.authorization, `Bearer ${ENV_KEY}`);
    assert.ok(!JSON.stringify(rec).includes(MASTER_KEY));
  });

  test('streaming through a configured model', async () => {
    await up.clear();
    const s = await streamRaw(gw, chat(mock({ reply_id: 'clean', chunk: 5 }), { model: 'gpt-test' }));
    assert.equal(s.status, 200, s.text);
    assert.equal(contentByChoice(s.chunks)[0], CANNED.clean);
    assert.equal(s.done, true);
    const [rec] = await up.requests();
    assert.equal(rec.body.model, 'upstream-model');
  });

  test('an unknown model is 404 model_not_found and nothing is sent upstream', async () => {
    await up.clear();
    const r = await post(gw, '/v1/chat/completions', chat('hi', { model: 'gpt-unknown' }));
    assertOpenAIError(r, 404, { code: 'model_not_found' });
    await assert.rejects(sdk.chat.completions.create(chat('hi', { model: 'upstream-model' })), (e) => e.status === 404);
    assert.deepEqual(await up.requests(), []);
  });

  test('GET /v1/models lists the configured model names and no secrets', async () => {
    const r = await request(gw, 'GET', '/v1/models');
    assert.equal(r.status, 200, r.text);
    const ids = r.json.data.map((m) => m.id);
    assert.ok(ids.includes('gpt-test'), `models: ${ids}`);
    for (const m of r.json.data) assert.equal(m.object, 'model');
    assert.ok(!r.text.includes(ENV_KEY));
    const viaSdk = [];
    for await (const m of sdk.models.list()) viaSdk.push(m.id);
    assert.ok(viaSdk.includes('gpt-test'));
  });

  test('a config naming an unset environment variable does not start', async () => {
    const up2 = await startUpstream();
    try {
      await assert.rejects(
        startGateway({
          upstreamUrl: up2.url,
          config: modelListYaml(up2.url, [['gpt-test', 'upstream-model']], 'AIGATE_E2E_UNSET_VAR'),
        }),
        (e) => {
          assert.match(e.message, /exited \(code [1-9]/, 'the gateway should exit non-zero');
          assert.match(e.message, /AIGATE_E2E_UNSET_VAR/, 'the error should name the variable');
          return true;
        },
      );
    } finally {
      await up2.stop();
    }
  });

  testCleanShutdown(() => gw);
});
