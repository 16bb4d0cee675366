/*
 * score.c: stockagent's scoring rules. Each rule adds points and one
 * observation a user reads; the man page quotes the thresholds, so change
 * them there too.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tools/ta/ta.h"

static void
observe(struct ta_score *s, int points, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Adds POINTS and the sentence FMT followed by " (+1)" / " (0)" / " (-1)". */
static void
observe(struct ta_score *s, int points, const char *fmt, ...)
{
	struct ta_observation *o;
	va_list ap;
	size_t len;

	s->points += points;
	if (s->nobs == TA_OBS_MAX)
		return;
	o = &s->obs[s->nobs++];
	o->points = points;
	va_start(ap, fmt);
	vsnprintf(o->text, sizeof o->text, fmt, ap);
	va_end(ap);
	len = strlen(o->text);
	snprintf(o->text + len, sizeof o->text - len,
	    points > 0 ? " (+%d)" : " (%d)", points);
}

static void
score_init(struct ta_score *s)
{
	memset(s, 0, sizeof *s);
}

int
ta_score_from_points(int p)
{
	if (p >= 4)
		return 5;
	if (p >= 2)
		return 4;
	if (p >= -1)
		return 3;
	if (p >= -3)
		return 2;
	return 1;
}

static void
rule_one_year(struct ta_score *s, double r)
{
	if (!isfinite(r))
		return;
	if (r > 20)
		observe(s, 2, "1-year return %.2f%% is above +20%%: "
		    "strong upward momentum", r);
	else if (r > 10)
		observe(s, 1, "1-year return %.2f%% is above +10%%: "
		    "upward momentum", r);
	else if (r > -10)
		observe(s, 0, "1-year return %.2f%% is within +/-10%%: "
		    "neutral", r);
	else if (r > -20)
		observe(s, -1, "1-year return %.2f%% is -10%% or worse: "
		    "downward momentum", r);
	else
		observe(s, -2, "1-year return %.2f%% is -20%% or worse: "
		    "strong downward momentum", r);
}

/* Shared by the two "A above/below B" rules. */
static void
rule_above(struct ta_score *s, double a, double b, const char *what,
    const char *than, const char *up, const char *down)
{
	if (!isfinite(a) || !isfinite(b))
		return;
	if (a > b)
		observe(s, 1, "%s %.2f is above %s %.2f: %s", what, a, than, b,
		    up);
	else if (a < b)
		observe(s, -1, "%s %.2f is below %s %.2f: %s", what, a, than,
		    b, down);
	else
		observe(s, 0, "%s %.2f equals %s", what, a, than);
}

static void
rule_macd(struct ta_score *s, double macd, double sig)
{
	if (!isfinite(macd) || !isfinite(sig))
		return;
	if (macd > sig)
		observe(s, 1, "MACD %.4f is above its signal line %.4f: "
		    "bullish momentum", macd, sig);
	else if (macd < sig)
		observe(s, -1, "MACD %.4f is below its signal line %.4f: "
		    "bearish momentum", macd, sig);
	else
		observe(s, 0, "MACD %.4f equals its signal line", macd);
}

static void
rule_rsi(struct ta_score *s, double rsi)
{
	if (!isfinite(rsi))
		return;
	if (rsi > 70)
		observe(s, -1, "RSI(14) %.1f is above 70: overbought", rsi);
	else if (rsi < 30)
		observe(s, 1, "RSI(14) %.1f is below 30: oversold", rsi);
	else
		observe(s, 0, "RSI(14) %.1f is between 30 and 70: neutral",
		    rsi);
}

void
ta_score_technical(const struct ta_technical *in, struct ta_score *out)
{
	score_init(out);
	rule_one_year(out, in->one_year_pct);
	rule_above(out, in->price, in->sma200, "Price", "the 200-day average",
	    "long-term uptrend", "long-term downtrend");
	rule_above(out, in->sma50, in->sma200, "50-day average",
	    "the 200-day average", "bullish alignment", "bearish alignment");
	rule_macd(out, in->macd, in->macd_signal);
	rule_rsi(out, in->rsi14);
	out->score = ta_score_from_points(out->points);
}

