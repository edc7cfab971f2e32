-- post.lua -- wrk script of bench/gateway/run.sh: POST a chat request,
-- optionally pace each connection, print exact figures at the end.
--
-- environment:
--   BENCH_BODY_FILE  the JSON body (required)
--   BENCH_KEY        sent as "Authorization: Bearer <key>" when set
--   BENCH_DELAY_MS   pause before each request of a connection (default 0:
--                    closed loop, as fast as answers come). wrk does not
--                    count the pause in the latency.
--   BENCH_UNIQUE     1 (default): every request's last message ends with
--                    its own "(ticket N)", as real prompts differ, so
--                    that nothing is served from a cache of texts seen
--                    before; 0: the body as it is, every time
--
-- done() prints one line that run.sh parses:
--   RESULT requests=N duration_us=N rps=F p50_us=N p90_us=N p99_us=N
--          p999_us=N max_us=N mean_us=F non2xx=N connect=N read=N
--          write=N timeout=N
-- Percentiles are wrk's own histogram (1 us resolution), not the rounded
-- text of --latency. non2xx counts answers with a status above 399.

local path = os.getenv("BENCH_BODY_FILE")
assert(path, "BENCH_BODY_FILE is not set")
local f = assert(io.open(path, "rb"))
local body = f:read("*a"):gsub("%s+$", "")
f:close()

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
local key = os.getenv("BENCH_KEY")
if key and key ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. key
end

-- A unique ticket per request: thread number and a counter, spliced in
-- before the closing quote of the last message's content.
if (os.getenv("BENCH_UNIQUE") or "1") ~= "0" then
  local at = body:match('^.*()"}%]')
  assert(at, "BENCH_UNIQUE: no closing message in the body")
  local head, tail = body:sub(1, at - 1), body:sub(at)
  local threads = 0
  function setup(thread)
    threads = threads + 1
    thread:set("thread_id", threads)
  end
  local n = 0
  function request()
    n = n + 1
    return wrk.format(nil, nil, nil,
      string.format("%s (ticket %d-%d)%s", head, thread_id or 0, n, tail))
  end
end

local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0") or 0
if pause > 0 then
  function delay()
    return pause
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d " ..
    "p99_us=%d p999_us=%d max_us=%d mean_us=%.1f non2xx=%d connect=%d " ..
    "read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9), latency.max, latency.mean, e.status,
    e.connect, e.read, e.write, e.timeout))
end
