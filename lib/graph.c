/*
 * graph.c: the state machine: building, compiling and running a graph.
 *
 * A run is a loop of super-steps: ask for approval if the node has an
 * interrupt, run the node (with retries), merge its update into a copy of
 * the state by the per-key reducers, pick the next node, checkpoint the
 * step in one transaction, and only then adopt the new state. A failure at
 * any point leaves the previous checkpoint as the thread's latest, so
 * graph_resume continues from a complete step.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "lib/checkpoint.h"
#include "lib/graph.h"
#include "lib/xmalloc.h"

const struct graph_retry graph_retry_default = {
	.max_attempts = 3,
	.initial_interval_s = 0.5,
	.backoff_factor = 2.0,
	.max_interval_s = 128.0,
	.jitter = 1,
	.retry_on = NULL,
};

struct graph_node {
	char *name;
	graph_node_fn fn;
	struct graph_retry retry; /* max_attempts 1 when none was given */
	int interrupt;		  /* ask for approval before it runs */
};

/* An edge (fn NULL, to set) or a route (fn set, to NULL) out of FROM. */
struct graph_exit {
	char *from;
	char *to;
	graph_route_fn fn;
};

struct graph_reducer_entry {
	char *key;
	enum graph_reducer reducer;
};

struct graph {
	char *name;
	struct graph_node *nodes;
	size_t nnodes;
	struct graph_exit *exits;
	size_t nexits;
	struct graph_reducer_entry *reducers;
	size_t nreducers;
	char **interrupts; /* node names, checked by graph_compile */
	size_t ninterrupts;
	int compiled;
};

/* One invoke or resume in progress. */
struct graph_run {
	struct graph *g;
	const struct graph_run_opts *o;
	cJSON *state; /* owned */
	int step;     /* step of the latest checkpoint (-1: the input) */
	char *next;   /* owned: node to run next, or GRAPH_END */
	int ran;      /* node steps run in this call */
};

struct graph *
graph_new(const char *name)
{
	struct graph *g = xcalloc(1, sizeof *g);

	g->name = xstrdup(name != NULL ? name : "graph");
	return g;
}

void
graph_free(struct graph *g)
{
	size_t i;

	if (g == NULL)
		return;
	for (i = 0; i < g->nnodes; i++)
		free(g->nodes[i].name);
	for (i = 0; i < g->nexits; i++) {
		free(g->exits[i].from);
		free(g->exits[i].to);
	}
	for (i = 0; i < g->nreducers; i++)
		free(g->reducers[i].key);
	for (i = 0; i < g->ninterrupts; i++)
		free(g->interrupts[i]);
	free(g->nodes);
	free(g->exits);
	free(g->reducers);
	free(g->interrupts);
	free(g->name);
	free(g);
}

void
graph_add_node(struct graph *g, const char *name, graph_node_fn fn,
    const struct graph_retry *retry)
{
	struct graph_node *n;

	g->nodes = xreallocarray(g->nodes, g->nnodes + 1, sizeof *g->nodes);
	n = &g->nodes[g->nnodes++];
	memset(n, 0, sizeof *n);
	n->name = xstrdup(name != NULL ? name : "");
	n->fn = fn;
	if (retry != NULL)
		n->retry = *retry;
	if (n->retry.max_attempts < 1)
		n->retry.max_attempts = 1;
	g->compiled = 0;
}

static void
graph_add_exit(struct graph *g, const char *from, const char *to,
    graph_route_fn fn)
{
	struct graph_exit *e;

	g->exits = xreallocarray(g->exits, g->nexits + 1, sizeof *g->exits);
	e = &g->exits[g->nexits++];
	e->from = xstrdup(from != NULL ? from : "");
	e->to = to != NULL ? xstrdup(to) : NULL;
	e->fn = fn;
	g->compiled = 0;
}

void
graph_add_edge(struct graph *g, const char *from, const char *to)
{
	graph_add_exit(g, from, to != NULL ? to : "", NULL);
}

