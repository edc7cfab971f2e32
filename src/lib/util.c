/*
 * util.c -- small helpers shared by libaigate's files.
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void ag_err(aigate_error *err, const char *fmt, ...) {
  if (!err)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
  va_end(ap);
}

const char *aigate_strerror(int status) {
  switch (status) {
  case AIGATE_OK: return "success";
  case AIGATE_ERR_NOMEM: return "out of memory";
  case AIGATE_ERR_INVALID: return "invalid argument";
  case AIGATE_ERR_CONFIG: return "invalid configuration or rules";
  case AIGATE_ERR_TOO_LARGE: return "input exceeds a configured limit";
  case AIGATE_ERR_IO: return "input/output error";
  case AIGATE_ERR_MATCHER: return "matcher failure";
  case AIGATE_ERR_NOT_FOUND: return "not found";
  default: return "unknown error";
  }
}

const char *aigate_action_name(aigate_action a) {
  static const char *names[] = {"allow", "log", "redact", "block"};
  return (unsigned)a < 4 ? names[a] : "?";
}

int ag_read_file(const char *path, size_t max, char **out, size_t *len,
                 aigate_error *err) {
  *out = NULL;
  *len = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    ag_err(err, "%s: %s", path, strerror(errno));
    return AIGATE_ERR_IO;
  }
  struct stat st;
  if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
    ag_err(err, "%s: not a regular file", path);
    close(fd);
    return AIGATE_ERR_IO;
  }
  if ((size_t)st.st_size > max) {
    ag_err(err, "%s: larger than %zu bytes", path, max);
    close(fd);
    return AIGATE_ERR_TOO_LARGE;
  }
  size_t cap = (size_t)st.st_size;
  char *buf = malloc(cap + 1);
  if (!buf) {
    close(fd);
    return AIGATE_ERR_NOMEM;
  }
  size_t n = 0;
  while (n < cap) {
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break; /* the file shrank: keep what was read */
    n += (size_t)r;
  }
  close(fd);
  buf[n] = '\0';
  *out = buf;
  *len = n;
  return AIGATE_OK;
}

int ag_valid_name(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > 64)
    return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
             (i > 0 && (c == '-' || c == '_' || c == '.'));
    if (!ok)
      return 0;
  }
  return 1;
}

void ag_buf_append(ag_buf *b, const void *p, size_t n) {
  if (b->failed || n == 0)
    return;
  if (b->cap - b->len < n + 1) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < n + 1) {
      if (cap > ((size_t)-1) / 2) {
        b->failed = 1;
        return;
      }
      cap *= 2;
    }
    char *d = realloc(b->data, cap);
    if (!d) {
      b->failed = 1;
      return;
    }
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void ag_buf_putc(ag_buf *b, char c) {
  ag_buf_append(b, &c, 1);
}

void ag_buf_puts(ag_buf *b, const char *s) {
  ag_buf_append(b, s, strlen(s));
}

void ag_buf_put_fmt(ag_buf *b, const char *fmt, const char *arg) {
  const char *at = strstr(fmt, "%s");
  if (!at) {
    ag_buf_puts(b, fmt);
    return;
  }
  ag_buf_append(b, fmt, (size_t)(at - fmt));
  ag_buf_puts(b, arg);
  ag_buf_append(b, at + 2, strlen(at + 2));
}

void ag_buf_free(ag_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

size_t ag_str_put(char *dst, size_t cap, size_t at, const char *s) {
  if (at >= cap)
    at = cap - 1;
  size_t n = strnlen(s, cap - 1 - at);
  memcpy(dst + at, s, n);
  dst[at + n] = '\0';
  return at + n;
}

size_t ag_str_put_uint(char *dst, size_t cap, size_t at, unsigned long long v) {
  char digits[24], *p = digits + sizeof(digits);
  *--p = '\0';
  do
    *--p = (char)('0' + v % 10);
  while (v /= 10);
  return ag_str_put(dst, cap, at, p);
}

size_t ag_str_put_hex(char *dst, size_t cap, size_t at, unsigned long long v,
                      int width) {
  char digits[24], *p = digits + sizeof(digits);
  *--p = '\0';
  int n = 0; /* at most 16 digits: the width is capped to a 64-bit v's */
  do {
    *--p = "0123456789abcdef"[v & 15];
    v >>= 4;
    n++;
  } while (v || (n < width && n < 16));
  return ag_str_put(dst, cap, at, p);
}
