/*
 * unit-ta.c: tools/ta against independent oracles and its own rules.
 *
 * - indicators vs TA-Lib (tests/fixtures/ta/{trend,volatile,market}.json,
 *   recorded by tests/oracle/record-ta.js from npm talib): every value after
 *   the warm-up within 1e-6 relative, NAN during the warm-up;
 * - statistics and ta_analyze's windows vs numpy (stats.json, recorded by
 *   tests/oracle/record-ta-stats.py);
 * - the scoring rules: the article's sample and every boundary;
 * - edge cases (short or flat histories, bad input) and a timing figure.
 *
 * Fixtures are read from $top_srcdir/tests/fixtures/ta ("." if unset).
 * `tests/unit-ta --bench` prints only the timing of ta_analyze;
 * `tests/unit-ta --dump SEED N` prints a fresh random series and our
 * indicators on it as JSON, for tests/cli-ta-oracle.sh's live check.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "lib/date.h"
#include "lib/xmalloc.h"
#include "tests/testlib.h"
#include "tools/ta/ta.h"

#define REL 1e-6 /* relative tolerance against the oracles */
#define ABS 1e-9 /* absolute slack for values near 0 (MACD, histograms) */
#define FIXTURE_MAX (4 * 1024 * 1024)

/* One fixture: its bars and the parsed document (for the cases). */
struct fixture {
	cJSON *doc;
	size_t n;
	int32_t *date;
	double *open, *high, *low, *close, *volume;
	struct ta_bars bars;
};

static cJSON *
read_json(const char *name)
{
	const char *top = getenv("top_srcdir");
	char *path, *text = NULL;
	cJSON *doc = NULL;
	FILE *f;
	long len;

	path = xasprintf("%s/tests/fixtures/ta/%s", top ? top : ".", name);
	f = fopen(path, "rb");
	if (f == NULL) {
		printf("FAIL cannot open %s (set top_srcdir)\n", path);
		goto cleanup;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	if (len <= 0 || len > FIXTURE_MAX)
		goto cleanup;
	text = xmalloc((size_t)len + 1);
	text[fread(text, 1, (size_t)len, f)] = '\0';
	doc = cJSON_Parse(text);
cleanup:
	if (f != NULL)
		fclose(f);
	free(text);
	free(path);
	return doc;
}

/* ITEM's numeric array as doubles (null -> NAN); *N its length. */
static double *
numbers(const cJSON *item, size_t *n)
{
	size_t i = 0, len = (size_t)cJSON_GetArraySize(item);
	double *v = xcalloc(len ? len : 1, sizeof *v);
	const cJSON *e;

	cJSON_ArrayForEach(e, item)
		v[i++] = cJSON_IsNumber(e) ? e->valuedouble : NAN;
	*n = len;
	return v;
}

static double *
field(const cJSON *doc, const char *name, size_t *n)
{
	return numbers(cJSON_GetObjectItemCaseSensitive(doc, name), n);
}

static int
load_fixture(const char *name, struct fixture *fx)
{
	const cJSON *dates, *e;
	size_t n, i = 0;
	char file[64];

	memset(fx, 0, sizeof *fx);
	snprintf(file, sizeof file, "%s.json", name);
	if ((fx->doc = read_json(file)) == NULL)
		return -1;
	fx->close = field(fx->doc, "close", &fx->n);
	fx->open = field(fx->doc, "open", &n);
	fx->high = field(fx->doc, "high", &n);
	fx->low = field(fx->doc, "low", &n);
	fx->volume = field(fx->doc, "volume", &n);
	dates = cJSON_GetObjectItemCaseSensitive(fx->doc, "date");
	fx->date = xcalloc(fx->n, sizeof *fx->date);
	cJSON_ArrayForEach(e, dates) {
		if (i < fx->n && date_parse(e->valuestring, &fx->date[i]) == 0)
			i++;
	}
	fx->bars = (struct ta_bars){ fx->n, fx->date, fx->open, fx->high,
		fx->low, fx->close, fx->volume };
	return i == fx->n ? 0 : -1;
}

static void
free_fixture(struct fixture *fx)
{
	cJSON_Delete(fx->doc);
	free(fx->date);
	free(fx->open);
	free(fx->high);
	free(fx->low);
	free(fx->close);
	free(fx->volume);
}

static int
near(double a, double b)
{
	double m = fabs(a) > fabs(b) ? fabs(a) : fabs(b);

	return fabs(a - b) <= REL * m + ABS;
}

/*
 * Checks OURS[N] against the oracle's values WANT (TA-Lib's outputs, which
 * start at index BEGIN): NAN before BEGIN, near after. One check per array;
 * the first mismatch is printed.
 */
static void
check_series(const char *what, const double *ours, size_t n, size_t begin,
    const cJSON *want)
{
	size_t nw, i, bad = 0;
	double *w = numbers(want, &nw);

	if (begin + nw != n) {
		printf("FAIL %s: oracle has %zu values from %zu, series %zu\n",
		    what, nw, begin, n);
		bad++;
	}
	for (i = 0; i < n && !bad; i++) {
		int ok = i < begin ? isnan(ours[i]) :
				     near(ours[i], w[i - begin]);

		if (!ok) {
			printf("FAIL %s at %zu: %.12g, TA-Lib %.12g\n", what, i,
			    ours[i], i < begin ? NAN : w[i - begin]);
			bad++;
		}
	}
	TEST_CHECK(what, bad == 0);
	free(w);
}

static int
num(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name)->valueint;
}

