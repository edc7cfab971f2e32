/*
 * audit.c -- the audit run: inventory every path, look each pinned
 * package up in the advisory database, and turn the advisories that
 * affect it into one finding per occurrence (see audit.h).
 *
 * All advisories for one occurrence are merged into one finding: the
 * malicious litellm releases have five records (the merged MAL-2026-2144
 * and the per-source reports it merged), and a report with five findings
 * for one file would bury the next one.
 */
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "startup.h"
#include "util.h"

const char *ag_severity_name(int sev) {
  switch (sev) {
  case AG_SEV_CRITICAL: return "critical";
  case AG_SEV_HIGH: return "high";
  case AG_SEV_MEDIUM: return "medium";
  case AG_SEV_LOW: return "low";
  default: return "info";
  }
}

int ag_severity_parse(const char *s) {
  int v = ag_parse_severity(s);
  return v >= AG_SEV_LOW && v <= AG_SEV_CRITICAL ? v : -1;
}

static char *dup_or_null(const char *s) {
  return s ? strdup(s) : NULL;
}

ag_finding *ag_audit_add(ag_audit *a) {
  if (a->n == a->cap) {
    size_t cap = a->cap ? a->cap * 2 : 16;
    ag_finding *f = realloc(a->findings, cap * sizeof(*f));
    if (!f) {
      a->nomem = 1;
      return NULL;
    }
    a->findings = f;
    a->cap = cap;
  }
  ag_finding *f = &a->findings[a->n++];
  memset(f, 0, sizeof(*f));
  return f;
}

/* What one package occurrence collects from the database. */
typedef struct {
  ag_buf ids, summary, refs;
  char *first_id, *fixed;
  int severity, malicious, n;
} collected;

static int on_match(void *ud, const ag_osv_match *m) {
  collected *c = ud;
  if (c->n++)
    ag_buf_append(&c->ids, ", ", 2);
  ag_buf_append(&c->ids, m->id, strlen(m->id));
  if (*m->aliases) {
    ag_buf_append(&c->ids, " (", 2);
    ag_buf_append(&c->ids, m->aliases, strlen(m->aliases));
    ag_buf_putc(&c->ids, ')');
  }
  /* The most severe advisory names the finding. */
  if (m->severity > c->severity || !c->first_id) {
    free(c->first_id);
    c->first_id = strdup(m->id);
    c->summary.len = 0;
    ag_buf_append(&c->summary, m->summary, strlen(m->summary));
  }
  if (m->severity > c->severity)
    c->severity = m->severity;
  c->malicious |= m->malicious;
  if (*m->fixed && !c->fixed)
    c->fixed = strdup(m->fixed);
  if (*m->refs && c->refs.len < 2048) {
    if (c->refs.len)
      ag_buf_putc(&c->refs, '\n');
    ag_buf_append(&c->refs, m->refs, strlen(m->refs));
  }
  return 0;
}

