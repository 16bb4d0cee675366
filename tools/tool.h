/*
 * tool.h: the tool registry.
 *
 * A tool is a const descriptor: a name, a description and a JSON Schema of
 * its arguments (what a model is shown), the state key its result goes to,
 * and exec. Arguments are validated against the schema before exec runs,
 * whether they come from a model or from the built-in policy.
 */
#ifndef STOCKAGENT_TOOL_H
#define STOCKAGENT_TOOL_H

#include <cjson/cJSON.h>

struct store;

/* The settings the tools read, checked and typed by the command line. */
struct tool_opts {
	const char *provider;  /* market data provider name: "sim" */
	double risk_free_rate; /* annual, a fraction: 0.04 */
	const char *out;       /* directory reports are written under */
	const char *paper;     /* "letter" or "a4" */
	const char *s3;	       /* s3://BUCKET/PREFIX, or NULL: no upload */
	int no_pdf;	       /* 1: skip the PDF */
};

/* What a tool may read while it runs. */
struct tool_ctx {
	const cJSON *state;	      /* the run state so far (borrowed) */
	const struct tool_opts *opts; /* configuration (borrowed) */
	struct store *store;	      /* the database, or NULL */
	const char *thread_id;	      /* the run */
};

struct tool_entry {
	const char *name;	 /* "gather_stock_data" */
	const char *description; /* for the model */
	const char *parameters;	 /* JSON Schema text of the arguments */
	const char *state_key;	 /* where the result goes: "market" */
	/* Runs the tool: 0 with *result_out (new object), or an exit code
	 * from exitcode.h with *cause set. */
	int (*exec)(struct tool_ctx *ctx, const cJSON *args, cJSON **result_out,
	    char **cause);
	/* The part of a result a model is shown (drops bulky arrays); NULL
	 * means the whole result. Returns a new object. */
	cJSON *(*for_model)(const cJSON *result);
};

/* Returned by tool_call when the arguments fail the schema. */
#define TOOL_EARGS (-1)

/* The tool called NAME, or NULL. */
const struct tool_entry *tool_find(const char *name);

/* {"name","description","parameters"} for a model request (new object). */
cJSON *tool_spec(const struct tool_entry *t);

/*
 * Parses ARGS_JSON, validates it against T's schema and runs T. Returns 0
 * with *result_out, TOOL_EARGS with *cause saying what is wrong with the
 * arguments, or the tool's exit code with *cause.
 */
int tool_call(struct tool_ctx *ctx, const struct tool_entry *t,
    const char *args_json, cJSON **result_out, char **cause);

/* The JSON a model is shown for RESULT (new object). */
cJSON *tool_result_for_model(const struct tool_entry *t, const cJSON *result);

#endif
