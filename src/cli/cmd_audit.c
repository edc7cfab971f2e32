/* placeholder */
#include "cli.h"
int cmd_audit(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return cli_fail("audit: not yet");
}
