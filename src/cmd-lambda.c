/*
 * cmd-lambda.c: stockagent lambda, the program as its own AWS Lambda
 * custom runtime: the Runtime API loop (AWS_LAMBDA_RUNTIME_API).
 *
 *   GET  /2018-06-01/runtime/invocation/next          an event
 *   POST /2018-06-01/runtime/invocation/ID/response   its answer
 *   POST /2018-06-01/runtime/invocation/ID/error      or its error
 *   POST /2018-06-01/runtime/init/error               start-up failed
 *
 * Errors are {"errorMessage", "errorType", "stackTrace": []} with the
 * type also in Lambda-Runtime-Function-Error-Type. The loop runs until
 * the Runtime API fails (exit 8), as Lambda's own runtimes do.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "lib/exitcode.h"
#include "lib/http.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/settings.h"
#include "lib/store.h"
#include "lib/xmalloc.h"
#include "src/cmd.h"
#include "src/invoke.h"
#include "src/lambda.h"
#include "src/runner.h"

extern const struct cmd_entry cmd_lambda_entry;

#define LAMBDA_API "/2018-06-01/runtime"
/* Where the database and reports live when no setting says: /tmp is the
 * only writable place, and it may be empty at any cold start. */
#define LAMBDA_TMP "/tmp/stockagent"
/* An invocation without a deadline header gets Lambda's longest timeout. */
#define LAMBDA_MAX_TIMEOUT_MS (900 * 1000LL)

/* The loop's state. */
struct lambda {
	char *base; /* "http://HOST:PORT/2018-06-01/runtime" */
	struct settings *settings;
	long long margin_ms;
};

/*
 * POSTs BODY to PATH (under the base). ERROR_TYPE: the error header.
 * Returns 0 when accepted, 1 when refused (logged; the loop goes on), -1
 * when the Runtime API failed (its 500, or no answer): exit.
 */
static int
lambda_post(const struct lambda *l, const char *path, const cJSON *body,
    const char *error_type)
{
	struct http_request req;
	struct http_response resp;
	struct http_headers h;
	char *url = xasprintf("%s%s", l->base, path), *text, *cause = NULL;
	int rc;

	text = jsonutil_print_text(body, 0);
	http_headers_init(&h);
	http_headers_add(&h, "Content-Type", "application/json");
	if (error_type != NULL)
		http_headers_add(&h, LAMBDA_H_ERROR_TYPE, error_type);
	memset(&req, 0, sizeof req);
	req.method = "POST";
	req.url = url;
	req.headers = &h;
	req.body = text;
	req.body_len = strlen(text);
	req.timeout_ms = 30000;
	req.max_response = 65536;
	http_response_init(&resp);
	if (http_perform(&req, &resp, &cause) != 0) {
		log_error("lambda: %s", cause);
		rc = -1;
	} else if (resp.status >= 200 && resp.status < 300)
		rc = 0;
	else {
		log_error("lambda: %s answered HTTP %ld: %.200s", path,
		    resp.status, resp.body.data != NULL ? resp.body.data : "");
		rc = resp.status >= 500 ? -1 : 1;
	}
	http_response_free(&resp);
	http_headers_free(&h);
	free(cause);
	free(text);
	free(url);
	return rc;
}

/* POSTs an error {"errorMessage", "errorType", "stackTrace": []}. */
static int
lambda_post_error(const struct lambda *l, const char *path, const char *type,
    const char *msg)
{
	cJSON *e = cJSON_CreateObject();
	int rc;

	cJSON_AddStringToObject(e, "errorMessage", msg);
	cJSON_AddStringToObject(e, "errorType", type);
	cJSON_AddItemToObject(e, "stackTrace", cJSON_CreateArray());
	rc = lambda_post(l, path, e, type);
	cJSON_Delete(e);
	return rc;
}

/* Start-up failed: tells Lambda, then returns RC for the exit. */
static int
lambda_init_error(const struct lambda *l, int rc, const char *msg)
{
	(void)lambda_post_error(l, "/init/error", "InitError", msg);
	return rc;
}

/* Whether ID can stand in a URL path: a request id is a UUID. */
static int
lambda_id_ok(const char *id)
{
	size_t n = id != NULL ? strspn(id,
				    "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") :
				0;

	return id != NULL && n > 0 && n <= 128 && id[n] == '\0';
}

/* The deadline header, or the longest timeout from now. */
static long long
lambda_deadline(const char *h)
{
	char *end;
	long long v;

	if (h != NULL) {
		errno = 0;
		v = strtoll(h, &end, 10);
		if (errno == 0 && end != h && *end == '\0' && v > 0)
			return v;
	}
	return lambda_now_ms() + LAMBDA_MAX_TIMEOUT_MS;
}

