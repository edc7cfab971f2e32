/*
 * server.c -- the gateway's process: workers, their event loops,
 * connection deadlines, reload and drain.
 *
 * Each worker thread runs one epoll loop over three kinds of sockets:
 * its libmicrohttpd daemon (external-epoll mode: MHD's own epoll fd is
 * nested in ours), the upstream sockets of its libcurl multi handle
 * (socket API; upsock.c keeps them registered between transfers), and the
 * client sockets, watched for EPOLLRDHUP so that a client that goes away while
 * its request waits cancels its upstream transfer at once (MHD does not watch
 * suspended sockets). A client socket joins the epoll once, edge-triggered,
 * when it connects: parking a request on it then costs no system call. Workers
 * listen on the same port with SO_REUSEPORT and the kernel spreads connections
 * over them. A request waiting for its upstream is a suspended MHD connection;
 * when it is resumed after MHD's turn of the loop (an answer that libcurl read
 * while sending, a timer, a sweep), MHD runs again at once: it neither wakes
 * the loop for it nor counts it in its timeout. A turn of the loop costs two
 * system calls (our epoll and MHD's), so MHD is not made to wait for one.
 *
 * Why our own deadlines: MHD's connection timeout measures inactivity, so
 * a client that sends one header byte every few seconds (slowloris) would
 * hold a connection forever. A sweep every 250 ms closes connections whose
 * headers or body are late, counted from the connection's start (or the
 * end of its previous request) and from the end of its headers.
 *
 * The main thread only handles signals: SIGHUP reloads the runtime (a
 * failed reload keeps the old one), SIGTERM and SIGINT drain: listeners
 * close, idle connections close, open requests and streams run to their
 * end or the drain deadline, then the process exits 0.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <malloc.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "alerts.h"
#include "anomaly.h"
#include "records.h"
#include "scrape.h"
#include "sinks.h"
#include "gateway.h"
#include "metrics.h"
#include "harden.h"
#include "serve.h"
#include "upsock.h"

#define TAG_MHD 0u
#define TAG_WAKE 1u
#define TAG_CURL GW_TAG_CURL
#define TAG_CLIENT 3u
#define TAG_MASK 7u
#define SWEEP_MS 250
#define CHECKPOINT_MS 2000 /* the audit chain's head, outside the database */
/* The request records waiting for the store thread: by count, and by the
 * memory they hold (with store_content a record carries the request and
 * up to 1 MiB of response, so the count alone could mean gigabytes while
 * the database stalls). */
#define AUDIT_QUEUE_MAX 100000
#define AUDIT_QUEUE_BYTES ((size_t)256 << 20)

int64_t gw_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t gw_wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t gw_now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ------------------------------------------------------------ shared */

gw_runtime *gw_shared_runtime(gw_shared *sh) {
  pthread_mutex_lock(&sh->lock);
  gw_runtime *rt = sh->current;
  atomic_fetch_add(&rt->refs, 1);
  pthread_mutex_unlock(&sh->lock);
  return rt;
}

static size_t auth_slot(uint64_t h) {
  return (size_t)(h % GW_AUTH_SLOTS);
}

/* Failed logins from one address are answered ever more slowly: nothing
 * for the first 3, then 250 ms doubling to 8 s; forgotten after a quiet
 * minute. */
int gw_auth_delay_ms(gw_shared *sh, uint64_t h, int64_t now) {
  int delay = 0;
  pthread_mutex_lock(&sh->lock);
  size_t i = auth_slot(h);
  if (sh->auth[i].addr_hash == h && now - sh->auth[i].last_ms < 60000) {
    int f = sh->auth[i].failures - 3;
    if (f > 0)
      delay = f >= 6 ? 8000 : 250 << (f - 1);
  }
  pthread_mutex_unlock(&sh->lock);
  return delay;
}

void gw_auth_record(gw_shared *sh, uint64_t h, int ok, int64_t now) {
  pthread_mutex_lock(&sh->lock);
  size_t i = auth_slot(h);
  if (sh->auth[i].addr_hash != h || now - sh->auth[i].last_ms >= 60000) {
    sh->auth[i].addr_hash = h;
    sh->auth[i].failures = 0;
  }
  if (ok)
    sh->auth[i].failures = 0;
  else if (sh->auth[i].failures < 1000)
    sh->auth[i].failures++;
  sh->auth[i].last_ms = now;
  pthread_mutex_unlock(&sh->lock);
}

