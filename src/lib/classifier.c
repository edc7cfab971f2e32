/*
 * classifier.c -- features, scoring and the model file of the
 * injection/jailbreak classifier (classifier.h says where it sits).
 *
 * The model is a logistic regression over hashed features of the folded
 * text: word unigrams and bigrams and character 3- to 5-grams, each
 * counted once in a window and each namespace scaled by its distinct
 * features (ag_ml_norm) so that long and short texts score alike, plus
 * one dense feature, the share of symbol characters. Rules
 * catch known phrasings; the hashed n-grams generalize to rephrasings.
 *
 * A document (250 bytes or more over two lines or more: an e-mail, a
 * report, a table, code) hashes its n-grams apart from a request's
 * (format 4), and its last half window is also scored as a request. A
 * bag of n-grams cannot see where a sentence sits; this tells it whether
 * the sentence is a request to the model or part of data handed to it,
 * so a document's words no longer teach what requests look like, and an
 * instruction that ends a document is read as one.
 *
 * Format 5 adds where a line sits: each line's first word and first two
 * words, how it opens after the line before (a line of prose after
 * table rows), and how it opens against how it ends (a question). An
 * instruction inserted into a table or an e-mail is a line of its own,
 * often in words that are harmless anywhere else; where it sits is what
 * gives it away.
 *
 * Format 6 adds what words are about: a word or word pair of the
 * lexicon (lexicon.c: kinds of harm, kinds of framing) adds its
 * category's feature, and the first word of a category one feature per
 * category the text showed before. A framed jailbreak's harmful task is
 * named in words the training data may never have held; its category
 * was learned from others of its kind. It costs a filter probe per word
 * and word pair, and a table lookup on a hit.
 *
 * Format 7 counts a feature once in a window (classifier.h: a gate
 * bit per word feature and per byte's 5-gram, which decides for the
 * 3- and 4-grams that end with it), where earlier formats
 * summed every occurrence and scaled the sum by the share of distinct
 * ones: exact for a phrase repeated alone, but next to other text the
 * repetitions drowned it, so an attack padded with " ok" sixty times
 * scored 0.20 where it scored 0.85 alone.
 *
 * Format 8 weighs how a line opens after the line before and how it
 * opens against how it ends five times a word feature (AG_ML_LINE,
 * classifier.h): a few such features among a window's hundred words had
 * taught the model little about a line of prose among table rows. The
 * lexicon gains categories of injections (the model addressed, its
 * instructions, concealing, steering the answer, acting for the user).
 * A fresh walk of a text's last bytes starts a line only where one
 * starts (tail_logit).
 *
 * Models of format 2 also had two features from a character trigram
 * language model of ordinary text (the worst and the last stretch of a
 * window against its median loss), meant for gibberish adversarial
 * suffixes. Cross-validation on the training data found them a loss: the
 * out-of-fold recall of the attacks as read at the level-2 threshold was
 * 0.812 with them and 0.836 without (ROC-AUC 0.9863 and 0.9871), they
 * only helped with the trainer's own gibberish-suffixed copies, which the
 * jb-adversarial-suffix rule blocks, and walking the language model was
 * a third of the classifier's cost (docs/detection.md).
 *
 * Cost per byte of folded text: three character n-gram hashes (one
 * multiplication each) and weight reads, a word hash, a gate bit for
 * the 5-gram and per word feature; no allocation. The weights are int16
 * (2^20 of them, 2 MiB: a prompt's few hundred reads mostly miss L2 but
 * cost about 0.7 us more than 2^18's 512 KiB). A long text is scored in
 * windows that overlap by half, built from half-window blocks so that
 * each byte is read once, plus its first and last half-window alone, and
 * takes the best window (about 13 us for 2 KB, docs/benchmarks.md).
 * ag_ml_windows hands the trainer the very windows the scan scores.
 *
 * Known limits (docs/detection.md): a bag of n-grams learns its sources'
 * style, so text unlike every training source can score high (the
 * thresholds are conservative for that reason).
 *
 * The file format is little-endian and checked strictly on load, since a
 * model file is input like any other (tests/fuzz/fuzz_model.c):
 *
 *   0   8  magic "AIGATEML"
 *   8   4  version (8: where a line sits weighed more, the lexicon's
 *           injection categories; 7: each feature once in a window; 6:
 *           what words are about; 5: line features; 4 had neither, 3
 *           read documents as requests)
 *   12  4  hash bits (10..22)
 *   16  4  window bytes, 20 4 stride bytes (half the window)
 *   24  4  dense features (1)
 *   28  4  bias (float), 32 4 weight scale (float)
 *   36  4  dense weight (float)
 *   40  32 thresholds: block[1..4], weak[1..4] (float probabilities)
 *   72  4  info length (<= 4096)
 *   76  8  minimum feature counts: words, characters (<= 2^20)
 *   84     the info text (printable)
 *   ..     2^bits int16 weights
 *   ..  4  CRC-32 (zlib) of everything before it
 */
#include "classifier.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "lexicon.h"
#include "normalize.h"
#include "util.h"

/* ------------------------------------------------------------ hashing */

#define FNV_BASIS AG_ML_FNV_BASIS
#define FNV_PRIME AG_ML_FNV_PRIME
#define FIB 0x9e3779b97f4a7c15ull

static inline uint32_t mix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

static inline int word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         (c >= 'A' && c <= 'Z') || c >= 0x80;
}

/* Seeds that keep the word namespaces apart; a document's words and
 * character n-grams are hashed apart from a request's (DOC_SEED,
 * DOC_KEY). */
#define SEED_UNI 0x51ed270bu
#define SEED_BI 0x2545f491u
#define DOC_SEED 0x6c8e9cf5u
#define DOC_KEY (1ull << 63)

/*
 * Where a line sits (format 5): a bag of n-grams sees the words of an
 * instruction inserted into a table or an e-mail, but not that it is a
 * line of prose among table rows, or a question among statements. Per
 * line, in the word namespace of the text's own namespace, hashed apart
 * by these seeds:
 *   - its first word, and its first two words (where the imperative of
 *     an instruction sits);
 *   - how it opens against how the line before it opened (a word or the
 *     symbol it opens with, and whether a blank line came between): a
 *     line of prose after table rows is "| -> w";
 *   - how it opens against how it ends, for every line a line break
 *     ends: a question is "w ... ?".
 * They cost a test per byte and a few hashes per line. The last two
 * weigh AG_ML_LINE_WEIGHT times a word feature (format 8, AG_ML_LINE).
 */
#define SEED_LINE 0x7f4a7c15u
#define SEED_TRANS 0x1b873593u
#define SEED_END 0xe6546b64u

/*
 * What words are about (format 6; lexicon.c): a word or word pair in a
 * category of the lexicon adds that category's feature, and the first
 * word of a category in the text adds one feature per category seen
 * before it (a fiction frame and a drug's name are one pair, whichever
 * comes first and whatever the words). In the word namespace of the
 * text's own namespace, hashed apart by these seeds.
 */
#define SEED_LEX 0x7a11c0deu
#define SEED_LEX_PAIR 0x3c0ffee5u
/* Features one word can add: a new category with k seen before adds
 * 1 + k, and its pair's new category then 1 + (k + 1), with k + 2 <=
 * AG_LEX_CATS: at most 2 * AG_LEX_CATS - 1. */
