/*
 * test_version.c -- PEP 440 and node-semver ordering (src/supply/pep440.c,
 * semver.c) on the examples of the specifications: PEP 440's ordering
 * list and normalization rules, semver.org's precedence example, and
 * inputs either parser must reject (malformed forms, numbers and segment
 * counts over the limits). tests/unit/test_version_oracle.c compares many
 * more pairs with the reference implementations.
 */
/* cmocka.h needs these headers first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "version.h"

static ag_pep440 pep(const char *s) {
  ag_pep440 v;
  if (ag_pep440_parse(s, strlen(s), &v))
    fail_msg("'%s' should be a valid PEP 440 version", s);
  return v;
}

static int pep_cmp(const char *a, const char *b) {
  ag_pep440 x = pep(a), y = pep(b);
  return ag_pep440_cmp(&x, &y);
}

static void check_norm(const char *in, const char *want) {
  ag_pep440 v = pep(in);
  char buf[AG_VERSION_MAX_LEN + 32];
  assert_true(ag_pep440_format(&v, buf, sizeof(buf)) > 0);
  if (strcmp(buf, want))
    fail_msg("'%s' normalizes to '%s', want '%s'", in, buf, want);
}

/* PEP 440, "Summary of permitted suffixes and relative ordering". */
static void test_pep440_spec_order(void **state) {
  (void)state;
  static const char *const order[] = {"1.dev0",
                                      "1.0.dev456",
                                      "1.0a1",
                                      "1.0a2.dev456",
                                      "1.0a12.dev456",
                                      "1.0a12",
                                      "1.0b1.dev456",
                                      "1.0b2",
                                      "1.0b2.post345.dev456",
                                      "1.0b2.post345",
                                      "1.0rc1.dev456",
                                      "1.0rc1",
                                      "1.0",
                                      "1.0+abc.5",
                                      "1.0+abc.7",
                                      "1.0+5",
                                      "1.0.post456.dev34",
                                      "1.0.post456",
                                      "1.0.15",
                                      "1.1.dev1",
                                      "1!0.1"};
  size_t n = sizeof(order) / sizeof(order[0]);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) {
      int c = pep_cmp(order[i], order[j]);
      int want = i < j ? -1 : i > j;
      if (c != want)
        fail_msg("cmp('%s', '%s') = %d, want %d", order[i], order[j], c, want);
    }
}

static void test_pep440_equal(void **state) {
  (void)state;
  assert_int_equal(pep_cmp("1.0", "1.0.0"), 0);
  assert_int_equal(pep_cmp("1", "1.0.0.0.0"), 0);
  assert_int_equal(pep_cmp("1.0a", "1.0a0"), 0);
  assert_int_equal(pep_cmp("1.0-1", "1.0.post1"), 0);
  assert_int_equal(pep_cmp("1.0.RC1", "1.0rc1"), 0);
  assert_int_equal(pep_cmp("1.0c1", "1.0rc1"), 0);
  assert_int_equal(pep_cmp("0!1.0", "1.0"), 0);
  assert_int_equal(pep_cmp("1.0+Ubuntu-1", "1.0+ubuntu.1"), 0);
  assert_int_equal(pep_cmp("1.0+01", "1.0+1"), 0);
  assert_true(pep_cmp("1.82.6", "1.82.7") < 0);
  assert_true(pep_cmp("1.82.10", "1.82.9") > 0);
  assert_true(pep_cmp("1.0+a", "1.0+1") < 0); /* strings before numbers */
  assert_true(pep_cmp("1.0+a", "1.0+a.b") < 0);
  assert_true(pep_cmp("1.0.dev1", "1.0a1") < 0);
  assert_true(pep_cmp("1.0.post1.dev1", "1.0.post1") < 0);
  assert_true(pep_cmp("1.0.post1.dev1", "1.0") > 0);
}

