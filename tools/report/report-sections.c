/*
 * report-sections.c: what the report says, page by page.
 *
 * Page 1: title, executive summary (key figures and the score gauges) and
 * the 12-month price chart. Then the momentum panels, market data,
 * fundamentals, technical and fundamental analysis with the observations
 * behind each score, the narrative, news, risk, methodology and the
 * disclaimer, flowing over as many pages as they need.
 *
 * Under report-pdf.c, which sets up the document and calls
 * report_sections; over report-layout.c (headings, paragraphs, tables),
 * report-chart.c, report-page.c and report-json.c.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/i18n.h"
#include "lib/jsonutil.h"
#include "lib/numfmt.h"
#include "lib/xmalloc.h"
#include "tools/report/report-chart.h"
#include "tools/report/report-json.h"
#include "tools/report/report-layout.h"
#include "tools/report/report-page.h"
#include "tools/report/report-sections.h"
#include "tools/ta/ta.h"

/* Table cells under construction; owns the strings. */
struct tb {
	struct report_cell *c; /* [n] */
	size_t n, cap;
};

static void
tb_add(struct tb *t, const char *text, int bold, const struct rgb *color)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->c = xreallocarray(t->c, t->cap, sizeof *t->c);
	}
	t->c[t->n++] = (struct report_cell){ xstrdup(text ? text : "n/a"), bold,
		color };
}

static void
tb_draw(struct report_doc *d, struct tb *t, const struct report_col *cols,
    size_t ncols)
{
	size_t i;

	while (t->n % ncols != 0)
		tb_add(t, "", 0, NULL);
	report_table(d, cols, ncols, t->c, t->n / ncols);
	for (i = 0; i < t->n; i++)
		free((char *)t->c[i].text);
	free(t->c);
	memset(t, 0, sizeof *t);
}

/* Label/value pairs, two pairs to a row. */
static const struct report_col kv4[] = {
	{ NULL, 0.21f, REPORT_LEFT },
	{ NULL, 0.29f, REPORT_RIGHT },
	{ NULL, 0.21f, REPORT_LEFT },
	{ NULL, 0.29f, REPORT_RIGHT },
};

static void
kv(struct tb *t, const char *label, const char *value)
{
	tb_add(t, label, 0, &report_muted);
	tb_add(t, value, 1, NULL);
}

static const char *
currency(struct report_doc *d)
{
	return report_str(d->state, "market.profile.currency");
}

/* PRIMARY when it holds a number, else FALLBACK. */
static const char *
pick(struct report_doc *d, const char *primary, const char *fallback)
{
	double v;

	return report_num(d->state, primary, &v) ? primary : fallback;
}

static const struct rgb *
sign_color(struct report_doc *d, const char *path)
{
	double v;

	if (!report_num(d->state, path, &v) || v == 0)
		return NULL;
	return v > 0 ? &report_up : &report_down;
}

static int
score_of(struct report_doc *d, const char *path)
{
	double v;

	if (!report_num(d->state, path, &v) || v < 1 || v > 5)
		return 0;
	return (int)lround(v);
}

static void
title_block(struct report_doc *d)
{
	char b1[REPORT_FMT], b2[REPORT_FMT], *s, *fit;
	const char *pp = pick(d, "analysis.price", "market.quote.price");
	const char *cp = pick(d, "analysis.change", "market.quote.change");
	const char *pc = pick(d, "analysis.change_percent",
	    "market.quote.change_percent");
	const struct rgb *cc = sign_color(d, cp);
	float top = d->y;

	fit = report_text_fit(d, d->bold, 20, d->company,
	    d->right - d->left - 170);
	report_text(d, d->bold, 20, report_navy, d->left, top - 20, fit);
	free(fit);
	s = xasprintf("%s  ·  %s  ·  %s  ·  %s", d->symbol,
	    report_fmt_str(d->state, "market.profile.exchange"),
	    report_fmt_str(d->state, "market.profile.sector"),
	    report_fmt_str(d->state, "market.profile.industry"));
	fit = report_text_fit(d, d->font, 9, s, d->right - d->left - 170);
	report_text(d, d->font, 9, report_muted, d->left, top - 36, fit);
	free(fit);
	free(s);
	s = xasprintf(_("Equity research report as of %s"),
	    numfmt_date(b1, sizeof b1,
		report_fmt_str(d->state, "analysis.as_of")));
	report_text(d, d->font, 9, report_muted, d->left, top - 50, s);
	free(s);

	report_text_right(d, d->bold, 20, report_ink, d->right, top - 20,
	    report_fmt_money(b1, d->state, pp, currency(d)));
	s = xasprintf("%s (%s)",
	    report_fmt_num(b1, d->state, cp, REPORT_SIGNED, 2, NULL),
	    report_fmt_num(b2, d->state, pc, REPORT_SIGNED, 2, "%"));
	report_text_right(d, d->bold, 10, cc ? *cc : report_muted, d->right,
	    top - 36, s);
	free(s);
	s = xasprintf(_("Close %s"),
	    numfmt_date(b1, sizeof b1,
		report_fmt_str(d->state, "market.quote.date")));
	report_text_right(d, d->font, 8, report_muted, d->right, top - 50, s);
	free(s);
	d->y = top - 62;
}

