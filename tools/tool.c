/*
 * tool.c: the tool table, argument validation and dispatch.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/jsonschema.h"
#include "lib/xmalloc.h"
#include "tools/tool.h"

extern const struct tool_entry tool_gather_stock_data_entry;
extern const struct tool_entry tool_analyze_stock_performance_entry;
extern const struct tool_entry tool_generate_stock_report_entry;

static const struct tool_entry *const tool_table[] = {
	&tool_gather_stock_data_entry,
	&tool_analyze_stock_performance_entry,
	&tool_generate_stock_report_entry,
	NULL,
};

const struct tool_entry *
tool_find(const char *name)
{
	const struct tool_entry *const *t;

	for (t = tool_table; *t != NULL; t++) {
		if (strcmp((*t)->name, name) == 0)
			return *t;
	}
	return NULL;
}

cJSON *
tool_spec(const struct tool_entry *t)
{
	cJSON *spec = cJSON_CreateObject();
	cJSON *params = cJSON_Parse(t->parameters);

	cJSON_AddStringToObject(spec, "name", t->name);
	cJSON_AddStringToObject(spec, "description", t->description);
	cJSON_AddItemToObject(spec, "parameters",
	    params != NULL ? params : cJSON_CreateObject());
	return spec;
}

int
tool_call(struct tool_ctx *ctx, const struct tool_entry *t,
    const char *args_json, cJSON **result_out, char **cause)
{
	cJSON *args = NULL, *schema = NULL;
	char *why = NULL;
	int rc;

	*result_out = NULL;
	args = cJSON_Parse(args_json != NULL && *args_json ? args_json : "{}");
	if (args == NULL) {
		*cause = xasprintf("arguments of %s are not valid JSON",
		    t->name);
		return TOOL_EARGS;
	}
	schema = cJSON_Parse(t->parameters);
	if (jsonschema_validate(schema, args, &why) != 0) {
		*cause = xasprintf("invalid arguments for %s: %s", t->name,
		    why);
		free(why);
		rc = TOOL_EARGS;
	} else {
		rc = t->exec(ctx, args, result_out, cause);
	}
	cJSON_Delete(schema);
	cJSON_Delete(args);
	return rc;
}

cJSON *
tool_result_for_model(const struct tool_entry *t, const cJSON *result)
{
	if (t->for_model != NULL)
		return t->for_model(result);
	return cJSON_Duplicate(result, 1);
}
