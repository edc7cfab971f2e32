/*
 * cmd_log.c -- `aigate log`: the gateway's request records in the store
 * named by the configuration.
 *
 *   aigate log search [--key ID] [--decision D] [--rule R] [--model M]
 *                     [--since DURATION] [--limit N] [-c FILE] [--format F]
 *   aigate log show ID [--content] [-c FILE]
 *   aigate log verify [-c FILE] [--checkpoints FILE]
 *
 * --content opens the sealed request and response of a record with the
 * content key (aigate.content_key beside the database, or
 * $AIGATE_CONTENT_KEY); only whoever can read that key can read them.
 * verify --checkpoints also reads the checkpoints a syslog collector kept
 * (monitoring.records_syslog), so that a database and checkpoint file
 * rewritten together on the gateway's host are still caught.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "normalize.h"
#include "gwconfig.h"
#include "store.h"

static const char usage_text[] =
    "usage: aigate log search [--key ID] [--decision D] [--rule R]\n"
    "                         [--model M] [--since 1h] [--limit N]\n"
    "                         [-c FILE] [--format text|json]\n"
    "       aigate log tail [-f] [--key ID] [--decision D] [-c FILE]\n"
    "       aigate log show ID [--content] [-c FILE]\n"
    "       aigate log verify [-c FILE] [--checkpoints SYSLOG_FILE]\n"
    "                         (exit 0 intact, 1 tampered)\n"
    "       aigate log alerts [--limit N] [-c FILE]   (JSON)\n";

static int db_path(const char *config, char *path, size_t len) {
  aigate_error err = {0};
  char url[4096];
  if (gw_config_database(config, url, sizeof(url), &err))
    return cli_fail("%s", err.msg);
  return store_db_path(url, path, len) ? cli_fail("database path too long") : 0;
}

static void print_text(json_t *recs, int header) {
  size_t i;
  json_t *o;
  if (header)
    printf("%-24s %-20s %-20s %-12s %-6s %s\n", "TIME", "ID", "KEY", "MODEL",
           "STATUS", "DECISION");
  json_array_foreach(recs, i, o) {
    time_t t = (time_t)(json_integer_value(json_object_get(o, "ts_ms")) / 1000);
    struct tm tm;
    char when[32] = "-";
    if (gmtime_r(&t, &tm))
      strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    const char *key = json_string_value(json_object_get(o, "key_id"));
    const char *model = json_string_value(json_object_get(o, "model"));
    const char *rules = json_string_value(json_object_get(o, "rules"));
    printf("%-24s %-20s %-20s %-12.12s %-6lld %s%s%s\n", when,
           json_string_value(json_object_get(o, "id")), key ? key : "-",
           model ? model : "-",
           (long long)json_integer_value(json_object_get(o, "status")),
           json_string_value(json_object_get(o, "decision")),
           rules && *rules ? " " : "", rules ? rules : "");
  }
}

/* The sealed content of one record, opened. */
static int show_content(store *s, const char *dbpath, const char *id,
                        json_t *rec) {
  unsigned char *blob, *plain;
  size_t len, plen;
  char kid[17], kpath[4200], err[600] = "database path too long";
  if (store_audit_content(s, id, &blob, &len, kid) != STORE_OK)
    return cli_fail("log show: record %s has no stored content", id);
  store_content_key k;
  int rc = 0;
  if (store_path_beside(dbpath, STORE_CONTENT_KEY_FILE, kpath, sizeof(kpath)) ||
      store_content_key_load(kpath, &k, err, sizeof(err)))
    rc = cli_fail("log show: %s", err);
  else if (strcmp(k.id, kid))
    rc = cli_fail("log show: sealed with content key %s; the key here is %s",
                  kid, k.id);
  else if (store_unseal(&k, id, blob, len, &plain, &plen) || plen < 8)
    rc = cli_fail("log show: the content of %s does not open (tampered?)", id);
  else {
    uint64_t n = 0;
    for (int i = 0; i < 8; i++)
      n |= (uint64_t)plain[i] << (8 * i);
    if (n > plen - 8)
      n = plen - 8;
    char *req = ag_utf8_copy((const char *)plain + 8, (size_t)n);
    char *resp = ag_utf8_copy((const char *)plain + 8 + n, plen - 8 - n);
    json_object_set_new(rec, "request", json_string(req ? req : ""));
    json_object_set_new(rec, "response", json_string(resp ? resp : ""));
    free(req);
    free(resp);
    sodium_memzero(plain, plen);
    free(plain);
  }
  store_content_key_clear(&k);
  free(blob);
  return rc;
}

