/*
 * test_normalize.c -- unit tests for the views and offset maps of
 * src/lib/normalize.c.
 *
 * Raw view: ASCII is passed through untouched (the view is the input),
 * invalid UTF-8 becomes U+FFFD and is noted with its exact span, NFC
 * composes e + U+0301 into é. Folded view: case fold, NFKC (full-width
 * letters), removal of zero-width, bidi and other invisible characters,
 * typographic quotes and dashes to ASCII, whitespace runs, split letters
 * joined, Cyrillic and Greek look-alikes folded only inside mixed-script
 * words (which are noted). For every transformation the spans reported by
 * ag_view_span must be the exact original bytes, because findings and
 * redactions are reported in the caller's text. The map primitives are
 * tested directly, and random hostile input checks that every span of every
 * view stays inside the input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "normalize.h"

/* Raw and folded views of one input, as the scanner builds them. */
typedef struct {
  const char *in;
  size_t n;
  ag_view_buf raw, folded;
  ag_norm_notes notes;
} views;

static void make_views(views *v, const char *in, size_t n) {
  memset(v, 0, sizeof(*v));
  v->in = in;
  v->n = n;
  assert_int_equal(ag_view_raw(in, n, &v->raw, &v->notes), 0);
  assert_int_equal(ag_view_folded(v->raw.p, v->raw.len, &v->folded, &v->notes),
                   0);
}

static void free_views(views *v) {
  ag_view_free(&v->raw);
  ag_view_free(&v->folded);
}

/* The folded view's bytes must be exactly `want`. */
static void expect_folded(const char *in, const char *want) {
  views v;
  make_views(&v, in, strlen(in));
  if (v.folded.len != strlen(want) ||
      memcmp(v.folded.p, want, v.folded.len) != 0)
    fail_msg("fold('%s') = '%.*s', want '%s'", in, (int)v.folded.len,
             v.folded.p, want);
  free_views(&v);
}

/* Original span of folded-view bytes [s, e), through both views. */
static void orig_span(const views *v, size_t s, size_t e, size_t *os,
                      size_t *oe) {
  size_t rs, re;
  ag_view_span(&v->folded, s, e, &rs, &re);
  ag_view_span(&v->raw, rs, re, os, oe);
}

/* The folded substring `needle` maps back to the original bytes `want`. */
static void expect_maps_to(const views *v, const char *needle,
                           const char *want) {
  const char *at = strstr(v->folded.p, needle);
  if (!at)
    fail_msg("'%s' not in the folded view '%s'", needle, v->folded.p);
  size_t s = (size_t)(at - v->folded.p), os, oe;
  orig_span(v, s, s + strlen(needle), &os, &oe);
  if (oe - os != strlen(want) || memcmp(v->in + os, want, oe - os) != 0)
    fail_msg("'%s' maps to [%zu,%zu) '%.*s', want '%s'", needle, os, oe,
             (int)(oe - os), v->in + os, want);
}

/* ------------------------------------------------------------ raw view */

static void test_raw_ascii_is_input(void **state) {
  (void)state;
  const char in[] = "Ignore ALL previous\tinstructions!\n";
  ag_view_buf v = {0};
  ag_norm_notes nt = {0};
  assert_int_equal(ag_view_raw(in, sizeof(in) - 1, &v, &nt), 0);
  assert_ptr_equal(v.p, in); /* no copy at all */
  assert_int_equal(v.len, sizeof(in) - 1);
  assert_int_equal(v.n_stages, 0);
  assert_int_equal(nt.n_invalid, 0);
  size_t os, oe;
  ag_view_span(&v, 7, 10, &os, &oe);
  assert_int_equal(os, 7);
  assert_int_equal(oe, 10);
  /* Empty input, and NUL bytes (ASCII too). */
  assert_int_equal(ag_view_raw("", 0, &v, &nt), 0);
  assert_int_equal(v.len, 0);
  assert_int_equal(ag_view_raw("a\0b", 3, &v, &nt), 0);
  assert_int_equal(v.len, 3);
  assert_memory_equal(v.p, "a\0b", 3);
  ag_view_free(&v);
}

/* Text already in NFC is its own raw view too; the first byte that
 * changes (here an invalid one after NFC text) makes a copy whose map
 * still covers what came before it. */
static void test_raw_nfc_is_input(void **state) {
  (void)state;
  const char in[] = "Z\xc3\xbcrich \xe6\x9d\xb1\xe4\xba\xac caf\xc3\xa9";
  ag_view_buf v = {0};
  ag_norm_notes nt = {0};
  assert_int_equal(ag_view_raw(in, sizeof(in) - 1, &v, &nt), 0);
  assert_ptr_equal(v.p, in);
  assert_int_equal(v.len, sizeof(in) - 1);
  assert_int_equal(v.n_stages, 0);
  const char bad[] = "Z\xc3\xbcrich caf\xc3\xa9 \xff!";
  assert_int_equal(ag_view_raw(bad, sizeof(bad) - 1, &v, &nt), 0);
  assert_int_equal(v.n_stages, 1);
  assert_int_equal(v.len, sizeof(bad) - 1 + 2);
  assert_memory_equal(v.p, "Z\xc3\xbcrich caf\xc3\xa9 \xef\xbf\xbd!", v.len);
  assert_int_equal(nt.n_invalid, 1);
  size_t os, oe;
  ag_view_span(&v, 0, 7, &os, &oe); /* "Zürich" */
  assert_int_equal(os, 0);
  assert_int_equal(oe, 7);
  ag_view_span(&v, 14, 17, &os, &oe); /* U+FFFD */
  assert_int_equal(os, 14);
  assert_int_equal(oe, 15);
  ag_view_span(&v, 17, 18, &os, &oe); /* "!" */
  assert_int_equal(os, 15);
  assert_int_equal(oe, 16);
  ag_view_free(&v);
}

