/*
 * test_gwconfig.c -- unit tests for the gateway's configuration sections
 * (src/gateway/gwconfig.c).
 *
 * A realistic LiteLLM proxy config (several models, two deployments of one
 * model, os.environ keys, a self-hosted vLLM, fallbacks, router and
 * litellm settings, keys aigate ignores) plus aigate's own server section
 * must load with every value in place, with one warning per ignored key
 * at its line, and the library must accept the same file when told which
 * sections are the gateway's. Every kind of mistake must fail with
 * "name:LINE: message". Environment variables are set by the tests and
 * OPENAI_* is cleared first, so results do not depend on the caller's
 * environment.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gwconfig.h"

/* ------------------------------------------------------------ helpers */

static aigate_error err;

#define MAX_WARNINGS 32
static char *warnings[MAX_WARNINGS];
static size_t n_warnings;

static void on_warn(void *ud, const char *msg) {
  assert_ptr_equal(ud, &n_warnings);
  assert_null(strchr(msg, '\n'));
  assert_true(n_warnings < MAX_WARNINGS);
  warnings[n_warnings] = strdup(msg);
  assert_non_null(warnings[n_warnings]);
  n_warnings++;
}

static void clear_warnings(void) {
  for (size_t i = 0; i < n_warnings; i++)
    free(warnings[i]);
  n_warnings = 0;
}

static gw_config *load(const char *yaml) {
  gw_config *cfg = NULL;
  memset(&err, 0, sizeof(err));
  clear_warnings();
  int rc = gw_config_load_buffer("c.yaml", yaml, strlen(yaml), &cfg, &err,
                                 on_warn, &n_warnings);
  if (rc)
    fail_msg("config did not load (%d): %s", rc, err.msg);
  assert_non_null(cfg);
  return cfg;
}

/* Loading must fail with exactly `want` as the message. */
static void expect_error(const char *yaml, const char *want) {
  gw_config *cfg = (gw_config *)1;
  memset(&err, 0, sizeof(err));
  clear_warnings();
  int rc = gw_config_load_buffer("c.yaml", yaml, strlen(yaml), &cfg, &err,
                                 on_warn, &n_warnings);
  if (rc != AIGATE_ERR_CONFIG || strcmp(err.msg, want) != 0)
    fail_msg("rc %d, message '%s', want '%s'", rc, err.msg, want);
  assert_null(cfg);
}

/* Loading must fail with a message starting with `prefix` and containing
 * `part`. */
static void expect_error_like(const char *yaml, const char *prefix,
                              const char *part) {
  gw_config *cfg = (gw_config *)1;
  memset(&err, 0, sizeof(err));
  clear_warnings();
  int rc = gw_config_load_buffer("c.yaml", yaml, strlen(yaml), &cfg, &err,
                                 on_warn, &n_warnings);
  if (rc != AIGATE_ERR_CONFIG || strncmp(err.msg, prefix, strlen(prefix)) ||
      !strstr(err.msg, part))
    fail_msg("rc %d, message '%s', want '%s...%s'", rc, err.msg, prefix, part);
  assert_null(cfg);
}

static void expect_warning(size_t i, const char *want) {
  if (i >= n_warnings)
    fail_msg("only %zu warnings, want '%s'", n_warnings, want);
  if (strcmp(warnings[i], want) != 0)
    fail_msg("warning %zu is '%s', want '%s'", i, warnings[i], want);
}

static int setup(void **state) {
  (void)state;
  unsetenv("OPENAI_API_KEY");
  unsetenv("OPENAI_BASE_URL");
  setenv("AIGATE_TEST_OPENAI", "sk-test-openai", 1);
  setenv("AIGATE_TEST_EU", "sk-test-eu", 1);
  setenv("AIGATE_TEST_MASTER", "sk-master-1234", 1);
  setenv("AIGATE_TEST_VLLM_BASE", "http://vllm.internal:8000/v1/", 1);
  unsetenv("AIGATE_TEST_MISSING");
  return 0;
}

static int teardown(void **state) {
  (void)state;
  clear_warnings();
  return 0;
}

/* ------------------------------------------------------- valid configs */

static const char LITELLM[] =
    "# a LiteLLM proxy config, as teams have them\n"                   /* 1 */
    "model_list:\n"                                                    /* 2 */
    "  - model_name: gpt-4o\n"                                         /* 3 */
    "    litellm_params:\n"                                            /* 4 */
    "      model: openai/gpt-4o\n"                                     /* 5 */
    "      api_key: os.environ/AIGATE_TEST_OPENAI\n"                   /* 6 */
    "      rpm: 500\n"                                                 /* 7 */
    "      tpm: 300000\n"                                              /* 8 */
    "  - model_name: gpt-4o\n"                                         /* 9 */
    "    litellm_params:\n"                                            /* 10 */
    "      model: openai/gpt-4o\n"                                     /* 11 */
    "      api_base: https://eu.example.com/v1/\n"                     /* 12 */
    "      api_key: os.environ/AIGATE_TEST_EU\n"                       /* 13 */
    "      timeout: 30\n"                                              /* 14 */
    "  - model_name: gpt-4o-mini\n"                                    /* 15 */
    "    litellm_params:\n"                                            /* 16 */
    "      model: openai/gpt-4o-mini\n"                                /* 17 */
    "      api_key: sk-literal\n"                                      /* 18 */
    "    model_info:\n"                                                /* 19 */
    "      id: mini-1\n"                                               /* 20 */
    "      mode: chat\n"                                               /* 21 */
    "  - model_name: llama-3-8b\n"                                     /* 22 */
    "    litellm_params:\n"                                            /* 23 */
    "      model: hosted_vllm/meta-llama/Meta-Llama-3-8B-Instruct\n"   /* 24 */
    "      api_base: os.environ/AIGATE_TEST_VLLM_BASE\n"               /* 25 */
    "      max_parallel_requests: 8\n"                                 /* 26 */
    "    model_info: {mode: chat}\n"                                   /* 27 */
    "general_settings:\n"                                              /* 28 */
    "  master_key: os.environ/AIGATE_TEST_MASTER\n"                    /* 29 */
    "  database_url: /var/lib/aigate/keys.db\n"                        /* 30 */
    "  alerting: [\"slack\"]\n"                                        /* 31 */
    "  proxy_batch_write_at: 60\n"                                     /* 32 */
    "router_settings:\n"                                               /* 33 */
    "  routing_strategy: simple-shuffle\n"                             /* 34 */
    "  num_retries: 3\n"                                               /* 35 */
    "  timeout: 45.5\n"                                                /* 36 */
    "  fallbacks: [{\"gpt-4o\": [\"gpt-4o-mini\", \"llama-3-8b\"]}]\n" /* 37 */
    "  redis_host: redis.internal\n"                                   /* 38 */
    "litellm_settings:\n"                                              /* 39 */
    "  drop_params: True\n"                                            /* 40 */
    "  set_verbose: False\n"                                           /* 41 */
    "  num_retries: 3\n"                                               /* 42 */
    "  success_callback: [\"langfuse\"]\n"                             /* 43 */
    "  fallbacks:\n"                                                   /* 44 */
    "    - gpt-4o-mini: [llama-3-8b]\n"                                /* 45 */
    "environment_variables:\n"                                         /* 46 */
    "  REDIS_HOST: redis.internal\n"                                   /* 47 */
    "server:\n"                                                        /* 48 */
    "  listen: \"[::1]:8080\"\n"                                       /* 49 */
    "  workers: 4\n"                                                   /* 50 */
    "  max_connections: 20000\n"                                       /* 51 */
    "  max_body_bytes: 8MiB\n"                                         /* 52 */
    "  max_header_bytes: 32 KiB\n"                                     /* 53 */
    "  max_messages: 500\n"                                            /* 54 */
    "  header_timeout_ms: 5000\n"                                      /* 55 */
    "  body_timeout_ms: 20000\n"                                       /* 56 */
    "  connect_timeout_ms: 2000\n"                                     /* 57 */
    "  first_byte_timeout_ms: 90000\n"                                 /* 58 */
    "  idle_timeout_ms: 30000\n"                                       /* 59 */
    "  drain_timeout_ms: 15000\n"                                      /* 60 */
    "  retry_backoff_ms: 100\n"                                        /* 61 */
    "  stream_hold_max: 16KiB\n"                                       /* 62 */
    "  tool_call_max_bytes: 1MiB\n"                                    /* 63 */
    "  media:\n"                                                       /* 64 */
    "    policy: allowlist\n"                                          /* 65 */
    "    hosts: [Images.Example.com, \"*.cdn.example.org\"]\n"         /* 66 */
    "    max_bytes: 2MiB\n"                                            /* 67 */
    "  input_profile: strict\n"                                        /* 68 */
    "  untrusted_profile: untrusted\n"                                 /* 69 */
    "  output_profile: default\n"                                      /* 70 */
    "  user: aigate\n"                                                 /* 71 */
    "policy:\n"                                                        /* 72 */
    "  paranoia: 3\n"                                                  /* 73 */
    "profiles:\n"                                                      /* 74 */
    "  strict: {paranoia: 4}\n"                                        /* 75 */
    "  untrusted: {inherits: strict}\n";                               /* 76 */

