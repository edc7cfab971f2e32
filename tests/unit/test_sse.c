/*
 * test_sse.c -- unit tests for the text/event-stream parser
 * (src/gateway/sse.c).
 *
 * The property that matters most to the gateway is split invariance: the
 * network delivers a stream in arbitrary pieces, and the events must not
 * depend on where the cuts fall. A stream that exercises every rule of the
 * format (BOM, CRLF/CR/LF, comments, multi-line data, event types, id and
 * retry, fields without a colon) is fed whole, at every 2-way and 3-way
 * split, and byte by byte, and must always give the same events. The rules
 * themselves are then checked one at a time, with the limits and
 * gw_sse_finish.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sse.h"

/* ------------------------------------------------------------ helpers */

#define MAX_EVENTS 64

typedef struct {
  char *event, *data;
  size_t data_len;
} event;

typedef struct {
  event ev[MAX_EVENTS];
  size_t n;
  size_t stop_at; /* return stop_rc on this event (1-based); 0: never */
  int stop_rc;
} events;

static int record(void *ud, const char *ev, const char *data, size_t len) {
  events *e = ud;
  assert_non_null(ev);
  assert_non_null(data);
  assert_int_equal(data[len], '\0');
  assert_true(e->n < MAX_EVENTS);
  event *x = &e->ev[e->n++];
  x->event = strdup(ev);
  x->data = malloc(len + 1);
  assert_non_null(x->event);
  assert_non_null(x->data);
  memcpy(x->data, data, len + 1);
  x->data_len = len;
  if (e->stop_at && e->n == e->stop_at)
    return e->stop_rc;
  return 0;
}

static void events_clear(events *e) {
  for (size_t i = 0; i < e->n; i++) {
    free(e->ev[i].event);
    free(e->ev[i].data);
  }
  e->n = 0;
}

static void events_equal(const events *a, const events *b, const char *how) {
  if (a->n != b->n)
    fail_msg("%s: %zu events, want %zu", how, a->n, b->n);
  for (size_t i = 0; i < a->n; i++) {
    if (strcmp(a->ev[i].event, b->ev[i].event) ||
        a->ev[i].data_len != b->ev[i].data_len ||
        memcmp(a->ev[i].data, b->ev[i].data, a->ev[i].data_len))
      fail_msg("%s: event %zu is (%s, %s), want (%s, %s)", how, i,
               a->ev[i].event, a->ev[i].data, b->ev[i].event, b->ev[i].data);
  }
}

/* Feed `s` in the pieces delimited by cuts[0..n_cuts) (increasing
 * offsets). Returns the first non-zero feed result, else 0; *cut gets
 * what gw_sse_finish said. */
static int feed_cuts(const char *s, size_t len, const size_t *cuts,
                     size_t n_cuts, size_t max, events *e, int *cut) {
  gw_sse *p = gw_sse_new(max, record, e);
  assert_non_null(p);
  size_t at = 0;
  int rc = 0;
  for (size_t i = 0; i <= n_cuts && !rc; i++) {
    size_t end = i < n_cuts ? cuts[i] : len;
    rc = gw_sse_feed(p, s + at, end - at);
    at = end;
  }
  *cut = gw_sse_finish(p);
  gw_sse_free(p);
  return rc;
}

static int feed_whole(const char *s, size_t len, size_t max, events *e,
                      int *cut) {
  return feed_cuts(s, len, NULL, 0, max, e, cut);
}

/* Expect the events of `s`, fed whole, to be exactly the pairs in `want`
 * (event, data, event, data, ..., NULL). */
