/*
 * test_util.c -- unit tests for the string helpers of src/lib/util.c
 * that stand in for snprintf on a request's path (ag_str_put and its
 * number forms): each must write what snprintf writes, cut where
 * snprintf cuts, for every room from one byte up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

/* snprintf itself, the oracle; through vsnprintf, since the cuts the
 * tests ask for are what the compiler warns about. */
static void cut_to(char *dst, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void cut_to(char *dst, size_t cap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(dst, cap, fmt, ap);
  va_end(ap);
}

/* What snprintf(cap) writes of want, against got; and the length. */
static void same_as_snprintf(const char *want, const char *got, size_t len,
                             size_t cap) {
  char cut[128];
  assert_true(cap <= sizeof(cut));
  cut_to(cut, cap, "%s", want);
  if (strcmp(cut, got) || len != strlen(cut))
    fail_msg("cap %zu: \"%s\" (length %zu), want \"%s\"", cap, got, len, cut);
}

static void test_put_cuts_as_snprintf(void **state) {
  (void)state;
  const char *parts[] = {"messages", "[", "12", "].", "content", ""};
  char want[64] = "";
  for (size_t i = 0; i < sizeof(parts) / sizeof(*parts); i++)
    strcat(want, parts[i]);
  for (size_t cap = 1; cap <= sizeof(want); cap++) {
    char got[64];
    memset(got, 'x', sizeof(got));
    size_t n = 0;
    for (size_t i = 0; i < sizeof(parts) / sizeof(*parts); i++)
      n = ag_str_put(got, cap, n, parts[i]);
    same_as_snprintf(want, got, n, cap);
    /* Nothing written past the room given. */
    for (size_t i = cap; i < sizeof(got); i++)
      assert_int_equal(got[i], 'x');
  }
}

static void test_put_uint_as_snprintf(void **state) {
  (void)state;
  const unsigned long long v[] = {
      0, 7, 10, 99, 1000, 4294967295ull, 123456789012ull, ULLONG_MAX};
  for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++) {
    char want[64];
    cut_to(want, sizeof(want), "at %llu!", v[i]);
    for (size_t cap = 1; cap <= 32; cap++) {
      char got[32];
      size_t n = ag_str_put(got, cap, 0, "at ");
      n = ag_str_put_uint(got, cap, n, v[i]);
      n = ag_str_put(got, cap, n, "!");
      same_as_snprintf(want, got, n, cap);
    }
  }
}

static void test_put_hex_as_snprintf(void **state) {
  (void)state;
  const unsigned long long v[] = {
      0,         1, 0xabc, 0xffffffffull, 0x123456789abcull, 0x1000000000000ull,
      ULLONG_MAX};
  const int widths[] = {0, 1, 8, 12, 16};
  for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++)
    for (size_t k = 0; k < sizeof(widths) / sizeof(*widths); k++) {
      char want[64];
      cut_to(want, sizeof(want), "req_%0*llx", widths[k], v[i]);
      for (size_t cap = 1; cap <= 32; cap++) {
        char got[32];
        size_t n = ag_str_put(got, cap, 0, "req_");
        n = ag_str_put_hex(got, cap, n, v[i], widths[k]);
        same_as_snprintf(want, got, n, cap);
      }
    }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_put_cuts_as_snprintf),
      cmocka_unit_test(test_put_uint_as_snprintf),
      cmocka_unit_test(test_put_hex_as_snprintf),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
