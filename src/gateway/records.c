/*
 * records.c -- the gateway's request records on their way to the store.
 *
 * Workers never write to the database: a finished request's record is
 * queued here (a mutex and a list), and the store thread writes the queue
 * in one transaction about every 100 ms (a group commit, like the spend).
 * A kill -9 loses at most the records of that window. The batch offers
 * the CPU to others every few records, so that it does not hold up the
 * workers sharing its CPU for milliseconds. The queue is
 * bounded, by count and by the bytes its records hold (with
 * store_content a record carries the request and up to 1 MiB of
 * response): when the store cannot keep up, new records are dropped and
 * counted, reported on stderr and raised as an alert, never silently
 * lost.
 *
 * Records then go to the sinks outside the database (sinks.c: a JSONL
 * file, syslog), whose losses are reported the same way. The store
 * thread takes a committed batch under the store lock and writes it to
 * the sinks after releasing it (gw_audit_sinks), so a slow disk or
 * collector holds no worker waiting for the store. The copies do not
 * depend on the database: a batch whose commit fails is copied at once,
 * without a place in the chain (the chain covers what the database
 * holds), and stays queued for another attempt; a later commit of it is
 * not copied again.
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gateway.h"
#include "metrics.h"
#include "records.h"
#include "sinks.h"

#define DROP_ALERT_MS 60000 /* at most one alert a minute per sink */
/* Records linked and inserted between two offers of the CPU to the
 * workers (sched_yield): a batch is some 3 to 5 us of work per record,
 * and one of 100 ms at 7,000 requests/s held a CPU for 2 to 4 ms, while
 * a worker or its peers woken on that CPU waited (docs/benchmarks.md,
 * "The store thread's batches"). */
#define YIELD_EVERY 32

enum { DROP_DATABASE = GW_SINK_COUNT, N_DROP };

