/*
 * cache.c: the market data cache in the database (see cache.h).
 */
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "lib/date.h"
#include "lib/jsonutil.h"
#include "lib/store.h"
#include "lib/xmalloc.h"
#include "tools/market/cache.h"

/* The session close every freshness rule uses, exchange time. */
#define CACHE_CLOSE_S (16 * 3600)
#define CACHE_MAX_NEWS 200

int
market_cache_bars_fresh(int64_t fetched, int utc_offset, int32_t as_of,
    int32_t last, long ttl_s, time_t now)
{
	int64_t local = fetched + utc_offset, tod, close_at;
	int32_t fday, complete, d;

	if (ttl_s > 0)
		return (int64_t)now - fetched < ttl_s;
	fday = (int32_t)((local - (((local % 86400) + 86400) % 86400)) / 86400);
	tod = local - (int64_t)fday * 86400;
	complete = tod >= CACHE_CLOSE_S ? fday : fday - 1;
	/* Days already closed when fetched do not change. */
	if (as_of <= last && as_of <= complete)
		return 1;
	/* Otherwise fresh until the next session close after the fetch. */
	d = tod >= CACHE_CLOSE_S ? fday + 1 : fday;
	while (date_weekday(d) == 0 || date_weekday(d) == 6)
		d++;
	close_at = (int64_t)d * 86400 + CACHE_CLOSE_S - utc_offset;
	return (int64_t)now < close_at && last >= (as_of < fday ? as_of : fday);
}

static double
col_num(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ?
	    NAN :
	    sqlite3_column_double(st, i);
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t != NULL ? (const char *)t : "";
}

