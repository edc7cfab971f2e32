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

#include <stddef.h>

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

#endif
