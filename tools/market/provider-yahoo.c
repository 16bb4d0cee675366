/*
 * provider-yahoo.c: Yahoo Finance (no key): daily history from the v8
 * chart API, profile and fundamentals from quoteSummary behind the cookie
 * and crumb handshake, headlines from the RSS feed, and symbol search.
 *
 * The handshake: a GET of yahoo_cookie_url (fc.yahoo.com) sets Yahoo's
 * cookies in libcurl's cookie engine; a GET of /v1/test/getcrumb with them
 * answers the crumb as plain text; quoteSummary then takes &crumb=. The
 * jar and crumb are kept for the process (all threads) and redone once
 * when quoteSummary answers 401 or "Invalid Crumb".
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/http.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "tools/market/fetch.h"
#include "tools/market/market.h"
#include "tools/market/parse.h"
#include "tools/market/provider.h"

#define YAHOO_URL "https://query1.finance.yahoo.com"
#define YAHOO_COOKIE_URL "https://fc.yahoo.com"
#define YAHOO_NEWS_URL "https://feeds.finance.yahoo.com/rss/2.0/headline"
/* Yahoo answers scripts that say who they are with 429; a browser-like
 * agent is what every client sends. */
#define YAHOO_AGENT                                                            \
	"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like "     \
	"Gecko) Chrome/124.0 Safari/537.36 " PACKAGE_NAME "/" PACKAGE_VERSION
#define YAHOO_MODULES                                                          \
	"price,summaryDetail,defaultKeyStatistics,financialData,assetProfile"
#define YAHOO_NEWS_MAX 10
#define YAHOO_MEMO_S 60

static enum fetch_body yahoo_check(const char *body, size_t len, char **why);

/* The crumb handshake and the last quoteSummary, shared by threads. */
static struct {
	pthread_mutex_t lock;
	struct http_cookies *jar;
	char crumb[128];
	char memo_symbol[40];
	time_t memo_at;
	int64_t memo_fetched;
	struct market_profile memo_profile;
	struct market_fundamentals memo_fund;
} yahoo = { .lock = PTHREAD_MUTEX_INITIALIZER };

static struct fetch_site
yahoo_site(void)
{
	const struct market_config *c = market_config_get();
	struct fetch_site s = {
		.name = "yahoo",
		.per_second = 2,
		.attempts = c->retries >= 0 ? c->retries + 1 : 3,
		.timeout_ms = c->timeout_ms,
		.max_body = 16u * 1024 * 1024,
		.check_body = yahoo_check,
	};

	return s;
}

static const char *
yahoo_base(void)
{
	const char *u = market_config_get()->yahoo_url;

	return u != NULL && *u ? u : YAHOO_URL;
}

/* Yahoo's "Too Many Requests" comes as text, sometimes with HTTP 200; a
 * consent or error page comes as HTML. */
static enum fetch_body
yahoo_check(const char *body, size_t len, char **why)
{
	if (len >= 17 &&
	    (strncmp(body, "Too Many Requests", 17) == 0 ||
		strstr(body, "Edge: Too Many Requests") != NULL)) {
		*why = xstrdup("Too Many Requests");
		return FETCH_BODY_THROTTLED;
	}
	if (fetch_body_is_html(body, len)) {
		*why = xstrdup("an HTML page instead of data (a consent or "
			       "error page)");
		return FETCH_BODY_OTHER;
	}
	return FETCH_BODY_DATA;
}

/*
 * SYMBOL as Yahoo spells it: a class share typed with a dot (BRK.B, BF.B)
 * takes a dash (BRK-B); a one-letter suffix that is a Yahoo exchange
 * (.L London, .T Tokyo, .V TSX Venture, .F Frankfurt) stays.
 */
static void
yahoo_symbol(const char *symbol, char *out, size_t size)
{
	const char *dot = strrchr(symbol, '.');

	snprintf(out, size, "%s", symbol);
	if (dot != NULL && dot != symbol && strlen(dot) == 2 &&
	    isalpha((unsigned char)dot[1]) && strchr("LTVF", dot[1]) == NULL &&
	    symbol[0] != '^')
		out[dot - symbol] = '-';
}

static void
yahoo_headers(struct http_headers *h)
{
	http_headers_init(h);
	http_headers_add(h, "User-Agent", YAHOO_AGENT);
	http_headers_add(h, "Accept", "application/json,text/plain,*/*");
}

/* GETs URL (with the cookie jar when JAR). Returns 0, or -1 with
 * *cause. */
static int
yahoo_get(const char *url, int jar, struct fetch_result *r, char **cause)
{
	struct fetch_site site = yahoo_site();
	struct http_headers h;
	int rc;

	yahoo_headers(&h);
	fetch_result_init(r);
	rc = fetch_get(&site, url, &h, jar ? yahoo.jar : NULL, r);
	http_headers_free(&h);
	if (rc != 0)
		*cause = xstrdup(r->message);
	return rc;
}

