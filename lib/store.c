/*
 * store.c: the SQLite database: open, migrations, error categories, runs,
 * prune and reports.
 *
 * The schema is modelled on LangGraph's SqliteSaver (checkpoints + writes,
 * JSON text instead of msgpack) plus our runs and reports tables. Each
 * migration is one SQL string applied in one transaction that also bumps
 * PRAGMA user_version, so a crash leaves either the old or the new schema.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "lib/paths.h"
#include "lib/store-int.h"
#include "lib/store.h"
#include "lib/xmalloc.h"

/* PRAGMA application_id of a stockagent database: "STKA". */
#define STORE_APP_ID 0x53544b41

struct store {
	sqlite3 *db;
	char *path;
	int busy_ms;  /* how long a lock is waited for */
	int last_err; /* enum store_error of the last failure */
	struct store_kept {
		const char *sql; /* the key: a static string's address */
		sqlite3_stmt *st;
	} * kept; /* [nkept], store_prepare_kept's statements */
	size_t nkept;
	void *cache;		    /* store_cache_slot's */
	void (*cache_free)(void *); /* how store_close frees it */
};

/* Migration N (1-based) takes the schema from version N-1 to N. */
static const char *const store_migrations[] = {
	/* 1: runs, checkpoints, writes, reports */
	"CREATE TABLE runs ("
	" thread_id TEXT PRIMARY KEY,"
	" kind TEXT, symbol TEXT, as_of TEXT,"
	" status TEXT NOT NULL DEFAULT 'running',"
	" error TEXT, request TEXT,"
	" created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
	" steps INTEGER NOT NULL DEFAULT 0, model TEXT);"
	"CREATE INDEX runs_by_created ON runs(created_at);"
	"CREATE INDEX runs_by_symbol ON runs(symbol, created_at);"
	"CREATE TABLE checkpoints ("
	" thread_id TEXT NOT NULL,"
	" checkpoint_ns TEXT NOT NULL DEFAULT '',"
	" checkpoint_id TEXT NOT NULL,"
	" parent_checkpoint_id TEXT,"
	" step INTEGER NOT NULL, node TEXT, next TEXT, source TEXT,"
	" state TEXT NOT NULL, metadata TEXT, created_at TEXT NOT NULL,"
	" PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id));"
	"CREATE INDEX checkpoints_by_step"
	" ON checkpoints(thread_id, checkpoint_ns, step);"
	"CREATE TABLE writes ("
	" thread_id TEXT NOT NULL,"
	" checkpoint_ns TEXT NOT NULL DEFAULT '',"
	" checkpoint_id TEXT NOT NULL,"
	" task_id TEXT NOT NULL, idx INTEGER NOT NULL,"
	" channel TEXT NOT NULL, type TEXT, value TEXT,"
	" PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id,"
	" idx));"
	"CREATE TABLE reports ("
	" id INTEGER PRIMARY KEY,"
	" thread_id TEXT REFERENCES runs(thread_id) ON DELETE CASCADE,"
	" symbol TEXT, path TEXT NOT NULL, size INTEGER, sha256 TEXT,"
	" s3_uri TEXT, created_at TEXT NOT NULL);"
	"CREATE INDEX reports_by_symbol ON reports(symbol, created_at);"
	"CREATE INDEX reports_by_thread ON reports(thread_id);"
	"PRAGMA application_id = 1398033217;", /* STORE_APP_ID */
	/* 2: bulky data (daily bars) kept once, referenced by runs */
	"CREATE TABLE blobs ("
	" id TEXT PRIMARY KEY," /* sha256 of data, hex */
	" size INTEGER NOT NULL, data TEXT NOT NULL,"
	" created_at TEXT NOT NULL);"
	"CREATE TABLE run_blobs ("
	" thread_id TEXT NOT NULL, blob_id TEXT NOT NULL,"
	" PRIMARY KEY (thread_id, blob_id));"
	"CREATE INDEX run_blobs_by_blob ON run_blobs(blob_id);",
	/* 3: which process owns a run (lib/lease.h) */
	"CREATE TABLE leases ("
	" thread_id TEXT PRIMARY KEY"
	"  REFERENCES runs(thread_id) ON DELETE CASCADE,"
	" pid INTEGER NOT NULL, host TEXT NOT NULL, started TEXT,"
	" since TEXT NOT NULL, heartbeat INTEGER NOT NULL);",
	/* 4: the conversations of 'serve' (lib/sessions.c) */
	"CREATE TABLE sessions ("
	" id TEXT PRIMARY KEY,"
	" thread_id TEXT, symbol TEXT, result TEXT,"
	" history TEXT NOT NULL DEFAULT '[]',"
	" created_at TEXT NOT NULL, updated_at TEXT NOT NULL,"
	" expires_at INTEGER NOT NULL);"
	"CREATE INDEX sessions_by_expiry ON sessions(expires_at);",
	/* 5: batches of runs (lib/store-batch.h) and named locks */
	"CREATE TABLE batches ("
	" id TEXT PRIMARY KEY, watchlist TEXT, watchlist_hash TEXT NOT NULL,"
	" as_of TEXT NOT NULL, options TEXT,"
	" status TEXT NOT NULL DEFAULT 'running',"
	" created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
	"CREATE INDEX batches_by_hash ON batches(watchlist_hash, created_at);"
	"CREATE TABLE batch_items ("
	" batch_id TEXT NOT NULL REFERENCES batches(id) ON DELETE CASCADE,"
	" position INTEGER NOT NULL, symbol TEXT NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'queued',"
	" exit_code INTEGER, message TEXT, thread_id TEXT,"
	" report_path TEXT, s3_uri TEXT, row TEXT, updated_at TEXT,"
	" PRIMARY KEY (batch_id, symbol));"
	"CREATE TABLE locks ("
	" name TEXT PRIMARY KEY, holder TEXT,"
	" pid INTEGER NOT NULL, host TEXT NOT NULL, started TEXT,"
	" since TEXT NOT NULL, heartbeat INTEGER NOT NULL);",
	/* 6: the market data cache (tools/market/cache.h) */
	"CREATE TABLE market_series ("
	" symbol TEXT PRIMARY KEY, provider TEXT NOT NULL,"
	" first_day TEXT NOT NULL, last_day TEXT NOT NULL,"
	" currency TEXT, timezone TEXT, utc_offset INTEGER NOT NULL DEFAULT 0,"
	" dividends TEXT, splits TEXT, fetched_at INTEGER NOT NULL);"
	"CREATE TABLE market_bars ("
	" symbol TEXT NOT NULL, day TEXT NOT NULL,"
	" open REAL, high REAL, low REAL, close REAL NOT NULL,"
	" adj_close REAL, volume REAL,"
	" PRIMARY KEY (symbol, day)) WITHOUT ROWID;"
	"CREATE TABLE market_facts ("
	" symbol TEXT PRIMARY KEY, provider TEXT NOT NULL,"
	" profile TEXT NOT NULL, fundamentals TEXT NOT NULL,"
	" fetched_at INTEGER NOT NULL);"
	"CREATE TABLE market_news ("
	" symbol TEXT PRIMARY KEY, provider TEXT NOT NULL,"
	" items TEXT NOT NULL, fetched_at INTEGER NOT NULL);",
	/* 7: daily bars users imported (tools/market/imported.h); not a
	 * cache: nothing expires them */
	"CREATE TABLE imported_symbols ("
	" symbol TEXT PRIMARY KEY, name TEXT, currency TEXT, source TEXT,"
	" rows INTEGER NOT NULL, first TEXT NOT NULL, last TEXT NOT NULL,"
	" imported_at TEXT NOT NULL);"
	"CREATE TABLE imported_bars ("
	" symbol TEXT NOT NULL"
	"  REFERENCES imported_symbols(symbol) ON DELETE CASCADE,"
	" date TEXT NOT NULL,"
	" open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL,"
	" close REAL NOT NULL, adj_close REAL, volume REAL,"
	" dividend REAL NOT NULL DEFAULT 0, split REAL NOT NULL DEFAULT 1,"
	" PRIMARY KEY (symbol, date)) WITHOUT ROWID;",
	/* 8: checkpoints keep each state channel once per write
	 * (lib/checkpoint.c): a row's versions map names, for every channel,
	 * the checkpoint that holds its value, in its state column (an
	 * object of the channels it wrote) or, where that column is '' (the
	 * first layout), in the channels table. Rows written before keep
	 * their full state. Checkpoints and
	 * writes become WITHOUT ROWID tables (one b-tree each, no index
	 * beside it): a step writes fewer pages. */
	"CREATE TABLE checkpoints_v8 ("
	" thread_id TEXT NOT NULL,"
	" checkpoint_ns TEXT NOT NULL DEFAULT '',"
	" checkpoint_id TEXT NOT NULL,"
	" parent_checkpoint_id TEXT,"
	" step INTEGER NOT NULL, node TEXT, next TEXT, source TEXT,"
	" state TEXT NOT NULL, versions TEXT, metadata TEXT,"
	" created_at TEXT NOT NULL,"
	" PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id)) WITHOUT ROWID;"
	"INSERT INTO checkpoints_v8 (thread_id, checkpoint_ns, checkpoint_id,"
	" parent_checkpoint_id, step, node, next, source, state, metadata,"
	" created_at) SELECT thread_id, checkpoint_ns, checkpoint_id,"
	" parent_checkpoint_id, step, node, next, source, state, metadata,"
	" created_at FROM checkpoints;"
	"DROP TABLE checkpoints;"
	"ALTER TABLE checkpoints_v8 RENAME TO checkpoints;"
	"CREATE TABLE writes_v8 ("
	" thread_id TEXT NOT NULL,"
	" checkpoint_ns TEXT NOT NULL DEFAULT '',"
	" checkpoint_id TEXT NOT NULL,"
	" task_id TEXT NOT NULL, idx INTEGER NOT NULL,"
	" channel TEXT NOT NULL, type TEXT, value TEXT,"
	" PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id,"
	" idx)) WITHOUT ROWID;"
	"INSERT INTO writes_v8 SELECT thread_id, checkpoint_ns, checkpoint_id,"
	" task_id, idx, channel, type, value FROM writes;"
	"DROP TABLE writes;"
	"ALTER TABLE writes_v8 RENAME TO writes;"
	"CREATE TABLE channels ("
	" thread_id TEXT NOT NULL, channel TEXT NOT NULL,"
	" checkpoint_id TEXT NOT NULL, value TEXT NOT NULL,"
	" PRIMARY KEY (thread_id, checkpoint_id, channel)) WITHOUT ROWID;",
};

