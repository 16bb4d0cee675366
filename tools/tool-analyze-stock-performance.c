/*
 * tool-analyze-stock-performance.c: the performance analysis agent's tool.
 *
 * Reads the market data the gathering agent put in the state, computes the
 * indicators, risk figures and scores (tools/ta), and writes the built-in
 * narrative from those figures alone. The chart series go to a blob of
 * the run for the report (tools/analyze.h).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/blobs.h"
#include "lib/date.h"
#include "lib/exitcode.h"
#include "lib/i18n.h"
#include "lib/jsonutil.h"
#include "lib/numfmt.h"
#include "lib/xmalloc.h"
#include "tools/analyze.h"
#include "tools/gather.h"
#include "tools/symbol.h"
#include "tools/ta/ta.h"
#include "tools/tool.h"

static void
analyze_ta_bars(const struct market_bars *m, struct ta_bars *t)
{
	t->n = m->n;
	t->date = m->date;
	t->open = m->open;
	t->high = m->high;
	t->low = m->low;
	t->close = m->close;
	t->volume = m->volume;
}

static void
analyze_fundamentals(const cJSON *market, struct ta_fundamentals *f)
{
	f->pe = jsonutil_number(market, "fundamentals.pe_ratio");
	f->forward_pe = jsonutil_number(market, "fundamentals.forward_pe");
	f->price_to_book = jsonutil_number(market,
	    "fundamentals.price_to_book");
	f->profit_margin_pct = jsonutil_number(market,
	    "fundamentals.profit_margin_percent");
	f->dividend_yield_pct = jsonutil_number(market,
	    "fundamentals.dividend_yield_percent");
}

/*
 * Runs the TA library over the market data in STATE. Returns 0 with
 * *analysis_out (with "series"), or an exit code with *cause.
 */
static int
analyze_compute(const cJSON *state, const struct tool_opts *opts,
    struct store *st, cJSON **analysis_out, char **cause)
{
	const cJSON *market = cJSON_GetObjectItemCaseSensitive(state, "market");
	struct market_bars stock = { 0 }, index = { 0 };
	struct ta_bars ts, ti;
	struct ta_fundamentals f;
	const char *asof_s = jsonutil_string(market, "as_of");
	int32_t as_of;
	double rf = opts->risk_free_rate;
	int have_index, rc = EXIT_MARKET;

	if (!cJSON_IsObject(market) || asof_s == NULL ||
	    date_parse(asof_s, &as_of) != 0) {
		*cause = xstrdup("analyze_stock_performance: no market data in "
				 "the state; gather_stock_data must run first");
		return EXIT_MARKET;
	}
	if ((rc = gather_bars_load(cJSON_GetObjectItem(market, "bars"), st,
		 &stock, cause)) != 0)
		return rc;
	rc = EXIT_MARKET;
	have_index = cJSON_IsObject(cJSON_GetObjectItem(market,
	    "benchmark_bars"));
	if (have_index &&
	    (rc = gather_bars_load(cJSON_GetObjectItem(market,
				       "benchmark_bars"),
		 st, &index, cause)) != 0) {
		market_bars_free(&stock);
		return rc;
	}
	rc = EXIT_MARKET;
	market_bars_adjusted(&stock);
	market_bars_adjusted(&index);
	analyze_fundamentals(market, &f);
	analyze_ta_bars(&stock, &ts);
	analyze_ta_bars(&index, &ti);
	if (ta_analyze(&ts, have_index ? &ti : NULL, as_of, &f, rf,
		analysis_out, cause) == 0)
		rc = 0;
	market_bars_free(&stock);
	market_bars_free(&index);
	return rc;
}

int
analyze_series_load(const cJSON *state, const struct tool_opts *opts,
    struct store *st, cJSON **series_out, char **cause)
{
	const cJSON *s = jsonutil_path(state, "analysis.series");
	const char *id = jsonutil_string(s, "blob");
	cJSON *a = NULL;
	int rc;

	*series_out = NULL;
	if (id != NULL && st != NULL &&
	    blobs_get_json(st, id, series_out, cause) != 0)
		return EXIT_STORAGE;
	if (id == NULL && cJSON_IsObject(s))
		*series_out = cJSON_Duplicate(s, 1);
	if (*series_out != NULL)
		return 0;
	/* Checkpointed before the tool kept the series: compute them. */
	if ((rc = analyze_compute(state, opts, st, &a, cause)) != 0)
		return rc;
	*series_out = cJSON_DetachItemFromObject(a, "series");
	cJSON_Delete(a);
	return 0;
}

