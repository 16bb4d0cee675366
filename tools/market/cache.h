/*
 * cache.h: market data kept in the database (schema version 6), so a
 * second analysis asks no provider and --offline works.
 *
 * Tables: market_series (one row a symbol: provider, the span asked for,
 * currency, zone, dividends and splits, fetch time), market_bars (bars by
 * symbol and day), market_facts (profile and fundamentals) and market_news
 * (headlines), each with the time it was fetched. A fetch replaces what
 * was kept for the symbol in one transaction.
 *
 * Freshness (market_cache_*_get with FRESH_ONLY): daily bars until the
 * next session close (16:00, exchange time, Monday to Friday) after the
 * fetch, or for bars_ttl_s seconds when that setting is above 0; bars of
 * days already closed when fetched stay good. Fundamentals for
 * fundamentals_ttl_s, news for news_ttl_s.
 *
 * Functions return 0, 1 (nothing usable cached), or -1 with *cause.
 */
#ifndef STOCKAGENT_MARKET_CACHE_H
#define STOCKAGENT_MARKET_CACHE_H

#include <stdint.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "tools/market/market.h"

struct store;

/* Bars of SYMBOL for FROM..AS_OF; FRESH_ONLY: only by the rules above. */
int market_cache_bars_get(struct store *st, const char *symbol, int32_t from,
    int32_t as_of, int fresh_only, time_t now, struct market_bars *out,
    char **cause);
/* Keeps B (asked for FROM..AS_OF), replacing what SYMBOL had. */
int market_cache_bars_put(struct store *st, const char *symbol, int32_t from,
    int32_t as_of, const struct market_bars *b, char **cause);

int market_cache_facts_get(struct store *st, const char *symbol, int fresh_only,
    time_t now, struct market_profile *p, struct market_fundamentals *f,
    struct market_origin *origin, char **cause);
int market_cache_facts_put(struct store *st, const char *symbol,
    const struct market_profile *p, const struct market_fundamentals *f,
    const struct market_origin *origin, char **cause);

/* News on or before AS_OF, newest first (heap array, caller frees). */
int market_cache_news_get(struct store *st, const char *symbol, int32_t as_of,
    int fresh_only, time_t now, struct market_news **out, size_t *n,
    struct market_origin *origin, char **cause);
int market_cache_news_put(struct store *st, const char *symbol,
    const struct market_news *items, size_t n,
    const struct market_origin *origin, char **cause);

/*
 * What is cached, for SYMBOL or all (NULL): an array of {symbol, kind
 * ("bars", "fundamentals", "news"), provider, fetched_at (ISO 8601 UTC),
 * age_seconds, items, first, last} sorted by symbol and kind.
 */
int market_cache_list(struct store *st, const char *symbol, time_t now,
    cJSON **out, char **cause);

/* Forgets SYMBOL's cached data, or everything (NULL); *N_OUT rows gone. */
int market_cache_clear(struct store *st, const char *symbol, long *n_out,
    char **cause);

/*
 * Whether bars fetched at FETCHED (Unix seconds) by an exchange at
 * UTC_OFFSET seconds are still fresh at NOW for a request up to AS_OF that
 * the fetch covered up to LAST: the session rule above. TTL_S > 0 replaces
 * it by an age limit. Exposed for tests.
 */
int market_cache_bars_fresh(int64_t fetched, int utc_offset, int32_t as_of,
    int32_t last, long ttl_s, time_t now);

#endif
