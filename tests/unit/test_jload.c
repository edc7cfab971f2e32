/*
 * test_jload.c -- unit tests for the gateway's JSON reading
 * (src/gateway/jload.c) and the arena its documents live in
 * (src/gateway/jarena.c).
 *
 * jload: a chat request and an answer read through yajl are the
 * documents json_loadb gives, keys in order; what yajl could read
 * otherwise (\u escapes, form feeds) and what it must not judge
 * (duplicates, overlong UTF-8, scalars, deep nesting, bad text) is left
 * to json_loadb, with its errors word for word.
 *
 * jarena: documents parsed inside a request's arena take their memory
 * from its slot, free nothing until the slot is given back, and mix
 * safely with values made outside it (freed with free(), also strings
 * from json_dumps); a document larger than the slot continues in
 * malloc's memory; slots are reused, also after their memory was given
 * back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "jarena.h"
#include "jload.h"

static const char chat[] =
    "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\","
    "\"content\":\"You are a helpful assistant.\\nBe brief.\"},"
    "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":"
    "\"Where is my order \\\"A-17\\\"? caf\xc3\xa9\"}]}],"
    "\"temperature\":0.25,\"max_tokens\":128,\"stream\":false,"
    "\"n\":1,\"user\":null,\"z\":{},\"a\":[]}";

static const char answer[] =
    "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":"
    "1700000000,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,"
    "\"message\":{\"role\":\"assistant\",\"content\":\"Hello!\","
    "\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":"
    "{\"name\":\"f\",\"arguments\":\"{\\\"x\\\":1}\"}}]},\"finish_reason\":"
    "\"stop\"}],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,"
    "\"total_tokens\":12}}";

#define REQ_FLAGS (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)

/* The same document as json_loadb's, with its keys in the same order. */
static void assert_same_as_jansson(const char *text, size_t flags) {
  json_error_t e;
  json_t *ref = json_loadb(text, strlen(text), flags, &e);
  json_t *doc = gw_json_load(text, strlen(text), flags, &e);
  assert_non_null(ref);
  assert_non_null(doc);
  assert_true(json_equal(ref, doc));
  char *a = json_dumps(ref, JSON_COMPACT), *b = json_dumps(doc, JSON_COMPACT);
  assert_string_equal(a, b);
  free(a);
  free(b);
  json_decref(ref);
  json_decref(doc);
}

/* Refused with json_loadb's own error text and position. */
static void assert_same_error(const char *text, size_t len, size_t flags) {
  json_error_t ref_err, err;
  json_t *ref = json_loadb(text, len, flags, &ref_err);
  assert_null(ref);
  assert_null(gw_json_load_fast(text, len, flags));
  assert_null(gw_json_load(text, len, flags, &err));
  assert_string_equal(err.text, ref_err.text);
  assert_int_equal(err.position, ref_err.position);
}

static void test_fast_path_documents(void **state) {
  (void)state;
  /* Both read by yajl, not handed over to jansson. */
  json_t *doc = gw_json_load_fast(chat, strlen(chat), REQ_FLAGS);
  assert_non_null(doc);
  assert_string_equal(json_string_value(json_object_get(doc, "model")),
                      "gpt-4o-mini");
  json_t *text = json_object_get(
      json_array_get(
          json_object_get(json_array_get(json_object_get(doc, "messages"), 1),
                          "content"),
          0),
      "text");
  assert_string_equal(json_string_value(text),
                      "Where is my order \"A-17\"? caf\xc3\xa9");
  assert_true(json_is_real(json_object_get(doc, "temperature")));
  assert_true(json_is_integer(json_object_get(doc, "max_tokens")));
  assert_true(json_is_false(json_object_get(doc, "stream")));
  assert_true(json_is_null(json_object_get(doc, "user")));
  json_decref(doc);
  doc = gw_json_load_fast(answer, strlen(answer), JSON_ALLOW_NUL);
  assert_non_null(doc);
  json_decref(doc);
  assert_same_as_jansson(chat, REQ_FLAGS);
  assert_same_as_jansson(answer, JSON_ALLOW_NUL);
  assert_same_as_jansson("[1,-0,2.5e3,-9223372036854775807,true,\"\"]",
                         REQ_FLAGS);
}

