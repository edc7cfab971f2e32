// The output guard on SSE streams. The hard part of a streaming guard is
// that a secret arrives in pieces: "AKIA" in one delta, the rest in the
// next few. These tests send secrets in deltas of 1 to 64 characters and
// check that the concatenation the client sees never holds the secret (nor
// a long prefix of it), that a blocked stream ends the way OpenAI ends a
// filtered one, that a dying upstream still gives the client a well-formed
// end (an in-band error event, see below), and that a client that goes
// away cancels the upstream request.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import OpenAI from 'openai';
import {
  startStack,
  stopStack,
  testCleanShutdown,
  chat,
  mock,
  post,
  streamRaw,
  sseEvents,
  readSdkStream,
  contentByChoice,
  toolCallsByChoice,
  finishByChoice,
  assertAigateHeaders,
  assertNoSecrets,
  waitFor,
  sleep,
  MASTER_KEY,
  TOOLS,
  BLOCK_SECRETS_YAML,
} from './harness.mjs';
import { CANNED, CANNED_ARGS } from './upstream.mjs';

/** No secret, and no 12-character prefix of one (a partial leak). */
const assertNoLeak = (text, what = 'stream') => assertNoSecrets(text, what, { prefixes: true });

/** Everything the client received, as one string (content, text, tool args). */
const allText = (s) => JSON.stringify(s.chunks) + s.afterDone.join('') + (s.trailing ?? '');

/** A stream that completed properly: 200, SSE, [DONE] last, no transport error. */
function assertWellFormed(s) {
  assert.equal(s.status, 200, s.text);
  assert.match(s.headers.get('content-type') || '', /^text\/event-stream/);
  assert.equal(s.error, null, `transport error: ${s.error}`);
  assert.equal(s.trailing, null, `unterminated event: ${s.trailing}`);
  assert.equal(s.done, true, 'no data: [DONE]');
  assert.deepEqual(s.afterDone, [], 'events after [DONE]');
  assertAigateHeaders(s.headers);
}

/** A streamed tool call whose arguments carry AWS keys: a well-formed
 * stream with no secret in it, whatever the policy. Returns the stream. */
async function assertToolCallSecretsWithheld(gw) {
  const s = await streamRaw(
    gw,
    chat(mock({ tool_call: { name: 'deploy', arguments_id: 'aws_env' }, chunk: 4 }), { tools: TOOLS }),
  );
  assertWellFormed(s);
  assertNoLeak(allText(s));
  return s;
}