static void test_raw_invalid_utf8(void **state) {
  (void)state;
  ag_view_buf v = {0};
  ag_norm_notes nt = {0};
  const char in[] = "ab\xff"
                    "cd";
  assert_int_equal(ag_view_raw(in, 5, &v, &nt), 0);
  assert_int_equal(v.len, 7);
  assert_memory_equal(v.p,
                      "ab\xef\xbf\xbd"
                      "cd",
                      7);
  assert_int_equal(nt.n_invalid, 1);
  assert_int_equal(nt.invalid[0][0], 2);
  assert_int_equal(nt.invalid[0][1], 3);
  size_t os, oe;
  ag_view_span(&v, 2, 5, &os, &oe); /* the U+FFFD */
  assert_int_equal(os, 2);
  assert_int_equal(oe, 3);
  ag_view_span(&v, 5, 7, &os, &oe); /* "cd" after it */
  assert_int_equal(os, 3);
  assert_int_equal(oe, 5);
  ag_view_span(&v, 0, 7, &os, &oe);
  assert_int_equal(os, 0);
  assert_int_equal(oe, 5);

  /* Adjacent bad bytes are one noted span; each becomes one U+FFFD. */
  memset(&nt, 0, sizeof(nt));
  assert_int_equal(ag_view_raw("x\xff\xfe\xc0\xafy", 6, &v, &nt), 0);
  assert_int_equal(v.len, 2 + 4 * 3);
  assert_int_equal(nt.n_invalid, 1);
  assert_int_equal(nt.invalid[0][0], 1);
  assert_int_equal(nt.invalid[0][1], 5);

  /* Truncated sequence at the end, a surrogate, an overlong form. */
  memset(&nt, 0, sizeof(nt));
  assert_int_equal(ag_view_raw("\xed\xa0\x80 \xe2\x82", 6, &v, &nt), 0);
  assert_memory_equal(v.p,
                      "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd"
                      "\xef\xbf\xbd",
                      v.len);
  assert_int_equal(nt.n_invalid, 2);
  assert_int_equal(nt.invalid[0][0], 0);
  assert_int_equal(nt.invalid[0][1], 3);
  assert_int_equal(nt.invalid[1][0], 4);
  assert_int_equal(nt.invalid[1][1], 6);

  /* Valid multi-byte text next to invalid bytes is kept. */
  memset(&nt, 0, sizeof(nt));
  assert_int_equal(ag_view_raw("\xc3\xa9\xff\xe2\x82\xac", 6, &v, &nt), 0);
  assert_int_equal(v.len, 8);
  assert_memory_equal(v.p, "\xc3\xa9\xef\xbf\xbd\xe2\x82\xac", 8);
  assert_int_equal(nt.n_invalid, 1);
  assert_int_equal(nt.invalid[0][0], 2);
  assert_int_equal(nt.invalid[0][1], 3);
  ag_view_span(&v, 5, 8, &os, &oe); /* the euro sign */
  assert_int_equal(os, 3);
  assert_int_equal(oe, 6);
  ag_view_free(&v);
}

static void test_raw_invalid_notes_bounded(void **state) {
  (void)state;
  /* 40 separate bad bytes: all counted, AG_MAX_NOTES stored. */
  char in[80];
  for (int i = 0; i < 40; i++) {
    in[2 * i] = 'a';
    in[2 * i + 1] = (char)0xff;
  }
  ag_view_buf v = {0};
  ag_norm_notes nt = {0};
  assert_int_equal(ag_view_raw(in, sizeof(in), &v, &nt), 0);
  assert_int_equal(nt.n_invalid, 40);
  for (int i = 0; i < AG_MAX_NOTES; i++) {
    assert_int_equal(nt.invalid[i][0], 2 * i + 1);
    assert_int_equal(nt.invalid[i][1], 2 * i + 2);
  }
  assert_int_equal(v.len, 40 * 4);
  /* Notes are optional. */
  assert_int_equal(ag_view_raw(in, sizeof(in), &v, NULL), 0);
  assert_int_equal(v.len, 40 * 4);
  ag_view_free(&v);
}

static void test_raw_nfc(void **state) {
  (void)state;
  ag_view_buf v = {0};
  ag_norm_notes nt = {0};
  /* "cafe" + U+0301 + "!" composes to "café!". */
  const char in[] = "cafe\xcc\x81!";
  assert_int_equal(ag_view_raw(in, sizeof(in) - 1, &v, &nt), 0);
  assert_int_equal(v.len, 6);
  assert_memory_equal(v.p, "caf\xc3\xa9!", 6);
  size_t os, oe;
  ag_view_span(&v, 3, 5, &os, &oe); /* é -> e and the combining acute */
  assert_int_equal(os, 3);
  assert_int_equal(oe, 6);
  ag_view_span(&v, 4, 5, &os, &oe); /* any byte of é: the whole cluster */
  assert_int_equal(os, 3);
  assert_int_equal(oe, 6);
  ag_view_span(&v, 0, 3, &os, &oe);
  assert_int_equal(os, 0);
  assert_int_equal(oe, 3);
  ag_view_span(&v, 5, 6, &os, &oe);
  assert_int_equal(os, 6);
  assert_int_equal(oe, 7);
  ag_view_span(&v, 0, 6, &os, &oe);
  assert_int_equal(os, 0);
  assert_int_equal(oe, 7);
  assert_int_equal(nt.n_invalid, 0);

  /* Already composed text is unchanged and maps one to one. */
  assert_int_equal(ag_view_raw("caf\xc3\xa9", 5, &v, &nt), 0);
  assert_int_equal(v.len, 5);
  assert_memory_equal(v.p, "caf\xc3\xa9", 5);
  ag_view_span(&v, 3, 5, &os, &oe);
  assert_int_equal(os, 3);
  assert_int_equal(oe, 5);

  /* Raw keeps case, full-width letters and invisible characters. */
  const char fw[] = "\xef\xbc\xa9x\xe2\x80\x8b";
  assert_int_equal(ag_view_raw(fw, sizeof(fw) - 1, &v, &nt), 0);
  assert_int_equal(v.len, sizeof(fw) - 1);
  assert_memory_equal(v.p, fw, v.len);

  /* A combining mark with no starter stays as it is. */
  assert_int_equal(ag_view_raw("\xcc\x81x", 3, &v, &nt), 0);
  assert_int_equal(v.len, 3);
  assert_memory_equal(v.p, "\xcc\x81x", 3);
  ag_view_free(&v);
}

