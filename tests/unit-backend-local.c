/*
 * unit-backend-local.c: the local gpt-oss backend's mapping (local-map.c)
 * without weights: a request renders to the harmony text harmony_render
 * gives for the equivalent conversation, and scripted model outputs map to
 * the right responses or to clear errors. Also the URI checks of
 * model_open("local:..."). The tokenizer is written from js-tiktoken's
 * o200k ranks (tests/oracle/o200k.js); exits 77 without node. With
 * python3 + numpy, a tiny random model with the real vocabulary
 * (scripts/gen-tiny-gptoss.py) checks that a second turn reuses the KV
 * cache and generates what a fresh model does.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/xmalloc.h"
#include "model/gptoss/harmony.h"
#include "model/local-map.h"
#include "model/model.h"
#include "tests/testlib.h"

static char tmpdir[] = "/tmp/unit-backend-local-XXXXXX";
static struct gptoss_tokenizer *tok;

/* What on_delta received, per kind. */
struct deltas {
	struct buf content, reasoning;
	int calls;
};

static void
on_delta(void *arg, const char *kind, const char *text)
{
	struct deltas *d = arg;

	d->calls++;
	buf_printf(strcmp(kind, "content") == 0 ? &d->content : &d->reasoning,
	    "%s", text);
}

static void
test_uri(void)
{
	static const char *const usage[] = { "local", "local:", "local:?x=1",
		"local:/m?bogus=1", "local:/m?threads=0", "local:/m?context=x",
		"local:/m?reasoning=max", "local:/m?max_tokens" };
	struct model *m;
	char *cause = NULL;
	int usage_error;
	size_t i;

	for (i = 0; i < sizeof usage / sizeof usage[0]; i++) {
		m = model_open(usage[i], NULL, &usage_error, &cause);
		TEST_CHECK(usage[i],
		    m == NULL && usage_error == 1 && cause != NULL &&
			strstr(cause, "local") != NULL);
		free(cause);
		cause = NULL;
	}
	m = model_open("local:/nonexistent/gpt-oss?threads=2", NULL,
	    &usage_error, &cause);
	TEST_CHECK("a missing directory is a load error naming it",
	    m == NULL && usage_error == 0 && cause != NULL &&
		strstr(cause, "/nonexistent/gpt-oss") != NULL);
	free(cause);
}

static char *
ids_text(const uint32_t *ids, size_t n)
{
	char *text = NULL, *cause = NULL;

	if (local_map_decode(tok, ids, n, &text, &cause) != 0) {
		printf("decode: %s\n", cause);
		free(cause);
	}
	return text;
}

/* The agents' request shape, as agents/agent.c builds it. */
static const char request_json[] =
    "[{\"role\":\"system\",\"content\":\"You are the data agent.\"},"
    "{\"role\":\"user\",\"content\":\"Gather SIM.\\n\\nContext:\\n"
    "{\\\"symbol\\\":\\\"SIM\\\"}\"},"
    "{\"role\":\"assistant\",\"content\":\"\",\"reasoning\":\"I need the "
    "data.\",\"tool_calls\":[{\"id\":\"c1\",\"name\":\"gather_stock_data\","
    "\"arguments\":\"{\\\"symbol\\\":\\\"SIM\\\"}\"}]},"
    "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"name\":"
    "\"gather_stock_data\",\"content\":\"{\\\"close\\\":12.5}\"}]";

static const char tools_json[] =
    "[{\"name\":\"gather_stock_data\",\"description\":\"Prices for a "
    "symbol.\",\"parameters\":{\"type\":\"object\",\"properties\":"
    "{\"symbol\":{\"type\":\"string\"}},\"required\":[\"symbol\"]}}]";

