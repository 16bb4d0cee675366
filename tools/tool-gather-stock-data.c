/*
 * tool-gather-stock-data.c: the data gathering agent's tool.
 *
 * Collects, for one symbol and as-of date, everything the analysis needs:
 * the company profile, three years of daily bars, the quote of the as-of
 * day, fundamentals, recent news, and the benchmark's closes.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/blobs.h"
#include "lib/date.h"
#include "lib/exitcode.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "tools/gather.h"
#include "tools/symbol.h"
#include "tools/tool.h"

/* The first day of the history window for AS_OF. */
static int32_t
gather_window_start(int32_t as_of)
{
	int y, m, d;

	date_to_ymd(as_of, &y, &m, &d);
	if (m == 2 && d == 29)
		d = 28;
	return date_from_ymd(y - GATHER_HISTORY_YEARS, m, d) + 1;
}

int
gather_history(struct store *st, const char *symbol, int32_t as_of,
    struct market_bars *out, char **cause)
{
	struct market_query q = { symbol, as_of, st, NULL };
	char ds[DATE_STR_SIZE];

	if (market_get_history(&q, gather_window_start(as_of), out, cause) != 0)
		return EXIT_MARKET;
	if (out->n < 2) {
		market_bars_free(out);
		*cause = xasprintf("no market data for %s up to %s: fewer than "
				   "two daily bars",
		    symbol, date_format(as_of, ds));
		return EXIT_MARKET;
	}
	return 0;
}

static cJSON *
gather_array(const double *v, size_t n)
{
	cJSON *a = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(a,
		    isfinite(v[i]) ? cJSON_CreateNumber(v[i]) :
				     cJSON_CreateNull());
	return a;
}

cJSON *
gather_bars_json(const struct market_bars *b)
{
	cJSON *j = cJSON_CreateObject(), *dates = cJSON_CreateArray();
	char ds[DATE_STR_SIZE];
	size_t i;

	for (i = 0; i < b->n; i++)
		cJSON_AddItemToArray(dates,
		    cJSON_CreateString(date_format(b->date[i], ds)));
	cJSON_AddItemToObject(j, "date", dates);
	cJSON_AddItemToObject(j, "open", gather_array(b->open, b->n));
	cJSON_AddItemToObject(j, "high", gather_array(b->high, b->n));
	cJSON_AddItemToObject(j, "low", gather_array(b->low, b->n));
	cJSON_AddItemToObject(j, "close", gather_array(b->close, b->n));
	cJSON_AddItemToObject(j, "volume", gather_array(b->volume, b->n));
	if (b->adj_close != NULL)
		cJSON_AddItemToObject(j, "adj_close",
		    gather_array(b->adj_close, b->n));
	return j;
}

/* Column KEY of N numbers; a missing optional column is all NAN. */
static int
gather_column(const cJSON *j, const char *key, size_t n, int required,
    double **out)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, key), *v;
	size_t i = 0;

	*out = xcalloc(n ? n : 1, sizeof **out);
	if (a == NULL && !required) {
		for (i = 0; i < n; i++)
			(*out)[i] = NAN;
		return 0;
	}
	if (!cJSON_IsArray(a) || (size_t)cJSON_GetArraySize(a) != n)
		return -1;
	cJSON_ArrayForEach(v, a)
		(*out)[i++] = cJSON_IsNumber(v) ? v->valuedouble : NAN;
	return 0;
}

/*
 * Reads columnar bars back from JSON into OUT (arrays owned by OUT); only
 * "date" and "close" are required, other columns missing are NAN. Returns
 * 0, or -1 with *cause when the arrays are missing or uneven.
 */
static int
gather_bars_from_json(const cJSON *j, struct market_bars *out, char **cause)
{
	const cJSON *dates = cJSON_GetObjectItemCaseSensitive(j, "date"), *v;
	size_t n, i = 0;

	memset(out, 0, sizeof *out);
	if (!cJSON_IsArray(dates))
		goto bad;
	n = (size_t)cJSON_GetArraySize(dates);
	out->date = xcalloc(n ? n : 1, sizeof *out->date);
	out->n = n;
	cJSON_ArrayForEach(v, dates) {
		if (!cJSON_IsString(v) ||
		    date_parse(v->valuestring, &out->date[i++]) != 0)
			goto bad;
	}
	if (gather_column(j, "open", n, 0, &out->open) != 0 ||
	    gather_column(j, "high", n, 0, &out->high) != 0 ||
	    gather_column(j, "low", n, 0, &out->low) != 0 ||
	    gather_column(j, "close", n, 1, &out->close) != 0 ||
	    gather_column(j, "volume", n, 0, &out->volume) != 0)
		goto bad;
	if (cJSON_GetObjectItemCaseSensitive(j, "adj_close") != NULL &&
	    gather_column(j, "adj_close", n, 0, &out->adj_close) != 0)
		goto bad;
	return 0;
bad:
	market_bars_free(out);
	*cause = xstrdup("the run's market data has malformed daily bars");
	return -1;
}

