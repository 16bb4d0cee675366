/*
 * converse-wire.c: Converse request bodies, responses and stream events.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "model/converse-wire.h"
#include "model/openai-wire.h"
#include "model/remote.h"

static const char *
converse_str(const cJSON *obj, const char *key)
{
	return openai_wire_str(obj, key);
}

/* The message of ROLE to append blocks to: the last one if same role. */
static cJSON *
converse_turn(cJSON *msgs, const char *role)
{
	cJSON *last = cJSON_GetArrayItem(msgs, cJSON_GetArraySize(msgs) - 1);
	cJSON *m;

	if (last != NULL && strcmp(converse_str(last, "role"), role) == 0)
		return cJSON_GetObjectItemCaseSensitive(last, "content");
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "role", role);
	cJSON_AddItemToArray(msgs, m);
	return cJSON_AddArrayToObject(m, "content");
}

static void
converse_text_block(cJSON *content, const char *text)
{
	cJSON *b;

	if (text == NULL || *text == '\0')
		return;
	b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "text", text);
	cJSON_AddItemToArray(content, b);
}

static void
converse_tool_uses(cJSON *content, const cJSON *calls)
{
	const cJSON *c;
	cJSON *b, *u, *input;

	cJSON_ArrayForEach(c, calls) {
		input = converse_str(c, "arguments") != NULL ?
		    cJSON_Parse(converse_str(c, "arguments")) :
		    NULL;
		if (!cJSON_IsObject(input)) {
			cJSON_Delete(input);
			input = cJSON_CreateObject();
		}
		b = cJSON_CreateObject();
		u = cJSON_AddObjectToObject(b, "toolUse");
		cJSON_AddStringToObject(u, "toolUseId",
		    converse_str(c, "id") ? converse_str(c, "id") : "call");
		cJSON_AddStringToObject(u, "name",
		    converse_str(c, "name") ? converse_str(c, "name") : "");
		cJSON_AddItemToObject(u, "input", input);
		cJSON_AddItemToArray(content, b);
	}
}

static void
converse_tool_result(cJSON *content, const cJSON *m)
{
	const char *text = converse_str(m, "content");
	cJSON *b = cJSON_CreateObject(), *r, *arr, *item;
	cJSON *json = text != NULL ? cJSON_Parse(text) : NULL;
	int failed = cJSON_GetObjectItemCaseSensitive(json, "error") != NULL;

	r = cJSON_AddObjectToObject(b, "toolResult");
	cJSON_AddStringToObject(r, "toolUseId",
	    converse_str(m, "tool_call_id") ? converse_str(m, "tool_call_id") :
					      "call");
	arr = cJSON_AddArrayToObject(r, "content");
	item = cJSON_CreateObject();
	if (cJSON_IsObject(json)) {
		cJSON_AddItemToObject(item, "json", json);
		json = NULL;
	} else {
		cJSON_AddStringToObject(item, "text", text ? text : "");
	}
	cJSON_AddItemToArray(arr, item);
	cJSON_AddStringToObject(r, "status", failed ? "error" : "success");
	cJSON_AddItemToArray(content, b);
	cJSON_Delete(json);
}

static void
converse_messages(cJSON *body, const cJSON *messages)
{
	cJSON *system = cJSON_AddArrayToObject(body, "system");
	cJSON *msgs = cJSON_AddArrayToObject(body, "messages");
	const cJSON *m;
	const char *role;

	cJSON_ArrayForEach(m, messages) {
		role = converse_str(m, "role");
		if (role == NULL)
			continue;
		if (strcmp(role, "system") == 0 ||
		    strcmp(role, "developer") == 0) {
			converse_text_block(system, converse_str(m, "content"));
		} else if (strcmp(role, "assistant") == 0) {
			cJSON *c = converse_turn(msgs, "assistant");

			converse_text_block(c, converse_str(m, "content"));
			converse_tool_uses(c,
			    cJSON_GetObjectItemCaseSensitive(m, "tool_calls"));
		} else if (strcmp(role, "tool") == 0) {
			converse_tool_result(converse_turn(msgs, "user"), m);
		} else {
			converse_text_block(converse_turn(msgs, "user"),
			    converse_str(m, "content"));
		}
	}
}