/* ----------------------------------------------------------- scratch */

aigate_scratch *gw_worker_scratch(gw_worker *w, gw_runtime *rt) {
  gw_scratch_slot *free_slot = NULL;
  for (int i = 0; i < GW_SCRATCH_SLOTS; i++) {
    gw_scratch_slot *s = &w->slots[i];
    if (s->rt == rt) {
      s->users++;
      return s->scratch;
    }
    if (!s->rt && !free_slot)
      free_slot = s;
  }
  /* Reuse a slot of an older runtime nobody on this worker uses. */
  for (int i = 0; i < GW_SCRATCH_SLOTS && !free_slot; i++) {
    gw_scratch_slot *s = &w->slots[i];
    if (s->users == 0) {
      aigate_scratch_free(s->scratch);
      gw_runtime_release(s->rt);
      memset(s, 0, sizeof(*s));
      free_slot = s;
    }
  }
  if (!free_slot || aigate_scratch_new(rt->engine, &free_slot->scratch))
    return NULL;
  atomic_fetch_add(&rt->refs, 1);
  free_slot->rt = rt;
  free_slot->users = 1;
  return free_slot->scratch;
}

void gw_worker_scratch_done(gw_worker *w, gw_runtime *rt) {
  for (int i = 0; i < GW_SCRATCH_SLOTS; i++)
    if (w->slots[i].rt == rt) {
      w->slots[i].users--;
      return;
    }
}

static void scratch_gc(gw_worker *w) {
  pthread_mutex_lock(&w->sh->lock);
  gw_runtime *cur = w->sh->current; /* compared, never dereferenced */
  pthread_mutex_unlock(&w->sh->lock);
  for (int i = 0; i < GW_SCRATCH_SLOTS; i++) {
    gw_scratch_slot *s = &w->slots[i];
    if (s->rt && s->rt != cur && s->users == 0) {
      aigate_scratch_free(s->scratch);
      gw_runtime_release(s->rt);
      memset(s, 0, sizeof(*s));
    }
  }
}

/* ------------------------------------------------------------ timers */

gw_timer *gw_timer_add(gw_worker *w, int64_t ms,
                       void (*cb)(gw_worker *, void *), void *arg) {
  gw_timer *t = calloc(1, sizeof(*t));
  if (!t)
    return NULL;
  t->at = gw_now_ms() + ms;
  t->cb = cb;
  t->arg = arg;
  t->next = w->timers;
  w->timers = t;
  return t;
}

void gw_timer_cancel(gw_timer *t) {
  if (t)
    t->cancelled = 1;
}

/* Run due timers. The list is short (retries and delayed refusals), so a
 * scan per loop iteration is cheaper than keeping it sorted. */
static int64_t run_timers(gw_worker *w, int64_t now) {
  int64_t next = -1;
  gw_timer **pp = &w->timers;
  while (*pp) {
    gw_timer *t = *pp;
    if (t->cancelled || t->at <= now) {
      *pp = t->next;
      if (!t->cancelled)
        t->cb(w, t->arg);
      free(t);
      continue;
    }
    if (next < 0 || t->at < next)
      next = t->at;
    pp = &t->next;
  }
  return next;
}

/* ------------------------------------------------------ client watch */

void gw_watch_client(gw_worker *w, gw_req *r) {
  gw_conn *k = r->conn;
  if (r->watching || !k || !k->rdhup)
    return;
  k->req = r;
  r->watching = 1;
  if (k->peer_closed && !k->rdhup_level) {
    /* The close came before this request was parked: its edge is gone,
     * so the socket reports it level-triggered from now on. */
    struct epoll_event ev = {.events = EPOLLRDHUP,
                             .data.u64 = (uint64_t)(uintptr_t)k | TAG_CLIENT};
    if (epoll_ctl(w->epfd, EPOLL_CTL_MOD, k->fd, &ev) == 0)
      k->rdhup_level = 1;
  }
}

void gw_unwatch_client(gw_worker *w, gw_req *r) {
  gw_conn *k = r->conn;
  if (!r->watching)
    return;
  r->watching = 0;
  k->req = NULL;
  if (k->rdhup_level) { /* it would report the close for ever */
    epoll_ctl(w->epfd, EPOLL_CTL_DEL, k->fd, NULL);
    k->rdhup = k->rdhup_level = 0;
  }
}

/* The peer closed a client socket: the request parked on it is over; a
 * later one learns it when it parks. */
