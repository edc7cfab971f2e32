/*
 * test_store.c -- the key store (src/store): the database file and its
 * secret, keys created, read, updated, rotated and deleted, spend with
 * budget periods, schema versions, and the parsing helpers the CLI and
 * the admin API share.
 */
#define _GNU_SOURCE /* memmem */
#include <fcntl.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "keyjson.h"
#include "store.h"
#include "testutil.h"

static char dir[256], db[300];

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof(dir), "/tmp/aigate-store-XXXXXX");
  assert_non_null(mkdtemp(dir));
  snprintf(db, sizeof(db), "%s/k.db", dir);
  unsetenv("AIGATE_KEY_SECRET");
  return 0;
}

static int teardown(void **state) {
  (void)state;
  rm_tree(dir);
  unsetenv("AIGATE_KEY_SECRET");
  return 0;
}

static store *open_ok(void) {
  char err[600];
  store *s = store_open(db, err, sizeof(err));
  if (!s)
    fail_msg("store_open: %s", err);
  return s;
}

static void mode_is_private(const char *path) {
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_files(void **state) {
  (void)state;
  store *s = open_ok();
  char secret[400];
  snprintf(secret, sizeof(secret), "%s/aigate.key_secret", dir);
  mode_is_private(db);
  mode_is_private(secret);
  store_close(s);
  /* Reopening reads the same secret: a key still matches. */
  s = open_ok();
  store_key k = {.name = strdup("a"), .max_budget = -1};
  char key[STORE_KEY_LEN];
  assert_int_equal(store_key_create(s, &k, key, 1000), 0);
  store_close(s);
  s = open_ok();
  store_key got;
  assert_int_equal(store_key_get(s, key, &got), STORE_OK);
  assert_string_equal(got.id, k.id);
  store_key_clear(&got);
  store_close(s);

  /* A lost secret file is an error, never a silent new secret. */
  assert_int_equal(unlink(secret), 0);
  char err[600];
  assert_null(store_open(db, err, sizeof(err)));
  assert_non_null(strstr(err, "aigate.key_secret is missing"));
  /* Another secret is refused too. */
  setenv("AIGATE_KEY_SECRET", "0123456789abcdef0123456789abcdef-other", 1);
  assert_null(store_open(db, err, sizeof(err)));
  assert_non_null(strstr(err, "not the one this database was created with"));
  unsetenv("AIGATE_KEY_SECRET");
  /* A secret file others can read is refused. */
  int fd = open(secret, O_WRONLY | O_CREAT, 0644);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, "00", 2), 2);
  close(fd);
  chmod(secret, 0644);
  assert_null(store_open(db, err, sizeof(err)));
  assert_non_null(strstr(err, "readable by other users"));
  store_key_clear(&k);
}

static void test_env_secret(void **state) {
  (void)state;
  setenv("AIGATE_KEY_SECRET", "short", 1);
  char err[600];
  assert_null(store_open(db, err, sizeof(err)));
  assert_non_null(strstr(err, "at least 32"));
  setenv("AIGATE_KEY_SECRET", "a-long-enough-secret-for-the-store-0001", 1);
  store *s = open_ok();
  store_close(s);
  char secret[400];
  struct stat st;
  snprintf(secret, sizeof(secret), "%s/aigate.key_secret", dir);
  assert_int_not_equal(stat(secret, &st), 0); /* no file then */
}

static void test_newer_schema_refused(void **state) {
  (void)state;
  store_close(open_ok());
  sqlite3 *h;
  assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
  assert_int_equal(sqlite3_exec(h, "PRAGMA user_version=99", 0, 0, 0), 0);
  sqlite3_close(h);
  char err[600];
  assert_null(store_open(db, err, sizeof(err)));
  assert_non_null(strstr(err, "schema version 99"));
}

/* A version-1 file (keys only) is migrated forward on open. */
static void test_migration(void **state) {
  (void)state;
  store_close(open_ok());
  sqlite3 *h;
  assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
  assert_int_equal(sqlite3_exec(h,
                                "DROP TABLE audit; DROP TABLE alerts; ALTER "
                                "TABLE keys DROP COLUMN suspended_until; "
                                "ALTER TABLE keys DROP COLUMN allow_hosts; "
                                "ALTER TABLE keys DROP COLUMN throttled_until; "
                                "ALTER TABLE keys DROP COLUMN throttle_rpm; "
                                "PRAGMA user_version=1",
                                0, 0, 0),
                   0);
  sqlite3_close(h);
  store *s = open_ok();
  int64_t n;
  assert_int_equal(store_audit_count(s, &n), 0);
  assert_int_equal(n, 0);
  store_close(s);
}

