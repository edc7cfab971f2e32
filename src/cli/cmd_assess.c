/*
 * cmd_assess.c -- `aigate assess`: red-team an OpenAI-compatible
 * endpoint with the built-in probes (src/assess) and write report.json,
 * report.html and transcripts.jsonl to --out DIR.
 *
 * Arguments, files and signals only; probes, the runner, scoring and
 * reports live in src/assess. Exit codes: 0 the run completed without
 * errors (and under --fail-above), 1 the gate failed, some attempts got
 * no reply, or the run was interrupted (the report covers what ran), 2
 * usage or input error.
 */
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "assess.h"
#include "cli.h"

static volatile sig_atomic_t stop_requested;

/* The first SIGINT/SIGTERM asks the run to stop and write its report; a
 * second one gets the default action, for a user who will not wait. */
static void on_signal(int sig) {
  if (stop_requested) {
    signal(sig, SIG_DFL);
    raise(sig);
    return;
  }
  stop_requested = 1;
}

/* A line on stderr at every tenth of the run, for long runs against
 * slow endpoints (and CI logs that show the run is alive). */
static void progress(void *ud, size_t done, size_t total) {
  size_t *last = ud;
  size_t step = total / 10 ? total / 10 : 1;
  if (done == total || done / step != *last / step)
    fprintf(stderr, "aigate: assess: %zu of %zu attempts done\n", done, total);
  *last = done;
}

static void help(void) {
  puts("usage: aigate assess --target BASE_URL --model MODEL [options]\n"
       "  --target URL          API base of an OpenAI-compatible endpoint "
       "(http://host:port/v1)\n"
       "  --model NAME          model to ask\n"
       "  --api-key-env VAR     environment variable with the API key "
       "(default OPENAI_API_KEY)\n"
       "  --system FILE         the application's system prompt\n"
       "  --tools FILE|none     the application's tools (JSON array; default: "
       "a built-in set)\n"
       "  --out DIR             where reports go (default aigate-assess)\n"
       "  --resume              continue an interrupted run in --out\n"
       "  --probes DIR          probe files replacing the built-in ones\n"
       "  --family LIST         families to run (comma-separated; default "
       "all)\n"
       "  --transforms LIST     transforms besides none (default all; 'none' "
       "for none)\n"
       "  --concurrency N       requests in flight (default 8)\n"
       "  --rate R              at most R requests per second (default "
       "unlimited)\n"
       "  --retries N           retries after a failed request (default 2)\n"
       "  --timeout SEC         per request (default 60)\n"
       "  --max-tokens N        reply length (default 256)\n"
       "  --baseline FILE       compare with an earlier report.json\n"
       "  --fail-above RATE     exit 1 when a family's success rate is above "
       "RATE (0..1)\n"
       "  --list                list the probes and exit\n"
       "  --quiet               no summary on stdout, no progress on stderr\n"
       "  -c FILE, --rules DIR, --cache-dir DIR  engine for leak detection\n"
       "exit: 0 passed, 1 gate failed / errors / interrupted, 2 usage or "
       "input error");
}

/* Parse a comma-separated list into on[] with the given parser. */
static int parse_list(const char *s, int *on, int n, int (*parse)(const char *),
                      const char *what) {
  char buf[512];
  if (strlen(s) >= sizeof(buf))
    return cli_fail("%s list too long", what);
  strcpy(buf, s);
  memset(on, 0, (size_t)n * sizeof(*on));
  char *save = NULL;
  for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    int v = parse(t);
    if (v < 0)
      return cli_fail("unknown %s '%s'", what, t);
    on[v] = 1;
  }
  return 0;
}

static int parse_num(const char *s, double lo, double hi, double *out,
                     const char *what) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || end == s || *end || !(v >= lo && v <= hi))
    return cli_fail("%s: want a number in [%g, %g], not '%s'", what, lo, hi, s);
  *out = v;
  return 0;
}

/* Write s to dir/name through a temporary file, so a reader never sees
 * half a report. */
