/*
 * ioc.c -- loads indicator files (see ioc.h) with the library's bounded
 * YAML tree, strictly: unknown keys, unknown types, a SHA-256 that is not
 * 64 hex digits or a path that is neither under ~/ nor /tmp/ is an error
 * naming file and line, never a silently ignored indicator.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "ioc.h"
#include "osv.h"
#include "util.h"
#include "yamltree.h"

extern const ag_embedded_file ag_embedded_iocs[];
extern const size_t ag_embedded_iocs_count;

#define MAX_IOCS 10000

static int fail(aigate_error *err, const char *name, const yt_node *n,
                const char *what) {
  ag_err(err, "%s:%d: %s", name, n ? n->line : 0, what);
  return AIGATE_ERR_CONFIG;
}

static const char *scalar(const yt_node *n) {
  return n && n->type == YT_SCALAR && strlen(n->str) == n->len ? n->str : NULL;
}

static int parse_type(const char *s, ag_ioc_type *t) {
  static const char *const names[] = {"file_name", "sha256", "record_hash",
                                      "string",    "path",   "package"};
  for (int i = 0; i < 6; i++)
    if (!strcmp(s, names[i])) {
      *t = (ag_ioc_type)i;
      return 0;
    }
  return -1;
}

static int valid_value(ag_ioc_type t, const char *v) {
  size_t l = strlen(v);
  if (!l || l > 4096)
    return 0;
  if (t == AG_IOC_SHA256) {
    if (l != 64)
      return 0;
    for (size_t i = 0; i < l; i++)
      if (!((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'f')))
        return 0;
  }
  if (t == AG_IOC_PATH)
    return (!strncmp(v, "~/", 2) || !strncmp(v, "/tmp/", 5)) &&
           !strstr(v, "..");
  if (t == AG_IOC_FILE_NAME)
    return !strchr(v, '/');
  return 1;
}

/* "pkg:pypi/NAME@VERSION" / "pkg:npm/[%40SCOPE/]NAME@VERSION" into x. */
static int parse_purl(ag_ioc *x, const char *v) {
  const char *rest;
  if (!strncmp(v, "pkg:pypi/", 9)) {
    x->eco = AG_ECO_PYPI;
    rest = v + 9;
  } else if (!strncmp(v, "pkg:npm/", 8)) {
    x->eco = AG_ECO_NPM;
    rest = v + 8;
  } else {
    return -1;
  }
  const char *at = strrchr(rest, '@');
  if (!at || at == rest || !at[1] || strlen(at + 1) > AG_VERSION_MAX_LEN)
    return -1;
  size_t nl = (size_t)(at - rest);
  int scoped = x->eco == AG_ECO_NPM && nl > 3 && !strncmp(rest, "%40", 3);
  x->pkg = malloc(nl + 1);
  x->pkg_version = strdup(at + 1);
  if (!x->pkg || !x->pkg_version)
    return -1;
  if (scoped) {
    x->pkg[0] = '@';
    memcpy(x->pkg + 1, rest + 3, nl - 3);
    x->pkg[nl - 2] = '\0';
  } else {
    memcpy(x->pkg, rest, nl);
    x->pkg[nl] = '\0';
  }
  return 0;
}

static char *join_seq(const yt_node *seq) {
  ag_buf b = {0};
  for (size_t i = 0; seq && seq->type == YT_SEQ && i < seq->n; i++) {
    const char *s = scalar(seq->kids[i]);
    if (!s)
      continue;
    if (b.len)
      ag_buf_append(&b, "; ", 2);
    ag_buf_append(&b, s, strlen(s));
  }
  if (b.failed)
    return NULL;
  return b.data ? b.data : strdup("");
}

