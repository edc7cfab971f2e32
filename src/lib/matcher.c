/*
 * matcher.c -- builds and runs the rule databases (see matcher.h).
 *
 * Compilation: every pattern is first checked alone (hs_expression_info);
 * one that Hyperscan cannot represent exactly (lookarounds, say) is
 * compiled with HS_FLAG_PREFILTER, which over-approximates it, and PCRE2
 * decides. Whole-database failures ("pattern too large") name the rule.
 *
 * Hold regexes (see matcher.h): branches that can start with the same
 * bytes share a guard, (?=[first bytes])(?:b1|b2|...), so that at a
 * start where none of them can begin PCRE2 skips them with one test;
 * most patterns begin with a literal ("AKIA", "sk-"), and the guards make
 * the search 3-4 times faster than a plain alternation. An alternation
 * PCRE2 finds too large is split. A pattern with back references or
 * recursion, whose group numbers would change in an alternation, or with
 * leading (*VERB) options, gets a regex of its own. Hold regexes are
 * compiled when an engine's first stream is created (about 15 ms for
 * the bundled rules; PCRE2 cannot serialize JIT code, so they are not
 * cached), so that engines which never stream do not pay for them.
 *
 * Cache: a database is stored as
 *   magic(8) key(32) payload_len(8) payload_hash(32) payload
 * where key = BLAKE2b(Hyperscan version, platform, mode, patterns). A file
 * whose key, length, hash or deserialization does not check out is
 * rebuilt and replaced (written to a temporary file, then renamed), never
 * trusted.
 */
#define _GNU_SOURCE
#include "matcher.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <fcntl.h>
#include <hs/hs.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "util.h"

#define CACHE_MAGIC "AGHSDB01"
#define KEY_LEN 32
#define HEADER_LEN (8 + KEY_LEN + 8 + KEY_LEN)
#define MAX_CACHE_FILE ((size_t)256 << 20)
#define MATCH_LIMIT 10000000u
#define DEPTH_LIMIT 100000u
#define OVECTOR_PAIRS 100

struct ag_match_scratch {
  hs_scratch_t *hs;
  pcre2_match_data *md;
  pcre2_match_context *mctx;
  pcre2_jit_stack *jit;
};

/* ---------------------------------------------------------- compile */

static unsigned hs_flags(unsigned f) {
  unsigned h = 0;
  if (f & AG_PAT_CASELESS)
    h |= HS_FLAG_CASELESS;
  if (f & AG_PAT_DOTALL)
    h |= HS_FLAG_DOTALL;
  if (f & AG_PAT_MULTILINE)
    h |= HS_FLAG_MULTILINE;
  return h;
}

static int compile_pcre(ag_rule *r, ag_pattern *p, size_t *max_lookbehind,
                        aigate_error *err) {
  uint32_t opts = PCRE2_USE_OFFSET_LIMIT;
  if (p->flags & AG_PAT_CASELESS)
    opts |= PCRE2_CASELESS;
  if (p->flags & AG_PAT_DOTALL)
    opts |= PCRE2_DOTALL;
  if (p->flags & AG_PAT_MULTILINE)
    opts |= PCRE2_MULTILINE;
  int code;
  PCRE2_SIZE off;
  pcre2_code *re = pcre2_compile((PCRE2_SPTR)p->source, PCRE2_ZERO_TERMINATED,
                                 opts, &code, &off, NULL);
  if (!re) {
    PCRE2_UCHAR msg[160];
    pcre2_get_error_message(code, msg, sizeof(msg));
    ag_err(err, "%s:%d: rule %s: pattern error at offset %zu: %s", r->file,
           r->line, r->id, (size_t)off, (char *)msg);
    return AIGATE_ERR_CONFIG;
  }
  uint32_t groups = 0;
  pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &groups);
  if (r->group > 0 && (uint32_t)r->group > groups) {
    ag_err(err, "%s:%d: rule %s: group %d but the pattern has %u groups",
           r->file, r->line, r->id, r->group, groups);
    pcre2_code_free(re);
    return AIGATE_ERR_CONFIG;
  }
  /* JIT is an optimization: without it (unsupported CPU) PCRE2 still
   * matches through its interpreter. */
  uint32_t behind = 0;
  pcre2_pattern_info(re, PCRE2_INFO_MAXLOOKBEHIND, &behind);
  if (behind > *max_lookbehind)
    *max_lookbehind = behind;
  (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
  p->pcre = re;
  return 0;
}

/* Hyperscan flags for one pattern: exact if it can, prefilter if not. */
/* What Hyperscan compiles for a pattern: its prefilter when it has one. */
static const char *hs_source(const ag_pattern *p) {
  return p->prefilter ? p->prefilter : p->source;
}

