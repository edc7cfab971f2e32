/*
 * chain.c -- tamper evidence for the request records (store.h).
 *
 * Each gateway process is one chain: a random instance id, and records
 * numbered 1, 2, 3, ... in the order they are written. A record's MAC is
 * HMAC-SHA256 under the audit key over the instance, its number, the
 * previous record's MAC and every field of the record, so a record edited,
 * inserted or deleted in the database no longer fits its neighbours. The
 * key lives outside the database ($AIGATE_AUDIT_KEY or aigate.audit_key,
 * 0600): whoever can write the database but not read the key cannot forge
 * a fitting MAC.
 *
 * Deleting the newest records leaves a chain that still fits, so the head
 * of each chain (its number and MAC, itself MACed) is appended to a
 * checkpoint file beside the database every few seconds and at shutdown;
 * `aigate log verify` compares each chain's end with its last checkpoint.
 * Records written after the last checkpoint can be deleted unnoticed: at
 * most the checkpoint interval.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_int.h"

/* The key: $AIGATE_AUDIT_KEY (64 hex digits) or a 0600 file, created
 * when missing. The content key's loader reads the same format. */
int store_chain_init(store_chain *c, const char *key_path, char *err,
                     size_t errlen) {
  memset(c, 0, sizeof(*c));
  store_content_key k;
  if (store_key_file_load(key_path, "AIGATE_AUDIT_KEY", &k, err, errlen))
    return -1;
  store_chain_key(c, k.key);
  store_content_key_clear(&k);
  unsigned char id[8];
  randombytes_buf(id, sizeof(id));
  sodium_bin2hex(c->instance, sizeof(c->instance), id, sizeof(id));
  return 0;
}

void store_chain_key(store_chain *c, const unsigned char key[32]) {
  memcpy(c->key, key, sizeof(c->key));
  crypto_auth_hmacsha256_init(&c->keyed, c->key, sizeof(c->key));
}

void store_chain_clear(store_chain *c) {
  sodium_memzero(c, sizeof(*c));
}

/* The fields go to HMAC through a small buffer: a record is some 25
 * short fields, and an update per field (and per length prefix) cost
 * more than the hashing. What is hashed is the same byte string. */
typedef struct {
  crypto_auth_hmacsha256_state h;
  unsigned char buf[512];
  size_t n;
} mac_feed;

static void feed_flush(mac_feed *f) {
  if (f->n)
    crypto_auth_hmacsha256_update(&f->h, f->buf, f->n);
  f->n = 0;
}

static void feed(mac_feed *f, const void *p, size_t n) {
  if (f->n + n > sizeof(f->buf)) {
    feed_flush(f);
    if (n > sizeof(f->buf)) {
      crypto_auth_hmacsha256_update(&f->h, p, n);
      return;
    }
  }
  memcpy(f->buf + f->n, p, n);
  f->n += n;
}

static void put_field(mac_feed *f, const void *p, size_t n) {
  unsigned char len[4] = {(unsigned char)n, (unsigned char)(n >> 8),
                          (unsigned char)(n >> 16), (unsigned char)(n >> 24)};
  feed(f, len, 4);
  if (n)
    feed(f, p, n);
}

static void put_str(mac_feed *f, const char *s) {
  put_field(f, s ? s : "", s ? strlen(s) : 0);
}

/* In decimal, as "%lld" writes it (a record has a dozen of them, and
 * snprintf cost a sixth of a record's MAC). */
static void put_int(mac_feed *f, int64_t v) {
  char b[24];
  char *p = b + sizeof(b);
  uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
  do
    *--p = (char)('0' + u % 10);
  while (u /= 10);
  if (v < 0)
    *--p = '-';
  put_field(f, p, (size_t)(b + sizeof(b) - p));
}

/* The MAC of a record in its chain. Every column but the row number is
 * covered; absent content counts as empty. */
