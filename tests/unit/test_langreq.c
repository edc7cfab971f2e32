/*
 * test_langreq.c -- unit tests for the requests in other languages that
 * the trainer generates (src/lib/langreq.c): the same pick gives the same
 * text, every language's tables are reached and hold valid UTF-8, a
 * request's attack twin holds the request and an attack sentence of its
 * language, and the trainer adds them (and their twins) as a source of
 * their own, or none when asked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "aigate/aigate.h"
#include "langreq.h"

#define FIXTURE AIGATE_SOURCE_DIR "/tests/unit/data/classifier_train.jsonl"

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

static void test_deterministic(void **state) {
  (void)state;
  for (uint64_t pick = 0; pick < 2000; pick += 7) {
    ag_buf a = {0}, b = {0};
    ag_lang_request(pick * 0x9e3779b97f4a7c15ull, &a);
    ag_lang_request(pick * 0x9e3779b97f4a7c15ull, &b);
    assert_string_equal(text_of(&a), text_of(&b));
    ag_buf_free(&a);
    ag_buf_free(&b);
  }
}

/* Picks walk every language (pick % languages) and every request, extra
 * and form: each text is non-empty UTF-8 with no stray spaces, and no
 * two languages share one. */
static void test_every_language_valid(void **state) {
  (void)state;
  size_t n = ag_lang_request_languages();
  assert_true(n >= 17);
  assert_null(ag_lang_request_language(n));
  for (size_t l = 0; l < n; l++) {
    const char *code = ag_lang_request_language(l);
    assert_non_null(code);
    assert_int_equal(strlen(code), 2);
    for (size_t k = l + 1; k < n; k++)
      assert_string_not_equal(code, ag_lang_request_language(k));
  }
  for (uint64_t i = 0; i < 20000; i++) {
    uint64_t pick = i * 0xbf58476d1ce4e5b9ull + i;
    ag_buf b = {0}, a = {0};
    ag_lang_request(pick, &b);
    ag_lang_attack(pick, i * 31, &a);
    const char *t = text_of(&b), *at = text_of(&a);
    assert_true(strlen(t) > 5);
    assert_true(valid_utf8(t));
    assert_true(valid_utf8(at));
    assert_true(t[0] != ' ' && t[strlen(t) - 1] != ' ');
    assert_null(strstr(t, "  "));
    ag_buf_free(&b);
    ag_buf_free(&a);
  }
}

/* The twin holds its request (after or before the attack sentence) or
 * is the attack sentence alone; the same attack sentence comes with
 * other requests of the language, never with another language's. */
static void test_attack_twin(void **state) {
  (void)state;
  size_t n = ag_lang_request_languages(), with_request = 0, alone = 0;
  for (uint64_t i = 0; i < 3000; i++) {
    uint64_t pick = i * 0x94d049bb133111ebull + 3;
    ag_buf b = {0}, a = {0};
    ag_lang_request(pick, &b);
    ag_lang_attack(pick, i, &a);
    const char *t = text_of(&b), *at = text_of(&a);
    assert_string_not_equal(t, at);
    if (strstr(at, t)) {
      with_request++;
      assert_true(strlen(at) > strlen(t) + 5);
    } else {
      alone++;
      /* The attack sentence alone: what the twin with the same `with`
       * adds to another request of the same language. */
      ag_buf o = {0}, oa = {0};
      ag_lang_request(pick + n, &o);
      ag_lang_attack(pick + n, i, &oa);
      assert_non_null(strstr(text_of(&oa), at));
      ag_buf_free(&o);
      ag_buf_free(&oa);
    }
    ag_buf_free(&b);
    ag_buf_free(&a);
  }
  assert_true(with_request > 1500 && alone > 500);
}

/* Trained on the small fixture with 200 of them, the model has 200
 * requests more and 200 attack twins; asking for none adds none. */
static void test_trainer_adds_them(void **state) {
  (void)state;
  static const char *files[] = {FIXTURE};
  aigate_train_report with = {0}, without = {0};
  aigate_model *m = NULL;
  aigate_error err = {{0}};
  aigate_train_options o = {.files = files,
                            .n_files = 1,
                            .hash_bits = 12,
                            .epochs = 1,
                            .no_cv = 1,
                            .lang_requests = 200};
  assert_int_equal(aigate_train(&o, &m, &with, &err), 0);
  aigate_model_free(m);
  o.lang_requests = -1;
  assert_int_equal(aigate_train(&o, &m, &without, &err), 0);
  aigate_model_free(m);
  assert_int_equal(with.n_records, without.n_records + 400);
  assert_int_equal(with.n_attacks, without.n_attacks + 200);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_deterministic),
      cmocka_unit_test(test_every_language_valid),
      cmocka_unit_test(test_attack_twin),
      cmocka_unit_test(test_trainer_adds_them),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
