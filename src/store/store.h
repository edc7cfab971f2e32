/*
 * store.h -- aigate's own database: virtual keys and their spend, in one
 * SQLite file (general_settings.database_url, default ./aigate.db).
 *
 * The gateway and the `aigate keys` command open the same file at the same
 * time: WAL mode lets readers run beside one writer, and a busy timeout
 * waits out the other side's short transactions. Every change made through
 * this API is committed before the call returns (a key change is durable
 * when `aigate keys` or the admin API answers); the gateway's spend is
 * written in batches by its store thread (docs/keys.md, "Durability").
 *
 * Keys are never stored: only a keyed BLAKE2b hash (the key-hashing secret
 * is a 0600 file beside the database, or AIGATE_KEY_SECRET) and a short
 * display prefix. A database remembers a fingerprint of the secret it was
 * created with, so opening it with another secret is an error, not a
 * gateway where every key silently fails.
 *
 * The schema carries its version (PRAGMA user_version); store_open
 * migrates older files forward in one transaction and refuses newer ones.
 *
 * Money is counted in nano-dollars (1e-9 USD) as 64-bit integers, so that
 * concurrent spend adds up exactly.
 */
#ifndef AIGATE_STORE_H
#define AIGATE_STORE_H

#include <jansson.h>
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

typedef struct store store;

enum {
  STORE_OK = 0,
  STORE_NOT_FOUND = 1, /* no such key */
  STORE_ERROR = 2,     /* see store_error() */
  STORE_INVALID = 3,   /* a field is out of range; see store_error() */
};

#define STORE_ID_LEN 21     /* "key_" + 16 hex + NUL */
#define STORE_PREFIX_LEN 11 /* "sk-ag-" + 4 characters + NUL */
#define STORE_KEY_LEN 50    /* "sk-ag-" + 43 base64url characters + NUL */
#define STORE_MAX_LIST 256  /* models or tools on one key */
#define STORE_MAX_NAME 256  /* bytes of a name, model, tool or policy */
#define STORE_MAX_METADATA 16384

/* One virtual key. Strings and arrays are owned by the record
 * (store_key_clear frees them). */
typedef struct {
  char id[STORE_ID_LEN]; /* stable across rotation */
  char *name;
  char prefix[STORE_PREFIX_LEN]; /* start of the key, for display */
  unsigned char hash[32];        /* keyed hash of the key */
  unsigned char old_hash[32];    /* the previous key during a grace period */
  int64_t old_until;             /* unix seconds; 0: no previous key */
  char **models;                 /* allowed models; none: every model */
  size_t n_models;
  char **tools; /* allowed tools; none: every tool */
  size_t n_tools;
  char **allow_hosts; /* hosts its output may load from and send data to
                         (exfiltration), besides the policy's */
  size_t n_allow_hosts;
  int64_t rpm, tpm;        /* requests / tokens per minute; 0: no limit */
  int64_t max_tokens;      /* clamp of max_tokens; 0: none */
  int64_t max_budget;      /* nano-USD; -1: no budget */
  int64_t budget_duration; /* seconds; 0: the budget never resets */
  int64_t budget_reset_at; /* unix seconds of the next reset; 0: none */
  int64_t spend;           /* nano-USD in the current budget period */
  int64_t expires;         /* unix seconds; 0: never */
  char *policy;            /* policy profile; NULL: the gateway's */
  char *metadata;          /* a JSON object's text; NULL: none */
  int revoked;
  int64_t created, updated; /* unix seconds */
  int64_t suspended_until;  /* unix seconds: an automatic suspension after
                               an alert; 0: none. Unblocking clears it. */
  int64_t throttled_until;  /* unix seconds: held to throttle_rpm after an
                               alert; 0: none. Unblocking clears it. */
  int64_t throttle_rpm;
} store_key;

