/*
 * osv_fetch.c -- `aigate advisories update`: download the per-ecosystem
 * all.zip archives osv.dev publishes (<base>/<ecosystem>/all.zip) with
 * libcurl into memory and import them in one transaction, so that a
 * failed download or a damaged archive leaves the database as it was.
 *
 * The base URL is configurable (a mirror, or a local server in tests);
 * only http and https are allowed, also across redirects, and a download
 * is capped at AG_OSV_MAX_ARCHIVE bytes.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "osv_fetch.h"
#include "util.h"

typedef struct {
  ag_buf buf;
  int too_large;
} download;

static size_t on_data(char *p, size_t size, size_t n, void *ud) {
  download *d = ud;
  size_t len = size * n;
  if (d->buf.len + len > AG_OSV_MAX_ARCHIVE) {
    d->too_large = 1;
    return 0;
  }
  ag_buf_append(&d->buf, p, len);
  return d->buf.failed ? 0 : len;
}

static int fetch(const char *url, download *d, aigate_error *err) {
  CURL *c = curl_easy_init();
  if (!c)
    return AIGATE_ERR_NOMEM;
  char ebuf[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
  /* A stalled transfer fails; a slow but moving one may take its time. */
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "aigate/" AIGATE_VERSION);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, d);
  CURLcode rc = curl_easy_perform(c);
  curl_easy_cleanup(c);
  if (d->too_large) {
    ag_err(err, "%s: larger than %llu bytes", url,
           (unsigned long long)AG_OSV_MAX_ARCHIVE);
    return AIGATE_ERR_TOO_LARGE;
  }
  if (d->buf.failed)
    return AIGATE_ERR_NOMEM;
  if (rc != CURLE_OK) {
    ag_err(err, "%s: %s", url, ebuf[0] ? ebuf : curl_easy_strerror(rc));
    return AIGATE_ERR_IO;
  }
  return AIGATE_OK;
}

int ag_osv_update(ag_osvdb *db, const char *base_url,
                  const char *const *ecosystems, size_t n,
                  ag_osv_import_stats *st, aigate_error *err) {
  if (strncmp(base_url, "http://", 7) && strncmp(base_url, "https://", 8)) {
    ag_err(err, "base URL must be http:// or https://: %s", base_url);
    return AIGATE_ERR_INVALID;
  }
  size_t bl = strlen(base_url);
  while (bl && base_url[bl - 1] == '/')
    bl--;
  int rc = ag_osvdb_begin(db, err);
  if (rc)
    return rc;
  ag_buf source = {0};
  for (size_t i = 0; i < n && !rc; i++) {
    char url[2048];
    int w = snprintf(url, sizeof(url), "%.*s/%s/all.zip", (int)bl, base_url,
                     ecosystems[i]);
    if (w < 0 || (size_t)w >= sizeof(url)) {
      ag_err(err, "base URL too long");
      rc = AIGATE_ERR_INVALID;
      break;
    }
    download d = {{0}, 0};
    rc = fetch(url, &d, err);
    if (!rc)
      rc = ag_osvdb_import_zip_buffer(db, url, d.buf.data, d.buf.len, st, err);
    ag_buf_free(&d.buf);
    if (source.len)
      ag_buf_putc(&source, ' ');
    ag_buf_append(&source, url, strlen(url));
  }
  if (!rc && source.failed)
    rc = AIGATE_ERR_NOMEM;
  if (!rc)
    rc = ag_osvdb_commit(db, source.data, err);
  if (rc)
    ag_osvdb_rollback(db);
  ag_buf_free(&source);
  return rc;
}
