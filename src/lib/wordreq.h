/*
 * wordreq.h -- ordinary requests that use the words attacks use
 * ("ignore", "override", "developer mode", "system prompt", "pretend")
 * in their everyday senses, which the trainer adds as benign, and their
 * twins that turn the same words against the assistant's own rules,
 * which it adds as attacks (src/lib/train.c).
 */
#ifndef AIGATE_WORDREQ_H
#define AIGATE_WORDREQ_H

#include <stdint.h>

#include "util.h"

/* Append to b one benign request chosen by pick (the same pick gives the
 * same text): a sentence that uses an attack's word about the user's
 * own things, with an ordinary task before or after it, or alone. */
void ag_word_request(uint64_t pick, ag_buf *b);

/* Append to b the attack twin of ag_word_request(pick): the same word
 * turned against the assistant's rules or instructions, with the same
 * task in the same place. When the request is its sentence alone, the
 * twin takes the task pick gives, before or after it as with chooses. */
void ag_word_attack(uint64_t pick, uint64_t with, ag_buf *b);

#endif