static void
converse_tools(cJSON *body, const cJSON *tools, const char *choice)
{
	cJSON *cfg, *arr, *t, *spec, *schema;
	const cJSON *tool, *params;

	if (cJSON_GetArraySize(tools) == 0)
		return;
	cfg = cJSON_AddObjectToObject(body, "toolConfig");
	arr = cJSON_AddArrayToObject(cfg, "tools");
	cJSON_ArrayForEach(tool, tools) {
		t = cJSON_CreateObject();
		spec = cJSON_AddObjectToObject(t, "toolSpec");
		cJSON_AddStringToObject(spec, "name",
		    converse_str(tool, "name") ? converse_str(tool, "name") :
						 "");
		if (converse_str(tool, "description") != NULL)
			cJSON_AddStringToObject(spec, "description",
			    converse_str(tool, "description"));
		schema = cJSON_AddObjectToObject(spec, "inputSchema");
		params = cJSON_GetObjectItemCaseSensitive(tool, "parameters");
		cJSON_AddItemToObject(schema, "json",
		    params != NULL ? cJSON_Duplicate(params, 1) :
				     cJSON_CreateObject());
		cJSON_AddItemToArray(arr, t);
	}
	if (choice != NULL && strcmp(choice, "required") == 0)
		cJSON_AddObjectToObject(
		    cJSON_AddObjectToObject(cfg, "toolChoice"), "any");
	else if (choice != NULL && strcmp(choice, "auto") == 0)
		cJSON_AddObjectToObject(
		    cJSON_AddObjectToObject(cfg, "toolChoice"), "auto");
}

char *
converse_wire_body(const struct model_request *req,
    const struct model_params *p, const struct converse_wire_guard *g)
{
	cJSON *body = cJSON_CreateObject(), *inf, *extra, *guard;
	char *text;

	converse_messages(body, req->messages);
	inf = cJSON_AddObjectToObject(body, "inferenceConfig");
	if (p->max_tokens > 0)
		cJSON_AddNumberToObject(inf, "maxTokens", p->max_tokens);
	if (p->temperature >= 0)
		cJSON_AddNumberToObject(inf, "temperature", p->temperature);
	if (p->top_p >= 0)
		cJSON_AddNumberToObject(inf, "topP", p->top_p);
	converse_tools(body, req->tools, req->tool_choice);
	if (p->reasoning != NULL) {
		extra = cJSON_AddObjectToObject(body,
		    "additionalModelRequestFields");
		cJSON_AddStringToObject(extra, "reasoning_effort",
		    p->reasoning);
	}
	if (g != NULL && g->id != NULL) {
		guard = cJSON_AddObjectToObject(body, "guardrailConfig");
		cJSON_AddStringToObject(guard, "guardrailIdentifier", g->id);
		cJSON_AddStringToObject(guard, "guardrailVersion", g->version);
		cJSON_AddStringToObject(guard, "trace", "enabled");
	}
	text = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	return text;
}

/* Our stop reason for a Converse stopReason (heap). */
static char *
converse_wire_stop(const char *reason)
{
	if (reason == NULL || strcmp(reason, "end_turn") == 0 ||
	    strcmp(reason, "stop_sequence") == 0)
		return xstrdup("stop");
	if (strcmp(reason, "tool_use") == 0)
		return xstrdup("tool_calls");
	if (strcmp(reason, "max_tokens") == 0)
		return xstrdup("length");
	return xstrdup(reason);
}

static void
converse_usage(const cJSON *obj, struct model_response *resp)
{
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(obj, "usage");

	if (!cJSON_IsObject(u))
		return;
	resp->prompt_tokens = openai_wire_long(u, "inputTokens");
	resp->completion_tokens = openai_wire_long(u, "outputTokens");
}

static void
converse_block(const cJSON *b, struct model_response *resp)
{
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(b, "toolUse");
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(b,
	    "reasoningContent");
	const char *s;
	char *args;

	if ((s = converse_str(b, "text")) != NULL)
		remote_append(&resp->content, s, strlen(s));
	if ((s = converse_str(cJSON_GetObjectItemCaseSensitive(r,
				  "reasoningText"),
		 "text")) != NULL) {
		if (resp->reasoning != NULL)
			remote_append(&resp->reasoning, "\n", 1);
		remote_append(&resp->reasoning, s, strlen(s));
	}
	if (cJSON_IsObject(u)) {
		args = cJSON_PrintUnformatted(
		    cJSON_GetObjectItemCaseSensitive(u, "input"));
		remote_add_call(resp, converse_str(u, "toolUseId"),
		    converse_str(u, "name"), args);
		free(args);
	}
}

