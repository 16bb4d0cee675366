/*
 * unit-backend-openai.c: the OpenAI-compatible backend against scripted
 * servers on 127.0.0.1 (JSON, SSE, tool calls, reasoning, errors).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/model.h"
#include "tests/mock-server.h"
#include "tests/testlib.h"

static cJSON *
test_messages(int with_tool_turn)
{
	cJSON *msgs = cJSON_CreateArray(), *a, *calls, *c, *res;

	cJSON_AddItemToArray(msgs, model_message("system", "You analyze."));
	cJSON_AddItemToArray(msgs, model_message("user", "Quote SIM_STOCK"));
	if (!with_tool_turn)
		return msgs;
	a = model_message("assistant", "");
	calls = cJSON_AddArrayToObject(a, "tool_calls");
	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "id", "call_1");
	cJSON_AddStringToObject(c, "name", "get_quote");
	cJSON_AddStringToObject(c, "arguments", "{\"symbol\":\"SIM_STOCK\"}");
	cJSON_AddItemToArray(calls, c);
	cJSON_AddItemToArray(msgs, a);
	res = cJSON_Parse("{\"price\":101.25}");
	cJSON_AddItemToArray(msgs,
	    model_tool_result("call_1", "get_quote", res));
	cJSON_Delete(res);
	return msgs;
}

static cJSON *
test_tools(void)
{
	return cJSON_Parse(
	    "[{\"name\":\"get_quote\",\"description\":\"Latest "
	    "quote\",\"parameters\":{\"type\":\"object\",\"properties\":"
	    "{\"symbol\":{\"type\":\"string\"}},\"required\":[\"symbol\"]}}]");
}

/* Opens URI, sends one turn, fills resp; returns model_chat's result. */
static int
test_chat(const char *uri, int tool_turn, struct model_response *resp,
    char **cause)
{
	struct model_params p = { "low", 0, -1, -1, -1, NULL };
	struct model_request req = { 0 };
	struct model *m;
	cJSON *msgs = test_messages(tool_turn), *tools = test_tools();
	int usage_error, rc = -1;

	*cause = NULL;
	memset(resp, 0, sizeof *resp);
	if ((m = model_open(uri, &p, &usage_error, cause)) != NULL) {
		req.messages = msgs;
		req.tools = tools;
		req.tool_choice = "auto";
		req.params.temperature = -1;
		req.params.top_p = -1;
		req.params.seed = -1;
		rc = model_chat(m, &req, resp, cause);
	}
	model_close(m);
	cJSON_Delete(msgs);
	cJSON_Delete(tools);
	return rc;
}

static char *
test_uri(const struct mock_server *s, const char *opts)
{
	static char uri[256];

	snprintf(uri, sizeof uri, "openai:http://127.0.0.1:%d/v1%s#gpt-oss",
	    s->port, opts);
	return uri;
}

