/*
 * gateway.h -- the structures the files of the gateway share.
 *
 * `aigate serve` is one process with N worker threads. Each worker owns an
 * epoll loop that drives its own libmicrohttpd daemon (external-epoll
 * mode, a listening socket per worker bound with SO_REUSEPORT) and its own
 * libcurl multi handle (socket API), so a request, its upstream transfer
 * and its stream relay live on one thread and need no locks. What must be
 * exact across workers (the current configuration and engine, round-robin
 * counters, failed-login tracking, connection counts) lives in gw_shared.
 *
 *   server.c    workers, the event loop, connection deadlines, signals,
 *               the store thread (spend writes, key reloads)
 *   runtime.c   a configuration + engine snapshot, reloaded on SIGHUP
 *   handler.c   routes, auth, limits, responses
 *   access.c    virtual keys: lookup, scope, rate limits, budgets, spend
 *   admin.c     the key-management API (/key/...)
 *   guard.c     request validation, input and output guards on documents
 *   upstream.c  libcurl transfers: deployments, retries, timeouts
 *   upsock.c    upstream sockets in the worker's epoll, kept across transfers
 *   relay.c     streamed (SSE) output: incremental scan, hold-back, tools
 *   gwconfig.c  the gateway's configuration sections
 *   sse.c       the text/event-stream parser
 */
#ifndef AIGATE_GATEWAY_H
#define AIGATE_GATEWAY_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "access.h"
#include "aigate/aigate.h"
#include "guard.h"
#include "gwconfig.h"
#include "jarena.h"
#include "serve.h"
#include "util.h"

struct MHD_Daemon;
struct MHD_Connection;
struct MHD_Response;
typedef void CURLM;
typedef void CURL;
typedef struct gw_sse gw_sse;

/* ------------------------------------------------------------ runtime */

/* An immutable snapshot of what the gateway serves with. Requests hold a
 * reference for their whole life, so a reload never pulls the engine out
 * from under a running stream. */
typedef struct gw_runtime {
  aigate_config *acfg;
  gw_config *cfg;
  aigate_engine *engine;
  char *master_key;              /* resolved; NULL only with --no-auth */
  int key_from_file;             /* master_key came from the key file */
  unsigned char ui_key_hash[32]; /* monitoring.ui_key, when set */
  int has_ui_key;
  unsigned char key_hash[32]; /* BLAKE2b of master_key for comparison */
  char *models_json;          /* GET /v1/models body */
  unsigned gen;
  atomic_int refs;
  /* Deployments' rpm and tpm (model_list order); they start full on a
   * reload. */
  pthread_mutex_t dep_lock;
  struct gw_dep_limit *dep_limits;
  /* The headers of a request to each deployment (model_list order, then
   * the passthrough one), for a JSON reply [0] and for a stream [1]:
   * made once here, since libcurl only reads a transfer's headers. */
  struct curl_slist *(*up_headers)[2];
} gw_runtime;

struct gw_dep_limit; /* bucket.h: a deployment's rpm and tpm buckets */

/* Load configuration, engine and master key. Errors into err. On a
 * reload, `prev` is the running snapshot: a master key that came from the
 * key file is taken from it (after a switch to an unprivileged user the
 * root-owned file can no longer be read). */
int gw_runtime_load(const gw_options *opt, const gw_runtime *prev,
                    gw_runtime **out, aigate_error *err);
void gw_runtime_release(gw_runtime *rt);
/* GW_CALLER_MASTER or GW_CALLER_VIEWER when key is the master key or the
 * dashboard key (compared in constant time on their hashes), else
 * GW_CALLER_NONE. */
int gw_runtime_key_caller(const gw_runtime *rt, const char *key);

/* ------------------------------------------------------------- shared */

#define GW_AUTH_SLOTS 1024

