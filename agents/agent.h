/*
 * agent.h: an agent is a loop between a model and its tool.
 *
 * The agent shows the model its role prompt, its task with the part of the
 * state it needs, and its tool's schema; the model calls the tool (its
 * arguments checked against the schema), sees the result and answers. When
 * the model fails, never calls the tool, or keeps calling it with invalid
 * arguments, the agent falls back to the built-in policy for that step and
 * records the fallback, unless fallbacks are off.
 */
#ifndef STOCKAGENT_AGENT_H
#define STOCKAGENT_AGENT_H

#include <cjson/cJSON.h>

struct model;
struct tool_ctx;

struct agent_spec {
	const char *name;	 /* "gather", "analyze", "report" */
	const char *role_prompt; /* the system message */
	const char *tool;	 /* the tool this agent must run */
	/* The task text and the context object (symbol, dates) for the
	 * state; both new, the caller frees them. */
	void (*task)(const cJSON *state, char **task_out, cJSON **ctx_out);
	/* Folds a real model's final answer into the update (e.g. the
	 * narrative); NULL when the answer is not used. */
	void (*on_answer)(const char *answer, const cJSON *state,
	    cJSON *update);
};

struct agent_env {
	struct model *model;
	struct tool_ctx *tools;
	int max_steps;	     /* model turns per agent */
	int max_bad_args;    /* invalid tool calls before falling back */
	long token_budget;   /* prompt + completion tokens; 0 = none */
	int no_fallback;     /* fail instead of falling back */
	int show_reasoning;  /* print the model's reasoning on stderr */
	const cJSON *prices; /* model-prices table, borrowed; may be NULL */
};

/*
 * Runs SPEC on STATE. Returns 0 with *update_out (new object: the tool's
 * state key, "messages", "usage", "fallbacks"), or an exit code with *cause.
 */
int agent_run(const struct agent_spec *spec, struct agent_env *env,
    const cJSON *state, cJSON **update_out, char **cause);

#endif