static void
test_json_tool_call(void)
{
	static const struct mock_reply r[] = { { 200,
	    "Content-Type: application/json\r\n",
	    "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[{"
	    "\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
	    "null,\"reasoning_content\":\"Need the quote.\",\"tool_calls\":"
	    "[{\"id\":\"call_9\",\"type\":\"function\",\"function\":{"
	    "\"name\":\"get_quote\",\"arguments\":\"{\\\"symbol\\\":"
	    "\\\"SIM_STOCK\\\"}\"}}]},\"finish_reason\":\"tool_calls\"}],"
	    "\"usage\":{\"prompt_tokens\":55,\"completion_tokens\":12}}",
	    0, 0, 0, 0 } };
	struct mock_server s;
	struct model_response resp;
	char *cause, *log;
	int rc;

	setenv("OPENAI_API_KEY", "sk-test-123", 1);
	if (mock_start(&s, r, 1) != 0)
		return;
	rc = test_chat(test_uri(&s, "?stream=0"), 0, &resp, &cause);
	log = mock_stop(&s);
	TEST_CHECK("JSON tool call answer accepted", rc == 0);
	TEST_CHECK("one tool call parsed", resp.n_calls == 1);
	if (resp.n_calls == 1) {
		TEST_STREQ("tool name", resp.calls[0].name, "get_quote");
		TEST_STREQ("call id", resp.calls[0].id, "call_9");
		TEST_STREQ("arguments", resp.calls[0].arguments,
		    "{\"symbol\":\"SIM_STOCK\"}");
	}
	TEST_STREQ("reasoning_content kept", resp.reasoning, "Need the quote.");
	TEST_STREQ("stop reason", resp.stop_reason, "tool_calls");
	TEST_CHECK("usage",
	    resp.prompt_tokens == 55 && resp.completion_tokens == 12);
	TEST_CHECK("POST to /v1/chat/completions",
	    strstr(log, "POST /v1/chat/completions HTTP/1.1") != NULL);
	TEST_CHECK("bearer key sent",
	    strstr(log, "Authorization: Bearer sk-test-123") != NULL);
	TEST_CHECK("model named", strstr(log, "\"model\":\"gpt-oss\"") != NULL);
	TEST_CHECK("tools as functions",
	    strstr(log,
		"\"tools\":[{\"type\":\"function\",\"function\":{\"name\":"
		"\"get_quote\"") != NULL);
	TEST_CHECK("tool_choice sent",
	    strstr(log, "\"tool_choice\":\"auto\"") != NULL);
	TEST_CHECK("reasoning effort sent",
	    strstr(log, "\"reasoning_effort\":\"low\"") != NULL);
	TEST_CHECK("not streamed", strstr(log, "\"stream\"") == NULL);
	model_response_clear(&resp);
	free(cause);
	free(log);
}

#define SSE(x) "data: " x "\n\n"

static void
test_sse_stream(void)
{
	/* clang-format off: the SSE() chain is the body as sent */
	static const char body[] = ": keep-alive\n\n" SSE(
	    "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
	    "\"reasoning\":\"Price is \"}}]}")
	    SSE("{\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":"
		"\"known.\"}}]}") SSE("{\"choices\":[{\"index\":0,\"delta\":{"
				      "\"content\":\"SIM_STOCK"
				      " trades at \"}}]}")
		SSE("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"101.25"
		    ".\"},\"finish_reason\":\"stop\"}]}")
		    SSE("{\"choices\":[],\"usage\":{\"prompt_tokens\":80,"
			"\"completion_tokens\":9}}") "data: [DONE]\n\n";
	/* clang-format on */
	static const struct mock_reply r[] = { { 200,
	    "Content-Type: text/event-stream\r\n", body, 0, 0, 0, 7 } };
	struct mock_server s;
	struct model_response resp;
	char *cause, *log;
	int rc;

	if (mock_start(&s, r, 1) != 0)
		return;
	rc = test_chat(test_uri(&s, ""), 1, &resp, &cause);
	log = mock_stop(&s);
	TEST_CHECK("SSE stream accepted", rc == 0);
	TEST_STREQ("content joined across chunks", resp.content,
	    "SIM_STOCK trades at 101.25.");
	TEST_STREQ("reasoning field joined", resp.reasoning, "Price is known.");
	TEST_STREQ("finish reason", resp.stop_reason, "stop");
	TEST_CHECK("usage from the last chunk",
	    resp.prompt_tokens == 80 && resp.completion_tokens == 9);
	TEST_CHECK("stream requested", strstr(log, "\"stream\":true") != NULL);
	TEST_CHECK("assistant tool call sent back",
	    strstr(log,
		"\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
		"\"function\":{\"name\":\"get_quote\",\"arguments\":") != NULL);
	TEST_CHECK("tool result carries its call id",
	    strstr(log,
		"\"role\":\"tool\",\"content\":\"{\\\"price\\\":101.25}\","
		"\"tool_call_id\":\"call_1\"") != NULL);
	model_response_clear(&resp);
	free(cause);
	free(log);
}