typedef struct gw_shared {
  pthread_mutex_t lock; /* guards current and auth */
  gw_runtime *current;
  atomic_ulong rr;      /* round-robin counter over deployments */
  atomic_ulong next_id; /* request ids */
  uint64_t id_salt;
  atomic_int draining;
  const gw_options *opt;
  gw_access *access;      /* virtual keys; NULL with --no-auth */
  struct gw_audit *audit; /* request records; with access */
  struct gw_metrics *metrics;
  struct gw_anomaly *anomaly; /* NULL: monitoring.anomaly_detection off */
  struct gw_alerts *alerts;
  store_content_key content_key; /* general_settings.store_content */
  int store_content;
  pthread_t store_thread;
  atomic_int store_stop;
  /* Failed authentications per client address (hashed into slots). */
  struct {
    uint64_t addr_hash;
    int failures;
    int64_t last_ms;
  } auth[GW_AUTH_SLOTS];
} gw_shared;

/* Take a reference on the current runtime. */
gw_runtime *gw_shared_runtime(gw_shared *sh);

/* Milliseconds to hold a response after failed logins from addr_hash
 * (0 when none), and recording of a failure or success. */
int gw_auth_delay_ms(gw_shared *sh, uint64_t addr_hash, int64_t now_ms);
void gw_auth_record(gw_shared *sh, uint64_t addr_hash, int ok, int64_t now_ms);

int64_t gw_now_ms(void);
int64_t gw_now_us(void);
int64_t gw_wall_ms(void); /* wall clock, for expiry and budgets */

/* ------------------------------------------------------------- worker */

typedef struct gw_req gw_req;
typedef struct gw_conn gw_conn;
typedef struct gw_timer gw_timer;

/* A scratch per engine generation: requests that started before a reload
 * keep scanning with the engine they started with. */
typedef struct {
  gw_runtime *rt;
  aigate_scratch *scratch;
  int users;
} gw_scratch_slot;

#define GW_SCRATCH_SLOTS 4
#define GW_SPARE_EASY 32
/* A request is about 5 KB: malloc serves that size from its slow path
 * (and consolidates its fast bins first), so a few are kept (none with
 * AddressSanitizer, which then still sees a request used after its end). */
#define GW_SPARE_REQ 8

typedef struct gw_worker {
  int id;
  int epfd;
  int wake_fd; /* eventfd: drain requests from the main thread */
  struct MHD_Daemon *mhd;
  int listen_fd;
  CURLM *multi;
  int64_t curl_deadline; /* -1: no curl timer */
  /* A connection was resumed since MHD last ran. MHD neither wakes the
   * loop for it nor counts it in MHD_get_timeout, so the loop runs MHD
   * again at once rather than at the next event or sweep. */
  int resumed;
  gw_shared *sh;
  pthread_t thread;
  gw_conn *conns; /* every open client connection, for deadline sweeps */
  gw_req *active; /* requests with an upstream transfer, for timeouts */
  gw_timer *timers;
  gw_scratch_slot slots[GW_SCRATCH_SLOTS];
  int64_t next_sweep;
  int draining;
  unsigned closed_since_trim; /* connections closed since malloc_trim */
  unsigned char *upsocks;     /* upstream sockets' registrations (upsock.c) */
  size_t n_upsocks;
  CURL *spare_easy[GW_SPARE_EASY]; /* finished transfers' handles, reused */
  int n_spare_easy;
  gw_req *spare_req[GW_SPARE_REQ]; /* finished requests' memory, reused */
  int n_spare_req;
  gw_jarena_pool jpool;           /* the slots of its requests' JSON arenas */
  crypto_generichash_state hash0; /* the records' keyed hash, keyed */
  int hash0_set;
} gw_worker;

/* The tag of an upstream socket's epoll event: data.u64 is the socket
 * shifted left by 3, or this tag. */
#define GW_TAG_CURL 2u

/* A scratch for rt on this worker (NULL on allocation failure), and its
 * release when the request is done. */
aigate_scratch *gw_worker_scratch(gw_worker *w, gw_runtime *rt);
void gw_worker_scratch_done(gw_worker *w, gw_runtime *rt);

