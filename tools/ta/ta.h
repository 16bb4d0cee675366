/*
 * ta.h: technical analysis for `stockagent analyze`.
 *
 * Three layers, each usable alone:
 *  - series indicators (SMA, EMA, RSI, MACD, Bollinger bands, ATR) with
 *    TA-Lib's default conventions, checked against TA-Lib itself
 *    (tests/fixtures/ta, recorded by tests/oracle/record-ta.js);
 *  - risk statistics (volatility, max drawdown, beta, Sharpe);
 *  - the scoring rules and ta_analyze, which turns a bar history into the
 *    "analysis" JSON object the report and the renderers read.
 *
 * Series functions take IN[N] and write OUT[N]. OUT[i] is NAN before the
 * first index TA-Lib would output (the warm-up) and wherever the value is not
 * computable (N shorter than the warm-up, PERIOD < 1). Inputs must be finite.
 * OUT may not alias IN. Everything is O(N) time.
 */
#ifndef STOCKAGENT_TA_H
#define STOCKAGENT_TA_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* --- series indicators (indicators.c) -------------------------------- */

/* Simple moving average; first output at PERIOD-1. */
void ta_sma(const double *in, size_t n, int period, double *out);
/*
 * Exponential moving average, k = 2/(PERIOD+1), seeded with the SMA of the
 * first PERIOD values; first output at PERIOD-1.
 */
void ta_ema(const double *in, size_t n, int period, double *out);
/*
 * Wilder's RSI (0..100). Averages seeded with the means of the first PERIOD
 * changes; first output at PERIOD; 0 when average gain + loss is (near) 0,
 * as TA-Lib does.
 */
void ta_rsi(const double *close, size_t n, int period, double *out);
/*
 * MACD = EMA(FAST) - EMA(SLOW), SIG = EMA(SIGNAL) of MACD, HIST = MACD - SIG.
 * TA-Lib's seeding: the slow EMA from the SMA of the first SLOW closes, the
 * fast EMA from the SMA of the last FAST closes of that window, the signal
 * from the SMA of the first SIGNAL MACD values. All three outputs start at
 * (SLOW-1)+(SIGNAL-1); FAST and SLOW are swapped if SLOW < FAST.
 */
void ta_macd(const double *close, size_t n, int fast, int slow, int signal,
    double *macd, double *sig, double *hist);
/*
 * Bollinger bands: MIDDLE = SMA(PERIOD), UPPER/LOWER = MIDDLE +/- K * sd,
 * sd the population standard deviation of the window (0 for a flat window).
 * First output at PERIOD-1.
 */
void ta_bbands(const double *close, size_t n, int period, double k,
    double *upper, double *middle, double *lower);
/*
 * Average true range, Wilder smoothing. True range needs the previous close,
 * so the first TR is at index 1; seeded with the mean of TR[1..PERIOD];
 * first output at PERIOD. PERIOD 1 gives the true range itself.
 */
void ta_atr(const double *high, const double *low, const double *close,
    size_t n, int period, double *out);

/* --- statistics (stats.c) -------------------------------------------- */

#define TA_TRADING_DAYS 252 /* per year, for annualizing */

/*
 * Annualized volatility in percent: sample standard deviation (ddof 1) of
 * the simple returns CLOSE[i]/CLOSE[i-1]-1, times sqrt(252) times 100.
 * NAN when N < 3.
 */
double ta_volatility_annual_pct(const double *close, size_t n);

struct ta_drawdown {
	double percent; /* largest peak-to-trough fall, <= 0, e.g. -23.5 */
	size_t peak;	/* index of the running maximum before the trough */
	size_t trough;	/* index of the deepest point (first one on ties) */
};

/*
 * Max drawdown of V[N]: min over t of (V[t] - max_{s<=t} V[s]) / that max,
 * times 100. A series that never falls gives 0 with peak = trough = 0.
 * Returns 0, or -1 (OUT untouched) when N < 2 or a running max is <= 0.
 */
int ta_max_drawdown(const double *v, size_t n, struct ta_drawdown *out);
/*
 * Beta of the stock on the market: cov(S, M) / var(M) over N aligned
 * returns. NAN when N < 2 or the market returns do not vary.
 */
double ta_beta(const double *stock, const double *market, size_t n);
/*
 * Annualized Sharpe ratio of daily returns R[N] against an annual risk-free
 * rate RF_ANNUAL (a fraction, 0.0434 = 4.34 %): sqrt(252) * mean(e) / sd(e),
 * e = R - RF_ANNUAL/252, sd with ddof 1. NAN when N < 2 or sd is 0.
 */
double ta_sharpe(const double *r, size_t n, double rf_annual);

/* --- scoring rules (score.c) ----------------------------------------- */

#define TA_OBS_MAX 8
#define TA_OBS_TEXT_MAX 160

struct ta_observation {
	char text[TA_OBS_TEXT_MAX]; /* one sentence a user reads */
	int points;		    /* what it added to the score */
};

struct ta_score {
	int points; /* sum of the observations' points */
	int score;  /* 1..5 from points, see ta_score_from_points */
	size_t nobs;
	struct ta_observation obs[TA_OBS_MAX];
};

/* Technical score inputs; NAN (any non-finite) = missing: adds 0, no
 * observation. */
struct ta_technical {
	double one_year_pct; /* 1-year return, percent */
	double price;	     /* last close */
	double sma50, sma200;
	double macd, macd_signal;
	double rsi14;
};

