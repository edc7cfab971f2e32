/*
 * schema.h -- a strict validator for the JSON Schema subset that tool
 * declarations use (schema.c).
 */
#ifndef AIGATE_SCHEMA_H
#define AIGATE_SCHEMA_H

#include <jansson.h>
#include <stddef.h>

#define AG_SCHEMA_MAX_DEPTH 32     /* nesting of schemas and of the value */
#define AG_SCHEMA_MAX_STEPS 100000 /* schema/value pairs visited per call */

/* What ag_schema_validate returns. */
enum {
  AG_SCHEMA_OK = 0,
  AG_SCHEMA_INVALID = -1, /* the value does not conform */
  AG_SCHEMA_BAD = -2,     /* the schema itself is unusable (a type that is
                             not a type, a pattern that does not compile,
                             too deep, too costly) */
};

/*
 * Validate value against schema. `strict`: objects that declare
 * properties refuse others even without additionalProperties: false (the
 * strict mode of function declarations). On failure err (errlen bytes)
 * says where and why: "arguments.path: expected string".
 */
int ag_schema_validate(const json_t *schema, const json_t *value, int strict,
                       char *err, size_t errlen);

#endif
