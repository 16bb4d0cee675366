/*
 * output-text.c: the human-readable report on stdout.
 *
 * Three sections (STOCK DATA GATHERING REPORT, STOCK
 * PERFORMANCE ANALYSIS, STOCK REPORT GENERATION), then the scores, the
 * summary and the disclaimer. Every figure comes from the state; money
 * and percentages are shown with two decimals, in the conventions of the
 * language (lib/i18n.h, lib/numfmt.h); the enums of the analysis (trend,
 * risk level, label) are shown in its words (ta_words).
 *
 * With colour (a terminal, see lib/color.h) headings are bold, scores,
 * the label and the risk level read red, yellow or green, and changes,
 * returns and the trend green when up and red when down. Only escape
 * sequences are added: without them the text is the same byte for byte.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/color.h"
#include "lib/i18n.h"
#include "lib/jsonutil.h"
#include "lib/numfmt.h"
#include "src/output.h"
#include "tools/gather.h"
#include "tools/ta/ta.h"

#define RULE "================================"

/* CODE when colour is on, else nothing. */
#define SGR(c, code) ((c) ? (code) : "")

/* Where the text goes: the stream, colour on or off, the currency. */
struct tx {
	FILE *f;
	int c;
	const char *cur; /* ISO code of the data's prices: "USD" */
};

/* A number with thousands separators ("3,142,000,000"), or "N/A". */
static const char *
text_grouped(char *buf, size_t size, double v)
{
	if (!isfinite(v))
		return "N/A";
	return numfmt_local(buf, size, v, 0, NUMFMT_GROUP);
}

/* V with DIGITS decimals ("+" first when SIGNED), or "N/A". */
static const char *
text_fixed(char *buf, size_t size, int digits, int signed_, double v)
{
	if (!isfinite(v))
		return "N/A";
	return numfmt_local(buf, size, v, digits, signed_ ? NUMFMT_SIGN : 0);
}

/* V as text_fixed writes it, then "%". */
static const char *
text_pct(char *buf, size_t size, double v)
{
	char num[32];

	snprintf(buf, size, "%s%%", text_fixed(num, sizeof num, 2, 0, v));
	return buf;
}

/* An amount in the data's currency ("$26.96"; grouped with DIGITS 0). */
static const char *
text_money(const struct tx *t, char *buf, size_t size, int digits, double v)
{
	if (!isfinite(v))
		return "N/A";
	return numfmt_money(buf, size, v, digits, t->cur,
	    digits == 0 ? NUMFMT_GROUP : 0);
}

/* V as text_fixed writes it, then UNIT ("%"), green when up and red when
 * down (with colour C); "N/A" and UNIT when V is missing. */
static const char *
text_change(char *buf, size_t size, int c, int digits, int signed_, double v,
    const char *unit)
{
	char num[32];
	const char *sgr = "",
		   *t = text_fixed(num, sizeof num, digits, signed_, v);

	if (c && isfinite(v) && fabs(v) >= 0.5 * pow(10, -digits))
		sgr = v > 0 ? COLOR_GREEN : COLOR_RED;
	snprintf(buf, size, "%s%s%s%s", sgr, t, unit, *sgr ? COLOR_RESET : "");
	return buf;
}

/* The colour of a 1-5 score: 1-2 red, 3 yellow, 4-5 green. */
static const char *
text_score_sgr(double score)
{
	if (!isfinite(score))
		return "";
	return score <= 2 ? COLOR_RED : score < 4 ? COLOR_YELLOW : COLOR_GREEN;
}

/* "2/5", coloured by its value with colour C. */
static const char *
text_score(char *buf, size_t size, int c, double score)
{
	const char *sgr = c ? text_score_sgr(score) : "";

	snprintf(buf, size, "%s%.0f/5%s", sgr, score, *sgr ? COLOR_RESET : "");
	return buf;
}

/* The words for the value S (an enum of the analysis: "HIGH"), in red
 * when S holds RED, else yellow when it holds YELLOW (NULL: never), else
 * green when it holds GREEN; plain without colour C. */
