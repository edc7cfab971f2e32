/*
 * cmd_scan.c -- `aigate scan`: one-shot scanning of a prompt, a model
 * output, or OpenAI chat JSON, and `--batch` scanning of JSONL.
 *
 * OpenAI JSON is taken apart by the walk the gateway's guards use
 * (src/gateway/openai_doc.c), which finds the strings to scan; the
 * verdict for each string and for the whole document comes from
 * libaigate. Output formats are documented in docs/json.md.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "normalize.h"
#include "openai_doc.h"

#define EXCERPT 60

typedef enum { AS_PROMPT, AS_OUTPUT, AS_REQUEST, AS_RESPONSE } scan_as;
typedef enum { FMT_TEXT, FMT_JSON, FMT_JSONL } out_fmt;

typedef struct {
  cli_engine_opts eo;
  scan_as as;
  out_fmt fmt;
  int redact, explain, batch;
  const char *input;
  aigate_engine *engine;
  aigate_scratch *scratch;
  aigate_config *cfg;
} scan_opts;

static void help(void) {
  puts("usage: aigate scan [FILE|-] [options]\n"
       "  --as prompt|output|openai-request|openai-response  (default prompt)\n"
       "  --format text|json|jsonl   output format (default text)\n"
       "  --redact                   print the text with redactions applied\n"
       "  --explain                  show the findings, what they matched and "
       "the n-grams behind the classifier's score\n"
       "  --batch                    JSONL in ({\"text\": ...} per line), one "
       "JSON result per line out\n"
       "  -c FILE                    configuration (docs/config.md)\n"
       "  --profile NAME             policy profile from the configuration\n"
       "  --rules DIR                rule files replacing the built-in ones\n"
       "  --model FILE               classifier model (\"\" disables it)\n"
       "  --cache-dir DIR            compiled-rules cache (\"\" disables)\n"
       "exit: 0 allow/log, 1 redact/block, 2 usage or input error");
}

static const char *flag_names[] = {"invalid_utf8",   "tag_characters",
                                   "decoded_layers", "truncated",
                                   "failed",         "too_many_findings"};
#define N_FLAGS (sizeof(flag_names) / sizeof(flag_names[0]))

static json_t *result_json(const aigate_result *r, int with_schema) {
  json_t *o = json_object();
  if (with_schema)
    json_object_set_new(o, "schema_version",
                        json_integer(AIGATE_SCHEMA_VERSION));
  json_object_set_new(o, "verdict",
                      json_string(aigate_action_name(r->verdict)));
  json_object_set_new(o, "score", json_integer(r->score));
  json_object_set_new(o, "threshold", json_integer(r->threshold));
  json_object_set_new(o, "paranoia", json_integer(r->paranoia));
  json_t *flags = json_array();
  for (unsigned i = 0; i < N_FLAGS; i++)
    if (r->flags & (1u << i))
      json_array_append_new(flags, json_string(flag_names[i]));
  json_object_set_new(o, "flags", flags);
  if (r->status)
    json_object_set_new(o, "error", json_string(aigate_strerror(r->status)));
  json_t *fs = json_array();
  for (size_t i = 0; i < r->n_findings; i++) {
    const aigate_finding *f = &r->findings[i];
    json_t *j = json_object();
    json_object_set_new(j, "rule_id", json_string(f->rule_id));
    json_object_set_new(j, "category", json_string(f->category));
    json_object_set_new(j, "severity", json_integer(f->severity));
    json_object_set_new(j, "score", json_integer(f->score));
    json_object_set_new(j, "start", json_integer((json_int_t)f->start));
    json_object_set_new(j, "end", json_integer((json_int_t)f->end));
    json_object_set_new(j, "layer", json_string(f->layer));
    json_object_set_new(j, "action",
                        json_string(aigate_action_name(f->action)));
    json_object_set_new(j, "mode",
                        json_string(f->mode == AIGATE_MODE_ENFORCE
                                        ? "enforce"
                                        : "detect-only"));
    json_object_set_new(j, "message", json_string(f->message));
    json_array_append_new(fs, j);
  }
  json_object_set_new(o, "findings", fs);
  return o;
}

/* Print an excerpt of the original text; data that the policy redacts is
 * masked, so --explain never prints a whole secret. */