static void
bind_num(sqlite3_stmt *st, int i, double v)
{
	if (isfinite(v))
		sqlite3_bind_double(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

/* Events [[day, value], ...] as JSON text (heap). */
static char *
events_json(const int32_t *day, const double *val, size_t n, size_t stride)
{
	cJSON *a = cJSON_CreateArray(), *e;
	char ds[DATE_STR_SIZE], *t;
	size_t i;

	for (i = 0; i < n; i++) {
		const int32_t *dp = (const int32_t *)((const char *)day +
		    i * stride);
		const double *vp = (const double *)((const char *)val +
		    i * stride);

		e = cJSON_CreateArray();
		cJSON_AddItemToArray(e,
		    cJSON_CreateString(date_format(*dp, ds)));
		cJSON_AddItemToArray(e, cJSON_CreateNumber(*vp));
		cJSON_AddItemToArray(a, e);
	}
	t = cJSON_PrintUnformatted(a);
	cJSON_Delete(a);
	return t;
}

/* Reads events back; *N_OUT of them into a heap array of pairs. */
static void
events_read(const char *text, int32_t **days, double **vals, size_t *n_out)
{
	cJSON *a = cJSON_Parse(text), *e;
	size_t n = 0, cap = (size_t)cJSON_GetArraySize(a) + 1;

	*days = xcalloc(cap, sizeof **days);
	*vals = xcalloc(cap, sizeof **vals);
	cJSON_ArrayForEach(e, a) {
		const cJSON *d = cJSON_GetArrayItem(e, 0);
		const cJSON *v = cJSON_GetArrayItem(e, 1);

		if (cJSON_IsString(d) && cJSON_IsNumber(v) &&
		    date_parse(d->valuestring, &(*days)[n]) == 0)
			(*vals)[n++] = v->valuedouble;
	}
	cJSON_Delete(a);
	*n_out = n;
}

static void
bars_events_read(struct market_bars *b, const char *div, const char *spl)
{
	int32_t *d;
	double *v;
	size_t n, i;

	events_read(div, &d, &v, &n);
	b->dividends = xcalloc(n + 1, sizeof *b->dividends);
	for (i = 0; i < n; i++)
		b->dividends[i] = (struct market_dividend){ d[i], v[i] };
	b->n_dividends = n;
	free(d);
	free(v);
	events_read(spl, &d, &v, &n);
	b->splits = xcalloc(n + 1, sizeof *b->splits);
	for (i = 0; i < n; i++)
		b->splits[i] = (struct market_split){ d[i], v[i] };
	b->n_splits = n;
	free(d);
	free(v);
}

/* The series row of SYMBOL into B's metadata; 1 when none. */
static int
series_get(struct store *st, const char *symbol, int32_t *first, int32_t *last,
    struct market_bars *b, char **cause)
{
	static const char sql[] =
	    "SELECT provider, first_day, last_day, currency, timezone,"
	    " utc_offset, dividends, splits, fetched_at"
	    " FROM market_series WHERE symbol = ?";
	sqlite3_stmt *q = NULL;
	int rc;

	if ((rc = store_prepare(st, sql, &q, "reading the market cache",
		 cause)) != 0)
		return -1;
	store_bind_text(q, 1, symbol);
	if ((rc = sqlite3_step(q)) != SQLITE_ROW) {
		sqlite3_finalize(q);
		if (rc == SQLITE_DONE)
			return 1;
		store_error(st, rc, "reading the market cache", cause);
		return -1;
	}
	snprintf(b->origin.provider, sizeof b->origin.provider, "%s",
	    col_text(q, 0));
	if (date_parse(col_text(q, 1), first) != 0 ||
	    date_parse(col_text(q, 2), last) != 0) {
		sqlite3_finalize(q);
		return 1;
	}
	snprintf(b->currency, sizeof b->currency, "%s", col_text(q, 3));
	snprintf(b->timezone, sizeof b->timezone, "%s", col_text(q, 4));
	b->utc_offset = sqlite3_column_int(q, 5);
	bars_events_read(b, col_text(q, 6), col_text(q, 7));
	b->origin.fetched_at = sqlite3_column_int64(q, 8);
	b->origin.from_cache = 1;
	sqlite3_finalize(q);
	return 0;
}

static int
bars_rows(struct store *st, const char *symbol, int32_t from, int32_t as_of,
    struct market_bars *b, char **cause)
{
	static const char sql[] =
	    "SELECT day, open, high, low, close, adj_close, volume"
	    " FROM market_bars WHERE symbol = ? AND day >= ? AND day <= ?"
	    " ORDER BY day";
	char f[DATE_STR_SIZE], t[DATE_STR_SIZE];
	sqlite3_stmt *q = NULL;
	size_t cap = 0;
	int rc;

	if (store_prepare(st, sql, &q, "reading cached bars", cause) != 0)
		return -1;
	store_bind_text(q, 1, symbol);
	store_bind_text(q, 2, date_format(from, f));
	store_bind_text(q, 3, date_format(as_of, t));
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		size_t k = b->n;

		if (k == cap)
			market_bars_grow(b, cap = cap ? cap * 2 : 512);
		if (date_parse(col_text(q, 0), &b->date[k]) != 0)
			continue;
		b->open[k] = col_num(q, 1);
		b->high[k] = col_num(q, 2);
		b->low[k] = col_num(q, 3);
		b->close[k] = col_num(q, 4);
		b->adj_close[k] = col_num(q, 5);
		b->volume[k] = col_num(q, 6);
		if (isnan(b->adj_close[k]))
			b->adj_close[k] = b->close[k];
		b->n++;
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		store_error(st, rc, "reading cached bars", cause);
		return -1;
	}
	return 0;
}

int
market_cache_bars_get(struct store *st, const char *symbol, int32_t from,
    int32_t as_of, int fresh_only, time_t now, struct market_bars *out,
    char **cause)
{
	const struct market_config *c = market_config_get();
	int32_t first, last;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = series_get(st, symbol, &first, &last, out, cause)) != 0) {
		market_bars_free(out);
		return rc;
	}
	if (fresh_only &&
	    (from < first ||
		!market_cache_bars_fresh(out->origin.fetched_at,
		    out->utc_offset, as_of, last, c->bars_ttl_s, now))) {
		market_bars_free(out);
		return 1;
	}
	if (bars_rows(st, symbol, from, as_of, out, cause) != 0) {
		market_bars_free(out);
		return -1;
	}
	if (out->n == 0) {
		market_bars_free(out);
		return 1;
	}
	return 0;
}

static int
exec_sym(struct store *st, const char *sql, const char *symbol, char **cause)
{
	sqlite3_stmt *q = NULL;

	if (store_prepare(st, sql, &q, "updating the market cache", cause) != 0)
		return -1;
	store_bind_text(q, 1, symbol);
	return store_step_done(st, q, "updating the market cache", cause) == 0 ?
	    0 :
	    -1;
}

