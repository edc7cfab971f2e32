/*
 * yamltree.c -- builds a bounded tree from libyaml's event stream.
 *
 * Why events and not yaml_parser_load(): the document loader neither bounds
 * alias expansion nor keeps our limits on depth, and we want one arena that
 * is freed in one call. Every node is allocated from the document's arena;
 * an alias points at the anchored node (no copy), and `expanded` counts
 * what a walker would visit, which is what YT_MAX_NODES bounds.
 */
#include "yamltree.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "internal.h"

typedef struct chunk {
  struct chunk *next;
  size_t used, cap;
  _Alignas(max_align_t) unsigned char data[];
} chunk;

typedef struct {
  char *name;
  yt_node *node;
  size_t weight; /* expanded node count of the anchored subtree */
} anchor;

struct yt_doc {
  chunk *arena;
  yt_node *root;
  char *name;
};

/* Parser state for one document. */
typedef struct {
  yt_doc *doc;
  yaml_parser_t parser;
  anchor *anchors;
  size_t n_anchors, cap_anchors;
  size_t expanded; /* nodes including alias expansions */
  size_t aliases;
  int depth;
  char *err;
  size_t errlen;
} builder;

static void *arena_alloc(yt_doc *doc, size_t size) {
  size = (size + 15) & ~(size_t)15;
  chunk *c = doc->arena;
  if (!c || c->cap - c->used < size) {
    size_t cap = size > 16384 ? size : 16384;
    c = malloc(sizeof(chunk) + cap);
    if (!c)
      return NULL;
    c->next = doc->arena;
    c->used = 0;
    c->cap = cap;
    doc->arena = c;
  }
  void *p = c->data + c->used;
  c->used += size;
  memset(p, 0, size);
  return p;
}

