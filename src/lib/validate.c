/*
 * validate.c -- checksum and structure validators for rule matches.
 *
 * Patterns find candidates; these functions decide whether a candidate is
 * real: a Luhn-valid card from a known issuer, an IBAN with correct mod-97
 * check digits, a GitHub or npm token whose CRC32 matches, a JWT whose parts
 * decode to JSON, an address that parses. Dropping candidates that fail keeps
 * the false-positive rate low without lookarounds or huge patterns, which the
 * Hyperscan/PCRE2 dialect does not allow anyway (docs/rules.md).
 *
 * The input is whatever a pattern matched in untrusted text, so every function
 * treats (s, n) as arbitrary bytes: lengths are checked before any access,
 * no NUL terminator is assumed, and memory use is bounded by O(n).
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200112L /* inet_pton */
#endif

#include "validate.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

/* ------------------------------------------------------------ helpers */

/* True for an ASCII decimal digit (locale-independent, unlike isdigit). */
static bool is_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}

/* True for an ASCII letter. */
static bool is_alpha(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* True for a base62 character: the alphabet of GitHub and npm tokens. */
static bool is_base62(unsigned char c) {
  return is_digit(c) || is_alpha(c);
}

/* True when every byte of s[0..n) is base62. */
static bool all_base62(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!is_base62((unsigned char)s[i]))
      return false;
  return true;
}

/* True when s[0..n) begins with the NUL-terminated prefix p. */
static bool has_prefix(const char *s, size_t n, const char *p) {
  size_t k = strlen(p);
  return n >= k && memcmp(s, p, k) == 0;
}

/*
 * Copy the digits of s (card-number style: digits, each space or dash between
 * two digits) into out, which has room for cap digits. Returns the number of
 * digits, or 0 when s is malformed or holds more than cap digits; out may be
 * NULL to only count (then cap is ignored).
 */
static size_t collect_digits(const char *s, size_t n, char *out, size_t cap) {
  size_t count = 0;
  bool prev_digit = false;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (is_digit(c)) {
      if (out) {
        if (count == cap)
          return 0;
        out[count] = (char)c;
      }
      count++;
      prev_digit = true;
    } else if ((c == ' ' || c == '-') && prev_digit) {
      prev_digit = false; /* a separator must follow a digit... */
    } else {
      return 0;
    }
  }
  return prev_digit ? count : 0; /* ...and be followed by one */
}

/* ------------------------------------------------------------- Luhn */

/* See validate.h. Digits are summed from the right in one pass with the
 * running sum kept mod 10, so input of any length needs no buffer. */
bool ag_valid_luhn(const char *s, size_t n) {
  if (!s || collect_digits(s, n, NULL, 0) < 12)
    return false;
  /* Walk from the check digit leftwards, doubling every second digit. */
  unsigned sum = 0;
  bool dbl = false;
  for (size_t i = n; i-- > 0;) {
    unsigned char c = (unsigned char)s[i];
    if (!is_digit(c))
      continue; /* separators were validated above */
    unsigned d = (unsigned)(c - '0');
    if (dbl) {
      d *= 2;
      if (d > 9)
        d -= 9;
    }
    sum = (sum + d) % 10; /* keep it small for arbitrarily long input */
    dbl = !dbl;
  }
  return sum == 0;
}

/* ------------------------------------------------------------- cards */

/* One issuer range: numbers whose first `digits` digits lie in [lo, hi] and
 * whose length is in [min_len, max_len], except that lengths listed in
 * `only` (a bit per length, 0 = any) restrict it further (Visa). */
typedef struct {
  unsigned digits;
  unsigned lo, hi;
  unsigned min_len, max_len;
  uint32_t only;
} card_range;

#define LEN_BIT(n) (1u << (n))

