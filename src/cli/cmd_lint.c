/*
 * cmd_lint.c -- `aigate lint`: review system prompts and prompt templates
 * (src/assess/lint.c) and print the findings as text, JSON or SARIF.
 *
 * Exit codes: 0 no finding at or above --fail-on, 1 at least one, 2 usage
 * or input error.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess.h"
#include "cli.h"

typedef enum { FMT_TEXT, FMT_JSON, FMT_SARIF } lint_fmt;

static const char *sev_name(int s) {
  return s >= 5 ? "critical" : s == 4 ? "high" : s == 3 ? "medium" : "low";
}

static void help(void) {
  puts("usage: aigate lint [FILE...|-] [options]\n"
       "  --format text|json|sarif   output format (default text)\n"
       "  --fail-on SEVERITY         exit 1 at critical|high|medium|low "
       "findings, or never (none); default high\n"
       "  -c FILE, --rules DIR, --cache-dir DIR   engine whose secret rules "
       "are used\n"
       "exit: 0 below --fail-on, 1 findings at or above it, 2 usage or "
       "input error");
}

static const struct {
  const char *id, *text;
} rule_docs[] = {
    {"lint-secret-in-prompt", "A credential is embedded in the prompt."},
    {"lint-pii-in-prompt", "Personal data is embedded in the prompt."},
    {"lint-undelimited-input",
     "Untrusted input is interpolated without delimiters."},
    {"lint-no-untrusted-guidance",
     "The prompt takes outside content but gives no guidance about "
     "instructions inside it."},
    {"lint-action-without-confirmation",
     "The prompt grants actions without asking for confirmation."},
    {"lint-secret-keeping", "The prompt asks the model to keep a secret."},
    {"lint-long-rule-list", "The prompt has a very long rule list."},
    {"lint-long-prompt", "The prompt is very long."},
    {"lint-contradiction", "Two rules of the prompt contradict each other."},
};
#define N_RULE_DOCS (sizeof(rule_docs) / sizeof(rule_docs[0]))

static json_t *sarif_rules(void) {
  json_t *a = json_array();
  for (size_t i = 0; i < N_RULE_DOCS; i++)
    json_array_append_new(a, json_pack("{s:s,s:{s:s}}", "id", rule_docs[i].id,
                                       "shortDescription", "text",
                                       rule_docs[i].text));
  return a;
}

static const char *sarif_level(int s) {
  return s >= 4 ? "error" : s == 3 ? "warning" : "note";
}

int cmd_lint(int argc, char **argv) {
  cli_engine_opts eo = {0};
  lint_fmt fmt = FMT_TEXT;
  int fail_on = 4;
  const char **files = calloc((size_t)argc + 1, sizeof(*files));
  size_t nfiles = 0;
  if (!files)
    return cli_fail("out of memory");
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int r = cli_engine_opt(argc, argv, &i, &eo);
    if (r < 0) {
      free(files);
      return EXIT_USAGE;
    }
    if (r)
      continue;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      help();
      free(files);
      return 0;
    }
    if (!strcmp(a, "--format") || !strcmp(a, "--fail-on")) {
      if (i + 1 >= argc) {
        free(files);
        return cli_fail("%s needs a value", a);
      }
      const char *v = argv[++i];
      if (!strcmp(a, "--format")) {
        if (!strcmp(v, "text"))
          fmt = FMT_TEXT;
        else if (!strcmp(v, "json"))
          fmt = FMT_JSON;
        else if (!strcmp(v, "sarif"))
          fmt = FMT_SARIF;
        else {
          free(files);
          return cli_fail("lint: --format text|json|sarif, not '%s'", v);
        }
      } else if (!strcmp(v, "none")) {
        fail_on = 99;
      } else {
        static const char *const sev[] = {"low", "medium", "high", "critical"};
        fail_on = -1;
        for (int s = 0; s < 4; s++)
          if (!strcmp(v, sev[s]))
            fail_on = s + 2;
        if (fail_on < 0) {
          free(files);
          return cli_fail("lint: --fail-on critical|high|medium|low|none, "
                          "not '%s'",
                          v);
        }
      }
      continue;
    }
    if (a[0] == '-' && a[1]) {
      free(files);
      return cli_fail("lint: unknown option '%s'", a);
    }
    files[nfiles++] = a;
  }
  if (nfiles == 0)
    files[nfiles++] = "-";

  aigate_config *cfg;
  aigate_engine *engine;
  aigate_scratch *scratch = NULL;
  int rc = cli_engine(&eo, &cfg, &engine);
  if (rc) {
    free(files);
    return rc;
  }
  if (aigate_scratch_new(engine, &scratch)) {
    rc = cli_fail("out of memory");
    goto out;
  }
  json_t *results = json_array(), *jfiles = json_array();
  int worst = 0;
  size_t total = 0;
  for (size_t k = 0; k < nfiles && !rc; k++) {
    const char *name = strcmp(files[k], "-") ? files[k] : "<stdin>";
    char *buf;
    size_t len;
    if ((rc = cli_read_input(files[k], AS_LINT_MAX_INPUT, &buf, &len)))
      break;
    as_lint_result lr;
    int lrc = as_lint(engine, scratch, buf, len, &lr);
    free(buf);
    if (lrc) {
      rc = cli_fail("%s: %s", name, aigate_strerror(lrc));
      break;
    }
    json_t *jf = json_array();
    for (size_t i = 0; i < lr.n; i++) {
      const as_lint_finding *f = &lr.f[i];
      if (f->severity > worst)
        worst = f->severity;
      total++;
      if (fmt == FMT_TEXT) {
        printf("%s:%d:%d: %s %s: %s\n  fix: %s\n", name, f->line, f->col,
               sev_name(f->severity), f->rule, f->message, f->fix);
      } else if (fmt == FMT_JSON) {
        json_array_append_new(
            jf, json_pack("{s:s,s:s,s:i,s:i,s:i,s:s,s:s}", "rule", f->rule,
                          "severity", sev_name(f->severity), "score",
                          f->severity, "line", f->line, "column", f->col,
                          "message", f->message, "fix", f->fix));
      } else {
        char msg[1024];
        snprintf(msg, sizeof(msg), "%s Fix: %s", f->message, f->fix);
        json_array_append_new(
            results,
            json_pack("{s:s,s:s,s:{s:s},s:[{s:{s:{s:s},s:{s:i,s:i}}}],"
                      "s:{s:s}}",
                      "ruleId", f->rule, "level", sarif_level(f->severity),
                      "message", "text", msg, "locations", "physicalLocation",
                      "artifactLocation", "uri", name, "region", "startLine",
                      f->line, "startColumn", f->col, "properties", "severity",
                      sev_name(f->severity)));
      }
    }
    if (fmt == FMT_JSON)
      json_array_append_new(
          jfiles, json_pack("{s:s,s:o}", "file", name, "findings", jf));
    else
      json_decref(jf);
    as_lint_free(&lr);
  }
  if (!rc) {
    json_t *doc = NULL;
    if (fmt == FMT_JSON)
      doc = json_pack("{s:i,s:O,s:I}", "schema_version", AIGATE_SCHEMA_VERSION,
                      "files", jfiles, "findings", (json_int_t)total);
    else if (fmt == FMT_SARIF)
      doc = json_pack("{s:s,s:s,s:[{s:{s:{s:s,s:s,s:o}},s:O}]}", "$schema",
                      "https://json.schemastore.org/sarif-2.1.0.json",
                      "version", "2.1.0", "runs", "tool", "driver", "name",
                      "aigate", "version", AIGATE_VERSION, "rules",
                      sarif_rules(), "results", results);
    else if (total == 0)
      puts("no findings");
    if (doc) {
      char *s = json_dumps(doc, JSON_INDENT(2));
      if (s)
        puts(s);
      free(s);
      json_decref(doc);
    }
    rc = worst >= fail_on ? 1 : 0;
  }
  json_decref(results);
  json_decref(jfiles);
out:
  free(files);
  aigate_scratch_free(scratch);
  aigate_engine_free(engine);
  aigate_config_free(cfg);
  return rc;
}
