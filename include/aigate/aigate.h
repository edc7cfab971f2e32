/*
 * aigate.h -- the public API of libaigate.
 *
 * libaigate is the detection engine of aigate: it normalizes a text into
 * views, runs the rule families over them, and lets a policy turn the
 * findings into a verdict. Every front end (the CLI, the gateway, bindings)
 * calls this API and nothing else, so that detection logic exists once.
 *
 * Life cycle:
 *
 *   aigate_config  -- a parsed YAML configuration (policy, rule selection,
 *                     profiles). Immutable once loaded.
 *   aigate_engine  -- rules compiled for a configuration. Immutable and
 *                     safe to share between threads; build it once at
 *                     start-up or reload, never per request.
 *   aigate_scratch -- per-thread working memory for scans. One scratch must
 *                     not be used by two threads at once.
 *   aigate_result  -- what one scan found. Its findings live in the scratch
 *                     and stay valid until the next scan with that scratch.
 *
 * Errors: functions return AIGATE_OK (0) or a negative aigate_status. Where
 * an aigate_error is passed, it receives a one-line human message (with
 * file and line for configuration and rule errors). No function aborts or
 * exits on bad input, and there is no global state.
 */
#ifndef AIGATE_AIGATE_H
#define AIGATE_AIGATE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AIGATE_VERSION "0.1.0"

/* Version of every JSON document the CLI prints (docs/json.md). */
#define AIGATE_SCHEMA_VERSION 1

typedef enum {
  AIGATE_OK = 0,
  AIGATE_ERR_NOMEM = -1,     /* allocation failed */
  AIGATE_ERR_INVALID = -2,   /* bad argument from the caller */
  AIGATE_ERR_CONFIG = -3,    /* configuration or rule file is invalid */
  AIGATE_ERR_TOO_LARGE = -4, /* input exceeds a configured limit */
  AIGATE_ERR_IO = -5,        /* a file could not be read or written */
  AIGATE_ERR_MATCHER = -6,   /* the matcher failed at scan time */
  AIGATE_ERR_NOT_FOUND = -7, /* a named profile or rule does not exist */
} aigate_status;

/* A static English description of a status code. Never NULL. */
const char *aigate_strerror(int status);

/* Filled in by functions that can fail for reasons a user must see. */
typedef struct {
  char msg[512];
} aigate_error;

/* What a text is: a prompt, a model's output, or the arguments of a tool
 * call the model asks for (rule families with `directions: [tool]`;
 * aigate_tool_check). */
typedef enum {
  AIGATE_INPUT = 0,
  AIGATE_OUTPUT = 1,
  AIGATE_TOOL = 2,
} aigate_direction;

/* Ordered by strength: a stronger action always wins. */
typedef enum {
  AIGATE_ALLOW = 0,
  AIGATE_LOG = 1,
  AIGATE_REDACT = 2,
  AIGATE_BLOCK = 3,
} aigate_action;

typedef enum {
  AIGATE_MODE_ENFORCE = 0,
  AIGATE_MODE_DETECT_ONLY = 1,
  AIGATE_MODE_OFF = 2,
} aigate_mode;

/* "allow", "log", "redact", "block"; "?" for out-of-range values. */
const char *aigate_action_name(aigate_action a);

/* ------------------------------------------------------------------ */
/* Configuration (docs/config.md)                                      */

typedef struct aigate_config aigate_config;

/*
 * Parse a configuration from a file or a buffer. `name` is used in error
 * messages. On success *out owns a new configuration (free it with
 * aigate_config_free); on failure *out is NULL and err says file:line: why.
 */
int aigate_config_load_file(const char *path, aigate_config **out,
                            aigate_error *err);
int aigate_config_load_buffer(const char *name, const char *buf, size_t len,
                              aigate_config **out, aigate_error *err);

/*
 * As above, but top-level keys listed in `foreign` (NULL-terminated; NULL
 * for none) are left to the caller: front ends that keep their own
 * sections in the same file (the gateway's server and model_list) parse
 * those and let the library check the rest.
 */
int aigate_config_load_file_ex(const char *path, const char *const *foreign,
                               aigate_config **out, aigate_error *err);
