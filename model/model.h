/*
 * model.h: the pluggable model interface.
 *
 * A model is opened from a URI: "builtin", "local:DIR", "openai:URL#MODEL",
 * "bedrock:MODEL_ID", "sagemaker:ENDPOINT", options as ?key=value. Agents
 * talk to every backend through model_chat() with OpenAI-style messages:
 *
 *   {"role":"system"|"developer"|"user","content":"..."}
 *   {"role":"assistant","content":"...","reasoning":"...",
 *    "tool_calls":[{"id":"c1","name":"t","arguments":{...}}]}
 *   {"role":"tool","tool_call_id":"c1","name":"t","content":"{json}"}
 *
 * Tools are {"name","description","parameters": JSON Schema}.
 */
#ifndef STOCKAGENT_MODEL_H
#define STOCKAGENT_MODEL_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct model;

/* Sampling and reasoning knobs; a backend ignores those it cannot honour
 * and says so in model_describe(). */
struct model_params {
	const char *reasoning; /* "low" | "medium" | "high" | NULL */
	int max_tokens;	       /* 0 = backend default */
	double temperature;    /* < 0 = backend default */
	double top_p;	       /* < 0 = backend default */
	long long seed;	       /* < 0 = none */
	const char *precision; /* local engine: "fast" | "exact" | NULL */
};

/*
 * Fills P from option text (each may be NULL for the default): reasoning
 * "low|medium|high", temperature 0-2, max_tokens 1-1000000, seed >= 0.
 * Returns 0, or -1 with *cause naming the bad value (a usage error).
 * P->reasoning points into REASONING's static equivalent.
 */
int model_params_parse(const char *reasoning, const char *temperature,
    const char *max_tokens, const char *seed, struct model_params *p,
    char **cause);

struct model_request {
	const cJSON *messages;	 /* array, borrowed */
	const cJSON *tools;	 /* array or NULL, borrowed */
	const char *tool_choice; /* "auto" | "required" | "none" | NULL */
	/* The conversation's current date, YYYY-MM-DD (a run's as-of date),
	 * or NULL for today; a local model's system message states it. */
	const char *date;
	struct model_params params;
	/* Called with text as it streams ("content" or "reasoning"); may be
	 * NULL. */
	void (*on_delta)(void *arg, const char *kind, const char *text);
	void *delta_arg;
};

struct model_tool_call {
	char *id;
	char *name;
	char *arguments; /* JSON text as the model wrote it */
};

struct model_response {
	char *content;	 /* final answer text, or NULL */
	char *reasoning; /* chain of thought where the model gives one */
	struct model_tool_call *calls;
	size_t n_calls;
	char *stop_reason; /* "stop", "tool_calls", "length", ... */
	long prompt_tokens;
	long completion_tokens;
	double latency_ms;
};

/* Why model_open failed. */
enum model_failure {
	MODEL_FAILURE_LOAD,   /* cannot be reached or loaded (exit 4) */
	MODEL_FAILURE_USAGE,  /* unknown scheme or bad options (exit 2) */
	MODEL_FAILURE_DEVICE, /* the compute device asked for (exit 11) */
};

/*
 * Opens the model named by URI. Returns NULL with *cause set and
 * *FAILURE (an enum model_failure) saying why.
 */
struct model *model_open(const char *uri, const struct model_params *defaults,
    int *failure, char **cause);
/* The exit code (lib/exitcode.h) of a model_open FAILURE. */
int model_failure_exit(int failure);
void model_close(struct model *m);

/* The I-th registered backend's scheme and one-line summary; 0, or -1
 * past the end of the registry. */
int model_backend_at(size_t i, const char **scheme, const char **summary);

/* The URI M was opened with, its secrets masked (lib/redact.h):
 * "builtin", "openai:http://user:***@host/v1#name". */
const char *model_name(const struct model *m);
/* The model the backend calls, for price lookups: the Bedrock model id,
 * the #MODEL of an openai: URI, "sagemaker:ENDPOINT", "builtin". */
const char *model_id(const struct model *m);
/* Whether this is the deterministic built-in policy (no LLM). */
int model_is_builtin(const struct model *m);

/*
 * One chat turn. Fills *resp (clear it with model_response_clear).
 * Returns 0, or -1 with *cause set; the backend has already retried what
 * was worth retrying.
 */
int model_chat(struct model *m, const struct model_request *req,
    struct model_response *resp, char **cause);
void model_response_clear(struct model_response *resp);

/* Message builders: new cJSON objects the caller owns. */
cJSON *model_message(const char *role, const char *content);
cJSON *model_tool_result(const char *call_id, const char *name,
    const cJSON *result);

#endif
