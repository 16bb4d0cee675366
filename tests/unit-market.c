/*
 * unit-market.c: the provider registry, the NYSE calendar and the
 * simulated market (determinism, trading days, profiles, fundamentals,
 * news, errors, a corrupt universe file, speed).
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "lib/date.h"
#include "lib/xmalloc.h"
#include "tests/testlib.h"
#include "tools/market/calendar.h"
#include "tools/market/market.h"

static const char *const stocks[] = { "SIM_STOCK", "SIM_GROWTH", "SIM_VALUE",
	"SIM_SMALL", "SIM_DECLINE", "SIM_UTILITY" };
#define NSTOCKS (sizeof stocks / sizeof stocks[0])

static const struct market_provider *sim;

static int32_t
ymd(int y, int m, int d)
{
	return date_from_ymd(y, m, d);
}

/* The whole history of SYMBOL up to AS_OF; aborts the test on failure. */
static struct market_bars
history(const char *symbol, int32_t as_of)
{
	struct market_bars b;
	char *cause = NULL;

	if (market_history(sim, symbol, as_of, 0, &b, &cause) != 0) {
		printf("FAIL history %s: %s\n", symbol, cause);
		exit(1);
	}
	return b;
}

static int
bars_equal(const struct market_bars *a, const struct market_bars *b, size_t n)
{
	return memcmp(a->date, b->date, n * sizeof *a->date) == 0 &&
	    memcmp(a->open, b->open, n * sizeof *a->open) == 0 &&
	    memcmp(a->high, b->high, n * sizeof *a->high) == 0 &&
	    memcmp(a->low, b->low, n * sizeof *a->low) == 0 &&
	    memcmp(a->close, b->close, n * sizeof *a->close) == 0 &&
	    memcmp(a->volume, b->volume, n * sizeof *a->volume) == 0;
}

/* Annualised volatility of daily log returns. */
static double
volatility(const struct market_bars *b)
{
	double s = 0, s2 = 0, r;
	size_t k, n = b->n - 1;

	for (k = 1; k < b->n; k++) {
		r = log(b->close[k] / b->close[k - 1]);
		s += r;
		s2 += r * r;
	}
	return sqrt((s2 - s * s / (double)n) / (double)(n - 1) * 252.0);
}

/* Regression beta of B's daily log returns on I's (same dates). */
static double
beta(const struct market_bars *b, const struct market_bars *i)
{
	double sx = 0, sy = 0, sxy = 0, sxx = 0, x, y;
	size_t k, n = b->n - 1;

	for (k = 1; k < b->n; k++) {
		x = log(i->close[k] / i->close[k - 1]);
		y = log(b->close[k] / b->close[k - 1]);
		sx += x;
		sy += y;
		sxy += x * y;
		sxx += x * x;
	}
	return (sxy - sx * sy / (double)n) / (sxx - sx * sx / (double)n);
}

static void
test_registry(void)
{
	char bench[32], small[4], **syms = NULL;
	size_t n = 0, i;
	int has_stock = 0;

	TEST_CHECK("sim provider exists", sim != NULL);
	TEST_STREQ("its name", market_provider_name(sim), "sim");
	TEST_CHECK("unknown provider", market_provider_find("yahoo!") == NULL);
	TEST_CHECK("names list sim", strstr(market_provider_names(), "sim"));
	TEST_CHECK("benchmark",
	    market_benchmark(sim, bench, sizeof bench) == 0);
	TEST_STREQ("benchmark is SIM_INDEX", bench, "SIM_INDEX");
	TEST_CHECK("benchmark buffer too small",
	    market_benchmark(sim, small, sizeof small) == -1);
	TEST_CHECK("symbols", market_symbols(sim, &syms, &n) == 0);
	TEST_CHECK("seven symbols", n == 7);
	for (i = 0; i < n; i++) {
		has_stock |= strcmp(syms[i], "SIM_STOCK") == 0;
		free(syms[i]);
	}
	free(syms);
	TEST_CHECK("SIM_STOCK listed", has_stock);
}

/* Trading days in year Y. */
static int
trading_days(int y)
{
	int32_t d;
	int n = 0;

	for (d = ymd(y, 1, 1); d < ymd(y + 1, 1, 1); d++)
		n += calendar_is_trading_day(d);
	return n;
}

