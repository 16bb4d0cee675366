/*
 * checkpoint.c: checkpoints and pending writes in the store's database.
 *
 * One checkpoint_put is one BEGIN IMMEDIATE ... COMMIT: if the process dies
 * or the disk fills in the middle, SQLite rolls the whole step back and the
 * thread's latest checkpoint is still the previous, complete one. The same
 * transaction renews the run's lease (lease.h), and fails if another
 * process has taken the run over.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "lib/checkpoint.h"
#include "lib/jsonwrite.h"
#include "lib/lease.h"
#include "lib/xmalloc.h"

static const char checkpoint_latest_sql[] =
    "SELECT checkpoint_id, step, next, state FROM checkpoints"
    " WHERE thread_id = ? AND checkpoint_ns = ''"
    " ORDER BY step DESC, checkpoint_id DESC LIMIT 1";

/* A new id: step first so ids sort by step, then time, then noise. */
static void
checkpoint_new_id(int step, char id[CHECKPOINT_ID_SIZE])
{
	struct timespec ts;
	unsigned short r = 0;
	unsigned long long ms;

	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (unsigned long long)ts.tv_sec * 1000ULL +
	    (unsigned long long)(ts.tv_nsec / 1000000L);
	if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
		r = (unsigned short)ts.tv_nsec;
	snprintf(id, CHECKPOINT_ID_SIZE, "%08x-%012llx-%04x",
	    (unsigned)(step + 1), ms & 0xffffffffffffULL, (unsigned)r);
}

/* The thread's latest checkpoint id into PARENT ("" if none). */
static int
checkpoint_parent(struct store *s, const char *thread_id,
    char parent[CHECKPOINT_ID_SIZE], char **cause)
{
	sqlite3_stmt *st = NULL;
	int rc;

	parent[0] = '\0';
	if ((rc = store_prepare_kept(s, checkpoint_latest_sql, &st,
		 "reading checkpoints", cause)) != 0)
		return rc;
	store_bind_text(st, 1, thread_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(parent, CHECKPOINT_ID_SIZE, "%s",
		    (const char *)sqlite3_column_text(st, 0));
	store_release(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(s, rc, "reading checkpoints", cause);
	return 0;
}

/* What a failure while writing a checkpoint says it was doing. */
static const char checkpoint_saving[] = "saving a checkpoint";

/* One writes row per top-level key of UPDATE. */
static int
checkpoint_put_writes(struct store *s, const char *thread_id, const char *id,
    int step, const char *node, const cJSON *update, char **cause)
{
	static const char sql[] =
	    "INSERT INTO writes (thread_id,"
	    " checkpoint_ns, checkpoint_id, task_id, idx, channel, type, value)"
	    " VALUES (?, '', ?, ?, ?, ?, 'json', ?)";
	const cJSON *item;
	sqlite3_stmt *st;
	char *task, *value;
	int idx = 0, rc = 0;

	task = xasprintf("%s:%d", node != NULL ? node : "__input__", step);
	cJSON_ArrayForEach(item, update) {
		if ((rc = store_prepare_kept(s, sql, &st, checkpoint_saving,
			 cause)) != 0)
			break;
		value = jsonwrite_print(item);
		store_bind_text(st, 1, thread_id);
		store_bind_text(st, 2, id);
		store_bind_text(st, 3, task);
		sqlite3_bind_int(st, 4, idx++);
		store_bind_text(st, 5, item->string);
		store_bind_text(st, 6, value);
		free(value);
		if ((rc = store_step_release(s, st, checkpoint_saving,
			 cause)) != 0)
			break;
	}
	free(task);
	return rc;
}

static int
checkpoint_put_row(struct store *s, const char *thread_id, const char *id,
    const char *parent, int step, const char *node, const char *next,
    const char *source, const cJSON *state, const cJSON *update, char **cause)
{
	static const char sql[] =
	    "INSERT INTO checkpoints (thread_id,"
	    " checkpoint_ns, checkpoint_id, parent_checkpoint_id, step, node,"
	    " next, source, state, metadata, created_at)"
	    " VALUES (?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	cJSON *meta = cJSON_CreateObject(), *keys, *item;
	char now[STORE_TIME_SIZE], *text = NULL, *mtext = NULL;
	sqlite3_stmt *st;
	int rc;

	cJSON_AddStringToObject(meta, "source", source);
	cJSON_AddNumberToObject(meta, "step", step);
	keys = cJSON_AddArrayToObject(meta, "writes");
	cJSON_ArrayForEach(item, update)
		cJSON_AddItemToArray(keys, cJSON_CreateString(item->string));
	if ((rc = store_prepare_kept(s, sql, &st, checkpoint_saving, cause)) !=
	    0)
		goto out;
	text = jsonwrite_print(state);
	mtext = jsonwrite_print(meta);
	store_bind_text(st, 1, thread_id);
	store_bind_text(st, 2, id);
	store_bind_text(st, 3, parent[0] != '\0' ? parent : NULL);
	sqlite3_bind_int(st, 4, step);
	store_bind_text(st, 5, node);
	store_bind_text(st, 6, next);
	store_bind_text(st, 7, source);
	store_bind_text(st, 8, text);
	store_bind_text(st, 9, mtext);
	store_bind_text(st, 10, store_now(now));
	rc = store_step_release(s, st, checkpoint_saving, cause);
out:
	free(text);
	free(mtext);
	cJSON_Delete(meta);
	return rc;
}

/* An edit (source "update") leaves the run's status and error alone. */
static int
checkpoint_put_run(struct store *s, const char *thread_id, int step,
    const char *next, const char *source, char **cause)
{
	static const char sql[] =
	    "INSERT INTO runs (thread_id, status,"
	    " created_at, updated_at, steps) VALUES (?1, ?2, ?3, ?3, ?4)"
	    " ON CONFLICT (thread_id) DO UPDATE SET"
	    " status = CASE WHEN ?5 = 'update' THEN status"
	    "  ELSE excluded.status END,"
	    " error = CASE WHEN ?5 = 'update' THEN error END,"
	    " updated_at = excluded.updated_at, steps = excluded.steps";
	char now[STORE_TIME_SIZE];
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare_kept(s, sql, &st, checkpoint_saving, cause)) !=
	    0)
		return rc;
	store_bind_text(st, 1, thread_id);
	store_bind_text(st, 2,
	    next != NULL && strcmp(next, "__end__") == 0 ? "done" : "running");
	store_bind_text(st, 3, store_now(now));
	sqlite3_bind_int(st, 4, step + 1);
	store_bind_text(st, 5, source);
	return store_step_release(s, st, checkpoint_saving, cause);
}

