/*
 * audit.c -- one record per request in the store, and the sealing of
 * stored content (store.h).
 *
 * By default a record holds no content: ids, model, decision, rule ids,
 * token counts, cost, timings and keyed hashes of what was sent and
 * answered (the key-hashing secret keys them, so a short prompt cannot be
 * found again by hashing guesses). With content storage on, the request
 * and response bodies are sealed with XChaCha20-Poly1305 under the
 * content key; the record's id is the associated data, so sealed content
 * cannot be moved to another record, and the key's id (the first 8 bytes
 * of its BLAKE2b hash, in hex) is stored beside it so that keys can be
 * rotated: records keep naming the key that can open them.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_int.h"

int store_audit_add(store *s, const store_audit *a) {
  sqlite3_stmt *st = s->audit_ins;
  if (st) {
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
  } else if (
      sqlite3_prepare_v2(
          s->db,
          "INSERT INTO audit(id, ts, key_id, client, route, model, status, "
          "upstream_status, decision, rules, prompt_tokens, "
          "completion_tokens, cost, ms_total, ms_upstream, prompt_hash, "
          "response_hash, content_key_id, content, instance, chain_seq, mac, "
          "deployment, mode, findings, us_overhead, ms_first_byte) "
          "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
          -1, &s->audit_ins, NULL)) {
    return store_sql_fail(s, "writing an audit record");
  } else {
    st = s->audit_ins;
  }
  const char *texts[] = {a->id,     NULL,     a->key_id[0] ? a->key_id : NULL,
                         a->client, a->route, a->model};
  for (int i = 0; i < 6; i++)
    if (i != 1)
      sqlite3_bind_text(st, i + 1, texts[i], -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, a->ts_ms);
  sqlite3_bind_int(st, 7, a->status);
  sqlite3_bind_int(st, 8, a->upstream_status);
  sqlite3_bind_text(st, 9, a->decision, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 10, a->rules, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 11, a->prompt_tokens);
  sqlite3_bind_int64(st, 12, a->completion_tokens);
  sqlite3_bind_int64(st, 13, a->cost);
  sqlite3_bind_int64(st, 14, a->ms_total);
  sqlite3_bind_int64(st, 15, a->ms_upstream);
  sqlite3_bind_blob(st, 16, a->prompt_hash, 32, SQLITE_STATIC);
  sqlite3_bind_blob(st, 17, a->response_hash, 32, SQLITE_STATIC);
  if (a->content) {
    sqlite3_bind_text(st, 18, a->content_key_id, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 19, a->content, (int)a->content_len, SQLITE_STATIC);
  }
  if (a->chain_seq) {
    sqlite3_bind_text(st, 20, a->instance, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 21, a->chain_seq);
    sqlite3_bind_blob(st, 22, a->mac, 32, SQLITE_STATIC);
  }
  sqlite3_bind_text(st, 23, a->deployment, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 24, a->mode, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 25, a->findings, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 26, a->us_overhead);
  sqlite3_bind_int64(st, 27, a->ms_first_byte);
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? 0 : store_sql_fail(s, "writing an audit record");
}

/* The names of a record's fields in JSON: search results and the copies
 * written outside the database use the same. */
static const char *const field_names[] = {"id",
                                          "ts_ms",
                                          "key_id",
                                          "client",
                                          "route",
                                          "model",
                                          "status",
                                          "upstream_status",
                                          "decision",
                                          "rules",
                                          "prompt_tokens",
                                          "completion_tokens",
                                          "cost_nano_usd",
                                          "ms_total",
                                          "ms_upstream",
                                          "prompt_hash",
                                          "response_hash",
                                          "content_key_id",
                                          "deployment",
                                          "mode",
                                          "us_overhead",
                                          "ms_first_byte"};
enum { N_FIELDS = sizeof(field_names) / sizeof(field_names[0]) };

static json_t *hex_json(const unsigned char *b, size_t n) {
  char hex[2 * 64 + 1];
  sodium_bin2hex(hex, sizeof(hex), b, n);
  return json_string(hex);
}

static json_t *text_json(const char *s) {
  return s && *s ? json_string(s) : json_null();
}

/* A record's findings as the array they are (text that is not one, as
 * text; none: null). */
static json_t *findings_json(const char *text) {
  json_t *f = text ? json_loads(text, 0, NULL) : NULL;
  if (json_is_array(f))
    return f;
  json_decref(f);
  return text_json(text);
}

