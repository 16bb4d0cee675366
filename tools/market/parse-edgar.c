/*
 * parse-edgar.c: SEC EDGAR's ticker map and company facts (parse-edgar.h).
 * Pure: a body in, structs out.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "lib/date.h"
#include "lib/xmalloc.h"
#include "tools/market/parse-edgar.h"

/* Whether tickers A and B are the same, ignoring case and '.' vs '-'. */
static int
edgar_same_ticker(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		char x = (char)toupper((unsigned char)*a);
		char y = (char)toupper((unsigned char)*b);

		if (x == '.')
			x = '-';
		if (y == '.')
			y = '-';
		if (x != y)
			return 0;
	}
	return *a == *b;
}

static cJSON *
edgar_object(const char *body, size_t len)
{
	cJSON *j = cJSON_ParseWithLength(body, len);

	if (j != NULL && !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

int
edgar_parse_tickers(const char *body, size_t len, const char *symbol, long *cik,
    char *name, size_t name_size, char **cause)
{
	cJSON *j, *e;
	const cJSON *t, *c, *n;

	*cik = 0;
	if ((j = edgar_object(body, len)) == NULL) {
		*cause = xstrdup("edgar: the ticker map is not JSON "
				 "(truncated, or an HTML page)");
		return EDGAR_BAD;
	}
	cJSON_ArrayForEach(e, j) {
		t = cJSON_GetObjectItemCaseSensitive(e, "ticker");
		c = cJSON_GetObjectItemCaseSensitive(e, "cik_str");
		if (!cJSON_IsString(t) ||
		    !edgar_same_ticker(t->valuestring, symbol))
			continue;
		if (cJSON_IsNumber(c) && c->valuedouble >= 1 &&
		    c->valuedouble < 1e10)
			*cik = (long)c->valuedouble;
		else if (cJSON_IsString(c))
			*cik = strtol(c->valuestring, NULL, 10);
		if (*cik <= 0 || *cik >= 10000000000L) {
			*cause = xasprintf("edgar: the ticker map gives %s no "
					   "valid CIK",
			    symbol);
			cJSON_Delete(j);
			return EDGAR_BAD;
		}
		n = cJSON_GetObjectItemCaseSensitive(e, "title");
		if (name != NULL && name_size > 0)
			snprintf(name, name_size, "%s",
			    cJSON_IsString(n) ? n->valuestring : "");
		cJSON_Delete(j);
		return 0;
	}
	cJSON_Delete(j);
	*cause = xasprintf("edgar: %s is not in the SEC's ticker map (not a "
			   "US filer)",
	    symbol);
	return EDGAR_NOT_FOUND;
}

/* One fact of a concept's unit array. */
struct edgar_fact {
	int32_t start; /* -1: an instant */
	int32_t end;
	int32_t filed;
	double val;
};

/* Reads the facts of ARR (a unit's array) filed by AS_OF into a heap
 * array; *N their count. */
static struct edgar_fact *
edgar_facts_of(const cJSON *arr, int32_t as_of, size_t *n)
{
	struct edgar_fact *v;
	const cJSON *e;
	size_t cap = (size_t)cJSON_GetArraySize(arr);

	*n = 0;
	v = xcalloc(cap + 1, sizeof *v);
	cJSON_ArrayForEach(e, arr) {
		const char *s = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(e, "start"));
		const char *en = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(e, "end"));
		const char *f = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(e, "filed"));
		const cJSON *val = cJSON_GetObjectItemCaseSensitive(e, "val");
		struct edgar_fact x;

		if (*n >= cap || en == NULL || f == NULL ||
		    !cJSON_IsNumber(val) || !isfinite(val->valuedouble) ||
		    date_parse(en, &x.end) != 0 ||
		    date_parse(f, &x.filed) != 0 || x.filed > as_of)
			continue;
		x.start = -1;
		if (s != NULL &&
		    (date_parse(s, &x.start) != 0 || x.start > x.end))
			continue;
		x.val = val->valuedouble;
		v[(*n)++] = x;
	}
	return v;
}

/* The array of UNIT of CONCEPT in TAXONOMY ("us-gaap"), or NULL. */
static const cJSON *
edgar_unit(const cJSON *facts, const char *taxonomy, const char *concept,
    const char *unit)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(facts, taxonomy);
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(t, concept);
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(c, "units");
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(u, unit);

	return cJSON_IsArray(a) && cJSON_GetArraySize(a) > 0 ? a : NULL;
}

/* Whether a duration of D days is a year (52-53 weeks, or so). */
static int
edgar_is_year(int32_t d)
{
	return d >= 340 && d <= 380;
}

