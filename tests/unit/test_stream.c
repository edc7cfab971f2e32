/*
 * test_stream.c -- unit tests for streamed scanning (src/lib/stream.c,
 * aigate_stream_*), with the bundled rules and a few made for the test.
 *
 * The reference is always the whole text: what a stream releases, over
 * all its writes and its finish, must equal aigate_redact of
 * aigate_scan_ex over the whole text, with the same verdict, score,
 * flags (but AIGATE_FLAG_DECODED) and findings, however the text is cut.
 * That is checked for an AWS key pair at every 2-way split and in 1-byte
 * chunks, a PEM private key in 7-byte chunks, a JWT, a base64-encoded
 * key, long tokens that keep a match open, matches that overlap or touch
 * across writes (markers merge; a pattern does not match again inside its
 * own match; a capture group past the hold point waits for the text
 * before it), non-ASCII text cut inside characters and before combining
 * marks, and every example of every bundled rule, alone and joined, cut
 * at random points (fixed seed) and fed byte by byte, in the output and
 * the input direction. Other tests check latency (prose written word by
 * word is released but for its trailing word), the hold cap
 * (HOLD_OVERFLOW blocks), block and detect-only policies, fail-closed and
 * fail-open behaviour, finding offsets, threads sharing an engine, and
 * bad calls.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aigate/aigate.h"
#include "testutil.h"

static aigate_engine *eng; /* bundled rules, default configuration */
static aigate_scratch *scr;

static int setup(void **state) {
  (void)state;
  aigate_error err = {{0}};
  aigate_engine_options opt = {.rules_dir = AIGATE_SOURCE_DIR "/rules"};
  if (aigate_engine_new(&opt, &eng, &err) || aigate_scratch_new(eng, &scr)) {
    fprintf(stderr, "setup: %s\n", err.msg);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  aigate_scratch_free(scr);
  aigate_engine_free(eng);
  return 0;
}

/* An engine for a configuration given as YAML, with its own scratch. */
typedef struct {
  aigate_config *cfg;
  aigate_engine *e;
  aigate_scratch *s;
} custom;

static void custom_new(custom *c, const char *yaml) {
  aigate_error err = {{0}};
  memset(c, 0, sizeof(*c));
  if (aigate_config_load_buffer("test.yaml", yaml, strlen(yaml), &c->cfg, &err))
    fail_msg("config: %s", err.msg);
  aigate_engine_options opt = {.config = c->cfg,
                               .rules_dir = AIGATE_SOURCE_DIR "/rules"};
  if (aigate_engine_new(&opt, &c->e, &err))
    fail_msg("engine: %s", err.msg);
  assert_int_equal(aigate_scratch_new(c->e, &c->s), 0);
}

static void custom_free(custom *c) {
  aigate_scratch_free(c->s);
  aigate_engine_free(c->e);
  aigate_config_free(c->cfg);
}

/* ------------------------------------------------------------ helpers */

/* A growable byte string. */
typedef struct {
  char *p;
  size_t n, cap;
} str;

static void str_add(str *s, const char *p, size_t n) {
  if (s->n + n + 1 > s->cap) {
    s->cap = (s->n + n + 1) * 2;
    s->p = realloc(s->p, s->cap);
    assert_non_null(s->p);
  }
  memcpy(s->p + s->n, p, n);
  s->n += n;
  s->p[s->n] = '\0';
}

/* What a whole-text scan and redaction give. The findings are copied
 * out of the scratch (the next scan reuses it). */
typedef struct {
  char *text;
  size_t len;
  aigate_result r;
  aigate_finding *findings;
} whole;

static whole scan_whole(aigate_engine *e, aigate_scratch *s, const char *text,
                        size_t len, const aigate_scan_options *opt) {
  whole w;
  assert_int_equal(aigate_scan_ex(e, s, text, len, opt, &w.r), 0);
  assert_int_equal(aigate_redact(text, len, &w.r, &w.text, &w.len), 0);
  w.findings = malloc((w.r.n_findings + 1) * sizeof(*w.findings));
  assert_non_null(w.findings);
  if (w.r.n_findings)
    memcpy(w.findings, w.r.findings, w.r.n_findings * sizeof(*w.findings));
  w.r.findings = w.findings;
  return w;
}

static void whole_free(whole *w) {
  free(w->text);
  free(w->findings);
}

/* Is there a finding of the same rule with the same span in f[0, n)? */
static int has_finding(const aigate_finding *f, size_t n,
                       const aigate_finding *x) {
  for (size_t i = 0; i < n; i++)
    if (f[i].start == x->start && f[i].end == x->end &&
        strcmp(f[i].rule_id, x->rule_id) == 0)
      return 1;
  return 0;
}

/* What a stream released, and its last report. */
typedef struct {
  str out;
  aigate_stream_out last;
  int rc;          /* first non-zero return, or 0 */
  size_t max_held; /* most bytes held after any write */
} streamed;

/*
 * Stream text cut at cuts[0..n) (increasing offsets inside the text),
 * each piece an exact-size heap copy so that AddressSanitizer sees reads
 * past it, then finish. Checks what every report promises.
 */
static streamed run_stream(aigate_engine *e, aigate_scratch *sc,
                           const aigate_scan_options *opt, size_t max_hold,
                           const char *text, size_t len, const size_t *cuts,
                           size_t n) {
  streamed r;
  memset(&r, 0, sizeof(r));
  aigate_stream *s = NULL;
  assert_int_equal(aigate_stream_new(e, opt, max_hold, &s), 0);
  size_t at = 0;
  aigate_action prev = AIGATE_ALLOW;
  for (size_t i = 0; i <= n; i++) {
    size_t end = i < n ? cuts[i] : len;
    assert_true(end >= at && end <= len);
    char *piece = malloc(end - at ? end - at : 1);
    assert_non_null(piece);
    memcpy(piece, text + at, end - at);
    aigate_stream_out o;
    memset(&o, 0xAB, sizeof(o));
    int rc = aigate_stream_write(s, sc, piece, end - at, &o);
    free(piece);
    if (rc && !r.rc)
      r.rc = rc;
    assert_non_null(o.text);
    assert_true(o.verdict >= prev); /* the verdict never weakens */
    prev = o.verdict;
    if (o.verdict == AIGATE_BLOCK)
      assert_int_equal(o.len, 0);
    str_add(&r.out, o.text, o.len);
    if (o.held > r.max_held)
      r.max_held = o.held;
    at = end;
    r.last = o;
  }
  aigate_stream_out o;
  int rc = aigate_stream_finish(s, sc, &o);
  if (rc && !r.rc)
    r.rc = rc;
  assert_true(o.verdict >= prev);
  if (o.verdict != AIGATE_BLOCK)
    assert_int_equal(o.held, 0);
  str_add(&r.out, o.text, o.len);
  if (!r.out.p)
    str_add(&r.out, "", 0);
  /* Findings lie inside the stream. */
  for (size_t i = 0; i < o.n_findings; i++)
    assert_true(o.findings[i].start < o.findings[i].end &&
                o.findings[i].end <= len);
  r.last = o;
  /* A finished stream accepts no more text. */
  aigate_stream_out again;
  assert_int_equal(aigate_stream_write(s, sc, "x", 1, &again),
                   AIGATE_ERR_INVALID);
  assert_int_equal(again.len, 0);
  /* The findings stay readable until the stream is freed: copy what the
   * callers compare before freeing. */
  static aigate_finding kept[1000];
  assert_true(o.n_findings <= 1000);
  if (o.n_findings)
    memcpy(kept, o.findings, o.n_findings * sizeof(*kept));
  r.last.findings = kept;
  aigate_stream_free(s);
  return r;
}

static void streamed_free(streamed *r) {
  free(r->out.p);
}

/* Show a text with control bytes escaped, for failure messages. */
static const char *shown(const char *p, size_t n) {
  static char buf[4][600];
  static int k;
  char *b = buf[k++ & 3];
  size_t o = 0;
  for (size_t i = 0; i < n && o + 8 < sizeof(buf[0]); i++) {
    unsigned char c = (unsigned char)p[i];
    if (c >= 0x20 && c < 0x7F)
      b[o++] = (char)c;
    else
      o += (size_t)snprintf(b + o, 8, "\\x%02x", c);
  }
  b[o] = '\0';
  return b;
}

static void describe_cuts(char *buf, size_t n, const size_t *cuts, size_t nc) {
  size_t o = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < nc && o + 24 < n; i++)
    o += (size_t)snprintf(buf + o, n - o, "%s%zu", i ? "," : "", cuts[i]);
  if (nc && o + 24 >= n)
    snprintf(buf + o, n - o, "...");
}

