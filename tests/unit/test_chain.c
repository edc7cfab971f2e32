/*
 * test_chain.c -- the request records' tamper evidence (src/store/
 * chain.c): an intact chain verifies; an edited, a deleted, an inserted
 * record, a cut tail, a forged checkpoint and a second chain are each
 * reported with their place; the checkpoint line reader's strict and
 * loose forms.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store.h"
#include "testutil.h"

static char dir[256], db[300], keyf[300], cpf[300];
static char reports[16][512];
static int n_reports;

static void collect(void *ud, const char *msg) {
  (void)ud;
  if (n_reports < 16)
    snprintf(reports[n_reports++], sizeof(reports[0]), "%s", msg);
}

static int setup(void **state) {
  (void)state;
  snprintf(dir, sizeof(dir), "/tmp/aigate-chain-XXXXXX");
  assert_non_null(mkdtemp(dir));
  snprintf(db, sizeof(db), "%s/k.db", dir);
  snprintf(keyf, sizeof(keyf), "%s/aigate.audit_key", dir);
  snprintf(cpf, sizeof(cpf), "%s/aigate.audit_checkpoints", dir);
  unsetenv("AIGATE_KEY_SECRET");
  unsetenv("AIGATE_AUDIT_KEY");
  n_reports = 0;
  return 0;
}

static int teardown(void **state) {
  (void)state;
  rm_tree(dir);
  return 0;
}

/* A store with n chained records and a checkpoint after them. */
static store *filled(store_chain *c, int n) {
  char err[600];
  store *s = store_open(db, err, sizeof(err));
  if (!s)
    fail_msg("%s", err);
  assert_int_equal(store_chain_init(c, keyf, err, sizeof(err)), 0);
  assert_int_equal(store_begin(s), 0);
  for (int i = 1; i <= n; i++) {
    store_audit a = {.ts_ms = 1000 + i,
                     .client = "10.0.0.1",
                     .route = "chat",
                     .model = "m",
                     .decision = "allow",
                     .rules = "",
                     .status = 200,
                     .prompt_tokens = i};
    if (i % 2 == 0) { /* the later fields: on half the records */
      a.deployment = "gpt-4o-mini https://api.openai.com/v1";
      a.mode = "enforce";
      a.findings = "[{\"rule\":\"pii-email\",\"category\":\"pii\"}]";
      a.us_overhead = 250 + i;
      a.ms_first_byte = 40 + i;
    }
    snprintf(a.id, sizeof(a.id), "req_%d", i);
    a.prompt_hash[0] = (unsigned char)i;
    store_chain_link(c, &a);
    assert_int_equal(a.chain_seq, i);
    assert_int_equal(store_audit_add(s, &a), 0);
  }
  assert_int_equal(store_commit(s), 0);
  assert_int_equal(store_chain_checkpoint(c, cpf), 0);
  return s;
}

static void sql(const char *q) {
  sqlite3 *h;
  assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
  char *msg = NULL;
  if (sqlite3_exec(h, q, 0, 0, &msg) != SQLITE_OK)
    fail_msg("%s: %s", q, msg);
  sqlite3_close(h);
}

static int verify(store *s, const store_chain *c) {
  int64_t records;
  n_reports = 0;
  return store_chain_verify(s, c->key, cpf, NULL, collect, NULL, &records);
}

static void expect_report(const char *part) {
  for (int i = 0; i < n_reports; i++)
    if (strstr(reports[i], part))
      return;
  fail_msg("no report contains '%s' (%d reports%s%s)", part, n_reports,
           n_reports ? ": " : "", n_reports ? reports[0] : "");
}

static void test_intact(void **state) {
  (void)state;
  store_chain c;
  store *s = filled(&c, 10);
  int64_t records;
  assert_int_equal(
      store_chain_verify(s, c.key, cpf, NULL, collect, NULL, &records), 0);
  assert_int_equal(records, 10);
  /* Another key cannot vouch for it. */
  store_chain other = c;
  other.key[0] ^= 1;
  assert_true(verify(s, &other) > 0);
  expect_report("modified or forged");
  expect_report("not signed with this audit key");
  store_close(s);
  store_chain_clear(&c);
}

