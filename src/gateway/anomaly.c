/*
 * anomaly.c -- online baselines per key, and alerts when behaviour leaves
 * them (anomaly.h).
 *
 * Rates: each key (and "*", all traffic together) counts per minute its
 * requests, blocked requests, requests with findings (any rule that
 * redacted or blocked), upstream errors, tokens, spend, and the distinct
 * models, tools and client addresses it used (each in a 1024-bit set per
 * minute, read by linear counting: exact enough for a baseline). When a
 * minute with traffic ends it is folded into an exponentially weighted
 * mean and variance (about half an hour of such minutes: slow daily
 * cycles move the baseline along, and a key that pauses and comes back
 * as usual is no surge). A minute alerts as soon as its count passes
 * mean + 6 standard deviations, twice the mean and a floor per signal,
 * so a burst is reported within the minute it starts. Blocked, finding
 * and error counts are judged against their baseline scaled to the
 * minute's requests over the usual (a campaign is a larger share, not
 * more traffic). Blocked requests are counted over the last 60 s rather
 * than the calendar minute, so that a minute's boundary does not split a
 * burst in two. Rate alerts wait for 30 minutes with traffic, but for
 * blocked requests: a key whose first minute already has ten blocked
 * prompts is an injection campaign. A surge of "*" that one key makes
 * most of (its part of the minute's excess) is left to that key's own
 * baseline, where it may be usual.
 *
 * Seasons: traffic that jumps at the same hour every day (a team that
 * starts at nine) would cross the half-hour baseline every morning. So
 * each key also keeps, per hour of the day (UTC), a mean and variance of
 * its per-minute counts, weighted 1/n and then about a week of that hour
 * (1/420), and its peak minute (fading by half over a week of it); quiet
 * minutes count as zeros, up to a day of them. Once an hour has a day of
 * history (60 minutes), a rate alert also needs the minute above that
 * hour's line (mean + 6 sd, twice the mean, the floor) and above 1.5
 * times its peak (a job that runs at two every night is a peak, not a
 * surge). Blocked bursts are exempt: a daily injection campaign is still
 * one.
 *
 * Categories: blocked requests and requests with findings are also
 * counted per category of the rules behind the decision (injection,
 * pii, secrets, ...), each with its own half-hour baseline scaled by the
 * minute's requests over the usual, so that a new kind of finding stands
 * out even when another kind dominates the key's totals. Such an alert
 * names the category in its detail and silences the key's overall alert
 * of the same signal for its cooldown (one burst, one alert). A key
 * tracks its first 8 categories; later ones count in the totals only.
 *
 * A request's size, in tokens and in bytes of its text (the prompt
 * length): each key keeps an EWMA of its logarithm per request (about 50
 * requests of memory); after 50 requests, one that is beyond 6 sd and 4
 * times the usual on that scale is an alert.
 *
 * New behaviour: after a key's first 50 requests and 30 minutes, a model,
 * a tool or a client network (/24 for IPv4, IPv4-mapped included; /48 for
 * IPv6, from the parsed address) it has not used before is an event, each
 * new value once; a new network while an established one was active in
 * the last minute is a key used from two places at once.
 *
 * Refused requests (the key missing, wrong, revoked, expired, suspended)
 * count under "unauthenticated" only, rates alone: never in the key they
 * named nor in "*".
 *
 * Each rate signal of a key alerts at most once per 10 minutes. Memory is
 * bounded: at most max_keys keys (about 5 KB each, allocated at a key's
 * first request); learned sets hold 32 models and tools and 16 networks,
 * and stop learning when full.
 */
#include <arpa/inet.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly.h"
#include "util.h"

enum {
  R_REQUESTS,
  R_BLOCKED,
  R_FINDINGS,
  R_ERRORS,
  R_TOKENS,
  R_SPEND,
  R_MODELS, /* distinct in the minute */
  R_TOOLS,
  R_CLIENTS,
  N_RATES
};
enum {
  S_REQUEST_TOKENS = N_RATES,
  S_PROMPT_LENGTH,
  S_NEW_MODEL,
  S_NEW_TOOL,
  S_NEW_NETWORK,
  S_TWO_PLACES,
  N_SIGNALS
};

