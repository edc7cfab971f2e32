/*
 * bench_classifier.c -- what the injection/jailbreak classifier costs:
 * figures, never a pass or fail (`make bench-classifier`; recorded in
 * docs/benchmarks.md).
 *
 *   1. Model load: aigate_model_load_buffer of the embedded model (parse,
 *      checks, checksum), best and median of many loads, in ms.
 *   2. Memory: the model's heap (weights, info text) and the growth
 *      of the process's resident set while one is loaded.
 *   3. Cost per prompt on one core: ag_ml_score over the folded view (what
 *      a scan adds, since the scan already has that view), for prompts cut
 *      or padded to exactly 2 KB from the prompt file, and for the file's
 *      own prompts of at most 2 KB; then MB/s over a 100 KB document.
 *   4. The whole scan with and without the classifier (aigate_scan, input
 *      direction), p50/p99 over the prompts of at most 2 KB.
 *
 * usage: bench_classifier [--rounds N] [PROMPTS.jsonl]
 * PROMPTS defaults to ../shared/datasets/dev.jsonl next to the source
 * tree when it exists, else bench/sample_prompts.jsonl.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aigate/aigate.h"
#include "classifier.h"
#include "normalize.h"

#ifndef AIGATE_SOURCE_DIR
#define AIGATE_SOURCE_DIR "."
#endif

#define PROMPT_BYTES 2048

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double q) {
  qsort(v, n, sizeof(double), cmp_double);
  size_t k = (size_t)(q * (double)(n - 1));
  return v[k];
}

static long rss_kb(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  long pages = 0, res = 0;
  if (!f)
    return -1;
  if (fscanf(f, "%ld %ld", &pages, &res) != 2)
    res = -1;
  fclose(f);
  return res < 0 ? -1 : res * (sysconf(_SC_PAGESIZE) / 1024);
}

typedef struct {
  char **t;
  size_t *len, n;
} texts;

static int load_prompts(const char *path, texts *out) {
  FILE *f = fopen(path, "r");
  if (!f)
    return -1;
  char *line = NULL;
  size_t cap = 0;
  while (getline(&line, &cap, f) > 0) {
    json_t *j = json_loads(line, 0, NULL);
    json_t *t = json_object_get(j, "text");
    if (json_is_string(t)) {
      out->t = realloc(out->t, (out->n + 1) * sizeof(char *));
      out->len = realloc(out->len, (out->n + 1) * sizeof(size_t));
      if (!out->t || !out->len)
        exit(1);
      out->len[out->n] = json_string_length(t);
      out->t[out->n] = malloc(out->len[out->n] + 1);
      memcpy(out->t[out->n], json_string_value(t), out->len[out->n] + 1);
      out->n++;
    }
    json_decref(j);
  }
  free(line);
  fclose(f);
  return out->n ? 0 : -1;
}

/* Folded view of a text, copied out (what the scan hands the classifier). */
static char *fold(const char *t, size_t n, size_t *out_len) {
  ag_view_buf raw = {0}, folded = {0};
  char *r = NULL;
  if (!ag_view_raw(t, n, &raw, NULL) &&
      !ag_view_folded(raw.p, raw.len, &folded, NULL) &&
      (r = malloc(folded.len + 1))) {
    memcpy(r, folded.p, folded.len);
    r[folded.len] = 0;
    *out_len = folded.len;
  }
  ag_view_free(&raw);
  ag_view_free(&folded);
  return r;
}

/* Time fn over every folded text, `rounds` times; per-call microseconds
 * into us[] (one figure per text: its best round). */
static double sink;

static void time_texts(const aigate_model *m, char **f, size_t *fl, size_t n,
                       int rounds, double *us) {
  for (size_t i = 0; i < n; i++) {
    double best = 1e9;
    for (int r = 0; r < rounds; r++) {
      double t0 = now();
      sink += ag_ml_score(m, f[i], fl[i], NULL, NULL);
      double dt = (now() - t0) * 1e6;
      best = dt < best ? dt : best;
    }
    us[i] = best;
  }
}