static const cJSON *
get(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name);
}

/* Runs one recorded case of FX through our function and compares. */
static void
check_case(const struct fixture *fx, const char *name, const cJSON *c)
{
	const char *fn = get(c, "fn")->valuestring;
	size_t n = fx->n, begin = (size_t)num(c, "begin");
	const cJSON *out = get(c, "out");
	double *a = xcalloc(n, sizeof *a), *b = xcalloc(n, sizeof *b),
	       *d = xcalloc(n, sizeof *d);
	char what[96];

	snprintf(what, sizeof what, "%s %s(%d)", name, fn,
	    get(c, "period") ? num(c, "period") : num(c, "slow"));
	if (strcmp(fn, "sma") == 0) {
		ta_sma(fx->close, n, num(c, "period"), a);
		check_series(what, a, n, begin, get(out, "real"));
	} else if (strcmp(fn, "ema") == 0) {
		ta_ema(fx->close, n, num(c, "period"), a);
		check_series(what, a, n, begin, get(out, "real"));
	} else if (strcmp(fn, "rsi") == 0) {
		ta_rsi(fx->close, n, num(c, "period"), a);
		check_series(what, a, n, begin, get(out, "real"));
	} else if (strcmp(fn, "atr") == 0) {
		ta_atr(fx->high, fx->low, fx->close, n, num(c, "period"), a);
		check_series(what, a, n, begin, get(out, "real"));
	} else if (strcmp(fn, "macd") == 0) {
		ta_macd(fx->close, n, num(c, "fast"), num(c, "slow"),
		    num(c, "signal"), a, b, d);
		check_series(what, a, n, begin, get(out, "macd"));
		check_series(what, b, n, begin, get(out, "signal"));
		check_series(what, d, n, begin, get(out, "hist"));
	} else if (strcmp(fn, "bbands") == 0) {
		ta_bbands(fx->close, n, num(c, "period"),
		    get(c, "k")->valuedouble, a, b, d);
		check_series(what, a, n, begin, get(out, "upper"));
		check_series(what, b, n, begin, get(out, "middle"));
		check_series(what, d, n, begin, get(out, "lower"));
	} else {
		TEST_CHECK("fixture names a known indicator", 0);
	}
	free(a);
	free(b);
	free(d);
}

static void
test_talib_oracle(const char *name)
{
	struct fixture fx;
	const cJSON *c;
	int ncases = 0;

	if (load_fixture(name, &fx) != 0) {
		TEST_CHECK("fixture loads", 0);
		free_fixture(&fx);
		return;
	}
	cJSON_ArrayForEach(c, get(fx.doc, "cases")) {
		check_case(&fx, name, c);
		ncases++;
	}
	TEST_CHECK("fixture has all 16 indicator cases", ncases == 16);
	free_fixture(&fx);
}

static void
test_numpy_series_stats(const cJSON *stats, const char *name)
{
	const cJSON *s = get(get(stats, "series"), name), *dd;
	double rf = get(stats, "rf")->valuedouble, *r;
	struct ta_drawdown got;
	struct fixture fx;
	size_t i;

	if (load_fixture(name, &fx) != 0 || s == NULL) {
		TEST_CHECK("fixture loads", 0);
		free_fixture(&fx);
		return;
	}
	dd = get(s, "drawdown");
	TEST_NEAR("volatility vs numpy",
	    ta_volatility_annual_pct(fx.close, fx.n),
	    get(s, "volatility_percent")->valuedouble, 1e-9, 0);
	TEST_CHECK("drawdown computable",
	    ta_max_drawdown(fx.close, fx.n, &got) == 0);
	TEST_NEAR("max drawdown vs numpy", got.percent,
	    get(dd, "percent")->valuedouble, 1e-9, 0);
	TEST_CHECK("drawdown peak index", got.peak == (size_t)num(dd, "peak"));
	TEST_CHECK("drawdown trough index",
	    got.trough == (size_t)num(dd, "trough"));
	r = xcalloc(fx.n, sizeof *r);
	for (i = 1; i < fx.n; i++)
		r[i - 1] = fx.close[i] / fx.close[i - 1] - 1;
	TEST_NEAR("Sharpe vs numpy", ta_sharpe(r, fx.n - 1, rf),
	    get(s, "sharpe")->valuedouble, 1e-9, 0);
	free(r);
	free_fixture(&fx);
}

