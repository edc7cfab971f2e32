/*
 * inventory.c -- the walk over directories that finds installed Python
 * distributions, node_modules trees, lockfiles and manifests (see
 * inventory.h), and the METADATA reader.
 *
 * Symbolic links are not followed inside a walk (a link loop or a link to
 * / would make the walk endless or escape the paths given); the paths
 * given themselves may be links. A directory holding *.dist-info entries
 * (a site-packages directory) is not walked further except for its
 * metadata: its other subdirectories are the installed packages' code.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inventory.h"

#define METADATA_PREFIX (256u << 10) /* headers come first */

static char *dup_n(const char *s, size_t n) {
  char *d = malloc(n + 1);
  if (d) {
    memcpy(d, s, n);
    d[n] = '\0';
  }
  return d;
}

void ag_inv_problem(ag_inventory *inv, const char *file, int line,
                    const char *fmt, ...) {
  if (inv->n_problems == inv->cap_problems) {
    size_t cap = inv->cap_problems ? inv->cap_problems * 2 : 16;
    ag_problem *p = realloc(inv->problems, cap * sizeof(*p));
    if (!p) {
      inv->nomem = 1;
      return;
    }
    inv->problems = p;
    inv->cap_problems = cap;
  }
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  ag_problem *p = &inv->problems[inv->n_problems];
  p->file = strdup(file);
  p->line = line;
  p->message = strdup(msg);
  if (!p->file || !p->message) {
    free(p->file);
    free(p->message);
    inv->nomem = 1;
    return;
  }
  inv->n_problems++;
}

int ag_inv_add(ag_inventory *inv, ag_ecosystem eco, const char *name,
               size_t name_len, const char *version, size_t version_len,
               const char *file, int line, ag_pkg_source src,
               const char *dist_dir) {
  if (inv->n_pkgs == inv->cap_pkgs) {
    size_t cap = inv->cap_pkgs ? inv->cap_pkgs * 2 : 64;
    ag_package *p = realloc(inv->pkgs, cap * sizeof(*p));
    if (!p) {
      inv->nomem = 1;
      return -1;
    }
    inv->pkgs = p;
    inv->cap_pkgs = cap;
  }
  ag_package *p = &inv->pkgs[inv->n_pkgs];
  memset(p, 0, sizeof(*p));
  p->eco = eco;
  p->name = dup_n(name, name_len);
  p->version = version ? dup_n(version, version_len) : NULL;
  p->file = strdup(file);
  p->dist_dir = dist_dir ? strdup(dist_dir) : NULL;
  p->line = line;
  p->source = src;
  if (!p->name || !p->file || (version && !p->version) ||
      (dist_dir && !p->dist_dir)) {
    free(p->name);
    free(p->version);
    free(p->file);
    free(p->dist_dir);
    inv->nomem = 1;
    return -1;
  }
  inv->n_pkgs++;
  return 0;
}

void ag_inventory_free(ag_inventory *inv) {
  for (size_t i = 0; i < inv->n_pkgs; i++) {
    free(inv->pkgs[i].name);
    free(inv->pkgs[i].version);
    free(inv->pkgs[i].file);
    free(inv->pkgs[i].dist_dir);
  }
  for (size_t i = 0; i < inv->n_problems; i++) {
    free(inv->problems[i].file);
    free(inv->problems[i].message);
  }
  for (size_t i = 0; i < inv->n_site_dirs; i++)
    free(inv->site_dirs[i]);
  free(inv->pkgs);
  free(inv->problems);
  free(inv->site_dirs);
  memset(inv, 0, sizeof(*inv));
}

/* Read at most max bytes of a regular file (no link following at the
 * last component). Returns 0, or -1 with errno-style reason in *why. */
