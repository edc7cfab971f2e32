/*
 * bench_anomaly.c -- the anomaly detector (src/gateway/anomaly.c) on
 * simulated traffic: figures, not pass/fail.
 *
 * 40 keys send Poisson traffic for 24 simulated hours, each at its own
 * rate (1 to 60 requests a minute) following a daily cycle (+-50%), with
 * 1% blocked (injection), 3% with findings (redacted PII), 0.5% upstream
 * errors, noisy token counts and prompt lengths, their usual models,
 * tools, client networks and a few client addresses in each.
 * Every alert in those 24 hours is a false alert. Then, on a second day,
 * one anomaly of each kind is injected into a different key at a known
 * time; the delay from its start to its alert is reported (target: within
 * 60 s).
 *
 * Then office hours: 20 keys that send 1 request a minute at night and
 * 20-40 from 09:00 to 17:00 UTC, a step every morning, for 7 days, with
 * the hour-of-day baselines off and on, beside a nightly job's key (20
 * costly requests at 02:00, nothing else) and a sporadic key (bursts of
 * 15 requests a few times a day): false alerts per day (the half-hour
 * baseline alone alerts at every step); on day 8 a rate x6 at 11:00 and
 * 30 requests a minute at 03:00 (a day's traffic at night) must still be
 * found.
 *
 *   build/release/bench/bench_anomaly [seed]
 *
 * Exits 1 when a target is missed: a false alert in the steady day, an
 * anomaly not found within 60 s, a false alert on office days 2-7 with
 * the hours' baselines on.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly.h"

#define KEYS 40
#define DAY_MS (24LL * 3600 * 1000)

static uint64_t rng = 88172645463325252ULL;
static double uniform(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (double)(rng >> 11) / 9007199254740992.0;
}

static int poisson(double lambda) {
  if (lambda > 30) { /* normal approximation */
    double u1 = uniform(), u2 = uniform();
    double z = sqrt(-2 * log(u1 > 1e-12 ? u1 : 1e-12)) * cos(6.283185307 * u2);
    int v = (int)(lambda + z * sqrt(lambda) + 0.5);
    return v < 0 ? 0 : v;
  }
  double l = exp(-lambda), p = 1;
  int k = 0;
  do {
    k++;
    p *= uniform();
  } while (p > l);
  return k - 1;
}

typedef struct {
  char key[32];
  double rate;
  char models[2][32], tools[2][32], nets[3][32];
  int n_nets;
} sim_key;

/* Which anomaly, if any, a key is running in a given minute. */
enum {
  NONE,
  RATE,
  BLOCKED,
  FINDINGS,
  ERRORS,
  SPEND,
  NEW_MODEL,
  NEW_TOOL,
  NEW_NET,
  TWO_PLACES,
  CATEGORY,
  PROMPT,
  CLIENTS,
  N_KINDS
};
static const char *const kind_name[] = {"-",
                                        "request rate x6",
                                        "30 blocked a minute",
                                        "25 findings a minute",
                                        "40 errors a minute",
                                        "spend x20",
                                        "new model",
                                        "new tool",
                                        "new network",
                                        "two places",
                                        "12 secrets a minute",
                                        "prompt x50",
                                        "25 addresses a minute"};

typedef struct {
  int kind;
  int key;
  int64_t start_ms;
  int64_t detected_ms;
  const char *signal;
  char detail[100];
} injection;

static injection inj[N_KINDS];
static long false_alerts, alerts_day2;
static int phase; /* 0: steady day, 1: day with injections */

static void on_alert(void *ud, const gw_alert *a) {
  (void)ud;
  if (phase == 0) {
    false_alerts++;
    fprintf(stderr, "false alert: %s %s %s observed %.0f baseline %.1f\n",
            a->key, a->signal, a->detail, a->observed, a->baseline);
    return;
  }
  alerts_day2++;
  for (int i = 1; i < N_KINDS; i++) {
    char key[32];
    snprintf(key, sizeof(key), "key_%02d", inj[i].key);
    if (!strcmp(a->key, key) && !inj[i].detected_ms &&
        a->at_ms >= inj[i].start_ms) {
      inj[i].detected_ms = a->at_ms;
      inj[i].signal = a->signal;
      snprintf(inj[i].detail, sizeof(inj[i].detail), "%s%s",
               *a->detail ? " " : "", a->detail);
    }
  }
}