static void peer_closed(gw_worker *w, gw_conn *k);

static void client_gone(gw_worker *w, gw_req *r) {
  gw_unwatch_client(w, r);
  if (r->client_gone)
    return;
  r->client_gone = 1;
  gw_upstream_cancel(r);
  /* Let MHD see the closed socket and finish the request. */
  gw_resume(r);
}

static void peer_closed(gw_worker *w, gw_conn *k) {
  k->peer_closed = 1;
  if (k->req)
    client_gone(w, k->req);
}

/* -------------------------------------------------------------- curl */

static int curl_timer_cb(CURLM *m, long ms, void *ud) {
  (void)m;
  gw_worker *w = ud;
  w->curl_deadline = ms < 0 ? -1 : gw_now_ms() + ms;
  return 0;
}

/* libcurl's timeouts that are due at now. */
static void curl_timeouts(gw_worker *w, int64_t now) {
  if (w->curl_deadline >= 0 && now >= w->curl_deadline) {
    int running;
    w->curl_deadline = -1;
    curl_multi_socket_action(w->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  }
}

static void curl_drain_messages(gw_worker *w) {
  CURLMsg *msg;
  int left;
  while ((msg = curl_multi_info_read(w->multi, &left)))
    if (msg->msg == CURLMSG_DONE)
      gw_upstream_done(w, msg->easy_handle, (int)msg->data.result);
}

/* --------------------------------------------------------------- MHD */

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *c,
                                 const char *url, const char *method,
                                 const char *version, const char *upload,
                                 size_t *upload_size, void **con_cls) {
  (void)version;
  return gw_handle(cls, c, url, method, upload, upload_size, con_cls) ? MHD_YES
                                                                      : MHD_NO;
}

static void completed_cb(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
  (void)c;
  gw_worker *w = cls;
  gw_req *r = *con_cls;
  *con_cls = NULL;
  if (r)
    gw_request_completed(w, r, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
}

static void conn_cb(void *cls, struct MHD_Connection *c, void **socket_ctx,
                    enum MHD_ConnectionNotificationCode toe) {
  gw_worker *w = cls;
  if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
    gw_conn *k = calloc(1, sizeof(*k));
    if (!k)
      return;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    k->fd = ci ? ci->connect_fd : -1;
    k->mhd = c;
    struct epoll_event ev = {.events = EPOLLRDHUP | EPOLLET,
                             .data.u64 = (uint64_t)(uintptr_t)k | TAG_CLIENT};
    k->rdhup = k->fd >= 0 && epoll_ctl(w->epfd, EPOLL_CTL_ADD, k->fd, &ev) == 0;
    k->since = gw_now_ms();
    k->next = w->conns;
    if (w->conns)
      w->conns->prev = k;
    w->conns = k;
    *socket_ctx = k;
    gw_metrics_gauge(w->sh->metrics, GW_G_CONNECTIONS, 1);
  } else if (*socket_ctx) {
    gw_conn *k = *socket_ctx;
    /* MHD closes the socket after this call: it is still ours to remove. */
    if (k->rdhup)
      epoll_ctl(w->epfd, EPOLL_CTL_DEL, k->fd, NULL);
    if (k->prev)
      k->prev->next = k->next;
    else
      w->conns = k->next;
    if (k->next)
      k->next->prev = k->prev;
    free(k);
    *socket_ctx = NULL;
    w->closed_since_trim++;
    gw_metrics_gauge(w->sh->metrics, GW_G_CONNECTIONS, -1);
  }
}

/* Close connections whose headers or body are late (slowloris), and
 * every idle one while draining. shutdown() makes MHD see the end of the
 * socket on its next run and clean up through its own callbacks. */
static void sweep(gw_worker *w, int64_t now) {
  gw_runtime *rt = gw_shared_runtime(w->sh);
  const gw_config *cfg = rt->cfg;
  for (gw_conn *k = w->conns; k; k = k->next) {
    int late = 0;
    if (!k->in_request)
      late = w->draining || now - k->since > cfg->header_timeout_ms;
    else if (!k->body_done)
      late = now - k->head_at > cfg->body_timeout_ms;
    if (late && k->fd >= 0)
      shutdown(k->fd, SHUT_RDWR);
  }
  gw_runtime_release(rt);
  gw_upstream_sweep(w, now);
  scratch_gc(w);
  /* After a burst (thousands of streams), glibc keeps the freed memory in
   * its arenas; give it back once this worker is idle again. */
  if (!w->conns && w->closed_since_trim >= 64) {
    malloc_trim(0);
    gw_jarena_trim(&w->jpool);
    w->closed_since_trim = 0;
  }
}

