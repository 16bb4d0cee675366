/*
 * imported.h: the daily bars users imported (stockagent data import),
 * kept in the database's imported_symbols and imported_bars tables
 * (schema version 7).
 *
 * Imported data is the user's, not a cache: it never expires, and
 * clearing the cache leaves it. Importing a symbol replaces all of its
 * rows; every import is one transaction, so a failed import leaves the
 * symbols as they were. The "csv" provider reads it back (provider-csv.c).
 *
 * Functions return 0, or a negative STORE_E_* category (lib/store.h) with
 * *cause set to a one-line message the caller frees.
 */
#ifndef STOCKAGENT_MARKET_IMPORTED_H
#define STOCKAGENT_MARKET_IMPORTED_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "tools/market/csv-import.h"
#include "tools/market/market.h"

struct store;

/* What an import records about each of its symbols. */
struct imported_meta {
	const char *source;   /* the file's name, for the listing */
	const char *name;     /* the company's name, or NULL */
	const char *currency; /* "VND", or NULL: unknown */
};

/*
 * Stores every symbol of R (a successful csvimp_parse), replacing the rows
 * each had, in one transaction.
 */
int imported_put(struct store *s, const struct csvimp_result *r,
    const struct imported_meta *meta, char **cause);

/*
 * The imported symbols as a new array of {symbol, name, currency, rows,
 * first, last, source, imported_at}, by symbol.
 */
int imported_list(struct store *s, cJSON **out, char **cause);

/* Removes SYMBOL and its rows; STORE_E_NOTFOUND when it has none. */
int imported_remove(struct store *s, const char *symbol, char **cause);

/*
 * SYMBOL's bars with FROM <= date <= AS_OF into *OUT (as market_history
 * gives them: dividends, splits, adjusted closes, currency, origin "csv"
 * with the import's time). A day without volume reads as 0 shares.
 * STORE_E_NOTFOUND when SYMBOL was never imported.
 */
int imported_history(struct store *s, const char *symbol, int32_t as_of,
    int32_t from, struct market_bars *out, char **cause);

/* SYMBOL's profile: its name (or the symbol) and currency. */
int imported_profile(struct store *s, const char *symbol,
    struct market_profile *out, char **cause);

#endif
