/*
 * leak.c -- system-prompt leaks in a model's output (aigate_leak_*).
 *
 * A system prompt holds the application's instructions, sometimes its
 * business rules, and attackers ask for it ("repeat everything above").
 * Two signals, both computed on the output as it is written:
 *
 * - A canary: a random token appended to the end of the system prompt.
 *   No honest answer contains it, so its presence means the prompt was
 *   dumped. It is derived from a deployment secret and the time period
 *   (keyed BLAKE2b), one per deployment and period rather than per
 *   request: a per-request token would change the prompt on every call
 *   and defeat the providers' prompt caching. The token is looked for as
 *   written, in any case, with separators inserted ("a g - x 7 ..."),
 *   reversed, and base64-, hex- and rot13-encoded.
 * - Overlap: the share of the system prompt's word 5-grams (lower-cased
 *   words of letters, digits and non-ASCII bytes) that appear in the
 *   output. Quoting a phrase of the prompt is normal; reproducing half of
 *   it is a leak. Prompts shorter than MIN_NGRAMS 5-grams are judged by
 *   the canary only.
 *
 * A scan is incremental: feeding the output in pieces costs what feeding
 * it whole does (a rolling window of the last words and a tail of bytes
 * for the canary forms), so the gateway checks streamed output as it
 * goes. The n-grams of the prompt live in an open-addressing table of
 * 64-bit hashes (a false match needs a 64-bit collision).
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define NGRAM 5
#define MIN_NGRAMS 8
#define MAX_NGRAMS 65536
#define MAX_WORD 64
#define MAX_FORMS 16
#define FORM_MAX 96
#define TAIL 256 /* bytes kept for tokens split across pieces */

struct aigate_leak {
  uint64_t *table; /* prompt n-gram hashes, 0 = empty */
  size_t cap, total;
  char forms[MAX_FORMS][FORM_MAX]; /* canary forms, as searched */
  const char *form_names[MAX_FORMS];
  int form_fold[MAX_FORMS]; /* compare on the alphanumeric lower-case view */
  size_t n_forms;
};

struct aigate_leak_scan {
  const aigate_leak *lk;
  unsigned char *seen; /* per table slot: matched already */
  size_t matched;
  uint64_t words[NGRAM]; /* hashes of the last words */
  size_t n_words;
  char word[MAX_WORD];
  size_t word_len;
  char tail[TAIL * 2]; /* the last bytes, raw */
  size_t tail_len;
  char ftail[TAIL * 2]; /* ... and folded to lower-case alphanumerics */
  size_t ftail_len;
  const char *canary_form;
};

/* --------------------------------------------------------------- canary */

int aigate_canary(const void *secret, size_t secret_len, uint64_t now,
                  uint64_t period, char out[AIGATE_CANARY_SIZE]) {
  static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";
  if (!out || (!secret && secret_len) || sodium_init() < 0)
    return AIGATE_ERR_INVALID;
  unsigned char key[crypto_generichash_KEYBYTES];
  crypto_generichash(key, sizeof(key), secret, secret_len,
                     (const unsigned char *)"aigate-canary-key", 17);
  uint64_t n = period ? now / period : 0;
  unsigned char msg[8], h[16];
  for (int i = 0; i < 8; i++)
    msg[i] = (unsigned char)(n >> (8 * i));
  crypto_generichash(h, sizeof(h), msg, sizeof(msg), key, sizeof(key));
  sodium_memzero(key, sizeof(key));
  memcpy(out, "ag-", 3);
  for (int i = 0; i < 16; i++)
    out[3 + i] = b32[h[i] & 31];
  out[19] = '\0';
  return AIGATE_OK;
}

/* --------------------------------------------------------------- n-grams */

/* ASCII letters and digits without the locale (isalnum and tolower are
 * calls per byte, and their answers may vary with the locale). */
static int ascii_alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}

