/*
 * osv.h -- the advisory database: OSV records (https://ossf.github.io/
 * osv-schema/) imported into one SQLite file, and the question the audit
 * asks of it: which advisories affect this version of this package?
 *
 * Import takes OSV JSON files, directories of them, the per-ecosystem
 * all.zip archives osv.dev publishes and Renovate's osv-offline bundles
 * (a zip of <ecosystem>.nedb files, one record per line). Archives are
 * read in memory with libzip, never unpacked to disk. An import is one
 * SQLite transaction: it is committed whole or not at all, so a failed or
 * interrupted import or update leaves the previous database as it was.
 *
 * Records are matched by ecosystem and normalized package name (PEP 503
 * for PyPI); a record's `ranges` and `versions` are kept as JSON and
 * evaluated at query time (osv_range.c) in the ecosystem's version order.
 */
#ifndef AIGATE_SUPPLY_OSV_H
#define AIGATE_SUPPLY_OSV_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "aigate/aigate.h"
#include "version.h"

/* Severities, as ag_parse_severity: critical 5, high 4, medium 3, low 2. */
#define AG_SEV_LOW 2
#define AG_SEV_MEDIUM 3
#define AG_SEV_HIGH 4
#define AG_SEV_CRITICAL 5

#define AG_OSV_MAX_RECORD (8u << 20) /* one JSON record or line */
#define AG_OSV_MAX_ENTRIES 4000000u  /* entries of one archive */
#define AG_OSV_MAX_UNPACKED                                                    \
  (16ULL << 30) /* bytes unpacked from one archive                             \
                 */

typedef struct ag_osvdb ag_osvdb;

/*
 * Where the database lives when --db is not given: $AIGATE_ADVISORY_DB,
 * else $XDG_DATA_HOME/aigate/advisories.db, else
 * $HOME/.local/share/aigate/advisories.db. Writes into buf; -1 when no
 * location can be determined or it does not fit.
 */
int ag_osvdb_default_path(char *buf, size_t cap);

/*
 * Open the database at path. writable: create it (and its directory) when
 * missing and allow imports; otherwise a missing file is an error
 * (AIGATE_ERR_NOT_FOUND) and the database is opened read-only.
 */
int ag_osvdb_open(const char *path, int writable, ag_osvdb **out,
                  aigate_error *err);
void ag_osvdb_close(ag_osvdb *db);

/* ------------------------------------------------------------------ import */

typedef struct {
  size_t files;   /* files and archive entries read */
  size_t records; /* records stored */
  size_t older;   /* records not stored: the database had a newer copy */
  size_t skipped; /* records without an id, or not OSV objects */
  size_t withdrawn;
  char first_skip[256]; /* why the first record was skipped */
} ag_osv_import_stats;

/* Start an import (one transaction); every import call below must come
 * between begin and commit/rollback. */
int ag_osvdb_begin(ag_osvdb *db, aigate_error *err);
/* Commit, recording `source` and the time in the database's metadata. */
int ag_osvdb_commit(ag_osvdb *db, const char *source, aigate_error *err);
void ag_osvdb_rollback(ag_osvdb *db);

/*
 * Import a path: a directory (recursively: *.json, *.zip, *.nedb), a zip
 * archive (entries *.json and *.nedb), a .nedb file, or a JSON file
 * holding one record or an array of records. A file that cannot be read
 * or parsed (invalid JSON, a damaged archive, an entry over the limits)
 * fails the import with a message naming it; a well-formed record the
 * database cannot use (no id) is counted in stats->skipped.
 */
int ag_osvdb_import_path(ag_osvdb *db, const char *path,
                         ag_osv_import_stats *st, aigate_error *err);

/* Import a zip archive held in memory (name is for messages). */
int ag_osvdb_import_zip_buffer(ag_osvdb *db, const char *name, const void *buf,
                               size_t len, ag_osv_import_stats *st,
                               aigate_error *err);

/*
 * Import one JSON document (a record or an array of records) from
 * buf[0, len). fallback_id names records whose id is empty (the file's
 * base name for unmerged ossf/malicious-packages reports). nedb: the
 * document is a NeDB line (`_id` and `$$` bookkeeping ignored).
 */
int ag_osvdb_import_json(ag_osvdb *db, const char *name, const char *buf,
                         size_t len, const char *fallback_id, int nedb,
                         ag_osv_import_stats *st, aigate_error *err);

/* ------------------------------------------------------------------ status */

typedef struct {
  int64_t advisories, malicious, withdrawn, packages;
  int64_t pypi, npm;   /* affected entries per ecosystem */
  int64_t imported_at; /* Unix time of the last import, 0 if never */
  char source[512];    /* what the last import read */
} ag_osvdb_status;

int ag_osvdb_status_get(ag_osvdb *db, ag_osvdb_status *st, aigate_error *err);

/* ------------------------------------------------------------------ query */

typedef struct {
  const char *id;
  const char *aliases; /* space-separated */
  const char *summary;
  const char *refs;  /* newline-separated URLs, at most a few */
  const char *fixed; /* a fixed version from the matching range, or "" */
  int severity;      /* AG_SEV_* */
  int malicious;
} ag_osv_match;

/* Called per advisory that affects the package; nonzero stops. */
typedef int (*ag_osv_match_fn)(void *ud, const ag_osv_match *m);

/*
 * Every non-withdrawn advisory affecting version `version` of package
 * `name` (normalized here) in ecosystem eco. Returns the number of
 * matches, or a negative aigate_status.
 */
int ag_osvdb_query(ag_osvdb *db, ag_ecosystem eco, const char *name,
                   const char *version, ag_osv_match_fn fn, void *ud,
                   aigate_error *err);

/* ---------------------------------------------------------- osv_range.c */

/*
 * Does one OSV `affected` entry (its "ranges" and "versions") cover
 * `version`? 1 yes, 0 no. An entry with neither ranges nor versions
 * affects every version. Ranges of type ECOSYSTEM and SEMVER are
 * evaluated (introduced/fixed/last_affected/limit); GIT ranges are
 * ignored. If fixed is not NULL it receives (borrowed from the JSON) the
 * first "fixed" version above `version` in a matching range, if any.
 */
int ag_osv_affects(ag_ecosystem eco, const char *version, json_t *ranges,
                   json_t *versions, const char **fixed);

/* PEP 503 name normalization for PyPI (lower case, runs of -_. to '-');
 * other ecosystems unchanged. Writes into buf; -1 if it does not fit. */
int ag_package_name_normalize(ag_ecosystem eco, const char *name, char *buf,
                              size_t cap);

/* The severity of an OSV record: critical for malicious packages (a MAL-
 * id or alias), else from database_specific.severity or a CVSS v3 vector,
 * else high (an unrated advisory is not assumed harmless). */
int ag_osv_record_severity(json_t *rec, const char *id, int *malicious);

#endif
