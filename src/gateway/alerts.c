/*
 * alerts.c -- what happens to an alert of the anomaly detector
 * (anomaly.c): it is recorded in the database (the `alerts` table, beside
 * the request records it names), printed as one JSON line on stderr,
 * counted in /metrics, sent to syslog and POSTed to a webhook when
 * configured, and, when its severity reaches monitoring.suspend_on, the
 * key is suspended for monitoring.suspend_for (a 403 `key_suspended` until
 * then; `aigate keys update ID --unblock` lifts it). The action taken is
 * part of the alert's record.
 *
 * Workers only queue alerts (bounded); one thread delivers them, so a
 * slow webhook never slows a request.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "alerts.h"
#include "metrics.h"
#include "records.h"

#define MAX_QUEUED 1024

typedef struct node {
  gw_alert a;
  struct node *next;
} node;

struct gw_alerts {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  node *head, *tail;
  size_t n;
  unsigned long dropped;
  int stop;
  pthread_t thread;
  int started;
  /* settings (copied) */
  char *webhook;
  int slack, use_syslog, suspend_severity, suspend_for_s;
  int throttle_severity, throttle_rpm, throttle_for_s;
  gw_access *access;
  gw_metrics *metrics;
  gw_audit *audit;
};

static int severity_rank(const char *s) {
  return !strcmp(s, "critical") ? 4
         : !strcmp(s, "high")   ? 3
         : !strcmp(s, "medium") ? 2
                                : 1;
}

static json_t *alert_json(const gw_alert *a, const char *action) {
  json_t *ids = json_array();
  for (int i = 0; i < a->n_ids; i++)
    json_array_append_new(ids, json_string(a->request_ids[i]));
  return json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:f, s:f, s:f, s:s, "
                   "s:o, s:s}",
                   "event", "alert", "id", a->id, "ts_ms", (json_int_t)a->at_ms,
                   "key", a->key, "signal", a->signal, "detail", a->detail,
                   "observed", a->observed, "baseline", a->baseline, "score",
                   a->score, "severity", a->severity, "request_ids", ids,
                   "action", action);
}

static size_t discard(char *p, size_t size, size_t n, void *ud) {
  (void)p;
  (void)ud;
  return size * n;
}

static void post_webhook(const struct gw_alerts *al, const gw_alert *a,
                         const char *json) {
  char *body = NULL;
  if (al->slack) {
    char text[512];
    snprintf(text, sizeof(text),
             ":rotating_light: aigate %s alert: %s on key %s%s%s (observed "
             "%.0f, baseline %.1f)",
             a->severity, a->signal, a->key, a->detail[0] ? ": " : "",
             a->detail, a->observed, a->baseline);
    json_t *j = json_pack("{s:s}", "text", text);
    body = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
  }
  CURL *e = curl_easy_init();
  if (!e) {
    free(body);
    return;
  }
  struct curl_slist *h =
      curl_slist_append(NULL, "Content-Type: application/json");
  h = curl_slist_append(h, "Expect:");
  curl_easy_setopt(e, CURLOPT_URL, al->webhook);
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, body ? body : json);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
  CURLcode rc = curl_easy_perform(e);
  long status = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  if (rc != CURLE_OK || status >= 300)
    fprintf(stderr, "aigate: alert %s: the webhook failed (%s, HTTP %ld)\n",
            a->id, rc != CURLE_OK ? curl_easy_strerror(rc) : "refused", status);
  curl_slist_free_all(h);
  curl_easy_cleanup(e);
  free(body);
}

/* The automatic response to an alert on a virtual key: suspension, or
 * throttling, per the severities configured; returns what was done. */
static const char *respond(struct gw_alerts *al, const gw_alert *a, char *buf,
                           size_t len) {
  int rank = severity_rank(a->severity);
  int suspend = al->suspend_severity && rank >= al->suspend_severity;
  int throttle = al->throttle_severity && rank >= al->throttle_severity;
  if ((!suspend && !throttle) || strncmp(a->key, "key_", 4) || !al->access)
    return "none";
  int64_t now = (int64_t)time(NULL);
  store *st = gw_access_store_lock(al->access);
  int rc = suspend ? store_key_suspend(st, a->key, now + al->suspend_for_s, now)
                   : store_key_throttle(st, a->key, now + al->throttle_for_s,
                                        al->throttle_rpm, now);
  gw_access_store_unlock(al->access, rc == 0);
  if (rc)
    return suspend ? "suspend failed" : "throttle failed";
  if (suspend)
    snprintf(buf, len, "suspended for %d s", al->suspend_for_s);
  else
    snprintf(buf, len, "throttled to %d rpm for %d s", al->throttle_rpm,
             al->throttle_for_s);
  return buf;
}

void gw_alerts_set_audit(gw_alerts *al, gw_audit *audit) {
  if (al)
    al->audit = audit;
}

/* The alert in the audit chain: route "alert", the key's id when it is
 * a key, the signal as its rule, the action as its decision, and the
 * whole alert (JSON) as its findings. */
static void record(struct gw_alerts *al, const gw_alert *a, const char *action,
                   const char *json) {
  if (!al->audit)
    return;
  const char *s[GW_REC_STRINGS] = {[GW_REC_ROUTE] = "alert",
                                   [GW_REC_DECISION] = action,
                                   [GW_REC_RULES] = a->signal,
                                   [GW_REC_FINDINGS] = json};
  gw_audit_rec *rec = gw_audit_rec_new(s);
  if (!rec)
    return;
  store_audit *r = &rec->rec;
  snprintf(r->id, sizeof(r->id), "%.39s", a->id);
  r->ts_ms = a->at_ms;
  if (!strncmp(a->key, "key_", 4) && strlen(a->key) < sizeof(r->key_id))
    memcpy(r->key_id, a->key, strlen(a->key) + 1);
  gw_audit_push(al->audit, rec);
}

