/*
 * agent-report.c: the report generation agent.
 */
#include "config.h"

#include <stdlib.h>

#include "agents/agent.h"
#include "lib/jsonutil.h"
#include "lib/xmalloc.h"

static void
report_task(const cJSON *state, char **task_out, cJSON **ctx_out)
{
	const char *sym = jsonutil_string(state, "request.symbol");
	cJSON *ctx = cJSON_CreateObject();

	*task_out = xasprintf(
	    "Generate the stock report for %s with the "
	    "generate_stock_report tool, then reply with one sentence saying "
	    "where it is.",
	    sym);
	cJSON_AddStringToObject(ctx, "symbol", sym);
	*ctx_out = ctx;
}

const struct agent_spec agent_report_spec = {
	.name = "report",
	.role_prompt =
	    "You are the report generation agent of a stock "
	    "analysis team. You produce the professional PDF report from the "
	    "gathered data and the analysis by calling your tool.",
	.tool = "generate_stock_report",
	.task = report_task,
	.on_answer = NULL,
};