static void print_excerpt(const char *text, size_t len,
                          const aigate_finding *f) {
  size_t s = f->start, e = f->end > len ? len : f->end;
  int mask = f->action == AIGATE_REDACT;
  fputs("      \"", stdout);
  for (size_t i = s; i < e && i - s < EXCERPT; i++) {
    unsigned char c = (unsigned char)text[i];
    if (mask && i - s >= 4) {
      fputs("***", stdout);
      break;
    }
    if (c == '\n')
      fputs("\\n", stdout);
    else if (c < 0x20 || c == 0x7f)
      printf("\\x%02x", c);
    else
      putchar(c);
  }
  puts(e - s > EXCERPT && !mask ? "...\"" : "\"");
}

static void print_text(const char *label, const aigate_result *r,
                       const char *text, size_t len, int explain) {
  printf("%s%s%s (score %d, threshold %d, paranoia %d)", label ? label : "",
         label ? ": " : "", aigate_action_name(r->verdict), r->score,
         r->threshold, r->paranoia);
  for (unsigned i = 0; i < N_FLAGS; i++)
    if (r->flags & (1u << i))
      printf(" [%s]", flag_names[i]);
  if (r->status)
    printf(" error: %s", aigate_strerror(r->status));
  putchar('\n');
  for (size_t i = 0; explain && i < r->n_findings; i++) {
    const aigate_finding *f = &r->findings[i];
    printf("  %-32s %-12s %-7s +%d  bytes %zu-%zu (%s)%s\n      %s\n",
           f->rule_id, f->category, aigate_action_name(f->action), f->score,
           f->start, f->end, f->layer,
           f->mode == AIGATE_MODE_DETECT_ONLY ? " detect-only" : "",
           f->message);
    print_excerpt(text, len, f);
  }
}

static int exit_for(aigate_action v) {
  return v >= AIGATE_REDACT ? 1 : 0;
}

static int dump(json_t *j, out_fmt fmt) {
  size_t flags = fmt == FMT_JSON ? JSON_INDENT(2) : JSON_COMPACT;
  char *s = json_dumps(j, flags);
  json_decref(j);
  if (!s)
    return cli_fail("out of memory writing JSON");
  puts(s);
  free(s);
  return 0;
}

/* What the classifier saw, for --explain: its probability against the
 * level's thresholds and the n-grams that raised it most. Scored again
 * here when the rules had already blocked (the scan then skips it). */
#define TOP_NGRAMS 8

static void explain_classifier(const scan_opts *o, const aigate_result *r,
                               const char *text, size_t len, json_t *j) {
  const aigate_model *m = aigate_engine_model(o->engine);
  if (!m || o->as == AS_OUTPUT || o->as == AS_RESPONSE || r->status)
    return;
  aigate_model_info info;
  aigate_model_get_info(m, &info);
  double p =
      r->classifier >= 0 ? r->classifier : aigate_model_score(m, text, len);
  aigate_contribution top[TOP_NGRAMS];
  size_t n = 0;
  if (aigate_model_explain(m, text, len, top, TOP_NGRAMS, &n))
    n = 0;
  if (!j) {
    printf("  classifier: p = %.4f (blocks at %.4f, adds points at %.4f; "
           "paranoia %d)\n",
           p, info.block[r->paranoia], info.weak[r->paranoia], r->paranoia);
    for (size_t i = 0; i < n; i++) {
      char *u = ag_utf8_copy(top[i].ngram, strlen(top[i].ngram));
      printf("    %+.3f  \"%s\"\n", top[i].weight, u ? u : "");
      free(u);
    }
    return;
  }
  json_t *c = json_object(), *arr = json_array();
  json_object_set_new(c, "probability", json_real(p));
  json_object_set_new(c, "block_at", json_real(info.block[r->paranoia]));
  json_object_set_new(c, "weak_at", json_real(info.weak[r->paranoia]));
  for (size_t i = 0; i < n; i++) {
    char *u = ag_utf8_copy(top[i].ngram, strlen(top[i].ngram));
    json_array_append_new(arr, json_pack("{s:s, s:f}", "ngram", u ? u : "",
                                         "weight", top[i].weight));
    free(u);
  }
  json_object_set_new(c, "top_ngrams", arr);
  json_object_set_new(j, "classifier", c);
}

/* ---------------------------------------------------------- plain text */

