/*
 * keys.c -- virtual keys in the database (store.h).
 *
 * A key is "sk-ag-" and 43 base64url characters (256 random bits). What
 * is stored is its keyed hash and its first ten characters for display;
 * the id ("key_" + 16 hex digits) names the key in lists, logs and the
 * admin API and stays the same when the secret is rotated. Lists (models,
 * tools) are stored as JSON arrays.
 */
#include <ctype.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

#define COLUMNS                                                                \
  "id, name, prefix, hash, old_hash, old_until, models, tools, rpm, tpm, "     \
  "max_tokens, max_budget, budget_duration, budget_reset_at, spend, "          \
  "expires, policy, metadata, revoked, created, updated, suspended_until, "    \
  "allow_hosts, throttled_until, throttle_rpm"

#define MAX_LIMIT 1000000000000LL          /* rpm, tpm, max_tokens */
#define MAX_BUDGET 1000000000000000000LL   /* 1e9 USD in nano-USD */
#define MAX_DURATION (100LL * 365 * 86400) /* seconds */

/* ------------------------------------------------------------ helpers */

int store_valid_name(const char *s) {
  size_t n = s ? strlen(s) : 0;
  if (n == 0 || n > STORE_MAX_NAME)
    return 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p <= ' ' || *p == 0x7f || *p == ',')
      return 0;
  return 1;
}

int store_parse_duration(const char *s, int64_t *secs) {
  static const struct {
    const char *unit;
    int64_t mul;
  } units[] = {{"s", 1},     {"m", 60},          {"h", 3600},
               {"d", 86400}, {"w", 7 * 86400LL}, {"mo", 30 * 86400LL}};
  if (!s || !isdigit((unsigned char)*s))
    return -1;
  int64_t v = 0;
  for (; isdigit((unsigned char)*s); s++) {
    v = v * 10 + (*s - '0');
    if (v > MAX_DURATION)
      return -1;
  }
  for (size_t i = 0; i < sizeof(units) / sizeof(*units); i++)
    if (!strcmp(s, units[i].unit)) {
      if (v > MAX_DURATION / units[i].mul)
        return -1;
      *secs = v * units[i].mul;
      return 0;
    }
  return -1;
}

int store_parse_usd(const char *s, int64_t *nano) {
  if (!s || !isdigit((unsigned char)*s))
    return -1;
  int64_t whole = 0, frac = 0;
  for (; isdigit((unsigned char)*s); s++) {
    whole = whole * 10 + (*s - '0');
    if (whole > MAX_BUDGET / 1000000000)
      return -1;
  }
  if (*s == '.') {
    int digits = 0;
    for (s++; isdigit((unsigned char)*s); s++, digits++) {
      if (digits == 9)
        return -1;
      frac = frac * 10 + (*s - '0');
    }
    if (!digits)
      return -1;
    for (; digits < 9; digits++)
      frac *= 10;
  }
  if (*s || whole * 1000000000 + frac > MAX_BUDGET)
    return -1; /* "1000000000.001": past the limit by its fraction */
  *nano = whole * 1000000000 + frac;
  return 0;
}

void store_format_usd(int64_t nano, char *buf, size_t len) {
  const char *sign = nano < 0 ? "-" : "";
  uint64_t v = nano < 0 ? (uint64_t)(-(nano + 1)) + 1 : (uint64_t)nano;
  snprintf(buf, len, "%s%llu.%06llu", sign,
           (unsigned long long)(v / 1000000000),
           (unsigned long long)(v % 1000000000 / 1000));
}

void store_key_set_blocked(store_key *k, int blocked) {
  k->revoked = blocked;
  if (!blocked)
    k->suspended_until = k->throttled_until = 0;
}

int64_t store_key_spend_at(const store_key *k, int64_t now) {
  if (k->budget_duration > 0 && k->budget_reset_at && now >= k->budget_reset_at)
    return 0;
  return k->spend;
}

