/*
 * output-json.c: the versioned result object.
 */
#include "config.h"

#include <string.h>

#include "lib/i18n.h"
#include "lib/jsonutil.h"
#include "src/output.h"
#include "tools/gather.h"

int
output_format_parse(const char *s, enum output_format *out)
{
	if (s == NULL)
		return -1;
	if (strcmp(s, "text") == 0)
		*out = OUTPUT_TEXT;
	else if (strcmp(s, "json") == 0)
		*out = OUTPUT_JSON;
	else if (strcmp(s, "ndjson") == 0)
		*out = OUTPUT_NDJSON;
	else if (strcmp(s, "csv") == 0)
		*out = OUTPUT_CSV;
	else
		return -1;
	return 0;
}

static void
output_copy(cJSON *dst, const cJSON *src, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(src, key);

	cJSON_AddItemToObject(dst, key,
	    v != NULL ? cJSON_Duplicate(v, 1) : cJSON_CreateNull());
}

/* The market part without the daily bars (see 'stockagent data history'). */
static cJSON *
output_market(const cJSON *market)
{
	static const char *const keys[] = { "symbol", "as_of", "provider",
		"benchmark", "profile", "quote", "fundamentals", "news",
		"sources" };
	const char *first = NULL, *last = NULL;
	size_t i,
	    n = gather_bars_span(cJSON_GetObjectItem(market, "bars"), &first,
		&last);
	cJSON *m = cJSON_CreateObject(), *h;

	for (i = 0; i < sizeof keys / sizeof *keys; i++)
		output_copy(m, market, keys[i]);
	h = cJSON_AddObjectToObject(m, "history");
	cJSON_AddNumberToObject(h, "bars", (double)n);
	if (first != NULL && last != NULL) {
		cJSON_AddStringToObject(h, "first", first);
		cJSON_AddStringToObject(h, "last", last);
	}
	return m;
}

static cJSON *
output_analysis(const cJSON *analysis)
{
	cJSON *a = cJSON_Duplicate(analysis, 1);

	cJSON_DeleteItemFromObject(a, "series");
	cJSON_DeleteItemFromObject(a, "summary");
	return a;
}

static void
output_usage(cJSON *r, const cJSON *state)
{
	const cJSON *usage = cJSON_GetObjectItemCaseSensitive(state, "usage");
	const cJSON *u;
	cJSON *total = cJSON_CreateObject();
	double pt = 0, ct = 0, ms = 0, cost = 0;
	int calls = 0;

	cJSON_ArrayForEach(u, usage) {
		pt += jsonutil_number(u, "prompt_tokens");
		ct += jsonutil_number(u, "completion_tokens");
		ms += jsonutil_number(u, "latency_ms");
		if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(u,
			"cost_usd")))
			cost += jsonutil_number(u, "cost_usd");
		calls++;
	}
	cJSON_AddNumberToObject(total, "model_calls", calls);
	cJSON_AddNumberToObject(total, "prompt_tokens", pt);
	cJSON_AddNumberToObject(total, "completion_tokens", ct);
	cJSON_AddNumberToObject(total, "latency_ms", ms);
	/* Calls of models missing from the price table count as 0. */
	cJSON_AddNumberToObject(total, "cost_usd", cost);
	cJSON_AddItemToObject(total, "calls",
	    usage != NULL ? cJSON_Duplicate(usage, 1) : cJSON_CreateArray());
	cJSON_AddItemToObject(r, "usage", total);
}

cJSON *
output_result(const cJSON *state, const char *thread_id)
{
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(state, "request");
	const cJSON *fb = cJSON_GetObjectItemCaseSensitive(state, "fallbacks");
	cJSON *r = cJSON_CreateObject(), *report;

	cJSON_AddNumberToObject(r, "schema_version", OUTPUT_SCHEMA_VERSION);
	cJSON_AddStringToObject(r, "thread_id", thread_id ? thread_id : "");
	output_copy(r, req, "symbol");
	output_copy(r, req, "as_of");
	output_copy(r, req, "provider");
	output_copy(r, req, "model");
	output_copy(r, req, "lang");
	cJSON_AddItemToObject(r, "generated_at",
	    cJSON_Duplicate(jsonutil_path(state, "request.started_at"), 1));
	cJSON_AddItemToObject(r, "market",
	    output_market(cJSON_GetObjectItemCaseSensitive(state, "market")));
	cJSON_AddItemToObject(r, "analysis",
	    output_analysis(cJSON_GetObjectItemCaseSensitive(state,
		"analysis")));
	report = cJSON_AddObjectToObject(r, "report");
	cJSON_AddItemToObject(report, "pdf",
	    cJSON_Duplicate(jsonutil_path(state, "report.pdf"), 1));
	if (cJSON_GetObjectItem(report, "pdf") == NULL)
		cJSON_AddNullToObject(report, "pdf");
	output_usage(r, state);
	cJSON_AddItemToObject(r, "fallbacks",
	    fb != NULL ? cJSON_Duplicate(fb, 1) : cJSON_CreateArray());
	cJSON_AddStringToObject(r, "disclaimer",
	    _("This analysis is for "
	      "informational purposes only and does not constitute investment "
	      "advice."));
	return r;
}