/* Posts OUTCOME for request ID. Returns as lambda_post. */
static int
lambda_answer(const struct lambda *l, const char *id, const cJSON *outcome,
    cJSON *log)
{
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(outcome, "response");
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(outcome, "error");
	const char *type = jsonutil_string(e, "errorType");
	char *path;
	int rc;

	if (r != NULL) {
		path = xasprintf("/invocation/%s/response", id);
		rc = lambda_post(l, path, r, NULL);
		cJSON_AddStringToObject(log, "outcome", "response");
		if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(r,
			"statusCode")))
			cJSON_AddNumberToObject(log, "status",
			    jsonutil_number(r, "statusCode"));
	} else {
		path = xasprintf("/invocation/%s/error", id);
		rc = lambda_post_error(l, path, type ? type : "InternalError",
		    jsonutil_string(e, "errorMessage") ?
			jsonutil_string(e, "errorMessage") :
			"the handler gave no answer");
		cJSON_AddStringToObject(log, "outcome", "error");
		cJSON_AddStringToObject(log, "error_type",
		    type ? type : "InternalError");
	}
	free(path);
	return rc;
}

/* One invocation from RESP (the answer to .../next). As lambda_post. */
static int
lambda_invoke(const struct lambda *l, const struct http_response *resp)
{
	struct lambda_inv inv;
	long long t0 = lambda_now_ms();
	cJSON *event, *outcome, *log = cJSON_CreateObject();
	char *path;
	int rc;

	memset(&inv, 0, sizeof inv);
	inv.request_id = http_headers_get(&resp->headers, LAMBDA_H_REQUEST);
	inv.trace_id = http_headers_get(&resp->headers, LAMBDA_H_TRACE);
	inv.arn = http_headers_get(&resp->headers, LAMBDA_H_ARN);
	inv.deadline_ms = lambda_deadline(http_headers_get(&resp->headers,
	    LAMBDA_H_DEADLINE));
	inv.settings = l->settings;
	if (!lambda_id_ok(inv.request_id)) {
		log_error("lambda: an event without a usable %s; skipped",
		    LAMBDA_H_REQUEST);
		cJSON_Delete(log);
		return 1;
	}
	cJSON_AddStringToObject(log, "request_id", inv.request_id);
	if (inv.trace_id != NULL) {
		setenv("_X_AMZN_TRACE_ID", inv.trace_id, 1);
		cJSON_AddStringToObject(log, "trace_id", inv.trace_id);
	}
	event = cJSON_ParseWithLength(resp->body.data, resp->body.len);
	if (event == NULL) {
		path = xasprintf("/invocation/%s/error", inv.request_id);
		rc = lambda_post_error(l, path, "InvalidEvent",
		    "the event is not JSON; send a JSON object such as "
		    "{\"symbol\": \"SIM_STOCK\"}");
		free(path);
		cJSON_AddStringToObject(log, "outcome", "error");
		cJSON_AddStringToObject(log, "error_type", "InvalidEvent");
		invoke_log("invocation", log);
		return rc;
	}
	inv.event = event;
	inv.kind = lambda_event_kind(event);
	cJSON_AddStringToObject(log, "kind", lambda_kind_name(inv.kind));
	outcome = lambda_child_run(&inv, l->margin_ms);
	rc = lambda_answer(l, inv.request_id, outcome, log);
	cJSON_AddNumberToObject(log, "ms", (double)(lambda_now_ms() - t0));
	invoke_log("invocation", log);
	cJSON_Delete(outcome);
	cJSON_Delete(event);
	return rc;
}

/* An event past LAMBDA_PAYLOAD_MAX: an error, when it can be answered. */
static int
lambda_too_large(const struct lambda *l, const struct http_response *resp)
{
	const char *id = http_headers_get(&resp->headers, LAMBDA_H_REQUEST);
	char *path, *msg;
	int rc;

	if (!lambda_id_ok(id)) {
		log_error("lambda: an event over %d bytes without a usable %s; "
			  "skipped",
		    LAMBDA_PAYLOAD_MAX, LAMBDA_H_REQUEST);
		return 1;
	}
	path = xasprintf("/invocation/%s/error", id);
	msg = xasprintf("the event is larger than %d bytes",
	    LAMBDA_PAYLOAD_MAX);
	rc = lambda_post_error(l, path, "InvalidEvent", msg);
	free(msg);
	free(path);
	return rc;
}

/*
 * GET .../next. Returns 0 with RESP, 1 for an event past
 * LAMBDA_PAYLOAD_MAX (RESP holds its headers), or -1 (logged): the API
 * failed.
 */
static int
lambda_next(const struct lambda *l, struct http_response *resp)
{
	struct http_request req;
	char *url = xasprintf("%s/invocation/next", l->base), *cause = NULL;
	int rc = 0;

	memset(&req, 0, sizeof req);
	req.method = "GET";
	req.url = url;
	req.timeout_ms = -1; /* it waits, frozen, for the next event */
	req.max_response = LAMBDA_PAYLOAD_MAX;
	if (http_perform(&req, resp, &cause) != 0) {
		rc = resp->error == HTTP_ERR_TOO_LARGE && resp->status == 200 ?
		    1 :
		    -1;
		if (rc < 0)
			log_error("lambda: %s", cause);
	} else if (resp->status != 200) {
		log_error("lambda: the Runtime API answered HTTP %ld to "
			  "invocation/next: %.200s",
		    resp->status, resp->body.data ? resp->body.data : "");
		rc = -1;
	}
	free(cause);
	free(url);
	return rc;
}

