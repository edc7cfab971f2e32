/*
 * test_config.c -- unit tests for the configuration loader (src/lib/config.c)
 * and for the checks the engine makes of a configuration against its rules
 * (src/lib/engine.c, src/lib/rules.c).
 *
 * A complete valid configuration (policy with paranoia, fail mode,
 * thresholds and categories including the `pii: redact` shorthand; profiles
 * with inheritance chains, including a forward reference; rule paths,
 * disable/enable lists and overrides; limits) must load with every value in
 * place, as seen through ag_config_profile and ag_profile_category. Every
 * kind of mistake must fail with "name:LINE: message": the loader is strict
 * so that a typo in a security policy is never silently ignored. Engines are
 * built from a small rule file written into a temporary directory, never
 * from the bundled rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* ------------------------------------------------------------ helpers */

static aigate_error err;

static aigate_config *load(const char *yaml) {
  aigate_config *cfg = NULL;
  memset(&err, 0, sizeof(err));
  int rc = aigate_config_load_buffer("c.yaml", yaml, strlen(yaml), &cfg, &err);
  if (rc)
    fail_msg("config did not load (%d): %s", rc, err.msg);
  assert_non_null(cfg);
  return cfg;
}

/* Loading must fail with exactly `want` as the message. */
static void expect_error(const char *yaml, const char *want) {
  aigate_config *cfg = (aigate_config *)1;
  memset(&err, 0, sizeof(err));
  int rc = aigate_config_load_buffer("c.yaml", yaml, strlen(yaml), &cfg, &err);
  if (rc != AIGATE_ERR_CONFIG || strcmp(err.msg, want) != 0)
    fail_msg("rc %d, message '%s', want '%s'", rc, err.msg, want);
  assert_null(cfg);
}

/* Loading must fail with a message starting with `prefix` and containing
 * `part`. */
static void expect_error_like(const char *yaml, const char *prefix,
                              const char *part) {
  aigate_config *cfg = (aigate_config *)1;
  memset(&err, 0, sizeof(err));
  int rc = aigate_config_load_buffer("c.yaml", yaml, strlen(yaml), &cfg, &err);
  if (rc != AIGATE_ERR_CONFIG || strncmp(err.msg, prefix, strlen(prefix)) ||
      !strstr(err.msg, part))
    fail_msg("rc %d, message '%s', want '%s...%s'", rc, err.msg, prefix, part);
  assert_null(cfg);
}

static void category(const ag_profile *p, const char *name,
                     aigate_action want_action, aigate_mode want_mode) {
  aigate_action a;
  aigate_mode m;
  ag_profile_category(p, name, &a, &m);
  if (a != want_action || m != want_mode)
    fail_msg("profile %s, category %s: action %d mode %d, want %d %d",
             p->name ? p->name : "(policy)", name, a, m, want_action,
             want_mode);
}

/* A temporary directory with one rule file, for engine tests. */
static char tmpdir[256];
static char rulesdir[300];

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
  assert_int_equal(fclose(f), 0);
}

static const char RULES[] = "family: injection\n"
                            "view: folded\n"
                            "rules:\n"
                            "  - id: inj-ignore\n"
                            "    category: injection\n"
                            "    severity: high\n"
                            "    patterns:\n"
                            "      - literal: 'ignore previous instructions'\n"
                            "    examples:\n"
                            "      match: ['ignore previous instructions']\n"
                            "      no_match: ['follow the instructions']\n"
                            "  - id: inj-other\n"
                            "    category: jailbreak\n"
                            "    severity: low\n"
                            "    paranoia: 2\n"
                            "    patterns:\n"
                            "      - literal: 'developer mode'\n"
                            "    examples:\n"
                            "      match: ['developer mode']\n"
                            "      no_match: ['developer']\n";

static int setup(void **state) {
  (void)state;
  const char *base = getenv("TMPDIR");
  snprintf(tmpdir, sizeof(tmpdir), "%s/aigate-config-XXXXXX",
           base && *base ? base : "/tmp");
  if (!mkdtemp(tmpdir))
    return -1;
  snprintf(rulesdir, sizeof(rulesdir), "%s/rules", tmpdir);
  if (mkdir(rulesdir, 0700) < 0)
    return -1;
  char path[400];
  snprintf(path, sizeof(path), "%s/inj.yaml", rulesdir);
  write_file(path, RULES);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  rm_tree(tmpdir);
  return 0;
}

/* Build an engine from the temporary rules with cfg; returns the status. */
static int build(const aigate_config *cfg, aigate_engine **e) {
  aigate_engine_options opt = {
      .config = cfg, .rules_dir = rulesdir, .cache_dir = ""};
  memset(&err, 0, sizeof(err));
  return aigate_engine_new(&opt, e, &err);
}

