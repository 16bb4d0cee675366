/*
 * provider-alphavantage.c: the "alphavantage" provider (Alpha Vantage,
 * https://www.alphavantage.co/documentation/), with a key.
 *
 * history: TIME_SERIES_DAILY with outputsize=full; a free key is refused
 * that (a premium feature since 2025), and then the last 100 days
 * (outputsize=compact) are taken. When the series ends before the as-of
 * day, GLOBAL_QUOTE adds the latest day. profile and fundamentals:
 * OVERVIEW (one request serves both). news: NEWS_SENTIMENT.
 *
 * The key is a query parameter: the fetch layer keeps it out of every
 * message and log line, and no answer text (which may quote it) is
 * repeated. A free key allows about one request a second and 25 a day:
 * the limiter spaces requests a second apart, and a daily limit is
 * reported as throttled, never as "no data".
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/xmalloc.h"
#include "tools/market/fetch.h"
#include "tools/market/parse-alphavantage.h"
#include "tools/market/provider.h"

#define AV_DEFAULT_URL "https://www.alphavantage.co/query"
#define AV_NEWS_MAX 10

/* Yahoo-style exchange suffixes and Alpha Vantage's names for them. */
static const struct {
	const char *yahoo, *av;
} av_suffixes[] = {
	{ ".L", ".LON" },
	{ ".TO", ".TRT" },
	{ ".V", ".TRV" },
	{ ".DE", ".DEX" },
	{ ".BO", ".BSE" },
	{ ".SS", ".SHH" },
	{ ".SZ", ".SHZ" },
};

/* The last OVERVIEW answer, so profile and fundamentals cost one request. */
static pthread_mutex_t av_memo_lock = PTHREAD_MUTEX_INITIALIZER;
static char av_memo_symbol[32];
static char *av_memo_body;
static size_t av_memo_len;

/* SYMBOL as Alpha Vantage spells it, URL-encoded, into OUT (64 bytes). */
static void
av_symbol(const char *symbol, char *out, size_t size)
{
	size_t i, n = strlen(symbol), o = 0;
	const char *suffix = "";

	for (i = 0; i < sizeof av_suffixes / sizeof *av_suffixes; i++) {
		size_t k = strlen(av_suffixes[i].yahoo);

		if (n > k &&
		    strcmp(symbol + n - k, av_suffixes[i].yahoo) == 0) {
			n -= k;
			suffix = av_suffixes[i].av;
			break;
		}
	}
	for (i = 0; i < n && o + 4 < size; i++) {
		unsigned char c = (unsigned char)symbol[i];

		if (c == '^' || c == '=')
			o += (size_t)snprintf(out + o, size - o, "%%%02X", c);
		else
			out[o++] = (char)c;
	}
	snprintf(out + o, size - o, "%s", suffix);
}

/* The key, or NULL with *cause saying how to give one. */
static const char *
av_key(char **cause)
{
	const char *k = market_config_get()->alphavantage_key;

	if (k == NULL || *k == '\0') {
		*cause = xstrdup("alphavantage: no API key; set the "
				 "alphavantage_key setting or "
				 "ALPHAVANTAGE_API_KEY (a free key: "
				 "https://www.alphavantage.co/support/"
				 "#api-key)");
		return NULL;
	}
	return k;
}

/*
 * GETs FUNCTION for SYMBOL with EXTRA query parameters ("&outputsize=
 * full") into *R. Returns 0, or -1 with *cause (no key, or R's message).
 */
static int
av_get(const char *function, const char *symbol, const char *extra,
    struct fetch_result *r, char **cause)
{
	const struct market_config *cfg = market_config_get();
	struct fetch_site site = {
		.name = "alphavantage",
		.per_second = 1.0,
		.attempts = 2,
		.base_delay_ms = 1500,
		.max_wait_ms = 15000,
		.timeout_ms = cfg->timeout_ms,
		.max_body = 64u * 1024 * 1024,
		.check_body = av_check_body,
	};
	const char *key, *base = cfg->alphavantage_url;
	char sym[64], *url;
	int rc;

	fetch_result_init(r);
	if ((key = av_key(cause)) == NULL)
		return -1;
	if (base == NULL || *base == '\0')
		base = AV_DEFAULT_URL;
	av_symbol(symbol, sym, sizeof sym);
	url = xasprintf("%s%sfunction=%s&%s=%s%s&apikey=%s", base,
	    strchr(base, '?') != NULL ? "&" : "?", function,
	    strcmp(function, "NEWS_SENTIMENT") == 0 ? "tickers" : "symbol", sym,
	    extra, key);
	rc = fetch_get(&site, url, NULL, NULL, r);
	/* The URL held the key: wipe it before the memory is reused. */
	memset(url, 0, strlen(url));
	free(url);
	if (rc != 0)
		*cause = xstrdup(r->message != NULL ? r->message :
						      "alphavantage: failed");
	return rc;
}

/* The cause of a failed parse, with the symbol for "not found". */
static int
av_fail(int rc, const char *symbol, char **cause)
{
	if (rc == AV_NOT_FOUND) {
		free(*cause);
		*cause = xasprintf("alphavantage: no such symbol %s", symbol);
	}
	return -1;
}

/* Appends the GLOBAL_QUOTE day to B when it is after B's last and on or
 * before AS_OF. Failures leave B as it is: the series is the data. */
