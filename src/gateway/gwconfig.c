/*
 * gwconfig.c -- the gateway's sections of the configuration file: server,
 * and LiteLLM's model_list, general_settings, router_settings and
 * litellm_settings (schema in docs/gateway-config.md).
 *
 * Strict like the library's loader (src/lib/config.c): an unknown key, a
 * wrong type or a value out of range is an error naming file and line. A
 * LiteLLM config is meant to load unchanged, so LiteLLM keys fall into
 * three groups: implemented (model_list deployments, retries, timeouts,
 * fallbacks, master_key), known but not implemented (a warning through
 * the caller's callback: the file loads, and the operator learns what
 * does nothing), and refused (anything that would change where requests
 * go or how they are authenticated in a way aigate cannot honour: a
 * non-OpenAI provider, a wildcard model, a non-SQLite database). Unknown
 * keys are errors, as everywhere.
 *
 * Secrets (api_key, master_key) are never copied into messages. Values
 * that end up in HTTP headers are checked for control characters here,
 * so that a bad environment variable cannot inject a header later.
 */
#include "gwconfig.h"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"
#include "yamltree.h"

#define KIB ((size_t)1 << 10)
#define MIB ((size_t)1 << 20)
#define GIB ((size_t)1 << 30)
#define MAX_STRING 4096       /* any configured string */
#define MAX_DEPLOYMENTS 10000 /* model_list entries */
#define MAX_FALLBACKS 10000   /* models with a fallback list */
#define MAX_FALLBACK_TO 64    /* models in one fallback list */
#define MAX_MEDIA_HOSTS 10000
#define MAX_MS 86400000 /* one day */
#define DEFAULT_API_BASE "https://api.openai.com/v1"
#define ENV_PREFIX "os.environ/"

/* The library's top-level sections (src/lib/config.c parses them): keep in
 * step with parse_config there. */
static const char *const library_sections[] = {
    "version", "policy", "profiles", "rules", "limits", "classifier", NULL};

/* LiteLLM top-level sections other than the five this file parses. */
static const char litellm_sections[] =
    "environment_variables guardrails credential_list mcp_servers "
    "callback_settings files_settings finetune_settings assistant_settings";

const char *const gw_config_sections[] = {
    /* what this file parses */
    "server", "model_list", "general_settings", "router_settings",
    "litellm_settings", "monitoring",
    /* warned about and skipped: litellm_sections */
    "environment_variables", "guardrails", "credential_list", "mcp_servers",
    "callback_settings", "files_settings", "finetune_settings",
    "assistant_settings", NULL};

static const char general_ignored[] =
    "alerting alerting_threshold alerting_args alert_types "
    "alert_to_webhook_url proxy_batch_write_at "
    "proxy_budget_rescheduler_min_time proxy_budget_rescheduler_max_time "
    "database_connection_pool_limit database_connection_timeout "
    "allow_requests_on_db_unavailable store_model_in_db "
    "store_prompts_in_spend_logs disable_spend_logs "
    "disable_master_key_return disable_reset_budget "
    "disable_adding_master_key_hash_to_db "
    "disable_retry_on_max_parallel_request_limit_error "
    "disable_prisma_schema_update enable_jwt_auth litellm_jwtauth "
    "enforce_user_param allowed_routes admin_only_routes public_routes "
    "allowed_ips use_x_forwarded_for key_management_system "
    "key_management_settings custom_auth custom_key_generate custom_sso "
    "enable_oauth2_auth enable_oauth2_proxy_auth max_parallel_requests "
    "global_max_parallel_requests infer_model_from_keys "
    "background_health_checks health_check_interval health_check_details "
    "ui_access_mode litellm_license completion_model moderation_model "
    "pass_through_endpoints enable_public_model_hub spend_report_frequency "
    "forward_openai_org_id forward_client_headers_to_llm_api "
    "use_redis_transaction_buffer maximum_spend_logs_retention_period "
    "user_header_name service_account_settings max_request_size_mb "
    "max_response_size_mb";

static const char router_ignored[] =
    "model_group_alias stream_timeout retry_after allowed_fails "
    "allowed_fails_policy cooldown_time disable_cooldowns "
    "context_window_fallbacks content_policy_fallbacks default_fallbacks "
    "max_fallbacks retry_policy model_group_retry_policy redis_host "
    "redis_port redis_password redis_url cache_responses cache_kwargs "
    "enable_pre_call_checks optional_pre_call_checks provider_budget_config "
    "enable_tag_filtering routing_strategy_args polling_interval "
    "default_max_parallel_requests default_priority client_ttl set_verbose "
    "debug_level";

static const char litellm_ignored[] =
    "drop_params modify_params set_verbose json_logs success_callback "
    "failure_callback callbacks service_callback cache cache_params "
    "turn_off_message_logging redact_user_api_key_info max_budget "
    "budget_duration max_internal_user_budget internal_user_budget_duration "
    "default_team_settings default_internal_user_params "
    "default_key_generate_params upperbound_key_generate_params "
    "key_generation_settings disable_end_user_cost_tracking force_ipv4 "
    "ssl_verify telemetry langfuse_default_tags guardrails "
    "return_response_headers enable_json_schema_validation "
    "context_window_fallbacks content_policy_fallbacks default_fallbacks "
    "allowed_fails enable_preview_features";

/* litellm_params that change requests in ways aigate does not copy. */
static const char params_ignored[] =
    "stream_timeout max_retries organization api_version extra_headers "
    "headers max_parallel_requests input_cost_per_second "
    "output_cost_per_second "
    "weight order tags drop_params additional_drop_params temperature "
    "max_tokens top_p seed";

/* What to do instead, for some of the keys above ("section.key"). */
static const struct {
  const char *key, *hint;
} hints[] = {
    {"environment_variables", "export the variables before starting aigate"},
    {"guardrails", "aigate's own policy applies to every request"},
    {"credential_list", "give api_key in litellm_params"},
    {"general_settings.store_model_in_db", "models come from model_list only"},
    {"general_settings.global_max_parallel_requests",
     "see server.max_connections"},
    {"general_settings.max_request_size_mb", "see server.max_body_bytes"},
    {"router_settings.stream_timeout", "see server.idle_timeout_ms"},
    {"router_settings.retry_after", "see server.retry_backoff_ms"},
    {"litellm_settings.drop_params", "parameters are forwarded unchanged"},
    {"litellm_settings.ssl_verify",
     "aigate always verifies upstream certificates"},
    {"litellm_settings.guardrails",
     "aigate's own policy applies to every request"},
    {"litellm_params.stream_timeout", "see server.idle_timeout_ms"},
    {"litellm_params.max_retries", "see server.num_retries"},
    {"litellm_params.weight", "deployments are used in turn"},
    {"litellm_params.order", "deployments are used in turn"},
    {"litellm_params.drop_params", "parameters are forwarded unchanged"},
    {"litellm_params.temperature", "parameters are forwarded unchanged"},
    {"litellm_params.max_tokens", "parameters are forwarded unchanged"},
    {"litellm_params.top_p", "parameters are forwarded unchanged"},
    {"litellm_params.seed", "parameters are forwarded unchanged"},
    {NULL, NULL}};

/* Providers whose endpoint speaks the OpenAI chat completions API as is;
 * the first needs no api_base. */
static const char *const openai_providers[] = {
    "openai", "hosted_vllm", "custom_openai", "litellm_proxy", NULL};

/* A setting that two sections can give (server.num_retries and
 * router_settings.num_retries...): equal values agree, different ones are
 * an error instead of a silent precedence rule. */
typedef struct {
  const char *where;
  int line;
  long value;
} setting;

typedef struct {
  yt_where w;
  void (*warn)(void *ud, const char *msg);
  void *ud;
  int model_info_warned;
  setting retries, timeout;
  const yt_node *media_max; /* server.media.max_bytes, checked at the end */
} ctx;

