/*
 * test_osv.c -- the advisory database (src/supply/osvdb.c, osv_range.c):
 * OSV range evaluation on records shaped like the schema's examples
 * (introduced/fixed, last_affected, limit, SEMVER vs ECOSYSTEM order,
 * several ranges, versions lists, empty = every version), severity
 * (MAL- ids and aliases, GHSA words, CVSS v3 vectors with known scores),
 * and the database itself: the real ossf/malicious-packages records of
 * tests/fixtures/supply/osv (litellm 1.82.6 clean, 1.82.7 and 1.82.8
 * malicious), zip archives and NeDB bundles, withdrawn records, newer
 * records winning over older ones, and an import that fails half-way
 * leaving the database untouched.
 */
/* cmocka.h needs these headers first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>
#include <zip.h>

#include "osv.h"
#include "testutil.h"

#define FIXTURES AIGATE_SOURCE_DIR "/tests/fixtures/supply/osv"

/* Does the affected entry (JSON text) cover version? */
static int affects(ag_ecosystem eco, const char *json, const char *version) {
  json_error_t je;
  json_t *a = json_loads(json, 0, &je);
  if (!a)
    fail_msg("bad test JSON: %s", je.text);
  int r = ag_osv_affects(eco, version, json_object_get(a, "ranges"),
                         json_object_get(a, "versions"), NULL);
  json_decref(a);
  return r;
}