int aigate_config_load_buffer_ex(const char *name, const char *buf, size_t len,
                                 const char *const *foreign,
                                 aigate_config **out, aigate_error *err);

/* The embedded default configuration. Never fails except on ENOMEM. */
int aigate_config_default(aigate_config **out, aigate_error *err);

void aigate_config_free(aigate_config *cfg);

/* Largest input, in bytes, that a scan accepts (limits.max_input_bytes). */
size_t aigate_config_max_input(const aigate_config *cfg);

/* ------------------------------------------------------------------ */
/* Engine                                                               */

typedef struct aigate_engine aigate_engine;
typedef struct aigate_scratch aigate_scratch;

typedef struct {
  /* Configuration to build for; NULL means the embedded default. The
   * engine refers to it: it must outlive the engine (free the engine
   * first). */
  const aigate_config *config;
  /* Directory of rule files (*.yaml) replacing the embedded rules; NULL
   * means the rules embedded in the library. The configuration's
   * rules.paths are loaded in addition, in both cases. */
  const char *rules_dir;
  /* Directory for compiled rule databases. NULL: $AIGATE_CACHE_DIR, else
   * $XDG_CACHE_HOME/aigate, else ~/.cache/aigate. "" disables the cache. */
  const char *cache_dir;
  /* The injection/jailbreak classifier's model file (docs/detection.md).
   * NULL: the configuration's classifier.model if set, else the model
   * embedded in the library -- unless rules_dir is set, since a rule set
   * of one's own starts without the bundled classifier; "" disables the
   * classifier. The configuration's classifier.enabled: false disables it
   * whatever this says. */
  const char *model;
} aigate_engine_options;

/*
 * Load and compile the rules. Compiled databases are cached on disk keyed
 * by a hash of the patterns; a stale or corrupt cache entry is rebuilt.
 * On failure *out is NULL and err explains (file:line for rule errors).
 */
int aigate_engine_new(const aigate_engine_options *opt, aigate_engine **out,
                      aigate_error *err);
void aigate_engine_free(aigate_engine *engine);

/* How many databases came from the cache and how many were compiled. */
void aigate_engine_cache_stats(const aigate_engine *engine, int *loaded,
                               int *compiled);

/* The configuration the engine was built for (its own default when none
 * was given); owned as the engine's options say. */
const aigate_config *aigate_engine_config(const aigate_engine *engine);

int aigate_scratch_new(const aigate_engine *engine, aigate_scratch **out);
void aigate_scratch_free(aigate_scratch *scratch);

/* ------------------------------------------------------------------ */
/* Scanning                                                             */

typedef struct {
  const char *rule_id;  /* owned by the engine */
  const char *category; /* owned by the engine */
  const char *message;  /* owned by the engine */
  const char *layer;    /* "raw", "folded", "base64", "hex", "url", "html",
                           "escape", "rot13", "leet", "upside-down",
                           "tags", or a nested "base64>hex" path; static
                           storage */
  int severity;         /* 5 critical, 4 high, 3 medium, 2 low */
  int score;            /* added to the anomaly score when counted */
  size_t start, end;    /* byte span in the ORIGINAL text, end exclusive */
  aigate_action action; /* what the policy does with this category */
  aigate_mode mode;     /* enforce or detect-only (off is never reported) */
  /* replace: a redaction writes the original bytes [keep_start,
   * keep_end) (possibly none) in place of the span instead of a marker:
   * an exfiltrating image becomes its alt text, a link its text. */
  int replace;
  size_t keep_start, keep_end;
} aigate_finding;

/* Flags describing the input, set in aigate_result.flags. */
#define AIGATE_FLAG_INVALID_UTF8 0x1u /* bytes were repaired with U+FFFD */
#define AIGATE_FLAG_TAG_CHARS 0x2u    /* Unicode tag characters decoded */
#define AIGATE_FLAG_DECODED 0x4u      /* an encoded layer was decoded */
#define AIGATE_FLAG_TRUNCATED 0x8u    /* decoding stopped at a size bound */
#define AIGATE_FLAG_FAILED 0x10u      /* the scan did not run (see status) */
#define AIGATE_FLAG_TOO_MANY                                                   \
  0x20u /* more matches than are reported; a                                   \
           redact verdict becomes block, since                                 \
           not everything could be redacted */

