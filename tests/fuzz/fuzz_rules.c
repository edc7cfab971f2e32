/*
 * fuzz_rules.c -- libFuzzer target for the rule-file loader (YAML tree
 * and rules.c) on arbitrary bytes.
 *
 * Rule files come from operators (--rules, rules.paths), not attackers,
 * but a loader that crashes on a typo is still a bug, and the YAML layer
 * is shared with the configuration loader. Only the loader runs here:
 * compiling a Hyperscan database per input would make the target too slow
 * to find anything. A loaded rule set must be well formed (what the
 * matcher and the scan assume without checking), loading the same file
 * twice must fail on duplicate ids, and nothing may leak either way.
 */
#include <string.h>

#include "common.h"
#include "internal.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  return 0;
}

static void check_rule(const ag_rule *r) {
  FUZZ_CHECK(r->id && r->family && r->category && r->message && r->file);
  FUZZ_CHECK(r->severity >= 2 && r->severity <= 5);
  FUZZ_CHECK(r->score >= 0 && r->score <= 100);
  FUZZ_CHECK(r->paranoia >= 1 && r->paranoia <= AG_MAX_PARANOIA);
  FUZZ_CHECK(r->view == AG_VIEW_RAW || r->view == AG_VIEW_FOLDED);
  FUZZ_CHECK(r->directions &&
             !(r->directions & ~(AG_DIR_INPUT | AG_DIR_OUTPUT)));
  /* Patterns or a detector, never both, never neither. */
  FUZZ_CHECK((r->n_pats > 0) != (r->detector != AG_DET_NONE));
  for (size_t i = 0; i < r->n_pats; i++)
    FUZZ_CHECK(r->pats[i].source && r->pats[i].source[0]);
  for (size_t i = 0; i < r->n_match; i++)
    FUZZ_CHECK(r->match[i]);
  for (size_t i = 0; i < r->n_no_match; i++)
    FUZZ_CHECK(r->no_match[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ag_ruleset rs;
  memset(&rs, 0, sizeof(rs));
  aigate_error err = {{0}};
  int rc =
      ag_rules_load_buffer(&rs, "fuzz.yaml", (const char *)data, size, &err);
  if (rc != AIGATE_OK) {
    /* Every failure explains itself. */
    FUZZ_CHECK(err.msg[0] != '\0');
  } else {
    for (size_t i = 0; i < rs.n_rules; i++)
      check_rule(&rs.rules[i]);
    size_t n = rs.n_rules;
    rc =
        ag_rules_load_buffer(&rs, "again.yaml", (const char *)data, size, &err);
    FUZZ_CHECK(n == 0 ? rc == AIGATE_OK : rc == AIGATE_ERR_CONFIG);
    FUZZ_CHECK(rs.n_rules >= n);
  }
  ag_ruleset_free(&rs);
  return 0;
}
