/*
 * cmd_audit.c -- `aigate audit [PATH...]`: the supply-chain audit of the
 * Python and npm packages installed or locked under the paths (src/supply
 * does the work), reported in one or more formats.
 *
 * Exit status: 1 when a finding reaches --fail-on (default high), else 2
 * when an input could not be read (the audit is incomplete), else 0;
 * 2 also for usage errors and a missing or unreadable database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "cli.h"

#define MAX_OUTPUTS 8

static void usage(FILE *f) {
  fputs(
      "usage: aigate audit [PATH...] [options]\n"
      "\n"
      "Finds installed Python distributions and node_modules packages,\n"
      "requirements*.txt, poetry.lock, uv.lock, pylock.toml, Pipfile.lock,\n"
      "package-lock.json, npm-shrinkwrap.json, yarn.lock and pnpm-lock.yaml\n"
      "under each PATH (default: the current directory and the Python\n"
      "library directories of this machine) and checks them against the OSV\n"
      "advisory database, startup files (.pth, .start, sitecustomize.py),\n"
      "RECORD hashes and indicators of compromise (docs/audit.md).\n"
      "\n"
      "  --db PATH            advisory database (default $AIGATE_ADVISORY_DB,\n"
      "                       else ~/.local/share/aigate/advisories.db)\n"
      "  --no-db              skip the advisory lookups\n"
      "  --no-hashes          do not hash installed files against RECORD\n"
      "  --format FMT         text (default), json, markdown or sarif\n"
      "  --output FMT:PATH    also write FMT to PATH (repeatable)\n"
      "  --fail-on SEV        low, medium, high (default) or critical\n"
      "  --home DIR           check persistence paths under DIR (repeatable)\n"
      "  --ignore ID          drop findings of an advisory, alias or rule id\n"
      "                       (an accepted risk; repeatable)\n"
      "  --tmp DIR            temporary directory for indicators (default "
      "/tmp)\n"
      "  --iocs DIR           indicator files instead of the built-in ones\n",
      f);
}

typedef struct {
  int fmt;
  const char *path;
} output;

static int write_output(const ag_audit *a, const output *o) {
  FILE *f = fopen(o->path, "w");
  if (!f)
    return cli_fail("%s: cannot write", o->path);
  int rc = ag_report_write(a, (ag_report_format)o->fmt, f);
  if (fclose(f) || rc)
    return cli_fail("%s: write failed", o->path);
  return 0;
}

int cmd_audit(int argc, char **argv) {
  const char *db_path = NULL, *iocs_dir = NULL, *tmp_dir = NULL;
  int no_db = 0, no_hashes = 0, fmt = AG_REPORT_TEXT, fail_on = AG_SEV_HIGH;
  output outs[MAX_OUTPUTS];
  size_t n_outs = 0;
  char **paths = calloc((size_t)argc + 1, sizeof(char *));
  char **homes = calloc((size_t)argc + 1, sizeof(char *));
  char **ignore = calloc((size_t)argc + 1, sizeof(char *));
  size_t n_paths = 0, n_homes = 0, n_ignore = 0;
  int rc = 0;
  if (!paths || !homes || !ignore) {
    free(paths);
    free(homes);
    free(ignore);
    return cli_fail("out of memory");
  }
  for (int i = 1; i < argc && !rc; i++) {
    const char *a = argv[i];
    int val = i + 1 < argc;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      usage(stdout);
      free(paths);
      free(homes);
      free(ignore);
      return 0;
    } else if (!strcmp(a, "--db") && val)
      db_path = argv[++i];
    else if (!strcmp(a, "--no-db"))
      no_db = 1;
    else if (!strcmp(a, "--no-hashes"))
      no_hashes = 1;
    else if (!strcmp(a, "--iocs") && val)
      iocs_dir = argv[++i];
    else if (!strcmp(a, "--tmp") && val)
      tmp_dir = argv[++i];
    else if (!strcmp(a, "--home") && val)
      homes[n_homes++] = argv[++i];
    else if (!strcmp(a, "--ignore") && val)
      ignore[n_ignore++] = argv[++i];
    else if (!strcmp(a, "--format") && val) {
      if ((fmt = ag_report_format_parse(argv[++i])) < 0)
        rc = cli_fail("audit: unknown format '%s'", argv[i]);
    } else if (!strcmp(a, "--fail-on") && val) {
      fail_on = ag_severity_parse(argv[++i]);
      if (fail_on < AG_SEV_LOW)
        rc = cli_fail("audit: --fail-on takes low, medium, high or critical");
    } else if (!strcmp(a, "--output") && val) {
      const char *spec = argv[++i], *colon = strchr(spec, ':');
      char name[16];
      size_t nl = colon ? (size_t)(colon - spec) : 0;
      if (!colon || !colon[1] || nl >= sizeof(name))
        rc = cli_fail("audit: --output takes FORMAT:PATH");
      else if (n_outs == MAX_OUTPUTS)
        rc = cli_fail("audit: at most %d --output", MAX_OUTPUTS);
      else {
        memcpy(name, spec, nl);
        name[nl] = '\0';
        outs[n_outs].fmt = ag_report_format_parse(name);
        outs[n_outs].path = colon + 1;
        if (outs[n_outs].fmt < 0)
          rc = cli_fail("audit: unknown format '%s' in --output", name);
        n_outs++;
      }
    } else if (a[0] == '-' && a[1])
      rc = cli_fail("audit: unknown option or missing value '%s'", a);
    else
      paths[n_paths++] = argv[i];
  }
  char **defaults = NULL;
  if (!rc && !n_paths) {
    defaults = ag_inventory_default_paths();
    if (!defaults)
      rc = cli_fail("out of memory");
  }
  ag_osvdb *db = NULL;
  aigate_error err = {{0}};
  char defpath[4096] = "";
  if (!rc && !no_db) {
    if (!db_path && ag_osvdb_default_path(defpath, sizeof(defpath)))
      rc = cli_fail("no advisory database location: give --db PATH, set "
                    "AIGATE_ADVISORY_DB or use --no-db");
    else if (ag_osvdb_open(db_path ? db_path : defpath, 0, &db, &err))
      rc = cli_fail("%s", err.msg);
  }
  ag_ioc_set iocs = {0};
  if (!rc && ag_ioc_load(&iocs, iocs_dir, &err))
    rc = cli_fail("%s", err.msg);
  if (rc) {
    ag_ioc_free(&iocs);
    ag_osvdb_close(db);
    ag_inventory_free_paths(defaults);
    free(paths);
    free(homes);
    free(ignore);
    return rc;
  }
  ag_audit_options o = {.db = db,
                        .db_path = db_path ? db_path : defpath,
                        .paths = defaults ? defaults : paths,
                        .homes = homes,
                        .tmp_dir = tmp_dir,
                        .iocs = &iocs,
                        .no_hashes = no_hashes,
                        .ignore = ignore};
  ag_audit a;
  rc = ag_audit_run(&o, &a, &err);
  if (rc) {
    rc = cli_fail("audit: %s", err.msg);
  } else {
    if (db && !a.db_status.advisories)
      fprintf(stderr, "aigate: warning: the advisory database is empty; run "
                      "`aigate advisories update` or `import`\n");
    else if (db && a.db_status.imported_at &&
             time(NULL) - a.db_status.imported_at > 7 * 86400)
      fprintf(stderr,
              "aigate: warning: the advisory database is %lld days "
              "old; run `aigate advisories update`\n",
              (long long)(time(NULL) - a.db_status.imported_at) / 86400);
    if (ag_report_write(&a, (ag_report_format)fmt, stdout))
      rc = cli_fail("audit: cannot write the report");
    for (size_t i = 0; i < n_outs && !rc; i++)
      rc = write_output(&a, &outs[i]);
    if (!rc)
      rc = ag_audit_max_severity(&a) >= fail_on ? 1
           : a.inv.n_problems                   ? EXIT_USAGE
                                                : 0;
  }
  ag_audit_free(&a);
  ag_ioc_free(&iocs);
  ag_osvdb_close(db);
  ag_inventory_free_paths(defaults);
  free(paths);
  free(homes);
  free(ignore);
  return rc;
}
