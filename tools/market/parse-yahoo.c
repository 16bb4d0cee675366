/*
 * parse-yahoo.c: readers of Yahoo Finance's chart, quoteSummary and search
 * answers (see parse.h).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "lib/xmalloc.h"
#include "tools/market/parse.h"

/* Bars a chart answer may hold: 100 years of trading days. */
#define YAHOO_MAX_BARS 26000
#define YAHOO_MAX_EVENTS 4000

static cJSON *
yahoo_json(const char *body, size_t len, const char *what, char **cause)
{
	cJSON *j = cJSON_ParseWithLength(body, len);

	if (j == NULL)
		*cause = xasprintf("yahoo: the %s answer is not complete JSON "
				   "(%zu bytes)",
		    what, len);
	return j;
}

/* The error object of an answer {"KEY":{"result":null,"error":{...}}} or
 * {"finance":{"error":{...}}}; NULL when there is none. */
static const cJSON *
yahoo_error(const cJSON *root, const char *key)
{
	const cJSON *top = cJSON_GetObjectItemCaseSensitive(root, key), *e;

	if (top == NULL)
		top = cJSON_GetObjectItemCaseSensitive(root, "finance");
	e = cJSON_GetObjectItemCaseSensitive(top, "error");
	return cJSON_IsObject(e) ? e : NULL;
}

static const char *
yahoo_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Says what an error object means; PARSE_NOT_FOUND for an unknown symbol. */
static int
yahoo_error_cause(const cJSON *e, const char *what, char **cause)
{
	const char *code = yahoo_str(e, "code");
	const char *desc = yahoo_str(e, "description");

	if (code == NULL)
		code = "error";
	if (desc == NULL)
		desc = "";
	if (strcmp(code, "Not Found") == 0 || strstr(desc, "delisted") ||
	    strstr(desc, "not found") || strstr(desc, "No data found")) {
		*cause = xasprintf("yahoo: no such symbol (%s: %.200s)", code,
		    desc);
		return PARSE_NOT_FOUND;
	}
	*cause = xasprintf("yahoo: the %s answer is an error (%s: %.200s)",
	    what, code, desc);
	return PARSE_BAD;
}

static void
copy_str(char *dst, size_t size, const char *src)
{
	if (src != NULL)
		snprintf(dst, size, "%s", src);
}

/* A number from a JSON number, {"raw": n} or nothing (NAN). */
static double
yahoo_num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (cJSON_IsObject(v))
		v = cJSON_GetObjectItemCaseSensitive(v, "raw");
	return cJSON_IsNumber(v) && isfinite(v->valuedouble) ? v->valuedouble :
							       NAN;
}

static void
yahoo_meta(const cJSON *meta, struct market_profile *p, struct market_bars *b)
{
	copy_str(b->currency, sizeof b->currency, yahoo_str(meta, "currency"));
	copy_str(b->timezone, sizeof b->timezone,
	    yahoo_str(meta, "exchangeTimezoneName"));
	if (p == NULL)
		return;
	copy_str(p->symbol, sizeof p->symbol, yahoo_str(meta, "symbol"));
	copy_str(p->name, sizeof p->name, yahoo_str(meta, "shortName"));
	copy_str(p->name, sizeof p->name, yahoo_str(meta, "longName"));
	copy_str(p->currency, sizeof p->currency, b->currency);
	copy_str(p->exchange, sizeof p->exchange,
	    yahoo_str(meta, "exchangeName"));
	copy_str(p->exchange, sizeof p->exchange,
	    yahoo_str(meta, "fullExchangeName"));
	copy_str(p->timezone, sizeof p->timezone, b->timezone);
	copy_str(p->quote_type, sizeof p->quote_type,
	    yahoo_str(meta, "instrumentType"));
}

/* The day of Unix time T at GMT offset OFF seconds. */
static int32_t
yahoo_day(double t, double off)
{
	return (int32_t)floor((t + off) / 86400.0);
}

/* The I-th number of array A, NAN for a null or a missing item. */
static double
arr_num(const cJSON *a, int i)
{
	const cJSON *v = cJSON_GetArrayItem(a, i);

	return cJSON_IsNumber(v) && isfinite(v->valuedouble) ? v->valuedouble :
							       NAN;
}

struct chart_cols {
	const cJSON *ts, *open, *high, *low, *close, *volume, *adj;
	double off;
};

static void
bars_alloc(struct market_bars *b, size_t n)
{
	size_t k = n ? n : 1;

	b->date = xcalloc(k, sizeof *b->date);
	b->open = xcalloc(k, sizeof *b->open);
	b->high = xcalloc(k, sizeof *b->high);
	b->low = xcalloc(k, sizeof *b->low);
	b->close = xcalloc(k, sizeof *b->close);
	b->volume = xcalloc(k, sizeof *b->volume);
	b->adj_close = xcalloc(k, sizeof *b->adj_close);
}

