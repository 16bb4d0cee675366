/*
 * market.h: market data behind a provider interface.
 *
 * A provider (the deterministic simulator "sim", later real data sources)
 * is a const descriptor found by name. Every call asks for data as of a
 * date, so an analysis can be reproduced: nothing after AS_OF is returned.
 * Dates are day numbers from lib/date.h; prices are in the symbol's
 * currency.
 *
 * Every function returns 0, or -1 with *CAUSE set to a one-line message
 * (a heap string the caller frees) that names the input and what to do.
 * A provider may lack an operation; the call then fails with
 * "provider X has no news" and the like.
 */
#ifndef STOCKAGENT_MARKET_H
#define STOCKAGENT_MARKET_H

#include <stddef.h>
#include <stdint.h>

struct store;

/*
 * Where a part of the data (history, profile, fundamentals, news) came
 * from: the provider that served it and when it answered. Data read back
 * from the local cache keeps the provider and time of the original fetch.
 */
struct market_origin {
	char provider[16];  /* "yahoo", "stooq", "sim"; "" when none */
	int64_t fetched_at; /* Unix seconds the provider answered; 0: sim */
	int from_cache;	    /* 1: read from the local cache */
};

/* A cash dividend: AMOUNT per share (currency of the bars) on its ex-day. */
struct market_dividend {
	int32_t date; /* ex-dividend day */
	double amount;
};

/* A split on DATE: RATIO new shares for one old (4:1 is 4, 1:10 is 0.1). */
struct market_split {
	int32_t date;
	double ratio;
};

/*
 * Daily bars, ascending by date, trading days only. Owns its arrays.
 * open/high/low/close are as traded that day (not adjusted); adj_close is
 * the close adjusted for later splits and dividends (the provider's, or
 * computed from the events by market_bars_adjust), so returns over any
 * span are adj_close ratios.
 */
struct market_bars {
	size_t n;
	int32_t *date;	   /* [n] day numbers, strictly ascending */
	double *open;	   /* [n] price */
	double *high;	   /* [n] price, >= open, close, low */
	double *low;	   /* [n] price, <= open, close */
	double *close;	   /* [n] price */
	double *volume;	   /* [n] shares traded */
	double *adj_close; /* [n] price; NULL: no events, equal to close */
	struct market_dividend *dividends; /* [n_dividends] ascending */
	size_t n_dividends;
	struct market_split *splits; /* [n_splits] ascending */
	size_t n_splits;
	char currency[8];  /* "USD"; "" unknown */
	char timezone[48]; /* exchange's IANA zone, "America/New_York" */
	int utc_offset;	   /* seconds east of UTC, the exchange's, at fetch */
	struct market_origin origin;
};

/* Frees the arrays and zeroes B; accepts a zeroed struct or NULL. */
void market_bars_free(struct market_bars *b);

/* Grows (or first allocates) the per-bar arrays of B, adj_close
 * included, to hold CAP bars; B->n is left as it is. */
void market_bars_grow(struct market_bars *b, size_t cap);

/*
 * Makes sure B has adj_close: when the provider gave none, computes it
 * from B's splits and dividends (the CRSP/Yahoo rule: each dividend
 * multiplies earlier closes by 1 - amount / previous close, each split
 * divides them by its ratio). Returns 0, or -1 when B is empty.
 */
int market_bars_adjust(struct market_bars *b);

/*
 * Scales B's open, high, low and close, in place, by each day's
 * adj_close / close, so the whole series is on today's basis (what
 * yfinance calls auto_adjust): returns, volatility, beta and every
 * indicator are then computed on one consistent split- and
 * dividend-adjusted series. Volume is left as traded. No-op without
 * adj_close.
 */
void market_bars_adjusted(struct market_bars *b);

struct market_profile {
	char symbol[32]; /* canonical spelling, "SIM_STOCK" */
	char name[128];	 /* "Simulated Stock Inc." */
	char sector[64];
	char industry[64];
	char currency[8]; /* "USD" */
	char exchange[32];
	char description[512];
	char timezone[48];   /* exchange's IANA zone; "" for the simulator */
	char quote_type[16]; /* "EQUITY", "ETF", "INDEX"; "" unknown */
};

/*
 * Fundamentals as of a date, consistent with that day's close. NAN means
 * not available (e.g. everything for an index, P/E when EPS <= 0).
 */