static void
test_numpy_beta(const cJSON *b)
{
	struct fixture s, m;
	size_t n = (size_t)num(b, "n"), i;
	double *rs, *rm;

	if (load_fixture(get(b, "stock")->valuestring, &s) != 0 ||
	    load_fixture(get(b, "market")->valuestring, &m) != 0) {
		TEST_CHECK("fixtures load", 0);
		return;
	}
	rs = xcalloc(n, sizeof *rs);
	rm = xcalloc(n, sizeof *rm);
	for (i = 0; i < n; i++) {
		rs[i] = s.close[i + 1] / s.close[i] - 1;
		rm[i] = m.close[i + 1] / m.close[i] - 1;
	}
	TEST_NEAR("beta vs numpy", ta_beta(rs, rm, n),
	    get(b, "beta")->valuedouble, 1e-9, 0);
	free(rs);
	free(rm);
	free_fixture(&s);
	free_fixture(&m);
}

/* NAME in OBJ is the number WANT, or null when WANT is null. */
static void
check_num(const char *what, const cJSON *obj, const char *name,
    const cJSON *want)
{
	const cJSON *got = get(obj, name);

	if (want == NULL || cJSON_IsNull(want)) {
		TEST_CHECK(what, cJSON_IsNull(got));
		return;
	}
	TEST_CHECK(what, cJSON_IsNumber(got));
	if (cJSON_IsNumber(got))
		TEST_NEAR(what, got->valuedouble, want->valuedouble, 1e-9, 0);
}

static void
check_str(const char *what, const cJSON *obj, const char *name,
    const cJSON *want)
{
	const cJSON *got = get(obj, name);

	if (cJSON_IsNull(want))
		TEST_CHECK(what, cJSON_IsNull(got));
	else
		TEST_STREQ(what, cJSON_GetStringValue(got), want->valuestring);
}

/* The indicator NAME at the last bar <= as_of equals TA-Lib's there. */
static void
check_indicator_at(const struct fixture *fx, const cJSON *ind, const char *name,
    const char *fn, int period, const char *out, size_t last)
{
	const cJSON *c, *w;
	size_t begin;

	cJSON_ArrayForEach(c, get(fx->doc, "cases")) {
		if (strcmp(get(c, "fn")->valuestring, fn) != 0 ||
		    num(c, get(c, "period") ? "period" : "slow") != period)
			continue;
		begin = (size_t)num(c, "begin");
		w = get(get(c, "out"), out);
		if (last < begin) {
			TEST_CHECK(name, cJSON_IsNull(get(ind, name)));
		} else {
			TEST_NEAR(name, get(ind, name)->valuedouble,
			    cJSON_GetArrayItem(w, (int)(last - begin))
				->valuedouble,
			    REL, ABS);
		}
		return;
	}
	TEST_CHECK("indicator case present", 0);
}

static void
check_analysis_indicators(const struct fixture *fx, const cJSON *res,
    int32_t as_of)
{
	const cJSON *ind = get(res, "indicators");
	size_t last = 0;

	while (last + 1 < fx->n && fx->date[last + 1] <= as_of)
		last++;
	check_indicator_at(fx, ind, "sma20", "sma", 20, "real", last);
	check_indicator_at(fx, ind, "sma200", "sma", 200, "real", last);
	check_indicator_at(fx, ind, "ema26", "ema", 26, "real", last);
	check_indicator_at(fx, ind, "rsi14", "rsi", 14, "real", last);
	check_indicator_at(fx, ind, "macd", "macd", 26, "macd", last);
	check_indicator_at(fx, ind, "macd_signal", "macd", 26, "signal", last);
	check_indicator_at(fx, ind, "bb_lower", "bbands", 20, "lower", last);
	check_indicator_at(fx, ind, "atr14", "atr", 14, "real", last);
}

static void
check_analysis_series(const cJSON *res, const cJSON *want)
{
	const cJSON *s = get(res, "series"), *a;
	int len = num(want, "series_len");
	const char *keys[] = { "close", "volume", "sma50", "sma200", "bb_upper",
		"bb_middle", "bb_lower", "rsi14", "macd", "macd_signal",
		"macd_hist" };
	size_t i;

	TEST_CHECK("series covers the 52-week window",
	    cJSON_GetArraySize(get(s, "date")) == len);
	TEST_STREQ("series starts the day after as_of minus a year",
	    cJSON_GetArrayItem(get(s, "date"), 0)->valuestring,
	    get(want, "series_first")->valuestring);
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		a = get(s, keys[i]);
		TEST_CHECK(keys[i], cJSON_GetArraySize(a) == len);
	}
	TEST_NEAR("series ends at the price",
	    cJSON_GetArrayItem(get(s, "close"), len - 1)->valuedouble,
	    get(want, "price")->valuedouble, 0, 0);
}