static void record_mac(const crypto_auth_hmacsha256_state *keyed,
                       const char *instance, int64_t seq,
                       const unsigned char prev[32], const store_audit *a,
                       unsigned char out[32]) {
  mac_feed f;
  f.n = 0;
  f.h = *keyed; /* the key's two padded blocks, hashed once per chain */
  put_str(&f, instance);
  put_int(&f, seq);
  put_field(&f, prev, 32);
  put_str(&f, a->id);
  put_int(&f, a->ts_ms);
  put_str(&f, a->key_id);
  put_str(&f, a->client);
  put_str(&f, a->route);
  put_str(&f, a->model);
  put_int(&f, a->status);
  put_int(&f, a->upstream_status);
  put_str(&f, a->decision);
  put_str(&f, a->rules);
  put_int(&f, a->prompt_tokens);
  put_int(&f, a->completion_tokens);
  put_int(&f, a->cost);
  put_int(&f, a->ms_total);
  put_int(&f, a->ms_upstream);
  put_field(&f, a->prompt_hash, 32);
  put_field(&f, a->response_hash, 32);
  put_str(&f, a->content ? a->content_key_id : "");
  put_field(&f, a->content, a->content ? a->content_len : 0);
  /* The fields records gained later, when a record has any: a record
   * without them MACs as it did before they existed, and clearing them
   * from one that had them breaks its MAC. */
  if ((a->deployment && *a->deployment) || (a->mode && *a->mode) ||
      (a->findings && *a->findings) || a->us_overhead || a->ms_first_byte) {
    put_str(&f, "v2");
    put_str(&f, a->deployment);
    put_str(&f, a->mode);
    put_str(&f, a->findings);
    put_int(&f, a->us_overhead);
    put_int(&f, a->ms_first_byte);
  }
  feed_flush(&f);
  crypto_auth_hmacsha256_final(&f.h, out);
  sodium_memzero(&f, sizeof(f));
}

void store_chain_link(store_chain *c, store_audit *a) {
  a->chain_seq = ++c->seq;
  _Static_assert(sizeof(a->instance) == sizeof(c->instance), "one size");
  memcpy(a->instance, c->instance, sizeof(a->instance));
  record_mac(&c->keyed, c->instance, a->chain_seq, c->head, a, a->mac);
  memcpy(c->head, a->mac, 32);
}

/* ------------------------------------------------------- checkpoints */

static void checkpoint_mac(const unsigned char key[32], const char *instance,
                           int64_t seq, const unsigned char head[32],
                           unsigned char out[32]) {
  mac_feed f;
  f.n = 0;
  crypto_auth_hmacsha256_init(&f.h, key, 32);
  put_str(&f, "aigate audit checkpoint");
  put_str(&f, instance);
  put_int(&f, seq);
  put_field(&f, head, 32);
  feed_flush(&f);
  crypto_auth_hmacsha256_final(&f.h, out);
  sodium_memzero(&f, sizeof(f));
}

int store_chain_checkpoint_line(const store_chain *c, char *buf, size_t len) {
  if (!c->seq)
    return -1;
  unsigned char sig[32];
  char head_hex[65], sig_hex[65];
  checkpoint_mac(c->key, c->instance, c->seq, c->head, sig);
  sodium_bin2hex(head_hex, sizeof(head_hex), c->head, 32);
  sodium_bin2hex(sig_hex, sizeof(sig_hex), sig, 32);
  int n = snprintf(buf, len, "%s %lld %s %s", c->instance, (long long)c->seq,
                   head_hex, sig_hex);
  return n > 0 && (size_t)n < len ? 0 : -1;
}

int store_chain_checkpoint(const store_chain *c, const char *path) {
  char line[256];
  if (!c->seq)
    return 0;
  if (store_chain_checkpoint_line(c, line, sizeof(line) - 1))
    return -1;
  size_t n = strlen(line);
  line[n++] = '\n';
  int fd =
      open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    return -1;
  int ok = write(fd, line, n) == (ssize_t)n;
  ok = fdatasync(fd) == 0 && ok;
  return close(fd) == 0 && ok ? 0 : -1;
}

/* ------------------------------------------------------------ verify */

typedef struct {
  char instance[17];
  int64_t seq;
  unsigned char head[32];
  long line; /* where in its file (counting fgets' pieces) */
} checkpoint;

/* Where the last four words of line start (a collected syslog line ends
 * with the checkpoint, whatever the collector wrote before it). */
static const char *last_words(const char *line, const char *end) {
  const char *p = end;
  for (int words = 0; p > line; p--)
    if (p[-1] == ' ' && ++words == 4)
      break;
  return p;
}

/* A word of n characters from set at *p, then `after` (a space, or the
 * end when after is '\0'); *p moves past it. */
