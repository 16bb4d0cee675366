/*
 * stock-graph.h: the three agents wired into a graph.
 *
 *   START -> gather -> (route) -> analyze -> report -> END
 *
 * gather_stock_data, analyze_stock_performance and generate_stock_report
 * each run as an agent node; state after every node is checkpointed.
 */
#ifndef STOCKAGENT_STOCK_GRAPH_H
#define STOCKAGENT_STOCK_GRAPH_H

#include <cjson/cJSON.h>

#include "agents/agent.h"

struct store;
struct tool_opts;

struct stock_run {
	const struct tool_opts *tools; /* what the tools read (borrowed) */
	int recursion_limit;	       /* most graph steps */
	struct store *store;	       /* NULL: no checkpoints */
	struct agent_env env;	       /* model, limits, fallback policy */
	const char *thread_id;	       /* the run */
	const char *approve_before;    /* node to pause before, or NULL */
	int interactive;	       /* may ask on the terminal */
	/* Graph events for --format ndjson; NULL to ignore. */
	void (*on_event)(void *arg, const char *type, const cJSON *data);
	void *event_arg;
};

/*
 * Runs the graph on INPUT ({"request": {...}}, consumed). Returns 0 with
 * *final_out (the whole state, caller deletes), or an exit code with *cause.
 */
int stock_graph_run(struct stock_run *run, cJSON *input, cJSON **final_out,
    char **cause);

/* Continues run->thread_id from its latest checkpoint. */
int stock_graph_resume(struct stock_run *run, cJSON **final_out, char **cause);

#endif