static void
test_calendar(void)
{
	static const struct {
		int y, m, d;
		const char *name;
	} closed[] = {
		{ 2024, 3, 29, "Good Friday" },
		{ 2022, 6, 20, "Juneteenth (observed)" },
		{ 2021, 12, 24, "Christmas Day (observed)" },
		{ 2023, 1, 2, "New Year's Day (observed)" },
		{ 2024, 1, 15, "Martin Luther King Jr. Day" },
		{ 2024, 2, 19, "Presidents Day" },
		{ 2024, 5, 27, "Memorial Day" },
		{ 2024, 6, 19, "Juneteenth" },
		{ 2020, 7, 3, "Independence Day (observed)" },
		{ 2024, 9, 2, "Labor Day" },
		{ 2024, 11, 28, "Thanksgiving Day" },
		{ 2022, 12, 26, "Christmas Day (observed)" },
		{ 2027, 6, 18, "Juneteenth (observed)" },
		{ 2019, 4, 19, "Good Friday" },
	};
	size_t i;

	for (i = 0; i < sizeof closed / sizeof closed[0]; i++) {
		int32_t d = ymd(closed[i].y, closed[i].m, closed[i].d);
		TEST_CHECK("holiday is closed", !calendar_is_trading_day(d));
		TEST_STREQ("holiday name", calendar_holiday_name(d),
		    closed[i].name);
	}
	/* Saturday New Year's Day 2022: NYSE stays open on Friday 12-31. */
	TEST_CHECK("2021-12-31 open",
	    calendar_is_trading_day(ymd(2021, 12, 31)));
	TEST_CHECK("no Juneteenth before 2022",
	    calendar_is_trading_day(ymd(2021, 6, 18)));
	TEST_CHECK("no MLK Day before 1998",
	    calendar_is_trading_day(ymd(1997, 1, 20)));
	TEST_CHECK("weekend closed",
	    !calendar_is_trading_day(ymd(2024, 3, 30)));
	TEST_CHECK("weekend has no holiday name",
	    calendar_holiday_name(ymd(2024, 3, 30)) == NULL);
	TEST_CHECK("ordinary day has no name",
	    calendar_holiday_name(ymd(2024, 3, 28)) == NULL);
	TEST_CHECK("prev over Easter weekend",
	    calendar_prev_trading_day(ymd(2024, 3, 31)) == ymd(2024, 3, 28));
	TEST_CHECK("prev of a trading day is itself",
	    calendar_prev_trading_day(ymd(2024, 3, 28)) == ymd(2024, 3, 28));
	TEST_CHECK("next over Easter weekend",
	    calendar_next_trading_day(ymd(2024, 3, 29)) == ymd(2024, 4, 1));
	/* Published NYSE totals. */
	TEST_CHECK("2021 has 252 trading days", trading_days(2021) == 252);
	TEST_CHECK("2022 has 251 trading days", trading_days(2022) == 251);
	TEST_CHECK("2023 has 250 trading days", trading_days(2023) == 250);
	TEST_CHECK("2024 has 252 trading days", trading_days(2024) == 252);
}

static void
test_determinism(void)
{
	int32_t today = date_today(), early = ymd(2019, 6, 28);
	struct market_bars a = history("SIM_STOCK", today);
	struct market_bars b = history("SIM_STOCK", today);
	struct market_bars c = history("SIM_STOCK", early);
	struct market_bars d = { 0 };
	char *cause = NULL;
	size_t k = 0;

	TEST_CHECK("same inputs, same bars",
	    a.n == b.n && bars_equal(&a, &b, a.n));
	TEST_CHECK("earlier as-of is a prefix",
	    c.n < a.n && bars_equal(&a, &c, c.n));
	TEST_CHECK("earlier as-of ends on its last trading day",
	    c.date[c.n - 1] == early);
	TEST_CHECK("from",
	    market_history(sim, "SIM_STOCK", early, ymd(2019, 1, 1), &d,
		&cause) == 0);
	while (k < c.n && c.date[k] < ymd(2019, 1, 1))
		k++;
	TEST_CHECK("from selects the tail",
	    d.n == c.n - k && d.n > 100 && d.date[0] == ymd(2019, 1, 2) &&
		d.close[0] == c.close[k]);
	market_bars_free(&a);
	market_bars_free(&b);
	market_bars_free(&c);
	market_bars_free(&d);
	market_bars_free(&d);
}

static int
cents(double p)
{
	return fabs(p * 100.0 - round(p * 100.0)) < 1e-6;
}

