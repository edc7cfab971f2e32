/*
 * test_openai_doc.c -- unit tests for the walk over OpenAI documents
 * (src/gateway/openai_doc.c) that the CLI and the gateway share.
 *
 * Each test takes one document apart in one mode and compares what the
 * walk found with a listing: "path role item" per string, "path type at"
 * per media part. The modes are the CLI's (name the first field of the
 * wrong type, skip token arrays), the gateway's for requests (OAI_STRICT)
 * and for upstream replies (OAI_TOLERANT).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openai_doc.h"

/* ------------------------------------------------------------ helpers */

typedef struct {
  json_t *doc;
  oai_targets ts;
  int rc;
  char list[4096]; /* one line per entry, texts then media */
} walked;

static void walk(walked *w, const char *json, oai_kind kind, unsigned flags) {
  memset(w, 0, sizeof(*w));
  json_error_t je;
  w->doc = json_loads(json, JSON_REJECT_DUPLICATES, &je);
  if (!w->doc)
    fail_msg("test document: %s", je.text);
  w->rc = oai_collect(&w->ts, w->doc, kind, flags);
  size_t used = 0;
  for (size_t i = 0; i < w->ts.n; i++) {
    const oai_target *t = &w->ts.t[i];
    assert_true(json_is_string(t->str));
    used += (size_t)snprintf(w->list + used, sizeof(w->list) - used,
                             "%s %s %zu\n", t->path, t->role, t->item);
    assert_true(used < sizeof(w->list));
  }
  for (size_t i = 0; i < w->ts.n_media; i++) {
    const oai_media *m = &w->ts.media[i];
    assert_true(json_is_object(m->part));
    used += (size_t)snprintf(w->list + used, sizeof(w->list) - used,
                             "media %s %s %s %zu at %zu\n", m->path, m->type,
                             m->role, m->item, m->at);
    assert_true(used < sizeof(w->list));
  }
}

static void done(walked *w) {
  oai_targets_free(&w->ts);
  json_decref(w->doc);
}

/* Walk, expect rc and the listing (and, on failure, the error). */
static void expect(const char *json, oai_kind kind, unsigned flags, int rc,
                   const char *list, const char *err) {
  walked w;
  walk(&w, json, kind, flags);
  if (w.rc != rc)
    fail_msg("rc %d, want %d (%s) for %s", w.rc, rc, w.ts.err, json);
  assert_string_equal(w.list, list);
  if (err)
    assert_string_equal(w.ts.err, err);
  done(&w);
}

/* -------------------------------------------------------- CLI's mode */

static void test_request_texts(void **state) {
  (void)state;
  expect("{\"messages\":["
         "{\"role\":\"system\",\"content\":\"s\"},"
         "{\"role\":\"user\",\"content\":["
         "{\"type\":\"text\",\"text\":\"a\"},"
         "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/\"}},"
         "{\"type\":\"input_audio\",\"input_audio\":{},\"text\":\"t\"},"
         "{\"text\":\"untyped\"},"
         "{\"type\":\"text\",\"text\":null}]},"
         "{\"role\":\"assistant\",\"content\":null,\"refusal\":\"r\","
         "\"tool_calls\":[{\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}},"
         "{\"type\":\"function\"}],"
         "\"function_call\":{\"arguments\":\"fc\"}},"
         "{\"role\":\"assistant\",\"content\":[{\"type\":\"refusal\","
         "\"refusal\":\"no\"}]},"
         "{\"content\":\"who\"}],"
         "\"prompt\":[\"p\",[1,2],3,\"q\"],\"input\":\"i\"}",
         OAI_REQUEST, 0, OAI_OK,
         "messages[0].content system 0\n"
         "messages[1].content[0].text user 1\n"
         "messages[1].content[2].text user 1\n"
         "messages[1].content[3].text user 1\n"
         "messages[2].refusal assistant 2\n"
         "messages[2].tool_calls[0].function.arguments assistant 2\n"
         "messages[2].function_call.arguments assistant 2\n"
         "messages[3].content[0].refusal assistant 3\n"
         "messages[4].content unknown 4\n"
         "prompt[0] user 0\n"
         "prompt[3] user 3\n"
         "input user 0\n"
         "media messages[1].content[1] image_url user 1 at 2\n"
         "media messages[1].content[2] input_audio user 1 at 2\n",
         NULL);
}