typedef struct {
  aigate_action verdict; /* the policy's decision */
  int score;             /* anomaly score of the counted findings */
  int threshold;         /* block threshold at the profile's paranoia */
  int paranoia;          /* paranoia level used (1..4) */
  unsigned flags;        /* AIGATE_FLAG_* */
  int status;            /* AIGATE_OK, or why the scan failed */
  size_t n_findings;
  const aigate_finding *findings; /* in the scratch; sorted by start */
  double classifier; /* the classifier's probability that the text is an
                        injection or jailbreak (its best window), or -1
                        when it did not run: no model, output direction,
                        failed scan, or the rules alone already block.
                        Its finding, rule id "classifier", adds to the
                        score as docs/detection.md says. */
} aigate_result;

typedef struct {
  aigate_direction direction;
  const char *profile; /* named policy profile; NULL = the default policy */
  int all_rules;       /* 1: every rule active whatever its paranoia or
                          category mode (used by rule self-tests) */
} aigate_scan_options;

/*
 * Hosts that output may load images from and send data to (exfiltration
 * rules), besides the profile's exfiltration.allow_hosts: a key's own
 * list, say. Entries are "example.com" (that host) or "*.example.com"
 * (its subdomains). The scratch keeps the pointer (borrowed: the list
 * must outlive its use) for every later scan with it, until set again;
 * NULL/0 clears it. A stream has its own list, which applies to its
 * writes whatever the scratch's.
 */
int aigate_scratch_allow_hosts(aigate_scratch *scratch,
                               const char *const *hosts, size_t n);

/*
 * Scan `len` bytes of `text` (any bytes; need not be NUL-terminated).
 *
 * Returns AIGATE_OK with a verdict in *result. When the scan cannot run
 * (input over limits.max_input_bytes, allocation failure, matcher error),
 * the return value says why, result->flags has AIGATE_FLAG_FAILED and
 * result->verdict is what the policy's fail mode says: block when
 * fail-closed (the default), log when fail-open. Never a silent allow.
 *
 * A scratch remembers the last texts it found clean (no finding, no flag)
 * by a keyed hash, with the profile, options and allow-list (as it was
 * when set) they were scanned with: the same text again gets the same
 * result without a scan. System prompts and earlier conversation turns,
 * sent again with every request, then cost a hash.
 */
int aigate_scan(const aigate_engine *engine, aigate_scratch *scratch,
                const char *text, size_t len, aigate_direction direction,
                aigate_result *result);
int aigate_scan_ex(const aigate_engine *engine, aigate_scratch *scratch,
                   const char *text, size_t len, const aigate_scan_options *opt,
                   aigate_result *result);

/*
 * Write a copy of text with every enforced finding whose action is redact
 * replaced by "[REDACTED:<rule_id>]" (overlapping or touching spans give
 * one marker), or, for a finding with `replace` set, by the bytes it
 * keeps (an exfiltrating image by its alt text; when another redaction
 * overlaps what it keeps, the marker is written instead). *out is
 * NUL-terminated, owned by the caller (free()), *out_len excludes the NUL.
 */
int aigate_redact(const char *text, size_t len, const aigate_result *result,
                  char **out, size_t *out_len);

/* ------------------------------------------------------------------ */
/* Pseudonymization                                                     */

/*
 * A map of placeholders for one request (or conversation): findings that
 * would be redacted become typed placeholders ("<EMAIL_1>", "<CARD_2>",
 * "<SECRET_1>"), the same value always the same placeholder, so that the
 * model can still refer to them; restoring turns placeholders back into
 * the values (for the client, never the provider).
 *
 * Categories in restore_categories are pseudonymized and restored;
 * categories in mask_categories are pseudonymized and stay masked; other
 * redactions are "[REDACTED:<rule_id>]" as with aigate_redact. Both lists
 * are NULL-terminated (or NULL) and copied.
 */
#define AIGATE_PSEUDO_MAX_TAG 40 /* bytes of the longest placeholder */
typedef struct aigate_pseudo aigate_pseudo;

int aigate_pseudo_new(const char *const *restore_categories,
                      const char *const *mask_categories, aigate_pseudo **out);
