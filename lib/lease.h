/*
 * lease.h: one process owns a run at a time.
 *
 * A lease is a row of the leases table: the owner's process id, host name
 * and process start time, when it took the run, and a heartbeat (Unix
 * seconds) renewed at checkpoints (at most every 5 seconds). It is taken in an
 * immediate transaction when a run starts or resumes, and released when the run
 * ends. A lease whose owner is dead is taken over: on the same host when
 * its process no longer runs (or the process id now belongs to a process
 * started at another time); for an owner on another host, whose processes
 * cannot be seen, when its heartbeat is older than LEASE_STALE_S.
 *
 * Functions return 0, or a negative STORE_E_* category (store.h) with
 * *cause set; STORE_E_BUSY means a live process holds the run.
 */
#ifndef STOCKAGENT_LEASE_H
#define STOCKAGENT_LEASE_H

struct store;

/* Seconds without a heartbeat after which another host's lease is dead. */
#define LEASE_STALE_S 600

/*
 * Takes THREAD_ID's lease for this process inside the transaction the
 * caller holds (store_begin): the run row must exist. Taking a lease this
 * process holds renews it. STORE_E_BUSY with a one-line *cause naming the
 * holder (pid, host, since when) when a live process holds it.
 */
int lease_take_in(struct store *s, const char *thread_id, char **cause);

/* lease_take_in in a transaction of its own. */
int lease_take(struct store *s, const char *thread_id, char **cause);

/*
 * Renews the heartbeat of THREAD_ID's lease, inside the caller's
 * transaction (a checkpoint). 0 when this process holds it or nobody does;
 * STORE_E_BUSY when another process has taken the run over.
 */
int lease_renew(struct store *s, const char *thread_id, char **cause);

/* Releases THREAD_ID's lease if this process holds it; best effort. */
void lease_release(struct store *s, const char *thread_id);

/*
 * Named locks (the locks table) follow the same rules as run leases: one
 * process holds lock NAME ("batch") at a time, and a dead holder's lock is
 * taken over. lease_lock_take takes it in a transaction of its own,
 * recording HOLDER ("batch 20250904-1a2b") for the message others get;
 * taking it again renews it. STORE_E_BUSY with a one-line *cause naming
 * the holder, its process, host and since when.
 */
int lease_lock_take(struct store *s, const char *name, const char *holder,
    char **cause);
/* Releases lock NAME if this process holds it; best effort. */
void lease_lock_release(struct store *s, const char *name);

#endif