int
converse_wire_parse(const char *body, size_t len, struct model_response *resp,
    char **cause)
{
	cJSON *obj = cJSON_ParseWithLength(body, len);
	const cJSON *msg, *content, *b;

	msg = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(obj, "output"), "message");
	content = cJSON_GetObjectItemCaseSensitive(msg, "content");
	if (!cJSON_IsArray(content)) {
		*cause = xasprintf("the Converse response is %s",
		    obj == NULL ? "malformed JSON" :
				  "missing output.message.content");
		cJSON_Delete(obj);
		return -1;
	}
	cJSON_ArrayForEach(b, content)
		converse_block(b, resp);
	remote_split_reasoning(&resp->content, &resp->reasoning);
	resp->stop_reason = converse_wire_stop(converse_str(obj, "stopReason"));
	converse_usage(obj, resp);
	cJSON_Delete(obj);
	return 0;
}

void
converse_wire_acc_init(struct converse_wire_acc *a,
    const struct model_request *req)
{
	memset(a, 0, sizeof *a);
	a->req = req;
}

static int
converse_index(const cJSON *payload, char **cause)
{
	const cJSON *i = cJSON_GetObjectItemCaseSensitive(payload,
	    "contentBlockIndex");
	int n = cJSON_IsNumber(i) ? i->valueint : 0;

	if (n < 0 || n >= CONVERSE_WIRE_MAX_BLOCKS) {
		*cause = xasprintf("content block index %d out of range", n);
		return -1;
	}
	return n;
}

static void
converse_delta(struct converse_wire_acc *a, int i, const cJSON *d)
{
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(d,
	    "reasoningContent");
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(d, "toolUse");
	const char *s;

	if ((s = converse_str(d, "text")) != NULL) {
		remote_append(&a->resp.content, s, strlen(s));
		if (a->req != NULL && a->req->on_delta != NULL)
			a->req->on_delta(a->req->delta_arg, "content", s);
	}
	if ((s = converse_str(r, "text")) != NULL) {
		remote_append(&a->resp.reasoning, s, strlen(s));
		if (a->req != NULL && a->req->on_delta != NULL)
			a->req->on_delta(a->req->delta_arg, "reasoning", s);
	}
	if ((s = converse_str(u, "input")) != NULL) {
		a->blocks[i].is_tool = 1;
		remote_append(&a->blocks[i].input, s, strlen(s));
	}
}

int
converse_wire_event(struct converse_wire_acc *a, const char *type,
    const cJSON *payload, char **cause)
{
	const cJSON *start, *u;
	int i;

	if (type == NULL)
		return 0;
	if (strcmp(type, "contentBlockStart") == 0 ||
	    strcmp(type, "contentBlockDelta") == 0) {
		if ((i = converse_index(payload, cause)) < 0)
			return -1;
		start = cJSON_GetObjectItemCaseSensitive(payload, "start");
		u = cJSON_GetObjectItemCaseSensitive(start, "toolUse");
		if (cJSON_IsObject(u)) {
			a->blocks[i].is_tool = 1;
			free(a->blocks[i].id);
			free(a->blocks[i].name);
			a->blocks[i].id = converse_str(u, "toolUseId") ?
			    xstrdup(converse_str(u, "toolUseId")) :
			    NULL;
			a->blocks[i].name = converse_str(u, "name") ?
			    xstrdup(converse_str(u, "name")) :
			    NULL;
		}
		converse_delta(a, i,
		    cJSON_GetObjectItemCaseSensitive(payload, "delta"));
	} else if (strcmp(type, "messageStop") == 0) {
		free(a->resp.stop_reason);
		a->resp.stop_reason = converse_wire_stop(converse_str(payload,
		    "stopReason"));
		a->stopped = 1;
	} else if (strcmp(type, "metadata") == 0) {
		converse_usage(payload, &a->resp);
	}
	return 0;
}

int
converse_wire_finish(struct converse_wire_acc *a, struct model_response *resp,
    char **cause)
{
	int i;

	if (!a->stopped) {
		*cause = xstrdup("the ConverseStream ended before messageStop "
				 "(connection cut?)");
		return -1;
	}
	for (i = 0; i < CONVERSE_WIRE_MAX_BLOCKS; i++) {
		if (a->blocks[i].is_tool)
			remote_add_call(&a->resp, a->blocks[i].id,
			    a->blocks[i].name, a->blocks[i].input);
	}
	remote_split_reasoning(&a->resp.content, &a->resp.reasoning);
	*resp = a->resp;
	memset(&a->resp, 0, sizeof a->resp);
	return 0;
}

void
converse_wire_acc_free(struct converse_wire_acc *a)
{
	int i;

	for (i = 0; i < CONVERSE_WIRE_MAX_BLOCKS; i++) {
		free(a->blocks[i].id);
		free(a->blocks[i].name);
		free(a->blocks[i].input);
	}
	model_response_clear(&a->resp);
	memset(a, 0, sizeof *a);
}
