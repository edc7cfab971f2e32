/*
 * relay.c -- streamed output: the upstream's server-sent events in, a
 * guarded stream of the same shape out.
 *
 * Each choice's text goes through its own aigate_stream, which releases
 * text as soon as no rule could still match across it and holds back what
 * might be the start of a secret until the match completes or is ruled
 * out (libaigate's stream.c). Released text is re-emitted in chunks with
 * the upstream's envelope (id, created, model). Tool calls are assembled
 * from their fragments and released only when the choice finishes and the
 * complete arguments have been scanned and checked against the tool the
 * request declared (gw_guard_tool_call), each within tool_call_max_bytes:
 * a blocked call ends the choice with content_filter, never in part. Text
 * is checked for leaks of the system prompt before it is sent.
 *
 * Ending: a choice that must be blocked gets a final chunk with
 * finish_reason "content_filter"; the stream always ends with `data:
 * [DONE]`. When the upstream dies mid-stream, what was held is scanned
 * and released, then an error event tells the client the reply is
 * incomplete (the OpenAI SDKs raise it as an APIError) before [DONE].
 * The usage chunk the gateway asked for is passed on only to clients that
 * asked for it themselves. Token log-probabilities are not relayed: they
 * would spell out text that the guards hold back or redact.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway.h"
#include "metrics.h"
#include "sse.h"

#define MAX_CHOICES 128
#define MAX_TOOLS 64
#define MAX_EVENT ((size_t)1 << 20)

typedef struct {
  char *id, *name;
  ag_buf args;
} tool_acc;

typedef struct {
  aigate_stream *st;
  aigate_unpseudo un;     /* placeholders restored, also when split */
  aigate_leak_scan *leak; /* system-prompt leak check of its text */
  int closed;
  tool_acc *tools;
  size_t n_tools;
  ag_buf refusal;
} choice_state;

struct gw_relay {
  gw_sse *sse;
  choice_state *ch;
  size_t n_ch;
  json_t *envelope; /* id, created, model, system_fingerprint */
  json_t *usage;
  size_t n_closed;
  int saw_done, ended, failed;
  aigate_leak *leak; /* the request's system prompt, for leak checks */
  int leak_ready;
};

static const char *profile(const gw_req *r) {
  return r->g.profile ? r->g.profile : r->rt->cfg->output_profile;
}

static void emit_raw(gw_req *r, const char *s) {
  gw_out_append(r, "data: ", 6);
  gw_out_append(r, s, strlen(s));
  gw_out_append(r, "\n\n", 2);
}

static void emit_json(gw_req *r, json_t *doc) {
  char *s = json_dumps(doc, JSON_COMPACT);
  if (s)
    emit_raw(r, s);
  free(s);
  json_decref(doc);
}

/* A chunk with one choice: delta (chat) or text (completions). */
static void emit_choice(gw_req *r, size_t index, json_t *delta,
                        const char *finish) {
  gw_relay *rl = r->relay;
  json_t *c = json_object();
  json_object_set_new(c, "index", json_integer((json_int_t)index));
  if (r->route == GW_ROUTE_CHAT) {
    json_object_set_new(c, "delta", delta ? delta : json_object());
  } else {
    json_t *t = delta ? json_object_get(delta, "content") : NULL;
    json_object_set_new(c, "text", t ? json_incref(t) : json_string(""));
    json_decref(delta);
  }
  json_object_set_new(c, "finish_reason",
                      finish ? json_string(finish) : json_null());
  json_t *doc = json_deep_copy(rl->envelope);
  if (!doc)
    doc = json_object();
  json_object_set_new(doc, "object",
                      json_string(r->route == GW_ROUTE_CHAT
                                      ? "chat.completion.chunk"
                                      : "text_completion"));
  json_object_set_new(doc, "choices", json_pack("[o]", c));
  emit_json(r, doc);
}

static void emit_text(gw_req *r, size_t index, const char *text, size_t len) {
  if (!len)
    return;
  emit_choice(r, index, json_pack("{s:s%}", "content", text, len), NULL);
}

/* Text of choice i with the request's placeholders restored; a
 * placeholder cut at the end of a piece waits for the next. */
