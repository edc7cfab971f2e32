/*
 * classifier.h -- the statistical injection/jailbreak classifier: its
 * features, its model (hashed weights, the share of symbols, thresholds
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

#define AG_ML_VERSION 8

/* Words are hashed FNV-1a over the bytes of the folded word; a bigram's
 * key is the first word's hash and the second's (the lexicon,
 * lexicon.c, hashes its entries the same way). */
#define AG_ML_FNV_BASIS 2166136261u
#define AG_ML_FNV_PRIME 16777619u

static inline uint32_t ag_ml_bigram_key(uint32_t first, uint32_t second) {
  return (first * 31u) ^ second;
}
#define AG_ML_MIN_BITS 10
#define AG_ML_MAX_BITS 22
#define AG_ML_DENSE 1 /* dense features, see dense_of() */
#define AG_ML_MAX_INFO 4096
#define AG_ML_MIN_WINDOW 256
#define AG_ML_MAX_WINDOW (1u << 20)

/*
 * A document: a text of AG_ML_DOC_BYTES or more over AG_ML_DOC_LINES
 * lines or more (an e-mail, a report, a table, a long role prompt). Its
 * n-grams are hashed apart from a request's, so that what a document
 * says does not teach what a request looks like, and its last half
 * window is also scored as a request (model format 4).
 */
#define AG_ML_DOC_BYTES 250
#define AG_ML_DOC_LINES 2
int ag_ml_is_doc(const char *t, size_t n);

/* What a feature hash belongs to (namespaces of the hashed space). How
 * a line opens after the line before and how it opens against how it
 * ends (AG_ML_LINE, format 8; classifier.c) are features of the word
 * namespace that weigh AG_ML_LINE_WEIGHT times a word feature: each
 * counts once among the words (their distinct count and gates) and its
 * weight is taken that many times, in the scan's sums and the trainer's
 * values alike. A line of prose among table rows is a few such features
 * among a window's hundred words, and at a word's worth the model
 * learnt little from them (docs/detection.md, "Where a line sits,
 * weighed more"). A line's first words stay word features: weighed
 * more, they moved short requests' scores by their opening words. */
enum { AG_ML_WORD = 0, AG_ML_CHAR = 1, AG_ML_LINE = 2 };
#define AG_ML_LINE_WEIGHT 5

/* The namespace a feature of namespace ns is counted and scaled in
 * (AG_ML_WORD or AG_ML_CHAR), and how many times its weight counts. */
static inline int ag_ml_space(int ns) {
  return ns == AG_ML_CHAR ? AG_ML_CHAR : AG_ML_WORD;
}
static inline int ag_ml_times(int ns) {
  return ns == AG_ML_LINE ? AG_ML_LINE_WEIGHT : 1;
}

struct aigate_model {
  uint32_t bits;           /* 2^bits hashed features */
  uint32_t window, stride; /* bytes of folded text per window, step */
  float bias, scale;       /* weight = w[i] * scale */
  uint32_t min_count[2];   /* per namespace: counts below are taken as
                              this (a short text is not scaled up past it) */
  float dense[AG_ML_DENSE];
  float block[AG_MAX_PARANOIA + 1]; /* [1..4]: probability that blocks */
  float weak[AG_MAX_PARANOIA + 1];  /* [1..4]: probability that adds points */
  int16_t *w;                       /* 2^bits quantized weights */
  char *info;                       /* NUL-terminated description */
};

/* Called for every hashed feature of a text: its index, its namespace,
 * and the bytes [s, e) of the text it was read from. */
typedef void (*ag_ml_feature_cb)(void *ud, uint32_t idx, int ns, size_t s,
                                 size_t e);

/* Enumerate the hashed features of folded text t[0, n), each at its
 * first occurrence (the text read as one block): word unigrams and
 * bigrams, where each line sits, the lexicon's (word namespace,
 * classifier.c), character 3- to 5-grams. at_line says whether t starts
 * a line (a text does; a window cut from one does where a line break
 * precedes it, as the scan reads a text's last bytes). Sets norm[ns],
 * what a namespace's feature is worth in this text (ag_ml_norm), given
 * the model's minimum counts. */