static int write_file(const char *dir, const char *name, const char *s) {
  char path[4096], tmp[4200];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  snprintf(tmp, sizeof(tmp), "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  if (!f)
    return cli_fail("%s: %s", tmp, strerror(errno));
  int bad = fputs(s, f) < 0;
  bad |= fclose(f) != 0;
  if (bad || rename(tmp, path))
    return cli_fail("%s: cannot write", path);
  return 0;
}

static void list_probes(const as_probe_set *set) {
  for (size_t i = 0; i < set->n; i++) {
    const as_probe *p = &set->probes[i];
    printf("%-14s %-40s %-10s %s\n", as_family_id(p->family), p->id,
           as_detector_id(p->detector), p->file);
  }
  printf("%zu probes\n", set->n);
}

static void summary(const json_t *rep) {
  size_t i;
  const json_t *f;
  printf("%-14s %8s %9s %7s %7s\n", "family", "attempts", "successes", "rate",
         "errors");
  json_array_foreach(json_object_get(rep, "families"), i, f) {
    printf("%-14s %8lld %9lld %6.1f%% %7lld\n",
           json_string_value(json_object_get(f, "id")),
           json_integer_value(json_object_get(f, "attempts")),
           json_integer_value(json_object_get(f, "successes")),
           json_number_value(json_object_get(f, "rate")) * 100,
           json_integer_value(json_object_get(f, "errors")));
  }
  const json_t *ov = json_object_get(rep, "overall");
  const json_t *bn = json_object_get(rep, "benign");
  printf("overall: %.1f%% of untransformed attacks succeeded; benign "
         "over-refusal %.1f%% (%lld/%lld)\n",
         json_number_value(json_object_get(ov, "rate")) * 100,
         json_number_value(json_object_get(bn, "over_refusal_rate")) * 100,
         json_integer_value(json_object_get(bn, "refusals")),
         json_integer_value(json_object_get(bn, "attempts")));
}

typedef struct {
  const char *target, *model, *key_env, *system, *tools, *out, *probes;
  const char *baseline;
  int resume, list, quiet;
  int families[AS_N_FAMILIES], transforms[AS_N_TRANSFORMS];
  double concurrency, rate, retries, timeout, max_tokens, fail_above;
  cli_engine_opts eo;
} assess_opts;

static int parse_args(int argc, char **argv, assess_opts *o) {
  for (int f = 0; f < AS_N_FAMILIES; f++)
    o->families[f] = 1;
  for (int t = 0; t < AS_N_TRANSFORMS; t++)
    o->transforms[t] = 1;
  o->out = "aigate-assess";
  o->concurrency = 8;
  o->retries = 2;
  o->timeout = 60;
  o->max_tokens = 256;
  o->fail_above = -1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    /* --model names the target's model here, not a classifier file. */
    int r = strcmp(a, "--model") ? cli_engine_opt(argc, argv, &i, &o->eo) : 0;
    if (r < 0)
      return EXIT_USAGE;
    if (r)
      continue;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      help();
      return -1;
    }
    if (!strcmp(a, "--resume")) {
      o->resume = 1;
      continue;
    }
    if (!strcmp(a, "--list")) {
      o->list = 1;
      continue;
    }
    if (!strcmp(a, "--quiet")) {
      o->quiet = 1;
      continue;
    }
    if (i + 1 >= argc)
      return cli_fail("assess: unknown option '%s' (or it needs a value)", a);
    const char *v = argv[++i];
    int rc = 0;
    if (!strcmp(a, "--target"))
      o->target = v;
    else if (!strcmp(a, "--model"))
      o->model = v;
    else if (!strcmp(a, "--api-key-env"))
      o->key_env = v;
    else if (!strcmp(a, "--system"))
      o->system = v;
    else if (!strcmp(a, "--tools"))
      o->tools = v;
    else if (!strcmp(a, "--out"))
      o->out = v;
    else if (!strcmp(a, "--probes"))
      o->probes = v;
    else if (!strcmp(a, "--baseline"))
      o->baseline = v;
    else if (!strcmp(a, "--family"))
      rc = parse_list(v, o->families, AS_N_FAMILIES, as_family_parse, "family");
    else if (!strcmp(a, "--transforms"))
      rc = parse_list(v, o->transforms, AS_N_TRANSFORMS, as_transform_parse,
                      "transform");
    else if (!strcmp(a, "--concurrency"))
      rc = parse_num(v, 1, 256, &o->concurrency, a);
    else if (!strcmp(a, "--rate"))
      rc = parse_num(v, 0, 10000, &o->rate, a);
    else if (!strcmp(a, "--retries"))
      rc = parse_num(v, 0, 10, &o->retries, a);
    else if (!strcmp(a, "--timeout"))
      rc = parse_num(v, 0.1, 3600, &o->timeout, a);
    else if (!strcmp(a, "--max-tokens"))
      rc = parse_num(v, 1, 100000, &o->max_tokens, a);
    else if (!strcmp(a, "--fail-above"))
      rc = parse_num(v, 0, 1, &o->fail_above, a);
    else
      return cli_fail("assess: unknown option '%s'", a);
    if (rc)
      return rc;
  }
  /* Untransformed probes always run: the headline rates are over them. */
  o->transforms[AS_TR_NONE] = 1;
  if (o->list)
    return 0;
  if (!o->target || !o->model)
    return cli_fail("assess: --target and --model are required (see --help)");
  if (strncmp(o->target, "http://", 7) && strncmp(o->target, "https://", 8))
    return cli_fail("assess: --target must be an http:// or https:// URL");
  return 0;
}

