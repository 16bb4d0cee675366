/*
 * lambda-event.c: the events 'stockagent lambda' understands, run in the
 * invocation's child process (lambda-child.c).
 *
 *   direct     {"symbol", "as_of", "model", ...} or {"prompt"}: a request
 *              as serve takes it (src/invoke.h); the answer is the
 *              --format json result, or an error
 *   http       an API Gateway HTTP API (payload 2.0) or function URL
 *              request whose body is such a request: answered with a
 *              response object, 200 and the result, or 4xx/5xx and
 *              {"error", "error_type", "message"}
 *   schedule   {"watchlist": [SYMBOL...] or "TEXT", "as_of", "name"}
 *              (EventBridge Scheduler's input), or a scheduled rule's
 *              event, whose "detail" may hold the same fields (else the
 *              lambda_watchlist file; as_of: the day of its "time"): run
 *              as a batch, answered with the batch's --format json
 *              summary
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "lib/exitcode.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/settings.h"
#include "lib/xmalloc.h"
#include "src/batch-watchlist.h"
#include "src/batch.h"
#include "src/invoke.h"
#include "src/lambda.h"
#include "src/output.h"
#include "src/runner.h"

/* ---- outcomes -------------------------------------------------------- */

void
lambda_step(FILE *out, const char *name)
{
	fprintf(out, "step %s\n", name);
	fflush(out);
}

cJSON *
lambda_error_outcome(const char *type, const char *msg)
{
	cJSON *o = cJSON_CreateObject(), *e = cJSON_CreateObject();

	cJSON_AddStringToObject(e, "errorType", type);
	cJSON_AddStringToObject(e, "errorMessage", msg);
	cJSON_AddItemToObject(o, "error", e);
	return o;
}

cJSON *
lambda_http_outcome(int status, cJSON *body)
{
	cJSON *o = cJSON_CreateObject(), *r = cJSON_CreateObject();
	cJSON *h = cJSON_CreateObject();
	char *text = jsonutil_print_text(body, 0);

	cJSON_AddNumberToObject(r, "statusCode", status);
	cJSON_AddStringToObject(h, "content-type", "application/json");
	cJSON_AddItemToObject(r, "headers", h);
	cJSON_AddStringToObject(r, "body", text);
	cJSON_AddBoolToObject(r, "isBase64Encoded", 0);
	cJSON_AddItemToObject(o, "response", r);
	free(text);
	cJSON_Delete(body);
	return o;
}

/* An HTTP error answer: STATUS {"error", "error_type", "message"}. */
static cJSON *
lambda_http_error(int status, const char *title, const char *type,
    const char *msg)
{
	cJSON *e = cJSON_CreateObject();

	cJSON_AddStringToObject(e, "error", title);
	cJSON_AddStringToObject(e, "error_type", type);
	cJSON_AddStringToObject(e, "message", msg);
	return lambda_http_outcome(status, e);
}

/* {"response": RESULT (taken)}. */
static cJSON *
lambda_response(cJSON *result)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddItemToObject(o, "response", result);
	return o;
}

/* ---- kinds ----------------------------------------------------------- */

/* Whether EVENT is a scheduled rule's event. */
static int
lambda_is_rule(const cJSON *event)
{
	const char *src = jsonutil_string(event, "source");
	const char *dt = jsonutil_string(event, "detail-type");

	return src != NULL && dt != NULL && strcmp(src, "aws.events") == 0 &&
	    strcmp(dt, "Scheduled Event") == 0;
}

enum lambda_kind
lambda_event_kind(const cJSON *event)
{
	const cJSON *rc = cJSON_GetObjectItemCaseSensitive(event,
	    "requestContext");

	if (cJSON_IsObject(rc) &&
	    cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(rc, "http")))
		return LAMBDA_HTTP;
	if (lambda_is_rule(event) ||
	    cJSON_GetObjectItemCaseSensitive(event, "watchlist") != NULL)
		return LAMBDA_SCHEDULE;
	return LAMBDA_DIRECT;
}

const char *
lambda_kind_name(enum lambda_kind kind)
{
	static const char *const names[] = { "direct", "http", "schedule" };

	return names[kind];
}

/* ---- one analysis ---------------------------------------------------- */