static void test_left_to_jansson(void **state) {
  (void)state;
  /* \u escapes: NUL kept, surrogate pairs joined, by jansson. */
  const char *u = "{\"s\":\"a\\u0000b\\ud83d\\ude00\\u00e9\"}";
  assert_null(gw_json_load_fast(u, strlen(u), REQ_FLAGS));
  assert_same_as_jansson(u, REQ_FLAGS);
  json_error_t e;
  json_t *doc = gw_json_load(u, strlen(u), REQ_FLAGS, &e);
  assert_int_equal(json_string_length(json_object_get(doc, "s")), 9);
  json_decref(doc);
  /* A lone surrogate: jansson's refusal, not yajl's '?'. */
  const char *lone = "{\"s\":\"x\\ud800y\"}";
  assert_same_error(lone, strlen(lone), REQ_FLAGS);
  /* A form feed is not JSON whitespace. */
  assert_same_error("{\"a\":\f1}", 7, REQ_FLAGS);
  /* A LLONG_MIN that yajl overflows on and jansson reads. */
  assert_same_as_jansson("[-9223372036854775808]", REQ_FLAGS);
}

/* Texts json_loadb refuses (length given: some hold odd bytes). */
#define T(s)                                                                   \
  { s, sizeof(s) - 1 }
static const struct {
  const char *text;
  size_t len;
} refused[] = {
    T("{\"a\":1,\"b\":{\"a\":2},\"a\":3}"), /* duplicate key */
    T("{\"a\":\"\xc0\xaf\"}"),              /* an overlong '/' */
    T("{\"\xed\xa0\x80\":1}"),              /* an encoded surrogate */
    T("\"scalar\""),
    T("42"),
    T(""),
    T("{\"a\":1} {}"),
    /* yajl takes an unterminated string after the document for a token
     * still to come. */
    T("{\"a\":1}\":2}"),
    T("{\"a\":1,}"),
    T("{\"a\":[1,2}"),
    T("{\"a\":1e400}"),
    T("{\"a\":99999999999999999999}"),
    T("{\"a\":01}"),
    T("{\"a\":\"x\ty\"}"),
    T("{\"a\":/*c*/1}"),
    T("{\"a\":\"\\x\"}"),
};
#undef T

static void test_errors_as_jansson(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
    assert_same_error(refused[i].text, refused[i].len, REQ_FLAGS);
  /* Without the flag the last duplicate wins, as in jansson. */
  assert_same_as_jansson(refused[0].text, JSON_ALLOW_NUL);
  assert_same_as_jansson(" {\"a\":1}\r\n\t ", REQ_FLAGS);
}

static void test_depth(void **state) {
  (void)state;
  /* Past GW_JLOAD_MAX_DEPTH jansson decides (it reads up to 2048). */
  size_t n = GW_JLOAD_MAX_DEPTH + 10;
  char *deep = malloc(2 * n + 1);
  assert_non_null(deep);
  memset(deep, '[', n);
  memset(deep + n, ']', n);
  deep[2 * n] = '\0';
  assert_null(gw_json_load_fast(deep, 2 * n, REQ_FLAGS));
  assert_same_as_jansson(deep, REQ_FLAGS);
  free(deep);
  n = 3000;
  deep = malloc(2 * n);
  assert_non_null(deep);
  memset(deep, '[', n);
  memset(deep + n, ']', n);
  assert_same_error(deep, 2 * n, REQ_FLAGS);
  free(deep);
}

/* Past GW_JLOAD_MAX_BYTES jansson reads the text (yajl's buffers grow
 * unchecked); up to it the fast reading does. */
static void test_size_limit(void **state) {
  (void)state;
  size_t n = GW_JLOAD_MAX_BYTES + 1;
  char *big = malloc(n + 1);
  assert_non_null(big);
  memset(big, ' ', n);
  const char *doc_text = "{\"a\":\"x\\n\"}";
  memcpy(big, doc_text, strlen(doc_text));
  big[n] = '\0';
  assert_null(gw_json_load_fast(big, n, REQ_FLAGS));
  assert_same_as_jansson(big, REQ_FLAGS);
  json_t *doc = gw_json_load_fast(big, n - 1, REQ_FLAGS);
  assert_non_null(doc);
  json_decref(doc);
  free(big);
  json_error_t e;
  assert_null(gw_json_load(NULL, 5, REQ_FLAGS, &e));
}

/* ------------------------------------------------------------ arena */

static int in_slot(const gw_jarena_pool *p, const void *v) {
  const char *c = v;
  return c >= p->base && c < p->base + GW_JARENA_SLOTS * GW_JARENA_SLOT;
}

