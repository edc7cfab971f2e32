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
 *
 * Which strings of a document are text, and which parts are media, is the
 * walk of openai_doc.c, the same one `aigate scan --as openai-*` uses:
 * this file holds the policies applied to what the walk finds.
 *
 * Agents (docs/output-security.md): a reply's tool calls are checked
 * against the tools the request declared (aigate_tool_check) before any
 * redaction; tool results can be spotlighted before they go upstream;
 * the system prompt can carry a canary, and replies are checked for
 * leaks of it (aigate_leak_*).
 */
#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "guard.h"
#include "jload.h"
#include "openai_doc.h"
#include "util.h"

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

/* Append id to a comma-separated list unless it is there or full.
 * Returns 1 when it was appended. */
static int add_id(char *list, size_t cap, const char *id) {
  size_t used = strlen(list);
  if (listed(list, id) || used + strlen(id) + 2 > cap)
    return 0;
  if (used)
    strcat(list, ",");
  strcat(list, id);
  return 1;
}

/* Append id to a list of rule ids (list, cap) and, when it was new, its
 * category and score beside it (cats, scores; n of them so far). */
static void name_rule(char *list, size_t cap, const char **cats, int *scores,
                      size_t *n, const char *id, const char *category,
                      int score) {
  if (add_id(list, cap, id) && *n < GW_GUARD_RULES) {
    cats[*n] = category;
    scores[(*n)++] = score;
  }
}

/* Name a rule behind the decision, with its category and score. */
static void add_rule(gw_guard *g, const char *id, const char *category,
                     int score) {
  name_rule(g->rules, sizeof(g->rules), g->rule_categories, g->rule_scores,
            &g->n_rules, id, category, score);
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
   * the redacting ones for a redaction; and, separately, the detect-only
   * findings that would have redacted or blocked. */
  for (size_t i = 0; i < n; i++) {
    if (f[i].mode == AIGATE_MODE_DETECT_ONLY && f[i].action >= AIGATE_REDACT)
      name_rule(g->detect_only, sizeof(g->detect_only), g->dry_categories,
                g->dry_scores, &g->n_dry, f[i].rule_id, f[i].category,
                f[i].score);
    else if (v >= AIGATE_REDACT && f[i].action == v &&
             f[i].mode == AIGATE_MODE_ENFORCE)
      add_rule(g, f[i].rule_id, f[i].category, f[i].score);
  }
  return v;
}

void gw_guard_each_rule(const gw_guard *g, int dry,
                        void (*fn)(void *ud, const char *id,
                                   const char *category, int score),
                        void *ud) {
  const char *list = dry ? g->detect_only : g->rules;
  if (!*list) /* most requests */
    return;
  char ids[sizeof(g->rules)];
  snprintf(ids, sizeof(ids), "%s", list);
  const char *const *cats = dry ? g->dry_categories : g->rule_categories;
  const int *scores = dry ? g->dry_scores : g->rule_scores;
  size_t i = 0, n = dry ? g->n_dry : g->n_rules;
  for (char *save, *t = strtok_r(ids, ",", &save); t;
       t = strtok_r(NULL, ",", &save), i++)
    fn(ud, t, i < n ? cats[i] : "gateway", i < n ? scores[i] : 0);
}

/* With pseudonymization on, a redacted finding of a category set to
 * "block" blocks instead. Returns the action. */
static aigate_action pseudo_block(gw_guard *g, const aigate_result *res,
                                  aigate_action v) {
  for (size_t i = 0; v == AIGATE_REDACT && i < res->n_findings; i++) {
    const aigate_finding *f = &res->findings[i];
    if (f->action != AIGATE_REDACT || f->mode != AIGATE_MODE_ENFORCE)
      continue;
    for (char **c = g->cfg->pseudo_block; *c; c++)
      if (!strcmp(*c, f->category)) {
        v = g->decision = AIGATE_BLOCK;
        add_rule(g, f->rule_id, f->category, f->score);
      }
  }
  return v;
}

/* Restore the request's placeholders in a string of the output. */
static void restore_string(gw_guard *g, json_t *str) {
  if (!g->pseudo || !aigate_pseudo_count(g->pseudo))
    return;
  char *out;
  size_t n;
  if (aigate_pseudo_restore(g->pseudo, json_string_value(str),
                            json_string_length(str), &out, &n) == 0) {
    if (n != json_string_length(str)) {
      json_string_setn_nocheck(str, out, n);
      g->changed = 1;
    }
    free(out);
  }
}