json_t *store_audit_json(const store_audit *a) {
  json_t *o = json_object();
  json_t *v[N_FIELDS] = {text_json(a->id),
                         json_integer(a->ts_ms),
                         text_json(a->key_id),
                         text_json(a->client),
                         text_json(a->route),
                         text_json(a->model),
                         json_integer(a->status),
                         json_integer(a->upstream_status),
                         text_json(a->decision),
                         text_json(a->rules),
                         json_integer(a->prompt_tokens),
                         json_integer(a->completion_tokens),
                         json_integer(a->cost),
                         json_integer(a->ms_total),
                         json_integer(a->ms_upstream),
                         hex_json(a->prompt_hash, 32),
                         hex_json(a->response_hash, 32),
                         text_json(a->content ? a->content_key_id : NULL),
                         text_json(a->deployment),
                         text_json(a->mode),
                         json_integer(a->us_overhead),
                         json_integer(a->ms_first_byte)};
  for (int i = 0; i < N_FIELDS; i++)
    json_object_set_new(o, field_names[i], v[i] ? v[i] : json_null());
  json_object_set_new(o, "content_stored", json_boolean(a->content != NULL));
  json_object_set_new(o, "findings", findings_json(a->findings));
  if (a->chain_seq) {
    json_object_set_new(o, "instance", json_string(a->instance));
    json_object_set_new(o, "chain_seq", json_integer(a->chain_seq));
    json_object_set_new(o, "mac", hex_json(a->mac, 32));
  }
  return o;
}

int store_audit_count(store *s, int64_t *n) {
  sqlite3_stmt *st;
  *n = -1;
  if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM audit", -1, &st, NULL))
    return store_sql_fail(s, "counting audit records");
  if (sqlite3_step(st) == SQLITE_ROW)
    *n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return *n < 0 ? store_sql_fail(s, "counting audit records") : 0;
}

int store_audit_content(store *s, const char *id, unsigned char **blob,
                        size_t *len, char key_id[17]) {
  *blob = NULL;
  *len = 0;
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(s->db,
                         "SELECT content, content_key_id FROM audit WHERE "
                         "id=? AND content IS NOT NULL",
                         -1, &st, NULL))
    return store_sql_fail(s, "reading an audit record");
  sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st), out = STORE_NOT_FOUND;
  if (rc == SQLITE_ROW) {
    int n = sqlite3_column_bytes(st, 0);
    const unsigned char *kid = sqlite3_column_text(st, 1);
    *blob = malloc(n > 0 ? (size_t)n : 1);
    if (*blob) {
      memcpy(*blob, sqlite3_column_blob(st, 0), (size_t)n);
      *len = (size_t)n;
      snprintf(key_id, 17, "%s", kid ? (const char *)kid : "");
      out = STORE_OK;
    } else {
      out = STORE_ERROR;
      store_fail(s, "out of memory");
    }
  } else if (rc != SQLITE_DONE) {
    out = store_sql_fail(s, "reading an audit record");
  }
  sqlite3_finalize(st);
  return out;
}

/* ------------------------------------------------------ content key */

int store_content_key_load(const char *path, store_content_key *k, char *err,
                           size_t errlen) {
  return store_key_file_load(path, "AIGATE_CONTENT_KEY", k, err, errlen);
}

int store_key_file_load(const char *path, const char *env_name,
                        store_content_key *k, char *err, size_t errlen) {
  memset(k, 0, sizeof(*k));
  const char *env = getenv(env_name);
  char hex[80];
  ssize_t n;
  if (env && *env) {
    n = (ssize_t)strlen(env);
    if (n >= (ssize_t)sizeof(hex))
      n = sizeof(hex) - 1;
    memcpy(hex, env, (size_t)n);
  } else {
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
      unsigned char raw[32];
      randombytes_buf(raw, sizeof(raw));
      sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
      sodium_memzero(raw, sizeof(raw));
      hex[64] = '\n';
      int w = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                   0600);
      int ok = w >= 0 && write(w, hex, 65) == 65 && fsync(w) == 0;
      if (w >= 0)
        ok = close(w) == 0 && ok;
      if (!ok && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %.400s: %s", path,
                 strerror(errno));
        return -1;
      }
      fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0) {
      snprintf(err, errlen, "%.400s: %s", path, strerror(errno));
      return -1;
    }
    struct stat st;
    n = read(fd, hex, sizeof(hex) - 1);
    int mode_ok = fstat(fd, &st) == 0 && (st.st_mode & 077) == 0;
    close(fd);
    if (!mode_ok) {
      snprintf(err, errlen, "%.400s: readable by other users; chmod 600 it",
               path);
      return -1;
    }
  }
  while (n > 0 && (hex[n - 1] == '\n' || hex[n - 1] == '\r'))
    n--;
  size_t got = 0;
  if (n != 64 ||
      sodium_hex2bin(k->key, sizeof(k->key), hex, 64, NULL, &got, NULL) ||
      got != sizeof(k->key)) {
    sodium_memzero(hex, sizeof(hex));
    snprintf(err, errlen, "%s: not a key (64 hex digits)",
             env && *env ? env_name : path);
    return -1;
  }
  sodium_memzero(hex, sizeof(hex));
  unsigned char h[8];
  crypto_generichash(h, sizeof(h), k->key, sizeof(k->key), NULL, 0);
  sodium_bin2hex(k->id, sizeof(k->id), h, sizeof(h));
  return 0;
}

