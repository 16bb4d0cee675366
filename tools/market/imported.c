/*
 * imported.c: users' imported daily bars in the database (imported.h).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "lib/date.h"
#include "lib/store.h"
#include "lib/xmalloc.h"
#include "tools/market/imported.h"

/* Binds V to parameter I, or NULL when V is not a number. */
static void
imported_bind_number(sqlite3_stmt *st, int i, double v)
{
	if (isnan(v))
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_double(st, i, v);
}

/* Inserts the bars R->bars[FIRST..END) of one symbol with statement ST. */
static int
imported_put_rows(struct store *s, sqlite3_stmt *st,
    const struct csvimp_result *r, size_t first, size_t end, char **cause)
{
	char ds[DATE_STR_SIZE];
	size_t i;
	int rc;

	for (i = first; i < end; i++) {
		const struct csvimp_bar *b = &r->bars[i];

		sqlite3_reset(st);
		store_bind_text(st, 1, r->symbols[b->symbol]);
		store_bind_text(st, 2, date_format(b->date, ds));
		sqlite3_bind_double(st, 3, b->open);
		sqlite3_bind_double(st, 4, b->high);
		sqlite3_bind_double(st, 5, b->low);
		sqlite3_bind_double(st, 6, b->close);
		imported_bind_number(st, 7, b->adj_close);
		imported_bind_number(st, 8, b->volume);
		sqlite3_bind_double(st, 9, b->dividend);
		sqlite3_bind_double(st, 10, b->split);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE)
			return store_error(s, rc, "importing bars", cause);
	}
	return 0;
}

/* Replaces the symbol of R->bars[FIRST..END) and its rows. */
static int
imported_put_symbol(struct store *s, sqlite3_stmt *ins,
    const struct csvimp_result *r, size_t first, size_t end,
    const struct imported_meta *meta, char **cause)
{
	const char *sym = r->symbols[r->bars[first].symbol];
	char now[STORE_TIME_SIZE], d0[DATE_STR_SIZE], d1[DATE_STR_SIZE];
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prepare(s,
		 "DELETE FROM imported_symbols WHERE "
		 "symbol = ?",
		 &st, "importing bars", cause)) != 0)
		return rc;
	store_bind_text(st, 1, sym);
	if ((rc = store_step_done(s, st, "importing bars", cause)) != 0)
		return rc;
	if ((rc = store_prepare(s,
		 "INSERT INTO imported_symbols (symbol, name, currency, "
		 "source, rows, first, last, imported_at) VALUES "
		 "(?, ?, ?, ?, ?, ?, ?, ?)",
		 &st, "importing bars", cause)) != 0)
		return rc;
	store_bind_text(st, 1, sym);
	store_bind_text(st, 2, meta->name);
	store_bind_text(st, 3, meta->currency);
	store_bind_text(st, 4, meta->source);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)(end - first));
	store_bind_text(st, 6, date_format(r->bars[first].date, d0));
	store_bind_text(st, 7, date_format(r->bars[end - 1].date, d1));
	store_bind_text(st, 8, store_now(now));
	if ((rc = store_step_done(s, st, "importing bars", cause)) != 0)
		return rc;
	return imported_put_rows(s, ins, r, first, end, cause);
}

