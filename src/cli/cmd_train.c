/*
 * cmd_train.c -- `aigate train`: trains the injection/jailbreak classifier
 * from labelled JSONL (aigate_train in src/lib/train.c) and writes the
 * model file. Progress goes to stderr, the summary to stdout.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void help(void) {
  puts("usage: aigate train FILE.jsonl... [options]\n"
       "  -o, --output FILE   model file to write (default "
       "models/injection.bin)\n"
       "  --bits N            2^N hashed features, 10..22 (default 20)\n"
       "  --epochs N          passes over the data (default 10)\n"
       "  --lr X              AdaGrad step (default 0.1)\n"
       "  --l2 X              L2 penalty (default 1e-6; 0: none)\n"
       "  --augment X         share of benign texts added with a gibberish "
       "suffix as attacks (default 0: none)\n"
       "  --oof FILE          write each record's out-of-fold score (JSONL)\n"
       "  --structured X      share of texts added with generated JSON, URLs, "
       "ids or paths, label kept (default 0.5; 0: none)\n"
       "  --roles N           N generated role prompts, half of them with a "
       "jailbreak twin (default 200; 0: none)\n"
       "  --role-twin-step X  share of a step each jailbreak twin takes, "
       "(0, 1] (default 0.5)\n"
       "  --cred-requests N   N generated requests about passwords and "
       "keys, half with an attack twin (default 100; 0: none)\n"
       "  --frame-requests N  N generated framed requests and questions on "
       "sensitive topics or attacks, half with a jailbreak twin (default "
       "1500; 0: none)\n"
       "  --doc-requests N    N generated documents with a note to a person, "
       "half with a twin whose note orders the model (default 450; 0: "
       "none)\n"
       "  --word-requests N   N generated requests that use attacks' words "
       "in everyday senses, each with an attack twin (default 150; 0: "
       "none)\n"
       "  --game-requests N   N generated word games and answer formats, each "
       "with a twin in the manner of injection games (default 150; 0: "
       "none)\n"
       "  --lang-requests N   N generated requests in 17 languages, each "
       "with an attack twin (default 1500; 0: none)\n"
       "  --window N          bytes of folded text per window (default "
       "512)\n"
       "  --seed N            random seed (default 1)\n"
       "  --folds K           K-fold cross-validation (default 5)\n"
       "  --repeats R         repeat it over R splits (default 8)\n"
       "  --loso              hold out each source in turn instead\n"
       "  --min-words N, --min-chars N  scale shorter texts as if they had "
       "N features (default 40, 300)\n"
       "  --nonneg            keep n-gram weights >= 0\n"
       "  --no-cv             thresholds from in-sample scores instead of "
       "leave-one-source-out (fast)\n"
       "  -q, --quiet         no progress on stderr\n"
       "input: one {\"text\": ..., \"label\": 0|1, \"source\": ...} per line\n"
       "exit: 0 written, 2 usage, input or write error");
}

static void progress(void *ud, const char *line) {
  (void)ud;
  fprintf(stderr, "train: %s\n", line);
}

static int num(const char *opt, const char *v, double lo, double hi,
               double *out) {
  char *end;
  errno = 0;
  double d = strtod(v, &end);
  if (errno || end == v || *end || !(d >= lo && d <= hi))
    return cli_fail("%s must be a number in [%g, %g]", opt, lo, hi);
  *out = d;
  return 0;
}

/* A count of generated texts (--roles, --cred-requests, --lang-requests,
 * --frame-requests, --doc-requests, --word-requests, --game-requests):
 * a whole number in [0, 100000] into *out, 0 as -1 (none: the library
 * reads 0 as its default). */
static int count(const char *opt, const char *v, int *out) {
  double d = 0;
  int rc = num(opt, v, 0, 100000, &d);
  if (!rc && d != (int)d)
    rc = cli_fail("%s: %s is not a whole number", opt, v);
  if (!rc)
    *out = d > 0 ? (int)d : -1;
  return rc;
}

