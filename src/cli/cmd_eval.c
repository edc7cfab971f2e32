/*
 * cmd_eval.c -- `aigate eval`: detection quality on labelled JSONL.
 *
 * Every record ({"text", "label", "kind"?, "source"?}) is scanned as a
 * prompt through the library, exactly as `aigate scan` would, and the
 * decisions are counted: the rules alone (classifier off), the classifier
 * alone (its probability against the model's block threshold for the
 * paranoia level) or both combined (the verdict). Printed: precision,
 * recall, F1, accuracy, false-positive rate, ROC-AUC and the confusion
 * matrix, the same per kind and per source, and a sweep (anomaly score
 * thresholds for the rules, probability thresholds for the classifier,
 * the four paranoia levels for the combined verdict).
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef enum { MODE_RULES, MODE_CLASSIFIER, MODE_COMBINED } eval_mode;
static const char *mode_names[] = {"rules", "classifier", "combined"};

typedef struct {
  char *text;
  size_t len;
  int label;
  size_t kind, source;
} sample;

typedef struct {
  sample *s;
  size_t n, cap;
  char **kinds, **sources;
  size_t n_kinds, n_sources;
} dataset;

typedef struct {
  size_t tp, fp, tn, fn;
} confusion;

static void help(void) {
  puts(
      "usage: aigate eval FILE.jsonl [options]\n"
      "  --mode rules|classifier|combined   what decides (default "
      "combined)\n"
      "  --format text|json   output format (default text)\n"
      "  --paranoia N         paranoia level 1..4 (default: the "
      "configuration's)\n"
      "  --model FILE         classifier model (default: the embedded one)\n"
      "  -c FILE, --profile NAME, --rules DIR, --cache-dir DIR  as for "
      "scan\n"
      "input: one {\"text\", \"label\": 0|1, \"kind\"?, \"source\"?} per line\n"
      "exit: 0 done, 2 usage or input error");
}

static size_t intern(char ***names, size_t *n, const char *s) {
  for (size_t i = 0; i < *n; i++)
    if (strcmp((*names)[i], s) == 0)
      return i;
  char **v = realloc(*names, (*n + 1) * sizeof(char *));
  if (!v)
    return SIZE_MAX;
  *names = v;
  if (!(v[*n] = strdup(s)))
    return SIZE_MAX;
  return (*n)++;
}

/* A source without its commit ("owner/repo:path@abc123+x" -> "...path+x"). */
static void source_name(const char *s, char *out, size_t max) {
  const char *at = strchr(s, '@');
  if (!at) {
    snprintf(out, max, "%s", s);
    return;
  }
  const char *plus = strchr(at, '+');
  snprintf(out, max, "%.*s%s", (int)(at - s), s, plus ? plus : "");
}

static int load(dataset *d, const char *path) {
  FILE *f = fopen(path, "r");
  if (!f)
    return cli_fail("%s: %s", path, strerror(errno));
  char *line = NULL;
  size_t cap = 0, lineno = 0;
  ssize_t got;
  int rc = 0;
  while (!rc && (got = getline(&line, &cap, f)) >= 0) {
    lineno++;
    size_t len = (size_t)got;
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
      len--;
    if (!len)
      continue;
    json_error_t je;
    json_t *j = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
    json_t *text = json_object_get(j, "text"),
           *label = json_object_get(j, "label");
    json_t *kind = json_object_get(j, "kind"),
           *src = json_object_get(j, "source");
    if (!json_is_object(j) || !json_is_string(text) ||
        !json_is_integer(label) || json_integer_value(label) < 0 ||
        json_integer_value(label) > 1 || (kind && !json_is_string(kind)) ||
        (src && !json_is_string(src))) {
      rc = cli_fail("%s:%zu: expected {\"text\": string, \"label\": 0|1, "
                    "\"kind\"?: string, \"source\"?: string}",
                    path, lineno);
      json_decref(j);
      break;
    }
    if (d->n == d->cap) {
      size_t nc = d->cap ? d->cap * 2 : 1024;
      sample *s = realloc(d->s, nc * sizeof(*s));
      if (!s) {
        rc = cli_fail("out of memory");
        json_decref(j);
        break;
      }
      d->s = s;
      d->cap = nc;
    }
    char sname[512];
    source_name(src ? json_string_value(src) : "-", sname, sizeof(sname));
    sample *s = &d->s[d->n];
    s->label = (int)json_integer_value(label);
    s->len = json_string_length(text);
    s->text = malloc(s->len + 1);
    s->kind = intern(&d->kinds, &d->n_kinds,
                     kind ? json_string_value(kind)
                          : (s->label ? "attack" : "benign"));
    s->source = intern(&d->sources, &d->n_sources, sname);
    if (!s->text || s->kind == SIZE_MAX || s->source == SIZE_MAX) {
      free(s->text);
      rc = cli_fail("out of memory");
    } else {
      memcpy(s->text, json_string_value(text), s->len);
      s->text[s->len] = '\0';
      d->n++;
    }
    json_decref(j);
  }
  free(line);
  fclose(f);
  if (!rc && !d->n)
    rc = cli_fail("%s: no records", path);
  return rc;
}

