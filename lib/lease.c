/*
 * lease.c: run leases in the store's database (see lease.h).
 *
 * A process is known by its pid, its host name and its start time (field
 * 22 of /proc/PID/stat, in clock ticks since boot), so a pid reused by a
 * later process does not keep a dead owner's lease alive.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/lease.h"
#include "lib/store.h"
#include "lib/xmalloc.h"

/* How old a heartbeat may be before lease_renew writes a new one. */
#define LEASE_FRESH_S 5
#define LEASE_HOST_SIZE 256
#define LEASE_STARTED_SIZE 32

struct lease_who {
	long pid;
	char host[LEASE_HOST_SIZE];
	char started[LEASE_STARTED_SIZE]; /* "" when unknown */
	char since[STORE_TIME_SIZE];	  /* a holder's: when it took the run */
	long long beat;			  /* its last heartbeat, Unix seconds */
};

/* The start time of process PID into BUF ("" when it cannot be read). */
static void
lease_started(long pid, char buf[LEASE_STARTED_SIZE])
{
	char path[64], stat[1024], *p;
	size_t n = 0;
	FILE *f;
	int field;

	buf[0] = '\0';
	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if ((f = fopen(path, "re")) != NULL) {
		n = fread(stat, 1, sizeof stat - 1, f);
		fclose(f);
	}
	stat[n] = '\0';
	/* The command name may hold spaces: count fields after its ')'. */
	if ((p = strrchr(stat, ')')) == NULL)
		return;
	for (field = 2; field < 22 && p != NULL; field++)
		p = strchr(p + 1, ' ');
	if (p != NULL)
		snprintf(buf, LEASE_STARTED_SIZE, "%.*s",
		    (int)strcspn(p + 1, " "), p + 1);
}

/* Who this process is; found once a thread (again after a fork), as
 * every checkpoint asks. */
static void
lease_me(struct lease_who *me)
{
	static _Thread_local struct lease_who cached;
	static _Thread_local long cached_pid;
	long pid = (long)getpid();

	if (cached_pid != pid) {
		memset(&cached, 0, sizeof cached);
		cached.pid = pid;
		if (gethostname(cached.host, sizeof cached.host) != 0)
			snprintf(cached.host, sizeof cached.host, "unknown");
		cached.host[sizeof cached.host - 1] = '\0';
		lease_started(pid, cached.started);
		cached_pid = pid;
	}
	*me = cached;
}

/* Whether HOLDER may still be running. */
static int
lease_alive(const struct lease_who *me, const struct lease_who *holder)
{
	char now_started[LEASE_STARTED_SIZE];

	if (strcmp(holder->host, me->host) != 0)
		return (long long)time(NULL) - holder->beat < LEASE_STALE_S;
	if (kill((pid_t)holder->pid, 0) != 0 && errno == ESRCH)
		return 0;
	lease_started(holder->pid, now_started);
	return holder->started[0] == '\0' || now_started[0] == '\0' ||
	    strcmp(holder->started, now_started) == 0;
}

static void
lease_text(sqlite3_stmt *st, int i, char *buf, size_t size)
{
	const char *t = (const char *)sqlite3_column_text(st, i);

	snprintf(buf, size, "%s", t != NULL ? t : "");
}

/* Where holds of one kind are kept: run leases or named locks. */
struct lease_kind {
	const char *table;	/* "leases" */
	const char *key;	/* its key column: "thread_id" */
	const char *holder_sql; /* lease_holder's query (kept: static) */
};

static const struct lease_kind lease_runs = { "leases", "thread_id",
	"SELECT pid, host, started, since, heartbeat FROM leases"
	" WHERE thread_id = ?" };
static const struct lease_kind lease_locks = { "locks", "name",
	"SELECT pid, host, started, since, heartbeat FROM locks"
	" WHERE name = ?" };

/*
 * The holder of KEY's hold of kind K: 1 with *WHO filled, 0 when nobody
 * holds it, or a negative category.
 */
