/*
 * unit-av-edgar.c: the readers of Alpha Vantage's and SEC EDGAR's answers
 * on recorded shapes (tests/fixtures/alphavantage, tests/fixtures/edgar):
 * normal answers, unknown symbols, throttling and refusals said with HTTP
 * 200, truncated JSON, HTML pages; and the fundamentals computed from
 * company facts.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/date.h"
#include "lib/xmalloc.h"
#include "tests/testlib.h"
#include "tools/market/parse-alphavantage.h"
#include "tools/market/parse-edgar.h"

static char *
fixture(const char *name, size_t *len)
{
	const char *top = getenv("top_srcdir");
	char *path = xasprintf("%s/tests/fixtures/%s", top ? top : ".", name);
	FILE *f = fopen(path, "rb");
	char *buf;

	if (f == NULL) {
		printf("cannot read %s\n", path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	buf = xmalloc(*len + 1);
	if (fread(buf, 1, *len, f) != *len)
		exit(1);
	buf[*len] = '\0';
	fclose(f);
	free(path);
	return buf;
}

static int32_t
ymd(int y, int m, int d)
{
	return date_from_ymd(y, m, d);
}

/* What av_check_body says about fixture NAME; *WHY kept in WHY_OUT. */
static enum fetch_body
av_kind(const char *name, char *why_out, size_t size)
{
	size_t len;
	char *b = fixture(name, &len), *why = NULL;
	enum fetch_body k = av_check_body(b, len, &why);

	snprintf(why_out, size, "%s", why ? why : "");
	free(why);
	free(b);
	return k;
}

static void
test_av_bodies(void)
{
	char why[512];

	TEST_CHECK("a series is data",
	    av_kind("alphavantage/daily-AAPL.json", why, sizeof why) ==
		FETCH_BODY_DATA);
	TEST_CHECK("a Note is a rate limit",
	    av_kind("alphavantage/note-frequency.json", why, sizeof why) ==
		FETCH_BODY_THROTTLED);
	TEST_CHECK("the daily limit is a rate limit, not no data",
	    av_kind("alphavantage/information-daily-limit.json", why,
		sizeof why) == FETCH_BODY_THROTTLED);
	TEST_CHECK("and the key it quotes is not repeated",
	    strstr(why, "AVKEYSECRET123") == NULL && strstr(why, "25 a day"));
	TEST_CHECK("outputsize=full for a free key is a refusal",
	    av_kind("alphavantage/information-premium-full.json", why,
		sizeof why) == FETCH_BODY_UNAUTHORIZED);
	TEST_CHECK("a bad key is a refusal",
	    av_kind("alphavantage/error-apikey.json", why, sizeof why) ==
		FETCH_BODY_UNAUTHORIZED);
	TEST_CHECK("Invalid API call is no such symbol",
	    av_kind("alphavantage/error-invalid-call.json", why, sizeof why) ==
		FETCH_BODY_NOT_FOUND);
	TEST_CHECK("Invalid inputs (news) is no such symbol",
	    av_kind("alphavantage/information-invalid-inputs.json", why,
		sizeof why) == FETCH_BODY_NOT_FOUND);
	TEST_CHECK("an empty overview is no such symbol",
	    av_kind("alphavantage/overview-empty.json", why, sizeof why) ==
		FETCH_BODY_NOT_FOUND);
	TEST_CHECK("an empty quote is no such symbol",
	    av_kind("alphavantage/quote-empty.json", why, sizeof why) ==
		FETCH_BODY_NOT_FOUND);
	TEST_CHECK("truncated JSON is not data",
	    av_kind("alphavantage/truncated.json", why, sizeof why) ==
		FETCH_BODY_OTHER);
	TEST_CHECK("an HTML page is not data",
	    av_kind("alphavantage/error-page.html", why, sizeof why) ==
		    FETCH_BODY_OTHER &&
		strstr(why, "HTML") != NULL);
}

