// harness.mjs -- start the fake upstream and `aigate serve`, talk to them.
//
// Every test file starts its own processes on free ports (port 0 and the
// port each process reports), so files are independent and can run in any
// order. Processes are killed when the file's process exits, even after a
// failed assertion or an uncaught error; test_gateway.sh additionally runs
// the whole run in its own process group and kills the group at the end.
//
// Run everything with tests/e2e/test_gateway.sh AIGATE SRCDIR; one file by
// hand with (--test-force-exit: a failed test may leave a child running)
//   cd tests/e2e && AIGATE_BIN=/path/to/aigate node --test --test-force-exit gateway/streaming.test.mjs
//
// Environment:
//   AIGATE_BIN        the aigate binary under test (required)
//   AIGATE_CACHE_DIR  compiled-rules cache shared by the run (ctest sets
//                     it; otherwise one directory under the system tmp dir)
//   AIGATE_E2E_LOGDIR where each gateway's stderr is written (optional)

import { test } from 'node:test';
import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { SECRETS } from './upstream.mjs';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const MASTER_KEY = 'sk-master-test';
export const UPSTREAM_KEY = 'sk-upstream-test';
export const DECISION_RE = /^(allow|log|redact|block)\b/;

const children = new Set();
function killAll() {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    killAll();
    process.exit(128 + os.constants.signals[sig]);
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let tmpRoot = null;
export function tmpDir() {
  if (!tmpRoot) {
    tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'aigate-e2e-'));
    process.on('exit', () => fs.rmSync(tmpRoot, { recursive: true, force: true }));
  }
  return tmpRoot;
}

export function cacheDir() {
  if (process.env.AIGATE_CACHE_DIR) return process.env.AIGATE_CACHE_DIR;
  const d = path.join(os.tmpdir(), 'aigate-e2e-cache');
  fs.mkdirSync(d, { recursive: true });
  return d;
}

export function aigateBin() {
  const bin = process.env.AIGATE_BIN;
  if (!bin) throw new Error('AIGATE_BIN is not set (test_gateway.sh sets it to the binary under test)');
  fs.accessSync(bin, fs.constants.X_OK);
  return bin;
}

/** Resolve when `proc` prints a line matching `re` on `stream`; reject if
 * it exits first or `ms` pass. Resolves with the match. */
function waitForLine(proc, stream, re, ms, what, getLog) {
  return new Promise((resolve, reject) => {
    let buf = '';
    const done = (fn, v) => {
      clearTimeout(timer);
      proc[stream].off('data', onData);
      proc.off('close', onExit);
      fn(v);
    };
    const onData = (d) => {
      buf += d.toString();
      const m = buf.match(re);
      if (m) done(resolve, m);
    };
    const onExit = (code, signal) =>
      done(
        reject,
        new Error(
          `${what} exited (code ${code}, signal ${signal}) before it was ready; its output:\n` +
            tail(getLog()),
        ),
      );
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      done(reject, new Error(`${what} not ready after ${ms} ms; its output:\n${tail(getLog())}`));
    }, ms);
    proc[stream].on('data', onData);
    proc.on('close', onExit);
  });
}

const tail = (s, n = 3000) => (s.length > n ? '...' + s.slice(-n) : s) || '(nothing)';

// --- the fake upstream ---------------------------------------------------

/**
 * Spawn a test server (stdin as given: upstream.mjs exits when its stdin
 * closes), keep its output, and wait up to 10 s for the stdout line that
 * names its port (the first group of portLine). Returns { proc, port,
 * output(), stop() }.
 */
async function startServer(cmd, args, stdin, portLine, what) {
  const proc = spawn(cmd, args, { stdio: [stdin, 'pipe', 'pipe'] });
  children.add(proc);
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  proc.on('exit', () => children.delete(proc));
  const m = await waitForLine(proc, 'stdout', portLine, 10000, what, () => out);
  return {
    proc,
    port: Number(m[1]),
    output: () => out,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await gone;
    },
  };
}

/**
 * Start upstream.mjs on a free port. Returns { port, url (…/v1), requests(),
 * clear(), stats(), stop() }.
 */
