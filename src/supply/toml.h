/*
 * toml.h -- a small strict TOML reader, enough for Python lockfiles
 * (poetry.lock, uv.lock, pylock.toml), which Debian 12 has no C library
 * for. See toml.c for what is and is not accepted.
 */
#ifndef AIGATE_SUPPLY_TOML_H
#define AIGATE_SUPPLY_TOML_H

#include <stddef.h>

#define AG_TOML_MAX_DEPTH 32          /* nested arrays / inline tables */
#define AG_TOML_MAX_STRING (1u << 20) /* one decoded string */
#define AG_TOML_MAX_KEY 1024          /* a dotted key, decoded */

typedef struct {
  /* A [table] (array 0) or [[array.of.tables]] (array 1) header; path is
   * the dotted key decoded and joined with '.'. */
  void (*table)(void *ud, const char *path, int array, int line);
  /* A key/value of the current table. key is the dotted key (members of
   * inline tables appear as "outer.inner"); str/len the decoded value
   * when it is a string, NULL for other values (numbers, booleans,
   * dates, arrays: arrays' members are not reported). */
  void (*value)(void *ud, const char *key, const char *str, size_t len,
                int line);
} ag_toml_cb;

/*
 * Parse buf[0, len). Returns 0, or -1 with a message and the 1-based line
 * of the error in err / *err_line. Callbacks may be NULL.
 */
int ag_toml_parse(const char *buf, size_t len, const ag_toml_cb *cb, void *ud,
                  char *err, size_t errlen, int *err_line);

#endif