static void test_audit(void **state) {
  (void)state;
  store *s = open_ok();
  char err[600], kpath[400];
  snprintf(kpath, sizeof(kpath), "%s/aigate.content_key", dir);
  store_content_key k;
  assert_int_equal(store_content_key_load(kpath, &k, err, sizeof(err)), 0);
  mode_is_private(kpath);
  store_content_key k2;
  assert_int_equal(store_content_key_load(kpath, &k2, err, sizeof(err)), 0);
  assert_memory_equal(k.key, k2.key, 32); /* the same file, the same key */
  assert_string_equal(k.id, k2.id);
  const char *plain = "the prompt and the answer";
  unsigned char *sealed, *back;
  size_t sn, bn;
  assert_int_equal(store_seal(&k, "req_1", (const unsigned char *)plain,
                              strlen(plain), &sealed, &sn),
                   0);
  assert_null(memmem(sealed, sn, "prompt", 6));
  store_audit a = {.id = "req_1",
                   .ts_ms = 1000,
                   .client = "127.0.0.1",
                   .route = "chat",
                   .model = "m",
                   .decision = "redact",
                   .rules = "aws-access-key-id,pii-email",
                   .status = 200,
                   .prompt_tokens = 3,
                   .content = sealed,
                   .content_len = sn};
  memcpy(a.content_key_id, k.id, sizeof(a.content_key_id));
  snprintf(a.key_id, sizeof(a.key_id), "key_0123456789abcdef");
  assert_int_equal(store_begin(s), 0);
  assert_int_equal(store_audit_add(s, &a), 0);
  snprintf(a.id, sizeof(a.id), "req_2");
  a.content = NULL;
  a.decision = "block (fail-closed)";
  a.rules = "inj-ignore-previous";
  assert_int_equal(store_audit_add(s, &a), 0);
  assert_int_equal(store_commit(s), 0);
  /* Search by fields. */
  store_audit_filter f = {.decision = "block"};
  json_t *r = store_audit_search(s, &f);
  assert_int_equal(json_array_size(r), 1);
  assert_string_equal(
      json_string_value(json_object_get(json_array_get(r, 0), "id")), "req_2");
  json_decref(r);
  f = (store_audit_filter){.rule = "pii-email"};
  r = store_audit_search(s, &f);
  assert_int_equal(json_array_size(r), 1);
  json_decref(r);
  f = (store_audit_filter){.rule = "pii"}; /* a whole rule id only */
  r = store_audit_search(s, &f);
  assert_int_equal(json_array_size(r), 0);
  json_decref(r);
  /* The content opens with its key and its record id only. */
  unsigned char *blob;
  size_t len;
  char kid[17];
  assert_int_equal(store_audit_content(s, "req_1", &blob, &len, kid), 0);
  assert_string_equal(kid, k.id);
  assert_int_equal(store_unseal(&k, "req_1", blob, len, &back, &bn), 0);
  assert_int_equal(bn, strlen(plain));
  assert_memory_equal(back, plain, bn);
  free(back);
  assert_int_equal(store_unseal(&k, "req_2", blob, len, &back, &bn), -1);
  blob[len - 1] ^= 1;
  assert_int_equal(store_unseal(&k, "req_1", blob, len, &back, &bn), -1);
  free(blob);
  assert_int_equal(store_audit_content(s, "req_2", &blob, &len, kid),
                   STORE_NOT_FOUND);
  free(sealed);
  /* A key given in the environment must be 64 hex digits. */
  setenv("AIGATE_CONTENT_KEY", "abc", 1);
  assert_int_equal(store_content_key_load(kpath, &k2, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "AIGATE_CONTENT_KEY"));
  unsetenv("AIGATE_CONTENT_KEY");
  store_content_key_clear(&k);
  store_content_key_clear(&k2);
  store_close(s);
}

