/*
 * analyze.h: the analysis in the run state, as the tools after the
 * analyze_stock_performance tool read it back.
 *
 * The tool computes the analysis once, from the market data the gathering
 * tool stored (tools/gather.h). Its chart series (a year of closes and
 * indicators: tens of kilobytes) are kept as a blob of the run, and
 * analysis.series holds the reference {"blob": ID}; without a database
 * they stay inline. The output renderers leave analysis.series out.
 */
#ifndef STOCKAGENT_ANALYZE_H
#define STOCKAGENT_ANALYZE_H

#include <cjson/cJSON.h>

struct store;
struct tool_opts;

/*
 * The chart series of the analysis in STATE (columnar, see ta_analyze):
 * *SERIES_OUT is a new object the caller deletes, read from the blob that
 * analysis.series references in ST, or copied when it is inline. An
 * analysis checkpointed before the series were kept has none (nor has a
 * blob that is not JSON): the series are then computed again from the
 * market data, as the tool computed them (OPTS gives the risk-free
 * rate). Returns 0, or an exit code (EXIT_MARKET, EXIT_STORAGE) with
 * *cause.
 */
int analyze_series_load(const cJSON *state, const struct tool_opts *opts,
    struct store *st, cJSON **series_out, char **cause);

#endif