#define LEX_MAX (2 * AG_LEX_CATS - 1)

/* Category c's feature into out[0], and when the text had not shown c
 * yet, one per category it had (*seen) after it, and c into *seen:
 * 1 + popcount(*seen) entries at most. */
static int lex_category(int c, uint32_t su, unsigned shift, uint32_t *seen,
                        uint32_t *out) {
  int n = 0;
  out[n++] = mix32((uint32_t)c * 0x9e3779b1u ^ su ^ SEED_LEX) >> shift;
  const uint32_t uc = (uint32_t)c;
  if (!(*seen & 1u << uc)) {
    for (uint32_t m = *seen; m; m &= m - 1) {
      uint32_t d = (uint32_t)__builtin_ctz(m), a = d < uc ? d : uc,
               b = d < uc ? uc : d;
      out[n++] =
          mix32((a << 8 | b) * 0x85ebca6bu ^ su ^ SEED_LEX_PAIR) >> shift;
    }
    *seen |= 1u << uc;
  }
  return n;
}

/* The lexicon's features of a word that ends (hash wh; bi its bigram key
 * when have_prev): those of its own category into out[0, *n_word), then
 * those of its pair's category, LEX_MAX at most. */
static inline int lex_features(uint32_t wh, uint32_t bi, int have_prev,
                               uint32_t su, unsigned shift, uint32_t *seen,
                               uint32_t out[LEX_MAX], int *n_word) {
  int n = 0, c;
  if ((c = ag_lex_word(wh)))
    n += lex_category(c, su, shift, seen, out);
  *n_word = n;
  if (have_prev && (c = ag_lex_pair(bi)))
    n += lex_category(c, su, shift, seen, out + n);
  return n;
}

#define LINE_BLANK 0x100u /* a blank line came before this one */

/* A line's kind: 'w' for a word, else the byte it opens or ends with. */
static inline uint32_t line_kind(unsigned char c) {
  return word_byte(c) ? 'w' : c;
}