/*
 * The stream cut at cuts must give what the whole text gives: the same
 * verdict, score and redacted text (when the whole text blocks, the
 * stream must block too, and releases a prefix of the text's redaction:
 * a secret before the attack is redacted, not held back).
 */
static void expect_same(aigate_engine *e, aigate_scratch *sc,
                        const aigate_scan_options *opt, const char *text,
                        size_t len, const size_t *cuts, size_t nc) {
  whole w = scan_whole(e, sc, text, len, opt);
  streamed r = run_stream(e, sc, opt, 1 << 20, text, len, cuts, nc);
  char where[200];
  describe_cuts(where, sizeof(where), cuts, nc);
  assert_int_equal(r.rc, 0);
  if (w.r.verdict == AIGATE_BLOCK) {
    if (r.last.verdict != AIGATE_BLOCK)
      fail_msg("whole text blocks, stream %s does not: '%s' cut at %s",
               aigate_action_name(r.last.verdict), shown(text, len), where);
    /* What it released before the block is redacted as the whole
     * text's redaction is: a prefix of that. */
    if (r.out.n > w.len || memcmp(r.out.p, w.text, r.out.n) != 0)
      fail_msg("whole text blocks, stream released more than a prefix of "
               "its redaction: '%s' cut at %s: '%s'",
               shown(text, len), where, shown(r.out.p, r.out.n));
  } else {
    if (r.out.n != w.len || memcmp(r.out.p, w.text, w.len) != 0)
      fail_msg("text '%s' cut at %s:\n stream: '%s'\n whole:  '%s'",
               shown(text, len), where, shown(r.out.p, r.out.n),
               shown(w.text, w.len));
    if (r.last.verdict != w.r.verdict || r.last.score != w.r.score)
      fail_msg("text '%s' cut at %s: stream %s/%d, whole %s/%d",
               shown(text, len), where, aigate_action_name(r.last.verdict),
               r.last.score, aigate_action_name(w.r.verdict), w.r.score);
    /* (Decoders judge each decided part with its context, not the whole
     * text: they may decode a part that the whole text leaves alone,
     * which only sets AIGATE_FLAG_DECODED; see stream.c.) */
    unsigned mask = ~AIGATE_FLAG_DECODED;
    if ((r.last.flags & mask) != (w.r.flags & mask))
      fail_msg("text '%s' cut at %s: flags %#x in the stream, %#x whole",
               shown(text, len), where, r.last.flags, w.r.flags);
    /* The same findings: rules and spans. */
    for (int way = 0; way < 2; way++) {
      const aigate_finding *a = way ? w.findings : r.last.findings;
      const aigate_finding *b = way ? r.last.findings : w.findings;
      size_t na = way ? w.r.n_findings : r.last.n_findings;
      size_t nb = way ? r.last.n_findings : w.r.n_findings;
      for (size_t i = 0; i < na; i++)
        if (!has_finding(b, nb, &a[i]))
          fail_msg("text '%s' cut at %s: %s [%zu,%zu) (%s) only in the %s",
                   shown(text, len), where, a[i].rule_id, a[i].start, a[i].end,
                   a[i].layer, way ? "whole text" : "stream");
    }
  }
  whole_free(&w);
  streamed_free(&r);
}

/* Every 1-byte chunk. */
static void expect_same_bytes(aigate_engine *e, aigate_scratch *sc,
                              const aigate_scan_options *opt, const char *text,
                              size_t len) {
  size_t *cuts = malloc((len ? len : 1) * sizeof(size_t));
  assert_non_null(cuts);
  for (size_t i = 0; i + 1 < len; i++)
    cuts[i] = i + 1;
  expect_same(e, sc, opt, text, len, cuts, len ? len - 1 : 0);
  free(cuts);
}

