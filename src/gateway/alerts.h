/*
 * alerts.h -- delivery of the anomaly detector's alerts (alerts.c):
 * database, stderr, metrics, syslog, webhook, and the automatic
 * suspension of a key.
 */
#ifndef AIGATE_GW_ALERTS_H
#define AIGATE_GW_ALERTS_H

#include "access.h"
#include "anomaly.h"
#include "gwconfig.h"

struct gw_metrics;
typedef struct gw_alerts gw_alerts;

/* Start the delivery thread with the monitoring settings of cfg. access
 * may be NULL (no store: nothing recorded, nobody suspended). */
gw_alerts *gw_alerts_new(const gw_config *cfg, gw_access *access,
                         struct gw_metrics *metrics);
/* Deliver what is queued, then stop. */
void gw_alerts_free(gw_alerts *al);

/* Also write each alert, with the action taken, as a request record
 * (route "alert") in the audit chain, so that an alert or an automatic
 * suspension cannot be deleted unnoticed (aigate log verify). Set before
 * alerts flow; audit outlives al. */
struct gw_audit;
void gw_alerts_set_audit(gw_alerts *al, struct gw_audit *audit);

/* A gw_alert_cb: queue a copy (ud is the gw_alerts). Never blocks on
 * delivery. */
void gw_alerts_push(void *ud, const gw_alert *a);

#endif
