/*
 * fuzz_jload.c -- libFuzzer target for the gateway's JSON reading
 * (src/gateway/jload.c) on arbitrary bytes.
 *
 * The oracle is jansson's own reader: for both sets of flags the gateway
 * uses (the request's, which refuses duplicate keys, and the answer's),
 * a document the fast reading accepts must be one json_loadb accepts
 * too, equal to it and with its keys in the same order (compared through
 * their serialized text), and gw_json_load must then return that same
 * document; where the fast reading declines, gw_json_load must give
 * exactly json_loadb's result: the same document, or an error with the
 * same text and position.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "jload.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  return 0;
}

/* a and b are the same document, keys in the same order. */
static int same(const json_t *a, const json_t *b) {
  if (!json_equal(a, b))
    return 0;
  char *sa = json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY);
  char *sb = json_dumps(b, JSON_COMPACT | JSON_ENCODE_ANY);
  int eq = sa && sb && !strcmp(sa, sb);
  free(sa);
  free(sb);
  return eq;
}

static void check(const char *text, size_t len, size_t flags) {
  json_error_t ref_err, err;
  json_t *ref = json_loadb(text, len, flags, &ref_err);
  json_t *fast = gw_json_load_fast(text, len, flags);
  if (fast) {
    FUZZ_CHECK(ref != NULL);
    FUZZ_CHECK(same(fast, ref));
  }
  json_t *doc = gw_json_load(text, len, flags, &err);
  FUZZ_CHECK((doc == NULL) == (ref == NULL));
  if (doc)
    FUZZ_CHECK(same(doc, ref));
  else
    FUZZ_CHECK(!strcmp(err.text, ref_err.text) &&
               err.position == ref_err.position);
  json_decref(fast);
  json_decref(doc);
  json_decref(ref);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *text = (const char *)data;
  check(text, size, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL);
  check(text, size, JSON_ALLOW_NUL);
  return 0;
}
