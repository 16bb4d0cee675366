/*
 * parse-alphavantage.c: Alpha Vantage's answers into market structs
 * (parse-alphavantage.h). Pure: a body in, structs out.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "lib/date.h"
#include "lib/xmalloc.h"
#include "tools/market/parse-alphavantage.h"

/* Whether LOW-CASED TEXT contains any of the NULL-terminated WORDS. */
static int
av_has_any(const char *text, const char *const *words)
{
	size_t i;

	for (i = 0; words[i] != NULL; i++)
		if (strcasestr(text, words[i]) != NULL)
			return 1;
	return 0;
}

static const char *const av_rate_words[] = { "rate limit", "call frequency",
	"requests per", "calls per", "per second", "per minute", "per day",
	"more sparingly", NULL };
static const char *const av_key_words[] = { "apikey", "api key is invalid",
	"demo", "claim your free api key", NULL };

/* Judges the text of a Note or Information member. */
static enum fetch_body
av_judge_info(const char *text, char **why)
{
	if (av_has_any(text, av_rate_words)) {
		*why = xstrdup("rate limit reached (a free key "
			       "allows one request a second and 25 a day)");
		return FETCH_BODY_THROTTLED;
	}
	if (strcasestr(text, "premium") != NULL) {
		*why = xstrdup("refused: a premium feature that "
			       "a free key does not have");
		return FETCH_BODY_UNAUTHORIZED;
	}
	if (av_has_any(text, av_key_words)) {
		*why = xstrdup("refused: the API key is missing "
			       "or invalid; set alphavantage_key or "
			       "ALPHAVANTAGE_API_KEY");
		return FETCH_BODY_UNAUTHORIZED;
	}
	if (strcasestr(text, "invalid inputs") != NULL) {
		*why = xstrdup("no such symbol (invalid inputs)");
		return FETCH_BODY_NOT_FOUND;
	}
	*why = xstrdup("an answer without data (an "
		       "Information notice)");
	return FETCH_BODY_OTHER;
}

/* Parses BODY as a JSON object, or NULL. */
static cJSON *
av_parse_object(const char *body, size_t len)
{
	cJSON *j = cJSON_ParseWithLength(body, len);

	if (j != NULL && !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

enum fetch_body
av_check_body(const char *body, size_t len, char **why)
{
	cJSON *j, *v, *q;
	enum fetch_body r = FETCH_BODY_DATA;

	if ((j = av_parse_object(body, len)) == NULL) {
		*why = fetch_body_is_html(body, len) ?
		    xstrdup("an HTML page instead of data") :
		    xstrdup("an answer that is not JSON (truncated?)");
		return FETCH_BODY_OTHER;
	}
	if (cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(j, "Note")) ||
	    cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(j,
			       "Information"))) {
		r = av_judge_info(v->valuestring, why);
		/* A Note is Alpha Vantage's older throttling answer. */
		if (r == FETCH_BODY_OTHER && strcmp(v->string, "Note") == 0) {
			free(*why);
			*why = xstrdup("rate limit reached");
			r = FETCH_BODY_THROTTLED;
		}
	} else if (cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(j,
				      "Error Message")) &&
	    av_has_any(v->valuestring, av_key_words)) {
		*why = xstrdup("refused: the API key is missing or invalid; "
			       "set alphavantage_key or ALPHAVANTAGE_API_KEY");
		r = FETCH_BODY_UNAUTHORIZED;
	} else if (cJSON_GetObjectItemCaseSensitive(j, "Error Message")) {
		*why = xstrdup("no such symbol (invalid API call)");
		r = FETCH_BODY_NOT_FOUND;
	} else if (j->child == NULL ||
	    (cJSON_IsObject(q = cJSON_GetObjectItemCaseSensitive(j,
				"Global Quote")) &&
		q->child == NULL)) {
		*why = xstrdup("no such symbol (an empty answer)");
		r = FETCH_BODY_NOT_FOUND;
	}
	cJSON_Delete(j);
	return r;
}

int
av_is_premium_full(const char *body, size_t len)
{
	cJSON *j = av_parse_object(body, len), *v;
	int r = 0;

	if (j == NULL)
		return 0;
	v = cJSON_GetObjectItemCaseSensitive(j, "Information");
	if (cJSON_IsString(v) && strcasestr(v->valuestring, "premium") &&
	    strcasestr(v->valuestring, "outputsize"))
		r = 1;
	cJSON_Delete(j);
	return r;
}

/*
 * A number that Alpha Vantage writes as a string ("187.4400", "None",
 * "-", "0.0039") or, rarely, a number: the value, or NAN.
 */
