/*
 * common.c -- the shared engine and the scan invariants of the fuzz
 * targets (see common.h).
 *
 * The invariants are the promises of include/aigate/aigate.h that a
 * caller relies on without checking: spans inside the text and non-empty,
 * findings sorted, enum values in range, a failed scan never allowing,
 * and a redaction that only ever replaces enforced redact spans.
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static aigate_engine *engine;
static aigate_scratch *scratch;

void fuzz_fail(const char *what, const char *file, int line) {
  fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, what);
  abort();
}

static void build(void) {
  aigate_error err = {{0}};
  aigate_engine_options eo = {NULL, getenv("AIGATE_FUZZ_RULES"), NULL, NULL};
  int rc = aigate_engine_new(&eo, &engine, &err);
  if (rc == AIGATE_OK)
    rc = aigate_scratch_new(engine, &scratch);
  if (rc != AIGATE_OK) {
    fprintf(stderr, "fuzz: cannot build the engine: %s\n",
            err.msg[0] ? err.msg : aigate_strerror(rc));
    abort();
  }
}

const aigate_engine *fuzz_engine(void) {
  if (!engine)
    build();
  return engine;
}

aigate_scratch *fuzz_scratch(void) {
  if (!scratch)
    build();
  return scratch;
}

void fuzz_check_result(const char *text, size_t len, int rc,
                       const aigate_result *r) {
  (void)text;
  FUZZ_CHECK(r->verdict >= AIGATE_ALLOW && r->verdict <= AIGATE_BLOCK);
  FUZZ_CHECK(r->paranoia >= 1 && r->paranoia <= 4);
  FUZZ_CHECK(r->status == rc);
  if (rc != AIGATE_OK) {
    /* Never a silent allow: block (fail-closed) or log (fail-open). */
    FUZZ_CHECK(r->flags & AIGATE_FLAG_FAILED);
    FUZZ_CHECK(r->verdict == AIGATE_BLOCK || r->verdict == AIGATE_LOG);
    FUZZ_CHECK(r->n_findings == 0);
    return;
  }
  FUZZ_CHECK(!(r->flags & AIGATE_FLAG_FAILED));
  FUZZ_CHECK(r->n_findings == 0 || r->findings);
  FUZZ_CHECK(r->score >= 0);
  int has_enforced = 0;
  for (size_t i = 0; i < r->n_findings; i++) {
    const aigate_finding *f = &r->findings[i];
    FUZZ_CHECK(f->start < f->end);
    FUZZ_CHECK(f->end <= len);
    FUZZ_CHECK(i == 0 || r->findings[i - 1].start <= f->start);
    FUZZ_CHECK(f->rule_id && f->category && f->message && f->layer);
    FUZZ_CHECK(f->severity >= 2 && f->severity <= 5);
    FUZZ_CHECK(f->action >= AIGATE_ALLOW && f->action <= AIGATE_BLOCK);
    FUZZ_CHECK(f->mode == AIGATE_MODE_ENFORCE ||
               f->mode == AIGATE_MODE_DETECT_ONLY);
    has_enforced |= f->mode == AIGATE_MODE_ENFORCE && f->action != 0;
  }
  /* Without findings there is nothing to act on. */
  if (r->n_findings == 0)
    FUZZ_CHECK(r->verdict == AIGATE_ALLOW && r->score == 0);
  if (r->verdict >= AIGATE_REDACT)
    FUZZ_CHECK(has_enforced);
}

/* The redaction keeps every byte outside enforced redact spans, in order,
 * and replaces each merged span by one or more markers. */
static void check_redaction(const char *text, size_t len,
                            const aigate_result *r, const char *out,
                            size_t out_len) {
  FUZZ_CHECK(out && out[out_len] == '\0');
  size_t redacted = 0, pos = 0;
  for (size_t i = 0; i < r->n_findings; i++) {
    const aigate_finding *f = &r->findings[i];
    if (f->action != AIGATE_REDACT || f->mode != AIGATE_MODE_ENFORCE)
      continue;
    size_t s = f->start > pos ? f->start : pos;
    if (f->end > s)
      redacted += f->end - s;
    if (f->end > pos)
      pos = f->end;
  }
  if (redacted == 0) {
    FUZZ_CHECK(out_len == len && memcmp(out, text, len) == 0);
    return;
  }
  FUZZ_CHECK(out_len >= len - redacted);
  static const char marker[] = "[REDACTED:";
  int found = 0;
  for (size_t i = 0; !found && i + sizeof(marker) - 1 <= out_len; i++)
    found = memcmp(out + i, marker, sizeof(marker) - 1) == 0;
  FUZZ_CHECK(found);
}

char *fuzz_scan(const char *text, size_t len, const aigate_scan_options *opt,
                size_t *out_len) {
  aigate_result r;
  int rc = aigate_scan_ex(fuzz_engine(), fuzz_scratch(), text, len, opt, &r);
  fuzz_check_result(text, len, rc, &r);
  char *red = NULL;
  size_t rl = 0;
  rc = aigate_redact(text, len, &r, &red, &rl);
  FUZZ_CHECK(rc == AIGATE_OK);
  check_redaction(text, len, &r, red, rl);
  if (rl == len && memcmp(red, text, len) == 0) {
    free(red);
    return NULL;
  }
  *out_len = rl;
  return red;
}
