/*
 * runtime.c -- what the gateway serves with: the configuration, the
 * compiled engine and the master key, as one immutable snapshot.
 *
 * SIGHUP builds a new snapshot beside the running one; only when it is
 * complete (config valid, rules compiled, profiles present) does it
 * replace the current one, so an invalid new config never interrupts
 * service. Requests hold a reference to the snapshot they started with.
 *
 * The master key: from general_settings.master_key, else the environment
 * (AIGATE_MASTER_KEY), else a key file beside the database, created with
 * mode 0600 on first start. An open gateway is never the default.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bucket.h"
#include "gateway.h"

#define KEY_FILE "aigate.master_key"
#define KEY_MAX 512

static int key_path(const gw_config *cfg, char *buf, size_t len) {
  char db[4096];
  if (store_db_path(cfg->database_url ? cfg->database_url : "aigate.db", db,
                    sizeof(db)))
    return -1;
  return store_path_beside(db, KEY_FILE, buf, len);
}

/* Read the key file, or create it with a fresh key. */
static char *file_key(const gw_config *cfg, aigate_error *err) {
  char path[4200];
  if (key_path(cfg, path, sizeof(path))) {
    snprintf(err->msg, sizeof(err->msg), "database path too long");
    return NULL;
  }
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) {
    char buf[KEY_MAX + 1];
    struct stat st;
    ssize_t n = read(fd, buf, KEY_MAX);
    int mode_ok = fstat(fd, &st) == 0 && (st.st_mode & 077) == 0;
    close(fd);
    if (!mode_ok) {
      snprintf(err->msg, sizeof(err->msg),
               "%.400s: readable by other users; chmod 600 it", path);
      return NULL;
    }
    while (n > 0 &&
           (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
      n--;
    if (n < 16) {
      snprintf(err->msg, sizeof(err->msg), "%.400s: key too short", path);
      return NULL;
    }
    buf[n] = '\0';
    return strdup(buf);
  }
  if (errno != ENOENT) {
    snprintf(err->msg, sizeof(err->msg), "%.400s: %s", path, strerror(errno));
    return NULL;
  }
  unsigned char raw[32];
  randombytes_buf(raw, sizeof(raw));
  char b64[64], key[96];
  sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  snprintf(key, sizeof(key), "sk-ag-master-%s", b64);
  fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    snprintf(err->msg, sizeof(err->msg), "cannot create %.400s: %s", path,
             strerror(errno));
    return NULL;
  }
  size_t klen = strlen(key);
  int ok = write(fd, key, klen) == (ssize_t)klen && write(fd, "\n", 1) == 1;
  ok = close(fd) == 0 && ok;
  if (!ok) {
    snprintf(err->msg, sizeof(err->msg), "cannot write %.400s", path);
    unlink(path);
    return NULL;
  }
  fprintf(stderr,
          "aigate: created a master key in %s (mode 0600); clients send it "
          "as 'Authorization: Bearer <key>'\n",
          path);
  return strdup(key);
}

static char *models_json(const gw_config *cfg) {
  json_t *data = json_array();
  for (size_t i = 0; i < cfg->n_deployments; i++) {
    const char *name = cfg->deployments[i].model_name;
    int seen = 0;
    for (size_t j = 0; j < i && !seen; j++)
      seen = strcmp(cfg->deployments[j].model_name, name) == 0;
    if (seen)
      continue;
    json_array_append_new(data, json_pack("{s:s, s:s, s:i, s:s}", "id", name,
                                          "object", "model", "created", 0,
                                          "owned_by", "aigate"));
  }
  json_t *doc = json_pack("{s:s, s:o}", "object", "list", "data", data);
  char *s = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
  json_decref(doc);
  return s;
}

static void warn(void *ud, const char *msg) {
  (void)ud;
  fprintf(stderr, "aigate: warning: %s\n", msg);
}

/* A profile name must exist: a scan with it tells. */
static int check_profile(aigate_engine *e, const char *what, const char *name,
                         aigate_error *err) {
  if (!name)
    return 0;
  aigate_scratch *s;
  if (aigate_scratch_new(e, &s))
    return AIGATE_ERR_NOMEM;
  aigate_scan_options o = {AIGATE_INPUT, name, 0};
  aigate_result res;
  int rc = aigate_scan_ex(e, s, "", 0, &o, &res);
  aigate_scratch_free(s);
  if (rc == AIGATE_ERR_NOT_FOUND) {
    snprintf(err->msg, sizeof(err->msg),
             "server.%s: no profile '%s' in the configuration", what, name);
    return AIGATE_ERR_CONFIG;
  }
  return 0;
}

