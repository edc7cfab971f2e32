/*
 * gentest.h -- helpers for the unit tests of the trainer's text
 * generators (test_credreq.c, test_framereq.c, test_docreq.c,
 * test_wordreq.c, test_gamereq.c; header-only: each test file is its own
 * executable).
 * Include after cmocka.h.
 */
#ifndef AIGATE_GENTEST_H
#define AIGATE_GENTEST_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* b's text, ended with a NUL; b must not have failed. */
static inline char *text_of(ag_buf *b) {
  ag_buf_putc(b, '\0');
  assert_false(b->failed);
  return b->data;
}

/* The text gen makes for pick, made twice: the same pick must give the
 * same text. The caller frees it. */
static inline char *gen_text(void (*gen)(uint64_t pick, ag_buf *b),
                             uint64_t pick) {
  ag_buf a = {0}, b = {0};
  gen(pick, &a);
  gen(pick, &b);
  ag_buf_putc(&a, '\0');
  ag_buf_putc(&b, '\0');
  assert_false(a.failed || b.failed);
  assert_string_equal(a.data, b.data);
  ag_buf_free(&b);
  return a.data;
}

/* Distinct texts, counted up to DISTINCT_MAX. */
#define DISTINCT_MAX 256
typedef struct {
  char *seen[DISTINCT_MAX];
  size_t n;
} distinct;

static inline void distinct_add(distinct *d, const char *t) {
  if (d->n == DISTINCT_MAX)
    return;
  for (size_t k = 0; k < d->n; k++)
    if (!strcmp(d->seen[k], t))
      return;
  d->seen[d->n] = strdup(t);
  assert_non_null(d->seen[d->n]);
  d->n++;
}

static inline void distinct_free(distinct *d) {
  for (size_t k = 0; k < d->n; k++)
    free(d->seen[k]);
  d->n = 0;
}

/* How a twin differs from its request: the lengths of the longest common
 * prefix (*p) and, after it, the longest common suffix (*s) of a and b,
 * which never overlap. */
static inline void common_ends(const char *a, const char *b, size_t *p,
                               size_t *s) {
  size_t la = strlen(a), lb = strlen(b), i = 0, j = 0;
  while (a[i] && a[i] == b[i])
    i++;
  while (j < la - i && j < lb - i && a[la - 1 - j] == b[lb - 1 - j])
    j++;
  *p = i;
  *s = j;
}

#endif
