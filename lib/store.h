/*
 * store.h: the one SQLite database (runs, checkpoints, writes, reports).
 *
 * A struct store is one connection to the database file, opened in WAL mode
 * with foreign keys on and a busy timeout, and migrated to the schema this
 * program knows (PRAGMA user_version). One thread uses a struct store at a
 * time (threads open their own). The connection stays inside
 * store.c; modules with their own tables (checkpoint.c, blobs.c) run their
 * queries through store_prepare(), store_bind_text(), store_step_done() and
 * store_exec(), and turn SQLite failures into the same error categories
 * with store_error().
 *
 * Every function that can fail returns 0, or a negative STORE_E_* category
 * with *cause set to a one-line message the caller prints and frees. The
 * CLI maps every category to EXIT_STORAGE except STORE_E_NOTFOUND and
 * STORE_E_EXISTS, which are bad arguments (no such run, a thread id
 * taken), and STORE_E_BUSY (EXIT_BUSY). cJSON results are new objects the
 * caller deletes with cJSON_Delete.
 */
#ifndef STOCKAGENT_STORE_H
#define STOCKAGENT_STORE_H

#include <sqlite3.h>

#include <cjson/cJSON.h>

struct store;

/* The schema version this program writes (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 8
/* How long a statement waits for another process's lock, by default. */
#define STORE_BUSY_MS 5000
/* "2026-11-23T09:40:25.123Z" + NUL */
#define STORE_TIME_SIZE 25
/* A UUID in text form + NUL. */
#define STORE_THREAD_ID_SIZE 37

enum store_error {
	STORE_OK = 0,
	STORE_E_SQL = -1,      /* any other SQLite failure */
	STORE_E_IO = -2,       /* cannot create / open / write the file */
	STORE_E_NOTADB = -3,   /* not a stockagent database, or corrupt */
	STORE_E_NEWER = -4,    /* written by a newer stockagent */
	STORE_E_LOCKED = -5,   /* another process holds the lock too long */
	STORE_E_FULL = -6,     /* disk (or page limit) full; rolled back */
	STORE_E_NOTFOUND = -7, /* no such run / checkpoint */
	STORE_E_EXISTS = -8,   /* a run with that thread id exists */
	STORE_E_BUSY = -9,     /* another process holds the run (lease.h) */
};

/*
 * Opens (creating if needed) the database at PATH: parent directories with
 * mode 0700, foreign keys, busy timeout STORE_BUSY_MS; then, in ONE
 * immediate transaction that processes opening the same file at the same
 * time wait for, checks the schema and applies the migrations the file
 * lacks; then switches to WAL (waiting up to the busy timeout for the file
 * to be free). Refuses a file that is not a database, one with tables but
 * no stockagent schema, and one written by a newer stockagent. On success *OUT
 * is a handle for store_close.
 */
int store_open(const char *path, struct store **out, char **cause);
/* store_open with a busy timeout of BUSY_MS milliseconds. */
int store_open_timeout(const char *path, int busy_ms, struct store **out,
    char **cause);
/* Closes the connection; accepts NULL. */
void store_close(struct store *s);

/* The path the store was opened with. Owned by S. */
const char *store_path(struct store *s);
/* The category of the last failure on S (STORE_OK if none yet). */
int store_last_error(struct store *s);

/* Records CATEGORY as S's last failure and sets *cause to MSG (taken);
 * returns CATEGORY. For modules that find failures of their own. */
int store_set_error(struct store *s, int category, char **cause, char *msg);

/*
 * Turns SQLite result code RC (from a statement of S) into a category
 * and sets *cause: locked, disk full, read-only (file, directory or file
 * system) / I/O, damaged (a file with a stockagent header, or corrupt
 * pages), not a database, or a generic message naming DOING ("saving
 * checkpoint"). Returns the category.
 */
int store_error(struct store *s, int rc, const char *doing, char **cause);

/*
 * Prepares SQL (one statement) on S's connection into *ST, which the
 * caller steps and finalizes with sqlite3_finalize. On failure *ST is NULL
 * and the category of store_error(DOING) is returned.
 */
int store_prepare(struct store *s, const char *sql, sqlite3_stmt **st,
    const char *doing, char **cause);
/*
 * As store_prepare, for SQL that lives as long as the program (a static
 * string: its address is the key): prepared once per connection and kept
 * until store_close, so a statement run at every checkpoint is not parsed
 * again. The caller never finalizes *ST: store_release (or
 * store_step_release) resets it and clears its parameters when done.
 */
int store_prepare_kept(struct store *s, const char *sql, sqlite3_stmt **st,
    const char *doing, char **cause);
