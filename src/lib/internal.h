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
  char **exfil_hosts; /* exfiltration.allow_hosts, lower case */
  size_t n_exfil_hosts;
  aigate_leak_policy leak;    /* leak: */
  aigate_spotlight spotlight; /* spotlight: */
  int code_blocks;            /* code_blocks: fenced code checked as tools */
  char **tool_names;          /* tools: tool name -> kind (aigate_tool_kind) */
  int *tool_kinds;
  size_t n_tools;
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
  int ml_enabled;       /* classifier.enabled (default 1) */
  char *ml_model;       /* classifier.model, or NULL: the embedded one */
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
#define AG_DIR_TOOL 4u /* tool-call arguments (tool.c) */

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
  AG_VAL_SQL_NO_WHERE,
  AG_VAL_GIBBERISH_SUFFIX,
} ag_validator;

/* Detectors computed by the normalizer rather than by patterns. */
typedef enum {
  AG_DET_NONE = 0,
  AG_DET_MIXED_SCRIPT,
  AG_DET_TAG_CHARS,
  /* Output URLs that exfiltrate data (exfil.c), one per ag_exfil kind. */
  AG_DET_EXFIL_IMAGE,
  AG_DET_EXFIL_REFERENCE,
  AG_DET_EXFIL_HTML,
  AG_DET_EXFIL_LINK,
  AG_DET_EXFIL_SCHEME,
  AG_DET_EXFIL_OBFUSCATED,
  AG_DET_EXFIL_BARE_URL,
  AG_DET_HTML_SCRIPT, /* HTML sanitization, from the same reader */
  AG_DET_HTML_HANDLER,
  AG_DET_HTML_STYLE,
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

/* -------------------------------------------------------------- scanning */

/*
 * What findings add up to under a policy (scan.c's top comment): the
 * strongest action, the anomaly score (each rule once, with its highest
 * score) and whether an enforced finding is in a block category. A whole
 * text adds all its findings at once; a stream adds each part's.
 */
typedef struct {
  aigate_action verdict; /* before the threshold and the flags */
  int score;
  int block_cat;
} ag_tally;

/* Set the action and mode of findings f[first, n) from profile p and add
 * them to t; f[0, first) are the findings added before (a rule already
 * among them does not count again). */
void ag_tally_add(const ag_profile *p, int all_rules, aigate_finding *f,
                  size_t n, size_t first, ag_tally *t);
/* The verdict of t: block when the score reaches the paranoia level's
 * threshold with a block category, and when data to redact was not all
 * found (AIGATE_FLAG_TOO_MANY in flags). */
aigate_action ag_tally_verdict(const ag_profile *p, const ag_tally *t,
                               unsigned flags);

/* Does rule family `family` check tools of this kind (tool.c)? */
int ag_tool_family_applies(aigate_tool_kind kind, const char *family);
/* The kind of code in a fenced block by its info string: shell and SQL
 * languages, AUTO without one, OTHER for any other language. */
aigate_tool_kind ag_code_kind(const char *info, size_t n);

/* Can a redaction group led by f (which keeps text) keep it, with g in
 * the group too? Yes when g is the same construct seen by another rule,
 * or lies in what f removes anyway; not when g covers kept text (a
 * secret in an image's alt text). */
int ag_keep_compatible(const aigate_finding *f, const aigate_finding *g);

/* Where pattern `gid` searches next in a streamed text: its last match
 * ended at `at` (an offset in the stream), past the part decided. */
typedef struct {
  size_t gid, at;
} ag_resume;

/*
 * One step of a streamed scan (stream.c): text[0, from) was decided by
 * earlier steps and is only context (for lookbehinds, word boundaries and
 * decoders); this step finds the hold point, the earliest offset in
 * [from, len) where a match could start that text after len might still
 * complete or change, and decides text[from, hold): its matches, however
 * far they reach, and the findings of decoded layers and detectors that
 * touch it. Offsets are in text, which must end where its views are
 * stable: not inside a character, nor where a combining mark still to
 * come could change the last one. The engine's hold regexes must be
 * built (ag_matcher_holds).
 */
typedef struct {
  /* in */
  size_t from;
  int notbol;      /* text[0] is not the start of the stream */
  int final;       /* nothing follows: hold nothing */
  size_t soft_max; /* longest tail held for decoders and detectors only */
  const ag_resume *resume; /* from the step before (in stream offsets) */
  size_t n_resume;
  size_t base; /* stream offset of text[0], for resume entries */
  /* out */
  size_t hold;
  ag_resume *next;         /* matches that end past hold, for the next step; */
  size_t n_next, cap_next; /* the array is the caller's (realloc'ed) */
} ag_step;

/* Run one step. Findings (offsets in text) and flags go to *res as in
 * aigate_scan_ex, for the decided part only; the return value and the
 * failure convention are aigate_scan_ex's. */
int ag_scan_step(const aigate_engine *e, aigate_scratch *s, const char *text,
                 size_t len, const aigate_scan_options *opt, ag_step *st,
                 aigate_result *res);

/* The rule files embedded into the library (generated at build time). */
typedef struct {
  const char *name;
  const char *data;
  size_t len;
} ag_embedded_file;
extern const ag_embedded_file ag_embedded_rules[];
extern const size_t ag_embedded_rules_count;

/* Redaction and pseudonymization (pseudo.c): findings whose action is
 * redact replaced by "[REDACTED:<rule_id>]", or, for the categories p
 * pseudonymizes, by p's placeholders. p NULL: redaction only. */
int ag_rewrite(aigate_pseudo *p, const char *text, size_t len,
               const aigate_result *res, char **out, size_t *out_len);

#endif