static void free_list(char **v, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

void store_key_clear(store_key *k) {
  free(k->name);
  free_list(k->models, k->n_models);
  free_list(k->tools, k->n_tools);
  free_list(k->allow_hosts, k->n_allow_hosts);
  free(k->policy);
  free(k->metadata);
  memset(k, 0, sizeof(*k));
}

void store_keys_free(store_key *keys, size_t n) {
  for (size_t i = 0; i < n; i++)
    store_key_clear(&keys[i]);
  free(keys);
}

static int check_list(store *s, const char *what, char **v, size_t n) {
  if (n > STORE_MAX_LIST) {
    store_fail(s, "%s: at most %d entries", what, STORE_MAX_LIST);
    return STORE_INVALID;
  }
  for (size_t i = 0; i < n; i++)
    if (!store_valid_name(v[i])) {
      store_fail(s,
                 "%s: '%.60s' is not a valid name (1-%d printable bytes, no "
                 "spaces or commas)",
                 what, v[i] ? v[i] : "", STORE_MAX_NAME);
      return STORE_INVALID;
    }
  return 0;
}

static int validate(store *s, const store_key *k) {
  if (!k->name || !*k->name || strlen(k->name) > STORE_MAX_NAME) {
    store_fail(s, "name: 1-%d bytes", STORE_MAX_NAME);
    return STORE_INVALID;
  }
  for (const unsigned char *p = (const unsigned char *)k->name; *p; p++)
    if (*p < ' ' || *p == 0x7f) {
      store_fail(s, "name: no control characters");
      return STORE_INVALID;
    }
  int rc;
  if ((rc = check_list(s, "models", k->models, k->n_models)) ||
      (rc = check_list(s, "tools", k->tools, k->n_tools)) ||
      (rc = check_list(s, "allow_hosts", k->allow_hosts, k->n_allow_hosts)))
    return rc;
  const struct {
    const char *what;
    int64_t v, lo, hi;
  } nums[] = {
      {"rpm", k->rpm, 0, MAX_LIMIT},
      {"tpm", k->tpm, 0, MAX_LIMIT},
      {"max_tokens", k->max_tokens, 0, MAX_LIMIT},
      {"max_budget", k->max_budget, -1, MAX_BUDGET},
      {"budget_duration", k->budget_duration, 0, MAX_DURATION},
      {"expires", k->expires, 0, INT64_MAX / 2},
  };
  for (size_t i = 0; i < sizeof(nums) / sizeof(*nums); i++)
    if (nums[i].v < nums[i].lo || nums[i].v > nums[i].hi) {
      store_fail(s, "%s: out of range", nums[i].what);
      return STORE_INVALID;
    }
  if (k->policy && !store_valid_name(k->policy)) {
    store_fail(s, "policy: not a valid profile name");
    return STORE_INVALID;
  }
  if (k->metadata) {
    json_t *m = strlen(k->metadata) <= STORE_MAX_METADATA
                    ? json_loads(k->metadata, JSON_REJECT_DUPLICATES, NULL)
                    : NULL;
    int ok = json_is_object(m);
    json_decref(m);
    if (!ok) {
      store_fail(s, "metadata: a JSON object of at most %d bytes",
                 STORE_MAX_METADATA);
      return STORE_INVALID;
    }
  }
  return 0;
}

/* A list as JSON array text (NULL for an empty list). */
static char *list_json(char **v, size_t n) {
  if (!n)
    return NULL;
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(a, json_string(v[i]));
  char *out = json_dumps(a, JSON_COMPACT);
  json_decref(a);
  return out;
}

static int list_parse(const char *text, char ***out, size_t *n) {
  *out = NULL;
  *n = 0;
  if (!text)
    return 0;
  json_t *a = json_loads(text, 0, NULL);
  if (!json_is_array(a) || json_array_size(a) > STORE_MAX_LIST) {
    json_decref(a);
    return -1;
  }
  size_t cnt = json_array_size(a);
  char **v = cnt ? calloc(cnt, sizeof(*v)) : NULL;
  if (cnt && !v) {
    json_decref(a);
    return -1;
  }
  for (size_t i = 0; i < cnt; i++)
    if (!(v[i] = strdup(json_string_value(json_array_get(a, i))
                            ? json_string_value(json_array_get(a, i))
                            : ""))) {
      free_list(v, i);
      json_decref(a);
      return -1;
    }
  json_decref(a);
  *out = v;
  *n = cnt;
  return 0;
}

static char *col_dup(sqlite3_stmt *st, int i) {
  const unsigned char *t = sqlite3_column_text(st, i);
  return t ? strdup((const char *)t) : NULL;
}

static int read_row(store *s, sqlite3_stmt *st, store_key *k) {
  memset(k, 0, sizeof(*k));
  snprintf(k->id, sizeof(k->id), "%s",
           (const char *)sqlite3_column_text(st, 0));
  k->name = col_dup(st, 1);
  snprintf(k->prefix, sizeof(k->prefix), "%s",
           (const char *)sqlite3_column_text(st, 2));
  if (sqlite3_column_bytes(st, 3) == 32)
    memcpy(k->hash, sqlite3_column_blob(st, 3), 32);
  if (sqlite3_column_bytes(st, 4) == 32)
    memcpy(k->old_hash, sqlite3_column_blob(st, 4), 32);
  k->old_until = sqlite3_column_int64(st, 5);
  int bad = list_parse((const char *)sqlite3_column_text(st, 6), &k->models,
                       &k->n_models) ||
            list_parse((const char *)sqlite3_column_text(st, 7), &k->tools,
                       &k->n_tools);
  k->rpm = sqlite3_column_int64(st, 8);
  k->tpm = sqlite3_column_int64(st, 9);
  k->max_tokens = sqlite3_column_int64(st, 10);
  k->max_budget = sqlite3_column_int64(st, 11);
  k->budget_duration = sqlite3_column_int64(st, 12);
  k->budget_reset_at = sqlite3_column_int64(st, 13);
  k->spend = sqlite3_column_int64(st, 14);
  k->expires = sqlite3_column_int64(st, 15);
  k->policy = col_dup(st, 16);
  k->metadata = col_dup(st, 17);
  k->revoked = sqlite3_column_int(st, 18);
  k->created = sqlite3_column_int64(st, 19);
  k->updated = sqlite3_column_int64(st, 20);
  k->suspended_until = sqlite3_column_int64(st, 21);
  k->throttled_until = sqlite3_column_int64(st, 23);
  k->throttle_rpm = sqlite3_column_int64(st, 24);
  bad = bad || list_parse((const char *)sqlite3_column_text(st, 22),
                          &k->allow_hosts, &k->n_allow_hosts);
  if (bad || !k->name) {
    store_fail(s, "key %s: unreadable row", k->id);
    store_key_clear(k);
    return STORE_ERROR;
  }
  return 0;
}

/* A fresh secret and its display prefix and hash. */
static void new_secret(const store *s, char key[STORE_KEY_LEN],
                       char prefix[STORE_PREFIX_LEN], unsigned char hash[32]) {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof(raw));
  memcpy(key, "sk-ag-", 6);
  sodium_bin2base64(key + 6, STORE_KEY_LEN - 6, raw, sizeof(raw),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw, sizeof(raw));
  snprintf(prefix, STORE_PREFIX_LEN, "%.10s", key);
  store_hash(s, key, strlen(key), hash);
}

