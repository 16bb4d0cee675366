/*
 * harmony-parser.c: incremental parsing of generated harmony tokens.
 *
 * The states are harmony's StreamableParser: expect <|start|>, collect the
 * header up to <|message|>, then content up to <|end|>, <|return|> or
 * <|call|>. The header is decoded and split like parse_header_from_tokens:
 * "<|channel|>NAME", " to=RECIPIENT" (before or after the channel, both
 * occur in model output), the role when the output did not start with it,
 * and what is left is the content type ("<|constrain|>json"). Content text
 * streams through the tokenizer's UTF-8-safe decoder. Anything else is an
 * error and the parser stops: a bad model cannot make it crash or grow
 * without bound.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "model/gptoss/harmony.h"
#include "model/gptoss/pretokenize.h"

#define HP_MAX_HEADER 256		  /* tokens */
#define HP_MAX_CONTENT ((size_t)16 << 20) /* bytes per message */
#define HP_MAX_EVENTS 6

enum hp_state { HP_EXPECT_START, HP_HEADER, HP_CONTENT, HP_FAILED };

struct harmony_parser {
	const struct gptoss_tokenizer *tok;
	enum hp_state state;
	char *next_role; /* role given for the next header */
	uint32_t header[HP_MAX_HEADER];
	size_t n_header;
	/* the current message */
	char *role, *name, *channel, *recipient, *content_type, *tool_name;
	struct buf content; /* raw bytes of the content tokens */
	struct gptoss_decoder *dec;
	struct buf delta; /* text of the last delta event */
	char *final_text; /* sanitized content of the last message */
	struct harmony_event events[HP_MAX_EVENTS];
	size_t n_events;
	cJSON *messages; /* completed messages */
};

static void
hp_clear_message(struct harmony_parser *p)
{
	free(p->role);
	free(p->name);
	free(p->channel);
	free(p->recipient);
	free(p->content_type);
	free(p->tool_name);
	p->role = p->name = p->channel = p->recipient = NULL;
	p->content_type = p->tool_name = NULL;
	p->content.len = 0;
}

enum gptoss_status
harmony_parser_new(const struct gptoss_tokenizer *tok, const char *role,
    struct harmony_parser **parser_out)
{
	struct harmony_parser *p;

	if (tok == NULL || parser_out == NULL)
		return GPTOSS_ERR_ARGUMENT;
	p = xcalloc(1, sizeof *p);
	p->tok = tok;
	p->state = role != NULL ? HP_HEADER : HP_EXPECT_START;
	p->next_role = role != NULL ? xstrdup(role) : NULL;
	buf_init(&p->content, HP_MAX_CONTENT);
	buf_init(&p->delta, 0);
	p->messages = cJSON_CreateArray();
	*parser_out = p;
	return GPTOSS_OK;
}

void
harmony_parser_free(struct harmony_parser *p)
{
	if (p == NULL)
		return;
	hp_clear_message(p);
	free(p->next_role);
	buf_free(&p->content);
	buf_free(&p->delta);
	free(p->final_text);
	gptoss_decoder_free(p->dec);
	cJSON_Delete(p->messages);
	free(p);
}

cJSON *
harmony_parser_messages(const struct harmony_parser *p)
{
	return cJSON_Duplicate(p->messages, 1);
}

static struct harmony_event *
hp_event(struct harmony_parser *p, enum harmony_event_kind kind)
{
	struct harmony_event *e = &p->events[p->n_events++];

	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->role = p->role;
	e->channel = p->channel;
	e->recipient = p->recipient;
	e->tool_name = p->tool_name;
	e->content_type = p->content_type;
	return e;
}

/* Cuts the value after MARKER out of S (value ends at space or '<'). */
static char *
hp_take(char *s, const char *marker, int word_start)
{
	char *at = s, *v, *end;
	size_t n;

	while ((at = strstr(at, marker)) != NULL) {
		if (!word_start || at == s || at[-1] == ' ' || at[-1] == '>')
			break;
		at++;
	}
	if (at == NULL)
		return NULL;
	v = at + strlen(marker);
	n = strcspn(v, " \t\n<");
	end = v + n;
	v = xstrndup(v, n);
	memmove(at, end, strlen(end) + 1);
	return v;
}

/* Trims spaces at both ends of S in place; returns S. */
static char *
hp_trim(char *s)
{
	size_t n = strlen(s), i = 0;

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n'))
		s[--n] = '\0';
	while (s[i] == ' ' || s[i] == '\n')
		i++;
	memmove(s, s + i, n - i + 1);
	return s;
}