static void test_arena(void **state) {
  (void)state;
  assert_int_equal(gw_jarena_setup(1), 0);
  gw_jarena_pool pool;
  gw_jarena_pool_init(&pool, 0);
  assert_non_null(pool.base);
  assert_int_equal(pool.n_free, GW_JARENA_SLOTS);
  gw_jarena a = {0};
  gw_jarena_take(&pool, &a);
  assert_int_equal(pool.n_free, GW_JARENA_SLOTS - 1);
  char *start = a.next;

  json_t *outside = json_object(); /* malloc's, before the arena */
  assert_false(in_slot(&pool, outside));
  gw_jarena *prev = gw_jarena_enter(&a);
  json_error_t e;
  json_t *doc = gw_json_load(chat, strlen(chat), REQ_FLAGS, &e);
  gw_jarena_leave(prev);
  assert_non_null(doc);
  assert_true(in_slot(&pool, doc));
  assert_true(a.next > start);
  char *used = a.next;

  /* Values made outside the arena go into the document and out again;
   * strings from json_dumps are freed with free(). */
  assert_int_equal(json_object_set_new(doc, "model", json_string("other")), 0);
  assert_int_equal(json_object_set(doc, "extra", outside), 0);
  char *text = json_dumps(doc, JSON_COMPACT);
  assert_non_null(text);
  assert_false(in_slot(&pool, text));
  assert_non_null(strstr(text, "\"model\":\"other\""));
  free(text);
  assert_ptr_equal(a.next, used); /* nothing allocated in it outside */
  json_decref(doc);
  json_decref(outside);

  /* A document larger than the slot continues in malloc's memory. */
  size_t big = 3 * GW_JARENA_SLOT;
  char *body = malloc(big + 16);
  assert_non_null(body);
  memcpy(body, "{\"s\":\"", 6);
  memset(body + 6, 'x', big);
  memcpy(body + 6 + big, "\"}", 3);
  prev = gw_jarena_enter(&a);
  doc = gw_json_load(body, strlen(body), REQ_FLAGS, &e);
  gw_jarena_leave(prev);
  assert_non_null(doc);
  assert_int_equal(json_string_length(json_object_get(doc, "s")), big);
  assert_false(in_slot(&pool, json_string_value(json_object_get(doc, "s"))));
  json_decref(doc);
  free(body);

  /* Given back and taken again: the same slot, from its start. */
  gw_jarena_give(&pool, &a);
  assert_int_equal(a.slot, 0);
  assert_int_equal(pool.n_free, GW_JARENA_SLOTS);
  gw_jarena_take(&pool, &a);
  assert_ptr_equal(a.next, start);
  gw_jarena_give(&pool, &a);

  /* Without a slot (all taken), documents use malloc. */
  gw_jarena many[GW_JARENA_SLOTS + 1];
  memset(many, 0, sizeof(many));
  for (int i = 0; i <= GW_JARENA_SLOTS; i++)
    gw_jarena_take(&pool, &many[i]);
  assert_int_equal(many[GW_JARENA_SLOTS].slot, 0);
  prev = gw_jarena_enter(&many[GW_JARENA_SLOTS]);
  doc = gw_json_load(answer, strlen(answer), JSON_ALLOW_NUL, &e);
  gw_jarena_leave(prev);
  assert_non_null(doc);
  assert_false(in_slot(&pool, doc));
  json_decref(doc);
  for (int i = 0; i <= GW_JARENA_SLOTS; i++)
    gw_jarena_give(&pool, &many[i]);
  assert_int_equal(pool.n_free, GW_JARENA_SLOTS);

  /* Trimmed slots give their memory back and stay usable. */
  gw_jarena_trim(&pool);
  gw_jarena_take(&pool, &a);
  prev = gw_jarena_enter(&a);
  doc = gw_json_load(chat, strlen(chat), REQ_FLAGS, &e);
  gw_jarena_leave(prev);
  assert_non_null(doc);
  assert_true(in_slot(&pool, doc));
  assert_string_equal(json_string_value(json_object_get(doc, "model")),
                      "gpt-4o-mini");
  json_decref(doc);
  gw_jarena_give(&pool, &a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fast_path_documents),
      cmocka_unit_test(test_left_to_jansson),
      cmocka_unit_test(test_errors_as_jansson),
      cmocka_unit_test(test_depth),
      cmocka_unit_test(test_size_limit),
      cmocka_unit_test(test_arena),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
