/*
 * local-map.c: model_request -> harmony prompt ids, generated ids ->
 * model_response, for the local gpt-oss backend (backend-local.c).
 *
 * The mapping follows harmony (shared/specs/gpt-oss-engine.md section 3):
 * the leading system/developer messages become the developer message's
 * "# Instructions", tools its functions namespace; an assistant turn is
 * its chain of thought on the analysis channel, its answer on final and
 * each tool call on commentary to=functions.NAME; a tool result is
 * functions.NAME to=assistant on commentary. harmony.c renders it
 * (dropping chain of thought before an earlier final answer) and
 * harmony-parser.c reads the model's output back.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/date.h"
#include "lib/xmalloc.h"
#include "model/gptoss/harmony.h"
#include "model/gptoss/tokenizer.h"
#include "model/local-map.h"

/* Most text kept per response field (reasoning, content). */
#define LOCAL_MAX_TEXT ((size_t)16 << 20)
#define LOCAL_MAX_CALLS 64

int
local_map_tokenizer_load(const char *path, struct gptoss_tokenizer **out,
    char **cause)
{
	enum gptoss_status st;
	char *detail = NULL;

	*out = NULL;
	if ((st = gptoss_tokenizer_load(path, out, &detail)) == GPTOSS_OK)
		return 0;
	*cause = detail != NULL ?
	    detail :
	    xasprintf("%s: %s", path, gptoss_status_str(st));
	return -1;
}

void
local_map_tokenizer_free(struct gptoss_tokenizer *tok)
{
	gptoss_tokenizer_free(tok);
}

int
local_map_encode(const struct gptoss_tokenizer *tok, const char *text,
    size_t len, int special, uint32_t **ids_out, size_t *n_out, char **cause)
{
	enum gptoss_status st;

	st = gptoss_tokenizer_encode(tok, text, len,
	    special ? GPTOSS_ENCODE_ALLOW_SPECIAL : 0, ids_out, n_out);
	if (st == GPTOSS_OK)
		return 0;
	*cause = xasprintf("cannot encode the text: %s", gptoss_status_str(st));
	return -1;
}

int
local_map_decode(const struct gptoss_tokenizer *tok, const uint32_t *ids,
    size_t n, char **text_out, char **cause)
{
	size_t len, bad = 0;

	if (gptoss_tokenizer_decode(tok, ids, n, text_out, &len, &bad) ==
	    GPTOSS_OK)
		return 0;
	*cause = xasprintf("token id %u is out of range for the tokenizer "
			   "(%u ids)",
	    bad < n ? ids[bad] : 0, gptoss_tokenizer_vocab_size(tok));
	return -1;
}

/* ---- request -> conversation ------------------------------------------ */

static const char *
lm_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int
lm_is(const cJSON *msg, const char *role)
{
	const char *r = lm_str(msg, "role");

	return r != NULL && strcmp(r, role) == 0;
}

static cJSON *
lm_message(cJSON *msgs, const char *role, const char *channel,
    const char *content)
{
	cJSON *m = cJSON_CreateObject();

	cJSON_AddStringToObject(m, "role", role);
	if (channel != NULL)
		cJSON_AddStringToObject(m, "channel", channel);
	if (content != NULL)
		cJSON_AddStringToObject(m, "content", content);
	cJSON_AddItemToArray(msgs, m);
	return m;
}

/* The developer message: leading system/developer texts and the tools.
 * Returns the first message index after them. */
static int
lm_developer(const struct model_request *req, cJSON *msgs)
{
	const cJSON *m, *t;
	cJSON *dev, *tools;
	struct buf instr;
	const char *text;
	int i = 0;

	buf_init(&instr, 0);
	cJSON_ArrayForEach(m, req->messages) {
		if (!lm_is(m, "system") && !lm_is(m, "developer"))
			break;
		if ((text = lm_str(m, "content")) != NULL && *text != '\0')
			buf_printf(&instr, "%s%s", instr.len ? "\n\n" : "",
			    text);
		i++;
	}
	tools = cJSON_CreateArray();
	if (req->tool_choice == NULL || strcmp(req->tool_choice, "none") != 0)
		cJSON_ArrayForEach(t, req->tools)
			cJSON_AddItemToArray(tools, cJSON_Duplicate(t, 1));
	if (instr.len > 0 || cJSON_GetArraySize(tools) > 0) {
		dev = lm_message(msgs, "developer", NULL, NULL);
		if (instr.len > 0)
			cJSON_AddStringToObject(dev, "instructions",
			    instr.data);
		cJSON_AddItemToObject(dev, "tools", tools);
	} else
		cJSON_Delete(tools);
	buf_free(&instr);
	return i;
}