static void
test_sse_tool_call_and_tags(void)
{
	/* clang-format off: the SSE() chain is the body as sent */
	static const char body[] = SSE(
	    "{\"choices\":[{\"index\":0,\"delta\":{\"content\":"
	    "\"<reasoning>Look it\"}}]}")
	    SSE("{\"choices\":[{\"index\":0,\"delta\":{\"content\":"
		"\" up.</reasoning>\"}}]}")
		SSE("{\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":["
		    "{"
		    "\"index\":0,\"id\":\"c7\",\"type\":\"function\","
		    "\"function\":"
		    "{\"name\":\"get_quote\",\"arguments\":\"{\\\"sym\"}}]}"
		    "}]}") SSE("{\"choices\":[{\"index\":0,\"delta\":{"
			       "\"tool_calls\":[{"
			       "\"index\":0,\"function\":{\"arguments\":"
			       "\"bol\\\":\\\"SIM_"
			       "STOCK\\\"}\"}}]},\"finish_reason\":\"tool_"
			       "calls\"}]}") "data: [DONE]\n\n";
	/* clang-format on */
	static const struct mock_reply r[] = { { 200,
	    "Content-Type: text/event-stream\r\n", body, 0, 0, 0, 5 } };
	struct mock_server s;
	struct model_response resp;
	char *cause, *log;
	int rc;

	if (mock_start(&s, r, 1) != 0)
		return;
	rc = test_chat(test_uri(&s, ""), 0, &resp, &cause);
	log = mock_stop(&s);
	TEST_CHECK("streamed tool call accepted", rc == 0);
	TEST_CHECK("streamed tool call assembled", resp.n_calls == 1);
	if (resp.n_calls == 1)
		TEST_STREQ("arguments joined", resp.calls[0].arguments,
		    "{\"symbol\":\"SIM_STOCK\"}");
	TEST_STREQ("<reasoning> tags moved to reasoning", resp.reasoning,
	    "Look it up.");
	TEST_STREQ("content left without the tags", resp.content, "");
	model_response_clear(&resp);
	free(cause);
	free(log);
}

static const char test_ok_json[] =
    "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
    "\"content\":\"Done.\"},\"finish_reason\":\"stop\"}]}";

/* "openai:#MODEL" takes its URL from OPENAI_BASE_URL. */
static void
test_base_url_env(void)
{
	static const struct mock_reply r[] = { { 200, NULL,
	    "{\"choices\":[{\"index\":0,\"message\":{\"role\":"
	    "\"assistant\",\"content\":\"env\"},\"finish_reason\":"
	    "\"stop\"}]}",
	    0, 0, 0, 0 } };
	struct mock_server s;
	struct model_response resp;
	char base[64], *cause, *log;
	int rc;

	if (mock_start(&s, r, 1) != 0)
		return;
	snprintf(base, sizeof base, "http://127.0.0.1:%d/base/v1/", s.port);
	setenv("OPENAI_BASE_URL", base, 1);
	rc = test_chat("openai:#gpt-oss?stream=0", 0, &resp, &cause);
	log = mock_stop(&s);
	unsetenv("OPENAI_BASE_URL");
	TEST_CHECK("OPENAI_BASE_URL used",
	    rc == 0 && resp.content && strcmp(resp.content, "env") == 0);
	TEST_CHECK("path under the base URL",
	    strstr(log, "POST /base/v1/chat/completions HTTP") != NULL);
	model_response_clear(&resp);
	free(cause);
	free(log);
}

static void
test_retry_then_success(void)
{
	static const struct mock_reply r[] = {
		{ 429, "Content-Type: application/json\r\n",
		    "{\"error\":{\"message\":\"slow down\",\"type\":"
		    "\"rate_limit\"}}",
		    0, 0, 0, 0 },
		{ 200, NULL, test_ok_json, 0, 0, 0, 0 },
	};
	struct mock_server s;
	struct model_response resp;
	char *cause, *log;
	int rc;

	if (mock_start(&s, r, 2) != 0)
		return;
	rc = test_chat(test_uri(&s, "?stream=0"), 0, &resp, &cause);
	log = mock_stop(&s);
	TEST_CHECK("429 then 200 succeeds", rc == 0);
	TEST_STREQ("answer after retry", resp.content, "Done.");
	TEST_CHECK("two requests made", mock_count(log) == 2);
	model_response_clear(&resp);
	free(cause);
	free(log);
}

static void
test_validation_error(void)
{
	static const struct mock_reply r[] = {
		{ 400, "Content-Type: application/json\r\n",
		    "{\"error\":{\"message\":\"max_tokens is too large\","
		    "\"type\":\"BadRequestError\"}}",
		    0, 0, 0, 0 },
		{ 200, NULL, test_ok_json, 0, 0, 0, 0 },
	};
	struct mock_server s;
	struct model_response resp;
	char *cause, *log;
	int rc;

	if (mock_start(&s, r, 2) != 0)
		return;
	rc = test_chat(test_uri(&s, "?stream=0"), 0, &resp, &cause);
	log = mock_stop(&s);
	TEST_CHECK("400 fails", rc == -1);
	TEST_CHECK("400 not retried", mock_count(log) == 1);
	TEST_CHECK("message shows code and text",
	    cause != NULL &&
		strstr(cause, "BadRequestError: max_tokens is too large") &&
		strstr(cause, "HTTP 400"));
	model_response_clear(&resp);
	free(cause);
	free(log);
}

static void
test_failure(const char *what, const struct mock_reply *r, const char *opts,
    const char *expect)
{
	struct mock_server s;
	struct model_response resp;
	char *cause, *log;
	int rc;

	if (mock_start(&s, r, 1) != 0)
		return;
	rc = test_chat(test_uri(&s, opts), 0, &resp, &cause);
	log = mock_stop(&s);
	TEST_CHECK(what,
	    rc == -1 && cause != NULL && strstr(cause, expect) != NULL);
	if (cause != NULL && strstr(cause, expect) == NULL)
		printf("  got: %s\n", cause);
	model_response_clear(&resp);
	free(cause);
	free(log);
}

static void
test_failures(void)
{
	static const struct mock_reply bad_json = { 200, NULL,
		"{\"choices\":[{\"message\":", 0, 0, 0, 0 };
	static const struct mock_reply bad_sse = { 200, NULL,
		"data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
		"data: {not json}\n\n",
		0, 0, 0, 0 };
	static const struct mock_reply cut = { 200, NULL,
		"data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
		"data: {\"choices\":[{\"delta\":{\"content\":\"b\"}}]}\n\n",
		0, 60, 0, 0 };
	static const struct mock_reply stall = { 200, NULL, test_ok_json, 0, 0,
		3000, 0 };
	static struct mock_reply big = { 200, NULL, NULL, 0, 0, 0, 0 };
	size_t n = (16u << 20) + 100;
	char *huge = malloc(n + 1);
	time_t t0;

	test_failure("malformed JSON reported", &bad_json, "?stream=0",
	    "not a chat completion");
	test_failure("malformed SSE chunk reported", &bad_sse, "",
	    "malformed JSON in the stream");
	test_failure("stream cut mid-way reported", &cut, "",
	    "chat completions");
	t0 = time(NULL);
	test_failure("stalled server times out", &stall, "?timeout=1&retries=1",
	    "chat completions failed");
	TEST_CHECK("stall bounded by the timeout", time(NULL) - t0 <= 3);
	memset(huge, ' ', n);
	huge[0] = '{';
	huge[n - 1] = '}';
	huge[n] = '\0';
	big.body = huge;
	test_failure("oversized body refused", &big, "?stream=0",
	    "larger than");
	free(huge);
}

static void
test_uris(void)
{
	int usage_error;
	char *cause = NULL;
	struct model *m;

	m = model_open("openai:http://127.0.0.1:1/v1", NULL, &usage_error,
	    &cause);
	TEST_CHECK("URI without #MODEL refused",
	    m == NULL && cause != NULL && strstr(cause, "#MODEL") != NULL);
	free(cause);
	cause = NULL;
	m = model_open("openai:http://127.0.0.1:1/v1?colour=red#m", NULL,
	    &usage_error, &cause);
	TEST_CHECK("unknown option refused",
	    m == NULL && cause != NULL && strstr(cause, "colour") != NULL);
	free(cause);
	cause = NULL;
	m = model_open("openai:http://127.0.0.1:1/v1#m?stream=0", NULL,
	    &usage_error, &cause);
	TEST_CHECK("options after the fragment accepted", m != NULL);
	if (m != NULL)
		TEST_STREQ("name kept", model_name(m),
		    "openai:http://127.0.0.1:1/v1#m?stream=0");
	model_close(m);
	free(cause);
}

int
main(void)
{
	test_uris();
	test_json_tool_call();
	test_sse_stream();
	test_sse_tool_call_and_tags();
	test_base_url_env();
	test_retry_then_success();
	test_validation_error();
	test_failures();
	return TEST_REPORT();
}