static void test_ranges(void **state) {
  (void)state;
  const char *intro_fixed =
      "{\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":["
      "{\"introduced\":\"1.0\"},{\"fixed\":\"1.2.0rc1\"}]}]}";
  assert_int_equal(affects(AG_ECO_PYPI, intro_fixed, "0.9"), 0);
  assert_int_equal(affects(AG_ECO_PYPI, intro_fixed, "1.0.0"), 1);
  assert_int_equal(affects(AG_ECO_PYPI, intro_fixed, "1.1.post3"), 1);
  assert_int_equal(affects(AG_ECO_PYPI, intro_fixed, "1.2.0b9"), 1);
  assert_int_equal(affects(AG_ECO_PYPI, intro_fixed, "1.2rc1"), 0);
  assert_int_equal(affects(AG_ECO_PYPI, intro_fixed, "1.10"), 0);
  assert_int_equal(affects(AG_ECO_PYPI, intro_fixed, "not a version"), 0);

  /* PYSEC-2026-2's shape: introduced 1.82.7, last_affected 1.82.8 */
  const char *last =
      "{\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":["
      "{\"introduced\":\"1.82.7\"},{\"last_affected\":\"1.82.8\"}]}]}";
  assert_int_equal(affects(AG_ECO_PYPI, last, "1.82.6"), 0);
  assert_int_equal(affects(AG_ECO_PYPI, last, "1.82.7"), 1);
  assert_int_equal(affects(AG_ECO_PYPI, last, "1.82.8"), 1);
  assert_int_equal(affects(AG_ECO_PYPI, last, "1.82.8.post1"), 0);
  assert_int_equal(affects(AG_ECO_PYPI, last, "1.83.0"), 0);

  /* introduced 0, two fixed branches */
  const char *two = "{\"ranges\":[{\"type\":\"SEMVER\",\"events\":["
                    "{\"introduced\":\"0\"},{\"fixed\":\"1.4.2\"},"
                    "{\"introduced\":\"2.0.0\"},{\"fixed\":\"2.1.1\"}]}]}";
  assert_int_equal(affects(AG_ECO_NPM, two, "0.0.1"), 1);
  assert_int_equal(affects(AG_ECO_NPM, two, "1.4.2-rc.1"), 1);
  assert_int_equal(affects(AG_ECO_NPM, two, "1.4.2"), 0);
  assert_int_equal(affects(AG_ECO_NPM, two, "1.9.9"), 0);
  assert_int_equal(affects(AG_ECO_NPM, two, "2.0.0"), 1);
  assert_int_equal(affects(AG_ECO_NPM, two, "2.1.1"), 0);

  /* events out of order are sorted before the walk */
  const char *unsorted = "{\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":["
                         "{\"fixed\":\"3.0.0\"},{\"introduced\":\"2.0.0\"}]}]}";
  assert_int_equal(affects(AG_ECO_NPM, unsorted, "2.5.0"), 1);
  assert_int_equal(affects(AG_ECO_NPM, unsorted, "3.0.0"), 0);

  /* limit */
  const char *limit = "{\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":["
                      "{\"introduced\":\"0\"},{\"limit\":\"2.0\"}]}]}";
  assert_int_equal(affects(AG_ECO_PYPI, limit, "1.9"), 1);
  assert_int_equal(affects(AG_ECO_PYPI, limit, "2.0"), 0);
  const char *star = "{\"ranges\":[{\"type\":\"ECOSYSTEM\",\"events\":["
                     "{\"introduced\":\"0\"},{\"limit\":\"*\"}]}]}";
  assert_int_equal(affects(AG_ECO_PYPI, star, "99"), 1);

  /* GIT ranges are not versions; a versions list still applies */
  const char *git = "{\"ranges\":[{\"type\":\"GIT\",\"repo\":\"x\",\"events\":["
                    "{\"introduced\":\"0\"}]}],\"versions\":[\"1.0.0\"]}";
  assert_int_equal(affects(AG_ECO_PYPI, git, "2.0"), 0);
  assert_int_equal(affects(AG_ECO_PYPI, git, "1.0"), 1); /* 1.0 == 1.0.0 */

  /* versions lists, and the empty entry (every version) */
  const char *list = "{\"versions\":[\"1.82.7\",\"1.82.8\"]}";
  assert_int_equal(affects(AG_ECO_PYPI, list, "1.82.6"), 0);
  assert_int_equal(affects(AG_ECO_PYPI, list, "1.82.7"), 1);
  assert_int_equal(affects(AG_ECO_PYPI, list, "v1.82.8"), 1);
  assert_int_equal(
      affects(AG_ECO_NPM, "{\"versions\":[\"weird@1\"]}", "weird@1"), 1);
  assert_int_equal(affects(AG_ECO_NPM, "{}", "1.0.0"), 1);
  assert_int_equal(
      affects(AG_ECO_NPM, "{\"ranges\":[],\"versions\":[]}", "1.0.0"), 1);
}

static void test_fixed_hint(void **state) {
  (void)state;
  json_t *r = json_loads("[{\"type\":\"ECOSYSTEM\",\"events\":["
                         "{\"introduced\":\"0\"},{\"fixed\":\"1.5\"},"
                         "{\"introduced\":\"2.0\"},{\"fixed\":\"2.3\"}]}]",
                         0, NULL);
  const char *fixed = NULL;
  assert_int_equal(ag_osv_affects(AG_ECO_PYPI, "2.1", r, NULL, &fixed), 1);
  assert_string_equal(fixed, "2.3");
  json_decref(r);
}

static int severity_of(const char *json, int *mal) {
  json_t *rec = json_loads(json, 0, NULL);
  assert_non_null(rec);
  const char *id = json_string_value(json_object_get(rec, "id"));
  int s = ag_osv_record_severity(rec, id ? id : "", mal);
  json_decref(rec);
  return s;
}

static void test_severity(void **state) {
  (void)state;
  int mal;
  assert_int_equal(severity_of("{\"id\":\"MAL-2026-1\"}", &mal),
                   AG_SEV_CRITICAL);
  assert_int_equal(mal, 1);
  assert_int_equal(
      severity_of("{\"id\":\"GHSA-x\",\"aliases\":[\"MAL-2026-2\"],"
                  "\"database_specific\":{\"severity\":\"LOW\"}}",
                  &mal),
      AG_SEV_CRITICAL);
  assert_int_equal(mal, 1);
  assert_int_equal(severity_of("{\"id\":\"GHSA-x\",\"database_specific\":"
                               "{\"severity\":\"MODERATE\"}}",
                               &mal),
                   AG_SEV_MEDIUM);
  assert_int_equal(mal, 0);
  /* 9.8 critical, 6.1 medium, 7.5 high, 3.1 low (NVD's calculator) */
  assert_int_equal(
      severity_of(
          "{\"id\":\"CVE-1\",\"severity\":[{\"type\":\"CVSS_V3\","
          "\"score\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H\"}]}",
          &mal),
      AG_SEV_CRITICAL);
  assert_int_equal(
      severity_of(
          "{\"id\":\"CVE-2\",\"severity\":[{\"type\":\"CVSS_V3\","
          "\"score\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N\"}]}",
          &mal),
      AG_SEV_MEDIUM);
  assert_int_equal(
      severity_of(
          "{\"id\":\"CVE-3\",\"severity\":[{\"type\":\"CVSS_V3\","
          "\"score\":\"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H\"}]}",
          &mal),
      AG_SEV_HIGH);
  assert_int_equal(
      severity_of(
          "{\"id\":\"CVE-4\",\"severity\":[{\"type\":\"CVSS_V3\","
          "\"score\":\"CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N\"}]}",
          &mal),
      AG_SEV_LOW);
  /* unrated, or an unreadable vector: high */
  assert_int_equal(severity_of("{\"id\":\"PYSEC-1\"}", &mal), AG_SEV_HIGH);
  assert_int_equal(
      severity_of("{\"id\":\"CVE-5\",\"severity\":[{\"type\":\"CVSS_V3\","
                  "\"score\":\"CVSS:3.1/AV:Q\"}]}",
                  &mal),
      AG_SEV_HIGH);
}

static void test_names(void **state) {
  (void)state;
  char b[64];
  assert_int_equal(
      ag_package_name_normalize(AG_ECO_PYPI, "Lite_LLM..x", b, sizeof(b)), 0);
  assert_string_equal(b, "lite-llm-x");
  assert_int_equal(
      ag_package_name_normalize(AG_ECO_NPM, "@Scope/Pkg_x", b, sizeof(b)), 0);
  assert_string_equal(b, "@Scope/Pkg_x");
  assert_int_equal(ag_package_name_normalize(AG_ECO_PYPI, "abcdef", b, 4), -1);
}

typedef struct {
  int n;
  char ids[16][128];
  int malicious;
} hits;

static int on_match(void *ud, const ag_osv_match *m) {
  hits *h = ud;
  if (h->n < 16)
    snprintf(h->ids[h->n], sizeof(h->ids[0]), "%s", m->id);
  h->n++;
  h->malicious += m->malicious && m->severity == AG_SEV_CRITICAL;
  return 0;
}

static hits query(ag_osvdb *db, ag_ecosystem eco, const char *name,
                  const char *version) {
  hits h;
  memset(&h, 0, sizeof(h));
  aigate_error err;
  int rc = ag_osvdb_query(db, eco, name, version, on_match, &h, &err);
  if (rc < 0)
    fail_msg("query: %s", err.msg);
  assert_int_equal(rc, h.n);
  return h;
}

static char tmpdir[] = "/tmp/aigate_test_osv_XXXXXX";

static int setup(void **state) {
  (void)state;
  return mkdtemp(tmpdir) ? 0 : -1;
}
static int teardown(void **state) {
  (void)state;
  rm_tree(tmpdir);
  return 0;
}

static ag_osvdb *fresh_db(const char *name) {
  char path[512];
  snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
  unlink(path);
  ag_osvdb *db;
  aigate_error err;
  if (ag_osvdb_open(path, 1, &db, &err))
    fail_msg("open: %s", err.msg);
  return db;
}

static void import_ok(ag_osvdb *db, const char *path, ag_osv_import_stats *st) {
  aigate_error err = {{0}};
  assert_int_equal(ag_osvdb_begin(db, &err), 0);
  if (ag_osvdb_import_path(db, path, st, &err))
    fail_msg("import %s: %s", path, err.msg);
  assert_int_equal(ag_osvdb_commit(db, path, &err), 0);
}

static void test_real_records(void **state) {
  (void)state;
  ag_osvdb *db = fresh_db("real.db");
  ag_osv_import_stats st = {0};
  import_ok(db, FIXTURES, &st);
  assert_int_equal(st.records, 6);
  assert_int_equal(st.skipped, 0);
  hits h = query(db, AG_ECO_PYPI, "litellm", "1.82.6");
  assert_int_equal(h.n, 0);
  h = query(db, AG_ECO_PYPI, "litellm", "1.82.7");
  assert_int_equal(h.n, 4); /* MAL-2026-2144 and three unmerged reports */
  assert_int_equal(h.malicious, 4);
  int found = 0;
  for (int i = 0; i < h.n; i++)
    found |= !strcmp(h.ids[i], "MAL-2026-2144");
  assert_true(found);
  h = query(db, AG_ECO_PYPI, "LiteLLM", "1.82.8");
  assert_int_equal(h.n, 5); /* also the ossf-package-analysis report */
  h = query(db, AG_ECO_PYPI, "litellm", "1.82.8.0");
  assert_int_equal(h.n, 5);
  h = query(db, AG_ECO_PYPI, "telnyx", "4.87.2");
  assert_int_equal(h.n, 1);
  h = query(db, AG_ECO_NPM, "litellm", "1.82.8");
  assert_int_equal(h.n, 0);

  ag_osvdb_status s;
  aigate_error err;
  assert_int_equal(ag_osvdb_status_get(db, &s, &err), 0);
  assert_int_equal(s.advisories, 6);
  assert_int_equal(s.malicious, 6);
  assert_true(s.imported_at > 0);
  ag_osvdb_close(db);
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static const char REC_V1[] =
    "{\"id\":\"GHSA-test\",\"modified\":\"2026-01-01T00:00:00Z\","
    "\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"left-pad\"},"
    "\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"},"
    "{\"fixed\":\"1.3.0\"}]}]}]}";
static const char REC_V2[] =
    "{\"id\":\"GHSA-test\",\"modified\":\"2026-02-01T00:00:00Z\","
    "\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"left-pad\"},"
    "\"ranges\":[{\"type\":\"SEMVER\",\"events\":[{\"introduced\":\"0\"},"
    "{\"fixed\":\"1.1.0\"}]}]}]}";
static const char REC_WITHDRAWN[] =
    "{\"id\":\"GHSA-test\",\"modified\":\"2026-03-01T00:00:00Z\","
    "\"withdrawn\":\"2026-03-01T00:00:00Z\","
    "\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"left-pad\"}}]"
    "}";

static void test_newer_and_withdrawn(void **state) {
  (void)state;
  ag_osvdb *db = fresh_db("newer.db");
  char p1[512], p2[512], p3[512];
  snprintf(p1, sizeof(p1), "%s/v1.json", tmpdir);
  snprintf(p2, sizeof(p2), "%s/v2.json", tmpdir);
  snprintf(p3, sizeof(p3), "%s/w.json", tmpdir);
  write_file(p1, REC_V1);
  write_file(p2, REC_V2);
  write_file(p3, REC_WITHDRAWN);
  ag_osv_import_stats st = {0};
  import_ok(db, p2, &st);
  assert_int_equal(query(db, AG_ECO_NPM, "left-pad", "1.2.0").n, 0);
  import_ok(db, p1, &st); /* older: ignored */
  assert_int_equal(st.older, 1);
  assert_int_equal(query(db, AG_ECO_NPM, "left-pad", "1.2.0").n, 0);
  assert_int_equal(query(db, AG_ECO_NPM, "left-pad", "1.0.9").n, 1);
  import_ok(db, p3, &st);
  assert_int_equal(st.withdrawn, 1);
  assert_int_equal(query(db, AG_ECO_NPM, "left-pad", "1.0.9").n, 0);
  ag_osvdb_close(db);
}

/* A zip of the fixture records plus an osv-offline style .nedb. */
static void make_zip(const char *path) {
  int zerr;
  zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
  assert_non_null(z);
  static const char *const files[] = {"MAL-2026-2144.json",
                                      "telnyx-MAL-2026-2254.json"};
  for (size_t i = 0; i < 2; i++) {
    char src[512];
    snprintf(src, sizeof(src), "%s/%s", FIXTURES, files[i]);
    zip_source_t *s = zip_source_file(z, src, 0, -1);
    assert_non_null(s);
    assert_true(zip_file_add(z, files[i], s, 0) >= 0);
  }
  static const char nedb[] =
      "{\"_id\":\"a1\",\"id\":\"GHSA-nedb-1\",\"modified\":\"2026-01-01T00:00:"
      "00Z\","
      "\"affected\":[{\"package\":{\"ecosystem\":\"npm\",\"name\":\"evil\"},"
      "\"versions\":[\"6.6.6\"]}]}\r\n"
      "{\"$$indexCreated\":{\"fieldName\":\"id\"}}\n"
      "\n"
      "{\"_id\":\"a2\",\"id\":\"MAL-2026-9\",\"affected\":[{\"package\":"
      "{\"ecosystem\":\"npm\",\"name\":\"@evil/pkg\"}}]}";
  zip_source_t *s = zip_source_buffer(z, nedb, sizeof(nedb) - 1, 0);
  assert_true(zip_file_add(z, "npm.nedb", s, 0) >= 0);
  assert_int_equal(zip_close(z), 0);
}

static void test_zip_and_nedb(void **state) {
  (void)state;
  char zpath[512];
  snprintf(zpath, sizeof(zpath), "%s/bundle.zip", tmpdir);
  make_zip(zpath);
  ag_osvdb *db = fresh_db("zip.db");
  ag_osv_import_stats st = {0};
  import_ok(db, zpath, &st);
  assert_int_equal(st.records, 4);
  assert_int_equal(query(db, AG_ECO_PYPI, "litellm", "1.82.7").n, 1);
  assert_int_equal(query(db, AG_ECO_NPM, "evil", "6.6.6").n, 1);
  assert_int_equal(query(db, AG_ECO_NPM, "evil", "6.6.7").n, 0);
  hits h = query(db, AG_ECO_NPM, "@evil/pkg", "0.0.1"); /* every version */
  assert_int_equal(h.n, 1);
  assert_int_equal(h.malicious, 1);
  ag_osvdb_close(db);

  /* the same archive from memory */
  FILE *f = fopen(zpath, "rb");
  assert_non_null(f);
  char *buf = malloc(1 << 20);
  size_t len = fread(buf, 1, 1 << 20, f);
  fclose(f);
  db = fresh_db("zipmem.db");
  aigate_error err = {{0}};
  memset(&st, 0, sizeof(st));
  assert_int_equal(ag_osvdb_begin(db, &err), 0);
  assert_int_equal(ag_osvdb_import_zip_buffer(db, "mem", buf, len, &st, &err),
                   0);
  assert_int_equal(ag_osvdb_commit(db, "mem", &err), 0);
  assert_int_equal(st.records, 4);
  /* a truncated archive is an error */
  assert_int_equal(ag_osvdb_begin(db, &err), 0);
  assert_true(ag_osvdb_import_zip_buffer(db, "cut", buf, len / 2, &st, &err) <
              0);
  assert_non_null(strstr(err.msg, "zip"));
  ag_osvdb_rollback(db);
  free(buf);
  ag_osvdb_close(db);
}

static void test_nedb_file_and_schema(void **state) {
  (void)state;
  char p[512];
  snprintf(p, sizeof(p), "%s/PyPI.nedb", tmpdir);
  write_file(p, "{\"_id\":\"x\",\"id\":\"PYSEC-1\",\"affected\":[{\"package\":"
                "{\"ecosystem\":\"PyPI\",\"name\":\"Foo.Bar\"},\"ranges\":[{"
                "\"type\":\"ECOSYSTEM\",\"events\":[{\"introduced\":\"0\"},"
                "{\"fixed\":\"2.0\"}]}]}]}\n"
                "{\"$$deleted\":true,\"_id\":\"y\"}\n");
  ag_osvdb *db = fresh_db("nedb.db");
  ag_osv_import_stats st = {0};
  import_ok(db, p, &st);
  assert_int_equal(st.records, 1);
  assert_int_equal(query(db, AG_ECO_PYPI, "foo_bar", "1.9").n, 1);
  assert_int_equal(query(db, AG_ECO_PYPI, "foo-bar", "2.0").n, 0);
  ag_osvdb_close(db);
  /* a broken line names its line */
  write_file(p, "{\"id\":\"A\"}\n{broken\n");
  db = fresh_db("nedb2.db");
  aigate_error err = {{0}};
  assert_int_equal(ag_osvdb_begin(db, &err), 0);
  assert_true(ag_osvdb_import_path(db, p, &st, &err) < 0);
  assert_non_null(strstr(err.msg, "PyPI.nedb:2"));
  ag_osvdb_rollback(db);
  ag_osvdb_close(db);
  /* another program's SQLite file, or a later schema, is refused */
  char other[512];
  snprintf(other, sizeof(other), "%s/other.db", tmpdir);
  sqlite3 *s3;
  assert_int_equal(sqlite3_open(other, &s3), SQLITE_OK);
  assert_int_equal(sqlite3_exec(s3,
                                "CREATE TABLE keys(k); PRAGMA user_version = 7",
                                NULL, NULL, NULL),
                   SQLITE_OK);
  sqlite3_close(s3);
  assert_int_equal(ag_osvdb_open(other, 0, &db, &err), AIGATE_ERR_IO);
  assert_non_null(strstr(err.msg, "schema version 7"));
  assert_int_equal(ag_osvdb_open(other, 1, &db, &err), AIGATE_ERR_IO);
  assert_int_equal(sqlite3_open(other, &s3), SQLITE_OK);
  assert_int_equal(
      sqlite3_exec(s3, "PRAGMA user_version = 0", NULL, NULL, NULL), SQLITE_OK);
  sqlite3_close(s3);
  assert_int_equal(ag_osvdb_open(other, 1, &db, &err), AIGATE_ERR_IO);
}

static void test_atomic(void **state) {
  (void)state;
  char dir[512], p[600];
  snprintf(dir, sizeof(dir), "%s/mixed", tmpdir);
  mkdir(dir, 0700);
  snprintf(p, sizeof(p), "%s/a.json", dir);
  write_file(p, REC_V1);
  snprintf(p, sizeof(p), "%s/b.json", dir);
  write_file(p, "{\"id\": \"broken\", ");
  ag_osvdb *db = fresh_db("atomic.db");
  ag_osv_import_stats st = {0};
  import_ok(db, FIXTURES "/MAL-2026-2144.json", &st);
  aigate_error err = {{0}};
  assert_int_equal(ag_osvdb_begin(db, &err), 0);
  assert_true(ag_osvdb_import_path(db, dir, &st, &err) < 0);
  assert_non_null(strstr(err.msg, "b.json"));
  ag_osvdb_rollback(db);
  /* nothing of the failed import is visible; the earlier one is intact */
  assert_int_equal(query(db, AG_ECO_NPM, "left-pad", "1.0.0").n, 0);
  assert_int_equal(query(db, AG_ECO_PYPI, "litellm", "1.82.8").n, 1);
  ag_osvdb_close(db);

  /* records without an id are skipped and counted, not fatal */
  db = fresh_db("skip.db");
  assert_int_equal(ag_osvdb_begin(db, &err), 0);
  memset(&st, 0, sizeof(st));
  assert_int_equal(ag_osvdb_import_json(db, "x", "[{\"id\":\"\"}, 5]", 14, NULL,
                                        0, &st, &err),
                   0);
  assert_int_equal(st.skipped, 2);
  ag_osvdb_rollback(db);
  ag_osvdb_close(db);

  /* read-only open of a missing database */
  char missing[600];
  snprintf(missing, sizeof(missing), "%s/none.db", tmpdir);
  assert_int_equal(ag_osvdb_open(missing, 0, &db, &err), AIGATE_ERR_NOT_FOUND);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ranges),
      cmocka_unit_test(test_fixed_hint),
      cmocka_unit_test(test_severity),
      cmocka_unit_test(test_names),
      cmocka_unit_test(test_real_records),
      cmocka_unit_test(test_newer_and_withdrawn),
      cmocka_unit_test(test_zip_and_nedb),
      cmocka_unit_test(test_nedb_file_and_schema),
      cmocka_unit_test(test_atomic),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
