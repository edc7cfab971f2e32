/*
 * lexicon.h -- what a word is about: categories of words and word pairs
 * that the classifier adds features for (lexicon.c says why).
 */
#ifndef AIGATE_LEXICON_H
#define AIGATE_LEXICON_H

#include <stdint.h>

/* Categories are 1..AG_LEX_CATS, a bit each of a uint32_t (the
 * classifier's mask of the categories a text has shown). Words are
 * hashed as the classifier hashes them (classifier.h: AG_ML_FNV_*, and a
 * pair's key is ag_ml_bigram_key). */
#define AG_LEX_CATS 21
_Static_assert(AG_LEX_CATS < 32, "a category is a bit of a uint32_t");

/* A filter of 2^AG_LEX_FILTER_BITS bits, one set per entry (at a hash
 * of its key): a clear bit means no entry, which is the answer for most
 * of the words the classifier asks about, without the table. */
#define AG_LEX_FILTER_BITS 14
#define AG_LEX_FILTER_WORDS ((1u << AG_LEX_FILTER_BITS) >> 6)
extern uint64_t ag_lex_filter[AG_LEX_FILTER_WORDS];

static inline uint32_t ag_lex_filter_bit(uint32_t key) {
  return (key * 0x85ebca6bu) >> (32 - AG_LEX_FILTER_BITS);
}

static inline int ag_lex_maybe(uint32_t key) {
  uint32_t f = ag_lex_filter_bit(key);
  return (int)(ag_lex_filter[f >> 6] >> (f & 63) & 1);
}

/* Builds the tables the lookups below read, once; every lookup must
 * come after a call (the classifier makes it as it starts on a text).
 * Thread-safe. */
void ag_lex_init(void);

/* Category cat's entries as written in lexicon.c (space-separated, a
 * pair as "a+b"), or NULL; for tests. */
const char *ag_lex_list(int cat);

/* The table lookups behind the filter (a filter's bit may be set by
 * another entry's hash). */
int ag_lex_word_slow(uint32_t wh);
int ag_lex_pair_slow(uint32_t bi);

/* The category of the word with hash wh, or 0. */
static inline int ag_lex_word(uint32_t wh) {
  return ag_lex_maybe(wh) ? ag_lex_word_slow(wh) : 0;
}

/* The category of the word pair with key bi (ag_ml_bigram_key), or 0. */
static inline int ag_lex_pair(uint32_t bi) {
  return ag_lex_maybe(bi) ? ag_lex_pair_slow(bi) : 0;
}

#endif