/* --------------------------------------------------------- folded view */

static void test_folded_case(void **state) {
  (void)state;
  expect_folded("\xc3\x84"
                "BC",
                "\xc3\xa4"
                "bc"); /* ÄBC -> äbc */
  expect_folded("IGNORE Previous", "ignore previous");
  expect_folded("STRASSE Stra\xc3\x9f"
                "e",
                "strasse strasse"); /* ß */
  expect_folded("\xce\xa3\xce\x99\xce\x93\xce\x9c\xce\x91",
                "\xcf\x83\xce\xb9\xce\xb3\xce\xbc\xce\xb1"); /* ΣΙΓΜΑ */
  expect_folded("", "");
  expect_folded("123 !?", "123 !?");
}

static void test_folded_fullwidth(void **state) {
  (void)state;
  /* ＩＧＮＯＲＥ (U+FF29 ...) */
  expect_folded("\xef\xbc\xa9\xef\xbc\xa7\xef\xbc\xae\xef\xbc\xaf\xef\xbc\xb2"
                "\xef\xbc\xa5",
                "ignore");
  /* ｉｇｎｏｒｅ, mathematical bold 𝐢, circled ⓘ, ligature ﬁ */
  expect_folded("\xef\xbd\x89\xef\xbd\x87\xef\xbd\x8e\xef\xbd\x8f\xef\xbd\x92"
                "\xef\xbd\x85",
                "ignore");
  expect_folded("\xf0\x9d\x90\xa2gnore", "ignore");
  expect_folded("\xef\xac\x81le", "file");
}

/* Letters in styles NFKC leaves alone (cpstable.h: ag_styled_cp) read as
 * letters; overlays that strike or underline them are removed. */
static void test_folded_styled_letters(void **state) {
  (void)state;
  /* Small capitals, one of them ASCII as text generators write them. */
  expect_folded("\xc9\xaa\xc9\xa2\xc9\xb4\xe1\xb4\x8f\xca\x80\xe1\xb4\x87 "
                "\xe1\xb4\x80\xca\x9f\xca\x9f s\xca\x8f\xea\x9c\xb1",
                "ignore all sys");
  /* Negative circled and negative squared capitals, regional indicators. */
  expect_folded("\xf0\x9f\x85\x98\xf0\x9f\x85\x96 "
                "\xf0\x9f\x85\xb8\xf0\x9f\x85\xb6 "
                "\xf0\x9f\x87\xae\xf0\x9f\x87\xac",
                "ig ig ig");
  /* Parenthesized letters: a letter, not NFKC's "(i)". */
  expect_folded("\xe2\x92\xa4\xe2\x92\xa2\xe2\x92\xa9", "ign");
  /* Modifier small capital I: NFKC would stop at the small capital. */
  expect_folded("\xe1\xb6\xa6\xe1\xb5\x8d\xe2\x81\xbf", "ign");
  /* Strike-through, underline, slash and overline overlays. */
  expect_folded("i\xcc\xb6g\xcc\xb6n\xcc\xb6 i\xcc\xb2g\xcc\xb2 "
                "i\xcc\xb8 i\xcc\x85",
                "ign ig i i");
  /* Other marks stay: an acute accent composes as before. */
  expect_folded("e\xcc\x81", "\xc3\xa9");
  /* A styled word maps back to its own bytes. */
  views v;
  const char *in = "say \xf0\x9f\x85\xb8\xf0\x9f\x85\xb6 now";
  make_views(&v, in, strlen(in));
  expect_maps_to(&v, "ig", "\xf0\x9f\x85\xb8\xf0\x9f\x85\xb6");
  expect_maps_to(&v, "now", "now");
  free_views(&v);
}

static void test_folded_invisible(void **state) {
  (void)state;
  expect_folded("ig\xe2\x80\x8bno\xe2\x80\x8cre", "ignore"); /* ZWSP ZWNJ */
  expect_folded("ig\xe2\x80\x8dno\xef\xbb\xbfre", "ignore"); /* ZWJ BOM */
  expect_folded("\xe2\x80\xaeignore\xe2\x80\xac", "ignore"); /* RLO PDF */
  expect_folded("ig\xe2\x81\xa0nore\xe2\x81\xa6", "ignore"); /* WJ LRI */
  expect_folded("ig\xc2\xadnore", "ignore");                 /* soft hyphen */
  expect_folded("igno\xef\xb8\x8fre", "ignore");             /* VS16 */
  expect_folded("ign\xf3\xa0\x81\xa9ore", "ignore");         /* tag char */
  /* Invisible characters only: an empty view. */
  expect_folded("\xe2\x80\x8b\xe2\x80\x8b", "");
}