_Static_assert(sizeof store_migrations / sizeof store_migrations[0] ==
	STORE_SCHEMA_VERSION,
    "one migration per schema version");

int
store_set_error(struct store *s, int category, char **cause, char *msg)
{
	s->last_err = category;
	*cause = msg;
	return category;
}

/* Whether PATH (or, when it does not exist, its directory) is on a
 * file system mounted read-only. */
static int
store_on_readonly_fs(const char *path)
{
	struct statvfs v;
	char *dir;
	int ro;

	if (statvfs(path, &v) == 0)
		return (v.f_flag & ST_RDONLY) != 0;
	dir = strrchr(path, '/') != NULL ?
	    xstrndup(path, (size_t)(strrchr(path, '/') - path)) :
	    xstrdup(".");
	ro = statvfs(*dir != '\0' ? dir : "/", &v) == 0 &&
	    (v.f_flag & ST_RDONLY) != 0;
	free(dir);
	return ro;
}

/* Whether the file at PATH starts with a stockagent database's header:
 * then a failure to read it means damage, not another program's file. */
static int
store_has_our_header(const char *path)
{
	static const char magic[16] = "SQLite format 3";
	unsigned char h[72];
	ssize_t n = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, h, sizeof h);
	close(fd);
	return n == (ssize_t)sizeof h && memcmp(h, magic, 16) == 0 &&
	    ((unsigned)h[68] << 24 | (unsigned)h[69] << 16 |
		(unsigned)h[70] << 8 | h[71]) == STORE_APP_ID;
}