static int bad(ctx *c, const yt_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void warnf(ctx *c, const yt_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int bad(ctx *c, const yt_node *n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = yt_vfail(&c->w, n, fmt, ap);
  va_end(ap);
  return rc;
}

static void warnf(ctx *c, const yt_node *n, const char *fmt, ...) {
  if (!c->warn)
    return;
  char msg[400], line[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  snprintf(line, sizeof(line), "%s:%d: %s", c->w.name, n->line, msg);
  c->warn(c->ud, line);
}

static int in_list(const char *const *list, const char *key) {
  for (; *list; list++)
    if (strcmp(*list, key) == 0)
      return 1;
  return 0;
}

/* Is `key` one of the space-separated words of `words`? */
static int in_words(const char *words, const char *key) {
  size_t n = strlen(key);
  if (strchr(key, ' '))
    return 0;
  for (const char *w = words; n && (w = strstr(w, key)); w += n)
    if ((w == words || w[-1] == ' ') && (w[n] == ' ' || w[n] == '\0'))
      return 1;
  return 0;
}

/* "file:line: section.key is not supported by aigate; ignored (hint)". */
static void warn_ignored(ctx *c, const yt_node *k, const char *section) {
  char full[128];
  snprintf(full, sizeof(full), "%s%s%s", section, *section ? "." : "", k->str);
  const char *hint = NULL;
  for (size_t i = 0; hints[i].key && !hint; i++)
    if (strcmp(hints[i].key, full) == 0)
      hint = hints[i].hint;
  warnf(c, k, "%s is not supported by aigate; ignored%s%s%s", full,
        hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
}

/* `key:` with nothing after it: YAML's null, which LiteLLM configs use
 * for empty sections. */

/* The tree has already refused duplicate and non-scalar keys; a NUL byte
 * in a key is refused here, since strcmp would cut it short and confuse
 * it with another key. */

/* A byte count: an integer, or an integer with a binary suffix ("64KiB",
 * "4 MiB", "1GiB"; "B" for bytes). Decimal suffixes (KB, MB) are refused:
 * whether they mean 1000 or 1024 is exactly the ambiguity a limit should
 * not have. */

/* LiteLLM gives timeouts in seconds, possibly with a fraction ("600",
 * "2.5"); aigate keeps milliseconds, so at most three decimals. */
static int get_seconds(ctx *c, const yt_node *n, const char *what, int *ms) {
  int rc = yt_want(&c->w, n, YT_SCALAR, what);
  if (rc)
    return rc;
  const char *s = n->str, *end = n->str + n->len;
  long long v = 0;
  int digits = 0, frac = 0;
  for (; s < end && *s >= '0' && *s <= '9'; s++, digits++)
    if ((v = v * 10 + (*s - '0')) > MAX_MS)
      v = MAX_MS + 1LL; /* saturate: out of range either way */
  v *= 1000;
  if (s < end && *s == '.' && digits) {
    long scale = 100;
    for (s++; s < end && *s >= '0' && *s <= '9'; s++, frac++)
      if (frac < 3) {
        v += (*s - '0') * scale;
        scale /= 10;
      }
    if (frac == 0 || frac > 3)
      digits = 0;
  }
  if (!digits || s != end || n->quoted)
    return bad(c, n,
               "%s must be a number of seconds (at most 3 decimals), not "
               "'%.40s'",
               what, n->str);
  if (v < 1 || v > MAX_MS)
    return bad(c, n, "%s must be between 0.001 and %d seconds", what,
               MAX_MS / 1000);
  *ms = (int)v;
  return 0;
}

/* A string value: a scalar of at most MAX_STRING bytes without NUL. */
static int get_str(ctx *c, const yt_node *n, const char *what, char **out) {
  int rc = yt_want(&c->w, n, YT_SCALAR, what);
  if (rc)
    return rc;
  if (n->len == 0)
    return bad(c, n, "%s must not be empty", what);
  if (n->len > MAX_STRING || strlen(n->str) != n->len)
    return bad(c, n, "%s must be at most %d bytes of text", what, MAX_STRING);
  char *s = strdup(n->str);
  if (!s)
    return AIGATE_ERR_NOMEM;
  free(*out);
  *out = s;
  return 0;
}

/* Bytes that could end or split an HTTP header or a URL: controls and
 * spaces. */
static int has_ctl_or_space(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s <= 0x20 || *s == 0x7f)
      return 1;
  return 0;
}

/* What may go into a URL or a header value as is: printable ASCII, no
 * spaces (host names in URLs must be punycode already). */
static int is_token(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
      return 0;
  return 1;
}

static int valid_env_name(const char *s) {
  if (!*s || (*s >= '0' && *s <= '9') || strlen(s) > 255)
    return 0;
  for (; *s; s++)
    if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
          (*s >= '0' && *s <= '9') || *s == '_'))
      return 0;
  return 1;
}

/*
 * A value that may be given literally or as LiteLLM's "os.environ/VAR".
 * Stores the value in *out and, when `source` is not NULL, where it came
 * from ("config" or "os.environ/VAR") in *source. A variable that is unset
 * or empty is an error naming it and the line.
 */
static int get_value(ctx *c, const yt_node *n, const char *what, char **out,
                     char **source) {
  int rc = get_str(c, n, what, out);
  if (rc)
    return rc;
  const char *src = "config";
  if (strncmp(n->str, ENV_PREFIX, strlen(ENV_PREFIX)) == 0) {
    const char *var = n->str + strlen(ENV_PREFIX);
    if (!valid_env_name(var))
      return bad(c, n, "%s: '%.60s' is not an environment variable name", what,
                 var);
    const char *v = getenv(var);
    if (!v || !*v)
      return bad(c, n, "%s: environment variable %s is not set", what, var);
    if (strlen(v) > MAX_STRING)
      return bad(c, n, "%s: environment variable %s is longer than %d bytes",
                 what, var, MAX_STRING);
    char *s = strdup(v);
    if (!s)
      return AIGATE_ERR_NOMEM;
    free(*out);
    *out = s;
    src = n->str;
  }
  if (source) {
    char *s = strdup(src);
    if (!s)
      return AIGATE_ERR_NOMEM;
    free(*source);
    *source = s;
  }
  return 0;
}

/* A secret that will be sent in a header: no control bytes or spaces. The
 * message never shows the value. */
static int check_secret(ctx *c, const yt_node *n, const char *what,
                        const char *v) {
  if (!is_token(v))
    return bad(c, n, "%s must be printable ASCII without spaces", what);
  return 0;
}

/* An upstream base URL: http(s), no spaces or control bytes, one trailing
 * "/" dropped. `n` is NULL for a value from the environment, `from` says
 * where the value came from. */
static int check_base(ctx *c, const yt_node *n, const char *from, char *url) {
  size_t len = strlen(url);
  const char *host = NULL;
  if (strncmp(url, "https://", 8) == 0)
    host = url + 8;
  else if (strncmp(url, "http://", 7) == 0)
    host = url + 7;
  if (!host || !*host || *host == '/' || !is_token(url))
    return bad(c, n,
               "%s must be an http:// or https:// URL of printable ASCII "
               "without spaces",
               from);
  if (len && url[len - 1] == '/')
    url[--len] = '\0';
  if (len && url[len - 1] == '/')
    return bad(c, n, "%s must not end in '//'", from);
  static const char tail[] = "/chat/completions";
  if (len >= sizeof(tail) - 1 &&
      strcmp(url + len - (sizeof(tail) - 1), tail) == 0)
    return bad(c, n,
               "%s must end before /chat/completions (e.g. "
               "https://api.openai.com/v1)",
               from);
  return 0;
}

/* ------------------------------------------------------------- server */

static int valid_hostname(const char *s, size_t len) {
  if (len == 0 || len > 253)
    return 0;
  for (size_t i = 0; i < len; i++) {
    char ch = s[i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
          (ch >= '0' && ch <= '9') || ch == '.' || ch == '-'))
      return 0;
  }
  return 1;
}

gw_hostport_status gw_hostport(const char *spec, char *host, size_t hlen,
                               int *port) {
  const char *h, *p;
  size_t host_len;
  if (*spec == '[') {
    const char *close = strchr(spec, ']');
    if (!close || close[1] != ':')
      return GW_HOSTPORT_FORM;
    h = spec + 1;
    host_len = (size_t)(close - h);
    p = close + 2;
  } else {
    const char *colon = strrchr(spec, ':');
    if (!colon)
      return GW_HOSTPORT_FORM;
    h = spec;
    host_len = (size_t)(colon - spec);
    p = colon + 1;
    if (memchr(h, ':', host_len))
      return GW_HOSTPORT_BRACKETS;
    if (!valid_hostname(h, host_len))
      return host_len > 253 ? GW_HOSTPORT_TOO_LONG : GW_HOSTPORT_FORM;
  }
  if (host_len >= hlen)
    return GW_HOSTPORT_TOO_LONG;
  memcpy(host, h, host_len);
  host[host_len] = '\0';
  unsigned char bin[16];
  if (*spec == '[' && (host_len == 0 || inet_pton(AF_INET6, host, bin) != 1))
    return GW_HOSTPORT_IPV6;
  size_t digits = strlen(p);
  if (digits == 0 || digits > 5 || strspn(p, "0123456789") != digits)
    return GW_HOSTPORT_FORM;
  long n = strtol(p, NULL, 10);
  if (n > 65535)
    return GW_HOSTPORT_PORT;
  *port = (int)n;
  return GW_HOSTPORT_OK;
}

