/*
 * unit-store.c: the database: migrations, refusals with their categories,
 * runs, prune + VACUUM, reports, thread ids.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/checkpoint.h"
#include "lib/lease.h"
#include "lib/store.h"
#include "lib/xmalloc.h"
#include "tests/testlib.h"

static char tmpdir[] = "/tmp/unit-store.XXXXXX";

static char *
tmp_path(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static long long
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* One integer from SQL on a separate, plain connection to PATH. */
static int
raw_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int v = -1;

	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static int
raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	int rc;

	if ((rc = sqlite3_open(path, &db)) == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

static int
contains(const char *s, const char *part)
{
	return s != NULL && strstr(s, part) != NULL;
}

static void
test_open_and_migrate(void)
{
	char *path = tmp_path("a/b/stock.db"), *dir = tmp_path("a/b");
	struct store *s = NULL;
	char *cause = NULL;
	struct stat st;
	cJSON *run = NULL;

	TEST_CHECK("a new database opens",
	    store_open(path, &s, &cause) == 0 && s != NULL);
	TEST_CHECK("parent directories are created private",
	    stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700);
	TEST_CHECK("no error recorded", store_last_error(s) == STORE_OK);
	TEST_CHECK("run recorded",
	    store_run_create(s, "t1", "analyze", "SIM_STOCK", "2025-09-04",
		NULL, "builtin", &cause) == 0);
	store_close(s);
	s = NULL;
	TEST_CHECK("schema version 1 after the migration",
	    raw_int(path, "PRAGMA user_version") == STORE_SCHEMA_VERSION);
	TEST_CHECK("WAL journal",
	    raw_int(path,
		"SELECT journal_mode = 'wal' FROM "
		"pragma_journal_mode") == 1);
	TEST_CHECK("four tables",
	    raw_int(path,
		"SELECT count(*) FROM sqlite_master WHERE type = "
		"'table' AND name IN ('runs', 'checkpoints', 'writes', "
		"'reports')") == 4);
	TEST_CHECK("reopening is idempotent",
	    store_open(path, &s, &cause) == 0);
	TEST_CHECK("still schema 1",
	    raw_int(path, "PRAGMA user_version") == STORE_SCHEMA_VERSION);
	TEST_CHECK("data survives a reopen",
	    s != NULL && store_run_get(s, "t1", &run, &cause) == 0);
	TEST_STREQ("symbol kept",
	    cJSON_GetStringValue(cJSON_GetObjectItem(run, "symbol")),
	    "SIM_STOCK");
	cJSON_Delete(run);
	store_close(s);
	free(path);
	free(dir);
}

static void
test_newer_schema(void)
{
	char *path = tmp_path("newer.db");
	struct store *s = NULL;
	char *cause = NULL;

	TEST_CHECK("created", store_open(path, &s, &cause) == 0);
	store_close(s);
	s = NULL;
	raw_exec(path, "PRAGMA user_version = 99");
	TEST_CHECK("newer schema refused",
	    store_open(path, &s, &cause) == STORE_E_NEWER && s == NULL);
	TEST_CHECK("message says upgrade",
	    contains(cause,
		"written by a newer stockagent (schema v99); "
		"upgrade stockagent") &&
		contains(cause, path));
	free(cause);
	free(path);
}

static void
test_not_a_database(void)
{
	char *path = tmp_path("notes.txt"), *other = tmp_path("other.db");
	struct store *s = NULL;
	char *cause = NULL;
	FILE *f = fopen(path, "w");

	fputs("these are my notes, not a database\n", f);
	for (int i = 0; i < 200; i++)
		fputs("lorem ipsum dolor sit amet\n", f);
	fclose(f);
	TEST_CHECK("text file refused",
	    store_open(path, &s, &cause) == STORE_E_NOTADB && s == NULL);
	TEST_CHECK("message names the file and the way out",
	    contains(cause, path) &&
		contains(cause,
		    "is not a stockagent database (file is not a "
		    "database); move it away or pass --db"));
	free(cause);
	cause = NULL;

	raw_exec(other, "CREATE TABLE contacts (name TEXT)");
	TEST_CHECK("another program's database refused",
	    store_open(other, &s, &cause) == STORE_E_NOTADB);
	TEST_CHECK("message says so", contains(cause, "not a stockagent"));
	TEST_CHECK("and it is left alone (no WAL, no tables added)",
	    raw_int(other, "SELECT count(*) FROM sqlite_master") == 1 &&
		raw_int(other,
		    "SELECT journal_mode = 'delete' FROM "
		    "pragma_journal_mode") == 1);
	free(cause);
	free(path);
	free(other);
}

static void
test_unwritable(void)
{
	char *file = tmp_path("plainfile"), *path = tmp_path("plainfile/x.db");
	char *ro = tmp_path("ro"), *rodb = tmp_path("ro/sub/x.db");
	struct store *s = NULL;
	char *cause = NULL;
	FILE *f = fopen(file, "w");

	fclose(f);
	TEST_CHECK("a path under a regular file fails as I/O",
	    store_open(path, &s, &cause) == STORE_E_IO && s == NULL);
	TEST_CHECK("message names the database and the directory",
	    contains(cause, path) && contains(cause, file));
	free(cause);
	cause = NULL;
	if (geteuid() != 0) { /* root may write anywhere */
		mkdir(ro, 0500);
		TEST_CHECK("a read-only directory fails as I/O",
		    store_open(rodb, &s, &cause) == STORE_E_IO);
		TEST_CHECK("message names it", contains(cause, rodb));
		free(cause);
	}
	free(file);
	free(path);
	free(ro);
	free(rodb);
}

/* A second connection to PATH holding the write lock (EXCLUSIVE: all). */
static sqlite3 *
hold_lock(const char *path, int exclusive)
{
	sqlite3 *db = NULL;
	int rc;

	sqlite3_open(path, &db);
	rc = sqlite3_exec(db,
	    exclusive ?
		"PRAGMA locking_mode = EXCLUSIVE; "
		"BEGIN EXCLUSIVE; INSERT INTO runs (thread_id, created_at, "
		"updated_at) VALUES ('x', 'now', 'now')" :
		"BEGIN EXCLUSIVE; "
		"INSERT INTO runs (thread_id, created_at, updated_at) VALUES "
		"('x', 'now', 'now')",
	    NULL, NULL, NULL);
	TEST_CHECK("second connection holds the lock", rc == SQLITE_OK);
	if (rc != SQLITE_OK)
		printf("# %s\n", sqlite3_errmsg(db));
	return db;
}

static void
test_locked(void)
{
	char *path = tmp_path("locked.db");
	struct store *s = NULL, *s2 = NULL;
	char *cause = NULL;
	sqlite3 *db;

	TEST_CHECK("created", store_open_timeout(path, 200, &s, &cause) == 0);
	db = hold_lock(path, 0);
	TEST_CHECK("a write is refused as locked",
	    store_begin(s, &cause) == STORE_E_LOCKED &&
		store_last_error(s) == STORE_E_LOCKED);
	TEST_CHECK("message says try again",
	    contains(cause, "database ") && contains(cause, path) &&
		contains(cause, "is locked by another process; try again"));
	free(cause);
	cause = NULL;
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	TEST_CHECK("after the lock is gone the store writes again",
	    store_run_create(s, "after", NULL, NULL, NULL, NULL, NULL,
		&cause) == 0);
	store_close(s);

	db = hold_lock(path, 1);
	TEST_CHECK("opening is refused as locked",
	    store_open_timeout(path, 100, &s2, &cause) == STORE_E_LOCKED &&
		s2 == NULL);
	TEST_CHECK("message says try again",
	    contains(cause, "is locked by another process; try again"));
	free(cause);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	free(path);
}

static void
test_runs(void)
{
	char *path = tmp_path("runs.db"), *cause = NULL;
	struct store *s = NULL;
	cJSON *req = cJSON_Parse("{\"symbol\":\"AAA\",\"days\":30}");
	cJSON *run = NULL, *list = NULL;

	store_open(path, &s, &cause);
	TEST_CHECK("create",
	    store_run_create(s, "r1", "analyze", "AAA", "2025-09-04", req,
		"builtin", &cause) == 0);
	TEST_CHECK("duplicate thread refused",
	    store_run_create(s, "r1", "analyze", "AAA", NULL, NULL, NULL,
		&cause) == STORE_E_EXISTS);
	free(cause);
	cause = NULL;
	store_run_create(s, "r2", "analyze", "BBB", NULL, NULL, NULL, &cause);
	store_run_create(s, "r3", "analyze", "AAA", NULL, NULL, NULL, &cause);
	TEST_CHECK("set status",
	    store_run_set_status(s, "r1", "failed", "market data unavailable",
		&cause) == 0);
	TEST_CHECK("unknown run",
	    store_run_set_status(s, "nope", "done", NULL, &cause) ==
		    STORE_E_NOTFOUND &&
		contains(cause, "nope"));
	free(cause);
	cause = NULL;
	TEST_CHECK("get", store_run_get(s, "r1", &run, &cause) == 0);
	TEST_STREQ("status",
	    cJSON_GetStringValue(cJSON_GetObjectItem(run, "status")), "failed");
	TEST_STREQ("error",
	    cJSON_GetStringValue(cJSON_GetObjectItem(run, "error")),
	    "market data unavailable");
	TEST_CHECK("request comes back as JSON",
	    cJSON_Compare(cJSON_GetObjectItem(run, "request"), req, 1));
	TEST_CHECK("no checkpoints yet",
	    cJSON_GetArraySize(cJSON_GetObjectItem(run, "checkpoints")) == 0);
	cJSON_Delete(run);
	run = NULL;
	TEST_CHECK("get unknown",
	    store_run_get(s, "zz", &run, &cause) == STORE_E_NOTFOUND &&
		run == NULL);
	free(cause);
	cause = NULL;

	TEST_CHECK("list", store_runs_list(s, 0, NULL, &list, &cause) == 0);
	TEST_CHECK("three runs", cJSON_GetArraySize(list) == 3);
	TEST_STREQ("newest first",
	    cJSON_GetStringValue(
		cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "thread_id")),
	    "r3");
	cJSON_Delete(list);
	store_runs_list(s, 0, "AAA", &list, &cause);
	TEST_CHECK("by symbol", cJSON_GetArraySize(list) == 2);
	cJSON_Delete(list);
	store_runs_list(s, 1, NULL, &list, &cause);
	TEST_CHECK("limit", cJSON_GetArraySize(list) == 1);
	cJSON_Delete(list);
	cJSON_Delete(req);
	store_close(s);
	free(path);
}

