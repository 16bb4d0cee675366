/*
 * store-admin.c: database check and online backup.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/store-admin.h"
#include "lib/store-int.h"
#include "lib/store.h"
#include "lib/xmalloc.h"

/* Adds TEXT to PROBLEMS, one item per line ("WHAT: line"). */
static void
store_admin_add(cJSON *problems, const char *what, const char *text)
{
	const char *p = text, *nl;
	char *line;

	for (; *p != '\0'; p = *nl != '\0' ? nl + 1 : nl) {
		nl = p + strcspn(p, "\n");
		if (nl == p || strncmp(p, "*** in database", 15) == 0)
			continue;
		line = xasprintf("%s: %.*s", what, (int)(nl - p), p);
		cJSON_AddItemToArray(problems, cJSON_CreateString(line));
		free(line);
	}
}

/* Adds every row of SQL, its columns joined by spaces, to PROBLEMS;
 * the single row "ok" of integrity_check is no problem. */
static int
store_admin_rows(struct store *s, const char *sql, const char *what,
    cJSON *problems, char **cause)
{
	sqlite3_stmt *st = NULL;
	char *line = NULL, *more;
	const char *v;
	int rc, i;

	if ((rc = store_prepare(s, sql, &st, "checking the database", cause)) !=
	    0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < sqlite3_column_count(st); i++) {
			v = (const char *)sqlite3_column_text(st, i);
			more = xasprintf("%s%s%s", line != NULL ? line : "",
			    i > 0 ? " " : "", v != NULL ? v : "-");
			free(line);
			line = more;
		}
		if (strcmp(line, "ok") != 0)
			store_admin_add(problems, what, line);
		free(line);
		line = NULL;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ?
	    0 :
	    store_error(s, rc, "checking the database", cause);
}

int
store_admin_check(struct store *s, cJSON **problems_out, char **cause)
{
	cJSON *p = cJSON_CreateArray();
	int rc;

	*problems_out = NULL;
	if ((rc = store_admin_rows(s, "PRAGMA integrity_check", "integrity", p,
		 cause)) != 0 ||
	    (rc = store_admin_rows(s, "PRAGMA foreign_key_check",
		 "foreign key (table, row, parent, key)", p, cause)) != 0) {
		cJSON_Delete(p);
		return rc;
	}
	*problems_out = p;
	return 0;
}

/* Copies S into the empty database file TMP in one step (one read
 * transaction: writers go on, the copy is one snapshot). */
static int
store_admin_copy(struct store *s, const char *tmp, char **cause)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	int rc, tries = 0;

	if ((rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE, NULL)) !=
	    SQLITE_OK)
		goto out;
	if ((b = sqlite3_backup_init(dst, "main", store_handle(s), "main")) ==
	    NULL) {
		rc = sqlite3_errcode(dst);
		goto out;
	}
	/* Busy: a writer is checkpointing; wait as a statement would. */
	while (((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY ||
		   rc == SQLITE_LOCKED) &&
	    tries++ < STORE_BUSY_MS / 20)
		sqlite3_sleep(20);
	if (sqlite3_backup_finish(b) != SQLITE_OK && rc == SQLITE_DONE)
		rc = sqlite3_errcode(dst);
out:
	if (rc != SQLITE_OK && rc != SQLITE_DONE)
		*cause = xasprintf("cannot back up %s to %s: %s", store_path(s),
		    tmp,
		    dst != NULL ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
	if (sqlite3_close(dst) != SQLITE_OK && *cause == NULL)
		*cause = xasprintf("cannot back up %s: closing %s failed",
		    store_path(s), tmp);
	return *cause != NULL ? STORE_E_IO : 0;
}

static int
store_admin_exists(const char *file, char **cause)
{
	*cause = xasprintf("%s exists; pass --force to replace it", file);
	return STORE_E_EXISTS;
}

/* Gives TMP the name FILE: link() when FILE must not be replaced. */
static int
store_admin_place(const char *tmp, const char *file, int force, char **cause)
{
	if (force ? rename(tmp, file) == 0 : link(tmp, file) == 0)
		return 0;
	if (!force && errno == EEXIST)
		return store_admin_exists(file, cause);
	*cause = xasprintf("cannot write %s: %s", file, strerror(errno));
	return STORE_E_IO;
}

int
store_admin_backup(struct store *s, const char *file, int force, char **cause)
{
	char *tmp = xasprintf("%s.tmp.%ld.XXXXXX", file, (long)getpid());
	int fd, rc;

	*cause = NULL;
	if (!force && access(file, F_OK) == 0) {
		free(tmp);
		return store_admin_exists(file, cause);
	}
	if ((fd = mkstemp(tmp)) == -1) {
		*cause = xasprintf("cannot write %s: %s", file,
		    strerror(errno));
		free(tmp);
		return STORE_E_IO;
	}
	close(fd);
	if ((rc = store_admin_copy(s, tmp, cause)) == 0)
		rc = store_admin_place(tmp, file, force, cause);
	unlink(tmp);
	free(tmp);
	return rc;
}
