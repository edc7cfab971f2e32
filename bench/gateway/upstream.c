/*
 * upstream.c -- bench_upstream: a small, fast stand-in for an OpenAI-style
 * provider, the far end of the gateway benchmarks (bench/gateway/run.sh).
 *
 * It answers POST /v1/chat/completions (and /chat/completions) with a
 * canned chat.completion, or, when the body says "stream": true, with a
 * server-sent event stream: a role chunk and the first word at once, then
 * one word per chunk with a delay between chunks, a finish chunk, a usage
 * chunk when the body asks for include_usage, and `data: [DONE]`. GET
 * /v1/models and /health answer too, so that a gateway's readiness checks
 * pass.
 *
 * Why our own server and not libmicrohttpd: the stream test holds
 * thousands of streams open for many seconds with a timer each, and the
 * throughput test must cost the upstream as little as possible so that
 * the figures are the gateway's. One epoll loop per thread, listening
 * sockets shared with SO_REUSEPORT, one min-heap of stream deadlines per
 * thread, no allocation per request beyond the connection's buffers.
 *
 * Stream shape per request, later settings winning: the command line
 * (--chunks, --delay-ms), a model name "bench-c<chunks>-d<delay ms>" (the
 * only knob that survives a gateway, which rewrites headers and URLs),
 * query parameters ?chunks=N&delay_ms=MS, headers x-bench-chunks and
 * x-bench-delay-ms.
 *
 * Known limits, fine for a benchmark: HTTP/1.x with Content-Length bodies
 * only (a chunked request body gets 411), no TLS, requests up to 8 MiB,
 * the "stream" and "include_usage" flags are found by looking at the body
 * text, not by parsing the JSON.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_REQUEST ((size_t)8 << 20)
#define MAX_CHUNKS 1000000
#define MAX_DELAY_MS 3600000
#define MAX_THREADS 64

/* What every answer says: a customer-support reply of about 300 bytes,
 * plain words without quotes or backslashes so that the stream can cut
 * it into words without JSON escaping. */
static const char reply_text[] =
    "I am sorry your shoes are late. I checked order 48213: the parcel left "
    "our warehouse on Tuesday and is now at the carrier depot in your town. "
    "It should reach you within two working days. If it has not arrived by "
    "Friday, reply to this message and we will send a replacement pair in "
    "size 42 by express delivery at no cost, in time for your race.";

static const char stream_head[] = "HTTP/1.1 200 OK\r\n"
                                  "Content-Type: text/event-stream\r\n"
                                  "Cache-Control: no-cache\r\n"
                                  "Transfer-Encoding: chunked\r\n\r\n";

typedef struct conn {
  int fd;
  char *in;
  size_t in_len, in_cap;
  char *out;
  size_t out_len, out_off, out_cap;
  int epollout;    /* EPOLLOUT is registered */
  int close_after; /* close once the output is flushed */
  int expect_sent; /* "100 Continue" sent for the current request */
  size_t req_len;  /* bytes of the request being streamed */
  int streaming;   /* a stream is in progress: stop reading requests */
  int chunks_left; /* content chunks still to send */
  int word;        /* next word of reply_text */
  int delay_ms;
  int usage;       /* send a usage chunk at the end */
  int64_t due;     /* next chunk, ms on CLOCK_MONOTONIC */
  size_t heap_idx; /* position in the worker's heap, or SIZE_MAX */
} conn;

typedef struct {
  int listen_fd;
  int ep;
  conn **heap; /* min-heap of streams by due */
  size_t heap_len, heap_cap;
  pthread_t thread;
  int index;
} worker;

static int default_chunks = 8;
static int default_delay_ms = 0;
static char *canned_response; /* the whole non-stream HTTP response */
static size_t canned_len;
static size_t canned_ref; /* offset of its reference number's digits */
#define REF_DIGITS 9
static _Thread_local unsigned long next_ref; /* per thread: see answer() */
static const char *words[128];
static size_t word_len[128];
static int n_words;

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------ heap */

static void heap_swap(worker *w, size_t a, size_t b) {
  conn *t = w->heap[a];
  w->heap[a] = w->heap[b];
  w->heap[b] = t;
  w->heap[a]->heap_idx = a;
  w->heap[b]->heap_idx = b;
}