static int read_prefix(const char *path, size_t max, char **out, size_t *len,
                       int *too_large) {
  *out = NULL;
  *len = 0;
  *too_large = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0)
    return -1;
  struct stat st;
  if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
    close(fd);
    errno = EINVAL;
    return -1;
  }
  size_t want = (size_t)st.st_size < max ? (size_t)st.st_size : max;
  if ((size_t)st.st_size > max)
    *too_large = 1;
  char *buf = malloc(want + 1);
  if (!buf) {
    close(fd);
    errno = ENOMEM;
    return -1;
  }
  size_t n = 0;
  while (n < want) {
    ssize_t r = read(fd, buf + n, want - n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    n += (size_t)r;
  }
  close(fd);
  buf[n] = '\0';
  *out = buf;
  *len = n;
  return 0;
}

int ag_inv_read(const char *path, char **buf, size_t *len, int *too_large) {
  return read_prefix(path, AG_INV_MAX_FILE, buf, len, too_large);
}

static int read_whole(ag_inventory *inv, const char *path, char **buf,
                      size_t *len) {
  int big;
  if (read_prefix(path, AG_INV_MAX_FILE, buf, len, &big)) {
    ag_inv_problem(inv, path, 0, "cannot read: %s", strerror(errno));
    return -1;
  }
  if (big) {
    free(*buf);
    *buf = NULL;
    ag_inv_problem(inv, path, 0, "larger than %u bytes, not read",
                   AG_INV_MAX_FILE);
    return -1;
  }
  inv->files++;
  return 0;
}

void ag_inv_parse_metadata(ag_inventory *inv, const char *file,
                           const char *dist_dir, const char *buf, size_t len) {
  const char *name = NULL, *version = NULL;
  size_t name_len = 0, version_len = 0;
  int line = 0, version_line = 0;
  const char *p = buf, *end = buf + len;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *eol = nl ? nl : end;
    line++;
    size_t l = (size_t)(eol - p);
    if (l && p[l - 1] == '\r')
      l--;
    if (l == 0)
      break; /* end of the headers */
    const char **dst = NULL;
    size_t *dlen = NULL, skip = 0;
    if (l > 5 && !strncasecmp(p, "Name:", 5)) {
      dst = &name;
      dlen = &name_len;
      skip = 5;
    } else if (l > 8 && !strncasecmp(p, "Version:", 8)) {
      dst = &version;
      dlen = &version_len;
      skip = 8;
      version_line = line;
    }
    if (dst && !*dst) {
      const char *v = p + skip, *ve = p + l;
      while (v < ve && (*v == ' ' || *v == '\t'))
        v++;
      while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
        ve--;
      *dst = v;
      *dlen = (size_t)(ve - v);
    }
    p = nl ? nl + 1 : end;
  }
  if (!name || !name_len || !version || !version_len) {
    ag_inv_problem(inv, file, 0, "no Name or Version header");
    return;
  }
  if (name_len > 256 || version_len > AG_VERSION_MAX_LEN ||
      memchr(name, '\0', name_len) || memchr(version, '\0', version_len)) {
    ag_inv_problem(inv, file, version_line, "Name or Version not valid");
    return;
  }
  ag_inv_add(inv, AG_ECO_PYPI, name, name_len, version, version_len, file,
             version_line, AG_SRC_INSTALLED, dist_dir);
}

static void read_metadata(ag_inventory *inv, const char *file,
                          const char *dist_dir) {
  char *buf;
  size_t len;
  int big;
  if (read_prefix(file, METADATA_PREFIX, &buf, &len, &big)) {
    ag_inv_problem(inv, file, 0, "cannot read: %s", strerror(errno));
    return;
  }
  inv->files++;
  ag_inv_parse_metadata(inv, file, dist_dir, buf, len);
  free(buf);
}

/* 1-based line of byte offset off, counting from (from_off, from_line). */
static int line_at(const char *buf, size_t off, size_t *from_off,
                   int *from_line) {
  for (size_t i = *from_off; i < off; i++)
    if (buf[i] == '\n')
      (*from_line)++;
  *from_off = off;
  return *from_line;
}

