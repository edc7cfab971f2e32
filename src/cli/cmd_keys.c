/*
 * cmd_keys.c -- `aigate keys`: manage virtual keys in the store named by
 * the configuration (general_settings.database_url), also while `aigate
 * serve` runs on it (it picks changes up within a second).
 *
 * Options become a JSON request read by the store's keyjson.c, the same
 * reading the admin API uses, so the two cannot drift apart.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "gwconfig.h"
#include "keyjson.h"
#include "store.h"

static const char usage_text[] =
    "usage: aigate keys create --name NAME [LIMITS] [-c FILE] [--format F]\n"
    "       aigate keys list [-c FILE] [--format text|json]\n"
    "       aigate keys show ID|KEY [-c FILE] [--format text|json]\n"
    "       aigate keys update ID [LIMITS] [--reset-spend] [--unblock]\n"
    "       aigate keys revoke ID       (refused from now on; kept on record)\n"
    "       aigate keys rotate ID [--grace DURATION]\n"
    "       aigate keys delete ID\n"
    "\n"
    "LIMITS (all optional; an absent one is no limit):\n"
    "  --models a,b          models the key may use\n"
    "  --tools t1,t2         tools its requests may declare and call\n"
    "  --allow-hosts h1,*.h2 hosts its output may load images from and\n"
    "                        link data to, besides the policy's\n"
    "  --rpm N --tpm N       requests / tokens per minute\n"
    "  --max-tokens N        clamp of max_tokens in every request\n"
    "  --max-budget USD      spend limit, with --budget-duration 30d to\n"
    "                        reset it every period\n"
    "  --duration 30d        the key expires after this long\n"
    "  --policy NAME         policy profile for its requests\n"
    "  --metadata k=v        (repeatable)\n"
    "Durations: 45s, 15m, 12h, 30d, 2w, 1mo. The key is printed once, at\n"
    "create and rotate; only its keyed hash is stored.\n";

static int has_next(int argc, int i) {
  return i + 1 < argc;
}

/* "a,b,c" -> JSON array; "" -> empty array (no restriction). */
static json_t *split_list(const char *s) {
  json_t *a = json_array();
  char *copy = strdup(s);
  if (!a || !copy) {
    free(copy);
    json_decref(a);
    return NULL;
  }
  for (char *save, *t = strtok_r(copy, ",", &save); t;
       t = strtok_r(NULL, ",", &save))
    json_array_append_new(a, json_string(t));
  free(copy);
  return a;
}

static json_t *count(const char *s) {
  char *end;
  long long v = strtoll(s, &end, 10);
  return *s && !*end ? json_integer(v) : json_string(s); /* typed error */
}

typedef struct {
  const char *config;
  int json;
  int reset_spend, unblock;
  const char *grace;
  const char *target; /* ID or key */
  json_t *req;
} opts;

