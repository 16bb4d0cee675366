/*
 * indicators.c: SMA, EMA, RSI, MACD, Bollinger bands and ATR.
 *
 * Each follows TA-Lib's default (non-Metastock, no unstable period)
 * algorithm step for step, in the same order of floating-point operations,
 * so the results agree with TA-Lib to rounding (tests/unit-ta.c compares
 * against values recorded from TA-Lib's own C code). One deliberate
 * difference: a Bollinger window whose variance is below rounding noise
 * gets sd 0 (TA-Lib reports ~1e-6 there from E[x^2] - E[x]^2).
 */
#include "config.h"

#include <math.h>

#include "tools/ta/ta.h"

/* TA-Lib's TA_IS_ZERO: |v| below this counts as zero in RSI. */
#define TA_LIB_EPSILON 1e-14

static void
fill_nan(double *out, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++)
		out[i] = NAN;
}

void
ta_sma(const double *in, size_t n, int period, double *out)
{
	size_t p = (size_t)period, i;
	double total = 0;

	if (period < 1 || n < p) {
		fill_nan(out, 0, n);
		return;
	}
	fill_nan(out, 0, p - 1);
	for (i = 0; i + 1 < p; i++)
		total += in[i];
	for (i = p - 1; i < n; i++) {
		total += in[i];
		out[i] = total / period;
		total -= in[i + 1 - p];
	}
}

/*
 * EMA of IN[N] seeded with the mean of IN[SEED..SEED+PERIOD-1], first
 * output at SEED+PERIOD-1. MACD needs the seed window to start later than 0.
 */
static void
ema_from(const double *in, size_t n, int period, size_t seed, double *out)
{
	size_t p = (size_t)period, i;
	double k = 2.0 / (period + 1), total = 0, prev;

	if (period < 1 || n < seed + p) {
		fill_nan(out, 0, n);
		return;
	}
	fill_nan(out, 0, seed + p - 1);
	for (i = seed; i < seed + p; i++)
		total += in[i];
	prev = total / period;
	out[seed + p - 1] = prev;
	for (i = seed + p; i < n; i++) {
		prev = (in[i] - prev) * k + prev;
		out[i] = prev;
	}
}

void
ta_ema(const double *in, size_t n, int period, double *out)
{
	ema_from(in, n, period, 0, out);
}

static double
rsi_value(double gain, double loss)
{
	double sum = gain + loss;

	if (-TA_LIB_EPSILON < sum && sum < TA_LIB_EPSILON)
		return 0.0;
	return 100.0 * (gain / sum);
}

void
ta_rsi(const double *close, size_t n, int period, double *out)
{
	size_t p = (size_t)period, i;
	double gain = 0, loss = 0, d;

	if (period < 1 || n < p + 1) {
		fill_nan(out, 0, n);
		return;
	}
	fill_nan(out, 0, p);
	for (i = 1; i <= p; i++) {
		d = close[i] - close[i - 1];
		if (d < 0)
			loss -= d;
		else
			gain += d;
	}
	loss /= period;
	gain /= period;
	out[p] = rsi_value(gain, loss);
	for (i = p + 1; i < n; i++) {
		d = close[i] - close[i - 1];
		loss *= period - 1;
		gain *= period - 1;
		if (d < 0)
			loss -= d;
		else
			gain += d;
		loss /= period;
		gain /= period;
		out[i] = rsi_value(gain, loss);
	}
}

void
ta_macd(const double *close, size_t n, int fast, int slow, int signal,
    double *macd, double *sig, double *hist)
{
	size_t start, i;
	int t;

	if (slow < fast) {
		t = slow;
		slow = fast;
		fast = t;
	}
	if (fast < 1 || signal < 1 || n < (size_t)slow + (size_t)signal - 1) {
		fill_nan(macd, 0, n);
		fill_nan(sig, 0, n);
		fill_nan(hist, 0, n);
		return;
	}
	/* Slow EMA into SIG, fast EMA (seeded at the slow window's end) into
	 * HIST, their difference into MACD from slow-1 on. */
	ema_from(close, n, slow, 0, sig);
	ema_from(close, n, fast, (size_t)(slow - fast), hist);
	for (i = 0; i < n; i++)
		macd[i] = hist[i] - sig[i];
	start = (size_t)slow - 1;
	ema_from(macd + start, n - start, signal, 0, sig + start);
	fill_nan(sig, 0, start);
	start += (size_t)signal - 1;
	fill_nan(macd, 0, start);
	for (i = 0; i < n; i++)
		hist[i] = macd[i] - sig[i];
}

/* Population sd of a window from its sum of squares and mean. */
static double
window_sd(double sumsq, double mean, int period)
{
	double var = sumsq / period - mean * mean;

	/* Below ~1e-12 relative the difference is rounding noise. */
	if (var <= 1e-12 * mean * mean || var < TA_LIB_EPSILON)
		return 0.0;
	return sqrt(var);
}

void
ta_bbands(const double *close, size_t n, int period, double k, double *upper,
    double *middle, double *lower)
{
	size_t p = (size_t)period, i;
	double sumsq = 0, sd;

	ta_sma(close, n, period, middle);
	if (period < 1 || n < p) {
		fill_nan(upper, 0, n);
		fill_nan(lower, 0, n);
		return;
	}
	fill_nan(upper, 0, p - 1);
	fill_nan(lower, 0, p - 1);
	for (i = 0; i + 1 < p; i++)
		sumsq += close[i] * close[i];
	for (i = p - 1; i < n; i++) {
		sumsq += close[i] * close[i];
		sd = window_sd(sumsq, middle[i], period);
		sumsq -= close[i + 1 - p] * close[i + 1 - p];
		upper[i] = middle[i] + sd * k;
		lower[i] = middle[i] - sd * k;
	}
}

/* True range of bar I >= 1. */
static double
true_range(const double *high, const double *low, const double *close, size_t i)
{
	double tr = high[i] - low[i], v;

	v = fabs(close[i - 1] - high[i]);
	if (v > tr)
		tr = v;
	v = fabs(close[i - 1] - low[i]);
	if (v > tr)
		tr = v;
	return tr;
}

void
ta_atr(const double *high, const double *low, const double *close, size_t n,
    int period, double *out)
{
	size_t p = (size_t)period, i;
	double total = 0, prev;

	if (period < 1 || n < p + 1) {
		fill_nan(out, 0, n);
		return;
	}
	fill_nan(out, 0, p);
	for (i = 1; i <= p; i++)
		total += true_range(high, low, close, i);
	prev = total / period;
	out[p] = prev;
	for (i = p + 1; i < n; i++) {
		prev *= period - 1;
		prev += true_range(high, low, close, i);
		prev /= period;
		out[i] = prev;
	}
}