static const aigate_scan_options OUTPUT = {AIGATE_OUTPUT, NULL, 0};

/* ---------------------------------------------------------- secrets */

static const char AWS_PAIR[] =
    "Sure, here are the credentials you asked for:\n"
    "aws_access_key_id = AKIAVQJXXVBOTHD2WTFL\n"
    "aws_secret_access_key = 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\n"
    "Rotate them after use.";

static void test_aws_pair_every_split(void **state) {
  (void)state;
  size_t len = strlen(AWS_PAIR);
  whole w = scan_whole(eng, scr, AWS_PAIR, len, &OUTPUT);
  /* The reference itself redacts both keys. */
  assert_int_equal(w.r.verdict, AIGATE_REDACT);
  assert_non_null(strstr(w.text, "[REDACTED:secret-aws-access-key-id]"));
  assert_non_null(strstr(w.text, "[REDACTED:secret-aws-secret-access-key]"));
  assert_null(strstr(w.text, "AKIAVQJ"));
  assert_null(strstr(w.text, "0XXkHG5"));
  for (size_t cut = 0; cut <= len; cut++)
    expect_same(eng, scr, &OUTPUT, AWS_PAIR, len, &cut, 1);
  expect_same_bytes(eng, scr, &OUTPUT, AWS_PAIR, len);
  /* Three-way splits through both keys. */
  for (size_t a = 60; a < 90; a += 3)
    for (size_t b = a + 1; b < len; b += 7) {
      size_t cuts[2] = {a, b};
      expect_same(eng, scr, &OUTPUT, AWS_PAIR, len, cuts, 2);
    }
  whole_free(&w);
}

/* Findings carry offsets in the whole stream, as the whole text's do. */
static void test_finding_offsets(void **state) {
  (void)state;
  size_t len = strlen(AWS_PAIR);
  size_t cuts[] = {3, 50, 71, 72, 100, 130};
  streamed r = run_stream(eng, scr, &OUTPUT, 0, AWS_PAIR, len, cuts, 6);
  /* (The whole text's findings live in the scratch: scan it last.) */
  whole w = scan_whole(eng, scr, AWS_PAIR, len, &OUTPUT);
  assert_int_equal(r.last.n_findings, w.r.n_findings);
  for (size_t i = 0; i < w.r.n_findings; i++) {
    assert_string_equal(r.last.findings[i].rule_id, w.r.findings[i].rule_id);
    assert_int_equal(r.last.findings[i].start, w.r.findings[i].start);
    assert_int_equal(r.last.findings[i].end, w.r.findings[i].end);
    assert_int_equal(r.last.findings[i].action, AIGATE_REDACT);
    assert_string_equal(r.last.findings[i].layer, w.r.findings[i].layer);
  }
  const char *key = strstr(AWS_PAIR, "AKIA");
  assert_int_equal(r.last.findings[0].start, (size_t)(key - AWS_PAIR));
  assert_int_equal(r.last.findings[0].end, (size_t)(key - AWS_PAIR) + 20);
  whole_free(&w);
  streamed_free(&r);
}

static const char *rule_example(const char *id, size_t k) {
  for (size_t i = 0; i < aigate_rule_count(eng); i++) {
    aigate_rule_info info;
    assert_int_equal(aigate_rule_get(eng, i, &info), 0);
    if (strcmp(info.id, id) == 0) {
      assert_true(k < info.n_match);
      return info.match[k];
    }
  }
  fail_msg("no rule %s", id);
  return NULL;
}

static void test_pem_in_7_byte_chunks(void **state) {
  (void)state;
  str t = {0};
  const char *intro = "Here is the key you generated:\n\n";
  const char *pem = rule_example("secret-pem-private-key", 0);
  str_add(&t, intro, strlen(intro));
  str_add(&t, pem, strlen(pem));
  str_add(&t, "\n\nStore it safely.", 18);
  size_t n = t.n / 7, *cuts = malloc((n + 1) * sizeof(size_t));
  assert_non_null(cuts);
  for (size_t i = 0; i < n; i++)
    cuts[i] = 7 * (i + 1);
  if (n && cuts[n - 1] == t.n)
    n--;
  expect_same(eng, scr, &OUTPUT, t.p, t.n, cuts, n);
  streamed r = run_stream(eng, scr, &OUTPUT, 0, t.p, t.n, cuts, n);
  assert_int_equal(r.last.verdict, AIGATE_REDACT);
  assert_string_equal(r.out.p, "Here is the key you generated:\n\n"
                               "[REDACTED:secret-pem-private-key]\n\n"
                               "Store it safely.");
  /* The whole key was held at once (but for its last chunk). */
  assert_true(r.max_held + 7 >= strlen(pem) && r.max_held <= 8192);
  streamed_free(&r);
  free(cuts);
  free(t.p);
}

static void test_jwt_split(void **state) {
  (void)state;
  const char *jwt = strstr(rule_example("secret-jwt", 0), "eyJ");
  str t = {0};
  str_add(&t, "The token is: ", 14);
  str_add(&t, jwt, strlen(jwt));
  str_add(&t, " (expires soon).", 16);
  whole w = scan_whole(eng, scr, t.p, t.n, &OUTPUT);
  assert_non_null(strstr(w.text, "[REDACTED:secret-jwt]"));
  assert_null(strstr(w.text, "eyJ"));
  const char *dot1 = strchr(strstr(t.p, "eyJ"), '.');
  size_t d1 = (size_t)(dot1 - t.p), d2 = (size_t)(strchr(dot1 + 1, '.') - t.p);
  size_t cut_sets[][3] = {{17, d1, d2 + 1},
                          {16, d1 + 1, d2},
                          {20, 40, t.n - 17},
                          {d1 - 1, d2 + 1, t.n - 16}};
  for (size_t i = 0; i < 4; i++)
    expect_same(eng, scr, &OUTPUT, t.p, t.n, cut_sets[i], 3);
  for (size_t cut = 0; cut <= t.n; cut++)
    expect_same(eng, scr, &OUTPUT, t.p, t.n, &cut, 1);
  expect_same_bytes(eng, scr, &OUTPUT, t.p, t.n);
  whole_free(&w);
  free(t.p);
}