static void
av_add_quote(const char *symbol, int32_t as_of, struct market_bars *b)
{
	struct fetch_result r;
	struct av_quote q;
	char *cause = NULL;
	size_t n = b->n;

	if (av_get("GLOBAL_QUOTE", symbol, "", &r, &cause) != 0 ||
	    av_parse_quote(r.body.data, r.body.len, &q, &cause) != 0 ||
	    q.date > as_of || (n > 0 && q.date <= b->date[n - 1])) {
		if (cause != NULL)
			log_debug("%s", cause);
		free(cause);
		fetch_result_free(&r);
		return;
	}
	fetch_result_free(&r);
#define AV_GROW(a) (a) = xreallocarray((a), n + 1, sizeof *(a))
	AV_GROW(b->date);
	AV_GROW(b->open);
	AV_GROW(b->high);
	AV_GROW(b->low);
	AV_GROW(b->close);
	AV_GROW(b->volume);
#undef AV_GROW
	b->date[n] = q.date;
	b->open[n] = q.open;
	b->high[n] = q.high;
	b->low[n] = q.low;
	b->close[n] = q.price;
	b->volume[n] = q.volume;
	b->n = n + 1;
}

static int
av_history(const char *symbol, int32_t as_of, int32_t from,
    struct market_bars *out, char **cause)
{
	struct fetch_result r;
	int rc;

	if (symbol[0] == '^') { /* not a request of the day's 25 for that */
		*cause = xasprintf("alphavantage: no such symbol %s (its daily "
				   "series has no indices)",
		    symbol);
		return -1;
	}
	rc = av_get("TIME_SERIES_DAILY", symbol, "&outputsize=full", &r, cause);
	if (rc != 0 && r.status == FETCH_UNAUTHORIZED &&
	    av_is_premium_full(r.body.data, r.body.len)) {
		log_info("alphavantage: a free key gets the last 100 days "
			 "only (outputsize=full is a premium feature)");
		free(*cause);
		*cause = NULL;
		fetch_result_free(&r);
		rc = av_get("TIME_SERIES_DAILY", symbol, "&outputsize=compact",
		    &r, cause);
	}
	if (rc != 0) {
		fetch_result_free(&r);
		return -1;
	}
	rc = av_parse_daily(r.body.data, r.body.len, from, as_of, out, cause);
	out->origin.fetched_at = r.fetched_at;
	fetch_result_free(&r);
	if (rc != 0)
		return av_fail(rc, symbol, cause);
	if (out->n == 0 || out->date[out->n - 1] < as_of)
		av_add_quote(symbol, as_of, out);
	snprintf(out->currency, sizeof out->currency, "%s",
	    strchr(symbol, '.') == NULL ? "USD" : "");
	return 0;
}

/* OVERVIEW of SYMBOL, from the memo or a request. */
static int
av_overview(const char *symbol, struct market_profile *p,
    struct market_fundamentals *f, char **cause)
{
	struct market_fundamentals scratch;
	struct fetch_result r;
	int rc;

	if (f == NULL)
		f = &scratch;
	pthread_mutex_lock(&av_memo_lock);
	if (av_memo_body != NULL && strcmp(av_memo_symbol, symbol) == 0) {
		rc = av_parse_overview(av_memo_body, av_memo_len, p, f, cause);
		pthread_mutex_unlock(&av_memo_lock);
		return rc == 0 ? 0 : av_fail(rc, symbol, cause);
	}
	pthread_mutex_unlock(&av_memo_lock);
	if (av_get("OVERVIEW", symbol, "", &r, cause) != 0) {
		fetch_result_free(&r);
		return -1;
	}
	rc = av_parse_overview(r.body.data, r.body.len, p, f, cause);
	if (rc == 0) {
		pthread_mutex_lock(&av_memo_lock);
		free(av_memo_body);
		av_memo_len = r.body.len;
		av_memo_body = xmalloc(r.body.len + 1);
		memcpy(av_memo_body, r.body.data, r.body.len);
		snprintf(av_memo_symbol, sizeof av_memo_symbol, "%s", symbol);
		pthread_mutex_unlock(&av_memo_lock);
	}
	fetch_result_free(&r);
	return rc == 0 ? 0 : av_fail(rc, symbol, cause);
}

static int
av_profile(const char *symbol, struct market_profile *out, char **cause)
{
	if (av_overview(symbol, out, NULL, cause) != 0)
		return -1;
	snprintf(out->symbol, sizeof out->symbol, "%s", symbol);
	return 0;
}

static int
av_fundamentals(const char *symbol, int32_t as_of,
    struct market_fundamentals *out, char **cause)
{
	struct market_profile p;

	(void)as_of; /* OVERVIEW is today's: the chain records its time */
	return av_overview(symbol, &p, out, cause);
}

static int
av_news(const char *symbol, int32_t as_of, struct market_news **out,
    size_t *n_out, char **cause)
{
	struct fetch_result r;
	int rc;

	if (av_get("NEWS_SENTIMENT", symbol, "&sort=LATEST&limit=50", &r,
		cause) != 0) {
		fetch_result_free(&r);
		return -1;
	}
	rc = av_parse_news(r.body.data, r.body.len, symbol, as_of, AV_NEWS_MAX,
	    out, n_out, cause);
	fetch_result_free(&r);
	return rc == 0 ? 0 : av_fail(rc, symbol, cause);
}

const struct market_provider provider_alphavantage_entry = {
	.name = "alphavantage",
	.history = av_history,
	.profile = av_profile,
	.fundamentals = av_fundamentals,
	.news = av_news,
};
