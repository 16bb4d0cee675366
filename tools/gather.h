/*
 * gather.h: the market data an analysis uses, shared by the
 * gather_stock_data tool and 'stockagent data history'.
 */
#ifndef STOCKAGENT_GATHER_H
#define STOCKAGENT_GATHER_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "tools/market/market.h"

/* Years of daily bars an analysis reads, ending at the as-of date. */
#define GATHER_HISTORY_YEARS 3

struct store;

/*
 * The bars an analysis of SYMBOL as of AS_OF uses, from the configured
 * provider chain through the cache in ST (may be NULL). Returns 0, or
 * EXIT_MARKET when the data is unavailable, with *cause.
 */
int gather_history(struct store *st, const char *symbol, int32_t as_of,
    struct market_bars *out, char **cause);

/* Columnar JSON of bars: {"date":[..],"open":[..],...,"volume":[..]}. */
cJSON *gather_bars_json(const struct market_bars *b);

/*
 * Loads the bars J stands for: a blob reference {"blob","count","first",
 * "last"} read from ST, or columnar bars inline. Returns 0, or an exit
 * code (EXIT_MARKET, EXIT_STORAGE) with *cause.
 */
int gather_bars_load(const cJSON *j, struct store *st, struct market_bars *out,
    char **cause);

/* Number of bars and first/last dates ("YYYY-MM-DD", borrowed, may be
 * NULL) of J, a reference or inline bars, without loading them. */
size_t gather_bars_span(const cJSON *j, const char **first, const char **last);

#endif
