/*
 * test_sinks.c -- the request records' way from the queue to the sinks
 * (src/gateway/records.c, sinks.c): a records file whose rotation fails
 * is appended to instead of rotated forever, a write that falls short
 * leaves no partial line, records whose commit fails still reach the
 * file (once, out of the chain), the file is written without the store
 * lock, and the queue is bounded by the bytes its records hold.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "access.h"
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
  const char *s[GW_REC_STRINGS] = {[GW_REC_CLIENT] = "127.0.0.1",
                                   [GW_REC_ROUTE] = "/v1/chat/completions",
                                   [GW_REC_MODEL] = "gpt-test",
                                   [GW_REC_DECISION] = "allow",
                                   [GW_REC_RULES] = ""};
  gw_audit_rec *r = gw_audit_rec_new(s);
  assert_non_null(r);
  snprintf(r->rec.id, sizeof(r->rec.id), "req_%08d", i);
  r->rec.ts_ms = 1800000000000LL + i;
  r->rec.status = 200;
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
 * into ids and, unless chained is NULL, whether each has a place in the
 * chain into chained (at most max); their count returned. */
static int read_lines(const char *path, char ids[][40], int *chained, int max) {
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
    if (n < max) {
      snprintf(ids[n], 40, "%s", id);
      if (chained)
        chained[n] = json_object_get(o, "chain_seq") != NULL;
    }
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
  assert_int_equal(read_lines(path, ids, NULL, 8), 5);
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
  assert_int_equal(read_lines(path, ids, NULL, 4), 1);
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
  assert_int_equal(read_lines(path, ids, NULL, 8), 2);
  assert_string_equal(ids[0], "req_00000000");
  assert_string_equal(ids[1], "req_00000003");
}

/* Records whose commit fails still reach the file, once and out of the
 * chain; committed ones carry their place in it. */
static void test_copies_without_database(void **state) {
  (void)state;
  char db[300], path[300];
  snprintf(db, sizeof(db), "%s/k.db", dir);
  snprintf(path, sizeof(path), "%s/records.jsonl", dir);
  char err[600];
  store *st = store_open(db, err, sizeof(err));
  if (!st)
    fail_msg("%s", err);
  gw_audit *a = gw_audit_new(100, 1u << 20);
  assert_non_null(a);
  assert_int_equal(gw_audit_chain(a, db, err, sizeof(err)), 0);
  gw_audit_set_sinks(a, open_file_sink(path, 100u << 20));
  gw_audit_push(a, make_rec(0));
  assert_int_equal(gw_audit_flush(a, st), 0);
  gw_audit_sinks(a);
  /* The database fails from now on. */
  sqlite3 *other;
  assert_int_equal(sqlite3_open(db, &other), SQLITE_OK);
  assert_int_equal(sqlite3_exec(other, "DROP TABLE audit", 0, 0, 0), 0);
  sqlite3_close(other);
  gw_audit_push(a, make_rec(1));
  gw_audit_push(a, make_rec(2));
  assert_int_equal(gw_audit_flush(a, st), -1);
  gw_audit_sinks(a);
  gw_audit_push(a, make_rec(3));
  assert_int_equal(gw_audit_flush(a, st), -1); /* 1 and 2 not copied again */
  gw_audit_sinks(a);
  gw_audit_free(a);
  store_close(st);

  char ids[8][40];
  int chained[8];
  assert_int_equal(read_lines(path, ids, chained, 8), 4);
  for (int i = 0; i < 4; i++) {
    char want[40];
    snprintf(want, sizeof(want), "req_%08d", i);
    assert_string_equal(ids[i], want);
    /* only the committed record has a place in the chain */
    assert_int_equal(chained[i], i == 0);
  }
}

/* The queue's byte bound: records holding content beyond it are dropped
 * (and reported by the next flush), not queued. */