void
graph_add_route(struct graph *g, const char *from, graph_route_fn fn)
{
	graph_add_exit(g, from, NULL, fn);
}

void
graph_set_reducer(struct graph *g, const char *key, enum graph_reducer reducer)
{
	size_t i;

	for (i = 0; i < g->nreducers; i++)
		if (strcmp(g->reducers[i].key, key) == 0) {
			g->reducers[i].reducer = reducer;
			return;
		}
	g->reducers = xreallocarray(g->reducers, g->nreducers + 1,
	    sizeof *g->reducers);
	g->reducers[g->nreducers].key = xstrdup(key);
	g->reducers[g->nreducers++].reducer = reducer;
}

void
graph_interrupt_before(struct graph *g, const char *node)
{
	g->interrupts = xreallocarray(g->interrupts, g->ninterrupts + 1,
	    sizeof *g->interrupts);
	g->interrupts[g->ninterrupts++] = xstrdup(node);
	g->compiled = 0;
}

static struct graph_node *
graph_find(struct graph *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->nnodes; i++)
		if (strcmp(g->nodes[i].name, name) == 0)
			return &g->nodes[i];
	return NULL;
}

/* -------------------------------------------------------------------- */
/* compile */

static int
graph_reserved(const char *name)
{
	return *name == '\0' || strcmp(name, GRAPH_START) == 0 ||
	    strcmp(name, GRAPH_END) == 0;
}

static int
graph_check_nodes(struct graph *g, char **cause)
{
	size_t i, j;

	for (i = 0; i < g->nnodes; i++) {
		if (graph_reserved(g->nodes[i].name) ||
		    g->nodes[i].fn == NULL) {
			*cause = xasprintf(
			    "graph %s: node \"%s\" needs a "
			    "function and a name other than %s and %s",
			    g->name, g->nodes[i].name, GRAPH_START, GRAPH_END);
			return -1;
		}
		for (j = 0; j < i; j++)
			if (strcmp(g->nodes[i].name, g->nodes[j].name) == 0) {
				*cause = xasprintf("graph %s: node %s is added "
						   "twice",
				    g->name, g->nodes[i].name);
				return -1;
			}
	}
	return 0;
}

static int
graph_check_exits(struct graph *g, char **cause)
{
	struct graph_exit *e;
	size_t i;

	for (i = 0; i < g->nexits; i++) {
		e = &g->exits[i];
		if (strcmp(e->from, GRAPH_START) != 0 &&
		    graph_find(g, e->from) == NULL) {
			*cause = xasprintf("graph %s: %s from unknown node "
					   "\"%s\"",
			    g->name, e->fn ? "route" : "edge", e->from);
			return -1;
		}
		if (e->fn == NULL && strcmp(e->to, GRAPH_END) != 0 &&
		    graph_find(g, e->to) == NULL) {
			*cause = xasprintf("graph %s: edge %s -> unknown node "
					   "\"%s\"",
			    g->name, e->from, e->to);
			return -1;
		}
	}
	for (i = 0; i < g->ninterrupts; i++)
		if (graph_find(g, g->interrupts[i]) == NULL) {
			*cause = xasprintf("graph %s: interrupt before unknown "
					   "node \"%s\"",
			    g->name, g->interrupts[i]);
			return -1;
		}
	return 0;
}

/* Checks that FROM has exactly one way out: one edge or one route. */
static int
graph_check_way_out(struct graph *g, const char *from, char **cause)
{
	size_t i, edges = 0, routes = 0;

	for (i = 0; i < g->nexits; i++)
		if (strcmp(g->exits[i].from, from) == 0) {
			if (g->exits[i].fn != NULL)
				routes++;
			else
				edges++;
		}
	if (edges + routes == 1)
		return 0;
	if (edges + routes == 0 && strcmp(from, GRAPH_START) == 0)
		*cause = xasprintf("graph %s: no entry edge from %s", g->name,
		    GRAPH_START);
	else if (edges + routes == 0)
		*cause = xasprintf("graph %s: node %s has no way out; add an "
				   "edge to %s",
		    g->name, from, GRAPH_END);
	else if (edges > 0 && routes > 0)
		*cause = xasprintf("graph %s: %s has both an edge and a route",
		    g->name, from);
	else
		*cause = xasprintf("graph %s: %s has %zu %s; fan-out is not "
				   "supported (one node per step)",
		    g->name, from, edges + routes,
		    edges > 0 ? "edges" : "routes");
	return -1;
}