int ag_ml_is_doc(const char *t, size_t n) {
  if (n < AG_ML_DOC_BYTES)
    return 0;
  int lines = 1;
  for (const char *p = t, *end = t + n;
       (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
    if (++lines >= AG_ML_DOC_LINES)
      return 1;
  return 0;
}

/* ------------------------------------------------------------- walking */

/*
 * What a stretch of text adds to a window: weight sums and feature counts
 * per namespace, and its characters and symbols. A window is one
 * block (a text that fits) or two consecutive blocks of `stride` bytes,
 * so each byte is read once however much the windows overlap.
 */
typedef struct {
  int32_t sum[2];  /* the weights of its distinct features */
  uint32_t cnt[2]; /* its distinct features */
  /* Of those, the ones the block before it did not have: what it adds
   * to a window that opens with that block. */
  int32_t sum_new[2];
  uint32_t cnt_new[2];
  uint32_t chars, symbols; /* characters (not UTF-8 continuation bytes) */
} block;

/* The gates (classifier.h) of the block being read and of the one before
 * it, a namespace's two side by side, so that one base pointer and
 * constant offsets reach all four in the walk's loop. */
#define GW (AG_ML_GATE_W / 64) /* words of a word gate */
#define GC (AG_ML_GATE_C / 64)
#define GATE_AT(ns) ((ns) == AG_ML_CHAR ? 2 * GW : 0)
#define GATE_LEN(ns) ((ns) == AG_ML_CHAR ? GC : GW)
#define GATE_ALL (2 * GW + 2 * GC)

/* The walk's state, carried from block to block: the word being read and
 * the one before it, the last five bytes. */
typedef struct {
  const unsigned char *u;
  size_t n; /* the whole text */
  uint32_t bits;
  uint32_t prev, wh;
  size_t ws, prev_s;
  int have_prev, in_word;
  uint64_t v; /* last bytes, newest in the low byte */
  /* Lines: at a line's start (only blanks read), the word of the line
   * being read (1 the first, 2 the second, else 0), the kind the line
   * before opened with (0 before the first; LINE_BLANK after a blank
   * line), the kind of this line's last non-blank byte (0: none yet). */
  int at_line, line_word;
  uint32_t prev_open;
  unsigned char last;         /* the last byte over ' ' */
  uint32_t seed_uni, seed_bi; /* the namespace: a request's or a document's */
  uint64_t key;
  /* The lexicon's categories the text has shown so far: a pair of
   * categories is one feature of the block where the second first shows,
   * so a window's pairs depend on the text before it (an attack whose
   * categories a harmless opening already showed has no pair in its own
   * window; the opening's window has it). The scan and the trainer's
   * windows walk alike; an explanation re-walks its window alone. */
  uint32_t lex_seen;
  uint64_t gate[GATE_ALL]; /* GATE_AT(ns): this block's, the last one's */
  /* What the last 5-gram was to its block (meet), and where it ended. */
  uint32_t char_met;
  size_t char_e;
  size_t blocks; /* blocks begun (next_block) */
} walker;

/* A new block: the block read so far becomes the one before it (the
 * first has none: its gates and the ones before are clear). */
static void next_block(walker *w) {
  if (!w->blocks++)
    return;
  for (int ns = 0; ns < 2; ns++) {
    uint64_t *g = w->gate + GATE_AT(ns);
    memcpy(g + GATE_LEN(ns), g, GATE_LEN(ns) * sizeof(*g));
    memset(g, 0, GATE_LEN(ns) * sizeof(*g));
  }
}

static void walker_init(walker *w, uint32_t bits, const char *t, size_t n,
                        int doc) {
  ag_lex_init(); /* the lexicon's tables, built by the first text */
  memset(w, 0, sizeof(*w));
  w->u = (const unsigned char *)t;
  w->n = n;
  w->bits = bits;
  w->wh = FNV_BASIS;
  w->seed_uni = SEED_UNI ^ (doc ? DOC_SEED : 0);
  w->seed_bi = SEED_BI ^ (doc ? DOC_SEED : 0);
  w->key = doc ? DOC_KEY : 0;
  w->at_line = 1;
}

/* Whether folded text t's bytes from `at` on start a line: a text does,
 * a part cut from it where a line break precedes the cut. */
static int starts_line(const char *t, size_t at) {
  return at == 0 || t[at - 1] == '\n';
}

/* A fresh walk of t[at, n) read as a request (a text's last bytes,
 * tail_logit), which starts a line only where one starts. */
static void walker_init_tail(walker *w, uint32_t bits, const char *t, size_t n,
                             size_t at) {
  walker_init(w, bits, t + at, n - at, 0);
  w->at_line = starts_line(t, at);
}

/* A character n-gram's index: its bytes and length as one key, by
 * Fibonacci hashing (one multiplication). */
static inline uint32_t ngram_index(uint64_t key, unsigned len, uint32_t bits) {
  return (uint32_t)(((key | (uint64_t)len << 56) * FIB) >> (64 - bits));
}

/*
 * What each byte adds to a block's characters (the low 32 bits) and
 * symbols (the high 32 bits), so that the scan counts both with one
 * addition: every byte is a character but a UTF-8 continuation byte (and
 * the never-valid 0xC0, 0xC1); the symbols are # $ % & ( ) * + - / : ; <
 * = > @ [ \ ] ^ _ { | } ~.
 */
#define C 1ull
#define S (1ull | 1ull << 32)
static const uint64_t char_kind[256] = {
    C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, /* 0x00 */
    C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, /* 0x10 */
    C, C, C, S, S, S, S, C, S, S, S, S, C, S, C, S, /* 0x20 */
    C, C, C, C, C, C, C, C, C, C, S, S, S, S, S, C, /* 0x30 */
    S, C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, /* 0x40 */
    C, C, C, C, C, C, C, C, C, C, C, S, S, S, S, S, /* 0x50 */
    C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, /* 0x60 */
    C, C, C, C, C, C, C, C, C, C, C, S, S, S, S, C, /* 0x70 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x80 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x90 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xa0 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0xb0 */
    0, 0, C, C, C, C, C, C, C, C, C, C, C, C, C, C, /* 0xc0 */
    C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, /* 0xd0 */
    C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, /* 0xe0 */
    C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, C, /* 0xf0 */
};
#undef C
#undef S

/* Characters and symbols of bytes [from, to) into b. */
static void count_chars(const unsigned char *u, size_t from, size_t to,
                        block *b) {
  uint64_t kinds = 0;
  for (size_t i = from; i < to; i++)
    kinds += char_kind[u[i]];
  b->chars += (uint32_t)kinds;
  b->symbols += (uint32_t)(kinds >> 32);
}

/* The features of the word that ends at byte i: its unigram, its bigram
 * with the word before, at a line's opening its line features, and the
 * lexicon's (lex_features). */
static void emit_word(walker *w, size_t i, ag_ml_feature_cb cb, void *ud) {
  const unsigned shift = 32 - w->bits;
  uint32_t bi = ag_ml_bigram_key(w->prev, w->wh);
  cb(ud, mix32(w->wh ^ w->seed_uni) >> shift, AG_ML_WORD, w->ws, i);
  if (w->have_prev)
    cb(ud, mix32(bi ^ w->seed_bi) >> shift, AG_ML_WORD, w->prev_s, i);
  if (w->line_word == 1)
    cb(ud, mix32(w->wh ^ w->seed_uni ^ SEED_LINE) >> shift, AG_ML_WORD, w->ws,
       i);
  else if (w->line_word == 2)
    cb(ud, mix32(bi ^ w->seed_bi ^ SEED_LINE) >> shift, AG_ML_WORD, w->prev_s,
       i);
  uint32_t lex[LEX_MAX];
  int n_word, n = lex_features(w->wh, bi, w->have_prev, w->seed_uni, shift,
                               &w->lex_seen, lex, &n_word);
  for (int k = 0; k < n; k++)
    cb(ud, lex[k], AG_ML_WORD, k < n_word ? w->ws : w->prev_s, i);
  w->prev = w->wh;
  w->prev_s = w->ws;
  w->have_prev = 1;
}

/*
 * Walk the features of bytes [from, to): word unigrams and bigrams are
 * emitted where a word ends (at `to` == n for the last one), character
 * 3- to 5-grams at the byte they end on, all with the bytes before
 * `from` as context. cb sees each feature; characters and symbols are
 * counted into b when it is not NULL.
 */
static void walk(walker *w, size_t from, size_t to, ag_ml_feature_cb cb,
                 void *ud, block *b) {
  const unsigned char *u = w->u;
  const unsigned shift = 32 - w->bits;
  for (size_t i = from; i < to; i++) {
    unsigned char c = u[i];
    int opens = 0; /* c opens a line */
    if (c > ' ') {
      if (w->at_line) {
        uint32_t k = line_kind(c);
        if (w->prev_open)
          cb(ud,
             mix32((w->prev_open << 8 | k) ^ w->seed_uni ^ SEED_TRANS) >> shift,
             AG_ML_LINE, i, i + 1);
        w->prev_open = k;
        w->at_line = 0;
        opens = 1;
      }
      w->last = c;
    }
    if (word_byte(c)) {
      if (!w->in_word) {
        w->in_word = 1;
        w->ws = i;
        w->wh = FNV_BASIS;
        w->line_word = opens ? 1 : w->line_word == 1 ? 2 : 0;
      }
      w->wh = (w->wh ^ c) * FNV_PRIME;
    } else {
      if (w->in_word) {
        w->in_word = 0;
        emit_word(w, i, cb, ud);
      }
      if (c == '\n') { /* a line ends: how it opened, how it ends */
        if (!w->at_line)
          cb(ud,
             mix32(((w->prev_open & 0xff) << 8 | line_kind(w->last)) ^
                   w->seed_uni ^ SEED_END) >>
                 shift,
             AG_ML_LINE, i, i + 1);
        else if (w->prev_open)
          w->prev_open |= LINE_BLANK;
        w->at_line = 1;
        w->line_word = 0;
      }
    }
    w->v = w->v << 8 | c;
    /* The 5-gram first: whether the n-grams that end here count is its
     * (met_at). */
    if (i >= 4)
      cb(ud, ngram_index((w->v & 0xffffffffffull) | w->key, 5, w->bits),
         AG_ML_CHAR, i - 4, i + 1);
    if (i >= 3)
      cb(ud, ngram_index((w->v & 0xffffffffull) | w->key, 4, w->bits),
         AG_ML_CHAR, i - 3, i + 1);
    if (i >= 2)
      cb(ud, ngram_index((w->v & 0xffffffull) | w->key, 3, w->bits), AG_ML_CHAR,
         i - 2, i + 1);
  }
  if (to == w->n && w->in_word) {
    w->in_word = 0;
    emit_word(w, to, cb, ud);
  }
  if (b)
    count_chars(w->u, from, to, b);
}

/* Feature idx of namespace ns met in the walk's block (gates G): 0 when
 * the block met it before, else FIRST (its gate bit was clear), plus NEW
 * when the block before did not meet it either. The bit is set after. */
#define FIRST 1u
#define NEW 2u
static inline uint32_t meet(uint64_t *G, uint32_t idx, const int ns) {
  uint32_t h = ag_ml_gate_bit(idx, ns);
  uint64_t *g = G + GATE_AT(ns) + (h >> 6), word = *g;
  uint32_t first = (uint32_t)(~word >> (h & 63)) & 1;
  *g = word | 1ull << (h & 63);
  return first | (first & (uint32_t)(~g[GATE_LEN(ns)] >> (h & 63))) << 1;
}

/* meet() for any feature walk() hands over, read from bytes [s, e): a
 * character n-gram counts as the 5-gram that ends where it ends, which
 * walk() hands over first (the text's first four bytes end none: their
 * n-grams count). */
static uint32_t met_at(walker *w, uint32_t idx, int ns, size_t s, size_t e) {
  if (ns != AG_ML_CHAR)
    return meet(w->gate, idx, AG_ML_WORD);
  if (e - s == 5) {
    w->char_e = e;
    return w->char_met = meet(w->gate, idx, ns);
  }
  return w->char_e == e ? w->char_met : FIRST | NEW;
}

/* A feature met_at() judged, into block b's counts and sums (weight w:
 * 0 where only the counts are wanted), in its namespace's, as many
 * times as it counts. */
static void tally(block *b, int ns, uint32_t met, int32_t w) {
  int sp = ag_ml_space(ns);
  w *= ag_ml_times(ns);
  if (met & FIRST)
    b->sum[sp] += w, b->cnt[sp]++;
  if (met & NEW)
    b->sum_new[sp] += w, b->cnt_new[sp]++;
}

/* A feature walk's callback in front of another: the first occurrence
 * of each feature in the block, counted, goes on to cb (when set). */
typedef struct {
  walker *w;
  block *b;
  ag_ml_feature_cb cb;
  void *ud;
} first_ctx;

static void pass_first(void *ud, uint32_t idx, int ns, size_t s, size_t e) {
  first_ctx *f = ud;
  uint32_t met = met_at(f->w, idx, ns, s, e);
  tally(f->b, ns, met, 0);
  if (met & FIRST && f->cb)
    f->cb(f->ud, idx, ns, s, e);
}

void ag_ml_features(uint32_t bits, const char *t, size_t n, int doc,
                    int at_line, ag_ml_feature_cb cb, void *ud,
                    const uint32_t min[2], double norm[2]) {
  walker w;
  block b;
  memset(&b, 0, sizeof(b));
  first_ctx f = {&w, &b, cb, ud};
  walker_init(&w, bits, t, n, doc);
  w.at_line = at_line;
  walk(&w, 0, n, pass_first, &f, NULL);
  for (int ns = 0; ns < 2; ns++)
    norm[ns] = ag_ml_norm(b.cnt[ns], min[ns]);
}

/*
 * The dense feature of one or two blocks: the share of characters that
 * are symbols (brackets, backslashes, @, ...), which token soup and
 * fake markup have more of than prose.
 */
static void dense_of(const block *a, const block *b, float out[AG_ML_DENSE]) {
  uint32_t chars = a->chars + (b ? b->chars : 0);
  uint32_t symbols = a->symbols + (b ? b->symbols : 0);
  out[0] = chars ? (float)symbols / (float)chars : 0;
}

/* ----------------------------------------------------------- scoring */

typedef struct {
  const int16_t *w;
  block *b;
  walker *wk;
} sum_ctx;

static void add_weight(void *ud, uint32_t idx, int ns, size_t s, size_t e) {
  sum_ctx *c = ud;
  tally(c->b, ns, met_at(c->wk, idx, ns, s, e), c->w[idx]);
}

/* A window of one block, or of two consecutive ones: the first block's
 * distinct features and those of the second that the first did not
 * have, so that each feature counts once in a window. */
static double logit_of(const aigate_model *m, const block *a, const block *b) {
  double z = m->bias;
  for (int ns = 0; ns < 2; ns++) {
    int64_t sum = (int64_t)a->sum[ns] + (b ? b->sum_new[ns] : 0);
    uint32_t cnt = a->cnt[ns] + (b ? b->cnt_new[ns] : 0);
    z += (double)m->scale * (double)sum * ag_ml_norm(cnt, m->min_count[ns]);
  }
  float d[AG_ML_DENSE];
  dense_of(a, b, d);
  for (int i = 0; i < AG_ML_DENSE; i++)
    z += (double)m->dense[i] * d[i];
  return z;
}

static double sigmoid(double z) {
  if (z < -40)
    z = -40;
  if (z > 40)
    z = 40;
  return 1.0 / (1.0 + exp(-z));
}

/* Move a block edge back to the start of a UTF-8 character. */
static size_t char_edge(const char *t, size_t i, size_t lo) {
  while (i > lo && ((unsigned char)t[i] & 0xC0) == 0x80)
    i--;
  return i;
}

/*
 * walk() with add_weight, written out for speed: the state lives in
 * locals (a callback's stores through a pointer would make the compiler
 * reload it at every byte). It must find the very features walk() finds;
 * tests/unit/test_classifier.c compares the two.
 */
typedef struct {       /* a namespace's sums: weights << 32 | features */
  uint64_t all, fresh; /* the block's distinct ones; those also NEW */
} acc;

/* n features of weights summing to w that meet() judged met (the
 * character n-grams that end at a byte go together, by their 5-gram). */
static inline void add_counted(int32_t w, uint64_t n, uint32_t met, acc *a) {
  uint64_t all = (uint64_t)(int64_t)w << 32 | n;
  a->all += all & -(uint64_t)(met & FIRST); /* no branch to mispredict */
  a->fresh += all & -(uint64_t)(met >> 1);
}

static inline void add_word(const int16_t *wt, uint64_t *G, uint32_t idx,
                            acc *a) {
  add_counted(wt[idx], 1, meet(G, idx, AG_ML_WORD), a);
}

/* A feature of where a line sits: a word feature, its weight counted
 * AG_ML_LINE_WEIGHT times. A block's word features are at most its gate's
 * bits, so its word sum fits an int32 even were they all such features. */
_Static_assert((int64_t)AG_ML_GATE_W * 32768 * AG_ML_LINE_WEIGHT < INT32_MAX,
               "a block's word sum fits an int32");
static inline void add_line(const int16_t *wt, uint64_t *G, uint32_t idx,
                            acc *a) {
  add_counted(wt[idx] * AG_ML_LINE_WEIGHT, 1, meet(G, idx, AG_ML_WORD), a);
}

/* An acc's sums into a block's. */
static void add_acc(int32_t *sum, uint32_t *cnt, uint64_t a) {
  *sum += (int32_t)(uint32_t)(a >> 32);
  *cnt += (uint32_t)a;
}

/* The features of a word that ends (emit_word's, summed): its unigram,
 * its bigram with the word before, at a line's opening its line
 * features, and the lexicon's. su and sb are the namespace's seeds. */
static inline __attribute__((always_inline)) void
add_word_end(const int16_t *wt, unsigned shift, uint32_t su, uint32_t sb,
             uint32_t prev, uint32_t wh, int have_prev, int line_word,
             uint32_t *lex_seen, uint64_t *G, acc *a) {
  uint32_t bi = ag_ml_bigram_key(prev, wh);
  add_word(wt, G, mix32(wh ^ su) >> shift, a);
  if (have_prev)
    add_word(wt, G, mix32(bi ^ sb) >> shift, a);
  if (line_word == 1)
    add_word(wt, G, mix32(wh ^ su ^ SEED_LINE) >> shift, a);
  else if (line_word == 2)
    add_word(wt, G, mix32(bi ^ sb ^ SEED_LINE) >> shift, a);
  uint32_t lex[LEX_MAX];
  int n_word,
      n = lex_features(wh, bi, have_prev, su, shift, lex_seen, lex, &n_word);
  for (int k = 0; k < n; k++)
    add_word(wt, G, lex[k], a);
}

/* The namespace is a constant here (score_block calls it with doc 0 or
 * 1), so that its seeds cost no registers in the loop. */
static inline __attribute__((always_inline)) void
score_block_ns(walker *w, size_t from, size_t to, const aigate_model *m,
               block *b, const int doc) {
  const unsigned char *u = w->u;
  const int16_t *wt = m->w;
  const unsigned shift = 32 - w->bits, bits = w->bits;
  uint32_t prev = w->prev, wh = w->wh;
  const uint32_t su = SEED_UNI ^ (doc ? DOC_SEED : 0),
                 sb = SEED_BI ^ (doc ? DOC_SEED : 0);
  const uint64_t key = doc ? DOC_KEY : 0;
  int have_prev = w->have_prev, in_word = w->in_word;
  int at_line = w->at_line, line_word = w->line_word;
  uint32_t prev_open = w->prev_open;
  unsigned char last = w->last;
  uint64_t v = w->v;
  uint32_t lex_seen = w->lex_seen;
  uint64_t *G = w->gate;
  acc aw = {0, 0}, ac = {0, 0};
  uint64_t kinds = 0; /* characters, and symbols in the high half */
  for (size_t i = from; i < to; i++) {
    unsigned char c = u[i];
    kinds += char_kind[c];
    /* Inside a word nothing about lines changes: a line opens and ends
     * at a word's first byte or at a byte outside words. */
    if (word_byte(c)) {
      if (!in_word) {
        line_word = at_line ? 1 : line_word == 1 ? 2 : 0;
        if (__builtin_expect(at_line, 0)) {
          if (prev_open)
            add_line(wt, G,
                     mix32((prev_open << 8 | 'w') ^ su ^ SEED_TRANS) >> shift,
                     &aw);
          prev_open = 'w';
          at_line = 0;
        }
        last = 'w';
        in_word = 1, wh = FNV_BASIS;
      }
      wh = (wh ^ c) * FNV_PRIME;
    } else {
      if (in_word) {
        in_word = 0;
        add_word_end(wt, shift, su, sb, prev, wh, have_prev, line_word,
                     &lex_seen, G, &aw);
        prev = wh;
        have_prev = 1;
      }
      if (c > ' ') {
        if (__builtin_expect(at_line, 0)) {
          if (prev_open)
            add_line(wt, G,
                     mix32((prev_open << 8 | c) ^ su ^ SEED_TRANS) >> shift,
                     &aw);
          prev_open = c;
          at_line = 0;
        }
        last = c;
      } else if (c == '\n') {
        if (!at_line)
          add_line(wt, G,
                   mix32(((prev_open & 0xff) << 8 | line_kind(last)) ^ su ^
                         SEED_END) >>
                       shift,
                   &aw);
        else if (prev_open)
          prev_open |= LINE_BLANK;
        at_line = 1, line_word = 0;
      }
    }
    v = v << 8 | c;
    if (i >= 4) {
      uint32_t i5 = ngram_index((v & 0xffffffffffull) | key, 5, bits);
      add_counted(wt[ngram_index((v & 0xffffffull) | key, 3, bits)] +
                      wt[ngram_index((v & 0xffffffffull) | key, 4, bits)] +
                      wt[i5],
                  3, meet(G, i5, AG_ML_CHAR), &ac);
    } else { /* the text's first bytes: not every n-gram yet; they count */
      if (i >= 2)
        add_counted(wt[ngram_index((v & 0xffffffull) | key, 3, bits)], 1,
                    FIRST | NEW, &ac);
      if (i >= 3)
        add_counted(wt[ngram_index((v & 0xffffffffull) | key, 4, bits)], 1,
                    FIRST | NEW, &ac);
    }
  }
  if (to == w->n && in_word) {
    in_word = 0;
    add_word_end(wt, shift, su, sb, prev, wh, have_prev, line_word, &lex_seen,
                 G, &aw);
  }
  w->at_line = at_line;
  w->line_word = line_word;
  w->prev_open = prev_open;
  w->last = last;
  w->prev = prev;
  w->wh = wh;
  w->have_prev = have_prev;
  w->in_word = in_word;
  w->v = v;
  w->lex_seen = lex_seen;
  add_acc(&b->sum[AG_ML_WORD], &b->cnt[AG_ML_WORD], aw.all);
  add_acc(&b->sum_new[AG_ML_WORD], &b->cnt_new[AG_ML_WORD], aw.fresh);
  add_acc(&b->sum[AG_ML_CHAR], &b->cnt[AG_ML_CHAR], ac.all);
  add_acc(&b->sum_new[AG_ML_CHAR], &b->cnt_new[AG_ML_CHAR], ac.fresh);
  b->chars += (uint32_t)kinds;
  b->symbols += (uint32_t)(kinds >> 32);
}

/* Score bytes [from, to) into block b (zeroed), the walk's next. */
static void score_block(walker *w, size_t from, size_t to,
                        const aigate_model *m, block *b) {
  next_block(w);
  if (w->key)
    score_block_ns(w, from, to, m, b, 1);
  else
    score_block_ns(w, from, to, m, b, 0);
}

double ag_ml_logit(const aigate_model *m, const char *t, size_t n, int doc) {
  walker w;
  block b = {0};
  walker_init(&w, m->bits, t, n, doc);
  score_block(&w, 0, n, m, &b);
  return logit_of(m, &b, NULL);
}

double ag_ml_logit_slow(const aigate_model *m, const char *t, size_t n,
                        int doc) {
  walker w;
  block b = {0};
  sum_ctx c = {m->w, &b, &w};
  walker_init(&w, m->bits, t, n, doc);
  walk(&w, 0, n, add_weight, &c, &b);
  return logit_of(m, &b, NULL);
}

/* The logit of t's last bytes from ta, read as a request by a fresh
 * walk (walker_init_tail), which starts a line only where a line starts:
 * the fragment of a word that the cut leaves is no line's first word. The line
 * the cut falls in still ends, as a line whose opening the walk did not see (an
 * opening of 0), a feature only such tails have; the trainer learns it
 * from harmless documents' tails (an attack document's tail is not
 * learned: where its attack sits is not known), a discount on a tail
 * that reads as a request only because it was cut from data. Without it
 * (measured, not kept) the out-of-fold ROC-AUC fell on every seed and
 * the harmless documents of indirect2 blocked rose from 23.3 to 30.2
 * (six-seed means). */
static double tail_logit(const aigate_model *m, const char *t, size_t n,
                         size_t ta) {
  walker w;
  block b = {0};
  walker_init_tail(&w, m->bits, t, n, ta);
  score_block(&w, 0, n - ta, m, &b);
  return logit_of(m, &b, NULL);
}

/* Where a text's last `stride` bytes start (a character boundary). */
static size_t tail_start(const aigate_model *m, const char *t, size_t n) {
  return n <= m->stride ? 0 : char_edge(t, n - m->stride, 0);
}

/* The best window so far, and who else is told of each one. */
typedef struct {
  double z;
  size_t s, e;
  int doc, any;
  void (*each)(void *ud, double z);
  void *ud;
} best_of;

static void consider(best_of *b, double z, size_t s, size_t e, int doc) {
  if (b->each)
    b->each(b->ud, z);
  if (!b->any || z > b->z)
    *b = (best_of){z, s, e, doc, 1, b->each, b->ud};
}

/*
 * Windows of `window` bytes every `stride` (= window / 2) bytes: pairs of
 * consecutive blocks. A window sees the features that end in it, with
 * the bytes before it as context; an attack shorter than a block lies
 * whole inside some window. The text's first and last `stride` bytes are
 * also scored alone, so that an attack that opens or ends a long text is
 * not diluted by its neighbours (where injected text most often sits).
 *
 * A document (ag_ml_is_doc) is read in its own namespace, and its last
 * `stride` bytes once more as a request: an instruction that ends a
 * document (an e-mail, a report, a table) is scored by what requests
 * look like, while the document's own words teach nothing about
 * requests.
 */
static void scan_windows(const aigate_model *m, const char *t, size_t n,
                         best_of *b) {
  int doc = ag_ml_is_doc(t, n);
  if (n <= m->window) {
    consider(b, ag_ml_logit(m, t, n, doc), 0, n, doc);
    if (doc) {
      size_t ta = tail_start(m, t, n);
      consider(b, tail_logit(m, t, n, ta), ta, n, 0);
    }
    return;
  }
  walker w;
  block blk[2];
  walker_init(&w, m->bits, t, n, doc);
  size_t a = 0, prev_a = 0;
  for (int k = 0; a < n; k ^= 1) {
    size_t e = n - a <= m->stride ? n : char_edge(t, a + m->stride, a + 1);
    memset(&blk[k], 0, sizeof(blk[k]));
    score_block(&w, a, e, m, &blk[k]);
    if (a == 0) /* the first block alone, as the last stride below */
      consider(b, logit_of(m, &blk[k], NULL), 0, e, doc);
    else
      consider(b, logit_of(m, &blk[k ^ 1], &blk[k]), prev_a, e, doc);
    prev_a = a;
    a = e;
  }
  /* And the text's last `stride` bytes alone, as a request: an attack
   * that ends a long text is then not diluted by whatever precedes it in
   * its block. A fresh walk of at most stride bytes. */
  size_t ta = tail_start(m, t, n);
  consider(b, tail_logit(m, t, n, ta), ta, n, 0);
}

double ag_ml_best_window(const aigate_model *m, const char *t, size_t n,
                         size_t *ws, size_t *we, int *doc_out) {
  best_of b = {0};
  scan_windows(m, t, n, &b);
  if (ws)
    *ws = b.s;
  if (we)
    *we = b.e;
  if (doc_out)
    *doc_out = b.doc;
  return b.z;
}

void ag_ml_scan_windows(const aigate_model *m, const char *t, size_t n,
                        void (*each)(void *ud, double z), void *ud) {
  best_of b = {.each = each, .ud = ud};
  scan_windows(m, t, n, &b);
}

double ag_ml_best_logit(const aigate_model *m, const char *t, size_t n,
                        size_t *ws, size_t *we) {
  return ag_ml_best_window(m, t, n, ws, we, NULL);
}

double ag_ml_score(const aigate_model *m, const char *t, size_t n, size_t *ws,
                   size_t *we) {
  return sigmoid(ag_ml_best_window(m, t, n, ws, we, NULL));
}

/* ------------------------------------------------------------ windows */

void ag_ml_occs_push(ag_ml_occs *o, uint32_t idx, int ns) {
  if (o->failed)
    return;
  if (o->n == o->cap) {
    size_t cap = o->cap ? o->cap * 2 : 1024;
    uint32_t *i = realloc(o->idx, cap * sizeof(*i));
    if (i)
      o->idx = i;
    uint8_t *k = realloc(o->ns, cap);
    if (k)
      o->ns = k;
    if (!i || !k) {
      o->failed = 1;
      return;
    }
    o->cap = cap;
  }
  o->idx[o->n] = idx;
  o->ns[o->n++] = (uint8_t)ns;
}

/* The distinct features of one block, for ag_ml_windows: namespace
 * plus NEW << 1 (OCC_NEW) when the block before did not have the
 * feature. */
#define OCC_NEW (NEW << 1)
#define OCC_NS 3u
typedef struct {
  ag_ml_occs o;
  block *b;
  walker *w;
} occ_list;

static void collect_block(void *ud, uint32_t idx, int ns, size_t s, size_t e) {
  occ_list *l = ud;
  uint32_t met = met_at(l->w, idx, ns, s, e);
  tally(l->b, ns, met, 0);
  if (met & FIRST)
    ag_ml_occs_push(&l->o, idx, ns | (int)((met & NEW) << 1));
}

/* Hand the window of block a (and b after it, when not NULL: its
 * features that a did not have) to cb. */
static int emit_window(const aigate_model *m, occ_list *a, occ_list *b,
                       ag_ml_occs *win_occs, ag_ml_window_cb cb, void *ud) {
  win_occs->n = 0;
  for (int k = 0; k < (b ? 2 : 1); k++) {
    const ag_ml_occs *l = k ? &b->o : &a->o;
    for (size_t i = 0; i < l->n; i++)
      if (!k || l->ns[i] & OCC_NEW)
        ag_ml_occs_push(win_occs, l->idx[i], l->ns[i] & OCC_NS);
  }
  if (win_occs->failed)
    return AIGATE_ERR_NOMEM;
  ag_ml_window win = {win_occs->idx, win_occs->ns, win_occs->n, {0, 0}, {0}};
  const block *bb = b ? b->b : NULL;
  for (int ns = 0; ns < 2; ns++) {
    uint32_t cnt = a->b->cnt[ns] + (bb ? bb->cnt_new[ns] : 0);
    win.norm[ns] = ag_ml_norm(cnt, m->min_count[ns]);
  }
  dense_of(a->b, bb, win.dense);
  return cb(ud, &win);
}

/* Walk bytes [a, e) of w's text, its next block, into list l (reset)
 * and its block. */
static int walk_block(walker *w, size_t a, size_t e, occ_list *l) {
  memset(l->b, 0, sizeof(*l->b));
  l->o.n = 0;
  l->w = w;
  next_block(w);
  walk(w, a, e, collect_block, l, l->b);
  return l->o.failed ? AIGATE_ERR_NOMEM : 0;
}

int ag_ml_windows(const aigate_model *m, const char *t, size_t n,
                  ag_ml_window_cb cb, void *ud) {
  block blk[2];
  memset(blk, 0, sizeof(blk));
  occ_list l[2] = {{.b = &blk[0]}, {.b = &blk[1]}};
  ag_ml_occs win_occs = {0}; /* the window handed to cb */
  walker w;
  int rc = 0, doc = ag_ml_is_doc(t, n);
  walker_init(&w, m->bits, t, n, doc);
  if (n <= m->window) {
    if (!(rc = walk_block(&w, 0, n, &l[0])))
      rc = emit_window(m, &l[0], NULL, &win_occs, cb, ud);
    if (rc || !doc)
      goto out;
    goto tail; /* a document's end, read as a request */
  }
  /* As ag_ml_best_logit reads them: pairs of consecutive blocks, the
   * first block alone, and the last stride alone from a fresh walk. */
  for (size_t a = 0, k = 0; a < n && !rc; k ^= 1) {
    size_t e = n - a <= m->stride ? n : char_edge(t, a + m->stride, a + 1);
    if ((rc = walk_block(&w, a, e, &l[k])))
      break;
    rc = a == 0 ? emit_window(m, &l[k], NULL, &win_occs, cb, ud)
                : emit_window(m, &l[k ^ 1], &l[k], &win_occs, cb, ud);
    a = e;
  }
tail:
  if (!rc) {
    size_t ta = tail_start(m, t, n);
    walker_init_tail(&w, m->bits, t, n, ta);
    if (!(rc = walk_block(&w, 0, n - ta, &l[0])))
      rc = emit_window(m, &l[0], NULL, &win_occs, cb, ud);
  }
out:
  for (int k = 0; k < 2; k++) {
    free(l[k].o.idx);
    free(l[k].o.ns);
  }
  free(win_occs.idx);
  free(win_occs.ns);
  return rc;
}

/* ------------------------------------------------------- model files */

#define MAGIC "AIGATEML"
#define HEADER 84
#define MAX_MIN_COUNT (1u << 20)

aigate_model *ag_ml_alloc(uint32_t bits) {
  aigate_model *m = calloc(1, sizeof(*m));
  if (!m)
    return NULL;
  m->bits = bits;
  m->w = calloc((size_t)1 << bits, sizeof(int16_t));
  if (!m->w) {
    aigate_model_free(m);
    return NULL;
  }
  return m;
}

void aigate_model_free(aigate_model *m) {
  if (!m)
    return;
  free(m->w);
  free(m->info);
  free(m);
}

static void put32(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)v;
  p[1] = (unsigned char)(v >> 8);
  p[2] = (unsigned char)(v >> 16);
  p[3] = (unsigned char)(v >> 24);
}

static uint32_t get32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}

