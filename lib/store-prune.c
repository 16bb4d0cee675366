/*
 * store-prune.c: old reports and their records removed (see
 * store-prune.h).
 */
#include "config.h"

#include <sqlite3.h>

#include "lib/store-int.h"
#include "lib/store-prune.h"
#include "lib/store.h"

/* A report that may go: no run, or a run not running and not leased. */
#define STORE_PRUNE_FREE                                                       \
	"(r.thread_id IS NULL OR NOT EXISTS (SELECT 1 FROM runs u"             \
	" WHERE u.thread_id = r.thread_id AND u.status = 'running')"           \
	" AND NOT EXISTS (SELECT 1 FROM leases l"                              \
	" WHERE l.thread_id = r.thread_id))"

int
store_reports_prunable(struct store *s, const char *before, cJSON **out,
    char **cause)
{
	static const char sql[] = "SELECT r.id, r.thread_id, r.symbol,"
				  " r.path, r.size, r.s3_uri, r.created_at"
				  " FROM reports r WHERE r.created_at < ?1"
				  " AND " STORE_PRUNE_FREE
				  " ORDER BY r.created_at, r.id";

	return store_query(s, sql, before, NULL, "listing old reports", out,
	    cause);
}

int
store_report_prune(struct store *s, long long id, char **cause)
{
	static const char sql[] = "DELETE FROM reports AS r WHERE r.id = ?1"
				  " AND " STORE_PRUNE_FREE;
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prepare(s, sql, &st, "removing a report record",
		 cause)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = store_step_done(s, st, "removing a report record", cause)) !=
	    0)
		return rc;
	return sqlite3_changes(store_handle(s)) > 0;
}
