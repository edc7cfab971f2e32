/*
 * config.c -- the YAML configuration: policy, profiles, rule selection,
 * limits (schema in docs/config.md).
 *
 * The loader is strict on purpose: an unknown key, a wrong type or a value
 * out of range is an error naming file and line. A typo in a security
 * policy must never silently fall back to a default. Front ends with
 * their own sections in the same file (the gateway) name them as foreign:
 * the library skips those and the front end checks them as strictly.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "util.h"
#include "yamltree.h"

#define DEFAULT_MAX_INPUT ((size_t)64 << 20)
#define DEFAULT_DECODE_BUDGET ((size_t)1 << 20)
#define MAX_PROFILES 256
#define MAX_INHERIT_DEPTH 8

typedef struct {
  yt_where w;
  const char *const *foreign;
} ctx;

static int is_foreign(const ctx *c, const char *key) {
  for (const char *const *f = c->foreign; f && *f; f++)
    if (strcmp(*f, key) == 0)
      return 1;
  return 0;
}

static int bad(ctx *c, const yt_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int bad(ctx *c, const yt_node *n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = yt_vfail(&c->w, n, fmt, ap);
  va_end(ap);
  return rc;
}

int ag_parse_action(const char *s, aigate_action *out) {
  static const char *names[] = {"allow", "log", "redact", "block"};
  for (int i = 0; i < 4; i++)
    if (strcmp(s, names[i]) == 0) {
      *out = (aigate_action)i;
      return 0;
    }
  return -1;
}

static int parse_mode(const char *s, aigate_mode *out) {
  static const char *names[] = {"enforce", "detect-only", "off"};
  for (int i = 0; i < 3; i++)
    if (strcmp(s, names[i]) == 0) {
      *out = (aigate_mode)i;
      return 0;
    }
  return -1;
}

static int add_category(ctx *c, ag_profile *p, const yt_node *key,
                        const yt_node *val) {
  ag_category_policy cp = {.line = key->line};
  if (!ag_valid_name(key->str))
    return bad(c, key, "invalid category name '%s'", key->str);
  if (val->type == YT_SCALAR) { /* shorthand: `pii: redact` */
    if (ag_parse_action(val->str, &cp.action))
      return bad(c, val, "unknown action '%s' (allow, log, redact, block)",
                 val->str);
    cp.has_action = 1;
  } else {
    int rc = yt_check_map(&c->w, val, "a category policy");
    if (rc)
      return rc;
    for (size_t i = 0; i < val->n; i++) {
      const yt_node *k = val->kids[2 * i], *v = val->kids[2 * i + 1];
      if ((rc = yt_want(&c->w, v, YT_SCALAR, k->str)))
        return rc;
      if (strcmp(k->str, "action") == 0) {
        if (ag_parse_action(v->str, &cp.action))
          return bad(c, v, "unknown action '%s' (allow, log, redact, block)",
                     v->str);
        cp.has_action = 1;
      } else if (strcmp(k->str, "mode") == 0) {
        if (parse_mode(v->str, &cp.mode))
          return bad(c, v, "unknown mode '%s' (enforce, detect-only, off)",
                     v->str);
        cp.has_mode = 1;
      } else {
        return bad(c, k, "unknown key '%s' in category '%s' (action, mode)",
                   k->str, key->str);
      }
    }
  }
  ag_category_policy *cats = realloc(p->cats, (p->n_cats + 1) * sizeof(*cats));
  if (!cats)
    return AIGATE_ERR_NOMEM;
  p->cats = cats;
  if (!(cp.name = strdup(key->str)))
    return AIGATE_ERR_NOMEM;
  p->cats[p->n_cats++] = cp;
  return 0;
}

/* A host for exfiltration.allow_hosts: "example.com" or "*.example.com",
 * letters, digits, dots and dashes; stored in lower case. */
static int valid_host(char *h) {
  char *p = h;
  if (p[0] == '*' && p[1] == '.')
    p += 2;
  if (!*p || strlen(h) > 253)
    return 0;
  for (; *p; p++) {
    if (*p >= 'A' && *p <= 'Z')
      *p = (char)(*p + 32);
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' ||
          *p == '-' || *p == ':' || *p == '[' || *p == ']'))
      return 0;
  }
  return 1;
}