/* The message of a file that SQLite cannot read as a database. */
static int
store_fail_unreadable(struct store *s, int rc, char **cause)
{
	const char *p = s->path;

	if ((rc & 0xff) == SQLITE_CORRUPT || store_has_our_header(p))
		return store_set_error(s, STORE_E_NOTADB, cause,
		    xasprintf("database %s is damaged (%s); restore a backup "
			      "made with "
			      "'stockagent db backup', or move it away to "
			      "start afresh",
			p, sqlite3_errstr(rc)));
	return store_set_error(s, STORE_E_NOTADB, cause,
	    xasprintf(
		"%s is not a stockagent database (%s); move it away or pass "
		"--db",
		p, sqlite3_errstr(rc)));
}

int
store_error(struct store *s, int rc, const char *doing, char **cause)
{
	const char *p = s->path;
	int sys = s->db != NULL ? sqlite3_system_errno(s->db) : 0;
	const char *msg = s->db != NULL ? sqlite3_errmsg(s->db) :
					  sqlite3_errstr(rc);

	if ((rc & 0xff) == SQLITE_IOERR && (sys == ENOSPC || sys == EDQUOT))
		rc = SQLITE_FULL;
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return store_set_error(s, STORE_E_LOCKED, cause,
		    xasprintf(
			"database %s is locked by another process; try again",
			p));
	case SQLITE_FULL:
		return store_set_error(s, STORE_E_FULL, cause,
		    xasprintf(
			"disk full writing %s; free space, then try again", p));
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return store_fail_unreadable(s, rc, cause);
	}
	if (store_on_readonly_fs(p))
		return store_set_error(s, STORE_E_IO, cause,
		    xasprintf(
			"database %s is on a read-only file system; remount it "
			"read-write, or pass --db with a path on a writable "
			"one",
			p));
	switch (rc & 0xff) {
	case SQLITE_READONLY:
		return store_set_error(s, STORE_E_IO, cause,
		    xasprintf("cannot write database %s (read-only file or "
			      "directory); "
			      "fix its permissions or pass --db",
			p));
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
	case SQLITE_PERM:
		return store_set_error(s, STORE_E_IO, cause,
		    xasprintf(
			"cannot %s database %s: %s; check the path and its "
			"permissions, or pass --db",
			(rc & 0xff) == SQLITE_CANTOPEN ? "open" : "write", p,
			sys != 0 ? strerror(sys) : msg));
	default:
		return store_set_error(s, STORE_E_SQL, cause,
		    xasprintf("database %s: %s failed: %s", p, doing, msg));
	}
}

sqlite3 *
store_handle(struct store *s)
{
	return s->db;
}

const char *
store_path(struct store *s)
{
	return s->path;
}

int
store_last_error(struct store *s)
{
	return s->last_err;
}

int
store_exec(struct store *s, const char *sql, const char *doing, char **cause)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return store_error(s, rc, doing, cause);
	return 0;
}

int
store_prepare(struct store *s, const char *sql, sqlite3_stmt **st,
    const char *doing, char **cause)
{
	int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);

	if (rc != SQLITE_OK)
		return store_error(s, rc, doing, cause);
	return 0;
}

int
store_prepare_kept(struct store *s, const char *sql, sqlite3_stmt **st,
    const char *doing, char **cause)
{
	size_t i;
	int rc;

	for (i = 0; i < s->nkept; i++) {
		if (s->kept[i].sql == sql) {
			*st = s->kept[i].st;
			return 0;
		}
	}
	if ((rc = store_prepare(s, sql, st, doing, cause)) != 0)
		return rc;
	s->kept = xreallocarray(s->kept, s->nkept + 1, sizeof *s->kept);
	s->kept[s->nkept].sql = sql;
	s->kept[s->nkept++].st = *st;
	return 0;
}

