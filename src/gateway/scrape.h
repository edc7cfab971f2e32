/*
 * scrape.h -- /metrics on a listener of its own (scrape.c).
 */
#ifndef AIGATE_GW_SCRAPE_H
#define AIGATE_GW_SCRAPE_H

#include <stddef.h>

typedef struct gw_scrape gw_scrape;
struct gw_shared;

/* Listen on host:port (0: a free port, stored in *bound) and serve the
 * shared metrics from a thread of its own; with auth, only to the master
 * key or the dashboard key of the current runtime. NULL and err set on
 * failure. */
gw_scrape *gw_scrape_start(struct gw_shared *sh, const char *host, int port,
                           int auth, int *bound, char *err, size_t len);
void gw_scrape_stop(gw_scrape *s);

#endif
