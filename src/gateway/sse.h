/*
 * sse.h -- an incremental parser for text/event-stream (server-sent
 * events), the format of OpenAI's streaming responses.
 *
 * The gateway reads upstream streams in whatever pieces the network
 * delivers; this parser turns them into events exactly as the WHATWG HTML
 * standard ("9.2 Server-sent events", interpreting an event stream) says,
 * whatever the split: lines end in CRLF, LF or CR (a CR at the end of one
 * piece and an LF at the start of the next are one line end), a leading
 * UTF-8 byte order mark is skipped, `:` starts a comment, "field: value"
 * loses one space after the colon, data lines are joined with '\n', and a
 * blank line dispatches the event if it had a data field.
 *
 * Differences from a browser, on purpose: bytes are passed through as they
 * are (the standard decodes UTF-8 and replaces invalid sequences; here the
 * JSON parser that reads `data` decides), `id` and `retry` are parsed and
 * dropped (a gateway never reconnects), and a line or an event larger than
 * the parser's limit is an error instead of unbounded memory.
 */
#ifndef AIGATE_GW_SSE_H
#define AIGATE_GW_SSE_H

#include <stddef.h>

/* Errors of gw_sse_feed (negative; callbacks should return positive
 * values to stop, so that the two can be told apart). */
#define GW_SSE_TOO_LARGE (-1) /* a line or an event exceeds the limit */
#define GW_SSE_NOMEM (-2)     /* a buffer could not grow */

/* The limit used when gw_sse_new is given 0. */
#define GW_SSE_DEFAULT_MAX ((size_t)1 << 20)

typedef struct gw_sse gw_sse;

/*
 * Called once per dispatched event. `event` is the event type, "" when the
 * event had no `event` field (a C string: a NUL byte in the field ends
 * it); `data` is the joined data lines,
 * NUL-terminated (data_len excludes the NUL; data may itself contain NUL
 * bytes). Both are valid only during the call. A non-zero return stops
 * parsing: gw_sse_feed returns that value.
 */
typedef int (*gw_sse_cb)(void *ud, const char *event, const char *data,
                         size_t data_len);

/*
 * A new parser. `max_event_bytes` bounds both one line (without its line
 * end; comment lines are skipped unbuffered and not bounded) and the data
 * of one event (0: GW_SSE_DEFAULT_MAX). Buffers start empty and grow on
 * demand, so an idle parser costs one small struct. NULL when cb is NULL
 * or memory is short.
 */
gw_sse *gw_sse_new(size_t max_event_bytes, gw_sse_cb cb, void *ud);

/*
 * Parse the next `len` bytes of the stream. Returns 0, GW_SSE_TOO_LARGE,
 * GW_SSE_NOMEM, or the callback's non-zero value. Any split of a stream
 * into calls dispatches the same events and ends with the same result.
 * After a non-zero result the parser is stopped: later calls return the
 * same value without parsing (free it, or gw_sse_finish to reuse it).
 */
int gw_sse_feed(gw_sse *p, const char *buf, size_t len);

/*
 * End of the stream. Returns 1 when an event was cut short: it had a data
 * field (or its unfinished last line is one) but no blank line followed,
 * so it was discarded as the standard says; else 0, also after a non-zero
 * result of gw_sse_feed (the caller has the error). The parser is then
 * reset to the start of a new stream (including the stopped state).
 */
int gw_sse_finish(gw_sse *p);

void gw_sse_free(gw_sse *p);

#endif