static const struct {
  const char *name, *severity;
  double floor; /* the least count above the baseline that alerts */
} sig[N_SIGNALS] = {
    [R_REQUESTS] = {"request_rate", "medium", 10},
    [R_BLOCKED] = {"blocked_burst", "high", 10},
    [R_FINDINGS] = {"finding_rate", "medium", 10},
    [R_ERRORS] = {"error_rate", "medium", 20},
    [R_TOKENS] = {"token_rate", "medium", 20000},
    [R_SPEND] = {"spend_rate", "high", 5e6}, /* 0.005 USD a minute */
    [R_MODELS] = {"distinct_models", "medium", 3},
    [R_TOOLS] = {"distinct_tools", "medium", 5},
    [R_CLIENTS] = {"distinct_clients", "high", 10},
    [S_REQUEST_TOKENS] = {"request_tokens", "medium", 0},
    [S_PROMPT_LENGTH] = {"prompt_length", "medium", 0},
    [S_NEW_MODEL] = {"new_model", "low", 0},
    [S_NEW_TOOL] = {"new_tool", "medium", 0},
    [S_NEW_NETWORK] = {"new_network", "medium", 0},
    [S_TWO_PLACES] = {"two_places_at_once", "high", 0},
};

#define ALPHA 0.065 /* EWMA weight of a new minute: ~30 minutes of memory */
#define ALPHA_REQUEST 0.02 /* of a request's tokens: ~50 requests */
#define LOG_4 1.3862943611 /* a request's tokens alert at 4x beyond 6 sd */
#define K_SIGMA 6.0
#define WARMUP_MINUTES 30
#define WARMUP_REQUESTS 50
#define COOLDOWN_MS (10 * 60000LL)
#define MAX_MODELS 32
#define MAX_TOOLS 32
#define MAX_NETS 16
#define SEASON_MINUTES 420 /* the weight floor of an hour's baseline */
#define SEASON_MATURE 60   /* minutes of an hour before it counts */
#define SEASON_GAP 1440    /* quiet minutes folded in, at most */
#define PEAK_FADE 0.99835f /* per minute of the hour: half in 420 */
#define PEAK_MARGIN 1.5    /* a minute above 1.5 x the hour's peak */
#define MAX_CATEGORIES 8
#define SET_BITS 1024 /* of a minute's set of distinct values */

typedef struct {
  double mean, var;
} ewma;

/* An hour of the day's baseline of one rate: floats, since each key
 * keeps 24 x N_RATES of them. peak: the largest minute of that hour,
 * fading by half in a week of it. */
typedef struct {
  float mean, var, peak;
} season;

/* Blocked requests and requests with findings of one category. */
enum { C_BLOCKED, C_FINDINGS, N_CRATES };

typedef struct {
  char name[32];
  double cur[N_CRATES], prev[N_CRATES];
  ewma base[N_CRATES];
  ewma blocked_before; /* base[C_BLOCKED] without the minute in prev */
  int64_t quiet_until[N_CRATES];
} category;

/* A per-request size on a log scale. */
typedef struct {
  ewma log;
  int64_t n;
} size_base;

typedef struct {
  char key[64];
  int64_t first_ms, minute, minutes, requests;
  double cur[N_RATES];
  double prev[N_RATES]; /* the minute before, when it was the last one */
  double top[N_RATES];  /* "*": the most one key added this minute */
  ewma base[N_RATES];
  ewma blocked_before; /* base[R_BLOCKED] without the minute in prev */
  uint64_t seen[R_CLIENTS - R_MODELS + 1][SET_BITS / 64]; /* this minute */
  category cats[MAX_CATEGORIES];
  int n_cats;
  size_base request_tokens, prompt_bytes;
  season hour[24][N_RATES];
  uint16_t hour_minutes[24]; /* minutes folded into each hour, saturating */
  int64_t quiet_until[N_SIGNALS];
  uint64_t models[MAX_MODELS], tools[MAX_TOOLS], nets[MAX_NETS];
  int n_models, n_tools, n_nets;
  uint64_t active_net; /* an established network seen last ... */
  int64_t active_ms;   /* ... at this time */
  char ids[GW_ALERT_IDS][40], blocked_ids[GW_ALERT_IDS][40],
      finding_ids[GW_ALERT_IDS][40];
  int n_ids, n_blocked_ids, n_finding_ids;
} kstate;