static int pattern_flags(ag_rule *r, ag_pattern *p, unsigned *flags,
                         aigate_error *err) {
  hs_expr_info_t *info = NULL;
  hs_compile_error_t *ce = NULL;
  unsigned f = hs_flags(p->flags);
  if (hs_expression_info(hs_source(p), f, &info, &ce) == HS_SUCCESS) {
    int empty = info->min_width == 0;
    free(info);
    if (empty) {
      ag_err(err, "%s:%d: rule %s: pattern can match empty text", r->file,
             r->line, r->id);
      return AIGATE_ERR_CONFIG;
    }
    *flags = f;
    return 0;
  }
  hs_free_compile_error(ce);
  ce = NULL;
  f |= HS_FLAG_PREFILTER;
  if (hs_expression_info(hs_source(p), f, &info, &ce) == HS_SUCCESS) {
    free(info);
    *flags = f;
    return 0;
  }
  ag_err(err, "%s:%d: rule %s: pattern not supported by the matcher: %s",
         r->file, r->line, r->id, ce ? ce->message : "unknown error");
  hs_free_compile_error(ce);
  return AIGATE_ERR_CONFIG;
}

/* Longest match of a pattern, for the confirmation window. Patterns that
 * Hyperscan only prefilters get no bound (their approximation's width
 * says nothing exact about the real pattern). */
static size_t pattern_width(const ag_pattern *p) {
  hs_expr_info_t *info = NULL;
  hs_compile_error_t *ce = NULL;
  size_t w = SIZE_MAX;
  if (hs_expression_info(p->source, hs_flags(p->flags), &info, &ce) ==
      HS_SUCCESS) {
    if (info->max_width != UINT_MAX)
      w = info->max_width;
    free(info);
  } else {
    hs_free_compile_error(ce);
  }
  return w;
}

static void set_widths(ag_family_db *db, ag_ruleset *rs,
                       const uint64_t *widths) {
  for (size_t i = 0; i < db->n_ids; i++)
    rs->rules[db->rule_of[i]].pats[db->pattern_of[i]].max_width =
        widths[i] >= SIZE_MAX ? SIZE_MAX : (size_t)widths[i];
}

/* Patterns matched on the folded view (injection and jailbreak phrases)
 * must have a bounded width: an unbounded one is confirmed by PCRE2 from
 * up to 64 KiB before each hit, and long prompts full of trigger words
 * paid several microseconds per such pattern (docs/rules.md). Refused
 * when the engine is built, with the rule named. */
static int check_widths(const ag_family_db *db, const ag_ruleset *rs,
                        aigate_error *err) {
  if (db->view != AG_VIEW_FOLDED)
    return 0;
  for (size_t i = 0; i < db->n_ids; i++) {
    const ag_rule *r = &rs->rules[db->rule_of[i]];
    if (r->pats[db->pattern_of[i]].max_width != SIZE_MAX)
      continue;
    ag_err(err,
           "%s:%d: rule %s: pattern %zu has no bounded width (folded-view "
           "patterns bound every repeat: \\w{1,40}, not \\w+; .{0,40}, not "
           ".*)",
           r->file, r->line, r->id, db->pattern_of[i] + 1);
    return AIGATE_ERR_CONFIG;
  }
  return 0;
}

static void cache_key(const ag_family_db *db, const ag_ruleset *rs,
                      unsigned char key[KEY_LEN]) {
  crypto_generichash_state st;
  crypto_generichash_init(&st, NULL, 0, KEY_LEN);
  const char *ver = hs_version();
  const unsigned mode = HS_MODE_BLOCK;
  crypto_generichash_update(&st, (const unsigned char *)"aigate-hs-4", 11);
  crypto_generichash_update(&st, (const unsigned char *)ver, strlen(ver) + 1);
  hs_platform_info_t plat;
  memset(&plat, 0, sizeof(plat));
  hs_populate_platform(&plat);
  crypto_generichash_update(&st, (const unsigned char *)&plat, sizeof(plat));
  crypto_generichash_update(&st, (const unsigned char *)&mode, sizeof(mode));
  for (size_t i = 0; i < db->n_ids; i++) {
    const ag_pattern *p = &rs->rules[db->rule_of[i]].pats[db->pattern_of[i]];
    crypto_generichash_update(&st, (const unsigned char *)&p->flags,
                              sizeof(p->flags));
    /* The regex too, not only what Hyperscan compiles: the stored widths
     * come from it, and a prefiltered pattern can change alone. */
    const char *srcs[2] = {hs_source(p), p->source};
    for (int k = 0; k < 2; k++) {
      uint64_t len = strlen(srcs[k]);
      crypto_generichash_update(&st, (const unsigned char *)&len, sizeof(len));
      crypto_generichash_update(&st, (const unsigned char *)srcs[k], len);
    }
  }
  crypto_generichash_final(&st, key, KEY_LEN);
}