static void
test_av_daily(void)
{
	struct market_bars b;
	size_t len, i;
	char *body = fixture("alphavantage/daily-AAPL.json", &len), *cause = NULL;
	int rc, ok = 1;

	rc = av_parse_daily(body, len, 0, ymd(2025, 9, 4), &b, &cause);
	TEST_CHECK("the full series", rc == 0 && b.n == 300);
	for (i = 1; i < b.n; i++)
		ok &= b.date[i] > b.date[i - 1];
	TEST_CHECK("ascending", ok);
	TEST_CHECK("last day", b.n && b.date[b.n - 1] == ymd(2025, 9, 4));
	TEST_NEAR("last close", b.n ? b.close[b.n - 1] : 0, 238.47, 0, 1e-9);
	TEST_STREQ("the zone, as IANA names it", b.timezone,
	    "America/New_York");
	TEST_STREQ("the origin", b.origin.provider, "alphavantage");
	market_bars_free(&b);
	rc = av_parse_daily(body, len, ymd(2025, 8, 1), ymd(2025, 8, 29), &b,
	    &cause);
	TEST_CHECK("a window", rc == 0 && b.n == 21 &&
		b.date[0] == ymd(2025, 8, 1) && b.date[20] == ymd(2025, 8, 29));
	market_bars_free(&b);
	free(body);

	body = fixture("alphavantage/error-invalid-call.json", &len);
	rc = av_parse_daily(body, len, 0, ymd(2025, 9, 4), &b, &cause);
	TEST_CHECK("unknown symbol", rc == AV_NOT_FOUND && b.n == 0);
	free(cause);
	free(body);
	body = fixture("alphavantage/truncated.json", &len);
	rc = av_parse_daily(body, len, 0, ymd(2025, 9, 4), &b, &cause);
	TEST_CHECK("truncated", rc == AV_BAD && strstr(cause, "alphavantage: "));
	free(cause);
	free(body);
	body = fixture("alphavantage/information-daily-limit.json", &len);
	rc = av_parse_daily(body, len, 0, ymd(2025, 9, 4), &b, &cause);
	TEST_CHECK("a throttled answer is not 'no data'",
	    rc == AV_BAD && strstr(cause, "rate limit") &&
		!strstr(cause, "AVKEYSECRET123"));
	free(cause);
	free(body);
	TEST_CHECK("a premium refusal of outputsize=full is recognised", ({
		body = fixture("alphavantage/information-premium-full.json",
		    &len);
		int r_ = av_is_premium_full(body, len);
		free(body);
		r_;
	}));
}

static void
test_av_other(void)
{
	struct market_profile p;
	struct market_fundamentals f;
	struct market_news *news = NULL;
	struct av_quote q;
	size_t len, n = 0;
	char *body, *cause = NULL;
	int rc;

	body = fixture("alphavantage/quote-AAPL.json", &len);
	rc = av_parse_quote(body, len, &q, &cause);
	TEST_CHECK("a quote", rc == 0 && q.date == ymd(2025, 9, 5) &&
		q.price == 239.78 && q.volume == 54870397);
	free(body);
	body = fixture("alphavantage/overview-AAPL.json", &len);
	rc = av_parse_overview(body, len, &p, &f, &cause);
	TEST_CHECK("an overview", rc == 0);
	TEST_STREQ("name", p.name, "Apple Inc");
	TEST_STREQ("sector", p.sector, "TECHNOLOGY");
	TEST_NEAR("P/E", f.pe_ratio, 36.21, 0, 1e-9);
	TEST_NEAR("yield as a percentage", f.dividend_yield_pct, 0.44, 0,
	    1e-9);
	TEST_NEAR("margin as a percentage", f.profit_margin_pct, 24.3, 0,
	    1e-9);
	TEST_NEAR("shares", f.shares_outstanding, 14840390000.0, 0, 0.5);
	free(body);
	body = fixture("alphavantage/overview-empty.json", &len);
	rc = av_parse_overview(body, len, &p, &f, &cause);
	TEST_CHECK("an empty overview", rc == AV_NOT_FOUND);
	free(cause);
	free(body);
	body = fixture("alphavantage/news-AAPL.json", &len);
	rc = av_parse_news(body, len, "AAPL", ymd(2025, 9, 4), 10, &news, &n,
	    &cause);
	TEST_CHECK("news up to the as-of day, newest first", rc == 0 &&
		n == 2 && news[0].date == ymd(2025, 9, 4) &&
		news[1].date == ymd(2025, 9, 3));
	TEST_CHECK("the symbol's own sentiment", n == 2 &&
		strcmp(news[0].sentiment, "positive") == 0 &&
		fabs(news[0].sentiment_score - 0.412) < 1e-9 &&
		strcmp(news[1].sentiment, "negative") == 0);
	TEST_CHECK("source and link", n == 2 &&
		strcmp(news[1].source, "Reuters") == 0 &&
		strstr(news[0].url, "apple-iphone") != NULL);
	free(news);
	free(body);
	body = fixture("alphavantage/information-invalid-inputs.json", &len);
	rc = av_parse_news(body, len, "ZZZZ", ymd(2025, 9, 4), 10, &news, &n,
	    &cause);
	TEST_CHECK("news of an unknown symbol", rc == AV_NOT_FOUND);
	free(cause);
	free(body);
}

