/*
 * keyjson.c -- virtual keys as JSON, in the field names of LiteLLM's key
 * API where they mean the same (models, max_budget, budget_duration,
 * rpm_limit, tpm_limit, duration, metadata, key_alias, expires, spend), so
 * that automation written for it carries over. The admin API and
 * `aigate keys` both go through here: one reading of a key request, one
 * rendering of a key.
 *
 * Requests are read strictly: an unknown field is an error, never a
 * setting silently not applied (a key meant to be limited must not come
 * out unlimited because a field name was not understood).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keyjson.h"

static void iso_time(int64_t t, char *buf, size_t len) {
  time_t tt = (time_t)t;
  struct tm tm;
  if (!gmtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
    snprintf(buf, len, "%lld", (long long)t);
}

static json_t *time_or_null(int64_t t) {
  char buf[40];
  if (!t)
    return json_null();
  iso_time(t, buf, sizeof(buf));
  return json_string(buf);
}

void store_format_duration(int64_t s, char *buf, size_t len) {
  if (s && s % 86400 == 0)
    snprintf(buf, len, "%lldd", (long long)(s / 86400));
  else if (s && s % 3600 == 0)
    snprintf(buf, len, "%lldh", (long long)(s / 3600));
  else if (s && s % 60 == 0)
    snprintf(buf, len, "%lldm", (long long)(s / 60));
  else
    snprintf(buf, len, "%llds", (long long)s);
}

static json_t *list_json(char *const *v, size_t n) {
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(a, json_string(v[i]));
  return a;
}

static json_t *usd(int64_t nano) {
  return json_real((double)nano / 1e9);
}

json_t *store_key_json(const store_key *k, int64_t spend, int64_t now) {
  char name[STORE_PREFIX_LEN + 4], dur[32];
  snprintf(name, sizeof(name), "%s...", k->prefix);
  store_format_duration(k->budget_duration, dur, sizeof(dur));
  json_t *meta = k->metadata ? json_loads(k->metadata, 0, NULL) : NULL;
  json_t *j = json_pack(
      "{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
      "s:o, s:o, s:o, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
      "id", k->id, "token", k->id, "key_alias", k->name, "key_name", name,
      "models", list_json(k->models, k->n_models), "tools",
      list_json(k->tools, k->n_tools), "allow_hosts",
      list_json(k->allow_hosts, k->n_allow_hosts), "rpm_limit",
      k->rpm ? json_integer(k->rpm) : json_null(), "tpm_limit",
      k->tpm ? json_integer(k->tpm) : json_null(), "max_tokens",
      k->max_tokens ? json_integer(k->max_tokens) : json_null(), "max_budget",
      k->max_budget >= 0 ? usd(k->max_budget) : json_null(), "budget_duration",
      k->budget_duration ? json_string(dur) : json_null(), "budget_reset_at",
      time_or_null(k->budget_duration ? k->budget_reset_at : 0), "spend",
      usd(spend), "expires", time_or_null(k->expires), "policy",
      k->policy ? json_string(k->policy) : json_null(), "metadata",
      json_is_object(meta) ? json_incref(meta) : json_object(), "blocked",
      k->revoked, "expired",
      k->expires && now >= k->expires ? json_true() : json_false(),
      "previous_key_valid_until",
      time_or_null(k->old_until > now ? k->old_until : 0), "suspended_until",
      time_or_null(k->suspended_until > now ? k->suspended_until : 0),
      "throttled_until",
      time_or_null(k->throttled_until > now ? k->throttled_until : 0),
      "throttle_rpm",
      k->throttled_until > now ? json_integer(k->throttle_rpm) : json_null(),
      "created_at", time_or_null(k->created), "updated_at",
      time_or_null(k->updated));
  json_decref(meta);
  return j;
}

/* ------------------------------------------------------------ reading */

static int fail(char *err, size_t len, const char *field, const char *why) {
  snprintf(err, len, "'%s' %s", field, why);
  return -1;
}

static int get_list(json_t *v, const char *field, char ***out, size_t *n,
                    char *err, size_t errlen) {
  if (json_is_null(v)) {
    *out = NULL;
    *n = 0;
    return 0;
  }
  if (!json_is_array(v) || json_array_size(v) > STORE_MAX_LIST)
    return fail(err, errlen, field, "must be an array of at most 256 names");
  size_t cnt = json_array_size(v);
  char **list = calloc(cnt ? cnt : 1, sizeof(*list));
  if (!list)
    return fail(err, errlen, field, "cannot be stored (out of memory)");
  for (size_t i = 0; i < cnt; i++) {
    const char *s = json_string_value(json_array_get(v, i));
    if (!s || !store_valid_name(s) || !(list[i] = strdup(s))) {
      for (size_t j = 0; j < i; j++)
        free(list[j]);
      free(list);
      return fail(err, errlen, field,
                  "must hold names of 1-256 printable bytes without spaces "
                  "or commas");
    }
  }
  *out = list;
  *n = cnt;
  return 0;
}

