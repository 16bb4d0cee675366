/*
 * openai-wire.c: chat-completions request bodies, responses and stream
 * chunks.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "model/openai-wire.h"

const char *
openai_wire_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

long
openai_wire_long(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	/* -(double)LONG_MIN is 2^63 exactly, where LONG_MAX is not. */
	if (!cJSON_IsNumber(v) ||
	    !(v->valuedouble >= (double)LONG_MIN &&
		v->valuedouble < -(double)LONG_MIN))
		return 0;
	return (long)v->valuedouble;
}

/* Our assistant message's tool calls in OpenAI's shape. */
static cJSON *
openai_wire_calls(const cJSON *calls)
{
	cJSON *out = cJSON_CreateArray(), *c, *fn;
	const cJSON *call;
	const char *args;

	cJSON_ArrayForEach(call, calls) {
		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "id",
		    openai_wire_str(call, "id") ? openai_wire_str(call, "id") :
						  "call");
		cJSON_AddStringToObject(c, "type", "function");
		fn = cJSON_AddObjectToObject(c, "function");
		cJSON_AddStringToObject(fn, "name",
		    openai_wire_str(call, "name") ?
			openai_wire_str(call, "name") :
			"");
		args = openai_wire_str(call, "arguments");
		cJSON_AddStringToObject(fn, "arguments", args ? args : "{}");
		cJSON_AddItemToArray(out, c);
	}
	return out;
}

/* One message as chat-completions takes it (unknown keys dropped). */
static cJSON *
openai_wire_message(const cJSON *m)
{
	const char *role = openai_wire_str(m, "role");
	const char *content = openai_wire_str(m, "content");
	const cJSON *calls = cJSON_GetObjectItemCaseSensitive(m, "tool_calls");
	cJSON *out = cJSON_CreateObject();

	cJSON_AddStringToObject(out, "role", role != NULL ? role : "user");
	if (role != NULL && strcmp(role, "assistant") == 0 &&
	    cJSON_GetArraySize(calls) > 0) {
		if (content != NULL && *content != '\0')
			cJSON_AddStringToObject(out, "content", content);
		else
			cJSON_AddNullToObject(out, "content");
		cJSON_AddItemToObject(out, "tool_calls",
		    openai_wire_calls(calls));
		return out;
	}
	cJSON_AddStringToObject(out, "content", content != NULL ? content : "");
	if (role != NULL && strcmp(role, "tool") == 0)
		cJSON_AddStringToObject(out, "tool_call_id",
		    openai_wire_str(m, "tool_call_id") ?
			openai_wire_str(m, "tool_call_id") :
			"call");
	return out;
}

static cJSON *
openai_wire_tools(const cJSON *tools)
{
	cJSON *out = cJSON_CreateArray(), *t, *fn;
	const cJSON *tool, *params;

	cJSON_ArrayForEach(tool, tools) {
		t = cJSON_CreateObject();
		cJSON_AddStringToObject(t, "type", "function");
		fn = cJSON_AddObjectToObject(t, "function");
		cJSON_AddStringToObject(fn, "name",
		    openai_wire_str(tool, "name") ?
			openai_wire_str(tool, "name") :
			"");
		if (openai_wire_str(tool, "description") != NULL)
			cJSON_AddStringToObject(fn, "description",
			    openai_wire_str(tool, "description"));
		params = cJSON_GetObjectItemCaseSensitive(tool, "parameters");
		cJSON_AddItemToObject(fn, "parameters",
		    params != NULL ? cJSON_Duplicate(params, 1) :
				     cJSON_CreateObject());
		cJSON_AddItemToArray(out, t);
	}
	return out;
}

static void
openai_wire_params(cJSON *body, const struct model_params *p,
    const struct openai_wire_opts *o)
{
	if (p->reasoning != NULL)
		cJSON_AddStringToObject(body, "reasoning_effort", p->reasoning);
	if (p->max_tokens > 0)
		cJSON_AddNumberToObject(body,
		    o->max_tokens_key != NULL ? o->max_tokens_key :
						"max_tokens",
		    p->max_tokens);
	if (p->temperature >= 0)
		cJSON_AddNumberToObject(body, "temperature", p->temperature);
	if (p->top_p >= 0)
		cJSON_AddNumberToObject(body, "top_p", p->top_p);
	if (p->seed >= 0 && o->seed)
		cJSON_AddNumberToObject(body, "seed", (double)p->seed);
}