struct market_fundamentals {
	double market_cap;	   /* close x shares_outstanding */
	double shares_outstanding; /* shares */
	double pe_ratio;	   /* close / eps_ttm */
	double forward_pe;	   /* close / forward_eps */
	double price_to_book;	   /* close / book_value_per_share */
	double dividend_yield_pct; /* dividend_per_share / close x 100 */
	double dividend_per_share; /* per year */
	double revenue_ttm;	   /* trailing twelve months */
	double profit_margin_pct;  /* net income / revenue x 100 */
	double eps_ttm;		   /* trailing twelve months */
	double forward_eps;	   /* next twelve months, estimated */
	double book_value_per_share;
	double average_volume; /* shares/day, last 3 months of bars */
};

struct market_news {
	int32_t date;
	char headline[256];
	char source[64];
	char url[256];		/* link to the article; "" when none */
	int64_t published;	/* Unix seconds; 0 when only the day is known */
	char sentiment[16];	/* "positive", "neutral" or "negative" */
	double sentiment_score; /* -1 (negative) .. 1 (positive) */
};

/*
 * What the providers read, typed by the command line from the settings
 * (tools do not read settings). One configuration per process, set with
 * market_configure before the first provider call and not changed while
 * providers run: a batch's worker threads share it, and share one rate
 * limiter per provider (fetch.h). Strings may be NULL (the provider's
 * default); market_configure copies them.
 */
struct market_config {
	const char *history_chain;	/* "yahoo,stooq"; NULL: the default */
	const char *fundamentals_chain; /* "yahoo" */
	const char *news_chain;		/* "yahoo" */
	const char *provider;	/* --provider: replaces the three; "auto" */
	const char *benchmarks; /* "US=^GSPC,L=^FTSE,T=^N225": per market */
	const char *yahoo_url;	/* chart, search, crumb, quoteSummary */
	const char *yahoo_cookie_url; /* where Yahoo sets its cookie */
	const char *yahoo_news_url;   /* the RSS headline feed */
	const char *stooq_url;
	const char *stooq_key; /* secret: never in a message */
	const char *db_path;   /* the database (cache, imported bars) */
	long timeout_ms;       /* one request; 0: 30000 */
	int retries;	       /* extra tries after a failure */
	long bars_ttl_s;       /* cache freshness; see market_cache.h */
	long fundamentals_ttl_s;
	long news_ttl_s;
	int offline;		      /* 1: the cache only, no network */
	int refresh;		      /* 1: ignore the cache (still write it) */
	const char *alphavantage_url; /* the query endpoint */
	const char *alphavantage_key; /* secret: never in a message */
	const char *edgar_url;	      /* data.sec.gov: companyfacts */
	const char *edgar_tickers_url; /* company_tickers.json */
	const char *sec_user_agent;    /* "Name email"; NULL: edgar refuses */
};

/* Sets the process's configuration (copied). Not thread-safe: call it
 * before providers run. */
void market_configure(const struct market_config *cfg);

/* The process's configuration (the settings' defaults until
 * market_configure). */
const struct market_config *market_config_get(void);

/* A provider descriptor (opaque; the table lives in market.c). */
struct market_provider;

/* The provider called NAME ("sim"), or NULL if there is none. */
const struct market_provider *market_provider_find(const char *name);

/* The I-th provider of the registry, or NULL past its end. */
const struct market_provider *market_provider_at(size_t i);

/* The provider's name, "sim". */
const char *market_provider_name(const struct market_provider *p);

/* All provider names as a comma list for messages: "sim". Static. */
const char *market_provider_names(void);

/*
 * Daily bars of SYMBOL with FROM <= date <= AS_OF into *OUT (which the
 * caller releases with market_bars_free; on failure it is left zeroed).
 * Zero bars is a success (e.g. FROM and AS_OF on one weekend); FROM after
 * AS_OF is an error.
 */
int market_history(const struct market_provider *p, const char *symbol,
    int32_t as_of, int32_t from, struct market_bars *out, char **cause);

/* Who SYMBOL is. */
int market_profile(const struct market_provider *p, const char *symbol,
    struct market_profile *out, char **cause);

