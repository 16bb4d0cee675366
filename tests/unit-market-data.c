/*
 * unit-market-data.c: the readers of Yahoo's and Stooq's answers on their
 * real shapes (null holes, events, time zones, errors, bodies that are not
 * data), the cache's freshness rules and round trip, benchmarks per market
 * and the company words of a prompt.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/date.h"
#include "lib/store.h"
#include "lib/xmalloc.h"
#include "tests/testlib.h"
#include "tools/market/cache.h"
#include "tools/market/market.h"
#include "tools/market/parse.h"
#include "tools/symbol.h"

#define DAY(y, m, d) date_from_ymd(y, m, d)

/* 2024-06-07 (Fri), 06-10 (Mon, split), 06-11 (null close), 06-12. */
static const char chart[] =
    "{\"chart\":{\"result\":[{\"meta\":{\"currency\":\"USD\","
    "\"symbol\":\"AAPL\",\"exchangeName\":\"NMS\",\"fullExchangeName\":"
    "\"NasdaqGS\",\"instrumentType\":\"EQUITY\",\"gmtoffset\":-14400,"
    "\"timezone\":\"EDT\",\"exchangeTimezoneName\":\"America/New_York\","
    "\"regularMarketPrice\":51.0,\"longName\":\"Apple Inc.\"},"
    "\"timestamp\":[1717767000,1718026200,1718112600,1718199000],"
    "\"events\":{\"splits\":{\"1718026200\":{\"date\":1718026200,"
    "\"numerator\":4,\"denominator\":1,\"splitRatio\":\"4:1\"}},"
    "\"dividends\":{\"1718199000\":{\"amount\":0.25,\"date\":1718199000},"
    "\"1717767000\":{\"amount\":1.0,\"date\":1717767000}}},"
    "\"indicators\":{\"quote\":[{\"open\":[200.0,null,null,50.5],"
    "\"high\":[202.0,51.5,null,51.2],\"low\":[199.0,49.8,null,50.1],"
    "\"close\":[201.0,50.0,null,51.0],\"volume\":[1000,null,null,3000]}],"
    "\"adjclose\":[{\"adjclose\":[49.9,null,null,51.0]}]}}],"
    "\"error\":null}}";

static void
test_chart(void)
{
	struct market_bars b;
	struct market_profile p;
	char *cause = NULL;
	int rc;

	rc = yahoo_parse_chart(chart, strlen(chart), 0, DAY(2030, 1, 1), &b, &p,
	    &cause);
	TEST_CHECK("a chart answer is read", rc == 0);
	if (rc != 0) {
		printf("  %s\n", cause);
		free(cause);
		return;
	}
	TEST_CHECK("the null close is left out", b.n == 3);
	TEST_CHECK("dates in the exchange's time",
	    b.date[0] == DAY(2024, 6, 7) && b.date[1] == DAY(2024, 6, 10) &&
		b.date[2] == DAY(2024, 6, 12));
	TEST_NEAR("a null open is the close", b.open[1], 50.0, 0, 0);
	TEST_NEAR("a null volume is 0", b.volume[1], 0, 0, 0);
	TEST_NEAR("a null adjusted close takes the next day's ratio",
	    b.adj_close[1], 50.0, 1e-12, 0);
	TEST_NEAR("the adjusted close as given", b.adj_close[0], 49.9, 0, 0);
	TEST_CHECK("the split",
	    b.n_splits == 1 && b.splits[0].date == DAY(2024, 6, 10) &&
		b.splits[0].ratio == 4.0);
	TEST_CHECK("dividends sorted by date",
	    b.n_dividends == 2 && b.dividends[0].date == DAY(2024, 6, 7) &&
		b.dividends[1].date == DAY(2024, 6, 12));
	TEST_STREQ("currency", b.currency, "USD");
	TEST_STREQ("zone", b.timezone, "America/New_York");
	TEST_CHECK("offset", b.utc_offset == -14400);
	TEST_STREQ("name from meta", p.name, "Apple Inc.");
	market_bars_free(&b);
	rc = yahoo_parse_chart(chart, strlen(chart), DAY(2024, 6, 10),
	    DAY(2024, 6, 10), &b, NULL, &cause);
	TEST_CHECK("a range of one day",
	    rc == 0 && b.n == 1 && b.n_dividends == 1);
	market_bars_free(&b);
	rc = yahoo_parse_chart(chart, strlen(chart) / 2, 0, DAY(2030, 1, 1), &b,
	    NULL, &cause);
	TEST_CHECK("truncated JSON is bad",
	    rc == PARSE_BAD && cause != NULL &&
		strstr(cause, "not complete JSON") != NULL);
	free(cause);
	cause = NULL;
	rc = yahoo_parse_chart(
	    "{\"chart\":{\"result\":null,\"error\":{\"code\":\"Not Found\","
	    "\"description\":\"No data found, symbol may be delisted\"}}}",
	    118, 0, 30000, &b, NULL, &cause);
	TEST_CHECK("an unknown symbol is not found",
	    rc == PARSE_NOT_FOUND && cause != NULL);
	free(cause);
}

