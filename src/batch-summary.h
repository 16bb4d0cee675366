/*
 * batch-summary.h: what a finished batch says: a ranking of its symbols
 * and what changed since the previous batch of the same watchlist.
 */
#ifndef STOCKAGENT_BATCH_SUMMARY_H
#define STOCKAGENT_BATCH_SUMMARY_H

#include <cjson/cJSON.h>

#include "src/output.h"

struct settings;
struct store;

/*
 * The numbers the summary ranks by, from a finished run's state FINAL:
 * {overall, technical, fundamental, label, one_year_return_percent,
 * volatility_percent, price, sma200, rsi14, prompt_tokens,
 * completion_tokens, cost_usd, thread_id, pdf}. New object.
 */
cJSON *batch_summary_row(const cJSON *final, const char *thread_id);

/*
 * The ranking of batch B (store_batch_get): done symbols by overall score,
 * best first, then the failed ones; each row with its "status" and, when
 * PREV (the previous batch of the list, NULL for none) has the symbol,
 * "changes", a list of what moved. New array.
 */
cJSON *batch_summary_rank(const cJSON *b, const cJSON *prev);

/*
 * Builds batch B's summary against the previous batch of its watchlist,
 * writes it as CSV to OUT/batches/BATCH_summary.csv (OUT: the out
 * setting), uploads that beside the reports when the s3 setting is set,
 * and prints it as FORMAT asks: text (a table, on a terminal only), json
 * (the whole summary), ndjson (a "summary" event) or csv. Returns 0, or
 * an exit code with *cause.
 */
int batch_summary_finish(struct settings *s, struct store *st, const cJSON *b,
    const struct output_opts *out, char **cause);

#endif