static void test_litellm_config(void **state) {
  (void)state;
  setenv("OPENAI_API_KEY", "sk-from-env", 1);
  gw_config *cfg = load(LITELLM);
  unsetenv("OPENAI_API_KEY");

  assert_int_equal(cfg->n_deployments, 4);
  const gw_deployment *d = cfg->deployments;
  assert_string_equal(d[0].model_name, "gpt-4o");
  assert_string_equal(d[0].upstream_model, "gpt-4o");
  assert_string_equal(d[0].api_base, "https://api.openai.com/v1");
  assert_string_equal(d[0].api_key, "sk-test-openai");
  assert_string_equal(d[0].api_key_source, "os.environ/AIGATE_TEST_OPENAI");
  assert_int_equal(d[0].rpm, 500);
  assert_int_equal(d[0].tpm, 300000);
  assert_int_equal(d[0].timeout_ms, 0);
  assert_int_equal(d[0].line, 3);

  assert_string_equal(d[1].model_name, "gpt-4o");
  assert_string_equal(d[1].api_base, "https://eu.example.com/v1");
  assert_string_equal(d[1].api_key, "sk-test-eu");
  assert_int_equal(d[1].timeout_ms, 30000);
  assert_int_equal(d[1].rpm, 0);
  assert_int_equal(d[1].line, 9);

  assert_string_equal(d[2].upstream_model, "gpt-4o-mini");
  assert_string_equal(d[2].api_key, "sk-literal");
  assert_string_equal(d[2].api_key_source, "config");

  /* Only the provider prefix is dropped; a self-hosted server does not
   * get OPENAI_API_KEY. */
  assert_string_equal(d[3].upstream_model,
                      "meta-llama/Meta-Llama-3-8B-Instruct");
  assert_string_equal(d[3].api_base, "http://vllm.internal:8000/v1");
  assert_null(d[3].api_key);
  assert_string_equal(d[3].api_key_source, "none");

  /* Two deployments of gpt-4o, in order. */
  const gw_deployment *out[8];
  assert_int_equal(gw_config_deployments(cfg, "gpt-4o", out, 8), 2);
  assert_ptr_equal(out[0], &d[0]);
  assert_ptr_equal(out[1], &d[1]);
  assert_int_equal(gw_config_deployments(cfg, "gpt-4o", out, 1), 1);
  assert_ptr_equal(out[0], &d[0]);
  assert_int_equal(gw_config_deployments(cfg, "llama-3-8b", out, 8), 1);
  assert_int_equal(gw_config_deployments(cfg, "gpt-5", out, 8), 0);
  assert_int_equal(gw_config_deployments(cfg, "GPT-4o", out, 8), 0);
  assert_null(cfg->passthrough.api_base); /* unused with a model_list */

  /* general_settings */
  assert_string_equal(cfg->master_key, "sk-master-1234");
  assert_string_equal(cfg->database_url, "/var/lib/aigate/keys.db");

  /* router_settings and litellm_settings */
  assert_int_equal(cfg->num_retries, 3);
  assert_int_equal(cfg->total_timeout_ms, 45500);
  assert_int_equal(cfg->n_fallbacks, 2);
  const gw_fallback *fb = gw_config_fallback(cfg, "gpt-4o");
  assert_non_null(fb);
  assert_int_equal(fb->line, 37);
  assert_int_equal(fb->n_to, 2);
  assert_string_equal(fb->to[0], "gpt-4o-mini");
  assert_string_equal(fb->to[1], "llama-3-8b");
  fb = gw_config_fallback(cfg, "gpt-4o-mini");
  assert_non_null(fb);
  assert_int_equal(fb->line, 45);
  assert_int_equal(fb->n_to, 1);
  assert_null(gw_config_fallback(cfg, "llama-3-8b"));

  /* server */
  assert_string_equal(cfg->listen_host, "::1");
  assert_int_equal(cfg->listen_port, 8080);
  assert_int_equal(cfg->workers, 4);
  assert_int_equal(cfg->max_connections, 20000);
  assert_int_equal(cfg->max_body_bytes, 8 << 20);
  assert_int_equal(cfg->max_header_bytes, 32 << 10);
  assert_int_equal(cfg->max_messages, 500);
  assert_int_equal(cfg->header_timeout_ms, 5000);
  assert_int_equal(cfg->body_timeout_ms, 20000);
  assert_int_equal(cfg->connect_timeout_ms, 2000);
  assert_int_equal(cfg->first_byte_timeout_ms, 90000);
  assert_int_equal(cfg->idle_timeout_ms, 30000);
  assert_int_equal(cfg->drain_timeout_ms, 15000);
  assert_int_equal(cfg->retry_backoff_ms, 100);
  assert_int_equal(cfg->stream_hold_max, 16 << 10);
  assert_int_equal(cfg->tool_call_max_bytes, 1 << 20);
  assert_int_equal(cfg->media, GW_MEDIA_ALLOWLIST);
  assert_int_equal(cfg->n_media_hosts, 2);
  assert_string_equal(cfg->media_hosts[0], "images.example.com");
  assert_string_equal(cfg->media_hosts[1], "*.cdn.example.org");
  assert_int_equal(cfg->max_media_bytes, 2 << 20);
  assert_string_equal(cfg->input_profile, "strict");
  assert_string_equal(cfg->untrusted_profile, "untrusted");
  assert_string_equal(cfg->output_profile, "default");
  assert_string_equal(cfg->user, "aigate");

  /* One warning per ignored key, at its line, in file order. */
  expect_warning(0, "c.yaml:19: model_list model_info is not used by aigate; "
                    "ignored (warned once)");
  expect_warning(1, "c.yaml:26: litellm_params.max_parallel_requests is not "
                    "supported by aigate; ignored");
  expect_warning(2, "c.yaml:31: general_settings.alerting is not supported by "
                    "aigate; ignored");
  expect_warning(3, "c.yaml:32: general_settings.proxy_batch_write_at is not "
                    "supported by aigate; ignored");
  expect_warning(4, "c.yaml:34: router_settings.routing_strategy: aigate uses "
                    "the deployments of a model in turn (round-robin); "
                    "weights are ignored");
  expect_warning(5, "c.yaml:38: router_settings.redis_host is not supported "
                    "by aigate; ignored");
  expect_warning(6, "c.yaml:40: litellm_settings.drop_params is not supported "
                    "by aigate; ignored (parameters are forwarded unchanged)");
  expect_warning(7, "c.yaml:41: litellm_settings.set_verbose is not supported "
                    "by aigate; ignored");
  expect_warning(8, "c.yaml:43: litellm_settings.success_callback is not "
                    "supported by aigate; ignored");
  expect_warning(9, "c.yaml:46: environment_variables is not supported by "
                    "aigate; ignored (export the variables before starting "
                    "aigate)");
  assert_int_equal(n_warnings, 10);
  gw_config_free(cfg);

  /* The library loads the same file, skipping the gateway's sections. */
  aigate_config *lib = NULL;
  assert_int_equal(aigate_config_load_buffer_ex("c.yaml", LITELLM,
                                                strlen(LITELLM),
                                                gw_config_sections, &lib, &err),
                   AIGATE_OK);
  aigate_config_free(lib);

  /* Without a warning callback the file loads the same. */
  assert_int_equal(gw_config_load_buffer("c.yaml", LITELLM, strlen(LITELLM),
                                         &cfg, &err, NULL, NULL),
                   AIGATE_OK);
  gw_config_free(cfg);
}

