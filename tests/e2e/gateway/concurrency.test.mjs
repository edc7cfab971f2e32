// Many clients at once: 1000 slow streams in parallel, each with its own
// text so that any mix-up between connections (a delta delivered to the
// wrong client, scanner state shared across streams) shows as a wrong
// answer; then non-stream requests where half carry a secret.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  startStack,
  stopStack,
  testCleanShutdown,
  chat,
  mock,
  postWithAgent,
  sseEvents,
  contentByChoice,
} from './harness.mjs';

async function parseSse(text) {
  const chunks = [];
  let done = false;
  async function* one() {
    yield Buffer.from(text);
  }
  for await (const ev of sseEvents(one())) {
    if (ev.data === '[DONE]') done = true;
    else if (ev.data !== null && !done) chunks.push(JSON.parse(ev.data));
  }
  return { chunks, done };
}

describe('concurrency', () => {
  let up, gw;
  before(async () => ({ up, gw } = await startStack()));
  after(() => stopStack({ up, gw }));

  test('1000 concurrent slow streams all complete, each with its own text', { timeout: 120000 }, async () => {
    const N = 1000;
    const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
    const before = (await up.stats()).total;
    const t0 = Date.now();
    const results = await Promise.allSettled(
      Array.from({ length: N }, (_, i) =>
        postWithAgent(
          agent,
          gw,
          chat(mock({ reply: `stream number ${i} says hello`, chunk: 6, delay_ms: 20 }), { stream: true }),
        ),
      ),
    );
    const ms = Date.now() - t0;
    const stats = await up.stats();
    console.log(`# ${N} streams in ${ms} ms; upstream peak ${stats.peak} in flight`);
    const failures = [];
    for (let i = 0; i < N; i++) {
      const r = results[i];
      if (r.status === 'rejected') {
        failures.push(`#${i}: ${r.reason}`);
        continue;
      }
      if (r.value.status !== 200) {
        failures.push(`#${i}: HTTP ${r.value.status} ${r.value.body.slice(0, 200)}`);
        continue;
      }
      const s = await parseSse(r.value.body);
      const text = contentByChoice(s.chunks)[0];
      if (!s.done) failures.push(`#${i}: no [DONE]`);
      else if (text !== `stream number ${i} says hello`) failures.push(`#${i}: got "${text}"`);
    }
    assert.deepEqual(failures.slice(0, 10), [], `${failures.length} of ${N} streams failed`);
    assert.equal(stats.total - before, N, 'each stream reached the upstream exactly once');
    assert.ok(ms < 45000, `${N} streams took ${ms} ms`);
  });

  test('300 concurrent requests, every other one with a secret: no cross-talk', { timeout: 60000 }, async () => {
    const N = 300;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 100 });
    const key = (i) => `AKIA${String(i).padStart(4, '0')}Z3MSJV4WWNKW`.slice(0, 20);
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        postWithAgent(agent, gw, chat(i % 2 ? `request ${i} uses key ${key(i)} today` : `request ${i} is clean`)),
      ),
    );
    agent.destroy();
    for (let i = 0; i < N; i++) {
      const r = results[i];
      assert.equal(r.status, 200, `#${i}: ${r.body.slice(0, 200)}`);
      const content = JSON.parse(r.body).choices[0].message.content;
      if (i % 2) {
        assert.match(content, new RegExp(`^ok: request ${i} uses key \\[REDACTED:[a-z0-9-]+\\] today$`), `#${i}`);
      } else {
        assert.equal(content, `ok: request ${i} is clean`);
      }
    }
  });

  testCleanShutdown(() => gw);
});