void aigate_pseudo_free(aigate_pseudo *p);
/* Distinct values in the map. */
size_t aigate_pseudo_count(const aigate_pseudo *p);

/* As aigate_redact, with placeholders from (and added to) p. Fails with
 * AIGATE_ERR_TOO_LARGE when the map is full (4096 values, 64 KiB each):
 * the caller must not send the text. */
int aigate_pseudonymize(aigate_pseudo *p, const char *text, size_t len,
                        const aigate_result *result, char **out,
                        size_t *out_len);

/* A copy of text with p's restorable placeholders replaced by their
 * values. */
int aigate_pseudo_restore(const aigate_pseudo *p, const char *text, size_t len,
                          char **out, size_t *out_len);

/* Restoring text that arrives in pieces: a possible placeholder at the
 * end of a piece is held until it completes or cannot; `final` releases
 * what is held. No allocation besides each call's output. */
typedef struct {
  const aigate_pseudo *map;
  char held[AIGATE_PSEUDO_MAX_TAG];
  size_t n_held;
} aigate_unpseudo;

void aigate_unpseudo_init(aigate_unpseudo *u, const aigate_pseudo *p);
int aigate_unpseudo_write(aigate_unpseudo *u, const char *text, size_t len,
                          int final, char **out, size_t *out_len);

/* ------------------------------------------------------------------ */
/* Streaming (output text that arrives in pieces)                       */

/*
 * A stream scans text that arrives in chunks (an LLM's streamed answer)
 * and releases it as soon as it is decided: redacted where the policy
 * redacts, withheld for good once the policy blocks. Text that could be
 * the start of a match (an "AKIA", "-----BEGIN", "eyJ", a partial e-mail
 * address, a trailing word) is held back until the match completes or is
 * ruled out; text that cannot be part of any match is released at once.
 * Run to completion, the concatenation of everything released equals
 * aigate_redact of aigate_scan_ex over the whole text, for matches of
 * the rules themselves (src/lib/stream.c says where decoded layers and
 * detectors can differ).
 *
 * A stream belongs to one engine (which must outlive it) and is used by
 * one thread at a time. It keeps no scratch: each call borrows one, so
 * many streams share a thread's scratch, one call at a time. An idle
 * stream costs a few hundred bytes plus the text it holds.
 */
typedef struct aigate_stream aigate_stream;

/* Set in aigate_stream_out.flags: the held-back text passed max_hold
 * (the verdict is then block). */
#define AIGATE_FLAG_HOLD_OVERFLOW 0x40u

typedef struct {
  const char *text;      /* bytes released by this call, redactions
                            applied; owned by the stream, valid until the
                            next call on it. Never NULL. */
  size_t len;            /* 0 whenever verdict is block */
  aigate_action verdict; /* strongest decision so far on this stream; once
                            AIGATE_BLOCK, nothing more is ever released */
  unsigned flags;        /* AIGATE_FLAG_* seen so far, plus
                            AIGATE_FLAG_HOLD_OVERFLOW */
  int score;             /* anomaly score so far */
  size_t held;           /* bytes currently held back */
  size_t n_findings;     /* findings of the whole stream so far (at most
                            1000; past that AIGATE_FLAG_TOO_MANY) */
  const aigate_finding *findings; /* owned by the stream, valid until the
                             next call; start/end are offsets in the whole
                             stream's ORIGINAL bytes; in the order found
                             (each write's sorted by start) */
} aigate_stream_out;

/*
 * A new stream on *out. opt: direction (normally AIGATE_OUTPUT; NULL
 * means output with the default policy), profile and all_rules as in
 * aigate_scan_ex. max_hold caps the bytes held back at once (0: 8192);
 * a stream that would hold more is blocked, since it cannot release text
 * it has not decided. An engine's first stream compiles what streams
 * need (a few milliseconds, once; thread-safe). Errors:
 * AIGATE_ERR_INVALID, AIGATE_ERR_NOT_FOUND (no such profile),
 * AIGATE_ERR_NOMEM, AIGATE_ERR_CONFIG (a pattern that cannot be checked
 * for partial matches); *out is then NULL.
 */
int aigate_stream_new(const aigate_engine *engine,
                      const aigate_scan_options *opt, size_t max_hold,
                      aigate_stream **out);

