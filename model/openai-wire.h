/*
 * openai-wire.h: the OpenAI chat-completions wire format, spoken by vLLM,
 * Bedrock's OpenAI-compatible endpoint, Bedrock InvokeModel for gpt-oss and
 * SageMaker endpoints serving vLLM (private to model/).
 *
 * Reasoning arrives as "reasoning_content" (vLLM), "reasoning" (newer
 * servers) or "<reasoning>...</reasoning>" inside the content (Bedrock);
 * all three end up in model_response.reasoning.
 */
#ifndef STOCKAGENT_MODEL_OPENAI_WIRE_H
#define STOCKAGENT_MODEL_OPENAI_WIRE_H

#include "model/model.h"
#include "model/remote.h"

struct openai_wire_opts {
	const char *model; /* "model" field, or NULL to omit */
	const char
	    *max_tokens_key; /* "max_tokens" or "max_completion_tokens" */
	int stream;	     /* ask for SSE chunks */
	int seed;	     /* whether "seed" may be sent */
	int stream_usage;    /* ask for usage in the last chunk */
};

/* The request body (heap JSON text). */
char *openai_wire_body(const struct model_request *req,
    const struct model_params *p, const struct openai_wire_opts *o);

/* Parses a chat.completion body into RESP; -1 with *cause if malformed. */
int openai_wire_parse(const char *body, size_t len, struct model_response *resp,
    char **cause);

#define OPENAI_WIRE_MAX_CALLS 32

/* Folds chat.completion.chunk objects into one response. */
struct openai_wire_acc {
	const struct model_request *req; /* for on_delta */
	struct model_response resp;	 /* content, reasoning, usage */
	struct {
		char *id;
		char *name;
		char *args;
	} calls[OPENAI_WIRE_MAX_CALLS];
	int n_calls; /* highest index seen + 1 */
	int chunks;
};

void openai_wire_acc_init(struct openai_wire_acc *a,
    const struct model_request *req);
/* One chunk object (signature fits remote_lines.on_json). */
int openai_wire_acc_chunk(void *acc, const cJSON *chunk, char **cause);
/* Moves the result into RESP (cleared by the caller later); -1 when the
 * stream held no chunk at all. */
int openai_wire_acc_finish(struct openai_wire_acc *a,
    struct model_response *resp, char **cause);
void openai_wire_acc_free(struct openai_wire_acc *a);
/*
 * Ends a stream of chunks read through LINES into A: flushes the last line,
 * then requires "[DONE]" or a finish_reason (without either the
 * connection was cut) and moves the result into RESP. -1 with *cause
 * "WHAT: ..." (WHAT names the stream: "chat completions stream").
 */
int openai_wire_stream_finish(struct openai_wire_acc *a,
    struct remote_lines *lines, const char *what, struct model_response *resp,
    char **cause);

/* Helpers the Converse translation shares: string member KEY of OBJ
 * (borrowed) or NULL; number member KEY cut to a whole number, or 0 when
 * it is missing, not a number or beyond the range of long. */
const char *openai_wire_str(const cJSON *obj, const char *key);
long openai_wire_long(const cJSON *obj, const char *key);

#endif
