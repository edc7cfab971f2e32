/*
 * jarena.h -- a request's JSON documents in an arena of its own
 * (jarena.c).
 */
#ifndef AIGATE_JARENA_H
#define AIGATE_JARENA_H

#include <stddef.h>

/* 1 in AddressSanitizer builds: memory that is reused rather than freed
 * is poisoned by hand, or not reused at all. */
#if defined(__SANITIZE_ADDRESS__)
#define GW_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GW_ASAN 1
#endif
#endif
#ifndef GW_ASAN
#define GW_ASAN 0
#endif

/* Slots per worker and the bytes of each: a document that needs more
 * continues in malloc's memory. */
#define GW_JARENA_SLOTS 128
#define GW_JARENA_SLOT ((size_t)32 << 10)

/* A request's slot: where its next allocation goes. */
typedef struct {
  char *next, *end;
  int slot; /* 1 + its index in the worker's part of the slab; 0: none */
} gw_jarena;

/* A worker's slots not given to a request. */
typedef struct {
  char *base; /* the worker's part of the slab */
  unsigned short free[GW_JARENA_SLOTS];
  int n_free;
} gw_jarena_pool;

/* Reserves the slab for `workers` workers and installs jansson's
 * allocation functions; once, before any thread uses jansson. 0, or -1
 * when the slab cannot be mapped (jansson then keeps malloc and every
 * arena stays empty). */
int gw_jarena_setup(int workers);

/* Worker `id`'s pool (all its slots free; none past the workers of
 * gw_jarena_setup). */
void gw_jarena_pool_init(gw_jarena_pool *p, int id);

/* Gives `a` a slot of the pool when it has none and one is free (else
 * `a` stays without and its documents use malloc). */
void gw_jarena_take(gw_jarena_pool *p, gw_jarena *a);

/* The slot goes back to the pool; every document allocated in it must
 * be gone. */
void gw_jarena_give(gw_jarena_pool *p, gw_jarena *a);

/* Gives the memory of the pool's free slots back to the system (they
 * stay usable); for a worker that fell idle after a burst. */
void gw_jarena_trim(gw_jarena_pool *p);

/* From here on this thread's jansson allocations go to `a` (NULL:
 * malloc); returns the arena that was in use, for gw_jarena_leave. Only
 * around the parsing of documents that the request frees before its
 * slot is given back: strings that jansson returns to be freed with
 * free() (json_dumps) must not be made inside. */
gw_jarena *gw_jarena_enter(gw_jarena *a);
void gw_jarena_leave(gw_jarena *prev);

#endif
