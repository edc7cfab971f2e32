/*
 * upsock.c -- the upstream sockets of a worker's libcurl multi handle in
 * the worker's epoll, with registrations kept across transfers.
 *
 * libcurl asks for a socket to be watched when a transfer needs it and
 * to be forgotten (CURL_POLL_REMOVE) when the transfer ends, also when
 * the connection goes back to its cache for the next request. Doing what
 * it says costs an EPOLL_CTL_ADD and an EPOLL_CTL_DEL per proxied request
 * on a kept-alive upstream connection. Instead, a socket that libcurl
 * stops watching while it is registered for reading only stays in the
 * epoll ("parked"): an idle kept-alive connection is not readable, so it
 * costs nothing there, and the next transfer on it asks for EPOLLIN
 * again, which is then already in place. A socket registered for writing
 * is removed at once (a writable socket would wake the loop for ever).
 *
 * A parked socket that becomes readable (the upstream closed it, or sent
 * something unasked) wakes the loop once: it leaves the epoll then, and
 * libcurl finds out about the connection when it next checks it.
 *
 * Only sockets that libcurl opened through gw_upsock_open (its TCP
 * connections) are parked; any other socket it asks to watch (the
 * threaded resolver's socket pair, say) is added and removed as it says.
 * The table is indexed by descriptor: gw_upsock_open marks a new socket
 * as ours, and gw_upsock_close, which closes every socket libcurl opened
 * (the callback stays with the connection in libcurl's cache), forgets
 * it; the kernel takes a closed socket out of the epoll. So an entry
 * never outlives its socket, and a descriptor number reused by another
 * socket starts afresh. When the table cannot grow, sockets are added
 * and removed as libcurl asks.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "upsock.h"

#define REG_IN_EPOLL 1u /* the socket is in the worker's epoll */
#define REG_READ 2u     /* ... for EPOLLIN */
#define REG_WRITE 4u    /* ... for EPOLLOUT */
#define REG_WATCHED 8u  /* libcurl watches it (else: parked) */
#define REG_OURS 16u    /* opened by gw_upsock_open: may be parked */

/* The entry of fd, the table grown to hold it; NULL when it cannot. */
static unsigned char *entry(gw_worker *w, curl_socket_t fd) {
  if (fd < 0)
    return NULL;
  size_t i = (size_t)fd;
  if (i >= w->n_upsocks) {
    size_t n = w->n_upsocks ? w->n_upsocks : 64;
    while (n <= i)
      n *= 2;
    unsigned char *t = realloc(w->upsocks, n);
    if (!t)
      return NULL;
    memset(t + w->n_upsocks, 0, n - w->n_upsocks);
    w->upsocks = t;
    w->n_upsocks = n;
  }
  return &w->upsocks[i];
}

static uint32_t events_of(unsigned reg) {
  return ((reg & REG_READ) ? EPOLLIN : 0u) |
         ((reg & REG_WRITE) ? EPOLLOUT : 0u);
}

static int ctl(gw_worker *w, int op, curl_socket_t s, unsigned reg) {
  struct epoll_event ev = {0};
  ev.events = events_of(reg);
  ev.data.u64 = ((uint64_t)(unsigned)s << 3) | GW_TAG_CURL;
  return epoll_ctl(w->epfd, op, s, &ev);
}

/* As libcurl says, for a socket that is not ours or past the table. */
static void as_asked(gw_worker *w, curl_socket_t s, int what) {
  unsigned reg = ((what & CURL_POLL_IN) ? REG_READ : 0u) |
                 ((what & CURL_POLL_OUT) ? REG_WRITE : 0u);
  if (what == CURL_POLL_REMOVE)
    epoll_ctl(w->epfd, EPOLL_CTL_DEL, s, NULL);
  else if (ctl(w, EPOLL_CTL_ADD, s, reg) && errno == EEXIST)
    ctl(w, EPOLL_CTL_MOD, s, reg);
}

int gw_upsock_cb(CURL *e, curl_socket_t s, int what, void *ud, void *sockp) {
  (void)e;
  (void)sockp;
  gw_worker *w = ud;
  unsigned char *reg =
      s >= 0 && (size_t)s < w->n_upsocks ? &w->upsocks[s] : NULL;
  if (!reg || !(*reg & REG_OURS)) {
    as_asked(w, s, what);
    return 0;
  }
  if (what == CURL_POLL_REMOVE) {
    if ((*reg & (REG_IN_EPOLL | REG_WRITE)) == REG_IN_EPOLL) {
      *reg &= (unsigned char)~REG_WATCHED; /* parked */
    } else {
      if (*reg & REG_IN_EPOLL)
        epoll_ctl(w->epfd, EPOLL_CTL_DEL, s, NULL);
      *reg = REG_OURS;
    }
    return 0;
  }
  unsigned want = REG_OURS | REG_IN_EPOLL | REG_WATCHED |
                  ((what & CURL_POLL_IN) ? REG_READ : 0u) |
                  ((what & CURL_POLL_OUT) ? REG_WRITE : 0u);
  int rc = 0;
  if (!(*reg & REG_IN_EPOLL))
    rc = ctl(w, EPOLL_CTL_ADD, s, want);
  else if ((*reg ^ want) & (REG_READ | REG_WRITE))
    rc = ctl(w, EPOLL_CTL_MOD, s, want);
  /* else: already in place, no system call */
  *reg = (unsigned char)(rc ? REG_OURS : want);
  return 0;
}

int gw_upsock_event(gw_worker *w, curl_socket_t s) {
  unsigned char *reg =
      s >= 0 && (size_t)s < w->n_upsocks ? &w->upsocks[s] : NULL;
  const unsigned parked = REG_OURS | REG_IN_EPOLL;
  if (!reg || (*reg & (parked | REG_WATCHED)) != parked)
    return 1;
  /* Parked, and readable or closed: out of the epoll until libcurl
   * wants it again. */
  epoll_ctl(w->epfd, EPOLL_CTL_DEL, s, NULL);
  *reg = REG_OURS;
  return 0;
}

curl_socket_t gw_upsock_open(void *ud, curlsocktype purpose,
                             struct curl_sockaddr *addr) {
  (void)purpose;
  gw_worker *w = ud;
  curl_socket_t s =
      socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
  if (s < 0)
    return CURL_SOCKET_BAD;
  unsigned char *reg = entry(w, s);
  if (reg)
    *reg = REG_OURS;
  return s;
}

int gw_upsock_close(void *ud, curl_socket_t s) {
  gw_worker *w = ud;
  if (s >= 0 && (size_t)s < w->n_upsocks)
    w->upsocks[s] = 0; /* closing takes it out of the epoll */
  return close(s) ? 1 : 0;
}

void gw_upsock_free(gw_worker *w) {
  free(w->upsocks);
  w->upsocks = NULL;
  w->n_upsocks = 0;
}