int
gather_bars_load(const cJSON *j, struct store *st, struct market_bars *out,
    char **cause)
{
	const char *id = jsonutil_string(j, "blob");
	cJSON *bars;
	int rc;

	if (id == NULL)
		return gather_bars_from_json(j, out, cause) == 0 ? 0 :
								   EXIT_MARKET;
	if (st == NULL) {
		*cause = xstrdup("the run's daily bars are in the database, "
				 "which is not open");
		return EXIT_STORAGE;
	}
	if (blobs_get_json(st, id, &bars, cause) != 0)
		return EXIT_STORAGE;
	rc = gather_bars_from_json(bars, out, cause) == 0 ? 0 : EXIT_MARKET;
	cJSON_Delete(bars);
	return rc;
}

size_t
gather_bars_span(const cJSON *j, const char **first, const char **last)
{
	const cJSON *dates = cJSON_GetObjectItemCaseSensitive(j, "date");
	int n;

	if (jsonutil_string(j, "blob") != NULL) {
		*first = jsonutil_string(j, "first");
		*last = jsonutil_string(j, "last");
		n = (int)jsonutil_number(j, "count");
		return n > 0 ? (size_t)n : 0;
	}
	n = cJSON_GetArraySize(dates);
	*first = n > 0 ? cJSON_GetArrayItem(dates, 0)->valuestring : NULL;
	*last = n > 0 ? cJSON_GetArrayItem(dates, n - 1)->valuestring : NULL;
	return (size_t)n;
}

/*
 * Keeps BARS (consumed) as a blob of the run and returns the reference;
 * without a database the bars stay inline. NULL with *cause on failure.
 */
static cJSON *
gather_bars_store(struct tool_ctx *ctx, cJSON *bars, char **cause)
{
	const cJSON *dates = cJSON_GetObjectItemCaseSensitive(bars, "date");
	int n = cJSON_GetArraySize(dates);
	char id[BLOBS_ID_SIZE];
	cJSON *ref;

	if (ctx->store == NULL)
		return bars;
	if (blobs_put_json(ctx->store, ctx->thread_id, bars, id, cause) != 0) {
		cJSON_Delete(bars);
		return NULL;
	}
	ref = cJSON_CreateObject();
	cJSON_AddStringToObject(ref, "blob", id);
	cJSON_AddNumberToObject(ref, "count", n);
	if (n > 0) {
		cJSON_AddItemToObject(ref, "first",
		    cJSON_Duplicate(cJSON_GetArrayItem(dates, 0), 1));
		cJSON_AddItemToObject(ref, "last",
		    cJSON_Duplicate(cJSON_GetArrayItem(dates, n - 1), 1));
	}
	cJSON_Delete(bars);
	return ref;
}

static cJSON *
gather_profile_json(const struct market_profile *p)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddStringToObject(j, "name", p->name);
	cJSON_AddStringToObject(j, "sector", p->sector);
	cJSON_AddStringToObject(j, "industry", p->industry);
	cJSON_AddStringToObject(j, "currency", p->currency);
	cJSON_AddStringToObject(j, "exchange", p->exchange);
	cJSON_AddStringToObject(j, "description", p->description);
	cJSON_AddStringToObject(j, "timezone", p->timezone);
	return j;
}

static cJSON *
gather_fundamentals_json(const struct market_fundamentals *f)
{
	cJSON *j = cJSON_CreateObject();

	jsonutil_add_number(j, "market_cap", f->market_cap);
	jsonutil_add_number(j, "shares_outstanding", f->shares_outstanding);
	jsonutil_add_number(j, "pe_ratio", f->pe_ratio);
	jsonutil_add_number(j, "forward_pe", f->forward_pe);
	jsonutil_add_number(j, "price_to_book", f->price_to_book);
	jsonutil_add_number(j, "dividend_yield_percent", f->dividend_yield_pct);
	jsonutil_add_number(j, "dividend_per_share", f->dividend_per_share);
	jsonutil_add_number(j, "revenue_ttm", f->revenue_ttm);
	jsonutil_add_number(j, "profit_margin_percent", f->profit_margin_pct);
	jsonutil_add_number(j, "eps_ttm", f->eps_ttm);
	jsonutil_add_number(j, "forward_eps", f->forward_eps);
	jsonutil_add_number(j, "book_value_per_share", f->book_value_per_share);
	jsonutil_add_number(j, "average_volume", f->average_volume);
	return j;
}

