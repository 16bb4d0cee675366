/*
 * agent-analyze.c: the performance analysis agent.
 *
 * With a language model, its final answer becomes the investment narrative
 * (thesis, risks, what would change the view); the built-in policy uses
 * the narrative the tool writes from the figures.
 */
#include "config.h"

#include <stdlib.h>

#include "agents/agent.h"
#include "jsonutil.h"
#include "xmalloc.h"

static void
analyze_task(const cJSON *state, char **task_out, cJSON **ctx_out)
{
	const char *sym = jsonutil_string(state, "request.symbol");
	cJSON *ctx = cJSON_CreateObject();

	*task_out = xasprintf("Analyze the performance of %s from the gathered "
	    "data with the analyze_stock_performance tool. Then write an "
	    "investment narrative of three short paragraphs: the thesis, the "
	    "risks, and what would change the view. Use only figures that "
	    "appear in the tool result; this is information, not investment "
	    "advice.", sym);
	cJSON_AddStringToObject(ctx, "symbol", sym);
	*ctx_out = ctx;
}

static void
analyze_answer(const char *answer, const cJSON *state, cJSON *update)
{
	cJSON *analysis = cJSON_GetObjectItemCaseSensitive(update, "analysis");
	cJSON *n;

	(void)state;
	if (analysis == NULL || answer == NULL || *answer == '\0')
		return;
	cJSON_DeleteItemFromObject(analysis, "narrative");
	n = cJSON_AddObjectToObject(analysis, "narrative");
	cJSON_AddStringToObject(n, "text", answer);
	cJSON_AddStringToObject(n, "source", "model");
	cJSON_AddItemToObject(n, "ungrounded", cJSON_CreateArray());
}

const struct agent_spec agent_analyze_spec = {
	.name = "analyze",
	.role_prompt = "You are the performance analysis agent of a stock "
	    "analysis team. You run the analysis tool on the gathered data "
	    "and explain its technical and fundamental findings in plain "
	    "language, quoting only the numbers the tool returned.",
	.tool = "analyze_stock_performance",
	.task = analyze_task,
	.on_answer = analyze_answer,
};
