/*
 * gwconfig.h -- the gateway's sections of the configuration file.
 *
 * One YAML file configures everything. libaigate parses the detection
 * sections (policy, profiles, rules, limits) and skips the sections named
 * in gw_config_sections; this module parses those: `server` (aigate's own
 * listener, limits, timeouts, streaming and media policy) and the
 * LiteLLM-style `model_list`, `general_settings`, `router_settings` and
 * `litellm_settings`, so that a team can reuse an existing proxy config.
 * The loader is as strict as the library's: an unknown key is an error
 * with file and line. LiteLLM keys that aigate knows but does not
 * implement are reported as warnings, never silently ignored. The full
 * schema and the LiteLLM compatibility table are in docs/gateway-config.md.
 */
#ifndef AIGATE_GWCONFIG_H
#define AIGATE_GWCONFIG_H

#include <stddef.h>

#include "aigate/aigate.h"

/* Top-level keys this module owns (NULL-terminated): the five sections
 * above, and LiteLLM top-level sections that aigate recognises only to
 * warn that they are ignored (environment_variables, guardrails, ...). */
extern const char *const gw_config_sections[];

/* One upstream deployment of a model name. */
typedef struct {
  char *model_name;     /* what clients ask for */
  char *upstream_model; /* sent upstream ("openai/gpt-4o" -> "gpt-4o") */
  char *api_base;       /* base URL ending before /chat/completions, no
                           trailing slash, e.g. "https://api.openai.com/v1" */
  char *api_key;        /* resolved secret; NULL = send no Authorization */
  char *api_key_source; /* "os.environ/VAR", "config", "env OPENAI_API_KEY"
                           or "none" -- for messages; never the key itself */
  long rpm, tpm;        /* 0 = no limit */
  double input_cost_per_token;  /* USD, for virtual keys' spend; 0: free */
  double output_cost_per_token; /* USD */
  int timeout_ms; /* litellm_params.timeout; 0 = total_timeout_ms */
  int line;       /* where it was configured; 0 for passthrough */
} gw_deployment;

/* Models tried, in order, when every deployment of `model` failed. */
typedef struct {
  char *model;
  char **to;
  size_t n_to;
  int line; /* where it was configured */
} gw_fallback;

typedef enum {
  GW_MEDIA_ALLOW = 0,     /* non-text parts pass (not scanned) */
  GW_MEDIA_BLOCK = 1,     /* any non-text part refuses the request */
  GW_MEDIA_ALLOWLIST = 2, /* image_url etc. only from listed hosts;
                             data: URLs allowed within the size limit */
} gw_media_policy;

typedef struct {
  /* server: */
  char *listen_host;          /* default "127.0.0.1"; an IPv6 address is
                                 stored without its brackets ("::1") */
  int listen_port;            /* default 4000; 0 = pick a free port */
  int workers;                /* 0 = number of online cores */
  int max_connections;        /* default 10000 */
  size_t max_body_bytes;      /* default 4 MiB */
  size_t max_header_bytes;    /* default 16 KiB (request line + headers) */
  size_t max_messages;        /* default 2048 messages per request */
  int header_timeout_ms;      /* default 10000: headers must arrive by then */
  int body_timeout_ms;        /* default 30000: whole body by then */
  int connect_timeout_ms;     /* default 5000 (upstream) */
  int first_byte_timeout_ms;  /* default 120000 (upstream) */
  int idle_timeout_ms;        /* default 60000 (gap between stream bytes) */
  int total_timeout_ms;       /* default 600000 (whole upstream exchange) */
  int drain_timeout_ms;       /* default 30000 (SIGTERM) */
  int num_retries;            /* default 2 (connect errors, 429, 5xx) */
  int retry_backoff_ms;       /* default 200, doubled per retry */
  size_t stream_hold_max;     /* default 8192: held-back bytes before block */
  size_t tool_call_max_bytes; /* default 262144 per tool call */
  gw_media_policy media;      /* default GW_MEDIA_ALLOW */
  char **media_hosts;         /* for GW_MEDIA_ALLOWLIST: lower-case host
                                 names; "*.example.com" means any subdomain */
  size_t n_media_hosts;
  size_t max_media_bytes;  /* size of one inline (data:) part; default
                              min(20 MiB, max_body_bytes); a larger
                              configured value is an error */
  char *input_profile;     /* policy profile for input; NULL = policy */
  char *untrusted_profile; /* for tool results and documents; NULL =
                              "untrusted" if the config defines it, else
                              input_profile */
  char *output_profile;    /* for output; NULL = policy */
  /* server.pseudonymize: category -> restore | mask | block. Categories
   * as NULL-terminated lists (never NULL; empty: pseudonymization off). */
  char **pseudo_restore, **pseudo_mask, **pseudo_block;
  char *user;  /* run as this user after binding */
  int seccomp; /* default 1: install the system-call filter */

  /* general_settings: */
  char *master_key;   /* NULL: env AIGATE_MASTER_KEY, else generated */
  char *database_url; /* default "aigate.db" (a SQLite file path) */
  int store_content;  /* keep request and response bodies, sealed with
                         the content key (default 0: hashes only) */

  /* model_list (empty: every model passes through to OPENAI_BASE_URL
   * with OPENAI_API_KEY, as one deployment per requested name): */
  gw_deployment *deployments;
  size_t n_deployments;
  /* Used for every model when model_list is empty: api_base from env
   * OPENAI_BASE_URL (default https://api.openai.com/v1), api_key from env
   * OPENAI_API_KEY (NULL when unset), model_name and upstream_model NULL
   * (the requested name passes through). All NULL otherwise. */
  gw_deployment passthrough;

  /* monitoring: */
  int anomaly_detection; /* default 1 */
  char *webhook_url;     /* alerts are POSTed here (NULL: none) */
  int webhook_slack;     /* body {"text": ...} for Slack-compatible hooks */
  int alert_syslog;      /* alerts to syslog too */
  int suspend_severity;  /* 0 never (default); 3 high; 4 critical: alerts
                            of that severity or more suspend the key */
  int suspend_for_s;     /* default 900 */
  int throttle_severity; /* as suspend_severity (2 medium), for throttling
                            the key to throttle_rpm instead */
  int throttle_rpm;      /* default 6 */
  int throttle_for_s;    /* default 900 */
  char *ui_key;          /* read-only key for /ui and /metrics (NULL: the
                            master key only) */
  char *metrics_host;    /* /metrics on its own listener (NULL: on the
                            main one) */
  int metrics_port;
  int metrics_auth;         /* default 1: the metrics listener wants the master
                               or dashboard key too */
  char *records_file;       /* request records as JSONL too (NULL: none) */
  size_t records_max_bytes; /* rotate at this size; default 100 MiB */
  int records_max_age_s;    /* and after this long; default 86400 */
  int records_keep;         /* rotated files kept; default 10, 0: all */
  char *records_syslog;     /* "udp://HOST:PORT" or "tcp://HOST:PORT":
                               records and checkpoints as RFC 5424 */

  /* router_settings / litellm_settings: */
  gw_fallback *fallbacks;
  size_t n_fallbacks;
} gw_config;

