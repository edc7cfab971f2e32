/*
 * records.c -- the gateway's request records on their way to the store.
 *
 * Workers never write to the database: a finished request's record is
 * queued here (a mutex and a list), and the store thread writes the queue
 * in one transaction about every 100 ms (a group commit, like the spend).
 * A kill -9 loses at most the records of that window. The queue is
 * bounded: when the store cannot keep up, new records are dropped and
 * counted, and the count is reported on stderr, never silently lost.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records.h"
#include "metrics.h"

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
};

void gw_audit_set_metrics(gw_audit *a, gw_metrics *m) {
  a->metrics = m;
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

int gw_audit_checkpoint(gw_audit *a) {
  if (!a->chained || a->chain.seq == a->checkpointed)
    return 0;
  if (store_chain_checkpoint(&a->chain, a->checkpoint_path))
    return -1;
  a->checkpointed = a->chain.seq;
  return 0;
}

void gw_audit_free(gw_audit *a) {
  if (!a)
    return;
  store_chain_clear(&a->chain);
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
  unsigned long long dropped = a->dropped - a->dropped_reported;
  a->dropped_reported = a->dropped;
  pthread_mutex_unlock(&a->lock);
  if (dropped)
    gw_metrics_add(a->metrics, GW_M_AUDIT_DROPPED, (double)dropped, GW_END);
  if (dropped)
    fprintf(stderr,
            "aigate: audit: %llu records dropped (queue full: the database "
            "is too slow or failing)\n",
            dropped);
  if (!list)
    return 0;
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
  while (list) {
    gw_audit_rec *r = list;
    list = r->next;
    gw_audit_rec_free(r);
  }
  return ok ? 0 : -1;
}
