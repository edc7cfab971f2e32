/*
 * test_access.c -- the gateway's key table (src/gateway/access.c) with an
 * injected clock: authentication (revoked, expired, rotation grace),
 * scope, rpm and tpm token buckets with their Retry-After, budgets and
 * their periods, exact spend under threads, and changes made by another
 * connection picked up by the poll.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "access.h"
#include "store.h"
#include "testutil.h"

static char dir[256], db[300];
static store *st; /* the "CLI": another connection to the same file */
static gw_access *a;

#define T0 1800000000000LL /* ms */

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof(dir), "/tmp/aigate-access-XXXXXX");
  assert_non_null(mkdtemp(dir));
  snprintf(db, sizeof(db), "%s/k.db", dir);
  unsetenv("AIGATE_KEY_SECRET");
  char err[600];
  st = store_open(db, err, sizeof(err));
  if (!st)
    fail_msg("%s", err);
  return 0;
}

static int teardown(void **state) {
  (void)state;
  gw_access_close(a);
  a = NULL;
  store_close(st);
  rm_tree(dir);
  return 0;
}

/* A key with the given limits; its secret into key. */
static void make(store_key *k, char key[STORE_KEY_LEN]) {
  if (!k->name)
    k->name = strdup("k");
  assert_int_equal(store_key_create(st, k, key, T0 / 1000), 0);
}

static void open_access(void) {
  char err[600];
  a = gw_access_open(db, err, sizeof(err));
  if (!a)
    fail_msg("%s", err);
}

static gw_grant admit(const char *id, const char *model, int64_t tokens,
                      int64_t now) {
  gw_ask ask = {.model = model, .prompt_tokens = tokens, .now_ms = now};
  gw_grant g;
  gw_access_admit(a, id, &ask, &g);
  return g;
}

static void test_auth(void **state) {
  (void)state;
  store_key k = {.max_budget = -1, .expires = T0 / 1000 + 100};
  char key[STORE_KEY_LEN], id[STORE_ID_LEN];
  make(&k, key);
  open_access();
  assert_int_equal(gw_access_auth(a, key, strlen(key), T0, id), GW_AUTH_OK);
  assert_string_equal(id, k.id);
  assert_int_equal(gw_access_auth(a, key, strlen(key) - 1, T0, id),
                   GW_AUTH_UNKNOWN);
  assert_int_equal(gw_access_auth(a, "", 0, T0, id), GW_AUTH_UNKNOWN);
  assert_int_equal(gw_access_auth(a, key, strlen(key), T0 + 100000, id),
                   GW_AUTH_EXPIRED);
  /* Revoked by another process: seen at the next poll. */
  k.revoked = 1;
  assert_int_equal(store_key_update(st, &k, 0, T0 / 1000), 0);
  assert_int_equal(gw_access_auth(a, key, strlen(key), T0, id), GW_AUTH_OK);
  assert_int_equal(gw_access_poll(a, T0), 0);
  assert_int_equal(gw_access_auth(a, key, strlen(key), T0, id),
                   GW_AUTH_REVOKED);
  /* Rotation: the old key within its grace period only. */
  k.revoked = 0;
  k.expires = 0;
  assert_int_equal(store_key_update(st, &k, 0, T0 / 1000), 0);
  char key2[STORE_KEY_LEN];
  assert_int_equal(store_key_rotate(st, k.id, 60, key2, T0 / 1000), 0);
  assert_int_equal(gw_access_poll(a, T0), 0);
  assert_int_equal(gw_access_auth(a, key2, strlen(key2), T0, id), GW_AUTH_OK);
  assert_int_equal(gw_access_auth(a, key, strlen(key), T0 + 59000, id),
                   GW_AUTH_OK);
  assert_int_equal(gw_access_auth(a, key, strlen(key), T0 + 60000, id),
                   GW_AUTH_UNKNOWN);
  store_key_clear(&k);
}

static void test_scope(void **state) {
  (void)state;
  store_key k = {.max_budget = -1, .rpm = 1};
  k.models = calloc(1, sizeof(char *));
  k.models[0] = strdup("m1");
  k.n_models = 1;
  k.tools = calloc(1, sizeof(char *));
  k.tools[0] = strdup("search");
  k.n_tools = 1;
  char key[STORE_KEY_LEN];
  make(&k, key);
  open_access();
  assert_true(gw_access_model_allowed(a, k.id, "m1"));
  assert_false(gw_access_model_allowed(a, k.id, "m2"));
  assert_true(gw_access_has_model_list(a, k.id));
  /* Scope refusals do not spend the one request per minute. */
  for (int i = 0; i < 3; i++) {
    gw_grant g = admit(k.id, "m2", 1, T0);
    assert_int_equal(g.status, 403);
    assert_string_equal(g.code, "model_not_allowed");
    gw_grant_free(&g);
    const char *tools[] = {"search", "shell"};
    gw_ask ask = {.model = "m1", .tools = tools, .n_tools = 2, .now_ms = T0};
    gw_access_admit(a, k.id, &ask, &g);
    assert_int_equal(g.status, 403);
    assert_string_equal(g.code, "tool_not_allowed");
    assert_non_null(strstr(g.message, "'shell'"));
    gw_grant_free(&g);
  }
  gw_grant g = admit(k.id, "m1", 1, T0);
  assert_int_equal(g.status, 0);
  assert_int_equal(g.n_tools, 1);
  assert_string_equal(g.tools[0], "search");
  gw_grant_free(&g);
  g = admit(k.id, "m1", 1, T0);
  assert_int_equal(g.status, 429);
  gw_grant_free(&g);
  g = admit("key_gone", "m1", 1, T0);
  assert_int_equal(g.status, 401);
  gw_grant_free(&g);
  store_key_clear(&k);
}

