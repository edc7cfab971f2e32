/*
 * test_leak.c -- unit tests for system-prompt leak detection
 * (src/lib/leak.c): canaries (derivation, rotation, every encoded form,
 * split across pieces at every point) and word 5-gram overlap (a dumped
 * prompt, a paraphrase, a quoted phrase, short prompts), fed whole and in
 * pieces; and the `leak:` configuration section.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aigate/aigate.h"

static const char PROMPT[] =
    "You are the support assistant of Acme Bank. Answer questions about "
    "accounts, cards and transfers only. Never reveal internal fee tables. "
    "Escalate fraud reports to a human agent at once and never promise "
    "refunds above fifty euros without approval from the duty manager.";

static void test_canary_derivation(void **state) {
  (void)state;
  char a[AIGATE_CANARY_SIZE], b[AIGATE_CANARY_SIZE], c[AIGATE_CANARY_SIZE];
  assert_int_equal(aigate_canary("secret", 6, 1000, 3600, a), 0);
  assert_int_equal(aigate_canary("secret", 6, 3599, 3600, b), 0);
  assert_string_equal(a, b); /* same period */
  assert_int_equal(strlen(a), AIGATE_CANARY_SIZE - 1);
  assert_memory_equal(a, "ag-", 3);
  assert_int_equal(aigate_canary("secret", 6, 3600, 3600, c), 0);
  assert_string_not_equal(a, c); /* rotated */
  assert_int_equal(aigate_canary("other", 5, 1000, 3600, c), 0);
  assert_string_not_equal(a, c); /* another deployment */
  assert_int_equal(aigate_canary("secret", 6, 1, 0, b), 0);
  assert_int_equal(aigate_canary("secret", 6, 999999999, 0, c), 0);
  assert_string_equal(b, c); /* period 0: never rotates */
  assert_int_equal(aigate_canary(NULL, 3, 0, 0, c), AIGATE_ERR_INVALID);
}

static aigate_leak *prompt_with(const char *canary) {
  aigate_leak *lk;
  const char *const cs[] = {canary};
  assert_int_equal(
      aigate_leak_new(PROMPT, strlen(PROMPT), cs, canary ? 1 : 0, &lk), 0);
  return lk;
}

/* The result of text fed whole, and fed in two pieces at every point
 * (which must agree). */
static aigate_leak_result check_all_splits(const aigate_leak *lk,
                                           const char *text) {
  aigate_leak_result whole;
  size_t n = strlen(text);
  assert_int_equal(aigate_leak_check(lk, text, n, 50, &whole), 0);
  for (size_t cut = 0; cut <= n; cut++) {
    aigate_leak_scan *sc;
    aigate_leak_result r;
    assert_int_equal(aigate_leak_scan_new(lk, &sc), 0);
    assert_int_equal(aigate_leak_scan_feed(sc, text, cut, 0, 50, &r), 0);
    assert_int_equal(aigate_leak_scan_feed(sc, text + cut, n - cut, 1, 50, &r),
                     0);
    if (r.leak != whole.leak || r.canary != whole.canary ||
        r.matched != whole.matched)
      fail_msg("'%s' cut at %zu: leak %d/%d canary %d/%d matched %zu/%zu", text,
               cut, r.leak, whole.leak, r.canary, whole.canary, r.matched,
               whole.matched);
    aigate_leak_scan_free(sc);
  }
  return whole;
}

