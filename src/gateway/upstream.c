/*
 * upstream.c -- the request to the provider, through libcurl's multi
 * interface on the worker's event loop.
 *
 * A model name maps to one or more deployments (model_list); successive
 * requests start at successive deployments (round-robin), and a failed
 * attempt moves to the next one. Connect errors, 429 and 5xx are retried
 * with exponential backoff up to num_retries times; after that the
 * model's fallbacks are tried in order. A stream that has started
 * sending to the client is never retried: the client has seen part of it.
 *
 * Timeouts: connect and total come from libcurl; time to first byte and
 * the idle gap of a stream are checked by the worker's sweep, since
 * libcurl only knows a total timeout and a minimum speed.
 *
 * Backpressure: when more than 64 KiB of stream output waits for a slow
 * client, the transfer is paused (CURL_WRITEFUNC_PAUSE) until the client
 * has taken it down to 32 KiB (handler.c's reader resumes it).
 *
 * A finished transfer's easy handle goes back to its worker (up to
 * GW_SPARE_EASY of them) and serves a later attempt: creating and freeing
 * a handle per request cost about 1 % of the gateway's CPU. The options
 * every transfer sets alike are set once, when the handle is made
 * (easy_for); every option that depends on the request (URL, headers,
 * body or GET, timeouts, its data pointers) is set again on each use, so
 * nothing of the previous request carries over. A handle that was paused
 * is not kept.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bucket.h"
#include "gateway.h"
#include "upsock.h"

#define UPSTREAM_MAX_BODY ((size_t)64 << 20)
#define OUT_HIGH_WATER 65536
#define MAX_BACKOFF_MS 5000

static void active_add(gw_req *r) {
  if (r->in_active)
    return;
  gw_worker *w = r->w;
  r->active_prev = NULL;
  r->active_next = w->active;
  if (w->active)
    w->active->active_prev = r;
  w->active = r;
  r->in_active = 1;
}

static void active_del(gw_req *r) {
  if (!r->in_active)
    return;
  gw_worker *w = r->w;
  if (r->active_prev)
    r->active_prev->active_next = r->active_next;
  else
    w->active = r->active_next;
  if (r->active_next)
    r->active_next->active_prev = r->active_prev;
  r->in_active = 0;
}

static size_t on_data(char *data, size_t size, size_t nmemb, void *ud) {
  gw_req *r = ud;
  size_t len = size * nmemb;
  int64_t now = gw_now_ms();
  if (!r->t_up_first) {
    char *ct = NULL;
    r->t_up_first = now;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &r->up_status);
    curl_easy_getinfo(r->easy, CURLINFO_CONTENT_TYPE, &ct);
    r->up_sse = ct && !strncasecmp(ct, "text/event-stream", 17);
  }
  r->t_up_last = now;
  if (r->client_gone)
    return 0;
  if (r->stream && r->up_status == 200 && r->up_sse) {
    if (!r->relay && gw_relay_start(r))
      return 0;
    if (r->out_len - r->out_off > OUT_HIGH_WATER) {
      r->up_paused = 1;
      return CURL_WRITEFUNC_PAUSE;
    }
    return gw_relay_feed(r, data, len) ? 0 : len;
  }
  if (r->up.len + len > UPSTREAM_MAX_BODY)
    return 0;
  ag_buf_append(&r->up, data, len);
  return r->up.failed ? 0 : len;
}

static const char *path_of(gw_route route) {
  switch (route) {
  case GW_ROUTE_CHAT: return "/chat/completions";
  case GW_ROUTE_COMPLETIONS: return "/completions";
  case GW_ROUTE_EMBEDDINGS: return "/embeddings";
  default: return "/models";
  }
}

struct curl_slist *gw_upstream_headers(const gw_deployment *d, int stream) {
  const char *fixed[] = {"Content-Type: application/json",
                         stream ? "Accept: text/event-stream"
                                : "Accept: application/json",
                         "Expect:"}; /* no 100-continue round trip */
  struct curl_slist *h = NULL, *t;
  for (size_t i = 0; i < sizeof(fixed) / sizeof(*fixed); i++) {
    if (!(t = curl_slist_append(h, fixed[i]))) {
      curl_slist_free_all(h);
      return NULL;
    }
    h = t;
  }
  if (!d->api_key)
    return h;
  size_t n = strlen(d->api_key) + 32;
  char *auth = malloc(n);
  t = NULL;
  if (auth) {
    ag_str_put(auth, n, ag_str_put(auth, n, 0, "Authorization: Bearer "),
               d->api_key);
    t = curl_slist_append(h, auth);
    explicit_bzero(auth, n); /* libcurl has its copy */
    free(auth);
  }
  if (!t) {
    curl_slist_free_all(h);
    return NULL;
  }
  return t;
}

