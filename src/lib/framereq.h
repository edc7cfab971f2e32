/*
 * framereq.h -- framed requests (fiction, hypotheticals, persuasion, word
 * games) around harmless tasks, harmful tasks asked plainly, plain
 * questions on sensitive topics and questions about attacks on language
 * models, which the trainer adds as benign, and their jailbreak twins,
 * which it adds as attacks (src/lib/train.c).
 */
#ifndef AIGATE_FRAMEREQ_H
#define AIGATE_FRAMEREQ_H

#include <stdint.h>

#include "util.h"

/* Append to b one benign text chosen by pick (the same pick gives the
 * same text): a frame around a harmless task, a harmful task asked
 * plainly, a plain question on a sensitive topic, or a question about
 * attacks on language models. */
void ag_frame_request(uint64_t pick, ag_buf *b);

/* Append to b the jailbreak twin of ag_frame_request(pick), chosen by
 * with: the same frame around a harmful task, the plain request's task
 * or another in a frame chosen by with, or the question about attacks
 * followed by an attack. */
void ag_frame_attack(uint64_t pick, uint64_t with, ag_buf *b);

#endif
