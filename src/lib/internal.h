/*
 * internal.h -- structures shared by the files of libaigate.
 *
 * Nothing here is public API: front ends see only include/aigate/. The
 * configuration, the rule set and the compiled engine are plain structs so
 * that each file (config.c, rules.c, matcher.c, scan.c) can own one idea.
 */
#ifndef AIGATE_INTERNAL_H
#define AIGATE_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "aigate/aigate.h"

#define AG_MAX_PARANOIA 4

/* printf into an aigate_error (ignored when err is NULL). */
void ag_err(aigate_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---------------------------------------------------------------- config */

typedef struct {
  char *name;
  aigate_action action;
  aigate_mode mode;
  int has_action, has_mode;
  int line; /* where it was configured, for "no such category" errors */
} ag_category_policy;

typedef struct {
  char *name;
  char *inherits; /* resolved at load time; kept for messages */
  int paranoia;
  int thresholds[AG_MAX_PARANOIA + 1]; /* [1..4]: block threshold */
  int fail_open;
  ag_category_policy *cats;
  size_t n_cats;
  int line;
} ag_profile;

typedef struct {
  char *id;
  int line;
  int score, severity, paranoia; /* -1 = unchanged */
  int disabled;                  /* -1 unchanged, 0 enable, 1 disable */
} ag_rule_override;

struct aigate_config {
  char *name; /* file name or "<default>" */
  ag_profile policy;
  ag_profile *profiles;
  size_t n_profiles;
  char **rule_paths;
  size_t n_rule_paths;
  ag_rule_override *overrides;
  size_t n_overrides;
  size_t max_input;     /* limits.max_input_bytes */
  int decode_depth;     /* limits.decode_depth */
  size_t decode_budget; /* limits.max_decoded_bytes */
};

/* The profile with that name, or NULL; NULL/"default" = the policy. */
const ag_profile *ag_config_profile(const aigate_config *cfg, const char *name);
/* The policy of a category under a profile (defaults applied). */
void ag_profile_category(const ag_profile *p, const char *category,
                         aigate_action *action, aigate_mode *mode);

/* ----------------------------------------------------------------- rules */

typedef enum { AG_VIEW_RAW = 0, AG_VIEW_FOLDED = 1, AG_VIEW_COUNT } ag_view;

#define AG_DIR_INPUT 1u
#define AG_DIR_OUTPUT 2u

#define AG_PAT_CASELESS 1u
#define AG_PAT_DOTALL 2u
#define AG_PAT_MULTILINE 4u

typedef enum {
  AG_VAL_NONE = 0,
  AG_VAL_LUHN,
  AG_VAL_CARD,
  AG_VAL_IBAN,
  AG_VAL_SSN,
  AG_VAL_ENTROPY,
  AG_VAL_GITHUB,
  AG_VAL_NPM,
  AG_VAL_JWT,
  AG_VAL_IPV4,
  AG_VAL_IPV6,
} ag_validator;

/* Detectors computed by the normalizer rather than by patterns. */
typedef enum {
  AG_DET_NONE = 0,
  AG_DET_MIXED_SCRIPT,
  AG_DET_TAG_CHARS,
} ag_detector;

typedef struct {
  char *source;    /* PCRE2/Hyperscan syntax (literals are escaped) */
  char *prefilter; /* optional cheaper expression for Hyperscan, or NULL */
  unsigned flags;
  void *pcre;       /* pcre2_code *, compiled by the matcher */
  size_t max_width; /* longest match in bytes; SIZE_MAX if unbounded */
  size_t gid;       /* index among all patterns of the engine */
} ag_pattern;

typedef struct {
  char *id, *family, *category, *message, *file;
  int line;
  int severity, score, paranoia;
  int disabled;
  ag_view view;
  unsigned directions;
  ag_pattern *pats;
  size_t n_pats;
  ag_validator validator;
  double validator_min;
  int group;
  ag_detector detector;
  char **match, **no_match;
  size_t n_match, n_no_match;
} ag_rule;

typedef struct {
  ag_rule *rules;
  size_t n_rules, cap_rules;
} ag_ruleset;

/* Load every *.yaml in dir (sorted), or one file. Appends to rs. */
int ag_rules_load_path(ag_ruleset *rs, const char *path, aigate_error *err);
/* Load one rule file from memory. */
int ag_rules_load_buffer(ag_ruleset *rs, const char *name, const char *buf,
                         size_t len, aigate_error *err);
/* Load the rule files embedded at build time. */
int ag_rules_load_embedded(ag_ruleset *rs, aigate_error *err);
/* Apply configuration overrides; unknown ids are errors. */
int ag_rules_apply_config(ag_ruleset *rs, const aigate_config *cfg,
                          aigate_error *err);
void ag_ruleset_free(ag_ruleset *rs);

/* The rule files embedded into the library (generated at build time). */
typedef struct {
  const char *name;
  const char *data;
  size_t len;
} ag_embedded_file;
extern const ag_embedded_file ag_embedded_rules[];
extern const size_t ag_embedded_rules_count;

#endif
