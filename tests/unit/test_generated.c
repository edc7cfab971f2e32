/*
 * test_generated.c -- the trainer adds each kind of generated text
 * (src/lib/langreq.c, credreq.c, framereq.c, docreq.c, wordreq.c,
 * gamereq.c) when asked, with its share of attack twins, its default
 * count when asked for 0, and none when asked for none: trained on the small
 * fixture with N of one kind and every other kind off, the model has N texts
 * more and the kind's share of them again as attacks. The texts themselves are
 * tested beside each generator (test_langreq.c and the others).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "aigate/aigate.h"

#define FIXTURE AIGATE_SOURCE_DIR "/tests/unit/data/classifier_train.jsonl"

typedef struct {
  const char *name;
  size_t field; /* offsetof the count in aigate_train_options */
  int n;
  size_t min_twins, max_twins; /* every one twinned, or about half */
  int dflt;                    /* how many 0 asks for */
} kind;

static const kind kinds[] = {
    {"languages", offsetof(aigate_train_options, lang_requests), 200, 200, 200,
     1500},
    {"credentials", offsetof(aigate_train_options, cred_requests), 300, 110,
     190, 100},
    {"framing", offsetof(aigate_train_options, frame_requests), 300, 110, 190,
     1500},
    {"documents", offsetof(aigate_train_options, doc_requests), 300, 110, 190,
     450},
    {"words", offsetof(aigate_train_options, word_requests), 200, 200, 200,
     150},
    {"games", offsetof(aigate_train_options, game_requests), 200, 200, 200,
     150},
};

static int *count_of(aigate_train_options *o, size_t field) {
  return (int *)((char *)o + field);
}

static void train_with(const kind *k, int n, aigate_train_report *rep) {
  static const char *files[] = {FIXTURE};
  aigate_train_options o = {
      .files = files, .n_files = 1, .hash_bits = 12, .epochs = 1, .no_cv = 1};
  for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
    *count_of(&o, kinds[i].field) = -1;
  *count_of(&o, k->field) = n;
  aigate_model *m = NULL;
  aigate_error err = {{0}};
  if (aigate_train(&o, &m, rep, &err))
    fail_msg("%s: %s", k->name, err.msg);
  aigate_model_free(m);
}

static void test_trainer_adds_them(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++) {
    const kind *k = &kinds[i];
    aigate_train_report with = {0}, without = {0};
    train_with(k, k->n, &with);
    train_with(k, -1, &without);
    size_t twins = with.n_attacks - without.n_attacks;
    if (with.n_records != without.n_records + (size_t)k->n + twins ||
        twins < k->min_twins || twins > k->max_twins)
      fail_msg("%s: %zu records with %d of them, %zu without, %zu twins",
               k->name, with.n_records, k->n, without.n_records, twins);
  }
}

/* 0 asks for each kind's default count: as many texts, and each with its
 * twin or about half of them (between 40 % and 60 %). */
static void test_default_counts(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++) {
    const kind *k = &kinds[i];
    aigate_train_report with = {0}, without = {0};
    train_with(k, 0, &with);
    train_with(k, -1, &without);
    size_t twins = with.n_attacks - without.n_attacks, dflt = (size_t)k->dflt;
    int every = k->min_twins == (size_t)k->n;
    if (with.n_records != without.n_records + dflt + twins ||
        (every ? twins != dflt
               : twins * 5 <= dflt * 2 || twins * 5 >= dflt * 3))
      fail_msg("%s: %zu records by default, %zu without, %zu twins", k->name,
               with.n_records, without.n_records, twins);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_trainer_adds_them),
      cmocka_unit_test(test_default_counts),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
