/*
 * semver.c -- SemVer 2.0.0 parsing and ordering as node-semver does it in
 * strict mode (the order npm, and OSV's SEMVER ranges, use).
 *
 * Differences from node-semver, both at the edges of the number range:
 * node-semver compares pre-release identifiers above 2^53-1 as doubles,
 * here they compare exactly (by length, then digits); and the leading 'v'
 * is accepted as in node-semver's FULL expression, but not the '=' that
 * only its loose mode allows.
 */
#include <string.h>

#include "version.h"

#define MAX_SAFE 9007199254740991ULL /* 2^53 - 1 */

static int is_digit(char c) {
  return c >= '0' && c <= '9';
}
static int is_ident(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         c == '-';
}
/* JavaScript's String.prototype.trim() on ASCII. */
static int is_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

/* A numeric identifier: 0 or [1-9][0-9]*, at most MAX_SAFE. */
static int numeric(const char *s, size_t n, size_t *i, uint64_t *out) {
  size_t j = *i;
  uint64_t v = 0;
  if (j >= n || !is_digit(s[j]))
    return -1;
  if (s[j] == '0') {
    *i = j + 1;
    *out = 0;
    return 0;
  }
  for (; j < n && is_digit(s[j]); j++) {
    if (v > (MAX_SAFE - (uint64_t)(s[j] - '0')) / 10)
      return -1;
    v = v * 10 + (uint64_t)(s[j] - '0');
  }
  *i = j;
  *out = v;
  return 0;
}

int ag_semver_parse(const char *s, size_t n, ag_semver *v) {
  memset(v, 0, sizeof(*v));
  if (!s || n > AG_VERSION_MAX_LEN)
    return -1;
  while (n && is_space(s[n - 1]))
    n--;
  size_t i = 0;
  while (i < n && is_space(s[i]))
    i++;
  if (i < n && s[i] == 'v')
    i++;
  memcpy(v->text, s, n);
  v->text[n] = '\0';
  if (numeric(s, n, &i, &v->major) || i >= n || s[i++] != '.' ||
      numeric(s, n, &i, &v->minor) || i >= n || s[i++] != '.' ||
      numeric(s, n, &i, &v->patch))
    return -1;
  if (i < n && s[i] == '-') {
    do {
      i++;
      size_t start = i;
      int digits = 1;
      while (i < n && is_ident(s[i]))
        digits &= is_digit(s[i++]);
      if (i == start || v->n_pre == AG_SEMVER_MAX_PRE)
        return -1;
      if (digits && s[start] == '0' && i - start > 1)
        return -1; /* leading zero in a numeric identifier */
      v->pre[v->n_pre].off = (uint16_t)start;
      v->pre[v->n_pre].len = (uint16_t)(i - start);
      v->pre[v->n_pre].numeric = digits;
      v->n_pre++;
    } while (i < n && s[i] == '.');
  }
  if (i < n && s[i] == '+') {
    do {
      i++;
      size_t start = i;
      while (i < n && is_ident(s[i]))
        i++;
      if (i == start)
        return -1;
    } while (i < n && s[i] == '.');
  }
  return i == n ? 0 : -1;
}

/* Numeric identifiers have no leading zeros: longer is larger. */
static int cmp_ident(const ag_semver *a, int i, const ag_semver *b, int j) {
  const char *pa = a->text + a->pre[i].off, *pb = b->text + b->pre[j].off;
  size_t la = a->pre[i].len, lb = b->pre[j].len;
  int na = a->pre[i].numeric, nb = b->pre[j].numeric;
  if (na != nb)
    return na ? -1 : 1;
  if (na && la != lb)
    return la < lb ? -1 : 1;
  size_t m = la < lb ? la : lb;
  int c = memcmp(pa, pb, m);
  if (c)
    return c < 0 ? -1 : 1;
  return la < lb ? -1 : la > lb;
}

static int cmp_u64(uint64_t a, uint64_t b) {
  return a < b ? -1 : a > b;
}

int ag_semver_cmp(const ag_semver *a, const ag_semver *b) {
  int c;
  if ((c = cmp_u64(a->major, b->major)) || (c = cmp_u64(a->minor, b->minor)) ||
      (c = cmp_u64(a->patch, b->patch)))
    return c;
  if (!a->n_pre || !b->n_pre)
    return (a->n_pre == 0) - (b->n_pre == 0);
  for (int i = 0; i < a->n_pre && i < b->n_pre; i++)
    if ((c = cmp_ident(a, i, b, i)))
      return c;
  return a->n_pre < b->n_pre ? -1 : a->n_pre > b->n_pre;
}