static void
test_tokyo(void)
{
	/* Monday 2025-09-01 00:00 JST is Sunday 15:00 UTC. */
	static const char t[] =
	    "{\"chart\":{\"result\":[{\"meta\":{\"currency\":\"JPY\","
	    "\"gmtoffset\":32400,\"exchangeTimezoneName\":\"Asia/Tokyo\"},"
	    "\"timestamp\":[1756652400],\"indicators\":{\"quote\":[{"
	    "\"open\":[2500],\"high\":[2510],\"low\":[2490],\"close\":[2505],"
	    "\"volume\":[10]}]}}],\"error\":null}}";
	struct market_bars b;
	char *cause = NULL;

	TEST_CHECK("Tokyo's Monday is a Monday",
	    yahoo_parse_chart(t, strlen(t), 0, 30000, &b, NULL, &cause) == 0 &&
		b.n == 1 && b.date[0] == DAY(2025, 9, 1));
	TEST_CHECK("no adjusted close given: equal to the close",
	    b.adj_close != NULL && b.adj_close[0] == 2505);
	market_bars_free(&b);
}

static void
test_summary(void)
{
	static const char s[] =
	    "{\"quoteSummary\":{\"result\":[{\"price\":{\"regularMarketPrice\":"
	    "{\"raw\":200.0,\"fmt\":\"200.00\"},\"currency\":\"USD\","
	    "\"longName\":\"Apple Inc.\",\"marketCap\":{\"raw\":3e12}},"
	    "\"summaryDetail\":{\"trailingPE\":{\"raw\":30.0,\"fmt\":\"30\"},"
	    "\"dividendRate\":{\"raw\":1.0},\"dividendYield\":{\"raw\":0.009},"
	    "\"forwardPE\":{}},\"defaultKeyStatistics\":{\"trailingEps\":6.5,"
	    "\"bookValue\":{\"raw\":4.0},\"profitMargins\":{\"raw\":0.25}},"
	    "\"financialData\":{\"totalRevenue\":{\"raw\":4e11}},"
	    "\"assetProfile\":{\"sector\":\"Technology\"}}],\"error\":null}}";
	static const char crumb[] =
	    "{\"finance\":{\"result\":null,\"error\":{\"code\":"
	    "\"Unauthorized\",\"description\":\"Invalid Crumb\"}}}";
	struct market_profile p;
	struct market_fundamentals f;
	char *cause = NULL;

	TEST_CHECK("quoteSummary is read",
	    yahoo_parse_summary(s, strlen(s), &p, &f, &cause) == 0);
	TEST_NEAR("P/E from raw", f.pe_ratio, 30.0, 0, 0);
	TEST_CHECK("an empty {} is not available", isnan(f.forward_pe));
	TEST_NEAR("a plain number", f.eps_ttm, 6.5, 0, 0);
	TEST_NEAR("yield from rate and price", f.dividend_yield_pct, 0.5, 1e-12,
	    0);
	TEST_NEAR("margin in percent", f.profit_margin_pct, 25.0, 1e-12, 0);
	TEST_NEAR("market cap", f.market_cap, 3e12, 0, 0);
	TEST_CHECK("not given is NAN", isnan(f.shares_outstanding));
	TEST_STREQ("sector", p.sector, "Technology");
	TEST_CHECK("Invalid Crumb is an error that says so",
	    yahoo_parse_summary(crumb, strlen(crumb), &p, &f, &cause) ==
		    PARSE_BAD &&
		strstr(cause, "Invalid Crumb") != NULL);
	free(cause);
}

