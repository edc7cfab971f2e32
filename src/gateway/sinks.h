/*
 * sinks.h -- copies of the request records outside the database
 * (sinks.c): a JSONL file with size and age rotation, and syslog
 * (RFC 5424 over UDP, or over TCP with RFC 6587 octet counting), which
 * also receives the audit chain's checkpoints.
 *
 * Used by the store thread only (never by a worker), after each group
 * commit and with the store released, so a slow or absent sink slows no
 * request and loses nothing from the database. Records whose commit
 * failed come too (without a place in the chain): a copy outlives a
 * database failure. What a sink cannot take is counted per sink and
 * reported by gw_sinks_take_dropped.
 */
#ifndef AIGATE_GW_SINKS_H
#define AIGATE_GW_SINKS_H

#include <stddef.h>
#include <stdint.h>

#include "../store/store.h"
#include "gwconfig.h"

typedef struct gw_sinks gw_sinks;

/* The sinks the config asks for; NULL with *err set when a sink cannot
 * be opened (a file that cannot be created, a syslog host that does not
 * resolve), or with err empty when the config asks for none. Resolves
 * and opens everything now: call it before the privileges are dropped.
 * A TCP collector that is down is retried, not an error. */
gw_sinks *gw_sinks_open(const gw_config *cfg, char *err, size_t len);
void gw_sinks_free(gw_sinks *s);

/* Queue a record (with its chain fields when it has a place). */
void gw_sinks_record(gw_sinks *s, const store_audit *a);
/* Queue a checkpoint line (store_chain_checkpoint_line) for syslog. */
void gw_sinks_checkpoint(gw_sinks *s, const char *line, int64_t now_ms);
/* Write what is queued: the file (rotating it when due) and syslog. */
void gw_sinks_flush(gw_sinks *s, int64_t now_ms);

enum { GW_SINK_FILE, GW_SINK_SYSLOG, GW_SINK_COUNT };
extern const char *const gw_sink_names[GW_SINK_COUNT];
/* Records each sink dropped since the last call. */
void gw_sinks_take_dropped(gw_sinks *s, unsigned long long out[GW_SINK_COUNT]);

#endif