struct gw_anomaly {
  pthread_mutex_t lock;
  kstate **v; /* open addressing; NULL: free */
  size_t cap; /* power of two, >= 2 * max_keys */
  size_t n, max;
  unsigned long seq;
  int seasonal;
};

static uint64_t fnv(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
  return h | 1; /* never 0: 0 marks an empty set slot */
}

gw_anomaly *gw_anomaly_new(size_t max_keys) {
  gw_anomaly *a = calloc(1, sizeof(*a));
  if (!a)
    return NULL;
  size_t cap = 16;
  while (cap < 2 * (max_keys + 1))
    cap *= 2;
  if (!(a->v = calloc(cap, sizeof(*a->v)))) {
    free(a);
    return NULL;
  }
  a->cap = cap;
  a->max = max_keys + 1; /* and "*" */
  a->seasonal = 1;
  pthread_mutex_init(&a->lock, NULL);
  return a;
}

void gw_anomaly_set_seasonal(gw_anomaly *a, int on) {
  a->seasonal = on;
}

void gw_anomaly_free(gw_anomaly *a) {
  if (!a)
    return;
  pthread_mutex_destroy(&a->lock);
  for (size_t i = 0; i < a->cap; i++)
    free(a->v[i]);
  free(a->v);
  free(a);
}

static kstate *state_of(gw_anomaly *a, const char *key, int64_t now) {
  size_t m = a->cap - 1;
  for (size_t p = fnv(key, strlen(key)) & m;; p = (p + 1) & m) {
    kstate *k = a->v[p];
    if (k && !strcmp(k->key, key))
      return k;
    if (!k) {
      if (a->n == a->max || !(k = calloc(1, sizeof(*k))))
        return NULL;
      a->v[p] = k;
      ag_str_put(k->key, sizeof(k->key), 0, key);
      k->first_ms = now;
      k->minute = now / 60000;
      a->n++;
      return k;
    }
  }
}

static void fold_by(ewma *e, double x, double alpha) {
  double d = x - e->mean;
  e->mean += alpha * d;
  e->var = (1 - alpha) * (e->var + alpha * d * d);
}

static void fold(ewma *e, double x) {
  fold_by(e, x, ALPHA);
}

static int hour_of(int64_t minute) {
  return (int)((minute / 60) % 24);
}

/* Fold minute `minute`'s counts (NULL: zeros) into its hour. */
static void fold_season(kstate *k, int64_t minute, const double *x) {
  int h = hour_of(minute);
  if (k->hour_minutes[h] < UINT16_MAX)
    k->hour_minutes[h]++;
  float w = k->hour_minutes[h] < SEASON_MINUTES
                ? 1.0f / (float)k->hour_minutes[h]
                : 1.0f / SEASON_MINUTES;
  for (int i = 0; i < N_RATES; i++) {
    season *e = &k->hour[h][i];
    float v = x ? (float)x[i] : 0;
    float d = v - e->mean;
    e->mean += w * d;
    e->var = (1 - w) * (e->var + w * d * d);
    e->peak = v > e->peak * PEAK_FADE ? v : e->peak * PEAK_FADE;
  }
}

/* Close the minute k->minute (it had requests) into the baselines. */
static void advance(kstate *k, int64_t minute) {
  if (minute <= k->minute)
    return;
  int64_t gap = minute - k->minute;
  /* The half-hour baselines learn the minutes with traffic: a key that
   * pauses and comes back as usual is not a surge (quiet minutes as
   * zeros would make its next ordinary minute one). */
  ewma before = k->base[R_BLOCKED];
  for (int i = 0; i < N_RATES; i++) {
    fold(&k->base[i], k->cur[i]);
    k->prev[i] = gap == 1 ? k->cur[i] : 0;
  }
  k->blocked_before = gap == 1 ? before : k->base[R_BLOCKED];
  for (int c = 0; c < k->n_cats; c++) {
    category *cat = &k->cats[c];
    before = cat->base[C_BLOCKED];
    for (int i = 0; i < N_CRATES; i++) {
      fold(&cat->base[i], cat->cur[i]);
      cat->prev[i] = gap == 1 ? cat->cur[i] : 0;
      cat->cur[i] = 0;
    }
    cat->blocked_before = gap == 1 ? before : cat->base[C_BLOCKED];
  }
  /* The hours' baselines take quiet minutes as zeros (up to a day of
   * them): that is what an hour's usual traffic is. */
  fold_season(k, k->minute, k->cur);
  for (int64_t g = 1; g < gap && g <= SEASON_GAP; g++)
    fold_season(k, k->minute + g, NULL);
  k->minutes++;
  memset(k->cur, 0, sizeof(k->cur));
  memset(k->top, 0, sizeof(k->top));
  memset(k->seen, 0, sizeof(k->seen));
  k->n_ids = k->n_blocked_ids = k->n_finding_ids = 0;
  k->minute = minute;
}