/* A secret in a base64 payload: the trailing base64 run is held until it
 * ends, so the decoder sees the payload whole and the redaction covers
 * it, as in the whole text. */
static void test_base64_payload(void **state) {
  (void)state;
  /* base64 of "my key: AKIAVQJXXVBOTHD2WTFL ok" */
  const char *t = "The config is bXkga2V5OiBBS0lBVlFKWFhWQk9USEQyV1RGTCBvaw== "
                  "and that is all.";
  size_t len = strlen(t);
  whole w = scan_whole(eng, scr, t, len, &OUTPUT);
  assert_string_equal(w.text, "The config is "
                              "[REDACTED:secret-aws-access-key-id] and that "
                              "is all.");
  assert_string_equal(w.r.findings[0].layer, "base64");
  for (size_t cut = 0; cut <= len; cut++)
    expect_same(eng, scr, &OUTPUT, t, len, &cut, 1);
  expect_same_bytes(eng, scr, &OUTPUT, t, len);
  whole_free(&w);
}

/* Long tokens after a key name keep a match open (and held) until they
 * end; that must cost time in proportion to the text, not its square,
 * and end as the whole text does. Past max_hold the stream blocks. */
static void test_long_tokens(void **state) {
  (void)state;
  static const char *const heads[] = {
      "Authorization: Bearer ",       "password=",
      "data:image/png;base64,",       "aws_secret_access_key = ",
      "DATABASE_URL=postgres://app:", "x "};
  static const char *const units[] = {"Zq9/", "a1", "iVBORw0KGgo+/",
                                      "A",    "x",  "1 "};
  for (size_t k = 0; k < sizeof(heads) / sizeof(heads[0]); k++) {
    str t = {0};
    str_add(&t, "Here it is: ", 12);
    str_add(&t, heads[k], strlen(heads[k]));
    while (t.n < 5000)
      str_add(&t, units[k], strlen(units[k]));
    str_add(&t, " and the end.", 13);
    size_t n = t.n / 16, *cuts = malloc(n * sizeof(size_t));
    assert_non_null(cuts);
    for (size_t i = 0; i < n; i++)
      cuts[i] = 16 * (i + 1);
    while (n && cuts[n - 1] >= t.n)
      n--;
    expect_same(eng, scr, &OUTPUT, t.p, t.n, cuts, n);
    free(cuts);
    free(t.p);
  }
  /* A token longer than the cap after "password=" stays a possible
   * password to its end: the stream blocks rather than release it. */
  aigate_stream *s;
  assert_int_equal(aigate_stream_new(eng, &OUTPUT, 0, &s), 0);
  aigate_stream_out o;
  assert_int_equal(aigate_stream_write(s, scr, "password=", 9, &o), 0);
  for (int i = 0; i < 1000 && o.verdict != AIGATE_BLOCK; i++)
    assert_int_equal(aigate_stream_write(s, scr, "a1b2c3d4e5", 10, &o), 0);
  assert_int_equal(o.verdict, AIGATE_BLOCK);
  assert_true(o.flags & AIGATE_FLAG_HOLD_OVERFLOW);
  aigate_stream_free(s);
}

/* ------------------------------------------ matches that meet across writes */

/* Rules whose matches overlap or touch, so that one is redacted and
 * released before the next is complete. */
static const char MEET_YAML[] =
    "family: meet\n"
    "view: raw\n"
    "directions: [output]\n"
    "rules:\n"
    "  - id: t-abc\n"
    "    category: secrets\n"
    "    severity: high\n"
    "    patterns: [{regex: 'abc[0-9]{3}'}]\n"
    "    examples: {match: [abc123], no_match: [abc12]}\n"
    "  - id: t-xyz\n"
    "    category: secrets\n"
    "    severity: high\n"
    "    patterns: [{regex: '[0-9]{3}xyz'}]\n"
    "    examples: {match: [123xyz], no_match: [12xyz]}\n"
    "  - id: t-def\n"
    "    category: secrets\n"
    "    severity: high\n"
    "    patterns: [{regex: 'def[0-9]{3}'}]\n"
    "    examples: {match: [def123], no_match: [def12]}\n"
    "  - id: t-digits\n"
    "    category: pii\n"
    "    severity: low\n"
    "    patterns: [{regex: '[0-9]{4,}'}]\n"
    "    examples: {match: ['1234'], no_match: ['123']}\n"
    "  - id: t-tail\n"
    "    category: pii\n"
    "    severity: low\n"
    "    patterns: [{regex: '56[0-9]* [a-z]+!'}]\n"
    "    examples: {match: [56 ab!], no_match: [56 ab]}\n"
    "  - id: t-grp\n"
    "    category: secrets\n"
    "    severity: high\n"
    "    patterns: [{regex: 'grp:[a-z0-9]*-([0-9]{3})'}]\n"
    "    group: 1\n"
    "    examples: {match: [grp:a-123], no_match: [grp:a-12]}\n"
    "  - id: t-mid\n"
    "    category: secrets\n"
    "    severity: high\n"
    "    patterns: [{regex: 'm[0-9]{2}x-[0-9]{3} ok'}]\n"
    "    examples: {match: [m12x-345 ok], no_match: [m12x-345]}\n"
    "  - id: t-lt\n"
    "    category: secrets\n"
    "    severity: high\n"
    "    patterns: [{regex: 'lt:<'}]\n"
    "    examples: {match: ['lt:<'], no_match: ['lt:']}\n";