static void fail(builder *b, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail(builder *b, int line, int col, const char *fmt, ...) {
  if (b->err[0])
    return; /* keep the first error */
  int n = snprintf(b->err, b->errlen, "%s:%d:%d: ", b->doc->name, line, col);
  if (n < 0 || (size_t)n >= b->errlen)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(b->err + n, b->errlen - (size_t)n, fmt, ap);
  va_end(ap);
}

static int count_node(builder *b, const yaml_event_t *ev, size_t weight) {
  b->expanded += weight;
  if (b->expanded > YT_MAX_NODES) {
    fail(b, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
         "document too large (more than %d nodes, aliases expanded)",
         YT_MAX_NODES);
    return -1;
  }
  return 0;
}

static int remember_anchor(builder *b, const unsigned char *name, yt_node *node,
                           size_t weight) {
  if (!name)
    return 0;
  if (b->n_anchors == b->cap_anchors) {
    size_t cap = b->cap_anchors ? b->cap_anchors * 2 : 16;
    anchor *a = realloc(b->anchors, cap * sizeof(*a));
    if (!a)
      return -1;
    b->anchors = a;
    b->cap_anchors = cap;
  }
  size_t len = strlen((const char *)name);
  char *copy = arena_alloc(b->doc, len + 1);
  if (!copy)
    return -1;
  memcpy(copy, name, len);
  /* A later anchor with the same name shadows the earlier one (YAML 1.2). */
  b->anchors[b->n_anchors++] = (anchor){copy, node, weight};
  return 0;
}

static const anchor *find_anchor(const builder *b, const unsigned char *name) {
  for (size_t i = b->n_anchors; i-- > 0;)
    if (strcmp(b->anchors[i].name, (const char *)name) == 0)
      return &b->anchors[i];
  return NULL;
}

static int next_event(builder *b, yaml_event_t *ev) {
  if (!yaml_parser_parse(&b->parser, ev)) {
    fail(b, (int)b->parser.problem_mark.line + 1,
         (int)b->parser.problem_mark.column + 1, "%s",
         b->parser.problem ? b->parser.problem : "invalid YAML");
    return -1;
  }
  return 0;
}

static yt_node *new_node(builder *b, yt_type type, const yaml_event_t *ev) {
  yt_node *n = arena_alloc(b->doc, sizeof(*n));
  if (!n) {
    fail(b, 0, 0, "out of memory");
    return NULL;
  }
  n->type = type;
  n->line = (int)ev->start_mark.line + 1;
  n->col = (int)ev->start_mark.column + 1;
  return n;
}

static int cmp_key(const void *a, const void *b) {
  const yt_node *x = *(const yt_node *const *)a;
  const yt_node *y = *(const yt_node *const *)b;
  if (x->len != y->len)
    return x->len < y->len ? -1 : 1;
  int c = memcmp(x->str, y->str, x->len);
  if (c)
    return c;
  if (x->line != y->line) /* equal keys: the earlier one first */
    return x->line < y->line ? -1 : 1;
  return (x->col > y->col) - (x->col < y->col);
}

/* YAML requires the keys of a map to be unique, but libyaml does not check.
 * The loaders would keep one of the values (silently, or leaking the
 * other): a policy written twice must be an error, not a coin toss.
 * Sorting keeps the check O(n log n) for maps with many keys. */
static int check_unique_keys(builder *b, const yt_node *map) {
  if (map->n < 2)
    return 0;
  const yt_node **keys = malloc(map->n * sizeof(*keys));
  if (!keys) {
    fail(b, map->line, map->col, "out of memory");
    return -1;
  }
  for (size_t i = 0; i < map->n; i++)
    keys[i] = map->kids[2 * i];
  qsort(keys, map->n, sizeof(*keys), cmp_key);
  int rc = 0;
  for (size_t i = 1; i < map->n && !rc; i++)
    if (keys[i]->len == keys[i - 1]->len &&
        memcmp(keys[i]->str, keys[i - 1]->str, keys[i]->len) == 0) {
      fail(b, keys[i]->line, keys[i]->col, "duplicate key '%s'", keys[i]->str);
      rc = -1;
    }
  free(keys);
  return rc;
}

/* Parse the node whose first event is ev; returns NULL on error.
 * *weight receives the expanded size of the node. */
static yt_node *build(builder *b, yaml_event_t *ev, size_t *weight);

static yt_node *build_collection(builder *b, yaml_event_t *start, int is_map,
                                 size_t *weight) {
  if (++b->depth > YT_MAX_DEPTH) {
    fail(b, (int)start->start_mark.line + 1, (int)start->start_mark.column + 1,
         "nesting deeper than %d", YT_MAX_DEPTH);
    return NULL;
  }
  yt_node *node = new_node(b, is_map ? YT_MAP : YT_SEQ, start);
  if (!node || count_node(b, start, 1) < 0)
    return NULL;
  const unsigned char *anchor_name = is_map ? start->data.mapping_start.anchor
                                            : start->data.sequence_start.anchor;
  size_t my_weight = 1, cap = 0, items = 0;
  yaml_event_type_t end =
      is_map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
  for (;;) {
    yaml_event_t ev;
    if (next_event(b, &ev) < 0)
      return NULL;
    if (ev.type == end) {
      yaml_event_delete(&ev);
      break;
    }
    size_t w = 0;
    yt_node *kid = build(b, &ev, &w);
    yaml_event_delete(&ev);
    if (!kid)
      return NULL;
    /* Walkers compare keys with strcmp: a list or map as a key ("? [a]")
     * has no string to compare. */
    if (is_map && items % 2 == 0 && kid->type != YT_SCALAR) {
      fail(b, kid->line, kid->col, "a map key must be a scalar, not a %s",
           yt_type_name(kid));
      return NULL;
    }
    my_weight += w;
    /* Arrays grow in the arena: store into a flat list, fix up below. */
    if (items == cap) {
      size_t ncap = cap ? cap * 2 : 8;
      yt_node **k = arena_alloc(b->doc, ncap * sizeof(*k));
      if (!k) {
        fail(b, 0, 0, "out of memory");
        return NULL;
      }
      if (items)
        memcpy(k, node->kids, items * sizeof(*k));
      node->kids = k;
      cap = ncap;
    }
    node->kids[items++] = kid;
  }
  node->n = is_map ? items / 2 : items;
  if (is_map && check_unique_keys(b, node) < 0)
    return NULL;
  b->depth--;
  *weight = my_weight;
  if (remember_anchor(b, anchor_name, node, my_weight) < 0) {
    fail(b, node->line, node->col, "out of memory");
    return NULL;
  }
  return node;
}

static yt_node *build(builder *b, yaml_event_t *ev, size_t *weight) {
  switch (ev->type) {
  case YAML_SCALAR_EVENT: {
    yt_node *n = new_node(b, YT_SCALAR, ev);
    if (!n || count_node(b, ev, 1) < 0)
      return NULL;
    n->len = ev->data.scalar.length;
    n->str = arena_alloc(b->doc, n->len + 1);
    if (!n->str) {
      fail(b, n->line, n->col, "out of memory");
      return NULL;
    }
    memcpy(n->str, ev->data.scalar.value, n->len);
    n->quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE ||
                ev->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
                ev->data.scalar.style == YAML_FOLDED_SCALAR_STYLE;
    *weight = 1;
    if (remember_anchor(b, ev->data.scalar.anchor, n, 1) < 0) {
      fail(b, n->line, n->col, "out of memory");
      return NULL;
    }
    return n;
  }
  case YAML_SEQUENCE_START_EVENT: return build_collection(b, ev, 0, weight);
  case YAML_MAPPING_START_EVENT: return build_collection(b, ev, 1, weight);
  case YAML_ALIAS_EVENT: {
    int line = (int)ev->start_mark.line + 1,
        col = (int)ev->start_mark.column + 1;
    if (++b->aliases > YT_MAX_ALIASES) {
      fail(b, line, col, "more than %d aliases", YT_MAX_ALIASES);
      return NULL;
    }
    const anchor *a = find_anchor(b, ev->data.alias.anchor);
    if (!a) {
      fail(b, line, col, "unknown alias '%s'", ev->data.alias.anchor);
      return NULL;
    }
    if (count_node(b, ev, a->weight) < 0)
      return NULL;
    *weight = a->weight;
    return a->node;
  }
  default:
    fail(b, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
         "unexpected YAML event");
    return NULL;
  }
}

static int parse_stream(builder *b) {
  yaml_event_t ev;
  int docs = 0;
  for (;;) {
    if (next_event(b, &ev) < 0)
      return -1;
    yaml_event_type_t t = ev.type;
    int line = (int)ev.start_mark.line + 1, col = (int)ev.start_mark.column + 1;
    if (t == YAML_STREAM_END_EVENT) {
      yaml_event_delete(&ev);
      return 0;
    }
    if (t == YAML_STREAM_START_EVENT || t == YAML_DOCUMENT_END_EVENT) {
      yaml_event_delete(&ev);
      continue;
    }
    if (t == YAML_DOCUMENT_START_EVENT) {
      yaml_event_delete(&ev);
      if (++docs > 1) {
        fail(b, line, col, "more than one YAML document");
        return -1;
      }
      continue;
    }
    size_t w = 0;
    yt_node *root = build(b, &ev, &w);
    yaml_event_delete(&ev);
    if (!root)
      return -1;
    b->doc->root = root;
  }
}

yt_doc *yt_parse(const char *name, const char *buf, size_t len, char *err,
                 size_t errlen) {
  err[0] = '\0';
  if (len > YT_MAX_BYTES) {
    snprintf(err, errlen, "%s: file larger than %u bytes", name, YT_MAX_BYTES);
    return NULL;
  }
  if (memchr(buf, '\0', len)) {
    snprintf(err, errlen, "%s: file contains a NUL byte", name);
    return NULL;
  }
  yt_doc *doc = calloc(1, sizeof(*doc));
  if (!doc || !(doc->name = strdup(name))) {
    free(doc);
    snprintf(err, errlen, "%s: out of memory", name);
    return NULL;
  }
  builder b = {.doc = doc, .err = err, .errlen = errlen};
  if (!yaml_parser_initialize(&b.parser)) {
    snprintf(err, errlen, "%s: out of memory", name);
    yt_free(doc);
    return NULL;
  }
  yaml_parser_set_input_string(&b.parser, (const unsigned char *)buf, len);
  int rc = parse_stream(&b);
  yaml_parser_delete(&b.parser);
  free(b.anchors);
  if (rc < 0) {
    if (!err[0])
      snprintf(err, errlen, "%s: invalid YAML", name);
    yt_free(doc);
    return NULL;
  }
  return doc;
}

void yt_free(yt_doc *doc) {
  if (!doc)
    return;
  for (chunk *c = doc->arena, *next; c; c = next) {
    next = c->next;
    free(c);
  }
  free(doc->name);
  free(doc);
}

const yt_node *yt_root(const yt_doc *doc) {
  return doc->root;
}
const char *yt_name(const yt_doc *doc) {
  return doc->name;
}

const yt_node *yt_get(const yt_node *map, const char *key) {
  if (!map || map->type != YT_MAP)
    return NULL;
  for (size_t i = 0; i < map->n; i++) {
    const yt_node *k = map->kids[2 * i];
    if (k->type == YT_SCALAR && strcmp(k->str, key) == 0)
      return map->kids[2 * i + 1];
  }
  return NULL;
}

const char *yt_type_name(const yt_node *node) {
  if (!node)
    return "nothing";
  switch (node->type) {
  case YT_SCALAR: return "scalar";
  case YT_SEQ: return "list";
  default: return "map";
  }
}

/* ------------------------------------------------------- typed reading */

#define KIB ((size_t)1 << 10)
#define MIB ((size_t)1 << 20)
#define GIB ((size_t)1 << 30)

int yt_vfail(const yt_where *w, const yt_node *n, const char *fmt, va_list ap) {
  char msg[400];
  vsnprintf(msg, sizeof(msg), fmt, ap);
  if (n)
    ag_err(w->err, "%s:%d: %s", w->name, n->line, msg);
  else
    ag_err(w->err, "%s: %s", w->name, msg);
  return AIGATE_ERR_CONFIG;
}

static int node_fail(const yt_where *w, const yt_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int node_fail(const yt_where *w, const yt_node *n, const char *fmt,
                     ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = yt_vfail(w, n, fmt, ap);
  va_end(ap);
  return rc;
}

int yt_want(const yt_where *w, const yt_node *n, yt_type type,
            const char *what) {
  if (n && n->type == type)
    return 0;
  static const char *names[] = {"a scalar", "a list", "a map"};
  return node_fail(w, n, "%s must be %s, not a %s", what, names[type],
                   yt_type_name(n));
}

int yt_is_null(const yt_node *n) {
  return n->type == YT_SCALAR && !n->quoted &&
         (n->len == 0 || strcmp(n->str, "~") == 0 ||
          strcmp(n->str, "null") == 0 || strcmp(n->str, "Null") == 0 ||
          strcmp(n->str, "NULL") == 0);
}

int yt_check_map(const yt_where *w, const yt_node *map, const char *what) {
  int rc = yt_want(w, map, YT_MAP, what);
  if (rc)
    return rc;
  for (size_t i = 0; i < map->n; i++) {
    const yt_node *k = map->kids[2 * i];
    if (k->type != YT_SCALAR || strlen(k->str) != k->len)
      return node_fail(w, k, "keys of %s must be plain scalars", what);
  }
  return 0;
}

int yt_get_int(const yt_where *w, const yt_node *n, const char *what, long lo,
               long hi, long *out) {
  int rc = yt_want(w, n, YT_SCALAR, what);
  if (rc)
    return rc;
  char *end;
  errno = 0;
  long v = strtol(n->str, &end, 10);
  if (errno || end == n->str || end != n->str + n->len || n->quoted)
    return node_fail(w, n, "%s must be an integer, not '%.40s'", what, n->str);
  if (v < lo || v > hi)
    return node_fail(w, n, "%s must be between %ld and %ld", what, lo, hi);
  *out = v;
  return 0;
}

static void fmt_size(char *buf, size_t len, size_t v) {
  if (v && v % GIB == 0)
    snprintf(buf, len, "%zu GiB", v / GIB);
  else if (v && v % MIB == 0)
    snprintf(buf, len, "%zu MiB", v / MIB);
  else if (v && v % KIB == 0)
    snprintf(buf, len, "%zu KiB", v / KIB);
  else
    snprintf(buf, len, "%zu", v);
}

int yt_get_size(const yt_where *w, const yt_node *n, const char *what,
                size_t lo, size_t hi, size_t *out) {
  int rc = yt_want(w, n, YT_SCALAR, what);
  if (rc)
    return rc;
  const char *s = n->str, *end = n->str + n->len;
  unsigned long long v = 0;
  int digits = 0, overflow = 0;
  for (; s < end && *s >= '0' && *s <= '9'; s++, digits++) {
    if (v > (ULLONG_MAX - 9) / 10)
      overflow = 1;
    else
      v = v * 10 + (unsigned long long)(*s - '0');
  }
  if (s < end && *s == ' ')
    s++;
  size_t rest = (size_t)(end - s);
  unsigned long long mult = 0;
  if (rest == 0)
    mult = n->quoted ? 0 : 1;
  else if (rest == 1 && *s == 'B')
    mult = 1;
  else if (rest == 3 && memcmp(s, "KiB", 3) == 0)
    mult = KIB;
  else if (rest == 3 && memcmp(s, "MiB", 3) == 0)
    mult = MIB;
  else if (rest == 3 && memcmp(s, "GiB", 3) == 0)
    mult = GIB;
  if (!digits || !mult)
    return node_fail(
        w, n,
        "%s must be a size in bytes, optionally with KiB, MiB or GiB, "
        "not '%.40s'",
        what, n->str);
  char a[32], b[32];
  fmt_size(a, sizeof(a), lo);
  fmt_size(b, sizeof(b), hi);
  if (overflow || v > SIZE_MAX / mult || v * mult < lo || v * mult > hi)
    return node_fail(w, n, "%s must be between %s and %s", what, a, b);
  *out = (size_t)(v * mult);
  return 0;
}
