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
 * step wrote, as LangGraph's channel versions do: its state column holds
 * an object of those channels' values, and its versions map names, for
 * each channel in state order, the checkpoint whose state holds the
 * channel's value. A connection remembers the versions map it wrote last
 * (the cache below): the next step of that thread writes the channels its
 * update names and takes the others' versions from the map, without
 * printing or reading them. After another connection's write, a resume,
 * or a failed step it writes every channel again. Rows written before
 * schema 8 (versions NULL) keep their whole state; rows written by schema
 * 8's first layout (state '') keep their channels in the channels table.
 *
 * The writes table keeps what a node returned only where it differs from
 * the channel value the step stored (an append or merge reducer's part):
 * a key the update overwrote is read back from its checkpoint's state,
 * and the checkpoint's metadata lists every key written.
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

/* The latest checkpoint: the highest step, then the newest. Ids start with
 * the step and then the time, fixed-width (checkpoint_new_id), so that is
 * the highest id: the primary key's last entry, read without a sort. */
static const char checkpoint_latest_sql[] =
    "SELECT checkpoint_id, step, next, state, versions FROM checkpoints"
    " WHERE thread_id = ? AND checkpoint_ns = ''"
    " ORDER BY checkpoint_id DESC LIMIT 1";

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

/* Whether A and B are the same JSON value: same types, numbers equal
 * exactly, members in the same order (what prints the same text). */
static int
checkpoint_same(const cJSON *a, const cJSON *b)
{
	const cJSON *x, *y;

	if (a == b)
		return 1;
	if ((a->type & 0xff) != (b->type & 0xff))
		return 0;
	if (cJSON_IsNumber(a))
		return a->valuedouble == b->valuedouble;
	if (cJSON_IsString(a) || cJSON_IsRaw(a))
		return strcmp(a->valuestring, b->valuestring) == 0;
	if (!cJSON_IsArray(a) && !cJSON_IsObject(a))
		return 1;
	for (x = a->child, y = b->child; x != NULL && y != NULL;
	     x = x->next, y = y->next)
		if ((cJSON_IsObject(a) && strcmp(x->string, y->string) != 0) ||
		    !checkpoint_same(x, y))
			return 0;
	return x == NULL && y == NULL;
}

/* One writes row per top-level key of UPDATE whose value is not what
 * STATE holds under it (those are read back from the channels). */
static int
checkpoint_put_writes(struct store *s, const char *thread_id, const char *id,
    int step, const char *node, const cJSON *state, const cJSON *update,
    char **cause)
{
	static const char sql[] =
	    "INSERT INTO writes (thread_id,"
	    " checkpoint_ns, checkpoint_id, task_id, idx, channel, type, value)"
	    " VALUES (?, '', ?, ?, ?, ?, 'json', ?)";
	const cJSON *item, *now;
	sqlite3_stmt *st;
	char *task = NULL, *value;
	int idx = -1, rc = 0;

	if (update == state)
		return 0;
	cJSON_ArrayForEach(item, update) {
		idx++;
		now = cJSON_IsObject(state) ?
		    cJSON_GetObjectItemCaseSensitive(state, item->string) :
		    NULL;
		if (now != NULL && checkpoint_same(item, now))
			continue;
		if (task == NULL)
			task = xasprintf("%s:%d",
			    node != NULL ? node : "__input__", step);
		if ((rc = store_prepare_kept(s, sql, &st, checkpoint_saving,
			 cause)) != 0)
			break;
		value = jsonwrite_print(item);
		store_bind_text(st, 1, thread_id);
		store_bind_text(st, 2, id);
		store_bind_text(st, 3, task);
		sqlite3_bind_int(st, 4, idx);
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
 * that checkpoint's versions map. */
struct checkpoint_cache {
	char *thread_id;
	char last_id[CHECKPOINT_ID_SIZE];
	cJSON *versions;
};

static void
checkpoint_cache_free(void *p)
{
	struct checkpoint_cache *c = p;

	if (c == NULL)
		return;
	free(c->thread_id);
	cJSON_Delete(c->versions);
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

/* After a committed step: S's cache is THREAD_ID at ID with VERSIONS
 * (taken; NULL drops the cache). */
static void
checkpoint_cache_set(struct store *s, const char *thread_id, const char *id,
    cJSON *versions)
{
	void **slot = store_cache_slot(s, checkpoint_cache_free);
	struct checkpoint_cache *c = *slot;

	if (versions == NULL) {
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
	cJSON_Delete(c->versions);
	c->versions = versions;
}

/*
 * The channels of STATE (an object) that checkpoint ID writes, those
 * UPDATE names and those CACHE (may be NULL: all of them) has no version
 * of, as the text of one object into *WRITTEN; the checkpoint's versions
 * map, in state order, into *VERSIONS.
 */
static void
checkpoint_channels(const char *id, const cJSON *state, const cJSON *update,
    const struct checkpoint_cache *cache, char **written, cJSON **versions)
{
	const cJSON *item, *old;
	cJSON *v = cJSON_CreateObject();
	struct buf b;

	buf_init(&b, 0);
	(void)buf_append(&b, "{", 1);
	cJSON_ArrayForEach(item, state) {
		old = cache != NULL && update != state &&
			(update == NULL ||
			    cJSON_GetObjectItemCaseSensitive(update,
				item->string) == NULL) ?
		    cJSON_GetObjectItemCaseSensitive(cache->versions,
			item->string) :
		    NULL;
		if (cJSON_IsString(old)) {
			cJSON_AddStringToObject(v, item->string,
			    old->valuestring);
			continue;
		}
		if (b.len > 1)
			(void)buf_append(&b, ",", 1);
		jsonwrite_member(&b, item->string, item);
		cJSON_AddStringToObject(v, item->string, id);
	}
	(void)buf_append(&b, "}", 1);
	*written = buf_take(&b);
	*versions = v;
}

/* The checkpoint row: TEXT (the whole state when VERSIONS is NULL, else
 * the channels it wrote) and VERSIONS. */
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

/* The JSON in the one column SQL selects for THREAD_ID, ID and, when
 * not NULL, CHANNEL into *OUT (NULL: no row, or not JSON). */
static int
checkpoint_lookup(struct store *s, const char *sql, const char *thread_id,
    const char *id, const char *channel, cJSON **out, char **cause)
{
	sqlite3_stmt *st;
	const char *text;
	int rc;

	*out = NULL;
	if ((rc = store_prepare_kept(s, sql, &st, "reading checkpoints",
		 cause)) != 0)
		return rc;
	store_bind_text(st, 1, thread_id);
	store_bind_text(st, 2, id);
	if (channel != NULL)
		store_bind_text(st, 3, channel);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW &&
	    (text = (const char *)sqlite3_column_text(st, 0)) != NULL)
		*out = cJSON_Parse(text);
	store_release(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(s, rc, "reading checkpoints", cause);
	return 0;
}

/* Channel CHANNEL of checkpoint ID as the channels table holds it (rows
 * of schema 8's first layout), or NULL. */
static int
checkpoint_channel_row(struct store *s, const char *thread_id, const char *id,
    const char *channel, cJSON **out, char **cause)
{
	static const char sql[] =
	    "SELECT value FROM channels"
	    " WHERE thread_id = ? AND checkpoint_id = ? AND channel = ?";

	return checkpoint_lookup(s, sql, thread_id, id, channel, out, cause);
}

/* The channels checkpoint ID of THREAD_ID wrote (its state column) into
 * *OUT, or JSON null when it keeps them in the channels table. */
static int
checkpoint_written_of(struct store *s, const char *thread_id, const char *id,
    cJSON **out, char **cause)
{
	static const char sql[] = "SELECT state FROM checkpoints"
				  " WHERE thread_id = ? AND checkpoint_ns = ''"
				  " AND checkpoint_id = ?";
	int rc = checkpoint_lookup(s, sql, thread_id, id, NULL, out, cause);

	if (rc == 0 && !cJSON_IsObject(*out)) {
		cJSON_Delete(*out);
		*out = cJSON_CreateNull();
	}
	return rc;
}

/*
 * The state of checkpoint ID: TEXT itself (VERSIONS NULL), or the channel
 * values its VERSIONS map names, each from the state column of the
 * checkpoint it names (TEXT for ID itself) or from the channels table,
 * into *OUT; NULL when broken.
 */
static int
checkpoint_state(struct store *s, const char *thread_id, const char *id,
    const char *text, const char *versions, cJSON **out, char **cause)
{
	cJSON *v, *item, *state, *value, *rows, *src = NULL;
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
	rows = cJSON_CreateObject(); /* checkpoint id -> what it wrote */
	cJSON_ArrayForEach(item, v) {
		if (!cJSON_IsString(item))
			break;
		src = cJSON_GetObjectItemCaseSensitive(rows, item->valuestring);
		if (src == NULL && strcmp(item->valuestring, id) == 0) {
			src = text != NULL && *text == '{' ? cJSON_Parse(text) :
							     NULL;
			if (src == NULL)
				src = cJSON_CreateNull();
			cJSON_AddItemToObject(rows, item->valuestring, src);
		} else if (src == NULL) {
			if ((rc = checkpoint_written_of(s, thread_id,
				 item->valuestring, &src, cause)) != 0)
				break;
			cJSON_AddItemToObject(rows, item->valuestring, src);
		}
		if (cJSON_IsObject(src))
			value = cJSON_DetachItemFromObjectCaseSensitive(src,
			    item->string);
		else if ((rc = checkpoint_channel_row(s, thread_id,
			      item->valuestring, item->string, &value,
			      cause)) != 0)
			break;
		if (value == NULL)
			break; /* missing or not JSON: broken */
		cJSON_AddItemToObject(state, item->string, value);
	}
	if (rc == 0 && item == NULL)
		*out = state;
	else
		cJSON_Delete(state);
	cJSON_Delete(rows);
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
	cJSON *versions = NULL;
	char *text = NULL, *vtext = NULL;
	int rc;

	if ((rc = store_begin(s, cause)) != 0)
		goto fail;
	checkpoint_new_id(step, id);
	if ((rc = checkpoint_parent(s, thread_id, parent, cause)) != 0)
		goto rollback;
	if (step < 0 && parent[0] != '\0') {
		rc = store_set_error(s, STORE_E_EXISTS, cause,
		    xasprintf("thread %s already has checkpoints; resume it "
			      "or use a new thread id",
			thread_id));
		goto rollback;
	}
	if ((rc = checkpoint_put_writes(s, thread_id, id, step, node, state,
		 update, cause)) != 0)
		goto rollback;
	if (cJSON_IsObject(state)) {
		checkpoint_channels(id, state, update,
		    checkpoint_cache_for(s, thread_id, parent), &text,
		    &versions);
		vtext = jsonwrite_print(versions);
	} else {
		text = jsonwrite_print(state);
	}
	if ((rc = checkpoint_put_row(s, thread_id, id, parent, step, node, next,
		 source, text, vtext, update, cause)) != 0 ||
	    (rc = checkpoint_put_run(s, thread_id, step, next, source,
		 cause)) != 0 ||
	    (rc = lease_renew(s, thread_id, cause)) != 0)
		goto rollback;
	if ((rc = store_commit(s, cause)) != 0)
		goto fail;
	checkpoint_cache_set(s, thread_id, id, versions);
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
	if ((rc = store_prepare_kept(s, checkpoint_latest_sql, &st,
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
			(const char *)sqlite3_column_text(st, 0),
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
	store_release(st);
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

/* The writes of checkpoint ID as {channel: value}: the writes rows, and
 * for each other key its METADATA lists, that key's value in STATE. */
static int
checkpoint_writes_of(struct store *s, const char *thread_id, const char *id,
    const cJSON *metadata, const cJSON *state, cJSON **out, char **cause)
{
	static const char sql[] =
	    "SELECT channel, value FROM writes"
	    " WHERE thread_id = ? AND checkpoint_ns = '' AND checkpoint_id = ?"
	    " ORDER BY task_id, idx";
	sqlite3_stmt *st = NULL;
	const cJSON *keys = cJSON_GetObjectItemCaseSensitive(metadata,
			"writes"),
		    *key, *v;
	cJSON *o, *rows;
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
	if (cJSON_IsArray(keys)) {
		rows = o;
		o = cJSON_CreateObject();
		cJSON_ArrayForEach(key, keys) {
			if (!cJSON_IsString(key))
				continue;
			v = cJSON_GetObjectItemCaseSensitive(rows,
			    key->valuestring);
			if (v == NULL)
				v = cJSON_GetObjectItemCaseSensitive(state,
				    key->valuestring);
			cJSON_AddItemToObject(o, key->valuestring,
			    v != NULL ? cJSON_Duplicate(v, 1) :
					cJSON_CreateNull());
		}
		cJSON_Delete(rows);
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
	cJSON *arr, *o, *w = NULL, *state, *meta;
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
		meta = checkpoint_json_column(st, 7);
		cJSON_AddItemToObject(o, "metadata", meta);
		if (checkpoint_state(s, thread_id,
			(const char *)sqlite3_column_text(st, 0),
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
			(const char *)sqlite3_column_text(st, 0), meta, state,
			&w, cause) != 0) {
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