int main(int argc, char **argv) {
  int rounds = 20;
  const char *path = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
      rounds = atoi(argv[++i]);
    else
      path = argv[i];
  }
  if (rounds < 1)
    rounds = 1;
  char def[4096];
  if (!path) {
    snprintf(def, sizeof(def), "%s/../shared/datasets/dev.jsonl",
             AIGATE_SOURCE_DIR);
    if (access(def, R_OK) != 0)
      snprintf(def, sizeof(def), "%s/bench/sample_prompts.jsonl",
               AIGATE_SOURCE_DIR);
    path = def;
  }
  texts p = {0};
  if (load_prompts(path, &p)) {
    fprintf(stderr, "bench_classifier: cannot read prompts from %s\n", path);
    return 2;
  }
  if (!ag_embedded_model_len) {
    fprintf(stderr, "bench_classifier: library built without a model\n");
    return 2;
  }
  printf("classifier benchmark: %zu prompts from %s, %d rounds\n", p.n, path,
         rounds);

  /* 1 + 2: load time and memory. */
  long rss0 = rss_kb();
  double loads[50];
  aigate_model *m = NULL;
  for (int i = 0; i < 50; i++) {
    aigate_model *x = NULL;
    aigate_error err = {{0}};
    double t0 = now();
    if (aigate_model_load_buffer("embedded", ag_embedded_model,
                                 ag_embedded_model_len, &x, &err)) {
      fprintf(stderr, "bench_classifier: %s\n", err.msg);
      return 2;
    }
    loads[i] = (now() - t0) * 1e3;
    if (m)
      aigate_model_free(x);
    else
      m = x;
  }
  long rss1 = rss_kb();
  double load_best = pct(loads, 50, 0), load_p50 = pct(loads, 50, 0.5);
  size_t heap =
      sizeof(*m) + ((size_t)2 << m->bits) + (m->info ? strlen(m->info) + 1 : 0);
  printf("model: %zu bytes (2^%u features, window %u, stride %u)\n",
         (size_t)ag_embedded_model_len, m->bits, m->window, m->stride);
  printf("load: best %.3f ms, median %.3f ms\n", load_best, load_p50);
  printf("memory: model heap %.2f MiB; resident set +%.2f MiB with one model "
         "loaded (process %.1f MiB)\n",
         (double)heap / 1048576.0, (double)(rss1 - rss0) / 1024.0,
         (double)rss1 / 1024.0);

  /* 3: cost per prompt on the folded view. */
  char **f2k = calloc(p.n, sizeof(char *)), **fs = calloc(p.n, sizeof(char *));
  size_t *l2k = calloc(p.n, sizeof(size_t)), *ls = calloc(p.n, sizeof(size_t));
  double *us = calloc(p.n, sizeof(double));
  size_t n2k = 0, ns = 0;
  char buf[PROMPT_BYTES];
  for (size_t i = 0; i < p.n; i++) {
    /* Exactly 2 KB: the prompt repeated (or cut), ended on a character. */
    size_t k = 0;
    while (k < PROMPT_BYTES && p.len[i]) {
      size_t c = p.len[i] < PROMPT_BYTES - k ? p.len[i] : PROMPT_BYTES - k;
      memcpy(buf + k, p.t[i], c);
      k += c;
      if (k < PROMPT_BYTES)
        buf[k++] = ' ';
    }
    while (k > 0 && ((unsigned char)buf[k - 1] & 0xC0) == 0x80)
      k--;
    if (k && ((unsigned char)buf[k - 1] & 0xC0) == 0xC0)
      k--;
    if (k && (f2k[n2k] = fold(buf, k, &l2k[n2k])))
      n2k++;
    if (p.len[i] <= PROMPT_BYTES && (fs[ns] = fold(p.t[i], p.len[i], &ls[ns])))
      ns++;
  }
  time_texts(m, f2k, l2k, n2k, rounds, us);
  double mean = 0;
  for (size_t i = 0; i < n2k; i++)
    mean += us[i];
  mean /= (double)(n2k ? n2k : 1);
  printf("2 KB prompts (%zu): mean %.2f us, p50 %.2f us, p99 %.2f us, max "
         "%.2f us per prompt\n",
         n2k, mean, pct(us, n2k, 0.5), pct(us, n2k, 0.99), pct(us, n2k, 1.0));
  time_texts(m, fs, ls, ns, rounds, us);
  printf("prompts <= 2 KB as they are (%zu): p50 %.2f us, p99 %.2f us\n", ns,
         pct(us, ns, 0.5), pct(us, ns, 0.99));
  /* A 100 KB document. */
  size_t dl = 0, cap = 100 * 1024;
  char *doc = malloc(cap + PROMPT_BYTES);
  for (size_t i = 0; dl < cap; i = (i + 1) % p.n) {
    size_t c = p.len[i] < PROMPT_BYTES ? p.len[i] : PROMPT_BYTES;
    memcpy(doc + dl, p.t[i], c);
    dl += c;
    doc[dl++] = '\n';
  }
  size_t fdl;
  char *fdoc = fold(doc, dl, &fdl);
  double best = 1e9;
  for (int r = 0; r < rounds && fdoc; r++) {
    double t0 = now();
    sink += ag_ml_score(m, fdoc, fdl, NULL, NULL);
    double dt = now() - t0;
    best = dt < best ? dt : best;
  }
  printf("100 KB document: %.2f ms, %.1f MB/s\n", best * 1e3,
         (double)fdl / best / 1e6);

  /* 4: the whole scan, with and without the classifier. */
  for (int with = 0; with < 2; with++) {
    aigate_engine_options eo = {.model = with ? NULL : ""};
    aigate_engine *e;
    aigate_scratch *s;
    aigate_error err = {{0}};
    if (aigate_engine_new(&eo, &e, &err) || aigate_scratch_new(e, &s)) {
      fprintf(stderr, "bench_classifier: %s\n", err.msg);
      return 2;
    }
    size_t k = 0;
    for (size_t i = 0; i < p.n; i++) {
      if (p.len[i] > PROMPT_BYTES)
        continue;
      double b = 1e9;
      for (int r = 0; r < rounds; r++) {
        aigate_result res;
        double t0 = now();
        aigate_scan(e, s, p.t[i], p.len[i], AIGATE_INPUT, &res);
        double dt = (now() - t0) * 1e6;
        b = dt < b ? dt : b;
      }
      us[k++] = b;
    }
    printf("aigate_scan, prompts <= 2 KB, %s classifier: p50 %.2f us, p99 "
           "%.2f us\n",
           with ? "with" : "without", pct(us, k, 0.5), pct(us, k, 0.99));
    aigate_scratch_free(s);
    aigate_engine_free(e);
  }
  if (sink < 0)
    puts("");
  aigate_model_free(m);
  return 0;
}