static void putf(unsigned char *p, float f) {
  uint32_t v;
  memcpy(&v, &f, 4);
  put32(p, v);
}

static float getf(const unsigned char *p) {
  uint32_t v = get32(p);
  float f;
  memcpy(&f, &v, 4);
  return f;
}

int ag_ml_serialize(const aigate_model *m, unsigned char **out, size_t *len) {
  size_t info_len = m->info ? strlen(m->info) : 0;
  if (info_len > AG_ML_MAX_INFO)
    return AIGATE_ERR_INVALID;
  size_t nw = (size_t)1 << m->bits;
  size_t total = HEADER + info_len + 2 * nw + 4;
  unsigned char *b = malloc(total), *p = b;
  if (!b)
    return AIGATE_ERR_NOMEM;
  memcpy(p, MAGIC, 8);
  put32(p + 8, AG_ML_VERSION);
  put32(p + 12, m->bits);
  put32(p + 16, m->window);
  put32(p + 20, m->stride);
  put32(p + 24, AG_ML_DENSE);
  putf(p + 28, m->bias);
  putf(p + 32, m->scale);
  for (int i = 0; i < AG_ML_DENSE; i++)
    putf(p + 36 + 4 * i, m->dense[i]);
  for (int l = 1; l <= AG_MAX_PARANOIA; l++) {
    putf(p + 40 + 4 * (l - 1), m->block[l]);
    putf(p + 56 + 4 * (l - 1), m->weak[l]);
  }
  put32(p + 72, (uint32_t)info_len);
  put32(p + 76, m->min_count[0]);
  put32(p + 80, m->min_count[1]);
  p += HEADER;
  if (info_len)
    memcpy(p, m->info, info_len);
  p += info_len;
  for (size_t i = 0; i < nw; i++, p += 2) {
    uint16_t v = (uint16_t)m->w[i];
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
  }
  put32(p, (uint32_t)crc32(0L, b, (uInt)(total - 4)));
  *out = b;
  *len = total;
  return AIGATE_OK;
}

