/*
 * sinks.c -- copies of the request records outside the database
 * (sinks.h).
 *
 * The file: one JSON object per line (store_audit_json: the fields of
 * `aigate log search`, with the record's place in its chain), appended
 * in one write and fdatasync'ed per batch. It is rotated when the next
 * batch would take it past the size limit or when it has been open for
 * longer than the age limit: renamed to FILE.YYYYMMDDTHHMMSS.mmmZ (UTC;
 * "-NNNN" added for more in the same millisecond), a new FILE started,
 * and the oldest rotated files beyond `keep` removed. When the rename
 * fails (a full directory, a name too long for the file system), the
 * batch is appended past the limit and rotation is tried again with the
 * next batch: said once per batch, never retried within it (that loop
 * would hold the store thread forever). A write that fails or falls
 * short is cut back to where the batch started in that file, so no
 * partial line is left for the next batch to be glued onto.
 *
 * Syslog: RFC 5424 messages, facility 13 (log audit), MSGID "request"
 * (severity notice for a blocked request, info otherwise) or "checkpoint"
 * (info), no structured data, the message a UTF-8 BOM and the record's
 * JSON or the checkpoint line. UDP sends one datagram per message; TCP
 * frames them with RFC 6587 octet counting ("LEN SP MSG"), connects
 * without blocking, reconnects at most once a second, and resends a
 * message that a broken connection cut. Messages wait in one buffer of
 * frames (also for UDP) bounded at 4 MiB; what does not fit is dropped
 * and counted, as is a file write that fails. At shutdown what is still
 * queued gets SHUTDOWN_MS to go; what is left then is said on stderr.
 * Known limit of plain TCP syslog: it has no acknowledgement, so
 * messages the kernel had accepted when a connection breaks may never
 * reach the collector; they are not resent (the collector could not
 * tell a resent message from a new one).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "gateway.h"
#include "sinks.h"

#define QUEUE_MAX (4u << 20)
#define RETRY_MS 1000
#define CONNECT_MS 5000
#define UDP_MAX 65000
#define FACILITY 13 /* log audit */
#define SHUTDOWN_MS 2000

const char *const gw_sink_names[GW_SINK_COUNT] = {"file", "syslog"};

typedef struct {
  char *p;
  size_t len, cap;
} buf;

static int buf_add(buf *b, const char *s, size_t n, size_t max) {
  if (b->len + n > max)
    return -1;
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n)
      cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
      return -1;
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  return 0;
}

struct gw_sinks {
  /* the file */
  char *path;
  int fd;
  off_t size;
  int64_t opened_ms, max_age_ms, rotated_ms;
  int same_ms; /* rotations within rotated_ms */
  size_t max_bytes;
  int keep;
  unsigned long long rotate_failed; /* rotations that failed, ever */
  int cut; /* a partial line could not be removed: start with a newline */
  buf lines;
  unsigned long long pending; /* records in lines */
  /* syslog */
  int syslog, tcp;
  struct sockaddr_storage addr;
  socklen_t addr_len;
  int sock, connecting;
  int64_t retry_at, connect_started;
  buf frames;
  size_t sent;        /* bytes of frames already on the wire */
  size_t frame_start; /* where the frame being sent starts */
  char host[256];
  long pid;
  unsigned long long dropped[GW_SINK_COUNT];
};

/* ------------------------------------------------------------- file */

static int open_file(gw_sinks *s, int64_t now) {
  s->fd = open(s->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
               0600);
  if (s->fd < 0)
    return -1;
  struct stat st;
  s->size = fstat(s->fd, &st) == 0 ? st.st_size : 0;
  s->opened_ms = now;
  return 0;
}

static void utc_stamp(int64_t ms, char *out, size_t len, int iso) {
  time_t t = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  char base[32];
  strftime(base, sizeof(base), iso ? "%Y-%m-%dT%H:%M:%S" : "%Y%m%dT%H%M%S",
           &tm);
  snprintf(out, len, "%s.%03dZ", base, (int)(ms % 1000));
}