/* A tool call's arguments as JSON text (a string is kept as written). */
static char *
lm_arguments(const cJSON *call)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(call, "arguments");

	if (cJSON_IsString(a))
		return xstrdup(a->valuestring);
	if (a == NULL || cJSON_IsNull(a))
		return xstrdup("{}");
	return cJSON_PrintUnformatted(a);
}

static void
lm_assistant(const cJSON *m, cJSON *msgs)
{
	const char *reasoning = lm_str(m, "reasoning");
	const char *content = lm_str(m, "content");
	const cJSON *calls = cJSON_GetObjectItemCaseSensitive(m, "tool_calls");
	const cJSON *c;
	cJSON *out;
	char *args, *to;
	int n = cJSON_GetArraySize(calls);

	if (reasoning != NULL && *reasoning != '\0')
		lm_message(msgs, "assistant", "analysis", reasoning);
	if (content != NULL && *content != '\0')
		lm_message(msgs, "assistant", n > 0 ? "commentary" : "final",
		    content);
	cJSON_ArrayForEach(c, calls) {
		args = lm_arguments(c);
		to = xasprintf("functions.%s",
		    lm_str(c, "name") != NULL ? lm_str(c, "name") : "");
		out = lm_message(msgs, "assistant", "commentary", args);
		cJSON_AddStringToObject(out, "recipient", to);
		cJSON_AddStringToObject(out, "content_type",
		    "<|constrain|>json");
		free(to);
		free(args);
	}
}

/* The name of the tool that call ID ran, from earlier assistant messages. */
static const char *
lm_call_name(const cJSON *messages, const char *id)
{
	const cJSON *m, *c;
	const char *cid;

	if (id == NULL)
		return NULL;
	cJSON_ArrayForEach(m, messages) {
		cJSON_ArrayForEach(c,
		    cJSON_GetObjectItemCaseSensitive(m, "tool_calls")) {
			if ((cid = lm_str(c, "id")) != NULL &&
			    strcmp(cid, id) == 0)
				return lm_str(c, "name");
		}
	}
	return NULL;
}

static void
lm_tool(const cJSON *m, const cJSON *messages, cJSON *msgs)
{
	const char *name = lm_str(m, "name");
	const char *content = lm_str(m, "content");
	cJSON *out;
	char *author;

	if (name == NULL)
		name = lm_call_name(messages, lm_str(m, "tool_call_id"));
	author = xasprintf("functions.%s", name != NULL ? name : "unknown");
	out = lm_message(msgs, "tool", "commentary",
	    content != NULL ? content : "");
	cJSON_AddStringToObject(out, "name", author);
	cJSON_AddStringToObject(out, "recipient", "assistant");
	free(author);
}

const char *
local_map_date(const char *req_date, char buf[16])
{
	int32_t day;
	time_t now;
	struct tm tm;

	if (req_date != NULL && strlen(req_date) == 10 &&
	    date_parse(req_date, &day) == 0) {
		memcpy(buf, req_date, 11);
		return buf;
	}
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(buf, 16, "%Y-%m-%d", &tm);
	return buf;
}