/* Bar sanity for SYMBOL: trading days, OHLC, rounding, 3 years. */
static void
test_bars_of(const char *symbol, int32_t as_of)
{
	struct market_bars b = history(symbol, as_of);
	int days = 1, ohlc = 1, round_ok = 1, holiday = 0;
	size_t k;

	for (k = 0; k < b.n; k++) {
		days &= calendar_is_trading_day(b.date[k]) &&
		    (k == 0 || b.date[k] > b.date[k - 1]);
		holiday |= b.date[k] == ymd(2024, 3, 29) ||
		    b.date[k] == ymd(2022, 6, 20) ||
		    b.date[k] == ymd(2021, 12, 24) ||
		    b.date[k] == ymd(2023, 1, 2) ||
		    date_weekday(b.date[k]) % 6 == 0;
		ohlc &= b.low[k] > 0 && b.low[k] <= b.open[k] &&
		    b.low[k] <= b.close[k] && b.high[k] >= b.open[k] &&
		    b.high[k] >= b.close[k] && b.volume[k] >= 1;
		round_ok &= cents(b.open[k]) && cents(b.high[k]) &&
		    cents(b.low[k]) && cents(b.close[k]) &&
		    b.volume[k] == round(b.volume[k]);
	}
	TEST_CHECK("ascending trading days only", days);
	TEST_CHECK("no weekend or known holiday", !holiday);
	TEST_CHECK("low <= open, close <= high", ohlc);
	TEST_CHECK("cents and whole shares", round_ok);
	TEST_CHECK("3 years of history",
	    b.n >= 3 * 250 && b.date[0] <= as_of - 3 * 365);
	market_bars_free(&b);
}

static void
test_bars(void)
{
	size_t i;
	int32_t first = ymd(2018, 1, 2);
	struct market_bars b = history("SIM_STOCK", date_today());
	size_t k, in_2024 = 0, gaps = 0;
	double lo = 1e9, hi = 0;

	for (i = 0; i < NSTOCKS; i++) {
		test_bars_of(stocks[i], date_today());
		test_bars_of(stocks[i], first);
	}
	test_bars_of("SIM_INDEX", date_today());
	for (k = 0; k < b.n; k++) {
		lo = fmin(lo, b.low[k]);
		hi = fmax(hi, b.high[k]);
		in_2024 += b.date[k] >= ymd(2024, 1, 1) &&
		    b.date[k] < ymd(2025, 1, 1);
		gaps += k > 0 && b.open[k] != b.close[k - 1];
	}
	printf("SIM_STOCK: %zu bars, low %.2f, high %.2f\n", b.n, lo, hi);
	TEST_CHECK("SIM_STOCK stays within $20-40", lo >= 20 && hi <= 40);
	TEST_CHECK("every 2024 trading day has a bar", in_2024 == 252);
	TEST_CHECK("opens gap from the previous close", gaps > b.n / 2);
	market_bars_free(&b);
}

static void
test_profiles(void)
{
	struct market_profile p;
	char *cause = NULL;

	TEST_CHECK("profile",
	    market_profile(sim, "sim_stock", &p, &cause) == 0);
	TEST_STREQ("canonical symbol", p.symbol, "SIM_STOCK");
	TEST_STREQ("name", p.name, "Simulated Stock Inc.");
	TEST_STREQ("sector", p.sector, "SIM_SECTOR");
	TEST_STREQ("industry", p.industry, "SIM INDUSTRY");
	TEST_STREQ("currency", p.currency, "USD");
	TEST_CHECK("description", strlen(p.description) > 40);
	TEST_CHECK("index profile",
	    market_profile(sim, "SIM_INDEX", &p, &cause) == 0);
}

/* Every 3-year window (756 bars) of SYMBOL: the worst and best return. */
static void
window_returns(const struct market_bars *b, double *worst, double *best)
{
	size_t k;
	double r;

	*worst = INFINITY;
	*best = -INFINITY;
	for (k = 756; k < b->n; k++) {
		r = b->close[k] / b->close[k - 756] - 1;
		*worst = fmin(*worst, r);
		*best = fmax(*best, r);
	}
}

