// streams.mjs -- the stream test of bench/gateway/run.sh: hold many
// streaming chat requests open at once through a proxy and measure the
// proxy's resident memory per open stream.
//
// usage: node streams.mjs --url URL --pids PID[,PID...] [--key KEY]
//          [--streams K] [--model NAME] [--ramp N] [--rounds R]
//          [--timeout-s S] [--label NAME]
//
// The model name tells bench_upstream how to pace the stream
// ("bench-c30-d1000": 30 words, one a second), so the upstream holds every
// stream open for about chunks x delay. Each round: a short warm-up (so
// that per-worker caches and pools exist before the baseline), the
// baseline RSS (VmRSS of the pids, summed: nginx has a master and
// workers), then K requests opened with at most --ramp of them waiting
// for their response headers, then, once every stream has received an
// event, RSS sampled while all are open, then the end of every stream and
// the RSS after. A stream counts as good when it got status 200, at least
// one event before the sample, text, and `data: [DONE]`.
//
// Prints human lines, then one line "STREAMS {json}" per round for
// run.sh. Only node's own modules: http with an Agent without a socket
// limit (node's default pools would queue the requests).
import http from "node:http";
import fs from "node:fs";

function parseArgs(argv) {
  const o = {
    url: "",
    pids: [],
    key: "",
    streams: 5000,
    model: "bench-c30-d1000",
    ramp: 200,
    rounds: 1,
    timeoutS: 120,
    label: "proxy",
  };
  for (let i = 2; i < argv.length; i += 2) {
    const k = argv[i],
      v = argv[i + 1];
    if (v === undefined) throw new Error(`${k}: missing value`);
    if (k === "--url") o.url = v;
    else if (k === "--pids") o.pids = v.split(",").filter(Boolean).map(Number);
    else if (k === "--key") o.key = v;
    else if (k === "--streams") o.streams = Number(v);
    else if (k === "--model") o.model = v;
    else if (k === "--ramp") o.ramp = Number(v);
    else if (k === "--rounds") o.rounds = Number(v);
    else if (k === "--timeout-s") o.timeoutS = Number(v);
    else if (k === "--label") o.label = v;
    else throw new Error(`unknown option ${k}`);
  }
  if (!o.url || !o.pids.length) throw new Error("--url and --pids are required");
  return o;
}

