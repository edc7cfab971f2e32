/*
 * handler.c -- one request through the gateway: route, authenticate,
 * validate, guard the input, hand it to the upstream, guard the output.
 *
 * libmicrohttpd calls gw_handle several times per request: once when the
 * headers are in (route, auth, size checks: an oversized Content-Length is
 * refused with our JSON 413 before the body is read), once per body
 * chunk, once when the body is complete, and once more each time a
 * suspended request is resumed. A response can only be queued from inside
 * that callback, so everything that decides a response (an upstream that
 * finished, a delayed refusal) records it in the request and resumes the
 * connection, and the next call queues it.
 *
 * What is checked and scanned in the documents is guard.c's business; this
 * file is the HTTP side of it.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <strings.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "anomaly.h"
#include "records.h"
#include "gateway.h"
#include "jload.h"
#include "metrics.h"

#define CONTENT_MAX ((size_t)1 << 20) /* stored response bytes */

/* How much of an oversized body is read and dropped so that the client
 * gets its 413 instead of a reset: 4 times the limit, at least 64 MiB. */
static size_t drain_limit(const gw_config *cfg) {
  size_t d = cfg->max_body_bytes * 4;
  return d < ((size_t)64 << 20) ? (size_t)64 << 20 : d;
}

/* --------------------------------------------------------- responses */

const char *gw_decision_text(const gw_req *r, char *buf, size_t len) {
  const char *d = aigate_action_name(r->g.decision);
  if (!r->g.failed)
    return d;
  snprintf(buf, len, "%s (%s)", d,
           r->g.fail_open ? "fail-open" : "fail-closed");
  return buf;
}

/* Time spent in the gateway so far, in microseconds: all of it but the
 * upstream's; for a stream, what passed before the upstream was called. */
static int64_t overhead_us(const gw_req *r) {
  int64_t up =
      r->us_up_start && r->us_up_end ? r->us_up_end - r->us_up_start : 0;
  int64_t over = r->stream && r->us_up_start ? r->us_up_start - r->us_start
                                             : (gw_now_us() - r->us_start) - up;
  return over > 0 ? over : 0;
}

static void add_headers(gw_req *r, struct MHD_Response *resp) {
  char dec[64], ms[32];
  /* Integers only: formatting a double costs more than the rest of the
   * headers together. */
  int64_t us = overhead_us(r);
  char frac[] = {'.', (char)('0' + us / 100 % 10), (char)('0' + us / 10 % 10),
                 (char)('0' + us % 10), '\0'};
  ag_str_put(ms, sizeof(ms), ag_str_put_uint(ms, sizeof(ms), 0, us / 1000),
             frac);
  MHD_add_response_header(resp, "x-aigate-request-id", r->id);
  MHD_add_response_header(resp, "x-aigate-decision",
                          gw_decision_text(r, dec, sizeof(dec)));
  MHD_add_response_header(resp, "x-aigate-overhead-ms", ms);
  if (r->route == GW_ROUTE_UI || r->route == GW_ROUTE_UI_API) {
    MHD_add_response_header(
        resp, "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self' "
        "'unsafe-inline'; "
        "connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  }
  if (r->retry_after > 0) {
    char ra[24];
    snprintf(ra, sizeof(ra), "%d", r->retry_after);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
  }
  if (atomic_load(&r->w->sh->draining))
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
}

/* What the client receives goes into the record's hash (and, with
 * content storage, its sealed copy). */
static void note_out(gw_req *r, const char *data, size_t len) {
  if (!r->hashing)
    return;
  crypto_generichash_update(&r->out_hash, (const unsigned char *)data, len);
  if (r->w->sh->store_content && r->out_copy.len < CONTENT_MAX)
    ag_buf_append(&r->out_copy, data,
                  len < CONTENT_MAX - r->out_copy.len
                      ? len
                      : CONTENT_MAX - r->out_copy.len);
}

static int queue_body(gw_req *r) {
  struct MHD_Response *resp = MHD_create_response_from_buffer(
      r->resp_len, r->resp_body, MHD_RESPMEM_MUST_COPY);
  if (!resp)
    return 0;
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                          r->resp_ctype ? r->resp_ctype : "application/json");
  add_headers(r, resp);
  int ok = MHD_queue_response(r->mhd, (unsigned)r->status, resp) == MHD_YES;
  MHD_destroy_response(resp);
  r->responded = 1;
  note_out(r, r->resp_body, r->resp_len);
  return ok;
}

/* The upstream's own bytes become the response: when the guards changed
 * nothing, re-serializing the document would only cost time. */
static void pass_upstream_body(gw_req *r) {
  free(r->resp_body);
  r->status = 200;
  r->resp_body = r->up.data;
  r->resp_len = r->up.len;
  r->resp_ctype = "application/json";
  r->up = (ag_buf){0};
}

void gw_set_body(gw_req *r, int status, char *body) {
  free(r->resp_body);
  r->status = status;
  r->resp_body = body;
  r->resp_len = body ? strlen(body) : 0;
  r->resp_ctype = "application/json";
}

void gw_error(gw_req *r, int status, const char *type, const char *code,
              const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  json_t *err = json_pack("{s:s, s:s, s:n, s:s, s:s}", "message", msg, "type",
                          type, "param", "code", code, "request_id", r->id);
  if (err && status == 400 && !strcmp(code, "content_policy_violation")) {
    json_t *ids = json_array();
    char rules[sizeof(r->g.rules)];
    snprintf(rules, sizeof(rules), "%s", r->g.rules);
    for (char *save, *t = strtok_r(rules, ",", &save); t;
         t = strtok_r(NULL, ",", &save))
      json_array_append_new(ids, json_string(t));
    json_object_set_new(err, "rule_ids", ids);
  }
  json_t *doc = json_pack("{s:o}", "error", err);
  gw_set_body(r, status, doc ? json_dumps(doc, JSON_COMPACT) : NULL);
  json_decref(doc);
  if (!r->resp_body) { /* out of memory: a fixed body still says why */
    static const char oom[] =
        "{\"error\":{\"message\":\"out of memory\",\"type\":\"server_error\","
        "\"param\":null,\"code\":\"internal_error\"}}";
    r->resp_body = strdup(oom);
    r->resp_len = r->resp_body ? strlen(oom) : 0;
  }
}

void gw_resume(gw_req *r) {
  if (!r->suspended)
    return;
  r->suspended = 0;
  r->w->resumed = 1;
  MHD_resume_connection(r->mhd);
}

static void suspend(gw_req *r) {
  if (r->suspended)
    return;
  r->suspended = 1;
  MHD_suspend_connection(r->mhd);
}

/* --------------------------------------------------------- routing */

static gw_route route_of(const char *method, const char *url, int *bad_method) {
  static const struct {
    const char *path, *method;
    gw_route route;
  } routes[] = {
      {"/v1/chat/completions", "POST", GW_ROUTE_CHAT},
      {"/chat/completions", "POST", GW_ROUTE_CHAT},
      {"/v1/completions", "POST", GW_ROUTE_COMPLETIONS},
      {"/completions", "POST", GW_ROUTE_COMPLETIONS},
      {"/v1/embeddings", "POST", GW_ROUTE_EMBEDDINGS},
      {"/embeddings", "POST", GW_ROUTE_EMBEDDINGS},
      {"/v1/models", "GET", GW_ROUTE_MODELS},
      {"/models", "GET", GW_ROUTE_MODELS},
      {"/health/live", "GET", GW_ROUTE_HEALTH},
      {"/health/ready", "GET", GW_ROUTE_HEALTH},
      {"/health/liveliness", "GET", GW_ROUTE_HEALTH},
      {"/health/readiness", "GET", GW_ROUTE_HEALTH},
      {"/key/generate", "POST", GW_ROUTE_ADMIN},
      {"/key/update", "POST", GW_ROUTE_ADMIN},
      {"/key/delete", "POST", GW_ROUTE_ADMIN},
      {"/key/block", "POST", GW_ROUTE_ADMIN},
      {"/key/unblock", "POST", GW_ROUTE_ADMIN},
      {"/key/regenerate", "POST", GW_ROUTE_ADMIN},
      {"/key/info", "GET", GW_ROUTE_ADMIN},
      {"/key/list", "GET", GW_ROUTE_ADMIN},
      {"/metrics", "GET", GW_ROUTE_METRICS},
  };
  *bad_method = 0;
  if (!strcmp(url, "/ui") || !strncmp(url, "/ui/", 4)) {
    if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
      *bad_method = 1;
      return GW_ROUTE_NONE;
    }
    return strncmp(url, "/ui/api/", 8) ? GW_ROUTE_UI : GW_ROUTE_UI_API;
  }
  for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
    if (!strcmp(url, routes[i].path)) {
      if (!strcmp(method, routes[i].method) ||
          (routes[i].route == GW_ROUTE_HEALTH && !strcmp(method, "HEAD")))
        return routes[i].route;
      *bad_method = 1;
    }
  return GW_ROUTE_NONE;
}

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind,
                                    const char *key, const char *value) {
  (void)kind;
  size_t *sum = cls;
  *sum += strlen(key) + (value ? strlen(value) : 0) + 4;
  return MHD_YES;
}

