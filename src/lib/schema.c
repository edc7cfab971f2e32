/*
 * schema.c -- validates a tool call's arguments against the JSON Schema
 * that the request declared for the tool.
 *
 * A model that was steered, or just wrong, can call a declared tool with
 * arguments its author never meant to accept: an extra "shell": true, a
 * path where an enum of three names was declared, a 50 KB string where 64
 * bytes were allowed. Applications rarely validate what their own model
 * sends back, so the gateway does, before the call reaches them.
 *
 * Supported: type (one or a list), enum, const, properties, required,
 * additionalProperties (false, true or a schema), items (a schema),
 * minItems, maxItems, uniqueItems, minLength and maxLength (in code
 * points), pattern (PCRE2, UTF mode, unanchored as JSON Schema says),
 * minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf,
 * minProperties, maxProperties, anyOf, oneOf, allOf, not, and $ref to
 * "#/$defs/..." or "#/definitions/..." of the same schema. Annotations
 * (description, title, default, examples, format, $schema, $id) are not
 * assertions and are skipped; so is any keyword this validator does not
 * know, as JSON Schema requires: a declaration relying on one is checked
 * on the rest.
 *
 * Bounds: schemas and values nest at most AG_SCHEMA_MAX_DEPTH deep
 * (deeper is refused as a bad schema, or an invalid value), and one call
 * visits at most AG_SCHEMA_MAX_STEPS schema/value pairs, so an anyOf
 * nested in anyOf cannot make validation exponential. A pattern is
 * compiled per use (declarations are small and tool calls rare) with a
 * match limit.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "schema.h"

#define MAX_PATTERN 4096
#define MATCH_LIMIT 100000

typedef struct {
  const json_t *root;
  int strict;
  size_t steps;
  char *err;
  size_t errlen;
  int bad; /* the schema is unusable */
} vctx;

static int fail(vctx *c, const char *path, int bad, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(vctx *c, const char *path, int bad, const char *fmt, ...) {
  if (c->err && c->errlen) {
    int n = snprintf(c->err, c->errlen, "%s: ", path);
    if (n >= 0 && (size_t)n < c->errlen) {
      va_list ap;
      va_start(ap, fmt);
      vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
      va_end(ap);
    }
  }
  if (bad)
    c->bad = 1;
  return bad ? AG_SCHEMA_BAD : AG_SCHEMA_INVALID;
}

static const char *type_name(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT: return "object";
  case JSON_ARRAY: return "array";
  case JSON_STRING: return "string";
  case JSON_INTEGER: return "integer";
  case JSON_REAL: return "number";
  case JSON_TRUE:
  case JSON_FALSE: return "boolean";
  case JSON_NULL: return "null";
  }
  return "?";
}

static double absd(double x) {
  return x < 0 ? -x : x;
}

/* The nearest integer to x, when x is in the range of exact integers. */
static int integral(double x, double *r) {
  if (!(x >= -9e15 && x <= 9e15))
    return 0;
  *r = (double)(long long)(x + (x >= 0 ? 0.5 : -0.5));
  return 1;
}

/* Does v have JSON Schema type t? 1 yes, 0 no, -1 t is no type. */
static int has_type(const json_t *v, const char *t) {
  if (!strcmp(t, "string"))
    return json_is_string(v);
  if (!strcmp(t, "integer")) {
    double r;
    return json_is_integer(v) ||
           (json_is_real(v) && integral(json_real_value(v), &r) &&
            r == json_real_value(v));
  }
  if (!strcmp(t, "number"))
    return json_is_number(v);
  if (!strcmp(t, "boolean"))
    return json_is_boolean(v);
  if (!strcmp(t, "object"))
    return json_is_object(v);
  if (!strcmp(t, "array"))
    return json_is_array(v);
  if (!strcmp(t, "null"))
    return json_is_null(v);
  return -1;
}

static size_t code_points(const char *s, size_t n) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    k += ((unsigned char)s[i] & 0xC0) != 0x80;
  return k;
}

/* A non-negative integer keyword, or -1 when absent; -2 when wrong. */
static long long count_kw(const json_t *schema, const char *kw) {
  const json_t *v = json_object_get(schema, kw);
  if (!v)
    return -1;
  if (!json_is_integer(v) || json_integer_value(v) < 0)
    return -2;
  return json_integer_value(v);
}