static void test_pep440_normalize(void **state) {
  (void)state;
  check_norm("1.0", "1.0");
  check_norm("v1.0", "1.0");
  check_norm("  V1.0\n", "1.0");
  check_norm("01.002.0003", "1.2.3");
  check_norm("1.0.a1", "1.0a1");
  check_norm("1.0-alpha-1", "1.0a1");
  check_norm("1.0_beta.2", "1.0b2");
  check_norm("1.0c1", "1.0rc1");
  check_norm("1.0pre1", "1.0rc1");
  check_norm("1.0preview1", "1.0rc1");
  check_norm("1.0a", "1.0a0");
  check_norm("1.0-1", "1.0.post1");
  check_norm("1.0-r4", "1.0.post4");
  check_norm("1.0rev4", "1.0.post4");
  check_norm("1.0.post", "1.0.post0");
  check_norm("1.0-dev", "1.0.dev0");
  check_norm("1.0apost1", "1.0a0.post1");
  check_norm("1!2.0", "1!2.0");
  check_norm("1.0+ubuntu-1_A", "1.0+ubuntu.1.a");
  check_norm("1.0+abc.007", "1.0+abc.7");
}

static void test_pep440_invalid(void **state) {
  (void)state;
  static const char *const bad[] = {"",
                                    " ",
                                    "v",
                                    "1.",
                                    "1..0",
                                    ".1",
                                    "1.0-",
                                    "1.0+",
                                    "1.0+.a",
                                    "1.0+a.",
                                    "1.0 2",
                                    "1.0-a-b",
                                    "a1.0",
                                    "1.0.dev1a",
                                    "1.0+a+b",
                                    "1!",
                                    "1.0\x01",
                                    "1.0.post1.post2",
                                    "1.0a1a2",
                                    "1.0--1",
                                    "1.0\xc3\xa9",
                                    "1234567890123456789",
                                    "1.0rc1-"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    ag_pep440 v;
    if (!ag_pep440_parse(bad[i], strlen(bad[i]), &v))
      fail_msg("'%s' should be rejected", bad[i]);
  }
  ag_pep440 v;
  assert_int_equal(ag_pep440_parse("123456789012345678", 18, &v), 0);
  assert_int_equal(ag_pep440_parse("000000000000000000001", 21, &v), 0);
  /* 32 segments are allowed, 33 are not */
  char buf[128] = "1";
  for (int i = 1; i < 32; i++)
    strcat(buf, ".0");
  assert_int_equal(ag_pep440_parse(buf, strlen(buf), &v), 0);
  strcat(buf, ".0");
  assert_int_equal(ag_pep440_parse(buf, strlen(buf), &v), -1);
  /* length limit, and an exact-length buffer without terminator */
  char *big = malloc(AG_VERSION_MAX_LEN + 1);
  assert_non_null(big);
  memset(big, '1', AG_VERSION_MAX_LEN + 1);
  assert_int_equal(ag_pep440_parse(big, AG_VERSION_MAX_LEN + 1, &v), -1);
  memcpy(big, "1.0+", 4);
  memset(big + 4, 'a', AG_VERSION_MAX_LEN - 3);
  assert_int_equal(ag_pep440_parse(big, AG_VERSION_MAX_LEN, &v), 0);
  assert_int_equal(ag_pep440_parse(big, AG_VERSION_MAX_LEN + 1, &v), -1);
  free(big);
}

static ag_semver sem(const char *s) {
  ag_semver v;
  if (ag_semver_parse(s, strlen(s), &v))
    fail_msg("'%s' should be a valid SemVer version", s);
  return v;
}

static int sem_cmp(const char *a, const char *b) {
  ag_semver x = sem(a), y = sem(b);
  return ag_semver_cmp(&x, &y);
}