static void
summary_table(struct report_doc *d)
{
	char b1[REPORT_FMT], b2[REPORT_FMT], *s;
	const char *cur = currency(d);
	struct tb t = { 0 };
	static const struct report_col cols[] = {
		{ NULL, 0.45f, REPORT_LEFT },
		{ NULL, 0.55f, REPORT_RIGHT },
	};

	kv(&t, _("Last price"),
	    report_fmt_money(b1, d->state,
		pick(d, "analysis.price", "market.quote.price"), cur));
	s = xasprintf("%s (%s)",
	    report_fmt_num(b1, d->state,
		pick(d, "analysis.change", "market.quote.change"),
		REPORT_SIGNED, 2, NULL),
	    report_fmt_num(b2, d->state,
		pick(d, "analysis.change_percent",
		    "market.quote.change_percent"),
		REPORT_SIGNED, 2, "%"));
	kv(&t, _("Change (1 day)"), s);
	free(s);
	s = xasprintf("%s – %s",
	    report_fmt_money(b1, d->state, "analysis.range_52w.low", cur),
	    report_fmt_money(b2, d->state, "analysis.range_52w.high", cur));
	kv(&t, _("52-week range"), s);
	free(s);
	kv(&t, _("Market cap"),
	    report_fmt_big(b1, d->state, "market.fundamentals.market_cap",
		cur ? cur : "USD"));
	kv(&t, _("YTD return"),
	    report_fmt_num(b1, d->state, "analysis.returns.ytd_percent",
		REPORT_SIGNED, 2, "%"));
	kv(&t, _("1-year return"),
	    report_fmt_num(b1, d->state, "analysis.returns.one_year_percent",
		REPORT_SIGNED, 2, "%"));
	kv(&t, _("Trend"),
	    ta_words(report_fmt_str(d->state, "analysis.trend")));
	s = xasprintf(_("%s (volatility %s)"),
	    ta_words(report_fmt_str(d->state, "analysis.risk.level")),
	    report_fmt_num(b1, d->state, "analysis.risk.volatility_percent",
		REPORT_PLAIN, 1, "%"));
	kv(&t, _("Risk level"), s);
	free(s);
	t.c[3].color = sign_color(d,
	    pick(d, "analysis.change", "market.quote.change"));
	tb_draw(d, &t, cols, 2);
}

/* One score row in the card: label, gauge, "4/5". */
static void
score_row(struct report_doc *d, float x, float w, float y, const char *label,
    const char *path, const char *points_path)
{
	int sc = score_of(d, path);
	char num[32], pts[48];
	double p;

	report_text(d, d->font, 8.5f, report_ink, x, y, label);
	if (points_path != NULL && report_num(d->state, points_path, &p))
		snprintf(pts, sizeof pts, _("%+.0f pts"), p);
	else
		pts[0] = '\0';
	report_text(d, d->font, 7, report_muted, x, y - 9, pts);
	report_gauge(d, sc, x + 68, y - 4, w - 68 - 34, 11);
	snprintf(num, sizeof num, sc ? "%d/5" : _("n/a"), sc);
	report_text_right(d, d->bold, 9, report_ink, x + w, y, num);
}