static void expect(const char *s, size_t len, const char *const *want) {
  events e = {0};
  int cut;
  assert_int_equal(feed_whole(s, len, 0, &e, &cut), 0);
  size_t n = 0;
  while (want[2 * n])
    n++;
  if (e.n != n)
    fail_msg("'%s': %zu events, want %zu", s, e.n, n);
  for (size_t i = 0; i < n; i++) {
    assert_string_equal(e.ev[i].event, want[2 * i]);
    assert_int_equal(e.ev[i].data_len, strlen(want[2 * i + 1]));
    assert_memory_equal(e.ev[i].data, want[2 * i + 1], e.ev[i].data_len);
  }
  events_clear(&e);
}

#define S(lit) lit, sizeof(lit) - 1

/* Every rule in one stream. */
static const char STREAM[] =
    "\xEF\xBB\xBF"                          /* BOM, skipped */
    ": an opening comment\n"                /* comment */
    "data: {\"id\":1}\n\n"                  /* OpenAI style */
    "event: delta\r\n"                      /* CRLF */
    "data:first\r\n"                        /* no space after colon */
    "data:  second\r\n"                     /* two spaces: one kept */
    "id: 42\r\n"                            /* ignored */
    "retry: 1000\r\n"                       /* ignored */
    "\r\n"                                  /* dispatch (delta) */
    "data: cr only\r"                       /* CR */
    ": comment inside an event\r"           /* comment */
    "data\r"                                /* no colon: empty value */
    "\r"                                    /* dispatch */
    "event: ignored, no data\n\n"           /* not dispatched */
    "unknown: field\n"                      /* ignored */
    "Data: case matters\n"                  /* ignored */
    "data: [DONE]\n"                        /* the last event */
    "\n"                                    /* dispatch */
    "data: pending without blank line\r\n"; /* cut at the end */

static const char *const STREAM_EVENTS[] = {
    "",       "{\"id\":1}", "delta", "first\n second", "", "cr only\n", "",
    "[DONE]", NULL,         NULL};

static void test_stream(void **state) {
  (void)state;
  expect(S(STREAM), STREAM_EVENTS);
  events e = {0};
  int cut = 0;
  assert_int_equal(feed_whole(S(STREAM), 0, &e, &cut), 0);
  assert_int_equal(cut, 1);
  events_clear(&e);
}

static void test_every_split(void **state) {
  (void)state;
  const size_t len = sizeof(STREAM) - 1;
  events whole = {0}, e = {0};
  int cut_whole, cut;
  assert_int_equal(feed_whole(STREAM, len, 0, &whole, &cut_whole), 0);

  char how[64];
  for (size_t i = 0; i <= len; i++) {
    size_t cuts[1] = {i};
    assert_int_equal(feed_cuts(STREAM, len, cuts, 1, 0, &e, &cut), 0);
    snprintf(how, sizeof(how), "split at %zu", i);
    events_equal(&e, &whole, how);
    assert_int_equal(cut, cut_whole);
    events_clear(&e);
  }
  for (size_t i = 0; i <= len; i++)
    for (size_t j = i; j <= len; j++) {
      size_t cuts[2] = {i, j};
      assert_int_equal(feed_cuts(STREAM, len, cuts, 2, 0, &e, &cut), 0);
      snprintf(how, sizeof(how), "split at %zu and %zu", i, j);
      events_equal(&e, &whole, how);
      assert_int_equal(cut, cut_whole);
      events_clear(&e);
    }
  /* Byte by byte. */
  size_t cuts[sizeof(STREAM)];
  for (size_t i = 0; i < len; i++)
    cuts[i] = i;
  assert_int_equal(feed_cuts(STREAM, len, cuts, len, 0, &e, &cut), 0);
  events_equal(&e, &whole, "byte by byte");
  assert_int_equal(cut, cut_whole);
  events_clear(&e);
  /* Empty pieces change nothing. */
  gw_sse *p = gw_sse_new(0, record, &e);
  assert_non_null(p);
  for (size_t i = 0; i < len; i++) {
    assert_int_equal(gw_sse_feed(p, STREAM + i, 0), 0);
    assert_int_equal(gw_sse_feed(p, STREAM + i, 1), 0);
  }
  assert_int_equal(gw_sse_finish(p), cut_whole);
  gw_sse_free(p);
  events_equal(&e, &whole, "with empty pieces");
  events_clear(&e);
  events_clear(&whole);
}

