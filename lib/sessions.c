/*
 * sessions.c: serve's conversations in the run database.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "lib/jsonutil.h"
#include "lib/sessions.h"
#include "lib/store.h"
#include "lib/xmalloc.h"

static cJSON *
sessions_column_json(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	cJSON *v = t != NULL ? cJSON_Parse((const char *)t) : NULL;

	return v != NULL ? v : cJSON_CreateNull();
}

static void
sessions_column_text(cJSON *o, const char *key, sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	if (t != NULL)
		cJSON_AddStringToObject(o, key, (const char *)t);
	else
		cJSON_AddNullToObject(o, key);
}

/* The session object of the row ST stands on. */
static cJSON *
sessions_row(sqlite3_stmt *st)
{
	cJSON *o = cJSON_CreateObject(), *h;

	sessions_column_text(o, "id", st, 0);
	sessions_column_text(o, "thread_id", st, 1);
	sessions_column_text(o, "symbol", st, 2);
	cJSON_AddItemToObject(o, "result", sessions_column_json(st, 3));
	h = sessions_column_json(st, 4);
	cJSON_AddItemToObject(o, "history",
	    cJSON_IsArray(h) ? h : (cJSON_Delete(h), cJSON_CreateArray()));
	sessions_column_text(o, "created_at", st, 5);
	sessions_column_text(o, "updated_at", st, 6);
	return o;
}

int
sessions_get(struct store *s, const char *id, cJSON **out, char **cause)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*out = NULL;
	if ((rc = store_prepare(s,
		 "SELECT id, thread_id, symbol, result, "
		 "history, created_at, updated_at FROM sessions WHERE id = ?1 "
		 "AND expires_at > ?2",
		 &st, "reading a session", cause)) != 0)
		return rc;
	store_bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sessions_row(st);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		*cause = xasprintf("no session %s", id);
		rc = STORE_E_NOTFOUND;
	} else {
		rc = store_error(s, rc, "reading a session", cause);
	}
	sqlite3_finalize(st);
	return rc;
}

/* The last SESSIONS_MAX_TURNS turns of SESSION's history, as text. */
static char *
sessions_history(const cJSON *session)
{
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(session, "history");
	cJSON *cut = cJSON_CreateArray();
	int i, n = cJSON_GetArraySize(h);
	char *text;

	for (i = n > SESSIONS_MAX_TURNS ? n - SESSIONS_MAX_TURNS : 0; i < n;
	     i++)
		cJSON_AddItemToArray(cut,
		    cJSON_Duplicate(cJSON_GetArrayItem(h, i), 1));
	text = jsonutil_print(cut);
	cJSON_Delete(cut);
	return text;
}

int
sessions_put(struct store *s, const cJSON *session, long long ttl_s,
    char **cause)
{
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(session, "result");
	char now[STORE_TIME_SIZE], *result = NULL, *history;
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prepare(s,
		 "INSERT INTO sessions(id, thread_id, "
		 "symbol, result, history, created_at, updated_at, expires_at) "
		 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7) ON CONFLICT(id) DO "
		 "UPDATE "
		 "SET thread_id = ?2, symbol = ?3, result = ?4, history = ?5, "
		 "updated_at = ?6, expires_at = ?7",
		 &st, "saving a session", cause)) != 0)
		return rc;
	if (cJSON_IsObject(res))
		result = jsonutil_print(res);
	history = sessions_history(session);
	store_bind_text(st, 1, jsonutil_string(session, "id"));
	store_bind_text(st, 2, jsonutil_string(session, "thread_id"));
	store_bind_text(st, 3, jsonutil_string(session, "symbol"));
	store_bind_text(st, 4, result);
	store_bind_text(st, 5, history);
	store_bind_text(st, 6, store_now(now));
	sqlite3_bind_int64(st, 7, (sqlite3_int64)(time(NULL) + ttl_s));
	free(result);
	free(history);
	return store_step_done(s, st, "saving a session", cause);
}

int
sessions_expire(struct store *s, char **cause)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prepare(s,
		 "DELETE FROM sessions WHERE expires_at <= "
		 "?1",
		 &st, "expiring sessions", cause)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL));
	return store_step_done(s, st, "expiring sessions", cause);
}