static void remember_id(char ids[][40], int *n, const char *id) {
  if (!id)
    return;
  if (*n == GW_ALERT_IDS) { /* keep the latest */
    memmove(ids[0], ids[1], (GW_ALERT_IDS - 1) * sizeof(ids[0]));
    (*n)--;
  }
  ag_str_put(ids[(*n)++], 40, 0, id);
}

/* Copy what fits of src's whole UTF-8 characters (jansson refuses a
 * character cut in two, and the alert would not be written). */
static void utf8_copy(char *dst, size_t cap, const char *src) {
  size_t n = 0;
  for (size_t i = 0; src[i];) {
    unsigned char c = (unsigned char)src[i];
    size_t len = c < 0x80 ? 1 : c >> 5 == 6 ? 2 : c >> 4 == 14 ? 3 : 4;
    size_t j = 1;
    while (j < len && ((unsigned char)src[i + j] >> 6) == 2)
      j++;
    if (j < len || i + len >= cap)
      break; /* cut or invalid: stop before it */
    i += len;
    n = i;
  }
  memcpy(dst, src, n);
  dst[n] = '\0';
}

/* Raise signal s unless *quiet (its cooldown) says not yet. */
static int alert_at(gw_anomaly *a, kstate *k, int s, int64_t *quiet,
                    double observed, double baseline, double score,
                    const char *detail, const gw_event *e, gw_alert_cb cb,
                    void *ud) {
  if (e->now_ms < *quiet)
    return 0;
  *quiet = e->now_ms + COOLDOWN_MS;
  gw_alert al;
  memset(&al, 0, sizeof(al));
  snprintf(al.id, sizeof(al.id), "alert_%lld_%lu", (long long)e->now_ms,
           ++a->seq);
  snprintf(al.key, sizeof(al.key), "%s", k->key);
  al.signal = sig[s].name;
  al.severity = sig[s].severity;
  utf8_copy(al.detail, sizeof(al.detail), detail ? detail : "");
  al.observed = observed;
  al.baseline = baseline;
  al.score = score;
  al.at_ms = e->now_ms;
  if (s == R_BLOCKED) {
    memcpy(al.request_ids, k->blocked_ids, sizeof(al.request_ids));
    al.n_ids = k->n_blocked_ids;
  } else if (s == R_FINDINGS) {
    memcpy(al.request_ids, k->finding_ids, sizeof(al.request_ids));
    al.n_ids = k->n_finding_ids;
  } else if (s < N_RATES) {
    memcpy(al.request_ids, k->ids, sizeof(al.request_ids));
    al.n_ids = k->n_ids;
  } else if (e->request_id) {
    snprintf(al.request_ids[0], 40, "%s", e->request_id);
    al.n_ids = 1;
  }
  cb(ud, &al);
  return 1;
}

static void alert_on(gw_anomaly *a, kstate *k, int s, double observed,
                     double baseline, double score, const char *detail,
                     const gw_event *e, gw_alert_cb cb, void *ud) {
  alert_at(a, k, s, &k->quiet_until[s], observed, baseline, score, detail, e,
           cb, ud);
}

/* Does a minute's count x break baseline b (mean + 6 sd + the floor, and
 * twice the mean)? */
static int breaks(const ewma *b, double x, double floor) {
  return x > b->mean + K_SIGMA * sqrt(b->var) + floor && x > 2 * b->mean;
}

/* A count's baseline scaled to the minute's requests over the key's
 * usual: blocked, finding and error counts grow with traffic (a morning
 * step brings more of each; a campaign brings a larger share). */
