/*
 * py_lock.c -- packages of Python lockfiles: poetry.lock and uv.lock
 * ([[package]] tables), pylock.toml (PEP 751, [[packages]]), read with
 * the strict TOML reader of toml.c, and Pipfile.lock (JSON, "default" and
 * "develop" sections, versions as "==1.0").
 *
 * Local packages are not registry packages and are left out: uv's
 * editable, virtual, directory and path sources, pylock entries without a
 * version. A lockfile that does not parse is a problem with its line.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"
#include "toml.h"

typedef struct {
  ag_inventory *inv;
  const char *file;
  const char *table; /* "package" or "packages" */
  int in_pkg, line, local;
  char *name, *version;
} toml_ctx;

static void flush(toml_ctx *c) {
  if (c->in_pkg && c->name && c->version && !c->local)
    ag_inv_add(c->inv, AG_ECO_PYPI, c->name, strlen(c->name), c->version,
               strlen(c->version), c->file, c->line, AG_SRC_LOCKFILE, NULL);
  else if (c->in_pkg && !c->local && !c->name)
    ag_inv_problem(c->inv, c->file, c->line, "package without a name");
  free(c->name);
  free(c->version);
  c->name = c->version = NULL;
  c->in_pkg = c->local = 0;
}

static void on_table(void *ud, const char *path, int array, int line) {
  toml_ctx *c = ud;
  flush(c);
  if (array && !strcmp(path, c->table)) {
    c->in_pkg = 1;
    c->line = line;
  }
}

static void on_value(void *ud, const char *key, const char *str, size_t len,
                     int line) {
  toml_ctx *c = ud;
  (void)line;
  if (!c->in_pkg)
    return;
  if (!strcmp(key, "source.editable") || !strcmp(key, "source.virtual") ||
      !strcmp(key, "source.directory") || !strcmp(key, "source.path")) {
    c->local = 1;
    return;
  }
  char **dst = !strcmp(key, "name")      ? &c->name
               : !strcmp(key, "version") ? &c->version
                                         : NULL;
  if (!dst || !str || *dst || len > AG_VERSION_MAX_LEN ||
      memchr(str, '\0', len))
    return;
  *dst = strndup(str, len);
  if (!*dst)
    c->inv->nomem = 1;
}

void ag_inv_parse_toml_lock(ag_inventory *inv, const char *file,
                            const char *buf, size_t len, int pylock) {
  toml_ctx c = {inv,  file, pylock ? "packages" : "package", 0, 0, 0,
                NULL, NULL};
  ag_toml_cb cb = {on_table, on_value};
  char err[256];
  int line;
  int rc = ag_toml_parse(buf, len, &cb, &c, err, sizeof(err), &line);
  flush(&c);
  if (rc)
    ag_inv_problem(inv, file, line, "invalid TOML: %s", err);
}

/* The line of `"key": {` after *from in text (moving *from). */
static int key_line(const char *buf, size_t len, size_t *from, int *line,
                    size_t *line_off, const char *key) {
  size_t kl = strlen(key);
  for (size_t i = *from; i + kl + 2 <= len; i++) {
    if (buf[i] != '"' || memcmp(buf + i + 1, key, kl) || buf[i + 1 + kl] != '"')
      continue;
    for (size_t k = *line_off; k < i; k++)
      *line += buf[k] == '\n';
    *line_off = i;
    *from = i + 1;
    return *line;
  }
  return *line;
}

void ag_inv_parse_pipfile_lock(ag_inventory *inv, const char *file,
                               const char *buf, size_t len) {
  json_error_t je;
  json_t *doc = json_loadb(buf, len, 0, &je);
  if (!doc) {
    ag_inv_problem(inv, file, je.line, "invalid JSON: %s", je.text);
    return;
  }
  if (!json_is_object(json_object_get(doc, "_meta"))) {
    ag_inv_problem(inv, file, 1, "not a Pipfile.lock (no _meta)");
    json_decref(doc);
    return;
  }
  size_t from = 0, line_off = 0;
  int line = 1;
  static const char *const sections[] = {"default", "develop"};
  for (int s = 0; s < 2; s++) {
    const char *name;
    json_t *entry;
    json_object_foreach(json_object_get(doc, sections[s]), name, entry) {
      int l = key_line(buf, len, &from, &line, &line_off, name);
      const char *v = json_string_value(json_object_get(entry, "version"));
      if (!v)
        continue; /* VCS, path and editable entries have no version */
      if (strncmp(v, "==", 2)) {
        ag_inv_problem(inv, file, l, "%s: version \"%.40s\" is not a pin", name,
                       v);
        continue;
      }
      v += 2 + (v[2] == '=');
      ag_inv_add(inv, AG_ECO_PYPI, name, strlen(name), v, strlen(v), file, l,
                 AG_SRC_LOCKFILE, NULL);
    }
  }
  json_decref(doc);
}
