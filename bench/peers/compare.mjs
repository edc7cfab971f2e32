// compare.mjs -- the comparison table of bench/run.sh: aigate's line from
// bench_pipeline --json-out against the peers' lines from run.mjs, with
// ratios so that "how much faster" and "how much better" are read off
// directly rather than computed by the reader.
//
// Ratios, each > 1 when aigate is better:
//   speed  = peer latency / aigate latency (p50 and p99, all prompts)
//   F1     = aigate F1 / peer F1
//   FPR    = peer FPR / aigate FPR (false positives)
// A ratio with a zero denominator prints as "inf" (e.g. aigate had no
// false positives and the peer some), 0/0 as "1.0x".
//
// usage: node compare.mjs AIGATE.json PEERS.jsonl

import { readFileSync } from "node:fs";

const [aigateFile, peersFile] = process.argv.slice(2);
if (!aigateFile) {
  console.error("usage: node compare.mjs AIGATE.json [PEERS.jsonl]");
  process.exit(2);
}
const lines = (f) =>
  readFileSync(f, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
const rows = [...lines(aigateFile), ...(peersFile ? lines(peersFile) : [])];
const base = rows[0];

const pad = (s, n) => String(s).padStart(n);
const num = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "-");
const ratio = (a, b) => {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return "n/a";
  if (b > 0) return (a / b).toFixed(1) + "x";
  return a > 0 ? "inf" : "1.0x"; // x/0: aigate had none (FPR) or the peer none (F1)
};

const head = [
  "detector".padEnd(22),
  pad("p50 us", 9),
  pad("p99 us", 9),
  pad("p50<=2KB", 9),
  pad("p99<=2KB", 9),
  pad("prec", 6),
  pad("recall", 6),
  pad("F1", 6),
  pad("FPR", 6),
  pad("speed p50", 10),
  pad("speed p99", 10),
  pad("F1 ratio", 9),
  pad("FPR ratio", 10),
].join(" ");
console.log(head);
console.log("-".repeat(head.length));
for (const r of rows) {
  const self = r === base;
  console.log(
    [
      r.name.padEnd(22),
      pad(num(r.p50_us), 9),
      pad(num(r.p99_us), 9),
      pad(num(r.p50_us_small), 9),
      pad(num(r.p99_us_small), 9),
      pad(num(r.precision, 3), 6),
      pad(num(r.recall, 3), 6),
      pad(num(r.f1, 3), 6),
      pad(num(r.fpr, 3), 6),
      pad(self ? "1.0x" : ratio(r.p50_us, base.p50_us), 10),
      pad(self ? "1.0x" : ratio(r.p99_us, base.p99_us), 10),
      pad(self ? "1.0x" : ratio(base.f1, r.f1), 9),
      pad(self ? "1.0x" : ratio(r.fpr, base.fpr), 10),
    ].join(" "),
  );
}
console.log("\nratios > 1 favour aigate (speed: peer/aigate latency; F1: aigate/peer; FPR: peer/aigate)");
console.log("detected when:");
for (const r of rows) console.log(`  ${r.name} ${r.version}: ${r.detected_when}`);

// Recall per attack kind and FPR per benign kind, side by side.
const kinds = [...new Set(rows.flatMap((r) => Object.keys(r.per_kind || {})))];
if (kinds.length) {
  console.log("\nper kind: detected / n (recall for attack kinds, FPR for benign kinds)");
  console.log(["kind".padEnd(16), ...rows.map((r) => pad(r.name, 22))].join(" "));
  for (const k of kinds) {
    const cells = rows.map((r) => {
      const v = r.per_kind?.[k];
      return pad(v ? `${v.detected}/${v.n} (${((100 * v.detected) / v.n).toFixed(1)}%)` : "-", 22);
    });
    console.log([k.padEnd(16), ...cells].join(" "));
  }
}