static void print_problem(void *ud, const char *msg) {
  (void)ud;
  printf("TAMPERED: %s\n", msg);
}

/* Every chain of records against the audit key and the checkpoints. */
static int verify(const char *config, const char *collected) {
  char path[4096], why[600], key[4200], cps[4200];
  if (db_path(config, path, sizeof(path)))
    return EXIT_USAGE;
  if (store_path_beside(path, STORE_AUDIT_KEY_FILE, key, sizeof(key)) ||
      store_path_beside(path, STORE_CHECKPOINT_FILE, cps, sizeof(cps)))
    return cli_fail("log verify: database path too long");
  const char *env = getenv("AIGATE_AUDIT_KEY");
  if (!(env && *env) && access(key, F_OK))
    return cli_fail("log verify: no audit key (%s, or AIGATE_AUDIT_KEY)", key);
  store_content_key k;
  if (store_key_file_load(key, "AIGATE_AUDIT_KEY", &k, why, sizeof(why)))
    return cli_fail("log verify: %s", why);
  store *s = store_open(path, why, sizeof(why));
  if (!s) {
    store_content_key_clear(&k);
    return cli_fail("%s", why);
  }
  int64_t records;
  int problems = store_chain_verify(s, k.key, cps, collected, print_problem,
                                    NULL, &records);
  store_content_key_clear(&k);
  int rc;
  if (problems < 0)
    rc = cli_fail("log verify: %s", store_error(s));
  else if (problems)
    rc = 1;
  else {
    printf("intact: %lld records\n", (long long)records);
    rc = 0;
  }
  store_close(s);
  return rc;
}

/* The anomaly detector's alerts, newest first, as JSON. */
static int alerts(int argc, char **argv) {
  const char *config = NULL;
  long limit = 100;
  for (int i = 2; i < argc; i++) {
    if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) &&
        i + 1 < argc)
      config = argv[++i];
    else if (!strcmp(argv[i], "--limit") && i + 1 < argc) {
      char *end;
      limit = strtol(argv[++i], &end, 10);
      if (*end || limit < 1 || limit > 100000)
        return cli_fail("log alerts: --limit takes 1..100000");
    } else
      return cli_fail("log alerts: unknown or incomplete option '%s'", argv[i]);
  }
  char path[4096], why[600];
  if (db_path(config, path, sizeof(path)))
    return EXIT_USAGE;
  store *s = store_open(path, why, sizeof(why));
  if (!s)
    return cli_fail("%s", why);
  json_t *list = store_alert_list(s, limit);
  int rc = 0;
  if (!list)
    rc = cli_fail("log alerts: %s", store_error(s));
  else {
    char *t = json_dumps(list, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (t)
      puts(t);
    free(t);
  }
  json_decref(list);
  store_close(s);
  return rc;
}

/* The newest records, oldest first; with -f, then every new one as it is
 * written (polled twice a second), until interrupted. */
static int tail(store *s, store_audit_filter *f, int follow, int json) {
  f->limit = f->limit ? f->limit : 10;
  json_t *recs = store_audit_search(s, f);
  if (!recs)
    return cli_fail("log tail: %s", store_error(s));
  /* Newest first from the search: print them reversed. */
  json_t *asc = json_array();
  for (size_t i = json_array_size(recs); i-- > 0;)
    json_array_append(asc, json_array_get(recs, i));
  json_decref(recs);
  int first = 1;
  for (;;) {
    size_t n = json_array_size(asc);
    if (n) {
      f->after_seq = json_integer_value(
          json_object_get(json_array_get(asc, n - 1), "seq"));
      if (json) {
        size_t i;
        json_t *o;
        json_array_foreach(asc, i, o) {
          char *t = json_dumps(o, JSON_COMPACT);
          if (t)
            puts(t);
          free(t);
        }
      } else {
        print_text(asc, first);
        first = 0;
      }
      fflush(stdout);
    }
    json_decref(asc);
    if (!follow)
      return 0;
    struct timespec ts = {0, 500 * 1000000L};
    nanosleep(&ts, NULL);
    f->oldest_first = 1;
    f->limit = 1000;
    if (!(asc = store_audit_search(s, f)))
      return cli_fail("log tail: %s", store_error(s));
  }
}