/* Bind text, or NULL, to a named parameter (absent: nothing). */
static void bind_text(sqlite3_stmt *st, const char *name, const char *v) {
  int i = sqlite3_bind_parameter_index(st, name);
  if (i && v)
    sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
  else if (i)
    sqlite3_bind_null(st, i);
}

/* The same with text the statement takes over (freed in any case). */
static void bind_owned(sqlite3_stmt *st, const char *name, char *v) {
  int i = sqlite3_bind_parameter_index(st, name);
  if (i && v)
    sqlite3_bind_text(st, i, v, -1, free);
  else if (i)
    sqlite3_bind_null(st, i);
  else
    free(v);
}

static void bind_int(sqlite3_stmt *st, const char *name, int64_t v) {
  int i = sqlite3_bind_parameter_index(st, name);
  if (i)
    sqlite3_bind_int64(st, i, v);
}

/* The fields a key's owner sets, bound to the statement's parameters of
 * the same names (those it has): its creation and its updates store
 * them alike. The lists are stored as JSON arrays (NULL when empty). */
static int bind_key(sqlite3_stmt *st, const store_key *k, int64_t now) {
  char *lists[3] = {list_json(k->models, k->n_models),
                    list_json(k->tools, k->n_tools),
                    list_json(k->allow_hosts, k->n_allow_hosts)};
  if ((k->n_models && !lists[0]) || (k->n_tools && !lists[1]) ||
      (k->n_allow_hosts && !lists[2])) {
    for (int i = 0; i < 3; i++)
      free(lists[i]);
    return -1;
  }
  bind_owned(st, ":models", lists[0]);
  bind_owned(st, ":tools", lists[1]);
  bind_owned(st, ":hosts", lists[2]);
  bind_text(st, ":id", k->id);
  bind_text(st, ":name", k->name);
  bind_text(st, ":policy", k->policy);
  bind_text(st, ":metadata", k->metadata);
  bind_int(st, ":rpm", k->rpm);
  bind_int(st, ":tpm", k->tpm);
  bind_int(st, ":max_tokens", k->max_tokens);
  bind_int(st, ":max_budget", k->max_budget);
  bind_int(st, ":budget_duration", k->budget_duration);
  bind_int(st, ":expires", k->expires);
  bind_int(st, ":revoked", k->revoked ? 1 : 0);
  bind_int(st, ":suspended_until", k->suspended_until);
  bind_int(st, ":throttled_until", k->throttled_until);
  bind_int(st, ":now", now);
  return 0;
}

