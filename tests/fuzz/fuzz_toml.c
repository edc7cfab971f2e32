/*
 * fuzz_toml.c -- libFuzzer target for the strict TOML reader
 * (src/supply/toml.c) on arbitrary bytes.
 *
 * Invariants: no read outside the input (ASan); on success every
 * reported line is within the input's lines and every reported string is
 * at most AG_TOML_MAX_STRING bytes; on failure the error line is within
 * the input and the message is not empty; parsing is deterministic.
 */
#include <string.h>

#include "common.h"
#include "toml.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  return 0;
}

typedef struct {
  int lines;
  unsigned long hash;
} state;

static void on_table(void *ud, const char *path, int array, int line) {
  state *s = ud;
  FUZZ_CHECK(line >= 1 && line <= s->lines);
  FUZZ_CHECK(strlen(path) <= AG_TOML_MAX_KEY);
  s->hash = s->hash * 31 + (unsigned long)line * 2 + (unsigned long)array;
}

static void on_value(void *ud, const char *key, const char *str, size_t len,
                     int line) {
  state *s = ud;
  FUZZ_CHECK(line >= 1 && line <= s->lines);
  FUZZ_CHECK(strlen(key) <= AG_TOML_MAX_KEY);
  FUZZ_CHECK(!str || len <= AG_TOML_MAX_STRING);
  s->hash = s->hash * 31 + (unsigned long)line + len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *s = (const char *)data;
  int lines = 1;
  for (size_t i = 0; i < size; i++)
    lines += s[i] == '\n';
  ag_toml_cb cb = {on_table, on_value};
  state a = {lines, 0}, b = {lines, 0};
  char err[256] = "", err2[256] = "";
  int line, line2;
  int rc = ag_toml_parse(s, size, &cb, &a, err, sizeof(err), &line);
  int rc2 = ag_toml_parse(s, size, &cb, &b, err2, sizeof(err2), &line2);
  FUZZ_CHECK(rc == rc2 && a.hash == b.hash && line == line2);
  if (rc) {
    FUZZ_CHECK(err[0] && line >= 1 && line <= lines);
    FUZZ_CHECK(!strcmp(err, err2));
  }
  return 0;
}
