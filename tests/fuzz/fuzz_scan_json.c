/*
 * fuzz_scan_json.c -- libFuzzer target for OpenAI JSON documents as
 * `aigate scan --as openai-request|openai-response` takes them apart.
 *
 * It runs the CLI's own code for this input: Jansson with the same flags
 * (duplicate keys rejected, NUL allowed in strings), then the document
 * walk of src/gateway/openai_doc.c for both kinds of document (the
 * gateway's guards share it: fuzz_guard drives its other modes), and every
 * string it finds through aigate_scan (input direction for requests,
 * output for responses) and aigate_redact with the scan invariants of
 * common.c. Redactions are written back and the document serialized, as
 * `--redact` does. Strings from JSON may hold NULs and arbitrary code
 * points, which is what makes this input different from the plain-text
 * one. A redaction of valid UTF-8 must itself be valid UTF-8, or the CLI
 * could not write it back.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "openai_doc.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fuzz_engine();
  return 0;
}

static void scan_document(json_t *root, oai_kind kind) {
  oai_targets ts = {0};
  if (oai_collect(&ts, root, kind, 0) == 0) {
    FUZZ_CHECK(ts.n <= OAI_MAX_TARGETS && ts.n_media <= OAI_MAX_TARGETS);
    for (size_t i = 0; i < ts.n_media; i++) {
      FUZZ_CHECK(json_is_object(ts.media[i].part) && ts.media[i].type);
      FUZZ_CHECK(ts.media[i].at <= ts.n);
      FUZZ_CHECK(i == 0 || ts.media[i - 1].at <= ts.media[i].at);
    }
    aigate_scan_options opt = {
        .direction = kind == OAI_REQUEST ? AIGATE_INPUT : AIGATE_OUTPUT};
    for (size_t i = 0; i < ts.n; i++) {
      FUZZ_CHECK(json_is_string(ts.t[i].str));
      size_t rl = 0;
      char *red = fuzz_scan(json_string_value(ts.t[i].str),
                            json_string_length(ts.t[i].str), &opt, &rl);
      if (!red)
        continue;
      /* JSON strings are valid UTF-8, spans cover whole characters and
       * the markers are ASCII: the redaction must be valid UTF-8 too. */
      json_t *nv = json_stringn(red, rl);
      FUZZ_CHECK(nv != NULL);
      free(red);
      oai_replace(&ts.t[i], nv);
    }
  } else {
    FUZZ_CHECK(ts.err[0] != '\0');
  }
  oai_targets_free(&ts);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  json_error_t je;
  json_t *root = json_loadb((const char *)data, size,
                            JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
  if (!root)
    return 0;
  scan_document(root, OAI_REQUEST);
  scan_document(root, OAI_RESPONSE);
  char *out = json_dumps(root, JSON_COMPACT);
  free(out);
  json_decref(root);
  return 0;
}