struct gw_audit {
  pthread_mutex_t lock;
  gw_audit_rec *head, *tail;
  size_t n, max, bytes, max_bytes;
  unsigned long long dropped, dropped_reported;
  /* Used by the store thread only. */
  size_t copied;     /* records at the head of the queue already copied */
  gw_audit_rec *out; /* committed, for the sinks (gw_audit_sinks) */
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

static void free_list(gw_audit_rec *r) {
  while (r) {
    gw_audit_rec *next = r->next;
    gw_audit_rec_free(r);
    r = next;
  }
}

/* The committed records waiting in a->out into the sinks' queues. */
static void queue_out(gw_audit *a) {
  for (gw_audit_rec *r = a->out; a->sinks && r; r = r->next)
    gw_sinks_record(a->sinks, &r->rec);
  free_list(a->out);
  a->out = NULL;
}

static void sinks_flush(gw_audit *a) {
  queue_out(a);
  if (!a->sinks)
    return;
  gw_sinks_flush(a->sinks, gw_wall_ms());
  unsigned long long n[GW_SINK_COUNT];
  gw_sinks_take_dropped(a->sinks, n);
  for (int i = 0; i < GW_SINK_COUNT; i++)
    dropped(a, i, n[i]);
}

gw_audit *gw_audit_new(size_t max_queued, size_t max_bytes) {
  gw_audit *a = calloc(1, sizeof(*a));
  if (!a)
    return NULL;
  pthread_mutex_init(&a->lock, NULL);
  a->max = max_queued;
  a->max_bytes = max_bytes;
  return a;
}

/* The memory a queued record holds, for the queue's byte bound. */
static size_t rec_bytes(const gw_audit_rec *r) {
  return sizeof(*r) + r->text_len + (r->sealed ? r->rec.content_len : 0);
}

/* The record's strings and content where store_audit points to them. */
static void bind_rec(gw_audit_rec *r) {
  r->rec.client = r->client;
  r->rec.route = r->route;
  r->rec.model = r->model;
  r->rec.decision = r->decision;
  r->rec.rules = r->rules;
  r->rec.deployment = r->deployment;
  r->rec.mode = r->mode;
  r->rec.findings = r->findings;
  r->rec.content = r->sealed;
}

gw_audit_rec *gw_audit_rec_new(const char *const s[GW_REC_STRINGS]) {
  size_t len[GW_REC_STRINGS], total = 0;
  for (int i = 0; i < GW_REC_STRINGS; i++) {
    len[i] = s[i] ? strlen(s[i]) + 1 : 0;
    if (len[i] > SIZE_MAX / 2 - sizeof(gw_audit_rec) - total)
      return NULL;
    total += len[i];
  }
  gw_audit_rec *r = calloc(1, sizeof(*r) + total);
  if (!r)
    return NULL;
  r->text_len = total;
  const char **field[GW_REC_STRINGS] = {
      &r->client, &r->route,      &r->model, &r->decision,
      &r->rules,  &r->deployment, &r->mode,  &r->findings};
  char *at = r->text;
  for (int i = 0; i < GW_REC_STRINGS; i++) {
    if (!s[i])
      continue;
    memcpy(at, s[i], len[i]);
    *field[i] = at;
    at += len[i];
  }
  return r;
}

void gw_audit_rec_free(gw_audit_rec *r) {
  if (!r)
    return;
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
  queue_out(a); /* the records before the checkpoint that covers them */
  if (a->sinks && !store_chain_checkpoint_line(&a->chain, line, sizeof(line))) {
    gw_sinks_checkpoint(a->sinks, line, gw_wall_ms());
    sinks_flush(a);
  }
  if (store_chain_checkpoint(&a->chain, a->checkpoint_path))
    return -1;
  a->checkpointed = a->chain.seq;
  /* A line every 2 s is about 8 MB a day: past 4 MiB the file keeps only
   * each chain's last checkpoint (and any line that is not one). */
  if (store_chain_compact(a->chain.key, a->checkpoint_path, 4L << 20))
    fprintf(stderr, "aigate: audit: cannot compact %s\n", a->checkpoint_path);
  return 0;
}

void gw_audit_free(gw_audit *a) {
  if (!a)
    return;
  sinks_flush(a);
  store_chain_clear(&a->chain);
  gw_sinks_free(a->sinks);
  free_list(a->head);
  pthread_mutex_destroy(&a->lock);
  free(a);
}

void gw_audit_push(gw_audit *a, gw_audit_rec *r) {
  size_t bytes = rec_bytes(r);
  pthread_mutex_lock(&a->lock);
  if (a->n >= a->max || bytes > a->max_bytes - a->bytes) {
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
  a->bytes += bytes;
  pthread_mutex_unlock(&a->lock);
}

/* The batch list, whose commit failed, back in front of the queue for
 * another attempt, its copies (from the skip-th record on: those before
 * were copied by an earlier attempt) queued for the sinks at once, out of
 * the chain. What does not fit back is dropped and counted (the queue is
 * bounded as usual). */
static void requeue(gw_audit *a, gw_audit_rec *list, size_t skip) {
  queue_out(a); /* older records first */
  gw_audit_rec *last = NULL;
  size_t n = 0, bytes = 0;
  for (gw_audit_rec *r = list; r; last = r, r = r->next, n++) {
    bytes += rec_bytes(r);
    r->rec.chain_seq = 0;
    r->rec.instance[0] = '\0';
    memset(r->rec.mac, 0, sizeof(r->rec.mac));
    if (n >= skip && a->sinks) {
      bind_rec(r);
      gw_sinks_record(a->sinks, &r->rec);
    }
  }
  pthread_mutex_lock(&a->lock);
  if (a->n + n <= a->max && bytes <= a->max_bytes - a->bytes) {
    last->next = a->head;
    a->head = list;
    if (!a->tail)
      a->tail = last;
    a->n += n;
    a->bytes += bytes;
    a->copied = n;
    list = NULL;
  } else {
    a->dropped += n;
    a->copied = 0;
  }
  pthread_mutex_unlock(&a->lock);
  free_list(list);
}

int gw_audit_flush(gw_audit *a, store *st) {
  pthread_mutex_lock(&a->lock);
  gw_audit_rec *list = a->head;
  size_t skip = a->copied;
  a->head = a->tail = NULL;
  a->n = a->bytes = a->copied = 0;
  unsigned long long lost = a->dropped - a->dropped_reported;
  a->dropped_reported = a->dropped;
  pthread_mutex_unlock(&a->lock);
  dropped(a, DROP_DATABASE, lost);
  if (!list)
    return 0;
  store_chain before = a->chain;
  int ok = store_begin(st) == 0;
  size_t linked = 0;
  for (gw_audit_rec *r = list; ok && r; r = r->next) {
    if (++linked % YIELD_EVERY == 0)
      sched_yield();
    bind_rec(r);
    if (a->chained)
      store_chain_link(&a->chain, &r->rec);
    ok = store_audit_add(st, &r->rec) == 0;
  }
  ok = ok && store_commit(st) == 0;
  if (!ok) {
    store_rollback(st);
    a->chain = before; /* the records get their places again next time */
    requeue(a, list, skip);
    return -1;
  }
  /* For the sinks, after the store is released; not the records copied
   * already, when an attempt before this one failed. */
  for (; skip && list; skip--) {
    gw_audit_rec *r = list;
    list = r->next;
    gw_audit_rec_free(r);
  }
  if (!a->sinks) {
    free_list(list);
    return 0;
  }
  gw_audit_rec **end = &a->out;
  while (*end)
    end = &(*end)->next;
  *end = list;
  return 0;
}

void gw_audit_sinks(gw_audit *a) {
  sinks_flush(a); /* also a backlog waiting for its collector */
}