/* Marks nodes reachable from START; a route may lead anywhere. */
static int
graph_check_reachable(struct graph *g, char **cause)
{
	char *seen = xcalloc(g->nnodes + 1, 1); /* [nnodes]: START last */
	size_t i, k, changed = 1;
	struct graph_node *to;
	int rc = 0;

	seen[g->nnodes] = 1;
	while (changed) {
		changed = 0;
		for (i = 0; i < g->nexits; i++) {
			struct graph_exit *e = &g->exits[i];
			struct graph_node *from = graph_find(g, e->from);
			size_t fi = from != NULL ? (size_t)(from - g->nodes) :
						   g->nnodes;

			if (!seen[fi])
				continue;
			for (k = 0; k < g->nnodes; k++) {
				to = &g->nodes[k];
				if (seen[k] ||
				    (e->fn == NULL &&
					strcmp(e->to, to->name) != 0))
					continue;
				seen[k] = 1;
				changed = 1;
			}
		}
	}
	for (k = 0; k < g->nnodes && rc == 0; k++)
		if (!seen[k]) {
			*cause = xasprintf("graph %s: node %s cannot be "
					   "reached from %s",
			    g->name, g->nodes[k].name, GRAPH_START);
			rc = -1;
		}
	free(seen);
	return rc;
}

int
graph_compile(struct graph *g, char **cause)
{
	size_t i;

	g->compiled = 0;
	if (graph_check_nodes(g, cause) != 0 ||
	    graph_check_exits(g, cause) != 0 ||
	    graph_check_way_out(g, GRAPH_START, cause) != 0)
		return -1;
	for (i = 0; i < g->nnodes; i++)
		if (graph_check_way_out(g, g->nodes[i].name, cause) != 0)
			return -1;
	if (graph_check_reachable(g, cause) != 0)
		return -1;
	for (i = 0; i < g->nnodes; i++)
		g->nodes[i].interrupt = 0;
	for (i = 0; i < g->ninterrupts; i++)
		graph_find(g, g->interrupts[i])->interrupt = 1;
	g->compiled = 1;
	return 0;
}

/* -------------------------------------------------------------------- */
/* reducers */

static enum graph_reducer
graph_reducer_of(struct graph *g, const char *key)
{
	size_t i;

	for (i = 0; i < g->nreducers; i++)
		if (strcmp(g->reducers[i].key, key) == 0)
			return g->reducers[i].reducer;
	return GRAPH_REDUCE_OVERWRITE;
}

/*
 * A step's update is reduced into the state in place; what it replaced is
 * kept in an undo list until the step's checkpoint is saved, and put back
 * if the step fails. A replaced value keeps its node (and its place in the
 * state): the new value's payload is swapped into it, so only the keys the
 * update names are copied, never the whole state.
 */
struct graph_undo {
	cJSON *node; /* the state's member */
	cJSON *held; /* its old payload; NULL: NODE was added by the step */
};

struct graph_undo_list {
	struct graph_undo *v;
	size_t n, cap;
};

/* Swaps the values of A and B, not their keys or places in a list. */
static void
graph_swap(cJSON *a, cJSON *b)
{
	const int keyed = cJSON_StringIsConst;
	cJSON t = *a;

	a->child = b->child;
	a->valuestring = b->valuestring;
	a->valueint = b->valueint;
	a->valuedouble = b->valuedouble;
	a->type = (b->type & ~keyed) | (t.type & keyed);
	b->child = t.child;
	b->valuestring = t.valuestring;
	b->valueint = t.valueint;
	b->valuedouble = t.valuedouble;
	b->type = (t.type & ~keyed) | (b->type & keyed);
}