static void
test_reports(void)
{
	char *path = tmp_path("reports.db"), *cause = NULL;
	struct store *s = NULL;
	cJSON *list = NULL;
	long long id = 0;

	store_open(path, &s, &cause);
	store_run_create(s, "t", "analyze", "AAA", NULL, NULL, NULL, &cause);
	TEST_CHECK("report added",
	    store_report_add(s, "t", "AAA", "/out/AAA.pdf", 12345, "ab12", NULL,
		&id, &cause) == 0 &&
		id > 0);
	store_report_add(s, NULL, "BBB", "/out/BBB.pdf", 1, NULL,
	    "s3://bucket/BBB.pdf", NULL, &cause);
	TEST_CHECK("unknown run refused",
	    store_report_add(s, "nope", "AAA", "/x.pdf", 1, NULL, NULL, NULL,
		&cause) == STORE_E_NOTFOUND);
	free(cause);
	cause = NULL;
	TEST_CHECK("listed",
	    store_reports_list(s, NULL, &list, &cause) == 0 &&
		cJSON_GetArraySize(list) == 2);
	cJSON_Delete(list);
	store_reports_list(s, "AAA", &list, &cause);
	TEST_CHECK("by symbol", cJSON_GetArraySize(list) == 1);
	TEST_STREQ("path",
	    cJSON_GetStringValue(
		cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0), "path")),
	    "/out/AAA.pdf");
	TEST_CHECK("size",
	    cJSON_GetNumberValue(cJSON_GetObjectItem(
		cJSON_GetArrayItem(list, 0), "size")) == 12345);
	cJSON_Delete(list);
	store_close(s);
	free(path);
}