/* ------------------------------------------------------------- API */

int store_key_create(store *s, store_key *k, char key_out[STORE_KEY_LEN],
                     int64_t now) {
  int rc = validate(s, k);
  if (rc)
    return rc;
  unsigned char id[8];
  randombytes_buf(id, sizeof(id));
  memcpy(k->id, "key_", 4);
  sodium_bin2hex(k->id + 4, sizeof(k->id) - 4, id, sizeof(id));
  new_secret(s, key_out, k->prefix, k->hash);
  memset(k->old_hash, 0, sizeof(k->old_hash));
  k->old_until = 0;
  k->spend = 0;
  k->revoked = 0;
  k->created = k->updated = now;
  k->budget_reset_at = k->budget_duration ? now + k->budget_duration : 0;
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(
          s->db,
          "INSERT INTO keys(" COLUMNS ") VALUES(:id, :name, :prefix, :hash, "
          "NULL, 0, :models, :tools, :rpm, :tpm, :max_tokens, :max_budget, "
          ":budget_duration, :budget_reset_at, 0, :expires, :policy, "
          ":metadata, 0, :now, :now, 0, :hosts, 0, 0)",
          -1, &st, NULL) ||
      bind_key(st, k, now)) {
    rc = store_sql_fail(s, "creating a key");
    goto out;
  }
  bind_text(st, ":prefix", k->prefix);
  sqlite3_bind_blob(st, sqlite3_bind_parameter_index(st, ":hash"), k->hash, 32,
                    SQLITE_STATIC);
  bind_int(st, ":budget_reset_at", k->budget_reset_at);
  rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK
                                       : store_sql_fail(s, "creating a key");
out:
  if (rc)
    sodium_memzero(key_out, STORE_KEY_LEN);
  sqlite3_finalize(st);
  return rc;
}

int store_key_get(store *s, const char *id_or_key, store_key *out) {
  memset(out, 0, sizeof(*out));
  sqlite3_stmt *st;
  int by_key = !strncmp(id_or_key, "sk-ag-", 6);
  const char *sql = by_key ? "SELECT " COLUMNS
                             " FROM keys WHERE hash=?1 OR old_hash=?1"
                           : "SELECT " COLUMNS " FROM keys WHERE id=?1";
  if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL))
    return store_sql_fail(s, "reading a key");
  unsigned char h[32];
  if (by_key) {
    store_hash(s, id_or_key, strlen(id_or_key), h);
    sqlite3_bind_blob(st, 1, h, 32, SQLITE_STATIC);
  } else {
    sqlite3_bind_text(st, 1, id_or_key, -1, SQLITE_STATIC);
  }
  int rc = sqlite3_step(st);
  int out_rc;
  if (rc == SQLITE_ROW)
    out_rc = read_row(s, st, out);
  else if (rc == SQLITE_DONE) {
    store_fail(s, "no such key");
    out_rc = STORE_NOT_FOUND;
  } else
    out_rc = store_sql_fail(s, "reading a key");
  sqlite3_finalize(st);
  return out_rc;
}

int store_key_reread(store *s, store_key *k) {
  char id[STORE_ID_LEN];
  memcpy(id, k->id, sizeof(id));
  store_key_clear(k);
  return store_key_get(s, id, k);
}

int store_key_list(store *s, store_key **out, size_t *n) {
  *out = NULL;
  *n = 0;
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(s->db,
                         "SELECT " COLUMNS " FROM keys ORDER BY created, id",
                         -1, &st, NULL))
    return store_sql_fail(s, "listing keys");
  store_key *v = NULL;
  size_t cnt = 0, cap = 0;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (cnt == cap) {
      size_t nc = cap ? cap * 2 : 16;
      store_key *nv = realloc(v, nc * sizeof(*nv));
      if (!nv) {
        rc = SQLITE_NOMEM;
        break;
      }
      v = nv;
      cap = nc;
    }
    if (read_row(s, st, &v[cnt])) {
      sqlite3_finalize(st);
      store_keys_free(v, cnt);
      return STORE_ERROR;
    }
    cnt++;
  }
  if (rc != SQLITE_DONE) {
    store_sql_fail(s, "listing keys");
    sqlite3_finalize(st);
    store_keys_free(v, cnt);
    return STORE_ERROR;
  }
  sqlite3_finalize(st);
  *out = v;
  *n = cnt;
  return 0;
}