static void test_line_ends(void **state) {
  (void)state;
  static const char *const abc[] = {"", "a", "", "b", "", "c", NULL, NULL};
  expect(S("data: a\n\ndata: b\n\ndata: c\n\n"), abc);
  expect(S("data: a\r\n\r\ndata: b\r\n\r\ndata: c\r\n\r\n"), abc);
  expect(S("data: a\r\rdata: b\r\rdata: c\r\r"), abc);
  expect(S("data: a\r\n\ndata: b\n\r\ndata: c\r\r\n"), abc);
  /* "\n\r" is two line ends, "\r\n" one. */
  static const char *const ab[] = {"", "a\nb", NULL, NULL};
  expect(S("data: a\r\ndata: b\r\n\r\n"), ab);
  static const char *const a_b[] = {"", "a", NULL, NULL};
  expect(S("data: a\n\rdata: b"), a_b);
}

/* A CR that ends one piece and an LF that starts the next are one line
 * end: if they counted as two, the LF would be a blank line and dispatch
 * "a" early. */
static void test_crlf_across_pieces(void **state) {
  (void)state;
  events e = {0};
  gw_sse *p = gw_sse_new(0, record, &e);
  assert_non_null(p);
  assert_int_equal(gw_sse_feed(p, S("data: a\r")), 0);
  assert_int_equal(gw_sse_feed(p, S("\ndata: b\r")), 0);
  assert_int_equal(e.n, 0);
  assert_int_equal(gw_sse_feed(p, S("\n")), 0);
  assert_int_equal(e.n, 0);
  assert_int_equal(gw_sse_feed(p, S("\r")), 0);
  assert_int_equal(e.n, 1);
  assert_string_equal(e.ev[0].data, "a\nb");
  /* The LF after that CR belongs to the blank line: no second event. */
  assert_int_equal(gw_sse_feed(p, S("\n")), 0);
  assert_int_equal(gw_sse_feed(p, S("data: c\n")), 0);
  assert_int_equal(gw_sse_feed(p, S("\n")), 0);
  assert_int_equal(e.n, 2);
  assert_string_equal(e.ev[1].data, "c");
  assert_int_equal(gw_sse_finish(p), 0);
  gw_sse_free(p);
  events_clear(&e);
}

static void test_comments(void **state) {
  (void)state;
  static const char *const none[] = {NULL, NULL};
  expect(S(": keep-alive\n\n: another\r\n\r\n:\n\n"), none);
  static const char *const ab[] = {"", "a\nb", NULL, NULL};
  expect(S("data: a\n: a comment between data lines\ndata: b\n\n"), ab);
  /* A colon later in the line does not make a comment. */
  static const char *const colon[] = {"", "x: y", NULL, NULL};
  expect(S("data: x: y\n\n"), colon);
  /* Comments are skipped without being buffered: no limit applies. */
  char big[5000];
  memset(big, 'c', sizeof(big));
  big[0] = ':';
  big[sizeof(big) - 1] = '\n';
  events e = {0};
  gw_sse *p = gw_sse_new(64, record, &e);
  assert_non_null(p);
  for (size_t i = 0; i < sizeof(big); i += 7)
    assert_int_equal(
        gw_sse_feed(p, big + i, i + 7 < sizeof(big) ? 7 : sizeof(big) - i), 0);
  assert_int_equal(gw_sse_feed(p, S("data: after\n\n")), 0);
  assert_int_equal(e.n, 1);
  assert_string_equal(e.ev[0].data, "after");
  assert_int_equal(gw_sse_feed(p, S(": unfinished comment")), 0);
  assert_int_equal(gw_sse_finish(p), 0);
  gw_sse_free(p);
  events_clear(&e);
}