static int
hp_known_role(const char *r)
{
	return strcmp(r, "assistant") == 0 || strcmp(r, "user") == 0 ||
	    strcmp(r, "system") == 0 || strcmp(r, "developer") == 0;
}

/* Splits the header into the message fields. */
static enum gptoss_status
hp_parse_header(struct harmony_parser *p)
{
	char *text = NULL, *rest;
	size_t len, i, n;
	const char *bytes;
	int special;
	enum gptoss_status st;

	for (i = 0; i < p->n_header; i++) {
		gptoss_tokenizer_token(p->tok, p->header[i], &bytes, &len,
		    &special);
		if (special && p->header[i] != GPTOSS_TOKEN_CHANNEL &&
		    p->header[i] != GPTOSS_TOKEN_CONSTRAIN)
			return GPTOSS_ERR_FORMAT;
	}
	st = gptoss_tokenizer_decode(p->tok, p->header, p->n_header, &text,
	    &len, NULL);
	if (st != GPTOSS_OK || strlen(text) != len) {
		free(text);
		return GPTOSS_ERR_FORMAT;
	}
	p->channel = hp_take(text, "<|channel|>", 0);
	p->recipient = hp_take(text, "to=", 1);
	rest = hp_trim(text);
	if (p->next_role != NULL) {
		p->role = p->next_role;
		p->next_role = NULL;
	} else {
		n = strcspn(rest, " <");
		p->role = xstrndup(rest, n);
		memmove(rest, rest + n, strlen(rest + n) + 1);
		hp_trim(rest);
	}
	if (!hp_known_role(p->role)) {
		p->name = p->role;
		p->role = xstrdup("tool");
	}
	if (*rest != '\0')
		p->content_type = xstrdup(rest);
	free(text);
	if ((p->channel != NULL && *p->channel == '\0') ||
	    (p->recipient != NULL && *p->recipient == '\0') ||
	    *(p->name ? p->name : p->role) == '\0')
		return GPTOSS_ERR_FORMAT;
	if (p->recipient != NULL &&
	    strncmp(p->recipient, "functions.", 10) == 0)
		p->tool_name = xstrdup(p->recipient + 10);
	else if (p->recipient != NULL)
		p->tool_name = xstrdup(p->recipient);
	return GPTOSS_OK;
}

static enum harmony_event_kind
hp_delta_kind(const struct harmony_parser *p)
{
	if (p->recipient != NULL && strcmp(p->role, "assistant") == 0)
		return HARMONY_EVENT_TOOL_ARGS;
	if (p->channel != NULL && strcmp(p->channel, "analysis") == 0)
		return HARMONY_EVENT_REASONING;
	return HARMONY_EVENT_CONTENT;
}

static void
hp_delta(struct harmony_parser *p, const char *text, size_t len)
{
	struct harmony_event *e;

	if (len == 0)
		return;
	p->delta.len = 0;
	buf_append(&p->delta, text, len);
	e = hp_event(p, hp_delta_kind(p));
	e->text = p->delta.data;
	e->len = len;
}

/* Ends the current message with END (a stop token) or EOS. */
static void
hp_end_message(struct harmony_parser *p, uint32_t end)
{
	struct harmony_event *e;
	const char *text;
	size_t len;
	char *clean;
	cJSON *m = cJSON_CreateObject();

	gptoss_decoder_flush(p->dec, &text, &len);
	hp_delta(p, text, len);
	clean = xmalloc(p->content.len * 3 + 1);
	len = pretok_sanitize((const uint8_t *)p->content.data, p->content.len,
	    (uint8_t *)clean);
	clean[len] = '\0';
	free(p->final_text);
	p->final_text = clean;
	cJSON_AddStringToObject(m, "role", p->role);
	if (p->name)
		cJSON_AddStringToObject(m, "name", p->name);
	if (p->recipient)
		cJSON_AddStringToObject(m, "recipient", p->recipient);
	if (p->channel)
		cJSON_AddStringToObject(m, "channel", p->channel);
	if (p->content_type)
		cJSON_AddStringToObject(m, "content_type", p->content_type);
	cJSON_AddStringToObject(m, "content", clean);
	cJSON_AddItemToArray(p->messages, m);
	e = hp_event(p, HARMONY_EVENT_MESSAGE);
	e->text = clean;
	e->len = len;
	if (p->recipient != NULL && strcmp(p->role, "assistant") == 0) {
		e = hp_event(p, HARMONY_EVENT_TOOL_CALL);
		e->text = clean;
		e->len = len;
	}
	if (end == GPTOSS_TOKEN_RETURN || end == GPTOSS_TOKEN_CALL ||
	    end == UINT32_MAX) {
		e = hp_event(p, HARMONY_EVENT_STOP);
		e->stop = end == GPTOSS_TOKEN_RETURN ? HARMONY_STOP_RETURN :
		    end == GPTOSS_TOKEN_CALL	     ? HARMONY_STOP_CALL :
						       HARMONY_STOP_EOS;
	}
	gptoss_decoder_free(p->dec);
	p->dec = NULL;
	p->state = HP_EXPECT_START;
}

