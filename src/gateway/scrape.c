/*
 * scrape.c -- /metrics on a listener of its own (monitoring.metrics_listen),
 * so that Prometheus can reach the metrics on an internal address while
 * the gateway's own address stays closed to it. The main listener then
 * answers /metrics with 404.
 *
 * A small libmicrohttpd daemon with its own thread: GET /metrics only
 * (404 for any other path, 405 for another method), at most 64
 * connections, 10 s timeout. With monitoring.metrics_auth (the default)
 * it wants the master key or the dashboard key as a Bearer token,
 * compared in constant time on their hashes; metrics_auth: false opens
 * it to whoever can reach the address. Errors are OpenAI-style JSON, as
 * on the main listener.
 */
#include <jansson.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "gateway.h"
#include "metrics.h"
#include "scrape.h"

struct gw_scrape {
  struct MHD_Daemon *mhd;
  gw_shared *sh;
  int auth;
};

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status,
                                 char *body, size_t len, const char *ctype) {
  struct MHD_Response *resp =
      MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
  if (!resp) {
    free(body);
    return MHD_NO;
  }
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
  MHD_add_response_header(resp, "Cache-Control", "no-store");
  if (status == 401)
    MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
  enum MHD_Result rc = MHD_queue_response(c, status, resp);
  MHD_destroy_response(resp);
  return rc;
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status,
                                  const char *type, const char *code,
                                  const char *msg) {
  json_t *e = json_pack("{s:{s:s,s:s,s:n,s:s}}", "error", "message", msg,
                        "type", type, "param", "code", code);
  char *body = e ? json_dumps(e, JSON_COMPACT) : NULL;
  json_decref(e);
  if (!body)
    return MHD_NO;
  return send_text(c, status, body, strlen(body), "application/json");
}

/* 0 allowed, else the refusal was queued. */
static int refused(gw_scrape *s, struct MHD_Connection *c,
                   enum MHD_Result *rc) {
  gw_runtime *rt = gw_shared_runtime(s->sh);
  int ok = !s->auth || !rt->master_key;
  const char *h =
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
  if (!ok && h && !strncasecmp(h, "Bearer ", 7) && h[7])
    ok = gw_runtime_key_caller(rt, h + 7) != GW_CALLER_NONE;
  gw_runtime_release(rt);
  if (ok)
    return 0;
  *rc = h ? send_error(c, 403, "permission_error", "admin_only",
                       "this needs the master key or the dashboard key")
          : send_error(c, 401, "authentication_error", "invalid_api_key",
                       "missing API key: send 'Authorization: Bearer <key>'");
  return 1;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *data,
                                  size_t *data_len, void **con_cls) {
  (void)version;
  (void)data;
  gw_scrape *s = cls;
  if (!*con_cls) { /* headers only: answer once the (empty) body is read */
    *con_cls = s;
    return MHD_YES;
  }
  if (*data_len) {
    *data_len = 0; /* a body is read and ignored */
    return MHD_YES;
  }
  if (strcmp(url, "/metrics"))
    return send_error(c, 404, "invalid_request_error", "not_found",
                      "this listener serves /metrics only");
  if (strcmp(method, "GET") && strcmp(method, "HEAD"))
    return send_error(c, 405, "invalid_request_error", "method_not_allowed",
                      "/metrics takes GET");
  enum MHD_Result rc;
  if (refused(s, c, &rc))
    return rc;
  size_t len;
  char *text = gw_metrics_render(s->sh->metrics, &len);
  if (!text)
    return send_error(c, 500, "server_error", "internal_error",
                      "out of memory");
  return send_text(c, 200, text, len,
                   "text/plain; version=0.0.4; charset=utf-8");
}

gw_scrape *gw_scrape_start(gw_shared *sh, const char *host, int port, int auth,
                           int *bound, char *err, size_t len) {
  char service[8];
  snprintf(service, sizeof(service), "%d", port);
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
                           .ai_flags = AI_NUMERICSERV | AI_PASSIVE},
                  *ai;
  int g = getaddrinfo(host, service, &hints, &ai);
  if (g) {
    snprintf(err, len, "monitoring.metrics_listen: %s: %s", host,
             gai_strerror(g));
    return NULL;
  }
  gw_scrape *s = calloc(1, sizeof(*s));
  if (!s) {
    freeaddrinfo(ai);
    snprintf(err, len, "out of memory");
    return NULL;
  }
  s->sh = sh;
  s->auth = auth;
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                   (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0);
  s->mhd = MHD_start_daemon(
      flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
      MHD_OPTION_CONNECTION_LIMIT, 64u, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
      MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_END);
  freeaddrinfo(ai);
  if (!s->mhd) {
    snprintf(err, len, "monitoring.metrics_listen: cannot listen on %s:%d",
             host, port);
    free(s);
    return NULL;
  }
  const union MHD_DaemonInfo *di =
      MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
  *bound = di ? (int)di->port : port;
  return s;
}

void gw_scrape_stop(gw_scrape *s) {
  if (!s)
    return;
  MHD_stop_daemon(s->mhd);
  free(s);
}
