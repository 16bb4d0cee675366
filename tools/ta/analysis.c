/*
 * analysis.c: ta_analyze, one stock's history -> the "analysis" JSON object.
 *
 * Indicators run over the whole history up to as_of (so a 200-day average
 * on the first charted day is already valid); returns, range and risk use
 * the calendar windows documented in ta.h. Anything not computable is a JSON
 * null, never a made-up number.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "lib/date.h"
#include "lib/xmalloc.h"
#include "tools/ta/ta.h"

enum {
	S_SMA20,
	S_SMA50,
	S_SMA200,
	S_EMA12,
	S_EMA26,
	S_RSI14,
	S_MACD,
	S_MACD_SIGNAL,
	S_MACD_HIST,
	S_BB_UPPER,
	S_BB_MIDDLE,
	S_BB_LOWER,
	S_ATR14,
	S_COUNT
};

/* Indicator names in the JSON, in enum order. */
static const char *const series_names[S_COUNT] = { "sma20", "sma50", "sma200",
	"ema12", "ema26", "rsi14", "macd", "macd_signal", "macd_hist",
	"bb_upper", "bb_middle", "bb_lower", "atr14" };

/* The series the PDF charts need, in the order of "series". */
static const int chart_series[] = { S_SMA50, S_SMA200, S_BB_UPPER, S_BB_MIDDLE,
	S_BB_LOWER, S_RSI14, S_MACD, S_MACD_SIGNAL, S_MACD_HIST };

struct analysis {
	const struct ta_bars *b;
	size_t last; /* index of the last bar <= as_of */
	int32_t as_of;
	int32_t year_ago;    /* as_of minus one calendar year */
	double *s[S_COUNT];  /* [last + 1] each, one allocation in s[0] */
	double one_year_pct; /* NAN when the history is too short */
	double volatility_pct;
	const char *risk_level;
};

int32_t
ta_minus_one_year(int32_t day)
{
	int y, m, d;

	date_to_ymd(day, &y, &m, &d);
	if (m == 2 && d == 29)
		d = 28;
	return date_from_ymd(y - 1, m, d);
}