/*
 * The latest fact of V[N] with duration DAYS (within 10 days) ending near
 * END (within 10 days), later filing winning; or NULL.
 */
static const struct edgar_fact *
edgar_find_span(const struct edgar_fact *v, size_t n, int32_t end, int32_t days)
{
	const struct edgar_fact *best = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i].start < 0 || abs(v[i].end - end) > 10 ||
		    abs((v[i].end - v[i].start) - days) > 10)
			continue;
		if (best == NULL || v[i].filed >= best->filed)
			best = &v[i];
	}
	return best;
}

/*
 * Twelve months of a duration concept as of AS_OF: the last fiscal year,
 * rolled forward by a later year-to-date figure. NAN when none.
 */
static double
edgar_ttm(const cJSON *arr, int32_t as_of, int32_t *end_out)
{
	struct edgar_fact *v;
	const struct edgar_fact *year = NULL, *ytd = NULL, *prior;
	size_t n, i;
	double r = NAN;

	if (arr == NULL)
		return NAN;
	v = edgar_facts_of(arr, as_of, &n);
	for (i = 0; i < n; i++)
		if (v[i].start >= 0 && edgar_is_year(v[i].end - v[i].start) &&
		    (year == NULL || v[i].end > year->end ||
			(v[i].end == year->end && v[i].filed >= year->filed)))
			year = &v[i];
	if (year == NULL)
		goto out;
	r = year->val;
	*end_out = year->end;
	for (i = 0; i < n; i++)
		if (v[i].start >= 0 && v[i].end > year->end &&
		    v[i].end - v[i].start < 340 && v[i].end - v[i].start > 60 &&
		    (ytd == NULL || v[i].end > ytd->end ||
			(v[i].end == ytd->end &&
			    v[i].end - v[i].start > ytd->end - ytd->start)))
			ytd = &v[i];
	if (ytd != NULL &&
	    (prior = edgar_find_span(v, n, ytd->end - 364,
		 ytd->end - ytd->start)) != NULL) {
		r = year->val + ytd->val - prior->val;
		*end_out = ytd->end;
	}
out:
	free(v);
	return r;
}

/* The latest instant value of a concept filed by AS_OF, or NAN. */
static double
edgar_latest(const cJSON *arr, int32_t as_of)
{
	struct edgar_fact *v;
	const struct edgar_fact *best = NULL;
	size_t n, i;
	double r;

	if (arr == NULL)
		return NAN;
	v = edgar_facts_of(arr, as_of, &n);
	for (i = 0; i < n; i++)
		if (best == NULL || v[i].end > best->end ||
		    (v[i].end == best->end && v[i].filed >= best->filed))
			best = &v[i];
	r = best != NULL ? best->val : NAN;
	free(v);
	return r;
}

/* The first of CONCEPTS (NULL-terminated) with a fact in UNIT. */
static const cJSON *
edgar_first(const cJSON *facts, const char *taxonomy,
    const char *const *concepts, const char *unit)
{
	const cJSON *a;
	size_t i;

	for (i = 0; concepts[i] != NULL; i++)
		if ((a = edgar_unit(facts, taxonomy, concepts[i], unit)) !=
		    NULL)
			return a;
	return NULL;
}

static const char *const edgar_revenue[] = { "Revenues",
	"RevenueFromContractWithCustomerExcludingAssessedTax",
	"SalesRevenueNet",
	"RevenueFromContractWithCustomerIncludingAssessedTax", NULL };
static const char *const edgar_income[] = { "NetIncomeLoss", "ProfitLoss",
	NULL };
static const char *const edgar_eps[] = { "EarningsPerShareDiluted",
	"EarningsPerShareBasic", NULL };
static const char *const edgar_dps[] = { "CommonStockDividendsPerShareDeclared",
	"CommonStockDividendsPerShareCashPaid", NULL };
static const char *const edgar_equity[] = { "StockholdersEquity",
	"StockholdersEquityIncludingPortionAttributableToNoncontrollingInteres"
	"t",
	NULL };
static const char *const edgar_shares_dei[] = {
	"EntityCommonStockSharesOutstanding", NULL
};
static const char *const edgar_shares_gaap[] = { "CommonStockSharesOutstanding",
	NULL };

int
edgar_parse_facts(const char *body, size_t len, int32_t as_of,
    struct edgar_facts *out, char **cause)
{
	cJSON *j;
	const cJSON *facts;
	int32_t end = 0, e2 = 0;

