/*
 * credreq.h -- ordinary requests about passwords, keys and credentials,
 * which the trainer adds as benign, and their attack twins, which it
 * adds as attacks (src/lib/train.c).
 */
#ifndef AIGATE_CREDREQ_H
#define AIGATE_CREDREQ_H

#include <stdint.h>

#include "util.h"

/* Append to b one ordinary request about credentials, chosen by pick (a
 * random value: the same pick gives the same text). */
void ag_cred_request(uint64_t pick, ag_buf *b);

/* Append to b the attack twin of ag_cred_request(pick): the same request
 * with a sentence after it that asks for a secret the assistant holds,
 * chosen by with. */
void ag_cred_attack(uint64_t pick, uint64_t with, ag_buf *b);

#endif