static void test_modified(void **state) {
  (void)state;
  store_chain c;
  store *s = filled(&c, 10);
  sql("UPDATE audit SET decision='block' WHERE chain_seq=3");
  assert_int_equal(verify(s, &c), 1);
  expect_report("record 3 ");
  expect_report("req_3");
  expect_report("modified");
  /* The later fields are covered: cleared, or set on a record that had
   * none. */
  sql("UPDATE audit SET findings=NULL WHERE chain_seq=4");
  sql("UPDATE audit SET mode='detect-only' WHERE chain_seq=5");
  sql("UPDATE audit SET us_overhead=1 WHERE chain_seq=6");
  assert_int_equal(verify(s, &c), 4);
  expect_report("record 4 ");
  expect_report("record 5 ");
  expect_report("record 6 ");
  store_close(s);
  store_chain_clear(&c);
}

static void test_deleted(void **state) {
  (void)state;
  store_chain c;
  store *s = filled(&c, 10);
  sql("DELETE FROM audit WHERE chain_seq IN (5, 6)");
  assert_int_equal(verify(s, &c), 1);
  expect_report("records 5..6 deleted");
  store_close(s);
  store_chain_clear(&c);
}

static void test_inserted(void **state) {
  (void)state;
  store_chain c;
  store *s = filled(&c, 10);
  sql("INSERT INTO audit(id, ts, route, model, status, decision, rules, "
      "instance, chain_seq, mac) SELECT 'req_forged', ts, route, model, 200, "
      "'allow', '', instance, 4, mac FROM audit WHERE chain_seq=4");
  assert_int_equal(verify(s, &c), 1);
  expect_report("req_forged");
  expect_report("inserted");
  store_close(s);
  store_chain_clear(&c);
}

static void test_truncated(void **state) {
  (void)state;
  store_chain c;
  store *s = filled(&c, 10);
  sql("DELETE FROM audit WHERE chain_seq >= 8");
  assert_int_equal(verify(s, &c), 1);
  expect_report("records 8..10 deleted");
  /* All of it. */
  sql("DELETE FROM audit");
  assert_int_equal(verify(s, &c), 1);
  expect_report("all 10 records deleted");
  store_close(s);
  store_chain_clear(&c);
}

/* The checkpoint file removed with the tail: the chain cannot vouch for
 * itself, and says so; a collector's copy (with syslog's BOM) still
 * finds the cut. */
static void test_checkpoints_removed(void **state) {
  (void)state;
  store_chain c;
  store *s = filled(&c, 6);
  char line[256], collected[400];
  assert_int_equal(store_chain_checkpoint_line(&c, line, sizeof(line)), 0);
  sql("DELETE FROM audit WHERE chain_seq >= 5");
  assert_int_equal(unlink(cpf), 0);
  assert_int_equal(verify(s, &c), 1);
  expect_report("4 records and no checkpoint of them");
  snprintf(collected, sizeof(collected), "%s/collected.log", dir);
  FILE *f = fopen(collected, "w");
  assert_non_null(f);
  fprintf(f, "Nov 26 10:00:00 host sshd[1]: session opened\n");
  fprintf(
      f, "<109>1 2026-11-26T10:00:01Z h aigate 7 checkpoint - \xef\xbb\xbf%s\n",
      line);
  fclose(f);
  int64_t records;
  n_reports = 0;
  assert_int_equal(
      store_chain_verify(s, c.key, cpf, collected, collect, NULL, &records), 1);
  expect_report("records 5..6 deleted");
  /* A collected file without a checkpoint of ours proves nothing. */
  f = fopen(collected, "w");
  assert_non_null(f);
  fprintf(f, "Nov 26 10:00:00 host sshd[1]: session opened\n");
  fclose(f);
  n_reports = 0;
  assert_true(store_chain_verify(s, c.key, cpf, collected, collect, NULL,
                                 &records) >= 1);
  expect_report("no checkpoint signed with this audit key");
  store_close(s);
  store_chain_clear(&c);
}

/* Compaction keeps each chain's last checkpoint and every foreign line,
 * and the chains still verify (a cut tail is still found). */