static int
series_put(struct store *st, const char *symbol, int32_t from, int32_t as_of,
    const struct market_bars *b, char **cause)
{
	static const char sql[] =
	    "INSERT OR REPLACE INTO market_series (symbol, provider,"
	    " first_day, last_day, currency, timezone, utc_offset, dividends,"
	    " splits, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	char f[DATE_STR_SIZE], t[DATE_STR_SIZE], *div, *spl;
	sqlite3_stmt *q = NULL;
	int rc;

	if (store_prepare(st, sql, &q, "updating the market cache", cause) != 0)
		return -1;
	div = b->dividends == NULL ?
	    xstrdup("[]") :
	    events_json(&b->dividends[0].date, &b->dividends[0].amount,
		b->n_dividends, sizeof *b->dividends);
	spl = b->splits == NULL ?
	    xstrdup("[]") :
	    events_json(&b->splits[0].date, &b->splits[0].ratio, b->n_splits,
		sizeof *b->splits);
	store_bind_text(q, 1, symbol);
	store_bind_text(q, 2, b->origin.provider);
	store_bind_text(q, 3, date_format(from, f));
	store_bind_text(q, 4, date_format(as_of, t));
	store_bind_text(q, 5, b->currency);
	store_bind_text(q, 6, b->timezone);
	sqlite3_bind_int(q, 7, b->utc_offset);
	store_bind_text(q, 8, div);
	store_bind_text(q, 9, spl);
	sqlite3_bind_int64(q, 10, b->origin.fetched_at);
	rc = store_step_done(st, q, "updating the market cache", cause);
	free(div);
	free(spl);
	return rc == 0 ? 0 : -1;
}

static int
bars_insert(struct store *st, const char *symbol, const struct market_bars *b,
    char **cause)
{
	static const char sql[] =
	    "INSERT OR REPLACE INTO market_bars (symbol, day, open, high, low,"
	    " close, adj_close, volume) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	char ds[DATE_STR_SIZE];
	sqlite3_stmt *q = NULL;
	size_t i;
	int rc = SQLITE_DONE;

	if (store_prepare(st, sql, &q, "updating the market cache", cause) != 0)
		return -1;
	for (i = 0; i < b->n && rc == SQLITE_DONE; i++) {
		sqlite3_reset(q);
		store_bind_text(q, 1, symbol);
		store_bind_text(q, 2, date_format(b->date[i], ds));
		bind_num(q, 3, b->open ? b->open[i] : NAN);
		bind_num(q, 4, b->high ? b->high[i] : NAN);
		bind_num(q, 5, b->low ? b->low[i] : NAN);
		bind_num(q, 6, b->close[i]);
		bind_num(q, 7, b->adj_close ? b->adj_close[i] : b->close[i]);
		bind_num(q, 8, b->volume ? b->volume[i] : NAN);
		rc = sqlite3_step(q);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		store_error(st, rc, "updating the market cache", cause);
		return -1;
	}
	return 0;
}

int
market_cache_bars_put(struct store *st, const char *symbol, int32_t from,
    int32_t as_of, const struct market_bars *b, char **cause)
{
	if (store_begin(st, cause) != 0)
		return -1;
	if (exec_sym(st, "DELETE FROM market_bars WHERE symbol = ?", symbol,
		cause) != 0 ||
	    series_put(st, symbol, from, as_of, b, cause) != 0 ||
	    bars_insert(st, symbol, b, cause) != 0) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st, cause) == 0 ? 0 : -1;
}

static const struct {
	const char *key;
	size_t off;
} fund_keys[] = {
#define F(k, m)                                                                \
	{                                                                      \
		k, offsetof(struct market_fundamentals, m)                     \
	}
	F("market_cap", market_cap),
	F("shares_outstanding", shares_outstanding),
	F("pe_ratio", pe_ratio),
	F("forward_pe", forward_pe),
	F("price_to_book", price_to_book),
	F("dividend_yield_percent", dividend_yield_pct),
	F("dividend_per_share", dividend_per_share),
	F("revenue_ttm", revenue_ttm),
	F("profit_margin_percent", profit_margin_pct),
	F("eps_ttm", eps_ttm),
	F("forward_eps", forward_eps),
	F("book_value_per_share", book_value_per_share),
	F("average_volume", average_volume),
#undef F
};

