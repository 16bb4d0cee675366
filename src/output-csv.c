/*
 * output-csv.c: a finished run as one CSV row (analyze --format csv).
 *
 * The columns are read from the result object (output_result), so the CSV
 * and the JSON carry the same numbers; the header names are part of the
 * interface, as the JSON keys are. Rows of several runs join into one sheet
 * when every run but the first leaves the header out (--no-header).
 */
#include "config.h"

#include "lib/csv.h"
#include "src/output.h"

static const struct csv_column output_csv_columns[] = {
	{ "symbol", "symbol" },
	{ "date", "as_of" },
	{ "price", "analysis.price" },
	{ "change", "analysis.change" },
	{ "change_percent", "analysis.change_percent" },
	{ "technical_score", "analysis.scores.technical" },
	{ "fundamental_score", "analysis.scores.fundamental" },
	{ "overall_score", "analysis.scores.overall" },
	{ "label", "analysis.scores.label" },
	{ "trend", "analysis.trend" },
	{ "risk_level", "analysis.risk.level" },
	{ "ytd_return_percent", "analysis.returns.ytd_percent" },
	{ "one_year_return_percent", "analysis.returns.one_year_percent" },
	{ "volatility_percent", "analysis.risk.volatility_percent" },
	{ "beta", "analysis.risk.beta" },
	{ "max_drawdown_percent", "analysis.risk.max_drawdown_percent" },
	{ "sharpe", "analysis.risk.sharpe" },
	{ "high_52w", "analysis.range_52w.high" },
	{ "low_52w", "analysis.range_52w.low" },
	{ "sma20", "analysis.indicators.sma20" },
	{ "sma50", "analysis.indicators.sma50" },
	{ "sma200", "analysis.indicators.sma200" },
	{ "ema12", "analysis.indicators.ema12" },
	{ "ema26", "analysis.indicators.ema26" },
	{ "rsi14", "analysis.indicators.rsi14" },
	{ "macd", "analysis.indicators.macd" },
	{ "macd_signal", "analysis.indicators.macd_signal" },
	{ "macd_hist", "analysis.indicators.macd_hist" },
	{ "bb_upper", "analysis.indicators.bb_upper" },
	{ "bb_middle", "analysis.indicators.bb_middle" },
	{ "bb_lower", "analysis.indicators.bb_lower" },
	{ "atr14", "analysis.indicators.atr14" },
	{ "pe_ratio", "market.fundamentals.pe_ratio" },
	{ "provider", "provider" },
	{ "model", "model" },
	{ "thread_id", "thread_id" },
	{ "pdf", "report.pdf.path" },
};

void
output_csv(FILE *f, const cJSON *state, const char *thread_id, int header)
{
	cJSON *r = output_result(state, thread_id);

	csv_write(f, r, output_csv_columns,
	    sizeof output_csv_columns / sizeof *output_csv_columns, header);
	cJSON_Delete(r);
}
