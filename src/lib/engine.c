/*
 * engine.c -- builds the immutable engine from configuration and rules,
 * hands out per-thread scratch, and runs the rules' own examples.
 *
 * The engine checks the configuration against the rules it loaded: a
 * policy that names a category no rule has, or overrides an unknown rule
 * id, is an error here, because both are typos that would otherwise leave
 * a defence silently unconfigured.
 */
#include "engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classifier.h"
#include "util.h"

static const char *default_cache_dir(char *buf, size_t n) {
  const char *d = getenv("AIGATE_CACHE_DIR");
  if (d)
    return d;
  if ((d = getenv("XDG_CACHE_HOME")) && *d) {
    snprintf(buf, n, "%s/aigate", d);
    return buf;
  }
  if ((d = getenv("HOME")) && *d) {
    snprintf(buf, n, "%s/.cache/aigate", d);
    return buf;
  }
  return "";
}

static int index_categories(aigate_engine *e) {
  e->rule_cat = calloc(e->rs.n_rules ? e->rs.n_rules : 1, sizeof(size_t));
  e->cats = calloc(e->rs.n_rules ? e->rs.n_rules : 1, sizeof(char *));
  e->detectors = calloc(e->rs.n_rules ? e->rs.n_rules : 1, sizeof(size_t));
  if (!e->rule_cat || !e->cats || !e->detectors)
    return AIGATE_ERR_NOMEM;
  for (size_t i = 0; i < e->rs.n_rules; i++) {
    const char *c = e->rs.rules[i].category;
    size_t k;
    for (k = 0; k < e->n_cats; k++)
      if (strcmp(e->cats[k], c) == 0)
        break;
    if (k == e->n_cats)
      e->cats[e->n_cats++] = (char *)c; /* owned by the rule */
    e->rule_cat[i] = k;
    if (e->rs.rules[i].detector)
      e->detectors[e->n_detectors++] = i;
  }
  return 0;
}

static int check_profile(const aigate_engine *e, const ag_profile *p,
                         aigate_error *err) {
  for (size_t i = 0; i < p->n_cats; i++) {
    size_t k;
    for (k = 0; k < e->n_cats; k++)
      if (strcmp(e->cats[k], p->cats[i].name) == 0)
        break;
    if (k == e->n_cats) {
      ag_err(err, "%s:%d: no rule has the category '%s'", e->cfg->name,
             p->cats[i].line, p->cats[i].name);
      return AIGATE_ERR_CONFIG;
    }
  }
  return 0;
}

/*
 * The classifier's model: the caller's choice, else the configuration's,
 * else the embedded one (with the embedded rules only: a rule set of
 * one's own starts without it). Its findings carry a rule of their own,
 * in the injection category, so that policies treat them as they treat
 * the injection rules.
 */
static int load_model(aigate_engine *e, const aigate_engine_options *opt,
                      aigate_error *err) {
  const char *path = opt->model;
  if (!e->cfg->ml_enabled || (path && !*path))
    return 0;
  if (!path)
    path = e->cfg->ml_model;
  int rc;
  if (path)
    rc = aigate_model_load_file(path, &e->model, err);
  else if (!opt->rules_dir && ag_embedded_model_len)
    rc = aigate_model_load_buffer("<embedded model>", ag_embedded_model,
                                  ag_embedded_model_len, &e->model, err);
  else
    return 0;
  if (rc)
    return rc;
  e->ml_rule = (ag_rule){
      .id = "classifier",
      .family = "classifier",
      .category = "injection",
      .message = "Injection/jailbreak classifier",
      .file = "",
      .severity = 4,
      .paranoia = 1,
      .view = AG_VIEW_FOLDED,
      .directions = AG_DIR_INPUT,
  };
  return 0;
}

const aigate_model *aigate_engine_model(const aigate_engine *e) {
  return e ? e->model : NULL;
}

int aigate_engine_new(const aigate_engine_options *opt, aigate_engine **out,
                      aigate_error *err) {
  *out = NULL;
  aigate_engine_options none = {0};
  if (!opt)
    opt = &none;
  aigate_engine *e = calloc(1, sizeof(*e));
  if (!e)
    return AIGATE_ERR_NOMEM;
  int rc = 0;
  if (opt->config) {
    e->cfg = opt->config;
  } else {
    if ((rc = aigate_config_default(&e->own_cfg, err)))
      goto fail;
    e->cfg = e->own_cfg;
  }
  rc = opt->rules_dir ? ag_rules_load_path(&e->rs, opt->rules_dir, err)
                      : ag_rules_load_embedded(&e->rs, err);
  for (size_t i = 0; !rc && i < e->cfg->n_rule_paths; i++)
    rc = ag_rules_load_path(&e->rs, e->cfg->rule_paths[i], err);
  if (rc || (rc = ag_rules_apply_config(&e->rs, e->cfg, err)) ||
      (rc = index_categories(e)))
    goto fail;
  rc = check_profile(e, &e->cfg->policy, err);
  for (size_t i = 0; !rc && i < e->cfg->n_profiles; i++)
    rc = check_profile(e, &e->cfg->profiles[i], err);
  if (rc || (rc = load_model(e, opt, err)))
    goto fail;
  char buf[4096];
  const char *cache =
      opt->cache_dir ? opt->cache_dir : default_cache_dir(buf, sizeof(buf));
  if ((rc = ag_matcher_build(&e->m, &e->rs, cache, err)))
    goto fail;
  *out = e;
  return AIGATE_OK;
fail:
  if (rc == AIGATE_ERR_NOMEM)
    ag_err(err, "out of memory");
  aigate_engine_free(e);
  return rc;
}