static void test_rpm(void **state) {
  (void)state;
  store_key k = {.max_budget = -1, .rpm = 3};
  char key[STORE_KEY_LEN];
  make(&k, key);
  open_access();
  for (int i = 0; i < 3; i++) {
    gw_grant g = admit(k.id, "m", 1, T0);
    assert_int_equal(g.status, 0);
  }
  gw_grant g = admit(k.id, "m", 1, T0);
  assert_int_equal(g.status, 429);
  assert_string_equal(g.code, "rate_limit_exceeded");
  assert_int_equal(g.retry_after, 20); /* one request per 20 s */
  g = admit(k.id, "m", 1, T0 + 10000);
  assert_int_equal(g.status, 429);
  assert_int_equal(g.retry_after, 10);
  g = admit(k.id, "m", 1, T0 + 20000);
  assert_int_equal(g.status, 0);
  /* A full minute refills to the limit, not beyond. */
  for (int i = 0; i < 3; i++) {
    g = admit(k.id, "m", 1, T0 + 600000);
    assert_int_equal(g.status, 0);
  }
  g = admit(k.id, "m", 1, T0 + 600000);
  assert_int_equal(g.status, 429);
  store_key_clear(&k);
}

static void test_tpm(void **state) {
  (void)state;
  store_key k = {.max_budget = -1, .tpm = 100};
  char key[STORE_KEY_LEN];
  make(&k, key);
  open_access();
  gw_grant g = admit(k.id, "m", 101, T0);
  assert_int_equal(g.status, 429);
  assert_non_null(strstr(g.message, "needs about 101 tokens"));
  g = admit(k.id, "m", 60, T0);
  assert_int_equal(g.status, 0);
  assert_int_equal(g.reserved_tokens, 60);
  g = admit(k.id, "m", 60, T0);
  assert_int_equal(g.status, 429);
  assert_int_equal(g.retry_after, 12); /* 20 missing at 100/min */
  /* The first used 10: 50 come back. */
  gw_access_settle(a, k.id, 60, 10, 0, T0);
  g = admit(k.id, "m", 60, T0);
  assert_int_equal(g.status, 0);
  /* ... and one that used more than it reserved puts the bucket in debt. */
  gw_access_settle(a, k.id, 60, 200, 0, T0);
  g = admit(k.id, "m", 1, T0 + 60000);
  assert_int_equal(g.status, 429);
  store_key_clear(&k);
}

static void test_budget(void **state) {
  (void)state;
  store_key k = {.max_budget = 100, .budget_duration = 60};
  char key[STORE_KEY_LEN];
  make(&k, key);
  open_access();
  gw_grant g = admit(k.id, "m", 1, T0);
  assert_int_equal(g.status, 0);
  gw_access_settle(a, k.id, 1, 1, 99, T0);
  g = admit(k.id, "m", 1, T0);
  assert_int_equal(g.status, 0);
  gw_access_settle(a, k.id, 1, 1, 1, T0);
  g = admit(k.id, "m", 1, T0 + 1000);
  assert_int_equal(g.status, 429);
  assert_string_equal(g.code, "insufficient_quota");
  assert_int_equal(g.retry_after, 59);
  /* Written to the store by the poll, visible to other connections. */
  assert_int_equal(gw_access_poll(a, T0 + 1000), 0);
  store_key got;
  assert_int_equal(store_key_get(st, k.id, &got), 0);
  assert_int_equal(got.spend, 100);
  store_key_clear(&got);
  /* A new period. */
  g = admit(k.id, "m", 1, T0 + 60000);
  assert_int_equal(g.status, 0);
  gw_access_settle(a, k.id, 1, 1, 7, T0 + 60000);
  assert_int_equal(gw_access_poll(a, T0 + 60000), 0);
  assert_int_equal(store_key_get(st, k.id, &got), 0);
  assert_int_equal(got.spend, 7);
  store_key_clear(&got);
  store_key_clear(&k);
}

#define THREADS 8
#define PER_THREAD 20000

static const char *shared_id;

static void *spender(void *arg) {
  (void)arg;
  for (int i = 0; i < PER_THREAD; i++)
    gw_access_settle(a, shared_id, 0, 0, 7, T0);
  return NULL;
}

static void *poller(void *arg) {
  int *stop = arg;
  while (!__atomic_load_n(stop, __ATOMIC_SEQ_CST))
    gw_access_poll(a, T0);
  return NULL;
}