static int validate(vctx *c, const json_t *schema, const json_t *v,
                    const char *path, int depth);

static void child_path(char *buf, size_t n, const char *path, const char *key,
                       size_t index, int is_index) {
  if (is_index)
    snprintf(buf, n, "%s[%zu]", path, index);
  else
    snprintf(buf, n, "%s.%.60s", path, key);
}

static int check_pattern(vctx *c, const json_t *pat, const json_t *v,
                         const char *path) {
  if (!json_is_string(pat) || json_string_length(pat) > MAX_PATTERN)
    return fail(c, path, 1, "'pattern' must be a string of at most %d bytes",
                MAX_PATTERN);
  int ec;
  PCRE2_SIZE eo;
  pcre2_code *re =
      pcre2_compile((PCRE2_SPTR)json_string_value(pat), json_string_length(pat),
                    PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ec, &eo, NULL);
  if (!re)
    return fail(c, path, 1, "'pattern' does not compile (at offset %zu)",
                (size_t)eo);
  pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
  pcre2_match_context *mc = pcre2_match_context_create(NULL);
  int rc;
  if (!md || !mc) {
    rc = fail(c, path, 1, "out of memory");
  } else {
    pcre2_set_match_limit(mc, MATCH_LIMIT);
    int m = pcre2_match(re, (PCRE2_SPTR)json_string_value(v),
                        json_string_length(v), 0, 0, md, mc);
    if (m >= 0)
      rc = AG_SCHEMA_OK;
    else if (m == PCRE2_ERROR_NOMATCH)
      rc = fail(c, path, 0, "does not match the declared pattern");
    else
      rc = fail(c, path, 0, "the declared pattern could not be checked");
  }
  pcre2_match_context_free(mc);
  pcre2_match_data_free(md);
  pcre2_code_free(re);
  return rc;
}

/* "#/$defs/name" or "#/definitions/name" in the root schema. */
static const json_t *resolve(vctx *c, const json_t *ref) {
  const char *r = json_string_value(ref);
  if (!r)
    return NULL;
  const char *name = NULL;
  const json_t *defs = NULL;
  if (!strncmp(r, "#/$defs/", 8)) {
    defs = json_object_get(c->root, "$defs");
    name = r + 8;
  } else if (!strncmp(r, "#/definitions/", 14)) {
    defs = json_object_get(c->root, "definitions");
    name = r + 14;
  } else if (!strcmp(r, "#")) {
    return c->root;
  }
  return name && strchr(name, '/') == NULL ? json_object_get(defs, name) : NULL;
}

static int check_object(vctx *c, const json_t *schema, const json_t *v,
                        const char *path, int depth) {
  char sub[256];
  const json_t *props = json_object_get(schema, "properties");
  if (props && !json_is_object(props))
    return fail(c, path, 1, "'properties' must be an object");
  const json_t *req = json_object_get(schema, "required");
  if (req && !json_is_array(req))
    return fail(c, path, 1, "'required' must be an array");
  size_t i;
  const json_t *name;
  json_array_foreach(req, i, name) {
    if (!json_is_string(name))
      return fail(c, path, 1, "'required' must list strings");
    if (!json_object_get(v, json_string_value(name)))
      return fail(c, path, 0, "missing required property '%.60s'",
                  json_string_value(name));
  }
  const json_t *extra = json_object_get(schema, "additionalProperties");
  if (extra && !json_is_boolean(extra) && !json_is_object(extra))
    return fail(c, path, 1,
                "'additionalProperties' must be a boolean or "
                "a schema");
  int closed = json_is_false(extra) || (c->strict && props && !extra);
  long long mn = count_kw(schema, "minProperties"),
            mx = count_kw(schema, "maxProperties");
  if (mn == -2 || mx == -2)
    return fail(c, path, 1, "minProperties/maxProperties must be counts");
  size_t np = json_object_size(v);
  if ((mn >= 0 && np < (size_t)mn) || (mx >= 0 && np > (size_t)mx))
    return fail(c, path, 0, "%zu properties is out of the declared range", np);
  const char *key;
  const json_t *val;
  json_object_foreach((json_t *)v, key, val) {
    child_path(sub, sizeof(sub), path, key, 0, 0);
    const json_t *ps = props ? json_object_get(props, key) : NULL;
    int rc;
    if (ps)
      rc = validate(c, ps, val, sub, depth + 1);
    else if (closed)
      return fail(c, path, 0, "property '%.60s' is not declared", key);
    else if (json_is_object(extra))
      rc = validate(c, extra, val, sub, depth + 1);
    else
      continue;
    if (rc)
      return rc;
  }
  return AG_SCHEMA_OK;
}

