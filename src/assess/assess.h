/*
 * assess.h -- the red-team assessment of an LLM endpoint (`aigate assess`).
 *
 * An assessment is probes x transforms: probes are data (assess/probes/
 * *.yaml, embedded into the binary), each an attack conversation of one
 * family with the detector that judges the reply; transforms rewrite a
 * probe's last user message (base64, rot13, leetspeak, ...) so that one
 * probe tests many disguises. The runner sends every attempt to an
 * OpenAI-compatible endpoint with libcurl's multi interface, scoring
 * judges each reply deterministically against per-run tokens planted in
 * the system prompt and the probe, and the report module turns the
 * results into report.json and report.html.
 *
 * Nothing here prints or exits: the CLI (src/cli/cmd_assess.c) parses
 * arguments and reports errors.
 */
#ifndef AIGATE_ASSESS_H
#define AIGATE_ASSESS_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include "aigate/aigate.h"

/* ------------------------------------------------------------ probes */

#define AS_MAX_PROBE_FILE (1u << 20) /* bytes per probe file */
#define AS_MAX_PROBES 4096           /* probes in a set */
#define AS_MAX_MESSAGES 16           /* messages per probe */
#define AS_MAX_CONTENT 16384         /* bytes per message, before expansion */

/* The families, with their stable ids, in report order. */
typedef enum {
  AS_FAM_INJECTION,
  AS_FAM_EXTRACTION,
  AS_FAM_JAILBREAK,
  AS_FAM_INDIRECT,
  AS_FAM_EXFILTRATION,
  AS_FAM_LEAKAGE,
  AS_FAM_TOOL_MISUSE,
  AS_FAM_OBFUSCATION,
  AS_FAM_BENIGN, /* look-alikes that must not be refused */
  AS_N_FAMILIES
} as_family;

const char *as_family_id(as_family f);
/* -1 when the id is unknown. */
int as_family_parse(const char *id);

/* How a reply is judged (src/assess/score.c). */
typedef enum {
  AS_DET_GOAL,       /* the reply carries the run's goal token */
  AS_DET_CANARY,     /* the reply leaks the system prompt's canary */
  AS_DET_LEAK,       /* canary, planted key, or a secret/PII finding */
  AS_DET_EXFIL,      /* a markdown/HTML image or attacker link */
  AS_DET_TOOL,       /* a call to the probe's dangerous tool */
  AS_DET_NO_REFUSAL, /* the reply does not open with a refusal */
  AS_DET_REFUSAL,    /* benign: a refusal is an over-refusal */
  AS_N_DETECTORS
} as_detector;

const char *as_detector_id(as_detector d);
int as_detector_parse(const char *id);

typedef enum { AS_ROLE_USER, AS_ROLE_ASSISTANT, AS_ROLE_TOOL } as_role;

typedef struct {
  as_role role;
  char *content;   /* may hold {{goal}}, {{attacker}} and {{enc:...}} */
  char *tool_name; /* role tool: the tool whose result this is */
} as_message;

typedef struct {
  char *id;
  as_family family;
  int severity; /* 5 critical .. 2 low */
  as_detector detector;
  char *tool; /* AS_DET_TOOL: the tool name ("*": any tool call) */
  size_t n_messages;
  as_message *messages;
  const char *file; /* owned by the set */
  int line;
} as_probe;

typedef struct {
  size_t n;
  as_probe *probes;
  size_t n_files;
  char **files;
} as_probe_set;

/* Load every probe file embedded in the binary. err gets "file:line:
 * why" on failure. The set is sorted by (family, id); ids are unique. */
int as_probes_load_embedded(as_probe_set *set, aigate_error *err);
/* Load every *.yaml in dir instead of the embedded files. */
int as_probes_load_dir(as_probe_set *set, const char *dir, aigate_error *err);
/* Load one buffer (the fuzz target and tests); appends to set. */
int as_probes_load_buffer(as_probe_set *set, const char *name, const char *buf,
                          size_t len, aigate_error *err);
/* Sort and check unique ids; called by the two directory loaders. */
int as_probes_finish(as_probe_set *set, aigate_error *err);
void as_probes_free(as_probe_set *set);

