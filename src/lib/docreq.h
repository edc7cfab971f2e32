/*
 * docreq.h -- documents handed to a model with a task (an e-mail to
 * summarize, a review to translate, a table to analyse, a tool's result),
 * a note to a person inside, which the trainer adds as benign, and their
 * twins with a note to the model that tells it to do something else, which
 * it adds as attacks (src/lib/train.c).
 */
#ifndef AIGATE_DOCREQ_H
#define AIGATE_DOCREQ_H

#include <stdint.h>

#include "util.h"

/* Append to b one task with its document, a note to a person in it,
 * chosen by pick (the same pick gives the same text). */
void ag_doc_request(uint64_t pick, ag_buf *b);

/* Append to b the twin of ag_doc_request(pick): the same task and
 * document with, where the note to a person was, a note to the model
 * chosen by with that tells it to do something the user did not ask. */
void ag_doc_attack(uint64_t pick, uint64_t with, ag_buf *b);

#endif
