/*
 * normalize.h -- views of one text, each with a map back to the text it
 * came from.
 *
 * Secrets and PII are case- and punctuation-sensitive; injection phrases
 * are not. So instead of one "normalized" string the normalizer makes
 * views (raw: NFC + repaired UTF-8; folded: NFKC, case fold, invisible
 * characters removed, look-alikes folded, split letters joined), and every
 * view keeps an offset map so that a match in any view can be reported,
 * and redacted, in the original text.
 */
#ifndef AIGATE_NORMALIZE_H
#define AIGATE_NORMALIZE_H

#include <stddef.h>

#include "util.h"

/*
 * An offset map from a derived text to its source, as sorted segments.
 * A linear segment maps view bytes [v, next.v) one to one onto
 * [o, o + len); a non-linear one maps all of its bytes onto the whole
 * source range [o, o + olen) (a decoded blob, a normalized character).
 * A map with no segments is the identity.
 */
typedef struct {
  size_t v, o, olen;
  int linear;
} ag_seg;

typedef struct {
  ag_seg *s;
  size_t n, cap;
  int failed; /* allocation failed: the map (and its view) is unusable */
} ag_map;

void ag_map_add(ag_map *m, size_t v, size_t o, size_t olen, int linear);
/* Source span of view bytes [s, e) (e > s). Identity when m->n == 0. */
void ag_map_span(const ag_map *m, size_t s, size_t e, size_t *os, size_t *oe);
void ag_map_free(ag_map *m);

#define AG_MAX_NOTES 16

/* Spans found while normalizing, in the coordinates of the view's input. */
typedef struct {
  size_t n_invalid, n_mixed;
  size_t invalid[AG_MAX_NOTES][2];
  size_t mixed[AG_MAX_NOTES][2];
} ag_norm_notes;

/*
 * A view: text plus a chain of maps back to its input. Stages are applied
 * in order (maps[0] maps stage 1 to the input, maps[1] stage 2 to stage 1,
 * ...). When `text` is NULL the view is the input itself.
 */
#define AG_MAX_STAGES 3
typedef struct {
  const char *p; /* the view's bytes (NUL-terminated when owned) */
  size_t len;
  ag_buf stage[AG_MAX_STAGES];
  ag_map maps[AG_MAX_STAGES];
  int n_stages;
} ag_view_buf;

/* Raw view: NFC, invalid UTF-8 replaced by U+FFFD (and noted). */
int ag_view_raw(const char *in, size_t n, ag_view_buf *v, ag_norm_notes *nt);

/* Folded view of a valid UTF-8 text (a raw view). When nt is not NULL,
 * mixed-script words are noted in it (see ag_note_mixed_scripts). */
int ag_view_folded(const char *in, size_t n, ag_view_buf *v, ag_norm_notes *nt);

/* Note the words of a valid UTF-8 text (a raw view) that mix Latin letters
 * with Greek or Cyrillic ones, in the text's coordinates: the words whose
 * look-alike letters the folded view folds. */
void ag_note_mixed_scripts(const char *in, size_t n, ag_norm_notes *nt);

/* Map view bytes [s, e) to the view's input. */
void ag_view_span(const ag_view_buf *v, size_t s, size_t e, size_t *os,
                  size_t *oe);

/* Reset a view for reuse (keeps allocations) / release it. */
void ag_view_reset(ag_view_buf *v);
void ag_view_free(ag_view_buf *v);

/* Decode one UTF-8 sequence at s[0..n). Returns its length (1-4) and the
 * code point in *cp, or 0 if the bytes are not valid UTF-8 there. */
size_t ag_utf8_decode(const unsigned char *s, size_t n, int *cp);

/* A NUL-terminated copy of s[0..n) with every byte that is not part of
 * valid UTF-8 replaced by U+FFFD (for JSON and terminals); NULL when out
 * of memory. Caller frees. */
char *ag_utf8_copy(const char *s, size_t n);

/* 1 if all n bytes are ASCII. */
int ag_is_ascii(const char *s, size_t n);

#endif
