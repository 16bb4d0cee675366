/*
 * market.c: the provider table and the checks every provider call shares.
 *
 * Providers are const descriptors (provider.h) listed in market_table[];
 * the market_* functions validate arguments, turn a missing operation into
 * a message, and dispatch.
 */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/date.h"
#include "lib/xmalloc.h"
#include "tools/market/market.h"
#include "tools/market/provider.h"

static const struct market_provider *const market_table[] = {
	&provider_sim_entry,
	&provider_yahoo_entry,
	&provider_stooq_entry,
	&provider_csv_entry,
	&provider_alphavantage_entry,
	&provider_edgar_entry,
};
#define MARKET_NPROVIDERS (sizeof market_table / sizeof market_table[0])

/* The settings' defaults until market_configure: a command that does not
 * configure the providers still gets retries and cache lifetimes. */
static struct market_config market_cfg = {
	.retries = 2,
	.fundamentals_ttl_s = 86400,
	.news_ttl_s = 3600,
};

static char market_names_buf[256];
static pthread_once_t market_names_once = PTHREAD_ONCE_INIT;

void
market_bars_free(struct market_bars *b)
{
	if (b == NULL)
		return;
	free(b->date);
	free(b->open);
	free(b->high);
	free(b->low);
	free(b->close);
	free(b->volume);
	free(b->adj_close);
	free(b->dividends);
	free(b->splits);
	memset(b, 0, sizeof *b);
}

void
market_bars_grow(struct market_bars *b, size_t cap)
{
	b->date = xreallocarray(b->date, cap, sizeof *b->date);
	b->open = xreallocarray(b->open, cap, sizeof *b->open);
	b->high = xreallocarray(b->high, cap, sizeof *b->high);
	b->low = xreallocarray(b->low, cap, sizeof *b->low);
	b->close = xreallocarray(b->close, cap, sizeof *b->close);
	b->volume = xreallocarray(b->volume, cap, sizeof *b->volume);
	b->adj_close = xreallocarray(b->adj_close, cap, sizeof *b->adj_close);
}

int
market_bars_adjust(struct market_bars *b)
{
	double factor = 1.0;
	size_t i, d, s;

	if (b == NULL || b->n == 0)
		return -1;
	if (b->adj_close != NULL)
		return 0;
	b->adj_close = xreallocarray(NULL, b->n, sizeof *b->adj_close);
	d = b->n_dividends;
	s = b->n_splits;
	/* Events after the last bar adjust nothing here. */
	while (d > 0 && b->dividends[d - 1].date > b->date[b->n - 1])
		d--;
	while (s > 0 && b->splits[s - 1].date > b->date[b->n - 1])
		s--;
	/* Walk back from the last bar; an event on day D adjusts bars < D. */
	for (i = b->n - 1; i > 0; i--) {
		b->adj_close[i] = b->close[i] * factor;
		for (; d > 0 && b->dividends[d - 1].date > b->date[i - 1]; d--)
			if (b->close[i - 1] > 0 &&
			    b->dividends[d - 1].amount < b->close[i - 1])
				factor *= 1.0 -
				    b->dividends[d - 1].amount /
					b->close[i - 1];
		for (; s > 0 && b->splits[s - 1].date > b->date[i - 1]; s--)
			if (b->splits[s - 1].ratio > 0)
				factor /= b->splits[s - 1].ratio;
	}
	b->adj_close[0] = b->close[0] * factor;
	return 0;
}

/* A heap copy of S, or NULL. */
static char *
market_dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

void
market_configure(const struct market_config *cfg)
{
	const char **str[] = { &market_cfg.history_chain,
		&market_cfg.fundamentals_chain, &market_cfg.news_chain,
		&market_cfg.provider, &market_cfg.benchmarks,
		&market_cfg.yahoo_url, &market_cfg.yahoo_cookie_url,
		&market_cfg.yahoo_news_url, &market_cfg.stooq_url,
		&market_cfg.stooq_key, &market_cfg.db_path,
		&market_cfg.alphavantage_url, &market_cfg.alphavantage_key,
		&market_cfg.edgar_url, &market_cfg.edgar_tickers_url,
		&market_cfg.sec_user_agent };
	size_t i;

	for (i = 0; i < sizeof str / sizeof *str; i++)
		free((char *)*str[i]);
	market_cfg = *cfg;
	for (i = 0; i < sizeof str / sizeof *str; i++)
		*str[i] = market_dup(*str[i]);
}

const struct market_config *
market_config_get(void)
{
	return &market_cfg;
}