/* Watch a client socket for a peer close (EPOLLRDHUP) while its request
 * is suspended; gw_unwatch_client stops it. The socket stays in the
 * worker's epoll for the connection's life (edge-triggered): watching a
 * request costs no system call. */
void gw_watch_client(gw_worker *w, gw_req *r);
void gw_unwatch_client(gw_worker *w, gw_req *r);

/* One-shot timer: cb(arg) runs on the worker at or after now + ms. */
struct gw_timer {
  int64_t at;
  void (*cb)(gw_worker *w, void *arg);
  void *arg;
  gw_timer *next;
  int cancelled;
};
gw_timer *gw_timer_add(gw_worker *w, int64_t ms,
                       void (*cb)(gw_worker *, void *), void *arg);
void gw_timer_cancel(gw_timer *t);

/* --------------------------------------------------------- connection */

/* A client socket (MHD's socket context). */
struct gw_conn {
  gw_conn *prev, *next;
  struct MHD_Connection *mhd;
  int fd;
  gw_req *req;     /* the request watched for a peer close, or NULL */
  int rdhup;       /* fd is in the worker's epoll (edge-triggered RDHUP) */
  int rdhup_level; /* ... switched to level-triggered (peer closed early) */
  int peer_closed; /* the peer closed while no request was watched */
  int64_t since;   /* connection start or end of the previous request */
  int in_request;  /* headers of a request were received */
  int body_done;   /* its body was fully received */
  int64_t head_at; /* when the headers were complete */
};

/* ------------------------------------------------------------ request */

typedef struct gw_relay gw_relay;

struct gw_req {
  gw_worker *w;
  gw_conn *conn;
  struct MHD_Connection *mhd;
  gw_runtime *rt;
  aigate_scratch *scratch;
  gw_route route;
  char id[40];
  char client_addr[64];
  uint64_t addr_hash;
  int64_t t_start, t_up_start, t_up_first, t_up_end, t_up_last; /* ms */
  int64_t us_start, us_up_start, us_up_end; /* µs, for the overhead */

  /* request body */
  ag_buf body;
  int too_large; /* 1: refused at once; 2: body dropped, then refused */
  size_t dropped;

  /* who is asking */
  int caller;                /* GW_CALLER_* */
  char key_id[STORE_ID_LEN]; /* a virtual key's id */
  gw_grant grant;            /* what the key allows this request */
  int admitted;              /* grant.reserved_tokens must be settled */
  int settled;               /* gw_settle ran */
  int retry_after;           /* seconds, for a 429 */
  char admin_op[16];
  char ui_path[64]; /* GW_ROUTE_UI: the file asked for */ /* GW_ROUTE_ADMIN: the
                                                             path after /key/ */
  const gw_deployment *dep; /* the deployment of the last attempt */
  int64_t dep_reserved;     /* tokens taken from its tpm */
  long long usage_prompt, usage_completion; /* from the upstream */
  int usage_known;
  crypto_generichash_state out_hash; /* of the bytes sent to the client */
  int hashing;
  ag_buf out_copy; /* with store_content: what the client got (capped) */

  /* a response decided before or after the upstream */
  int status;
  char *resp_body;
  size_t resp_len;
  const char *resp_ctype;
  gw_guard g; /* the decision over input and output */
  gw_request_info info;
  char *client_model; /* the model the client named */
  int body_intact;    /* the guards left the request as the client sent it */

  /* what goes upstream */
  char *model;
  int stream, client_usage, n_choices;
  json_t *doc;
  gw_jarena jarena; /* its parsed documents' memory (jarena.c) */
  char *up_body;
  const gw_deployment *deps[16];
  size_t n_deps, dep_next;
  int attempts;
  char **fallbacks; /* model names still to try */
  size_t n_fallbacks, fallback_next;

  /* the upstream transfer */
  CURL *easy;
  long up_status;
  int up_sse; /* content type is text/event-stream */
  ag_buf up;  /* a non-streamed reply */
  int up_paused;
  int up_error; /* CURLcode of a failed transfer */
  int up_timeout;
  gw_timer *retry_timer;