static ewma scaled_to_traffic(const kstate *k, const ewma *b, double requests) {
  double usual = k->base[R_REQUESTS].mean;
  double scale = usual > 1 && requests > usual ? requests / usual : 1;
  return (ewma){b->mean * scale, b->var * scale};
}

/* Blocked requests are judged over the last 60 s, not the calendar
 * minute, so that a burst split by a minute's boundary is one burst:
 * the minute so far plus the previous minute's count in the share of it
 * still inside those 60 s (spread evenly over its minute). Their baseline
 * is then the one before that previous minute was learned, or the first
 * part of a burst would raise the line for the rest. */
static double last_60s(double cur, double prev, int64_t now_ms) {
  return cur + prev * (1 - (double)(now_ms % 60000) / 60000);
}

static double score_of(const ewma *b, double x) {
  double sd = sqrt(b->var);
  return (x - b->mean) / (sd > 1 ? sd : 1);
}

/* Put s into a minute's set; returns how much the set's estimated size
 * grew (linear counting: -m ln(free share)). */
static double distinct(uint64_t set[SET_BITS / 64], const char *s) {
  uint64_t h = fnv(s, strlen(s));
  h ^= h >> 33; /* FNV's last byte barely reaches the middle bits: mix */
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  size_t bit = (size_t)(h % SET_BITS);
  if (set[bit / 64] & (1ULL << (bit % 64)))
    return 0;
  int used = 0;
  for (int i = 0; i < SET_BITS / 64; i++)
    used += __builtin_popcountll(set[i]);
  set[bit / 64] |= 1ULL << (bit % 64);
  double before = -SET_BITS * log(1 - (double)used / SET_BITS);
  double free_after = used + 1 < SET_BITS ? SET_BITS - used - 1 : 0.5;
  return -SET_BITS * log(free_after / SET_BITS) - before;
}

static category *category_of(kstate *k, const char *name) {
  for (int c = 0; c < k->n_cats; c++)
    if (!strcmp(k->cats[c].name, name))
      return &k->cats[c];
  if (k->n_cats == MAX_CATEGORIES)
    return NULL;
  category *cat = &k->cats[k->n_cats++];
  memset(cat, 0, sizeof(*cat));
  snprintf(cat->name, sizeof(cat->name), "%s", name);
  return cat;
}

/* Blocked requests and requests with findings per category: before the
 * totals (rates()), whose alert a category's alert silences. */
static void categories(gw_anomaly *a, kstate *k, const gw_event *e,
                       gw_alert_cb cb, void *ud) {
  int warm = k->minutes >= WARMUP_MINUTES;
  double minute = k->cur[R_REQUESTS] + 1; /* this one included */
  double in_60s = last_60s(minute, k->prev[R_REQUESTS], e->now_ms);
  for (size_t i = 0; i < e->n_categories; i++) {
    const char *name = e->categories[i];
    int repeat = !name;
    for (size_t j = 0; j < i && !repeat; j++)
      repeat = e->categories[j] && !strcmp(e->categories[j], name);
    category *cat = repeat ? NULL : category_of(k, name);
    if (!cat)
      continue;
    for (int c = 0; c < N_CRATES; c++) {
      if (c == C_BLOCKED && !e->blocked)
        continue;
      int s = c == C_BLOCKED ? R_BLOCKED : R_FINDINGS;
      double x = ++cat->cur[c], requests = minute;
      const ewma *usual = &cat->base[c];
      if (c == C_BLOCKED) {
        x = last_60s(x, cat->prev[c], e->now_ms);
        requests = in_60s;
        usual = &cat->blocked_before;
      }
      int burst = s == R_BLOCKED && x >= sig[s].floor && 2 * x >= requests;
      ewma scaled = scaled_to_traffic(k, usual, requests);
      if (((warm && breaks(&scaled, x, sig[s].floor)) || (!warm && burst)) &&
          alert_at(a, k, s, &cat->quiet_until[c], x, usual->mean,
                   score_of(usual, x), cat->name, e, cb, ud))
        k->quiet_until[s] = e->now_ms + COOLDOWN_MS;
    }
  }
}

/* own: for "*", the state of the request's key. A surge of all traffic
 * that one key makes most of is that key's to judge (by its own
 * baseline, where it may be its usual), not all traffic's. */
