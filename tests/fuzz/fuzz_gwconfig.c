/*
 * fuzz_gwconfig.c -- libFuzzer target for the gateway's configuration
 * sections (gw_config_load_buffer) on arbitrary bytes.
 *
 * Like the library's loader, this one is strict and has many error paths
 * that must free what they built. A loaded configuration must keep the
 * promises the gateway relies on without checking: values in their
 * documented ranges, every deployment complete with an http(s) base
 * without a trailing slash, no secret that could split a header, the
 * lookup functions agreeing with the arrays, fallbacks naming known
 * models. Errors and warnings must be "fuzz.yaml:..." one-liners.
 * Environment variables FUZZ_KEY and FUZZ_BASE exist (the seed corpus
 * uses them); OPENAI_* are cleared so runs do not depend on the caller.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "gwconfig.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  setenv("FUZZ_KEY", "sk-fuzz-key", 1);
  setenv("FUZZ_BASE", "http://fuzz.example:8000/v1/", 1);
  unsetenv("OPENAI_API_KEY");
  unsetenv("OPENAI_BASE_URL");
  return 0;
}

static void on_warn(void *ud, const char *msg) {
  FUZZ_CHECK(strncmp(msg, "fuzz.yaml:", 10) == 0);
  FUZZ_CHECK(!strchr(msg, '\n'));
  ++*(size_t *)ud;
}

static int is_token(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
      return 0;
  return 1;
}

static int contains(const uint8_t *data, size_t size, const char *s) {
  size_t n = strlen(s);
  for (size_t i = 0; i + n <= size; i++)
    if (memcmp(data + i, s, n) == 0)
      return 1;
  return 0;
}

static void check_base(const char *url) {
  FUZZ_CHECK(url);
  FUZZ_CHECK(strncmp(url, "http://", 7) == 0 ||
             strncmp(url, "https://", 8) == 0);
  FUZZ_CHECK(is_token(url));
  size_t n = strlen(url);
  FUZZ_CHECK(n > 0 && url[n - 1] != '/');
}

static void check_deployment(const gw_config *cfg, const gw_deployment *d) {
  FUZZ_CHECK(d->model_name && *d->model_name);
  FUZZ_CHECK(d->upstream_model && *d->upstream_model);
  FUZZ_CHECK(!strchr(d->model_name, '*') && !strchr(d->upstream_model, '*'));
  check_base(d->api_base);
  FUZZ_CHECK(d->api_key_source);
  FUZZ_CHECK(!d->api_key || is_token(d->api_key));
  FUZZ_CHECK(!d->api_key == !strcmp(d->api_key_source, "none"));
  FUZZ_CHECK(d->rpm >= 0 && d->tpm >= 0);
  FUZZ_CHECK(d->timeout_ms >= 0 && d->timeout_ms <= 86400000);
  FUZZ_CHECK(d->line > 0);
  /* The lookup finds it, and the first result is the first of its name. */
  const gw_deployment *out[1];
  FUZZ_CHECK(gw_config_deployments(cfg, d->model_name, out, 1) == 1);
  FUZZ_CHECK(out[0] <= d && strcmp(out[0]->model_name, d->model_name) == 0);
}