  /* the client side */
  int suspended;
  int responded;   /* a response was queued */
  int client_gone; /* the peer closed its socket */
  int watching;    /* its connection reports a peer close to it */
  int done;        /* nothing more will be produced */
  gw_relay *relay; /* streamed output */
  char *out;       /* SSE bytes waiting for the client */
  size_t out_off, out_len, out_cap;
  gw_req *active_prev, *active_next;
  int in_active;
  int auth_delayed;
};

enum {
  GW_CALLER_OPEN = 0, /* --no-auth */
  GW_CALLER_MASTER,
  GW_CALLER_KEY,
  GW_CALLER_VIEWER, /* monitoring.ui_key: the dashboard and /metrics only */
  GW_CALLER_NONE,   /* refusals from here on */
  GW_CALLER_BAD,
  GW_CALLER_REVOKED,
  GW_CALLER_EXPIRED,
  GW_CALLER_SUSPENDED,
};

/* The access handler and its helpers (handler.c). */
int gw_handle(gw_worker *w, struct MHD_Connection *c, const char *url,
              const char *method, const char *upload, size_t *upload_size,
              void **con_cls);
void gw_request_completed(gw_worker *w, gw_req *r, int ok);

/* Queue a JSON error in OpenAI's shape as the request's response. */
void gw_error(gw_req *r, int status, const char *type, const char *code,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* A JSON body (taken over; NULL means out of memory) as the response. */
void gw_set_body(gw_req *r, int status, char *body);

/* The request used what it used: its deployment's tpm and its key's tpm
 * and spend are settled (once; before its client gets the end of the
 * answer, so that the client's next request sees them). */
void gw_settle(gw_req *r);

/* Usage an upstream reported ({"prompt_tokens", "completion_tokens"}). */
void gw_note_usage(gw_req *r, json_t *usage);

/* The dashboard (ui.c): a static file of /ui (0, or -1 out of memory),
 * and the data behind it. */
int gw_ui_static(gw_req *r, const char *url);
void gw_ui_overview(gw_req *r);

/* The key-management API (admin.c): answer r, whose caller is the
 * master key, for the operation r->admin_op. */
void gw_admin(gw_req *r);

/* Resume a suspended connection (no-op when it is not suspended). */
void gw_resume(gw_req *r);

/* Upstream (upstream.c). gw_upstream_start returns -1 when nothing
 * could be started; r->status is set when it answered itself (every
 * deployment at its rate limit). */
int gw_upstream_start(gw_req *r);
/* The headers of a request to d (upstream.c; NULL when out of memory),
 * for gw_runtime's up_headers. */
struct curl_slist *gw_upstream_headers(const gw_deployment *d, int stream);
/* The request is over: its deployment's tpm gets the real token count. */
void gw_upstream_settle(gw_req *r, int64_t used_tokens);
void gw_upstream_cancel(gw_req *r);
void gw_upstream_done(gw_worker *w, CURL *easy, int result);
void gw_upstream_sweep(gw_worker *w, int64_t now);

/* Non-streamed output guard (handler.c), run when the upstream finished. */
void gw_finish_response(gw_req *r);

/* Streamed output (relay.c). */
int gw_relay_start(gw_req *r);
/* Upstream bytes in; returns 0, or -1 when the stream must stop. */
int gw_relay_feed(gw_req *r, const char *data, size_t len);
/* Upstream ended (cleanly or not): flush, end the client stream. */
void gw_relay_end(gw_req *r, int upstream_ok);
void gw_relay_free(gw_relay *rl);
/* Append bytes for the client and wake the connection. */
int gw_out_append(gw_req *r, const char *data, size_t len);

/* One-line JSON log of a finished request on stderr. */
void gw_log_request(const gw_req *r);

/* Decision header value ("allow", "block (fail-closed)", ...). */
const char *gw_decision_text(const gw_req *r, char *buf, size_t len);

#endif