/* An installed npm package: dir/package.json. */
static void read_package_json(ag_inventory *inv, const char *dir) {
  char path[4096];
  int n = snprintf(path, sizeof(path), "%s/package.json", dir);
  if (n < 0 || (size_t)n >= sizeof(path))
    return;
  char *buf;
  size_t len;
  int big;
  if (read_prefix(path, AG_INV_MAX_FILE, &buf, &len, &big))
    return; /* a directory without package.json is not a package */
  inv->files++;
  json_error_t je;
  json_t *doc = big ? NULL : json_loadb(buf, len, 0, &je);
  const char *name = json_string_value(json_object_get(doc, "name"));
  const char *version = json_string_value(json_object_get(doc, "version"));
  if (!doc)
    ag_inv_problem(inv, path, big ? 0 : je.line, "%s",
                   big ? "too large" : je.text);
  else if (!name || !version)
    ag_inv_problem(inv, path, 0, "no name or version");
  else {
    const char *v = strstr(buf, "\"version\"");
    size_t off = 0;
    int line = 1;
    line_at(buf, v ? (size_t)(v - buf) : 0, &off, &line);
    ag_inv_add(inv, AG_ECO_NPM, name, strlen(name), version, strlen(version),
               path, line, AG_SRC_INSTALLED, NULL);
  }
  json_decref(doc);
  free(buf);
}

static void walk(ag_inventory *inv, const char *path, int depth);

/* node_modules: each entry is a package (or an @scope of packages),
 * which may have its own node_modules. */
static void walk_node_modules(ag_inventory *inv, const char *dir, int depth,
                              int scope) {
  if (depth > AG_INV_MAX_DEPTH) {
    ag_inv_problem(inv, dir, 0, "nested deeper than %d, not read",
                   AG_INV_MAX_DEPTH);
    return;
  }
  DIR *d = opendir(dir);
  if (!d)
    return;
  struct dirent *e;
  while ((e = readdir(d)) && inv->entries++ < AG_INV_MAX_ENTRIES) {
    if (e->d_name[0] == '.')
      continue;
    char sub[4096];
    int n = snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
    if (n < 0 || (size_t)n >= sizeof(sub))
      continue;
    struct stat st;
    if (lstat(sub, &st) || !S_ISDIR(st.st_mode))
      continue;
    if (!scope && e->d_name[0] == '@') {
      walk_node_modules(inv, sub, depth + 1, 1);
      continue;
    }
    read_package_json(inv, sub);
    char nm[4096];
    n = snprintf(nm, sizeof(nm), "%s/node_modules", sub);
    if (n > 0 && (size_t)n < sizeof(nm) && !lstat(nm, &st) &&
        S_ISDIR(st.st_mode))
      walk_node_modules(inv, nm, depth + 1, 0);
  }
  closedir(d);
}

static int ends_with(const char *s, const char *suffix) {
  size_t l = strlen(s), m = strlen(suffix);
  return l >= m && !strcmp(s + l - m, suffix);
}

static int is_requirements(const char *name) {
  return !strncmp(name, "requirements", 12) && ends_with(name, ".txt");
}

/* Which lockfile parser reads a file of that name, if any. */
typedef enum {
  LOCK_NONE,
  LOCK_NPM,
  LOCK_PNPM,
  LOCK_YARN,
  LOCK_POETRY_UV,
  LOCK_PYLOCK,
  LOCK_PIPFILE
} lock_kind;

static lock_kind lock_kind_of(const char *name) {
  if (!strcmp(name, "package-lock.json") ||
      !strcmp(name, "npm-shrinkwrap.json"))
    return LOCK_NPM;
  if (!strcmp(name, "pnpm-lock.yaml"))
    return LOCK_PNPM;
  if (!strcmp(name, "yarn.lock"))
    return LOCK_YARN;
  if (!strcmp(name, "poetry.lock") || !strcmp(name, "uv.lock"))
    return LOCK_POETRY_UV;
  if (!strcmp(name, "pylock.toml") ||
      (!strncmp(name, "pylock.", 7) && ends_with(name, ".toml")))
    return LOCK_PYLOCK;
  if (!strcmp(name, "Pipfile.lock"))
    return LOCK_PIPFILE;
  return LOCK_NONE;
}

