/*
 * serve.h -- what the command line needs to start the gateway.
 */
#ifndef AIGATE_SERVE_H
#define AIGATE_SERVE_H

typedef struct {
  const char *config_path; /* NULL: embedded default */
  const char *listen;      /* "HOST:PORT", overrides server.listen */
  int workers;             /* > 0 overrides server.workers */
  int no_auth;             /* refused unless listening on loopback */
  int quiet;               /* no per-request log lines */
  const char *user;        /* overrides server.user */
} gw_options;

/* Run the gateway until SIGTERM/SIGINT has drained it. Returns the exit
 * status: 0 after a clean drain, 2 when it could not start (the reason is
 * on stderr). */
int gw_serve(const gw_options *opt);

/* 1 when host names the loopback interface. */
int gw_is_loopback(const char *host);

#endif
