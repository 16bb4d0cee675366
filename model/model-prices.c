/*
 * model-prices.c: the price table and the cost of a call.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/paths.h"
#include "lib/xmalloc.h"
#include "model/model-prices.h"

#define MODEL_PRICES_MAX_FILE (1u << 20)

static char *
model_prices_read(const char *path, char **cause)
{
	struct buf b;
	char chunk[4096];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		*cause = xasprintf("cannot read the price table %s: check the "
				   "model_prices setting",
		    path);
		return NULL;
	}
	buf_init(&b, MODEL_PRICES_MAX_FILE);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (buf_append(&b, chunk, n) != 0) {
			*cause = xasprintf("the price table %s is larger than "
					   "%u bytes",
			    path, MODEL_PRICES_MAX_FILE);
			fclose(f);
			buf_free(&b);
			return NULL;
		}
	}
	fclose(f);
	return b.data != NULL ? buf_take(&b) : xstrdup("");
}

/* Every entry has non-negative numbers "input" and "output". */
static int
model_prices_valid(const cJSON *models, const char *path, char **cause)
{
	const cJSON *m, *in, *out;

	cJSON_ArrayForEach(m, models) {
		in = cJSON_GetObjectItemCaseSensitive(m, "input");
		out = cJSON_GetObjectItemCaseSensitive(m, "output");
		if (!cJSON_IsNumber(in) || !cJSON_IsNumber(out) ||
		    in->valuedouble < 0 || out->valuedouble < 0) {
			*cause = xasprintf(
			    "price table %s: model '%s' needs "
			    "non-negative numbers \"input\" and \"output\" "
			    "(USD per million tokens)",
			    path, m->string);
			return -1;
		}
	}
	return 0;
}

cJSON *
model_prices_load(const char *path, char **cause)
{
	char *found = NULL, *text;
	cJSON *t;

	if (path == NULL &&
	    (path = found = paths_data_file("model-prices.json", cause)) ==
		NULL)
		return NULL;
	if ((text = model_prices_read(path, cause)) == NULL) {
		free(found);
		return NULL;
	}
	t = cJSON_Parse(text);
	free(text);
	if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(t, "models"))) {
		*cause = xasprintf("price table %s is not JSON with a "
				   "\"models\" object",
		    path);
		cJSON_Delete(t);
		t = NULL;
	} else if (model_prices_valid(cJSON_GetObjectItemCaseSensitive(t,
					  "models"),
		       path, cause) != 0) {
		cJSON_Delete(t);
		t = NULL;
	}
	free(found);
	return t;
}

double
model_prices_cost(const cJSON *prices, const char *model_id, long prompt,
    long completion)
{
	const cJSON *m;

	if (prices == NULL || model_id == NULL)
		return -1;
	m = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(prices, "models"), model_id);
	if (m == NULL)
		return -1;
	return ((double)prompt *
		       cJSON_GetObjectItemCaseSensitive(m, "input")
			   ->valuedouble +
		   (double)completion *
		       cJSON_GetObjectItemCaseSensitive(m, "output")
			   ->valuedouble) /
	    1e6;
}
