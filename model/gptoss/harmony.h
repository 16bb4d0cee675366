/*
 * harmony.h: the harmony chat format of gpt-oss, rendering and parsing.
 *
 * Rendering follows openai/harmony src/encoding.rs token for token: every
 * text piece (role, " to=R", channel, " content_type", content) is encoded
 * separately as ordinary text, formatting tokens are the specials.
 *
 * A conversation is given as JSON (cJSON), the same shape the CLI reads:
 *
 *   {"messages": [MESSAGE...], "completion": true, "auto_drop_analysis":
 *    true}                  (or just the array of messages)
 *   MESSAGE: {"role": "system"|"developer"|"user"|"assistant"|"tool",
 *             "name": S, "recipient": S, "channel": S, "content_type": S,
 *             "content": S}
 *   system without "content": "model_identity", "knowledge_cutoff",
 *     "current_date", "reasoning" ("low"|"medium"|"high"|null),
 *     "channels" [S...], "channel_required" (harmony's defaults apply);
 *   developer without "content": "instructions" S and "tools" [TOOL...],
 *     TOOL = {"name", "description", "parameters": JSON schema} or the
 *     OpenAI form {"type": "function", "function": {...}};
 *   tool: "name" is the author ("functions.get_weather").
 *
 * "completion" (default true) appends <|start|>assistant. With
 * "auto_drop_analysis" (default true), when the last assistant message is
 * on the final channel, analysis messages before the first final message
 * are left out (harmony's rule).
 *
 * The parser takes generated ids one at a time and reports events; the
 * local model backend maps them to reasoning, content, tool calls and a
 * stop reason. Ownership: _new/_from_json handles are freed with the
 * matching _free; arrays through _out parameters are the caller's (free()).
 */
#ifndef STOCKAGENT_GPTOSS_HARMONY_H
#define STOCKAGENT_GPTOSS_HARMONY_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "model/gptoss/status.h"
#include "model/gptoss/tokenizer.h"

struct harmony_conversation;
struct harmony_parser;

/*
 * Validates JSON (borrowed, not kept) and builds a conversation.
 * GPTOSS_ERR_FORMAT with a one-line *DETAIL_OUT (heap, may be NULL) naming
 * the message and field when it does not validate.
 */
enum gptoss_status harmony_conversation_from_json(const cJSON *json,
    struct harmony_conversation **conv_out, char **detail_out);

/* Frees CONV; NULL is allowed. */
void harmony_conversation_free(struct harmony_conversation *conv);

/*
 * Renders CONV into ids (*IDS_OUT malloc'd, *N_OUT of them). The
 * tokenizer must have the harmony specials.
 */
enum gptoss_status harmony_render(const struct gptoss_tokenizer *tok,
    const struct harmony_conversation *conv, uint32_t **ids_out, size_t *n_out,
    char **detail_out);

/* What a parser event is. */
enum harmony_event_kind {
	HARMONY_EVENT_REASONING, /* text on the analysis channel */
	HARMONY_EVENT_CONTENT, /* text for the user (final, or no recipient) */
	HARMONY_EVENT_TOOL_ARGS, /* text of a tool call's arguments */
	HARMONY_EVENT_MESSAGE,	 /* a message ended; all fields set */
	HARMONY_EVENT_TOOL_CALL, /* an assistant message to a recipient ended */
	HARMONY_EVENT_STOP,	 /* <|return|> or <|call|>: the turn is over */
};

enum harmony_stop {
	HARMONY_STOP_NONE,
	HARMONY_STOP_RETURN, /* <|return|>: final answer done */
	HARMONY_STOP_CALL,   /* <|call|>: a tool call to run */
	HARMONY_STOP_EOS,    /* harmony_parser_finish in mid-message */
};

/* One event; strings belong to the parser, valid until its next call. */
struct harmony_event {
	enum harmony_event_kind kind;
	const char *text; /* deltas: new text; MESSAGE: whole content */
	size_t len;
	const char *role;      /* "assistant", or the tool author */
	const char *channel;   /* NULL if none */
	const char *recipient; /* "functions.get_weather" or NULL */
	const char *tool_name; /* TOOL_CALL: recipient without "functions." */
	const char *content_type; /* "<|constrain|>json" or NULL */
	enum harmony_stop stop;	  /* STOP */
};

/*
 * A parser for model output. ROLE: the role whose header follows (the
 * prompt ended in <|start|>assistant), or NULL if the output starts with
 * <|start|>.
 */
enum gptoss_status harmony_parser_new(const struct gptoss_tokenizer *tok,
    const char *role, struct harmony_parser **parser_out);

/* Frees PARSER; NULL is allowed. */
void harmony_parser_free(struct harmony_parser *parser);

/*
 * Feeds one generated id. *EVENTS_OUT / *N_OUT: the events it caused
 * (valid until the next call). GPTOSS_ERR_FORMAT for a sequence harmony
 * does not allow (a token other than <|start|> between messages, a bad or
 * overlong header, an unknown id); the parser then refuses further ids.
 */
enum gptoss_status harmony_parser_push(struct harmony_parser *parser,
    uint32_t id, const struct harmony_event **events_out, size_t *n_out);

/* Ends the stream: a message in progress ends with HARMONY_STOP_EOS. */
enum gptoss_status harmony_parser_finish(struct harmony_parser *parser,
    const struct harmony_event **events_out, size_t *n_out);

/* The completed messages so far as a JSON array in the conversation
 * shape above (caller deletes). */
cJSON *harmony_parser_messages(const struct harmony_parser *parser);

#endif