/* Resets a kept statement and clears its parameters. */
void store_release(sqlite3_stmt *st);
/* store_step_done for a kept statement: steps it to the end, releases it. */
int store_step_release(struct store *s, sqlite3_stmt *st, const char *doing,
    char **cause);
/* Binds parameter I of ST to a copy of V, or to NULL when V is NULL. */
void store_bind_text(sqlite3_stmt *st, int i, const char *v);
/*
 * Steps ST (a statement that returns no rows, parameters bound) to the
 * end and finalizes it. Returns 0 or the category of store_error(DOING).
 */
int store_step_done(struct store *s, sqlite3_stmt *st, const char *doing,
    char **cause);
/* Runs SQL (any number of statements, their rows discarded) on S. */
int store_exec(struct store *s, const char *sql, const char *doing,
    char **cause);

/* BEGIN IMMEDIATE / COMMIT. store_rollback is a no-op outside a transaction. */
int store_begin(struct store *s, char **cause);
int store_commit(struct store *s, char **cause);
void store_rollback(struct store *s);

/* Current UTC time as "YYYY-MM-DDTHH:MM:SS.mmmZ" into BUF; returns BUF. */
char *store_now(char buf[STORE_TIME_SIZE]);
/* A new version-7 UUID (time-ordered; lower-case text) into BUF;
 * returns BUF. */
char *store_new_thread_id(char buf[STORE_THREAD_ID_SIZE]);

/*
 * Records a new run with status "running" and steps 0. KIND ("analyze"),
 * SYMBOL, AS_OF, REQUEST (stored as JSON text) and MODEL may be NULL.
 * STORE_E_EXISTS if THREAD_ID is taken.
 */
int store_run_create(struct store *s, const char *thread_id, const char *kind,
    const char *symbol, const char *as_of, const cJSON *request,
    const char *model, char **cause);
/*
 * Sets a run's status (running|done|failed|interrupted) and error (NULL
 * clears it), and updated_at. STORE_E_NOTFOUND if there is no such run.
 */
int store_run_set_status(struct store *s, const char *thread_id,
    const char *status, const char *error, char **cause);
/*
 * The run as an object: thread_id, kind, symbol, as_of, status, error,
 * request (parsed), created_at, updated_at, steps, model, and "checkpoints",
 * an array of {id, step, node, next, source, created_at, state_bytes,
 * writes, writes_bytes} oldest first. STORE_E_NOTFOUND if none.
 */
int store_run_get(struct store *s, const char *thread_id, cJSON **out,
    char **cause);
/*
 * Up to LIMIT runs (LIMIT <= 0: all), newest first, optionally only those
 * for SYMBOL; each like store_run_get without "request" and "checkpoints".
 */
int store_runs_list(struct store *s, int limit, const char *symbol,
    cJSON **array_out, char **cause);
/*
 * Keeps the newest KEEP runs (KEEP >= 0) and deletes every other run with
 * its checkpoints, writes and reports rows in one transaction (checkpoints
 * of threads without a run row go too), then VACUUMs so the file shrinks.
 * *DELETED_OUT (may be NULL) is the number of runs deleted; it is set
 * even when only the VACUUM fails (the deletion is committed by then).
 */
int store_runs_prune(struct store *s, int keep, int *deleted_out, char **cause);
/*
 * Rewrites the database file without its free pages (VACUUM) and truncates
 * the write-ahead log, so the file shrinks to its data.
 */
int store_vacuum(struct store *s, char **cause);

/*
 * Records a report file. THREAD_ID (NULL allowed) must name a run;
 * SHA256 (hex) and S3_URI may be NULL. *ID_OUT (may be NULL) is its id.
 */
int store_report_add(struct store *s, const char *thread_id, const char *symbol,
    const char *path, long long size, const char *sha256, const char *s3_uri,
    long long *id_out, char **cause);
/*
 * Records the report of run THREAD_ID (not NULL): one report per run, so
 * the run's row is updated when it has one (a report step run again after
 * a kill), else a row is added. Arguments as store_report_add.
 */
int store_report_put(struct store *s, const char *thread_id, const char *symbol,
    const char *path, long long size, const char *sha256, const char *s3_uri,
    long long *id_out, char **cause);
/*
 * The report of run THREAD_ID (the newest, where an older stockagent
 * recorded several) as {id, thread_id, symbol, path, size, sha256, s3_uri,
 * created_at}. STORE_E_NOTFOUND if it has none.
 */
int store_report_of_run(struct store *s, const char *thread_id, cJSON **out,
    char **cause);
/*
 * Reports newest first, optionally only for SYMBOL: an array of {id,
 * thread_id, symbol, path, size, sha256, s3_uri, created_at}.
 */
int store_reports_list(struct store *s, const char *symbol, cJSON **out,
    char **cause);

#endif