static cJSON *
gather_quote_json(const struct market_bars *b)
{
	cJSON *j = cJSON_CreateObject();
	char ds[DATE_STR_SIZE];
	size_t i = b->n - 1;
	double prev = b->close[i - 1];

	cJSON_AddStringToObject(j, "date", date_format(b->date[i], ds));
	jsonutil_add_number(j, "price", b->close[i]);
	jsonutil_add_number(j, "previous_close", prev);
	jsonutil_add_number(j, "change", b->close[i] - prev);
	jsonutil_add_number(j, "change_percent",
	    (b->close[i] - prev) / prev * 100.0);
	jsonutil_add_number(j, "open", b->open[i]);
	jsonutil_add_number(j, "high", b->high[i]);
	jsonutil_add_number(j, "low", b->low[i]);
	jsonutil_add_number(j, "volume", b->volume[i]);
	return j;
}

static cJSON *
gather_news_json(const struct market_news *news, size_t n)
{
	cJSON *a = cJSON_CreateArray(), *j;
	char ds[DATE_STR_SIZE];
	size_t i;

	for (i = 0; i < n; i++) {
		j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "date",
		    date_format(news[i].date, ds));
		cJSON_AddStringToObject(j, "headline", news[i].headline);
		cJSON_AddStringToObject(j, "source", news[i].source);
		if (news[i].url[0] != '\0')
			cJSON_AddStringToObject(j, "url", news[i].url);
		cJSON_AddStringToObject(j, "sentiment", news[i].sentiment);
		jsonutil_add_number(j, "sentiment_score",
		    news[i].sentiment_score);
		cJSON_AddItemToArray(a, j);
	}
	return a;
}

/* The benchmark's dates and adjusted closes over the same window (no beta
 * without); its origin into *ORIGIN. */
static cJSON *
gather_benchmark(struct store *st, const char *sym, int32_t as_of, char *bench,
    size_t size, struct market_origin *origin)
{
	struct market_bars b = { 0 };
	struct market_query q = { bench, as_of, st, NULL };
	char *why = NULL;
	cJSON *j, *cols;

	if (market_get_benchmark(sym, bench, size) != 0)
		return NULL;
	if (market_get_history(&q, gather_window_start(as_of), &b, &why) != 0) {
		log_warn("benchmark %s: %s; beta is left out", bench, why);
		free(why);
		return NULL;
	}
	*origin = b.origin;
	cols = gather_bars_json(&b);
	j = cJSON_CreateObject();
	cJSON_AddItemToObject(j, "date",
	    cJSON_DetachItemFromObject(cols, "date"));
	cJSON_AddItemToObject(j, "close",
	    cJSON_DetachItemFromObject(cols, "close"));
	if (cJSON_GetObjectItem(cols, "adj_close") != NULL)
		cJSON_AddItemToObject(j, "adj_close",
		    cJSON_DetachItemFromObject(cols, "adj_close"));
	cJSON_Delete(cols);
	market_bars_free(&b);
	return j;
}

/* {"provider","fetched_at","cached"} of one part of the data. */
static cJSON *
gather_origin_json(const struct market_origin *o)
{
	cJSON *j = cJSON_CreateObject();
	time_t t = (time_t)o->fetched_at;
	struct tm tm;
	char iso[32];

	cJSON_AddStringToObject(j, "provider", o->provider);
	if (o->fetched_at > 0) {
		gmtime_r(&t, &tm);
		strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
		cJSON_AddStringToObject(j, "fetched_at", iso);
	} else {
		cJSON_AddNullToObject(j, "fetched_at");
	}
	cJSON_AddBoolToObject(j, "cached", o->from_cache);
	return j;
}

/*
 * Fundamentals and news are optional: an index has no fundamentals, and a
 * provider may have no news. What is missing is reported as null / empty,
 * and what each provider said is logged.
 */