static void test_folded_punctuation(void **state) {
  (void)state;
  /* “hi” ‘yo’ a—b c–d */
  expect_folded("\xe2\x80\x9chi\xe2\x80\x9d \xe2\x80\x98yo\xe2\x80\x99 "
                "a\xe2\x80\x94"
                "b c\xe2\x80\x93"
                "d",
                "\"hi\" 'yo' a-b c-d");
  /* „low“ ‚low‘ ‟reversed” ‛x */
  expect_folded("\xe2\x80\x9elow\xe2\x80\x9c \xe2\x80\x9alow\xe2\x80\x98 "
                "\xe2\x80\x9frev\xe2\x80\x9d \xe2\x80\x9bx",
                "\"low\" 'low' \"rev\" 'x");
  /* The folded quote maps back to the three bytes of the original. */
  views v;
  make_views(&v, "say \xe2\x80\x9cyes\xe2\x80\x9d", 13);
  expect_maps_to(&v, "\"yes\"", "\xe2\x80\x9cyes\xe2\x80\x9d");
  free_views(&v);
  /* Non-breaking and other spaces are spaces. */
  expect_folded("ab\xc2\xa0"
                "cd\xe2\x80\x83"
                "ef",
                "ab cd ef");
}

static void test_folded_whitespace(void **state) {
  (void)state;
  expect_folded("a  b", "a b");
  expect_folded("a \t \t b", "a b");
  expect_folded("a\tb", "a b");
  expect_folded("a \n\n  b", "a\nb");
  expect_folded("a\r\nb", "a\nb");
  expect_folded("a\nb", "a\nb");
  expect_folded("a b", "a b");
  expect_folded("   lead and trail   ", " lead and trail ");
  expect_folded("\n\n\n", "\n");
}

static void test_folded_split_letters(void **state) {
  (void)state;
  expect_folded("i.g.n.o.r.e", "ignore");
  expect_folded("i g n o r e", "ignore");
  expect_folded("i-g-n-o-r-e", "ignore");
  expect_folded("I_G_N_O_R_E previous", "ignore previous");
  expect_folded("please i g n o r e all", "please ignore all");
  expect_folded("(i*g*n*o*r*e)", "(ignore)");
  /* Three letters is the minimum; two stay apart. */
  expect_folded("a.b", "a.b");
  expect_folded("a b c", "abc");
  /* The separator must be one repeated character. */
  expect_folded("i.g-n.o", "i.g-n.o");
  expect_folded("i..g..n..o", "i..g..n..o");
  /* Abbreviations: two letters stay, three join into one word. */
  expect_folded("U.S. army", "u.s. army");
  expect_folded("the U.S.A. army", "the usa. army");
  expect_folded("e.g. this", "e.g. this");
  /* Letters of a word are not lone: only c, d and e join here. */
  expect_folded("ab.c.d.e", "ab.cde");
  expect_folded("ab.c", "ab.c");
  /* Folding happens first: full-width split letters join too. */
  expect_folded("\xef\xbc\xa9.\xef\xbc\xa7.\xef\xbc\xae", "ign");
}

/* The collapse stage skips blocks of bytes it would leave unchanged: a
 * whitespace run or split letters must be found wherever they sit
 * relative to those blocks, and map back to their original bytes. */
static void test_folded_block_offsets(void **state) {
  (void)state;
  static const struct {
    const char *in, *want;
  } cases[] = {
      {"i.g.n.o.r.e", "ignore"}, {"i g n o r e", "ignore"},
      {"foo  bar", "foo bar"},   {"foo \t\r\n  bar", "foo\nbar"},
      {"foo\tbar", "foo bar"},   {"foo\n\nbar", "foo\nbar"},
      {"a.b and", "a.b and"},    {"x.y.z", "xyz"},
  };
  char in[160], want[160];
  for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
    for (int k = 0; k < 48; k++) {
      /* k + 2 letters, a space, the case, a space, 40 letters. */
      snprintf(in, sizeof(in), "%.*s %s %.40s", k + 2,
               "wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww",
               cases[c].in, "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz");
      snprintf(want, sizeof(want), "%.*s %s %.40s", k + 2,
               "wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww",
               cases[c].want, "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz");
      expect_folded(in, want);
      if (strcmp(cases[c].want, "ignore") == 0) {
        views v;
        make_views(&v, in, strlen(in));
        expect_maps_to(&v, "ignore", cases[c].in);
        free_views(&v);
      }
    }
}