/* ------------------------------------------------------- valid configs */

static const char FULL[] =
    "version: 1\n"                                    /* 1 */
    "policy:\n"                                       /* 2 */
    "  paranoia: 3\n"                                 /* 3 */
    "  fail_mode: open\n"                             /* 4 */
    "  thresholds:\n"                                 /* 5 */
    "    1: 7\n"                                      /* 6 */
    "    3: 6\n"                                      /* 7 */
    "  categories:\n"                                 /* 8 */
    "    injection: {action: block, mode: enforce}\n" /* 9 */
    "    pii: redact\n"                               /* 10 */
    "    secrets: {mode: detect-only}\n"              /* 11 */
    "    obfuscation: {action: log, mode: off}\n"     /* 12 */
    "profiles:\n"                                     /* 13 */
    "  tools:\n"                                      /* 14 */
    "    inherits: strict\n"                          /* 15 */
    "    categories:\n"                               /* 16 */
    "      pii: {mode: off}\n"                        /* 17 */
    "      injection: log\n"                          /* 18 */
    "  strict:\n"                                     /* 19 */
    "    inherits: default\n"                         /* 20 */
    "    paranoia: 4\n"                               /* 21 */
    "    fail_mode: closed\n"                         /* 22 */
    "  relaxed:\n"                                    /* 23 */
    "    paranoia: 1\n"                               /* 24 */
    "    thresholds: {1: 10}\n"                       /* 25 */
    "    categories:\n"                               /* 26 */
    "      injection: {mode: detect-only}\n"          /* 27 */
    "rules:\n"                                        /* 28 */
    "  paths: [/etc/aigate/rules.d, extra.yaml]\n"    /* 29 */
    "  disable: [r-one]\n"                            /* 30 */
    "  enable: [r-two]\n"                             /* 31 */
    "  overrides:\n"                                  /* 32 */
    "    r-three: {score: 1, paranoia: 3, severity: high, enabled: false}\n"
    "    r-four: {severity: low}\n" /* 34 */
    "limits:\n"                     /* 35 */
    "  max_input_bytes: 1000\n"     /* 36 */
    "  max_decoded_bytes: 500\n"    /* 37 */
    "  decode_depth: 1\n";          /* 38 */

