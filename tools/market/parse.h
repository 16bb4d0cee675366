/*
 * parse.h: the readers of the market providers' answers (private to
 * tools/market; exposed to tests and fuzzing).
 *
 * Every reader takes a body of LEN bytes (not NUL-terminated), never reads
 * past it, and returns 0, PARSE_NOT_FOUND when the answer says there is no
 * such symbol, or PARSE_BAD when the body is not what the provider sends
 * (truncated, another shape); the last two with *cause (heap, one line,
 * naming the provider). Outputs are zeroed or freed on failure.
 */
#ifndef STOCKAGENT_MARKET_PARSE_H
#define STOCKAGENT_MARKET_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "tools/market/market.h"

#define PARSE_NOT_FOUND (-2)
#define PARSE_BAD (-1)

/*
 * Yahoo's v8 chart answer ({"chart":{"result":[{"meta","timestamp",
 * "events","indicators"}],"error"}}) into daily bars with FROM <= date <=
 * AS_OF, dividends, splits, adjusted closes, currency and time zone. A
 * bar's date is its timestamp in the exchange's time (meta.gmtoffset). Null
 * holes: a day whose close is null is left out (Yahoo's placeholder for a
 * day without trades); a null open, high or low becomes the close, a null
 * volume 0 shares; a null adjusted close is the close times the adjustment
 * of the next day that has one. Never a price of zero from a null.
 * PROFILE (may be NULL) gets the meta's names, exchange and zone.
 */
int yahoo_parse_chart(const char *body, size_t len, int32_t from, int32_t as_of,
    struct market_bars *out, struct market_profile *profile, char **cause);

/*
 * Yahoo's quoteSummary answer (modules price, summaryDetail,
 * defaultKeyStatistics, financialData, assetProfile) into a profile and
 * fundamentals (fields not given stay NAN). Values come as {"raw": x,
 * "fmt": ...} or plain numbers. An answer saying "Invalid Crumb" is
 * PARSE_BAD with a cause that says so.
 */
int yahoo_parse_summary(const char *body, size_t len,
    struct market_profile *profile, struct market_fundamentals *f,
    char **cause);

/*
 * Yahoo's search answer ({"quotes":[{"symbol","shortname","quoteType",
 * ...}]}): the first equity, ETF or index quote's symbol into OUT (SIZE
 * bytes) and its name into NAME (NAME_SIZE bytes, may be NULL).
 * PARSE_NOT_FOUND when there is none.
 */
int yahoo_parse_search(const char *body, size_t len, char *out, size_t size,
    char *name, size_t name_size, char **cause);

/*
 * An RSS 2.0 feed (Yahoo's headline feed) into at most MAX items, newest
 * first, dated on or before AS_OF: title, link, source ("Yahoo Finance"
 * unless the item names one), publication time. Headlines carry no
 * sentiment: it is "unrated" with a score of NAN.
 */
int rss_parse_news(const char *body, size_t len, int32_t as_of, size_t max,
    struct market_news **out, size_t *n_out, char **cause);

/*
 * Stooq's daily CSV (Date,Open,High,Low,Close[,Volume]) into bars with
 * FROM <= date <= AS_OF. Says which when the body is not data: "No data"
 * (PARSE_NOT_FOUND), "Exceeded the daily hits limit", an HTML page.
 */
int stooq_parse_csv(const char *body, size_t len, int32_t from, int32_t as_of,
    struct market_bars *out, char **cause);

/* What Stooq's body is when it is not CSV: the fetch layer's check. */
int stooq_body_kind(const char *body, size_t len, char **why);

#endif
