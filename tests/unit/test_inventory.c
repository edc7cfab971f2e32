/*
 * test_inventory.c -- the parsers of src/supply that read what is
 * installed or locked: requirements files (pins, hashes, continuations,
 * comments, extras, markers, unpinned and URL requirements, includes and
 * include cycles), npm lockfiles v1-v3 (names, nesting, links, workspace
 * folders, line numbers), METADATA headers, and the startup-file helpers
 * (.pth line classification, RECORD hash decoding) and indicator files.
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
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "inventory.h"
#include "ioc.h"
#include "startup.h"
#include "testutil.h"

static const ag_package *find(const ag_inventory *inv, const char *name) {
  for (size_t i = 0; i < inv->n_pkgs; i++)
    if (!strcmp(inv->pkgs[i].name, name))
      return &inv->pkgs[i];
  return NULL;
}

static void reqs(ag_inventory *inv, const char *text) {
  ag_inv_parse_requirements(inv, "requirements.txt", text, strlen(text), 0);
}

static void test_requirements(void **state) {
  (void)state;
  ag_inventory inv = {0};
  reqs(&inv, "# comment\n"
             "requests==2.31.0 \\\n"
             "    --hash=sha256:abc \\\n"
             "    --hash=sha256:def\n"
             "Lite_LLM[proxy,extra] == 1.82.7 ; python_version >= '3.9' # x\n"
             "flask>=2.0\n"
             "numpy==1.*\n"
             "pinned===1.0+local\n"
             "range==1.0,<2\n"
             "pkg @ https://example.org/pkg.whl\n"
             "-e ./local\n"
             "--index-url https://pypi.org/simple\n"
             "./some/path.whl\n"
             "http://example.org/x.tar.gz\n"
             "%%% garbage\n"
             "crlf==1.0\r\n"
             "last==9");
  const ag_package *p = find(&inv, "requests");
  assert_non_null(p);
  assert_string_equal(p->version, "2.31.0");
  assert_int_equal(p->line, 2);
  assert_int_equal(p->source, AG_SRC_MANIFEST);
  p = find(&inv, "Lite_LLM");
  assert_non_null(p);
  assert_string_equal(p->version, "1.82.7");
  assert_int_equal(p->line, 5);
  assert_null(find(&inv, "flask")->version);
  assert_null(find(&inv, "numpy")->version);
  assert_string_equal(find(&inv, "pinned")->version, "1.0+local");
  assert_null(find(&inv, "range")->version);
  assert_null(find(&inv, "pkg"));
  assert_string_equal(find(&inv, "crlf")->version, "1.0");
  assert_string_equal(find(&inv, "last")->version, "9");
  assert_int_equal(find(&inv, "last")->line, 17);
  assert_int_equal(inv.n_problems, 1);
  assert_int_equal(inv.problems[0].line, 15);
  assert_non_null(strstr(inv.problems[0].message, "not a requirement"));
  ag_inventory_free(&inv);

  /* hostile: empty, only continuations, NUL bytes, a huge name */
  reqs(&inv, "");
  reqs(&inv, "\\\n\\\n\\");
  ag_inv_parse_requirements(&inv, "r.txt", "a==1\0b==2\n", 10, 0);
  char big[600];
  memset(big, 'a', sizeof(big) - 1);
  big[sizeof(big) - 1] = '\0';
  reqs(&inv, big);
  assert_null(find(&inv, big));
  ag_inventory_free(&inv);
}

static char tmpdir[] = "/tmp/aigate_test_inv_XXXXXX";

static void write_file(const char *name, const char *text) {
  char path[512];
  snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  fclose(f);
}

static void test_includes(void **state) {
  (void)state;
  assert_non_null(mkdtemp(tmpdir));
  char sub[600];
  snprintf(sub, sizeof(sub), "%s/sub", tmpdir);
  mkdir(sub, 0700);
  write_file("requirements.txt",
             "a==1\n-r sub/more.txt\n--requirement=missing.txt\n");
  write_file("sub/more.txt", "b==2\n-r../requirements.txt\n");
  ag_inventory inv = {0};
  char path[600];
  snprintf(path, sizeof(path), "%s/requirements.txt", tmpdir);
  ag_inventory_scan(&inv, path);
  assert_non_null(find(&inv, "a"));
  const ag_package *b = find(&inv, "b");
  assert_non_null(b);
  assert_non_null(strstr(b->file, "sub/more.txt"));
  int missing = 0, cycle = 0;
  for (size_t i = 0; i < inv.n_problems; i++) {
    missing |= strstr(inv.problems[i].message, "missing.txt") != NULL;
    cycle |= strstr(inv.problems[i].message, "deeper") != NULL;
  }
  assert_true(missing);
  assert_true(cycle);
  ag_inventory_free(&inv);
  rm_tree(tmpdir);
}

static void lock(ag_inventory *inv, const char *text) {
  ag_inv_parse_package_lock(inv, "package-lock.json", text, strlen(text));
}