/*
 * Parse the gateway sections of the YAML file at `path` (NULL: no file,
 * all defaults). Environment variables named by `os.environ/VAR` are read
 * here; a missing one is an error naming the variable and the line.
 * Warnings (known but unsupported LiteLLM keys) are passed to `warn` (may
 * be NULL) one at a time, as "file:line: message" without a newline. On
 * success *out is a new config (free with gw_config_free); on failure *out
 * is NULL, the result is an aigate_status (AIGATE_ERR_CONFIG, _IO,
 * _TOO_LARGE, _NOMEM) and err says file:line: why. Profile names are
 * stored, not checked: the caller checks them against the library's
 * configuration.
 */
int gw_config_load(const char *path, gw_config **out, aigate_error *err,
                   void (*warn)(void *ud, const char *msg), void *ud);

/* The same on a buffer; `name` is used in messages. */
int gw_config_load_buffer(const char *name, const char *buf, size_t len,
                          gw_config **out, aigate_error *err,
                          void (*warn)(void *ud, const char *msg), void *ud);

void gw_config_free(gw_config *cfg);

/* Only the database setting of the file at path (NULL: the default),
 * for the commands that manage the store: the rest of the file (and the
 * upstream secrets it names) need not be valid or set. */
int gw_config_database(const char *path, char *out, size_t len,
                       aigate_error *err);

/* Deployments serving `model` (pointers into cfg), in configured order:
 * stores at most `max` in out and returns how many it stored (0: unknown
 * model). With an empty model_list, returns 0 and the caller passes the
 * model through. A linear scan: model lists are short. */
size_t gw_config_deployments(const gw_config *cfg, const char *model,
                             const gw_deployment **out, size_t max);

/* The fallback list of `model`, or NULL. */
const gw_fallback *gw_config_fallback(const gw_config *cfg, const char *model);

/* Why gw_hostport refused an address. */
typedef enum {
  GW_HOSTPORT_OK = 0,
  GW_HOSTPORT_FORM = -1,     /* not HOST:PORT or [IPV6]:PORT */
  GW_HOSTPORT_IPV6 = -2,     /* brackets around what is not IPv6 */
  GW_HOSTPORT_BRACKETS = -3, /* an IPv6 address without brackets */
  GW_HOSTPORT_PORT = -4,     /* a port above 65535 */
  GW_HOSTPORT_TOO_LONG = -5, /* a host longer than hlen - 1 or 253 */
} gw_hostport_status;

/*
 * Split "HOST:PORT" or "[IPV6]:PORT", strictly: a host name of letters,
 * digits, dots and hyphens, or an IPv4 address, or an IPv6 address in
 * brackets; a port of 1-5 digits, 0-65535. The one reader of listen
 * addresses (server.listen, --listen, monitoring.metrics_listen) and of
 * the syslog collector's address. host gets the name without brackets.
 */
gw_hostport_status gw_hostport(const char *spec, char *host, size_t hlen,
                               int *port);

#endif