static void cache_path(char *out, size_t n, const char *dir,
                       const unsigned char key[KEY_LEN]) {
  char hex[KEY_LEN * 2 + 1];
  sodium_bin2hex(hex, sizeof(hex), key, KEY_LEN);
  snprintf(out, n, "%s/%s.hsdb", dir, hex);
}

/* The payload is the patterns' widths (n_ids x 8 bytes), then the
 * serialized database: a cached engine needs no pattern analysis at all. */
static hs_database_t *cache_load(const char *dir,
                                 const unsigned char key[KEY_LEN], size_t n_ids,
                                 uint64_t *widths) {
  if (!dir || !*dir)
    return NULL;
  char path[4096];
  cache_path(path, sizeof(path), dir, key);
  char *buf;
  size_t len;
  if (ag_read_file(path, MAX_CACHE_FILE, &buf, &len, NULL))
    return NULL;
  hs_database_t *db = NULL;
  uint64_t plen;
  unsigned char hash[KEY_LEN];
  if (len < HEADER_LEN || memcmp(buf, CACHE_MAGIC, 8) != 0 ||
      sodium_memcmp(buf + 8, key, KEY_LEN) != 0)
    goto out;
  memcpy(&plen, buf + 8 + KEY_LEN, 8);
  if (plen != len - HEADER_LEN || plen <= n_ids * 8)
    goto out;
  crypto_generichash(hash, KEY_LEN, (unsigned char *)buf + HEADER_LEN, plen,
                     NULL, 0);
  if (sodium_memcmp(hash, buf + 16 + KEY_LEN, KEY_LEN) != 0)
    goto out;
  memcpy(widths, buf + HEADER_LEN, n_ids * 8);
  if (hs_deserialize_database(buf + HEADER_LEN + n_ids * 8, plen - n_ids * 8,
                              &db) != HS_SUCCESS)
    db = NULL;
out:
  free(buf);
  return db;
}

static int mkdirs(const char *dir) {
  char tmp[4096];
  snprintf(tmp, sizeof(tmp), "%s", dir);
  for (char *p = tmp + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
      return -1;
    *p = '/';
  }
  return mkdir(tmp, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

/* Best effort: a cache that cannot be written only costs a recompile. */
static void cache_store(const char *dir, const unsigned char key[KEY_LEN],
                        const hs_database_t *db, size_t n_ids,
                        const uint64_t *widths) {
  if (!dir || !*dir || mkdirs(dir) < 0)
    return;
  char *bytes = NULL;
  size_t len = 0;
  if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS)
    return;
  unsigned char header[HEADER_LEN];
  uint64_t plen = n_ids * 8 + len;
  memcpy(header, CACHE_MAGIC, 8);
  memcpy(header + 8, key, KEY_LEN);
  memcpy(header + 8 + KEY_LEN, &plen, 8);
  crypto_generichash_state st;
  crypto_generichash_init(&st, NULL, 0, KEY_LEN);
  crypto_generichash_update(&st, (const unsigned char *)widths, n_ids * 8);
  crypto_generichash_update(&st, (const unsigned char *)bytes, len);
  crypto_generichash_final(&st, header + 16 + KEY_LEN, KEY_LEN);
  char path[4096], tmp[4200];
  cache_path(path, sizeof(path), dir, key);
  snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid());
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd >= 0) {
    int ok = write(fd, header, HEADER_LEN) == HEADER_LEN &&
             write(fd, widths, n_ids * 8) == (ssize_t)(n_ids * 8) &&
             write(fd, bytes, len) == (ssize_t)len;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) < 0)
      unlink(tmp);
  }
  free(bytes);
}