/* Scan the string held in a JSON value; redact it in place (input:
 * pseudonymize, when on). Returns the action taken (block means the
 * caller refuses or replaces). */
static aigate_action scan_string(gw_guard *g, json_t *str, aigate_direction dir,
                                 const char *profile, int trusted) {
  const char *text = json_string_value(str);
  size_t len = json_string_length(str);
  aigate_scan_options o = {dir, profile, 0};
  aigate_result res;
  aigate_scan_ex(g->engine, g->scratch, text, len, &o, &res);
  aigate_action v = gw_guard_note(g, res.verdict, res.flags, res.findings,
                                  res.n_findings, trusted);
  int pseudo = g->pseudo && dir == AIGATE_INPUT;
  if (pseudo)
    v = pseudo_block(g, &res, v);
  if (v == AIGATE_REDACT) {
    char *red;
    size_t rlen;
    int rc = pseudo
                 ? aigate_pseudonymize(g->pseudo, text, len, &res, &red, &rlen)
                 : aigate_redact(text, len, &res, &red, &rlen);
    if (rc == 0) {
      json_string_setn_nocheck(str, red, rlen);
      g->changed = 1;
      free(red);
    } else {
      v = AIGATE_BLOCK; /* cannot redact: never pass it in clear */
      g->decision = AIGATE_BLOCK;
    }
  }
  return v;
}

/* ----------------------------------------------------------- input */

/* The profile output is judged with: the key's, else the configured. */
static const char *out_profile(const gw_guard *g) {
  return g->profile ? g->profile : g->cfg->output_profile;
}

static const char *untrusted_profile(const gw_guard *g) {
  const gw_config *c = g->cfg;
  if (g->profile)
    return g->profile;
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

/* A message part that is not text: what it holds cannot be scanned, so
 * the media policy decides. Returns 0 to allow, or sets an error. */
static int media_part(gw_guard *g, const oai_media *m) {
  const gw_config *c = g->cfg;
  const char *type = m->type;
  json_t *part = m->part;
  if (c->media == GW_MEDIA_BLOCK) {
    refuse(g, 400, "invalid_request_error", "unsupported_content",
           "%s: parts of type '%s' are not allowed by this gateway's policy",
           m->path, type);
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
           "%s: an inline '%s' part is %zu bytes; the limit is %zu", m->path,
           type, inline_len, c->max_media_bytes);
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
             "%s: '%s' parts may only reference the gateway's allowed hosts",
             m->path, type);
      return -1;
    }
  }
  return 0;
}

/* Scan one text of a request by its role. Returns -1 when the request is
 * refused (the error is set). */
static int input_text(gw_guard *g, const oai_target *t, const char *field) {
  const char *role = t->role;
  g->input_bytes += json_string_length(t->str);
  int trusted = !strcmp(role, "system") || !strcmp(role, "developer") ||
                !strcmp(role, "assistant");
  int untrusted = !strcmp(role, "tool") || !strcmp(role, "function");
  const char *profile = untrusted    ? untrusted_profile(g)
                        : g->profile ? g->profile
                                     : g->cfg->input_profile;
  if (scan_string(g, t->str, AIGATE_INPUT, profile, trusted) != AIGATE_BLOCK)
    return 0;
  if (!strcmp(field, "messages"))
    refuse(g, 400, "invalid_request_error", "content_policy_violation",
           "messages[%zu] (%s) was blocked by the gateway's policy: %s",
           t->item, role, g->rules);
  else
    refuse(g, 400, "invalid_request_error", "content_policy_violation",
           "'%s' was blocked by the gateway's policy: %s", field, g->rules);
  return -1;
}

/*
 * Guard the texts and media parts of a request (openai_doc.c finds them)
 * in document order; the first refusal ends it. A shape error is refused
 * after what comes before it was guarded, so that a request that is an
 * attack and malformed further on is refused, and logged, as the attack.
 */