static void
test_behaviour(void)
{
	struct market_bars idx = history("SIM_INDEX", date_today());
	struct market_bars b[NSTOCKS];
	double vol[NSTOCKS], bet[NSTOCKS], worst, best, lo = INFINITY;
	struct market_fundamentals f;
	char *cause = NULL;
	size_t i, k;
	int util_beta = 1, util_vol = 1, small_vol = 1, value_yield = 1;

	for (i = 0; i < NSTOCKS; i++) {
		b[i] = history(stocks[i], date_today());
		vol[i] = volatility(&b[i]);
		bet[i] = beta(&b[i], &idx);
		printf("%-12s volatility %5.1f%%, beta %.2f, %.2f -> %.2f\n",
		    stocks[i], vol[i] * 100, bet[i], b[i].close[0],
		    b[i].close[b[i].n - 1]);
	}
	for (i = 0; i < NSTOCKS; i++) {
		util_beta &= i == 5 || bet[5] < bet[i];
		util_vol &= i == 5 || vol[5] < vol[i];
		small_vol &= i == 3 || vol[3] > vol[i];
	}
	TEST_CHECK("SIM_UTILITY has the lowest beta", util_beta);
	TEST_CHECK("SIM_UTILITY has the lowest volatility", util_vol);
	TEST_CHECK("SIM_SMALL has the highest volatility", small_vol);
	TEST_NEAR("SIM_STOCK volatility near 32%", vol[0], 0.32, 0.15, 0);
	window_returns(&b[4], &worst, &best);
	TEST_CHECK("SIM_DECLINE falls over every 3 years", best < 0);
	for (k = 0; k < b[4].n; k++)
		lo = fmin(lo, b[4].low[k]);
	TEST_CHECK("SIM_DECLINE never below $1", lo >= 1);
	window_returns(&b[1], &worst, &best);
	TEST_CHECK("SIM_GROWTH rises over every 3 years", worst > 0);
	for (k = 0; k < b[2].n; k += 21) {
		if (b[2].date[k] < ymd(2018, 1, 2))
			continue;
		value_yield &= market_fundamentals(sim, "SIM_VALUE",
				   b[2].date[k], &f, &cause) == 0 &&
		    f.dividend_yield_pct > 3;
	}
	TEST_CHECK("SIM_VALUE yields over 3% every month", value_yield);
	for (i = 0; i < NSTOCKS; i++)
		market_bars_free(&b[i]);
	market_bars_free(&idx);
}

/* The identities of market.h for SYMBOL as of AS_OF. */
static void
test_fundamentals_of(const char *symbol, int32_t as_of)
{
	struct market_fundamentals f;
	struct market_bars b = history(symbol, as_of);
	double close = b.close[b.n - 1], sum = 0;
	char *cause = NULL;
	size_t k, n = 0;

	for (k = 0; k < b.n; k++) {
		if (b.date[k] > as_of - 91) {
			sum += b.volume[k];
			n++;
		}
	}
	TEST_CHECK("fundamentals",
	    market_fundamentals(sim, symbol, as_of, &f, &cause) == 0);
	TEST_NEAR("market cap", f.market_cap, close * f.shares_outstanding,
	    1e-9, 0);
	TEST_NEAR("P/E", f.pe_ratio, close / f.eps_ttm, 1e-9, 0);
	TEST_NEAR("forward P/E", f.forward_pe, close / f.forward_eps, 1e-9, 0);
	TEST_NEAR("price to book", f.price_to_book,
	    close / f.book_value_per_share, 1e-9, 0);
	TEST_NEAR("dividend yield", f.dividend_yield_pct,
	    f.dividend_per_share / close * 100, 1e-9, 0);
	TEST_NEAR("revenue", f.revenue_ttm,
	    f.eps_ttm * f.shares_outstanding / (f.profit_margin_pct / 100),
	    1e-9, 0);
	TEST_NEAR("average volume", f.average_volume, sum / (double)n, 1e-9, 0);
	TEST_CHECK("about 3 months of volume", n >= 58 && n <= 66);
	TEST_CHECK("all figures present",
	    !isnan(f.pe_ratio) && f.market_cap > 0 && f.eps_ttm > 0 &&
		f.revenue_ttm > 0);
	market_bars_free(&b);
}