static void check(const gw_config *cfg) {
  FUZZ_CHECK(cfg->listen_host && *cfg->listen_host);
  FUZZ_CHECK(cfg->listen_port >= 0 && cfg->listen_port <= 65535);
  FUZZ_CHECK(cfg->workers >= 0 && cfg->workers <= 256);
  FUZZ_CHECK(cfg->max_connections >= 1);
  FUZZ_CHECK(cfg->max_body_bytes >= 1024);
  FUZZ_CHECK(cfg->max_header_bytes >= 1024);
  FUZZ_CHECK(cfg->max_messages >= 1);
  const int timeouts[] = {cfg->header_timeout_ms,  cfg->body_timeout_ms,
                          cfg->connect_timeout_ms, cfg->first_byte_timeout_ms,
                          cfg->idle_timeout_ms,    cfg->total_timeout_ms,
                          cfg->drain_timeout_ms};
  for (size_t i = 0; i < sizeof(timeouts) / sizeof(timeouts[0]); i++)
    FUZZ_CHECK(timeouts[i] >= 1 && timeouts[i] <= 86400000);
  FUZZ_CHECK(cfg->num_retries >= 0 && cfg->num_retries <= 10);
  FUZZ_CHECK(cfg->retry_backoff_ms >= 0);
  FUZZ_CHECK(cfg->stream_hold_max >= 1024);
  FUZZ_CHECK(cfg->tool_call_max_bytes >= 1024);
  FUZZ_CHECK(cfg->media == GW_MEDIA_ALLOW || cfg->media == GW_MEDIA_BLOCK ||
             cfg->media == GW_MEDIA_ALLOWLIST);
  FUZZ_CHECK(cfg->n_media_hosts == 0 || cfg->media == GW_MEDIA_ALLOWLIST);
  for (size_t i = 0; i < cfg->n_media_hosts; i++) {
    FUZZ_CHECK(cfg->media_hosts[i] && *cfg->media_hosts[i]);
    for (const char *p = cfg->media_hosts[i]; *p; p++)
      FUZZ_CHECK(!(*p >= 'A' && *p <= 'Z'));
  }
  FUZZ_CHECK(cfg->max_media_bytes >= 1 &&
             cfg->max_media_bytes <= cfg->max_body_bytes);
  FUZZ_CHECK(!cfg->master_key || is_token(cfg->master_key));
  FUZZ_CHECK(cfg->database_url && !strstr(cfg->database_url, "://"));

  FUZZ_CHECK(cfg->n_deployments <= 10000);
  for (size_t i = 0; i < cfg->n_deployments; i++)
    check_deployment(cfg, &cfg->deployments[i]);
  if (cfg->n_deployments == 0) {
    check_base(cfg->passthrough.api_base);
    FUZZ_CHECK(cfg->passthrough.api_key_source);
    FUZZ_CHECK(!cfg->passthrough.model_name);
  } else {
    FUZZ_CHECK(!cfg->passthrough.api_base);
  }

  for (size_t i = 0; i < cfg->n_fallbacks; i++) {
    const gw_fallback *fb = &cfg->fallbacks[i];
    FUZZ_CHECK(fb->model && fb->n_to >= 1 && fb->n_to <= 64);
    FUZZ_CHECK(gw_config_fallback(cfg, fb->model) == fb);
    const gw_deployment *out[1];
    if (cfg->n_deployments)
      FUZZ_CHECK(gw_config_deployments(cfg, fb->model, out, 1) == 1);
    for (size_t j = 0; j < fb->n_to; j++) {
      FUZZ_CHECK(fb->to[j] && strcmp(fb->to[j], fb->model) != 0);
      if (cfg->n_deployments)
        FUZZ_CHECK(gw_config_deployments(cfg, fb->to[j], out, 1) == 1);
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  gw_config *cfg = NULL;
  aigate_error err = {{0}};
  size_t warnings = 0;
  int rc = gw_config_load_buffer("fuzz.yaml", (const char *)data, size, &cfg,
                                 &err, on_warn, &warnings);
  if (rc != AIGATE_OK) {
    FUZZ_CHECK(cfg == NULL);
    FUZZ_CHECK(rc == AIGATE_ERR_CONFIG || rc == AIGATE_ERR_NOMEM);
    FUZZ_CHECK(strncmp(err.msg, "fuzz.yaml", 9) == 0);
    /* no secret from the environment leaks into a message (unless the
     * input itself spelled it out) */
    if (!contains(data, size, "sk-fuzz-key"))
      FUZZ_CHECK(!strstr(err.msg, "sk-fuzz-key"));
    return 0;
  }
  FUZZ_CHECK(cfg != NULL);
  check(cfg);
  gw_config_free(cfg);
  return 0;
}
