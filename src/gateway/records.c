/*
 * records.c -- the gateway's request records on their way to the store.
 *
 * Workers never write to the database: a finished request's record is
 * queued here (a mutex and a list), and the store thread writes the queue
 * in one transaction about every 100 ms (a group commit, like the spend).
 * A kill -9 loses at most the records of that window. The queue is
 * bounded: when the store cannot keep up, new records are dropped and
 * counted, reported on stderr and raised as an alert, never silently
 * lost. Committed records then go to the sinks outside the database
 * (sinks.c: a JSONL file, syslog), whose losses are reported the same
 * way.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gateway.h"
#include "metrics.h"
#include "records.h"
#include "sinks.h"

#define DROP_ALERT_MS 60000 /* at most one alert a minute per sink */

enum { DROP_DATABASE = GW_SINK_COUNT, N_DROP };

struct gw_audit {
  pthread_mutex_t lock;
  gw_audit_rec *head, *tail;
  size_t n, max;
  unsigned long long dropped, dropped_reported;
  /* Used by the store thread only. */
  store_chain chain;
  int chained;
  char checkpoint_path[4200];
  int64_t checkpointed; /* chain seq of the last checkpoint */
  gw_metrics *metrics;
  gw_sinks *sinks;
  gw_alert_cb alert;
  void *alert_ud;
  int64_t alerted_ms[N_DROP];
  unsigned long alerts;
};

void gw_audit_set_metrics(gw_audit *a, gw_metrics *m) {
  a->metrics = m;
}

void gw_audit_set_sinks(gw_audit *a, gw_sinks *s) {
  gw_sinks_free(a->sinks);
  a->sinks = s;
}

void gw_audit_set_alerts(gw_audit *a, gw_alert_cb cb, void *ud) {
  a->alert = cb;
  a->alert_ud = ud;
}

/* n records that `where` could not take: counted, said, alerted. */
static void dropped(gw_audit *a, int where, unsigned long long n) {
  const char *name = where < GW_SINK_COUNT ? gw_sink_names[where] : "database";
  if (!n)
    return;
  gw_metrics_add(a->metrics, GW_M_AUDIT_DROPPED, (double)n, "sink", name,
                 GW_END);
  fprintf(stderr, "aigate: audit: %llu records dropped by the %s sink%s\n", n,
          name,
          where == DROP_DATABASE
              ? " (queue full: the database is too slow or failing)"
              : "");
  int64_t now = gw_wall_ms();
  if (!a->alert || now - a->alerted_ms[where] < DROP_ALERT_MS)
    return;
  a->alerted_ms[where] = now;
  gw_alert al;
  memset(&al, 0, sizeof(al));
  snprintf(al.id, sizeof(al.id), "alert_%lld_audit%lu", (long long)now,
           ++a->alerts);
  snprintf(al.key, sizeof(al.key), "*");
  snprintf(al.detail, sizeof(al.detail), "%s", name);
  al.signal = "audit_dropped";
  al.severity = "high";
  al.observed = al.score = (double)n;
  al.at_ms = now;
  a->alert(a->alert_ud, &al);
}

static void sinks_flush(gw_audit *a) {
  if (!a->sinks)
    return;
  gw_sinks_flush(a->sinks, gw_wall_ms());
  unsigned long long n[GW_SINK_COUNT];
  gw_sinks_take_dropped(a->sinks, n);
  for (int i = 0; i < GW_SINK_COUNT; i++)
    dropped(a, i, n[i]);
}

gw_audit *gw_audit_new(size_t max_queued) {
  gw_audit *a = calloc(1, sizeof(*a));
  if (!a)
    return NULL;
  pthread_mutex_init(&a->lock, NULL);
  a->max = max_queued;
  return a;
}

void gw_audit_rec_free(gw_audit_rec *r) {
  if (!r)
    return;
  free(r->client);
  free(r->route);
  free(r->model);
  free(r->decision);
  free(r->rules);
  free(r->sealed);
  free(r);
}