describe('streaming, redact (default policy)', () => {
  let up, gw, sdk;
  before(async () => ({ up, gw, sdk } = await startStack()));
  after(() => stopStack({ up, gw }));

  test('a clean stream through the SDK: intact, no usage chunk, upstream asked for usage', async () => {
    await up.clear();
    const stream = await sdk.chat.completions.create(chat(mock({ reply_id: 'clean_long', chunk: 7 }), { stream: true }));
    const { chunks, text } = await readSdkStream(stream);
    assert.equal(text, CANNED.clean_long);
    assert.equal(chunks.at(-1).choices[0].finish_reason, 'stop');
    assert.ok(chunks.every((c) => c.choices.length > 0), 'a usage chunk (choices: []) reached the client');
    assert.ok(chunks.every((c) => !c.usage), 'usage reached a client that did not ask for it');
    const [rec] = await up.requests();
    assert.equal(rec.body.stream, true);
    assert.equal(rec.body.stream_options?.include_usage, true, 'the gateway should ask the upstream for usage');
    // A stream's own request headers (the gateway keeps one list per kind).
    assert.equal(rec.headers.accept, 'text/event-stream');
    assert.equal(rec.headers['content-type'], 'application/json');
    assert.equal(rec.headers.expect, undefined, 'no 100-continue round trip');
  });

  test('SSE wire format: OpenAI chunk shape, one id, data: [DONE] last', async () => {
    const s = await streamRaw(gw, chat(mock({ reply_id: 'clean', chunk: 4 })));
    assertWellFormed(s);
    assert.ok(s.chunks.length >= 3);
    const ids = new Set(s.chunks.map((c) => c.id));
    assert.equal(ids.size, 1, 'chunks of one completion share one id');
    for (const c of s.chunks) {
      assert.equal(c.object, 'chat.completion.chunk');
      assert.equal(c.model, 'gpt-4o-mini');
      assert.equal(typeof c.created, 'number');
      assert.ok(Array.isArray(c.choices));
    }
    assert.equal(contentByChoice(s.chunks)[0], CANNED.clean);
    assert.equal(finishByChoice(s.chunks)[0], 'stop');
  });

  test('a client that asks for include_usage gets one usage chunk before [DONE]', async () => {
    const s = await streamRaw(gw, chat(mock({ reply: 'counted reply' }), { stream_options: { include_usage: true } }));
    assertWellFormed(s);
    const usage = s.chunks.filter((c) => c.usage);
    assert.equal(usage.length, 1);
    assert.deepEqual(s.chunks.at(-1).choices, []);
    assert.ok(s.chunks.at(-1).usage.total_tokens > 0);
  });

  for (const size of [1, 2, 3, 5, 8, 64]) {
    test(`AWS key pair in ${size}-character deltas is redacted, never in clear`, async () => {
      const s = await streamRaw(gw, chat(mock({ reply_id: 'aws_pair', chunk: size })));
      assertWellFormed(s);
      assertNoLeak(allText(s));
      const text = contentByChoice(s.chunks)[0];
      assert.ok(text.includes('[REDACTED:'), text);
      assert.ok(text.startsWith('Here are the deploy credentials you asked for.\n'), text);
      assert.ok(text.endsWith('Rotate them after the release.'), text);
      assert.equal(finishByChoice(s.chunks)[0], 'stop');
    });
  }

  test('private key, JWT and e-mail in small deltas are redacted (SDK)', async () => {
    for (const [id, size] of [
      ['pem', 7],
      ['jwt', 2],
      ['email', 3],
    ]) {
      const stream = await sdk.chat.completions.create(chat(mock({ reply_id: id, chunk: size }), { stream: true }));
      const { text } = await readSdkStream(stream);
      assertNoLeak(text, id);
      assert.match(text, /\[REDACTED:[a-z0-9-]+\]/, `${id}: ${text}`);
    }
  });

  test('n = 2 stream: each choice is guarded on its own', async () => {
    const s = await streamRaw(
      gw,
      chat(mock({ choices: [{ reply_id: 'clean_long' }, { reply_id: 'aws_pair' }], chunk: 3 }), { n: 2 }),
    );
    assertWellFormed(s);
    const text = contentByChoice(s.chunks);
    assert.equal(text[0], CANNED.clean_long);
    assertNoLeak(allText(s));
    assert.match(text[1], /\[REDACTED:/);
    assert.deepEqual(finishByChoice(s.chunks), { 0: 'stop', 1: 'stop' });
  });

  test('a tool call streamed in fragments reassembles exactly (SDK)', async () => {
    const stream = await sdk.chat.completions.create(
      chat(mock({ tool_call: { name: 'get_weather', arguments_id: 'weather' }, chunk: 3 }), {
        stream: true,
        tools: TOOLS,
      }),
    );
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    const calls = toolCallsByChoice(chunks)[0];
    assert.equal(Object.keys(calls).length, 1);
    assert.equal(calls[0].name, 'get_weather');
    assert.equal(calls[0].arguments, CANNED_ARGS.weather);
    assert.ok(calls[0].id);
    assert.equal(finishByChoice(chunks)[0], 'tool_calls');
  });

  test('a secret in streamed tool-call arguments does not reach the client', async () => {
    await assertToolCallSecretsWithheld(gw);
  });

  test('a secret in a legacy completions stream is redacted', async () => {
    const s = await streamRaw(gw, { model: 'gpt-3.5-turbo-instruct', prompt: mock({ reply_id: 'aws_pair', chunk: 2 }) }, {
      path: '/v1/completions',
    });
    assertWellFormed(s);
    assertNoLeak(allText(s));
    assert.match(contentByChoice(s.chunks)[0], /\[REDACTED:/);
  });

  // When the upstream dies mid-stream the gateway cannot finish the answer,
  // and it must not make a truncated answer look complete. The SDK's only
  // way to surface a mid-stream failure is OpenAI's in-band error event:
  // `data: {"error": {...}}`, which its Stream iterator throws as an
  // APIError (openai-node core/streaming: `if (data && data.error) throw`).
  // A made-up finish_reason would either lie ("stop") or fall outside
  // OpenAI's enum. So the well-formed end is: the deltas received so far,
  // one error event, `data: [DONE]`, a clean end of the HTTP body -- and
  // the SDK raises APIError (not a connection error) after those deltas.
  for (const dieAfter of [0, 10]) {
    test(`upstream dies after ${dieAfter} deltas: deltas so far, an error event, [DONE]; the SDK raises APIError`, async () => {
      const body = chat(mock({ reply_id: 'clean_long', chunk: 4, die_after: dieAfter }));
      const s = await streamRaw(gw, body);
      assertWellFormed(s);
      const last = s.chunks.at(-1);
      assert.ok(last && last.error && typeof last.error === 'object', `the last event is not an error: ${JSON.stringify(last)}`);
      assert.equal(typeof last.error.message, 'string');
      assert.ok(last.error.message.length > 0);
      assert.equal(typeof last.error.type, 'string');
      assert.ok(last.error.code, 'error.code is empty');
      assert.ok(!('choices' in last), 'the error event also carries choices');
      const deltas = s.chunks.slice(0, -1);
      assert.ok(deltas.every((c) => !c.error), 'more than one error event');
      assert.ok(deltas.every((c) => (c.choices || []).every((ch) => !ch.finish_reason)), 'a truncated answer has a finish_reason');
      const text = contentByChoice(deltas)[0] ?? '';
      assert.ok(CANNED.clean_long.startsWith(text), `received text is not a prefix of what was sent: ${text}`);
      assert.ok(text.length <= dieAfter * 4);

      // The application's view: the deltas, then APIError -- not a broken
      // connection ("terminated") and not a silent, complete-looking end.
      const stream = await sdk.chat.completions.create({ ...body, stream: true });
      let got = '';
      await assert.rejects(
        (async () => {
          for await (const c of stream) got += c.choices?.[0]?.delta?.content ?? '';
        })(),
        (e) => {
          assert.ok(e instanceof OpenAI.APIError, `not an APIError: ${e}`);
          assert.ok(!(e instanceof OpenAI.APIConnectionError), `a connection error: ${e}`);
          assert.equal(e.code, last.error.code);
          return true;
        },
      );
      assert.equal(got, text);
    });
  }

  test('a client that disconnects mid-stream cancels the upstream request', async () => {
    // About 50 s of stream: the upstream is still sending when the client
    // leaves 1 s in, whatever the gateway has passed on by then (it may
    // hold text back while it scans).
    const slow = chat(mock({ reply_id: 'clean_long', chunk: 4, delay_ms: 100 }), { stream: true });
    const leaveAfterOneSecond = async (ac) => {
      await waitFor(async () => (await up.requests()).length > 0, 30000, 'the stream to reach the upstream');
      await sleep(1000);
      ac.abort();
    };

    await up.clear();
    const ac = new AbortController();
    const reading = fetch(`${gw.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(slow),
      signal: ac.signal,
    }).then(async (res) => {
      assert.equal(res.status, 200);
      for await (const _ of sseEvents(res.body));
    });
    await leaveAfterOneSecond(ac);
    await assert.rejects(reading, (e) => e.name === 'AbortError');
    const t0 = Date.now();
    const rec = await waitFor(
      async () => (await up.requests()).find((r) => r.aborted),
      20000,
      'the upstream to see its request cancelled',
    );
    assert.equal(rec.complete, false);
    console.log(`# upstream cancelled ${Date.now() - t0} ms after the client left`);

    // The same through the SDK, aborting its request mid-iteration.
    await up.clear();
    const ac2 = new AbortController();
    const iterating = (async () => {
      const stream = await sdk.chat.completions.create(slow, { signal: ac2.signal });
      for await (const _ of stream);
    })();
    await leaveAfterOneSecond(ac2);
    await iterating.catch(() => {});
    await waitFor(async () => (await up.requests()).find((r) => r.aborted), 20000, 'cancel after the SDK aborted');

    // And the gateway carries on.
    const ok = await post(gw, '/v1/chat/completions', chat('still there?'));
    assert.equal(ok.status, 200);
  });

  test('a client that leaves while its request waits for the upstream cancels it', async () => {
    // A non-streamed request parked on an upstream that has not answered:
    // the client's close is seen at once, also on a keep-alive connection
    // that already carried a request, and also when the client half-closes
    // its socket right after sending (the close then comes before the
    // request is parked).
    const body = (reply) => JSON.stringify(chat(mock({ reply, hang_ms: 20000 })));
    const raw = (payload) =>
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${MASTER_KEY}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`;
    const cancelled = async (what) => {
      const t0 = Date.now();
      // Well before the upstream would answer (hang_ms 20 s).
      const rec = await waitFor(async () => (await up.requests()).find((r) => r.aborted), 15000, what);
      assert.equal(rec.complete, false);
      return Date.now() - t0;
    };
    for (const mode of ['close after a first request', 'half-close after sending']) {
      await up.clear();
      const sock = net.connect(gw.port, '127.0.0.1');
      await new Promise((resolve, reject) => sock.once('connect', resolve).once('error', reject));
      sock.on('error', () => {});
      if (mode === 'close after a first request') {
        let got = '';
        sock.on('data', (d) => (got += d));
        sock.write(raw(JSON.stringify(chat('hello'))));
        await waitFor(async () => / 200 /.test(got) && got.includes('}'), 30000, 'the first answer');
        await up.clear();
        sock.write(raw(body('never')));
        await waitFor(async () => (await up.requests()).length > 0, 15000, 'the request to reach the upstream');
        await sleep(200);
        sock.destroy();
        const ms = await cancelled(`the upstream to see its request cancelled (${mode})`);
        console.log(`# ${mode}: upstream cancelled ${ms} ms later`);
      } else {
        // Cancelled so early that the upstream may never see the request:
        // what must not be is a request left waiting there.
        sock.end(raw(body('never')));
        await sleep(1000);
        await waitFor(
          async () => (await up.requests()).every((r) => r.aborted),
          5000,
          `no upstream request left open (${mode})`,
        );
      }
    }
    const ok = await post(gw, '/v1/chat/completions', chat('still there?'));
    assert.equal(ok.status, 200);
  });

  test('a slow first byte (1.5 s) still streams', async () => {
    const s = await streamRaw(gw, chat(mock({ reply_id: 'clean', hang_ms: 1500 })));
    assertWellFormed(s);
    assert.equal(contentByChoice(s.chunks)[0], CANNED.clean);
  });

  testCleanShutdown(() => gw);
});

describe('streaming, block (secrets: block)', () => {
  let up, gw, sdk;
  before(async () => ({ up, gw, sdk } = await startStack({ config: BLOCK_SECRETS_YAML })));
  after(() => stopStack({ up, gw }));

  for (const size of [1, 3, 16]) {
    test(`a secret in ${size}-character deltas ends the stream with content_filter, then [DONE]`, async () => {
      const s = await streamRaw(gw, chat(mock({ reply_id: 'aws_pair', chunk: size })));
      assertWellFormed(s);
      assertNoLeak(allText(s));
      const last = s.chunks.at(-1);
      assert.equal(last.choices[0].finish_reason, 'content_filter');
      assert.ok(!last.choices[0].delta?.tool_calls, 'tool calls in the final chunk');
      // Nothing from the reply after the secret was sent.
      assert.ok(!contentByChoice(s.chunks)[0]?.includes('Rotate them'), 'text after the block reached the client');
    });
  }

  test('the SDK iterates a blocked stream to its end without throwing', async () => {
    const stream = await sdk.chat.completions.create(chat(mock({ reply_id: 'pem', chunk: 5 }), { stream: true }));
    const { text, finish } = await readSdkStream(stream);
    assert.equal(finish, 'content_filter');
    assertNoLeak(text);
  });

  test('a streamed tool call carrying secrets is cut with content_filter', async () => {
    const s = await assertToolCallSecretsWithheld(gw);
    assert.equal(finishByChoice(s.chunks)[0], 'content_filter');
  });

  test('a clean stream is not affected', async () => {
    const s = await streamRaw(gw, chat(mock({ reply_id: 'clean_long', chunk: 9 })));
    assertWellFormed(s);
    assert.equal(contentByChoice(s.chunks)[0], CANNED.clean_long);
    assert.equal(finishByChoice(s.chunks)[0], 'stop');
  });

  testCleanShutdown(() => gw);
});