/* A graph event: a node starting is the step reached. */
static void
lambda_on_event(void *arg, const char *type, const cJSON *data)
{
	const char *node = jsonutil_string(data, "node");

	if (strcmp(type, "node_start") == 0 && node != NULL)
		lambda_step(arg, node);
}

/* The ids of the invocation, kept with the run. */
static cJSON *
lambda_metadata(const struct lambda_inv *inv)
{
	cJSON *m = cJSON_CreateObject();

	cJSON_AddStringToObject(m, "request_id", inv->request_id);
	if (inv->trace_id != NULL)
		cJSON_AddStringToObject(m, "trace_id", inv->trace_id);
	if (inv->arn != NULL)
		cJSON_AddStringToObject(m, "function_arn", inv->arn);
	return m;
}

/* Runs the analysis S and Q ask for. 0 with *RESULT, or an exit code. */
static int
lambda_run(const struct lambda_inv *inv, struct settings *s,
    const struct invoke_req *q, FILE *out, cJSON **result, char **cause)
{
	struct runner_opts o;
	struct runner_hooks h;
	char symbol[SYMBOL_MAX + 1], tid[STORE_THREAD_ID_SIZE];
	cJSON *final = NULL;
	int rc;

	lambda_step(out, "symbol");
	if ((rc = invoke_symbol(s, q, symbol, cause)) != 0)
		return rc;
	memset(&o, 0, sizeof o);
	o.symbol = symbol;
	o.as_of = q->as_of;
	o.prompt = q->prompt;
	o.out.format = OUTPUT_JSON;
	memset(&h, 0, sizeof h);
	h.on_event = lambda_on_event;
	h.event_arg = out;
	h.metadata = lambda_metadata(inv);
	h.kind = "lambda";
	rc = runner_run(s, &o, &h, &final, tid, cause);
	cJSON_Delete((cJSON *)h.metadata);
	if (rc == 0)
		*result = output_result(final, tid);
	cJSON_Delete(final);
	return rc;
}

/*
 * The request BODY asks for, run. Returns 0 with *RESULT (the --format
 * json result), or an exit code with *CAUSE (EXIT_USAGE: bad input).
 */
static int
lambda_analyze(const struct lambda_inv *inv, const cJSON *body, FILE *out,
    cJSON **result, char **cause)
{
	struct settings *s = settings_copy(inv->settings);
	struct invoke_req q;
	int rc = EXIT_USAGE;

	*result = NULL;
	if (invoke_parse(body, inv->settings, s, &q, cause) != 0)
		goto out;
	if (q.format != NULL && strcmp(q.format, "json") != 0) {
		*cause = xasprintf("format '%s' is not offered here: the "
				   "answer is the json result; leave format "
				   "out",
		    q.format);
		goto out;
	}
	rc = lambda_run(inv, s, &q, out, result, cause);
out:
	settings_free(s);
	return rc;
}

static cJSON *
lambda_direct(const struct lambda_inv *inv, FILE *out)
{
	cJSON *result, *o;
	char *cause = NULL;
	int rc = lambda_analyze(inv, inv->event, out, &result, &cause);

	if (rc == 0)
		return lambda_response(result);
	o = lambda_error_outcome(invoke_code(rc)->type,
	    cause != NULL ? cause : "the run failed");
	free(cause);
	return o;
}

/* ---- HTTP API 2.0 and function URLs ---------------------------------- */

/* The request body of an HTTP event, decoded, or NULL with *WHY. */
static char *
lambda_http_body(const cJSON *event, size_t *len, const char **why)
{
	const char *b = jsonutil_string(event, "body");
	size_t n;
	char *out;
	int got;

	if (b == NULL)
		return *why = "the request has no body; POST a JSON request "
			      "such as {\"symbol\": \"SIM_STOCK\"}",
		       NULL;
	n = strlen(b);
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(event,
		"isBase64Encoded"))) {
		*len = n;
		return xstrdup(b);
	}
	out = xmalloc(n / 4 * 3 + 4);
	got = n % 4 == 0 ? EVP_DecodeBlock((unsigned char *)out,
			       (const unsigned char *)b, (int)n) :
			   -1;
	if (got < 0) {
		free(out);
		return *why = "the body is not valid base64", NULL;
	}
	got -= n > 0 && b[n - 1] == '=';
	got -= n > 1 && b[n - 2] == '=';
	out[got] = '\0';
	*len = (size_t)got;
	return out;
}