char *
openai_wire_body(const struct model_request *req, const struct model_params *p,
    const struct openai_wire_opts *o)
{
	cJSON *body = cJSON_CreateObject(), *msgs, *so;
	const cJSON *m;
	char *text;

	if (o->model != NULL && *o->model != '\0')
		cJSON_AddStringToObject(body, "model", o->model);
	msgs = cJSON_AddArrayToObject(body, "messages");
	cJSON_ArrayForEach(m, req->messages)
		cJSON_AddItemToArray(msgs, openai_wire_message(m));
	if (cJSON_GetArraySize(req->tools) > 0) {
		cJSON_AddItemToObject(body, "tools",
		    openai_wire_tools(req->tools));
		if (req->tool_choice != NULL)
			cJSON_AddStringToObject(body, "tool_choice",
			    req->tool_choice);
	}
	openai_wire_params(body, p, o);
	if (o->stream) {
		cJSON_AddTrueToObject(body, "stream");
		if (o->stream_usage) {
			so = cJSON_AddObjectToObject(body, "stream_options");
			cJSON_AddTrueToObject(so, "include_usage");
		}
	}
	text = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	return text;
}

static void
openai_wire_usage(const cJSON *obj, struct model_response *resp)
{
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(obj, "usage");

	if (!cJSON_IsObject(u))
		return;
	resp->prompt_tokens = openai_wire_long(u, "prompt_tokens");
	resp->completion_tokens = openai_wire_long(u, "completion_tokens");
}

/* Reasoning under either field name. */
static const char *
openai_wire_reasoning(const cJSON *msg)
{
	const char *r = openai_wire_str(msg, "reasoning_content");

	return r != NULL ? r : openai_wire_str(msg, "reasoning");
}

static void
openai_wire_tool_call(const cJSON *tc, struct model_response *resp)
{
	const cJSON *fn = cJSON_GetObjectItemCaseSensitive(tc, "function");
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(fn, "arguments");
	char *text = NULL;

	/* Some servers send arguments as an object, not a string. */
	if (args != NULL && !cJSON_IsString(args))
		text = cJSON_PrintUnformatted(args);
	remote_add_call(resp, openai_wire_str(tc, "id"),
	    openai_wire_str(fn, "name"),
	    text != NULL ? text : openai_wire_str(fn, "arguments"));
	free(text);
}

int
openai_wire_parse(const char *body, size_t len, struct model_response *resp,
    char **cause)
{
	cJSON *obj = cJSON_ParseWithLength(body, len);
	const cJSON *choice, *msg, *tc;
	const char *s;
	int rc = -1;

	choice = cJSON_GetArrayItem(
	    cJSON_GetObjectItemCaseSensitive(obj, "choices"), 0);
	msg = cJSON_GetObjectItemCaseSensitive(choice, "message");
	if (!cJSON_IsObject(msg)) {
		*cause = xasprintf("the response is not a chat completion "
				   "(%s)",
		    obj == NULL ? "malformed JSON" : "no choices[0].message");
		goto out;
	}
	if ((s = openai_wire_str(msg, "content")) != NULL)
		resp->content = xstrdup(s);
	if ((s = openai_wire_reasoning(msg)) != NULL)
		resp->reasoning = xstrdup(s);
	remote_split_reasoning(&resp->content, &resp->reasoning);
	cJSON_ArrayForEach(tc,
	    cJSON_GetObjectItemCaseSensitive(msg, "tool_calls"))
		openai_wire_tool_call(tc, resp);
	s = openai_wire_str(choice, "finish_reason");
	resp->stop_reason = xstrdup(s != NULL ? s :
		resp->n_calls		      ? "tool_calls" :
						"stop");
	openai_wire_usage(obj, resp);
	rc = 0;
out:
	cJSON_Delete(obj);
	return rc;
}

void
openai_wire_acc_init(struct openai_wire_acc *a, const struct model_request *req)
{
	memset(a, 0, sizeof *a);
	a->req = req;
}

static void
openai_wire_delta_text(struct openai_wire_acc *a, const char *kind, char **dst,
    const char *text)
{
	if (text == NULL || *text == '\0')
		return;
	remote_append(dst, text, strlen(text));
	if (a->req != NULL && a->req->on_delta != NULL)
		a->req->on_delta(a->req->delta_arg, kind, text);
}