void aigate_engine_free(aigate_engine *e) {
  if (!e)
    return;
  ag_matcher_free(&e->m, &e->rs);
  ag_ruleset_free(&e->rs);
  aigate_model_free(e->model);
  free(e->cats);
  free(e->rule_cat);
  free(e->detectors);
  aigate_config_free(e->own_cfg);
  free(e);
}

void aigate_engine_cache_stats(const aigate_engine *e, int *loaded,
                               int *compiled) {
  *loaded = e->m.cache_loaded;
  *compiled = e->m.cache_compiled;
}

const aigate_config *aigate_engine_config(const aigate_engine *e) {
  return e ? e->cfg : NULL;
}

int aigate_scratch_new(const aigate_engine *e, aigate_scratch **out) {
  *out = NULL;
  aigate_scratch *s = calloc(1, sizeof(*s));
  if (!s)
    return AIGATE_ERR_NOMEM;
  s->e = e;
  size_t np = ag_matcher_patterns(&e->rs) + 1;
  s->cat_modes = calloc(e->n_cats ? e->n_cats : 1, sizeof(aigate_mode));
  s->pat_from = calloc(np, sizeof(size_t));
  s->pat_count = calloc(np, sizeof(unsigned));
  s->pat_epoch = calloc(np, sizeof(unsigned));
  s->run_from = calloc(np, sizeof(size_t));
  s->run_to = calloc(np, sizeof(size_t));
  s->run_rule = calloc(np, sizeof(size_t));
  s->run_pattern = calloc(np, sizeof(size_t));
  int rc = s->cat_modes && s->pat_from && s->pat_count && s->pat_epoch &&
                   s->run_from && s->run_to && s->run_rule && s->run_pattern
               ? ag_match_scratch_new(&e->m, &s->ms)
               : AIGATE_ERR_NOMEM;
  if (!rc)
    rc = ag_clean_init(s);
  if (rc) {
    aigate_scratch_free(s);
    return rc;
  }
  *out = s;
  return AIGATE_OK;
}

void aigate_scratch_free(aigate_scratch *s) {
  if (!s)
    return;
  ag_match_scratch_free(s->ms);
  for (size_t i = 0; i < AG_MAX_LAYERS; i++) {
    ag_buf_free(&s->layers[i].input);
    ag_map_free(&s->layers[i].to_parent);
    ag_view_free(&s->layers[i].raw);
    ag_view_free(&s->layers[i].folded);
  }
  free(s->findings);
  ag_clean_free(s);
  free(s->cat_modes);
  free(s->pat_from);
  free(s->pat_count);
  free(s->pat_epoch);
  free(s->run_from);
  free(s->run_to);
  free(s->run_rule);
  free(s->run_pattern);
  free(s);
}

size_t aigate_rule_count(const aigate_engine *e) {
  return e->rs.n_rules;
}

int aigate_rule_get(const aigate_engine *e, size_t i, aigate_rule_info *info) {
  if (i >= e->rs.n_rules)
    return AIGATE_ERR_NOT_FOUND;
  const ag_rule *r = &e->rs.rules[i];
  *info = (aigate_rule_info){
      .id = r->id,
      .family = r->family,
      .category = r->category,
      .message = r->message,
      .file = r->file,
      .line = r->line,
      .severity = r->severity,
      .score = r->score,
      .paranoia = r->paranoia,
      .n_match = r->n_match,
      .n_no_match = r->n_no_match,
      .match = (const char *const *)r->match,
      .no_match = (const char *const *)r->no_match,
  };
  return AIGATE_OK;
}

static int fired(const aigate_result *res, const char *id) {
  for (size_t i = 0; i < res->n_findings; i++)
    if (strcmp(res->findings[i].rule_id, id) == 0)
      return 1;
  return 0;
}

int aigate_rules_selftest(const aigate_engine *e, aigate_selftest_cb cb,
                          void *ud) {
  aigate_scratch *s;
  int rc = aigate_scratch_new(e, &s);
  if (rc)
    return rc;
  int failures = 0;
  for (size_t i = 0; i < e->rs.n_rules; i++) {
    aigate_rule_info info;
    aigate_rule_get(e, i, &info);
    const ag_rule *r = &e->rs.rules[i];
    aigate_scan_options opt = {.direction = (r->directions & AG_DIR_INPUT)
                                                ? AIGATE_INPUT
                                                : AIGATE_OUTPUT,
                               .all_rules = 1};
    if (!r->n_match || !r->n_no_match) {
      failures++;
      if (cb)
        cb(ud, &info, !r->n_match, NULL, 0);
    }
    for (int want = 1; want >= 0; want--) {
      char **ex = want ? r->match : r->no_match;
      size_t n = want ? r->n_match : r->n_no_match;
      for (size_t k = 0; k < n; k++) {
        aigate_result res;
        int src = aigate_scan_ex(e, s, ex[k], strlen(ex[k]), &opt, &res);
        int ok = src == AIGATE_OK && fired(&res, r->id) == want;
        failures += !ok;
        if (cb)
          cb(ud, &info, want, ex[k], ok);
      }
    }
  }
  aigate_scratch_free(s);
  return failures;
}