static int check_array(vctx *c, const json_t *schema, const json_t *v,
                       const char *path, int depth) {
  char sub[256];
  long long mn = count_kw(schema, "minItems"),
            mx = count_kw(schema, "maxItems");
  if (mn == -2 || mx == -2)
    return fail(c, path, 1, "minItems/maxItems must be counts");
  size_t n = json_array_size(v);
  if ((mn >= 0 && n < (size_t)mn) || (mx >= 0 && n > (size_t)mx))
    return fail(c, path, 0, "%zu items is out of the declared range", n);
  const json_t *items = json_object_get(schema, "items");
  if (items && !json_is_object(items) && !json_is_boolean(items))
    return fail(c, path, 1, "'items' must be a schema");
  if (json_is_true(json_object_get(schema, "uniqueItems")))
    for (size_t i = 0; i < n && i < 1000; i++)
      for (size_t j = i + 1; j < n && j < 1000; j++)
        if (json_equal(json_array_get(v, i), json_array_get(v, j)))
          return fail(c, path, 0, "items %zu and %zu are equal", i, j);
  if (!items)
    return AG_SCHEMA_OK;
  size_t i;
  const json_t *it;
  json_array_foreach(v, i, it) {
    child_path(sub, sizeof(sub), path, NULL, i, 1);
    int rc = validate(c, items, it, sub, depth + 1);
    if (rc)
      return rc;
  }
  return AG_SCHEMA_OK;
}

static int check_number(vctx *c, const json_t *schema, const json_t *v,
                        const char *path) {
  static const char *const kws[] = {"minimum", "maximum", "exclusiveMinimum",
                                    "exclusiveMaximum", "multipleOf"};
  double x = json_number_value(v);
  for (size_t k = 0; k < 5; k++) {
    const json_t *b = json_object_get(schema, kws[k]);
    if (!b)
      continue;
    if (!json_is_number(b))
      return fail(c, path, 1, "'%s' must be a number", kws[k]);
    double y = json_number_value(b);
    double q = 0;
    int ok = k == 0   ? x >= y
             : k == 1 ? x <= y
             : k == 2 ? x > y
             : k == 3 ? x < y
                      : y > 0 && integral(x / y, &q) && absd(x / y - q) < 1e-9;
    if (!ok)
      return fail(c, path, 0, "%g is out of the declared range (%s %g)", x,
                  kws[k], y);
  }
  return AG_SCHEMA_OK;
}

/* anyOf / oneOf / allOf over a list of schemas. */
static int check_combinator(vctx *c, const json_t *list, const char *kw,
                            const json_t *v, const char *path, int depth) {
  if (!json_is_array(list) || json_array_size(list) == 0)
    return fail(c, path, 1, "'%s' must be a non-empty array of schemas", kw);
  size_t i, passed = 0;
  const json_t *s;
  json_array_foreach(list, i, s) {
    int rc = validate(c, s, v, path, depth + 1);
    if (rc == AG_SCHEMA_BAD)
      return rc;
    if (rc == AG_SCHEMA_OK)
      passed++;
    else if (kw[0] == 'a' && kw[1] == 'l')
      return rc; /* allOf: the first failure says why */
  }
  if (kw[0] == 'a' && kw[1] == 'n' && passed == 0)
    return fail(c, path, 0, "matches none of the declared alternatives");
  if (kw[0] == 'o' && passed != 1)
    return fail(c, path, 0, "matches %zu of the declared alternatives, not one",
                passed);
  return AG_SCHEMA_OK;
}

