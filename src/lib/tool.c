/*
 * tool.c -- checks the arguments of a tool call before the application
 * runs it (aigate_tool_check).
 *
 * An agent executes what its model asks for. When injected text steers
 * the model, the attack is the tool call: `rm -rf ~`, `curl ... | sh`, a
 * read of ~/.aws/credentials, `DELETE FROM users`, a fetch of the cloud
 * metadata service. Three checks, in order:
 *
 * 1. The arguments are JSON, an object (as function calling defines
 *    them), with no duplicate keys: anything else is refused, since the
 *    application would either fail on it or read it differently than the
 *    checks did.
 * 2. They conform to the JSON Schema the request declared for the tool
 *    (schema.c), with strict mode's closed objects.
 * 3. Their strings (and keys), decoded from JSON so that escapes hide
 *    nothing, are scanned by the rule families of the tool's kind
 *    (`directions: [tool]` in rules/shell.yaml, sql.yaml, files.yaml,
 *    network.yaml). The kind comes from the policy's `tools:` map, else it
 *    is inferred from the tool's name, parameter names and description
 *    (`run_shell`, `query`, `path`, `url` ...), else every family applies:
 *
 *        shell  -> shell, file, http     sql  -> sql
 *        http   -> http                  file -> file
 *        other  -> file, http            unknown -> every family
 *
 *    so that `DROP TABLE` in a shell tool's argument does not block (the
 *    shell would not run it as SQL) while `rm -rf /` in it does.
 *
 * The policy decides on the findings as for any scan (categories such as
 * destructive-command block by default); a refused argument (1 or 2)
 * always blocks.
 */
#include <ctype.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "schema.h"
#include "util.h"

#define MAX_WALK_DEPTH 64

static const char *const kind_names[] = {"auto", "shell", "sql",
                                         "http", "file",  "other"};

const char *aigate_tool_kind_name(aigate_tool_kind k) {
  return (unsigned)k < sizeof(kind_names) / sizeof(*kind_names) ? kind_names[k]
                                                                : "?";
}

/* ------------------------------------------------------------ the kind */

static const struct {
  const char *word;
  aigate_tool_kind kind;
} kind_words[] = {
    {"shell", AIGATE_TOOL_SHELL},      {"bash", AIGATE_TOOL_SHELL},
    {"sh", AIGATE_TOOL_SHELL},         {"zsh", AIGATE_TOOL_SHELL},
    {"exec", AIGATE_TOOL_SHELL},       {"execute", AIGATE_TOOL_SHELL},
    {"command", AIGATE_TOOL_SHELL},    {"cmd", AIGATE_TOOL_SHELL},
    {"terminal", AIGATE_TOOL_SHELL},   {"console", AIGATE_TOOL_SHELL},
    {"powershell", AIGATE_TOOL_SHELL}, {"script", AIGATE_TOOL_SHELL},
    {"subprocess", AIGATE_TOOL_SHELL}, {"sql", AIGATE_TOOL_SQL},
    {"query", AIGATE_TOOL_SQL},        {"database", AIGATE_TOOL_SQL},
    {"db", AIGATE_TOOL_SQL},           {"postgres", AIGATE_TOOL_SQL},
    {"postgresql", AIGATE_TOOL_SQL},   {"mysql", AIGATE_TOOL_SQL},
    {"sqlite", AIGATE_TOOL_SQL},       {"table", AIGATE_TOOL_SQL},
    {"http", AIGATE_TOOL_HTTP},        {"https", AIGATE_TOOL_HTTP},
    {"url", AIGATE_TOOL_HTTP},         {"uri", AIGATE_TOOL_HTTP},
    {"fetch", AIGATE_TOOL_HTTP},       {"request", AIGATE_TOOL_HTTP},
    {"browse", AIGATE_TOOL_HTTP},      {"browser", AIGATE_TOOL_HTTP},
    {"web", AIGATE_TOOL_HTTP},         {"curl", AIGATE_TOOL_HTTP},
    {"download", AIGATE_TOOL_HTTP},    {"endpoint", AIGATE_TOOL_HTTP},
    {"webhook", AIGATE_TOOL_HTTP},     {"file", AIGATE_TOOL_FILE},
    {"files", AIGATE_TOOL_FILE},       {"path", AIGATE_TOOL_FILE},
    {"filename", AIGATE_TOOL_FILE},    {"filepath", AIGATE_TOOL_FILE},
    {"directory", AIGATE_TOOL_FILE},   {"dir", AIGATE_TOOL_FILE},
    {"folder", AIGATE_TOOL_FILE},      {"fs", AIGATE_TOOL_FILE},
    {"filesystem", AIGATE_TOOL_FILE},
};

