/*
 * openai_doc.h -- finds the strings to scan in an OpenAI chat document.
 *
 * `aigate scan --as openai-request|openai-response` and the fuzz target of
 * that input share this walk: which fields hold text (message contents,
 * text parts, tool-call arguments, prompts, embedding inputs, choices),
 * which role each belongs to, and how a redacted string is written back.
 * Verdicts come from libaigate; this only takes the document apart.
 */
#ifndef AIGATE_OPENAI_DOC_H
#define AIGATE_OPENAI_DOC_H

#include <jansson.h>
#include <stddef.h>

#define OAI_MAX_TARGETS 10000 /* strings scanned in one document */

typedef enum { OAI_REQUEST, OAI_RESPONSE } oai_kind;

typedef struct {
  json_t *str;     /* the string node (borrowed from the document) */
  json_t *owner;   /* object or array holding it, to write a redaction back */
  const char *key; /* key in owner, or NULL when owner is an array */
  size_t index;
  char path[96]; /* "messages[3].content" */
  const char *role;
} oai_target;

typedef struct {
  oai_target *t;
  size_t n, cap;
  char err[200]; /* why oai_collect failed */
} oai_targets;

/*
 * Collect the strings of a request (messages, prompt, input) or a response
 * (choices). Returns 0, or -1 with ts->err saying which field has the
 * wrong type (or that there are more than OAI_MAX_TARGETS strings). The
 * targets borrow from root: keep root alive while using them.
 */
int oai_collect(oai_targets *ts, json_t *root, oai_kind kind);

/* Replace a target's string with nv (a new reference, consumed). The
 * target's str is dead afterwards. */
void oai_replace(const oai_target *t, json_t *nv);

void oai_targets_free(oai_targets *ts);

#endif