static double
av_number(const cJSON *j, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
	char *end;
	double d;

	if (cJSON_IsNumber(v))
		return isfinite(v->valuedouble) ? v->valuedouble : NAN;
	if (!cJSON_IsString(v) || v->valuestring[0] == '\0')
		return NAN;
	errno = 0;
	d = strtod(v->valuestring, &end);
	if (end == v->valuestring || *end != '\0' || errno == ERANGE ||
	    !isfinite(d))
		return NAN;
	return d;
}

/* Copies the string member KEY of J into OUT (SIZE bytes), if any. */
static void
av_copy(const cJSON *j, const char *key, char *out, size_t size)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);

	if (cJSON_IsString(v) && strcmp(v->valuestring, "None") != 0)
		snprintf(out, size, "%s", v->valuestring);
}

/* Sets *CAUSE for a body that is not data and returns what it is. */
static int
av_not_data(const char *body, size_t len, char **cause)
{
	char *why = NULL;
	enum fetch_body k = av_check_body(body, len, &why);

	if (k == FETCH_BODY_DATA) {
		*cause = xstrdup("alphavantage: an answer of another shape "
				 "than expected");
		return AV_BAD;
	}
	*cause = xasprintf("alphavantage: %s", why);
	free(why);
	return k == FETCH_BODY_NOT_FOUND ? AV_NOT_FOUND : AV_BAD;
}

/* One daily bar from an entry {"1. open": .., ...}. Returns 0 or -1. */
static int
av_bar(const cJSON *e, double v[5])
{
	static const char *const keys[5] = { "1. open", "2. high", "3. low",
		"4. close", "5. volume" };
	int i;

	for (i = 0; i < 5; i++)
		if (isnan(v[i] = av_number(e, keys[i])) || v[i] < 0)
			return -1;
	if (v[3] <= 0 || v[1] < fmax(v[0], v[3]) || v[2] > fmin(v[0], v[3]))
		return -1;
	return 0;
}

static void
av_bars_alloc(struct market_bars *b, size_t n)
{
	b->date = xreallocarray(NULL, n + 1, sizeof *b->date);
	b->open = xreallocarray(NULL, n + 1, sizeof *b->open);
	b->high = xreallocarray(NULL, n + 1, sizeof *b->high);
	b->low = xreallocarray(NULL, n + 1, sizeof *b->low);
	b->close = xreallocarray(NULL, n + 1, sizeof *b->close);
	b->volume = xreallocarray(NULL, n + 1, sizeof *b->volume);
}

/* Index order of B's dates (insertion sort: answers come newest first,
 * so reversing is the common case and cheap enough either way). */
static void
av_bars_sort(struct market_bars *b)
{
	size_t i, j;

	for (i = 1; i < b->n; i++) {
		int32_t d = b->date[i];
		double o = b->open[i], h = b->high[i], l = b->low[i],
		       c = b->close[i], v = b->volume[i];

		for (j = i; j > 0 && b->date[j - 1] > d; j--) {
			b->date[j] = b->date[j - 1];
			b->open[j] = b->open[j - 1];
			b->high[j] = b->high[j - 1];
			b->low[j] = b->low[j - 1];
			b->close[j] = b->close[j - 1];
			b->volume[j] = b->volume[j - 1];
		}
		b->date[j] = d;
		b->open[j] = o;
		b->high[j] = h;
		b->low[j] = l;
		b->close[j] = c;
		b->volume[j] = v;
	}
}

/* Reverses B in place (newest first into ascending). */
static void
av_bars_reverse(struct market_bars *b)
{
	size_t i, j;

	for (i = 0, j = b->n ? b->n - 1 : 0; i < j; i++, j--) {
#define AV_SWAP(a, T)                                                          \
	do {                                                                   \
		T t_ = (a)[i];                                                 \
		(a)[i] = (a)[j];                                               \
		(a)[j] = t_;                                                   \
	} while (0)
		AV_SWAP(b->date, int32_t);
		AV_SWAP(b->open, double);
		AV_SWAP(b->high, double);
		AV_SWAP(b->low, double);
		AV_SWAP(b->close, double);
		AV_SWAP(b->volume, double);
#undef AV_SWAP
	}
}

int
av_parse_daily(const char *body, size_t len, int32_t from, int32_t as_of,
    struct market_bars *out, char **cause)
{
	cJSON *j, *ts, *e, *meta;
	size_t n = 0, i;
	double v[5];
	int32_t day;

