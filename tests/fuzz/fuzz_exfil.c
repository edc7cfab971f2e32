/*
 * fuzz_exfil.c -- libFuzzer target for the exfiltration reader
 * (src/lib/exfil.c): markdown images, links and reference definitions,
 * HTML tags and bare URLs in arbitrary bytes, and the stream that holds
 * unfinished constructs back.
 *
 * Checks: every construct reported is a non-empty span inside the text,
 * what it keeps lies inside it, constructs come in text order or nested
 * inside the one before; the hold point of a growing text is within it;
 * the whole text (final) holds nothing. Then the output scan of the text
 * must redact consistently (common.c), and a stream of the same text cut
 * at a point taken from the input must release exactly what the whole
 * text gives, since that is what keeps an image split across chunks from
 * leaking.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "exfil.h"

static const char *const hosts[] = {"cdn.example.com", "*.example.org"};

typedef struct {
  size_t len;
  size_t n;
} seen;

static void on_item(void *ud, const ag_exfil_item *it) {
  seen *s = ud;
  FUZZ_CHECK(it->kinds != 0);
  FUZZ_CHECK(it->start < it->end && it->end <= s->len);
  if (it->keep)
    FUZZ_CHECK(it->keep_start <= it->keep_end && it->keep_start >= it->start &&
               it->keep_end <= it->end);
  if (it->kinds & AG_EXFIL_CODE)
    FUZZ_CHECK(it->info_start <= it->info_end && it->info_end <= it->end &&
               it->body_start <= it->body_end && it->body_end <= it->end &&
               it->body_start >= it->start);
  s->n++;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fuzz_engine();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 1 << 16)
    return 0;
  const char *text = (const char *)data;
  /* The first byte picks the reader's options: HTML script bodies, code
   * blocks. */
  ag_exfil_allow allow = {
      hosts, 2, NULL, 0, size && (data[0] & 1), size && (data[0] & 2)};
  seen s = {size, 0};
  size_t h = ag_exfil_scan(text, size, 0, &allow, 0, on_item, &s);
  FUZZ_CHECK(h <= size);
  FUZZ_CHECK(ag_exfil_scan(text, size, 0, &allow, 1, NULL, NULL) == size);

  /* The whole text as output, and the same text streamed in two parts. */
  aigate_scan_options out = {AIGATE_OUTPUT, NULL, 0};
  aigate_result r;
  aigate_scratch *sc = fuzz_scratch();
  int rc = aigate_scan_ex(fuzz_engine(), sc, text, size, &out, &r);
  fuzz_check_result(text, size, rc, &r);
  if (rc != AIGATE_OK)
    return 0;
  char *whole;
  size_t whole_len;
  FUZZ_CHECK(aigate_redact(text, size, &r, &whole, &whole_len) == 0);
  aigate_action verdict = r.verdict;
  aigate_stream *st;
  FUZZ_CHECK(aigate_stream_new(fuzz_engine(), &out, 1 << 20, &st) == 0);
  size_t cut = size ? data[0] % size : 0;
  char *got = malloc(whole_len * 2 + size * 2 + 64);
  FUZZ_CHECK(got != NULL);
  size_t n = 0;
  aigate_stream_out o;
  int src = aigate_stream_write(st, sc, text, cut, &o);
  memcpy(got + n, o.text, o.len);
  n += o.len;
  if (!src) {
    src = aigate_stream_write(st, sc, text + cut, size - cut, &o);
    memcpy(got + n, o.text, o.len);
    n += o.len;
  }
  if (!src) {
    src = aigate_stream_finish(st, sc, &o);
    memcpy(got + n, o.text, o.len);
    n += o.len;
  }
  /* Decoded layers and detectors judge parts (src/lib/stream.c), so the
   * byte-exact comparison is made when the whole text has no finding
   * outside the exfiltration and plain pattern rules. */
  int exact = !src && verdict < AIGATE_BLOCK && o.verdict < AIGATE_BLOCK &&
              !(r.flags & (AIGATE_FLAG_DECODED | AIGATE_FLAG_TRUNCATED |
                           AIGATE_FLAG_TAG_CHARS | AIGATE_FLAG_INVALID_UTF8));
  for (size_t i = 0; exact && i < r.n_findings; i++)
    exact = strcmp(r.findings[i].layer, "raw") == 0;
  if (exact && (n != whole_len || memcmp(got, whole, n) != 0)) {
    fprintf(stderr, "whole: '%.*s'\nstream: '%.*s'\n", (int)whole_len, whole,
            (int)n, got);
    for (size_t i = 0; i < r.n_findings; i++)
      fprintf(stderr, "  %s [%zu,%zu)\n", r.findings[i].rule_id,
              r.findings[i].start, r.findings[i].end);
    fuzz_fail("stream output differs from the whole text's", __FILE__,
              __LINE__);
  }
  aigate_stream_free(st);
  free(got);
  free(whole);
  return 0;
}