/*
 * Append len bytes (any bytes; a chunk may end inside a UTF-8 character)
 * and release what is decided, in *out (always filled in, whatever the
 * return value). Returns AIGATE_OK, or the reason a scan failed: then
 * out->flags has AIGATE_FLAG_FAILED and the policy's fail mode decides,
 * as for aigate_scan: fail-closed blocks the stream, fail-open logs and
 * releases the undecided text unscanned (never a silent pass). A stream
 * that cannot store text (out of memory) is blocked whatever the mode.
 * AIGATE_ERR_INVALID after aigate_stream_finish or for bad arguments.
 */
int aigate_stream_write(aigate_stream *s, aigate_scratch *scratch,
                        const char *data, size_t len, aigate_stream_out *out);

/* End of stream: decides and releases everything still held, as the end
 * of a whole text would. Later writes fail with AIGATE_ERR_INVALID. */
int aigate_stream_finish(aigate_stream *s, aigate_scratch *scratch,
                         aigate_stream_out *out);

/* The stream's own allow-list (see aigate_scratch_allow_hosts). */
int aigate_stream_allow_hosts(aigate_stream *s, const char *const *hosts,
                              size_t n);

void aigate_stream_free(aigate_stream *s);

/* ------------------------------------------------------------------ */
/* Classifier (docs/detection.md)                                       */

/*
 * A trained injection/jailbreak classifier: hashed word and character
 * n-gram weights, a weight for the share of symbols and a probability
 * threshold table per paranoia level. Immutable once loaded; safe to
 * share between threads. An engine loads one at start-up
 * (aigate_engine_options.model) and adds its finding to every input
 * scan; these functions are for training, evaluation and tools.
 */
typedef struct aigate_model aigate_model;

/* Load a model file / buffer (name is used in messages). A truncated,
 * corrupted (checksum), foreign or other-version file is AIGATE_ERR_CONFIG
 * with the reason in err; *out is then NULL. */
int aigate_model_load_file(const char *path, aigate_model **out,
                           aigate_error *err);
int aigate_model_load_buffer(const char *name, const void *buf, size_t len,
                             aigate_model **out, aigate_error *err);
/* Write m to path (through a temporary file and a rename). */
int aigate_model_save(const aigate_model *m, const char *path,
                      aigate_error *err);
void aigate_model_free(aigate_model *m);

/* Probability in [0, 1] that text is an attack (best window), normalizing
 * the text first; -1 on allocation failure. A scan does the same on the
 * folded view it already has. */
double aigate_model_score(const aigate_model *m, const char *text, size_t len);

typedef struct {
  unsigned hash_bits;       /* 2^hash_bits hashed features */
  unsigned window;          /* bytes of folded text per window */
  unsigned stride;          /* bytes between window starts */
  double block[5], weak[5]; /* [1..4]: thresholds per paranoia level */
  const char *info;         /* how it was trained; owned by the model */
} aigate_model_info;

void aigate_model_get_info(const aigate_model *m, aigate_model_info *info);

/* The engine's model, or NULL when its classifier is off. */
const aigate_model *aigate_engine_model(const aigate_engine *engine);

/* One n-gram's share of a classifier score. */
typedef struct {
  char ngram[64]; /* the n-gram as read in the folded text (UTF-8) */
  double weight;  /* what it adds to the logit (all occurrences) */
} aigate_contribution;

/*
 * The n-grams that pushed the score of text's best window up the most,
 * strongest first: at most max into out, the number in *n. Returns
 * AIGATE_OK, AIGATE_ERR_INVALID or AIGATE_ERR_NOMEM.
 */
int aigate_model_explain(const aigate_model *m, const char *text, size_t len,
                         aigate_contribution *out, size_t max, size_t *n);

/* Called with one line of progress (no newline) while training. */
typedef void (*aigate_train_log)(void *ud, const char *line);