static void
check_analysis(const cJSON *res, const cJSON *w)
{
	const cJSON *ret = get(res, "returns"), *risk = get(res, "risk");

	TEST_STREQ("as_of", get(res, "as_of")->valuestring,
	    get(w, "as_of")->valuestring);
	check_num("price", res, "price", get(w, "price"));
	check_num("previous close", res, "previous_close",
	    get(w, "previous_close"));
	check_num("change percent", res, "change_percent",
	    get(w, "change_percent"));
	check_num("1-year return", ret, "one_year_percent",
	    get(w, "one_year_percent"));
	check_str("1-year base date", ret, "one_year_base_date",
	    get(w, "one_year_base_date"));
	check_num("YTD return", ret, "ytd_percent", get(w, "ytd_percent"));
	check_str("YTD base date", ret, "ytd_base_date",
	    get(w, "ytd_base_date"));
	check_num("52-week high", get(res, "range_52w"), "high",
	    get(w, "range_high"));
	check_num("52-week low", get(res, "range_52w"), "low",
	    get(w, "range_low"));
	check_num("volatility", risk, "volatility_percent",
	    get(w, "volatility_percent"));
	check_num("beta on date-aligned returns", risk, "beta", get(w, "beta"));
	check_num("max drawdown", risk, "max_drawdown_percent",
	    get(w, "max_drawdown_percent"));
	check_str("drawdown peak", risk, "max_drawdown_peak",
	    get(w, "max_drawdown_peak"));
	check_str("drawdown trough", risk, "max_drawdown_trough",
	    get(w, "max_drawdown_trough"));
	check_num("Sharpe", risk, "sharpe", get(w, "sharpe"));
	TEST_STREQ("risk level follows volatility",
	    cJSON_GetStringValue(get(risk, "level")),
	    ta_risk_level(get(w, "volatility_percent")->valuedouble));
	check_analysis_series(res, w);
}

static void
test_numpy_analysis(const cJSON *w)
{
	const cJSON *ix = get(w, "index");
	struct fixture s, m;
	cJSON *res = NULL;
	char *cause = NULL;
	int32_t as_of;

	memset(&m, 0, sizeof m);
	if (load_fixture(get(w, "stock")->valuestring, &s) != 0 ||
	    (!cJSON_IsNull(ix) && load_fixture(ix->valuestring, &m) != 0) ||
	    date_parse(get(w, "as_of")->valuestring, &as_of) != 0) {
		TEST_CHECK("fixtures load", 0);
		return;
	}
	/* Only the index's dates and closes may be read. */
	m.bars.open = m.bars.high = m.bars.low = m.bars.volume = NULL;
	TEST_CHECK("ta_analyze succeeds",
	    ta_analyze(&s.bars, cJSON_IsNull(ix) ? NULL : &m.bars, as_of, NULL,
		get(w, "rf")->valuedouble, &res, &cause) == 0);
	if (res != NULL) {
		check_analysis(res, w);
		check_analysis_indicators(&s, res, as_of);
	}
	cJSON_Delete(res);
	free(cause);
	free_fixture(&s);
	free_fixture(&m);
}

static void
test_numpy(void)
{
	cJSON *stats = read_json("stats.json");
	const cJSON *e;

	if (stats == NULL) {
		TEST_CHECK("stats.json loads", 0);
		return;
	}
	test_numpy_series_stats(stats, "trend");
	test_numpy_series_stats(stats, "volatile");
	test_numpy_series_stats(stats, "market");
	cJSON_ArrayForEach(e, get(stats, "beta"))
		test_numpy_beta(e);
	cJSON_ArrayForEach(e, get(stats, "analysis"))
		test_numpy_analysis(e);
	cJSON_Delete(stats);
}

/* --- scoring rules ----------------------------------------------------- */

static void
test_article_sample(void)
{
	struct ta_technical t = { 1.03, NAN, NAN, NAN, NAN, NAN, NAN };
	struct ta_fundamentals f = { 34.80, NAN, NAN, 24.30, 0.46 };
	struct ta_score ts, fs;
	struct ta_overall ov;

	ta_score_technical(&t, &ts);
	ta_score_fundamental(&f, &fs);
	TEST_CHECK("sample: technical 3/5", ts.score == 3 && ts.points == 0);
	TEST_CHECK("sample: fundamental 3/5", fs.score == 3 && fs.points == 0);
	TEST_CHECK("sample: one technical observation", ts.nobs == 1);
	TEST_STREQ("sample: 1-year observation", ts.obs[0].text,
	    "1-year return 1.03% is within +/-10%: neutral (0)");
	TEST_CHECK("sample: P/E, margin, dividend observed", fs.nobs == 3);
	TEST_STREQ("sample: P/E observation", fs.obs[0].text,
	    "P/E 34.80 suggests overvaluation (-1)");
	TEST_CHECK("sample: margin +1", fs.obs[1].points == 1);
	TEST_CHECK("sample: dividend 0", fs.obs[2].points == 0);
	TEST_STREQ("sample: trend", ta_trend_label(1.03), "SLIGHT UPTREND");
	TEST_STREQ("sample: risk", ta_risk_level(32.22), "MEDIUM");
	ta_overall(ts.score, fs.score, ta_risk_level(32.22), &ov);
	TEST_CHECK("sample: overall 3", ov.score == 3 && ov.average == 3.0);
	TEST_STREQ("sample: label", ov.label, "NEUTRAL");
}

struct tech_case {
	double one_year, price, sma50, sma200, macd, sig, rsi;
	int points;
	size_t nobs;
};