int cmd_train(int argc, char **argv) {
  aigate_train_options o = {.seed = 1, .log = progress};
  const char *output = "models/injection.bin";
  const char **files = calloc((size_t)argc, sizeof(char *));
  if (!files)
    return cli_fail("out of memory");
  size_t nf = 0;
  int rc = 0;
  for (int i = 1; i < argc && !rc; i++) {
    const char *a = argv[i];
    double d = 0;
    int has_value =
        !strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--bits") ||
        !strcmp(a, "--epochs") || !strcmp(a, "--lr") || !strcmp(a, "--l2") ||
        !strcmp(a, "--augment") || !strcmp(a, "--structured") ||
        !strcmp(a, "--window") || !strcmp(a, "--oof") || !strcmp(a, "--seed") ||
        !strcmp(a, "--folds") || !strcmp(a, "--repeats") ||
        !strcmp(a, "--min-words") || !strcmp(a, "--min-chars") ||
        !strcmp(a, "--roles") || !strcmp(a, "--role-twin-step") ||
        !strcmp(a, "--lang-requests") || !strcmp(a, "--cred-requests") ||
        !strcmp(a, "--frame-requests") || !strcmp(a, "--doc-requests") ||
        !strcmp(a, "--word-requests") || !strcmp(a, "--game-requests");
    if (has_value && i + 1 >= argc) {
      rc = cli_fail("%s needs a value", a);
      break;
    }
    const char *v = has_value ? argv[++i] : NULL;
    if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
      output = v;
    } else if (!strcmp(a, "--bits")) {
      if (!(rc = num(a, v, 10, 22, &d)))
        o.hash_bits = (unsigned)d;
    } else if (!strcmp(a, "--epochs")) {
      if (!(rc = num(a, v, 1, 1000, &d)))
        o.epochs = (int)d;
    } else if (!strcmp(a, "--lr")) {
      if (!(rc = num(a, v, 1e-6, 100, &d)))
        o.lr = d;
    } else if (!strcmp(a, "--l2")) {
      if (!(rc = num(a, v, 0, 1, &d)))
        o.l2 = d > 0 ? d : -1;
    } else if (!strcmp(a, "--augment")) {
      if (!(rc = num(a, v, 0, 1, &d)))
        o.augment = d > 0 ? d : -1;
    } else if (!strcmp(a, "--oof")) {
      o.oof_path = v;
    } else if (!strcmp(a, "--structured")) {
      if (!(rc = num(a, v, 0, 1, &d)))
        o.structured = d > 0 ? d : -1;
    } else if (!strcmp(a, "--window")) {
      if (!(rc = num(a, v, 256, 1 << 20, &d)))
        o.window = (unsigned)d;
    } else if (!strcmp(a, "--seed")) {
      if (!(rc = num(a, v, 0, 4294967295.0, &d)))
        o.seed = (uint64_t)d;
    } else if (!strcmp(a, "--folds")) {
      if (!(rc = num(a, v, 2, 100, &d)))
        o.folds = (int)d;
    } else if (!strcmp(a, "--repeats")) {
      if (!(rc = num(a, v, 1, 20, &d)))
        o.repeats = (int)d;
    } else if (!strcmp(a, "--roles")) {
      rc = count(a, v, &o.roles);
    } else if (!strcmp(a, "--cred-requests")) {
      rc = count(a, v, &o.cred_requests);
    } else if (!strcmp(a, "--frame-requests")) {
      rc = count(a, v, &o.frame_requests);
    } else if (!strcmp(a, "--doc-requests")) {
      rc = count(a, v, &o.doc_requests);
    } else if (!strcmp(a, "--word-requests")) {
      rc = count(a, v, &o.word_requests);
    } else if (!strcmp(a, "--game-requests")) {
      rc = count(a, v, &o.game_requests);
    } else if (!strcmp(a, "--lang-requests")) {
      rc = count(a, v, &o.lang_requests);
    } else if (!strcmp(a, "--role-twin-step")) {
      if (!(rc = num(a, v, 1e-3, 1, &d)))
        o.twin_step = d;
    } else if (!strcmp(a, "--min-words")) {
      if (!(rc = num(a, v, 0, 1 << 20, &d)))
        o.min_words = (unsigned)d;
    } else if (!strcmp(a, "--min-chars")) {
      if (!(rc = num(a, v, 0, 1 << 20, &d)))
        o.min_chars = (unsigned)d;
    } else if (!strcmp(a, "--nonneg")) {
      o.nonneg = 1;
    } else if (!strcmp(a, "--loso")) {
      o.loso = 1;
    } else if (!strcmp(a, "--no-cv")) {
      o.no_cv = 1;
    } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
      o.log = NULL;
    } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      help();
      free(files);
      return 0;
    } else if (a[0] == '-' && a[1]) {
      rc = cli_fail("train: unknown option '%s'", a);
    } else {
      files[nf++] = a;
    }
  }
  if (!rc && !nf)
    rc = cli_fail("train: no input file (see aigate train --help)");
  if (rc) {
    free(files);
    return rc;
  }
  o.files = files;
  o.n_files = nf;
  aigate_model *m = NULL;
  aigate_train_report rep;
  aigate_error err = {{0}};
  rc = aigate_train(&o, &m, &rep, &err);
  free(files);
  if (rc)
    return cli_fail("%s", err.msg[0] ? err.msg : aigate_strerror(rc));
  rc = aigate_model_save(m, output, &err);
  if (rc) {
    aigate_model_free(m);
    return cli_fail("%s", err.msg);
  }
  aigate_model_info info;
  aigate_model_get_info(m, &info);
  printf("wrote %s: %s\n", output, info.info);
  for (int l = 1; l <= 4; l++)
    printf("  paranoia %d: block at p >= %.4f, weak at p >= %.4f\n", l,
           info.block[l], info.weak[l]);
  aigate_model_free(m);
  return 0;
}
