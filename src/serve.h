/*
 * serve.h: 'stockagent serve', the Amazon Bedrock AgentCore Runtime
 * contract over lib/httpd (private to src).
 *
 *   cmd-serve.c      the command: options, the server, /ping, signals
 *   serve-invoke.c   POST /invocations: the body, the run, the reply
 *   serve-session.c  sessions: follow-ups, and what a session keeps
 *   serve-reply.c    the reply forms both use (errors, events)
 */
#ifndef STOCKAGENT_SERVE_H
#define STOCKAGENT_SERVE_H

#include <cjson/cJSON.h>

#include "src/invoke.h"
#include "tools/symbol.h"

struct httpd_request;
struct settings;

/* The AgentCore headers the server reads. */
#define SERVE_H_SESSION "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"
#define SERVE_H_REQUEST "X-Amzn-Bedrock-AgentCore-Runtime-Request-Id"
#define SERVE_H_CUSTOM "X-Amzn-Bedrock-AgentCore-Runtime-Custom-"

/* What every handler shares; read-only once the server runs. */
struct serve {
	struct settings *settings; /* "db" set to the database's path */
	int log_prompts;
	long long session_ttl; /* seconds */
};

/* One invocation, from its body to its reply. */
struct serve_call {
	struct serve *sv;
	struct httpd_request *r;
	cJSON *body;		     /* the parsed request */
	struct settings *s;	     /* the server's, with the body's choices */
	struct invoke_req req;	     /* what BODY asks */
	const char *prompt;	     /* in BODY, or NULL */
	const char *as_of;	     /* in BODY, or NULL */
	const char *session_id;	     /* the header, or NULL */
	char symbol[SYMBOL_MAX + 1]; /* "" until known */
	int stream;		     /* reply as server-sent events */
	int with_result;	     /* "result" in the JSON reply */
	cJSON *metadata;	     /* kept with the run */
	cJSON *session;		     /* the session as loaded, or NULL */
};

/* POST /invocations (a worker runs it). */
void serve_invoke(struct httpd_request *r, void *arg);

/*
 * Loads C's session (none: C->session stays NULL). Returns 0, or -1 after
 * replying 500 when the database fails.
 */
int serve_session_load(struct serve_call *c);
/*
 * Whether C is a follow-up: a session with an analysis, and a prompt that
 * names no symbol by rule. Answers it then (reply made) and returns 1.
 */
int serve_session_followup(struct serve_call *c);
/* Keeps the finished analysis (RESULT, TEXT shown) in C's session. */
void serve_session_save(struct serve_call *c, const cJSON *result,
    const char *text);

/* Replies STATUS {"error": TITLE, "error_type": TYPE, "message": MSG}. */
void serve_error(struct serve_call *c, int status, const char *title,
    const char *type, const char *msg);
/* Sends one server-sent event "data: JSON\n\n"; -1 when the client left. */
int serve_sse(struct serve_call *c, const cJSON *event);

#endif
