/*
 * fuzz_schema.c -- libFuzzer target for tool-call checks: the JSON Schema
 * validator (src/lib/schema.c) and aigate_tool_check (src/lib/tool.c).
 *
 * Input: a declaration (the first line, JSON text) and arguments (the
 * rest). Checks: the validator returns one of its three codes with a
 * message on failure and stays within its bounds on any schema (deep,
 * recursive $ref, exponential anyOf, hostile patterns); aigate_tool_check
 * never allows arguments that are not a JSON object, never reports
 * `invalid` without block, and its findings are in range.
 */
#include <jansson.h>
#include <string.h>

#include "common.h"
#include "schema.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fuzz_engine();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 1 << 16)
    return 0;
  const char *in = (const char *)data;
  const char *nl = memchr(in, '\n', size);
  size_t dl = nl ? (size_t)(nl - in) : size;
  const char *args = nl ? nl + 1 : "";
  size_t al = nl ? size - dl - 1 : 0;

  json_error_t e;
  json_t *schema = json_loadb(in, dl, JSON_DECODE_ANY, &e);
  json_t *value = json_loadb(args, al, JSON_DECODE_ANY, &e);
  if (schema && value) {
    char err[200];
    for (int strict = 0; strict < 2; strict++) {
      int rc = ag_schema_validate(schema, value, strict, err, sizeof(err));
      FUZZ_CHECK(rc == AG_SCHEMA_OK || rc == AG_SCHEMA_INVALID ||
                 rc == AG_SCHEMA_BAD);
      if (rc != AG_SCHEMA_OK)
        FUZZ_CHECK(err[0] != '\0');
    }
  }
  json_decref(schema);

  aigate_tool_call call = {"run_tool", args, al, in, dl, NULL};
  aigate_tool_result r;
  int rc = aigate_tool_check(fuzz_engine(), fuzz_scratch(), &call, &r);
  FUZZ_CHECK(rc == AIGATE_OK || (r.flags & AIGATE_FLAG_FAILED));
  FUZZ_CHECK(r.verdict >= AIGATE_ALLOW && r.verdict <= AIGATE_BLOCK);
  FUZZ_CHECK(r.kind >= AIGATE_TOOL_AUTO && r.kind <= AIGATE_TOOL_OTHER);
  FUZZ_CHECK(r.kind_source != NULL);
  if (r.invalid)
    FUZZ_CHECK(r.verdict == AIGATE_BLOCK && r.reason[0]);
  int blank = 1;
  for (size_t i = 0; i < al; i++)
    blank &=
        args[i] == ' ' || args[i] == '\t' || args[i] == '\n' || args[i] == '\r';
  if (!blank && !json_is_object(value))
    FUZZ_CHECK(r.verdict == AIGATE_BLOCK);
  for (size_t i = 0; i < r.n_findings; i++)
    FUZZ_CHECK(r.findings[i].start < r.findings[i].end);
  json_decref(value);
  return 0;
}