static void test_full_config(void **state) {
  (void)state;
  aigate_config *cfg = load(FULL);
  assert_string_equal(cfg->name, "c.yaml");

  /* The policy. */
  const ag_profile *p = ag_config_profile(cfg, NULL);
  assert_ptr_equal(p, &cfg->policy);
  assert_ptr_equal(ag_config_profile(cfg, "default"), p);
  assert_int_equal(p->paranoia, 3);
  assert_int_equal(p->fail_open, 1);
  assert_int_equal(p->thresholds[1], 7);
  assert_int_equal(p->thresholds[2], 5); /* default kept */
  assert_int_equal(p->thresholds[3], 6);
  assert_int_equal(p->thresholds[4], 3); /* default kept */
  category(p, "injection", AIGATE_BLOCK, AIGATE_MODE_ENFORCE);
  category(p, "pii", AIGATE_REDACT, AIGATE_MODE_ENFORCE);
  category(p, "secrets", AIGATE_REDACT, AIGATE_MODE_DETECT_ONLY);
  category(p, "obfuscation", AIGATE_LOG, AIGATE_MODE_OFF);
  category(p, "jailbreak", AIGATE_BLOCK, AIGATE_MODE_ENFORCE);
  category(p, "something-new", AIGATE_LOG, AIGATE_MODE_ENFORCE);
  assert_int_equal(p->n_cats, 4);
  assert_int_equal(p->cats[0].line, 9);
  assert_int_equal(p->cats[1].line, 10);

  /* strict inherits the policy and changes paranoia and fail mode. */
  const ag_profile *strict = ag_config_profile(cfg, "strict");
  assert_non_null(strict);
  assert_string_equal(strict->name, "strict");
  assert_string_equal(strict->inherits, "default");
  assert_int_equal(strict->line, 19);
  assert_int_equal(strict->paranoia, 4);
  assert_int_equal(strict->fail_open, 0);
  assert_int_equal(strict->thresholds[1], 7);
  assert_int_equal(strict->thresholds[3], 6);
  category(strict, "pii", AIGATE_REDACT, AIGATE_MODE_ENFORCE);
  category(strict, "secrets", AIGATE_REDACT, AIGATE_MODE_DETECT_ONLY);

  /* tools inherits strict, defined after it in the file. */
  const ag_profile *tools = ag_config_profile(cfg, "tools");
  assert_non_null(tools);
  assert_string_equal(tools->inherits, "strict");
  assert_int_equal(tools->paranoia, 4);
  assert_int_equal(tools->fail_open, 0);
  category(tools, "pii", AIGATE_REDACT, AIGATE_MODE_OFF);
  category(tools, "injection", AIGATE_LOG, AIGATE_MODE_ENFORCE);
  category(tools, "secrets", AIGATE_REDACT, AIGATE_MODE_DETECT_ONLY);
  category(tools, "obfuscation", AIGATE_LOG, AIGATE_MODE_OFF);

  /* relaxed has no `inherits`: it starts from the policy. */
  const ag_profile *relaxed = ag_config_profile(cfg, "relaxed");
  assert_non_null(relaxed);
  assert_null(relaxed->inherits);
  assert_int_equal(relaxed->paranoia, 1);
  assert_int_equal(relaxed->fail_open, 1);
  assert_int_equal(relaxed->thresholds[1], 10);
  assert_int_equal(relaxed->thresholds[3], 6);
  category(relaxed, "injection", AIGATE_BLOCK, AIGATE_MODE_DETECT_ONLY);
  category(relaxed, "pii", AIGATE_REDACT, AIGATE_MODE_ENFORCE);

  assert_null(ag_config_profile(cfg, "nope"));
  assert_null(ag_config_profile(cfg, ""));
  assert_int_equal(cfg->n_profiles, 3);
  /* The policy itself is unchanged by its profiles. */
  category(p, "injection", AIGATE_BLOCK, AIGATE_MODE_ENFORCE);
  assert_int_equal(p->paranoia, 3);

  /* Rules. */
  assert_int_equal(cfg->n_rule_paths, 2);
  assert_string_equal(cfg->rule_paths[0], "/etc/aigate/rules.d");
  assert_string_equal(cfg->rule_paths[1], "extra.yaml");
  assert_int_equal(cfg->n_overrides, 4);
  const ag_rule_override *o = cfg->overrides;
  assert_string_equal(o[0].id, "r-one");
  assert_int_equal(o[0].disabled, 1);
  assert_int_equal(o[0].line, 30);
  assert_int_equal(o[0].score, -1);
  assert_string_equal(o[1].id, "r-two");
  assert_int_equal(o[1].disabled, 0);
  assert_int_equal(o[1].line, 31);
  assert_string_equal(o[2].id, "r-three");
  assert_int_equal(o[2].score, 1);
  assert_int_equal(o[2].paranoia, 3);
  assert_int_equal(o[2].severity, 4);
  assert_int_equal(o[2].disabled, 1);
  assert_int_equal(o[2].line, 33);
  assert_string_equal(o[3].id, "r-four");
  assert_int_equal(o[3].severity, 2);
  assert_int_equal(o[3].score, -1);
  assert_int_equal(o[3].paranoia, -1);
  assert_int_equal(o[3].disabled, -1);

  /* Limits. */
  assert_int_equal(cfg->max_input, 1000);
  assert_int_equal(aigate_config_max_input(cfg), 1000);
  assert_int_equal(cfg->decode_budget, 500);
  assert_int_equal(cfg->decode_depth, 1);
  aigate_config_free(cfg);
}

static void test_defaults(void **state) {
  (void)state;
  aigate_config *cfg = NULL;
  assert_int_equal(aigate_config_default(&cfg, &err), AIGATE_OK);
  assert_string_equal(cfg->name, "<default>");
  const ag_profile *p = ag_config_profile(cfg, NULL);
  assert_int_equal(p->paranoia, 2);
  assert_int_equal(p->fail_open, 0);
  assert_int_equal(p->thresholds[1], 5);
  assert_int_equal(p->thresholds[2], 5);
  assert_int_equal(p->thresholds[3], 4);
  assert_int_equal(p->thresholds[4], 3);
  category(p, "injection", AIGATE_BLOCK, AIGATE_MODE_ENFORCE);
  category(p, "jailbreak", AIGATE_BLOCK, AIGATE_MODE_ENFORCE);
  category(p, "secrets", AIGATE_REDACT, AIGATE_MODE_ENFORCE);
  category(p, "pii", AIGATE_REDACT, AIGATE_MODE_ENFORCE);
  category(p, "obfuscation", AIGATE_LOG, AIGATE_MODE_ENFORCE);
  assert_int_equal(aigate_config_max_input(cfg), (size_t)64 << 20);
  assert_int_equal(cfg->decode_depth, 3);
  assert_int_equal(cfg->decode_budget, (size_t)1 << 20);
  assert_int_equal(cfg->n_profiles, 0);
  assert_int_equal(cfg->n_overrides, 0);
  aigate_config_free(cfg);
  assert_int_equal(aigate_config_max_input(NULL), (size_t)64 << 20);

  /* An empty file, or comments only, is the default configuration. */
  cfg = load("");
  assert_int_equal(cfg->policy.paranoia, 2);
  aigate_config_free(cfg);
  cfg = load("# nothing configured\n");
  assert_int_equal(cfg->policy.paranoia, 2);
  aigate_config_free(cfg);
  cfg = NULL;
  assert_int_equal(aigate_config_load_buffer("n", NULL, 0, &cfg, &err), 0);
  aigate_config_free(cfg);

  /* Bad arguments. */
  assert_int_equal(aigate_config_load_buffer(NULL, "", 0, &cfg, &err),
                   AIGATE_ERR_INVALID);
  assert_int_equal(aigate_config_load_buffer("n", NULL, 3, &cfg, &err),
                   AIGATE_ERR_INVALID);
  aigate_config_free(NULL);
}