static void
test_search(void)
{
	static const char s[] =
	    "{\"explains\":[],\"count\":3,\"quotes\":[{\"symbol\":\"APL.F\","
	    "\"quoteType\":\"FUTURE\"},{\"symbol\":\"X\",\"isYahooFinance\":"
	    "false,\"quoteType\":\"EQUITY\"},{\"exchange\":\"NMS\","
	    "\"shortname\":"
	    "\"Apple Inc.\",\"quoteType\":\"EQUITY\",\"symbol\":\"AAPL\","
	    "\"longname\":\"Apple "
	    "Inc.\",\"isYahooFinance\":true}],\"news\":[]}";
	char sym[16], name[32], *cause = NULL;

	TEST_CHECK("the first equity",
	    yahoo_parse_search(s, strlen(s), sym, sizeof sym, name, sizeof name,
		&cause) == 0 &&
		strcmp(sym, "AAPL") == 0 && strcmp(name, "Apple Inc.") == 0);
	TEST_CHECK("no quotes: not found",
	    yahoo_parse_search("{\"quotes\":[]}", 13, sym, sizeof sym, NULL, 0,
		&cause) == PARSE_NOT_FOUND);
	free(cause);
}

static void
test_rss(void)
{
	static const char r[] =
	    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><item>"
	    "<title><![CDATA[Older & wiser]]></title><link>https://x/1</link>"
	    "<pubDate>Fri, 29 Aug 2025 23:30:00 -0400</pubDate></item><item>"
	    "<title>A &amp; B&#39;s &#x263a; day</title><pubDate>Mon, 01 Sep "
	    "2025 10:00:00 GMT</pubDate></item><item><title>Later</title>"
	    "<pubDate>Tue, 02 Sep 2025 10:00:00 +0000</pubDate></item>"
	    "<item><title>No date</title></item></channel></rss>";
	struct market_news *n = NULL;
	size_t k = 0;
	char *cause = NULL;

	TEST_CHECK("RSS is read",
	    rss_parse_news(r, strlen(r), DAY(2025, 9, 1), 10, &n, &k, &cause) ==
		0);
	TEST_CHECK("dated items up to the as-of date, newest first",
	    k == 2 && strcmp(n[0].headline, "A & B's \xe2\x98\xba day") == 0 &&
		strcmp(n[1].headline, "Older & wiser") == 0);
	TEST_CHECK("a -0400 time is the next day in UTC",
	    k == 2 && n[1].date == DAY(2025, 8, 30));
	TEST_STREQ("link", k == 2 ? n[1].url : "", "https://x/1");
	TEST_STREQ("unrated", k == 2 ? n[0].sentiment : "", "unrated");
	free(n);
	TEST_CHECK("HTML is not RSS",
	    rss_parse_news("<html></html>", 13, 30000, 10, &n, &k, &cause) ==
		    PARSE_BAD &&
		cause != NULL);
	free(cause);
}

