/*
 * agent-gather.c: the data gathering agent.
 */
#include "config.h"

#include <stdlib.h>

#include "agents/agent.h"
#include "lib/jsonutil.h"
#include "lib/xmalloc.h"

static void
gather_task(const cJSON *state, char **task_out, cJSON **ctx_out)
{
	const char *sym = jsonutil_string(state, "request.symbol");
	const char *asof = jsonutil_string(state, "request.as_of");
	const char *prov = jsonutil_string(state, "request.provider");
	cJSON *ctx = cJSON_CreateObject();

	*task_out = xasprintf(
	    "Gather the market data for %s as of %s with "
	    "the gather_stock_data tool, then reply with one sentence saying "
	    "what was gathered.",
	    sym, asof);
	cJSON_AddStringToObject(ctx, "symbol", sym);
	cJSON_AddStringToObject(ctx, "as_of", asof);
	if (prov != NULL)
		cJSON_AddStringToObject(ctx, "provider", prov);
	*ctx_out = ctx;
}

const struct agent_spec agent_gather_spec = {
	.name = "gather",
	.role_prompt =
	    "You are the data gathering agent of a stock analysis "
	    "team. You collect price history, fundamentals and news for one "
	    "stock by calling your tool with the exact symbol and date you "
	    "are given. You never invent data.",
	.tool = "gather_stock_data",
	.task = gather_task,
	.on_answer = NULL,
};
