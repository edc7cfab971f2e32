/*
 * fuzz_osv.c -- libFuzzer target for the OSV import (src/supply/osvdb.c)
 * and range evaluation (osv_range.c) on arbitrary bytes: as a JSON record
 * (or array), as a NeDB line and as a zip archive, into an in-memory
 * SQLite database; then every package the input named is queried.
 *
 * Invariants: nothing crashes or leaks whatever the input; an import
 * either succeeds or fails with a message; a query never fails on a
 * database the import wrote; evaluation is deterministic.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "osv.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  return 0;
}

static int count(void *ud, const ag_osv_match *m) {
  FUZZ_CHECK(m->id && m->severity >= AG_SEV_LOW &&
             m->severity <= AG_SEV_CRITICAL);
  ++*(int *)ud;
  return 0;
}

static void query_all(ag_osvdb *db, const char *s, size_t size) {
  json_t *doc = json_loadb(s, size, 0, NULL);
  size_t i;
  json_t *aff;
  json_array_foreach(json_object_get(doc, "affected"), i, aff) {
    json_t *pkg = json_object_get(aff, "package");
    const char *name = json_string_value(json_object_get(pkg, "name"));
    const char *eco = json_string_value(json_object_get(pkg, "ecosystem"));
    if (!name)
      continue;
    static const char *const versions[] = {"0", "1.0.0", "1.82.7", "2.0.0-rc.1",
                                           "1!2.0.post1"};
    for (size_t v = 0; v < 5; v++) {
      int n1 = 0, n2 = 0;
      aigate_error err;
      int rc = ag_osvdb_query(db, ag_ecosystem_parse(eco), name, versions[v],
                              count, &n1, &err);
      FUZZ_CHECK(rc >= 0 && rc == n1);
      ag_osvdb_query(db, ag_ecosystem_parse(eco), name, versions[v], count, &n2,
                     &err);
      FUZZ_CHECK(n1 == n2);
    }
    const char *fixed;
    ag_osv_affects(ag_ecosystem_parse(eco), "1.0.0",
                   json_object_get(aff, "ranges"),
                   json_object_get(aff, "versions"), &fixed);
  }
  json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *s = (const char *)data;
  ag_osvdb *db;
  aigate_error err;
  FUZZ_CHECK(ag_osvdb_open(":memory:", 1, &db, &err) == 0);
  ag_osv_import_stats st = {0};
  FUZZ_CHECK(ag_osvdb_begin(db, &err) == 0);
  int rc =
      ag_osvdb_import_json(db, "fuzz.json", s, size, "MAL-fuzz", 0, &st, &err);
  FUZZ_CHECK(rc == 0 || err.msg[0]);
  rc = ag_osvdb_import_json(db, "fuzz.nedb", s, size, NULL, 1, &st, &err);
  FUZZ_CHECK(rc == 0 || err.msg[0]);
  rc = ag_osvdb_import_zip_buffer(db, "fuzz.zip", s, size, &st, &err);
  FUZZ_CHECK(rc == 0 || err.msg[0]);
  FUZZ_CHECK(ag_osvdb_commit(db, "fuzz", &err) == 0);
  query_all(db, s, size);
  ag_osvdb_close(db);
  return 0;
}