static void test_later_entries_override(void **state) {
  (void)state;
  /* A profile's own category entries win over inherited ones, key by
   * key: the mode changes, the inherited action stays. */
  aigate_config *cfg = load("policy:\n"
                            "  categories:\n"
                            "    pii: {action: log, mode: detect-only}\n"
                            "profiles:\n"
                            "  a:\n"
                            "    categories:\n"
                            "      pii: {mode: enforce}\n"
                            "  b:\n"
                            "    inherits: a\n"
                            "    categories:\n"
                            "      pii: block\n");
  category(&cfg->policy, "pii", AIGATE_LOG, AIGATE_MODE_DETECT_ONLY);
  category(ag_config_profile(cfg, "a"), "pii", AIGATE_LOG, AIGATE_MODE_ENFORCE);
  category(ag_config_profile(cfg, "b"), "pii", AIGATE_BLOCK,
           AIGATE_MODE_ENFORCE);
  aigate_config_free(cfg);
}

static void test_inherit_depth(void **state) {
  (void)state;
  /* A chain of nine profiles (p0 -> p1 -> ... -> p8 -> default) loads:
   * p8 is eight levels below p0. */
  char yaml[2048];
  size_t n = (size_t)snprintf(yaml, sizeof(yaml), "profiles:\n");
  for (int i = 0; i < 9; i++) {
    if (i < 8)
      n += (size_t)snprintf(yaml + n, sizeof(yaml) - n,
                            "  p%d:\n    inherits: p%d\n", i, i + 1);
    else
      n += (size_t)snprintf(yaml + n, sizeof(yaml) - n,
                            "  p%d:\n    paranoia: 4\n", i);
  }
  aigate_config *cfg = load(yaml);
  assert_int_equal(ag_config_profile(cfg, "p0")->paranoia, 4);
  assert_string_equal(ag_config_profile(cfg, "p0")->inherits, "p1");
  aigate_config_free(cfg);

  /* One more level is too deep. */
  n = (size_t)snprintf(yaml, sizeof(yaml), "profiles:\n");
  for (int i = 0; i < 10; i++)
    n += (size_t)snprintf(yaml + n, sizeof(yaml) - n,
                          i < 9 ? "  p%d:\n    inherits: p%d\n"
                                : "  p%d:\n    paranoia: 4\n",
                          i, i + 1);
  expect_error_like(yaml, "c.yaml:", "inherits in a cycle or too deeply");
}

static void test_load_file(void **state) {
  (void)state;
  char path[400];
  snprintf(path, sizeof(path), "%s/aigate.yaml", tmpdir);
  write_file(path, "policy:\n  paranoia: 4\n");
  aigate_config *cfg = NULL;
  assert_int_equal(aigate_config_load_file(path, &cfg, &err), AIGATE_OK);
  assert_int_equal(cfg->policy.paranoia, 4);
  assert_string_equal(cfg->name, path);
  aigate_config_free(cfg);

  /* Errors name the file by its path. */
  write_file(path, "policy:\n  paranoia: 9\n");
  assert_int_equal(aigate_config_load_file(path, &cfg, &err),
                   AIGATE_ERR_CONFIG);
  assert_null(cfg);
  char want[600];
  snprintf(want, sizeof(want), "%s:2: paranoia must be between 1 and 4", path);
  assert_string_equal(err.msg, want);

  /* A missing file is an I/O error naming it; so is a directory. */
  snprintf(path, sizeof(path), "%s/missing.yaml", tmpdir);
  assert_int_equal(aigate_config_load_file(path, &cfg, &err), AIGATE_ERR_IO);
  assert_null(cfg);
  assert_non_null(strstr(err.msg, path));
  assert_int_equal(aigate_config_load_file(tmpdir, &cfg, &err), AIGATE_ERR_IO);
  assert_null(cfg);
}