/* Is name BASE.YYYYMMDDTHHMMSS.mmmZ, possibly with "-NNNN"? */
static int is_rotated(const char *name, const char *base) {
  size_t n = strlen(base);
  if (strncmp(name, base, n) || name[n] != '.')
    return 0;
  const char *p = name + n + 1;
  static const char shape[] = "########T######.###Z";
  for (size_t i = 0; i < sizeof(shape) - 1; i++, p++)
    if (shape[i] == '#' ? (*p < '0' || *p > '9') : *p != shape[i])
      return 0;
  if (*p == '-')
    return strlen(p + 1) == 4 && strspn(p + 1, "0123456789") == 4;
  return *p == '\0';
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Remove the oldest rotated files beyond s->keep. */
static void prune(gw_sinks *s) {
  if (s->keep <= 0)
    return;
  char dir[4200];
  const char *slash = strrchr(s->path, '/');
  const char *base = slash ? slash + 1 : s->path;
  snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - s->path) : 1,
           slash ? s->path : ".");
  if (!dir[0])
    snprintf(dir, sizeof(dir), "/");
  DIR *d = opendir(dir);
  if (!d)
    return;
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 1000000) {
    if (!is_rotated(e->d_name, base))
      continue;
    if (n == cap) {
      char **v = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof(*v));
      if (!v)
        break;
      names = v;
    }
    if (!(names[n] = strdup(e->d_name)))
      break;
    n++;
  }
  closedir(d);
  qsort(names, n, sizeof(*names), by_name);
  for (size_t i = 0; i + (size_t)s->keep < n; i++) {
    char path[4600];
    snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
    unlink(path);
  }
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
}

/* Start a new file: 0, or -1 when the current one could not be renamed
 * (said on stderr; it is open again, to be appended to) or reopened. */
static int rotate(gw_sinks *s, int64_t now) {
  fdatasync(s->fd);
  close(s->fd);
  s->fd = -1;
  char stamp[40], to[4200];
  utc_stamp(now, stamp, sizeof(stamp), 0);
  /* Names sort by age: several rotations in one millisecond count on
   * (a pruned name is never reused for a newer file). */
  s->same_ms = now == s->rotated_ms ? s->same_ms + 1 : 0;
  s->rotated_ms = now;
  struct stat st;
  int n;
  do {
    if (s->same_ms)
      n = snprintf(to, sizeof(to), "%s.%s-%04d", s->path, stamp, s->same_ms);
    else
      n = snprintf(to, sizeof(to), "%s.%s", s->path, stamp);
  } while (n > 0 && (size_t)n < sizeof(to) && lstat(to, &st) == 0 &&
           ++s->same_ms < 10000);
  if (n < 0 || (size_t)n >= sizeof(to))
    errno = ENAMETOOLONG; /* never a cut name */
  if (n < 0 || (size_t)n >= sizeof(to) || rename(s->path, to)) {
    s->rotate_failed++;
    fprintf(stderr,
            "aigate: records file: cannot rotate %s: %s; appending past "
            "the limit until a later batch can (%llu failed rotations)\n",
            s->path, strerror(errno), s->rotate_failed);
    open_file(s, now);
    return -1;
  }
  if (open_file(s, now))
    return -1;
  prune(s);
  return 0;
}