static void client_address(gw_req *r) {
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(r->mhd, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  r->client_addr[0] = '\0';
  if (ci && ci->client_addr) {
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
      inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
                r->client_addr, sizeof(r->client_addr));
    else if (sa->sa_family == AF_INET6)
      inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
                r->client_addr, sizeof(r->client_addr));
  }
  unsigned char k[crypto_shorthash_KEYBYTES] = {0};
  memcpy(k, &r->w->sh->id_salt, sizeof(r->w->sh->id_salt));
  unsigned char h[crypto_shorthash_BYTES];
  crypto_shorthash(h, (const unsigned char *)r->client_addr,
                   strlen(r->client_addr), k);
  memcpy(&r->addr_hash, h, sizeof(r->addr_hash));
}

/* Who sends the request. The master key is compared in constant time
 * (both sides hashed to a fixed length, so neither its content nor its
 * length leaks through timing); virtual keys are looked up by their keyed
 * hash (access.c). */
static int identify(gw_req *r) {
  if (!r->rt->master_key)
    return GW_CALLER_OPEN;
  const char *h =
      MHD_lookup_connection_value(r->mhd, MHD_HEADER_KIND, "Authorization");
  const char *key = NULL;
  if (h && !strncasecmp(h, "Bearer ", 7))
    key = h + 7;
  if (!key) /* Azure-style clients send api-key */
    key = MHD_lookup_connection_value(r->mhd, MHD_HEADER_KIND, "api-key");
  if (!key || !*key)
    return GW_CALLER_NONE;
  int own = gw_runtime_key_caller(r->rt, key);
  if (own != GW_CALLER_NONE)
    return own;
  gw_access *a = r->w->sh->access;
  if (!a)
    return GW_CALLER_BAD;
  switch (gw_access_auth(a, key, strlen(key), gw_wall_ms(), r->key_id)) {
  case GW_AUTH_OK: return GW_CALLER_KEY;
  case GW_AUTH_REVOKED: return GW_CALLER_REVOKED;
  case GW_AUTH_EXPIRED: return GW_CALLER_EXPIRED;
  case GW_AUTH_SUSPENDED: return GW_CALLER_SUSPENDED;
  default: return GW_CALLER_BAD;
  }
}

static void auth_refusal(gw_req *r) {
  switch (r->caller) {
  case GW_CALLER_NONE:
    gw_error(r, 401, "authentication_error", "invalid_api_key",
             "missing API key: send 'Authorization: Bearer <key>'");
    break;
  case GW_CALLER_REVOKED:
    gw_error(r, 401, "authentication_error", "key_revoked",
             "this API key was revoked");
    break;
  case GW_CALLER_EXPIRED:
    gw_error(r, 401, "authentication_error", "key_expired",
             "this API key has expired");
    break;
  case GW_CALLER_SUSPENDED:
    gw_error(r, 403, "permission_error", "key_suspended",
             "this API key is suspended for a while after unusual activity "
             "(an administrator can lift it)");
    break;
  default:
    gw_error(r, 401, "authentication_error", "invalid_api_key",
             "invalid API key");
  }
}

static void delayed_refusal(gw_worker *w, void *arg) {
  (void)w;
  gw_req *r = arg;
  r->retry_timer = NULL;
  gw_resume(r);
}