static void
test_technical_rules(void)
{
	static const struct tech_case cases[] = {
		{ 20.0001, NAN, NAN, NAN, NAN, NAN, NAN, 2, 1 },
		{ 20, NAN, NAN, NAN, NAN, NAN, NAN, 1, 1 },
		{ 10.0001, NAN, NAN, NAN, NAN, NAN, NAN, 1, 1 },
		{ 10, NAN, NAN, NAN, NAN, NAN, NAN, 0, 1 },
		{ -9.9999, NAN, NAN, NAN, NAN, NAN, NAN, 0, 1 },
		{ -10, NAN, NAN, NAN, NAN, NAN, NAN, -1, 1 },
		{ -19.9999, NAN, NAN, NAN, NAN, NAN, NAN, -1, 1 },
		{ -20, NAN, NAN, NAN, NAN, NAN, NAN, -2, 1 },
		{ NAN, NAN, NAN, NAN, NAN, NAN, NAN, 0, 0 },
		{ NAN, 101, NAN, 100, NAN, NAN, NAN, 1, 1 },
		{ NAN, 99, NAN, 100, NAN, NAN, NAN, -1, 1 },
		{ NAN, 100, NAN, 100, NAN, NAN, NAN, 0, 1 },
		{ NAN, NAN, 101, 100, NAN, NAN, NAN, 1, 1 }, /* price missing */
		{ NAN, 100, 101, 100, NAN, NAN, NAN, 1, 2 },
		{ NAN, 100, 99, 100, NAN, NAN, NAN, -1, 2 },
		{ NAN, 100, 99, NAN, NAN, NAN, NAN, 0, 0 },
		{ NAN, NAN, NAN, NAN, 0.1, 0, NAN, 1, 1 },
		{ NAN, NAN, NAN, NAN, -0.1, 0, NAN, -1, 1 },
		{ NAN, NAN, NAN, NAN, -0.1, NAN, NAN, 0, 0 },
		{ NAN, NAN, NAN, NAN, NAN, NAN, 70.0001, -1, 1 },
		{ NAN, NAN, NAN, NAN, NAN, NAN, 70, 0, 1 },
		{ NAN, NAN, NAN, NAN, NAN, NAN, 30, 0, 1 },
		{ NAN, NAN, NAN, NAN, NAN, NAN, 29.9999, 1, 1 },
		{ 25, 110, 105, 100, 1, 0.5, 50, 5, 5 },
		{ -25, 90, 95, 100, -1, -0.5, 75, -6, 5 },
	};
	struct ta_score s;
	char what[64];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct tech_case *c = &cases[i];
		struct ta_technical t = { c->one_year, c->price, c->sma50,
			c->sma200, c->macd, c->sig, c->rsi };

		ta_score_technical(&t, &s);
		snprintf(what, sizeof what, "technical case %zu", i);
		TEST_CHECK(what,
		    s.points == c->points && s.nobs == c->nobs &&
			s.score == ta_score_from_points(c->points));
	}
}

struct fund_case {
	double pe, fpe, pb, margin, div;
	int points;
	size_t nobs;
};

static void
test_fundamental_rules(void)
{
	static const struct fund_case cases[] = {
		{ NAN, NAN, NAN, NAN, NAN, 0, 0 },
		{ 0, NAN, NAN, NAN, NAN, -1, 1 },
		{ -5, 10, NAN, NAN, NAN, -1, 1 }, /* forward needs PE > 0 */
		{ 14.99, NAN, NAN, NAN, NAN, 1, 1 },
		{ 15, NAN, NAN, NAN, NAN, 0, 1 },
		{ 24.99, NAN, NAN, NAN, NAN, 0, 1 },
		{ 25, NAN, NAN, NAN, NAN, -1, 1 },
		{ 20, 17.99, NAN, NAN, NAN, 1, 2 },
		{ 20, 18, NAN, NAN, NAN, 0, 2 },
		{ 20, 22, NAN, NAN, NAN, 0, 2 },
		{ 20, 22.01, NAN, NAN, NAN, -1, 2 },
		{ 20, -3, NAN, NAN, NAN, 0, 1 },
		{ NAN, 10, NAN, NAN, NAN, 0, 0 },
		{ NAN, NAN, 1.49, NAN, NAN, 1, 1 },
		{ NAN, NAN, 1.5, NAN, NAN, 0, 1 },
		{ NAN, NAN, 8, NAN, NAN, 0, 1 },
		{ NAN, NAN, 8.01, NAN, NAN, -1, 1 },
		{ NAN, NAN, NAN, 20.01, NAN, 1, 1 },
		{ NAN, NAN, NAN, 20, NAN, 0, 1 },
		{ NAN, NAN, NAN, 5, NAN, 0, 1 },
		{ NAN, NAN, NAN, 4.99, NAN, -1, 1 },
		{ NAN, NAN, NAN, NAN, 3.01, 1, 1 },
		{ NAN, NAN, NAN, NAN, 3, 0, 1 },
		{ 10, 8, 1, 30, 4, 5, 5 },
		{ 40, 50, 10, 1, 0, -4, 5 },
	};
	struct ta_score s;
	char what[64];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct fund_case *c = &cases[i];
		struct ta_fundamentals f = { c->pe, c->fpe, c->pb, c->margin,
			c->div };

		ta_score_fundamental(&f, &s);
		snprintf(what, sizeof what, "fundamental case %zu", i);
		TEST_CHECK(what,
		    s.points == c->points && s.nobs == c->nobs &&
			s.score == ta_score_from_points(c->points));
	}
}