static void emit_restored(gw_req *r, size_t i, const char *text, size_t len,
                          int final) {
  aigate_pseudo *p = r->g.pseudo;
  if (!p || !aigate_pseudo_count(p)) {
    emit_text(r, i, text, len);
    return;
  }
  choice_state *c = &r->relay->ch[i];
  if (!c->un.map)
    aigate_unpseudo_init(&c->un, p);
  char *o;
  size_t n;
  if (aigate_unpseudo_write(&c->un, text, len, final, &o, &n)) {
    emit_text(r, i, text, len); /* out of memory: placeholders stay */
    return;
  }
  emit_text(r, i, o, n);
  free(o);
}

static void close_choice(gw_req *r, size_t i, const char *finish) {
  gw_relay *rl = r->relay;
  choice_state *c = &rl->ch[i];
  if (c->closed)
    return;
  c->closed = 1;
  rl->n_closed++;
  emit_choice(r, i, NULL, finish);
}

static choice_state *choice(gw_relay *rl, size_t i) {
  if (i >= MAX_CHOICES)
    return NULL;
  if (i >= rl->n_ch) {
    choice_state *n = realloc(rl->ch, (i + 1) * sizeof(*n));
    if (!n)
      return NULL;
    memset(n + rl->n_ch, 0, (i + 1 - rl->n_ch) * sizeof(*n));
    rl->ch = n;
    rl->n_ch = i + 1;
  }
  return &rl->ch[i];
}

/* Does the text released so far leak the system prompt (with what this
 * call released)? Checked before the text is sent: a canary written in
 * one piece never reaches the client. */
static int leaks(gw_req *r, choice_state *c, const aigate_stream_out *out,
                 int final) {
  gw_relay *rl = r->relay;
  if (!rl->leak_ready) {
    rl->leak_ready = gw_guard_leak(&r->g, &rl->leak) ? -1 : 1;
  }
  if (rl->leak_ready < 0) {
    r->g.decision = AIGATE_BLOCK; /* out of memory: never a silent pass */
    return 1;
  }
  if (!rl->leak || (!out->len && !final))
    return 0;
  aigate_leak_policy lp;
  aigate_config_leak(aigate_engine_config(r->rt->engine),
                     r->rt->cfg->output_profile, &lp);
  aigate_leak_result lr;
  if ((!c->leak && aigate_leak_scan_new(rl->leak, &c->leak)) ||
      aigate_leak_scan_feed(c->leak, out->text, out->len, final, lp.overlap_pct,
                            &lr)) {
    r->g.decision = AIGATE_BLOCK; /* never a silent pass */
    return 1;
  }
  return gw_guard_leak_note(&r->g, &lr) == AIGATE_BLOCK;
}

/* Text of choice i through its stream scanner. */
static void feed_text(gw_req *r, size_t i, const char *text, size_t len,
                      int final) {
  choice_state *c = &r->relay->ch[i];
  if (c->closed)
    return;
  if (!c->st) {
    aigate_scan_options o = {AIGATE_OUTPUT, profile(r), 0};
    if (aigate_stream_new(r->rt->engine, &o, r->rt->cfg->stream_hold_max,
                          &c->st) ||
        aigate_stream_allow_hosts(c->st, r->g.allow_hosts,
                                  r->g.n_allow_hosts)) {
      r->g.decision = AIGATE_BLOCK;
      close_choice(r, i, "content_filter");
      return;
    }
  }
  aigate_stream_out out;
  int rc = final ? aigate_stream_finish(c->st, r->scratch, &out)
                 : aigate_stream_write(c->st, r->scratch, text, len, &out);
  if (rc && !(out.flags & AIGATE_FLAG_FAILED)) {
    out.verdict = AIGATE_BLOCK; /* fail closed on a bad call too */
    out.flags |= AIGATE_FLAG_FAILED;
  }
  (void)gw_guard_note(&r->g, out.verdict, out.flags, out.findings,
                      out.n_findings, 0);
  if (out.verdict != AIGATE_BLOCK && leaks(r, c, &out, final)) {
    close_choice(r, i, "content_filter");
    return;
  }
  emit_restored(r, i, out.text, out.len, final || out.verdict == AIGATE_BLOCK);
  if (out.verdict == AIGATE_BLOCK)
    close_choice(r, i, "content_filter");
}

