/*
 * lambda.h: 'stockagent lambda', the program as its own AWS Lambda custom
 * runtime (private to src).
 *
 *   cmd-lambda.c     the command: start-up, the Runtime API loop
 *   lambda-child.c   one invocation in a child process, under a deadline
 *   lambda-event.c   the events it understands, and their answers
 *
 * Each invocation runs in a forked child, so a crash of the handler path
 * is an error answer and never a hung function, and the loop can stop a
 * run that would pass the deadline. The child tells the loop the step it
 * has reached and, at the end, its outcome, as lines on a pipe:
 *   "step NAME\n"     (event, symbol, gather, analyze, report, batch)
 *   "outcome JSON\n"  {"response": PAYLOAD} or
 *                     {"error": {"errorType": T, "errorMessage": M}}
 */
#ifndef STOCKAGENT_LAMBDA_H
#define STOCKAGENT_LAMBDA_H

#include <stdio.h>

#include <cjson/cJSON.h>

struct settings;

/* The Runtime API's invocation headers. */
#define LAMBDA_H_REQUEST "Lambda-Runtime-Aws-Request-Id"
#define LAMBDA_H_DEADLINE "Lambda-Runtime-Deadline-Ms"
#define LAMBDA_H_TRACE "Lambda-Runtime-Trace-Id"
#define LAMBDA_H_ARN "Lambda-Runtime-Invoked-Function-Arn"
#define LAMBDA_H_ERROR_TYPE "Lambda-Runtime-Function-Error-Type"

/* The largest event and response: Lambda's synchronous payload limit. */
#define LAMBDA_PAYLOAD_MAX (6 * 1024 * 1024)

/* What an event is. */
enum lambda_kind {
	LAMBDA_DIRECT,	 /* {"symbol", ...} or {"prompt"} */
	LAMBDA_HTTP,	 /* API Gateway HTTP API 2.0 or a function URL */
	LAMBDA_SCHEDULE, /* a watchlist: EventBridge Scheduler or a rule */
};

/* One invocation, as the loop received it. */
struct lambda_inv {
	const char *request_id; /* Lambda-Runtime-Aws-Request-Id */
	const char *trace_id;	/* Lambda-Runtime-Trace-Id, or NULL */
	const char *arn;	/* the invoked function's ARN, or NULL */
	long long deadline_ms;	/* Unix time in ms */
	const cJSON *event;	/* parsed */
	enum lambda_kind kind;
	struct settings *settings; /* the function's (read only) */
};

/* The kind of EVENT (a JSON value of any type). */
enum lambda_kind lambda_event_kind(const cJSON *event);
/* The kind's name for logs: "direct", "http", "schedule". */
const char *lambda_kind_name(enum lambda_kind kind);

/*
 * Runs INV in this (child) process, writing "step" lines and then its
 * "outcome" line to OUT. Never returns an error: every failure is an
 * outcome.
 */
void lambda_event_handle(const struct lambda_inv *inv, FILE *out);

/* Writes "step NAME\n" to OUT, flushed. */
void lambda_step(FILE *out, const char *name);

/*
 * The outcome of an HTTP event answered with STATUS and BODY (taken): the
 * HTTP API's response object {statusCode, headers, body, isBase64Encoded}.
 * New; caller deletes.
 */
cJSON *lambda_http_outcome(int status, cJSON *body);

/* {"error": {"errorType": TYPE, "errorMessage": MSG}}. New. */
cJSON *lambda_error_outcome(const char *type, const char *msg);

/*
 * Runs lambda_event_handle(INV) in a forked child. Stops the child
 * MARGIN_MS before INV's deadline. Returns the outcome (new; caller
 * deletes): the child's, or an error naming the step the child had
 * reached when it died, was stopped, or answered nothing usable
 * (an HTTP event gets a 504 response at the deadline).
 */
cJSON *lambda_child_run(const struct lambda_inv *inv, long long margin_ms);

/* Milliseconds since the Unix epoch. */
long long lambda_now_ms(void);

#endif