static void
test_labels_and_overall(void)
{
	static const int want[] = { 1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 5 };
	struct ta_overall o;
	int p;

	for (p = -5; p <= 5; p++)
		TEST_CHECK("score from points",
		    ta_score_from_points(p) == want[p + 5]);
	TEST_STREQ("trend >20", ta_trend_label(20.01), "STRONG UPTREND");
	TEST_STREQ("trend 20", ta_trend_label(20), "MODERATE UPTREND");
	TEST_STREQ("trend 10", ta_trend_label(10), "SLIGHT UPTREND");
	TEST_STREQ("trend 0", ta_trend_label(0), "SLIGHT DOWNTREND");
	TEST_STREQ("trend -10", ta_trend_label(-10), "STRONG DOWNTREND");
	TEST_CHECK("trend unknown", ta_trend_label(NAN) == NULL);
	TEST_STREQ("risk 19.99", ta_risk_level(19.99), "LOW");
	TEST_STREQ("risk 20", ta_risk_level(20), "MEDIUM");
	TEST_STREQ("risk 35", ta_risk_level(35), "HIGH");
	TEST_CHECK("risk unknown", ta_risk_level(NAN) == NULL);
	ta_overall(5, 4, "MEDIUM", &o);
	TEST_CHECK("4.5 rounds up to 5", o.score == 5);
	TEST_STREQ("5 label", o.label, "VERY FAVORABLE");
	ta_overall(5, 4, "HIGH", &o);
	TEST_CHECK("high risk takes half a point",
	    o.score == 4 && o.average == 4.0);
	ta_overall(3, 2, "HIGH", &o);
	TEST_CHECK("2.5 - 0.5 = 2", o.score == 2);
	TEST_STREQ("2 label", o.label, "UNFAVORABLE");
	ta_overall(1, 1, "HIGH", &o);
	TEST_CHECK("clamped to 1", o.score == 1);
	TEST_STREQ("1 label", o.label, "VERY UNFAVORABLE");
	ta_overall(3, 2, NULL, &o);
	TEST_CHECK("unknown risk: no deduction", o.score == 3);
}

/* --- edge cases -------------------------------------------------------- */

static int
all_nan(const double *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!isnan(v[i]))
			return 0;
	}
	return 1;
}

static void
test_short_and_flat(void)
{
	double c[30], a[30], b[30], d[30];
	size_t i;

	for (i = 0; i < 30; i++)
		c[i] = 50.25;
	ta_sma(c, 10, 20, a);
	TEST_CHECK("SMA shorter than period: all NAN", all_nan(a, 10));
	ta_macd(c, 30, 12, 26, 9, a, b, d);
	TEST_CHECK("MACD needs 34 bars", all_nan(a, 30) && all_nan(b, 30));
	ta_ema(c, 30, 0, a);
	TEST_CHECK("period 0: all NAN", all_nan(a, 30));
	ta_rsi(c, 30, 14, a);
	TEST_CHECK("RSI on flat data is 0 (TA-Lib)",
	    a[14] == 0 && a[29] == 0 && isnan(a[13]));
	ta_bbands(c, 30, 20, 2, a, b, d);
	TEST_CHECK("flat Bollinger bands collapse",
	    a[29] == b[29] && d[29] == b[29] && fabs(b[29] - 50.25) < 1e-12);
	ta_sma(c, 30, 1, a);
	TEST_CHECK("SMA(1) is the input", a[0] == 50.25 && a[29] == 50.25);
	TEST_CHECK("volatility needs 2 returns",
	    isnan(ta_volatility_annual_pct(c, 2)));
	TEST_CHECK("volatility of flat data is 0",
	    ta_volatility_annual_pct(c, 30) == 0);
	TEST_CHECK("Sharpe of flat data is undefined",
	    isnan(ta_sharpe(a, 5, 0)));
}

static void
test_drawdown_small(void)
{
	const double v[] = { 100, 120, 90, 130, 104, 125 };
	const double up[] = { 1, 2, 3 };
	struct ta_drawdown dd;

	TEST_CHECK("drawdown ok", ta_max_drawdown(v, 6, &dd) == 0);
	TEST_NEAR("drawdown -25%", dd.percent, -25.0, 1e-12, 0);
	TEST_CHECK("peak 1, trough 2", dd.peak == 1 && dd.trough == 2);
	TEST_CHECK("rising series",
	    ta_max_drawdown(up, 3, &dd) == 0 && dd.percent == 0 &&
		dd.peak == 0 && dd.trough == 0);
	TEST_CHECK("one value is an error", ta_max_drawdown(v, 1, &dd) == -1);
}

/* A rising series of N bars on consecutive days. */
static int
analyze_rising(size_t n, cJSON **out)
{
	int32_t date[40];
	double p[40];
	struct ta_bars b = { n, date, p, p, p, p, NULL };
	char *cause = NULL;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		date[i] = 20000 + (int32_t)i;
		p[i] = 10 + (double)(i * i % 7);
	}
	rc = ta_analyze(&b, &b, date[n - 1], NULL, 0.04, out, &cause);
	free(cause);
	return rc;
}