static void test_matches_meet_across_writes(void **state) {
  (void)state;
  char dir[300];
  const char *base = getenv("TMPDIR");
  snprintf(dir, sizeof(dir), "%s/aigate-stream-XXXXXX",
           base && *base ? base : "/tmp");
  assert_non_null(mkdtemp(dir));
  char path[400];
  snprintf(path, sizeof(path), "%s/meet.yaml", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  assert_int_equal(fputs(MEET_YAML, f) >= 0, 1);
  assert_int_equal(fclose(f), 0);
  aigate_error err = {{0}};
  aigate_engine_options eo = {.rules_dir = dir, .cache_dir = ""};
  aigate_engine *e = NULL;
  aigate_scratch *sc = NULL;
  if (aigate_engine_new(&eo, &e, &err))
    fail_msg("engine: %s", err.msg);
  assert_int_equal(aigate_scratch_new(e, &sc), 0);
  static const struct {
    const char *text, *want;
  } cases[] = {
      /* overlapping: abc123 is out before 123xyz completes */
      {"key abc123xyz end", "key [REDACTED:t-abc] end"},
      /* touching: one marker */
      {"key abc123def456 end", "key [REDACTED:t-abc] end"},
      /* t-digits is released while t-tail, which starts inside it, is
       * held; t-digits must not match again inside its own match */
      {"id 12345678 abc! end", "id [REDACTED:t-digits] end"},
      /* t-grp's match is complete (its group, 345, past the hold point)
       * while t-mid, which starts before the group, is not: the text
       * between them must wait for t-mid */
      {"grp:m12x-345 ok end", "grp:[REDACTED:t-mid] end"},
      /* '<' and U+0338 make U+226E in the raw view: no t-lt match once
       * the mark came, so '<' waits for the next character */
      {"see lt:<\xcc\xb8 here", "see lt:<\xcc\xb8 here"},
      {"see lt:< here", "see [REDACTED:t-lt] here"},
  };
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const char *t = cases[i].text;
    size_t len = strlen(t);
    whole w = scan_whole(e, sc, t, len, &OUTPUT);
    assert_string_equal(w.text, cases[i].want);
    whole_free(&w);
    for (size_t cut = 0; cut <= len; cut++)
      expect_same(e, sc, &OUTPUT, t, len, &cut, 1);
    expect_same_bytes(e, sc, &OUTPUT, t, len);
  }
  /* The release points that make the matches meet across writes. */
  size_t cuts1[] = {10};
  streamed r = run_stream(e, sc, &OUTPUT, 0, cases[0].text,
                          strlen(cases[0].text), cuts1, 1);
  assert_string_equal(r.out.p, cases[0].want);
  streamed_free(&r);
  size_t cuts3[] = {7, 12, 15};
  r = run_stream(e, sc, &OUTPUT, 0, cases[2].text, strlen(cases[2].text), cuts3,
                 3);
  assert_string_equal(r.out.p, cases[2].want);
  assert_int_equal(r.last.n_findings, 2);
  streamed_free(&r);
  aigate_scratch_free(sc);
  aigate_engine_free(e);
  rm_tree(dir);
}

/* -------------------------------------------------------------- latency */

static const char PROSE[] =
    "The quarterly report shows that revenue grew steadily in every region, "
    "although the pace slowed in the last month as several large customers "
    "postponed their orders until the new fiscal year. The finance team "
    "expects the delayed orders to arrive in the first weeks of January, "
    "and (as usual) nobody is worried.\nMeeting notes follow below!";

/* Tokens as a model streams them: a word with the space before it. */
static void test_prose_released_word_by_word(void **state) {
  (void)state;
  aigate_stream *s;
  assert_int_equal(aigate_stream_new(eng, &OUTPUT, 0, &s), 0);
  str out = {0};
  size_t at = 0, len = strlen(PROSE);
  while (at < len) {
    size_t end = at + 1;
    while (end < len && PROSE[end] != ' ' && PROSE[end] != '\n')
      end++;
    aigate_stream_out o;
    assert_int_equal(aigate_stream_write(s, scr, PROSE + at, end - at, &o), 0);
    str_add(&out, o.text, o.len);
    assert_int_equal(o.verdict, AIGATE_ALLOW);
    /* Held: at most the token just written (the trailing partial word and
     * the space before it). Everything before it is out. */
    if (o.held > end - at)
      fail_msg("after '%.*s' %zu bytes held", (int)(end - at), PROSE + at,
               o.held);
    assert_int_equal(out.n + o.held, end);
    at = end;
  }
  aigate_stream_out o;
  assert_int_equal(aigate_stream_finish(s, scr, &o), 0);
  str_add(&out, o.text, o.len);
  assert_string_equal(out.p, PROSE);
  assert_int_equal(o.n_findings, 0);
  aigate_stream_free(s);
  free(out.p);
}

/* Whole sentences in one write: all but the trailing word goes out at
 * once, and text ending in a space or punctuation holds at most a byte. */
static void test_prose_release_points(void **state) {
  (void)state;
  aigate_stream *s;
  assert_int_equal(aigate_stream_new(eng, &OUTPUT, 0, &s), 0);
  aigate_stream_out o;
  const char *a = "Revenue grew steadily in every region. Our customers";
  assert_int_equal(aigate_stream_write(s, scr, a, strlen(a), &o), 0);
  assert_true(o.held <= strlen(" customers"));
  assert_true(o.len >= strlen(a) - strlen(" customers"));
  const char *b = " postponed their orders, ";
  assert_int_equal(aigate_stream_write(s, scr, b, strlen(b), &o), 0);
  assert_true(o.held <= 1);
  const char *c = "as usual.";
  assert_int_equal(aigate_stream_write(s, scr, c, strlen(c), &o), 0);
  assert_true(o.held <= strlen("usual."));
  /* Possible starts of a secret are held until they are ruled out. */
  const char *d = " The key is AKIA";
  assert_int_equal(aigate_stream_write(s, scr, d, strlen(d), &o), 0);
  assert_true(o.held >= 4);
  const char *f = "VQJXX and more";
  assert_int_equal(aigate_stream_write(s, scr, f, strlen(f), &o), 0);
  assert_true(o.held <= strlen(" more"));
  assert_int_equal(aigate_stream_finish(s, scr, &o), 0);
  assert_int_equal(o.verdict, AIGATE_ALLOW);
  aigate_stream_free(s);
}

/* ----------------------------------------------------------- hold cap */

