/*
 * rules.c -- loads rule files (rules/NAME.yaml, schema in docs/rules.md) into
 * a flat rule set.
 *
 * Rules are data, so the loader is where their mistakes must surface: an
 * unknown key, a duplicate id, a bad severity or an empty pattern list is
 * an error naming file and line. Pattern syntax is checked later, when the
 * matcher compiles them (it knows both regex dialects).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "util.h"
#include "yamltree.h"

#define MAX_RULES 20000
#define MAX_RULE_FILE (4u << 20)
#define MAX_RULE_FILES 512

typedef struct {
  const char *file;
  aigate_error *err;
} ctx;

static int bad(ctx *c, const yt_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int bad(ctx *c, const yt_node *n, const char *fmt, ...) {
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  ag_err(c->err, "%s:%d: %s", c->file, n ? n->line : 0, msg);
  return AIGATE_ERR_CONFIG;
}

static int scalar(ctx *c, const yt_node *n, const char *what) {
  if (n && n->type == YT_SCALAR)
    return 0;
  return bad(c, n, "%s must be a scalar, not a %s", what, yt_type_name(n));
}

static int parse_view(const char *s, ag_view *v) {
  if (strcmp(s, "raw") == 0)
    *v = AG_VIEW_RAW;
  else if (strcmp(s, "folded") == 0)
    *v = AG_VIEW_FOLDED;
  else
    return -1;
  return 0;
}

/* A literal becomes a regex that matches it byte for byte. */
static char *escape_literal(const char *s, size_t n) {
  char *out = malloc(n * 4 + 1), *o = out;
  if (!out)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
        (ch >= '0' && ch <= '9') || ch == ' ' || ch >= 0x80) {
      *o++ = (char)ch;
    } else {
      o += sprintf(o, "\\x%02x", ch);
    }
  }
  *o = '\0';
  return out;
}

static int parse_flags(ctx *c, const yt_node *seq, unsigned *flags) {
  if (seq->type != YT_SEQ)
    return bad(c, seq, "flags must be a list");
  for (size_t i = 0; i < seq->n; i++) {
    const yt_node *f = seq->kids[i];
    int rc = scalar(c, f, "a flag");
    if (rc)
      return rc;
    if (strcmp(f->str, "caseless") == 0)
      *flags |= AG_PAT_CASELESS;
    else if (strcmp(f->str, "dotall") == 0)
      *flags |= AG_PAT_DOTALL;
    else if (strcmp(f->str, "multiline") == 0)
      *flags |= AG_PAT_MULTILINE;
    else
      return bad(c, f, "unknown flag '%s' (caseless, dotall, multiline)",
                 f->str);
  }
  return 0;
}

/* Patterns match UTF-8 bytes (see matcher.h), so a non-ASCII character
 * inside [...] or directly before a quantifier would mean its last byte
 * only. Returns a message for the first such place, or NULL. */
static const char *byte_dialect_problem(const char *re) {
  const unsigned char *u = (const unsigned char *)re;
  int in_class = 0;
  for (size_t i = 0; u[i]; i++) {
    if (u[i] == '\\') {
      if (u[i + 1])
        i++;
      if (in_class)
        in_class = 2; /* an escape is a member: a later ']' closes */
      continue;
    }
    if (in_class) {
      if (u[i] >= 0x80)
        return "a non-ASCII character inside [...]: write (?:a|b) instead";
      if (u[i] == ']' && in_class > 1)
        in_class = 0;
      else
        in_class++;
      continue;
    }
    if (u[i] == '[') {
      in_class = 1;
      if (u[i + 1] == '^')
        i++;
      continue;
    }
    if (u[i] >= 0x80 && (u[i + 1] == '?' || u[i + 1] == '*' ||
                         u[i + 1] == '+' || u[i + 1] == '{'))
      return "a quantifier on a non-ASCII character: group it, (?:é)?";
  }
  return NULL;
}