export async function startUpstream({ apiKey } = {}) {
  const args = [path.join(HERE, 'upstream.mjs'), '--port', '0'];
  if (apiKey) args.push('--api-key', apiKey);
  const { proc, port, output, stop } = await startServer(
    process.execPath, args, 'pipe', /listening (\d+)/, 'upstream.mjs');
  const origin = `http://127.0.0.1:${port}`;
  return {
    port,
    origin,
    url: `${origin}/v1`,
    proc,
    output,
    async requests() {
      const r = await fetch(`${origin}/__requests`);
      // The tests look at API calls only.
      return (await r.json()).filter((x) => x.path.startsWith('/v1/'));
    },
    async clear() {
      await fetch(`${origin}/__requests`, { method: 'DELETE' });
    },
    async stats() {
      return (await fetch(`${origin}/__stats`)).json();
    },
    stop,
  };
}

/**
 * Start the project's benchmark upstream (bench/gateway/upstream.c): a C
 * server that answers a chat completion within microseconds, faster than
 * any node server can, for the tests that need an answer to arrive while
 * the gateway is still busy sending the request. Its path is
 * $AIGATE_BENCH_UPSTREAM (set by ctest) or bench/bench_upstream beside
 * the binary under test. Returns { port, url, stop() }.
 */
export async function startFastUpstream() {
  const bin =
    process.env.AIGATE_BENCH_UPSTREAM || path.join(path.dirname(aigateBin()), 'bench', 'bench_upstream');
  fs.accessSync(bin, fs.constants.X_OK);
  const { port, stop } = await startServer(
    bin, ['--listen', '127.0.0.1:0', '--threads', '1'], 'ignore',
    /listening on http:\/\/127\.0\.0\.1:(\d+)/, 'bench_upstream');
  return { port, url: `http://127.0.0.1:${port}/v1`, stop };
}

// --- the gateway ---------------------------------------------------------

let gwCount = 0;

/**
 * Start `aigate serve --listen 127.0.0.1:0 --workers 2 [-c FILE]` and wait
 * (up to 30 s) for `aigate: listening on http://127.0.0.1:<port>` on stderr.
 *
 *   upstreamUrl  OPENAI_BASE_URL (the passthrough upstream), e.g. up.url
 *   config       YAML text written to a file and passed with -c (optional)
 *   env          extra environment (e.g. TEST_UPSTREAM_KEY)
 *
 * Returns { port, origin, baseURL, proc, configPath, log(), writeConfig(),
 * signal(), waitExit(ms), stop() }. Throws with the gateway's stderr if it
 * exits or is not ready in time -- which is what every test reports while
 * `aigate serve` is not built.
 */
