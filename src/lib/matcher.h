/*
 * matcher.h -- compiled rule databases: Hyperscan finds which patterns
 * may match, PCRE2 confirms them and finds exact spans.
 *
 * All patterns of a family (for one view) compile into one Hyperscan
 * block-mode database. Databases are built once, at engine creation, and
 * cached on disk keyed by a hash of their patterns. (Streams do not use
 * Hyperscan's stream mode: a stream must know where a match could begin,
 * which Hyperscan cannot say; see stream.c.) Hyperscan runs without
 * start-of-match tracking (it makes bounded-repeat patterns too large):
 * it reports a pattern id and an end offset, and PCRE2 (JIT) confirms by
 * searching only the window a match ending there can start in (the
 * pattern's maximum width back from the end, never before what it already
 * searched), so confirmation costs in proportion to the matches, not to
 * the text.
 *
 * Both engines match bytes, not code points: Hyperscan's UTF-8 mode makes
 * databases with many bounded gaps (`.{0,40}`) take minutes to compile,
 * and one byte-level dialect keeps the two engines in exact agreement.
 * Rules write non-ASCII alternatives as (?:é|e), never inside [...]
 * (rules.c enforces it), and gaps count bytes.
 *
 * Each database also has hold regexes, for streams: its patterns as a
 * PCRE2 alternation of (?>pattern)(?C1)(*FAIL) branches, JIT-compiled for
 * hard partial matching. No branch can succeed, so PCRE2 tries every
 * pattern at every start, each as far as a match of it would go (the
 * atomic group stops at its first match, as a match does), and reports a
 * partial match at the first start where one reads past the end of the
 * text: where a stream must hold its text back (ag_match_partial). The
 * callout notes that something matched, which tells a stream whether the
 * text before the hold point needs scanning at all.
 */
#ifndef AIGATE_MATCHER_H
#define AIGATE_MATCHER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "internal.h"

typedef struct ag_matcher ag_matcher;
typedef struct ag_match_scratch ag_match_scratch;

/* One database: the patterns of one family that run on one view. */
typedef struct {
  char *family;
  ag_view view;
  unsigned directions;
  size_t n_ids;
  size_t *rule_of;    /* Hyperscan id -> rule index */
  size_t *pattern_of; /* Hyperscan id -> pattern index in that rule */
  void *block_db;     /* hs_database_t * */
  /* pcre2_code *: the alternation of every pattern for partial matching;
   * one per pattern instead for patterns that cannot share a regex
   * (back references or recursion would point at the wrong groups). */
  void **holds;
  size_t n_holds;
} ag_family_db;

struct ag_matcher {
  ag_family_db *dbs;
  size_t n_dbs;
  int cache_loaded, cache_compiled;
  size_t max_lookbehind; /* longest lookbehind of any pattern, in bytes */
  /* The hold regexes are built on first use (ag_matcher_holds). */
  pthread_mutex_t holds_lock;
  atomic_int holds_ready;
  int lock_ready;
};

/* Compile (or load from cache_dir, NULL/"" for none) every database and
 * every PCRE2 pattern of rs. Errors name the rule's file and line. */
int ag_matcher_build(ag_matcher *m, ag_ruleset *rs, const char *cache_dir,
                     aigate_error *err);
void ag_matcher_free(ag_matcher *m, ag_ruleset *rs);

/* Build the hold regexes of every database, once (later calls return at
 * once; safe from any thread). Streams need them: call it before
 * ag_match_partial. Errors name the rule. */
int ag_matcher_holds(const ag_matcher *m, const ag_ruleset *rs,
                     aigate_error *err);

int ag_match_scratch_new(const ag_matcher *m, ag_match_scratch **out);
void ag_match_scratch_free(ag_match_scratch *s);

/* Called for every match end Hyperscan reports in a block scan. Return
 * non-zero to stop the scan. */
typedef int (*ag_hit_cb)(void *ud, size_t rule, size_t pattern, size_t to);

/* Block-mode scan of text with database db. */
int ag_match_block(const ag_family_db *db, ag_match_scratch *s,
                   const char *text, size_t len, ag_hit_cb cb, void *ud);

/* Options of ag_match_next and ag_match_partial. */
#define AG_MATCH_NOTBOL 1u /* text[0] is not the start of the text: ^ fails */

/* The next PCRE2 match of p in text that starts in [from, limit].
 * Returns 1 with the spans of the match and of `group` (equal to the
 * match when group is 0 or did not take part), 0 when there is none, or
 * AIGATE_ERR_MATCHER (e.g. the match limit was exceeded). */
int ag_match_next(const ag_pattern *p, int group, ag_match_scratch *s,
                  const char *text, size_t len, size_t from, size_t limit,
                  unsigned opts, size_t span[4]);

/* The earliest start in [from, limit) at which some pattern of db could
 * match text that continues past len: a match attempt there reads (or
 * would read) text[len]. *at is limit (or len) when there is none. Text
 * before `from` is only looked at by lookbehinds. *matched is 0 when no
 * pattern of db matches at any start in [from, *at) (every start there
 * was tried in full): a scan of that part would find nothing. Returns
 * AIGATE_OK or AIGATE_ERR_MATCHER (e.g. the match limit was exceeded). */
int ag_match_partial(const ag_family_db *db, ag_match_scratch *s,
                     const char *text, size_t len, size_t from, size_t limit,
                     unsigned opts, size_t *at, int *matched);

/* Number of patterns over all rules (the range of ag_pattern.gid). */
size_t ag_matcher_patterns(const ag_ruleset *rs);

#endif
