/*
 * unit-harmony.c: harmony rendering against openai/harmony's golden files
 * (tests/fixtures/harmony), the incremental parser, and round trips.
 * Needs the o200k ranks from js-tiktoken (node); exits 77 without them.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/xmalloc.h"
#include "model/gptoss/harmony.h"
#include "tests/testlib.h"

static char tmpdir[] = "/tmp/unit-harmony-XXXXXX";
static const char *src;
static struct gptoss_tokenizer *tok;

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	buf_init(&b, 0);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	if (b.data == NULL)
		buf_append(&b, "", 0);
	return buf_take(&b);
}

/* harmony's tests compare text.rstrip(). */
static void
rstrip(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && strchr(" \t\r\n", s[n - 1]) != NULL)
		s[--n] = '\0';
}

static char *
fixture(const char *name)
{
	char *path = xasprintf("%s/tests/fixtures/harmony/%s", src, name);
	char *s = slurp(path);

	free(path);
	return s;
}

static struct harmony_conversation *
load_conv(const char *name)
{
	char *path = xasprintf("conversations/%s.json", name);
	char *text = fixture(path), *detail = NULL;
	cJSON *json = text ? cJSON_Parse(text) : NULL;
	struct harmony_conversation *conv = NULL;

	if (harmony_conversation_from_json(json, &conv, &detail) != GPTOSS_OK)
		printf("%s: %s\n", name, detail ? detail : "?");
	free(detail);
	cJSON_Delete(json);
	free(text);
	free(path);
	return conv;
}

static void
test_golden(const char *name)
{
	char *file = xasprintf("%s.txt", name), *want = fixture(file);
	struct harmony_conversation *conv = load_conv(name);
	uint32_t *ids = NULL, *wids = NULL;
	size_t n = 0, wn = 0, len;
	char *text = NULL;
	int same;

	TEST_CHECK(name, want != NULL && conv != NULL);
	if (want == NULL || conv == NULL)
		goto cleanup;
	rstrip(want);
	harmony_render(tok, conv, &ids, &n, NULL);
	gptoss_tokenizer_decode(tok, ids, n, &text, &len, NULL);
	same = text != NULL && strcmp(text, want) == 0;
	if (!same)
		printf("%s:\n got: %s\nwant: %s\n", name, text, want);
	TEST_CHECK("rendered text is byte-identical to harmony's golden file",
	    same);
	gptoss_tokenizer_encode(tok, want, strlen(want),
	    GPTOSS_ENCODE_ALLOW_SPECIAL, &wids, &wn);
	TEST_CHECK("rendered ids equal the golden text's ids",
	    n == wn && memcmp(ids, wids, n * sizeof *ids) == 0);
cleanup:
	harmony_conversation_free(conv);
	free(text);
	free(ids);
	free(wids);
	free(want);
	free(file);
}

/* Reads whitespace-separated ids from a fixture. */
static uint32_t *
read_ids(const char *name, size_t *n)
{
	char *text = fixture(name), *p = text, *end;
	uint32_t *ids = xcalloc(4096, sizeof *ids);

	*n = 0;
	while (text != NULL && *n < 4096) {
		unsigned long v = strtoul(p, &end, 10);

		if (end == p)
			break;
		ids[(*n)++] = (uint32_t)v;
		p = end;
	}
	free(text);
	return ids;
}

struct collected {
	struct buf reasoning, content, args;
	char *tool, *channel, *ctype;
	int stops[4], messages;
};

static enum gptoss_status
collect(struct harmony_parser *p, const uint32_t *ids, size_t n, int finish,
    struct collected *c)
{
	const struct harmony_event *ev;
	size_t k, i, ne;
	enum gptoss_status st = GPTOSS_OK;