cJSON *
local_map_conversation(const struct model_request *req, const char *reasoning,
    const char *date, char **cause)
{
	cJSON *conv = cJSON_CreateObject(), *msgs, *sys;
	const cJSON *m;
	const char *text;
	int i = 0, skip;

	msgs = cJSON_AddArrayToObject(conv, "messages");
	sys = lm_message(msgs, "system", NULL, NULL);
	cJSON_AddStringToObject(sys, "reasoning", reasoning);
	if (date != NULL)
		cJSON_AddStringToObject(sys, "current_date", date);
	skip = lm_developer(req, msgs);
	cJSON_ArrayForEach(m, req->messages) {
		if (i++ < skip)
			continue;
		text = lm_str(m, "content");
		if (lm_is(m, "user"))
			lm_message(msgs, "user", NULL, text ? text : "");
		else if (lm_is(m, "assistant"))
			lm_assistant(m, msgs);
		else if (lm_is(m, "tool"))
			lm_tool(m, req->messages, msgs);
		else if (lm_is(m, "system") || lm_is(m, "developer"))
			cJSON_AddStringToObject(lm_message(msgs, "developer",
						    NULL, NULL),
			    "instructions", text ? text : "");
		else {
			*cause = xasprintf(
			    "message %d has role '%s': the "
			    "local model takes system, developer, user, "
			    "assistant and tool messages",
			    i - 1,
			    lm_str(m, "role") ? lm_str(m, "role") : "(none)");
			cJSON_Delete(conv);
			return NULL;
		}
	}
	return conv;
}

int
local_map_render(const struct gptoss_tokenizer *tok, const cJSON *conv,
    uint32_t **ids_out, size_t *n_out, char **cause)
{
	struct harmony_conversation *hc = NULL;
	enum gptoss_status st;
	char *detail = NULL;

	st = harmony_conversation_from_json(conv, &hc, &detail);
	if (st == GPTOSS_OK)
		st = harmony_render(tok, hc, ids_out, n_out, &detail);
	harmony_conversation_free(hc);
	if (st == GPTOSS_OK)
		return 0;
	*cause = xasprintf("cannot render the harmony prompt: %s",
	    detail != NULL ? detail : gptoss_status_str(st));
	free(detail);
	return -1;
}

/* ---- generated ids -> response ---------------------------------------- */

struct local_parse {
	const struct gptoss_tokenizer *tok;
	const struct model_request *req;
	struct harmony_parser *parser;
	struct buf content, reasoning;
	struct model_tool_call *calls;
	size_t n_calls;
	uint32_t n_ids; /* ids pushed */
	enum harmony_stop stop;
	char *error; /* why the output is malformed */
	uint32_t bad_id;
};

struct local_parse *
local_parse_new(const struct gptoss_tokenizer *tok,
    const struct model_request *req)
{
	struct local_parse *lp = xcalloc(1, sizeof *lp);

	lp->tok = tok;
	lp->req = req;
	harmony_parser_new(tok, "assistant", &lp->parser);
	buf_init(&lp->content, LOCAL_MAX_TEXT);
	buf_init(&lp->reasoning, LOCAL_MAX_TEXT);
	return lp;
}

void
local_parse_free(struct local_parse *lp)
{
	size_t i;

	if (lp == NULL)
		return;
	harmony_parser_free(lp->parser);
	buf_free(&lp->content);
	buf_free(&lp->reasoning);
	for (i = 0; i < lp->n_calls; i++) {
		free(lp->calls[i].id);
		free(lp->calls[i].name);
		free(lp->calls[i].arguments);
	}
	free(lp->calls);
	free(lp->error);
	free(lp);
}

static void
lp_fail(struct local_parse *lp, char *why)
{
	if (lp->error == NULL)
		lp->error = why;
	else
		free(why);
}

static void
lp_text(struct local_parse *lp, struct buf *b, const char *kind,
    const struct harmony_event *e)
{
	char *text;

	if (buf_append(b, e->text, e->len) != 0) {
		lp_fail(lp,
		    xasprintf("the %s is over %zu bytes", kind,
			LOCAL_MAX_TEXT));
		return;
	}
	if (lp->req != NULL && lp->req->on_delta != NULL) {
		text = xstrndup(e->text, e->len);
		lp->req->on_delta(lp->req->delta_arg, kind, text);
		free(text);
	}
}