/* ------------------------------------------------------------ mistakes */

static void test_unknown_keys(void **state) {
  (void)state;
  expect_error("version: 1\nfoo: 2\n",
               "c.yaml:2: unknown key 'foo' (version, policy, profiles, "
               "rules, limits, classifier)");
  expect_error("policy:\n  paranoia: 2\n  colour: red\n",
               "c.yaml:3: unknown key 'colour' in policy (paranoia, "
               "fail_mode, thresholds, categories, exfiltration, tools, "
               "code_blocks, leak, spotlight)");
  /* `inherits` belongs to profiles, not to the policy. */
  expect_error("policy:\n  inherits: default\n",
               "c.yaml:2: unknown key 'inherits' in policy (paranoia, "
               "fail_mode, thresholds, categories, exfiltration, tools, "
               "code_blocks, leak, spotlight)");
  expect_error("profiles:\n  p:\n    paranoai: 3\n",
               "c.yaml:3: unknown key 'paranoai' in a profile (paranoia, "
               "fail_mode, thresholds, categories, exfiltration, tools, "
               "code_blocks, leak, spotlight, inherits)");
  expect_error("policy:\n  categories:\n    pii: {action: log, level: 3}\n",
               "c.yaml:3: unknown key 'level' in category 'pii' (action, "
               "mode)");
  expect_error("rules:\n  dirs: [x]\n",
               "c.yaml:2: unknown key 'dirs' in rules (paths, disable, "
               "enable, overrides)");
  expect_error("rules:\n  overrides:\n    r: {weight: 3}\n",
               "c.yaml:3: unknown key 'weight' in a rule override (score, "
               "severity, paranoia, enabled)");
  expect_error("limits:\n  max_output_bytes: 3\n",
               "c.yaml:2: unknown key 'max_output_bytes' in limits "
               "(max_input_bytes, max_decoded_bytes, decode_depth)");
}

static void test_bad_values(void **state) {
  (void)state;
  expect_error("policy:\n  categories:\n    pii: erase\n",
               "c.yaml:3: unknown action 'erase' (allow, log, redact, block)");
  expect_error("policy:\n  categories:\n\n    pii: {action: nuke}\n",
               "c.yaml:4: unknown action 'nuke' (allow, log, redact, block)");
  expect_error("policy:\n  categories:\n    pii: {mode: maybe}\n",
               "c.yaml:3: unknown mode 'maybe' (enforce, detect-only, off)");
  expect_error("policy:\n  categories:\n    pii: {mode: detect_only}\n",
               "c.yaml:3: unknown mode 'detect_only' (enforce, detect-only, "
               "off)");
  expect_error("policy:\n  paranoia: 0\n",
               "c.yaml:2: paranoia must be between 1 and 4");
  expect_error("policy:\n  paranoia: 5\n",
               "c.yaml:2: paranoia must be between 1 and 4");
  expect_error("policy:\n  paranoia: -1\n",
               "c.yaml:2: paranoia must be between 1 and 4");
  expect_error("policy:\n  paranoia: two\n",
               "c.yaml:2: paranoia must be an integer, not 'two'");
  expect_error("policy:\n  paranoia: 2.5\n",
               "c.yaml:2: paranoia must be an integer, not '2.5'");
  expect_error("policy:\n  paranoia: '3'\n",
               "c.yaml:2: paranoia must be an integer, not '3'");
  expect_error("policy:\n  paranoia: 99999999999999999999999\n",
               "c.yaml:2: paranoia must be an integer, not "
               "'99999999999999999999999'");
  expect_error("policy:\n  paranoia:\n",
               "c.yaml:2: paranoia must be an integer, not ''");
  expect_error("policy:\n  fail_mode: maybe\n",
               "c.yaml:2: fail_mode must be 'closed' or 'open'");
  expect_error("policy:\n  thresholds:\n    5: 3\n",
               "c.yaml:3: a paranoia level must be between 1 and 4");
  expect_error("policy:\n  thresholds:\n    2: 0\n",
               "c.yaml:3: a threshold must be between 1 and 10000");
  expect_error("version: 2\n", "c.yaml:1: version must be between 1 and 1");
  expect_error("profiles:\n  default: {paranoia: 3}\n",
               "c.yaml:2: invalid profile name 'default'");
  expect_error("profiles:\n  Strict: {paranoia: 3}\n",
               "c.yaml:2: invalid profile name 'Strict'");
  expect_error("policy:\n  categories:\n    Bad Name: log\n",
               "c.yaml:3: invalid category name 'Bad Name'");
  expect_error("limits:\n  max_input_bytes: 0\n",
               "c.yaml:2: max_input_bytes must be between 1 and 1 GiB");
  expect_error("limits:\n  max_input_bytes: 2GiB\n",
               "c.yaml:2: max_input_bytes must be between 1 and 1 GiB");
  expect_error("limits:\n  max_input_bytes: 64MB\n",
               "c.yaml:2: max_input_bytes must be a size in bytes, optionally "
               "with KiB, MiB or GiB, not '64MB'");
  expect_error("limits:\n  decode_depth: 4\n",
               "c.yaml:2: decode_depth must be between 0 and 3");
  expect_error("rules:\n  overrides:\n    r: {enabled: maybe}\n",
               "c.yaml:3: enabled must be true or false");
  expect_error("rules:\n  overrides:\n    r: {severity: extreme}\n",
               "c.yaml:3: unknown severity 'extreme' (critical, high, "
               "medium, low)");
  expect_error("rules:\n  overrides:\n    r: {score: 101}\n",
               "c.yaml:3: score must be between 0 and 100");
}

