/*
 * fuzz_checkpoint.c -- libFuzzer target for the reading of audit
 * checkpoints (src/store/chain.c: store_checkpoint_parse, what `aigate log
 * verify` reads from the checkpoint file and from a collector's copy of
 * the syslog messages).
 *
 * Input: one line, read strictly and loosely with a fixed audit key.
 * Checks: the result is 1, 0 or -1; a checkpoint taken as signed is
 * exactly what the chain writes for that instance, sequence number and
 * head (the whole line when strict, its end when loose), so nothing but
 * the key's own checkpoints is ever taken. The seed corpus holds lines
 * signed with this key.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 8192)
    return 0;
  char *line = malloc(size + 1);
  if (!line)
    return 0;
  memcpy(line, data, size);
  line[size] = '\0';
  store_chain c;
  memset(&c, 0, sizeof(c));
  memset(c.key, 0x42, sizeof(c.key));
  for (int loose = 0; loose < 2; loose++) {
    int rc =
        store_checkpoint_parse(c.key, line, loose, c.instance, &c.seq, c.head);
    FUZZ_CHECK(rc == 1 || rc == 0 || rc == -1);
    if (rc != 1)
      continue;
    FUZZ_CHECK(c.seq >= 1 && strlen(c.instance) == 16);
    char want[256];
    FUZZ_CHECK(store_chain_checkpoint_line(&c, want, sizeof(want)) == 0);
    size_t n = strlen(line), w = strlen(want);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' ||
                 (loose && line[n - 1] == ' ')))
      n--;
    FUZZ_CHECK(n >= w && !memcmp(line + n - w, want, w));
    FUZZ_CHECK(loose || n == w);
  }
  free(line);
  return 0;
}
