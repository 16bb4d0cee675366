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

/* The rows of the array ROWS (taken) ranked and numbered again; new
 * array. */
cJSON *batch_summary_rerank(cJSON *rows);

/*
 * Writes SUMMARY's ranking as OUT/batches/STEM.csv and, unless the no_pdf
 * setting, the summary PDF as OUT/batches/STEM.pdf (OUT: the out
 * setting), uploading each as S3_STEM.csv / .pdf under the S3 URI S3_BASE
 * unless it is NULL; adds their paths ("csv", "pdf") and URIs
 * ("csv_s3_uri", "pdf_s3_uri") to SUMMARY. Returns 0, or an exit code
 * with *cause.
 */
int batch_summary_files(struct settings *s, cJSON *summary, const char *stem,
    const char *s3_base, const char *s3_stem, char **cause);

/*
 * The summary of a batch run as shards: HEAD (borrowed) is shard 0's
 * summary (id from its "group", as_of, watchlist, shards), ROWS (taken)
 * all the shards' ranking rows, ranked again here. New object.
 */
cJSON *batch_summary_merged(const cJSON *head, cJSON *rows);

/*
 * Marks in SUMMARY's ranking what changed since PREV, the summary of an
 * earlier batch of the same watchlist (batch merge keeps the last one in
 * S3): each row's "changes" and "changes_text" are computed again
 * against PREV's row of its symbol, and SUMMARY's "previous" is PREV's id.
 */
void batch_summary_changes_since(cJSON *summary, const cJSON *prev);
/* 0 when every row of SUMMARY's ranking is done, EXIT_PARTIAL when some
 * are, else EXIT_FAILURE_ANY. */
int batch_summary_code(const cJSON *summary);

/* Prints SUMMARY (id, as_of, ranking) as OUT asks: text (a table, on a
 * terminal only), json, ndjson (a "summary" event) or csv. */
void batch_summary_print(const cJSON *summary, const struct output_opts *out);

/*
 * Builds batch B's summary against the previous batch of its watchlist,
 * writes it as CSV and PDF (batch_summary_files, stem BATCH_summary,
 * uploaded under the s3 setting as batches/BATCH_summary), and with the
 * s3 setting its JSON as batches/GROUP/shard-K.json for batch merge,
 * and prints it as FORMAT asks: text (a table, on a terminal only), json
 * (the whole summary), ndjson (a "summary" event) or csv. Returns 0, or
 * an exit code with *cause.
 */
int batch_summary_finish(struct settings *s, struct store *st, const cJSON *b,
    const struct output_opts *out, char **cause);

#endif