static void test_fields(void **state) {
  (void)state;
  static const char *const nospace[] = {"", "x", NULL, NULL};
  expect(S("data:x\n\n"), nospace);
  static const char *const twospace[] = {"", " x", NULL, NULL};
  expect(S("data:  x\n\n"), twospace);
  static const char *const tab[] = {"", "\tx", NULL, NULL};
  expect(S("data:\tx\n\n"), tab);
  /* A data field with an empty value is still an event. */
  static const char *const empty[] = {"", "", "", "", NULL, NULL};
  expect(S("data\n\ndata:\n\n"), empty);
  static const char *const two_empty[] = {"", "\n", NULL, NULL};
  expect(S("data\ndata\n\n"), two_empty);
  /* No data field: nothing dispatched, and the event type is reset. */
  static const char *const reset[] = {"", "d", NULL, NULL};
  expect(S("event: e\n\ndata: d\n\n"), reset);
  static const char *const typed[] = {"e", "d1", "", "d2", NULL, NULL};
  expect(S("event: e\ndata: d1\n\ndata: d2\n\n"), typed);
  /* The last event field wins; an empty one means no type. */
  static const char *const last[] = {"b", "d", "", "d", NULL, NULL};
  expect(S("event: a\nevent: b\ndata: d\n\nevent: a\nevent:\ndata: d\n\n"),
         last);
  /* id, retry, unknown and wrongly cased fields are ignored. */
  static const char *const ignored[] = {"", "d", NULL, NULL};
  expect(S("id: 1\nretry: x\nfoo: bar\nDATA: no\nEvent: no\ndata: d\n\n"),
         ignored);
  static const char *const no_space_name[] = {NULL, NULL};
  expect(S("data : x\n\n"), no_space_name);
}

static void test_nul_and_binary(void **state) {
  (void)state;
  events e = {0};
  int cut;
  assert_int_equal(feed_whole(S("data: a\0b\xff\n\n"), 0, &e, &cut), 0);
  assert_int_equal(e.n, 1);
  assert_int_equal(e.ev[0].data_len, 4);
  assert_memory_equal(e.ev[0].data, "a\0b\xff", 5);
  events_clear(&e);
}

static void test_bom(void **state) {
  (void)state;
  static const char *const x[] = {"", "x", NULL, NULL};
  static const char *const none[] = {NULL, NULL};
  expect(S("\xEF\xBB\xBF"
           "data: x\n\n"),
         x);
  /* Only one, only at the start: a second BOM is part of the field name. */
  expect(S("\xEF\xBB\xBF\xEF\xBB\xBF"
           "data: x\n\n"),
         none);
  expect(S("data: x\n\n\xEF\xBB\xBF"
           "data: y\n\n"),
         x);
  /* Part of a BOM is ordinary bytes. */
  expect(S("\xEF\xBB"
           "data: x\n\n"),
         none);
  expect(S("\xEF"
           "data: x\n\n"),
         none);
  static const char *const bom_in_data[] = {"", "\xEF\xBB", NULL, NULL};
  expect(S("data: \xEF\xBB\n\n"), bom_in_data);
  /* A BOM cut into pieces is still skipped; after gw_sse_finish the next
   * stream may have its own. */
  events e = {0};
  gw_sse *p = gw_sse_new(0, record, &e);
  assert_non_null(p);
  for (int round = 0; round < 2; round++) {
    assert_int_equal(gw_sse_feed(p, S("\xEF")), 0);
    assert_int_equal(gw_sse_feed(p, S("\xBB")), 0);
    assert_int_equal(gw_sse_feed(p, S("\xBF"
                                      "da")),
                     0);
    assert_int_equal(gw_sse_feed(p, S("ta: x\n\n")), 0);
    assert_int_equal(gw_sse_finish(p), 0);
  }
  assert_int_equal(e.n, 2);
  assert_string_equal(e.ev[1].data, "x");
  /* A partial BOM followed by a line end, in pieces. */
  assert_int_equal(gw_sse_feed(p, S("\xEF")), 0);
  assert_int_equal(gw_sse_feed(p, S("\xBB")), 0);
  assert_int_equal(gw_sse_feed(p, S("\ndata: y\n\n")), 0);
  assert_int_equal(e.n, 3);
  assert_string_equal(e.ev[2].data, "y");
  /* A stream that is only part of a BOM is not a cut event. */
  assert_int_equal(gw_sse_finish(p), 0);
  assert_int_equal(gw_sse_feed(p, S("\xEF\xBB")), 0);
  assert_int_equal(gw_sse_finish(p), 0);
  gw_sse_free(p);
  events_clear(&e);
}