/* ------------------------------------------------------------ worker */

/* A request's headers must fit in MHD's per-connection pool for
 * handler.c to see them and refuse them in JSON (431); headers that do
 * not fit get MHD's own HTML 431, which has no hook. The pool holds the
 * header limit plus room for the body's read buffer and the response's
 * headers, at least 32 KiB. Not more: a pool over 32 KiB is a mapping of
 * its own in MHD, and twice the header limit (48 KiB) cost 8.6 KiB more
 * per open stream (1,000 streams: 54.4 -> 63.0 KiB each), against the
 * 64 KiB a stream may cost; it is also zeroed at every keep-alive request
 * (about 1 us per 32 KiB). */
static size_t pool_size(const gw_config *cfg) {
  size_t pool = cfg->max_header_bytes + 16384;
  return pool < 32768 ? 32768 : pool;
}

static int start_daemon(gw_worker *w, const gw_config *cfg, int per_worker) {
  size_t pool = pool_size(cfg);
  w->mhd = MHD_start_daemon(
      MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_TURBO, 0, NULL, NULL,
      access_cb, w, MHD_OPTION_LISTEN_SOCKET, w->listen_fd,
      MHD_OPTION_CONNECTION_LIMIT, (unsigned)per_worker,
      MHD_OPTION_CONNECTION_TIMEOUT,
      (unsigned)((cfg->idle_timeout_ms + 999) / 1000 + 60),
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, pool, MHD_OPTION_NOTIFY_COMPLETED,
      completed_cb, w, MHD_OPTION_NOTIFY_CONNECTION, conn_cb, w,
      MHD_OPTION_END);
  if (!w->mhd)
    return -1;
  const union MHD_DaemonInfo *di =
      MHD_get_daemon_info(w->mhd, MHD_DAEMON_INFO_EPOLL_FD);
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TAG_MHD};
  return di && epoll_ctl(w->epfd, EPOLL_CTL_ADD, di->epoll_fd, &ev) == 0 ? 0
                                                                         : -1;
}

static void begin_drain(gw_worker *w) {
  if (w->draining)
    return;
  w->draining = 1;
  int fd = MHD_quiesce_daemon(w->mhd);
  if (fd >= 0)
    close(fd);
  w->listen_fd = -1;
}