static void check_defaults(const gw_config *cfg) {
  assert_string_equal(cfg->listen_host, "127.0.0.1");
  assert_int_equal(cfg->listen_port, 4000);
  assert_int_equal(cfg->workers, 0);
  assert_int_equal(cfg->max_connections, 10000);
  assert_int_equal(cfg->max_body_bytes, 4 << 20);
  assert_int_equal(cfg->max_header_bytes, 16 << 10);
  assert_int_equal(cfg->max_messages, 2048);
  assert_int_equal(cfg->header_timeout_ms, 10000);
  assert_int_equal(cfg->body_timeout_ms, 30000);
  assert_int_equal(cfg->connect_timeout_ms, 5000);
  assert_int_equal(cfg->first_byte_timeout_ms, 120000);
  assert_int_equal(cfg->idle_timeout_ms, 60000);
  assert_int_equal(cfg->total_timeout_ms, 600000);
  assert_int_equal(cfg->drain_timeout_ms, 30000);
  assert_int_equal(cfg->num_retries, 2);
  assert_int_equal(cfg->retry_backoff_ms, 200);
  assert_int_equal(cfg->stream_hold_max, 8192);
  assert_int_equal(cfg->tool_call_max_bytes, 262144);
  assert_int_equal(cfg->media, GW_MEDIA_ALLOW);
  assert_int_equal(cfg->n_media_hosts, 0);
  /* 20 MiB, capped by the 4 MiB body */
  assert_int_equal(cfg->max_media_bytes, 4 << 20);
  assert_null(cfg->input_profile);
  assert_null(cfg->untrusted_profile);
  assert_null(cfg->output_profile);
  assert_null(cfg->user);
  assert_null(cfg->master_key);
  assert_string_equal(cfg->database_url, "aigate.db");
  assert_int_equal(cfg->n_deployments, 0);
  assert_int_equal(cfg->n_fallbacks, 0);
  assert_null(cfg->passthrough.model_name);
  assert_null(cfg->passthrough.upstream_model);
}

static void test_defaults(void **state) {
  (void)state;
  gw_config *cfg = NULL;
  clear_warnings();
  assert_int_equal(gw_config_load(NULL, &cfg, &err, on_warn, &n_warnings),
                   AIGATE_OK);
  check_defaults(cfg);
  assert_string_equal(cfg->passthrough.api_base, "https://api.openai.com/v1");
  assert_null(cfg->passthrough.api_key);
  assert_string_equal(cfg->passthrough.api_key_source, "none");
  const gw_deployment *out[1];
  assert_int_equal(gw_config_deployments(cfg, "gpt-4o", out, 1), 0);
  assert_null(gw_config_fallback(cfg, "gpt-4o"));
  gw_config_free(cfg);
  assert_int_equal(n_warnings, 0);

  /* An empty file, comments only, empty sections and the library's
   * sections alone: the defaults too. */
  static const char *const empty[] = {
      "",
      "# nothing\n",
      ("server:\nmodel_list:\ngeneral_settings:\nrouter_settings: ~\n"
       "litellm_settings: null\n"),
      "model_list: []\n",
      "version: 1\npolicy: {paranoia: 3}\nrules: {disable: [x]}\n",
  };
  for (size_t i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
    cfg = load(empty[i]);
    check_defaults(cfg);
    gw_config_free(cfg);
  }

  /* Passthrough from the environment. */
  setenv("OPENAI_BASE_URL", "http://localhost:9999/v1/", 1);
  setenv("OPENAI_API_KEY", "sk-env", 1);
  assert_int_equal(gw_config_load(NULL, &cfg, &err, NULL, NULL), AIGATE_OK);
  assert_string_equal(cfg->passthrough.api_base, "http://localhost:9999/v1");
  assert_string_equal(cfg->passthrough.api_key, "sk-env");
  assert_string_equal(cfg->passthrough.api_key_source, "env OPENAI_API_KEY");
  gw_config_free(cfg);
  /* ...which also supplies OpenAI deployments without their own. */
  cfg = load("model_list:\n"
             "  - {model_name: m, litellm_params: {model: gpt-4o}}\n");
  assert_string_equal(cfg->deployments[0].upstream_model, "gpt-4o");
  assert_string_equal(cfg->deployments[0].api_base, "http://localhost:9999/v1");
  assert_string_equal(cfg->deployments[0].api_key, "sk-env");
  assert_string_equal(cfg->deployments[0].api_key_source, "env OPENAI_API_KEY");
  assert_null(cfg->passthrough.api_base);
  gw_config_free(cfg);

  /* A bad environment is an error, and the key is never shown. */
  setenv("OPENAI_BASE_URL", "localhost:9999", 1);
  cfg = (gw_config *)1;
  assert_int_equal(gw_config_load(NULL, &cfg, &err, NULL, NULL),
                   AIGATE_ERR_CONFIG);
  assert_null(cfg);
  assert_string_equal(err.msg,
                      "<default>: environment variable "
                      "OPENAI_BASE_URL must be an http:// or "
                      "https:// URL of printable ASCII without spaces");
  unsetenv("OPENAI_BASE_URL");
  setenv("OPENAI_API_KEY", "sk-bad\r\nX-Injected: 1", 1);
  assert_int_equal(gw_config_load(NULL, &cfg, &err, NULL, NULL),
                   AIGATE_ERR_CONFIG);
  assert_string_equal(err.msg, "<default>: environment variable "
                               "OPENAI_API_KEY must be printable ASCII "
                               "without spaces");
  expect_error("model_list:\n"
               "  - {model_name: m, litellm_params: {model: gpt-4o}}\n",
               "c.yaml:2: environment variable OPENAI_API_KEY must be "
               "printable ASCII without spaces");
  unsetenv("OPENAI_API_KEY");

  /* Bad arguments. */
  assert_int_equal(gw_config_load_buffer(NULL, "", 0, &cfg, &err, NULL, NULL),
                   AIGATE_ERR_INVALID);
  assert_int_equal(gw_config_load_buffer("n", NULL, 3, &cfg, &err, NULL, NULL),
                   AIGATE_ERR_INVALID);
  gw_config_free(NULL);
}

static void test_load_file(void **state) {
  (void)state;
  char dir[256], path[300];
  const char *base = getenv("TMPDIR");
  snprintf(dir, sizeof(dir), "%s/aigate-gwconfig-XXXXXX",
           base && *base ? base : "/tmp");
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/aigate.yaml", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("server:\n  listen: 0.0.0.0:0\n  bogus: 1\n", f);
  assert_int_equal(fclose(f), 0);

  gw_config *cfg = (gw_config *)1;
  assert_int_equal(gw_config_load(path, &cfg, &err, NULL, NULL),
                   AIGATE_ERR_CONFIG);
  assert_null(cfg);
  char want[512];
  snprintf(want, sizeof(want), "%s:3: unknown key 'bogus' in server", path);
  assert_memory_equal(err.msg, want, strlen(want));

  f = fopen(path, "w");
  assert_non_null(f);
  fputs("server:\n  listen: 0.0.0.0:0\n", f);
  assert_int_equal(fclose(f), 0);
  assert_int_equal(gw_config_load(path, &cfg, &err, NULL, NULL), AIGATE_OK);
  assert_string_equal(cfg->listen_host, "0.0.0.0");
  assert_int_equal(cfg->listen_port, 0);
  gw_config_free(cfg);

  /* A missing file is an error, never the defaults. */
  snprintf(path, sizeof(path), "%s/missing.yaml", dir);
  cfg = (gw_config *)1;
  assert_int_equal(gw_config_load(path, &cfg, &err, NULL, NULL), AIGATE_ERR_IO);
  assert_null(cfg);
  assert_non_null(strstr(err.msg, "missing.yaml: No such file"));
  rm_tree(dir);
}

static void test_listen(void **state) {
  (void)state;
  static const struct {
    const char *value, *host;
    int port;
  } good[] = {
      {"127.0.0.1:4000", "127.0.0.1", 4000},
      {"0.0.0.0:0", "0.0.0.0", 0},
      {"localhost:65535", "localhost", 65535},
      {"gw-1.internal:443", "gw-1.internal", 443},
      {"\"[::1]:4000\"", "::1", 4000},
      {"'[::]:80'", "::", 80},
      {"\"[2001:db8::17]:8443\"", "2001:db8::17", 8443},
      {"\"[::ffff:10.0.0.1]:1\"", "::ffff:10.0.0.1", 1},
  };
  char yaml[200];
  for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
    snprintf(yaml, sizeof(yaml), "server:\n  listen: %s\n", good[i].value);
    gw_config *cfg = load(yaml);
    assert_string_equal(cfg->listen_host, good[i].host);
    assert_int_equal(cfg->listen_port, good[i].port);
    gw_config_free(cfg);
  }
  static const struct {
    const char *value, *msg;
  } bad[] = {
      {"127.0.0.1:65536", "port must be between 0 and 65535"},
      {"127.0.0.1:99999", "port must be between 0 and 65535"},
      {"127.0.0.1", "must be HOST:PORT"},
      {"'127.0.0.1:'", "must be HOST:PORT"},
      {"127.0.0.1:-1", "must be HOST:PORT"},
      {"127.0.0.1:+80", "must be HOST:PORT"},
      {"127.0.0.1:123456", "must be HOST:PORT"},
      {"127.0.0.1:80x", "must be HOST:PORT"},
      {"':4000'", "must be HOST:PORT"},
      {"'host name:80'", "must be HOST:PORT"},
      {"'::1:4000'", "write an IPv6 address in brackets"},
      {"'[::1]4000'", "must be HOST:PORT"},
      {"'[::1]'", "must be HOST:PORT"},
      {"'[]:80'", "is not an IPv6 address"},
      {"'[zz::1]:80'", "'zz::1' is not an IPv6 address"},
      {"'[127.0.0.1]:80'", "is not an IPv6 address"},
      {"4000", "must be HOST:PORT"},
      {"[a, b]", "server.listen must be a scalar, not a list"},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    snprintf(yaml, sizeof(yaml), "server:\n  listen: %s\n", bad[i].value);
    expect_error_like(yaml, "c.yaml:2: server.listen", bad[i].msg);
  }
}