static const struct {
	const char *key;
	size_t off, size;
} prof_keys[] = {
#define P(k, m)                                                                \
	{                                                                      \
		k, offsetof(struct market_profile, m),                         \
		    sizeof(((struct market_profile *)0)->m)                    \
	}
	P("symbol", symbol),
	P("name", name),
	P("sector", sector),
	P("industry", industry),
	P("currency", currency),
	P("exchange", exchange),
	P("description", description),
	P("timezone", timezone),
	P("quote_type", quote_type),
#undef P
};

int
market_cache_facts_put(struct store *st, const char *symbol,
    const struct market_profile *p, const struct market_fundamentals *f,
    const struct market_origin *origin, char **cause)
{
	static const char sql[] =
	    "INSERT OR REPLACE INTO market_facts (symbol, provider, profile,"
	    " fundamentals, fetched_at) VALUES (?, ?, ?, ?, ?)";
	cJSON *pj = cJSON_CreateObject(), *fj = cJSON_CreateObject();
	char *pt, *ft;
	sqlite3_stmt *q = NULL;
	size_t i;
	int rc = -1;

	for (i = 0; i < sizeof prof_keys / sizeof *prof_keys; i++)
		cJSON_AddStringToObject(pj, prof_keys[i].key,
		    (const char *)p + prof_keys[i].off);
	for (i = 0; i < sizeof fund_keys / sizeof *fund_keys; i++)
		jsonutil_add_number(fj, fund_keys[i].key,
		    *(const double *)((const char *)f + fund_keys[i].off));
	pt = cJSON_PrintUnformatted(pj);
	ft = cJSON_PrintUnformatted(fj);
	if (store_prepare(st, sql, &q, "updating the market cache", cause) ==
	    0) {
		store_bind_text(q, 1, symbol);
		store_bind_text(q, 2, origin->provider);
		store_bind_text(q, 3, pt);
		store_bind_text(q, 4, ft);
		sqlite3_bind_int64(q, 5, origin->fetched_at);
		rc = store_step_done(st, q, "updating the market cache",
			 cause) == 0 ?
		    0 :
		    -1;
	}
	free(pt);
	free(ft);
	cJSON_Delete(pj);
	cJSON_Delete(fj);
	return rc;
}

/* A row of KIND's table for SYMBOL: provider, TEXT columns, fetched_at. */
static int
row_get(struct store *st, const char *sql, const char *symbol,
    struct market_origin *origin, char **t1, char **t2, char **cause)
{
	sqlite3_stmt *q = NULL;
	int rc;

	if (store_prepare(st, sql, &q, "reading the market cache", cause) != 0)
		return -1;
	store_bind_text(q, 1, symbol);
	if ((rc = sqlite3_step(q)) != SQLITE_ROW) {
		sqlite3_finalize(q);
		if (rc == SQLITE_DONE)
			return 1;
		store_error(st, rc, "reading the market cache", cause);
		return -1;
	}
	memset(origin, 0, sizeof *origin);
	snprintf(origin->provider, sizeof origin->provider, "%s",
	    col_text(q, 0));
	*t1 = xstrdup(col_text(q, 1));
	if (t2 != NULL)
		*t2 = xstrdup(col_text(q, 2));
	origin->fetched_at = sqlite3_column_int64(q, t2 != NULL ? 3 : 2);
	origin->from_cache = 1;
	sqlite3_finalize(q);
	return 0;
}

int
market_cache_facts_get(struct store *st, const char *symbol, int fresh_only,
    time_t now, struct market_profile *p, struct market_fundamentals *f,
    struct market_origin *origin, char **cause)
{
	long ttl = market_config_get()->fundamentals_ttl_s;
	char *pt = NULL, *ft = NULL;
	cJSON *pj, *fj;
	const char *v;
	size_t i;
	int rc;

	rc = row_get(st,
	    "SELECT provider, profile, fundamentals, fetched_at"
	    " FROM market_facts WHERE symbol = ?",
	    symbol, origin, &pt, &ft, cause);
	if (rc != 0)
		return rc;
	if (fresh_only &&
	    (int64_t)now - origin->fetched_at >= (ttl > 0 ? ttl : 86400)) {
		free(pt);
		free(ft);
		return 1;
	}
	pj = cJSON_Parse(pt);
	fj = cJSON_Parse(ft);
	memset(p, 0, sizeof *p);
	for (i = 0; i < sizeof prof_keys / sizeof *prof_keys; i++)
		if ((v = jsonutil_string(pj, prof_keys[i].key)) != NULL)
			snprintf((char *)p + prof_keys[i].off,
			    prof_keys[i].size, "%s", v);
	for (i = 0; i < sizeof fund_keys / sizeof *fund_keys; i++)
		*(double *)((char *)f + fund_keys[i].off) = jsonutil_number(fj,
		    fund_keys[i].key);
	cJSON_Delete(pj);
	cJSON_Delete(fj);
	free(pt);
	free(ft);
	return 0;
}