static void
lp_call(struct local_parse *lp, const struct harmony_event *e)
{
	struct model_tool_call *c;

	if (lp->n_calls == LOCAL_MAX_CALLS) {
		lp_fail(lp,
		    xasprintf("more than %d tool calls in one turn",
			LOCAL_MAX_CALLS));
		return;
	}
	lp->calls = xreallocarray(lp->calls, lp->n_calls + 1,
	    sizeof *lp->calls);
	c = &lp->calls[lp->n_calls++];
	c->id = xasprintf("call_%zu", lp->n_calls);
	c->name = xstrdup(e->tool_name != NULL ? e->tool_name : "");
	c->arguments = xstrndup(e->text, e->len);
}

static void
lp_event(struct local_parse *lp, const struct harmony_event *e)
{
	switch (e->kind) {
	case HARMONY_EVENT_REASONING:
		lp_text(lp, &lp->reasoning, "reasoning", e);
		break;
	case HARMONY_EVENT_CONTENT:
		if (e->role != NULL && strcmp(e->role, "assistant") != 0)
			lp_fail(lp,
			    xasprintf("the model wrote a message as "
				      "'%s'",
				e->recipient ? e->recipient : e->role));
		else
			lp_text(lp, &lp->content, "content", e);
		break;
	case HARMONY_EVENT_TOOL_CALL:
		lp_call(lp, e);
		break;
	case HARMONY_EVENT_STOP:
		lp->stop = e->stop;
		break;
	default:
		break;
	}
}

static int
lp_events(struct local_parse *lp, const struct harmony_event *ev, size_t n)
{
	size_t i;

	for (i = 0; i < n && lp->error == NULL; i++)
		lp_event(lp, &ev[i]);
	return lp->error != NULL ? -1 : 0;
}

int
local_parse_push(struct local_parse *lp, uint32_t id)
{
	const struct harmony_event *ev;
	size_t n;

	if (lp->error != NULL)
		return -1;
	lp->n_ids++;
	if (harmony_parser_push(lp->parser, id, &ev, &n) != GPTOSS_OK) {
		lp->bad_id = id;
		lp_fail(lp,
		    xasprintf("the output is not valid harmony at "
			      "generated token %u (id %u)",
			lp->n_ids, id));
		return -1;
	}
	if (lp_events(lp, ev, n) != 0)
		return -1;
	return lp->stop == HARMONY_STOP_RETURN ||
		lp->stop == HARMONY_STOP_CALL ?
	    1 :
	    0;
}

/* Moves the collected text and calls into RESP. */
static void
lp_take(struct local_parse *lp, struct model_response *resp)
{
	if (lp->content.len > 0)
		resp->content = buf_take(&lp->content);
	if (lp->reasoning.len > 0)
		resp->reasoning = buf_take(&lp->reasoning);
	resp->calls = lp->calls;
	resp->n_calls = lp->n_calls;
	lp->calls = NULL;
	lp->n_calls = 0;
}

int
local_parse_finish(struct local_parse *lp, int how, uint32_t max,
    struct model_response *resp, char **cause)
{
	const struct harmony_event *ev;
	size_t n;

	if (lp->error == NULL && how != LOCAL_END_TURN) {
		if (harmony_parser_finish(lp->parser, &ev, &n) != GPTOSS_OK)
			lp_fail(lp,
			    xasprintf("the output ended inside a "
				      "message header after %u tokens%s",
				lp->n_ids,
				how == LOCAL_END_LENGTH ?
				    " (max tokens reached)" :
				    ""));
		else
			lp_events(lp, ev, n);
	}
	if (lp->error == NULL && lp->content.len == 0 && lp->n_calls == 0)
		lp_fail(lp,
		    how == LOCAL_END_LENGTH ?
			xasprintf("max tokens "
				  "(%u) reached before the model finished an "
				  "answer or a "
				  "tool call",
			    max) :
			xasprintf(
			    "the model ended its turn "
			    "after %u tokens without an answer or a tool call",
			    lp->n_ids));
	if (lp->error != NULL) {
		*cause = xstrdup(lp->error);
		return -1;
	}
	lp_take(lp, resp);
	if (how == LOCAL_END_LENGTH)
		resp->stop_reason = xstrdup("length");
	else
		resp->stop_reason = xstrdup(resp->n_calls > 0 ? "tool_calls" :
								"stop");
	return 0;
}