/*
 * Puts SERIES (consumed) in A as "series": a reference to a blob of the
 * run, or the series inline without a database. Returns 0, or
 * EXIT_STORAGE with *cause.
 */
static int
analyze_keep_series(struct tool_ctx *ctx, cJSON *a, cJSON *series, char **cause)
{
	char id[BLOBS_ID_SIZE];
	cJSON *ref;
	int rc;

	if (ctx->store == NULL) {
		cJSON_AddItemToObject(a, "series", series);
		return 0;
	}
	rc = blobs_put_json(ctx->store, ctx->thread_id, series, id, cause);
	cJSON_Delete(series);
	if (rc != 0)
		return EXIT_STORAGE;
	ref = cJSON_AddObjectToObject(a, "series");
	cJSON_AddStringToObject(ref, "blob", id);
	return 0;
}

/* V with DIGITS decimals in the language's notation, or "n/a". */
static const char *
analyze_fixed(char *buf, size_t size, int digits, double v)
{
	if (!isfinite(v))
		return _("n/a");
	return numfmt_local(buf, size, v, digits, 0);
}

/* An amount of the market's currency ("$29.19", "29,19 USD"), or "n/a". */
static const char *
analyze_money(char *buf, size_t size, const cJSON *m, double v)
{
	if (!isfinite(v))
		return _("n/a");
	return numfmt_money(buf, size, v, 2,
	    jsonutil_string(m, "profile.currency"), 0);
}

/* The string at PATH of ROOT, or "n/a". */
static const char *
analyze_str(const cJSON *root, const char *path)
{
	const char *s = jsonutil_string(root, path);

	return s != NULL ? s : _("n/a");
}

static void
analyze_para_thesis(struct buf *b, const cJSON *m, const cJSON *a)
{
	char p[48], r[32], d[32];
	double ret = jsonutil_number(a, "returns.one_year_percent");

	buf_printf(b,
	    isfinite(ret) && ret < 0 ?
		_("%s (%s) closed at %s on %s, down %s%% over the past year, "
		  "a %s. ") :
		_("%s (%s) closed at %s on %s, up %s%% over the past year, "
		  "a %s. "),
	    analyze_str(m, "profile.name"), analyze_str(m, "symbol"),
	    analyze_money(p, sizeof p, m, jsonutil_number(a, "price")),
	    numfmt_date(d, sizeof d, analyze_str(a, "as_of")),
	    analyze_fixed(r, sizeof r, 2, fabs(ret)),
	    ta_words(analyze_str(a, "trend")));
	buf_printf(b,
	    _("The technical score is %.0f/5 and the fundamental "
	      "score %.0f/5, for an overall %.0f/5 (%s)."),
	    jsonutil_number(a, "scores.technical"),
	    jsonutil_number(a, "scores.fundamental"),
	    jsonutil_number(a, "scores.overall"),
	    ta_words(analyze_str(a, "scores.label")));
}

static void
analyze_para_drivers(struct buf *b, const cJSON *a)
{
	const char *kinds[] = { "observations.technical",
		"observations.fundamental" };
	const cJSON *o;
	size_t k;
	int n = 0;

	buf_printf(b, "\n\n%s", _("What drives the scores: "));
	for (k = 0; k < 2; k++) {
		cJSON_ArrayForEach(o, jsonutil_path(a, kinds[k])) {
			if (jsonutil_number(o, "points") == 0)
				continue;
			buf_printf(b, "%s%s", n++ ? "; " : "",
			    jsonutil_string(o, "text"));
		}
	}
	buf_printf(b, "%s.", n ? "" : _("no single factor stands out"));
}

static void
analyze_para_risk(struct buf *b, const cJSON *m, const cJSON *a)
{
	char v[32], d[32], be[32];
	const char *bench = jsonutil_string(m, "benchmark");

	buf_printf(b, "\n\n");
	buf_printf(b,
	    _("Risks: annualized volatility of %s%% puts risk at "
	      "%s; the deepest drawdown over the past year was %s%%"),
	    analyze_fixed(v, sizeof v, 2,
		jsonutil_number(a, "risk.volatility_percent")),
	    ta_words(analyze_str(a, "risk.level")),
	    analyze_fixed(d, sizeof d, 2,
		jsonutil_number(a, "risk.max_drawdown_percent")));
	if (isfinite(jsonutil_number(a, "risk.beta")) && bench != NULL)
		buf_printf(b, _(", and beta against %s is %s"), bench,
		    analyze_fixed(be, sizeof be, 2,
			jsonutil_number(a, "risk.beta")));
	buf_printf(b, ".");
}

