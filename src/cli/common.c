/*
 * common.c -- helpers shared by the subcommands (see cli.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "gwconfig.h"

int cli_fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("aigate: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  return EXIT_USAGE;
}

int cli_choice(const char *opt, const char *v, const char *const *names) {
  size_t n = 0;
  while (names[n] && strcmp(names[n], v))
    n++;
  if (names[n])
    return (int)n;
  fprintf(stderr, "aigate: %s must be ", opt);
  for (size_t i = 0; names[i]; i++)
    fprintf(stderr, "%s%s",
            i == 0         ? ""
            : names[i + 1] ? ", "
                           : " or ",
            names[i]);
  fputc('\n', stderr);
  return -1;
}

int cli_engine_opt(int argc, char **argv, int *i, cli_engine_opts *o) {
  const char *a = argv[*i];
  const char **dst = NULL;
  if (!strcmp(a, "-c") || !strcmp(a, "--config"))
    dst = &o->config;
  else if (!strcmp(a, "--rules"))
    dst = &o->rules_dir;
  else if (!strcmp(a, "--cache-dir"))
    dst = &o->cache_dir;
  else if (!strcmp(a, "--profile"))
    dst = &o->profile;
  else if (!strcmp(a, "--model"))
    dst = &o->model;
  else
    return 0;
  if (*i + 1 >= argc) {
    cli_fail("%s needs a value", a);
    return -1;
  }
  *dst = argv[++*i];
  return 1;
}

int cli_engine(const cli_engine_opts *o, aigate_config **cfg,
               aigate_engine **engine) {
  aigate_error err = {{0}};
  *engine = NULL;
  int rc = o->config ? aigate_config_load_file_ex(o->config, gw_config_sections,
                                                  cfg, &err)
                     : aigate_config_default(cfg, &err);
  if (rc)
    return cli_fail("%s", err.msg[0] ? err.msg : aigate_strerror(rc));
  aigate_engine_options eo = {*cfg, o->rules_dir, o->cache_dir, o->model};
  if ((rc = aigate_engine_new(&eo, engine, &err))) {
    aigate_config_free(*cfg);
    *cfg = NULL;
    return cli_fail("%s", err.msg[0] ? err.msg : aigate_strerror(rc));
  }
  return 0;
}

int cli_read_input(const char *path, size_t max, char **buf, size_t *len) {
  int fd = 0;
  *buf = NULL;
  *len = 0;
  if (path && strcmp(path, "-") != 0) {
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return cli_fail("%s: %s", path, strerror(errno));
  }
  size_t cap = 65536, n = 0;
  char *b = malloc(cap + 1);
  int rc = 0;
  while (b) {
    if (n == cap) {
      if (cap > max) {
        rc = cli_fail("input larger than %zu bytes (limits.max_input_bytes)",
                      max);
        break;
      }
      cap *= 2;
      char *nb = realloc(b, cap + 1);
      if (!nb) {
        free(b);
        b = NULL;
        break;
      }
      b = nb;
    }
    ssize_t r = read(fd, b + n, cap - n);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      rc = cli_fail("%s: %s", path ? path : "stdin", strerror(errno));
      break;
    }
    if (r == 0)
      break;
    n += (size_t)r;
  }
  if (fd > 0)
    close(fd);
  if (!b)
    return cli_fail("out of memory reading input");
  if (!rc && n > max)
    rc = cli_fail("input larger than %zu bytes (limits.max_input_bytes)", max);
  if (rc) {
    free(b);
    return rc;
  }
  b[n] = '\0';
  *buf = b;
  *len = n;
  return 0;
}