static void test_request_errors(void **state) {
  (void)state;
  expect("{\"messages\":[{\"role\":\"user\",\"content\":5}]}", OAI_REQUEST, 0,
         OAI_EDOC, "",
         "messages[0].content: expected a string, an array of parts or null");
  expect("{\"messages\":[{\"role\":\"user\",\"content\":[\"x\"]}]}",
         OAI_REQUEST, 0, OAI_EDOC, "",
         "messages[0].content[0]: expected an object");
  expect("{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":1}]}]}",
         OAI_REQUEST, 0, OAI_EDOC, "",
         "messages[0].content[0].text: expected a string");
  expect("{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":{}}]}",
         OAI_REQUEST, 0, OAI_EDOC, "",
         "messages[0].tool_calls: expected an array");
  expect("{\"messages\":[{\"role\":\"assistant\",\"tool_calls\":"
         "[{\"function\":{\"arguments\":{}}}]}]}",
         OAI_REQUEST, 0, OAI_EDOC, "",
         "messages[0].tool_calls[0].function.arguments: expected a string");
  expect("{\"messages\":{}}", OAI_REQUEST, 0, OAI_EDOC, "",
         "messages: expected an array");
  expect("{\"messages\":[1]}", OAI_REQUEST, 0, OAI_EDOC, "",
         "messages[0]: expected an object");
  expect("{\"prompt\":5}", OAI_REQUEST, 0, OAI_EDOC, "",
         "prompt: expected a string or an array of strings");
  expect("{\"model\":\"m\"}", OAI_REQUEST, 0, OAI_EDOC, "",
         "document: expected messages, prompt or input");
  expect("[]", OAI_REQUEST, 0, OAI_EDOC, "",
         "document: expected a JSON object");
  expect("{\"id\":1}", OAI_RESPONSE, 0, OAI_EDOC, "",
         "choices: expected an array");
  expect("{\"choices\":[1]}", OAI_RESPONSE, 0, OAI_EDOC, "",
         "choices[0]: expected an object");
}

static void test_response_texts(void **state) {
  (void)state;
  expect("{\"choices\":["
         "{\"message\":{\"role\":\"assistant\",\"content\":\"c\","
         "\"refusal\":null,\"tool_calls\":[{\"function\":"
         "{\"arguments\":\"a\"}}]}},"
         "{\"delta\":{\"content\":\"d\"}},"
         "{\"text\":\"t\",\"logprobs\":null}]}",
         OAI_RESPONSE, 0, OAI_OK,
         "choices[0].message.content assistant 0\n"
         "choices[0].message.tool_calls[0].function.arguments assistant 0\n"
         "choices[1].delta.content unknown 1\n"
         "choices[2].text assistant 2\n",
         NULL);
}

/* More than OAI_MAX_TARGETS strings is an error unless uncapped. */
static void test_limit(void **state) {
  (void)state;
  json_t *doc = json_object();
  json_t *arr = json_array();
  for (int i = 0; i <= OAI_MAX_TARGETS; i++)
    json_array_append_new(arr, json_string("x"));
  json_object_set_new(doc, "input", arr);
  oai_targets ts = {0};
  assert_int_equal(oai_collect(&ts, doc, OAI_REQUEST, 0), OAI_ELIMIT);
  assert_string_equal(ts.err, "more than 10000 strings to scan");
  oai_targets_free(&ts);
  assert_int_equal(oai_collect(&ts, doc, OAI_EMBEDDING, OAI_UNCAPPED), OAI_OK);
  assert_int_equal(ts.n, OAI_MAX_TARGETS + 1);
  oai_targets_free(&ts);
  json_decref(doc);
}