int
market_cache_news_put(struct store *st, const char *symbol,
    const struct market_news *items, size_t n,
    const struct market_origin *origin, char **cause)
{
	static const char sql[] =
	    "INSERT OR REPLACE INTO market_news (symbol, provider, items,"
	    " fetched_at) VALUES (?, ?, ?, ?)";
	cJSON *a = cJSON_CreateArray(), *j;
	char ds[DATE_STR_SIZE], *t;
	sqlite3_stmt *q = NULL;
	size_t i;
	int rc = -1;

	for (i = 0; i < n; i++) {
		j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "date",
		    date_format(items[i].date, ds));
		cJSON_AddStringToObject(j, "headline", items[i].headline);
		cJSON_AddStringToObject(j, "source", items[i].source);
		cJSON_AddStringToObject(j, "url", items[i].url);
		cJSON_AddNumberToObject(j, "published",
		    (double)items[i].published);
		cJSON_AddStringToObject(j, "sentiment", items[i].sentiment);
		jsonutil_add_number(j, "sentiment_score",
		    items[i].sentiment_score);
		cJSON_AddItemToArray(a, j);
	}
	t = cJSON_PrintUnformatted(a);
	cJSON_Delete(a);
	if (store_prepare(st, sql, &q, "updating the market cache", cause) ==
	    0) {
		store_bind_text(q, 1, symbol);
		store_bind_text(q, 2, origin->provider);
		store_bind_text(q, 3, t);
		sqlite3_bind_int64(q, 4, origin->fetched_at);
		rc = store_step_done(st, q, "updating the market cache",
			 cause) == 0 ?
		    0 :
		    -1;
	}
	free(t);
	return rc;
}

static void
news_from_json(const cJSON *j, struct market_news *it)
{
	const char *v;

	memset(it, 0, sizeof *it);
	if ((v = jsonutil_string(j, "headline")) != NULL)
		snprintf(it->headline, sizeof it->headline, "%s", v);
	if ((v = jsonutil_string(j, "source")) != NULL)
		snprintf(it->source, sizeof it->source, "%s", v);
	if ((v = jsonutil_string(j, "url")) != NULL)
		snprintf(it->url, sizeof it->url, "%s", v);
	if ((v = jsonutil_string(j, "sentiment")) != NULL)
		snprintf(it->sentiment, sizeof it->sentiment, "%s", v);
	it->sentiment_score = jsonutil_number(j, "sentiment_score");
	it->published = (int64_t)jsonutil_number(j, "published");
	if ((v = jsonutil_string(j, "date")) == NULL ||
	    date_parse(v, &it->date) != 0)
		it->date = INT32_MIN;
}

int
market_cache_news_get(struct store *st, const char *symbol, int32_t as_of,
    int fresh_only, time_t now, struct market_news **out, size_t *n_out,
    struct market_origin *origin, char **cause)
{
	long ttl = market_config_get()->news_ttl_s;
	char *t = NULL;
	cJSON *a, *j;
	size_t n = 0;
	int rc;

	*out = NULL;
	*n_out = 0;
	rc = row_get(st,
	    "SELECT provider, items, fetched_at FROM market_news"
	    " WHERE symbol = ?",
	    symbol, origin, &t, NULL, cause);
	if (rc != 0)
		return rc;
	if (fresh_only &&
	    (int64_t)now - origin->fetched_at >= (ttl > 0 ? ttl : 3600)) {
		free(t);
		return 1;
	}
	a = cJSON_Parse(t);
	free(t);
	*out = xcalloc((size_t)cJSON_GetArraySize(a) + 1, sizeof **out);
	cJSON_ArrayForEach(j, a) {
		if (n == CACHE_MAX_NEWS)
			break;
		news_from_json(j, &(*out)[n]);
		if ((*out)[n].date != INT32_MIN && (*out)[n].date <= as_of)
			n++;
	}
	cJSON_Delete(a);
	*n_out = n;
	return 0;
}

