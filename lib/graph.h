/*
 * graph.h: a LangGraph-style state machine.
 *
 * The state is one cJSON object. Nodes read it and return a partial update
 * (an object); per-key reducers merge the update into the state. Normal
 * edges and conditional routes pick the next node; GRAPH_END stops. With a
 * store, every super-step is checkpointed (checkpoint.h) so a thread can be
 * resumed after a crash, a storage failure or an interrupt.
 *
 * Execution runs one node per super-step (fan-out edges are rejected by
 * graph_compile, not silently serialised). Nodes are retried per their
 * retry policy with exponential backoff and jitter.
 *
 * Ownership: graph_new/graph_free; names passed in are copied; the input
 * given to graph_invoke is consumed; *final_state_out and node updates are
 * new objects (the graph takes updates, the caller deletes the final state).
 */
#ifndef STOCKAGENT_GRAPH_H
#define STOCKAGENT_GRAPH_H

#include <cjson/cJSON.h>

#include "lib/store.h"

#define GRAPH_START "__start__"
#define GRAPH_END "__end__"

/* The default recursion limit: most node steps one invoke/resume may run. */
#define GRAPH_RECURSION_LIMIT 25

/* Graph-level failures (node failures are the node's positive code). */
enum graph_error {
	GRAPH_E_RECURSION = -1,	  /* recursion limit reached */
	GRAPH_E_STORAGE = -2,	  /* checkpoint I/O failed; resumable;
				     store_last_error() says why */
	GRAPH_E_INTERRUPTED = -3, /* paused before a node (cannot ask) */
	GRAPH_E_DECLINED = -4,	  /* approval declined before a node */
	GRAPH_E_NOTFOUND = -5,	  /* resume of an unknown thread */
	GRAPH_E_INVALID = -6,	  /* bad graph, route or update */
};

/*
 * A node: reads STATE, sets *UPDATE_OUT to a new object (or NULL: no
 * change) that the graph takes. Returns 0, or a positive application code
 * (an exit code: 3 market, 4 model, ...) with *CAUSE set. A negative return
 * is treated as 1.
 */
typedef int (*graph_node_fn)(void *ctx, const cJSON *state, cJSON **update_out,
    char **cause);
/* A route: the next node's name or GRAPH_END (NULL is an error). */
typedef const char *(*graph_route_fn)(void *ctx, const cJSON *state);

/*
 * LangGraph's RetryPolicy. Attempt n (1-based) failing with a code that
 * retry_on accepts (NULL: every code) waits
 *   min(initial_interval_s * backoff_factor^(n-1), max_interval_s)
 * plus, with jitter, a uniform 0..1 s, then runs the node again, up to
 * max_attempts attempts in all.
 */
struct graph_retry {
	int max_attempts;	   /* attempts in all, >= 1 */
	double initial_interval_s; /* seconds before the 2nd attempt */
	double backoff_factor;	   /* interval multiplier per attempt */
	double max_interval_s;	   /* cap on the interval, seconds */
	int jitter;		   /* add uniform [0, 1) s */
	int (*retry_on)(int code); /* 1: retry this code; NULL: all */
};
/* 3 attempts, 0.5 s, x2, 128 s max, jitter, every code. */
extern const struct graph_retry graph_retry_default;

enum graph_reducer {
	GRAPH_REDUCE_OVERWRITE, /* the update's value replaces the state's */
	GRAPH_REDUCE_APPEND,	/* arrays: the update's items are appended */
	GRAPH_REDUCE_MERGE,	/* objects: shallow merge of the keys */
};

struct graph;

/* A new, empty graph called NAME (used in messages). */
struct graph *graph_new(const char *name);
/* Frees G; accepts NULL. */
void graph_free(struct graph *g);

/*
 * Adds node NAME running FN; RETRY (copied; NULL = one attempt) is its
 * retry policy. Names must be unique, non-empty and not START/END; errors
 * are reported by graph_compile.
 */