static void *worker_main(void *arg) {
  gw_worker *w = arg;
  gw_shared *sh = w->sh;
  int64_t drain_deadline = -1;
  struct epoll_event evs[64];
  int run_now = 1; /* the first turn, and a drain that began */
  for (;;) {
    int64_t now = gw_now_ms();
    int timeout = SWEEP_MS;
    MHD_UNSIGNED_LONG_LONG mt;
    if (MHD_get_timeout(w->mhd, &mt) == MHD_YES && mt < (uint64_t)timeout)
      timeout = (int)mt;
    if (w->curl_deadline >= 0) {
      int64_t d = w->curl_deadline - now;
      if (d < timeout)
        timeout = d < 0 ? 0 : (int)d;
    }
    int64_t tnext = run_timers(w, now);
    if (tnext >= 0 && tnext - now < timeout)
      timeout = tnext - now < 0 ? 0 : (int)(tnext - now);
    if (run_now || w->resumed)
      timeout = 0;
    int n = epoll_wait(w->epfd, evs, 64, timeout);
    run_now = 0;
    for (int i = 0; i < n; i++) {
      uint64_t u = evs[i].data.u64;
      switch ((unsigned)(u & TAG_MASK)) {
      case TAG_MHD: break; /* MHD runs on every turn */
      case TAG_WAKE: {
        uint64_t v;
        if (read(w->wake_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
          break;
        break;
      }
      case TAG_CURL: {
        int flags = 0;
        if (evs[i].events & EPOLLIN)
          flags |= CURL_CSELECT_IN;
        if (evs[i].events & EPOLLOUT)
          flags |= CURL_CSELECT_OUT;
        if (evs[i].events & (EPOLLERR | EPOLLHUP))
          flags |= CURL_CSELECT_ERR;
        int running;
        if (gw_upsock_event(w, (curl_socket_t)(u >> 3)))
          curl_multi_socket_action(w->multi, (curl_socket_t)(u >> 3), flags,
                                   &running);
        break;
      }
      case TAG_CLIENT:
        peer_closed(w, (gw_conn *)(uintptr_t)(u & ~(uint64_t)TAG_MASK));
        break;
      }
    }
    now = gw_now_ms();
    curl_timeouts(w, now);
    curl_drain_messages(w);
    run_timers(w, now);
    /* MHD runs again at once, without asking the epoll, while it has
     * work it can do now: a connection resumed since its last run (an
     * answer libcurl read while sending), or one it still has to carry
     * through the end of a response (MHD's timeout of 0). A request and
     * its answer then take two or three turns of the loop instead of
     * five or six, each turn two system calls. Bounded, so that the
     * sockets in the epoll wait at most a few runs. */
    for (int runs = 0; runs < 4; runs++) {
      w->resumed = 0;
      MHD_run(w->mhd);
      /* Transfers that the requests just read added start now (libcurl
       * asks for a timeout of 0 for them), not after another turn of the
       * loop: their requests leave for the upstream sooner. */
      curl_timeouts(w, gw_now_ms());
      curl_drain_messages(w);
      MHD_UNSIGNED_LONG_LONG again;
      if (!w->resumed &&
          !(MHD_get_timeout(w->mhd, &again) == MHD_YES && again == 0))
        break;
    }
    if (atomic_load(&sh->draining) && !w->draining) {
      begin_drain(w);
      gw_runtime *rt = gw_shared_runtime(sh);
      drain_deadline = now + rt->cfg->drain_timeout_ms;
      gw_runtime_release(rt);
      run_now = 1;
    }
    if (now >= w->next_sweep) {
      sweep(w, now);
      w->next_sweep = now + SWEEP_MS;
    }
    if (w->draining && (!w->conns || now >= drain_deadline))
      break;
  }
  /* Past the drain deadline: whatever is left is cut. */
  for (gw_req *r = w->active; r; r = r->active_next)
    r->client_gone = 1;
  MHD_stop_daemon(w->mhd);
  w->mhd = NULL;
  gw_guard_thread_end();
  return NULL;
}

/* --------------------------------------------------------- listening */

static int open_listener(const char *host, int port, char *err, size_t elen) {
  struct addrinfo hints = {0}, *ai;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  char ps[8];
  snprintf(ps, sizeof(ps), "%d", port);
  int rc = getaddrinfo(*host ? host : NULL, ps, &hints, &ai);
  if (rc) {
    snprintf(err, elen, "cannot resolve %s: %s", host, gai_strerror(rc));
    return -1;
  }
  int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
      setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
      bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 4096)) {
    snprintf(err, elen, "cannot listen on %s:%d: %s", host, port,
             strerror(errno));
    if (fd >= 0)
      close(fd);
    fd = -1;
  }
  freeaddrinfo(ai);
  return fd;
}

static int bound_port(int fd) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof(ss);
  if (getsockname(fd, (struct sockaddr *)&ss, &len))
    return -1;
  if (ss.ss_family == AF_INET6)
    return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
  return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

int gw_is_loopback(const char *host) {
  return !strcmp(host, "127.0.0.1") || !strcmp(host, "::1") ||
         !strcmp(host, "localhost") || !strncmp(host, "127.", 4);
}

/* Enough descriptors for every connection and its upstream socket. */
static void raise_nofile(int max_conns) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl))
    return;
  rlim_t want = (rlim_t)max_conns * 2 + 256;
  if (rl.rlim_cur >= want)
    return;
  rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur < want)
    fprintf(stderr,
            "aigate: warning: open files limited to %lu; %d connections "
            "need %lu\n",
            (unsigned long)rl.rlim_cur, max_conns, (unsigned long)want);
}

/* ------------------------------------------------------------- serve */

/* The store thread: spend written in batches (a group commit about every
 * 100 ms, so a kill -9 loses about that much of it, more while a commit
 * waits for a slow disk's sync), key changes made
 * by other processes picked up. It never runs on an event loop, so a slow
 * disk slows no request. */