/* The same conversation written in harmony.h's JSON by hand. */
static const char harmony_json[] =
    "{\"messages\":[{\"role\":\"system\",\"reasoning\":\"low\","
    "\"current_date\":\"2025-09-04\"},"
    "{\"role\":\"developer\",\"instructions\":\"You are the data agent.\","
    "\"tools\":"
    "TOOLS"
    "},"
    "{\"role\":\"user\",\"content\":\"Gather SIM.\\n\\nContext:\\n"
    "{\\\"symbol\\\":\\\"SIM\\\"}\"},"
    "{\"role\":\"assistant\",\"channel\":\"analysis\",\"content\":\"I need "
    "the data.\"},"
    "{\"role\":\"assistant\",\"channel\":\"commentary\",\"recipient\":"
    "\"functions.gather_stock_data\",\"content_type\":\"<|constrain|>json\","
    "\"content\":\"{\\\"symbol\\\":\\\"SIM\\\"}\"},"
    "{\"role\":\"tool\",\"name\":\"functions.gather_stock_data\","
    "\"recipient\":\"assistant\",\"channel\":\"commentary\",\"content\":"
    "\"{\\\"close\\\":12.5}\"}]}";

static void
test_date(void)
{
	char buf[16], before[16], after[16];
	time_t now;
	struct tm tm;
	const char *bad[] = { NULL, "2025-02-30", "2025-09-04x", "tomorrow" };
	size_t i;

	TEST_CHECK("the request's date is used",
	    strcmp(local_map_date("2025-09-04", buf), "2025-09-04") == 0);
	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		now = time(NULL);
		gmtime_r(&now, &tm);
		strftime(before, sizeof before, "%Y-%m-%d", &tm);
		local_map_date(bad[i], buf);
		now = time(NULL);
		gmtime_r(&now, &tm);
		strftime(after, sizeof after, "%Y-%m-%d", &tm);
		/* (Either side of midnight UTC both are right.) */
		TEST_CHECK("no or an invalid date: today (UTC)",
		    strcmp(buf, before) == 0 || strcmp(buf, after) == 0);
	}
}