static void test_sizes(void **state) {
  (void)state;
  static const struct {
    const char *value;
    size_t bytes;
  } good[] = {
      {"1048576", 1 << 20}, {"4MiB", 4 << 20},         {"64 KiB", 64 << 10},
      {"1GiB", 1u << 30},   {"2048B", 2048},           {"1 GiB", 1u << 30},
      {"'8MiB'", 8 << 20},  {"\"1024 KiB\"", 1 << 20},
  };
  char yaml[200];
  for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
    snprintf(yaml, sizeof(yaml), "server:\n  max_body_bytes: %s\n",
             good[i].value);
    gw_config *cfg = load(yaml);
    assert_int_equal(cfg->max_body_bytes, good[i].bytes);
    gw_config_free(cfg);
  }
  static const struct {
    const char *value, *msg;
  } bad[] = {
      {"4MB", "must be a size in bytes, optionally with KiB, MiB or GiB, "
              "not '4MB'"},
      {"4mib", "not '4mib'"},
      {"MiB", "not 'MiB'"},
      {"-1", "not '-1'"},
      {"0x100000", "not '0x100000'"},
      {"1.5MiB", "not '1.5MiB'"},
      {"'1048576'", "not '1048576'"}, /* quoted plain number */
      {"4  MiB", "not '4  MiB'"},
      {"1023", "must be between 1 KiB and 1 GiB"},
      {"2GiB", "must be between 1 KiB and 1 GiB"},
      {"99999999999999999999999GiB", "must be between 1 KiB and 1 GiB"},
      {"18014398509481984GiB", "must be between 1 KiB and 1 GiB"},
      {"{a: 1}", "must be a scalar, not a map"},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    snprintf(yaml, sizeof(yaml), "server:\n  max_body_bytes: %s\n",
             bad[i].value);
    expect_error_like(yaml, "c.yaml:2: server.max_body_bytes", bad[i].msg);
  }
  /* Per-key ranges. */
  expect_error("server:\n  max_header_bytes: 2MiB\n",
               "c.yaml:2: server.max_header_bytes must be between 1 KiB and "
               "1 MiB");
  expect_error("server:\n  stream_hold_max: 100\n",
               "c.yaml:2: server.stream_hold_max must be between 1 KiB and "
               "16 MiB");
  /* The media limit: capped by the body by default, an error if set
   * higher. */
  gw_config *cfg = load("server:\n  max_body_bytes: 64MiB\n");
  assert_int_equal(cfg->max_media_bytes, 20 << 20);
  gw_config_free(cfg);
  cfg = load("server:\n  max_body_bytes: 1MiB\n  media: {max_bytes: 1MiB}\n");
  assert_int_equal(cfg->max_media_bytes, 1 << 20);
  gw_config_free(cfg);
  expect_error("server:\n"
               "  media: {max_bytes: 5MiB}\n",
               "c.yaml:2: server.media.max_bytes is larger than "
               "server.max_body_bytes");
}

static void test_numbers(void **state) {
  (void)state;
  gw_config *cfg = load("server:\n"
                        "  workers: 256\n"
                        "  num_retries: 0\n"
                        "  retry_backoff_ms: 0\n"
                        "  total_timeout_ms: 86400000\n");
  assert_int_equal(cfg->workers, 256);
  assert_int_equal(cfg->num_retries, 0);
  assert_int_equal(cfg->retry_backoff_ms, 0);
  assert_int_equal(cfg->total_timeout_ms, 86400000);
  gw_config_free(cfg);
  expect_error("server:\n  workers: 257\n",
               "c.yaml:2: server.workers must be between 0 and 256");
  expect_error("server:\n  workers: -1\n",
               "c.yaml:2: server.workers must be between 0 and 256");
  expect_error("server:\n  workers: four\n",
               "c.yaml:2: server.workers must be an integer, not 'four'");
  expect_error("server:\n  workers: '4'\n",
               "c.yaml:2: server.workers must be an integer, not '4'");
  expect_error("server:\n  header_timeout_ms: 0\n",
               "c.yaml:2: server.header_timeout_ms must be between 1 and "
               "86400000");
  expect_error("server:\n  idle_timeout_ms: 86400001\n",
               "c.yaml:2: server.idle_timeout_ms must be between 1 and "
               "86400000");
  expect_error("server:\n  max_connections: 0\n",
               "c.yaml:2: server.max_connections must be between 1 and "
               "1000000");
  expect_error("server:\n  max_messages: 2KiB\n",
               "c.yaml:2: server.max_messages must be an integer, not '2KiB'");
  expect_error("server:\n  num_retries: 11\n",
               "c.yaml:2: server.num_retries must be between 0 and 10");

  /* LiteLLM timeouts are seconds. */
  static const struct {
    const char *value;
    int ms;
  } secs[] = {{"600", 600000},
              {"0.5", 500},
              {"2.25", 2250},
              {"0.001", 1},
              {"86400", 86400000}};
  char yaml[200];
  for (size_t i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
    snprintf(yaml, sizeof(yaml), "router_settings:\n  timeout: %s\n",
             secs[i].value);
    cfg = load(yaml);
    assert_int_equal(cfg->total_timeout_ms, secs[i].ms);
    gw_config_free(cfg);
    snprintf(yaml, sizeof(yaml), "litellm_settings:\n  request_timeout: %s\n",
             secs[i].value);
    cfg = load(yaml);
    assert_int_equal(cfg->total_timeout_ms, secs[i].ms);
    gw_config_free(cfg);
  }
  static const char *const bad_secs[] = {"1.2345", "1.",   ".5",  "-1",
                                         "1e3",    "'60'", "abc", "1,5"};
  for (size_t i = 0; i < sizeof(bad_secs) / sizeof(bad_secs[0]); i++) {
    snprintf(yaml, sizeof(yaml), "router_settings:\n  timeout: %s\n",
             bad_secs[i]);
    expect_error_like(yaml,
                      "c.yaml:2: router_settings.timeout must be a "
                      "number of seconds",
                      "");
  }
  expect_error("router_settings:\n  timeout: 0\n",
               "c.yaml:2: router_settings.timeout must be between 0.001 and "
               "86400 seconds");
  expect_error("router_settings:\n  timeout: 86400.001\n",
               "c.yaml:2: router_settings.timeout must be between 0.001 and "
               "86400 seconds");
  expect_error("router_settings:\n  timeout: 99999999999999999999999\n",
               "c.yaml:2: router_settings.timeout must be between 0.001 and "
               "86400 seconds");
  expect_error("model_list:\n"
               "  - model_name: m\n"
               "    litellm_params: {model: gpt-4o, timeout: 0.0001}\n",
               "c.yaml:3: litellm_params.timeout must be a number of seconds "
               "(at most 3 decimals), not '0.0001'");
  expect_error("model_list:\n"
               "  - model_name: m\n"
               "    litellm_params: {model: gpt-4o, rpm: -5}\n",
               "c.yaml:3: litellm_params.rpm must be between 0 and "
               "9223372036854775807");
}

/* The same setting in two sections: equal values agree, different ones
 * are an error naming both lines. */
static void test_conflicts(void **state) {
  (void)state;
  gw_config *cfg = load("server: {num_retries: 4, total_timeout_ms: 30000}\n"
                        "router_settings: {num_retries: 4, timeout: 30}\n"
                        "litellm_settings: {num_retries: 4, "
                        "request_timeout: 30.000}\n");
  assert_int_equal(cfg->num_retries, 4);
  assert_int_equal(cfg->total_timeout_ms, 30000);
  gw_config_free(cfg);
  expect_error("server:\n"
               "  num_retries: 4\n"
               "router_settings:\n"
               "  num_retries: 5\n",
               "c.yaml:4: router_settings.num_retries conflicts with "
               "server.num_retries at line 2");
  expect_error("litellm_settings:\n"
               "  request_timeout: 10\n"
               "router_settings:\n"
               "  timeout: 20\n",
               "c.yaml:4: router_settings.timeout conflicts with "
               "litellm_settings.request_timeout at line 2");
  expect_error("router_settings:\n"
               "  timeout: 20\n"
               "server:\n"
               "  total_timeout_ms: 10000\n",
               "c.yaml:4: server.total_timeout_ms conflicts with "
               "router_settings.timeout at line 2");
}

