/*
 * openai_doc.c -- the walk over OpenAI chat documents (see openai_doc.h).
 */
#include "openai_doc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int add_target(oai_targets *ts, json_t *owner, const char *key,
                      size_t index, json_t *str, const char *role,
                      const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static int add_target(oai_targets *ts, json_t *owner, const char *key,
                      size_t index, json_t *str, const char *role,
                      const char *fmt, ...) {
  if (ts->n == OAI_MAX_TARGETS) {
    snprintf(ts->err, sizeof(ts->err), "more than %d strings to scan",
             OAI_MAX_TARGETS);
    return -1;
  }
  if (ts->n == ts->cap) {
    size_t cap = ts->cap ? ts->cap * 2 : 16;
    oai_target *t = realloc(ts->t, cap * sizeof(*t));
    if (!t) {
      snprintf(ts->err, sizeof(ts->err), "out of memory");
      return -1;
    }
    ts->t = t;
    ts->cap = cap;
  }
  oai_target *t = &ts->t[ts->n++];
  *t = (oai_target){str, owner, key, index, "", role};
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(t->path, sizeof(t->path), fmt, ap);
  va_end(ap);
  return 0;
}

static int type_error(oai_targets *ts, const char *path, const char *want) {
  snprintf(ts->err, sizeof(ts->err), "%s: expected %s", path, want);
  return -1;
}

/* content: string, null, or an array of parts ({"type":"text","text":..}).
 * Non-text parts (images, audio, files) are not text to scan. */
static int collect_content(oai_targets *ts, json_t *msg, const char *role,
                           const char *base) {
  json_t *c = json_object_get(msg, "content");
  char path[96];
  snprintf(path, sizeof(path), "%s.content", base);
  if (!c || json_is_null(c))
    return 0;
  if (json_is_string(c))
    return add_target(ts, msg, "content", 0, c, role, "%s", path);
  if (!json_is_array(c))
    return type_error(ts, path, "a string or an array of parts");
  size_t i;
  json_t *part;
  json_array_foreach(c, i, part) {
    if (!json_is_object(part))
      return type_error(ts, path, "parts that are objects");
    json_t *text = json_object_get(part, "text");
    if (!text)
      continue;
    if (!json_is_string(text))
      return type_error(ts, path, "a string in a part's text");
    if (add_target(ts, part, "text", 0, text, role, "%s[%zu].text", path, i))
      return -1;
  }
  return 0;
}

static int collect_tool_calls(oai_targets *ts, json_t *msg, const char *role,
                              const char *base) {
  json_t *calls = json_object_get(msg, "tool_calls");
  if (calls && !json_is_null(calls)) {
    if (!json_is_array(calls))
      return type_error(ts, base, "tool_calls to be an array");
    size_t i;
    json_t *call;
    json_array_foreach(calls, i, call) {
      json_t *fn = json_object_get(call, "function");
      json_t *args = fn ? json_object_get(fn, "arguments") : NULL;
      if (!args)
        continue;
      if (!json_is_string(args))
        return type_error(ts, base, "tool call arguments to be a string");
      if (add_target(ts, fn, "arguments", 0, args, role,
                     "%s.tool_calls[%zu].function.arguments", base, i))
        return -1;
    }
  }
  json_t *fc = json_object_get(msg, "function_call");
  json_t *args = fc ? json_object_get(fc, "arguments") : NULL;
  if (args && json_is_string(args))
    return add_target(ts, fc, "arguments", 0, args, role,
                      "%s.function_call.arguments", base);
  return 0;
}

static int collect_message(oai_targets *ts, json_t *msg, const char *base) {
  if (!json_is_object(msg))
    return type_error(ts, base, "an object");
  json_t *role = json_object_get(msg, "role");
  const char *r =
      role && json_is_string(role) ? json_string_value(role) : "unknown";
  if (collect_content(ts, msg, r, base))
    return -1;
  return collect_tool_calls(ts, msg, r, base);
}

/* A string or an array of strings (completions' prompt, embeddings' input). */
static int collect_strings(oai_targets *ts, json_t *root, const char *key) {
  json_t *v = json_object_get(root, key);
  if (!v)
    return 0;
  if (json_is_string(v))
    return add_target(ts, root, key, 0, v, "user", "%s", key);
  if (!json_is_array(v))
    return type_error(ts, key, "a string or an array of strings");
  size_t i;
  json_t *s;
  json_array_foreach(v, i, s) {
    if (!json_is_string(s))
      continue; /* token arrays are not text */
    if (add_target(ts, v, NULL, i, s, "user", "%s[%zu]", key, i))
      return -1;
  }
  return 0;
}

int oai_collect(oai_targets *ts, json_t *root, oai_kind kind) {
  if (!json_is_object(root))
    return type_error(ts, "document", "a JSON object");
  if (kind == OAI_REQUEST) {
    json_t *msgs = json_object_get(root, "messages");
    if (msgs) {
      if (!json_is_array(msgs))
        return type_error(ts, "messages", "an array");
      size_t i;
      json_t *m;
      json_array_foreach(msgs, i, m) {
        char base[32];
        snprintf(base, sizeof(base), "messages[%zu]", i);
        if (collect_message(ts, m, base))
          return -1;
      }
    }
    if (collect_strings(ts, root, "prompt") ||
        collect_strings(ts, root, "input"))
      return -1;
    if (!msgs && !json_object_get(root, "prompt") &&
        !json_object_get(root, "input"))
      return type_error(ts, "document", "messages, prompt or input");
    return 0;
  }
  json_t *choices = json_object_get(root, "choices");
  if (!json_is_array(choices))
    return type_error(ts, "choices", "an array");
  size_t i;
  json_t *c;
  json_array_foreach(choices, i, c) {
    char base[48];
    if (!json_is_object(c))
      return type_error(ts, "choices", "objects");
    json_t *msg = json_object_get(c, "message");
    if (!msg)
      msg = json_object_get(c, "delta");
    if (msg) {
      snprintf(base, sizeof(base), "choices[%zu].message", i);
      if (collect_message(ts, msg, base))
        return -1;
    }
    json_t *text = json_object_get(c, "text");
    if (text && json_is_string(text) &&
        add_target(ts, c, "text", 0, text, "assistant", "choices[%zu].text", i))
      return -1;
  }
  return 0;
}

void oai_replace(const oai_target *t, json_t *nv) {
  if (t->key)
    json_object_set_new(t->owner, t->key, nv);
  else
    json_array_set_new(t->owner, t->index, nv);
}

void oai_targets_free(oai_targets *ts) {
  free(ts->t);
  ts->t = NULL;
  ts->n = ts->cap = 0;
}
