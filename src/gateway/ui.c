/*
 * ui.c -- the dashboard at /ui: static files embedded in the binary
 * (the files of ui/: the page, its script and style, uPlot), and one JSON
 * endpoint, /ui/api/overview, with what the page shows.
 *
 * The static files hold no data and are served to anyone (the page asks
 * for a key); the data endpoint needs the master key or the read-only
 * dashboard key (monitoring.ui_key). It shows counts, rules, latencies,
 * alerts, per-key totals and the records of blocked requests -- never
 * prompt or response content.
 */
#include <jansson.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway.h"
#include "internal.h"
#include "metrics.h"

extern const ag_embedded_file ag_embedded_ui[];
extern const size_t ag_embedded_ui_count;

static const char *type_of(const char *name) {
  const char *dot = strrchr(name, '.');
  if (!dot)
    return "application/octet-stream";
  if (!strcmp(dot, ".html"))
    return "text/html; charset=utf-8";
  if (!strcmp(dot, ".js"))
    return "text/javascript; charset=utf-8";
  if (!strcmp(dot, ".css"))
    return "text/css; charset=utf-8";
  return "application/octet-stream";
}

int gw_ui_static(gw_req *r, const char *url) {
  const char *name = url + 3; /* after "/ui" */
  if (!*name || !strcmp(name, "/"))
    name = "/index.html";
  char want[128];
  snprintf(want, sizeof(want), "ui%s", name);
  for (size_t i = 0; i < ag_embedded_ui_count; i++)
    if (!strcmp(ag_embedded_ui[i].name, want)) {
      char *copy = malloc(ag_embedded_ui[i].len + 1);
      if (!copy)
        return -1;
      memcpy(copy, ag_embedded_ui[i].data, ag_embedded_ui[i].len);
      copy[ag_embedded_ui[i].len] = '\0';
      gw_set_body(r, 200, copy);
      r->resp_len = ag_embedded_ui[i].len;
      r->resp_ctype = type_of(want);
      return 0;
    }
  gw_error(r, 404, "invalid_request_error", "not_found", "no file %s", url);
  return 0;
}

static json_t *sum_by(json_t *series, const char *label) {
  json_t *out = json_object();
  size_t i;
  json_t *s;
  json_array_foreach(series, i, s) {
    const char *v =
        json_string_value(json_object_get(json_object_get(s, "labels"), label));
    if (!v)
      continue;
    double have = json_number_value(json_object_get(out, v));
    json_object_set_new(
        out, v,
        json_real(have + json_number_value(json_object_get(s, "value"))));
  }
  return out;
}

static int by_value_desc(const void *a, const void *b) {
  double x = json_number_value(json_object_get(*(json_t *const *)a, "value"));
  double y = json_number_value(json_object_get(*(json_t *const *)b, "value"));
  return x < y ? 1 : x > y ? -1 : 0;
}

/* The n largest series of a family. */
static json_t *top(json_t *series, size_t n) {
  size_t cnt = json_array_size(series);
  json_t **v = calloc(cnt ? cnt : 1, sizeof(*v));
  json_t *out = json_array();
  if (!v)
    return out;
  for (size_t i = 0; i < cnt; i++)
    v[i] = json_array_get(series, i);
  qsort(v, cnt, sizeof(*v), by_value_desc);
  for (size_t i = 0; i < cnt && i < n; i++)
    json_array_append(out, v[i]);
  free(v);
  return out;
}

void gw_ui_overview(gw_req *r) {
  gw_shared *sh = r->w->sh;
  gw_metrics *m = sh->metrics;
  int64_t now = gw_wall_ms();
  json_t *requests = gw_metrics_family_json(m, GW_M_REQUESTS);
  json_t *findings = gw_metrics_family_json(m, GW_M_FINDINGS);
  json_t *doc = json_pack(
      "{s:I, s:o, s:o, s:o, s:{s:f, s:f, s:f, s:f}, s:I, s:I}", "now_ms",
      (json_int_t)now, "decisions", sum_by(requests, "decision"), "series",
      gw_metrics_series(m, now, 60), "top_rules", top(findings, 10),
      "latency_ms", "overhead_p50",
      gw_metrics_quantile(m, GW_H_OVERHEAD, 0.5) * 1000, "overhead_p95",
      gw_metrics_quantile(m, GW_H_OVERHEAD, 0.95) * 1000, "total_p50",
      gw_metrics_quantile(m, GW_H_TOTAL, 0.5) * 1000, "total_p95",
      gw_metrics_quantile(m, GW_H_TOTAL, 0.95) * 1000, "open_connections",
      (json_int_t)gw_metrics_gauge_value(m, GW_G_CONNECTIONS), "open_streams",
      (json_int_t)gw_metrics_gauge_value(m, GW_G_STREAMS));
  json_decref(requests);
  json_decref(findings);
  if (!doc) {
    gw_error(r, 500, "server_error", "internal_error", "out of memory");
    return;
  }
  if (sh->access) {
    store *st = gw_access_store_lock(sh->access);
    store_audit_filter f = {.decision = "block", .limit = 20};
    json_t *blocked = store_audit_search(st, &f);
    size_t i;
    json_t *rec;
    json_array_foreach(blocked, i, rec) { /* what the page needs, no more */
      json_object_del(rec, "prompt_hash");
      json_object_del(rec, "response_hash");
      json_object_del(rec, "content_key_id");
    }
    json_object_set_new(doc, "blocked", blocked ? blocked : json_array());
    json_t *alerts = store_alert_list(st, 20);
    json_object_set_new(doc, "alerts", alerts ? alerts : json_array());
    json_t *keys = store_audit_by_key(st, now - 24 * 3600 * 1000LL, 50);
    json_object_set_new(doc, "keys", keys ? keys : json_array());
    gw_access_store_unlock(sh->access, 0);
  }
  gw_set_body(r, 200, json_dumps(doc, JSON_COMPACT));
  json_decref(doc);
}