static void dataset_free(dataset *d) {
  for (size_t i = 0; i < d->n; i++)
    free(d->s[i].text);
  free(d->s);
  for (size_t i = 0; i < d->n_kinds; i++)
    free(d->kinds[i]);
  for (size_t i = 0; i < d->n_sources; i++)
    free(d->sources[i]);
  free(d->kinds);
  free(d->sources);
}

/* ------------------------------------------------------------ scanning */

typedef struct {
  cli_engine_opts eo;
  eval_mode mode;
  int json, paranoia;
  const char *input;
} eval_opts;

/* Build the engine for the mode and level (0: the configuration's). */
static int engine_for(const eval_opts *o, int level, aigate_config **cfg,
                      aigate_engine **e) {
  cli_engine_opts eo = o->eo;
  if (o->mode == MODE_RULES)
    eo.model = "";
  if (!level)
    return cli_engine(&eo, cfg, e);
  if (eo.config)
    return cli_fail("--paranoia and -c cannot be combined (set the "
                    "paranoia in the configuration)");
  char yaml[64];
  snprintf(yaml, sizeof(yaml), "policy:\n  paranoia: %d\n", level);
  aigate_error err = {{0}};
  if (aigate_config_load_buffer("<eval>", yaml, strlen(yaml), cfg, &err))
    return cli_fail("%s", err.msg);
  aigate_engine_options opt = {*cfg, eo.rules_dir, eo.cache_dir, eo.model};
  if (aigate_engine_new(&opt, e, &err)) {
    aigate_config_free(*cfg);
    *cfg = NULL;
    return cli_fail("%s", err.msg);
  }
  return 0;
}

/* Scan every sample: pred[i] (decision) and score[i] (for ROC-AUC). */
static int run(const eval_opts *o, int level, const dataset *d, int *pred,
               double *score, int *used_level) {
  aigate_config *cfg = NULL;
  aigate_engine *e = NULL;
  aigate_scratch *s = NULL;
  int rc = engine_for(o, level, &cfg, &e);
  if (rc)
    return rc;
  const aigate_model *m = aigate_engine_model(e);
  aigate_model_info info;
  aigate_model_get_info(m, &info);
  if (o->mode != MODE_RULES && !m) {
    rc = cli_fail("no classifier model (built without one, disabled, or "
                  "--rules given without --model)");
    goto out;
  }
  if (aigate_scratch_new(e, &s)) {
    rc = cli_fail("out of memory");
    goto out;
  }
  aigate_scan_options so = {.direction = AIGATE_INPUT,
                            .profile = o->eo.profile};
  for (size_t i = 0; i < d->n; i++) {
    aigate_result r;
    int st = aigate_scan_ex(e, s, d->s[i].text, d->s[i].len, &so, &r);
    if (st == AIGATE_ERR_NOT_FOUND) {
      rc = cli_fail("no profile named '%s'", o->eo.profile);
      goto out;
    }
    *used_level = r.paranoia;
    switch (o->mode) {
    case MODE_RULES:
      pred[i] = r.verdict == AIGATE_BLOCK;
      score[i] = r.score;
      break;
    case MODE_CLASSIFIER: /* a scan skips it when the rules block */
      score[i] = r.classifier >= 0
                     ? r.classifier
                     : aigate_model_score(m, d->s[i].text, d->s[i].len);
      pred[i] = score[i] >= info.block[r.paranoia];
      break;
    case MODE_COMBINED:
      pred[i] = r.verdict == AIGATE_BLOCK;
      /* The anomaly score orders texts; the probability breaks ties. */
      score[i] = r.score + (r.classifier > 0 ? r.classifier : 0);
      break;
    }
  }
out:
  aigate_scratch_free(s);
  aigate_engine_free(e);
  aigate_config_free(cfg);
  return rc;
}

/* ------------------------------------------------------------ metrics */

static double ratio(size_t a, size_t b) {
  return b ? (double)a / (double)b : 0;
}

static void count(confusion *c, int label, int pred) {
  if (label)
    pred ? c->tp++ : c->fn++;
  else
    pred ? c->fp++ : c->tn++;
}

typedef struct {
  double z;
  int y;
} scored;

static int cmp_scored(const void *a, const void *b) {
  const scored *x = a, *y = b;
  return x->z < y->z ? -1 : x->z > y->z;
}