static void test_folded_lookalikes(void **state) {
  (void)state;
  views v;
  /* pаssword with a Cyrillic а (U+0430) in a Latin word. */
  const char mixed[] = "my p\xd0\xb0ssword is";
  make_views(&v, mixed, strlen(mixed));
  assert_int_equal(v.folded.len, strlen("my password is"));
  assert_memory_equal(v.folded.p, "my password is", v.folded.len);
  assert_int_equal(v.notes.n_mixed, 1);
  assert_int_equal(v.notes.mixed[0][0], 3); /* the whole word, raw coords */
  assert_int_equal(v.notes.mixed[0][1], 12);
  expect_maps_to(&v, "password", "p\xd0\xb0ssword");
  expect_maps_to(&v, "a", "\xd0\xb0"); /* the folded a is the Cyrillic а */
  expect_maps_to(&v, "is", "is");
  free_views(&v);

  /* An all-Cyrillic word is left alone and not noted. */
  const char cyr[] = "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 world";
  make_views(&v, cyr, strlen(cyr));
  assert_int_equal(v.folded.len, strlen(cyr));
  assert_memory_equal(v.folded.p, cyr, v.folded.len);
  assert_int_equal(v.notes.n_mixed, 0);
  free_views(&v);
  /* ПРИВЕТ folds to привет, still Cyrillic. */
  expect_folded("\xd0\x9f\xd0\xa0\xd0\x98\xd0\x92\xd0\x95\xd0\xa2",
                "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82");

  /* Upper-case look-alikes are case-folded first: Сору (Cyrillic С, о, р, у)
   * next to Latin letters. */
  expect_folded("\xd0\xa1\xd0\xbe\xd1\x80y this", "copy this");
  /* Greek in a Latin word: αdmin with a Greek alpha. */
  expect_folded("\xce\xb1"
                "dmin",
                "admin");
  /* Separate words of different scripts are not mixed. */
  expect_folded("hello \xd0\xbc\xd0\xb8\xd1\x80",
                "hello \xd0\xbc\xd0\xb8\xd1\x80");
  /* Letters without a look-alike stay, and the word is still noted. */
  make_views(&v, "pa\xd0\xb6ss", 6);
  assert_int_equal(v.notes.n_mixed, 1);
  assert_memory_equal(v.folded.p, "pa\xd0\xb6ss", 6);
  free_views(&v);
}

static void test_mixed_notes(void **state) {
  (void)state;
  /* Two mixed words, after a full-width word and a zero-width space:
   * notes are in the raw view's coordinates. */
  const char in[] = "\xef\xbc\xa1 x\xe2\x80\x8b s\xd0\xb5nd t\xd0\xbe ";
  views v;
  make_views(&v, in, strlen(in));
  assert_string_equal(v.folded.p, "a x send to ");
  assert_int_equal(v.notes.n_mixed, 2);
  /* "sеnd" is at bytes 9..14 of the input ("Ａ x" + ZWSP + " "). */
  assert_int_equal(v.notes.mixed[0][0], 9);
  assert_int_equal(v.notes.mixed[0][1], 14);
  assert_int_equal(v.notes.mixed[1][0], 15);
  assert_int_equal(v.notes.mixed[1][1], 18);
  free_views(&v);

  /* Many mixed words: counted past the stored maximum. */
  char many[40 * 4 + 1];
  for (int i = 0; i < 40; i++)
    memcpy(many + 4 * i,
           "\xd0\xb0"
           "b ",
           4);
  many[160] = '\0';
  make_views(&v, many, 160);
  assert_int_equal(v.notes.n_mixed, 40);
  assert_int_equal(v.notes.mixed[15][0], 60);
  assert_int_equal(v.notes.mixed[15][1], 63);
  free_views(&v);
}

/* Runs of letters that stay as they are are emitted together: offsets
 * still map back exactly around letters that change (capitals fold), an
 * invalid byte and a combining mark that joins the letter before it. */
static void test_stable_runs_map_back(void **state) {
  (void)state;
  /* "ДА привет" + 0xFF + "мир й" (й as и + U+0306) + "миР" */
  const char in[] = "\xd0\x94\xd0\x90 \xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2"
                    "\xd0\xb5\xd1\x82\xff\xd0\xbc\xd0\xb8\xd1\x80 "
                    "\xd0\xb8\xcc\x86 \xd0\xbc\xd0\xb8\xd0\xa0";
  views v;
  make_views(&v, in, strlen(in));
  assert_string_equal(v.folded.p,
                      "\xd0\xb4\xd0\xb0 \xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2"
                      "\xd0\xb5\xd1\x82\xef\xbf\xbd\xd0\xbc\xd0\xb8\xd1\x80"
                      " \xd0\xb9 \xd0\xbc\xd0\xb8\xd1\x80");
  /* Each folded piece and the original text it must map to. */
  static const char *const pieces[][2] = {
      {"\xd0\xb4\xd0\xb0", "\xd0\x94\xd0\x90"},
      {"\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82",
       "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82"},
      {"\xef\xbf\xbd\xd0\xbc", "\xff\xd0\xbc"},
      {"\xd0\xb9", "\xd0\xb8\xcc\x86"},
      {" \xd0\xbc\xd0\xb8\xd1\x80", " \xd0\xbc\xd0\xb8\xd0\xa0"},
  };
  for (size_t k = 0; k < sizeof(pieces) / sizeof(pieces[0]); k++)
    expect_maps_to(&v, pieces[k][0], pieces[k][1]);
  free_views(&v);
}

/* A code point alone is normalized once per view and remembered: a second
 * occurrence gives the same bytes and maps back to its own place, also
 * for one whose folding is longer than what is remembered (U+FDFA), one
 * folded away (U+FEFF) and two that share a slot of the table (U+00B0 and
 * U+2030: the same code point modulo the table size). */