	for (i = 0; i <= n; i++) {
		if (i < n)
			st = harmony_parser_push(p, ids[i], &ev, &ne);
		else if (finish)
			st = harmony_parser_finish(p, &ev, &ne);
		else
			break;
		if (st != GPTOSS_OK)
			return st;
		for (k = 0; k < ne; k++) {
			switch (ev[k].kind) {
			case HARMONY_EVENT_REASONING:
				buf_append(&c->reasoning, ev[k].text,
				    ev[k].len);
				break;
			case HARMONY_EVENT_CONTENT:
				buf_append(&c->content, ev[k].text, ev[k].len);
				break;
			case HARMONY_EVENT_TOOL_ARGS:
				buf_append(&c->args, ev[k].text, ev[k].len);
				break;
			case HARMONY_EVENT_TOOL_CALL:
				free(c->tool);
				free(c->channel);
				free(c->ctype);
				c->tool = xstrdup(ev[k].tool_name);
				c->channel = ev[k].channel ?
				    xstrdup(ev[k].channel) :
				    NULL;
				c->ctype = ev[k].content_type ?
				    xstrdup(ev[k].content_type) :
				    NULL;
				break;
			case HARMONY_EVENT_MESSAGE:
				c->messages++;
				break;
			case HARMONY_EVENT_STOP:
				c->stops[ev[k].stop]++;
				break;
			}
		}
	}
	return GPTOSS_OK;
}

static void
collected_free(struct collected *c)
{
	buf_free(&c->reasoning);
	buf_free(&c->content);
	buf_free(&c->args);
	free(c->tool);
	free(c->channel);
	free(c->ctype);
}

static void
test_parse_reasoning(void)
{
	size_t n;
	uint32_t *ids = read_ids("test_simple_reasoning_response.txt", &n);
	struct harmony_parser *p = NULL;
	struct collected c = { 0 };

	harmony_parser_new(tok, "assistant", &p);
	TEST_CHECK("the reasoning response parses",
	    collect(p, ids, n, 1, &c) == GPTOSS_OK);
	TEST_STREQ("reasoning is the analysis text", c.reasoning.data,
	    "User asks: \"What is 2 + 2?\" Simple arithmetic. Provide answer.");
	TEST_STREQ("content is the final answer", c.content.data, "2 + 2 = 4.");
	TEST_CHECK("<|return|> stops, the truncated final ends at EOS",
	    c.stops[HARMONY_STOP_RETURN] == 1 &&
		c.stops[HARMONY_STOP_EOS] == 1 && c.messages == 2);
	collected_free(&c);
	harmony_parser_free(p);
	free(ids);
}

static void
test_parse_tool_call(void)
{
	size_t n;
	uint32_t *ids = read_ids("test_simple_tool_call.txt", &n);
	struct harmony_parser *p = NULL;
	struct collected c = { 0 };
	const struct harmony_event *ev;
	size_t ne;

	/* The file ends inside the arguments; close the call. */
	ids[n++] = GPTOSS_TOKEN_CALL;
	harmony_parser_new(tok, "assistant", &p);
	TEST_CHECK("the tool call parses",
	    collect(p, ids, n, 1, &c) == GPTOSS_OK);
	/* "<|start|>assistant to=lookup_weather<|channel|>analysis code" */
	TEST_STREQ("the tool is lookup_weather", c.tool, "lookup_weather");
	TEST_STREQ("its channel", c.channel, "analysis");
	TEST_STREQ("its content type", c.ctype, "code");
	TEST_CHECK("arguments stream as tool-args text",
	    c.args.len > 0 && strstr(c.args.data, "\"location\"") != NULL);
	TEST_CHECK("<|call|> stops", c.stops[HARMONY_STOP_CALL] == 1);
	TEST_CHECK("after <|call|> only <|start|> is accepted",
	    harmony_parser_push(p, 1428, &ev, &ne) == GPTOSS_ERR_FORMAT);
	TEST_CHECK("a failed parser stays failed",
	    harmony_parser_push(p, GPTOSS_TOKEN_START, &ev, &ne) ==
		GPTOSS_ERR_FORMAT);
	collected_free(&c);
	harmony_parser_free(p);
	free(ids);
}