/* Add weight w to the kinds of the words of s ("run_shell", "readFile",
 * "Runs a SQL query"): words split at non-letters and at camelCase. */
static void score_words(const char *s, int w, int score[6]) {
  char word[32];
  size_t n = 0;
  for (const char *p = s;; p++) {
    int end =
        !*p || !isalnum((unsigned char)*p) ||
        (n && isupper((unsigned char)*p) && islower((unsigned char)p[-1]));
    if (end && n) {
      word[n < sizeof(word) ? n : sizeof(word) - 1] = '\0';
      for (size_t k = 0; k < sizeof(kind_words) / sizeof(*kind_words); k++)
        if (!strcmp(word, kind_words[k].word))
          score[kind_words[k].kind] += w;
      n = 0;
    }
    if (!*p)
      break;
    if (isalnum((unsigned char)*p) && n < sizeof(word) - 1)
      word[n++] = (char)tolower((unsigned char)*p);
    else if (isalnum((unsigned char)*p))
      n++;
  }
}

/* The kind a tool is, judged by its words: the name counts most, then
 * its parameter names, then its description. AUTO when nothing stands
 * out. */
static aigate_tool_kind infer_kind(const char *name, const json_t *fn) {
  int score[6] = {0};
  if (name)
    score_words(name, 3, score);
  const char *desc = json_string_value(json_object_get(fn, "description"));
  if (desc && strlen(desc) < 4096)
    score_words(desc, 1, score);
  const json_t *props =
      json_object_get(json_object_get(fn, "parameters"), "properties");
  const char *key;
  const json_t *v;
  size_t n = 0;
  json_object_foreach((json_t *)props, key, v) {
    if (n++ > 64)
      break;
    score_words(key, 2, score);
  }
  int best = 0, second = 0;
  aigate_tool_kind kind = AIGATE_TOOL_AUTO;
  for (int k = AIGATE_TOOL_SHELL; k <= AIGATE_TOOL_FILE; k++) {
    if (score[k] > best) {
      second = best;
      best = score[k];
      kind = (aigate_tool_kind)k;
    } else if (score[k] > second) {
      second = score[k];
    }
  }
  return best >= 2 && best > second ? kind : AIGATE_TOOL_AUTO;
}

/* Does a rule family apply to a tool of this kind? */
int ag_tool_family_applies(aigate_tool_kind kind, const char *family) {
  switch (kind) {
  case AIGATE_TOOL_SHELL:
    return !strcmp(family, "shell") || !strcmp(family, "file") ||
           !strcmp(family, "http");
  case AIGATE_TOOL_SQL: return !strcmp(family, "sql");
  case AIGATE_TOOL_HTTP: return !strcmp(family, "http");
  case AIGATE_TOOL_FILE: return !strcmp(family, "file");
  case AIGATE_TOOL_OTHER:
    return !strcmp(family, "file") || !strcmp(family, "http");
  case AIGATE_TOOL_AUTO: return 1;
  }
  return 1;
}

