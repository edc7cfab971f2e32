/*
 * normalize.c -- builds the raw and folded views of a text (see
 * normalize.h for why there are views at all).
 *
 * Speed matters: every request and every stream passes through here, and
 * utf8proc runs at only tens of MB/s. So ASCII runs are copied (raw) or
 * lower-cased (folded) byte by byte, and utf8proc sees only the clusters
 * that contain non-ASCII code points: a starter and the combining marks
 * that follow it, which is the unit NFC/NFKC composition works on (and
 * not even all of those: clusters a view leaves as they are are copied in
 * runs, and a code point alone is normalized once per view and then
 * remembered). One known limit of working per cluster: Hangul jamo
 * sequences that compose across starters (L+V+T written as separate jamo)
 * stay decomposed.
 *
 * The folded view is built in up to three stages, each with its own map:
 *   1. NFKC + case fold + default-ignorables removed + utf8proc's "lump"
 *      (typographic quotes, dashes and spaces to ASCII);
 *   2. look-alike letters folded inside mixed-script words (only when
 *      stage 1 saw Greek or Cyrillic letters);
 *   3. whitespace runs collapsed and split letters joined (i.g.n.o.r.e).
 */
#include "normalize.h"
#include "cpstable.h"
#include "qvec.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define MAX_CLUSTER 32 /* code points normalized together at most */
#define LONE_SLOTS 32  /* remembered lone code points per view */
#define LONE_MAX 12    /* bytes of a remembered normalization at most */
#define CP_BUF (MAX_CLUSTER * 18 + 8)

/* ------------------------------------------------------------ maps */

void ag_map_add(ag_map *m, size_t v, size_t o, size_t olen, int linear) {
  if (m->failed)
    return;
  if (m->n) {
    ag_seg *last = &m->s[m->n - 1];
    /* Extend a linear run that continues in both texts. */
    if (linear && last->linear && last->o + (v - last->v) == o)
      return;
    if (last->v == v) { /* an empty segment before this one */
      *last = (ag_seg){v, o, olen, linear};
      return;
    }
  }
  if (m->n == m->cap) {
    size_t cap = m->cap ? m->cap * 2 : 16;
    ag_seg *s = realloc(m->s, cap * sizeof(*s));
    if (!s) {
      m->failed = 1;
      return;
    }
    m->s = s;
    m->cap = cap;
  }
  m->s[m->n++] = (ag_seg){v, o, olen, linear};
}

static const ag_seg *find_seg(const ag_map *m, size_t x) {
  size_t lo = 0, hi = m->n;
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    if (m->s[mid].v <= x)
      lo = mid;
    else
      hi = mid;
  }
  return &m->s[lo];
}

void ag_map_span(const ag_map *m, size_t s, size_t e, size_t *os, size_t *oe) {
  if (m->n == 0) {
    *os = s;
    *oe = e;
    return;
  }
  const ag_seg *a = find_seg(m, s), *b = find_seg(m, e - 1);
  *os = a->linear && s >= a->v ? a->o + (s - a->v) : a->o;
  *oe = b->linear && e - 1 >= b->v ? b->o + (e - 1 - b->v) + 1 : b->o + b->olen;
  if (!b->linear && *oe < *os)
    *oe = *os;
}

void ag_map_free(ag_map *m) {
  free(m->s);
  memset(m, 0, sizeof(*m));
}

void ag_view_span(const ag_view_buf *v, size_t s, size_t e, size_t *os,
                  size_t *oe) {
  for (int i = v->n_stages - 1; i >= 0; i--) {
    ag_map_span(&v->maps[i], s, e, &s, &e);
    if (e <= s)
      e = s + 1;
  }
  *os = s;
  *oe = e;
}

void ag_view_reset(ag_view_buf *v) {
  for (int i = 0; i < AG_MAX_STAGES; i++) {
    v->stage[i].len = 0;
    v->stage[i].failed = 0;
    v->maps[i].n = 0;
    v->maps[i].failed = 0;
  }
  v->n_stages = 0;
  v->p = NULL;
  v->len = 0;
}

