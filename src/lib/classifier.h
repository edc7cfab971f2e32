/*
 * classifier.h -- the statistical injection/jailbreak classifier: its
 * features, its model (weights, a character language model, thresholds
 * per paranoia level) and its scoring, shared by the engine (scan.c), the
 * trainer (train.c) and `aigate scan --explain`.
 *
 * The classifier reads the folded view the engine already built for the
 * injection rules (never a second normalization) and scores it in windows
 * of the model's window size; a text scores as its best window, so an
 * attack buried at the end of a long document is not diluted by it.
 */
#ifndef AIGATE_CLASSIFIER_H
#define AIGATE_CLASSIFIER_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

#define AG_ML_VERSION 2
#define AG_ML_MIN_BITS 10
#define AG_ML_MAX_BITS 22
#define AG_ML_DENSE 3       /* dense features, see dense_of() */
#define AG_ML_LM_CLASSES 38 /* character classes of the language model */
#define AG_ML_LM_SIZE (AG_ML_LM_CLASSES * AG_ML_LM_CLASSES * AG_ML_LM_CLASSES)
#define AG_ML_LM_CAP 192 /* loss cap, in 1/16 bits (12 bits a character) */
#define AG_ML_MAX_INFO 4096
#define AG_ML_MIN_WINDOW 256
#define AG_ML_MAX_WINDOW (1u << 20)

/* What a feature hash belongs to (namespaces of the hashed space). */
enum { AG_ML_WORD = 0, AG_ML_CHAR = 1 };

struct aigate_model {
  uint32_t bits;           /* 2^bits hashed features */
  uint32_t window, stride; /* bytes of folded text per window, step */
  float bias, scale;       /* weight = w[i] * scale */
  uint32_t min_count[2];   /* per namespace: counts below are taken as
                              this (a short text is not scaled up past it) */
  uint32_t lm_floor;       /* least median stretch loss (1/16 bits) */
  float dense[AG_ML_DENSE];
  float block[AG_MAX_PARANOIA + 1]; /* [1..4]: probability that blocks */
  float weak[AG_MAX_PARANOIA + 1];  /* [1..4]: probability that adds points */
  uint8_t *lm;                      /* AG_ML_LM_SIZE losses, 1/16 bits */
  int16_t *w;                       /* 2^bits quantized weights */
  char *info;                       /* NUL-terminated description */
};

/* Called for every hashed feature of a text: its index, its namespace,
 * and the bytes [s, e) of the text it was read from. */
typedef void (*ag_ml_feature_cb)(void *ud, uint32_t idx, int ns, size_t s,
                                 size_t e);

/* Enumerate the hashed features of folded text t[0, n): word unigrams and
 * bigrams, character 3- to 5-grams. Sets norm[ns], what each occurrence of
 * a namespace's feature is worth in this text (ag_ml_norm), given the
 * model's minimum counts. */
void ag_ml_features(uint32_t bits, const char *t, size_t n, ag_ml_feature_cb cb,
                    void *ud, const uint32_t min[2], double norm[2]);

/* The language model's class of each byte (see ag_ml_lm_class): a-z and
 * A-Z 1-26, digits 27, space and controls 28, . 29, , 30, quotes 31, ?!
 * 32, :; 33, brackets 34, -_ 35, other symbols 36, a non-ASCII character's
 * first byte 37 (one placeholder for every script), continuation bytes 0. */
static const uint8_t lm_class_of[256] = {
    28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
    28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 32, 31, 36, 36, 36,
    36, 31, 34, 34, 36, 36, 30, 35, 29, 36, 27, 27, 27, 27, 27, 27, 27, 27, 27,
    27, 33, 33, 34, 36, 34, 32, 36, 1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
    12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 34, 36, 34, 36,
    35, 31, 1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17,
    18, 19, 20, 21, 22, 23, 24, 25, 26, 34, 36, 34, 36, 28, 0,  0,  0,  0,  0,
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
    0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
    0,  0,  37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37,
    37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37,
    37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37, 37,
    37, 37, 37, 37, 37, 37, 37, 37, 37,
};

static inline int ag_ml_lm_class(unsigned char c) {
  return lm_class_of[c];
}

/*
 * Walks the language model's classes of a text, one per character. A run
 * of ASCII letters and digits that contains a digit (an id, a hash, a
 * UUID, "10km") reads as digits throughout: such tokens are everywhere in
 * ordinary prompts and would otherwise look like the token soup the
 * contrast features are there to find.
 */
typedef struct {
  const unsigned char *u;
  size_t n, i, run_end;
  int run_digit;
} ag_lm_iter;

static inline int ag_lm_alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}

/* The next class (1..AG_ML_LM_CLASSES-1) of a character before `stop`,
 * or 0 when there is none (runs are read to the text's end, so where a
 * walk stops does not change a class). */
