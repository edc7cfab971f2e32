/*
 * test_report.c -- the audit's reports (src/supply/report.c) on findings
 * whose text is hostile: terminal escape sequences (C0 and C1 controls),
 * invalid UTF-8, Markdown metacharacters and table pipes, spaces and
 * unusual bytes in file names. Each format must keep the text readable
 * and harmless: text shows controls as \xNN, Markdown escapes, JSON and
 * SARIF parse back (with U+FFFD for invalid bytes), SARIF URIs are
 * percent-encoded and rule indexes point at their rules.
 */
/* cmocka.h needs these headers first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"

static const char HOSTILE[] = "evil\x1b[2J\x1b]0;pwn\x07 \xc2\x9b"
                              "31m | *bold* [x](http://e) \xff\xfe end";

static void fill(ag_audit *a) {
  memset(a, 0, sizeof(*a));
  ag_finding *f = ag_audit_add(a);
  assert_non_null(f);
  f->kind = AG_FIND_MALICIOUS;
  f->severity = AG_SEV_CRITICAL;
  f->rule = strdup("MAL-2026-2144");
  f->title = strdup(HOSTILE);
  f->file = strdup("dir with space/%weird#/METADATA");
  f->line = 3;
  f->ecosystem = strdup("PyPI");
  f->package = strdup("litellm");
  f->version = strdup("1.82.8");
  f->advisories = strdup("MAL-2026-2144 (PYSEC-2026-2)");
  f->details = strdup(HOSTILE);
  f->remediation = strdup("Remove it.");
  f->refs = strdup("https://example.org/a\nhttps://example.org/b");
  f = ag_audit_add(a);
  f->kind = AG_FIND_STARTUP;
  f->severity = AG_SEV_MEDIUM;
  f->rule = strdup("AIGATE-START-ENTRY");
  f->title = strdup("x.start runs an entry point");
  f->file = strdup("/abs/site-packages/x.start");
  f->line = 0;
  f->remediation = strdup("Check it.");
  ag_inv_problem(&a->inv, "bad\x1b.json", 7, "invalid JSON: %s", HOSTILE);
}

/* The stream's buffer and size live outside the frame: open_memstream
 * writes them at fclose. */
static char *buf;
static size_t len;

static char *render(const ag_audit *a, ag_report_format fmt) {
  buf = NULL;
  len = 0;
  FILE *f = open_memstream(&buf, &len);
  assert_non_null(f);
  assert_int_equal(ag_report_write(a, fmt, f), 0);
  fclose(f);
  return buf;
}

static void test_text(void **state) {
  (void)state;
  ag_audit a;
  fill(&a);
  char *t = render(&a, AG_REPORT_TEXT);
  assert_null(strchr(t, '\x1b'));
  assert_null(strchr(t, '\x07'));
  assert_null(strstr(t, "\xc2\x9b"));
  assert_non_null(strstr(t, "\\x1b[2J"));
  assert_non_null(strstr(t, "\\x9b"));
  assert_non_null(strstr(t, "critical (1)"));
  assert_non_null(strstr(t, "medium (1)"));
  assert_non_null(strstr(t, "dir with space/%weird#/METADATA:3"));
  assert_non_null(strstr(t, "not read (1)"));
  assert_non_null(strstr(t, "bad\\x1b.json:7"));
  free(t);
  ag_audit_free(&a);
}

static void test_markdown(void **state) {
  (void)state;
  ag_audit a;
  fill(&a);
  char *t = render(&a, AG_REPORT_MARKDOWN);
  assert_null(strchr(t, '\x1b'));
  assert_non_null(strstr(t, "\\*bold\\*"));
  assert_non_null(strstr(t, "\\[x\\]\\(http://e\\)"));
  assert_non_null(strstr(t, " \\| "));
  /* every table row has exactly four unescaped pipes */
  for (char *line = strstr(t, "| critical"); line && *line == '|';) {
    char *nl = strchr(line, '\n');
    int pipes = 0;
    for (char *p = line; p < nl; p++)
      pipes += *p == '|' && (p == line || p[-1] != '\\');
    assert_int_equal(pipes, 4);
    line = nl + 1;
  }
  free(t);
  ag_audit_free(&a);
}

