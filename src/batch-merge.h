/*
 * batch-merge.h: the summary of a batch that ran as shards on many
 * machines (stockagent batch merge).
 *
 * Each shard of a watchlist and date uploads its summary as
 * PREFIX/batches/GROUP/shard-K.json (batch.h, batch_group); the merge
 * reads shard-0.json, which says how many shards there are, then the
 * others, and ranks all their symbols together as one batch would.
 */
#ifndef STOCKAGENT_BATCH_MERGE_H
#define STOCKAGENT_BATCH_MERGE_H

#include "src/output.h"

struct settings;

/* The most bytes of one shard's summary. */
#define BATCH_MERGE_SHARD_MAX (64 * 1024 * 1024)

/*
 * Reads the shards' summaries under URI ("s3://BUCKET/PREFIX/batches/
 * GROUP"), writes the merged summary as CSV and PDF under the out
 * setting (OUT/batches/GROUP_summary.csv, .pdf), uploads them beside the
 * shards' as summary.csv and summary.pdf, and prints it as OUT asks (as
 * batch does). What changed is marked against the previous merged summary
 * of the watchlist: each merge keeps its summary as GROUP/summary.json and
 * names it in the batches folder's HASH-latest.json (unless that names a
 * later date), which the next merge reads. Returns 0 when every symbol was
 * done, EXIT_PARTIAL when some failed, or an exit code (printed): EXIT_USAGE
 * for a bad URI or a shard that does not belong, EXIT_NETWORK when S3 fails or
 * a shard's summary is missing, EXIT_STORAGE, EXIT_UPLOAD.
 */
int batch_merge(struct settings *s, const char *uri,
    const struct output_opts *out);

#endif