static void
test_render(void)
{
	struct model_request req = { 0 };
	cJSON *msgs = cJSON_Parse(request_json);
	cJSON *tools = cJSON_Parse(tools_json);
	cJSON *conv, *want_json;
	struct harmony_conversation *hc = NULL;
	uint32_t *ids = NULL, *want = NULL;
	size_t n = 0, nw = 0;
	char *cause = NULL, *text, *wj, *at;

	req.messages = msgs;
	req.tools = tools;
	req.tool_choice = "auto";
	conv = local_map_conversation(&req, "low", "2025-09-04", &cause);
	TEST_CHECK("the request maps", conv != NULL);
	TEST_CHECK("it renders",
	    conv != NULL && local_map_render(tok, conv, &ids, &n, &cause) == 0);
	at = strstr(harmony_json, "TOOLS");
	wj = xasprintf("%.*s%s%s", (int)(at - harmony_json), harmony_json,
	    tools_json, at + 5);
	want_json = cJSON_Parse(wj);
	TEST_CHECK("the hand-written conversation validates",
	    harmony_conversation_from_json(want_json, &hc, NULL) == GPTOSS_OK);
	TEST_CHECK("harmony renders it",
	    hc != NULL &&
		harmony_render(tok, hc, &want, &nw, NULL) == GPTOSS_OK);
	TEST_CHECK("the ids equal harmony_render's",
	    n == nw && n > 0 && memcmp(ids, want, n * sizeof *ids) == 0);
	text = ids_text(ids, n);
	TEST_CHECK("system first",
	    text != NULL &&
		strncmp(text, "<|start|>system<|message|>You are ChatGPT",
		    40) == 0);
	TEST_CHECK("reasoning and date",
	    text != NULL &&
		strstr(text, "Current date: 2025-09-04\n\nReasoning: low") !=
		    NULL);
	TEST_CHECK("instructions in the developer message",
	    text != NULL &&
		strstr(text,
		    "<|start|>developer<|message|># Instructions\n\n"
		    "You are the data agent.") != NULL);
	TEST_CHECK("the tool in the functions namespace",
	    text != NULL &&
		strstr(text,
		    "namespace functions {\n\n// Prices for a symbol.\n"
		    "type gather_stock_data = (_: {\nsymbol: string,\n}) => "
		    "any;") != NULL);
	TEST_CHECK("the analysis before the call is kept",
	    text != NULL &&
		strstr(text,
		    "<|start|>assistant<|channel|>analysis<|message|>I "
		    "need the data.<|end|>") != NULL);
	TEST_CHECK("the call",
	    text != NULL &&
		strstr(text,
		    "<|start|>assistant "
		    "to=functions.gather_stock_data<|channel|>"
		    "commentary "
		    "<|constrain|>json<|message|>{\"symbol\":\"SIM\"}"
		    "<|call|>") != NULL);
	TEST_CHECK("the result",
	    text != NULL &&
		strstr(text,
		    "<|start|>functions.gather_stock_data "
		    "to=assistant<|channel|>"
		    "commentary<|message|>{\"close\":12.5}<|end|><|start|>"
		    "assistant") != NULL);
	TEST_CHECK("ends ready for the answer",
	    text != NULL && strlen(text) > 18 &&
		strcmp(text + strlen(text) - 18, "<|start|>assistant") == 0);
	free(text);
	free(ids);
	free(want);
	free(wj);
	free(cause);
	cJSON_Delete(want_json);
	cJSON_Delete(conv);
	harmony_conversation_free(hc);

	/* tool_choice none: no tools; a final answer drops earlier CoT. */
	cJSON_Delete(msgs);
	msgs = cJSON_Parse(
	    "[{\"role\":\"user\",\"content\":\"Hi\"},"
	    "{\"role\":\"assistant\",\"content\":\"Hello\",\"reasoning\":"
	    "\"greet\"},{\"role\":\"user\",\"content\":\"Bye\"}]");
	req.messages = msgs;
	req.tool_choice = "none";
	conv = local_map_conversation(&req, "high", NULL, &cause);
	ids = NULL;
	TEST_CHECK("renders",
	    conv != NULL && local_map_render(tok, conv, &ids, &n, &cause) == 0);
	text = ids != NULL ? ids_text(ids, n) : NULL;
	TEST_CHECK("no developer message without instructions or tools",
	    text != NULL && strstr(text, "developer") == NULL &&
		strstr(text, "namespace") == NULL);
	TEST_CHECK("the answer on final, its CoT dropped",
	    text != NULL &&
		strstr(text,
		    "<|start|>assistant<|channel|>final<|message|>Hello"
		    "<|end|><|start|>user<|message|>Bye<|end|>") != NULL &&
		strstr(text, "greet") == NULL);
	free(text);
	free(ids);
	cJSON_Delete(conv);

	cJSON_Delete(msgs);
	msgs = cJSON_Parse("[{\"role\":\"robot\",\"content\":\"x\"}]");
	req.messages = msgs;
	cause = NULL;
	TEST_CHECK("an unknown role is refused",
	    local_map_conversation(&req, "low", NULL, &cause) == NULL &&
		cause != NULL && strstr(cause, "robot") != NULL);
	free(cause);
	cJSON_Delete(msgs);
	cJSON_Delete(tools);
}

/* Feeds TEXT (specials allowed) as generated ids; ends with HOW unless a
 * push ended the turn. Returns local_parse_finish's result. */
static int
run_output(const char *text, int how, struct model_response *resp,
    struct deltas *d, char **cause)
{
	struct model_request req = { 0 };
	struct local_parse *lp;
	uint32_t *ids = NULL;
	size_t n = 0, i;
	int rc = 0;

	memset(resp, 0, sizeof *resp);
	req.on_delta = on_delta;
	req.delta_arg = d;
	if (local_map_encode(tok, text, strlen(text), 1, &ids, &n, cause) != 0)
		return -1;
	lp = local_parse_new(tok, &req);
	for (i = 0; i < n && rc == 0; i++)
		rc = local_parse_push(lp, ids[i]);
	if (rc == 1)
		how = LOCAL_END_TURN;
	rc = local_parse_finish(lp, how, (uint32_t)n, resp, cause);
	local_parse_free(lp);
	free(ids);
	return rc;
}