static int compile_db(ag_family_db *db, ag_ruleset *rs, const char *cache_dir,
                      hs_database_t **out, int *from_cache, aigate_error *err) {
  unsigned char key[KEY_LEN];
  cache_key(db, rs, key);
  uint64_t *widths = calloc(db->n_ids ? db->n_ids : 1, sizeof(uint64_t));
  if (!widths)
    return AIGATE_ERR_NOMEM;
  int rc = 0;
  if ((*out = cache_load(cache_dir, key, db->n_ids, widths))) {
    *from_cache = 1;
    set_widths(db, rs, widths);
    free(widths);
    if ((rc = check_widths(db, rs, err))) {
      hs_free_database(*out);
      *out = NULL;
    }
    return rc;
  }
  for (size_t i = 0; i < db->n_ids; i++)
    widths[i] =
        pattern_width(&rs->rules[db->rule_of[i]].pats[db->pattern_of[i]]);
  set_widths(db, rs, widths);
  *from_cache = 0;
  if ((rc = check_widths(db, rs, err))) {
    free(widths);
    return rc;
  }
  const char **exprs = calloc(db->n_ids, sizeof(char *));
  unsigned *flags = calloc(db->n_ids, sizeof(unsigned));
  unsigned *ids = calloc(db->n_ids, sizeof(unsigned));
  if (!exprs || !flags || !ids) {
    rc = AIGATE_ERR_NOMEM;
    goto out;
  }
  for (size_t i = 0; i < db->n_ids && !rc; i++) {
    ag_rule *r = &rs->rules[db->rule_of[i]];
    ag_pattern *p = &r->pats[db->pattern_of[i]];
    exprs[i] = hs_source(p);
    ids[i] = (unsigned)i;
    rc = pattern_flags(r, p, &flags[i], err);
  }
  if (rc)
    goto out;
  /* A pattern that compiles alone can still be "too large" in exact mode;
   * as a prefilter it is smaller, and PCRE2 confirms it anyway. */
  for (int attempt = 0;; attempt++) {
    hs_compile_error_t *ce = NULL;
    if (hs_compile_multi(exprs, flags, ids, (unsigned)db->n_ids, HS_MODE_BLOCK,
                         NULL, out, &ce) == HS_SUCCESS)
      break;
    int bad = ce ? ce->expression : -1;
    if (bad >= 0 && (size_t)bad < db->n_ids && attempt < 16 &&
        !(flags[bad] & HS_FLAG_PREFILTER)) {
      flags[bad] |= HS_FLAG_PREFILTER;
      hs_free_compile_error(ce);
      continue;
    }
    if (bad >= 0 && (size_t)bad < db->n_ids) {
      const ag_rule *r = &rs->rules[db->rule_of[bad]];
      ag_err(err, "%s:%d: rule %s: %s", r->file, r->line, r->id, ce->message);
    } else {
      ag_err(err, "family %s: %s", db->family, ce ? ce->message : "error");
    }
    hs_free_compile_error(ce);
    rc = AIGATE_ERR_CONFIG;
    goto out;
  }
  cache_store(cache_dir, key, *out, db->n_ids, widths);
out:
  free(widths);
  free(exprs);
  free(flags);
  free(ids);
  return rc;
}

/* ---------------------------------------------------- hold regexes */

static void src_append(ag_buf *b, const ag_pattern *p, int shared) {
  /* Leading (*UTF)-style options must stay at the very start. */
  const char *src = p->source;
  if (!shared)
    while (src[0] == '(' && src[1] == '*') {
      const char *e = strchr(src, ')');
      if (!e)
        break;
      ag_buf_append(b, src, (size_t)(e + 1 - src));
      src = e + 1;
    }
  ag_buf_append(b, "(?>(?", 5);
  if (p->flags & AG_PAT_CASELESS)
    ag_buf_putc(b, 'i');
  if (p->flags & AG_PAT_DOTALL)
    ag_buf_putc(b, 's');
  if (p->flags & AG_PAT_MULTILINE)
    ag_buf_putc(b, 'm');
  ag_buf_putc(b, ':');
  ag_buf_append(b, src, strlen(src));
  /* \E ends a \Q the pattern may leave open; alone it is ignored. The
   * callout says that the pattern matched, then (*FAIL) backtracks; the
   * atomic group keeps it from trying the pattern's other ways to match
   * at this start, which a match stops at the first of (and which can
   * be quadratic in number: a long token after "Bearer "). */
  ag_buf_append(b, "\\E))(?C1)(*FAIL)", 16);
}

/* Can the pattern be a branch of a shared alternation? */
static int shareable(const ag_pattern *p) {
  uint32_t refs = 0;
  pcre2_pattern_info(p->pcre, PCRE2_INFO_BACKREFMAX, &refs);
  if (refs || strncmp(p->source, "(*", 2) == 0)
    return 0;
  /* Recursion and subroutine calls: (?R) (?1) (?+1) (?-1) (?&n) (?P>n). */
  for (const char *c = p->source; (c = strstr(c, "(?")); c += 2) {
    char k = c[2];
    if (k == 'R' || k == '&' || (k >= '0' && k <= '9') ||
        ((k == '+' || k == '-') && c[3] >= '0' && c[3] <= '9') ||
        (k == 'P' && c[3] == '>'))
      return 0;
  }
  return !strstr(p->source, "\\g<") && !strstr(p->source, "\\g'");
}