void
store_release(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

int
store_step_release(struct store *s, sqlite3_stmt *st, const char *doing,
    char **cause)
{
	int rc = sqlite3_step(st);

	store_release(st);
	if (rc != SQLITE_DONE)
		return store_error(s, rc, doing, cause);
	return 0;
}

/* Runs the kept statement SQL (no rows, no parameters). */
static int
store_run_kept(struct store *s, const char *sql, const char *doing,
    char **cause)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = store_prepare_kept(s, sql, &st, doing, cause)) != 0)
		return rc;
	return store_step_release(s, st, doing, cause);
}

void
store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v != NULL)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

int
store_step_done(struct store *s, sqlite3_stmt *st, const char *doing,
    char **cause)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, rc, doing, cause);
	return 0;
}

/* Runs a one-integer query ("PRAGMA user_version") into *VALUE. */
static int
store_query_int(struct store *s, const char *sql, int *value, char **cause)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prepare(s, sql, &st, "reading the schema", cause)) != 0)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*value = sqlite3_column_int(st, 0);
		rc = 0;
	} else
		rc = store_error(s, rc, "reading the schema", cause);
	sqlite3_finalize(st);
	return rc;
}

static const char store_begin_sql[] = "BEGIN IMMEDIATE";
static const char store_commit_sql[] = "COMMIT";

int
store_begin(struct store *s, char **cause)
{
	return store_run_kept(s, store_begin_sql, "starting a transaction",
	    cause);
}

int
store_commit(struct store *s, char **cause)
{
	int rc = store_run_kept(s, store_commit_sql, "committing", cause);

	if (rc != 0)
		store_rollback(s);
	return rc;
}

void
store_rollback(struct store *s)
{
	/* SQLite rolls back by itself after SQLITE_FULL and some I/O errors. */
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Fills B with N random bytes (getrandom, else /dev/urandom). */
static void
store_random(unsigned char *b, size_t n)
{
	size_t got = 0;
	ssize_t r;
	int fd;

	while (got < n && (r = getrandom(b + got, n - got, 0)) > 0)
		got += (size_t)r;
	if (got == n)
		return;
	if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) != -1) {
		while (got < n && (r = read(fd, b + got, n - got)) > 0)
			got += (size_t)r;
		close(fd);
	}
	if (got < n) {
		fprintf(stderr, "stockagent: no source of random bytes\n");
		abort();
	}
}

/* Checks that the file is a database this program may use. */
static int
store_check_schema(struct store *s, int *version, char **cause)
{
	int app = 0, tables = 0, rc;

	if ((rc = store_query_int(s, "PRAGMA user_version", version, cause)) !=
		0 ||
	    (rc = store_query_int(s, "PRAGMA application_id", &app, cause)) !=
		0 ||
	    (rc = store_query_int(s, "SELECT count(*) FROM sqlite_master",
		 &tables, cause)) != 0)
		return rc;
	if (*version > STORE_SCHEMA_VERSION)
		return store_set_error(s, STORE_E_NEWER, cause,
		    xasprintf(
			"database %s was written by a newer stockagent (schema "
			"v%d); upgrade stockagent",
			s->path, *version));
	if ((*version == 0 && tables > 0) ||
	    (*version > 0 && app != STORE_APP_ID))
		return store_set_error(s, STORE_E_NOTADB, cause,
		    xasprintf(
			"%s is not a stockagent database (it holds another "
			"program's tables); move it away or pass --db",
			s->path));
	return 0;
}

/*
 * Brings the schema up to STORE_SCHEMA_VERSION in ONE immediate
 * transaction: processes starting together on a new file wait for each
 * other (busy timeout) instead of reading a half-made schema, and the
 * check for another program's tables sees the file as it is committed.
 */
static int
store_migrate(struct store *s, char **cause)
{
	char *bump = NULL;
	int version = 0, app = 0, rc, v;

	/* The usual case, without a write lock: the header says it is ours
	 * and current (both only ever change in a committed migration). */
	if ((rc = store_query_int(s, "PRAGMA user_version", &version, cause)) !=
		0 ||
	    (rc = store_query_int(s, "PRAGMA application_id", &app, cause)) !=
		0)
		return rc;
	if (version == STORE_SCHEMA_VERSION && app == STORE_APP_ID)
		return 0;
	if ((rc = store_begin(s, cause)) != 0)
		return rc;
	if ((rc = store_check_schema(s, &version, cause)) != 0)
		goto out;
	for (v = version + 1; v <= STORE_SCHEMA_VERSION; v++)
		if ((rc = store_exec(s, store_migrations[v - 1],
			 "migrating the schema", cause)) != 0)
			goto out;
	bump = xasprintf("PRAGMA user_version = %d", STORE_SCHEMA_VERSION);
	if (version < STORE_SCHEMA_VERSION &&
	    (rc = store_exec(s, bump, "migrating the schema", cause)) != 0)
		goto out;
	rc = store_commit(s, cause);
out:
	if (rc != 0)
		store_rollback(s);
	free(bump);
	return rc;
}