static void heap_up(worker *w, size_t i) {
  while (i > 0 && w->heap[(i - 1) / 2]->due > w->heap[i]->due) {
    heap_swap(w, i, (i - 1) / 2);
    i = (i - 1) / 2;
  }
}

static void heap_down(worker *w, size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < w->heap_len && w->heap[l]->due < w->heap[m]->due)
      m = l;
    if (r < w->heap_len && w->heap[r]->due < w->heap[m]->due)
      m = r;
    if (m == i)
      return;
    heap_swap(w, i, m);
    i = m;
  }
}

static int heap_push(worker *w, conn *c) {
  if (w->heap_len == w->heap_cap) {
    size_t cap = w->heap_cap ? w->heap_cap * 2 : 256;
    conn **h = realloc(w->heap, cap * sizeof(*h));
    if (!h)
      return -1;
    w->heap = h;
    w->heap_cap = cap;
  }
  c->heap_idx = w->heap_len;
  w->heap[w->heap_len++] = c;
  heap_up(w, c->heap_idx);
  return 0;
}

static void heap_remove(worker *w, conn *c) {
  size_t i = c->heap_idx;
  if (i == SIZE_MAX)
    return;
  c->heap_idx = SIZE_MAX;
  if (i != --w->heap_len) {
    w->heap[i] = w->heap[w->heap_len];
    w->heap[i]->heap_idx = i;
    heap_down(w, i);
    heap_up(w, i);
  }
}

/* ------------------------------------------------------------ output */

static int out_append(conn *c, const char *s, size_t n) {
  if (c->out_len + n > c->out_cap) {
    size_t cap = c->out_cap ? c->out_cap : 4096;
    while (cap < c->out_len + n)
      cap *= 2;
    char *b = realloc(c->out, cap);
    if (!b)
      return -1;
    c->out = b;
    c->out_cap = cap;
  }
  memcpy(c->out + c->out_len, s, n);
  c->out_len += n;
  return 0;
}

/* The canned chat.completion with a reference number of its own: real
 * answers differ, and a gateway that remembers texts it found clean must
 * not be measured on one it has seen. Thread number in the top digits. */
static int answer(conn *c) {
  size_t at = c->out_len + canned_ref;
  if (out_append(c, canned_response, canned_len))
    return -1;
  char digits[REF_DIGITS + 1];
  snprintf(digits, sizeof(digits), "%0*lu", REF_DIGITS,
           next_ref++ % 1000000000ul);
  memcpy(c->out + at, digits, REF_DIGITS);
  return 0;
}

/* Write what is pending; watch EPOLLOUT only while something is left.
 * Returns -1 when the connection is dead. */
static int flush_out(worker *w, conn *c) {
  while (c->out_off < c->out_len) {
    ssize_t n =
        send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
    if (n > 0) {
      c->out_off += (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!c->epollout) {
        struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP,
                                 .data.ptr = c};
        epoll_ctl(w->ep, EPOLL_CTL_MOD, c->fd, &ev);
        c->epollout = 1;
      }
      return 0;
    }
    return -1;
  }
  c->out_off = c->out_len = 0;
  if (c->epollout) {
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
    epoll_ctl(w->ep, EPOLL_CTL_MOD, c->fd, &ev);
    c->epollout = 0;
  }
  return c->close_after ? -1 : 0;
}

static void conn_close(worker *w, conn *c) {
  heap_remove(w, c);
  epoll_ctl(w->ep, EPOLL_CTL_DEL, c->fd, NULL);
  close(c->fd);
  free(c->in);
  free(c->out);
  free(c);
}

/* One HTTP chunk holding one server-sent event "data: <json>\n\n". */
static int send_event(conn *c, const char *json, size_t n) {
  char head[32];
  int h = snprintf(head, sizeof(head), "%zx\r\n", n + 8);
  return out_append(c, head, (size_t)h) || out_append(c, "data: ", 6) ||
                 out_append(c, json, n) || out_append(c, "\n\n\r\n", 4)
             ? -1
             : 0;
}

static int send_word(conn *c) {
  char buf[512];
  size_t i = (size_t)(c->word++ % n_words);
  int n = snprintf(buf, sizeof(buf),
                   "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion."
                   "chunk\",\"created\":1700000000,\"model\":\"bench\","
                   "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"%s%.*s\""
                   "},\"finish_reason\":null}]}",
                   i ? " " : "", (int)word_len[i], words[i]);
  c->chunks_left--;
  return send_event(c, buf, (size_t)n);
}