static void test_exact_spend(void **state) {
  (void)state;
  store_key k = {.max_budget = -1};
  char key[STORE_KEY_LEN];
  make(&k, key);
  open_access();
  shared_id = k.id;
  pthread_t t[THREADS], p;
  int stop = 0;
  assert_int_equal(pthread_create(&p, NULL, poller, &stop), 0);
  for (int i = 0; i < THREADS; i++)
    assert_int_equal(pthread_create(&t[i], NULL, spender, NULL), 0);
  /* Meanwhile another process changes the key (reloads mid-way). */
  for (int i = 0; i < 20; i++) {
    k.rpm = i;
    assert_int_equal(store_key_update(st, &k, 0, T0 / 1000), 0);
  }
  for (int i = 0; i < THREADS; i++)
    pthread_join(t[i], NULL);
  __atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
  pthread_join(p, NULL);
  assert_int_equal(gw_access_poll(a, T0), 0);
  store_key got;
  assert_int_equal(store_key_get(st, k.id, &got), 0);
  assert_int_equal(got.spend, (int64_t)THREADS * PER_THREAD * 7);
  store_key_clear(&got);
  assert_int_equal(gw_access_pending_spend(a, k.id), 0);
  store_key_clear(&k);
}

static void test_limit_changes(void **state) {
  (void)state;
  store_key k = {.max_budget = -1};
  char key[STORE_KEY_LEN];
  make(&k, key);
  open_access();
  gw_grant g = admit(k.id, "m", 1, T0);
  assert_int_equal(g.status, 0);
  /* A limit set later starts with a full bucket. */
  k.rpm = 2;
  assert_int_equal(store_key_update(st, &k, 0, T0 / 1000), 0);
  assert_int_equal(gw_access_poll(a, T0), 0);
  assert_int_equal(admit(k.id, "m", 1, T0).status, 0);
  assert_int_equal(admit(k.id, "m", 1, T0).status, 0);
  assert_int_equal(admit(k.id, "m", 1, T0).status, 429);
  /* Unsaved spend survives a reload. */
  gw_access_settle(a, k.id, 0, 0, 5, T0);
  k.rpm = 0;
  assert_int_equal(store_key_update(st, &k, 0, T0 / 1000), 0);
  assert_int_equal(gw_access_poll(a, T0), 0);
  store_key got;
  assert_int_equal(store_key_get(st, k.id, &got), 0);
  assert_int_equal(got.spend, 5);
  store_key_clear(&got);
  store_key_clear(&k);
}

/* An automatic throttle (after an alert): the key is held to its
 * throttle rpm until it ends; unblocking lifts it. */
static void test_throttle(void **state) {
  (void)state;
  store_key k = {.max_budget = -1, .rpm = 100};
  char key[STORE_KEY_LEN];
  make(&k, key);
  open_access();
  assert_int_equal(store_key_throttle(st, k.id, T0 / 1000 + 60, 2, T0 / 1000),
                   0);
  assert_int_equal(gw_access_poll(a, T0), 0);
  assert_int_equal(admit(k.id, "m", 1, T0).status, 0);
  assert_int_equal(admit(k.id, "m", 1, T0).status, 0);
  gw_grant g = admit(k.id, "m", 1, T0);
  assert_int_equal(g.status, 429);
  assert_non_null(strstr(g.message, "throttled to 2 requests per minute"));
  assert_int_equal(g.retry_after, 30);
  /* Over: the key's own limit again. */
  for (int i = 0; i < 10; i++)
    assert_int_equal(admit(k.id, "m", 1, T0 + 61000).status, 0);
  /* Unblocking lifts a throttle at once. */
  assert_int_equal(store_key_throttle(st, k.id, T0 / 1000 + 600, 1, T0 / 1000),
                   0);
  assert_int_equal(gw_access_poll(a, T0 + 62000), 0);
  assert_int_equal(admit(k.id, "m", 1, T0 + 62000).status, 0);
  assert_int_equal(admit(k.id, "m", 1, T0 + 62000).status, 429);
  store_key got;
  assert_int_equal(store_key_get(st, k.id, &got), 0);
  got.throttled_until = 0;
  assert_int_equal(store_key_update(st, &got, 0, T0 / 1000), 0);
  store_key_clear(&got);
  assert_int_equal(gw_access_poll(a, T0 + 62000), 0);
  assert_int_equal(admit(k.id, "m", 1, T0 + 62000).status, 0);
  store_key_clear(&k);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_auth, setup, teardown),
      cmocka_unit_test_setup_teardown(test_scope, setup, teardown),
      cmocka_unit_test_setup_teardown(test_rpm, setup, teardown),
      cmocka_unit_test_setup_teardown(test_tpm, setup, teardown),
      cmocka_unit_test_setup_teardown(test_budget, setup, teardown),
      cmocka_unit_test_setup_teardown(test_exact_spend, setup, teardown),
      cmocka_unit_test_setup_teardown(test_limit_changes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_throttle, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
