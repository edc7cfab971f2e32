/*
 * decode.c -- the decoders behind decoded layers (see decode.h).
 *
 * Each decoder is conservative about what it calls a payload, because a
 * layer costs a scan: base64 and hex runs must be long and decode to
 * mostly printable UTF-8; URL-encoding, entities and escapes need at least
 * two escapes; rot13 is tried only when the rotated text reads more like
 * English than the text does, leetspeak only when reading its digits and
 * symbols as letters makes frequent English words, upside-down text only
 * when a line read backwards and turned over does. Everything is bounded
 * by the caller's budget.
 */
#include "decode.h"
#include "qvec.h"

#include <stdint.h>
#include <string.h>

#define MIN_B64 16
#define MIN_HEX 16
#define MIN_ESCAPES 2
#define ESCAPE_CONTEXT 256 /* bytes decoded around escapes */
#define ROT13_PROBE 1024

const char *ag_decoder_name(ag_decoder d) {
  static const char *names[] = {"tags",  "base64", "hex",
                                "url",   "html",   "escape",
                                "rot13", "leet",   "upside-down"};
  return (unsigned)d < AG_DEC_COUNT ? names[d] : "?";
}

typedef struct {
  ag_buf *out;
  ag_map *map;
  size_t budget, start_len;
  int *truncated;
  size_t payloads;
  int full; /* something did not fit: write nothing more */
} sink;

/* Once a piece does not fit, later (smaller) pieces are not written
 * either: truncated output stays a prefix of the decoding instead of
 * splicing text that was never adjacent. */
static int room(sink *s, size_t n) {
  if (s->full || s->out->len - s->start_len + n > s->budget) {
    s->full = 1;
    *s->truncated = 1;
    return 0;
  }
  return 1;
}

/* Start a payload: separate it from the previous one. */
static void begin(sink *s, size_t o) {
  if (s->payloads++ && room(s, 1)) {
    ag_map_add(s->map, s->out->len, o, 0, 0);
    ag_buf_putc(s->out, '\n');
  }
}

static void put(sink *s, const char *p, size_t n, size_t o, size_t olen,
                int linear) {
  if (!room(s, n))
    return;
  ag_map_add(s->map, s->out->len, o, olen, linear);
  ag_buf_append(s->out, p, n);
}

/* Mostly printable UTF-8 of a useful length: worth scanning as text. */
static int textlike(const unsigned char *p, size_t n) {
  if (n < 6)
    return 0;
  size_t bad = 0, i = 0;
  while (i < n) {
    int cp;
    size_t l = ag_utf8_decode(p + i, n - i, &cp);
    if (!l)
      return 0;
    if (cp < 0x20 && cp != '\n' && cp != '\r' && cp != '\t')
      bad++;
    i += l;
  }
  return bad * 20 <= n;
}

/* Byte classes as tables: these loops run over every byte of every text. */
static const signed char B64[256] = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, 62, -1, 62, -1, 63, 52, 53, 54, 55, 56, 57, 58, 59, 60,
    61, -1, -1, -1, -1, -1, -1, -1, 0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
    11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1,
    63, -1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42,
    43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

static const signed char HEX[256] = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0,  1,  2,  3,  4,  5,  6,  7,  8,
    9,  -1, -1, -1, -1, -1, -1, -1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

static int b64val(unsigned char c) {
  return B64[c];
}
static int hexval(unsigned char c) {
  return HEX[c];
}

/* Decode the run u[s, e) into tmp (large enough); returns decoded length. */
static size_t b64_run(const unsigned char *u, size_t s, size_t e,
                      unsigned char *tmp) {
  unsigned acc = 0;
  int bits = 0;
  size_t o = 0;
  for (size_t i = s; i < e; i++) {
    acc = (acc << 6) | (unsigned)b64val(u[i]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      tmp[o++] = (unsigned char)(acc >> bits);
    }
  }
  return o;
}

static int in_run(const unsigned char *u, size_t i, int hex) {
  return hex ? HEX[u[i]] >= 0 : B64[u[i]] >= 0;
}

