/*
 * audit.h -- `aigate audit`: the inventory (inventory.h) checked against
 * the advisory database (osv.h), with one finding per affected package
 * occurrence, what to do about it, and reports in text, JSON, Markdown
 * and SARIF 2.1.0 (report.c).
 */
#ifndef AIGATE_SUPPLY_AUDIT_H
#define AIGATE_SUPPLY_AUDIT_H

#include <stdio.h>

#include "inventory.h"
#include "ioc.h"
#include "osv.h"

typedef enum {
  AG_FIND_MALICIOUS = 0,  /* a malicious release (MAL- advisory) */
  AG_FIND_VULNERABLE = 1, /* a known vulnerability */
  AG_FIND_STARTUP = 2,    /* a startup file (.pth, sitecustomize) */
  AG_FIND_INDICATOR = 3,  /* an indicator of compromise */
  AG_FIND_INTEGRITY = 4   /* an installed file that does not match RECORD */
} ag_finding_kind;

typedef struct {
  ag_finding_kind kind;
  int severity; /* AG_SEV_* */
  char *rule;   /* the first advisory id, or the rule id */
  char *title;
  char *file;
  int line;
  char *ecosystem, *package, *version; /* NULL for non-package findings */
  char *advisories;                    /* "ID (aliases), ..." */
  char *details; /* summary of the advisory, or what was seen */
  char *fixed;   /* a version without the problem, or NULL */
  char *remediation;
  char *refs; /* newline-separated URLs */
} ag_finding;

typedef struct {
  ag_osvdb *db;           /* may be NULL: no package checks */
  const char *db_path;    /* for the report */
  char **paths;           /* NULL-terminated */
  char **homes;           /* NULL-terminated; may be NULL */
  const char *tmp_dir;    /* for temporary-file indicators; NULL: /tmp */
  const ag_ioc_set *iocs; /* may be NULL */
  int no_hashes;          /* RECORD: ownership and presence only */
  char **ignore;          /* NULL-terminated ids (advisory, alias, rule) whose
                           * findings are dropped; may be NULL */
} ag_audit_options;

typedef struct {
  ag_finding *findings;
  size_t n, cap;
  ag_inventory inv;
  size_t checked;  /* packages with a version, looked up */
  size_t unpinned; /* requirements without a pinned version */
  size_t ignored;  /* findings dropped by options.ignore */
  ag_osvdb_status db_status;
  int nomem;
} ag_audit;

/* Run the audit. Returns 0 (findings and problems in *out) or a negative
 * aigate_status (the database failed) with err set. */
int ag_audit_run(const ag_audit_options *o, ag_audit *out, aigate_error *err);
void ag_audit_free(ag_audit *a);

/* A new zeroed finding at the end of a->findings, or NULL (a->nomem). */
ag_finding *ag_audit_add(ag_audit *a);

/* The highest severity among the findings, 0 when none. */
int ag_audit_max_severity(const ag_audit *a);

const char *ag_severity_name(int sev);
/* "low".."critical" as AG_SEV_*; -1 when unknown. */
int ag_severity_parse(const char *s);

typedef enum {
  AG_REPORT_TEXT,
  AG_REPORT_JSON,
  AG_REPORT_MARKDOWN,
  AG_REPORT_SARIF
} ag_report_format;

/* "text", "json", "markdown" (or "md"), "sarif"; -1 when unknown. */
int ag_report_format_parse(const char *s);

/* Write the report; 0, or -1 on a write or allocation failure. Text from
 * advisories and files is escaped for each format (control characters in
 * text, Markdown metacharacters, JSON by Jansson). */
int ag_report_write(const ag_audit *a, ag_report_format fmt, FILE *f);

#endif
