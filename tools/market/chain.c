/*
 * chain.c: data kinds served by chains of providers, through the cache
 * (see market.h).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/date.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "tools/market/cache.h"
#include "tools/market/market.h"
#include "tools/market/provider.h"

#define CHAIN_MAX 8

static const char *const chain_defaults[] = {
	[MARKET_HISTORY] = "yahoo,stooq",
	[MARKET_FUNDAMENTALS] = "yahoo",
	[MARKET_NEWS] = "yahoo",
};

static const char *const chain_words[] = {
	[MARKET_HISTORY] = "daily bars",
	[MARKET_FUNDAMENTALS] = "fundamentals",
	[MARKET_NEWS] = "news",
};

/* The chain of KIND for query Q. */
static const char *
chain_of(const struct market_query *q, enum market_kind kind)
{
	if (q->provider != NULL && *q->provider &&
	    strcmp(q->provider, "auto") != 0)
		return q->provider;
	return market_chain(q->symbol, kind);
}

static int
chain_is_sim(const char *symbol)
{
	return strncasecmp(symbol, "SIM_", 4) == 0;
}

const char *
market_chain(const char *symbol, enum market_kind kind)
{
	const struct market_config *c = market_config_get();
	const char *set[] = { c->history_chain, c->fundamentals_chain,
		c->news_chain };

	if (c->provider != NULL && *c->provider &&
	    strcmp(c->provider, "auto") != 0)
		return c->provider;
	if (chain_is_sim(symbol))
		return "sim";
	return set[kind] != NULL && *set[kind] ? set[kind] :
						 chain_defaults[kind];
}

/* Splits CHAIN into at most CHAIN_MAX providers; -1 with *cause. */
static int
chain_split(const char *chain, const struct market_provider **out, size_t *n,
    char **cause)
{
	char *copy = xstrdup(chain), *tok, *save = NULL;
	const struct market_provider *p;

	*n = 0;
	for (tok = strtok_r(copy, ", ", &save); tok != NULL;
	     tok = strtok_r(NULL, ", ", &save)) {
		if ((p = market_provider_find(tok)) == NULL) {
			*cause = xasprintf("unknown market data provider '%s' "
					   "in '%s': use %s",
			    tok, chain, market_provider_names());
			free(copy);
			return -1;
		}
		if (*n < CHAIN_MAX)
			out[(*n)++] = p;
	}
	free(copy);
	if (*n == 0) {
		*cause = xasprintf("no market data provider in '%s': use %s",
		    chain, market_provider_names());
		return -1;
	}
	return 0;
}

int
market_chain_check(const char *chain, char **cause)
{
	const struct market_provider *p[CHAIN_MAX];
	size_t n;

	if (chain != NULL && strcmp(chain, "auto") == 0)
		return 0;
	return chain_split(chain != NULL ? chain : "", p, &n, cause);
}

/* Appends "NAME: WHY" to the list of what the providers said. */
static void
said(struct buf *b, const char *name, const char *why)
{
	size_t n = strlen(name);

	if (b->len > 0)
		buf_append(b, "; ", 2);
	/* Causes start with the provider's name already, most of them. */
	if (strncmp(why, name, n) == 0 && why[n] == ':')
		buf_printf(b, "%s", why);
	else
		buf_printf(b, "%s: %s", name, why);
}

static char *
chain_failed(const char *symbol, enum market_kind kind, struct buf *b)
{
	char *list = buf_take(b), *m;

	m = xasprintf("%s: no provider has %s (%s)", symbol, chain_words[kind],
	    list != NULL && *list ? list : "none tried");
	free(list);
	return m;
}

/* Says how old cached data is, when it is served offline. */
static void
chain_age(const char *symbol, const char *what, const struct market_origin *o)
{
	time_t t = (time_t)o->fetched_at;
	long age = (long)(time(NULL) - t);
	struct tm tm;
	char when[32];

	gmtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
	log_info("offline: %s %s from %s, fetched %s (%ld h %02ld min ago)",
	    symbol, what, o->provider, when, age / 3600, (age % 3600) / 60);
}