static void
score_card(struct report_doc *d, float x, float top, float w, float h)
{
	int overall = score_of(d, "analysis.scores.overall");
	struct rgb oc = report_score_color(overall);
	const char *label = ta_words(report_fmt_str(d->state,
	    "analysis.scores.label"));
	char avg[REPORT_FMT], *s;
	float ix = x + 10, iw = w - 20, y = top - 16;

	report_fill_rect(d, report_zebra, x, top - h, w, h);
	report_stroke_rect(d, report_rule, 0.6f, x, top - h, w, h);
	report_text(d, d->bold, 9, report_navy, ix, y,
	    _("SCORES (1 = weak, 5 = strong)"));
	score_row(d, ix, iw, y - 22, _("Technical"),
	    "analysis.scores.technical", "analysis.scores.technical_points");
	score_row(d, ix, iw, y - 46, _("Fundamental"),
	    "analysis.scores.fundamental",
	    "analysis.scores.fundamental_points");
	score_row(d, ix, iw, y - 70, _("Overall"), "analysis.scores.overall",
	    NULL);
	report_fill_rect(d, oc, ix, top - h + 10, iw, 26);
	report_text_center(d, d->bold, 13, report_white, ix + iw / 2,
	    top - h + 18.5f, label);
	s = xasprintf(_("Average %s%s"),
	    report_fmt_num(avg, d->state, "analysis.scores.overall_average",
		REPORT_PLAIN, 1, NULL),
	    report_str(d->state, "analysis.risk.level") &&
		    strcmp(report_str(d->state, "analysis.risk.level"),
			"HIGH") == 0 ?
		_(", less 0.5 for high risk") :
		"");
	report_text(d, d->font, 7, report_muted, ix, top - h + 42, s);
	free(s);
}

static void
page_one(struct report_doc *d)
{
	float right = d->right, top, cw = d->right - d->left, h;

	title_block(d);
	report_heading(d, _("Executive Summary"), 150);
	top = d->y;
	d->right = d->left + cw * 0.56f;
	summary_table(d);
	d->right = right;
	h = top - d->y - 10;
	score_card(d, d->left + cw * 0.60f, top, cw * 0.40f, h > 140 ? h : 140);
	if (top - d->y < 150)
		d->y = top - 150;
	report_heading(d, _("Price History: Last 12 Months"), 200);
	h = d->y - d->bottom - 8; /* the rest of the page */
	report_chart_price(d, d->series, d->left, d->y, cw, h);
	d->y -= h + 8;
}

static void
momentum(struct report_doc *d)
{
	const cJSON *s = d->series;
	float cw = d->right - d->left;
	char b1[REPORT_FMT], b2[REPORT_FMT], b3[REPORT_FMT], b4[REPORT_FMT];
	char *txt;

	report_heading(d, _("Momentum Indicators"), 300);
	report_chart_rsi(d, s, d->left, d->y, cw, 120);
	d->y -= 130;
	report_chart_macd(d, s, d->left, d->y, cw, 140);
	d->y -= 150;
	txt = xasprintf(
	    _("RSI (14) closed at %s; readings above 70 suggest an "
	      "overbought market and below 30 an oversold one. MACD %s "
	      "against a signal line of %s (histogram %s): a MACD above its "
	      "signal indicates rising momentum."),
	    report_fmt_num(b1, d->state, "analysis.indicators.rsi14",
		REPORT_PLAIN, 1, NULL),
	    report_fmt_num(b2, d->state, "analysis.indicators.macd",
		REPORT_PLAIN, 2, NULL),
	    report_fmt_num(b3, d->state, "analysis.indicators.macd_signal",
		REPORT_PLAIN, 2, NULL),
	    report_fmt_num(b4, d->state, "analysis.indicators.macd_hist",
		REPORT_SIGNED, 2, NULL));
	report_paragraph(d, d->font, 8.5f, report_muted, txt, NULL, 0);
	free(txt);
}