void ag_view_free(ag_view_buf *v) {
  for (int i = 0; i < AG_MAX_STAGES; i++) {
    ag_buf_free(&v->stage[i]);
    ag_map_free(&v->maps[i]);
  }
  memset(v, 0, sizeof(*v));
}

/* ----------------------------------------------------------- UTF-8 */

size_t ag_utf8_decode(const unsigned char *s, size_t n, int *cp) {
  unsigned c = s[0];
  if (c < 0x80) {
    *cp = (int)c;
    return 1;
  }
  size_t len;
  unsigned min;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    min = 0x80;
    c &= 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    min = 0x800;
    c &= 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    min = 0x10000;
    c &= 0x07;
  } else {
    return 0;
  }
  if (n < len)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    c = (c << 6) | (s[i] & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
    return 0;
  *cp = (int)c;
  return len;
}

/* ag_utf8_decode with the one- to three-byte forms (every letter of the
 * scripts most text is in) inline, for the loops that run per code point;
 * the same result for every input. */
static inline size_t utf8_next(const unsigned char *s, size_t n, int *cp) {
  unsigned c = s[0];
  if (c < 0x80) {
    *cp = (int)c;
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF && n >= 2 && (s[1] & 0xC0) == 0x80) {
    *cp = (int)((c & 0x1F) << 6 | (s[1] & 0x3Fu));
    return 2;
  }
  if (c >= 0xE0 && c <= 0xEF && n >= 3 && (s[1] & 0xC0) == 0x80 &&
      (s[2] & 0xC0) == 0x80) {
    unsigned v = (c & 0x0F) << 12 | (s[1] & 0x3Fu) << 6 | (s[2] & 0x3Fu);
    if (v >= 0x800 && (v < 0xD800 || v > 0xDFFF)) {
      *cp = (int)v;
      return 3;
    }
  }
  return ag_utf8_decode(s, n, cp);
}

char *ag_utf8_copy(const char *s, size_t n) {
  if (n > ((size_t)-1 - 1) / 3)
    return NULL;
  char *out = malloc(n * 3 + 1), *o = out;
  if (!out)
    return NULL;
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; i < n;) {
    int cp;
    size_t l = ag_utf8_decode(u + i, n - i, &cp);
    if (l) {
      memcpy(o, u + i, l);
      o += l;
      i += l;
    } else {
      memcpy(o, "\xEF\xBF\xBD", 3);
      o += 3;
      i++;
    }
  }
  *o = '\0';
  return out;
}

/* The first offset at or after i whose byte is not ASCII (n when none).
 * 64 bytes at a time, then eight: this runs over every byte of every
 * view, and most text is long ASCII runs. */
static size_t ascii_end(const unsigned char *u, size_t i, size_t n) {
  const uint64_t high = 0x8080808080808080ull;
#if defined(QVEC)
  for (; i + 4 * QVEC <= n; i += 4 * QVEC) {
    qvec v = qload(u + i) | qload(u + i + QVEC) | qload(u + i + 2 * QVEC) |
             qload(u + i + 3 * QVEC);
    if (qany((qmask)(v >= 0x80)))
      break;
  }
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, u + i, 8);
    w &= high;
    if (w)
      return i + (size_t)__builtin_ctzll(w) / 8;
  }
#endif
  while (i < n && u[i] < 0x80)
    i++;
  return i;
}

int ag_is_ascii(const char *s, size_t n) {
  return ascii_end((const unsigned char *)s, 0, n) == n;
}

/* A combining mark after a stable starter that leaves the cluster
 * unchanged: in canonical order, composing with nothing, and (folded)
 * without decomposition, case folding or being ignorable. */
static int stable_mark(int cp, const utf8proc_property_t *p, int folded,
                       int *last_ccc) {
  if (p->combining_class < *last_ccc || p->comb_index != UINT16_MAX)
    return 0;
  *last_ccc = p->combining_class;
  if (p->decomp_seqindex != UINT16_MAX)
    return 0;
  return !folded || (p->casefold_seqindex == UINT16_MAX && !p->ignorable &&
                     !ag_styled_cp(cp));
}

/* ------------------------------------------------ per-cluster transform */

/* A code point that made a cluster alone, and what the view made of it. */
typedef struct {
  int cp; /* 0: empty (a lone cluster is never ASCII) */
  unsigned char len, same, greek;
  char out[LONE_MAX];
} lone_slot;

