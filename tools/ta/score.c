/*
 * score.c: stockagent's scoring rules. Each rule adds points and one
 * observation a user reads; the man page quotes the thresholds, so change
 * them there too. Observations are written in the language of lib/i18n.h,
 * their figures by lib/numfmt.h ("31,67" in Vietnamese): the sentences
 * take them as %s.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/i18n.h"
#include "lib/numfmt.h"
#include "tools/ta/ta.h"

static void observe(struct ta_score *s, int points, const char *fmt, ...)
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

/* Figures of one sentence, each in the language's notation. */
struct nums {
	char b[3][32];
};

/* V with DECIMALS digits in slot I of N. */
static const char *
num(struct nums *n, int i, double v, int decimals)
{
	return numfmt_local(n->b[i], sizeof n->b[i], v, decimals, 0);
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
	struct nums n;

	if (!isfinite(r))
		return;
	if (r > 20)
		observe(s, 2,
		    _("1-year return %s%% is above +20%%: strong "
		      "upward momentum"),
		    num(&n, 0, r, 2));
	else if (r > 10)
		observe(s, 1,
		    _("1-year return %s%% is above +10%%: upward "
		      "momentum"),
		    num(&n, 0, r, 2));
	else if (r > -10)
		observe(s, 0,
		    _("1-year return %s%% is within +/-10%%: "
		      "neutral"),
		    num(&n, 0, r, 2));
	else if (r > -20)
		observe(s, -1,
		    _("1-year return %s%% is -10%% or worse: "
		      "downward momentum"),
		    num(&n, 0, r, 2));
	else
		observe(s, -2,
		    _("1-year return %s%% is -20%% or worse: "
		      "strong downward momentum"),
		    num(&n, 0, r, 2));
}

/* 1 when A is above B, -1 below, 0 equal. */
static int
cmp3(double a, double b)
{
	return a > b ? 1 : a < b ? -1 : 0;
}

/* The close (FIFTY 0) or the 50-day average (FIFTY 1), A, against the
 * 200-day average SMA200. */
static void
rule_vs_sma200(struct ta_score *s, int fifty, double a, double sma200)
{
	struct nums n;

	if (!isfinite(a) || !isfinite(sma200))
		return;
	num(&n, 0, a, 2);
	num(&n, 1, sma200, 2);
	if (cmp3(a, sma200) > 0)
		observe(s, 1,
		    fifty ? _("50-day average %s is above the 200-day "
			      "average %s: bullish alignment") :
			    _("Price %s is above the "
			      "200-day average %s: long-term uptrend"),
		    n.b[0], n.b[1]);
	else if (cmp3(a, sma200) < 0)
		observe(s, -1,
		    fifty ?
			_("50-day average %s is below the "
			  "200-day average %s: bearish alignment") :
			_("Price %s is "
			  "below the 200-day average %s: long-term downtrend"),
		    n.b[0], n.b[1]);
	else
		observe(s, 0,
		    fifty ? _("50-day average %s equals the 200-day "
			      "average") :
			    _("Price %s equals the 200-day average"),
		    n.b[0]);
}

static void
rule_macd(struct ta_score *s, double macd, double sig)
{
	struct nums n;

	if (!isfinite(macd) || !isfinite(sig))
		return;
	if (macd > sig)
		observe(s, 1,
		    _("MACD %s is above its signal line %s: "
		      "bullish momentum"),
		    num(&n, 0, macd, 4), num(&n, 1, sig, 4));
	else if (macd < sig)
		observe(s, -1,
		    _("MACD %s is below its signal line %s: "
		      "bearish momentum"),
		    num(&n, 0, macd, 4), num(&n, 1, sig, 4));
	else
		observe(s, 0, _("MACD %s equals its signal line"),
		    num(&n, 0, macd, 4));
}

static void
rule_rsi(struct ta_score *s, double rsi)
{
	struct nums n;

	if (!isfinite(rsi))
		return;
	if (rsi > 70)
		observe(s, -1, _("RSI(14) %s is above 70: overbought"),
		    num(&n, 0, rsi, 1));
	else if (rsi < 30)
		observe(s, 1, _("RSI(14) %s is below 30: oversold"),
		    num(&n, 0, rsi, 1));
	else
		observe(s, 0, _("RSI(14) %s is between 30 and 70: neutral"),
		    num(&n, 0, rsi, 1));
}

void
ta_score_technical(const struct ta_technical *in, struct ta_score *out)
{
	score_init(out);
	rule_one_year(out, in->one_year_pct);
	rule_vs_sma200(out, 0, in->price, in->sma200);
	rule_vs_sma200(out, 1, in->sma50, in->sma200);
	rule_macd(out, in->macd, in->macd_signal);
	rule_rsi(out, in->rsi14);
	out->score = ta_score_from_points(out->points);
}

