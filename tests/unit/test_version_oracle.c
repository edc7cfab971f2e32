/*
 * test_version_oracle.c -- PEP 440 and node-semver ordering against the
 * reference implementations: Debian's python3-packaging (packaging.version)
 * and npm's `semver` module, run as test tools (tests/tools/pep440_oracle.py,
 * semver_oracle.js).
 *
 * Thousands of versions are generated from a fixed seed, covering every
 * spelling the grammars allow (epochs, pre/post/dev releases in all their
 * forms, separators, case, local labels, leading 'v', whitespace; SemVer
 * pre-release and build identifiers) and, for one in eight, a random edit
 * that usually makes them invalid. For each pair the oracle's answers --
 * is each side valid, how do they compare, and (PEP 440) the normalized
 * form -- must equal ours. The semver half is skipped when node or its
 * semver module is not installed; python3-packaging is a build dependency
 * (Makefile DEB_PACKAGES).
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
#include <sys/wait.h>
#include <unistd.h>

#include "version.h"

#define N_VERSIONS 2500
#define VLEN 96

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static unsigned rnd(unsigned n) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (unsigned)(rng % n);
}
static const char *pick(const char *const *a, size_t n) {
  return a[rnd((unsigned)n)];
}
#define PICK(a) pick(a, sizeof(a) / sizeof(a[0]))

static void cat(char *buf, const char *s) {
  size_t l = strlen(buf);
  snprintf(buf + l, VLEN - l, "%s", s);
}
static void num(char *buf) {
  static const char *const nums[] = {"0",  "1",  "2",  "3",   "9",
                                     "10", "11", "01", "007", "123"};
  cat(buf, PICK(nums));
}
static void sep(char *buf) {
  static const char *const seps[] = {"", "", ".", "-", "_"};
  cat(buf, PICK(seps));
}

/* Flip case, insert or delete a character: mostly invalid versions. */
static void mutate(char *buf) {
  static const char chars[] = ".-_+!abrv0 9x";
  size_t l = strlen(buf);
  unsigned k = rnd(3);
  if (k == 0 && l + 1 < VLEN) {
    size_t at = rnd((unsigned)l + 1);
    memmove(buf + at + 1, buf + at, l - at + 1);
    buf[at] = chars[rnd(sizeof(chars) - 1)];
  } else if (k == 1 && l > 1) {
    size_t at = rnd((unsigned)l);
    memmove(buf + at, buf + at + 1, l - at);
  } else if (l) {
    buf[rnd((unsigned)l)] ^= 0x20;
    for (size_t i = 0; buf[i]; i++) /* keep it printable ASCII */
      if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] > 0x7e)
        buf[i] = '.';
  }
}

static void gen_pep440(char *buf) {
  static const char *const pre[] = {"a", "A",  "alpha", "b",   "beta",
                                    "c", "rc", "RC",    "pre", "preview"};
  static const char *const post[] = {"post", "rev", "r", "POST"};
  buf[0] = '\0';
  if (!rnd(8))
    cat(buf, rnd(2) ? " " : "\v");
  if (!rnd(6))
    cat(buf, rnd(2) ? "v" : "V");
  if (!rnd(10)) {
    num(buf);
    cat(buf, "!");
  }
  unsigned segs = 1 + rnd(4);
  for (unsigned i = 0; i < segs; i++) {
    if (i)
      cat(buf, ".");
    num(buf);
  }
  if (!rnd(3)) {
    sep(buf);
    cat(buf, PICK(pre));
    if (rnd(4)) {
      sep(buf);
      num(buf);
    }
  }
  if (!rnd(4)) {
    if (!rnd(3)) {
      cat(buf, "-");
      num(buf);
    } else {
      sep(buf);
      cat(buf, PICK(post));
      if (rnd(4)) {
        sep(buf);
        num(buf);
      }
    }
  }
  if (!rnd(4)) {
    sep(buf);
    cat(buf, rnd(5) ? "dev" : "DEV");
    if (rnd(4)) {
      sep(buf);
      num(buf);
    }
  }
  if (!rnd(6)) {
    static const char *const loc[] = {"abc", "5", "ubuntu", "01", "Z9", "cpu"};
    cat(buf, "+");
    unsigned parts = 1 + rnd(3);
    for (unsigned i = 0; i < parts; i++) {
      if (i) {
        static const char *const lseps[] = {".", "-", "_"};
        cat(buf, PICK(lseps));
      }
      cat(buf, PICK(loc));
    }
  }
  if (!rnd(8))
    cat(buf, " ");
  if (!rnd(8))
    mutate(buf);
}