/* ROC-AUC by ranks (ties share the mean rank); -1 with one class only. */
static double roc_auc(const dataset *d, const double *score) {
  scored *s = malloc(d->n * sizeof(*s));
  if (!s)
    return -1;
  for (size_t i = 0; i < d->n; i++)
    s[i] = (scored){score[i], d->s[i].label};
  qsort(s, d->n, sizeof(*s), cmp_scored);
  double pos = 0, neg = 0, ranks = 0;
  for (size_t i = 0; i < d->n;) {
    size_t j = i;
    while (j < d->n && s[j].z == s[i].z)
      j++;
    for (size_t k = i; k < j; k++)
      if (s[k].y)
        ranks += (double)(i + j + 1) / 2.0, pos++;
      else
        neg++;
    i = j;
  }
  free(s);
  return pos && neg ? (ranks - pos * (pos + 1) / 2) / (pos * neg) : -1;
}

static json_t *metrics_json(const confusion *c) {
  double p = ratio(c->tp, c->tp + c->fp), r = ratio(c->tp, c->tp + c->fn);
  return json_pack(
      "{s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:f}", "tp", (json_int_t)c->tp,
      "fp", (json_int_t)c->fp, "tn", (json_int_t)c->tn, "fn", (json_int_t)c->fn,
      "precision", p, "recall", r, "f1", p + r > 0 ? 2 * p * r / (p + r) : 0.0,
      "accuracy", ratio(c->tp + c->tn, c->tp + c->tn + c->fp + c->fn), "fpr",
      ratio(c->fp, c->fp + c->tn));
}

static void print_metrics(const char *label, const confusion *c) {
  double p = ratio(c->tp, c->tp + c->fp), r = ratio(c->tp, c->tp + c->fn);
  printf("%-28s %6zu %6zu %6zu %6zu  %6.4f %6.4f %6.4f %6.4f %6.4f\n", label,
         c->tp, c->fp, c->tn, c->fn, p, r, p + r > 0 ? 2 * p * r / (p + r) : 0,
         ratio(c->tp + c->tn, c->tp + c->tn + c->fp + c->fn),
         ratio(c->fp, c->fp + c->tn));
}

static const char HEAD[] = "%-28s %6s %6s %6s %6s  %6s %6s %6s %6s %6s\n";

/* Per kind or per source: rows of their own confusion matrices. */
static json_t *groups(const dataset *d, const int *pred, int by_kind,
                      int text) {
  size_t ng = by_kind ? d->n_kinds : d->n_sources;
  char **names = by_kind ? d->kinds : d->sources;
  json_t *arr = json_array();
  for (size_t g = 0; g < ng; g++) {
    confusion c = {0};
    for (size_t i = 0; i < d->n; i++)
      if ((by_kind ? d->s[i].kind : d->s[i].source) == g)
        count(&c, d->s[i].label, pred[i]);
    if (text) {
      printf("  %-6zu %-6zu %-6s %6.4f  %s\n", c.tp + c.fn + c.fp + c.tn,
             c.tp + c.fn, c.tp + c.fn ? "recall" : "FPR",
             c.tp + c.fn ? ratio(c.tp, c.tp + c.fn) : ratio(c.fp, c.fp + c.tn),
             names[g]);
    } else {
      json_t *m = metrics_json(&c);
      json_object_set_new(m, by_kind ? "kind" : "source",
                          json_string(names[g]));
      json_object_set_new(
          m, "n", json_integer((json_int_t)(c.tp + c.fn + c.fp + c.tn)));
      json_array_append_new(arr, m);
    }
  }
  return arr;
}

static int parse(eval_opts *o, int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int r = cli_engine_opt(argc, argv, &i, &o->eo);
    if (r < 0)
      return EXIT_USAGE;
    if (r)
      continue;
    if (!strcmp(a, "--mode") || !strcmp(a, "--format") ||
        !strcmp(a, "--paranoia")) {
      if (i + 1 >= argc)
        return cli_fail("%s needs a value", a);
      const char *v = argv[++i];
      if (!strcmp(a, "--mode")) {
        static const char *const modes[] = {"rules", "classifier", "combined",
                                            NULL}; /* as eval_mode */
        int m = cli_choice(a, v, modes);
        if (m < 0)
          return EXIT_USAGE;
        o->mode = (eval_mode)m;
      } else if (!strcmp(a, "--format")) {
        static const char *const fmts[] = {"text", "json", NULL};
        if ((o->json = cli_choice(a, v, fmts)) < 0)
          return EXIT_USAGE;
      } else {
        if (strlen(v) != 1 || v[0] < '1' || v[0] > '4')
          return cli_fail("--paranoia must be 1, 2, 3 or 4");
        o->paranoia = v[0] - '0';
      }
    } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      help();
      return -1;
    } else if (a[0] == '-' && a[1]) {
      return cli_fail("eval: unknown option '%s'", a);
    } else if (o->input) {
      return cli_fail("eval: one input file");
    } else {
      o->input = a;
    }
  }
  if (!o->input)
    return cli_fail("eval: no input file (see aigate eval --help)");
  return 0;
}