static void test_queue_bytes(void **state) {
  (void)state;
  char db[300], err[600];
  snprintf(db, sizeof(db), "%s/k.db", dir);
  store *st = store_open(db, err, sizeof(err));
  if (!st)
    fail_msg("%s", err);
  gw_audit *a = gw_audit_new(1000, 64u << 10);
  assert_non_null(a);
  for (int i = 0; i < 10; i++) {
    gw_audit_rec *r = make_rec(i);
    r->rec.content_len = 20u << 10;
    r->sealed = calloc(1, r->rec.content_len);
    assert_non_null(r->sealed);
    gw_audit_push(a, r);
  }
  assert_int_equal(gw_audit_flush(a, st), 0);
  gw_audit_free(a);
  int64_t n = -1;
  assert_int_equal(store_audit_count(st, &n), 0);
  assert_int_equal(n, 3); /* 3 x 20 KiB and a bit fit in 64 KiB */
  store_close(st);
}

/* The file is written with the store released: a sink that blocks (a
 * FIFO nobody reads) holds no worker that wants the store. */
typedef struct {
  gw_access *ac;
  volatile int done;
} poll_arg;

static void *do_poll(void *p) {
  poll_arg *pa = p;
  gw_access_poll(pa->ac, gw_wall_ms());
  pa->done = 1;
  return NULL;
}

static void *do_lock(void *p) {
  poll_arg *pa = p;
  gw_access_store_lock(pa->ac);
  gw_access_store_unlock(pa->ac, 0);
  pa->done = 1;
  return NULL;
}

static void test_sink_outside_store_lock(void **state) {
  (void)state;
  char db[300], fifo[300], err[600];
  snprintf(db, sizeof(db), "%s/k.db", dir);
  snprintf(fifo, sizeof(fifo), "%s/records.fifo", dir);
  assert_int_equal(mkfifo(fifo, 0600), 0);
  signal(SIGPIPE, SIG_IGN);
  int rd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  assert_true(rd >= 0);
  gw_access *ac = gw_access_open(db, err, sizeof(err));
  if (!ac)
    fail_msg("%s", err);
  gw_audit *a = gw_audit_new(10000, 256u << 20);
  assert_non_null(a);
  gw_access_attach_audit(ac, a);
  gw_audit_set_sinks(a, open_file_sink(fifo, 100u << 20));
  for (int i = 0; i < 600; i++) /* well past a pipe's 64 KiB */
    gw_audit_push(a, make_rec(i));
  poll_arg writer = {ac, 0}, worker = {ac, 0};
  pthread_t tw, tk;
  assert_int_equal(pthread_create(&tw, NULL, do_poll, &writer), 0);
  /* Wait until the pipe is full: the writer is stuck in the sink. Up to
   * 60 s each here, for a sanitizer build on a loaded machine: a broken
   * lock fails all the same, later. */
  int queued = 0;
  for (int i = 0; i < 6000 && queued < 65536; i++) {
    struct timespec ts = {0, 10 * 1000000L};
    nanosleep(&ts, NULL);
    assert_int_equal(ioctl(rd, FIONREAD, &queued), 0);
  }
  assert_true(queued >= 65536);
  assert_int_equal(pthread_create(&tk, NULL, do_lock, &worker), 0);
  for (int i = 0; i < 6000 && !worker.done; i++) {
    struct timespec ts = {0, 10 * 1000000L};
    nanosleep(&ts, NULL);
  }
  int got_lock = worker.done;
  /* Unblock the writer whatever happened. */
  char buf[65536];
  while (!writer.done) {
    struct pollfd p = {.fd = rd, .events = POLLIN};
    poll(&p, 1, 10);
    while (read(rd, buf, sizeof(buf)) > 0)
      ;
  }
  pthread_join(tw, NULL);
  pthread_join(tk, NULL);
  gw_access_close(ac);
  gw_audit_free(a);
  close(rd);
  assert_true(got_lock);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_rotation_fails, setup, teardown),
      cmocka_unit_test_setup_teardown(test_rotation_works, setup, teardown),
      cmocka_unit_test_setup_teardown(test_short_write, setup, teardown),
      cmocka_unit_test_setup_teardown(test_copies_without_database, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_queue_bytes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sink_outside_store_lock, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
