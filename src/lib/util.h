/*
 * util.h -- small helpers shared by libaigate's files: bounded file
 * reading, name checks, growable byte buffers.
 */
#ifndef AIGATE_UTIL_H
#define AIGATE_UTIL_H

#include <stddef.h>

#include "internal.h"

/* Read a whole regular file of at most `max` bytes into a NUL-terminated
 * malloc'ed buffer. Errors (missing, too large, unreadable) go to err. */
int ag_read_file(const char *path, size_t max, char **out, size_t *len,
                 aigate_error *err);

/* Names of rules, categories and profiles: [a-z0-9][a-z0-9_.-]{0,63}. */
int ag_valid_name(const char *s);

int ag_parse_action(const char *s, aigate_action *out);
/* "critical" 5, "high" 4, "medium" 3, "low" 2; -1 when unknown. */
int ag_parse_severity(const char *s);

/* A growable byte buffer; on allocation failure `failed` is set and
 * further appends are ignored, so callers check once at the end. */
typedef struct {
  char *data;
  size_t len, cap;
  int failed;
} ag_buf;

void ag_buf_append(ag_buf *b, const void *p, size_t n);
void ag_buf_putc(ag_buf *b, char c);
/* Append the NUL-terminated string s (without its NUL). */
void ag_buf_puts(ag_buf *b, const char *s);
/* Append fmt with its first "%s" replaced by arg (fmt as it is when it
 * has none); no other conversion is read. */
void ag_buf_put_fmt(ag_buf *b, const char *fmt, const char *arg);
void ag_buf_free(ag_buf *b);

/* Short strings built in place without printf's cost: field paths, ids
 * and copies that every request formats (about 700 instructions each
 * through snprintf). dst holds cap bytes (cap > 0); at is where to
 * write, the length so far. The text is cut at cap - 1 bytes and dst
 * always ends with a NUL, as with snprintf. Each returns the new length,
 * at most cap - 1, to pass as the next call's at. */
size_t ag_str_put(char *dst, size_t cap, size_t at, const char *s);
size_t ag_str_put_uint(char *dst, size_t cap, size_t at, unsigned long long v);
/* v in lowercase hexadecimal, at least width digits (zeros in front). */
size_t ag_str_put_hex(char *dst, size_t cap, size_t at, unsigned long long v,
                      int width);

#endif
