/*
 * parse-alphavantage.h: the readers of Alpha Vantage's answers (private to
 * tools/market; exposed to tests and fuzzing).
 *
 * Alpha Vantage answers every call of https://www.alphavantage.co/query
 * with HTTP 200 and a JSON object; what went wrong is said inside it:
 * {"Note": ...} or {"Information": ...} for rate limits (a burst of more
 * than one request a second, or the free key's 25 requests a day), for
 * premium-only features (outputsize=full of TIME_SERIES_DAILY since 2025)
 * and for bad inputs; {"Error Message": "Invalid API call..."} for an
 * unknown symbol. Its texts may quote the API key, so no message here
 * repeats them: each says in its own words what the answer meant.
 *
 * Every reader takes a body of LEN bytes (not NUL-terminated), never reads
 * past it, and returns 0, AV_NOT_FOUND when the answer says there is no
 * such symbol, or AV_BAD when the body is not what Alpha Vantage sends
 * (truncated, another shape); the last two with *cause (heap, one line,
 * starting "alphavantage: "). Outputs are zeroed or freed on failure.
 */
#ifndef STOCKAGENT_MARKET_PARSE_ALPHAVANTAGE_H
#define STOCKAGENT_MARKET_PARSE_ALPHAVANTAGE_H

#include <stddef.h>
#include <stdint.h>

#include "tools/market/fetch.h"
#include "tools/market/market.h"

#define AV_NOT_FOUND (-2)
#define AV_BAD (-1)

/*
 * What a 2xx body is (the fetch layer's check_body): data, a rate limit
 * (Note, or Information about call frequency or a daily limit), refused
 * (Information about the key, the demo key or a premium feature), no such
 * symbol (Error Message "Invalid API call", an empty object or an empty
 * "Global Quote", Information "Invalid inputs"), or other (HTML, not
 * JSON). *WHY (heap, without the provider's name) says which in words
 * that never quote the answer.
 */
enum fetch_body av_check_body(const char *body, size_t len, char **why);

/* Whether BODY is Alpha Vantage refusing outputsize=full to a free key. */
int av_is_premium_full(const char *body, size_t len);

/*
 * TIME_SERIES_DAILY ({"Meta Data": {...}, "Time Series (Daily)":
 * {"YYYY-MM-DD": {"1. open": "..", ..., "5. volume": ".."}}}, values as
 * strings) into bars with FROM <= date <= AS_OF, ascending. The prices
 * are as traded (this series is not adjusted and carries no events).
 */
int av_parse_daily(const char *body, size_t len, int32_t from, int32_t as_of,
    struct market_bars *out, char **cause);

/* GLOBAL_QUOTE: the latest day's bar. */
struct av_quote {
	int32_t date; /* "07. latest trading day" */
	double open, high, low, price, volume, previous_close;
};

int av_parse_quote(const char *body, size_t len, struct av_quote *out,
    char **cause);

/*
 * OVERVIEW (a flat object of strings: Name, Sector, MarketCapitalization,
 * PERatio, ...; "None" or "-" for none) into a profile and fundamentals
 * (fields not given stay NAN; percentages from Alpha Vantage's fractions).
 * An empty object is AV_NOT_FOUND (an unknown symbol, or a fund).
 */
int av_parse_overview(const char *body, size_t len,
    struct market_profile *profile, struct market_fundamentals *f,
    char **cause);

/*
 * NEWS_SENTIMENT ({"feed": [{title, url, time_published
 * "YYYYMMDDTHHMMSS", source, overall_sentiment_score/label,
 * ticker_sentiment: [{ticker, ticker_sentiment_score/label}]}]}) into at
 * most MAX items dated on or before AS_OF, newest first. The sentiment is
 * SYMBOL's own where the item rates it, else the item's overall one.
 */
int av_parse_news(const char *body, size_t len, const char *symbol,
    int32_t as_of, size_t max, struct market_news **out, size_t *n_out,
    char **cause);

#endif
