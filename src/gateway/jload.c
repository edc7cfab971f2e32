/*
 * jload.c -- reading the JSON documents of the gateway's requests and
 * answers: yajl's lexer builds jansson's documents.
 *
 * Every request and every non-streamed answer is read into a jansson
 * document, which the guards walk and edit. jansson's own reader was the
 * largest single cost of a request (about 30 % of the gateway's
 * instructions for a 600-byte chat request and its answer): its lexer
 * fetches each byte through a function pointer and copies it, one byte
 * at a time, into a buffer. yajl (Debian's libyajl) scans strings and
 * numbers in bulk and hands them over whole, so here yajl reads the text
 * and its events create the same jansson values json_loadb would have.
 *
 * What both readers must agree on, and how it is kept:
 *  - Where the two differ, jansson decides. Texts with a \u escape (yajl
 *    drops an escaped NUL and turns a lone surrogate into '?', jansson
 *    keeps the one and refuses the other) or a vertical tab or form feed
 *    (whitespace to yajl, not to jansson) go to json_loadb unread.
 *  - Strings and keys become jansson values through jansson's checked
 *    constructors, which refuse overlong forms, encoded surrogates and
 *    code points past U+10FFFF as json_loadb does (yajl only checks the
 *    shape of UTF-8). A string or key of ASCII bytes alone is valid UTF-8
 *    as it is: it skips that check, which reads a byte at a time (3 % of
 *    a request's instructions), after one that reads eight.
 *  - Whatever yajl refuses, and whatever this file does not want to judge
 *    (a scalar document, nesting past GW_JLOAD_MAX_DEPTH, a duplicate key
 *    under JSON_REJECT_DUPLICATES, numbers out of range, anything but
 *    whitespace after the document), is read again by json_loadb, which
 *    accepts it or gives its own error text and position: errors read
 *    exactly as before. A refused text costs both readings: up to about
 *    1.5 times what jansson's alone cost (this reading takes about half
 *    of jansson's instructions), also for bad JSON sent on purpose.
 *  - fuzz_jload checks on arbitrary input that a document read here is
 *    one json_loadb reads too, equal and with its keys in the same order.
 */
#include <stdint.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "jload.h"

typedef struct {
  yajl_handle h;
  json_t *root;
  size_t root_end; /* bytes up to the root's closing bracket */
  json_t *stack[GW_JLOAD_MAX_DEPTH]; /* open objects and arrays */
  int depth;
  int reject_duplicates;
  /* The key waiting for its value: yajl's pointer may not outlive the
   * callback (an escaped string is decoded into a buffer it reuses). */
  char key_small[128];
  char *key; /* key_small or malloc'd */
  size_t key_len, key_cap;
  int has_key;
} builder;

/* No byte of s[0, len) above 0x7f: ASCII, so valid UTF-8. */
static int all_ascii(const char *s, size_t len) {
  uint64_t bits = 0, w;
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    memcpy(&w, s + i, 8);
    bits |= w;
  }
  for (; i < len; i++)
    bits |= (unsigned char)s[i];
  return !(bits & 0x8080808080808080ull);
}

/* Adds v (a new reference, taken over) where the document is: to the
 * open array, under the waiting key of the open object, or as the root
 * when it is a container. 1, or 0 to stop the reading. */
static int put(builder *b, json_t *v) {
  if (!v)
    return 0;
  if (b->depth == 0) {
    if (b->root || (!json_is_object(v) && !json_is_array(v))) {
      json_decref(v); /* a scalar document: jansson's error to give */
      return 0;
    }
    b->root = v;
    return 1;
  }
  json_t *parent = b->stack[b->depth - 1];
  if (json_is_array(parent))
    return json_array_append_new(parent, v) == 0;
  if (!b->has_key) {
    json_decref(v);
    return 0;
  }
  b->has_key = 0;
  if (b->reject_duplicates && json_object_getn(parent, b->key, b->key_len)) {
    json_decref(v);
    return 0;
  }
  /* Checks the key's UTF-8 as json_loadb does. */
  if (all_ascii(b->key, b->key_len))
    return json_object_setn_new_nocheck(parent, b->key, b->key_len, v) == 0;
  return json_object_setn_new(parent, b->key, b->key_len, v) == 0;
}

static int open_container(builder *b, json_t *c) {
  if (!c || b->depth >= GW_JLOAD_MAX_DEPTH) {
    json_decref(c);
    return 0;
  }
  json_incref(c); /* put takes one reference; the stack borrows */
  if (!put(b, c)) {
    json_decref(c);
    return 0;
  }
  json_decref(c);
  b->stack[b->depth++] = c;
  return 1;
}