static void test_too_large(void **state) {
  (void)state;
  events e = {0};
  int cut;
  /* A line of exactly the limit is fine; one byte more is not. */
  assert_int_equal(feed_whole(S("data: 0123456789\n\n"), 16, &e, &cut), 0);
  assert_int_equal(e.n, 1);
  events_clear(&e);
  assert_int_equal(feed_whole(S("data: 01234567890\n\n"), 16, &e, &cut),
                   GW_SSE_TOO_LARGE);
  assert_int_equal(e.n, 0);
  /* Also when the line never ends. */
  assert_int_equal(feed_whole(S("data: 01234567890"), 16, &e, &cut),
                   GW_SSE_TOO_LARGE);
  /* Lines within the limit whose data together exceed it. */
  static const char two[] = "data: first\n\n"
                            "data: 0123456789\ndata: 0123456789\n\n"
                            "data: never\n\n";
  assert_int_equal(feed_whole(S(two), 16, &e, &cut), GW_SSE_TOO_LARGE);
  assert_int_equal(e.n, 1);
  events_clear(&e);
  /* Any split: the same event before the same error. */
  for (size_t i = 0; i <= sizeof(two) - 1; i++) {
    size_t cuts[1] = {i};
    assert_int_equal(feed_cuts(S(two), cuts, 1, 16, &e, &cut),
                     GW_SSE_TOO_LARGE);
    assert_int_equal(e.n, 1);
    assert_string_equal(e.ev[0].data, "first");
    /* Found by fuzz_sse: after the error the pending state depended on
     * the split (a cut line is refused before its end arrives); finish
     * now reports nothing for a stopped parser. */
    assert_int_equal(cut, 0);
    events_clear(&e);
  }
  /* The error is sticky until gw_sse_finish. */
  gw_sse *p = gw_sse_new(8, record, &e);
  assert_non_null(p);
  assert_int_equal(gw_sse_feed(p, S("data: 1234")), GW_SSE_TOO_LARGE);
  assert_int_equal(gw_sse_feed(p, S("\n\ndata: x\n\n")), GW_SSE_TOO_LARGE);
  assert_int_equal(e.n, 0);
  gw_sse_finish(p);
  assert_int_equal(gw_sse_feed(p, S("data: x\n\n")), 0);
  assert_int_equal(e.n, 1);
  gw_sse_free(p);
  events_clear(&e);
}

/* Events larger than the shrink threshold, then small ones: buffers are
 * released and regrown. */
static void test_large_events(void **state) {
  (void)state;
  size_t n = 100000;
  char *big = malloc(n + 16);
  assert_non_null(big);
  memcpy(big, "data: ", 6);
  memset(big + 6, 'x', n);
  memcpy(big + 6 + n, "\n\n", 2);
  events e = {0};
  gw_sse *p = gw_sse_new(0, record, &e);
  assert_non_null(p);
  for (int round = 0; round < 3; round++) {
    /* in pieces, so that the line buffer is used too */
    for (size_t i = 0; i < n + 8; i += 4096)
      assert_int_equal(
          gw_sse_feed(p, big + i, i + 4096 < n + 8 ? 4096 : n + 8 - i), 0);
    assert_int_equal(gw_sse_feed(p, S("event: small\ndata: s\n\n")), 0);
  }
  assert_int_equal(e.n, 6);
  assert_int_equal(e.ev[4].data_len, n);
  assert_string_equal(e.ev[5].event, "small");
  assert_string_equal(e.ev[5].data, "s");
  gw_sse_free(p);
  free(big);
  events_clear(&e);
}

