/*
 * startup.c -- startup files, RECORD integrity and indicators of
 * compromise in site directories, and persistence paths under homes.
 *
 * Why: the malicious litellm 1.82.8 shipped litellm_init.pth, and site.py
 * executes every .pth line that starts with "import" at each interpreter
 * start, whether or not the package is ever imported. Such lines have
 * legitimate uses (setuptools' distutils shim, editable installs,
 * coverage, namespace packages), so a short allow-list of those exact
 * forms is accepted and every other executable line is a finding; signs
 * of hiding (base64, exec, subprocess, network modules) make it critical,
 * as does a startup file no installed distribution's RECORD lists.
 *
 * RECORD verification cannot catch a malicious release (its RECORD is
 * correct: the attacker built the wheel), but it tells which distribution
 * owns a startup file and catches files changed after installation.
 * Everything here reads; nothing is executed, changed or deleted.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "startup.h"

#define MAX_STARTUP_FILE (4u << 20)
#define MAX_RECORD (64u << 20)
#define MAX_HASHED_FILE (512u << 20)

/* --------------------------------------------------------------- helpers */

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...) {
  va_list ap;
  va_start(ap, f);
  int n = vsnprintf(NULL, 0, f, ap);
  va_end(ap);
  if (n < 0)
    return NULL;
  char *s = malloc((size_t)n + 1);
  if (s) {
    va_start(ap, f);
    vsnprintf(s, (size_t)n + 1, f, ap);
    va_end(ap);
  }
  return s;
}

static void finding(ag_audit *a, ag_finding_kind kind, int sev,
                    const char *rule, const char *file, int line, char *title,
                    char *details, char *remediation, const char *refs) {
  ag_finding *f = ag_audit_add(a);
  if (!f) {
    free(title);
    free(details);
    free(remediation);
    return;
  }
  f->kind = kind;
  f->severity = sev;
  f->rule = strdup(rule);
  f->file = strdup(file);
  f->line = line;
  f->title = title;
  f->details = details;
  f->remediation = remediation;
  f->refs = refs && *refs ? strdup(refs) : NULL;
  if (!f->rule || !f->file || !f->title)
    a->nomem = 1;
}

/* SHA-256 of a regular file (not following a final symbolic link);
 * 0, or -1 (missing, not regular, unreadable, too large). */
static int hash_file(const char *path, unsigned char out[32]) {
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0)
    return -1;
  struct stat st;
  if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
      (uint64_t)st.st_size > MAX_HASHED_FILE) {
    close(fd);
    return -1;
  }
  crypto_hash_sha256_state h;
  crypto_hash_sha256_init(&h);
  unsigned char buf[65536];
  ssize_t r;
  while ((r = read(fd, buf, sizeof(buf))) != 0) {
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      close(fd);
      return -1;
    }
    crypto_hash_sha256_update(&h, buf, (unsigned long long)r);
  }
  close(fd);
  crypto_hash_sha256_final(&h, out);
  return 0;
}

static void to_hex(const unsigned char d[32], char hex[65]) {
  sodium_bin2hex(hex, 65, d, 32);
}

int ag_record_sha256(const char *field, size_t len, unsigned char out[32]) {
  if (len < 8 || strncmp(field, "sha256=", 7))
    return -1;
  size_t bin_len;
  const char *end;
  if (sodium_base642bin(out, 32, field + 7, len - 7, NULL, &bin_len, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) ||
      bin_len != 32 || end != field + len)
    return -1;
  return 0;
}

/* ------------------------------------------------------------ .pth lines */