/* Sleeps 5-20 ms, so processes that collided do not collide again. */
static void
store_backoff(void)
{
	unsigned char r;
	struct timespec ts;

	store_random(&r, 1);
	ts.tv_sec = 0;
	ts.tv_nsec = (5 + r % 16) * 1000000L;
	nanosleep(&ts, NULL);
}

/*
 * Switches to WAL. Changing the journal mode needs the file to itself and
 * SQLite does not wait for that, so a busy answer is retried until the
 * busy timeout has passed. A file system without WAL support keeps the
 * mode it has.
 */
static int
store_wal(struct store *s, char **cause)
{
	struct timespec t0, t;
	long waited;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		rc = sqlite3_exec(s->db, "PRAGMA journal_mode = WAL", NULL,
		    NULL, NULL);
		if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
		waited = (t.tv_sec - t0.tv_sec) * 1000L +
		    (t.tv_nsec - t0.tv_nsec) / 1000000L;
		if (waited >= s->busy_ms)
			break;
		store_backoff();
	}
	return rc == SQLITE_OK ? 0 : store_error(s, rc, "opening", cause);
}

static int
store_setup(struct store *s, int busy_ms, char **cause)
{
	int rc;

	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, busy_ms);
	s->busy_ms = busy_ms;
	/*
	 * WAL with synchronous=NORMAL: a commit survives the process being
	 * killed (what 'runs resume' relies on); only a power cut can lose the
	 * last steps, never corrupt the file. FULL would fsync every step.
	 * The schema is checked before WAL is set: another program's file is
	 * left as it was.
	 */
	if ((rc = store_exec(s, "PRAGMA foreign_keys = ON", "opening",
		 cause)) != 0 ||
	    (rc = store_migrate(s, cause)) != 0 ||
	    (rc = store_wal(s, cause)) != 0 ||
	    (rc = store_exec(s, "PRAGMA synchronous = NORMAL", "opening",
		 cause)) != 0)
		return rc;
	return 0;
}

int
store_open_timeout(const char *path, int busy_ms, struct store **out,
    char **cause)
{
	struct store *s;
	char *why = NULL;
	int rc;

	*out = NULL;
	if (paths_mkdirs_for(path, 1, &why) != 0) {
		*cause = xasprintf("cannot create database %s: %s; pass --db "
				   "or fix the permissions",
		    path, why);
		free(why);
		return STORE_E_IO;
	}
	s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	/* One thread uses a connection at a time (store.h): SQLite's
	 * per-connection mutexes are not needed. */
	rc = sqlite3_open_v2(path, &s->db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	    NULL);
	if (rc != SQLITE_OK)
		rc = store_error(s, rc, "opening", cause);
	else
		rc = store_setup(s, busy_ms, cause);
	if (rc != 0) {
		store_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

int
store_open(const char *path, struct store **out, char **cause)
{
	return store_open_timeout(path, STORE_BUSY_MS, out, cause);
}

void
store_close(struct store *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nkept; i++)
		sqlite3_finalize(s->kept[i].st);
	free(s->kept);
	if (s->cache != NULL && s->cache_free != NULL)
		s->cache_free(s->cache);
	sqlite3_close_v2(s->db);
	free(s->path);
	free(s);
}

void **
store_cache_slot(struct store *s, void (*free_fn)(void *))
{
	s->cache_free = free_fn;
	return &s->cache;
}

char *
store_now(char buf[STORE_TIME_SIZE])
{
	/* The seconds are formatted once a second a thread. */
	static _Thread_local time_t sec = -1;
	static _Thread_local char text[20];
	struct timespec ts;
	struct tm tm;
	unsigned ms;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != sec) {
		gmtime_r(&ts.tv_sec, &tm);
		strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
		sec = ts.tv_sec;
	}
	ms = (unsigned)(ts.tv_nsec / 1000000L) % 1000u;
	memcpy(buf, text, 19);
	buf[19] = '.';
	buf[20] = (char)('0' + ms / 100);
	buf[21] = (char)('0' + ms / 10 % 10);
	buf[22] = (char)('0' + ms % 10);
	buf[23] = 'Z';
	buf[24] = '\0';
	return buf;
}

char *
store_new_thread_id(char buf[STORE_THREAD_ID_SIZE])
{
	unsigned char b[16];
	struct timespec ts;
	unsigned long long ms;
	size_t i, o = 0;

	/* UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then
	 * random bits. Ids made later sort later, so a thread's rows go to
	 * the right edge of each b-tree keyed by thread, not to a random
	 * page of it. */
	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (unsigned long long)ts.tv_sec * 1000ULL +
	    (unsigned long long)(ts.tv_nsec / 1000000L);
	store_random(b, sizeof b);
	for (i = 0; i < 6; i++)
		b[i] = (unsigned char)(ms >> (40 - 8 * i));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x70); /* version 7 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	for (i = 0; i < sizeof b; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			buf[o++] = '-';
		snprintf(buf + o, 3, "%02x", b[i]);
		o += 2;
	}
	buf[o] = '\0';
	return buf;
}

/* Adds column I of the current row to O under its (aliased) name. */
static void
store_add_column(cJSON *o, sqlite3_stmt *st, int i)
{
	const char *name = sqlite3_column_name(st, i);

	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
	case SQLITE_FLOAT:
		cJSON_AddNumberToObject(o, name, sqlite3_column_double(st, i));
		break;
	case SQLITE_NULL:
		cJSON_AddNullToObject(o, name);
		break;
	default:
		cJSON_AddStringToObject(o, name,
		    (const char *)sqlite3_column_text(st, i));
		break;
	}
}