/* Fills one bar from row I; 0, or -1 when the row is a hole (no close). */
static int
chart_row(const struct chart_cols *c, int i, struct market_bars *b, size_t k)
{
	double cl = arr_num(c->close, i), v;

	if (!(cl > 0))
		return -1;
	b->close[k] = cl;
	v = arr_num(c->open, i);
	b->open[k] = v > 0 ? v : cl;
	v = arr_num(c->high, i);
	b->high[k] = v > 0 ? v : cl;
	v = arr_num(c->low, i);
	b->low[k] = v > 0 ? v : cl;
	/* A high below the close or a low above it is a provider glitch. */
	if (b->high[k] < cl || b->high[k] < b->open[k])
		b->high[k] = fmax(cl, b->open[k]);
	if (b->low[k] > cl || b->low[k] > b->open[k])
		b->low[k] = fmin(cl, b->open[k]);
	v = arr_num(c->volume, i);
	b->volume[k] = v >= 0 ? v : 0;
	v = arr_num(c->adj, i);
	b->adj_close[k] = v > 0 ? v : NAN;
	return 0;
}

/* Null adjusted closes take the next known day's adjustment. */
static void
chart_fill_adj(struct market_bars *b)
{
	double ratio = 1.0;
	size_t i;

	for (i = b->n; i-- > 0;) {
		if (isnan(b->adj_close[i]))
			b->adj_close[i] = b->close[i] * ratio;
		else
			ratio = b->adj_close[i] / b->close[i];
	}
}

static int
event_cmp(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

static void
chart_events(const cJSON *events, double off, int32_t as_of,
    struct market_bars *b)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(events, "dividends");
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(events, "splits");
	const cJSON *e;
	size_t nd = 0, ns = 0;
	double t, x, num, den;

	b->dividends = xcalloc((size_t)cJSON_GetArraySize(d) + 1,
	    sizeof *b->dividends);
	b->splits = xcalloc((size_t)cJSON_GetArraySize(s) + 1,
	    sizeof *b->splits);
	cJSON_ArrayForEach(e, d) {
		t = yahoo_num(e, "date");
		x = yahoo_num(e, "amount");
		if (nd >= YAHOO_MAX_EVENTS || !isfinite(t) || !(x > 0) ||
		    fabs(t) > 1e11 || yahoo_day(t, off) > as_of)
			continue;
		b->dividends[nd].date = yahoo_day(t, off);
		b->dividends[nd++].amount = x;
	}
	cJSON_ArrayForEach(e, s) {
		t = yahoo_num(e, "date");
		num = yahoo_num(e, "numerator");
		den = yahoo_num(e, "denominator");
		if (ns >= YAHOO_MAX_EVENTS || !isfinite(t) || !(num > 0) ||
		    !(den > 0) || fabs(t) > 1e11 || yahoo_day(t, off) > as_of)
			continue;
		b->splits[ns].date = yahoo_day(t, off);
		b->splits[ns++].ratio = num / den;
	}
	/* Objects keyed by time come in any order. */
	qsort(b->dividends, nd, sizeof *b->dividends, event_cmp);
	qsort(b->splits, ns, sizeof *b->splits, event_cmp);
	b->n_dividends = nd;
	b->n_splits = ns;
}

static int
chart_columns(const cJSON *r, struct chart_cols *c, char **cause)
{
	const cJSON *ind = cJSON_GetObjectItemCaseSensitive(r, "indicators");
	const cJSON *q = cJSON_GetArrayItem(
	    cJSON_GetObjectItemCaseSensitive(ind, "quote"), 0);
	const cJSON *adj = cJSON_GetArrayItem(
	    cJSON_GetObjectItemCaseSensitive(ind, "adjclose"), 0);
	int n;

	c->ts = cJSON_GetObjectItemCaseSensitive(r, "timestamp");
	c->open = cJSON_GetObjectItemCaseSensitive(q, "open");
	c->high = cJSON_GetObjectItemCaseSensitive(q, "high");
	c->low = cJSON_GetObjectItemCaseSensitive(q, "low");
	c->close = cJSON_GetObjectItemCaseSensitive(q, "close");
	c->volume = cJSON_GetObjectItemCaseSensitive(q, "volume");
	c->adj = cJSON_GetObjectItemCaseSensitive(adj, "adjclose");
	if (c->ts == NULL && c->close == NULL)
		return 0; /* a range without trading days */
	n = cJSON_GetArraySize(c->ts);
	if (!cJSON_IsArray(c->ts) || !cJSON_IsArray(c->close) ||
	    cJSON_GetArraySize(c->close) != n || n > YAHOO_MAX_BARS) {
		*cause = xstrdup("yahoo: the chart answer has no timestamps "
				 "and closes of one length");
		return PARSE_BAD;
	}
	return 0;
}

