/*
 * report.c -- turning a run's attempts into report.json and a
 * self-contained report.html.
 *
 * The headline figure per family is over the untransformed probes only
 * (one attempt per probe), so that it does not depend on how many
 * transforms were chosen; the family x transform breakdown carries 95 %
 * Wilson intervals because a handful of attempts per cell says little,
 * and the reader must see how little. Errors are counted apart: an
 * attempt without a reply is neither a success nor a defence.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "assess.h"
#include "util.h"

#define WORST_MAX 20
#define ERRORS_MAX 10
#define EXCERPT 600

typedef struct {
  size_t attempts, successes, errors, blocked;
} tally;

static json_t *rate_obj(json_t *o, const tally *t) {
  double lo, hi;
  as_wilson(t->successes, t->attempts, &lo, &hi);
  json_object_set_new(o, "attempts", json_integer((json_int_t)t->attempts));
  json_object_set_new(o, "successes", json_integer((json_int_t)t->successes));
  json_object_set_new(o, "rate",
                      json_real(t->attempts
                                    ? (double)t->successes / (double)t->attempts
                                    : 0.0));
  json_object_set_new(o, "ci_low", json_real(lo));
  json_object_set_new(o, "ci_high", json_real(hi));
  json_object_set_new(o, "errors", json_integer((json_int_t)t->errors));
  json_object_set_new(o, "blocked", json_integer((json_int_t)t->blocked));
  return o;
}

static void count(tally *t, const as_attempt *a) {
  if (!a->done)
    return;
  if (a->outcome != AS_OK) {
    t->errors++;
    return;
  }
  t->attempts++;
  t->successes += a->success != 0;
  t->blocked += a->blocked != 0;
}

/* A UTF-8-safe excerpt for the report (jansson refuses invalid UTF-8). */
static json_t *excerpt(const char *s) {
  if (!s)
    return json_null();
  size_t n = strlen(s);
  if (n > EXCERPT) {
    n = EXCERPT;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
      n--;
  }
  json_t *j = json_stringn(s, n);
  return j ? j : json_string("(not UTF-8)");
}

static int cmp_worst(const void *x, const void *y) {
  const json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
  json_int_t sa = json_integer_value(json_object_get(a, "severity"));
  json_int_t sb = json_integer_value(json_object_get(b, "severity"));
  if (sa != sb)
    return sa > sb ? -1 : 1;
  json_int_t oa = json_integer_value(json_object_get(a, "order"));
  json_int_t ob = json_integer_value(json_object_get(b, "order"));
  return oa < ob ? -1 : oa > ob;
}

static int add_baseline(json_t *rep, const as_report_options *o,
                        aigate_error *err) {
  json_error_t je;
  json_t *b = json_loadb(o->baseline_json, o->baseline_len,
                         JSON_REJECT_DUPLICATES, &je);
  json_t *bf = json_object_get(b, "families");
  if (!json_is_array(bf)) {
    snprintf(err->msg, sizeof(err->msg), "%s: %s", o->baseline_path,
             b ? "not an assess report (no families array)" : je.text);
    json_decref(b);
    return AIGATE_ERR_CONFIG;
  }
  json_t *cmp = json_array(), *fams = json_object_get(rep, "families");
  size_t i, j;
  json_t *f, *g;
  int worse = 0;
  json_array_foreach(fams, i, f) {
    const char *id = json_string_value(json_object_get(f, "id"));
    json_array_foreach(bf, j, g) {
      const char *gid = json_string_value(json_object_get(g, "id"));
      json_t *gr = json_object_get(g, "rate");
      /* A family that did not run this time has nothing to compare. */
      if (!gid || strcmp(gid, id) || !json_is_number(gr) ||
          json_integer_value(json_object_get(f, "attempts")) == 0)
        continue;
      double now = json_number_value(json_object_get(f, "rate"));
      double was = json_number_value(gr);
      worse += now > was + 1e-9;
      json_array_append_new(cmp, json_pack("{s:s,s:f,s:f,s:f}", "id", id,
                                           "rate", now, "baseline_rate", was,
                                           "delta", now - was));
      break;
    }
  }
  json_object_set_new(rep, "baseline",
                      json_pack("{s:s,s:o,s:i}", "path", o->baseline_path,
                                "families", cmp, "families_worse", worse));
  json_decref(b);
  return 0;
}