static void gen_semver(char *buf) {
  static const char *const ids[] = {"alpha", "beta", "rc", "0",  "1", "2",
                                    "11",    "x-y",  "a1", "01", "Z", "-"};
  static const char *const nums[] = {"0", "1", "2", "10", "01", "3"};
  buf[0] = '\0';
  if (!rnd(8))
    cat(buf, " ");
  if (!rnd(6))
    cat(buf, "v");
  cat(buf, PICK(nums));
  cat(buf, ".");
  cat(buf, PICK(nums));
  cat(buf, ".");
  cat(buf, PICK(nums));
  if (!rnd(2)) {
    unsigned n = 1 + rnd(3);
    cat(buf, "-");
    for (unsigned i = 0; i < n; i++) {
      if (i)
        cat(buf, ".");
      cat(buf, PICK(ids));
    }
  }
  if (!rnd(5)) {
    cat(buf, "+");
    cat(buf, PICK(ids));
    if (rnd(2)) {
      cat(buf, ".");
      cat(buf, PICK(ids));
    }
  }
  if (!rnd(8))
    mutate(buf);
  /* The oracle reads lines split on tabs and newlines. */
  for (size_t i = 0; buf[i]; i++)
    if (buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r')
      buf[i] = ' ';
}

/*
 * Run `argv` with `input` on its stdin, return its whole stdout (caller
 * frees) and its exit status in *status.
 */
static char *run_tool(char *const argv[], const char *input, int *status) {
  char in_path[] = "/tmp/aigate_oracle_in_XXXXXX";
  char out_path[] = "/tmp/aigate_oracle_out_XXXXXX";
  int in_fd = mkstemp(in_path), out_fd = mkstemp(out_path);
  assert_true(in_fd >= 0 && out_fd >= 0);
  size_t len = strlen(input);
  assert_int_equal(write(in_fd, input, len), (ssize_t)len);
  lseek(in_fd, 0, SEEK_SET);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    dup2(in_fd, 0);
    dup2(out_fd, 1);
    execv(argv[0], argv);
    _exit(127);
  }
  assert_int_equal(waitpid(pid, status, 0), pid);
  close(in_fd);
  unlink(in_path);
  FILE *f = fdopen(out_fd, "r");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long sz = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *out = calloc(1, (size_t)sz + 1);
  assert_non_null(out);
  assert_int_equal(fread(out, 1, (size_t)sz, f), (size_t)sz);
  fclose(f);
  unlink(out_path);
  return out;
}

/* Every version against its successor, and the first 60 against each
 * other: pairs as "a\tb\n" lines. */
static char *pairs(char (*v)[VLEN], size_t n, size_t *count) {
  size_t cap = (n + 3600) * (2 * VLEN + 2) + 1, o = 0;
  char *buf = malloc(cap);
  assert_non_null(buf);
  *count = 0;
  for (size_t i = 0; i + 1 < n; i++) {
    o += (size_t)snprintf(buf + o, cap - o, "%s\t%s\n", v[i], v[i + 1]);
    ++*count;
  }
  for (size_t i = 0; i < 60 && i < n; i++)
    for (size_t j = 0; j < 60 && j < n; j++) {
      o += (size_t)snprintf(buf + o, cap - o, "%s\t%s\n", v[i], v[j]);
      ++*count;
    }
  return buf;
}