int
yahoo_parse_chart(const char *body, size_t len, int32_t from, int32_t as_of,
    struct market_bars *out, struct market_profile *profile, char **cause)
{
	cJSON *root = NULL;
	const cJSON *r, *meta, *e;
	struct chart_cols c;
	int n, i, rc = PARSE_BAD;
	size_t k = 0;
	int32_t day;

	memset(out, 0, sizeof *out);
	if ((root = yahoo_json(body, len, "chart", cause)) == NULL)
		return PARSE_BAD;
	r = cJSON_GetArrayItem(
	    cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(root, "chart"), "result"),
	    0);
	if (!cJSON_IsObject(r)) {
		if ((e = yahoo_error(root, "chart")) != NULL)
			rc = yahoo_error_cause(e, "chart", cause);
		else
			*cause = xstrdup("yahoo: the chart answer has no "
					 "result");
		goto out;
	}
	meta = cJSON_GetObjectItemCaseSensitive(r, "meta");
	c.off = yahoo_num(meta, "gmtoffset");
	if (!isfinite(c.off) || fabs(c.off) > 86400)
		c.off = 0;
	if (chart_columns(r, &c, cause) != 0)
		goto out;
	n = cJSON_GetArraySize(c.ts);
	bars_alloc(out, (size_t)n);
	for (i = 0; i < n; i++) {
		double t = arr_num(c.ts, i);

		if (!isfinite(t) || fabs(t) > 1e11)
			continue;
		day = yahoo_day(t, c.off);
		if (day < from || day > as_of ||
		    (k > 0 && day <= out->date[k - 1]))
			continue;
		out->date[k] = day;
		if (chart_row(&c, i, out, k) == 0)
			k++;
	}
	out->n = k;
	out->utc_offset = (int)c.off;
	chart_fill_adj(out);
	yahoo_meta(meta, profile, out);
	chart_events(cJSON_GetObjectItemCaseSensitive(r, "events"), c.off,
	    as_of, out);
	rc = 0;
out:
	if (rc != 0)
		market_bars_free(out);
	cJSON_Delete(root);
	return rc;
}

/* Profile fields of the price and assetProfile modules. */
static void
summary_profile(const cJSON *r, struct market_profile *p)
{
	const cJSON *price = cJSON_GetObjectItemCaseSensitive(r, "price");
	const cJSON *ap = cJSON_GetObjectItemCaseSensitive(r, "assetProfile");
	const cJSON *sp = cJSON_GetObjectItemCaseSensitive(r, "summaryProfile");

	copy_str(p->symbol, sizeof p->symbol, yahoo_str(price, "symbol"));
	copy_str(p->name, sizeof p->name, yahoo_str(price, "shortName"));
	copy_str(p->name, sizeof p->name, yahoo_str(price, "longName"));
	copy_str(p->currency, sizeof p->currency, yahoo_str(price, "currency"));
	copy_str(p->exchange, sizeof p->exchange,
	    yahoo_str(price, "exchangeName"));
	copy_str(p->quote_type, sizeof p->quote_type,
	    yahoo_str(price, "quoteType"));
	if (ap == NULL)
		ap = sp;
	copy_str(p->sector, sizeof p->sector, yahoo_str(ap, "sector"));
	copy_str(p->industry, sizeof p->industry, yahoo_str(ap, "industry"));
	copy_str(p->description, sizeof p->description,
	    yahoo_str(ap, "longBusinessSummary"));
}

/* The first finite of A and B. */
static double
first_of(double a, double b)
{
	return isfinite(a) ? a : b;
}