static int
lease_holder(struct store *s, const struct lease_kind *k, const char *key,
    struct lease_who *who, char **cause)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prepare_kept(s, k->holder_sql, &st,
		 "reading the run's owner", cause)) != 0)
		return rc;
	store_bind_text(st, 1, key);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		who->pid = (long)sqlite3_column_int64(st, 0);
		lease_text(st, 1, who->host, sizeof who->host);
		lease_text(st, 2, who->started, sizeof who->started);
		lease_text(st, 3, who->since, sizeof who->since);
		who->beat = sqlite3_column_int64(st, 4);
		rc = 1;
	} else if (rc == SQLITE_DONE)
		rc = 0;
	else
		rc = store_error(s, rc, "reading the run's owner", cause);
	store_release(st);
	return rc;
}

/* This process into ME, and THREAD_ID's holder as lease_holder gives it. */
static int
lease_read(struct store *s, const char *thread_id, struct lease_who *me,
    struct lease_who *who, char **cause)
{
	lease_me(me);
	return lease_holder(s, &lease_runs, thread_id, who, cause);
}

static int
lease_is_me(const struct lease_who *me, const struct lease_who *who)
{
	return who->pid == me->pid && strcmp(who->host, me->host) == 0;
}

static int
lease_busy(struct store *s, const char *thread_id, const struct lease_who *who,
    char **cause)
{
	return store_set_error(s, STORE_E_BUSY, cause,
	    xasprintf("run %s is "
		      "busy: process %ld on host %s has held it since %s; wait "
		      "for it "
		      "to end (a dead owner's hold is taken over: on another "
		      "host once "
		      "it is %d minutes without a checkpoint)",
		thread_id, who->pid, who->host, who->since,
		LEASE_STALE_S / 60));
}

/* Writes this process (ME) as the holder of KEY's hold of kind K. */
static int
lease_put(struct store *s, const struct lease_kind *k, const char *key,
    const struct lease_who *me, char **cause)
{
	char *sql = xasprintf(
	    "INSERT OR REPLACE INTO %s (%s, pid, host,"
	    " started, since, heartbeat) VALUES (?, ?, ?, ?, ?, ?)",
	    k->table, k->key);
	sqlite3_stmt *st = NULL;
	char now[STORE_TIME_SIZE];
	int rc;

	rc = store_prepare(s, sql, &st, "taking the run", cause);
	free(sql);
	if (rc != 0)
		return rc;
	store_bind_text(st, 1, key);
	sqlite3_bind_int64(st, 2, me->pid);
	store_bind_text(st, 3, me->host);
	store_bind_text(st, 4, me->started[0] != '\0' ? me->started : NULL);
	store_bind_text(st, 5, store_now(now));
	sqlite3_bind_int64(st, 6, (long long)time(NULL));
	return store_step_done(s, st, "taking the run", cause);
}

int
lease_take_in(struct store *s, const char *thread_id, char **cause)
{
	struct lease_who me, who;
	int rc;

	if ((rc = lease_read(s, thread_id, &me, &who, cause)) < 0)
		return rc;
	if (rc == 1 && !lease_is_me(&me, &who) && lease_alive(&me, &who))
		return lease_busy(s, thread_id, &who, cause);
	return lease_put(s, &lease_runs, thread_id, &me, cause);
}

int
lease_take(struct store *s, const char *thread_id, char **cause)
{
	int rc;

	if ((rc = store_begin(s, cause)) != 0)
		return rc;
	if ((rc = lease_take_in(s, thread_id, cause)) != 0) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, cause);
}

int
lease_renew(struct store *s, const char *thread_id, char **cause)
{
	static const char sql[] =
	    "UPDATE leases SET heartbeat = ?1"
	    " WHERE thread_id = ?2 AND pid = ?3 AND host = ?4";
	struct lease_who me, who;
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = lease_read(s, thread_id, &me, &who, cause)) <= 0)
		return rc;
	if (!lease_is_me(&me, &who))
		return store_set_error(s, STORE_E_BUSY, cause,
		    xasprintf(
			"run %s "
			"was taken over by process %ld on host %s at %s; this "
			"process stops",
			thread_id, who.pid, who.host, who.since));
	/* A heartbeat LEASE_FRESH_S old is fresh enough (another host's
	 * lease is dead after LEASE_STALE_S): no page written then. */
	if (who.beat >= (long long)time(NULL) - LEASE_FRESH_S)
		return 0;
	if ((rc = store_prepare_kept(s, sql, &st, "renewing the run's hold",
		 cause)) != 0)
		return rc;
	sqlite3_bind_int64(st, 1, (long long)time(NULL));
	store_bind_text(st, 2, thread_id);
	sqlite3_bind_int64(st, 3, me.pid);
	store_bind_text(st, 4, me.host);
	return store_step_release(s, st, "renewing the run's hold", cause);
}

