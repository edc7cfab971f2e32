/*
 * store.c -- opening the database: file permissions, WAL, schema
 * migrations, the key-hashing secret (store.h).
 *
 * The secret is what makes a stolen database worthless for logging in:
 * without it the stored hashes cannot be matched against guesses. It
 * lives outside the database (a 0600 file beside it, or the environment),
 * so a copy of aigate.db alone does not carry it.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_int.h"

#define SECRET_FILE "aigate.key_secret"
#define SCHEMA_VERSION 3

void store_fail(store *s, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(s->err, sizeof(s->err), fmt, ap);
  va_end(ap);
}

int store_sql_fail(store *s, const char *what) {
  store_fail(s, "%s: %s", what, sqlite3_errmsg(s->db));
  return STORE_ERROR;
}

const char *store_error(const store *s) {
  return s->err;
}

int store_path_beside(const char *dbpath, const char *name, char *buf,
                      size_t len) {
  char dir[4096];
  if (snprintf(dir, sizeof(dir), "%s", dbpath) >= (int)sizeof(dir))
    return -1;
  return snprintf(buf, len, "%s/%s", dirname(dir), name) >= (int)len ? -1 : 0;
}

int store_db_path(const char *url, char *buf, size_t len) {
  if (!strncmp(url, "sqlite://", 9))
    url += 9;
  return snprintf(buf, len, "%s", url) >= (int)len ? -1 : 0;
}

/* Version 1: keys and a small table of facts about the database. Each
 * entry moves a database from version i to i + 1. */
static const char *const migrations[SCHEMA_VERSION] = {
    "CREATE TABLE meta(k TEXT PRIMARY KEY, v TEXT NOT NULL);"
    "CREATE TABLE keys("
    " id TEXT PRIMARY KEY, name TEXT NOT NULL, prefix TEXT NOT NULL,"
    " hash BLOB NOT NULL UNIQUE, old_hash BLOB, old_until INTEGER NOT NULL"
    " DEFAULT 0, models TEXT, tools TEXT, rpm INTEGER NOT NULL DEFAULT 0,"
    " tpm INTEGER NOT NULL DEFAULT 0, max_tokens INTEGER NOT NULL DEFAULT 0,"
    " max_budget INTEGER NOT NULL DEFAULT -1, budget_duration INTEGER NOT"
    " NULL DEFAULT 0, budget_reset_at INTEGER NOT NULL DEFAULT 0, spend"
    " INTEGER NOT NULL DEFAULT 0, expires INTEGER NOT NULL DEFAULT 0, policy"
    " TEXT, metadata TEXT, revoked INTEGER NOT NULL DEFAULT 0, created"
    " INTEGER NOT NULL, updated INTEGER NOT NULL);"
    "CREATE INDEX keys_old_hash ON keys(old_hash) WHERE old_hash IS NOT NULL;",
    /* 2: one record per request (store_audit_add), alerts, suspensions. */
    "ALTER TABLE keys ADD COLUMN suspended_until INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE keys ADD COLUMN allow_hosts TEXT;"
    "ALTER TABLE keys ADD COLUMN throttled_until INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE keys ADD COLUMN throttle_rpm INTEGER NOT NULL DEFAULT 0;"
    "CREATE TABLE audit("
    " seq INTEGER PRIMARY KEY, id TEXT NOT NULL, ts INTEGER NOT NULL,"
    " key_id TEXT, client TEXT, route TEXT, model TEXT, status INTEGER,"
    " upstream_status INTEGER, decision TEXT, rules TEXT, prompt_tokens"
    " INTEGER, completion_tokens INTEGER, cost INTEGER, ms_total INTEGER,"
    " ms_upstream INTEGER, prompt_hash BLOB, response_hash BLOB,"
    " content_key_id TEXT, content BLOB, instance TEXT, chain_seq INTEGER,"
    " mac BLOB);"
    "CREATE INDEX audit_ts ON audit(ts);"
    "CREATE INDEX audit_chain ON audit(instance, chain_seq);"
    "CREATE INDEX audit_key ON audit(key_id, ts);"
    "CREATE TABLE alerts("
    " id TEXT PRIMARY KEY, ts INTEGER NOT NULL, key_id TEXT, signal TEXT"
    " NOT NULL, detail TEXT, observed REAL, baseline REAL, score REAL,"
    " severity TEXT NOT NULL, request_ids TEXT, action TEXT);",
    /* 3: a record's deployment, mode, findings and latency split. */
    "ALTER TABLE audit ADD COLUMN deployment TEXT;"
    "ALTER TABLE audit ADD COLUMN mode TEXT;"
    "ALTER TABLE audit ADD COLUMN findings TEXT;"
    "ALTER TABLE audit ADD COLUMN us_overhead INTEGER;"
    "ALTER TABLE audit ADD COLUMN ms_first_byte INTEGER;",
};