static void
deltas_init(struct deltas *d)
{
	buf_init(&d->content, 0);
	buf_init(&d->reasoning, 0);
	d->calls = 0;
}

static void
deltas_free(struct deltas *d)
{
	buf_free(&d->content);
	buf_free(&d->reasoning);
}

static void
test_outputs(void)
{
	struct model_response r;
	struct deltas d;
	char *cause = NULL;
	int rc;

	deltas_init(&d);
	rc = run_output("<|channel|>final<|message|>SIM looks fairly valued."
			"<|return|>",
	    LOCAL_END_LENGTH, &r, &d, &cause);
	TEST_CHECK("a final answer maps", rc == 0);
	TEST_STREQ("its content", r.content, "SIM looks fairly valued.");
	TEST_CHECK("no reasoning, no calls",
	    r.reasoning == NULL && r.n_calls == 0);
	TEST_STREQ("stop reason", r.stop_reason, "stop");
	TEST_STREQ("content deltas", d.content.data,
	    "SIM looks fairly valued.");
	model_response_clear(&r);
	deltas_free(&d);

	deltas_init(&d);
	rc = run_output(
	    "<|channel|>analysis<|message|>Check the trend first."
	    "<|end|><|start|>assistant<|channel|>final<|message|>Uptrend."
	    "<|return|>",
	    LOCAL_END_LENGTH, &r, &d, &cause);
	TEST_CHECK("analysis then final maps", rc == 0);
	TEST_STREQ("reasoning kept", r.reasoning, "Check the trend first.");
	TEST_STREQ("content", r.content, "Uptrend.");
	TEST_STREQ("reasoning deltas", d.reasoning.data,
	    "Check the trend first.");
	model_response_clear(&r);
	deltas_free(&d);

	deltas_init(&d);
	rc = run_output(
	    "<|channel|>analysis<|message|>Need data.<|end|>"
	    "<|start|>assistant<|channel|>commentary to=functions."
	    "gather_stock_data <|constrain|>json<|message|>{\"symbol\": "
	    "\"SIM\", \"as_of\": \"2025-09-04\"}<|call|>",
	    LOCAL_END_LENGTH, &r, &d, &cause);
	TEST_CHECK("a tool call maps, ending the turn on <|call|>", rc == 0);
	TEST_CHECK("one call", r.n_calls == 1 && r.content == NULL);
	TEST_STREQ("its id", r.n_calls ? r.calls[0].id : NULL, "call_1");
	TEST_STREQ("its name", r.n_calls ? r.calls[0].name : NULL,
	    "gather_stock_data");
	TEST_STREQ("its arguments", r.n_calls ? r.calls[0].arguments : NULL,
	    "{\"symbol\": \"SIM\", \"as_of\": \"2025-09-04\"}");
	TEST_STREQ("stop reason", r.stop_reason, "tool_calls");
	TEST_STREQ("reasoning", r.reasoning, "Need data.");
	TEST_CHECK("arguments are not content deltas", d.content.len == 0);
	model_response_clear(&r);
	deltas_free(&d);

	deltas_init(&d);
	rc = run_output("<|channel|>final<|message|>Partial answ",
	    LOCAL_END_LENGTH, &r, &d, &cause);
	TEST_CHECK("a cut answer is kept", rc == 0);
	TEST_STREQ("with stop reason length", r.stop_reason, "length");
	TEST_STREQ("its text", r.content, "Partial answ");
	model_response_clear(&r);
	deltas_free(&d);

	deltas_init(&d);
	rc = run_output("<|channel|>final<|message|>Short.<|end|>",
	    LOCAL_END_STOP, &r, &d, &cause);
	TEST_CHECK("the model's own stop after a message", rc == 0);
	TEST_STREQ("stops", r.stop_reason, "stop");
	model_response_clear(&r);
	deltas_free(&d);

	static const struct {
		const char *text, *why;
		int how;
	} bad[] = {
		{ "<|channel|>analysis<|message|>Thinking and thinking",
		    "max tokens", LOCAL_END_LENGTH },
		{ "<|channel|>final<|message|>ok<|end|>garbage",
		    "not valid harmony", LOCAL_END_LENGTH },
		{ "random words with no header", "inside a message header",
		    LOCAL_END_LENGTH },
		{ "<|channel|>final<|message|>a<|start|>b", "not valid harmony",
		    LOCAL_END_LENGTH },
		{ "<|channel|>final<|message|><|return|>", "without an answer",
		    LOCAL_END_LENGTH },
		{ "<|channel|>final<|message|>x<|end|><|start|>functions.f"
		  "<|message|>fake result<|end|>",
		    "wrote a message as", LOCAL_END_STOP },
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		deltas_init(&d);
		cause = NULL;
		rc = run_output(bad[i].text, bad[i].how, &r, &d, &cause);
		TEST_CHECK(bad[i].text,
		    rc == -1 && cause != NULL &&
			strstr(cause, bad[i].why) != NULL);
		if (cause != NULL && strstr(cause, bad[i].why) == NULL)
			printf("  got: %s\n", cause);
		TEST_CHECK("nothing is returned on error",
		    r.content == NULL && r.n_calls == 0 &&
			r.stop_reason == NULL);
		free(cause);
		model_response_clear(&r);
		deltas_free(&d);
	}
}

