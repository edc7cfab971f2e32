/*
 * osvdb.c -- the SQLite advisory database: schema, import of OSV records
 * from files, directories, zip archives and NeDB bundles, status, and the
 * per-package query (see osv.h).
 *
 * Schema (user_version 1):
 *   advisory(id, modified, published, withdrawn, aliases, summary, refs,
 *            severity, malicious)
 *   affected(advisory, ecosystem, name, ranges, versions) -- ranges and
 *            versions as the record's JSON, evaluated at query time
 *   meta(key, value) -- imported_at, source
 * A record replaces a stored one with the same id unless the stored one
 * is newer (`modified`), so re-importing an older dump is harmless.
 */
#include <dirent.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <zip.h>

#include "osv.h"
#include "util.h"

#define MAX_DEPTH 16
#define MAX_REFS 3
#define MAX_ALIASES 64

struct ag_osvdb {
  sqlite3 *db;
  sqlite3_stmt *get_modified, *del_affected, *put_advisory, *put_affected;
  sqlite3_stmt *query;
  int in_tx;
};

static const char SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS advisory("
    " id TEXT PRIMARY KEY, modified TEXT NOT NULL, published TEXT NOT NULL,"
    " withdrawn TEXT, aliases TEXT NOT NULL, summary TEXT NOT NULL,"
    " refs TEXT NOT NULL, severity INTEGER NOT NULL,"
    " malicious INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS affected("
    " advisory TEXT NOT NULL, ecosystem TEXT NOT NULL, name TEXT NOT NULL,"
    " ranges TEXT, versions TEXT);"
    "CREATE INDEX IF NOT EXISTS affected_pkg ON affected(ecosystem, name);"
    "CREATE INDEX IF NOT EXISTS affected_adv ON affected(advisory);"
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
    "PRAGMA user_version = 1;";

int ag_osvdb_default_path(char *buf, size_t cap) {
  const char *p = getenv("AIGATE_ADVISORY_DB");
  int n;
  if (p && *p)
    n = snprintf(buf, cap, "%s", p);
  else if ((p = getenv("XDG_DATA_HOME")) && *p == '/')
    n = snprintf(buf, cap, "%s/aigate/advisories.db", p);
  else if ((p = getenv("HOME")) && *p)
    n = snprintf(buf, cap, "%s/.local/share/aigate/advisories.db", p);
  else
    return -1;
  return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* mkdir -p of path's directory. */
static int make_parent(const char *path) {
  char dir[4096];
  int n = snprintf(dir, sizeof(dir), "%s", path);
  if (n < 0 || (size_t)n >= sizeof(dir))
    return -1;
  char *slash = strrchr(dir, '/');
  if (!slash || slash == dir)
    return 0;
  *slash = '\0';
  for (char *p = dir + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    if (mkdir(dir, 0700) && errno != EEXIST)
      return -1;
    *p = '/';
  }
  return mkdir(dir, 0700) && errno != EEXIST ? -1 : 0;
}

static int db_fail(ag_osvdb *db, aigate_error *err, const char *what) {
  ag_err(err, "advisory database: %s: %s", what, sqlite3_errmsg(db->db));
  return AIGATE_ERR_IO;
}

/* The first column of the first row of sql, or -1. */
static int64_t db_int(ag_osvdb *db, const char *sql) {
  sqlite3_stmt *st;
  int64_t n = -1;
  if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK)
    return -1;
  if (sqlite3_step(st) == SQLITE_ROW)
    n = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return n;
}

int ag_osvdb_open(const char *path, int writable, ag_osvdb **out,
                  aigate_error *err) {
  *out = NULL;
  struct stat st;
  if (!writable && stat(path, &st) != 0) {
    ag_err(err,
           "no advisory database at %s (create one with `aigate advisories "
           "import` or `update`)",
           path);
    return AIGATE_ERR_NOT_FOUND;
  }
  if (writable && make_parent(path)) {
    ag_err(err, "%s: cannot create its directory: %s", path, strerror(errno));
    return AIGATE_ERR_IO;
  }
  ag_osvdb *db = calloc(1, sizeof(*db));
  if (!db)
    return AIGATE_ERR_NOMEM;
  int flags = writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                       : SQLITE_OPEN_READONLY;
  if (sqlite3_open_v2(path, &db->db, flags | SQLITE_OPEN_NOMUTEX, NULL) !=
      SQLITE_OK) {
    ag_err(err, "%s: %s", path,
           db->db ? sqlite3_errmsg(db->db) : "cannot open");
    ag_osvdb_close(db);
    return AIGATE_ERR_IO;
  }
  sqlite3_busy_timeout(db->db, 5000);
  /* Ours (schema 1), or a new empty file when writable; never another
   * program's database or a later schema, which would be guessed at. */
  int64_t version = db_int(db, "PRAGMA user_version");
  int64_t tables = db_int(db, "SELECT count(*) FROM sqlite_master");
  if (!(version == 1 || (version == 0 && tables == 0 && writable))) {
    ag_err(err, "%s: not an aigate advisory database (schema version %lld)",
           path, (long long)version);
    ag_osvdb_close(db);
    return AIGATE_ERR_IO;
  }
  char *msg = NULL;
  if (writable && sqlite3_exec(db->db, SCHEMA, NULL, NULL, &msg) != SQLITE_OK) {
    ag_err(err, "%s: %s", path, msg ? msg : "cannot create the schema");
    sqlite3_free(msg);
    ag_osvdb_close(db);
    return AIGATE_ERR_IO;
  }
  int rc = 0;
  rc |=
      sqlite3_prepare_v2(db->db, "SELECT modified FROM advisory WHERE id = ?1",
                         -1, &db->get_modified, NULL);
  rc |= sqlite3_prepare_v2(
      db->db,
      "SELECT a.id, a.aliases, a.summary, a.refs, a.severity, a.malicious,"
      " f.ranges, f.versions FROM affected f JOIN advisory a"
      " ON a.id = f.advisory WHERE f.ecosystem = ?1 AND f.name = ?2"
      " AND a.withdrawn IS NULL ORDER BY a.id",
      -1, &db->query, NULL);
  if (writable) {
    rc |= sqlite3_prepare_v2(db->db, "DELETE FROM affected WHERE advisory = ?1",
                             -1, &db->del_affected, NULL);
    rc |= sqlite3_prepare_v2(
        db->db,
        "INSERT OR REPLACE INTO advisory(id, modified, published, withdrawn,"
        " aliases, summary, refs, severity, malicious)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        -1, &db->put_advisory, NULL);
    rc |= sqlite3_prepare_v2(db->db,
                             "INSERT INTO affected(advisory, ecosystem, name,"
                             " ranges, versions) VALUES (?1, ?2, ?3, ?4, ?5)",
                             -1, &db->put_affected, NULL);
  }
  if (rc != SQLITE_OK) {
    ag_err(err, "%s: not an aigate advisory database (%s)", path,
           sqlite3_errmsg(db->db));
    ag_osvdb_close(db);
    return AIGATE_ERR_IO;
  }
  *out = db;
  return AIGATE_OK;
}

void ag_osvdb_close(ag_osvdb *db) {
  if (!db)
    return;
  if (db->in_tx)
    ag_osvdb_rollback(db);
  sqlite3_finalize(db->get_modified);
  sqlite3_finalize(db->del_affected);
  sqlite3_finalize(db->put_advisory);
  sqlite3_finalize(db->put_affected);
  sqlite3_finalize(db->query);
  sqlite3_close(db->db);
  free(db);
}

int ag_osvdb_begin(ag_osvdb *db, aigate_error *err) {
  if (!db->put_advisory) {
    ag_err(err, "advisory database opened read-only");
    return AIGATE_ERR_INVALID;
  }
  if (sqlite3_exec(db->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    return db_fail(db, err, "begin");
  db->in_tx = 1;
  return AIGATE_OK;
}

int ag_osvdb_commit(ag_osvdb *db, const char *source, aigate_error *err) {
  sqlite3_stmt *st = NULL;
  char now[32];
  snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
  if (sqlite3_prepare_v2(db->db,
                         "INSERT OR REPLACE INTO meta(key, value) VALUES"
                         " ('imported_at', ?1), ('source', ?2)",
                         -1, &st, NULL) != SQLITE_OK)
    return db_fail(db, err, "metadata");
  sqlite3_bind_text(st, 1, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, source, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE)
    return db_fail(db, err, "metadata");
  if (sqlite3_exec(db->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    return db_fail(db, err, "commit");
  db->in_tx = 0;
  return AIGATE_OK;
}

void ag_osvdb_rollback(ag_osvdb *db) {
  sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
  db->in_tx = 0;
}

/* ---------------------------------------------------------------- severity */

/* CVSS v3.x "Roundup": the smallest one-decimal number >= x. */
static double roundup(double x) {
  long i = (long)(x * 100000.0 + 0.5);
  if (i % 10000 == 0)
    return (double)i / 100000.0;
  return (double)(i / 10000 + 1) / 10.0;
}

/* The base score of a CVSS:3.x vector, or -1 when it is not one. */
static double cvss3_score(const char *vec) {
  if (strncmp(vec, "CVSS:3.", 7))
    return -1;
  double av = -1, ac = -1, pr = -1, ui = -1, c = -1, in = -1, a = -1;
  int changed = -1;
  char pr_c = 0;
  for (const char *p = strchr(vec, '/'); p && p[1]; p = strchr(p + 1, '/')) {
    const char *m = p + 1;
    const char *colon = strchr(m, ':');
    if (!colon)
      return -1;
    char v = colon[1];
    size_t kl = (size_t)(colon - m);
#define KEY(k) (kl == strlen(k) && !strncmp(m, k, kl))
    if (KEY("AV"))
      av = v == 'N'   ? 0.85
           : v == 'A' ? 0.62
           : v == 'L' ? 0.55
           : v == 'P' ? 0.2
                      : -1;
    else if (KEY("AC"))
      ac = v == 'L' ? 0.77 : v == 'H' ? 0.44 : -1;
    else if (KEY("PR"))
      pr_c = v;
    else if (KEY("UI"))
      ui = v == 'N' ? 0.85 : v == 'R' ? 0.62 : -1;
    else if (KEY("S"))
      changed = v == 'C' ? 1 : v == 'U' ? 0 : -1;
    else if (KEY("C") || KEY("I") || KEY("A")) {
      double w = v == 'H' ? 0.56 : v == 'L' ? 0.22 : v == 'N' ? 0 : -1;
      if (KEY("C"))
        c = w;
      else if (KEY("I"))
        in = w;
      else
        a = w;
    }
#undef KEY
  }
  if (changed < 0)
    return -1;
  pr = pr_c == 'N'   ? 0.85
       : pr_c == 'L' ? (changed ? 0.68 : 0.62)
       : pr_c == 'H' ? (changed ? 0.5 : 0.27)
                     : -1;
  if (av < 0 || ac < 0 || pr < 0 || ui < 0 || c < 0 || in < 0 || a < 0)
    return -1;
  double iss = 1 - (1 - c) * (1 - in) * (1 - a);
  double impact;
  if (changed) {
    double p15 = 1, b = iss - 0.02;
    for (int i = 0; i < 15; i++)
      p15 *= b;
    impact = 7.52 * (iss - 0.029) - 3.25 * p15;
  } else {
    impact = 6.42 * iss;
  }
  double expl = 8.22 * av * ac * pr * ui;
  if (impact <= 0)
    return 0;
  double s = changed ? 1.08 * (impact + expl) : impact + expl;
  return roundup(s > 10 ? 10 : s);
}

static int sev_word(const char *s) {
  if (!s)
    return 0;
  if (!strcasecmp(s, "CRITICAL"))
    return AG_SEV_CRITICAL;
  if (!strcasecmp(s, "HIGH"))
    return AG_SEV_HIGH;
  if (!strcasecmp(s, "MODERATE") || !strcasecmp(s, "MEDIUM"))
    return AG_SEV_MEDIUM;
  if (!strcasecmp(s, "LOW"))
    return AG_SEV_LOW;
  return 0;
}

int ag_osv_record_severity(json_t *rec, const char *id, int *malicious) {
  *malicious = !strncmp(id, "MAL-", 4);
  size_t i;
  json_t *x;
  json_array_foreach(json_object_get(rec, "aliases"), i, x) {
    const char *s = json_string_value(x);
    if (s && !strncmp(s, "MAL-", 4))
      *malicious = 1;
  }
  if (*malicious)
    return AG_SEV_CRITICAL;
  int sev = sev_word(json_string_value(
      json_object_get(json_object_get(rec, "database_specific"), "severity")));
  if (sev)
    return sev;
  json_array_foreach(json_object_get(rec, "severity"), i, x) {
    const char *score = json_string_value(json_object_get(x, "score"));
    double s = score ? cvss3_score(score) : -1;
    if (s < 0)
      continue;
    return s >= 9.0   ? AG_SEV_CRITICAL
           : s >= 7.0 ? AG_SEV_HIGH
           : s >= 4.0 ? AG_SEV_MEDIUM
                      : AG_SEV_LOW;
  }
  return AG_SEV_HIGH;
}

/* ------------------------------------------------------------------ import */

static void skip(ag_osv_import_stats *st, const char *name, const char *why) {
  if (!st->skipped++)
    snprintf(st->first_skip, sizeof(st->first_skip), "%s: %s", name, why);
}

/* Join the string members of an array with sep, at most max of them. */
static char *join_strings(json_t *arr, const char *key, char sep, size_t max) {
  size_t cap = 1, i, n = 0;
  json_t *x;
  json_array_foreach(arr, i, x) {
    const char *s =
        key ? json_string_value(json_object_get(x, key)) : json_string_value(x);
    if (s && n++ < max)
      cap += strlen(s) + 1;
  }
  char *out = malloc(cap), *o = out;
  if (!out)
    return NULL;
  n = 0;
  json_array_foreach(arr, i, x) {
    const char *s =
        key ? json_string_value(json_object_get(x, key)) : json_string_value(x);
    if (!s || n++ >= max)
      continue;
    if (o != out)
      *o++ = sep;
    size_t l = strlen(s);
    memcpy(o, s, l);
    o += l;
  }
  *o = '\0';
  return out;
}

static int step_done(sqlite3_stmt *st) {
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc == SQLITE_DONE ? 0 : -1;
}

static int import_record(ag_osvdb *db, const char *name, json_t *rec,
                         const char *fallback_id, ag_osv_import_stats *st,
                         aigate_error *err) {
  if (!json_is_object(rec)) {
    skip(st, name, "not a JSON object");
    return 0;
  }
  const char *id = json_string_value(json_object_get(rec, "id"));
  if (!id || !*id)
    id = fallback_id;
  if (!id || !*id) {
    skip(st, name, "record without an id");
    return 0;
  }
  const char *modified = json_string_value(json_object_get(rec, "modified"));
  if (!modified)
    modified = "";
  sqlite3_bind_text(db->get_modified, 1, id, -1, SQLITE_STATIC);
  if (sqlite3_step(db->get_modified) == SQLITE_ROW) {
    const char *old = (const char *)sqlite3_column_text(db->get_modified, 0);
    if (old && strcmp(old, modified) > 0) {
      sqlite3_reset(db->get_modified);
      st->older++;
      return 0;
    }
  }
  sqlite3_reset(db->get_modified);
  int malicious;
  int sev = ag_osv_record_severity(rec, id, &malicious);
  const char *withdrawn = json_string_value(json_object_get(rec, "withdrawn"));
  const char *published = json_string_value(json_object_get(rec, "published"));
  const char *summary = json_string_value(json_object_get(rec, "summary"));
  if (!summary)
    summary = json_string_value(json_object_get(rec, "details"));
  char *aliases =
      join_strings(json_object_get(rec, "aliases"), NULL, ' ', MAX_ALIASES);
  char *refs =
      join_strings(json_object_get(rec, "references"), "url", '\n', MAX_REFS);
  int rc = 0;
  if (!aliases || !refs) {
    rc = AIGATE_ERR_NOMEM;
    goto out;
  }
  sqlite3_bind_text(db->del_affected, 1, id, -1, SQLITE_STATIC);
  sqlite3_stmt *p = db->put_advisory;
  sqlite3_bind_text(p, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text(p, 2, modified, -1, SQLITE_STATIC);
  sqlite3_bind_text(p, 3, published ? published : "", -1, SQLITE_STATIC);
  if (withdrawn)
    sqlite3_bind_text(p, 4, withdrawn, -1, SQLITE_STATIC);
  sqlite3_bind_text(p, 5, aliases, -1, SQLITE_STATIC);
  /* The first line of a long summary is enough for a report. */
  size_t sl = summary ? strcspn(summary, "\n") : 0;
  sqlite3_bind_text(p, 6, summary ? summary : "", (int)(sl > 300 ? 300 : sl),
                    SQLITE_STATIC);
  sqlite3_bind_text(p, 7, refs, -1, SQLITE_STATIC);
  sqlite3_bind_int(p, 8, sev);
  sqlite3_bind_int(p, 9, malicious);
  if (step_done(db->del_affected) || step_done(p)) {
    rc = db_fail(db, err, name);
    goto out;
  }
  if (withdrawn) {
    st->withdrawn++;
    goto out;
  }
  size_t i;
  json_t *aff;
  json_array_foreach(json_object_get(rec, "affected"), i, aff) {
    json_t *pkg = json_object_get(aff, "package");
    const char *eco = json_string_value(json_object_get(pkg, "ecosystem"));
    const char *pname = json_string_value(json_object_get(pkg, "name"));
    if (!eco || !pname)
      continue;
    char norm[512];
    if (ag_package_name_normalize(ag_ecosystem_parse(eco), pname, norm,
                                  sizeof(norm)))
      continue;
    json_t *ranges = json_object_get(aff, "ranges");
    json_t *versions = json_object_get(aff, "versions");
    char *rj = json_is_array(ranges) && json_array_size(ranges)
                   ? json_dumps(ranges, JSON_COMPACT)
                   : NULL;
    char *vj = json_is_array(versions) && json_array_size(versions)
                   ? json_dumps(versions, JSON_COMPACT)
                   : NULL;
    sqlite3_stmt *a = db->put_affected;
    sqlite3_bind_text(a, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(a, 2, eco, -1, SQLITE_STATIC);
    sqlite3_bind_text(a, 3, norm, -1, SQLITE_STATIC);
    if (rj)
      sqlite3_bind_text(a, 4, rj, -1, SQLITE_STATIC);
    if (vj)
      sqlite3_bind_text(a, 5, vj, -1, SQLITE_STATIC);
    int bad = step_done(a);
    free(rj);
    free(vj);
    if (bad) {
      rc = db_fail(db, err, name);
      goto out;
    }
  }
  st->records++;
out:
  free(aliases);
  free(refs);
  return rc;
}

int ag_osvdb_import_json(ag_osvdb *db, const char *name, const char *buf,
                         size_t len, const char *fallback_id, int nedb,
                         ag_osv_import_stats *st, aigate_error *err) {
  if (!db->in_tx) {
    ag_err(err, "import outside a transaction");
    return AIGATE_ERR_INVALID;
  }
  json_error_t je;
  json_t *doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
  if (!doc) {
    ag_err(err, "%s:%d: invalid JSON: %s", name, je.line, je.text);
    return AIGATE_ERR_CONFIG;
  }
  int rc = 0;
  if (nedb && json_is_object(doc) &&
      (json_object_get(doc, "$$deleted") ||
       json_object_get(doc, "$$indexCreated"))) {
    json_decref(doc);
    return 0;
  }
  if (json_is_array(doc)) {
    size_t i;
    json_t *r;
    json_array_foreach(doc, i, r) {
      if ((rc = import_record(db, name, r, NULL, st, err)))
        break;
    }
  } else {
    rc = import_record(db, name, doc, fallback_id, st, err);
  }
  json_decref(doc);
  return rc;
}

static int ends_with(const char *s, const char *suffix) {
  size_t l = strlen(s), m = strlen(suffix);
  return l >= m && !strcmp(s + l - m, suffix);
}

/* The base name of path without its .json suffix (for records whose id
 * is empty), into buf. */
static void fallback_name(const char *path, char *buf, size_t cap) {
  const char *b = strrchr(path, '/');
  b = b ? b + 1 : path;
  snprintf(buf, cap, "%s", b);
  if (ends_with(buf, ".json"))
    buf[strlen(buf) - 5] = '\0';
}

/* Lines of a NeDB file arrive in chunks; each complete line is a record. */
typedef struct {
  char *buf;
  size_t len, cap;
  size_t line; /* number of the line being collected */
} line_reader;

static int nedb_line(ag_osvdb *db, const char *name, line_reader *lr,
                     ag_osv_import_stats *st, aigate_error *err) {
  size_t n = lr->len;
  while (n && (lr->buf[n - 1] == '\r' || lr->buf[n - 1] == ' '))
    n--;
  lr->len = 0;
  lr->line++;
  if (!n)
    return 0;
  char where[1100];
  snprintf(where, sizeof(where), "%s:%zu", name, lr->line);
  return ag_osvdb_import_json(db, where, lr->buf, n, NULL, 1, st, err);
}

static int nedb_feed(ag_osvdb *db, const char *name, line_reader *lr,
                     const char *p, size_t n, ag_osv_import_stats *st,
                     aigate_error *err) {
  while (n) {
    const char *nl = memchr(p, '\n', n);
    size_t take = nl ? (size_t)(nl - p) : n;
    if (lr->len + take > AG_OSV_MAX_RECORD) {
      ag_err(err, "%s:%zu: line longer than %u bytes", name, lr->line + 1,
             AG_OSV_MAX_RECORD);
      return AIGATE_ERR_TOO_LARGE;
    }
    if (lr->len + take > lr->cap) {
      size_t cap = lr->cap ? lr->cap : 65536;
      while (cap < lr->len + take)
        cap *= 2;
      char *b = realloc(lr->buf, cap);
      if (!b)
        return AIGATE_ERR_NOMEM;
      lr->buf = b;
      lr->cap = cap;
    }
    memcpy(lr->buf + lr->len, p, take);
    lr->len += take;
    p += take;
    n -= take;
    if (nl) {
      int rc = nedb_line(db, name, lr, st, err);
      if (rc)
        return rc;
      p++;
      n--;
    }
  }
  return 0;
}

static int import_nedb_file(ag_osvdb *db, const char *path,
                            ag_osv_import_stats *st, aigate_error *err) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    ag_err(err, "%s: %s", path, strerror(errno));
    return AIGATE_ERR_IO;
  }
  line_reader lr = {0};
  char chunk[65536];
  size_t r;
  int rc = 0;
  while (!rc && (r = fread(chunk, 1, sizeof(chunk), f)) > 0)
    rc = nedb_feed(db, path, &lr, chunk, r, st, err);
  if (!rc && ferror(f)) {
    ag_err(err, "%s: read error", path);
    rc = AIGATE_ERR_IO;
  }
  if (!rc && lr.len)
    rc = nedb_line(db, path, &lr, st, err);
  free(lr.buf);
  fclose(f);
  st->files++;
  return rc;
}

/* Every *.json and *.nedb entry of an open archive. */
static int import_zip(ag_osvdb *db, const char *name, zip_t *z,
                      ag_osv_import_stats *st, aigate_error *err) {
  zip_int64_t n = zip_get_num_entries(z, 0);
  if (n < 0 || (uint64_t)n > AG_OSV_MAX_ENTRIES) {
    ag_err(err, "%s: too many entries", name);
    return AIGATE_ERR_TOO_LARGE;
  }
  char *buf = NULL;
  int rc = 0;
  uint64_t total = 0; /* bytes unpacked: a zip bomb ends here */
  for (zip_int64_t i = 0; i < n && !rc; i++) {
    const char *en = zip_get_name(z, (zip_uint64_t)i, 0);
    if (!en)
      continue;
    int is_json = ends_with(en, ".json"), is_nedb = ends_with(en, ".nedb");
    if (!is_json && !is_nedb)
      continue;
    char where[1024];
    snprintf(where, sizeof(where), "%s:%s", name, en);
    zip_file_t *zf = zip_fopen_index(z, (zip_uint64_t)i, 0);
    if (!zf) {
      ag_err(err, "%s: %s", where, zip_strerror(z));
      rc = AIGATE_ERR_IO;
      break;
    }
    st->files++;
    if (is_nedb) {
      line_reader lr = {0};
      char chunk[65536];
      zip_int64_t r = 0;
      while (!rc && (r = zip_fread(zf, chunk, sizeof(chunk))) > 0) {
        if ((total += (uint64_t)r) > AG_OSV_MAX_UNPACKED) {
          ag_err(err, "%s: archive unpacks to more than %llu bytes", name,
                 (unsigned long long)AG_OSV_MAX_UNPACKED);
          rc = AIGATE_ERR_TOO_LARGE;
          break;
        }
        rc = nedb_feed(db, where, &lr, chunk, (size_t)r, st, err);
      }
      if (!rc && r < 0) {
        ag_err(err, "%s: %s", where, zip_file_strerror(zf));
        rc = AIGATE_ERR_IO;
      }
      if (!rc && lr.len)
        rc = nedb_line(db, where, &lr, st, err);
      free(lr.buf);
    } else {
      /* Read at most the limit plus one byte: the size in the archive's
       * directory is not trusted. */
      if (!buf && !(buf = malloc(AG_OSV_MAX_RECORD + 1))) {
        zip_fclose(zf);
        rc = AIGATE_ERR_NOMEM;
        break;
      }
      size_t len = 0;
      zip_int64_t r = 0;
      while (len <= AG_OSV_MAX_RECORD &&
             (r = zip_fread(zf, buf + len, AG_OSV_MAX_RECORD + 1 - len)) > 0)
        len += (size_t)r;
      total += len;
      if (total > AG_OSV_MAX_UNPACKED) {
        ag_err(err, "%s: archive unpacks to more than %llu bytes", name,
               (unsigned long long)AG_OSV_MAX_UNPACKED);
        rc = AIGATE_ERR_TOO_LARGE;
      } else if (len > AG_OSV_MAX_RECORD) {
        ag_err(err, "%s: larger than %u bytes", where, AG_OSV_MAX_RECORD);
        rc = AIGATE_ERR_TOO_LARGE;
      } else if (r < 0) {
        ag_err(err, "%s: %s", where, zip_file_strerror(zf));
        rc = AIGATE_ERR_IO;
      } else {
        char fb[256];
        fallback_name(en, fb, sizeof(fb));
        rc = ag_osvdb_import_json(db, where, buf, len, fb, 0, st, err);
      }
    }
    zip_fclose(zf);
  }
  free(buf);
  return rc;
}

static int import_zip_file(ag_osvdb *db, const char *path,
                           ag_osv_import_stats *st, aigate_error *err) {
  int zerr = 0;
  zip_t *z = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
  if (!z) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, zerr);
    ag_err(err, "%s: not a readable zip archive: %s", path,
           zip_error_strerror(&ze));
    zip_error_fini(&ze);
    return AIGATE_ERR_CONFIG;
  }
  int rc = import_zip(db, path, z, st, err);
  zip_discard(z);
  return rc;
}

int ag_osvdb_import_zip_buffer(ag_osvdb *db, const char *name, const void *buf,
                               size_t len, ag_osv_import_stats *st,
                               aigate_error *err) {
  zip_error_t ze;
  zip_error_init(&ze);
  zip_source_t *src = zip_source_buffer_create(buf, len, 0, &ze);
  zip_t *z =
      src ? zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze) : NULL;
  if (!z) {
    ag_err(err, "%s: not a readable zip archive: %s", name,
           zip_error_strerror(&ze));
    zip_error_fini(&ze);
    if (src)
      zip_source_free(src);
    return AIGATE_ERR_CONFIG;
  }
  zip_error_fini(&ze);
  int rc = import_zip(db, name, z, st, err);
  zip_discard(z);
  return rc;
}

static int import_any(ag_osvdb *db, const char *path, int depth, int top,
                      ag_osv_import_stats *st, aigate_error *err);

static int import_dir(ag_osvdb *db, const char *path, int depth,
                      ag_osv_import_stats *st, aigate_error *err) {
  if (depth > MAX_DEPTH) {
    ag_err(err, "%s: directories nested deeper than %d", path, MAX_DEPTH);
    return AIGATE_ERR_TOO_LARGE;
  }
  DIR *d = opendir(path);
  if (!d) {
    ag_err(err, "%s: %s", path, strerror(errno));
    return AIGATE_ERR_IO;
  }
  struct dirent *e;
  int rc = 0;
  while (!rc && (e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    char sub[4096];
    int n = snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
    if (n < 0 || (size_t)n >= sizeof(sub))
      continue;
    rc = import_any(db, sub, depth + 1, 0, st, err);
  }
  closedir(d);
  return rc;
}

static int import_any(ag_osvdb *db, const char *path, int depth, int top,
                      ag_osv_import_stats *st, aigate_error *err) {
  struct stat sb;
  if ((top ? stat(path, &sb) : lstat(path, &sb)) != 0) {
    ag_err(err, "%s: %s", path, strerror(errno));
    return AIGATE_ERR_IO;
  }
  if (S_ISDIR(sb.st_mode))
    return import_dir(db, path, depth, st, err);
  if (!S_ISREG(sb.st_mode)) {
    if (top) {
      ag_err(err, "%s: not a file or directory", path);
      return AIGATE_ERR_IO;
    }
    return 0; /* symbolic links and devices inside a tree are not followed */
  }
  if (ends_with(path, ".zip"))
    return import_zip_file(db, path, st, err);
  if (ends_with(path, ".nedb"))
    return import_nedb_file(db, path, st, err);
  if (!top && !ends_with(path, ".json"))
    return 0;
  char *buf;
  size_t len;
  int rc = ag_read_file(path, AG_OSV_MAX_RECORD, &buf, &len, err);
  if (rc)
    return rc;
  char fb[256];
  fallback_name(path, fb, sizeof(fb));
  st->files++;
  rc = ag_osvdb_import_json(db, path, buf, len, fb, 0, st, err);
  free(buf);
  return rc;
}

int ag_osvdb_import_path(ag_osvdb *db, const char *path,
                         ag_osv_import_stats *st, aigate_error *err) {
  if (!db->in_tx) {
    ag_err(err, "import outside a transaction");
    return AIGATE_ERR_INVALID;
  }
  return import_any(db, path, 0, 1, st, err);
}

/* ------------------------------------------------------------------ status */

int ag_osvdb_status_get(ag_osvdb *db, ag_osvdb_status *s, aigate_error *err) {
  memset(s, 0, sizeof(*s));
  s->advisories = db_int(db, "SELECT count(*) FROM advisory");
  s->malicious = db_int(db, "SELECT count(*) FROM advisory WHERE malicious = 1"
                            " AND withdrawn IS NULL");
  s->withdrawn =
      db_int(db, "SELECT count(*) FROM advisory WHERE withdrawn IS NOT NULL");
  s->packages = db_int(db, "SELECT count(*) FROM (SELECT DISTINCT ecosystem,"
                           " name FROM affected)");
  s->pypi = db_int(db, "SELECT count(*) FROM affected WHERE ecosystem='PyPI'");
  s->npm = db_int(db, "SELECT count(*) FROM affected WHERE ecosystem='npm'");
  if (s->advisories < 0 || s->packages < 0)
    return db_fail(db, err, "status");
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db->db, "SELECT key, value FROM meta", -1, &st,
                         NULL) != SQLITE_OK)
    return db_fail(db, err, "status");
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *k = (const char *)sqlite3_column_text(st, 0);
    const char *v = (const char *)sqlite3_column_text(st, 1);
    if (!k || !v)
      continue;
    if (!strcmp(k, "imported_at"))
      s->imported_at = strtoll(v, NULL, 10);
    else if (!strcmp(k, "source"))
      snprintf(s->source, sizeof(s->source), "%s", v);
  }
  sqlite3_finalize(st);
  return AIGATE_OK;
}

/* ------------------------------------------------------------------- query */

static const char *col(sqlite3_stmt *st, int i) {
  const char *s = (const char *)sqlite3_column_text(st, i);
  return s ? s : "";
}

int ag_osvdb_query(ag_osvdb *db, ag_ecosystem eco, const char *name,
                   const char *version, ag_osv_match_fn fn, void *ud,
                   aigate_error *err) {
  char norm[512];
  if (eco == AG_ECO_UNKNOWN ||
      ag_package_name_normalize(eco, name, norm, sizeof(norm)))
    return 0;
  sqlite3_stmt *q = db->query;
  sqlite3_bind_text(q, 1, ag_ecosystem_name(eco), -1, SQLITE_STATIC);
  sqlite3_bind_text(q, 2, norm, -1, SQLITE_STATIC);
  int matches = 0, rc = SQLITE_DONE, stop = 0;
  while (!stop && (rc = sqlite3_step(q)) == SQLITE_ROW) {
    const char *rj = (const char *)sqlite3_column_text(q, 6);
    const char *vj = (const char *)sqlite3_column_text(q, 7);
    json_t *ranges = rj ? json_loads(rj, 0, NULL) : NULL;
    json_t *versions = vj ? json_loads(vj, 0, NULL) : NULL;
    const char *fixed = NULL;
    if (ag_osv_affects(eco, version, ranges, versions, &fixed)) {
      ag_osv_match m = {col(q, 0),
                        col(q, 1),
                        col(q, 2),
                        col(q, 3),
                        fixed ? fixed : "",
                        sqlite3_column_int(q, 4),
                        sqlite3_column_int(q, 5)};
      matches++;
      stop = fn(ud, &m);
    }
    json_decref(ranges);
    json_decref(versions);
  }
  if (!stop && rc != SQLITE_DONE) {
    sqlite3_reset(q);
    return db_fail(db, err, "query");
  }
  sqlite3_reset(q);
  return matches;
}
