/*
 * blobs.c: content-addressed blobs in the run database.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "lib/aws-sigv4.h"
#include "lib/blobs.h"
#include "lib/jsonutil.h"
#include "lib/store.h"
#include "lib/xmalloc.h"

static int
blobs_run(struct store *s, const char *sql, const char *a, const char *b,
    const char *c, long long n, char **cause)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prepare(s, sql, &st, "storing run data", cause)) != 0)
		return rc;
	/* Not copied (store_bind_text would): the data may be 64 MiB. */
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	if (c != NULL) {
		sqlite3_bind_text(st, 3, c, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, n);
	}
	return store_step_done(s, st, "storing run data", cause);
}

int
blobs_put(struct store *s, const char *thread_id, const char *data, size_t len,
    char id_out[BLOBS_ID_SIZE], char **cause)
{
	char now[STORE_TIME_SIZE];
	int rc;

	if (len > BLOBS_MAX) {
		*cause = xasprintf("run data of %zu bytes is over the %d-byte "
				   "limit",
		    len, BLOBS_MAX);
		return STORE_E_IO;
	}
	sigv4_sha256_hex(data, len, id_out);
	store_now(now);
	if ((rc = store_begin(s, cause)) != 0)
		return rc;
	if ((rc = blobs_run(s,
		 "INSERT OR IGNORE INTO blobs(id, data, "
		 "created_at, size) VALUES (?1, ?2, ?3, ?4)",
		 id_out, data, now, (long long)len, cause)) != 0 ||
	    (rc = blobs_run(s,
		 "INSERT OR IGNORE INTO run_blobs(thread_id, "
		 "blob_id) VALUES (?1, ?2)",
		 thread_id, id_out, NULL, 0, cause)) != 0) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, cause);
}

int
blobs_get(struct store *s, const char *id, char **data_out, char **cause)
{
	sqlite3_stmt *st = NULL;
	const unsigned char *text;
	int rc;

	*data_out = NULL;
	if ((rc = store_prepare(s, "SELECT data FROM blobs WHERE id = ?1", &st,
		 "reading run data", cause)) != 0)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && (text = sqlite3_column_text(st, 0)) != NULL) {
		*data_out = xstrdup((const char *)text);
		rc = 0;
	} else if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
		*cause = xasprintf("run data %.12s is missing from the "
				   "database",
		    id);
		rc = STORE_E_NOTFOUND;
	} else {
		rc = store_error(s, rc, "reading run data", cause);
	}
	sqlite3_finalize(st);
	return rc;
}

int
blobs_put_json(struct store *s, const char *thread_id, const cJSON *v,
    char id_out[BLOBS_ID_SIZE], char **cause)
{
	char *text = jsonutil_print(v);
	int rc;

	rc = blobs_put(s, thread_id, text, strlen(text), id_out, cause);
	free(text);
	return rc;
}

int
blobs_get_json(struct store *s, const char *id, cJSON **out, char **cause)
{
	char *text = NULL;
	int rc;

	*out = NULL;
	if ((rc = blobs_get(s, id, &text, cause)) != 0)
		return rc;
	*out = cJSON_Parse(text);
	free(text);
	return 0;
}