/* Whether provider P may be asked now (offline: local ones only). */
static int
chain_may_ask(const struct market_provider *p, struct buf *b)
{
	if (!market_config_get()->offline || p->local)
		return 1;
	said(b, p->name, "not asked (offline)");
	return 0;
}

/* The cache serves P's kind unless every provider of the chain is local
 * (the simulator computes its data: nothing to keep). */
static int
chain_cached(const struct market_provider *const *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!p[i]->local)
			return 1;
	return 0;
}

int
market_get_history(const struct market_query *q, int32_t from,
    struct market_bars *out, char **cause)
{
	const struct market_config *c = market_config_get();
	const struct market_provider *p[CHAIN_MAX];
	struct buf said_b;
	char *why = NULL;
	size_t n, i;
	int cached, asked_cache = 0, rc;

	memset(out, 0, sizeof *out);
	if (chain_split(chain_of(q, MARKET_HISTORY), p, &n, cause) != 0)
		return -1;
	cached = q->cache != NULL && chain_cached(p, n);
	buf_init(&said_b, 0);
	for (i = 0; i < n; i++) {
		/* The cache keeps what the network providers sent: it is
		 * asked where the first of them comes in the chain, after
		 * local data before it (imported bars listed first win over
		 * bars cached before the import). */
		if (cached && !p[i]->local) {
			cached = 0;
			if (!c->refresh &&
			    (rc = market_cache_bars_get(q->cache, q->symbol,
				 from, q->as_of, !c->offline, time(NULL), out,
				 &why)) == 0) {
				if (c->offline)
					chain_age(q->symbol, "daily bars",
					    &out->origin);
				/* cached bars have adj_close */
				market_bars_adjust(out);
				buf_free(&said_b);
				return 0;
			}
			if (why != NULL) {
				log_warn("%s", why);
				free(why);
				why = NULL;
			}
			asked_cache = 1;
		}
		if (!chain_may_ask(p[i], &said_b))
			continue;
		if (market_history(p[i], q->symbol, q->as_of, from, out,
			&why) == 0 &&
		    out->n > 0) {
			if (out->origin.provider[0] == '\0')
				snprintf(out->origin.provider,
				    sizeof out->origin.provider, "%s",
				    p[i]->name);
			market_bars_adjust(out);
			/* Local data (imported bars) is not a cache's to
			 * keep: a new import must show at once. */
			if (asked_cache && !p[i]->local &&
			    market_cache_bars_put(q->cache, q->symbol, from,
				q->as_of, out, &why) != 0) {
				log_warn("%s", why);
				free(why);
			}
			buf_free(&said_b);
			return 0;
		}
		if (why == NULL)
			why = xstrdup("no daily bars in the range asked");
		said(&said_b, p[i]->name, why);
		free(why);
		why = NULL;
		market_bars_free(out);
	}
	if (c->offline && asked_cache)
		said(&said_b, "cache",
		    "nothing cached (run once without "
		    "--offline)");
	*cause = chain_failed(q->symbol, MARKET_HISTORY, &said_b);
	return -1;
}

static void
facts_origin(struct market_origin *o, const struct market_provider *p)
{
	memset(o, 0, sizeof *o);
	snprintf(o->provider, sizeof o->provider, "%s", p->name);
	o->fetched_at = p->local ? 0 : (int64_t)time(NULL);
}

/* Asks P for profile and fundamentals; 0 when the fundamentals came. */
static int
facts_ask(const struct market_provider *p, const struct market_query *q,
    struct market_profile *pr, struct market_fundamentals *f, char **why)
{
	char *pw = NULL;

	if (market_profile(p, q->symbol, pr, &pw) != 0) {
		log_debug("%s", pw);
		free(pw);
		memset(pr, 0, sizeof *pr);
	}
	return market_fundamentals(p, q->symbol, q->as_of, f, why);
}

int
market_get_facts(const struct market_query *q, struct market_profile *pr,
    struct market_fundamentals *f, struct market_origin *origin, char **cause)
{
	const struct market_config *c = market_config_get();
	const struct market_provider *p[CHAIN_MAX];
	struct buf said_b;
	char *why = NULL;
	size_t n, i;
	int cached;