static void dec_run(sink *s, const unsigned char *u, size_t n, size_t st,
                    size_t i, int hex) {
  unsigned char tmp[4096];
  size_t len = i - st;
  size_t use = hex ? len & ~(size_t)1 : len;
  if (use > sizeof(tmp) * (hex ? 2 : 1))
    use = sizeof(tmp) * (hex ? 2 : 1); /* decode a prefix of huge runs */
  size_t dl;
  if (hex) {
    for (dl = 0; dl < use / 2; dl++)
      tmp[dl] = (unsigned char)(hexval(u[st + 2 * dl]) << 4 |
                                hexval(u[st + 2 * dl + 1]));
  } else {
    dl = b64_run(u, st, st + use, tmp);
  }
  /* Trim a partial UTF-8 sequence cut by the prefix limit. */
  while (dl && (tmp[dl - 1] & 0xC0) == 0x80 && use < len)
    dl--;
  if (dl && use < len && tmp[dl - 1] >= 0xC0)
    dl--;
  if (!textlike(tmp, dl))
    return;
  size_t end = i;
  while (!hex && end < n && u[end] == '=' && end - i < 2)
    end++;
  begin(s, st);
  put(s, (const char *)tmp, dl, st, end - st, 0);
}

/* 1 if the eight bytes at u contain a space (which no alphabet has). */
static int space8(const unsigned char *u) {
  uint64_t w;
  memcpy(&w, u, 8);
  w ^= 0x2020202020202020ull;
  return ((w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull) != 0;
}

/* Runs of at least `min` alphabet bytes. Every such run contains a position
 * p with p % min == min - 1 relative to the last run's end, so only those
 * positions are probed, and runs are grown from them in both directions:
 * ordinary prose costs a fraction of a probe per byte. Most probes in
 * prose land in a word, and growing it costs a look at each of its bytes:
 * a run of 16 or more through p contains all of u[p-7..p] or all of
 * u[p+1..p+8], so a space in both rules it out first (the next probe,
 * p + min, is still past the end of any shorter run through p). */
static void dec_binary(sink *s, const unsigned char *u, size_t n, int hex) {
  const size_t min = hex ? MIN_HEX : MIN_B64;
  size_t p = min - 1;
  while (p < n) {
    if (!in_run(u, p, hex) ||
        (min >= 16 && p + 9 <= n && space8(u + p - 7) && space8(u + p + 1))) {
      p += min;
      continue;
    }
    size_t st = p, e = p + 1;
    while (st > 0 && in_run(u, st - 1, hex))
      st--;
    while (e < n && in_run(u, e, hex))
      e++;
    if (e - st >= min)
      dec_run(s, u, n, st, e, hex);
    p = e + min;
  }
}

/* Decoders that rewrite escapes in place and copy everything else. */
typedef size_t (*escape_fn)(const unsigned char *u, size_t n, size_t i,
                            char *out, size_t *outlen);

static size_t put_utf8(char *out, unsigned cp) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp >= 0xD800 && cp <= 0xDFFF)
    cp = 0xFFFD;
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  if (cp > 0x10FFFF)
    return put_utf8(out, 0xFFFD);
  out[0] = (char)(0xF0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

static size_t esc_url(const unsigned char *u, size_t n, size_t i, char *out,
                      size_t *outlen) {
  if (u[i] != '%' || i + 2 >= n || hexval(u[i + 1]) < 0 || hexval(u[i + 2]) < 0)
    return 0;
  out[0] = (char)(hexval(u[i + 1]) << 4 | hexval(u[i + 2]));
  *outlen = 1;
  return 3;
}

static size_t read_num(const unsigned char *u, size_t n, size_t i, int base,
                       size_t maxdigits, unsigned *v) {
  size_t k = 0;
  *v = 0;
  while (i + k < n && k < maxdigits) {
    int d = base == 16
                ? hexval(u[i + k])
                : (u[i + k] >= '0' && u[i + k] <= '9' ? u[i + k] - '0' : -1);
    if (d < 0)
      break;
    *v = *v * (unsigned)base + (unsigned)d;
    k++;
  }
  return k;
}

static size_t esc_html(const unsigned char *u, size_t n, size_t i, char *out,
                       size_t *outlen) {
  static const struct {
    const char *name;
    unsigned cp;
  } named[] = {{"lt;", '<'},   {"gt;", '>'},    {"amp;", '&'},
               {"quot;", '"'}, {"apos;", '\''}, {"nbsp;", 0xA0},
               {"sol;", '/'},  {"colon;", ':'}, {"lpar;", '('},
               {"rpar;", ')'}, {"period;", '.'}};
  if (u[i] != '&' || i + 3 >= n)
    return 0;
  if (u[i + 1] == '#') {
    int hex = (u[i + 2] | 0x20) == 'x';
    unsigned v;
    size_t d = read_num(u, n, i + 2 + hex, hex ? 16 : 10, 7, &v);
    size_t end = i + 2 + hex + d;
    if (!d || v > 0x10FFFF)
      return 0;
    *outlen = put_utf8(out, v ? v : 0xFFFD);
    return end < n && u[end] == ';' ? end + 1 - i : end - i;
  }
  for (size_t k = 0; k < sizeof(named) / sizeof(named[0]); k++) {
    size_t l = strlen(named[k].name);
    if (i + 1 + l <= n && memcmp(u + i + 1, named[k].name, l) == 0) {
      *outlen = put_utf8(out, named[k].cp);
      return l + 1;
    }
  }
  return 0;
}

static size_t esc_backslash(const unsigned char *u, size_t n, size_t i,
                            char *out, size_t *outlen) {
  if (u[i] != '\\' || i + 3 >= n)
    return 0;
  unsigned v;
  if (u[i + 1] == 'x') {
    if (read_num(u, n, i + 2, 16, 2, &v) != 2)
      return 0;
    out[0] = (char)v; /* a byte: sequences of \xHH may form UTF-8 */
    *outlen = 1;
    return 4;
  }
  if (u[i + 1] != 'u')
    return 0;
  if (u[i + 2] == '{') {
    size_t d = read_num(u, n, i + 3, 16, 6, &v);
    if (!d || i + 3 + d >= n || u[i + 3 + d] != '}')
      return 0;
    *outlen = put_utf8(out, v);
    return d + 4;
  }
  if (read_num(u, n, i + 2, 16, 4, &v) != 4)
    return 0;
  size_t used = 6;
  if (v >= 0xD800 && v <= 0xDBFF && i + 11 < n + 0 && u[i + 6] == '\\' &&
      u[i + 7] == 'u') {
    unsigned lo;
    if (read_num(u, n, i + 8, 16, 4, &lo) == 4 && lo >= 0xDC00 &&
        lo <= 0xDFFF) {
      v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
      used = 12;
    }
  }
  *outlen = put_utf8(out, v);
  return used;
}

/* Position of the next trigger byte at or after i, or n. */
static size_t next_trigger(const unsigned char *u, size_t n, size_t i,
                           unsigned char trigger) {
  const unsigned char *p = i < n ? memchr(u + i, trigger, n - i) : NULL;
  return p ? (size_t)(p - u) : n;
}

static void dec_escapes(sink *s, const unsigned char *u, size_t n, escape_fn fn,
                        unsigned char trigger) {
  char tmp[8];
  size_t count = 0, tl;
  for (size_t i = next_trigger(u, n, 0, trigger); i < n && count < MIN_ESCAPES;
       i = next_trigger(u, n, i + 1, trigger))
    if (fn(u, n, i, tmp, &tl))
      count++;
  if (count < MIN_ESCAPES)
    return;
  /* Decode windows of ESCAPE_CONTEXT bytes around the escapes, not the
   * whole text: a long document with one encoded URL must not be scanned
   * twice. Windows that touch are merged; each is one payload. */
  size_t i = next_trigger(u, n, 0, trigger);
  while (i < n) {
    size_t used = fn(u, n, i, tmp, &tl);
    if (!used) {
      i = next_trigger(u, n, i + 1, trigger);
      continue;
    }
    size_t ws = i > ESCAPE_CONTEXT ? i - ESCAPE_CONTEXT : 0;
    while (ws > 0 && (u[ws] & 0xC0) == 0x80)
      ws--;
    size_t copied = ws, end = i + used + ESCAPE_CONTEXT;
    begin(s, ws);
    while (i < n && i < end) {
      used = fn(u, n, i, tmp, &tl);
      if (!used) {
        i = next_trigger(u, n, i + 1, trigger);
        continue;
      }
      if (i > copied)
        put(s, (const char *)u + copied, i - copied, copied, i - copied, 1);
      put(s, tmp, tl, i, used, 0);
      i = copied = i + used;
      end = i + ESCAPE_CONTEXT;
      i = next_trigger(u, n, i, trigger);
    }
    if (end > n)
      end = n;
    while (end < n && (u[end] & 0xC0) == 0x80)
      end++;
    if (end > copied)
      put(s, (const char *)u + copied, end - copied, copied, end - copied, 1);
  }
}

/* Unicode tag characters U+E0020..U+E007E carry invisible ASCII. */
static void dec_tags(sink *s, const unsigned char *u, size_t n) {
  int open = 0;
  for (size_t i = 0; i + 3 < n; i++) {
    if (u[i] != 0xF3) {
      size_t next = next_trigger(u, n, i, 0xF3);
      if (next != i)
        open = 0;
      if (next + 3 >= n)
        break;
      i = next;
    }
    if (u[i] != 0xF3 || u[i + 1] != 0xA0 || (u[i + 2] & 0xFE) != 0x80 ||
        (u[i + 3] & 0xC0) != 0x80) {
      open = 0;
      continue;
    }
    unsigned cp = 0xE0000u | ((u[i + 2] & 0x3Fu) << 6) | (u[i + 3] & 0x3Fu);
    if (cp >= 0xE0020 && cp <= 0xE007E) {
      if (!open)
        begin(s, i);
      open = 1;
      char c = (char)(cp - 0xE0000);
      put(s, &c, 1, i, 4, 0);
    }
    i += 3;
  }
}

static char rot13c(char c) {
  if (c >= 'a' && c <= 'z')
    return (char)('a' + (c - 'a' + 13) % 26);
  if (c >= 'A' && c <= 'Z')
    return (char)('A' + (c - 'A' + 13) % 26);
  return c;
}

/* How many common English words the (optionally rotated) text has. */
/* Frequent English words (kind 1) and their rot13 forms (kind 2; none is
 * a frequent word itself), as 8-bit letters packed into 64-bit keys, in an
 * open-addressing table (hash: golden-ratio multiply, top 7 bits).
 * Generated once; 0 marks an empty slot. */
static const struct {
  uint64_t key;
  int kind;
} ENGLISH[128] = {
    {0x0ull, 0},
    {0x666f72ull, 1},
    {0x616267ull, 2},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x6d65ull, 1},
    {0x6e6f74ull, 1},
    {0x686f77ull, 1},
    {0x706e61ull, 2},
    {0x63616eull, 1},
    {0x0ull, 0},
    {0x6f66ull, 1},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x746865ull, 1},
    {0x0ull, 0},
    {0x6365726976626866ull, 2},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x6365627a6367ull, 2},
    {0x6e6171ull, 2},
    {0x0ull, 0},
    {0x616e73776572ull, 1},
    {0x7a6cull, 2},
    {0x0ull, 0},
    {0x736563726574ull, 1},
    {0x0ull, 0},
    {0x74686174ull, 1},
    {0x0ull, 0},
    {0x74656c6cull, 1},
    {0x7667ull, 2},
    {0x617265ull, 1},
    {0x767461626572ull, 2},
    {0x796f7572ull, 1},
    {0x0ull, 0},
    {0x616c6cull, 1},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x6e7979ull, 2},
    {0x6273ull, 2},
    {0x0ull, 0},
    {0x74686973ull, 1},
    {0x736265ull, 2},
    {0x0ull, 0},
    {0x70617373776f7264ull, 1},
    {0x73797374656dull, 1},
    {0x666c6667727aull, 2},
    {0x69676e6f7265ull, 1},
    {0x77686174ull, 1},
    {0x75626aull, 2},
    {0x6d79ull, 1},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x6379726e6672ull, 2},
    {0x0ull, 0},
    {0x6974ull, 1},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x70726f6d7074ull, 1},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x7661ull, 2},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x6a766775ull, 2},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x77697468ull, 1},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x7666ull, 2},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x6e6572ull, 2},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x6e61666a7265ull, 2},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x746full, 1},
    {0x696eull, 1},
    {0x0ull, 0},
    {0x616e64ull, 1},
    {0x67756e67ull, 2},
    {0x0ull, 0},
    {0x677572ull, 2},
    {0x70726576696f7573ull, 1},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x6c626865ull, 2},
    {0x6973ull, 1},
    {0x0ull, 0},
    {0x67727979ull, 2},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x6c6268ull, 2},
    {0x61626aull, 2},
    {0x67757666ull, 2},
    {0x6762ull, 2},
    {0x796f75ull, 1},
    {0x6e6f77ull, 1},
    {0x7a72ull, 2},
    {0x667270657267ull, 2},
    {0x0ull, 0},
    {0x706c65617365ull, 1},
    {0x6a756e67ull, 2},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x636e66666a626571ull, 2},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x0ull, 0},
    {0x0ull, 0},
};