aigate_tool_kind ag_code_kind(const char *info, size_t n) {
  static const char *const shell[] = {
      "bash",          "sh",  "shell", "zsh",        "console",
      "shell-session", "ksh", "fish",  "powershell", "ps1",
      "pwsh",          "cmd", "bat",   "batch",      "dockerfile"};
  static const char *const sql[] = {"sql",   "postgresql", "postgres",
                                    "psql",  "mysql",      "sqlite",
                                    "plsql", "tsql",       "mssql"};
  size_t i = 0;
  while (i < n && (info[i] == ' ' || info[i] == '\t'))
    i++;
  size_t w = i;
  while (w < n && info[w] != ' ' && info[w] != '\t' && info[w] != '{' &&
         info[w] != ',')
    w++;
  if (w == i)
    return AIGATE_TOOL_AUTO; /* no language: every family */
  char lang[32];
  size_t l = w - i < sizeof(lang) - 1 ? w - i : sizeof(lang) - 1;
  for (size_t k = 0; k < l; k++)
    lang[k] = (char)tolower((unsigned char)info[i + k]);
  lang[l] = '\0';
  for (size_t k = 0; k < sizeof(shell) / sizeof(*shell); k++)
    if (!strcmp(lang, shell[k]))
      return AIGATE_TOOL_SHELL;
  for (size_t k = 0; k < sizeof(sql) / sizeof(*sql); k++)
    if (!strcmp(lang, sql[k]))
      return AIGATE_TOOL_SQL;
  return AIGATE_TOOL_OTHER;
}

/* --------------------------------------------------------- the strings */

/* Every string and key of the arguments, one per line. */
static int collect(const json_t *v, ag_buf *b, int depth) {
  if (depth > MAX_WALK_DEPTH)
    return -1;
  if (json_is_string(v)) {
    ag_buf_append(b, json_string_value(v), json_string_length(v));
    ag_buf_putc(b, '\n');
  } else if (json_is_object(v)) {
    const char *key;
    json_t *x;
    json_object_foreach((json_t *)v, key, x) {
      ag_buf_append(b, key, strlen(key));
      ag_buf_putc(b, '\n');
      if (collect(x, b, depth + 1))
        return -1;
    }
  } else if (json_is_array(v)) {
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) {
      if (collect(x, b, depth + 1))
        return -1;
    }
  }
  return 0;
}

/* The kind: the policy's tools: map, else inferred, else unknown. */
static void kind_of(const aigate_tool_call *call, const ag_profile *p,
                    const json_t *fn, aigate_tool_result *res) {
  res->kind = AIGATE_TOOL_AUTO;
  res->kind_source = "unknown";
  for (size_t i = 0; call->name && i < p->n_tools; i++)
    if (!strcmp(p->tool_names[i], call->name)) {
      res->kind = (aigate_tool_kind)p->tool_kinds[i];
      res->kind_source = "policy";
      return;
    }
  res->kind = infer_kind(call->name, fn);
  if (res->kind != AIGATE_TOOL_AUTO)
    res->kind_source = "inferred";
}