/* The current message's fields are kept until the next header so that
 * event strings stay valid; they are cleared when a new one starts. */
static enum gptoss_status
hp_content(struct harmony_parser *p, uint32_t id)
{
	const char *bytes, *text;
	size_t len;
	int special;

	if (id == GPTOSS_TOKEN_END || id == GPTOSS_TOKEN_RETURN ||
	    id == GPTOSS_TOKEN_CALL) {
		hp_end_message(p, id);
		return GPTOSS_OK;
	}
	gptoss_tokenizer_token(p->tok, id, &bytes, &len, &special);
	if (special || buf_append(&p->content, bytes, len) != 0)
		return GPTOSS_ERR_FORMAT;
	if (gptoss_decoder_push(p->dec, id, &text, &len) != GPTOSS_OK)
		return GPTOSS_ERR_FORMAT;
	hp_delta(p, text, len);
	return GPTOSS_OK;
}

static enum gptoss_status
hp_step(struct harmony_parser *p, uint32_t id)
{
	enum gptoss_status st;

	switch (p->state) {
	case HP_EXPECT_START:
		if (id != GPTOSS_TOKEN_START)
			return GPTOSS_ERR_FORMAT;
		hp_clear_message(p);
		p->n_header = 0;
		p->state = HP_HEADER;
		return GPTOSS_OK;
	case HP_HEADER:
		if (id != GPTOSS_TOKEN_MESSAGE) {
			if (p->n_header == HP_MAX_HEADER)
				return GPTOSS_ERR_FORMAT;
			p->header[p->n_header++] = id;
			return GPTOSS_OK;
		}
		hp_clear_message(p);
		if ((st = hp_parse_header(p)) != GPTOSS_OK)
			return st;
		p->n_header = 0;
		gptoss_decoder_new(p->tok, &p->dec);
		p->state = HP_CONTENT;
		return GPTOSS_OK;
	case HP_CONTENT:
		return hp_content(p, id);
	case HP_FAILED:
		break;
	}
	return GPTOSS_ERR_FORMAT;
}

enum gptoss_status
harmony_parser_push(struct harmony_parser *p, uint32_t id,
    const struct harmony_event **events_out, size_t *n_out)
{
	const char *bytes;
	size_t len;
	enum gptoss_status st;

	if (p == NULL || events_out == NULL || n_out == NULL)
		return GPTOSS_ERR_ARGUMENT;
	p->n_events = 0;
	*events_out = p->events;
	*n_out = 0;
	if (gptoss_tokenizer_token(p->tok, id, &bytes, &len, NULL) != GPTOSS_OK)
		st = GPTOSS_ERR_FORMAT;
	else
		st = hp_step(p, id);
	if (st != GPTOSS_OK) {
		p->state = HP_FAILED;
		p->n_events = 0;
		return st;
	}
	*n_out = p->n_events;
	return GPTOSS_OK;
}

enum gptoss_status
harmony_parser_finish(struct harmony_parser *p,
    const struct harmony_event **events_out, size_t *n_out)
{
	if (p == NULL || events_out == NULL || n_out == NULL)
		return GPTOSS_ERR_ARGUMENT;
	p->n_events = 0;
	*events_out = p->events;
	*n_out = 0;
	if (p->state == HP_FAILED)
		return GPTOSS_ERR_FORMAT;
	if (p->state == HP_HEADER && (p->n_header > 0 || p->next_role == NULL))
		return GPTOSS_ERR_FORMAT;
	if (p->state == HP_CONTENT)
		hp_end_message(p, UINT32_MAX);
	*n_out = p->n_events;
	return GPTOSS_OK;
}
