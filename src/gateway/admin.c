/*
 * admin.c -- the key-management API, in the shape of LiteLLM's key
 * endpoints so that existing automation carries over:
 *
 *   POST /key/generate    {key_alias, models, rpm_limit, ...} -> {key, ...}
 *   GET  /key/info?key=K  -> {key: id, info: {...}}
 *   POST /key/update      {key: K, fields to change}
 *   POST /key/delete      {keys: [K, ...]} -> {deleted_keys: [...]}
 *   POST /key/block       {key: K}   (revoke; kept on record)
 *   POST /key/unblock     {key: K}
 *   POST /key/regenerate  {key: K, grace_period: "1h"} -> {key, ...}
 *   GET  /key/list[?return_full_object=true]
 *
 * K is a key's id (key_...) or the key itself. Only the master key gets
 * here (handler.c checks it before anything else). The store is written
 * on the worker's thread: key management is rare, and the answer must
 * come after the change is durable and applied to the key table.
 */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway.h"
#include "keyjson.h"

static void respond(gw_req *r, json_t *doc) {
  gw_set_body(r, 200, doc ? json_dumps(doc, JSON_COMPACT) : NULL);
  json_decref(doc);
}

static json_t *render(gw_req *r, const store_key *k, int64_t now) {
  int64_t spend = store_key_spend_at(k, now) +
                  gw_access_pending_spend(r->w->sh->access, k->id);
  return store_key_json(k, spend, now);
}

static void store_failed(gw_req *r, store *st, int rc, const char *what) {
  if (rc == STORE_NOT_FOUND)
    gw_error(r, 404, "invalid_request_error", "key_not_found",
             "%s: no such key", what);
  else if (rc == STORE_INVALID)
    gw_error(r, 400, "invalid_request_error", "invalid_value", "%s: %s", what,
             store_error(st));
  else
    gw_error(r, 500, "server_error", "store_error", "%s: the key store failed",
             what);
}

/* The "key" field of a request body naming an existing key. */
static const char *target(gw_req *r, json_t *body) {
  const char *k = json_string_value(json_object_get(body, "key"));
  if (!k || !*k || strlen(k) > 256)
    gw_error(r, 400, "invalid_request_error", "invalid_value",
             "'key' must name a key: its id (key_...) or the key");
  return k;
}

static void generate(gw_req *r, store *st, json_t *body, int64_t now,
                     int *changed) {
  store_key k = {.max_budget = -1};
  char err[400], secret[STORE_KEY_LEN];
  int rc;
  if (store_key_apply_json(&k, body, 0, now, err, sizeof(err))) {
    gw_error(r, 400, "invalid_request_error", "invalid_value", "%s", err);
  } else if ((rc = store_key_create(st, &k, secret, now))) {
    store_failed(r, st, rc, "generate");
  } else {
    *changed = 1;
    json_t *doc = render(r, &k, now);
    json_object_set_new(doc, "key", json_string(secret));
    respond(r, doc);
  }
  store_key_clear(&k);
}

static void update(gw_req *r, store *st, json_t *body, int64_t now,
                   int *changed) {
  const char *t = target(r, body);
  if (!t)
    return;
  store_key k;
  char err[400];
  int rc = store_key_get(st, t, &k);
  if (rc) {
    store_failed(r, st, rc, "update");
    return;
  }
  if (!strcmp(r->admin_op, "block") || !strcmp(r->admin_op, "unblock")) {
    if (json_object_size(body) != 1) {
      gw_error(r, 400, "invalid_request_error", "invalid_value",
               "/key/%s takes only 'key'", r->admin_op);
      goto out;
    }
    store_key_set_blocked(&k, !strcmp(r->admin_op, "block"));
  } else if (store_key_apply_json(&k, body, 1, now, err, sizeof(err))) {
    gw_error(r, 400, "invalid_request_error", "invalid_value", "%s", err);
    goto out;
  }
  if ((rc = store_key_update(st, &k, 0, now)) ||
      (rc = store_key_reread(st, &k))) {
    store_failed(r, st, rc, r->admin_op);
    goto out;
  }
  *changed = 1;
  respond(r, render(r, &k, now));
out:
  store_key_clear(&k);
}

static void regenerate(gw_req *r, store *st, json_t *body, int64_t now,
                       int *changed) {
  const char *t = target(r, body);
  if (!t)
    return;
  json_t *g = json_object_get(body, "grace_period");
  int64_t grace = 0;
  const char *f;
  json_t *v;
  json_object_foreach(body, f, v) {
    if (strcmp(f, "key") && strcmp(f, "grace_period")) {
      gw_error(r, 400, "invalid_request_error", "invalid_value",
               "unknown field '%.60s' (key, grace_period)", f);
      return;
    }
  }
  if (g && !json_is_null(g) &&
      (!json_is_string(g) ||
       store_parse_duration(json_string_value(g), &grace))) {
    gw_error(r, 400, "invalid_request_error", "invalid_value",
             "'grace_period' must be a duration such as \"1h\"");
    return;
  }
  store_key k;
  char secret[STORE_KEY_LEN];
  int rc = store_key_get(st, t, &k);
  if (!rc && !(rc = store_key_rotate(st, k.id, grace, secret, now)))
    rc = store_key_reread(st, &k);
  if (rc) {
    store_failed(r, st, rc, "regenerate");
  } else {
    *changed = 1;
    json_t *doc = render(r, &k, now);
    json_object_set_new(doc, "key", json_string(secret));
    respond(r, doc);
  }
  store_key_clear(&k);
}