static int exec(store *s, const char *sql) {
  char *msg = NULL;
  if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) == SQLITE_OK)
    return 0;
  store_fail(s, "%s", msg ? msg : sqlite3_errmsg(s->db));
  sqlite3_free(msg);
  return -1;
}

static int migrate(store *s) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL))
    return store_sql_fail(s, "reading the schema version");
  int v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
  sqlite3_finalize(st);
  if (v < 0)
    return store_sql_fail(s, "reading the schema version");
  if (v > SCHEMA_VERSION) {
    store_fail(s,
               "the database has schema version %d; this aigate knows up to "
               "%d (a newer aigate wrote it)",
               v, SCHEMA_VERSION);
    return STORE_ERROR;
  }
  if (v == SCHEMA_VERSION)
    return 0;
  if (exec(s, "BEGIN IMMEDIATE"))
    return STORE_ERROR;
  /* Another process may have migrated while we waited for the lock. */
  if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) ||
      sqlite3_step(st) != SQLITE_ROW) {
    sqlite3_finalize(st);
    store_rollback(s);
    return store_sql_fail(s, "reading the schema version");
  }
  v = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  for (; v < SCHEMA_VERSION; v++) {
    char pragma[64];
    snprintf(pragma, sizeof(pragma), "PRAGMA user_version=%d", v + 1);
    if (exec(s, migrations[v]) || exec(s, pragma)) {
      char why[sizeof(s->err)];
      snprintf(why, sizeof(why), "%s", s->err);
      store_rollback(s);
      store_fail(s, "migrating the schema to version %d: %.400s", v + 1, why);
      return STORE_ERROR;
    }
  }
  return exec(s, "COMMIT") ? STORE_ERROR : 0;
}

/* The database file is created 0600 before SQLite opens it (SQLite would
 * create it world-readable); its WAL and shared-memory files take the
 * same mode. */
static int create_private(store *s, const char *path) {
  int fd =
      open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd >= 0)
    return close(fd);
  if (errno == EEXIST)
    return 0;
  store_fail(s, "cannot create %.400s: %s", path, strerror(errno));
  return -1;
}

static int meta_get(store *s, const char *k, char *buf, size_t len) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(s->db, "SELECT v FROM meta WHERE k=?", -1, &st, NULL))
    return store_sql_fail(s, "reading meta");
  sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  int out = STORE_NOT_FOUND;
  if (rc == SQLITE_ROW) {
    snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
    out = STORE_OK;
  } else if (rc != SQLITE_DONE) {
    out = store_sql_fail(s, "reading meta");
  }
  sqlite3_finalize(st);
  return out;
}

static int meta_set(store *s, const char *k, const char *v) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO meta(k, v) VALUES(?,?)",
                         -1, &st, NULL))
    return store_sql_fail(s, "writing meta");
  sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, v, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 0 : store_sql_fail(s, "writing meta");
}

/* Read the secret file (64 hex digits), or create it when `create`. */
static int secret_file(store *s, const char *path, int create) {
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT && create) {
    unsigned char raw[32];
    char hex[65];
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
    sodium_memzero(raw, sizeof(raw));
    hex[64] = '\n';
    int w =
        open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (w >= 0) {
      int ok = write(w, hex, 65) == 65;
      ok = fsync(w) == 0 && ok;
      ok = close(w) == 0 && ok;
      sodium_memzero(hex, sizeof(hex));
      if (!ok) {
        unlink(path);
        store_fail(s, "cannot write %.400s", path);
        return STORE_ERROR;
      }
      s->secret_created = 1;
    } else if (errno != EEXIST) { /* EEXIST: another process won */
      store_fail(s, "cannot create %.400s: %s", path, strerror(errno));
      return STORE_ERROR;
    }
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  }
  if (fd < 0) {
    if (errno == ENOENT)
      store_fail(s,
                 "%.400s is missing, but this database has keys hashed with "
                 "it: restore the file (or set AIGATE_KEY_SECRET), or start "
                 "a new database and re-issue the keys",
                 path);
    else
      store_fail(s, "%.400s: %s", path, strerror(errno));
    return STORE_ERROR;
  }
  char hex[80];
  struct stat stt;
  ssize_t n = read(fd, hex, sizeof(hex) - 1);
  int mode_ok = fstat(fd, &stt) == 0 && (stt.st_mode & 077) == 0;
  close(fd);
  if (!mode_ok) {
    store_fail(s, "%.400s: readable by other users; chmod 600 it", path);
    return STORE_ERROR;
  }
  while (n > 0 && (hex[n - 1] == '\n' || hex[n - 1] == '\r'))
    n--;
  size_t got = 0;
  if (n != 64 ||
      sodium_hex2bin(s->secret, sizeof(s->secret), hex, 64, NULL, &got, NULL) ||
      got != sizeof(s->secret)) {
    store_fail(s, "%.400s: not a key-hashing secret (64 hex digits)", path);
    return STORE_ERROR;
  }
  sodium_memzero(hex, sizeof(hex));
  return STORE_OK;
}

