// The output guard on complete (non-stream) responses: secrets and personal
// data in a choice are redacted as [REDACTED:<rule_id>]; with a policy that
// blocks, the choice's content becomes a short notice, finish_reason
// "content_filter", no tool calls, and the HTTP status stays 200 (as
// OpenAI does for its own content filter).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  startStack,
  stopStack,
  testCleanShutdown,
  chat,
  mock,
  post,
  assertAigateHeaders,
  assertNoSecrets,
  assertOpenAIError,
  aigateBin,
  cacheDir,
  TOOLS,
  BLOCK_SECRETS_YAML,
} from './harness.mjs';
import { CANNED, CANNED_ARGS } from './upstream.mjs';

/** A reply whose tool call carries AWS keys in its arguments: HTTP 200 and
 * no secret in the body, whatever the policy. Returns the response. */
async function assertToolCallSecretsWithheld(gw) {
  const r = await post(
    gw,
    '/v1/chat/completions',
    chat(mock({ tool_call: { name: 'deploy', arguments_id: 'aws_env' } }), { tools: TOOLS }),
  );
  assert.equal(r.status, 200, r.text);
  assertNoSecrets(r.text);
  return r;
}

/** A clean reply comes back byte for byte with decision allow. */
async function assertCleanReplyPasses(gw) {
  const r = await post(gw, '/v1/chat/completions', chat(mock({ reply_id: 'clean_long' })));
  assert.equal(r.status, 200, r.text);
  assertAigateHeaders(r.headers, 'allow');
  assert.equal(r.json.choices[0].message.content, CANNED.clean_long);
}

describe('output guards, redact (default policy)', () => {
  let up, gw, sdk;
  before(async () => ({ up, gw, sdk } = await startStack()));
  after(() => stopStack({ up, gw }));

  test('an AWS key pair in a reply is redacted by rule id, the rest kept', async () => {
    const { data, response } = await sdk.chat.completions
      .create(chat(mock({ reply_id: 'aws_pair' })))
      .withResponse();
    assertAigateHeaders(response.headers, 'redact');
    const c = data.choices[0].message.content;
    assertNoSecrets(c);
    assert.ok(c.includes('[REDACTED:secret-aws-access-key-id]'), c);
    assert.ok(c.includes('[REDACTED:secret-aws-secret-access-key]'), c);
    assert.ok(c.startsWith('Here are the deploy credentials you asked for.\n'), c);
    assert.ok(c.endsWith('Rotate them after the release.'), c);
    assert.equal(data.choices[0].finish_reason, 'stop');
    assert.ok(data.usage.total_tokens > 0, 'usage kept');
  });

  for (const id of ['pem', 'jwt', 'email']) {
    test(`a reply with ${id} is redacted`, async () => {
      const r = await post(gw, '/v1/chat/completions', chat(mock({ reply_id: id })));
      assert.equal(r.status, 200, r.text);
      assertAigateHeaders(r.headers, 'redact');
      assertNoSecrets(r.text);
      const c = r.json.choices[0].message.content;
      assert.match(c, /\[REDACTED:[a-z0-9-]+\]/);
      assert.equal(r.json.choices[0].finish_reason, 'stop');
    });
  }

  test('a clean reply is returned byte for byte with decision allow', async () => {
    await assertCleanReplyPasses(gw);
  });

  test('an answer that says a key twice is refused, so no unscanned value can pass', async () => {
    // The guards read one "content", a client's parser may show the other:
    // the answer goes out as the upstream's bytes when nothing changed it.
    const r = await post(gw, '/v1/chat/completions', chat(mock({ reply_id: 'clean', shadow_reply_id: 'aws_pair' })));
    assertOpenAIError(r, 502, { code: 'upstream_invalid', type: 'upstream_error' });
    assertNoSecrets(r.text);
  });

  test('n = 2: only the choice with the secret is redacted', async () => {
    const r = await sdk.chat.completions.create(
      chat(mock({ choices: [{ reply_id: 'clean' }, { reply_id: 'aws_pair' }] }), { n: 2 }),
    );
    assert.equal(r.choices.length, 2);
    const byIndex = Object.fromEntries(r.choices.map((c) => [c.index, c]));
    assert.equal(byIndex[0].message.content, CANNED.clean);
    assertNoSecrets(byIndex[1].message.content);
    assert.match(byIndex[1].message.content, /\[REDACTED:/);
  });

  test('a secret in tool-call arguments does not reach the client', async () => {
    const r = await assertToolCallSecretsWithheld(gw);
    const ch = r.json.choices[0];
    for (const tc of ch.message.tool_calls ?? []) {
      // Redacted arguments are still JSON the application can parse.
      assert.doesNotThrow(() => JSON.parse(tc.function.arguments), tc.function.arguments);
    }
  });

  test('a clean tool call passes unchanged', async () => {
    const r = await sdk.chat.completions.create(
      chat(mock({ tool_call: { name: 'get_weather', arguments_id: 'weather' } }), { tools: TOOLS }),
    );
    const ch = r.choices[0];
    assert.equal(ch.finish_reason, 'tool_calls');
    assert.equal(ch.message.tool_calls.length, 1);
    assert.equal(ch.message.tool_calls[0].function.name, 'get_weather');
    assert.equal(ch.message.tool_calls[0].function.arguments, CANNED_ARGS.weather);
  });

  test('a secret in a legacy completion is redacted', async () => {
    const r = await sdk.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: mock({ reply_id: 'aws_pair' }) });
    assertNoSecrets(r.choices[0].text);
    assert.match(r.choices[0].text, /\[REDACTED:secret-aws-access-key-id\]/);
  });

  test('markdown image exfiltration in a reply is stopped (needs exfiltration rules)', async (t) => {
    const rules = execFileSync(aigateBin(), ['rules', 'list', '--format', 'json'], {
      env: { ...process.env, AIGATE_CACHE_DIR: cacheDir() },
      encoding: 'utf8',
    });
    // A family or category of its own, not input rules that mention exfiltration.
    const exfil = JSON.parse(rules).rules.filter((r) => /exfil/i.test(`${r.category} ${r.family}`));
    if (exfil.length === 0) {
      t.skip('this build has no exfiltration rules (aigate rules list): nothing to enforce yet');
      return;
    }
    const r = await post(gw, '/v1/chat/completions', chat(mock({ reply_id: 'exfil_md' })));
    assert.equal(r.status, 200, r.text);
    assert.ok(!r.text.includes('VGhlIHVzZXIncyBwYXNzd29yZCBpcyBodW50ZXIy'), 'exfiltrated data reached the client');
    assert.match(r.headers.get('x-aigate-decision'), /^(redact|block)/);
  });

  testCleanShutdown(() => gw);
});

