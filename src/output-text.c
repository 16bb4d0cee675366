/*
 * output-text.c: the human-readable report on stdout.
 *
 * Three sections (STOCK DATA GATHERING REPORT, STOCK
 * PERFORMANCE ANALYSIS, STOCK REPORT GENERATION), then the scores, the
 * summary and the disclaimer. Every figure comes from the state; money
 * and percentages are shown with two decimals.
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
#include "lib/jsonutil.h"
#include "lib/numfmt.h"
#include "src/output.h"
#include "tools/gather.h"

#define RULE "================================"

/* CODE when colour is on, else nothing. */
#define SGR(c, code) ((c) ? (code) : "")

/* A number with thousands separators ("3,142,000,000"), or "N/A". */
static const char *
text_grouped(char *buf, size_t size, double v)
{
	if (!isfinite(v))
		return "N/A";
	return numfmt_grouped(buf, size, v, 0);
}

/* V with DIGITS decimals ("%+.Nf" when SIGNED), or "N/A". */
static const char *
text_fixed(char *buf, size_t size, int digits, int signed_, double v)
{
	if (!isfinite(v))
		return "N/A";
	snprintf(buf, size, signed_ ? "%+.*f" : "%.*f", digits, v);
	return buf;
}

/* V as text_fixed writes it, then UNIT ("%"), green when up and red when
 * down (with colour C); "N/A" and UNIT when V is missing. */
static const char *
text_change(char *buf, size_t size, int c, int digits, int signed_,
    double v, const char *unit)
{
	char num[32];
	const char *sgr = "", *t = text_fixed(num, sizeof num, digits,
	    signed_, v);

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

/* S in red when it holds RED, else yellow when it holds YELLOW (NULL:
 * never), else green when it holds GREEN; plain without colour C. */
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
	snprintf(buf, size, "%s%s%s", sgr, s, *sgr ? COLOR_RESET : "");
	return buf;
}

/* "TITLE:" on a line of its own, bold with colour C. */
static void
text_heading(FILE *f, int c, const char *title)
{
	fprintf(f, "%s%s:%s\n", SGR(c, COLOR_BOLD), title, SGR(c, COLOR_RESET));
}

static const char *
text_str(const cJSON *root, const char *path)
{
	const char *s = jsonutil_string(root, path);

	return s != NULL && *s != '\0' ? s : "N/A";
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
	if (iso == NULL || strlen(iso) != 20 || iso[10] != 'T')
		return iso != NULL ? iso : "N/A";
	snprintf(buf, size, "%.10s %.8s UTC", iso, iso + 11);
	return buf;
}