/* Run a one-row UPDATE/DELETE; STORE_NOT_FOUND when no row changed. */
static int step_one(store *s, sqlite3_stmt *st, const char *what) {
  int rc = sqlite3_step(st);
  if (rc != SQLITE_DONE) {
    rc = store_sql_fail(s, what);
  } else if (sqlite3_changes(s->db) == 0) {
    store_fail(s, "no such key");
    rc = STORE_NOT_FOUND;
  } else {
    rc = STORE_OK;
  }
  sqlite3_finalize(st);
  return rc;
}

int store_key_update(store *s, const store_key *k, int reset_spend,
                     int64_t now) {
  int rc = validate(s, k);
  if (rc)
    return rc;
  sqlite3_stmt *st = NULL;
  /* A changed budget period starts now. */
  if (sqlite3_prepare_v2(
          s->db,
          "UPDATE keys SET name=:name, models=:models, tools=:tools, rpm=:rpm, "
          "tpm=:tpm, max_tokens=:max_tokens, max_budget=:max_budget, "
          "budget_reset_at=CASE WHEN :budget_duration=0 THEN 0 WHEN "
          "budget_duration!=:budget_duration OR :reset THEN "
          ":now+:budget_duration ELSE budget_reset_at END, "
          "budget_duration=:budget_duration, expires=:expires, "
          "policy=:policy, metadata=:metadata, revoked=:revoked, updated=:now, "
          "spend=CASE WHEN :reset THEN 0 ELSE spend END, "
          "suspended_until=:suspended_until, allow_hosts=:hosts, "
          "throttled_until=:throttled_until WHERE id=:id",
          -1, &st, NULL) ||
      bind_key(st, k, now)) {
    sqlite3_finalize(st);
    return store_sql_fail(s, "updating a key");
  }
  bind_int(st, ":reset", reset_spend ? 1 : 0);
  return step_one(s, st, "updating a key");
}

int store_key_rotate(store *s, const char *id, int64_t grace_seconds,
                     char key_out[STORE_KEY_LEN], int64_t now) {
  if (grace_seconds < 0 || grace_seconds > MAX_DURATION) {
    store_fail(s, "grace period out of range");
    return STORE_INVALID;
  }
  char prefix[STORE_PREFIX_LEN];
  unsigned char hash[32];
  new_secret(s, key_out, prefix, hash);
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(
          s->db,
          "UPDATE keys SET old_hash=CASE WHEN ?4>0 THEN hash END, "
          "old_until=CASE WHEN ?4>0 THEN ?5+?4 ELSE 0 END, hash=?2, "
          "prefix=?3, updated=?5 WHERE id=?1",
          -1, &st, NULL)) {
    sodium_memzero(key_out, STORE_KEY_LEN);
    return store_sql_fail(s, "rotating a key");
  }
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_blob(st, 2, hash, 32, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, prefix, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, grace_seconds);
  sqlite3_bind_int64(st, 5, now);
  int rc = step_one(s, st, "rotating a key");
  if (rc)
    sodium_memzero(key_out, STORE_KEY_LEN);
  return rc;
}

int store_key_delete(store *s, const char *id) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(s->db, "DELETE FROM keys WHERE id=?1", -1, &st, NULL))
    return store_sql_fail(s, "deleting a key");
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  return step_one(s, st, "deleting a key");
}

int store_spend_add(store *s, const char *id, int64_t delta, int64_t now) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(
          s->db,
          "UPDATE keys SET spend=CASE WHEN budget_duration>0 AND "
          "budget_reset_at<=?3 THEN ?2 ELSE spend+?2 END, "
          "budget_reset_at=CASE WHEN budget_duration>0 AND "
          "budget_reset_at<=?3 THEN ?3+budget_duration ELSE budget_reset_at "
          "END WHERE id=?1",
          -1, &st, NULL))
    return store_sql_fail(s, "adding spend");
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, delta);
  sqlite3_bind_int64(st, 3, now);
  return step_one(s, st, "adding spend");
}

int store_key_suspend(store *s, const char *id, int64_t until, int64_t now) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(s->db,
                         "UPDATE keys SET suspended_until=?2, updated=?3 "
                         "WHERE id=?1",
                         -1, &st, NULL))
    return store_sql_fail(s, "suspending a key");
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, until);
  sqlite3_bind_int64(st, 3, now);
  return step_one(s, st, "suspending a key");
}

int store_key_throttle(store *s, const char *id, int64_t until, int64_t rpm,
                       int64_t now) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(s->db,
                         "UPDATE keys SET throttled_until=?2, throttle_rpm=?3, "
                         "updated=?4 WHERE id=?1",
                         -1, &st, NULL))
    return store_sql_fail(s, "throttling a key");
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, until);
  sqlite3_bind_int64(st, 3, rpm);
  sqlite3_bind_int64(st, 4, now);
  return step_one(s, st, "throttling a key");
}