/* "HOST:PORT", "[IPV6]:PORT" (`what` names the key in messages). */
static int parse_listen(ctx *c, const yt_node *n, const char *what,
                        char **host_out, int *port_out) {
  int rc = yt_want(&c->w, n, YT_SCALAR, what);
  if (rc)
    return rc;
  char host[256];
  int port = 0;
  gw_hostport_status st = strlen(n->str) != n->len
                              ? GW_HOSTPORT_FORM
                              : gw_hostport(n->str, host, sizeof(host), &port);
  switch (st) {
  case GW_HOSTPORT_OK: break;
  case GW_HOSTPORT_IPV6:
    return bad(c, n, "%s: '%s' is not an IPv6 address", what, host);
  case GW_HOSTPORT_BRACKETS:
    return bad(c, n,
               "%s: write an IPv6 address in brackets, as "
               "[::1]:4000",
               what);
  case GW_HOSTPORT_PORT:
    return bad(c, n, "%s: port must be between 0 and 65535", what);
  default:
    return bad(c, n,
               "%s must be HOST:PORT (127.0.0.1:4000, [::1]:4000), "
               "not '%.60s'",
               what, n->str);
  }
  char *h = strdup(host);
  if (!h)
    return AIGATE_ERR_NOMEM;
  free(*host_out);
  *host_out = h;
  *port_out = port;
  return 0;
}

/* An allowlist entry: a host name, or "*." and a domain. Stored lower
 * case, since host names compare without case. */
static int add_media_host(ctx *c, gw_config *cfg, const yt_node *n) {
  int rc = yt_want(&c->w, n, YT_SCALAR, "a media host");
  if (rc)
    return rc;
  const char *name = n->str;
  size_t len = n->len;
  if (len > 2 && name[0] == '*' && name[1] == '.') {
    name += 2;
    len -= 2;
  }
  if (strlen(n->str) != n->len || !valid_hostname(name, len) ||
      name[0] == '.' || name[0] == '-' || strstr(name, ".."))
    return bad(c, n,
               "server.media.hosts: '%.60s' is not a host name (example.com "
               "or *.example.com)",
               n->str);
  char *h = strdup(n->str);
  if (!h)
    return AIGATE_ERR_NOMEM;
  for (char *p = h; *p; p++)
    if (*p >= 'A' && *p <= 'Z')
      *p = (char)(*p - 'A' + 'a');
  cfg->media_hosts[cfg->n_media_hosts++] = h;
  return 0;
}

/* server.pseudonymize: {pii: restore, secrets: mask, ...} */
static int parse_pseudonymize(ctx *c, gw_config *cfg, const yt_node *map) {
  int rc = yt_check_map(&c->w, map, "server.pseudonymize");
  if (rc)
    return rc;
  char **lists[] = {cfg->pseudo_restore, cfg->pseudo_mask, cfg->pseudo_block};
  static const char *const modes[] = {"restore", "mask", "block"};
  size_t fill[3] = {0, 0, 0};
  for (size_t i = 0; i < 3; i++) {
    free(lists[i]);
    if (!(lists[i] = calloc(map->n + 1, sizeof(char *))))
      return AIGATE_ERR_NOMEM;
  }
  cfg->pseudo_restore = lists[0];
  cfg->pseudo_mask = lists[1];
  cfg->pseudo_block = lists[2];
  for (size_t i = 0; i < map->n; i++) {
    const yt_node *k = map->kids[2 * i], *v = map->kids[2 * i + 1];
    if (!ag_valid_name(k->str))
      return bad(c, k, "server.pseudonymize: '%.60s' is not a category name",
                 k->str);
    if ((rc = yt_want(&c->w, v, YT_SCALAR, "server.pseudonymize")))
      return rc;
    size_t m = 0;
    while (m < 3 && strcmp(v->str, modes[m]))
      m++;
    if (m == 3)
      return bad(c, v,
                 "server.pseudonymize.%.60s must be restore, mask or block, "
                 "not '%.40s'",
                 k->str, v->str);
    if (!(lists[m][fill[m]++] = strdup(k->str)))
      return AIGATE_ERR_NOMEM;
  }
  return 0;
}

static int parse_media(ctx *c, gw_config *cfg, const yt_node *map) {
  int rc = yt_check_map(&c->w, map, "server.media");
  if (rc)
    return rc;
  const yt_node *hosts = NULL;
  for (size_t i = 0; i < map->n && !rc; i++) {
    const yt_node *k = map->kids[2 * i], *v = map->kids[2 * i + 1];
    if (strcmp(k->str, "policy") == 0) {
      if ((rc = yt_want(&c->w, v, YT_SCALAR, "server.media.policy")))
        return rc;
      if (strcmp(v->str, "allow") == 0)
        cfg->media = GW_MEDIA_ALLOW;
      else if (strcmp(v->str, "block") == 0)
        cfg->media = GW_MEDIA_BLOCK;
      else if (strcmp(v->str, "allowlist") == 0)
        cfg->media = GW_MEDIA_ALLOWLIST;
      else
        return bad(c, v,
                   "server.media.policy must be allow, block or allowlist, "
                   "not '%.40s'",
                   v->str);
    } else if (strcmp(k->str, "hosts") == 0) {
      if ((rc = yt_want(&c->w, v, YT_SEQ, "server.media.hosts")))
        return rc;
      if (v->n > MAX_MEDIA_HOSTS)
        return bad(c, v, "server.media.hosts: more than %d hosts",
                   MAX_MEDIA_HOSTS);
      cfg->media_hosts = calloc(v->n ? v->n : 1, sizeof(char *));
      if (!cfg->media_hosts)
        return AIGATE_ERR_NOMEM;
      for (size_t j = 0; j < v->n && !rc; j++)
        rc = add_media_host(c, cfg, v->kids[j]);
      hosts = v;
    } else if (strcmp(k->str, "max_bytes") == 0) {
      rc = yt_get_size(&c->w, v, "server.media.max_bytes", 1, GIB,
                       &cfg->max_media_bytes);
      c->media_max = v;
    } else {
      return bad(c, k,
                 "unknown key '%s' in server.media (policy, hosts, max_bytes)",
                 k->str);
    }
  }
  if (!rc && hosts && cfg->media != GW_MEDIA_ALLOWLIST)
    return bad(c, hosts,
               "server.media.hosts is only used with policy: allowlist");
  return rc;
}

/* Record a setting two sections may give; see `setting`. */
static int set_once(ctx *c, setting *s, const yt_node *n, const char *where,
                    long value) {
  if (s->line && s->value != value)
    return bad(c, n, "%s conflicts with %s at line %d", where, s->where,
               s->line);
  s->where = where;
  s->line = n->line;
  s->value = value;
  return 0;
}

/* Plain numeric server keys, by kind. */
enum { K_INT, K_MS, K_SIZE, K_COUNT };

typedef struct {
  const char *key;
  int kind;
  size_t off;
  long lo, hi;
} num_key;