static cJSON *
lambda_http(const struct lambda_inv *inv, FILE *out)
{
	const char *method = jsonutil_string(inv->event,
	    "requestContext.http.method");
	const char *why = NULL;
	cJSON *body = NULL, *result, *o;
	char *text, *cause = NULL;
	size_t len;
	int rc;

	if (method == NULL || strcmp(method, "POST") != 0)
		return lambda_http_error(405, "Method not allowed",
		    "ValidationError", "POST a JSON request");
	if ((text = lambda_http_body(inv->event, &len, &why)) == NULL)
		return lambda_http_error(400, "Invalid request",
		    "ValidationError", why);
	body = cJSON_ParseWithLength(text, len);
	free(text);
	if (body == NULL)
		return lambda_http_error(400, "Invalid JSON", "ValidationError",
		    "the body is not JSON; send e.g. {\"prompt\": "
		    "\"Analyze SIM_STOCK stock\"}");
	rc = lambda_analyze(inv, body, out, &result, &cause);
	cJSON_Delete(body);
	if (rc == 0)
		return lambda_http_outcome(200, result);
	o = lambda_http_error(invoke_code(rc)->status, invoke_code(rc)->title,
	    invoke_code(rc)->type, cause != NULL ? cause : "the run failed");
	free(cause);
	return o;
}

/* ---- schedules: a watchlist as a batch ------------------------------- */

/* The symbols of V (an array of strings, or watchlist text) into LIST. */
static int
lambda_symbols(const cJSON *v, cJSON *list, char **cause)
{
	const cJSON *it;
	FILE *f;
	int rc;

	if (cJSON_IsString(v)) {
		f = fmemopen(v->valuestring, strlen(v->valuestring), "r");
		if (f == NULL)
			return *cause = xstrdup("out of memory"), -1;
		rc = batch_watchlist_read(f, "watchlist", list, cause);
		fclose(f);
		return rc;
	}
	if (!cJSON_IsArray(v))
		return *cause = xstrdup("watchlist must be an array of symbols "
					"or watchlist text"),
		       -1;
	cJSON_ArrayForEach(it, v) {
		if (!cJSON_IsString(it))
			return *cause = xstrdup("watchlist must hold "
						"symbols as strings"),
			       -1;
		if (batch_watchlist_add(list, it->valuestring, cause) != 0)
			return -1;
	}
	return 0;
}

/* The symbols of the lambda_watchlist file into LIST. */
static int
lambda_watchlist_file(const struct settings *s, cJSON *list, char **cause)
{
	const char *path = settings_string(s, "lambda_watchlist");
	FILE *f;
	int rc;

	if (path == NULL)
		return *cause = xstrdup("the event names no watchlist and "
					"lambda_watchlist is not set: give "
					"{\"watchlist\": [SYMBOL...]} or set "
					"STOCKAGENT_LAMBDA_WATCHLIST"),
		       -1;
	if ((f = fopen(path, "re")) == NULL)
		return *cause = xasprintf("cannot read lambda_watchlist %s",
			   path),
		       -1;
	rc = batch_watchlist_read(f, path, list, cause);
	fclose(f);
	return rc;
}

/* The batch's stdout, the summary, read back. NULL when not JSON. */
static cJSON *
lambda_read_summary(FILE *f)
{
	struct buf b;
	char chunk[8192];
	size_t n;
	cJSON *v;

	buf_init(&b, LAMBDA_PAYLOAD_MAX);
	rewind(f);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (buf_append(&b, chunk, n) != 0)
			break;
	v = b.len > 0 ? cJSON_Parse(b.data) : NULL;
	buf_free(&b);
	return v;
}

/* Runs batch O with its JSON summary caught from stdout. */
static int
lambda_batch(struct settings *s, const struct batch_opts *o, cJSON **summary)
{
	FILE *f = tmpfile();
	int saved, rc;

	*summary = NULL;
	if (f == NULL)
		return EXIT_STORAGE;
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fileno(f), STDOUT_FILENO);
	rc = batch_start(s, o);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	*summary = lambda_read_summary(f);
	fclose(f);
	return rc;
}

