/*
 * cmd_serve.c -- `aigate serve`: argument parsing for the gateway
 * (src/gateway/server.c does the work).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "serve.h"

static const char usage_text[] =
    "usage: aigate serve [-c FILE] [--listen HOST:PORT] [--workers N]\n"
    "                    [--user NAME] [--no-auth] [--quiet]\n"
    "\n"
    "  -c, --config FILE   configuration (default: embedded; listens on\n"
    "                      127.0.0.1:4000 and passes every model to\n"
    "                      $OPENAI_BASE_URL with $OPENAI_API_KEY)\n"
    "  --listen HOST:PORT  override server.listen (port 0: any free port)\n"
    "  --workers N         event-loop threads (default: one per core)\n"
    "  --user NAME         switch to this user once the database, keys and\n"
    "                      sockets are open (overrides server.user)\n"
    "  --no-auth           no master key (refused unless on loopback)\n"
    "  --quiet             no per-request log lines on stderr\n"
    "\n"
    "Clients authenticate with 'Authorization: Bearer <master key>':\n"
    "general_settings.master_key, else $AIGATE_MASTER_KEY, else a key\n"
    "created on first start beside the database. SIGHUP reloads the\n"
    "configuration; SIGTERM drains and stops.\n";

int cmd_serve(int argc, char **argv) {
  gw_options o = {0};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    int has_next = i + 1 < argc;
    if ((!strcmp(a, "-c") || !strcmp(a, "--config")) && has_next)
      o.config_path = argv[++i];
    else if (!strcmp(a, "--listen") && has_next)
      o.listen = argv[++i];
    else if (!strcmp(a, "--workers") && has_next) {
      char *end;
      long n = strtol(argv[++i], &end, 10);
      if (*end || n < 1 || n > 256)
        return cli_fail("serve: --workers takes 1..256, got '%s'", argv[i]);
      o.workers = (int)n;
    } else if (!strcmp(a, "--no-auth"))
      o.no_auth = 1;
    else if (!strcmp(a, "--user") && has_next)
      o.user = argv[++i];
    else if (!strcmp(a, "--quiet"))
      o.quiet = 1;
    else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      fputs(usage_text, stdout);
      return 0;
    } else {
      fputs(usage_text, stderr);
      return cli_fail("serve: unknown or incomplete option '%s'", a);
    }
  }
  return gw_serve(&o);
}