/* Resolve the secret and check it against the database's fingerprint. */
static int load_secret(store *s, const char *dbpath) {
  char fp_have[80] = "", fp_want[33];
  int rc = meta_get(s, "secret_fingerprint", fp_have, sizeof(fp_have));
  if (rc == STORE_ERROR)
    return rc;
  int fresh = rc == STORE_NOT_FOUND;
  const char *env = getenv("AIGATE_KEY_SECRET");
  if (env && *env) {
    if (strlen(env) < 32) {
      store_fail(s, "AIGATE_KEY_SECRET must be at least 32 characters");
      return STORE_ERROR;
    }
    crypto_generichash(s->secret, sizeof(s->secret), (const unsigned char *)env,
                       strlen(env), NULL, 0);
  } else {
    char path[4200];
    if (store_path_beside(dbpath, SECRET_FILE, path, sizeof(path))) {
      store_fail(s, "database path too long");
      return STORE_ERROR;
    }
    if ((rc = secret_file(s, path, fresh)))
      return rc;
  }
  static const char label[] = "aigate key-hashing secret fingerprint";
  unsigned char fp[16];
  crypto_generichash(fp, sizeof(fp), (const unsigned char *)label,
                     sizeof(label) - 1, s->secret, sizeof(s->secret));
  sodium_bin2hex(fp_want, sizeof(fp_want), fp, sizeof(fp));
  if (fresh)
    return meta_set(s, "secret_fingerprint", fp_want) ? STORE_ERROR : 0;
  if (strcmp(fp_have, fp_want)) {
    store_fail(s,
               "the key-hashing secret (%s) is not the one this database "
               "was created with; its keys cannot be checked",
               env && *env ? "AIGATE_KEY_SECRET" : SECRET_FILE);
    return STORE_ERROR;
  }
  return 0;
}

store *store_open(const char *path, char *err, size_t errlen) {
  store *s = calloc(1, sizeof(*s));
  if (!s || sodium_init() < 0) {
    snprintf(err, errlen, "out of memory");
    free(s);
    return NULL;
  }
  if (create_private(s, path))
    goto fail;
  if (sqlite3_open_v2(path, &s->db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX,
                      NULL) != SQLITE_OK) {
    store_fail(s, "cannot open %.400s: %s", path,
               s->db ? sqlite3_errmsg(s->db) : "out of memory");
    goto fail;
  }
  sqlite3_busy_timeout(s->db, 5000);
  sqlite3_extended_result_codes(s->db, 1);
  /* synchronous=FULL: a commit is on disk when it returns, also through a
   * power loss; writes are rare (key changes, spend batches). */
  if (exec(s, "PRAGMA journal_mode=WAL") ||
      exec(s, "PRAGMA synchronous=FULL") || migrate(s) ||
      load_secret(s, path)) {
    char why[sizeof(s->err)];
    snprintf(why, sizeof(why), "%s", s->err);
    snprintf(s->err, sizeof(s->err), "%.200s: %.300s", path, why);
    goto fail;
  }
  return s;
fail:
  snprintf(err, errlen, "%s", s->err);
  store_close(s);
  return NULL;
}

void store_close(store *s) {
  if (!s)
    return;
  sqlite3_finalize(s->audit_ins);
  sqlite3_close(s->db);
  sodium_memzero(s->secret, sizeof(s->secret));
  free(s);
}

int64_t store_data_version(store *s) {
  sqlite3_stmt *st;
  int64_t v = -1;
  if (sqlite3_prepare_v2(s->db, "PRAGMA data_version", -1, &st, NULL) ==
          SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

void store_hash(const store *s, const char *key, size_t len,
                unsigned char out[32]) {
  crypto_generichash(out, 32, (const unsigned char *)key, len, s->secret,
                     sizeof(s->secret));
}

void store_hash_begin(const store *s, crypto_generichash_state *st) {
  crypto_generichash_init(st, s->secret, sizeof(s->secret), 32);
}

int store_begin(store *s) {
  return exec(s, "BEGIN IMMEDIATE") ? -1 : 0;
}
int store_commit(store *s) {
  return exec(s, "COMMIT") ? -1 : 0;
}
void store_rollback(store *s) {
  sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}