static int bad_model(aigate_error *err, const char *name, const char *why) {
  ag_err(err, "%s: not a valid aigate model: %s", name, why);
  return AIGATE_ERR_CONFIG;
}

static int finite_in(float f, float lo, float hi) {
  return isfinite(f) && f >= lo && f <= hi;
}

/* Parse a model from memory (name for messages). Every field is checked
 * before anything is allocated; the CRC catches corruption the range
 * checks cannot. */
static int load(const char *name, const unsigned char *b, size_t len,
                aigate_model **out, aigate_error *err) {
  *out = NULL;
  if (len < HEADER + 4)
    return bad_model(err, name, "file too short");
  if (memcmp(b, MAGIC, 8) != 0)
    return bad_model(err, name, "bad magic (not a model file)");
  uint32_t version = get32(b + 8);
  if (version != AG_ML_VERSION) {
    ag_err(err, "%s: model format version %u, this aigate reads version %d",
           name, version, AG_ML_VERSION);
    return AIGATE_ERR_CONFIG;
  }
  uint32_t bits = get32(b + 12), window = get32(b + 16), stride = get32(b + 20);
  if (bits < AG_ML_MIN_BITS || bits > AG_ML_MAX_BITS)
    return bad_model(err, name, "hash bits out of range");
  if (window < AG_ML_MIN_WINDOW || window > AG_ML_MAX_WINDOW ||
      stride * 2 != window)
    return bad_model(err, name, "window or stride out of range");
  if (get32(b + 24) != AG_ML_DENSE)
    return bad_model(err, name, "feature layout differs from this aigate's");
  uint32_t info_len = get32(b + 72);
  uint32_t min_w = get32(b + 76), min_c = get32(b + 80);
  if (min_w > MAX_MIN_COUNT || min_c > MAX_MIN_COUNT)
    return bad_model(err, name, "minimum counts out of range");
  if (info_len > AG_ML_MAX_INFO)
    return bad_model(err, name, "info text too long");
  size_t nw = (size_t)1 << bits;
  size_t want = HEADER + info_len + 2 * nw + 4;
  if (len != want) {
    ag_err(err, "%s: not a valid aigate model: %zu bytes, expected %zu", name,
           len, want);
    return AIGATE_ERR_CONFIG;
  }
  if ((uint32_t)crc32(0L, b, (uInt)(len - 4)) != get32(b + len - 4))
    return bad_model(err, name, "checksum mismatch (corrupted file)");
  float bias = getf(b + 28), scale = getf(b + 32);
  if (!finite_in(bias, -1e3f, 1e3f) || !finite_in(scale, 0, 1e3f))
    return bad_model(err, name, "bias or scale out of range");
  float dense[AG_ML_DENSE],
      blk[AG_MAX_PARANOIA + 1] = {0}, weak[AG_MAX_PARANOIA + 1] = {0};
  for (int i = 0; i < AG_ML_DENSE; i++)
    if (!finite_in(dense[i] = getf(b + 36 + 4 * i), -1e3f, 1e3f))
      return bad_model(err, name, "dense weight out of range");
  for (int l = 1; l <= AG_MAX_PARANOIA; l++) {
    blk[l] = getf(b + 40 + 4 * (l - 1));
    weak[l] = getf(b + 56 + 4 * (l - 1));
    if (!finite_in(blk[l], 0, 1) || !finite_in(weak[l], 0, blk[l]))
      return bad_model(err, name, "thresholds out of range");
  }
  const unsigned char *info = b + HEADER;
  for (uint32_t i = 0; i < info_len; i++)
    if ((info[i] < 0x20 && info[i] != '\n') || info[i] == 0x7f)
      return bad_model(err, name, "info text is not printable");
  aigate_model *m = ag_ml_alloc(bits);
  if (!m || !(m->info = malloc(info_len + 1))) {
    aigate_model_free(m);
    ag_err(err, "out of memory");
    return AIGATE_ERR_NOMEM;
  }
  memcpy(m->info, info, info_len);
  m->info[info_len] = '\0';
  m->window = window;
  m->stride = stride;
  m->min_count[0] = min_w;
  m->min_count[1] = min_c;
  m->bias = bias;
  m->scale = scale;
  memcpy(m->dense, dense, sizeof(dense));
  memcpy(m->block, blk, sizeof(blk));
  memcpy(m->weak, weak, sizeof(weak));
  const unsigned char *wp = info + info_len;
  for (size_t i = 0; i < nw; i++, wp += 2)
    m->w[i] = (int16_t)(uint16_t)(wp[0] | wp[1] << 8);
  *out = m;
  return AIGATE_OK;
}

