/*
 * cmd_rules.c -- `aigate rules test` runs every example of every rule
 * through the full pipeline (libaigate's self-test) and `aigate rules
 * list` prints the rule set.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct {
  int verbose;
  size_t passed, failed;
} test_state;

static void on_example(void *ud, const aigate_rule_info *r, int should_match,
                       const char *example, int passed) {
  test_state *t = ud;
  passed ? t->passed++ : t->failed++;
  if (!example) {
    printf("FAIL %s (%s:%d): no %s examples\n", r->id, r->file, r->line,
           should_match ? "match" : "no_match");
    return;
  }
  if (!passed || t->verbose)
    printf("%s %s (%s:%d): %s example: %s\n", passed ? "ok  " : "FAIL", r->id,
           r->file, r->line, should_match ? "match" : "no_match", example);
}

static int rules_test(aigate_engine *e, int verbose) {
  test_state t = {verbose, 0, 0};
  int rc = aigate_rules_selftest(e, on_example, &t);
  if (rc < 0)
    return cli_fail("rules test: %s", aigate_strerror(rc));
  printf("%zu rules, %zu examples\n", aigate_rule_count(e),
         t.passed + t.failed);
  printf("%zu passed, %zu failed\n", t.passed, t.failed);
  return t.failed ? 1 : 0;
}

static int rules_list(aigate_engine *e, int json) {
  json_t *arr = json ? json_array() : NULL;
  for (size_t i = 0; i < aigate_rule_count(e); i++) {
    aigate_rule_info r;
    aigate_rule_get(e, i, &r);
    if (json)
      json_array_append_new(
          arr,
          json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:s, s:s, s:i}", "id", r.id,
                    "family", r.family, "category", r.category, "severity",
                    r.severity, "score", r.score, "paranoia", r.paranoia,
                    "message", r.message, "file", r.file, "line", r.line));
    else
      printf("%-40s %-12s %-12s sev %d  score %d  pl %d  %s\n", r.id, r.family,
             r.category, r.severity, r.score, r.paranoia, r.message);
  }
  if (json) {
    json_t *o = json_pack("{s:i, s:o}", "schema_version", AIGATE_SCHEMA_VERSION,
                          "rules", arr);
    char *s = json_dumps(o, JSON_INDENT(2));
    json_decref(o);
    if (!s)
      return cli_fail("out of memory");
    puts(s);
    free(s);
  }
  return 0;
}

int cmd_rules(int argc, char **argv) {
  if (argc < 2 || (strcmp(argv[1], "test") && strcmp(argv[1], "list"))) {
    fputs("usage: aigate rules test [-v] [--rules DIR] [-c FILE]\n"
          "       aigate rules list [--format json] [--rules DIR] [-c FILE]\n",
          stderr);
    return EXIT_USAGE;
  }
  cli_engine_opts eo = {0};
  int verbose = 0, json = 0;
  for (int i = 2; i < argc; i++) {
    int r = cli_engine_opt(argc, argv, &i, &eo);
    if (r < 0)
      return EXIT_USAGE;
    if (r)
      continue;
    if (!strcmp(argv[i], "-v"))
      verbose = 1;
    else if (!strcmp(argv[i], "--format") && i + 1 < argc &&
             (!strcmp(argv[i + 1], "json") || !strcmp(argv[i + 1], "text")))
      json = !strcmp(argv[++i], "json");
    else
      return cli_fail("rules: unknown option '%s'", argv[i]);
  }
  aigate_config *cfg;
  aigate_engine *e;
  int rc = cli_engine(&eo, &cfg, &e);
  if (rc)
    return rc;
  rc = argv[1][0] == 't' ? rules_test(e, verbose) : rules_list(e, json);
  aigate_engine_free(e);
  aigate_config_free(cfg);
  return rc;
}
