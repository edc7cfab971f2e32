/*
 * test_anomaly.c -- the anomaly detector (src/gateway/anomaly.c) with a
 * simulated clock: quiet on steady traffic, a burst of blocked requests
 * in a new key's first minute, a rate jump after warm-up, new models,
 * tools and networks only after warm-up, two places at once, one alert
 * per signal per cooldown, evidence ids, a request far larger than the
 * key's usual (tokens, prompt bytes), a burst of findings, a category's
 * burst inside steady totals, many client addresses or tools in a minute,
 * hour-of-day baselines that learn a daily step, bounded keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "anomaly.h"

static gw_alert got[64];
static int n_got;

static void collect(void *ud, const gw_alert *a) {
  (void)ud;
  if (n_got < 64)
    got[n_got++] = *a;
}

static int count(const char *key, const char *signal) {
  int n = 0;
  for (int i = 0; i < n_got; i++)
    n += !strcmp(got[i].key, key) && !strcmp(got[i].signal, signal);
  return n;
}

static void req(gw_anomaly *a, const char *key, const char *client,
                const char *model, const char *tool, int blocked, int64_t t) {
  static int seq;
  char id[40];
  snprintf(id, sizeof(id), "req_%d", ++seq);
  const char *tools[1] = {tool};
  gw_event e = {.key = key,
                .client = client,
                .model = model,
                .tools = tool ? tools : NULL,
                .n_tools = tool ? 1 : 0,
                .blocked = blocked,
                .tokens = 100,
                .cost = 1000,
                .request_id = id,
                .now_ms = t};
  gw_anomaly_observe(a, &e, collect, NULL);
}

/* `per_minute` requests a minute for `minutes`, from t0. */
static int64_t steady(gw_anomaly *a, const char *key, int per_minute,
                      int minutes, int64_t t0) {
  for (int m = 0; m < minutes; m++)
    for (int i = 0; i < per_minute; i++)
      req(a, key, "10.1.2.3", "m1", "search", 0,
          t0 + m * 60000LL + i * (60000 / per_minute));
  return t0 + minutes * 60000LL;
}

static void test_blocked_burst_new_key(void **state) {
  (void)state;
  gw_anomaly *a = gw_anomaly_new(100);
  n_got = 0;
  for (int i = 0; i < 9; i++)
    req(a, "key_a", "10.0.0.1", "m1", NULL, 1, 1000 + i);
  assert_int_equal(count("key_a", "blocked_burst"), 0); /* below the floor */
  req(a, "key_a", "10.0.0.1", "m1", NULL, 1, 2000);
  assert_int_equal(count("key_a", "blocked_burst"), 1);
  const gw_alert *al = &got[0];
  assert_string_equal(al->severity, "high");
  assert_int_equal(al->n_ids, GW_ALERT_IDS);
  assert_true(!strncmp(al->request_ids[0], "req_", 4));
  /* Once per cooldown. */
  for (int i = 0; i < 20; i++)
    req(a, "key_a", "10.0.0.1", "m1", NULL, 1, 3000 + i);
  assert_int_equal(count("key_a", "blocked_burst"), 1);
  /* Ten blocked among many allowed requests of a new key: no alert. */
  for (int i = 0; i < 40; i++)
    req(a, "key_b", "10.0.0.2", "m1", NULL, i % 4 == 3, 1000 + i);
  assert_int_equal(count("key_b", "blocked_burst"), 0);
  gw_anomaly_free(a);
}

/* A burst that a minute's boundary splits in two (9 blocked in the last
 * second of one minute, 9 in the first of the next) is one burst, for a
 * new key and for a key with a baseline; blocked requests spread over
 * minutes are not. */
