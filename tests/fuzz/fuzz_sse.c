/*
 * fuzz_sse.c -- libFuzzer target for the text/event-stream parser
 * (src/gateway/sse.c) on arbitrary bytes.
 *
 * Two oracles. First, a reference parser written here straight from the
 * WHATWG algorithm, on the whole input at once and with no limits: the
 * incremental parser must dispatch exactly its events and agree on
 * whether an event was cut at the end. Second, split invariance: the same
 * input fed whole, split in two, in pieces of pseudo-random sizes (from a
 * hash of the input, so a crash reproduces) and byte by byte must give
 * the same transcript -- events, the feed result and gw_sse_finish's --
 * also with a small limit (GW_SSE_TOO_LARGE must come at the same point)
 * and with a callback that stops after a few events.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "sse.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  return 0;
}

/* A transcript: every event as (event, NUL, length, data), then the
 * results. Two runs agree when their transcripts are byte-equal. */
typedef struct {
  char *buf;
  size_t len, cap;
  size_t events, stop_at;
} transcript;

static void put(transcript *t, const void *p, size_t n) {
  if (t->len + n > t->cap) {
    size_t cap = t->cap ? t->cap : 256;
    while (cap < t->len + n)
      cap *= 2;
    t->buf = realloc(t->buf, cap);
    FUZZ_CHECK(t->buf);
    t->cap = cap;
  }
  if (n)
    memcpy(t->buf + t->len, p, n);
  t->len += n;
}

static void put_event(transcript *t, const char *event, size_t event_len,
                      const char *data, size_t data_len) {
  put(t, event, event_len);
  put(t, "", 1);
  put(t, &data_len, sizeof(data_len));
  put(t, data, data_len);
}

static int on_event(void *ud, const char *event, const char *data, size_t len) {
  transcript *t = ud;
  FUZZ_CHECK(event && data && data[len] == '\0');
  /* Line ends never survive into a field; data lines join with LF only. */
  FUZZ_CHECK(!strpbrk(event, "\r\n"));
  FUZZ_CHECK(!memchr(data, '\r', len));
  put_event(t, event, strlen(event), data, len);
  t->events++;
  return t->stop_at && t->events == t->stop_at ? 7 : 0;
}

/* ------------------------------------------------- reference parser */

static int field_is(const char *name, size_t len, const char *want) {
  return len == strlen(want) && memcmp(name, want, len) == 0;
}

/* The standard's algorithm on a complete input. The data buffer gets
 * value + LF per data line; dispatch drops the last LF. Returns what
 * gw_sse_finish should: whether the unterminated tail held an event. */
static int reference(const char *s, size_t len, transcript *t) {
  size_t pos = 0;
  if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
    pos = 3;
  transcript data = {0}, event = {0};
  for (;;) {
    size_t end = pos;
    while (end < len && s[end] != '\r' && s[end] != '\n')
      end++;
    const char *l = s + pos;
    size_t n = end - pos;
    if (end == len) { /* an unterminated last line is discarded */
      int cut = data.len > 0;
      if (n && l[0] != ':') {
        const char *colon = memchr(l, ':', n);
        cut |= field_is(l, colon ? (size_t)(colon - l) : n, "data");
      }
      free(data.buf);
      free(event.buf);
      return cut;
    }
    pos = end + 1;
    if (s[end] == '\r' && pos < len && s[pos] == '\n')
      pos++;
    if (n == 0) {
      if (data.len) {
        /* the API hands the event type over as a C string */
        size_t elen = event.len;
        const char *nul = event.len ? memchr(event.buf, '\0', event.len) : 0;
        if (nul)
          elen = (size_t)(nul - event.buf);
        put_event(t, event.buf ? event.buf : "", elen, data.buf, data.len - 1);
      }
      data.len = 0;
      event.len = 0;
      continue;
    }
    if (l[0] == ':')
      continue;
    const char *colon = memchr(l, ':', n);
    size_t name_len = colon ? (size_t)(colon - l) : n;
    const char *value = colon ? colon + 1 : l + n;
    size_t vlen = colon ? n - name_len - 1 : 0;
    if (vlen && value[0] == ' ') {
      value++;
      vlen--;
    }
    if (field_is(l, name_len, "data")) {
      put(&data, value, vlen);
      put(&data, "\n", 1);
    } else if (field_is(l, name_len, "event")) {
      event.len = 0;
      put(&event, value, vlen);
    }
  }
}

