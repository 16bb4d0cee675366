/*
 * invoke.h: one invocation's request, as serve and lambda take it
 * (private to src).
 *
 * A request is a JSON object: {"prompt": TEXT} (the symbol found as 'ask'
 * finds it) or {"symbol", "as_of", "model", "pdf", "s3", "format"}. The
 * caller parses the JSON; invoke_parse checks the object and applies its
 * choices to the settings of the one run it asks for.
 */
#ifndef STOCKAGENT_INVOKE_H
#define STOCKAGENT_INVOKE_H

#include <cjson/cJSON.h>

#include "tools/symbol.h"

struct settings;

/* What a request asks; the strings are borrowed from the body. */
struct invoke_req {
	const char *prompt; /* or NULL */
	const char *symbol; /* as given, or NULL */
	const char *as_of;  /* "YYYY-MM-DD" (checked), or NULL: today */
	const char *format; /* "json", "text", "ndjson", or NULL */
};

/* How an exit code is answered over HTTP (serve, lambda's HTTP events). */
struct invoke_code {
	int status;	   /* HTTP status */
	const char *title; /* "Invalid request" */
	const char *type;  /* "ValidationError": an error's type */
};

/* The answer to exit code RC (never NULL; unknown codes are a 500). */
const struct invoke_code *invoke_code(int rc);

/*
 * Checks BODY: an object whose fields are known and of their types, with
 * a prompt or a symbol, an as-of date analyze would take, a model that
 * BASE offers (builtin, BASE's model, or one of its serve_models), an
 * s3:// URI. Sets "model", "no_pdf" and "s3" in S (a copy of BASE) as the
 * body chooses. Returns 0 with Q, or -1 with *cause (one line, caller
 * frees): the request is bad (HTTP 400).
 */
int invoke_parse(const cJSON *body, const struct settings *base,
    struct settings *s, struct invoke_req *q, char **cause);

/*
 * The symbol Q names into OUT: its "symbol" normalised, else the one its
 * prompt names as 'ask' finds it (with the model of S when one is set).
 * Returns 0, or an exit code with *cause.
 */
int invoke_symbol(struct settings *s, const struct invoke_req *q,
    char out[SYMBOL_MAX + 1], char **cause);

/*
 * A line of the server's or runtime's own on stderr, one JSON object:
 * {"time": UTC, "event": EVENT, ...FIELDS}. Takes FIELDS (may be NULL).
 */
void invoke_log(const char *event, cJSON *fields);

#endif
