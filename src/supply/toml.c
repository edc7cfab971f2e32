/*
 * toml.c -- a small strict TOML 1.0 reader (see toml.h).
 *
 * Accepted: comments; bare, basic-quoted and literal-quoted keys, dotted;
 * [table] and [[array]] headers; basic and literal strings, single- and
 * multi-line, with every TOML escape (\uXXXX and \UXXXXXXXX checked for
 * valid scalar values and encoded as UTF-8); arrays (over several lines,
 * with comments and a trailing comma) and inline tables (one line);
 * integers, floats, booleans and date-times as tokens of the characters
 * they are made of (their exact grammar is not checked: nothing here
 * uses their value). Rejected with the line: anything else, control
 * characters outside strings and comments, unterminated strings, nesting
 * deeper than AG_TOML_MAX_DEPTH, strings longer than AG_TOML_MAX_STRING.
 * Not checked: redefinition of keys and tables (a lockfile reader takes
 * the values it sees).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml.h"

typedef struct {
  const char *s;
  size_t n, i;
  int line;
  const ag_toml_cb *cb;
  void *ud;
  char *err;
  size_t errlen;
  int failed;
  char *str; /* decoded string scratch, grown up to AG_TOML_MAX_STRING */
  size_t str_len, str_cap;
} parser;

static int fail(parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int fail(parser *p, const char *fmt, ...) {
  if (!p->failed) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err, p->errlen, fmt, ap);
    va_end(ap);
    p->failed = 1;
  }
  return -1;
}

static int peek(const parser *p) {
  return p->i < p->n ? (unsigned char)p->s[p->i] : -1;
}
static int at(const parser *p, const char *w) {
  size_t l = strlen(w);
  return p->n - p->i >= l && !memcmp(p->s + p->i, w, l);
}

static void skip_ws(parser *p) {
  while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t'))
    p->i++;
}

/* A comment up to (not including) the newline. */
static int skip_comment(parser *p) {
  if (peek(p) != '#')
    return 0;
  while (p->i < p->n && p->s[p->i] != '\n') {
    unsigned char c = (unsigned char)p->s[p->i];
    if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
      return fail(p, "control character in a comment");
    if (c == '\r' && !(p->i + 1 < p->n && p->s[p->i + 1] == '\n'))
      return fail(p, "bare carriage return");
    p->i++;
  }
  return 0;
}

/* A newline (\n or \r\n), counted. */
static int newline(parser *p) {
  if (at(p, "\r\n"))
    p->i += 2;
  else if (peek(p) == '\n')
    p->i++;
  else
    return 0;
  p->line++;
  return 1;
}

/* Whitespace, comments and newlines (inside arrays). */
static int skip_all(parser *p) {
  for (;;) {
    skip_ws(p);
    if (skip_comment(p))
      return -1;
    if (!newline(p))
      return 0;
  }
}

static int put(parser *p, const char *b, size_t l) {
  if (p->str_len + l > AG_TOML_MAX_STRING)
    return fail(p, "string longer than %u bytes", AG_TOML_MAX_STRING);
  if (p->str_len + l + 1 > p->str_cap) { /* +1: the callers' terminator */
    size_t cap = p->str_cap * 2;
    while (cap < p->str_len + l + 1)
      cap *= 2;
    char *n = realloc(p->str, cap);
    if (!n)
      return fail(p, "out of memory");
    p->str = n;
    p->str_cap = cap;
  }
  memcpy(p->str + p->str_len, b, l);
  p->str_len += l;
  return 0;
}

