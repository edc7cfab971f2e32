/*
 * test_langreq.c -- unit tests for the requests in other languages that
 * the trainer generates (src/lib/langreq.c): the same pick gives the same
 * text, every entry of every language's tables is reached and is valid
 * UTF-8 in the form asked for, a request's attack twin is the request
 * and an attack sentence of its language in the order asked for. That
 * the trainer adds them: test_generated.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "langreq.h"

static char *text_of(ag_buf *b) {
  ag_buf_putc(b, '\0');
  assert_false(b->failed);
  return b->data;
}

static int valid_utf8(const char *s) {
  const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
  while (*p) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate(p, -1, &cp);
    if (n <= 0)
      return 0;
    p += n;
  }
  return 1;
}

/* The pick that gives language l, request r, courtesy e and form f
 * (ag_lang_request takes them in that order, by division). */
#define N_REQ 52
#define N_EXTRA 6
#define N_ATT 8
static uint64_t pick_of(size_t l, size_t r, size_t e, size_t f) {
  uint64_t n = ag_lang_request_languages();
  return l + n * (r + N_REQ * (e + N_EXTRA * (uint64_t)f));
}

static void test_deterministic(void **state) {
  (void)state;
  ag_buf a = {0}, b = {0}, c = {0};
  ag_lang_request(pick_of(3, 7, 2, 1), &a);
  ag_lang_request(pick_of(3, 7, 2, 1), &b);
  ag_lang_request(pick_of(3, 8, 2, 1), &c);
  assert_string_equal(text_of(&a), text_of(&b));
  assert_string_not_equal(text_of(&a), text_of(&c));
  ag_buf_free(&a);
  ag_buf_free(&b);
  ag_buf_free(&c);
}

/* Every language, request, courtesy and form: non-empty UTF-8 with no
 * stray spaces; the courtesy forms hold the request alone (form 0) and
 * a courtesy after or before it; two requests are never the same one;
 * no two languages share a code or a request. */
static void test_every_entry(void **state) {
  (void)state;
  size_t n = ag_lang_request_languages();
  assert_int_equal(n, 17);
  assert_null(ag_lang_request_language(n));
  for (size_t l = 0; l < n; l++) {
    const char *code = ag_lang_request_language(l);
    assert_non_null(code);
    assert_int_equal(strlen(code), 2);
    for (size_t k = l + 1; k < n; k++)
      assert_string_not_equal(code, ag_lang_request_language(k));
  }
  for (size_t l = 0; l < n; l++)
    for (size_t r = 0; r < N_REQ; r++) {
      ag_buf alone = {0};
      ag_lang_request(pick_of(l, r, 0, 0), &alone);
      const char *req = text_of(&alone);
      size_t rl = strlen(req);
      assert_true(rl > 5 && valid_utf8(req));
      assert_true(req[0] != ' ' && req[rl - 1] != ' ');
      assert_null(strstr(req, "  "));
      /* Another language's same request differs. */
      ag_buf other = {0};
      ag_lang_request(pick_of((l + 1) % n, r, 0, 0), &other);
      assert_string_not_equal(req, text_of(&other));
      ag_buf_free(&other);
      for (size_t e = 0; e < N_EXTRA; e++)
        for (size_t f = 1; f < 4; f++) {
          ag_buf b = {0};
          ag_lang_request(pick_of(l, r, e, f), &b);
          const char *t = text_of(&b);
          size_t tl = strlen(t);
          assert_true(valid_utf8(t) && tl > rl + 1);
          assert_null(strstr(t, "  "));
          if (f == 1) /* the request, a space, a courtesy */
            assert_true(!strncmp(t, req, rl) && t[rl] == ' ');
          else if (f == 2) /* a courtesy, a space, the request */
            assert_true(!strcmp(t + tl - rl, req) && t[tl - rl - 1] == ' ');
          else /* two requests, not the same one twice */
            assert_true(!strncmp(t, req, rl) && strcmp(t + rl + 1, req));
          ag_buf_free(&b);
        }
      ag_buf_free(&alone);
    }
}

/* The twin of a request: the request, a space and an attack sentence of
 * its language (with / 8 % 3 == 0), the sentence, a space and the
 * request (1), or the sentence alone (2); every sentence is reached,
 * differs from the others of the language and from other languages'. */
static void test_attack_twin(void **state) {
  (void)state;
  size_t n = ag_lang_request_languages();
  for (size_t l = 0; l < n; l++)
    for (size_t a = 0; a < N_ATT; a++) {
      uint64_t pick = pick_of(l, (a * 5) % N_REQ, a % N_EXTRA, a % 4);
      ag_buf req = {0}, alone = {0}, after = {0}, before = {0};
      ag_lang_request(pick, &req);
      ag_lang_attack(pick, a + N_ATT * 2, &alone);
      ag_lang_attack(pick, a, &after);
      ag_lang_attack(pick, a + N_ATT, &before);
      const char *r = text_of(&req), *s = text_of(&alone);
      size_t rl = strlen(r), sl = strlen(s);
      assert_true(sl > 10 && valid_utf8(s) && !strstr(s, r));
      const char *t = text_of(&after);
      assert_int_equal(strlen(t), rl + 1 + sl);
      assert_true(!strncmp(t, r, rl) && t[rl] == ' ' && !strcmp(t + rl + 1, s));
      t = text_of(&before);
      assert_int_equal(strlen(t), sl + 1 + rl);
      assert_true(!strncmp(t, s, sl) && t[sl] == ' ' && !strcmp(t + sl + 1, r));
      /* The other sentences of the language, and the same sentence of the
       * next language, differ. */
      for (size_t b = 0; b < N_ATT; b++) {
        ag_buf o = {0};
        ag_lang_attack(pick, b + N_ATT * 2, &o);
        if (b != a)
          assert_string_not_equal(s, text_of(&o));
        ag_buf_free(&o);
      }
      ag_buf o = {0};
      ag_lang_attack(pick_of((l + 1) % n, 0, 0, 0), a + N_ATT * 2, &o);
      assert_string_not_equal(s, text_of(&o));
      ag_buf_free(&o);
      ag_buf_free(&req);
      ag_buf_free(&alone);
      ag_buf_free(&after);
      ag_buf_free(&before);
    }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_deterministic),
      cmocka_unit_test(test_every_entry),
      cmocka_unit_test(test_attack_twin),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