static void test_replace(void **state) {
  (void)state;
  walked w;
  walk(&w,
       "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"}],"
       "\"input\":[\"b\",1,\"c\"]}",
       OAI_REQUEST, 0);
  assert_int_equal(w.rc, OAI_OK);
  assert_int_equal(w.ts.n, 3);
  for (size_t i = 0; i < w.ts.n; i++)
    oai_replace(&w.ts.t[i], json_string("X"));
  char *out = json_dumps(w.doc, JSON_COMPACT | JSON_SORT_KEYS);
  assert_string_equal(out, "{\"input\":[\"X\",1,\"X\"],\"messages\":"
                           "[{\"content\":\"X\",\"role\":\"user\"}]}");
  free(out);
  done(&w);
}

/* ----------------------------------------------- the gateway's modes */

static void test_strict(void **state) {
  (void)state;
  const unsigned S = OAI_STRICT;
  expect("{\"messages\":[]}", OAI_CHAT, S, OAI_EDOC, "",
         "messages: expected a non-empty array");
  expect("{\"prompt\":\"p\"}", OAI_CHAT, S, OAI_EDOC, "",
         "messages: expected a non-empty array");
  expect("{\"messages\":[{\"content\":\"x\"}]}", OAI_CHAT, S, OAI_EDOC, "",
         "messages[0]: expected an object with a string role");
  expect("{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"x\"}]}]}",
         OAI_CHAT, S, OAI_EDOC, "",
         "messages[0].content[0]: expected an object with a string type");
  expect(
      "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}]}",
      OAI_CHAT, S, OAI_EDOC, "",
      "messages[0].content[0].text: expected a string");
  expect("{\"messages\":[{\"role\":\"assistant\",\"content\":"
         "[{\"type\":\"refusal\",\"refusal\":null}]}]}",
         OAI_CHAT, S, OAI_EDOC, "",
         "messages[0].content[0].refusal: expected a string");
  expect("{\"input\":[[1,2]]}", OAI_EMBEDDING, S, OAI_EDOC, "",
         "input[0]: expected a string (token arrays cannot be scanned and are "
         "not accepted)");
  expect("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
         OAI_COMPLETION, S, OAI_EDOC, "",
         "prompt: expected a string or an array of strings");
  /* Only the field of the kind is walked. */
  expect("{\"prompt\":\"p\",\"input\":5,\"messages\":7}", OAI_COMPLETION, S,
         OAI_OK, "prompt user 0\n", NULL);
  /* What comes before a fault is kept, in document order. */
  expect("{\"prompt\":[\"a\",\"b\",5,\"c\"]}", OAI_COMPLETION, S, OAI_EDOC,
         "prompt[0] user 0\nprompt[1] user 1\n", NULL);
  expect("{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"file\","
         "\"file\":{}},{\"type\":\"text\",\"text\":\"t\"}]},{\"role\":1}]}",
         OAI_CHAT, S, OAI_EDOC,
         "messages[0].content[1].text user 0\n"
         "media messages[0].content[0] file user 0 at 0\n",
         "messages[1]: expected an object with a string role");
}

static void test_tolerant(void **state) {
  (void)state;
  expect("{\"choices\":[5,"
         "{\"message\":{\"content\":{},\"refusal\":\"r\","
         "\"tool_calls\":{},\"function_call\":{\"arguments\":\"f\"}}},"
         "{\"message\":[],\"text\":\"t\"},"
         "{\"message\":{\"content\":[1,{\"type\":\"text\",\"text\":2},"
         "{\"type\":\"text\",\"text\":\"ok\"}],"
         "\"tool_calls\":[{\"function\":{\"arguments\":{\"a\":1}}}]}}]}",
         OAI_RESPONSE, OAI_TOLERANT, OAI_OK,
         "choices[1].message.refusal unknown 1\n"
         "choices[1].message.function_call.arguments unknown 1\n"
         "choices[2].text assistant 2\n"
         "choices[3].message.content[2].text unknown 3\n",
         NULL);
  expect("{\"choices\":{}}", OAI_RESPONSE, OAI_TOLERANT, OAI_EDOC, "",
         "choices: expected an array");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_request_texts),
      cmocka_unit_test(test_request_errors),
      cmocka_unit_test(test_response_texts),
      cmocka_unit_test(test_limit),
      cmocka_unit_test(test_replace),
      cmocka_unit_test(test_strict),
      cmocka_unit_test(test_tolerant),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