static void finish_request(conn *c) {
  memmove(c->in, c->in + c->req_len, c->in_len - c->req_len);
  c->in_len -= c->req_len;
  c->req_len = 0;
  c->expect_sent = 0;
}

static int send_stream_end(conn *c) {
  static const char fin[] =
      "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\","
      "\"created\":1700000000,\"model\":\"bench\",\"choices\":[{\"index\":0,"
      "\"delta\":{},\"finish_reason\":\"stop\"}]}";
  static const char usage[] =
      "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\","
      "\"created\":1700000000,\"model\":\"bench\",\"choices\":[],"
      "\"usage\":{\"prompt_tokens\":96,\"completion_tokens\":70,"
      "\"total_tokens\":166}}";
  if (send_event(c, fin, sizeof(fin) - 1) ||
      (c->usage && send_event(c, usage, sizeof(usage) - 1)) ||
      send_event(c, "[DONE]", 6) || out_append(c, "0\r\n\r\n", 5))
    return -1;
  c->streaming = 0;
  finish_request(c);
  return 0;
}

/* The stream's next step: more words now (no delay) or at its deadline. */
static int stream_step(worker *w, conn *c) {
  do {
    if (c->chunks_left <= 0)
      return send_stream_end(c);
    if (send_word(c))
      return -1;
  } while (c->delay_ms == 0);
  if (c->chunks_left <= 0)
    return send_stream_end(c);
  c->due = now_ms() + c->delay_ms;
  return heap_push(w, c);
}

/* ------------------------------------------------------------ requests */

static const char *find_header(const char *head, const char *end,
                               const char *name, size_t *len) {
  size_t nl = strlen(name);
  const char *p = memchr(head, '\n', (size_t)(end - head));
  while (p && p + 1 < end) {
    const char *line = p + 1;
    const char *eol = memchr(line, '\n', (size_t)(end - line));
    if (!eol)
      eol = end;
    if ((size_t)(eol - line) > nl && line[nl] == ':' &&
        !strncasecmp(line, name, nl)) {
      const char *v = line + nl + 1;
      while (v < eol && (*v == ' ' || *v == '\t'))
        v++;
      const char *ve = eol;
      while (ve > v && (ve[-1] == '\r' || ve[-1] == ' '))
        ve--;
      *len = (size_t)(ve - v);
      return v;
    }
    p = eol < end ? eol : NULL;
  }
  return NULL;
}

static int bounded_int(const char *s, size_t n, int max, int *out) {
  long v = 0;
  size_t i = 0;
  for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
    v = v * 10 + (s[i] - '0');
    if (v > max)
      return -1;
  }
  if (i == 0)
    return -1;
  *out = (int)v;
  return 0;
}