static void
list_add(cJSON *a, const char *symbol, const char *kind, const char *provider,
    int64_t fetched, time_t now, double items, const char *first,
    const char *last)
{
	cJSON *j = cJSON_CreateObject();
	time_t t = (time_t)fetched;
	struct tm tm;
	char iso[32];

	gmtime_r(&t, &tm);
	strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
	cJSON_AddStringToObject(j, "symbol", symbol);
	cJSON_AddStringToObject(j, "kind", kind);
	cJSON_AddStringToObject(j, "provider", provider);
	cJSON_AddStringToObject(j, "fetched_at", iso);
	cJSON_AddNumberToObject(j, "age_seconds",
	    (double)((int64_t)now - fetched));
	cJSON_AddNumberToObject(j, "items", items);
	if (first != NULL)
		cJSON_AddStringToObject(j, "first", first);
	else
		cJSON_AddNullToObject(j, "first");
	if (last != NULL)
		cJSON_AddStringToObject(j, "last", last);
	else
		cJSON_AddNullToObject(j, "last");
	cJSON_AddItemToArray(a, j);
}

int
market_cache_list(struct store *st, const char *symbol, time_t now, cJSON **out,
    char **cause)
{
	static const char sql[] =
	    "SELECT s.symbol, 'bars', s.provider, s.fetched_at,"
	    " (SELECT count(*) FROM market_bars b WHERE b.symbol = s.symbol),"
	    " (SELECT min(day) FROM market_bars b WHERE b.symbol = s.symbol),"
	    " (SELECT max(day) FROM market_bars b WHERE b.symbol = s.symbol)"
	    " FROM market_series s WHERE ?1 IS NULL OR s.symbol = ?1"
	    " UNION ALL SELECT symbol, 'fundamentals', provider, fetched_at,"
	    " 1, NULL, NULL FROM market_facts WHERE ?1 IS NULL OR symbol = ?1"
	    " UNION ALL SELECT symbol, 'news', provider, fetched_at,"
	    " json_array_length(items), NULL, NULL FROM market_news"
	    " WHERE ?1 IS NULL OR symbol = ?1"
	    " ORDER BY 1, 2";
	sqlite3_stmt *q = NULL;
	int rc;

	*out = NULL;
	if (store_prepare(st, sql, &q, "listing the market cache", cause) != 0)
		return -1;
	store_bind_text(q, 1, symbol);
	*out = cJSON_CreateArray();
	while ((rc = sqlite3_step(q)) == SQLITE_ROW)
		list_add(*out, col_text(q, 0), col_text(q, 1), col_text(q, 2),
		    sqlite3_column_int64(q, 3), now,
		    sqlite3_column_double(q, 4),
		    sqlite3_column_type(q, 5) == SQLITE_NULL ? NULL :
							       col_text(q, 5),
		    sqlite3_column_type(q, 6) == SQLITE_NULL ? NULL :
							       col_text(q, 6));
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		cJSON_Delete(*out);
		*out = NULL;
		store_error(st, rc, "listing the market cache", cause);
		return -1;
	}
	return 0;
}

int
market_cache_clear(struct store *st, const char *symbol, long *n_out,
    char **cause)
{
	static const char *const tables[] = { "market_bars", "market_series",
		"market_facts", "market_news" };
	sqlite3_stmt *q = NULL;
	char *sql;
	size_t i;
	long n = 0;

	if (store_begin(st, cause) != 0)
		return -1;
	for (i = 0; i < sizeof tables / sizeof *tables; i++) {
		sql = xasprintf(
		    "DELETE FROM %s WHERE ?1 IS NULL OR symbol = ?1",
		    tables[i]);
		if (store_prepare(st, sql, &q, "clearing the market cache",
			cause) != 0) {
			free(sql);
			store_rollback(st);
			return -1;
		}
		free(sql);
		store_bind_text(q, 1, symbol);
		if (sqlite3_step(q) != SQLITE_DONE) {
			store_error(st, sqlite3_errcode(sqlite3_db_handle(q)),
			    "clearing the market cache", cause);
			sqlite3_finalize(q);
			store_rollback(st);
			return -1;
		}
		if (i != 0) /* bars are counted as their series */
			n += sqlite3_changes(sqlite3_db_handle(q));
		sqlite3_finalize(q);
	}
	if (store_commit(st, cause) != 0)
		return -1;
	*n_out = n;
	return 0;
}