static int english_kind(uint64_t key) {
  size_t i = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 57);
  while (ENGLISH[i].key) {
    if (ENGLISH[i].key == key)
      return ENGLISH[i].kind;
    i = (i + 1) % 128;
  }
  return 0;
}

/* Counts, in one pass, the frequent English words in the text as it is
 * (*plain) and as they look rotated by 13 (*rotated): one table probe per
 * word of 2 to 8 letters. */
static void english_words(const unsigned char *u, size_t n, int *plain,
                          int *rotated) {
  *plain = *rotated = 0;
  size_t i = 0;
  while (i < n) {
    while (i < n && (unsigned)((u[i] | 0x20) - 'a') >= 26)
      i++;
    size_t st = i;
    uint64_t key = 0;
    while (i < n && (unsigned)((u[i] | 0x20) - 'a') < 26)
      key = key << 8 | (u[i++] | 0x20);
    if (i - st < 2 || i - st > 8)
      continue;
    int kind = english_kind(key);
    *plain += kind == 1;
    *rotated += kind == 2;
  }
}

static void dec_rot13(sink *s, const unsigned char *u, size_t n) {
  size_t probe = n < ROT13_PROBE ? n : ROT13_PROBE;
  int plain, rotated;
  english_words(u, probe, &plain, &rotated);
  if (rotated < 2 || rotated <= 2 * plain)
    return;
  if (!room(s, n))
    return;
  begin(s, 0);
  ag_map_add(s->map, s->out->len, 0, n, 1);
  size_t at = s->out->len;
  ag_buf_append(s->out, u, n);
  if (!s->out->failed)
    for (size_t i = 0; i < n; i++)
      s->out->data[at + i] = rot13c(s->out->data[at + i]);
}

