// run.mjs -- runs the JSONL prompts of bench_pipeline through offline npm
// prompt-injection detectors, so that bench/run.sh can compare them with
// aigate on the same data, on the same machine, in the same invocation.
//
// Peers (versions pinned in package.json):
//   @andersmyrmel/vard  regex rules; "detected" = safeParse() is not safe,
//                       moderate preset (its default) with maxLength raised
//                       above the longest prompt, so that only its patterns
//                       decide (its default 10,000-character limit would
//                       otherwise reject long prompts as threats).
//   llm_guardrail       TF-IDF + logistic regression; "detected" =
//                       checkAll() is not allowed (any of its injection,
//                       jailbreak and malicious models fires), its
//                       recommended call. A second line reports its
//                       injection and jailbreak models only, the closer
//                       match to what the dataset labels.
//
// Latency is per call, measured with process.hrtime around each call
// after a short unmeasured warm-up (module and model loading is reported
// separately as load_ms; the inj+jb line reuses models already loaded). Prints one JSON line per peer, with the fields
// of bench_pipeline --json-out.
//
// usage: node run.mjs PROMPTS.jsonl [--rounds N]

import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
let path = null;
let rounds = 1; // llm_guardrail takes tens of ms per call
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--rounds") rounds = Math.max(1, parseInt(args[++i], 10));
  else path = args[i];
}
if (!path) {
  console.error("usage: node run.mjs PROMPTS.jsonl [--rounds N]");
  process.exit(2);
}

const SMALL = 2048; // bytes, as bench_pipeline's "prompts <= 2 KB"
const WARMUP = 100; // unmeasured calls before timing

function labelOf(v) {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") return v ? 1 : 0;
  if (typeof v === "string") return v === "0" || v === "benign" ? 0 : 1;
  return 0;
}

const prompts = [];
for (const line of readFileSync(path, "utf8").split("\n")) {
  if (!line.trim()) continue;
  let o;
  try {
    o = JSON.parse(line);
  } catch {
    continue;
  }
  if (typeof o.text !== "string" || o.label === undefined) continue;
  prompts.push({
    text: o.text,
    label: labelOf(o.label),
    kind: typeof o.kind === "string" ? o.kind : "",
    small: Buffer.byteLength(o.text, "utf8") <= SMALL,
  });
}
if (!prompts.length) {
  console.error(`run.mjs: no prompts in ${path}`);
  process.exit(2);
}

function pct(sorted, q) {
  if (!sorted.length) return 0;
  const k = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(k, sorted.length) - 1];
}

function score(c) {
  const precision = c.tp + c.fp ? c.tp / (c.tp + c.fp) : 0;
  const recall = c.tp + c.fn ? c.tp / (c.tp + c.fn) : 0;
  const f1 =
    precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  const fpr = c.fp + c.tn ? c.fp / (c.fp + c.tn) : 0;
  return { precision, recall, f1, fpr };
}

function count(c, label, detected) {
  if (label) detected ? c.tp++ : c.fn++;
  else detected ? c.fp++ : c.tn++;
}

// detect(text) -> boolean, possibly async.
async function bench(name, version, detectedWhen, load) {
  const t0 = process.hrtime.bigint();
  const detect = await load();
  const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;

  // Warm up the JIT on a slice; the first measured round also records
  // what was detected (the detectors are deterministic).
  for (const p of prompts.slice(0, WARMUP)) await detect(p.text);
  const detected = [];
  const all = [];
  const small = [];
  for (let r = 0; r < rounds; r++) {
    for (const p of prompts) {
      const t = process.hrtime.bigint();
      const d = await detect(p.text);
      const us = Number(process.hrtime.bigint() - t) / 1e3;
      if (r === 0) detected.push(d);
      all.push(us);
      if (p.small) small.push(us);
    }
  }
  all.sort((a, b) => a - b);
  small.sort((a, b) => a - b);

  const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
  const perKind = {};
  prompts.forEach((p, i) => {
    count(c, p.label, detected[i]);
    const k = p.kind || "(none)";
    perKind[k] ??= { c: { tp: 0, fp: 0, tn: 0, fn: 0 } };
    count(perKind[k].c, p.label, detected[i]);
  });
  const kinds = {};
  for (const [k, v] of Object.entries(perKind)) {
    const s = score(v.c);
    kinds[k] = {
      n: v.c.tp + v.c.fp + v.c.tn + v.c.fn,
      detected: v.c.tp + v.c.fp,
      recall: s.recall,
      fpr: s.fpr,
    };
  }
  console.log(
    JSON.stringify({
      name,
      version,
      detected_when: detectedWhen,
      n: prompts.length,
      load_ms: loadMs,
      p50_us: pct(all, 0.5),
      p99_us: pct(all, 0.99),
      max_us: all[all.length - 1],
      p50_us_small: pct(small, 0.5),
      p99_us_small: pct(small, 0.99),
      max_us_small: small.length ? small[small.length - 1] : 0,
      ...c,
      ...score(c),
      per_kind: kinds,
    }),
  );
}

function versionOf(pkg) {
  const url = new URL(`./node_modules/${pkg}/package.json`, import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")).version;
}

const longest = prompts.reduce((m, p) => Math.max(m, p.text.length), 0);

await bench(
  "vard",
  versionOf("@andersmyrmel/vard"),
  "safeParse(text).safe === false (moderate preset)",
  async () => {
    const { default: vard } = await import("@andersmyrmel/vard");
    const v = vard.moderate().maxLength(longest + 1);
    v.safeParse("warm up"); // first call compiles its patterns
    return (text) => !v.safeParse(text).safe;
  },
);

await bench(
  "llm_guardrail",
  versionOf("llm_guardrail"),
  "checkAll(text).allowed === false",
  async () => {
    const g = await import("llm_guardrail");
    await g.checkAll("warm up"); // loads the three models
    return async (text) => !(await g.checkAll(text)).allowed;
  },
);

await bench(
  "llm_guardrail:inj+jb",
  versionOf("llm_guardrail"),
  "checkInjection or checkJailbreak detected",
  async () => {
    const g = await import("llm_guardrail");
    await g.checkInjection("warm up");
    await g.checkJailbreak("warm up");
    return async (text) => {
      const [i, j] = await Promise.all([
        g.checkInjection(text),
        g.checkJailbreak(text),
      ]);
      return i.detected || j.detected;
    };
  },
);
