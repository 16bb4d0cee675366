/*
 * store-batch.h: batches of runs in the store's database.
 *
 * A batch is one row of the batches table (id, the watchlist it was made
 * from and the SHA-256 of its symbols, as-of date, options as JSON,
 * status) and one row per symbol in batch_items, in watchlist order:
 * state queued|running|done|failed, the exit code and message of a
 * failure, the run's thread id, its report's path and S3 URI, and "row",
 * the numbers the batch summary ranks (JSON).
 *
 * Functions return 0, or a negative STORE_E_* category (store.h) with
 * *cause set. cJSON results are new objects the caller deletes.
 */
#ifndef STOCKAGENT_STORE_BATCH_H
#define STOCKAGENT_STORE_BATCH_H

#include <cjson/cJSON.h>

struct store;

/* "20250904-T093011-1a2b3c" + NUL, rounded up. */
#define STORE_BATCH_ID_SIZE 40

/* What a symbol's state becomes (store_batch_item_set). */
struct store_batch_item {
	const char *symbol;
	const char *state;	 /* queued|running|done|failed */
	int exit_code;		 /* failed: its exit code; else 0 */
	const char *message;	 /* failed: one line; else NULL */
	const char *thread_id;	 /* the run, or NULL */
	const char *report_path; /* NULL: none */
	const char *s3_uri;	 /* NULL: none */
	const cJSON *row;	 /* summary numbers (borrowed), or NULL */
};

/* A new batch id from the time and random bits into BUF; returns BUF. */
char *store_batch_new_id(char buf[STORE_BATCH_ID_SIZE]);

/*
 * Records batch ID with SYMBOLS (an array of strings, each queued) in one
 * transaction. WATCHLIST (NULL allowed) names where they came from; HASH
 * identifies the list; OPTIONS (borrowed, NULL allowed) is kept as JSON.
 */
int store_batch_create(struct store *s, const char *id, const char *watchlist,
    const char *hash, const char *as_of, const cJSON *options,
    const cJSON *symbols, char **cause);

/*
 * The batch as {id, watchlist, watchlist_hash, as_of, options, status,
 * created_at, updated_at, items: [{symbol, state, exit_code, message,
 * thread_id, report_path, s3_uri, row, updated_at}]}. STORE_E_NOTFOUND
 * if there is none.
 */
int store_batch_get(struct store *s, const char *id, cJSON **out, char **cause);

/* Every batch newest first, each like store_batch_get without items
 * but with counts {total, done, failed}. */
int store_batch_list(struct store *s, cJSON **out, char **cause);

/*
 * The newest batch of watchlist HASH: with AS_OF (not NULL) the one for
 * that date; with BEFORE (not NULL) the newest created before the batch
 * BEFORE with another as-of date (the one to compare with). *ID_OUT is a
 * heap string, or NULL when there is none.
 */
int store_batch_find(struct store *s, const char *hash, const char *as_of,
    const char *before, char **id_out, char **cause);

/* Sets one symbol's state (all of IT's fields) and the batch's
 * updated_at. STORE_E_NOTFOUND if the batch has no such symbol. */
int store_batch_item_set(struct store *s, const char *id,
    const struct store_batch_item *it, char **cause);

/* Sets the batch's status (running|done|failed|partial). */
int store_batch_set_status(struct store *s, const char *id, const char *status,
    char **cause);

/* Queues again, as new runs, the failed items of batch ID; *N_OUT (may
 * be NULL) counts them. */
int store_batch_requeue_failed(struct store *s, const char *id, int *n_out,
    char **cause);

#endif