static void one_request(gw_anomaly *an, const sim_key *k, int64_t t, int kind) {
  char client[48], id[40];
  static unsigned long n;
  const char *net = k->nets[(int)(uniform() * k->n_nets)];
  if (kind == NEW_NET || kind == TWO_PLACES)
    net = kind == NEW_NET ? "203.0.113" : "198.51.100";
  /* A few hosts per network; a stolen key's many, in a known one. */
  snprintf(client, sizeof(client), "%s.%d", net,
           kind == CLIENTS ? 10 + (int)(uniform() * 240)
                           : 1 + (int)(uniform() * 3));
  snprintf(id, sizeof(id), "req_%lu", ++n);
  const char *tool = k->tools[uniform() < 0.5];
  if (kind == NEW_TOOL)
    tool = "shell_exec";
  const char *tools[1] = {tool};
  double tok = 500 + 150 * (uniform() + uniform() + uniform() - 1.5) * 2;
  double prompt = 1200 * exp(0.6 * (uniform() + uniform() + uniform() - 1.5));
  int blocked = kind == BLOCKED || uniform() < 0.01;
  int findings =
      kind == FINDINGS || kind == CATEGORY || blocked || uniform() < 0.03;
  static const char *const c_injection[1] = {"injection"}, *c_pii[1] = {"pii"},
                           *c_secrets[1] = {"secrets"};
  gw_event e = {
      .key = k->key,
      .client = client,
      .model =
          kind == NEW_MODEL ? "gpt-4.1-unlisted" : k->models[uniform() < 0.3],
      .tools = tools,
      .n_tools = 1,
      .blocked = blocked,
      .findings = findings,
      .error = kind == ERRORS ? 1 : uniform() < 0.005,
      .categories = blocked            ? c_injection
                    : kind == CATEGORY ? c_secrets
                                       : c_pii,
      .n_categories = findings ? 1 : 0,
      .tokens = (int64_t)(kind == SPEND ? tok * 20 : tok),
      .prompt_bytes = (int64_t)(kind == PROMPT ? prompt * 50 : prompt),
      .request_id = id,
      .now_ms = t,
  };
  e.cost = e.tokens * 1000;
  gw_anomaly_observe(an, &e, on_alert, NULL);
}

/* ------------------------------------------------------ office hours */

#define OFFICE_KEYS 20
#define OFFICE_DAYS 7

static long office_alerts[OFFICE_DAYS + 1];
static char office_inject_key[2][32];
static int64_t office_inject_ms[2], office_found_ms[2];

static void on_office_alert(void *ud, const gw_alert *a) {
  (void)ud;
  if (getenv("BENCH_VERBOSE"))
    fprintf(stderr, "office alert: day %d %s %s %s observed %.0f\n",
            (int)(a->at_ms / DAY_MS) + 1, a->key, a->signal, a->detail,
            a->observed);
  int day = (int)(a->at_ms / DAY_MS);
  for (int i = 0; day == OFFICE_DAYS && i < 2; i++)
    if (!strcmp(a->key, office_inject_key[i]) && !office_found_ms[i] &&
        a->at_ms >= office_inject_ms[i]) {
      office_found_ms[i] = a->at_ms;
      return;
    }
  office_alerts[day < OFFICE_DAYS ? day : OFFICE_DAYS]++;
}

/* The nightly job and the sporadic key's requests of a minute. */
static void odd_keys(gw_anomaly *an, int64_t minute, unsigned long *id) {
  int n = minute % 1440 == 120 ? 20 : 0;
  int burst = uniform() < 3.0 / 1440 ? 15 : 0;
  for (int r = 0; r < n + burst; r++) {
    char rid[40];
    snprintf(rid, sizeof(rid), "req_j%lu", ++*id);
    const char *tools[1] = {"search"};
    gw_event e = {.key = r < n ? "nightly_job" : "sporadic",
                  .client = "10.9.0.8",
                  .model = "model-0",
                  .tools = tools,
                  .n_tools = 1,
                  .tokens = 3000,
                  .cost = 10000000, /* 0.01 USD */
                  .prompt_bytes = 8000,
                  .request_id = rid,
                  .now_ms = minute * 60000 + 1000 + r * 2000};
    gw_anomaly_observe(an, &e, on_office_alert, NULL);
  }
}

/* 7 steady days and an eighth with two surges; returns the surges
 * missed. */