static void
test_stooq(void)
{
	static const char csv[] =
	    "Date,Open,High,Low,Close,Volume\r\n"
	    "2025-09-02,10,11,9,10.5,100\r\n2025-09-03,10.5,11,10,10.8,\r\n";
	struct market_bars b;
	char *cause = NULL;

	TEST_CHECK("CSV is read",
	    stooq_parse_csv(csv, strlen(csv), 0, 30000, &b, &cause) == 0 &&
		b.n == 2 && b.date[1] == DAY(2025, 9, 3) &&
		b.close[1] == 10.8 && b.volume[1] == 0);
	market_bars_free(&b);
	TEST_CHECK("No data is not found",
	    stooq_parse_csv("No data", 7, 0, 30000, &b, &cause) ==
		    PARSE_NOT_FOUND &&
		strstr(cause, "No data") != NULL);
	free(cause);
	TEST_CHECK("the hits limit is said",
	    stooq_parse_csv("Exceeded the daily hits limit", 29, 0, 30000, &b,
		&cause) == PARSE_BAD &&
		strstr(cause, "hits limit") != NULL);
	free(cause);
	TEST_CHECK("an API key page is said",
	    stooq_parse_csv("<!DOCTYPE html><p>apikey</p>", 28, 0, 30000, &b,
		&cause) == PARSE_BAD &&
		strstr(cause, "API key") != NULL);
	free(cause);
	TEST_CHECK("a bad row names its line",
	    stooq_parse_csv("Date,Open,High,Low,Close\nx,1,2,3,4\n", 34, 0,
		30000, &b, &cause) == PARSE_BAD &&
		strstr(cause, "line 2") != NULL);
	free(cause);
}

static void
test_fresh(void)
{
	/* Fetched Wed 2025-09-03 at 21:00 New York (after the close). */
	int64_t wed = (int64_t)DAY(2025, 9, 3) * 86400 + 21 * 3600 + 14400;
	int32_t d3 = DAY(2025, 9, 3), d4 = DAY(2025, 9, 4);
	int64_t thu_close = (int64_t)d4 * 86400 + 16 * 3600 + 14400;

	TEST_CHECK("a closed day stays fresh",
	    market_cache_bars_fresh(wed, -14400, d3, d3, 0,
		(time_t)(wed + 86400 * 30)));
	TEST_CHECK("today's bars are fresh until the next close",
	    market_cache_bars_fresh(wed, -14400, d4, d3, 0,
		(time_t)(thu_close - 60)));
	TEST_CHECK("and stale after it",
	    !market_cache_bars_fresh(wed, -14400, d4, d3, 0,
		(time_t)(thu_close + 60)));
	TEST_CHECK("a TTL replaces the rule",
	    !market_cache_bars_fresh(wed, -14400, d3, d3, 60,
		(time_t)(wed + 61)));
}

static void
test_cache(void)
{
	char path[] = "/tmp/unit-market-data-XXXXXX", db[64], side[80];
	char *cause = NULL;
	int32_t d[] = { DAY(2025, 9, 2), DAY(2025, 9, 3) };
	double c[] = { 10, 11 }, adj[] = { 9.5, 11 };
	struct market_split sp = { DAY(2025, 9, 3), 2 };
	struct market_bars b = { 0 }, g;
	struct store *st = NULL;
	cJSON *list = NULL;
	long n = 0;
	int fd = mkstemp(path);

	close(fd);
	unlink(path);
	snprintf(db, sizeof db, "%s.db", path);
	if (store_open(db, &st, &cause) != 0) {
		TEST_CHECK("the store opens", 0);
		free(cause);
		return;
	}
	b.n = 2;
	b.date = d;
	b.open = b.high = b.low = b.close = c;
	b.volume = c;
	b.adj_close = adj;
	b.splits = &sp;
	b.n_splits = 1;
	snprintf(b.origin.provider, sizeof b.origin.provider, "yahoo");
	b.origin.fetched_at = 1756940400; /* 2025-09-03 23:00 UTC */
	snprintf(b.currency, sizeof b.currency, "USD");
	TEST_CHECK("bars are kept",
	    market_cache_bars_put(st, "AAPL", d[0], d[1], &b, &cause) == 0);
	TEST_CHECK("and read back (any age)",
	    market_cache_bars_get(st, "AAPL", d[0], d[1], 0, time(NULL), &g,
		&cause) == 0 &&
		g.n == 2 && g.adj_close[0] == 9.5 && g.n_splits == 1 &&
		g.splits[0].ratio == 2 && g.origin.from_cache &&
		strcmp(g.origin.provider, "yahoo") == 0 &&
		strcmp(g.currency, "USD") == 0);
	market_bars_free(&g);
	TEST_CHECK("a span not fetched is a miss",
	    market_cache_bars_get(st, "AAPL", d[0] - 30, d[1], 1, time(NULL),
		&g, &cause) == 1);
	TEST_CHECK("listed",
	    market_cache_list(st, NULL, time(NULL), &list, &cause) == 0 &&
		cJSON_GetArraySize(list) == 1);
	cJSON_Delete(list);
	TEST_CHECK("cleared",
	    market_cache_clear(st, "AAPL", &n, &cause) == 0 && n == 1 &&
		market_cache_bars_get(st, "AAPL", d[0], d[1], 0, time(NULL), &g,
		    &cause) == 1);
	store_close(st);
	unlink(db);
	snprintf(side, sizeof side, "%s-wal", db);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", db);
	unlink(side);
}