/* Number of bars dated <= DAY (dates ascending): the index after them. */
static size_t
count_le(const int32_t *date, size_t n, int32_t day)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (date[mid] <= day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Whether bar I has the prices the analysis reads (HL: high and low too). */
static int
bar_ok(const struct ta_bars *b, size_t i, int hl)
{
	if (!isfinite(b->close[i]) || b->close[i] <= 0)
		return 0;
	return !hl || (isfinite(b->high[i]) && isfinite(b->low[i]));
}

/*
 * Checks that WHAT's bars are ascending and that those up to AS_OF have
 * a finite positive close (and finite high and low if HL); sets *COUNT to
 * how many are <= AS_OF.
 */
static int
check_bars(const struct ta_bars *b, const char *what, int hl, int32_t as_of,
    size_t *count, char **cause)
{
	char day[DATE_STR_SIZE];
	size_t i, n;

	for (i = 1; i < b->n; i++) {
		if (b->date[i] <= b->date[i - 1]) {
			*cause = xasprintf("%s bars are not in ascending date "
					   "order at %s",
			    what, date_format(b->date[i], day));
			return -1;
		}
	}
	n = count_le(b->date, b->n, as_of);
	for (i = 0; i < n; i++) {
		if (!bar_ok(b, i, hl)) {
			*cause = xasprintf("%s bar of %s has a missing or "
					   "non-positive price",
			    what, date_format(b->date[i], day));
			return -1;
		}
	}
	*count = n;
	return 0;
}

static void
add_num(cJSON *obj, const char *name, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(obj, name, v);
	else
		cJSON_AddNullToObject(obj, name);
}

static void
add_date(cJSON *obj, const char *name, int have, int32_t day)
{
	char buf[DATE_STR_SIZE];

	if (have)
		cJSON_AddStringToObject(obj, name, date_format(day, buf));
	else
		cJSON_AddNullToObject(obj, name);
}

static void
add_str(cJSON *obj, const char *name, const char *s)
{
	if (s != NULL)
		cJSON_AddStringToObject(obj, name, s);
	else
		cJSON_AddNullToObject(obj, name);
}

static void
compute_series(struct analysis *a)
{
	const struct ta_bars *b = a->b;
	size_t n = a->last + 1, i;
	double *all = xmalloc(sizeof(double) * n * S_COUNT);

	for (i = 0; i < S_COUNT; i++)
		a->s[i] = all + i * n;
	ta_sma(b->close, n, 20, a->s[S_SMA20]);
	ta_sma(b->close, n, 50, a->s[S_SMA50]);
	ta_sma(b->close, n, 200, a->s[S_SMA200]);
	ta_ema(b->close, n, 12, a->s[S_EMA12]);
	ta_ema(b->close, n, 26, a->s[S_EMA26]);
	ta_rsi(b->close, n, 14, a->s[S_RSI14]);
	ta_macd(b->close, n, 12, 26, 9, a->s[S_MACD], a->s[S_MACD_SIGNAL],
	    a->s[S_MACD_HIST]);
	ta_bbands(b->close, n, 20, 2.0, a->s[S_BB_UPPER], a->s[S_BB_MIDDLE],
	    a->s[S_BB_LOWER]);
	ta_atr(b->high, b->low, b->close, n, 14, a->s[S_ATR14]);
}

/* Percent change from the last close on or before DAY; *BASE its index. */
static double
return_since(const struct analysis *a, int32_t day, size_t *base)
{
	size_t k = count_le(a->b->date, a->last + 1, day);

	if (k == 0)
		return NAN;
	*base = k - 1;
	return (a->b->close[a->last] / a->b->close[k - 1] - 1) * 100;
}

static cJSON *
returns_json(struct analysis *a)
{
	cJSON *o = cJSON_CreateObject();
	size_t ybase = 0, ydbase = 0;
	int y, m, d;
	double ytd;

	date_to_ymd(a->as_of, &y, &m, &d);
	ytd = return_since(a, date_from_ymd(y, 1, 1) - 1, &ydbase);
	a->one_year_pct = return_since(a, a->year_ago, &ybase);
	add_num(o, "ytd_percent", ytd);
	add_num(o, "one_year_percent", a->one_year_pct);
	add_date(o, "one_year_base_date", !isnan(a->one_year_pct),
	    a->b->date[ybase]);
	add_date(o, "ytd_base_date", !isnan(ytd), a->b->date[ydbase]);
	return o;
}

/* First bar of the 52-week window (AS_OF - 1 year, AS_OF]. */
static size_t
year_start(const struct analysis *a)
{
	return count_le(a->b->date, a->last + 1, a->year_ago);
}

static cJSON *
range_json(const struct analysis *a)
{
	cJSON *o = cJSON_CreateObject();
	double hi = -INFINITY, lo = INFINITY;
	size_t i;

	for (i = year_start(a); i <= a->last; i++) {
		if (a->b->high[i] > hi)
			hi = a->b->high[i];
		if (a->b->low[i] < lo)
			lo = a->b->low[i];
	}
	add_num(o, "high", hi);
	add_num(o, "low", lo);
	return o;
}

/*
 * Daily returns of the stock and the index on their common dates up to
 * as_of, the last TA_RISK_WINDOW of them; returns how many (<= window).
 */
static size_t
aligned_returns(const struct analysis *a, const struct ta_bars *ix,
    size_t ix_count, double *rs, double *rm)
{
	size_t is[TA_RISK_WINDOW + 1], im[TA_RISK_WINDOW + 1];
	size_t i = a->last + 1, j = ix_count, k = 0, t;

	while (i > 0 && j > 0 && k < TA_RISK_WINDOW + 1) {
		if (a->b->date[i - 1] > ix->date[j - 1]) {
			i--;
		} else if (a->b->date[i - 1] < ix->date[j - 1]) {
			j--;
		} else {
			is[k] = --i;
			im[k++] = --j;
		}
	}
	/* is/im run backwards in time: element t+1 precedes element t. */
	for (t = 0; t + 1 < k; t++) {
		rs[k - 2 - t] = a->b->close[is[t]] / a->b->close[is[t + 1]] - 1;
		rm[k - 2 - t] = ix->close[im[t]] / ix->close[im[t + 1]] - 1;
	}
	return k > 0 ? k - 1 : 0;
}

static double
beta(const struct analysis *a, const struct ta_bars *ix, size_t ix_count)
{
	double rs[TA_RISK_WINDOW], rm[TA_RISK_WINDOW];
	size_t m;

	if (ix == NULL)
		return NAN;
	m = aligned_returns(a, ix, ix_count, rs, rm);
	if (m < TA_RISK_MIN_RETURNS)
		return NAN;
	return ta_beta(rs, rm, m);
}

static cJSON *
risk_json(struct analysis *a, const struct ta_bars *ix, size_t ix_count,
    double rf)
{
	cJSON *o = cJSON_CreateObject();
	size_t m = a->last < TA_RISK_WINDOW ? a->last : TA_RISK_WINDOW, i;
	const double *c = a->b->close + (a->last - m);
	struct ta_drawdown dd = { NAN, 0, 0 };
	double r[TA_RISK_WINDOW], sharpe = NAN;
	int have_dd = 0;

	a->volatility_pct = NAN;
	if (m >= TA_RISK_MIN_RETURNS) {
		for (i = 0; i < m; i++)
			r[i] = c[i + 1] / c[i] - 1;
		a->volatility_pct = ta_volatility_annual_pct(c, m + 1);
		have_dd = ta_max_drawdown(c, m + 1, &dd) == 0;
		sharpe = ta_sharpe(r, m, rf);
	}
	a->risk_level = ta_risk_level(a->volatility_pct);
	add_num(o, "volatility_percent", a->volatility_pct);
	add_num(o, "beta", beta(a, ix, ix_count));
	add_num(o, "max_drawdown_percent", have_dd ? dd.percent : NAN);
	add_date(o, "max_drawdown_peak", have_dd,
	    a->b->date[a->last - m + dd.peak]);
	add_date(o, "max_drawdown_trough", have_dd,
	    a->b->date[a->last - m + dd.trough]);
	add_num(o, "sharpe", sharpe);
	add_num(o, "risk_free_rate", rf);
	add_str(o, "level", a->risk_level);
	return o;
}

static cJSON *
indicators_json(const struct analysis *a)
{
	cJSON *o = cJSON_CreateObject();
	size_t i;

	for (i = 0; i < S_COUNT; i++)
		add_num(o, series_names[i], a->s[i][a->last]);
	return o;
}

static cJSON *
observations_json(const struct ta_score *s)
{
	cJSON *arr = cJSON_CreateArray(), *o;
	size_t i;

	for (i = 0; i < s->nobs; i++) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "text", s->obs[i].text);
		cJSON_AddNumberToObject(o, "points", s->obs[i].points);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/* Adds "scores" and "observations" to OUT. */
static void
add_scores(const struct analysis *a, const struct ta_fundamentals *f,
    cJSON *out)
{
	const double *const *s = (const double *const *)a->s;
	struct ta_fundamentals none = { NAN, NAN, NAN, NAN, NAN };
	struct ta_technical t = { a->one_year_pct, a->b->close[a->last],
		s[S_SMA50][a->last], s[S_SMA200][a->last], s[S_MACD][a->last],
		s[S_MACD_SIGNAL][a->last], s[S_RSI14][a->last] };
	struct ta_score ts, fs;
	struct ta_overall ov;
	cJSON *sc, *obs;

	ta_score_technical(&t, &ts);
	ta_score_fundamental(f != NULL ? f : &none, &fs);
	ta_overall(ts.score, fs.score, a->risk_level, &ov);
	sc = cJSON_AddObjectToObject(out, "scores");
	cJSON_AddNumberToObject(sc, "technical", ts.score);
	cJSON_AddNumberToObject(sc, "technical_points", ts.points);
	cJSON_AddNumberToObject(sc, "fundamental", fs.score);
	cJSON_AddNumberToObject(sc, "fundamental_points", fs.points);
	cJSON_AddNumberToObject(sc, "overall", ov.score);
	cJSON_AddNumberToObject(sc, "overall_average", ov.average);
	cJSON_AddStringToObject(sc, "label", ov.label);
	obs = cJSON_AddObjectToObject(out, "observations");
	cJSON_AddItemToObject(obs, "technical", observations_json(&ts));
	cJSON_AddItemToObject(obs, "fundamental", observations_json(&fs));
}

static cJSON *
array_json(const double *v, size_t from, size_t to)
{
	cJSON *arr = cJSON_CreateArray();
	size_t i;

	for (i = from; i < to; i++) {
		cJSON_AddItemToArray(arr,
		    isfinite(v[i]) ? cJSON_CreateNumber(v[i]) :
				     cJSON_CreateNull());
	}
	return arr;
}

static cJSON *
series_json(const struct analysis *a)
{
	cJSON *o = cJSON_CreateObject(), *dates;
	size_t from = year_start(a), to = a->last + 1, i;
	char buf[DATE_STR_SIZE];

	dates = cJSON_AddArrayToObject(o, "date");
	for (i = from; i < to; i++) {
		cJSON_AddItemToArray(dates,
		    cJSON_CreateString(date_format(a->b->date[i], buf)));
	}
	cJSON_AddItemToObject(o, "close", array_json(a->b->close, from, to));
	if (a->b->volume != NULL)
		cJSON_AddItemToObject(o, "volume",
		    array_json(a->b->volume, from, to));
	else
		cJSON_AddItemToObject(o, "volume", cJSON_CreateArray());
	for (i = 0; i < sizeof chart_series / sizeof chart_series[0]; i++) {
		cJSON_AddItemToObject(o, series_names[chart_series[i]],
		    array_json(a->s[chart_series[i]], from, to));
	}
	return o;
}

/* Fills OUT from A, whose series are computed. */
static void
build(struct analysis *a, const struct ta_bars *ix, size_t ix_count,
    const struct ta_fundamentals *f, double rf, cJSON *out)
{
	const double *c = a->b->close;
	double prev = c[a->last - 1];

	add_date(out, "as_of", 1, a->as_of);
	add_num(out, "price", c[a->last]);
	add_num(out, "previous_close", prev);
	add_num(out, "change", c[a->last] - prev);
	add_num(out, "change_percent", (c[a->last] / prev - 1) * 100);
	cJSON_AddItemToObject(out, "returns", returns_json(a));
	cJSON_AddItemToObject(out, "range_52w", range_json(a));
	cJSON_AddItemToObject(out, "risk", risk_json(a, ix, ix_count, rf));
	cJSON_AddItemToObject(out, "indicators", indicators_json(a));
	add_str(out, "trend", ta_trend_label(a->one_year_pct));
	add_scores(a, f, out);
	cJSON_AddItemToObject(out, "series", series_json(a));
}

int
ta_analyze(const struct ta_bars *stock, const struct ta_bars *index,
    int32_t as_of, const struct ta_fundamentals *f, double rf_annual,
    cJSON **out, char **cause)
{
	struct analysis a = { .b = stock, .as_of = as_of };
	size_t count, ix_count = 0;
	char day[DATE_STR_SIZE];

	if (check_bars(stock, "stock", 1, as_of, &count, cause) != 0)
		return -1;
	if (count < 2) {
		*cause = xasprintf("need at least 2 daily bars on or before "
				   "%s to analyze, have %zu",
		    date_format(as_of, day), count);
		return -1;
	}
	if (index != NULL &&
	    check_bars(index, "index", 0, as_of, &ix_count, cause) != 0)
		return -1;
	a.last = count - 1;
	a.year_ago = ta_minus_one_year(as_of);
	compute_series(&a);
	*out = cJSON_CreateObject();
	build(&a, index, ix_count, f, rf_annual, *out);
	free(a.s[0]);
	return 0;
}