static int parse_pattern(ctx *c, const yt_node *n, ag_pattern *p) {
  if (n->type != YT_MAP)
    return bad(c, n, "a pattern must be a map with 'regex' or 'literal'");
  const yt_node *src = NULL, *pre = NULL;
  int literal = 0;
  for (size_t i = 0; i < n->n; i++) {
    const yt_node *k = n->kids[2 * i], *v = n->kids[2 * i + 1];
    int rc;
    if (strcmp(k->str, "regex") == 0 || strcmp(k->str, "literal") == 0) {
      if (src)
        return bad(c, k, "a pattern has one 'regex' or one 'literal'");
      if ((rc = scalar(c, v, k->str)))
        return rc;
      src = v;
      literal = k->str[0] == 'l';
    } else if (strcmp(k->str, "flags") == 0) {
      if ((rc = parse_flags(c, v, &p->flags)))
        return rc;
    } else if (strcmp(k->str, "prefilter") == 0) {
      if ((rc = scalar(c, v, k->str)))
        return rc;
      if (v->len == 0 || strlen(v->str) != v->len)
        return bad(c, v, "prefilter must be a non-empty expression");
      const char *pwhy = byte_dialect_problem(v->str);
      if (pwhy)
        return bad(c, v, "prefilter has %s (patterns match UTF-8 bytes)", pwhy);
      pre = v;
    } else {
      return bad(c, k,
                 "unknown key '%s' in a pattern (regex, literal, prefilter, "
                 "flags)",
                 k->str);
    }
  }
  if (!src || src->len == 0)
    return bad(c, n, "a pattern needs a non-empty 'regex' or 'literal'");
  if (strlen(src->str) != src->len)
    return bad(c, src, "a pattern must not contain a NUL byte");
  const char *why = literal ? NULL : byte_dialect_problem(src->str);
  if (why)
    return bad(c, src, "pattern has %s (patterns match UTF-8 bytes)", why);
  p->source = literal ? escape_literal(src->str, src->len) : strdup(src->str);
  if (pre && !(p->prefilter = strdup(pre->str)))
    return AIGATE_ERR_NOMEM;
  return p->source ? 0 : AIGATE_ERR_NOMEM;
}

static int parse_strings(ctx *c, const yt_node *seq, const char *what,
                         char ***out, size_t *n) {
  if (seq->type != YT_SEQ)
    return bad(c, seq, "%s must be a list", what);
  *out = calloc(seq->n ? seq->n : 1, sizeof(char *));
  if (!*out)
    return AIGATE_ERR_NOMEM;
  for (size_t i = 0; i < seq->n; i++) {
    int rc = scalar(c, seq->kids[i], what);
    if (rc)
      return rc;
    if (!((*out)[i] = strdup(seq->kids[i]->str)))
      return AIGATE_ERR_NOMEM;
    *n = i + 1;
  }
  return 0;
}

static const struct {
  const char *name;
  ag_validator v;
} validators[] = {
    {"luhn", AG_VAL_LUHN},
    {"card", AG_VAL_CARD},
    {"iban", AG_VAL_IBAN},
    {"ssn", AG_VAL_SSN},
    {"entropy", AG_VAL_ENTROPY},
    {"github", AG_VAL_GITHUB},
    {"npm", AG_VAL_NPM},
    {"jwt", AG_VAL_JWT},
    {"ipv4", AG_VAL_IPV4},
    {"ipv6", AG_VAL_IPV6},
    {"sql_no_where", AG_VAL_SQL_NO_WHERE},
    {"gibberish_suffix", AG_VAL_GIBBERISH_SUFFIX},
};