/*
 * Leetspeak: digits and symbols written for the letters they look like
 * ("1gn0r3 4ll pr3v10us 1nstruct10ns", "p@$$w0rd"). In a word that mixes
 * letters with them, they are read as those letters; the layer is the
 * text with such words read so (same length, so the map is the identity),
 * made only when there are at least LEET_MIN of them and one becomes a
 * frequent English word of three letters or more ("4ll", "y0ur", "th3";
 * two-letter ones come too easily from ids and escapes, "%0F" for "of"):
 * version numbers, "mp3", "x86_64", ordinals and ids do not make a layer,
 * and "d1sr3g4rd 4ll pr10r 1nstruct10ns" does. (The digits that stand for
 * no letter, 2 and 6, end a word.)
 */
#define LEET_MIN 2

/* What a byte is read as in a leet word: the letter a digit or symbol
 * stands for, 1 for the letters themselves, 0 for what ends a word. */
static const unsigned char LEET[256] = {
    ['0'] = 'o', ['1'] = 'i', ['3'] = 'e', ['4'] = 'a', ['5'] = 's',
    ['7'] = 't', ['8'] = 'b', ['9'] = 'g', ['@'] = 'a', ['$'] = 's',
#define L1(c) [c] = 1, [c + 32] = 1
    L1('A'),     L1('B'),     L1('C'),     L1('D'),     L1('E'),
    L1('F'),     L1('G'),     L1('H'),     L1('I'),     L1('J'),
    L1('K'),     L1('L'),     L1('M'),     L1('N'),     L1('O'),
    L1('P'),     L1('Q'),     L1('R'),     L1('S'),     L1('T'),
    L1('U'),     L1('V'),     L1('W'),     L1('X'),     L1('Y'),
    L1('Z'),
#undef L1
};

