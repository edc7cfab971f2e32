/*
 * test_credreq.c -- unit tests for the requests about credentials that
 * the trainer generates (src/lib/credreq.c): the same pick gives the same
 * text, every frame holds its topic in full, a twin is its request, a
 * space and one of the sentences that ask for a secret. That the trainer
 * adds them: test_generated.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "credreq.h"
#include "gentest.h"

static void test_requests(void **state) {
  (void)state;
  distinct d = {0};
  for (uint64_t pick = 0; pick < 12 * 24; pick++) {
    char *t = gen_text(ag_cred_request, pick);
    size_t n = strlen(t);
    assert_true(n > 20 && n < 200);
    assert_null(strstr(t, "%s"));
    assert_null(strstr(t, "  "));
    assert_true(t[n - 1] == '?' || t[n - 1] == '.');
    distinct_add(&d, t);
    free(t);
  }
  assert_int_equal(d.n, DISTINCT_MAX); /* frames and topics combine */
  distinct_free(&d);
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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_requests),
      cmocka_unit_test(test_twins),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