typedef struct {
  ag_buf *out;
  ag_map *map;
  utf8proc_option_t opts;
  int lower_ascii; /* fold ASCII letters (the folded view) */
  int saw_greek_cyrillic;
  ag_norm_notes *notes;
  int last_cp; /* one-entry cache: a cluster's look-ahead is the next */
  const utf8proc_property_t *last_prop; /* cluster's starter */
  /* Raw view: every byte so far is the input's own, at the same offset,
   * and nothing has been written: if that lasts, the view is the input
   * (most non-ASCII text is NFC already), and no copy is made. */
  int unchanged;
  const char *in;
  lone_slot lone[LONE_SLOTS]; /* see lone_cluster */
} xform;

static const utf8proc_property_t *prop(xform *x, int cp) {
  if (cp != x->last_cp) {
    x->last_cp = cp;
    x->last_prop = utf8proc_get_property(cp);
  }
  return x->last_prop;
}

static void note(size_t (*arr)[2], size_t *n, size_t s, size_t e) {
  if (*n < AG_MAX_NOTES) {
    arr[*n][0] = s;
    arr[*n][1] = e;
  }
  (*n)++;
}

static void emit(xform *x, const char *p, size_t n, size_t o, size_t olen,
                 int linear) {
  if (n == 0)
    return;
  if (x->unchanged) {
    if (linear && n == olen)
      return; /* the input's bytes (linear emits are copies or equal) */
    x->unchanged = 0;
    if (o) { /* what the view skipped so far: the input, as it is */
      ag_map_add(x->map, 0, 0, o, 1);
      ag_buf_append(x->out, x->in, o);
    }
  }
  ag_map_add(x->map, x->out->len, o, olen, linear);
  ag_buf_append(x->out, p, n);
}

/* What the folded view reads a code point as before utf8proc's mappings:
 * its styled letters as letters (cpstable.h), and all the typographic
 * quotes as ASCII ' and " (utf8proc's lump folds only U+2018/U+2019). */
static utf8proc_int32_t fold_custom(utf8proc_int32_t cp, void *data) {
  (void)data;
  int styled = ag_styled_cp(cp);
  if (styled)
    return styled;
  if (cp == 0x201A || cp == 0x201B)
    return '\'';
  if (cp >= 0x201C && cp <= 0x201F)
    return '"';
  return cp;
}

/* Normalize the cluster in[s, e) (valid UTF-8, starter first) into buf
 * as UTF-8: its length, or -1 when utf8proc fails (the cluster is then
 * kept as it is). *greek is set when the decomposition holds a Greek or
 * Cyrillic letter. */
static utf8proc_ssize_t normalize_cluster(const xform *x, const char *in,
                                          size_t s, size_t e,
                                          utf8proc_int32_t *buf, int *greek) {
  utf8proc_ssize_t n = utf8proc_decompose_custom(
      (const utf8proc_uint8_t *)in + s, (utf8proc_ssize_t)(e - s), buf,
      CP_BUF - 1, x->opts, (x->opts & UTF8PROC_LUMP) ? fold_custom : NULL,
      NULL);
  /* Cannot fail for valid UTF-8 within MAX_CLUSTER; keep the bytes rather
   * than lose text. */
  if (n < 0 || n >= CP_BUF - 1)
    return -1;
  for (utf8proc_ssize_t i = 0; i < n; i++)
    if ((buf[i] >= 0x370 && buf[i] <= 0x3FF) ||
        (buf[i] >= 0x400 && buf[i] <= 0x52F))
      *greek = 1;
  utf8proc_ssize_t len =
      utf8proc_reencode(buf, n, x->opts & (UTF8PROC_COMPOSE | UTF8PROC_STABLE));
  return len < 0 ? -1 : len;
}

static void cluster(xform *x, const char *in, size_t s, size_t e) {
  utf8proc_int32_t buf[CP_BUF];
  int greek = 0;
  utf8proc_ssize_t len = normalize_cluster(x, in, s, e, buf, &greek);
  x->saw_greek_cyrillic |= greek;
  if (len < 0) {
    emit(x, in + s, e - s, s, e - s, 1);
    return;
  }
  const char *p = (const char *)buf;
  int same = (size_t)len == e - s && memcmp(p, in + s, e - s) == 0;
  emit(x, p, (size_t)len, s, e - s, same);
}