static int validate(vctx *c, const json_t *schema, const json_t *v,
                    const char *path, int depth) {
  if (depth > AG_SCHEMA_MAX_DEPTH)
    return fail(c, path, 1, "nested more than %d deep", AG_SCHEMA_MAX_DEPTH);
  if (++c->steps > AG_SCHEMA_MAX_STEPS)
    return fail(c, path, 1, "too costly to check (more than %d steps)",
                AG_SCHEMA_MAX_STEPS);
  if (json_is_true(schema))
    return AG_SCHEMA_OK;
  if (json_is_false(schema))
    return fail(c, path, 0, "no value is allowed here");
  if (!json_is_object(schema))
    return fail(c, path, 1, "a schema must be an object or a boolean");
  int rc;
  const json_t *ref = json_object_get(schema, "$ref");
  if (ref) {
    const json_t *target = resolve(c, ref);
    if (!target)
      return fail(c, path, 1, "unsupported $ref '%.80s'",
                  json_is_string(ref) ? json_string_value(ref) : "?");
    if ((rc = validate(c, target, v, path, depth + 1)))
      return rc;
  }
  const json_t *type = json_object_get(schema, "type");
  if (type) {
    int ok = 0;
    if (json_is_string(type)) {
      ok = has_type(v, json_string_value(type));
    } else if (json_is_array(type) && json_array_size(type)) {
      size_t i;
      const json_t *t;
      json_array_foreach(type, i, t) {
        int h = json_is_string(t) ? has_type(v, json_string_value(t)) : -1;
        if (h < 0) {
          ok = -1;
          break;
        }
        ok |= h;
      }
    } else {
      ok = -1;
    }
    if (ok < 0)
      return fail(c, path, 1, "'type' is not a JSON Schema type");
    if (!ok)
      return fail(c, path, 0, "expected %s, got %s",
                  json_is_string(type) ? json_string_value(type)
                                       : "one of the declared types",
                  type_name(v));
  }
  const json_t *en = json_object_get(schema, "enum");
  if (en) {
    if (!json_is_array(en))
      return fail(c, path, 1, "'enum' must be an array");
    size_t i;
    const json_t *e;
    int found = 0;
    json_array_foreach(en, i, e) found |= json_equal(e, v);
    if (!found)
      return fail(c, path, 0, "not one of the declared values");
  }
  const json_t *cn = json_object_get(schema, "const");
  if (cn && !json_equal(cn, v))
    return fail(c, path, 0, "not the declared constant");
  if (json_is_string(v)) {
    long long mn = count_kw(schema, "minLength"),
              mx = count_kw(schema, "maxLength");
    if (mn == -2 || mx == -2)
      return fail(c, path, 1, "minLength/maxLength must be counts");
    size_t n = code_points(json_string_value(v), json_string_length(v));
    if ((mn >= 0 && n < (size_t)mn) || (mx >= 0 && n > (size_t)mx))
      return fail(c, path, 0,
                  "a string of %zu characters is out of the "
                  "declared length",
                  n);
    const json_t *pat = json_object_get(schema, "pattern");
    if (pat && (rc = check_pattern(c, pat, v, path)))
      return rc;
  } else if (json_is_number(v)) {
    if ((rc = check_number(c, schema, v, path)))
      return rc;
  } else if (json_is_object(v)) {
    if ((rc = check_object(c, schema, v, path, depth)))
      return rc;
  } else if (json_is_array(v)) {
    if ((rc = check_array(c, schema, v, path, depth)))
      return rc;
  }
  static const char *const comb[] = {"allOf", "anyOf", "oneOf"};
  for (size_t k = 0; k < 3; k++) {
    const json_t *list = json_object_get(schema, comb[k]);
    if (list && (rc = check_combinator(c, list, comb[k], v, path, depth)))
      return rc;
  }
  const json_t *not = json_object_get(schema, "not");
  if (not ) {
    rc = validate(c, not, v, path, depth + 1);
    if (rc == AG_SCHEMA_BAD)
      return rc;
    if (rc == AG_SCHEMA_OK)
      return fail(c, path, 0, "matches a schema it must not");
  }
  return AG_SCHEMA_OK;
}

int ag_schema_validate(const json_t *schema, const json_t *value, int strict,
                       char *err, size_t errlen) {
  if (err && errlen)
    err[0] = '\0';
  vctx c = {schema, strict, 0, err, errlen, 0};
  if (!schema || !value)
    return fail(&c, "arguments", 1, "nothing to validate");
  int rc = validate(&c, schema, value, "arguments", 0);
  return c.bad ? AG_SCHEMA_BAD : rc;
}