void graph_add_node(struct graph *g, const char *name, graph_node_fn fn,
    const struct graph_retry *retry);
/* An edge FROM -> TO; FROM may be GRAPH_START, TO may be GRAPH_END. */
void graph_add_edge(struct graph *g, const char *from, const char *to);
/* A conditional route out of FROM (a node or GRAPH_START). */
void graph_add_route(struct graph *g, const char *from, graph_route_fn fn);
/* The reducer for state key KEY (default overwrite). */
void graph_set_reducer(struct graph *g, const char *key,
    enum graph_reducer reducer);
/* Ask for approval (graph_run_opts.approve) before NODE runs. */
void graph_interrupt_before(struct graph *g, const char *node);

/*
 * Validates G: duplicate or reserved node names, edges or interrupts naming
 * unknown nodes, no way out of START, a node with no way out, a node with
 * both an edge and a route or with two edges (fan-out), nodes unreachable
 * from START (a route may lead to any node). Returns 0 or -1 with *cause
 * listing the first problem. graph_invoke and graph_resume need it.
 */
int graph_compile(struct graph *g, char **cause);

struct graph_run_opts {
	struct store *store;   /* NULL: no checkpoints */
	const char *thread_id; /* needed with a store */
	int recursion_limit;   /* steps per call; <= 0: GRAPH_RECURSION_LIMIT */
	/*
	 * Events: "run_start" {graph, thread_id, resumed}, "node_start"
	 * {node, step, attempt}, "node_end" {node, step, keys, ms}, "retry"
	 * {node, step, attempt, delay_s, code, error}, "checkpoint" {id,
	 * step, next}, "interrupt" {node, step, reason}, "run_end" {status,
	 * steps}. DATA is owned by the graph; valid during the call.
	 */
	void (*on_event)(void *arg, const char *type, const cJSON *data);
	void *event_arg;
	/*
	 * Asked before an interrupt_before node: 1 go on, 0 declined, -1
	 * cannot ask (no terminal). NULL counts as -1.
	 */
	int (*approve)(void *arg, const char *node, const cJSON *state);
	void *approve_arg;
	void *node_ctx; /* passed to nodes and routes */
	/* Sleeps between retries; NULL: nanosleep (tests replace it). */
	void (*sleep_fn)(void *arg, double seconds);
	void *sleep_arg;
};

/*
 * Runs G from START on INPUT (consumed; an object). With a store, the
 * thread must be new: the input is checkpointed as step -1 and every node
 * step after it; the run row's status follows (running, done, failed,
 * interrupted). Returns 0 with *FINAL_STATE_OUT (a new object) when END is
 * reached; a node's positive code after its retries; or a GRAPH_E_*. On
 * any failure *cause is set and *FINAL_STATE_OUT is NULL.
 */
int graph_invoke(struct graph *g, const struct graph_run_opts *opts,
    cJSON *input, cJSON **final_state_out, char **cause);

/*
 * Continues opts->thread_id from its latest checkpoint (asking for
 * approval again if it paused before a node). A finished thread returns
 * its final state without running anything. GRAPH_E_NOTFOUND if the thread
 * has no checkpoints; otherwise as graph_invoke.
 */
int graph_resume(struct graph *g, const struct graph_run_opts *opts,
    cJSON **final_state_out, char **cause);

/*
 * LangGraph's update_state: merges UPDATE (an object, not taken) into the
 * latest state of opts->thread_id by the reducers, as if node AS_NODE had
 * returned it (then the next node follows AS_NODE's edge or route; with
 * AS_NODE NULL the next node stays the same), and saves it as a new
 * checkpoint with source "update" one step later. Used to edit a paused
 * thread before graph_resume. Returns 0 or a GRAPH_E_* with *cause.
 */
int graph_update_state(struct graph *g, const struct graph_run_opts *opts,
    const cJSON *update, const char *as_node, char **cause);

#endif