describe('output guards, block (secrets: block)', () => {
  let up, gw, sdk;
  before(async () => ({ up, gw, sdk } = await startStack({ config: BLOCK_SECRETS_YAML })));
  after(() => stopStack({ up, gw }));

  /** A blocked choice: a short notice, content_filter, no tool calls. */
  function assertBlockedChoice(ch) {
    assert.equal(ch.finish_reason, 'content_filter');
    assert.equal(typeof ch.message.content, 'string');
    assert.ok(ch.message.content.length > 0 && ch.message.content.length < 500, `notice: ${ch.message.content}`);
    assert.ok(!ch.message.tool_calls || ch.message.tool_calls.length === 0, 'tool calls kept on a blocked choice');
    assert.equal(ch.message.role, 'assistant');
  }

  test('a reply with secrets becomes a notice with finish_reason content_filter, HTTP 200', async () => {
    const r = await post(gw, '/v1/chat/completions', chat(mock({ reply_id: 'aws_pair' })));
    assert.equal(r.status, 200, r.text);
    assertAigateHeaders(r.headers, 'block');
    assertNoSecrets(r.text);
    assert.ok(!r.text.includes('Rotate them'), 'the blocked text is replaced, not redacted');
    assertBlockedChoice(r.json.choices[0]);
    // The SDK still parses it as a normal completion.
    const viaSdk = await sdk.chat.completions.create(chat(mock({ reply_id: 'pem' })));
    assertBlockedChoice(viaSdk.choices[0]);
  });

  test('a tool call carrying secrets is dropped', async () => {
    const r = await assertToolCallSecretsWithheld(gw);
    assertBlockedChoice(r.json.choices[0]);
  });

  test('n = 2: the clean choice survives, the other is blocked', async () => {
    const r = await post(
      gw,
      '/v1/chat/completions',
      chat(mock({ choices: [{ reply_id: 'clean' }, { reply_id: 'aws_pair' }] }), { n: 2 }),
    );
    assert.equal(r.status, 200, r.text);
    assertNoSecrets(r.text);
    const byIndex = Object.fromEntries(r.json.choices.map((c) => [c.index, c]));
    assert.equal(byIndex[0].message.content, CANNED.clean);
    assert.equal(byIndex[0].finish_reason, 'stop');
    assertBlockedChoice(byIndex[1]);
  });

  test('a clean reply still passes', async () => {
    await assertCleanReplyPasses(gw);
  });

  testCleanShutdown(() => gw);
});