static void
graph_undo_push(struct graph_undo_list *u, cJSON *node, cJSON *held)
{
	if (u->n == u->cap) {
		u->cap = u->cap ? 2 * u->cap : 8;
		u->v = xreallocarray(u->v, u->cap, sizeof *u->v);
	}
	u->v[u->n].node = node;
	u->v[u->n++].held = held;
}

/* Puts STATE back as it was before the step (newest change first). */
static void
graph_undo(cJSON *state, struct graph_undo_list *u)
{
	struct graph_undo *e;

	while (u->n > 0) {
		e = &u->v[--u->n];
		if (e->held == NULL) {
			cJSON_Delete(cJSON_DetachItemViaPointer(state,
			    e->node));
			continue;
		}
		graph_swap(e->node, e->held);
		cJSON_Delete(e->held);
	}
	free(u->v);
	u->v = NULL;
	u->cap = 0;
}

/* Keeps the step's changes: frees what they replaced. */
static void
graph_undo_forget(struct graph_undo_list *u)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		cJSON_Delete(u->v[i].held);
	free(u->v);
	memset(u, 0, sizeof *u);
}

/* STATE[KEY] = VALUE (taken), in its old place when KEY is there. */
static void
graph_put(cJSON *state, const char *key, cJSON *value,
    struct graph_undo_list *u)
{
	cJSON *cur = cJSON_GetObjectItemCaseSensitive(state, key);

	if (cur == NULL) {
		cJSON_AddItemToObject(state, key, value);
		graph_undo_push(u, value, NULL);
		return;
	}
	graph_swap(cur, value);
	graph_undo_push(u, cur, value);
}

static int
graph_reduce_one(struct graph *g, const char *node, cJSON *state,
    const cJSON *item, struct graph_undo_list *u, char **cause)
{
	enum graph_reducer r = graph_reducer_of(g, item->string);
	int is_array = r == GRAPH_REDUCE_APPEND, bad_state;
	const cJSON *v, *cur;
	cJSON *fresh;

	if (r == GRAPH_REDUCE_OVERWRITE) {
		graph_put(state, item->string, cJSON_Duplicate(item, 1), u);
		return 0;
	}
	cur = cJSON_GetObjectItemCaseSensitive(state, item->string);
	bad_state = cur != NULL && !cJSON_IsNull(cur) &&
	    !(is_array ? cJSON_IsArray(cur) : cJSON_IsObject(cur));
	if (bad_state || (!is_array && !cJSON_IsObject(item))) {
		*cause = xasprintf("node %s: key \"%s\" uses the %s reducer "
				   "but the %s is not an %s",
		    node, item->string, is_array ? "append" : "merge",
		    bad_state ? "state's value" : "update",
		    is_array ? "array" : "object");
		return -1;
	}
	if (cur == NULL || cJSON_IsNull(cur))
		fresh = is_array ? cJSON_CreateArray() : cJSON_CreateObject();
	else
		fresh = cJSON_Duplicate(cur, 1);
	if (is_array && !cJSON_IsArray(item)) {
		cJSON_AddItemToArray(fresh, cJSON_Duplicate(item, 1));
	} else if (is_array) {
		cJSON_ArrayForEach(v, item)
			cJSON_AddItemToArray(fresh, cJSON_Duplicate(v, 1));
	} else {
		cJSON_ArrayForEach(v, item) {
			if (cJSON_GetObjectItemCaseSensitive(fresh,
				v->string) != NULL)
				cJSON_ReplaceItemInObjectCaseSensitive(fresh,
				    v->string, cJSON_Duplicate(v, 1));
			else
				cJSON_AddItemToObject(fresh, v->string,
				    cJSON_Duplicate(v, 1));
		}
	}
	graph_put(state, item->string, fresh, u);
	return 0;
}

/* Merges UPDATE into STATE by the reducers, recording the changes in U;
 * on failure STATE is as it was and *cause says why. */