static int tool_fragment(gw_req *r, choice_state *c, json_t *tc) {
  json_t *jidx = json_object_get(tc, "index");
  size_t k = json_is_integer(jidx) ? (size_t)json_integer_value(jidx) : 0;
  if (k >= MAX_TOOLS)
    return -1;
  if (k >= c->n_tools) {
    tool_acc *n = realloc(c->tools, (k + 1) * sizeof(*n));
    if (!n)
      return -1;
    memset(n + c->n_tools, 0, (k + 1 - c->n_tools) * sizeof(*n));
    c->tools = n;
    c->n_tools = k + 1;
  }
  tool_acc *t = &c->tools[k];
  const char *id = json_string_value(json_object_get(tc, "id"));
  json_t *fn = json_object_get(tc, "function");
  const char *name = json_string_value(json_object_get(fn, "name"));
  json_t *args = json_object_get(fn, "arguments");
  if (id && !t->id)
    t->id = strdup(id);
  if (name && !t->name)
    t->name = strdup(name);
  if (json_is_string(args)) {
    size_t n = json_string_length(args);
    if (t->args.len + n > r->rt->cfg->tool_call_max_bytes)
      return -1;
    ag_buf_append(&t->args, json_string_value(args), n);
  }
  return t->args.failed ? -1 : 0;
}

/* The choice ended upstream: flush its text, release its tool calls. */
static void finish_choice(gw_req *r, size_t i, const char *reason) {
  choice_state *c = &r->relay->ch[i];
  if (c->closed)
    return;
  if (c->st)
    feed_text(r, i, NULL, 0, 1);
  if (c->closed)
    return;
  if (c->refusal.len) {
    size_t n;
    char *red = gw_guard_text(&r->g, c->refusal.data, c->refusal.len, &n);
    if (!red) {
      close_choice(r, i, "content_filter");
      return;
    }
    emit_choice(r, i, json_pack("{s:s%}", "refusal", red, n), NULL);
    free(red);
  }
  json_t *calls = json_array();
  for (size_t k = 0; k < c->n_tools; k++) {
    tool_acc *t = &c->tools[k];
    size_t n;
    char *red = NULL;
    if (gw_guard_tool_allowed(&r->g, t->name) &&
        gw_guard_tool_call(&r->g, t->name, t->args.data, t->args.len) !=
            AIGATE_BLOCK)
      red = gw_guard_text(&r->g, t->args.data, t->args.len, &n);
    if (!red) {
      json_decref(calls);
      close_choice(r, i, "content_filter");
      return;
    }
    json_array_append_new(
        calls, json_pack("{s:I, s:s?, s:s, s:{s:s?, s:s%}}", "index",
                         (json_int_t)k, "id", t->id, "type", "function",
                         "function", "name", t->name, "arguments", red, n));
    free(red);
  }
  if (json_array_size(calls))
    emit_choice(r, i, json_pack("{s:o}", "tool_calls", calls), NULL);
  else
    json_decref(calls);
  close_choice(r, i, reason);
}

static int on_event(void *ud, const char *event, const char *data, size_t len) {
  (void)event;
  gw_req *r = ud;
  gw_relay *rl = r->relay;
  if (!strcmp(data, "[DONE]")) {
    rl->saw_done = 1;
    return 0;
  }
  json_error_t jerr;
  json_t *doc = json_loadb(data, len, JSON_ALLOW_NUL, &jerr);
  if (!json_is_object(doc)) {
    json_decref(doc);
    rl->failed = 1;
    return 1;
  }
  if (json_object_get(doc, "error")) {
    json_decref(doc);
    rl->failed = 1;
    return 1;
  }
  if (!rl->envelope) {
    rl->envelope = json_object();
    const char *keep[] = {"id", "created", "model", "system_fingerprint"};
    for (size_t k = 0; k < 4; k++) {
      json_t *v = json_object_get(doc, keep[k]);
      if (v)
        json_object_set(rl->envelope, keep[k], v);
    }
  }
  json_t *usage = json_object_get(doc, "usage");
  if (json_is_object(usage)) {
    json_decref(rl->usage);
    rl->usage = json_incref(usage);
    gw_note_usage(r, usage);
  }
  size_t k;
  json_t *ch;
  json_array_foreach(json_object_get(doc, "choices"), k, ch) {
    json_t *jidx = json_object_get(ch, "index");
    size_t i = json_is_integer(jidx) ? (size_t)json_integer_value(jidx) : k;
    choice_state *c = choice(rl, i);
    if (!c) {
      rl->failed = 1;
      break;
    }
    if (c->closed)
      continue;
    json_t *delta = json_object_get(ch, "delta");
    json_t *text = r->route == GW_ROUTE_CHAT ? json_object_get(delta, "content")
                                             : json_object_get(ch, "text");
    const char *role = json_string_value(json_object_get(delta, "role"));
    if (role)
      emit_choice(r, i, json_pack("{s:s, s:s}", "role", role, "content", ""),
                  NULL);
    if (json_is_string(text))
      feed_text(r, i, json_string_value(text), json_string_length(text), 0);
    json_t *refusal = json_object_get(delta, "refusal");
    if (json_is_string(refusal)) {
      size_t n = json_string_length(refusal);
      int over = c->refusal.len + n > r->rt->cfg->tool_call_max_bytes;
      if (!over)
        ag_buf_append(&c->refusal, json_string_value(refusal), n);
      if (over || c->refusal.failed) { /* never released in part */
        close_choice(r, i, "content_filter");
        continue;
      }
    }
    size_t t;
    json_t *tc;
    json_array_foreach(json_object_get(delta, "tool_calls"), t, tc) {
      if (tool_fragment(r, c, tc)) {
        r->g.decision = AIGATE_BLOCK;
        close_choice(r, i, "content_filter");
        break;
      }
    }
    const char *fin = json_string_value(json_object_get(ch, "finish_reason"));
    if (fin)
      finish_choice(r, i, fin);
  }
  json_decref(doc);
  /* Every choice the client asked for is closed: nothing more to relay
   * but the usage, which a blocked stream no longer waits for. */
  if (rl->n_closed >= (size_t)r->n_choices && !rl->saw_done &&
      r->g.decision == AIGATE_BLOCK)
    return 1;
  return rl->failed;
}

