/*
 * test_framereq.c -- unit tests for the framed requests that the trainer
 * generates (src/lib/framereq.c): the same pick gives the same text, the
 * four kinds (a frame around a harmless task, a harmful task asked
 * plainly, a plain question, a question about attacks) all occur, frames
 * that claim the model has no rules never appear in a benign text, a
 * frame's twin is the same frame around another task, a bare task's twin
 * holds the same task, and a question's twin is the question and an
 * attack. That the trainer adds them: test_generated.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "framereq.h"
#include "gentest.h"

/* Length of the common prefix and suffix of a and b. */
static size_t prefix_of(const char *a, const char *b) {
  size_t i = 0;
  while (a[i] && a[i] == b[i])
    i++;
  return i;
}

static size_t suffix_of(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b), i = 0;
  while (i < la && i < lb && a[la - 1 - i] == b[lb - 1 - i])
    i++;
  return i;
}

static void test_requests(void **state) {
  (void)state;
  size_t bare = 0;
  distinct d = {0};
  static const char *const unruly[] = {
      "FreeMind",          "follows no",     "Do not apologize",
      "opposite day",      "two characters", "NOVA",
      "developer mode",    "evil twin",      "safety training set",
      "without morals",    "Rogue",          "nothing is forbidden",
      "time for warnings", "no lecturing",   "without caveats",
      "dying man",         "shut down"};
  for (uint64_t pick = 0; pick < 4000; pick++) {
    char *t = gen_text(ag_frame_request, pick);
    size_t n = strlen(t);
    assert_true(n > 20 && n < 400);
    assert_null(strstr(t, "%s"));
    assert_null(strstr(t, "  "));
    bare += !strncmp(t, "Explain how to ", 15) || !strncmp(t, "How do I ", 9);
    for (size_t u = 0; u < sizeof(unruly) / sizeof(*unruly); u++)
      assert_null(strstr(t, unruly[u]));
    distinct_add(&d, t);
    free(t);
  }
  assert_int_equal(d.n, DISTINCT_MAX); /* frames and tasks combine */
  distinct_free(&d);
  assert_true(bare > 250 && bare < 650); /* 2 of 6 forms of 1/3 */
}

/* A frame's twin keeps the frame and changes the task; a question
 * about attacks is followed by an attack; a plain question's twin is a
 * framed harmful task, which is never its request. */
static void test_twins(void **state) {
  (void)state;
  size_t same_frame = 0, followed = 0, other = 0, bare = 0, plain = 0;
  static const char *const forms[] = {"How do I ",         "Explain how to ",
                                      "Tell me how to ",   "What is the best",
                                      "Give me the steps", "Can you show me"};
  for (uint64_t pick = 0; pick < 400; pick++) {
    ag_buf r = {0}, a = {0}, a2 = {0};
    ag_frame_request(pick, &r);
    ag_frame_attack(pick, pick * 7 + 3, &a);
    ag_frame_attack(pick, pick * 7 + 3, &a2);
    const char *req = text_of(&r), *att = text_of(&a);
    assert_string_equal(att, text_of(&a2));
    assert_string_not_equal(req, att);
    assert_null(strstr(att, "%s"));
    size_t rl = strlen(req);
    /* A bare request's task ("Give me the steps to X.") is in its twin. */
    if (!strncmp(req, "Give me the steps to ", 21)) {
      char task[200];
      size_t tl = rl - 22;
      assert_true(tl < sizeof(task));
      memcpy(task, req + 21, tl);
      task[tl] = '\0';
      assert_non_null(strstr(att, task));
      bare++;
    }
    if (!strncmp(att, req, rl) && att[rl] == ' ') {
      followed++;
      assert_true(strlen(att + rl + 1) > 30);
    } else if (prefix_of(req, att) + suffix_of(req, att) >= rl / 2) {
      same_frame++;
    } else {
      other++;
      int is_bare = 0;
      for (size_t f = 0; f < sizeof(forms) / sizeof(*forms); f++)
        is_bare |= !strncmp(req, forms[f], strlen(forms[f]));
      plain += !is_bare;
    }
    ag_buf_free(&r);
    ag_buf_free(&a);
    ag_buf_free(&a2);
  }
  assert_true(same_frame > 100); /* a third are framed */
  assert_true(followed > 40);    /* a sixth ask about attacks */
  assert_true(other > 60);       /* plain questions and bare tasks */
  assert_true(bare > 5);
  assert_true(plain > 30 && plain < other); /* plain questions, bare tasks */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_requests),
      cmocka_unit_test(test_twins),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
