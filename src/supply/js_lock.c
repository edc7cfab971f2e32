/*
 * js_lock.c -- packages of pnpm-lock.yaml and yarn.lock, parsed, never
 * installed.
 *
 * pnpm-lock.yaml (lockfileVersion 5 to 9) and yarn.lock of Yarn 2+
 * ("berry") are YAML, read with the library's bounded YAML tree (which
 * gives each entry's line). Yarn 1 lockfiles are not YAML: they are read
 * here by a small strict parser (entry headers at column 0 ending in ':',
 * indented `key value` fields); anything else is a problem with its line,
 * and the file's packages read so far are kept.
 *
 * Package keys: pnpm 5 "/name/1.0.0" (a peer suffix "_peer@1" dropped),
 * pnpm 6 "/name@1.0.0(peer@1)", pnpm 9 "name@1.0.0"; scoped names start
 * with '@', so the version separator is the last '@' after the first
 * character. Yarn berry entries count only when their resolution is from
 * the npm registry ("name@npm:1.0.0"); workspace, link, file and patch
 * resolutions are not registry packages.
 */
#include <stdlib.h>
#include <string.h>

#include "inventory.h"
#include "yamltree.h"

#define MAX_LINE (64u << 10)

static const char *scalar(const yt_node *n) {
  return n && n->type == YT_SCALAR && strlen(n->str) == n->len ? n->str : NULL;
}

static void add(ag_inventory *inv, const char *file, int line, const char *name,
                size_t nl, const char *ver, size_t vl) {
  if (!nl || !vl || nl > 512 || vl > AG_VERSION_MAX_LEN) {
    ag_inv_problem(inv, file, line,
                   "package entry without a usable name "
                   "and version");
    return;
  }
  ag_inv_add(inv, AG_ECO_NPM, name, nl, ver, vl, file, line, AG_SRC_LOCKFILE,
             NULL);
}

/* The version separator of "name@version" (scoped names start with @). */
static const char *at_sep(const char *s, size_t n) {
  for (size_t i = n; i > 1; i--)
    if (s[i - 1] == '@')
      return s + i - 1;
  return NULL;
}

static void pnpm_entry(ag_inventory *inv, const char *file, const char *key,
                       const yt_node *val, int line, int v5) {
  const char *vn = scalar(yt_get(val, "name"));
  const char *vv = scalar(yt_get(val, "version"));
  if (vn && vv) { /* tarball and git dependencies name themselves */
    add(inv, file, line, vn, strlen(vn), vv, strlen(vv));
    return;
  }
  if (*key == '/')
    key++;
  size_t n = strcspn(key, "(");
  const char *sep = v5 ? NULL : at_sep(key, n);
  if (sep) {
    add(inv, file, line, key, (size_t)(sep - key), sep + 1,
        (size_t)(key + n - sep - 1));
    return;
  }
  /* pnpm 5: name/version, the version after the last '/' */
  const char *slash = NULL;
  for (size_t i = n; i > 0; i--)
    if (key[i - 1] == '/') {
      slash = key + i - 1;
      break;
    }
  if (!slash) {
    ag_inv_problem(inv, file, line, "cannot read package key %.80s", key);
    return;
  }
  size_t vl = strcspn(slash + 1, "_(");
  add(inv, file, line, key, (size_t)(slash - key), slash + 1, vl);
}

static yt_doc *parse_yaml(ag_inventory *inv, const char *file, const char *buf,
                          size_t len) {
  char msg[512];
  if (len > YT_MAX_BYTES) {
    ag_inv_problem(inv, file, 0, "larger than %u bytes (YAML reader limit)",
                   YT_MAX_BYTES);
    return NULL;
  }
  yt_doc *doc = yt_parse(file, buf, len, msg, sizeof(msg));
  if (!doc) {
    /* msg is "file:line:col: why" */
    const char *why = msg;
    size_t fl = strlen(file);
    int line = 0;
    if (!strncmp(msg, file, fl) && msg[fl] == ':') {
      line = atoi(msg + fl + 1);
      why = strchr(msg + fl + 1, ' ');
      why = why ? why + 1 : msg;
    }
    ag_inv_problem(inv, file, line, "invalid YAML: %s", why);
  }
  return doc;
}

void ag_inv_parse_pnpm_lock(ag_inventory *inv, const char *file,
                            const char *buf, size_t len) {
  yt_doc *doc = parse_yaml(inv, file, buf, len);
  if (!doc)
    return;
  const yt_node *root = yt_root(doc);
  const yt_node *pkgs = yt_get(root, "packages");
  if (!root || root->type != YT_MAP || !yt_get(root, "lockfileVersion"))
    ag_inv_problem(inv, file, root ? root->line : 0,
                   "not a pnpm lockfile (no lockfileVersion)");
  else if (pkgs && pkgs->type == YT_MAP) {
    /* before version 6, keys are /name/version */
    const char *ver = scalar(yt_get(root, "lockfileVersion"));
    int v5 = ver && ver[0] >= '1' && ver[0] <= '5' && ver[1] != '0' &&
             (ver[1] == '.' || ver[1] == '\0');
    for (size_t i = 0; i < pkgs->n; i++) {
      const char *key = scalar(pkgs->kids[2 * i]);
      if (key)
        pnpm_entry(inv, file, key, pkgs->kids[2 * i + 1],
                   pkgs->kids[2 * i]->line, v5);
    }
  }
  yt_free(doc);
}

