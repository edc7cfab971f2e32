/*
 * access.h -- virtual keys in the gateway: who a request is, what its key
 * lets it do, and what it has used.
 *
 * The keys of the store are held in memory in one table shared by every
 * worker, behind one mutex (lookups are a few hash probes; at tens of
 * thousands of requests per second the lock is not contended enough to
 * matter). Limits are exact across workers because they live in that one
 * table: requests and tokens per minute as token buckets, spend as integer
 * nano-dollars.
 *
 * The store thread calls gw_access_poll about every 100 ms: it writes the
 * spend that accumulated (one transaction: a group commit) and reloads the
 * table when another process changed the database (`aigate keys ...`), so
 * a change made with the CLI applies within a second. Changes made
 * through the admin API reload the table before the API answers.
 */
#ifndef AIGATE_GW_ACCESS_H
#define AIGATE_GW_ACCESS_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

typedef struct gw_access gw_access;

/* Open the store at db_path and load its keys. NULL and err on failure. */
gw_access *gw_access_open(const char *db_path, char *err, size_t errlen);
void gw_access_close(gw_access *a);

enum {
  GW_AUTH_OK = 0,
  GW_AUTH_UNKNOWN = 1,
  GW_AUTH_REVOKED = 2,
  GW_AUTH_EXPIRED = 3,
  GW_AUTH_SUSPENDED = 4, /* after an alert, for a while (alerts.c) */
};

/* Authenticate a presented key; on GW_AUTH_OK its id is copied to id. */
int gw_access_auth(gw_access *a, const char *key, size_t len, int64_t now_ms,
                   char id[STORE_ID_LEN]);

/* What a request asks for, for the admission check. */
typedef struct {
  const char *model;
  const char *const *tools; /* tool names the request declares */
  size_t n_tools;
  int64_t prompt_tokens;     /* estimated from the request's size */
  int64_t completion_tokens; /* max_tokens (after the clamp) x n; 0 if
                                unknown */
  int64_t now_ms;
} gw_ask;

/* The answer: a refusal (status != 0), or the key's terms for the rest
 * of the request. Free with gw_grant_free. */
typedef struct {
  int status;              /* 0: admitted */
  const char *type, *code; /* OpenAI error type and code */
  char message[320];
  int retry_after;    /* seconds, for a 429 */
  int64_t max_tokens; /* clamp; 0: none */
  char *policy;       /* profile name; NULL: the gateway's */
  char **tools;       /* allowed tools; NULL: every tool */
  size_t n_tools;
  char **allow_hosts; /* the key's exfiltration allow-list */
  size_t n_allow_hosts;
  int64_t reserved_tokens; /* taken from the tpm bucket; settled later */
} gw_grant;

/* The model check alone (for GET /v1/models and fallbacks): 1 when the
 * key may use `model`. */
int gw_access_model_allowed(gw_access *a, const char *id, const char *model);

/* Is the key restricted to a list of models? */
int gw_access_has_model_list(gw_access *a, const char *id);

/* The key's max_tokens clamp (0: none); -1 when the key is gone. */
int64_t gw_access_max_tokens(gw_access *a, const char *id);

/* Check scope (model, tools), then rpm, tpm and budget, and take what the
 * request uses from the buckets. Only a request that passes the scope
 * check counts against the limits. */
void gw_access_admit(gw_access *a, const char *id, const gw_ask *ask,
                     gw_grant *out);
void gw_grant_free(gw_grant *g);

/* A request is over: its real token count replaces the reservation in
 * the tpm bucket and its cost (nano-USD) is added to the key's spend. */
void gw_access_settle(gw_access *a, const char *id, int64_t reserved,
                      int64_t used_tokens, int64_t cost, int64_t now_ms);

/* The spend not yet written to the store, for the admin API's answers. */
int64_t gw_access_pending_spend(gw_access *a, const char *id);

/* Store thread: write pending spend and the attached audit queue; reload
 * when the database changed; then, with the store released, copy the
 * records to the audit sinks (gw_audit_sinks). Returns -1 when the store
 * failed (the reason is logged once). */
int gw_access_poll(gw_access *a, int64_t now_ms);

/* The store, for its keyed hash (thread-safe: it reads the secret). */
const store *gw_access_store(const gw_access *a);

/* Request records to write with the spend (may be NULL). */
struct gw_audit;
void gw_access_attach_audit(gw_access *a, struct gw_audit *audit);

/* The admin API's access to the store: lock, use, unlock; `changed`
 * reloads the table before returning. */
store *gw_access_store_lock(gw_access *a);
void gw_access_store_unlock(gw_access *a, int changed);

#endif