static void test_lone_code_points_repeat(void **state) {
  (void)state;
  const char *in = "58\xc2\xb0N \xef\xbb\xbf/ 8\xc2\xb0W\xe2\x80\xb0 "
                   "\xef\xb7\xba x \xef\xb7\xba \xd0\x94\xd0\x94";
  views v;
  make_views(&v, in, strlen(in));
  const char *fdfa = "\xd8\xb5\xd9\x84\xd9\x89 \xd8\xa7\xd9\x84\xd9\x84"
                     "\xd9\x87 \xd8\xb9\xd9\x84\xd9\x8a\xd9\x87 \xd9\x88"
                     "\xd8\xb3\xd9\x84\xd9\x85";
  char want[256];
  snprintf(want, sizeof(want),
           "58\xc2\xb0n / 8\xc2\xb0w\xe2\x80\xb0 %s x %s "
           "\xd0\xb4\xd0\xb4",
           fdfa, fdfa);
  assert_string_equal(v.folded.p, want);
  static const char *const pieces[][2] = {
      {"8\xc2\xb0w", "8\xc2\xb0W"},
      {"\xe2\x80\xb0", "\xe2\x80\xb0"},
      {"/", "/"},
      {"x", "x"},
      {"\xd0\xb4\xd0\xb4", "\xd0\x94\xd0\x94"},
  };
  for (size_t k = 0; k < sizeof(pieces) / sizeof(pieces[0]); k++)
    expect_maps_to(&v, pieces[k][0], pieces[k][1]);
  /* The second U+FDFA maps to its own three bytes. */
  const char *second = strstr(strstr(v.folded.p, fdfa) + 1, fdfa);
  size_t s = (size_t)(second - v.folded.p), os, oe;
  orig_span(&v, s, s + strlen(fdfa), &os, &oe);
  assert_int_equal(os, strlen(in) - 8);
  assert_int_equal(oe, strlen(in) - 5);
  free_views(&v);
}

/* Mixed-script words are looked for only in texts with a Greek or
 * Cyrillic lead byte: one after a long Devanagari run (past the vector
 * blocks) or at the very end is still found, and a text without any has
 * no note. */
static void test_mixed_notes_other_scripts(void **state) {
  (void)state;
  /* "नमस्ते " (Devanagari, 19 bytes) three times, then a word. */
  const char hi[] = "\xe0\xa4\xa8\xe0\xa4\xae\xe0\xa4\xb8\xe0\xa5\x8d"
                    "\xe0\xa4\xa4\xe0\xa5\x87 ";
  char in[3 * 19 + 16];
  for (int k = 0; k < 3; k++)
    memcpy(in + 19 * k, hi, 19);
  const char *words[] = {"p\xd0\xb0ss", "pass", "pas\xcf\x83"};
  const size_t want[] = {1, 0, 1};
  for (size_t w = 0; w < 3; w++) {
    size_t n = 57 + strlen(words[w]);
    memcpy(in + 57, words[w], strlen(words[w]));
    ag_norm_notes nt;
    memset(&nt, 0, sizeof(nt));
    ag_note_mixed_scripts(in, n, &nt);
    assert_int_equal(nt.n_mixed, want[w]);
    if (want[w]) {
      assert_int_equal(nt.mixed[0][0], 57);
      assert_int_equal(nt.mixed[0][1], n);
    }
  }
}

/* -------------------------------------------------------- span mapping */

static void test_folded_spans(void **state) {
  (void)state;
  views v;
  /* Full-width letters, a zero-width space, a tab run, split letters,
   * a Cyrillic look-alike and a composed character, in one text. */
  const char in[] = "Say \xef\xbc\xa9\xef\xbc\xa7\xef\xbc\xae\xef\xbc\xaf"
                    "\xef\xbc\xb2\xef\xbc\xa5 pre\xe2\x80\x8bvious \t\t "
                    "i.n.s.t.r.u.c.t.i.o.n.s, p\xd0\xb0ss cafe\xcc\x81 END";
  make_views(&v, in, strlen(in));
  assert_string_equal(v.folded.p,
                      "say ignore previous instructions, pass caf\xc3\xa9 end");
  expect_maps_to(&v, "say", "Say");
  expect_maps_to(&v, "ignore",
                 "\xef\xbc\xa9\xef\xbc\xa7\xef\xbc\xae\xef\xbc\xaf\xef\xbc"
                 "\xb2\xef\xbc\xa5");
  expect_maps_to(&v, "gn", "\xef\xbc\xa7\xef\xbc\xae");
  expect_maps_to(&v, "previous", "pre\xe2\x80\x8bvious");
  expect_maps_to(&v, "vious", "vious");
  expect_maps_to(&v, "instructions", "i.n.s.t.r.u.c.t.i.o.n.s");
  expect_maps_to(&v, "nst", "n.s.t");
  expect_maps_to(&v, "previous instructions",
                 "pre\xe2\x80\x8bvious \t\t i.n.s.t.r.u.c.t.i.o.n.s");
  expect_maps_to(&v, "pass", "p\xd0\xb0ss");
  expect_maps_to(&v, "caf\xc3\xa9", "cafe\xcc\x81");
  expect_maps_to(&v, "\xc3\xa9", "e\xcc\x81");
  expect_maps_to(&v, "end", "END");
  /* The collapsed whitespace run maps to all of it. */
  const char *sp = strstr(v.folded.p, "s i") + 1;
  size_t s = (size_t)(sp - v.folded.p), os, oe;
  orig_span(&v, s, s + 1, &os, &oe);
  assert_int_equal(oe - os, 4);
  assert_memory_equal(in + os, " \t\t ", 4);
  /* The whole view maps to the whole input. */
  orig_span(&v, 0, v.folded.len, &os, &oe);
  assert_int_equal(os, 0);
  assert_int_equal(oe, strlen(in));
  free_views(&v);
}