static int guard_input(gw_guard *g, gw_route route, json_t *doc) {
  const gw_config *c = g->cfg;
  oai_kind kind = route == GW_ROUTE_CHAT          ? OAI_CHAT
                  : route == GW_ROUTE_COMPLETIONS ? OAI_COMPLETION
                                                  : OAI_EMBEDDING;
  const char *field = kind == OAI_CHAT         ? "messages"
                      : kind == OAI_COMPLETION ? "prompt"
                                               : "input";
  size_t items = json_array_size(json_object_get(doc, field));
  if (items > c->max_messages) {
    if (kind == OAI_CHAT)
      refuse(g, 400, "invalid_request_error", "too_many_messages",
             "%zu messages; this gateway accepts at most %zu", items,
             c->max_messages);
    else
      refuse(g, 400, "invalid_request_error", "too_many_inputs",
             "'%s' has %zu items; the limit is %zu", field, items,
             c->max_messages);
    return -1;
  }
  /* The worker's scratch served other requests: this one's allow-list,
   * not a list another request set (and may have freed since). */
  aigate_scratch_allow_hosts(g->scratch, g->allow_hosts, g->n_allow_hosts);
  oai_targets ts = {0};
  int rc = oai_collect(&ts, doc, kind, OAI_STRICT | OAI_UNCAPPED);
  int refused = 0;
  size_t i = 0, m = 0;
  while (!refused && (i < ts.n || m < ts.n_media)) {
    if (m < ts.n_media && ts.media[m].at <= i)
      refused = media_part(g, &ts.media[m++]);
    else
      refused = input_text(g, &ts.t[i++], field);
  }
  if (!refused && rc == OAI_ENOMEM) {
    refuse(g, 500, "server_error", "internal_error", "out of memory");
    refused = -1;
  } else if (!refused && rc) {
    refuse(g, 400, "invalid_request_error", "invalid_type", "%s", ts.err);
    refused = -1;
  }
  oai_targets_free(&ts);
  return refused;
}

/* ------------------------------------------------------ prompt leaks */

/* The deployment secret behind the canaries: random per process, so
 * that a canary cannot be predicted (one process is one deployment;
 * instances behind a load balancer each check their own). */
static unsigned char canary_key[32];
static pthread_once_t canary_once = PTHREAD_ONCE_INIT;

static void canary_init(void) {
  if (sodium_init() < 0)
    abort(); /* libsodium cannot run: nothing secure can */
  randombytes_buf(canary_key, sizeof(canary_key));
}

static int is_system(const json_t *m) {
  const char *role = json_string_value(json_object_get(m, "role"));
  return role && (!strcmp(role, "system") || !strcmp(role, "developer"));
}

/* The canaries of a second, as a thread last worked them out: every
 * request of that second has the same ones (each costs two keyed
 * hashes, and a request needs them twice). */
static _Thread_local struct {
  int set;
  uint64_t now, period;
  size_t n;
  char c[2][AIGATE_CANARY_SIZE];
} last_canaries;

/* The canaries of this period and the previous one (a reply may finish
 * after the period changed). Returns how many (0 when off). */
static size_t canaries(gw_guard *g, char out[2][AIGATE_CANARY_SIZE]) {
  aigate_leak_policy lp;
  aigate_config_leak(aigate_engine_config(g->engine), out_profile(g), &lp);
  if (!lp.canary)
    return 0;
  uint64_t now = (uint64_t)time(NULL);
  if (!last_canaries.set || last_canaries.now != now ||
      last_canaries.period != lp.rotate_seconds) {
    pthread_once(&canary_once, canary_init);
    char(*c)[AIGATE_CANARY_SIZE] = last_canaries.c;
    aigate_canary(canary_key, sizeof(canary_key), now, lp.rotate_seconds, c[0]);
    last_canaries.n = 1;
    if (lp.rotate_seconds && now >= lp.rotate_seconds) {
      aigate_canary(canary_key, sizeof(canary_key), now - lp.rotate_seconds,
                    lp.rotate_seconds, c[1]);
      last_canaries.n = 2;
    }
    last_canaries.now = now;
    last_canaries.period = lp.rotate_seconds;
    last_canaries.set = 1;
  }
  memcpy(out, last_canaries.c, last_canaries.n * AIGATE_CANARY_SIZE);
  return last_canaries.n;
}

/* Append the canary to the end of the last system or developer message
 * (a string, or a list of parts: one more text part). */
