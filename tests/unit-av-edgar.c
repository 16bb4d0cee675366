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
#include "tests/fake-http.h"
#include "tests/testlib.h"
#include "tools/market/market.h"
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
	char *body = fixture("alphavantage/daily-AAPL.json", &len),
	     *cause = NULL;
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
	TEST_CHECK("a window",
	    rc == 0 && b.n == 21 && b.date[0] == ymd(2025, 8, 1) &&
		b.date[20] == ymd(2025, 8, 29));
	market_bars_free(&b);
	free(body);

	body = fixture("alphavantage/error-invalid-call.json", &len);
	rc = av_parse_daily(body, len, 0, ymd(2025, 9, 4), &b, &cause);
	TEST_CHECK("unknown symbol", rc == AV_NOT_FOUND && b.n == 0);
	free(cause);
	free(body);
	body = fixture("alphavantage/truncated.json", &len);
	rc = av_parse_daily(body, len, 0, ymd(2025, 9, 4), &b, &cause);
	TEST_CHECK("truncated",
	    rc == AV_BAD && strstr(cause, "alphavantage: "));
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
	TEST_CHECK("a quote",
	    rc == 0 && q.date == ymd(2025, 9, 5) && q.price == 239.78 &&
		q.volume == 54870397);
	free(body);
	body = fixture("alphavantage/overview-AAPL.json", &len);
	rc = av_parse_overview(body, len, &p, &f, &cause);
	TEST_CHECK("an overview", rc == 0);
	TEST_STREQ("name", p.name, "Apple Inc");
	TEST_STREQ("sector", p.sector, "TECHNOLOGY");
	TEST_NEAR("P/E", f.pe_ratio, 36.21, 0, 1e-9);
	TEST_NEAR("yield as a percentage", f.dividend_yield_pct, 0.44, 0, 1e-9);
	TEST_NEAR("margin as a percentage", f.profit_margin_pct, 24.3, 0, 1e-9);
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
	TEST_CHECK("news up to the as-of day, newest first",
	    rc == 0 && n == 2 && news[0].date == ymd(2025, 9, 4) &&
		news[1].date == ymd(2025, 9, 3));
	TEST_CHECK("the symbol's own sentiment",
	    n == 2 && strcmp(news[0].sentiment, "positive") == 0 &&
		fabs(news[0].sentiment_score - 0.412) < 1e-9 &&
		strcmp(news[1].sentiment, "negative") == 0);
	TEST_CHECK("source and link",
	    n == 2 && strcmp(news[1].source, "Reuters") == 0 &&
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
	TEST_CHECK("AAPL's CIK",
	    rc == 0 && cik == 320193 && strcmp(name, "Apple Inc.") == 0);
	rc = edgar_parse_tickers(body, len, "brk.b", &cik, name, sizeof name,
	    &cause);
	TEST_CHECK("BRK.B is BRK-B", rc == 0 && cik == 1067983);
	rc = edgar_parse_tickers(body, len, "7203.T", &cik, name, sizeof name,
	    &cause);
	TEST_CHECK("not a US filer",
	    rc == EDGAR_NOT_FOUND && strstr(cause, "7203.T") != NULL);
	free(cause);
	rc = edgar_parse_tickers(body, len / 2, "AAPL", &cik, name, sizeof name,
	    &cause);
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
	TEST_NEAR("market cap", f.market_cap, 238.47 * 14840390000.0, 1e-12, 0);
	TEST_NEAR("yield", f.dividend_yield_pct,
	    (0.98 + 0.76 - 0.73) / 238.47 * 100, 1e-12, 0);
	edgar_fundamentals(&x, NAN, &f);
	TEST_CHECK("no price, no ratios",
	    isnan(f.pe_ratio) && isnan(f.market_cap) &&
		!isnan(f.profit_margin_pct));

	/* As of a day before the 10-Q of August 2025 was filed. */
	rc = edgar_parse_facts(body, len, ymd(2025, 7, 31), &x, &cause);
	TEST_CHECK("only what was filed by the as-of day",
	    rc == 0 && fabs(x.revenue_ttm - 391035000000.0) < 1 &&
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

#define KEY "AVKEYSECRET123"

/* Points the providers at server S (NULL: nowhere) with KEY and UA. */
static void
configure(const struct fake_server *s, const char *key, const char *ua,
    const char *chain)
{
	static char av[128], ed[128], tk[128];
	struct market_config c;

	memset(&c, 0, sizeof c);
	snprintf(av, sizeof av, "http://127.0.0.1:%d/query",
	    s ? s->port : fake_closed_port());
	snprintf(ed, sizeof ed, "http://127.0.0.1:%d",
	    s ? s->port : fake_closed_port());
	snprintf(tk, sizeof tk,
	    "http://127.0.0.1:%d/files/company_tickers.json",
	    s ? s->port : fake_closed_port());
	c.alphavantage_url = av;
	c.alphavantage_key = key;
	c.edgar_url = ed;
	c.edgar_tickers_url = tk;
	c.sec_user_agent = ua;
	c.history_chain = chain;
	c.timeout_ms = 5000;
	market_configure(&c);
	fetch_reset_limiters();
}

static void
no_sleep(long ms, void *arg)
{
	(void)ms;
	(void)arg;
}

/* Starts a server answering the fixtures NAMES (NULL-terminated) in order,
 * each with STATUS 200 unless the name ends in .html (502). */
static void
serve(struct fake_server *s, const char *const *names, char **bodies)
{
	struct fake_response script[8];
	size_t n, len;

	for (n = 0; names[n] != NULL; n++) {
		bodies[n] = fixture(names[n], &len);
		script[n].status = strstr(names[n], "edgar/undeclared") ? 403 :
		    strstr(names[n], ".html")				? 502 :
									  200;
		script[n].headers = "Content-Type: application/json\r\n";
		script[n].body = bodies[n];
		script[n].stall_ms = 0;
	}
	bodies[n] = NULL;
	fake_server_start(s, script, n);
}

static void
unserve(struct fake_server *s, char **bodies)
{
	size_t i;

	fake_server_stop(s);
	for (i = 0; bodies[i] != NULL; i++)
		free(bodies[i]);
}

/* Whether the cause of a failed call holds the key anywhere. */
static int
leaks(const char *cause)
{
	return cause != NULL && strstr(cause, KEY) != NULL;
}

static void
test_av_provider(void)
{
	const struct market_provider *av = market_provider_find("alphavantage");
	struct fake_server s;
	struct market_bars b;
	struct market_profile p;
	struct market_fundamentals f;
	struct market_news *news;
	char *bodies[8], *cause = NULL, *log;
	size_t n;
	int rc;

	TEST_CHECK("alphavantage is a provider", av != NULL);
	fetch_set_sleep(no_sleep, NULL);

	configure(NULL, NULL, NULL, NULL);
	rc = market_history(av, "AAPL", ymd(2025, 9, 4), 0, &b, &cause);
	TEST_CHECK("no key: says how to give one",
	    rc != 0 && strstr(cause, "ALPHAVANTAGE_API_KEY") != NULL);
	free(cause);
	cause = NULL;

	serve(&s, (const char *const[]){ "alphavantage/daily-AAPL.json", NULL },
	    bodies);
	configure(&s, KEY, NULL, NULL);
	rc = market_history(av, "AAPL", ymd(2025, 9, 4), ymd(2025, 1, 1), &b,
	    &cause);
	log = fake_server_log(&s);
	TEST_CHECK("history",
	    rc == 0 && b.n > 150 && b.date[b.n - 1] == ymd(2025, 9, 4) &&
		strcmp(b.origin.provider, "alphavantage") == 0);
	TEST_CHECK("TIME_SERIES_DAILY, full, with the key in the query",
	    strstr(log,
		"function=TIME_SERIES_DAILY&symbol=AAPL"
		"&outputsize=full&apikey=" KEY) != NULL);
	TEST_CHECK("one request: the series reaches the as-of day",
	    fake_server_count(&s) == 1);
	free(log);
	market_bars_free(&b);
	unserve(&s, bodies);

	serve(&s,
	    (const char *const[]){ "alphavantage/information-premium-full.json",
		"alphavantage/daily-compact-AAPL.json",
		"alphavantage/quote-AAPL.json", NULL },
	    bodies);
	configure(&s, KEY, NULL, NULL);
	rc = market_history(av, "AAPL", ymd(2025, 9, 5), 0, &b, &cause);
	log = fake_server_log(&s);
	TEST_CHECK("a free key: the compact series and the quote's day",
	    rc == 0 && b.n == 101 && b.date[b.n - 1] == ymd(2025, 9, 5) &&
		b.close[b.n - 1] == 239.78);
	TEST_CHECK("asked compact after full, then the quote",
	    strstr(log, "outputsize=compact") != NULL &&
		strstr(log, "function=GLOBAL_QUOTE") != NULL);
	free(log);
	market_bars_free(&b);
	unserve(&s, bodies);

	serve(&s,
	    (const char *const[]){ "alphavantage/information-daily-limit.json",
		"alphavantage/information-daily-limit.json", NULL },
	    bodies);
	configure(&s, KEY, NULL, NULL);
	rc = market_history(av, "AAPL", ymd(2025, 9, 4), 0, &b, &cause);
	TEST_CHECK("the daily limit: throttled, not 'no data'",
	    rc != 0 && strstr(cause, "rate limit") != NULL &&
		strstr(cause, "no such") == NULL);
	TEST_CHECK("the key is in no message", !leaks(cause));
	free(cause);
	cause = NULL;
	unserve(&s, bodies);

	serve(&s,
	    (const char *const[]){ "alphavantage/error-invalid-call.json",
		NULL },
	    bodies);
	configure(&s, KEY, NULL, NULL);
	rc = market_history(av, "ZZZZ", ymd(2025, 9, 4), 0, &b, &cause);
	TEST_CHECK("an unknown symbol",
	    rc != 0 && strstr(cause, "no such symbol") != NULL &&
		!leaks(cause));
	free(cause);
	cause = NULL;
	unserve(&s, bodies);

	serve(&s,
	    (const char *const[]){ "alphavantage/error-page.html",
		"alphavantage/error-page.html", NULL },
	    bodies);
	configure(&s, KEY, NULL, NULL);
	rc = market_history(av, "AAPL", ymd(2025, 9, 4), 0, &b, &cause);
	TEST_CHECK("an HTML error page (HTTP 502)",
	    rc != 0 && strstr(cause, "502") != NULL && !leaks(cause));
	free(cause);
	cause = NULL;
	unserve(&s, bodies);

	serve(&s, (const char *const[]){ "alphavantage/truncated.json", NULL },
	    bodies);
	configure(&s, KEY, NULL, NULL);
	rc = market_history(av, "AAPL", ymd(2025, 9, 4), 0, &b, &cause);
	TEST_CHECK("truncated JSON",
	    rc != 0 && strstr(cause, "JSON") && !leaks(cause));
	free(cause);
	cause = NULL;
	unserve(&s, bodies);

	serve(&s,
	    (const char *const[]){ "alphavantage/overview-AAPL.json",
		"alphavantage/news-AAPL.json", NULL },
	    bodies);
	configure(&s, KEY, NULL, NULL);
	rc = market_profile(av, "AAPL", &p, &cause) ||
	    market_fundamentals(av, "AAPL", ymd(2025, 9, 4), &f, &cause);
	TEST_CHECK("profile and fundamentals from one OVERVIEW",
	    rc == 0 && strcmp(p.name, "Apple Inc") == 0 && f.pe_ratio == 36.21);
	rc = market_news(av, "AAPL", ymd(2025, 9, 4), &news, &n, &cause);
	TEST_CHECK("news", rc == 0 && n == 2);
	TEST_CHECK("two requests in all", fake_server_count(&s) == 2);
	free(news);
	unserve(&s, bodies);
}

static void
test_edgar_provider(void)
{
	const struct market_provider *ed = market_provider_find("edgar");
	struct fake_server s;
	struct market_fundamentals f;
	char *bodies[8], *cause = NULL, *log;
	int rc;

	TEST_CHECK("edgar is a provider", ed != NULL);
	configure(NULL, KEY, NULL, "alphavantage");
	rc = market_fundamentals(ed, "AAPL", ymd(2025, 9, 4), &f, &cause);
	TEST_CHECK("no sec_user_agent: says to set it",
	    rc != 0 && strstr(cause, "sec_user_agent") != NULL);
	free(cause);
	cause = NULL;

	serve(&s,
	    (const char *const[]){ "edgar/company_tickers.json",
		"edgar/companyfacts-CIK0000320193.json",
		"alphavantage/daily-AAPL.json", "edgar/undeclared.html", NULL },
	    bodies);
	configure(&s, KEY, "Jane Doe jane@example.com", "alphavantage");
	rc = market_fundamentals(ed, "AAPL", ymd(2025, 9, 4), &f, &cause);
	log = fake_server_log(&s);
	TEST_CHECK("fundamentals from company facts", rc == 0);
	TEST_NEAR("P/E with the as-of close", f.pe_ratio, 238.47 / 6.59, 1e-9,
	    0);
	TEST_CHECK("the ten-digit CIK",
	    strstr(log, "GET /api/xbrl/companyfacts/CIK0000320193.json") !=
		NULL);
	TEST_CHECK("the User-Agent the SEC asks for",
	    strstr(log, "User-Agent: Jane Doe jane@example.com") != NULL);
	free(log);
	rc = market_fundamentals(ed, "7203.T", ymd(2025, 9, 4), &f, &cause);
	TEST_CHECK("not a US filer, from the map already read",
	    rc != 0 && strstr(cause, "not in the SEC's ticker map") &&
		fake_server_count(&s) == 3);
	free(cause);
	cause = NULL;
	rc = market_fundamentals(ed, "MSFT", ymd(2025, 9, 4), &f, &cause);
	TEST_CHECK("the SEC's block page is a refusal, tried once",
	    rc != 0 && strstr(cause, "block page") != NULL &&
		fake_server_count(&s) == 4);
	free(cause);
	unserve(&s, bodies);
}

int
main(void)
{
	test_av_provider();
	test_edgar_provider();
	test_av_bodies();
	test_av_daily();
	test_av_other();
	test_edgar();
	return TEST_REPORT();
}