static void
market_data(struct report_doc *d)
{
	char b[REPORT_FMT];
	const char *cur = currency(d);
	struct tb t = { 0 };
	const char *desc;

	report_heading(d, _("Market Data"), 80);
	kv(&t, _("Last price"),
	    report_fmt_money(b, d->state, "market.quote.price", cur));
	kv(&t, _("Previous close"),
	    report_fmt_money(b, d->state, "market.quote.previous_close", cur));
	kv(&t, _("Open"),
	    report_fmt_money(b, d->state, "market.quote.open", cur));
	kv(&t, _("Change"),
	    report_fmt_num(b, d->state, "market.quote.change_percent",
		REPORT_SIGNED, 2, "%"));
	kv(&t, _("Day high"),
	    report_fmt_money(b, d->state, "market.quote.high", cur));
	kv(&t, _("Day low"),
	    report_fmt_money(b, d->state, "market.quote.low", cur));
	kv(&t, _("Volume"),
	    report_fmt_num(b, d->state, "market.quote.volume", REPORT_PLAIN, 0,
		NULL));
	kv(&t, _("Average volume"),
	    report_fmt_num(b, d->state, "market.fundamentals.average_volume",
		REPORT_PLAIN, 0, NULL));
	kv(&t, _("52-week high"),
	    report_fmt_money(b, d->state, "analysis.range_52w.high", cur));
	kv(&t, _("52-week low"),
	    report_fmt_money(b, d->state, "analysis.range_52w.low", cur));
	kv(&t, _("Exchange"),
	    report_fmt_str(d->state, "market.profile.exchange"));
	kv(&t, _("Currency"),
	    report_fmt_str(d->state, "market.profile.currency"));
	kv(&t, _("Sector"), report_fmt_str(d->state, "market.profile.sector"));
	kv(&t, _("Industry"),
	    report_fmt_str(d->state, "market.profile.industry"));
	kv(&t, _("Benchmark"), report_fmt_str(d->state, "market.benchmark"));
	kv(&t, _("Data provider"), report_fmt_str(d->state, "market.provider"));
	tb_draw(d, &t, kv4, 4);
	if ((desc = report_str(d->state, "market.profile.description"))) {
		report_subheading(d, _("Company Profile"));
		report_paragraph(d, d->font, 9, report_ink, desc, NULL, 0);
	}
}

static void
fundamentals(struct report_doc *d)
{
	char b[REPORT_FMT];
	const char *cur = currency(d);
	struct tb t = { 0 };

	report_heading(d, _("Fundamentals"), 80);
	kv(&t, _("Market cap"),
	    report_fmt_big(b, d->state, "market.fundamentals.market_cap",
		cur ? cur : "USD"));
	kv(&t, _("Shares outstanding"),
	    report_fmt_big(b, d->state,
		"market.fundamentals.shares_outstanding", NULL));
	kv(&t, _("P/E (trailing)"),
	    report_fmt_num(b, d->state, "market.fundamentals.pe_ratio",
		REPORT_PLAIN, 2, NULL));
	kv(&t, _("P/E (forward)"),
	    report_fmt_num(b, d->state, "market.fundamentals.forward_pe",
		REPORT_PLAIN, 2, NULL));
	kv(&t, _("Price to book"),
	    report_fmt_num(b, d->state, "market.fundamentals.price_to_book",
		REPORT_PLAIN, 2, NULL));
	kv(&t, _("Book value / share"),
	    report_fmt_money(b, d->state,
		"market.fundamentals.book_value_per_share", cur));
	kv(&t, _("EPS (TTM)"),
	    report_fmt_money(b, d->state, "market.fundamentals.eps_ttm", cur));
	kv(&t, _("EPS (forward)"),
	    report_fmt_money(b, d->state, "market.fundamentals.forward_eps",
		cur));
	kv(&t, _("Revenue (TTM)"),
	    report_fmt_big(b, d->state, "market.fundamentals.revenue_ttm",
		cur ? cur : "USD"));
	kv(&t, _("Profit margin"),
	    report_fmt_num(b, d->state,
		"market.fundamentals.profit_margin_percent", REPORT_PLAIN, 2,
		"%"));
	kv(&t, _("Dividend yield"),
	    report_fmt_num(b, d->state,
		"market.fundamentals.dividend_yield_percent", REPORT_PLAIN, 2,
		"%"));
	kv(&t, _("Dividend / share"),
	    report_fmt_money(b, d->state,
		"market.fundamentals.dividend_per_share", cur));
	tb_draw(d, &t, kv4, 4);
}

