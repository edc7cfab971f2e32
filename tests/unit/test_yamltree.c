/*
 * test_yamltree.c -- unit tests for the bounded YAML tree (src/lib/yamltree.c).
 *
 * Covers the shape of parsed documents (scalars, lists, maps, 1-based line
 * and column of every node, the quoted flag, scalars holding NUL bytes,
 * shared alias nodes) and every limit that protects the loaders from hostile
 * files: an alias bomb must fail quickly with a message naming the node
 * limit, nesting is bounded at 64, alias references at 1000, and a source
 * with more than one document, a NUL byte, an unknown alias, a duplicate
 * key or a list or map used as a key is rejected with "name:line:col: why".
 * An empty source is a document without a root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "yamltree.h"

static char errbuf[512];

/* Parse a NUL-terminated source; the error (if any) goes to errbuf. */
static yt_doc *parse(const char *src) {
  return yt_parse("t.yaml", src, strlen(src), errbuf, sizeof(errbuf));
}

/* Parsing must fail and the message must contain `want`. */
static void expect_fail(const char *src, size_t len, const char *want) {
  yt_doc *d = yt_parse("t.yaml", src, len, errbuf, sizeof(errbuf));
  if (d || !strstr(errbuf, want))
    fail_msg("expected failure containing '%s', got %s '%s'", want,
             d ? "success" : "error", errbuf);
  yt_free(d);
}

/* CPU time of this thread: what the parser spends, whatever else the
 * machine runs at the same time. */
static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A growable string for generated sources. */
typedef struct {
  char *p;
  size_t len, cap;
} str;

static void sadd(str *s, const char *t) {
  size_t n = strlen(t);
  if (s->len + n + 1 > s->cap) {
    s->cap = (s->len + n + 1) * 2;
    s->p = realloc(s->p, s->cap);
    assert_non_null(s->p);
  }
  memcpy(s->p + s->len, t, n + 1);
  s->len += n;
}

/* ------------------------------------------------------------------ */

static void test_scalars_lists_maps(void **state) {
  (void)state;
  yt_doc *d = parse("name: aigate\n"
                    "list:\n"
                    "  - one\n"
                    "  - 'two'\n"
                    "map: {a: 1, b: [x, y]}\n"
                    "empty:\n");
  assert_non_null(d);
  assert_string_equal(yt_name(d), "t.yaml");
  const yt_node *root = yt_root(d);
  assert_non_null(root);
  assert_int_equal(root->type, YT_MAP);
  assert_int_equal(root->n, 4);
  assert_int_equal(root->line, 1);
  assert_int_equal(root->col, 1);
  assert_string_equal(yt_type_name(root), "map");

  const yt_node *name = yt_get(root, "name");
  assert_non_null(name);
  assert_int_equal(name->type, YT_SCALAR);
  assert_string_equal(name->str, "aigate");
  assert_int_equal(name->len, 6);
  assert_int_equal(name->line, 1);
  assert_int_equal(name->col, 7);
  assert_int_equal(name->quoted, 0);
  assert_string_equal(yt_type_name(name), "scalar");
  /* Keys are nodes too, with their own positions. */
  assert_int_equal(root->kids[0]->line, 1);
  assert_int_equal(root->kids[0]->col, 1);
  assert_string_equal(root->kids[2]->str, "list");
  assert_int_equal(root->kids[2]->line, 2);

  const yt_node *list = yt_get(root, "list");
  assert_non_null(list);
  assert_int_equal(list->type, YT_SEQ);
  assert_string_equal(yt_type_name(list), "list");
  assert_int_equal(list->n, 2);
  assert_int_equal(list->line, 3);
  assert_int_equal(list->col, 3);
  assert_string_equal(list->kids[0]->str, "one");
  assert_int_equal(list->kids[0]->line, 3);
  assert_int_equal(list->kids[0]->col, 5);
  assert_string_equal(list->kids[1]->str, "two");
  assert_int_equal(list->kids[1]->line, 4);
  assert_int_equal(list->kids[1]->quoted, 1);

  const yt_node *map = yt_get(root, "map");
  assert_non_null(map);
  assert_int_equal(map->type, YT_MAP);
  assert_int_equal(map->n, 2);
  assert_int_equal(map->line, 5);
  assert_int_equal(map->col, 6);
  assert_string_equal(yt_get(map, "a")->str, "1");
  const yt_node *b = yt_get(map, "b");
  assert_int_equal(b->type, YT_SEQ);
  assert_int_equal(b->n, 2);
  assert_string_equal(b->kids[1]->str, "y");
  assert_int_equal(b->kids[1]->line, 5);
  assert_int_equal(b->kids[1]->col, 20);

  /* A key without a value is an empty plain scalar. */
  const yt_node *empty = yt_get(root, "empty");
  assert_non_null(empty);
  assert_int_equal(empty->type, YT_SCALAR);
  assert_int_equal(empty->len, 0);
  assert_string_equal(empty->str, "");

  /* Lookups that do not apply return NULL. */
  assert_null(yt_get(root, "missing"));
  assert_null(yt_get(list, "one"));
  assert_null(yt_get(name, "x"));
  assert_null(yt_get(NULL, "x"));
  assert_string_equal(yt_type_name(NULL), "nothing");
  yt_free(d);
}

