/*
 * agent-analyze.c: the performance analysis agent.
 *
 * With a language model, its final answer becomes the investment narrative
 * (thesis, risks, what would change the view); the built-in policy uses
 * the narrative the tool writes from the figures. A model's narrative is
 * checked against the tool results it saw: numbers found in none are
 * listed in analysis.narrative.ungrounded (the PDF marks them) and warned
 * about on stderr.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "agents/agent.h"
#include "agents/grounding.h"
#include "lib/i18n.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

/* Tool messages checked at most (one per model turn). */
#define ANALYZE_MAX_SOURCES 64

/* What the task adds for a report in another language than English. */
static const char *
analyze_language(void)
{
	if (i18n_lang() == I18N_VI)
		return " Write the narrative in Vietnamese, as a Vietnamese "
		       "equity research note would (cổ phiếu, giá đóng cửa, "
		       "vốn hóa, P/E), and write numbers the Vietnamese way: a "
		       "comma before decimals and a dot between thousands "
		       "(1.234,56; 18,10%; dates as DD/MM/YYYY).";
	return "";
}

static void
analyze_task(const cJSON *state, char **task_out, cJSON **ctx_out)
{
	const char *sym = jsonutil_string(state, "request.symbol");
	cJSON *ctx = cJSON_CreateObject();

	*task_out = xasprintf(
	    "Analyze the performance of %s from the gathered "
	    "data with the analyze_stock_performance tool. Then write an "
	    "investment narrative of three short paragraphs: the thesis, the "
	    "risks, and what would change the view. Use only figures that "
	    "appear in the tool result; this is information, not investment "
	    "advice.%s",
	    sym, analyze_language());
	cJSON_AddStringToObject(ctx, "symbol", sym);
	*ctx_out = ctx;
}

/* The tool results the model saw: tool messages before and in UPDATE. */
static size_t
analyze_tool_results(const cJSON *state, const cJSON *update, const cJSON **out,
    size_t max)
{
	const cJSON *lists[2], *m, *role;
	size_t n = 0, i;

	lists[0] = cJSON_GetObjectItemCaseSensitive(state, "messages");
	lists[1] = cJSON_GetObjectItemCaseSensitive(update, "messages");
	for (i = 0; i < 2; i++) {
		cJSON_ArrayForEach(m, lists[i]) {
			role = cJSON_GetObjectItemCaseSensitive(m, "role");
			if (n < max && cJSON_IsString(role) &&
			    strcmp(role->valuestring, "tool") == 0)
				out[n++] = cJSON_GetObjectItemCaseSensitive(m,
				    "content");
		}
	}
	return n;
}

static void
analyze_answer(const char *answer, const cJSON *state, cJSON *update)
{
	cJSON *analysis = cJSON_GetObjectItemCaseSensitive(update, "analysis");
	const cJSON *sources[ANALYZE_MAX_SOURCES];
	cJSON *n, *bad;
	char *list;
	size_t ns;

	if (analysis == NULL || answer == NULL || *answer == '\0')
		return;
	ns = analyze_tool_results(state, update, sources, ANALYZE_MAX_SOURCES);
	bad = grounding_check(answer, sources, ns);
	cJSON_DeleteItemFromObject(analysis, "narrative");
	n = cJSON_AddObjectToObject(analysis, "narrative");
	cJSON_AddStringToObject(n, "text", answer);
	cJSON_AddStringToObject(n, "source", "model");
	cJSON_AddItemToObject(n, "ungrounded", bad);
	if (cJSON_GetArraySize(bad) > 0) {
		list = cJSON_PrintUnformatted(bad);
		log_warn("analyze agent: the narrative quotes numbers not "
			 "found in the tool results: %s",
		    list);
		free(list);
	}
}

const struct agent_spec agent_analyze_spec = {
	.name = "analyze",
	.role_prompt =
	    "You are the performance analysis agent of a stock "
	    "analysis team. You run the analysis tool on the gathered data "
	    "and explain its technical and fundamental findings in plain "
	    "language, quoting only the numbers the tool returned.",
	.tool = "analyze_stock_performance",
	.task = analyze_task,
	.on_answer = analyze_answer,
};
