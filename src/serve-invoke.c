/*
 * serve-invoke.c: POST /invocations.
 *
 * The body is a request as src/invoke.h reads it; the reply is
 * {"response": the three sections as text, "status": "success", "result":
 * the --format json object}, or server-sent events: each graph event as
 * --format ndjson has it, then the result.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/exitcode.h"
#include "lib/httpd.h"
#include "lib/jsonutil.h"
#include "lib/s3.h"
#include "lib/settings.h"
#include "lib/xmalloc.h"
#include "src/cmd.h"
#include "src/invoke.h"
#include "src/output.h"
#include "src/runner.h"
#include "src/serve.h"

/* Replies to exit code RC with CAUSE. */
static void
serve_fail(struct serve_call *c, int rc, const char *cause)
{
	const struct invoke_code *a = invoke_code(rc);

	serve_error(c, a->status, a->title, a->type, cause);
}

static int serve_bad(struct serve_call *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Replies 400 with the message FMT makes. Returns -1. */
static int
serve_bad(struct serve_call *c, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	serve_error(c, 400, "Invalid request", "ValidationError", msg);
	free(msg);
	return -1;
}

/* Replies 400 with CAUSE, which it frees. Returns -1. */
static int
serve_bad_cause(struct serve_call *c, char *cause)
{
	serve_bad(c, "%s", cause);
	free(cause);
	return -1;
}

/* The reply's form: "format" and the Accept header. */
static int
serve_format(struct serve_call *c)
{
	const char *f = c->req.format;
	const char *accept = httpd_header(c->r, "Accept");

	c->with_result = 1;
	if (f != NULL && strcmp(f, "text") == 0)
		c->with_result = 0;
	else if (f != NULL && strcmp(f, "ndjson") == 0)
		c->stream = 1;
	else if (f != NULL && strcmp(f, "json") != 0)
		return serve_bad(c,
		    "invalid format '%s': use json, text or "
		    "ndjson (server-sent events)",
		    f);
	if (accept != NULL && strstr(accept, "text/event-stream") != NULL)
		c->stream = 1;
	return 0;
}

/* The symbol: the "symbol" field, else the prompt's. Returns 0 or -1. */
static int
serve_symbol(struct serve_call *c)
{
	char *cause = NULL;
	int rc = invoke_symbol(c->s, &c->req, c->symbol, &cause);

	if (rc != 0)
		serve_fail(c, rc, cause != NULL ? cause : "no symbol");
	free(cause);
	return rc != 0 ? -1 : 0;
}

/* ---- custom headers and the session ------------------------------------- */

static void
serve_custom(void *arg, const char *name, const char *value)
{
	cJSON *h = arg;

	cJSON_AddStringToObject(h, name, value);
}

/* The session and request ids (checked, echoed) and custom headers. */
static int
serve_headers(struct serve_call *c)
{
	const char *rid = httpd_header(c->r, SERVE_H_REQUEST);
	const char *sid = httpd_header(c->r, SERVE_H_SESSION);
	cJSON *custom = cJSON_CreateObject();
	size_t i;

	c->metadata = cJSON_CreateObject();
	if (rid != NULL) {
		httpd_add_header(c->r, SERVE_H_REQUEST, rid);
		cJSON_AddStringToObject(c->metadata, "request_id", rid);
	}
	if (sid != NULL) {
		for (i = 0; sid[i] > ' ' && sid[i] < 0x7f; i++)
			;
		if (sid[i] != '\0' || i == 0 || i > 256)
			return serve_bad(c,
			    "invalid %s: use 1-256 printable "
			    "characters",
			    SERVE_H_SESSION);
		httpd_add_header(c->r, SERVE_H_SESSION, sid);
		cJSON_AddStringToObject(c->metadata, "session_id", sid);
		c->session_id = sid;
	}
	httpd_headers_prefixed(c->r, SERVE_H_CUSTOM, serve_custom, custom);
	cJSON_AddItemToObject(c->metadata, "custom_headers", custom);
	return 0;
}

/* ---- the request ----------------------------------------------------------
 */

/* Parses and checks the body. Returns 0 or -1 (replied). */
static int
serve_parse(struct serve_call *c)
{
	size_t len;
	const char *body = httpd_body(c->r, &len);
	char prompt_log[201], *cause = NULL;

	c->body = cJSON_ParseWithLength(body, len);
	if (c->body == NULL) {
		httpd_reply_error(c->r, 400, "Invalid JSON",
		    "the body is not "
		    "JSON; send e.g. {\"prompt\": \"Analyze SIM_STOCK "
		    "stock\"}");
		return -1;
	}
	if (invoke_parse(c->body, c->sv->settings, c->s, &c->req, &cause) != 0)
		return serve_bad_cause(c, cause);
	c->prompt = c->req.prompt;
	c->as_of = c->req.as_of;
	if (c->prompt != NULL && c->sv->log_prompts) {
		snprintf(prompt_log, sizeof prompt_log, "%s", c->prompt);
		httpd_log_field(c->r, "prompt", prompt_log);
	}
	return serve_headers(c) != 0 || serve_format(c) != 0 ? -1 : 0;
}

/* ---- the reply ------------------------------------------------------------
 */

/* A graph event, as --format ndjson writes it. */
static void
serve_event(void *arg, const char *type, const cJSON *data)
{
	struct serve_call *c = arg;
	char *line = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&line, &n);
	cJSON *e;

	if (f == NULL)
		return;
	output_ndjson_event(f, type, data);
	fclose(f);
	if ((e = cJSON_Parse(line)) != NULL)
		(void)serve_sse(c, e);
	cJSON_Delete(e);
	free(line);
}