static void too_large(gw_req *r) {
  gw_error(r, 413, "invalid_request_error", "request_too_large",
           "the request body is larger than %zu bytes",
           r->rt->cfg->max_body_bytes);
}

/* A record's keyed hash, started. The keyed state is made once per
 * worker (the store's secret does not change while it runs) and copied:
 * a request hashes twice, its body and its answer. The state holds the
 * key's block until it is finalized, so every copy is wiped when its
 * request ends (gw_request_completed). */
static void hash_begin(gw_worker *w, crypto_generichash_state *st) {
  if (!w->hash0_set) {
    store_hash_begin(gw_access_store(w->sh->access), &w->hash0);
    w->hash0_set = 1;
  }
  *st = w->hash0;
}

/* First call: headers are in. Decide what can be decided now. */
static gw_req *begin(gw_worker *w, struct MHD_Connection *c, const char *url,
                     const char *method) {
  /* A finished request's memory, or new memory aligned as its keyed-hash
   * state asks. */
  gw_req *r = w->n_spare_req > 0 ? w->spare_req[--w->n_spare_req]
                                 : aligned_alloc(_Alignof(gw_req), sizeof(*r));
  if (!r)
    return NULL;
  memset(r, 0, sizeof(*r));
  r->w = w;
  r->mhd = c;
  r->t_start = gw_now_ms();
  r->us_start = gw_now_us();
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  r->conn = ci ? ci->socket_context : NULL;
  if (r->conn) {
    r->conn->in_request = 1;
    r->conn->body_done = 0;
    r->conn->head_at = r->t_start;
  }
  gw_shared *sh = w->sh;
  unsigned long n = atomic_fetch_add(&sh->next_id, 1);
  size_t k = ag_str_put(r->id, sizeof(r->id), 0, "req_"); /* req_%08x%012lx */
  k = ag_str_put_hex(r->id, sizeof(r->id), k, sh->id_salt & 0xffffffffu, 8);
  ag_str_put_hex(r->id, sizeof(r->id), k, n, 12);
  r->rt = gw_shared_runtime(sh);
  client_address(r);
  if (sh->audit) {
    hash_begin(w, &r->out_hash);
    r->hashing = 1;
  }
  const gw_config *cfg = r->rt->cfg;

  size_t hsize = strlen(url) + strlen(method) + 16;
  MHD_get_connection_values(c, MHD_HEADER_KIND, count_header, &hsize);
  int bad_method;
  r->route = route_of(method, url, &bad_method);
  if (hsize > cfg->max_header_bytes) {
    gw_error(r, 431, "invalid_request_error", "headers_too_large",
             "request headers are %zu bytes; the limit is %zu", hsize,
             cfg->max_header_bytes);
    return r;
  }
  if (r->route == GW_ROUTE_NONE) {
    if (bad_method)
      gw_error(r, 405, "invalid_request_error", "method_not_allowed",
               "%s is not allowed on %s", method, url);
    else
      gw_error(r, 404, "invalid_request_error", "not_found", "no route %s %s",
               method, url);
    return r;
  }
  if (r->route == GW_ROUTE_HEALTH)
    return r;
  if (r->route == GW_ROUTE_UI) {
    snprintf(r->ui_path, sizeof(r->ui_path), "%s", url);
    return r;
  }
  r->caller = identify(r);
  if (r->caller >= GW_CALLER_NONE) {
    int delay = gw_auth_delay_ms(sh, r->addr_hash, r->t_start);
    gw_auth_record(sh, r->addr_hash, 0, r->t_start);
    auth_refusal(r);
    if (delay > 0) {
      r->auth_delayed = 1;
      r->retry_timer = gw_timer_add(w, delay, delayed_refusal, r);
      if (r->retry_timer) {
        suspend(r);
        gw_watch_client(w, r);
      }
    }
    return r;
  }
  gw_auth_record(sh, r->addr_hash, 1, r->t_start);
  int viewer_route =
      r->route == GW_ROUTE_METRICS || r->route == GW_ROUTE_UI_API;
  if (viewer_route && r->caller != GW_CALLER_MASTER &&
      r->caller != GW_CALLER_OPEN && r->caller != GW_CALLER_VIEWER) {
    gw_error(r, 403, "permission_error", "admin_only",
             "this needs the master key or the dashboard key");
    return r;
  }
  if (!viewer_route && r->caller == GW_CALLER_VIEWER) {
    gw_error(r, 403, "permission_error", "read_only_key",
             "the dashboard key opens /ui and /metrics only");
    return r;
  }
  if (r->route == GW_ROUTE_UI_API)
    snprintf(r->ui_path, sizeof(r->ui_path), "%s", url);
  if (r->route == GW_ROUTE_ADMIN) {
    snprintf(r->admin_op, sizeof(r->admin_op), "%s", url + 5);
    if (r->caller != GW_CALLER_MASTER || !sh->access) {
      gw_error(r, 403, "permission_error", "admin_only", "%s",
               sh->access ? "key management needs the master key"
                          : "key management is off (--no-auth)");
      return r;
    }
  }
  const char *cl =
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
  if (cl) {
    char *end;
    unsigned long long v = strtoull(cl, &end, 10);
    const char *expect =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Expect");
    /* A client that waits for 100-continue is answered at once. Others
     * are already sending: closing on them would reset the connection
     * before they read the 413, so a body up to drain_limit() is read
     * and dropped first; beyond that, answering at once and closing is
     * worth the lost error message. */
    if (*end || v > drain_limit(cfg) || expect)
      r->too_large = *end || v > cfg->max_body_bytes;
    else
      r->too_large = v > cfg->max_body_bytes ? 2 : 0;
    if (r->too_large == 1)
      too_large(r);
  }
  return r;
}

static int append_body(gw_req *r, const char *data, size_t len) {
  size_t max = r->rt->cfg->max_body_bytes;
  if (r->too_large || r->body.len + len > max) {
    r->too_large = 2; /* dropped until the end, then answered */
    r->dropped += len;
    if (r->dropped > drain_limit(r->rt->cfg))
      too_large(r);
    return 0;
  }
  ag_buf_append(&r->body, data, len);
  return r->body.failed ? -1 : 0;
}

