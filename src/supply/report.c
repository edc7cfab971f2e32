/*
 * report.c -- the audit's reports: text (a summary grouped by severity,
 * for terminals), JSON (for scripts), Markdown (for pull-request
 * comments) and SARIF 2.1.0 (for code-scanning tools).
 *
 * Everything in a finding may come from hostile input (advisory text,
 * package names and versions from lockfiles, file names), so each format
 * escapes it: control characters (terminal escape sequences) are shown as
 * \xNN in text, Markdown metacharacters are backslash-escaped, strings are
 * made valid UTF-8 before Jansson writes them, and SARIF URIs are
 * percent-encoded.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "normalize.h"

int ag_report_format_parse(const char *s) {
  if (!strcmp(s, "text"))
    return AG_REPORT_TEXT;
  if (!strcmp(s, "json"))
    return AG_REPORT_JSON;
  if (!strcmp(s, "markdown") || !strcmp(s, "md"))
    return AG_REPORT_MARKDOWN;
  if (!strcmp(s, "sarif"))
    return AG_REPORT_SARIF;
  return -1;
}

static const char *kind_name(ag_finding_kind k) {
  switch (k) {
  case AG_FIND_MALICIOUS: return "malicious-package";
  case AG_FIND_VULNERABLE: return "vulnerable-package";
  case AG_FIND_STARTUP: return "startup-file";
  case AG_FIND_INDICATOR: return "indicator";
  case AG_FIND_INTEGRITY: return "integrity";
  }
  return "unknown";
}

/* A Jansson string of s with invalid UTF-8 replaced by U+FFFD; NULL s
 * gives JSON null. */
static json_t *jstr(const char *s) {
  if (!s)
    return json_null();
  char *out = ag_utf8_copy(s, strlen(s));
  json_t *j = out ? json_string(out) : NULL;
  free(out);
  return j;
}

/* Text for a terminal: control characters (C0, DEL, C1) as \xNN. */
static void put_text(FILE *f, const char *s) {
  const unsigned char *u = (const unsigned char *)(s ? s : "");
  for (; *u; u++) {
    if (*u < 0x20 || *u == 0x7f)
      fprintf(f, "\\x%02x", *u);
    else if (*u == 0xC2 && u[1] >= 0x80 && u[1] <= 0x9F) {
      fprintf(f, "\\x%02x", u[1]);
      u++;
    } else
      fputc(*u, f);
  }
}

/* Markdown inline text: metacharacters escaped, line breaks as spaces,
 * control characters dropped. */
static void put_md(FILE *f, const char *s) {
  const unsigned char *u = (const unsigned char *)(s ? s : "");
  for (; *u; u++) {
    if (*u == '\n' || *u == '\r' || *u == '\t')
      fputc(' ', f);
    else if (*u < 0x20 || *u == 0x7f)
      continue;
    else if (strchr("\\`*_{}[]()<>#+-.!|~&\"'", *u))
      fprintf(f, "\\%c", *u);
    else
      fputc(*u, f);
  }
}

static size_t count_sev(const ag_audit *a, int sev) {
  size_t n = 0;
  for (size_t i = 0; i < a->n; i++)
    n += a->findings[i].severity == sev;
  return n;
}

static long long db_age_days(const ag_audit *a) {
  if (!a->db_status.imported_at)
    return -1;
  return (long long)(time(NULL) - a->db_status.imported_at) / 86400;
}

static void text_location(FILE *f, const ag_finding *x) {
  fputs("    at ", f);
  put_text(f, x->file);
  if (x->line > 0)
    fprintf(f, ":%d", x->line);
  fputc('\n', f);
}