static const num_key server_nums[] = {
    {"workers", K_INT, offsetof(gw_config, workers), 0, 256},
    {"max_connections", K_INT, offsetof(gw_config, max_connections), 1,
     1000000},
    {"max_body_bytes", K_SIZE, offsetof(gw_config, max_body_bytes), KIB, GIB},
    {"max_header_bytes", K_SIZE, offsetof(gw_config, max_header_bytes), KIB,
     MIB},
    {"max_messages", K_COUNT, offsetof(gw_config, max_messages), 1, 1000000},
    {"header_timeout_ms", K_MS, offsetof(gw_config, header_timeout_ms), 1,
     MAX_MS},
    {"body_timeout_ms", K_MS, offsetof(gw_config, body_timeout_ms), 1, MAX_MS},
    {"connect_timeout_ms", K_MS, offsetof(gw_config, connect_timeout_ms), 1,
     MAX_MS},
    {"first_byte_timeout_ms", K_MS, offsetof(gw_config, first_byte_timeout_ms),
     1, MAX_MS},
    {"idle_timeout_ms", K_MS, offsetof(gw_config, idle_timeout_ms), 1, MAX_MS},
    {"total_timeout_ms", K_MS, offsetof(gw_config, total_timeout_ms), 1,
     MAX_MS},
    {"drain_timeout_ms", K_MS, offsetof(gw_config, drain_timeout_ms), 1,
     MAX_MS},
    {"num_retries", K_INT, offsetof(gw_config, num_retries), 0, 10},
    {"retry_backoff_ms", K_INT, offsetof(gw_config, retry_backoff_ms), 0,
     60000},
    {"stream_hold_max", K_SIZE, offsetof(gw_config, stream_hold_max), KIB,
     16 * MIB},
    {"tool_call_max_bytes", K_SIZE, offsetof(gw_config, tool_call_max_bytes),
     KIB, 64 * MIB},
    {NULL, 0, 0, 0, 0}};

static int set_num(ctx *c, gw_config *cfg, const num_key *nk,
                   const yt_node *v) {
  char what[64];
  snprintf(what, sizeof(what), "server.%s", nk->key);
  char *field = (char *)cfg + nk->off;
  long num;
  size_t size;
  int rc;
  switch (nk->kind) {
  case K_SIZE:
    if ((rc = yt_get_size(&c->w, v, what, (size_t)nk->lo, (size_t)nk->hi,
                          &size)))
      return rc;
    memcpy(field, &size, sizeof(size));
    return 0;
  case K_COUNT:
    if ((rc = yt_get_int(&c->w, v, what, nk->lo, nk->hi, &num)))
      return rc;
    size = (size_t)num;
    memcpy(field, &size, sizeof(size));
    return 0;
  default:
    if ((rc = yt_get_int(&c->w, v, what, nk->lo, nk->hi, &num)))
      return rc;
    if (nk->off == offsetof(gw_config, num_retries) &&
        (rc = set_once(c, &c->retries, v, "server.num_retries", num)))
      return rc;
    if (nk->off == offsetof(gw_config, total_timeout_ms) &&
        (rc = set_once(c, &c->timeout, v, "server.total_timeout_ms", num)))
      return rc;
    int i = (int)num;
    memcpy(field, &i, sizeof(i));
    return 0;
  }
}

static int get_profile(ctx *c, const yt_node *v, const char *what, char **out) {
  int rc = get_str(c, v, what, out);
  if (!rc && !ag_valid_name(*out))
    return bad(c, v, "%s: '%.60s' is not a profile name", what, v->str);
  return rc;
}

static int valid_user(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > 32 || s[0] == '-')
    return 0;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
          (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.'))
      return 0;
  return 1;
}

static int parse_server(ctx *c, gw_config *cfg, const yt_node *map) {
  int rc = yt_check_map(&c->w, map, "server");
  if (rc)
    return rc;
  for (size_t i = 0; i < map->n && !rc; i++) {
    const yt_node *k = map->kids[2 * i], *v = map->kids[2 * i + 1];
    const num_key *nk = server_nums;
    while (nk->key && strcmp(nk->key, k->str) != 0)
      nk++;
    if (nk->key)
      rc = set_num(c, cfg, nk, v);
    else if (strcmp(k->str, "listen") == 0)
      rc = parse_listen(c, v, "server.listen", &cfg->listen_host,
                        &cfg->listen_port);
    else if (strcmp(k->str, "media") == 0)
      rc = parse_media(c, cfg, v);
    else if (strcmp(k->str, "input_profile") == 0)
      rc = get_profile(c, v, "server.input_profile", &cfg->input_profile);
    else if (strcmp(k->str, "untrusted_profile") == 0)
      rc = get_profile(c, v, "server.untrusted_profile",
                       &cfg->untrusted_profile);
    else if (strcmp(k->str, "output_profile") == 0)
      rc = get_profile(c, v, "server.output_profile", &cfg->output_profile);
    else if (strcmp(k->str, "pseudonymize") == 0)
      rc = parse_pseudonymize(c, cfg, v);
    else if (strcmp(k->str, "seccomp") == 0) {
      if ((rc = yt_want(&c->w, v, YT_SCALAR, "server.seccomp")))
        return rc;
      if (strcmp(v->str, "true") && strcmp(v->str, "false"))
        return bad(c, v, "server.seccomp must be true or false");
      cfg->seccomp = strcmp(v->str, "true") == 0;
    } else if (strcmp(k->str, "user") == 0) {
      if (!(rc = get_str(c, v, "server.user", &cfg->user)) &&
          !valid_user(cfg->user))
        rc = bad(c, v, "server.user: '%.40s' is not a user name", v->str);
    } else
      return bad(c, k,
                 "unknown key '%s' in server (listen, workers, "
                 "max_connections, max_body_bytes, max_header_bytes, "
                 "max_messages, *_timeout_ms, num_retries, retry_backoff_ms, "
                 "stream_hold_max, tool_call_max_bytes, media, *_profile, "
                 "pseudonymize, user, seccomp)",
                 k->str);
  }
  return rc;
}

/* --------------------------------------------------------- model_list */

static int is_openai_provider(const char *s, size_t len) {
  for (const char *const *p = openai_providers; *p; p++)
    if (strlen(*p) == len && memcmp(*p, s, len) == 0)
      return 1;
  return 0;
}

/* litellm_params.model: "[provider/]name". Only providers that speak the
 * OpenAI API pass; the prefix is dropped. `provider` is custom_llm_provider
 * (NULL when absent), which LiteLLM uses for an unprefixed model. Sets
 * *is_openai when the upstream is OpenAI's own API (which has a default
 * api_base and key). */
static int parse_model(ctx *c, gw_deployment *d, const yt_node *n,
                       const yt_node *provider, int *is_openai) {
  char *model = NULL;
  int rc = get_str(c, n, "litellm_params.model", &model);
  if (rc)
    return rc;
  const char *slash = strchr(model, '/');
  const char *name = model, *prov = "openai";
  size_t plen = 6;
  if (provider) {
    prov = provider->str;
    plen = provider->len;
  }
  if (slash) {
    prov = model;
    plen = (size_t)(slash - model);
    name = slash + 1;
  }
  if (strchr(model, '*')) {
    rc = bad(c, n,
             "litellm_params.model '%.60s': wildcard models are not "
             "supported; list each model, or leave model_list empty to pass "
             "every model through to OPENAI_BASE_URL",
             model);
  } else if (!is_openai_provider(prov, plen)) {
    rc = bad(c, slash ? n : provider,
             "litellm_params.model '%.60s': provider '%.*s' is not "
             "supported: aigate speaks the OpenAI API to upstreams "
             "(openai/, hosted_vllm/, custom_openai/, litellm_proxy/; for "
             "another OpenAI-compatible server use openai/MODEL with "
             "api_base)",
             model, (int)(plen > 40 ? 40 : plen), prov);
  } else if (provider && slash &&
             (plen != provider->len || memcmp(prov, provider->str, plen))) {
    rc = bad(c, provider,
             "custom_llm_provider '%.40s' contradicts the prefix of "
             "litellm_params.model '%.60s'",
             provider->str, model);
  } else if (!*name) {
    rc = bad(c, n, "litellm_params.model '%.60s' names no model", model);
  }
  *is_openai = plen == 6 && memcmp(prov, "openai", 6) == 0;
  if (!rc && !(d->upstream_model = strdup(name)))
    rc = AIGATE_ERR_NOMEM;
  free(model);
  return rc;
}

/* Name a value in messages: "litellm_params.api_base" or, when it came
 * from the environment, "litellm_params.api_base (os.environ/VAR)". */
static const char *value_name(char *buf, size_t len, const char *what,
                              const yt_node *n) {
  if (strncmp(n->str, ENV_PREFIX, strlen(ENV_PREFIX)) != 0)
    return what;
  snprintf(buf, len, "%s (%.80s)", what, n->str);
  return buf;
}