static void test_burst_across_minutes(void **state) {
  (void)state;
  gw_anomaly *a = gw_anomaly_new(100);
  n_got = 0;
  for (int i = 0; i < 9; i++)
    req(a, "key_s", "10.0.0.1", "m1", NULL, 1, 59000 + i * 100);
  assert_int_equal(count("key_s", "blocked_burst"), 0);
  for (int i = 0; i < 9; i++)
    req(a, "key_s", "10.0.0.1", "m1", NULL, 1, 60000 + i * 100);
  assert_int_equal(count("key_s", "blocked_burst"), 1);
  assert_true(got[0].observed >= 10 && got[0].observed <= 18);
  /* Eight blocked a minute, each minute's at its end: never 10 in 60 s. */
  for (int m = 0; m < 5; m++)
    for (int i = 0; i < 8; i++)
      req(a, "key_t", "10.0.0.2", "m1", NULL, 1,
          m * 60000LL + 52000 + i * 1000);
  assert_int_equal(count("key_t", "blocked_burst"), 0);
  /* After warm-up, on steady traffic with no blocked requests. */
  int64_t t = steady(a, "key_u", 20, 60, 0);
  t += 59000;
  for (int i = 0; i < 9; i++)
    req(a, "key_u", "10.1.2.3", "m1", "search", 1, t + i * 100);
  assert_int_equal(count("key_u", "blocked_burst"), 0);
  t += 1000;
  for (int i = 0; i < 9; i++)
    req(a, "key_u", "10.1.2.3", "m1", "search", 1, t + i * 100);
  assert_int_equal(count("key_u", "blocked_burst"), 1);
  gw_anomaly_free(a);
}

static void test_rates_after_warmup(void **state) {
  (void)state;
  gw_anomaly *a = gw_anomaly_new(100);
  n_got = 0;
  int64_t t = steady(a, "key_r", 20, 60, 0);
  assert_int_equal(n_got, 0); /* steady traffic: quiet */
  t = steady(a, "key_r", 150, 1, t);
  assert_int_equal(count("key_r", "request_rate"), 1);
  /* All traffic's surge is this key's: judged (and reported) once, by
   * the key. */
  assert_int_equal(count("*", "request_rate"), 0);
  gw_anomaly_free(a);
  /* Twenty keys that each double their traffic: no key passes its own
   * line, all traffic does. */
  a = gw_anomaly_new(100);
  n_got = 0;
  char key[16];
  for (int m = 0; m < 61; m++)
    for (int i = 0; i < 20; i++) {
      snprintf(key, sizeof(key), "key_%d", i);
      int per = m < 60 ? 5 : 10;
      for (int j = 0; j < per; j++)
        req(a, key, "10.1.2.3", "m1", "search", 0,
            m * 60000LL + j * (60000 / per) + i);
    }
  assert_int_equal(count("*", "request_rate"), 1);
  for (int i = 0; i < 20; i++) {
    snprintf(key, sizeof(key), "key_%d", i);
    assert_int_equal(count(key, "request_rate"), 0);
  }
  gw_anomaly_free(a);
}

static void test_new_behaviour(void **state) {
  (void)state;
  gw_anomaly *a = gw_anomaly_new(100);
  n_got = 0;
  /* Before warm-up everything is learned silently. */
  req(a, "key_n", "10.1.2.3", "m2", "tool2", 0, 1000);
  int64_t t = steady(a, "key_n", 2, 40, 2000);
  assert_int_equal(n_got, 0);
  req(a, "key_n", "10.1.2.77", "m2", "tool2", 0, t); /* same /24, known */
  assert_int_equal(n_got, 0);
  req(a, "key_n", "10.1.2.3", "m3", NULL, 0, t + 1);
  assert_int_equal(count("key_n", "new_model"), 1);
  assert_string_equal(got[n_got - 1].detail, "m3");
  req(a, "key_n", "10.1.2.3", "m1", "shell", 0, t + 2);
  assert_int_equal(count("key_n", "new_tool"), 1);
  /* A new network while the usual one was active a moment ago. */
  req(a, "key_n", "192.0.2.9", "m1", "search", 0, t + 3);
  assert_int_equal(count("key_n", "two_places_at_once"), 1);
  assert_string_equal(got[n_got - 1].detail, "192.0.2.0/24");
  /* A new network after a quiet hour is only new. */
  req(a, "key_n", "198.51.100.4", "m1", "search", 0, t + 3600000);
  assert_int_equal(count("key_n", "new_network"), 1);
  /* Another new network right after: each new value is reported (no
   * cooldown: a second, hostile network minutes after a harmless one). */
  req(a, "key_n", "2001:db8:1:2::5", "m1", "search", 0, t + 3600001);
  assert_int_equal(count("key_n", "new_network"), 2);
  assert_string_equal(got[n_got - 1].detail, "2001:db8:1::/48");
  /* The same networks written otherwise: compressed IPv6, IPv4 mapped
   * into IPv6. */
  req(a, "key_n", "2001:db8:1::9", "m1", "search", 0, t + 7200000);
  req(a, "key_n", "::ffff:198.51.100.200", "m1", "search", 0, t + 7200000);
  assert_int_equal(count("key_n", "new_network"), 2); /* learned */
  /* ... and another one right after it: two places at once. */
  req(a, "key_n", "2001:db8:7:2::5", "m1", "search", 0, t + 7200001);
  assert_int_equal(count("key_n", "two_places_at_once"), 2);
  assert_string_equal(got[n_got - 1].detail, "2001:db8:7::/48");
  gw_anomaly_free(a);
}

