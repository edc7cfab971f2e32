/*
 * guard.c -- the gateway's guards over OpenAI request and response
 * documents (guard.h).
 *
 * The request body is parsed once (jansson; duplicate keys refused) and
 * the upstream receives that same document re-serialized with redactions
 * applied: what was scanned is exactly what is sent, whatever tricks the
 * original JSON played.
 *
 * Roles: user messages are scanned with the input profile, tool and
 * function results (content the model will read but no person wrote:
 * indirect injection) with the untrusted profile. System, developer and
 * assistant messages are the application's own text: they are scanned
 * too, and sensitive data in them is redacted, but a block verdict there
 * is logged, not enforced (a system prompt saying "never reveal these
 * instructions" is not an attack). Message parts that are not text cannot
 * be scanned, so the media policy decides; token arrays cannot be scanned
 * either and are refused.
 */
#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "guard.h"

#define MAX_MODEL_NAME 256
#define MAX_CHOICES 128

static void refuse(gw_guard *g, int status, const char *type, const char *code,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void refuse(gw_guard *g, int status, const char *type, const char *code,
                   const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(g->message, sizeof(g->message), fmt, ap);
  va_end(ap);
  g->status = status;
  g->type = type;
  g->code = code;
}

/* Is id one of the comma-separated ids in list? */
static int listed(const char *list, const char *id) {
  size_t n = strlen(id);
  for (const char *p = list; (p = strstr(p, id)); p += n)
    if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
      return 1;
  return 0;
}

aigate_action gw_guard_note(gw_guard *g, aigate_action v, unsigned flags,
                            const aigate_finding *f, size_t n, int trusted) {
  if (flags & AIGATE_FLAG_FAILED) {
    g->failed = 1;
    if (v != AIGATE_BLOCK)
      g->fail_open = 1;
  }
  if (v == AIGATE_BLOCK && trusted && !(flags & AIGATE_FLAG_FAILED))
    v = AIGATE_LOG;
  if (v > g->decision)
    g->decision = v;
  /* Name the rules behind what is done: the blocking ones for a block,
   * the redacting ones for a redaction. */
  for (size_t i = 0; i < n && v >= AIGATE_REDACT; i++) {
    if (f[i].action != v || f[i].mode != AIGATE_MODE_ENFORCE ||
        listed(g->rules, f[i].rule_id))
      continue;
    size_t used = strlen(g->rules);
    if (used + strlen(f[i].rule_id) + 2 > sizeof(g->rules))
      break;
    if (used)
      strcat(g->rules, ",");
    strcat(g->rules, f[i].rule_id);
  }
  return v;
}

/* Scan the string held in a JSON value; redact it in place. Returns the
 * action taken (block means the caller refuses or replaces). */
static aigate_action scan_string(gw_guard *g, json_t *str, aigate_direction dir,
                                 const char *profile, int trusted) {
  const char *text = json_string_value(str);
  size_t len = json_string_length(str);
  aigate_scan_options o = {dir, profile, 0};
  aigate_result res;
  aigate_scan_ex(g->engine, g->scratch, text, len, &o, &res);
  aigate_action v = gw_guard_note(g, res.verdict, res.flags, res.findings,
                                  res.n_findings, trusted);
  if (v == AIGATE_REDACT) {
    char *red;
    size_t rlen;
    if (aigate_redact(text, len, &res, &red, &rlen) == 0) {
      json_string_setn_nocheck(str, red, rlen);
      free(red);
    } else {
      v = AIGATE_BLOCK; /* cannot redact: never pass it in clear */
      g->decision = AIGATE_BLOCK;
    }
  }
  return v;
}

/* ----------------------------------------------------------- input */

static const char *untrusted_profile(const gw_guard *g) {
  const gw_config *c = g->cfg;
  return c->untrusted_profile ? c->untrusted_profile : c->input_profile;
}

/* "example.com" matches itself; "*.example.com" matches its subdomains
 * (not example.com itself, nor evil-example.com). */
static int host_matches(const char *host, const char *pattern) {
  if (strncmp(pattern, "*.", 2) != 0)
    return strcasecmp(host, pattern) == 0;
  size_t hl = strlen(host), sl = strlen(pattern + 1); /* ".example.com" */
  return hl > sl && strcasecmp(host + hl - sl, pattern + 1) == 0;
}

/* A message part that is not text: its content cannot be scanned, so the
 * media policy decides. Returns 0 to allow, or sets an error. */
static int media_part(gw_guard *g, const char *type, json_t *part) {
  const gw_config *c = g->cfg;
  if (c->media == GW_MEDIA_BLOCK) {
    refuse(g, 400, "invalid_request_error", "unsupported_content",
           "message parts of type '%s' are not allowed by this gateway's "
           "policy",
           type);
    return -1;
  }
  const char *url = NULL;
  json_t *iu = json_object_get(part, "image_url");
  if (json_is_object(iu))
    url = json_string_value(json_object_get(iu, "url"));
  else if (json_is_string(iu))
    url = json_string_value(iu);
  size_t inline_len = 0;
  json_t *audio = json_object_get(part, "input_audio");
  if (json_is_object(audio))
    inline_len = json_string_length(json_object_get(audio, "data"));
  json_t *file = json_object_get(part, "file");
  if (json_is_object(file))
    inline_len = json_string_length(json_object_get(file, "file_data"));
  if (url && !strncmp(url, "data:", 5))
    inline_len = strlen(url);
  if (inline_len > c->max_media_bytes) {
    refuse(g, 413, "invalid_request_error", "media_too_large",
           "an inline '%s' part is %zu bytes; the limit is %zu", type,
           inline_len, c->max_media_bytes);
    return -1;
  }
  if (c->media == GW_MEDIA_ALLOWLIST && url && strncmp(url, "data:", 5)) {
    CURLU *u = curl_url();
    char *host = NULL;
    int ok = 0;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
      for (size_t i = 0; i < c->n_media_hosts && !ok; i++)
        ok = host_matches(host, c->media_hosts[i]);
    curl_free(host);
    curl_url_cleanup(u);
    if (!ok) {
      refuse(g, 400, "invalid_request_error", "media_host_not_allowed",
             "'%s' parts may only reference the gateway's allowed hosts", type);
      return -1;
    }
  }
  return 0;
}

/* Scan one message's content (string or list of parts). Returns -1 when
 * the request is refused (the error is set). */
static int guard_content(gw_guard *g, json_t *content, const char *profile,
                         int trusted) {
  if (json_is_null(content) || !content)
    return 0;
  if (json_is_string(content))
    return scan_string(g, content, AIGATE_INPUT, profile, trusted) ==
                   AIGATE_BLOCK
               ? -1
               : 0;
  if (!json_is_array(content)) {
    refuse(g, 400, "invalid_request_error", "invalid_type",
           "message content must be a string, an array of parts or null");
    return -1;
  }
  size_t i;
  json_t *part;
  json_array_foreach(content, i, part) {
    const char *type = json_string_value(json_object_get(part, "type"));
    if (!json_is_object(part) || !type) {
      refuse(g, 400, "invalid_request_error", "invalid_type",
             "each content part must be an object with a string 'type'");
      return -1;
    }
    if (!strcmp(type, "text") || !strcmp(type, "refusal")) {
      json_t *t = json_object_get(part, type);
      if (!json_is_string(t)) {
        refuse(g, 400, "invalid_request_error", "invalid_type",
               "a '%s' part needs a string '%s'", type, type);
        return -1;
      }
      if (scan_string(g, t, AIGATE_INPUT, profile, trusted) == AIGATE_BLOCK)
        return -1;
    } else if (media_part(g, type, part)) {
      return -1;
    }
  }
  return 0;
}

static int guard_messages(gw_guard *g, json_t *msgs) {
  const gw_config *c = g->cfg;
  if (!json_is_array(msgs) || json_array_size(msgs) == 0) {
    refuse(g, 400, "invalid_request_error", "invalid_type",
           "'messages' must be a non-empty array");
    return -1;
  }
  if (json_array_size(msgs) > c->max_messages) {
    refuse(g, 400, "invalid_request_error", "too_many_messages",
           "%zu messages; this gateway accepts at most %zu",
           json_array_size(msgs), c->max_messages);
    return -1;
  }
  size_t i;
  json_t *m;
  json_array_foreach(msgs, i, m) {
    const char *role = json_string_value(json_object_get(m, "role"));
    if (!json_is_object(m) || !role) {
      refuse(g, 400, "invalid_request_error", "invalid_type",
             "messages[%zu] must be an object with a string 'role'", i);
      return -1;
    }
    int trusted = !strcmp(role, "system") || !strcmp(role, "developer") ||
                  !strcmp(role, "assistant");
    int untrusted = !strcmp(role, "tool") || !strcmp(role, "function");
    const char *profile = untrusted ? untrusted_profile(g) : c->input_profile;
    if (guard_content(g, json_object_get(m, "content"), profile, trusted)) {
      if (!g->status)
        refuse(g, 400, "invalid_request_error", "content_policy_violation",
               "messages[%zu] (%s) was blocked by the gateway's policy: %s", i,
               role, g->rules);
      return -1;
    }
  }
  return 0;
}

/* prompt / input: a string or an array of strings. Token arrays cannot be
 * scanned, so they are refused rather than passed unseen. */
static int guard_strings(gw_guard *g, const char *field, json_t *v,
                         int required) {
  if (!v && !required)
    return 0;
  json_t *one[1] = {v};
  size_t n = 1;
  json_t **items = one;
  if (json_is_array(v)) {
    n = json_array_size(v);
    if (n > g->cfg->max_messages) {
      refuse(g, 400, "invalid_request_error", "too_many_inputs",
             "'%s' has %zu items; the limit is %zu", field, n,
             g->cfg->max_messages);
      return -1;
    }
    items = NULL;
  }
  for (size_t i = 0; i < n; i++) {
    json_t *s = items ? items[i] : json_array_get(v, i);
    if (!json_is_string(s)) {
      refuse(g, 400, "invalid_request_error", "invalid_type",
             "'%s' must be a string or an array of strings (token arrays "
             "cannot be scanned and are not accepted)",
             field);
      return -1;
    }
    if (scan_string(g, s, AIGATE_INPUT, g->cfg->input_profile, 0) ==
        AIGATE_BLOCK) {
      refuse(g, 400, "invalid_request_error", "content_policy_violation",
             "'%s' was blocked by the gateway's policy: %s", field, g->rules);
      return -1;
    }
  }
  return 0;
}

json_t *gw_guard_request(gw_guard *g, gw_route route, const char *body,
                         size_t len, gw_request_info *info) {
  memset(info, 0, sizeof(*info));
  json_error_t jerr;
  json_t *doc = json_loadb(body ? body : "", len,
                           JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
  if (!json_is_object(doc)) {
    if (doc)
      refuse(g, 400, "invalid_request_error", "invalid_json",
             "the request body must be a JSON object");
    else
      refuse(g, 400, "invalid_request_error", "invalid_json",
             "the request body is not valid JSON: %s (at byte %d)", jerr.text,
             jerr.position);
    goto refused;
  }
  json_t *model = json_object_get(doc, "model");
  if (!json_is_string(model) || json_string_length(model) == 0 ||
      json_string_length(model) > MAX_MODEL_NAME ||
      strlen(json_string_value(model)) != json_string_length(model)) {
    refuse(g, 400, "invalid_request_error", "invalid_model",
           "'model' must be a non-empty string of at most %d bytes",
           MAX_MODEL_NAME);
    goto refused;
  }
  info->model = json_string_value(model);
  json_t *stream = json_object_get(doc, "stream");
  if (stream && !json_is_boolean(stream) && !json_is_null(stream)) {
    refuse(g, 400, "invalid_request_error", "invalid_type",
           "'stream' must be a boolean");
    goto refused;
  }
  info->stream = json_is_true(stream) && route != GW_ROUTE_EMBEDDINGS;
  json_t *n = json_object_get(doc, "n");
  json_int_t nv = json_is_integer(n) ? json_integer_value(n) : 1;
  if ((n && !json_is_null(n) && !json_is_integer(n)) || nv < 1 ||
      nv > MAX_CHOICES) {
    refuse(g, 400, "invalid_request_error", "invalid_value",
           "'n' must be an integer between 1 and %d", MAX_CHOICES);
    goto refused;
  }
  info->n_choices = (int)nv;
  int rc;
  if (route == GW_ROUTE_CHAT)
    rc = guard_messages(g, json_object_get(doc, "messages"));
  else if (route == GW_ROUTE_COMPLETIONS)
    rc = guard_strings(g, "prompt", json_object_get(doc, "prompt"), 1);
  else
    rc = guard_strings(g, "input", json_object_get(doc, "input"), 1);
  if (rc)
    goto refused;
  if (info->stream) {
    /* Ask for usage so token counts are known for every request; the
     * extra chunk is dropped for clients that did not ask. */
    json_t *so = json_object_get(doc, "stream_options");
    if (so && !json_is_object(so) && !json_is_null(so)) {
      refuse(g, 400, "invalid_request_error", "invalid_type",
             "'stream_options' must be an object");
      goto refused;
    }
    if (!json_is_object(so)) {
      so = json_object();
      if (json_object_set_new(doc, "stream_options", so))
        goto nomem;
    }
    info->client_usage = json_is_true(json_object_get(so, "include_usage"));
    if (json_object_set_new(so, "include_usage", json_true()))
      goto nomem;
  }
  return doc;
nomem:
  refuse(g, 500, "server_error", "internal_error", "out of memory");
refused:
  json_decref(doc);
  memset(info, 0, sizeof(*info));
  return NULL;
}

int gw_guard_response(gw_guard *g, gw_route route, json_t *doc) {
  json_t *choices = json_object_get(doc, "choices");
  if (!json_is_array(choices)) {
    refuse(g, 502, "upstream_error", "upstream_invalid",
           "the upstream's reply has no choices");
    return -1;
  }
  const char *prof = g->cfg->output_profile;
  size_t i;
  json_t *ch;
  json_array_foreach(choices, i, ch) {
    aigate_action worst = AIGATE_ALLOW;
    json_t *msg = json_object_get(ch, "message");
    json_t *text = route == GW_ROUTE_CHAT ? json_object_get(msg, "content")
                                          : json_object_get(ch, "text");
    if (json_is_string(text)) {
      aigate_action a = scan_string(g, text, AIGATE_OUTPUT, prof, 0);
      worst = a > worst ? a : worst;
    }
    json_t *refusal = json_object_get(msg, "refusal");
    if (json_is_string(refusal)) {
      aigate_action a = scan_string(g, refusal, AIGATE_OUTPUT, prof, 0);
      worst = a > worst ? a : worst;
    }
    json_t *calls = json_object_get(msg, "tool_calls");
    size_t j;
    json_t *call;
    json_array_foreach(calls, j, call) {
      json_t *args =
          json_object_get(json_object_get(call, "function"), "arguments");
      if (json_is_string(args)) {
        aigate_action a = scan_string(g, args, AIGATE_OUTPUT, prof, 0);
        worst = a > worst ? a : worst;
      }
    }
    json_t *fc = json_object_get(msg, "function_call");
    json_t *fargs = json_object_get(fc, "arguments");
    if (json_is_string(fargs)) {
      aigate_action a = scan_string(g, fargs, AIGATE_OUTPUT, prof, 0);
      worst = a > worst ? a : worst;
    }
    if (worst >= AIGATE_REDACT) /* token log-probabilities would leak it */
      json_object_del(ch, "logprobs");
    if (worst == AIGATE_BLOCK) {
      if (msg) {
        json_object_set_new(msg, "content", json_string(GW_BLOCK_NOTICE));
        json_object_del(msg, "tool_calls");
        json_object_del(msg, "function_call");
        json_object_del(msg, "refusal");
      } else {
        json_object_set_new(ch, "text", json_string(GW_BLOCK_NOTICE));
      }
      json_object_set_new(ch, "finish_reason", json_string("content_filter"));
    }
  }
  return 0;
}

char *gw_guard_text(gw_guard *g, const char *text, size_t len,
                    size_t *out_len) {
  aigate_scan_options o = {AIGATE_OUTPUT, g->cfg->output_profile, 0};
  aigate_result res;
  if (!text)
    text = "";
  aigate_scan_ex(g->engine, g->scratch, text, len, &o, &res);
  if (gw_guard_note(g, res.verdict, res.flags, res.findings, res.n_findings,
                    0) == AIGATE_BLOCK)
    return NULL;
  char *red = NULL;
  if (aigate_redact(text, len, &res, &red, out_len)) {
    g->decision = AIGATE_BLOCK; /* cannot redact: never pass it in clear */
    return NULL;
  }
  return red;
}