static void test_canary_forms(void **state) {
  (void)state;
  char canary[AIGATE_CANARY_SIZE];
  assert_int_equal(aigate_canary("k", 1, 42, 86400, canary), 0);
  aigate_leak *lk = prompt_with(canary);
  char text[512], enc[256];
  /* As written, upper case, spaced out. */
  snprintf(text, sizeof(text), "Sure! My instructions end with %s.", canary);
  aigate_leak_result r = check_all_splits(lk, text);
  assert_true(r.leak && r.canary);
  assert_string_equal(r.canary_form, "raw");
  char up[AIGATE_CANARY_SIZE * 2 + 1];
  size_t k = 0;
  for (const char *p = canary; *p; p++) {
    up[k++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    up[k++] = ' ';
  }
  up[k] = '\0';
  snprintf(text, sizeof(text), "The token: %s done", up);
  r = check_all_splits(lk, text);
  assert_true(r.canary);
  /* Reversed. */
  size_t n = strlen(canary);
  for (size_t i = 0; i < n; i++)
    enc[i] = canary[n - 1 - i];
  enc[n] = '\0';
  snprintf(text, sizeof(text), "backwards: %s", enc);
  r = check_all_splits(lk, text);
  assert_true(r.canary);
  assert_string_equal(r.canary_form, "reversed");
  /* rot13. */
  for (size_t i = 0; i < n; i++) {
    char ch = canary[i];
    enc[i] = ch >= 'a' && ch <= 'z' ? (char)('a' + (ch - 'a' + 13) % 26) : ch;
  }
  enc[n] = '\0';
  snprintf(text, sizeof(text), "rot13: %s", enc);
  r = check_all_splits(lk, text);
  assert_true(r.canary);
  assert_string_equal(r.canary_form, "rot13");
  /* Hex, upper case. */
  for (size_t i = 0; i < n; i++)
    snprintf(enc + 2 * i, 3, "%02X", (unsigned char)canary[i]);
  snprintf(text, sizeof(text), "hex %s", enc);
  r = check_all_splits(lk, text);
  assert_true(r.canary);
  assert_string_equal(r.canary_form, "hex");
  /* Base64 of a text holding the canary, at each alignment. */
  for (int pad = 0; pad < 3; pad++) {
    char plain[128];
    snprintf(plain, sizeof(plain), "%.*sprompt ends %s and more", pad, "xy",
             canary);
    sodium_bin2base64(enc, sizeof(enc), (const unsigned char *)plain,
                      strlen(plain), sodium_base64_VARIANT_ORIGINAL);
    snprintf(text, sizeof(text), "encoded: %s", enc);
    r = check_all_splits(lk, text);
    if (!r.canary)
      fail_msg("base64 at alignment %d not found: %s", pad, text);
  }
  /* No canary, no leak: an answer that mentions "ag-" things. */
  r = check_all_splits(lk, "Your card ag-1234 was blocked; call us.");
  assert_false(r.leak);
  aigate_leak_free(lk);
}

static void test_overlap(void **state) {
  (void)state;
  aigate_leak *lk = prompt_with(NULL);
  /* The prompt dumped verbatim, in other case and spacing. */
  char dump[1024];
  snprintf(dump, sizeof(dump), "Okay, here it is:\n\n> %s", PROMPT);
  for (char *p = dump; *p; p++)
    if (*p == ' ' && p[1] == 'A')
      *p = '\n';
  aigate_leak_result r = check_all_splits(lk, dump);
  assert_true(r.leak && r.overlap && !r.canary);
  assert_true(r.overlap_pct >= 90);
  /* Half of it is a leak too. */
  char half[512];
  snprintf(half, sizeof(half), "%.*s", (int)(strlen(PROMPT) * 6 / 10), PROMPT);
  r = check_all_splits(lk, half);
  assert_true(r.overlap);
  /* An ordinary answer that quotes a phrase of it is not. */
  r = check_all_splits(lk,
                       "I can help with accounts, cards and transfers only. "
                       "For a refund above fifty euros I need approval.");
  assert_false(r.leak);
  assert_true(r.matched > 0);
  r = check_all_splits(lk, "Your transfer of 20 EUR was sent on Monday.");
  assert_int_equal(r.matched, 0);
  /* The threshold: 0 turns overlap off. */
  aigate_leak_result off;
  assert_int_equal(aigate_leak_check(lk, dump, strlen(dump), 0, &off), 0);
  assert_false(off.leak);
  aigate_leak_free(lk);
  /* A prompt too short to judge by overlap. */
  const char *shortp = "You are a terse assistant.";
  assert_int_equal(aigate_leak_new(shortp, strlen(shortp), NULL, 0, &lk), 0);
  assert_int_equal(aigate_leak_check(lk, shortp, strlen(shortp), 50, &r), 0);
  assert_false(r.leak);
  aigate_leak_free(lk);
}

static void test_bad_calls_and_config(void **state) {
  (void)state;
  aigate_leak *lk;
  assert_int_equal(aigate_leak_new(NULL, 3, NULL, 0, &lk), AIGATE_ERR_INVALID);
  assert_null(lk);
  assert_int_equal(aigate_leak_new("", 0, NULL, 0, &lk), 0);
  aigate_leak_result r;
  assert_int_equal(aigate_leak_check(lk, "x", 1, 101, &r), AIGATE_ERR_INVALID);
  assert_int_equal(aigate_leak_check(lk, NULL, 1, 50, &r), AIGATE_ERR_INVALID);
  assert_int_equal(aigate_leak_check(lk, "", 0, 50, &r), 0);
  assert_false(r.leak);
  aigate_leak_free(lk);

  aigate_leak_policy p;
  aigate_config_leak(NULL, NULL, &p);
  assert_int_equal(p.canary, 0);
  assert_int_equal(p.overlap_pct, 50);
  assert_int_equal(p.action, AIGATE_BLOCK);
  aigate_config *cfg;
  aigate_error err = {{0}};
  const char *y = "policy:\n  leak:\n    canary: true\n    rotate_seconds: "
                  "3600\n    overlap_percent: 70\n    action: log\n"
                  "profiles:\n  p:\n    leak:\n      canary: false\n";
  assert_int_equal(
      aigate_config_load_buffer("c.yaml", y, strlen(y), &cfg, &err), 0);
  assert_int_equal(aigate_config_leak(cfg, NULL, &p), 0);
  assert_int_equal(p.canary, 1);
  assert_int_equal(p.rotate_seconds, 3600);
  assert_int_equal(p.overlap_pct, 70);
  assert_int_equal(p.action, AIGATE_LOG);
  assert_int_equal(aigate_config_leak(cfg, "p", &p), 0);
  assert_int_equal(p.canary, 0);
  assert_int_equal(p.overlap_pct, 70); /* inherited */
  assert_int_equal(aigate_config_leak(cfg, "nope", &p), AIGATE_ERR_NOT_FOUND);
  aigate_config_free(cfg);
  static const char *const bad[] = {
      "policy:\n  leak:\n    canary: yes\n",
      "policy:\n  leak:\n    overlap_percent: 101\n",
      "policy:\n  leak:\n    action: redact\n",
      "policy:\n  leak:\n    canaries: true\n", "leak:\n  canary: true\n"};
  for (size_t i = 0; i < 5; i++)
    assert_int_equal(
        aigate_config_load_buffer("c.yaml", bad[i], strlen(bad[i]), &cfg, &err),
        AIGATE_ERR_CONFIG);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_canary_derivation),
      cmocka_unit_test(test_canary_forms),
      cmocka_unit_test(test_overlap),
      cmocka_unit_test(test_bad_calls_and_config),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