static const char *
text_word(char *buf, size_t size, int c, const char *s, const char *red,
    const char *yellow, const char *green)
{
	const char *sgr = "";

	if (c && strstr(s, red) != NULL)
		sgr = COLOR_RED;
	else if (c && yellow != NULL && strstr(s, yellow) != NULL)
		sgr = COLOR_YELLOW;
	else if (c && strstr(s, green) != NULL)
		sgr = COLOR_GREEN;
	snprintf(buf, size, "%s%s%s", sgr, ta_words(s),
	    *sgr ? COLOR_RESET : "");
	return buf;
}

/* "TITLE:" on a line of its own, bold with colour. */
static void
text_heading(const struct tx *t, const char *title)
{
	fprintf(t->f, "%s%s:%s\n", SGR(t->c, COLOR_BOLD), title,
	    SGR(t->c, COLOR_RESET));
}

/* "- LABEL: VALUE" */
static void
text_item(const struct tx *t, const char *label, const char *value)
{
	fprintf(t->f, "- %s: %s\n", label, value);
}

static const char *
text_str(const cJSON *root, const char *path)
{
	const char *s = jsonutil_string(root, path);

	return s != NULL && *s != '\0' ? s : "N/A";
}

/* The date at PATH of ROOT in the language's way ("31/12/2025"). */
static const char *
text_date(char *buf, size_t size, const cJSON *root, const char *path)
{
	return numfmt_date(buf, size, text_str(root, path));
}

/* The percentage at PATH of A as a change ("-18.10%"). */
static const char *
text_returns(char *buf, size_t size, int c, const cJSON *a, const char *path)
{
	return text_change(buf, size, c, 2, 0, jsonutil_number(a, path), "%");
}

/* The risk level: HIGH red, MEDIUM yellow, LOW green. */
static const char *
text_risk(char *buf, size_t size, int c, const cJSON *a)
{
	return text_word(buf, size, c, text_str(a, "risk.level"), "HIGH",
	    "MEDIUM", "LOW");
}

/* "2025-09-04T23:11:55Z" as "2025-09-04 23:11:55 UTC". */
static const char *
text_time(char *buf, size_t size, const char *iso)
{
	char t[32];

	if (iso == NULL || strlen(iso) != 20 || iso[10] != 'T')
		return iso != NULL ? iso : "N/A";
	snprintf(t, sizeof t, "%.10s %.8s UTC", iso, iso + 11);
	return numfmt_date(buf, size, t);
}

/* "- LABEL: VALUE" for a number at PATH of ROOT with DIGITS decimals. */
static void
text_num_item(const struct tx *t, const char *label, const cJSON *root,
    const char *path, int digits)
{
	char b[64];

	text_item(t, label,
	    text_fixed(b, sizeof b, digits, 0, jsonutil_number(root, path)));
}

/* "- LABEL: VALUE%" for a percentage at PATH of ROOT. */
static void
text_pct_item(const struct tx *t, const char *label, const cJSON *root,
    const char *path)
{
	char b[64];

	text_item(t, label, text_pct(b, sizeof b, jsonutil_number(root, path)));
}

/* "- LABEL: $VALUE" for an amount at PATH of ROOT. */
static void
text_money_item(const struct tx *t, const char *label, const cJSON *root,
    const char *path, int digits)
{
	char b[64];

	text_item(t, label,
	    text_money(t, b, sizeof b, digits, jsonutil_number(root, path)));
}

