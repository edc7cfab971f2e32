/*
 * metrics.h -- the gateway's counters, histograms and gauges, rendered
 * for Prometheus (metrics.c). Every name starts with aigate_; the
 * decision is the label `decision` (allow, log, redact, block).
 */
#ifndef AIGATE_GW_METRICS_H
#define AIGATE_GW_METRICS_H

#include <stddef.h>

typedef enum {
  GW_M_REQUESTS,
  GW_M_FINDINGS,
  GW_M_TOKENS,
  GW_M_SPEND,
  GW_M_UPSTREAM_ERRORS,
  GW_M_RETRIES,
  GW_M_SCAN_FAILURES,
  GW_M_ALERTS,
  GW_M_AUDIT_DROPPED,
  GW_M_FAMILIES
} gw_metric_family;

typedef enum {
  GW_H_OVERHEAD,
  GW_H_FIRST_BYTE,
  GW_H_TOTAL,
  GW_H_COUNT
} gw_histogram;

typedef enum { GW_G_CONNECTIONS, GW_G_STREAMS, GW_G_COUNT } gw_gauge;

typedef struct gw_metrics gw_metrics;

gw_metrics *gw_metrics_new(void);
void gw_metrics_free(gw_metrics *m);

/* The end of a label list (a typed null pointer, as va_arg reads it). */
#define GW_END ((const char *)NULL)

/* Add v to the series of family f with the labels given as name, value
 * pairs ending with GW_END: gw_metrics_add(m, GW_M_REQUESTS, 1, "route",
 * "chat", "model", "gpt-4o", GW_END). Thread-safe; m NULL is a no-op. */
void gw_metrics_add(gw_metrics *m, gw_metric_family f, double v, ...);
void gw_metrics_observe(gw_metrics *m, gw_histogram h, double seconds);
void gw_metrics_gauge(gw_metrics *m, gw_gauge g, long long delta);

/* For the dashboard (ui.c): a request of `decision` (0 allow, 1 log,
 * 2 redact, 3 block) in its minute; the last `minutes` minutes (at most
 * 120) as {"t": [unix s], "allow": [...], ..., "overhead_ms": [mean]};
 * a family's series as [{"labels": {...}, "value": v}]; a quantile of a
 * histogram in seconds (0 when empty). */
struct json_t;
void gw_metrics_minute(gw_metrics *m, int decision, double overhead_s,
                       long long now_ms);
struct json_t *gw_metrics_series(gw_metrics *m, long long now_ms, int minutes);
struct json_t *gw_metrics_family_json(gw_metrics *m, gw_metric_family f);
double gw_metrics_quantile(gw_metrics *m, gw_histogram h, double q);
long long gw_metrics_gauge_value(gw_metrics *m, gw_gauge g);

/* The text exposition format (version 0.0.4); caller frees. */
char *gw_metrics_render(gw_metrics *m, size_t *len);

#endif