static int add_canary(gw_guard *g, json_t *messages) {
  char c[2][AIGATE_CANARY_SIZE];
  if (!canaries(g, c))
    return 0;
  json_t *last = NULL, *m;
  size_t i;
  json_array_foreach(messages, i, m) if (is_system(m)) last = m;
  json_t *content = json_object_get(last, "content");
  char tail[AIGATE_CANARY_SIZE + 4];
  snprintf(tail, sizeof(tail), "\n\n%s", c[0]);
  if (json_is_string(content)) {
    size_t n = json_string_length(content);
    char *s = malloc(n + strlen(tail) + 1);
    if (!s)
      return -1;
    memcpy(s, json_string_value(content), n);
    memcpy(s + n, tail, strlen(tail) + 1);
    int rc = json_string_setn_nocheck(content, s, n + strlen(tail));
    free(s);
    if (rc)
      return -1;
  } else if (json_is_array(content)) {
    if (json_array_append_new(
            content, json_pack("{s:s, s:s}", "type", "text", "text", tail + 2)))
      return -1;
  } else {
    return 0;
  }
  g->changed = 1;
  return 0;
}

/* Replace a JSON string with its spotlighted copy. */
static int mark_string(aigate_spotlight mode, json_t *str) {
  char *m;
  size_t n;
  if (aigate_spotlight_apply(mode, json_string_value(str),
                             json_string_length(str), &m, &n))
    return -1;
  int rc = json_string_setn_nocheck(str, m, n);
  free(m);
  return rc;
}

/* Append text to a message's content (a string, or parts: one more text
 * part). Returns 1 when done, 0 when the content is neither. */
static int append_text(json_t *msg, const char *text) {
  json_t *content = json_object_get(msg, "content");
  if (json_is_array(content))
    return json_array_append_new(
               content, json_pack("{s:s, s:s}", "type", "text", "text", text))
               ? -1
               : 1;
  if (!json_is_string(content))
    return 0;
  size_t n = json_string_length(content), t = strlen(text);
  char *s = malloc(n + t + 3);
  if (!s)
    return -1;
  memcpy(s, json_string_value(content), n);
  memcpy(s + n, "\n\n", 2);
  memcpy(s + n + 2, text, t + 1);
  int rc = json_string_setn_nocheck(content, s, n + t + 2);
  free(s);
  return rc ? -1 : 1;
}

/*
 * Spotlighting (the untrusted profile's spotlight:): tool and function
 * results are marked (aigate_spotlight_apply), after they were scanned,
 * and the system prompt says what the marking means (a system message is
 * added first when there is none).
 */
static int spotlight(gw_guard *g, json_t *messages) {
  aigate_spotlight mode;
  aigate_config_spotlight(aigate_engine_config(g->engine), untrusted_profile(g),
                          &mode);
  if (mode == AIGATE_SPOTLIGHT_OFF)
    return 0;
  int marked = 0;
  json_t *m, *last_system = NULL;
  size_t i;
  json_array_foreach(messages, i, m) {
    const char *role = json_string_value(json_object_get(m, "role"));
    if (is_system(m))
      last_system = m;
    if (!role || (strcmp(role, "tool") && strcmp(role, "function")))
      continue;
    json_t *content = json_object_get(m, "content"), *part;
    size_t k;
    if (json_is_string(content)) {
      if (mark_string(mode, content))
        return -1;
      marked = 1;
    }
    json_array_foreach(content, k, part) {
      json_t *t = json_object_get(part, "text");
      if (json_is_string(t)) {
        if (mark_string(mode, t))
          return -1;
        marked = 1;
      }
    }
  }
  if (!marked)
    return 0;
  g->changed = 1;
  const char *instr = aigate_spotlight_instruction(mode);
  int rc = last_system ? append_text(last_system, instr) : 0;
  if (rc < 0)
    return -1;
  if (rc == 0 && json_array_insert_new(messages, 0,
                                       json_pack("{s:s, s:s}", "role", "system",
                                                 "content", instr)))
    return -1;
  return 0;
}

/* What a request's leak index is built from: its system and developer
 * messages' text in *prompt, the canaries in c. Returns how many
 * canaries, or -1 when there is nothing to check: the checks are off, or
 * the request has neither a system prompt nor canaries. */
static int leak_inputs(gw_guard *g, ag_buf *prompt,
                       char c[2][AIGATE_CANARY_SIZE]) {
  aigate_leak_policy lp;
  aigate_config_leak(aigate_engine_config(g->engine), out_profile(g), &lp);
  size_t nc = canaries(g, c);
  if (!nc && !lp.overlap_pct)
    return -1;
  json_t *m;
  size_t i;
  json_array_foreach(g->messages, i, m) {
    if (!is_system(m))
      continue;
    json_t *content = json_object_get(m, "content"), *part;
    size_t k;
    if (json_is_string(content))
      ag_buf_append(prompt, json_string_value(content),
                    json_string_length(content));
    json_array_foreach(content, k, part) {
      json_t *t = json_object_get(part, "text");
      if (json_is_string(t))
        ag_buf_append(prompt, json_string_value(t), json_string_length(t));
      ag_buf_putc(prompt, '\n');
    }
    ag_buf_putc(prompt, '\n');
  }
  return prompt->len || nc ? (int)nc : -1;
}