/* Parse the options after the verb. Returns 0 or EXIT_USAGE. */
static int parse(int argc, char **argv, opts *o, int want_target) {
  o->req = json_object();
  json_t *meta = NULL;
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    const char *v = has_next(argc, i) ? argv[i + 1] : NULL;
    json_t *val = NULL;
    const char *field = NULL;
    if ((!strcmp(a, "-c") || !strcmp(a, "--config")) && v)
      o->config = v;
    else if (!strcmp(a, "--format") && v) {
      if (strcmp(v, "json") && strcmp(v, "text"))
        return cli_fail("keys: --format is text or json");
      o->json = !strcmp(v, "json");
    } else if (!strcmp(a, "--name") && v)
      field = "key_alias", val = json_string(v);
    else if (!strcmp(a, "--models") && v)
      field = "models", val = split_list(v);
    else if (!strcmp(a, "--tools") && v)
      field = "tools", val = split_list(v);
    else if (!strcmp(a, "--allow-hosts") && v)
      field = "allow_hosts", val = split_list(v);
    else if (!strcmp(a, "--rpm") && v)
      field = "rpm_limit", val = count(v);
    else if (!strcmp(a, "--tpm") && v)
      field = "tpm_limit", val = count(v);
    else if (!strcmp(a, "--max-tokens") && v)
      field = "max_tokens", val = count(v);
    else if (!strcmp(a, "--max-budget") && v) {
      int64_t nano;
      if (store_parse_usd(v, &nano))
        return cli_fail("keys: --max-budget takes USD such as 10 or 2.50, "
                        "got '%s'",
                        v);
      field = "max_budget", val = json_real((double)nano / 1e9);
    } else if (!strcmp(a, "--budget-duration") && v)
      field = "budget_duration", val = json_string(v);
    else if (!strcmp(a, "--duration") && v)
      field = "duration", val = json_string(v);
    else if (!strcmp(a, "--policy") && v)
      field = "policy", val = json_string(v);
    else if (!strcmp(a, "--metadata") && v) {
      const char *eq = strchr(v, '=');
      if (!eq || eq == v)
        return cli_fail("keys: --metadata takes k=v, got '%s'", v);
      if (!meta && !(meta = json_object()))
        return cli_fail("keys: out of memory");
      char k[256];
      snprintf(k, sizeof(k), "%.*s", (int)(eq - v), v);
      json_object_set_new(meta, k, json_string(eq + 1));
      i++;
      continue;
    } else if (!strcmp(a, "--grace") && v)
      o->grace = v;
    else if (!strcmp(a, "--reset-spend")) {
      o->reset_spend = 1;
      continue;
    } else if (!strcmp(a, "--unblock")) {
      o->unblock = 1;
      continue;
    } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      fputs(usage_text, stdout);
      exit(0);
    } else if (a[0] != '-' && want_target && !o->target) {
      o->target = a;
      continue;
    } else {
      fputs(usage_text, stderr);
      return cli_fail("keys: unknown or incomplete option '%s'", a);
    }
    i++;
    if (field) {
      if (!val)
        return cli_fail("keys: out of memory");
      json_object_set_new(o->req, field, val);
    }
  }
  if (meta)
    json_object_set_new(o->req, "metadata", meta);
  if (want_target && !o->target)
    return cli_fail("keys: which key? give its id (key_...) or the key");
  return 0;
}

static store *open_store(const opts *o) {
  aigate_error err = {0};
  char url[4096], path[4096], why[600];
  if (gw_config_database(o->config, url, sizeof(url), &err)) {
    cli_fail("%s", err.msg);
    return NULL;
  }
  store *s = NULL;
  if (store_db_path(url, path, sizeof(path)))
    cli_fail("database path too long");
  else if (!(s = store_open(path, why, sizeof(why))))
    cli_fail("%s", why);
  return s;
}

static void print_key(const store_key *k, const opts *o, const char *secret) {
  int64_t now = (int64_t)time(NULL);
  json_t *j = store_key_json(k, store_key_spend_at(k, now), now);
  if (secret)
    json_object_set_new(j, "key", json_string(secret));
  if (o->json) {
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (s)
      puts(s);
    free(s);
    json_decref(j);
    return;
  }
  if (secret)
    printf("%-25s %s\n%-25s (shown once: store it now)\n", "key", secret, "");
  const char *f;
  json_t *v;
  json_object_foreach(j, f, v) {
    if (!strcmp(f, "key") || !strcmp(f, "token") ||
        (json_is_array(v) && !json_array_size(v)) || json_is_null(v))
      continue;
    char *s = json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY);
    printf("%-25s %s\n", f, s ? s : json_string_value(v));
    free(s);
  }
  json_decref(j);
}