static int scan_text(scan_opts *o, const char *text, size_t len) {
  aigate_scan_options so = {.direction = o->as == AS_OUTPUT ? AIGATE_OUTPUT
                                                            : AIGATE_INPUT,
                            .profile = o->eo.profile};
  aigate_result r;
  int rc = aigate_scan_ex(o->engine, o->scratch, text, len, &so, &r);
  if (rc == AIGATE_ERR_NOT_FOUND)
    return cli_fail("no profile named '%s'", o->eo.profile);
  char *red = NULL;
  size_t red_len = 0;
  if (o->redact && aigate_redact(text, len, &r, &red, &red_len))
    return cli_fail("out of memory");
  if (o->fmt == FMT_TEXT) {
    if (o->redact) {
      fwrite(red, 1, red_len, stdout);
      if (o->explain)
        print_text(NULL, &r, text, len, 1);
    } else {
      print_text(NULL, &r, text, len, o->explain);
    }
    if (o->explain)
      explain_classifier(o, &r, text, len, NULL);
  } else {
    json_t *j = result_json(&r, 1);
    if (o->explain)
      explain_classifier(o, &r, text, len, j);
    if (o->redact) {
      char *u = ag_utf8_copy(red, red_len);
      json_object_set_new(j, "redacted", json_string(u ? u : ""));
      free(u);
    }
    dump(j, o->fmt);
  }
  free(red);
  if (rc && rc != AIGATE_ERR_TOO_LARGE)
    fprintf(stderr, "aigate: scan failed: %s\n", aigate_strerror(rc));
  return exit_for(r.verdict);
}

/* ---------------------------------------------------------- OpenAI JSON */

static int scan_openai(scan_opts *o, const char *buf, size_t len) {
  json_error_t je;
  json_t *root =
      json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
  if (!root)
    return cli_fail("invalid JSON at line %d column %d: %s", je.line, je.column,
                    je.text);
  oai_targets ts = {0};
  if (oai_collect(&ts, root, o->as == AS_REQUEST ? OAI_REQUEST : OAI_RESPONSE,
                  0)) {
    json_decref(root);
    oai_targets_free(&ts);
    return cli_fail("%s", ts.err);
  }
  aigate_scan_options so = {.direction = o->as == AS_RESPONSE ? AIGATE_OUTPUT
                                                              : AIGATE_INPUT,
                            .profile = o->eo.profile};
  aigate_action overall = AIGATE_ALLOW;
  json_t *items = json_array();
  int rc = 0;
  for (size_t i = 0; i < ts.n && !rc; i++) {
    oai_target *t = &ts.t[i];
    const char *text = json_string_value(t->str);
    size_t tl = json_string_length(t->str);
    aigate_result r;
    int st = aigate_scan_ex(o->engine, o->scratch, text, tl, &so, &r);
    if (st == AIGATE_ERR_NOT_FOUND) {
      rc = cli_fail("no profile named '%s'", o->eo.profile);
      break;
    }
    if (r.verdict > overall)
      overall = r.verdict;
    if (o->fmt == FMT_TEXT && !o->redact) {
      char label[140];
      snprintf(label, sizeof(label), "%s (%s)", t->path, t->role);
      print_text(label, &r, text, tl, o->explain);
      if (o->explain)
        explain_classifier(o, &r, text, tl, NULL);
    }
    if (o->fmt != FMT_TEXT) {
      json_t *j = result_json(&r, 0);
      if (o->explain)
        explain_classifier(o, &r, text, tl, j);
      json_object_set_new(j, "path", json_string(t->path));
      json_object_set_new(j, "role", json_string(t->role));
      json_array_append_new(items, j);
    }
    if (o->redact && r.verdict == AIGATE_REDACT) {
      char *red;
      size_t rl;
      if (aigate_redact(text, tl, &r, &red, &rl) == AIGATE_OK) {
        json_t *nv = json_stringn(red, rl);
        if (!nv) { /* invalid UTF-8 only comes from invalid input */
          char *u = ag_utf8_copy(red, rl);
          nv = json_string(u ? u : "");
          free(u);
        }
        oai_replace(t, nv);
        free(red);
      }
    }
  }
  if (!rc) {
    if (o->redact && o->fmt == FMT_TEXT) {
      dump(json_incref(root), FMT_JSON);
    } else if (o->fmt == FMT_TEXT) {
      printf("overall: %s\n", aigate_action_name(overall));
    } else {
      json_t *out = json_object();
      json_object_set_new(out, "schema_version",
                          json_integer(AIGATE_SCHEMA_VERSION));
      json_object_set_new(out, "verdict",
                          json_string(aigate_action_name(overall)));
      json_object_set_new(out, "items", json_incref(items));
      if (o->redact)
        json_object_set_new(out, "redacted", json_incref(root));
      dump(out, o->fmt);
    }
    rc = exit_for(overall);
  }
  json_decref(items);
  json_decref(root);
  oai_targets_free(&ts);
  return rc;
}

/* ---------------------------------------------------------- batch */