int aigate_model_load_buffer(const char *name, const void *buf, size_t len,
                             aigate_model **out, aigate_error *err) {
  if (!out)
    return AIGATE_ERR_INVALID;
  *out = NULL;
  if (!buf && len)
    return AIGATE_ERR_INVALID;
  return load(name ? name : "<buffer>", buf, len, out, err);
}

/* Largest model file accepted: 2^22 weights plus the fixed parts. */
#define MAX_MODEL_FILE (((size_t)2 << AG_ML_MAX_BITS) + (1u << 20))

int aigate_model_load_file(const char *path, aigate_model **out,
                           aigate_error *err) {
  if (!out || !path)
    return AIGATE_ERR_INVALID;
  *out = NULL;
  char *buf;
  size_t len;
  int rc = ag_read_file(path, MAX_MODEL_FILE, &buf, &len, err);
  if (rc)
    return rc;
  rc = load(path, (const unsigned char *)buf, len, out, err);
  free(buf);
  return rc;
}

int aigate_model_save(const aigate_model *m, const char *path,
                      aigate_error *err) {
  if (!m || !path)
    return AIGATE_ERR_INVALID;
  unsigned char *b;
  size_t len;
  int rc = ag_ml_serialize(m, &b, &len);
  if (rc) {
    ag_err(err, "cannot serialize the model: %s", aigate_strerror(rc));
    return rc;
  }
  /* Write a temporary file and rename it, so a model being replaced is
   * never seen half-written. */
  char tmp[4200];
  if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
    free(b);
    ag_err(err, "%s: path too long", path);
    return AIGATE_ERR_INVALID;
  }
  FILE *f = fopen(tmp, "wb");
  int ok = f && fwrite(b, 1, len, f) == len;
  if (f && fclose(f) != 0)
    ok = 0;
  free(b);
  if (!ok || rename(tmp, path) != 0) {
    ag_err(err, "%s: cannot write the model", path);
    remove(tmp);
    return AIGATE_ERR_IO;
  }
  return AIGATE_OK;
}

