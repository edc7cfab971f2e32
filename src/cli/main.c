/*
 * main.c -- the `aigate` command: dispatches to subcommands. Each
 * subcommand parses its arguments and calls libaigate; no detection
 * logic lives in the CLI.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f) {
  fputs("usage: aigate <command> [options]\n"
        "\n"
        "commands:\n"
        "  scan [FILE]        scan a prompt, an output or OpenAI JSON "
        "(see --help)\n"
        "  rules test|list    run every rule's examples / list the rules\n"
        "  config check FILE  validate a configuration file\n"
        "  serve              run the gateway (see serve --help)\n"
        "  keys               manage virtual keys (see keys --help)\n"
        "  log search|show|verify  the gateway's request records\n"
        "  assess             red-team an LLM endpoint (see assess --help)\n"
        "  lint [FILE...]     review system prompts and templates\n"
        "  train FILE...      train the injection classifier (see --help)\n"
        "  eval FILE          detection quality on labelled JSONL\n"
        "  audit [PATH...]    audit installed and locked Python/npm packages\n"
        "  advisories import|update|status  the OSV advisory database\n"
        "  version            print the version\n",
        f);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "scan") == 0)
    return cmd_scan(argc - 1, argv + 1);
  if (strcmp(cmd, "rules") == 0)
    return cmd_rules(argc - 1, argv + 1);
  if (strcmp(cmd, "config") == 0)
    return cmd_config(argc - 1, argv + 1);
  if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
    printf("aigate %s\n", AIGATE_VERSION);
    return 0;
  }
  if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 ||
      strcmp(cmd, "-h") == 0) {
    usage(stdout);
    return 0;
  }
  if (strcmp(cmd, "serve") == 0)
    return cmd_serve(argc - 1, argv + 1);
  if (strcmp(cmd, "keys") == 0)
    return cmd_keys(argc - 1, argv + 1);
  if (strcmp(cmd, "log") == 0)
    return cmd_log(argc - 1, argv + 1);
  if (strcmp(cmd, "assess") == 0)
    return cmd_assess(argc - 1, argv + 1);
  if (strcmp(cmd, "lint") == 0)
    return cmd_lint(argc - 1, argv + 1);
  if (strcmp(cmd, "train") == 0)
    return cmd_train(argc - 1, argv + 1);
  if (strcmp(cmd, "eval") == 0)
    return cmd_eval(argc - 1, argv + 1);
  if (strcmp(cmd, "audit") == 0)
    return cmd_audit(argc - 1, argv + 1);
  if (strcmp(cmd, "advisories") == 0)
    return cmd_advisories(argc - 1, argv + 1);
  usage(stderr);
  return cli_fail("unknown command '%s'", cmd);
}
