/*
 * access.c -- the in-memory key table, limits and spend (access.h).
 *
 * Lookups go through the keyed hash of the presented key, which no one
 * can compute without the store's secret, so probing the table leaks
 * nothing about stored keys; the final match is a constant-time compare.
 *
 * Token buckets: a key with rpm R holds up to R request tokens and gains
 * R per minute; tpm the same with tokens. A request takes one request
 * token and its estimated tokens (prompt estimate + max_tokens); when it
 * ends, the real usage replaces the estimate, so the bucket may go into
 * debt and later requests wait for it. The buckets live in memory, per
 * gateway process: several instances would each allow the full rate
 * (shared limits are what Redis is for when scaling out).
 *
 * Spend: added in memory when a request settles (exact: integers under
 * the lock), written by the store thread about every 100 ms. A budget is
 * checked at admission, so requests in flight when it runs out may end
 * above it by their own cost.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "access.h"
#include "records.h"
#include "bucket.h"

typedef struct {
  store_key k;
  gw_bucket rpm, tpm;
  gw_bucket throttle; /* while k.throttled_until: k.throttle_rpm */
  int64_t pending;    /* spend not written yet (nano-USD) */
  int64_t flushed;    /* written since k.spend was read */
} entry;

typedef struct {
  uint32_t idx; /* entry index + 1; 0: empty */
  uint8_t old;  /* matched through old_hash */
} slot;

typedef struct {
  entry *v;
  size_t n;
  slot *by_hash; /* cap slots, open addressing on the keyed hash */
  uint32_t *by_id;
  size_t cap; /* power of two, > 2 * n */
} table;

struct gw_access {
  pthread_mutex_t lock;       /* the table */
  pthread_mutex_t store_lock; /* the store connection */
  store *st;
  table t;
  int64_t data_version;
  int failed_logged;
  gw_audit *audit;
};

/* ------------------------------------------------------------- table */

static uint64_t hash_pos(const unsigned char h[32]) {
  uint64_t v;
  memcpy(&v, h, sizeof(v));
  return v;
}

static uint64_t id_pos(const char *id) {
  uint64_t h = 1469598103934665603ULL;
  for (; *id; id++)
    h = (h ^ (unsigned char)*id) * 1099511628211ULL;
  return h;
}

static void table_free(table *t) {
  for (size_t i = 0; i < t->n; i++)
    store_key_clear(&t->v[i].k);
  free(t->v);
  free(t->by_hash);
  free(t->by_id);
  memset(t, 0, sizeof(*t));
}

static void put_hash(table *t, const unsigned char h[32], uint32_t idx,
                     int old) {
  size_t m = t->cap - 1;
  for (size_t p = hash_pos(h) & m;; p = (p + 1) & m)
    if (!t->by_hash[p].idx) {
      t->by_hash[p] = (slot){idx, (uint8_t)old};
      return;
    }
}

/* Index the n entries of t->v. */
static int table_index(table *t) {
  size_t cap = 16;
  while (cap < t->n * 4 + 4) /* up to two hashes per key */
    cap *= 2;
  t->cap = cap;
  t->by_hash = calloc(cap, sizeof(*t->by_hash));
  t->by_id = calloc(cap, sizeof(*t->by_id));
  if (!t->by_hash || !t->by_id)
    return -1;
  for (size_t i = 0; i < t->n; i++) {
    const store_key *k = &t->v[i].k;
    put_hash(t, k->hash, (uint32_t)i + 1, 0);
    if (k->old_until)
      put_hash(t, k->old_hash, (uint32_t)i + 1, 1);
    size_t m = cap - 1;
    for (size_t p = id_pos(k->id) & m;; p = (p + 1) & m)
      if (!t->by_id[p]) {
        t->by_id[p] = (uint32_t)i + 1;
        break;
      }
  }
  return 0;
}