static void
text_market(const struct tx *t, const cJSON *m, const cJSON *a)
{
	char b1[64], b2[64], b3[160];

	text_heading(t, _("CURRENT MARKET DATA"));
	text_money_item(t, _("Current Price"), m, "quote.price", 2);
	snprintf(b3, sizeof b3, "%s (%s)",
	    text_change(b1, sizeof b1, t->c, 2, 1,
		jsonutil_number(m, "quote.change"), ""),
	    text_change(b2, sizeof b2, t->c, 2, 1,
		jsonutil_number(m, "quote.change_percent"), "%"));
	text_item(t, _("Change"), b3);
	text_money_item(t, _("Market Cap"), m, "fundamentals.market_cap", 0);
	text_money_item(t, _("52-Week High"), a, "range_52w.high", 2);
	text_money_item(t, _("52-Week Low"), a, "range_52w.low", 2);
	text_item(t, _("YTD Return"),
	    text_returns(b1, sizeof b1, t->c, a, "returns.ytd_percent"));
	text_item(t, _("1-Year Return"),
	    text_returns(b1, sizeof b1, t->c, a, "returns.one_year_percent"));
	text_pct_item(t, _("Volatility (Annualized)"), a,
	    "risk.volatility_percent");
	fprintf(t->f, "\n");
}

static void
text_financials(const struct tx *t, const cJSON *m, const cJSON *a)
{
	char b1[64];

	text_heading(t, _("FINANCIAL METRICS"));
	text_num_item(t, _("P/E Ratio"), m, "fundamentals.pe_ratio", 2);
	text_num_item(t, _("Forward P/E"), m, "fundamentals.forward_pe", 2);
	text_num_item(t, _("Price-to-Book"), m, "fundamentals.price_to_book",
	    2);
	text_pct_item(t, _("Dividend Yield"), m,
	    "fundamentals.dividend_yield_percent");
	text_money_item(t, _("Revenue (TTM)"), m, "fundamentals.revenue_ttm",
	    0);
	text_pct_item(t, _("Profit Margin"), m,
	    "fundamentals.profit_margin_percent");
	fprintf(t->f, "\n");
	text_heading(t, _("TRADING METRICS"));
	text_item(t, _("Average Volume"),
	    text_grouped(b1, sizeof b1,
		jsonutil_number(m, "fundamentals.average_volume")));
	text_num_item(t, _("Beta"), a, "risk.beta", 2);
	text_money_item(t, _("EPS (TTM)"), m, "fundamentals.eps_ttm", 2);
	text_money_item(t, _("Book Value"), m,
	    "fundamentals.book_value_per_share", 2);
	fprintf(t->f, "\n");
}

/* Which provider served each part and when; nothing for the simulated
 * market, whose data is computed, not fetched. */
static void
text_sources(const struct tx *t, const cJSON *m)
{
	static const char *const parts[][2] = {
		{ "history", N_("daily bars") },
		{ "fundamentals", N_("fundamentals") },
		{ "news", N_("news") },
		{ "benchmark", N_("benchmark") },
	};
	const cJSON *src = cJSON_GetObjectItem(m, "sources"), *o;
	const char *prov, *at;
	size_t i;
	int any = 0;

	for (i = 0; i < sizeof parts / sizeof *parts; i++) {
		o = cJSON_GetObjectItem(src, parts[i][0]);
		prov = jsonutil_string(o, "provider");
		at = jsonutil_string(o, "fetched_at");
		if ((prov == NULL || at == NULL) && any && (i == 1 || i == 2)) {
			/* Fetched data without this part: say it is missing
			 * (an imported symbol has no fundamentals or news). */
			fprintf(t->f, "; %s: %s", _(parts[i][1]), _("n/a"));
			continue;
		}
		if (prov == NULL || at == NULL)
			continue;
		fprintf(t->f, "%s%s%s%s: %s, %s %s%s",
		    any ? "; " : _("SOURCES: "), _(parts[i][1]),
		    i == 3 ? " " : "", i == 3 ? text_str(m, "benchmark") : "",
		    prov, _("fetched"), at,
		    cJSON_IsTrue(cJSON_GetObjectItem(o, "cached")) ?
			_(" (cached)") :
			"");
		any = 1;
	}
	if (any)
		fprintf(t->f, "\n\n");
}