/* Deletes KEY's hold of kind K if this process holds it; best effort. */
static void
lease_drop(struct store *s, const struct lease_kind *k, const char *key)
{
	char *sql = xasprintf("DELETE FROM %s WHERE %s = ? AND pid = ? AND"
			      " host = ?",
	    k->table, k->key);
	struct lease_who me;
	sqlite3_stmt *st = NULL;
	char *ignored = NULL;
	int rc;

	lease_me(&me);
	rc = s == NULL ?
	    -1 :
	    store_prepare(s, sql, &st, "releasing the run", &ignored);
	free(sql);
	if (rc != 0) {
		free(ignored);
		return;
	}
	store_bind_text(st, 1, key);
	sqlite3_bind_int64(st, 2, me.pid);
	store_bind_text(st, 3, me.host);
	if (store_step_done(s, st, "releasing the run", &ignored) != 0)
		free(ignored);
}

void
lease_release(struct store *s, const char *thread_id)
{
	lease_drop(s, &lease_runs, thread_id);
}

/* What holds lock NAME (the locks row's holder) into *OUT (heap). */
static int
lease_lock_holder(struct store *s, const char *name, char **out, char **cause)
{
	static const char sql[] = "SELECT holder FROM locks WHERE name = ?";
	sqlite3_stmt *st = NULL;
	const char *t;
	int rc;

	if ((rc = store_prepare(s, sql, &st, "reading a lock", cause)) != 0)
		return rc;
	store_bind_text(st, 1, name);
	rc = sqlite3_step(st);
	t = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
	*out = xstrdup(t != NULL ? t : name);
	sqlite3_finalize(st);
	return 0;
}

/* Records HOLDER on lock NAME (taken by this process just now). */
static int
lease_lock_name_holder(struct store *s, const char *name, const char *holder,
    char **cause)
{
	static const char sql[] = "UPDATE locks SET holder = ? WHERE name = ?";
	sqlite3_stmt *st = NULL;
	int rc;

	if ((rc = store_prepare(s, sql, &st, "taking a lock", cause)) != 0)
		return rc;
	store_bind_text(st, 1, holder);
	store_bind_text(st, 2, name);
	return store_step_done(s, st, "taking a lock", cause);
}

static int
lease_lock_take_in(struct store *s, const char *name, const char *holder,
    char **cause)
{
	struct lease_who me, who;
	char *what = NULL;
	int rc;

	lease_me(&me);
	if ((rc = lease_holder(s, &lease_locks, name, &who, cause)) < 0)
		return rc;
	if (rc == 1 && !lease_is_me(&me, &who) && lease_alive(&me, &who)) {
		if ((rc = lease_lock_holder(s, name, &what, cause)) != 0)
			return rc;
		rc = store_set_error(s, STORE_E_BUSY, cause,
		    xasprintf(
			"%s "
			"holds the lock '%s': process %ld on host %s since %s",
			what, name, who.pid, who.host, who.since));
		free(what);
		return rc;
	}
	if ((rc = lease_put(s, &lease_locks, name, &me, cause)) != 0)
		return rc;
	return lease_lock_name_holder(s, name, holder, cause);
}

int
lease_lock_take(struct store *s, const char *name, const char *holder,
    char **cause)
{
	int rc;

	if ((rc = store_begin(s, cause)) != 0)
		return rc;
	if ((rc = lease_lock_take_in(s, name, holder, cause)) != 0) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, cause);
}

void
lease_lock_release(struct store *s, const char *name)
{
	lease_drop(s, &lease_locks, name);
}