static char *printf_dup(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static char *printf_dup(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    return NULL;
  char *s = malloc((size_t)n + 1);
  if (!s)
    return NULL;
  va_start(ap, fmt);
  vsnprintf(s, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return s;
}

static const char *source_word(const ag_package *p) {
  return p->source == AG_SRC_INSTALLED  ? "installed"
         : p->source == AG_SRC_LOCKFILE ? "locked"
                                        : "pinned";
}

static char *malicious_remediation(const ag_package *p) {
  const char *remove =
      p->eco == AG_ECO_PYPI
          ? (p->source == AG_SRC_INSTALLED
                 ? "Remove it now (pip uninstall, or better: delete this "
                   "environment and rebuild it from a pinned, hash-checked "
                   "lockfile)"
                 : "Change the pin to a known-good version and rebuild "
                   "every environment and image built from this file")
          : (p->source == AG_SRC_INSTALLED
                 ? "Remove it now (delete node_modules and reinstall from a "
                   "corrected lockfile)"
                 : "Change the lockfile to a known-good version and rebuild "
                   "every environment built from it");
  return printf_dup(
      "%s. Treat every machine and CI job that installed %s %s as "
      "compromised: from a clean machine, rotate every credential it could "
      "read (SSH keys, cloud credentials for AWS, GCP and Azure, Kubernetes "
      "tokens, Git, Docker, npm and PyPI tokens, database passwords, .env "
      "files and API keys for LLM providers). Check for persistence "
      "(aigate audit --home DIR lists the known paths, e.g. "
      "~/.config/sysmon/sysmon.py and ~/.config/systemd/user/sysmon.service; "
      "unexpected systemd user units, cron jobs and Kubernetes pods) and "
      "review outbound connections to the domains in the advisory.",
      remove, p->name, p->version);
}

static char *vulnerable_remediation(const ag_package *p, const char *fixed) {
  if (fixed)
    return printf_dup("Upgrade %s to %s or later (%s %s).", p->name, fixed,
                      source_word(p), p->version);
  return printf_dup("No fixed version is recorded: read the advisory, "
                    "remove %s or mitigate as it describes.",
                    p->name);
}

static int check_package(ag_audit *a, ag_osvdb *db, const ag_package *p,
                         int *found, aigate_error *err) {
  collected c;
  memset(&c, 0, sizeof(c));
  int rc = ag_osvdb_query(db, p->eco, p->name, p->version, on_match, &c, err);
  *found = rc > 0;
  if (rc > 0) {
    ag_finding *f = ag_audit_add(a);
    if (f) {
      f->kind = c.malicious ? AG_FIND_MALICIOUS : AG_FIND_VULNERABLE;
      f->severity = c.malicious ? AG_SEV_CRITICAL : c.severity;
      f->rule = c.first_id;
      c.first_id = NULL;
      f->title = c.malicious
                     ? printf_dup("%s %s is a malicious release (%s)", p->name,
                                  p->version, source_word(p))
                     : printf_dup("%s %s has a known vulnerability (%s)",
                                  p->name, p->version, source_word(p));
      f->file = strdup(p->file);
      f->line = p->line;
      f->ecosystem = strdup(ag_ecosystem_name(p->eco));
      f->package = strdup(p->name);
      f->version = strdup(p->version);
      f->advisories = c.ids.failed ? NULL : dup_or_null(c.ids.data);
      f->details = c.summary.failed ? NULL : dup_or_null(c.summary.data);
      f->fixed = c.malicious ? NULL : c.fixed;
      if (!c.malicious)
        c.fixed = NULL;
      f->refs = c.refs.failed ? NULL : dup_or_null(c.refs.data);
      f->remediation = c.malicious ? malicious_remediation(p)
                                   : vulnerable_remediation(p, f->fixed);
      if (!f->title || !f->file || !f->remediation)
        a->nomem = 1;
    }
  }
  free(c.first_id);
  free(c.fixed);
  ag_buf_free(&c.ids);
  ag_buf_free(&c.summary);
  ag_buf_free(&c.refs);
  return rc < 0 ? rc : 0;
}

/* Same package and version, in the ecosystem's order ("1.0" is
 * "1.0.0" for PyPI), byte equality for versions it cannot parse. */
static int same_release(const ag_package *p, const ag_ioc *x) {
  char n1[512], n2[512];
  if ((int)p->eco != x->eco ||
      ag_package_name_normalize(p->eco, p->name, n1, sizeof(n1)) ||
      ag_package_name_normalize(p->eco, x->pkg, n2, sizeof(n2)) ||
      strcmp(n1, n2))
    return 0;
  ag_version v, w;
  if (!ag_version_parse(p->eco, AG_ORDER_ECOSYSTEM, p->version, &v) &&
      !ag_version_parse(p->eco, AG_ORDER_ECOSYSTEM, x->pkg_version, &w))
    return ag_version_cmp(&v, &w) == 0;
  return !strcmp(p->version, x->pkg_version);
}

/* Known-malicious releases from the indicator files: the audit finds
 * them without an advisory database, or with one that lacks them. */
static void check_package_iocs(ag_audit *a, const ag_ioc_set *iocs,
                               const ag_package *p) {
  for (size_t i = 0; iocs && i < iocs->n; i++) {
    const ag_ioc *x = &iocs->iocs[i];
    if (x->type != AG_IOC_PACKAGE || !same_release(p, x))
      continue;
    ag_finding *f = ag_audit_add(a);
    if (!f)
      return;
    f->kind = AG_FIND_MALICIOUS;
    f->severity = x->severity;
    f->rule = strdup(x->id);
    f->title = printf_dup("%s %s is a malicious release (%s)", p->name,
                          p->version, source_word(p));
    f->file = strdup(p->file);
    f->line = p->line;
    f->ecosystem = strdup(ag_ecosystem_name(p->eco));
    f->package = strdup(p->name);
    f->version = strdup(p->version);
    f->advisories =
        printf_dup("%s (indicator, %s:%d)", x->id, x->file, x->line);
    f->details = printf_dup("%s (%s)", x->context, x->status);
    f->remediation = malicious_remediation(p);
    f->refs = x->sources[0] ? strdup(x->sources) : NULL;
    if (!f->rule || !f->title || !f->file || !f->remediation)
      a->nomem = 1;
    return;
  }
}

/* Is id one of the comma/space/parenthesis-separated tokens of list? */
static int has_token(const char *list, const char *id) {
  size_t l = strlen(id);
  for (const char *p = list; p && (p = strstr(p, id)); p += l) {
    int before = p == list || strchr(" ,()", p[-1]);
    int after = !p[l] || strchr(" ,()", p[l]);
    if (before && after)
      return 1;
  }
  return 0;
}

static void free_finding(ag_finding *f) {
  free(f->rule);
  free(f->title);
  free(f->file);
  free(f->ecosystem);
  free(f->package);
  free(f->version);
  free(f->advisories);
  free(f->details);
  free(f->fixed);
  free(f->remediation);
  free(f->refs);
}

/* Drop the findings an --ignore id names (rule, advisory or alias): an
 * accepted risk should not fail every CI run. */
static void drop_ignored(ag_audit *a, char **ignore) {
  size_t kept = 0;
  for (size_t i = 0; i < a->n; i++) {
    ag_finding *f = &a->findings[i];
    int drop = 0;
    for (size_t k = 0; ignore && ignore[k] && !drop; k++)
      drop = (f->rule && !strcmp(f->rule, ignore[k])) ||
             (f->advisories && has_token(f->advisories, ignore[k]));
    if (drop) {
      free_finding(f);
      a->ignored++;
    } else {
      a->findings[kept++] = *f;
    }
  }
  a->n = kept;
}

int ag_audit_run(const ag_audit_options *o, ag_audit *a, aigate_error *err) {
  memset(a, 0, sizeof(*a));
  for (size_t i = 0; o->paths && o->paths[i]; i++)
    ag_inventory_scan(&a->inv, o->paths[i]);
  /* each home's user site-packages: what pip install --user put there */
  for (size_t i = 0; o->homes && o->homes[i]; i++) {
    char pat[4096];
    glob_t g;
    int n = snprintf(pat, sizeof(pat), "%s/.local/lib/python3*/site-packages",
                     o->homes[i]);
    if (n < 0 || (size_t)n >= sizeof(pat) || glob(pat, 0, NULL, &g))
      continue;
    for (size_t k = 0; k < g.gl_pathc; k++)
      ag_inventory_scan(&a->inv, g.gl_pathv[k]);
    globfree(&g);
  }
  int rc;
  if (o->db && (rc = ag_osvdb_status_get(o->db, &a->db_status, err)))
    return rc;
  for (size_t i = 0; i < a->inv.n_pkgs; i++) {
    const ag_package *p = &a->inv.pkgs[i];
    int found = 0;
    if (!p->version) {
      a->unpinned++;
      continue;
    }
    if (o->db) {
      a->checked++;
      if ((rc = check_package(a, o->db, p, &found, err)))
        return rc;
    }
    if (!found)
      check_package_iocs(a, o->iocs, p);
  }
  ag_startup_check(a, o->iocs, o->homes, o->tmp_dir, o->no_hashes);
  drop_ignored(a, o->ignore);
  if (a->inv.nomem || a->nomem) {
    ag_err(err, "out of memory");
    return AIGATE_ERR_NOMEM;
  }
  return 0;
}

void ag_audit_free(ag_audit *a) {
  for (size_t i = 0; i < a->n; i++)
    free_finding(&a->findings[i]);
  free(a->findings);
  ag_inventory_free(&a->inv);
  memset(a, 0, sizeof(*a));
}

int ag_audit_max_severity(const ag_audit *a) {
  int m = 0;
  for (size_t i = 0; i < a->n; i++)
    if (a->findings[i].severity > m)
      m = a->findings[i].severity;
  return m;
}