static void
text_gathering(const struct tx *t, const cJSON *m, const cJSON *a)
{
	char b1[64], b2[64];
	const char *first, *last;
	const cJSON *n;

	text_heading(t, _("STOCK DATA GATHERING REPORT"));
	fprintf(t->f, RULE "\n");
	fprintf(t->f,
	    _("Stock Symbol: %s\nCompany Name: %s\nSector: %s\n"
	      "Industry: %s\n\n"),
	    text_str(m, "symbol"), text_str(m, "profile.name"),
	    text_str(m, "profile.sector"), text_str(m, "profile.industry"));
	text_market(t, m, a);
	text_financials(t, m, a);
	text_heading(t, _("RECENT NEWS HEADLINES"));
	cJSON_ArrayForEach(n, cJSON_GetObjectItem(m, "news"))
		fprintf(t->f, "- %s %s (%s, %s)\n",
		    text_date(b1, sizeof b1, n, "date"),
		    text_str(n, "headline"), text_str(n, "source"),
		    ta_words(text_str(n, "sentiment")));
	fprintf(t->f, _("\nDATA AS OF: %s (provider %s, %s daily bars)\n\n"),
	    text_date(b1, sizeof b1, m, "as_of"), text_str(m, "provider"),
	    text_fixed(b2, sizeof b2, 0, 0,
		(double)gather_bars_span(cJSON_GetObjectItem(m, "bars"), &first,
		    &last)));
	text_sources(t, m);
}

static void
text_observations(const struct tx *t, const cJSON *a)
{
	const char *kinds[] = { "observations.technical",
		"observations.fundamental" };
	const cJSON *o;
	size_t k;

	text_heading(t, _("KEY OBSERVATIONS"));
	for (k = 0; k < 2; k++) {
		cJSON_ArrayForEach(o, jsonutil_path(a, kinds[k]))
			fprintf(t->f, "\xe2\x80\xa2 %s\n", text_str(o, "text"));
	}
	fprintf(t->f, "\n");
}

static void
text_technical(const struct tx *t, const cJSON *a)
{
	char b1[64], b2[64], b3[64], line[256];

	text_heading(t, _("TECHNICAL ANALYSIS"));
	text_item(t, _("Price Trend"),
	    text_word(b2, sizeof b2, t->c, text_str(a, "trend"), "DOWN", NULL,
		"UP"));
	text_item(t, _("1-Year Performance"),
	    text_returns(b1, sizeof b1, t->c, a, "returns.one_year_percent"));
	snprintf(line, sizeof line, "%s / %s / %s",
	    text_fixed(b1, sizeof b1, 2, 0,
		jsonutil_number(a, "indicators.sma20")),
	    text_fixed(b2, sizeof b2, 2, 0,
		jsonutil_number(a, "indicators.sma50")),
	    text_fixed(b3, sizeof b3, 2, 0,
		jsonutil_number(a, "indicators.sma200")));
	text_item(t, _("SMA 20/50/200"), line);
	text_num_item(t, _("RSI (14)"), a, "indicators.rsi14", 2);
	snprintf(line, sizeof line, _("%s, signal %s, histogram %s"),
	    text_fixed(b1, sizeof b1, 4, 0,
		jsonutil_number(a, "indicators.macd")),
	    text_fixed(b2, sizeof b2, 4, 0,
		jsonutil_number(a, "indicators.macd_signal")),
	    text_fixed(b3, sizeof b3, 4, 0,
		jsonutil_number(a, "indicators.macd_hist")));
	text_item(t, _("MACD (12,26,9)"), line);
	snprintf(line, sizeof line, "%s - %s",
	    text_fixed(b1, sizeof b1, 2, 0,
		jsonutil_number(a, "indicators.bb_lower")),
	    text_fixed(b2, sizeof b2, 2, 0,
		jsonutil_number(a, "indicators.bb_upper")));
	text_item(t, _("Bollinger Bands (20,2)"), line);
	text_num_item(t, _("ATR (14)"), a, "indicators.atr14", 2);
	text_item(t, _("Technical Score"),
	    text_score(b1, sizeof b1, t->c,
		jsonutil_number(a, "scores.technical")));
	fprintf(t->f, "\n");
}