/* Model-style header: recipient after the channel, <|constrain|>json. */
static void
test_parse_history(void)
{
	char *text = fixture("test_does_not_drop_if_ongoing_analysis.txt");
	uint32_t *ids = NULL;
	size_t n = 0;
	struct harmony_parser *p = NULL;
	struct collected c = { 0 };
	cJSON *msgs, *m;

	rstrip(text);
	gptoss_tokenizer_encode(tok, text, strlen(text),
	    GPTOSS_ENCODE_ALLOW_SPECIAL, &ids, &n);
	harmony_parser_new(tok, NULL, &p);
	TEST_CHECK("a whole conversation parses",
	    collect(p, ids, n - 2, 1, &c) == GPTOSS_OK);
	msgs = harmony_parser_messages(p);
	TEST_CHECK("four messages", cJSON_GetArraySize(msgs) == 4);
	m = cJSON_GetArrayItem(msgs, 2);
	TEST_STREQ("recipient after the channel",
	    cJSON_GetStringValue(cJSON_GetObjectItem(m, "recipient")),
	    "functions.lookup_weather");
	TEST_STREQ("constrained content type",
	    cJSON_GetStringValue(cJSON_GetObjectItem(m, "content_type")),
	    "<|constrain|>json");
	m = cJSON_GetArrayItem(msgs, 3);
	TEST_STREQ("tool author",
	    cJSON_GetStringValue(cJSON_GetObjectItem(m, "name")),
	    "functions.lookup_weather");
	TEST_STREQ("tool role",
	    cJSON_GetStringValue(cJSON_GetObjectItem(m, "role")), "tool");
	TEST_STREQ("tool call name", c.tool, "lookup_weather");
	cJSON_Delete(msgs);
	collected_free(&c);
	harmony_parser_free(p);
	free(ids);
	free(text);
}

/* render -> parse -> render gives the same ids. */
static void
test_round_trip(const char *name)
{
	struct harmony_conversation *conv = load_conv(name), *conv2 = NULL;
	uint32_t *ids = NULL, *ids2 = NULL;
	size_t n = 0, n2 = 0;
	struct harmony_parser *p = NULL;
	struct collected c = { 0 };
	cJSON *msgs = NULL, *wrap = cJSON_CreateObject();

	cJSON_AddFalseToObject(wrap, "completion");
	cJSON_AddFalseToObject(wrap, "auto_drop_analysis");
	harmony_render(tok, conv, &ids, &n, NULL);
	harmony_parser_new(tok, NULL, &p);
	/* Leave out the <|start|>assistant the completion added. */
	TEST_CHECK("rendered output parses",
	    collect(p, ids, n - 2, 1, &c) == GPTOSS_OK);
	msgs = harmony_parser_messages(p);
	cJSON_AddItemToObject(wrap, "messages", msgs);
	TEST_CHECK("parsed messages form a conversation",
	    harmony_conversation_from_json(wrap, &conv2, NULL) == GPTOSS_OK);
	if (conv2 != NULL)
		harmony_render(tok, conv2, &ids2, &n2, NULL);
	TEST_CHECK("render -> parse -> render is the identity",
	    n2 == n - 2 && ids2 != NULL &&
		memcmp(ids, ids2, n2 * sizeof *ids) == 0);
	cJSON_Delete(wrap);
	collected_free(&c);
	harmony_parser_free(p);
	harmony_conversation_free(conv);
	harmony_conversation_free(conv2);
	free(ids);
	free(ids2);
}