/*
 * Open (creating if needed) the database at `path` and its key-hashing
 * secret: $AIGATE_KEY_SECRET when set (at least 32 characters), else the
 * file aigate.key_secret beside the database, created with mode 0600 when
 * neither it nor any key exists yet. On failure returns NULL and writes a
 * one-line reason into err.
 */
store *store_open(const char *path, char *err, size_t errlen);
void store_close(store *s);

/* The last error of s, for messages. */
const char *store_error(const store *s);

/* The SQLite file path behind a database_url ("aigate.db",
 * "sqlite:///var/lib/aigate/aigate.db"): into buf; -1 when too long. */
int store_db_path(const char *url, char *buf, size_t len);

/* Files aigate keeps beside its database. */
#define STORE_CONTENT_KEY_FILE "aigate.content_key"
#define STORE_AUDIT_KEY_FILE "aigate.audit_key"
#define STORE_CHECKPOINT_FILE "aigate.audit_checkpoints"

/* The path of the file `name` in the directory of the database at dbpath,
 * into buf; -1 when it does not fit. */
int store_path_beside(const char *dbpath, const char *name, char *buf,
                      size_t len);

/* Changes by other connections since the last call: a number that moves
 * when another process (or another store on the same file) commits. */
int64_t store_data_version(store *s);

/* The keyed hash of a presented key. */
void store_hash(const store *s, const char *key, size_t len,
                unsigned char out[32]);

/* The same keyed hash over data given in pieces: start a state. */
void store_hash_begin(const store *s, crypto_generichash_state *st);

/*
 * Create a key from the limits in *k (its name, lists, limits, policy and
 * metadata; id, hash, prefix, dates and spend are filled in). The new
 * secret is written to key_out (STORE_KEY_LEN bytes) and is never stored.
 */
int store_key_create(store *s, store_key *k, char key_out[STORE_KEY_LEN],
                     int64_t now);

/* Look a key up by its id, or by the key itself (a string starting
 * "sk-ag-"). *out is filled (store_key_clear it). */
int store_key_get(store *s, const char *id_or_key, store_key *out);

/* Read k again (by its id) after a change; k is cleared first. */
int store_key_reread(store *s, store_key *k);

/* Every key, oldest first (free with store_keys_free). */
int store_key_list(store *s, store_key **out, size_t *n);

/* Write the editable fields of k (name, lists, limits, budget, expiry,
 * policy, metadata, revoked) to the key with k->id. The spend is left
 * alone unless reset_spend. */
int store_key_update(store *s, const store_key *k, int reset_spend,
                     int64_t now);

/* A new secret for the key `id`; the old one stays valid for
 * grace_seconds (0: not at all). */
int store_key_rotate(store *s, const char *id, int64_t grace_seconds,
                     char key_out[STORE_KEY_LEN], int64_t now);

int store_key_delete(store *s, const char *id);

/* Suspend key `id` until `until` (unix seconds), e.g. after an alert. */
int store_key_suspend(store *s, const char *id, int64_t until, int64_t now);
/* Hold key `id` to `rpm` requests a minute until `until`. */
int store_key_throttle(store *s, const char *id, int64_t until, int64_t rpm,
                       int64_t now);

/* An alert, as the anomaly detector raised it, and what was done. */
typedef struct {
  const char *id, *key_id, *signal, *detail, *severity, *request_ids, *action;
  int64_t ts_ms;
  double observed, baseline, score;
} store_alert;
int store_alert_add(store *s, const store_alert *a);
/* The newest alerts first, at most limit, as a JSON array. */
json_t *store_alert_list(store *s, int64_t limit);

/* Add `delta` nano-USD of spend to key `id` at time `now`: a budget
 * period that has ended starts again with delta. Batched by the caller
 * with store_begin/store_commit. */
int store_spend_add(store *s, const char *id, int64_t delta, int64_t now);

int store_begin(store *s);
int store_commit(store *s);
void store_rollback(store *s);