export async function startGateway({ upstreamUrl, config, env = {}, workers = 2, readyMs = 30000, cwd } = {}) {
  const bin = aigateBin();
  const n = ++gwCount;
  // Its own working directory: the default database (aigate.db) and the
  // key-hashing secret beside it are created there, never in the tree.
  if (!cwd) cwd = fs.mkdtempSync(path.join(tmpDir(), `gw-${n}-`));
  const args = ['serve', '--listen', '127.0.0.1:0', '--workers', String(workers)];
  let configPath = null;
  if (config !== undefined) {
    configPath = path.join(tmpDir(), `gateway-${process.pid}-${n}.yaml`);
    fs.writeFileSync(configPath, config);
    args.push('-c', configPath);
  }
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('OPENAI_') && !k.startsWith('AIGATE_')),
  );
  const proc = spawn(bin, args, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...base,
      AIGATE_CACHE_DIR: cacheDir(),
      OPENAI_BASE_URL: upstreamUrl ?? 'http://127.0.0.1:9/v1',
      OPENAI_API_KEY: UPSTREAM_KEY,
      AIGATE_MASTER_KEY: MASTER_KEY,
      ...env,
    },
  });
  children.add(proc);
  let out = '';
  let logStream = null;
  if (process.env.AIGATE_E2E_LOGDIR) {
    fs.mkdirSync(process.env.AIGATE_E2E_LOGDIR, { recursive: true });
    const name = `${path.basename(process.argv[1] || 'gateway', '.mjs')}-${process.pid}-${n}.log`;
    logStream = fs.createWriteStream(path.join(process.env.AIGATE_E2E_LOGDIR, name));
    logStream.write(`$ ${bin} ${args.join(' ')}\n`);
  }
  const keep = (d) => {
    out += d;
    if (out.length > 1 << 20) out = out.slice(-(1 << 19));
    logStream?.write(d);
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  // 'close', not 'exit': the process has ended and its stdout and stderr
  // are read to their end, so that log() holds what it said last (the
  // lines of its shutdown, a sanitizer's report).
  const exited = new Promise((resolve) =>
    proc.on('close', (code, signal) => {
      children.delete(proc);
      resolve({ code, signal });
    }),
  );
  const m = await waitForLine(
    proc,
    'stderr',
    /aigate: listening on http:\/\/127\.0\.0\.1:(\d+)/,
    readyMs,
    `aigate serve (${bin} ${args.join(' ')})`,
    () => out,
  );
  const port = Number(m[1]);
  const origin = `http://127.0.0.1:${port}`;
  const gw = {
    port,
    origin,
    baseURL: `${origin}/v1`,
    proc,
    cwd,
    configPath,
    exited,
    log: () => out,
    writeConfig(yaml) {
      fs.writeFileSync(configPath, yaml);
    },
    signal(sig) {
      proc.kill(sig);
    },
    /** Resolves { code, signal } or null when still running after ms. */
    async waitExit(ms) {
      let timer;
      const timeout = new Promise((r) => (timer = setTimeout(() => r(null), ms)));
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    /** SIGTERM, then SIGKILL after ms; returns { code, signal, killed }. */
    async stop(ms = 10000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return { ...(await exited), killed: false };
      proc.kill('SIGTERM');
      let r = await gw.waitExit(ms);
      if (r) return { ...r, killed: false };
      proc.kill('SIGKILL');
      r = await exited;
      return { ...r, killed: true };
    },
  };
  return gw;
}

/**
 * Stop the gateway and assert it shut down cleanly: exit 0 on SIGTERM and
 * no sanitizer report on its stderr (under ASan a leak or a memory error in
 * the gateway would otherwise go unseen, since it is a child process).
 */
export async function assertCleanShutdown(gw, ms = 15000) {
  const r = await gw.stop(ms);
  assert.equal(r.killed, false, `gateway did not exit within ${ms} ms of SIGTERM`);
  assert.deepEqual(
    { code: r.code, signal: r.signal },
    { code: 0, signal: null },
    `gateway exit after SIGTERM; its output:\n${tail(gw.log())}`,
  );
  assert.doesNotMatch(gw.log(), /AddressSanitizer|LeakSanitizer|runtime error:/, tail(gw.log()));
}

// --- a suite's processes -------------------------------------------------

/**
 * What most suites run against: a fake upstream, a gateway in front of it
 * and the SDK pointed at the gateway. `gatewayOpts` are startGateway's
 * (upstreamUrl defaults to the upstream's), or a function of the upstream
 * returning them, for a config that names its URL. Returns { up, gw, sdk };
 * if the gateway does not start, stops the upstream and throws. Use as
 *
 *   let up, gw, sdk;
 *   before(async () => ({ up, gw, sdk } = await startStack()));
 *   after(() => stopStack({ up, gw }));
 */
export async function startStack(gatewayOpts = {}) {
  const up = await startUpstream();
  try {
    const opts = typeof gatewayOpts === 'function' ? await gatewayOpts(up) : gatewayOpts;
    const gw = await startGateway({ upstreamUrl: up.url, ...opts });
    return { up, gw, sdk: client(gw) };
  } catch (e) {
    await up.stop();
    throw e;
  }
}

/** Stop what startStack started (either may be missing if it failed). */
export async function stopStack({ up, gw }) {
  await gw?.stop(2000);
  await up?.stop();
}

/** The last test of a suite: its gateway (`getGw()`, set in before())
 * shuts down cleanly, see assertCleanShutdown. */
export function testCleanShutdown(getGw) {
  test('gateway exits 0 on SIGTERM with no sanitizer report', async () => {
    await assertCleanShutdown(getGw());
  });
}

/** An OPENAI_BASE_URL where nothing listens. */
export const deadUpstreamUrl = async () => `http://127.0.0.1:${await deadPort()}/v1`;

// --- clients -------------------------------------------------------------

/** The official SDK pointed at the gateway. maxRetries 0: the SDK's own
 * retries would hide what the gateway did. */
export function client(gw, opts = {}) {
  return new OpenAI({ baseURL: gw.baseURL, apiKey: MASTER_KEY, maxRetries: 0, timeout: 30000, ...opts });
}

/** The content that steers upstream.mjs. */
export const mock = (o) => `MOCK:${JSON.stringify(o)}`;

/** A minimal chat request whose last user message is `content`. */
export const chat = (content, extra = {}) => ({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content }],
  ...extra,
});

