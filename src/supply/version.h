/*
 * version.h -- version ordering for the ecosystems the audit knows:
 * PEP 440 for PyPI and node-semver (SemVer 2.0.0 as npm reads it) for npm.
 *
 * Advisories say "affected from 1.82.7 up to 1.82.8"; deciding whether an
 * installed version lies in such a range needs the ecosystem's own order,
 * not string comparison ("1.10" > "1.9", "1.0rc1" < "1.0", "1.0 == 1.0.0").
 * Both parsers are strict and bounded: a version is at most
 * AG_VERSION_MAX_LEN bytes, numbers have at most 18 digits (after leading
 * zeros), and the number of segments is capped, so that hostile lockfiles
 * and advisories cannot make parsing or comparison expensive. A string the
 * parser rejects is never "in range"; callers fall back to exact string
 * equality for such versions (OSV `versions` lists).
 */
#ifndef AIGATE_SUPPLY_VERSION_H
#define AIGATE_SUPPLY_VERSION_H

#include <stddef.h>
#include <stdint.h>

#define AG_VERSION_MAX_LEN 256
#define AG_PEP440_MAX_RELEASE 32 /* release segments: 1.2.3... */
#define AG_SEMVER_MAX_PRE 32     /* pre-release identifiers */

/* ------------------------------------------------------------------ PEP 440 */

typedef enum {
  AG_PRE_NONE = -1,
  AG_PRE_A = 0,
  AG_PRE_B = 1,
  AG_PRE_RC = 2
} ag_pep440_pre;

typedef struct {
  uint64_t epoch;
  uint64_t release[AG_PEP440_MAX_RELEASE];
  int n_release; /* as written (1.0.0 has 3); comparison ignores
                  * trailing zeros */
  int pre;       /* ag_pep440_pre */
  uint64_t pre_n;
  int has_post;
  uint64_t post_n;
  int has_dev;
  uint64_t dev_n;
  /* The local label, normalized: lower case, separators turned into
   * '.', numeric parts without leading zeros. Empty: none. */
  char local[AG_VERSION_MAX_LEN];
} ag_pep440;

/*
 * Parse s[0, n) as a PEP 440 version (the spec's permissive input forms:
 * leading 'v', surrounding whitespace, alternative spellings such as
 * "alpha", "pre", "rev", "-1" for a post release, '-' and '_' separators).
 * Returns 0, or -1 when s is not a valid version or exceeds a limit.
 */
int ag_pep440_parse(const char *s, size_t n, ag_pep440 *out);

/* <0, 0, >0 in PEP 440 order (local labels included, as packaging does). */
int ag_pep440_cmp(const ag_pep440 *a, const ag_pep440 *b);

/* The normalized form ("1.0rc1.post2.dev3+ubuntu.1") into buf (at most
 * cap bytes with the NUL). Returns its length, or -1 when it does not fit. */
int ag_pep440_format(const ag_pep440 *v, char *buf, size_t cap);

/* ------------------------------------------------------------------ semver */

typedef struct {
  uint64_t major, minor, patch;
  /* Pre-release identifiers as offsets into `text`. */
  int n_pre;
  struct {
    uint16_t off, len;
    int numeric;
  } pre[AG_SEMVER_MAX_PRE];
  char text[AG_VERSION_MAX_LEN + 1]; /* the version as given */
} ag_semver;

/*
 * Parse s[0, n) as node-semver does in strict mode: optional surrounding
 * whitespace, an optional leading 'v' or '=', MAJOR.MINOR.PATCH without
 * leading zeros, optional -pre.release and +build. Numbers above 2^53-1
 * (JavaScript's safe integers) are rejected, as node-semver does.
 * Returns 0 or -1.
 */
int ag_semver_parse(const char *s, size_t n, ag_semver *out);

/* <0, 0, >0 in SemVer order (build metadata ignored). */
int ag_semver_cmp(const ag_semver *a, const ag_semver *b);

/* ---------------------------------------------------------- by ecosystem */

typedef enum {
  AG_ECO_UNKNOWN = 0,
  AG_ECO_PYPI = 1,
  AG_ECO_NPM = 2
} ag_ecosystem;

/* "PyPI" / "npm" (OSV spelling, case-sensitive) or AG_ECO_UNKNOWN. */
ag_ecosystem ag_ecosystem_parse(const char *s);
const char *ag_ecosystem_name(ag_ecosystem e);

/* Which order to compare in: the ecosystem's (OSV "ECOSYSTEM" ranges) or
 * SemVer whatever the ecosystem (OSV "SEMVER" ranges). */
typedef enum { AG_ORDER_ECOSYSTEM = 0, AG_ORDER_SEMVER = 1 } ag_order;

/* A parsed version of either kind. */
typedef struct {
  int kind; /* 0 PEP 440, 1 SemVer */
  union {
    ag_pep440 pep;
    ag_semver sem;
  } u;
} ag_version;

/* Parse for comparison in the given order; -1 when unparseable there. */
int ag_version_parse(ag_ecosystem eco, ag_order order, const char *s,
                     ag_version *out);

/* Compare two versions parsed with the same (eco, order). */
int ag_version_cmp(const ag_version *a, const ag_version *b);

#endif