static void
test_prune(void)
{
	char *path = tmp_path("prune.db"), *cause = NULL, tid[16];
	struct store *s = NULL;
	cJSON *state = cJSON_CreateObject(), *list = NULL;
	char *blob = xmalloc(20001);
	long long before, after;
	int i, step, deleted = -1;

	memset(blob, 'x', 20000);
	blob[20000] = '\0';
	cJSON_AddStringToObject(state, "blob", blob);
	store_open(path, &s, &cause);
	for (i = 0; i < 20; i++) {
		snprintf(tid, sizeof tid, "thread-%02d", i);
		store_run_create(s, tid, "analyze", "AAA", NULL, NULL, NULL,
		    &cause);
		for (step = -1; step < 3; step++)
			checkpoint_put(s, tid, step, step < 0 ? NULL : "n", "n",
			    "loop", state, state, NULL, &cause);
		store_report_add(s, tid, "AAA", "/x.pdf", 1, NULL, NULL, NULL,
		    &cause);
	}
	TEST_CHECK("the WAL is checkpointed",
	    store_exec(s, "PRAGMA wal_checkpoint(TRUNCATE)", "checkpointing",
		&cause) == 0);
	before = file_size(path);
	TEST_CHECK("prune", store_runs_prune(s, 5, &deleted, &cause) == 0);
	after = file_size(path);
	TEST_CHECK("15 runs deleted", deleted == 15);
	TEST_CHECK("the file shrinks to well under half",
	    before > 1000000 && after > 0 && after < before / 2);
	store_runs_list(s, 0, NULL, &list, &cause);
	TEST_CHECK("five kept", cJSON_GetArraySize(list) == 5);
	TEST_STREQ("the newest kept",
	    cJSON_GetStringValue(
		cJSON_GetObjectItem(cJSON_GetArrayItem(list, 4), "thread_id")),
	    "thread-15");
	cJSON_Delete(list);
	TEST_CHECK("their checkpoints and reports are gone",
	    raw_int(path, "SELECT count(*) FROM checkpoints") == 20 &&
		raw_int(path,
		    "SELECT count(DISTINCT thread_id) FROM checkpoints") == 5 &&
		raw_int(path, "SELECT count(*) FROM reports") == 5);
	TEST_CHECK("prune keep 0",
	    store_runs_prune(s, 0, &deleted, &cause) == 0 && deleted == 5 &&
		raw_int(path, "SELECT count(*) FROM checkpoints") == 0);
	cJSON_Delete(state);
	free(blob);
	store_close(s);
	free(path);
}

