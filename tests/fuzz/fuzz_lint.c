/*
 * fuzz_lint.c -- libFuzzer target for the prompt linter
 * (src/assess/lint.c): placeholder and phrase scanning, line numbers and
 * the library scans it runs, on arbitrary bytes.
 *
 * Every finding must point inside the text (line and column within its
 * lines), carry a message and a fix, and come sorted by line.
 */
#include <stdlib.h>
#include <string.h>

#include "assess.h"
#include "common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fuzz_engine(); /* built once here, not inside an input's time limit */
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size ? size : 1);
  if (!text)
    return 0;
  memcpy(text, data, size);
  size_t lines = 1;
  for (size_t i = 0; i < size; i++)
    lines += text[i] == '\n';
  as_lint_result r;
  int rc = as_lint(fuzz_engine(), fuzz_scratch(), text, size, &r);
  if (rc == 0) {
    for (size_t i = 0; i < r.n; i++) {
      const as_lint_finding *f = &r.f[i];
      FUZZ_CHECK(f->rule && f->message && f->fix);
      FUZZ_CHECK(f->severity >= 2 && f->severity <= 5);
      FUZZ_CHECK(f->line >= 1 && (size_t)f->line <= lines);
      FUZZ_CHECK(f->col >= 1 && (size_t)f->col <= size + 1);
      if (i)
        FUZZ_CHECK(r.f[i - 1].line <= f->line);
    }
    as_lint_free(&r);
  } else {
    FUZZ_CHECK(rc == AIGATE_ERR_TOO_LARGE || rc == AIGATE_ERR_NOMEM);
  }
  free(text);
  return 0;
}