/**
 * One HTTP request with fetch. body: object (sent as JSON), string/Buffer
 * (sent as is) or undefined. Returns { status, headers, text, json }.
 */
export async function request(gw, method, urlPath, body, { headers = {}, key = MASTER_KEY, signal } = {}) {
  const h = { ...headers };
  if (key !== null) h.authorization = `Bearer ${key}`;
  let payload = body;
  if (body !== undefined && typeof body === 'object' && !Buffer.isBuffer(body)) {
    payload = JSON.stringify(body);
  }
  if (payload !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === 'content-type'))
    h['content-type'] = 'application/json';
  const res = await fetch(gw.origin + urlPath, { method, headers: h, body: payload, signal });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, text, json };
}

export const post = (gw, urlPath, body, opts) => request(gw, 'POST', urlPath, body, opts);

/**
 * POST `body` (JSON) to /v1/chat/completions with node:http over `agent`,
 * which fetch cannot be given (to hold a keep-alive connection, count
 * sockets, or open a thousand at once). Resolves { status, body (text) };
 * gives up after 60 s.
 */
export function postWithAgent(agent, gw, body) {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request(
      `${gw.origin}/v1/chat/completions`,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${MASTER_KEY}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        const parts = [];
        res.on('data', (d) => parts.push(d));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(parts).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.setTimeout(60000, () => req.destroy(new Error('request timed out after 60 s')));
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * Parse a text/event-stream body incrementally. Returns an async iterator
 * of { data } events (comments and other fields are skipped).
 */
export async function* sseEvents(body) {
  const dec = new TextDecoder();
  let buf = '';
  for await (const part of body) {
    buf += dec.decode(part, { stream: true });
    buf = buf.replace(/\r\n/g, '\n');
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      if (block.split('\n').some((l) => l.startsWith('data:'))) yield { data };
    }
  }
  if (buf.trim()) yield { data: null, trailing: buf };
}

/**
 * A streaming request read to the end with fetch. Returns { status,
 * headers, chunks (parsed JSON events before [DONE]), done (saw [DONE]),
 * afterDone (events after it), trailing (an unterminated event), error
 * (a transport error while reading), text (the error body, non-SSE) }.
 */
export async function streamRaw(gw, body, { key = MASTER_KEY, path: urlPath = '/v1/chat/completions' } = {}) {
  const res = await fetch(gw.origin + urlPath, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, stream: true }),
  });
  const out = { status: res.status, headers: res.headers, chunks: [], done: false, afterDone: [], trailing: null, error: null };
  if (!(res.headers.get('content-type') || '').startsWith('text/event-stream')) {
    out.text = await res.text();
    try {
      out.json = JSON.parse(out.text);
    } catch {
      out.json = null;
    }
    return out;
  }
  try {
    for await (const ev of sseEvents(res.body)) {
      if (ev.data === null) {
        out.trailing = ev.trailing;
        continue;
      }
      if (out.done) {
        out.afterDone.push(ev.data);
        continue;
      }
      if (ev.data === '[DONE]') {
        out.done = true;
        continue;
      }
      out.chunks.push(JSON.parse(ev.data));
    }
  } catch (e) {
    out.error = e;
  }
  return out;
}

/**
 * Iterate an SDK chat stream to its end. Returns { chunks, text (the first
 * choice's delta content, concatenated), finish (its last finish_reason,
 * or null) }.
 */
export async function readSdkStream(stream) {
  const chunks = [];
  let text = '';
  let finish = null;
  for await (const c of stream) {
    chunks.push(c);
    text += c.choices[0]?.delta?.content ?? '';
    finish = c.choices[0]?.finish_reason ?? finish;
  }
  return { chunks, text, finish };
}

/** Concatenated delta content per choice index of parsed chat chunks. */
export function contentByChoice(chunks) {
  const out = {};
  for (const c of chunks)
    for (const ch of c.choices || []) {
      out[ch.index] = (out[ch.index] ?? '') + (ch.delta?.content ?? ch.text ?? '');
    }
  return out;
}

