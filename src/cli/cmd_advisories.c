/*
 * cmd_advisories.c -- `aigate advisories import|update|status`: fill the
 * local OSV advisory database that `aigate audit` reads, and show what it
 * holds. The work is done by src/supply (osv.h, osv_fetch.h).
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "osv.h"
#include "osv_fetch.h"

#define MAX_ECOSYSTEMS 16

static void usage(FILE *f) {
  fputs("usage: aigate advisories import [--db PATH] PATH...\n"
        "       aigate advisories update [--db PATH] [--base-url URL]"
        " [--ecosystem NAME]...\n"
        "       aigate advisories status [--db PATH] [--format text|json]\n"
        "\n"
        "import reads OSV JSON files, directories of them, osv.dev all.zip\n"
        "archives and osv-offline bundles (.zip of .nedb, or .nedb files).\n"
        "update downloads <base-url>/<ecosystem>/all.zip (default base URL\n"
        "$AIGATE_OSV_BASE_URL, else " AG_OSV_DEFAULT_BASE_URL ";\n"
        "ecosystems PyPI and npm). Each import or update is atomic.\n"
        "The database: --db, else $AIGATE_ADVISORY_DB, else\n"
        "$XDG_DATA_HOME/aigate/advisories.db (~/.local/share/...).\n",
        f);
}

static void print_stats(const ag_osv_import_stats *st) {
  printf("imported %zu records from %zu files", st->records, st->files);
  if (st->older)
    printf(", %zu older than the stored copy", st->older);
  if (st->withdrawn)
    printf(", %zu withdrawn", st->withdrawn);
  printf("\n");
  if (st->skipped)
    fprintf(stderr, "aigate: skipped %zu records (first: %s)\n", st->skipped,
            st->first_skip);
}

static int status(ag_osvdb *db, const char *path, int json) {
  ag_osvdb_status s;
  aigate_error err = {{0}};
  if (ag_osvdb_status_get(db, &s, &err))
    return cli_fail("%s", err.msg);
  long long age = s.imported_at ? (long long)(time(NULL) - s.imported_at) : -1;
  if (json) {
    json_t *o =
        json_pack("{s:s, s:I, s:I, s:I, s:I, s:{s:I, s:I}, s:I, s:I, s:s}",
                  "database", path, "advisories", (json_int_t)s.advisories,
                  "malicious", (json_int_t)s.malicious, "withdrawn",
                  (json_int_t)s.withdrawn, "packages", (json_int_t)s.packages,
                  "affected_entries", "PyPI", (json_int_t)s.pypi, "npm",
                  (json_int_t)s.npm, "imported_at", (json_int_t)s.imported_at,
                  "age_seconds", (json_int_t)age, "source", s.source);
    char *txt = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
    json_decref(o);
    if (!txt)
      return cli_fail("out of memory");
    puts(txt);
    free(txt);
    return 0;
  }
  printf("database:   %s\n", path);
  printf("advisories: %lld (%lld malicious packages, %lld withdrawn)\n",
         (long long)s.advisories, (long long)s.malicious,
         (long long)s.withdrawn);
  printf("packages:   %lld (affected entries: PyPI %lld, npm %lld)\n",
         (long long)s.packages, (long long)s.pypi, (long long)s.npm);
  if (s.imported_at) {
    char when[64];
    time_t t = (time_t)s.imported_at;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    printf("updated:    %s (%lld days ago) from %s\n", when, age / 86400,
           s.source);
    if (age > 7 * 86400)
      fprintf(stderr, "aigate: the advisory database is older than 7 days; run "
                      "`aigate advisories update`\n");
  } else {
    printf("updated:    never\n");
  }
  return 0;
}

int cmd_advisories(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? EXIT_USAGE : 0;
  }
  const char *sub = argv[1];
  int is_import = !strcmp(sub, "import"), is_update = !strcmp(sub, "update"),
      is_status = !strcmp(sub, "status");
  if (!is_import && !is_update && !is_status) {
    usage(stderr);
    return cli_fail("advisories: unknown subcommand '%s'", sub);
  }
  const char *db_path = NULL, *base = getenv("AIGATE_OSV_BASE_URL");
  const char *ecos[MAX_ECOSYSTEMS];
  size_t n_ecos = 0;
  int json = 0;
  char **paths = calloc((size_t)argc, sizeof(char *));
  size_t n_paths = 0;
  if (!paths)
    return cli_fail("out of memory");
  int rc = 0;
  for (int i = 2; i < argc && !rc; i++) {
    const char *a = argv[i];
    int has_val = i + 1 < argc;
    if (!strcmp(a, "--db") && has_val)
      db_path = argv[++i];
    else if (is_update && !strcmp(a, "--base-url") && has_val)
      base = argv[++i];
    else if (is_update && !strcmp(a, "--ecosystem") && has_val) {
      if (n_ecos == MAX_ECOSYSTEMS)
        rc = cli_fail("advisories: at most %d ecosystems", MAX_ECOSYSTEMS);
      else
        ecos[n_ecos++] = argv[++i];
    } else if (is_status && !strcmp(a, "--format") && has_val &&
               (!strcmp(argv[i + 1], "json") || !strcmp(argv[i + 1], "text")))
      json = !strcmp(argv[++i], "json");
    else if (is_import && a[0] != '-')
      paths[n_paths++] = argv[i];
    else
      rc = cli_fail("advisories %s: unknown option or missing value '%s'", sub,
                    a);
  }
  if (!rc && is_import && !n_paths)
    rc = cli_fail("advisories import: no PATH given");
  char defpath[4096] = "";
  if (!rc && !db_path) {
    if (ag_osvdb_default_path(defpath, sizeof(defpath)))
      rc = cli_fail("no advisory database location: give --db PATH or set "
                    "AIGATE_ADVISORY_DB");
    db_path = defpath;
  }
  if (rc) {
    free(paths);
    return rc;
  }
  aigate_error err = {{0}};
  ag_osvdb *db;
  if (ag_osvdb_open(db_path, !is_status, &db, &err)) {
    free(paths);
    return cli_fail("%s", err.msg);
  }
  ag_osv_import_stats st = {0};
  if (is_status) {
    rc = status(db, db_path, json);
  } else if (is_import) {
    rc = ag_osvdb_begin(db, &err);
    for (size_t i = 0; i < n_paths && !rc; i++)
      rc = ag_osvdb_import_path(db, paths[i], &st, &err);
    if (!rc) {
      char source[512] = "";
      for (size_t i = 0; i < n_paths; i++) {
        size_t l = strlen(source);
        snprintf(source + l, sizeof(source) - l, "%s%s", l ? " " : "",
                 paths[i]);
      }
      rc = ag_osvdb_commit(db, source, &err);
    } else {
      ag_osvdb_rollback(db);
    }
    if (rc)
      rc = cli_fail("%s (nothing imported)", err.msg);
    else
      print_stats(&st);
  } else {
    static const char *const defaults[] = {"PyPI", "npm"};
    if (!n_ecos) {
      ecos[0] = defaults[0];
      ecos[1] = defaults[1];
      n_ecos = 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = ag_osv_update(db, base && *base ? base : AG_OSV_DEFAULT_BASE_URL, ecos,
                       n_ecos, &st, &err);
    curl_global_cleanup();
    if (rc)
      rc = cli_fail("update failed, database unchanged: %s", err.msg);
    else
      print_stats(&st);
  }
  ag_osvdb_close(db);
  free(paths);
  return rc;
}
