/*
 * engine.h -- the compiled engine and the per-thread scratch behind the
 * opaque handles of the public API.
 */
#ifndef AIGATE_ENGINE_H
#define AIGATE_ENGINE_H

#include "decode.h"
#include "internal.h"
#include "matcher.h"
#include "normalize.h"

struct aigate_engine {
  aigate_config *own_cfg; /* the default configuration, when none given */
  const aigate_config *cfg;
  ag_ruleset rs;
  ag_matcher m;
  char **cats; /* distinct categories of the rules */
  size_t n_cats;
  size_t *rule_cat;  /* rule index -> category index */
  size_t *detectors; /* indexes of the rules that have a detector */
  size_t n_detectors;
  aigate_model *model; /* the classifier, or NULL when it is off */
  ag_rule ml_rule;     /* what its findings name (rule id "classifier") */
};

/* One text being scanned: the input or a payload decoded from a parent. */
typedef struct {
  ag_buf input;     /* decoded bytes (unused for the root) */
  ag_map to_parent; /* input -> parent's raw view */
  const char *text; /* input bytes (the caller's text for the root) */
  size_t len;
  int parent, depth;
  ag_decoder kind;
  char path[48]; /* "base64>hex" */
  ag_view_buf raw, folded;
  ag_norm_notes notes;
} ag_layer;

#define AG_MAX_LAYERS 64
#define AG_MAX_FINDINGS 1000
#define AG_MAX_MATCHES 256 /* per pattern and view */
/* Longest match reported for a pattern whose width is unbounded. */
#define AG_MAX_SPAN ((size_t)64 << 10)

struct aigate_scratch {
  const aigate_engine *e;
  ag_match_scratch *ms;
  ag_layer layers[AG_MAX_LAYERS];
  size_t n_layers;
  /* Per pattern, for the view being matched: where the next confirmation
   * search starts and how many matches were found; valid when
   * pat_epoch[gid] == epoch (so nothing is cleared between views). */
  size_t *pat_from;
  unsigned *pat_count, *pat_epoch;
  unsigned epoch;
  /* Per pattern, the starts [run_from, run_to] that its hits so far in
   * the database being run leave to confirm (run_to == SIZE_MAX: none),
   * and the patterns with such a run, in the order of their first hit:
   * hits whose windows touch are confirmed together by one search. */
  size_t *run_from, *run_to;
  size_t *run_rule, *run_pattern, n_runs;
  aigate_finding *findings;
  size_t n_findings, cap_findings;
  unsigned flags;
  aigate_mode *cat_modes; /* per engine category, for the scan's profile */
  const ag_profile *cat_modes_of; /* ... that profile (NULL: none yet) */
  const char *const *allow_hosts; /* aigate_scratch_allow_hosts */
  size_t n_allow_hosts;
  /* The texts found clean last (cleancache.c). */
  struct ag_clean_slot *clean;
  unsigned char clean_key[32];
  unsigned char clean_hosts[16]; /* keyed hash of the allow-list */
};

typedef struct ag_clean_slot ag_clean_slot;

/* cleancache.c: the scratch's table of clean results. ag_clean_init
 * allocates it with a random key; ag_clean_hosts notes a new allow-list.
 * ag_clean_lookup hashes the text into hash and, when a clean result of
 * the same text, profile, options and allow-list is kept, copies it to
 * res and returns 1; ag_clean_store keeps res under hash if it is clean.
 * Without a table, or for a text over 32 KiB, both do nothing. */
int ag_clean_init(aigate_scratch *s);
void ag_clean_free(aigate_scratch *s);
void ag_clean_hosts(aigate_scratch *s);
int ag_clean_lookup(aigate_scratch *s, const ag_profile *p,
                    const aigate_scan_options *opt, const char *text,
                    size_t len, unsigned char hash[16], aigate_result *res);
void ag_clean_store(aigate_scratch *s, const ag_profile *p,
                    const aigate_scan_options *opt,
                    const unsigned char hash[16], size_t len,
                    const aigate_result *res);

#endif
