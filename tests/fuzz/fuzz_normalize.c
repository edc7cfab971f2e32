/*
 * fuzz_normalize.c -- libFuzzer target for the normalizer, the decoders
 * and the whole scan pipeline over arbitrary bytes.
 *
 * The normalizer and the decoders are where untrusted text meets the most
 * code: UTF-8 repair, per-cluster normalization, offset maps that must
 * lead back into the original text, decoders that guess at encodings.
 * Besides the sanitizers, the target checks what the scan relies on:
 * views are valid UTF-8, every view and layer byte maps inside its
 * source, decoders respect their budget, and every finding of a full
 * scan (input, output, and all rules active) is a non-empty span inside
 * the input with a verdict in range.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "decode.h"
#include "normalize.h"

#define DECODE_BUDGET (64u << 10)

/* Reused across inputs, as the scratch reuses its views. */
static ag_view_buf raw, folded;
static ag_buf dec_out;
static ag_map dec_map;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fuzz_engine();
  return 0;
}

/* Every byte of the view, and the view as a whole, maps to a non-empty
 * span of its source src_len bytes long. */
static void check_view(const ag_view_buf *v, size_t src_len) {
  FUZZ_CHECK(v->len == 0 || v->p);
  FUZZ_CHECK(v->n_stages >= 0 && v->n_stages <= AG_MAX_STAGES);
  for (size_t i = 0; i < v->len; i++) {
    size_t os, oe;
    ag_view_span(v, i, i + 1, &os, &oe);
    FUZZ_CHECK(os < oe && oe <= src_len);
  }
  if (v->len) {
    size_t os, oe;
    ag_view_span(v, 0, v->len, &os, &oe);
    FUZZ_CHECK(os < oe && oe <= src_len);
  }
}

/* Invalid-UTF-8 notes are in the input's coordinates, mixed-script
 * notes in the raw view's (the folded view's input). */
static void check_notes(const ag_norm_notes *nt, size_t in_len,
                        size_t raw_len) {
  for (size_t i = 0; i < nt->n_invalid && i < AG_MAX_NOTES; i++)
    FUZZ_CHECK(nt->invalid[i][0] < nt->invalid[i][1] &&
               nt->invalid[i][1] <= in_len);
  for (size_t i = 0; i < nt->n_mixed && i < AG_MAX_NOTES; i++)
    FUZZ_CHECK(nt->mixed[i][0] < nt->mixed[i][1] && nt->mixed[i][1] <= raw_len);
}

static int valid_utf8(const char *p, size_t n) {
  const unsigned char *u = (const unsigned char *)p;
  for (size_t i = 0; i < n;) {
    int cp;
    size_t l = ag_utf8_decode(u + i, n - i, &cp);
    if (!l)
      return 0;
    i += l;
  }
  return 1;
}

static void check_decoders(const char *text, size_t n) {
  for (int d = 0; d < AG_DEC_COUNT; d++) {
    dec_out.len = 0;
    dec_out.failed = 0;
    dec_map.n = 0;
    dec_map.failed = 0;
    int trunc = 0;
    size_t got = ag_decode((ag_decoder)d, text, n, &dec_out, &dec_map,
                           DECODE_BUDGET, &trunc);
    if (dec_out.failed || dec_map.failed)
      continue; /* out of memory: the scan drops such a layer */
    FUZZ_CHECK(dec_out.len <= DECODE_BUDGET);
    if (!got) {
      FUZZ_CHECK(dec_out.len == 0);
      continue;
    }
    /* A map with segments must start at byte 0 of the decoded text. */
    FUZZ_CHECK(dec_map.n == 0 || dec_map.s[0].v == 0);
    for (size_t k = 1; k < dec_map.n; k++)
      FUZZ_CHECK(dec_map.s[k - 1].v < dec_map.s[k].v);
    for (size_t i = 0; i < dec_out.len; i++) {
      size_t os, oe;
      ag_map_span(&dec_map, i, i + 1, &os, &oe);
      FUZZ_CHECK(os <= oe && oe <= n);
      FUZZ_CHECK(os < n);
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *in = (const char *)data;
  ag_norm_notes nt;
  memset(&nt, 0, sizeof(nt));

  if (ag_view_raw(in, size, &raw, &nt) == AIGATE_OK) {
    FUZZ_CHECK(valid_utf8(raw.p, raw.len));
    check_view(&raw, size);
    /* ASCII is its own raw view; repairs are noted exactly when needed. */
    if (ag_is_ascii(in, size))
      FUZZ_CHECK(raw.p == in && raw.len == size && raw.n_stages == 0);
    FUZZ_CHECK((nt.n_invalid == 0) == valid_utf8(in, size));
    if (ag_view_folded(raw.p, raw.len, &folded, &nt) == AIGATE_OK) {
      FUZZ_CHECK(valid_utf8(folded.p, folded.len));
      check_view(&folded, raw.len);
    }
    check_notes(&nt, size, raw.len);
    check_decoders(raw.p, raw.len);
  }

  aigate_scan_options in_opt = {.direction = AIGATE_INPUT};
  aigate_scan_options out_opt = {.direction = AIGATE_OUTPUT};
  aigate_scan_options all_opt = {.direction = AIGATE_INPUT, .all_rules = 1};
  size_t rl;
  free(fuzz_scan(in, size, &in_opt, &rl));
  free(fuzz_scan(in, size, &out_opt, &rl));
  free(fuzz_scan(in, size, &all_opt, &rl));
  return 0;
}