static void
test_bad_input(void)
{
	static const char *const bad[] = {
		"{\"messages\": 3}",
		"{\"messages\": [{\"role\": \"robot\", \"content\": \"x\"}]}",
		"{\"messages\": [{\"role\": \"tool\", \"content\": \"x\"}]}",
		"{\"messages\": [{\"role\": \"user\", \"content\": 5}]}",
		"{\"messages\": [{\"role\": \"system\", \"reasoning\": "
		"\"max\"}]}",
		"{\"messages\": [{\"role\": \"developer\", \"tools\": [{}]}]}",
		"[{\"role\": \"developer\", \"tools\": [{\"name\": \"f\", "
		"\"parameters\": 7}]}]",
	};
	struct harmony_conversation *conv;
	struct harmony_parser *p = NULL;
	const struct harmony_event *ev;
	char *detail;
	cJSON *json;
	size_t i, k, ne;
	uint32_t seed = 1, id;
	int crashed = 0;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json = cJSON_Parse(bad[i]);
		conv = NULL;
		detail = NULL;
		TEST_CHECK("an invalid conversation is refused with a reason",
		    harmony_conversation_from_json(json, &conv, &detail) ==
			    GPTOSS_ERR_FORMAT &&
			detail != NULL && conv == NULL);
		free(detail);
		cJSON_Delete(json);
	}
	harmony_parser_new(tok, NULL, &p);
	TEST_CHECK("text before <|start|> is an error",
	    harmony_parser_push(p, 1428, &ev, &ne) == GPTOSS_ERR_FORMAT);
	harmony_parser_free(p);
	harmony_parser_new(tok, "assistant", &p);
	harmony_parser_push(p, GPTOSS_TOKEN_START, &ev, &ne);
	TEST_CHECK("a special inside a header is an error",
	    harmony_parser_push(p, GPTOSS_TOKEN_MESSAGE, &ev, &ne) ==
		GPTOSS_ERR_FORMAT);
	harmony_parser_free(p);
	harmony_parser_new(tok, "assistant", &p);
	TEST_CHECK("an unknown id is an error",
	    harmony_parser_push(p, 7000000, &ev, &ne) == GPTOSS_ERR_FORMAT);
	harmony_parser_free(p);
	/* Random sequences biased towards the format tokens: no crash. */
	for (i = 0; i < 3000; i++) {
		harmony_parser_new(tok, i % 2 ? "assistant" : NULL, &p);
		for (k = 0; k < 40; k++) {
			seed = seed * 1103515245u + 12345u;
			id = (seed >> 8) % 4 == 0 ? 200000 + (seed >> 4) % 14 :
						    (seed >> 12) % 201100;
			if (harmony_parser_push(p, id, &ev, &ne) != GPTOSS_OK)
				break;
		}
		harmony_parser_finish(p, &ev, &ne);
		harmony_parser_free(p);
	}
	TEST_CHECK("random token sequences are survived", !crashed);
}

int
main(void)
{
	static const char *const goldens[] = {
		"test_simple_convo_low_effort",
		"test_reasoning_system_message_with_dates",
		"test_render_functions_with_parameters",
		"test_dropping_cot_by_default",
		"test_keep_analysis_between_finals",
		"test_multi_turn_auto_drop_analysis",
	};
	char *cmd, *path;
	size_t i;

	if ((src = getenv("top_srcdir")) == NULL)
		src = ".";
	path = xasprintf("%s/tests/node_modules/js-tiktoken", src);
	if (system("node --version >/dev/null 2>&1") != 0 ||
	    access(path, R_OK) != 0) {
		printf("skip: node or %s missing\n", path);
		free(path);
		return 77;
	}
	free(path);
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	cmd = xasprintf("node -e 'require(\"%s/tests/oracle/o200k.js\")"
			".writeTiktoken(\"%s/o200k_base.tiktoken\")'",
	    src, tmpdir);
	TEST_CHECK("the oracle writes the ranks", system(cmd) == 0);
	free(cmd);
	TEST_CHECK("the tokenizer loads",
	    gptoss_tokenizer_load(tmpdir, &tok, NULL) == GPTOSS_OK);
	if (tok != NULL) {
		for (i = 0; i < sizeof goldens / sizeof goldens[0]; i++)
			test_golden(goldens[i]);
		test_parse_reasoning();
		test_parse_tool_call();
		test_parse_history();
		test_round_trip("test_multi_turn_auto_drop_analysis");
		test_round_trip("test_render_functions_with_parameters");
		test_bad_input();
	}
	gptoss_tokenizer_free(tok);
	cmd = xasprintf("rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		printf("could not remove %s\n", tmpdir);
	free(cmd);
	return TEST_REPORT();
}