static int office_hours(int seasonal) {
  memset(office_alerts, 0, sizeof(office_alerts));
  memset(office_found_ms, 0, sizeof(office_found_ms));
  gw_anomaly *an = gw_anomaly_new(100);
  gw_anomaly_set_seasonal(an, seasonal);
  double base[OFFICE_KEYS];
  for (int i = 0; i < OFFICE_KEYS; i++)
    base[i] = 20 + 20 * uniform();
  snprintf(office_inject_key[0], 32, "office_03");
  snprintf(office_inject_key[1], 32, "office_07");
  office_inject_ms[0] = OFFICE_DAYS * DAY_MS + 11 * 3600000LL + 17000;
  office_inject_ms[1] = OFFICE_DAYS * DAY_MS + 3 * 3600000LL + 29000;
  static int64_t times[4096];
  unsigned long id = 0;
  for (int64_t minute = 0; minute < (OFFICE_DAYS + 1) * 24 * 60; minute++) {
    int64_t t0 = minute * 60000;
    int hour = (int)((t0 % DAY_MS) / 3600000);
    odd_keys(an, minute, &id);
    for (int i = 0; i < OFFICE_KEYS; i++) {
      char key[32];
      snprintf(key, sizeof(key), "office_%02d", i);
      double lambda = hour >= 9 && hour < 17 ? base[i] : 1;
      int n = poisson(lambda);
      for (int r = 0; r < n && r < 4096; r++)
        times[r] = t0 + (int64_t)(uniform() * 60000);
      for (int j = 0; j < 2; j++) /* a surge's requests from its start */
        if (!strcmp(key, office_inject_key[j]) &&
            t0 + 60000 > office_inject_ms[j] &&
            t0 < office_inject_ms[j] + 5 * 60000) {
          int64_t from = t0 > office_inject_ms[j] ? t0 : office_inject_ms[j];
          for (int extra = j == 0 ? poisson(5 * base[i]) : 30;
               extra > 0 && n < 4096; extra--)
            times[n++] =
                from + (int64_t)(uniform() * (double)(t0 + 60000 - from));
        }
      for (int a = 1; a < n && a < 4096; a++)
        for (int b = a; b > 0 && times[b] < times[b - 1]; b--) {
          int64_t tmp = times[b];
          times[b] = times[b - 1];
          times[b - 1] = tmp;
        }
      for (int r = 0; r < n && r < 4096; r++) {
        char rid[40];
        snprintf(rid, sizeof(rid), "req_o%lu", ++id);
        const char *tools[1] = {"search"};
        gw_event e = {.key = key,
                      .client = "10.9.0.7",
                      .model = "model-0",
                      .tools = tools,
                      .n_tools = 1,
                      .blocked = uniform() < 0.01,
                      .findings = uniform() < 0.03,
                      .error = uniform() < 0.005,
                      .tokens = 400 + (int64_t)(200 * uniform()),
                      .request_id = rid,
                      .now_ms = times[r]};
        e.cost = e.tokens * 1000;
        gw_anomaly_observe(an, &e, on_office_alert, NULL);
      }
    }
  }
  gw_anomaly_free(an);
  printf("  hour-of-day baselines %s: false alerts on days 1-%d:",
         seasonal ? "on " : "off", OFFICE_DAYS);
  for (int d = 0; d < OFFICE_DAYS; d++)
    printf(" %ld", office_alerts[d]);
  printf("; day %d:", OFFICE_DAYS + 1);
  int missed = 0;
  for (int j = 0; j < 2; j++) {
    if (office_found_ms[j])
      printf(" surge at %s found in %.1f s;", j ? "03:00" : "11:00",
             (double)(office_found_ms[j] - office_inject_ms[j]) / 1000.0);
    else {
      printf(" surge at %s NOT FOUND;", j ? "03:00" : "11:00");
      missed++;
    }
  }
  printf(" other alerts %ld\n", office_alerts[OFFICE_DAYS]);
  for (int d = 1; seasonal && d < OFFICE_DAYS; d++)
    missed += office_alerts[d] > 0; /* learned days that still alert */
  return missed;
}

