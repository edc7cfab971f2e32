/*
 * version.c -- which order applies to a version: the ecosystem's own
 * (PEP 440 for PyPI, SemVer for npm) or SemVer when an OSV range says so.
 */
#include <string.h>

#include "version.h"

ag_ecosystem ag_ecosystem_parse(const char *s) {
  if (!s)
    return AG_ECO_UNKNOWN;
  if (!strcmp(s, "PyPI"))
    return AG_ECO_PYPI;
  if (!strcmp(s, "npm"))
    return AG_ECO_NPM;
  return AG_ECO_UNKNOWN;
}

const char *ag_ecosystem_name(ag_ecosystem e) {
  return e == AG_ECO_PYPI ? "PyPI" : e == AG_ECO_NPM ? "npm" : "unknown";
}

int ag_version_parse(ag_ecosystem eco, ag_order order, const char *s,
                     ag_version *out) {
  size_t n = strlen(s);
  if (order == AG_ORDER_SEMVER || eco == AG_ECO_NPM) {
    out->kind = 1;
    return ag_semver_parse(s, n, &out->u.sem);
  }
  if (eco == AG_ECO_PYPI) {
    out->kind = 0;
    return ag_pep440_parse(s, n, &out->u.pep);
  }
  return -1;
}

int ag_version_cmp(const ag_version *a, const ag_version *b) {
  if (a->kind != b->kind)
    return a->kind < b->kind ? -1 : 1; /* a caller error; still an order */
  return a->kind ? ag_semver_cmp(&a->u.sem, &b->u.sem)
                 : ag_pep440_cmp(&a->u.pep, &b->u.pep);
}