typedef struct {
  const char *const *files; /* JSONL: {"text", "label": 0|1, "source"?,
                               "kind"?}; kind "benign_hard" marks benign
                               texts held to looser limits */
  size_t n_files;
  unsigned hash_bits;   /* 0: 20 */
  unsigned window;      /* 0: 512 bytes of folded text (stride: half) */
  int epochs;           /* 0: 10 */
  double lr;            /* AdaGrad step; 0: 0.1 */
  double l2;            /* L2 penalty per update; 0: 1e-6; < 0: none */
  double augment;       /* share of benign texts also added with a generated
                           gibberish suffix as attacks; 0 or < 0: none */
  double structured;    /* share of all texts also added with generated
                           structured data (JSON, URLs, ids, paths) after
                           them, keeping their label; 0: 0.5; < 0: none */
  int roles;            /* generated benign role prompts added, half of
                           them with a jailbreak twin as an attack; 0:
                           200; < 0: none; at most 100000 */
  int cred_requests;    /* generated benign requests about passwords and
                           keys, half with an attack twin; 0: 100; < 0:
                           none; at most 100000 */
  int frame_requests;   /* generated benign framed requests, plain
                           questions on sensitive topics and questions
                           about attacks, half with a jailbreak twin; 0:
                           1500; < 0: none; at most 100000 */
  int doc_requests;     /* generated benign documents with a task and a
                           note to a person, half with a twin whose note
                           orders the model; 0: 450; < 0: none; at most
                           100000 */
  double twin_step;     /* share of a text's step each of their twins
                           takes, (0, 1]; 0: 0.5 */
  int lang_requests;    /* generated benign requests in the languages of
                           the data's translated attacks, each with an
                           attack twin; 0: 1500; < 0: none; at most
                           100000 */
  unsigned min_words;   /* a text with fewer word (character) features is */
  unsigned min_chars;   /* scaled as if it had this many, so that a few
                           words do not weigh as much as a page; 0: 40
                           word and 300 character features (~100 bytes) */
  int nonneg;           /* 1: n-gram weights kept >= 0 (evidence of attack
                           only; unfamiliar text then scores low) */
  uint64_t seed;        /* training is deterministic for a seed */
  int no_cv;            /* 1: thresholds from in-sample scores (fast, for
                           small fixtures) */
  int folds;            /* k of the random k-fold cross-validation whose
                           out-of-fold scores set the thresholds; the model
                           is the mean of the k fold models; 0: 5 */
  int repeats;          /* k-fold cross-validation repeated this many
                           times over different splits: the thresholds
                           come from all their out-of-fold scores, the
                           model is the mean of all their fold models;
                           0: 8 (loso: 1) */
  int loso;             /* 1: leave-one-source-out folds instead (each
                           source, by "source" up to '@', held out) */
  const char *oof_path; /* when set, the out-of-fold score of every record
                           is written there as JSONL (docs/detection.md) */
  aigate_train_log log;
  void *log_ud;
  int word_requests; /* generated benign requests that use attacks' words
                        in everyday senses, each with a twin that aims the
                        word at the assistant; 0: 150; < 0: none; at most
                        100000 */
  int game_requests; /* generated benign word games and answer formats on
                        the user's own words, each with a twin in the
                        manner of injection games (the game on a guarded
                        secret, a forged order to say a gate phrase); 0:
                        150; < 0: none; at most 100000 (last: added after
                        the others) */
} aigate_train_options;

typedef struct {
  size_t n_records, n_attacks, n_augmented, n_folds;
  size_t n_benign_hard;   /* benign texts of kind "benign_hard" */
  double oof_auc;         /* ROC-AUC of out-of-fold scores of the texts as
                             read, augmented copies apart (no_cv: 0) */
  double oof_recall[5];   /* [1..4]: attacks over the block threshold */
  double oof_fpr[5];      /* [1..4]: plain benign texts over it */
  double oof_fpr_hard[5]; /* [1..4]: benign_hard texts over it (limits:
                             1%, 3%, 5%, 10% against 0.5%, 1%, 2.5%, 5%) */
} aigate_train_report;

/*
 * Train a model (src/lib/train.c): read the files, normalize every text
 * as a scan does, augment, train one model per fold on the windows a scan
 * scores, choose the thresholds per paranoia level on the out-of-fold
 * scores (k-fold, or each source held out in turn), and average the fold
 * models.
 * rep may be NULL. Errors: AIGATE_ERR_IO (unreadable file),
 * AIGATE_ERR_CONFIG (a bad record: file:line in err), AIGATE_ERR_INVALID,
 * AIGATE_ERR_NOMEM.
 */