/* Executable lines of well-known, benign .pth files, by prefix. */
static const char *const PTH_ALLOW[] = {
    /* setuptools: distutils-precedence.pth */
    "import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = "
    "os.environ.get(var, 'local') == 'local'; enabled and "
    "__import__('_distutils_hack').add_shim(); ",
    /* setuptools editable installs (PEP 660): __editable__.*.pth */
    "import __editable___",
    /* virtualenv's _virtualenv.pth */
    "import _virtualenv",
    /* coverage's subprocess measurement */
    "import coverage; coverage.process_startup()",
    /* setuptools namespace packages: *-nspkg.pth */
    "import sys, types, os;has_mfs = sys.version_info > (3, 5);p = "
    "os.path.join(sys._getframe(1).f_locals['sitedir'], *(",
    "import sys, types, os;p = os.path.join(sys._getframe(1).f_locals["
    "'sitedir'], *(",
    /* pywin32 */
    "import pywin32_bootstrap",
    /* setuptools' old easy-install.pth: keeps eggs first on sys.path */
    "import sys; sys.__plen = len(sys.path)",
    "import sys; new = sys.path[sys.__plen:]; del sys.path[sys.__plen:]; p = "
    "getattr(sys, '__egginsert', 0); sys.path[p:p] = new; sys.__egginsert = "
    "p + len(new)",
    NULL};

/* Words that executable startup code has no business containing. */
static const char *const PTH_SUSPICIOUS[] = {
    "base64",     "b64decode", "exec(",     "eval(",
    "subprocess", "Popen",     "os.system", "urllib",
    "socket",     "http",      "codecs",    "compile(",
    "marshal",    "zlib",      "ctypes",    "__import__('os')",
    "requests",   NULL};

int ag_pth_line_kind(const char *line, size_t len, int *obfuscated) {
  *obfuscated = 0;
  /* site.py: a line starting with "import " or "import\t" is executed */
  if (len < 7 || strncmp(line, "import", 6) ||
      (line[6] != ' ' && line[6] != '\t'))
    return 0;
  for (size_t i = 0; PTH_SUSPICIOUS[i]; i++) {
    size_t wl = strlen(PTH_SUSPICIOUS[i]);
    for (size_t k = 0; k + wl <= len; k++)
      if (!memcmp(line + k, PTH_SUSPICIOUS[i], wl)) {
        *obfuscated = 1;
        break;
      }
  }
  for (size_t i = 0; PTH_ALLOW[i]; i++) {
    size_t pl = strlen(PTH_ALLOW[i]);
    if (len >= pl && !memcmp(line, PTH_ALLOW[i], pl) && !*obfuscated)
      return 1;
  }
  return 2;
}

/* -------------------------------------------------------------- ownership */

typedef struct {
  const char *site; /* borrowed from the inventory */
  char *name;       /* top-level entry of the site directory */
  const ag_package *owner;
} owned;

typedef struct {
  owned *v;
  size_t n, cap;
  const char **incomplete; /* sites with a distribution without RECORD */
  size_t n_incomplete;
} owned_list;

static void mark_incomplete(owned_list *l, const char *site) {
  for (size_t i = 0; i < l->n_incomplete; i++)
    if (l->incomplete[i] == site)
      return;
  const char **v =
      realloc(l->incomplete, (l->n_incomplete + 1) * sizeof(*l->incomplete));
  if (!v)
    return;
  l->incomplete = v;
  l->incomplete[l->n_incomplete++] = site;
}

static int is_incomplete(const owned_list *l, const char *site) {
  for (size_t i = 0; i < l->n_incomplete; i++)
    if (l->incomplete[i] == site)
      return 1;
  return 0;
}

static void own(owned_list *l, const char *site, const char *name, size_t nl,
                const ag_package *p) {
  /* RECORD lists a package's files together: most rows repeat the last
   * top-level name */
  if (l->n && l->v[l->n - 1].site == site &&
      strlen(l->v[l->n - 1].name) == nl &&
      !memcmp(l->v[l->n - 1].name, name, nl))
    return;
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 256;
    owned *v = realloc(l->v, cap * sizeof(*v));
    if (!v)
      return;
    l->v = v;
    l->cap = cap;
  }
  char *n = strndup(name, nl);
  if (!n)
    return;
  l->v[l->n++] = (owned){site, n, p};
}

