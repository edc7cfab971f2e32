/*
 * fuzz_config.c -- libFuzzer target for the configuration loader
 * (aigate_config_load_buffer) on arbitrary bytes.
 *
 * The configuration decides the policy, so the loader is strict; strict
 * parsers have many error paths, and each must free what it built. A
 * loaded configuration must also answer the questions the engine and the
 * scan ask it without checking: every profile resolves, with a paranoia
 * level and thresholds in range, and every category policy is an action
 * and a mode that exist.
 */
#include <string.h>

#include "common.h"
#include "internal.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  return 0;
}

static void check_profile(const ag_profile *p) {
  FUZZ_CHECK(p->paranoia >= 1 && p->paranoia <= AG_MAX_PARANOIA);
  for (int level = 1; level <= AG_MAX_PARANOIA; level++)
    FUZZ_CHECK(p->thresholds[level] >= 1 && p->thresholds[level] <= 10000);
  for (size_t i = 0; i < p->n_cats; i++) {
    const ag_category_policy *c = &p->cats[i];
    FUZZ_CHECK(c->name);
    aigate_action a;
    aigate_mode m;
    ag_profile_category(p, c->name, &a, &m);
    FUZZ_CHECK(a >= AIGATE_ALLOW && a <= AIGATE_BLOCK);
    FUZZ_CHECK(m >= AIGATE_MODE_ENFORCE && m <= AIGATE_MODE_OFF);
  }
  aigate_action a;
  aigate_mode m;
  ag_profile_category(p, "no-such-category", &a, &m);
  FUZZ_CHECK(a >= AIGATE_ALLOW && a <= AIGATE_BLOCK);
  FUZZ_CHECK(m >= AIGATE_MODE_ENFORCE && m <= AIGATE_MODE_OFF);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  aigate_config *cfg = NULL;
  aigate_error err = {{0}};
  int rc = aigate_config_load_buffer("fuzz.yaml", (const char *)data, size,
                                     &cfg, &err);
  if (rc != AIGATE_OK) {
    FUZZ_CHECK(cfg == NULL);
    FUZZ_CHECK(err.msg[0] != '\0');
    return 0;
  }
  FUZZ_CHECK(cfg != NULL);
  FUZZ_CHECK(aigate_config_max_input(cfg) > 0);
  FUZZ_CHECK(ag_config_profile(cfg, NULL) == &cfg->policy);
  check_profile(&cfg->policy);
  for (size_t i = 0; i < cfg->n_profiles; i++) {
    const ag_profile *p = &cfg->profiles[i];
    FUZZ_CHECK(p->name);
    FUZZ_CHECK(ag_config_profile(cfg, p->name) != NULL);
    check_profile(p);
  }
  for (size_t i = 0; i < cfg->n_rule_paths; i++)
    FUZZ_CHECK(cfg->rule_paths[i]);
  aigate_config_free(cfg);
  return 0;
}
