/*
 * sse.c -- the incremental text/event-stream parser (see sse.h).
 *
 * The parser is a line splitter feeding a line interpreter. A line that
 * arrives whole inside one piece is interpreted where it lies, without a
 * copy; only a line cut by a piece boundary is gathered in `line`. Three
 * bits of state carry across pieces and make the result independent of
 * the split: `after_cr` (the last line ended in CR, so an LF that comes
 * next belongs to it), `in_comment` (the rest of a comment line is being
 * skipped) and `bom` (how much of a leading byte order mark has been
 * seen). Every limit is checked against the whole line or event, never
 * against the part of it one piece carried, for the same reason.
 *
 * Memory: the struct, plus `line` (the longest cut line), `data` (the
 * largest event) and `event` (the longest event type), all allocated on
 * first use. A buffer that grew past SHRINK_ABOVE is freed after use, so
 * one large event does not pin memory for the rest of a long stream.
 */
#include "sse.h"

#include <stdlib.h>
#include <string.h>

#define SHRINK_ABOVE ((size_t)16 << 10)
#define MIN_CAP 128

static const unsigned char BOM[3] = {0xEF, 0xBB, 0xBF};

struct gw_sse {
  gw_sse_cb cb;
  void *ud;
  size_t max;
  char *line, *data, *event;
  size_t line_len, line_cap;
  size_t data_len, data_cap;
  size_t event_len, event_cap;
  int has_data;   /* the pending event has a data field */
  int after_cr;   /* the previous line ended with CR */
  int in_comment; /* skipping the rest of a comment line */
  int bom;        /* 0..2: bytes of a BOM seen; 3: past the start */
  int stopped;    /* the sticky non-zero result, 0 while parsing */
};

gw_sse *gw_sse_new(size_t max_event_bytes, gw_sse_cb cb, void *ud) {
  if (!cb)
    return NULL;
  gw_sse *p = calloc(1, sizeof(*p));
  if (!p)
    return NULL;
  p->cb = cb;
  p->ud = ud;
  p->max = max_event_bytes ? max_event_bytes : GW_SSE_DEFAULT_MAX;
  return p;
}

void gw_sse_free(gw_sse *p) {
  if (!p)
    return;
  free(p->line);
  free(p->data);
  free(p->event);
  free(p);
}

/* Make room for `need` bytes in *buf. The callers bound `need` by the
 * parser's limit (+1 for a NUL), so doubling cannot overflow. */
static int reserve(char **buf, size_t *cap, size_t need) {
  if (need <= *cap)
    return 0;
  size_t n = *cap ? *cap * 2 : MIN_CAP;
  if (n < need)
    n = need;
  char *b = realloc(*buf, n);
  if (!b)
    return GW_SSE_NOMEM;
  *buf = b;
  *cap = n;
  return 0;
}

static void shrink(char **buf, size_t *cap) {
  if (*cap > SHRINK_ABOVE) {
    free(*buf);
    *buf = NULL;
    *cap = 0;
  }
}

/* A blank line: hand the pending event to the callback if it had data,
 * and start the next one either way. */
static int dispatch(gw_sse *p) {
  int rc = 0;
  if (p->has_data) {
    const char *data = "";
    if (p->data) {
      p->data[p->data_len] = '\0';
      data = p->data;
    }
    const char *event = "";
    if (p->event_len) {
      p->event[p->event_len] = '\0';
      event = p->event;
    }
    rc = p->cb(p->ud, event, data, p->data_len);
    shrink(&p->data, &p->data_cap);
    shrink(&p->event, &p->event_cap);
  }
  p->has_data = 0;
  p->data_len = 0;
  p->event_len = 0;
  return rc;
}

/* Split a non-empty line into field name and value: everything before the
 * first colon is the name; one space after it is dropped; no colon means
 * the whole line is the name and the value is empty. */
static void split_field(const char *l, size_t len, size_t *name_len,
                        const char **value, size_t *value_len) {
  const char *colon = memchr(l, ':', len);
  if (!colon) {
    *name_len = len;
    *value = l + len;
    *value_len = 0;
    return;
  }
  *name_len = (size_t)(colon - l);
  *value = colon + 1;
  *value_len = len - *name_len - 1;
  if (*value_len && **value == ' ') {
    (*value)++;
    (*value_len)--;
  }
}

static int is_field(const char *name, size_t len, const char *want) {
  return len == strlen(want) && memcmp(name, want, len) == 0;
}