/* "stream": true somewhere in the body, with any spacing. */
static int body_says_stream(const char *b, size_t n) {
  static const char key[] = "\"stream\"";
  const char *end = b + n;
  for (const char *p = memmem(b, n, key, 8); p;
       p = memmem(p + 1, (size_t)(end - p - 1), key, 8)) {
    const char *q = p + 8;
    while (q < end && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
      q++;
    if (q < end && *q == ':') {
      q++;
      while (q < end && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
        q++;
      return end - q >= 4 && !memcmp(q, "true", 4);
    }
  }
  return 0;
}

/* Stream shape from a model name "bench-c<chunks>-d<delay ms>". */
static void shape_from_model(const char *b, size_t n, int *chunks, int *delay) {
  const char *end = b + n;
  const char *p = memmem(b, n, "\"model\"", 7);
  if (!p || !(p = memchr(p + 7, '"', (size_t)(end - p - 7))))
    return;
  p++;
  const char *q = memchr(p, '"', (size_t)(end - p));
  if (!q || q - p < 6 || memcmp(p, "bench-", 6))
    return;
  for (p += 6; p < q;) {
    const char *dash = memchr(p, '-', (size_t)(q - p));
    const char *e = dash ? dash : q;
    if (*p == 'c')
      bounded_int(p + 1, (size_t)(e - p - 1), MAX_CHUNKS, chunks);
    else if (*p == 'd')
      bounded_int(p + 1, (size_t)(e - p - 1), MAX_DELAY_MS, delay);
    p = e + 1;
  }
}

static void shape_from_query(const char *t, size_t n, int *chunks, int *delay) {
  const char *q = memchr(t, '?', n);
  if (!q)
    return;
  const char *end = t + n;
  for (const char *p = q + 1; p < end;) {
    const char *amp = memchr(p, '&', (size_t)(end - p));
    const char *e = amp ? amp : end;
    if (e - p > 7 && !memcmp(p, "chunks=", 7))
      bounded_int(p + 7, (size_t)(e - p - 7), MAX_CHUNKS, chunks);
    else if (e - p > 9 && !memcmp(p, "delay_ms=", 9))
      bounded_int(p + 9, (size_t)(e - p - 9), MAX_DELAY_MS, delay);
    p = e + 1;
  }
}

static int send_simple(conn *c, const char *status, const char *body) {
  char buf[512];
  int n = snprintf(buf, sizeof(buf),
                   "HTTP/1.1 %s\r\nContent-Type: application/json\r\n"
                   "Content-Length: %zu\r\n\r\n%s",
                   status, strlen(body), body);
  return out_append(c, buf, (size_t)n);
}

static int error_close(conn *c, const char *status) {
  c->close_after = 1;
  return send_simple(c, status, "{\"error\":{\"message\":\"bench_upstream\"}}");
}

/* Handle every complete request in the input buffer. Returns -1 when the
 * connection must close at once. */
static int handle_input(worker *w, conn *c) {
  while (!c->streaming && !c->close_after && c->in_len) {
    char *head = c->in;
    char *hend = memmem(head, c->in_len, "\r\n\r\n", 4);
    if (!hend)
      return c->in_len > 65536 ? error_close(c, "431 Too Large") : 0;
    hend += 4;
    size_t hlen = (size_t)(hend - head);
    size_t vl;
    const char *v;
    size_t clen = 0;
    if ((v = find_header(head, hend, "Content-Length", &vl))) {
      int cl;
      if (bounded_int(v, vl, (int)MAX_REQUEST, &cl))
        return error_close(c, "413 Payload Too Large");
      clen = (size_t)cl;
    } else if (find_header(head, hend, "Transfer-Encoding", &vl)) {
      return error_close(c, "411 Length Required");
    }
    if (c->in_len < hlen + clen) {
      v = find_header(head, hend, "Expect", &vl);
      if (v && !c->expect_sent && vl == 12 &&
          !strncasecmp(v, "100-continue", 12)) {
        c->expect_sent = 1;
        if (out_append(c, "HTTP/1.1 100 Continue\r\n\r\n", 25))
          return -1;
      }
      return 0;
    }
    c->req_len = hlen + clen;
    const char *eol = memchr(head, '\r', hlen);
    const char *sp1 = memchr(head, ' ', (size_t)(eol - head));
    const char *sp2 =
        sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
    if (!sp2 || eol - sp2 - 1 != 8)
      return error_close(c, "400 Bad Request");
    const char *target = sp1 + 1;
    size_t tlen = (size_t)(sp2 - target);
    size_t plen = tlen;
    const char *qm = memchr(target, '?', tlen);
    if (qm)
      plen = (size_t)(qm - target);
    if (!memcmp(sp2 + 1, "HTTP/1.0", 8) ||
        ((v = find_header(head, hend, "Connection", &vl)) && vl == 5 &&
         !strncasecmp(v, "close", 5)))
      c->close_after = 1;
    int post = sp1 - head == 4 && !memcmp(head, "POST", 4);
#define PATH_IS(s) (plen == sizeof(s) - 1 && !memcmp(target, s, plen))
    if (post &&
        (PATH_IS("/v1/chat/completions") || PATH_IS("/chat/completions"))) {
      const char *body = hend;
      if (!body_says_stream(body, clen)) {
        if (answer(c))
          return -1;
        finish_request(c);
        continue;
      }
      int chunks = default_chunks, delay = default_delay_ms;
      shape_from_model(body, clen, &chunks, &delay);
      shape_from_query(target, tlen, &chunks, &delay);
      if ((v = find_header(head, hend, "x-bench-chunks", &vl)))
        bounded_int(v, vl, MAX_CHUNKS, &chunks);
      if ((v = find_header(head, hend, "x-bench-delay-ms", &vl)))
        bounded_int(v, vl, MAX_DELAY_MS, &delay);
      c->usage = memmem(body, clen, "include_usage", 13) != NULL;
      c->streaming = 1;
      c->chunks_left = chunks;
      c->delay_ms = delay;
      c->word = 0;
      static const char role[] =
          "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\","
          "\"created\":1700000000,\"model\":\"bench\",\"choices\":[{"
          "\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
          "\"finish_reason\":null}]}";
      if (out_append(c, stream_head, sizeof(stream_head) - 1) ||
          send_event(c, role, sizeof(role) - 1))
        return -1;
      /* The first word leaves with the role, so that a client sees text
       * at once even when the chunks are far apart. */
      if (chunks > 0 && send_word(c))
        return -1;
      if (c->delay_ms == 0 || c->chunks_left <= 0) {
        if (stream_step(w, c))
          return -1;
      } else {
        c->due = now_ms() + c->delay_ms;
        if (heap_push(w, c))
          return -1;
      }
    } else if (!post && (PATH_IS("/v1/models") || PATH_IS("/models"))) {
      if (send_simple(c, "200 OK",
                      "{\"object\":\"list\",\"data\":[{\"id\":\"bench\","
                      "\"object\":\"model\",\"owned_by\":\"bench\"}]}"))
        return -1;
      finish_request(c);
    } else if (!post && (PATH_IS("/health") || PATH_IS("/v1/health"))) {
      if (send_simple(c, "200 OK", "{\"status\":\"ok\"}"))
        return -1;
      finish_request(c);
    } else {
      if (send_simple(c, "404 Not Found",
                      "{\"error\":{\"message\":\"no such route\"}}"))
        return -1;
      finish_request(c);
    }
#undef PATH_IS
  }
  return 0;
}

/* Read what is there; -1 when the peer closed or the socket failed. */
static int read_input(conn *c) {
  for (;;) {
    if (c->in_cap - c->in_len < 4096) {
      size_t cap = c->in_cap ? c->in_cap * 2 : 8192;
      if (cap > MAX_REQUEST + 65536)
        return -1;
      char *b = realloc(c->in, cap);
      if (!b)
        return -1;
      c->in = b;
      c->in_cap = cap;
    }
    size_t room = c->in_cap - c->in_len;
    ssize_t n = recv(c->fd, c->in + c->in_len, room, 0);
    if (n > 0) {
      c->in_len += (size_t)n;
      if ((size_t)n < room)
        return 0; /* short read: the socket is drained */
      continue;
    }
    if (n == 0)
      return -1;
    if (errno == EINTR)
      continue;
    return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
  }
}

/* ------------------------------------------------------------ loop */

static void accept_all(worker *w) {
  for (;;) {
    int fd = accept4(w->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) {
        static int told;
        if (!told++)
          fprintf(stderr, "bench_upstream: out of file descriptors\n");
      }
      return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    conn *c = calloc(1, sizeof(*c));
    if (!c) {
      close(fd);
      continue;
    }
    c->fd = fd;
    c->heap_idx = SIZE_MAX;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
    if (epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev)) {
      close(fd);
      free(c);
    }
  }
}

static void *worker_main(void *arg) {
  worker *w = arg;
  struct epoll_event evs[256];
  next_ref = (unsigned long)(w->index % 10) * 100000000ul;
  for (;;) {
    int timeout = -1;
    if (w->heap_len) {
      int64_t d = w->heap[0]->due - now_ms();
      timeout = d < 0 ? 0 : (int)d;
    }
    int n = epoll_wait(w->ep, evs, 256, timeout);
    for (int i = 0; i < n; i++) {
      conn *c = evs[i].data.ptr;
      if (!c) {
        accept_all(w);
        continue;
      }
      uint32_t e = evs[i].events;
      int dead = 0;
      if (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
        dead = read_input(c) || handle_input(w, c);
      if (!dead)
        dead = flush_out(w, c);
      if (dead)
        conn_close(w, c);
    }
    int64_t now = now_ms();
    while (w->heap_len && w->heap[0]->due <= now) {
      conn *c = w->heap[0];
      heap_remove(w, c);
      /* A finished stream may have the next request waiting already. */
      if (stream_step(w, c) || (!c->streaming && handle_input(w, c)) ||
          flush_out(w, c))
        conn_close(w, c);
    }
  }
  return NULL;
}

/* ------------------------------------------------------------ setup */

static int open_listener(const char *host, int port) {
  struct sockaddr_in sa = {.sin_family = AF_INET,
                           .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
    fprintf(stderr, "bench_upstream: %s: not an IPv4 address\n", host);
    return -1;
  }
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
      setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
      bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4096)) {
    perror("bench_upstream: listen");
    if (fd >= 0)
      close(fd);
    return -1;
  }
  return fd;
}