static void *store_main(void *arg) {
  gw_shared *sh = arg;
  int64_t next_checkpoint = gw_now_ms() + CHECKPOINT_MS, retry_at = 0;
  while (!atomic_load(&sh->store_stop)) {
    struct timespec ts = {0, 100 * 1000000L};
    nanosleep(&ts, NULL);
    gw_access_poll(sh->access, gw_wall_ms());
    /* The chain's first records get a checkpoint at once: a chain
     * without one cannot vouch for its tail (aigate log verify). */
    int64_t now = gw_now_ms();
    if (now >= next_checkpoint ||
        (!gw_audit_checkpointed(sh->audit) && now >= retry_at)) {
      if (gw_audit_checkpoint(sh->audit)) {
        fprintf(stderr, "aigate: audit: cannot write the chain checkpoint\n");
        retry_at = now + CHECKPOINT_MS;
      }
      next_checkpoint = now + CHECKPOINT_MS;
    }
  }
  return NULL;
}

static void reload(gw_shared *sh) {
  aigate_error err = {{0}};
  gw_runtime *old = sh->current, *rt;
  if (gw_runtime_load(sh->opt, old, &rt, &err)) {
    fprintf(stderr,
            "aigate: reload failed, still serving the previous "
            "configuration: %s\n",
            err.msg);
    return;
  }
  if (strcmp(rt->cfg->listen_host, old->cfg->listen_host) ||
      rt->cfg->listen_port != old->cfg->listen_port ||
      rt->cfg->workers != old->cfg->workers)
    fprintf(stderr, "aigate: note: listen and workers change only on "
                    "restart\n");
  pthread_mutex_lock(&sh->lock);
  sh->current = rt;
  pthread_mutex_unlock(&sh->lock);
  gw_runtime_release(old);
  fprintf(stderr, "aigate: configuration reloaded (generation %u)\n", rt->gen);
}

