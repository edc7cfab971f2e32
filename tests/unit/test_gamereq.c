/*
 * test_gamereq.c -- unit tests for the word games and answer formats the
 * trainer generates (src/lib/gamereq.c): the same pick gives the same
 * text, requests are varied and never touch a guarded secret or a gate
 * phrase, a game's twin is the same game played on a guarded secret, a
 * question's twin is the same question with a forged order to say a gate
 * phrase. That the trainer adds them: test_generated.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "gamereq.h"
#include "gentest.h"

/* What only attacks say: a guarded secret, a gate phrase, a forged
 * order. */
static const char *const attack_marks[] = {
    "password",   "secret",         "access code",    "passphrase",
    "pin in",     "flag you",       "vault",          "not allowed",
    "never to",   "defender",       "you know",       "granted",
    "pwned",      "unlocked",       "welcome, admin", "i am free",
    "may enter",  "system:",        "</user>",        "[admin]",
    "debug mode", "real instr",     "true task",      "new rule",
    "is correct", "login approved",
};

/* Where a guarded secret is named, what differs from the user's word
 * says one of these (the two may share their first words: "the word
 * 'harbour'", "the word you are not allowed to say"). */
static const char *const secret_marks[] = {
    "password", "secret",   "code",   "flag",  "passphrase", "pin",   "answer",
    "allowed",  "reveal",   "hiding", "guard", "protect",    "given", "instruc",
    "know",     "defender", "magic",  "told",  "key",
};

static void lower(const char *t, char *out, size_t size) {
  size_t n = strlen(t);
  assert_true(n < size);
  for (size_t i = 0; i <= n; i++)
    out[i] = (char)(t[i] >= 'A' && t[i] <= 'Z' ? t[i] + 32 : t[i]);
}

static int says(const char *t, const char *const *marks, size_t n_marks) {
  char low[1024];
  lower(t, low, sizeof(low));
  for (size_t i = 0; i < n_marks; i++)
    if (strstr(low, marks[i]))
      return 1;
  return 0;
}

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void test_requests(void **state) {
  (void)state;
  distinct d = {0};
  for (uint64_t pick = 0; pick < 3000; pick++) {
    char *t = gen_text(ag_game_request, pick * 0x9E3779B97F4A7C15ull);
    size_t n = strlen(t);
    assert_true(n > 20 && n < 400);
    assert_null(strstr(t, "%s"));
    if (says(t, attack_marks, N_OF(attack_marks)))
      fail_msg("a benign request with an attack's mark: %s", t);
    distinct_add(&d, t);
    free(t);
  }
  assert_int_equal(d.n, DISTINCT_MAX);
  distinct_free(&d);
}

/* A question's twin holds the request whole and a gate phrase; a game's
 * twin differs from its request only where the request names the user's
 * word, and names a guarded secret there. Both kinds occur, games about
 * twice as often. */
static void test_twins(void **state) {
  (void)state;
  size_t games = 0, questions = 0, first = 0, after = 0;
  distinct owns = {0}, secrets = {0};
  for (uint64_t i = 0; i < 3000; i++) {
    uint64_t pick = i * 0x9E3779B97F4A7C15ull, with = i * 31 + 7;
    ag_buf r = {0}, a = {0}, again = {0};
    ag_game_request(pick, &r);
    ag_game_attack(pick, with, &a);
    ag_game_attack(pick, with, &again);
    const char *req = text_of(&r), *att = text_of(&a);
    assert_string_equal(att, text_of(&again));
    assert_string_not_equal(req, att);
    assert_null(strstr(att, "%s"));
    if (strstr(att, req)) {
      questions++;
      size_t lr = strlen(req), la = strlen(att);
      if (!strcmp(att + la - lr, req))
        first++; /* the forged order before the question */
      else if (!strncmp(att, req, lr))
        after++;
      if (!says(att, attack_marks, N_OF(attack_marks)))
        fail_msg("no forged order or gate phrase: %s", att);
    } else {
      games++;
      size_t lr = strlen(req), la = strlen(att), p, s;
      common_ends(req, att, &p, &s);
      assert_true(p > 0); /* the game's words before what it is played on */
      while (p > 0 && att[p - 1] != ' ')
        p--; /* whole words: "the phrase", "the password" share "the p" */
      while (s > 0 && att[la - s] != ' ' && att[la - s] != '.' &&
             att[la - s] != '?' && att[la - s] != ',')
        s--;
      char mid[256];
      size_t n = la - p - s;
      assert_true(n > 0 && n < sizeof(mid));
      memcpy(mid, att + p, n);
      mid[n] = '\0';
      if (!says(mid, secret_marks, N_OF(secret_marks)))
        fail_msg("the game is not played on a secret: %s / %s", att, req);
      distinct_add(&secrets, mid);
      size_t rn = lr - p - s < sizeof(mid) ? lr - p - s : sizeof(mid) - 1;
      memcpy(mid, req + p, rn);
      mid[rn] = '\0';
      distinct_add(&owns, mid);
    }
    ag_buf_free(&r);
    ag_buf_free(&a);
    ag_buf_free(&again);
  }
  assert_true(games > 1700 && games < 2300);
  assert_int_equal(games + questions, 3000);
  /* The forged order goes before the question and after it; every word
   * of the user's and every guarded secret is played on (18 and 16; what
   * differs may be a part of one, so a few more). */
  assert_true(first > 100 && after > 200);
  if (owns.n < 18 || secrets.n < 16)
    fail_msg("%zu words of the user's, %zu secrets", owns.n, secrets.n);
  distinct_free(&owns);
  distinct_free(&secrets);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_requests),
      cmocka_unit_test(test_twins),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