int gw_runtime_key_caller(const gw_runtime *rt, const char *key) {
  unsigned char hk[32];
  crypto_generichash(hk, sizeof(hk), (const unsigned char *)key, strlen(key),
                     NULL, 0);
  if (sodium_memcmp(hk, rt->key_hash, sizeof(hk)) == 0)
    return GW_CALLER_MASTER;
  if (rt->has_ui_key && sodium_memcmp(hk, rt->ui_key_hash, sizeof(hk)) == 0)
    return GW_CALLER_VIEWER;
  return GW_CALLER_NONE;
}

int gw_runtime_load(const gw_options *opt, const gw_runtime *prev,
                    gw_runtime **out, aigate_error *err) {
  *out = NULL;
  gw_runtime *rt = calloc(1, sizeof(*rt));
  if (!rt)
    return AIGATE_ERR_NOMEM;
  rt->gen = prev ? prev->gen + 1 : 1;
  pthread_mutex_init(&rt->dep_lock, NULL);
  atomic_init(&rt->refs, 1);
  int rc;
  if (opt->config_path)
    rc = aigate_config_load_file_ex(opt->config_path, gw_config_sections,
                                    &rt->acfg, err);
  else
    rc = aigate_config_default(&rt->acfg, err);
  if (rc)
    goto fail;
  if ((rc = gw_config_load(opt->config_path, &rt->cfg, err, warn, NULL)))
    goto fail;
  aigate_engine_options eo = {rt->acfg, NULL, NULL, NULL};
  if ((rc = aigate_engine_new(&eo, &rt->engine, err)))
    goto fail;
  const gw_config *c = rt->cfg;
  if ((rc =
           check_profile(rt->engine, "input_profile", c->input_profile, err)) ||
      (rc = check_profile(rt->engine, "untrusted_profile", c->untrusted_profile,
                          err)) ||
      (rc =
           check_profile(rt->engine, "output_profile", c->output_profile, err)))
    goto fail;
  if (!opt->no_auth) {
    const char *k = c->master_key ? c->master_key : getenv("AIGATE_MASTER_KEY");
    rt->key_from_file = !(k && *k);
    if (k && *k)
      rt->master_key = strdup(k);
    else if (prev && prev->key_from_file)
      rt->master_key = strdup(prev->master_key);
    else if (!(rt->master_key = file_key(c, err))) {
      rc = AIGATE_ERR_IO;
      goto fail;
    }
    if (!rt->master_key) {
      rc = AIGATE_ERR_NOMEM;
      goto fail;
    }
    crypto_generichash(rt->key_hash, sizeof(rt->key_hash),
                       (const unsigned char *)rt->master_key,
                       strlen(rt->master_key), NULL, 0);
  }
  if (c->ui_key) {
    crypto_generichash(rt->ui_key_hash, sizeof(rt->ui_key_hash),
                       (const unsigned char *)c->ui_key, strlen(c->ui_key),
                       NULL, 0);
    rt->has_ui_key = 1;
  }
  if (c->n_deployments &&
      !(rt->dep_limits = calloc(c->n_deployments, sizeof(*rt->dep_limits)))) {
    rc = AIGATE_ERR_NOMEM;
    goto fail;
  }
  if (c->n_deployments && !(rt->models_json = models_json(c))) {
    rc = AIGATE_ERR_NOMEM;
    goto fail;
  }
  if (!(rt->up_headers = calloc(c->n_deployments + 1, sizeof(*rt->up_headers))))
    rc = AIGATE_ERR_NOMEM;
  for (size_t i = 0; !rc && i <= c->n_deployments; i++) {
    const gw_deployment *d =
        i < c->n_deployments ? &c->deployments[i] : &c->passthrough;
    for (int stream = 0; stream < 2; stream++)
      if (!(rt->up_headers[i][stream] = gw_upstream_headers(d, stream)))
        rc = AIGATE_ERR_NOMEM;
  }
  if (rc)
    goto fail;
  *out = rt;
  return 0;
fail:
  gw_runtime_release(rt);
  return rc ? rc : AIGATE_ERR_CONFIG;
}

void gw_runtime_release(gw_runtime *rt) {
  if (!rt || atomic_fetch_sub(&rt->refs, 1) != 1)
    return;
  for (size_t i = 0; rt->up_headers && i <= rt->cfg->n_deployments; i++) {
    curl_slist_free_all(rt->up_headers[i][0]);
    curl_slist_free_all(rt->up_headers[i][1]);
  }
  free(rt->up_headers);
  aigate_engine_free(rt->engine);
  aigate_config_free(rt->acfg);
  gw_config_free(rt->cfg);
  if (rt->master_key) {
    sodium_memzero(rt->master_key, strlen(rt->master_key));
    free(rt->master_key);
  }
  free(rt->models_json);
  free(rt->dep_limits);
  pthread_mutex_destroy(&rt->dep_lock);
  free(rt);
}