static entry *find_id(const table *t, const char *id) {
  if (!t->cap)
    return NULL;
  size_t m = t->cap - 1;
  for (size_t p = id_pos(id) & m; t->by_id[p]; p = (p + 1) & m)
    if (!strcmp(t->v[t->by_id[p] - 1].k.id, id))
      return &t->v[t->by_id[p] - 1];
  return NULL;
}

/* The entry whose current (or, within its grace period, previous) hash
 * is h. Every candidate on the probe path is compared in constant time. */
static entry *find_hash(const table *t, const unsigned char h[32],
                        int64_t now_s) {
  if (!t->cap)
    return NULL;
  size_t m = t->cap - 1;
  entry *found = NULL;
  for (size_t p = hash_pos(h) & m; t->by_hash[p].idx; p = (p + 1) & m) {
    entry *e = &t->v[t->by_hash[p].idx - 1];
    int old = t->by_hash[p].old;
    const unsigned char *cand = old ? e->k.old_hash : e->k.hash;
    if (sodium_memcmp(cand, h, 32) == 0 && (!old || now_s < e->k.old_until))
      found = e;
  }
  return found;
}

/* Read every key from the store into a new table, carrying over the
 * buckets and unwritten spend of keys that were already loaded. Called
 * with store_lock held. */
static int reload(gw_access *a) {
  store_key *keys;
  size_t n;
  if (store_key_list(a->st, &keys, &n))
    return -1;
  table nt = {0};
  nt.v = calloc(n ? n : 1, sizeof(*nt.v));
  if (!nt.v) {
    store_keys_free(keys, n);
    return -1;
  }
  for (size_t i = 0; i < n; i++)
    nt.v[i].k = keys[i]; /* the strings move into the table */
  nt.n = n;
  free(keys);
  if (table_index(&nt)) {
    table_free(&nt);
    return -1;
  }
  pthread_mutex_lock(&a->lock);
  for (size_t i = 0; i < nt.n; i++) {
    const entry *old = find_id(&a->t, nt.v[i].k.id);
    if (!old)
      continue;
    entry *e = &nt.v[i];
    e->rpm = old->rpm;
    e->tpm = old->tpm;
    if (e->k.throttled_until == old->k.throttled_until)
      e->throttle = old->throttle; /* the same throttling goes on */
    if (e->rpm.at_ms)
      gw_bucket_relimit(&e->rpm, old->k.rpm, e->k.rpm);
    if (e->tpm.at_ms)
      gw_bucket_relimit(&e->tpm, old->k.tpm, e->k.tpm);
    nt.v[i].pending = old->pending; /* flushed is in the new k.spend */
  }
  table old = a->t;
  a->t = nt;
  pthread_mutex_unlock(&a->lock);
  table_free(&old);
  return 0;
}

/* --------------------------------------------------------------- API */

gw_access *gw_access_open(const char *db_path, char *err, size_t errlen) {
  gw_access *a = calloc(1, sizeof(*a));
  if (!a) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  pthread_mutex_init(&a->lock, NULL);
  pthread_mutex_init(&a->store_lock, NULL);
  if (!(a->st = store_open(db_path, err, errlen))) {
    gw_access_close(a);
    return NULL;
  }
  a->data_version = store_data_version(a->st);
  if (reload(a)) {
    snprintf(err, errlen, "%s", store_error(a->st));
    gw_access_close(a);
    return NULL;
  }
  return a;
}

void gw_access_close(gw_access *a) {
  if (!a)
    return;
  if (a->st)
    gw_access_poll(a, (int64_t)time(NULL) * 1000); /* the last spend */
  store_close(a->st);
  table_free(&a->t);
  pthread_mutex_destroy(&a->lock);
  pthread_mutex_destroy(&a->store_lock);
  free(a);
}