void
market_bars_adjusted(struct market_bars *b)
{
	double k;
	size_t i;

	if (b == NULL || b->adj_close == NULL)
		return;
	for (i = 0; i < b->n; i++) {
		k = b->close[i] > 0 && isfinite(b->adj_close[i]) ?
		    b->adj_close[i] / b->close[i] :
		    1.0;
		if (b->open != NULL)
			b->open[i] *= k;
		if (b->high != NULL)
			b->high[i] *= k;
		if (b->low != NULL)
			b->low[i] *= k;
		b->close[i] *= k;
	}
}

const struct market_provider *
market_provider_find(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < MARKET_NPROVIDERS; i++) {
		if (strcmp(market_table[i]->name, name) == 0)
			return market_table[i];
	}
	return NULL;
}

const struct market_provider *
market_provider_at(size_t i)
{
	return i < MARKET_NPROVIDERS ? market_table[i] : NULL;
}

const char *
market_provider_name(const struct market_provider *p)
{
	return p->name;
}

static void
market_names_init(void)
{
	size_t i, len = 0;

	for (i = 0; i < MARKET_NPROVIDERS; i++) {
		len += (size_t)snprintf(market_names_buf + len,
		    sizeof market_names_buf - len, "%s%s", i ? ", " : "",
		    market_table[i]->name);
		if (len >= sizeof market_names_buf)
			break;
	}
}

const char *
market_provider_names(void)
{
	pthread_once(&market_names_once, market_names_init);
	return market_names_buf;
}

/* The message for an operation provider P does not have. */
static int
market_missing(const struct market_provider *p, const char *what, char **cause)
{
	*cause = xasprintf("provider %s has no %s; use another provider "
			   "(available: %s)",
	    p->name, what, market_provider_names());
	return -1;
}

/* Checks the arguments every per-symbol call shares. */
static int
market_check_symbol(const struct market_provider *p, const char *symbol,
    char **cause)
{
	if (p == NULL) {
		*cause = xasprintf("no market provider given; choose one of "
				   "%s",
		    market_provider_names());
		return -1;
	}
	if (symbol == NULL || *symbol == '\0') {
		*cause = xstrdup("no stock symbol given; name one, e.g. "
				 "SIM_STOCK");
		return -1;
	}
	return 0;
}

int
market_history(const struct market_provider *p, const char *symbol,
    int32_t as_of, int32_t from, struct market_bars *out, char **cause)
{
	char a[DATE_STR_SIZE], f[DATE_STR_SIZE];

	memset(out, 0, sizeof *out);
	if (market_check_symbol(p, symbol, cause) != 0)
		return -1;
	if (p->history == NULL)
		return market_missing(p, "price history", cause);
	if (from > as_of) {
		*cause = xasprintf(
		    "history of %s: start date %s is after the "
		    "as-of date %s; give a start on or before it",
		    symbol, date_format(from, f), date_format(as_of, a));
		return -1;
	}
	return p->history(symbol, as_of, from, out, cause);
}

int
market_profile(const struct market_provider *p, const char *symbol,
    struct market_profile *out, char **cause)
{
	memset(out, 0, sizeof *out);
	if (market_check_symbol(p, symbol, cause) != 0)
		return -1;
	if (p->profile == NULL)
		return market_missing(p, "company profiles", cause);
	return p->profile(symbol, out, cause);
}

int
market_fundamentals(const struct market_provider *p, const char *symbol,
    int32_t as_of, struct market_fundamentals *out, char **cause)
{
	double *f = (double *)out;
	size_t i;

	/* All members are doubles: not available until the provider says. */
	for (i = 0; i < sizeof *out / sizeof *f; i++)
		f[i] = NAN;
	if (market_check_symbol(p, symbol, cause) != 0)
		return -1;
	if (p->fundamentals == NULL)
		return market_missing(p, "fundamentals", cause);
	return p->fundamentals(symbol, as_of, out, cause);
}

int
market_news(const struct market_provider *p, const char *symbol, int32_t as_of,
    struct market_news **out, size_t *n_out, char **cause)
{
	*out = NULL;
	*n_out = 0;
	if (market_check_symbol(p, symbol, cause) != 0)
		return -1;
	if (p->news == NULL)
		return market_missing(p, "news", cause);
	return p->news(symbol, as_of, out, n_out, cause);
}

int
market_benchmark(const struct market_provider *p, char *symbol_out, size_t size)
{
	if (p == NULL || p->benchmark == NULL || size == 0)
		return -1;
	return p->benchmark(symbol_out, size);
}

int
market_symbols(const struct market_provider *p, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (p == NULL || p->symbols == NULL)
		return -1;
	return p->symbols(out, n);
}