int gw_serve(const gw_options *opt) {
  aigate_error err = {{0}};
  if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT)) {
    fprintf(stderr, "aigate: library initialization failed\n");
    return 2;
  }
  gw_shared *sh = calloc(1, sizeof(*sh));
  if (!sh)
    return 2;
  pthread_mutex_init(&sh->lock, NULL);
  sh->opt = opt;
  randombytes_buf(&sh->id_salt, sizeof(sh->id_salt));
  int rc = 2;
  gw_worker *ws = NULL;
  int nw = 0, store_started = 0;
  gw_scrape *scrape = NULL;
  char msg[512];
  /* Signals go to the main thread only: blocked here, before any thread
   * (the store thread, the workers) inherits the mask. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
  if (!(sh->metrics = gw_metrics_new())) {
    fprintf(stderr, "aigate: out of memory\n");
    goto out;
  }
  if (gw_harden_early(msg, sizeof(msg))) {
    fprintf(stderr, "aigate: %s\n", msg);
    goto out;
  }
  /* A bad command line is refused before anything is created (the
   * master key file, the database). */
  char host[256];
  int port = 0;
  if (opt->listen && gw_hostport(opt->listen, host, sizeof(host), &port)) {
    fprintf(stderr, "aigate: --listen: expected HOST:PORT, got '%s'\n",
            opt->listen);
    goto out;
  }
  if (gw_runtime_load(opt, NULL, &sh->current, &err)) {
    fprintf(stderr, "aigate: %s\n", err.msg);
    goto out;
  }
  const gw_config *cfg = sh->current->cfg;
  if (!opt->listen) {
    port = cfg->listen_port;
    snprintf(host, sizeof(host), "%s", cfg->listen_host);
  }
  if (opt->no_auth && !gw_is_loopback(host)) {
    fprintf(stderr,
            "aigate: --no-auth is refused on a non-loopback "
            "address (%s): anyone who can reach it could use your "
            "upstream keys\n",
            host);
    goto out;
  }
  nw = opt->workers > 0 ? opt->workers : cfg->workers;
  if (nw <= 0) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    nw = cores > 0 ? (int)cores : 1;
  }
  if (nw > 256)
    nw = 256;
  raise_nofile(cfg->max_connections);

  /* Aligned as the type asks (its keyed-hash state wants 64 bytes). */
  ws = aligned_alloc(_Alignof(gw_worker), (size_t)nw * sizeof(*ws));
  if (!ws)
    goto out;
  memset(ws, 0, (size_t)nw * sizeof(*ws));
  /* jansson's allocator is installed here, before any thread uses
   * jansson. Without the slab, documents simply stay in malloc's
   * memory. */
  if (gw_jarena_setup(nw))
    fprintf(stderr, "aigate: no JSON arena (%s); parsing with malloc\n",
            strerror(errno));
  if (!opt->no_auth) {
    char path[4096], why[600] = "database path too long";
    if (store_db_path(cfg->database_url, path, sizeof(path)) ||
        !(sh->access = gw_access_open(path, why, sizeof(why)))) {
      fprintf(stderr, "aigate: %s\n", why);
      goto out;
    }
    if (!(sh->audit = gw_audit_new(AUDIT_QUEUE_MAX, AUDIT_QUEUE_BYTES))) {
      fprintf(stderr, "aigate: out of memory\n");
      goto out;
    }
    gw_access_attach_audit(sh->access, sh->audit);
    gw_audit_set_metrics(sh->audit, sh->metrics);
    if (gw_audit_chain(sh->audit, path, why, sizeof(why))) {
      fprintf(stderr, "aigate: %s\n", why);
      goto out;
    }
    gw_sinks *sinks = gw_sinks_open(cfg, why, sizeof(why));
    if (!sinks && why[0]) {
      fprintf(stderr, "aigate: %s\n", why);
      goto out;
    }
    gw_audit_set_sinks(sh->audit, sinks);
    if (cfg->store_content) {
      char kpath[4200];
      if (store_path_beside(path, STORE_CONTENT_KEY_FILE, kpath,
                            sizeof(kpath)) ||
          store_content_key_load(kpath, &sh->content_key, why, sizeof(why))) {
        fprintf(stderr, "aigate: %s\n", why);
        goto out;
      }
      sh->store_content = 1;
    }
    if (pthread_create(&sh->store_thread, NULL, store_main, sh)) {
      fprintf(stderr, "aigate: cannot start the store thread\n");
      goto out;
    }
    store_started = 1;
  }
  /* Alerts come from the detector, the leak checks and the records'
   * sinks; the detector only when asked for. */
  if ((cfg->anomaly_detection && !(sh->anomaly = gw_anomaly_new(100000))) ||
      !(sh->alerts = gw_alerts_new(cfg, sh->access, sh->metrics))) {
    fprintf(stderr, "aigate: cannot start anomaly detection and alerts\n");
    goto out;
  }
  if (sh->audit) {
    gw_audit_set_alerts(sh->audit, gw_alerts_push, sh->alerts);
    gw_alerts_set_audit(sh->alerts, sh->audit);
  }
  if (cfg->metrics_host) {
    int mport;
    if (!(scrape =
              gw_scrape_start(sh, cfg->metrics_host, cfg->metrics_port,
                              cfg->metrics_auth, &mport, msg, sizeof(msg)))) {
      fprintf(stderr, "aigate: %s\n", msg);
      goto out;
    }
    fprintf(stderr, "aigate: metrics on http://%s%s%s:%d/metrics%s\n",
            strchr(cfg->metrics_host, ':') ? "[" : "", cfg->metrics_host,
            strchr(cfg->metrics_host, ':') ? "]" : "", mport,
            cfg->metrics_auth ? "" : " (no key: monitoring.metrics_auth off)");
  }
  int per_worker = (cfg->max_connections + nw - 1) / nw;
  for (int i = 0; i < nw; i++) {
    gw_worker *w = &ws[i];
    w->id = i;
    w->sh = sh;
    w->curl_deadline = -1;
    gw_jarena_pool_init(&w->jpool, i);
    w->listen_fd = open_listener(host, port, msg, sizeof(msg));
    if (w->listen_fd < 0) {
      fprintf(stderr, "aigate: %s\n", msg);
      nw = i;
      goto stop;
    }
    if (port == 0)
      port = bound_port(w->listen_fd);
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TAG_WAKE};
    w->multi = curl_multi_init();
    if (w->epfd < 0 || w->wake_fd < 0 || !w->multi ||
        epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wake_fd, &ev) ||
        start_daemon(w, cfg, per_worker)) {
      fprintf(stderr, "aigate: cannot start worker %d\n", i);
      nw = i + 1;
      goto stop;
    }
    curl_multi_setopt(w->multi, CURLMOPT_SOCKETFUNCTION, gw_upsock_cb);
    curl_multi_setopt(w->multi, CURLMOPT_SOCKETDATA, w);
    curl_multi_setopt(w->multi, CURLMOPT_TIMERFUNCTION, curl_timer_cb);
    curl_multi_setopt(w->multi, CURLMOPT_TIMERDATA, w);
    curl_multi_setopt(w->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 0L);
    /* Kept-alive upstream connections: as many as the worker may have
     * clients (the open-files limit allows for both). libcurl's own
     * default follows the number of transfers running at the moment, so
     * after a burst it closed idle connections that the next burst had
     * to open again (about one new connection per 40 requests at 16
     * concurrent requests). */
    curl_multi_setopt(w->multi, CURLMOPT_MAXCONNECTS, (long)per_worker);
  }
  /* Everything that needs privileges is open: drop them. */
  const char *user = opt->user ? opt->user : cfg->user;
  if (user && gw_drop_user(user, msg, sizeof(msg))) {
    fprintf(stderr, "aigate: %s\n", msg);
    goto stop;
  }
  const char *filter = "off (server.seccomp: false)";
  if (cfg->seccomp) {
    int f = gw_seccomp(msg, sizeof(msg));
    if (f < 0) {
      fprintf(stderr, "aigate: %s\n", msg);
      goto stop;
    }
    filter = f == 0 ? "on" : "off in sanitizer builds";
  }
  fprintf(stderr,
          "aigate: hardened: no core dumps, no_new_privs, seccomp %s%s%s\n",
          filter, user ? ", running as " : "", user ? user : "");
  for (int i = 0; i < nw; i++)
    if (pthread_create(&ws[i].thread, NULL, worker_main, &ws[i])) {
      fprintf(stderr, "aigate: cannot start worker thread\n");
      atomic_store(&sh->draining, 1);
      nw = i;
      goto join;
    }
  fprintf(stderr, "aigate: listening on http://%s%s%s:%d (%d workers, %s)\n",
          strchr(host, ':') ? "[" : "", host, strchr(host, ':') ? "]" : "",
          port, nw,
          cfg->n_deployments ? "model_list" : "passthrough to OPENAI_BASE_URL");

  for (;;) {
    int sig;
    if (sigwait(&set, &sig))
      continue;
    if (sig == SIGHUP) {
      reload(sh);
      continue;
    }
    fprintf(stderr, "aigate: draining\n");
    atomic_store(&sh->draining, 1);
    for (int i = 0; i < nw; i++) {
      uint64_t one = 1;
      if (write(ws[i].wake_fd, &one, sizeof(one)) < 0)
        continue;
    }
    break;
  }
  rc = 0;
