/*
 * provider-edgar.c: the "edgar" provider, fundamentals of US filers from
 * SEC EDGAR's XBRL company facts (https://www.sec.gov/edgar/sec-api-
 * documentation), no key.
 *
 * The SEC asks every automated client to say who it is in its User-Agent
 * (a name and an e-mail address) and to make at most 10 requests a second;
 * a client that does not is refused with an "Undeclared Automated Tool"
 * page. So the provider runs only with the sec_user_agent setting, sends
 * it as the User-Agent, and its limiter (one for the process, shared by a
 * batch's threads) allows 10 requests a second.
 *
 * A symbol is found in the ticker map (fetched once per process), its
 * company facts read as of the as-of day, and the ratios computed with the
 * as-of close from the history providers (EDGAR has no prices).
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/log.h"
#include "lib/xmalloc.h"
#include "tools/market/fetch.h"
#include "tools/market/parse-edgar.h"
#include "tools/market/provider.h"

#define EDGAR_DEFAULT_URL "https://data.sec.gov"
#define EDGAR_DEFAULT_TICKERS "https://www.sec.gov/files/company_tickers.json"
#define EDGAR_PRICE_CHAIN "csv,yahoo,stooq,alphavantage"

/* The ticker map, fetched once per process. */
static pthread_mutex_t edgar_map_lock = PTHREAD_MUTEX_INITIALIZER;
static char *edgar_map;
static size_t edgar_map_len;

/* GETs URL with the configured User-Agent into *R. */
static int
edgar_get(const char *url, struct fetch_result *r, char **cause)
{
	const struct market_config *cfg = market_config_get();
	struct fetch_site site = {
		.name = "edgar",
		.per_second = 10.0,
		.attempts = 3,
		.base_delay_ms = 1000,
		.max_wait_ms = 20000,
		.timeout_ms = cfg->timeout_ms,
		.max_body = 128u * 1024 * 1024,
		.check_body = edgar_check_body,
	};
	struct http_headers h;
	char *why = NULL;
	int rc;

	fetch_result_init(r);
	if (cfg->sec_user_agent == NULL || *cfg->sec_user_agent == '\0') {
		*cause = xstrdup("edgar: set sec_user_agent to your name and "
				 "e-mail address (\"Jane Doe "
				 "jane@example.com\"): the SEC refuses "
				 "clients that do not say who they are");
		return -1;
	}
	http_headers_init(&h);
	http_headers_add(&h, "User-Agent", cfg->sec_user_agent);
	rc = fetch_get(&site, url, &h, NULL, r);
	http_headers_free(&h);
	if (rc != 0 && r->status == FETCH_UNAUTHORIZED &&
	    edgar_check_body(r->body.data, r->body.len, &why) ==
		FETCH_BODY_UNAUTHORIZED)
		/* The SEC sends its block page with 403: say what it means. */
		*cause = xasprintf("edgar: %s (HTTP %ld)", why, r->http_status);
	else if (rc != 0)
		*cause = xstrdup(r->message != NULL ? r->message :
						      "edgar: failed");
	free(why);
	return rc;
}

/* SYMBOL's CIK and name from the ticker map. */
static int
edgar_cik(const char *symbol, long *cik, char *name, size_t size, char **cause)
{
	const char *u = market_config_get()->edgar_tickers_url;
	struct fetch_result r;
	int rc;

	pthread_mutex_lock(&edgar_map_lock);
	if (edgar_map == NULL) {
		if (edgar_get(u != NULL && *u != '\0' ? u :
							EDGAR_DEFAULT_TICKERS,
			&r, cause) != 0) {
			fetch_result_free(&r);
			pthread_mutex_unlock(&edgar_map_lock);
			return -1;
		}
		edgar_map_len = r.body.len;
		edgar_map = xmalloc(r.body.len + 1);
		memcpy(edgar_map, r.body.data, r.body.len);
		fetch_result_free(&r);
	}
	rc = edgar_parse_tickers(edgar_map, edgar_map_len, symbol, cik, name,
	    size, cause);
	if (rc == EDGAR_BAD) { /* fetch it again next time */
		free(edgar_map);
		edgar_map = NULL;
	}
	pthread_mutex_unlock(&edgar_map_lock);
	return rc == 0 ? 0 : -1;
}

/* The close of SYMBOL on or before AS_OF from the history providers. */
static int
edgar_price(const char *symbol, int32_t as_of, double *price)
{
	const char *chain = market_config_get()->history_chain;
	char *list = xstrdup(chain != NULL && *chain != '\0' ?
		     chain :
		     EDGAR_PRICE_CHAIN),
	     *save = NULL, *name;
	int rc = -1;

	for (name = strtok_r(list, ", ", &save); name != NULL && rc != 0;
	     name = strtok_r(NULL, ", ", &save)) {
		const struct market_provider *p = market_provider_find(name);
		struct market_bars b;
		char *cause = NULL;

		if (p == NULL || strcmp(name, "edgar") == 0)
			continue;
		if (market_history(p, symbol, as_of, as_of - 10, &b, &cause) ==
			0 &&
		    b.n > 0) {
			*price = b.close[b.n - 1];
			rc = 0;
		} else if (cause != NULL) {
			log_debug("edgar: price of %s: %s", symbol, cause);
		}
		free(cause);
		market_bars_free(&b);
	}
	free(list);
	return rc;
}

static int
edgar_fundamentals_op(const char *symbol, int32_t as_of,
    struct market_fundamentals *out, char **cause)
{
	const char *base = market_config_get()->edgar_url;
	struct edgar_facts x;
	struct fetch_result r;
	char name[128], *url;
	double price = NAN;
	long cik;
	int rc;

	if (edgar_cik(symbol, &cik, name, sizeof name, cause) != 0)
		return -1;
	url = xasprintf("%s/api/xbrl/companyfacts/CIK%010ld.json",
	    base != NULL && *base != '\0' ? base : EDGAR_DEFAULT_URL, cik);
	rc = edgar_get(url, &r, cause);
	free(url);
	if (rc != 0) {
		fetch_result_free(&r);
		return -1;
	}
	rc = edgar_parse_facts(r.body.data, r.body.len, as_of, &x, cause);
	fetch_result_free(&r);
	if (rc != 0)
		return -1;
	if (edgar_price(symbol, as_of, &price) != 0)
		log_info("edgar: no close of %s on or before the as-of day: "
			 "ratios to the price are left out",
		    symbol);
	edgar_fundamentals(&x, price, out);
	return 0;
}

static int
edgar_profile(const char *symbol, struct market_profile *out, char **cause)
{
	long cik;

	memset(out, 0, sizeof *out);
	if (edgar_cik(symbol, &cik, out->name, sizeof out->name, cause) != 0)
		return -1;
	snprintf(out->symbol, sizeof out->symbol, "%s", symbol);
	snprintf(out->currency, sizeof out->currency, "USD");
	snprintf(out->description, sizeof out->description,
	    "SEC filer, CIK %010ld.", cik);
	return 0;
}

const struct market_provider provider_edgar_entry = {
	.name = "edgar",
	.profile = edgar_profile,
	.fundamentals = edgar_fundamentals_op,
};