static void test_sizes_and_foreign_sections(void **state) {
  (void)state;
  aigate_config *cfg;
  static const char yaml[] = "limits:\n  max_input_bytes: 2 MiB\n"
                             "server:\n  workers: 2\n"
                             "model_list: []\n";
  static const char *const foreign[] = {"server", "model_list", NULL};
  assert_int_equal(aigate_config_load_buffer_ex(
                       "c.yaml", yaml, sizeof(yaml) - 1, foreign, &cfg, &err),
                   AIGATE_OK);
  assert_int_equal(aigate_config_max_input(cfg), (size_t)2 << 20);
  aigate_config_free(cfg);
  /* Without the front end's names, its sections are unknown keys. */
  assert_int_equal(
      aigate_config_load_buffer("c.yaml", yaml, sizeof(yaml) - 1, &cfg, &err),
      AIGATE_ERR_CONFIG);
  assert_null(cfg);
  assert_string_equal(err.msg, "c.yaml:3: unknown key 'server' (version, "
                               "policy, profiles, rules, limits, classifier)");
}

static void test_duplicate_keys(void **state) {
  (void)state;
  /* The second occurrence is named, wherever it is. */
  expect_error("policy:\n  paranoia: 2\n  paranoia: 3\n",
               "c.yaml:3:3: duplicate key 'paranoia'");
  expect_error("policy: {}\nlimits: {}\npolicy: {}\n",
               "c.yaml:3:1: duplicate key 'policy'");
  expect_error("policy:\n  categories:\n    pii: log\n    pii: block\n",
               "c.yaml:4:5: duplicate key 'pii'");
  expect_error("profiles:\n  a: {}\n  b: {}\n  a: {}\n",
               "c.yaml:4:3: duplicate key 'a'");
  expect_error("policy:\n  thresholds: {1: 3, 1: 4}\n",
               "c.yaml:2:22: duplicate key '1'");
  expect_error("rules:\n  overrides:\n    r: {score: 1, score: 2}\n",
               "c.yaml:3:19: duplicate key 'score'");
}

static void test_profile_inheritance_errors(void **state) {
  (void)state;
  expect_error("profiles:\n  a:\n    inherits: b\n",
               "c.yaml:3: profile 'a' inherits unknown profile 'b'");
  expect_error("profiles:\n  a:\n    inherits: b\n  b:\n    inherits: a\n",
               "c.yaml:2: profile 'a' inherits in a cycle or too deeply");
  expect_error("profiles:\n  self:\n    inherits: self\n",
               "c.yaml:2: profile 'self' inherits in a cycle or too deeply");
  expect_error("profiles:\n  a: {inherits: b}\n  b: {inherits: c}\n"
               "  c: {inherits: a}\n",
               "c.yaml:2: profile 'a' inherits in a cycle or too deeply");
  expect_error("profiles:\n  a:\n    inherits: [b]\n",
               "c.yaml:3: inherits must be a scalar, not a list");
}