join:
  for (int i = 0; i < nw; i++)
    pthread_join(ws[i].thread, NULL);
stop:
  for (int i = 0; ws && i < nw; i++) {
    gw_worker *w = &ws[i];
    if (w->mhd) /* it owns the listening socket */
      MHD_stop_daemon(w->mhd);
    else if (w->listen_fd > 0 && !w->draining)
      close(w->listen_fd);
    while (w->timers) {
      gw_timer *t = w->timers;
      w->timers = t->next;
      free(t);
    }
    for (int s = 0; s < GW_SCRATCH_SLOTS; s++)
      if (w->slots[s].rt) {
        aigate_scratch_free(w->slots[s].scratch);
        gw_runtime_release(w->slots[s].rt);
      }
    while (w->n_spare_easy > 0)
      curl_easy_cleanup(w->spare_easy[--w->n_spare_easy]);
    while (w->n_spare_req > 0)
      free(w->spare_req[--w->n_spare_req]);
    sodium_memzero(&w->hash0, sizeof(w->hash0)); /* it holds the key */
    if (w->multi)
      curl_multi_cleanup(w->multi);
    gw_upsock_free(w);
    if (w->epfd > 0)
      close(w->epfd);
    if (w->wake_fd > 0)
      close(w->wake_fd);
  }
out:
  gw_scrape_stop(scrape);
  if (store_started) {
    atomic_store(&sh->store_stop, 1);
    pthread_join(sh->store_thread, NULL);
  }
  if (sh->audit) /* the last records' losses are said on stderr */
    gw_audit_set_alerts(sh->audit, NULL, NULL);
  gw_alerts_free(sh->alerts); /* before the store: it records them */
  gw_anomaly_free(sh->anomaly);
  if (sh->access) {
    gw_access_close(sh->access); /* writes the last spend and records */
    if (sh->audit && gw_audit_checkpoint(sh->audit))
      fprintf(stderr, "aigate: audit: cannot write the chain checkpoint\n");
  }
  gw_audit_free(sh->audit);
  gw_metrics_free(sh->metrics);
  store_content_key_clear(&sh->content_key);
  if (rc == 0)
    fprintf(stderr, "aigate: stopped\n");
  free(ws);
  gw_runtime_release(sh->current);
  pthread_mutex_destroy(&sh->lock);
  free(sh);
  curl_global_cleanup();
  return rc;
}