static void yarn_berry(ag_inventory *inv, const char *file, const char *buf,
                       size_t len) {
  yt_doc *doc = parse_yaml(inv, file, buf, len);
  if (!doc)
    return;
  const yt_node *root = yt_root(doc);
  for (size_t i = 0; root && root->type == YT_MAP && i < root->n; i++) {
    const char *key = scalar(root->kids[2 * i]);
    const yt_node *val = root->kids[2 * i + 1];
    if (!key || !strcmp(key, "__metadata"))
      continue;
    const char *res = scalar(yt_get(val, "resolution"));
    const char *ver = scalar(yt_get(val, "version"));
    const char *npm = res ? strstr(res, "@npm:") : NULL;
    if (!npm || npm == res || !ver)
      continue;
    add(inv, file, root->kids[2 * i]->line, res, (size_t)(npm - res), ver,
        strlen(ver));
  }
  yt_free(doc);
}

/* Yarn 1: the first spec of a header line, unquoted, up to its '@'. */
static int v1_header(const char *s, size_t n, const char **name, size_t *nl) {
  size_t e = n;
  if (e && s[e - 1] == ':')
    e--;
  else
    return -1;
  size_t first = 0;
  int q = 0;
  while (first < e && (q || s[first] != ',')) {
    if (s[first] == '"')
      q = !q;
    first++;
  }
  const char *p = s;
  size_t l = first;
  if (l >= 2 && p[0] == '"' && p[l - 1] == '"') {
    p++;
    l -= 2;
  }
  /* an alias, "alias@npm:real-name@^1.0.0", installs real-name */
  for (size_t i = 1; i + 5 <= l; i++)
    if (!memcmp(p + i, "@npm:", 5)) {
      p += i + 5;
      l -= i + 5;
      break;
    }
  const char *sep = at_sep(p, l);
  if (!sep)
    return -1;
  *name = p;
  *nl = (size_t)(sep - p);
  return 0;
}

static void yarn_v1(ag_inventory *inv, const char *file, const char *buf,
                    size_t len) {
  const char *name = NULL, *ver = NULL;
  size_t nl = 0, vl = 0;
  int line = 0, entry_line = 0, more = 1;
  const char *p = buf, *end = buf + len;
  while (more) {
    const char *nlp = memchr(p, '\n', (size_t)(end - p));
    const char *eol = nlp ? nlp : end;
    size_t l = (size_t)(eol - p);
    more = nlp != NULL;
    line++;
    if (l && p[l - 1] == '\r')
      l--;
    int blank = 1;
    for (size_t i = 0; i < l; i++)
      blank &= p[i] == ' ';
    int top = l && p[0] != ' ';
    if (l > MAX_LINE || memchr(p, '\0', l)) {
      ag_inv_problem(inv, file, line, "line too long or with a NUL byte");
      return;
    }
    if (top && name) { /* the previous entry ends */
      if (ver)
        add(inv, file, entry_line, name, nl, ver, vl);
      else
        ag_inv_problem(inv, file, entry_line, "entry without a version");
      name = ver = NULL;
    }
    if (top && p[0] != '#') {
      if (v1_header(p, l, &name, &nl)) {
        ag_inv_problem(inv, file, line, "not a yarn.lock entry: %.*s",
                       (int)(l > 60 ? 60 : l), p);
        return;
      }
      entry_line = line;
    } else if (!top && !blank) {
      size_t i = 0;
      while (i < l && p[i] == ' ')
        i++;
      if (!name) {
        ag_inv_problem(inv, file, line, "indented line outside an entry");
        return;
      }
      if (i == 2 && l - i > 8 && !strncmp(p + i, "version ", 8)) {
        const char *v = p + i + 8;
        size_t n = l - i - 8;
        if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
          v++;
          n -= 2;
        }
        ver = v;
        vl = n;
      }
    }
    if (more)
      p = nlp + 1;
  }
  if (name && ver)
    add(inv, file, entry_line, name, nl, ver, vl);
  else if (name)
    ag_inv_problem(inv, file, entry_line, "entry without a version");
}

void ag_inv_parse_yarn_lock(ag_inventory *inv, const char *file,
                            const char *buf, size_t len) {
  /* Yarn 2+ writes a __metadata map; Yarn 1 a "# yarn lockfile v1" line. */
  const char *meta = NULL;
  for (const char *p = buf; p && p < buf + len;) {
    if (len - (size_t)(p - buf) >= 11 && !strncmp(p, "__metadata:", 11)) {
      meta = p;
      break;
    }
    p = memchr(p, '\n', len - (size_t)(p - buf));
    if (p)
      p++;
  }
  if (meta)
    yarn_berry(inv, file, buf, len);
  else
    yarn_v1(inv, file, buf, len);
}