int
checkpoint_put(struct store *s, const char *thread_id, int step,
    const char *node, const char *next, const char *source, const cJSON *state,
    const cJSON *update, char *id_out, char **cause)
{
	char id[CHECKPOINT_ID_SIZE], parent[CHECKPOINT_ID_SIZE];
	int rc;

	if ((rc = store_begin(s, cause)) != 0)
		goto fail;
	checkpoint_new_id(step, id);
	if ((rc = checkpoint_parent(s, thread_id, parent, cause)) != 0 ||
	    (rc = checkpoint_put_writes(s, thread_id, id, step, node, update,
		 cause)) != 0 ||
	    (rc = checkpoint_put_row(s, thread_id, id, parent, step, node, next,
		 source, state, update, cause)) != 0 ||
	    (rc = checkpoint_put_run(s, thread_id, step, next, source,
		 cause)) != 0 ||
	    (rc = lease_renew(s, thread_id, cause)) != 0) {
		store_rollback(s);
		goto fail;
	}
	if ((rc = store_commit(s, cause)) != 0)
		goto fail;
	if (id_out != NULL)
		memcpy(id_out, id, CHECKPOINT_ID_SIZE);
	return 0;
fail:
	if (rc == STORE_E_FULL) {
		free(*cause);
		*cause = xasprintf("disk full writing %s; free space, then run "
				   "'stockagent runs resume %s'",
		    store_path(s), thread_id);
	}
	return rc;
}