/* GET /v1/models for a key with a model list: only its models. */
static void allowed_models(gw_req *r, json_t *doc) {
  gw_access *a = r->w->sh->access;
  if (r->caller != GW_CALLER_KEY || !gw_access_has_model_list(a, r->key_id))
    return;
  json_t *data = json_object_get(doc, "data");
  for (size_t i = json_array_size(data); i-- > 0;) {
    const char *id =
        json_string_value(json_object_get(json_array_get(data, i), "id"));
    if (!id || !gw_access_model_allowed(a, r->key_id, id))
      json_array_remove(data, i);
  }
}

/* The key's max_tokens clamp, written into the document: every field
 * given is lowered to it, and a request that gives none gets one (chat:
 * max_completion_tokens, OpenAI's current name; completions: max_tokens). */
static int clamp_max_tokens(gw_req *r, int64_t cap) {
  static const char *const fields[] = {"max_tokens", "max_completion_tokens"};
  int given = 0;
  for (size_t f = 0; f < 2; f++) {
    json_t *v = json_object_get(r->doc, fields[f]);
    if (!json_is_integer(v))
      continue;
    given = 1;
    if (json_integer_value(v) > cap &&
        json_object_set_new(r->doc, fields[f], json_integer(cap)))
      return -1;
  }
  if (!given &&
      json_object_set_new(r->doc,
                          r->route == GW_ROUTE_CHAT ? "max_completion_tokens"
                                                    : "max_tokens",
                          json_integer(cap)))
    return -1;
  r->g.changed = 1;
  r->info.max_tokens = cap;
  return 0;
}

/* A virtual key's scope and limits (access.c): after the request is
 * parsed, before it is guarded. Returns -1 with the refusal set. */
static int admit(gw_req *r) {
  gw_access *a = r->w->sh->access;
  int64_t cap = gw_access_max_tokens(a, r->key_id);
  if (cap > 0 && r->route != GW_ROUTE_EMBEDDINGS &&
      (r->info.max_tokens == 0 || r->info.max_tokens > cap) &&
      clamp_max_tokens(r, cap)) {
    gw_error(r, 500, "server_error", "internal_error", "out of memory");
    return -1;
  }
  gw_ask ask = {.model = r->info.model,
                .tools = r->info.tools,
                .n_tools = r->info.n_tools,
                .prompt_tokens = (int64_t)r->body.len / 4 + 1,
                .completion_tokens =
                    (int64_t)r->info.max_tokens * r->info.n_choices,
                .now_ms = gw_wall_ms()};
  gw_access_admit(a, r->key_id, &ask, &r->grant);
  if (r->grant.status) {
    r->retry_after = r->grant.retry_after;
    gw_error(r, r->grant.status, r->grant.type, r->grant.code, "%s",
             r->grant.message);
    return -1;
  }
  r->admitted = 1;
  if (r->grant.policy) {
    /* A profile the configuration lacks fails closed, and says so. */
    aigate_scan_options o = {AIGATE_INPUT, r->grant.policy, 0};
    aigate_result res;
    if (aigate_scan_ex(r->rt->engine, r->scratch, "", 0, &o, &res) ==
        AIGATE_ERR_NOT_FOUND) {
      gw_error(r, 500, "server_error", "policy_not_found",
               "this key's policy profile '%s' is not in the gateway's "
               "configuration",
               r->grant.policy);
      return -1;
    }
    r->g.profile = r->grant.policy;
  }
  r->g.allow_hosts = (const char *const *)r->grant.allow_hosts;
  r->g.n_allow_hosts = r->grant.n_allow_hosts;
  if (r->grant.tools) {
    r->g.allowed_tools = r->grant.tools;
    r->g.n_allowed_tools = r->grant.n_tools;
    r->g.tools_limited = 1;
  }
  return 0;
}

void gw_note_usage(gw_req *r, json_t *usage) {
  json_t *p = json_object_get(usage, "prompt_tokens");
  json_t *c = json_object_get(usage, "completion_tokens");
  if (!json_is_integer(p))
    return;
  r->usage_prompt = json_integer_value(p);
  r->usage_completion = json_is_integer(c) ? json_integer_value(c) : 0;
  if (r->usage_prompt < 0 || r->usage_completion < 0)
    return;
  r->usage_known = 1;
}

/* What tokens cost on the deployment that answered, in whole nano-USD
 * (0 without a deployment or prices): the one price used for the key's
 * spend, the record, the metrics and the anomaly baselines. */
static int64_t cost_of(const gw_req *r, long long prompt,
                       long long completion) {
  if (!r->dep)
    return 0;
  double usd = (double)prompt * r->dep->input_cost_per_token +
               (double)completion * r->dep->output_cost_per_token;
  return (int64_t)(usd * 1e9 + 0.5);
}

/* The request is over: the key's tpm bucket gets the real token count
 * and its spend the cost. A request that never reached an upstream used
 * nothing; one whose upstream reported no usage is charged its
 * estimate. */
static void settle(gw_req *r) {
  long long prompt = 0, completion = 0;
  if (r->usage_known) {
    prompt = r->usage_prompt;
    completion = r->usage_completion;
  } else if (r->t_up_start) {
    prompt = (long long)r->body.len / 4 + 1;
    completion = r->grant.reserved_tokens - prompt;
    if (completion < 0)
      completion = 0;
  }
  gw_access_settle(r->w->sh->access, r->key_id, r->grant.reserved_tokens,
                   prompt + completion, cost_of(r, prompt, completion),
                   gw_wall_ms());
}

static const char *const route_names[] = {
    "-",      "chat",  "completions", "embeddings", "models",
    "health", "admin", "metrics",     "ui",         "ui-api"};

/* The findings behind the decision, and the detect-only ones that would
 * have acted, as a JSON array of {rule, category, score, mode} (NULL:
 * none). */
/* One finding of the record (gw_guard_each_rule's fn). */
typedef struct {
  json_t *arr;
  const char *mode;
} finding_list;

static void add_finding(void *ud, const char *id, const char *category,
                        int score) {
  finding_list *f = ud;
  json_array_append_new(f->arr, json_pack("{s:s, s:s, s:i, s:s}", "rule", id,
                                          "category", category, "score", score,
                                          "mode", f->mode));
}

