/*
 * cmd_config.c -- `aigate config check FILE`: parses a configuration and
 * builds the engine from it, so that every error a deployment would hit
 * (bad keys, unknown categories or rule ids, rule files that do not
 * compile, a model_list naming a missing environment variable) is
 * reported before the deployment.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "gwconfig.h"

static void warn(void *ud, const char *msg) {
  (void)ud;
  fprintf(stderr, "aigate: warning: %s\n", msg);
}

int cmd_config(int argc, char **argv) {
  if (argc < 3 || strcmp(argv[1], "check") != 0) {
    fputs("usage: aigate config check FILE [--rules DIR]\n", stderr);
    return EXIT_USAGE;
  }
  cli_engine_opts eo = {0};
  eo.config = argv[2];
  for (int i = 3; i < argc; i++) {
    int r = cli_engine_opt(argc, argv, &i, &eo);
    if (r < 0)
      return EXIT_USAGE;
    if (!r)
      return cli_fail("config: unknown option '%s'", argv[i]);
  }
  aigate_config *cfg;
  aigate_engine *e;
  int rc = cli_engine(&eo, &cfg, &e);
  if (rc)
    return rc;
  gw_config *gw;
  aigate_error err = {{0}};
  if (gw_config_load(eo.config, &gw, &err, warn, NULL)) {
    aigate_engine_free(e);
    aigate_config_free(cfg);
    return cli_fail("%s", err.msg);
  }
  gw_config_free(gw);
  printf("%s: ok (%zu rules)\n", eo.config, aigate_rule_count(e));
  aigate_engine_free(e);
  aigate_config_free(cfg);
  return 0;
}