static void
rule_pe(struct ta_score *s, double pe)
{
	if (!isfinite(pe))
		return;
	if (pe <= 0)
		observe(s, -1, "P/E %.2f means no earnings", pe);
	else if (pe < 15)
		observe(s, 1, "P/E %.2f suggests undervaluation", pe);
	else if (pe < 25)
		observe(s, 0, "P/E %.2f is in a reasonable range", pe);
	else
		observe(s, -1, "P/E %.2f suggests overvaluation", pe);
}

static void
rule_forward_pe(struct ta_score *s, double fpe, double pe)
{
	if (!isfinite(fpe) || !isfinite(pe) || fpe <= 0 || pe <= 0)
		return;
	if (fpe < 0.9 * pe)
		observe(s, 1, "Forward P/E %.2f is more than 10%% below P/E "
		    "%.2f: earnings expected to grow", fpe, pe);
	else if (fpe > 1.1 * pe)
		observe(s, -1, "Forward P/E %.2f is more than 10%% above P/E "
		    "%.2f: earnings expected to fall", fpe, pe);
	else
		observe(s, 0, "Forward P/E %.2f is within 10%% of P/E %.2f: "
		    "steady earnings expected", fpe, pe);
}

static void
rule_price_to_book(struct ta_score *s, double pb)
{
	if (!isfinite(pb))
		return;
	if (pb <= 0)
		observe(s, -1, "Price-to-book %.2f: book value is negative",
		    pb);
	else if (pb < 1.5)
		observe(s, 1, "Price-to-book %.2f is below 1.5: cheap "
		    "relative to assets", pb);
	else if (pb > 8)
		observe(s, -1, "Price-to-book %.2f is above 8: expensive "
		    "relative to assets", pb);
	else
		observe(s, 0, "Price-to-book %.2f is between 1.5 and 8", pb);
}

static void
rule_margin(struct ta_score *s, double m)
{
	if (!isfinite(m))
		return;
	if (m > 20)
		observe(s, 1, "Profit margin %.2f%% is above 20%%: excellent",
		    m);
	else if (m >= 5)
		observe(s, 0, "Profit margin %.2f%% is between 5%% and 20%%: "
		    "adequate", m);
	else
		observe(s, -1, "Profit margin %.2f%% is below 5%%: low", m);
}

static void
rule_dividend(struct ta_score *s, double y)
{
	if (!isfinite(y))
		return;
	if (y > 3)
		observe(s, 1, "Dividend yield %.2f%% is above 3%%: high", y);
	else
		observe(s, 0, "Dividend yield %.2f%% is 3%% or less", y);
}

void
ta_score_fundamental(const struct ta_fundamentals *f, struct ta_score *out)
{
	score_init(out);
	rule_pe(out, f->pe);
	rule_forward_pe(out, f->forward_pe, f->pe);
	rule_price_to_book(out, f->price_to_book);
	rule_margin(out, f->profit_margin_pct);
	rule_dividend(out, f->dividend_yield_pct);
	out->score = ta_score_from_points(out->points);
}

const char *
ta_trend_label(double r)
{
	if (!isfinite(r))
		return NULL;
	if (r > 20)
		return "STRONG UPTREND";
	if (r > 10)
		return "MODERATE UPTREND";
	if (r > 0)
		return "SLIGHT UPTREND";
	if (r > -10)
		return "SLIGHT DOWNTREND";
	return "STRONG DOWNTREND";
}

const char *
ta_risk_level(double v)
{
	if (!isfinite(v))
		return NULL;
	if (v < 20)
		return "LOW";
	if (v < 35)
		return "MEDIUM";
	return "HIGH";
}

void
ta_overall(int technical, int fundamental, const char *risk_level,
    struct ta_overall *out)
{
	static const char *const labels[] = { "VERY UNFAVORABLE",
		"UNFAVORABLE", "NEUTRAL", "FAVORABLE", "VERY FAVORABLE" };
	double a = (technical + fundamental) / 2.0;
	int s;

	if (risk_level != NULL && strcmp(risk_level, "HIGH") == 0)
		a -= 0.5;
	s = (int)floor(a + 0.5);
	if (s < 1)
		s = 1;
	if (s > 5)
		s = 5;
	out->average = a;
	out->score = s;
	out->label = labels[s - 1];
}