static void test_package_lock(void **state) {
  (void)state;
  ag_inventory inv = {0};
  lock(&inv, "{\n"
             " \"lockfileVersion\": 2,\n"
             " \"packages\": {\n"
             "  \"\": {\"name\": \"root\", \"version\": \"1.0.0\"},\n"
             "  \"node_modules/a\": {\"version\": \"1.0.0\"},\n"
             "  \"node_modules/a/node_modules/b\": {\n"
             "    \"version\": \"2.0.0\"},\n"
             "  \"node_modules/alias\": {\"name\": \"real\", \"version\": "
             "\"3.0.0\"},\n"
             "  \"node_modules/linked\": {\"link\": true, \"resolved\": "
             "\"x\"},\n"
             "  \"packages/ws\": {\"version\": \"0.1.0\"},\n"
             "  \"node_modules/nov\": {}\n"
             " },\n"
             " \"dependencies\": {\"a\": {\"version\": \"9.9.9\"}}\n"
             "}\n");
  assert_int_equal(inv.n_pkgs, 3);
  assert_int_equal(find(&inv, "a")->line, 5);
  assert_string_equal(find(&inv, "b")->version, "2.0.0");
  assert_int_equal(find(&inv, "b")->line, 6);
  assert_string_equal(find(&inv, "real")->version, "3.0.0");
  assert_null(find(&inv, "root"));
  assert_int_equal(inv.n_problems, 1); /* "nov" has no version */
  assert_int_equal(inv.problems[0].line, 11);
  ag_inventory_free(&inv);

  /* v1: "requires" maps names to ranges; lines come from the objects */
  lock(&inv, "{\"lockfileVersion\": 1, \"dependencies\": {\n"
             "\"x\": {\"version\": \"1.0.0\", \"requires\": {\"y\": \"^2\"},\n"
             "  \"dependencies\": {\n"
             "   \"y\": {\"version\": \"2.1.0\"}}},\n"
             "\"y\": {\"version\": \"3.0.0\"},\n"
             "\"loc\": {\"version\": \"file:../loc\"},\n"
             "\"al\": {\"version\": \"npm:@real/pkg@2.0.0\"}}}");
  assert_int_equal(inv.n_pkgs, 4);
  assert_string_equal(find(&inv, "@real/pkg")->version, "2.0.0");
  assert_int_equal(inv.pkgs[1].line, 4);
  assert_string_equal(inv.pkgs[1].version, "2.1.0");
  assert_int_equal(inv.pkgs[2].line, 5);
  ag_inventory_free(&inv);

  static const char *const bad[] = {
      "", "[]", "{\"lockfileVersion\": 9, \"packages\": {}}",
      "{\"packages\": {}}", "{\"lockfileVersion\": 3, \"packages\": {,}}"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    lock(&inv, bad[i]);
    assert_int_equal(inv.n_pkgs, 0);
    assert_int_equal(inv.n_problems, 1);
    ag_inventory_free(&inv);
  }
}

static void test_metadata(void **state) {
  (void)state;
  ag_inventory inv = {0};
  const char *m = "Metadata-Version: 2.1\r\nName:  litellm \r\nVersion: 1.82.8"
                  "\r\n\r\nName: not-a-header\n";
  ag_inv_parse_metadata(&inv, "METADATA", "/x/litellm-1.82.8.dist-info", m,
                        strlen(m));
  assert_int_equal(inv.n_pkgs, 1);
  assert_string_equal(inv.pkgs[0].name, "litellm");
  assert_string_equal(inv.pkgs[0].version, "1.82.8");
  assert_int_equal(inv.pkgs[0].line, 3);
  assert_string_equal(inv.pkgs[0].dist_dir, "/x/litellm-1.82.8.dist-info");
  ag_inventory_free(&inv);
  m = "Metadata-Version: 2.1\n\nName: x\nVersion: 1\n";
  ag_inv_parse_metadata(&inv, "METADATA", NULL, m, strlen(m));
  assert_int_equal(inv.n_pkgs, 0);
  assert_int_equal(inv.n_problems, 1);
  ag_inventory_free(&inv);
}

static int pth(const char *line, int *obf) {
  return ag_pth_line_kind(line, strlen(line), obf);
}

static void test_pth_lines(void **state) {
  (void)state;
  int obf;
  assert_int_equal(pth("/usr/lib/extra", &obf), 0);
  assert_int_equal(pth("importlib_stuff", &obf), 0); /* not "import " */
  assert_int_equal(pth(" import os", &obf), 0);      /* site.py: no */
  assert_int_equal(pth("import os", &obf), 2);
  assert_int_equal(obf, 0);
  assert_int_equal(pth("import\tos", &obf), 2);
  assert_int_equal(
      pth("import os, subprocess, sys; subprocess.Popen([sys.executable, "
          "\"-c\", \"import base64; exec(base64.b64decode('aW1wb3J0'))\"])",
          &obf),
      2);
  assert_int_equal(obf, 1);
  assert_int_equal(pth("import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = "
                       "os.environ.get(var, 'local') == 'local'; enabled and "
                       "__import__('_distutils_hack').add_shim(); ",
                       &obf),
                   1);
  assert_int_equal(pth("import __editable___mypkg_1_0_finder; "
                       "__editable___mypkg_1_0_finder.install()",
                       &obf),
                   1);
  assert_int_equal(pth("import sys; sys.__plen = len(sys.path)", &obf), 1);
  assert_int_equal(
      pth("import sys; new = sys.path[sys.__plen:]; del sys.path[sys.__plen:]; "
          "p = getattr(sys, '__egginsert', 0); sys.path[p:p] = new; "
          "sys.__egginsert = p + len(new)",
          &obf),
      1);
  /* an allow-listed prefix does not excuse what follows it */
  assert_int_equal(pth("import _virtualenv; exec(open('x').read())", &obf), 2);
  assert_int_equal(obf, 1);
}