int store_seal(const store_content_key *k, const char *record_id,
               const unsigned char *plain, size_t len, unsigned char **out,
               size_t *out_len) {
  size_t n = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + len +
             crypto_aead_xchacha20poly1305_ietf_ABYTES;
  unsigned char *b = malloc(n);
  if (!b)
    return -1;
  randombytes_buf(b, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  unsigned long long clen;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      b + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &clen, plain, len,
      (const unsigned char *)record_id, strlen(record_id), NULL, b, k->key);
  *out = b;
  *out_len = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + (size_t)clen;
  return 0;
}

int store_unseal(const store_content_key *k, const char *record_id,
                 const unsigned char *blob, size_t len, unsigned char **out,
                 size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  size_t np = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  if (len < np + crypto_aead_xchacha20poly1305_ietf_ABYTES)
    return -1;
  unsigned char *p = malloc(len - np);
  unsigned long long plen;
  if (!p ||
      crypto_aead_xchacha20poly1305_ietf_decrypt(
          p, &plen, NULL, blob + np, len - np, (const unsigned char *)record_id,
          strlen(record_id), blob, k->key)) {
    free(p);
    return -1;
  }
  *out = p;
  *out_len = (size_t)plen;
  return 0;
}

void store_content_key_clear(store_content_key *k) {
  sodium_memzero(k, sizeof(*k));
}

/* ----------------------------------------------------------- reading */

json_t *store_audit_search(store *s, const store_audit_filter *f) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(
          s->db,
          "SELECT id, ts, key_id, client, route, model, status, "
          "upstream_status, decision, rules, prompt_tokens, "
          "completion_tokens, cost, ms_total, ms_upstream, "
          "hex(prompt_hash), hex(response_hash), content_key_id, "
          "deployment, mode, us_overhead, ms_first_byte, "
          "content IS NOT NULL, seq, findings FROM audit WHERE "
          "(?1 IS NULL OR id=?1) AND (?2 IS NULL OR key_id=?2) AND "
          "(?3 IS NULL OR substr(decision, 1, length(?3))=?3) AND "
          "(?4 IS NULL OR instr(','||rules||',', ','||?4||',') > 0) "
          "AND (?5 IS NULL OR model=?5) AND ts>=?6 AND seq>?8 ORDER BY "
          "CASE WHEN ?9 THEN seq ELSE -seq END LIMIT ?7",
          -1, &st, NULL)) {
    store_sql_fail(s, "searching audit records");
    return NULL;
  }
  const char *args[] = {f->id, f->key_id, f->decision, f->rule, f->model};
  for (int i = 0; i < 5; i++)
    if (args[i])
      sqlite3_bind_text(st, i + 1, args[i], -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 6, f->since_ms);
  sqlite3_bind_int64(st, 7, f->limit > 0 ? f->limit : 100);
  sqlite3_bind_int64(st, 8, f->after_seq);
  sqlite3_bind_int(st, 9, f->oldest_first ? 1 : 0);
  json_t *out = json_array();
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    json_t *o = json_object();
    for (int i = 0; i < N_FIELDS; i++) {
      json_t *v;
      switch (sqlite3_column_type(st, i)) {
      case SQLITE_INTEGER: v = json_integer(sqlite3_column_int64(st, i)); break;
      case SQLITE_NULL: v = json_null(); break;
      default:
        v = json_string((const char *)sqlite3_column_text(st, i));
        if (i == 15 || i == 16) /* hex() is upper case */
          for (char *p = (char *)json_string_value(v); p && *p; p++)
            *p = (char)(*p >= 'A' && *p <= 'F' ? *p + 32 : *p);
      }
      json_object_set_new(o, field_names[i], v ? v : json_null());
    }
    json_object_set_new(o, "content_stored",
                        json_boolean(sqlite3_column_int(st, N_FIELDS)));
    json_object_set_new(o, "seq",
                        json_integer(sqlite3_column_int64(st, N_FIELDS + 1)));
    json_object_set_new(
        o, "findings",
        findings_json((const char *)sqlite3_column_text(st, N_FIELDS + 2)));
    json_array_append_new(out, o);
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    store_sql_fail(s, "searching audit records");
    json_decref(out);
    return NULL;
  }
  return out;
}

