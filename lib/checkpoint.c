/*
 * checkpoint.c: checkpoints and pending writes in the store's database.
 *
 * One checkpoint_put is one BEGIN IMMEDIATE ... COMMIT: if the process dies
 * or the disk fills in the middle, SQLite rolls the whole step back and the
 * thread's latest checkpoint is still the previous, complete one. The same
 * transaction renews the run's lease (lease.h), and fails if another
 * process has taken the run over.
 *
 * A checkpoint stores only the channels (top-level keys of the state) its
 * step changed, as LangGraph's channel versions do: the channels table
 * holds a value once per change, and the checkpoint row's versions map
 * names, for each channel in state order, the checkpoint whose row holds
 * its value. A connection remembers the channels it wrote last (the
 * cache below), so a step compares each channel with what it wrote
 * before instead of reading it back; after another connection's write, a
 * resume, or a failed step it writes every channel again. Rows written
 * before the channels table (versions NULL) keep their whole state.
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
#include "lib/store-int.h"
#include "lib/xmalloc.h"

static const char checkpoint_latest_sql[] =
    "SELECT checkpoint_id, step, next, state, versions FROM checkpoints"
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

/* What a connection wrote last: the thread, its latest checkpoint, and
 * for each channel [checkpoint id, printed value]. */
struct checkpoint_cache {
	char *thread_id;
	char last_id[CHECKPOINT_ID_SIZE];
	cJSON *channels;
};

static void
checkpoint_cache_free(void *p)
{
	struct checkpoint_cache *c = p;

	if (c == NULL)
		return;
	free(c->thread_id);
	cJSON_Delete(c->channels);
	free(c);
}

/* The cache of S when it describes THREAD_ID up to checkpoint PARENT,
 * else NULL (and the stale one is dropped). */
static struct checkpoint_cache *
checkpoint_cache_for(struct store *s, const char *thread_id, const char *parent)
{
	void **slot = store_cache_slot(s, checkpoint_cache_free);
	struct checkpoint_cache *c = *slot;

	if (c != NULL && parent[0] != '\0' &&
	    strcmp(c->thread_id, thread_id) == 0 &&
	    strcmp(c->last_id, parent) == 0)
		return c;
	checkpoint_cache_free(c);
	*slot = NULL;
	return NULL;
}

/* After a committed step: S's cache is THREAD_ID at ID with CHANNELS
 * (taken; NULL drops the cache). */
static void
checkpoint_cache_set(struct store *s, const char *thread_id, const char *id,
    cJSON *channels)
{
	void **slot = store_cache_slot(s, checkpoint_cache_free);
	struct checkpoint_cache *c = *slot;

	if (channels == NULL) {
		checkpoint_cache_free(c);
		*slot = NULL;
		return;
	}
	if (c == NULL) {
		c = xcalloc(1, sizeof *c);
		*slot = c;
	}
	if (c->thread_id == NULL || strcmp(c->thread_id, thread_id) != 0) {
		free(c->thread_id);
		c->thread_id = xstrdup(thread_id);
	}
	snprintf(c->last_id, sizeof c->last_id, "%s", id);
	cJSON_Delete(c->channels);
	c->channels = channels;
}

/*
 * The channels of STATE (an object) that differ from CACHE (may be NULL:
 * all of them) into channels rows of checkpoint ID; the versions map of
 * the checkpoint into *VERSIONS and the next cache into *CHANNELS.
 */
static int
checkpoint_put_channels(struct store *s, const char *thread_id, const char *id,
    const cJSON *state, const struct checkpoint_cache *cache, cJSON **versions,
    cJSON **channels, char **cause)
{
	static const char sql[] =
	    "INSERT INTO channels (thread_id, checkpoint_id, channel, value)"
	    " VALUES (?, ?, ?, ?)";
	const cJSON *item, *old;
	cJSON *v = cJSON_CreateObject(), *ch = cJSON_CreateObject(), *pair;
	sqlite3_stmt *st;
	const char *from;
	char *text;
	int rc = 0;

	cJSON_ArrayForEach(item, state) {
		text = jsonwrite_print(item);
		old = cache != NULL ?
		    cJSON_GetObjectItemCaseSensitive(cache->channels,
			item->string) :
		    NULL;
		if (old != NULL &&
		    strcmp(cJSON_GetStringValue(cJSON_GetArrayItem(old, 1)),
			text) == 0) {
			from = cJSON_GetStringValue(cJSON_GetArrayItem(old, 0));
		} else {
			from = id;
			if ((rc = store_prepare_kept(s, sql, &st,
				 checkpoint_saving, cause)) != 0) {
				free(text);
				break;
			}
			store_bind_text(st, 1, thread_id);
			store_bind_text(st, 2, id);
			store_bind_text(st, 3, item->string);
			store_bind_text(st, 4, text);
			if ((rc = store_step_release(s, st, checkpoint_saving,
				 cause)) != 0) {
				free(text);
				break;
			}
		}
		cJSON_AddStringToObject(v, item->string, from);
		pair = cJSON_AddArrayToObject(ch, item->string);
		cJSON_AddItemToArray(pair, cJSON_CreateString(from));
		cJSON_AddItemToArray(pair, cJSON_CreateString(text));
		free(text);
	}
	if (rc != 0) {
		cJSON_Delete(v);
		cJSON_Delete(ch);
		return rc;
	}
	*versions = v;
	*channels = ch;
	return 0;
}