static const struct {
  const char *name;
  ag_detector d;
} detectors[] = {
    {"mixed_script", AG_DET_MIXED_SCRIPT},
    {"tag_chars", AG_DET_TAG_CHARS},
    {"exfil_image", AG_DET_EXFIL_IMAGE},
    {"exfil_reference", AG_DET_EXFIL_REFERENCE},
    {"exfil_html", AG_DET_EXFIL_HTML},
    {"exfil_link", AG_DET_EXFIL_LINK},
    {"exfil_scheme", AG_DET_EXFIL_SCHEME},
    {"exfil_obfuscated", AG_DET_EXFIL_OBFUSCATED},
    {"exfil_bare_url", AG_DET_EXFIL_BARE_URL},
    {"html_script", AG_DET_HTML_SCRIPT},
    {"html_event_handler", AG_DET_HTML_HANDLER},
    {"html_style_expression", AG_DET_HTML_STYLE},
};

static int parse_validator(ctx *c, const yt_node *n, ag_rule *r) {
  const yt_node *name = n;
  if (n->type == YT_MAP) {
    name = yt_get(n, "name");
    for (size_t i = 0; i < n->n; i++) {
      const char *k = n->kids[2 * i]->str;
      if (strcmp(k, "name") && strcmp(k, "min"))
        return bad(c, n->kids[2 * i], "unknown key '%s' in validator", k);
    }
    const yt_node *min = yt_get(n, "min");
    if (min) {
      char *end;
      if (min->type != YT_SCALAR ||
          (r->validator_min = strtod(min->str, &end), *end) ||
          r->validator_min < 0 || r->validator_min > 8)
        return bad(c, min, "validator min must be a number from 0 to 8");
    }
  }
  int rc = scalar(c, name, "validator name");
  if (rc)
    return rc;
  for (size_t i = 0; i < sizeof(validators) / sizeof(validators[0]); i++)
    if (strcmp(name->str, validators[i].name) == 0) {
      r->validator = validators[i].v;
      if (r->validator == AG_VAL_ENTROPY && r->validator_min == 0)
        r->validator_min = 3.0;
      return 0;
    }
  return bad(c, name, "unknown validator '%s'", name->str);
}

