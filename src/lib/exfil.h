/*
 * exfil.h -- finding the URLs in a model's output that exfiltrate data
 * when a client renders the text (exfil.c).
 */
#ifndef AIGATE_EXFIL_H
#define AIGATE_EXFIL_H

#include <stddef.h>

/* What is wrong with a construct (bits of ag_exfil_item.kinds). */
enum {
  AG_EXFIL_IMAGE = 1u << 0,      /* markdown image to a host not allowed */
  AG_EXFIL_REFERENCE = 1u << 1,  /* reference definition to such a host */
  AG_EXFIL_HTML = 1u << 2,       /* HTML element loading from such a host */
  AG_EXFIL_LINK = 1u << 3,       /* link carrying data to such a host */
  AG_EXFIL_SCHEME = 1u << 4,     /* javascript:, vbscript:, data: */
  AG_EXFIL_OBFUSCATED = 1u << 5, /* invisible, encoded or look-alike
                                    characters inside a URL */
  AG_EXFIL_BARE_URL = 1u << 6,   /* plain-text URL carrying data to such a
                                    host */
  /* HTML sanitization (scripts and handlers run in a browser that renders
   * the output as HTML): */
  AG_EXFIL_HTML_SCRIPT = 1u << 7,  /* a <script> element */
  AG_EXFIL_HTML_HANDLER = 1u << 8, /* an on...= event handler attribute */
  AG_EXFIL_HTML_STYLE = 1u << 9,   /* a style attribute with expression(),
                                      javascript:, url() ... */
  AG_EXFIL_CODE = 1u << 10,        /* a fenced code block (when code_blocks) */
};

/* Longest construct (markdown image or link, HTML tag, bare URL) parsed
 * as one; longer ones are not constructs. */
#define AG_EXFIL_MAX_CONSTRUCT 16384

typedef struct {
  unsigned kinds;
  size_t start, end; /* the construct's bytes */
  /* Neutralizing writes text[keep_start, keep_end) (the alt text of an
   * image, the text of a link; possibly empty) in place of the construct;
   * keep is 0 when nothing of it is worth keeping (a bare URL). */
  int keep;
  size_t keep_start, keep_end;
  /* AG_EXFIL_CODE: the info string (its language) and the code. */
  size_t info_start, info_end, body_start, body_end;
} ag_exfil_item;

/* Hosts that output may load from: "example.com" matches itself,
 * "*.example.com" its subdomains. Both lists may be empty. */
typedef struct {
  const char *const *hosts;
  size_t n_hosts;
  const char *const *extra; /* the caller's, per scan (a key's list) */
  size_t n_extra;
  /* The policy sanitizes HTML: a <script> element is reported whole (a
   * stream holds it to its end tag); otherwise its opening tag alone. */
  int sanitize;
  /* Report fenced code blocks (and hold them whole in a stream). */
  int code_blocks;
} ag_exfil_allow;

typedef void (*ag_exfil_cb)(void *ud, const ag_exfil_item *item);

/*
 * Find the constructs of text[from, len) that load from, or send data to,
 * hosts not allowed, calling cb for each in text order (text before from
 * is context: a stream's decided text, read only to tell line starts and
 * word boundaries). Unless final, a construct that the end of the text
 * leaves unfinished (an "![alt](ht" or a URL still growing) stops the
 * search: the return value is its start, the hold point of a stream;
 * otherwise len.
 */
size_t ag_exfil_scan(const char *text, size_t len, size_t from,
                     const ag_exfil_allow *allow, int final, ag_exfil_cb cb,
                     void *ud);

/*
 * A stream's hold point that does not cut a construct: when `hold` falls
 * inside a complete construct of text[from, len) (a link, an image, a
 * tag, a URL), its start, else hold. A part must end between
 * constructs: the next part is read from its start, and read from inside
 * a link, the link's URL would look like a bare URL (for instance).
 */
size_t ag_exfil_unsplit(const char *text, size_t len, size_t from,
                        const ag_exfil_allow *allow, size_t hold);

/* Is host (lower case, len bytes) on the list? Exposed for tests. */
int ag_exfil_host_allowed(const ag_exfil_allow *allow, const char *host,
                          size_t len);

#endif