/* All or nothing: one unknown key and none is deleted. */
static void delete_keys(gw_req *r, store *st, json_t *body, int *changed) {
  json_t *keys = json_object_get(body, "keys");
  if (!json_is_array(keys) || !json_array_size(keys) ||
      json_array_size(keys) > 1000 || json_object_size(body) != 1) {
    gw_error(r, 400, "invalid_request_error", "invalid_value",
             "/key/delete takes {\"keys\": [ids or keys]} (1 to 1000)");
    return;
  }
  if (store_begin(st)) {
    store_failed(r, st, STORE_ERROR, "delete");
    return;
  }
  json_t *done = json_array();
  size_t i;
  json_t *v;
  json_array_foreach(keys, i, v) {
    const char *t = json_string_value(v);
    store_key k;
    int rc = t ? store_key_get(st, t, &k) : STORE_NOT_FOUND;
    if (rc == STORE_OK) {
      if (!(rc = store_key_delete(st, k.id)))
        json_array_append_new(done, json_string(k.id));
      store_key_clear(&k);
    }
    if (rc) {
      store_rollback(st);
      json_decref(done);
      char what[64];
      snprintf(what, sizeof(what), "delete: keys[%zu]", i);
      store_failed(r, st, rc, what);
      return;
    }
  }
  if (store_commit(st)) {
    store_rollback(st);
    json_decref(done);
    store_failed(r, st, STORE_ERROR, "delete");
    return;
  }
  *changed = 1;
  respond(r, json_pack("{s:o}", "deleted_keys", done));
}

static void info(gw_req *r, store *st, int64_t now) {
  const char *t =
      MHD_lookup_connection_value(r->mhd, MHD_GET_ARGUMENT_KIND, "key");
  if (!t || !*t) {
    gw_error(r, 400, "invalid_request_error", "invalid_value",
             "/key/info needs ?key=<id or key>");
    return;
  }
  store_key k;
  int rc = store_key_get(st, t, &k);
  if (rc) {
    store_failed(r, st, rc, "info");
    return;
  }
  respond(r, json_pack("{s:s, s:o}", "key", k.id, "info", render(r, &k, now)));
  store_key_clear(&k);
}

static void list(gw_req *r, store *st, int64_t now) {
  const char *full = MHD_lookup_connection_value(r->mhd, MHD_GET_ARGUMENT_KIND,
                                                 "return_full_object");
  int objects = full && !strcmp(full, "true");
  store_key *keys;
  size_t n;
  if (store_key_list(st, &keys, &n)) {
    store_failed(r, st, STORE_ERROR, "list");
    return;
  }
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(a, objects ? render(r, &keys[i], now)
                                     : json_string(keys[i].id));
  store_keys_free(keys, n);
  respond(r, json_pack("{s:o, s:I, s:i, s:i}", "keys", a, "total_count",
                       (json_int_t)n, "current_page", 1, "total_pages", 1));
}

void gw_admin(gw_req *r) {
  const char *op = r->admin_op;
  int is_get = !strcmp(op, "info") || !strcmp(op, "list");
  json_t *body = NULL;
  if (!is_get) {
    json_error_t jerr;
    body = json_loadb(r->body.data ? r->body.data : "", r->body.len,
                      JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(body)) {
      gw_error(r, 400, "invalid_request_error", "invalid_json",
               "the request body must be a JSON object%s%s", body ? "" : ": ",
               body ? "" : jerr.text);
      json_decref(body);
      return;
    }
  }
  gw_access *a = r->w->sh->access;
  int64_t now = gw_wall_ms() / 1000;
  int changed = 0;
  store *st = gw_access_store_lock(a);
  if (!strcmp(op, "generate"))
    generate(r, st, body, now, &changed);
  else if (!strcmp(op, "regenerate"))
    regenerate(r, st, body, now, &changed);
  else if (!strcmp(op, "delete"))
    delete_keys(r, st, body, &changed);
  else if (!strcmp(op, "info"))
    info(r, st, now);
  else if (!strcmp(op, "list"))
    list(r, st, now);
  else /* update, block, unblock */
    update(r, st, body, now, &changed);
  gw_access_store_unlock(a, changed);
  json_decref(body);
}
