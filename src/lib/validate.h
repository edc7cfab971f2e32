/*
 * validate.h -- checksum and structure validators for rule matches.
 *
 * A regular expression can say that a run of digits looks like a card number,
 * but not that it is one. Rules name a validator (docs/rules.md) that runs on
 * the matched text (or one capture group of it) and drops matches that fail a
 * checksum or a structural check. That keeps findings for cards, IBANs, SSNs,
 * IP addresses and checksummed tokens precise without making patterns huge.
 *
 * Every function takes the candidate as (s, n): not NUL-terminated, any bytes
 * at all. None reads outside [s, s + n), none allocates more than O(n), and
 * none crashes on hostile input; s may be NULL only when n is 0.
 */
#ifndef AIGATE_VALIDATE_H
#define AIGATE_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Luhn (mod 10) checksum over the digits of s. Spaces and dashes may separate
 * digits (one at a time, not at either end); any other byte rejects. At least
 * 12 digits are required so that short numbers, a tenth of which pass Luhn by
 * chance, are not accepted.
 */
bool ag_valid_luhn(const char *s, size_t n);

/*
 * A payment card number: ag_valid_luhn() plus a known issuer prefix with a
 * length that issuer uses (Visa, Mastercard 51-55 and 2221-2720, American
 * Express, Discover, JCB, Diners Club, UnionPay, Maestro).
 */
bool ag_valid_card(const char *s, size_t n);

/*
 * An IBAN: two-letter country code from the SWIFT IBAN registry, the length
 * that country uses, alphanumeric BBAN and ISO 7064 mod-97 == 1. Single
 * spaces may separate characters (groups of four as printed); letters may be
 * in either case.
 */
bool ag_valid_iban(const char *s, size_t n);

/*
 * A US Social Security number written ddd-dd-dddd, ddd dd dddd or as nine
 * digits: area not 000, 666 or 900-999, group not 00, serial not 0000.
 */
bool ag_valid_ssn(const char *s, size_t n);

/*
 * Shannon entropy of the bytes of s in bits per byte (0.0 for n == 0, at most
 * 8.0). Used to tell random secrets from words and placeholders.
 */
double ag_entropy(const char *s, size_t n);

/*
 * A GitHub token. Classic tokens (ghp_, gho_, ghu_, ghs_, ghr_) are the prefix,
 * 30 base62 characters and 6 base62 characters that encode the CRC32 of those
 * 30; the checksum must match. Fine-grained tokens (github_pat_ + 22 base62 +
 * "_" + 59 base62) carry no public checksum and are checked for format only.
 */
bool ag_valid_github(const char *s, size_t n);

/* An npm access token: npm_ + 30 base62 + 6 base62 CRC32, as for GitHub. */
bool ag_valid_npm(const char *s, size_t n);

/*
 * A JSON Web Token: three base64url parts separated by dots (the signature may
 * be empty, as with "alg": "none"); header and payload decode to JSON objects
 * and the header has a string "alg" member.
 */
bool ag_valid_jwt(const char *s, size_t n);

/* A dotted-quad IPv4 address: four decimal octets <= 255, no leading zeros. */
bool ag_valid_ipv4(const char *s, size_t n);

/* An IPv6 address in any textual form inet_pton(AF_INET6) accepts. */
bool ag_valid_ipv6(const char *s, size_t n);

/*
 * An SQL UPDATE or DELETE statement (the match runs to the statement's end)
 * with no WHERE clause: it changes every row. Word "where" in any case,
 * outside quoted strings, makes it a statement with a condition.
 */
bool ag_valid_sql_no_where(const char *s, size_t n);

/*
 * The shape of an automated adversarial suffix (token soup appended to a
 * request, as GCG-style attacks produce it): among the last tokens of s,
 * at least three glue a letter to a cluster of two or more brackets,
 * quotes, backslashes or operator symbols ("oppositeley.](", "giving**one",
 * "heap})"), the brackets of s do not balance (code and JSON, which share
 * the symbols, do), and at least four plain words come before the first
 * such token (a request, then the soup). A shape, not a proof: rules use
 * it as weak evidence that the classifier's weak band can complete.
 */
bool ag_valid_gibberish_suffix(const char *s, size_t n);

#endif