static void build_canned(void) {
  static char body[1024];
  int n =
      snprintf(body, sizeof(body),
               "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\","
               "\"created\":1700000000,\"model\":\"bench\",\"choices\":[{"
               "\"index\":0,\"message\":{\"role\":\"assistant\","
               "\"content\":\"%s Reference %0*d.\"},\"logprobs\":null,"
               "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":96,"
               "\"completion_tokens\":70,\"total_tokens\":166}}",
               reply_text, REF_DIGITS, 0);
  static char resp[1400];
  int m = snprintf(resp, sizeof(resp),
                   "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                   "Content-Length: %d\r\n\r\n%s",
                   n, body);
  canned_response = resp;
  canned_len = (size_t)m;
  canned_ref = (size_t)(strstr(resp, " Reference ") - resp) + 11;
  for (const char *p = reply_text; *p && n_words < 128;) {
    const char *sp = strchr(p, ' ');
    size_t len = sp ? (size_t)(sp - p) : strlen(p);
    words[n_words] = p;
    word_len[n_words++] = len;
    p += len + (sp ? 1 : 0);
  }
}

static void usage_exit(void) {
  fprintf(stderr, "usage: bench_upstream [--listen HOST:PORT] [--threads N]\n"
                  "                      [--chunks N] [--delay-ms MS]\n"
                  "Prints \"bench_upstream: listening on http://HOST:PORT\" on "
                  "stdout when ready.\n");
  exit(2);
}