/* The current row as an object of all its columns. */
static cJSON *
store_row_object(sqlite3_stmt *st)
{
	cJSON *o = cJSON_CreateObject();
	int i, n = sqlite3_column_count(st);

	for (i = 0; i < n; i++)
		store_add_column(o, st, i);
	return o;
}

int
store_collect(struct store *s, sqlite3_stmt *st, const char *doing, cJSON **out,
    char **cause)
{
	cJSON *arr = cJSON_CreateArray();
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		cJSON_AddItemToArray(arr, store_row_object(st));
	if (rc != SQLITE_DONE) {
		cJSON_Delete(arr);
		return store_error(s, rc, doing, cause);
	}
	*out = arr;
	return 0;
}

int
store_query(struct store *s, const char *sql, const char *p1, const char *p2,
    const char *doing, cJSON **out, char **cause)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*out = NULL;
	if ((rc = store_prepare(s, sql, &st, doing, cause)) != 0)
		return rc;
	if (p1 != NULL)
		store_bind_text(st, 1, p1);
	if (p2 != NULL)
		store_bind_text(st, 2, p2);
	rc = store_collect(s, st, doing, out, cause);
	sqlite3_finalize(st);
	return rc;
}

int
store_run_create(struct store *s, const char *thread_id, const char *kind,
    const char *symbol, const char *as_of, const cJSON *request,
    const char *model, char **cause)
{
	static const char sql[] =
	    "INSERT INTO runs (thread_id, kind, symbol,"
	    " as_of, status, request, created_at, updated_at, steps, model)"
	    " VALUES (?, ?, ?, ?, 'running', ?, ?, ?, 0, ?)";
	sqlite3_stmt *st = NULL;
	char now[STORE_TIME_SIZE], *req = NULL;
	int rc;

	if ((rc = store_prepare(s, sql, &st, "recording the run", cause)) != 0)
		return rc;
	if (request != NULL)
		req = cJSON_PrintUnformatted(request);
	store_now(now);
	store_bind_text(st, 1, thread_id);
	store_bind_text(st, 2, kind);
	store_bind_text(st, 3, symbol);
	store_bind_text(st, 4, as_of);
	store_bind_text(st, 5, req);
	store_bind_text(st, 6, now);
	store_bind_text(st, 7, now);
	store_bind_text(st, 8, model);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		rc = 0;
	else if (rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		rc = store_set_error(s, STORE_E_EXISTS, cause,
		    xasprintf(
			"run %s already exists in %s; use a new thread id",
			thread_id, s->path));
	else
		rc = store_error(s, rc, "recording the run", cause);
	sqlite3_finalize(st);
	cJSON_free(req);
	return rc;
}

int
store_run_set_status(struct store *s, const char *thread_id, const char *status,
    const char *error, char **cause)
{
	static const char sql[] = "UPDATE runs SET status = ?, error = ?,"
				  " updated_at = ? WHERE thread_id = ?";
	sqlite3_stmt *st = NULL;
	char now[STORE_TIME_SIZE];
	int rc;

	if ((rc = store_prepare(s, sql, &st, "updating the run", cause)) != 0)
		return rc;
	store_bind_text(st, 1, status);
	store_bind_text(st, 2, error);
	store_bind_text(st, 3, store_now(now));
	store_bind_text(st, 4, thread_id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		rc = store_error(s, rc, "updating the run", cause);
	else if (sqlite3_changes(s->db) == 0)
		rc = store_set_error(s, STORE_E_NOTFOUND, cause,
		    xasprintf("no run %s in %s; see 'stockagent runs list'",
			thread_id, s->path));
	else
		rc = 0;
	sqlite3_finalize(st);
	return rc;
}

#define STORE_RUN_COLUMNS                                                      \
	"thread_id, kind, symbol, as_of, status, error, created_at,"           \
	" updated_at, steps, model"

/* The checkpoints summary of THREAD_ID, oldest first. */
static int
store_run_checkpoints(struct store *s, const char *thread_id, cJSON **out,
    char **cause)
{
	static const char sql[] =
	    "SELECT checkpoint_id AS id, step, node,"
	    " next, source, created_at,"
	    " length(state) + coalesce(length(versions), 0) +"
	    " (SELECT coalesce(sum(length(value)), 0) FROM channels h"
	    "  WHERE h.thread_id = c.thread_id"
	    "  AND h.checkpoint_id = c.checkpoint_id) AS state_bytes,"
	    " coalesce(CASE WHEN json_valid(metadata) THEN"
	    "  json_array_length(metadata, '$.writes') END,"
	    "  (SELECT count(*) FROM writes w WHERE w.thread_id = c.thread_id"
	    "  AND w.checkpoint_ns = c.checkpoint_ns"
	    "  AND w.checkpoint_id = c.checkpoint_id)) AS writes,"
	    " (SELECT coalesce(sum(length(value)), 0) FROM writes w"
	    "  WHERE w.thread_id = c.thread_id"
	    "  AND w.checkpoint_ns = c.checkpoint_ns"
	    "  AND w.checkpoint_id = c.checkpoint_id) AS writes_bytes"
	    " FROM checkpoints c WHERE thread_id = ? AND checkpoint_ns = ''"
	    " ORDER BY step, checkpoint_id";

	return store_query(s, sql, thread_id, NULL, "reading checkpoints", out,
	    cause);
}

int
store_run_get(struct store *s, const char *thread_id, cJSON **out, char **cause)
{
	static const char sql[] = "SELECT " STORE_RUN_COLUMNS ", request"
				  " FROM runs WHERE thread_id = ?";
	sqlite3_stmt *st = NULL;
	cJSON *run = NULL, *cps = NULL, *req, *parsed;
	int rc;

	*out = NULL;
	if ((rc = store_prepare(s, sql, &st, "reading the run", cause)) != 0)
		return rc;
	store_bind_text(st, 1, thread_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		rc = store_set_error(s, STORE_E_NOTFOUND, cause,
		    xasprintf("no run %s in %s; see 'stockagent runs list'",
			thread_id, s->path));
		goto out;
	}
	if (rc != SQLITE_ROW) {
		rc = store_error(s, rc, "reading the run", cause);
		goto out;
	}
	run = store_row_object(st);
	req = cJSON_DetachItemFromObject(run, "request");
	parsed = cJSON_IsString(req) ? cJSON_Parse(req->valuestring) : NULL;
	cJSON_AddItemToObject(run, "request",
	    parsed != NULL ? parsed : cJSON_CreateNull());
	cJSON_Delete(req);
	if ((rc = store_run_checkpoints(s, thread_id, &cps, cause)) != 0)
		goto out;
	cJSON_AddItemToObject(run, "checkpoints", cps);
	*out = run;
	run = NULL;
out:
	cJSON_Delete(run);
	sqlite3_finalize(st);
	return rc;
}

int
store_runs_list(struct store *s, int limit, const char *symbol,
    cJSON **array_out, char **cause)
{
	static const char sql[] =
	    "SELECT " STORE_RUN_COLUMNS " FROM runs"
	    " WHERE ?1 IS NULL OR symbol = ?1"
	    " ORDER BY created_at DESC, rowid DESC LIMIT ?2";
	sqlite3_stmt *st = NULL;
	int rc;

	*array_out = NULL;
	if ((rc = store_prepare(s, sql, &st, "listing runs", cause)) != 0)
		return rc;
	store_bind_text(st, 1, symbol);
	sqlite3_bind_int(st, 2, limit > 0 ? limit : -1);
	rc = store_collect(s, st, "listing runs", array_out, cause);
	sqlite3_finalize(st);
	return rc;
}

/* Deletes the runs past the newest KEEP that no process holds, and their
 * rows; in a transaction. */
static int
store_prune_rows(struct store *s, int keep, int *deleted, char **cause)
{
	/* Past the newest KEEP, less the runs a process holds (running, or
	 * killed while running and not resumed yet). */
	static const char pick[] =
	    "INSERT INTO temp.prune_victims"
	    " SELECT thread_id FROM (SELECT thread_id FROM runs"
	    " ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET ?)"
	    " WHERE thread_id NOT IN (SELECT thread_id FROM leases)";
	static const char rest[] =
	    "INSERT OR IGNORE INTO temp.prune_victims"
	    " SELECT DISTINCT thread_id FROM checkpoints"
	    " WHERE thread_id NOT IN (SELECT thread_id FROM runs)"
	    " AND thread_id NOT IN (SELECT thread_id FROM leases);"
	    "DELETE FROM writes WHERE thread_id IN"
	    " (SELECT thread_id FROM temp.prune_victims);"
	    "DELETE FROM checkpoints WHERE thread_id IN"
	    " (SELECT thread_id FROM temp.prune_victims);"
	    "DELETE FROM channels WHERE thread_id IN"
	    " (SELECT thread_id FROM temp.prune_victims);"
	    "DELETE FROM reports WHERE thread_id IN"
	    " (SELECT thread_id FROM temp.prune_victims);"
	    "DELETE FROM run_blobs WHERE thread_id IN"
	    " (SELECT thread_id FROM temp.prune_victims);"
	    "DELETE FROM blobs WHERE id NOT IN"
	    " (SELECT blob_id FROM run_blobs);"
	    "DELETE FROM runs WHERE thread_id IN"
	    " (SELECT thread_id FROM temp.prune_victims);";
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_exec(s,
		 "CREATE TEMP TABLE IF NOT EXISTS prune_victims"
		 " (thread_id TEXT PRIMARY KEY); DELETE FROM "
		 "temp.prune_victims",
		 "pruning runs", cause)) != 0 ||
	    (rc = store_prepare(s, pick, &st, "pruning runs", cause)) != 0)
		return rc;
	sqlite3_bind_int(st, 1, keep);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_error(s, rc, "pruning runs", cause);
	if ((rc = store_exec(s, rest, "pruning runs", cause)) != 0)
		return rc;
	*deleted = sqlite3_changes(s->db);
	return 0;
}

