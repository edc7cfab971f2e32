/*
 * requirements.c -- pip requirements files: which packages they pin.
 *
 * Read as pip reads them, as far as pins go: comments (`#` at the start
 * or after whitespace), line continuations (`\` at the end), options
 * (`--hash=...` after a requirement, `--index-url` and the like on their
 * own line), `-r FILE` / `--requirement FILE` includes relative to the
 * including file (at most AG_INV_MAX_INCLUDES deep, so a cycle ends),
 * environment markers after `;`. A requirement is pinned when its only
 * specifier is `==V` or `===V` without a wildcard; other requirements are
 * listed without a version (they cannot be matched against advisories).
 * `-c` constraint files are not read: they install nothing. Editable
 * (`-e`) and URL requirements name no registry version and are skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"

static int is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}
static int is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

static void include(ag_inventory *inv, const char *file, int line,
                    const char *target, size_t tlen, int depth) {
  if (depth >= AG_INV_MAX_INCLUDES) {
    ag_inv_problem(inv, file, line,
                   "includes nested deeper than %d (a cycle?), not read",
                   AG_INV_MAX_INCLUDES);
    return;
  }
  char path[4096];
  const char *slash = strrchr(file, '/');
  int n;
  if (tlen && target[0] == '/')
    n = snprintf(path, sizeof(path), "%.*s", (int)tlen, target);
  else if (slash)
    n = snprintf(path, sizeof(path), "%.*s/%.*s", (int)(slash - file), file,
                 (int)tlen, target);
  else
    n = snprintf(path, sizeof(path), "%.*s", (int)tlen, target);
  if (n < 0 || (size_t)n >= sizeof(path) || memchr(target, '\0', tlen))
    return;
  if (strstr(path, "://")) {
    ag_inv_problem(inv, file, line, "remote include %s not fetched", path);
    return;
  }
  char *buf;
  size_t len;
  int big;
  if (ag_inv_read(path, &buf, &len, &big)) {
    ag_inv_problem(inv, file, line, "cannot read included %s", path);
    return;
  }
  if (big)
    ag_inv_problem(inv, path, 0, "larger than %u bytes, not read",
                   AG_INV_MAX_FILE);
  else {
    inv->files++;
    ag_inv_parse_requirements(inv, path, buf, len, depth + 1);
  }
  free(buf);
}

/* One logical line s[0, n) that starts at line `line`. */
static void requirement(ag_inventory *inv, const char *file, int line,
                        const char *s, size_t n, int depth) {
  while (n && is_space(*s)) {
    s++;
    n--;
  }
  while (n && is_space(s[n - 1]))
    n--;
  if (!n)
    return;
  if (s[0] == '-') {
    size_t ol = 0;
    while (ol < n && !is_space(s[ol]) && s[ol] != '=')
      ol++;
    int is_r = (ol == 2 && !strncmp(s, "-r", 2)) ||
               (ol == 13 && !strncmp(s, "--requirement", 13));
    if (!is_r && ol > 2 && !strncmp(s, "-r", 2)) { /* -rfile.txt */
      include(inv, file, line, s + 2, n - 2, depth);
      return;
    }
    if (is_r) {
      size_t v = ol;
      while (v < n && (is_space(s[v]) || s[v] == '='))
        v++;
      if (v == n)
        ag_inv_problem(inv, file, line, "%.*s without a file", (int)ol, s);
      else
        include(inv, file, line, s + v, n - v, depth);
    }
    return; /* other options: -c, -e, --index-url, ... */
  }
  size_t i = 0;
  while (i < n && is_name_char(s[i]))
    i++;
  if (i == 0 || i > 200 ||
      !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
        (s[0] >= '0' && s[0] <= '9'))) {
    if (memchr(s, '/', n) || memchr(s, ':', n))
      return; /* a path or URL: not a registry package */
    ag_inv_problem(inv, file, line, "not a requirement: %.*s",
                   (int)(n > 60 ? 60 : n), s);
    return;
  }
  size_t name_len = i;
  while (i < n && is_space(s[i]))
    i++;
  if (i < n && s[i] == '[') { /* extras */
    const char *close = memchr(s + i, ']', n - i);
    if (!close) {
      ag_inv_problem(inv, file, line, "unclosed [extras]");
      return;
    }
    i = (size_t)(close - s) + 1;
    while (i < n && is_space(s[i]))
      i++;
  }
  if (i < n && s[i] == '@')
    return; /* name @ URL */
  /* the specifier runs to ';' (markers) or an option (--hash) */
  size_t spec = i, end = i;
  while (end < n && s[end] != ';' &&
         !(s[end] == '-' && end + 1 < n && s[end + 1] == '-' &&
           (end == spec || is_space(s[end - 1]))))
    end++;
  while (end > spec && is_space(s[end - 1]))
    end--;
  const char *version = NULL;
  size_t vlen = 0;
  if (end - spec > 2 && s[spec] == '=' && s[spec + 1] == '=') {
    size_t v = spec + 2;
    if (v < end && s[v] == '=')
      v++;
    while (v < end && is_space(s[v]))
      v++;
    if (v < end && !memchr(s + v, ',', end - v) &&
        !memchr(s + v, '*', end - v) && !memchr(s + v, ' ', end - v) &&
        end - v <= AG_VERSION_MAX_LEN) {
      version = s + v;
      vlen = end - v;
    }
  }
  ag_inv_add(inv, AG_ECO_PYPI, s, name_len, version, vlen, file, line,
             AG_SRC_MANIFEST, NULL);
}

void ag_inv_parse_requirements(ag_inventory *inv, const char *file,
                               const char *buf, size_t len, int depth) {
  /* A logical line can be long (many --hash options) but is bounded by
   * the file size limit the callers apply. */
  char *logical = malloc(len + 1);
  if (!logical) {
    inv->nomem = 1;
    return;
  }
  size_t ll = 0;
  int line = 0, start = 1;
  const char *p = buf, *end = buf + len;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    const char *eol = nl ? nl : end;
    line++;
    if (ll == 0)
      start = line;
    size_t l = (size_t)(eol - p);
    if (l && p[l - 1] == '\r')
      l--;
    /* comments: '#' at the start or after whitespace */
    for (size_t k = 0; k < l; k++)
      if (p[k] == '#' && (k == 0 || is_space(p[k - 1]))) {
        l = k;
        break;
      }
    int cont = l && p[l - 1] == '\\';
    memcpy(logical + ll, p, cont ? l - 1 : l);
    ll += cont ? l - 1 : l;
    if (!cont) {
      requirement(inv, file, start, logical, ll, depth);
      ll = 0;
    } else {
      logical[ll++] = ' ';
    }
    p = nl ? nl + 1 : end;
  }
  if (ll)
    requirement(inv, file, start, logical, ll, depth);
  free(logical);
}
