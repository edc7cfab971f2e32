/*
 * anomaly.h -- behavioural baselines per key and alerts when they break
 * (anomaly.c). Pure logic with the clock passed in: the gateway feeds it
 * finished requests, the tests and bench/bench_anomaly.c feed it
 * simulated days.
 */
#ifndef AIGATE_GW_ANOMALY_H
#define AIGATE_GW_ANOMALY_H

#include <stddef.h>
#include <stdint.h>

/* One finished request. */
typedef struct {
  const char *key;     /* key id; "master" for the master key */
  int unauthenticated; /* refused for its key (none, bad, revoked, expired,
                          suspended): counted apart, key ignored */
  const char *client;  /* client address (IPv4 or IPv6 text) */
  const char *model;   /* NULL when none */
  const char *const *tools;
  size_t n_tools;
  int blocked;  /* the decision was block */
  int findings; /* some rule fired (redact, log or block) */
  int error;    /* the upstream failed (5xx, timeout, transport) */
  /* Categories of the rules behind the decision (repeats allowed). */
  const char *const *categories;
  size_t n_categories;
  int64_t tokens;
  int64_t prompt_bytes; /* of the request's text; 0: none or unknown */
  int64_t cost;         /* nano-USD */
  const char *request_id;
  int64_t now_ms;
} gw_event;

#define GW_ALERT_IDS 8

typedef struct {
  char id[64];        /* "alert_" + time + a counter or request id */
  char key[64];       /* the key, or "*" for all traffic */
  const char *signal; /* static: "request_rate", "blocked_burst", ... */
  char detail[96];    /* the new model, tool or network, when that is it */
  double observed, baseline, score;
  const char *severity; /* "low", "medium", "high", "critical" */
  char request_ids[GW_ALERT_IDS][40];
  int n_ids;
  int64_t at_ms;
} gw_alert;

typedef void (*gw_alert_cb)(void *ud, const gw_alert *a);

typedef struct gw_anomaly gw_anomaly;

/* max_keys bounds the memory (keys beyond it share no baseline). */
gw_anomaly *gw_anomaly_new(size_t max_keys);
void gw_anomaly_free(gw_anomaly *a);

/* Hour-of-day baselines (anomaly.c) on (the default) or off: for the
 * benchmark's comparison. */
void gw_anomaly_set_seasonal(gw_anomaly *a, int on);

/* Account one request; every alert it raises is passed to cb (called
 * with the detector's lock held: cb must only queue). Thread-safe. */
void gw_anomaly_observe(gw_anomaly *a, const gw_event *e, gw_alert_cb cb,
                        void *ud);

#endif