static int
lambda_loop(struct lambda *l)
{
	struct http_response resp;
	int rc;

	for (;;) {
		http_response_init(&resp);
		rc = lambda_next(l, &resp);
		if (rc == 0)
			rc = lambda_invoke(l, &resp);
		else if (rc == 1)
			rc = lambda_too_large(l, &resp);
		http_response_free(&resp);
		if (rc < 0)
			return EXIT_NETWORK;
	}
}

/* Sets NAME to VALUE unless a source other than the default set it. */
static void
lambda_default(struct settings *s, const char *name, const char *value)
{
	const char *origin = settings_origin(s, name);

	if (strcmp(origin, "default") == 0 || strcmp(origin, "unset") == 0)
		(void)settings_set(s, name, value, "lambda", NULL);
}

/*
 * The settings checked and the database opened (migrated) under /tmp,
 * before the first event. Returns 0, or an exit code with *CAUSE.
 */
static int
lambda_init(struct settings *s, char **cause)
{
	struct store *st = NULL;
	int rc;

	if (settings_check(s, cause) != 0)
		return EXIT_USAGE;
	lambda_default(s, "db", LAMBDA_TMP "/stockagent.db");
	lambda_default(s, "out", LAMBDA_TMP "/reports");
	if ((rc = runner_check_settings(s)) != 0) {
		*cause = xasprintf("a setting is not usable (exit %d): the "
				   "log names it",
		    rc);
		return rc;
	}
	if (paths_mkdirs_for(settings_string(s, "db"), 1, cause) != 0 ||
	    store_open(settings_string(s, "db"), &st, cause) != 0)
		return EXIT_STORAGE;
	store_close(st);
	return 0;
}

static int
cmd_lambda_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
	struct lambda l;
	char *cause = NULL;
	int rc;

	if (argc > 1)
		return cmd_usage_error(&cmd_lambda_entry,
		    "unexpected argument '%s'", argv[1]);
	if (api == NULL || *api == '\0' || strchr(api, '/') != NULL) {
		log_error("lambda: AWS_LAMBDA_RUNTIME_API is %s: it is the "
			  "Runtime API's HOST:PORT, which Lambda sets; run "
			  "this as a function's bootstrap",
		    api == NULL || *api == '\0' ? "not set" : "not HOST:PORT");
		return EXIT_USAGE;
	}
	memset(&l, 0, sizeof l);
	l.base = xasprintf("http://%s" LAMBDA_API, api);
	l.settings = ctx->settings;
	signal(SIGPIPE, SIG_IGN);
	if ((rc = lambda_init(ctx->settings, &cause)) != 0) {
		log_error("lambda: %s", cause);
		rc = lambda_init_error(&l, rc, cause);
	} else {
		l.margin_ms = settings_int(ctx->settings, "lambda_margin");
		invoke_log("ready", NULL);
		rc = lambda_loop(&l);
	}
	free(cause);
	free(l.base);
	return rc;
}

const struct cmd_entry cmd_lambda_entry = {
	.name = "lambda",
	.usage = "",
	.summary = "run as an AWS Lambda function (a custom runtime)",
	.help =
	    "The Lambda Runtime API loop at AWS_LAMBDA_RUNTIME_API, as a\n"
	    "function's bootstrap runs it. Events:\n"
	    "  {\"symbol\": \"SIM_STOCK\", \"as_of\", \"model\"} or "
	    "{\"prompt\": TEXT}\n"
	    "      answered with the --format json result\n"
	    "  an API Gateway HTTP API (payload 2.0) or function URL request\n"
	    "      POSTing such a body: an HTTP response object (400: bad "
	    "input)\n"
	    "  {\"watchlist\": [SYMBOL...], \"as_of\", \"name\"} or a "
	    "scheduled rule's\n"
	    "      event: a batch, answered with its summary\n"
	    "The database is /tmp/stockagent/stockagent.db and reports go\n"
	    "under /tmp/stockagent/reports unless db and out are set; set s3\n"
	    "(STOCKAGENT_S3) to keep the PDFs. Each invocation runs in a "
	    "child\n"
	    "process, stopped lambda_margin ms before the deadline.\n"
	    "Also: lambda_margin, lambda_watchlist, serve_models\n"
	    "(see 'stockagent config list').\n"
	    "Exit status: 2 not under Lambda or bad settings (after\n"
	    "  init/error), 5 the database, 8 the Runtime API failed.\n",
	.exec = cmd_lambda_exec,
	.flags = CMD_ANY_SETTINGS,
};
