/*
 * fuzz_version.c -- libFuzzer target for the PEP 440 and SemVer parsers
 * (src/supply/pep440.c, semver.c) on arbitrary bytes.
 *
 * The input is split at its first newline into two versions. Invariants:
 * parsing never reads outside the input (ASan), a version equals itself,
 * comparison is antisymmetric, and a PEP 440 version's normalized form
 * parses again to an equal version whose normal form is the same string.
 */
#include <string.h>

#include "common.h"
#include "version.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  return 0;
}

static void check_pep440(const char *a, size_t na, const char *b, size_t nb) {
  ag_pep440 x, y;
  int ok_x = !ag_pep440_parse(a, na, &x), ok_y = !ag_pep440_parse(b, nb, &y);
  if (ok_x) {
    FUZZ_CHECK(ag_pep440_cmp(&x, &x) == 0);
    char norm[AG_VERSION_MAX_LEN * 2], again[AG_VERSION_MAX_LEN * 2];
    int l = ag_pep440_format(&x, norm, sizeof(norm));
    FUZZ_CHECK(l > 0);
    ag_pep440 z;
    if ((size_t)l <= AG_VERSION_MAX_LEN) {
      FUZZ_CHECK(ag_pep440_parse(norm, (size_t)l, &z) == 0);
      FUZZ_CHECK(ag_pep440_cmp(&x, &z) == 0);
      FUZZ_CHECK(ag_pep440_format(&z, again, sizeof(again)) == l);
      FUZZ_CHECK(memcmp(norm, again, (size_t)l) == 0);
    }
  }
  if (ok_x && ok_y)
    FUZZ_CHECK(ag_pep440_cmp(&x, &y) == -ag_pep440_cmp(&y, &x));
}

static void check_semver(const char *a, size_t na, const char *b, size_t nb) {
  ag_semver x, y;
  int ok_x = !ag_semver_parse(a, na, &x), ok_y = !ag_semver_parse(b, nb, &y);
  if (ok_x)
    FUZZ_CHECK(ag_semver_cmp(&x, &x) == 0);
  if (ok_x && ok_y)
    FUZZ_CHECK(ag_semver_cmp(&x, &y) == -ag_semver_cmp(&y, &x));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *s = (const char *)data;
  const char *nl = memchr(s, '\n', size);
  size_t na = nl ? (size_t)(nl - s) : size;
  const char *b = nl ? nl + 1 : s;
  size_t nb = nl ? size - na - 1 : size;
  check_pep440(s, na, b, nb);
  check_semver(s, na, b, nb);
  return 0;
}