static int list(store *s, const opts *o) {
  store_key *keys;
  size_t n;
  if (store_key_list(s, &keys, &n))
    return cli_fail("%s", store_error(s));
  int64_t now = (int64_t)time(NULL);
  if (o->json) {
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
      json_array_append_new(
          a, store_key_json(&keys[i], store_key_spend_at(&keys[i], now), now));
    char *t = json_dumps(a, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (t)
      puts(t);
    free(t);
    json_decref(a);
  } else {
    printf("%-20s %-14s %-24s %-12s %s\n", "ID", "KEY", "NAME", "SPEND USD",
           "STATUS");
    for (size_t i = 0; i < n; i++) {
      const store_key *k = &keys[i];
      char spend[32];
      store_format_usd(store_key_spend_at(k, now), spend, sizeof(spend));
      const char *status = k->revoked                        ? "revoked"
                           : k->expires && now >= k->expires ? "expired"
                                                             : "active";
      printf("%-20s %-10s... %-24.24s %-12s %s\n", k->id, k->prefix, k->name,
             spend, status);
    }
  }
  store_keys_free(keys, n);
  return 0;
}

int cmd_keys(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
    fputs(usage_text, argc < 2 ? stderr : stdout);
    return argc < 2 ? EXIT_USAGE : 0;
  }
  const char *verb = argv[1];
  static const char *const verbs[] = {"create", "list",   "show",  "update",
                                      "revoke", "rotate", "delete"};
  int known = 0;
  for (size_t i = 0; i < sizeof(verbs) / sizeof(*verbs); i++)
    known |= !strcmp(verb, verbs[i]);
  if (!known) {
    fputs(usage_text, stderr);
    return cli_fail("keys: unknown command '%s'", verb);
  }
  opts o = {0};
  int want_target = strcmp(verb, "create") && strcmp(verb, "list");
  int rc = parse(argc, argv, &o, want_target);
  int limits = json_object_size(o.req) > 0;
  if (!rc && limits && strcmp(verb, "create") && strcmp(verb, "update"))
    rc = cli_fail("keys %s takes no limits", verb);
  if (!rc && (o.reset_spend || o.unblock) && strcmp(verb, "update"))
    rc = cli_fail("keys: --reset-spend and --unblock go with update");
  if (!rc && o.grace && strcmp(verb, "rotate"))
    rc = cli_fail("keys: --grace goes with rotate");
  store *s = rc ? NULL : open_store(&o);
  if (!s) {
    json_decref(o.req);
    return EXIT_USAGE;
  }
  int64_t now = (int64_t)time(NULL);
  store_key k = {.max_budget = -1};
  char err[400], secret[STORE_KEY_LEN];
  if (!strcmp(verb, "list")) {
    rc = list(s, &o);
  } else if (!strcmp(verb, "create")) {
    if (store_key_apply_json(&k, o.req, 0, now, err, sizeof(err)))
      rc = cli_fail("keys create: %s", err);
    else if (store_key_create(s, &k, secret, now))
      rc = cli_fail("keys create: %s", store_error(s));
    else
      print_key(&k, &o, secret);
  } else if ((rc = store_key_get(s, o.target, &k))) {
    rc = cli_fail("keys %s: %s: %s", verb, o.target, store_error(s));
  } else if (!strcmp(verb, "show")) {
    print_key(&k, &o, NULL);
  } else if (!strcmp(verb, "update") || !strcmp(verb, "revoke")) {
    if (!strcmp(verb, "revoke"))
      k.revoked = 1;
    if (o.unblock)
      store_key_set_blocked(&k, 0);
    if (store_key_apply_json(&k, o.req, 1, now, err, sizeof(err)))
      rc = cli_fail("keys %s: %s", verb, err);
    else if (store_key_update(s, &k, o.reset_spend, now) ||
             store_key_reread(s, &k))
      rc = cli_fail("keys %s: %s", verb, store_error(s));
    else
      print_key(&k, &o, NULL);
  } else if (!strcmp(verb, "rotate")) {
    int64_t grace = 0;
    if (o.grace && store_parse_duration(o.grace, &grace))
      rc = cli_fail("keys rotate: --grace takes a duration such as 1h");
    else if (store_key_rotate(s, k.id, grace, secret, now) ||
             store_key_reread(s, &k))
      rc = cli_fail("keys rotate: %s", store_error(s));
    else
      print_key(&k, &o, secret);
  } else { /* delete */
    if (store_key_delete(s, k.id))
      rc = cli_fail("keys delete: %s", store_error(s));
    else
      printf("deleted %s (%s)\n", k.id, k.name);
  }
  store_key_clear(&k);
  store_close(s);
  json_decref(o.req);
  return rc;
}