static void test_view_reuse(void **state) {
  (void)state;
  /* One view buffer reused for different inputs keeps no stale state. */
  ag_view_buf raw = {0}, folded = {0};
  ag_norm_notes nt = {0};
  const char *inputs[] = {"\xef\xbc\xa9 long text with   spaces", "x",
                          "p\xd0\xb0ss", "", "plain ascii"};
  const char *want[] = {"i long text with spaces", "x", "pass", "",
                        "plain ascii"};
  for (int round = 0; round < 2; round++)
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
      assert_int_equal(ag_view_raw(inputs[i], strlen(inputs[i]), &raw, &nt), 0);
      assert_int_equal(ag_view_folded(raw.p, raw.len, &folded, &nt), 0);
      assert_int_equal(folded.len, strlen(want[i]));
      assert_memory_equal(folded.p, want[i], folded.len);
    }
  ag_view_free(&raw);
  ag_view_free(&folded);
}

static void test_map_linear(void **state) {
  (void)state;
  ag_map m = {0};
  size_t os, oe;
  /* No segments: identity. */
  ag_map_span(&m, 3, 9, &os, &oe);
  assert_int_equal(os, 3);
  assert_int_equal(oe, 9);
  /* view [0,5) -> src [10,15); view [5,9) -> src [20,24). */
  ag_map_add(&m, 0, 10, 5, 1);
  ag_map_add(&m, 5, 20, 4, 1);
  assert_int_equal(m.n, 2);
  ag_map_span(&m, 0, 5, &os, &oe);
  assert_int_equal(os, 10);
  assert_int_equal(oe, 15);
  ag_map_span(&m, 2, 7, &os, &oe);
  assert_int_equal(os, 12);
  assert_int_equal(oe, 22);
  ag_map_span(&m, 8, 9, &os, &oe);
  assert_int_equal(os, 23);
  assert_int_equal(oe, 24);
  /* A segment that continues the previous one in both texts merges. */
  ag_map_add(&m, 9, 24, 3, 1);
  assert_int_equal(m.n, 2);
  ag_map_span(&m, 6, 12, &os, &oe);
  assert_int_equal(os, 21);
  assert_int_equal(oe, 27);
  ag_map_free(&m);
  assert_int_equal(m.n, 0);
  assert_null(m.s);
}

static void test_map_nonlinear(void **state) {
  (void)state;
  ag_map m = {0};
  size_t os, oe;
  /* view [0,2) linear -> [0,2); view [2,3) one byte for src [2,8) (an
   * entity, say); view [3,6) linear -> [8,11); view [6,10) a decoded blob
   * for src [11,30). */
  ag_map_add(&m, 0, 0, 2, 1);
  ag_map_add(&m, 2, 2, 6, 0);
  ag_map_add(&m, 3, 8, 3, 1);
  ag_map_add(&m, 6, 11, 19, 0);
  assert_int_equal(m.n, 4);
  ag_map_span(&m, 2, 3, &os, &oe);
  assert_int_equal(os, 2);
  assert_int_equal(oe, 8);
  ag_map_span(&m, 1, 4, &os, &oe); /* across linear, non-linear, linear */
  assert_int_equal(os, 1);
  assert_int_equal(oe, 9);
  ag_map_span(&m, 7, 8, &os, &oe); /* inside a blob: all of it */
  assert_int_equal(os, 11);
  assert_int_equal(oe, 30);
  ag_map_span(&m, 4, 10, &os, &oe);
  assert_int_equal(os, 9);
  assert_int_equal(oe, 30);
  ag_map_span(&m, 0, 10, &os, &oe);
  assert_int_equal(os, 0);
  assert_int_equal(oe, 30);
  /* Non-linear segments never merge, even when contiguous. */
  ag_map_add(&m, 10, 30, 2, 0);
  assert_int_equal(m.n, 5);
  ag_map_span(&m, 10, 11, &os, &oe);
  assert_int_equal(os, 30);
  assert_int_equal(oe, 32);
  /* An empty segment (a separator mapped to nothing) is replaced by the
   * next one at the same view offset. */
  ag_map_add(&m, 11, 40, 0, 0);
  ag_map_add(&m, 11, 41, 5, 1);
  assert_int_equal(m.n, 6);
  ag_map_span(&m, 11, 13, &os, &oe);
  assert_int_equal(os, 41);
  assert_int_equal(oe, 43);
  /* A zero-length source range yields an empty, not inverted, span. */
  ag_map m2 = {0};
  ag_map_add(&m2, 0, 7, 0, 0);
  ag_map_span(&m2, 0, 1, &os, &oe);
  assert_int_equal(os, 7);
  assert_int_equal(oe, 7);
  ag_map_free(&m2);
  ag_map_free(&m);
}

static void test_map_many_segments(void **state) {
  (void)state;
  /* Thousands of alternating segments: binary search finds each one. */
  ag_map m = {0};
  for (size_t i = 0; i < 5000; i++)
    ag_map_add(&m, i, i * 3, (i & 1) ? 3 : 1, (int)(i & 1));
  assert_int_equal(m.n, 5000);
  for (size_t i = 0; i < 5000; i += 37) {
    size_t os, oe;
    ag_map_span(&m, i, i + 1, &os, &oe);
    assert_int_equal(os, i * 3);
    assert_int_equal(oe, i * 3 + 1);
  }
  ag_map_free(&m);
}

/* ------------------------------------------------------ UTF-8 helpers */