static int scan_batch(scan_opts *o) {
  FILE *in = stdin;
  if (o->input && strcmp(o->input, "-") != 0 && !(in = fopen(o->input, "r")))
    return cli_fail("%s: %s", o->input, strerror(errno));
  size_t max = aigate_config_max_input(o->cfg);
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  int worst = 0, errors = 0;
  aigate_scan_options so = {.direction = o->as == AS_OUTPUT ? AIGATE_OUTPUT
                                                            : AIGATE_INPUT,
                            .profile = o->eo.profile};
  while ((n = getline(&line, &cap, in)) >= 0) {
    size_t len = (size_t)n;
    if (len && line[len - 1] == '\n')
      len--;
    json_t *out;
    json_error_t je;
    json_t *j = len > max
                    ? NULL
                    : json_loadb(line, len,
                                 JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &je);
    json_t *text = j && json_is_object(j) ? json_object_get(j, "text") : NULL;
    if (!text || !json_is_string(text)) {
      char msg[300];
      if (len > max)
        snprintf(msg, sizeof(msg), "line larger than %zu bytes", max);
      else if (!j)
        snprintf(msg, sizeof(msg), "invalid JSON at column %d: %s", je.column,
                 je.text);
      else
        snprintf(msg, sizeof(msg), "expected an object with a string \"text\"");
      out = json_pack("{s:i, s:s}", "schema_version", AIGATE_SCHEMA_VERSION,
                      "error", msg);
      errors++;
    } else {
      aigate_result r;
      int st = aigate_scan_ex(o->engine, o->scratch, json_string_value(text),
                              json_string_length(text), &so, &r);
      if (st == AIGATE_ERR_NOT_FOUND) {
        json_decref(j);
        free(line);
        if (in != stdin)
          fclose(in);
        return cli_fail("no profile named '%s'", o->eo.profile);
      }
      out = result_json(&r, 1);
      if (exit_for(r.verdict))
        worst = 1;
    }
    json_decref(j);
    dump(out, FMT_JSONL);
  }
  free(line);
  if (in != stdin)
    fclose(in);
  return errors ? EXIT_USAGE : worst;
}

static int parse(scan_opts *o, int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int r = cli_engine_opt(argc, argv, &i, &o->eo);
    if (r < 0)
      return EXIT_USAGE;
    if (r)
      continue;
    if (!strcmp(a, "--as") || !strcmp(a, "--format")) {
      if (i + 1 >= argc)
        return cli_fail("%s needs a value", a);
      const char *v = argv[++i];
      if (a[2] == 'a') {
        static const char *const as[] = {"prompt", "output", "openai-request",
                                         "openai-response",
                                         NULL}; /* as scan_as */
        int c = cli_choice(a, v, as);
        if (c < 0)
          return EXIT_USAGE;
        o->as = (scan_as)c;
      } else {
        static const char *const fmts[] = {"text", "json", "jsonl",
                                           NULL}; /* as out_fmt */
        int c = cli_choice(a, v, fmts);
        if (c < 0)
          return EXIT_USAGE;
        o->fmt = (out_fmt)c;
      }
    } else if (!strcmp(a, "--redact")) {
      o->redact = 1;
    } else if (!strcmp(a, "--explain")) {
      o->explain = 1;
    } else if (!strcmp(a, "--batch")) {
      o->batch = 1;
    } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      help();
      return -1;
    } else if (a[0] == '-' && a[1]) {
      return cli_fail("scan: unknown option '%s'", a);
    } else if (o->input) {
      return cli_fail("scan: one input file at most");
    } else {
      o->input = a;
    }
  }
  if (o->batch && (o->as == AS_REQUEST || o->as == AS_RESPONSE))
    return cli_fail("--batch takes prompts or outputs, not OpenAI documents");
  return 0;
}

int cmd_scan(int argc, char **argv) {
  scan_opts o = {0};
  int rc = parse(&o, argc, argv);
  if (rc)
    return rc < 0 ? 0 : rc;
  if ((rc = cli_engine(&o.eo, &o.cfg, &o.engine)))
    return rc;
  if (aigate_scratch_new(o.engine, &o.scratch)) {
    rc = cli_fail("out of memory");
    goto out;
  }
  if (o.batch) {
    rc = scan_batch(&o);
    goto out;
  }
  char *buf;
  size_t len;
  if ((rc =
           cli_read_input(o.input, aigate_config_max_input(o.cfg), &buf, &len)))
    goto out;
  rc = o.as == AS_REQUEST || o.as == AS_RESPONSE ? scan_openai(&o, buf, len)
                                                 : scan_text(&o, buf, len);
  free(buf);
out:
  fflush(stdout);
  aigate_scratch_free(o.scratch);
  aigate_engine_free(o.engine);
  aigate_config_free(o.cfg);
  return rc;
}