static void event(gw_anomaly *a, const char *key, int64_t tokens, int findings,
                  int64_t t) {
  static int seq;
  char id[40];
  snprintf(id, sizeof(id), "ev_%d", ++seq);
  gw_event e = {.key = key,
                .client = "10.1.2.3",
                .model = "m1",
                .findings = findings,
                .tokens = tokens,
                .cost = tokens * 10,
                .request_id = id,
                .now_ms = t};
  gw_anomaly_observe(a, &e, collect, NULL);
}

static void test_request_size_and_findings(void **state) {
  (void)state;
  gw_anomaly *a = gw_anomaly_new(100);
  n_got = 0;
  int64_t t = 0;
  for (int i = 0; i < 60 * 20; i++, t += 3000)
    event(a, "key_s", 100, 0, t);
  assert_int_equal(n_got, 0);
  event(a, "key_s", 300, 0, t += 3000); /* 3x the usual: no alert */
  assert_int_equal(count("key_s", "request_tokens"), 0);
  event(a, "key_s", 5000, 0, t += 3000);
  assert_int_equal(count("key_s", "request_tokens"), 1);
  assert_string_equal(got[n_got - 1].request_ids[0], "ev_1202");
  assert_true(got[n_got - 1].baseline > 90 && got[n_got - 1].baseline < 120);
  /* Requests with findings: none usually, then 15 in a minute. */
  t = (t / 60000 + 1) * 60000;
  for (int i = 0; i < 15; i++)
    event(a, "key_s", 100, 1, t + i * 1000);
  assert_int_equal(count("key_s", "finding_rate"), 1);
  gw_anomaly_free(a);
}

/* 1 request a minute at night, 30 from 09:00 to 17:00, for `days`;
 * returns the request_rate alerts of key_o per day. */
static void office_days(gw_anomaly *a, int days, int *per_day) {
  for (int d = 0; d < days; d++) {
    n_got = 0;
    int64_t day = d * 24 * 3600000LL;
    steady(a, "key_o", 1, 9 * 60, day);
    steady(a, "key_o", 30, 8 * 60, day + 9 * 3600000LL);
    steady(a, "key_o", 1, 7 * 60, day + 17 * 3600000LL);
    per_day[d] = count("key_o", "request_rate");
  }
}