/* A non-ASCII code point cp that makes the cluster in[s, e) alone. What a
 * view makes of it depends on the code point only, and texts repeat the
 * few they have (capital letters of Cyrillic words, degree and prime
 * signs in a table of coordinates, byte-order marks): each is normalized
 * by utf8proc once per view and remembered in a small direct-mapped table. */
static void lone_cluster(xform *x, const char *in, size_t s, size_t e, int cp) {
  lone_slot *c = &x->lone[(unsigned)cp % LONE_SLOTS];
  if (c->cp != cp) {
    utf8proc_int32_t buf[CP_BUF];
    int greek = 0;
    utf8proc_ssize_t len = normalize_cluster(x, in, s, e, buf, &greek);
    if (len < 0 || len > LONE_MAX) {
      cluster(x, in, s, e);
      return;
    }
    c->cp = cp;
    c->len = (unsigned char)len;
    c->greek = (unsigned char)greek;
    memcpy(c->out, buf, (size_t)len);
    c->same = (size_t)len == e - s && memcmp(c->out, in + s, e - s) == 0;
  }
  x->saw_greek_cyrillic |= c->greek;
  emit(x, c->out, c->len, s, e - s, c->same);
}

static void ascii_run(xform *x, const char *in, size_t s, size_t e) {
  if (!x->lower_ascii) {
    emit(x, in + s, e - s, s, e - s, 1);
    return;
  }
  ag_map_add(x->map, x->out->len, s, e - s, 1);
  ag_buf_append(x->out, in + s, e - s);
  if (x->out->failed)
    return;
  unsigned char *o = (unsigned char *)x->out->data + x->out->len - (e - s);
  size_t i = 0;
  /* Eight bytes at a time. All are ASCII, so adding 0x3F (0x25) to one
   * sets its top bit exactly when it is at least 'A' (past 'Z') and never
   * carries into the next byte; the bit of the upper-case ones, moved
   * down to 0x20, makes them lower case. */
  for (; i + 8 <= e - s; i += 8) {
    uint64_t w, up;
    memcpy(&w, o + i, 8);
    up = (w + 0x3F3F3F3F3F3F3F3Full) & ~(w + 0x2525252525252525ull) &
         0x8080808080808080ull;
    w |= up >> 2;
    memcpy(o + i, &w, 8);
  }
  for (; i < e - s; i++)
    o[i] = (unsigned char)(o[i] + ((unsigned)(o[i] - 'A') < 26u ? 32 : 0));
}

/* Generated at build time from utf8proc (tools/gen_cpflags.c). */
extern const unsigned char ag_cp_flags[65536];
#define CP_RAW_STABLE 1
#define CP_FOLDED_STABLE 2
#define CP_MARK 4
#define CP_WORD 8
#define CP_FORMAT 16

static int is_mark(xform *x, int cp) {
  if (cp < 0x10000)
    return ag_cp_flags[cp] & CP_MARK;
  return prop(x, cp)->combining_class != 0;
}

/* Emit the pending run of stable clusters in[*s, *e), if any. */
static void flush_stable(xform *x, const char *in, size_t *s, size_t *e) {
  if (*e > *s)
    emit(x, in + *s, *e - *s, *s, *e - *s, 1);
  *s = *e = 0;
}

/* Walk `in`, copying ASCII runs and normalizing non-ASCII clusters.
 * Clusters that stay as they are (most letters of most scripts) are
 * gathered into one run and emitted together: the map is the same as
 * with one emit each (contiguous linear pieces merge), at a fraction of
 * the cost for scripts of short clusters (Devanagari, Cyrillic). */