/* Sets the jar up (once). Call with yahoo.lock held. */
static int
yahoo_jar(char **cause)
{
	if (yahoo.jar == NULL)
		yahoo.jar = http_cookies_new(cause);
	return yahoo.jar != NULL ? 0 : -1;
}

/* A crumb is short printable text; anything else is not one. */
static int
crumb_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len >= sizeof yahoo.crumb)
		return 0;
	for (i = 0; i < len; i++)
		if (!isgraph((unsigned char)s[i]) || strchr("<>{}\"", s[i]))
			return 0;
	return 1;
}

/* Makes the cookie and crumb handshake (again when RENEW). Call with
 * yahoo.lock held. */
static int
yahoo_handshake(int renew, char **cause)
{
	const char *cu = market_config_get()->yahoo_cookie_url;
	struct fetch_result r;
	char *url, *why = NULL;
	int rc;

	if (yahoo.crumb[0] != '\0' && !renew)
		return 0;
	if (yahoo_jar(cause) != 0)
		return -1;
	yahoo.crumb[0] = '\0';
	http_cookies_clear(yahoo.jar);
	/* fc.yahoo.com answers 404 and sets the cookie: the status does not
	 * matter, only the cookie does. */
	rc = yahoo_get(cu != NULL && *cu ? cu : YAHOO_COOKIE_URL, 1, &r, &why);
	if (rc != 0 && r.status != FETCH_NOT_FOUND && r.http_status == 0) {
		*cause = xasprintf("%s (getting Yahoo's cookie)", why);
		free(why);
		fetch_result_free(&r);
		return -1;
	}
	free(why);
	why = NULL;
	fetch_result_free(&r);
	url = xasprintf("%s/v1/test/getcrumb", yahoo_base());
	rc = yahoo_get(url, 1, &r, &why);
	free(url);
	if (rc == 0 && !crumb_ok(r.body.data, r.body.len)) {
		why = xstrdup("yahoo: the crumb answer is not a crumb");
		rc = -1;
	}
	if (rc == 0)
		snprintf(yahoo.crumb, sizeof yahoo.crumb, "%.*s",
		    (int)r.body.len, r.body.data);
	else
		*cause = xasprintf("%s (Yahoo's crumb handshake)", why);
	free(why);
	fetch_result_free(&r);
	return rc;
}

static int
yahoo_history(const char *symbol, int32_t as_of, int32_t from,
    struct market_bars *out, char **cause)
{
	char ysym[40], *esym, *url, *why = NULL;
	struct fetch_result r;
	int rc;

	yahoo_symbol(symbol, ysym, sizeof ysym);
	esym = fetch_url_encode(ysym);
	/* A day of margin each side: the exchange's day is not UTC's. */
	url = xasprintf("%s/v8/finance/chart/%s?period1=%lld&period2=%lld"
			"&interval=1d&events=div%%2Csplit"
			"&includeAdjustedClose=true",
	    yahoo_base(), esym, (long long)(from - 1) * 86400,
	    (long long)(as_of + 2) * 86400);
	free(esym);
	rc = yahoo_get(url, 0, &r, &why);
	free(url);
	if (rc != 0 && r.status == FETCH_NOT_FOUND && r.body.len > 0) {
		/* The 404 body says why: "No data found, symbol may be
		 * delisted". */
		free(why);
		why = NULL;
		rc = yahoo_parse_chart(r.body.data, r.body.len, from, as_of,
		    out, NULL, &why);
		if (rc == 0) {
			market_bars_free(out);
			why = xasprintf("yahoo: no such symbol %s", symbol);
			rc = -1;
		}
	} else if (rc == 0) {
		free(why);
		why = NULL;
		rc = yahoo_parse_chart(r.body.data, r.body.len, from, as_of,
		    out, NULL, &why);
	}
	if (rc == 0) {
		snprintf(out->origin.provider, sizeof out->origin.provider,
		    "yahoo");
		out->origin.fetched_at = r.fetched_at;
	} else {
		*cause = why;
		why = NULL;
	}
	free(why);
	fetch_result_free(&r);
	return rc == 0 ? 0 : -1;
}

/* One quoteSummary exchange with the current crumb; sets *UNAUTH when the
 * crumb was refused. Call with yahoo.lock held. */
static int
yahoo_summary_once(const char *ysym, struct market_profile *p,
    struct market_fundamentals *f, int64_t *fetched, int *unauth, char **cause)
{
	char *esym = fetch_url_encode(ysym),
	     *ec = fetch_url_encode(yahoo.crumb), *url;
	struct fetch_result r;
	char *why = NULL;
	int rc;

