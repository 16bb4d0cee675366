/*
 * provider.h: the layout of a market provider descriptor (private to
 * tools/market; callers see struct market_provider as opaque).
 *
 * One file per provider (provider-sim.c, ...), each defining a const
 * struct market_provider; market.c lists them in its table. Any operation
 * may be NULL. The ops get validated arguments (non-NULL symbol and out
 * pointers, FROM <= AS_OF) and follow the contracts in market.h.
 *
 * A provider over the network reads its base URL, timeout and retries from
 * market_config_get(), makes its requests with fetch_get (fetch.h: rate
 * limit, retries, redaction), fills the origin of what it returns
 * (bars->origin; the chain records it for the other parts), and fails with
 * a cause that starts with its name and says what happened ("yahoo: no
 * such symbol ZZZZ", "stooq: throttled: Exceeded the daily hits limit"), so
 * the chain can list what each provider said. It must not put a secret
 * (an API key) into a cause. New string members of struct market_config
 * are added to the copy list in market_configure (market.c).
 */
#ifndef STOCKAGENT_MARKET_PROVIDER_H
#define STOCKAGENT_MARKET_PROVIDER_H

#include "tools/market/market.h"

struct market_provider {
	const char *name; /* "sim" */
	int local;	  /* 1: needs no network (sim, csv): serves --offline */
	int (*history)(const char *symbol, int32_t as_of, int32_t from,
	    struct market_bars *out, char **cause);
	int (*profile)(const char *symbol, struct market_profile *out,
	    char **cause);
	int (*fundamentals)(const char *symbol, int32_t as_of,
	    struct market_fundamentals *out, char **cause);
	int (*news)(const char *symbol, int32_t as_of, struct market_news **out,
	    size_t *n_out, char **cause);
	int (*benchmark)(char *symbol_out, size_t size);
	int (*symbols)(char ***out, size_t *n);
};

/* The deterministic simulator (provider-sim.c). */
extern const struct market_provider provider_sim_entry;
/* Yahoo Finance (provider-yahoo.c) and Stooq (provider-stooq.c). */
extern const struct market_provider provider_yahoo_entry;
extern const struct market_provider provider_stooq_entry;

/*
 * Yahoo's symbol search: the best equity, ETF or index for QUERY ("Apple")
 * into OUT (SIZE bytes) and its name into NAME. 0, or -1 with *cause.
 */
int provider_yahoo_search(const char *query, char *out, size_t size, char *name,
    size_t name_size, char **cause);

/* The user's imported bars (provider-csv.c). */
extern const struct market_provider provider_csv_entry;
/* Alpha Vantage, with a key (provider-alphavantage.c). */
extern const struct market_provider provider_alphavantage_entry;
/* SEC EDGAR company facts (provider-edgar.c). */
extern const struct market_provider provider_edgar_entry;

/*
 * Parses and validates TEXT (NUL-terminated), the contents of a sim
 * universe file, as the simulator loads data/sim-universe.json, and keeps
 * nothing. Returns 0, or -1 with *cause (heap) saying what is wrong. For
 * tests and fuzzing: the simulator reads its own file.
 */
int provider_sim_check(const char *text, char **cause);

#endif