int gw_access_auth(gw_access *a, const char *key, size_t len, int64_t now_ms,
                   char id[STORE_ID_LEN]) {
  unsigned char h[32];
  store_hash(a->st, key, len, h);
  int64_t now_s = now_ms / 1000;
  pthread_mutex_lock(&a->lock);
  const entry *e = find_hash(&a->t, h, now_s);
  int rc = GW_AUTH_UNKNOWN;
  if (e) {
    rc = e->k.revoked                            ? GW_AUTH_REVOKED
         : e->k.expires && now_s >= e->k.expires ? GW_AUTH_EXPIRED
         : now_s < e->k.suspended_until          ? GW_AUTH_SUSPENDED
                                                 : GW_AUTH_OK;
    memcpy(id, e->k.id, STORE_ID_LEN);
  }
  pthread_mutex_unlock(&a->lock);
  return rc;
}

static int listed(char *const *v, size_t n, const char *name) {
  for (size_t i = 0; i < n; i++)
    if (!strcmp(v[i], name) || !strcmp(v[i], "*"))
      return 1;
  return 0;
}

int gw_access_model_allowed(gw_access *a, const char *id, const char *model) {
  pthread_mutex_lock(&a->lock);
  const entry *e = find_id(&a->t, id);
  int ok = e && (!e->k.n_models || listed(e->k.models, e->k.n_models, model));
  pthread_mutex_unlock(&a->lock);
  return ok;
}

int gw_access_has_model_list(gw_access *a, const char *id) {
  pthread_mutex_lock(&a->lock);
  const entry *e = find_id(&a->t, id);
  int has = e && e->k.n_models;
  pthread_mutex_unlock(&a->lock);
  return has;
}

int64_t gw_access_max_tokens(gw_access *a, const char *id) {
  pthread_mutex_lock(&a->lock);
  const entry *e = find_id(&a->t, id);
  int64_t v = e ? e->k.max_tokens : -1;
  pthread_mutex_unlock(&a->lock);
  return v;
}

static void refill(entry *e, int64_t now_ms) {
  gw_bucket_refill(&e->rpm, e->k.rpm, now_ms);
  gw_bucket_refill(&e->tpm, e->k.tpm, now_ms);
}