static void transform(xform *x, const char *in, size_t n) {
  const unsigned char *u = (const unsigned char *)in;
  size_t i = 0, run = 0, run_end = 0; /* pending stable clusters */
  while (i < n) {
    size_t j = u[i] < 0x80 ? ascii_end(u, i, n) : i;
    if (j == n) {
      flush_stable(x, in, &run, &run_end);
      ascii_run(x, in, i, n);
      return;
    }
    /* The ASCII byte before a non-ASCII one may be the starter of its
     * cluster (e + U+0301 composes to é), so it goes with the cluster. */
    int cp;
    size_t len = utf8_next(u + j, n - j, &cp);
    size_t start = j;
    if (len && j > i && is_mark(x, cp))
      start = j - 1;
    if (start > i || !len)
      flush_stable(x, in, &run, &run_end);
    if (start > i)
      ascii_run(x, in, i, start);
    if (!len) {
      /* Invalid UTF-8: U+FFFD in place of each bad byte, and a note. */
      static const char fffd[] = "\xEF\xBF\xBD";
      emit(x, fffd, 3, j, 1, 0);
      if (x->notes) {
        size_t *last =
            x->notes->n_invalid && x->notes->n_invalid <= AG_MAX_NOTES
                ? x->notes->invalid[x->notes->n_invalid - 1]
                : NULL;
        if (last && last[1] == j)
          last[1] = j + 1;
        else
          note(x->notes->invalid, &x->notes->n_invalid, j, j + 1);
      }
      i = j + 1;
      continue;
    }
    size_t e = j + len;
    int count = 1;
    int stable =
        start == j &&
        (cp < 0x10000 ? (ag_cp_flags[cp] &
                         (x->lower_ascii ? CP_FOLDED_STABLE : CP_RAW_STABLE))
                      : ag_stable_cp(cp, prop(x, cp), x->lower_ascii));
    int last_ccc = 0;
    while (e < n && count < MAX_CLUSTER) {
      int next;
      size_t l = utf8_next(u + e, n - e, &next);
      if (!l || !is_mark(x, next))
        break;
      e += l;
      count++;
      stable =
          stable && stable_mark(next, prop(x, next), x->lower_ascii, &last_ccc);
    }
    if (stable) {
      x->saw_greek_cyrillic |= cp >= 0x370 && cp <= 0x52F;
      if (run_end != j || run_end == run) {
        flush_stable(x, in, &run, &run_end);
        run = j;
      }
      run_end = e;
    } else {
      flush_stable(x, in, &run, &run_end);
      if (start == j && e == j + len)
        lone_cluster(x, in, j, e, cp);
      else
        cluster(x, in, start, e);
    }
    i = e;
  }
  flush_stable(x, in, &run, &run_end);
}

int ag_view_raw(const char *in, size_t n, ag_view_buf *v, ag_norm_notes *nt) {
  ag_view_reset(v);
  if (ag_is_ascii(in, n)) {
    v->p = in;
    v->len = n;
    return AIGATE_OK;
  }
  xform x = {.out = &v->stage[0],
             .map = &v->maps[0],
             .opts = UTF8PROC_STABLE | UTF8PROC_COMPOSE,
             .notes = nt,
             .last_cp = -1,
             .unchanged = 1,
             .in = in};
  transform(&x, in, n);
  if (x.unchanged) {
    v->p = in;
    v->len = n;
    return AIGATE_OK;
  }
  if (v->stage[0].failed || v->maps[0].failed)
    return AIGATE_ERR_NOMEM;
  v->n_stages = 1;
  v->p = v->stage[0].data ? v->stage[0].data : "";
  v->len = v->stage[0].len;
  return AIGATE_OK;
}

/* ------------------------------------------------ stage 2: look-alikes */

/* Lower-case Greek and Cyrillic letters that look like Latin ones. Applied
 * only inside words that also contain Latin letters: a narrow one-to-one
 * table, unlike confusable skeletons which also map rn to m. */