int cmd_log(int argc, char **argv) {
  if (argc >= 2 && !strcmp(argv[1], "alerts"))
    return alerts(argc, argv);
  if (argc >= 2 && !strcmp(argv[1], "verify")) {
    const char *config = NULL, *collected = NULL;
    for (int i = 2; i < argc; i++) {
      if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) &&
          i + 1 < argc)
        config = argv[++i];
      else if (!strcmp(argv[i], "--checkpoints") && i + 1 < argc)
        collected = argv[++i];
      else
        return cli_fail("log verify: unknown or incomplete option '%s'",
                        argv[i]);
    }
    return verify(config, collected);
  }
  int is_tail = argc >= 2 && !strcmp(argv[1], "tail");
  int follow = 0;
  if (argc < 2 ||
      (strcmp(argv[1], "search") && strcmp(argv[1], "show") && !is_tail)) {
    fputs(usage_text, argc < 2 ? stderr : stdout);
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
      return 0;
    return argc < 2 ? EXIT_USAGE
                    : cli_fail("log: unknown command '%s'", argv[1]);
  }
  int show = !strcmp(argv[1], "show");
  store_audit_filter f = {0};
  const char *config = NULL;
  int json = show, content = 0;
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if ((!strcmp(a, "-c") || !strcmp(a, "--config")) && v)
      config = argv[++i];
    else if (!strcmp(a, "--key") && v && !show)
      f.key_id = argv[++i];
    else if (!strcmp(a, "--decision") && v && !show)
      f.decision = argv[++i];
    else if (!strcmp(a, "--rule") && v && !show)
      f.rule = argv[++i];
    else if (!strcmp(a, "--model") && v && !show)
      f.model = argv[++i];
    else if (!strcmp(a, "--since") && v && !show) {
      int64_t secs;
      if (store_parse_duration(argv[++i], &secs))
        return cli_fail("log: --since takes a duration such as 1h");
      f.since_ms = ((int64_t)time(NULL) - secs) * 1000;
    } else if (!strcmp(a, "--limit") && v && !show) {
      char *end;
      long n = strtol(argv[++i], &end, 10);
      if (*end || n < 1 || n > 100000)
        return cli_fail("log: --limit takes 1..100000");
      f.limit = n;
    } else if (!strcmp(a, "--format") && v && !show) {
      if (strcmp(v, "json") && strcmp(v, "text"))
        return cli_fail("log: --format is text or json");
      json = !strcmp(argv[++i], "json");
    } else if (!strcmp(a, "--content") && show)
      content = 1;
    else if (!strcmp(a, "-f") && is_tail)
      follow = 1;
    else if (show && a[0] != '-' && !f.id)
      f.id = a;
    else {
      fputs(usage_text, stderr);
      return cli_fail("log: unknown or incomplete option '%s'", a);
    }
  }
  if (show && !f.id)
    return cli_fail("log show: which record? give its request id");
  char path[4096], why[600];
  if (db_path(config, path, sizeof(path)))
    return EXIT_USAGE;
  store *s = store_open(path, why, sizeof(why));
  if (!s)
    return cli_fail("%s", why);
  int rc = 0;
  if (is_tail) {
    rc = tail(s, &f, follow, json);
    store_close(s);
    return rc;
  }
  json_t *recs = store_audit_search(s, &f);
  if (!recs)
    rc = cli_fail("log: %s", store_error(s));
  else if (show && !json_array_size(recs))
    rc = cli_fail("log show: no record %s", f.id);
  else if (show && content &&
           (rc = show_content(s, path, f.id, json_array_get(recs, 0))))
    ;
  else if (json) {
    char *t = json_dumps(show ? json_array_get(recs, 0) : recs,
                         JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (t)
      puts(t);
    free(t);
  } else
    print_text(recs, 1);
  json_decref(recs);
  store_close(s);
  return rc;
}