static int owned_cmp(const void *a, const void *b) {
  const owned *x = a, *y = b;
  if (x->site != y->site)
    return (uintptr_t)x->site < (uintptr_t)y->site ? -1 : 1;
  return strcmp(x->name, y->name);
}

/* After every RECORD was read: sorted for owner_of's binary search. */
static void own_done(owned_list *l) {
  if (l->n)
    qsort(l->v, l->n, sizeof(*l->v), owned_cmp);
}

static const ag_package *owner_of(const owned_list *l, const char *site,
                                  const char *name) {
  owned key = {site, (char *)name, NULL};
  const owned *hit =
      l->n ? bsearch(&key, l->v, l->n, sizeof(*l->v), owned_cmp) : NULL;
  return hit ? hit->owner : NULL;
}

/* The site directory (of the inventory's list) holding dist_dir. */
static const char *site_of(const ag_inventory *inv, const char *dist_dir) {
  const char *slash = strrchr(dist_dir, '/');
  if (!slash)
    return NULL;
  size_t l = (size_t)(slash - dist_dir);
  for (size_t i = 0; i < inv->n_site_dirs; i++)
    if (strlen(inv->site_dirs[i]) == l &&
        !memcmp(inv->site_dirs[i], dist_dir, l))
      return inv->site_dirs[i];
  return NULL;
}

static const ag_ioc *ioc_match(const ag_ioc_set *iocs, ag_ioc_type t,
                               const char *value) {
  for (size_t i = 0; iocs && i < iocs->n; i++)
    if (iocs->iocs[i].type == t && !strcmp(iocs->iocs[i].value, value))
      return &iocs->iocs[i];
  return NULL;
}

static void ioc_finding(ag_audit *a, const ag_ioc *x, const char *file,
                        int line, const char *what) {
  finding(a, AG_FIND_INDICATOR, x->severity, x->id, file, line,
          fmt("indicator of compromise: %s", what),
          fmt("%s (%s; %s; %s:%d)", x->context, x->status, x->value, x->file,
              x->line),
          strdup(x->remediation), x->sources);
}

int ag_record_row(const char **p, const char *end, char **row, char *f[3],
                  size_t fl[3]) {
  const char *s = *p;
  const char *eol = memchr(s, '\n', (size_t)(end - s));
  if (!eol)
    eol = end;
  size_t n = (size_t)(eol - s);
  char *r = malloc(n + 1);
  *row = r;
  *p = eol < end ? eol + 1 : end;
  if (!r)
    return 0;
  int k = 0;
  size_t o = 0, i = 0;
  while (k < 3) {
    f[k] = r + o;
    if (i < n && s[i] == '"') {
      i++;
      while (i < n) {
        if (s[i] == '"' && i + 1 < n && s[i + 1] == '"') {
          r[o++] = '"';
          i += 2;
        } else if (s[i] == '"') {
          i++;
          break;
        } else {
          r[o++] = s[i++];
        }
      }
    }
    while (i < n && s[i] != ',' && s[i] != '\r')
      r[o++] = s[i++];
    fl[k] = (size_t)(r + o - f[k]);
    r[o++] = '\0';
    k++;
    if (i >= n || s[i] != ',')
      break;
    i++;
  }
  return k;
}

/* Installed by a Python installer (pip, uv, ...: an INSTALLER file) or by
 * the system's package manager (Debian's python3-* packages have none,
 * and their builds strip extension modules after RECORD was written, so
 * a mismatch there is expected and the package manager is the one to
 * verify them: debsums, rpm -V). */
