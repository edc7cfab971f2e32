/*
 * yamltree.h -- a bounded YAML document tree on top of libyaml's events.
 *
 * libyaml parses; this module only builds a tree that remembers where each
 * node came from (line, column), so that configuration and rule loaders can
 * report "file:line: unknown key". Aliases are resolved by sharing the
 * anchored node, and the size the tree would have if every alias were
 * expanded is counted and bounded: an alias bomb ("billion laughs") fails
 * with an error instead of making a walker run forever.
 */
#ifndef AIGATE_YAMLTREE_H
#define AIGATE_YAMLTREE_H

#include <stdarg.h>
#include <stddef.h>

#include "aigate/aigate.h"

typedef enum { YT_SCALAR, YT_SEQ, YT_MAP } yt_type;

typedef struct yt_node yt_node;
struct yt_node {
  yt_type type;
  int line, col;  /* 1-based position of the node in the source */
  int quoted;     /* scalar was written in quotes (so "null" is a string) */
  char *str;      /* scalar value, NUL-terminated (may contain NULs) */
  size_t len;     /* scalar length */
  size_t n;       /* items (sequence) or key/value pairs (map) */
  yt_node **kids; /* sequence: n items; map: 2n nodes, key then value */
};

typedef struct yt_doc yt_doc;

/* Limits; parsing fails with a message when one is exceeded. */
#define YT_MAX_BYTES (8u << 20) /* source size */
#define YT_MAX_DEPTH 64         /* nesting of sequences and maps */
#define YT_MAX_NODES 200000     /* nodes, counting alias expansions */
#define YT_MAX_ALIASES 1000     /* alias references */

/*
 * Parse one YAML document. `name` is used in messages. Returns the
 * document (free with yt_free) or NULL with a message "name:line:col: why"
 * in err (errlen bytes). An empty source gives a document whose root is
 * NULL. More than one document in the source is an error.
 */
yt_doc *yt_parse(const char *name, const char *buf, size_t len, char *err,
                 size_t errlen);
void yt_free(yt_doc *doc);
const yt_node *yt_root(const yt_doc *doc);
const char *yt_name(const yt_doc *doc);

/* Look up a key in a map node; NULL if absent or node is not a map. */
const yt_node *yt_get(const yt_node *map, const char *key);

/* Short name of a node's type for messages: "scalar", "list", "map". */
const char *yt_type_name(const yt_node *node);

/*
 * Typed reading of configuration nodes, for every loader that reads YAML
 * (configuration, rules, the gateway's sections), so that their errors
 * read the same: "name:line: why". Each returns 0, or AIGATE_ERR_CONFIG
 * with the message in where->err.
 */
typedef struct {
  const char *name; /* file name for messages */
  aigate_error *err;
} yt_where;

int yt_vfail(const yt_where *w, const yt_node *n, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* n must be of `type` ("what must be a map, not a list"). */
int yt_want(const yt_where *w, const yt_node *n, yt_type type,
            const char *what);
/* A map whose keys are plain scalars without NUL bytes (the tree has
 * already refused duplicate keys). */
int yt_check_map(const yt_where *w, const yt_node *map, const char *what);
/* An unquoted decimal integer in [lo, hi]. */
int yt_get_int(const yt_where *w, const yt_node *n, const char *what, long lo,
               long hi, long *out);
/* A byte count in [lo, hi]: an integer, optionally with B, KiB, MiB or
 * GiB ("64KiB", "4 MiB"). Decimal suffixes (KB, MB) are refused: whether
 * they mean 1000 or 1024 is exactly the ambiguity a limit should not
 * have. */
int yt_get_size(const yt_where *w, const yt_node *n, const char *what,
                size_t lo, size_t hi, size_t *out);
/* An unquoted empty scalar, ~ or null: YAML's null. */
int yt_is_null(const yt_node *n);

#endif
