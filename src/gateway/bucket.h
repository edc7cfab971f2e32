/*
 * bucket.h -- a token bucket: `limit` tokens per minute, refilled
 * continuously, holding at most `limit`. Used for the requests and tokens
 * per minute of virtual keys (access.c) and of deployments (upstream.c).
 * Not locked: its owner's lock protects it.
 */
#ifndef AIGATE_GW_BUCKET_H
#define AIGATE_GW_BUCKET_H

#include <stdint.h>

typedef struct {
  double tokens;
  int64_t at_ms; /* last refill; 0: never used (full) */
} gw_bucket;

/* Bring b to now_ms; a bucket never used starts full. */
static inline void gw_bucket_refill(gw_bucket *b, int64_t limit,
                                    int64_t now_ms) {
  if (!b->at_ms) {
    b->tokens = (double)limit;
  } else if (now_ms > b->at_ms) {
    b->tokens += (double)(now_ms - b->at_ms) / 60000.0 * (double)limit;
    if (b->tokens > (double)limit)
      b->tokens = (double)limit;
  }
  if (now_ms > b->at_ms)
    b->at_ms = now_ms;
}

/* Seconds until b (of `limit` per minute) holds `need`, rounded up, at
 * least 1. */
static inline int gw_bucket_wait_s(const gw_bucket *b, double need,
                                   int64_t limit) {
  double s = (need - b->tokens) * 60.0 / (double)limit;
  int v = (int)s;
  return v < s ? v + 1 : (v < 1 ? 1 : v);
}

/* A changed limit: a bucket that had none starts full; a lower one caps
 * what it holds. */
static inline void gw_bucket_relimit(gw_bucket *b, int64_t old_limit,
                                     int64_t limit) {
  if (!old_limit || b->tokens > (double)limit)
    b->tokens = (double)limit;
}

/* A deployment's limits (model_list rpm and tpm). */
struct gw_dep_limit {
  gw_bucket rpm, tpm;
};

#endif
