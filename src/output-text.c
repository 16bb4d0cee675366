/*
 * output-text.c: the human-readable report on stdout.
 *
 * Three sections (STOCK DATA GATHERING REPORT, STOCK
 * PERFORMANCE ANALYSIS, STOCK REPORT GENERATION), then the scores, the
 * summary and the disclaimer. Every figure comes from the state; money
 * and percentages are shown with two decimals.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/jsonutil.h"
#include "lib/numfmt.h"
#include "src/output.h"
#include "tools/gather.h"

#define RULE "================================"

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


static const char *
text_str(const cJSON *root, const char *path)
{
	const char *s = jsonutil_string(root, path);

	return s != NULL && *s != '\0' ? s : "N/A";
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
text_gathering(FILE *f, const cJSON *m, const cJSON *a)
{
	char b1[64], b2[64], b3[64];
	const char *first, *last;
	const cJSON *n;

	fprintf(f, "STOCK DATA GATHERING REPORT:\n" RULE "\n");
	fprintf(f, "Stock Symbol: %s\nCompany Name: %s\nSector: %s\n"
	    "Industry: %s\n\n", text_str(m, "symbol"),
	    text_str(m, "profile.name"), text_str(m, "profile.sector"),
	    text_str(m, "profile.industry"));
	fprintf(f, "CURRENT MARKET DATA:\n");
	fprintf(f, "- Current Price: $%s\n", text_fixed(b1, sizeof b1, 2, 0,
	    jsonutil_number(m, "quote.price")));
	fprintf(f, "- Change: %s (%s%%)\n", text_fixed(b1, sizeof b1, 2, 1,
	    jsonutil_number(m, "quote.change")), text_fixed(b2, sizeof b2,
	    2, 1, jsonutil_number(m, "quote.change_percent")));
	fprintf(f, "- Market Cap: $%s\n", text_grouped(b1, sizeof b1,
	    jsonutil_number(m, "fundamentals.market_cap")));
	fprintf(f, "- 52-Week High: $%s\n- 52-Week Low: $%s\n",
	    text_fixed(b1, sizeof b1, 2, 0,
		jsonutil_number(a, "range_52w.high")),
	    text_fixed(b2, sizeof b2, 2, 0,
		jsonutil_number(a, "range_52w.low")));
	fprintf(f, "- YTD Return: %s%%\n- 1-Year Return: %s%%\n"
	    "- Volatility (Annualized): %s%%\n\n",
	    text_fixed(b1, sizeof b1, 2, 0,
		jsonutil_number(a, "returns.ytd_percent")),
	    text_fixed(b2, sizeof b2, 2, 0,
		jsonutil_number(a, "returns.one_year_percent")),
	    text_fixed(b3, sizeof b3, 2, 0,
		jsonutil_number(a, "risk.volatility_percent")));
	fprintf(f, "FINANCIAL METRICS:\n");
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
	fprintf(f, "TRADING METRICS:\n");
	fprintf(f, "- Average Volume: %s\n", text_grouped(b1, sizeof b1,
	    jsonutil_number(m, "fundamentals.average_volume")));
	fprintf(f, "- Beta: %s\n", text_fixed(b1, sizeof b1, 2, 0,
	    jsonutil_number(a, "risk.beta")));
	fprintf(f, "- EPS (TTM): $%s\n- Book Value: $%s\n\n",
	    text_fixed(b1, sizeof b1, 2, 0,
		jsonutil_number(m, "fundamentals.eps_ttm")),
	    text_fixed(b2, sizeof b2, 2, 0,
		jsonutil_number(m, "fundamentals.book_value_per_share")));
	fprintf(f, "RECENT NEWS HEADLINES:\n");
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
text_observations(FILE *f, const cJSON *a)
{
	const char *kinds[] = { "observations.technical",
		"observations.fundamental" };
	const cJSON *o;
	size_t k;

	fprintf(f, "KEY OBSERVATIONS:\n");
	for (k = 0; k < 2; k++) {
		cJSON_ArrayForEach(o, jsonutil_path(a, kinds[k]))
			fprintf(f, "\xe2\x80\xa2 %s\n", text_str(o, "text"));
	}
	fprintf(f, "\n");
}

static void
text_analysis(FILE *f, const cJSON *m, const cJSON *a)
{
	char b1[64], b2[64], b3[64];

	fprintf(f, "STOCK PERFORMANCE ANALYSIS:\n" RULE "\n");
	fprintf(f, "Stock: %s | Current Price: $%s\n\n", text_str(m, "symbol"),
	    text_fixed(b1, sizeof b1, 2, 0, jsonutil_number(a, "price")));
	fprintf(f, "TECHNICAL ANALYSIS:\n- Price Trend: %s\n"
	    "- 1-Year Performance: %s%%\n", text_str(a, "trend"),
	    text_fixed(b1, sizeof b1, 2, 0,
		jsonutil_number(a, "returns.one_year_percent")));
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
	fprintf(f, "- ATR (14): %s\n- Technical Score: %.0f/5\n\n",
	    text_fixed(b1, sizeof b1, 2, 0,
		jsonutil_number(a, "indicators.atr14")),
	    jsonutil_number(a, "scores.technical"));
	fprintf(f, "FUNDAMENTAL ANALYSIS:\n- P/E Ratio: %s\n"
	    "- Profit Margin: %s%%\n",
	    text_fixed(b1, sizeof b1, 2, 0,
		jsonutil_number(m, "fundamentals.pe_ratio")),
	    text_fixed(b2, sizeof b2, 2, 0,
		jsonutil_number(m, "fundamentals.profit_margin_percent")));
	fprintf(f, "- Dividend Yield: %s%%\n- Beta: %s\n"
	    "- Fundamental Score: %.0f/5\n\n",
	    text_fixed(b1, sizeof b1, 2, 0,
		jsonutil_number(m, "fundamentals.dividend_yield_percent")),
	    text_fixed(b2, sizeof b2, 2, 0, jsonutil_number(a, "risk.beta")),
	    jsonutil_number(a, "scores.fundamental"));
	fprintf(f, "RISK ASSESSMENT:\n- Volatility Level: %s%% (%s RISK)\n",
	    text_fixed(b1, sizeof b1, 2, 0,
		jsonutil_number(a, "risk.volatility_percent")),
	    text_str(a, "risk.level"));
	fprintf(f, "- Max Drawdown (1 year): %s%% (%s to %s)\n",
	    text_fixed(b1, sizeof b1, 2, 0,
		jsonutil_number(a, "risk.max_drawdown_percent")),
	    text_str(a, "risk.max_drawdown_peak"),
	    text_str(a, "risk.max_drawdown_trough"));
	fprintf(f, "- Sharpe Ratio (1 year): %s\n\n", text_fixed(b1, sizeof b1, 2, 0, jsonutil_number(a, "risk.sharpe")));
	text_observations(f, a);
}

static void
text_report(FILE *f, const cJSON *state)
{
	const cJSON *m = cJSON_GetObjectItem(state, "market");
	const cJSON *a = cJSON_GetObjectItem(state, "analysis");
	const cJSON *r = cJSON_GetObjectItem(state, "report");
	char b1[64], gen[32];

	fprintf(f, "STOCK REPORT GENERATION:\n" RULE "\n");
	fprintf(f, "Stock: %s (%s)\nSector: %s\nCurrent Price: $%s\n\n",
	    text_str(m, "symbol"), text_str(m, "profile.name"),
	    text_str(m, "profile.sector"), text_fixed(b1, sizeof b1, 2, 0,
	    jsonutil_number(a, "price")));
	fprintf(f, "REPORT SUMMARY:\n- Technical Analysis: %s%% 1-year "
	    "performance (%s)\n", text_fixed(b1, sizeof b1, 2, 0,
	    jsonutil_number(a, "returns.one_year_percent")),
	    text_str(a, "trend"));
	fprintf(f, "- Risk Assessment: %s volatility risk\n- Report Type: "
	    "Comprehensive stock analysis for informational purposes\n"
	    "- Generated: %s\n\n", text_str(a, "risk.level"),
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

static void
text_all(FILE *f, const cJSON *state)
{
	const cJSON *m = cJSON_GetObjectItem(state, "market");
	const cJSON *a = cJSON_GetObjectItem(state, "analysis");

	text_gathering(f, m, a);
	text_analysis(f, m, a);
	text_report(f, state);
	fprintf(f, "SCORES:\n- Technical Score: %.0f/5\n"
	    "- Fundamental Score: %.0f/5\n- Overall Score: %.0f/5 (%s)\n\n",
	    jsonutil_number(a, "scores.technical"),
	    jsonutil_number(a, "scores.fundamental"),
	    jsonutil_number(a, "scores.overall"),
	    text_str(a, "scores.label"));
	fprintf(f, "SUMMARY:\n%s\n\n", text_str(a, "narrative.text"));
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
output_text(FILE *f, const cJSON *state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	if (m == NULL) {
		text_all(f, state);
		return;
	}
	text_all(m, state);
	fclose(m);
	text_tidy(f, text);
	free(text);
}