static int add_hold(ag_family_db *d, pcre2_code *re) {
  void **h = realloc(d->holds, (d->n_holds + 1) * sizeof(*h));
  if (!h) {
    pcre2_code_free(re);
    return AIGATE_ERR_NOMEM;
  }
  d->holds = h;
  d->holds[d->n_holds++] = re;
  return 0;
}

/* A branch of a hold alternation: a pattern and the bytes its matches
 * can start with (all 256 when PCRE2 cannot tell). */
typedef struct {
  const ag_rule *r;
  const ag_pattern *p;
  size_t order; /* index in the database */
  unsigned char first[32];
  int n_first;
} hold_branch;

static void first_bytes(hold_branch *b) {
  const uint8_t *map = NULL;
  uint32_t type = 0, unit = 0;
  pcre2_pattern_info(b->p->pcre, PCRE2_INFO_FIRSTBITMAP, &map);
  pcre2_pattern_info(b->p->pcre, PCRE2_INFO_FIRSTCODETYPE, &type);
  pcre2_pattern_info(b->p->pcre, PCRE2_INFO_FIRSTCODEUNIT, &unit);
  memset(b->first, 0, sizeof(b->first));
  if (type == 1 && unit < 256) {
    /* The unit may be caseless: allow both cases. */
    unsigned other = unit ^ 0x20u;
    b->first[unit / 8] |= (unsigned char)(1u << (unit % 8));
    if ((other | 0x20u) >= 'a' && (other | 0x20u) <= 'z')
      b->first[other / 8] |= (unsigned char)(1u << (other % 8));
  } else if (type == 0 && map) {
    memcpy(b->first, map, sizeof(b->first));
  } else {
    memset(b->first, 0xFF, sizeof(b->first));
  }
  b->n_first = 0;
  for (int i = 0; i < 256; i++)
    b->n_first += (b->first[i / 8] >> (i % 8)) & 1;
}

/* Branches that can start almost anywhere get no guard. */
#define BROAD_FIRST 128

static int cmp_branch(const void *a, const void *b) {
  const hold_branch *x = a, *y = b;
  int bx = x->n_first > BROAD_FIRST, by = y->n_first > BROAD_FIRST;
  if (bx != by)
    return by - bx; /* broad ones first: they hold most often */
  int c = bx ? 0 : memcmp(x->first, y->first, sizeof(x->first));
  if (c)
    return c;
  return x->order < y->order ? -1 : x->order > y->order; /* rule order */
}

/* [\x61-\x7a...]: the bytes of a first-byte set as a class. */
static void class_append(ag_buf *b, const unsigned char first[32]) {
  char tmp[16];
  ag_buf_putc(b, '[');
  for (int i = 0; i < 256;) {
    if (!((first[i / 8] >> (i % 8)) & 1)) {
      i++;
      continue;
    }
    int j = i;
    while (j + 1 < 256 && ((first[(j + 1) / 8] >> ((j + 1) % 8)) & 1))
      j++;
    snprintf(tmp, sizeof(tmp), j > i ? "\\x%02x-\\x%02x" : "\\x%02x", i, j);
    ag_buf_append(b, tmp, strlen(tmp));
    i = j + 1;
  }
  ag_buf_putc(b, ']');
}

/*
 * Compile branches [lo, hi) as one alternation. Branches with the same
 * first bytes share a guard, (?=[...])(?:b1|b2|...): at a start where
 * none of them can begin, PCRE2 skips them with one test instead of one
 * per branch, which makes the alternation several times faster (most
 * patterns begin with a literal such as "AKIA" or "sk-"). An alternation
 * that PCRE2 finds too large is split in two.
 */