static const char TWO_MODELS[] = "model_list:\n"
                                 "  - model_name: a\n"
                                 "    litellm_params: {model: openai/a}\n"
                                 "  - model_name: b\n"
                                 "    litellm_params: {model: openai/b}\n";

static void test_fallbacks(void **state) {
  (void)state;
  char yaml[1024];
  /* Without a model_list, any names (models pass through). */
  gw_config *cfg = load("router_settings:\n"
                        "  fallbacks:\n"
                        "    - {x: [y, z], y: [z]}\n"
                        "    - w: [x]\n");
  assert_int_equal(cfg->n_fallbacks, 3);
  assert_int_equal(gw_config_fallback(cfg, "x")->n_to, 2);
  assert_string_equal(gw_config_fallback(cfg, "y")->to[0], "z");
  assert_int_equal(gw_config_fallback(cfg, "w")->line, 4);
  gw_config_free(cfg);

  snprintf(yaml, sizeof(yaml), "%s%s", TWO_MODELS,
           "router_settings:\n"          /* 6 */
           "  fallbacks: [{a: [b]}]\n"   /* 7 */
           "litellm_settings:\n"         /* 8 */
           "  fallbacks: [{b: [a]}]\n"); /* 9 */
  cfg = load(yaml);
  assert_string_equal(gw_config_fallback(cfg, "a")->to[0], "b");
  assert_string_equal(gw_config_fallback(cfg, "b")->to[0], "a");
  gw_config_free(cfg);

  snprintf(yaml, sizeof(yaml), "%s%s", TWO_MODELS,
           "router_settings:\n"
           "  fallbacks: [{a: [b, c]}]\n");
  expect_error(yaml, "c.yaml:7: fallbacks of 'a': 'c' is not a model_name in "
                     "model_list");
  snprintf(yaml, sizeof(yaml), "%s%s", TWO_MODELS,
           "router_settings:\n"
           "  fallbacks: [{c: [a]}]\n");
  expect_error(yaml,
               "c.yaml:7: fallbacks: 'c' is not a model_name in model_list");
  /* The model_list may come after the fallbacks. */
  snprintf(yaml, sizeof(yaml), "%s%s",
           "router_settings:\n"
           "  fallbacks: [{a: [b]}]\n",
           TWO_MODELS);
  cfg = load(yaml);
  gw_config_free(cfg);
  snprintf(yaml, sizeof(yaml), "%s%s",
           "router_settings:\n"
           "  fallbacks: [{a: [nope]}]\n",
           TWO_MODELS);
  expect_error(yaml, "c.yaml:2: fallbacks of 'a': 'nope' is not a model_name "
                     "in model_list");

  expect_error("router_settings:\n"
               "  fallbacks: [{a: [b]}]\n"
               "litellm_settings:\n"
               "  fallbacks: [{a: [c]}]\n",
               "c.yaml:4: fallbacks for 'a' already given at line 2");
  expect_error("router_settings:\n  fallbacks: [{a: [b, a]}]\n",
               "c.yaml:2: 'a' falls back to itself");
  expect_error("router_settings:\n  fallbacks: [{a: [b, c, b]}]\n",
               "c.yaml:2: 'b' is listed twice in the fallbacks of 'a'");
  expect_error("router_settings:\n  fallbacks: [{a: []}]\n",
               "c.yaml:2: a fallbacks list must name 1 to 64 models");
  expect_error("router_settings:\n  fallbacks: [{a: b}]\n",
               "c.yaml:2: a fallbacks list must be a list, not a scalar");
  expect_error("router_settings:\n  fallbacks: {a: [b]}\n",
               "c.yaml:2: router_settings.fallbacks must be a list, not a "
               "map");
  expect_error("router_settings:\n  fallbacks: [a]\n",
               "c.yaml:2: a fallbacks entry must be a map, not a scalar");
  expect_error("router_settings:\n  fallbacks: [{a: [[b]]}]\n",
               "c.yaml:2: a fallback model must be a scalar, not a list");
}

static void test_model_list(void **state) {
  (void)state;
  /* Providers that speak the OpenAI API, and what they need. */
  gw_config *cfg = load("model_list:\n"
                        "  - model_name: plain\n"
                        "    litellm_params: {model: gpt-4o-mini}\n"
                        "  - model_name: proxy\n"
                        "    litellm_params:\n"
                        "      model: litellm_proxy/team-model\n"
                        "      api_base: https://litellm.internal\n"
                        "      api_key: sk-proxy\n"
                        "  - model_name: custom\n"
                        "    litellm_params:\n"
                        "      model: custom_openai/mistral-7b\n"
                        "      api_base: http://10.0.0.5:8080/v1\n"
                        "  - model_name: provider-field\n"
                        "    litellm_params:\n"
                        "      model: qwen2\n"
                        "      custom_llm_provider: hosted_vllm\n"
                        "      api_base: http://vllm:8000/v1\n"
                        "  - model_name: same-prefix\n"
                        "    litellm_params:\n"
                        "      model: openai/gpt-4o\n"
                        "      custom_llm_provider: openai\n");
  assert_int_equal(cfg->n_deployments, 5);
  assert_string_equal(cfg->deployments[0].upstream_model, "gpt-4o-mini");
  assert_string_equal(cfg->deployments[0].api_base,
                      "https://api.openai.com/v1");
  assert_null(cfg->deployments[0].api_key);
  assert_string_equal(cfg->deployments[0].api_key_source, "none");
  assert_string_equal(cfg->deployments[1].upstream_model, "team-model");
  assert_string_equal(cfg->deployments[1].api_base, "https://litellm.internal");
  assert_string_equal(cfg->deployments[2].upstream_model, "mistral-7b");
  assert_string_equal(cfg->deployments[3].upstream_model, "qwen2");
  assert_string_equal(cfg->deployments[4].upstream_model, "gpt-4o");
  assert_int_equal(n_warnings, 0);
  gw_config_free(cfg);

  expect_error("model_list:\n"
               "  - model_name: claude\n"
               "    litellm_params:\n"
               "      model: anthropic/claude-3-5-sonnet\n",
               "c.yaml:4: litellm_params.model 'anthropic/claude-3-5-sonnet': "
               "provider 'anthropic' is not supported: aigate speaks the "
               "OpenAI API to upstreams (openai/, hosted_vllm/, "
               "custom_openai/, litellm_proxy/; for another OpenAI-compatible "
               "server use openai/MODEL with api_base)");
  expect_error_like("model_list:\n"
                    "  - model_name: az\n"
                    "    litellm_params:\n"
                    "      model: azure/gpt-4o\n"
                    "      api_base: https://x.openai.azure.com\n",
                    "c.yaml:4: litellm_params.model 'azure/gpt-4o': provider "
                    "'azure' is not supported",
                    "");
  expect_error_like("model_list:\n"
                    "  - model_name: m\n"
                    "    litellm_params:\n"
                    "      model: meta-llama/Llama-3-8B\n",
                    "c.yaml:4: litellm_params.model 'meta-llama/Llama-3-8B': "
                    "provider 'meta-llama' is not supported",
                    "openai/MODEL with api_base");
  expect_error("model_list:\n"
               "  - model_name: m\n"
               "    litellm_params:\n"
               "      model: gpt-4o\n"
               "      custom_llm_provider: bedrock\n",
               "c.yaml:5: litellm_params.model 'gpt-4o': provider 'bedrock' "
               "is not supported: aigate speaks the OpenAI API to upstreams "
               "(openai/, hosted_vllm/, custom_openai/, litellm_proxy/; for "
               "another OpenAI-compatible server use openai/MODEL with "
               "api_base)");
  expect_error("model_list:\n"
               "  - model_name: m\n"
               "    litellm_params:\n"
               "      model: openai/gpt-4o\n"
               "      custom_llm_provider: hosted_vllm\n",
               "c.yaml:5: custom_llm_provider 'hosted_vllm' contradicts the "
               "prefix of litellm_params.model 'openai/gpt-4o'");
  expect_error("model_list:\n"
               "  - model_name: m\n"
               "    litellm_params:\n"
               "      model: hosted_vllm/llama\n",
               "c.yaml:4: litellm_params for 'hosted_vllm/llama' needs "
               "api_base");
  expect_error("model_list:\n"
               "  - model_name: m\n"
               "    litellm_params: {model: openai/}\n",
               "c.yaml:3: litellm_params.model 'openai/' names no model");
  expect_error_like("model_list:\n"
                    "  - model_name: '*'\n"
                    "    litellm_params: {model: 'openai/*'}\n",
                    "c.yaml:2: model_name '*' must be a name without spaces",
                    "wildcards");
  expect_error_like("model_list:\n"
                    "  - model_name: all\n"
                    "    litellm_params: {model: 'openai/*'}\n",
                    "c.yaml:3: litellm_params.model 'openai/*': wildcard "
                    "models are not supported",
                    "leave model_list empty");
  expect_error("model_list:\n"
               "  - model_name: 'a b'\n"
               "    litellm_params: {model: gpt-4o}\n",
               "c.yaml:2: model_name 'a b' must be a name without spaces, "
               "control characters or wildcards");

  /* Structure. */
  expect_error("model_list:\n  - litellm_params: {model: gpt-4o}\n",
               "c.yaml:2: model_list entry has no model_name");
  expect_error("model_list:\n  - model_name: m\n",
               "c.yaml:2: model_list entry has no litellm_params");
  expect_error("model_list:\n"
               "  - model_name: m\n"
               "    litellm_params: {api_key: k}\n",
               "c.yaml:3: litellm_params needs model (e.g. openai/gpt-4o)");
  expect_error("model_list: {model_name: m}\n",
               "c.yaml:1: model_list must be a list, not a map");
  expect_error("model_list: [gpt-4o]\n",
               "c.yaml:1: a model_list entry must be a map, not a scalar");
  expect_error("model_list:\n"
               "  - model_name: m\n"
               "    litellm_params: openai/gpt-4o\n",
               "c.yaml:3: litellm_params must be a map, not a scalar");
  expect_error("model_list:\n"
               "  - model_name: m\n"
               "    litellm_params: {model: gpt-4o}\n"
               "    model_info: [x]\n",
               "c.yaml:4: model_info must be a map, not a list");
  expect_error("model_list:\n"
               "  - model_name: m\n"
               "    model_name: n\n"
               "    litellm_params: {model: gpt-4o}\n",
               "c.yaml:3:5: duplicate key 'model_name'");

  /* model_info is warned about once, however many entries have it. */
  cfg = load("model_list:\n"
             "  - model_name: a\n"
             "    litellm_params: {model: gpt-4o}\n"
             "    model_info: {id: 1}\n"
             "  - model_name: b\n"
             "    litellm_params: {model: gpt-4o}\n"
             "    model_info:\n");
  assert_int_equal(n_warnings, 1);
  expect_warning(0, "c.yaml:4: model_list model_info is not used by aigate; "
                    "ignored (warned once)");
  gw_config_free(cfg);
}