static int word(const char **p, const char *end, size_t n, const char *set,
                char after) {
  size_t len = strspn(*p, set);
  if (len != n || *p + len > end ||
      (after ? *p + len == end || (*p)[len] != after : *p + len != end))
    return 0;
  *p += len + (after ? 1 : 0);
  return 1;
}

int store_checkpoint_parse(const unsigned char key[32], const char *line,
                           int loose, char instance[17], int64_t *seq,
                           unsigned char head[32]) {
  static const char hex[] = "0123456789abcdef";
  const char *end = line + strlen(line);
  while (end > line &&
         (end[-1] == '\n' || end[-1] == '\r' || (loose && end[-1] == ' ')))
    end--;
  const char *p = loose ? last_words(line, end) : line;
  if (loose && !strncmp(p, "\xef\xbb\xbf", 3))
    p += 3; /* syslog's BOM before the message (RFC 5424 6.4) */
  const char *inst = p;
  if (!word(&p, end, 16, hex, ' '))
    return 0;
  size_t digits = strspn(p, "0123456789");
  const char *hh = p + digits + 1;
  if (digits == 0 || digits > 18 || p + digits >= end || p[digits] != ' ' ||
      (digits > 1 && *p == '0'))
    return 0;
  long long n = strtoll(p, NULL, 10);
  p = hh;
  const char *sh = hh + 65;
  if (!word(&p, end, 64, hex, ' ') || !word(&p, end, 64, hex, '\0') || n < 1)
    return 0;
  unsigned char sig[32], want[32];
  memcpy(instance, inst, 16);
  instance[16] = '\0';
  if (sodium_hex2bin(head, 32, hh, 64, NULL, NULL, NULL) ||
      sodium_hex2bin(sig, 32, sh, 64, NULL, NULL, NULL))
    return -1;
  checkpoint_mac(key, instance, n, head, want);
  if (sodium_memcmp(want, sig, 32))
    return -1;
  *seq = n;
  return 1;
}

/* The last valid checkpoint of every instance in the file, added to
 * *out. Strict: every line must be a signed checkpoint (the checkpoint
 * file). Loose: a line counts when it ends with something shaped like a
 * checkpoint (a collector's copy of the syslog messages); other lines
 * are not ours and are passed over. */
static int read_checkpoints(const unsigned char key[32], const char *path,
                            int loose, checkpoint **out, size_t *n,
                            int *bad_lines, int *good_lines) {
  FILE *f = fopen(path, "re");
  if (!f)
    return errno == ENOENT && !loose ? 0 : -1;
  char line[4096];
  for (long no = 0; fgets(line, sizeof(line), f); no++) {
    char inst[17];
    int64_t seq;
    unsigned char head[32];
    int rc = store_checkpoint_parse(key, line, loose, inst, &seq, head);
    if (rc != 1) {
      if (rc || !loose) /* a collector's other lines are not ours */
        (*bad_lines)++;
      continue;
    }
    (*good_lines)++;
    size_t i = 0;
    while (i < *n && strcmp((*out)[i].instance, inst))
      i++;
    if (i == *n) {
      checkpoint *v = realloc(*out, (*n + 1) * sizeof(*v));
      if (!v) {
        fclose(f);
        return -1;
      }
      *out = v;
      (*n)++;
      snprintf(v[i].instance, sizeof(v[i].instance), "%.16s", inst);
      v[i].seq = 0;
    }
    if (seq >= (*out)[i].seq) {
      (*out)[i].seq = seq;
      memcpy((*out)[i].head, head, 32);
      (*out)[i].line = no;
    }
  }
  fclose(f);
  return 0;
}