/* Whether u[i] may stand for a letter next to a letter. */
static int leet_at(const unsigned char *u, size_t i, size_t n) {
  return LEET[u[i]] > 1 &&
         ((i > 0 && LEET[u[i - 1]] == 1) || (i + 1 < n && LEET[u[i + 1]] == 1));
}

#if defined(QVEC)
/* Bytes of v that may stand for a letter (LEET[] > 1), 16 at a time. */
static qmask leet_lanes(qvec v) {
  return ((qmask)((qvec)(v - '0') < 10) & (qmask)(v != '2') &
          (qmask)(v != '6')) |
         (qmask)(v == '@') | (qmask)(v == '$');
}

/* Bytes that are ASCII letters, 16 at a time. */
static qmask letter_lanes(qvec v) {
  return (qmask)((qvec)((v | 0x20) - 'a') < 26);
}
#endif

/* The first offset at or after i of a byte that may stand for a letter
 * and is next to a letter (every word that mixes them has one), n when
 * none: 16 bytes at a time, their neighbours read only in blocks with
 * such a byte, as most text has none (and numbers, prices and amounts are
 * not next to letters). */
static size_t leet_char(const unsigned char *u, size_t i, size_t n) {
  if (i == 0 && n > 0) {
    if (leet_at(u, 0, n))
      return 0;
    i = 1;
  }
#if defined(QVEC)
  for (; i + QVEC + 1 <= n; i += QVEC) {
    qmask leet = leet_lanes(qload(u + i));
    if (!qany(leet))
      continue; /* most blocks: no digit, no '@' or '$' */
    size_t k = qfirst(leet & (letter_lanes(qload(u + i - 1)) |
                              letter_lanes(qload(u + i + 1))));
    if (k < QVEC)
      return i + k;
  }
#endif
  while (i < n && !leet_at(u, i, n))
    i++;
  return i;
}