static void
test_benchmarks(void)
{
	struct market_config cfg = { 0 };
	char b[32];

	cfg.benchmarks = "US=^GSPC,L=^FTSE,T=^N225";
	market_configure(&cfg);
	TEST_CHECK("US",
	    market_get_benchmark("AAPL", b, sizeof b) == 0 &&
		strcmp(b, "^GSPC") == 0);
	TEST_CHECK("a class share is US",
	    market_get_benchmark("BRK.B", b, sizeof b) == 0 &&
		strcmp(b, "^GSPC") == 0);
	TEST_CHECK("London",
	    market_get_benchmark("VOD.L", b, sizeof b) == 0 &&
		strcmp(b, "^FTSE") == 0);
	TEST_CHECK("Tokyo",
	    market_get_benchmark("7203.T", b, sizeof b) == 0 &&
		strcmp(b, "^N225") == 0);
	TEST_CHECK("a market without one",
	    market_get_benchmark("SAP.DE", b, sizeof b) == -1);
	TEST_CHECK("an index has none",
	    market_get_benchmark("^GSPC", b, sizeof b) == -1);
	TEST_CHECK("sim",
	    market_get_benchmark("SIM_STOCK", b, sizeof b) == 0 &&
		strcmp(b, "SIM_INDEX") == 0);
	TEST_STREQ("a SIM_ symbol's chain is sim",
	    market_chain("SIM_STOCK", MARKET_HISTORY), "sim");
	TEST_STREQ("others take the default chain",
	    market_chain("AAPL", MARKET_HISTORY), "yahoo,stooq");
	cfg.provider = "stooq";
	market_configure(&cfg);
	TEST_STREQ("--provider replaces every chain",
	    market_chain("SIM_STOCK", MARKET_NEWS), "stooq");
}

static void
test_terms(void)
{
	char t[64];

	TEST_CHECK("the company of a prompt",
	    symbol_prompt_terms("Analyze Apple stock for investment purposes",
		t, sizeof t) == 1 &&
		strcmp(t, "Apple") == 0);
	TEST_CHECK("markets by suffix",
	    strcmp(market_exchange("VOD.L", t, sizeof t), "L") == 0 &&
		strcmp(market_exchange("BRK.B", t, sizeof t), "US") == 0 &&
		strcmp(market_exchange("BRK-B", t, sizeof t), "US") == 0 &&
		strcmp(market_exchange("^FTSE", t, sizeof t), "L") == 0 &&
		strcmp(market_exchange("^GSPC", t, sizeof t), "US") == 0 &&
		strcmp(market_exchange("SAP.DE", t, sizeof t), "DE") == 0);
	{
		int m = 0;

		TEST_CHECK("Tokyo is 9 h east",
		    market_utc_offset("7203.T", &m) == 0 && m == 540);
		TEST_CHECK("US symbols follow the local clock",
		    market_utc_offset("AAPL", &m) == -1 &&
			market_utc_offset("SIM_STOCK", &m) == -1);
	}
	TEST_CHECK("no company",
	    symbol_prompt_terms("analyze the stock", t, sizeof t) == 0);
}

int
main(void)
{
	test_chart();
	test_tokyo();
	test_summary();
	test_search();
	test_rss();
	test_stooq();
	test_fresh();
	test_cache();
	test_benchmarks();
	test_terms();
	return TEST_REPORT();
}