/* ------------------------------------------------------------ alerts */

int store_alert_add(store *s, const store_alert *a) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(s->db,
                         "INSERT OR REPLACE INTO alerts(id, ts, key_id, "
                         "signal, detail, observed, baseline, score, "
                         "severity, request_ids, action) "
                         "VALUES(?,?,?,?,?,?,?,?,?,?,?)",
                         -1, &st, NULL))
    return store_sql_fail(s, "writing an alert");
  sqlite3_bind_text(st, 1, a->id, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, a->ts_ms);
  sqlite3_bind_text(st, 3, a->key_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 4, a->signal, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 5, a->detail, -1, SQLITE_STATIC);
  sqlite3_bind_double(st, 6, a->observed);
  sqlite3_bind_double(st, 7, a->baseline);
  sqlite3_bind_double(st, 8, a->score);
  sqlite3_bind_text(st, 9, a->severity, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 10, a->request_ids, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 11, a->action, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : store_sql_fail(s, "writing an alert");
}

json_t *store_alert_list(store *s, int64_t limit) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(s->db,
                         "SELECT id, ts, key_id, signal, detail, observed, "
                         "baseline, score, severity, request_ids, action "
                         "FROM alerts ORDER BY ts DESC, id DESC LIMIT ?",
                         -1, &st, NULL)) {
    store_sql_fail(s, "reading alerts");
    return NULL;
  }
  sqlite3_bind_int64(st, 1, limit > 0 ? limit : 100);
  json_t *out = json_array();
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const char *t[11];
    for (int i = 0; i < 11; i++)
      t[i] = (const char *)sqlite3_column_text(st, i);
    json_array_append_new(
        out,
        json_pack("{s:s?, s:I, s:s?, s:s?, s:s?, s:f, s:f, s:f, s:s?, "
                  "s:s?, s:s?}",
                  "id", t[0], "ts_ms", (json_int_t)sqlite3_column_int64(st, 1),
                  "key_id", t[2], "signal", t[3], "detail", t[4], "observed",
                  sqlite3_column_double(st, 5), "baseline",
                  sqlite3_column_double(st, 6), "score",
                  sqlite3_column_double(st, 7), "severity", t[8], "request_ids",
                  t[9], "action", t[10]));
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    json_decref(out);
    store_sql_fail(s, "reading alerts");
    return NULL;
  }
  return out;
}

json_t *store_audit_by_key(store *s, int64_t since_ms, int64_t limit) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(
          s->db,
          "SELECT coalesce(key_id, 'master'), count(*), "
          "sum(decision LIKE 'block%'), sum(prompt_tokens + "
          "completion_tokens), sum(cost) FROM audit WHERE ts >= ? AND route "
          "IN ('chat', 'completions', 'embeddings') GROUP BY key_id ORDER "
          "BY count(*) DESC LIMIT ?",
          -1, &st, NULL)) {
    store_sql_fail(s, "summing audit records");
    return NULL;
  }
  sqlite3_bind_int64(st, 1, since_ms);
  sqlite3_bind_int64(st, 2, limit > 0 ? limit : 50);
  json_t *out = json_array();
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    json_array_append_new(
        out, json_pack("{s:s, s:I, s:I, s:I, s:f}", "key",
                       (const char *)sqlite3_column_text(st, 0), "requests",
                       (json_int_t)sqlite3_column_int64(st, 1), "blocked",
                       (json_int_t)sqlite3_column_int64(st, 2), "tokens",
                       (json_int_t)sqlite3_column_int64(st, 3), "spend_usd",
                       (double)sqlite3_column_int64(st, 4) / 1e9));
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    json_decref(out);
    store_sql_fail(s, "summing audit records");
    return NULL;
  }
  return out;
}