static void test_callback_stops(void **state) {
  (void)state;
  static const char s[] = "data: 1\n\ndata: 2\n\ndata: 3\n\n";
  events e = {.stop_at = 2, .stop_rc = 7};
  int cut;
  assert_int_equal(feed_whole(S(s), 0, &e, &cut), 7);
  assert_int_equal(e.n, 2);
  events_clear(&e);
  for (size_t i = 0; i < sizeof(s) - 1; i++) {
    size_t cuts[1] = {i};
    int rc = feed_cuts(S(s), cuts, 1, 0, &e, &cut);
    assert_int_equal(rc, 7);
    assert_int_equal(e.n, 2);
    events_clear(&e);
  }
  /* Stopped: no more events, the same value again. */
  gw_sse *p = gw_sse_new(0, record, &e);
  assert_non_null(p);
  e.stop_at = 1;
  assert_int_equal(gw_sse_feed(p, S(s)), 7);
  assert_int_equal(gw_sse_feed(p, S(s)), 7);
  assert_int_equal(e.n, 1);
  gw_sse_free(p);
  events_clear(&e);
}

static void test_finish(void **state) {
  (void)state;
  static const struct {
    const char *s;
    int cut;
  } cases[] = {
      {"", 0},
      {"data: x\n\n", 0},
      {"data: x\n", 1},
      {"data: x", 1},
      {"data", 1},
      {"data:", 1},
      {"dat", 0},
      {"data: x\n\nevent: e\n", 0},
      {"data: x\n\nid: 1", 0},
      {": a comment", 0},
      {"data: x\n\n: a comment", 0},
      {"event: e\ndata: x\r", 1},
      {"data: x\r\n\r", 0},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    events e = {0};
    int cut;
    assert_int_equal(feed_whole(cases[i].s, strlen(cases[i].s), 0, &e, &cut),
                     0);
    if (cut != cases[i].cut)
      fail_msg("'%s': finish %d, want %d", cases[i].s, cut, cases[i].cut);
    events_clear(&e);
  }
  /* The pending event is discarded, and the parser starts afresh. */
  events e = {0};
  gw_sse *p = gw_sse_new(0, record, &e);
  assert_non_null(p);
  assert_int_equal(gw_sse_feed(p, S("event: e\ndata: lost\n")), 0);
  assert_int_equal(gw_sse_finish(p), 1);
  assert_int_equal(gw_sse_feed(p, S("\ndata: new\n\n")), 0);
  assert_int_equal(e.n, 1);
  assert_string_equal(e.ev[0].event, "");
  assert_string_equal(e.ev[0].data, "new");
  gw_sse_free(p);
  events_clear(&e);
}

static void test_api(void **state) {
  (void)state;
  assert_null(gw_sse_new(0, NULL, NULL));
  gw_sse_free(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_stream),
      cmocka_unit_test(test_every_split),
      cmocka_unit_test(test_line_ends),
      cmocka_unit_test(test_crlf_across_pieces),
      cmocka_unit_test(test_comments),
      cmocka_unit_test(test_fields),
      cmocka_unit_test(test_nul_and_binary),
      cmocka_unit_test(test_bom),
      cmocka_unit_test(test_too_large),
      cmocka_unit_test(test_large_events),
      cmocka_unit_test(test_callback_stops),
      cmocka_unit_test(test_finish),
      cmocka_unit_test(test_api),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