int
store_runs_prune(struct store *s, int keep, int *deleted_out, char **cause)
{
	int deleted = 0, rc;

	if (keep < 0)
		keep = 0;
	if ((rc = store_begin(s, cause)) != 0)
		return rc;
	if ((rc = store_prune_rows(s, keep, &deleted, cause)) != 0) {
		store_rollback(s);
		return rc;
	}
	if ((rc = store_commit(s, cause)) != 0)
		return rc;
	if (deleted_out != NULL)
		*deleted_out = deleted;
	/* Deleting rows does not give the space back. */
	if ((rc = store_exec(s, "DROP TABLE IF EXISTS temp.prune_victims",
		 "compacting", cause)) != 0)
		return rc;
	return store_vacuum(s, cause);
}

int
store_vacuum(struct store *s, char **cause)
{
	/* VACUUM rewrites the file; in WAL mode only a truncating
	 * checkpoint shrinks it. */
	return store_exec(s, "VACUUM; PRAGMA wal_checkpoint(TRUNCATE)",
	    "compacting", cause);
}

/* Binds a report's SYMBOL, PATH, SIZE, SHA256 and S3_URI to parameters
 * I to I + 4 of ST. */
static void
store_bind_report(sqlite3_stmt *st, int i, const char *symbol, const char *path,
    long long size, const char *sha256, const char *s3_uri)
{
	store_bind_text(st, i, symbol);
	store_bind_text(st, i + 1, path);
	sqlite3_bind_int64(st, i + 2, size);
	store_bind_text(st, i + 3, sha256);
	store_bind_text(st, i + 4, s3_uri);
}