double aigate_model_score(const aigate_model *m, const char *text, size_t len) {
  if (!m || (!text && len))
    return -1;
  ag_view_buf raw = {0}, folded = {0};
  double p = -1;
  if (!ag_view_raw(text ? text : "", len, &raw, NULL) &&
      !ag_view_folded(raw.p, raw.len, &folded, NULL))
    p = ag_ml_score(m, folded.p, folded.len, NULL, NULL);
  ag_view_free(&raw);
  ag_view_free(&folded);
  return p;
}

void aigate_model_get_info(const aigate_model *m, aigate_model_info *info) {
  memset(info, 0, sizeof(*info));
  if (!m)
    return;
  info->hash_bits = m->bits;
  info->window = m->window;
  info->stride = m->stride;
  for (int l = 1; l <= AG_MAX_PARANOIA; l++) {
    info->block[l] = m->block[l];
    info->weak[l] = m->weak[l];
  }
  info->info = m->info ? m->info : "";
}

/* ------------------------------------------------------- explanations */

typedef struct {
  uint32_t idx;
  int ns;
  size_t s, e;
  double w;
} occurrence;

typedef struct {
  occurrence *o;
  size_t n, cap;
  int failed;
} occ_buf;

static void collect_occ(void *ud, uint32_t idx, int ns, size_t s, size_t e) {
  occ_buf *b = ud;
  if (b->failed)
    return;
  if (b->n == b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 1024;
    occurrence *o = realloc(b->o, cap * sizeof(*o));
    if (!o) {
      b->failed = 1;
      return;
    }
    b->o = o;
    b->cap = cap;
  }
  b->o[b->n++] = (occurrence){idx, ns, s, e, 0};
}