void ag_ml_features(uint32_t bits, const char *t, size_t n, int doc,
                    int at_line, ag_ml_feature_cb cb, void *ud,
                    const uint32_t min[2], double norm[2]);

/*
 * A window counts each of its features once (format 7): a block of text
 * keeps a bit per feature it has met (a gate), and only a feature's
 * first occurrence in the block adds its weight; the character n-grams
 * that end at a byte count where the 5-gram that ends there is new to
 * the block (one gate for the three lengths: a 3-gram counts once per
 * 5-gram context, not once). Repetition then adds no evidence, also
 * next to other text: an attack padded with a phrase said over and over
 * scores as the attack beside the phrase once, where a sum of
 * occurrences scaled by the share of distinct ones let the padding
 * drown it. A block of 512 bytes has at most 512 5-grams (of 8,192
 * bits) and ~500 word features (of 4,096).
 *
 * Limits: features whose gate bits collide count as one, the later one
 * lost (about 3 % of a full block's 5-grams, 6 % of its word features);
 * the hashes are public, so text written to collide with an attack's
 * strongest features, placed before them in the block, can drop them (a
 * white-box attack on a public linear model has easier means: text of
 * strongly benign weight). A block far larger than the window (the
 * trainer learns an attack whole as one block) fills its gates: about a
 * fifth of the features of 4 KB are lost, most of them towards its end.
 */
#define AG_ML_GATE_W 4096
#define AG_ML_GATE_C 8192
static inline uint32_t ag_ml_gate_bit(uint32_t idx, int ns) {
  /* An index is a hash already: its low bits. */
  return idx & (ns == AG_ML_CHAR ? AG_ML_GATE_C - 1 : AG_ML_GATE_W - 1);
}

/*
 * What each feature of a namespace adds, times its weight, in a window
 * of `distinct` features: 1 / sqrt(max(distinct, min)), so that long and
 * short texts score alike and a short one is not scaled up past min.
 */
static inline double ag_ml_norm(uint32_t distinct, uint32_t min) {
  uint32_t d = distinct > min ? distinct : min;
  if (!distinct) /* d >= distinct */
    return 0;
  return 1.0 / __builtin_sqrt((double)d);
}

/* Logit of one window of folded text; the _slow one sums through the
 * generic feature walk (walk() with the same gates), for tests that the
 * fast one finds the same features. */
double ag_ml_logit(const aigate_model *m, const char *t, size_t n, int doc);
double ag_ml_logit_slow(const aigate_model *m, const char *t, size_t n,
                        int doc);

/* Best window of folded text t[0, n): its probability (its logit), and
 * its bytes [*ws, *we) (the whole text when it fits one window). */
double ag_ml_best_logit(const aigate_model *m, const char *t, size_t n,
                        size_t *ws, size_t *we);
/* The same, and whether the best window was read as a document. */
double ag_ml_best_window(const aigate_model *m, const char *t, size_t n,
                         size_t *ws, size_t *we, int *doc);
double ag_ml_score(const aigate_model *m, const char *t, size_t n, size_t *ws,
                   size_t *we);

/* Every window the scan scores in t[0, n), its logit to `each`, in the
 * order ag_ml_windows hands the trainer the same windows (for tests). */
void ag_ml_scan_windows(const aigate_model *m, const char *t, size_t n,
                        void (*each)(void *ud, double z), void *ud);

/* A growable list of feature occurrences (index and namespace). */
typedef struct {
  uint32_t *idx;
  uint8_t *ns;
  size_t n, cap;
  int failed; /* an allocation failed: the list is incomplete */
} ag_ml_occs;

/* Append one occurrence (sets o->failed when memory runs out). */
void ag_ml_occs_push(ag_ml_occs *o, uint32_t idx, int ns);

/* One window of a text as a scan reads it: its features (each block's
 * distinct ones), what a feature of a namespace is worth (ag_ml_norm;
 * one of AG_ML_LINE is worth norm[AG_ML_WORD] times AG_ML_LINE_WEIGHT)
 * and its dense features. */
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
 * hash bits, window and minimum counts (its weights are not read): what the
 * trainer learns from, so that it learns what a scan scores. Returns 0,
 * AIGATE_ERR_NOMEM or cb's non-zero return.
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