static void
test_thread_id(void)
{
	char a[STORE_THREAD_ID_SIZE], b[STORE_THREAD_ID_SIZE];
	char now[STORE_TIME_SIZE], hex[13];
	unsigned long long ms;
	struct timespec t0, t1;

	/* time() reads the coarse clock, which may lag the one the ids
	 * read by a tick: bracket them with the same clock. */
	clock_gettime(CLOCK_REALTIME, &t0);
	store_new_thread_id(a);
	store_new_thread_id(b);
	clock_gettime(CLOCK_REALTIME, &t1);
	TEST_CHECK("36 characters", strlen(a) == 36);
	TEST_CHECK("UUID shape",
	    a[8] == '-' && a[13] == '-' && a[18] == '-' && a[23] == '-');
	TEST_CHECK("version 7", a[14] == '7');
	TEST_CHECK("RFC 9562 variant", strchr("89ab", a[19]) != NULL);
	TEST_CHECK("unique", strcmp(a, b) != 0);
	/* The first 48 bits are the Unix time in milliseconds. */
	snprintf(hex, sizeof hex, "%.8s%.4s", a, a + 9);
	ms = strtoull(hex, NULL, 16);
	TEST_CHECK("starts with the time in ms",
	    ms >= (unsigned long long)t0.tv_sec * 1000 + t0.tv_nsec / 1000000 &&
		ms <= (unsigned long long)t1.tv_sec * 1000 +
			t1.tv_nsec / 1000000);
	nanosleep(&(struct timespec){ 0, 2000000 }, NULL);
	store_new_thread_id(b);
	TEST_CHECK("an id made a millisecond later sorts later",
	    strcmp(a, b) < 0);
	store_now(now);
	TEST_CHECK("ISO 8601 UTC with ms",
	    strlen(now) == 24 && now[10] == 'T' && now[19] == '.' &&
		now[23] == 'Z');
}