// Resident memory in KiB, summed over the pids (and, for nginx, found
// again each time: its workers are the master's children).
function rssKiB(pids) {
  let sum = 0;
  const all = new Set(pids);
  for (const p of pids) {
    try {
      const kids = fs.readFileSync(`/proc/${p}/task/${p}/children`, "utf8");
      for (const c of kids.split(/\s+/).filter(Boolean)) all.add(Number(c));
    } catch {}
  }
  for (const p of all) {
    const s = fs.readFileSync(`/proc/${p}/status`, "utf8");
    const m = /VmRSS:\s+(\d+) kB/.exec(s);
    if (m) sum += Number(m[1]);
  }
  return sum;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Resolves to true after ms unless p settles first (then false); the
// timer is cleared so that it does not keep node alive.
async function timedOut(p, ms) {
  let t;
  const expired = new Promise((r) => (t = setTimeout(() => r(true), ms)));
  try {
    return await Promise.race([p.then(() => false), expired]);
  } finally {
    clearTimeout(t);
  }
}

// One streaming request; resolves when it ends, either way.
function openStream(o, agent, st, onEvent) {
  return new Promise((resolve) => {
    const body = JSON.stringify({
      model: o.model,
      stream: true,
      messages: [{ role: "user", content: "Tell me a short story about a cat." }],
    });
    const u = new URL(o.url);
    const headers = {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
    };
    if (o.key) headers.authorization = `Bearer ${o.key}`;
    const req = http.request(
      { host: u.hostname, port: u.port, path: u.pathname, method: "POST", headers, agent },
      (res) => {
        st.status = res.statusCode;
        st.headersAt = Date.now();
        let buf = "";
        res.setEncoding("utf8");
        res.on("data", (d) => {
          buf += d;
          let i;
          while ((i = buf.indexOf("\n\n")) >= 0) {
            const ev = buf.slice(0, i);
            buf = buf.slice(i + 2);
            for (const line of ev.split("\n")) {
              if (!line.startsWith("data: ")) continue;
              const data = line.slice(6);
              if (!st.events++) onEvent();
              if (data === "[DONE]") {
                st.done = true;
                continue;
              }
              try {
                const j = JSON.parse(data);
                if (j.error) st.error = j.error.code || "error";
                const c = j.choices && j.choices[0];
                const t = c && c.delta && c.delta.content;
                if (t) st.text += t;
              } catch {
                st.error = "bad json";
              }
            }
          }
        });
        res.on("end", () => resolve());
        res.on("error", (e) => {
          st.error = e.code || String(e);
          resolve();
        });
      },
    );
    req.on("error", (e) => {
      st.error = e.code || String(e);
      resolve();
    });
    req.end(body);
  });
}

async function round(o, n) {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  // Warm-up: a few short streams so that the baseline includes what
  // any first request allocates once (scratch, pools, caches).
  const warm = { ...o, model: "bench-c3-d10" };
  await Promise.all(
    Array.from({ length: 50 }, () => openStream(warm, agent, { events: 0, text: "" }, () => {})),
  );
  await sleep(500);
  const rssBefore = rssKiB(o.pids);

  const states = [];
  const ends = [];
  let withEvent = 0;
  let allEvented;
  const everyoneHasData = new Promise((r) => (allEvented = r));
  let pending = 0;
  let wake = null;
  const t0 = Date.now();
  for (let i = 0; i < o.streams; i++) {
    while (pending >= o.ramp) await new Promise((r) => (wake = r));
    const st = { events: 0, text: "", done: false, status: 0, error: "" };
    states.push(st);
    pending++;
    let counted = false;
    const settle = () => {
      if (!counted) {
        counted = true;
        pending--;
        if (wake) {
          const w = wake;
          wake = null;
          w();
        }
      }
    };
    ends.push(
      openStream(o, agent, st, () => {
        settle();
        if (++withEvent === o.streams) allEvented();
      }).then(() => {
        st.ended = Date.now();
        settle();
      }),
    );
  }
  const opened = Date.now();
  const late = await timedOut(everyoneHasData, o.timeoutS * 1000);
  const ready = Date.now();
  // Several samples while every stream is open; the largest is reported
  // (RSS moves a little as chunks pass through).
  let rssOpen = 0;
  for (let k = 0; k < 5; k++) {
    rssOpen = Math.max(rssOpen, rssKiB(o.pids));
    await sleep(200);
  }
  const openAtSample = states.filter((s) => s.events > 0 && !s.ended).length;
  const withTextAtSample = states.filter((s) => s.text.length > 0).length;
  await timedOut(Promise.all(ends), o.timeoutS * 1000);
  const finished = Date.now();
  await sleep(2000);
  const rssAfter = rssKiB(o.pids);
  agent.destroy();

  const good = states.filter(
    (s) => s.status === 200 && s.events > 0 && s.text.length > 0 && s.done && !s.error,
  ).length;
  const errors = {};
  for (const s of states) {
    const why = s.error || (s.status !== 200 ? `status ${s.status}` : !s.done ? "no [DONE]" : !s.text ? "no text" : "");
    if (why) errors[why] = (errors[why] || 0) + 1;
  }
  const r = {
    label: o.label,
    round: n,
    streams: o.streams,
    model: o.model,
    ramp_s: (opened - t0) / 1000,
    all_evented_s: late ? null : (ready - t0) / 1000,
    open_at_sample: openAtSample,
    with_text_at_sample: withTextAtSample,
    good,
    errors,
    rss_before_kib: rssBefore,
    rss_open_kib: rssOpen,
    rss_after_kib: rssAfter,
    kib_per_stream: Number(((rssOpen - rssBefore) / o.streams).toFixed(2)),
    duration_s: (finished - t0) / 1000,
  };
  console.log(
    `${o.label} round ${n}: ${openAtSample}/${o.streams} streams open at the sample ` +
      `(all opened in ${r.ramp_s} s, all with an event after ${r.all_evented_s ?? "-"} s; ` +
      `${withTextAtSample} with text so far), RSS ${rssBefore} -> ${rssOpen} KiB ` +
      `(${r.kib_per_stream} KiB/stream), ${rssAfter} KiB after; ${good}/${o.streams} ` +
      `complete with text and [DONE]` +
      (Object.keys(errors).length ? `; problems: ${JSON.stringify(errors)}` : ""),
  );
  console.log(`STREAMS ${JSON.stringify(r)}`);
}

const o = parseArgs(process.argv);
for (let n = 1; n <= o.rounds; n++) await round(o, n);