/* Fundamentals as the market provider gives them; NAN = missing. */
struct ta_fundamentals {
	double pe;	   /* trailing price / earnings */
	double forward_pe; /* price / next year's expected earnings */
	double price_to_book;
	double profit_margin_pct;  /* net margin, percent */
	double dividend_yield_pct; /* percent */
};

/* p >= 4 -> 5; p >= 2 -> 4; p >= -1 -> 3; p >= -3 -> 2; else 1. */
int ta_score_from_points(int points);
/*
 * Technical rules: 1-year return (>20 +2, >10 +1, >-10 0, >-20 -1, else -2);
 * price vs SMA200 and SMA50 vs SMA200 (above +1, below -1, equal 0);
 * MACD vs signal (above +1, below -1, equal 0); RSI14 (>70 -1, <30 +1).
 */
void ta_score_technical(const struct ta_technical *in, struct ta_score *out);
/*
 * Fundamental rules: P/E (<=0 -1, <15 +1, <25 0, else -1); forward P/E vs
 * P/E when both > 0 (< 0.9 PE +1, > 1.1 PE -1, else 0); price-to-book
 * (<1.5 +1, >8 -1, else 0); profit margin % (>20 +1, >=5 0, else -1);
 * dividend yield % (>3 +1, else 0). Missing inputs add 0, no observation.
 */
void ta_score_fundamental(const struct ta_fundamentals *f,
    struct ta_score *out);
/*
 * Trend label from the 1-year return percent: >20 "STRONG UPTREND",
 * >10 "MODERATE UPTREND", >0 "SLIGHT UPTREND", >-10 "SLIGHT DOWNTREND",
 * else "STRONG DOWNTREND"; NULL when not finite. Static strings.
 */
const char *ta_trend_label(double one_year_pct);
/*
 * Risk level from annualized volatility percent: <20 "LOW", <35 "MEDIUM",
 * else "HIGH"; NULL when not finite. Static strings.
 */
const char *ta_risk_level(double volatility_pct);

/*
 * The words a reader sees for VALUE, an enum of the analysis (a trend, a
 * risk level, a score label) or a news sentiment ("positive"), in the
 * language of lib/i18n.h; anything else is returned as it is. The JSON
 * keeps the enum; only what people read is translated.
 */
const char *ta_words(const char *value);

struct ta_overall {
	double average;	   /* (technical + fundamental)/2, -0.5 if HIGH risk */
	int score;	   /* floor(average + 0.5) clamped to 1..5 */
	const char *label; /* "VERY FAVORABLE" .. "VERY UNFAVORABLE", static */
};

/* Combines the two scores; RISK_LEVEL may be NULL (unknown). */
void ta_overall(int technical, int fundamental, const char *risk_level,
    struct ta_overall *out);

/* --- whole analysis (analysis.c) ------------------------------------- */

/* Daily bars, ascending by date, trading days only. Arrays are [n];
 * open is not read, volume may be NULL. */
struct ta_bars {
	size_t n;
	const int32_t *date; /* day numbers, see lib/date.h */
	const double *open, *high, *low, *close; /* currency units */
	const double *volume;			 /* shares; may hold NAN */
};

#define TA_RISK_WINDOW 252     /* daily returns used for risk statistics */
#define TA_RISK_MIN_RETURNS 20 /* fewer returns than this: risk is null */

/*
 * Analyzes STOCK as of the day AS_OF (bars after it are ignored).
 * INDEX (may be NULL: beta is null) is the market, aligned by date.
 * F may be NULL (no fundamentals). RF_ANNUAL is the annual risk-free rate
 * as a fraction (NAN: Sharpe is null).
 *
 * Windows: price = close of the last bar <= AS_OF; the 1-year return is
 * against the last close on or before AS_OF minus one calendar year (Feb 29
 * -> Feb 28), YTD against the last close of the previous calendar year; the
 * 52-week range and "series" cover bars in (AS_OF - 1 year, AS_OF];
 * volatility, drawdown, Sharpe and beta use the last 252 daily returns (all
 * there are if fewer, null below 20). Indicators run over the full history.
 *
 * Only date and close of INDEX are read.
 *
 * Returns 0 and *OUT, a new cJSON object the caller deletes, with exactly
 * the keys as_of, price, previous_close, change, change_percent,
 * returns {ytd_percent, one_year_percent, one_year_base_date, ytd_base_date},
 * range_52w {high, low}, risk {volatility_percent, beta,
 * max_drawdown_percent (<= 0), max_drawdown_peak, max_drawdown_trough,
 * sharpe, risk_free_rate, level}, indicators {sma20, sma50, sma200, ema12,
 * ema26, rsi14, macd, macd_signal, macd_hist, bb_upper, bb_middle, bb_lower,
 * atr14} (at the last bar), trend, scores {technical, technical_points,
 * fundamental, fundamental_points, overall, overall_average, label},
 * observations {technical, fundamental: [{text, points}]}, series {date,
 * close, volume, sma50, sma200, bb_upper, bb_middle, bb_lower, rsi14, macd,
 * macd_signal, macd_hist: one entry per bar of the 52-week window}. Dates
 * are "YYYY-MM-DD" strings; anything not computable is null.
 * Returns -1 and *CAUSE (caller frees) when fewer than 2 bars lie on or
 * before AS_OF, or when the bars are not ascending or hold a non-finite or
 * non-positive price.
 */
int ta_analyze(const struct ta_bars *stock, const struct ta_bars *index,
    int32_t as_of, const struct ta_fundamentals *f, double rf_annual,
    cJSON **out, char **cause);

/* AS_OF minus one calendar year (Feb 29 -> Feb 28). */
int32_t ta_minus_one_year(int32_t day);

#endif