static void test_hour_of_day(void **state) {
  (void)state;
  int on[3], off[3];
  gw_anomaly *a = gw_anomaly_new(100);
  office_days(a, 3, on);
  /* The morning step alerts until nine o'clock has a day of history. */
  assert_int_equal(on[0], 1);
  assert_int_equal(on[1], 0);
  assert_int_equal(on[2], 0);
  /* A real surge at eleven still alerts. */
  n_got = 0;
  steady(a, "key_o", 200, 1, 3 * 24 * 3600000LL + 11 * 3600000LL);
  assert_int_equal(count("key_o", "request_rate"), 1);
  gw_anomaly_free(a);
  /* Without the hours' baselines, every morning alerts. */
  a = gw_anomaly_new(100);
  gw_anomaly_set_seasonal(a, 0);
  office_days(a, 3, off);
  assert_int_equal(off[0], 1);
  assert_int_equal(off[1], 1);
  assert_int_equal(off[2], 1);
  gw_anomaly_free(a);
}

/* A request shaped by the caller (key, client, model, categories, ...);
 * the id and the defaults are filled in. */
static void send(gw_anomaly *a, gw_event e) {
  static int seq;
  char id[40];
  snprintf(id, sizeof(id), "cat_%d", ++seq);
  e.request_id = id;
  if (!e.client)
    e.client = "10.1.2.3";
  if (!e.model)
    e.model = "m1";
  e.findings = e.n_categories > 0;
  gw_anomaly_observe(a, &e, collect, NULL);
}

static int count_detail(const char *key, const char *signal,
                        const char *detail) {
  int n = 0;
  for (int i = 0; i < n_got; i++)
    n += !strcmp(got[i].key, key) && !strcmp(got[i].signal, signal) &&
         !strcmp(got[i].detail, detail);
  return n;
}

static void test_categories(void **state) {
  (void)state;
  gw_anomaly *a = gw_anomaly_new(100);
  n_got = 0;
  const char *pii[1] = {"pii"}, *secrets[2] = {"secrets", "secrets"};
  const char *injection[2] = {"injection", "jailbreak"};
  /* A new key's first minute: ten blocked injections are a campaign,
   * reported once, with its category. */
  for (int i = 0; i < 10; i++)
    send(a, (gw_event){.key = "key_c",
                       .blocked = 1,
                       .categories = injection,
                       .n_categories = 2,
                       .now_ms = 1000 + i});
  assert_int_equal(count_detail("key_c", "blocked_burst", "injection"), 1);
  assert_int_equal(count_detail("key_c", "blocked_burst", "jailbreak"), 1);
  assert_int_equal(count_detail("key_c", "blocked_burst", ""), 0);
  /* An hour of 20 requests a minute, 4 of them with PII redacted. */
  int64_t t = 60000;
  for (int m = 0; m < 60; m++)
    for (int i = 0; i < 20; i++, t += 3000)
      send(a, (gw_event){.key = "key_c",
                         .categories = pii,
                         .n_categories = i % 5 == 0 ? 1 : 0,
                         .tokens = 100,
                         .now_ms = t});
  n_got = 0;
  /* Then 12 secrets in a minute (each request naming the category
   * twice): too few to move the total over its baseline, new for the
   * category. */
  for (int i = 0; i < 12; i++)
    send(a, (gw_event){.key = "key_c",
                       .categories = secrets,
                       .n_categories = 2,
                       .now_ms = t + i * 4000});
  assert_int_equal(count_detail("key_c", "finding_rate", "secrets"), 1);
  assert_int_equal(count("key_c", "finding_rate"), 1);
  assert_int_equal(got[0].n_ids, GW_ALERT_IDS);
  assert_true(got[0].observed >= 10 && got[0].observed <= 12);
  gw_anomaly_free(a);
  /* A key whose traffic steps up from 2 to 60 requests a minute, a third
   * with PII: its PII grows with it, and that is no category alert (the
   * step itself is request_rate's). */
  a = gw_anomaly_new(100);
  n_got = 0;
  t = 0;
  for (int m = 0; m < 70; m++) {
    int n = m < 60 ? 2 : 60;
    for (int i = 0; i < n; i++)
      send(a, (gw_event){.key = "key_s",
                         .categories = pii,
                         .n_categories = i % 3 == 0 ? 1 : 0,
                         .now_ms = m * 60000LL + i * (60000 / n)});
  }
  assert_int_equal(count("key_s", "request_rate"), 1);
  assert_int_equal(count_detail("key_s", "finding_rate", "pii"), 0);
  gw_anomaly_free(a);
}

