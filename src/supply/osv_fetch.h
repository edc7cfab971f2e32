/*
 * osv_fetch.h -- download and import osv.dev's per-ecosystem archives
 * (see osv_fetch.c).
 */
#ifndef AIGATE_SUPPLY_OSV_FETCH_H
#define AIGATE_SUPPLY_OSV_FETCH_H

#include "osv.h"

#define AG_OSV_DEFAULT_BASE_URL                                                \
  "https://osv-vulnerabilities.storage.googleapis.com"
#define AG_OSV_MAX_ARCHIVE (2ULL << 30) /* bytes per downloaded archive */

/*
 * Download <base_url>/<ecosystem>/all.zip for each of the n ecosystems
 * and import them all in one transaction (committed only when every
 * download and import succeeded). The caller has curl_global_init'ed.
 */
int ag_osv_update(ag_osvdb *db, const char *base_url,
                  const char *const *ecosystems, size_t n,
                  ag_osv_import_stats *st, aigate_error *err);

#endif