static void test_too_many(void **state) {
  (void)state;
  const char entry[] = "- {model_name: m, litellm_params: {model: gpt-4o}}\n";
  size_t n = 10001, len = strlen("model_list:\n") + n * strlen(entry);
  char *yaml = malloc(len + 1);
  assert_non_null(yaml);
  char *p = yaml;
  p += sprintf(p, "model_list:\n");
  for (size_t i = 0; i < n - 1; i++)
    p += sprintf(p, "%s", entry);
  gw_config *cfg = load(yaml); /* 10000: the limit */
  assert_int_equal(cfg->n_deployments, 10000);
  const gw_deployment *out[3];
  assert_int_equal(gw_config_deployments(cfg, "m", out, 3), 3);
  gw_config_free(cfg);
  sprintf(p, "%s", entry);
  expect_error(yaml, "c.yaml:2: model_list has more than 10000 entries");
  free(yaml);

  /* Strings are bounded. */
  char *big = malloc(6000);
  assert_non_null(big);
  int off = sprintf(big, "general_settings:\n  master_key: ");
  memset(big + off, 'k', 4097);
  strcpy(big + off + 4097, "\n");
  expect_error(big, "c.yaml:2: general_settings.master_key must be at most "
                    "4096 bytes of text");
  big[off + 4096] = '\n';
  big[off + 4097] = '\0';
  cfg = load(big);
  assert_int_equal(strlen(cfg->master_key), 4096);
  gw_config_free(cfg);
  free(big);
}

static void test_environment(void **state) {
  (void)state;
  expect_error("model_list:\n"
               "  - model_name: m\n"
               "    litellm_params:\n"
               "      model: openai/gpt-4o\n"
               "      api_key: os.environ/AIGATE_TEST_MISSING\n",
               "c.yaml:5: litellm_params.api_key: environment variable "
               "AIGATE_TEST_MISSING is not set");
  setenv("AIGATE_TEST_MISSING", "", 1);
  expect_error("general_settings:\n"
               "  master_key: os.environ/AIGATE_TEST_MISSING\n",
               "c.yaml:2: general_settings.master_key: environment variable "
               "AIGATE_TEST_MISSING is not set");
  unsetenv("AIGATE_TEST_MISSING");
  expect_error("general_settings:\n"
               "  master_key: os.environ/1BAD\n",
               "c.yaml:2: general_settings.master_key: '1BAD' is not an "
               "environment variable name");
  expect_error("general_settings:\n"
               "  master_key: 'os.environ/A-B'\n",
               "c.yaml:2: general_settings.master_key: 'A-B' is not an "
               "environment variable name");
  expect_error("general_settings:\n"
               "  master_key: os.environ/\n",
               "c.yaml:2: general_settings.master_key: '' is not an "
               "environment variable name");

  /* Values that would end up in a header or a URL are checked, and the
   * secret is never shown. */
  setenv("AIGATE_TEST_MISSING", "sk-abc\nX-Evil: 1", 1);
  expect_error("model_list:\n"
               "  - model_name: m\n"
               "    litellm_params:\n"
               "      model: gpt-4o\n"
               "      api_key: os.environ/AIGATE_TEST_MISSING\n",
               "c.yaml:5: litellm_params.api_key "
               "(os.environ/AIGATE_TEST_MISSING) must be printable ASCII "
               "without spaces");
  setenv("AIGATE_TEST_MISSING", "ftp://files.example.com", 1);
  expect_error("model_list:\n"
               "  - model_name: m\n"
               "    litellm_params:\n"
               "      model: gpt-4o\n"
               "      api_base: os.environ/AIGATE_TEST_MISSING\n",
               "c.yaml:5: litellm_params.api_base "
               "(os.environ/AIGATE_TEST_MISSING) must be an http:// or "
               "https:// URL of printable ASCII without spaces");
  unsetenv("AIGATE_TEST_MISSING");
  expect_error("general_settings:\n  master_key: \"sk master\"\n",
               "c.yaml:2: general_settings.master_key must be printable ASCII "
               "without spaces");
  static const char *const bad_bases[] = {
      "api.openai.com/v1",      "'https://'", "'https:///v1'",
      "'https://a b/v1'",       "'http//x'",  "\"https://x/v1\\t\"",
      "\"https://x\\u00a0/v1\""};
  char yaml[300];
  for (size_t i = 0; i < sizeof(bad_bases) / sizeof(bad_bases[0]); i++) {
    snprintf(yaml, sizeof(yaml),
             "model_list:\n"
             "  - model_name: m\n"
             "    litellm_params: {model: gpt-4o, api_base: %s}\n",
             bad_bases[i]);
    expect_error(yaml, "c.yaml:3: litellm_params.api_base must be an http:// "
                       "or https:// URL of printable ASCII without spaces");
  }
  expect_error("model_list:\n"
               "  - model_name: m\n"
               "    litellm_params:\n"
               "      model: gpt-4o\n"
               "      api_base: https://api.openai.com/v1/chat/completions\n",
               "c.yaml:5: litellm_params.api_base must end before "
               "/chat/completions (e.g. https://api.openai.com/v1)");
  /* One trailing slash is dropped; two are a mistake (found by
   * fuzz_gwconfig: the result broke "no trailing slash"). */
  gw_config *cfg = load("model_list:\n"
                        "  - model_name: m\n"
                        "    litellm_params:\n"
                        "      model: gpt-4o\n"
                        "      api_base: http://h:1/v1/\n");
  assert_string_equal(cfg->deployments[0].api_base, "http://h:1/v1");
  gw_config_free(cfg);
  expect_error("model_list:\n"
               "  - model_name: m\n"
               "    litellm_params:\n"
               "      model: gpt-4o\n"
               "      api_base: http://h:1//\n",
               "c.yaml:5: litellm_params.api_base must not end in '//'");
}