static int put_utf8(parser *p, uint32_t c) {
  char b[4];
  size_t l;
  if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
    return fail(p, "escape is not a Unicode scalar value");
  if (c < 0x80) {
    b[0] = (char)c;
    l = 1;
  } else if (c < 0x800) {
    b[0] = (char)(0xC0 | (c >> 6));
    b[1] = (char)(0x80 | (c & 0x3F));
    l = 2;
  } else if (c < 0x10000) {
    b[0] = (char)(0xE0 | (c >> 12));
    b[1] = (char)(0x80 | ((c >> 6) & 0x3F));
    b[2] = (char)(0x80 | (c & 0x3F));
    l = 3;
  } else {
    b[0] = (char)(0xF0 | (c >> 18));
    b[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    b[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    b[3] = (char)(0x80 | (c & 0x3F));
    l = 4;
  }
  return put(p, b, l);
}

static int escape(parser *p) {
  int c = peek(p);
  p->i++;
  switch (c) {
  case 'b': return put(p, "\b", 1);
  case 't': return put(p, "\t", 1);
  case 'n': return put(p, "\n", 1);
  case 'f': return put(p, "\f", 1);
  case 'r': return put(p, "\r", 1);
  case '"': return put(p, "\"", 1);
  case '\\': return put(p, "\\", 1);
  case 'u':
  case 'U': {
    int digits = c == 'u' ? 4 : 8;
    uint32_t v = 0;
    for (int k = 0; k < digits; k++, p->i++) {
      int h = peek(p);
      if (h >= '0' && h <= '9')
        v = v * 16 + (uint32_t)(h - '0');
      else if (h >= 'a' && h <= 'f')
        v = v * 16 + (uint32_t)(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F')
        v = v * 16 + (uint32_t)(h - 'A' + 10);
      else
        return fail(p, "bad \\%c escape", c);
    }
    return put_utf8(p, v);
  }
  default: return fail(p, "unknown escape");
  }
}

/* A string of any of the four kinds at the cursor, decoded into p->str. */
static int string(parser *p) {
  p->str_len = 0;
  int literal = peek(p) == '\'';
  char q = literal ? '\'' : '"';
  const char *triple = literal ? "'''" : "\"\"\"";
  int multi = at(p, triple);
  p->i += multi ? 3 : 1;
  if (multi)
    newline(p); /* a newline right after the opening delimiter is trimmed */
  for (;;) {
    if (p->i >= p->n)
      return fail(p, "unterminated string");
    unsigned char c = (unsigned char)p->s[p->i];
    if (multi && at(p, triple)) {
      /* up to two quotes may end the content: """a"""" is 'a"' */
      p->i += 3;
      for (int k = 0; k < 2 && peek(p) == q; k++) {
        if (put(p, &q, 1))
          return -1;
        p->i++;
      }
      return 0;
    }
    if (!multi && c == (unsigned char)q) {
      p->i++;
      return 0;
    }
    if (c == '\n' || at(p, "\r\n")) {
      if (!multi)
        return fail(p, "newline in a single-line string");
      newline(p);
      if (put(p, "\n", 1))
        return -1;
      continue;
    }
    if ((c < 0x20 && c != '\t') || c == 0x7f)
      return fail(p, "control character in a string");
    if (!literal && c == '\\') {
      p->i++;
      if (multi) { /* line-ending backslash: trim whitespace and newlines */
        size_t j = p->i;
        while (j < p->n && (p->s[j] == ' ' || p->s[j] == '\t'))
          j++;
        if (j < p->n && (p->s[j] == '\n' || p->s[j] == '\r')) {
          p->i = j;
          while (p->i < p->n) {
            skip_ws(p);
            if (!newline(p))
              break;
          }
          continue;
        }
      }
      if (escape(p))
        return -1;
      continue;
    }
    if (put(p, p->s + p->i, 1))
      return -1;
    p->i++;
  }
}

static int is_bare(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* A dotted key into key[AG_TOML_MAX_KEY + 1]. */
static int key(parser *p, char *out) {
  size_t o = 0;
  for (;;) {
    skip_ws(p);
    const char *part;
    size_t pl;
    int c = peek(p);
    if (c == '"' || c == '\'') {
      if (at(p, "\"\"\"") || at(p, "'''"))
        return fail(p, "multi-line string as a key");
      if (string(p))
        return -1;
      part = p->str;
      pl = p->str_len;
    } else {
      size_t st = p->i;
      while (p->i < p->n && is_bare(p->s[p->i]))
        p->i++;
      if (p->i == st)
        return fail(p, "expected a key");
      part = p->s + st;
      pl = p->i - st;
    }
    if (o + pl + 1 > AG_TOML_MAX_KEY || memchr(part, '\0', pl))
      return fail(p, "key too long or with a NUL byte");
    if (o)
      out[o++] = '.';
    memcpy(out + o, part, pl);
    o += pl;
    skip_ws(p);
    if (peek(p) != '.')
      break;
    p->i++;
  }
  out[o] = '\0';
  return 0;
}

static int value(parser *p, const char *k, int depth, int report);

static int inline_table(parser *p, const char *prefix, int depth, int report) {
  p->i++; /* '{' */
  skip_ws(p);
  if (peek(p) == '}') {
    p->i++;
    return 0;
  }
  for (;;) {
    char k[AG_TOML_MAX_KEY + 1], full[2 * AG_TOML_MAX_KEY + 2];
    if (key(p, k))
      return -1;
    if (peek(p) != '=')
      return fail(p, "expected '=' in an inline table");
    p->i++;
    skip_ws(p);
    snprintf(full, sizeof(full), "%s.%s", prefix, k);
    if (strlen(full) > AG_TOML_MAX_KEY)
      return fail(p, "key too long");
    if (value(p, full, depth + 1, report))
      return -1;
    skip_ws(p);
    if (peek(p) == ',') {
      p->i++;
      continue;
    }
    if (peek(p) == '}') {
      p->i++;
      return 0;
    }
    return fail(p, "expected ',' or '}' in an inline table");
  }
}

static int array(parser *p, int depth) {
  p->i++; /* '[' */
  for (;;) {
    if (skip_all(p))
      return -1;
    if (peek(p) == ']') {
      p->i++;
      return 0;
    }
    if (value(p, "", depth + 1, 0))
      return -1;
    if (skip_all(p))
      return -1;
    if (peek(p) == ',') {
      p->i++;
      continue;
    }
    if (peek(p) == ']') {
      p->i++;
      return 0;
    }
    return fail(p, "expected ',' or ']' in an array");
  }
}

static int is_token(int c) {
  return is_bare(c) || c == ':' || c == '.' || c == '+';
}

/* A value; reported through the callback when report is set. */
static int value(parser *p, const char *k, int depth, int report) {
  if (depth > AG_TOML_MAX_DEPTH)
    return fail(p, "values nested deeper than %d", AG_TOML_MAX_DEPTH);
  int line = p->line, c = peek(p);
  if (c == '"' || c == '\'') {
    if (string(p))
      return -1;
    if (report && p->cb && p->cb->value) {
      p->str[p->str_len] = '\0';
      p->cb->value(p->ud, k, p->str, p->str_len, line);
    }
    return 0;
  }
  if (c == '[')
    return array(p, depth);
  if (c == '{')
    return inline_table(p, k, depth, report);
  size_t st = p->i;
  while (p->i < p->n && is_token(p->s[p->i]))
    p->i++;
  /* a date-time may use a space between date and time */
  if (p->i - st == 10 && p->s[st + 4] == '-' && p->i + 1 < p->n &&
      p->s[p->i] == ' ' && p->s[p->i + 1] >= '0' && p->s[p->i + 1] <= '9') {
    p->i++;
    while (p->i < p->n && is_token(p->s[p->i]))
      p->i++;
  }
  if (p->i == st)
    return fail(p, "expected a value");
  int first = (unsigned char)p->s[st];
  size_t l = p->i - st;
  int ok = (first >= '0' && first <= '9') || first == '+' || first == '-' ||
           (l == 4 && !memcmp(p->s + st, "true", 4)) ||
           (l == 5 && !memcmp(p->s + st, "false", 5)) ||
           (l == 3 &&
            (!memcmp(p->s + st, "inf", 3) || !memcmp(p->s + st, "nan", 3)));
  if (!ok)
    return fail(p, "not a TOML value: %.*s", (int)(l > 40 ? 40 : l), p->s + st);
  if (report && p->cb && p->cb->value)
    p->cb->value(p->ud, k, NULL, 0, line);
  return 0;
}

/* After a statement: optional whitespace and comment, then a newline or
 * the end. */
static int end_of_line(parser *p) {
  skip_ws(p);
  if (skip_comment(p))
    return -1;
  if (p->i < p->n && !newline(p))
    return fail(p, "expected the end of the line");
  return 0;
}

int ag_toml_parse(const char *buf, size_t len, const ag_toml_cb *cb, void *ud,
                  char *err, size_t errlen, int *err_line) {
  parser p = {buf, len, 0, 1, cb, ud, err, errlen, 0, NULL, 0, 256};
  p.str = malloc(p.str_cap);
  if (!p.str) {
    snprintf(err, errlen, "out of memory");
    *err_line = 0;
    return -1;
  }
  if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
    p.i = 3; /* a byte-order mark */
  char k[AG_TOML_MAX_KEY + 1];
  while (!p.failed && p.i < p.n) {
    skip_ws(&p);
    if (skip_comment(&p) || newline(&p))
      continue;
    if (p.i >= p.n)
      break;
    int line = p.line;
    if (peek(&p) == '[') {
      int arr = at(&p, "[[");
      p.i += arr ? 2 : 1;
      if (key(&p, k))
        break;
      if (arr ? !at(&p, "]]") : peek(&p) != ']') {
        fail(&p, "expected '%s'", arr ? "]]" : "]");
        break;
      }
      p.i += arr ? 2 : 1;
      if (cb && cb->table)
        cb->table(ud, k, arr, line);
    } else {
      if (key(&p, k))
        break;
      if (peek(&p) != '=') {
        fail(&p, "expected '='");
        break;
      }
      p.i++;
      skip_ws(&p);
      if (value(&p, k, 0, 1))
        break;
    }
    end_of_line(&p);
  }
  free(p.str);
  *err_line = p.failed ? p.line : 0;
  return p.failed ? -1 : 0;
}