static void
test_risk_minimum(void)
{
	cJSON *out = NULL;
	const cJSON *risk;

	TEST_CHECK("20 returns analyze", analyze_rising(21, &out) == 0);
	risk = get(out, "risk");
	TEST_CHECK("20 returns: volatility",
	    cJSON_IsNumber(get(risk, "volatility_percent")));
	TEST_CHECK("20 returns: beta on itself is 1",
	    cJSON_IsNumber(get(risk, "beta")) &&
		fabs(get(risk, "beta")->valuedouble - 1) < 1e-12);
	cJSON_Delete(out);
	out = NULL;
	TEST_CHECK("19 returns analyze", analyze_rising(20, &out) == 0);
	risk = get(out, "risk");
	TEST_CHECK("19 returns: no volatility",
	    cJSON_IsNull(get(risk, "volatility_percent")));
	TEST_CHECK("19 returns: no Sharpe", cJSON_IsNull(get(risk, "sharpe")));
	TEST_CHECK("19 returns: no drawdown dates",
	    cJSON_IsNull(get(risk, "max_drawdown_peak")));
	cJSON_Delete(out);
}

static void
test_calendar(void)
{
	char buf[DATE_STR_SIZE];

	TEST_STREQ("leap day minus a year",
	    date_format(ta_minus_one_year(date_from_ymd(2024, 2, 29)), buf),
	    "2023-02-28");
	TEST_STREQ("plain day minus a year",
	    date_format(ta_minus_one_year(date_from_ymd(2025, 3, 1)), buf),
	    "2024-03-01");
}

static void
test_infinite_is_missing(void)
{
	struct ta_fundamentals f = { INFINITY, NAN, NAN, NAN, NAN };
	struct ta_score s;

	ta_score_fundamental(&f, &s);
	TEST_CHECK("infinite P/E counts as missing", s.nobs == 0);
}

static void
test_analyze_errors(void)
{
	int32_t date[3] = { 20000, 20001, 20001 };
	double p[3] = { 10, 11, 12 }, nanp[3] = { 10, NAN, 12 };
	struct ta_bars b = { 3, date, p, p, p, p, NULL };
	cJSON *out = NULL;
	char *cause = NULL;

	TEST_CHECK("duplicate date refused",
	    ta_analyze(&b, NULL, 20005, NULL, 0.04, &out, &cause) == -1 &&
		cause != NULL && strstr(cause, "ascending") != NULL);
	free(cause);
	cause = NULL;
	date[2] = 20002;
	TEST_CHECK("one bar before as_of refused",
	    ta_analyze(&b, NULL, 20000, NULL, 0.04, &out, &cause) == -1 &&
		cause != NULL && strstr(cause, "at least 2") != NULL);
	free(cause);
	cause = NULL;
	b.close = nanp;
	TEST_CHECK("missing close refused",
	    ta_analyze(&b, NULL, 20005, NULL, 0.04, &out, &cause) == -1 &&
		cause != NULL && strstr(cause, "price") != NULL);
	free(cause);
	cause = NULL;
	b.close = p;
	TEST_CHECK("two bars are enough",
	    ta_analyze(&b, NULL, 20001, NULL, 0.04, &out, &cause) == 0);
	if (out != NULL) {
		TEST_NEAR("change percent",
		    get(out, "change_percent")->valuedouble, 10.0, 1e-12, 0);
		TEST_CHECK("short history: null volatility",
		    cJSON_IsNull(get(get(out, "risk"), "volatility_percent")));
		TEST_CHECK("short history: null risk level",
		    cJSON_IsNull(get(get(out, "risk"), "level")));
		TEST_CHECK("short history: null SMA200",
		    cJSON_IsNull(get(get(out, "indicators"), "sma200")));
		TEST_CHECK("short history: null trend",
		    cJSON_IsNull(get(out, "trend")));
		TEST_CHECK("no fundamentals: score 3",
		    num(get(out, "scores"), "fundamental") == 3);
	}
	cJSON_Delete(out);
}

/* --- speed ------------------------------------------------------------- */