static void refuse(gw_grant *g, int status, const char *type, const char *code,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void refuse(gw_grant *g, int status, const char *type, const char *code,
                   const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(g->message, sizeof(g->message), fmt, ap);
  va_end(ap);
  g->status = status;
  g->type = type;
  g->code = code;
}

static char **copy_list(char *const *v, size_t n) {
  char **c = calloc(n ? n : 1, sizeof(*c));
  for (size_t i = 0; c && i < n; i++)
    if (!(c[i] = strdup(v[i]))) {
      while (i--)
        free(c[i]);
      free(c);
      return NULL;
    }
  return c;
}

void gw_access_admit(gw_access *a, const char *id, const gw_ask *ask,
                     gw_grant *out) {
  memset(out, 0, sizeof(*out));
  int64_t now_s = ask->now_ms / 1000;
  pthread_mutex_lock(&a->lock);
  entry *e = find_id(&a->t, id);
  if (!e || e->k.revoked || (e->k.expires && now_s >= e->k.expires)) {
    refuse(out, 401, "authentication_error", "invalid_api_key",
           "this key is no longer valid (revoked, expired or deleted)");
    goto out;
  }
  const store_key *k = &e->k;
  /* Scope. */
  if (k->n_models && !listed(k->models, k->n_models, ask->model)) {
    refuse(out, 403, "permission_error", "model_not_allowed",
           "this key may not use the model '%.100s'", ask->model);
    goto out;
  }
  for (size_t i = 0; k->n_tools && i < ask->n_tools; i++)
    if (!listed(k->tools, k->n_tools, ask->tools[i])) {
      refuse(out, 403, "permission_error", "tool_not_allowed",
             "this key may not use the tool '%.100s'", ask->tools[i]);
      goto out;
    }
  /* Budget: a period that has ended starts again. */
  if (k->budget_duration > 0 && now_s >= e->k.budget_reset_at) {
    e->k.spend = e->flushed = e->pending = 0;
    e->k.budget_reset_at = now_s + k->budget_duration;
  }
  int64_t spend = k->spend + e->flushed + e->pending;
  if (k->max_budget >= 0 && spend >= k->max_budget) {
    char used[32], max[32];
    store_format_usd(spend, used, sizeof(used));
    store_format_usd(k->max_budget, max, sizeof(max));
    refuse(out, 429, "insufficient_quota", "insufficient_quota",
           "this key's budget is exhausted: spent %s of %s USD%s", used, max,
           k->budget_duration ? " in the current period" : "");
    if (k->budget_duration)
      out->retry_after = (int)(k->budget_reset_at - now_s);
    goto out;
  }
  /* Rate limits. */
  refill(e, ask->now_ms);
  int64_t tokens = ask->prompt_tokens + ask->completion_tokens;
  if (k->rpm && e->rpm.tokens < 1.0) {
    out->retry_after = gw_bucket_wait_s(&e->rpm, 1.0, k->rpm);
    refuse(out, 429, "rate_limit_error", "rate_limit_exceeded",
           "this key's limit of %lld requests per minute is reached; retry "
           "in %d s",
           (long long)k->rpm, out->retry_after);
    goto out;
  }
  if (now_s < k->throttled_until && k->throttle_rpm > 0) {
    gw_bucket_refill(&e->throttle, k->throttle_rpm, ask->now_ms);
    if (e->throttle.tokens < 1.0) {
      out->retry_after = gw_bucket_wait_s(&e->throttle, 1.0, k->throttle_rpm);
      refuse(out, 429, "rate_limit_error", "rate_limit_exceeded",
             "this key is throttled to %lld requests per minute after "
             "unusual activity; retry in %d s",
             (long long)k->throttle_rpm, out->retry_after);
      goto out;
    }
  }
  if (k->tpm && tokens > k->tpm) {
    refuse(out, 429, "rate_limit_error", "rate_limit_exceeded",
           "this request needs about %lld tokens; this key allows %lld per "
           "minute (lower max_tokens or the prompt)",
           (long long)tokens, (long long)k->tpm);
    goto out;
  }
  if (k->tpm && e->tpm.tokens < (double)tokens) {
    out->retry_after = gw_bucket_wait_s(&e->tpm, (double)tokens, k->tpm);
    refuse(out, 429, "rate_limit_error", "rate_limit_exceeded",
           "this key's limit of %lld tokens per minute is reached; retry in "
           "%d s",
           (long long)k->tpm, out->retry_after);
    goto out;
  }
  if (k->rpm)
    e->rpm.tokens -= 1.0;
  if (now_s < k->throttled_until && k->throttle_rpm > 0)
    e->throttle.tokens -= 1.0;
  if (k->tpm)
    e->tpm.tokens -= (double)tokens;
  out->reserved_tokens = tokens;
  out->max_tokens = k->max_tokens;
  if ((k->policy && !(out->policy = strdup(k->policy))) ||
      (k->n_tools && !(out->tools = copy_list(k->tools, k->n_tools)))) {
    refuse(out, 500, "server_error", "internal_error", "out of memory");
    goto out;
  }
  out->n_tools = k->n_tools;
  if (k->n_allow_hosts &&
      !(out->allow_hosts = copy_list(k->allow_hosts, k->n_allow_hosts))) {
    refuse(out, 500, "server_error", "internal_error", "out of memory");
    goto out;
  }
  out->n_allow_hosts = k->n_allow_hosts;
out:
  pthread_mutex_unlock(&a->lock);
}

void gw_grant_free(gw_grant *g) {
  free(g->policy);
  for (size_t i = 0; g->tools && i < g->n_tools; i++)
    free(g->tools[i]);
  free(g->tools);
  for (size_t i = 0; g->allow_hosts && i < g->n_allow_hosts; i++)
    free(g->allow_hosts[i]);
  free(g->allow_hosts);
  g->allow_hosts = NULL;
  g->n_allow_hosts = 0;
  g->policy = NULL;
  g->tools = NULL;
  g->n_tools = 0;
}

void gw_access_settle(gw_access *a, const char *id, int64_t reserved,
                      int64_t used_tokens, int64_t cost, int64_t now_ms) {
  pthread_mutex_lock(&a->lock);
  entry *e = find_id(&a->t, id);
  if (e) {
    refill(e, now_ms);
    if (e->k.tpm)
      e->tpm.tokens -= (double)(used_tokens - reserved);
    if (cost > 0)
      e->pending += cost;
  }
  pthread_mutex_unlock(&a->lock);
}

int64_t gw_access_pending_spend(gw_access *a, const char *id) {
  pthread_mutex_lock(&a->lock);
  const entry *e = find_id(&a->t, id);
  int64_t v = e ? e->pending : 0;
  pthread_mutex_unlock(&a->lock);
  return v;
}

typedef struct {
  char id[STORE_ID_LEN];
  int64_t delta;
} spend_rec;

/* Write the pending spend in one transaction. Called with store_lock. */
static int flush(gw_access *a, int64_t now_s) {
  pthread_mutex_lock(&a->lock);
  size_t n = 0;
  for (size_t i = 0; i < a->t.n; i++)
    n += a->t.v[i].pending != 0;
  spend_rec *recs = n ? malloc(n * sizeof(*recs)) : NULL;
  if (!n || !recs) {
    pthread_mutex_unlock(&a->lock);
    return n ? -1 : 0;
  }
  size_t j = 0;
  for (size_t i = 0; i < a->t.n; i++) {
    entry *e = &a->t.v[i];
    if (!e->pending)
      continue;
    memcpy(recs[j].id, e->k.id, STORE_ID_LEN);
    recs[j++].delta = e->pending;
    e->flushed += e->pending;
    e->pending = 0;
  }
  pthread_mutex_unlock(&a->lock);
  int ok = store_begin(a->st) == 0;
  for (size_t i = 0; ok && i < n; i++) {
    int rc = store_spend_add(a->st, recs[i].id, recs[i].delta, now_s);
    ok = rc == STORE_OK || rc == STORE_NOT_FOUND; /* deleted: dropped */
  }
  if (ok)
    ok = store_commit(a->st) == 0;
  if (!ok) { /* give the spend back to be written next time */
    store_rollback(a->st);
    pthread_mutex_lock(&a->lock);
    for (size_t i = 0; i < n; i++) {
      entry *e = find_id(&a->t, recs[i].id);
      if (e) {
        e->pending += recs[i].delta;
        e->flushed -= recs[i].delta;
      }
    }
    pthread_mutex_unlock(&a->lock);
  }
  free(recs);
  return ok ? 0 : -1;
}

const store *gw_access_store(const gw_access *a) {
  return a->st;
}

void gw_access_attach_audit(gw_access *a, gw_audit *audit) {
  a->audit = audit;
}

int gw_access_poll(gw_access *a, int64_t now_ms) {
  pthread_mutex_lock(&a->store_lock);
  int rc = flush(a, now_ms / 1000);
  if (a->audit && gw_audit_flush(a->audit, a->st))
    rc = -1;
  int64_t v = store_data_version(a->st);
  if (rc == 0 && v != a->data_version) {
    if ((rc = reload(a)) == 0)
      a->data_version = v;
  }
  if (rc && !a->failed_logged) {
    fprintf(stderr, "aigate: the key store failed: %s (retrying)\n",
            store_error(a->st));
    a->failed_logged = 1;
  } else if (!rc) {
    a->failed_logged = 0;
  }
  pthread_mutex_unlock(&a->store_lock);
  if (a->audit) /* sink I/O, without the store lock */
    gw_audit_sinks(a->audit);
  return rc;
}

store *gw_access_store_lock(gw_access *a) {
  pthread_mutex_lock(&a->store_lock);
  /* Whatever the API reads should include the spend so far. */
  flush(a, (int64_t)time(NULL));
  return a->st;
}

void gw_access_store_unlock(gw_access *a, int changed) {
  if (changed && reload(a) == 0)
    a->data_version = store_data_version(a->st);
  pthread_mutex_unlock(&a->store_lock);
}