static void test_compact(void **state) {
  (void)state;
  store_chain c, d;
  store *s = filled(&c, 3);
  store_close(s);
  s = filled(&d, 4);
  FILE *f = fopen(cpf, "a");
  assert_non_null(f);
  fprintf(f, "not a checkpoint\n");
  fclose(f);
  for (int i = 0; i < 50; i++) /* the same head again and again */
    assert_int_equal(store_chain_checkpoint(&d, cpf), 0);
  assert_int_equal(store_chain_compact(c.key, cpf, 1 << 20), 0); /* small */
  int lines = 0;
  char buf[4096];
  f = fopen(cpf, "r");
  while (fgets(buf, sizeof(buf), f))
    lines++;
  fclose(f);
  assert_int_equal(lines, 53);
  assert_int_equal(store_chain_compact(c.key, cpf, 100), 0);
  f = fopen(cpf, "r");
  lines = 0;
  int foreign = 0;
  while (fgets(buf, sizeof(buf), f)) {
    lines++;
    foreign += !strcmp(buf, "not a checkpoint\n");
  }
  fclose(f);
  assert_int_equal(lines, 3);
  assert_int_equal(foreign, 1);
  assert_int_equal(verify(s, &d), 1); /* the foreign line, and only it */
  expect_report("1 checkpoint(s) malformed");
  sql("DELETE FROM audit WHERE chain_seq = 4");
  assert_int_equal(verify(s, &d), 2);
  expect_report("records 4..4 deleted");
  store_close(s);
  store_chain_clear(&c);
  store_chain_clear(&d);
}

static void test_two_chains(void **state) {
  (void)state;
  store_chain c, d;
  store *s = filled(&c, 3);
  store_close(s);
  /* A second process: a new chain with the same key. */
  s = filled(&d, 4);
  assert_string_not_equal(c.instance, d.instance);
  assert_int_equal(verify(s, &d), 0);
  char q[200];
  snprintf(q, sizeof(q), "DELETE FROM audit WHERE instance='%s'", c.instance);
  sql(q);
  assert_int_equal(verify(s, &d), 1);
  expect_report(c.instance);
  store_close(s);
  store_chain_clear(&c);
  store_chain_clear(&d);
}

/* The checkpoint line reader: strict and loose forms, and what it
 * refuses. */
static void test_checkpoint_lines(void **state) {
  (void)state;
  store_chain c;
  memset(&c, 0, sizeof(c));
  memset(c.key, 7, sizeof(c.key));
  snprintf(c.instance, sizeof(c.instance), "00112233aabbccdd");
  c.seq = 42;
  memset(c.head, 0xab, sizeof(c.head));
  char line[256], buf[400], inst[17];
  int64_t seq = 0;
  unsigned char head[32];
  assert_int_equal(store_chain_checkpoint_line(&c, line, sizeof(line)), 0);
  assert_int_equal(store_checkpoint_parse(c.key, line, 0, inst, &seq, head), 1);
  assert_string_equal(inst, c.instance);
  assert_int_equal(seq, 42);
  assert_memory_equal(head, c.head, 32);
  snprintf(buf, sizeof(buf), "%s\r\n", line);
  assert_int_equal(store_checkpoint_parse(c.key, buf, 0, inst, &seq, head), 1);
  /* A collector's line ends with it: loose only. */
  snprintf(buf, sizeof(buf), "<109>1 2026-11-26T10:00:00Z h aigate - - %s \n",
           line);
  assert_int_equal(store_checkpoint_parse(c.key, buf, 0, inst, &seq, head), 0);
  assert_int_equal(store_checkpoint_parse(c.key, buf, 1, inst, &seq, head), 1);
  /* Another key's checkpoint is shaped right and refused. */
  unsigned char other[32];
  memset(other, 8, sizeof(other));
  assert_int_equal(store_checkpoint_parse(other, line, 0, inst, &seq, head),
                   -1);
  /* Misshapen: extra words, a sign, leading zeros, upper case, short. */
  const char *sp = strchr(line, ' ');
  snprintf(buf, sizeof(buf), "%s x", line);
  assert_int_equal(store_checkpoint_parse(c.key, buf, 0, inst, &seq, head), 0);
  snprintf(buf, sizeof(buf), "00112233aabbccdd +42%s", strchr(sp + 1, ' '));
  assert_int_equal(store_checkpoint_parse(c.key, buf, 0, inst, &seq, head), 0);
  snprintf(buf, sizeof(buf), "00112233aabbccdd 042%s", strchr(sp + 1, ' '));
  assert_int_equal(store_checkpoint_parse(c.key, buf, 0, inst, &seq, head), 0);
  snprintf(buf, sizeof(buf), "00112233AABBCCDD%s", sp);
  assert_int_equal(store_checkpoint_parse(c.key, buf, 0, inst, &seq, head), 0);
  snprintf(buf, sizeof(buf), "%.*s", (int)strlen(line) - 1, line);
  assert_int_equal(store_checkpoint_parse(c.key, buf, 0, inst, &seq, head), 0);
  assert_int_equal(store_checkpoint_parse(c.key, "", 1, inst, &seq, head), 0);
  assert_int_equal(store_checkpoint_parse(c.key, "0011223344556677 0 a b", 1,
                                          inst, &seq, head),
                   0);
}