static void test_json(void **state) {
  (void)state;
  ag_audit a;
  fill(&a);
  char *t = render(&a, AG_REPORT_JSON);
  json_error_t je;
  json_t *d = json_loads(t, 0, &je);
  if (!d)
    fail_msg("invalid JSON at %d: %s", je.line, je.text);
  json_t *f0 = json_array_get(json_object_get(d, "findings"), 0);
  const char *title = json_string_value(json_object_get(f0, "title"));
  assert_non_null(strstr(title, "\x1b[2J"));      /* kept, as JSON escapes */
  assert_non_null(strstr(title, "\xef\xbf\xbd")); /* invalid bytes: U+FFFD */
  assert_int_equal(json_array_size(json_object_get(f0, "references")), 2);
  assert_int_equal(json_integer_value(json_object_get(
                       json_object_get(d, "summary"), "critical")),
                   1);
  assert_int_equal(json_array_size(json_object_get(d, "errors")), 1);
  json_decref(d);
  free(t);
  ag_audit_free(&a);
}

static void test_sarif(void **state) {
  (void)state;
  ag_audit a;
  fill(&a);
  char *t = render(&a, AG_REPORT_SARIF);
  json_t *d = json_loads(t, 0, NULL);
  assert_non_null(d);
  assert_string_equal(json_string_value(json_object_get(d, "version")),
                      "2.1.0");
  json_t *run = json_array_get(json_object_get(d, "runs"), 0);
  json_t *rules = json_object_get(
      json_object_get(json_object_get(run, "tool"), "driver"), "rules");
  json_t *results = json_object_get(run, "results");
  assert_int_equal(json_array_size(results), 2);
  size_t i;
  json_t *r;
  json_array_foreach(results, i, r) {
    json_t *rule = json_array_get(
        rules, (size_t)json_integer_value(json_object_get(r, "ruleIndex")));
    assert_string_equal(json_string_value(json_object_get(r, "ruleId")),
                        json_string_value(json_object_get(rule, "id")));
  }
  json_t *loc = json_object_get(
      json_array_get(json_object_get(json_array_get(results, 0), "locations"),
                     0),
      "physicalLocation");
  assert_string_equal(json_string_value(json_object_get(
                          json_object_get(loc, "artifactLocation"), "uri")),
                      "dir%20with%20space/%25weird%23/METADATA");
  assert_int_equal(json_integer_value(json_object_get(
                       json_object_get(loc, "region"), "startLine")),
                   3);
  json_t *loc2 = json_object_get(
      json_array_get(json_object_get(json_array_get(results, 1), "locations"),
                     0),
      "physicalLocation");
  assert_string_equal(json_string_value(json_object_get(
                          json_object_get(loc2, "artifactLocation"), "uri")),
                      "file:///abs/site-packages/x.start");
  assert_null(json_object_get(loc2, "region")); /* line 0: no region */
  assert_string_equal(
      json_string_value(json_object_get(json_array_get(results, 1), "level")),
      "warning");
  json_decref(d);
  free(t);
  ag_audit_free(&a);
}

static void test_formats(void **state) {
  (void)state;
  assert_int_equal(ag_report_format_parse("md"), AG_REPORT_MARKDOWN);
  assert_int_equal(ag_report_format_parse("sarif"), AG_REPORT_SARIF);
  assert_int_equal(ag_report_format_parse("SARIF"), -1);
  assert_int_equal(ag_severity_parse("critical"), AG_SEV_CRITICAL);
  assert_int_equal(ag_severity_parse("info"), -1);
  assert_string_equal(ag_severity_name(AG_SEV_LOW), "low");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_text),    cmocka_unit_test(test_markdown),
      cmocka_unit_test(test_json),    cmocka_unit_test(test_sarif),
      cmocka_unit_test(test_formats),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