static void
test_fundamentals(void)
{
	struct market_fundamentals a, b;
	char *cause = NULL;
	size_t i;

	for (i = 0; i < NSTOCKS; i++) {
		test_fundamentals_of(stocks[i], ymd(2024, 3, 31));
		test_fundamentals_of(stocks[i], date_today());
	}
	TEST_CHECK("index has no fundamentals",
	    market_fundamentals(sim, "SIM_INDEX", date_today(), &a, &cause) ==
		    -1 &&
		cause != NULL &&
		strstr(cause, "SIM_INDEX is an index") != NULL);
	TEST_CHECK("and reports none",
	    isnan(a.market_cap) && isnan(a.pe_ratio) &&
		isnan(a.average_volume));
	free(cause);
	cause = NULL;
	market_fundamentals(sim, "SIM_GROWTH", ymd(2018, 3, 1), &a, &cause);
	market_fundamentals(sim, "SIM_GROWTH", ymd(2024, 3, 1), &b, &cause);
	TEST_CHECK("SIM_GROWTH grows earnings", b.eps_ttm > a.eps_ttm * 1.8);
	market_fundamentals(sim, "SIM_DECLINE", ymd(2018, 3, 1), &a, &cause);
	market_fundamentals(sim, "SIM_DECLINE", ymd(2024, 3, 1), &b, &cause);
	TEST_CHECK("SIM_DECLINE earnings fall", b.eps_ttm < a.eps_ttm * 0.6);
	market_fundamentals(sim, "SIM_STOCK", ymd(2024, 3, 1), &a, &cause);
	market_fundamentals(sim, "SIM_STOCK", ymd(2024, 3, 28), &b, &cause);
	TEST_CHECK("EPS steps quarterly",
	    a.eps_ttm == b.eps_ttm && a.market_cap != b.market_cap);
}

/* 30-day log return of SYMBOL's closes ending on AS_OF. */
static double
month_return(const struct market_bars *b, int32_t as_of)
{
	size_t e = 0, s = 0;

	while (e + 1 < b->n && b->date[e + 1] <= as_of)
		e++;
	while (s + 1 < b->n && b->date[s + 1] <= as_of - 30)
		s++;
	return log(b->close[e] / b->close[s]);
}

static void
test_news(void)
{
	struct market_news *n = NULL, *m = NULL;
	size_t nn = 0, nm = 0, k;
	int32_t as_of = ymd(2024, 6, 14), d;
	char *cause = NULL;
	int ok = 1, sorted = 1, label = 1, named = 1, count_ok = 1;
	struct market_bars b = history("SIM_SMALL", date_today());
	double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, x, y, corr;
	int samples = 0;

	TEST_CHECK("news",
	    market_news(sim, "SIM_STOCK", as_of, &n, &nn, &cause) == 0);
	TEST_CHECK("4 to 8 headlines", nn >= 4 && nn <= 8);
	TEST_CHECK("news again",
	    market_news(sim, "SIM_STOCK", as_of, &m, &nm, &cause) == 0);
	TEST_CHECK("same inputs, same news",
	    nn == nm && memcmp(n, m, nn * sizeof *n) == 0);
	for (k = 0; k < nn; k++) {
		ok &= n[k].date <= as_of && n[k].date > as_of - 30;
		sorted &= k == 0 || n[k].date <= n[k - 1].date;
		label &= strcmp(n[k].sentiment,
			     n[k].sentiment_score >= 0.2 ? "positive" :
				 n[k].sentiment_score <= -0.2 ?
							   "negative" :
							   "neutral") == 0 &&
		    fabs(n[k].sentiment_score) <= 1;
		named &= strstr(n[k].headline, "Simulated Stock Inc.") !=
			NULL ||
		    strstr(n[k].headline, "SIM_STOCK") != NULL;
		named &= n[k].source[0] != '\0';
	}
	TEST_CHECK("dated within the 30 days before as-of", ok);
	TEST_CHECK("newest first", sorted);
	TEST_CHECK("label matches score", label);
	TEST_CHECK("headlines name the company, sources named", named);
	free(n);
	free(m);
	TEST_CHECK("index news",
	    market_news(sim, "SIM_INDEX", as_of, &n, &nn, &cause) == 0 &&
		nn >= 4 &&
		strstr(n[0].headline, "SIM Composite Index") != NULL);
	free(n);
	/* Sentiment leans with the month's return. */
	for (d = ymd(2018, 2, 1); d < ymd(2025, 1, 1); d += 17) {
		if (market_news(sim, "SIM_SMALL", d, &n, &nn, &cause) != 0)
			break;
		count_ok &= nn >= 4 && nn <= 8;
		x = month_return(&b, d);
		for (y = 0, k = 0; k < nn; k++)
			y += n[k].sentiment_score / (double)nn;
		sx += x;
		sy += y;
		sxx += x * x;
		syy += y * y;
		sxy += x * y;
		samples++;
		free(n);
	}
	corr = (sxy - sx * sy / samples) /
	    sqrt((sxx - sx * sx / samples) * (syy - sy * sy / samples));
	printf("news sentiment vs 30-day return: correlation %.2f over %d "
	       "dates\n",
	    corr, samples);
	TEST_CHECK("news on every date", samples > 100 && count_ok);
	TEST_CHECK("sentiment leans with the return", corr > 0.4);
	market_bars_free(&b);
}