static void deliver(struct gw_alerts *al, const gw_alert *a, int webhook) {
  char abuf[64];
  const char *action = respond(al, a, abuf, sizeof(abuf));
  json_t *j = alert_json(a, action);
  if (!j && a->detail[0]) { /* a detail JSON cannot carry: say it without */
    gw_alert b = *a;
    snprintf(b.detail, sizeof(b.detail), "(not UTF-8)");
    j = alert_json(&b, action);
  }
  char *line = j ? json_dumps(j, JSON_COMPACT) : NULL;
  json_decref(j);
  if (line)
    fprintf(stderr, "%s\n", line);
  record(al, a, action, line);
  gw_metrics_add(al->metrics, GW_M_ALERTS, 1, "severity", a->severity, "signal",
                 a->signal, GW_END);
  if (al->use_syslog)
    syslog(severity_rank(a->severity) >= 3 ? LOG_WARNING : LOG_NOTICE,
           "alert %s: %s on key %s (%s)", a->id, a->signal, a->key,
           a->severity);
  if (al->access) {
    char ids[GW_ALERT_IDS * 41] = "";
    for (int i = 0; i < a->n_ids; i++) {
      if (i)
        strcat(ids, ",");
      strcat(ids, a->request_ids[i]);
    }
    store_alert rec = {a->id,       a->key,      a->signal, a->detail,
                       a->severity, ids,         action,    a->at_ms,
                       a->observed, a->baseline, a->score};
    store *st = gw_access_store_lock(al->access);
    if (store_alert_add(st, &rec))
      fprintf(stderr, "aigate: alert %s: not recorded: %s\n", a->id,
              store_error(st));
    gw_access_store_unlock(al->access, 0);
  }
  if (al->webhook && line && webhook)
    post_webhook(al, a, line);
  else if (al->webhook && line)
    fprintf(stderr, "aigate: alert %s: not sent to the webhook (stopping)\n",
            a->id);
  free(line);
}

static void *alerts_main(void *arg) {
  struct gw_alerts *al = arg;
  pthread_mutex_lock(&al->lock);
  for (;;) {
    while (!al->head && !al->stop)
      pthread_cond_wait(&al->cond, &al->lock);
    if (!al->head)
      break;
    node *n = al->head;
    al->head = n->next;
    if (!al->head)
      al->tail = NULL;
    al->n--;
    int stopping = al->stop;
    pthread_mutex_unlock(&al->lock);
    /* Stopping: what is queued is recorded, but no slow webhook may hold
     * the shutdown. */
    deliver(al, &n->a, !stopping);
    free(n);
    pthread_mutex_lock(&al->lock);
  }
  pthread_mutex_unlock(&al->lock);
  return NULL;
}

gw_alerts *gw_alerts_new(const gw_config *cfg, gw_access *access,
                         gw_metrics *metrics) {
  struct gw_alerts *al = calloc(1, sizeof(*al));
  if (!al)
    return NULL;
  pthread_mutex_init(&al->lock, NULL);
  pthread_cond_init(&al->cond, NULL);
  al->slack = cfg->webhook_slack;
  al->use_syslog = cfg->alert_syslog;
  al->suspend_severity = cfg->suspend_severity;
  al->suspend_for_s = cfg->suspend_for_s;
  al->throttle_severity = cfg->throttle_severity;
  al->throttle_rpm = cfg->throttle_rpm;
  al->throttle_for_s = cfg->throttle_for_s;
  al->access = access;
  al->metrics = metrics;
  if ((cfg->webhook_url && !(al->webhook = strdup(cfg->webhook_url))) ||
      pthread_create(&al->thread, NULL, alerts_main, al)) {
    gw_alerts_free(al);
    return NULL;
  }
  al->started = 1;
  if (al->use_syslog)
    openlog("aigate", LOG_PID | LOG_NDELAY, LOG_DAEMON);
  return al;
}

void gw_alerts_free(gw_alerts *al) {
  if (!al)
    return;
  if (al->started) {
    pthread_mutex_lock(&al->lock);
    al->stop = 1; /* what is queued is still recorded */
    pthread_cond_signal(&al->cond);
    pthread_mutex_unlock(&al->lock);
    pthread_join(al->thread, NULL);
  }
  while (al->head) {
    node *n = al->head;
    al->head = n->next;
    free(n);
  }
  if (al->use_syslog)
    closelog();
  free(al->webhook);
  pthread_mutex_destroy(&al->lock);
  pthread_cond_destroy(&al->cond);
  free(al);
}

void gw_alerts_push(void *ud, const gw_alert *a) {
  struct gw_alerts *al = ud;
  node *n = malloc(sizeof(*n));
  pthread_mutex_lock(&al->lock);
  if (!n || al->n >= MAX_QUEUED) {
    al->dropped++;
    pthread_mutex_unlock(&al->lock);
    free(n);
    fprintf(stderr, "aigate: alert %s dropped: the alert queue is full\n",
            a->id);
    return;
  }
  n->a = *a;
  n->next = NULL;
  if (al->tail)
    al->tail->next = n;
  else
    al->head = n;
  al->tail = n;
  al->n++;
  pthread_cond_signal(&al->cond);
  pthread_mutex_unlock(&al->lock);
}
