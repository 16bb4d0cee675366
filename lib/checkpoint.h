/*
 * checkpoint.h: the SQLite checkpointer (LangGraph's SqliteSaver) on store.
 *
 * A thread is a sequence of checkpoints: the full state after each
 * super-step, the node that ran, the node that runs next (or "__end__"),
 * and the update that node returned (checkpoint_list's writes). Step -1 is the
 * input (source "input"); steps 0, 1, ... are node steps (source "loop").
 *
 * Functions return 0, or a negative STORE_E_* category (store.h) with
 * *cause set. cJSON results are new objects the caller deletes.
 */
#ifndef STOCKAGENT_CHECKPOINT_H
#define STOCKAGENT_CHECKPOINT_H

#include <cjson/cJSON.h>

#include "lib/store.h"

/* "SSSSSSSS-TTTTTTTTTTTT-RRRR" + NUL: step + 1, UTC ms, random (hex). */
#define CHECKPOINT_ID_SIZE 27

/*
 * Saves one checkpoint of THREAD_ID in ONE transaction: the UPDATE rows
 * in writes (UPDATE may be NULL; only keys whose value differs from
 * STATE's), the channels of STATE that UPDATE names, the checkpoint row (parent
 * = the thread's latest checkpoint), and the run row (created if missing) with
 * steps = STEP + 1, updated_at, and status "done" when NEXT is "__end__",
 * else "running" (source "update" keeps the status). Either all of it is
 * written or none of it. STEP >= -1; NODE may be NULL (the input); SOURCE is
 * "input", "loop" or "update". The new id (sortable: later steps sort later)
 * goes to ID_OUT (may be NULL). A full disk gives STORE_E_FULL with a cause
 * that says how to resume the thread; STORE_E_EXISTS when STEP is -1 and
 * the thread has checkpoints already. STATE must be the state of the
 * thread's latest checkpoint with UPDATE's keys reduced in (the keys UPDATE
 * does not name unchanged): a channel UPDATE does not name keeps its
 * version. The heartbeat of this process's lease on
 * the thread is renewed; STORE_E_BUSY when another process holds the lease.
 */
int checkpoint_put(struct store *s, const char *thread_id, int step,
    const char *node, const char *next, const char *source, const cJSON *state,
    const cJSON *update, char *id_out, char **cause);

/*
 * The latest checkpoint of THREAD_ID (highest step, then newest id):
 * *STATE_OUT a new object, *STEP_OUT its step, *NEXT_OUT (may be NULL) a
 * heap string the caller frees. STORE_E_NOTFOUND if the thread has none.
 */
int checkpoint_get_latest(struct store *s, const char *thread_id,
    cJSON **state_out, int *step_out, char **next_out, char **cause);

/*
 * All checkpoints of THREAD_ID, oldest first: an array of {id, parent_id,
 * step, node, next, source, created_at, metadata, state, writes} where
 * writes maps each updated key to the value the node returned. An unknown
 * thread gives an empty array.
 */
int checkpoint_list(struct store *s, const char *thread_id, cJSON **out,
    char **cause);

#endif
