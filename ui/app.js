// The dashboard: signs in with the master key or the dashboard key (kept
// in this tab's sessionStorage only), polls /ui/api/overview every two
// seconds and draws it. Every value from the server is inserted as text,
// never as HTML.
'use strict';

const $ = (id) => document.getElementById(id);
const POLL_MS = 2000;
let key = sessionStorage.getItem('aigate-key');
let timer = null;
const charts = {};

function fmt(n, digits = 0) {
  return Number(n || 0).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function time(ms) {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

// Replace a table's rows: each row an array of [text, className?].
function rows(tableId, data) {
  const body = $(tableId).tBodies[0];
  body.replaceChildren(
    ...data.map((cells) => {
      const tr = document.createElement('tr');
      for (const c of cells) {
        const td = document.createElement('td');
        const [text, cls] = Array.isArray(c) ? c : [c];
        td.textContent = text;
        if (cls) td.className = cls;
        tr.appendChild(td);
      }
      return tr;
    }),
  );
}

function chart(id, title, series, data) {
  const el = $(id);
  const width = Math.max(320, el.clientWidth - 2);
  if (!charts[id]) {
    charts[id] = new uPlot({ title, width, height: 220, series, axes: [{}, {}] }, data, el);
  } else {
    charts[id].setData(data);
    if (charts[id].width !== width) charts[id].setSize({ width, height: 220 });
  }
}

function render(o) {
  const d = o.decisions || {};
  for (const k of ['allow', 'log', 'redact', 'block']) $(`n-${k}`).textContent = fmt(d[k]);
  $('n-alerts').textContent = fmt((o.alerts || []).length);
  $('n-p95').textContent = fmt(o.latency_ms.overhead_p95, 2);
  $('n-streams').textContent = fmt(o.open_streams);
  const s = o.series;
  chart(
    'chart-decisions',
    '',
    [
      {},
      { label: 'allow', stroke: '#3b7dd8' },
      { label: 'log', stroke: '#8a8f98' },
      { label: 'redact', stroke: '#d99a1e' },
      { label: 'block', stroke: '#c0362c', width: 2 },
    ],
    [s.t, s.allow, s.log, s.redact, s.block],
  );
  chart('chart-latency', '', [{}, { label: 'overhead ms', stroke: '#2f9e6e' }], [s.t, s.overhead_ms]);
  rows(
    'rules',
    (o.top_rules || []).map((r) => [r.labels.rule, r.labels.category, fmt(r.value)]),
  );
  rows(
    'keys',
    (o.keys || []).map((k) => [k.key, fmt(k.requests), fmt(k.blocked), fmt(k.tokens), fmt(k.spend_usd, 6)]),
  );
  rows(
    'alerts',
    (o.alerts || []).map((a) => [
      time(a.ts_ms),
      a.key_id || '',
      a.signal + (a.detail ? `: ${a.detail}` : ''),
      [a.severity, `sev-${a.severity}`],
      fmt(a.observed, 1),
      fmt(a.baseline, 1),
      a.action || '',
      a.request_ids || '',
    ]),
  );
  rows(
    'blocked',
    (o.blocked || []).map((b) => [time(b.ts_ms), b.id, b.key_id || 'master', b.model || '', b.rules || '']),
  );
  $('status').textContent = `updated ${time(o.now_ms)} UTC`;
}

async function poll() {
  try {
    const r = await fetch('/ui/api/overview', { headers: { authorization: `Bearer ${key}` }, cache: 'no-store' });
    if (r.status === 401 || r.status === 403) {
      signOut('That key does not open the dashboard.');
      return;
    }
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    render(await r.json());
  } catch (e) {
    $('status').textContent = `cannot reach the gateway (${e.message})`;
  }
  timer = setTimeout(poll, POLL_MS);
}

function signIn(k) {
  key = k;
  sessionStorage.setItem('aigate-key', k);
  $('login').hidden = true;
  $('dash').hidden = false;
  $('logout').hidden = false;
  clearTimeout(timer);
  poll();
}

function signOut(message) {
  key = null;
  sessionStorage.removeItem('aigate-key');
  clearTimeout(timer);
  $('dash').hidden = true;
  $('logout').hidden = true;
  $('login').hidden = false;
  $('status').textContent = 'not signed in';
  $('login-error').textContent = message || '';
}

$('login').addEventListener('submit', (e) => {
  e.preventDefault();
  $('login-error').textContent = '';
  signIn($('key').value);
  $('key').value = '';
});
$('logout').addEventListener('click', () => signOut());
if (key) signIn(key);