static void read_lockfile(ag_inventory *inv, const char *path, lock_kind k) {
  char *buf;
  size_t len;
  if (read_whole(inv, path, &buf, &len))
    return;
  switch (k) {
  case LOCK_NPM: ag_inv_parse_package_lock(inv, path, buf, len); break;
  case LOCK_PNPM: ag_inv_parse_pnpm_lock(inv, path, buf, len); break;
  case LOCK_YARN: ag_inv_parse_yarn_lock(inv, path, buf, len); break;
  case LOCK_POETRY_UV: ag_inv_parse_toml_lock(inv, path, buf, len, 0); break;
  case LOCK_PYLOCK: ag_inv_parse_toml_lock(inv, path, buf, len, 1); break;
  case LOCK_PIPFILE: ag_inv_parse_pipfile_lock(inv, path, buf, len); break;
  case LOCK_NONE: break;
  }
  free(buf);
}

static void read_file_kind(ag_inventory *inv, const char *path,
                           const char *name) {
  char *buf;
  size_t len;
  lock_kind k = lock_kind_of(name);
  if (k != LOCK_NONE) {
    read_lockfile(inv, path, k);
  } else if (is_requirements(name)) {
    if (read_whole(inv, path, &buf, &len))
      return;
    ag_inv_parse_requirements(inv, path, buf, len, 0);
    free(buf);
  } else if (!strcmp(name, "METADATA") || !strcmp(name, "PKG-INFO")) {
    read_metadata(inv, path, NULL);
  }
}

static void add_site_dir(ag_inventory *inv, const char *dir) {
  for (size_t i = 0; i < inv->n_site_dirs; i++)
    if (!strcmp(inv->site_dirs[i], dir))
      return;
  if (inv->n_site_dirs == inv->cap_site_dirs) {
    size_t cap = inv->cap_site_dirs ? inv->cap_site_dirs * 2 : 8;
    char **p = realloc(inv->site_dirs, cap * sizeof(*p));
    if (!p) {
      inv->nomem = 1;
      return;
    }
    inv->site_dirs = p;
    inv->cap_site_dirs = cap;
  }
  if (!(inv->site_dirs[inv->n_site_dirs] = strdup(dir)))
    inv->nomem = 1;
  else
    inv->n_site_dirs++;
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(ag_inventory *inv, const char *path, int depth) {
  if (depth > AG_INV_MAX_DEPTH) {
    ag_inv_problem(inv, path, 0, "nested deeper than %d, not read",
                   AG_INV_MAX_DEPTH);
    return;
  }
  DIR *d = opendir(path);
  if (!d) {
    if (depth == 0)
      ag_inv_problem(inv, path, 0, "cannot read: %s", strerror(errno));
    return;
  }
  /* Names sorted, so that reports are stable whatever the file system. */
  char **names = NULL;
  size_t n = 0, cap = 0;
  /* A site directory: named so, or holding distributions' metadata. A
   * .pth dropped into an otherwise empty site-packages is still read. */
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  int site = !strcmp(base, "site-packages") || !strcmp(base, "dist-packages");
  struct dirent *e;
  while ((e = readdir(d))) {
    if (inv->entries++ >= AG_INV_MAX_ENTRIES) {
      if (inv->entries == AG_INV_MAX_ENTRIES + 1)
        ag_inv_problem(inv, path, 0,
                       "more than %u directory entries, walk "
                       "stopped",
                       AG_INV_MAX_ENTRIES);
      break;
    }
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      char **nn = realloc(names, cap * sizeof(*nn));
      if (!nn) {
        inv->nomem = 1;
        break;
      }
      names = nn;
    }
    if (!(names[n] = strdup(e->d_name))) {
      inv->nomem = 1;
      break;
    }
    site |= ends_with(names[n], ".dist-info");
    n++;
  }
  closedir(d);
  if (names)
    qsort(names, n, sizeof(*names), cmp_names);
  if (site)
    add_site_dir(inv, path);
  for (size_t i = 0; i < n; i++) {
    const char *name = names[i];
    char sub[4096];
    int w = snprintf(sub, sizeof(sub), "%s/%s", path, name);
    struct stat st;
    if (w < 0 || (size_t)w >= sizeof(sub) || lstat(sub, &st))
      continue;
    if (S_ISREG(st.st_mode)) {
      if (ends_with(name, ".egg-info")) /* a single-file egg-info */
        read_metadata(inv, sub, NULL);
      else if (!site || is_requirements(name))
        read_file_kind(inv, sub, name);
      continue;
    }
    if (!S_ISDIR(st.st_mode))
      continue;
    if (ends_with(name, ".dist-info") || ends_with(name, ".egg-info")) {
      char meta[4200];
      snprintf(meta, sizeof(meta), "%s/%s", sub,
               ends_with(name, ".dist-info") ? "METADATA" : "PKG-INFO");
      read_metadata(inv, meta, ends_with(name, ".dist-info") ? sub : NULL);
    } else if (!strcmp(name, "node_modules")) {
      walk_node_modules(inv, sub, depth + 1, 0);
    } else if (!site && strcmp(name, ".git") && strcmp(name, "__pycache__")) {
      walk(inv, sub, depth + 1);
    }
  }
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
}