/* The fields of a schedule's input: SRC and what it defaults to. */
static int
lambda_schedule_fields(const cJSON *src, char **cause)
{
	static const char *const known[] = { "watchlist", "as_of", "name",
		NULL };
	const cJSON *f;
	size_t i;

	cJSON_ArrayForEach(f, src) {
		for (i = 0; known[i] != NULL; i++)
			if (strcmp(f->string, known[i]) == 0)
				break;
		if (known[i] == NULL)
			return *cause = xasprintf("unknown field '%s': use "
						  "watchlist, as_of or name",
				   f->string),
			       -1;
		if (i > 0 && !cJSON_IsString(f))
			return *cause = xasprintf("field '%s' has the wrong "
						  "type",
				   f->string),
			       -1;
	}
	return 0;
}

static cJSON *
lambda_schedule(const struct lambda_inv *inv, FILE *out)
{
	const cJSON *src = inv->event, *w, *r;
	struct settings *s = settings_copy(inv->settings);
	struct batch_opts o;
	char day[11] = "", *cause = NULL;
	cJSON *list = cJSON_CreateArray(), *summary = NULL, *res;
	int rc = EXIT_USAGE;

	memset(&o, 0, sizeof o);
	o.watchlist = "schedule";
	if (lambda_is_rule(inv->event)) {
		src = cJSON_GetObjectItemCaseSensitive(inv->event, "detail");
		if (jsonutil_string(inv->event, "time") != NULL)
			snprintf(day, sizeof day, "%s",
			    jsonutil_string(inv->event, "time"));
		r = cJSON_GetArrayItem(
		    cJSON_GetObjectItemCaseSensitive(inv->event, "resources"),
		    0);
		if (cJSON_IsString(r))
			o.watchlist = r->valuestring;
	}
	if (src != NULL && !cJSON_IsObject(src)) {
		cause = xstrdup("the schedule's input must be a JSON object");
		goto out;
	}
	if (lambda_schedule_fields(src, &cause) != 0)
		goto out;
	if (jsonutil_string(src, "name") != NULL)
		o.watchlist = jsonutil_string(src, "name");
	o.as_of = jsonutil_string(src, "as_of") != NULL ?
	    jsonutil_string(src, "as_of") :
	    day[0] != '\0' ? day :
			     NULL;
	if (o.as_of != NULL && runner_as_of(o.as_of, day, &cause) != 0)
		goto out;
	w = cJSON_GetObjectItemCaseSensitive(src, "watchlist");
	if ((w != NULL ? lambda_symbols(w, list, &cause) :
			 lambda_watchlist_file(s, list, &cause)) != 0)
		goto out;
	if (cJSON_GetArraySize(list) == 0) {
		cause = xstrdup("the watchlist has no symbols");
		goto out;
	}
	lambda_step(out, "batch");
	o.symbols = list;
	o.jobs = (int)settings_int(s, "batch_jobs");
	o.out.format = OUTPUT_JSON;
	rc = lambda_batch(s, &o, &summary);
	if ((rc == 0 || rc == EXIT_PARTIAL) && summary == NULL)
		rc = EXIT_FAILURE_ANY;
	if (rc != 0 && rc != EXIT_PARTIAL)
		cause = xasprintf("the batch of %d symbols failed (exit %d); "
				  "see the log",
		    cJSON_GetArraySize(list), rc);
out:
	if (rc == 0 || rc == EXIT_PARTIAL)
		res = lambda_response(summary);
	else {
		res = lambda_error_outcome(invoke_code(rc)->type, cause);
		cJSON_Delete(summary);
	}
	free(cause);
	cJSON_Delete(list);
	settings_free(s);
	return res;
}

void
lambda_event_handle(const struct lambda_inv *inv, FILE *out)
{
	const char *db = settings_string(inv->settings, "db");
	char *text, *why = NULL;
	cJSON *o;

	lambda_step(out, "event");
	/* /tmp may have been emptied since the last invocation. */
	if (db != NULL && paths_mkdirs_for(db, 1, &why) != 0) {
		log_warn("lambda: %s", why);
		free(why);
	}
	switch (inv->kind) {
	case LAMBDA_HTTP:
		o = lambda_http(inv, out);
		break;
	case LAMBDA_SCHEDULE:
		o = lambda_schedule(inv, out);
		break;
	default:
		o = lambda_direct(inv, out);
		break;
	}
	text = jsonutil_print_text(o, 0);
	fprintf(out, "outcome %s\n", text);
	fflush(out);
	free(text);
	cJSON_Delete(o);
}