	memset(pr, 0, sizeof *pr);
	memset(origin, 0, sizeof *origin);
	if (chain_split(chain_of(q, MARKET_FUNDAMENTALS), p, &n, cause) != 0)
		return -1;
	cached = q->cache != NULL && chain_cached(p, n);
	if (cached && !c->refresh &&
	    market_cache_facts_get(q->cache, q->symbol, !c->offline, time(NULL),
		pr, f, origin, &why) == 0) {
		if (c->offline)
			chain_age(q->symbol, "fundamentals", origin);
		return 0;
	}
	free(why);
	why = NULL;
	buf_init(&said_b, 0);
	for (i = 0; i < n; i++) {
		if (!chain_may_ask(p[i], &said_b))
			continue;
		if (facts_ask(p[i], q, pr, f, &why) == 0) {
			facts_origin(origin, p[i]);
			if (cached &&
			    market_cache_facts_put(q->cache, q->symbol, pr, f,
				origin, &why) != 0) {
				log_warn("%s", why);
				free(why);
			}
			buf_free(&said_b);
			return 0;
		}
		said(&said_b, p[i]->name, why ? why : "no fundamentals");
		free(why);
		why = NULL;
	}
	*cause = chain_failed(q->symbol, MARKET_FUNDAMENTALS, &said_b);
	return -1;
}

int
market_get_news(const struct market_query *q, struct market_news **out,
    size_t *n_out, struct market_origin *origin, char **cause)
{
	const struct market_config *c = market_config_get();
	const struct market_provider *p[CHAIN_MAX];
	struct buf said_b;
	char *why = NULL;
	size_t n, i;
	int cached;

	*out = NULL;
	*n_out = 0;
	memset(origin, 0, sizeof *origin);
	if (chain_split(chain_of(q, MARKET_NEWS), p, &n, cause) != 0)
		return -1;
	cached = q->cache != NULL && chain_cached(p, n);
	if (cached && !c->refresh &&
	    market_cache_news_get(q->cache, q->symbol, q->as_of, !c->offline,
		time(NULL), out, n_out, origin, &why) == 0) {
		if (c->offline)
			chain_age(q->symbol, "news", origin);
		return 0;
	}
	free(why);
	why = NULL;
	buf_init(&said_b, 0);
	for (i = 0; i < n; i++) {
		if (!chain_may_ask(p[i], &said_b))
			continue;
		if (market_news(p[i], q->symbol, q->as_of, out, n_out, &why) ==
		    0) {
			facts_origin(origin, p[i]);
			if (cached &&
			    market_cache_news_put(q->cache, q->symbol, *out,
				*n_out, origin, &why) != 0) {
				log_warn("%s", why);
				free(why);
			}
			buf_free(&said_b);
			return 0;
		}
		said(&said_b, p[i]->name, why ? why : "no news");
		free(why);
		why = NULL;
	}
	*cause = chain_failed(q->symbol, MARKET_NEWS, &said_b);
	return -1;
}

int
market_get_benchmark(const char *symbol, char *out, size_t size)
{
	const char *set = market_config_get()->benchmarks, *p, *eq, *end;
	char market[16];

	if (chain_is_sim(symbol))
		return market_benchmark(market_provider_find("sim"), out, size);
	if (symbol[0] == '^')
		return -1; /* an index is its own market */
	market_exchange(symbol, market, sizeof market);
	if (set == NULL || *set == '\0')
		set = "US=^GSPC";
	for (p = set; *p; p = *end ? end + 1 : end) {
		end = p + strcspn(p, ",");
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq == NULL || (size_t)(eq - p) != strlen(market) ||
		    strncasecmp(p, market, strlen(market)) != 0)
			continue;
		if ((size_t)(end - eq - 1) >= size || end == eq + 1)
			return -1;
		snprintf(out, size, "%.*s", (int)(end - eq - 1), eq + 1);
		return 0;
	}
	return -1;
}

int
market_search(const char *text, char *out, size_t size, char *name,
    size_t name_size, char **cause)
{
	if (market_config_get()->offline) {
		*cause = xasprintf("cannot look up \"%s\" offline: name the "
				   "ticker symbol",
		    text);
		return -1;
	}
	return provider_yahoo_search(text, out, size, name, name_size, cause);
}