static void test_wrong_types(void **state) {
  (void)state;
  expect_error("- a\n- b\n",
               "c.yaml:1: the configuration must be a map, not a list");
  expect_error("just words\n",
               "c.yaml:1: the configuration must be a map, not a scalar");
  expect_error("policy: [1, 2]\n",
               "c.yaml:1: policy must be a map, not a list");
  expect_error("policy:\n", "c.yaml:1: policy must be a map, not a scalar");
  expect_error("profiles: strict\n",
               "c.yaml:1: profiles must be a map, not a scalar");
  expect_error("profiles:\n  strict: [paranoia]\n",
               "c.yaml:2: a profile must be a map, not a list");
  expect_error("policy:\n  categories: [pii]\n",
               "c.yaml:2: categories must be a map, not a list");
  expect_error("policy:\n  categories:\n    pii: [redact]\n",
               "c.yaml:3: a category policy must be a map, not a list");
  expect_error("policy:\n  categories:\n    pii: {action: [log]}\n",
               "c.yaml:3: action must be a scalar, not a list");
  expect_error("policy:\n  thresholds: [5, 5]\n",
               "c.yaml:2: thresholds must be a map, not a list");
  expect_error("policy:\n  paranoia: {level: 2}\n",
               "c.yaml:2: paranoia must be a scalar, not a map");
  expect_error("rules:\n  paths: /etc/aigate\n",
               "c.yaml:2: rules.paths must be a list, not a scalar");
  expect_error("rules:\n  paths: [[a]]\n",
               "c.yaml:2: rules.paths must be a scalar, not a list");
  expect_error("rules:\n  disable: rule-a\n",
               "c.yaml:2: disable must be a list, not a scalar");
  expect_error("rules:\n  overrides:\n    r: 3\n",
               "c.yaml:3: a rule override must be a map, not a scalar");
  expect_error("limits: 100\n", "c.yaml:1: limits must be a map, not a scalar");
  expect_error("limits:\n  max_input_bytes: [1]\n",
               "c.yaml:2: max_input_bytes must be a scalar, not a list");
  expect_error("? [a, b]\n: c\n",
               "c.yaml:1:3: a map key must be a scalar, not a list");
  expect_error("policy:\n  ? {a: 1}\n  : 2\n",
               "c.yaml:2:5: a map key must be a scalar, not a map");
}

static void test_yaml_errors(void **state) {
  (void)state;
  /* An alias bomb in a configuration fails at the YAML level. */
  char yaml[4096];
  size_t n = (size_t)snprintf(yaml, sizeof(yaml),
                              "x0: &x0 [a, a, a, a, a, a, a, a, a]\n");
  for (int i = 1; i < 9; i++) {
    n += (size_t)snprintf(yaml + n, sizeof(yaml) - n, "x%d: &x%d [", i, i);
    for (int k = 0; k < 9; k++)
      n += (size_t)snprintf(yaml + n, sizeof(yaml) - n, "%s*x%d", k ? ", " : "",
                            i - 1);
    n += (size_t)snprintf(yaml + n, sizeof(yaml) - n, "]\n");
  }
  expect_error_like(yaml, "c.yaml:6:", "more than 200000 nodes");
  /* Syntax errors, a NUL byte, two documents. */
  expect_error_like("policy: {paranoia: 2\n", "c.yaml:", ":");
  memset(&err, 0, sizeof(err));
  aigate_config *cfg = NULL;
  assert_int_equal(
      aigate_config_load_buffer("c.yaml", "policy: {}\0", 11, &cfg, &err),
      AIGATE_ERR_CONFIG);
  assert_string_equal(err.msg, "c.yaml: file contains a NUL byte");
  expect_error_like("policy: {}\n---\nlimits: {}\n",
                    "c.yaml:2:", "more than one YAML document");
  /* Aliases that stay small are fine. */
  cfg = load("policy:\n  categories:\n    pii: &r redact\n    secrets: *r\n");
  category(&cfg->policy, "secrets", AIGATE_REDACT, AIGATE_MODE_ENFORCE);
  aigate_config_free(cfg);
}

static void test_error_null(void **state) {
  (void)state;
  /* A NULL error pointer is allowed. */
  aigate_config *cfg = NULL;
  assert_int_equal(aigate_config_load_buffer("c.yaml", "x: 1\n", 5, &cfg, NULL),
                   AIGATE_ERR_CONFIG);
  assert_null(cfg);
}

/* ------------------------------------------------- engine-level checks */

static void test_engine_unknown_category(void **state) {
  (void)state;
  aigate_config *cfg = load("policy:\n"
                            "  categories:\n"
                            "    injection: block\n"
                            "    pii: redact\n");
  aigate_engine *e = (aigate_engine *)1;
  assert_int_equal(build(cfg, &e), AIGATE_ERR_CONFIG);
  assert_null(e);
  assert_string_equal(err.msg, "c.yaml:4: no rule has the category 'pii'");
  aigate_config_free(cfg);

  /* In a profile too. */
  cfg = load("profiles:\n"
             "  p:\n"
             "    categories:\n"
             "      jailbreak: log\n"
             "      secretz: redact\n");
  assert_int_equal(build(cfg, &e), AIGATE_ERR_CONFIG);
  assert_string_equal(err.msg, "c.yaml:5: no rule has the category 'secretz'");
  aigate_config_free(cfg);
}