static int python_installed(const char *dist_dir) {
  char path[4096];
  snprintf(path, sizeof(path), "%s/INSTALLER", dist_dir);
  struct stat st;
  return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void check_record(ag_audit *a, const ag_ioc_set *iocs, owned_list *own_l,
                         const ag_package *p, const char *site, int no_hashes) {
  char path[4096];
  int managed = !python_installed(p->dist_dir);
  snprintf(path, sizeof(path), "%s/RECORD", p->dist_dir);
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    /* a RECORD-less install: ownership in this site is incomplete */
    mark_incomplete(own_l, site);
    return;
  }
  struct stat st;
  char *buf = NULL;
  if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
      (uint64_t)st.st_size > MAX_RECORD ||
      !(buf = malloc((size_t)st.st_size + 1))) {
    close(fd);
    ag_inv_problem(&a->inv, path, 0, "not read (not a file or too large)");
    mark_incomplete(own_l, site);
    return;
  }
  size_t len = 0;
  ssize_t r;
  while (len < (size_t)st.st_size &&
         (r = read(fd, buf + len, (size_t)st.st_size - len)) > 0)
    len += (size_t)r;
  close(fd);
  const char *s = buf, *end = buf + len;
  int line = 0;
  while (s < end) {
    char *row, *f[3];
    size_t fl[3];
    line++;
    int k = ag_record_row(&s, end, &row, f, fl);
    if (!row) {
      a->nomem = 1;
      break;
    }
    if (k < 1 || !fl[0]) {
      free(row);
      continue;
    }
    /* the top-level entry (file or directory) the row is under */
    const char *top = !strncmp(f[0], "./", 2) ? f[0] + 2 : f[0];
    size_t tl = strcspn(top, "/");
    if (tl && top[0] != '/' && strncmp(top, "..", 2))
      own(own_l, site, top, tl, p);
    const ag_ioc *x;
    if (k >= 2 && fl[1] &&
        (x = ioc_match(iocs, AG_IOC_RECORD_HASH, f[1])) != NULL) {
      char *what = fmt("RECORD of %s %s lists %s with a known-bad hash",
                       p->name, p->version, f[0]);
      ioc_finding(a, x, path, line, what ? what : x->value);
      free(what);
    }
    unsigned char want[32], got[32];
    if (k >= 2 && !ag_record_sha256(f[1], fl[1], want)) {
      char file[8192];
      if (f[0][0] == '/')
        snprintf(file, sizeof(file), "%s", f[0]);
      else
        snprintf(file, sizeof(file), "%s/%s", site, f[0]);
      struct stat fs;
      if (lstat(file, &fs)) {
        finding(a, AG_FIND_INTEGRITY, AG_SEV_LOW, "AIGATE-RECORD-MISSING", path,
                line,
                fmt("%s %s: installed file %s is missing", p->name, p->version,
                    f[0]),
                strdup(managed ? "A file its RECORD lists is gone; the "
                                 "distribution was installed by the system's "
                                 "package manager (no INSTALLER file)."
                               : "A file its RECORD lists is gone."),
                managed ? fmt("Verify the system package that installed %s "
                              "with its package manager (debsums -s, rpm -V).",
                              p->name)
                        : fmt("Reinstall %s from a trusted source if this was "
                              "not intended.",
                              p->name),
                NULL);
      } else if (!no_hashes && !hash_file(file, got)) {
        char hex[65];
        to_hex(got, hex);
        if ((x = ioc_match(iocs, AG_IOC_SHA256, hex)) != NULL) {
          char *what = fmt("%s has a known-bad SHA-256", file);
          ioc_finding(a, x, file, 0, what ? what : hex);
          free(what);
        }
        if (memcmp(got, want, 32)) {
          size_t l = strlen(f[0]);
          int startup = (l > 4 && !strcmp(f[0] + l - 4, ".pth"));
          /* the digest only of files inside the site directory: a
           * hostile RECORD may name any file on the machine */
          int inside = f[0][0] != '/' && !strstr(f[0], "..");
          int sev = startup   ? AG_SEV_HIGH
                    : managed ? AG_SEV_LOW
                              : AG_SEV_MEDIUM;
          finding(
              a, AG_FIND_INTEGRITY, sev, "AIGATE-RECORD-MODIFIED", path, line,
              fmt("%s %s: installed file %s differs from its RECORD", p->name,
                  p->version, f[0]),
              fmt("%s%s%s", inside ? "its SHA-256 is " : "",
                  inside ? hex : "its content does not match RECORD's hash",
                  managed ? "; installed by the system's package manager (no "
                            "INSTALLER file), whose builds may change files "
                            "after RECORD was written"
                          : ""),
              managed ? fmt("Verify the system package that installed %s with "
                            "its package manager (debsums -s, rpm -V); "
                            "reinstall it if that reports a change.",
                            p->name)
                      : fmt("Find out who changed %s; reinstall %s from a "
                            "trusted source.",
                            file, p->name),
              NULL);
        }
      }
    }
    free(row);
  }
  free(buf);
}