/* The next word at or after *i that mixes letters with leet characters:
 * returns 1 with its bounds in [*st, *end) and *i past it, 0 when there
 * is none. The word is the one around leet_char's byte, which has a
 * letter beside it; *i is 0 or the end of the previous word (a byte that
 * ends words), so the walk back stops at no letter of this one. */
static int leet_word(const unsigned char *u, size_t n, size_t *i, size_t *st,
                     size_t *end) {
  size_t a = leet_char(u, *i, n), b = a;
  if (a >= n) {
    *i = n;
    return 0;
  }
  while (a > *i && LEET[u[a - 1]])
    a--;
  while (b < n && LEET[u[b]])
    b++;
  *st = a;
  *end = *i = b;
  return 1;
}

static void dec_leet(sink *s, const unsigned char *u, size_t n) {
  size_t i = 0, st, end;
  int words = 0, known = 0;
  while ((words < LEET_MIN || !known) && leet_word(u, n, &i, &st, &end)) {
    words++;
    if (known || end - st < 3 || end - st > 8)
      continue;
    uint64_t key = 0;
    for (size_t k = st; k < end; k++)
      key = key << 8 | (LEET[u[k]] == 1 ? u[k] | 0x20 : LEET[u[k]]);
    known = english_kind(key) == 1;
  }
  if (words < LEET_MIN || !known || !room(s, n))
    return;
  begin(s, 0);
  ag_map_add(s->map, s->out->len, 0, n, 1);
  size_t at = s->out->len;
  ag_buf_append(s->out, u, n);
  if (s->out->failed)
    return;
  unsigned char *o = (unsigned char *)s->out->data + at;
  for (i = 0; leet_word(u, n, &i, &st, &end);)
    for (size_t k = st; k < end; k++)
      if (LEET[u[k]] != 1)
        o[k] = LEET[u[k]];
}

/*
 * Upside-down text: a line written with turned letters and read from its
 * end ("suoıʇɔnɹʇsuı snoıʌǝɹd llɐ ǝɹouƃı"). A line with FLIP_MIN turned
 * letters or more is read backwards, each turned letter as the letter it
 * stands for, and b/q, d/p, n/u swapped; the reading is a payload when
 * it has two frequent English words or more, and more than the text as
 * written (Turkish with its dotless ı, or an IPA transcription with its
 * ɐ ɹ ə, read backwards, has none). The payload is the line's upside-down
 * part, from the word of its first turned letter to the word of its last;
 * its bytes run backwards, so it maps onto that whole part.
 */
