/*
 * fuzz_probes.c -- libFuzzer target for the assessment's probe loader
 * (src/assess/probes.c) and what runs on every loaded probe: placeholder
 * expansion and each transform.
 *
 * Probe files come from users (--probes DIR), so the loader must refuse
 * anything malformed with a message and never crash; whatever it
 * accepts must expand with real tokens and survive every transform,
 * because the runner does exactly that without further checks.
 */
#include <stdlib.h>
#include <string.h>

#include "assess.h"
#include "common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  as_probe_set set;
  memset(&set, 0, sizeof(set));
  aigate_error err = {{0}};
  int rc =
      as_probes_load_buffer(&set, "fuzz.yaml", (const char *)data, size, &err);
  if (rc == 0 && set.n)
    rc = as_probes_finish(&set, &err);
  if (rc != 0) {
    FUZZ_CHECK(err.msg[0] != '\0');
    as_probes_free(&set);
    return 0;
  }
  as_tokens t; /* fixed, so that a crash reproduces */
  memset(&t, 0, sizeof(t));
  strcpy(t.canary, "CANARY-0011223344556677");
  strcpy(t.goal, "PWNED-a1b2c3d4e5f6");
  strcpy(t.key, "AKIAQWERTYUIOPASDFGH");
  strcpy(t.attacker, "https://x1.attacker.example");
  const char *keep[] = {t.goal, t.attacker, t.canary, t.key, NULL};
  for (size_t i = 0; i < set.n; i++) {
    const as_probe *p = &set.probes[i];
    FUZZ_CHECK(p->id && p->id[0]);
    FUZZ_CHECK((unsigned)p->family < AS_N_FAMILIES);
    FUZZ_CHECK((unsigned)p->detector < AS_N_DETECTORS);
    FUZZ_CHECK(p->severity >= 2 && p->severity <= 5);
    FUZZ_CHECK(p->n_messages >= 1 && p->n_messages <= AS_MAX_MESSAGES);
    FUZZ_CHECK(p->messages[p->n_messages - 1].role == AS_ROLE_USER);
    FUZZ_CHECK((p->detector == AS_DET_TOOL) == (p->tool != NULL));
    for (size_t m = 0; m < p->n_messages; m++) {
      const as_message *msg = &p->messages[m];
      FUZZ_CHECK((msg->role == AS_ROLE_TOOL) == (msg->tool_name != NULL));
      const char *why;
      char *x = as_expand(msg->content, &t, &why);
      FUZZ_CHECK(x != NULL); /* the loader checked that it expands */
      for (int tr = 0; tr < AS_N_TRANSFORMS; tr++) {
        char *y = as_transform_apply((as_transform)tr, x, keep);
        FUZZ_CHECK(y != NULL);
        free(y);
      }
      free(x);
    }
  }
  as_probes_free(&set);
  return 0;
}