/* Fundamentals of SYMBOL as of AS_OF (the last close on or before it). */
int market_fundamentals(const struct market_provider *p, const char *symbol,
    int32_t as_of, struct market_fundamentals *out, char **cause);

/*
 * Recent headlines about SYMBOL up to AS_OF, newest first, into a heap
 * array *OUT of *N_OUT items that the caller frees with free().
 */
int market_news(const struct market_provider *p, const char *symbol,
    int32_t as_of, struct market_news **out, size_t *n_out, char **cause);

/*
 * The symbol of the provider's benchmark index ("SIM_INDEX") into
 * SYMBOL_OUT of SIZE bytes. Returns -1 when the provider has none, its data
 * cannot be loaded, or SIZE is too small.
 */
int market_benchmark(const struct market_provider *p, char *symbol_out,
    size_t size);

/*
 * The symbols the provider covers, benchmark included, into a heap array
 * *OUT of *N heap strings; the caller frees each string and the array.
 * Returns -1 when the provider cannot list its universe.
 */
int market_symbols(const struct market_provider *p, char ***out, size_t *n);

/*
 * The market of SYMBOL as its exchange suffix into OUT (SIZE bytes): "L"
 * for VOD.L, "T" for 7203.T, "US" for AAPL, BRK.B (a one-letter suffix
 * other than L, T, V and F is a share class) and BRK-B; an index such as
 * ^FTSE is the market it measures (^GSPC, ^DJI, ^IXIC and unknown ones are
 * US); "SIM" for the simulated market. Returns OUT.
 */
char *market_exchange(const char *symbol, char *out, size_t size);

/*
 * Minutes east of UTC of the exchange SYMBOL trades on, in standard time
 * (daylight saving is not applied), into *MINUTES. Returns 0, or -1 for a
 * US or simulated symbol (their dates follow the local clock and the NYSE
 * calendar) and for a market not in the table.
 */
int market_utc_offset(const char *symbol, int *minutes);

/* The kinds of data a chain of providers serves. */
enum market_kind {
	MARKET_HISTORY = 0,  /* daily bars */
	MARKET_FUNDAMENTALS, /* profile and fundamentals */
	MARKET_NEWS,	     /* headlines */
};

/* One symbol as of a date, for the chain calls below. */
struct market_query {
	const char *symbol;   /* as the user typed it, normalised */
	int32_t as_of;	      /* nothing after it is returned */
	struct store *cache;  /* the database, or NULL: no cache */
	const char *provider; /* NULL: the configured chains; else this chain
				 for every kind */
};

/*
 * The chain that serves KIND for SYMBOL, a comma list of provider names:
 * the provider setting when it is not "auto"; "sim" for a SIM_ symbol;
 * else the kind's chain setting ("yahoo,stooq", "yahoo", "yahoo" by
 * default). Borrowed from the configuration or static.
 */
const char *market_chain(const char *symbol, enum market_kind kind);

/* Checks a chain (every name a provider). 0, or -1 with *cause. */
int market_chain_check(const char *chain, char **cause);

/*
 * Through the chain, with the cache: fresh cached data first (unless
 * refresh), then each provider in turn until one serves; what a provider
 * serves is cached. With offline, only the cache (at any age) and local
 * providers serve. On failure *cause lists what each provider said
 * ("AAPL: no provider has daily bars: yahoo: ...; stooq: ..."). The
 * origin says which provider served and when.
 */
int market_get_history(const struct market_query *q, int32_t from,
    struct market_bars *out, char **cause);
int market_get_facts(const struct market_query *q, struct market_profile *p,
    struct market_fundamentals *f, struct market_origin *origin, char **cause);
int market_get_news(const struct market_query *q, struct market_news **out,
    size_t *n_out, struct market_origin *origin, char **cause);

/*
 * The benchmark of SYMBOL's market into OUT (SIZE bytes): SIM_INDEX for a
 * sim symbol; else the benchmarks setting's entry for the symbol's suffix
 * (".L" is L; none is US). -1 when the market has none.
 */
int market_get_benchmark(const char *symbol, char *out, size_t size);

/*
 * The symbol a company name stands for ("Apple" -> AAPL) from Yahoo's
 * search; NAME (may be NULL) gets the company's name. Fails offline.
 */
int market_search(const char *text, char *out, size_t size, char *name,
    size_t name_size, char **cause);

#endif