static const card_range card_ranges[] = {
    /* Visa: 13, 16 or 19 digits. */
    {1, 4, 4, 13, 19, LEN_BIT(13) | LEN_BIT(16) | LEN_BIT(19)},
    /* Mastercard: the classic 51-55 and the 2-series 2221-2720. */
    {2, 51, 55, 16, 16, 0},
    {4, 2221, 2720, 16, 16, 0},
    /* American Express. */
    {2, 34, 34, 15, 15, 0},
    {2, 37, 37, 15, 15, 0},
    /* Discover, including its UnionPay co-branded range. */
    {4, 6011, 6011, 16, 19, 0},
    {3, 644, 649, 16, 19, 0},
    {2, 65, 65, 16, 19, 0},
    {6, 622126, 622925, 16, 19, 0},
    /* JCB. */
    {4, 3528, 3589, 16, 19, 0},
    /* Diners Club International and its Carte Blanche/US ranges. */
    {3, 300, 305, 14, 19, 0},
    {4, 3095, 3095, 14, 19, 0},
    {2, 36, 36, 14, 19, 0},
    {2, 38, 39, 14, 19, 0},
    /* UnionPay. */
    {2, 62, 62, 16, 19, 0},
    /* Maestro: the issuer ranges in use; lengths vary from 12 to 19. */
    {4, 5018, 5018, 12, 19, 0},
    {4, 5020, 5020, 12, 19, 0},
    {4, 5038, 5038, 12, 19, 0},
    {4, 5893, 5893, 12, 19, 0},
    {4, 6304, 6304, 12, 19, 0},
    {4, 6759, 6759, 12, 19, 0},
    {4, 6761, 6763, 12, 19, 0},
};

/* The number formed by the first k digits of d (k <= 9, so no overflow). */
static unsigned leading_value(const char *d, unsigned k) {
  unsigned v = 0;
  for (unsigned i = 0; i < k; i++)
    v = v * 10 + (unsigned)(d[i] - '0');
  return v;
}

/* True when a digit string of length len matches one issuer range. */
static bool known_issuer(const char *d, size_t len) {
  for (size_t i = 0; i < sizeof card_ranges / sizeof card_ranges[0]; i++) {
    const card_range *r = &card_ranges[i];
    if (len < r->min_len || len > r->max_len)
      continue;
    if (r->only && !(r->only & LEN_BIT(len)))
      continue;
    unsigned v = leading_value(d, r->digits);
    if (v >= r->lo && v <= r->hi)
      return true;
  }
  return false;
}

/* See validate.h. A card number has at most 19 digits, so they fit in a
 * stack buffer; anything longer is rejected while collecting. */
bool ag_valid_card(const char *s, size_t n) {
  char d[19]; /* the longest card number has 19 digits */
  if (!s)
    return false;
  size_t len = collect_digits(s, n, d, sizeof d);
  if (len < 12 || !ag_valid_luhn(s, n))
    return false;
  return known_issuer(d, len);
}

/* -------------------------------------------------------------- IBAN */

/* IBAN length per country, from the SWIFT IBAN registry. */
static const struct {
  char cc[3];
  unsigned char len;
} iban_lengths[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20},
    {"BE", 16}, {"BG", 22}, {"BH", 22}, {"BI", 27}, {"BR", 29}, {"BY", 28},
    {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24}, {"DE", 22}, {"DJ", 27},
    {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18},
    {"FK", 18}, {"FO", 18}, {"FR", 27}, {"GB", 22}, {"GE", 22}, {"GI", 23},
    {"GL", 18}, {"GR", 27}, {"GT", 28}, {"HN", 28}, {"HR", 21}, {"HU", 28},
    {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27}, {"JO", 30},
    {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32}, {"LI", 21}, {"LT", 20},
    {"LU", 20}, {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22},
    {"MK", 19}, {"MN", 20}, {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NI", 28},
    {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24}, {"PL", 28}, {"PS", 29},
    {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24},
    {"SC", 31}, {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27},
    {"SO", 23}, {"ST", 25}, {"SV", 28}, {"TL", 23}, {"TN", 24}, {"TR", 26},
    {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20}, {"YE", 30},
};

#define IBAN_MAX 34 /* the longest IBAN any country may use */

/* The registry length for country code cc (two upper-case letters), or 0. */
static unsigned iban_country_length(const char *cc) {
  for (size_t i = 0; i < sizeof iban_lengths / sizeof iban_lengths[0]; i++)
    if (iban_lengths[i].cc[0] == cc[0] && iban_lengths[i].cc[1] == cc[1])
      return iban_lengths[i].len;
  return 0;
}