static void
text_gathering(FILE *f, int c, const cJSON *m, const cJSON *a)
{
	char b1[64], b2[64], b3[64];
	const char *first, *last;
	const cJSON *n;

	text_heading(f, c, "STOCK DATA GATHERING REPORT");
	fprintf(f, RULE "\n");
	fprintf(f, "Stock Symbol: %s\nCompany Name: %s\nSector: %s\n"
	    "Industry: %s\n\n", text_str(m, "symbol"),
	    text_str(m, "profile.name"), text_str(m, "profile.sector"),
	    text_str(m, "profile.industry"));
	text_heading(f, c, "CURRENT MARKET DATA");
	fprintf(f, "- Current Price: $%s\n", text_fixed(b1, sizeof b1, 2, 0,
	    jsonutil_number(m, "quote.price")));
	fprintf(f, "- Change: %s (%s)\n", text_change(b1, sizeof b1, c, 2, 1,
	    jsonutil_number(m, "quote.change"), ""), text_change(b2,
	    sizeof b2, c, 2, 1, jsonutil_number(m, "quote.change_percent"),
	    "%"));
	fprintf(f, "- Market Cap: $%s\n", text_grouped(b1, sizeof b1,
	    jsonutil_number(m, "fundamentals.market_cap")));
	fprintf(f, "- 52-Week High: $%s\n- 52-Week Low: $%s\n",
	    text_fixed(b1, sizeof b1, 2, 0,
		jsonutil_number(a, "range_52w.high")),
	    text_fixed(b2, sizeof b2, 2, 0,
		jsonutil_number(a, "range_52w.low")));
	fprintf(f, "- YTD Return: %s\n- 1-Year Return: %s\n"
	    "- Volatility (Annualized): %s%%\n\n",
	    text_returns(b1, sizeof b1, c, a, "returns.ytd_percent"),
	    text_returns(b2, sizeof b2, c, a, "returns.one_year_percent"),
	    text_fixed(b3, sizeof b3, 2, 0,
		jsonutil_number(a, "risk.volatility_percent")));
	text_heading(f, c, "FINANCIAL METRICS");
	fprintf(f, "- P/E Ratio: %s\n- Forward P/E: %s\n- Price-to-Book: %s\n",
	    text_fixed(b1, sizeof b1, 2, 0,
		jsonutil_number(m, "fundamentals.pe_ratio")),
	    text_fixed(b2, sizeof b2, 2, 0,
		jsonutil_number(m, "fundamentals.forward_pe")),
	    text_fixed(b3, sizeof b3, 2, 0,
		jsonutil_number(m, "fundamentals.price_to_book")));
	fprintf(f, "- Dividend Yield: %s%%\n", text_fixed(b1, sizeof b1, 2, 0,
	    jsonutil_number(m, "fundamentals.dividend_yield_percent")));
	fprintf(f, "- Revenue (TTM): $%s\n", text_grouped(b1, sizeof b1,
	    jsonutil_number(m, "fundamentals.revenue_ttm")));
	fprintf(f, "- Profit Margin: %s%%\n\n", text_fixed(b1, sizeof b1, 2, 0,
	    jsonutil_number(m, "fundamentals.profit_margin_percent")));
	text_heading(f, c, "TRADING METRICS");
	fprintf(f, "- Average Volume: %s\n", text_grouped(b1, sizeof b1,
	    jsonutil_number(m, "fundamentals.average_volume")));
	fprintf(f, "- Beta: %s\n", text_fixed(b1, sizeof b1, 2, 0,
	    jsonutil_number(a, "risk.beta")));
	fprintf(f, "- EPS (TTM): $%s\n- Book Value: $%s\n\n",
	    text_fixed(b1, sizeof b1, 2, 0,
		jsonutil_number(m, "fundamentals.eps_ttm")),
	    text_fixed(b2, sizeof b2, 2, 0,
		jsonutil_number(m, "fundamentals.book_value_per_share")));
	text_heading(f, c, "RECENT NEWS HEADLINES");
	cJSON_ArrayForEach(n, cJSON_GetObjectItem(m, "news"))
		fprintf(f, "- %s %s (%s, %s)\n", text_str(n, "date"),
		    text_str(n, "headline"), text_str(n, "source"),
		    text_str(n, "sentiment"));
	fprintf(f, "\nDATA AS OF: %s (provider %s, %.0f daily bars)\n\n",
	    text_str(m, "as_of"), text_str(m, "provider"),
	    (double)gather_bars_span(cJSON_GetObjectItem(m, "bars"), &first,
	    &last));
}

static void
text_observations(FILE *f, int c, const cJSON *a)
{
	const char *kinds[] = { "observations.technical",
		"observations.fundamental" };
	const cJSON *o;
	size_t k;

	text_heading(f, c, "KEY OBSERVATIONS");
	for (k = 0; k < 2; k++) {
		cJSON_ArrayForEach(o, jsonutil_path(a, kinds[k]))
			fprintf(f, "\xe2\x80\xa2 %s\n", text_str(o, "text"));
	}
	fprintf(f, "\n");
}

