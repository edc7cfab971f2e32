/*
 * cli.h -- what the `aigate` subcommands share: option parsing helpers,
 * bounded input reading, engine set-up, and the exit-code convention
 * (0 allow/log or success, 1 redact/block or failed checks, 2 usage or
 * input error with a one-line reason on stderr).
 */
#ifndef AIGATE_CLI_H
#define AIGATE_CLI_H

#include <stddef.h>

#include "aigate/aigate.h"

#define EXIT_USAGE 2

/* Options every engine-using command accepts. */
typedef struct {
  const char *config;    /* -c FILE */
  const char *rules_dir; /* --rules DIR */
  const char *cache_dir; /* --cache-dir DIR */
  const char *profile;   /* --profile NAME */
  const char *model;     /* --model FILE ("" disables the classifier) */
} cli_engine_opts;

/* Print "aigate: <message>" to stderr and return EXIT_USAGE. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The index of v in the NULL-terminated list of names; -1 after "opt
 * must be a, b or c" on stderr when it is none of them. */
int cli_choice(const char *opt, const char *v, const char *const *names);

/* If argv[*i] is one of the common engine options, consume it (and its
 * value) and return 1; 0 if it is not; -1 (after a message) on error. */
int cli_engine_opt(int argc, char **argv, int *i, cli_engine_opts *o);

/* Load configuration and build the engine; on error prints and returns
 * EXIT_USAGE with *cfg and *engine NULL. */
int cli_engine(const cli_engine_opts *o, aigate_config **cfg,
               aigate_engine **engine);

/* Read a whole file ("-" or NULL: stdin) of at most max bytes. Returns 0,
 * or EXIT_USAGE after a message (missing file, larger than max). */
int cli_read_input(const char *path, size_t max, char **buf, size_t *len);

int cmd_scan(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_keys(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_assess(int argc, char **argv);
int cmd_lint(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_advisories(int argc, char **argv);

#endif