static int write_all(int fd, const char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Write the queued lines, rotating before a line that would take the
 * file past its size (a file holds at least one line) or once it is too
 * old. A rotation that fails, or that leaves a file that is not empty,
 * is not tried again within the batch: the rest is appended past the
 * limit, so the loop always ends. */
static void flush_file(gw_sinks *s, int64_t now) {
  if (!s->lines.len)
    return;
  if (s->fd < 0)
    open_file(s, now);
  int stuck = 0; /* no more rotation in this batch */
  if (s->fd >= 0 && s->size > 0 && now - s->opened_ms >= s->max_age_ms)
    stuck = rotate(s, now) != 0;
  const char *p = s->lines.p, *end = s->lines.p + s->lines.len;
  unsigned long long written = 0, in_file = 0; /* in_file: of written */
  off_t start = s->size; /* where the batch starts in this file */
  int failed = s->fd < 0;
  if (!failed && s->cut && s->size > 0) {
    if (write_all(s->fd, "\n", 1))
      failed = 1;
    else
      s->size++, start++, s->cut = 0;
  }
  while (!failed && p < end) {
    /* The lines that fit, at least one. */
    const char *q = p;
    size_t room = stuck ? (size_t)-1
                  : s->size < (off_t)s->max_bytes
                      ? s->max_bytes - (size_t)s->size
                      : 0;
    unsigned long long lines = 0;
    while (q < end) {
      const char *nl = memchr(q, '\n', (size_t)(end - q));
      const char *next = nl ? nl + 1 : end;
      if ((size_t)(next - p) > room && (lines || s->size > 0))
        break;
      q = next;
      lines++;
    }
    if (!lines) { /* the file is full: start another */
      stuck = rotate(s, now) != 0 || s->size > 0;
      failed = s->fd < 0;
      start = s->size;
      in_file = 0;
      continue;
    }
    if (write_all(s->fd, p, (size_t)(q - p))) {
      failed = 1;
      break;
    }
    s->size += q - p;
    written += lines;
    in_file += lines;
    p = q;
  }
  if (!failed && fdatasync(s->fd))
    failed = 1, written = 0;
  if (failed) {
    int e = errno;
    if (s->fd >= 0 && p < end) {
      /* Whatever a failed or short write left of this file's lines goes:
       * they are counted as lost, and a partial line would spoil the
       * next batch's first line. */
      written -= in_file;
      if (ftruncate(s->fd, start) == 0)
        s->size = start;
      else
        s->cut = 1;
    }
    fprintf(stderr, "aigate: records file %s: %s; %llu records not written\n",
            s->path, s->fd < 0 ? "cannot open" : strerror(e),
            s->pending - written);
    s->dropped[GW_SINK_FILE] += s->pending - written;
    if (s->fd >= 0)
      close(s->fd); /* reopened by the next batch */
    s->fd = -1;
  }
  s->lines.len = 0;
  s->pending = 0;
}

/* ----------------------------------------------------------- syslog */

static void queue_message(gw_sinks *s, int severity, const char *msgid,
                          int64_t ts_ms, const char *text) {
  char stamp[40], head[400];
  utc_stamp(ts_ms, stamp, sizeof(stamp), 1);
  int hn =
      snprintf(head, sizeof(head), "<%d>1 %s %s aigate %ld %s - \xEF\xBB\xBF",
               FACILITY * 8 + severity, stamp, s->host, s->pid, msgid);
  size_t tn = strlen(text), mlen = (size_t)hn + tn;
  char len[24];
  int ln = snprintf(len, sizeof(len), "%zu ", mlen);
  if (hn < 0 || (size_t)hn >= sizeof(head) || (!s->tcp && mlen > UDP_MAX) ||
      s->frames.len + (size_t)ln + mlen > QUEUE_MAX ||
      buf_add(&s->frames, len, (size_t)ln, QUEUE_MAX) ||
      buf_add(&s->frames, head, (size_t)hn, QUEUE_MAX) ||
      buf_add(&s->frames, text, tn, QUEUE_MAX)) {
    s->dropped[GW_SINK_SYSLOG]++;
  }
}

/* The frame at off: where its message starts and its length. */
static size_t frame_at(const buf *b, size_t off, size_t *msg) {
  size_t n = 0, i = off;
  while (i < b->len && b->p[i] != ' ')
    n = n * 10 + (size_t)(b->p[i++] - '0');
  *msg = i + 1;
  return n;
}

static void drop_sent(gw_sinks *s) {
  memmove(s->frames.p, s->frames.p + s->frame_start,
          s->frames.len - s->frame_start);
  s->frames.len -= s->frame_start;
  s->sent -= s->frame_start;
  s->frame_start = 0;
}

static void close_syslog(gw_sinks *s, int64_t now) {
  if (s->sock >= 0)
    close(s->sock);
  s->sock = -1;
  s->connecting = 0;
  s->sent = s->frame_start; /* a cut message is sent again, whole */
  s->retry_at = now + RETRY_MS;
}

static int connect_syslog(gw_sinks *s, int64_t now) {
  s->sock = socket(
      s->addr.ss_family,
      (s->tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (s->sock < 0) {
    s->retry_at = now + RETRY_MS;
    return -1;
  }
  if (connect(s->sock, (struct sockaddr *)&s->addr, s->addr_len) == 0) {
    s->connecting = 0;
    return 0;
  }
  if (errno == EINPROGRESS) {
    s->connecting = 1;
    s->connect_started = now;
    return 0;
  }
  close_syslog(s, now);
  return -1;
}

static void flush_tcp(gw_sinks *s, int64_t now) {
  if (s->sock >= 0 && s->connecting) {
    struct pollfd p = {.fd = s->sock, .events = POLLOUT};
    int err = 0;
    socklen_t el = sizeof(err);
    if (poll(&p, 1, 0) == 0) {
      if (now - s->connect_started > CONNECT_MS)
        close_syslog(s, now);
      return;
    }
    if (getsockopt(s->sock, SOL_SOCKET, SO_ERROR, &err, &el) || err) {
      close_syslog(s, now);
      return;
    }
    s->connecting = 0;
  }
  while (s->sock >= 0 && s->sent < s->frames.len) {
    ssize_t w = send(s->sock, s->frames.p + s->sent, s->frames.len - s->sent,
                     MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      break;
    if (w <= 0) {
      close_syslog(s, now);
      break;
    }
    s->sent += (size_t)w;
    /* Move frame_start past every frame now wholly sent. */
    size_t msg, n;
    while (s->frame_start < s->sent &&
           (n = frame_at(&s->frames, s->frame_start, &msg), msg + n <= s->sent))
      s->frame_start = msg + n;
  }
  drop_sent(s);
}

static void flush_udp(gw_sinks *s, int64_t now) {
  (void)now;
  size_t off = 0;
  while (off < s->frames.len) {
    size_t msg, n = frame_at(&s->frames, off, &msg);
    ssize_t w = send(s->sock, s->frames.p + msg, n, MSG_DONTWAIT);
    if (w < 0 && errno == ECONNREFUSED) /* an earlier datagram's error */
      w = send(s->sock, s->frames.p + msg, n, MSG_DONTWAIT);
    if (w != (ssize_t)n)
      s->dropped[GW_SINK_SYSLOG]++;
    off = msg + n;
  }
  s->frames.len = 0;
}

static void flush_syslog(gw_sinks *s, int64_t now) {
  if (!s->frames.len)
    return;
  if (s->sock < 0 && now >= s->retry_at)
    connect_syslog(s, now);
  if (s->sock < 0)
    return; /* kept for the next attempt, bounded */
  if (s->tcp)
    flush_tcp(s, now);
  else
    flush_udp(s, now);
}

/* "udp://HOST:PORT" / "tcp://HOST:PORT" (checked by the config). */
static int resolve(gw_sinks *s, const char *url, char *err, size_t len) {
  s->tcp = !strncmp(url, "tcp://", 6);
  char host[256], port[8];
  int p;
  if (gw_hostport(url + 6, host, sizeof(host), &p)) {
    snprintf(err, len, "monitoring.records_syslog: '%.60s' is not HOST:PORT",
             url + 6);
    return -1;
  }
  snprintf(port, sizeof(port), "%d", p);
  struct addrinfo hints = {.ai_socktype = s->tcp ? SOCK_STREAM : SOCK_DGRAM},
                  *ai;
  int rc = getaddrinfo(host, port, &hints, &ai);
  if (rc) {
    snprintf(err, len, "monitoring.records_syslog: cannot resolve '%s': %s",
             host, gai_strerror(rc));
    return -1;
  }
  memcpy(&s->addr, ai->ai_addr, ai->ai_addrlen);
  s->addr_len = ai->ai_addrlen;
  freeaddrinfo(ai);
  return 0;
}

/* ------------------------------------------------------------ public */

gw_sinks *gw_sinks_open(const gw_config *cfg, char *err, size_t len) {
  err[0] = '\0';
  if (!cfg->records_file && !cfg->records_syslog)
    return NULL;
  gw_sinks *s = calloc(1, sizeof(*s));
  if (!s) {
    snprintf(err, len, "out of memory");
    return NULL;
  }
  s->fd = s->sock = -1;
  s->pid = (long)getpid();
  int64_t now = gw_wall_ms();
  if (cfg->records_file) {
    s->max_bytes = cfg->records_max_bytes;
    s->max_age_ms = (int64_t)cfg->records_max_age_s * 1000;
    s->keep = cfg->records_keep;
    if (!(s->path = strdup(cfg->records_file)) || open_file(s, now)) {
      snprintf(err, len, "monitoring.records_file: cannot open %s: %s",
               cfg->records_file, strerror(errno));
      gw_sinks_free(s);
      return NULL;
    }
  }
  if (cfg->records_syslog) {
    s->syslog = 1;
    if (resolve(s, cfg->records_syslog, err, len)) {
      gw_sinks_free(s);
      return NULL;
    }
    /* RFC 5424 HOSTNAME: printable US-ASCII, at most 255, else "-". */
    if (gethostname(s->host, sizeof(s->host) - 1) || !s->host[0])
      snprintf(s->host, sizeof(s->host), "-");
    for (char *p = s->host; *p; p++)
      if (*p < 33 || *p > 126)
        *p = '_';
    connect_syslog(s, now);
  }
  return s;
}

/* The frames in the syslog queue not yet wholly sent. */
static unsigned long long frames_left(const gw_sinks *s) {
  unsigned long long n = 0;
  size_t msg;
  for (size_t off = s->frame_start; off < s->frames.len; n++) {
    size_t len = frame_at(&s->frames, off, &msg);
    off = msg + len;
  }
  return n;
}

/* At shutdown: give what is queued for syslog SHUTDOWN_MS to go, then say
 * what is left. */
static void drain_syslog(gw_sinks *s) {
  int64_t now = gw_wall_ms(), deadline = now + SHUTDOWN_MS;
  while (s->frames.len && now < deadline) {
    flush_syslog(s, now);
    if (!s->frames.len)
      break;
    if (s->sock >= 0) {
      struct pollfd p = {.fd = s->sock, .events = POLLOUT};
      poll(&p, 1, 50);
    } else {
      struct timespec ts = {0, 50 * 1000000L};
      nanosleep(&ts, NULL);
    }
    now = gw_wall_ms();
  }
  unsigned long long left = frames_left(s);
  if (left)
    fprintf(stderr,
            "aigate: records syslog: %llu messages not sent at shutdown "
            "(the collector did not take them within %d ms)\n",
            left, SHUTDOWN_MS);
}

void gw_sinks_free(gw_sinks *s) {
  if (!s)
    return;
  if (s->syslog)
    drain_syslog(s);
  if (s->fd >= 0) {
    fdatasync(s->fd);
    close(s->fd);
  }
  if (s->sock >= 0)
    close(s->sock);
  free(s->path);
  free(s->lines.p);
  free(s->frames.p);
  free(s);
}

void gw_sinks_record(gw_sinks *s, const store_audit *a) {
  if (!s)
    return;
  json_t *o = store_audit_json(a);
  char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
  json_decref(o);
  if (!text) {
    for (int i = 0; i < GW_SINK_COUNT; i++)
      s->dropped[i]++;
    return;
  }
  size_t n = strlen(text);
  if (s->path) {
    if (buf_add(&s->lines, text, n, 64u << 20) ||
        buf_add(&s->lines, "\n", 1, 64u << 20))
      s->dropped[GW_SINK_FILE]++;
    else
      s->pending++;
  }
  if (s->syslog)
    queue_message(s, a->decision && !strncmp(a->decision, "block", 5) ? 5 : 6,
                  "request", a->ts_ms, text);
  free(text);
}

void gw_sinks_checkpoint(gw_sinks *s, const char *line, int64_t now_ms) {
  if (s && s->syslog)
    queue_message(s, 6, "checkpoint", now_ms, line);
}

void gw_sinks_flush(gw_sinks *s, int64_t now_ms) {
  if (!s)
    return;
  flush_file(s, now_ms);
  if (s->syslog)
    flush_syslog(s, now_ms);
}

void gw_sinks_take_dropped(gw_sinks *s, unsigned long long out[GW_SINK_COUNT]) {
  for (int i = 0; i < GW_SINK_COUNT; i++) {
    out[i] = s ? s->dropped[i] : 0;
    if (s)
      s->dropped[i] = 0;
  }
}