/* Where d stands in cfg: its index in model_list, n_deployments for the
 * passthrough deployment, SIZE_MAX for one that is not cfg's. */
static size_t dep_index(const gw_config *cfg, const gw_deployment *d) {
  if (d == &cfg->passthrough)
    return cfg->n_deployments;
  if (d >= cfg->deployments && d < cfg->deployments + cfg->n_deployments)
    return (size_t)(d - cfg->deployments);
  return SIZE_MAX;
}

/* A transfer handle for worker w: a finished transfer's, which keeps
 * the options every transfer sets alike (libcurl keeps a handle's
 * options until it is reset), or a new one with them set. */
static CURL *easy_for(gw_worker *w) {
  if (w->n_spare_easy)
    return w->spare_easy[--w->n_spare_easy];
  CURL *e = curl_easy_init();
  if (!e)
    return NULL;
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_USERAGENT, "aigate/" AIGATE_VERSION);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, gw_upsock_open);
  curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, w);
  curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, gw_upsock_close);
  curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, w);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(e, CURLOPT_BUFFERSIZE, 16384L);
  return e;
}

/* Start one attempt at deployment d. */
static int attempt(gw_req *r, const gw_deployment *d) {
  const gw_config *cfg = r->rt->cfg;
  size_t di = dep_index(cfg, d); /* for its headers */
  if (di == SIZE_MAX)
    return -1;
  r->dep = d;
  char url[4200];
  ag_str_put(url, sizeof(url), ag_str_put(url, sizeof(url), 0, d->api_base),
             path_of(r->route));
  free(r->up_body);
  r->up_body = NULL;
  const char *post = NULL;
  size_t post_len = 0;
  if (r->doc) {
    /* The client's own bytes go upstream when the guards left them as
     * they were and the model name stays: they parse to exactly the
     * document that was scanned. */
    const char *m = d->upstream_model ? d->upstream_model : r->model;
    if (r->body_intact && !strcmp(m, r->client_model)) {
      post = r->body.data;
      post_len = r->body.len;
    } else {
      json_object_set_new(r->doc, "model", json_string(m));
      if (!(r->up_body = json_dumps(r->doc, JSON_COMPACT)))
        return -1;
      post = r->up_body;
      post_len = strlen(r->up_body);
    }
  }
  CURL *e = easy_for(r->w);
  if (!e)
    return -1;
  curl_easy_setopt(e, CURLOPT_URL, url);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER,
                   r->rt->up_headers[di][r->stream ? 1 : 0]);
  if (post) {
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, post);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)post_len);
  } else {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L); /* a reused handle posted */
  }
  curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
  curl_easy_setopt(e, CURLOPT_PRIVATE, r);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)cfg->connect_timeout_ms);
  curl_easy_setopt(
      e, CURLOPT_TIMEOUT_MS,
      (long)(d->timeout_ms ? d->timeout_ms : cfg->total_timeout_ms));
  r->easy = e;
  r->up_status = 0;
  r->up_error = 0;
  r->up.len = 0;
  r->up.failed = 0;
  r->t_up_first = 0;
  r->t_up_start = gw_now_ms();
  if (!r->us_up_start)
    r->us_up_start = gw_now_us();
  r->attempts++;
  if (curl_multi_add_handle(r->w->multi, e) != CURLM_OK) {
    gw_upstream_cancel(r);
    return -1;
  }
  active_add(r);
  return 0;
}