static inline int ag_lm_next(ag_lm_iter *it, size_t stop) {
  while (it->i < stop) {
    unsigned char c = it->u[it->i];
    if (it->i >= it->run_end && ag_lm_alnum(c)) {
      size_t e = it->i;
      it->run_digit = 0;
      while (e < it->n && ag_lm_alnum(it->u[e]))
        it->run_digit |= it->u[e++] <= '9';
      it->run_end = e;
    }
    int in_run = it->i < it->run_end;
    it->i++;
    int cl = ag_ml_lm_class(c);
    if (cl)
      return in_run && it->run_digit ? 27 : cl;
  }
  return 0;
}

/* Stretches of LM_CHUNK characters whose mean loss the contrast
 * features compare, histogrammed in 1/4 bits. */
#define AG_ML_LM_BINS (AG_ML_LM_CAP / 4 + 1)

/* Add the mean losses of the stretches of folded text t[0, n) under
 * language model lm to hist (the trainer's floor, see dense_of). */
void ag_ml_lm_stretches(const uint8_t *lm, const char *t, size_t n,
                        uint32_t hist[AG_ML_LM_BINS]);

/*
 * Bits of the sketches that estimate how many distinct features a window
 * holds (per namespace), and a feature's bit: a window of 512 bytes has
 * at most ~500 word features and 512 character 4-grams (the character
 * sketch samples those).
 */
#define AG_ML_SEEN_W 1024
#define AG_ML_SEEN_C 2048
static inline uint32_t ag_ml_seen_bit(uint32_t idx) {
  return (idx * 0x9e3779b1u) >> 20; /* 12 bits */
}

/* Distinct features estimated from `set` of `m` sketch bits (linear
 * counting), at most cnt, the occurrences. */
static inline double ag_ml_distinct(unsigned set, unsigned m, uint32_t cnt) {
  double d = set >= m ? (double)m * __builtin_log((double)m)
                      : -(double)m * __builtin_log1p(-(double)set / m);
  return d < cnt ? d : cnt;
}

/*
 * What each occurrence of a namespace's features adds, times its weight,
 * in a text with `count` occurrences of `distinct` features: (distinct /
 * count) / sqrt(max(distinct, min)). A text of distinct n-grams gets
 * 1/sqrt(count), and a short one is not scaled up past min; a phrase
 * repeated r times scores as the phrase once, not up to r times higher
 * (repetition adds no evidence, it only makes a text longer).
 */
static inline double ag_ml_norm(uint32_t count, double distinct, uint32_t min) {
  double d = distinct > min ? distinct : min;
  if (!count || d <= 0) /* a model may say min 0 */
    return 0;
  return distinct / (double)count / __builtin_sqrt(d);
}

/* Logit of one window of folded text; the _slow one sums through the
 * generic feature walk (ag_ml_features), for tests that the fast one
 * finds the same features. */
double ag_ml_logit(const aigate_model *m, const char *t, size_t n);
double ag_ml_logit_slow(const aigate_model *m, const char *t, size_t n);

/* Best window of folded text t[0, n): its probability (its logit), and
 * its bytes [*ws, *we) (the whole text when it fits one window). */
double ag_ml_best_logit(const aigate_model *m, const char *t, size_t n,
                        size_t *ws, size_t *we);
double ag_ml_score(const aigate_model *m, const char *t, size_t n, size_t *ws,
                   size_t *we);

/* A growable list of feature occurrences (index and namespace). */
typedef struct {
  uint32_t *idx;
  uint8_t *ns;
  size_t n, cap;
  int failed; /* an allocation failed: the list is incomplete */
} ag_ml_occs;

/* Append one occurrence (sets o->failed when memory runs out). */
void ag_ml_occs_push(ag_ml_occs *o, uint32_t idx, int ns);

/* One window of a text as a scan reads it: its feature occurrences, what
 * each occurrence of a namespace is worth (ag_ml_norm) and its dense
 * features. */
typedef struct {
  const uint32_t *idx;
  const uint8_t *ns;
  size_t n;
  double norm[2];
  float dense[AG_ML_DENSE];
} ag_ml_window;

/* Called for each window; a non-zero return stops the walk with it. */
typedef int (*ag_ml_window_cb)(void *ud, const ag_ml_window *w);

/*
 * Every window ag_ml_best_logit scores in folded text t[0, n), under m's
 * hash bits, window, minimum counts and language model (its weights are
 * not read): what the trainer learns from, so that it learns what a scan
 * scores. Returns 0, AIGATE_ERR_NOMEM or cb's non-zero return.
 */
int ag_ml_windows(const aigate_model *m, const char *t, size_t n,
                  ag_ml_window_cb cb, void *ud);

/* Serialize a model (the file format of classifier.c); *out is malloc'ed. */
int ag_ml_serialize(const aigate_model *m, unsigned char **out, size_t *len);

/* A new zeroed model with 2^bits weights, or NULL. */
aigate_model *ag_ml_alloc(uint32_t bits);

/* The model embedded at build time (models/injection.bin), or NULL/0
 * when the library was built without one. */
extern const unsigned char ag_embedded_model[];
extern const size_t ag_embedded_model_len;

#endif
