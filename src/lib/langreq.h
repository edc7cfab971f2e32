/*
 * langreq.h -- ordinary requests in languages other than English, which
 * the trainer adds to its data as benign, and their attack twins, which
 * it adds as attacks (src/lib/train.c).
 */
#ifndef AIGATE_LANGREQ_H
#define AIGATE_LANGREQ_H

#include <stdint.h>

#include "util.h"

/* Append to b one ordinary request in one of the languages the training
 * data's attacks are written in, chosen with its extras by pick (a random
 * value: the same pick gives the same text). */
void ag_lang_request(uint64_t pick, ag_buf *b);

/* Append to b the attack twin of ag_lang_request(pick): the same request
 * with a sentence of the same language after or before it that makes it
 * an attack (an instruction override, a request for the system prompt
 * or a secret, a persona without rules), or that sentence alone; which
 * one is chosen by with. */
void ag_lang_attack(uint64_t pick, uint64_t with, ag_buf *b);

/* How many languages the tables hold, and the ISO 639-1 code of the
 * i-th (NULL past the end). */
size_t ag_lang_request_languages(void);
const char *ag_lang_request_language(size_t i);

#endif