static int lookalike(int cp) {
  switch (cp) {
  case 0x0430: return 'a';
  case 0x0432: return 'b';
  case 0x0435: return 'e';
  case 0x0456: return 'i';
  case 0x0458: return 'j';
  case 0x043A: return 'k';
  case 0x043C: return 'm';
  case 0x043D: return 'h';
  case 0x043E: return 'o';
  case 0x0440: return 'p';
  case 0x0441: return 'c';
  case 0x0442: return 't';
  case 0x0443: return 'y';
  case 0x0445: return 'x';
  case 0x0455: return 's';
  case 0x0501: return 'd';
  case 0x04BB: return 'h';
  case 0x04CF: return 'l';
  case 0x051B: return 'q';
  case 0x051D: return 'w';
  case 0x03B1: return 'a';
  case 0x03B3: return 'y';
  case 0x03B5: return 'e';
  case 0x03B7: return 'n';
  case 0x03B9: return 'i';
  case 0x03BA: return 'k';
  case 0x03BD: return 'v';
  case 0x03BF: return 'o';
  case 0x03C1: return 'p';
  case 0x03C4: return 't';
  case 0x03C5: return 'u';
  case 0x03C7: return 'x';
  case 0x03C9: return 'w';
  default: return 0;
  }
}

static int is_latin(int cp) {
  return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
         (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) ||
         (cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A);
}

static int is_greek_cyrillic(int cp) {
  return (cp >= 0x370 && cp <= 0x3FF) || (cp >= 0x400 && cp <= 0x52F);
}

static int is_word_cp(int cp) {
  if (cp < 0x80)
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
           (cp >= '0' && cp <= '9');
  if (cp < 0x10000)
    return ag_cp_flags[cp] & CP_WORD;
  utf8proc_category_t c = utf8proc_category(cp);
  return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_ME;
}

static int ascii_word(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}

/* Word characters, plus format characters (zero-width joiners and the
 * like), which hide inside words and are removed by the folded view. */
static inline int in_word(int cp) {
  if (cp >= 0x80 && cp < 0x10000) /* is_word_cp's table, and this one */
    return ag_cp_flags[cp] & (CP_WORD | CP_FORMAT);
  if (is_word_cp(cp))
    return 1;
  if (cp < 0x10000)
    return ag_cp_flags[cp] & CP_FORMAT;
  return utf8proc_category(cp) == UTF8PROC_CATEGORY_CF;
}

/*
 * Find the next word at or after *i that mixes Latin letters with Greek
 * or Cyrillic ones; on success returns 1 with the word in [*ws, *i). Only
 * words with a non-ASCII letter can mix scripts, so the walk jumps from
 * one non-ASCII byte to the next and looks at the word around it.
 */
static int next_mixed_word(const unsigned char *u, size_t n, size_t *i,
                           size_t *ws) {
  while (*i < n) {
    size_t j = ascii_end(u, *i, n);
    if (j == n) {
      *i = n;
      return 0;
    }
    int cp;
    size_t l = utf8_next(u + j, n - j, &cp);
    if (!l || !in_word(cp)) {
      *i = j + (l ? l : 1);
      continue;
    }
    size_t start = j;
    while (start > *i && ascii_word(u[start - 1]))
      start--;
    size_t k = start;
    int latin = 0, other = 0;
    while (k < n && (l = utf8_next(u + k, n - k, &cp)) && in_word(cp)) {
      latin |= is_latin(cp);
      other |= is_greek_cyrillic(cp);
      k += l;
    }
    *i = k;
    if (latin && other) {
      *ws = start;
      return 1;
    }
  }
  return 0;
}

/* 1 if the text may hold a Greek or Cyrillic letter: a lead byte of
 * U+0340..U+053F (0xCD..0xD4). Texts without one cannot mix those scripts
 * with Latin, and most non-Latin text (Devanagari, Bengali, CJK) has
 * none: one pass over the bytes instead of a walk through every word. */
static int may_have_greek_cyrillic(const unsigned char *u, size_t n) {
  size_t i = 0;
#if defined(QVEC)
  for (; i + QVEC <= n; i += QVEC)
    if (qany((qmask)((qvec)(qload(u + i) - 0xCD) < 8)))
      return 1;
#endif
  for (; i < n; i++)
    if ((unsigned)(u[i] - 0xCD) < 8u)
      return 1;
  return 0;
}

void ag_note_mixed_scripts(const char *in, size_t n, ag_norm_notes *nt) {
  size_t i = 0, ws;
  if (!may_have_greek_cyrillic((const unsigned char *)in, n))
    return;
  while (next_mixed_word((const unsigned char *)in, n, &i, &ws))
    note(nt->mixed, &nt->n_mixed, ws, i);
}

