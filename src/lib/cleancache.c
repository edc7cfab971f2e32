/*
 * cleancache.c -- a scratch remembers the texts it last found clean, so
 * that scanning one of them again costs a hash, not a scan.
 *
 * Applications send the same texts over and over: the system prompt of
 * every request, and in a conversation every earlier message again with
 * each new turn (a 20-turn chat rescans 19 old messages per request).
 * aigate_scan_ex over a text is a function of the engine, the profile,
 * the direction, all_rules, the scratch's allow-list and the text: when
 * all of these are the same as for a text whose scan found nothing, the
 * scan would find nothing again, and its result is given back as it was.
 *
 * Only clean results are kept (verdict allow, no finding, no flag, status
 * OK): they hold no pointer into the scratch, and a text with findings
 * needs them (offsets, rule ids) for its redaction anyway. A failed or
 * truncated scan is never kept, nor a text over 32 KiB (its hash would
 * cost a long unique document a third of its scan, the benchmark's
 * throughput case, for a hit that seldom comes). Texts are told apart by
 * a keyed BLAKE2b
 * hash (128 bits, a random key per scratch): a text cannot be made to pass
 * for a cached clean one without finding a second preimage under a key it
 * never sees. The table is direct-mapped, CLEAN_SLOTS entries per
 * scratch (about 30 KiB), and lives as long as the scratch, so a reloaded
 * engine (a new scratch) starts empty. It holds the most recent texts
 * only: a worker serving thousands of conversations at once keeps a
 * system prompt they share, but few of their earlier turns.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

#define CLEAN_SLOTS 256
/* Longer texts are scanned every time: hashing costs about a third of a
 * scan's time per byte, which a long text pays on every miss, and long
 * documents seldom come back byte for byte. */
#define CLEAN_MAX_TEXT (32u << 10)

struct ag_clean_slot {
  unsigned char hash[16];
  const ag_profile *profile;
  aigate_direction dir;
  int all_rules;
  unsigned char hosts[16]; /* the allow-list the text was scanned with */
  aigate_result res;
  int used;
};

/* The key of a text under the scratch's secret. */
static void text_hash(const aigate_scratch *s, const char *text, size_t len,
                      unsigned char out[16]) {
  crypto_generichash(out, 16, (const unsigned char *)(text ? text : ""), len,
                     s->clean_key, sizeof(s->clean_key));
}

int ag_clean_init(aigate_scratch *s) {
  if (sodium_init() < 0)
    return AIGATE_ERR_NOMEM; /* no random key: no cache, never a guess */
  s->clean = calloc(CLEAN_SLOTS, sizeof(*s->clean));
  if (!s->clean)
    return AIGATE_ERR_NOMEM;
  randombytes_buf(s->clean_key, sizeof(s->clean_key));
  ag_clean_hosts(s);
  return AIGATE_OK;
}

void ag_clean_free(aigate_scratch *s) {
  free(s->clean);
  s->clean = NULL;
}

void ag_clean_hosts(aigate_scratch *s) {
  crypto_generichash_state h;
  crypto_generichash_init(&h, s->clean_key, sizeof(s->clean_key), 16);
  for (size_t i = 0; i < s->n_allow_hosts; i++)
    crypto_generichash_update(&h, (const unsigned char *)s->allow_hosts[i],
                              strlen(s->allow_hosts[i]) + 1);
  crypto_generichash_final(&h, s->clean_hosts, 16);
}

static ag_clean_slot *slot_of(const aigate_scratch *s,
                              const unsigned char hash[16]) {
  return &s->clean[hash[0] % CLEAN_SLOTS];
}

static int same(const ag_clean_slot *c, const unsigned char hash[16],
                const aigate_scratch *s, const ag_profile *p,
                const aigate_scan_options *opt) {
  return c->used && c->profile == p && c->dir == opt->direction &&
         c->all_rules == opt->all_rules &&
         sodium_memcmp(c->hosts, s->clean_hosts, 16) == 0 &&
         sodium_memcmp(c->hash, hash, 16) == 0;
}

int ag_clean_lookup(aigate_scratch *s, const ag_profile *p,
                    const aigate_scan_options *opt, const char *text,
                    size_t len, unsigned char hash[16], aigate_result *res) {
  if (!s->clean || len > CLEAN_MAX_TEXT)
    return 0;
  text_hash(s, text, len, hash);
  const ag_clean_slot *c = slot_of(s, hash);
  if (!same(c, hash, s, p, opt))
    return 0;
  *res = c->res;
  s->n_layers = 0; /* as after a scan that found nothing to keep */
  s->n_findings = 0;
  s->flags = 0;
  res->findings = s->findings;
  return 1;
}

void ag_clean_store(aigate_scratch *s, const ag_profile *p,
                    const aigate_scan_options *opt,
                    const unsigned char hash[16], size_t len,
                    const aigate_result *res) {
  if (!s->clean || len > CLEAN_MAX_TEXT || res->status != AIGATE_OK ||
      res->verdict != AIGATE_ALLOW || res->n_findings || res->flags)
    return;
  ag_clean_slot *c = slot_of(s, hash);
  memcpy(c->hash, hash, 16);
  memcpy(c->hosts, s->clean_hosts, 16);
  c->profile = p;
  c->dir = opt->direction;
  c->all_rules = opt->all_rules;
  c->res = *res;
  c->res.findings = NULL;
  c->used = 1;
}
