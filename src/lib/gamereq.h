/*
 * gamereq.h -- word games and answer formats around the user's own words,
 * which the trainer adds as benign, and their twins in the manner of
 * prompt-injection games (the same game played on a secret the assistant
 * guards; the same question with a forged order to say a gate phrase),
 * which it adds as attacks (src/lib/train.c).
 */
#ifndef AIGATE_GAMEREQ_H
#define AIGATE_GAMEREQ_H

#include <stdint.h>

#include "util.h"

/* Append to b one benign request chosen by pick (the same pick gives the
 * same text): a word game or transformation played on a word or phrase
 * of the user's, or a question with the form its answer must take. */
void ag_game_request(uint64_t pick, ag_buf *b);

/* Append to b the attack twin of ag_game_request(pick): the same game
 * played on a secret the assistant guards (chosen by with), or the same
 * question with a forged instruction to answer with a gate phrase
 * instead, before or after it as with chooses. */
void ag_game_attack(uint64_t pick, uint64_t with, ag_buf *b);

#endif