static int
graph_reduce(struct graph *g, const char *node, cJSON *state,
    const cJSON *update, struct graph_undo_list *u, char **cause)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, update)
		if (graph_reduce_one(g, node, state, item, u, cause) != 0) {
			graph_undo(state, u);
			return -1;
		}
	return 0;
}

/* -------------------------------------------------------------------- */
/* running */

static void
graph_emit(struct graph_run *r, const char *type, cJSON *data)
{
	if (r->o->on_event != NULL)
		r->o->on_event(r->o->event_arg, type, data);
	cJSON_Delete(data);
}

static double
graph_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
graph_sleep(double seconds)
{
	struct timespec ts;

	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Uniform in [0, 1). */
static double
graph_uniform(void)
{
	uint32_t u = 0;

	if (getrandom(&u, sizeof u, 0) != (ssize_t)sizeof u)
		u = (uint32_t)graph_now_ms();
	return (double)u / 4294967296.0;
}

/* Seconds to wait after failed attempt ATTEMPT (1-based). */
static double
graph_backoff(const struct graph_retry *p, int attempt)
{
	double d = p->initial_interval_s * pow(p->backoff_factor, attempt - 1);

	if (d > p->max_interval_s)
		d = p->max_interval_s;
	if (d < 0)
		d = 0;
	return p->jitter ? d + graph_uniform() : d;
}

static void
graph_emit_node(struct graph_run *r, const char *type, const char *node,
    int step, int attempt)
{
	cJSON *d;

	if (r->o->on_event == NULL)
		return;
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "node", node);
	cJSON_AddNumberToObject(d, "step", step);
	cJSON_AddNumberToObject(d, "attempt", attempt);
	graph_emit(r, type, d);
}

static void
graph_emit_retry(struct graph_run *r, const char *node, int step, int attempt,
    double delay, int code, const char *error)
{
	cJSON *d = cJSON_CreateObject();

	cJSON_AddStringToObject(d, "node", node);
	cJSON_AddNumberToObject(d, "step", step);
	cJSON_AddNumberToObject(d, "attempt", attempt);
	cJSON_AddNumberToObject(d, "delay_s", delay);
	cJSON_AddNumberToObject(d, "code", code);
	cJSON_AddStringToObject(d, "error", error);
	graph_emit(r, "retry", d);
}

/* Runs N with its retry policy; *UPDATE_OUT is an object on success. */
static int
graph_run_node(struct graph_run *r, struct graph_node *n, int step,
    cJSON **update_out, char **cause)
{
	const struct graph_retry *p = &n->retry;
	cJSON *upd;
	char *why;
	double delay;
	int attempt, rc;

	for (attempt = 1;; attempt++) {
		graph_emit_node(r, "node_start", n->name, step, attempt);
		upd = NULL;
		why = NULL;
		rc = n->fn(r->o->node_ctx, r->state, &upd, &why);
		if (rc == 0 && (upd == NULL || cJSON_IsObject(upd))) {
			free(why);
			*update_out = upd != NULL ? upd : cJSON_CreateObject();
			return 0;
		}
		cJSON_Delete(upd);
		if (rc == 0) {
			free(why);
			*cause = xasprintf("node %s returned an update that is "
					   "not an object",
			    n->name);
			return GRAPH_E_INVALID;
		}
		if (rc < 0)
			rc = 1;
		if (why == NULL)
			why = xasprintf("node %s failed (code %d)", n->name,
			    rc);
		if (attempt >= p->max_attempts ||
		    (p->retry_on != NULL && !p->retry_on(rc))) {
			*cause = why;
			return rc;
		}
		delay = graph_backoff(p, attempt);
		graph_emit_retry(r, n->name, step, attempt, delay, rc, why);
		free(why);
		if (r->o->sleep_fn != NULL)
			r->o->sleep_fn(r->o->sleep_arg, delay);
		else
			graph_sleep(delay);
	}
}