/* The observations table for KIND ("technical" or "fundamental"). */
static void
observations(struct report_doc *d, const char *kind)
{
	static const struct report_col cols[] = {
		{ N_("Observation"), 0.84f, REPORT_LEFT },
		{ N_("Points"), 0.16f, REPORT_RIGHT },
	};
	char path[64], pts[32];
	const cJSON *arr, *e;
	struct tb t = { 0 };
	double p;

	snprintf(path, sizeof path, "analysis.observations.%s", kind);
	arr = jsonutil_path(d->state, path);
	if (!cJSON_IsArray(arr))
		arr = NULL;
	cJSON_ArrayForEach(e, arr) {
		tb_add(&t, report_fmt_str(e, "text"), 0, NULL);
		p = 0;
		if (report_num(e, "points", &p))
			snprintf(pts, sizeof pts, "%+.0f", p);
		else
			snprintf(pts, sizeof pts, "%s", _("n/a"));
		tb_add(&t, strcmp(pts, "+0") == 0 ? "0" : pts, 1,
		    p > 0     ? &report_up :
			p < 0 ? &report_down :
				NULL);
	}
	if (t.n == 0)
		tb_add(&t, _("No observations recorded."), 0, &report_muted);
	snprintf(path, sizeof path, "analysis.scores.%s_points", kind);
	tb_add(&t, _("Total points"), 1, NULL);
	tb_add(&t, report_fmt_num(pts, d->state, path, REPORT_SIGNED, 0, NULL),
	    1, NULL);
	tb_draw(d, &t, cols, 2);
}

static void
score_line(struct report_doc *d, const char *what, const char *kind)
{
	char path[64], *s;
	int sc;

	snprintf(path, sizeof path, "analysis.scores.%s", kind);
	sc = score_of(d, path);
	report_ensure(d, 24);
	s = sc ? xasprintf("%s: %d / 5", what, sc) :
		 xasprintf("%s: %s", what, _("n/a"));
	report_text(d, d->bold, 10, report_ink, d->left, d->y - 11, s);
	report_gauge(d, sc, d->left + report_text_width(d, d->bold, 10, s) + 12,
	    d->y - 12, 90, 10);
	free(s);
	d->y -= 22;
}

static void
technical(struct report_doc *d)
{
	char b[REPORT_FMT];
	const char *cur = currency(d);
	struct tb t = { 0 };

	report_heading(d, _("Technical Analysis"), 120);
	score_line(d, _("Technical score"), "technical");
	kv(&t, _("Trend"),
	    ta_words(report_fmt_str(d->state, "analysis.trend")));
	kv(&t, _("ATR (14)"),
	    report_fmt_num(b, d->state, "analysis.indicators.atr14",
		REPORT_PLAIN, 2, NULL));
	kv(&t, _("SMA 20"),
	    report_fmt_money(b, d->state, "analysis.indicators.sma20", cur));
	kv(&t, _("EMA 12"),
	    report_fmt_money(b, d->state, "analysis.indicators.ema12", cur));
	kv(&t, _("SMA 50"),
	    report_fmt_money(b, d->state, "analysis.indicators.sma50", cur));
	kv(&t, _("EMA 26"),
	    report_fmt_money(b, d->state, "analysis.indicators.ema26", cur));
	kv(&t, _("SMA 200"),
	    report_fmt_money(b, d->state, "analysis.indicators.sma200", cur));
	kv(&t, _("RSI (14)"),
	    report_fmt_num(b, d->state, "analysis.indicators.rsi14",
		REPORT_PLAIN, 2, NULL));
	kv(&t, _("Bollinger upper"),
	    report_fmt_money(b, d->state, "analysis.indicators.bb_upper", cur));
	kv(&t, _("MACD"),
	    report_fmt_num(b, d->state, "analysis.indicators.macd",
		REPORT_PLAIN, 3, NULL));
	kv(&t, _("Bollinger middle"),
	    report_fmt_money(b, d->state, "analysis.indicators.bb_middle",
		cur));
	kv(&t, _("MACD signal"),
	    report_fmt_num(b, d->state, "analysis.indicators.macd_signal",
		REPORT_PLAIN, 3, NULL));
	kv(&t, _("Bollinger lower"),
	    report_fmt_money(b, d->state, "analysis.indicators.bb_lower", cur));
	kv(&t, _("MACD histogram"),
	    report_fmt_num(b, d->state, "analysis.indicators.macd_hist",
		REPORT_SIGNED, 3, NULL));
	tb_draw(d, &t, kv4, 4);
	report_subheading(d, _("Observations behind the technical score"));
	observations(d, "technical");
}

static void
fundamental(struct report_doc *d)
{
	report_heading(d, _("Fundamental Analysis"), 120);
	score_line(d, _("Fundamental score"), "fundamental");
	report_subheading(d, _("Observations behind the fundamental score"));
	observations(d, "fundamental");
}