static void
test_edgar(void)
{
	struct edgar_facts x;
	struct market_fundamentals f;
	size_t len;
	long cik;
	char name[128], *body, *cause = NULL, *why = NULL;
	int rc;

	body = fixture("edgar/company_tickers.json", &len);
	rc = edgar_parse_tickers(body, len, "AAPL", &cik, name, sizeof name,
	    &cause);
	TEST_CHECK("AAPL's CIK", rc == 0 && cik == 320193 &&
		strcmp(name, "Apple Inc.") == 0);
	rc = edgar_parse_tickers(body, len, "brk.b", &cik, name, sizeof name,
	    &cause);
	TEST_CHECK("BRK.B is BRK-B", rc == 0 && cik == 1067983);
	rc = edgar_parse_tickers(body, len, "7203.T", &cik, name, sizeof name,
	    &cause);
	TEST_CHECK("not a US filer", rc == EDGAR_NOT_FOUND &&
		strstr(cause, "7203.T") != NULL);
	free(cause);
	rc = edgar_parse_tickers(body, len / 2, "AAPL", &cik, name,
	    sizeof name, &cause);
	TEST_CHECK("a truncated map", rc == EDGAR_BAD);
	free(cause);
	free(body);

	body = fixture("edgar/companyfacts-CIK0000320193.json", &len);
	rc = edgar_parse_facts(body, len, ymd(2025, 9, 4), &x, &cause);
	TEST_CHECK("company facts", rc == 0);
	/* FY2024 391.035 bn + 9 months 2025 313.695 - 9 months 2024 296.105 */
	TEST_NEAR("revenue rolled forward", x.revenue_ttm, 408625000000.0, 0,
	    1);
	TEST_NEAR("net income rolled forward", x.net_income_ttm,
	    93736000000.0 + 84544000000.0 - 79000000000.0, 0, 1);
	TEST_NEAR("EPS", x.eps_ttm, 6.08 + 5.64 - 5.13, 0, 1e-9);
	TEST_NEAR("shares: the latest count", x.shares_outstanding,
	    14840390000.0, 0, 0.5);
	TEST_NEAR("equity: the latest", x.equity, 65830000000.0, 0, 0.5);
	TEST_CHECK("the period", x.period_end == ymd(2025, 6, 28));
	edgar_fundamentals(&x, 238.47, &f);
	TEST_NEAR("P/E with the close", f.pe_ratio, 238.47 / 6.59, 1e-12, 0);
	TEST_NEAR("margin", f.profit_margin_pct,
	    99280000000.0 / 408625000000.0 * 100, 1e-12, 0);
	TEST_NEAR("price to book", f.price_to_book,
	    238.47 / (65830000000.0 / 14840390000.0), 1e-12, 0);
	TEST_NEAR("market cap", f.market_cap, 238.47 * 14840390000.0, 1e-12,
	    0);
	TEST_NEAR("yield", f.dividend_yield_pct, (0.98 + 0.76 - 0.73) /
		238.47 * 100, 1e-12, 0);
	edgar_fundamentals(&x, NAN, &f);
	TEST_CHECK("no price, no ratios", isnan(f.pe_ratio) &&
		isnan(f.market_cap) && !isnan(f.profit_margin_pct));

	/* As of a day before the 10-Q of August 2025 was filed. */
	rc = edgar_parse_facts(body, len, ymd(2025, 7, 31), &x, &cause);
	TEST_CHECK("only what was filed by the as-of day", rc == 0 &&
		fabs(x.revenue_ttm - 391035000000.0) < 1 &&
		fabs(x.shares_outstanding - 14939315000.0) < 1);
	rc = edgar_parse_facts(body, len, ymd(2020, 1, 1), &x, &cause);
	TEST_CHECK("nothing filed yet", rc == EDGAR_NOT_FOUND);
	free(cause);
	rc = edgar_parse_facts(body, len - 10, ymd(2025, 9, 4), &x, &cause);
	TEST_CHECK("truncated facts", rc == EDGAR_BAD);
	free(cause);
	free(body);

	body = fixture("edgar/undeclared.html", &len);
	TEST_CHECK("the block page is a refusal",
	    edgar_check_body(body, len, &why) == FETCH_BODY_UNAUTHORIZED &&
		strstr(why, "sec_user_agent") != NULL);
	free(why);
	why = NULL;
	free(body);
	body = fixture("edgar/nosuchkey.xml", &len);
	TEST_CHECK("NoSuchKey is no such filer",
	    edgar_check_body(body, len, &why) == FETCH_BODY_NOT_FOUND);
	free(why);
	free(body);
}

int
main(void)
{
	test_av_bodies();
	test_av_daily();
	test_av_other();
	test_edgar();
	return TEST_REPORT();
}