/* Read an optional file argument into *buf (NULL when path is NULL). */
static int read_opt(const char *path, size_t max, char **buf) {
  size_t len;
  *buf = NULL;
  if (!path)
    return 0;
  return cli_read_input(path, max, buf, &len);
}

int cmd_assess(int argc, char **argv) {
  assess_opts o;
  memset(&o, 0, sizeof(o));
  int rc = parse_args(argc, argv, &o);
  if (rc)
    return rc < 0 ? 0 : rc;

  aigate_error err = {{0}};
  as_probe_set set;
  rc = o.probes ? as_probes_load_dir(&set, o.probes, &err)
                : as_probes_load_embedded(&set, &err);
  if (rc) {
    as_probes_free(&set);
    return cli_fail("%s", err.msg[0] ? err.msg : aigate_strerror(rc));
  }
  if (o.list) {
    list_probes(&set);
    as_probes_free(&set);
    return 0;
  }

  char *system = NULL, *tools = NULL, *baseline = NULL, *shown = NULL;
  aigate_config *cfg = NULL;
  aigate_engine *engine = NULL;
  as_run run;
  memset(&run, 0, sizeof(run));
  json_t *rep = NULL;
  int exit_code = EXIT_USAGE;
  char path[4096], state[4096];

  const char *key_env = o.key_env ? o.key_env : "OPENAI_API_KEY";
  const char *key = getenv(key_env);
  if (o.key_env && (!key || !key[0])) {
    cli_fail("assess: %s is not set", key_env);
    goto out;
  }
  if (read_opt(o.system, 1u << 20, &system) ||
      (o.tools && strcmp(o.tools, "none") &&
       read_opt(o.tools, 1u << 20, &tools)) ||
      read_opt(o.baseline, 64u << 20, &baseline))
    goto out;
  if (snprintf(path, sizeof(path), "%s/transcripts.jsonl", o.out) >=
          (int)sizeof(path) ||
      snprintf(state, sizeof(state), "%s/run.json", o.out) >=
          (int)sizeof(state)) {
    cli_fail("assess: --out path too long");
    goto out;
  }
  if (as_run_plan(&run, &set, o.families, o.transforms)) {
    cli_fail("out of memory");
    goto out;
  }
  if (run.n == 0) {
    cli_fail("assess: no probe of the chosen families");
    goto out;
  }
  if (mkdir(o.out, 0755) && errno != EEXIST) {
    cli_fail("%s: %s", o.out, strerror(errno));
    goto out;
  }
  if (o.resume) {
    if (as_run_state_load(&run, state, &err) ||
        as_run_resume(&run, path, &err)) {
      cli_fail("assess: cannot resume: %s", err.msg);
      goto out;
    }
  } else {
    if (access(path, F_OK) == 0) {
      cli_fail("assess: %s holds an earlier run; use --resume or another "
               "--out",
               o.out);
      goto out;
    }
    if (as_run_state_save(&run, state, &err)) {
      cli_fail("%s", err.msg);
      goto out;
    }
  }
  if (cli_engine(&o.eo, &cfg, &engine))
    goto out;

  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
    cli_fail("assess: libcurl failed to initialise");
    goto out;
  }
  size_t last_progress = 0;
  as_run_options ro = {
      .base_url = o.target,
      .model = o.model,
      .api_key = key,
      .system = system,
      .tools = o.tools && !strcmp(o.tools, "none") ? "none" : tools,
      .concurrency = (int)o.concurrency,
      .rate = o.rate,
      .retries = (int)o.retries,
      .timeout_ms = (long)(o.timeout * 1000),
      .backoff_ms = 500,
      .temperature = 0,
      .max_tokens = (long)o.max_tokens,
      .transcripts = path,
      .stop = &stop_requested,
      .engine = engine,
      .progress = o.quiet ? NULL : progress,
      .ud = &last_progress,
  };
  /* A trailing slash on the base URL would double up. */
  char base[2048];
  snprintf(base, sizeof(base), "%s", o.target);
  size_t bl = strlen(base);
  while (bl > 0 && base[bl - 1] == '/')
    base[--bl] = '\0';
  ro.base_url = base;
  rc = as_run_execute(&run, &ro, &err);
  curl_global_cleanup();
  if (rc) {
    cli_fail("assess: %s", err.msg[0] ? err.msg : aigate_strerror(rc));
    goto out;
  }

  shown = as_url_for_report(o.target);
  as_report_options rop = {shown ? shown : "", o.model,
                           o.fail_above,       o.baseline,
                           baseline,           baseline ? strlen(baseline) : 0};
  if (!(rep = as_report_json(&run, &rop, &err))) {
    cli_fail("assess: %s", err.msg[0] ? err.msg : "out of memory");
    goto out;
  }
  char *js = json_dumps(rep, JSON_INDENT(2));
  char *html = as_report_html(rep);
  int wr = !js || !html ? cli_fail("out of memory")
                        : write_file(o.out, "report.json", js) ||
                              write_file(o.out, "report.html", html);
  free(js);
  free(html);
  if (wr)
    goto out;
  if (!o.quiet)
    summary(rep);

  long long errors = json_integer_value(json_object_get(rep, "errors"));
  exit_code = 0;
  if (run.write_failed)
    fprintf(stderr, "aigate: assess stopped: %s could not be written\n", path);
  if (run.interrupted) {
    fprintf(stderr,
            "aigate: assess interrupted; the report covers what ran (%s), "
            "--resume continues\n",
            o.out);
    exit_code = 1;
  }
  if (errors) {
    fprintf(stderr,
            "aigate: %lld attempts got no usable reply (errors, not passes); "
            "see %s/report.json\n",
            errors, o.out);
    exit_code = 1;
  }
  if (o.fail_above >= 0 && as_report_max_rate(rep) > o.fail_above) {
    fprintf(stderr,
            "aigate: attack success rate %.3f is above --fail-above %.3f\n",
            as_report_max_rate(rep), o.fail_above);
    exit_code = 1;
  }
out:
  json_decref(rep);
  as_run_free(&run);
  as_probes_free(&set);
  aigate_engine_free(engine);
  aigate_config_free(cfg);
  free(system);
  free(tools);
  free(baseline);
  free(shown);
  return exit_code;
}