/* A price in USD per token: a plain decimal number, 0 to 1. */
static int get_price(ctx *c, const yt_node *v, const char *what, double *out) {
  int rc = yt_want(&c->w, v, YT_SCALAR, what);
  if (rc)
    return rc;
  char *end;
  double d = strtod(v->str, &end);
  if (end == v->str || *end || !(d >= 0) || d > 1)
    return bad(c, v,
               "%s must be a price in USD per token between 0 and 1 "
               "(e.g. 0.0000025), got '%.40s'",
               what, v->str);
  *out = d;
  return 0;
}

static int parse_params(ctx *c, gw_deployment *d, const yt_node *map) {
  int rc = yt_check_map(&c->w, map, "litellm_params");
  if (rc)
    return rc;
  const yt_node *model = yt_get(map, "model");
  const yt_node *provider = yt_get(map, "custom_llm_provider");
  if (!model)
    return bad(c, map, "litellm_params needs model (e.g. openai/gpt-4o)");
  if (provider &&
      (rc = yt_want(&c->w, provider, YT_SCALAR, "custom_llm_provider")))
    return rc;
  int is_openai;
  if ((rc = parse_model(c, d, model, provider, &is_openai)))
    return rc;
  const yt_node *base = NULL, *key = NULL;
  char what[160];
  for (size_t i = 0; i < map->n && !rc; i++) {
    const yt_node *k = map->kids[2 * i], *v = map->kids[2 * i + 1];
    long num;
    if (strcmp(k->str, "model") == 0 ||
        strcmp(k->str, "custom_llm_provider") == 0) {
      /* done above */
    } else if (strcmp(k->str, "api_base") == 0) {
      base = v;
      if (!(rc =
                get_value(c, v, "litellm_params.api_base", &d->api_base, NULL)))
        rc = check_base(
            c, v, value_name(what, sizeof(what), "litellm_params.api_base", v),
            d->api_base);
    } else if (strcmp(k->str, "api_key") == 0) {
      key = v;
      if (!(rc = get_value(c, v, "litellm_params.api_key", &d->api_key,
                           &d->api_key_source)))
        rc = check_secret(
            c, v, value_name(what, sizeof(what), "litellm_params.api_key", v),
            d->api_key);
    } else if (strcmp(k->str, "rpm") == 0) {
      if (!(rc = yt_get_int(&c->w, v, "litellm_params.rpm", 0, LONG_MAX, &num)))
        d->rpm = num;
    } else if (strcmp(k->str, "tpm") == 0) {
      if (!(rc = yt_get_int(&c->w, v, "litellm_params.tpm", 0, LONG_MAX, &num)))
        d->tpm = num;
    } else if (strcmp(k->str, "timeout") == 0) {
      rc = get_seconds(c, v, "litellm_params.timeout", &d->timeout_ms);
    } else if (strcmp(k->str, "input_cost_per_token") == 0) {
      rc = get_price(c, v, "litellm_params.input_cost_per_token",
                     &d->input_cost_per_token);
    } else if (strcmp(k->str, "output_cost_per_token") == 0) {
      rc = get_price(c, v, "litellm_params.output_cost_per_token",
                     &d->output_cost_per_token);
    } else if (in_words(params_ignored, k->str)) {
      warn_ignored(c, k, "litellm_params");
    } else {
      return bad(c, k,
                 "unknown key '%s' in litellm_params (model, api_base, "
                 "api_key, rpm, tpm, timeout, custom_llm_provider, "
                 "input_cost_per_token, output_cost_per_token)",
                 k->str);
    }
  }
  if (rc)
    return rc;
  /* Defaults. Only OpenAI's own deployments borrow OPENAI_API_KEY: a
   * self-hosted server gets no key unless one is configured for it. */
  if (!base) {
    if (!is_openai)
      return bad(c, model, "litellm_params for '%.60s' needs api_base",
                 model->str);
    const char *env = getenv("OPENAI_BASE_URL");
    if (!(d->api_base = strdup(env && *env ? env : DEFAULT_API_BASE)))
      return AIGATE_ERR_NOMEM;
    if ((rc = check_base(c, model, "environment variable OPENAI_BASE_URL",
                         d->api_base)))
      return rc;
  }
  if (!key) {
    const char *env = is_openai ? getenv("OPENAI_API_KEY") : NULL;
    if (env && *env) {
      if (strlen(env) > MAX_STRING)
        return bad(c, model, "environment variable OPENAI_API_KEY is too long");
      if ((rc = check_secret(c, model, "environment variable OPENAI_API_KEY",
                             env)))
        return rc;
      if (!(d->api_key = strdup(env)))
        return AIGATE_ERR_NOMEM;
    }
    if (!(d->api_key_source =
              strdup(d->api_key ? "env OPENAI_API_KEY" : "none")))
      return AIGATE_ERR_NOMEM;
  }
  return 0;
}

static int parse_deployment(ctx *c, gw_deployment *d, const yt_node *item) {
  int rc = yt_check_map(&c->w, item, "a model_list entry");
  if (rc)
    return rc;
  d->line = item->line;
  const yt_node *name = yt_get(item, "model_name");
  const yt_node *params = yt_get(item, "litellm_params");
  if (!name)
    return bad(c, item, "model_list entry has no model_name");
  if (!params)
    return bad(c, item, "model_list entry has no litellm_params");
  if ((rc = get_str(c, name, "model_name", &d->model_name)))
    return rc;
  if (has_ctl_or_space(d->model_name) || strchr(d->model_name, '*'))
    return bad(c, name,
               "model_name '%.60s' must be a name without spaces, control "
               "characters or wildcards",
               d->model_name);
  for (size_t i = 0; i < item->n; i++) {
    const yt_node *k = item->kids[2 * i], *v = item->kids[2 * i + 1];
    if (strcmp(k->str, "model_name") == 0 ||
        strcmp(k->str, "litellm_params") == 0)
      continue;
    if (strcmp(k->str, "model_info") == 0) {
      if (!yt_is_null(v) && (rc = yt_want(&c->w, v, YT_MAP, "model_info")))
        return rc;
      if (!c->model_info_warned) {
        warnf(c, k,
              "model_list model_info is not used by aigate; ignored (warned "
              "once)");
        c->model_info_warned = 1;
      }
      continue;
    }
    return bad(c, k,
               "unknown key '%s' in a model_list entry (model_name, "
               "litellm_params, model_info)",
               k->str);
  }
  return parse_params(c, d, params);
}

static int parse_model_list(ctx *c, gw_config *cfg, const yt_node *seq) {
  if (yt_is_null(seq))
    return 0;
  int rc = yt_want(&c->w, seq, YT_SEQ, "model_list");
  if (rc)
    return rc;
  if (seq->n > MAX_DEPLOYMENTS)
    return bad(c, seq, "model_list has more than %d entries", MAX_DEPLOYMENTS);
  if (seq->n == 0)
    return 0;
  cfg->deployments = calloc(seq->n, sizeof(*cfg->deployments));
  if (!cfg->deployments)
    return AIGATE_ERR_NOMEM;
  for (size_t i = 0; i < seq->n && !rc; i++) {
    cfg->n_deployments = i + 1; /* freed by gw_config_free on error */
    rc = parse_deployment(c, &cfg->deployments[i], seq->kids[i]);
  }
  return rc;
}

/* ---------------------------------------------------------- fallbacks */

static gw_fallback *find_fallback(const gw_config *cfg, const char *model) {
  for (size_t i = 0; i < cfg->n_fallbacks; i++)
    if (strcmp(cfg->fallbacks[i].model, model) == 0)
      return &cfg->fallbacks[i];
  return NULL;
}

/* fallbacks: [{"gpt-4o": ["gpt-4o-mini", ...]}, ...]; a map may hold
 * several models. */
