/*
 * fuzz_keyjson.c -- libFuzzer target for the reading of a key request
 * (src/store/keyjson.c: the admin API's and `aigate keys`' one parser of
 * LiteLLM's key fields) and the duration and amount parsers it uses.
 *
 * Input: a JSON document, applied as a new key and as an update. Checks:
 * the result is 0 or -1 with a message; an accepted key has a name, limits
 * in range and renders as JSON that never carries a "key" or a hash;
 * what store_parse_duration and store_parse_usd accept prints back to
 * the same value (amounts to the micro-dollar they are shown with).
 */
#include <jansson.h>
#include <string.h>

#include "common.h"
#include "keyjson.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 1 << 16)
    return 0;
  json_error_t e;
  json_t *req = json_loadb((const char *)data, size, JSON_DECODE_ANY, &e);
  for (int update = 0; req && update < 2; update++) {
    store_key k = {.max_budget = -1};
    char err[400] = "";
    int rc =
        store_key_apply_json(&k, req, update, 1700000000, err, sizeof(err));
    FUZZ_CHECK(rc == 0 || rc == -1);
    if (rc) {
      FUZZ_CHECK(err[0] != '\0');
    } else {
      FUZZ_CHECK(k.name != NULL && k.name[0] != '\0');
      FUZZ_CHECK(k.rpm >= 0 && k.tpm >= 0 && k.max_tokens >= 0);
      FUZZ_CHECK(k.max_budget >= -1 && k.budget_duration >= 0);
      FUZZ_CHECK(k.n_models <= STORE_MAX_LIST && k.n_tools <= STORE_MAX_LIST);
      json_t *out = store_key_json(&k, 0, 1700000000);
      FUZZ_CHECK(out != NULL);
      FUZZ_CHECK(json_object_get(out, "key") == NULL);
      FUZZ_CHECK(json_object_get(out, "hash") == NULL);
      json_decref(out);
    }
    store_key_clear(&k);
  }
  json_decref(req);

  /* The same bytes as a duration and as an amount. */
  char text[64];
  size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
  memcpy(text, data, n);
  text[n] = '\0';
  int64_t secs, nano;
  if (store_parse_duration(text, &secs) == 0) {
    char back[32];
    FUZZ_CHECK(secs >= 0);
    store_format_duration(secs, back, sizeof(back));
    int64_t again;
    FUZZ_CHECK(store_parse_duration(back, &again) == 0 && again == secs);
  }
  if (store_parse_usd(text, &nano) == 0) {
    char back[40];
    FUZZ_CHECK(nano >= 0 && nano <= 1000000000LL * 1000000000LL);
    store_format_usd(nano, back, sizeof(back)); /* to the micro-dollar */
    int64_t again;
    FUZZ_CHECK(store_parse_usd(back, &again) == 0 &&
               again == nano - nano % 1000);
  }
  return 0;
}
