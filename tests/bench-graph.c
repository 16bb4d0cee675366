/*
 * bench-graph.c: the graph and its checkpoints alone.
 *
 *   tests/bench-graph DB N [POINTS]
 *
 * Runs N threads of a no-op three-node graph (a -> b -> c -> END) with
 * checkpoints in DB: the input holds a request and POINTS (default 252)
 * prices, a year of daily closes, as the analysis state does; each node
 * returns a small update of its own key. Then resumes the last thread and
 * checks that the resumed final state equals the one the run returned. Prints
 * the CPU and wall time per run (a run: the input and three node steps, four
 * checkpoints). The graph's cost is what the store, the JSON printing and
 * the reducers take: the nodes do nothing.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/graph.h"
#include "lib/store.h"
#include "lib/xmalloc.h"

static double
bench_clock(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A node: {"<name>": {"done": true, "step": n}}. */
static int
bench_node(const char *name, const cJSON *state, cJSON **update_out)
{
	cJSON *u = cJSON_CreateObject(), *v = cJSON_AddObjectToObject(u, name);

	(void)state;
	cJSON_AddBoolToObject(v, "done", 1);
	cJSON_AddNumberToObject(v, "score", 3.25);
	*update_out = u;
	return 0;
}

static int
bench_a(void *ctx, const cJSON *state, cJSON **update_out, char **cause)
{
	(void)ctx;
	(void)cause;
	return bench_node("a", state, update_out);
}

static int
bench_b(void *ctx, const cJSON *state, cJSON **update_out, char **cause)
{
	(void)ctx;
	(void)cause;
	return bench_node("b", state, update_out);
}

static int
bench_c(void *ctx, const cJSON *state, cJSON **update_out, char **cause)
{
	(void)ctx;
	(void)cause;
	return bench_node("c", state, update_out);
}

/* The input: a request and POINTS closes (a deterministic walk). */
static cJSON *
bench_input(int points)
{
	cJSON *in = cJSON_CreateObject(), *req, *closes;
	double p = 28.3;
	int i;

	req = cJSON_AddObjectToObject(in, "request");
	cJSON_AddStringToObject(req, "symbol", "SIM_STOCK");
	cJSON_AddStringToObject(req, "as_of", "2025-09-04");
	closes = cJSON_AddArrayToObject(cJSON_AddObjectToObject(in, "market"),
	    "close");
	for (i = 0; i < points; i++) {
		p *= 1 + 0.013 * sin(i * 0.7) + 0.002 * cos(i * 1.9);
		cJSON_AddItemToArray(closes,
		    cJSON_CreateNumber(round(p * 1e4) / 1e4));
	}
	return in;
}

int
main(int argc, char **argv)
{
	struct graph *g = graph_new("bench");
	struct graph_run_opts o;
	struct store *st = NULL;
	char *cause = NULL, tid[STORE_THREAD_ID_SIZE],
	     (*tids)[STORE_THREAD_ID_SIZE];
	cJSON *final = NULL, *again = NULL;
	double c0, c1, w0, w1;
	int i, n, points, bad = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: bench-graph DB N [POINTS]\n");
		return 2;
	}
	n = atoi(argv[2]);
	points = argc > 3 ? atoi(argv[3]) : 252;
	graph_add_node(g, "a", bench_a, NULL);
	graph_add_node(g, "b", bench_b, NULL);
	graph_add_node(g, "c", bench_c, NULL);
	graph_add_edge(g, GRAPH_START, "a");
	graph_add_edge(g, "a", "b");
	graph_add_edge(g, "b", "c");
	graph_add_edge(g, "c", GRAPH_END);
	if (n < 1 || graph_compile(g, &cause) != 0 ||
	    store_open(argv[1], &st, &cause) != 0) {
		fprintf(stderr, "bench-graph: %s\n", cause ? cause : "bad N");
		return 1;
	}
	tids = xcalloc((size_t)n, sizeof *tids);
	memset(&o, 0, sizeof o);
	o.store = st;
	c0 = bench_clock(CLOCK_PROCESS_CPUTIME_ID);
	w0 = bench_clock(CLOCK_MONOTONIC);
	for (i = 0; i < n; i++) {
		store_new_thread_id(tid);
		memcpy(tids[i], tid, sizeof tid);
		o.thread_id = tids[i];
		if (graph_invoke(g, &o, bench_input(points), &final, &cause) !=
		    0) {
			fprintf(stderr, "bench-graph: %s\n", cause);
			return 1;
		}
		if (i < n - 1)
			cJSON_Delete(final);
	}
	c1 = bench_clock(CLOCK_PROCESS_CPUTIME_ID);
	w1 = bench_clock(CLOCK_MONOTONIC);
	printf("graph: %d runs of 3 no-op nodes, %d prices, 4 checkpoints "
	       "each: %.3f ms CPU, %.3f ms wall per run\n",
	    n, points, (c1 - c0) * 1000 / n, (w1 - w0) * 1000 / n);
	/* Resume is exact: a finished thread gives back its final state. */
	o.thread_id = tids[n - 1];
	if (graph_resume(g, &o, &again, &cause) != 0 ||
	    !cJSON_Compare(again, final, 1))
		bad++;
	printf("resume: %s\n", bad ? "DIFFERS" : "final states equal");
	cJSON_Delete(again);
	cJSON_Delete(final);
	free(tids);
	store_close(st);
	graph_free(g);
	return bad != 0;
}