/** Tool calls reassembled from chat chunks: { [choice]: { [i]: {id, name, arguments} } }. */
export function toolCallsByChoice(chunks) {
  const out = {};
  for (const c of chunks)
    for (const ch of c.choices || [])
      for (const tc of ch.delta?.tool_calls || []) {
        const calls = (out[ch.index] ??= {});
        const t = (calls[tc.index] ??= { id: undefined, name: '', arguments: '' });
        if (tc.id) t.id = tc.id;
        if (tc.function?.name) t.name += tc.function.name;
        if (tc.function?.arguments) t.arguments += tc.function.arguments;
      }
  return out;
}

/** finish_reason per choice index (the last non-null one seen). */
export function finishByChoice(chunks) {
  const out = {};
  for (const c of chunks)
    for (const ch of c.choices || []) if (ch.finish_reason) out[ch.index] = ch.finish_reason;
  return out;
}

// --- assertions ----------------------------------------------------------

/** Every secret the canned replies of upstream.mjs carry. */
export const ALL_SECRETS = [
  SECRETS.aws_key_id,
  SECRETS.aws_secret,
  SECRETS.aws_key_id_2,
  SECRETS.aws_secret_2,
  ...SECRETS.pem_body,
  SECRETS.jwt,
  SECRETS.email,
];

/** `text` holds none of ALL_SECRETS; with `prefixes`, not even the first
 * 12 characters of one (a partial leak). */
export function assertNoSecrets(text, what = 'response', { prefixes = false } = {}) {
  for (const s of ALL_SECRETS) {
    assert.ok(!text.includes(s), `${what} leaks ${s.slice(0, 12)}...`);
    if (prefixes) assert.ok(!text.includes(s.slice(0, 12)), `${what} leaks the start of ${s.slice(0, 12)}...`);
  }
}

/** The three headers every gateway response carries; `decision` is a
 * RegExp or exact prefix to check x-aigate-decision against. */
export function assertAigateHeaders(headers, decision) {
  const get = (k) => (typeof headers.get === 'function' ? headers.get(k) : headers[k]);
  const id = get('x-aigate-request-id');
  assert.ok(id && String(id).length > 0, 'x-aigate-request-id missing');
  const d = get('x-aigate-decision');
  assert.match(String(d), DECISION_RE, `x-aigate-decision is ${d}`);
  if (decision instanceof RegExp) assert.match(d, decision, `x-aigate-decision is ${d}`);
  else if (decision) assert.equal(d.split(' ')[0], decision, `x-aigate-decision is ${d}`);
  const ms = get('x-aigate-overhead-ms');
  assert.ok(ms !== null && ms !== undefined, 'x-aigate-overhead-ms missing');
  assert.ok(/^\d+(\.\d+)?$/.test(String(ms).trim()), `x-aigate-overhead-ms is "${ms}", not a number`);
}

/**
 * An OpenAI-style error response: the status, Content-Type
 * application/json, { error: { message: string, type, param (present),
 * code } }, the gateway's headers. `code`/`type` may be strings or RegExps.
 */
export function assertOpenAIError(res, status, { code, type } = {}) {
  const ctx = `HTTP ${res.status} ${(res.text ?? '').slice(0, 500)}`;
  assert.equal(res.status, status, ctx);
  const ct = res.headers.get('content-type') || '';
  assert.match(ct, /^application\/json/, `Content-Type is "${ct}"; ${ctx}`);
  assert.ok(res.json && typeof res.json.error === 'object' && res.json.error !== null, `no error object; ${ctx}`);
  const e = res.json.error;
  assert.equal(typeof e.message, 'string', ctx);
  assert.ok(e.message.length > 0, ctx);
  assert.ok('param' in e, `error.param missing; ${ctx}`);
  assert.ok('type' in e && typeof e.type === 'string', `error.type missing; ${ctx}`);
  assert.ok('code' in e, `error.code missing; ${ctx}`);
  const check = (want, got, what) => {
    if (want instanceof RegExp) assert.match(String(got), want, `${what}; ${ctx}`);
    else if (want !== undefined) assert.equal(got, want, `${what}; ${ctx}`);
  };
  check(code, e.code, 'error.code');
  check(type, e.type, 'error.type');
  assertAigateHeaders(res.headers);
  return e;
}