static int
openai_wire_delta_call(struct openai_wire_acc *a, const cJSON *tc,
    int fallback_index, char **cause)
{
	const cJSON *idx = cJSON_GetObjectItemCaseSensitive(tc, "index");
	const cJSON *fn = cJSON_GetObjectItemCaseSensitive(tc, "function");
	int i = cJSON_IsNumber(idx) ? idx->valueint : fallback_index;
	const char *s;

	if (i < 0 || i >= OPENAI_WIRE_MAX_CALLS) {
		*cause = xasprintf("tool call index %d out of range", i);
		return -1;
	}
	if (i >= a->n_calls)
		a->n_calls = i + 1;
	if ((s = openai_wire_str(tc, "id")) != NULL && a->calls[i].id == NULL)
		a->calls[i].id = xstrdup(s);
	if ((s = openai_wire_str(fn, "name")) != NULL)
		remote_append(&a->calls[i].name, s, strlen(s));
	if ((s = openai_wire_str(fn, "arguments")) != NULL)
		remote_append(&a->calls[i].args, s, strlen(s));
	return 0;
}

int
openai_wire_acc_chunk(void *acc, const cJSON *chunk, char **cause)
{
	struct openai_wire_acc *a = acc;
	const cJSON *choice, *delta, *tc, *err;
	const char *s;
	int n = 0;

	err = cJSON_GetObjectItemCaseSensitive(chunk, "error");
	if (err != NULL && !cJSON_IsNull(err)) {
		s = cJSON_IsString(err) ? err->valuestring :
					  openai_wire_str(err, "message");
		*cause = xasprintf("the server sent an error in the stream: "
				   "%s",
		    s != NULL ? s : "no message");
		return -1;
	}
	a->chunks++;
	openai_wire_usage(chunk, &a->resp);
	choice = cJSON_GetArrayItem(
	    cJSON_GetObjectItemCaseSensitive(chunk, "choices"), 0);
	delta = cJSON_GetObjectItemCaseSensitive(choice, "delta");
	if (delta == NULL)
		delta = cJSON_GetObjectItemCaseSensitive(choice, "message");
	openai_wire_delta_text(a, "reasoning", &a->resp.reasoning,
	    openai_wire_reasoning(delta));
	openai_wire_delta_text(a, "content", &a->resp.content,
	    openai_wire_str(delta, "content"));
	cJSON_ArrayForEach(tc,
	    cJSON_GetObjectItemCaseSensitive(delta, "tool_calls")) {
		if (openai_wire_delta_call(a, tc, n++, cause) != 0)
			return -1;
	}
	if ((s = openai_wire_str(choice, "finish_reason")) != NULL) {
		free(a->resp.stop_reason);
		a->resp.stop_reason = xstrdup(s);
	}
	return 0;
}

int
openai_wire_acc_finish(struct openai_wire_acc *a, struct model_response *resp,
    char **cause)
{
	int i;

	if (a->chunks == 0) {
		*cause = xstrdup("the stream ended before any chunk arrived");
		return -1;
	}
	for (i = 0; i < a->n_calls; i++) {
		if (a->calls[i].name == NULL)
			continue;
		remote_add_call(&a->resp, a->calls[i].id, a->calls[i].name,
		    a->calls[i].args);
	}
	remote_split_reasoning(&a->resp.content, &a->resp.reasoning);
	if (a->resp.stop_reason == NULL)
		a->resp.stop_reason = xstrdup(a->resp.n_calls ? "tool_calls" :
								"stop");
	*resp = a->resp;
	memset(&a->resp, 0, sizeof a->resp);
	return 0;
}

int
openai_wire_stream_finish(struct openai_wire_acc *a, struct remote_lines *lines,
    const char *what, struct model_response *resp, char **cause)
{
	if (remote_lines_finish(lines) != 0) {
		*cause = xasprintf("%s: %s", what, lines->error);
		return -1;
	}
	if (!lines->done && a->resp.stop_reason == NULL) {
		*cause = xasprintf("%s: the stream ended before [DONE] or a "
				   "finish_reason (connection cut?)",
		    what);
		return -1;
	}
	return openai_wire_acc_finish(a, resp, cause);
}

void
openai_wire_acc_free(struct openai_wire_acc *a)
{
	int i;

	for (i = 0; i < OPENAI_WIRE_MAX_CALLS; i++) {
		free(a->calls[i].id);
		free(a->calls[i].name);
		free(a->calls[i].args);
	}
	model_response_clear(&a->resp);
	memset(a, 0, sizeof *a);
}