static void
test_errors(void)
{
	struct market_bars b = { 0 };
	struct market_profile p;
	char *cause = NULL;
	int32_t today = date_today();

	TEST_CHECK("unknown symbol",
	    market_history(sim, "AAPL", today, 0, &b, &cause) == -1 &&
		b.n == 0 && b.date == NULL);
	TEST_CHECK("message names the symbol and the universe",
	    cause &&
		strstr(cause,
		    "no market data for AAPL: the sim provider covers "
		    "SIM_STOCK, SIM_GROWTH") != NULL &&
		strstr(cause, "real market data provider") != NULL);
	free(cause);
	cause = NULL;
	TEST_CHECK("unknown profile",
	    market_profile(sim, "SIM", &p, &cause) == -1 && cause != NULL);
	free(cause);
	cause = NULL;
	TEST_CHECK("as-of too early",
	    market_history(sim, "SIM_STOCK", ymd(2017, 12, 29), 0, &b,
		&cause) == -1);
	TEST_CHECK("says why and from when",
	    cause && strstr(cause, "too early") &&
		strstr(cause, "use 2018-01-02 or later"));
	free(cause);
	cause = NULL;
	TEST_CHECK("first as-of works",
	    market_history(sim, "SIM_STOCK", ymd(2018, 1, 2), 0, &b, &cause) ==
		0);
	market_bars_free(&b);
	TEST_CHECK("as-of in the future",
	    market_history(sim, "SIM_STOCK", today + 1, 0, &b, &cause) == -1);
	TEST_CHECK("says future", cause && strstr(cause, "in the future"));
	free(cause);
	cause = NULL;
	TEST_CHECK("future news",
	    market_news(sim, "SIM_STOCK", today + 1,
		&(struct market_news *){ NULL }, &(size_t){ 0 }, &cause) == -1);
	free(cause);
	cause = NULL;
	TEST_CHECK("from after as-of",
	    market_history(sim, "SIM_STOCK", ymd(2020, 1, 2), ymd(2020, 2, 1),
		&b, &cause) == -1 &&
		cause && strstr(cause, "after the as-of date"));
	free(cause);
	cause = NULL;
	TEST_CHECK("empty symbol",
	    market_history(sim, "", today, 0, &b, &cause) == -1 &&
		cause != NULL);
	free(cause);
}

/* Writes TEXT as sim-universe.json in DIR. */
static void
write_universe(const char *dir, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/sim-universe.json", dir);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

/* The history call's message with the universe TEXT in DIR. */
static char *
corrupt_cause(const char *dir, const char *text)
{
	struct market_bars b = { 0 };
	char *cause = NULL;

	write_universe(dir, text);
	if (market_history(sim, "SIM_STOCK", date_today(), 0, &b, &cause) ==
	    0) {
		market_bars_free(&b);
		return NULL;
	}
	return cause;
}

/* The real universe with SIM_STOCK listed a second time, last. */
static char *
duplicate_cause(const char *dir)
{
	FILE *f = fopen(STOCKAGENT_SRCDATADIR "/sim-universe.json", "rb");
	struct buf text;
	cJSON *root, *list, *o;
	char chunk[4096], *out, *cause;
	size_t n;

	buf_init(&text, 0);
	while (f != NULL && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&text, chunk, n);
	if (f != NULL)
		fclose(f);
	root = cJSON_ParseWithLength(text.data, text.len);
	buf_free(&text);
	list = cJSON_GetObjectItemCaseSensitive(root, "companies");
	cJSON_ArrayForEach(o, list) {
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, "symbol");
		if (cJSON_IsString(s) &&
		    strcmp(s->valuestring, "SIM_STOCK") == 0)
			break;
	}
	if (o == NULL) {
		cJSON_Delete(root);
		return NULL;
	}
	cJSON_AddItemToArray(list, cJSON_Duplicate(o, 1));
	out = cJSON_Print(root);
	cause = corrupt_cause(dir, out);
	free(out);
	cJSON_Delete(root);
	return cause;
}