/* One report row per run, however often its report step runs. */
static void
test_report_per_run(void)
{
	char *path = tmp_path("per-run.db"), *cause = NULL;
	struct store *s = NULL;
	cJSON *rec = NULL;
	long long a = 0, b = 0;

	TEST_CHECK("opened", store_open(path, &s, &cause) == 0);
	store_run_create(s, "r1", "analyze", "SIM_STOCK", NULL, NULL, NULL,
	    &cause);
	TEST_CHECK("no report yet",
	    store_report_of_run(s, "r1", &rec, &cause) == STORE_E_NOTFOUND);
	free(cause);
	cause = NULL;
	TEST_CHECK("recorded",
	    store_report_put(s, "r1", "SIM_STOCK", "a.pdf", 10, "aa", NULL, &a,
		&cause) == 0);
	TEST_CHECK("recorded again",
	    store_report_put(s, "r1", "SIM_STOCK", "a-2.pdf", 11, "bb",
		"s3://b/a-2.pdf", &b, &cause) == 0);
	TEST_CHECK("the same row",
	    a == b &&
		raw_int(path,
		    "SELECT count(*) FROM reports WHERE thread_id = 'r1'") ==
		    1);
	TEST_CHECK("found", store_report_of_run(s, "r1", &rec, &cause) == 0);
	TEST_STREQ("it describes the last file",
	    cJSON_GetStringValue(cJSON_GetObjectItem(rec, "path")), "a-2.pdf");
	cJSON_Delete(rec);
	store_close(s);
	free(path);
}

/* A lease held by a live process on this host is refused. */
static void
test_lease(void)
{
	char *path = tmp_path("lease.db"), *cause = NULL;
	struct store *s = NULL;

	TEST_CHECK("opened", store_open(path, &s, &cause) == 0);
	store_run_create(s, "l1", "analyze", NULL, NULL, NULL, NULL, &cause);
	TEST_CHECK("taken", lease_take(s, "l1", &cause) == 0);
	TEST_CHECK("taken again by its holder",
	    lease_take(s, "l1", &cause) == 0);
	TEST_CHECK("renewed", lease_renew(s, "l1", &cause) == 0);
	/* pid 1 (init) runs as long as the machine does */
	raw_exec(path, "UPDATE leases SET pid = 1, started = NULL");
	TEST_CHECK("refused while pid 1 holds it",
	    lease_take(s, "l1", &cause) == STORE_E_BUSY &&
		contains(cause, "process 1 on host"));
	free(cause);
	cause = NULL;
	TEST_CHECK("a checkpoint of the old owner fails",
	    lease_renew(s, "l1", &cause) == STORE_E_BUSY);
	free(cause);
	cause = NULL;
	lease_release(s, "l1");
	TEST_CHECK("not released by another process",
	    raw_int(path, "SELECT count(*) FROM leases") == 1);
	store_close(s);
	free(path);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_open_and_migrate();
	test_newer_schema();
	test_not_a_database();
	test_unwritable();
	test_locked();
	test_runs();
	test_reports();
	test_prune();
	test_thread_id();
	test_report_per_run();
	test_lease();
	if (test_failed == 0) {
		char *rm = xasprintf("rm -rf '%s'", tmpdir);
		if (system(rm) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
		free(rm);
	}
	return TEST_REPORT();
}