/* Interpret one complete line (without its line end). */
static int line(gw_sse *p, const char *l, size_t len) {
  if (len > p->max)
    return GW_SSE_TOO_LARGE;
  if (len == 0)
    return dispatch(p);
  if (l[0] == ':')
    return 0;
  size_t name_len, vlen;
  const char *value;
  split_field(l, len, &name_len, &value, &vlen);
  if (is_field(l, name_len, "data")) {
    size_t sep = p->has_data ? 1 : 0;
    /* data_len <= max and vlen <= max: the sum cannot overflow */
    if (p->data_len + sep + vlen > p->max)
      return GW_SSE_TOO_LARGE;
    if (reserve(&p->data, &p->data_cap, p->data_len + sep + vlen + 1))
      return GW_SSE_NOMEM;
    if (sep)
      p->data[p->data_len++] = '\n';
    memcpy(p->data + p->data_len, value, vlen);
    p->data_len += vlen;
    p->has_data = 1;
  } else if (is_field(l, name_len, "event")) {
    if (reserve(&p->event, &p->event_cap, vlen + 1))
      return GW_SSE_NOMEM;
    memcpy(p->event, value, vlen);
    p->event_len = vlen;
  }
  /* id, retry and unknown fields: nothing a gateway uses */
  return 0;
}

/* Gather part of a line cut by the end of a piece. */
static int gather(gw_sse *p, const char *s, size_t n) {
  if (n > p->max - p->line_len)
    return GW_SSE_TOO_LARGE;
  if (reserve(&p->line, &p->line_cap, p->line_len + n))
    return GW_SSE_NOMEM;
  memcpy(p->line + p->line_len, s, n);
  p->line_len += n;
  return 0;
}

static size_t line_end(const char *s, size_t i, size_t n) {
  while (i < n && s[i] != '\n' && s[i] != '\r')
    i++;
  return i;
}

/* Split s[0, n) into lines (after the BOM check). */
static int scan(gw_sse *p, const char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    if (p->after_cr) {
      p->after_cr = 0;
      if (s[i] == '\n') {
        i++;
        continue;
      }
    }
    if (!p->in_comment && p->line_len == 0 && s[i] == ':')
      p->in_comment = 1;
    size_t j = line_end(s, i, n);
    if (j == n) { /* the line goes on in the next piece */
      return p->in_comment ? 0 : gather(p, s + i, n - i);
    }
    int rc;
    if (p->in_comment) {
      p->in_comment = 0;
      rc = 0;
    } else if (p->line_len == 0) {
      rc = line(p, s + i, j - i);
    } else {
      rc = gather(p, s + i, j - i);
      if (!rc)
        rc = line(p, p->line, p->line_len);
      p->line_len = 0;
      shrink(&p->line, &p->line_cap);
    }
    p->after_cr = s[j] == '\r';
    i = j + 1;
    if (rc)
      return rc;
  }
  return 0;
}

int gw_sse_feed(gw_sse *p, const char *buf, size_t len) {
  if (p->stopped)
    return p->stopped;
  const unsigned char *u = (const unsigned char *)buf;
  size_t i = 0;
  int rc = 0;
  /* One BOM may open the stream; its bytes can arrive in separate pieces,
   * and a partial match turns out to be ordinary bytes. */
  while (p->bom < 3 && i < len) {
    if (u[i] == BOM[p->bom]) {
      p->bom++;
      i++;
      continue;
    }
    int held = p->bom;
    p->bom = 3;
    rc = scan(p, (const char *)BOM, (size_t)held);
    break;
  }
  if (!rc)
    rc = scan(p, buf + i, len - i);
  p->stopped = rc;
  return rc;
}

int gw_sse_finish(gw_sse *p) {
  /* A stopped parser's state depends on where the pieces were cut (an
   * over-long line is refused before its end arrives), so it says
   * nothing: the caller already has the error. */
  int cut = !p->stopped && p->has_data;
  if (!p->stopped && !p->in_comment && p->line_len) {
    size_t name_len, vlen;
    const char *value;
    split_field(p->line, p->line_len, &name_len, &value, &vlen);
    cut |= is_field(p->line, name_len, "data");
  }
  free(p->line);
  free(p->data);
  free(p->event);
  gw_sse_cb cb = p->cb;
  void *ud = p->ud;
  size_t max = p->max;
  memset(p, 0, sizeof(*p));
  p->cb = cb;
  p->ud = ud;
  p->max = max;
  return cut;
}