static void
analyze_para_change(struct buf *b, const cJSON *m, const cJSON *a)
{
	char s2[48], s5[48], rsi[32];
	double price = jsonutil_number(a, "price");
	double sma200 = jsonutil_number(a, "indicators.sma200");

	buf_printf(b, "\n\n%s", _("What would change the view: "));
	if (isfinite(sma200) && isfinite(price))
		buf_printf(b,
		    price >= sma200 ?
			_("a close below the 200-day average of %s would flip "
			  "the long-term trend signal; ") :
			_("a close above the 200-day average of %s would flip "
			  "the long-term trend signal; "),
		    analyze_money(s2, sizeof s2, m, sma200));
	buf_printf(b,
	    _("the 50-day average stands at %s and RSI(14) at %s, "
	      "where readings above 70 or below 30 would move the technical "
	      "score; new earnings that shift the P/E would move the "
	      "fundamental score."),
	    analyze_money(s5, sizeof s5, m,
		jsonutil_number(a, "indicators.sma50")),
	    analyze_fixed(rsi, sizeof rsi, 1,
		jsonutil_number(a, "indicators.rsi14")));
}

static cJSON *
analyze_narrative(const cJSON *market, const cJSON *a)
{
	cJSON *n = cJSON_CreateObject();
	struct buf b;
	char *text;

	buf_init(&b, 0);
	analyze_para_thesis(&b, market, a);
	analyze_para_drivers(&b, a);
	analyze_para_risk(&b, market, a);
	analyze_para_change(&b, market, a);
	text = buf_take(&b);
	cJSON_AddStringToObject(n, "text", text);
	cJSON_AddStringToObject(n, "source", "builtin");
	cJSON_AddItemToObject(n, "ungrounded", cJSON_CreateArray());
	free(text);
	return n;
}

static int
analyze_exec(struct tool_ctx *ctx, const cJSON *args, cJSON **result_out,
    char **cause)
{
	const cJSON *market = cJSON_GetObjectItemCaseSensitive(ctx->state,
	    "market");
	const char *sym = jsonutil_string(args, "symbol");
	const char *msym = jsonutil_string(market, "symbol");
	cJSON *a = NULL, *series;
	char *s;
	int rc;

	if (msym != NULL && sym != NULL && strcmp(sym, msym) != 0) {
		*cause = xasprintf("analyze_stock_performance: the gathered "
				   "data is for %s, not %s",
		    msym, sym);
		return TOOL_EARGS;
	}
	if ((rc = analyze_compute(ctx->state, ctx->opts, ctx->store, &a,
		 cause)) != 0)
		return rc;
	series = cJSON_DetachItemFromObject(a, "series");
	cJSON_AddItemToObject(a, "narrative", analyze_narrative(market, a));
	s = xasprintf(_("%s: %s, technical %.0f/5, fundamental %.0f/5, "
			"overall %.0f/5 (%s), %s risk."),
	    msym, ta_words(analyze_str(a, "trend")),
	    jsonutil_number(a, "scores.technical"),
	    jsonutil_number(a, "scores.fundamental"),
	    jsonutil_number(a, "scores.overall"),
	    ta_words(analyze_str(a, "scores.label")),
	    ta_words(analyze_str(a, "risk.level")));
	cJSON_AddStringToObject(a, "summary", s);
	free(s);
	if ((rc = analyze_keep_series(ctx, a, series, cause)) != 0) {
		cJSON_Delete(a);
		return rc;
	}
	*result_out = a;
	return 0;
}

/* The model sees everything but the chart series or their reference. */
static cJSON *
analyze_for_model(const cJSON *result)
{
	cJSON *r = cJSON_Duplicate(result, 1);

	cJSON_DeleteItemFromObject(r, "series");
	return r;
}

const struct tool_entry tool_analyze_stock_performance_entry = {
	.name = "analyze_stock_performance",
	.description =
	    "Analyze the gathered stock data: returns, 52-week "
	    "range, volatility, beta, drawdown, Sharpe ratio, SMA/EMA/RSI/"
	    "MACD/Bollinger/ATR, trend, and technical, fundamental and "
	    "overall scores from 1 to 5 with the observations behind them.",
	.parameters =
	    "{\"type\":\"object\",\"properties\":{"
	    "\"symbol\":{\"type\":\"string\",\"pattern\":\"" SYMBOL_PATTERN
	    "\",\"description\":\"the symbol whose data was gathered\"}},"
	    "\"required\":[\"symbol\"],\"additionalProperties\":false}",
	.state_key = "analysis",
	.exec = analyze_exec,
	.for_model = analyze_for_model,
};