/** Poll fn() until it returns a truthy value; fail after ms. */
export async function waitFor(fn, ms, what) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > end) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * A TCP port of 127.0.0.1 held by a helper process on a socket that is
 * bound but does not listen: a connection to it is refused, and no other
 * socket can be bound to it or given it as an ephemeral port until
 * release() (a port bound and closed at once, then used seconds later,
 * could meanwhile be taken by any process on the machine). Resolves
 * { port, release() }; release() resolves once the port is free, for
 * whoever is to listen on it next.
 */
export async function reservePort() {
  const code = [
    'import socket, sys',
    's = socket.socket()',
    "s.bind(('127.0.0.1', 0))",
    'print(s.getsockname()[1], flush=True)',
    'sys.stdin.read()',
  ].join('\n');
  const proc = spawn('python3', ['-c', code], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(proc);
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  const closed = new Promise((resolve) =>
    proc.on('close', () => {
      children.delete(proc);
      resolve();
    }),
  );
  const m = await waitForLine(proc, 'stdout', /^(\d+)\n/, 30000, 'python3 holding a port', () => out);
  return {
    port: Number(m[1]),
    async release() {
      proc.stdin.end();
      await closed;
    },
  };
}

/** A port nothing listens on, held so until the test file ends. */
export async function deadPort() {
  return (await reservePort()).port;
}

/** Try a TCP connection: 'connected' or the error code (ECONNREFUSED...). */
export function tryConnect(port, ms = 1000) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const t = setTimeout(() => {
      s.destroy();
      resolve('timeout');
    }, ms);
    s.on('connect', () => {
      clearTimeout(t);
      s.destroy();
      resolve('connected');
    });
    s.on('error', (e) => {
      clearTimeout(t);
      resolve(e.code || 'error');
    });
  });
}

/** curl with arguments (no shell). Resolves { code, stdout, stderr }. */
export function curl(args, { timeoutMs = 30000 } = {}) {
  return new Promise((resolve) => {
    execFile(
      'curl',
      ['--silent', '--show-error', '--max-time', String(Math.ceil(timeoutMs / 1000)), ...args],
      { maxBuffer: 64 << 20, encoding: 'utf8' },
      (err, stdout, stderr) => resolve({ code: err ? err.code ?? 1 : 0, stdout, stderr }),
    );
  });
}

/** Split curl -i output into { status, headers (lower-case), body }. Skips
 * interim 100 Continue responses. */
export function parseCurlInclude(out) {
  let rest = out;
  for (;;) {
    const i = rest.indexOf('\r\n\r\n');
    if (i < 0) return { status: 0, headers: {}, body: rest };
    const head = rest.slice(0, i).split('\r\n');
    rest = rest.slice(i + 4);
    const status = Number(head[0].split(' ')[1]);
    if (status === 100) continue;
    const headers = {};
    for (const l of head.slice(1)) {
      const j = l.indexOf(':');
      if (j > 0) headers[l.slice(0, j).trim().toLowerCase()] = l.slice(j + 1).trim();
    }
    return { status, headers, body: rest };
  }
}

/** A YAML model_list with one entry per [model_name, upstream_model]. */
export function modelListYaml(upstreamUrl, models, keyVar = 'TEST_UPSTREAM_KEY') {
  return (
    'model_list:\n' +
    models
      .map(
        ([name, upstreamModel]) =>
          `  - model_name: ${name}\n` +
          '    litellm_params:\n' +
          `      model: openai/${upstreamModel}\n` +
          `      api_base: ${upstreamUrl}\n` +
          `      api_key: os.environ/${keyVar}\n`,
      )
      .join('')
  );
}

/** `tools` for a request whose mocked reply is a tool call (the fake
 * upstream calls whatever tool its `tool_call` names). */
export const TOOLS = [
  { type: 'function', function: { name: 'deploy', parameters: { type: 'object' } } },
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Current weather and forecast for a city',
      parameters: {
        type: 'object',
        properties: {
          city: { type: 'string', maxLength: 100 },
          unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
          days: { type: 'integer', minimum: 1, maximum: 14 },
        },
        required: ['city'],
        additionalProperties: false,
      },
    },
  },
];

/** Policy that blocks secrets instead of redacting them (docs/config.md):
 * a critical secret scores 5 = the paranoia-2 threshold, so it blocks. */
export const BLOCK_SECRETS_YAML = 'policy:\n  categories:\n    secrets: {action: block}\n';