/* The index of leak_inputs' prompt and nc canaries. */
static int leak_build(const ag_buf *prompt, char c[2][AIGATE_CANARY_SIZE],
                      int nc, aigate_leak **out) {
  const char *const cs[2] = {c[0], c[1]};
  return aigate_leak_new(prompt->data ? prompt->data : "", prompt->len, cs,
                         (size_t)nc, out)
             ? -1
             : 0;
}

int gw_guard_leak(gw_guard *g, aigate_leak **out) {
  *out = NULL;
  ag_buf prompt = {0};
  char c[2][AIGATE_CANARY_SIZE];
  int nc = leak_inputs(g, &prompt, c);
  int rc = prompt.failed ? -1 : 0;
  if (!rc && nc >= 0)
    rc = leak_build(&prompt, c, nc, out);
  ag_buf_free(&prompt);
  return rc;
}

/* The leak index a thread built last, and what it was built from: an
 * application sends the same system prompt with every request, and the
 * canaries change once a period, so most requests find theirs here
 * instead of building it again. Only prompts up to LEAK_MEMO_MAX bytes
 * are kept for comparing. */
#define LEAK_MEMO_MAX (64u << 10)
static _Thread_local struct {
  aigate_leak *lk;
  int keyed; /* the fields below say what lk was built from */
  char *prompt;
  size_t len;
  int nc;
  char c[2][AIGATE_CANARY_SIZE];
} leak_memo;

void gw_guard_thread_end(void) {
  aigate_leak_free(leak_memo.lk);
  free(leak_memo.prompt);
  memset(&leak_memo, 0, sizeof(leak_memo));
}

/* gw_guard_leak's index, lent from the thread's memo: valid until the
 * thread's next call, never freed by the caller. */
static int leak_lent(gw_guard *g, const aigate_leak **out) {
  *out = NULL;
  ag_buf prompt = {0};
  char c[2][AIGATE_CANARY_SIZE];
  int nc = leak_inputs(g, &prompt, c);
  if (prompt.failed || nc < 0) {
    int rc = prompt.failed ? -1 : 0;
    ag_buf_free(&prompt);
    return rc;
  }
  if (leak_memo.keyed && leak_memo.len == prompt.len && leak_memo.nc == nc &&
      !memcmp(leak_memo.c, c, (size_t)nc * AIGATE_CANARY_SIZE) &&
      (!prompt.len || !memcmp(leak_memo.prompt, prompt.data, prompt.len))) {
    ag_buf_free(&prompt);
    *out = leak_memo.lk;
    return 0;
  }
  aigate_leak *lk;
  if (leak_build(&prompt, c, nc, &lk)) {
    ag_buf_free(&prompt);
    return -1;
  }
  gw_guard_thread_end(); /* the memo's earlier index */
  leak_memo.lk = lk;
  if (prompt.len <= LEAK_MEMO_MAX) {
    leak_memo.keyed = 1;
    leak_memo.prompt = prompt.data; /* the buffer is the memo's now */
    leak_memo.len = prompt.len;
    leak_memo.nc = nc;
    memcpy(leak_memo.c, c, sizeof(c));
  } else {
    ag_buf_free(&prompt);
  }
  *out = lk;
  return 0;
}

aigate_action gw_guard_leak_note(gw_guard *g, const aigate_leak_result *r) {
  if (!r->leak)
    return AIGATE_ALLOW;
  aigate_leak_policy lp;
  aigate_config_leak(aigate_engine_config(g->engine), out_profile(g), &lp);
  add_rule(g, r->canary ? "leak-canary" : "leak-system-prompt", "gateway", 0);
  if (lp.action > g->decision)
    g->decision = lp.action;
  return lp.action;
}

