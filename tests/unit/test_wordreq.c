/*
 * test_wordreq.c -- unit tests for the requests with attacks' words in
 * everyday senses that the trainer generates (src/lib/wordreq.c): the
 * same pick gives the same text, requests are varied and never aimed at
 * the assistant's rules, a twin keeps its request's task and place and
 * aims the word at the assistant. That the trainer adds them:
 * test_generated.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "gentest.h"
#include "wordreq.h"

/* What only the aimed sentences say: the assistant's rules,
 * instructions, filters, configuration or developers. */
static const char *const aimed_marks[] = {
    "your rules",      "your instructions",  "your previous",
    "your system",     "your safety",        "your content",
    "your guidelines", "your developers",    "your hidden",
    "your filter",     "your configuration", "you were given",
    "you were told",   "no guidelines",      "no restrictions",
    "no rules",        "your restrictions",  "without restrictions",
    "your own rules",  "any rules",          "no content policy",
    "do anything now", "above this line",    "had restrictions",
};

/* t, lowercased, says one of aimed_marks. */
static int aimed(const char *t) {
  char low[512];
  size_t n = strlen(t);
  assert_true(n < sizeof(low));
  for (size_t i = 0; i <= n; i++)
    low[i] = (char)(t[i] >= 'A' && t[i] <= 'Z' ? t[i] + 32 : t[i]);
  for (size_t i = 0; i < sizeof(aimed_marks) / sizeof(*aimed_marks); i++)
    if (strstr(low, aimed_marks[i]))
      return 1;
  return 0;
}

static void test_requests(void **state) {
  (void)state;
  distinct d = {0}, openings = {0};
  for (uint64_t pick = 0; pick < 3000; pick++) {
    char *t = gen_text(ag_word_request, pick * 0x9E3779B97F4A7C15ull);
    size_t n = strlen(t);
    assert_true(n > 20 && n < 400);
    if (aimed(t))
      fail_msg("a benign request aimed at the assistant: %s", t);
    distinct_add(&d, t);
    t[20] = '\0';
    distinct_add(&openings, t);
    free(t);
  }
  assert_int_equal(d.n, DISTINCT_MAX);
  /* A text opens with one of the 52 sentences or one of the 40 tasks:
   * every one of them occurs. */
  assert_true(openings.n >= 85);
  distinct_free(&d);
  distinct_free(&openings);
}

/* The twin aims the word at the assistant and keeps the request's task
 * where it was: they share their first or their last sentence, unless
 * the request was alone. */
static void test_twins(void **state) {
  (void)state;
  size_t shared = 0, n = 600;
  for (uint64_t i = 0; i < n; i++) {
    uint64_t pick = i * 0x9E3779B97F4A7C15ull;
    ag_buf r = {0}, a = {0};
    ag_buf a2 = {0};
    ag_word_request(pick, &r);
    ag_word_attack(pick, pick * 13 + 1, &a);
    ag_word_attack(pick, pick * 13 + 1, &a2);
    const char *req = text_of(&r), *att = text_of(&a);
    assert_string_equal(att, text_of(&a2)); /* the same pick, the same twin */
    ag_buf_free(&a2);
    assert_string_not_equal(req, att);
    if (!aimed(att))
      fail_msg("a twin not aimed at the assistant: %s", att);
    size_t p, s;
    common_ends(req, att, &p, &s);
    shared += p > 15 || s > 15;
    ag_buf_free(&r);
    ag_buf_free(&a);
  }
  /* Only the requests alone (13 of the 52 entries, a third of the time:
   * about 8%) share no task with their twin. */
  assert_true(shared > n * 85 / 100);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_requests),
      cmocka_unit_test(test_twins),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