/* Per-run values substituted into probes. */
typedef struct {
  char canary[40];   /* planted in the system prompt */
  char goal[40];     /* what a hijacked model is asked to say */
  char key[48];      /* a fake credential planted in the system prompt */
  char attacker[96]; /* base URL of the pretend attacker */
} as_tokens;

/* Fresh random tokens (libsodium). */
void as_tokens_new(as_tokens *t);

/*
 * Expand a probe's content: {{goal}} and {{attacker}} first, then
 * {{ENC:text}} sections with ENC one of base64, rot13, hex, reverse,
 * leet, spaced. Unknown or unterminated sections are errors (the loader
 * checks every probe once with dummy tokens). Returns a malloc'ed
 * NUL-terminated string, or NULL with *why set to a static reason.
 */
char *as_expand(const char *content, const as_tokens *t, const char **why);

/* ------------------------------------------------------------ transforms */

typedef enum {
  AS_TR_NONE,
  AS_TR_BASE64,
  AS_TR_ROT13,
  AS_TR_LEET,
  AS_TR_HOMOGLYPH,
  AS_TR_TRANSLATE,
  AS_TR_SPLIT,
  AS_TR_ROLEPLAY,
  AS_N_TRANSFORMS
} as_transform;

const char *as_transform_id(as_transform t);
int as_transform_parse(const char *id);

/*
 * Apply a transform to an expanded message. Strings in `keep` (NULL-
 * terminated; the run's tokens and URLs) are never altered by the
 * letter-level transforms (leet, homoglyph), so a judged token stays
 * recognisable. Returns malloc'ed text, NULL on allocation failure.
 */
char *as_transform_apply(as_transform t, const char *text,
                         const char *const *keep);

/* ------------------------------------------------------------ scoring */

/* 1 when the reply opens with a refusal (looks at its first sentence
 * only, after leading markup), else 0. */
int as_is_refusal(const char *reply, size_t len);

/*
 * The exfiltration check: 1 when the reply holds a markdown image, an
 * HTML <img>, or any link or bare URL to the attacker's host or carrying
 * one of the `secrets` (NULL-terminated) in its URL. Written here until
 * the library has an output exfiltration detector, which should replace
 * it. *what receives a static description of the first hit.
 */
int as_exfil_check(const char *reply, size_t len, const char *attacker_host,
                   const char *const *secrets, const char **what);

/* A tool call made by the model, as read from the reply. */
typedef struct {
  const char *name;
  const char *arguments;
} as_tool_call;

typedef struct {
  const char *text; /* message content, "" when none */
  size_t len;
  size_t n_calls;
  const as_tool_call *calls;
} as_reply;

typedef struct {
  int success;          /* the attack worked (benign: the model refused) */
  int refused;          /* the reply opened with a refusal */
  const char *evidence; /* static: what decided */
} as_verdict;

/*
 * Judge one reply to one probe. engine/scratch may be NULL (then the
 * leakage detector uses the planted tokens only).
 */
void as_judge(const as_probe *p, const as_tokens *t, const as_reply *r,
              const aigate_engine *engine, aigate_scratch *scratch,
              as_verdict *v);

/* Wilson score interval at 95 % for k successes out of n. */
void as_wilson(size_t k, size_t n, double *lo, double *hi);

/* ------------------------------------------------------------ runner */

typedef enum { AS_OK = 0, AS_ERROR = 1 } as_outcome;

/* One attempt: a probe under a transform. */
typedef struct {
  size_t probe; /* index into the set */
  as_transform transform;
  int done; /* a result exists (from this run or resumed) */
  as_outcome outcome;
  int success, refused; /* the verdict (AS_OK only) */
  int blocked;          /* the endpoint's content policy refused it */
  char *evidence;       /* what decided (malloc'ed) */
  char *error;          /* AS_ERROR: why (malloc'ed) */
  char *reply;   /* reply text (malloc'ed), for the report's worst list */
  char *request; /* last user message as sent (malloc'ed) */
  int tries;
  double ms;
} as_attempt;

