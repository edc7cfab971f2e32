/*
 * keyjson.h -- virtual keys as JSON (keyjson.c): the admin API's and
 * `aigate keys`' one reading of a key request and one rendering of a key.
 */
#ifndef AIGATE_KEYJSON_H
#define AIGATE_KEYJSON_H

#include <jansson.h>

#include "store.h"

/* A key as a JSON object (caller owns it); `spend` is the spend to show
 * (the stored spend plus what is not written yet), `now` decides
 * "expired". Never contains the key or its hash. */
json_t *store_key_json(const store_key *k, int64_t spend, int64_t now);

/* Apply a request object (LiteLLM's field names: key_alias, models,
 * rpm_limit, tpm_limit, max_budget, budget_duration, duration, metadata,
 * blocked; aigate's: tools, max_tokens, policy) to k. `duration` sets the
 * expiry from `now`. An unknown field, a wrong type or a value out of
 * range is an error: -1 with "'field' why" in err, k possibly partly
 * changed (the caller discards it). With is_update, "key" is accepted
 * (it names the key). A key without a name is an error. */
int store_key_apply_json(store_key *k, json_t *req, int is_update, int64_t now,
                         char *err, size_t errlen);

/* Seconds as the shortest duration string ("30d", "12h", "90s"). */
void store_format_duration(int64_t s, char *buf, size_t len);

#endif