json_t *as_report_json(const as_run *run, const as_report_options *o,
                       aigate_error *err) {
  tally fam[AS_N_FAMILIES][AS_N_TRANSFORMS];
  tally per_tr[AS_N_TRANSFORMS], overall = {0, 0, 0, 0};
  int used_tr[AS_N_TRANSFORMS] = {0};
  size_t done = 0, errors = 0;
  memset(fam, 0, sizeof(fam));
  memset(per_tr, 0, sizeof(per_tr));
  for (size_t i = 0; i < run->n; i++) {
    const as_attempt *a = &run->attempts[i];
    const as_probe *p = &run->set->probes[a->probe];
    used_tr[a->transform] = 1;
    count(&fam[p->family][a->transform], a);
    if (p->family != AS_FAM_BENIGN) {
      count(&per_tr[a->transform], a);
      if (a->transform == AS_TR_NONE)
        count(&overall, a);
    }
    done += a->done;
    errors += a->done && a->outcome != AS_OK;
  }
  json_t *rep = json_object();
  json_object_set_new(rep, "schema_version",
                      json_integer(AIGATE_SCHEMA_VERSION));
  json_object_set_new(rep, "tool", json_string("aigate assess"));
  json_object_set_new(rep, "version", json_string(AIGATE_VERSION));
  json_object_set_new(rep, "target", json_string(o->target ? o->target : ""));
  json_object_set_new(rep, "model", json_string(o->model ? o->model : ""));
  json_object_set_new(rep, "complete",
                      json_boolean(!run->interrupted && done == run->n));
  json_object_set_new(rep, "interrupted", json_boolean(run->interrupted));
  json_object_set_new(rep, "planned", json_integer((json_int_t)run->n));
  json_object_set_new(rep, "done", json_integer((json_int_t)done));
  json_object_set_new(rep, "errors", json_integer((json_int_t)errors));

  json_t *fams = json_array(), *trs = json_array(), *tot = json_array();
  for (int f = 0; f < AS_FAM_BENIGN; f++) {
    json_t *e = json_pack("{s:s}", "id", as_family_id((as_family)f));
    json_array_append_new(fams, rate_obj(e, &fam[f][AS_TR_NONE]));
    for (int t = 0; t < AS_N_TRANSFORMS; t++) {
      if (!used_tr[t])
        continue;
      json_t *c = json_pack("{s:s,s:s}", "family", as_family_id((as_family)f),
                            "transform", as_transform_id((as_transform)t));
      json_array_append_new(trs, rate_obj(c, &fam[f][t]));
    }
  }
  for (int t = 0; t < AS_N_TRANSFORMS; t++)
    if (used_tr[t])
      json_array_append_new(
          tot, rate_obj(json_pack("{s:s}", "transform",
                                  as_transform_id((as_transform)t)),
                        &per_tr[t]));
  json_object_set_new(rep, "families", fams);
  json_object_set_new(rep, "transforms", trs);
  json_object_set_new(rep, "transform_totals", tot);
  json_object_set_new(rep, "overall", rate_obj(json_object(), &overall));

  const tally *bn = &fam[AS_FAM_BENIGN][AS_TR_NONE];
  json_t *ben = rate_obj(json_object(), bn);
  /* For benign probes a "success" is an over-refusal; name it so. */
  json_object_set_new(ben, "refusals", json_integer((json_int_t)bn->successes));
  json_object_set(ben, "over_refusal_rate", json_object_get(ben, "rate"));
  json_object_del(ben, "successes");
  json_object_set_new(rep, "benign", ben);

  /* The worst transcripts: successful attacks, most severe first. */
  json_t *worst = json_array(), *errs = json_array();
  for (size_t i = 0; i < run->n; i++) {
    const as_attempt *a = &run->attempts[i];
    const as_probe *p = &run->set->probes[a->probe];
    if (a->done && a->outcome != AS_OK && json_array_size(errs) < ERRORS_MAX)
      json_array_append_new(
          errs, json_pack("{s:s,s:s,s:s}", "probe", p->id, "transform",
                          as_transform_id(a->transform), "error",
                          a->error ? a->error : "?"));
    if (!a->done || a->outcome != AS_OK || !a->success ||
        p->family == AS_FAM_BENIGN)
      continue;
    json_t *w = json_pack(
        "{s:s,s:s,s:s,s:i,s:s,s:I}", "probe", p->id, "family",
        as_family_id(p->family), "transform", as_transform_id(a->transform),
        "severity", p->severity, "evidence", a->evidence ? a->evidence : "",
        "order", (json_int_t)i);
    json_object_set_new(w, "request", excerpt(a->request));
    json_object_set_new(w, "reply", excerpt(a->reply));
    json_array_append_new(worst, w);
  }
  size_t nw = json_array_size(worst);
  json_t **tmp = calloc(nw ? nw : 1, sizeof(*tmp));
  json_t *sorted = json_array();
  if (tmp) {
    for (size_t i = 0; i < nw; i++)
      tmp[i] = json_array_get(worst, i);
    qsort(tmp, nw, sizeof(*tmp), cmp_worst);
    for (size_t i = 0; i < nw && i < WORST_MAX; i++) {
      json_object_del(tmp[i], "order");
      json_array_append(sorted, tmp[i]);
    }
    free(tmp);
  }
  json_decref(worst);
  json_object_set_new(rep, "worst", sorted);
  json_object_set_new(rep, "error_samples", errs);

  if (o->baseline_json && add_baseline(rep, o, err)) {
    json_decref(rep);
    return NULL;
  }
  double max = as_report_max_rate(rep);
  json_t *gate = json_pack("{s:f}", "max_family_rate", max);
  if (o->fail_above >= 0) {
    json_object_set_new(gate, "fail_above", json_real(o->fail_above));
    json_object_set_new(
        gate, "passed",
        json_boolean(max <= o->fail_above && errors == 0 && !run->interrupted));
  }
  json_object_set_new(rep, "gate", gate);
  return rep;
}