/* The tokens a request may use: its size / 4 and max_tokens x n. */
static int64_t estimate(const gw_req *r) {
  return (int64_t)r->body.len / 4 + 1 +
         (int64_t)r->info.max_tokens * (r->n_choices > 0 ? r->n_choices : 1);
}

static struct gw_dep_limit *limits_of(gw_req *r, const gw_deployment *d) {
  size_t i = dep_index(r->rt->cfg, d);
  if ((!d->rpm && !d->tpm) || i >= r->rt->cfg->n_deployments)
    return NULL;
  return &r->rt->dep_limits[i];
}

/* Take a request and its tokens from deployment d's rpm and tpm. 0 when
 * it has room; else the seconds until it will. A request larger than
 * the whole tpm waits for a full bucket, not for ever. */
static int dep_take(gw_req *r, const gw_deployment *d) {
  struct gw_dep_limit *l = limits_of(r, d);
  if (!l)
    return 0;
  int64_t now = gw_now_ms(), need = estimate(r);
  double want = (double)(need < d->tpm ? need : d->tpm);
  int wait = 0;
  pthread_mutex_lock(&r->rt->dep_lock);
  gw_bucket_refill(&l->rpm, d->rpm, now);
  gw_bucket_refill(&l->tpm, d->tpm, now);
  if (d->rpm && l->rpm.tokens < 1.0)
    wait = gw_bucket_wait_s(&l->rpm, 1.0, d->rpm);
  else if (d->tpm && l->tpm.tokens < want)
    wait = gw_bucket_wait_s(&l->tpm, want, d->tpm);
  if (!wait) {
    if (d->rpm)
      l->rpm.tokens -= 1.0;
    if (d->tpm)
      l->tpm.tokens -= (double)need;
  }
  pthread_mutex_unlock(&r->rt->dep_lock);
  return wait;
}

void gw_upstream_settle(gw_req *r, int64_t used_tokens) {
  struct gw_dep_limit *l = r->dep ? limits_of(r, r->dep) : NULL;
  if (!l || !r->dep_reserved)
    return;
  pthread_mutex_lock(&r->rt->dep_lock);
  l->tpm.tokens -= (double)(used_tokens - r->dep_reserved);
  pthread_mutex_unlock(&r->rt->dep_lock);
  r->dep_reserved = 0;
}

/* From r->dep_next on, the first deployment with room under its rpm and
 * tpm: attempt it. Returns 0, -1 when an attempt could not start, or the
 * seconds until one has room (every deployment is at its limit). */
static int attempt_next_free(gw_req *r) {
  int min_wait = 0;
  for (size_t i = 0; i < r->n_deps; i++) {
    size_t k = (r->dep_next + i) % r->n_deps;
    int wait = dep_take(r, r->deps[k]);
    if (!wait) {
      r->dep_next = k;
      r->dep_reserved = r->deps[k]->tpm ? estimate(r) : 0;
      return attempt(r, r->deps[k]);
    }
    if (!min_wait || wait < min_wait)
      min_wait = wait;
  }
  return min_wait;
}

int gw_upstream_start(gw_req *r) {
  if (!r->n_deps)
    return -1;
  r->dep_next = atomic_fetch_add(&r->w->sh->rr, 1) % r->n_deps;
  r->attempts = 0;
  int rc = attempt_next_free(r);
  if (rc > 0) {
    r->retry_after = rc;
    gw_error(r, 429, "rate_limit_error", "rate_limit_exceeded",
             "every deployment of '%s' is at its rate limit; retry in %d s",
             r->model ? r->model : "the model", rc);
    return -1;
  }
  return rc;
}

void gw_upstream_cancel(gw_req *r) {
  if (r->retry_timer) {
    gw_timer_cancel(r->retry_timer);
    r->retry_timer = NULL;
  }
  active_del(r);
  if (r->easy) {
    gw_worker *w = r->w;
    curl_multi_remove_handle(w->multi, r->easy);
    if (!r->up_paused && w->n_spare_easy < GW_SPARE_EASY)
      w->spare_easy[w->n_spare_easy++] = r->easy;
    else
      curl_easy_cleanup(r->easy);
    r->easy = NULL;
  }
}