/* Upper-case ASCII letter (IBANs are case-insensitive in practice). */
static char to_upper(char c) {
  return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

/*
 * Copy s into out without its separating spaces, upper-cased. Spaces must sit
 * between two other characters, one at a time. Returns the compact length, or
 * 0 when s is malformed or longer than IBAN_MAX characters.
 */
static size_t iban_compact(const char *s, size_t n, char out[IBAN_MAX]) {
  size_t len = 0;
  bool prev_space = true; /* forbids a leading space */
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == ' ') {
      if (prev_space)
        return 0;
      prev_space = true;
      continue;
    }
    if (!is_base62(c) || len == IBAN_MAX)
      return 0;
    out[len++] = to_upper((char)c);
    prev_space = false;
  }
  return prev_space ? 0 : len;
}

/* ISO 7064 mod 97-10 of the IBAN rearranged (BBAN first, then country code
 * and check digits), letters counting as 10..35. */
static unsigned iban_mod97(const char *iban, size_t len) {
  unsigned r = 0;
  for (size_t k = 0; k < len; k++) {
    char c = iban[(k + 4) % len]; /* rotate the first four to the end */
    if (is_digit((unsigned char)c))
      r = (r * 10 + (unsigned)(c - '0')) % 97;
    else
      r = (r * 100 + (unsigned)(c - 'A' + 10)) % 97;
  }
  return r;
}

/* See validate.h. The compact form is at most IBAN_MAX characters and is
 * built on the stack; the check digits are verified without big integers. */
bool ag_valid_iban(const char *s, size_t n) {
  char iban[IBAN_MAX];
  if (!s)
    return false;
  size_t len = iban_compact(s, n, iban);
  if (len < 5)
    return false;
  if (!is_alpha((unsigned char)iban[0]) || !is_alpha((unsigned char)iban[1]) ||
      !is_digit((unsigned char)iban[2]) || !is_digit((unsigned char)iban[3]))
    return false;
  if (iban_country_length(iban) != len)
    return false;
  return iban_mod97(iban, len) == 1;
}

/* --------------------------------------------------------------- SSN */

/* The number formed by the k digits at d, or -1 if any is not a digit. */
static int digits_value(const char *d, size_t k) {
  int v = 0;
  for (size_t i = 0; i < k; i++) {
    if (!is_digit((unsigned char)d[i]))
      return -1;
    v = v * 10 + (d[i] - '0');
  }
  return v;
}

/* See validate.h. Only the three fixed layouts are accepted, so the length
 * alone selects where area, group and serial sit. */
bool ag_valid_ssn(const char *s, size_t n) {
  int area, group, serial;
  if (!s)
    return false;
  if (n == 9) {
    area = digits_value(s, 3);
    group = digits_value(s + 3, 2);
    serial = digits_value(s + 5, 4);
  } else if (n == 11 && (s[3] == '-' || s[3] == ' ') && s[6] == s[3]) {
    area = digits_value(s, 3);
    group = digits_value(s + 4, 2);
    serial = digits_value(s + 7, 4);
  } else {
    return false;
  }
  if (area < 0 || group < 0 || serial < 0)
    return false;
  /* The SSA never issues these (900-999 are ITINs and advertising). */
  if (area == 0 || area == 666 || area >= 900)
    return false;
  return group != 0 && serial != 0;
}

/* ----------------------------------------------------------- entropy */

/*
 * log2(x) for x >= 1, without libm: split x into 2^e * m with m in [1, 2) and
 * take ln(m) = 2 atanh((m - 1) / (m + 1)), whose series converges quickly
 * because the argument is at most 1/3. Accurate to about 1e-15, which is far
 * more than a threshold comparison needs, and keeps the library free of a
 * libm dependency for this one use.
 */
static double log2_ge1(double x) {
  int e = 0;
  while (x >= 2.0) {
    x /= 2.0;
    e++;
  }
  double z = (x - 1.0) / (x + 1.0), z2 = z * z, term = z, sum = 0.0;
  for (int k = 1; k < 60; k += 2) {
    sum += term / k;
    term *= z2;
  }
  return e + 2.0 * sum / 0.69314718055994530942; /* ln 2 */
}