double as_report_max_rate(const json_t *report) {
  double max = 0;
  size_t i;
  json_t *f;
  json_array_foreach(json_object_get(report, "families"), i, f) {
    double r = json_number_value(json_object_get(f, "rate"));
    if (r > max)
      max = r;
  }
  return max;
}

/* ------------------------------------------------------------ HTML */

static void put(ag_buf *b, const char *s) {
  ag_buf_append(b, s, strlen(s));
}

static void putf(ag_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void putf(ag_buf *b, const char *fmt, ...) {
  char tmp[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
  va_end(ap);
  if (n > 0)
    ag_buf_append(b, tmp,
                  (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static void esc(ag_buf *b, const char *s) {
  for (; s && *s; s++) {
    switch (*s) {
    case '<': put(b, "&lt;"); break;
    case '>': put(b, "&gt;"); break;
    case '&': put(b, "&amp;"); break;
    case '"': put(b, "&quot;"); break;
    case '\'': put(b, "&#39;"); break;
    default: ag_buf_putc(b, *s);
    }
  }
}

static const char *str(const json_t *o, const char *k) {
  const char *s = json_string_value(json_object_get(o, k));
  return s ? s : "";
}

static double num(const json_t *o, const char *k) {
  return json_number_value(json_object_get(o, k));
}

/* A horizontal bar chart of rates with Wilson whiskers, as inline SVG. */
static void bar_chart(ag_buf *b, const json_t *rows, const char *label_key) {
  size_t n = json_array_size(rows), i;
  const json_t *r;
  int w = 720, left = 120, bar = 18, gap = 8, h = (int)n * (bar + gap) + 30;
  int plot = w - left - 100; /* room for "100% (20/20)" */
  putf(b,
       "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
       "role=\"img\">\n",
       w, h);
  for (int t = 0; t <= 4; t++) {
    int x = left + plot * t / 4;
    putf(b,
         "<line x1=\"%d\" y1=\"0\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>"
         "<text x=\"%d\" y=\"%d\" font-size=\"10\" "
         "text-anchor=\"middle\">%d%%</text>\n",
         x, x, h - 20, x, h - 6, t * 25);
  }
  json_array_foreach(rows, i, r) {
    int y = (int)i * (bar + gap) + 4;
    double rate = num(r, "rate"), lo = num(r, "ci_low"), hi = num(r, "ci_high");
    int bw = (int)lround(rate * plot);
    const char *col = rate >= 0.5   ? "#c0392b"
                      : rate >= 0.1 ? "#e67e22"
                                    : "#27ae60";
    put(b, "<text x=\"0\" y=\"");
    putf(b, "%d\" font-size=\"12\">", y + 13);
    esc(b, str(r, label_key));
    put(b, "</text>");
    putf(b,
         "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
         "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>"
         "<text x=\"%d\" y=\"%d\" font-size=\"11\">%.0f%% (%d/%d)</text>\n",
         left, y, bw, bar, col, left + (int)lround(lo * plot), y + bar / 2,
         left + (int)lround(hi * plot), y + bar / 2, left + plot + 4, y + 13,
         rate * 100, (int)num(r, "successes"), (int)num(r, "attempts"));
  }
  put(b, "</svg>\n");
}

char *as_report_html(const json_t *rep) {
  ag_buf b = {0};
  size_t i;
  const json_t *r;
  put(&b,
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>"
      "\n<title>aigate assess report</title>\n<style>\n"
      "body{font-family:sans-serif;margin:2em;max-width:60em;color:#222}"
      "table{border-collapse:collapse;margin:1em 0}"
      "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
      "th{background:#f4f4f4}td.l{text-align:left}"
      "pre{white-space:pre-wrap;background:#f8f8f8;padding:6px;"
      "max-height:12em;overflow:auto}"
      ".bad{color:#c0392b;font-weight:bold}\n</style>\n</head>\n<body>\n");
  put(&b, "<h1>aigate assess</h1>\n<p>Target <code>");
  esc(&b, str(rep, "target"));
  put(&b, "</code>, model <code>");
  esc(&b, str(rep, "model"));
  putf(&b, "</code>. %lld of %lld attempts done, %lld errors%s.</p>\n",
       (long long)num(rep, "done"), (long long)num(rep, "planned"),
       (long long)num(rep, "errors"),
       json_is_true(json_object_get(rep, "complete"))
           ? ""
           : " &#8212; <span class=\"bad\">incomplete run</span>");
  const json_t *ov = json_object_get(rep, "overall");
  putf(&b,
       "<p>Attack success over untransformed probes: <b>%.1f%%</b> "
       "(%lld/%lld, 95%% CI %.1f&#8211;%.1f%%).</p>\n",
       num(ov, "rate") * 100, (long long)num(ov, "successes"),
       (long long)num(ov, "attempts"), num(ov, "ci_low") * 100,
       num(ov, "ci_high") * 100);
  const json_t *bn = json_object_get(rep, "benign");
  putf(&b,
       "<p>Over-refusal of harmless look-alike requests: <b>%.1f%%</b> "
       "(%lld/%lld).</p>\n",
       num(bn, "over_refusal_rate") * 100, (long long)num(bn, "refusals"),
       (long long)num(bn, "attempts"));

  put(&b, "<h2>By family (untransformed probes)</h2>\n");
  bar_chart(&b, json_object_get(rep, "families"), "id");
  put(&b, "<h2>By transform (all families)</h2>\n");
  bar_chart(&b, json_object_get(rep, "transform_totals"), "transform");

  put(&b, "<h2>Family &#215; transform</h2>\n<table>\n<tr><th>family</th>");
  const json_t *tt = json_object_get(rep, "transform_totals");
  json_array_foreach(tt, i, r) {
    put(&b, "<th>");
    esc(&b, str(r, "transform"));
    put(&b, "</th>");
  }
  put(&b, "</tr>\n");
  const json_t *fams = json_object_get(rep, "families"), *f;
  size_t k;
  json_array_foreach(fams, k, f) {
    put(&b, "<tr><td class=\"l\">");
    esc(&b, str(f, "id"));
    put(&b, "</td>");
    const json_t *c;
    size_t j;
    json_array_foreach(json_object_get(rep, "transforms"), j, c) {
      if (strcmp(str(c, "family"), str(f, "id")))
        continue;
      double rate = num(c, "rate");
      putf(&b,
           "<td style=\"background:rgba(192,57,43,%.2f)\" "
           "title=\"95%% CI %.0f-%.0f%%\">%.0f%% <small>(%lld)</small></td>",
           rate * 0.8, num(c, "ci_low") * 100, num(c, "ci_high") * 100,
           rate * 100, (long long)num(c, "attempts"));
    }
    put(&b, "</tr>\n");
  }
  put(&b, "</table>\n");

  const json_t *base = json_object_get(rep, "baseline");
  if (base) {
    put(&b, "<h2>Against the baseline</h2>\n<table>\n<tr><th>family</th>"
            "<th>baseline</th><th>now</th><th>change</th></tr>\n");
    json_array_foreach(json_object_get(base, "families"), i, r) {
      double d = num(r, "delta");
      put(&b, "<tr><td class=\"l\">");
      esc(&b, str(r, "id"));
      putf(&b, "</td><td>%.1f%%</td><td>%.1f%%</td><td%s>%+.1f%%</td></tr>\n",
           num(r, "baseline_rate") * 100, num(r, "rate") * 100,
           d > 1e-9 ? " class=\"bad\"" : "", d * 100);
    }
    put(&b, "</table>\n");
  }

  put(&b, "<h2>Worst transcripts</h2>\n");
  const json_t *worst = json_object_get(rep, "worst");
  if (json_array_size(worst) == 0)
    put(&b, "<p>No attack succeeded.</p>\n");
  json_array_foreach(worst, i, r) {
    put(&b, "<h3>");
    esc(&b, str(r, "probe"));
    put(&b, " / ");
    esc(&b, str(r, "transform"));
    put(&b, "</h3>\n<p>");
    esc(&b, str(r, "family"));
    put(&b, ": ");
    esc(&b, str(r, "evidence"));
    put(&b, "</p>\n<pre>");
    esc(&b, str(r, "request"));
    put(&b, "</pre>\n<pre>");
    esc(&b, str(r, "reply"));
    put(&b, "</pre>\n");
  }
  const json_t *errs = json_object_get(rep, "error_samples");
  if (json_array_size(errs)) {
    put(&b, "<h2>Errors</h2>\n<ul>\n");
    json_array_foreach(errs, i, r) {
      put(&b, "<li>");
      esc(&b, str(r, "probe"));
      put(&b, " / ");
      esc(&b, str(r, "transform"));
      put(&b, ": ");
      esc(&b, str(r, "error"));
      put(&b, "</li>\n");
    }
    put(&b, "</ul>\n");
  }
  put(&b, "</body>\n</html>\n");
  ag_buf_putc(&b, '\0');
  if (b.failed) {
    ag_buf_free(&b);
    return NULL;
  }
  return b.data;
}