static char *findings_text(const gw_guard *g) {
  finding_list f = {json_array(), "enforce"};
  if (!f.arr)
    return NULL;
  gw_guard_each_rule(g, 0, add_finding, &f);
  f.mode = "detect-only";
  gw_guard_each_rule(g, 1, add_finding, &f);
  char *text = json_array_size(f.arr) ? json_dumps(f.arr, JSON_COMPACT) : NULL;
  json_decref(f.arr);
  return text;
}

/* The request's record for the store: who, what, the decision, tokens,
 * cost, times, keyed hashes of what came in and what went out, and, with
 * general_settings.store_content, both sealed with the content key
 * (length of the request as 8 bytes little-endian, the request, the
 * response as the client got it, at most 1 MiB of it). */
static void audit(gw_req *r) {
  gw_shared *sh = r->w->sh;
  char dec[64], dep[600];
  if (r->dep) { /* "model api_base", the model as sent upstream, if any */
    const char *m = r->dep->upstream_model ? r->dep->upstream_model : r->model;
    size_t n = 0;
    if (m) {
      n = ag_str_put(dep, sizeof(dep), n, m);
      n = ag_str_put(dep, sizeof(dep), n, " ");
    }
    ag_str_put(dep, sizeof(dep), n, r->dep->api_base);
  }
  char *findings = findings_text(&r->g);
  const char *s[GW_REC_STRINGS] = {
      [GW_REC_CLIENT] = r->client_addr,
      [GW_REC_ROUTE] = route_names[r->route],
      [GW_REC_MODEL] = r->model,
      [GW_REC_DECISION] = gw_decision_text(r, dec, sizeof(dec)),
      [GW_REC_RULES] = r->g.rules,
      [GW_REC_DEPLOYMENT] = r->dep ? dep : NULL,
      [GW_REC_MODE] = r->g.failed
                          ? (r->g.fail_open ? "fail-open" : "fail-closed")
                      : r->g.detect_only[0] ? "detect-only"
                                            : "enforce",
      [GW_REC_FINDINGS] = findings};
  gw_audit_rec *rec = gw_audit_rec_new(s);
  free(findings);
  if (!rec)
    return;
  store_audit *a = &rec->rec;
  ag_str_put(a->id, sizeof(a->id), 0, r->id);
  a->ts_ms = gw_wall_ms();
  if (r->caller == GW_CALLER_KEY)
    memcpy(a->key_id, r->key_id, sizeof(a->key_id));
  a->us_overhead = overhead_us(r);
  a->ms_first_byte =
      r->t_up_first && r->t_up_start ? r->t_up_first - r->t_up_start : 0;
  a->status = r->responded ? (r->relay ? 200 : r->status) : 0;
  a->upstream_status = (int)r->up_status;
  a->prompt_tokens = r->usage_known ? r->usage_prompt : 0;
  a->completion_tokens = r->usage_known ? r->usage_completion : 0;
  a->ms_total = gw_now_ms() - r->t_start;
  a->ms_upstream =
      r->t_up_end && r->t_up_start ? r->t_up_end - r->t_up_start : 0;
  a->cost = cost_of(r, a->prompt_tokens, a->completion_tokens);
  crypto_generichash_state h;
  hash_begin(r->w, &h);
  crypto_generichash_update(&h, (const unsigned char *)r->body.data,
                            r->body.len);
  crypto_generichash_final(&h, a->prompt_hash, 32);
  crypto_generichash_final(&r->out_hash, a->response_hash, 32);
  r->hashing = 0;
  /* Never the admin API's: its answers carry new keys in the clear. */
  if (sh->store_content && r->route != GW_ROUTE_ADMIN) {
    ag_buf plain = {0};
    unsigned char n8[8];
    for (int i = 0; i < 8; i++)
      n8[i] = (unsigned char)((uint64_t)r->body.len >> (8 * i));
    ag_buf_append(&plain, n8, 8);
    ag_buf_append(&plain, r->body.data, r->body.len);
    ag_buf_append(&plain, r->out_copy.data, r->out_copy.len);
    if (!plain.failed &&
        store_seal(&sh->content_key, a->id, (unsigned char *)plain.data,
                   plain.len, &rec->sealed, &a->content_len) == 0)
      memcpy(a->content_key_id, sh->content_key.id, sizeof(a->content_key_id));
    if (plain.data)
      sodium_memzero(plain.data, plain.len);
    ag_buf_free(&plain);
  }
  gw_audit_push(sh->audit, rec);
}

static void count_finding(void *ud, const char *id, const char *category,
                          int score) {
  (void)score;
  gw_metrics_add(ud, GW_M_FINDINGS, 1, "category", category, "rule", id,
                 GW_END);
}

/* The finished request in the metrics (metrics.c). */
static void count(gw_req *r) {
  gw_metrics *m = r->w->sh->metrics;
  char status[16];
  int st = r->responded ? (r->relay ? 200 : r->status) : 0;
  ag_str_put_uint(status, sizeof(status), 0, (unsigned)st);
  const char *model = r->model ? r->model : "";
  gw_metrics_add(m, GW_M_REQUESTS, 1, "route", route_names[r->route], "model",
                 model, "decision", aigate_action_name(r->g.decision), "status",
                 status, GW_END);
  /* The rules behind the decision, with their categories. */
  gw_guard_each_rule(&r->g, 0, count_finding, m);
  int64_t now_us = gw_now_us(), over = overhead_us(r);
  gw_metrics_observe(m, GW_H_OVERHEAD, (double)over / 1e6);
  gw_metrics_minute(m, (int)r->g.decision, (double)over / 1e6, gw_wall_ms());
  gw_metrics_observe(m, GW_H_TOTAL, (double)(now_us - r->us_start) / 1e6);
  if (r->t_up_first && r->t_up_start)
    gw_metrics_observe(m, GW_H_FIRST_BYTE,
                       (double)(r->t_up_first - r->t_up_start) / 1e3);
  if (r->usage_known) {
    const char *key = r->caller == GW_CALLER_KEY ? r->key_id : "master";
    gw_metrics_add(m, GW_M_TOKENS, (double)r->usage_prompt, "key", key, "type",
                   "prompt", GW_END);
    gw_metrics_add(m, GW_M_TOKENS, (double)r->usage_completion, "key", key,
                   "type", "completion", GW_END);
    if (r->dep)
      gw_metrics_add(m, GW_M_SPEND,
                     (double)cost_of(r, r->usage_prompt, r->usage_completion) /
                         1e9,
                     "key", key, GW_END);
  }
  if (r->attempts > 1)
    gw_metrics_add(m, GW_M_RETRIES, (double)(r->attempts - 1), GW_END);
  const char *reason = r->up_timeout         ? "timeout"
                       : r->up_error         ? "transport"
                       : r->up_status >= 500 ? "5xx"
                       : r->up_status == 429 ? "429"
                       : r->up_status == 401 || r->up_status == 403 ? "auth"
                                                                    : NULL;
  if (reason)
    gw_metrics_add(m, GW_M_UPSTREAM_ERRORS, 1, "reason", reason, GW_END);
  if (r->g.failed)
    gw_metrics_add(m, GW_M_SCAN_FAILURES, 1, "mode",
                   r->g.fail_open ? "fail-open" : "fail-closed", GW_END);
}