static int compile_branches(ag_family_db *d, hold_branch *br, size_t lo,
                            size_t hi, aigate_error *err) {
  ag_buf b = {0};
  for (size_t i = lo; i < hi; i++) {
    int broad = br[i].n_first > BROAD_FIRST;
    int opens = !broad && (i == lo || br[i - 1].n_first > BROAD_FIRST ||
                           memcmp(br[i].first, br[i - 1].first, 32) != 0);
    int closes = !broad &&
                 (i + 1 == hi || memcmp(br[i].first, br[i + 1].first, 32) != 0);
    if (i > lo)
      ag_buf_putc(&b, '|');
    if (opens) {
      ag_buf_append(&b, "(?=", 3);
      class_append(&b, br[i].first);
      ag_buf_append(&b, ")(?:", 4);
    }
    src_append(&b, br[i].p, 1);
    if (closes)
      ag_buf_putc(&b, ')');
  }
  if (b.failed) {
    ag_buf_free(&b);
    return AIGATE_ERR_NOMEM;
  }
  int code;
  PCRE2_SIZE off;
  pcre2_code *re =
      pcre2_compile((PCRE2_SPTR)b.data, b.len,
                    PCRE2_USE_OFFSET_LIMIT | PCRE2_DUPNAMES, &code, &off, NULL);
  ag_buf_free(&b);
  if (re) {
    (void)pcre2_jit_compile(re, PCRE2_JIT_PARTIAL_HARD);
    return add_hold(d, re);
  }
  if (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    int rc = compile_branches(d, br, lo, mid, err);
    return rc ? rc : compile_branches(d, br, mid, hi, err);
  }
  ag_err(err, "%s:%d: rule %s: pattern cannot be checked for partial matches",
         br[lo].r->file, br[lo].r->line, br[lo].r->id);
  return AIGATE_ERR_CONFIG;
}

/* A regex of its own for a pattern that cannot share one. */
static int compile_alone(ag_family_db *d, const ag_rule *r, const ag_pattern *p,
                         aigate_error *err) {
  ag_buf b = {0};
  src_append(&b, p, 0);
  if (b.failed) {
    ag_buf_free(&b);
    return AIGATE_ERR_NOMEM;
  }
  int code;
  PCRE2_SIZE off;
  pcre2_code *re = pcre2_compile((PCRE2_SPTR)b.data, b.len,
                                 PCRE2_USE_OFFSET_LIMIT, &code, &off, NULL);
  ag_buf_free(&b);
  if (!re) {
    ag_err(err, "%s:%d: rule %s: pattern cannot be checked for partial matches",
           r->file, r->line, r->id);
    return AIGATE_ERR_CONFIG;
  }
  (void)pcre2_jit_compile(re, PCRE2_JIT_PARTIAL_HARD);
  return add_hold(d, re);
}

/* The hold regexes of d: alternations of its shareable patterns (one
 * unless PCRE2 finds it too large), then one regex for each of the
 * others. The first alternation starts with the patterns that can begin
 * almost anywhere, which hold text most often: the earlier a hold point
 * is found, the less the regexes after it search. */
static int compile_holds(ag_family_db *d, const ag_ruleset *rs,
                         aigate_error *err) {
  hold_branch *br = calloc(d->n_ids ? d->n_ids : 1, sizeof(*br));
  if (!br)
    return AIGATE_ERR_NOMEM;
  size_t n = 0;
  int rc = 0;
  for (size_t i = 0; i < d->n_ids; i++) {
    const ag_rule *r = &rs->rules[d->rule_of[i]];
    const ag_pattern *p = &r->pats[d->pattern_of[i]];
    if (shareable(p)) {
      br[n] = (hold_branch){.r = r, .p = p, .order = i};
      first_bytes(&br[n++]);
    }
  }
  if (n) {
    qsort(br, n, sizeof(*br), cmp_branch);
    rc = compile_branches(d, br, 0, n, err);
  }
  for (size_t i = 0; i < d->n_ids && !rc; i++) {
    const ag_rule *r = &rs->rules[d->rule_of[i]];
    const ag_pattern *p = &r->pats[d->pattern_of[i]];
    if (!shareable(p))
      rc = compile_alone(d, r, p, err);
  }
  free(br);
  return rc;
}

/* ---------------------------------------------------------- families */

static ag_family_db *db_for(ag_matcher *m, const ag_rule *r) {
  for (size_t i = 0; i < m->n_dbs; i++)
    if (m->dbs[i].view == r->view && strcmp(m->dbs[i].family, r->family) == 0)
      return &m->dbs[i];
  ag_family_db *d = realloc(m->dbs, (m->n_dbs + 1) * sizeof(*d));
  if (!d)
    return NULL;
  m->dbs = d;
  d = &m->dbs[m->n_dbs];
  memset(d, 0, sizeof(*d));
  if (!(d->family = strdup(r->family)))
    return NULL;
  m->n_dbs++;
  d->view = r->view;
  d->directions = r->directions;
  return d;
}