static void test_engine_unknown_rule(void **state) {
  (void)state;
  aigate_config *cfg = load("rules:\n"
                            "  overrides:\n"
                            "    inj-ignore: {score: 2}\n"
                            "    inj-nope: {score: 2}\n");
  aigate_engine *e = (aigate_engine *)1;
  assert_int_equal(build(cfg, &e), AIGATE_ERR_NOT_FOUND);
  assert_null(e);
  assert_string_equal(err.msg, "c.yaml:4: no rule has the id 'inj-nope'");
  aigate_config_free(cfg);

  cfg = load("rules:\n  disable: [inj-ignore]\n  enable:\n    - typo-rule\n");
  assert_int_equal(build(cfg, &e), AIGATE_ERR_NOT_FOUND);
  assert_string_equal(err.msg, "c.yaml:4: no rule has the id 'typo-rule'");
  aigate_config_free(cfg);
}

static void test_engine_applies_config(void **state) {
  (void)state;
  char extra[400];
  snprintf(extra, sizeof(extra), "%s/extra.yaml", tmpdir);
  write_file(extra, "family: extra\n"
                    "rules:\n"
                    "  - id: extra-rule\n"
                    "    category: custom\n"
                    "    severity: medium\n"
                    "    patterns: [{literal: 'xyzzy'}]\n");
  char yaml[1200];
  snprintf(yaml, sizeof(yaml),
           "policy:\n"
           "  categories:\n"
           "    custom: block\n"
           "rules:\n"
           "  paths: ['%s']\n"
           "  disable: [inj-other]\n"
           "  overrides:\n"
           "    inj-ignore: {severity: critical, paranoia: 2}\n"
           "    extra-rule: {score: 9}\n",
           extra);
  aigate_config *cfg = load(yaml);
  aigate_engine *e = NULL;
  if (build(cfg, &e))
    fail_msg("engine: %s", err.msg);
  assert_int_equal(aigate_rule_count(e), 3);
  aigate_rule_info info;
  assert_int_equal(aigate_rule_get(e, 0, &info), 0);
  assert_string_equal(info.id, "inj-ignore");
  assert_int_equal(info.severity, 5);
  assert_int_equal(info.score, 5); /* follows the new severity */
  assert_int_equal(info.paranoia, 2);
  assert_int_equal(aigate_rule_get(e, 2, &info), 0);
  assert_string_equal(info.id, "extra-rule");
  assert_string_equal(info.category, "custom");
  assert_string_equal(info.file, extra);
  assert_int_equal(info.score, 9);
  assert_int_equal(aigate_rule_get(e, 3, &info), AIGATE_ERR_NOT_FOUND);

  aigate_scratch *s = NULL;
  assert_int_equal(aigate_scratch_new(e, &s), 0);
  aigate_result r;
  const char *t = "xyzzy";
  assert_int_equal(aigate_scan(e, s, t, strlen(t), AIGATE_INPUT, &r), 0);
  assert_int_equal(r.verdict, AIGATE_BLOCK);
  assert_int_equal(r.score, 9);
  /* The disabled rule does not fire. */
  t = "developer mode";
  assert_int_equal(aigate_scan(e, s, t, strlen(t), AIGATE_INPUT, &r), 0);
  assert_int_equal(r.n_findings, 0);
  aigate_scratch_free(s);
  /* The engine refers to its configuration: free the engine first. */
  aigate_engine_free(e);
  aigate_config_free(cfg);

  /* A rules.paths entry that does not exist fails with its name. */
  cfg = load("rules:\n  paths: [/nonexistent/aigate-rules]\n");
  assert_int_equal(build(cfg, &e), AIGATE_ERR_IO);
  assert_non_null(strstr(err.msg, "/nonexistent/aigate-rules"));
  aigate_config_free(cfg);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_full_config),
      cmocka_unit_test(test_defaults),
      cmocka_unit_test(test_later_entries_override),
      cmocka_unit_test(test_inherit_depth),
      cmocka_unit_test(test_load_file),
      cmocka_unit_test(test_unknown_keys),
      cmocka_unit_test(test_bad_values),
      cmocka_unit_test(test_sizes_and_foreign_sections),
      cmocka_unit_test(test_duplicate_keys),
      cmocka_unit_test(test_profile_inheritance_errors),
      cmocka_unit_test(test_wrong_types),
      cmocka_unit_test(test_yaml_errors),
      cmocka_unit_test(test_error_null),
      cmocka_unit_test(test_engine_unknown_category),
      cmocka_unit_test(test_engine_unknown_rule),
      cmocka_unit_test(test_engine_applies_config),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