int cmd_eval(int argc, char **argv) {
  eval_opts o = {.mode = MODE_COMBINED};
  int rc = parse(&o, argc, argv);
  if (rc)
    return rc < 0 ? 0 : rc;
  dataset d = {0};
  int *pred = NULL, *sweep_pred = NULL;
  double *score = NULL;
  json_t *out = NULL;
  if ((rc = load(&d, o.input)))
    goto done;
  pred = calloc(d.n, sizeof(int));
  sweep_pred = calloc(d.n, sizeof(int));
  score = calloc(d.n, sizeof(double));
  if (!pred || !sweep_pred || !score) {
    rc = cli_fail("out of memory");
    goto done;
  }
  int level = 0;
  if ((rc = run(&o, o.paranoia, &d, pred, score, &level)))
    goto done;
  confusion all = {0};
  size_t attacks = 0;
  for (size_t i = 0; i < d.n; i++) {
    count(&all, d.s[i].label, pred[i]);
    attacks += (size_t)d.s[i].label;
  }
  double auc = roc_auc(&d, score);
  out = json_object();
  json_object_set_new(out, "schema_version",
                      json_integer(AIGATE_SCHEMA_VERSION));
  json_object_set_new(out, "file", json_string(o.input));
  json_object_set_new(out, "mode", json_string(mode_names[o.mode]));
  json_object_set_new(out, "paranoia", json_integer(level));
  json_object_set_new(out, "records", json_integer((json_int_t)d.n));
  json_object_set_new(out, "attacks", json_integer((json_int_t)attacks));
  json_t *m = metrics_json(&all);
  json_object_set_new(m, "roc_auc", json_real(auc));
  json_object_set_new(out, "metrics", m);
  if (!o.json) {
    printf("%s: %zu records (%zu attacks), mode %s, paranoia %d\n", o.input,
           d.n, attacks, mode_names[o.mode], level);
    printf(HEAD, "", "TP", "FP", "TN", "FN", "prec", "recall", "F1", "acc",
           "FPR");
    print_metrics("all", &all);
    printf("ROC-AUC %.4f\n\nper kind:   n      attacks\n", auc);
  }
  json_object_set_new(out, "per_kind", groups(&d, pred, 1, !o.json));
  if (!o.json)
    puts("\nper source: n      attacks");
  json_object_set_new(out, "per_source", groups(&d, pred, 0, !o.json));
  /* The sweep. */
  json_t *sweep = json_array();
  if (!o.json) {
    printf("\nsweep (%s):\n", o.mode == MODE_RULES ? "anomaly score threshold"
                              : o.mode == MODE_CLASSIFIER
                                  ? "probability threshold"
                                  : "paranoia level");
    printf(HEAD, "threshold", "TP", "FP", "TN", "FN", "prec", "recall", "F1",
           "acc", "FPR");
  }
  static const double probs[] = {0.1, 0.2, 0.3,  0.4,  0.5,  0.6,  0.7,
                                 0.8, 0.9, 0.95, 0.98, 0.99, 0.995};
  size_t steps = o.mode == MODE_RULES        ? 10
                 : o.mode == MODE_CLASSIFIER ? sizeof(probs) / sizeof(probs[0])
                                             : (o.eo.config ? 0 : 4);
  for (size_t k = 0; k < steps && !rc; k++) {
    double t = o.mode == MODE_RULES ? (double)(k + 1) : probs[k];
    if (o.mode == MODE_COMBINED) {
      int lv;
      if ((rc = run(&o, (int)k + 1, &d, sweep_pred, score, &lv)))
        break;
      t = (double)lv;
    } else {
      for (size_t i = 0; i < d.n; i++)
        sweep_pred[i] = score[i] >= t;
    }
    confusion c = {0};
    for (size_t i = 0; i < d.n; i++)
      count(&c, d.s[i].label, sweep_pred[i]);
    char label[32];
    snprintf(label, sizeof(label), "%g", t);
    if (!o.json)
      print_metrics(label, &c);
    json_t *row = metrics_json(&c);
    json_object_set_new(row, "threshold", json_real(t));
    json_array_append_new(sweep, row);
  }
  json_object_set_new(out, "sweep", sweep);
  if (!rc && o.json) {
    char *s = json_dumps(out, JSON_INDENT(2));
    if (!s) {
      rc = cli_fail("out of memory writing JSON");
    } else {
      puts(s);
      free(s);
    }
  }
done:
  json_decref(out);
  free(pred);
  free(sweep_pred);
  free(score);
  dataset_free(&d);
  return rc;
}