void ag_inventory_scan(ag_inventory *inv, const char *path) {
  struct stat st;
  if (stat(path, &st)) {
    ag_inv_problem(inv, path, 0, "cannot read: %s", strerror(errno));
    return;
  }
  if (S_ISDIR(st.st_mode)) {
    walk(inv, path, 0);
    return;
  }
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  if (ends_with(base, ".txt") && !is_requirements(base)) {
    /* any file given by name is read as what it looks like */
    char *buf;
    size_t len;
    if (read_whole(inv, path, &buf, &len))
      return;
    ag_inv_parse_requirements(inv, path, buf, len, 0);
    free(buf);
    return;
  }
  if (ends_with(base, ".json") && strcmp(base, "package-lock.json") &&
      strcmp(base, "npm-shrinkwrap.json")) {
    char *buf;
    size_t len;
    if (read_whole(inv, path, &buf, &len))
      return;
    ag_inv_parse_package_lock(inv, path, buf, len);
    free(buf);
    return;
  }
  size_t before = inv->files, problems = inv->n_problems;
  read_file_kind(inv, path, base);
  if (inv->files == before && inv->n_problems == problems)
    ag_inv_problem(inv, path, 0, "not a known lockfile or manifest");
}

char **ag_inventory_default_paths(void) {
  static const char *const patterns[] = {
      "/usr/lib/python3*/site-packages", "/usr/lib/python3*/dist-packages",
      "/usr/local/lib/python3*/site-packages",
      "/usr/local/lib/python3*/dist-packages",
      "/usr/lib64/python3*/site-packages"};
  size_t cap = 16, n = 0;
  char **out = calloc(cap, sizeof(char *));
  if (!out)
    return NULL;
  out[n++] = strdup(".");
  const char *home = getenv("HOME");
  char user_pat[4096] = "";
  if (home && *home == '/')
    snprintf(user_pat, sizeof(user_pat), "%s/.local/lib/python3*/site-packages",
             home);
  for (size_t k = 0; k < sizeof(patterns) / sizeof(patterns[0]) + 1; k++) {
    const char *pat =
        k < sizeof(patterns) / sizeof(patterns[0]) ? patterns[k] : user_pat;
    if (!*pat)
      continue;
    glob_t g;
    if (glob(pat, GLOB_NOSORT, NULL, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; i++) {
        if (n + 1 >= cap) {
          char **nn = realloc(out, cap * 2 * sizeof(char *));
          if (!nn)
            break;
          out = nn;
          cap *= 2;
        }
        out[n++] = strdup(g.gl_pathv[i]);
      }
      globfree(&g);
    }
  }
  out[n] = NULL;
  return out;
}

void ag_inventory_free_paths(char **paths) {
  for (size_t i = 0; paths && paths[i]; i++)
    free(paths[i]);
  free(paths);
}
