/*
 * harden.h -- the gateway's process hardening (harden.c): no core dumps,
 * no_new_privs, an optional switch to an unprivileged user, a seccomp
 * allow-list.
 */
#ifndef AIGATE_GW_HARDEN_H
#define AIGATE_GW_HARDEN_H

#include <stddef.h>

/* No core dumps, not dumpable, no_new_privs. 0, or -1 with err. */
int gw_harden_early(char *err, size_t len);

/* Become `user` (from root; a no-op when already that user). 0, or -1
 * with err. */
int gw_drop_user(const char *user, char *err, size_t len);

/* Install the system-call allow-list on every thread. 0 when installed,
 * 1 when not applicable (sanitizer builds; err says why), -1 on error. */
int gw_seccomp(char *err, size_t len);

#endif