/* The node after FROM in STATE, validated; heap string or NULL/cause. */
static char *
graph_next_of(struct graph_run *r, const char *from, const cJSON *state,
    char **cause)
{
	struct graph *g = r->g;
	const char *to = NULL;
	size_t i;

	for (i = 0; i < g->nexits; i++)
		if (strcmp(g->exits[i].from, from) == 0) {
			to = g->exits[i].fn != NULL ?
			    g->exits[i].fn(r->o->node_ctx, state) :
			    g->exits[i].to;
			break;
		}
	if (to == NULL ||
	    (strcmp(to, GRAPH_END) != 0 && graph_find(g, to) == NULL)) {
		*cause = xasprintf("graph %s: the route out of %s returned "
				   "%s%s%s, which is not a node",
		    g->name, from, to ? "\"" : "", to ? to : "nothing",
		    to ? "\"" : "");
		return NULL;
	}
	return xstrdup(to);
}

/* Best effort: the run row's status (the failure is already reported). */
static void
graph_set_status(struct graph_run *r, const char *status, const char *error)
{
	char *ignored = NULL;

	if (r->o->store != NULL)
		store_run_set_status(r->o->store, r->o->thread_id, status,
		    error, &ignored);
	free(ignored);
}

/* Saves a checkpoint of STATE; emits "checkpoint". */
static int
graph_save(struct graph_run *r, int step, const char *node, const char *next,
    const char *source, const cJSON *state, const cJSON *update, char **cause)
{
	char id[CHECKPOINT_ID_SIZE];
	cJSON *d;
	int rc;

	if (r->o->store == NULL)
		return 0;
	if ((rc = checkpoint_put(r->o->store, r->o->thread_id, step, node, next,
		 source, state, update, id, cause)) != 0)
		return rc == STORE_E_EXISTS ? GRAPH_E_INVALID : GRAPH_E_STORAGE;
	if (r->o->on_event == NULL)
		return 0;
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "id", id);
	cJSON_AddNumberToObject(d, "step", step);
	cJSON_AddStringToObject(d, "next", next);
	graph_emit(r, "checkpoint", d);
	return 0;
}

/* Asks before N; 0 to go on, else GRAPH_E_INTERRUPTED / _DECLINED. */
static int
graph_ask(struct graph_run *r, struct graph_node *n, int step, char **cause)
{
	const struct graph_run_opts *o = r->o;
	int a = o->approve != NULL ?
	    o->approve(o->approve_arg, n->name, r->state) :
	    -1;
	cJSON *d;

	if (a == 1)
		return 0;
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "node", n->name);
	cJSON_AddNumberToObject(d, "step", step);
	cJSON_AddStringToObject(d, "reason", a == 0 ? "declined" : "paused");
	graph_emit(r, "interrupt", d);
	if (a == 0)
		*cause = xasprintf("approval declined before %s", n->name);
	else if (o->store != NULL)
		*cause = xasprintf("paused before %s for approval; run "
				   "'stockagent runs resume %s' to continue",
		    n->name, o->thread_id);
	else
		*cause = xasprintf("paused before %s: it needs approval and "
				   "none can be asked",
		    n->name);
	graph_set_status(r, "interrupted", *cause);
	return a == 0 ? GRAPH_E_DECLINED : GRAPH_E_INTERRUPTED;
}

static void
graph_emit_end(struct graph_run *r, struct graph_node *n, int step,
    const cJSON *update, double ms)
{
	cJSON *d, *keys;
	const cJSON *item;

	if (r->o->on_event == NULL)
		return;
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "node", n->name);
	cJSON_AddNumberToObject(d, "step", step);
	keys = cJSON_AddArrayToObject(d, "keys");
	cJSON_ArrayForEach(item, update)
		cJSON_AddItemToArray(keys, cJSON_CreateString(item->string));
	cJSON_AddNumberToObject(d, "ms", ms);
	graph_emit(r, "node_end", d);
}