static void test_record_hash(void **state) {
  (void)state;
  unsigned char d[32];
  const char *f = "sha256=ceNa7wMJnNHy1kRnNCcwJaFjWX3pORLfMh7xGL8TUjg";
  assert_int_equal(ag_record_sha256(f, strlen(f), d), 0);
  static const unsigned char want[] = {0x71, 0xe3, 0x5a, 0xef, 0x03, 0x09};
  assert_memory_equal(d, want, sizeof(want));
  assert_int_equal(ag_record_sha256("sha256=", 7, d), -1);
  assert_int_equal(ag_record_sha256("md5=abc", 7, d), -1);
  const char *pad = "sha256=ceNa7wMJnNHy1kRnNCcwJaFjWX3pORLfMh7xGL8TUjg=";
  assert_int_equal(ag_record_sha256(pad, strlen(pad), d), -1);
}

static void test_iocs(void **state) {
  (void)state;
  ag_ioc_set set;
  aigate_error err = {{0}};
  assert_int_equal(ag_ioc_load(&set, NULL, &err), 0);
  assert_true(set.n >= 10);
  int pth = 0, home = 0;
  for (size_t i = 0; i < set.n; i++) {
    pth |= set.iocs[i].type == AG_IOC_FILE_NAME &&
           !strcmp(set.iocs[i].value, "litellm_init.pth");
    home |= set.iocs[i].type == AG_IOC_PATH &&
            !strcmp(set.iocs[i].value, "~/.config/sysmon/sysmon.py");
    assert_true(set.iocs[i].sources != NULL);
  }
  assert_true(pth && home);
  ag_ioc_free(&set);

  const char *pk =
      "remediation: r\nindicators:\n"
      " - {id: a, type: package, value: \"pkg:npm/%40s/p@1.0.0\","
      " severity: critical}\n"
      " - {id: b, type: package, value: \"pkg:pypi/Lite_LLM@1.82.8\","
      " severity: high}\n";
  assert_int_equal(ag_ioc_load_buffer(&set, "p.yaml", pk, strlen(pk), &err), 0);
  assert_int_equal(set.n, 2);
  assert_string_equal(set.iocs[0].pkg, "@s/p");
  assert_string_equal(set.iocs[0].pkg_version, "1.0.0");
  assert_int_equal(set.iocs[0].eco, AG_ECO_NPM);
  assert_string_equal(set.iocs[1].pkg, "Lite_LLM");
  assert_int_equal(set.iocs[1].eco, AG_ECO_PYPI);
  ag_ioc_free(&set);

  static const char *const bad[] = {
      "remediation: x\nindicators:\n - {id: a, type: sha256, value: abc, "
      "severity: high}\n",
      "remediation: x\nindicators:\n - {id: a, type: path, value: /etc/x, "
      "severity: high}\n",
      "remediation: x\nindicators:\n - {id: a, type: path, value: ~/../x, "
      "severity: high}\n",
      "remediation: x\nindicators:\n - {id: a, type: nope, value: x, "
      "severity: high}\n",
      "remediation: x\nindicators:\n - {id: a, type: string, value: x, "
      "severity: huge}\n",
      "remediation: x\nindicators:\n - {id: a, type: string, value: x, "
      "severity: high, extra: 1}\n",
      "remediation: x\nindicators:\n - {id: a, type: package, value: "
      "\"pkg:pypi/x\", severity: high}\n",
      "remediation: x\nindicators:\n - {id: a, type: package, value: "
      "\"pkg:cargo/x@1\", severity: high}\n",
      "remediation: x\nother: 1\nindicators: []\n",
      "indicators: []\n",
      "- a list\n"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    memset(&set, 0, sizeof(set));
    if (ag_ioc_load_buffer(&set, "t.yaml", bad[i], strlen(bad[i]), &err) !=
        AIGATE_ERR_CONFIG)
      fail_msg("indicator file %zu should be rejected", i);
    assert_non_null(strstr(err.msg, "t.yaml:"));
    ag_ioc_free(&set);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_requirements), cmocka_unit_test(test_includes),
      cmocka_unit_test(test_package_lock), cmocka_unit_test(test_metadata),
      cmocka_unit_test(test_pth_lines),    cmocka_unit_test(test_record_hash),
      cmocka_unit_test(test_iocs),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
