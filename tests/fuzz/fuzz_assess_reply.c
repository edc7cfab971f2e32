/*
 * fuzz_assess_reply.c -- libFuzzer target for the judging of model
 * replies (src/assess/score.c): refusal detection, the exfiltration
 * check (markdown images, HTML, URLs parsed by libcurl) and every
 * detector, on arbitrary bytes.
 *
 * Replies come from the endpoint under test, which may be hostile or
 * broken. The first byte picks a detector, the rest is the reply; the
 * same bytes also serve as a tool call's arguments. A judge must give an
 * answer with evidence and never read past the reply.
 */
#include <stdlib.h>
#include <string.h>

#include "assess.h"
#include "common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  fuzz_engine(); /* built once here, not inside an input's time limit */
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  as_detector d = (as_detector)(data[0] % AS_N_DETECTORS);
  size_t n = size - 1;
  /* An exact-size copy (no terminator) so ASan sees any over-read. */
  char *reply = malloc(n ? n : 1);
  if (!reply)
    return 0;
  memcpy(reply, data + 1, n);
  char *args = malloc(n + 1);
  if (!args) {
    free(reply);
    return 0;
  }
  memcpy(args, data + 1, n);
  args[n] = '\0';

  as_tokens t;
  memset(&t, 0, sizeof(t));
  strcpy(t.canary, "CANARY-0011223344556677");
  strcpy(t.goal, "PWNED-a1b2c3d4e5f6");
  strcpy(t.key, "AKIAQWERTYUIOPASDFGH");
  strcpy(t.attacker, "https://x1.attacker.example");
  as_probe p;
  memset(&p, 0, sizeof(p));
  p.detector = d;
  p.tool = (char *)"run_shell";
  as_tool_call call = {"run_shell", args};
  as_reply r = {reply, n, data[0] & 0x80 ? 1 : 0, &call};
  as_verdict v;
  as_judge(&p, &t, &r, fuzz_engine(), fuzz_scratch(), &v);
  FUZZ_CHECK(v.evidence != NULL);
  FUZZ_CHECK(v.success == 0 || v.success == 1);
  FUZZ_CHECK(v.refused == as_is_refusal(reply, n));

  const char *what;
  const char *secrets[] = {t.canary, NULL};
  if (as_exfil_check(reply, n, "x1.attacker.example", secrets, &what))
    FUZZ_CHECK(what != NULL);
  free(reply);
  free(args);
  return 0;
}