static int cmp_occ_idx(const void *a, const void *b) {
  const occurrence *x = a, *y = b;
  if (x->idx != y->idx)
    return x->idx < y->idx ? -1 : 1;
  return x->s < y->s ? -1 : x->s > y->s;
}

static int cmp_occ_w(const void *a, const void *b) {
  const occurrence *x = a, *y = b;
  if (x->w != y->w)
    return x->w > y->w ? -1 : 1;
  return x->s < y->s ? -1 : x->s > y->s;
}

int aigate_model_explain(const aigate_model *m, const char *text, size_t len,
                         aigate_contribution *out, size_t max, size_t *n) {
  if (!m || (!text && len) || (!out && max) || !n)
    return AIGATE_ERR_INVALID;
  *n = 0;
  ag_view_buf raw = {0}, folded = {0};
  occ_buf b = {0};
  int rc = ag_view_raw(text ? text : "", len, &raw, NULL);
  if (!rc)
    rc = ag_view_folded(raw.p, raw.len, &folded, NULL);
  if (rc)
    goto out;
  size_t ws, we;
  int doc;
  double norm[2];
  ag_ml_best_window(m, folded.p, folded.len, &ws, &we, &doc);
  const char *t = folded.p + ws;
  /* The window re-read alone: a line starts where one starts, as for the
   * scan's last bytes (tail_logit). */
  ag_ml_features(m->bits, t, we - ws, doc, starts_line(folded.p, ws),
                 collect_occ, &b, m->min_count, norm);
  if (b.failed) {
    rc = AIGATE_ERR_NOMEM;
    goto out;
  }
  /* One entry per hashed feature, named by its first occurrence (a word
   * and a character feature of one index share its weight). */
  if (b.n) /* b.o is NULL for a text without features */
    qsort(b.o, b.n, sizeof(*b.o), cmp_occ_idx);
  size_t k = 0;
  for (size_t i = 0; i < b.n; i++) {
    double w = (double)m->scale * m->w[b.o[i].idx] *
               norm[ag_ml_space(b.o[i].ns)] * ag_ml_times(b.o[i].ns);
    if (k && b.o[k - 1].idx == b.o[i].idx) {
      b.o[k - 1].w += w;
    } else {
      b.o[k] = b.o[i];
      b.o[k++].w = w;
    }
  }
  if (k)
    qsort(b.o, k, sizeof(*b.o), cmp_occ_w);
  for (size_t i = 0; i < k && *n < max && b.o[i].w > 0; i++) {
    aigate_contribution *c = &out[(*n)++];
    size_t l = b.o[i].e - b.o[i].s;
    if (l >= sizeof(c->ngram)) /* cut at a character boundary */
      l = char_edge(t + b.o[i].s, sizeof(c->ngram) - 1, 0);
    memcpy(c->ngram, t + b.o[i].s, l);
    c->ngram[l] = '\0';
    c->weight = b.o[i].w;
  }
out:
  free(b.o);
  ag_view_free(&raw);
  ag_view_free(&folded);
  return rc;
}