/* --------------------------------------------------------- startup files */

static int has_suffix(const char *s, const char *suffix) {
  size_t l = strlen(s), m = strlen(suffix);
  return l >= m && !strcmp(s + l - m, suffix);
}

/* Search a startup file's content for indicator strings. */
static void content_iocs(ag_audit *a, const ag_ioc_set *iocs, const char *path,
                         const char *buf, size_t len) {
  for (size_t i = 0; iocs && i < iocs->n; i++) {
    const ag_ioc *x = &iocs->iocs[i];
    if (x->type != AG_IOC_STRING)
      continue;
    size_t vl = strlen(x->value);
    int line = 1;
    for (size_t k = 0; k + vl <= len; k++) {
      if (buf[k] == '\n')
        line++;
      if (!memcmp(buf + k, x->value, vl)) {
        char *what = fmt("startup file contains \"%s\"", x->value);
        ioc_finding(a, x, path, line, what ? what : x->value);
        free(what);
        break;
      }
    }
  }
}

static char *owner_text(const ag_package *o) {
  return o ? fmt("installed by %s %s (%s)", o->name, o->version, o->dist_dir)
           : strdup("no installed distribution's RECORD lists this file");
}

/*
 * The length of the line at s (before end) and where the next one starts,
 * splitting where Python's str.splitlines() does (site.py reads .pth files
 * with it since 3.13; older versions split at \n and \r): \n, \r, \r\n,
 * \v, \f, \x1c-\x1e, NEL, LS and PS. Splitting at all of them can only
 * show more lines that start with "import", never hide one.
 */
static const char *pth_line(const char *s, const char *end, size_t *len) {
  for (const char *p = s; p < end; p++) {
    unsigned char c = (unsigned char)*p;
    size_t sep = 0;
    if (c == '\n' || c == '\v' || c == '\f' || (c >= 0x1c && c <= 0x1e))
      sep = 1;
    else if (c == '\r')
      sep = (p + 1 < end && p[1] == '\n') ? 2 : 1;
    else if (c == 0xC2 && p + 1 < end && (unsigned char)p[1] == 0x85)
      sep = 2;
    else if (c == 0xE2 && p + 2 < end && (unsigned char)p[1] == 0x80 &&
             ((unsigned char)p[2] == 0xA8 || (unsigned char)p[2] == 0xA9))
      sep = 3;
    if (sep) {
      *len = (size_t)(p - s);
      return p + sep;
    }
  }
  *len = (size_t)(end - s);
  return end;
}