static int on_null(void *ctx) {
  return put(ctx, json_null());
}

static int on_boolean(void *ctx, int v) {
  return put(ctx, json_boolean(v));
}

static int on_integer(void *ctx, long long v) {
  return put(ctx, json_integer((json_int_t)v));
}

static int on_double(void *ctx, double v) {
  return put(ctx, json_real(v));
}

static int on_string(void *ctx, const unsigned char *s, size_t len) {
  const char *t = (const char *)s;
  return put(ctx, all_ascii(t, len) ? json_stringn_nocheck(t, len)
                                    : json_stringn(t, len));
}

static int on_start_map(void *ctx) {
  return open_container(ctx, json_object());
}

static int on_start_array(void *ctx) {
  return open_container(ctx, json_array());
}

static int on_end(void *ctx) {
  builder *b = ctx;
  if (b->depth == 0)
    return 0;
  if (--b->depth == 0) /* yajl's count is past the bracket already */
    b->root_end = yajl_get_bytes_consumed(b->h);
  return 1;
}

static int on_key(void *ctx, const unsigned char *key, size_t len) {
  builder *b = ctx;
  if (len >= b->key_cap) {
    size_t cap = len + 1 > 2 * b->key_cap ? len + 1 : 2 * b->key_cap;
    char *k = malloc(cap);
    if (!k)
      return 0;
    if (b->key != b->key_small)
      free(b->key);
    b->key = k;
    b->key_cap = cap;
  }
  memcpy(b->key, key, len);
  b->key[len] = '\0';
  b->key_len = len;
  b->has_key = 1;
  return 1;
}

static const yajl_callbacks callbacks = {
    on_null,      on_boolean, on_integer, on_double,      NULL,  on_string,
    on_start_map, on_key,     on_end,     on_start_array, on_end};

/* Only JSON whitespace from i on. yajl lets an unterminated string
 * after the document pass as the start of a token it never completes. */
static int blank_from(const char *buf, size_t len, size_t i) {
  for (; i < len; i++)
    if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\n' && buf[i] != '\r')
      return 0;
  return 1;
}

/* A text that yajl could read otherwise than jansson: a \u escape, a
 * vertical tab or a form feed anywhere. memchr's passes are far faster
 * than a loop over the bytes; backslashes are rare in prompts. */
static int left_to_jansson(const char *buf, size_t len) {
  if (memchr(buf, '\v', len) || memchr(buf, '\f', len))
    return 1;
  const char *end = buf + len;
  for (const char *p = buf; (p = memchr(p, '\\', (size_t)(end - p)));) {
    if (++p == end) /* not JSON: jansson says why */
      return 1;
    if (*p == 'u')
      return 1;
    p++; /* past the escaped character, even a backslash */
  }
  return 0;
}

json_t *gw_json_load_fast(const char *buf, size_t len, size_t flags) {
  if (flags & ~(size_t)(JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL))
    return NULL;
  if (!buf || len > GW_JLOAD_MAX_BYTES || left_to_jansson(buf, len))
    return NULL;
  builder *b = malloc(sizeof(*b));
  if (!b)
    return NULL;
  b->root = NULL;
  b->root_end = 0;
  b->depth = 0;
  b->reject_duplicates = (flags & JSON_REJECT_DUPLICATES) != 0;
  b->key = b->key_small;
  b->key_cap = sizeof(b->key_small);
  b->key_len = 0;
  b->has_key = 0;
  json_t *doc = NULL;
  yajl_handle h = b->h = yajl_alloc(&callbacks, NULL, b);
  if (h && yajl_parse(h, (const unsigned char *)buf, len) == yajl_status_ok &&
      yajl_complete_parse(h) == yajl_status_ok && b->root && b->depth == 0 &&
      blank_from(buf, len, b->root_end)) {
    doc = b->root;
    b->root = NULL;
  }
  if (h)
    yajl_free(h);
  json_decref(b->root);
  if (b->key != b->key_small)
    free(b->key);
  free(b);
  return doc;
}

json_t *gw_json_load(const char *buf, size_t len, size_t flags,
                     json_error_t *err) {
  json_t *doc = gw_json_load_fast(buf, len, flags);
  if (doc)
    return doc;
  return json_loadb(buf ? buf : "", buf ? len : 0, flags, err);
}
