/*
 * model.c: the model registry and the helpers every backend shares.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/exitcode.h"
#include "lib/redact.h"
#include "lib/xmalloc.h"
#include "model/model-int.h"

static const struct model_backend *const model_backends[] = {
	&model_backend_builtin,
	&model_backend_local,
	&model_backend_openai,
	&model_backend_bedrock,
	&model_backend_sagemaker,
	NULL,
};

struct model {
	const struct model_backend *backend;
	void *state;
	char *name;
	char *id;
};

static const struct model_backend *
model_find_backend(const char *uri, const char **rest)
{
	const struct model_backend *const *b;
	size_t n;

	for (b = model_backends; *b != NULL; b++) {
		n = strlen((*b)->scheme);
		if (strncmp(uri, (*b)->scheme, n) != 0)
			continue;
		if (uri[n] == '\0') {
			*rest = NULL;
			return *b;
		}
		if (uri[n] == ':') {
			*rest = uri + n + 1;
			return *b;
		}
	}
	return NULL;
}

static char *
model_schemes(void)
{
	const struct model_backend *const *b;
	struct buf out;

	buf_init(&out, 0);
	for (b = model_backends; *b != NULL; b++)
		buf_printf(&out, "%s%s", out.len ? ", " : "", (*b)->scheme);
	return buf_take(&out);
}

/* See model_id(): the model part of the URI, options dropped. */
static char *
model_make_id(const struct model_backend *be, const char *rest)
{
	const char *hash;

	if (rest == NULL)
		return xstrdup(be->scheme);
	if ((hash = strchr(rest, '#')) != NULL)
		return xstrndup(hash + 1, strcspn(hash + 1, "?"));
	if (strcmp(be->scheme, "bedrock") == 0)
		return xstrndup(rest, strcspn(rest, "?"));
	return xasprintf("%s:%.*s", be->scheme, (int)strcspn(rest, "?"), rest);
}

struct model *
model_open(const char *uri, const struct model_params *defaults, int *failure,
    char **cause)
{
	const struct model_backend *be;
	const char *rest = NULL;
	struct model *m;
	void *state = NULL;
	char *list;
	int rc;

	*failure = MODEL_FAILURE_LOAD;
	if (uri == NULL || *uri == '\0')
		uri = "builtin";
	if ((be = model_find_backend(uri, &rest)) == NULL) {
		list = model_schemes();
		*cause = xasprintf("unknown model '%s': use one of %s "
				   "(see 'stockagent help analyze')",
		    uri, list);
		free(list);
		*failure = MODEL_FAILURE_USAGE;
		return NULL;
	}
	if ((rc = be->open(rest, defaults, &state, cause)) != 0) {
		*failure = rc == MODEL_OPEN_USAGE ? MODEL_FAILURE_USAGE :
		    rc == MODEL_OPEN_DEVICE	  ? MODEL_FAILURE_DEVICE :
						    MODEL_FAILURE_LOAD;
		return NULL;
	}
	m = xcalloc(1, sizeof *m);
	m->backend = be;
	m->state = state;
	m->name = redact_text(uri); /* shown and stored: no password */
	m->id = model_make_id(be, rest);
	return m;
}

int
model_failure_exit(int failure)
{
	return failure == MODEL_FAILURE_USAGE ? EXIT_USAGE :
	    failure == MODEL_FAILURE_DEVICE   ? EXIT_DEVICE :
						EXIT_MODEL;
}

void
model_close(struct model *m)
{
	if (m == NULL)
		return;
	if (m->backend->close != NULL)
		m->backend->close(m->state);
	free(m->name);
	free(m->id);
	free(m);
}

const char *
model_name(const struct model *m)
{
	return m->name;
}

int
model_backend_at(size_t i, const char **scheme, const char **summary)
{
	if (i >= sizeof model_backends / sizeof *model_backends - 1)
		return -1;
	*scheme = model_backends[i]->scheme;
	*summary = model_backends[i]->summary;
	return 0;
}

const char *
model_id(const struct model *m)
{
	return m->id;
}

int
model_is_builtin(const struct model *m)
{
	return m->backend == &model_backend_builtin;
}

static double
model_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int
model_chat(struct model *m, const struct model_request *req,
    struct model_response *resp, char **cause)
{
	double t0 = model_now_ms();
	int rc;

	memset(resp, 0, sizeof *resp);
	rc = m->backend->chat(m->state, req, resp, cause);
	if (resp->latency_ms == 0)
		resp->latency_ms = model_now_ms() - t0;
	return rc;
}

void
model_response_clear(struct model_response *resp)
{
	size_t i;

	free(resp->content);
	free(resp->reasoning);
	free(resp->stop_reason);
	for (i = 0; i < resp->n_calls; i++) {
		free(resp->calls[i].id);
		free(resp->calls[i].name);
		free(resp->calls[i].arguments);
	}
	free(resp->calls);
	memset(resp, 0, sizeof *resp);
}

cJSON *
model_message(const char *role, const char *content)
{
	cJSON *msg = cJSON_CreateObject();

	cJSON_AddStringToObject(msg, "role", role);
	cJSON_AddStringToObject(msg, "content", content != NULL ? content : "");
	return msg;
}

cJSON *
model_tool_result(const char *call_id, const char *name, const cJSON *result)
{
	cJSON *msg = cJSON_CreateObject();
	char *text = cJSON_PrintUnformatted(result);

	cJSON_AddStringToObject(msg, "role", "tool");
	cJSON_AddStringToObject(msg, "tool_call_id", call_id);
	cJSON_AddStringToObject(msg, "name", name);
	cJSON_AddStringToObject(msg, "content", text != NULL ? text : "null");
	free(text);
	return msg;
}

static int
model_number(const char *what, const char *text, double lo, double hi,
    int whole, double *out, char **cause)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (errno != 0 || end == text || *end != '\0' ||
	    !(v >= lo && v <= hi) || (whole && v != (double)(long long)v)) {
		*cause = xasprintf("invalid %s '%s': use a %s from %g to %g",
		    what, text, whole ? "whole number" : "number", lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

int
model_params_parse(const char *reasoning, const char *temperature,
    const char *max_tokens, const char *seed, struct model_params *p,
    char **cause)
{
	static const char *const efforts[] = { "low", "medium", "high" };
	double v;
	size_t i;

	*p = (struct model_params){ NULL, 0, -1, -1, -1, NULL };
	if (reasoning != NULL) {
		for (i = 0; i < 3 && strcmp(reasoning, efforts[i]) != 0; i++)
			;
		if (i == 3) {
			*cause = xasprintf("invalid reasoning effort '%s': use "
					   "low, medium or high",
			    reasoning);
			return -1;
		}
		p->reasoning = efforts[i];
	}
	if (temperature != NULL) {
		if (model_number("temperature", temperature, 0, 2, 0, &v,
			cause) != 0)
			return -1;
		p->temperature = v;
	}
	if (max_tokens != NULL) {
		if (model_number("max tokens", max_tokens, 1, 1000000, 1, &v,
			cause) != 0)
			return -1;
		p->max_tokens = (int)v;
	}
	if (seed != NULL) {
		if (model_number("seed", seed, 0, 9007199254740991.0, 1, &v,
			cause) != 0)
			return -1;
		p->seed = (long long)v;
	}
	return 0;
}