/* The three sections as text. */
static char *
serve_text(const cJSON *state)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);

	if (f == NULL)
		return xstrdup("");
	output_text(f, state, 0); /* a reply body: never coloured */
	fclose(f);
	return text;
}

/* The reply of a finished run (RESULT taken). */
static void
serve_done(struct serve_call *c, cJSON *result, const char *text)
{
	cJSON *reply = cJSON_CreateObject();

	if (c->stream)
		cJSON_AddStringToObject(reply, "type", "result");
	cJSON_AddStringToObject(reply, "response", text);
	cJSON_AddStringToObject(reply, "status", "success");
	if (c->with_result || c->stream)
		cJSON_AddItemToObject(reply, "result", result);
	else
		cJSON_Delete(result);
	if (!c->stream) {
		httpd_reply_json(c->r, 200, reply);
		return;
	}
	(void)serve_sse(c, reply);
	cJSON_Delete(reply);
}

/* A failed run, on a stream: the last event, as the Python SDK sends. */
static void
serve_stream_error(struct serve_call *c, int rc, const char *cause)
{
	cJSON *e = cJSON_CreateObject();

	cJSON_AddStringToObject(e, "error", cause);
	cJSON_AddStringToObject(e, "error_type", invoke_code(rc)->type);
	cJSON_AddStringToObject(e, "message",
	    "An error occurred during "
	    "streaming");
	(void)serve_sse(c, e);
	cJSON_Delete(e);
}

static void
serve_run(struct serve_call *c)
{
	struct runner_opts o;
	struct runner_hooks h = { NULL, NULL, c->metadata, "serve" };
	char tid[STORE_THREAD_ID_SIZE], *cause = NULL, *text;
	cJSON *final = NULL, *result;
	int rc;

	memset(&o, 0, sizeof o);
	o.symbol = c->symbol;
	o.as_of = c->as_of;
	o.prompt = c->prompt;
	o.out.format = OUTPUT_JSON;
	if (c->stream) {
		h.on_event = serve_event;
		h.event_arg = c;
		httpd_stream_open(c->r, 200, "text/event-stream");
	}
	rc = runner_run(c->s, &o, &h, &final, tid, &cause);
	httpd_log_field(c->r, "run", tid);
	if (rc != 0 && c->stream)
		serve_stream_error(c, rc, cause ? cause : "the run failed");
	else if (rc != 0)
		serve_fail(c, rc, cause != NULL ? cause : "the run failed");
	if (rc == 0) {
		result = output_result(final, tid);
		text = serve_text(final);
		serve_session_save(c, result, text);
		serve_done(c, result, text);
		free(text);
	}
	free(cause);
	cJSON_Delete(final);
}

void
serve_invoke(struct httpd_request *r, void *arg)
{
	struct serve_call c;

	memset(&c, 0, sizeof c);
	c.sv = arg;
	c.r = r;
	c.s = settings_copy(c.sv->settings);
	if (serve_parse(&c) == 0 && serve_session_load(&c) == 0 &&
	    !serve_session_followup(&c) && serve_symbol(&c) == 0) {
		httpd_log_field(r, "symbol", c.symbol);
		serve_run(&c);
	}
	cJSON_Delete(c.session);
	cJSON_Delete(c.metadata);
	cJSON_Delete(c.body);
	settings_free(c.s);
}