int
checkpoint_get_latest(struct store *s, const char *thread_id, cJSON **state_out,
    int *step_out, char **next_out, char **cause)
{
	sqlite3_stmt *st = NULL;
	const char *text;
	int rc;

	*state_out = NULL;
	if (next_out != NULL)
		*next_out = NULL;
	if ((rc = store_prepare(s, checkpoint_latest_sql, &st,
		 "reading checkpoints", cause)) != 0)
		return rc;
	store_bind_text(st, 1, thread_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		*cause = xasprintf("thread %s has no checkpoints in %s; see "
				   "'stockagent runs list'",
		    thread_id, store_path(s));
		rc = STORE_E_NOTFOUND;
	} else if (rc != SQLITE_ROW) {
		rc = store_error(s, rc, "reading checkpoints", cause);
	} else if ((*state_out = cJSON_Parse(
			(text = (const char *)sqlite3_column_text(st, 3)) !=
				NULL ?
			    text :
			    "")) == NULL) {
		*cause = xasprintf("checkpoint %s of thread %s in %s is not "
				   "valid JSON",
		    sqlite3_column_text(st, 0), thread_id, store_path(s));
		rc = STORE_E_NOTADB;
	} else {
		*step_out = sqlite3_column_int(st, 1);
		text = (const char *)sqlite3_column_text(st, 2);
		if (next_out != NULL)
			*next_out = xstrdup(text != NULL ? text : "__end__");
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Column I as parsed JSON (null if NULL or not JSON). */
static cJSON *
checkpoint_json_column(sqlite3_stmt *st, int i)
{
	const char *text = (const char *)sqlite3_column_text(st, i);
	cJSON *v = text != NULL ? cJSON_Parse(text) : NULL;

	return v != NULL ? v : cJSON_CreateNull();
}

static void
checkpoint_add_text(cJSON *o, const char *name, sqlite3_stmt *st, int i)
{
	const char *text = (const char *)sqlite3_column_text(st, i);

	if (text != NULL)
		cJSON_AddStringToObject(o, name, text);
	else
		cJSON_AddNullToObject(o, name);
}

/* The writes of checkpoint ID as {channel: value}. */
static int
checkpoint_writes_of(struct store *s, const char *thread_id, const char *id,
    cJSON **out, char **cause)
{
	static const char sql[] =
	    "SELECT channel, value FROM writes"
	    " WHERE thread_id = ? AND checkpoint_ns = '' AND checkpoint_id = ?"
	    " ORDER BY task_id, idx";
	sqlite3_stmt *st = NULL;
	cJSON *o;
	int rc;

	if ((rc = store_prepare(s, sql, &st, "reading checkpoint writes",
		 cause)) != 0)
		return rc;
	o = cJSON_CreateObject();
	store_bind_text(st, 1, thread_id);
	store_bind_text(st, 2, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		cJSON_AddItemToObject(o,
		    (const char *)sqlite3_column_text(st, 0),
		    checkpoint_json_column(st, 1));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		cJSON_Delete(o);
		return store_error(s, rc, "reading checkpoint writes", cause);
	}
	*out = o;
	return 0;
}

int
checkpoint_list(struct store *s, const char *thread_id, cJSON **out,
    char **cause)
{
	static const char sql[] =
	    "SELECT checkpoint_id, parent_checkpoint_id,"
	    " step, node, next, source, created_at, metadata, state"
	    " FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ''"
	    " ORDER BY step, checkpoint_id";
	sqlite3_stmt *st = NULL;
	cJSON *arr, *o, *w = NULL;
	int rc;

	*out = NULL;
	if ((rc = store_prepare(s, sql, &st, "listing checkpoints", cause)) !=
	    0)
		return rc;
	arr = cJSON_CreateArray();
	store_bind_text(st, 1, thread_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		o = cJSON_CreateObject();
		cJSON_AddItemToArray(arr, o);
		checkpoint_add_text(o, "id", st, 0);
		checkpoint_add_text(o, "parent_id", st, 1);
		cJSON_AddNumberToObject(o, "step", sqlite3_column_int(st, 2));
		checkpoint_add_text(o, "node", st, 3);
		checkpoint_add_text(o, "next", st, 4);
		checkpoint_add_text(o, "source", st, 5);
		checkpoint_add_text(o, "created_at", st, 6);
		cJSON_AddItemToObject(o, "metadata",
		    checkpoint_json_column(st, 7));
		cJSON_AddItemToObject(o, "state",
		    checkpoint_json_column(st, 8));
		if (checkpoint_writes_of(s, thread_id,
			(const char *)sqlite3_column_text(st, 0), &w,
			cause) != 0) {
			sqlite3_finalize(st);
			cJSON_Delete(arr);
			return store_last_error(s);
		}
		cJSON_AddItemToObject(o, "writes", w);
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	*out = arr;
	return 0;
fail:
	sqlite3_finalize(st);
	cJSON_Delete(arr);
	return store_error(s, rc, "listing checkpoints", cause);
}