static void test_crud(void **state) {
  (void)state;
  store *s = open_ok();
  char *models[] = {strdup("gpt-4o"), strdup("gpt-4o-mini")};
  store_key k = {.name = strdup("app"),
                 .models = malloc(sizeof(models)),
                 .n_models = 2,
                 .rpm = 60,
                 .tpm = 1000,
                 .max_tokens = 256,
                 .max_budget = 5000000000,
                 .budget_duration = 86400,
                 .expires = 5000,
                 .policy = strdup("strict"),
                 .metadata = strdup("{\"team\":\"a\"}")};
  memcpy(k.models, models, sizeof(models));
  char key[STORE_KEY_LEN];
  assert_int_equal(store_key_create(s, &k, key, 1000), 0);
  assert_int_equal(strlen(key), 49);
  assert_memory_equal(key, "sk-ag-", 6);
  assert_memory_equal(k.prefix, key, 10);
  assert_int_equal(k.budget_reset_at, 1000 + 86400);

  store_key got;
  assert_int_equal(store_key_get(s, k.id, &got), 0);
  assert_string_equal(got.name, "app");
  assert_int_equal(got.n_models, 2);
  assert_string_equal(got.models[1], "gpt-4o-mini");
  assert_int_equal(got.rpm, 60);
  assert_int_equal(got.max_budget, 5000000000);
  assert_string_equal(got.policy, "strict");
  assert_int_equal(got.expires, 5000);
  store_key_clear(&got);
  assert_int_equal(store_key_get(s, "sk-ag-nope", &got), STORE_NOT_FOUND);
  assert_int_equal(store_key_get(s, "key_0000000000000000", &got),
                   STORE_NOT_FOUND);

  /* Update: fields replaced, spend kept unless reset. */
  assert_int_equal(store_spend_add(s, k.id, 1234, 1100), 0);
  k.rpm = 0;
  k.revoked = 1;
  assert_int_equal(store_key_update(s, &k, 0, 1200), 0);
  assert_int_equal(store_key_get(s, key, &got), 0);
  assert_int_equal(got.rpm, 0);
  assert_int_equal(got.revoked, 1);
  assert_int_equal(got.spend, 1234);
  assert_int_equal(got.updated, 1200);
  store_key_clear(&got);
  assert_int_equal(store_key_update(s, &k, 1, 1300), 0);
  assert_int_equal(store_key_get(s, k.id, &got), 0);
  assert_int_equal(got.spend, 0);
  store_key_clear(&got);

  /* Invalid values are refused with the field named. */
  k.rpm = -1;
  assert_int_equal(store_key_update(s, &k, 0, 1300), STORE_INVALID);
  assert_non_null(strstr(store_error(s), "rpm"));
  k.rpm = 0;
  free(k.metadata);
  k.metadata = strdup("[1]");
  assert_int_equal(store_key_update(s, &k, 0, 1300), STORE_INVALID);
  free(k.metadata);
  k.metadata = NULL;

  /* List, delete. */
  store_key k2 = {.name = strdup("second"), .max_budget = -1};
  char key2[STORE_KEY_LEN];
  assert_int_equal(store_key_create(s, &k2, key2, 2000), 0);
  assert_string_not_equal(key, key2);
  store_key *all;
  size_t n;
  assert_int_equal(store_key_list(s, &all, &n), 0);
  assert_int_equal(n, 2);
  assert_string_equal(all[0].id, k.id);
  store_keys_free(all, n);
  assert_int_equal(store_key_delete(s, k.id), 0);
  assert_int_equal(store_key_delete(s, k.id), STORE_NOT_FOUND);
  assert_int_equal(store_key_get(s, key, &got), STORE_NOT_FOUND);
  store_key_clear(&k);
  store_key_clear(&k2);
  store_close(s);
}

static void test_rotate(void **state) {
  (void)state;
  store *s = open_ok();
  store_key k = {.name = strdup("r"), .max_budget = -1};
  char key1[STORE_KEY_LEN], key2[STORE_KEY_LEN], key3[STORE_KEY_LEN];
  assert_int_equal(store_key_create(s, &k, key1, 100), 0);
  assert_int_equal(store_key_rotate(s, k.id, 3600, key2, 200), 0);
  store_key got;
  assert_int_equal(store_key_get(s, key2, &got), 0);
  assert_string_equal(got.id, k.id);
  assert_int_equal(got.old_until, 200 + 3600);
  unsigned char h[32];
  store_hash(s, key1, strlen(key1), h);
  assert_memory_equal(got.old_hash, h, 32);
  store_hash(s, key2, strlen(key2), h);
  assert_memory_equal(got.hash, h, 32);
  store_key_clear(&got);
  /* Without grace, no previous key. */
  assert_int_equal(store_key_rotate(s, k.id, 0, key3, 300), 0);
  assert_int_equal(store_key_get(s, k.id, &got), 0);
  assert_int_equal(got.old_until, 0);
  store_key_clear(&got);
  assert_int_equal(store_key_rotate(s, "key_none", 0, key3, 300),
                   STORE_NOT_FOUND);
  store_key_clear(&k);
  store_close(s);
}