static int write_text(const ag_audit *a, FILE *f) {
  fprintf(f,
          "aigate audit: %zu finding%s in %zu packages (%zu checked against "
          "advisories) from %zu files\n",
          a->n, a->n == 1 ? "" : "s", a->inv.n_pkgs, a->checked, a->inv.files);
  if (a->db_status.advisories || a->db_status.imported_at)
    fprintf(f, "advisory database: %lld advisories, updated %lld days ago\n",
            (long long)a->db_status.advisories, db_age_days(a));
  if (a->unpinned)
    fprintf(f, "%zu requirements without a pinned version were not checked\n",
            a->unpinned);
  if (a->ignored)
    fprintf(f, "%zu findings ignored (--ignore)\n", a->ignored);
  static const int sevs[] = {AG_SEV_CRITICAL, AG_SEV_HIGH, AG_SEV_MEDIUM,
                             AG_SEV_LOW};
  for (int s = 0; s < 4; s++) {
    size_t n = count_sev(a, sevs[s]);
    if (!n)
      continue;
    fprintf(f, "\n%s (%zu)\n", ag_severity_name(sevs[s]), n);
    for (size_t i = 0; i < a->n; i++) {
      const ag_finding *x = &a->findings[i];
      if (x->severity != sevs[s])
        continue;
      fputs("  ", f);
      put_text(f, x->title);
      fputc('\n', f);
      text_location(f, x);
      if (x->advisories) {
        fputs("    advisories: ", f);
        put_text(f, x->advisories);
        fputc('\n', f);
      }
      if (x->details && *x->details) {
        fputs("    details: ", f);
        put_text(f, x->details);
        fputc('\n', f);
      }
      if (x->remediation) {
        fputs("    what to do: ", f);
        put_text(f, x->remediation);
        fputc('\n', f);
      }
    }
  }
  if (a->inv.n_problems) {
    fprintf(f, "\nnot read (%zu):\n", a->inv.n_problems);
    for (size_t i = 0; i < a->inv.n_problems; i++) {
      const ag_problem *p = &a->inv.problems[i];
      fputs("  ", f);
      put_text(f, p->file);
      if (p->line > 0)
        fprintf(f, ":%d", p->line);
      fputs(": ", f);
      put_text(f, p->message);
      fputc('\n', f);
    }
  }
  if (!a->n)
    fputs("no findings\n", f);
  return 0;
}

static json_t *finding_json(const ag_finding *x) {
  json_t *o = json_object();
  json_object_set_new(o, "kind", json_string(kind_name(x->kind)));
  json_object_set_new(o, "severity",
                      json_string(ag_severity_name(x->severity)));
  json_object_set_new(o, "rule", jstr(x->rule));
  json_object_set_new(o, "title", jstr(x->title));
  json_object_set_new(o, "file", jstr(x->file));
  json_object_set_new(o, "line", json_integer(x->line));
  if (x->package) {
    json_object_set_new(o, "ecosystem", jstr(x->ecosystem));
    json_object_set_new(o, "package", jstr(x->package));
    json_object_set_new(o, "version", jstr(x->version));
    json_object_set_new(o, "advisories", jstr(x->advisories));
    json_object_set_new(o, "fixed", jstr(x->fixed));
  }
  json_object_set_new(o, "details", jstr(x->details));
  json_object_set_new(o, "remediation", jstr(x->remediation));
  json_t *refs = json_array();
  if (x->refs) {
    const char *p = x->refs;
    while (*p) {
      size_t l = strcspn(p, "\n");
      char *u = strndup(p, l);
      if (u)
        json_array_append_new(refs, jstr(u));
      free(u);
      p += l + (p[l] == '\n');
    }
  }
  json_object_set_new(o, "references", refs);
  return o;
}

static int write_json(const ag_audit *a, FILE *f) {
  json_t *root = json_object();
  json_object_set_new(root, "schema_version", json_integer(1));
  json_object_set_new(root, "tool", json_string("aigate " AIGATE_VERSION));
  json_t *db = json_object();
  json_object_set_new(db, "advisories", json_integer(a->db_status.advisories));
  json_object_set_new(db, "imported_at",
                      json_integer(a->db_status.imported_at));
  json_object_set_new(db, "age_days", json_integer(db_age_days(a)));
  json_object_set_new(root, "database", db);
  json_t *sum = json_object();
  json_object_set_new(sum, "packages", json_integer((json_int_t)a->inv.n_pkgs));
  json_object_set_new(sum, "checked", json_integer((json_int_t)a->checked));
  json_object_set_new(sum, "unpinned", json_integer((json_int_t)a->unpinned));
  json_object_set_new(sum, "files", json_integer((json_int_t)a->inv.files));
  json_object_set_new(sum, "findings", json_integer((json_int_t)a->n));
  json_object_set_new(sum, "ignored", json_integer((json_int_t)a->ignored));
  for (int s = AG_SEV_LOW; s <= AG_SEV_CRITICAL; s++)
    json_object_set_new(sum, ag_severity_name(s),
                        json_integer((json_int_t)count_sev(a, s)));
  json_object_set_new(root, "summary", sum);
  json_t *arr = json_array();
  for (size_t i = 0; i < a->n; i++)
    json_array_append_new(arr, finding_json(&a->findings[i]));
  json_object_set_new(root, "findings", arr);
  json_t *errs = json_array();
  for (size_t i = 0; i < a->inv.n_problems; i++) {
    const ag_problem *p = &a->inv.problems[i];
    json_t *e = json_object();
    json_object_set_new(e, "file", jstr(p->file));
    json_object_set_new(e, "line", json_integer(p->line));
    json_object_set_new(e, "message", jstr(p->message));
    json_array_append_new(errs, e);
  }
  json_object_set_new(root, "errors", errs);
  /* the whole inventory, each package with where it was found */
  json_t *pkgs = json_array();
  static const char *const sources[] = {"installed", "lockfile", "manifest"};
  for (size_t i = 0; i < a->inv.n_pkgs; i++) {
    const ag_package *p = &a->inv.pkgs[i];
    json_t *o = json_object();
    json_object_set_new(o, "ecosystem", json_string(ag_ecosystem_name(p->eco)));
    json_object_set_new(o, "name", jstr(p->name));
    json_object_set_new(o, "version", jstr(p->version));
    json_object_set_new(o, "source", json_string(sources[p->source]));
    json_object_set_new(o, "file", jstr(p->file));
    json_object_set_new(o, "line", json_integer(p->line));
    json_array_append_new(pkgs, o);
  }
  json_object_set_new(root, "packages", pkgs);
  int rc = json_dumpf(root, f, JSON_INDENT(2)) ? -1 : 0;
  fputc('\n', f);
  json_decref(root);
  return rc;
}

