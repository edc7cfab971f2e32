/*
 * pep440.c -- PEP 440 version parsing, normalization and ordering.
 *
 * The grammar is the one the spec gives as a regular expression (and that
 * the `packaging` library implements), written out as a small
 * deterministic parser: each optional part (pre, post, dev, local) is
 * tried at the current position and left alone when it does not match.
 * Letter spellings are tried in the regular expression's order ("alpha"
 * before "a"), which is enough because no later part can start with the
 * letters a longer spelling would leave behind.
 *
 * Limits: AG_VERSION_MAX_LEN bytes, AG_PEP440_MAX_RELEASE release
 * segments, 18 significant digits per number. packaging accepts arbitrary
 * integers; versions beyond these limits are rejected here instead of
 * being compared wrongly.
 */
#include <stdio.h>
#include <string.h>

#include "version.h"

#define MAX_DIGITS 18

static int is_digit(char c) {
  return c >= '0' && c <= '9';
}
static int is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static char lower(char c) {
  return c >= 'A' && c <= 'Z' ? c + 32 : c;
}
static int is_sep(char c) {
  return c == '-' || c == '_' || c == '.';
}
/* Python's str.strip() on ASCII: \s plus the information separators. */
static int is_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

/* Read digits at s[*i]; 0 and the value, or -1 when there are none or
 * too many significant ones. */
static int number(const char *s, size_t n, size_t *i, uint64_t *out) {
  size_t j = *i;
  uint64_t v = 0;
  int sig = 0;
  if (j >= n || !is_digit(s[j]))
    return -1;
  for (; j < n && is_digit(s[j]); j++) {
    if (v == 0 && s[j] == '0')
      continue;
    if (++sig > MAX_DIGITS)
      return -1;
    v = v * 10 + (uint64_t)(s[j] - '0');
  }
  *i = j;
  *out = v;
  return 0;
}

/* Case-insensitive prefix match of word at s[i]. */
static int word(const char *s, size_t n, size_t i, const char *w) {
  size_t l = strlen(w);
  if (n - i < l)
    return 0;
  for (size_t k = 0; k < l; k++)
    if (lower(s[i + k]) != w[k])
      return 0;
  return (int)l;
}

/* The first spelling (in order) that matches at s[i]; its index in
 * `words` and length, or -1. */
static int spelling(const char *s, size_t n, size_t i, const char *const *words,
                    int *len) {
  for (int k = 0; words[k]; k++)
    if ((*len = word(s, n, i, words[k])) > 0)
      return k;
  return -1;
}

static const char *const PRE_WORDS[] = {"alpha", "a", "beta", "b", "preview",
                                        "pre",   "c", "rc",   NULL};
static const int PRE_KIND[] = {AG_PRE_A,  AG_PRE_A,  AG_PRE_B,  AG_PRE_B,
                               AG_PRE_RC, AG_PRE_RC, AG_PRE_RC, AG_PRE_RC};
static const char *const POST_WORDS[] = {"post", "rev", "r", NULL};
static const char *const DEV_WORDS[] = {"dev", NULL};

/* An optional "[-_.]?word[-_.]?N?" part at s[*i]. Returns 1 when found
 * (with which word and the number, 0 when omitted), 0 when absent, -1 on
 * a number over the limit. */
static int lettered(const char *s, size_t n, size_t *i,
                    const char *const *words, int *which, uint64_t *num) {
  size_t j = *i;
  if (j < n && is_sep(s[j]))
    j++;
  int len;
  int k = spelling(s, n, j, words, &len);
  if (k < 0)
    return 0;
  j += (size_t)len;
  if (j < n && is_sep(s[j]))
    j++;
  *num = 0; /* "1.0a" is "1.0a0" */
  if (j < n && is_digit(s[j]) && number(s, n, &j, num))
    return -1;
  *which = k;
  *i = j;
  return 1;
}

int ag_pep440_parse(const char *s, size_t n, ag_pep440 *v) {
  memset(v, 0, sizeof(*v));
  v->pre = AG_PRE_NONE;
  if (!s || n > AG_VERSION_MAX_LEN)
    return -1;
  while (n && is_space(s[n - 1]))
    n--;
  size_t i = 0;
  while (i < n && is_space(s[i]))
    i++;
  if (i < n && lower(s[i]) == 'v')
    i++;

  /* epoch and release: N(!)?N(.N)* */
  uint64_t x;
  if (number(s, n, &i, &x))
    return -1;
  if (i < n && s[i] == '!') {
    v->epoch = x;
    i++;
    if (number(s, n, &i, &x))
      return -1;
  }
  v->release[v->n_release++] = x;
  while (i + 1 < n && s[i] == '.' && is_digit(s[i + 1])) {
    if (v->n_release == AG_PEP440_MAX_RELEASE)
      return -1;
    i++;
    if (number(s, n, &i, &x))
      return -1;
    v->release[v->n_release++] = x;
  }

  int which, r;
  uint64_t num;
  if ((r = lettered(s, n, &i, PRE_WORDS, &which, &num)) < 0)
    return -1;
  if (r) {
    v->pre = PRE_KIND[which];
    v->pre_n = num;
  }
  /* post: "-N", or the lettered form */
  if (i + 1 < n && s[i] == '-' && is_digit(s[i + 1])) {
    i++;
    if (number(s, n, &i, &v->post_n))
      return -1;
    v->has_post = 1;
  } else if ((r = lettered(s, n, &i, POST_WORDS, &which, &num)) != 0) {
    if (r < 0)
      return -1;
    v->has_post = 1;
    v->post_n = num;
  }
  if ((r = lettered(s, n, &i, DEV_WORDS, &which, &num)) < 0)
    return -1;
  if (r) {
    v->has_dev = 1;
    v->dev_n = num;
  }

  /* local: +[a-z0-9]+([-_.][a-z0-9]+)*, normalized */
  if (i < n && s[i] == '+') {
    i++;
    size_t o = 0;
    for (;;) {
      size_t start = i;
      while (i < n && is_alnum(s[i]))
        i++;
      if (i == start)
        return -1;
      size_t k = start;
      int all_digits = 1;
      for (size_t m = start; m < i; m++)
        all_digits &= is_digit(s[m]);
      if (all_digits) { /* packaging turns numeric parts into ints */
        while (k + 1 < i && s[k] == '0')
          k++;
      }
      if (o + (i - k) + 2 > sizeof(v->local))
        return -1;
      if (o)
        v->local[o++] = '.';
      for (; k < i; k++)
        v->local[o++] = lower(s[k]);
      if (i < n && is_sep(s[i]) && i + 1 < n && is_alnum(s[i + 1])) {
        i++;
        continue;
      }
      break;
    }
    v->local[o] = '\0';
  }
  return i == n ? 0 : -1;
}