static void test_hold_overflow_blocks(void **state) {
  (void)state;
  aigate_stream *s;
  assert_int_equal(aigate_stream_new(eng, &OUTPUT, 256, &s), 0);
  aigate_stream_out o;
  const char *begin = "Sure:\n-----BEGIN RSA PRIVATE KEY-----\n";
  assert_int_equal(aigate_stream_write(s, scr, begin, strlen(begin), &o), 0);
  assert_int_equal(o.verdict, AIGATE_ALLOW);
  assert_int_equal(o.flags & AIGATE_FLAG_HOLD_OVERFLOW, 0);
  assert_true(o.held >= strlen(begin) - strlen("Sure:\n"));
  /* A key body that never ends: each line keeps the match open. */
  const char *line =
      "MIIEpAIBAAKCAQEA7XqSuA8E0PC0vYWCLLeL5tsuNPJAPw1vVQfeRf8jd3sCIbTS\n";
  size_t total_held = o.held;
  int blocked = 0;
  for (int i = 0; i < 10 && !blocked; i++) {
    assert_int_equal(aigate_stream_write(s, scr, line, strlen(line), &o), 0);
    total_held += strlen(line);
    assert_int_equal(o.len, 0); /* nothing of the key comes out */
    blocked = o.verdict == AIGATE_BLOCK;
    if (!blocked)
      assert_int_equal(o.held, total_held);
  }
  assert_true(blocked);
  assert_true(total_held > 256);
  assert_true(o.flags & AIGATE_FLAG_HOLD_OVERFLOW);
  assert_int_equal(o.held, 0);
  /* Blocked for good: ordinary text is not released any more. */
  assert_int_equal(aigate_stream_write(s, scr, " hello. ", 8, &o), 0);
  assert_int_equal(o.verdict, AIGATE_BLOCK);
  assert_int_equal(o.len, 0);
  assert_int_equal(aigate_stream_finish(s, scr, &o), 0);
  assert_int_equal(o.verdict, AIGATE_BLOCK);
  assert_int_equal(o.len, 0);
  aigate_stream_free(s);

  /* The same key with the default cap completes and is redacted. */
  str t = {0};
  str_add(&t, begin, strlen(begin));
  for (int i = 0; i < 10; i++)
    str_add(&t, line, strlen(line));
  str_add(&t, "-----END RSA PRIVATE KEY-----\nDone.", 35);
  size_t cuts[] = {10, 40, 300, 600, 700};
  streamed r = run_stream(eng, scr, &OUTPUT, 0, t.p, t.n, cuts, 5);
  assert_string_equal(r.out.p,
                      "Sure:\n[REDACTED:secret-pem-private-key]\nDone.");
  streamed_free(&r);
  free(t.p);
}

/* ------------------------------------------------------------- policies */

static void test_block_category_blocks(void **state) {
  (void)state;
  custom c;
  custom_new(&c, "policy:\n  categories:\n    secrets: block\n");
  aigate_scan_options opt = {AIGATE_OUTPUT, NULL, 0};
  aigate_stream *s;
  assert_int_equal(aigate_stream_new(c.e, &opt, 0, &s), 0);
  str out = {0};
  aigate_stream_out o;
  const char *parts[] = {"All good so far. ", "The key is AKIAVQJX",
                         "XVBOTHD2WTFL and ", "this text never arrives."};
  for (int i = 0; i < 4; i++) {
    assert_int_equal(
        aigate_stream_write(s, c.s, parts[i], strlen(parts[i]), &o), 0);
    str_add(&out, o.text, o.len);
    if (i < 2)
      assert_int_equal(o.verdict, AIGATE_ALLOW);
    else
      assert_int_equal(o.verdict, AIGATE_BLOCK);
  }
  assert_int_equal(aigate_stream_finish(s, c.s, &o), 0);
  assert_int_equal(o.verdict, AIGATE_BLOCK);
  assert_int_equal(o.score, 5);
  assert_int_equal(o.n_findings, 1);
  assert_string_equal(o.findings[0].rule_id, "secret-aws-access-key-id");
  assert_int_equal(o.findings[0].action, AIGATE_BLOCK);
  /* Released: the text before the key, nothing of the key. */
  assert_true(out.n <= strlen("All good so far. The key is "));
  assert_null(strstr(out.p, "AKIA"));
  assert_int_equal(memcmp(out.p, "All good so far.", 16), 0);
  aigate_stream_free(s);
  free(out.p);

  /* The equivalence holds for a block verdict too. */
  const char *t = "The key is AKIAVQJXXVBOTHD2WTFL and more.";
  for (size_t cut = 0; cut <= strlen(t); cut++)
    expect_same(c.e, c.s, &opt, t, strlen(t), &cut, 1);
  custom_free(&c);
}

static void test_detect_only_releases_unchanged(void **state) {
  (void)state;
  custom c;
  custom_new(&c, "profiles:\n  watch:\n    categories:\n"
                 "      secrets: {mode: detect-only}\n"
                 "      pii: {mode: detect-only}\n");
  aigate_scan_options opt = {AIGATE_OUTPUT, "watch", 0};
  size_t len = strlen(AWS_PAIR);
  size_t cuts[] = {20, 64, 65, 99, 120};
  streamed r = run_stream(c.e, c.s, &opt, 0, AWS_PAIR, len, cuts, 5);
  assert_int_equal(r.rc, 0);
  assert_int_equal(r.out.n, len);
  assert_string_equal(r.out.p, AWS_PAIR);
  assert_int_equal(r.last.verdict, AIGATE_LOG);
  /* The key id, and the secret as an AWS and as a generic secret. */
  assert_int_equal(r.last.n_findings, 3);
  for (size_t i = 0; i < 3; i++) {
    assert_int_equal(r.last.findings[i].mode, AIGATE_MODE_DETECT_ONLY);
    assert_int_equal(r.last.findings[i].action, AIGATE_REDACT);
  }
  assert_string_equal(r.last.findings[0].rule_id, "secret-aws-access-key-id");
  assert_string_equal(r.last.findings[1].rule_id,
                      "secret-aws-secret-access-key");
  const char *secret = strstr(AWS_PAIR, "GJkc");
  assert_int_equal(r.last.findings[1].start, (size_t)(secret - AWS_PAIR));
  assert_int_equal(r.last.findings[1].end, (size_t)(secret - AWS_PAIR) + 40);
  streamed_free(&r);
  /* An unknown profile is refused. */
  aigate_stream *s = (aigate_stream *)&c;
  aigate_scan_options bad = {AIGATE_OUTPUT, "nope", 0};
  assert_int_equal(aigate_stream_new(c.e, &bad, 0, &s), AIGATE_ERR_NOT_FOUND);
  assert_null(s);
  custom_free(&c);
}