static void test_pep440_oracle(void **state) {
  (void)state;
  static char v[N_VERSIONS][VLEN];
  rng = 0x9E3779B97F4A7C15ULL;
  for (size_t i = 0; i < N_VERSIONS; i++)
    gen_pep440(v[i]);
  size_t count;
  char *input = pairs(v, N_VERSIONS, &count);
  char *argv[] = {"/usr/bin/python3",
                  AIGATE_SOURCE_DIR "/tests/tools/pep440_oracle.py", NULL};
  int status;
  char *out = run_tool(argv, input, &status);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    fail_msg("the PEP 440 oracle failed (needs /usr/bin/python3 and "
             "python3-packaging)");
  char *line = out, *pl = input;
  size_t checked = 0, valid = 0;
  for (size_t k = 0; k < count; k++) {
    char *tab = strchr(pl, '\t'), *nl = strchr(pl, '\n');
    assert_non_null(tab);
    assert_non_null(nl);
    *tab = *nl = '\0';
    int ova, ovb, oc;
    char onorm[VLEN * 2];
    assert_int_equal(sscanf(line, "%d %d %d %190s", &ova, &ovb, &oc, onorm), 4);
    ag_pep440 a, b;
    int va = !ag_pep440_parse(pl, strlen(pl), &a);
    int vb = !ag_pep440_parse(tab + 1, strlen(tab + 1), &b);
    if (va != ova || vb != ovb)
      fail_msg("validity of '%s' / '%s': ours %d/%d, packaging %d/%d", pl,
               tab + 1, va, vb, ova, ovb);
    if (va && vb) {
      int c = ag_pep440_cmp(&a, &b);
      if (c != oc)
        fail_msg("cmp('%s', '%s'): ours %d, packaging %d", pl, tab + 1, c, oc);
      valid++;
    }
    if (va) {
      char norm[AG_VERSION_MAX_LEN + 32];
      assert_true(ag_pep440_format(&a, norm, sizeof(norm)) > 0);
      if (strcmp(norm, onorm))
        fail_msg("normalized '%s': ours '%s', packaging '%s'", pl, norm, onorm);
    }
    checked++;
    pl = nl + 1;
    line = strchr(line, '\n');
    assert_non_null(line);
    line++;
  }
  print_message("PEP 440: %zu pairs agree with packaging (%zu both valid)\n",
                checked, valid);
  assert_true(valid > count / 2);
  free(out);
  free(input);
}

static void test_semver_oracle(void **state) {
  (void)state;
  static char v[N_VERSIONS][VLEN];
  rng = 0xD1B54A32D192ED03ULL;
  for (size_t i = 0; i < N_VERSIONS; i++)
    gen_semver(v[i]);
  if (access("/usr/bin/node", X_OK) != 0)
    skip();
  size_t count;
  char *input = pairs(v, N_VERSIONS, &count);
  char *argv[] = {"/usr/bin/node",
                  AIGATE_SOURCE_DIR "/tests/tools/semver_oracle.js", NULL};
  int status;
  char *out = run_tool(argv, input, &status);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 3) {
    free(out);
    free(input);
    print_message("node's semver module not found: skipped\n");
    skip();
  }
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  char *line = out, *pl = input;
  size_t valid = 0;
  for (size_t k = 0; k < count; k++) {
    char *tab = strchr(pl, '\t'), *nl = strchr(pl, '\n');
    *tab = *nl = '\0';
    int ova, ovb, oc;
    assert_int_equal(sscanf(line, "%d %d %d", &ova, &ovb, &oc), 3);
    ag_semver a, b;
    int va = !ag_semver_parse(pl, strlen(pl), &a);
    int vb = !ag_semver_parse(tab + 1, strlen(tab + 1), &b);
    if (va != ova || vb != ovb)
      fail_msg("validity of '%s' / '%s': ours %d/%d, semver %d/%d", pl, tab + 1,
               va, vb, ova, ovb);
    if (va && vb) {
      int c = ag_semver_cmp(&a, &b);
      if (c != oc)
        fail_msg("cmp('%s', '%s'): ours %d, semver %d", pl, tab + 1, c, oc);
      valid++;
    }
    pl = nl + 1;
    line = strchr(line, '\n') + 1;
  }
  print_message("semver: %zu pairs agree with node-semver (%zu both valid)\n",
                count, valid);
  assert_true(valid > count / 4);
  free(out);
  free(input);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pep440_oracle),
      cmocka_unit_test(test_semver_oracle),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