#define FLIP_MIN 3
#define FLIP_PROBE 1024 /* bytes of a line read to judge it */

/* The letter a turned one stands for, 0 for any other code point. */
static int turned(int cp) {
  switch (cp) {
  case 0x0250: /* ɐ */
  case 0x2200: return 'a';
  case 0x15FA:
  case 0x10412: return 'b';
  case 0x0254: /* ɔ */
  case 0x0186: return 'c';
  case 0x15E1: return 'd';
  case 0x01DD: /* ǝ */
  case 0x0259:
  case 0x018E: return 'e';
  case 0x025F: /* ɟ */
  case 0x2132: return 'f';
  case 0x0183: /* ƃ */
  case 0x1D77:
  case 0x2141: return 'g';
  case 0x0265: return 'h'; /* ɥ */
  case 0x0131:             /* ı */
  case 0x1D09: return 'i';
  case 0x027E: /* ɾ */
  case 0x017F: return 'j';
  case 0x029E: /* ʞ */
  case 0xA7B0: return 'k';
  case 0x02E5:
  case 0x2142:
  case 0x05DF: return 'l';
  case 0x026F: return 'm'; /* ɯ */
  case 0x0500: return 'p';
  case 0x0279: /* ɹ */
  case 0x1D1A: return 'r';
  case 0x0287: /* ʇ */
  case 0x22A5: return 't';
  case 0x2229: return 'u';
  case 0x028C: /* ʌ */
  case 0x039B: return 'v';
  case 0x028D: return 'w'; /* ʍ */
  case 0x028E:             /* ʎ */
  case 0x2144: return 'y';
  default: return 0;
  }
}

/* What an ASCII character turned over is read as (0: itself). */
static const char FLIP_ASCII[128] = {
    ['b'] = 'q', ['q'] = 'b', ['d'] = 'p', ['p'] = 'd',  ['n'] = 'u',
    ['u'] = 'n', ['M'] = 'W', ['W'] = 'M', ['6'] = '9',  ['9'] = '6',
    ['('] = ')', [')'] = '(', ['['] = ']', [']'] = '[',  ['{'] = '}',
    ['}'] = '{', ['<'] = '>', ['>'] = '<', [','] = '\'', ['\''] = ','};

/* Reads the character that ends at *at (after st) turned over: writes it
 * to out (at most 4 bytes), moves *at to its start, returns its length. A
 * byte that ends no valid character is read as itself, alone. */
static size_t flip_back(const unsigned char *u, size_t st, size_t *at,
                        char *out) {
  size_t k = *at - 1;
  while (k > st && *at - k < 4 && (u[k] & 0xC0) == 0x80)
    k--;
  int cp;
  size_t len = ag_utf8_decode(u + k, *at - k, &cp);
  if (len != *at - k) {
    *at -= 1;
    out[0] = (char)u[*at];
    return 1;
  }
  *at = k;
  if (cp < 0x80) {
    out[0] = FLIP_ASCII[cp] ? FLIP_ASCII[cp] : (char)cp;
    return 1;
  }
  int c = turned(cp);
  if (!c)
    c = cp == 0xA1 ? '!' : cp == 0xBF ? '?' : cp == 0x02D9 ? '.' : 0;
  if (c) {
    out[0] = (char)c;
    return 1;
  }
  memcpy(out, u + k, len);
  return len;
}

#if defined(QVEC)
/* Lead bytes of the lower-case turned letters (ı ƃ ǝ, ɐ ɔ ɟ ɥ ɯ ɹ ɾ, ʇ ʌ
 * ʍ ʎ ʞ, ᴉ ᵷ), 16 at a time. */
static qmask flip_lanes(qvec v) {
  return (qmask)(v == 0xC4) | (qmask)(v == 0xC6) | (qmask)(v == 0xC7) |
         (qmask)(v == 0xC9) | (qmask)(v == 0xCA) | (qmask)(v == 0xE1);
}
#endif