static int parse_fallbacks(ctx *c, gw_config *cfg, const yt_node *seq,
                           const char *what) {
  int rc = yt_want(&c->w, seq, YT_SEQ, what);
  if (rc)
    return rc;
  for (size_t i = 0; i < seq->n && !rc; i++) {
    const yt_node *map = seq->kids[i];
    if ((rc = yt_check_map(&c->w, map, "a fallbacks entry")))
      return rc;
    for (size_t j = 0; j < map->n; j++) {
      const yt_node *k = map->kids[2 * j], *v = map->kids[2 * j + 1];
      const gw_fallback *prev = find_fallback(cfg, k->str);
      if (prev)
        return bad(c, k, "fallbacks for '%.60s' already given at line %d",
                   k->str, prev->line);
      if (cfg->n_fallbacks >= MAX_FALLBACKS)
        return bad(c, k, "more than %d fallbacks", MAX_FALLBACKS);
      if ((rc = yt_want(&c->w, v, YT_SEQ, "a fallbacks list")))
        return rc;
      if (v->n == 0 || v->n > MAX_FALLBACK_TO)
        return bad(c, v, "a fallbacks list must name 1 to %d models",
                   MAX_FALLBACK_TO);
      gw_fallback *fb =
          realloc(cfg->fallbacks, (cfg->n_fallbacks + 1) * sizeof(*fb));
      if (!fb)
        return AIGATE_ERR_NOMEM;
      cfg->fallbacks = fb;
      fb = &cfg->fallbacks[cfg->n_fallbacks++];
      memset(fb, 0, sizeof(*fb));
      fb->line = k->line;
      if (!(fb->to = calloc(v->n, sizeof(char *))))
        return AIGATE_ERR_NOMEM;
      if ((rc = get_str(c, k, "a fallbacks model", &fb->model)))
        return rc;
      for (size_t m = 0; m < v->n; m++) {
        const yt_node *to = v->kids[m];
        if ((rc = get_str(c, to, "a fallback model", &fb->to[m])))
          return rc;
        fb->n_to = m + 1;
        if (strcmp(fb->to[m], fb->model) == 0)
          return bad(c, to, "'%.60s' falls back to itself", fb->model);
        for (size_t o = 0; o < m; o++)
          if (strcmp(fb->to[o], fb->to[m]) == 0)
            return bad(c, to,
                       "'%.60s' is listed twice in the fallbacks of "
                       "'%.60s'",
                       fb->to[m], fb->model);
      }
    }
  }
  return rc;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* With a model_list, every model a fallback names must be in it: a typo
 * would otherwise surface only when an upstream fails. The names are
 * sorted once, so that a large hostile file stays O(n log n). Lines point
 * at the fallback's key; the list's entries are on or after it. */
static int check_fallbacks(ctx *c, const gw_config *cfg) {
  if (cfg->n_deployments == 0 || cfg->n_fallbacks == 0)
    return 0;
  const char **names = malloc(cfg->n_deployments * sizeof(*names));
  if (!names)
    return AIGATE_ERR_NOMEM;
  for (size_t i = 0; i < cfg->n_deployments; i++)
    names[i] = cfg->deployments[i].model_name;
  qsort(names, cfg->n_deployments, sizeof(*names), cmp_str);
  int rc = 0;
  for (size_t i = 0; i < cfg->n_fallbacks && !rc; i++) {
    const gw_fallback *fb = &cfg->fallbacks[i];
    yt_node at = {.line = fb->line};
    if (!bsearch(&fb->model, names, cfg->n_deployments, sizeof(*names),
                 cmp_str))
      rc = bad(c, &at, "fallbacks: '%.60s' is not a model_name in model_list",
               fb->model);
    for (size_t j = 0; j < fb->n_to && !rc; j++)
      if (!bsearch(&fb->to[j], names, cfg->n_deployments, sizeof(*names),
                   cmp_str))
        rc = bad(c, &at,
                 "fallbacks of '%.60s': '%.60s' is not a model_name in "
                 "model_list",
                 fb->model, fb->to[j]);
  }
  free(names);
  return rc;
}

/* ------------------------------------------------- the other sections */

static int parse_general(ctx *c, gw_config *cfg, const yt_node *map) {
  if (yt_is_null(map))
    return 0;
  int rc = yt_check_map(&c->w, map, "general_settings");
  if (rc)
    return rc;
  for (size_t i = 0; i < map->n && !rc; i++) {
    const yt_node *k = map->kids[2 * i], *v = map->kids[2 * i + 1];
    if (strcmp(k->str, "master_key") == 0) {
      if (!(rc = get_value(c, v, "general_settings.master_key",
                           &cfg->master_key, NULL)))
        rc = check_secret(c, v, "general_settings.master_key", cfg->master_key);
    } else if (strcmp(k->str, "store_content") == 0) {
      if ((rc = yt_want(&c->w, v, YT_SCALAR, "general_settings.store_content")))
        return rc;
      if (strcmp(v->str, "true") && strcmp(v->str, "false"))
        return bad(c, v,
                   "general_settings.store_content must be true or false");
      cfg->store_content = strcmp(v->str, "true") == 0;
    } else if (strcmp(k->str, "database_url") == 0) {
      if ((rc = get_value(c, v, "general_settings.database_url",
                          &cfg->database_url, NULL)))
        return rc;
      /* LiteLLM's is a PostgreSQL URL; aigate keeps its keys in SQLite.
       * Refused rather than ignored: keys issued by the old proxy would
       * silently stop working. The URL may hold a password: not shown. */
      const char *sep = strstr(cfg->database_url, "://");
      if (sep)
        return bad(c, v,
                   "general_settings.database_url is a '%.*s' URL; aigate "
                   "keeps its keys in a SQLite file: give a file path",
                   (int)((sep - cfg->database_url) > 20
                             ? 20
                             : (sep - cfg->database_url)),
                   cfg->database_url);
    } else if (in_words(general_ignored, k->str)) {
      warn_ignored(c, k, "general_settings");
    } else {
      return bad(c, k,
                 "unknown key '%s' in general_settings (master_key, "
                 "database_url, store_content)",
                 k->str);
    }
  }
  return rc;
}

/* router_settings and litellm_settings: the same ideas under different
 * names (timeout vs request_timeout). */
static int parse_settings(ctx *c, gw_config *cfg, const yt_node *map,
                          int router) {
  const char *section = router ? "router_settings" : "litellm_settings";
  if (yt_is_null(map))
    return 0;
  int rc = yt_check_map(&c->w, map, section);
  if (rc)
    return rc;
  for (size_t i = 0; i < map->n && !rc; i++) {
    const yt_node *k = map->kids[2 * i], *v = map->kids[2 * i + 1];
    const char *tkey = router ? "timeout" : "request_timeout";
    long num = 0;
    int ms = 0;
    if (strcmp(k->str, "num_retries") == 0) {
      const char *where = router ? "router_settings.num_retries"
                                 : "litellm_settings.num_retries";
      if (!(rc = yt_get_int(&c->w, v, where, 0, 10, &num)) &&
          !(rc = set_once(c, &c->retries, v, where, num)))
        cfg->num_retries = (int)num;
    } else if (strcmp(k->str, tkey) == 0) {
      const char *where = router ? "router_settings.timeout"
                                 : "litellm_settings.request_timeout";
      if (!(rc = get_seconds(c, v, where, &ms)) &&
          !(rc = set_once(c, &c->timeout, v, where, ms)))
        cfg->total_timeout_ms = ms;
    } else if (strcmp(k->str, "fallbacks") == 0) {
      rc = parse_fallbacks(c, cfg, v,
                           router ? "router_settings.fallbacks"
                                  : "litellm_settings.fallbacks");
    } else if (router && strcmp(k->str, "routing_strategy") == 0) {
      if ((rc = yt_want(&c->w, v, YT_SCALAR, "routing_strategy")))
        return rc;
      if (strcmp(v->str, "simple-shuffle") != 0)
        return bad(c, v,
                   "router_settings.routing_strategy '%.40s' is not "
                   "supported: aigate uses the deployments of a model in "
                   "turn (write simple-shuffle, or remove the key)",
                   v->str);
      warnf(c, k,
            "router_settings.routing_strategy: aigate uses the deployments "
            "of a model in turn (round-robin); weights are ignored");
    } else if (in_words(router ? router_ignored : litellm_ignored, k->str)) {
      warn_ignored(c, k, section);
    } else {
      return bad(c, k, "unknown key '%s' in %s (num_retries, %s, fallbacks%s)",
                 k->str, section, tkey, router ? ", routing_strategy" : "");
    }
  }
  return rc;
}

static int get_bool(ctx *c, const yt_node *v, const char *what, int *out) {
  int rc = yt_want(&c->w, v, YT_SCALAR, what);
  if (rc)
    return rc;
  if (strcmp(v->str, "true") && strcmp(v->str, "false"))
    return bad(c, v, "%s must be true or false", what);
  *out = strcmp(v->str, "true") == 0;
  return 0;
}

/* "udp://HOST:PORT" or "tcp://HOST:PORT" (an IPv6 host in brackets). */
static int check_syslog(ctx *c, const yt_node *v, const char *url) {
  char host[256];
  int port = 0;
  if ((strncmp(url, "udp://", 6) && strncmp(url, "tcp://", 6)) ||
      gw_hostport(url + 6, host, sizeof(host), &port) || port == 0)
    return bad(c, v,
               "monitoring.records_syslog must be udp://HOST:PORT or "
               "tcp://HOST:PORT, not '%.60s'",
               url);
  return 0;
}

/* monitoring: anomaly detection, where its alerts go, the metrics
 * listener and the records' copies outside the database
 * (docs/monitoring.md). */
static int parse_monitoring(ctx *c, gw_config *cfg, const yt_node *map) {
  int rc = yt_check_map(&c->w, map, "monitoring");
  for (size_t i = 0; map && i < map->n && !rc; i++) {
    const yt_node *k = map->kids[2 * i], *v = map->kids[2 * i + 1];
    if (strcmp(k->str, "anomaly_detection") == 0) {
      rc = get_bool(c, v, "monitoring.anomaly_detection",
                    &cfg->anomaly_detection);
    } else if (strcmp(k->str, "syslog") == 0) {
      rc = get_bool(c, v, "monitoring.syslog", &cfg->alert_syslog);
    } else if (strcmp(k->str, "webhook_url") == 0) {
      if (!(rc = get_value(c, v, "monitoring.webhook_url", &cfg->webhook_url,
                           NULL)))
        rc = check_base(c, v, "monitoring.webhook_url", cfg->webhook_url);
    } else if (strcmp(k->str, "ui_key") == 0) {
      if (!(rc = get_value(c, v, "monitoring.ui_key", &cfg->ui_key, NULL)))
        rc = check_secret(c, v, "monitoring.ui_key", cfg->ui_key);
      if (!rc && strlen(cfg->ui_key) < 16)
        rc = bad(c, v, "monitoring.ui_key must be at least 16 characters");
    } else if (strcmp(k->str, "webhook_format") == 0) {
      if ((rc = yt_want(&c->w, v, YT_SCALAR, "monitoring.webhook_format")))
        return rc;
      if (strcmp(v->str, "json") && strcmp(v->str, "slack"))
        return bad(c, v, "monitoring.webhook_format must be json or slack");
      cfg->webhook_slack = strcmp(v->str, "slack") == 0;
    } else if (strcmp(k->str, "throttle_on") == 0) {
      if ((rc = yt_want(&c->w, v, YT_SCALAR, "monitoring.throttle_on")))
        return rc;
      static const char *const sev[] = {"never", "low", "medium", "high",
                                        "critical"};
      int found = -1;
      for (int j = 0; j < 5; j++)
        if (!strcmp(v->str, sev[j]))
          found = j;
      if (found < 0)
        return bad(c, v,
                   "monitoring.throttle_on must be never, low, medium, "
                   "high or critical");
      cfg->throttle_severity = found;
    } else if (strcmp(k->str, "throttle_rpm") == 0) {
      long n;
      if (!(rc =
                yt_get_int(&c->w, v, "monitoring.throttle_rpm", 1, 100000, &n)))
        cfg->throttle_rpm = (int)n;
    } else if (strcmp(k->str, "throttle_for") == 0) {
      rc = get_seconds(c, v, "monitoring.throttle_for", &cfg->throttle_for_s);
      cfg->throttle_for_s /= 1000;
    } else if (strcmp(k->str, "suspend_on") == 0) {
      if ((rc = yt_want(&c->w, v, YT_SCALAR, "monitoring.suspend_on")))
        return rc;
      if (!strcmp(v->str, "never"))
        cfg->suspend_severity = 0;
      else if (!strcmp(v->str, "high"))
        cfg->suspend_severity = 3;
      else if (!strcmp(v->str, "critical"))
        cfg->suspend_severity = 4;
      else
        return bad(c, v,
                   "monitoring.suspend_on must be never, high or critical");
    } else if (strcmp(k->str, "suspend_for") == 0) {
      rc = get_seconds(c, v, "monitoring.suspend_for", &cfg->suspend_for_s);
      cfg->suspend_for_s /= 1000;
    } else if (strcmp(k->str, "metrics_listen") == 0) {
      rc = parse_listen(c, v, "monitoring.metrics_listen", &cfg->metrics_host,
                        &cfg->metrics_port);
    } else if (strcmp(k->str, "metrics_auth") == 0) {
      rc = get_bool(c, v, "monitoring.metrics_auth", &cfg->metrics_auth);
    } else if (strcmp(k->str, "records_file") == 0) {
      if (!(rc = get_value(c, v, "monitoring.records_file", &cfg->records_file,
                           NULL)) &&
          strlen(cfg->records_file) > 1024)
        rc = bad(c, v, "monitoring.records_file: at most 1024 bytes");
    } else if (strcmp(k->str, "records_file_max_bytes") == 0) {
      rc = yt_get_size(&c->w, v, "monitoring.records_file_max_bytes", 4 * KIB,
                       1024 * GIB, &cfg->records_max_bytes);
    } else if (strcmp(k->str, "records_file_max_age") == 0) {
      rc = get_seconds(c, v, "monitoring.records_file_max_age",
                       &cfg->records_max_age_s);
      cfg->records_max_age_s = (cfg->records_max_age_s + 999) / 1000;
    } else if (strcmp(k->str, "records_file_keep") == 0) {
      long n;
      if (!(rc = yt_get_int(&c->w, v, "monitoring.records_file_keep", 0, 100000,
                            &n)))
        cfg->records_keep = (int)n;
    } else if (strcmp(k->str, "records_syslog") == 0) {
      if (!(rc = get_value(c, v, "monitoring.records_syslog",
                           &cfg->records_syslog, NULL)))
        rc = check_syslog(c, v, cfg->records_syslog);
    } else {
      return bad(c, k,
                 "unknown key '%s' in monitoring (anomaly_detection, "
                 "webhook_url, webhook_format, syslog, suspend_on, "
                 "suspend_for, throttle_on, throttle_rpm, throttle_for, "
                 "ui_key, metrics_listen, metrics_auth, records_file, "
                 "records_file_max_bytes, records_file_max_age, "
                 "records_file_keep, records_syslog)",
                 k->str);
    }
  }
  return rc;
}

static int parse_root(ctx *c, gw_config *cfg, const yt_node *root) {
  int rc = root ? yt_check_map(&c->w, root, "the configuration") : 0;
  if (rc)
    return rc;
  for (size_t i = 0; root && i < root->n && !rc; i++) {
    const yt_node *k = root->kids[2 * i], *v = root->kids[2 * i + 1];
    if (strcmp(k->str, "server") == 0)
      rc = yt_is_null(v) ? 0 : parse_server(c, cfg, v);
    else if (strcmp(k->str, "model_list") == 0)
      rc = parse_model_list(c, cfg, v);
    else if (strcmp(k->str, "general_settings") == 0)
      rc = parse_general(c, cfg, v);
    else if (strcmp(k->str, "router_settings") == 0)
      rc = parse_settings(c, cfg, v, 1);
    else if (strcmp(k->str, "litellm_settings") == 0)
      rc = parse_settings(c, cfg, v, 0);
    else if (strcmp(k->str, "monitoring") == 0)
      rc = yt_is_null(v) ? 0 : parse_monitoring(c, cfg, v);
    else if (in_words(litellm_sections, k->str))
      warn_ignored(c, k, "");
    else if (!in_list(library_sections, k->str))
      return bad(c, k,
                 "unknown key '%s' (version, policy, profiles, rules, limits, "
                 "classifier, server, model_list, general_settings, "
                 "router_settings, litellm_settings, monitoring)",
                 k->str);
  }
  if (rc)
    return rc;
  if (c->media_max && cfg->max_media_bytes > cfg->max_body_bytes)
    return bad(c, c->media_max,
               "server.media.max_bytes is larger than server.max_body_bytes");
  if (!c->media_max && cfg->max_media_bytes > cfg->max_body_bytes)
    cfg->max_media_bytes = cfg->max_body_bytes;
  return check_fallbacks(c, cfg);
}

/* ----------------------------------------------------------- defaults */

static int set_defaults(gw_config *cfg) {
  cfg->listen_port = 4000;
  cfg->workers = 0;
  cfg->max_connections = 10000;
  cfg->seccomp = 1;
  cfg->anomaly_detection = 1;
  cfg->suspend_for_s = 900;
  cfg->throttle_rpm = 6;
  cfg->throttle_for_s = 900;
  if (!(cfg->pseudo_restore = calloc(1, sizeof(char *))) ||
      !(cfg->pseudo_mask = calloc(1, sizeof(char *))) ||
      !(cfg->pseudo_block = calloc(1, sizeof(char *))))
    return AIGATE_ERR_NOMEM;
  cfg->max_body_bytes = 4 * MIB;
  cfg->max_header_bytes = 16 * KIB;
  cfg->max_messages = 2048;
  cfg->header_timeout_ms = 10000;
  cfg->body_timeout_ms = 30000;
  cfg->connect_timeout_ms = 5000;
  cfg->first_byte_timeout_ms = 120000;
  cfg->idle_timeout_ms = 60000;
  cfg->total_timeout_ms = 600000;
  cfg->drain_timeout_ms = 30000;
  cfg->num_retries = 2;
  cfg->retry_backoff_ms = 200;
  cfg->stream_hold_max = 8192;
  cfg->tool_call_max_bytes = 262144;
  cfg->media = GW_MEDIA_ALLOW;
  cfg->max_media_bytes = 20 * MIB;
  cfg->metrics_auth = 1;
  cfg->records_max_bytes = 100 * MIB;
  cfg->records_max_age_s = 86400;
  cfg->records_keep = 10;
  if (!(cfg->listen_host = strdup("127.0.0.1")) ||
      !(cfg->database_url = strdup("aigate.db")))
    return AIGATE_ERR_NOMEM;
  return 0;
}

/* With no model_list, every requested model goes to OPENAI_BASE_URL. */
static int fill_passthrough(ctx *c, gw_config *cfg) {
  gw_deployment *d = &cfg->passthrough;
  const char *base = getenv("OPENAI_BASE_URL");
  const char *key = getenv("OPENAI_API_KEY");
  if (!(d->api_base = strdup(base && *base ? base : DEFAULT_API_BASE)))
    return AIGATE_ERR_NOMEM;
  int rc =
      check_base(c, NULL, "environment variable OPENAI_BASE_URL", d->api_base);
  if (rc)
    return rc;
  if (key && *key) {
    if (strlen(key) > MAX_STRING)
      return bad(c, NULL, "environment variable OPENAI_API_KEY is too long");
    if ((rc =
             check_secret(c, NULL, "environment variable OPENAI_API_KEY", key)))
      return rc;
    if (!(d->api_key = strdup(key)))
      return AIGATE_ERR_NOMEM;
  }
  if (!(d->api_key_source = strdup(d->api_key ? "env OPENAI_API_KEY" : "none")))
    return AIGATE_ERR_NOMEM;
  return 0;
}

/* ---------------------------------------------------------------- API */

int gw_config_load_buffer(const char *name, const char *buf, size_t len,
                          gw_config **out, aigate_error *err,
                          void (*warn)(void *ud, const char *msg), void *ud) {
  *out = NULL;
  if (!name || (!buf && len))
    return AIGATE_ERR_INVALID;
  char msg[sizeof(err->msg)];
  yt_doc *doc = yt_parse(name, buf ? buf : "", len, msg, sizeof(msg));
  if (!doc) {
    ag_err(err, "%s", msg);
    return AIGATE_ERR_CONFIG;
  }
  gw_config *cfg = calloc(1, sizeof(*cfg));
  ctx c = {.w = {name, err}, .warn = warn, .ud = ud};
  int rc = cfg ? set_defaults(cfg) : AIGATE_ERR_NOMEM;
  if (!rc)
    rc = parse_root(&c, cfg, yt_root(doc));
  if (!rc && cfg->n_deployments == 0)
    rc = fill_passthrough(&c, cfg);
  yt_free(doc);
  if (rc) {
    if (rc == AIGATE_ERR_NOMEM)
      ag_err(err, "%s: out of memory", name);
    gw_config_free(cfg);
    return rc;
  }
  *out = cfg;
  return AIGATE_OK;
}

int gw_config_load(const char *path, gw_config **out, aigate_error *err,
                   void (*warn)(void *ud, const char *msg), void *ud) {
  *out = NULL;
  if (!path)
    return gw_config_load_buffer("<default>", "", 0, out, err, warn, ud);
  char *buf;
  size_t len;
  int rc = ag_read_file(path, YT_MAX_BYTES, &buf, &len, err);
  if (rc)
    return rc;
  rc = gw_config_load_buffer(path, buf, len, out, err, warn, ud);
  free(buf);
  return rc;
}

int gw_config_database(const char *path, char *out, size_t len,
                       aigate_error *err) {
  char *buf = NULL, msg[sizeof(err->msg)];
  size_t blen = 0;
  int rc = path ? ag_read_file(path, YT_MAX_BYTES, &buf, &blen, err) : 0;
  if (rc)
    return rc;
  yt_doc *doc = path ? yt_parse(path, buf, blen, msg, sizeof(msg)) : NULL;
  free(buf);
  if (path && !doc) {
    ag_err(err, "%s", msg);
    return AIGATE_ERR_CONFIG;
  }
  /* Only general_settings.database_url is read, as the full loader would
   * read it: literal or os.environ/VAR, a file path or sqlite:// URL. */
  gw_config tmp = {0};
  ctx c = {.w = {path ? path : "<default>", err}};
  const yt_node *gs = doc ? yt_get(yt_root(doc), "general_settings") : NULL;
  const yt_node *db =
      gs && gs->type == YT_MAP ? yt_get(gs, "database_url") : NULL;
  if (db)
    rc = get_value(&c, db, "general_settings.database_url", &tmp.database_url,
                   NULL);
  if (!rc && db && strstr(tmp.database_url, "://") &&
      strncmp(tmp.database_url, "sqlite://", 9))
    rc = bad(&c, db,
             "general_settings.database_url must be a SQLite file "
             "path");
  if (!rc &&
      snprintf(out, len, "%s",
               tmp.database_url ? tmp.database_url : "aigate.db") >= (int)len)
    rc = bad(&c, db, "general_settings.database_url is too long");
  free(tmp.database_url);
  yt_free(doc);
  return rc;
}

static void deployment_free(gw_deployment *d) {
  free(d->model_name);
  free(d->upstream_model);
  free(d->api_base);
  free(d->api_key);
  free(d->api_key_source);
}

void gw_config_free(gw_config *cfg) {
  if (!cfg)
    return;
  free(cfg->listen_host);
  free(cfg->metrics_host);
  free(cfg->records_file);
  free(cfg->records_syslog);
  char **lists[] = {cfg->pseudo_restore, cfg->pseudo_mask, cfg->pseudo_block};
  for (size_t l = 0; l < 3; l++) {
    for (size_t i = 0; lists[l] && lists[l][i]; i++)
      free(lists[l][i]);
    free(lists[l]);
  }
  for (size_t i = 0; i < cfg->n_media_hosts; i++)
    free(cfg->media_hosts[i]);
  free(cfg->media_hosts);
  free(cfg->input_profile);
  free(cfg->untrusted_profile);
  free(cfg->output_profile);
  free(cfg->user);
  free(cfg->master_key);
  free(cfg->webhook_url);
  free(cfg->ui_key);
  free(cfg->database_url);
  for (size_t i = 0; i < cfg->n_deployments; i++)
    deployment_free(&cfg->deployments[i]);
  free(cfg->deployments);
  deployment_free(&cfg->passthrough);
  for (size_t i = 0; i < cfg->n_fallbacks; i++) {
    for (size_t j = 0; j < cfg->fallbacks[i].n_to; j++)
      free(cfg->fallbacks[i].to[j]);
    free(cfg->fallbacks[i].to);
    free(cfg->fallbacks[i].model);
  }
  free(cfg->fallbacks);
  free(cfg);
}

size_t gw_config_deployments(const gw_config *cfg, const char *model,
                             const gw_deployment **out, size_t max) {
  size_t n = 0;
  for (size_t i = 0; i < cfg->n_deployments && n < max; i++)
    if (cfg->deployments[i].model_name &&
        strcmp(cfg->deployments[i].model_name, model) == 0)
      out[n++] = &cfg->deployments[i];
  return n;
}

const gw_fallback *gw_config_fallback(const gw_config *cfg, const char *model) {
  return find_fallback(cfg, model);
}