/* See validate.h. One pass fills a 256-entry histogram on the stack. */
double ag_entropy(const char *s, size_t n) {
  size_t count[256] = {0};
  if (!s || n == 0)
    return 0.0;
  for (size_t i = 0; i < n; i++)
    count[(unsigned char)s[i]]++;
  /* H = log2(n) - (1/n) * sum(c * log2(c)), computed from integer counts. */
  double acc = 0.0;
  for (size_t b = 0; b < 256; b++)
    if (count[b])
      acc += (double)count[b] * log2_ge1((double)count[b]);
  double h = log2_ge1((double)n) - acc / (double)n;
  return h < 0.0 ? 0.0 : h; /* rounding can give -0.0000...1 */
}

/* ------------------------------------------------ GitHub / npm tokens */

#define TOKEN_BODY 30 /* random characters covered by the checksum */
#define TOKEN_CRC 6   /* base62 digits of the CRC32 */

/*
 * True when body (TOKEN_BODY base62 characters) is followed by the base62
 * encoding of its CRC32, most significant digit first, zero-padded to
 * TOKEN_CRC characters. 62^6 > 2^32, so six digits always suffice.
 */
static bool token_checksum_ok(const char *body) {
  static const char alphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  uLong crc = crc32(0L, (const Bytef *)body, TOKEN_BODY);
  char want[TOKEN_CRC];
  for (int i = TOKEN_CRC - 1; i >= 0; i--) {
    want[i] = alphabet[crc % 62];
    crc /= 62;
  }
  return memcmp(want, body + TOKEN_BODY, TOKEN_CRC) == 0;
}

/* A checksummed token: prefix, then exactly 36 base62 characters whose last
 * six encode the CRC32 of the first thirty. */
static bool checksummed_token(const char *s, size_t n, size_t prefix_len) {
  if (n != prefix_len + TOKEN_BODY + TOKEN_CRC)
    return false;
  const char *body = s + prefix_len;
  return all_base62(body, TOKEN_BODY + TOKEN_CRC) && token_checksum_ok(body);
}

/* github_pat_ + 22 base62 + "_" + 59 base62 (format only: the checksum of
 * fine-grained tokens is not documented). */
static bool github_fine_grained(const char *s, size_t n) {
  static const char prefix[] = "github_pat_";
  const size_t p = sizeof prefix - 1, a = 22, b = 59;
  if (n != p + a + 1 + b || !has_prefix(s, n, prefix))
    return false;
  return all_base62(s + p, a) && s[p + a] == '_' &&
         all_base62(s + p + a + 1, b);
}

/* See validate.h. */
bool ag_valid_github(const char *s, size_t n) {
  if (!s || n < 4)
    return false;
  if (has_prefix(s, n, "github_pat_"))
    return github_fine_grained(s, n);
  /* Classic: ghp_ (personal), gho_ (OAuth), ghu_ (user-to-server),
   * ghs_ (server-to-server), ghr_ (refresh). */
  if (s[0] != 'g' || s[1] != 'h' || !memchr("pousr", s[2], 5) || s[3] != '_')
    return false;
  return checksummed_token(s, n, 4);
}

/* See validate.h. npm adopted GitHub's checksummed token layout. */
bool ag_valid_npm(const char *s, size_t n) {
  if (!s || !has_prefix(s, n, "npm_"))
    return false;
  return checksummed_token(s, n, 4);
}

/* --------------------------------------------------------------- JWT */

/* Encoded header or payload larger than this is not taken for a JWT: it
 * bounds the work and memory spent on one candidate. */
#define JWT_PART_MAX (64 * 1024)

/* The 6-bit value of a base64url character, or -1. */
static int b64url_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (is_digit(c))
    return c - '0' + 52;
  if (c == '-')
    return 62;
  if (c == '_')
    return 63;
  return -1;
}

/* True when s[0..n) is a valid unpadded base64url string (possibly empty). */
static bool is_b64url(const char *s, size_t n) {
  if (n % 4 == 1) /* a lone trailing character cannot encode a byte */
    return false;
  for (size_t i = 0; i < n; i++)
    if (b64url_value((unsigned char)s[i]) < 0)
      return false;
  return true;
}