static void
gather_optional(const struct market_query *q, struct market_profile *prof,
    struct market_fundamentals *fund, struct market_origin *fo,
    struct market_news **news, size_t *n_news, struct market_origin *no)
{
	struct market_profile p;
	double *f = (double *)fund;
	char *why = NULL;
	size_t i;

	if (market_get_facts(q, &p, fund, fo, &why) != 0) {
		log_info("%s", why);
		free(why);
		why = NULL;
		for (i = 0; i < sizeof *fund / sizeof *f; i++)
			f[i] = NAN;
	} else {
		/* What the history's provider did not say. */
		if (p.name[0] != '\0')
			memcpy(prof->name, p.name, sizeof p.name);
		memcpy(prof->sector, p.sector, sizeof p.sector);
		memcpy(prof->industry, p.industry, sizeof p.industry);
		memcpy(prof->description, p.description, sizeof p.description);
		if (p.exchange[0] != '\0')
			memcpy(prof->exchange, p.exchange, sizeof p.exchange);
		if (prof->currency[0] == '\0')
			memcpy(prof->currency, p.currency, sizeof p.currency);
		if (prof->timezone[0] == '\0')
			memcpy(prof->timezone, p.timezone, sizeof p.timezone);
	}
	if (market_get_news(q, news, n_news, no, &why) != 0) {
		log_info("%s", why);
		free(why);
		*news = NULL;
		*n_news = 0;
	}
}

static const char *
gather_arg(const cJSON *args, const cJSON *state, const char *key,
    const char *fallback)
{
	const char *v = jsonutil_string(args, key);
	char path[64];

	if (v != NULL)
		return v;
	snprintf(path, sizeof path, "request.%s", key);
	v = jsonutil_string(state, path);
	return v != NULL ? v : fallback;
}

static void
gather_summary(cJSON *r, const struct market_profile *prof,
    const struct market_bars *b, size_t n_news, const struct market_origin *fo,
    const struct market_origin *no)
{
	char first[DATE_STR_SIZE], last[DATE_STR_SIZE], *s;

	s = xasprintf("Gathered %zu daily bars for %s (%s) from %s to %s "
		      "from %s%s, fundamentals from %s and %zu news headlines "
		      "from %s.",
	    b->n, prof->symbol, prof->name, date_format(b->date[0], first),
	    date_format(b->date[b->n - 1], last), b->origin.provider,
	    b->origin.from_cache ? " (cached)" : "",
	    fo->provider[0] ? fo->provider : "no provider", n_news,
	    no->provider[0] ? no->provider : "no provider");
	cJSON_AddStringToObject(r, "summary", s);
	free(s);
}

/* Who SYMBOL is before the providers say more: its name is the symbol. */
static void
gather_profile_init(struct market_profile *p, const char *sym,
    const struct market_bars *b)
{
	memset(p, 0, sizeof *p);
	snprintf(p->symbol, sizeof p->symbol, "%s", sym);
	snprintf(p->name, sizeof p->name, "%s", sym);
	memcpy(p->currency, b->currency, sizeof p->currency);
	memcpy(p->timezone, b->timezone, sizeof p->timezone);
}

static cJSON *
gather_sources(const struct market_bars *b, const struct market_origin *fo,
    const struct market_origin *no, const struct market_origin *bo)
{
	cJSON *j = cJSON_CreateObject();

	cJSON_AddItemToObject(j, "history", gather_origin_json(&b->origin));
	if (fo->provider[0])
		cJSON_AddItemToObject(j, "fundamentals",
		    gather_origin_json(fo));
	else
		cJSON_AddNullToObject(j, "fundamentals");
	if (no->provider[0])
		cJSON_AddItemToObject(j, "news", gather_origin_json(no));
	else
		cJSON_AddNullToObject(j, "news");
	if (bo->provider[0])
		cJSON_AddItemToObject(j, "benchmark", gather_origin_json(bo));
	else
		cJSON_AddNullToObject(j, "benchmark");
	return j;
}

