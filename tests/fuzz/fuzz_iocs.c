/*
 * fuzz_iocs.c -- libFuzzer target for the indicator file loader
 * (src/supply/ioc.c) on arbitrary bytes: load, check what was accepted,
 * free. Invariants: a failure carries a "name:line" message; an accepted
 * indicator has a known type, a severity from low to critical and a
 * value valid for its type (paths under ~/ or /tmp/, 64-hex SHA-256).
 */
#include <string.h>

#include "common.h"
#include "ioc.h"
#include "osv.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  ag_ioc_set set;
  memset(&set, 0, sizeof(set));
  aigate_error err = {{0}};
  int rc = ag_ioc_load_buffer(&set, "f.yaml", (const char *)data, size, &err);
  if (rc)
    FUZZ_CHECK(!strncmp(err.msg, "f.yaml:", 7) || rc == AIGATE_ERR_NOMEM);
  for (size_t i = 0; i < set.n; i++) {
    const ag_ioc *x = &set.iocs[i];
    FUZZ_CHECK(x->severity >= AG_SEV_LOW && x->severity <= AG_SEV_CRITICAL);
    FUZZ_CHECK(x->type <= AG_IOC_PACKAGE);
    if (x->type == AG_IOC_PACKAGE)
      FUZZ_CHECK(x->pkg && x->pkg[0] && x->pkg_version && x->pkg_version[0]);
    if (x->type == AG_IOC_SHA256)
      FUZZ_CHECK(strlen(x->value) == 64);
    if (x->type == AG_IOC_PATH)
      FUZZ_CHECK(!strncmp(x->value, "~/", 2) || !strncmp(x->value, "/tmp/", 5));
  }
  ag_ioc_free(&set);
  return 0;
}
