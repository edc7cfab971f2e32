/*
 * metrics.c -- what the gateway counts, in Prometheus' text format
 * (GET /metrics, behind the master key).
 *
 * One set of counters for the whole process, shared by the workers: a
 * labelled series is a line in a small hash table under its family's
 * mutex (one lock per finished request and family touched); histograms
 * and gauges are atomics. Label values that come from clients (model
 * names in passthrough mode) are bounded: past MAX_SERIES series in a
 * family, new label sets are counted under the value "_other", so a
 * client cannot grow the gateway's memory.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "metrics.h"
#include "util.h"

#define MAX_SERIES 4096
#define N_BUCKETS 17

static const double bounds[N_BUCKETS] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
    0.5,    1,     2.5,    5,     10,   30,    60,   120};

typedef struct {
  char *labels; /* rendered: k="v",k="v" */
  double value;
} series;

#define INDEX_SLOTS (2 * MAX_SERIES) /* open addressing, power of two */

typedef struct {
  const char *name, *help, *type;
  pthread_mutex_t lock;
  series *v;
  size_t n, cap;
  uint32_t *index; /* INDEX_SLOTS entries: series index + 1; 0 empty */
} family;

static uint32_t label_hash(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

/* The slot of labels in fm's index: its series, or the empty slot where
 * it would go. */
static uint32_t *slot_of(family *fm, const char *labels) {
  size_t m = INDEX_SLOTS - 1;
  for (size_t p = label_hash(labels) & m;; p = (p + 1) & m)
    if (!fm->index[p] || !strcmp(fm->v[fm->index[p] - 1].labels, labels))
      return &fm->index[p];
}

typedef struct {
  const char *name, *help;
  atomic_ullong counts[N_BUCKETS + 1];
  atomic_ullong sum_us, total;
} histogram;

#define MINUTES 120 /* per-minute history kept for the dashboard */

typedef struct {
  int64_t minute;
  double decisions[4]; /* allow, log, redact, block */
  double overhead_s;
  double n;
} minute_slot;

struct gw_metrics {
  family fam[GW_M_FAMILIES];
  histogram hist[GW_H_COUNT];
  atomic_llong gauges[GW_G_COUNT];
  pthread_mutex_t min_lock;
  minute_slot ring[MINUTES];
};

static const struct {
  const char *name, *help, *type;
} fam_def[GW_M_FAMILIES] = {
    [GW_M_REQUESTS] = {"aigate_requests_total",
                       "Requests by route, model, decision and status.",
                       "counter"},
    [GW_M_FINDINGS] = {"aigate_findings_total",
                       "Findings behind decisions, by category and rule.",
                       "counter"},
    [GW_M_TOKENS] = {"aigate_tokens_total",
                     "Tokens the upstreams reported, by key and type.",
                     "counter"},
    [GW_M_SPEND] = {"aigate_spend_usd_total", "Spend in USD by key.",
                    "counter"},
    [GW_M_UPSTREAM_ERRORS] = {"aigate_upstream_errors_total",
                              "Upstream attempts that failed, by reason.",
                              "counter"},
    [GW_M_RETRIES] = {"aigate_upstream_retries_total",
                      "Upstream attempts after the first.", "counter"},
    [GW_M_SCAN_FAILURES] = {"aigate_scan_failures_total",
                            "Scans that could not run, by what the policy "
                            "did (fail-open or fail-closed).",
                            "counter"},
    [GW_M_ALERTS] = {"aigate_alerts_total", "Alerts raised, by severity.",
                     "counter"},
    [GW_M_AUDIT_DROPPED] = {"aigate_audit_dropped_total",
                            "Request records lost, by the sink that could "
                            "not take them (database, file, syslog).",
                            "counter"},
};

static const struct {
  const char *name, *help;
} hist_def[GW_H_COUNT] = {
    [GW_H_OVERHEAD] = {"aigate_overhead_seconds",
                       "Time spent in the gateway per request (not the "
                       "upstream's)."},
    [GW_H_FIRST_BYTE] = {"aigate_upstream_first_byte_seconds",
                         "Upstream time to first byte."},
    [GW_H_TOTAL] = {"aigate_request_duration_seconds",
                    "Whole request, as the client saw it."},
};

static const struct {
  const char *name, *help;
} gauge_def[GW_G_COUNT] = {
    [GW_G_CONNECTIONS] = {"aigate_open_connections",
                          "Open client connections."},
    [GW_G_STREAMS] = {"aigate_open_streams", "Streams being relayed."},
};

gw_metrics *gw_metrics_new(void) {
  gw_metrics *m = calloc(1, sizeof(*m));
  if (!m)
    return NULL;
  for (int i = 0; i < GW_M_FAMILIES; i++) {
    m->fam[i].name = fam_def[i].name;
    m->fam[i].help = fam_def[i].help;
    m->fam[i].type = fam_def[i].type;
    pthread_mutex_init(&m->fam[i].lock, NULL);
    if (!(m->fam[i].index = calloc(INDEX_SLOTS, sizeof(uint32_t)))) {
      gw_metrics_free(m);
      return NULL;
    }
  }
  for (int i = 0; i < GW_H_COUNT; i++) {
    m->hist[i].name = hist_def[i].name;
    m->hist[i].help = hist_def[i].help;
  }
  pthread_mutex_init(&m->min_lock, NULL);
  return m;
}

void gw_metrics_free(gw_metrics *m) {
  if (!m)
    return;
  for (int i = 0; i < GW_M_FAMILIES; i++) {
    for (size_t j = 0; j < m->fam[i].n; j++)
      free(m->fam[i].v[j].labels);
    free(m->fam[i].v);
    free(m->fam[i].index);
    pthread_mutex_destroy(&m->fam[i].lock);
  }
  pthread_mutex_destroy(&m->min_lock);
  free(m);
}

/* A label value in the exposition format: \, " and newline escaped. */
static void put_value(ag_buf *b, const char *v) {
  while (v && *v) {
    size_t n = strcspn(v, "\\\"\n"); /* runs of plain bytes at once */
    ag_buf_append(b, v, n);
    if (!v[n])
      break;
    ag_buf_append(b, v[n] == '\n' ? "\\n" : v[n] == '"' ? "\\\"" : "\\\\", 2);
    v += n + 1;
  }
}

void gw_metrics_add(gw_metrics *m, gw_metric_family f, double v, ...) {
  if (!m)
    return;
  ag_buf b = {0};
  va_list ap;
  va_start(ap, v);
  for (const char *k; (k = va_arg(ap, const char *));) {
    const char *val = va_arg(ap, const char *);
    if (b.len)
      ag_buf_putc(&b, ',');
    ag_buf_append(&b, k, strlen(k));
    ag_buf_append(&b, "=\"", 2);
    put_value(&b, val ? val : "");
    ag_buf_putc(&b, '"');
  }
  va_end(ap);
  ag_buf_putc(&b, '\0');
  if (b.failed) {
    ag_buf_free(&b);
    return;
  }
  family *fm = &m->fam[f];
  pthread_mutex_lock(&fm->lock);
  uint32_t *slot = slot_of(fm, b.data);
  if (!*slot && fm->n >= MAX_SERIES) {
    /* Full: count it under _other (one more series per family). */
    free(b.data);
    b.data = strdup("overflow=\"_other\"");
    slot = b.data ? slot_of(fm, b.data) : NULL;
  }
  size_t i = slot && *slot ? *slot - 1 : fm->n;
  if (b.data && i == fm->n && fm->n == fm->cap) {
    size_t cap = fm->cap ? fm->cap * 2 : 16;
    series *nv = realloc(fm->v, cap * sizeof(*nv));
    if (nv) {
      fm->v = nv;
      fm->cap = cap;
    }
  }
  if (b.data && slot && i == fm->n && fm->n < fm->cap) {
    fm->v[fm->n].labels = b.data;
    fm->v[fm->n].value = 0;
    fm->n++;
    *slot = (uint32_t)fm->n;
    b.data = NULL;
  }
  if (i < fm->n)
    fm->v[i].value += v;
  pthread_mutex_unlock(&fm->lock);
  free(b.data);
}

void gw_metrics_observe(gw_metrics *m, gw_histogram h, double seconds) {
  if (!m || seconds < 0)
    return;
  histogram *hg = &m->hist[h];
  int i = 0;
  while (i < N_BUCKETS && seconds > bounds[i])
    i++;
  atomic_fetch_add(&hg->counts[i], 1);
  atomic_fetch_add(&hg->sum_us, (unsigned long long)(seconds * 1e6));
  atomic_fetch_add(&hg->total, 1);
}

void gw_metrics_gauge(gw_metrics *m, gw_gauge g, long long delta) {
  if (m)
    atomic_fetch_add(&m->gauges[g], delta);
}

static void printf_buf(ag_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void printf_buf(ag_buf *b, const char *fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  if (n > 0)
    ag_buf_append(b, line,
                  (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

char *gw_metrics_render(gw_metrics *m, size_t *len) {
  ag_buf b = {0};
  for (int i = 0; i < GW_M_FAMILIES; i++) {
    family *fm = &m->fam[i];
    printf_buf(&b, "# HELP %s %s\n# TYPE %s %s\n", fm->name, fm->help, fm->name,
               fm->type);
    pthread_mutex_lock(&fm->lock);
    for (size_t j = 0; j < fm->n; j++) {
      ag_buf_append(&b, fm->name, strlen(fm->name));
      if (fm->v[j].labels[0]) {
        ag_buf_putc(&b, '{');
        ag_buf_append(&b, fm->v[j].labels, strlen(fm->v[j].labels));
        ag_buf_putc(&b, '}');
      }
      printf_buf(&b, " %.17g\n", fm->v[j].value);
    }
    pthread_mutex_unlock(&fm->lock);
  }
  for (int i = 0; i < GW_H_COUNT; i++) {
    histogram *hg = &m->hist[i];
    printf_buf(&b, "# HELP %s %s\n# TYPE %s histogram\n", hg->name, hg->help,
               hg->name);
    unsigned long long cum = 0;
    for (int k = 0; k < N_BUCKETS; k++) {
      cum += atomic_load(&hg->counts[k]);
      printf_buf(&b, "%s_bucket{le=\"%g\"} %llu\n", hg->name, bounds[k], cum);
    }
    cum += atomic_load(&hg->counts[N_BUCKETS]);
    printf_buf(&b, "%s_bucket{le=\"+Inf\"} %llu\n", hg->name, cum);
    printf_buf(&b, "%s_sum %.6f\n%s_count %llu\n", hg->name,
               (double)atomic_load(&hg->sum_us) / 1e6, hg->name, cum);
  }
  for (int i = 0; i < GW_G_COUNT; i++)
    printf_buf(&b, "# HELP %s %s\n# TYPE %s gauge\n%s %lld\n",
               gauge_def[i].name, gauge_def[i].help, gauge_def[i].name,
               gauge_def[i].name, (long long)atomic_load(&m->gauges[i]));
  if (b.failed) {
    ag_buf_free(&b);
    return NULL;
  }
  *len = b.len;
  ag_buf_putc(&b, '\0');
  return b.data;
}

/* ------------------------------------------------- for the dashboard */

void gw_metrics_minute(gw_metrics *m, int decision, double overhead_s,
                       long long now_ms) {
  if (!m || decision < 0 || decision > 3)
    return;
  int64_t minute = now_ms / 60000;
  pthread_mutex_lock(&m->min_lock);
  minute_slot *s = &m->ring[minute % MINUTES];
  if (s->minute != minute)
    *s = (minute_slot){.minute = minute};
  s->decisions[decision] += 1;
  s->overhead_s += overhead_s;
  s->n += 1;
  pthread_mutex_unlock(&m->min_lock);
}

json_t *gw_metrics_series(gw_metrics *m, long long now_ms, int minutes) {
  if (minutes > MINUTES)
    minutes = MINUTES;
  json_t *t = json_array(), *d[4], *ov = json_array();
  for (int k = 0; k < 4; k++)
    d[k] = json_array();
  int64_t last = now_ms / 60000;
  pthread_mutex_lock(&m->min_lock);
  for (int64_t minute = last - minutes + 1; minute <= last; minute++) {
    const minute_slot *s = &m->ring[minute % MINUTES];
    int here = s->minute == minute;
    json_array_append_new(t, json_integer((json_int_t)(minute * 60)));
    for (int k = 0; k < 4; k++)
      json_array_append_new(d[k], json_real(here ? s->decisions[k] : 0));
    json_array_append_new(ov, here && s->n
                                  ? json_real(s->overhead_s / s->n * 1000.0)
                                  : json_null());
  }
  pthread_mutex_unlock(&m->min_lock);
  return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "t", t, "allow", d[0],
                   "log", d[1], "redact", d[2], "block", d[3], "overhead_ms",
                   ov);
}

json_t *gw_metrics_family_json(gw_metrics *m, gw_metric_family f) {
  family *fm = &m->fam[f];
  json_t *out = json_array();
  pthread_mutex_lock(&fm->lock);
  for (size_t i = 0; i < fm->n; i++) {
    /* Labels back from their rendered form: k="v",k="v". */
    json_t *labels = json_object();
    const char *p = fm->v[i].labels;
    while (*p) {
      const char *eq = strchr(p, '=');
      if (!eq || eq[1] != '"')
        break;
      char key[64], val[512];
      snprintf(key, sizeof(key), "%.*s", (int)(eq - p), p);
      size_t n = 0;
      const char *q = eq + 2;
      for (; *q && *q != '"' && n + 1 < sizeof(val); q++) {
        if (*q == '\\' && q[1])
          q++;
        val[n++] = *q == 'n' && q[-1] == '\\' ? '\n' : *q;
      }
      val[n] = '\0';
      json_object_set_new(labels, key, json_string(val));
      p = *q ? q + 1 : q;
      if (*p == ',')
        p++;
    }
    json_array_append_new(out, json_pack("{s:o, s:f}", "labels", labels,
                                         "value", fm->v[i].value));
  }
  pthread_mutex_unlock(&fm->lock);
  return out;
}

double gw_metrics_quantile(gw_metrics *m, gw_histogram h, double q) {
  histogram *hg = &m->hist[h];
  unsigned long long counts[N_BUCKETS + 1], total = 0;
  for (int i = 0; i <= N_BUCKETS; i++)
    total += counts[i] = atomic_load(&hg->counts[i]);
  if (!total)
    return 0;
  double want = q * (double)total, cum = 0;
  for (int i = 0; i <= N_BUCKETS; i++) {
    if (cum + (double)counts[i] >= want && counts[i]) {
      /* Linear inside the bucket, as Prometheus' histogram_quantile. */
      double lo = i ? bounds[i - 1] : 0;
      double hi = i < N_BUCKETS ? bounds[i] : bounds[N_BUCKETS - 1];
      return lo + (hi - lo) * (want - cum) / (double)counts[i];
    }
    cum += (double)counts[i];
  }
  return bounds[N_BUCKETS - 1];
}

long long gw_metrics_gauge_value(gw_metrics *m, gw_gauge g) {
  return (long long)atomic_load(&m->gauges[g]);
}