static void
rule_pe(struct ta_score *s, double pe)
{
	struct nums n;

	if (!isfinite(pe))
		return;
	if (pe <= 0)
		observe(s, -1, _("P/E %s means no earnings"),
		    num(&n, 0, pe, 2));
	else if (pe < 15)
		observe(s, 1, _("P/E %s suggests undervaluation"),
		    num(&n, 0, pe, 2));
	else if (pe < 25)
		observe(s, 0, _("P/E %s is in a reasonable range"),
		    num(&n, 0, pe, 2));
	else
		observe(s, -1, _("P/E %s suggests overvaluation"),
		    num(&n, 0, pe, 2));
}

static void
rule_forward_pe(struct ta_score *s, double fpe, double pe)
{
	struct nums n;

	if (!isfinite(fpe) || !isfinite(pe) || fpe <= 0 || pe <= 0)
		return;
	if (fpe < 0.9 * pe)
		observe(s, 1,
		    _("Forward P/E %s is more than 10%% below P/E "
		      "%s: earnings expected to grow"),
		    num(&n, 0, fpe, 2), num(&n, 1, pe, 2));
	else if (fpe > 1.1 * pe)
		observe(s, -1,
		    _("Forward P/E %s is more than 10%% above P/E "
		      "%s: earnings expected to fall"),
		    num(&n, 0, fpe, 2), num(&n, 1, pe, 2));
	else
		observe(s, 0,
		    _("Forward P/E %s is within 10%% of P/E %s: "
		      "steady earnings expected"),
		    num(&n, 0, fpe, 2), num(&n, 1, pe, 2));
}

static void
rule_price_to_book(struct ta_score *s, double pb)
{
	struct nums n;

	if (!isfinite(pb))
		return;
	if (pb <= 0)
		observe(s, -1, _("Price-to-book %s: book value is negative"),
		    num(&n, 0, pb, 2));
	else if (pb < 1.5)
		observe(s, 1,
		    _("Price-to-book %s is below 1.5: cheap "
		      "relative to assets"),
		    num(&n, 0, pb, 2));
	else if (pb > 8)
		observe(s, -1,
		    _("Price-to-book %s is above 8: expensive "
		      "relative to assets"),
		    num(&n, 0, pb, 2));
	else
		observe(s, 0, _("Price-to-book %s is between 1.5 and 8"),
		    num(&n, 0, pb, 2));
}

static void
rule_margin(struct ta_score *s, double m)
{
	struct nums n;

	if (!isfinite(m))
		return;
	if (m > 20)
		observe(s, 1, _("Profit margin %s%% is above 20%%: excellent"),
		    num(&n, 0, m, 2));
	else if (m >= 5)
		observe(s, 0,
		    _("Profit margin %s%% is between 5%% and 20%%: "
		      "adequate"),
		    num(&n, 0, m, 2));
	else
		observe(s, -1, _("Profit margin %s%% is below 5%%: low"),
		    num(&n, 0, m, 2));
}

static void
rule_dividend(struct ta_score *s, double y)
{
	struct nums n;

	if (!isfinite(y))
		return;
	if (y > 3)
		observe(s, 1, _("Dividend yield %s%% is above 3%%: high"),
		    num(&n, 0, y, 2));
	else
		observe(s, 0, _("Dividend yield %s%% is 3%% or less"),
		    num(&n, 0, y, 2));
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
	static const char *const labels[] = { "VERY UNFAVORABLE", "UNFAVORABLE",
		"NEUTRAL", "FAVORABLE", "VERY FAVORABLE" };
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

/* The enum values of an analysis and of news, and their words. */
static const char *const ta_word_table[][2] = {
	{ "STRONG UPTREND", N_("STRONG UPTREND") },
	{ "MODERATE UPTREND", N_("MODERATE UPTREND") },
	{ "SLIGHT UPTREND", N_("SLIGHT UPTREND") },
	{ "SLIGHT DOWNTREND", N_("SLIGHT DOWNTREND") },
	{ "STRONG DOWNTREND", N_("STRONG DOWNTREND") },
	/* TRANSLATORS: a risk level, as in "HIGH RISK" */
	{ "LOW", N_("LOW") },
	{ "MEDIUM", N_("MEDIUM") },
	{ "HIGH", N_("HIGH") },
	{ "VERY FAVORABLE", N_("VERY FAVORABLE") },
	{ "FAVORABLE", N_("FAVORABLE") },
	{ "NEUTRAL", N_("NEUTRAL") },
	{ "UNFAVORABLE", N_("UNFAVORABLE") },
	{ "VERY UNFAVORABLE", N_("VERY UNFAVORABLE") },
	/* TRANSLATORS: the sentiment of a news headline */
	{ "positive", N_("positive") },
	{ "neutral", N_("neutral") },
	{ "negative", N_("negative") },
	{ "unrated", N_("unrated") },
};

const char *
ta_words(const char *value)
{
	size_t i;

	for (i = 0; i < sizeof ta_word_table / sizeof *ta_word_table; i++) {
		if (strcmp(value, ta_word_table[i][0]) == 0)
			return _(ta_word_table[i][1]);
	}
	return value;
}