static int parse_rule(ctx *c, const yt_node *n, ag_rule *r, const char *family,
                      ag_view view, unsigned dirs) {
  if (n->type != YT_MAP)
    return bad(c, n, "a rule must be a map");
  r->line = n->line;
  r->view = view;
  r->directions = dirs;
  r->paranoia = 1;
  r->score = -1;
  if (!(r->family = strdup(family)) || !(r->file = strdup(c->file)))
    return AIGATE_ERR_NOMEM;
  const yt_node *examples = NULL;
  int rc;
  for (size_t i = 0; i < n->n; i++) {
    const yt_node *k = n->kids[2 * i], *v = n->kids[2 * i + 1];
    const char *key = k->str;
    if (strcmp(key, "id") == 0 || strcmp(key, "category") == 0 ||
        strcmp(key, "message") == 0) {
      if ((rc = scalar(c, v, key)))
        return rc;
      char **dst = key[0] == 'i'   ? &r->id
                   : key[0] == 'c' ? &r->category
                                   : &r->message;
      if (key[0] != 'm' && !ag_valid_name(v->str))
        return bad(c, v, "invalid %s '%s' (lower case, digits, - _ .)", key,
                   v->str);
      if (!(*dst = strdup(v->str)))
        return AIGATE_ERR_NOMEM;
    } else if (strcmp(key, "severity") == 0) {
      if ((rc = scalar(c, v, key)))
        return rc;
      if ((r->severity = ag_parse_severity(v->str)) < 0)
        return bad(c, v, "unknown severity '%s' (critical, high, medium, low)",
                   v->str);
    } else if (strcmp(key, "score") == 0 || strcmp(key, "paranoia") == 0 ||
               strcmp(key, "group") == 0) {
      if ((rc = scalar(c, v, key)))
        return rc;
      char *end;
      long x = strtol(v->str, &end, 10);
      long hi = key[0] == 's' ? 100 : key[0] == 'p' ? AG_MAX_PARANOIA : 99;
      long lo = key[0] == 'p' ? 1 : 0;
      if (*end || end == v->str || x < lo || x > hi)
        return bad(c, v, "%s must be an integer from %ld to %ld", key, lo, hi);
      *(key[0] == 's'   ? &r->score
        : key[0] == 'p' ? &r->paranoia
                        : &r->group) = (int)x;
    } else if (strcmp(key, "view") == 0) {
      if ((rc = scalar(c, v, key)))
        return rc;
      if (parse_view(v->str, &r->view))
        return bad(c, v, "view must be 'raw' or 'folded'");
    } else if (strcmp(key, "patterns") == 0) {
      if (v->type != YT_SEQ || v->n == 0)
        return bad(c, v, "patterns must be a non-empty list");
      if (v->n > 256)
        return bad(c, v, "more than 256 patterns in one rule");
      if (!(r->pats = calloc(v->n, sizeof(*r->pats))))
        return AIGATE_ERR_NOMEM;
      for (size_t j = 0; j < v->n; j++) {
        if ((rc = parse_pattern(c, v->kids[j], &r->pats[j])))
          return rc;
        r->n_pats = j + 1;
      }
    } else if (strcmp(key, "validator") == 0) {
      if ((rc = parse_validator(c, v, r)))
        return rc;
    } else if (strcmp(key, "detector") == 0) {
      if ((rc = scalar(c, v, key)))
        return rc;
      size_t j;
      for (j = 0; j < sizeof(detectors) / sizeof(detectors[0]); j++)
        if (strcmp(v->str, detectors[j].name) == 0)
          break;
      if (j == sizeof(detectors) / sizeof(detectors[0]))
        return bad(c, v, "unknown detector '%s'", v->str);
      r->detector = detectors[j].d;
    } else if (strcmp(key, "examples") == 0) {
      examples = v;
    } else {
      return bad(c, k, "unknown key '%s' in a rule", key);
    }
  }
  if (!r->id)
    return bad(c, n, "a rule needs an 'id'");
  if (!r->category)
    return bad(c, n, "rule %s needs a 'category'", r->id);
  if (!r->severity)
    return bad(c, n, "rule %s needs a 'severity'", r->id);
  if (!r->message && !(r->message = strdup(r->id)))
    return AIGATE_ERR_NOMEM;
  if (r->score < 0)
    r->score = r->severity;
  if (!r->n_pats == !r->detector)
    return bad(c, n, "rule %s needs either 'patterns' or a 'detector'", r->id);
  if (examples) {
    if (examples->type != YT_MAP)
      return bad(c, examples, "examples must be a map (match, no_match)");
    for (size_t i = 0; i < examples->n; i++) {
      const yt_node *k = examples->kids[2 * i], *v = examples->kids[2 * i + 1];
      if (strcmp(k->str, "match") == 0)
        rc = parse_strings(c, v, "examples.match", &r->match, &r->n_match);
      else if (strcmp(k->str, "no_match") == 0)
        rc = parse_strings(c, v, "examples.no_match", &r->no_match,
                           &r->n_no_match);
      else
        return bad(c, k, "unknown key '%s' in examples (match, no_match)",
                   k->str);
      if (rc)
        return rc;
    }
  }
  return 0;
}

static int parse_directions(ctx *c, const yt_node *n, unsigned *dirs) {
  if (n->type != YT_SEQ || n->n == 0)
    return bad(c, n, "directions must be a non-empty list");
  *dirs = 0;
  for (size_t i = 0; i < n->n; i++) {
    int rc = scalar(c, n->kids[i], "a direction");
    if (rc)
      return rc;
    if (strcmp(n->kids[i]->str, "input") == 0)
      *dirs |= AG_DIR_INPUT;
    else if (strcmp(n->kids[i]->str, "output") == 0)
      *dirs |= AG_DIR_OUTPUT;
    else if (strcmp(n->kids[i]->str, "tool") == 0)
      *dirs |= AG_DIR_TOOL;
    else
      return bad(c, n->kids[i],
                 "direction must be 'input', 'output' or 'tool'");
  }
  return 0;
}

