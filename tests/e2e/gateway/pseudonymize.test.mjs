// Pseudonymization (server.pseudonymize): PII and secrets in prompts become
// typed placeholders the upstream sees instead of the values, consistent
// within a request; placeholders in the answer are restored for the client
// (pii: restore) or stay masked (secrets: mask), also when streamed with a
// placeholder split across chunks, and in tool-call arguments; a category
// set to block refuses the request.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startStack,
  stopStack,
  testCleanShutdown,
  chat,
  mock,
  post,
  streamRaw,
  contentByChoice,
  toolCallsByChoice,
  assertOpenAIError,
  TOOLS,
} from './harness.mjs';
import { SECRETS } from './upstream.mjs';

const EMAIL = SECRETS.email;
const EMAIL2 = 'jonas.weber@example.net';
const CARD = '4111 1111 1111 1111';
const AWS = SECRETS.aws_key_id;

describe('pseudonymization', () => {
  let up, gw, sdk;
  before(async () => {
    ({ up, gw, sdk } = await startStack({
      config: 'server:\n  pseudonymize:\n    pii: restore\n    secrets: mask\n',
    }));
  });
  after(() => stopStack({ up, gw }));

  const prompt = `Write to ${EMAIL} and cc ${EMAIL2}, then again to ${EMAIL}; card ${CARD}; key ${AWS}`;

  test('the upstream sees placeholders, consistent within the request', async () => {
    await up.clear();
    const r = await post(gw, '/v1/chat/completions', {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: `Escalations go to ${EMAIL2}.` },
        { role: 'user', content: prompt },
      ],
    });
    assert.equal(r.status, 200, r.text);
    const [req] = await up.requests();
    const sent = JSON.stringify(req.body);
    for (const v of [EMAIL, EMAIL2, CARD, AWS]) assert.ok(!sent.includes(v), `the upstream saw ${v}`);
    const user = req.body.messages[1].content;
    const sys = req.body.messages[0].content;
    const emails = user.match(/<EMAIL_\d+>/g);
    assert.equal(emails.length, 3);
    assert.equal(emails[0], emails[2], 'the same address, the same placeholder');
    assert.notEqual(emails[0], emails[1]);
    assert.ok(sys.includes(emails[1]), 'consistent across messages');
    assert.match(user, /card <CARD_1>/);
    assert.match(user, /key <SECRET_1>/);
    // The echo comes back with the PII restored and the secret masked.
    const out = r.json.choices[0].message.content;
    assert.equal(out, `ok: ${prompt.replace(AWS, '<SECRET_1>')}`);
    assert.match(r.headers.get('x-aigate-decision'), /^redact/);
  });

  test('restored in streams, placeholders split across chunks', async () => {
    for (const chunk of [1, 2, 3, 5, 7]) {
      const s = await streamRaw(gw, chat(prompt + ` ${mock({ chunk })}`));
      assert.equal(s.status, 200);
      const text = contentByChoice(s.chunks)[0];
      assert.ok(text.includes(`${EMAIL} and cc ${EMAIL2}`), `chunk ${chunk}: ${text}`);
      assert.ok(text.includes(`card ${CARD}`), `chunk ${chunk}: ${text}`);
      assert.ok(text.includes('key <SECRET_1>'), `chunk ${chunk}: ${text}`);
      assert.ok(!/<EMAIL_|<CARD_/.test(text), `chunk ${chunk}: a placeholder reached the client`);
    }
    // The official SDK sees the same.
    const stream = await sdk.chat.completions.create({ ...chat(`Mail ${EMAIL} now ${mock({ chunk: 2 })}`), stream: true });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    assert.ok(text.startsWith(`ok: Mail ${EMAIL} now`), text);
  });

  test('tool-call arguments are restored, streamed and not', async () => {
    const body = {
      model: 'gpt-4o-mini',
      tools: TOOLS,
      messages: [
        { role: 'user', content: `My address is ${EMAIL}.` },
        { role: 'user', content: mock({ tool_call: { name: 'deploy', arguments: '{"notify":"<EMAIL_1>"}' } }) },
      ],
    };
    const r = await post(gw, '/v1/chat/completions', body);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.choices[0].message.tool_calls[0].function.arguments, `{"notify":"${EMAIL}"}`);
    const s = await streamRaw(gw, body);
    assert.equal(toolCallsByChoice(s.chunks)[0][0].arguments, `{"notify":"${EMAIL}"}`);
  });

  test('placeholders the request did not make pass unchanged', async () => {
    const r = await post(gw, '/v1/chat/completions', chat('Keep <EMAIL_1> and <CARD_9> as they are'));
    assert.equal(r.json.choices[0].message.content, 'ok: Keep <EMAIL_1> and <CARD_9> as they are');
  });

  testCleanShutdown(() => gw);
});

describe('pseudonymization: a category set to block', () => {
  let up, gw;
  before(async () => {
    ({ up, gw } = await startStack({ config: 'server:\n  pseudonymize:\n    pii: block\n    secrets: mask\n' }));
  });
  after(() => stopStack({ up, gw }));

  test('PII refuses the request; secrets are still masked', async () => {
    await up.clear();
    let r = await post(gw, '/v1/chat/completions', chat(`mail ${EMAIL}`));
    const e = assertOpenAIError(r, 400, { code: 'content_policy_violation' });
    assert.ok(e.rule_ids.includes('pii-email'), JSON.stringify(e));
    assert.equal((await up.requests()).length, 0);
    r = await post(gw, '/v1/chat/completions', chat(`key ${AWS}`));
    assert.equal(r.json.choices[0].message.content, 'ok: key <SECRET_1>');
  });

  testCleanShutdown(() => gw);
});