static double
bench_analyze(size_t n, int reps)
{
	int32_t *date = xcalloc(n, sizeof *date);
	double *c = xcalloc(n, sizeof *c), *h = xcalloc(n, sizeof *h),
	       *l = xcalloc(n, sizeof *l);
	struct ta_bars b = { n, date, c, h, l, c, c };
	struct ta_fundamentals f = { 20, 18, 3, 12, 1 };
	struct timespec t0, t1;
	cJSON *out = NULL;
	char *cause = NULL;
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		date[i] = 16000 + (int32_t)i;
		c[i] = 100 + 10 * sin((double)i / 20) + (double)i / 50;
		h[i] = c[i] + 1;
		l[i] = c[i] - 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (r = 0; r < reps; r++) {
		ta_analyze(&b, &b, date[n - 1], &f, 0.0434, &out, &cause);
		cJSON_Delete(out);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	free(date);
	free(c);
	free(h);
	free(l);
	return ((double)(t1.tv_sec - t0.tv_sec) * 1e6 +
		   (double)(t1.tv_nsec - t0.tv_nsec) / 1e3) /
	    reps;
}

/* --- live-oracle dump ------------------------------------------------- */

static cJSON *
array_of(const double *v, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	size_t i;

	for (i = 0; i < n; i++) {
		cJSON_AddItemToArray(arr,
		    isfinite(v[i]) ? cJSON_CreateNumber(v[i]) :
				     cJSON_CreateNull());
	}
	return arr;
}

/* xorshift64*: a fresh but reproducible series for each SEED. */
static double
uniform(uint64_t *st)
{
	*st ^= *st >> 12;
	*st ^= *st << 25;
	*st ^= *st >> 27;
	/* The top 53 bits, scaled to [0, 1). */
	return (double)((*st * 2685821657736338717ULL) >> 11) /
	    9007199254740992.0;
}

static void
add_array(cJSON *o, const char *name, const double *v, size_t n)
{
	cJSON_AddItemToObject(o, name, array_of(v, n));
}

/* A random walk in cents with a flat stretch and an opening gap. */
static void
make_walk(uint64_t seed, size_t n, double *h, double *l, double *c)
{
	uint64_t st = seed * 0x9E3779B97F4A7C15ULL + 1;
	double prev = 20 + 200 * uniform(&st), open;
	size_t i;

	for (i = 0; i < n; i++) {
		open = prev * (1 + 0.004 * (uniform(&st) - 0.5));
		if (i == n / 2)
			open = prev * (uniform(&st) < 0.5 ? 0.88 : 1.12);
		c[i] = round(open * (1 + 0.05 * (uniform(&st) - 0.5)) * 100) /
		    100;
		h[i] = round(fmax(open, c[i]) * (1 + 0.01 * uniform(&st)) *
			   100) /
		    100;
		l[i] = round(fmin(open, c[i]) * (1 - 0.01 * uniform(&st)) *
			   100) /
		    100;
		if (i >= n / 4 && i < n / 4 + 25)
			h[i] = l[i] = c[i] = prev;
		prev = c[i];
	}
}

static int
dump(uint64_t seed, size_t n)
{
	double *v = xcalloc(n * 12, sizeof *v);
	double *h = v, *l = v + n, *c = v + 2 * n, *a = v + 3 * n,
	       *b = v + 4 * n, *d = v + 5 * n;
	cJSON *o = cJSON_CreateObject();
	char *text;

	make_walk(seed, n, h, l, c);
	add_array(o, "high", h, n);
	add_array(o, "low", l, n);
	add_array(o, "close", c, n);
	ta_sma(c, n, 20, a);
	add_array(o, "sma20", a, n);
	ta_sma(c, n, 50, a);
	add_array(o, "sma50", a, n);
	ta_ema(c, n, 12, a);
	add_array(o, "ema12", a, n);
	ta_ema(c, n, 26, a);
	add_array(o, "ema26", a, n);
	ta_rsi(c, n, 14, a);
	add_array(o, "rsi14", a, n);
	ta_atr(h, l, c, n, 14, a);
	add_array(o, "atr14", a, n);
	ta_macd(c, n, 12, 26, 9, a, b, d);
	add_array(o, "macd", a, n);
	add_array(o, "macd_signal", b, n);
	ta_bbands(c, n, 20, 2, a, b, d);
	add_array(o, "bb_upper", a, n);
	add_array(o, "bb_middle", b, n);
	add_array(o, "bb_lower", d, n);
	text = cJSON_PrintUnformatted(o);
	puts(text);
	free(text);
	cJSON_Delete(o);
	free(v);
	return 0;
}

/* Negative book value is a warning sign, not a bargain. */
static void
test_negative_book(void)
{
	struct ta_fundamentals f = { NAN, NAN, -2.5, NAN, NAN };
	struct ta_score sc;

	ta_score_fundamental(&f, &sc);
	TEST_CHECK("P/B <= 0 scores -1",
	    sc.points == -1 && sc.nobs == 1 &&
		strstr(sc.obs[0].text, "negative") != NULL);
}

int
main(int argc, char **argv)
{
	double us;

	if (argc == 4 && strcmp(argv[1], "--dump") == 0)
		return dump(strtoull(argv[2], NULL, 10),
		    strtoull(argv[3], NULL, 10));

	if (argc > 1 && strcmp(argv[1], "--bench") == 0) {
		printf("ta_analyze, 2500 bars + index: %.1f us/call\n",
		    bench_analyze(2500, 2000));
		return 0;
	}
	test_talib_oracle("trend");
	test_talib_oracle("volatile");
	test_talib_oracle("market");
	test_numpy();
	test_article_sample();
	test_technical_rules();
	test_fundamental_rules();
	test_labels_and_overall();
	test_short_and_flat();
	test_drawdown_small();
	test_analyze_errors();
	test_risk_minimum();
	test_calendar();
	test_infinite_is_missing();
	us = bench_analyze(2500, 50);
	printf("ta_analyze, 2500 bars + index: %.1f us/call\n", us);
	TEST_CHECK("ta_analyze on 2500 bars takes under 50 ms", us < 50000);
	test_negative_book();
	return TEST_REPORT();
}
