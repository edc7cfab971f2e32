// preflight.mjs -- can `aigate serve` start at all? test_gateway.sh runs
// this before the suites so that a gateway that cannot start is reported
// once, with its own words, instead of as a hundred cancelled tests.
// Exit 0: it listened and answered /health/live. Exit 1: it did not; the
// reason is on stderr.

import { startUpstream, startGateway, request } from './harness.mjs';

let up;
let gw;
try {
  up = await startUpstream();
  gw = await startGateway({ upstreamUrl: up.url });
  const h = await request(gw, 'GET', '/health/live', undefined, { key: null });
  if (h.status !== 200) throw new Error(`GET /health/live answered ${h.status}: ${h.text.slice(0, 300)}`);
  process.stdout.write(`preflight: aigate serve listens on ${gw.origin} and is live\n`);
  await gw.stop(5000);
  await up.stop();
  process.exit(0);
} catch (e) {
  process.stderr.write(`preflight: aigate serve cannot be tested: ${e.message}\n`);
  await gw?.stop(1000);
  await up?.stop();
  process.exit(1);
}
