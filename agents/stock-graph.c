/*
 * stock-graph.c: the three agents as graph nodes.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agents/stock-graph.h"
#include "lib/exitcode.h"
#include "lib/graph.h"
#include "lib/jsonutil.h"
#include "lib/store.h"
#include "lib/xmalloc.h"
#include "tools/gather.h"
#include "tools/tool.h"

extern const struct agent_spec agent_gather_spec;
extern const struct agent_spec agent_analyze_spec;
extern const struct agent_spec agent_report_spec;

/*
 * STOCKAGENT_DEBUG_KILL_AT=start:NODE or end:NODE makes the process kill
 * itself with SIGKILL when NODE starts (between steps) or when its work is
 * done but not yet checkpointed (inside a step). The crash-recovery tests
 * use it; 'stockagent runs resume' must then finish the run.
 */
static void
stock_debug_kill(const char *when, const char *node)
{
	const char *at = getenv("STOCKAGENT_DEBUG_KILL_AT");
	size_t n = strlen(when);

	if (at != NULL && strncmp(at, when, n) == 0 && at[n] == ':' &&
	    strcmp(at + n + 1, node) == 0)
		raise(SIGKILL);
}

static int
stock_node(const struct agent_spec *spec, void *ctx, const cJSON *state,
    cJSON **update_out, char **cause)
{
	struct stock_run *run = ctx;
	struct tool_ctx tc = { state, run->tools, run->store, run->thread_id };
	struct agent_env env = run->env;
	int rc;

	stock_debug_kill("start", spec->name);
	env.tools = &tc;
	rc = agent_run(spec, &env, state, update_out, cause);
	stock_debug_kill("end", spec->name);
	return rc;
}

static int
stock_gather(void *ctx, const cJSON *state, cJSON **update, char **cause)
{
	return stock_node(&agent_gather_spec, ctx, state, update, cause);
}

static int
stock_analyze(void *ctx, const cJSON *state, cJSON **update, char **cause)
{
	return stock_node(&agent_analyze_spec, ctx, state, update, cause);
}

static int
stock_report(void *ctx, const cJSON *state, cJSON **update, char **cause)
{
	return stock_node(&agent_report_spec, ctx, state, update, cause);
}

/* No analysis without at least two daily bars. */
static const char *
stock_after_gather(void *ctx, const cJSON *state)
{
	const char *first, *last;

	(void)ctx;
	return gather_bars_span(jsonutil_path(state, "market.bars"), &first,
		   &last) >= 2 ?
	    "analyze" :
	    GRAPH_END;
}

/* Transient failures worth another attempt of the whole node. */
static int
stock_retry_on(int code)
{
	return code == EXIT_NETWORK || code == EXIT_MODEL;
}

static const struct graph_retry stock_retry = {
	.max_attempts = 3,
	.initial_interval_s = 0.5,
	.backoff_factor = 2.0,
	.max_interval_s = 8.0,
	.jitter = 1,
	.retry_on = stock_retry_on,
};

static int
stock_approve(void *arg, const char *node, const cJSON *state)
{
	struct stock_run *run = arg;
	char line[64];

	if (!run->interactive)
		return -1;
	fprintf(stderr,
	    "stockagent: run %s is about to run '%s' for %s. "
	    "Continue? [y/N] ",
	    run->thread_id, node, jsonutil_string(state, "request.symbol"));
	fflush(stderr);
	if (fgets(line, sizeof line, stdin) == NULL)
		return 0;
	return line[0] == 'y' || line[0] == 'Y';
}

static struct graph *
stock_graph_build(struct stock_run *run, char **cause)
{
	struct graph *g = graph_new("stock_analysis");

	graph_add_node(g, "gather", stock_gather, &stock_retry);
	graph_add_node(g, "analyze", stock_analyze, &stock_retry);
	graph_add_node(g, "report", stock_report, &stock_retry);
	graph_add_edge(g, GRAPH_START, "gather");
	graph_add_route(g, "gather", stock_after_gather);
	graph_add_edge(g, "analyze", "report");
	graph_add_edge(g, "report", GRAPH_END);
	graph_set_reducer(g, "messages", GRAPH_REDUCE_APPEND);
	graph_set_reducer(g, "usage", GRAPH_REDUCE_APPEND);
	graph_set_reducer(g, "fallbacks", GRAPH_REDUCE_APPEND);
	graph_set_reducer(g, "errors", GRAPH_REDUCE_APPEND);
	if (run->approve_before != NULL)
		graph_interrupt_before(g, run->approve_before);
	if (graph_compile(g, cause) != 0) {
		graph_free(g);
		return NULL;
	}
	return g;
}

static void
stock_opts(struct stock_run *run, struct graph_run_opts *o)
{
	memset(o, 0, sizeof *o);
	o->store = run->store;
	o->thread_id = run->thread_id;
	o->recursion_limit = run->recursion_limit;
	o->on_event = run->on_event;
	o->event_arg = run->event_arg;
	o->approve = stock_approve;
	o->approve_arg = run;
	o->node_ctx = run;
}

/* Graph-level failures as exit codes, with a message for the user. */
static int
stock_graph_code(struct stock_run *run, int rc, char **cause)
{
	char *msg;

	if (rc >= 0)
		return rc;
	switch (rc) {
	case GRAPH_E_INTERRUPTED:
		msg = xasprintf(
		    "run %s paused before '%s': approval needs a "
		    "terminal; continue it with 'stockagent runs resume %s'",
		    run->thread_id,
		    run->approve_before ? run->approve_before : "the next step",
		    run->thread_id);
		free(*cause);
		*cause = msg;
		return EXIT_INTERRUPTED;
	case GRAPH_E_DECLINED:
		return EXIT_INTERRUPTED;
	case GRAPH_E_STORAGE:
		return store_last_error(run->store) == STORE_E_BUSY ?
		    EXIT_BUSY :
		    EXIT_STORAGE;
	case GRAPH_E_NOTFOUND:
		return EXIT_USAGE;
	default:
		return EXIT_FAILURE_ANY;
	}
}

int
stock_graph_run(struct stock_run *run, cJSON *input, cJSON **final_out,
    char **cause)
{
	struct graph_run_opts o;
	struct graph *g;
	int rc;

	if ((g = stock_graph_build(run, cause)) == NULL) {
		cJSON_Delete(input);
		return EXIT_FAILURE_ANY;
	}
	stock_opts(run, &o);
	rc = graph_invoke(g, &o, input, final_out, cause);
	graph_free(g);
	return stock_graph_code(run, rc, cause);
}

int
stock_graph_resume(struct stock_run *run, cJSON **final_out, char **cause)
{
	struct graph_run_opts o;
	struct graph *g;
	int rc;

	if ((g = stock_graph_build(run, cause)) == NULL)
		return EXIT_FAILURE_ANY;
	stock_opts(run, &o);
	rc = graph_resume(g, &o, final_out, cause);
	graph_free(g);
	return stock_graph_code(run, rc, cause);
}