/* Scan errors follow the fail mode: a part over limits.max_input_bytes
 * cannot be scanned. */
static void test_fail_modes(void **state) {
  (void)state;
  char big[300];
  memset(big, 'x', sizeof(big));
  for (int open = 0; open < 2; open++) {
    custom c;
    custom_new(&c, open ? "policy:\n  fail_mode: open\nlimits:\n"
                          "  max_input_bytes: 200\n"
                        : "limits:\n  max_input_bytes: 200\n");
    aigate_scan_options opt = {AIGATE_OUTPUT, NULL, 0};
    aigate_stream *s;
    assert_int_equal(aigate_stream_new(c.e, &opt, 0, &s), 0);
    aigate_stream_out o;
    assert_int_equal(aigate_stream_write(s, c.s, "hello world. ", 13, &o), 0);
    assert_int_equal(o.verdict, AIGATE_ALLOW);
    assert_int_equal(aigate_stream_write(s, c.s, big, sizeof(big), &o),
                     AIGATE_ERR_TOO_LARGE);
    assert_true(o.flags & AIGATE_FLAG_FAILED);
    if (open) {
      /* Logged and released unscanned, never silently. */
      assert_int_equal(o.verdict, AIGATE_LOG);
      assert_true(o.len >= sizeof(big));
      assert_int_equal(aigate_stream_write(s, c.s, " ok. ", 5, &o), 0);
      assert_int_equal(o.verdict, AIGATE_LOG);
      assert_true(o.flags & AIGATE_FLAG_FAILED);
      assert_int_equal(aigate_stream_finish(s, c.s, &o), 0);
    } else {
      assert_int_equal(o.verdict, AIGATE_BLOCK);
      assert_int_equal(o.len, 0);
      assert_int_equal(aigate_stream_write(s, c.s, " ok. ", 5, &o), 0);
      assert_int_equal(o.verdict, AIGATE_BLOCK);
      assert_int_equal(o.len, 0);
    }
    aigate_stream_free(s);
    custom_free(&c);
  }
}

static void test_bad_calls(void **state) {
  (void)state;
  aigate_stream *s = NULL;
  aigate_stream_out o;
  assert_int_equal(aigate_stream_new(NULL, NULL, 0, &s), AIGATE_ERR_INVALID);
  assert_null(s);
  assert_int_equal(aigate_stream_new(eng, NULL, 0, NULL), AIGATE_ERR_INVALID);
  assert_int_equal(aigate_stream_write(NULL, scr, "x", 1, &o),
                   AIGATE_ERR_INVALID);
  assert_int_equal(o.verdict, AIGATE_BLOCK);
  assert_int_equal(o.len, 0);
  assert_non_null(o.text);
  assert_int_equal(aigate_stream_new(eng, NULL, 0, &s), 0);
  assert_int_equal(aigate_stream_write(s, scr, NULL, 1, &o),
                   AIGATE_ERR_INVALID);
  assert_true(o.flags & AIGATE_FLAG_FAILED);
  assert_int_equal(aigate_stream_write(s, NULL, "x", 1, &o),
                   AIGATE_ERR_INVALID);
  /* A scratch of another engine is refused. */
  custom c;
  custom_new(&c, "");
  assert_int_equal(aigate_stream_write(s, c.s, "x", 1, &o), AIGATE_ERR_INVALID);
  custom_free(&c);
  /* Empty writes and an empty stream are fine. */
  assert_int_equal(aigate_stream_write(s, scr, NULL, 0, &o), 0);
  assert_int_equal(o.len, 0);
  assert_int_equal(o.held, 0);
  assert_int_equal(aigate_stream_finish(s, scr, &o), 0);
  assert_int_equal(o.len, 0);
  assert_int_equal(o.verdict, AIGATE_ALLOW);
  assert_int_equal(aigate_stream_finish(s, scr, &o), AIGATE_ERR_INVALID);
  aigate_stream_free(s);
  aigate_stream_free(NULL);
}

/* ------------------------------------------------------------- UTF-8 */

static void test_utf8_and_combining_marks(void **state) {
  (void)state;
  const char *texts[] = {
      /* precomposed and decomposed (e + U+0301) letters, CJK, emoji */
      "Das Treffen in Z\xc3\xbcrich war gro\xc3\x9f"
      "artig, caf\x65\xcc\x81 and r\xc3\xa9sum\xc3\xa9. "
      "\xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x98\x80 ok",
      /* a mark after an ASCII letter composes in the raw view (NFC) */
      "a secret: bob\x65\xcc\x81@example.com and e\xcc\x81\xcc\x81\xcc\x81.",
      /* invalid bytes and a truncated sequence at the very end */
      "bad \xff bytes \xc3( and \xe2\x82 end \xf0\x9f",
      /* a Cyrillic letter inside a Latin word (mixed-script detector) */
      "please p\xd0\xb0ssword reset for alice@example.org today",
      /* ... at the end of a word longer than the context kept */
      "x \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
      "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
      "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
      "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
      "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
      "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
      "\xd0\xb0 end",
      /* a key whose last letter a combining mark turns into another (A +
       * U+0301 is U+00C1 in the raw view): no key, once the mark came */
      "key AIzaFUX6Fx1l3DD4U2DdgQT1nVvEiwMqMCvfZBA\xcc\x81 ok",
      "key AIzaFUX6Fx1l3DD4U2DdgQT1nVvEiwMqMCvfZBA ok",
  };
  for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
    size_t len = strlen(texts[i]);
    expect_same_bytes(eng, scr, &OUTPUT, texts[i], len);
    for (size_t cut = 0; cut <= len; cut++)
      expect_same(eng, scr, &OUTPUT, texts[i], len, &cut, 1);
  }
  /* CJK prose (no spaces) is released as it arrives, but for its last
   * character: rules such as the phone and card numbers begin with the
   * character before the number, (?:^|[^0-9.,]). */
  const char *cjk = "\xe6\x9d\xb1\xe4\xba\xac\xe3\x81\xae\xe4\xbc\x9a";
  aigate_stream *s;
  assert_int_equal(aigate_stream_new(eng, &OUTPUT, 0, &s), 0);
  aigate_stream_out o;
  assert_int_equal(aigate_stream_write(s, scr, cjk, 4, &o), 0);
  assert_int_equal(o.len, 0); /* one character, one byte of the next */
  assert_int_equal(o.held, 4);
  assert_int_equal(aigate_stream_write(s, scr, cjk + 4, 8, &o), 0);
  assert_int_equal(o.len, 9);
  assert_int_equal(memcmp(o.text, cjk, 9), 0);
  assert_int_equal(o.held, 3);
  aigate_stream_free(s);
}