/* The finished request in the key's behavioural baseline (anomaly.c). */
static void observe(gw_req *r) {
  gw_event e = {
      .key = r->caller == GW_CALLER_KEY ? r->key_id : "master",
      .unauthenticated =
          r->caller >= GW_CALLER_NONE || r->caller == GW_CALLER_VIEWER,
      .client = r->client_addr,
      .model = r->model,
      .tools = r->doc ? r->info.tools : NULL,
      .n_tools = r->doc ? r->info.n_tools : 0,
      .blocked = r->g.decision == AIGATE_BLOCK,
      .findings = r->g.rules[0] != '\0',
      .error = r->up_timeout || r->up_error || r->up_status >= 500,
      .categories = r->g.rule_categories,
      .n_categories = r->g.n_rules,
      .tokens = r->usage_known ? r->usage_prompt + r->usage_completion : 0,
      .prompt_bytes = (int64_t)r->g.input_bytes,
      .request_id = r->id,
      .now_ms = gw_wall_ms(),
  };
  if (r->usage_known)
    e.cost = cost_of(r, r->usage_prompt, r->usage_completion);
  gw_anomaly_observe(r->w->sh->anomaly, &e, gw_alerts_push, r->w->sh->alerts);
  /* Some findings are alerts by themselves: the system prompt's canary
   * (or its text) in a reply means the prompt leaked. */
  int canary = strstr(r->g.rules, "leak-canary") != NULL;
  if (canary || strstr(r->g.rules, "leak-system-prompt")) {
    gw_alert a;
    memset(&a, 0, sizeof(a));
    snprintf(a.id, sizeof(a.id), "alert_%lld_%s", (long long)e.now_ms,
             r->id + 4);
    snprintf(a.key, sizeof(a.key), "%s", e.key);
    a.signal = canary ? "system_prompt_canary" : "system_prompt_leak";
    a.severity = canary ? "critical" : "high";
    snprintf(a.detail, sizeof(a.detail), "%s", r->model ? r->model : "");
    a.observed = 1;
    a.score = 1;
    snprintf(a.request_ids[0], sizeof(a.request_ids[0]), "%s", r->id);
    a.n_ids = 1;
    a.at_ms = e.now_ms;
    gw_alerts_push(r->w->sh->alerts, &a);
  }
}

void gw_settle(gw_req *r) {
  if (r->settled)
    return;
  r->settled = 1;
  if (r->dep_reserved)
    gw_upstream_settle(r, r->usage_known ? r->usage_prompt + r->usage_completion
                                         : r->dep_reserved);
  if (r->admitted)
    settle(r);
}

/* Body complete: validate, guard and send upstream (or answer). */
static void process(gw_req *r) {
  const gw_config *cfg = r->rt->cfg;
  if (r->route == GW_ROUTE_HEALTH) {
    gw_set_body(r, 200, strdup("{\"status\":\"ok\"}"));
    return;
  }
  if (r->route == GW_ROUTE_ADMIN) {
    gw_admin(r);
    return;
  }
  if (r->route == GW_ROUTE_UI) {
    if (gw_ui_static(r, r->ui_path))
      gw_error(r, 500, "server_error", "internal_error", "out of memory");
    return;
  }
  if (r->route == GW_ROUTE_UI_API) {
    if (!strcmp(r->ui_path, "/ui/api/overview"))
      gw_ui_overview(r);
    else
      gw_error(r, 404, "invalid_request_error", "not_found", "no route %s",
               r->ui_path);
    return;
  }
  if (r->route == GW_ROUTE_METRICS && r->rt->cfg->metrics_host) {
    gw_error(r, 404, "invalid_request_error", "not_found",
             "/metrics is served on monitoring.metrics_listen");
    return;
  }
  if (r->route == GW_ROUTE_METRICS) {
    size_t len;
    char *text = gw_metrics_render(r->w->sh->metrics, &len);
    if (!text) {
      gw_error(r, 500, "server_error", "internal_error", "out of memory");
      return;
    }
    gw_set_body(r, 200, text);
    r->resp_len = len;
    r->resp_ctype = "text/plain; version=0.0.4; charset=utf-8";
    return;
  }
  if (r->route == GW_ROUTE_MODELS) {
    if (r->rt->models_json) {
      json_t *doc = json_loads(r->rt->models_json, 0, NULL);
      allowed_models(r, doc);
      gw_set_body(r, 200, doc ? json_dumps(doc, JSON_COMPACT) : NULL);
      json_decref(doc);
      return;
    }
    /* Passthrough: the upstream knows its models. */
    r->deps[0] = &cfg->passthrough;
    r->n_deps = 1;
    if (gw_upstream_start(r) && !r->status)
      gw_error(r, 502, "upstream_error", "upstream_unavailable",
               "cannot reach the upstream");
    return;
  }
  if (!(r->scratch = gw_worker_scratch(r->w, r->rt))) {
    gw_error(r, 500, "server_error", "internal_error", "out of memory");
    return;
  }
  r->g.engine = r->rt->engine;
  r->g.scratch = r->scratch;
  r->g.cfg = cfg;
  if ((cfg->pseudo_restore[0] || cfg->pseudo_mask[0] || cfg->pseudo_block[0]) &&
      aigate_pseudo_new((const char *const *)cfg->pseudo_restore,
                        (const char *const *)cfg->pseudo_mask, &r->g.pseudo)) {
    gw_error(r, 500, "server_error", "internal_error", "out of memory");
    return;
  }
  if (r->too_large) {
    gw_error(r, 413, "invalid_request_error", "request_too_large",
             "the request body is larger than %zu bytes", cfg->max_body_bytes);
    return;
  }
  gw_jarena_take(&r->w->jpool, &r->jarena);
  gw_jarena *prev = gw_jarena_enter(&r->jarena);
  r->doc =
      gw_parse_request(&r->g, r->route, r->body.data, r->body.len, &r->info);
  gw_jarena_leave(prev);
  if (!r->doc) {
    gw_error(r, r->g.status, r->g.type, r->g.code, "%s", r->g.message);
    return;
  }
  /* The model is known from here on (logs, records, metrics), also for
   * a request refused below. */
  r->client_model = strdup(r->info.model);
  if (!r->client_model || !(r->model = strdup(r->info.model))) {
    gw_error(r, 500, "server_error", "internal_error", "out of memory");
    return;
  }
  if (r->caller == GW_CALLER_KEY && admit(r))
    return;
  if (gw_guard_input(&r->g, r->route, r->doc, &r->info)) {
    gw_error(r, r->g.status, r->g.type, r->g.code, "%s", r->g.message);
    return;
  }
  r->body_intact = !r->g.changed;
  r->stream = r->info.stream;
  r->client_usage = r->info.client_usage;
  r->n_choices = r->info.n_choices;
  if (cfg->n_deployments) {
    r->n_deps = gw_config_deployments(cfg, r->model, r->deps, 16);
    if (!r->n_deps) {
      gw_error(r, 404, "invalid_request_error", "model_not_found",
               "the model '%s' does not exist on this gateway", r->model);
      return;
    }
    const gw_fallback *fb = gw_config_fallback(cfg, r->model);
    if (fb) {
      r->fallbacks = fb->to;
      r->n_fallbacks = fb->n_to;
    }
  } else {
    r->deps[0] = &cfg->passthrough;
    r->n_deps = 1;
  }
  if (gw_upstream_start(r) && !r->status)
    gw_error(r, 502, "upstream_error", "upstream_unavailable",
             "cannot start the upstream request");
}