static void
test_corrupt(void)
{
	char dir[] = "/tmp/unit-market-XXXXXX", path[512], bench[32];
	char *c, **syms = NULL;
	size_t n = 0;
	struct market_bars b;

	if (mkdtemp(dir) == NULL) {
		TEST_CHECK("temporary directory", 0);
		return;
	}
	setenv("STOCKAGENT_DATA_DIR", dir, 1);
	c = corrupt_cause(dir, "{\"version\": 1, \"companies\": [");
	TEST_CHECK("truncated JSON is an error",
	    c != NULL && strstr(c, "sim market universe") &&
		strstr(c, "not valid JSON") && strstr(c, dir));
	printf("corrupt universe: %s\n", c ? c : "(accepted)");
	free(c);
	c = corrupt_cause(dir,
	    "{\"version\": 1, \"start_date\": "
	    "\"2015-01-02\", \"benchmark\": \"SIM_INDEX\", \"companies\": "
	    "[{\"symbol\": \"SIM_INDEX\", \"kind\": \"index\", \"name\": "
	    "\"I\", \"sector\": \"S\", \"industry\": \"I\", "
	    "\"currency\": \"USD\", \"exchange\": \"X\", "
	    "\"description\": \"D\", \"market\": {\"start_price\": 100, "
	    "\"drift\": 0, \"volatility\": -1}}, 3]}");
	TEST_CHECK("bad parameter is named",
	    c != NULL && strstr(c, "market.volatility must be a number"));
	free(c);
	c = corrupt_cause(dir,
	    "{\"version\": 1, \"start_date\": "
	    "\"2015-01-02\", \"benchmark\": \"SIM_INDEX\", \"companies\": "
	    "[{\"symbol\": \"SIM_INDEX\"}, {}]}");
	TEST_CHECK("missing name is named",
	    c != NULL && strstr(c, "companies[0]: \"name\" must be a string"));
	free(c);
	c = corrupt_cause(dir, "[]");
	TEST_CHECK("not an object", c != NULL && strstr(c, "JSON object"));
	free(c);
	c = duplicate_cause(dir);
	TEST_CHECK("a symbol listed twice is named",
	    c != NULL && strstr(c, "symbol SIM_STOCK appears twice"));
	free(c);
	TEST_CHECK("no benchmark from a corrupt universe",
	    market_benchmark(sim, bench, sizeof bench) == -1);
	TEST_CHECK("no symbols from a corrupt universe",
	    market_symbols(sim, &syms, &n) == -1);
	snprintf(path, sizeof path, "%s/sim-universe.json", dir);
	unlink(path);
	rmdir(dir);
	unsetenv("STOCKAGENT_DATA_DIR");
	b = history("SIM_STOCK", date_today());
	TEST_CHECK("the real universe still works", b.n > 0);
	market_bars_free(&b);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * Many full histories in a row: each must equal the first (nothing a call
 * leaves behind, a cache or the index series, changes the next). How long
 * one takes is printed for the log, never checked: the machine may be busy.
 */
static void
test_speed(void)
{
	int32_t today = date_today(); /* once: midnight may pass */
	struct market_bars first = history("SIM_STOCK", today), b;
	double t0, ms;
	int i, reps = 200, same = 1;

	t0 = now_ms();
	for (i = 0; i < reps; i++) {
		b = history("SIM_STOCK", today);
		same &= b.n == first.n && bars_equal(&b, &first, b.n);
		market_bars_free(&b);
	}
	ms = (now_ms() - t0) / reps;
	TEST_CHECK("200 full histories in a row are identical", same);
	printf("speed: %zu bars of SIM_STOCK (with SIM_INDEX) in %.3f ms\n",
	    first.n, ms);
	market_bars_free(&first);
}

int
main(void)
{
	sim = market_provider_find("sim");
	if (sim == NULL) {
		printf("FAIL no sim provider\n");
		return 1;
	}
	unsetenv("STOCKAGENT_DATA_DIR");
	test_registry();
	test_calendar();
	test_determinism();
	test_bars();
	test_profiles();
	test_behaviour();
	test_fundamentals();
	test_news();
	test_errors();
	test_corrupt();
	test_speed();
	return TEST_REPORT();
}
