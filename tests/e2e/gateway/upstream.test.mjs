// The fake upstream on its own, through the official SDK: if it does not
// behave like OpenAI, every gateway test built on it proves nothing. These
// tests need no gateway and pass before `aigate serve` exists.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startUpstream, mock, chat, sseEvents, readSdkStream, waitFor, UPSTREAM_KEY } from './harness.mjs';
import { CANNED, CANNED_ARGS, embeddingFor } from './upstream.mjs';

let up;
let sdk;
before(async () => {
  up = await startUpstream({ apiKey: UPSTREAM_KEY });
  sdk = new OpenAI({ baseURL: up.url, apiKey: UPSTREAM_KEY, maxRetries: 0, timeout: 10000 });
});
after(async () => up?.stop());

test('non-stream chat: canned reply, usage, echo without MOCK', async () => {
  const r = await sdk.chat.completions.create(chat(mock({ reply_id: 'clean_long' })));
  assert.equal(r.object, 'chat.completion');
  assert.equal(r.choices[0].message.content, CANNED.clean_long);
  assert.equal(r.choices[0].finish_reason, 'stop');
  assert.ok(r.usage.total_tokens > 0);
  const e = await sdk.chat.completions.create(chat('hello there'));
  assert.equal(e.choices[0].message.content, 'ok: hello there');
  const parts = await sdk.chat.completions.create(
    chat([{ type: 'text', text: 'from parts' }]),
  );
  assert.equal(parts.choices[0].message.content, 'ok: from parts');
});

test('records requests with headers and body; DELETE clears', async () => {
  await up.clear();
  await sdk.chat.completions.create(chat('record me', { temperature: 0.5 }));
  const reqs = await up.requests();
  assert.equal(reqs.length, 1);
  assert.equal(reqs[0].path, '/v1/chat/completions');
  assert.equal(reqs[0].headers.authorization, `Bearer ${UPSTREAM_KEY}`);
  assert.equal(reqs[0].body.temperature, 0.5);
  assert.equal(reqs[0].aborted, false);
  await up.clear();
  assert.deepEqual(await up.requests(), []);
});

test('wrong key gets OpenAI 401', async () => {
  const bad = new OpenAI({ baseURL: up.url, apiKey: 'nope', maxRetries: 0 });
  await assert.rejects(bad.models.list(), (e) => e.status === 401 && e.code === 'invalid_api_key');
});