static int write_markdown(const ag_audit *a, FILE *f) {
  fputs("# aigate audit\n\n", f);
  fprintf(f,
          "%zu findings in %zu packages (%zu checked against advisories) "
          "from %zu files.\n\n",
          a->n, a->inv.n_pkgs, a->checked, a->inv.files);
  if (a->n) {
    fputs("| severity | finding | where |\n|---|---|---|\n", f);
    for (size_t i = 0; i < a->n; i++) {
      const ag_finding *x = &a->findings[i];
      fprintf(f, "| %s | ", ag_severity_name(x->severity));
      put_md(f, x->title);
      fputs(" | `", f);
      /* inside a code span only the backtick and the pipe matter */
      for (const char *p = x->file; p && *p; p++)
        if (*p != '`' && *p != '|' && (unsigned char)*p >= 0x20)
          fputc(*p, f);
      if (x->line > 0)
        fprintf(f, ":%d", x->line);
      fputs("` |\n", f);
    }
    for (size_t i = 0; i < a->n; i++) {
      const ag_finding *x = &a->findings[i];
      fprintf(f, "\n## %s: ", ag_severity_name(x->severity));
      put_md(f, x->title);
      fputs("\n\n", f);
      if (x->advisories) {
        fputs("- Advisories: ", f);
        put_md(f, x->advisories);
        fputc('\n', f);
      }
      if (x->details && *x->details) {
        fputs("- Details: ", f);
        put_md(f, x->details);
        fputc('\n', f);
      }
      if (x->remediation) {
        fputs("- What to do: ", f);
        put_md(f, x->remediation);
        fputc('\n', f);
      }
    }
  }
  if (a->inv.n_problems) {
    fputs("\n## Not read\n\n", f);
    for (size_t i = 0; i < a->inv.n_problems; i++) {
      const ag_problem *p = &a->inv.problems[i];
      fputs("- ", f);
      put_md(f, p->file);
      if (p->line > 0)
        fprintf(f, ":%d", p->line);
      fputs(": ", f);
      put_md(f, p->message);
      fputc('\n', f);
    }
  }
  return 0;
}

/* A relative or absolute path as a URI reference: unreserved characters
 * and '/' as they are, everything else percent-encoded. */