/* The spend of k at `now`: 0 when its budget period has ended. */
int64_t store_key_spend_at(const store_key *k, int64_t now);
/* Block k (revoked), or unblock it: that also lifts an automatic
 * suspension or throttle (what the CLI's --unblock, the admin API's
 * /key/unblock and "blocked": false mean). In memory; store with
 * store_key_update. */
void store_key_set_blocked(store_key *k, int blocked);

void store_key_clear(store_key *k);
void store_keys_free(store_key *keys, size_t n);

/* ------------------------------------------------------------ audit */

/* One request (audit.c). Strings are borrowed for the call. */
typedef struct {
  char id[40];
  int64_t ts_ms;             /* wall clock, milliseconds */
  char key_id[STORE_ID_LEN]; /* "": the master key or no auth */
  const char *client, *route, *model, *decision, *rules;
  int status, upstream_status;
  int64_t prompt_tokens, completion_tokens;
  int64_t cost; /* nano-USD */
  int64_t ms_total, ms_upstream;
  /* The deployment that answered ("MODEL API_BASE"), the mode of the
   * decision ("enforce", "detect-only": rules that would have acted did
   * not, "fail-open", "fail-closed": a scan did not run), the findings
   * behind the decision as a JSON array of {rule, category, score,
   * mode}, the gateway's own time (microseconds) and the upstream's time
   * to its first byte. NULL / 0: not known (and records written before
   * these fields existed). */
  const char *deployment, *mode, *findings;
  int64_t us_overhead, ms_first_byte;
  unsigned char prompt_hash[32], response_hash[32]; /* keyed BLAKE2b */
  const unsigned char *content; /* sealed; NULL: not stored */
  size_t content_len;
  char content_key_id[17];
  /* its place in its chain (store_chain_link); chain_seq 0: none */
  char instance[17];
  int64_t chain_seq;
  unsigned char mac[32];
} store_audit;

/* Add a record (batch several in store_begin/store_commit). */
int store_audit_add(store *s, const store_audit *a);
int store_audit_count(store *s, int64_t *n);
/* A record as JSON, with the field names of store_audit_search and its
 * place in its chain (instance, chain_seq, mac) when it has one; never
 * its content. Caller decrefs. */
json_t *store_audit_json(const store_audit *a);
/* The sealed content of record `id` (free *blob) and its key id. */
int store_audit_content(store *s, const char *id, unsigned char **blob,
                        size_t *len, char key_id[17]);

/* Records matching every given field (NULL: any), newest first, at most
 * limit (0: 100), as a JSON array of objects (caller decrefs); NULL and
 * store_error() on failure. `decision` matches its start ("block" also
 * matches "block (fail-closed)"); `rule` one of the record's rules. */
typedef struct {
  const char *id, *key_id, *decision, *rule, *model;
  int64_t since_ms;
  int64_t limit;
  int64_t after_seq; /* only records written after this one (their "seq") */
  int oldest_first;  /* ascending order (for following the log) */
} store_audit_filter;
json_t *store_audit_search(store *s, const store_audit_filter *f);
/* Per key since since_ms (the busiest first, at most limit): requests,
 * blocked, tokens, spend_usd -- for the dashboard. */
json_t *store_audit_by_key(store *s, int64_t since_ms, int64_t limit);

/* The key that seals stored content: $AIGATE_CONTENT_KEY (64 hex digits),
 * else the file at path (created 0600 with a random key when missing). */
typedef struct {
  unsigned char key[32];
  char id[17]; /* hex of the first 8 bytes of BLAKE2b(key) */
} store_content_key;

int store_content_key_load(const char *path, store_content_key *k, char *err,
                           size_t errlen);
/* The same for any such key: $env_name, else the file. */
int store_key_file_load(const char *path, const char *env_name,
                        store_content_key *k, char *err, size_t errlen);