int gw_audit_chain(gw_audit *a, const char *dbpath, char *err, size_t len) {
  char key[4200];
  if (store_path_beside(dbpath, STORE_AUDIT_KEY_FILE, key, sizeof(key)) ||
      store_path_beside(dbpath, STORE_CHECKPOINT_FILE, a->checkpoint_path,
                        sizeof(a->checkpoint_path))) {
    snprintf(err, len, "database path too long");
    return -1;
  }
  if (store_chain_init(&a->chain, key, err, len))
    return -1;
  a->chained = 1;
  return 0;
}

int64_t gw_audit_checkpointed(const gw_audit *a) {
  return !a || !a->chained ? 1 : a->checkpointed;
}

int gw_audit_checkpoint(gw_audit *a) {
  if (!a->chained || a->chain.seq == a->checkpointed)
    return 0;
  char line[256];
  if (a->sinks && !store_chain_checkpoint_line(&a->chain, line, sizeof(line))) {
    gw_sinks_checkpoint(a->sinks, line, gw_wall_ms());
    sinks_flush(a);
  }
  if (store_chain_checkpoint(&a->chain, a->checkpoint_path))
    return -1;
  a->checkpointed = a->chain.seq;
  return 0;
}

void gw_audit_free(gw_audit *a) {
  if (!a)
    return;
  store_chain_clear(&a->chain);
  gw_sinks_free(a->sinks);
  while (a->head) {
    gw_audit_rec *r = a->head;
    a->head = r->next;
    gw_audit_rec_free(r);
  }
  pthread_mutex_destroy(&a->lock);
  free(a);
}

void gw_audit_push(gw_audit *a, gw_audit_rec *r) {
  pthread_mutex_lock(&a->lock);
  if (a->n >= a->max) {
    a->dropped++;
    pthread_mutex_unlock(&a->lock);
    gw_audit_rec_free(r);
    return;
  }
  r->next = NULL;
  if (a->tail)
    a->tail->next = r;
  else
    a->head = r;
  a->tail = r;
  a->n++;
  pthread_mutex_unlock(&a->lock);
}

int gw_audit_flush(gw_audit *a, store *st) {
  pthread_mutex_lock(&a->lock);
  gw_audit_rec *list = a->head;
  a->head = a->tail = NULL;
  a->n = 0;
  unsigned long long lost = a->dropped - a->dropped_reported;
  a->dropped_reported = a->dropped;
  pthread_mutex_unlock(&a->lock);
  dropped(a, DROP_DATABASE, lost);
  if (!list) {
    sinks_flush(a); /* a backlog waiting for its collector */
    return 0;
  }
  store_chain before = a->chain;
  int ok = store_begin(st) == 0;
  for (gw_audit_rec *r = list; ok && r; r = r->next) {
    r->rec.client = r->client;
    r->rec.route = r->route;
    r->rec.model = r->model;
    r->rec.decision = r->decision;
    r->rec.rules = r->rules;
    r->rec.content = r->sealed;
    if (a->chained)
      store_chain_link(&a->chain, &r->rec);
    ok = store_audit_add(st, &r->rec) == 0;
  }
  ok = ok && store_commit(st) == 0;
  if (!ok) {
    store_rollback(st);
    a->chain = before; /* the records get their places again next time */
    /* Put them back in front, for the next attempt (bounded as usual:
     * what does not fit is counted as dropped). */
    pthread_mutex_lock(&a->lock);
    gw_audit_rec *last = list;
    size_t n = 1;
    while (last->next) {
      last = last->next;
      n++;
    }
    if (a->n + n <= a->max) {
      last->next = a->head;
      a->head = list;
      if (!a->tail)
        a->tail = last;
      a->n += n;
      list = NULL;
    } else {
      a->dropped += n;
    }
    pthread_mutex_unlock(&a->lock);
  }
  if (ok) {
    for (gw_audit_rec *r = list; a->sinks && r; r = r->next)
      gw_sinks_record(a->sinks, &r->rec);
    sinks_flush(a);
  }
  while (list) {
    gw_audit_rec *r = list;
    list = r->next;
    gw_audit_rec_free(r);
  }
  return ok ? 0 : -1;
}
