/*
 * fuzz_pseudo.c -- pseudonymization and restoring (src/lib/pseudo.c) on
 * arbitrary text: the input is "prompt \x00 reply \x00 cuts". The prompt
 * is scanned and pseudonymized with every category restorable; restoring
 * it must give the prompt back (when it holds no '<' of its own). The
 * reply is restored whole and in pieces cut where the last bytes say:
 * both must agree.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fuzz_engine();
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *text = (const char *)data;
  const char *z1 = memchr(text, 0, size);
  size_t plen = z1 ? (size_t)(z1 - text) : size;
  const char *reply = z1 ? z1 + 1 : "";
  size_t rest = z1 ? size - plen - 1 : 0;
  const char *z2 = memchr(reply, 0, rest);
  size_t rlen = z2 ? (size_t)(z2 - reply) : rest;
  const uint8_t *cuts = z2 ? (const uint8_t *)z2 + 1 : NULL;
  size_t ncuts = z2 ? rest - rlen - 1 : 0;

  static const char *const all[] = {"pii",       "secrets",     "injection",
                                    "jailbreak", "obfuscation", NULL};
  aigate_pseudo *p;
  FUZZ_CHECK(aigate_pseudo_new(all, NULL, &p) == 0);
  aigate_result res;
  aigate_scan_options o = {AIGATE_INPUT, NULL, 0};
  int rc = aigate_scan_ex(fuzz_engine(), fuzz_scratch(), text, plen, &o, &res);
  char *ps = NULL, *back = NULL;
  size_t pn = 0, bn = 0;
  if (rc == AIGATE_OK &&
      aigate_pseudonymize(p, text, plen, &res, &ps, &pn) == AIGATE_OK) {
    FUZZ_CHECK(aigate_pseudo_restore(p, ps, pn, &back, &bn) == AIGATE_OK);
    if (!memchr(text, '<', plen))
      FUZZ_CHECK(bn == plen && memcmp(back, text, plen) == 0);
  }
  free(ps);
  free(back);

  char *whole;
  size_t wn;
  FUZZ_CHECK(aigate_pseudo_restore(p, reply, rlen, &whole, &wn) == AIGATE_OK);
  aigate_unpseudo u;
  aigate_unpseudo_init(&u, p);
  char *got = malloc(wn + 1);
  size_t gn = 0, pos = 0;
  FUZZ_CHECK(got != NULL);
  for (size_t i = 0; i <= ncuts; i++) {
    size_t step = i < ncuts ? cuts[i] % 16 : rlen - pos;
    if (step > rlen - pos)
      step = rlen - pos;
    char *out;
    size_t on;
    FUZZ_CHECK(aigate_unpseudo_write(&u, reply + pos, step, i == ncuts, &out,
                                     &on) == AIGATE_OK);
    FUZZ_CHECK(gn + on <= wn);
    memcpy(got + gn, out, on);
    gn += on;
    pos += step;
    free(out);
  }
  FUZZ_CHECK(gn == wn && memcmp(got, whole, wn) == 0);
  free(got);
  free(whole);
  aigate_pseudo_free(p);
  return 0;
}