/* A non-negative integer or null (0). */
static int get_count(json_t *v, const char *field, int64_t *out, char *err,
                     size_t errlen) {
  if (json_is_null(v)) {
    *out = 0;
    return 0;
  }
  if (!json_is_integer(v) || json_integer_value(v) < 0 ||
      json_integer_value(v) > 1000000000000LL)
    return fail(err, errlen, field,
                "must be a non-negative integer (at most 1e12) or null");
  *out = json_integer_value(v);
  return 0;
}

static int get_duration(json_t *v, const char *field, int64_t *out, char *err,
                        size_t errlen) {
  if (json_is_null(v)) {
    *out = 0;
    return 0;
  }
  if (!json_is_string(v) || store_parse_duration(json_string_value(v), out) ||
      *out == 0)
    return fail(err, errlen, field,
                "must be a duration such as \"30s\", \"15m\", \"12h\", "
                "\"30d\", \"2w\" or \"1mo\", or null");
  return 0;
}

static void free_list(char **v, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

int store_key_apply_json(store_key *k, json_t *req, int is_update, int64_t now,
                         char *err, size_t errlen) {
  if (!json_is_object(req))
    return fail(err, errlen, "body", "must be a JSON object");
  const char *field;
  json_t *v;
  json_object_foreach(req, field, v) {
    int rc = 0;
    if (!strcmp(field, "key") && is_update) {
      /* names the key; the caller looked it up */
    } else if (!strcmp(field, "key_alias") || !strcmp(field, "name")) {
      const char *s = json_string_value(v);
      if (!s || !*s || strlen(s) > STORE_MAX_NAME)
        return fail(err, errlen, field, "must be a string of 1-256 bytes");
      char *d = strdup(s);
      if (!d)
        return fail(err, errlen, field, "cannot be stored (out of memory)");
      free(k->name);
      k->name = d;
    } else if (!strcmp(field, "models") || !strcmp(field, "tools") ||
               !strcmp(field, "allow_hosts")) {
      char **list;
      size_t n;
      if (get_list(v, field, &list, &n, err, errlen))
        return -1;
      char ***dst = !strcmp(field, "models")  ? &k->models
                    : !strcmp(field, "tools") ? &k->tools
                                              : &k->allow_hosts;
      size_t *dn = !strcmp(field, "models")  ? &k->n_models
                   : !strcmp(field, "tools") ? &k->n_tools
                                             : &k->n_allow_hosts;
      free_list(*dst, *dn);
      *dst = list;
      *dn = n;
    } else if (!strcmp(field, "rpm_limit")) {
      rc = get_count(v, field, &k->rpm, err, errlen);
    } else if (!strcmp(field, "tpm_limit")) {
      rc = get_count(v, field, &k->tpm, err, errlen);
    } else if (!strcmp(field, "max_tokens")) {
      rc = get_count(v, field, &k->max_tokens, err, errlen);
    } else if (!strcmp(field, "max_budget")) {
      if (json_is_null(v)) {
        k->max_budget = -1;
      } else {
        double d = json_number_value(v);
        if (!json_is_number(v) || !(d >= 0) || d > 1e9)
          return fail(err, errlen, field,
                      "must be a number of USD between 0 and 1e9, or null");
        k->max_budget = (int64_t)(d * 1e9 + 0.5);
      }
    } else if (!strcmp(field, "budget_duration")) {
      rc = get_duration(v, field, &k->budget_duration, err, errlen);
    } else if (!strcmp(field, "duration")) {
      int64_t d;
      if (!(rc = get_duration(v, field, &d, err, errlen)))
        k->expires = d ? now + d : 0;
    } else if (!strcmp(field, "policy")) {
      const char *s = json_string_value(v);
      if (!json_is_null(v) && (!s || !store_valid_name(s)))
        return fail(err, errlen, field, "must be a profile name or null");
      char *d = s ? strdup(s) : NULL;
      if (s && !d)
        return fail(err, errlen, field, "cannot be stored (out of memory)");
      free(k->policy);
      k->policy = d;
    } else if (!strcmp(field, "metadata")) {
      char *d = NULL;
      if (!json_is_null(v)) {
        if (!json_is_object(v))
          return fail(err, errlen, field, "must be an object or null");
        d = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
        if (!d || strlen(d) > STORE_MAX_METADATA) {
          free(d);
          return fail(err, errlen, field, "must be at most 16 KiB of JSON");
        }
      }
      free(k->metadata);
      k->metadata = d;
    } else if (!strcmp(field, "blocked")) {
      if (!json_is_boolean(v))
        return fail(err, errlen, field, "must be true or false");
      store_key_set_blocked(k, json_is_true(v));
    } else {
      snprintf(err, errlen,
               "unknown field '%.60s' (key_alias, models, tools, allow_hosts, "
               "rpm_limit, "
               "tpm_limit, max_tokens, max_budget, budget_duration, "
               "duration, policy, metadata, blocked%s)",
               field, is_update ? ", key" : "");
      return -1;
    }
    if (rc)
      return -1;
  }
  if (!k->name)
    return fail(err, errlen, "key_alias", "is required (a name for the key)");
  return 0;
}