int aigate_train(const aigate_train_options *opt, aigate_model **out,
                 aigate_train_report *rep, aigate_error *err);

/* ------------------------------------------------------------------ */
/* Tool calls (arguments an agent is about to execute)                  */

/* What a tool does, which decides the rule families that check it. */
typedef enum {
  AIGATE_TOOL_AUTO = 0, /* not known: every family */
  AIGATE_TOOL_SHELL,    /* shell, file and http families */
  AIGATE_TOOL_SQL,      /* sql */
  AIGATE_TOOL_HTTP,     /* http */
  AIGATE_TOOL_FILE,     /* file */
  AIGATE_TOOL_OTHER,    /* file and http */
} aigate_tool_kind;

/* "auto", "shell", "sql", "http", "file", "other"; "?" out of range. */
const char *aigate_tool_kind_name(aigate_tool_kind kind);

typedef struct {
  const char *name;      /* the function the model called; may be NULL */
  const char *arguments; /* its arguments, JSON text as the model wrote
                            them; NULL/0 or blank means {} */
  size_t arguments_len;
  /* The tool as the request declared it, JSON text: a `tools` entry
   * ({"type": "function", "function": {...}}) or the function object
   * ({"name", "description", "parameters", "strict"}). NULL when the
   * request declared none: no schema is checked then. */
  const char *declaration;
  size_t declaration_len;
  const char *profile; /* policy profile; NULL = the default policy */
} aigate_tool_call;

typedef struct {
  aigate_action verdict;   /* block: do not run it */
  aigate_tool_kind kind;   /* what the arguments were checked as */
  const char *kind_source; /* "policy" (the profile's tools: map),
                              "inferred" (name, parameters, description)
                              or "unknown" (every family); static */
  int invalid;             /* the arguments were refused: not a JSON
                              object, or not what the schema allows */
  char reason[256];        /* why it is refused or blocked; "" if not */
  int score;               /* anomaly score of the findings */
  unsigned flags;          /* AIGATE_FLAG_* of the scan */
  int status;              /* AIGATE_OK, or why the check could not run */
  size_t n_findings;
  const aigate_finding *findings; /* in the scratch, until its next use;
                                     offsets are in the arguments'
                                     decoded strings, one per line */
} aigate_tool_result;

/*
 * Check a tool call before it is executed (src/lib/tool.c): the
 * arguments must be a JSON object without duplicate keys that conforms
 * to the declared JSON Schema (a subset: types, required, enum, const,
 * lengths, patterns, ranges, items, additionalProperties and strict
 * mode, anyOf/oneOf/allOf/not, local $ref), else the verdict is block
 * and `invalid` is set; then their strings are scanned by the rule
 * families of the tool's kind (`directions: [tool]`) and the policy
 * decides. Returns AIGATE_OK (also for a refused call), or why the check
 * could not run (the verdict is then the fail mode's).
 */
int aigate_tool_check(const aigate_engine *engine, aigate_scratch *scratch,
                      const aigate_tool_call *call, aigate_tool_result *res);

/* ------------------------------------------------------------------ */
/* System-prompt leaks (src/lib/leak.c)                                 */

/* A canary: "ag-" and 16 base32 characters, NUL-terminated. */
#define AIGATE_CANARY_SIZE 20

/*
 * The canary of a deployment (its secret) for the period that contains
 * `now` (seconds; period 0: one canary for ever): keyed BLAKE2b, so it
 * cannot be guessed without the secret and changes with the period.
 */
int aigate_canary(const void *secret, size_t secret_len, uint64_t now,
                  uint64_t period, char out[AIGATE_CANARY_SIZE]);

/* What a policy's `leak:` section says (docs/output-security.md). */
typedef struct {
  int canary;              /* append a canary to system prompts */
  uint64_t rotate_seconds; /* canary period (default 86400; 0 never) */
  unsigned overlap_pct;    /* share of the prompt's word 5-grams in an
                              output that is a leak (default 50; 0 off) */
  aigate_action action;    /* block (default) or log */
} aigate_leak_policy;