	memset(out, 0, sizeof *out);
	if ((j = av_parse_object(body, len)) == NULL ||
	    !cJSON_IsObject(ts = cJSON_GetObjectItemCaseSensitive(j,
				"Time Series (Daily)"))) {
		cJSON_Delete(j);
		return av_not_data(body, len, cause);
	}
	cJSON_ArrayForEach(e, ts)
		n++;
	av_bars_alloc(out, n);
	cJSON_ArrayForEach(e, ts) {
		if (e->string == NULL || date_parse(e->string, &day) != 0 ||
		    av_bar(e, v) != 0) {
			*cause = xasprintf("alphavantage: a daily bar '%.10s' "
					   "that is not a date with prices",
			    e->string != NULL ? e->string : "");
			market_bars_free(out);
			cJSON_Delete(j);
			return AV_BAD;
		}
		if (day < from || day > as_of)
			continue;
		i = out->n++;
		out->date[i] = day;
		out->open[i] = v[0];
		out->high[i] = v[1];
		out->low[i] = v[2];
		out->close[i] = v[3];
		out->volume[i] = v[4];
	}
	if (out->n > 1 && out->date[0] > out->date[1])
		av_bars_reverse(out);
	av_bars_sort(out);
	for (i = 1; i < out->n; i++)
		if (out->date[i] == out->date[i - 1]) {
			*cause = xstrdup("alphavantage: a day given twice");
			market_bars_free(out);
			cJSON_Delete(j);
			return AV_BAD;
		}
	meta = cJSON_GetObjectItemCaseSensitive(j, "Meta Data");
	if (cJSON_IsObject(meta))
		av_copy(meta, "5. Time Zone", out->timezone,
		    sizeof out->timezone);
	if (strcmp(out->timezone, "US/Eastern") == 0)
		snprintf(out->timezone, sizeof out->timezone,
		    "America/New_York");
	snprintf(out->origin.provider, sizeof out->origin.provider,
	    "alphavantage");
	cJSON_Delete(j);
	return 0;
}

int
av_parse_quote(const char *body, size_t len, struct av_quote *out, char **cause)
{
	cJSON *j, *q;
	const cJSON *d;

	memset(out, 0, sizeof *out);
	if ((j = av_parse_object(body, len)) == NULL ||
	    !cJSON_IsObject(q = cJSON_GetObjectItemCaseSensitive(j,
				"Global Quote")) ||
	    q->child == NULL) {
		cJSON_Delete(j);
		return av_not_data(body, len, cause);
	}
	d = cJSON_GetObjectItemCaseSensitive(q, "07. latest trading day");
	out->open = av_number(q, "02. open");
	out->high = av_number(q, "03. high");
	out->low = av_number(q, "04. low");
	out->price = av_number(q, "05. price");
	out->volume = av_number(q, "06. volume");
	out->previous_close = av_number(q, "08. previous close");
	if (!cJSON_IsString(d) || date_parse(d->valuestring, &out->date) != 0 ||
	    !(out->price > 0) || !(out->high >= fmax(out->open, out->price)) ||
	    !(out->low <= fmin(out->open, out->price)) || !(out->low > 0) ||
	    !(out->volume >= 0)) {
		*cause = xstrdup("alphavantage: a quote without a date or "
				 "consistent prices");
		cJSON_Delete(j);
		memset(out, 0, sizeof *out);
		return AV_BAD;
	}
	cJSON_Delete(j);
	return 0;
}

/* A fraction member as a percentage, or NAN. */
static double
av_percent(const cJSON *j, const char *key)
{
	double v = av_number(j, key);

	return isnan(v) ? NAN : v * 100;
}

/* A ratio or amount that only means something above zero. */
static double
av_positive(const cJSON *j, const char *key)
{
	double v = av_number(j, key);

	return v > 0 ? v : NAN;
}

int
av_parse_overview(const char *body, size_t len, struct market_profile *profile,
    struct market_fundamentals *f, char **cause)
{
	cJSON *j;

	memset(profile, 0, sizeof *profile);
	if ((j = av_parse_object(body, len)) == NULL ||
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "Symbol"))) {
		cJSON_Delete(j);
		return av_not_data(body, len, cause);
	}
	av_copy(j, "Symbol", profile->symbol, sizeof profile->symbol);
	av_copy(j, "Name", profile->name, sizeof profile->name);
	av_copy(j, "Sector", profile->sector, sizeof profile->sector);
	av_copy(j, "Industry", profile->industry, sizeof profile->industry);
	av_copy(j, "Currency", profile->currency, sizeof profile->currency);
	av_copy(j, "Exchange", profile->exchange, sizeof profile->exchange);
	av_copy(j, "Description", profile->description,
	    sizeof profile->description);
	av_copy(j, "AssetType", profile->quote_type,
	    sizeof profile->quote_type);
	f->market_cap = av_positive(j, "MarketCapitalization");
	f->shares_outstanding = av_positive(j, "SharesOutstanding");
	f->pe_ratio = av_positive(j, "TrailingPE");
	if (isnan(f->pe_ratio))
		f->pe_ratio = av_positive(j, "PERatio");
	f->forward_pe = av_positive(j, "ForwardPE");
	f->price_to_book = av_positive(j, "PriceToBookRatio");
	f->dividend_yield_pct = av_percent(j, "DividendYield");
	f->dividend_per_share = av_number(j, "DividendPerShare");
	f->revenue_ttm = av_number(j, "RevenueTTM");
	f->profit_margin_pct = av_percent(j, "ProfitMargin");
	f->eps_ttm = av_number(j, "DilutedEPSTTM");
	if (isnan(f->eps_ttm))
		f->eps_ttm = av_number(j, "EPS");
	f->book_value_per_share = av_number(j, "BookValue");
	cJSON_Delete(j);
	return 0;
}