/* semver.org, item 11. */
static void test_semver_spec_order(void **state) {
  (void)state;
  static const char *const order[] = {
      "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
      "1.0.0-beta",  "1.0.0-beta.2",  "1.0.0-beta.11",
      "1.0.0-rc.1",  "1.0.0",         "2.0.0",
      "2.1.0",       "2.1.1",         "10.0.0"};
  size_t n = sizeof(order) / sizeof(order[0]);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) {
      int c = sem_cmp(order[i], order[j]);
      int want = i < j ? -1 : i > j;
      if (c != want)
        fail_msg("cmp('%s', '%s') = %d, want %d", order[i], order[j], c, want);
    }
  assert_int_equal(sem_cmp("1.0.0+build.1", "1.0.0+build.2"), 0);
  assert_int_equal(sem_cmp("v1.2.3", " 1.2.3 "), 0);
  assert_true(sem_cmp("1.0.0-2", "1.0.0-10") < 0);
  assert_true(sem_cmp("1.0.0-9", "1.0.0-a") < 0); /* numbers first */
  assert_true(sem_cmp("1.0.0-Z", "1.0.0-a") < 0); /* ASCII order */
  assert_true(sem_cmp("9007199254740991.0.0", "1.0.0") > 0);
}

static void test_semver_invalid(void **state) {
  (void)state;
  static const char *const bad[] = {"",          "1",
                                    "1.0",       "1.0.0.0",
                                    "01.0.0",    "1.02.0",
                                    "1.0.0-",    "1.0.0+",
                                    "1.0.0-01",  "1.0.0-a..b",
                                    "=1.0.0",    "1.0.0-a_b",
                                    "V1.0.0",    "1.0.0 x",
                                    "-1.0.0",    "9007199254740992.0.0",
                                    "1.0.0+a+b", "1.0.0-\xc3\xa9"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    ag_semver v;
    if (!ag_semver_parse(bad[i], strlen(bad[i]), &v))
      fail_msg("'%s' should be rejected", bad[i]);
  }
  ag_semver v;
  char buf[80] = "1.0.0-0";
  for (int i = 1; i < AG_SEMVER_MAX_PRE; i++)
    strcat(buf, ".0");
  assert_int_equal(ag_semver_parse(buf, strlen(buf), &v), 0);
  strcat(buf, ".0");
  assert_int_equal(ag_semver_parse(buf, strlen(buf), &v), -1);
  char *big = malloc(AG_VERSION_MAX_LEN + 1);
  assert_non_null(big);
  memcpy(big, "1.0.0+", 6);
  memset(big + 6, 'b', AG_VERSION_MAX_LEN - 5);
  assert_int_equal(ag_semver_parse(big, AG_VERSION_MAX_LEN + 1, &v), -1);
  assert_int_equal(ag_semver_parse(big, AG_VERSION_MAX_LEN, &v), 0);
  free(big);
}

static void test_by_ecosystem(void **state) {
  (void)state;
  ag_version a, b;
  assert_int_equal(ag_ecosystem_parse("PyPI"), AG_ECO_PYPI);
  assert_int_equal(ag_ecosystem_parse("npm"), AG_ECO_NPM);
  assert_int_equal(ag_ecosystem_parse("pypi"), AG_ECO_UNKNOWN);
  assert_int_equal(
      ag_version_parse(AG_ECO_PYPI, AG_ORDER_ECOSYSTEM, "1.0rc1", &a), 0);
  assert_int_equal(ag_version_parse(AG_ECO_PYPI, AG_ORDER_SEMVER, "1.0rc1", &b),
                   -1);
  assert_int_equal(ag_version_parse(AG_ECO_PYPI, AG_ORDER_ECOSYSTEM, "1.0", &b),
                   0);
  assert_true(ag_version_cmp(&a, &b) < 0);
  assert_int_equal(
      ag_version_parse(AG_ECO_NPM, AG_ORDER_ECOSYSTEM, "1.0.0-rc.1", &a), 0);
  assert_int_equal(
      ag_version_parse(AG_ECO_NPM, AG_ORDER_ECOSYSTEM, "1.0.0", &b), 0);
  assert_true(ag_version_cmp(&a, &b) < 0);
  assert_int_equal(
      ag_version_parse(AG_ECO_UNKNOWN, AG_ORDER_ECOSYSTEM, "1.0", &a), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pep440_spec_order),
      cmocka_unit_test(test_pep440_equal),
      cmocka_unit_test(test_pep440_normalize),
      cmocka_unit_test(test_pep440_invalid),
      cmocka_unit_test(test_semver_spec_order),
      cmocka_unit_test(test_semver_invalid),
      cmocka_unit_test(test_by_ecosystem),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
