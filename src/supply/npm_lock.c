/*
 * npm_lock.c -- packages of an npm lockfile (package-lock.json or
 * npm-shrinkwrap.json), parsed with Jansson, never installed.
 *
 * lockfileVersion 2 and 3 list every installed path under "packages"
 * ("node_modules/a/node_modules/b"); version 1 nests "dependencies".
 * When both are present (version 2) "packages" is authoritative. Local
 * links and workspace folders are not registry packages and are left out.
 *
 * Jansson does not report positions of values, so the line of each
 * package is found by searching the text for its key (as an object key,
 * `"key": {`) from where the previous one was found: objects keep their
 * order, so the search moves forward and the whole file is scanned once.
 */
#include <jansson.h>
#include <string.h>

#include "inventory.h"

#define MAX_NESTING 64

typedef struct {
  ag_inventory *inv;
  const char *file, *buf;
  size_t len, cursor, line_off;
  int line;
} lock_ctx;

static int is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The line of the next `"key": {` at or after the cursor; the line of the
 * cursor when the key is not found there (escaped keys). */
static int key_line(lock_ctx *c, const char *key) {
  size_t kl = strlen(key);
  for (size_t i = c->cursor; i + kl + 2 <= c->len; i++) {
    if (c->buf[i] != '"' || memcmp(c->buf + i + 1, key, kl) ||
        c->buf[i + 1 + kl] != '"')
      continue;
    size_t j = i + kl + 2;
    while (j < c->len && is_ws(c->buf[j]))
      j++;
    if (j >= c->len || c->buf[j] != ':')
      continue;
    j++;
    while (j < c->len && is_ws(c->buf[j]))
      j++;
    if (j >= c->len || c->buf[j] != '{')
      continue;
    for (size_t k = c->line_off; k < i; k++)
      if (c->buf[k] == '\n')
        c->line++;
    c->line_off = i;
    c->cursor = i + 1;
    return c->line;
  }
  return c->line;
}

static void add(lock_ctx *c, const char *name, json_t *entry, int line) {
  const char *version = json_string_value(json_object_get(entry, "version"));
  if (!version) {
    ag_inv_problem(c->inv, c->file, line, "package %s has no version", name);
    return;
  }
  /* an alias (lockfile v1): "npm:real-name@1.0.0" */
  if (!strncmp(version, "npm:", 4)) {
    const char *real = version + 4, *at = strrchr(real, '@');
    if (at && at > real) {
      ag_inv_add(c->inv, AG_ECO_NPM, real, (size_t)(at - real), at + 1,
                 strlen(at + 1), c->file, line, AG_SRC_LOCKFILE, NULL);
      return;
    }
  }
  ag_inv_add(c->inv, AG_ECO_NPM, name, strlen(name), version, strlen(version),
             c->file, line, AG_SRC_LOCKFILE, NULL);
}

static void v1_deps(lock_ctx *c, json_t *deps, int depth) {
  if (depth > MAX_NESTING) {
    ag_inv_problem(c->inv, c->file, c->line,
                   "dependencies nested deeper "
                   "than %d",
                   MAX_NESTING);
    return;
  }
  const char *name;
  json_t *entry;
  json_object_foreach(deps, name, entry) {
    if (!json_is_object(entry))
      continue;
    int line = key_line(c, name);
    const char *v = json_string_value(json_object_get(entry, "version"));
    /* local and linked packages: "file:..." versions */
    if (!(v && !strncmp(v, "file:", 5)))
      add(c, name, entry, line);
    json_t *sub = json_object_get(entry, "dependencies");
    if (json_is_object(sub))
      v1_deps(c, sub, depth + 1);
  }
}

static void v2_packages(lock_ctx *c, json_t *pkgs) {
  const char *path;
  json_t *entry;
  json_object_foreach(pkgs, path, entry) {
    if (!json_is_object(entry) || !*path)
      continue; /* "" is the project itself */
    int line = key_line(c, path);
    const char *nm = strstr(path, "node_modules/");
    if (!nm || json_is_true(json_object_get(entry, "link")))
      continue;
    const char *last;
    while ((last = strstr(nm + 13, "node_modules/")))
      nm = last;
    const char *name = json_string_value(json_object_get(entry, "name"));
    add(c, name ? name : nm + 13, entry, line);
  }
}

void ag_inv_parse_package_lock(ag_inventory *inv, const char *file,
                               const char *buf, size_t len) {
  json_error_t je;
  json_t *doc = json_loadb(buf, len, 0, &je);
  if (!doc) {
    ag_inv_problem(inv, file, je.line, "invalid JSON: %s", je.text);
    return;
  }
  lock_ctx c = {inv, file, buf, len, 0, 0, 1};
  json_t *ver = json_object_get(doc, "lockfileVersion");
  json_t *pkgs = json_object_get(doc, "packages");
  json_t *deps = json_object_get(doc, "dependencies");
  if (!json_is_object(doc) || !json_is_integer(ver)) {
    ag_inv_problem(inv, file, 1, "not an npm lockfile (no lockfileVersion)");
  } else if (json_integer_value(ver) < 1 || json_integer_value(ver) > 3) {
    ag_inv_problem(inv, file, 1, "lockfileVersion %lld is not supported",
                   (long long)json_integer_value(ver));
  } else if (json_is_object(pkgs)) {
    v2_packages(&c, pkgs);
  } else if (json_is_object(deps)) {
    v1_deps(&c, deps, 0);
  }
  json_decref(doc);
}