int store_chain_compact(const unsigned char key[32], const char *path,
                        long max_bytes) {
  struct stat st;
  if (stat(path, &st) || st.st_size <= max_bytes)
    return 0;
  /* Each chain's last checkpoint, and where it stands. */
  checkpoint *cps = NULL;
  size_t n = 0;
  int bad = 0, good = 0;
  if (read_checkpoints(key, path, 0, &cps, &n, &bad, &good)) {
    free(cps);
    return -1;
  }
  FILE *in = fopen(path, "re"), *out = NULL;
  char tmp[4200];
  int fd = -1, rc = 0;
  if (in && snprintf(tmp, sizeof(tmp), "%s.compact", path) < (int)sizeof(tmp))
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 || !(out = fdopen(fd, "w"))) {
    if (fd >= 0)
      close(fd);
    if (in)
      fclose(in);
    free(cps);
    return -1;
  }
  char line[4096];
  for (long no = 0; fgets(line, sizeof(line), in); no++) {
    char inst[17];
    int64_t seq;
    unsigned char head[32];
    int keep = store_checkpoint_parse(key, line, 0, inst, &seq, head) != 1;
    for (size_t i = 0; !keep && i < n; i++)
      keep = cps[i].line == no;
    if (keep && fputs(line, out) == EOF)
      rc = -1;
  }
  fclose(in);
  free(cps);
  if (fflush(out) || fdatasync(fileno(out)))
    rc = -1;
  if (fclose(out) || rc || rename(tmp, path)) {
    unlink(tmp);
    return -1;
  }
  return 0;
}

static const char *col_text(sqlite3_stmt *st, int i) {
  return (const char *)sqlite3_column_text(st, i);
}

static void copy_blob(sqlite3_stmt *st, int i, unsigned char out[32]) {
  memset(out, 0, 32);
  if (sqlite3_column_bytes(st, i) == 32)
    memcpy(out, sqlite3_column_blob(st, i), 32);
}

int store_chain_verify(store *s, const unsigned char key[32],
                       const char *checkpoint_path, const char *collected,
                       void (*report)(void *ud, const char *msg), void *ud,
                       int64_t *records) {
  char msg[512];
  int problems = 0;
  *records = 0;
  checkpoint *cps = NULL;
  size_t ncp = 0;
  for (int loose = 0; loose < 2; loose++) {
    const char *path = loose ? collected : checkpoint_path;
    int bad_lines = 0, good_lines = 0;
    if (!path)
      continue;
    if (read_checkpoints(key, path, loose, &cps, &ncp, &bad_lines,
                         &good_lines)) {
      free(cps);
      store_fail(s, "cannot read %.400s", path);
      return -1;
    }
    if (bad_lines) {
      snprintf(msg, sizeof(msg),
               "%.300s: %d checkpoint(s) malformed or not signed with this "
               "audit key",
               path, bad_lines);
      report(ud, msg);
      problems++;
    }
    if (loose && !good_lines) { /* what was collected is not what was sent */
      snprintf(msg, sizeof(msg),
               "%.300s: no checkpoint signed with this audit key", path);
      report(ud, msg);
      problems++;
    }
  }
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(
          s->db,
          "SELECT seq, id, ts, key_id, client, route, model, status, "
          "upstream_status, decision, rules, prompt_tokens, "
          "completion_tokens, cost, ms_total, ms_upstream, prompt_hash, "
          "response_hash, content_key_id, content, instance, chain_seq, mac, "
          "deployment, mode, findings, us_overhead, ms_first_byte "
          "FROM audit ORDER BY instance, chain_seq, seq",
          -1, &st, NULL)) {
    free(cps);
    return store_sql_fail(s, "reading audit records"), -1;
  }
  char inst[17] = "";
  int64_t expect = 1, last = 0;
  unsigned char prev[32] = {0}, last_mac[32] = {0};
  crypto_auth_hmacsha256_state keyed;
  crypto_auth_hmacsha256_init(&keyed, key, 32);
  int rc;
  /* Compare a finished chain's end with its checkpoint. */
