/*
 * osv_range.c -- is a version inside an OSV record's affected ranges?
 *
 * The evaluation is the one the OSV schema specifies: a range's events
 * are sorted in the ecosystem's version order ("0" first), then walked;
 * `introduced` at or below the version makes it affected, `fixed` at or
 * below (or `last_affected` strictly below) makes it unaffected again,
 * and a version at or above every `limit` is outside the range. Explicit
 * `versions` lists are compared in the same order (so "1.0" matches a
 * listed "1.0.0" for PyPI), falling back to byte equality for versions
 * the ecosystem's grammar rejects.
 *
 * Known limit: an event whose version does not parse in the range's order
 * is ignored (and a range whose events all fail contributes nothing);
 * such records are rare and logged nowhere, the explicit versions list
 * still applies.
 */
#include <stdlib.h>
#include <string.h>

#include "osv.h"

#define MAX_EVENTS 256

typedef struct {
  int kind; /* 0 introduced, 1 fixed, 2 last_affected, 3 limit */
  int zero; /* introduced "0": below everything */
  const char *text;
  ag_version v;
} event;

static int event_cmp(const event *a, const event *b) {
  if (a->zero || b->zero)
    return b->zero - a->zero;
  return ag_version_cmp(&a->v, &b->v);
}

/* Insertion sort: ranges have a handful of events, and equal versions
 * keep their order in the record. */
static void sort_events(event *e, size_t n) {
  for (size_t i = 1; i < n; i++) {
    event t = e[i];
    size_t j = i;
    while (j > 0 && event_cmp(&e[j - 1], &t) > 0) {
      e[j] = e[j - 1];
      j--;
    }
    e[j] = t;
  }
}

static int range_affects(ag_ecosystem eco, ag_order order, const char *version,
                         json_t *events, const char **fixed) {
  ag_version v;
  if (ag_version_parse(eco, order, version, &v))
    return 0;
  static const char *const kinds[] = {"introduced", "fixed", "last_affected",
                                      "limit"};
  event *ev = malloc(MAX_EVENTS * sizeof(*ev));
  if (!ev)
    return 0;
  size_t n = 0, idx;
  json_t *e;
  int has_limit = 0, below_limit = 0;
  json_array_foreach(events, idx, e) {
    if (n == MAX_EVENTS)
      break;
    for (int k = 0; k < 4; k++) {
      const char *s = json_string_value(json_object_get(e, kinds[k]));
      if (!s)
        continue;
      event *x = &ev[n];
      x->kind = k;
      x->text = s;
      x->zero = k == 0 && !strcmp(s, "0");
      if (k == 3) {
        has_limit = 1;
        if (!strcmp(s, "*") || (!ag_version_parse(eco, order, s, &x->v) &&
                                ag_version_cmp(&v, &x->v) < 0))
          below_limit = 1;
        continue;
      }
      if (x->zero || !ag_version_parse(eco, order, s, &x->v))
        n++;
    }
  }
  sort_events(ev, n);
  int affected = 0;
  for (size_t i = 0; i < n; i++) {
    const event *x = &ev[i];
    int c = x->zero ? 1 : ag_version_cmp(&v, &x->v);
    if (x->kind == 0 && c >= 0)
      affected = 1;
    else if (x->kind == 1 && c >= 0)
      affected = 0;
    else if (x->kind == 2 && c > 0)
      affected = 0;
  }
  if (has_limit && !below_limit)
    affected = 0;
  if (affected && fixed) {
    for (size_t i = 0; i < n; i++)
      if (ev[i].kind == 1 && ag_version_cmp(&v, &ev[i].v) < 0) {
        *fixed = ev[i].text;
        break;
      }
  }
  free(ev);
  return affected;
}

static int listed(ag_ecosystem eco, const char *version, json_t *versions) {
  ag_version v, w;
  int parsed = !ag_version_parse(eco, AG_ORDER_ECOSYSTEM, version, &v);
  size_t i;
  json_t *x;
  json_array_foreach(versions, i, x) {
    const char *s = json_string_value(x);
    if (!s)
      continue;
    if (!strcmp(s, version))
      return 1;
    if (parsed && !ag_version_parse(eco, AG_ORDER_ECOSYSTEM, s, &w) &&
        ag_version_cmp(&v, &w) == 0)
      return 1;
  }
  return 0;
}

int ag_osv_affects(ag_ecosystem eco, const char *version, json_t *ranges,
                   json_t *versions, const char **fixed) {
  if (fixed)
    *fixed = NULL;
  size_t nr = json_is_array(ranges) ? json_array_size(ranges) : 0;
  size_t nv = json_is_array(versions) ? json_array_size(versions) : 0;
  if (!nr && !nv)
    return 1;
  if (nv && listed(eco, version, versions))
    return 1;
  size_t i;
  json_t *r;
  json_array_foreach(ranges, i, r) {
    const char *type = json_string_value(json_object_get(r, "type"));
    json_t *events = json_object_get(r, "events");
    if (!type || !json_is_array(events))
      continue;
    ag_order order;
    if (!strcmp(type, "ECOSYSTEM"))
      order = AG_ORDER_ECOSYSTEM;
    else if (!strcmp(type, "SEMVER"))
      order = AG_ORDER_SEMVER;
    else
      continue; /* GIT: commits, not versions */
    if (range_affects(eco, order, version, events, fixed))
      return 1;
  }
  return 0;
}

int ag_package_name_normalize(ag_ecosystem eco, const char *name, char *buf,
                              size_t cap) {
  size_t o = 0;
  for (const char *p = name; *p; p++) {
    char c = *p;
    if (eco == AG_ECO_PYPI) {
      if (c == '-' || c == '_' || c == '.') {
        while (p[1] == '-' || p[1] == '_' || p[1] == '.')
          p++;
        c = '-';
      } else if (c >= 'A' && c <= 'Z') {
        c = (char)(c + 32);
      }
    }
    if (o + 1 >= cap)
      return -1;
    buf[o++] = c;
  }
  if (!cap)
    return -1;
  buf[o] = '\0';
  return 0;
}
