/*
 * jarena.c -- a request's JSON documents in an arena of its own.
 *
 * Reading the client's request and the upstream's answer with jansson
 * makes about a hundred small allocations per document (every string,
 * object, array and hash table, and the buffers that grow while the text
 * is read), freed again node by node when the request ends. A request
 * that holds a slot of its worker's arena gets that memory by moving a
 * pointer, and freeing it costs nothing: the slot is reused whole when
 * the request is over.
 *
 * jansson has one pair of allocation functions for the whole process
 * (json_set_alloc_funcs), so the arena is chosen per thread: a worker
 * enters its request's arena around the parsing of a document and leaves
 * it at once; everything else (other threads, json_dumps, the documents
 * the gateway builds itself) still gets malloc's memory. Freeing tells
 * the two apart by address: every slot lies in one slab mapped once at
 * start-up, so a pointer inside it is the arena's (nothing to do) and any
 * other pointer goes to free(). This keeps values created before the
 * functions were installed, or by a thread without an arena, freeable.
 *
 * Trade-offs: garbage inside a slot (buffers that grew, nodes freed while
 * the request lives) stays until the request ends, and a document larger
 * than what is left of its slot continues in malloc's memory, so the slot
 * size bounds the waste, not the documents. A request without a free
 * slot (more requests in flight than slots) uses malloc throughout. The
 * slab is reserved, not committed: only the slots that were used take
 * memory, at most GW_JARENA_SLOTS * GW_JARENA_SLOT (4 MiB) per worker,
 * given back when the worker falls idle after a burst (gw_jarena_trim,
 * beside malloc_trim). With AddressSanitizer a slot is poisoned when it goes
 * back to its pool and every block when it is freed (its size is kept in front
 * of it), so a document used after its request still fails loudly.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "jarena.h"

#if GW_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#define HEADER 16 /* the block's size, for poisoning it when freed */
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#define HEADER 0
#endif

#define ALIGN 16 /* what malloc guarantees on x86-64 and arm64 */
#define PER_WORKER ((size_t)GW_JARENA_SLOTS * GW_JARENA_SLOT)

/* Written once by gw_jarena_setup before the workers start, read-only
 * afterwards. */
static char *slab_lo, *slab_hi;
static int slab_workers;

static _Thread_local gw_jarena *current;

static void *arena_malloc(size_t size) {
  gw_jarena *a = current;
  size_t need = (size + HEADER + ALIGN - 1) & ~(size_t)(ALIGN - 1);
  if (!a || need < size || need > (size_t)(a->end - a->next))
    return malloc(size);
  char *p = a->next;
  a->next += need;
  UNPOISON(p, size + HEADER);
#if GW_ASAN
  *(size_t *)p = size;
#endif
  return p + HEADER;
}

static void arena_free(void *ptr) {
  char *p = ptr;
  if (p >= slab_lo && p < slab_hi) {
#if GW_ASAN
    POISON(p, *(size_t *)(p - HEADER));
#endif
    return;
  }
  free(ptr);
}

int gw_jarena_setup(int workers) {
  if (slab_lo)
    return 0; /* once per process; later workers past it go without */
  if (workers <= 0)
    return -1;
  size_t len = PER_WORKER * (size_t)workers;
  void *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (m == MAP_FAILED)
    return -1;
  slab_lo = m;
  slab_hi = slab_lo + len;
  slab_workers = workers;
  json_set_alloc_funcs(arena_malloc, arena_free);
  return 0;
}

void gw_jarena_pool_init(gw_jarena_pool *p, int id) {
  p->n_free = 0;
  p->base = NULL;
  if (!slab_lo || id < 0 || id >= slab_workers)
    return;
  p->base = slab_lo + (size_t)id * PER_WORKER;
  POISON(p->base, PER_WORKER);
  /* Slot 0 on top: a quiet worker keeps reusing the same few slots. */
  for (int i = GW_JARENA_SLOTS; i-- > 0;)
    p->free[p->n_free++] = (unsigned short)i;
}

void gw_jarena_take(gw_jarena_pool *p, gw_jarena *a) {
  if (a->slot || !p->n_free)
    return;
  unsigned short i = p->free[--p->n_free];
  a->slot = i + 1;
  a->next = p->base + (size_t)i * GW_JARENA_SLOT;
  a->end = a->next + GW_JARENA_SLOT;
}

void gw_jarena_give(gw_jarena_pool *p, gw_jarena *a) {
  if (!a->slot)
    return;
  if (current == a)
    current = NULL;
  char *base = p->base + (size_t)(a->slot - 1) * GW_JARENA_SLOT;
  POISON(base, GW_JARENA_SLOT);
  p->free[p->n_free++] = (unsigned short)(a->slot - 1);
  a->slot = 0;
  a->next = a->end = NULL;
}

void gw_jarena_trim(gw_jarena_pool *p) {
  for (int i = 0; i < p->n_free; i++) {
    char *base = p->base + (size_t)p->free[i] * GW_JARENA_SLOT;
    /* Anonymous private memory reads as zeros again afterwards. */
    madvise(base, GW_JARENA_SLOT, MADV_DONTNEED);
  }
}

gw_jarena *gw_jarena_enter(gw_jarena *a) {
  gw_jarena *prev = current;
  current = a && a->slot ? a : NULL;
  return prev;
}

void gw_jarena_leave(gw_jarena *prev) {
  current = prev;
}