#define END_OF_CHAIN()                                                         \
  do {                                                                         \
    int covered = 0;                                                           \
    for (size_t i = 0; inst[0] && i < ncp; i++)                                \
      if (!strcmp(cps[i].instance, inst)) {                                    \
        covered = 1;                                                           \
        if (last < cps[i].seq) {                                               \
          snprintf(msg, sizeof(msg),                                           \
                   "chain %s: records %lld..%lld deleted (the checkpoint "     \
                   "says the chain reached %lld)",                             \
                   inst, (long long)last + 1, (long long)cps[i].seq,           \
                   (long long)cps[i].seq);                                     \
          report(ud, msg);                                                     \
          problems++;                                                          \
        }                                                                      \
        cps[i].instance[0] = '\0'; /* seen */                                  \
      }                                                                        \
    if (inst[0] && last > 0 && !covered) {                                     \
      snprintf(msg, sizeof(msg),                                               \
               "chain %s: %lld records and no checkpoint of them (the "        \
               "checkpoint file removed or cut, or the gateway killed "        \
               "before its first checkpoint): a deleted tail cannot be "       \
               "ruled out",                                                    \
               inst, (long long)last);                                         \
      report(ud, msg);                                                         \
      problems++;                                                              \
    }                                                                          \
  } while (0)
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    (*records)++;
    const char *ri = col_text(st, 20);
    int64_t cseq = sqlite3_column_int64(st, 21);
    if (!ri || strcmp(ri, inst)) {
      END_OF_CHAIN();
      snprintf(inst, sizeof(inst), "%s", ri ? ri : "");
      expect = 1;
      last = 0;
      memset(prev, 0, 32);
    }
    store_audit a = {0};
    snprintf(a.id, sizeof(a.id), "%s", col_text(st, 1) ? col_text(st, 1) : "");
    a.ts_ms = sqlite3_column_int64(st, 2);
    snprintf(a.key_id, sizeof(a.key_id), "%s",
             col_text(st, 3) ? col_text(st, 3) : "");
    a.client = col_text(st, 4);
    a.route = col_text(st, 5);
    a.model = col_text(st, 6);
    a.status = sqlite3_column_int(st, 7);
    a.upstream_status = sqlite3_column_int(st, 8);
    a.decision = col_text(st, 9);
    a.rules = col_text(st, 10);
    a.prompt_tokens = sqlite3_column_int64(st, 11);
    a.completion_tokens = sqlite3_column_int64(st, 12);
    a.cost = sqlite3_column_int64(st, 13);
    a.ms_total = sqlite3_column_int64(st, 14);
    a.ms_upstream = sqlite3_column_int64(st, 15);
    copy_blob(st, 16, a.prompt_hash);
    copy_blob(st, 17, a.response_hash);
    snprintf(a.content_key_id, sizeof(a.content_key_id), "%s",
             col_text(st, 18) ? col_text(st, 18) : "");
    a.content = sqlite3_column_blob(st, 19);
    a.content_len = (size_t)sqlite3_column_bytes(st, 19);
    a.deployment = col_text(st, 23);
    a.mode = col_text(st, 24);
    a.findings = col_text(st, 25);
    a.us_overhead = sqlite3_column_int64(st, 26);
    a.ms_first_byte = sqlite3_column_int64(st, 27);
    unsigned char stored[32], want[32];
    copy_blob(st, 22, stored);
    long long row = sqlite3_column_int64(st, 0);
    if (cseq < expect) {
      snprintf(msg, sizeof(msg),
               "chain %s: record %lld (row %lld, id %.40s) inserted: the "
               "chain already has a record %lld",
               inst, (long long)cseq, row, a.id, (long long)cseq);
      report(ud, msg);
      problems++;
      continue; /* judge the next record against the genuine one */
    }
    if (cseq > expect) {
      snprintf(msg, sizeof(msg), "chain %s: records %lld..%lld deleted", inst,
               (long long)expect, (long long)cseq - 1);
      report(ud, msg);
      problems++;
    } else {
      record_mac(&keyed, inst, cseq, prev, &a, want);
      if (sodium_memcmp(want, stored, 32)) {
        snprintf(msg, sizeof(msg),
                 "chain %s: record %lld (row %lld, id %.40s) modified or "
                 "forged: its MAC does not match",
                 inst, (long long)cseq, row, a.id);
        report(ud, msg);
        problems++;
      }
    }
    memcpy(prev, stored, 32);
    memcpy(last_mac, stored, 32);
    expect = cseq + 1;
    last = cseq;
  }
  END_OF_CHAIN();
#undef END_OF_CHAIN
  sqlite3_finalize(st);
  sodium_memzero(&keyed, sizeof(keyed));
  /* Chains the checkpoints know but the database does not. */
  for (size_t i = 0; i < ncp; i++)
    if (cps[i].instance[0]) {
      snprintf(msg, sizeof(msg),
               "chain %s: all %lld records deleted (it has a checkpoint)",
               cps[i].instance, (long long)cps[i].seq);
      report(ud, msg);
      problems++;
    }
  free(cps);
  if (rc != SQLITE_DONE)
    return store_sql_fail(s, "reading audit records"), -1;
  return problems;
}
