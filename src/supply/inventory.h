/*
 * inventory.h -- what is installed or locked: Python distributions
 * (*.dist-info/METADATA, *.egg-info/PKG-INFO), requirements*.txt files,
 * npm lockfiles (package-lock.json v1-v3, npm-shrinkwrap.json) and
 * pnpm-lock.yaml, yarn.lock (v1 and berry), Python lockfiles (poetry.lock,
 * uv.lock, pylock.toml, Pipfile.lock) and installed node_modules trees,
 * each package with the file and line it was found at.
 *
 * Everything is read, nothing is run: no interpreter, no package manager.
 * A file that cannot be parsed becomes a problem (file, line, reason) and
 * the walk goes on. Limits: directory depth AG_INV_MAX_DEPTH, files of at
 * most AG_INV_MAX_FILE bytes, AG_INV_MAX_INCLUDES nested `-r` includes.
 */
#ifndef AIGATE_SUPPLY_INVENTORY_H
#define AIGATE_SUPPLY_INVENTORY_H

#include <stddef.h>

#include "version.h"

#define AG_INV_MAX_DEPTH 32
#define AG_INV_MAX_FILE (64u << 20)
#define AG_INV_MAX_INCLUDES 8
#define AG_INV_MAX_ENTRIES 5000000u /* directory entries per walk */

typedef enum {
  AG_SRC_INSTALLED = 0, /* dist-info, egg-info, node_modules */
  AG_SRC_LOCKFILE = 1,  /* package-lock.json, npm-shrinkwrap.json */
  AG_SRC_MANIFEST = 2   /* requirements*.txt */
} ag_pkg_source;

typedef struct {
  ag_ecosystem eco;
  char *name;
  char *version; /* NULL when not pinned (a requirement without ==) */
  char *file;
  int line;
  ag_pkg_source source;
  char *dist_dir; /* installed Python: the .dist-info directory */
} ag_package;

typedef struct {
  char *file;
  int line; /* 0 when not known */
  char *message;
} ag_problem;

typedef struct {
  ag_package *pkgs;
  size_t n_pkgs, cap_pkgs;
  ag_problem *problems;
  size_t n_problems, cap_problems;
  char **site_dirs; /* directories holding *.dist-info: startup files live
                     * there */
  size_t n_site_dirs, cap_site_dirs;
  size_t files;   /* metadata, lockfiles and manifests read */
  size_t entries; /* directory entries seen */
  int nomem;
} ag_inventory;

/* Walk path (a directory, or one lockfile/manifest/METADATA file). */
void ag_inventory_scan(ag_inventory *inv, const char *path);
void ag_inventory_free(ag_inventory *inv);

/*
 * The default search when no path is given: the current directory and
 * the interpreter library directories that exist (/usr/lib/python3*,
 * /usr/local/lib/python3*, ~/.local/lib/python3*). Returns a
 * NULL-terminated malloc'ed array of malloc'ed strings.
 */
char **ag_inventory_default_paths(void);
void ag_inventory_free_paths(char **paths);

/* Parsers of one file's contents (also the fuzz targets' entry points).
 * file names the source in packages and problems. */
void ag_inv_parse_package_lock(ag_inventory *inv, const char *file,
                               const char *buf, size_t len);
void ag_inv_parse_requirements(ag_inventory *inv, const char *file,
                               const char *buf, size_t len, int depth);
/* pnpm-lock.yaml, yarn.lock (v1 and berry): js_lock.c. */
void ag_inv_parse_pnpm_lock(ag_inventory *inv, const char *file,
                            const char *buf, size_t len);
void ag_inv_parse_yarn_lock(ag_inventory *inv, const char *file,
                            const char *buf, size_t len);
/* poetry.lock and uv.lock (pylock 0), pylock.toml (pylock 1), Pipfile.lock:
 * py_lock.c. */
void ag_inv_parse_toml_lock(ag_inventory *inv, const char *file,
                            const char *buf, size_t len, int pylock);
void ag_inv_parse_pipfile_lock(ag_inventory *inv, const char *file,
                               const char *buf, size_t len);
/* METADATA / PKG-INFO headers: Name and Version. */
void ag_inv_parse_metadata(ag_inventory *inv, const char *file,
                           const char *dist_dir, const char *buf, size_t len);

/* Add a package; name and version are copied (version may be NULL).
 * -1 on allocation failure (inv->nomem set). */
int ag_inv_add(ag_inventory *inv, ag_ecosystem eco, const char *name,
               size_t name_len, const char *version, size_t version_len,
               const char *file, int line, ag_pkg_source src,
               const char *dist_dir);

/* Read a regular file (not a FIFO or device, not through a final
 * symbolic link) of at most AG_INV_MAX_FILE bytes into a NUL-terminated
 * malloc'ed buffer; -1 (errno set) when it cannot be read, 0 with
 * *too_large set (and the first AG_INV_MAX_FILE bytes) when it is larger. */
int ag_inv_read(const char *path, char **buf, size_t *len, int *too_large);

/* Record a problem (printf-style message). */
void ag_inv_problem(ag_inventory *inv, const char *file, int line,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
