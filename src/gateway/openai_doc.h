/*
 * openai_doc.h -- finds the strings to scan in an OpenAI document.
 *
 * Every front end that reads OpenAI JSON takes it apart here: the gateway's
 * guards (guard.c), `aigate scan --as openai-request|openai-response` and
 * the fuzz target of that input. The walk knows which fields hold text
 * (message contents, text and refusal parts, refusals, tool-call
 * arguments, prompts, embedding inputs, choices), which role and which
 * message or choice each belongs to, which parts are media that cannot be
 * scanned, and how a redacted string is written back. Verdicts and
 * policies (profiles by role, the media policy, limits) belong to the
 * callers; this only takes the document apart.
 */
#ifndef AIGATE_OPENAI_DOC_H
#define AIGATE_OPENAI_DOC_H

#include <jansson.h>
#include <stddef.h>

#define OAI_MAX_TARGETS 10000 /* strings (and media parts) in one document */

typedef enum {
  OAI_REQUEST,    /* any of messages, prompt and input; one at least */
  OAI_CHAT,       /* a chat completions request: messages */
  OAI_COMPLETION, /* a completions request: prompt */
  OAI_EMBEDDING,  /* an embeddings request: input */
  OAI_RESPONSE,   /* choices, each with a message (or delta) and/or text */
} oai_kind;

/* How a document that is not the expected shape is taken. Without either
 * flag a field that holds text must have a text type, and the rest is not
 * looked at (the CLI: name the field that is wrong, scan the others). */
enum {
  /* A request as the gateway accepts it: the field of the kind present,
   * messages a non-empty array of objects with a string role, every part
   * an object with a string type, text and refusal parts with their
   * string, and no token arrays in prompt or input (they cannot be
   * scanned: refused, where the default skips them). */
  OAI_STRICT = 1u << 0,
  /* Never fail on a field that is not text, skip it (an upstream's reply:
   * scan what it holds, whatever else it holds). */
  OAI_TOLERANT = 1u << 1,
  /* No OAI_MAX_TARGETS limit: the caller bounds the document otherwise. */
  OAI_UNCAPPED = 1u << 2,
};

/* What oai_collect returns. */
enum {
  OAI_OK = 0,
  OAI_EDOC = -1,   /* the document is not the expected shape */
  OAI_ELIMIT = -2, /* more than OAI_MAX_TARGETS strings or media parts */
  OAI_ENOMEM = -3,
};

typedef struct {
  json_t *str;     /* the string node (borrowed from the document) */
  json_t *owner;   /* object or array holding it, to write a redaction back */
  const char *key; /* key in owner, or NULL when owner is an array */
  size_t index;
  size_t item;   /* index of its message, choice, or prompt/input string */
  char path[96]; /* "messages[3].content" */
  /* The message's role ("unknown" without one); "user" for prompt and
   * input, "assistant" for a choice's text. */
  const char *role;
} oai_target;

/* A message part that is not text (image_url, input_audio, file, ...):
 * what it holds cannot be scanned, so a policy decides about it. */
typedef struct {
  json_t *part;     /* the part object (borrowed) */
  const char *type; /* its "type" */
  size_t item;      /* index of its message or choice */
  size_t at;        /* how many targets come before it in the document */
  char path[96];    /* "messages[3].content[1]" */
  const char *role;
} oai_media;

typedef struct {
  oai_target *t; /* the strings, in document order */
  size_t n, cap;
  oai_media *media; /* the media parts, in document order */
  size_t n_media, cap_media;
  char err[200]; /* why oai_collect failed */
} oai_targets;

/*
 * Collect the strings of a document of `kind` (oai_kind) into ts, which
 * starts zeroed; flags are OAI_STRICT, OAI_TOLERANT and OAI_UNCAPPED.
 * Returns OAI_OK, or an OAI_E* code with ts->err saying which field is
 * wrong ("messages[3].content: expected ..."). On failure ts still holds
 * what was found before the fault, in document order, for a caller that
 * acts on a document's texts in order before refusing the rest of it;
 * oai_targets_free it either way. The entries borrow from root: keep root
 * alive, and leave its structure alone, while using them.
 */
int oai_collect(oai_targets *ts, json_t *root, oai_kind kind, unsigned flags);

/* Replace a target's string with nv (a new reference, consumed). The
 * target's str is dead afterwards. */
void oai_replace(const oai_target *t, json_t *nv);

void oai_targets_free(oai_targets *ts);

#endif