/* The narrative's paragraphs, ungrounded numbers marked. */
static void
narrative(struct report_doc *d)
{
	const char *text = report_str(d->state, "analysis.narrative.text");
	const char *src = report_str(d->state, "analysis.narrative.source");
	const char *model = report_str(d->state, "request.model");
	const cJSON *ung = jsonutil_path(d->state,
	    "analysis.narrative.ungrounded");
	const cJSON *e;
	const char **mark = NULL;
	struct buf list;
	size_t nmark = 0;
	char *s, *para, *p, *brk;

	report_heading(d, _("Analyst Commentary"), 60);
	if (src != NULL && strcmp(src, "model") == 0)
		s = xasprintf(_("Written by the language model (%s) from the "
				"tool results above."),
		    model ? model : _("n/a"));
	else
		s = xstrdup(_("Built-in commentary generated from the "
			      "analysis (no language model used)."));
	report_paragraph(d, d->font, 8, report_muted, s, NULL, 0);
	free(s);
	report_gap(d, 4);
	if (cJSON_IsArray(ung))
		mark = xcalloc((size_t)cJSON_GetArraySize(ung) + 1,
		    sizeof *mark);
	buf_init(&list, 4096);
	if (!cJSON_IsArray(ung))
		ung = NULL;
	cJSON_ArrayForEach(e, ung) {
		if (!cJSON_IsString(e) || e->valuestring[0] == '\0')
			continue;
		mark[nmark++] = e->valuestring;
		buf_printf(&list, "%s%s", list.len ? ", " : "", e->valuestring);
	}
	para = xstrdup(text ? text :
			      _("No commentary is available for this run."));
	for (p = para; p != NULL; p = brk) {
		if ((brk = strstr(p, "\n\n")) != NULL)
			*brk = '\0', brk += 2;
		if (strspn(p, " \n\t\r") == strlen(p))
			continue;
		report_paragraph(d, d->font, 9.5f, report_ink, p, mark, nmark);
		report_gap(d, 6);
	}
	if (nmark > 0) {
		s = xasprintf(
		    _("† Not found in the tool results, so not verified: %s."),
		    list.data);
		report_paragraph(d, d->font, 8, report_muted, s, NULL, 0);
		free(s);
	}
	buf_free(&list);
	free(para);
	free(mark);
}

static const struct rgb *
sentiment_color(const char *s)
{
	if (s == NULL)
		return &report_muted;
	if (strcmp(s, "positive") == 0)
		return &report_up;
	if (strcmp(s, "negative") == 0)
		return &report_down;
	return &report_muted;
}

static void
news(struct report_doc *d)
{
	static const struct report_col cols[] = {
		{ N_("Date"), 0.13f, REPORT_LEFT },
		{ N_("Headline"), 0.52f, REPORT_LEFT },
		{ N_("Source"), 0.17f, REPORT_LEFT },
		{ N_("Sentiment"), 0.18f, REPORT_RIGHT },
	};
	const cJSON *arr = jsonutil_path(d->state, "market.news"), *e;
	struct tb t = { 0 };
	char b[REPORT_FMT], *s;
	const char *sen;

	report_heading(d, _("Recent News"), 60);
	if (!cJSON_IsArray(arr))
		arr = NULL;
	cJSON_ArrayForEach(e, arr) {
		sen = report_str(e, "sentiment");
		tb_add(&t, numfmt_date(b, sizeof b, report_fmt_str(e, "date")),
		    0, NULL);
		tb_add(&t, report_fmt_str(e, "headline"), 0, NULL);
		tb_add(&t, report_fmt_str(e, "source"), 0, &report_muted);
		s = report_num(e, "sentiment_score", &(double){ 0 }) ?
		    xasprintf("%s %s", sen ? ta_words(sen) : _("n/a"),
			report_fmt_num(b, e, "sentiment_score", REPORT_SIGNED,
			    2, NULL)) :
		    xstrdup(sen ? ta_words(sen) : _("n/a"));
		tb_add(&t, s, 1, sentiment_color(sen));
		free(s);
	}
	if (t.n == 0) {
		report_paragraph(d, d->font, 9, report_muted,
		    _("No news items were found for the period."), NULL, 0);
		return;
	}
	tb_draw(d, &t, cols, 4);
}

