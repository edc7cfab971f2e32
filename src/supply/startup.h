/*
 * startup.h -- what runs when Python starts, and whether installed files
 * are what their distributions installed (see startup.c).
 */
#ifndef AIGATE_SUPPLY_STARTUP_H
#define AIGATE_SUPPLY_STARTUP_H

#include "audit.h"
#include "ioc.h"

/*
 * For every site directory of the inventory: verify each distribution's
 * RECORD (modified and missing files), find startup files (*.pth,
 * *.start, sitecustomize.py, usercustomize.py) and judge them (executable
 * .pth lines outside the allow-list, obfuscation, no owning
 * distribution), and match indicators (file names, hashes, strings).
 * Then check the indicator paths under each home (homes NULL-terminated,
 * may be NULL) and, when homes are given, under tmp_dir. no_hashes: RECORD
 * gives ownership and missing files, installed files are not hashed.
 * Findings are appended to a.
 */
void ag_startup_check(ag_audit *a, const ag_ioc_set *iocs, char **homes,
                      const char *tmp_dir, int no_hashes);

/* One .pth line: 0 not executed by site.py, 1 executed and on the
 * allow-list of well-known benign lines, 2 executed. *obfuscated is set
 * when the line shows signs of hiding what it does. */
int ag_pth_line_kind(const char *line, size_t len, int *obfuscated);

/* RECORD's hash field "sha256=<urlsafe base64, no padding>" decoded into
 * out[32]; -1 when it is not a SHA-256 in that form. */
int ag_record_sha256(const char *field, size_t len, unsigned char out[32]);

/*
 * One row of a RECORD file (CSV: comma-separated, '"' quoting with ""
 * for a quote, \n or \r\n line ends) starting at *p, before end: up to
 * three fields (path, hash, size) as NUL-terminated strings in a malloc'ed
 * copy *row (free it; NULL on allocation failure), with their lengths.
 * Advances *p past the line. Returns the number of fields read.
 */
int ag_record_row(const char **p, const char *end, char **row, char *f[3],
                  size_t fl[3]);

#endif