static void
text_risks(const struct tx *t, const cJSON *a)
{
	char b1[64], b2[64], b3[64], line[256];

	text_heading(t, _("RISK ASSESSMENT"));
	snprintf(line, sizeof line, _("%s (%s RISK)"),
	    text_pct(b1, sizeof b1,
		jsonutil_number(a, "risk.volatility_percent")),
	    text_risk(b2, sizeof b2, t->c, a));
	text_item(t, _("Volatility Level"), line);
	snprintf(line, sizeof line, _("%s (%s to %s)"),
	    text_pct(b1, sizeof b1,
		jsonutil_number(a, "risk.max_drawdown_percent")),
	    text_date(b2, sizeof b2, a, "risk.max_drawdown_peak"),
	    text_date(b3, sizeof b3, a, "risk.max_drawdown_trough"));
	text_item(t, _("Max Drawdown (1 year)"), line);
	text_num_item(t, _("Sharpe Ratio (1 year)"), a, "risk.sharpe", 2);
	fprintf(t->f, "\n");
}

static void
text_analysis(const struct tx *t, const cJSON *m, const cJSON *a)
{
	char b1[64], b2[64];

	text_heading(t, _("STOCK PERFORMANCE ANALYSIS"));
	fprintf(t->f, RULE "\n");
	fprintf(t->f, _("Stock: %s | Current Price: %s\n\n"),
	    text_str(m, "symbol"),
	    text_money(t, b1, sizeof b1, 2, jsonutil_number(a, "price")));
	text_technical(t, a);
	text_heading(t, _("FUNDAMENTAL ANALYSIS"));
	text_num_item(t, _("P/E Ratio"), m, "fundamentals.pe_ratio", 2);
	text_pct_item(t, _("Profit Margin"), m,
	    "fundamentals.profit_margin_percent");
	text_pct_item(t, _("Dividend Yield"), m,
	    "fundamentals.dividend_yield_percent");
	text_num_item(t, _("Beta"), a, "risk.beta", 2);
	text_item(t, _("Fundamental Score"),
	    text_score(b2, sizeof b2, t->c,
		jsonutil_number(a, "scores.fundamental")));
	fprintf(t->f, "\n");
	text_risks(t, a);
	text_observations(t, a);
}

/* Where the PDF went, or why it did not. */
static void
text_pdf(const struct tx *t, const cJSON *r)
{
	if (jsonutil_string(r, "pdf.path") == NULL)
		fprintf(t->f, _("PDF report: not generated (--no-pdf)\n"));
	else
		fprintf(t->f, _("PDF report saved: %s\n"),
		    text_str(r, "pdf.path"));
	if (jsonutil_string(r, "pdf.s3_uri") != NULL)
		fprintf(t->f, _("PDF report uploaded to S3: %s\n"),
		    text_str(r, "pdf.s3_uri"));
	else if (jsonutil_string(r, "pdf.upload_error") != NULL)
		fprintf(t->f, _("PDF upload failed: %s\n"),
		    text_str(r, "pdf.upload_error"));
	fprintf(t->f, "\n");
}