static void
risk(struct report_doc *d)
{
	char b[REPORT_FMT], b2[REPORT_FMT], *s;
	struct tb t = { 0 };
	double rf;

	report_heading(d, _("Risk Assessment"), 80);
	kv(&t, _("Risk level"),
	    ta_words(report_fmt_str(d->state, "analysis.risk.level")));
	kv(&t, _("Annual volatility"),
	    report_fmt_num(b, d->state, "analysis.risk.volatility_percent",
		REPORT_PLAIN, 2, "%"));
	if (report_num(d->state, "analysis.risk.beta", &rf))
		s = xasprintf(_("%s (vs %s)"),
		    numfmt_local(b2, sizeof b2, rf, 2, 0),
		    report_fmt_str(d->state, "market.benchmark"));
	else
		s = xstrdup(_("n/a"));
	kv(&t, _("Beta"), s);
	free(s);
	kv(&t, _("Sharpe ratio"),
	    report_fmt_num(b, d->state, "analysis.risk.sharpe", REPORT_PLAIN, 2,
		NULL));
	kv(&t, _("Maximum drawdown"),
	    report_fmt_num(b, d->state, "analysis.risk.max_drawdown_percent",
		REPORT_PLAIN, 2, "%"));
	s = xasprintf("%s → %s",
	    numfmt_date(b, sizeof b,
		report_fmt_str(d->state, "analysis.risk.max_drawdown_peak")),
	    numfmt_date(b2, sizeof b2,
		report_fmt_str(d->state, "analysis.risk.max_drawdown_trough")));
	kv(&t, _("Drawdown dates"), s);
	free(s);
	if (report_num(d->state, "analysis.risk.risk_free_rate", &rf)) {
		numfmt_local(b2, sizeof b2, fabs(rf) <= 1 ? rf * 100 : rf, 2,
		    0);
		strcat(b2, "%");
		kv(&t, _("Risk-free rate"), b2);
	} else {
		kv(&t, _("Risk-free rate"), _("n/a"));
	}
	kv(&t, _("ATR (14)"),
	    report_fmt_num(b, d->state, "analysis.indicators.atr14",
		REPORT_PLAIN, 2, NULL));
	tb_draw(d, &t, kv4, 4);
}

static const char *const method_text[][2] = {
	{ N_("Data"),
	    N_("Daily bars, the quote, fundamentals and news come from the "
	       "market-data provider named under Market Data; indicators are "
	       "computed by stockagent from the daily closes.") },
	{ N_("Indicators"),
	    N_("Simple and exponential moving averages (SMA "
	       "20/50/200, EMA 12/26); Bollinger Bands of 20 sessions at two "
	       "standard deviations; RSI over 14 sessions with Wilder "
	       "smoothing; "
	       "MACD 12/26 with a 9-session signal line; ATR over 14 sessions. "
	       "Volatility is the sample standard deviation of the last 252 "
	       "daily "
	       "returns times the square root of 252; beta is their covariance "
	       "with the benchmark's over its variance; the maximum drawdown "
	       "is "
	       "the largest peak-to-trough fall of the close over the last "
	       "year.") },
	{ N_("Trend"),
	    N_("From the 1-year return: above 20% STRONG UPTREND, above "
	       "10% MODERATE UPTREND, above 0% SLIGHT UPTREND, above -10% "
	       "SLIGHT DOWNTREND, otherwise STRONG DOWNTREND.") },
	{ N_("Technical points"),
	    N_("1-year return above 20% +2, above 10% +1, above -10% 0, above "
	       "-20% -1, otherwise -2; price above (below) its 200-day average "
	       "+1 (-1); 50-day above (below) the 200-day average +1 (-1); "
	       "MACD "
	       "above (below) its signal line +1 (-1); RSI above 70 -1, below "
	       "30 "
	       "+1. A missing input adds nothing.") },
	{ N_("Fundamental points"),
	    N_("P/E at or below 0 -1, below 15 +1, below 25 0, otherwise -1; "
	       "forward P/E more than 10% below (above) the trailing P/E +1 "
	       "(-1); "
	       "price-to-book at or below 0 -1, below 1.5 +1, above 8 -1; "
	       "profit "
	       "margin above 20% +1, at least 5% 0, otherwise -1; dividend "
	       "yield "
	       "above 3% +1.") },
	{ N_("Scores"),
	    N_("Points become a 1-5 score: 4 or more gives 5, 2 or more "
	       "gives 4, -1 or more gives 3, -3 or more gives 2, anything "
	       "lower "
	       "gives 1. The overall score is the average of the technical and "
	       "fundamental scores, less 0.5 when the risk level is HIGH, "
	       "rounded.") },
	{ N_("Risk level"),
	    N_("Annualised volatility below 20% is LOW, below 35% "
	       "MEDIUM, otherwise HIGH.") },
	{ N_("Commentary"),
	    N_("When a language model writes the commentary, every "
	       "number in it is checked against the tool results; numbers that "
	       "could not be found are highlighted and marked with a dagger "
	       "(†).") },
};