int ag_ioc_load_buffer(ag_ioc_set *set, const char *name, const char *buf,
                       size_t len, aigate_error *err) {
  char msg[512];
  yt_doc *doc = yt_parse(name, buf, len, msg, sizeof(msg));
  if (!doc) {
    ag_err(err, "%s", msg);
    return AIGATE_ERR_CONFIG;
  }
  int rc = 0;
  const yt_node *root = yt_root(doc);
  const yt_node *list = yt_get(root, "indicators");
  const char *rem = scalar(yt_get(root, "remediation"));
  if (!root || root->type != YT_MAP) {
    rc = fail(err, name, root, "an indicator file is a map");
    goto out;
  }
  for (size_t i = 0; i < root->n; i++) {
    const char *k = scalar(root->kids[2 * i]);
    if (!k || (strcmp(k, "title") && strcmp(k, "compiled_from") &&
               strcmp(k, "remediation") && strcmp(k, "indicators"))) {
      rc = fail(err, name, root->kids[2 * i], "unknown key");
      goto out;
    }
  }
  if (!list || list->type != YT_SEQ || !rem) {
    rc = fail(err, name, root, "needs remediation and a list of indicators");
    goto out;
  }
  char **nn = realloc(set->names, (set->n_files + 1) * sizeof(char *));
  if (nn)
    set->names = nn;
  char **nr = realloc(set->remediations, (set->n_files + 1) * sizeof(char *));
  if (nr)
    set->remediations = nr;
  if (!nn || !nr) {
    rc = AIGATE_ERR_NOMEM;
    goto out;
  }
  set->names[set->n_files] = strdup(name);
  set->remediations[set->n_files] = strdup(rem);
  const char *fname = set->names[set->n_files];
  const char *frem = set->remediations[set->n_files];
  set->n_files++;
  if (!fname || !frem) {
    rc = AIGATE_ERR_NOMEM;
    goto out;
  }
  if (set->n + list->n > MAX_IOCS) {
    rc = fail(err, name, list, "too many indicators");
    goto out;
  }
  ag_ioc *grown = realloc(set->iocs, (set->n + list->n + 1) * sizeof(ag_ioc));
  if (!grown) {
    rc = AIGATE_ERR_NOMEM;
    goto out;
  }
  set->iocs = grown;
  for (size_t i = 0; i < list->n; i++) {
    const yt_node *m = list->kids[i];
    if (m->type != YT_MAP) {
      rc = fail(err, name, m, "an indicator is a map");
      goto out;
    }
    for (size_t k = 0; k < m->n; k++) {
      const char *key = scalar(m->kids[2 * k]);
      static const char *const known[] = {
          "id", "type", "value", "severity", "status", "context", "sources"};
      int ok = 0;
      for (size_t j = 0; key && j < 7; j++)
        ok |= !strcmp(key, known[j]);
      if (!ok) {
        rc = fail(err, name, m->kids[2 * k], "unknown indicator key");
        goto out;
      }
    }
    const char *id = scalar(yt_get(m, "id")), *type = scalar(yt_get(m, "type"));
    const char *value = scalar(yt_get(m, "value"));
    const char *sev = scalar(yt_get(m, "severity"));
    const char *status = scalar(yt_get(m, "status"));
    const char *ctx = scalar(yt_get(m, "context"));
    ag_ioc x;
    memset(&x, 0, sizeof(x));
    if (!id || !type || !value || !sev) {
      rc = fail(err, name, m, "an indicator needs id, type, value, severity");
      goto out;
    }
    if (parse_type(type, &x.type)) {
      rc = fail(err, name, yt_get(m, "type"), "unknown indicator type");
      goto out;
    }
    if ((x.severity = ag_parse_severity(sev)) < AG_SEV_LOW) {
      rc = fail(err, name, yt_get(m, "severity"), "unknown severity");
      goto out;
    }
    if (!valid_value(x.type, value)) {
      rc = fail(err, name, yt_get(m, "value"), "invalid value for its type");
      goto out;
    }
    if (x.type == AG_IOC_PACKAGE && parse_purl(&x, value)) {
      free(x.pkg);
      free(x.pkg_version);
      rc = fail(err, name, yt_get(m, "value"),
                "a package is pkg:pypi/NAME@VERSION or pkg:npm/NAME@VERSION");
      goto out;
    }
    x.id = strdup(id);
    x.value = strdup(value);
    x.status = strdup(status ? status : "");
    x.context = strdup(ctx ? ctx : "");
    x.sources = join_seq(yt_get(m, "sources"));
    x.file = fname;
    x.remediation = frem;
    x.line = m->line;
    set->iocs[set->n++] = x;
    if (!x.id || !x.value || !x.status || !x.context || !x.sources) {
      rc = AIGATE_ERR_NOMEM;
      goto out;
    }
  }
out:
  yt_free(doc);
  return rc;
}

int ag_ioc_load(ag_ioc_set *set, const char *dir, aigate_error *err) {
  memset(set, 0, sizeof(*set));
  int rc = 0;
  if (!dir) {
    for (size_t i = 0; i < ag_embedded_iocs_count && !rc; i++)
      rc = ag_ioc_load_buffer(set, ag_embedded_iocs[i].name,
                              ag_embedded_iocs[i].data, ag_embedded_iocs[i].len,
                              err);
    return rc;
  }
  DIR *d = opendir(dir);
  if (!d) {
    ag_err(err, "%s: cannot read the indicator directory", dir);
    return AIGATE_ERR_IO;
  }
  struct dirent *e;
  while (!rc && (e = readdir(d))) {
    size_t l = strlen(e->d_name);
    if (e->d_name[0] == '.' || l < 6 || strcmp(e->d_name + l - 5, ".yaml"))
      continue;
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
    char *buf;
    size_t len;
    if (!(rc = ag_read_file(path, YT_MAX_BYTES, &buf, &len, err))) {
      rc = ag_ioc_load_buffer(set, path, buf, len, err);
      free(buf);
    }
  }
  closedir(d);
  return rc;
}

void ag_ioc_free(ag_ioc_set *set) {
  for (size_t i = 0; i < set->n; i++) {
    free(set->iocs[i].id);
    free(set->iocs[i].value);
    free(set->iocs[i].status);
    free(set->iocs[i].context);
    free(set->iocs[i].sources);
    free(set->iocs[i].pkg);
    free(set->iocs[i].pkg_version);
  }
  for (size_t i = 0; i < set->n_files; i++) {
    free(set->names[i]);
    free(set->remediations[i]);
  }
  free(set->iocs);
  free(set->names);
  free(set->remediations);
  memset(set, 0, sizeof(*set));
}