/* ---------------------------------------------------------- output */

/* Guard a finished, non-streamed upstream reply and build the client's
 * response from it. */
static void finish_response(gw_req *r);

void gw_finish_response(gw_req *r) {
  finish_response(r);
  gw_settle(r);
}

static void finish_response(gw_req *r) {
  if (r->status)
    return;
  long st = r->up_status;
  if (r->up_timeout) {
    gw_error(r, 504, "upstream_error", "upstream_timeout",
             "the upstream did not answer in time");
    return;
  }
  if (r->up_error) {
    gw_error(r, 502, "upstream_error", "upstream_unavailable",
             "the upstream could not be reached (%s)",
             curl_easy_strerror((CURLcode)r->up_error));
    return;
  }
  json_error_t jerr;
  gw_jarena_take(&r->w->jpool, &r->jarena);
  gw_jarena *prev = gw_jarena_enter(&r->jarena);
  /* Duplicate keys are refused: the guards would read one value and a
   * client's parser might show the other, unscanned, since an unchanged
   * answer goes out as the upstream's own bytes. */
  json_t *doc =
      r->up.len ? gw_json_load(r->up.data, r->up.len,
                               JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &jerr)
                : NULL;
  gw_jarena_leave(prev);
  if (st != 200) {
    json_t *e = json_object_get(doc, "error");
    const char *m = json_string_value(json_object_get(e, "message"));
    if (st == 401 || st == 403)
      gw_error(r, 502, "upstream_error", "upstream_auth_failed",
               "the upstream refused the gateway's credentials (HTTP %ld)", st);
    else if (st == 429)
      gw_error(r, 429, "rate_limit_error", "upstream_rate_limited",
               "the upstream is rate limiting: %s", m ? m : "retry later");
    else if (st >= 400 && st < 500)
      gw_error(r, (int)st, "invalid_request_error", "upstream_rejected",
               "the upstream rejected the request: %.500s",
               m ? m : "no message");
    else
      gw_error(r, 502, "upstream_error", "upstream_failed",
               "the upstream failed (HTTP %ld)", st);
    json_decref(doc);
    return;
  }
  if (!doc) {
    gw_error(r, 502, "upstream_error", "upstream_invalid",
             "the upstream's reply is not valid JSON (or repeats a key)");
    return;
  }
  gw_note_usage(r, json_object_get(doc, "usage"));
  if (r->route == GW_ROUTE_MODELS || r->route == GW_ROUTE_EMBEDDINGS) {
    if (r->route == GW_ROUTE_MODELS && r->caller == GW_CALLER_KEY &&
        gw_access_has_model_list(r->w->sh->access, r->key_id)) {
      allowed_models(r, doc);
      gw_set_body(r, 200, json_dumps(doc, JSON_COMPACT));
    } else {
      pass_upstream_body(r);
    }
    json_decref(doc);
    return;
  }
  int before = r->g.changed;
  r->g.changed = 0;
  if (gw_guard_response(&r->g, r->route, doc)) {
    gw_error(r, r->g.status, r->g.type, r->g.code, "%s", r->g.message);
    json_decref(doc);
    return;
  }
  if (r->g.changed)
    gw_set_body(r, 200, json_dumps(doc, JSON_COMPACT));
  else
    pass_upstream_body(r);
  r->g.changed |= before;
  json_decref(doc);
}

/* --------------------------------------------------------- streaming */