static void test_general_settings(void **state) {
  (void)state;
  gw_config *cfg = load("general_settings:\n"
                        "  master_key: sk-1234\n"
                        "  database_url: ./keys.db\n"
                        "  max_request_size_mb: 10\n"
                        "  store_model_in_db: true\n");
  assert_string_equal(cfg->master_key, "sk-1234");
  assert_string_equal(cfg->database_url, "./keys.db");
  expect_warning(0, "c.yaml:4: general_settings.max_request_size_mb is not "
                    "supported by aigate; ignored (see "
                    "server.max_body_bytes)");
  expect_warning(1, "c.yaml:5: general_settings.store_model_in_db is not "
                    "supported by aigate; ignored (models come from "
                    "model_list only)");
  gw_config_free(cfg);
  /* LiteLLM's PostgreSQL URL is refused, without showing the password. */
  setenv("AIGATE_TEST_MISSING", "postgresql://u:secret@db:5432/litellm", 1);
  expect_error("general_settings:\n"
               "  database_url: os.environ/AIGATE_TEST_MISSING\n",
               "c.yaml:2: general_settings.database_url is a 'postgresql' "
               "URL; aigate keeps its keys in a SQLite file: give a file "
               "path");
  unsetenv("AIGATE_TEST_MISSING");
  expect_error("general_settings:\n  master_key: ''\n",
               "c.yaml:2: general_settings.master_key must not be empty");
  expect_error("general_settings: [master_key]\n",
               "c.yaml:1: general_settings must be a map, not a list");
}

static void test_routing_strategy(void **state) {
  (void)state;
  expect_error("router_settings:\n"
               "  routing_strategy: latency-based-routing\n",
               "c.yaml:2: router_settings.routing_strategy "
               "'latency-based-routing' is not supported: aigate uses the "
               "deployments of a model in turn (write simple-shuffle, or "
               "remove the key)");
  expect_error("router_settings:\n  routing_strategy: [simple-shuffle]\n",
               "c.yaml:2: routing_strategy must be a scalar, not a list");
}

static void test_media(void **state) {
  (void)state;
  gw_config *cfg = load("server:\n  media: {policy: block}\n");
  assert_int_equal(cfg->media, GW_MEDIA_BLOCK);
  gw_config_free(cfg);
  cfg = load("server:\n  media: {policy: allowlist}\n");
  assert_int_equal(cfg->media, GW_MEDIA_ALLOWLIST);
  assert_int_equal(cfg->n_media_hosts, 0);
  gw_config_free(cfg);
  expect_error("server:\n  media: {policy: deny}\n",
               "c.yaml:2: server.media.policy must be allow, block or "
               "allowlist, not 'deny'");
  expect_error("server:\n"
               "  media:\n"
               "    hosts: [a.example]\n",
               "c.yaml:3: server.media.hosts is only used with policy: "
               "allowlist");
  static const char *const bad_hosts[] = {
      "'*.'",         "'*'",   "'a..b'",     "'.a'",
      "'-a.example'", "'a b'", "'http://a'", "'*.*.a'"};
  char yaml[200];
  for (size_t i = 0; i < sizeof(bad_hosts) / sizeof(bad_hosts[0]); i++) {
    snprintf(yaml, sizeof(yaml),
             "server:\n  media: {policy: allowlist, hosts: [%s]}\n",
             bad_hosts[i]);
    expect_error_like(yaml, "c.yaml:2: server.media.hosts: ",
                      "is not a host name (example.com or *.example.com)");
  }
  expect_error("server:\n  media: {policy: allowlist, hosts: [[a]]}\n",
               "c.yaml:2: a media host must be a scalar, not a list");
  expect_error("server:\n  media: {polcy: allow}\n",
               "c.yaml:2: unknown key 'polcy' in server.media (policy, hosts, "
               "max_bytes)");
}

static void test_server_strings(void **state) {
  (void)state;
  expect_error("server:\n  input_profile: Strict\n",
               "c.yaml:2: server.input_profile: 'Strict' is not a profile "
               "name");
  expect_error("server:\n  user: 'root; rm'\n",
               "c.yaml:2: server.user: 'root; rm' is not a user name");
  expect_error("server:\n  user: -x\n",
               "c.yaml:2: server.user: '-x' is not a user name");
  expect_error("server:\n  output_profile: [a]\n",
               "c.yaml:2: server.output_profile must be a scalar, not a list");
}

/* Unknown keys everywhere, with the line of the key. */
/* Prices make a virtual key's spend (docs/keys.md). */
static void test_prices(void **state) {
  (void)state;
  gw_config *cfg = load("model_list:\n"
                        "  - model_name: m\n"
                        "    litellm_params:\n"
                        "      model: openai/gpt-4o\n"
                        "      api_key: sk-x\n"
                        "      input_cost_per_token: 0.0000025\n"
                        "      output_cost_per_token: 1e-5\n"
                        "  - model_name: free\n"
                        "    litellm_params: {model: openai/x, api_key: k}\n");
  assert_int_equal(n_warnings, 0);
  assert_true(cfg->deployments[0].input_cost_per_token == 0.0000025);
  assert_true(cfg->deployments[0].output_cost_per_token == 0.00001);
  assert_true(cfg->deployments[1].input_cost_per_token == 0);
  assert_true(cfg->deployments[1].output_cost_per_token == 0);
  gw_config_free(cfg);
}

static void test_seccomp(void **state) {
  (void)state;
  gw_config *cfg = load("server: {listen: 127.0.0.1:4000}\n");
  assert_int_equal(cfg->seccomp, 1);
  gw_config_free(cfg);
  cfg = load("server: {seccomp: false, user: aigate}\n");
  assert_int_equal(cfg->seccomp, 0);
  assert_string_equal(cfg->user, "aigate");
  gw_config_free(cfg);
  expect_error("server: {seccomp: off}\n",
               "c.yaml:1: server.seccomp must be true or false");
}

/* What `aigate keys` and `aigate log` read: the database setting only. */
static void test_database_only(void **state) {
  (void)state;
  char path[] = "/tmp/aigate-gwc-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  const char *yaml = "model_list:\n"
                     "  - model_name: m\n"
                     "    litellm_params:\n"
                     "      model: openai/m\n"
                     "      api_key: os.environ/AIGATE_TEST_MISSING\n"
                     "general_settings:\n"
                     "  database_url: sqlite:///var/lib/aigate/a.db\n";
  assert_int_equal(write(fd, yaml, strlen(yaml)), (ssize_t)strlen(yaml));
  close(fd);
  char out[256];
  aigate_error e = {{0}};
  assert_int_equal(gw_config_database(path, out, sizeof(out), &e), 0);
  assert_string_equal(out, "sqlite:///var/lib/aigate/a.db");
  assert_int_equal(gw_config_database(NULL, out, sizeof(out), &e), 0);
  assert_string_equal(out, "aigate.db");
  fd = open(path, O_WRONLY | O_TRUNC);
  const char *pg = "general_settings:\n  database_url: postgresql://x/y\n";
  assert_int_equal(write(fd, pg, strlen(pg)), (ssize_t)strlen(pg));
  close(fd);
  assert_int_not_equal(gw_config_database(path, out, sizeof(out), &e), 0);
  assert_non_null(strstr(e.msg, "SQLite file path"));
  unlink(path);
}

static void test_unknown_keys(void **state) {
  (void)state;
  expect_error_like("server:\n"
                    "  listen: 127.0.0.1:4000\n"
                    "  max_body_byte: 1MiB\n",
                    "c.yaml:3: unknown key 'max_body_byte' in server (listen,",
                    "seccomp)");
  expect_error("model_list:\n"
               "  - model_name: m\n"
               "    litellm_params:\n"
               "      model: gpt-4o\n"
               "      api_bse: http://x\n",
               "c.yaml:5: unknown key 'api_bse' in litellm_params (model, "
               "api_base, api_key, rpm, tpm, timeout, custom_llm_provider, "
               "input_cost_per_token, output_cost_per_token)");
  expect_error("model_list:\n"
               "  - model_name: m\n"
               "    litellm_params:\n"
               "      model: gpt-4o\n"
               "      input_cost_per_token: 2e-6x\n",
               "c.yaml:5: litellm_params.input_cost_per_token must be a price "
               "in USD per token between 0 and 1 (e.g. 0.0000025), got "
               "'2e-6x'");
  expect_error("model_list:\n"
               "  - model_name: m\n"
               "    litellm_params:\n"
               "      model: gpt-4o\n"
               "      output_cost_per_token: -0.1\n",
               "c.yaml:5: litellm_params.output_cost_per_token must be a price "
               "in USD per token between 0 and 1 (e.g. 0.0000025), got "
               "'-0.1'");
  expect_error("model_list:\n"
               "  - model_name: m\n"
               "    litellm_params: {model: gpt-4o}\n"
               "    modelinfo: {}\n",
               "c.yaml:4: unknown key 'modelinfo' in a model_list entry "
               "(model_name, litellm_params, model_info)");
  expect_error("general_settings:\n"
               "  master_key: sk-1\n"
               "  master_kye: sk-2\n",
               "c.yaml:3: unknown key 'master_kye' in general_settings "
               "(master_key, database_url, store_content)");
  expect_error("router_settings:\n"
               "  num_retires: 2\n",
               "c.yaml:2: unknown key 'num_retires' in router_settings "
               "(num_retries, timeout, fallbacks, routing_strategy)");
  expect_error("litellm_settings:\n"
               "  timeout: 2\n",
               "c.yaml:2: unknown key 'timeout' in litellm_settings "
               "(num_retries, request_timeout, fallbacks)");
  /* A key made of two ignored keys is not one of them. */
  expect_error("litellm_settings:\n"
               "  'drop_params set_verbose': 1\n",
               "c.yaml:2: unknown key 'drop_params set_verbose' in "
               "litellm_settings (num_retries, request_timeout, fallbacks)");
  expect_error("litellm_settings:\n"
               "  drop_param: true\n",
               "c.yaml:2: unknown key 'drop_param' in litellm_settings "
               "(num_retries, request_timeout, fallbacks)");
  expect_error("version: 1\n"
               "sever:\n"
               "  listen: 127.0.0.1:4000\n",
               "c.yaml:2: unknown key 'sever' (version, policy, profiles, "
               "rules, limits, classifier, server, model_list, "
               "general_settings, router_settings, litellm_settings, "
               "monitoring)");
  expect_error("server:\n  listen: 1.2.3.4:5\nserver:\n  workers: 1\n",
               "c.yaml:3:1: duplicate key 'server'");
  expect_error("[1, 2]\n",
               "c.yaml:1: the configuration must be a map, not a list");
  expect_error_like("? [a]\n: b\n", "c.yaml:1:", "must be a scalar");
  expect_error("server: 4000\n", "c.yaml:1: server must be a map, not a "
                                 "scalar");
  /* A NUL inside a key must not make it another key. */
  static const char nul[] = "\"server\\0x\":\n  workers: 1\n";
  expect_error(nul, "c.yaml:1: keys of the configuration must be plain "
                    "scalars");
}