/* "20240105T143000" (UTC) into Unix seconds, or -1. */
static int64_t
av_time(const char *s)
{
	int y, mo, d, h = 0, mi = 0, se = 0;
	int32_t day;

	if (sscanf(s, "%4d%2d%2dT%2d%2d%2d", &y, &mo, &d, &h, &mi, &se) < 3 ||
	    mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    se > 60 || h < 0 || mi < 0 || se < 0)
		return -1;
	day = date_from_ymd(y, mo, d);
	return (int64_t)day * 86400 + h * 3600 + mi * 60 + se;
}

/* "positive", "negative" or "neutral" from a label such as
 * "Somewhat-Bullish". */
static const char *
av_sentiment(const char *label, double score)
{
	if (label != NULL && strcasestr(label, "bullish") != NULL)
		return "positive";
	if (label != NULL && strcasestr(label, "bearish") != NULL)
		return "negative";
	if (label == NULL && score >= 0.15)
		return "positive";
	if (label == NULL && score <= -0.15)
		return "negative";
	return "neutral";
}

/* The sentiment of item E for SYMBOL (its own rating, else overall). */
static void
av_item_sentiment(const cJSON *e, const char *symbol, struct market_news *n)
{
	const cJSON *ts = cJSON_GetObjectItemCaseSensitive(e,
			"ticker_sentiment"),
		    *t;
	const char *label;
	double score;

	cJSON_ArrayForEach(t, ts) {
		const cJSON *tk = cJSON_GetObjectItemCaseSensitive(t, "ticker");

		if (cJSON_IsString(tk) &&
		    strcasecmp(tk->valuestring, symbol) == 0) {
			score = av_number(t, "ticker_sentiment_score");
			label = cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(t,
				"ticker_sentiment_label"));
			if (!isnan(score)) {
				n->sentiment_score = fmax(-1, fmin(1, score));
				snprintf(n->sentiment, sizeof n->sentiment,
				    "%s", av_sentiment(label, score));
				return;
			}
		}
	}
	score = av_number(e, "overall_sentiment_score");
	label = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e,
	    "overall_sentiment_label"));
	n->sentiment_score = isnan(score) ? 0 : fmax(-1, fmin(1, score));
	snprintf(n->sentiment, sizeof n->sentiment, "%s",
	    av_sentiment(label, n->sentiment_score));
}

static int
av_news_cmp(const void *pa, const void *pb)
{
	const struct market_news *a = pa, *b = pb;

	return a->published < b->published ? 1 :
	    a->published > b->published	   ? -1 :
					     0;
}

int
av_parse_news(const char *body, size_t len, const char *symbol, int32_t as_of,
    size_t max, struct market_news **out, size_t *n_out, char **cause)
{
	cJSON *j, *feed, *e;
	struct market_news *v;
	size_t n = 0, cap;
	int64_t t;

	*out = NULL;
	*n_out = 0;
	if ((j = av_parse_object(body, len)) == NULL ||
	    !cJSON_IsArray(feed = cJSON_GetObjectItemCaseSensitive(j,
			       "feed"))) {
		cJSON_Delete(j);
		return av_not_data(body, len, cause);
	}
	cap = (size_t)cJSON_GetArraySize(feed);
	v = xcalloc(cap + 1, sizeof *v);
	cJSON_ArrayForEach(e, feed) {
		const char *title = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(e, "title"));
		const char *tp = cJSON_GetStringValue(
		    cJSON_GetObjectItemCaseSensitive(e, "time_published"));

		if (title == NULL || tp == NULL || (t = av_time(tp)) < 0 ||
		    t / 86400 > as_of || n >= cap)
			continue;
		v[n].published = t;
		v[n].date = (int32_t)(t / 86400);
		snprintf(v[n].headline, sizeof v[n].headline, "%s", title);
		av_copy(e, "source", v[n].source, sizeof v[n].source);
		av_copy(e, "url", v[n].url, sizeof v[n].url);
		av_item_sentiment(e, symbol, &v[n]);
		n++;
	}
	cJSON_Delete(j);
	qsort(v, n, sizeof *v, av_news_cmp);
	if (n > max)
		n = max;
	if (n == 0) {
		free(v);
		v = NULL;
	}
	*out = v;
	*n_out = n;
	return 0;
}