static int retryable(const gw_req *r) {
  if (r->relay || r->client_gone)
    return 0;
  if (r->up_error)
    return r->up_error == CURLE_COULDNT_CONNECT ||
           r->up_error == CURLE_COULDNT_RESOLVE_HOST ||
           r->up_error == CURLE_GOT_NOTHING ||
           r->up_error == CURLE_SEND_ERROR ||
           (r->up_error == CURLE_RECV_ERROR && !r->t_up_first);
  return r->up_status == 429 || r->up_status >= 500;
}

static void retry_now(gw_worker *w, void *arg) {
  (void)w;
  gw_req *r = arg;
  r->retry_timer = NULL;
  r->dep_next = (r->dep_next + 1) % r->n_deps;
  int rc = attempt_next_free(r);
  if (rc > 0) { /* every deployment is at its limit: the last answer */
    gw_finish_response(r);
    gw_resume(r);
  } else if (rc) {
    gw_error(r, 502, "upstream_error", "upstream_unavailable",
             "cannot start the upstream request");
    gw_resume(r);
  }
}

/* Next fallback model with deployments; 0 when one was switched to. */
static int next_fallback(gw_req *r) {
  while (r->fallback_next < r->n_fallbacks) {
    const char *m = r->fallbacks[r->fallback_next++];
    if (r->caller == GW_CALLER_KEY &&
        !gw_access_model_allowed(r->w->sh->access, r->key_id, m))
      continue; /* the key's scope holds for fallbacks too */
    size_t n = gw_config_deployments(r->rt->cfg, m, r->deps, 16);
    if (!n)
      continue;
    char *copy = strdup(m);
    if (!copy)
      return -1;
    free(r->model);
    r->model = copy;
    r->n_deps = n;
    r->dep_next = n - 1; /* retry_now advances to 0 */
    r->attempts = 0;
    return 0;
  }
  return -1;
}

void gw_upstream_done(gw_worker *w, CURL *easy, int result) {
  (void)w;
  gw_req *r = NULL;
  curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&r);
  if (!r || r->easy != easy)
    return;
  r->t_up_end = gw_now_ms();
  r->us_up_end = gw_now_us();
  if (!r->up_status)
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &r->up_status);
  r->up_error = result;
  gw_upstream_cancel(r);
  if (r->client_gone)
    return;
  if (r->relay) {
    gw_relay_end(r, result == CURLE_OK);
    return;
  }
  const gw_config *cfg = r->rt->cfg;
  if (retryable(r)) {
    int more = r->attempts <= cfg->num_retries;
    if (!more && next_fallback(r) == 0)
      more = 1;
    if (more) {
      int delay =
          r->attempts > 0 ? cfg->retry_backoff_ms << (r->attempts - 1) : 0;
      if (delay > MAX_BACKOFF_MS || delay < 0)
        delay = MAX_BACKOFF_MS;
      r->retry_timer = gw_timer_add(r->w, delay, retry_now, r);
      if (r->retry_timer)
        return;
    }
  }
  gw_finish_response(r);
  gw_resume(r);
}

void gw_upstream_sweep(gw_worker *w, int64_t now) {
  gw_req *next;
  for (gw_req *r = w->active; r; r = next) {
    next = r->active_next;
    const gw_config *cfg = r->rt->cfg;
    if (!r->t_up_first && now - r->t_up_start > cfg->first_byte_timeout_ms) {
      r->up_timeout = 1;
      gw_upstream_cancel(r);
      r->t_up_end = now;
      gw_finish_response(r);
      gw_resume(r);
    } else if (r->relay && !r->up_paused &&
               now - r->t_up_last > cfg->idle_timeout_ms) {
      gw_upstream_cancel(r);
      r->t_up_end = now;
      gw_relay_end(r, 0);
    }
  }
}