static void rule_free(ag_rule *r) {
  free(r->id);
  free(r->family);
  free(r->category);
  free(r->message);
  free(r->file);
  for (size_t i = 0; i < r->n_pats; i++) {
    free(r->pats[i].source);
    free(r->pats[i].prefilter);
  }
  free(r->pats);
  for (size_t i = 0; i < r->n_match; i++)
    free(r->match[i]);
  free(r->match);
  for (size_t i = 0; i < r->n_no_match; i++)
    free(r->no_match[i]);
  free(r->no_match);
}

static int find_rule(const ag_ruleset *rs, const char *id) {
  for (size_t i = 0; i < rs->n_rules; i++)
    if (strcmp(rs->rules[i].id, id) == 0)
      return (int)i;
  return -1;
}

static int load_doc(ctx *c, ag_ruleset *rs, const yt_node *root) {
  if (!root || root->type != YT_MAP)
    return bad(c, root, "a rule file must be a map (family, view, rules)");
  const yt_node *fam = NULL, *rules = NULL;
  ag_view view = AG_VIEW_RAW;
  unsigned dirs = AG_DIR_INPUT | AG_DIR_OUTPUT;
  int rc;
  for (size_t i = 0; i < root->n; i++) {
    const yt_node *k = root->kids[2 * i], *v = root->kids[2 * i + 1];
    if (strcmp(k->str, "family") == 0) {
      if ((rc = scalar(c, v, "family")))
        return rc;
      if (!ag_valid_name(v->str))
        return bad(c, v, "invalid family name '%s'", v->str);
      fam = v;
    } else if (strcmp(k->str, "view") == 0) {
      if ((rc = scalar(c, v, "view")))
        return rc;
      if (parse_view(v->str, &view))
        return bad(c, v, "view must be 'raw' or 'folded'");
    } else if (strcmp(k->str, "directions") == 0) {
      if ((rc = parse_directions(c, v, &dirs)))
        return rc;
    } else if (strcmp(k->str, "rules") == 0) {
      rules = v;
    } else {
      return bad(c, k,
                 "unknown key '%s' in a rule file (family, view, directions, "
                 "rules)",
                 k->str);
    }
  }
  if (!fam)
    return bad(c, root, "a rule file needs 'family'");
  if (!rules || rules->type != YT_SEQ)
    return bad(c, rules ? rules : root, "a rule file needs a 'rules' list");
  if (rs->n_rules + rules->n > MAX_RULES)
    return bad(c, rules, "more than %d rules", MAX_RULES);
  if (rs->cap_rules < rs->n_rules + rules->n) {
    size_t cap = rs->n_rules + rules->n + 64;
    ag_rule *r = realloc(rs->rules, cap * sizeof(*r));
    if (!r)
      return AIGATE_ERR_NOMEM;
    rs->rules = r;
    rs->cap_rules = cap;
  }
  for (size_t i = 0; i < rules->n; i++) {
    ag_rule *r = &rs->rules[rs->n_rules];
    memset(r, 0, sizeof(*r));
    rc = parse_rule(c, rules->kids[i], r, fam->str, view, dirs);
    if (!rc && find_rule(rs, r->id) >= 0)
      rc = bad(c, rules->kids[i], "duplicate rule id '%s'", r->id);
    if (rc) {
      rule_free(r);
      return rc;
    }
    rs->n_rules++;
  }
  return 0;
}

int ag_rules_load_buffer(ag_ruleset *rs, const char *name, const char *buf,
                         size_t len, aigate_error *err) {
  char msg[sizeof(err->msg)];
  yt_doc *doc = yt_parse(name, buf, len, msg, sizeof(msg));
  if (!doc) {
    ag_err(err, "%s", msg);
    return AIGATE_ERR_CONFIG;
  }
  ctx c = {name, err};
  int rc = load_doc(&c, rs, yt_root(doc));
  if (rc == AIGATE_ERR_NOMEM)
    ag_err(err, "%s: out of memory", name);
  yt_free(doc);
  return rc;
}

