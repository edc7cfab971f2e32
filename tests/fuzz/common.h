/*
 * common.h -- what the fuzz targets share: one engine per process, and
 * the invariants every scan result must keep whatever the input.
 *
 * Building an engine compiles (or loads from the cache) every rule
 * database, which takes far longer than a scan, so each target builds one
 * lazily and reuses it with one scratch, the way a server would. A broken
 * invariant aborts with a message, which libFuzzer reports as a crash
 * and saves the input.
 */
#ifndef AIGATE_FUZZ_COMMON_H
#define AIGATE_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "aigate/aigate.h"

/* libFuzzer's entry points (declared for -Wmissing-prototypes). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort with file, line and the failed condition. */
#define FUZZ_CHECK(cond)                                                       \
  do {                                                                         \
    if (!(cond))                                                               \
      fuzz_fail(#cond, __FILE__, __LINE__);                                    \
  } while (0)

_Noreturn void fuzz_fail(const char *what, const char *file, int line);

/*
 * The engine of the embedded rules (or of the directory named by
 * $AIGATE_FUZZ_RULES, for when the embedded rules do not build) and its
 * scratch. Built on first use; a failure to build aborts, since a target
 * that cannot scan would fuzz nothing.
 */
const aigate_engine *fuzz_engine(void);
aigate_scratch *fuzz_scratch(void);

/* Check what aigate_scan_ex returned for text[0, len) (see common.c). */
void fuzz_check_result(const char *text, size_t len, int rc,
                       const aigate_result *r);

/*
 * Scan text[0, len) with the given options, check the result, redact it
 * and check the redaction. Returns the redacted copy (free() it) when the
 * redaction changed the text, else NULL.
 */
char *fuzz_scan(const char *text, size_t len, const aigate_scan_options *opt,
                size_t *out_len);

#endif