test('stream: OpenAI chunk shape, chunking, no usage unless asked, [DONE]', async () => {
  const s = await sdk.chat.completions.create(chat(mock({ reply_id: 'aws_pair', chunk: 3 }), { stream: true }));
  const { chunks, text } = await readSdkStream(s);
  assert.equal(text, CANNED.aws_pair);
  assert.equal(chunks[0].choices[0].delta.role, 'assistant');
  assert.equal(chunks.at(-1).choices[0].finish_reason, 'stop');
  assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id && c.created && c.model));
  assert.ok(chunks.every((c) => !c.usage));
  const contentChunks = chunks.filter((c) => c.choices[0]?.delta?.content);
  assert.equal(contentChunks.length, Math.ceil(CANNED.aws_pair.length / 3));

  // Raw wire: ends with data: [DONE]
  const res = await fetch(`${up.url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${UPSTREAM_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(chat(mock({ reply: 'abc' }), { stream: true })),
  });
  const evs = [];
  for await (const ev of sseEvents(res.body)) evs.push(ev.data);
  assert.equal(evs.at(-1), '[DONE]');
});

test('stream: include_usage sends the usage chunk (choices: []) before [DONE]', async () => {
  const s = await sdk.chat.completions.create(
    chat(mock({ reply: 'hello world' }), { stream: true, stream_options: { include_usage: true } }),
  );
  const chunks = [];
  for await (const c of s) chunks.push(c);
  const last = chunks.at(-1);
  assert.deepEqual(last.choices, []);
  assert.ok(last.usage.completion_tokens > 0);
  assert.ok(chunks.slice(0, -1).every((c) => c.usage === null));
});

test('stream: tool call arguments arrive as fragments and reassemble', async () => {
  const s = await sdk.chat.completions.create(
    chat(mock({ tool_call: { name: 'get_weather', arguments_id: 'weather' }, chunk: 5 }), {
      stream: true,
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
    }),
  );
  let args = '';
  let name = '';
  let finish = null;
  let frags = 0;
  for await (const c of s) {
    const tc = c.choices[0]?.delta?.tool_calls?.[0];
    if (tc?.function?.name) name = tc.function.name;
    if (tc?.function?.arguments) {
      args += tc.function.arguments;
      frags++;
    }
    finish = c.choices[0]?.finish_reason ?? finish;
  }
  assert.equal(name, 'get_weather');
  assert.equal(args, CANNED_ARGS.weather);
  assert.equal(frags, Math.ceil(CANNED_ARGS.weather.length / 5));
  assert.equal(finish, 'tool_calls');
  const plain = await sdk.chat.completions.create(chat(mock({ tool_call: { name: 'x', arguments: '{"a":1}' } })));
  assert.equal(plain.choices[0].message.tool_calls[0].function.arguments, '{"a":1}');
  assert.equal(plain.choices[0].finish_reason, 'tool_calls');
});

test('stream: die_after breaks the connection mid-stream (the SDK throws)', async () => {
  // This is what a gateway must NOT pass on to its client as is.
  const s = await sdk.chat.completions.create(chat(mock({ reply_id: 'clean_long', die_after: 3 }), { stream: true }));
  let text = '';
  await assert.rejects(async () => {
    for await (const c of s) text += c.choices[0]?.delta?.content ?? '';
  });
  assert.equal(text, CANNED.clean_long.slice(0, 12));
  const reqs = await up.requests();
  assert.equal(reqs.at(-1).died, true);
});

test('n: 2 honoured, per-choice replies', async () => {
  const r = await sdk.chat.completions.create(
    chat(mock({ choices: [{ reply_id: 'clean' }, { reply: 'second' }] }), { n: 2 }),
  );
  assert.deepEqual(r.choices.map((c) => c.message.content), [CANNED.clean, 'second']);
  const s = await sdk.chat.completions.create(chat(mock({ reply: 'twice' }), { n: 2, stream: true }));
  const got = {};
  for await (const c of s) for (const ch of c.choices) got[ch.index] = (got[ch.index] ?? '') + (ch.delta.content ?? '');
  assert.deepEqual(got, { 0: 'twice', 1: 'twice' });
});

test('status and fail_times', async () => {
  await assert.rejects(sdk.chat.completions.create(chat(mock({ status: 500 }))), (e) => e.status === 500);
  await assert.rejects(
    sdk.chat.completions.create(chat(mock({ status: 500, echo_key: true }))),
    (e) => e.message.includes(UPSTREAM_KEY),
  );
  const m = mock({ status: 503, fail_times: 1, key: 'self-test' });
  await assert.rejects(sdk.chat.completions.create(chat(m)), (e) => e.status === 503);
  const ok = await sdk.chat.completions.create(chat(m));
  assert.equal(ok.choices[0].message.content, `ok: ${m}`);
});

test('hang_ms delays the headers; delay_ms spaces the chunks', async () => {
  let t0 = Date.now();
  await sdk.chat.completions.create(chat(mock({ reply: 'late', hang_ms: 300 })));
  assert.ok(Date.now() - t0 >= 290);
  t0 = Date.now();
  const s = await sdk.chat.completions.create(chat(mock({ reply: 'abcdef', chunk: 2, delay_ms: 100 }), { stream: true }));
  for await (const _ of s);
  assert.ok(Date.now() - t0 >= 290);
});

test('client abort is recorded as aborted', async () => {
  await up.clear();
  const s = await sdk.chat.completions.create(
    chat(mock({ reply_id: 'clean_long', delay_ms: 50 }), { stream: true }),
  );
  let n = 0;
  for await (const _ of s) if (++n === 3) break; // the SDK aborts the request
  const rec = await waitFor(async () => (await up.requests()).find((r) => r.aborted), 30000, 'aborted record');
  assert.equal(rec.complete, false);
  // And a request cut before its headers (during hang_ms).
  await up.clear();
  const ac = new AbortController();
  const p = sdk.chat.completions.create(chat(mock({ reply: 'x', hang_ms: 20000 })), { signal: ac.signal });
  // The upstream records a request once it has read all of it: abort
  // after that, while it hangs.
  await waitFor(async () => (await up.requests()).length > 0, 15000, 'the request to arrive');
  ac.abort();
  await assert.rejects(p);
  await waitFor(async () => (await up.requests()).find((r) => r.aborted), 15000, 'aborted during hang');
});

test('completions, embeddings (float and the SDK default base64), models', async () => {
  const c = await sdk.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: mock({ reply_id: 'clean' }) });
  assert.equal(c.choices[0].text, CANNED.clean);
  const cs = await sdk.completions.create({ model: 'm', prompt: mock({ reply: 'streamed text' }), stream: true });
  let t = '';
  for await (const ch of cs) t += ch.choices[0]?.text ?? '';
  assert.equal(t, 'streamed text');

  await up.clear();
  const e = await sdk.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'] });
  const sent = (await up.requests())[0].body;
  assert.equal(sent.encoding_format, 'base64', 'the SDK asks for base64 by default');
  assert.deepEqual(e.data[1].embedding, embeddingFor('beta'));
  const f = await sdk.embeddings.create({ model: 'x', input: 'alpha', encoding_format: 'float' });
  assert.deepEqual(f.data[0].embedding, embeddingFor('alpha'));
  assert.equal(f.data[0].embedding.length, 8);

  const models = [];
  for await (const m of sdk.models.list()) models.push(m.id);
  assert.ok(models.includes('upstream-model'));
});