/* One super-step: node r->next runs; state, step and next advance. */
static int
graph_step(struct graph_run *r, char **cause)
{
	struct graph_node *n = graph_find(r->g, r->next);
	struct graph_undo_list undo = { 0 };
	int step = r->step + 1, rc;
	cJSON *update = NULL;
	char *next = NULL;
	double t0 = graph_now_ms();

	if (n == NULL) {
		*cause = xasprintf("graph %s has no node %s (a checkpoint "
				   "from another graph?)",
		    r->g->name, r->next);
		return GRAPH_E_INVALID;
	}
	if (n->interrupt && (rc = graph_ask(r, n, step, cause)) != 0)
		return rc;
	if ((rc = graph_run_node(r, n, step, &update, cause)) != 0)
		goto out;
	rc = GRAPH_E_INVALID;
	if (graph_reduce(r->g, n->name, r->state, update, &undo, cause) != 0)
		goto out;
	if ((next = graph_next_of(r, n->name, r->state, cause)) == NULL)
		goto out;
	graph_emit_end(r, n, step, update, graph_now_ms() - t0);
	if ((rc = graph_save(r, step, n->name, next, "loop", r->state, update,
		 cause)) != 0)
		goto out;
	graph_undo_forget(&undo);
	free(r->next);
	r->next = next;
	next = NULL;
	r->step = step;
	r->ran++;
out:
	if (rc != 0 && rc != GRAPH_E_INTERRUPTED && rc != GRAPH_E_DECLINED)
		graph_set_status(r, "failed", *cause);
	graph_undo(r->state, &undo);
	cJSON_Delete(update);
	free(next);
	return rc;
}

static int
graph_loop(struct graph_run *r, char **cause)
{
	int limit = r->o->recursion_limit > 0 ? r->o->recursion_limit :
						GRAPH_RECURSION_LIMIT;
	int rc;

	while (strcmp(r->next, GRAPH_END) != 0) {
		if (r->ran >= limit) {
			*cause = xasprintf(
			    "graph %s: recursion limit of %d "
			    "steps reached before %s (next: %s); raise the "
			    "limit or fix the routes",
			    r->g->name, limit, GRAPH_END, r->next);
			graph_set_status(r, "failed", *cause);
			return GRAPH_E_RECURSION;
		}
		if ((rc = graph_step(r, cause)) != 0)
			return rc;
	}
	return 0;
}

static const char *
graph_status_name(int rc)
{
	if (rc == 0)
		return "done";
	if (rc == GRAPH_E_INTERRUPTED)
		return "interrupted";
	if (rc == GRAPH_E_DECLINED)
		return "declined";
	return "failed";
}

/* {"status": NAME} for run_end. */
static cJSON *
graph_status_object(int rc)
{
	cJSON *d = cJSON_CreateObject();

	cJSON_AddStringToObject(d, "status", graph_status_name(rc));
	return d;
}

/* The first event of a run, before its first checkpoint. */
static void
graph_emit_start(struct graph_run *r, int resumed)
{
	cJSON *d = cJSON_CreateObject();

	cJSON_AddStringToObject(d, "graph", r->g->name);
	if (r->o->thread_id != NULL)
		cJSON_AddStringToObject(d, "thread_id", r->o->thread_id);
	cJSON_AddBoolToObject(d, "resumed", resumed);
	graph_emit(r, "run_start", d);
}

/* Runs the loop and hands out the final state; frees the run. */
static int
graph_finish(struct graph_run *r, cJSON **final_state_out, char **cause)
{
	cJSON *d;
	int rc;

	rc = graph_loop(r, cause);
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "status", graph_status_name(rc));
	cJSON_AddNumberToObject(d, "steps", r->ran);
	graph_emit(r, "run_end", d);
	if (rc == 0) {
		*final_state_out = r->state;
		r->state = NULL;
	}
	cJSON_Delete(r->state);
	free(r->next);
	return rc;
}

static int
graph_check_run(struct graph *g, const struct graph_run_opts *o, char **cause)
{
	if (!g->compiled) {
		*cause = xasprintf("graph %s is not compiled", g->name);
		return GRAPH_E_INVALID;
	}
	if (o->store != NULL &&
	    (o->thread_id == NULL || *o->thread_id == '\0')) {
		*cause = xasprintf("graph %s: a thread id is needed to save "
				   "checkpoints",
		    g->name);
		return GRAPH_E_INVALID;
	}
	return 0;
}