/* ------------------------------------------------- split invariance */

typedef struct {
  uint64_t state;
} rng;

static uint64_t next(rng *r) {
  r->state ^= r->state << 13;
  r->state ^= r->state >> 7;
  r->state ^= r->state << 17;
  return r->state;
}

enum { WHOLE, TWO, RANDOM, BYTES };

/* Feed s in the pieces `how` says; the transcript ends with the first
 * non-zero feed result and gw_sse_finish's. */
static void run(const char *s, size_t len, size_t max, size_t stop_at, int how,
                uint64_t seed, transcript *t) {
  t->stop_at = stop_at;
  gw_sse *p = gw_sse_new(max, on_event, t);
  FUZZ_CHECK(p);
  rng r = {seed | 1};
  size_t at = 0, pieces = 0;
  int rc = 0;
  while (!rc && at < len) {
    size_t n = len - at;
    if (how == TWO && pieces++ == 0)
      n = seed % (len + 1); /* may be 0: an empty first piece */
    else if (how == RANDOM)
      n = next(&r) % 19; /* 0 (an empty piece) to 18 */
    else if (how == BYTES)
      n = 1;
    if (n > len - at)
      n = len - at;
    rc = gw_sse_feed(p, s + at, n);
    at += n;
    /* a stopped parser stays stopped */
    if (rc)
      FUZZ_CHECK(gw_sse_feed(p, s, len) == rc);
  }
  int cut = gw_sse_finish(p);
  gw_sse_free(p);
  put(t, &rc, sizeof(rc));
  put(t, &cut, sizeof(cut));
}

static void same(const transcript *a, const transcript *b) {
  FUZZ_CHECK(a->len == b->len);
  FUZZ_CHECK(memcmp(a->buf, b->buf, a->len) == 0);
}

static void check_splits(const char *s, size_t len, size_t max, size_t stop_at,
                         uint64_t seed, const transcript *want) {
  for (int how = TWO; how <= BYTES; how++) {
    if (how == BYTES && len > 4096)
      continue;
    transcript t = {0};
    run(s, len, max, stop_at, how, seed, &t);
    same(&t, want);
    free(t.buf);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *s = (const char *)data;
  uint64_t seed = 1469598103934665603ull; /* FNV-1a */
  for (size_t i = 0; i < size; i++)
    seed = (seed ^ data[i]) * 1099511628211ull;

  /* No limit reached: the reference's events, then rc 0 and its cut. */
  transcript ref = {0}, whole = {0};
  int cut = reference(s, size, &ref);
  int zero = 0;
  put(&ref, &zero, sizeof(zero));
  put(&ref, &cut, sizeof(cut));
  run(s, size, size + 1, 0, WHOLE, seed, &whole);
  same(&whole, &ref);
  check_splits(s, size, size + 1, 0, seed, &whole);
  free(ref.buf);
  free(whole.buf);

  /* A small limit, and a callback that stops. */
  size_t max = 1 + (size_t)(seed >> 8) % 64;
  size_t stop_at = 1 + (size_t)(seed >> 16) % 4;
  transcript small = {0}, stop = {0};
  run(s, size, max, 0, WHOLE, seed, &small);
  check_splits(s, size, max, 0, seed, &small);
  run(s, size, size + 1, stop_at, WHOLE, seed, &stop);
  check_splits(s, size, size + 1, stop_at, seed, &stop);
  FUZZ_CHECK(stop.events <= stop_at);
  free(small.buf);
  free(stop.buf);
  return 0;
}