int main(int argc, char **argv) {
  char host[64] = "127.0.0.1";
  int port = 0, threads = 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v)
      usage_exit();
    i++;
    if (!strcmp(a, "--listen")) {
      const char *colon = strrchr(v, ':');
      if (!colon || (size_t)(colon - v) >= sizeof(host))
        usage_exit();
      memcpy(host, v, (size_t)(colon - v));
      host[colon - v] = '\0';
      if (bounded_int(colon + 1, strlen(colon + 1), 65535, &port))
        usage_exit();
    } else if (!strcmp(a, "--threads")) {
      if (bounded_int(v, strlen(v), MAX_THREADS, &threads) || threads < 1)
        usage_exit();
    } else if (!strcmp(a, "--chunks")) {
      if (bounded_int(v, strlen(v), MAX_CHUNKS, &default_chunks))
        usage_exit();
    } else if (!strcmp(a, "--delay-ms")) {
      if (bounded_int(v, strlen(v), MAX_DELAY_MS, &default_delay_ms))
        usage_exit();
    } else {
      usage_exit();
    }
  }
  signal(SIGPIPE, SIG_IGN);
  struct rlimit rl;
  if (!getrlimit(RLIMIT_NOFILE, &rl)) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  build_canned();

  static worker ws[MAX_THREADS];
  for (int t = 0; t < threads; t++) {
    /* The first listener picks the port when asked for 0; the others
     * share it through SO_REUSEPORT. */
    if ((ws[t].listen_fd = open_listener(host, port)) < 0)
      return 1;
    if (port == 0) {
      struct sockaddr_in sa;
      socklen_t sl = sizeof(sa);
      if (getsockname(ws[t].listen_fd, (struct sockaddr *)&sa, &sl))
        return 1;
      port = ntohs(sa.sin_port);
    }
    ws[t].index = t;
    ws[t].ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (ws[t].ep < 0 ||
        epoll_ctl(ws[t].ep, EPOLL_CTL_ADD, ws[t].listen_fd, &ev)) {
      perror("bench_upstream: epoll");
      return 1;
    }
  }
  printf("bench_upstream: listening on http://%s:%d (%d thread%s, %d chunks, "
         "%d ms apart)\n",
         host, port, threads, threads == 1 ? "" : "s", default_chunks,
         default_delay_ms);
  fflush(stdout);
  for (int t = 1; t < threads; t++)
    if (pthread_create(&ws[t].thread, NULL, worker_main, &ws[t])) {
      perror("bench_upstream: pthread_create");
      return 1;
    }
  worker_main(&ws[0]);
  return 0;
}
