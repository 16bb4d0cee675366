/*
 * batch.h: many analyses in one process (stockagent batch).
 *
 * A batch is recorded in the database (lib/store-batch.h) before its
 * first analysis starts, and every symbol's state as it changes, so a
 * batch killed at any moment is continued by batch_continue without
 * analysing again a symbol that was done. The analyses run on worker
 * threads, each with its own database connection and model; one batch
 * runs at a time on a database (the lock "batch", lib/lease.h).
 */
#ifndef STOCKAGENT_BATCH_H
#define STOCKAGENT_BATCH_H

#include <cjson/cJSON.h>

#include "src/batch-shard.h"
#include "src/output.h"

struct settings;

struct batch_opts {
	const char *watchlist;	  /* where the symbols came from, or NULL */
	const cJSON *symbols;	  /* normalised, each once (borrowed) */
	const char *as_of;	  /* "YYYY-MM-DD" or NULL: today */
	int jobs;		  /* worker threads; 0: the cores */
	int force;		  /* a new batch even when one for the list and
				     date exists */
	int retry;		  /* batch_continue: failed symbols again */
	int wait_s;		  /* seconds to wait for another batch */
	int progress;		  /* a progress line on stderr */
	struct batch_shard shard; /* this worker's part; count 0: all */
	struct output_opts out;
};

/*
 * Runs the batch of O->symbols (only O->shard's part of them when
 * O->shard.count > 1) for O->as_of: a new one, or the one already
 * recorded for the same list and date (its done symbols are skipped)
 * unless O->force. Returns 0 when every symbol is done,
 * EXIT_PARTIAL when some failed, the failure's exit code when all
 * did, or EXIT_BUSY / EXIT_USAGE / EXIT_STORAGE (printed).
 */
int batch_start(struct settings *s, const struct batch_opts *o);

/*
 * The name shared by the shards of one watchlist and date, under which
 * each uploads its summary (batches/GROUP/shard-K.json): "AS_OF-" and the
 * first 12 hex digits of HEX, the SHA-256 of the whole list. Heap string.
 */
char *batch_group(const char *as_of, const char *hex);

/* The group of the whole list SYMBOLS (normalised; in any order: the
 * hash is of the sorted list) for AS_OF; heap. */
char *batch_group_of(const cJSON *symbols, const char *as_of);

/* Continues batch ID (after a kill, or its failed symbols again with
 * O->retry); O->symbols and O->watchlist are not read. As batch_start. */
int batch_continue(struct settings *s, const char *id,
    const struct batch_opts *o);

#endif