static void test_prompt_length(void **state) {
  (void)state;
  gw_anomaly *a = gw_anomaly_new(100);
  n_got = 0;
  int64_t t = 0;
  for (int i = 0; i < 200; i++, t += 3000)
    send(a, (gw_event){.key = "key_p",
                       .prompt_bytes = 1500 + (i % 7) * 100,
                       .now_ms = t});
  send(a, (gw_event){.key = "key_p", .prompt_bytes = 6000, .now_ms = t});
  assert_int_equal(count("key_p", "prompt_length"), 0); /* 3x: usual */
  send(a, (gw_event){.key = "key_p", .prompt_bytes = 400000, .now_ms = t + 1});
  assert_int_equal(count("key_p", "prompt_length"), 1);
  assert_true(got[0].baseline > 1400 && got[0].baseline < 2200);
  assert_int_equal((int)got[0].observed, 400000);
  gw_anomaly_free(a);
}

static void test_distinct(void **state) {
  (void)state;
  gw_anomaly *a = gw_anomaly_new(100);
  n_got = 0;
  /* An hour from one address, with two models and two tools. */
  const char *models[2] = {"m1", "m2"};
  const char *tools[3] = {"search", "fetch", "calc"};
  int64_t t = 0;
  for (int m = 0; m < 60; m++)
    for (int i = 0; i < 20; i++, t += 3000)
      send(a, (gw_event){.key = "key_d",
                         .client = "10.1.2.3",
                         .model = models[i % 2],
                         .tools = tools + i % 2,
                         .n_tools = 2,
                         .now_ms = t});
  assert_int_equal(n_got, 0);
  /* Then the same 20 requests a minute from 20 addresses of the same
   * network: the key is shared or stolen. Not a new network, not more
   * requests; many clients at once. */
  char client[32];
  for (int i = 0; i < 20; i++) {
    snprintf(client, sizeof(client), "10.1.2.%d", 10 + i);
    send(a, (gw_event){.key = "key_d",
                       .client = client,
                       .model = models[i % 2],
                       .tools = tools + i % 2,
                       .n_tools = 2,
                       .now_ms = t + i * 3000});
  }
  assert_int_equal(count("key_d", "distinct_clients"), 1);
  assert_int_equal(count("key_d", "new_network"), 0);
  assert_int_equal(count("key_d", "request_rate"), 0);
  assert_true(got[0].observed > 11 && got[0].observed < 14);
  /* A minute that walks through the tools it knows. */
  t += 60000;
  n_got = 0;
  const char *more[12] = {"search", "fetch", "calc", "t4",  "t5",  "t6",
                          "t7",     "t8",    "t9",   "t10", "t11", "t12"};
  send(a,
       (gw_event){.key = "key_d", .tools = more, .n_tools = 12, .now_ms = t});
  assert_int_equal(count("key_d", "distinct_tools"), 1);
  gw_anomaly_free(a);
}

/* A key's first request, then real use 40 minutes later: warm-up counts
 * minutes with traffic, so that is no surge. */
static void test_warmup_is_activity(void **state) {
  (void)state;
  gw_anomaly *a = gw_anomaly_new(100);
  n_got = 0;
  send(a, (gw_event){.key = "key_w", .tokens = 10, .cost = 100, .now_ms = 0});
  for (int i = 0; i < 40; i++)
    send(a, (gw_event){.key = "key_w",
                       .tokens = 2000,
                       .cost = 1000000,
                       .now_ms = 40 * 60000LL + i * 1500});
  assert_int_equal(n_got, 0);
  gw_anomaly_free(a);
}

/* A job that sends 100 requests at 02:00 every night on top of a request
 * a minute: the first night alerts, the next ones are the hour's usual
 * peak; a surge well above it at that hour still alerts. */
