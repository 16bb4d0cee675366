/*
 * provider-stooq.c: Stooq's daily CSV (no key; history only).
 *
 * Stooq names US listings "aapl.us", indices "^spx", and other markets by
 * a country suffix ("vod.uk", "7203.jp"); symbols are mapped from the
 * Yahoo-style spelling users type. Stooq answers "No data", "Exceeded the
 * daily hits limit" or an HTML page (since 2026 one that asks for an API
 * key or a browser check) with HTTP 200; stooq_body_kind says which.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/date.h"
#include "lib/xmalloc.h"
#include "tools/market/fetch.h"
#include "tools/market/market.h"
#include "tools/market/parse.h"
#include "tools/market/provider.h"

#define STOOQ_URL "https://stooq.com"

static enum fetch_body
stooq_check(const char *body, size_t len, char **why)
{
	return (enum fetch_body)stooq_body_kind(body, len, why);
}

/* Yahoo suffixes and the Stooq country suffix of the same market. */
static const struct {
	const char *yahoo, *stooq;
} stooq_suffixes[] = {
	{ "L", "uk" },
	{ "T", "jp" },
	{ "DE", "de" },
	{ "F", "de" },
	{ "HK", "hk" },
	{ "WA", "pl" },
	{ "HU", "hu" },
};

/* Indices under another name on Stooq. */
static const struct {
	const char *yahoo, *stooq;
} stooq_indices[] = {
	{ "^GSPC", "^spx" },
	{ "^DJI", "^dji" },
	{ "^IXIC", "^ndq" },
	{ "^FTSE", "^ftm" },
	{ "^N225", "^nkx" },
	{ "^GDAXI", "^dax" },
};

/* SYMBOL in Stooq's spelling into OUT; -1 when Stooq has no such market. */
static int
stooq_symbol(const char *symbol, char *out, size_t size)
{
	const char *dot = strrchr(symbol, '.');
	size_t i;

	for (i = 0; i < sizeof stooq_indices / sizeof *stooq_indices; i++)
		if (strcmp(symbol, stooq_indices[i].yahoo) == 0) {
			snprintf(out, size, "%s", stooq_indices[i].stooq);
			return 0;
		}
	if (dot != NULL && symbol[0] != '^') {
		for (i = 0; i < sizeof stooq_suffixes / sizeof *stooq_suffixes;
		     i++)
			if (strcmp(dot + 1, stooq_suffixes[i].yahoo) == 0)
				break;
		if (i < sizeof stooq_suffixes / sizeof *stooq_suffixes) {
			snprintf(out, size, "%.*s.%s", (int)(dot - symbol),
			    symbol, stooq_suffixes[i].stooq);
		} else if (strlen(dot) == 2) {
			/* A US class share: BRK.B is brk-b.us. */
			snprintf(out, size, "%.*s-%s.us", (int)(dot - symbol),
			    symbol, dot + 1);
		} else {
			return -1;
		}
	} else if (symbol[0] == '^') {
		snprintf(out, size, "%s", symbol);
	} else {
		snprintf(out, size, "%s.us", symbol);
	}
	for (i = 0; out[i]; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
	return 0;
}

static int
stooq_history(const char *symbol, int32_t as_of, int32_t from,
    struct market_bars *out, char **cause)
{
	const struct market_config *c = market_config_get();
	struct fetch_site site = {
		.name = "stooq",
		.per_second = 1,
		.attempts = c->retries >= 0 ? c->retries + 1 : 3,
		.timeout_ms = c->timeout_ms,
		.max_body = 8u * 1024 * 1024,
		.check_body = stooq_check,
	};
	char sym[48], d1[DATE_STR_SIZE], d2[DATE_STR_SIZE], *url, *why = NULL;
	struct fetch_result r;
	char *key = NULL;
	int rc;

	if (stooq_symbol(symbol, sym, sizeof sym) != 0) {
		*cause = xasprintf("stooq: no market for %s", symbol);
		return -1;
	}
	date_format(from, d1);
	date_format(as_of, d2);
	if (c->stooq_key != NULL && *c->stooq_key)
		key = fetch_url_encode(c->stooq_key);
	/* d1/d2 are YYYYMMDD: the dashes go. */
	/* The key (since 2026) rides in the query: fetch_get never shows
	 * a query, and nothing here keeps the URL. */
	url = xasprintf("%s/q/d/l/?s=%s&i=d&d1=%.4s%.2s%.2s&d2=%.4s%.2s%.2s"
			"%s%s",
	    c->stooq_url != NULL && *c->stooq_url ? c->stooq_url : STOOQ_URL,
	    sym, d1, d1 + 5, d1 + 8, d2, d2 + 5, d2 + 8,
	    key != NULL ? "&apikey=" : "", key != NULL ? key : "");
	fetch_result_init(&r);
	rc = fetch_get(&site, url, NULL, NULL, &r);
	if (url != NULL)
		explicit_bzero(url, strlen(url));
	free(url);
	free(key);
	if (rc == 0)
		rc = stooq_parse_csv(r.body.data, r.body.len, from, as_of, out,
		    &why);
	else if (r.status == FETCH_NOT_FOUND)
		rc = PARSE_NOT_FOUND;
	else
		why = xasprintf("%s", r.message);
	if (rc == PARSE_NOT_FOUND || (rc == 0 && out->n == 0)) {
		market_bars_free(out);
		free(why);
		why = xasprintf("stooq: no such symbol %s (%s: No data)",
		    symbol, sym);
		rc = -1;
	}
	if (rc == 0) {
		snprintf(out->origin.provider, sizeof out->origin.provider,
		    "stooq");
		out->origin.fetched_at = r.fetched_at;
	} else {
		*cause = why;
		why = NULL;
	}
	free(why);
	fetch_result_free(&r);
	return rc == 0 ? 0 : -1;
}

const struct market_provider provider_stooq_entry = {
	.name = "stooq",
	.history = stooq_history,
};