static void
text_report(const struct tx *t, const cJSON *state)
{
	const cJSON *m = cJSON_GetObjectItem(state, "market");
	const cJSON *a = cJSON_GetObjectItem(state, "analysis");
	const cJSON *r = cJSON_GetObjectItem(state, "report");
	char b1[64], b2[64], gen[48];

	text_heading(t, _("STOCK REPORT GENERATION"));
	fprintf(t->f, RULE "\n");
	fprintf(t->f, _("Stock: %s (%s)\nSector: %s\nCurrent Price: %s\n\n"),
	    text_str(m, "symbol"), text_str(m, "profile.name"),
	    text_str(m, "profile.sector"),
	    text_money(t, b1, sizeof b1, 2, jsonutil_number(a, "price")));
	text_heading(t, _("REPORT SUMMARY"));
	fprintf(t->f, _("- Technical Analysis: %s 1-year performance (%s)\n"),
	    text_returns(b1, sizeof b1, t->c, a, "returns.one_year_percent"),
	    text_word(b2, sizeof b2, t->c, text_str(a, "trend"), "DOWN", NULL,
		"UP"));
	fprintf(t->f, _("- Risk Assessment: %s volatility risk\n"),
	    text_risk(b1, sizeof b1, t->c, a));
	fprintf(t->f,
	    _("- Report Type: Comprehensive stock analysis for "
	      "informational purposes\n"));
	fprintf(t->f, _("- Generated: %s\n\n"),
	    text_time(gen, sizeof gen, jsonutil_string(r, "generated_at")));
	text_pdf(t, r);
}

/* Numbers in a model's narrative that no tool result contains. */
static void
text_ungrounded(const struct tx *t, const cJSON *a)
{
	const cJSON *u = jsonutil_path(a, "narrative.ungrounded"), *v;
	int n = 0;

	cJSON_ArrayForEach(v, u) {
		if (!cJSON_IsString(v))
			continue;
		fprintf(t->f, "%s%s",
		    n++ ? ", " :
			  _("NOT FOUND IN THE DATA "
			    "(check before relying on them): "),
		    v->valuestring);
	}
	if (n > 0)
		fprintf(t->f, "\n\n");
}

/* The scores, the overall label in the overall score's colour. */
static void
text_scores(const struct tx *t, const cJSON *a)
{
	char b1[64], b2[128];
	double overall = jsonutil_number(a, "scores.overall");
	const char *sgr = t->c ? text_score_sgr(overall) : "";

	text_heading(t, _("SCORES"));
	text_item(t, _("Technical Score"),
	    text_score(b1, sizeof b1, t->c,
		jsonutil_number(a, "scores.technical")));
	text_item(t, _("Fundamental Score"),
	    text_score(b1, sizeof b1, t->c,
		jsonutil_number(a, "scores.fundamental")));
	snprintf(b2, sizeof b2, "%s (%s%s%s)",
	    text_score(b1, sizeof b1, t->c, overall), sgr,
	    ta_words(text_str(a, "scores.label")), *sgr ? COLOR_RESET : "");
	text_item(t, _("Overall Score"), b2);
	fprintf(t->f, "\n");
}

static void
text_all(FILE *f, int c, const cJSON *state)
{
	const cJSON *m = cJSON_GetObjectItem(state, "market");
	const cJSON *a = cJSON_GetObjectItem(state, "analysis");
	const char *cur = jsonutil_string(m, "profile.currency");
	struct tx t = { f, c, cur != NULL ? cur : "USD" };

	text_gathering(&t, m, a);
	text_analysis(&t, m, a);
	text_report(&t, state);
	text_scores(&t, a);
	text_heading(&t, _("SUMMARY"));
	fprintf(f, "%s\n\n", text_str(a, "narrative.text"));
	text_ungrounded(&t, a);
	fprintf(f, "%s\n",
	    _("DISCLAIMER: This analysis is for informational "
	      "purposes only and does not constitute investment advice."));
}

/* Writes S to F with "$N/A" and "N/A%" shown as plain "N/A". */
static void
text_tidy(FILE *f, const char *s)
{
	const char *p;

	for (p = s; *p != '\0'; p++) {
		if (strncmp(p, "$N/A", 4) == 0)
			continue;
		fputc(*p, f);
		if (strncmp(p, "N/A%", 4) == 0) {
			fputs("/A", f);
			p += 3;
		}
	}
}

void
output_text(FILE *f, const cJSON *state, int color)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	if (m == NULL) {
		text_all(f, color, state);
		return;
	}
	text_all(m, color, state);
	fclose(m);
	text_tidy(f, text);
	free(text);
}