	memset(out, 0, sizeof *out);
	if ((j = edgar_object(body, len)) == NULL ||
	    !cJSON_IsObject(facts = cJSON_GetObjectItemCaseSensitive(j,
				"facts"))) {
		*cause = xstrdup(j == NULL ? "edgar: company facts that are "
					     "not JSON (truncated, or an HTML "
					     "page)" :
					     "edgar: company facts without "
					     "facts");
		cJSON_Delete(j);
		return j == NULL ? EDGAR_BAD : EDGAR_NOT_FOUND;
	}
	snprintf(out->name, sizeof out->name, "%s",
	    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "entityName")) ?:
		"");
	out->revenue_ttm = edgar_ttm(
	    edgar_first(facts, "us-gaap", edgar_revenue, "USD"), as_of, &end);
	out->net_income_ttm = edgar_ttm(
	    edgar_first(facts, "us-gaap", edgar_income, "USD"), as_of, &e2);
	if (end == 0)
		end = e2;
	out->eps_ttm = edgar_ttm(
	    edgar_first(facts, "us-gaap", edgar_eps, "USD/shares"), as_of, &e2);
	out->dividends_ps_ttm = edgar_ttm(
	    edgar_first(facts, "us-gaap", edgar_dps, "USD/shares"), as_of, &e2);
	out->shares_outstanding = edgar_latest(
	    edgar_first(facts, "dei", edgar_shares_dei, "shares"), as_of);
	if (isnan(out->shares_outstanding))
		out->shares_outstanding = edgar_latest(
		    edgar_first(facts, "us-gaap", edgar_shares_gaap, "shares"),
		    as_of);
	out->equity = edgar_latest(
	    edgar_first(facts, "us-gaap", edgar_equity, "USD"), as_of);
	out->period_end = end;
	cJSON_Delete(j);
	if (isnan(out->revenue_ttm) && isnan(out->net_income_ttm) &&
	    isnan(out->eps_ttm) && isnan(out->shares_outstanding) &&
	    isnan(out->equity)) {
		*cause = xstrdup("edgar: the company facts have no revenue, "
				 "income, EPS, shares or equity filed by the "
				 "as-of date");
		return EDGAR_NOT_FOUND;
	}
	return 0;
}

void
edgar_fundamentals(const struct edgar_facts *x, double price,
    struct market_fundamentals *f)
{
	double bvps = NAN;

	f->market_cap = f->pe_ratio = f->forward_pe = f->price_to_book = NAN;
	f->dividend_yield_pct = f->dividend_per_share = NAN;
	f->forward_eps = f->book_value_per_share = f->average_volume = NAN;
	f->shares_outstanding = x->shares_outstanding > 0 ?
	    x->shares_outstanding :
	    NAN;
	f->revenue_ttm = x->revenue_ttm;
	f->eps_ttm = x->eps_ttm;
	f->profit_margin_pct = x->revenue_ttm > 0 &&
		isfinite(x->net_income_ttm) ?
	    x->net_income_ttm / x->revenue_ttm * 100 :
	    NAN;
	if (f->shares_outstanding > 0 && isfinite(x->equity))
		bvps = x->equity / f->shares_outstanding;
	f->book_value_per_share = bvps;
	if (!(price > 0))
		return;
	if (f->shares_outstanding > 0)
		f->market_cap = price * f->shares_outstanding;
	if (x->eps_ttm > 0)
		f->pe_ratio = price / x->eps_ttm;
	if (bvps > 0)
		f->price_to_book = price / bvps;
	if (x->dividends_ps_ttm >= 0) {
		f->dividend_per_share = x->dividends_ps_ttm;
		f->dividend_yield_pct = x->dividends_ps_ttm / price * 100;
	}
}

enum fetch_body
edgar_check_body(const char *body, size_t len, char **why)
{
	size_t n = len < 4096 ? len : 4096;
	char *head;
	enum fetch_body r = FETCH_BODY_DATA;

	if (!fetch_body_is_html(body, len) && (len == 0 || body[0] != '<'))
		return FETCH_BODY_DATA;
	head = xstrndup(body, n);
	if (strcasestr(head, "Undeclared Automated Tool") != NULL ||
	    strcasestr(head, "Request Rate Threshold Exceeded") != NULL) {
		/* One page for both: retrying would only prolong the block. */
		*why = xstrdup("refused by the SEC's block page (Undeclared "
			       "Automated Tool): sec_user_agent must name you "
			       "and an e-mail address, and requests stay under "
			       "10 a second; a block lifts after about ten "
			       "minutes");
		r = FETCH_BODY_UNAUTHORIZED;
	} else if (strcasestr(head, "NoSuchKey") != NULL) {
		*why = xstrdup("no such filer");
		r = FETCH_BODY_NOT_FOUND;
	} else {
		*why = xstrdup("an HTML page instead of data");
		r = FETCH_BODY_OTHER;
	}
	free(head);
	return r;
}