static ssize_t stream_reader(void *cls, uint64_t pos, char *buf, size_t max) {
  (void)pos;
  gw_req *r = cls;
  if (r->client_gone)
    return MHD_CONTENT_READER_END_WITH_ERROR;
  size_t avail = r->out_len - r->out_off;
  if (avail) {
    size_t n = avail < max ? avail : max;
    memcpy(buf, r->out + r->out_off, n);
    r->out_off += n;
    if (r->out_off == r->out_len)
      r->out_off = r->out_len = 0;
    if (r->up_paused && r->out_len - r->out_off < 32768 && r->easy) {
      r->up_paused = 0;
      curl_easy_pause(r->easy, CURLPAUSE_CONT);
    }
    return (ssize_t)n;
  }
  if (r->done)
    return MHD_CONTENT_READER_END_OF_STREAM;
  suspend(r);
  gw_watch_client(r->w, r);
  return 0;
}

static int queue_stream(gw_req *r) {
  struct MHD_Response *resp = MHD_create_response_from_callback(
      MHD_SIZE_UNKNOWN, 16384, stream_reader, r, NULL);
  if (!resp)
    return 0;
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                          "text/event-stream");
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
  add_headers(r, resp);
  int ok = MHD_queue_response(r->mhd, 200, resp) == MHD_YES;
  MHD_destroy_response(resp);
  r->responded = 1;
  return ok;
}

int gw_out_append(gw_req *r, const char *data, size_t len) {
  if (r->out_off && r->out_off == r->out_len)
    r->out_off = r->out_len = 0;
  if (r->out_len + len > r->out_cap) {
    if (r->out_off) { /* compact before growing */
      memmove(r->out, r->out + r->out_off, r->out_len - r->out_off);
      r->out_len -= r->out_off;
      r->out_off = 0;
    }
    size_t cap = r->out_cap ? r->out_cap : 4096;
    while (cap < r->out_len + len)
      cap *= 2;
    if (cap != r->out_cap) {
      char *o = realloc(r->out, cap);
      if (!o)
        return -1;
      r->out = o;
      r->out_cap = cap;
    }
  }
  memcpy(r->out + r->out_len, data, len);
  r->out_len += len;
  note_out(r, data, len);
  if (r->responded)
    gw_resume(r);
  return 0;
}

/* ----------------------------------------------------------- entry */

int gw_handle(gw_worker *w, struct MHD_Connection *c, const char *url,
              const char *method, const char *upload, size_t *upload_size,
              void **con_cls) {
  gw_req *r = *con_cls;
  if (!r) {
    if (!(r = begin(w, c, url, method)))
      return 0;
    *con_cls = r;
    if (r->status && !r->auth_delayed)
      return queue_body(r);
    return 1;
  }
  if (r->suspended) /* spurious call while parked */
    return 1;
  if (r->client_gone)
    return 0;
  if (*upload_size) {
    if (!r->status && append_body(r, upload, *upload_size))
      return 0;
    *upload_size = 0;
    if (r->status && !r->responded) /* dropped more than we read for */
      return queue_body(r);
    return 1;
  }
  if (r->conn)
    r->conn->body_done = 1;
  if (r->responded)
    return 1;
  if (r->status)
    return queue_body(r);
  if (r->relay)
    return queue_stream(r);
  if (!r->doc && !r->easy && !r->retry_timer) {
    process(r);
    if (r->status)
      return queue_body(r);
  }
  /* Waiting for the upstream. */
  suspend(r);
  gw_watch_client(w, r);
  return 1;
}

void gw_request_completed(gw_worker *w, gw_req *r, int ok) {
  (void)ok;
  gw_unwatch_client(w, r);
  gw_upstream_cancel(r);
  gw_timer_cancel(r->retry_timer);
  if (r->conn) {
    r->conn->in_request = 0;
    r->conn->since = gw_now_ms();
  }
  gw_settle(r);
  int monitoring = r->route == GW_ROUTE_METRICS || r->route == GW_ROUTE_UI ||
                   r->route == GW_ROUTE_UI_API;
  if (w->sh->audit && r->route != GW_ROUTE_HEALTH &&
      r->route != GW_ROUTE_NONE && !monitoring)
    audit(r);
  if (!monitoring)
    count(r);
  if (w->sh->anomaly &&
      (r->route == GW_ROUTE_CHAT || r->route == GW_ROUTE_COMPLETIONS ||
       r->route == GW_ROUTE_EMBEDDINGS))
    observe(r);
  if (r->relay)
    gw_metrics_gauge(w->sh->metrics, GW_G_STREAMS, -1);
  if (!w->sh->opt->quiet)
    gw_log_request(r);
  gw_grant_free(&r->grant);
  aigate_pseudo_free(r->g.pseudo);
  if (r->relay)
    gw_relay_free(r->relay);
  if (r->scratch)
    gw_worker_scratch_done(w, r->rt);
  gw_runtime_release(r->rt);
  json_decref(r->doc);
  gw_jarena_give(&w->jpool, &r->jarena);
  ag_buf_free(&r->body);
  ag_buf_free(&r->out_copy);
  free(r->resp_body);
  free(r->model);
  free(r->client_model);
  free(r->up_body);
  ag_buf_free(&r->up);
  free(r->out);
  if (r->hashing)
    sodium_memzero(&r->out_hash, sizeof(r->out_hash));
  if (!GW_ASAN && w->n_spare_req < GW_SPARE_REQ)
    w->spare_req[w->n_spare_req++] = r;
  else
    free(r);
}

void gw_log_request(const gw_req *r) {
  const char *const *names = route_names;
  char dec[64];
  int64_t now = gw_now_ms();
  json_t *j = json_pack(
      "{s:s, s:s, s:s, s:i, s:s, s:s, s:s?, s:i, s:I, s:I}", "event", "request",
      "id", r->id, "route", names[r->route], "status",
      r->responded ? (r->relay ? 200 : r->status) : 0, "decision",
      gw_decision_text(r, dec, sizeof(dec)), "rules", r->g.rules, "model",
      r->model, "upstream_status", (int)r->up_status, "ms_total",
      (json_int_t)(now - r->t_start), "ms_upstream",
      (json_int_t)(r->t_up_end && r->t_up_start ? r->t_up_end - r->t_up_start
                                                : 0));
  if (j && r->caller == GW_CALLER_KEY)
    json_object_set_new(j, "key_id", json_string(r->key_id));
  if (j && r->g.detect_only[0])
    json_object_set_new(j, "detect_only", json_string(r->g.detect_only));
  char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
  if (s)
    fprintf(stderr, "%s\n", s);
  free(s);
  json_decref(j);
}
