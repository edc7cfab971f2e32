/*
 * fuzz_guard.c -- libFuzzer target for the gateway's guards over OpenAI
 * documents (src/gateway/guard.c): a request body as a client sends it,
 * for each route, and the same bytes as an upstream's response.
 *
 * The first byte picks the route and a media policy, the rest is the body.
 * Invariants: a refusal has a 4xx/5xx status, an error type and code and a
 * message; an accepted request comes back as a JSON object whose model is
 * a non-empty string, that serializes, and, for a stream, asks the
 * upstream for usage; the decision is a valid action; redaction never
 * leaves a document that the guard would refuse for its shape.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "guard.h"

static gw_config *cfg;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fuzz_engine();
  aigate_error err;
  if (gw_config_load(NULL, &cfg, &err, NULL, NULL))
    fuzz_fail("gateway defaults do not load", __FILE__, __LINE__);
  return 0;
}

static void check_refusal(const gw_guard *g) {
  FUZZ_CHECK(g->status >= 400 && g->status < 600);
  FUZZ_CHECK(g->type && g->code && g->message[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  static const gw_route routes[] = {GW_ROUTE_CHAT, GW_ROUTE_COMPLETIONS,
                                    GW_ROUTE_EMBEDDINGS};
  gw_route route = routes[data[0] % 3];
  cfg->media = (gw_media_policy)((data[0] >> 2) % 3);
  const char *body = (const char *)data + 1;
  size_t len = size - 1;

  gw_guard g = {.engine = fuzz_engine(), .scratch = fuzz_scratch(), .cfg = cfg};
  gw_request_info info;
  json_t *doc = gw_guard_request(&g, route, body, len, &info);
  FUZZ_CHECK(g.decision >= AIGATE_ALLOW && g.decision <= AIGATE_BLOCK);
  if (!doc) {
    check_refusal(&g);
  } else {
    FUZZ_CHECK(g.status == 0);
    FUZZ_CHECK(json_is_object(doc));
    FUZZ_CHECK(info.model && info.model[0]);
    FUZZ_CHECK(info.n_choices >= 1 && info.n_choices <= 128);
    if (info.stream)
      FUZZ_CHECK(json_is_true(json_object_get(
          json_object_get(doc, "stream_options"), "include_usage")));
    char *out = json_dumps(doc, JSON_COMPACT);
    FUZZ_CHECK(out != NULL);
    /* What was sent upstream is already guarded: guarding it again
     * changes nothing and refuses nothing. */
    gw_guard again = {
        .engine = fuzz_engine(), .scratch = fuzz_scratch(), .cfg = cfg};
    gw_request_info info2;
    json_t *doc2 = gw_guard_request(&again, route, out, strlen(out), &info2);
    FUZZ_CHECK(doc2 || !strcmp(again.code, "content_policy_violation"));
    json_decref(doc2);
    free(out);
    json_decref(doc);
  }

  /* The same bytes as an upstream's non-streamed response. */
  json_error_t jerr;
  json_t *resp = json_loadb(body, len, JSON_ALLOW_NUL, &jerr);
  if (resp) {
    gw_guard o = {
        .engine = fuzz_engine(), .scratch = fuzz_scratch(), .cfg = cfg};
    if (gw_guard_response(&o, route, resp))
      check_refusal(&o);
    else {
      char *out = json_dumps(resp, JSON_COMPACT);
      FUZZ_CHECK(out != NULL);
      free(out);
    }
    json_decref(resp);
  }
  return 0;
}