static void
text_analysis(FILE *f, int c, const cJSON *m, const cJSON *a)
{
	char b1[64], b2[64], b3[64];

	text_heading(f, c, "STOCK PERFORMANCE ANALYSIS");
	fprintf(f, RULE "\n");
	fprintf(f, "Stock: %s | Current Price: $%s\n\n", text_str(m, "symbol"),
	    text_fixed(b1, sizeof b1, 2, 0, jsonutil_number(a, "price")));
	text_heading(f, c, "TECHNICAL ANALYSIS");
	fprintf(f, "- Price Trend: %s\n- 1-Year Performance: %s\n",
	    text_word(b2, sizeof b2, c, text_str(a, "trend"), "DOWN", NULL,
		"UP"),
	    text_returns(b1, sizeof b1, c, a, "returns.one_year_percent"));
	fprintf(f, "- SMA 20/50/200: %s / %s / %s\n",
	    text_fixed(b1, sizeof b1, 2, 0,
		jsonutil_number(a, "indicators.sma20")),
	    text_fixed(b2, sizeof b2, 2, 0,
		jsonutil_number(a, "indicators.sma50")),
	    text_fixed(b3, sizeof b3, 2, 0,
		jsonutil_number(a, "indicators.sma200")));
	fprintf(f, "- RSI (14): %s\n", text_fixed(b1, sizeof b1, 2, 0,
	    jsonutil_number(a, "indicators.rsi14")));
	fprintf(f, "- MACD (12,26,9): %s, signal %s, histogram %s\n",
	    text_fixed(b1, sizeof b1, 4, 0,
		jsonutil_number(a, "indicators.macd")),
	    text_fixed(b2, sizeof b2, 4, 0,
		jsonutil_number(a, "indicators.macd_signal")),
	    text_fixed(b3, sizeof b3, 4, 0,
		jsonutil_number(a, "indicators.macd_hist")));
	fprintf(f, "- Bollinger Bands (20,2): %s - %s\n",
	    text_fixed(b1, sizeof b1, 2, 0,
		jsonutil_number(a, "indicators.bb_lower")),
	    text_fixed(b2, sizeof b2, 2, 0,
		jsonutil_number(a, "indicators.bb_upper")));
	fprintf(f, "- ATR (14): %s\n- Technical Score: %s\n\n",
	    text_fixed(b1, sizeof b1, 2, 0,
		jsonutil_number(a, "indicators.atr14")),
	    text_score(b2, sizeof b2, c, jsonutil_number(a,
		"scores.technical")));
	text_heading(f, c, "FUNDAMENTAL ANALYSIS");
	fprintf(f, "- P/E Ratio: %s\n- Profit Margin: %s%%\n",
	    text_fixed(b1, sizeof b1, 2, 0,
		jsonutil_number(m, "fundamentals.pe_ratio")),
	    text_fixed(b2, sizeof b2, 2, 0,
		jsonutil_number(m, "fundamentals.profit_margin_percent")));
	fprintf(f, "- Dividend Yield: %s%%\n- Beta: %s\n"
	    "- Fundamental Score: %s\n\n",
	    text_fixed(b1, sizeof b1, 2, 0,
		jsonutil_number(m, "fundamentals.dividend_yield_percent")),
	    text_fixed(b2, sizeof b2, 2, 0, jsonutil_number(a, "risk.beta")),
	    text_score(b3, sizeof b3, c, jsonutil_number(a,
		"scores.fundamental")));
	text_heading(f, c, "RISK ASSESSMENT");
	fprintf(f, "- Volatility Level: %s%% (%s RISK)\n",
	    text_fixed(b1, sizeof b1, 2, 0,
		jsonutil_number(a, "risk.volatility_percent")),
	    text_risk(b2, sizeof b2, c, a));
	fprintf(f, "- Max Drawdown (1 year): %s%% (%s to %s)\n",
	    text_fixed(b1, sizeof b1, 2, 0,
		jsonutil_number(a, "risk.max_drawdown_percent")),
	    text_str(a, "risk.max_drawdown_peak"),
	    text_str(a, "risk.max_drawdown_trough"));
	fprintf(f, "- Sharpe Ratio (1 year): %s\n\n", text_fixed(b1, sizeof b1, 2, 0, jsonutil_number(a, "risk.sharpe")));
	text_observations(f, c, a);
}

