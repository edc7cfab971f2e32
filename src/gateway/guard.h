/*
 * guard.h -- the gateway's guards over OpenAI documents: a request body in,
 * a validated and guarded document (or a refusal) out; a non-streamed
 * response guarded in place.
 *
 * This is the part of the gateway that reads hostile JSON, so it depends
 * on neither the HTTP server nor the upstream client: the fuzz target
 * (tests/fuzz/fuzz_guard.c) and the unit tests drive it directly.
 */
#ifndef AIGATE_GW_GUARD_H
#define AIGATE_GW_GUARD_H

#include <jansson.h>
#include <stddef.h>

#include "aigate/aigate.h"
#include "gwconfig.h"

typedef enum {
  GW_ROUTE_NONE = 0,
  GW_ROUTE_CHAT,
  GW_ROUTE_COMPLETIONS,
  GW_ROUTE_EMBEDDINGS,
  GW_ROUTE_MODELS,
  GW_ROUTE_HEALTH,
  GW_ROUTE_ADMIN, /* /key/... */
  GW_ROUTE_METRICS,
  GW_ROUTE_UI,     /* /ui, its files: no data, no key */
  GW_ROUTE_UI_API, /* /ui/api/...: the master or the dashboard key */
} gw_route;

/* The notice that replaces a blocked choice's content. */
#define GW_BLOCK_NOTICE "[aigate: this response was blocked by policy]"

#define GW_GUARD_RULES 32 /* the most ids in gw_guard.rules */

typedef struct {
  /* Set by the caller. */
  const aigate_engine *engine;
  aigate_scratch *scratch;
  const gw_config *cfg;
  const char *profile; /* the key's profile: replaces the input, untrusted
                          and output profiles; NULL: the configured ones */
  char *const *allowed_tools; /* tools the key allows; with tools_limited */
  size_t n_allowed_tools;
  int tools_limited;
  const char *const *allow_hosts; /* the key's exfiltration allow-list */
  size_t n_allow_hosts;
  aigate_pseudo *pseudo; /* server.pseudonymize: the request's placeholders
                            (input) restored in its output; NULL: off */

  /* The decision over every scan so far (the strongest action). */
  aigate_action decision;
  int failed;      /* a scan did not run */
  int fail_open;   /* ... and the policy let the text through */
  char rules[256]; /* ids of the enforced rules behind the decision, "a,b" */
  /* The category of each id in rules, in its order (owned by the engine,
   * or static: "gateway" for the gateway's own checks). */
  const char *rule_categories[GW_GUARD_RULES];
  int rule_scores[GW_GUARD_RULES]; /* 0 for the gateway's own checks */
  size_t n_rules;
  char detect_only[256]; /* detect-only rules that would have redacted or
                            blocked */
  const char *dry_categories[GW_GUARD_RULES]; /* as rule_categories */
  int dry_scores[GW_GUARD_RULES];
  size_t n_dry;
  size_t input_bytes; /* bytes of request text the input guards read */
  int changed;        /* the guards edited the document (a redaction, a blocked
                         choice, stream_options): set, never cleared */
  /* The request's "tools" and legacy "functions" (borrowed from its
   * document, which outlives the response): what tool calls are checked
   * against. */
  const json_t *tools, *functions;
  const json_t *messages; /* for the system prompt (leak checks) */

  /* A refusal: status 0 when there is none. */
  int status;
  const char *type, *code; /* OpenAI error type and code (static) */
  char message[512];
} gw_guard;

#define GW_MAX_TOOLS 128

/* What the gateway needs to know about a guarded request. */
typedef struct {
  const char *model; /* in the document */
  int stream;        /* "stream": true (never for embeddings) */
  int client_usage;  /* the client asked for the usage chunk itself */
  int n_choices;     /* "n", 1..128 */
  /* Tools the request declares ("tools" and the older "functions"). */
  const char *tools[GW_MAX_TOOLS];
  size_t n_tools;
  long long max_tokens; /* the larger of max_tokens and
                           max_completion_tokens; 0: not given */
} gw_request_info;

/*
 * Parse `len` bytes of a request body for `route` (chat, completions or
 * embeddings) and check its shape: model, stream, n, declared tools,
 * max_tokens. Returns the document (the caller owns it; info points into
 * it), or NULL with g->status and g->message saying why it is refused.
 */
json_t *gw_parse_request(gw_guard *g, gw_route route, const char *body,
                         size_t len, gw_request_info *info);

/*
 * Scan every text of a parsed request: messages by role
 * (docs/gateway.md), prompt, input. Redactions are applied to the
 * document; a stream request gets stream_options.include_usage set.
 * Returns 0, or -1 with the refusal set in g.
 */
int gw_guard_input(gw_guard *g, gw_route route, json_t *doc,
                   gw_request_info *info);

/* Call fn for each rule behind the decision, in order (dry: each
 * detect-only rule that would have acted), with its category and score
 * ("gateway" and 0 past what the guard could keep of them). */
void gw_guard_each_rule(const gw_guard *g, int dry,
                        void (*fn)(void *ud, const char *id,
                                   const char *category, int score),
                        void *ud);

/* gw_parse_request, then gw_guard_input. */
json_t *gw_guard_request(gw_guard *g, gw_route route, const char *body,
                         size_t len, gw_request_info *info);

/* May the model call the tool `name` (a response's tool call)? When the
 * key does not allow it, the decision becomes a block naming the rule
 * "key.tool_not_allowed" and 0 is returned. */
int gw_guard_tool_allowed(gw_guard *g, const char *name);

/* Guard a parsed non-streamed response of `route` in place: every text
 * of every choice (its message's content, refusal and tool-call
 * arguments, and its text; the same on every route) is scanned; redacted
 * text is edited, a blocked choice gets the notice and finish_reason
 * "content_filter". Returns -1 (and sets the refusal) when the document
 * has no choices. */
int gw_guard_response(gw_guard *g, gw_route route, json_t *doc);

/* Fold a scan result into the decision. `trusted`: text written by the
 * application (system prompts): a block is logged, not enforced. Returns
 * the action to take on the scanned text. */
aigate_action gw_guard_note(gw_guard *g, aigate_action verdict, unsigned flags,
                            const aigate_finding *findings, size_t n,
                            int trusted);

/* Check a tool call the model made (aigate_tool_check): its arguments
 * against the tool the request declared (a call of a tool it did not
 * declare is blocked) and the rule families of the tool's kind. Returns
 * AIGATE_BLOCK when it must not reach the client. */
aigate_action gw_guard_tool_call(gw_guard *g, const char *name,
                                 const char *args, size_t len);

/* System-prompt leaks (the policy's leak: section). The request's system
 * and developer messages prepared for leak checks, with the canaries of
 * this and the previous period, in *out (free with aigate_leak_free);
 * NULL when there are none or the checks are off. Returns -1 when it
 * could not be prepared (out of memory): the caller blocks. */
int gw_guard_leak(gw_guard *g, aigate_leak **out);
/* What the calling thread keeps for the leak checks of its next
 * requests (the last system prompt's index), freed: a thread that ran
 * gw_guard_response calls it before it ends. */
void gw_guard_thread_end(void);
/* Fold a leak check into the decision; returns the action to take on
 * the output (AIGATE_BLOCK: stop it). */
aigate_action gw_guard_leak_note(gw_guard *g, const aigate_leak_result *r);

/* Scan a whole text as output. Returns a redacted copy, with the
 * request's placeholders restored (caller frees; *out_len its length), or
 * NULL when it must be blocked. */

char *gw_guard_text(gw_guard *g, const char *text, size_t len, size_t *out_len);

#endif
