/*
 * records.h -- request records queued for the store (records.c).
 */
#ifndef AIGATE_GW_RECORDS_H
#define AIGATE_GW_RECORDS_H

#include <stddef.h>

#include "anomaly.h"
#include "store.h"

/* A record and the memory it owns (the strings and sealed content that
 * rec points to when written). Its strings live in the record's own
 * allocation (gw_audit_rec_new): the store thread frees one block per
 * record, not one per string. */
typedef struct gw_audit_rec {
  store_audit rec;
  const char *client, *route, *model, *decision, *rules, *deployment, *mode,
      *findings;
  unsigned char *sealed;
  struct gw_audit_rec *next;
  size_t text_len; /* bytes in text */
  char text[];     /* the strings above */
} gw_audit_rec;

/* The strings of a record, in the order gw_audit_rec_new takes them. */
enum {
  GW_REC_CLIENT,
  GW_REC_ROUTE,
  GW_REC_MODEL,
  GW_REC_DECISION,
  GW_REC_RULES,
  GW_REC_DEPLOYMENT,
  GW_REC_MODE,
  GW_REC_FINDINGS,
  GW_REC_STRINGS
};

/* A zeroed record holding copies of s (a NULL string stays NULL); NULL
 * when out of memory. Freed with gw_audit_rec_free. */
gw_audit_rec *gw_audit_rec_new(const char *const s[GW_REC_STRINGS]);

typedef struct gw_audit gw_audit;

/* A queue of at most max_queued records holding at most max_bytes. */
gw_audit *gw_audit_new(size_t max_queued, size_t max_bytes);
void gw_audit_free(gw_audit *a);
void gw_audit_rec_free(gw_audit_rec *r);

/* Chain the records (store_chain, chain.c) with the audit key and the
 * checkpoint file beside the database at dbpath. */
int gw_audit_chain(gw_audit *a, const char *dbpath, char *err, size_t len);
/* Append the chain's head to the checkpoint file when it moved. */
int gw_audit_checkpoint(gw_audit *a);
/* The chain position of the last checkpoint (0: none yet, or not
 * chained: then 1, as there is nothing to checkpoint). */
int64_t gw_audit_checkpointed(const gw_audit *a);

/* Count dropped records in m too. */
struct gw_metrics;
void gw_audit_set_metrics(gw_audit *a, struct gw_metrics *m);

/* Copy records and checkpoints to these sinks (taken over;
 * sinks.h), and raise losses (of the queue or a sink) as alerts through
 * cb (gw_alerts_push; called from the store thread). */
struct gw_sinks;
void gw_audit_set_sinks(gw_audit *a, struct gw_sinks *s);
void gw_audit_set_alerts(gw_audit *a, gw_alert_cb cb, void *ud);

/* Queue r (taken over; freed and counted as dropped when full). */
void gw_audit_push(gw_audit *a, gw_audit_rec *r);

/* Write the queue in one transaction (the caller holds the store). -1
 * when the store failed: the records stay queued, and are copied to the
 * sinks anyway (once, out of the chain). The copies are written by
 * gw_audit_sinks. */
int gw_audit_flush(gw_audit *a, store *st);
/* Write the records of gw_audit_flush to the sinks (file, syslog). The
 * store thread calls it after releasing the store, so that a slow sink
 * holds no worker waiting for the store. */
void gw_audit_sinks(gw_audit *a);

#endif
