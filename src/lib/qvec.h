/*
 * qvec.h -- 16-byte vectors in GCC and clang (SSE2 on x86-64, NEON on
 * arm64) for the loops that run over every byte of every text; QVEC is
 * left undefined elsewhere, and those loops fall back to plain C.
 */
#ifndef AIGATE_QVEC_H
#define AIGATE_QVEC_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define QVEC 16
typedef unsigned char qvec __attribute__((vector_size(QVEC)));
typedef signed char qmask __attribute__((vector_size(QVEC)));

static inline qvec qload(const unsigned char *p) {
  qvec v;
  memcpy(&v, p, sizeof(v));
  return v;
}

/* 1 if any lane of m is set. */
static inline int qany(qmask m) {
  uint64_t w[QVEC / 8], acc = 0;
  memcpy(w, &m, sizeof(w));
  for (size_t k = 0; k < QVEC / 8; k++)
    acc |= w[k];
  return acc != 0;
}

/* The first lane of m that is set, QVEC when none. */
static inline size_t qfirst(qmask m) {
  if (!qany(m))
    return QVEC;
  signed char b[QVEC];
  memcpy(b, &m, sizeof(b));
  size_t k = 0;
  while (!b[k])
    k++;
  return k;
}
#endif

#endif