int
graph_invoke(struct graph *g, const struct graph_run_opts *opts, cJSON *input,
    cJSON **final_state_out, char **cause)
{
	struct graph_run r = { .g = g, .o = opts, .state = input, .step = -1 };
	int rc;

	*final_state_out = NULL;
	if ((rc = graph_check_run(g, opts, cause)) != 0)
		goto fail;
	if (!cJSON_IsObject(input)) {
		*cause = xasprintf("graph %s: the input is not an object",
		    g->name);
		rc = GRAPH_E_INVALID;
		goto fail;
	}
	/* A thread with checkpoints already is refused by the input's
	 * checkpoint, in its transaction. */
	if ((r.next = graph_next_of(&r, GRAPH_START, input, cause)) == NULL) {
		rc = GRAPH_E_INVALID;
		goto fail;
	}
	graph_emit_start(&r, 0);
	if ((rc = graph_save(&r, -1, NULL, r.next, "input", input, input,
		 cause)) != 0) {
		graph_emit(&r, "run_end", graph_status_object(rc));
		goto fail;
	}
	return graph_finish(&r, final_state_out, cause);
fail:
	free(r.next);
	cJSON_Delete(input);
	return rc;
}

int
graph_resume(struct graph *g, const struct graph_run_opts *opts,
    cJSON **final_state_out, char **cause)
{
	struct graph_run r = { .g = g, .o = opts };
	int rc;

	*final_state_out = NULL;
	if ((rc = graph_check_run(g, opts, cause)) != 0)
		return rc;
	if (opts->store == NULL) {
		*cause = xasprintf("graph %s: resuming needs a store", g->name);
		return GRAPH_E_INVALID;
	}
	rc = checkpoint_get_latest(opts->store, opts->thread_id, &r.state,
	    &r.step, &r.next, cause);
	if (rc == STORE_E_NOTFOUND)
		return GRAPH_E_NOTFOUND;
	if (rc != 0)
		return GRAPH_E_STORAGE;
	if (strcmp(r.next, GRAPH_END) != 0)
		graph_set_status(&r, "running", NULL);
	graph_emit_start(&r, 1);
	return graph_finish(&r, final_state_out, cause);
}

int
graph_update_state(struct graph *g, const struct graph_run_opts *opts,
    const cJSON *update, const char *as_node, char **cause)
{
	struct graph_run r = { .g = g, .o = opts };
	struct graph_undo_list undo = { 0 };
	char *next = NULL;
	int rc;

	if ((rc = graph_check_run(g, opts, cause)) != 0)
		return rc;
	if (opts->store == NULL || !cJSON_IsObject(update) ||
	    (as_node != NULL && graph_find(g, as_node) == NULL)) {
		*cause = xasprintf("graph %s: updating a state needs a store, "
				   "an object and a known node",
		    g->name);
		return GRAPH_E_INVALID;
	}
	rc = checkpoint_get_latest(opts->store, opts->thread_id, &r.state,
	    &r.step, &r.next, cause);
	if (rc != 0)
		return rc == STORE_E_NOTFOUND ? GRAPH_E_NOTFOUND :
						GRAPH_E_STORAGE;
	rc = GRAPH_E_INVALID;
	if (graph_reduce(g, as_node != NULL ? as_node : "update", r.state,
		update, &undo, cause) != 0)
		goto out;
	if (as_node == NULL)
		next = xstrdup(r.next);
	else if ((next = graph_next_of(&r, as_node, r.state, cause)) == NULL)
		goto out;
	rc = graph_save(&r, r.step + 1, as_node, next, "update", r.state,
	    update, cause);
out:
	graph_undo_forget(&undo);
	cJSON_Delete(r.state);
	free(r.next);
	free(next);
	return rc;
}
