/*
 * ioc.h -- indicators of compromise (the YAML files of rules/iocs, generated
 * from a cited indicator list by tools/gen_iocs.py): file names, SHA-256
 * hashes, RECORD hashes, strings and domains in startup files, and persistence
 * paths under home directories and the temporary directory. The files
 * are embedded in the binary; --iocs DIR reads others instead.
 */
#ifndef AIGATE_SUPPLY_IOC_H
#define AIGATE_SUPPLY_IOC_H

#include <stddef.h>

#include "aigate/aigate.h"

typedef enum {
  AG_IOC_FILE_NAME,
  AG_IOC_SHA256, /* value: 64 lower-case hex digits */
  AG_IOC_RECORD_HASH,
  AG_IOC_STRING,
  AG_IOC_PATH,   /* "~/..." under a home, "/tmp/..." under the temp dir */
  AG_IOC_PACKAGE /* "pkg:pypi/NAME@VERSION" or "pkg:npm/NAME@VERSION" */
} ag_ioc_type;

typedef struct {
  char *id, *value, *status, *context, *sources; /* sources: "; "-joined */
  ag_ioc_type type;
  int severity;
  const char *file;        /* the indicator file it came from (set's names) */
  const char *remediation; /* that file's remediation text */
  int line;
  int eco;                 /* AG_IOC_PACKAGE: ag_ecosystem */
  char *pkg, *pkg_version; /* AG_IOC_PACKAGE: name (%40 decoded), version */
} ag_ioc;

typedef struct {
  ag_ioc *iocs;
  size_t n;
  char **names; /* indicator files and their remediation texts */
  char **remediations;
  size_t n_files;
} ag_ioc_set;

/* Load the embedded indicator files (dir NULL) or every *.yaml of dir.
 * Errors ("file:line: why") go to err. */
int ag_ioc_load(ag_ioc_set *set, const char *dir, aigate_error *err);
/* Parse one indicator file (also the fuzz target's entry point). */
int ag_ioc_load_buffer(ag_ioc_set *set, const char *name, const char *buf,
                       size_t len, aigate_error *err);
void ag_ioc_free(ag_ioc_set *set);

#endif