/* monitoring: alerts, the metrics listener, the records' sinks. */
static void test_monitoring(void **state) {
  (void)state;
  gw_config *cfg = load("");
  assert_null(cfg->metrics_host);
  assert_int_equal(cfg->metrics_auth, 1);
  assert_null(cfg->records_file);
  assert_null(cfg->records_syslog);
  assert_int_equal(cfg->records_max_bytes, 100u << 20);
  assert_int_equal(cfg->records_max_age_s, 86400);
  assert_int_equal(cfg->records_keep, 10);
  assert_int_equal(cfg->anomaly_detection, 1);
  gw_config_free(cfg);
  cfg = load("monitoring:\n"
             "  metrics_listen: '[::1]:9464'\n"
             "  metrics_auth: false\n"
             "  records_file: /var/log/aigate/requests.jsonl\n"
             "  records_file_max_bytes: 10MiB\n"
             "  records_file_max_age: 3600\n"
             "  records_file_keep: 0\n"
             "  records_syslog: tcp://[2001:db8::1]:601\n"
             "  suspend_on: critical\n"
             "  throttle_on: medium\n"
             "  throttle_rpm: 12\n"
             "  webhook_format: slack\n");
  assert_string_equal(cfg->metrics_host, "::1");
  assert_int_equal(cfg->metrics_port, 9464);
  assert_int_equal(cfg->metrics_auth, 0);
  assert_string_equal(cfg->records_file, "/var/log/aigate/requests.jsonl");
  assert_int_equal(cfg->records_max_bytes, 10u << 20);
  assert_int_equal(cfg->records_max_age_s, 3600);
  assert_int_equal(cfg->records_keep, 0);
  assert_string_equal(cfg->records_syslog, "tcp://[2001:db8::1]:601");
  assert_int_equal(cfg->suspend_severity, 4);
  assert_int_equal(cfg->throttle_severity, 2);
  assert_int_equal(cfg->throttle_rpm, 12);
  assert_int_equal(cfg->webhook_slack, 1);
  gw_config_free(cfg);
  cfg = load("monitoring:\n  records_syslog: udp://syslog.internal:514\n");
  assert_string_equal(cfg->records_syslog, "udp://syslog.internal:514");
  gw_config_free(cfg);
  static const char *const bad_syslog[] = {
      "syslog.internal:514", "udp://syslog.internal", "tcp://:514",
      "udp://host:0",        "udp://host:65536",      "tls://host:6514",
      "udp://host:51x",      "udp://us er@host:514",  "udp://host:514/x",
      "udp://::1:514",       "udp://[zz::1]:514",     "udp://h_st:514"};
  for (size_t i = 0; i < sizeof(bad_syslog) / sizeof(*bad_syslog); i++) {
    char yaml[200];
    snprintf(yaml, sizeof(yaml), "monitoring:\n  records_syslog: '%s'\n",
             bad_syslog[i]);
    expect_error_like(yaml, "c.yaml:2: monitoring.records_syslog must be",
                      "udp://HOST:PORT or tcp://HOST:PORT");
  }
  expect_error_like("monitoring:\n  metrics_listen: 9464\n",
                    "c.yaml:2: monitoring.metrics_listen must be HOST:PORT",
                    "9464");
  expect_error("monitoring:\n  metrics_listen: ::1:9464\n",
               "c.yaml:2: monitoring.metrics_listen: write an IPv6 address "
               "in brackets, as [::1]:4000");
  expect_error_like("monitoring:\n  records_file_max_bytes: 100\n",
                    "c.yaml:2: monitoring.records_file_max_bytes", "");
  expect_error_like("monitoring:\n  records_file_keep: -1\n",
                    "c.yaml:2: monitoring.records_file_keep", "");
  expect_error("monitoring:\n  records_file: ''\n",
               "c.yaml:2: monitoring.records_file must not be empty");
  expect_error_like("monitoring:\n  records_file_max_age: 0\n",
                    "c.yaml:2: monitoring.records_file_max_age", "");
  expect_error_like("monitoring:\n  metrics_port: 9464\n",
                    "c.yaml:2: unknown key 'metrics_port' in monitoring",
                    "metrics_listen");
}

/* Every section the loader warns about is one the library skips. */
static void test_sections_list(void **state) {
  (void)state;
  static const char *const own[] = {"server",
                                    "model_list",
                                    "general_settings",
                                    "router_settings",
                                    "litellm_settings",
                                    "monitoring",
                                    "environment_variables",
                                    "guardrails",
                                    "credential_list",
                                    "mcp_servers",
                                    "callback_settings",
                                    "files_settings",
                                    "finetune_settings",
                                    "assistant_settings"};
  size_t n = 0;
  while (gw_config_sections[n])
    n++;
  assert_int_equal(n, sizeof(own) / sizeof(own[0]));
  for (size_t i = 0; i < n; i++)
    assert_string_equal(gw_config_sections[i], own[i]);
  gw_config *cfg = load("guardrails: [{guardrail_name: x}]\n"
                        "credential_list: []\n"
                        "mcp_servers: {}\n");
  assert_int_equal(n_warnings, 3);
  expect_warning(0, "c.yaml:1: guardrails is not supported by aigate; "
                    "ignored (aigate's own policy applies to every "
                    "request)");
  gw_config_free(cfg);
}

static void test_yaml_errors(void **state) {
  (void)state;
  expect_error_like("server: [\n", "c.yaml:", "");
  expect_error_like("a: 1\n---\nb: 2\n", "c.yaml:", "");
  /* An alias bomb fails in the tree, not in this loader. */
  expect_error_like("a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                    "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
                    "c.yaml:", "");
  /* Aliases inside the gateway's sections work. */
  gw_config *cfg =
      load("model_list:\n"
           "  - model_name: a\n"
           "    litellm_params: &base {model: openai/gpt-4o, api_key: k}\n"
           "  - {model_name: b, litellm_params: *base}\n");
  assert_int_equal(cfg->n_deployments, 2);
  assert_string_equal(cfg->deployments[1].api_key, "k");
  gw_config_free(cfg);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_litellm_config),
      cmocka_unit_test(test_defaults),
      cmocka_unit_test(test_load_file),
      cmocka_unit_test(test_listen),
      cmocka_unit_test(test_monitoring),
      cmocka_unit_test(test_sizes),
      cmocka_unit_test(test_numbers),
      cmocka_unit_test(test_conflicts),
      cmocka_unit_test(test_fallbacks),
      cmocka_unit_test(test_model_list),
      cmocka_unit_test(test_too_many),
      cmocka_unit_test(test_environment),
      cmocka_unit_test(test_general_settings),
      cmocka_unit_test(test_routing_strategy),
      cmocka_unit_test(test_media),
      cmocka_unit_test(test_server_strings),
      cmocka_unit_test(test_prices),
      cmocka_unit_test(test_seccomp),
      cmocka_unit_test(test_database_only),
      cmocka_unit_test(test_unknown_keys),
      cmocka_unit_test(test_sections_list),
      cmocka_unit_test(test_yaml_errors),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
