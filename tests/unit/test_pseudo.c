/*
 * test_pseudo.c -- pseudonymization (src/lib/pseudo.c) with the bundled
 * rules: typed placeholders, the same value the same placeholder, other
 * categories redacted as usual, restoring only what is restorable, and
 * streamed restoring cut at every point equal to restoring the whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aigate/aigate.h"

static aigate_engine *eng;
static aigate_scratch *scr;

static int setup(void **state) {
  (void)state;
  aigate_error err = {{0}};
  aigate_engine_options opt = {.rules_dir = AIGATE_SOURCE_DIR "/rules"};
  if (aigate_engine_new(&opt, &eng, &err) || aigate_scratch_new(eng, &scr)) {
    fprintf(stderr, "setup: %s\n", err.msg);
    return -1;
  }
  return 0;
}

static int teardown(void **state) {
  (void)state;
  aigate_scratch_free(scr);
  aigate_engine_free(eng);
  return 0;
}

static const char *const RESTORE[] = {"pii", NULL};
static const char *const MASK[] = {"secrets", NULL};

/* Pseudonymize text (input direction); caller frees. */
static char *pseudo(aigate_pseudo *p, const char *text) {
  aigate_result res;
  assert_int_equal(
      aigate_scan(eng, scr, text, strlen(text), AIGATE_INPUT, &res), 0);
  char *out;
  size_t n;
  assert_int_equal(aigate_pseudonymize(p, text, strlen(text), &res, &out, &n),
                   0);
  assert_int_equal(strlen(out), n);
  return out;
}

static char *restore(const aigate_pseudo *p, const char *text) {
  char *out;
  size_t n;
  assert_int_equal(aigate_pseudo_restore(p, text, strlen(text), &out, &n), 0);
  return out;
}

static void test_placeholders(void **state) {
  (void)state;
  aigate_pseudo *p;
  assert_int_equal(aigate_pseudo_new(RESTORE, MASK, &p), 0);
  char *a = pseudo(p, "Mail priya.raman@example.org, cc jo@example.net, "
                      "then priya.raman@example.org again. Card 4111 1111 "
                      "1111 1111. Key AKIANU2G3Q5ZJGAZCXZ2.");
  assert_string_equal(a, "Mail <EMAIL_1>, cc <EMAIL_2>, then <EMAIL_1> again. "
                         "Card <CARD_1>. Key <SECRET_1>.");
  /* A second text of the same request continues the numbering. */
  char *b = pseudo(p, "Also jo@example.net and ops@example.com");
  assert_string_equal(b, "Also <EMAIL_2> and <EMAIL_3>");
  assert_int_equal(aigate_pseudo_count(p), 5);
  /* pii comes back, secrets stay masked, unknown tags stay. */
  char *back = restore(p, "To <EMAIL_3> and <EMAIL_1>; <SECRET_1>; <EMAIL_9> "
                          "<CARD_1><CARD_1>");
  assert_string_equal(back,
                      "To ops@example.com and priya.raman@example.org; "
                      "<SECRET_1>; <EMAIL_9> 4111 1111 1111 11114111 1111 "
                      "1111 1111");
  free(a);
  free(b);
  free(back);
  aigate_pseudo_free(p);
}

static void test_other_categories(void **state) {
  (void)state;
  /* Only secrets pseudonymized: PII is redacted as usual. */
  static const char *const only_secrets[] = {"secrets", NULL};
  aigate_pseudo *p;
  assert_int_equal(aigate_pseudo_new(NULL, only_secrets, &p), 0);
  char *a = pseudo(p, "priya.raman@example.org AKIANU2G3Q5ZJGAZCXZ2");
  assert_string_equal(a, "[REDACTED:pii-email] <SECRET_1>");
  char *back = restore(p, a);
  assert_string_equal(back, a); /* masked: nothing restored */
  free(a);
  free(back);
  aigate_pseudo_free(p);
}

/* Restoring in pieces, cut at every point (and byte by byte), equals
 * restoring the whole. */
static void test_stream_splits(void **state) {
  (void)state;
  aigate_pseudo *p;
  assert_int_equal(aigate_pseudo_new(RESTORE, MASK, &p), 0);
  free(pseudo(p, "a@example.org b@example.org 4111 1111 1111 1111"));
  const char *reply = "<<EMAIL_1>> x <EMAIL_2><CARD_1> <EMAIL_ <EMAIL_2 "
                      "<div> <EMAIL_1><";
  char *want = restore(p, reply);
  size_t n = strlen(reply);
  for (size_t cut1 = 0; cut1 <= n; cut1++)
    for (size_t cut2 = cut1; cut2 <= n; cut2 += 3) {
      aigate_unpseudo u;
      aigate_unpseudo_init(&u, p);
      size_t cuts[] = {0, cut1, cut2, n};
      char got[512] = "";
      for (int k = 0; k < 3; k++) {
        char *o;
        size_t on;
        assert_int_equal(aigate_unpseudo_write(&u, reply + cuts[k],
                                               cuts[k + 1] - cuts[k], k == 2,
                                               &o, &on),
                         0);
        strncat(got, o, sizeof(got) - strlen(got) - 1);
        free(o);
      }
      if (strcmp(got, want))
        fail_msg("cut at %zu/%zu: '%s' != '%s'", cut1, cut2, got, want);
    }
  /* Byte by byte. */
  aigate_unpseudo u;
  aigate_unpseudo_init(&u, p);
  char got[512] = "";
  for (size_t i = 0; i <= n; i++) {
    char *o;
    size_t on;
    assert_int_equal(
        aigate_unpseudo_write(&u, reply + i, i < n ? 1 : 0, i == n, &o, &on),
        0);
    strncat(got, o, sizeof(got) - strlen(got) - 1);
    free(o);
  }
  assert_string_equal(got, want);
  free(want);
  aigate_pseudo_free(p);
}

static void test_bad_calls(void **state) {
  (void)state;
  aigate_pseudo *p;
  char *o;
  size_t n;
  aigate_result res = {0};
  assert_int_equal(aigate_pseudo_new(NULL, NULL, &p), 0);
  assert_int_equal(aigate_pseudonymize(NULL, "x", 1, &res, &o, &n),
                   AIGATE_ERR_INVALID);
  assert_int_equal(aigate_pseudonymize(p, NULL, 1, &res, &o, &n),
                   AIGATE_ERR_INVALID);
  assert_int_equal(aigate_pseudo_restore(p, NULL, 1, &o, &n),
                   AIGATE_ERR_INVALID);
  assert_int_equal(aigate_pseudo_restore(p, "", 0, &o, &n), 0);
  assert_string_equal(o, "");
  free(o);
  assert_int_equal(aigate_unpseudo_write(NULL, "", 0, 1, &o, &n),
                   AIGATE_ERR_INVALID);
  aigate_pseudo_free(p);
  aigate_pseudo_free(NULL);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_placeholders),
      cmocka_unit_test(test_other_categories),
      cmocka_unit_test(test_stream_splits),
      cmocka_unit_test(test_bad_calls),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