int main(int argc, char **argv) {
  if (argc > 1)
    rng = strtoull(argv[1], NULL, 10) | 1;
  sim_key keys[KEYS];
  for (int i = 0; i < KEYS; i++) {
    sim_key *k = &keys[i];
    snprintf(k->key, sizeof(k->key), "key_%02d", i);
    k->rate = 1 + uniform() * 59;
    snprintf(k->models[0], 32, "model-%d", i % 3);
    snprintf(k->models[1], 32, "model-%d", 3 + i % 2);
    snprintf(k->tools[0], 32, "search");
    snprintf(k->tools[1], 32, "tool-%d", i % 5);
    k->n_nets = 1 + i % 3;
    for (int j = 0; j < k->n_nets; j++)
      snprintf(k->nets[j], 32, "10.%d.%d", i, j);
  }
  gw_anomaly *an = gw_anomaly_new(1000);
  /* Day 2: one injection per kind, each on its own key, at its time. */
  for (int i = 1; i < N_KINDS; i++) {
    inj[i].kind = i;
    /* Each on its own key; a rate x6 on a key of at least 5 requests a
     * minute (fewer is under the request-rate floor by design). */
    inj[i].key = i * 3;
    for (int j = 1; i == RATE && j < 3 && keys[inj[i].key].rate < 5; j++)
      inj[i].key = i * 3 + j;
    inj[i].start_ms = DAY_MS + (int64_t)(2 + i * 3) * 1800 * 1000 +
                      (int64_t)(uniform() * 60000);
  }
  /* Minute by minute, each key's requests in time order: its ordinary
   * Poisson traffic, plus, from an injection's start and for 5 minutes,
   * the anomaly's own requests. */
  typedef struct {
    int64_t t;
    int kind;
  } req;
  static req reqs[4096];
  for (int64_t minute = 0; minute < 2 * 24 * 60; minute++) {
    int64_t t0 = minute * 60000;
    phase = t0 >= DAY_MS;
    double season =
        1 + 0.5 * sin(6.283185307 * (double)(t0 % DAY_MS) / (double)DAY_MS);
    for (int i = 0; i < KEYS; i++) {
      double lambda = keys[i].rate * season;
      int n = 0, pn = poisson(lambda);
      for (int r = 0; r < pn && n < 4096; r++)
        reqs[n++] = (req){t0 + (int64_t)(uniform() * 60000), NONE};
      for (int j = 1; j < N_KINDS && phase; j++) {
        const injection *in = &inj[j];
        if (in->key != i || t0 + 60000 <= in->start_ms ||
            t0 >= in->start_ms + 5 * 60000)
          continue;
        int64_t from = in->start_ms > t0 ? in->start_ms : t0;
        int extra = j == RATE       ? poisson(5 * lambda)
                    : j == BLOCKED  ? 30
                    : j == FINDINGS ? 25
                    : j == ERRORS   ? 40
                    : j == SPEND    ? poisson(lambda)
                    : j == CATEGORY ? 12
                    : j == CLIENTS  ? 25
                                    : 1;
        for (int r = 0; r < extra && n < 4096; r++)
          reqs[n++] = (req){
              from + (int64_t)(uniform() * (double)(t0 + 60000 - from)), j};
      }
      for (int a = 1; a < n; a++) /* insertion sort: by time */
        for (int b = a; b > 0 && reqs[b].t < reqs[b - 1].t; b--) {
          req tmp = reqs[b];
          reqs[b] = reqs[b - 1];
          reqs[b - 1] = tmp;
        }
      for (int r = 0; r < n; r++)
        one_request(an, &keys[i], reqs[r].t,
                    reqs[r].kind == RATE ? NONE : reqs[r].kind);
    }
  }
  printf("anomaly detector on simulated traffic: %d keys, 1-60 requests a "
         "minute each, daily cycle +-50%%\n",
         KEYS);
  printf("  day 1 (steady, noisy): %ld false alerts in 24 h\n", false_alerts);
  printf("  day 2 (injected anomalies):\n");
  int missed = 0;
  for (int i = 1; i < N_KINDS; i++) {
    if (inj[i].detected_ms - inj[i].start_ms > 60000)
      missed++; /* later than the target */
    if (inj[i].detected_ms)
      printf("    %-22s key_%02d  detected in %5.1f s  (%s%s)\n", kind_name[i],
             inj[i].key,
             (double)(inj[i].detected_ms - inj[i].start_ms) / 1000.0,
             inj[i].signal, inj[i].detail);
    else {
      printf("    %-22s key_%02d  NOT DETECTED\n", kind_name[i], inj[i].key);
      missed++;
    }
  }
  printf("  alerts on day 2: %ld (injections: %d)\n", alerts_day2, N_KINDS - 1);
  gw_anomaly_free(an);
  printf("office hours: %d keys, 1 request a minute at night, 20-40 from "
         "09:00 to 17:00 UTC\n",
         OFFICE_KEYS);
  office_hours(0);
  missed += office_hours(1);
  /* Exit 1 on any false alert of the steady day, any anomaly missed or
   * found later than 60 s, any false alert once the hours are learned. */
  return missed || false_alerts ? 1 : 0;
}