static void test_utf8_decode(void **state) {
  (void)state;
  int cp = -1;
  assert_int_equal(ag_utf8_decode((const unsigned char *)"A", 1, &cp), 1);
  assert_int_equal(cp, 'A');
  assert_int_equal(ag_utf8_decode((const unsigned char *)"\x7f", 1, &cp), 1);
  assert_int_equal(ag_utf8_decode((const unsigned char *)"\xc2\x80", 2, &cp),
                   2);
  assert_int_equal(cp, 0x80);
  assert_int_equal(
      ag_utf8_decode((const unsigned char *)"\xe2\x82\xac", 3, &cp), 3);
  assert_int_equal(cp, 0x20AC);
  assert_int_equal(
      ag_utf8_decode((const unsigned char *)"\xf4\x8f\xbf\xbf", 4, &cp), 4);
  assert_int_equal(cp, 0x10FFFF);
  /* Invalid: lone continuation, overlong, surrogate, > U+10FFFF, short. */
  const char *bad[] = {
      "\x80",         "\xc0\xaf",         "\xc1\xbf",         "\xe0\x80\xaf",
      "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff",
      "\xc3\x28"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
    assert_int_equal(
        ag_utf8_decode((const unsigned char *)bad[i], strlen(bad[i]), &cp), 0);
  /* A valid sequence cut short by n. */
  assert_int_equal(
      ag_utf8_decode((const unsigned char *)"\xe2\x82\xac", 2, &cp), 0);
}

static void test_is_ascii(void **state) {
  (void)state;
  char buf[33];
  memset(buf, 'a', sizeof(buf));
  assert_true(ag_is_ascii(buf, 0));
  assert_true(ag_is_ascii(buf, sizeof(buf)));
  /* A high byte anywhere, in the word loop or the tail. */
  for (size_t i = 0; i < sizeof(buf); i++) {
    buf[i] = (char)0x80;
    assert_false(ag_is_ascii(buf, sizeof(buf)));
    buf[i] = 'a';
  }
  buf[32] = (char)0xff;
  assert_true(ag_is_ascii(buf, 32)); /* outside n: not looked at */
}

/* ---------------------------------------------------- hostile input */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static unsigned rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (unsigned)(rng >> 32);
}

static void test_random_spans_in_bounds(void **state) {
  (void)state;
  /* Random mixes of ASCII, separators, multibyte letters, combining
   * marks, invisible characters and invalid bytes: every byte of every
   * view maps inside the input, and the whole view to a span in it. */
  static const char *pieces[] = {"a",
                                 "B",
                                 " ",
                                 "\t",
                                 "\n",
                                 ".",
                                 "-",
                                 "\xcc\x81",
                                 "\xd0\xb0",
                                 "\xd0\x9f",
                                 "\xef\xbc\xa9",
                                 "\xe2\x80\x8b",
                                 "\xe2\x80\xae",
                                 "\xff",
                                 "\xe2\x82",
                                 "\xc3\xa9",
                                 "\xce\xb1",
                                 "\xf0\x9f\x98\x80",
                                 "\xe2\x80\x9c",
                                 "\xf3\xa0\x81\xa9",
                                 "\0",
                                 "\xea\xb0\x80",
                                 "\xe1\x84\x80"};
  char in[512];
  for (int round = 0; round < 300; round++) {
    size_t n = 0;
    while (n < sizeof(in) - 8) {
      const char *p = pieces[rnd() % (sizeof(pieces) / sizeof(pieces[0]))];
      size_t l = p[0] ? strlen(p) : 1;
      if (rnd() % 64 == 0)
        break;
      memcpy(in + n, p, l);
      n += l;
    }
    views v;
    make_views(&v, in, n);
    for (size_t i = 0; i < v.folded.len; i++) {
      size_t os, oe;
      orig_span(&v, i, i + 1, &os, &oe);
      assert_true(os < oe);
      assert_true(oe <= n);
    }
    for (size_t i = 0; i < v.raw.len; i++) {
      size_t os, oe;
      ag_view_span(&v.raw, i, i + 1, &os, &oe);
      assert_true(os < oe);
      assert_true(oe <= n);
    }
    if (v.folded.len) {
      size_t os, oe;
      orig_span(&v, 0, v.folded.len, &os, &oe);
      assert_true(os < oe && oe <= n);
    }
    /* The folded view is valid UTF-8 without tabs or double spaces. */
    for (size_t i = 0; i < v.folded.len;) {
      int cp;
      size_t l = ag_utf8_decode((const unsigned char *)v.folded.p + i,
                                v.folded.len - i, &cp);
      assert_true(l > 0);
      assert_true(cp != '\t' && cp != '\r');
      i += l;
    }
    assert_null(strstr(v.folded.p, "  "));
    free_views(&v);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_raw_ascii_is_input),
      cmocka_unit_test(test_raw_nfc_is_input),
      cmocka_unit_test(test_raw_invalid_utf8),
      cmocka_unit_test(test_raw_invalid_notes_bounded),
      cmocka_unit_test(test_raw_nfc),
      cmocka_unit_test(test_folded_case),
      cmocka_unit_test(test_folded_fullwidth),
      cmocka_unit_test(test_folded_styled_letters),
      cmocka_unit_test(test_folded_invisible),
      cmocka_unit_test(test_folded_punctuation),
      cmocka_unit_test(test_folded_whitespace),
      cmocka_unit_test(test_folded_split_letters),
      cmocka_unit_test(test_folded_block_offsets),
      cmocka_unit_test(test_folded_lookalikes),
      cmocka_unit_test(test_mixed_notes),
      cmocka_unit_test(test_mixed_notes_other_scripts),
      cmocka_unit_test(test_stable_runs_map_back),
      cmocka_unit_test(test_lone_code_points_repeat),
      cmocka_unit_test(test_folded_spans),
      cmocka_unit_test(test_view_reuse),
      cmocka_unit_test(test_map_linear),
      cmocka_unit_test(test_map_nonlinear),
      cmocka_unit_test(test_map_many_segments),
      cmocka_unit_test(test_utf8_decode),
      cmocka_unit_test(test_is_ascii),
      cmocka_unit_test(test_random_spans_in_bounds),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