/* ------------------------------------------------------------- threads */

/* Threads sharing one engine, each with its own scratch: the first
 * streams, created at once, race to build what streams need. */
typedef struct {
  aigate_engine *e;
  const char *want;
  int ok;
} thread_job;

static void *stream_thread(void *arg) {
  thread_job *j = arg;
  aigate_scratch *sc = NULL;
  aigate_stream *s = NULL;
  if (aigate_scratch_new(j->e, &sc) || aigate_stream_new(j->e, NULL, 0, &s))
    return NULL;
  str out = {0};
  aigate_stream_out o;
  size_t len = strlen(AWS_PAIR);
  int rc = 0;
  for (size_t at = 0; at < len && !rc; at += 5)
    if (!(rc = aigate_stream_write(s, sc, AWS_PAIR + at,
                                   len - at < 5 ? len - at : 5, &o)))
      str_add(&out, o.text, o.len);
  if (!rc && !(rc = aigate_stream_finish(s, sc, &o)))
    str_add(&out, o.text, o.len);
  j->ok = !rc && out.p && strcmp(out.p, j->want) == 0;
  free(out.p);
  aigate_stream_free(s);
  aigate_scratch_free(sc);
  return NULL;
}

static void test_threads_share_engine(void **state) {
  (void)state;
  custom c;
  custom_new(&c, "");
  whole w = scan_whole(c.e, c.s, AWS_PAIR, strlen(AWS_PAIR), &OUTPUT);
  thread_job jobs[4];
  pthread_t th[4];
  for (int i = 0; i < 4; i++) {
    jobs[i] = (thread_job){c.e, w.text, 0};
    assert_int_equal(pthread_create(&th[i], NULL, stream_thread, &jobs[i]), 0);
  }
  for (int i = 0; i < 4; i++) {
    assert_int_equal(pthread_join(th[i], NULL), 0);
    assert_true(jobs[i].ok);
  }
  whole_free(&w);
  custom_free(&c);
}

/* ------------------------------------------------- rule-example corpus */

static uint32_t rng = 12345;

static uint32_t next_rand(void) {
  rng = rng * 1103515245u + 12345u;
  return rng >> 8;
}

/* Random cuts of a text of length len, sorted, possibly repeated. */
static size_t random_cuts(size_t len, size_t *cuts, size_t max) {
  size_t n = len ? 1 + next_rand() % max : 0;
  for (size_t i = 0; i < n; i++)
    cuts[i] = next_rand() % (len + 1);
  for (size_t i = 1; i < n; i++)
    for (size_t j = i; j > 0 && cuts[j - 1] > cuts[j]; j--) {
      size_t t = cuts[j];
      cuts[j] = cuts[j - 1];
      cuts[j - 1] = t;
    }
  return n;
}

/*
 * Every example (match and no_match) of every bundled rule, alone and
 * joined with its neighbours (so that matches meet other text), cut at
 * random points several times and fed byte by byte: the stream must give
 * the whole text's redaction and verdict.
 */
static void corpus(const aigate_scan_options *opt) {
  size_t n_rules = aigate_rule_count(eng), texts = 0;
  str joined = {0};
  for (size_t i = 0; i < n_rules; i++) {
    aigate_rule_info info;
    assert_int_equal(aigate_rule_get(eng, i, &info), 0);
    for (int want = 1; want >= 0; want--) {
      const char *const *ex = want ? info.match : info.no_match;
      size_t n = want ? info.n_match : info.n_no_match;
      for (size_t k = 0; k < n; k++) {
        size_t len = strlen(ex[k]);
        size_t cuts[8];
        for (int round = 0; round < 4; round++) {
          size_t nc = random_cuts(len, cuts, 8);
          expect_same(eng, scr, opt, ex[k], len, cuts, nc);
        }
        expect_same_bytes(eng, scr, opt, ex[k], len);
        str_add(&joined, ex[k], len);
        str_add(&joined, k % 2 ? " and " : "\n", k % 2 ? 5 : 1);
        texts++;
      }
    }
    if (joined.n > 2000 || i + 1 == n_rules) {
      size_t cuts[32];
      for (int round = 0; round < 4; round++) {
        size_t nc = random_cuts(joined.n, cuts, 32);
        expect_same(eng, scr, opt, joined.p, joined.n, cuts, nc);
      }
      joined.n = 0;
    }
  }
  assert_true(texts > 500);
  free(joined.p);
}

static void test_corpus_output(void **state) {
  (void)state;
  corpus(&OUTPUT);
}

static void test_corpus_input(void **state) {
  (void)state;
  aigate_scan_options in = {AIGATE_INPUT, NULL, 0};
  corpus(&in);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_aws_pair_every_split),
      cmocka_unit_test(test_finding_offsets),
      cmocka_unit_test(test_pem_in_7_byte_chunks),
      cmocka_unit_test(test_jwt_split),
      cmocka_unit_test(test_base64_payload),
      cmocka_unit_test(test_long_tokens),
      cmocka_unit_test(test_matches_meet_across_writes),
      cmocka_unit_test(test_prose_released_word_by_word),
      cmocka_unit_test(test_prose_release_points),
      cmocka_unit_test(test_hold_overflow_blocks),
      cmocka_unit_test(test_block_category_blocks),
      cmocka_unit_test(test_detect_only_releases_unchanged),
      cmocka_unit_test(test_fail_modes),
      cmocka_unit_test(test_bad_calls),
      cmocka_unit_test(test_utf8_and_combining_marks),
      cmocka_unit_test(test_threads_share_engine),
      cmocka_unit_test(test_corpus_output),
      cmocka_unit_test(test_corpus_input),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