static void test_spend_periods(void **state) {
  (void)state;
  store *s = open_ok();
  store_key k = {.name = strdup("b"), .max_budget = 100, .budget_duration = 60};
  char key[STORE_KEY_LEN];
  assert_int_equal(store_key_create(s, &k, key, 1000), 0);
  assert_int_equal(store_begin(s), 0);
  assert_int_equal(store_spend_add(s, k.id, 30, 1010), 0);
  assert_int_equal(store_spend_add(s, k.id, 12, 1020), 0);
  assert_int_equal(store_commit(s), 0);
  store_key got;
  assert_int_equal(store_key_get(s, k.id, &got), 0);
  assert_int_equal(got.spend, 42);
  assert_int_equal(store_key_spend_at(&got, 1059), 42);
  assert_int_equal(store_key_spend_at(&got, 1060), 0); /* period over */
  store_key_clear(&got);
  /* Spend after the period starts a new one. */
  assert_int_equal(store_spend_add(s, k.id, 5, 1070), 0);
  assert_int_equal(store_key_get(s, k.id, &got), 0);
  assert_int_equal(got.spend, 5);
  assert_int_equal(got.budget_reset_at, 1070 + 60);
  store_key_clear(&got);
  /* A rollback drops a batch. */
  assert_int_equal(store_begin(s), 0);
  assert_int_equal(store_spend_add(s, k.id, 1000, 1071), 0);
  store_rollback(s);
  assert_int_equal(store_key_get(s, k.id, &got), 0);
  assert_int_equal(got.spend, 5);
  store_key_clear(&got);
  store_key_clear(&k);
  store_close(s);
}

static void test_parsers(void **state) {
  (void)state;
  int64_t v;
  assert_int_equal(store_parse_duration("30d", &v), 0);
  assert_int_equal(v, 30 * 86400);
  assert_int_equal(store_parse_duration("45s", &v), 0);
  assert_int_equal(v, 45);
  assert_int_equal(store_parse_duration("1mo", &v), 0);
  assert_int_equal(v, 30 * 86400);
  assert_int_equal(store_parse_duration("2w", &v), 0);
  assert_int_equal(v, 14 * 86400);
  const char *bad_d[] = {"",    "d",    "30",           "30x",
                         "-1d", "1.5h", "99999999999d", " 1d"};
  for (size_t i = 0; i < sizeof(bad_d) / sizeof(*bad_d); i++)
    assert_int_equal(store_parse_duration(bad_d[i], &v), -1);
  assert_int_equal(store_parse_usd("12.5", &v), 0);
  assert_int_equal(v, 12500000000);
  assert_int_equal(store_parse_usd("0.000000001", &v), 0);
  assert_int_equal(v, 1);
  assert_int_equal(store_parse_usd("7", &v), 0);
  assert_int_equal(v, 7000000000);
  assert_int_equal(store_parse_usd("1000000000", &v), 0); /* the limit */
  assert_int_equal(v, 1000000000000000000);
  const char *bad_u[] = {"",    ".5",         "1.",  "1.0000000001",  "-1",
                         "1e3", "2000000000", "1,5", "1000000000.001"};
  for (size_t i = 0; i < sizeof(bad_u) / sizeof(*bad_u); i++)
    assert_int_equal(store_parse_usd(bad_u[i], &v), -1);
  char buf[40];
  store_format_usd(12500000000, buf, sizeof(buf));
  assert_string_equal(buf, "12.500000");
  store_format_duration(86400 * 30, buf, sizeof(buf));
  assert_string_equal(buf, "30d");
  store_format_duration(90, buf, sizeof(buf));
  assert_string_equal(buf, "90s");
  assert_true(store_valid_name("gpt-4o"));
  assert_false(store_valid_name("a b"));
  assert_false(store_valid_name("a,b"));
  assert_false(store_valid_name(""));
}

