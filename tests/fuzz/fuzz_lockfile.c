/*
 * fuzz_lockfile.c -- libFuzzer target for the inventory parsers of
 * src/supply: npm lockfiles (npm_lock.c), pnpm-lock.yaml and yarn.lock
 * (js_lock.c), poetry.lock/uv.lock/pylock.toml and Pipfile.lock
 * (py_lock.c), requirements files (requirements.c, without includes: no
 * file is read), METADATA headers (inventory.c) and RECORD rows
 * (startup.c), each on the same arbitrary bytes.
 *
 * Invariants: no parser reads outside the input (ASan) or leaks (LSan);
 * every package has a name, a version (or none, for requirements) no
 * longer than a version may be, and a line within the input's lines;
 * every problem names the file.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "inventory.h"
#include "startup.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  return 0;
}

static void check(const ag_inventory *inv, const char *file, int lines) {
  for (size_t i = 0; i < inv->n_pkgs; i++) {
    const ag_package *p = &inv->pkgs[i];
    FUZZ_CHECK(p->name && p->file && !strcmp(p->file, file));
    FUZZ_CHECK(p->line >= 0 && p->line <= lines);
  }
  for (size_t i = 0; i < inv->n_problems; i++)
    FUZZ_CHECK(inv->problems[i].file && inv->problems[i].message);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *s = (const char *)data;
  /* YAML also breaks lines at \r, NEL, LS and PS (whose UTF-8 forms end
   * in 0x85, 0xA8, 0xA9): an upper bound for the YAML-based parsers. */
  int lines = 1, ylines = 1;
  for (size_t i = 0; i < size; i++) {
    unsigned char c = data[i];
    lines += c == '\n';
    ylines += c == '\n' || c == '\r' || c == 0x85 || c == 0xA8 || c == 0xA9;
  }
  ag_inventory inv = {0};
  ag_inv_parse_package_lock(&inv, "package-lock.json", s, size);
  check(&inv, "package-lock.json", lines);
  ag_inventory_free(&inv);

  /* depth at the include limit: -r lines report a problem, read nothing */
  ag_inv_parse_requirements(&inv, "requirements.txt", s, size,
                            AG_INV_MAX_INCLUDES);
  check(&inv, "requirements.txt", lines);
  for (size_t i = 0; i < inv.n_pkgs; i++)
    FUZZ_CHECK(!inv.pkgs[i].version ||
               strlen(inv.pkgs[i].version) <= AG_VERSION_MAX_LEN);
  ag_inventory_free(&inv);

  static const char *const names[] = {"pnpm-lock.yaml", "yarn.lock",
                                      "poetry.lock", "pylock.toml",
                                      "Pipfile.lock"};
  for (int k = 0; k < 5; k++) {
    if (k == 0)
      ag_inv_parse_pnpm_lock(&inv, names[k], s, size);
    else if (k == 1)
      ag_inv_parse_yarn_lock(&inv, names[k], s, size);
    else if (k == 4)
      ag_inv_parse_pipfile_lock(&inv, names[k], s, size);
    else
      ag_inv_parse_toml_lock(&inv, names[k], s, size, k == 3);
    check(&inv, names[k], k <= 1 ? ylines : lines);
    ag_inventory_free(&inv);
  }

  ag_inv_parse_metadata(&inv, "METADATA", NULL, s, size);
  check(&inv, "METADATA", lines);
  FUZZ_CHECK(inv.n_pkgs + inv.n_problems == 1);
  ag_inventory_free(&inv);

  /* RECORD: every row consumed, fields within the row's copy */
  const char *p = s, *end = s + size;
  int rows = 0;
  while (p < end) {
    const char *before = p;
    char *row, *f[3];
    size_t fl[3];
    int k = ag_record_row(&p, end, &row, f, fl);
    FUZZ_CHECK(p > before && p <= end && k >= 1 && k <= 3);
    for (int i = 0; row && i < k; i++) {
      FUZZ_CHECK(strlen(f[i]) <= fl[i]);
      unsigned char d[32];
      ag_record_sha256(f[i], fl[i], d);
    }
    free(row);
    FUZZ_CHECK(++rows <= lines);
  }
  return 0;
}