static json_t *uri(const char *path) {
  size_t n = strlen(path);
  char *out = malloc(n * 3 + 8), *o = out;
  if (!out)
    return NULL;
  if (path[0] == '/') {
    memcpy(o, "file://", 7);
    o += 7;
  }
  for (const unsigned char *u = (const unsigned char *)path; *u; u++) {
    if ((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z') ||
        (*u >= '0' && *u <= '9') || strchr("-._~/", *u))
      *o++ = (char)*u;
    else
      o += sprintf(o, "%%%02X", *u);
  }
  *o = '\0';
  json_t *j = json_string(out);
  free(out);
  return j;
}

static const char *sarif_level(int sev) {
  return sev >= AG_SEV_HIGH     ? "error"
         : sev == AG_SEV_MEDIUM ? "warning"
                                : "note";
}

static const char *security_severity(int sev) {
  return sev == AG_SEV_CRITICAL ? "9.5"
         : sev == AG_SEV_HIGH   ? "8.0"
         : sev == AG_SEV_MEDIUM ? "5.5"
                                : "3.0";
}

static json_t *location(const char *file, int line) {
  json_t *phys = json_object();
  json_object_set_new(phys, "artifactLocation",
                      json_pack("{s:o}", "uri", uri(file)));
  if (line > 0)
    json_object_set_new(phys, "region", json_pack("{s:i}", "startLine", line));
  return json_pack("{s:o}", "physicalLocation", phys);
}

static int write_sarif(const ag_audit *a, FILE *f) {
  json_t *rules = json_array(), *results = json_array();
  json_t *index = json_object(); /* rule id -> index */
  for (size_t i = 0; i < a->n; i++) {
    const ag_finding *x = &a->findings[i];
    const char *rid = x->rule ? x->rule : kind_name(x->kind);
    json_t *idx = json_object_get(index, rid);
    if (!idx) {
      idx = json_integer((json_int_t)json_array_size(rules));
      json_object_set_new(index, rid, idx);
      json_t *r = json_object();
      json_object_set_new(r, "id", jstr(rid));
      json_object_set_new(
          r, "shortDescription",
          json_pack("{s:o}", "text",
                    jstr(x->details && *x->details ? x->details : x->title)));
      json_object_set_new(
          r, "defaultConfiguration",
          json_pack("{s:s}", "level", sarif_level(x->severity)));
      if (x->remediation)
        json_object_set_new(r, "help",
                            json_pack("{s:o}", "text", jstr(x->remediation)));
      json_object_set_new(r, "properties",
                          json_pack("{s:s, s:[s, s]}", "security-severity",
                                    security_severity(x->severity), "tags",
                                    "security", kind_name(x->kind)));
      json_array_append_new(rules, r);
    }
    json_t *res = json_object();
    json_object_set_new(res, "ruleId", jstr(rid));
    json_object_set_new(res, "ruleIndex",
                        json_integer(json_integer_value(idx)));
    json_object_set_new(res, "level", json_string(sarif_level(x->severity)));
    json_t *msg = jstr(x->title);
    json_object_set_new(res, "message", json_pack("{s:o}", "text", msg));
    json_object_set_new(res, "locations",
                        json_pack("[o]", location(x->file, x->line)));
    json_t *props = json_object();
    json_object_set_new(props, "severity",
                        json_string(ag_severity_name(x->severity)));
    if (x->package) {
      json_object_set_new(props, "package", jstr(x->package));
      json_object_set_new(props, "version", jstr(x->version));
      json_object_set_new(props, "ecosystem", jstr(x->ecosystem));
      json_object_set_new(props, "advisories", jstr(x->advisories));
    }
    json_object_set_new(res, "properties", props);
    json_array_append_new(results, res);
  }
  json_decref(index);
  json_t *notes = json_array();
  for (size_t i = 0; i < a->inv.n_problems; i++) {
    const ag_problem *p = &a->inv.problems[i];
    json_array_append_new(notes,
                          json_pack("{s:s, s:{s:o}, s:[o]}", "level", "error",
                                    "message", "text", jstr(p->message),
                                    "locations", location(p->file, p->line)));
  }
  json_t *driver = json_pack("{s:s, s:s, s:o}", "name", "aigate", "version",
                             AIGATE_VERSION, "rules", rules);
  json_t *run =
      json_pack("{s:{s:o}, s:o, s:[{s:b, s:o}]}", "tool", "driver", driver,
                "results", results, "invocations", "executionSuccessful", 1,
                "toolExecutionNotifications", notes);
  json_t *root = json_pack("{s:s, s:s, s:[o]}", "$schema",
                           "https://json.schemastore.org/sarif-2.1.0.json",
                           "version", "2.1.0", "runs", run);
  if (!root)
    return -1;
  int rc = json_dumpf(root, f, JSON_INDENT(2)) ? -1 : 0;
  fputc('\n', f);
  json_decref(root);
  return rc;
}

int ag_report_write(const ag_audit *a, ag_report_format fmt, FILE *f) {
  int rc;
  switch (fmt) {
  case AG_REPORT_JSON: rc = write_json(a, f); break;
  case AG_REPORT_MARKDOWN: rc = write_markdown(a, f); break;
  case AG_REPORT_SARIF: rc = write_sarif(a, f); break;
  default: rc = write_text(a, f); break;
  }
  if (fflush(f) || ferror(f))
    rc = -1;
  return rc;
}