static void test_json(void **state) {
  (void)state;
  store_key k = {.max_budget = -1};
  char err[400];
  json_t *req = json_loads(
      "{\"key_alias\":\"svc\",\"models\":[\"m1\"],\"rpm_limit\":10,"
      "\"max_budget\":2.5,\"budget_duration\":\"30d\",\"duration\":\"1h\","
      "\"metadata\":{\"b\":1,\"a\":2},\"tools\":[\"search\"]}",
      0, NULL);
  assert_int_equal(store_key_apply_json(&k, req, 0, 1000, err, sizeof(err)), 0);
  assert_string_equal(k.name, "svc");
  assert_int_equal(k.rpm, 10);
  assert_int_equal(k.max_budget, 2500000000);
  assert_int_equal(k.budget_duration, 30 * 86400);
  assert_int_equal(k.expires, 1000 + 3600);
  assert_string_equal(k.metadata, "{\"a\":2,\"b\":1}");
  assert_string_equal(k.tools[0], "search");
  json_decref(req);
  /* null clears */
  req = json_loads("{\"rpm_limit\":null,\"max_budget\":null,\"models\":null}",
                   0, NULL);
  assert_int_equal(store_key_apply_json(&k, req, 1, 1000, err, sizeof(err)), 0);
  assert_int_equal(k.rpm, 0);
  assert_int_equal(k.max_budget, -1);
  assert_int_equal(k.n_models, 0);
  json_decref(req);
  static const struct {
    const char *json, *want;
  } bad[] = {
      {"{\"rpm\":1}", "unknown field 'rpm'"},
      {"{\"rpm_limit\":-1}", "'rpm_limit'"},
      {"{\"rpm_limit\":1.5}", "'rpm_limit'"},
      {"{\"max_budget\":\"10\"}", "'max_budget'"},
      {"{\"duration\":\"soon\"}", "'duration'"},
      {"{\"models\":[\"a b\"]}", "'models'"},
      {"{\"models\":\"a\"}", "'models'"},
      {"{\"metadata\":[]}", "'metadata'"},
      {"{\"blocked\":1}", "'blocked'"},
      {"{\"key\":\"x\"}", "unknown field 'key'"},
      {"{\"key_alias\":\"\"}", "'key_alias'"},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
    req = json_loads(bad[i].json, 0, NULL);
    assert_non_null(req);
    assert_int_equal(store_key_apply_json(&k, req, 0, 1000, err, sizeof(err)),
                     -1);
    if (!strstr(err, bad[i].want))
      fail_msg("%s: '%s' lacks '%s'", bad[i].json, err, bad[i].want);
    json_decref(req);
  }
  store_key none = {.max_budget = -1};
  req = json_object();
  assert_int_equal(store_key_apply_json(&none, req, 0, 1000, err, sizeof(err)),
                   -1);
  assert_non_null(strstr(err, "key_alias"));
  json_decref(req);
  /* Rendering: no key material, LiteLLM names. */
  snprintf(k.id, sizeof(k.id), "key_0123456789abcdef");
  snprintf(k.prefix, sizeof(k.prefix), "sk-ag-AbCd");
  memset(k.hash, 0xab, sizeof(k.hash));
  json_t *j = store_key_json(&k, 1500000000, 2000);
  char *text = json_dumps(j, JSON_COMPACT);
  assert_non_null(strstr(text, "\"key_name\":\"sk-ag-AbCd...\""));
  assert_non_null(strstr(text, "\"spend\":1.5"));
  assert_non_null(strstr(text, "\"tools\":[\"search\"]"));
  assert_null(strstr(text, "abab"));
  free(text);
  json_decref(j);
  store_key_clear(&k);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_files, setup, teardown),
      cmocka_unit_test_setup_teardown(test_env_secret, setup, teardown),
      cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_migration, setup, teardown),
      cmocka_unit_test_setup_teardown(test_audit, setup, teardown),
      cmocka_unit_test_setup_teardown(test_crud, setup, teardown),
      cmocka_unit_test_setup_teardown(test_rotate, setup, teardown),
      cmocka_unit_test_setup_teardown(test_spend_periods, setup, teardown),
      cmocka_unit_test(test_parsers),
      cmocka_unit_test(test_json),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