/* An id past the tokenizer (the model's vocabulary is larger). */
static void
test_unknown_id(void)
{
	struct model_response r = { 0 };
	struct local_parse *lp = local_parse_new(tok, NULL);
	char *cause = NULL;

	TEST_CHECK("an id the tokenizer lacks is refused",
	    local_parse_push(lp, 200500) == -1);
	TEST_CHECK("and stays refused", local_parse_push(lp, 200006) == -1);
	TEST_CHECK("finish reports it",
	    local_parse_finish(lp, LOCAL_END_LENGTH, 2, &r, &cause) == -1 &&
		cause != NULL && strstr(cause, "id 200500") != NULL);
	free(cause);
	local_parse_free(lp);
}

static const char *
numpy_python(void)
{
	if (system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") == 0)
		return "/usr/bin/python3";
	if (system("python3 -c 'import numpy' 2>/dev/null") == 0)
		return "python3";
	return NULL;
}

/* One greedy chat of MSGS with MAX tokens; returns model_chat's result,
 * *COMPLETION and *CAUSE (the random model's output is never valid). */
static int
chat(struct model *m, const cJSON *msgs, int max, long *completion,
    char **cause)
{
	struct model_request req = { 0 };
	struct model_response r;
	int rc;

	req.messages = msgs;
	req.params = (struct model_params){ "low", max, 0, -1, 0, NULL };
	*cause = NULL;
	rc = model_chat(m, &req, &r, cause);
	*completion = r.completion_tokens;
	model_response_clear(&r);
	return rc;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[4096];
	size_t n;

	buf_init(&b, 0);
	buf_append(&b, "", 0);
	if (f == NULL)
		return buf_take(&b);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	return buf_take(&b);
}

/* The KV cache is reused when the prompt extends the last one. */
static void
test_reuse(const char *src, const char *py)
{
	cJSON *first = cJSON_Parse(
	    "[{\"role\":\"system\",\"content\":"
	    "\"Be brief.\"},{\"role\":\"user\",\"content\":\"Hi\"}]");
	cJSON *second = cJSON_Duplicate(first, 1);
	struct model *a = NULL, *b = NULL;
	char *cmd, *uri, *log, *text, *c1 = NULL, *c2 = NULL, *c3 = NULL;
	long n1 = 0, n2 = 0, n3 = 0, p1 = 0, p2 = 0, reused = -1;
	const char *at;
	int ue, rc1, rc2;

	cJSON_AddItemToArray(second, model_message("assistant", "Hello."));
	cJSON_AddItemToArray(second, model_message("user", "Bye"));
	cmd = xasprintf("%s %s/scripts/gen-tiny-gptoss.py %s/m --preset "
			"tinyvocab --seed 5 && cp %s/tokenizer.json %s/m/",
	    py, src, tmpdir, tmpdir, tmpdir);
	TEST_CHECK("the tiny model is written", system(cmd) == 0);
	free(cmd);
	uri = xasprintf("local:%s/m?threads=1&context=512", tmpdir);
	a = model_open(uri, NULL, &ue, &c1);
	b = model_open(uri, NULL, &ue, &c1);
	TEST_CHECK("the tiny model opens", a != NULL && b != NULL);
	if (a == NULL || b == NULL)
		goto out;
	log = xasprintf("%s/log", tmpdir);
	fflush(stderr);
	TEST_CHECK("stderr to a file", freopen(log, "w", stderr) != NULL);
	log_set_level(LOG_LEVEL_DEBUG);
	/* One token: the cache then holds exactly the first prompt. */
	chat(a, first, 1, &n1, &c1);
	rc1 = chat(a, second, 8, &n2, &c2);
	rc2 = chat(b, second, 8, &n3, &c3);
	log_set_level(LOG_LEVEL_INFO);
	fflush(stderr);
	text = slurp(log);
	TEST_CHECK("the turns are logged",
	    (at = strstr(text, "prompt tokens (0 reused), 1 generated")) !=
		    NULL &&
		sscanf(text, "stockagent: debug: local model '%*[^']': %ld",
		    &p1) == 1 &&
		(at = strstr(at, "\n")) != NULL &&
		sscanf(at + 1,
		    "stockagent: debug: local model '%*[^']': %ld prompt "
		    "tokens "
		    "(%ld reused), 8 generated",
		    &p2, &reused) == 2);
	TEST_CHECK("the second turn reuses the first prompt",
	    reused == p1 && p2 > p1);
	if (reused != p1)
		printf("%s", text);
	TEST_CHECK("random weights write no valid harmony",
	    rc1 == -1 && c2 != NULL && strstr(c2, "local model '") != NULL);
	TEST_CHECK("with the cache it generates what a fresh model does",
	    rc1 == rc2 && n2 == n3 && c2 != NULL && c3 != NULL &&
		strcmp(c2, c3) == 0);
	if (c2 && c3 && strcmp(c2, c3) != 0)
		printf("  %s\n  %s\n", c2, c3);
	free(text);
	free(log);
out:
	model_close(a);
	model_close(b);
	free(c1);
	free(c2);
	free(c3);
	free(uri);
	cJSON_Delete(first);
	cJSON_Delete(second);
}

int
main(void)
{
	const char *src = getenv("top_srcdir");
	char *path, *cmd, *detail = NULL;
	const char *py;

	test_date();
	test_uri();
	if (src == NULL)
		src = ".";
	path = xasprintf("%s/tests/node_modules/js-tiktoken", src);
	if (system("node --version >/dev/null 2>&1") != 0 ||
	    access(path, R_OK) != 0) {
		printf("skip: node or %s missing\n", path);
		free(path);
		return test_failed ? TEST_REPORT() : 77;
	}
	free(path);
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	cmd = xasprintf("node -e 'require(\"%s/tests/oracle/o200k.js\")"
			".writeTokenizerJson(\"%s/tokenizer.json\")'",
	    src, tmpdir);
	TEST_CHECK("the oracle writes tokenizer.json", system(cmd) == 0);
	free(cmd);
	path = xasprintf("%s/tokenizer.json", tmpdir);
	TEST_CHECK("the tokenizer loads",
	    local_map_tokenizer_load(path, &tok, &detail) == 0);
	if (tok != NULL) {
		test_render();
		test_outputs();
		test_unknown_id();
		if ((py = numpy_python()) != NULL)
			test_reuse(src, py);
		else
			printf("no python3 with numpy: KV-cache reuse not "
			       "checked\n");
	} else
		printf("%s\n", detail ? detail : "?");
	free(detail);
	free(path);
	cmd = xasprintf("rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		printf("could not remove %s\n", tmpdir);
	free(cmd);
	local_map_tokenizer_free(tok);
	return TEST_REPORT();
}