static int add_id(ag_family_db *d, size_t rule, size_t pat) {
  size_t *a = realloc(d->rule_of, (d->n_ids + 1) * sizeof(size_t));
  if (!a)
    return AIGATE_ERR_NOMEM;
  d->rule_of = a;
  size_t *b = realloc(d->pattern_of, (d->n_ids + 1) * sizeof(size_t));
  if (!b)
    return AIGATE_ERR_NOMEM;
  d->pattern_of = b;
  d->rule_of[d->n_ids] = rule;
  d->pattern_of[d->n_ids] = pat;
  d->n_ids++;
  return 0;
}

int ag_matcher_build(ag_matcher *m, ag_ruleset *rs, const char *cache_dir,
                     aigate_error *err) {
  memset(m, 0, sizeof(*m));
  pthread_mutex_init(&m->holds_lock, NULL);
  m->lock_ready = 1;
  if (sodium_init() < 0) {
    ag_err(err, "libsodium failed to initialize");
    return AIGATE_ERR_NOMEM;
  }
  int rc = 0;
  size_t gid = 0;
  for (size_t i = 0; i < rs->n_rules && !rc; i++) {
    ag_rule *r = &rs->rules[i];
    for (size_t j = 0; j < r->n_pats && !rc; j++) {
      rc = compile_pcre(r, &r->pats[j], &m->max_lookbehind, err);
      r->pats[j].gid = gid++;
    }
    if (rc || !r->n_pats)
      continue;
    ag_family_db *d = db_for(m, r);
    if (!d)
      return AIGATE_ERR_NOMEM;
    d->directions |= r->directions;
    for (size_t j = 0; j < r->n_pats && !rc; j++)
      rc = add_id(d, i, j);
  }
  for (size_t i = 0; i < m->n_dbs && !rc; i++) {
    ag_family_db *d = &m->dbs[i];
    int cached;
    hs_database_t *db;
    if (!(rc = compile_db(d, rs, cache_dir, &db, &cached, err))) {
      d->block_db = db;
      cached ? m->cache_loaded++ : m->cache_compiled++;
    }
  }
  return rc;
}

static void free_holds(ag_matcher *m) {
  for (size_t i = 0; i < m->n_dbs; i++) {
    for (size_t j = 0; j < m->dbs[i].n_holds; j++)
      pcre2_code_free(m->dbs[i].holds[j]);
    free(m->dbs[i].holds);
    m->dbs[i].holds = NULL;
    m->dbs[i].n_holds = 0;
  }
}

int ag_matcher_holds(const ag_matcher *cm, const ag_ruleset *rs,
                     aigate_error *err) {
  /* The engine is shared and immutable to its users; the hold regexes
   * are a cache inside it, built once under the lock. */
  ag_matcher *m = (ag_matcher *)cm;
  if (atomic_load_explicit(&m->holds_ready, memory_order_acquire))
    return 0;
  pthread_mutex_lock(&m->holds_lock);
  int rc = 0;
  if (!atomic_load_explicit(&m->holds_ready, memory_order_relaxed)) {
    for (size_t i = 0; i < m->n_dbs && !rc; i++)
      rc = compile_holds(&m->dbs[i], rs, err);
    if (rc)
      free_holds(m);
    else
      atomic_store_explicit(&m->holds_ready, 1, memory_order_release);
  }
  pthread_mutex_unlock(&m->holds_lock);
  return rc;
}

void ag_matcher_free(ag_matcher *m, ag_ruleset *rs) {
  free_holds(m);
  if (m->lock_ready)
    pthread_mutex_destroy(&m->holds_lock);
  for (size_t i = 0; i < m->n_dbs; i++) {
    hs_free_database(m->dbs[i].block_db);
    free(m->dbs[i].family);
    free(m->dbs[i].rule_of);
    free(m->dbs[i].pattern_of);
  }
  free(m->dbs);
  for (size_t i = 0; rs && i < rs->n_rules; i++)
    for (size_t j = 0; j < rs->rules[i].n_pats; j++) {
      pcre2_code_free(rs->rules[i].pats[j].pcre);
      rs->rules[i].pats[j].pcre = NULL;
    }
  memset(m, 0, sizeof(*m));
}

/* ---------------------------------------------------------- scratch */

int ag_match_scratch_new(const ag_matcher *m, ag_match_scratch **out) {
  ag_match_scratch *s = calloc(1, sizeof(*s));
  if (!s)
    return AIGATE_ERR_NOMEM;
  for (size_t i = 0; i < m->n_dbs; i++)
    if (hs_alloc_scratch(m->dbs[i].block_db, &s->hs) != HS_SUCCESS)
      goto fail;
  s->md = pcre2_match_data_create(OVECTOR_PAIRS, NULL);
  s->mctx = pcre2_match_context_create(NULL);
  s->jit = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
  if (!s->md || !s->mctx || !s->jit)
    goto fail;
  pcre2_set_match_limit(s->mctx, MATCH_LIMIT);
  pcre2_set_depth_limit(s->mctx, DEPTH_LIMIT);
  pcre2_jit_stack_assign(s->mctx, NULL, s->jit);
  *out = s;
  return AIGATE_OK;
fail:
  ag_match_scratch_free(s);
  return AIGATE_ERR_NOMEM;
}