/* Check the texts of one choice for a leak of the system prompt. */
static aigate_action choice_leak(gw_guard *g, const aigate_leak *lk,
                                 const oai_targets *ts, size_t from,
                                 size_t to) {
  aigate_leak_policy lp;
  aigate_config_leak(aigate_engine_config(g->engine), out_profile(g), &lp);
  aigate_leak_scan *sc;
  if (aigate_leak_scan_new(lk, &sc))
    return AIGATE_BLOCK; /* out of memory: never a silent pass */
  aigate_leak_result r = {0};
  for (size_t i = from; i < to; i++) {
    json_t *s = ts->t[i].str;
    aigate_leak_scan_feed(sc, json_string_value(s), json_string_length(s), 1,
                          lp.overlap_pct, &r);
  }
  aigate_leak_scan_free(sc);
  return gw_guard_leak_note(g, &r);
}

/* The names of the tools a request declares, for the key's tool scope:
 * "tools": [{"type": "function", "function": {"name": ...}}] and the
 * older "functions": [{"name": ...}]. A declared tool without a name
 * cannot be checked, so it is refused. */
static int declared_tools(gw_guard *g, json_t *doc, gw_request_info *info) {
  static const char *const fields[] = {"tools", "functions"};
  for (size_t f = 0; f < 2; f++) {
    json_t *arr = json_object_get(doc, fields[f]);
    if (!arr || json_is_null(arr))
      continue;
    if (!json_is_array(arr)) {
      refuse(g, 400, "invalid_request_error", "invalid_type",
             "'%s' must be an array", fields[f]);
      return -1;
    }
    size_t i;
    json_t *t;
    json_array_foreach(arr, i, t) {
      json_t *fn = f == 0 ? json_object_get(t, "function") : t;
      const char *name = json_string_value(json_object_get(fn, "name"));
      if (f == 0 && json_is_object(t) && !fn) /* a built-in tool type */
        name = json_string_value(json_object_get(t, "type"));
      if (!name || !*name) {
        refuse(g, 400, "invalid_request_error", "invalid_value",
               "%s[%zu] has no name", fields[f], i);
        return -1;
      }
      if (info->n_tools == GW_MAX_TOOLS) {
        refuse(g, 400, "invalid_request_error", "too_many_tools",
               "a request may declare at most %d tools", GW_MAX_TOOLS);
        return -1;
      }
      info->tools[info->n_tools++] = name;
    }
  }
  return 0;
}

static int max_tokens(gw_guard *g, json_t *doc, gw_request_info *info) {
  static const char *const fields[] = {"max_tokens", "max_completion_tokens"};
  for (size_t f = 0; f < 2; f++) {
    json_t *v = json_object_get(doc, fields[f]);
    if (!v || json_is_null(v))
      continue;
    if (!json_is_integer(v) || json_integer_value(v) < 0) {
      refuse(g, 400, "invalid_request_error", "invalid_type",
             "'%s' must be a non-negative integer", fields[f]);
      return -1;
    }
    if (json_integer_value(v) > info->max_tokens)
      info->max_tokens = json_integer_value(v);
  }
  return 0;
}

