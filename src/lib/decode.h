/*
 * decode.h -- finds encoded payloads in a text and decodes them into
 * layers that are scanned like the text itself.
 *
 * Attackers hide instructions and data from pattern matchers by encoding
 * them: base64, hex, URL-encoding, HTML entities, \u escapes, rot13,
 * leetspeak, upside-down text, and Unicode tag characters (invisible copies of
 * ASCII). Each decoder writes what it decoded into one layer text, with a map
 * back into the text it decoded from, so that a finding in a layer lands on the
 * encoded bytes.
 */
#ifndef AIGATE_DECODE_H
#define AIGATE_DECODE_H

#include <stddef.h>

#include "normalize.h"

typedef enum {
  AG_DEC_TAGS = 0, /* first: tag characters are stripped by later views */
  AG_DEC_BASE64,
  AG_DEC_HEX,
  AG_DEC_URL,
  AG_DEC_HTML,
  AG_DEC_ESCAPE,
  AG_DEC_ROT13,
  AG_DEC_LEET,
  AG_DEC_FLIP, /* upside-down text */
  AG_DEC_COUNT
} ag_decoder;

/* "tags", "base64", "hex", "url", "html", "escape", "rot13", "leet",
 * "upside-down". */
const char *ag_decoder_name(ag_decoder d);

/*
 * Run decoder d over text[0, n) (a raw view: valid UTF-8). Decoded bytes
 * are appended to out (separate payloads separated by "\n") with map
 * entries into text's coordinates. At most `budget` bytes are written;
 * *truncated is set when more would have been. Returns the number of
 * payloads decoded (0: nothing found, out and map untouched).
 */
size_t ag_decode(ag_decoder d, const char *text, size_t n, ag_buf *out,
                 ag_map *map, size_t budget, int *truncated);

#endif