/* Returns 0, with nothing written, when no word mixes scripts: the stage
 * is then left out rather than copy the text unchanged. */
static int fold_lookalikes(const char *in, size_t n, ag_buf *out, ag_map *map) {
  const unsigned char *u = (const unsigned char *)in;
  size_t i = 0, ws, copied = 0; /* in[copied, ws) not yet emitted */
  if (!next_mixed_word(u, n, &i, &ws))
    return 0;
  do {
    if (ws > copied) {
      ag_map_add(map, out->len, copied, ws - copied, 1);
      ag_buf_append(out, in + copied, ws - copied);
    }
    size_t l;
    for (size_t k = ws; k < i; k += l) {
      int cp;
      l = ag_utf8_decode(u + k, i - k, &cp);
      int lat = lookalike(cp);
      if (lat) {
        char c = (char)lat;
        ag_map_add(map, out->len, k, l, 0);
        ag_buf_append(out, &c, 1);
      } else {
        ag_map_add(map, out->len, k, l, 1);
        ag_buf_append(out, in + k, l);
      }
    }
    copied = i;
  } while (next_mixed_word(u, n, &i, &ws));
  if (n > copied) {
    ag_map_add(map, out->len, copied, n - copied, 1);
    ag_buf_append(out, in + copied, n - copied);
  }
  return 1;
}

/* Byte classes for the collapse stage, which runs over every byte. */
enum { C_ALNUM = 1, C_SPACE = 2, C_NL = 4, C_SEP = 8 };
static const unsigned char CLS[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0,  2, 4, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 8, 0, 0, 0, 0, 8, 0, 0, 8, 8, 8, 8, 8, 8,
    1, 1, 1, 1, 1, 1, 1, 1, 1,  1, 8, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1,  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 8,
    0, 1, 1, 1, 1, 1, 1, 1, 1,  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 0, 8, 0, 8, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0,
};

static int alnum(unsigned char c) {
  return CLS[c] & C_ALNUM;
}

/* A lone letter at i: a letter with no letter on either side. */
static int lone(const unsigned char *u, size_t n, size_t i) {
  return i < n && alnum(u[i]) && (i == 0 || !alnum(u[i - 1])) &&
         (i + 1 >= n || !alnum(u[i + 1]));
}

/* Length of a run of >= 3 lone letters joined by one repeated separator
 * starting at i (from the first letter to the last), or 0. */
static size_t split_run(const unsigned char *u, size_t n, size_t i,
                        size_t *count) {
  if (!lone(u, n, i) || i + 2 >= n || !(CLS[u[i + 1]] & C_SEP))
    return 0;
  unsigned char sep = u[i + 1];
  size_t k = i, c = 1;
  while (k + 2 < n && u[k + 1] == sep && lone(u, n, k + 2)) {
    k += 2;
    c++;
  }
  *count = c;
  return c >= 3 ? k + 1 - i : 0;
}

static void flush(const char *in, size_t from, size_t to, ag_buf *out,
                  ag_map *map) {
  if (to > from) {
    ag_map_add(map, out->len, from, to - from, 1);
    ag_buf_append(out, in + from, to - from);
  }
}

/*
 * Most of a text is words and single spaces, which the collapse stage
 * copies unchanged; it then spends its time deciding so byte by byte. So
 * it first asks of QUIET bytes at a time whether any could start a change:
 * a whitespace byte other than ' ' and '\n', two whitespace bytes in a
 * row, or a letter followed by separator, letter, the same separator (the
 * start of a split-letter run; the test is looser than that, which only
 * sends more blocks down the byte-wise path). None: the block is skipped.
 * Neither a whitespace run nor a split-letter run can then begin in it,
 * and the byte-wise path may start anywhere else (in a word, its tests
 * look at the neighbours). Without vectors every block goes the
 * byte-wise way.
 */
#if defined(QVEC)
#define QUIET QVEC
/* Unsigned tests against constants: (v - lo) < width for lo <= v < lo +
 * width, the form compilers turn into the fewest vector instructions. */
static qmask q_alnum(qvec v) {
  return (qmask)((qvec)((v | 0x20) - 'a') < 26) | (qmask)((qvec)(v - '0') < 10);
}