/* The leak policy of a profile (NULL: the default policy); the defaults
 * when cfg is NULL. AIGATE_ERR_NOT_FOUND (and the defaults) for a
 * profile that does not exist. */
int aigate_config_leak(const aigate_config *cfg, const char *profile,
                       aigate_leak_policy *out);

/* A system prompt prepared for leak checks: its word 5-grams and the
 * encoded forms of its canaries (the current and the previous period's,
 * say). Immutable; share it between the scans of one request. */
typedef struct aigate_leak aigate_leak;
typedef struct aigate_leak_scan aigate_leak_scan;

typedef struct {
  int leak;                /* canary || overlap */
  int canary;              /* a canary was found ... */
  const char *canary_form; /* ... as "raw", "reversed", "rot13", "hex" or
                              "base64" (static), else NULL */
  int overlap;             /* the overlap reached the threshold */
  unsigned overlap_pct;    /* share of the prompt's 5-grams seen, 0..100 */
  size_t matched, total;   /* 5-grams seen, and in the prompt */
} aigate_leak_result;

int aigate_leak_new(const char *prompt, size_t len, const char *const *canaries,
                    size_t n_canaries, aigate_leak **out);
void aigate_leak_free(aigate_leak *lk);

/* An output checked as it is written: feed it in pieces (`final` on the
 * last one, which ends the last word); the result is that of everything
 * fed so far. Whole texts: aigate_leak_check. */
int aigate_leak_scan_new(const aigate_leak *lk, aigate_leak_scan **out);
int aigate_leak_scan_feed(aigate_leak_scan *sc, const char *text, size_t len,
                          int final, unsigned threshold_pct,
                          aigate_leak_result *res);
void aigate_leak_scan_free(aigate_leak_scan *sc);
int aigate_leak_check(const aigate_leak *lk, const char *text, size_t len,
                      unsigned threshold_pct, aigate_leak_result *res);

/* ------------------------------------------------------------------ */
/* Spotlighting of untrusted content (src/lib/spotlight.c)             */

typedef enum {
  AIGATE_SPOTLIGHT_OFF = 0,
  AIGATE_SPOTLIGHT_DELIMIT,  /* wrapped in begin/end markers */
  AIGATE_SPOTLIGHT_DATAMARK, /* U+02C6 between every word */
} aigate_spotlight;

/* The spotlight mode of a profile's `spotlight:` (NULL: the default
 * policy; off by default). AIGATE_ERR_NOT_FOUND for no such profile. */
int aigate_config_spotlight(const aigate_config *cfg, const char *profile,
                            aigate_spotlight *out);

/* The sentence for the system prompt that tells the model what the
 * marking means; NULL when off. Static. */
const char *aigate_spotlight_instruction(aigate_spotlight mode);

/* The marked copy of text (NUL-terminated, caller frees; *out_len
 * without the NUL). Markers the text carries are defused. */
int aigate_spotlight_apply(aigate_spotlight mode, const char *text, size_t len,
                           char **out, size_t *out_len);

/* ------------------------------------------------------------------ */
/* Rules: listing and self-test                                         */

typedef struct {
  const char *id, *family, *category, *message, *file;
  int line, severity, score, paranoia;
  size_t n_match, n_no_match;
  const char *const *match;    /* examples that must fire the rule */
  const char *const *no_match; /* examples that must not */
} aigate_rule_info;

size_t aigate_rule_count(const aigate_engine *engine);
/* Information on rule i (0 <= i < count); pointers owned by the engine. */
int aigate_rule_get(const aigate_engine *engine, size_t i,
                    aigate_rule_info *info);

/* Called for every example checked by aigate_rules_selftest. */
typedef void (*aigate_selftest_cb)(void *ud, const aigate_rule_info *rule,
                                   int should_match, const char *example,
                                   int passed);

/*
 * Scan every example of every rule with all rules active and check that
 * `match` examples fire the rule and `no_match` examples do not. A rule
 * without both kinds of examples fails. Returns the number of failures
 * (0 = all passed) or a negative status.
 */
int aigate_rules_selftest(const aigate_engine *engine, aigate_selftest_cb cb,
                          void *ud);

#ifdef __cplusplus
}
#endif
#endif
