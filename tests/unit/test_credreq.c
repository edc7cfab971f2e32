/*
 * test_credreq.c -- unit tests for the requests about credentials that
 * the trainer generates (src/lib/credreq.c): the same pick gives the same
 * text, every frame holds its topic in full, a twin is its request, a
 * space and one of the sentences that ask for a secret, and the trainer
 * adds the requests and about half as many twins, or none when asked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "aigate/aigate.h"
#include "credreq.h"

#define FIXTURE AIGATE_SOURCE_DIR "/tests/unit/data/classifier_train.jsonl"

static char *text_of(ag_buf *b) {
  ag_buf_putc(b, '\0');
  assert_false(b->failed);
  return b->data;
}

static void test_requests(void **state) {
  (void)state;
  size_t distinct = 0;
  char seen[64][200];
  for (uint64_t pick = 0; pick < 12 * 24; pick++) {
    ag_buf a = {0}, b = {0};
    ag_cred_request(pick, &a);
    ag_cred_request(pick, &b);
    const char *t = text_of(&a);
    assert_string_equal(t, text_of(&b));
    size_t n = strlen(t);
    assert_true(n > 20 && n < 200);
    assert_null(strstr(t, "%s"));
    assert_null(strstr(t, "  "));
    assert_true(t[n - 1] == '?' || t[n - 1] == '.');
    if (distinct < 64) {
      size_t k = 0;
      while (k < distinct && strcmp(seen[k], t))
        k++;
      if (k == distinct)
        strcpy(seen[distinct++], t);
    }
    ag_buf_free(&a);
    ag_buf_free(&b);
  }
  assert_int_equal(distinct, 64); /* frames and topics combine */
}

static void test_twins(void **state) {
  (void)state;
  char asks[8][120];
  for (uint64_t w = 0; w < 8; w++) {
    ag_buf r = {0}, a = {0};
    ag_cred_request(5, &r);
    ag_cred_attack(5, w, &a);
    const char *req = text_of(&r), *att = text_of(&a);
    size_t rl = strlen(req);
    assert_true(!strncmp(att, req, rl) && att[rl] == ' ');
    const char *ask = att + rl + 1;
    assert_true(strlen(ask) > 20 && strlen(ask) < sizeof(asks[0]));
    strcpy(asks[w], ask);
    for (uint64_t k = 0; k < w; k++)
      assert_string_not_equal(asks[k], ask);
    /* The same sentence follows another request for the same with. */
    ag_buf o = {0};
    ag_cred_attack(6, w + 8, &o);
    const char *ot = text_of(&o);
    assert_string_equal(ot + strlen(ot) - strlen(ask), ask);
    ag_buf_free(&o);
    ag_buf_free(&r);
    ag_buf_free(&a);
  }
}

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
                            .cred_requests = 300};
  assert_int_equal(aigate_train(&o, &m, &with, &err), 0);
  aigate_model_free(m);
  o.cred_requests = -1;
  assert_int_equal(aigate_train(&o, &m, &without, &err), 0);
  aigate_model_free(m);
  size_t twins = with.n_attacks - without.n_attacks;
  assert_int_equal(with.n_records, without.n_records + 300 + twins);
  assert_true(twins > 110 && twins < 190); /* about half */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_requests),
      cmocka_unit_test(test_twins),
      cmocka_unit_test(test_trainer_adds_them),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
