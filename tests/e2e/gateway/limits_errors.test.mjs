// Limits and failures: oversized and malformed requests, upstream errors
// and retries, an unreachable upstream. Every error the gateway answers is
// OpenAI's shape with Content-Type application/json, so the SDK turns it
// into the right exception; nothing that fails validation reaches the
// upstream; no key appears in an error body.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  startGateway,
  startStack,
  stopStack,
  testCleanShutdown,
  deadUpstreamUrl,
  chat,
  mock,
  request,
  post,
  streamRaw,
  contentByChoice,
  assertOpenAIError,
  assertAigateHeaders,
  curl,
  parseCurlInclude,
  tmpDir,
  MASTER_KEY,
  UPSTREAM_KEY,
} from './harness.mjs';
import { CANNED } from './upstream.mjs';

const MiB = 1024 * 1024;

/** A valid chat request of about `bytes` bytes of benign text. */
function bigRequest(bytes, reply = 'big ok') {
  let filler = '';
  while (filler.length < bytes) filler += CANNED.clean_long + '\n';
  return {
    model: 'gpt-4o-mini',
    messages: [
      { role: 'user', content: filler.slice(0, bytes) },
      { role: 'user', content: mock({ reply }) },
    ],
  };
}

describe('limits and errors', () => {
  let up, gw, sdk;
  before(async () => ({ up, gw, sdk } = await startStack()));
  after(() => stopStack({ up, gw }));

  // A client like the SDK sends the whole body with a Content-Length and
  // no Expect: 100-continue. A server that answers 413 and closes at once
  // while the body is still arriving makes the kernel reset the connection,
  // and the client sees a connection error instead of the 413 (the SDK
  // even retries it). The gateway has to read and discard the rest (up to
  // a bound) or close gracefully (lingering close). Several tries, since
  // the reset depends on timing.
  test('a body over 4 MiB: 413 JSON error (not a reset), nothing sent upstream', async () => {
    await up.clear();
    for (const size of [4.2 * MiB, 4.5 * MiB, 6 * MiB, 6 * MiB, 16 * MiB]) {
      let r;
      try {
        r = await post(gw, '/v1/chat/completions', bigRequest(size));
      } catch (e) {
        assert.fail(
          `${(size / MiB).toFixed(1)} MiB body: the connection was reset (${e.cause?.code ?? e.message}) ` +
            'instead of a 413 answer: read and discard the rest of the body, or close gracefully',
        );
      }
      assertOpenAIError(r, 413);
    }
    await assert.rejects(sdk.chat.completions.create(bigRequest(4.5 * MiB)), (e) => {
      assert.equal(e.status, 413, `the SDK got ${e.constructor.name}: ${e.message}`);
      return true;
    });
    assert.deepEqual(await up.requests(), []);
  });

  test('a body just under 4 MiB is accepted and forwarded whole', async () => {
    await up.clear();
    const body = bigRequest(4 * MiB - 64 * 1024);
    const r = await post(gw, '/v1/chat/completions', body);
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.equal(r.json.choices[0].message.content, 'big ok');
    const [rec] = await up.requests();
    assert.equal(rec.body.messages[0].content, body.messages[0].content);
  });

  test('over 4 MiB with curl (Expect: 100-continue) and chunked without a length: 413', async () => {
    await up.clear();
    const file = path.join(tmpDir(), 'big.json');
    fs.writeFileSync(file, JSON.stringify(bigRequest(5 * MiB)));
    const c = await curl([
      '-i',
      '-X',
      'POST',
      '-H',
      'content-type: application/json',
      '-H',
      `authorization: Bearer ${MASTER_KEY}`,
      '--data-binary',
      `@${file}`,
      `${gw.baseURL}/chat/completions`,
    ]);
    assert.equal(c.code, 0, `curl failed: ${c.stderr}`);
    const r = parseCurlInclude(c.stdout);
    assert.equal(r.status, 413, c.stdout.slice(0, 500));
    assert.match(r.headers['content-type'] || '', /^application\/json/);
    assert.equal(typeof JSON.parse(r.body).error.message, 'string');

    // Transfer-Encoding: chunked, 64 KiB at a time.
    const payload = Buffer.from(JSON.stringify(bigRequest(5 * MiB)));
    let off = 0;
    const stream = new ReadableStream({
      pull(ctl) {
        if (off >= payload.length) return ctl.close();
        ctl.enqueue(payload.subarray(off, off + 65536));
        off += 65536;
      },
    });
    let res;
    try {
      res = await fetch(`${gw.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
        body: stream,
        duplex: 'half',
      });
    } catch (e) {
      assert.fail(`chunked upload: the gateway reset the connection instead of answering 413 (${e.cause?.code ?? e})`);
    }
    const text = await res.text();
    assertOpenAIError({ status: res.status, headers: res.headers, text, json: JSON.parse(text) }, 413);
    assert.deepEqual(await up.requests(), []);
  });

  // The default header limit is 16 KiB. Headers over it, up to what
  // libmicrohttpd's 32 KiB connection pool holds, are refused by the
  // gateway itself: 431 in OpenAI's shape (beyond, libmicrohttpd answers
  // with its own page: docs/gateway.md).
  test('headers over the limit (17 and 31 KiB in one header): 431 JSON, nothing sent upstream', async () => {
    await up.clear();
    const file = path.join(tmpDir(), 'body.json');
    fs.writeFileSync(file, JSON.stringify(chat('hello')));
    for (const kib of [17, 31]) {
      const c = await curl([
        '-i',
        '-H',
        'content-type: application/json',
        '-H',
        `authorization: Bearer ${MASTER_KEY}`,
        '-H',
        `x-padding: ${'a'.repeat(kib * 1024)}`,
        '--data-binary',
        `@${file}`,
        `${gw.baseURL}/chat/completions`,
      ]);
      assert.equal(c.code, 0, `curl failed: ${c.stderr}`);
      const r = parseCurlInclude(c.stdout);
      const json = JSON.parse(r.body);
      const e = assertOpenAIError(
        { status: r.status, headers: new Headers(r.headers), text: r.body, json },
        431,
        { code: 'headers_too_large', type: 'invalid_request_error' },
      );
      assert.match(e.message, /limit is 16384/);
    }
    assert.deepEqual(await up.requests(), []);
    // A request with ordinary headers still goes through.
    const ok = await post(gw, '/v1/chat/completions', chat('still there?'));
    assert.equal(ok.status, 200);
  });

  test('a small chunked request (no Content-Length) works', async () => {
    const payload = Buffer.from(JSON.stringify(chat('chunked hello')));
    const res = await fetch(`${gw.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
      body: new ReadableStream({
        start(ctl) {
          ctl.enqueue(payload.subarray(0, 10));
          ctl.enqueue(payload.subarray(10));
          ctl.close();
        },
      }),
      duplex: 'half',
    });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).choices[0].message.content, 'ok: chunked hello');
  });

  test('malformed JSON: 400 invalid_request_error, nothing sent upstream', async () => {
    await up.clear();
    const truncated = await post(gw, '/v1/chat/completions', '{"model": "gpt-4o-mini", "messages": [');
    assertOpenAIError(truncated, 400, { type: 'invalid_request_error', code: /json/i });

    const deep = '{"model":"m","messages":' + '['.repeat(10000) + ']'.repeat(10000) + '}';
    const cases = {
      'not JSON': 'hello there',
      'trailing garbage': '{"model":"m","messages":[{"role":"user","content":"hi"}]} trailing',
      'empty body': '',
      'a JSON array': '[1,2,3]',
      'invalid UTF-8': Buffer.concat([
        Buffer.from('{"model":"m","messages":[{"role":"user","content":"caf'),
        Buffer.from([0xe9, 0xff, 0xc0, 0xaf]),
        Buffer.from('"}]}'),
      ]),
      'nested 10000 deep': deep,
    };
    for (const [what, body] of Object.entries(cases)) {
      const r = await post(gw, '/v1/chat/completions', body);
      assert.equal(r.status, 400, `${what}: ${r.status} ${r.text.slice(0, 200)}`);
      assertOpenAIError(r, 400, { type: 'invalid_request_error' });
    }
    assert.deepEqual(await up.requests(), []);
  });

  test('messages not an array (or missing, or content of the wrong type): 400', async () => {
    await up.clear();
    for (const body of [
      { model: 'gpt-4o-mini', messages: 'hello' },
      { model: 'gpt-4o-mini', messages: { role: 'user', content: 'hi' } },
      { model: 'gpt-4o-mini' },
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 42 }] },
      { model: 'gpt-4o-mini', messages: ['just a string'] },
    ]) {
      const r = await post(gw, '/v1/chat/completions', body);
      assertOpenAIError(r, 400, { type: 'invalid_request_error' });
    }
    await assert.rejects(
      sdk.chat.completions.create({ model: 'gpt-4o-mini', messages: 'hello' }),
      (e) => e.status === 400 && e.constructor.name === 'BadRequestError',
    );
    assert.deepEqual(await up.requests(), [], 'an invalid request reached the upstream');
  });

  test('wrong method on an API path: 404/405 JSON error', async () => {
    const r = await request(gw, 'GET', '/v1/chat/completions');
    assert.ok([404, 405].includes(r.status), `GET /v1/chat/completions: ${r.status}`);
    assertOpenAIError(r, r.status);
  });

  test('upstream 503 once, then OK: the client gets 200 (retried)', async () => {
    await up.clear();
    const key = randomUUID();
    const { data, response } = await sdk.chat.completions
      .create(chat(mock({ status: 503, fail_times: 1, key, reply: 'after retry' })))
      .withResponse();
    assert.equal(data.choices[0].message.content, 'after retry');
    assertAigateHeaders(response.headers);
    assert.equal((await up.requests()).length, 2, 'one failed attempt and one retry');
  });

  test('upstream 429 once, then OK: retried', async () => {
    await up.clear();
    const r = await post(gw, '/v1/chat/completions', chat(mock({ status: 429, fail_times: 1, key: randomUUID(), reply: 'x' })));
    assert.equal(r.status, 200, r.text);
    assert.equal((await up.requests()).length, 2);
  });

  test('a stream whose first attempt gets 503 is retried before any byte is sent', async () => {
    await up.clear();
    const s = await streamRaw(gw, chat(mock({ status: 503, fail_times: 1, key: randomUUID(), reply_id: 'clean' })));
    assert.equal(s.status, 200, s.text);
    assert.equal(s.done, true);
    assert.equal(contentByChoice(s.chunks)[0], CANNED.clean);
    assert.equal((await up.requests()).length, 2);
  });

  test('upstream 500 every time: 502 OpenAI error, no key in the body', async () => {
    await up.clear();
    // The upstream quotes the key it was sent in its error message, as
    // some providers do; the gateway must not hand that to its client.
    const r = await post(gw, '/v1/chat/completions', chat(mock({ status: 500, echo_key: true })));
    const e = assertOpenAIError(r, 502);
    assert.ok(e.code !== null && e.code !== undefined && e.code !== '', 'error.code is empty');
    assert.ok(!r.text.includes(UPSTREAM_KEY), 'the upstream key is in the error body');
    assert.ok(!r.text.includes(MASTER_KEY), 'the master key is in the error body');
    const n = (await up.requests()).length;
    assert.ok(n >= 1 && n <= 3, `${n} upstream attempts`);
    console.log(`# 500 always: ${n} upstream attempts, error.type ${e.type}, code ${e.code}`);
    await assert.rejects(
      sdk.chat.completions.create(chat(mock({ status: 500 }))),
      (err) => err.status === 502 && err.constructor.name === 'InternalServerError',
    );
  });

  test('a stream whose upstream answers 500 gets a 502 JSON error, not SSE', async () => {
    const s = await streamRaw(gw, chat(mock({ status: 500 })));
    assert.equal(s.status, 502);
    assert.match(s.headers.get('content-type') || '', /^application\/json/);
    assert.equal(typeof s.json?.error?.message, 'string');
  });

  testCleanShutdown(() => gw);
});

describe('unreachable upstream', () => {
  let gw;
  before(async () => {
    gw = await startGateway({ upstreamUrl: await deadUpstreamUrl() });
  });
  after(async () => gw?.stop(2000));

  test('connection refused upstream: 5xx OpenAI error, quickly, health still 200', async () => {
    const t0 = Date.now();
    const r = await post(gw, '/v1/chat/completions', chat('anyone there?'));
    assert.ok([502, 503, 504].includes(r.status), `${r.status} ${r.text}`);
    assertOpenAIError(r, r.status);
    assert.ok(!r.text.includes(UPSTREAM_KEY));
    assert.ok(Date.now() - t0 < 10000, 'took over 10 s');
    const h = await request(gw, 'GET', '/health/live', undefined, { key: null });
    assert.equal(h.status, 200);
  });

  testCleanShutdown(() => gw);
});