static void test_nightly_peak(void **state) {
  (void)state;
  gw_anomaly *a = gw_anomaly_new(100);
  int64_t day = 24 * 3600000LL;
  for (int d = 0; d < 7; d++) {
    n_got = 0;
    steady(a, "key_j", 1, 24 * 60, d * day);
    for (int i = 0; i < 100; i++)
      req(a, "key_j", "10.1.2.3", "m1", "search", 0,
          d * day + 2 * 3600000LL + 100 + i * 500);
    if (d == 0)
      assert_int_equal(count("key_j", "request_rate"), 1);
    else
      assert_int_equal(count("key_j", "request_rate"), 0);
  }
  n_got = 0;
  steady(a, "key_j", 1, 120, 7 * day);
  for (int i = 0; i < 300; i++)
    req(a, "key_j", "10.1.2.3", "m1", "search", 0,
        7 * day + 2 * 3600000LL + 100 + i * 150);
  assert_int_equal(count("key_j", "request_rate"), 1);
  gw_anomaly_free(a);
}

/* Refused requests count apart: not in the key they named, not in all
 * traffic. */
static void test_unauthenticated(void **state) {
  (void)state;
  gw_anomaly *a = gw_anomaly_new(100);
  n_got = 0;
  char client[32];
  for (int i = 0; i < 30; i++) {
    snprintf(client, sizeof(client), "203.0.113.%d", i);
    send(a, (gw_event){.key = "master",
                       .unauthenticated = 1,
                       .client = client,
                       .blocked = 1,
                       .now_ms = 1000 + i});
  }
  assert_int_equal(count("unauthenticated", "blocked_burst"), 1);
  assert_int_equal(count("master", "blocked_burst"), 0);
  assert_int_equal(count("*", "blocked_burst"), 0);
  gw_anomaly_free(a);
}

/* A detail cut to fit is cut between characters. */
static void test_detail_utf8(void **state) {
  (void)state;
  gw_anomaly *a = gw_anomaly_new(100);
  n_got = 0;
  int64_t t = steady(a, "key_u", 2, 40, 0);
  char model[200] = "";
  for (int i = 0; i < 60; i++)
    strcat(model, "\xc3\xa9"); /* e acute: 120 bytes */
  req(a, "key_u", "10.1.2.3", model, "search", 0, t);
  assert_int_equal(count("key_u", "new_model"), 1);
  const char *d = got[n_got - 1].detail;
  size_t n = strlen(d);
  assert_true(n > 80 && n % 2 == 0);
  assert_int_equal(memcmp(d, model, n), 0);
  gw_anomaly_free(a);
}

static void test_bounded(void **state) {
  (void)state;
  gw_anomaly *a = gw_anomaly_new(3);
  n_got = 0;
  char key[16];
  for (int i = 0; i < 50; i++) {
    snprintf(key, sizeof(key), "key_%d", i);
    for (int j = 0; j < 12; j++)
      req(a, key, "10.0.0.1", "m", NULL, 1, 1000 + j);
  }
  /* Three keys have baselines; the rest are not tracked. */
  int keys = 0;
  for (int i = 0; i < 50; i++) {
    snprintf(key, sizeof(key), "key_%d", i);
    keys += count(key, "blocked_burst");
  }
  assert_int_equal(keys, 3);
  gw_anomaly_observe(a, NULL, collect, NULL);
  gw_anomaly_observe(NULL, NULL, collect, NULL);
  gw_anomaly_free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_blocked_burst_new_key),
      cmocka_unit_test(test_burst_across_minutes),
      cmocka_unit_test(test_rates_after_warmup),
      cmocka_unit_test(test_new_behaviour),
      cmocka_unit_test(test_request_size_and_findings),
      cmocka_unit_test(test_hour_of_day),
      cmocka_unit_test(test_categories),
      cmocka_unit_test(test_prompt_length),
      cmocka_unit_test(test_distinct),
      cmocka_unit_test(test_warmup_is_activity),
      cmocka_unit_test(test_nightly_peak),
      cmocka_unit_test(test_unauthenticated),
      cmocka_unit_test(test_detail_utf8),
      cmocka_unit_test(test_bounded),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
