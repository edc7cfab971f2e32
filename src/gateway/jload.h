/*
 * jload.h -- reading the JSON documents of the gateway's requests and
 * answers (jload.c).
 */
#ifndef AIGATE_JLOAD_H
#define AIGATE_JLOAD_H

#include <jansson.h>
#include <stddef.h>

/* Deeper documents are left to json_loadb (which refuses them past its
 * own limit, 2048). */
#define GW_JLOAD_MAX_DEPTH 1024

/* Longer texts are left to json_loadb: yajl grows its string buffer by
 * doubling without checking the allocation, so out of memory it would
 * crash the process where jansson fails one request. Below this size its
 * buffers stay within a few MiB; the speed matters for chat-sized texts. */
#define GW_JLOAD_MAX_BYTES (1u << 20)

/* json_loadb(buf, len, flags, err), the same document or the same error:
 * flags JSON_REJECT_DUPLICATES and JSON_ALLOW_NUL are understood; with
 * any other flag, for any text that yajl's lexer could read
 * differently from jansson's, and for texts past GW_JLOAD_MAX_BYTES,
 * json_loadb does the work. A new reference,
 * or NULL with err set. */
json_t *gw_json_load(const char *buf, size_t len, size_t flags,
                     json_error_t *err);

/* The faster reading alone, without falling back: the document, or NULL
 * when json_loadb must decide (the text uses what the fast reading leaves
 * to jansson, is not JSON, or memory ran out). For tests. */
json_t *gw_json_load_fast(const char *buf, size_t len, size_t flags);

#endif