	url = xasprintf("%s/v10/finance/quoteSummary/%s?modules=" YAHOO_MODULES
			"&crumb=%s",
	    yahoo_base(), esym, ec);
	free(esym);
	free(ec);
	rc = yahoo_get(url, 1, &r, &why);
	free(url);
	*unauth = r.status == FETCH_UNAUTHORIZED ||
	    (r.body.len > 0 && strstr(r.body.data, "Invalid Crumb") != NULL);
	if ((rc == 0 || r.status == FETCH_NOT_FOUND) && !*unauth &&
	    r.body.len > 0) {
		free(why);
		why = NULL;
		rc = yahoo_parse_summary(r.body.data, r.body.len, p, f, &why);
	}
	*fetched = r.fetched_at;
	if (rc != 0)
		*cause = why;
	else
		free(why);
	fetch_result_free(&r);
	return rc == 0 ? 0 : -1;
}

/* Profile and fundamentals of SYMBOL (one quoteSummary per minute). */
static int
yahoo_summary(const char *symbol, struct market_profile *p,
    struct market_fundamentals *f, char **cause)
{
	char ysym[40];
	int64_t fetched = 0;
	int rc = -1, unauth = 0;

	yahoo_symbol(symbol, ysym, sizeof ysym);
	pthread_mutex_lock(&yahoo.lock);
	if (strcmp(yahoo.memo_symbol, ysym) == 0 &&
	    time(NULL) - yahoo.memo_at < YAHOO_MEMO_S) {
		*p = yahoo.memo_profile;
		*f = yahoo.memo_fund;
		pthread_mutex_unlock(&yahoo.lock);
		return 0;
	}
	if (yahoo_handshake(0, cause) == 0) {
		rc = yahoo_summary_once(ysym, p, f, &fetched, &unauth, cause);
		if (rc != 0 && unauth) {
			log_debug("yahoo: the crumb was refused; redoing the "
				  "handshake");
			free(*cause);
			*cause = NULL;
			if ((rc = yahoo_handshake(1, cause)) == 0)
				rc = yahoo_summary_once(ysym, p, f, &fetched,
				    &unauth, cause);
		}
	}
	if (rc == 0) {
		snprintf(yahoo.memo_symbol, sizeof yahoo.memo_symbol, "%s",
		    ysym);
		yahoo.memo_at = time(NULL);
		yahoo.memo_profile = *p;
		yahoo.memo_fund = *f;
	}
	pthread_mutex_unlock(&yahoo.lock);
	return rc;
}

static int
yahoo_profile(const char *symbol, struct market_profile *out, char **cause)
{
	struct market_fundamentals f;

	if (yahoo_summary(symbol, out, &f, cause) != 0)
		return -1;
	snprintf(out->symbol, sizeof out->symbol, "%s", symbol);
	return 0;
}

static int
yahoo_fundamentals(const char *symbol, int32_t as_of,
    struct market_fundamentals *out, char **cause)
{
	struct market_profile p;

	(void)as_of; /* Yahoo has today's figures only */
	return yahoo_summary(symbol, &p, out, cause);
}

static int
yahoo_news(const char *symbol, int32_t as_of, struct market_news **out,
    size_t *n_out, char **cause)
{
	const char *nu = market_config_get()->yahoo_news_url;
	char ysym[40], *esym, *url, *why = NULL;
	struct fetch_result r;
	int rc;

	yahoo_symbol(symbol, ysym, sizeof ysym);
	esym = fetch_url_encode(ysym);
	url = xasprintf("%s?s=%s&region=US&lang=en-US",
	    nu != NULL && *nu ? nu : YAHOO_NEWS_URL, esym);
	free(esym);
	rc = yahoo_get(url, 0, &r, &why);
	free(url);
	if (rc == 0) {
		free(why);
		why = NULL;
		rc = rss_parse_news(r.body.data, r.body.len, as_of,
		    YAHOO_NEWS_MAX, out, n_out, &why);
	}
	if (rc != 0)
		*cause = why;
	else
		free(why);
	fetch_result_free(&r);
	return rc == 0 ? 0 : -1;
}

int
provider_yahoo_search(const char *query, char *out, size_t size, char *name,
    size_t name_size, char **cause)
{
	char *q = fetch_url_encode(query), *url, *why = NULL;
	struct fetch_result r;
	int rc;

	url = xasprintf("%s/v1/finance/search?q=%s&quotesCount=5&newsCount=0"
			"&listsCount=0",
	    yahoo_base(), q);
	free(q);
	rc = yahoo_get(url, 0, &r, &why);
	free(url);
	if (rc == 0) {
		free(why);
		why = NULL;
		rc = yahoo_parse_search(r.body.data, r.body.len, out, size,
		    name, name_size, &why);
	}
	if (rc != 0)
		*cause = why;
	else
		free(why);
	fetch_result_free(&r);
	return rc == 0 ? 0 : -1;
}

const struct market_provider provider_yahoo_entry = {
	.name = "yahoo",
	.history = yahoo_history,
	.profile = yahoo_profile,
	.fundamentals = yahoo_fundamentals,
	.news = yahoo_news,
};