static void check_pth(ag_audit *a, const char *path, const char *buf,
                      size_t len, const ag_package *owner) {
  int line = 0, executable = 0, paths = 0;
  /* a UTF-8 byte-order mark is dropped (site.py decodes with utf-8-sig) */
  if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3)) {
    buf += 3;
    len -= 3;
  }
  for (const char *s = buf, *end = buf + len, *next; s < end; s = next) {
    size_t l;
    next = pth_line(s, end, &l);
    line++;
    int obf;
    int kind = l && s[0] != '#' ? ag_pth_line_kind(s, l, &obf) : 0;
    if (kind == 0 && l && s[0] != '#')
      paths++;
    if (kind == 2) {
      executable++;
      int sev = (obf || !owner) ? AG_SEV_CRITICAL : AG_SEV_HIGH;
      char *own_s = owner_text(owner);
      finding(a, AG_FIND_STARTUP, sev,
              obf ? "AIGATE-PTH-EXEC-OBFUSCATED" : "AIGATE-PTH-EXEC", path,
              line,
              fmt("%s runs code at every Python start-up%s",
                  strrchr(path, '/') ? strrchr(path, '/') + 1 : path,
                  obf ? " (obfuscated: base64/exec/subprocess/network)" : ""),
              fmt("%.*s%s; %s", (int)(l > 160 ? 160 : l), s,
                  l > 160 ? "..." : "", own_s ? own_s : ""),
              fmt("Do not start Python in this environment until this is "
                  "understood. If the line is not from a package you trust, "
                  "delete %s, remove the package that installed it, and "
                  "treat the machine as compromised (rotate credentials, "
                  "check persistence with --home).",
                  path),
              NULL);
      free(own_s);
    }
  }
  if (!owner && !executable && paths)
    finding(a, AG_FIND_STARTUP, AG_SEV_LOW, "AIGATE-PTH-UNOWNED", path, 0,
            fmt("%s adds import paths but no distribution owns it",
                strrchr(path, '/') ? strrchr(path, '/') + 1 : path),
            fmt("%d path line(s)", paths),
            strdup("Check where the file came from; remove it if unknown."),
            NULL);
}

static void check_start(ag_audit *a, const char *path, const char *buf,
                        size_t len, const ag_package *owner) {
  int line = 0;
  for (const char *s = buf, *end = buf + len; s < end;) {
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    const char *eol = nl ? nl : end;
    size_t l = (size_t)(eol - s);
    line++;
    while (l && (s[l - 1] == '\r' || s[l - 1] == ' '))
      l--;
    if (l && s[0] != '#') {
      char *own_s = owner_text(owner);
      finding(a, AG_FIND_STARTUP, owner ? AG_SEV_MEDIUM : AG_SEV_HIGH,
              "AIGATE-START-ENTRY", path, line,
              fmt("%s runs an entry point at every Python start-up",
                  strrchr(path, '/') ? strrchr(path, '/') + 1 : path),
              fmt("%.*s; %s", (int)(l > 160 ? 160 : l), s, own_s ? own_s : ""),
              strdup("Make sure the package that installed it is trusted; "
                     "remove the file otherwise."),
              NULL);
      free(own_s);
    }
    s = nl ? nl + 1 : end;
  }
}

/* Code in a site directory that no distribution's RECORD lists: a module
 * or package dropped there rather than installed. Judged only where every
 * distribution has a RECORD (egg-info installs list nothing), at low
 * severity: old installers and manual copies leave such files too. */
static int unowned_candidate(const char *name, int is_dir) {
  if (!strcmp(name, "__pycache__") || has_suffix(name, ".dist-info") ||
      has_suffix(name, ".egg-info") || has_suffix(name, ".data") ||
      has_suffix(name, ".egg") || has_suffix(name, ".pth") ||
      has_suffix(name, ".start") || !strcmp(name, "sitecustomize.py") ||
      !strcmp(name, "usercustomize.py"))
    return 0;
  return is_dir || has_suffix(name, ".py") || has_suffix(name, ".so") ||
         has_suffix(name, ".pyc");
}

#define MAX_UNOWNED_FINDINGS 100

