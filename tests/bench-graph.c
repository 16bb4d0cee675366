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
 * the CPU time per run (a run: the input and three node steps, four
 * checkpoints): the median of BENCH_ROUNDS rounds of N / BENCH_ROUNDS runs
 * (a shared machine's noise moves single rounds), its user and system
 * parts, the fastest and slowest round, and the wall time. For reference it
 * times, on the same disk and the same way, the floor under any run: four
 * SQLite transactions of one small row each (DB.floor). The graph's cost is
 * what the store, the JSON printing and the reducers take: the nodes do
 * nothing, and the inputs are built before the clock starts (a caller has its
 * input before it runs a graph).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "lib/graph.h"
#include "lib/store.h"
#include "lib/xmalloc.h"

#define BENCH_ROUNDS 5

static double
bench_clock(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* This process's user and system CPU seconds so far. */
static void
bench_usage(double *user, double *sys)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	*user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
	*sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* What a round runs: runs FROM..TO-1 of a job. */
struct bench_job {
	int (*run)(struct bench_job *j, int from, int to);
	struct graph *g;
	struct graph_run_opts o;
	cJSON **inputs;
	char (*tids)[STORE_THREAD_ID_SIZE];
	cJSON *final; /* the last run's final state */
	struct store *floor;
};

/* A graph run for each of INPUTS[FROM..TO), with thread ids into TIDS. */
static int
bench_graph_runs(struct bench_job *j, int from, int to)
{
	char *cause = NULL;
	int i;

	for (i = from; i < to; i++) {
		store_new_thread_id(j->tids[i]);
		j->o.thread_id = j->tids[i];
		cJSON_Delete(j->final);
		j->final = NULL;
		if (graph_invoke(j->g, &j->o, j->inputs[i], &j->final,
			&cause) != 0) {
			fprintf(stderr, "bench-graph: %s\n", cause);
			free(cause);
			return -1;
		}
	}
	return 0;
}

/* The floor: for each run, four transactions of one small row each. */
static int
bench_floor_runs(struct bench_job *j, int from, int to)
{
	static const char sql[] = "INSERT INTO bench_floor (run, step)"
				  " VALUES (?, ?)";
	sqlite3_stmt *st;
	char *cause = NULL;
	int i, step;

	for (i = from; i < to; i++)
		for (step = -1; step < 3; step++) {
			if (store_begin(j->floor, &cause) != 0 ||
			    store_prepare_kept(j->floor, sql, &st, "floor",
				&cause) != 0)
				goto fail;
			sqlite3_bind_int(st, 1, i);
			sqlite3_bind_int(st, 2, step);
			if (store_step_release(j->floor, st, "floor", &cause) !=
				0 ||
			    store_commit(j->floor, &cause) != 0)
				goto fail;
		}
	return 0;
fail:
	fprintf(stderr, "bench-graph: %s\n", cause);
	free(cause);
	return -1;
}

struct bench_result {
	double cpu, user, sys; /* ms per run, of the median round */
	double lo, hi;	       /* the fastest and slowest round */
	double wall;	       /* ms per run, all rounds */
};

static int bench_cmp(const void *a, const void *b);

/* Runs N runs of J in BENCH_ROUNDS rounds into *R. */
static int
bench_measure(struct bench_job *j, int n, struct bench_result *r)
{
	double cpu[BENCH_ROUNDS], sorted[BENCH_ROUNDS], user[BENCH_ROUNDS],
	    sys[BENCH_ROUNDS], c0, w0, u0, s0, u1, s1;
	int k, from, to;

	w0 = bench_clock(CLOCK_MONOTONIC);
	for (k = 0; k < BENCH_ROUNDS; k++) {
		from = (int)((long long)n * k / BENCH_ROUNDS);
		to = (int)((long long)n * (k + 1) / BENCH_ROUNDS);
		bench_usage(&u0, &s0);
		c0 = bench_clock(CLOCK_PROCESS_CPUTIME_ID);
		if (j->run(j, from, to) != 0)
			return -1;
		sorted[k] = cpu[k] = (bench_clock(CLOCK_PROCESS_CPUTIME_ID) -
					 c0) *
		    1000 / (to - from);
		bench_usage(&u1, &s1);
		user[k] = (u1 - u0) * 1000 / (to - from);
		sys[k] = (s1 - s0) * 1000 / (to - from);
	}
	r->wall = (bench_clock(CLOCK_MONOTONIC) - w0) * 1000 / n;
	qsort(sorted, BENCH_ROUNDS, sizeof *sorted, bench_cmp);
	for (k = 0; k < BENCH_ROUNDS - 1 && cpu[k] != sorted[BENCH_ROUNDS / 2];
	     k++)
		;
	r->cpu = cpu[k];
	r->user = user[k];
	r->sys = sys[k];
	r->lo = sorted[0];
	r->hi = sorted[BENCH_ROUNDS - 1];
	return 0;
}

static int
bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
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
	struct bench_job j;
	struct bench_result graph, floor;
	char *cause = NULL, *floor_path;
	cJSON *again = NULL;
	int i, n, points, bad = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: bench-graph DB N [POINTS]\n");
		return 2;
	}
	memset(&j, 0, sizeof j);
	n = atoi(argv[2]);
	points = argc > 3 ? atoi(argv[3]) : 252;
	j.g = graph_new("bench");
	graph_add_node(j.g, "a", bench_a, NULL);
	graph_add_node(j.g, "b", bench_b, NULL);
	graph_add_node(j.g, "c", bench_c, NULL);
	graph_add_edge(j.g, GRAPH_START, "a");
	graph_add_edge(j.g, "a", "b");
	graph_add_edge(j.g, "b", "c");
	graph_add_edge(j.g, "c", GRAPH_END);
	floor_path = xasprintf("%s.floor", argv[1]);
	if (n < BENCH_ROUNDS || graph_compile(j.g, &cause) != 0 ||
	    store_open(argv[1], &j.o.store, &cause) != 0 ||
	    store_open(floor_path, &j.floor, &cause) != 0 ||
	    store_exec(j.floor,
		"CREATE TABLE IF NOT EXISTS bench_floor (run, step)",
		"creating the floor's table", &cause) != 0) {
		fprintf(stderr, "bench-graph: %s\n",
		    cause ? cause : "N must be at least 5 (rounds)");
		return 1;
	}
	j.tids = xcalloc((size_t)n, sizeof *j.tids);
	j.inputs = xcalloc((size_t)n, sizeof *j.inputs);
	for (i = 0; i < n; i++)
		j.inputs[i] = bench_input(points);
	j.run = bench_graph_runs;
	if (bench_measure(&j, n, &graph) != 0)
		return 1;
	j.run = bench_floor_runs;
	if (bench_measure(&j, n, &floor) != 0)
		return 1;
	printf("graph: %d runs of 3 no-op nodes, %d prices, 4 checkpoints "
	       "each: %.3f ms CPU per run (median of %d rounds: user %.3f, "
	       "system %.3f; rounds %.3f-%.3f), %.3f ms wall\n",
	    n, points, graph.cpu, BENCH_ROUNDS, graph.user, graph.sys, graph.lo,
	    graph.hi, graph.wall);
	printf("floor: 4 SQLite transactions of one small row per run, same "
	       "disk: %.3f ms CPU (user %.3f, system %.3f; rounds "
	       "%.3f-%.3f), %.3f ms wall\n",
	    floor.cpu, floor.user, floor.sys, floor.lo, floor.hi, floor.wall);
	/* Resume is exact: a finished thread gives back its final state. */
	j.o.thread_id = j.tids[n - 1];
	if (graph_resume(j.g, &j.o, &again, &cause) != 0 ||
	    !cJSON_Compare(again, j.final, 1))
		bad++;
	printf("resume: %s\n", bad ? "DIFFERS" : "final states equal");
	cJSON_Delete(again);
	cJSON_Delete(j.final);
	free(j.tids);
	free(j.inputs);
	free(floor_path);
	store_close(j.o.store);
	store_close(j.floor);
	graph_free(j.g);
	return bad != 0;
}