void ag_match_scratch_free(ag_match_scratch *s) {
  if (!s)
    return;
  hs_free_scratch(s->hs);
  pcre2_match_data_free(s->md);
  pcre2_match_context_free(s->mctx);
  pcre2_jit_stack_free(s->jit);
  free(s);
}

/* ---------------------------------------------------------- matching */

typedef struct {
  const ag_family_db *db;
  ag_hit_cb cb;
  void *ud;
} hit_ctx;

static int on_hit(unsigned id, unsigned long long from, unsigned long long to,
                  unsigned flags, void *ctx) {
  (void)from;
  (void)flags;
  hit_ctx *h = ctx;
  if (id >= h->db->n_ids)
    return 0;
  return h->cb(h->ud, h->db->rule_of[id], h->db->pattern_of[id], (size_t)to);
}

int ag_match_block(const ag_family_db *db, ag_match_scratch *s,
                   const char *text, size_t len, ag_hit_cb cb, void *ud) {
  if (len > 0xFFFFFFFFu)
    return AIGATE_ERR_TOO_LARGE;
  hit_ctx h = {db, cb, ud};
  hs_error_t e =
      hs_scan(db->block_db, text, (unsigned)len, 0, s->hs, on_hit, &h);
  return e == HS_SUCCESS || e == HS_SCAN_TERMINATED ? AIGATE_OK
                                                    : AIGATE_ERR_MATCHER;
}

int ag_match_next(const ag_pattern *p, int group, ag_match_scratch *s,
                  const char *text, size_t len, size_t from, size_t limit,
                  unsigned opts, size_t span[4]) {
  if (from > len)
    return 0;
  pcre2_set_offset_limit(s->mctx, limit);
  int rc =
      pcre2_match(p->pcre, (PCRE2_SPTR)text, len, from,
                  (opts & AG_MATCH_NOTBOL) ? PCRE2_NOTBOL : 0, s->md, s->mctx);
  if (rc == PCRE2_ERROR_NOMATCH)
    return 0;
  if (rc < 0)
    return AIGATE_ERR_MATCHER;
  PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
  span[0] = span[2] = ov[0];
  span[1] = span[3] = ov[1];
  if (group > 0 && group < rc && ov[2 * group] != PCRE2_UNSET) {
    span[2] = ov[2 * group];
    span[3] = ov[2 * group + 1];
  }
  return 1;
}

static int on_complete(pcre2_callout_block *cb, void *ud) {
  (void)cb;
  *(int *)ud = 1;
  return 1; /* fail here, as the (*FAIL) after the callout would */
}

int ag_match_partial(const ag_family_db *db, ag_match_scratch *s,
                     const char *text, size_t len, size_t from, size_t limit,
                     unsigned opts, size_t *at, int *matched) {
  *at = limit < len ? limit : len;
  *matched = 0;
  uint32_t o =
      PCRE2_PARTIAL_HARD | ((opts & AG_MATCH_NOTBOL) ? PCRE2_NOTBOL : 0);
  pcre2_set_callout(s->mctx, on_complete, matched);
  int rc = AIGATE_OK;
  for (size_t i = 0; i < db->n_holds && from < *at && !rc; i++) {
    /* Only a start before the best one so far can improve on it. */
    pcre2_set_offset_limit(s->mctx, *at - 1);
    int m = pcre2_match(db->holds[i], (PCRE2_SPTR)text, len, from, o, s->md,
                        s->mctx);
    if (m == PCRE2_ERROR_NOMATCH)
      continue;
    /* Every branch ends in (*FAIL): a complete match cannot happen, but
     * would only mean holding more. */
    if (m < 0 && m != PCRE2_ERROR_PARTIAL) {
      rc = AIGATE_ERR_MATCHER;
      break;
    }
    size_t st = pcre2_get_ovector_pointer(s->md)[0];
    st = st < from ? from : st;
    *at = st < *at ? st : *at;
  }
  pcre2_set_callout(s->mctx, NULL, NULL);
  return rc;
}

size_t ag_matcher_patterns(const ag_ruleset *rs) {
  size_t n = 0;
  for (size_t i = 0; i < rs->n_rules; i++)
    n += rs->rules[i].n_pats;
  return n;
}