void store_content_key_clear(store_content_key *k);
/* XChaCha20-Poly1305 with record_id as associated data: nonce || sealed
 * text into *out (free it). -1 on allocation failure or (unseal) when the
 * blob was not sealed by this key for this record. */
int store_seal(const store_content_key *k, const char *record_id,
               const unsigned char *plain, size_t len, unsigned char **out,
               size_t *out_len);
int store_unseal(const store_content_key *k, const char *record_id,
                 const unsigned char *blob, size_t len, unsigned char **out,
                 size_t *out_len);

/* ------------------------------------------------------------ chain */

/* One process's chain of records (chain.c): its audit key, a random
 * instance id, and the number and MAC of its last record. */
typedef struct {
  unsigned char key[32];
  crypto_auth_hmacsha256_state keyed; /* HMAC's state after the key */
  char instance[17];
  int64_t seq;
  unsigned char head[32];
} store_chain;

/* Load the audit key ($AIGATE_AUDIT_KEY, else key_path, created 0600)
 * and start a new chain. */
int store_chain_init(store_chain *c, const char *key_path, char *err,
                     size_t errlen);
/* Set the chain's key (store_chain_init does). */
void store_chain_key(store_chain *c, const unsigned char key[32]);
void store_chain_clear(store_chain *c);
/* Give a the next place in c (instance, chain_seq, mac). */
void store_chain_link(store_chain *c, store_audit *a);
/* c's head, signed, as one line without its newline: "INSTANCE SEQ
 * HEAD SIGNATURE" (hex), what the checkpoint file holds. 0, or -1 while
 * the chain is empty. */
int store_chain_checkpoint_line(const store_chain *c, char *buf, size_t len);
/* Append that line to the checkpoint file. */
int store_chain_checkpoint(const store_chain *c, const char *path);
/* When the checkpoint file at path has grown past max_bytes, rewrite it
 * with only the last checkpoint signed with key of each chain, and every
 * line that is not one (a forged or damaged line stays as evidence):
 * verification reads no more than that. The new file replaces the old
 * one atomically (rename). 0, or -1 (the old file is left as it was). */
int store_chain_compact(const unsigned char key[32], const char *path,
                        long max_bytes);
/* Read one checkpoint line, "INSTANCE SEQ HEAD SIGNATURE" (16, 1-18
 * digits, 64 and 64 lower-case hex), with its newline or not. Strict:
 * the line is exactly that. Loose: the line ends with it (a collector's
 * copy of a syslog message). Returns 1 for a checkpoint signed with key
 * (instance, seq and head set), -1 for one shaped so but not signed with
 * key, 0 for a line that is not shaped like one. */
int store_checkpoint_parse(const unsigned char key[32], const char *line,
                           int loose, char instance[17], int64_t *seq,
                           unsigned char head[32]);
/* Check every chain against key and the checkpoints in checkpoint_path
 * (the checkpoint file; a missing one has none) and in `collected`
 * (NULL, or a file of collected syslog lines that end with checkpoints;
 * it must exist): each problem (modified, inserted or deleted records,
 * with their place) is passed to report. Returns the number of problems,
 * or -1 on error (see store_error). *records counts the records read. */
int store_chain_verify(store *s, const unsigned char key[32],
                       const char *checkpoint_path, const char *collected,
                       void (*report)(void *ud, const char *msg), void *ud,
                       int64_t *records);

/* Parsing helpers shared by the CLI and the admin API. */

/* "30d", "12h", "15m", "45s", "2w", "1mo" (30 days) -> seconds. */
int store_parse_duration(const char *s, int64_t *secs);
/* "12.5" USD -> nano-USD (at most 9 decimals, at most 1e9 USD). */
int store_parse_usd(const char *s, int64_t *nano);
/* nano-USD -> "12.500000" into buf. */
void store_format_usd(int64_t nano, char *buf, size_t len);
/* Models, tools, names: printable, no spaces, 1..STORE_MAX_NAME bytes. */
int store_valid_name(const char *s);

#endif
