/*
 * invoke.c: one invocation's request, as serve and lambda take it.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "lib/exitcode.h"
#include "lib/jsonutil.h"
#include "lib/s3.h"
#include "lib/settings.h"
#include "lib/xmalloc.h"
#include "src/cmd.h"
#include "src/invoke.h"
#include "src/runner.h"

/* The fields a body may have, and their JSON types. */
static const struct {
	const char *name;
	int type; /* cJSON_String, cJSON_True (any boolean) */
} invoke_fields[] = {
	{ "prompt", cJSON_String },
	{ "symbol", cJSON_String },
	{ "as_of", cJSON_String },
	{ "model", cJSON_String },
	{ "pdf", cJSON_True },
	{ "s3", cJSON_String },
	{ "format", cJSON_String },
};

/* How a run's exit code is answered. */
static const struct {
	int code;
	struct invoke_code answer;
} invoke_codes[] = {
	{ EXIT_USAGE, { 400, "Invalid request", "ValidationError" } },
	{ EXIT_MARKET, { 400, "Market data unavailable", "MarketDataError" } },
	{ EXIT_MODEL, { 500, "Model failed", "ModelError" } },
	{ EXIT_STORAGE, { 500, "Storage failed", "StorageError" } },
	{ EXIT_NETWORK, { 500, "Network failed", "NetworkError" } },
	{ EXIT_INTERRUPTED, { 500, "Run interrupted", "InterruptedError" } },
	{ EXIT_PARTIAL, { 500, "Some symbols failed", "PartialBatchError" } },
};

static const struct invoke_code invoke_internal = { 500, "Internal error",
	"InternalError" };

const struct invoke_code *
invoke_code(int rc)
{
	size_t i;

	for (i = 0; i < sizeof invoke_codes / sizeof *invoke_codes; i++)
		if (invoke_codes[i].code == rc)
			return &invoke_codes[i].answer;
	return &invoke_internal;
}

static int invoke_bad(char **cause, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Sets *CAUSE to the message FMT makes. Returns -1. */
static int
invoke_bad(char **cause, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	*cause = xvasprintf(fmt, ap);
	va_end(ap);
	return -1;
}

/* Each field known and of its type. Returns 0 or -1. */
static int
invoke_check_fields(const cJSON *body, char **cause)
{
	const cJSON *f;
	size_t i, n = sizeof invoke_fields / sizeof *invoke_fields;

	cJSON_ArrayForEach(f, body) {
		for (i = 0; i < n; i++)
			if (strcmp(f->string, invoke_fields[i].name) == 0)
				break;
		if (i == n)
			return invoke_bad(cause,
			    "unknown field '%s': use prompt, "
			    "symbol, as_of, model, pdf, s3 or format",
			    f->string);
		if (invoke_fields[i].type == cJSON_True ? !cJSON_IsBool(f) :
							  !cJSON_IsString(f))
			return invoke_bad(cause,
			    "field '%s' has the wrong type", f->string);
	}
	return 0;
}

/* Whether URI is a model a request may choose under BASE. */
static int
invoke_model_ok(const struct settings *base, const char *uri)
{
	const char *own = settings_string(base, "model");
	const char *list = settings_string(base, "serve_models");
	size_t n = strlen(uri);
	const char *p;

	if (strcmp(uri, "builtin") == 0 ||
	    (own != NULL && strcmp(uri, own) == 0))
		return 1;
	for (p = list; p != NULL && *p != '\0'; p += strcspn(p, ",")) {
		p += strspn(p, ", ");
		if (strncmp(p, uri, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
	}
	return 0;
}

/* The model, PDF and S3 choices into S. Returns 0 or -1. */
static int
invoke_choices(const cJSON *body, const struct settings *base,
    struct settings *s, char **cause)
{
	const char *model = jsonutil_string(body, "model");
	const char *s3 = jsonutil_string(body, "s3");
	const cJSON *pdf = cJSON_GetObjectItemCaseSensitive(body, "pdf");
	struct s3_location loc = { NULL, NULL };

	if (model != NULL && !invoke_model_ok(base, model))
		return invoke_bad(cause,
		    "model '%s' is not offered here: use "
		    "builtin, the model setting, or one of serve_models",
		    model);
	if (model != NULL &&
	    settings_set(s, "model", model, "the request", cause) != 0)
		return -1;
	if (pdf != NULL &&
	    settings_set(s, "no_pdf", cJSON_IsTrue(pdf) ? "0" : "1",
		"the request", cause) != 0)
		return -1;
	if (s3 == NULL)
		return 0;
	if (s3_uri_parse(s3, &loc, cause) != 0)
		return -1;
	s3_location_free(&loc);
	return settings_set(s, "s3", s3, "the request", cause);
}

int
invoke_parse(const cJSON *body, const struct settings *base, struct settings *s,
    struct invoke_req *q, char **cause)
{
	char day[11];

	memset(q, 0, sizeof *q);
	if (!cJSON_IsObject(body))
		return invoke_bad(cause, "%s",
		    "the body must be a JSON object");
	if (invoke_check_fields(body, cause) != 0)
		return -1;
	q->prompt = jsonutil_string(body, "prompt");
	q->symbol = jsonutil_string(body, "symbol");
	q->as_of = jsonutil_string(body, "as_of");
	q->format = jsonutil_string(body, "format");
	if (q->prompt == NULL && q->symbol == NULL)
		return invoke_bad(cause, "%s", "give a prompt or a symbol");
	if (q->as_of != NULL && runner_as_of(q->as_of, day, cause) != 0)
		return -1;
	return invoke_choices(body, base, s, cause);
}

int
invoke_symbol(struct settings *s, const struct invoke_req *q,
    char out[SYMBOL_MAX + 1], char **cause)
{
	if (q->symbol != NULL)
		return symbol_normalize(q->symbol, out, cause) != 0 ?
		    EXIT_USAGE :
		    0;
	return cmd_ask_symbol(s, q->prompt, 0, out, cause);
}

void
invoke_log(const char *event, cJSON *fields)
{
	cJSON *line = cJSON_CreateObject(), *f;
	struct timeval tv;
	struct tm tm;
	char ts[40], *text;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	cJSON_AddStringToObject(line, "time", ts);
	cJSON_AddStringToObject(line, "event", event);
	cJSON_ArrayForEach(f, fields)
		cJSON_AddItemToObject(line, f->string, cJSON_Duplicate(f, 1));
	text = jsonutil_print_text(line, 0);
	fprintf(stderr, "%s\n", text);
	free(text);
	cJSON_Delete(line);
	cJSON_Delete(fields);
}
