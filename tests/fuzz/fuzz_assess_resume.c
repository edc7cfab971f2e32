/*
 * fuzz_assess_resume.c -- libFuzzer target for reading an earlier run's
 * transcripts.jsonl (src/assess/runner.c, --resume) on arbitrary bytes.
 *
 * The file is the run's own output, but a crash, a disk that filled up
 * or a hand edit can leave anything in it. Reading must end with a
 * verdict (taken over or refused with a file:line message), and every
 * attempt it marks done must be complete enough for the report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess.h"
#include "common.h"

static as_probe_set set;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  aigate_error err = {{0}};
  if (as_probes_load_embedded(&set, &err)) {
    fprintf(stderr, "fuzz: probes: %s\n", err.msg);
    abort();
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) /* fmemopen refuses an empty buffer */
    return 0;
  /* Only injection x {none, base64}: small plans keep the target fast. */
  int fam[AS_N_FAMILIES] = {0}, tr[AS_N_TRANSFORMS] = {0};
  fam[AS_FAM_INJECTION] = 1;
  tr[AS_TR_BASE64] = 1;
  as_run run;
  if (as_run_plan(&run, &set, fam, tr))
    return 0;
  FILE *f = fmemopen((void *)data, size, "r");
  if (!f) {
    as_run_free(&run);
    return 0;
  }
  aigate_error err = {{0}};
  int rc = as_run_resume_file(&run, f, "t.jsonl", &err);
  fclose(f);
  if (rc)
    FUZZ_CHECK(err.msg[0] != '\0');
  for (size_t i = 0; i < run.n; i++) {
    const as_attempt *a = &run.attempts[i];
    if (!a->done)
      continue;
    FUZZ_CHECK(a->outcome == AS_OK);
    FUZZ_CHECK(a->success == 0 || a->success == 1);
  }
  as_run_free(&run);
  return 0;
}