static void free_list(char **v, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

/* exfiltration: {allow_hosts: [...]}; a profile's list replaces the
 * inherited one. */
static int parse_exfiltration(ctx *c, const yt_node *map, ag_profile *p) {
  int rc = yt_check_map(&c->w, map, "exfiltration");
  if (rc)
    return rc;
  for (size_t i = 0; i < map->n; i++) {
    const yt_node *k = map->kids[2 * i], *v = map->kids[2 * i + 1];
    if (strcmp(k->str, "allow_hosts") != 0)
      return bad(c, k, "unknown key '%s' in exfiltration (allow_hosts)",
                 k->str);
    if ((rc = yt_want(&c->w, v, YT_SEQ, "allow_hosts")))
      return rc;
    if (v->n > 4096)
      return bad(c, v, "allow_hosts has more than 4096 hosts");
    char **hosts = calloc(v->n ? v->n : 1, sizeof(char *));
    if (!hosts)
      return AIGATE_ERR_NOMEM;
    size_t n = 0;
    for (size_t j = 0; j < v->n && !rc; j++) {
      const yt_node *h = v->kids[j];
      if ((rc = yt_want(&c->w, h, YT_SCALAR, "a host")))
        break;
      if (!(hosts[n] = strdup(h->str))) {
        rc = AIGATE_ERR_NOMEM;
        break;
      }
      if (!valid_host(hosts[n++]))
        rc = bad(c, h,
                 "invalid host '%s' in allow_hosts (a host name, or "
                 "*.domain for its subdomains)",
                 h->str);
    }
    if (rc) {
      free_list(hosts, n);
      return rc;
    }
    free_list(p->exfil_hosts, p->n_exfil_hosts);
    p->exfil_hosts = hosts;
    p->n_exfil_hosts = n;
  }
  return 0;
}

/* tools: {name: kind}: which rule families check a tool's arguments. */
static int parse_tools(ctx *c, const yt_node *map, ag_profile *p) {
  static const char *const kinds[] = {"auto", "shell", "sql",
                                      "http", "file",  "other"};
  int rc = yt_check_map(&c->w, map, "tools");
  if (rc)
    return rc;
  if (map->n > 4096)
    return bad(c, map, "more than 4096 tools");
  for (size_t i = 0; i < map->n; i++) {
    const yt_node *k = map->kids[2 * i], *v = map->kids[2 * i + 1];
    if ((rc = yt_want(&c->w, v, YT_SCALAR, "a tool kind")))
      return rc;
    size_t kind;
    for (kind = 1; kind < sizeof(kinds) / sizeof(*kinds); kind++)
      if (strcmp(v->str, kinds[kind]) == 0)
        break;
    if (kind == sizeof(kinds) / sizeof(*kinds))
      return bad(c, v, "unknown tool kind '%s' (shell, sql, http, file, other)",
                 v->str);
    char **names = realloc(p->tool_names, (p->n_tools + 1) * sizeof(char *));
    if (!names)
      return AIGATE_ERR_NOMEM;
    p->tool_names = names;
    int *ks = realloc(p->tool_kinds, (p->n_tools + 1) * sizeof(int));
    if (!ks)
      return AIGATE_ERR_NOMEM;
    p->tool_kinds = ks;
    if (!(p->tool_names[p->n_tools] = strdup(k->str)))
      return AIGATE_ERR_NOMEM;
    p->tool_kinds[p->n_tools++] = (int)kind;
  }
  return 0;
}

/* leak: {canary, rotate_seconds, overlap_percent, action}. */
static int parse_leak(ctx *c, ag_profile *cfg, const yt_node *map) {
  int rc = yt_check_map(&c->w, map, "leak");
  if (rc)
    return rc;
  for (size_t i = 0; i < map->n; i++) {
    const yt_node *k = map->kids[2 * i], *v = map->kids[2 * i + 1];
    long num;
    if (strcmp(k->str, "canary") == 0) {
      if ((rc = yt_want(&c->w, v, YT_SCALAR, "canary")))
        return rc;
      if (strcmp(v->str, "true") && strcmp(v->str, "false"))
        return bad(c, v, "canary must be true or false");
      cfg->leak.canary = strcmp(v->str, "true") == 0;
    } else if (strcmp(k->str, "rotate_seconds") == 0) {
      if ((rc = yt_get_int(&c->w, v, "rotate_seconds", 0, 31622400, &num)))
        return rc;
      cfg->leak.rotate_seconds = (uint64_t)num;
    } else if (strcmp(k->str, "overlap_percent") == 0) {
      if ((rc = yt_get_int(&c->w, v, "overlap_percent", 0, 100, &num)))
        return rc;
      cfg->leak.overlap_pct = (unsigned)num;
    } else if (strcmp(k->str, "action") == 0) {
      if ((rc = yt_want(&c->w, v, YT_SCALAR, "action")))
        return rc;
      if (strcmp(v->str, "block") == 0)
        cfg->leak.action = AIGATE_BLOCK;
      else if (strcmp(v->str, "log") == 0)
        cfg->leak.action = AIGATE_LOG;
      else
        return bad(c, v, "leak action must be 'block' or 'log'");
    } else {
      return bad(c, k,
                 "unknown key '%s' in leak (canary, rotate_seconds, "
                 "overlap_percent, action)",
                 k->str);
    }
  }
  return 0;
}

int aigate_config_spotlight(const aigate_config *cfg, const char *profile,
                            aigate_spotlight *out) {
  const ag_profile *p = cfg ? ag_config_profile(cfg, profile) : NULL;
  *out = p ? p->spotlight : AIGATE_SPOTLIGHT_OFF;
  return !cfg || p ? AIGATE_OK : AIGATE_ERR_NOT_FOUND;
}

int aigate_config_leak(const aigate_config *cfg, const char *profile,
                       aigate_leak_policy *out) {
  static const aigate_leak_policy none = {0, 86400, 50, AIGATE_BLOCK};
  const ag_profile *p = cfg ? ag_config_profile(cfg, profile) : NULL;
  *out = p ? p->leak : none;
  return !cfg || p ? AIGATE_OK : AIGATE_ERR_NOT_FOUND;
}

/* Parse a policy or profile map into p (which already holds inherited
 * values). `is_profile` allows `inherits`. */
static int parse_profile(ctx *c, const yt_node *map, ag_profile *p,
                         int is_profile) {
  const char *what = is_profile ? "a profile" : "policy";
  int rc = yt_check_map(&c->w, map, what);
  if (rc)
    return rc;
  for (size_t i = 0; i < map->n; i++) {
    const yt_node *k = map->kids[2 * i], *v = map->kids[2 * i + 1];
    long num;
    if (strcmp(k->str, "paranoia") == 0) {
      if ((rc = yt_get_int(&c->w, v, "paranoia", 1, AG_MAX_PARANOIA, &num)))
        return rc;
      p->paranoia = (int)num;
    } else if (strcmp(k->str, "fail_mode") == 0) {
      if ((rc = yt_want(&c->w, v, YT_SCALAR, "fail_mode")))
        return rc;
      if (strcmp(v->str, "closed") == 0)
        p->fail_open = 0;
      else if (strcmp(v->str, "open") == 0)
        p->fail_open = 1;
      else
        return bad(c, v, "fail_mode must be 'closed' or 'open'");
    } else if (strcmp(k->str, "thresholds") == 0) {
      if ((rc = yt_check_map(&c->w, v, "thresholds")))
        return rc;
      for (size_t j = 0; j < v->n; j++) {
        long level, t;
        if ((rc = yt_get_int(&c->w, v->kids[2 * j], "a paranoia level", 1,
                             AG_MAX_PARANOIA, &level)) ||
            (rc = yt_get_int(&c->w, v->kids[2 * j + 1], "a threshold", 1, 10000,
                             &t)))
          return rc;
        p->thresholds[level] = (int)t;
      }
    } else if (strcmp(k->str, "categories") == 0) {
      if ((rc = yt_check_map(&c->w, v, "categories")))
        return rc;
      for (size_t j = 0; j < v->n; j++)
        if ((rc = add_category(c, p, v->kids[2 * j], v->kids[2 * j + 1])))
          return rc;
    } else if (strcmp(k->str, "exfiltration") == 0) {
      if ((rc = parse_exfiltration(c, v, p)))
        return rc;
    } else if (strcmp(k->str, "tools") == 0) {
      if ((rc = parse_tools(c, v, p)))
        return rc;
    } else if (strcmp(k->str, "leak") == 0) {
      if ((rc = parse_leak(c, p, v)))
        return rc;
    } else if (strcmp(k->str, "code_blocks") == 0) {
      if ((rc = yt_want(&c->w, v, YT_SCALAR, "code_blocks")))
        return rc;
      if (strcmp(v->str, "true") && strcmp(v->str, "false"))
        return bad(c, v, "code_blocks must be true or false");
      p->code_blocks = strcmp(v->str, "true") == 0;
    } else if (strcmp(k->str, "spotlight") == 0) {
      if ((rc = yt_want(&c->w, v, YT_SCALAR, "spotlight")))
        return rc;
      if (strcmp(v->str, "off") == 0)
        p->spotlight = AIGATE_SPOTLIGHT_OFF;
      else if (strcmp(v->str, "delimit") == 0)
        p->spotlight = AIGATE_SPOTLIGHT_DELIMIT;
      else if (strcmp(v->str, "datamark") == 0)
        p->spotlight = AIGATE_SPOTLIGHT_DATAMARK;
      else
        return bad(c, v, "spotlight must be off, delimit or datamark");
    } else if (is_profile && strcmp(k->str, "inherits") == 0) {
      /* handled by the caller */
    } else {
      return bad(
          c, k,
          "unknown key '%s' in %s (paranoia, fail_mode, thresholds, "
          "categories, exfiltration, tools, code_blocks, leak, spotlight%s)",
          k->str, what, is_profile ? ", inherits" : "");
    }
  }
  return 0;
}

static void profile_free(ag_profile *p) {
  for (size_t i = 0; i < p->n_cats; i++)
    free(p->cats[i].name);
  free(p->cats);
  free(p->name);
  free(p->inherits);
  free_list(p->exfil_hosts, p->n_exfil_hosts);
  free_list(p->tool_names, p->n_tools);
  free(p->tool_kinds);
}

static int profile_copy(ag_profile *dst, const ag_profile *src) {
  *dst = *src;
  dst->name = NULL;
  dst->inherits = NULL;
  dst->cats = NULL;
  dst->n_cats = 0;
  dst->exfil_hosts = dst->tool_names = NULL;
  dst->tool_kinds = NULL;
  dst->n_exfil_hosts = dst->n_tools = 0;
  if (src->n_exfil_hosts) {
    if (!(dst->exfil_hosts = calloc(src->n_exfil_hosts, sizeof(char *))))
      return AIGATE_ERR_NOMEM;
    for (size_t i = 0; i < src->n_exfil_hosts; i++) {
      if (!(dst->exfil_hosts[i] = strdup(src->exfil_hosts[i])))
        return AIGATE_ERR_NOMEM;
      dst->n_exfil_hosts = i + 1;
    }
  }
  if (src->n_tools) {
    dst->tool_names = calloc(src->n_tools, sizeof(char *));
    dst->tool_kinds = calloc(src->n_tools, sizeof(int));
    if (!dst->tool_names || !dst->tool_kinds)
      return AIGATE_ERR_NOMEM;
    for (size_t i = 0; i < src->n_tools; i++) {
      if (!(dst->tool_names[i] = strdup(src->tool_names[i])))
        return AIGATE_ERR_NOMEM;
      dst->tool_kinds[i] = src->tool_kinds[i];
      dst->n_tools = i + 1;
    }
  }
  if (src->n_cats) {
    dst->cats = calloc(src->n_cats, sizeof(*dst->cats));
    if (!dst->cats)
      return AIGATE_ERR_NOMEM;
    for (size_t i = 0; i < src->n_cats; i++) {
      dst->cats[i] = src->cats[i];
      if (!(dst->cats[i].name = strdup(src->cats[i].name)))
        return AIGATE_ERR_NOMEM;
      dst->n_cats = i + 1;
    }
  }
  return 0;
}

static void default_profile(ag_profile *p) {
  memset(p, 0, sizeof(*p));
  p->paranoia = 2;
  p->thresholds[1] = 5;
  p->thresholds[2] = 5;
  p->thresholds[3] = 4;
  p->thresholds[4] = 3;
  p->leak = (aigate_leak_policy){0, 86400, 50, AIGATE_BLOCK};
}

/* Build profile `idx` (from the `profiles` map node) with its ancestors. */
static int build_profile(ctx *c, aigate_config *cfg, const yt_node *profiles,
                         size_t idx, int depth, int *done) {
  const yt_node *key = profiles->kids[2 * idx],
                *val = profiles->kids[2 * idx + 1];
  if (done[idx] == 1)
    return 0;
  if (depth > MAX_INHERIT_DEPTH || done[idx] == 2)
    return bad(c, key, "profile '%s' inherits in a cycle or too deeply",
               key->str);
  done[idx] = 2;
  int rc = yt_check_map(&c->w, val, "a profile");
  if (rc)
    return rc;
  const ag_profile *base = &cfg->policy;
  const yt_node *inh = yt_get(val, "inherits");
  if (inh) {
    if ((rc = yt_want(&c->w, inh, YT_SCALAR, "inherits")))
      return rc;
    if (strcmp(inh->str, "default") != 0) {
      size_t j;
      for (j = 0; j < profiles->n; j++)
        if (strcmp(profiles->kids[2 * j]->str, inh->str) == 0)
          break;
      if (j == profiles->n)
        return bad(c, inh, "profile '%s' inherits unknown profile '%s'",
                   key->str, inh->str);
      if ((rc = build_profile(c, cfg, profiles, j, depth + 1, done)))
        return rc;
      base = &cfg->profiles[j];
    }
  }
  ag_profile *p = &cfg->profiles[idx];
  if ((rc = profile_copy(p, base)))
    return rc;
  p->line = key->line;
  if (!(p->name = strdup(key->str)) ||
      (inh && !(p->inherits = strdup(inh->str))))
    return AIGATE_ERR_NOMEM;
  if ((rc = parse_profile(c, val, p, 1)))
    return rc;
  done[idx] = 1;
  return 0;
}

static int parse_profiles(ctx *c, aigate_config *cfg, const yt_node *map) {
  int rc = yt_check_map(&c->w, map, "profiles");
  if (rc)
    return rc;
  if (map->n > MAX_PROFILES)
    return bad(c, map, "more than %d profiles", MAX_PROFILES);
  for (size_t i = 0; i < map->n; i++) {
    const char *name = map->kids[2 * i]->str;
    if (!ag_valid_name(name) || strcmp(name, "default") == 0)
      return bad(c, map->kids[2 * i], "invalid profile name '%s'", name);
  }
  cfg->profiles = calloc(map->n ? map->n : 1, sizeof(*cfg->profiles));
  int *done = calloc(map->n ? map->n : 1, sizeof(int));
  if (!cfg->profiles || !done) {
    free(done);
    return AIGATE_ERR_NOMEM;
  }
  cfg->n_profiles = map->n;
  for (size_t i = 0; i < map->n && !rc; i++)
    rc = build_profile(c, cfg, map, i, 0, done);
  free(done);
  return rc;
}

static int string_list(ctx *c, const yt_node *seq, const char *what,
                       char ***out, size_t *n) {
  int rc = yt_want(&c->w, seq, YT_SEQ, what);
  if (rc)
    return rc;
  char **v = calloc(seq->n ? seq->n : 1, sizeof(char *));
  if (!v)
    return AIGATE_ERR_NOMEM;
  *out = v;
  for (size_t i = 0; i < seq->n; i++) {
    if ((rc = yt_want(&c->w, seq->kids[i], YT_SCALAR, what)))
      return rc;
    if (!(v[i] = strdup(seq->kids[i]->str)))
      return AIGATE_ERR_NOMEM;
    *n = i + 1;
  }
  return 0;
}

static ag_rule_override *add_override(aigate_config *cfg, const yt_node *id) {
  ag_rule_override *o =
      realloc(cfg->overrides, (cfg->n_overrides + 1) * sizeof(*o));
  if (!o)
    return NULL;
  cfg->overrides = o;
  o = &cfg->overrides[cfg->n_overrides];
  *o = (ag_rule_override){.line = id->line,
                          .score = -1,
                          .severity = -1,
                          .paranoia = -1,
                          .disabled = -1};
  if (!(o->id = strdup(id->str)))
    return NULL;
  cfg->n_overrides++;
  return o;
}

int ag_parse_severity(const char *s) {
  if (strcmp(s, "critical") == 0)
    return 5;
  if (strcmp(s, "high") == 0)
    return 4;
  if (strcmp(s, "medium") == 0)
    return 3;
  if (strcmp(s, "low") == 0)
    return 2;
  return -1;
}

static int parse_rules_section(ctx *c, aigate_config *cfg, const yt_node *map) {
  int rc = yt_check_map(&c->w, map, "rules");
  if (rc)
    return rc;
  for (size_t i = 0; i < map->n; i++) {
    const yt_node *k = map->kids[2 * i], *v = map->kids[2 * i + 1];
    if (strcmp(k->str, "paths") == 0) {
      if ((rc = string_list(c, v, "rules.paths", &cfg->rule_paths,
                            &cfg->n_rule_paths)))
        return rc;
    } else if (strcmp(k->str, "disable") == 0 ||
               strcmp(k->str, "enable") == 0) {
      if ((rc = yt_want(&c->w, v, YT_SEQ, k->str)))
        return rc;
      for (size_t j = 0; j < v->n; j++) {
        if ((rc = yt_want(&c->w, v->kids[j], YT_SCALAR, "a rule id")))
          return rc;
        ag_rule_override *o = add_override(cfg, v->kids[j]);
        if (!o)
          return AIGATE_ERR_NOMEM;
        o->disabled = k->str[0] == 'd';
      }
    } else if (strcmp(k->str, "overrides") == 0) {
      if ((rc = yt_check_map(&c->w, v, "rules.overrides")))
        return rc;
      for (size_t j = 0; j < v->n; j++) {
        const yt_node *id = v->kids[2 * j], *ov = v->kids[2 * j + 1];
        if ((rc = yt_check_map(&c->w, ov, "a rule override")))
          return rc;
        ag_rule_override *o = add_override(cfg, id);
        if (!o)
          return AIGATE_ERR_NOMEM;
        for (size_t m = 0; m < ov->n; m++) {
          const yt_node *ok = ov->kids[2 * m], *ovv = ov->kids[2 * m + 1];
          long num;
          if (strcmp(ok->str, "score") == 0) {
            if ((rc = yt_get_int(&c->w, ovv, "score", 0, 100, &num)))
              return rc;
            o->score = (int)num;
          } else if (strcmp(ok->str, "paranoia") == 0) {
            if ((rc = yt_get_int(&c->w, ovv, "paranoia", 1, AG_MAX_PARANOIA,
                                 &num)))
              return rc;
            o->paranoia = (int)num;
          } else if (strcmp(ok->str, "severity") == 0) {
            if ((rc = yt_want(&c->w, ovv, YT_SCALAR, "severity")))
              return rc;
            if ((o->severity = ag_parse_severity(ovv->str)) < 0)
              return bad(c, ovv,
                         "unknown severity '%s' (critical, high, medium, low)",
                         ovv->str);
          } else if (strcmp(ok->str, "enabled") == 0) {
            if ((rc = yt_want(&c->w, ovv, YT_SCALAR, "enabled")))
              return rc;
            if (strcmp(ovv->str, "true") && strcmp(ovv->str, "false"))
              return bad(c, ovv, "enabled must be true or false");
            o->disabled = ovv->str[0] == 'f';
          } else {
            return bad(c, ok,
                       "unknown key '%s' in a rule override (score, severity, "
                       "paranoia, enabled)",
                       ok->str);
          }
        }
      }
    } else {
      return bad(c, k,
                 "unknown key '%s' in rules (paths, disable, enable, "
                 "overrides)",
                 k->str);
    }
  }
  return 0;
}

static int parse_limits(ctx *c, aigate_config *cfg, const yt_node *map) {
  int rc = yt_check_map(&c->w, map, "limits");
  if (rc)
    return rc;
  for (size_t i = 0; i < map->n; i++) {
    const yt_node *k = map->kids[2 * i], *v = map->kids[2 * i + 1];
    long num;
    if (strcmp(k->str, "max_input_bytes") == 0)
      rc = yt_get_size(&c->w, v, "max_input_bytes", 1, (size_t)1 << 30,
                       &cfg->max_input);
    else if (strcmp(k->str, "max_decoded_bytes") == 0)
      rc = yt_get_size(&c->w, v, "max_decoded_bytes", 0, (size_t)64 << 20,
                       &cfg->decode_budget);
    else if (strcmp(k->str, "decode_depth") == 0) {
      if (!(rc = yt_get_int(&c->w, v, "decode_depth", 0, 3, &num)))
        cfg->decode_depth = (int)num;
    } else
      return bad(c, k,
                 "unknown key '%s' in limits (max_input_bytes, "
                 "max_decoded_bytes, decode_depth)",
                 k->str);
    if (rc)
      return rc;
  }
  return 0;
}

/* classifier: {enabled: true|false, model: PATH} (docs/config.md). */
static int parse_classifier(ctx *c, aigate_config *cfg, const yt_node *map) {
  int rc = yt_check_map(&c->w, map, "classifier");
  if (rc)
    return rc;
  for (size_t i = 0; i < map->n; i++) {
    const yt_node *k = map->kids[2 * i], *v = map->kids[2 * i + 1];
    if ((rc = yt_want(&c->w, v, YT_SCALAR, k->str)))
      return rc;
    if (strcmp(k->str, "enabled") == 0) {
      if (strcmp(v->str, "true") == 0)
        cfg->ml_enabled = 1;
      else if (strcmp(v->str, "false") == 0)
        cfg->ml_enabled = 0;
      else
        return bad(c, v, "classifier.enabled must be true or false");
    } else if (strcmp(k->str, "model") == 0) {
      if (!*v->str)
        return bad(c, v, "classifier.model must be a file name");
      free(cfg->ml_model);
      if (!(cfg->ml_model = strdup(v->str)))
        return AIGATE_ERR_NOMEM;
    } else {
      return bad(c, k, "unknown key '%s' in classifier (enabled, model)",
                 k->str);
    }
  }
  return 0;
}

static int parse_config(ctx *c, aigate_config *cfg, const yt_node *root) {
  if (!root)
    return 0; /* an empty file is the default configuration */
  int rc = yt_check_map(&c->w, root, "the configuration");
  if (rc)
    return rc;
  /* The policy comes first: profiles inherit from it. */
  const yt_node *policy = yt_get(root, "policy");
  if (policy && (rc = parse_profile(c, policy, &cfg->policy, 0)))
    return rc;
  for (size_t i = 0; i < root->n; i++) {
    const yt_node *k = root->kids[2 * i], *v = root->kids[2 * i + 1];
    long num;
    if (strcmp(k->str, "version") == 0) {
      if ((rc = yt_get_int(&c->w, v, "version", 1, 1, &num)))
        return rc;
    } else if (strcmp(k->str, "policy") == 0) {
      /* done above */
    } else if (strcmp(k->str, "profiles") == 0) {
      rc = parse_profiles(c, cfg, v);
    } else if (strcmp(k->str, "rules") == 0) {
      rc = parse_rules_section(c, cfg, v);
    } else if (strcmp(k->str, "limits") == 0) {
      rc = parse_limits(c, cfg, v);
    } else if (strcmp(k->str, "classifier") == 0) {
      rc = parse_classifier(c, cfg, v);
    } else if (is_foreign(c, k->str)) {
      /* the front end's section */
    } else {
      return bad(c, k,
                 "unknown key '%s' (version, policy, profiles, rules, limits, "
                 "classifier)",
                 k->str);
    }
    if (rc)
      return rc;
  }
  return 0;
}

static aigate_config *config_new(const char *name) {
  aigate_config *cfg = calloc(1, sizeof(*cfg));
  if (!cfg)
    return NULL;
  if (!(cfg->name = strdup(name))) {
    free(cfg);
    return NULL;
  }
  default_profile(&cfg->policy);
  cfg->max_input = DEFAULT_MAX_INPUT;
  cfg->decode_depth = 3;
  cfg->decode_budget = DEFAULT_DECODE_BUDGET;
  cfg->ml_enabled = 1;
  return cfg;
}

int aigate_config_load_buffer(const char *name, const char *buf, size_t len,
                              aigate_config **out, aigate_error *err) {
  return aigate_config_load_buffer_ex(name, buf, len, NULL, out, err);
}

int aigate_config_load_buffer_ex(const char *name, const char *buf, size_t len,
                                 const char *const *foreign,
                                 aigate_config **out, aigate_error *err) {
  *out = NULL;
  if (!name || (!buf && len))
    return AIGATE_ERR_INVALID;
  char msg[sizeof(err->msg)];
  yt_doc *doc = yt_parse(name, buf ? buf : "", len, msg, sizeof(msg));
  if (!doc) {
    ag_err(err, "%s", msg);
    return AIGATE_ERR_CONFIG;
  }
  aigate_config *cfg = config_new(name);
  if (!cfg) {
    yt_free(doc);
    return AIGATE_ERR_NOMEM;
  }
  ctx c = {{name, err}, foreign};
  int rc = parse_config(&c, cfg, yt_root(doc));
  yt_free(doc);
  if (rc) {
    if (rc == AIGATE_ERR_NOMEM)
      ag_err(err, "%s: out of memory", name);
    aigate_config_free(cfg);
    return rc;
  }
  *out = cfg;
  return AIGATE_OK;
}

int aigate_config_load_file(const char *path, aigate_config **out,
                            aigate_error *err) {
  return aigate_config_load_file_ex(path, NULL, out, err);
}

int aigate_config_load_file_ex(const char *path, const char *const *foreign,
                               aigate_config **out, aigate_error *err) {
  *out = NULL;
  char *buf;
  size_t len;
  int rc = ag_read_file(path, YT_MAX_BYTES, &buf, &len, err);
  if (rc)
    return rc;
  rc = aigate_config_load_buffer_ex(path, buf, len, foreign, out, err);
  free(buf);
  return rc;
}

int aigate_config_default(aigate_config **out, aigate_error *err) {
  return aigate_config_load_buffer("<default>", "", 0, out, err);
}

void aigate_config_free(aigate_config *cfg) {
  if (!cfg)
    return;
  profile_free(&cfg->policy);
  for (size_t i = 0; i < cfg->n_profiles; i++)
    profile_free(&cfg->profiles[i]);
  free(cfg->profiles);
  for (size_t i = 0; i < cfg->n_rule_paths; i++)
    free(cfg->rule_paths[i]);
  free(cfg->rule_paths);
  for (size_t i = 0; i < cfg->n_overrides; i++)
    free(cfg->overrides[i].id);
  free(cfg->overrides);
  free(cfg->ml_model);
  free(cfg->name);
  free(cfg);
}

size_t aigate_config_max_input(const aigate_config *cfg) {
  return cfg ? cfg->max_input : DEFAULT_MAX_INPUT;
}

const ag_profile *ag_config_profile(const aigate_config *cfg,
                                    const char *name) {
  if (!name || strcmp(name, "default") == 0)
    return &cfg->policy;
  for (size_t i = 0; i < cfg->n_profiles; i++)
    if (strcmp(cfg->profiles[i].name, name) == 0)
      return &cfg->profiles[i];
  return NULL;
}

/* Built-in defaults: attacks block, sensitive data is redacted, anything
 * else (obfuscation signs, categories added later) is logged and counts
 * towards the anomaly score. */
static aigate_action default_action(const char *category) {
  if (!strcmp(category, "injection") || !strcmp(category, "jailbreak"))
    return AIGATE_BLOCK;
  if (!strcmp(category, "secrets") || !strcmp(category, "pii") ||
      !strcmp(category, "exfiltration"))
    return AIGATE_REDACT;
  /* Tool-call arguments that would destroy, take over or steal. */
  if (!strcmp(category, "destructive-command") ||
      !strcmp(category, "download-exec") ||
      !strcmp(category, "reverse-shell") || !strcmp(category, "persistence") ||
      !strcmp(category, "credential-access") ||
      !strcmp(category, "destructive-sql") ||
      !strcmp(category, "path-traversal"))
    return AIGATE_BLOCK;
  return AIGATE_LOG;
}

void ag_profile_category(const ag_profile *p, const char *category,
                         aigate_action *action, aigate_mode *mode) {
  *action = default_action(category);
  *mode = AIGATE_MODE_ENFORCE;
  /* Later entries (a profile's own) override inherited ones. */
  for (size_t i = 0; i < p->n_cats; i++) {
    if (strcmp(p->cats[i].name, category) != 0)
      continue;
    if (p->cats[i].has_action)
      *action = p->cats[i].action;
    if (p->cats[i].has_mode)
      *mode = p->cats[i].mode;
  }
}