static void check_site(ag_audit *a, const ag_ioc_set *iocs,
                       const owned_list *own_l, const char *site) {
  DIR *d = opendir(site);
  if (!d)
    return;
  int judge_ownership = !is_incomplete(own_l, site), unowned = 0;
  struct dirent *e;
  /* egg-info installs list no files: nothing here can be judged */
  while (judge_ownership && (e = readdir(d)))
    if (has_suffix(e->d_name, ".egg-info"))
      judge_ownership = 0;
  rewinddir(d);
  while ((e = readdir(d))) {
    const char *name = e->d_name;
    if (!strcmp(name, ".") || !strcmp(name, ".."))
      continue;
    char path[4096];
    int w = snprintf(path, sizeof(path), "%s/%s", site, name);
    if (w < 0 || (size_t)w >= sizeof(path))
      continue;
    struct stat ls;
    if (judge_ownership && !lstat(path, &ls) &&
        (S_ISDIR(ls.st_mode) || S_ISREG(ls.st_mode)) &&
        unowned_candidate(name, S_ISDIR(ls.st_mode)) &&
        !owner_of(own_l, site, name) && unowned++ < MAX_UNOWNED_FINDINGS)
      finding(a, AG_FIND_INTEGRITY, AG_SEV_LOW, "AIGATE-UNOWNED-CODE", path, 0,
              fmt("%s %s in site-packages belongs to no installed distribution",
                  S_ISDIR(ls.st_mode) ? "package" : "module", name),
              strdup("No RECORD of this site directory lists it: it was "
                     "copied or dropped here, not installed."),
              fmt("Find out where %s came from; remove it if nobody put it "
                  "there on purpose.",
                  path),
              NULL);
    const ag_ioc *x = ioc_match(iocs, AG_IOC_FILE_NAME, name);
    if (x) {
      char *what = fmt("a file named %s", name);
      ioc_finding(a, x, path, 0, what ? what : name);
      free(what);
    }
    int pth = has_suffix(name, ".pth"), start = has_suffix(name, ".start");
    int custom =
        !strcmp(name, "sitecustomize.py") || !strcmp(name, "usercustomize.py");
    /* Hidden .pth files are read too: only recent Pythons skip them
     * (gh-113659). */
    if (!(pth || start || custom))
      continue;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
      if (fd >= 0)
        close(fd);
      continue;
    }
    size_t cap = (size_t)st.st_size < MAX_STARTUP_FILE ? (size_t)st.st_size
                                                       : MAX_STARTUP_FILE;
    char *buf = malloc(cap + 1);
    size_t len = 0;
    ssize_t r;
    while (buf && len < cap && (r = read(fd, buf + len, cap - len)) > 0)
      len += (size_t)r;
    close(fd);
    if (!buf) {
      a->nomem = 1;
      break;
    }
    buf[len] = '\0';
    unsigned char digest[32];
    char hex[65];
    crypto_hash_sha256(digest, (const unsigned char *)buf, len);
    to_hex(digest, hex);
    if ((size_t)st.st_size <= MAX_STARTUP_FILE &&
        (x = ioc_match(iocs, AG_IOC_SHA256, hex)) != NULL) {
      char *what = fmt("%s has a known-bad SHA-256", name);
      ioc_finding(a, x, path, 0, what ? what : hex);
      free(what);
    }
    content_iocs(a, iocs, path, buf, len);
    const ag_package *owner = owner_of(own_l, site, name);
    if (pth)
      check_pth(a, path, buf, len, owner);
    else if (start)
      check_start(a, path, buf, len, owner);
    else if (!owner)
      finding(a, AG_FIND_STARTUP, AG_SEV_HIGH, "AIGATE-SITECUSTOMIZE", path, 0,
              fmt("%s runs at every Python start-up and no distribution "
                  "owns it",
                  name),
              fmt("SHA-256 %s", hex),
              strdup("Read it; delete it unless you put it there."), NULL);
    free(buf);
  }
  closedir(d);
}

/* -------------------------------------------------------------- homes */

