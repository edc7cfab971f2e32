/*
 * store_int.h -- what the files of the store share: the handle and its
 * error reporting.
 */
#ifndef AIGATE_STORE_INT_H
#define AIGATE_STORE_INT_H

#include <sqlite3.h>

#include "store.h"

struct store {
  sqlite3 *db;
  unsigned char secret[32]; /* key-hashing secret */
  int secret_created;       /* this open created the secret file */
  sqlite3_stmt *audit_ins;  /* prepared once: records are written in bulk */
  char err[512];
};

void store_fail(store *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* store_fail with SQLite's message after `what`; returns STORE_ERROR. */
int store_sql_fail(store *s, const char *what);

#endif
