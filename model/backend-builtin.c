/*
 * backend-builtin.c: the deterministic policy used when no LLM is set.
 *
 * It plays the model's part in the agent loop without a language model:
 * on a fresh task it calls the first offered tool with the arguments the
 * task's context names (the JSON object after the "Context:" line of the
 * last user message, keys filtered to the tool's parameters); once a tool
 * result is back it answers with that result's "summary" (after an error
 * result it calls the tool again). Agents therefore
 * run the same loop, schema checks and state updates as with a real model.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "model/model-int.h"

#define BUILTIN_CONTEXT_MARK "Context:"

static int
builtin_open(const char *rest, const struct model_params *defaults,
    void **state_out, char **cause)
{
	(void)defaults;
	if (rest != NULL && *rest != '\0') {
		*cause = xasprintf("model 'builtin' takes no options (got "
				   "'builtin:%s')",
		    rest);
		return MODEL_OPEN_USAGE;
	}
	*state_out = NULL;
	return 0;
}

static const cJSON *
builtin_last(const cJSON *messages, const char *role)
{
	const cJSON *m, *found = NULL, *r;

	cJSON_ArrayForEach(m, messages) {
		r = cJSON_GetObjectItemCaseSensitive(m, "role");
		if (role == NULL ||
		    (cJSON_IsString(r) && strcmp(r->valuestring, role) == 0))
			found = m;
	}
	return found;
}

/* The JSON object after the last "Context:" in the user's message. */
static cJSON *
builtin_context(const cJSON *messages)
{
	const cJSON *user = builtin_last(messages, "user"), *content;
	const char *p, *mark = NULL;

	if (user == NULL)
		return NULL;
	content = cJSON_GetObjectItemCaseSensitive(user, "content");
	if (!cJSON_IsString(content))
		return NULL;
	for (p = content->valuestring;
	     (p = strstr(p, BUILTIN_CONTEXT_MARK)) != NULL; p++)
		mark = p;
	if (mark == NULL)
		return NULL;
	return cJSON_Parse(mark + strlen(BUILTIN_CONTEXT_MARK));
}

static int
builtin_call_tool(const cJSON *tool, const cJSON *messages,
    struct model_response *resp)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(tool, "name");
	const cJSON *params, *props, *p, *v;
	cJSON *ctx = builtin_context(messages), *args = cJSON_CreateObject();

	params = cJSON_GetObjectItemCaseSensitive(tool, "parameters");
	props = cJSON_GetObjectItemCaseSensitive(params, "properties");
	cJSON_ArrayForEach(p, props) {
		v = cJSON_GetObjectItemCaseSensitive(ctx, p->string);
		if (v != NULL && !cJSON_IsNull(v))
			cJSON_AddItemToObject(args, p->string,
			    cJSON_Duplicate(v, 1));
	}
	resp->calls = xcalloc(1, sizeof *resp->calls);
	resp->n_calls = 1;
	resp->calls[0].id = xstrdup("builtin-1");
	resp->calls[0].name = xstrdup(cJSON_IsString(name) ? name->valuestring :
							     "");
	resp->calls[0].arguments = cJSON_PrintUnformatted(args);
	resp->stop_reason = xstrdup("tool_calls");
	cJSON_Delete(args);
	cJSON_Delete(ctx);
	return 0;
}

static int
builtin_answer(const cJSON *last, struct model_response *resp)
{
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(last,
			"content"),
		    *summary;
	cJSON *result = NULL;

	if (cJSON_IsString(content))
		result = cJSON_Parse(content->valuestring);
	summary = cJSON_GetObjectItemCaseSensitive(result, "summary");
	resp->content = xstrdup(cJSON_IsString(summary) ? summary->valuestring :
							  "Done.");
	resp->stop_reason = xstrdup("stop");
	cJSON_Delete(result);
	return 0;
}

/* Whether a tool message reports an error (a failed call, perhaps the
 * model's before a fallback): the built-in policy then calls again. */
static int
builtin_is_error(const cJSON *msg)
{
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(msg, "content");
	cJSON *result;
	int err;

	if (!cJSON_IsString(content))
		return 0;
	result = cJSON_Parse(content->valuestring);
	err = cJSON_GetObjectItemCaseSensitive(result, "error") != NULL;
	cJSON_Delete(result);
	return err;
}

static int
builtin_chat(void *state, const struct model_request *req,
    struct model_response *resp, char **cause)
{
	const cJSON *last = builtin_last(req->messages, NULL), *role;
	int n_tools = cJSON_GetArraySize(req->tools);

	(void)state;
	(void)cause;
	role = cJSON_GetObjectItemCaseSensitive(last, "role");
	if (cJSON_IsString(role) && strcmp(role->valuestring, "tool") == 0 &&
	    !builtin_is_error(last))
		return builtin_answer(last, resp);
	if (n_tools > 0 &&
	    (req->tool_choice == NULL || strcmp(req->tool_choice, "none") != 0))
		return builtin_call_tool(cJSON_GetArrayItem(req->tools, 0),
		    req->messages, resp);
	resp->content = xstrdup("");
	resp->stop_reason = xstrdup("stop");
	return 0;
}

const struct model_backend model_backend_builtin = {
	.scheme = "builtin",
	.summary = "deterministic built-in policy, no language model",
	.open = builtin_open,
	.chat = builtin_chat,
	.close = NULL,
};
