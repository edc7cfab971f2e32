/*
 * openai_doc.c -- the walk over OpenAI documents (see openai_doc.h).
 *
 * Its readers want different things from a document that is not the
 * expected shape: the gateway refuses a malformed request (OAI_STRICT),
 * passes through what it cannot scan in an upstream's reply
 * (OAI_TOLERANT), and the CLI names the first field of the wrong type.
 * Those are strengths of one walk, not three walks, so that what counts as
 * text is decided in one place: a text found by one front end is found by
 * all of them.
 *
 * What is text: a message's content (a string, or the parts of a list),
 * its refusal, its tool-call and function-call arguments; a part's `text`
 * whatever the part's type says, and a refusal part's `refusal`; every
 * string of prompt and input; a choice's text. A part of another type
 * (image_url, input_audio, file, ...) is listed as media as well: the text
 * it may carry is not all it holds.
 */
#include "openai_doc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct {
  oai_targets *ts;
  unsigned flags;
} walk;

static int fail(walk *w, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(walk *w, int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(w->ts->err, sizeof(w->ts->err), fmt, ap);
  va_end(ap);
  return code;
}

/* A field that does not have the type it needs: an error, or, for a
 * tolerant walk, nothing to scan. */
static int wrong(walk *w, const char *path, const char *want) {
  if (w->flags & OAI_TOLERANT)
    return OAI_OK;
  return fail(w, OAI_EDOC, "%s: expected %s", path, want);
}

/* Make room for one more entry in a list of n (capacity *cap). */
static int room(walk *w, void **list, size_t *cap, size_t n, size_t size,
                const char *what) {
  if (!(w->flags & OAI_UNCAPPED) && n >= OAI_MAX_TARGETS)
    return fail(w, OAI_ELIMIT, "more than %d %s", OAI_MAX_TARGETS, what);
  if (n < *cap)
    return OAI_OK;
  size_t ncap = *cap ? *cap * 2 : 16;
  void *p = ncap < SIZE_MAX / size ? realloc(*list, ncap * size) : NULL;
  if (!p)
    return fail(w, OAI_ENOMEM, "out of memory");
  *list = p;
  *cap = ncap;
  return OAI_OK;
}

/* Paths name fields as a reader would write them: "base.key" and
 * "base[i]", cut to dst's cap as snprintf would cut them (dst is never
 * base). Every scanned string gets one, so no printf here. */
static size_t path_key(char *dst, size_t cap, const char *base,
                       const char *key) {
  size_t n = ag_str_put(dst, cap, 0, base);
  n = ag_str_put(dst, cap, n, ".");
  return ag_str_put(dst, cap, n, key);
}

static size_t path_index(char *dst, size_t cap, const char *base, size_t i) {
  size_t n = ag_str_put(dst, cap, 0, base);
  n = ag_str_put(dst, cap, n, "[");
  n = ag_str_put_uint(dst, cap, n, i);
  return ag_str_put(dst, cap, n, "]");
}

/* A string to scan at path, or at path.sub when sub is not NULL. */
static int add_target(walk *w, json_t *owner, const char *key, size_t index,
                      json_t *str, size_t item, const char *role,
                      const char *path, const char *sub) {
  oai_targets *ts = w->ts;
  void *list = ts->t;
  int rc = room(w, &list, &ts->cap, ts->n, sizeof(*ts->t), "strings to scan");
  ts->t = list;
  if (rc)
    return rc;
  oai_target *t = &ts->t[ts->n++];
  *t = (oai_target){str, owner, key, index, item, "", role};
  if (sub)
    path_key(t->path, sizeof(t->path), path, sub);
  else
    ag_str_put(t->path, sizeof(t->path), 0, path);
  return OAI_OK;
}

static int add_media(walk *w, json_t *part, const char *type, size_t item,
                     const char *role, const char *path) {
  oai_targets *ts = w->ts;
  void *list = ts->media;
  int rc = room(w, &list, &ts->cap_media, ts->n_media, sizeof(*ts->media),
                "media parts");
  ts->media = list;
  if (rc)
    return rc;
  oai_media *m = &ts->media[ts->n_media++];
  *m = (oai_media){part, type, item, ts->n, "", role};
  ag_str_put(m->path, sizeof(m->path), 0, path);
  return OAI_OK;
}

/* Is there a value? Clients that serialize every field of a part or a
 * call write null for the ones they do not use. */
static int present(const json_t *v) {
  return v && !json_is_null(v);
}

/* holder[key] when it is a string; `required` (strict walks only) when it
 * must be there. */
static int text_field(walk *w, json_t *holder, const char *key, int required,
                      const char *base, size_t item, const char *role) {
  json_t *v = json_object_get(holder, key);
  if (json_is_string(v))
    return add_target(w, holder, key, 0, v, item, role, base, key);
  if (!present(v) && !(required && (w->flags & OAI_STRICT)))
    return OAI_OK;
  char path[96];
  path_key(path, sizeof(path), base, key);
  return wrong(w, path, "a string");
}

static int collect_part(walk *w, json_t *part, const char *path, size_t item,
                        const char *role) {
  int strict = w->flags & OAI_STRICT;
  if (!json_is_object(part))
    return wrong(w, path,
                 strict ? "an object with a string type" : "an object");
  const char *type = json_string_value(json_object_get(part, "type"));
  if (!type && strict)
    return wrong(w, path, "an object with a string type");
  int is_text = type && !strcmp(type, "text");
  int is_refusal = type && !strcmp(type, "refusal");
  int rc;
  if (type && !is_text && !is_refusal &&
      (rc = add_media(w, part, type, item, role, path)))
    return rc;
  if ((rc = text_field(w, part, "text", is_text, path, item, role)))
    return rc;
  return is_refusal ? text_field(w, part, "refusal", 1, path, item, role)
                    : OAI_OK;
}

/* content: a string, null, or a list of parts. */
static int collect_content(walk *w, json_t *msg, const char *base, size_t item,
                           const char *role) {
  json_t *c = json_object_get(msg, "content");
  char path[64]; /* "choices[<20 digits>].message.content" */
  path_key(path, sizeof(path), base, "content");
  if (!c || json_is_null(c))
    return OAI_OK;
  if (json_is_string(c))
    return add_target(w, msg, "content", 0, c, item, role, path, NULL);
  if (!json_is_array(c))
    return wrong(w, path, "a string, an array of parts or null");
  size_t i;
  json_t *part;
  json_array_foreach(c, i, part) {
    char ppath[96];
    path_index(ppath, sizeof(ppath), path, i);
    int rc = collect_part(w, part, ppath, item, role);
    if (rc)
      return rc;
  }
  return OAI_OK;
}

static int collect_calls(walk *w, json_t *msg, const char *base, size_t item,
                         const char *role) {
  char list[64], path[96]; /* "<base>.tool_calls", then "[i].function..." */
  int rc;
  json_t *calls = json_object_get(msg, "tool_calls");
  path_key(list, sizeof(list), base, "tool_calls");
  if (present(calls) && !json_is_array(calls) &&
      (rc = wrong(w, list, "an array")))
    return rc;
  size_t i;
  json_t *call;
  json_array_foreach(calls, i, call) {
    json_t *fn = json_object_get(call, "function");
    json_t *args = json_object_get(fn, "arguments");
    char call_path[80];
    path_index(call_path, sizeof(call_path), list, i);
    path_key(path, sizeof(path), call_path, "function.arguments");
    rc = OAI_OK;
    if (json_is_string(args))
      rc = add_target(w, fn, "arguments", 0, args, item, role, path, NULL);
    else if (present(args))
      rc = wrong(w, path, "a string");
    if (rc)
      return rc;
  }
  json_t *fc = json_object_get(msg, "function_call");
  json_t *args = json_object_get(fc, "arguments");
  if (json_is_string(args))
    return add_target(w, fc, "arguments", 0, args, item, role, base,
                      "function_call.arguments");
  return OAI_OK;
}

static int collect_message(walk *w, json_t *msg, const char *base,
                           size_t item) {
  int strict = w->flags & OAI_STRICT;
  json_t *role = json_object_get(msg, "role");
  if (!json_is_object(msg) || (strict && !json_is_string(role)))
    return wrong(w, base,
                 strict ? "an object with a string role" : "an object");
  const char *r = json_is_string(role) ? json_string_value(role) : "unknown";
  int rc = collect_content(w, msg, base, item, r);
  json_t *refusal = json_object_get(msg, "refusal");
  if (!rc && json_is_string(refusal))
    rc = add_target(w, msg, "refusal", 0, refusal, item, r, base, "refusal");
  return rc ? rc : collect_calls(w, msg, base, item, r);
}

static int collect_messages(walk *w, json_t *root, int required) {
  int strict = w->flags & OAI_STRICT;
  json_t *msgs = json_object_get(root, "messages");
  if (!msgs && !required)
    return OAI_OK;
  if (!json_is_array(msgs) || (strict && json_array_size(msgs) == 0))
    return wrong(w, "messages", strict ? "a non-empty array" : "an array");
  size_t i;
  json_t *m;
  json_array_foreach(msgs, i, m) {
    char base[32];
    path_index(base, sizeof(base), "messages", i);
    int rc = collect_message(w, m, base, i);
    if (rc)
      return rc;
  }
  return OAI_OK;
}

/* A string or an array of strings (completions' prompt, embeddings'
 * input). Token arrays are not text: skipped, or refused when strict. */
static int collect_strings(walk *w, json_t *root, const char *key,
                           int required) {
  json_t *v = json_object_get(root, key);
  if (!v && !required)
    return OAI_OK;
  if (json_is_string(v))
    return add_target(w, root, key, 0, v, 0, "user", key, NULL);
  if (!json_is_array(v))
    return wrong(w, key, "a string or an array of strings");
  size_t i;
  json_t *s;
  json_array_foreach(v, i, s) {
    int rc = OAI_OK;
    if (json_is_string(s)) {
      char path[48];
      path_index(path, sizeof(path), key, i);
      rc = add_target(w, v, NULL, i, s, i, "user", path, NULL);
    } else if (w->flags & OAI_STRICT)
      rc = fail(w, OAI_EDOC,
                "%s[%zu]: expected a string (token arrays cannot be scanned "
                "and are not accepted)",
                key, i);
    if (rc)
      return rc;
  }
  return OAI_OK;
}

static int collect_choices(walk *w, json_t *root) {
  json_t *choices = json_object_get(root, "choices");
  if (!json_is_array(choices))
    return fail(w, OAI_EDOC, "choices: expected an array");
  size_t i;
  json_t *c;
  json_array_foreach(choices, i, c) {
    char base[32], mbase[48];
    int rc = OAI_OK;
    path_index(base, sizeof(base), "choices", i);
    if (!json_is_object(c)) {
      if ((rc = wrong(w, base, "an object")))
        return rc;
      continue;
    }
    const char *key = json_object_get(c, "message") ? "message" : "delta";
    json_t *msg = json_object_get(c, key);
    if (msg) {
      path_key(mbase, sizeof(mbase), base, key);
      rc = collect_message(w, msg, mbase, i);
    }
    json_t *text = json_object_get(c, "text");
    if (!rc && json_is_string(text))
      rc = add_target(w, c, "text", 0, text, i, "assistant", base, "text");
    if (rc)
      return rc;
  }
  return OAI_OK;
}

int oai_collect(oai_targets *ts, json_t *root, oai_kind kind, unsigned flags) {
  walk w = {ts, flags};
  if (!json_is_object(root))
    return fail(&w, OAI_EDOC, "document: expected a JSON object");
  switch (kind) {
  case OAI_CHAT: return collect_messages(&w, root, 1);
  case OAI_COMPLETION: return collect_strings(&w, root, "prompt", 1);
  case OAI_EMBEDDING: return collect_strings(&w, root, "input", 1);
  case OAI_RESPONSE: return collect_choices(&w, root);
  case OAI_REQUEST: break;
  }
  int rc = collect_messages(&w, root, 0);
  if (!rc)
    rc = collect_strings(&w, root, "prompt", 0);
  if (!rc)
    rc = collect_strings(&w, root, "input", 0);
  if (!rc && !json_object_get(root, "messages") &&
      !json_object_get(root, "prompt") && !json_object_get(root, "input"))
    rc = fail(&w, OAI_EDOC, "document: expected messages, prompt or input");
  return rc;
}

void oai_replace(const oai_target *t, json_t *nv) {
  if (t->key)
    json_object_set_new(t->owner, t->key, nv);
  else
    json_array_set_new(t->owner, t->index, nv);
}

void oai_targets_free(oai_targets *ts) {
  free(ts->t);
  free(ts->media);
  ts->t = NULL;
  ts->media = NULL;
  ts->n = ts->cap = ts->n_media = ts->cap_media = 0;
}
