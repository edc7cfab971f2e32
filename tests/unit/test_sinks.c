/*
 * test_sinks.c -- the request records' way from the queue to the sinks
 * (src/gateway/records.c, sinks.c): a records file whose rotation fails
 * is appended to instead of rotated forever, and a write that falls
 * short leaves no partial line.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "gateway.h"
#include "records.h"
#include "sinks.h"
#include "testutil.h"

static char dir[256];

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof(dir), "/tmp/aigate-sinks-XXXXXX");
  assert_non_null(mkdtemp(dir));
  unsetenv("AIGATE_KEY_SECRET");
  alarm(60); /* a sink that loops fails the test instead of hanging it */
  return 0;
}

static int teardown(void **state) {
  (void)state;
  alarm(0);
  rm_tree(dir);
  return 0;
}

static gw_audit_rec *make_rec(int i) {
  gw_audit_rec *r = calloc(1, sizeof(*r));
  assert_non_null(r);
  snprintf(r->rec.id, sizeof(r->rec.id), "req_%08d", i);
  r->rec.ts_ms = 1800000000000LL + i;
  r->rec.status = 200;
  r->client = strdup("127.0.0.1");
  r->route = strdup("/v1/chat/completions");
  r->model = strdup("gpt-test");
  r->decision = strdup("allow");
  r->rules = strdup("");
  r->rec.client = r->client;
  r->rec.route = r->route;
  r->rec.model = r->model;
  r->rec.decision = r->decision;
  r->rec.rules = r->rules;
  return r;
}

static gw_sinks *open_file_sink(const char *path, size_t max_bytes) {
  gw_config cfg;
  memset(&cfg, 0, sizeof(cfg));
  cfg.records_file = (char *)path;
  cfg.records_max_bytes = max_bytes;
  cfg.records_max_age_s = 86400;
  cfg.records_keep = 3;
  char err[600];
  gw_sinks *s = gw_sinks_open(&cfg, err, sizeof(err));
  if (!s)
    fail_msg("%s", err);
  return s;
}

static void add(gw_sinks *s, int i) {
  gw_audit_rec *r = make_rec(i);
  gw_sinks_record(s, &r->rec);
  gw_audit_rec_free(r);
}

/* The file's lines, each checked to be a whole JSON record; their ids
 * into ids (at most max), their count returned. */
static int read_lines(const char *path, char ids[][40], int max) {
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  char line[4096];
  int n = 0;
  while (fgets(line, sizeof(line), f)) {
    size_t len = strlen(line);
    assert_true(len > 0 && line[len - 1] == '\n');
    json_error_t je;
    json_t *o = json_loads(line, 0, &je);
    if (!o)
      fail_msg("line %d is not a JSON record: %s: %.80s", n + 1, je.text, line);
    const char *id = json_string_value(json_object_get(o, "id"));
    assert_non_null(id);
    if (n < max)
      snprintf(ids[n], 40, "%s", id);
    json_decref(o);
    n++;
  }
  fclose(f);
  return n;
}

/* A name so long that the rotated name (".YYYYMMDDTHHMMSS.mmmZ" added)
 * exceeds the file system's limit: rotation fails, and the batch is
 * appended past the size limit instead of rotating the same full file
 * again and again. */
static void test_rotation_fails(void **state) {
  (void)state;
  char path[600];
  int n = snprintf(path, sizeof(path), "%s/", dir);
  memset(path + n, 'r', 245);
  path[n + 245] = '\0';
  gw_sinks *s = open_file_sink(path, 300); /* about one record a file */
  for (int i = 0; i < 3; i++)
    add(s, i);
  gw_sinks_flush(s, gw_wall_ms());
  for (int i = 3; i < 5; i++)
    add(s, i);
  gw_sinks_flush(s, gw_wall_ms() + 1);
  unsigned long long dropped[GW_SINK_COUNT];
  gw_sinks_take_dropped(s, dropped);
  assert_int_equal(dropped[GW_SINK_FILE], 0);
  gw_sinks_free(s);
  char ids[8][40];
  assert_int_equal(read_lines(path, ids, 8), 5);
  assert_string_equal(ids[0], "req_00000000");
  assert_string_equal(ids[4], "req_00000004");
}

/* Rotation that works keeps doing so: a file per record here. */
static void test_rotation_works(void **state) {
  (void)state;
  char path[600];
  snprintf(path, sizeof(path), "%s/records.jsonl", dir);
  gw_sinks *s = open_file_sink(path, 300);
  for (int i = 0; i < 3; i++)
    add(s, i);
  gw_sinks_flush(s, gw_wall_ms());
  gw_sinks_free(s);
  char ids[4][40];
  assert_int_equal(read_lines(path, ids, 4), 1);
  assert_string_equal(ids[0], "req_00000002");
}

/* A write cut short by the file size limit: the batch is taken back out
 * (counted as dropped), so the next batch starts on a line of its own. */
static void test_short_write(void **state) {
  (void)state;
  char path[600];
  snprintf(path, sizeof(path), "%s/records.jsonl", dir);
  gw_sinks *s = open_file_sink(path, 100u << 20);
  add(s, 0);
  gw_sinks_flush(s, gw_wall_ms());
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  struct rlimit old, lim;
  assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
  lim = old;
  lim.rlim_cur = (rlim_t)st.st_size + 100;
  void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
  add(s, 1);
  add(s, 2);
  gw_sinks_flush(s, gw_wall_ms());
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
  signal(SIGXFSZ, was);
  unsigned long long dropped[GW_SINK_COUNT];
  gw_sinks_take_dropped(s, dropped);
  assert_int_equal(dropped[GW_SINK_FILE], 2);
  add(s, 3);
  gw_sinks_flush(s, gw_wall_ms());
  gw_sinks_free(s);
  char ids[8][40];
  assert_int_equal(read_lines(path, ids, 8), 2);
  assert_string_equal(ids[0], "req_00000000");
  assert_string_equal(ids[1], "req_00000003");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_rotation_fails, setup, teardown),
      cmocka_unit_test_setup_teardown(test_rotation_works, setup, teardown),
      cmocka_unit_test_setup_teardown(test_short_write, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