static void
text_report(FILE *f, int c, const cJSON *state)
{
	const cJSON *m = cJSON_GetObjectItem(state, "market");
	const cJSON *a = cJSON_GetObjectItem(state, "analysis");
	const cJSON *r = cJSON_GetObjectItem(state, "report");
	char b1[64], b2[64], gen[32];

	text_heading(f, c, "STOCK REPORT GENERATION");
	fprintf(f, RULE "\n");
	fprintf(f, "Stock: %s (%s)\nSector: %s\nCurrent Price: $%s\n\n",
	    text_str(m, "symbol"), text_str(m, "profile.name"),
	    text_str(m, "profile.sector"), text_fixed(b1, sizeof b1, 2, 0,
	    jsonutil_number(a, "price")));
	text_heading(f, c, "REPORT SUMMARY");
	fprintf(f, "- Technical Analysis: %s 1-year performance (%s)\n",
	    text_returns(b1, sizeof b1, c, a, "returns.one_year_percent"),
	    text_word(b2, sizeof b2, c, text_str(a, "trend"), "DOWN", NULL,
		"UP"));
	fprintf(f, "- Risk Assessment: %s volatility risk\n- Report Type: "
	    "Comprehensive stock analysis for informational purposes\n"
	    "- Generated: %s\n\n", text_risk(b1, sizeof b1, c, a),
	    text_time(gen, sizeof gen, jsonutil_string(r, "generated_at")));
	if (jsonutil_string(r, "pdf.path") == NULL)
		fprintf(f, "PDF report: not generated (--no-pdf)\n");
	else
		fprintf(f, "PDF report saved: %s\n", text_str(r, "pdf.path"));
	if (jsonutil_string(r, "pdf.s3_uri") != NULL)
		fprintf(f, "PDF report uploaded to S3: %s\n",
		    text_str(r, "pdf.s3_uri"));
	else if (jsonutil_string(r, "pdf.upload_error") != NULL)
		fprintf(f, "PDF upload failed: %s\n",
		    text_str(r, "pdf.upload_error"));
	fprintf(f, "\n");
}

/* Numbers in a model's narrative that no tool result contains. */
static void
text_ungrounded(FILE *f, const cJSON *a)
{
	const cJSON *u = jsonutil_path(a, "narrative.ungrounded"), *v;
	int n = 0;

	cJSON_ArrayForEach(v, u) {
		if (!cJSON_IsString(v))
			continue;
		fprintf(f, "%s%s", n++ ? ", " : "NOT FOUND IN THE DATA (check "
		    "before relying on them): ", v->valuestring);
	}
	if (n > 0)
		fprintf(f, "\n\n");
}

/* The scores, the overall label in the overall score's colour. */
static void
text_scores(FILE *f, int c, const cJSON *a)
{
	char b1[64], b2[64], b3[64];
	double overall = jsonutil_number(a, "scores.overall");
	const char *sgr = c ? text_score_sgr(overall) : "";

	text_heading(f, c, "SCORES");
	fprintf(f, "- Technical Score: %s\n- Fundamental Score: %s\n"
	    "- Overall Score: %s (%s%s%s)\n\n",
	    text_score(b1, sizeof b1, c, jsonutil_number(a,
		"scores.technical")),
	    text_score(b2, sizeof b2, c, jsonutil_number(a,
		"scores.fundamental")),
	    text_score(b3, sizeof b3, c, overall), sgr,
	    text_str(a, "scores.label"), *sgr ? COLOR_RESET : "");
}

static void
text_all(FILE *f, int c, const cJSON *state)
{
	const cJSON *m = cJSON_GetObjectItem(state, "market");
	const cJSON *a = cJSON_GetObjectItem(state, "analysis");

	text_gathering(f, c, m, a);
	text_analysis(f, c, m, a);
	text_report(f, c, state);
	text_scores(f, c, a);
	text_heading(f, c, "SUMMARY");
	fprintf(f, "%s\n\n", text_str(a, "narrative.text"));
	text_ungrounded(f, a);
	fprintf(f, "DISCLAIMER: This analysis is for informational purposes "
	    "only and does not constitute investment advice.\n");
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