static void test_top_level_list_and_scalar(void **state) {
  (void)state;
  yt_doc *d = parse("- a\n- b\n- c\n");
  assert_non_null(d);
  assert_int_equal(yt_root(d)->type, YT_SEQ);
  assert_int_equal(yt_root(d)->n, 3);
  assert_string_equal(yt_root(d)->kids[2]->str, "c");
  assert_int_equal(yt_root(d)->kids[2]->line, 3);
  yt_free(d);

  d = parse("just a scalar\n");
  assert_non_null(d);
  assert_int_equal(yt_root(d)->type, YT_SCALAR);
  assert_string_equal(yt_root(d)->str, "just a scalar");
  yt_free(d);

  /* An explicit document marker alone is still one document. */
  d = parse("---\nk: v\n...\n");
  assert_non_null(d);
  assert_string_equal(yt_get(yt_root(d), "k")->str, "v");
  assert_int_equal(yt_get(yt_root(d), "k")->line, 2);
  yt_free(d);
}

static void test_quoted_flag(void **state) {
  (void)state;
  yt_doc *d = parse("plain: null\n"
                    "single: 'null'\n"
                    "double: \"null\"\n"
                    "literal: |\n  text\n"
                    "folded: >\n  more\n"
                    "number: 42\n"
                    "qnumber: \"42\"\n");
  assert_non_null(d);
  const yt_node *r = yt_root(d);
  assert_int_equal(yt_get(r, "plain")->quoted, 0);
  assert_int_equal(yt_get(r, "single")->quoted, 1);
  assert_int_equal(yt_get(r, "double")->quoted, 1);
  assert_int_equal(yt_get(r, "literal")->quoted, 1);
  assert_string_equal(yt_get(r, "literal")->str, "text\n");
  assert_int_equal(yt_get(r, "folded")->quoted, 1);
  assert_string_equal(yt_get(r, "folded")->str, "more\n");
  assert_int_equal(yt_get(r, "number")->quoted, 0);
  assert_int_equal(yt_get(r, "qnumber")->quoted, 1);
  /* Every value is kept as text: no implicit typing. */
  assert_string_equal(yt_get(r, "plain")->str, "null");
  assert_string_equal(yt_get(r, "single")->str, "null");
  yt_free(d);
}

static void test_scalar_with_nul_escape(void **state) {
  (void)state;
  /* A NUL written as an escape is part of the value, not of the source. */
  yt_doc *d = parse("k: \"a\\0b\"\n");
  assert_non_null(d);
  const yt_node *v = yt_get(yt_root(d), "k");
  assert_int_equal(v->len, 3);
  assert_memory_equal(v->str, "a\0b", 4);
  yt_free(d);
}

static void test_anchor_alias_shared(void **state) {
  (void)state;
  yt_doc *d = parse("base: &b {x: 1}\nother: *b\nval: &v hello\nagain: *v\n");
  assert_non_null(d);
  const yt_node *r = yt_root(d);
  /* An alias is the anchored node itself, not a copy. */
  assert_ptr_equal(yt_get(r, "base"), yt_get(r, "other"));
  assert_ptr_equal(yt_get(r, "val"), yt_get(r, "again"));
  assert_string_equal(yt_get(yt_get(r, "other"), "x")->str, "1");
  yt_free(d);

  /* A later anchor with the same name shadows the earlier one. */
  d = parse("a: &n one\nb: &n two\nc: *n\n");
  assert_non_null(d);
  assert_string_equal(yt_get(yt_root(d), "c")->str, "two");
  yt_free(d);
}