/* The checkpoint row: STATE whole (TEXT) or its VERSIONS map. */
static int
checkpoint_put_row(struct store *s, const char *thread_id, const char *id,
    const char *parent, int step, const char *node, const char *next,
    const char *source, const char *text, const char *versions,
    const cJSON *update, char **cause)
{
	static const char sql[] =
	    "INSERT INTO checkpoints (thread_id,"
	    " checkpoint_ns, checkpoint_id, parent_checkpoint_id, step, node,"
	    " next, source, state, versions, metadata, created_at)"
	    " VALUES (?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	cJSON *meta = cJSON_CreateObject(), *keys, *item;
	char now[STORE_TIME_SIZE], *mtext = NULL;
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
	mtext = jsonwrite_print(meta);
	store_bind_text(st, 1, thread_id);
	store_bind_text(st, 2, id);
	store_bind_text(st, 3, parent[0] != '\0' ? parent : NULL);
	sqlite3_bind_int(st, 4, step);
	store_bind_text(st, 5, node);
	store_bind_text(st, 6, next);
	store_bind_text(st, 7, source);
	store_bind_text(st, 8, text);
	store_bind_text(st, 9, versions);
	store_bind_text(st, 10, mtext);
	store_bind_text(st, 11, store_now(now));
	rc = store_step_release(s, st, checkpoint_saving, cause);
out:
	free(mtext);
	cJSON_Delete(meta);
	return rc;
}

/* The state of a checkpoint: TEXT itself, or the channel values its
 * VERSIONS map names (when not NULL), into *OUT; NULL when broken. */
static int
checkpoint_state(struct store *s, const char *thread_id, const char *text,
    const char *versions, cJSON **out, char **cause)
{
	static const char sql[] =
	    "SELECT value FROM channels"
	    " WHERE thread_id = ? AND checkpoint_id = ? AND channel = ?";
	cJSON *v, *item, *state, *value;
	sqlite3_stmt *st;
	int rc = 0;

	*out = NULL;
	if (versions == NULL) {
		*out = cJSON_Parse(text != NULL ? text : "");
		return 0;
	}
	if ((v = cJSON_Parse(versions)) == NULL || !cJSON_IsObject(v)) {
		cJSON_Delete(v);
		return 0;
	}
	state = cJSON_CreateObject();
	cJSON_ArrayForEach(item, v) {
		if (!cJSON_IsString(item) ||
		    (rc = store_prepare_kept(s, sql, &st, "reading checkpoints",
			 cause)) != 0)
			break;
		store_bind_text(st, 1, thread_id);
		store_bind_text(st, 2, item->valuestring);
		store_bind_text(st, 3, item->string);
		rc = sqlite3_step(st);
		value = rc == SQLITE_ROW ?
		    cJSON_Parse((const char *)sqlite3_column_text(st, 0)) :
		    NULL;
		store_release(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			rc = store_error(s, rc, "reading checkpoints", cause);
			break;
		}
		rc = 0;
		if (value == NULL)
			break; /* missing or not JSON: broken */
		cJSON_AddItemToObject(state, item->string, value);
	}
	if (rc == 0 && item == NULL)
		*out = state;
	else
		cJSON_Delete(state);
	cJSON_Delete(v);
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
	cJSON *versions = NULL, *channels = NULL;
	char *text = NULL, *vtext = NULL;
	int rc;

	if ((rc = store_begin(s, cause)) != 0)
		goto fail;
	checkpoint_new_id(step, id);
	if ((rc = checkpoint_parent(s, thread_id, parent, cause)) != 0 ||
	    (rc = checkpoint_put_writes(s, thread_id, id, step, node, update,
		 cause)) != 0)
		goto rollback;
	if (cJSON_IsObject(state)) {
		if ((rc = checkpoint_put_channels(s, thread_id, id, state,
			 checkpoint_cache_for(s, thread_id, parent), &versions,
			 &channels, cause)) != 0)
			goto rollback;
		vtext = jsonwrite_print(versions);
	} else {
		text = jsonwrite_print(state);
	}
	if ((rc = checkpoint_put_row(s, thread_id, id, parent, step, node, next,
		 source, text != NULL ? text : "", vtext, update, cause)) !=
		0 ||
	    (rc = checkpoint_put_run(s, thread_id, step, next, source,
		 cause)) != 0 ||
	    (rc = lease_renew(s, thread_id, cause)) != 0)
		goto rollback;
	if ((rc = store_commit(s, cause)) != 0)
		goto fail;
	checkpoint_cache_set(s, thread_id, id, channels);
	channels = NULL;
	cJSON_Delete(versions);
	free(text);
	free(vtext);
	if (id_out != NULL)
		memcpy(id_out, id, CHECKPOINT_ID_SIZE);
	return 0;
rollback:
	store_rollback(s);
fail:
	checkpoint_cache_set(s, thread_id, "", NULL);
	cJSON_Delete(versions);
	cJSON_Delete(channels);
	free(text);
	free(vtext);
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
	} else if ((rc = checkpoint_state(s, thread_id,
			(const char *)sqlite3_column_text(st, 3),
			(const char *)sqlite3_column_text(st, 4), state_out,
			cause)) != 0) {
		/* rc and *cause set */
	} else if (*state_out == NULL) {
		*cause = xasprintf("checkpoint %s of thread %s in %s is not "
				   "valid JSON or lacks a channel; see "
				   "'stockagent db check'",
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
	    " step, node, next, source, created_at, metadata, state, versions"
	    " FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ''"
	    " ORDER BY step, checkpoint_id";
	sqlite3_stmt *st = NULL;
	cJSON *arr, *o, *w = NULL, *state;
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
		if (checkpoint_state(s, thread_id,
			(const char *)sqlite3_column_text(st, 8),
			(const char *)sqlite3_column_text(st, 9), &state,
			cause) != 0) {
			sqlite3_finalize(st);
			cJSON_Delete(arr);
			return store_last_error(s);
		}
		cJSON_AddItemToObject(o, "state",
		    state != NULL ? state : cJSON_CreateNull());
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