int
store_report_add(struct store *s, const char *thread_id, const char *symbol,
    const char *path, long long size, const char *sha256, const char *s3_uri,
    long long *id_out, char **cause)
{
	static const char sql[] = "INSERT INTO reports (thread_id, symbol,"
				  " path, size, sha256, s3_uri, created_at)"
				  " VALUES (?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st = NULL;
	char now[STORE_TIME_SIZE];
	int rc;

	if ((rc = store_prepare(s, sql, &st, "recording the report", cause)) !=
	    0)
		return rc;
	store_bind_text(st, 1, thread_id);
	store_bind_report(st, 2, symbol, path, size, sha256, s3_uri);
	store_bind_text(st, 7, store_now(now));
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		rc = 0;
		if (id_out != NULL)
			*id_out = sqlite3_last_insert_rowid(s->db);
	} else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
		rc = store_set_error(s, STORE_E_NOTFOUND, cause,
		    xasprintf("no run %s in %s for report %s", thread_id,
			s->path, path));
	else
		rc = store_error(s, rc, "recording the report", cause);
	sqlite3_finalize(st);
	return rc;
}

int
store_report_of_run(struct store *s, const char *thread_id, cJSON **out,
    char **cause)
{
	static const char sql[] =
	    "SELECT id, thread_id, symbol, path, size,"
	    " sha256, s3_uri, created_at FROM reports WHERE thread_id = ?"
	    " ORDER BY id DESC LIMIT 1";
	cJSON *rows = NULL;
	int rc;

	*out = NULL;
	rc = store_query(s, sql, thread_id, NULL, "reading the report", &rows,
	    cause);
	if (rc != 0)
		return rc;
	if (cJSON_GetArraySize(rows) == 0) {
		cJSON_Delete(rows);
		return store_set_error(s, STORE_E_NOTFOUND, cause,
		    xasprintf("run %s has no report in %s", thread_id,
			s->path));
	}
	*out = cJSON_DetachItemFromArray(rows, 0);
	cJSON_Delete(rows);
	return 0;
}

int
store_report_put(struct store *s, const char *thread_id, const char *symbol,
    const char *path, long long size, const char *sha256, const char *s3_uri,
    long long *id_out, char **cause)
{
	static const char sql[] =
	    "UPDATE reports SET symbol = ?, path = ?,"
	    " size = ?, sha256 = ?, s3_uri = ? WHERE id = ?";
	sqlite3_stmt *st = NULL;
	cJSON *old = NULL;
	long long id;
	int rc;

	if ((rc = store_report_of_run(s, thread_id, &old, cause)) ==
	    STORE_E_NOTFOUND) {
		free(*cause);
		*cause = NULL;
		return store_report_add(s, thread_id, symbol, path, size,
		    sha256, s3_uri, id_out, cause);
	}
	if (rc != 0 ||
	    (rc = store_prepare(s, sql, &st, "recording the report", cause)) !=
		0)
		goto out;
	id = (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(old, "id"));
	store_bind_report(st, 1, symbol, path, size, sha256, s3_uri);
	sqlite3_bind_int64(st, 6, id);
	if ((rc = store_step_done(s, st, "recording the report", cause)) == 0 &&
	    id_out != NULL)
		*id_out = id;
out:
	cJSON_Delete(old);
	return rc;
}

int
store_reports_list(struct store *s, const char *symbol, cJSON **out,
    char **cause)
{
	static const char sql[] = "SELECT id, thread_id, symbol, path, size,"
				  " sha256, s3_uri, created_at FROM reports"
				  " WHERE ?1 IS NULL OR symbol = ?1"
				  " ORDER BY created_at DESC, id DESC";

	return store_query(s, sql, symbol, NULL, "listing reports", out, cause);
}
