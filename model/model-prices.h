/*
 * model-prices.h: what a model call costs, from a price table.
 *
 * The table is JSON: {"unit": "USD per million tokens", "models":
 * {"MODEL_ID": {"input": USD, "output": USD}, ...}}. The shipped one is
 * data/model-prices.json; the model_prices setting names another file of
 * the same shape that replaces it.
 */
#ifndef STOCKAGENT_MODEL_PRICES_H
#define STOCKAGENT_MODEL_PRICES_H

#include <cjson/cJSON.h>

/*
 * Loads PATH, or the shipped table when PATH is NULL. Returns a new cJSON
 * object the caller deletes, or NULL with *cause (unreadable, too large,
 * not JSON, no "models" object, a negative or non-numeric price).
 */
cJSON *model_prices_load(const char *path, char **cause);

/*
 * The cost in USD of PROMPT and COMPLETION tokens of MODEL_ID, or -1 when
 * PRICES (may be NULL) has no entry for it.
 */
double model_prices_cost(const cJSON *prices, const char *model_id, long prompt,
    long completion);

#endif