/* systemd user units under a home: a persistence unit renamed away from
 * the known path still carries the indicator strings (its Description). */
static void check_user_units(ag_audit *a, const ag_ioc_set *iocs,
                             const char *home) {
  char dir[4096];
  int w = snprintf(dir, sizeof(dir), "%s/.config/systemd/user", home);
  if (w < 0 || (size_t)w >= sizeof(dir))
    return;
  DIR *d = opendir(dir);
  if (!d)
    return;
  struct dirent *e;
  int n = 0;
  while ((e = readdir(d)) && n++ < 10000) {
    if (!has_suffix(e->d_name, ".service") && !has_suffix(e->d_name, ".timer"))
      continue;
    char path[8192];
    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) ||
        st.st_size > (off_t)MAX_STARTUP_FILE) {
      if (fd >= 0)
        close(fd);
      continue;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    size_t len = 0;
    ssize_t r;
    while (buf && len < (size_t)st.st_size &&
           (r = read(fd, buf + len, (size_t)st.st_size - len)) > 0)
      len += (size_t)r;
    close(fd);
    if (!buf) {
      a->nomem = 1;
      break;
    }
    buf[len] = '\0';
    content_iocs(a, iocs, path, buf, len);
    free(buf);
  }
  closedir(d);
}

static void check_paths(ag_audit *a, const ag_ioc_set *iocs, const char *base,
                        const char *prefix) {
  size_t pl = strlen(prefix);
  for (size_t i = 0; iocs && i < iocs->n; i++) {
    const ag_ioc *x = &iocs->iocs[i];
    if (x->type != AG_IOC_PATH || strncmp(x->value, prefix, pl))
      continue;
    char path[4096];
    int w = snprintf(path, sizeof(path), "%s/%s", base, x->value + pl);
    struct stat st;
    if (w < 0 || (size_t)w >= sizeof(path) || lstat(path, &st))
      continue;
    char *what = fmt("persistence or staging file %s exists", x->value);
    ioc_finding(a, x, path, 0, what ? what : x->value);
    free(what);
  }
}

void ag_startup_check(ag_audit *a, const ag_ioc_set *iocs, char **homes,
                      const char *tmp_dir, int no_hashes) {
  owned_list own_l = {0};
  for (size_t i = 0; i < a->inv.n_pkgs; i++) {
    const ag_package *p = &a->inv.pkgs[i];
    const char *site = p->dist_dir ? site_of(&a->inv, p->dist_dir) : NULL;
    if (site)
      check_record(a, iocs, &own_l, p, site, no_hashes);
  }
  own_done(&own_l);
  for (size_t i = 0; i < a->inv.n_site_dirs; i++)
    check_site(a, iocs, &own_l, a->inv.site_dirs[i]);
  for (size_t i = 0; homes && homes[i]; i++) {
    check_paths(a, iocs, homes[i], "~/");
    check_user_units(a, iocs, homes[i]);
  }
  if (homes && homes[0]) {
    const char *tmp = tmp_dir ? tmp_dir : "/tmp";
    check_paths(a, iocs, tmp, "/tmp/");
    /* staging files (the stealer's archive and its parts) by name */
    for (size_t i = 0; iocs && i < iocs->n; i++) {
      const ag_ioc *x = &iocs->iocs[i];
      char path[4096];
      struct stat st;
      int w = snprintf(path, sizeof(path), "%s/%s", tmp, x->value);
      if (x->type != AG_IOC_FILE_NAME || w < 0 || (size_t)w >= sizeof(path) ||
          lstat(path, &st))
        continue;
      char *what = fmt("a file named %s in the temporary directory", x->value);
      ioc_finding(a, x, path, 0, what ? what : x->value);
      free(what);
    }
  }
  for (size_t i = 0; i < own_l.n; i++)
    free(own_l.v[i].name);
  free(own_l.v);
  free(own_l.incomplete);
}
