/*
 * ask-symbol.c: the model picks the ticker of an 'ask' request.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "agents/ask-symbol.h"
#include "lib/xmalloc.h"
#include "model/model.h"
#include "tools/symbol.h"

static cJSON *
ask_symbol_tools(const char *const *known, size_t n)
{
	cJSON *tools = cJSON_CreateArray(), *t, *params, *props, *sym, *en;
	size_t i;

	t = cJSON_CreateObject();
	cJSON_AddStringToObject(t, "name", "choose_symbol");
	cJSON_AddStringToObject(t, "description",
	    "Names the ticker symbol "
	    "of the one stock the user's request is about.");
	params = cJSON_AddObjectToObject(t, "parameters");
	cJSON_AddStringToObject(params, "type", "object");
	props = cJSON_AddObjectToObject(params, "properties");
	sym = cJSON_AddObjectToObject(props, "symbol");
	cJSON_AddStringToObject(sym, "type", "string");
	if (n > 0) {
		en = cJSON_AddArrayToObject(sym, "enum");
		for (i = 0; i < n; i++)
			cJSON_AddItemToArray(en, cJSON_CreateString(known[i]));
	}
	cJSON_AddItemToObject(params, "required",
	    cJSON_CreateStringArray((const char *const[]){ "symbol" }, 1));
	cJSON_AddItemToArray(tools, t);
	return tools;
}

/* The symbol of the model's call, checked against KNOWN. */
static int
ask_symbol_take(const struct model_response *r, const char *const *known,
    size_t n, char *out, char **cause)
{
	cJSON *args;
	const cJSON *s;
	size_t i;
	int rc = -1;

	if (r->n_calls == 0) {
		*cause = xstrdup("the model named no symbol");
		return -1;
	}
	args = cJSON_Parse(r->calls[0].arguments);
	s = cJSON_GetObjectItemCaseSensitive(args, "symbol");
	if (!cJSON_IsString(s))
		*cause = xstrdup("the model's choose_symbol call has no "
				 "symbol");
	else if (symbol_normalize(s->valuestring, out, cause) == 0) {
		for (i = 0; i < n && strcmp(known[i], out) != 0; i++)
			;
		if (n > 0 && i == n)
			*cause = xasprintf("the model chose %s, which the "
					   "provider does not cover",
			    out);
		else
			rc = 0;
	}
	cJSON_Delete(args);
	return rc;
}

int
ask_symbol_pick(struct model *m, const char *prompt, const char *const *known,
    size_t n, char *out, char **cause)
{
	struct model_request req = { 0 };
	struct model_response resp;
	cJSON *msgs = cJSON_CreateArray(), *tools = ask_symbol_tools(known, n);
	char *why = NULL;
	int rc = -1;

	cJSON_AddItemToArray(msgs,
	    model_message("system",
		"You route stock "
		"analysis requests. Call choose_symbol with the ticker of the "
		"stock the user asks about."));
	cJSON_AddItemToArray(msgs, model_message("user", prompt));
	req.messages = msgs;
	req.tools = tools;
	req.tool_choice = "required";
	req.params = (struct model_params){ NULL, 0, -1, -1, -1, NULL };
	if (model_chat(m, &req, &resp, &why) != 0) {
		*cause = xasprintf("model error: %s", why);
		free(why);
	} else {
		rc = ask_symbol_take(&resp, known, n, out, cause);
	}
	model_response_clear(&resp);
	cJSON_Delete(msgs);
	cJSON_Delete(tools);
	return rc;
}