static int
gather_exec(struct tool_ctx *ctx, const cJSON *args, cJSON **result_out,
    char **cause)
{
	const char *sym = jsonutil_string(args, "symbol"), *prov, *asof_s;
	struct market_profile prof;
	struct market_fundamentals fund;
	struct market_bars bars = { 0 };
	struct market_news *news = NULL;
	struct market_origin fo, no, bo;
	struct market_query q;
	size_t n_news = 0;
	int32_t as_of;
	char bench[32] = "", ds[DATE_STR_SIZE];
	cJSON *r = NULL, *bj;
	int rc = EXIT_MARKET;

	prov = gather_arg(args, ctx->state, "provider", ctx->opts->provider);
	asof_s = gather_arg(args, ctx->state, "as_of", NULL);
	if (asof_s == NULL || date_parse(asof_s, &as_of) != 0) {
		*cause = xasprintf("gather_stock_data: invalid as_of '%s'; use "
				   "YYYY-MM-DD",
		    asof_s ? asof_s : "");
		return EXIT_USAGE;
	}
	if (prov != NULL && market_chain_check(prov, cause) != 0)
		return EXIT_USAGE;
	memset(&bo, 0, sizeof bo);
	q = (struct market_query){ sym, as_of, ctx->store, prov };
	if (market_get_history(&q, gather_window_start(as_of), &bars, cause) !=
	    0)
		goto out;
	if (bars.n < 2) {
		*cause = xasprintf("no market data for %s up to %s: fewer than "
				   "two daily bars",
		    sym, date_format(as_of, ds));
		goto out;
	}
	gather_profile_init(&prof, sym, &bars);
	gather_optional(&q, &prof, &fund, &fo, &news, &n_news, &no);
	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "symbol", sym);
	cJSON_AddStringToObject(r, "as_of", date_format(as_of, ds));
	cJSON_AddStringToObject(r, "provider", bars.origin.provider);
	cJSON_AddItemToObject(r, "profile", gather_profile_json(&prof));
	cJSON_AddItemToObject(r, "quote", gather_quote_json(&bars));
	cJSON_AddItemToObject(r, "fundamentals",
	    gather_fundamentals_json(&fund));
	cJSON_AddItemToObject(r, "news", gather_news_json(news, n_news));
	if ((bj = gather_bars_store(ctx, gather_bars_json(&bars), cause)) ==
	    NULL) {
		rc = EXIT_STORAGE;
		goto fail;
	}
	cJSON_AddItemToObject(r, "bars", bj);
	bj = gather_benchmark(ctx->store, sym, as_of, bench, sizeof bench, &bo);
	if (bj != NULL && (bj = gather_bars_store(ctx, bj, cause)) == NULL) {
		rc = EXIT_STORAGE;
		goto fail;
	}
	if (bj != NULL) {
		cJSON_AddStringToObject(r, "benchmark", bench);
		cJSON_AddItemToObject(r, "benchmark_bars", bj);
	} else {
		cJSON_AddNullToObject(r, "benchmark");
	}
	cJSON_AddItemToObject(r, "sources",
	    gather_sources(&bars, &fo, &no, &bo));
	gather_summary(r, &prof, &bars, n_news, &fo, &no);
	*result_out = r;
	r = NULL;
	rc = 0;
fail:
	cJSON_Delete(r);
out:
	market_bars_free(&bars);
	free(news);
	return rc;
}

/* The model sees everything but the bulky daily bars. */
static cJSON *
gather_for_model(const cJSON *result)
{
	cJSON *r = cJSON_Duplicate(result, 1);

	cJSON_DeleteItemFromObject(r, "bars");
	cJSON_DeleteItemFromObject(r, "benchmark_bars");
	return r;
}

const struct tool_entry tool_gather_stock_data_entry = {
	.name = "gather_stock_data",
	.description =
	    "Gather a stock's company profile, three years of "
	    "daily prices, the latest quote, fundamentals (P/E, margins, "
	    "dividend yield, market cap) and recent news headlines as of a "
	    "date.",
	.parameters =
	    "{\"type\":\"object\",\"properties\":{"
	    "\"symbol\":{\"type\":\"string\",\"pattern\":\"" SYMBOL_PATTERN
	    "\",\"description\":\"ticker symbol, upper case, e.g. "
	    "SIM_STOCK\"},"
	    "\"as_of\":{\"type\":\"string\",\"pattern\":"
	    "\"^[0-9]{4}-[0-9]{2}-[0-9]{2}$\",\"description\":\"analysis "
	    "date YYYY-MM-DD; defaults to the run's date\"},"
	    "\"provider\":{\"type\":\"string\",\"pattern\":\"^[a-z0-9_,-]{1,64}"
	    "$"
	    "\","
	    "\"description\":\"market data provider; defaults to the "
	    "configured one\"}},"
	    "\"required\":[\"symbol\"],\"additionalProperties\":false}",
	.state_key = "market",
	.exec = gather_exec,
	.for_model = gather_for_model,
};
