/*
 * converse-wire.h: the Bedrock Converse / ConverseStream JSON shapes
 * (private to model/).
 *
 * Our OpenAI-style messages become Converse messages: system and developer
 * text goes to "system"; tool calls become toolUse blocks and tool results
 * toolResult blocks in a user message; consecutive messages of one role
 * are merged, as Converse wants roles to alternate. reasoningContent
 * blocks (and <reasoning> tags left in text) become the response's
 * reasoning.
 */
#ifndef STOCKAGENT_MODEL_CONVERSE_WIRE_H
#define STOCKAGENT_MODEL_CONVERSE_WIRE_H

#include "model/model.h"

struct converse_wire_guard {
	const char *id;	     /* guardrailIdentifier, or NULL for none */
	const char *version; /* guardrailVersion */
};

/* The Converse request body (heap JSON text). */
char *converse_wire_body(const struct model_request *req,
    const struct model_params *p, const struct converse_wire_guard *g);

/* Parses a ConverseResponse; -1 with *cause when malformed. */
int converse_wire_parse(const char *body, size_t len,
    struct model_response *resp, char **cause);

#define CONVERSE_WIRE_MAX_BLOCKS 64

/* Folds ConverseStream events into one response. */
struct converse_wire_acc {
	const struct model_request *req; /* for on_delta */
	struct model_response resp;
	struct {
		int is_tool;
		char *id;
		char *name;
		char *input; /* partial JSON text */
	} blocks[CONVERSE_WIRE_MAX_BLOCKS];
	int stopped; /* messageStop seen */
};

void converse_wire_acc_init(struct converse_wire_acc *a,
    const struct model_request *req);
/* One event: TYPE is the ":event-type" header, PAYLOAD its JSON. */
int converse_wire_event(struct converse_wire_acc *a, const char *type,
    const cJSON *payload, char **cause);
/* Moves the result into RESP; -1 when no messageStop arrived. */
int converse_wire_finish(struct converse_wire_acc *a,
    struct model_response *resp, char **cause);
void converse_wire_acc_free(struct converse_wire_acc *a);

#endif
