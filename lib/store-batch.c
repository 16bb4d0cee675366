/*
 * store-batch.c: batches of runs (see store-batch.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/store-batch.h"
#include "lib/store-int.h"
#include "lib/store.h"
#include "lib/xmalloc.h"

char *
store_batch_new_id(char buf[STORE_BATCH_ID_SIZE])
{
	char tid[STORE_THREAD_ID_SIZE];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, STORE_BATCH_ID_SIZE, "%Y%m%d-%H%M%S-", &tm);
	/* Six hex digits from the UUID's random end (its start is the time,
	 * which the id already says). */
	store_new_thread_id(tid);
	snprintf(buf + strlen(buf), STORE_BATCH_ID_SIZE - strlen(buf), "%.6s",
	    tid + STORE_THREAD_ID_SIZE - 7);
	return buf;
}

/* Binds JSON V's text (NULL when V is NULL) to parameter I of ST. */
static void
store_batch_bind_json(sqlite3_stmt *st, int i, const cJSON *v)
{
	char *text = v != NULL ? cJSON_PrintUnformatted(v) : NULL;

	store_bind_text(st, i, text);
	free(text);
}

static int
store_batch_insert(struct store *s, const char *id, const char *watchlist,
    const char *hash, const char *as_of, const cJSON *options, char **cause)
{
	static const char sql[] =
	    "INSERT INTO batches (id, watchlist,"
	    " watchlist_hash, as_of, options, created_at, updated_at)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st = NULL;
	char now[STORE_TIME_SIZE];
	int rc;

	if ((rc = store_prepare(s, sql, &st, "recording the batch", cause)) !=
	    0)
		return rc;
	store_now(now);
	store_bind_text(st, 1, id);
	store_bind_text(st, 2, watchlist);
	store_bind_text(st, 3, hash);
	store_bind_text(st, 4, as_of);
	store_batch_bind_json(st, 5, options);
	store_bind_text(st, 6, now);
	store_bind_text(st, 7, now);
	return store_step_done(s, st, "recording the batch", cause);
}

static int
store_batch_insert_items(struct store *s, const char *id, const cJSON *symbols,
    char **cause)
{
	static const char sql[] =
	    "INSERT INTO batch_items (batch_id,"
	    " position, symbol, updated_at) VALUES (?, ?, ?, ?)";
	char now[STORE_TIME_SIZE];
	sqlite3_stmt *st = NULL;
	const cJSON *sym;
	int rc = 0, pos = 0;

	store_now(now);
	cJSON_ArrayForEach(sym, symbols) {
		if ((rc = store_prepare(s, sql, &st, "recording the batch",
			 cause)) != 0)
			break;
		store_bind_text(st, 1, id);
		sqlite3_bind_int(st, 2, pos++);
		store_bind_text(st, 3, cJSON_GetStringValue(sym));
		store_bind_text(st, 4, now);
		if ((rc = store_step_done(s, st, "recording the batch",
			 cause)) != 0)
			break;
	}
	return rc;
}

int
store_batch_create(struct store *s, const char *id, const char *watchlist,
    const char *hash, const char *as_of, const cJSON *options,
    const cJSON *symbols, char **cause)
{
	int rc;

	if ((rc = store_begin(s, cause)) != 0)
		return rc;
	if ((rc = store_batch_insert(s, id, watchlist, hash, as_of, options,
		 cause)) != 0 ||
	    (rc = store_batch_insert_items(s, id, symbols, cause)) != 0) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, cause);
}

/* Replaces the JSON text under KEY of every object of ARR by its value. */
static void
store_batch_parse_key(cJSON *arr, const char *key)
{
	cJSON *o, *v, *parsed;

	cJSON_ArrayForEach(o, arr) {
		v = cJSON_GetObjectItemCaseSensitive(o, key);
		if (!cJSON_IsString(v))
			continue;
		if ((parsed = cJSON_Parse(v->valuestring)) != NULL)
			cJSON_ReplaceItemInObjectCaseSensitive(o, key, parsed);
	}
}

/* Runs SQL with up to two text parameters into *OUT (rows). */
static int
store_batch_query(struct store *s, const char *sql, const char *p1,
    const char *p2, cJSON **out, char **cause)
{
	return store_query(s, sql, p1, p2, "reading batches", out, cause);
}

int
store_batch_get(struct store *s, const char *id, cJSON **out, char **cause)
{
	static const char head[] =
	    "SELECT id, watchlist, watchlist_hash,"
	    " as_of, options, status, created_at, updated_at FROM batches"
	    " WHERE id = ?";
	static const char items[] =
	    "SELECT symbol, state, exit_code,"
	    " message, thread_id, report_path, s3_uri, row, updated_at"
	    " FROM batch_items WHERE batch_id = ? ORDER BY position";
	cJSON *rows = NULL, *its = NULL, *b;
	int rc;

	if ((rc = store_batch_query(s, head, id, NULL, &rows, cause)) != 0)
		return rc;
	if (cJSON_GetArraySize(rows) == 0) {
		cJSON_Delete(rows);
		return store_set_error(s, STORE_E_NOTFOUND, cause,
		    xasprintf("no batch '%s'; see 'stockagent batch list'",
			id));
	}
	if ((rc = store_batch_query(s, items, id, NULL, &its, cause)) != 0) {
		cJSON_Delete(rows);
		return rc;
	}
	store_batch_parse_key(rows, "options");
	store_batch_parse_key(its, "row");
	b = cJSON_DetachItemFromArray(rows, 0);
	cJSON_AddItemToObject(b, "items", its);
	cJSON_Delete(rows);
	*out = b;
	return 0;
}