/*
 * Decode the unpadded base64url s[0..n) (already checked by is_b64url) into a
 * fresh buffer of n * 3 / 4 bytes; *out_len receives the decoded length.
 * Returns NULL when allocation fails. The caller frees.
 */
static unsigned char *b64url_decode(const char *s, size_t n, size_t *out_len) {
  unsigned char *out = malloc(n * 3 / 4 + 1);
  if (!out)
    return NULL;
  size_t o = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; i++) {
    acc = (acc << 6) | (uint32_t)b64url_value((unsigned char)s[i]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (unsigned char)(acc >> bits);
      acc &= (1u << bits) - 1; /* keep only the bits not yet emitted */
    }
  }
  *out_len = o;
  return out;
}

/*
 * Decode one JWT part and parse it as JSON. Returns the value (the caller
 * decrefs) when it is a JSON object, NULL otherwise.
 */
static json_t *jwt_part_object(const char *s, size_t n) {
  if (n == 0 || n > JWT_PART_MAX || !is_b64url(s, n))
    return NULL;
  size_t len = 0;
  unsigned char *buf = b64url_decode(s, n, &len);
  if (!buf)
    return NULL;
  json_error_t jerr;
  json_t *v = json_loadb((const char *)buf, len, 0, &jerr);
  free(buf);
  if (v && !json_is_object(v)) {
    json_decref(v);
    v = NULL;
  }
  return v;
}

/* See validate.h. The signature is only checked for its alphabet (it may
 * be empty, as with "alg": "none"): without the key it cannot be verified. */
bool ag_valid_jwt(const char *s, size_t n) {
  if (!s || n < 5)
    return false;
  const char *dot1 = memchr(s, '.', n);
  if (!dot1)
    return false;
  size_t h_len = (size_t)(dot1 - s);
  const char *rest = dot1 + 1;
  size_t rest_len = n - h_len - 1;
  const char *dot2 = memchr(rest, '.', rest_len);
  if (!dot2)
    return false;
  size_t p_len = (size_t)(dot2 - rest);
  const char *sig = dot2 + 1;
  size_t sig_len = rest_len - p_len - 1;
  if (!is_b64url(sig, sig_len)) /* also rejects a fourth part */
    return false;

  json_t *header = jwt_part_object(s, h_len);
  if (!header)
    return false;
  bool ok = json_is_string(json_object_get(header, "alg"));
  json_decref(header);
  if (!ok)
    return false;
  json_t *payload = jwt_part_object(rest, p_len);
  if (!payload)
    return false;
  json_decref(payload);
  return true;
}

/* ---------------------------------------------------------------- IP */

/* See validate.h. Parsed by hand rather than with inet_pton, which accepts
 * forms (or rejects leading zeros) differently across C libraries. */
bool ag_valid_ipv4(const char *s, size_t n) {
  if (!s || n < 7 || n > 15)
    return false;
  size_t i = 0;
  for (int octet = 0; octet < 4; octet++) {
    if (octet > 0) {
      if (i >= n || s[i] != '.')
        return false;
      i++;
    }
    size_t start = i;
    unsigned v = 0;
    while (i < n && is_digit((unsigned char)s[i]) && i - start < 3)
      v = v * 10 + (unsigned)(s[i++] - '0');
    size_t len = i - start;
    if (len == 0 || v > 255)
      return false;
    if (len > 1 && s[start] == '0') /* "01" is octal to some parsers */
      return false;
  }
  return i == n;
}

/* See validate.h. */
bool ag_valid_ipv6(const char *s, size_t n) {
  /* The longest textual form ("ffff:...:ffff:255.255.255.255") has 45
   * characters; anything longer cannot parse, and the bound keeps the copy
   * on the stack. */
  char buf[INET6_ADDRSTRLEN];
  struct in6_addr addr;
  if (!s || n < 2 || n >= sizeof buf || memchr(s, '\0', n))
    return false;
  memcpy(buf, s, n);
  buf[n] = '\0';
  return inet_pton(AF_INET6, buf, &addr) == 1;
}