json_t *gw_parse_request(gw_guard *g, gw_route route, const char *body,
                         size_t len, gw_request_info *info) {
  memset(info, 0, sizeof(*info));
  json_error_t jerr;
  json_t *doc = gw_json_load(body ? body : "", len,
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
  if (declared_tools(g, doc, info) || max_tokens(g, doc, info))
    goto refused;
  return doc;
refused:
  json_decref(doc);
  memset(info, 0, sizeof(*info));
  return NULL;
}

int gw_guard_input(gw_guard *g, gw_route route, json_t *doc,
                   gw_request_info *info) {
  if (guard_input(g, route, doc))
    return -1;
  g->tools = json_object_get(doc, "tools");
  g->functions = json_object_get(doc, "functions");
  g->messages = json_object_get(doc, "messages");
  /* The canary goes last: it ends the system prompt. */
  if (route == GW_ROUTE_CHAT && (spotlight(g, (json_t *)g->messages) ||
                                 add_canary(g, (json_t *)g->messages)))
    goto nomem;
  if (info->stream) {
    /* Ask for usage so token counts are known for every request; the
     * extra chunk is dropped for clients that did not ask. */
    json_t *so = json_object_get(doc, "stream_options");
    if (so && !json_is_object(so) && !json_is_null(so)) {
      refuse(g, 400, "invalid_request_error", "invalid_type",
             "'stream_options' must be an object");
      return -1;
    }
    if (!json_is_object(so)) {
      g->changed = 1;
      so = json_object();
      if (json_object_set_new(doc, "stream_options", so))
        goto nomem;
    }
    info->client_usage = json_is_true(json_object_get(so, "include_usage"));
    if (!info->client_usage) {
      if (json_object_set_new(so, "include_usage", json_true()))
        goto nomem;
      g->changed = 1;
    }
  }
  return 0;
nomem:
  refuse(g, 500, "server_error", "internal_error", "out of memory");
  return -1;
}

json_t *gw_guard_request(gw_guard *g, gw_route route, const char *body,
                         size_t len, gw_request_info *info) {
  json_t *doc = gw_parse_request(g, route, body, len, info);
  if (doc && gw_guard_input(g, route, doc, info)) {
    json_decref(doc);
    memset(info, 0, sizeof(*info));
    return NULL;
  }
  return doc;
}

int gw_guard_tool_allowed(gw_guard *g, const char *name) {
  if (!g->tools_limited)
    return 1;
  for (size_t i = 0; name && i < g->n_allowed_tools; i++)
    if (!strcmp(g->allowed_tools[i], name) || !strcmp(g->allowed_tools[i], "*"))
      return 1;
  g->decision = AIGATE_BLOCK;
  add_rule(g, "key.tool_not_allowed", "gateway", 0);
  return 0;
}

/* A blocked choice keeps its shape: the notice stands for its text, its
 * tool calls go, and finish_reason says "content_filter", as at the end of
 * a blocked stream. */
static void block_choice(json_t *ch) {
  static const char *const holders[] = {"message", "delta"};
  int had_message = 0;
  for (size_t k = 0; k < sizeof(holders) / sizeof(*holders); k++) {
    json_t *msg = json_object_get(ch, holders[k]);
    if (!json_is_object(msg))
      continue;
    had_message = 1;
    json_object_set_new(msg, "content", json_string(GW_BLOCK_NOTICE));
    json_object_del(msg, "tool_calls");
    json_object_del(msg, "function_call");
    json_object_del(msg, "refusal");
  }
  if (!had_message || json_object_get(ch, "text"))
    json_object_set_new(ch, "text", json_string(GW_BLOCK_NOTICE));
  json_object_set_new(ch, "finish_reason", json_string("content_filter"));
}

/* Every tool call of a choice names a tool the key allows. */
static int choice_tools_allowed(gw_guard *g, json_t *ch) {
  json_t *msg = json_object_get(ch, "message");
  size_t i;
  json_t *tc;
  json_array_foreach(json_object_get(msg, "tool_calls"), i, tc) {
    json_t *fn = json_object_get(tc, "function");
    if (!gw_guard_tool_allowed(g,
                               json_string_value(json_object_get(fn, "name"))))
      return 0;
  }
  json_t *fc = json_object_get(msg, "function_call");
  return !fc || gw_guard_tool_allowed(
                    g, json_string_value(json_object_get(fc, "name")));
}

aigate_action gw_guard_tool_call(gw_guard *g, const char *name,
                                 const char *args, size_t len) {
  /* The declaration of the tool called: a tools[] entry, or a legacy
   * functions[] one. */
  const json_t *decl = NULL, *e;
  size_t i;
  json_array_foreach(g->tools, i, e) {
    const char *n = json_string_value(
        json_object_get(json_object_get(e, "function"), "name"));
    if (!decl && name && n && !strcmp(n, name))
      decl = e;
  }
  json_array_foreach(g->functions, i, e) {
    const char *n = json_string_value(json_object_get(e, "name"));
    if (!decl && name && n && !strcmp(n, name))
      decl = e;
  }
  if (!decl && (json_array_size(g->tools) || json_array_size(g->functions))) {
    add_rule(g, "tool-undeclared", "gateway", 0);
    g->decision = AIGATE_BLOCK;
    return AIGATE_BLOCK;
  }
  char *text = decl ? json_dumps(decl, JSON_COMPACT) : NULL;
  aigate_tool_call call = {
      name, args, len, text, text ? strlen(text) : 0, out_profile(g)};
  aigate_tool_result res;
  memset(&res, 0, sizeof(res));
  res.invalid = 1; /* out of memory: refused */
  if (!decl || text)
    aigate_tool_check(g->engine, g->scratch, &call, &res);
  free(text);
  if (res.invalid) {
    add_rule(g, "tool-arguments-invalid", "gateway", 0);
    g->decision = AIGATE_BLOCK;
    return AIGATE_BLOCK;
  }
  return gw_guard_note(g, res.verdict, res.flags, res.findings, res.n_findings,
                       0);
}

/* Check the tool calls of a choice; 1 when one must be blocked. */
static int tool_calls_blocked(gw_guard *g, json_t *ch) {
  static const char *const holders[] = {"message", "delta"};
  for (size_t k = 0; k < 2; k++) {
    json_t *msg = json_object_get(ch, holders[k]);
    size_t i;
    json_t *tc;
    json_array_foreach(json_object_get(msg, "tool_calls"), i, tc) {
      json_t *fn = json_object_get(tc, "function");
      json_t *args = json_object_get(fn, "arguments");
      if (gw_guard_tool_call(g, json_string_value(json_object_get(fn, "name")),
                             json_string_value(args),
                             json_string_length(args)) == AIGATE_BLOCK)
        return 1;
    }
    json_t *fc = json_object_get(msg, "function_call");
    if (json_is_object(fc)) {
      json_t *args = json_object_get(fc, "arguments");
      if (gw_guard_tool_call(g, json_string_value(json_object_get(fc, "name")),
                             json_string_value(args),
                             json_string_length(args)) == AIGATE_BLOCK)
        return 1;
    }
  }
  return 0;
}

int gw_guard_response(gw_guard *g, gw_route route, json_t *doc) {
  (void)route; /* a choice's message and text are guarded on every route */
  /* The worker's scratch serves other requests between scans: the key's
   * allow-list is set before every output scan of this one. */
  aigate_scratch_allow_hosts(g->scratch, g->allow_hosts, g->n_allow_hosts);
  oai_targets ts = {0};
  int rc = oai_collect(&ts, doc, OAI_RESPONSE, OAI_TOLERANT | OAI_UNCAPPED);
  if (rc) {
    if (rc == OAI_ENOMEM)
      refuse(g, 500, "server_error", "internal_error", "out of memory");
    else
      refuse(g, 502, "upstream_error", "upstream_invalid",
             "the upstream's reply has no choices");
    oai_targets_free(&ts);
    return -1;
  }
  /* The targets come choice by choice: each choice's texts are scanned,
   * then what they decide is done to that choice. */
  json_t *choices = json_object_get(doc, "choices");
  const char *prof = g->profile ? g->profile : g->cfg->output_profile;
  const aigate_leak *lk;
  int leak_failed = leak_lent(g, &lk) != 0;
  for (size_t i = 0; i < ts.n;) {
    size_t item = ts.t[i].item, first = i;
    json_t *ch = json_array_get(choices, item);
    /* Tool calls are checked as the model wrote them, before redactions
     * (an IP address redacted as personal data is still the metadata
     * endpoint the call would reach). */
    aigate_action worst =
        tool_calls_blocked(g, ch) ? AIGATE_BLOCK : AIGATE_ALLOW;
    for (; i < ts.n && ts.t[i].item == item; i++) {
      aigate_action a = scan_string(g, ts.t[i].str, AIGATE_OUTPUT, prof, 0);
      worst = a > worst ? a : worst;
      restore_string(g, ts.t[i].str);
    }
    if (g->tools_limited && !choice_tools_allowed(g, ch))
      worst = AIGATE_BLOCK;
    if (leak_failed ||
        (lk && choice_leak(g, lk, &ts, first, i) == AIGATE_BLOCK)) {
      worst = AIGATE_BLOCK; /* out of memory: never a silent pass */
      g->decision = AIGATE_BLOCK;
    }
    if (worst >= AIGATE_REDACT) { /* token log-probabilities would leak it */
      json_object_del(ch, "logprobs");
      g->changed = 1;
    }
    if (worst == AIGATE_BLOCK) {
      block_choice(ch);
      g->changed = 1;
    }
  }
  oai_targets_free(&ts);
  return 0;
}

char *gw_guard_text(gw_guard *g, const char *text, size_t len,
                    size_t *out_len) {
  aigate_scratch_allow_hosts(g->scratch, g->allow_hosts, g->n_allow_hosts);
  aigate_scan_options o = {AIGATE_OUTPUT,
                           g->profile ? g->profile : g->cfg->output_profile, 0};
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
  if (g->pseudo && aigate_pseudo_count(g->pseudo)) {
    char *back;
    if (aigate_pseudo_restore(g->pseudo, red, *out_len, &back, out_len)) {
      free(red);
      g->decision = AIGATE_BLOCK;
      return NULL;
    }
    free(red);
    red = back;
  }
  return red;
}