int
store_batch_list(struct store *s, cJSON **out, char **cause)
{
	static const char sql[] =
	    "SELECT b.id, b.watchlist,"
	    " b.watchlist_hash, b.as_of, b.status, b.created_at, b.updated_at,"
	    " count(i.symbol) AS total,"
	    " sum(i.state = 'done') AS done, sum(i.state = 'failed') AS failed"
	    " FROM batches b LEFT JOIN batch_items i ON i.batch_id = b.id"
	    " GROUP BY b.id ORDER BY b.created_at DESC, b.rowid DESC";

	return store_batch_query(s, sql, NULL, NULL, out, cause);
}

int
store_batch_find(struct store *s, const char *hash, const char *as_of,
    const char *before, char **id_out, char **cause)
{
	static const char same[] =
	    "SELECT id FROM batches WHERE"
	    " watchlist_hash = ? AND as_of = ?"
	    " ORDER BY created_at DESC, rowid DESC LIMIT 1";
	static const char prev[] =
	    "SELECT id FROM batches b WHERE"
	    " watchlist_hash = ?1 AND rowid < (SELECT rowid FROM batches"
	    " WHERE id = ?2) AND as_of <> (SELECT as_of FROM batches"
	    " WHERE id = ?2) ORDER BY as_of DESC, rowid DESC LIMIT 1";
	cJSON *rows = NULL;
	const char *id;
	int rc;

	*id_out = NULL;
	rc = store_batch_query(s, before != NULL ? prev : same, hash,
	    before != NULL ? before : as_of, &rows, cause);
	if (rc != 0)
		return rc;
	id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetArrayItem(rows, 0), "id"));
	if (id != NULL)
		*id_out = xstrdup(id);
	cJSON_Delete(rows);
	return 0;
}

/* Sets the batch's updated_at (inside the caller's statement order). */
static int
store_batch_touch(struct store *s, const char *id, const char *status,
    char **cause)
{
	static const char sql[] = "UPDATE batches SET updated_at = ?,"
				  " status = coalesce(?, status) WHERE id = ?";
	char now[STORE_TIME_SIZE];
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prepare(s, sql, &st, "updating the batch", cause)) != 0)
		return rc;
	store_bind_text(st, 1, store_now(now));
	store_bind_text(st, 2, status);
	store_bind_text(st, 3, id);
	return store_step_done(s, st, "updating the batch", cause);
}

static int
store_batch_item_update(struct store *s, const char *id,
    const struct store_batch_item *it, char **cause)
{
	static const char sql[] =
	    "UPDATE batch_items SET state = ?,"
	    " exit_code = ?, message = ?, thread_id = ?, report_path = ?,"
	    " s3_uri = ?, row = ?, updated_at = ?"
	    " WHERE batch_id = ? AND symbol = ?";
	char now[STORE_TIME_SIZE];
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prepare(s, sql, &st, "updating the batch", cause)) != 0)
		return rc;
	store_bind_text(st, 1, it->state);
	if (it->exit_code != 0)
		sqlite3_bind_int(st, 2, it->exit_code);
	store_bind_text(st, 3, it->message);
	store_bind_text(st, 4, it->thread_id);
	store_bind_text(st, 5, it->report_path);
	store_bind_text(st, 6, it->s3_uri);
	store_batch_bind_json(st, 7, it->row);
	store_bind_text(st, 8, store_now(now));
	store_bind_text(st, 9, id);
	store_bind_text(st, 10, it->symbol);
	return store_step_done(s, st, "updating the batch", cause);
}

int
store_batch_item_set(struct store *s, const char *id,
    const struct store_batch_item *it, char **cause)
{
	int rc;

	if ((rc = store_begin(s, cause)) != 0)
		return rc;
	if ((rc = store_batch_item_update(s, id, it, cause)) == 0 &&
	    sqlite3_changes(store_handle(s)) == 0)
		rc = store_set_error(s, STORE_E_NOTFOUND, cause,
		    xasprintf("batch %s has no symbol %s", id, it->symbol));
	if (rc != 0 || (rc = store_batch_touch(s, id, NULL, cause)) != 0) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, cause);
}

int
store_batch_set_status(struct store *s, const char *id, const char *status,
    char **cause)
{
	return store_batch_touch(s, id, status, cause);
}

int
store_batch_requeue_failed(struct store *s, const char *id, int *n_out,
    char **cause)
{
	static const char sql[] =
	    "UPDATE batch_items SET state = 'queued',"
	    " exit_code = NULL, message = NULL, thread_id = NULL,"
	    " report_path = NULL, s3_uri = NULL, row = NULL"
	    " WHERE batch_id = ? AND state = 'failed'";
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prepare(s, sql, &st, "updating the batch", cause)) != 0)
		return rc;
	store_bind_text(st, 1, id);
	if ((rc = store_step_done(s, st, "updating the batch", cause)) != 0)
		return rc;
	if (n_out != NULL)
		*n_out = sqlite3_changes(store_handle(s));
	return 0;
}