static int load_file(ag_ruleset *rs, const char *path, aigate_error *err) {
  char *buf;
  size_t len;
  int rc = ag_read_file(path, MAX_RULE_FILE, &buf, &len, err);
  if (rc)
    return rc;
  rc = ag_rules_load_buffer(rs, path, buf, len, err);
  free(buf);
  return rc;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_yaml(const char *name) {
  size_t n = strlen(name);
  return name[0] != '.' && ((n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
                            (n > 4 && strcmp(name + n - 4, ".yml") == 0));
}

int ag_rules_load_path(ag_ruleset *rs, const char *path, aigate_error *err) {
  struct stat st;
  if (stat(path, &st) < 0) {
    ag_err(err, "%s: %s", path, strerror(errno));
    return AIGATE_ERR_IO;
  }
  if (!S_ISDIR(st.st_mode))
    return load_file(rs, path, err);
  DIR *d = opendir(path);
  if (!d) {
    ag_err(err, "%s: %s", path, strerror(errno));
    return AIGATE_ERR_IO;
  }
  char *names[MAX_RULE_FILES] = {0};
  size_t n = 0;
  int rc = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (!is_yaml(e->d_name))
      continue;
    if (n == MAX_RULE_FILES) {
      ag_err(err, "%s: more than %d rule files", path, MAX_RULE_FILES);
      rc = AIGATE_ERR_CONFIG;
      break;
    }
    size_t len = strlen(path) + strlen(e->d_name) + 2;
    if (!(names[n] = malloc(len))) {
      rc = AIGATE_ERR_NOMEM;
      break;
    }
    snprintf(names[n++], len, "%s/%s", path, e->d_name);
  }
  closedir(d);
  /* Sorted so that rule order, and so the database hash, is stable. */
  qsort(names, n, sizeof(char *), cmp_str);
  for (size_t i = 0; i < n; i++) {
    if (!rc)
      rc = load_file(rs, names[i], err);
    free(names[i]);
  }
  if (!rc && n == 0) {
    ag_err(err, "%s: no rule files (*.yaml)", path);
    rc = AIGATE_ERR_CONFIG;
  }
  return rc;
}

int ag_rules_load_embedded(ag_ruleset *rs, aigate_error *err) {
  for (size_t i = 0; i < ag_embedded_rules_count; i++) {
    int rc = ag_rules_load_buffer(rs, ag_embedded_rules[i].name,
                                  ag_embedded_rules[i].data,
                                  ag_embedded_rules[i].len, err);
    if (rc)
      return rc;
  }
  return 0;
}

int ag_rules_apply_config(ag_ruleset *rs, const aigate_config *cfg,
                          aigate_error *err) {
  for (size_t i = 0; i < cfg->n_overrides; i++) {
    const ag_rule_override *o = &cfg->overrides[i];
    int idx = find_rule(rs, o->id);
    if (idx < 0) {
      ag_err(err, "%s:%d: no rule has the id '%s'", cfg->name, o->line, o->id);
      return AIGATE_ERR_NOT_FOUND;
    }
    ag_rule *r = &rs->rules[idx];
    if (o->severity >= 0) {
      r->severity = o->severity;
      if (o->score < 0)
        r->score = o->severity;
    }
    if (o->score >= 0)
      r->score = o->score;
    if (o->paranoia >= 0)
      r->paranoia = o->paranoia;
    if (o->disabled >= 0)
      r->disabled = o->disabled;
  }
  return 0;
}

void ag_ruleset_free(ag_ruleset *rs) {
  for (size_t i = 0; i < rs->n_rules; i++)
    rule_free(&rs->rules[i]);
  free(rs->rules);
  memset(rs, 0, sizeof(*rs));
}