/* Release segments compare with trailing zeros removed. */
static int effective_len(const ag_pep440 *v) {
  int l = v->n_release;
  while (l > 0 && v->release[l - 1] == 0)
    l--;
  return l;
}

static int cmp_u64(uint64_t a, uint64_t b) {
  return a < b ? -1 : a > b;
}

/* The rank of the pre-release part: dev-only versions sort before any
 * pre-release, versions without pre-release after all of them. */
static int pre_rank(const ag_pep440 *v) {
  if (v->pre == AG_PRE_NONE)
    return (!v->has_post && v->has_dev) ? -1 : 3;
  return v->pre;
}

static int all_digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!is_digit(s[i]))
      return 0;
  return 1;
}

/* Local labels: part by part, numeric parts above alphanumeric ones,
 * numbers by value, strings byte-wise; a prefix sorts first. */
static int cmp_local(const char *a, const char *b) {
  if (!*a || !*b)
    return (*a != 0) - (*b != 0);
  for (;;) {
    size_t la = strcspn(a, "."), lb = strcspn(b, ".");
    int da = all_digits(a, la), db = all_digits(b, lb);
    int c;
    if (da && db) /* no leading zeros after normalization */
      c = la != lb ? (la < lb ? -1 : 1) : memcmp(a, b, la);
    else if (da != db)
      c = da ? 1 : -1;
    else {
      size_t m = la < lb ? la : lb;
      c = memcmp(a, b, m);
      if (!c)
        c = la < lb ? -1 : la > lb;
    }
    if (c)
      return c < 0 ? -1 : 1;
    a += la;
    b += lb;
    if (!*a || !*b)
      return (*a != 0) - (*b != 0);
    a++;
    b++;
  }
}

int ag_pep440_cmp(const ag_pep440 *a, const ag_pep440 *b) {
  int c = cmp_u64(a->epoch, b->epoch);
  if (c)
    return c;
  int la = effective_len(a), lb = effective_len(b);
  for (int i = 0; i < la && i < lb; i++)
    if ((c = cmp_u64(a->release[i], b->release[i])))
      return c;
  if (la != lb)
    return la < lb ? -1 : 1;
  int ra = pre_rank(a), rb = pre_rank(b);
  if (ra != rb)
    return ra < rb ? -1 : 1;
  if (a->pre != AG_PRE_NONE && (c = cmp_u64(a->pre_n, b->pre_n)))
    return c;
  if (a->has_post != b->has_post)
    return a->has_post ? 1 : -1;
  if (a->has_post && (c = cmp_u64(a->post_n, b->post_n)))
    return c;
  if (a->has_dev != b->has_dev)
    return a->has_dev ? -1 : 1;
  if (a->has_dev && (c = cmp_u64(a->dev_n, b->dev_n)))
    return c;
  return cmp_local(a->local, b->local);
}

int ag_pep440_format(const ag_pep440 *v, char *buf, size_t cap) {
  static const char *const pre[] = {"a", "b", "rc"};
  size_t o = 0;
  int w;
#define PUT(...)                                                               \
  do {                                                                         \
    w = snprintf(buf + o, cap - o, __VA_ARGS__);                               \
    if (w < 0 || (size_t)w >= cap - o)                                         \
      return -1;                                                               \
    o += (size_t)w;                                                            \
  } while (0)
  if (!cap)
    return -1;
  buf[0] = '\0';
  if (v->epoch)
    PUT("%llu!", (unsigned long long)v->epoch);
  for (int i = 0; i < v->n_release; i++)
    PUT("%s%llu", i ? "." : "", (unsigned long long)v->release[i]);
  if (v->pre != AG_PRE_NONE)
    PUT("%s%llu", pre[v->pre], (unsigned long long)v->pre_n);
  if (v->has_post)
    PUT(".post%llu", (unsigned long long)v->post_n);
  if (v->has_dev)
    PUT(".dev%llu", (unsigned long long)v->dev_n);
  if (v->local[0])
    PUT("+%s", v->local);
#undef PUT
  return (int)o;
}