static void rates(gw_anomaly *a, kstate *k, const kstate *own,
                  const gw_event *e, gw_alert_cb cb, void *ud) {
  double add[N_RATES] = {1,
                         e->blocked ? 1 : 0,
                         e->findings ? 1 : 0,
                         e->error ? 1 : 0,
                         (double)e->tokens,
                         (double)e->cost};
  if (e->model && *e->model)
    add[R_MODELS] = distinct(k->seen[R_MODELS - R_MODELS], e->model);
  for (size_t i = 0; i < e->n_tools; i++)
    add[R_TOOLS] += distinct(k->seen[R_TOOLS - R_MODELS], e->tools[i]);
  if (e->client && *e->client)
    add[R_CLIENTS] = distinct(k->seen[R_CLIENTS - R_MODELS], e->client);
  int warm = k->minutes >= WARMUP_MINUTES;
  for (int i = 0; i < N_RATES; i++) {
    if (add[i] == 0)
      continue;
    k->cur[i] += add[i];
    if (own && own->minute == k->minute && own->cur[i] > k->top[i])
      k->top[i] = own->cur[i];
    double x = k->cur[i], traffic = k->cur[R_REQUESTS];
    if (i == R_BLOCKED) {
      x = last_60s(x, k->prev[i], e->now_ms);
      traffic = last_60s(traffic, k->prev[R_REQUESTS], e->now_ms);
    }
    const ewma *usual = i == R_BLOCKED ? &k->blocked_before : &k->base[i];
    ewma scaled = i == R_BLOCKED || i == R_FINDINGS || i == R_ERRORS
                      ? scaled_to_traffic(k, usual, traffic)
                      : *usual;
    const ewma *b = &scaled;
    /* Before a baseline exists, only a minute in which most requests are
     * blocked (and at least the floor) says "campaign". */
    int burst = i == R_BLOCKED && x >= sig[i].floor && 2 * x >= traffic;
    int fire = warm && breaks(b, x, sig[i].floor);
    int h = hour_of(k->minute);
    if (fire && a->seasonal && i != R_BLOCKED &&
        k->hour_minutes[h] >= SEASON_MATURE) {
      /* Above the hour's line, and above its busiest recent minute: a
       * job that runs at two every night is a peak, not a surge. */
      const season *sb = &k->hour[h][i];
      ewma hb = {sb->mean, sb->var};
      fire = breaks(&hb, x, sig[i].floor) && x > PEAK_MARGIN * sb->peak;
    }
    if (fire && own && k->top[i] >= 0.5 * (x - b->mean))
      fire = 0;
    if (fire || (!warm && burst))
      alert_on(a, k, i, x, b->mean, score_of(b, x), NULL, e, cb, ud);
  }
}

/* One request's size (signal s: tokens or prompt bytes) against the
 * key's usual request, on a log scale (sizes spread over orders of
 * magnitude). */
static void request_size(gw_anomaly *a, kstate *k, int s, size_base *sb,
                         int64_t size, const gw_event *e, gw_alert_cb cb,
                         void *ud) {
  if (size <= 0)
    return;
  double lx = log((double)size);
  ewma *b = &sb->log;
  double sd = sqrt(b->var);
  if (sb->n >= WARMUP_REQUESTS && lx > b->mean + K_SIGMA * sd + LOG_4)
    alert_on(a, k, s, (double)size, exp(b->mean),
             (lx - b->mean) / (sd > 0.01 ? sd : 0.01), NULL, e, cb, ud);
  if (sb->n++ == 0)
    b->mean = lx;
  fold_by(b, lx, ALPHA_REQUEST);
}

/* Is h in the set; if not, learn it (while there is room). Returns 1
 * when it was new and learned or the set is full (0 when known). */
static int learn(uint64_t *set, int *n, int max, uint64_t h, int *learned) {
  for (int i = 0; i < *n; i++)
    if (set[i] == h)
      return 0;
  *learned = *n < max;
  if (*learned)
    set[(*n)++] = h;
  return 1;
}

/* The client's network: /24 (IPv4, IPv4-mapped IPv6 included) or /48
 * (IPv6), as text; other text as it is. */