static qmask q_space(qvec v) {
  return (qmask)(v == ' ') | (qmask)((qvec)(v - 9) < 5); /* \t\n\v\f\r */
}

/* 1 when collapse leaves u[0, QUIET) as it is; reads u[0, QUIET + 3). */
static int quiet(const unsigned char *u) {
  qvec v0 = qload(u), v1 = qload(u + 1), v2 = qload(u + 2), v3 = qload(u + 3);
  qmask ws0 = q_space(v0);
  qmask odd = ws0 & (qmask)(v0 != ' ') & (qmask)(v0 != '\n');
  qmask split = q_alnum(v0) & ~q_alnum(v1) & q_alnum(v2) & (qmask)(v1 == v3);
  return !qany(odd | (ws0 & q_space(v1)) | split);
}
#else
#define QUIET 16
static int quiet(const unsigned char *u) {
  (void)u;
  return 0;
}
#endif

static void collapse(const char *in, size_t n, ag_buf *out, ag_map *map) {
  const unsigned char *u = (const unsigned char *)in;
  size_t i = 0, copied = 0, checked = 0; /* byte-wise below `checked` */
  while (i < n) {
    if (i >= checked) {
      while (n - i >= QUIET + 3 && quiet(u + i))
        i += QUIET;
      checked = i + QUIET;
    }
    unsigned char cls = CLS[u[i]];
    if (cls & (C_SPACE | C_NL)) {
      size_t j = i;
      int nl = 0;
      while (j < n && (CLS[u[j]] & (C_SPACE | C_NL)))
        nl |= u[j++] == '\n';
      if (j - i == 1 && u[i] == (nl ? '\n' : ' ')) {
        i = j;
        continue; /* already folded */
      }
      flush(in, copied, i, out, map);
      ag_map_add(map, out->len, i, j - i, 0);
      ag_buf_putc(out, nl ? '\n' : ' ');
      i = copied = j;
      continue;
    }
    if (!(cls & C_ALNUM)) {
      i++;
      continue;
    }
    /* A word: split letters can only start at a one-letter word that a
     * separator follows, so the letters of longer words cost one test. */
    size_t ws = i, count, len;
    while (i < n && (CLS[u[i]] & C_ALNUM))
      i++;
    if (i - ws != 1 || i + 1 >= n || !(CLS[u[i]] & C_SEP) ||
        !(len = split_run(u, n, ws, &count)))
      continue;
    flush(in, copied, ws, out, map);
    for (size_t k = 0; k < count; k++) {
      ag_map_add(map, out->len, ws + 2 * k, 1, 1);
      ag_buf_putc(out, in[ws + 2 * k]);
    }
    i = copied = ws + len;
  }
  flush(in, copied, n, out, map);
}

static int finish_stage(ag_view_buf *v, int k) {
  if (v->stage[k].failed || v->maps[k].failed)
    return AIGATE_ERR_NOMEM;
  if (!v->stage[k].data)
    ag_buf_append(&v->stage[k], "", 0);
  v->n_stages = k + 1;
  v->p = v->stage[k].data ? v->stage[k].data : "";
  v->len = v->stage[k].len;
  return AIGATE_OK;
}

int ag_view_folded(const char *in, size_t n, ag_view_buf *v,
                   ag_norm_notes *nt) {
  ag_view_reset(v);
  xform x = {.out = &v->stage[0],
             .map = &v->maps[0],
             .opts = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
                     UTF8PROC_CASEFOLD | UTF8PROC_IGNORE | UTF8PROC_LUMP,
             .lower_ascii = 1,
             .last_cp = -1};
  transform(&x, in, n);
  int rc = finish_stage(v, 0);
  if (rc)
    return rc;
  if (nt && x.saw_greek_cyrillic)
    ag_note_mixed_scripts(in, n, nt);
  int k = 1;
  if (x.saw_greek_cyrillic &&
      fold_lookalikes(v->p, v->len, &v->stage[k], &v->maps[k])) {
    if ((rc = finish_stage(v, k)))
      return rc;
    k++;
  }
  collapse(v->p, v->len, &v->stage[k], &v->maps[k]);
  return finish_stage(v, k);
}