static void
summary_fundamentals(const cJSON *r, struct market_fundamentals *f)
{
	const cJSON *sd = cJSON_GetObjectItemCaseSensitive(r, "summaryDetail");
	const cJSON *ks = cJSON_GetObjectItemCaseSensitive(r,
	    "defaultKeyStatistics");
	const cJSON *fd = cJSON_GetObjectItemCaseSensitive(r, "financialData");
	const cJSON *pr = cJSON_GetObjectItemCaseSensitive(r, "price");
	double price = first_of(yahoo_num(pr, "regularMarketPrice"),
	    yahoo_num(fd, "currentPrice"));
	double rate = yahoo_num(sd, "dividendRate"), margin;

	f->market_cap = first_of(yahoo_num(pr, "marketCap"),
	    yahoo_num(sd, "marketCap"));
	f->shares_outstanding = yahoo_num(ks, "sharesOutstanding");
	f->pe_ratio = yahoo_num(sd, "trailingPE");
	f->forward_pe = first_of(yahoo_num(sd, "forwardPE"),
	    yahoo_num(ks, "forwardPE"));
	f->price_to_book = yahoo_num(ks, "priceToBook");
	f->dividend_per_share = rate;
	/*
	 * summaryDetail.dividendYield is a fraction (0.0044 for 0.44 %);
	 * the rate over the price says the same without that doubt.
	 */
	if (rate >= 0 && price > 0)
		f->dividend_yield_pct = rate / price * 100.0;
	else if (isfinite(yahoo_num(sd, "dividendYield")))
		f->dividend_yield_pct = yahoo_num(sd, "dividendYield") * 100.0;
	f->revenue_ttm = yahoo_num(fd, "totalRevenue");
	margin = first_of(yahoo_num(fd, "profitMargins"),
	    yahoo_num(ks, "profitMargins"));
	if (isfinite(margin))
		f->profit_margin_pct = margin * 100.0;
	f->eps_ttm = yahoo_num(ks, "trailingEps");
	f->forward_eps = yahoo_num(ks, "forwardEps");
	f->book_value_per_share = yahoo_num(ks, "bookValue");
	f->average_volume = first_of(yahoo_num(sd, "averageVolume"),
	    yahoo_num(pr, "averageDailyVolume3Month"));
	if (!isfinite(f->pe_ratio) && price > 0 && f->eps_ttm > 0)
		f->pe_ratio = price / f->eps_ttm;
}

int
yahoo_parse_summary(const char *body, size_t len,
    struct market_profile *profile, struct market_fundamentals *f, char **cause)
{
	double *fv = (double *)f;
	cJSON *root;
	const cJSON *r, *e;
	int rc = PARSE_BAD;
	size_t i;

	memset(profile, 0, sizeof *profile);
	for (i = 0; i < sizeof *f / sizeof *fv; i++)
		fv[i] = NAN;
	if ((root = yahoo_json(body, len, "quoteSummary", cause)) == NULL)
		return PARSE_BAD;
	r = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
				   cJSON_GetObjectItemCaseSensitive(root,
				       "quoteSummary"),
				   "result"),
	    0);
	if (!cJSON_IsObject(r)) {
		if ((e = yahoo_error(root, "quoteSummary")) != NULL)
			rc = yahoo_error_cause(e, "quoteSummary", cause);
		else
			*cause = xstrdup("yahoo: the quoteSummary answer has "
					 "no result");
		goto out;
	}
	summary_profile(r, profile);
	summary_fundamentals(r, f);
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}

/* Whether a search quote is a security we can analyze. */
static int
search_usable(const cJSON *q)
{
	const char *type = yahoo_str(q, "quoteType");
	const cJSON *yf = cJSON_GetObjectItemCaseSensitive(q, "isYahooFinance");

	if (yahoo_str(q, "symbol") == NULL || cJSON_IsFalse(yf))
		return 0;
	return type == NULL || strcmp(type, "EQUITY") == 0 ||
	    strcmp(type, "ETF") == 0 || strcmp(type, "INDEX") == 0 ||
	    strcmp(type, "MUTUALFUND") == 0;
}

int
yahoo_parse_search(const char *body, size_t len, char *out, size_t size,
    char *name, size_t name_size, char **cause)
{
	cJSON *root;
	const cJSON *quotes, *q;
	const char *nm;
	int rc = PARSE_NOT_FOUND;

	if ((root = yahoo_json(body, len, "search", cause)) == NULL)
		return PARSE_BAD;
	quotes = cJSON_GetObjectItemCaseSensitive(root, "quotes");
	if (!cJSON_IsArray(quotes)) {
		*cause = xstrdup("yahoo: the search answer has no quotes");
		cJSON_Delete(root);
		return PARSE_BAD;
	}
	cJSON_ArrayForEach(q, quotes) {
		if (!search_usable(q) || strlen(yahoo_str(q, "symbol")) >= size)
			continue;
		snprintf(out, size, "%s", yahoo_str(q, "symbol"));
		nm = yahoo_str(q, "longname");
		if (nm == NULL)
			nm = yahoo_str(q, "shortname");
		if (name != NULL && name_size > 0)
			snprintf(name, name_size, "%s", nm ? nm : "");
		rc = 0;
		break;
	}
	if (rc != 0)
		*cause = xstrdup("yahoo: the search found no stock");
	cJSON_Delete(root);
	return rc;
}