static void network_of(const char *addr, char *out, size_t len) {
  unsigned char b[16];
  char text[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET6, addr, b) == 1) {
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0,    0,
                                             0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(b, mapped, 12)) {
      memset(b + 6, 0, 10);
      inet_ntop(AF_INET6, b, text, sizeof(text));
      snprintf(out, len, "%s/48", text);
      return;
    }
    memmove(b, b + 12, 4);
  } else if (inet_pton(AF_INET, addr, b) != 1) {
    ag_str_put(out, len, 0, addr);
    return;
  }
  /* "a.b.c.0/24", as inet_ntop writes an address, without its printf. */
  size_t n = 0;
  for (int i = 0; i < 3; i++) {
    n = ag_str_put_uint(out, len, n, b[i]);
    n = ag_str_put(out, len, n, ".");
  }
  ag_str_put(out, len, n, "0/24");
}

/* A value new to the key: no cooldown (each value is new only once, and
 * the learned sets are bounded), so a second new network minutes after
 * the first is reported too. */
static void new_value(gw_anomaly *a, kstate *k, int s, const char *detail,
                      const gw_event *e, gw_alert_cb cb, void *ud) {
  int64_t quiet = 0;
  alert_at(a, k, s, &quiet, 1, 0, 1, detail, e, cb, ud);
}

static void novelty(gw_anomaly *a, kstate *k, const gw_event *e, gw_alert_cb cb,
                    void *ud) {
  int warm = k->requests >= WARMUP_REQUESTS &&
             e->now_ms - k->first_ms >= WARMUP_MINUTES * 60000LL;
  int learned;
  if (e->model && *e->model &&
      learn(k->models, &k->n_models, MAX_MODELS,
            fnv(e->model, strlen(e->model)), &learned) &&
      warm && learned)
    new_value(a, k, S_NEW_MODEL, e->model, e, cb, ud);
  for (size_t i = 0; i < e->n_tools; i++)
    if (learn(k->tools, &k->n_tools, MAX_TOOLS,
              fnv(e->tools[i], strlen(e->tools[i])), &learned) &&
        warm && learned)
      new_value(a, k, S_NEW_TOOL, e->tools[i], e, cb, ud);
  if (!e->client || !*e->client)
    return;
  char net[64];
  network_of(e->client, net, sizeof(net));
  uint64_t h = fnv(net, strlen(net));
  int is_new = learn(k->nets, &k->n_nets, MAX_NETS, h, &learned);
  if (is_new && warm && learned) {
    int other_active =
        k->active_net && k->active_net != h && e->now_ms - k->active_ms < 60000;
    new_value(a, k, other_active ? S_TWO_PLACES : S_NEW_NETWORK, net, e, cb,
              ud);
  }
  if (!is_new) { /* established networks only */
    k->active_net = h;
    k->active_ms = e->now_ms;
  }
}

void gw_anomaly_observe(gw_anomaly *a, const gw_event *e, gw_alert_cb cb,
                        void *ud) {
  if (!a || !e)
    return;
  pthread_mutex_lock(&a->lock);
  /* Refused requests are nobody's behaviour: their rate is watched
   * apart ("unauthenticated": a burst is someone guessing keys), never
   * in a key's or all traffic's baseline. */
  const char *keys[2] = {e->unauthenticated  ? "unauthenticated"
                         : e->key && *e->key ? e->key
                                             : "-",
                         "*"};
  kstate *own = NULL;
  for (int n = 0; n < (e->unauthenticated ? 1 : 2); n++) {
    kstate *k = state_of(a, keys[n], e->now_ms);
    if (n == 0)
      own = k;
    if (!k)
      continue;
    advance(k, e->now_ms / 60000);
    remember_id(k->ids, &k->n_ids, e->request_id);
    if (e->blocked)
      remember_id(k->blocked_ids, &k->n_blocked_ids, e->request_id);
    if (e->findings)
      remember_id(k->finding_ids, &k->n_finding_ids, e->request_id);
    categories(a, k, e, cb, ud);
    rates(a, k, n == 1 ? own : NULL, e, cb, ud);
    if (n == 0 && !e->unauthenticated) {
      request_size(a, k, S_REQUEST_TOKENS, &k->request_tokens, e->tokens, e, cb,
                   ud);
      request_size(a, k, S_PROMPT_LENGTH, &k->prompt_bytes, e->prompt_bytes, e,
                   cb, ud);
      novelty(a, k, e, cb, ud);
    }
    k->requests++;
  }
  pthread_mutex_unlock(&a->lock);
}