bool ag_valid_sql_no_where(const char *s, size_t n) {
  char quote = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (quote) {
      if (c == quote)
        quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      continue;
    }
    if (i + 5 <= n && (i == 0 || !isalnum((unsigned char)s[i - 1])) &&
        strncasecmp(s + i, "where", 5) == 0 &&
        (i + 5 == n || !isalnum((unsigned char)s[i + 5])))
      return false;
  }
  return true;
}

/* ------------------------------------------------ adversarial suffixes */

static bool soup_symbol(unsigned char c) {
  return strchr("[]{}()<>\\*!|~^`\"'+=@$%#-", c) != NULL && c != 0;
}

static bool ascii_letter(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A token [s, s + n) with a letter next to two or more soup symbols
 * ("word.](" counts: punctuation may sit between). */
static bool soup_token(const unsigned char *t, size_t n) {
  for (size_t i = 0; i + 1 < n; i++) {
    if (!soup_symbol(t[i]) || !soup_symbol(t[i + 1]))
      continue;
    size_t e = i + 2;
    while (e < n && soup_symbol(t[e]))
      e++;
    size_t l = i; /* a letter may end a word and its full stop first */
    if (l > 1 && strchr(".,;:", t[l - 1]))
      l--;
    if ((l > 0 && ascii_letter(t[l - 1])) || (e < n && ascii_letter(t[e])))
      return true;
    i = e - 1;
  }
  return false;
}

static bool plain_word(const unsigned char *t, size_t n) {
  size_t letters = 0;
  for (size_t i = 0; i < n; i++)
    if (ascii_letter(t[i]) || t[i] >= 0x80)
      letters++;
    else if (!strchr(",.;:?!'\"", t[i]))
      return false;
  return letters >= 2;
}

/* Tokens among the last ones where soup is looked for. */
#define SUFFIX_TOKENS 24

bool ag_valid_gibberish_suffix(const char *s, size_t n) {
  const unsigned char *u = (const unsigned char *)s;
  /* Bracket balance over the whole candidate. */
  int paren = 0, square = 0, curly = 0;
  for (size_t i = 0; i < n; i++) {
    paren += (u[i] == '(') - (u[i] == ')');
    square += (u[i] == '[') - (u[i] == ']');
    curly += (u[i] == '{') - (u[i] == '}');
  }
  /* Unclosed and unopened brackets both: soup leaves both; code and
   * JSON balance, and the tail of a long JSON text (the candidate may
   * start inside it) only closes. */
  int opened = (paren > 0) + (square > 0) + (curly > 0);
  int closed = (paren < 0) + (square < 0) + (curly < 0);
  if (!opened || !closed)
    return false;
  /* Tokens, last first: the soup among the last SUFFIX_TOKENS, and the
   * plain words before the first soup token. */
  size_t starts[SUFFIX_TOKENS], lens[SUFFIX_TOKENS], k = 0;
  size_t i = n;
  while (i > 0 && k < SUFFIX_TOKENS) {
    while (i > 0 && (u[i - 1] == ' ' || u[i - 1] == '\t' || u[i - 1] == '\n'))
      i--;
    size_t e = i;
    while (i > 0 && u[i - 1] != ' ' && u[i - 1] != '\t' && u[i - 1] != '\n')
      i--;
    if (e > i) {
      starts[k] = i;
      lens[k++] = e - i;
    }
  }
  size_t soup = 0, first = k;
  for (size_t t = 0; t < k; t++)
    if (soup_token(u + starts[t], lens[t]))
      soup++, first = t;
  if (soup < 3)
    return false;
  /* Plain words before the earliest soup token (a request before the
   * soup), read back from it. */
  size_t plain = 0, j = starts[first];
  while (j > 0 && plain < 4) {
    while (j > 0 && (u[j - 1] == ' ' || u[j - 1] == '\t' || u[j - 1] == '\n'))
      j--;
    size_t e = j;
    while (j > 0 && u[j - 1] != ' ' && u[j - 1] != '\t' && u[j - 1] != '\n')
      j--;
    if (e > j)
      plain += plain_word(u + j, e - j);
  }
  return plain >= 4;
}