int gw_relay_start(gw_req *r) {
  gw_relay *rl = calloc(1, sizeof(*rl));
  if (!rl)
    return -1;
  if (!(rl->sse = gw_sse_new(MAX_EVENT, on_event, r))) {
    free(rl);
    return -1;
  }
  r->relay = rl;
  gw_metrics_gauge(r->w->sh->metrics, GW_G_STREAMS, 1);
  gw_resume(r); /* the handler queues the event-stream response */
  return 0;
}

int gw_relay_feed(gw_req *r, const char *data, size_t len) {
  gw_relay *rl = r->relay;
  if (rl->ended)
    return -1;
  int rc = gw_sse_feed(rl->sse, data, len);
  if (rc) {
    if (rc < 0)
      rl->failed = 1;
    gw_relay_end(r, !rl->failed);
    return -1;
  }
  return 0;
}

void gw_relay_end(gw_req *r, int upstream_ok) {
  gw_relay *rl = r->relay;
  if (!rl || rl->ended)
    return;
  rl->ended = 1;
  gw_settle(r); /* before the client can see the end and ask again */
  int clean = upstream_ok && !rl->failed &&
              (rl->saw_done || rl->n_closed >= (size_t)r->n_choices);
  for (size_t i = 0; i < rl->n_ch; i++)
    if (!rl->ch[i].closed) {
      if (clean)
        finish_choice(r, i, "stop");
      else if (rl->ch[i].st) /* release what was held, scanned */
        feed_text(r, i, NULL, 0, 1);
    }
  if (!clean && r->g.decision != AIGATE_BLOCK) {
    json_t *e = json_pack(
        "{s:{s:s, s:s, s:n, s:s}}", "error", "message",
        "the upstream stream ended before it was complete; the reply is "
        "truncated",
        "type", "upstream_error", "param", "code", "upstream_disconnected");
    emit_json(r, e);
  }
  if (r->client_usage && rl->usage) {
    json_t *doc = json_deep_copy(rl->envelope);
    if (!doc)
      doc = json_object();
    json_object_set_new(doc, "object", json_string("chat.completion.chunk"));
    json_object_set_new(doc, "choices", json_array());
    json_object_set(doc, "usage", rl->usage);
    emit_json(r, doc);
  }
  emit_raw(r, "[DONE]");
  r->done = 1;
  gw_resume(r);
}

void gw_relay_free(gw_relay *rl) {
  if (!rl)
    return;
  gw_sse_free(rl->sse);
  for (size_t i = 0; i < rl->n_ch; i++) {
    choice_state *c = &rl->ch[i];
    aigate_stream_free(c->st);
    aigate_leak_scan_free(c->leak);
    for (size_t k = 0; k < c->n_tools; k++) {
      free(c->tools[k].id);
      free(c->tools[k].name);
      ag_buf_free(&c->tools[k].args);
    }
    free(c->tools);
    ag_buf_free(&c->refusal);
  }
  free(rl->ch);
  aigate_leak_free(rl->leak);
  json_decref(rl->envelope);
  json_decref(rl->usage);
  free(rl);
}