/* The first offset at or after i of such a lead byte, n when none. */
static size_t flip_char(const unsigned char *u, size_t i, size_t n) {
#if defined(QVEC)
  for (; i + QVEC <= n; i += QVEC) {
    size_t k = qfirst(flip_lanes(qload(u + i)));
    if (k < QVEC)
      return i + k;
  }
#endif
  while (i < n && u[i] != 0xC4 && u[i] != 0xC6 && u[i] != 0xC7 &&
         u[i] != 0xC9 && u[i] != 0xCA && u[i] != 0xE1)
    i++;
  return i;
}

static int is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * The upside-down part of line [st, end): from the word of its first
 * turned letter to the word of its last, in [*a, *b). Returns 1 when it
 * has FLIP_MIN turned letters or more and reads as English turned over:
 * its last FLIP_PROBE bytes (where the reading starts) have two frequent
 * English words or more read so, and more than as written. Plain text
 * around it ("tell me what this says: ...") and filler after it count
 * for neither. Turned letters are looked for at the bytes that may lead
 * one (flip_char).
 */
static int flip_part(const unsigned char *u, size_t st, size_t end, size_t *a,
                     size_t *b) {
  size_t letters = 0, first = end, last = end;
  for (size_t i = flip_char(u, st, end); i < end;
       i = flip_char(u, i + 1, end)) {
    int cp;
    size_t l = ag_utf8_decode(u + i, end - i, &cp);
    if (l && turned(cp)) {
      letters++;
      first = first < end ? first : i;
      last = i + l;
    }
  }
  if (letters < FLIP_MIN)
    return 0;
  while (first > st && !is_space(u[first - 1]))
    first--;
  while (last < end && !is_space(u[last]))
    last++;
  *a = first;
  *b = last;
  char probe[FLIP_PROBE + 4];
  size_t n = 0, at = last;
  do /* first < last: the part holds turned letters */
    n += flip_back(u, first, &at, probe + n);
  while (at > first && n < FLIP_PROBE);
  int plain, read, unused;
  english_words((const unsigned char *)probe, n, &read, &unused);
  english_words(u + at, last - at, &plain, &unused);
  return read >= 2 && read > plain;
}

static void dec_flip(sink *s, const unsigned char *u, size_t n) {
  size_t from = 0; /* where the line after the last one read starts */
  for (size_t i = 0; (i = flip_char(u, i, n)) < n;) {
    size_t st = from; /* the line around i: [st, end) */
    const unsigned char *nl;
    while ((nl = memchr(u + st, '\n', i - st)))
      st = (size_t)(nl - u) + 1;
    nl = memchr(u + i, '\n', n - i);
    size_t end = nl ? (size_t)(nl - u) : n, a, b;
    i = from = end;
    if (!flip_part(u, st, end, &a, &b))
      continue;
    if (!room(s, b - a))
      break;
    begin(s, a);
    ag_map_add(s->map, s->out->len, a, b - a, 0);
    char c[4];
    for (size_t at = b; at > a;)
      ag_buf_append(s->out, c, flip_back(u, a, &at, c));
  }
}

size_t ag_decode(ag_decoder d, const char *text, size_t n, ag_buf *out,
                 ag_map *map, size_t budget, int *truncated) {
  sink s = {out, map, budget, out->len, truncated, 0, 0};
  const unsigned char *u = (const unsigned char *)text;
  switch (d) {
  case AG_DEC_TAGS: dec_tags(&s, u, n); break;
  case AG_DEC_BASE64: dec_binary(&s, u, n, 0); break;
  case AG_DEC_HEX: dec_binary(&s, u, n, 1); break;
  case AG_DEC_URL: dec_escapes(&s, u, n, esc_url, '%'); break;
  case AG_DEC_HTML: dec_escapes(&s, u, n, esc_html, '&'); break;
  case AG_DEC_ESCAPE: dec_escapes(&s, u, n, esc_backslash, '\\'); break;
  case AG_DEC_ROT13: dec_rot13(&s, u, n); break;
  case AG_DEC_LEET: dec_leet(&s, u, n); break;
  case AG_DEC_FLIP: dec_flip(&s, u, n); break;
  default: break;
  }
  return s.payloads;
}