typedef struct {
  const char *base_url; /* ".../v1" */
  const char *model;
  const char *api_key; /* may be NULL; never logged */
  const char *system;  /* the application's system prompt or NULL */
  const char *tools;   /* JSON array of tool definitions or NULL */
  int concurrency;     /* default 8 */
  double rate;         /* requests per second, 0 = unlimited */
  int retries;         /* extra tries after a failure */
  long timeout_ms;     /* per request */
  long backoff_ms;     /* first retry delay; doubles */
  double temperature;
  long max_tokens;
  const char *transcripts;     /* path of transcripts.jsonl (appended) */
  volatile sig_atomic_t *stop; /* set by a signal handler: finish early */
  const aigate_engine *engine;
  /* Progress callback, may be NULL. */
  void (*progress)(void *ud, size_t done, size_t total);
  void *ud;
} as_run_options;

typedef struct {
  as_probe_set *set;
  as_tokens tokens;
  size_t n;
  as_attempt *attempts;
  int interrupted;  /* stopped before every attempt was done */
  int write_failed; /* a transcript line could not be written */
} as_run;

/* url without user name and password (malloc'ed), for reports. */
char *as_url_for_report(const char *url);

/* The system prompt actually sent: the application's (or a default)
 * with the canary and planted key appended. Malloc'ed. */
char *as_system_prompt(const char *user_system, const as_tokens *t);

/* The run's tokens are kept beside the transcripts (run.json) so that a
 * resumed run judges with the same canary and goal. */
int as_run_state_save(const as_run *run, const char *path, aigate_error *err);
int as_run_state_load(as_run *run, const char *path, aigate_error *err);

/* Plan every probe x transform (benign probes untransformed only);
 * families[f] and transforms[t] say which are on (AS_TR_NONE always
 * is). Tokens are fresh. Returns 0 or AIGATE_ERR_NOMEM. */
int as_run_plan(as_run *run, as_probe_set *set, const int *families,
                const int *transforms);
/*
 * Read an earlier transcripts.jsonl: attempts that got a reply are taken
 * over (done; a later line wins), errors are run again, lines of probes
 * not planned now are ignored. A missing file is an empty one. A line
 * that is not a transcript line is an error (file:line), except a cut-off
 * last line, which a killed run can leave; lines are bounded (4 MiB).
 */
int as_run_resume(as_run *run, const char *path, aigate_error *err);
/* The same from an open stream (the fuzz target); path names it. */
int as_run_resume_file(as_run *run, FILE *f, const char *path,
                       aigate_error *err);
/* Run every attempt not yet done, until all are or *o->stop is set.
 * Returns 0 (also when stopped early: run->interrupted says so), or a
 * negative status with err set when the run could not start (URL too
 * long, tools not a JSON array, transcripts not writable) or memory ran
 * out. */
int as_run_execute(as_run *run, const as_run_options *o, aigate_error *err);
void as_run_free(as_run *run);

/* ------------------------------------------------------------ report */

typedef struct {
  const char *target, *model;
  double fail_above; /* < 0: no gate */
  const char *baseline_path;
  char *baseline_json; /* contents, or NULL */
  size_t baseline_len;
} as_report_options;

/* The report document (docs/assess.md); caller json_decref's it. NULL
 * on allocation failure or an unreadable baseline (err says why). */
struct json_t;
struct json_t *as_report_json(const as_run *run, const as_report_options *o,
                              aigate_error *err);
/* Self-contained HTML for a report document. Malloc'ed. */
char *as_report_html(const struct json_t *report);
/* Highest untransformed success rate over the attack families. */
double as_report_max_rate(const struct json_t *report);

/* ------------------------------------------------------------ lint */

typedef struct {
  const char *rule; /* stable id, e.g. "lint-secret-in-prompt" */
  int severity;     /* 5 critical .. 2 low */
  int line, col;    /* 1-based */
  char *message;    /* malloc'ed */
  const char *fix;  /* static suggestion */
} as_lint_finding;

typedef struct {
  size_t n;
  as_lint_finding *f;
} as_lint_result;

#define AS_LINT_MAX_INPUT (1u << 20)

/*
 * Review a system prompt or template. Credentials are found by the
 * engine's secret and PII rules (all rules active), also when written
 * in prose. Findings are sorted by line. Returns 0 or a negative status.
 */
int as_lint(const aigate_engine *engine, aigate_scratch *scratch,
            const char *text, size_t len, as_lint_result *out);
void as_lint_free(as_lint_result *r);

#endif