static void test_empty_source(void **state) {
  (void)state;
  yt_doc *d = yt_parse("t.yaml", "", 0, errbuf, sizeof(errbuf));
  assert_non_null(d);
  assert_null(yt_root(d));
  assert_string_equal(errbuf, "");
  yt_free(d);
  /* Comments and blank lines only: still no root. */
  d = parse("# nothing here\n\n   \n");
  assert_non_null(d);
  assert_null(yt_root(d));
  yt_free(d);
  yt_free(NULL); /* allowed */
}

static void test_alias_bomb(void **state) {
  (void)state;
  /* Nine levels of nine aliases: 9^9 nodes if expanded. */
  str s = {0};
  sadd(&s, "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
  for (int i = 1; i < 9; i++) {
    char line[200];
    int n = snprintf(line, sizeof(line), "l%d: &l%d [", i, i);
    for (int k = 0; k < 9; k++)
      n += snprintf(line + n, sizeof(line) - (size_t)n, "%s*l%d", k ? ", " : "",
                    i - 1);
    snprintf(line + n, sizeof(line) - (size_t)n, "]\n");
    sadd(&s, line);
  }
  double t0 = cpu_now();
  yt_doc *d = yt_parse("bomb.yaml", s.p, s.len, errbuf, sizeof(errbuf));
  double dt = cpu_now() - t0;
  assert_null(d);
  assert_non_null(strstr(errbuf, "200000 nodes"));
  assert_non_null(strstr(errbuf, "aliases expanded"));
  /* Level 5 is the first one over the limit: 1 + 9 * 66430 nodes. */
  assert_true(strncmp(errbuf, "bomb.yaml:6:", 12) == 0);
  assert_true(dt < 0.5);
  free(s.p);
}

static void test_alias_weight_boundary(void **state) {
  (void)state;
  /* Levels l0..l4 expand to 10 + 91 + 820 + 7381 + 66430 nodes, under
   * the limit: accepted, and aliases share the anchored nodes. */
  str s = {0};
  sadd(&s, "l0: &l0 [a, a, a, a, a, a, a, a, a]\n");
  for (int i = 1; i < 5; i++) {
    char line[200];
    int n = snprintf(line, sizeof(line), "l%d: &l%d [", i, i);
    for (int k = 0; k < 9; k++)
      n += snprintf(line + n, sizeof(line) - (size_t)n, "%s*l%d", k ? ", " : "",
                    i - 1);
    snprintf(line + n, sizeof(line) - (size_t)n, "]\n");
    sadd(&s, line);
  }
  yt_doc *d = yt_parse("ok.yaml", s.p, s.len, errbuf, sizeof(errbuf));
  assert_non_null(d);
  const yt_node *l4 = yt_get(yt_root(d), "l4");
  assert_int_equal(l4->n, 9);
  assert_ptr_equal(l4->kids[0], yt_get(yt_root(d), "l3"));
  yt_free(d);
  free(s.p);
}

static void test_too_many_aliases(void **state) {
  (void)state;
  str s = {0};
  sadd(&s, "a: &x 1\nb: [");
  for (int i = 0; i < 1000; i++)
    sadd(&s, i ? ", *x" : "*x");
  sadd(&s, "]\n");
  /* Exactly 1000 aliases are allowed. */
  yt_doc *d = yt_parse("t.yaml", s.p, s.len, errbuf, sizeof(errbuf));
  assert_non_null(d);
  assert_int_equal(yt_get(yt_root(d), "b")->n, 1000);
  yt_free(d);
  /* One more is not. */
  s.len -= 2;
  s.p[s.len] = '\0';
  sadd(&s, ", *x]\n");
  expect_fail(s.p, s.len, "more than 1000 aliases");
  assert_true(strncmp(errbuf, "t.yaml:2:", 9) == 0);
  free(s.p);
}

/* "[[[...]]]" nested `depth` deep. */
static char *nested(int depth) {
  char *p = malloc((size_t)depth * 2 + 2);
  assert_non_null(p);
  for (int i = 0; i < depth; i++) {
    p[i] = '[';
    p[depth + i] = ']';
  }
  p[2 * depth] = '\n';
  p[2 * depth + 1] = '\0';
  return p;
}

static void test_depth_limit(void **state) {
  (void)state;
  char *ok = nested(YT_MAX_DEPTH);
  yt_doc *d = parse(ok);
  assert_non_null(d);
  const yt_node *n = yt_root(d);
  int depth = 0;
  while (n && n->type == YT_SEQ) {
    depth++;
    n = n->n ? n->kids[0] : NULL;
  }
  assert_int_equal(depth, YT_MAX_DEPTH);
  yt_free(d);
  free(ok);

  char *deep = nested(YT_MAX_DEPTH + 1);
  expect_fail(deep, strlen(deep), "nesting deeper than 64");
  /* The 65th bracket is at column 65 of line 1. */
  assert_string_equal(errbuf, "t.yaml:1:65: nesting deeper than 64");
  free(deep);

  /* Maps count too. */
  str s = {0};
  for (int i = 0; i <= YT_MAX_DEPTH; i++)
    sadd(&s, "{a: ");
  sadd(&s, "x");
  for (int i = 0; i <= YT_MAX_DEPTH; i++)
    sadd(&s, "}");
  expect_fail(s.p, s.len, "nesting deeper than 64");
  free(s.p);

  /* Very deep input fails just as cleanly. */
  char *huge = nested(100000);
  expect_fail(huge, strlen(huge), "nesting deeper than 64");
  free(huge);
}

static void test_multiple_documents(void **state) {
  (void)state;
  expect_fail("a: 1\n---\nb: 2\n", 14, "more than one YAML document");
  assert_true(strncmp(errbuf, "t.yaml:2:", 9) == 0);
  const char *three = "---\na: 1\n---\nb: 2\n---\nc: 3\n";
  expect_fail(three, strlen(three), "more than one YAML document");
  assert_true(strncmp(errbuf, "t.yaml:3:", 9) == 0);
}

static void test_duplicate_keys(void **state) {
  (void)state;
  /* The later occurrence is reported, at its own line and column. */
  const char *src = "a: 1\nb: 2\na: 3\n";
  expect_fail(src, strlen(src), "duplicate key 'a'");
  assert_string_equal(errbuf, "t.yaml:3:1: duplicate key 'a'");
  src = "outer:\n  x: 1\n  y: {k: 1, k: 2}\n";
  expect_fail(src, strlen(src), "duplicate key 'k'");
  assert_string_equal(errbuf, "t.yaml:3:13: duplicate key 'k'");
  /* Quoting does not make a key different. */
  src = "key: 1\n'key': 2\n";
  expect_fail(src, strlen(src), "duplicate key 'key'");
  /* Many keys (the check sorts them): the duplicate is still found. */
  str big = {0};
  for (int i = 0; i < 500; i++) {
    char line[32];
    snprintf(line, sizeof(line), "k%d: %d\n", i, i);
    sadd(&big, line);
  }
  yt_doc *d = yt_parse("t.yaml", big.p, big.len, errbuf, sizeof(errbuf));
  assert_non_null(d);
  assert_int_equal(yt_root(d)->n, 500);
  assert_string_equal(yt_get(yt_root(d), "k499")->str, "499");
  yt_free(d);
  sadd(&big, "k250: again\n");
  expect_fail(big.p, big.len, "duplicate key 'k250'");
  assert_string_equal(errbuf, "t.yaml:501:1: duplicate key 'k250'");
  free(big.p);
  /* Keys that differ only after a NUL are different keys. */
  src = "\"a\\0b\": 1\n\"a\\0c\": 2\n";
  d = parse(src);
  assert_non_null(d);
  assert_int_equal(yt_root(d)->n, 2);
  yt_free(d);
  /* The same key in different maps is fine. */
  d = parse("a: {k: 1}\nb: {k: 2}\n");
  assert_non_null(d);
  yt_free(d);
}

static void test_non_scalar_keys(void **state) {
  (void)state;
  const char *src = "? [a, b]\n: value\n";
  expect_fail(src, strlen(src), "a map key must be a scalar, not a list");
  assert_string_equal(errbuf,
                      "t.yaml:1:3: a map key must be a scalar, not a list");
  src = "x:\n  ? {k: v}\n  : value\n";
  expect_fail(src, strlen(src), "a map key must be a scalar, not a map");
  assert_true(strncmp(errbuf, "t.yaml:2:5:", 11) == 0);
  /* An alias to a map used as a key. */
  src = "a: &m {k: v}\n? *m\n: 1\n";
  expect_fail(src, strlen(src), "a map key must be a scalar, not a map");
  /* Complex values are fine. */
  yt_doc *d = parse("? plain\n: [a, {b: c}]\n");
  assert_non_null(d);
  assert_int_equal(yt_get(yt_root(d), "plain")->type, YT_SEQ);
  yt_free(d);
}

static void test_nul_byte(void **state) {
  (void)state;
  static const char src[] = "a: 1\nb: x\0y\n";
  expect_fail(src, sizeof(src) - 1, "NUL byte");
  assert_string_equal(errbuf, "t.yaml: file contains a NUL byte");
  expect_fail("\0", 1, "NUL byte");
}

static void test_unknown_alias(void **state) {
  (void)state;
  const char *src = "a: 1\nb: *nope\n";
  expect_fail(src, strlen(src), "unknown alias 'nope'");
  assert_string_equal(errbuf, "t.yaml:2:4: unknown alias 'nope'");
  /* An alias cannot refer to an anchor defined later. */
  src = "a: *later\nb: &later 1\n";
  expect_fail(src, strlen(src), "unknown alias 'later'");
  assert_true(strncmp(errbuf, "t.yaml:1:4:", 11) == 0);
}

static void test_syntax_errors(void **state) {
  (void)state;
  /* libyaml's own errors carry name:line:col too. */
  const char *src = "a: 1\nb: [unclosed\nc: 2\n";
  yt_doc *d = parse(src);
  assert_null(d);
  assert_true(strncmp(errbuf, "t.yaml:", 7) == 0);
  assert_true(strlen(errbuf) > strlen("t.yaml:1:1: "));
  src = "a: 1\n  b: 2\n";
  d = parse(src);
  assert_null(d);
  assert_true(strncmp(errbuf, "t.yaml:2:", 9) == 0);
  /* Tabs for indentation are a YAML error. */
  src = "a:\n\t- 1\n";
  d = parse(src);
  assert_null(d);
  assert_true(strncmp(errbuf, "t.yaml:", 7) == 0);
  /* Invalid UTF-8 in the source. */
  src = "a: \xff\xfe\n";
  d = parse(src);
  assert_null(d);
  assert_true(strncmp(errbuf, "t.yaml:", 7) == 0);
}

static void test_small_error_buffer(void **state) {
  (void)state;
  /* Messages are truncated to the buffer, never overflow it. */
  char small[12];
  memset(small, 'Z', sizeof(small));
  const char *src = "a: *nope\n";
  yt_doc *d =
      yt_parse("a-long-file-name.yaml", src, strlen(src), small, sizeof(small));
  assert_null(d);
  assert_int_equal(strlen(small), sizeof(small) - 1);
  assert_memory_equal(small, "a-long-file", 11);
}

static void test_size_limit(void **state) {
  (void)state;
  size_t n = (size_t)YT_MAX_BYTES + 1;
  char *big = malloc(n);
  assert_non_null(big);
  memset(big, '#', n);
  yt_doc *d = yt_parse("big.yaml", big, n, errbuf, sizeof(errbuf));
  assert_null(d);
  assert_non_null(strstr(errbuf, "big.yaml: file larger than"));
  /* At the limit, a (comment-only) source is accepted. */
  d = yt_parse("big.yaml", big, n - 1, errbuf, sizeof(errbuf));
  assert_non_null(d);
  assert_null(yt_root(d));
  yt_free(d);
  free(big);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_scalars_lists_maps),
      cmocka_unit_test(test_top_level_list_and_scalar),
      cmocka_unit_test(test_quoted_flag),
      cmocka_unit_test(test_scalar_with_nul_escape),
      cmocka_unit_test(test_anchor_alias_shared),
      cmocka_unit_test(test_empty_source),
      cmocka_unit_test(test_alias_bomb),
      cmocka_unit_test(test_alias_weight_boundary),
      cmocka_unit_test(test_too_many_aliases),
      cmocka_unit_test(test_depth_limit),
      cmocka_unit_test(test_multiple_documents),
      cmocka_unit_test(test_duplicate_keys),
      cmocka_unit_test(test_non_scalar_keys),
      cmocka_unit_test(test_nul_byte),
      cmocka_unit_test(test_unknown_alias),
      cmocka_unit_test(test_syntax_errors),
      cmocka_unit_test(test_small_error_buffer),
      cmocka_unit_test(test_size_limit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