/* One part's source: "daily bars: yahoo, fetched 2026-12-03T11:40:00Z
 * (from the cache)". */
static void
source_part(struct buf *b, const cJSON *sources, const char *key,
    const char *label, const char *extra)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(sources, key);
	const char *prov = jsonutil_string(o, "provider");
	const char *at = jsonutil_string(o, "fetched_at");

	if ((prov == NULL || *prov == '\0') && b->len > 0 && *extra == '\0') {
		/* Data was fetched, but no provider had this part. */
		buf_printf(b, "; %s: %s", label, _("n/a"));
		return;
	}
	if (prov == NULL || *prov == '\0')
		return;
	buf_printf(b, "%s%s%s: %s", b->len ? "; " : "", label, extra, prov);
	if (at != NULL)
		buf_printf(b, _(", fetched %s"), at);
	else
		buf_printf(b, "%s", _(", computed (simulated market)"));
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "cached")))
		buf_printf(b, "%s", _(" (from the cache)"));
}

/* Which provider served each part of the data, and when. */
static char *
sources_text(const struct report_doc *d)
{
	const cJSON *src = jsonutil_path(d->state, "market.sources");
	const char *bench = report_str(d->state, "market.benchmark");
	char extra[48] = "";
	struct buf b;

	buf_init(&b, 0);
	buf_append(&b, "", 0);
	if (bench != NULL)
		snprintf(extra, sizeof extra, " (%s)", bench);
	source_part(&b, src, "history", _("daily bars"), "");
	source_part(&b, src, "fundamentals", _("fundamentals"), "");
	source_part(&b, src, "news", _("news"), "");
	source_part(&b, src, "benchmark", _("benchmark"), extra);
	if (b.len > 0)
		buf_printf(&b, "%s",
		    _(". Prices before a split or dividend are adjusted to "
		      "today's basis with the adjusted close; returns, "
		      "volatility, beta and every indicator use that "
		      "adjusted series, the quote the price as traded."));
	return buf_take(&b);
}

static void
methodology(struct report_doc *d)
{
	static const struct report_col cols[] = {
		{ NULL, 0.23f, REPORT_LEFT },
		{ NULL, 0.77f, REPORT_LEFT },
	};
	struct tb t = { 0 };
	char *src = sources_text(d);
	size_t i;

	report_heading(d, _("Methodology"), 60);
	if (src != NULL && *src != '\0') {
		tb_add(&t, _("Sources"), 1, &report_navy);
		tb_add(&t, src, 0, NULL);
	}
	for (i = 0; i < sizeof method_text / sizeof method_text[0]; i++) {
		tb_add(&t, _(method_text[i][0]), 1, &report_navy);
		tb_add(&t, _(method_text[i][1]), 0, NULL);
	}
	tb_draw(d, &t, cols, 2);
	free(src);
}

static void
disclaimer(struct report_doc *d)
{
	report_heading(d, _("Disclaimer"), 60);
	report_paragraph(d, d->font, 8, report_muted,
	    _("This report is for informational and educational purposes only. "
	      "It does not constitute investment advice or a recommendation to "
	      "buy, sell or hold any security. The figures are produced "
	      "automatically from third-party market data that may be delayed, "
	      "incomplete or inaccurate, and the commentary may be written by "
	      "a "
	      "language model. Past performance does not guarantee future "
	      "results. Consult a licensed financial adviser before making "
	      "investment decisions."),
	    NULL, 0);
}

void
report_sections(struct report_doc *d)
{
	page_one(d);
	report_new_page(d);
	momentum(d);
	market_data(d);
	fundamentals(d);
	technical(d);
	fundamental(d);
	narrative(d);
	news(d);
	risk(d);
	methodology(d);
	disclaimer(d);
}