/* A record's MAC is a fixed function of the chain and the record: the
 * values below were computed by the first version of record_mac, so a
 * change in how the fields are fed to HMAC-SHA256 that changes a MAC
 * (and would make every stored chain fail verification) is caught. */
static void mac_hex(const store_chain *c0, const unsigned char *content,
                    size_t content_len, char hex[65]) {
  store_chain c = *c0;
  store_audit a;
  memset(&a, 0, sizeof(a));
  snprintf(a.id, sizeof(a.id), "req_0123456789abcdef0001");
  a.ts_ms = 1764190000123;
  snprintf(a.key_id, sizeof(a.key_id), "key_abc");
  a.client = "127.0.0.1";
  a.route = "chat";
  a.model = "gpt-4o-mini";
  a.decision = "block (fail-closed)";
  a.rules = "inj-ignore-previous,pii-email";
  a.status = 400;
  a.upstream_status = -1;
  a.prompt_tokens = 1234567;
  a.completion_tokens = 0;
  a.cost = -42;
  a.ms_total = 17;
  a.ms_upstream = 9;
  for (int i = 0; i < 32; i++) {
    a.prompt_hash[i] = (unsigned char)i;
    a.response_hash[i] = (unsigned char)(255 - i);
  }
  a.content = content;
  a.content_len = content_len;
  snprintf(a.content_key_id, sizeof(a.content_key_id), "00112233aabbccdd");
  store_chain_link(&c, &a);
  for (int i = 0; i < 32; i++)
    snprintf(hex + 2 * i, 3, "%02x", a.mac[i]);
}

static void test_known_mac(void **state) {
  (void)state;
  store_chain c;
  memset(&c, 0, sizeof(c));
  unsigned char key[32];
  for (int i = 0; i < 32; i++) {
    key[i] = (unsigned char)(i * 7);
    c.head[i] = 0xaa;
  }
  store_chain_key(&c, key);
  snprintf(c.instance, sizeof(c.instance), "0123456789abcdef");
  c.seq = 41;
  static unsigned char content[3000];
  for (size_t i = 0; i < sizeof(content); i++)
    content[i] = (unsigned char)(i * 31 + 7);
  char none[65], some[65];
  mac_hex(&c, NULL, 0, none);
  mac_hex(&c, content, sizeof(content), some);
  assert_string_equal(
      none, "6804aa5515756afee15431f5bf91497e0e7e1e4ff68560afc53e1bb94640a0be");
  assert_string_equal(
      some, "0f71fd1ea41afd504ebecaf13e2a04baa261d359146522ea2eaaafa20ef6d90b");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_intact, setup, teardown),
      cmocka_unit_test_setup_teardown(test_modified, setup, teardown),
      cmocka_unit_test_setup_teardown(test_deleted, setup, teardown),
      cmocka_unit_test_setup_teardown(test_inserted, setup, teardown),
      cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
      cmocka_unit_test_setup_teardown(test_two_chains, setup, teardown),
      cmocka_unit_test_setup_teardown(test_compact, setup, teardown),
      cmocka_unit_test_setup_teardown(test_checkpoints_removed, setup,
                                      teardown),
      cmocka_unit_test(test_checkpoint_lines),
      cmocka_unit_test(test_known_mac),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