static void refuse(aigate_tool_result *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void refuse(aigate_tool_result *res, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
  va_end(ap);
  res->invalid = 1;
  res->verdict = AIGATE_BLOCK;
}

/* Only JSON's whitespace (RFC 8259: space, tab, line feed, carriage
 * return): arguments of a vertical tab or a form feed are not JSON and
 * are refused, not read as no arguments. */
static int only_space(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
      return 0;
  return 1;
}

int aigate_tool_check(const aigate_engine *e, aigate_scratch *s,
                      const aigate_tool_call *call, aigate_tool_result *res) {
  if (!res)
    return AIGATE_ERR_INVALID;
  memset(res, 0, sizeof(*res));
  res->verdict = AIGATE_BLOCK;
  res->kind_source = "unknown";
  if (!e || !s || !call || s->e != e ||
      (!call->arguments && call->arguments_len) ||
      (!call->declaration && call->declaration_len)) {
    res->status = AIGATE_ERR_INVALID;
    res->flags = AIGATE_FLAG_FAILED;
    return AIGATE_ERR_INVALID;
  }
  const ag_profile *p = ag_config_profile(e->cfg, call->profile);
  if (!p) {
    res->status = AIGATE_ERR_NOT_FOUND;
    res->flags = AIGATE_FLAG_FAILED;
    return AIGATE_ERR_NOT_FOUND;
  }
  if (call->arguments_len > e->cfg->max_input ||
      call->declaration_len > e->cfg->max_input) {
    refuse(res, "the tool call is larger than the scan limit");
    return AIGATE_OK;
  }
  json_t *args = NULL, *decl = NULL;
  ag_buf text = {0};
  int rc = AIGATE_OK;
  json_error_t jerr;
  /* 1. JSON, an object. No arguments at all is the empty object. */
  if (!call->arguments_len || only_space(call->arguments, call->arguments_len))
    args = json_object();
  else
    args = json_loadb(call->arguments, call->arguments_len,
                      JSON_REJECT_DUPLICATES, &jerr);
  if (!args) {
    refuse(res, "the arguments are not valid JSON: %s (at byte %d)", jerr.text,
           jerr.position);
    goto done;
  }
  if (!json_is_object(args)) {
    refuse(res, "the arguments must be a JSON object");
    goto done;
  }
  if (!call->declaration)
    kind_of(call, p, NULL, res);
  /* 2. The declared schema. A declaration is a tools[] entry or the
   * function object itself. */
  const json_t *fn = NULL;
  if (call->declaration) {
    decl = json_loadb(call->declaration, call->declaration_len, 0, &jerr);
    if (!json_is_object(decl)) {
      refuse(res, "the tool's declaration is not a JSON object");
      goto done;
    }
    fn = json_object_get(decl, "function");
    if (!json_is_object(fn))
      fn = decl;
    kind_of(call, p, fn, res);
    const json_t *params = json_object_get(fn, "parameters");
    if (params) {
      char why[200];
      int strict = json_is_true(json_object_get(fn, "strict"));
      int v = ag_schema_validate(params, args, strict, why, sizeof(why));
      if (v == AG_SCHEMA_BAD) {
        refuse(res, "the declared parameters cannot be checked: %s", why);
        goto done;
      }
      if (v) {
        refuse(res, "the arguments do not match the declared parameters: %s",
               why);
        goto done;
      }
    }
  }
  /* 3. The rule families of the kind. */
  if (collect(args, &text, 0)) {
    refuse(res, "the arguments nest more than %d deep", MAX_WALK_DEPTH);
    goto done;
  }
  if (text.failed) {
    rc = AIGATE_ERR_NOMEM;
    res->status = rc;
    res->flags = AIGATE_FLAG_FAILED;
    res->verdict = p->fail_open ? AIGATE_LOG : AIGATE_BLOCK;
    goto done;
  }
  aigate_scan_options o = {AIGATE_TOOL, call->profile, 0};
  aigate_result r;
  rc = aigate_scan_ex(e, s, text.data ? text.data : "", text.len, &o, &r);
  if (rc) {
    res->status = rc;
    res->flags = r.flags;
    res->verdict = r.verdict;
    goto done;
  }
  /* Keep the findings of the families that apply to this kind, and
   * decide on those. */
  size_t n = 0;
  for (size_t i = 0; i < r.n_findings; i++) {
    const char *family = NULL;
    for (size_t k = 0; k < e->rs.n_rules && !family; k++)
      if (e->rs.rules[k].id == r.findings[i].rule_id)
        family = e->rs.rules[k].family;
    if (family && ag_tool_family_applies(res->kind, family))
      s->findings[n++] = r.findings[i];
  }
  s->n_findings = n;
  ag_tally t = {AIGATE_ALLOW, 0, 0};
  ag_tally_add(p, 0, s->findings, n, 0, &t);
  res->verdict = ag_tally_verdict(p, &t, r.flags);
  res->score = t.score;
  res->flags = r.flags;
  res->n_findings = n;
  res->findings = n ? s->findings : NULL;
  for (size_t i = 0; i < n && !res->reason[0]; i++)
    if (s->findings[i].action == res->verdict &&
        s->findings[i].mode == AIGATE_MODE_ENFORCE)
      snprintf(res->reason, sizeof(res->reason), "%s: %s",
               s->findings[i].rule_id, s->findings[i].message);
done:
  json_decref(args);
  json_decref(decl);
  ag_buf_free(&text);
  return rc;
}