int
imported_put(struct store *s, const struct csvimp_result *r,
    const struct imported_meta *meta, char **cause)
{
	sqlite3_stmt *ins = NULL;
	size_t first, end;
	int rc;

	if ((rc = store_begin(s, cause)) != 0)
		return rc;
	if ((rc = store_prepare(s,
		 "INSERT INTO imported_bars (symbol, date, open, high, low, "
		 "close, adj_close, volume, dividend, split) VALUES "
		 "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		 &ins, "importing bars", cause)) != 0)
		goto fail;
	for (first = 0; first < r->n; first = end) {
		for (end = first + 1;
		     end < r->n && r->bars[end].symbol == r->bars[first].symbol;
		     end++)
			;
		if ((rc = imported_put_symbol(s, ins, r, first, end, meta,
			 cause)) != 0)
			goto fail;
	}
	sqlite3_finalize(ins);
	return store_commit(s, cause);
fail:
	sqlite3_finalize(ins);
	store_rollback(s);
	return rc;
}

/* Column I of ST as a string, NULL for SQL NULL. */
static const char *
imported_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static void
imported_add_string(cJSON *o, const char *key, const char *v)
{
	if (v != NULL)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

int
imported_list(struct store *s, cJSON **out, char **cause)
{
	sqlite3_stmt *st = NULL;
	cJSON *a, *o;
	int rc;

	*out = NULL;
	if ((rc = store_prepare(s,
		 "SELECT symbol, name, currency, rows, first, last, source, "
		 "imported_at FROM imported_symbols ORDER BY symbol",
		 &st, "listing imported symbols", cause)) != 0)
		return rc;
	a = cJSON_CreateArray();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		o = cJSON_CreateObject();
		imported_add_string(o, "symbol", imported_text(st, 0));
		imported_add_string(o, "name", imported_text(st, 1));
		imported_add_string(o, "currency", imported_text(st, 2));
		cJSON_AddNumberToObject(o, "rows",
		    (double)sqlite3_column_int64(st, 3));
		imported_add_string(o, "first", imported_text(st, 4));
		imported_add_string(o, "last", imported_text(st, 5));
		imported_add_string(o, "source", imported_text(st, 6));
		imported_add_string(o, "imported_at", imported_text(st, 7));
		cJSON_AddItemToArray(a, o);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		cJSON_Delete(a);
		return store_error(s, rc, "listing imported symbols", cause);
	}
	*out = a;
	return 0;
}

static int imported_meta_row(struct store *s, const char *symbol, int64_t *when,
    char *currency, size_t cur_size, char *name, size_t name_size,
    char **cause);

int
imported_remove(struct store *s, const char *symbol, char **cause)
{
	sqlite3_stmt *st = NULL;
	char cur[8], name[8];
	int64_t when;
	int rc;

	if ((rc = store_begin(s, cause)) != 0)
		return rc;
	if ((rc = imported_meta_row(s, symbol, &when, cur, sizeof cur, name,
		 sizeof name, cause)) != 0)
		goto fail;
	if ((rc = store_prepare(s, "DELETE FROM imported_bars WHERE symbol = ?",
		 &st, "removing imported bars", cause)) != 0)
		goto fail;
	store_bind_text(st, 1, symbol);
	if ((rc = store_step_done(s, st, "removing imported bars", cause)) != 0)
		goto fail;
	if ((rc = store_prepare(s,
		 "DELETE FROM imported_symbols WHERE symbol = ?", &st,
		 "removing imported bars", cause)) != 0)
		goto fail;
	store_bind_text(st, 1, symbol);
	if ((rc = store_step_done(s, st, "removing imported bars", cause)) != 0)
		goto fail;
	return store_commit(s, cause);
fail:
	store_rollback(s);
	return rc;
}

/* The import time of SYMBOL's meta row as Unix seconds, and its currency.
 * Returns 0, STORE_E_NOTFOUND, or another category. */
static int
imported_meta_row(struct store *s, const char *symbol, int64_t *when,
    char *currency, size_t cur_size, char *name, size_t name_size, char **cause)
{
	sqlite3_stmt *st = NULL;
	const char *at, *cur, *nm;
	struct tm tm;
	int rc;

	if ((rc = store_prepare(s,
		 "SELECT imported_at, currency, name FROM imported_symbols "
		 "WHERE symbol = ?",
		 &st, "reading imported bars", cause)) != 0)
		return rc;
	store_bind_text(st, 1, symbol);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return store_error(s, rc, "reading imported bars",
			    cause);
		return store_set_error(s, STORE_E_NOTFOUND, cause,
		    xasprintf("csv: %s was never imported; import it with "
			      "'stockagent data import FILE --symbol %s'",
			symbol, symbol));
	}
	at = imported_text(st, 0);
	cur = imported_text(st, 1);
	nm = imported_text(st, 2);
	memset(&tm, 0, sizeof tm);
	*when = at != NULL && strptime(at, "%Y-%m-%dT%H:%M:%S", &tm) != NULL ?
	    (int64_t)timegm(&tm) :
	    0;
	snprintf(currency, cur_size, "%s", cur != NULL ? cur : "");
	snprintf(name, name_size, "%s", nm != NULL ? nm : "");
	sqlite3_finalize(st);
	return 0;
}

/* Appends the row of ST to B; *ADJ_ALL drops to 0 at a row without an
 * adjusted close. */
static void
imported_row(sqlite3_stmt *st, struct market_bars *b, size_t *cap, int *adj_all)
{
	int32_t day = 0;
	size_t i = b->n;
	double div, split;

	if (i == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		market_bars_grow(b, *cap);
	}
	date_parse(imported_text(st, 0) ? imported_text(st, 0) : "", &day);
	b->date[i] = day;
	b->open[i] = sqlite3_column_double(st, 1);
	b->high[i] = sqlite3_column_double(st, 2);
	b->low[i] = sqlite3_column_double(st, 3);
	b->close[i] = sqlite3_column_double(st, 4);
	if (sqlite3_column_type(st, 5) == SQLITE_NULL)
		*adj_all = 0;
	b->adj_close[i] = sqlite3_column_double(st, 5);
	b->volume[i] = sqlite3_column_double(st, 6); /* NULL reads as 0 */
	div = sqlite3_column_double(st, 7);
	split = sqlite3_column_double(st, 8);
	if (div > 0) {
		b->dividends = xreallocarray(b->dividends, b->n_dividends + 1,
		    sizeof *b->dividends);
		b->dividends[b->n_dividends].date = day;
		b->dividends[b->n_dividends++].amount = div;
	}
	if (split > 0 && split != 1) {
		b->splits = xreallocarray(b->splits, b->n_splits + 1,
		    sizeof *b->splits);
		b->splits[b->n_splits].date = day;
		b->splits[b->n_splits++].ratio = split;
	}
	b->n++;
}

int
imported_history(struct store *s, const char *symbol, int32_t as_of,
    int32_t from, struct market_bars *out, char **cause)
{
	char d0[DATE_STR_SIZE], d1[DATE_STR_SIZE], name[8];
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc, adj_all = 1;
	int64_t when = 0;

	memset(out, 0, sizeof *out);
	if ((rc = imported_meta_row(s, symbol, &when, out->currency,
		 sizeof out->currency, name, sizeof name, cause)) != 0)
		return rc;
	if ((rc = store_prepare(s,
		 "SELECT date, open, high, low, close, adj_close, volume, "
		 "dividend, split FROM imported_bars WHERE symbol = ? AND "
		 "date >= ? AND date <= ? ORDER BY date",
		 &st, "reading imported bars", cause)) != 0)
		return rc;
	store_bind_text(st, 1, symbol);
	store_bind_text(st, 2, date_format(from, d0));
	store_bind_text(st, 3, date_format(as_of, d1));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		imported_row(st, out, &cap, &adj_all);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		market_bars_free(out);
		return store_error(s, rc, "reading imported bars", cause);
	}
	if (!adj_all || out->n == 0) {
		free(out->adj_close);
		out->adj_close = NULL;
	}
	if (out->n > 0 && (out->n_dividends > 0 || out->n_splits > 0))
		market_bars_adjust(out);
	snprintf(out->origin.provider, sizeof out->origin.provider, "csv");
	out->origin.fetched_at = when;
	return 0;
}

int
imported_profile(struct store *s, const char *symbol,
    struct market_profile *out, char **cause)
{
	int64_t when;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = imported_meta_row(s, symbol, &when, out->currency,
		 sizeof out->currency, out->name, sizeof out->name, cause)) !=
	    0)
		return rc;
	snprintf(out->symbol, sizeof out->symbol, "%s", symbol);
	if (out->name[0] == '\0')
		snprintf(out->name, sizeof out->name, "%s", symbol);
	snprintf(out->description, sizeof out->description,
	    "Daily bars imported by the user; no fundamentals or news.");
	return 0;
}
