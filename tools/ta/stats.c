/*
 * stats.c: risk statistics over daily returns.
 *
 * Means are taken first and deviations summed after (two passes), which
 * keeps the sample variance accurate for returns of ~1e-2 with tiny spread.
 */
#include "config.h"

#include <math.h>

#include "tools/ta/ta.h"

static double
mean(const double *x, size_t n)
{
	double s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += x[i];
	return s / (double)n;
}

double
ta_volatility_annual_pct(const double *close, size_t n)
{
	double s = 0, ss = 0, m, r;
	size_t i;

	if (n < 3)
		return NAN;
	for (i = 1; i < n; i++)
		s += close[i] / close[i - 1] - 1;
	m = s / (double)(n - 1);
	for (i = 1; i < n; i++) {
		r = close[i] / close[i - 1] - 1 - m;
		ss += r * r;
	}
	return sqrt(ss / (double)(n - 2)) * sqrt(TA_TRADING_DAYS) * 100;
}

int
ta_max_drawdown(const double *v, size_t n, struct ta_drawdown *out)
{
	struct ta_drawdown best = { 0, 0, 0 };
	size_t i, peak = 0;
	double dd;

	if (n < 2)
		return -1;
	for (i = 0; i < n; i++) {
		if (v[i] > v[peak])
			peak = i;
		if (v[peak] <= 0)
			return -1;
		dd = (v[i] - v[peak]) / v[peak];
		if (dd < best.percent) {
			best.percent = dd;
			best.peak = peak;
			best.trough = i;
		}
	}
	best.percent *= 100;
	*out = best;
	return 0;
}

double
ta_beta(const double *stock, const double *market, size_t n)
{
	double ms, mm, cov = 0, var = 0;
	size_t i;

	if (n < 2)
		return NAN;
	ms = mean(stock, n);
	mm = mean(market, n);
	for (i = 0; i < n; i++) {
		cov += (stock[i] - ms) * (market[i] - mm);
		var += (market[i] - mm) * (market[i] - mm);
	}
	if (var == 0)
		return NAN;
	return cov / var;
}

double
ta_sharpe(const double *r, size_t n, double rf_annual)
{
	double daily = rf_annual / TA_TRADING_DAYS, m, ss = 0, d;
	size_t i;

	if (n < 2 || !isfinite(rf_annual))
		return NAN;
	m = mean(r, n) - daily;
	for (i = 0; i < n; i++) {
		d = r[i] - daily - m;
		ss += d * d;
	}
	if (ss == 0)
		return NAN;
	return sqrt(TA_TRADING_DAYS) * m / sqrt(ss / (double)(n - 1));
}
