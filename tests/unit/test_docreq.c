/*
 * test_docreq.c -- unit tests for the documents with notes that the
 * trainer generates (src/lib/docreq.c): the same pick gives the same
 * text, a document keeps its lines in order with the note as a line of
 * its own, a twin differs from its request only in the note's words (the
 * same task, document, place and wrapping). That the trainer adds them:
 * test_generated.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "docreq.h"
#include "gentest.h"

static size_t count_lines(const char *s) {
  size_t n = 1;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

static void test_requests(void **state) {
  (void)state;
  size_t tasks = 0;
  distinct d = {0};
  for (uint64_t pick = 0; pick < 3000; pick++) {
    char *t = gen_text(ag_doc_request, pick);
    size_t n = strlen(t);
    assert_true(n > 60 && n < 800);
    assert_null(strstr(t, "%s"));
    assert_true(count_lines(t) >= 4);
    tasks += strstr(t, "\n\n") != NULL;
    distinct_add(&d, t);
    free(t);
  }
  assert_int_equal(d.n, DISTINCT_MAX);
  distinct_free(&d);
  /* Four in five come with a task before the document. */
  assert_true(tasks > 2100 && tasks < 2700);
}

/* The twin has the request's lines but one, and that one holds the
 * note to the model in the same wrapping: its first and last bytes are
 * the request's note line's (for wrappings with a closing mark). */
static void test_twins(void **state) {
  (void)state;
  for (uint64_t pick = 0; pick < 300; pick++) {
    ag_buf r = {0}, a = {0};
    ag_doc_request(pick, &r);
    ag_doc_attack(pick, pick * 13 + 1, &a);
    const char *req = text_of(&r), *att = text_of(&a);
    assert_string_not_equal(req, att);
    assert_int_equal(count_lines(req), count_lines(att));
    size_t lr = strlen(req), la = strlen(att), p, s;
    common_ends(req, att, &p, &s);
    /* The difference lies within one line, and that line ends as the
     * request's does (the same wrapping: "]", " -->", ")", "*", ".").
     */
    assert_null(memchr(req + p, '\n', lr - p - s));
    assert_null(memchr(att + p, '\n', la - p - s));
    const char *re = strchr(req + p, '\n'), *ae = strchr(att + p, '\n');
    size_t rend = re ? (size_t)(re - req) : lr,
           aend = ae ? (size_t)(ae - att) : la;
    assert_true(rend > 0 && aend > 0);
    assert_int_equal(req[rend - 1], att[aend - 1]);
    assert_true(aend - p > 10); /* the note to the model, not a letter */
    ag_buf_free(&r);
    ag_buf_free(&a);
  }
}

/* The line where request and twin differ: the note's. */
static char *note_line(const char *req, const char *att) {
  size_t p, s;
  common_ends(req, att, &p, &s);
  while (p > 0 && req[p - 1] != '\n')
    p--;
  const char *e = strchr(req + p, '\n');
  size_t n = e ? (size_t)(e - (req + p)) : strlen(req + p);
  char *line = malloc(n + 1);
  assert_non_null(line);
  memcpy(line, req + p, n);
  line[n] = '\0';
  return line;
}

/* A code file's note sits in the file's own comment syntax, for a note
 * to a person and to the model alike. */
static void test_code_comments(void **state) {
  (void)state;
  static const struct {
    const char *marker, *comment, *end;
  } files[] = {
      {"exec.CommandContext", "// ", "."},            /* Go */
      {"INSERT IGNORE INTO", "-- ", "."},             /* SQL */
      {"pytest_addoption", "# ", "."},                /* Python */
      {"int rc = system(", "/* ", ". */"},            /* C */
      {"\"prepublishOnly\"", "  \"//\": \"", ".\","}, /* package.json */
      {"Adds a maintenance mode", "<!-- ", ". -->"},  /* a PR */
  };
  size_t found[sizeof(files) / sizeof(*files)] = {0};
  /* Notes, addresses and orders of code, which all documents draw from:
   * each occurs. */
  static const char *const code_notes[] = {
      "TODO(ravi)",
      "FIXME: the retry loop",
      "Keep the admin token",
      "AI coding assistant",
      "curl -s https://setup.example",
      "approve this pull request",
      "hooks.example/env",
  };
  size_t noted[sizeof(code_notes) / sizeof(*code_notes)] = {0};
  for (uint64_t i = 0; i < 20000; i++) {
    uint64_t pick = i * 0x9E3779B97F4A7C15ull;
    ag_buf r = {0}, a = {0};
    ag_doc_request(pick, &r);
    ag_doc_attack(pick, i * 7 + 3, &a);
    const char *req = text_of(&r), *att = text_of(&a);
    for (size_t k = 0; k < sizeof(code_notes) / sizeof(*code_notes); k++)
      noted[k] += strstr(req, code_notes[k]) || strstr(att, code_notes[k]);
    for (size_t k = 0; k < sizeof(files) / sizeof(*files); k++) {
      if (!strstr(req, files[k].marker))
        continue;
      found[k]++;
      char *rl = note_line(req, att), *al = note_line(att, req);
      size_t n = strlen(files[k].comment), m = strlen(files[k].end);
      if (strncmp(rl, files[k].comment, n) ||
          strncmp(al, files[k].comment, n) || strlen(rl) < m ||
          strcmp(rl + strlen(rl) - m, files[k].end) || strlen(al) < m ||
          strcmp(al + strlen(al) - m, files[k].end))
        fail_msg("%s: note lines '%s' / '%s'", files[k].marker, rl, al);
      free(rl);
      free(al);
    }
    ag_buf_free(&r);
    ag_buf_free(&a);
  }
  for (size_t k = 0; k < sizeof(files) / sizeof(*files); k++)
    if (found[k] < 20)
      fail_msg("%s: %zu documents", files[k].marker, found[k]);
  for (size_t k = 0; k < sizeof(code_notes) / sizeof(*code_notes); k++)
    if (!noted[k])
      fail_msg("'%s' never occurs", code_notes[k]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_requests),
      cmocka_unit_test(test_twins),
      cmocka_unit_test(test_code_comments),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