static char ascii_lower(unsigned char c) {
  return (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

static int word_byte(unsigned char c) {
  return ascii_alnum(c) || c >= 0x80;
}

static uint64_t hash_bytes(const char *p, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
  return h;
}

static uint64_t ngram_hash(const uint64_t *w) {
  uint64_t h = 0x9E3779B97F4A7C15ull;
  for (int i = 0; i < NGRAM; i++) {
    h ^= w[i] + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdull;
  }
  return h ? h : 1;
}

/* The slot of h in the table, or where it would go. */
static size_t slot(const aigate_leak *lk, uint64_t h) {
  size_t i = (size_t)(h & (lk->cap - 1));
  while (lk->table[i] && lk->table[i] != h)
    i = (i + 1) & (lk->cap - 1);
  return i;
}

/* Feed the words of text[0, n) to a rolling window; on each full window
 * call fn. The state (window, partial word) is the caller's. */
typedef void (*ngram_fn)(void *ud, uint64_t h);

static void words_feed(uint64_t *win, size_t *nw, char *word, size_t *wl,
                       const char *text, size_t n, int flush, ngram_fn fn,
                       void *ud) {
  /* The counts in locals: word's stores, a char's, could change them
   * for all the compiler knows, which would reload them at every byte. */
  size_t l = *wl, words = *nw;
  for (size_t i = 0; i <= n; i++) {
    int end = i == n;
    if (!end && word_byte((unsigned char)text[i])) {
      if (l < MAX_WORD)
        word[l++] = ascii_lower((unsigned char)text[i]);
      continue;
    }
    if (end && !flush)
      break;
    if (!l)
      continue;
    memmove(win, win + 1, (NGRAM - 1) * sizeof(*win));
    win[NGRAM - 1] = hash_bytes(word, l);
    l = 0;
    if (++words >= NGRAM)
      fn(ud, ngram_hash(win));
  }
  *wl = l;
  *nw = words;
}

static void add_prompt_ngram(void *ud, uint64_t h) {
  aigate_leak *lk = ud;
  if (lk->total >= MAX_NGRAMS)
    return;
  size_t i = slot(lk, h);
  if (!lk->table[i]) {
    lk->table[i] = h;
    lk->total++;
  }
}

/* ----------------------------------------------------------------- forms */

static void add_form(aigate_leak *lk, const char *s, size_t n, const char *name,
                     int fold) {
  if (lk->n_forms >= MAX_FORMS || n == 0 || n >= FORM_MAX)
    return;
  memcpy(lk->forms[lk->n_forms], s, n);
  lk->forms[lk->n_forms][n] = '\0';
  lk->form_names[lk->n_forms] = name;
  lk->form_fold[lk->n_forms] = fold;
  lk->n_forms++;
}

/* The canary's forms: folded (covers case and inserted separators),
 * reversed, rot13, hex, and base64 at the three alignments (the part of
 * the encoding that does not depend on what surrounds it). */
static void canary_forms(aigate_leak *lk, const char *c) {
  size_t n = strlen(c);
  if (n < 8 || n > 40)
    return;
  char f[FORM_MAX], r[FORM_MAX], rot[FORM_MAX];
  size_t fl = 0;
  for (size_t i = 0; i < n; i++)
    if (ascii_alnum((unsigned char)c[i]))
      f[fl++] = ascii_lower((unsigned char)c[i]);
  add_form(lk, f, fl, "raw", 1);
  for (size_t i = 0; i < fl; i++)
    r[i] = f[fl - 1 - i];
  add_form(lk, r, fl, "reversed", 1);
  for (size_t i = 0; i < fl; i++)
    rot[i] = f[i] >= 'a' && f[i] <= 'z' ? (char)('a' + (f[i] - 'a' + 13) % 26)
                                        : f[i];
  add_form(lk, rot, fl, "rot13", 1);
  char hex[FORM_MAX];
  for (size_t i = 0; i < n && 2 * i + 2 < FORM_MAX; i++) {
    static const char hx[] = "0123456789abcdef";
    hex[2 * i] = hx[(unsigned char)c[i] >> 4];
    hex[2 * i + 1] = hx[(unsigned char)c[i] & 15];
  }
  add_form(lk, hex, 2 * n, "hex", 1);
  for (size_t pad = 0; pad < 3; pad++) {
    unsigned char in[64] = {0};
    memcpy(in + pad, c, n);
    char b64[FORM_MAX * 2];
    sodium_bin2base64(b64, sizeof(b64), in, pad + n,
                      sodium_base64_VARIANT_ORIGINAL);
    /* Characters fed only by canary bytes: skip those touched by the
     * padding before it and by what comes after it. */
    size_t first = (pad * 8 + 5) / 6, last = ((pad + n) * 8) / 6;
    if (last > first)
      add_form(lk, b64 + first, last - first, "base64", 0);
  }
}

/* ---------------------------------------------------------------- public */

int aigate_leak_new(const char *prompt, size_t len, const char *const *canaries,
                    size_t n_canaries, aigate_leak **out) {
  if (!out)
    return AIGATE_ERR_INVALID;
  *out = NULL;
  if ((!prompt && len) || (!canaries && n_canaries))
    return AIGATE_ERR_INVALID;
  aigate_leak *lk = calloc(1, sizeof(*lk));
  if (!lk)
    return AIGATE_ERR_NOMEM;
  size_t est = len / 2 + 16;
  if (est > MAX_NGRAMS)
    est = MAX_NGRAMS;
  lk->cap = 64;
  while (lk->cap < est * 2)
    lk->cap <<= 1;
  if (!(lk->table = calloc(lk->cap, sizeof(*lk->table)))) {
    free(lk);
    return AIGATE_ERR_NOMEM;
  }
  uint64_t win[NGRAM] = {0};
  size_t nw = 0, wl = 0;
  char word[MAX_WORD];
  words_feed(win, &nw, word, &wl, prompt ? prompt : "", len, 1,
             add_prompt_ngram, lk);
  for (size_t i = 0; i < n_canaries; i++)
    if (canaries[i])
      canary_forms(lk, canaries[i]);
  *out = lk;
  return AIGATE_OK;
}

void aigate_leak_free(aigate_leak *lk) {
  if (!lk)
    return;
  free(lk->table);
  free(lk);
}

int aigate_leak_scan_new(const aigate_leak *lk, aigate_leak_scan **out) {
  if (!out)
    return AIGATE_ERR_INVALID;
  *out = NULL;
  if (!lk)
    return AIGATE_ERR_INVALID;
  aigate_leak_scan *sc = calloc(1, sizeof(*sc));
  if (!sc || !(sc->seen = calloc(lk->cap, 1))) {
    free(sc);
    return AIGATE_ERR_NOMEM;
  }
  sc->lk = lk;
  *out = sc;
  return AIGATE_OK;
}

void aigate_leak_scan_free(aigate_leak_scan *sc) {
  if (!sc)
    return;
  free(sc->seen);
  free(sc);
}

static void match_ngram(void *ud, uint64_t h) {
  aigate_leak_scan *sc = ud;
  size_t i = slot(sc->lk, h);
  if (sc->lk->table[i] == h && !sc->seen[i]) {
    sc->seen[i] = 1;
    sc->matched++;
  }
}

/* Append to a tail buffer, keeping its last TAIL bytes before the new
 * ones; search the forms in it. */
static const char *search_tail(aigate_leak_scan *sc, const char *text,
                               size_t n) {
  const aigate_leak *lk = sc->lk;
  const char *found = NULL;
  size_t i = 0;
  while (i < n) {
    size_t room = sizeof(sc->tail) - sc->tail_len;
    size_t take = n - i < room ? n - i : room;
    /* Only matches that end in the new bytes are new. */
    size_t old_raw = sc->tail_len, old_fold = sc->ftail_len;
    memcpy(sc->tail + sc->tail_len, text + i, take);
    sc->tail_len += take;
    for (size_t k = 0; k < take; k++) {
      unsigned char c = (unsigned char)text[i + k];
      if (ascii_alnum(c) && sc->ftail_len < sizeof(sc->ftail))
        sc->ftail[sc->ftail_len++] = ascii_lower(c);
    }
    for (size_t f = 0; f < lk->n_forms && !found; f++) {
      const char *hay = lk->form_fold[f] ? sc->ftail : sc->tail;
      size_t hl = lk->form_fold[f] ? sc->ftail_len : sc->tail_len;
      size_t fl = strlen(lk->forms[f]);
      size_t old = lk->form_fold[f] ? old_fold : old_raw;
      size_t p = old >= fl ? old - fl + 1 : 0;
      while (p + fl <= hl) {
        const char *q = memchr(hay + p, lk->forms[f][0], hl - fl + 1 - p);
        if (!q)
          break;
        if (!memcmp(q, lk->forms[f], fl)) {
          found = lk->form_names[f];
          break;
        }
        p = (size_t)(q - hay) + 1;
      }
    }
    i += take;
    if (sc->tail_len > TAIL) {
      memmove(sc->tail, sc->tail + sc->tail_len - TAIL, TAIL);
      sc->tail_len = TAIL;
    }
    if (sc->ftail_len > TAIL) {
      memmove(sc->ftail, sc->ftail + sc->ftail_len - TAIL, TAIL);
      sc->ftail_len = TAIL;
    }
  }
  return found;
}

static void fill(const aigate_leak_scan *sc, unsigned threshold_pct,
                 aigate_leak_result *res) {
  const aigate_leak *lk = sc->lk;
  memset(res, 0, sizeof(*res));
  res->canary = sc->canary_form != NULL;
  res->canary_form = sc->canary_form;
  res->matched = sc->matched;
  res->total = lk->total;
  res->overlap_pct = lk->total ? (unsigned)(sc->matched * 100 / lk->total) : 0;
  res->overlap = threshold_pct && lk->total >= MIN_NGRAMS &&
                 sc->matched * 100 >= (size_t)threshold_pct * lk->total;
  res->leak = res->canary || res->overlap;
}

int aigate_leak_scan_feed(aigate_leak_scan *sc, const char *text, size_t len,
                          int final, unsigned threshold_pct,
                          aigate_leak_result *res) {
  if (!sc || !res || (!text && len) || threshold_pct > 100)
    return AIGATE_ERR_INVALID;
  words_feed(sc->words, &sc->n_words, sc->word, &sc->word_len, text ? text : "",
             len, final, match_ngram, sc);
  if (!sc->canary_form && sc->lk->n_forms)
    sc->canary_form = search_tail(sc, text ? text : "", len);
  fill(sc, threshold_pct, res);
  return AIGATE_OK;
}

int aigate_leak_check(const aigate_leak *lk, const char *text, size_t len,
                      unsigned threshold_pct, aigate_leak_result *res) {
  aigate_leak_scan *sc;
  int rc = aigate_leak_scan_new(lk, &sc);
  if (rc)
    return rc;
  rc = aigate_leak_scan_feed(sc, text, len, 1, threshold_pct, res);
  aigate_leak_scan_free(sc);
  return rc;
}
