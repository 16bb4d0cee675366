/*
 * serve-session.c: invocations of one AgentCore session share a
 * conversation.
 *
 * A session keeps its last analysis and the turns since (lib/sessions.h).
 * A prompt that names no symbol, in a session that has an analysis, is a
 * follow-up ("and what about its risk?"): it is answered from that
 * analysis, by the model when one is configured, else by the built-in
 * policy, and no new run is made.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "agents/followup.h"
#include "lib/httpd.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/sessions.h"
#include "lib/settings.h"
#include "lib/store.h"
#include "lib/xmalloc.h"
#include "model/model.h"
#include "src/serve.h"
#include "tools/symbol.h"

static struct store *
serve_session_store(struct serve_call *c, char **cause)
{
	struct store *st = NULL;

	if (store_open(settings_string(c->s, "db"), &st, cause) != 0)
		return NULL;
	return st;
}

int
serve_session_load(struct serve_call *c)
{
	struct store *st;
	char *cause = NULL;
	int rc = 0;

	if (c->session_id == NULL)
		return 0;
	if ((st = serve_session_store(c, &cause)) != NULL) {
		rc = sessions_get(st, c->session_id, &c->session, &cause);
		store_close(st);
	}
	if (st == NULL || (rc != 0 && rc != STORE_E_NOTFOUND)) {
		serve_error(c, 500, "Storage failed", "StorageError", cause);
		free(cause);
		return -1;
	}
	free(cause);
	return 0;
}

static void
serve_turn(cJSON *history, const char *role, const char *content)
{
	cJSON *t = cJSON_CreateObject();

	cJSON_AddStringToObject(t, "role", role);
	cJSON_AddStringToObject(t, "content", content);
	cJSON_AddItemToArray(history, t);
}

/* Saves SESSION (its "id" set), and drops expired ones. */
static void
serve_session_put(struct serve_call *c, const cJSON *session)
{
	struct store *st;
	char *cause = NULL;

	if ((st = serve_session_store(c, &cause)) == NULL ||
	    sessions_put(st, session, c->sv->session_ttl, &cause) != 0 ||
	    sessions_expire(st, &cause) != 0) {
		log_warn("session %s: %s", c->session_id, cause);
		free(cause);
	}
	store_close(st);
}

/* The session to update: the loaded one, or a new one. */
static cJSON *
serve_session_base(struct serve_call *c)
{
	cJSON *s;

	if (c->session != NULL)
		return cJSON_Duplicate(c->session, 1);
	s = cJSON_CreateObject();
	cJSON_AddStringToObject(s, "id", c->session_id);
	cJSON_AddArrayToObject(s, "history");
	return s;
}

static void
serve_session_set(cJSON *s, const char *key, cJSON *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(s, key);
	cJSON_AddItemToObject(s, key, v);
}

void
serve_session_save(struct serve_call *c, const cJSON *result, const char *text)
{
	cJSON *s, *h;
	char *user, *said;

	(void)text;
	if (c->session_id == NULL)
		return;
	s = serve_session_base(c);
	serve_session_set(s, "result", cJSON_Duplicate(result, 1));
	serve_session_set(s, "thread_id",
	    cJSON_CreateString(jsonutil_string(result, "thread_id")));
	serve_session_set(s, "symbol", cJSON_CreateString(c->symbol));
	user = c->prompt != NULL ? xstrdup(c->prompt) :
				   xasprintf("Analyze %s", c->symbol);
	said = followup_builtin(result, "summary");
	h = cJSON_GetObjectItemCaseSensitive(s, "history");
	serve_turn(h, "user", user);
	serve_turn(h, "assistant", said);
	serve_session_put(c, s);
	free(said);
	free(user);
	cJSON_Delete(s);
}

/* The reply to a follow-up: JSON, or one event on a stream. */
static void
serve_followup_reply(struct serve_call *c, const char *answer,
    const char *source)
{
	cJSON *reply = cJSON_CreateObject(), *f;

	if (c->stream)
		cJSON_AddStringToObject(reply, "type", "followup");
	cJSON_AddStringToObject(reply, "response", answer);
	cJSON_AddStringToObject(reply, "status", "success");
	f = cJSON_AddObjectToObject(reply, "followup");
	cJSON_AddStringToObject(f, "symbol",
	    jsonutil_string(c->session, "symbol"));
	cJSON_AddStringToObject(f, "thread_id",
	    jsonutil_string(c->session, "thread_id"));
	cJSON_AddStringToObject(f, "source", source);
	if (!c->stream) {
		httpd_reply_json(c->r, 200, reply);
		return;
	}
	httpd_stream_open(c->r, 200, "text/event-stream");
	(void)serve_sse(c, reply);
	cJSON_Delete(reply);
}

/* The request's model, for a follow-up; NULL for the built-in policy. */
static struct model *
serve_followup_model(struct serve_call *c)
{
	const char *uri = settings_string(c->s, "model");
	struct model *m;
	char *cause = NULL;
	int usage_error;

	if (uri == NULL || strcmp(uri, "builtin") == 0)
		return NULL;
	if ((m = model_open(uri, NULL, &usage_error, &cause)) == NULL) {
		log_warn("follow-up: %s; answering from the analysis", cause);
		free(cause);
	}
	return m;
}

static void
serve_answer(struct serve_call *c)
{
	const cJSON *result = cJSON_GetObjectItemCaseSensitive(c->session,
	    "result");
	struct model *m = serve_followup_model(c);
	const char *source;
	char *answer = NULL, *cause = NULL;
	cJSON *s;

	(void)followup_answer(m, result,
	    cJSON_GetObjectItemCaseSensitive(c->session, "history"), c->prompt,
	    0, &answer, &source, &cause);
	model_close(m);
	httpd_log_field(c->r, "symbol", jsonutil_string(c->session, "symbol"));
	serve_followup_reply(c, answer, source);
	s = serve_session_base(c);
	serve_turn(cJSON_GetObjectItemCaseSensitive(s, "history"), "user",
	    c->prompt);
	serve_turn(cJSON_GetObjectItemCaseSensitive(s, "history"), "assistant",
	    answer);
	serve_session_put(c, s);
	cJSON_Delete(s);
	free(answer);
	free(cause);
}

int
serve_session_followup(struct serve_call *c)
{
	char sym[SYMBOL_MAX + 1], *cause = NULL;
	int named;

	if (c->session == NULL || c->prompt == NULL ||
	    !cJSON_IsObject(cJSON_GetObjectItem(c->session, "result")) ||
	    cJSON_HasObjectItem(c->body, "symbol"))
		return 0;
	named = symbol_from_prompt(c->prompt, NULL, 0, sym, &cause) == 0;
	free(cause);
	if (named)
		return 0;
	serve_answer(c);
	return 1;
}
