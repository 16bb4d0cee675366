/*
 * unit-backend-aws.c: the Bedrock and SageMaker backends against scripted
 * servers on 127.0.0.1 speaking JSON and binary event streams (frames
 * built here with their own CRC-32, checked against the spec's vectors).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/aws-sigv4.h"
#include "model/model.h"
#include "tests/mock-server.h"
#include "tests/testlib.h"

/* --- event-stream frames, written from the spec's layout --------------- */

static uint32_t
t_crc32(uint32_t crc, const unsigned char *p, size_t n)
{
	int k;

	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
	}
	return ~crc;
}

static void
t_be32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* Appends one frame with string headers NAMES[i]=VALUES[i] to OUT. */
static size_t
t_frame(unsigned char *out, const char *const *hdrs, const char *payload,
    size_t plen)
{
	unsigned char h[1024];
	size_t hl = 0, n, total, i;

	for (i = 0; hdrs[i] != NULL; i += 2) {
		n = strlen(hdrs[i]);
		h[hl++] = (unsigned char)n;
		memcpy(h + hl, hdrs[i], n);
		hl += n;
		h[hl++] = 7;
		n = strlen(hdrs[i + 1]);
		h[hl++] = (unsigned char)(n >> 8);
		h[hl++] = (unsigned char)n;
		memcpy(h + hl, hdrs[i + 1], n);
		hl += n;
	}
	total = 16 + hl + plen;
	t_be32(out, (uint32_t)total);
	t_be32(out + 4, (uint32_t)hl);
	t_be32(out + 8, t_crc32(0, out, 8));
	memcpy(out + 12, h, hl);
	memcpy(out + 12 + hl, payload, plen);
	t_be32(out + total - 4, t_crc32(0, out, total - 4));
	return total;
}

static size_t
t_event(unsigned char *out, const char *type, const char *json)
{
	const char *hdrs[] = { ":event-type", type, ":content-type",
		"application/json", ":message-type", "event", NULL };

	return t_frame(out, hdrs, json, strlen(json));
}

static size_t
t_exception(unsigned char *out, const char *type, const char *json)
{
	const char *hdrs[] = { ":message-type", "exception", ":exception-type",
		type, ":content-type", "application/json", NULL };

	return t_frame(out, hdrs, json, strlen(json));
}

static size_t
t_raw_event(unsigned char *out, const char *type, const char *bytes)
{
	const char *hdrs[] = { ":event-type", type, ":message-type", "event",
		NULL };

	return t_frame(out, hdrs, bytes, strlen(bytes));
}

static char *
t_hex(const unsigned char *p, size_t n)
{
	char *s = malloc(2 * n + 1);
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(s + 2 * i, "%02x", p[i]);
	return s;
}

static void
test_frame_vectors(void)
{
	unsigned char f[512];
	size_t n;
	char *hex;

	n = t_event(f, "chunk",
	    "{\"bytes\":\"eyJjaG9pY2VzIjpbeyJpbmRleCI6MC"
	    "wiZGVsdGEiOnsiY29udGVudCI6IkhpIn19XX0=\"}");
	hex = t_hex(f, n);
	TEST_STREQ("test encoder matches the spec's chunk frame", hex,
	    "000000ab0000004b83dbe9f60b3a6576656e742d747970650700056368756e6b0d"
	    "3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0d"
	    "3a6d6573736167652d747970650700056576656e747b226279746573223a226579"
	    "4a6a614739705932567a496a706265794a70626d526c654349364d4377695a4756"
	    "73644745694f6e7369593239756447567564434936496b6870496e31395858303d"
	    "227deaeea31d");
	free(hex);
	n = t_exception(f, "throttlingException",
	    "{\"message\":\"Too many requests\"}");
	hex = t_hex(f, n);
	TEST_STREQ("test encoder matches the spec's exception frame", hex,
	    "00000090000000618e91a9b70d3a6d6573736167652d74797065070009657863"
	    "657074696f6e0f3a657863657074696f6e2d747970650700137468726f74746c"
	    "696e67457863657074696f6e0d3a636f6e74656e742d74797065070010617070"
	    "6c69636174696f6e2f6a736f6e7b226d657373616765223a22546f6f206d616e"
	    "79207265717565737473227d9d6b6211");
	free(hex);
}

/* --- one chat turn ------------------------------------------------------ */

static int
t_chat(const char *uri, struct model_response *resp, char **cause)
{
	struct model_params p = { "medium", 256, 0.2, -1, -1, NULL };
	struct model_request req = { 0 };
	cJSON *msgs = cJSON_CreateArray(), *a, *calls, *c, *res;
	cJSON *tools = cJSON_Parse(
	    "[{\"name\":\"analyze_stock_performance\","
	    "\"description\":\"Scores\",\"parameters\":{\"type\":\"object\","
	    "\"properties\":{\"symbol\":{\"type\":\"string\"}}}}]");
	struct model *m;
	int usage_error, rc = -1;

	cJSON_AddItemToArray(msgs, model_message("system", "You analyze."));
	cJSON_AddItemToArray(msgs, model_message("user", "Analyze SIM_STOCK"));
	a = model_message("assistant", "");
	calls = cJSON_AddArrayToObject(a, "tool_calls");
	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "id", "tooluse_1");
	cJSON_AddStringToObject(c, "name", "analyze_stock_performance");
	cJSON_AddStringToObject(c, "arguments", "{\"symbol\":\"SIM_STOCK\"}");
	cJSON_AddItemToArray(calls, c);
	cJSON_AddItemToArray(msgs, a);
	res = cJSON_Parse("{\"score\":61}");
	cJSON_AddItemToArray(msgs,
	    model_tool_result("tooluse_1", "analyze_stock_performance", res));
	cJSON_Delete(res);
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

struct t_run {
	struct mock_server s;
	struct model_response resp;
	char *cause;
	char *log;
	int rc;
};

static void
t_run(struct t_run *r, const char *fmt, const struct mock_reply *replies, int n)
{
	char uri[512];

	memset(r, 0, sizeof *r);
	r->rc = -2;
	if (mock_start(&r->s, replies, n) != 0)
		return;
		/* fmt is one of this file's URI templates with one %d (the
		 * port). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(uri, sizeof uri, fmt, r->s.port);
#pragma GCC diagnostic pop
	r->rc = t_chat(uri, &r->resp, &r->cause);
	r->log = mock_stop(&r->s);
	if (r->rc != 0 && r->cause != NULL)
		printf("  (%s: %s)\n", uri, r->cause);
}

static void
t_done(struct t_run *r)
{
	model_response_clear(&r->resp);
	free(r->cause);
	free(r->log);
}

/* --- Bedrock ------------------------------------------------------------ */

#define BR                                                                     \
	"bedrock:openai.gpt-oss-120b-1:0?region=us-east-1&"                    \
	"endpoint=http://127.0.0.1:%d"

static void
test_sigv4_vector(void)
{
	struct sigv4_credentials cred = { "AKIDEXAMPLE",
		"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NULL };
	struct sigv4_request sr = { 0 };
	struct http_headers h, out;
	const char *body = "{\"messages\":[{\"role\":\"user\",\"content\":"
			   "\"hi\"}],\"max_completion_tokens\":16}";
	char *label = sigv4_uri_encode("openai.gpt-oss-120b-1:0", 23, 0);
	char *path = NULL, *cause = NULL;

	path = malloc(strlen(label) + 16);
	sprintf(path, "/model/%s/invoke", label);
	TEST_STREQ("model id encoded in the wire path", path,
	    "/model/openai.gpt-oss-120b-1%3A0/invoke");
	http_headers_init(&h);
	http_headers_init(&out);
	http_headers_add(&h, "Content-Type", "application/json");
	sr.method = "POST";
	sr.host = "bedrock-runtime.us-east-1.amazonaws.com";
	sr.path = path;
	sr.headers = &h;
	sr.body = body;
	sr.body_len = strlen(body);
	sr.region = "us-east-1";
	sr.service = "bedrock";
	sr.when = 1440938160; /* 20150830T123600Z */
	TEST_CHECK("bedrock vector signs",
	    sigv4_sign(&sr, &cred, &out, &cause) == 0);
	TEST_CHECK("signature equals the spec's vector",
	    http_headers_get(&out, "Authorization") != NULL &&
		strstr(http_headers_get(&out, "Authorization"),
		    "Signature="
		    "5396cc0a9f541cfe78a01e7acdf28dda7cfcc1d97c076da9f16046016e"
		    "927b0c") != NULL);
	http_headers_free(&h);
	http_headers_free(&out);
	free(label);
	free(path);
	free(cause);
}

/* Recomputes the signature of the logged request from its X-Amz-Date. */
static int
t_signature_matches(const char *log, int port, const char *path)
{
	struct sigv4_credentials cred = { "AKIDTEST", "secretTEST", NULL };
	struct sigv4_request sr = { 0 };
	struct http_headers h, out;
	const char *d = strstr(log, "X-Amz-Date: "), *body, *auth;
	char host[64], *cause = NULL;
	struct tm tm = { 0 };
	int ok = 0;

	body = strstr(log, "\r\n\r\n");
	auth = strstr(log, "Authorization: ");
	if (d == NULL || body == NULL || auth == NULL ||
	    strptime(d + 12, "%Y%m%dT%H%M%SZ", &tm) == NULL)
		return 0;
	body += 4;
	http_headers_init(&h);
	http_headers_init(&out);
	http_headers_add(&h, "Content-Type", "application/json");
	http_headers_add(&h, "Accept", "application/json");
	snprintf(host, sizeof host, "127.0.0.1:%d", port);
	sr.method = "POST";
	sr.host = host;
	sr.path = path;
	sr.headers = &h;
	sr.body = body;
	sr.body_len = strcspn(body, "\n"); /* JSON bodies are one line */
	sr.region = "us-east-1";
	sr.service = "bedrock";
	sr.when = timegm(&tm);
	if (sigv4_sign(&sr, &cred, &out, &cause) == 0) {
		const char *want = http_headers_get(&out, "Authorization");

		ok = strncmp(auth + 15, want, strlen(want)) == 0;
	}
	http_headers_free(&h);
	http_headers_free(&out);
	free(cause);
	return ok;
}

static void
test_converse(void)
{
	static const struct mock_reply r[] = { { 200,
	    "Content-Type: application/json\r\n",
	    "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":["
	    "{\"reasoningContent\":{\"reasoningText\":{\"text\":\"Score is "
	    "61.\"}}},{\"text\":\"<reasoning>tag</reasoning>SIM_STOCK "
	    "scores 61.\"}]}},\"stopReason\":\"end_turn\",\"usage\":{"
	    "\"inputTokens\":120,\"outputTokens\":40,\"totalTokens\":160},"
	    "\"metrics\":{\"latencyMs\":812}}",
	    0, 0, 0, 0 } };
	struct t_run t;

	t_run(&t, BR "&stream=0&guardrail=gr-abc:3", r, 1);
	TEST_CHECK("Converse answer accepted", t.rc == 0);
	TEST_STREQ("text without tags", t.resp.content, "SIM_STOCK scores 61.");
	TEST_STREQ("reasoning block and tag both kept", t.resp.reasoning,
	    "Score is 61.\ntag");
	TEST_STREQ("end_turn is stop", t.resp.stop_reason, "stop");
	TEST_CHECK("Converse usage",
	    t.resp.prompt_tokens == 120 && t.resp.completion_tokens == 40);
	if (t.log == NULL) {
		t_done(&t);
		return;
	}
	TEST_CHECK("Converse path with the encoded model id",
	    strstr(t.log,
		"POST /model/openai.gpt-oss-120b-1%3A0/converse HTTP") != NULL);
	TEST_CHECK("SigV4 for service bedrock",
	    strstr(t.log, "Credential=AKIDTEST/") &&
		strstr(t.log, "/us-east-1/bedrock/aws4_request"));
	TEST_CHECK("signature verifies",
	    t_signature_matches(t.log, t.s.port,
		"/model/openai.gpt-oss-120b-1%3A0/converse"));
	TEST_CHECK("system block",
	    strstr(t.log, "\"system\":[{\"text\":\"You analyze.\"}]") != NULL);
	TEST_CHECK("toolUse block sent back",
	    strstr(t.log,
		"{\"toolUse\":{\"toolUseId\":\"tooluse_1\",\"name\":"
		"\"analyze_stock_performance\",\"input\":{\"symbol\":"
		"\"SIM_STOCK\"}}}") != NULL);
	TEST_CHECK("toolResult in a user message",
	    strstr(t.log,
		"{\"role\":\"user\",\"content\":[{\"toolResult\":{"
		"\"toolUseId\":"
		"\"tooluse_1\",\"content\":[{\"json\":{\"score\":61}}],"
		"\"status\":\"success\"}}]}") != NULL);
	TEST_CHECK("toolSpec",
	    strstr(t.log,
		"\"toolConfig\":{\"tools\":[{"
		"\"toolSpec\":{\"name\":\"analyze_stock_performance\"") !=
		NULL);
	TEST_CHECK("inference config",
	    strstr(t.log,
		"\"inferenceConfig\":{\"maxTokens\":256,\"temperature\":0.2}"));
	TEST_CHECK("reasoning effort as an additional field",
	    strstr(t.log,
		"\"additionalModelRequestFields\":{\"reasoning_effort\":"
		"\"medium\"}") != NULL);
	TEST_CHECK("guardrail config",
	    strstr(t.log,
		"\"guardrailConfig\":{"
		"\"guardrailIdentifier\":\"gr-abc\",\"guardrailVersion\":"
		"\"3\"") != NULL);
	t_done(&t);
}

static void
test_converse_stream(void)
{
	static unsigned char body[8192];
	static struct mock_reply r[] = { { 200,
	    "Content-Type: application/vnd.amazon.eventstream\r\n",
	    (const char *)body, 0, 0, 0, 7 } };
	size_t n = 0;
	struct t_run t;

	n += t_event(body + n, "messageStart",
	    "{\"p\":\"abcdef\","
	    "\"role\":\"assistant\"}");
	n += t_event(body + n, "contentBlockDelta",
	    "{\"contentBlockIndex\":0,"
	    "\"delta\":{\"reasoningContent\":{\"text\":\"Need scores.\"}},"
	    "\"p\":\"xy\"}");
	n += t_event(body + n, "contentBlockStop", "{\"contentBlockIndex\":0}");
	n += t_event(body + n, "contentBlockStart",
	    "{\"contentBlockIndex\":1,"
	    "\"start\":{\"toolUse\":{\"toolUseId\":\"tooluse_B\",\"name\":"
	    "\"analyze_stock_performance\"}}}");
	n += t_event(body + n, "contentBlockDelta",
	    "{\"contentBlockIndex\":1,"
	    "\"delta\":{\"toolUse\":{\"input\":\"{\\\"sym\"}}}");
	n += t_event(body + n, "contentBlockDelta",
	    "{\"contentBlockIndex\":1,"
	    "\"delta\":{\"toolUse\":{\"input\":\"bol\\\":\\\"SIM_STOCK\\\"}\"}}"
	    "}");
	n += t_event(body + n, "contentBlockStop", "{\"contentBlockIndex\":1}");
	n += t_event(body + n, "messageStop", "{\"stopReason\":\"tool_use\"}");
	n += t_event(body + n, "metadata",
	    "{\"usage\":{\"inputTokens\":30,"
	    "\"outputTokens\":7,\"totalTokens\":37},\"metrics\":{"
	    "\"latencyMs\":5}}");
	r[0].body_len = n;
	t_run(&t, BR, r, 1);
	TEST_CHECK("ConverseStream accepted", t.rc == 0);
	TEST_CHECK("streamed toolUse assembled", t.resp.n_calls == 1);
	if (t.resp.n_calls == 1) {
		TEST_STREQ("toolUse id", t.resp.calls[0].id, "tooluse_B");
		TEST_STREQ("toolUse input joined", t.resp.calls[0].arguments,
		    "{\"symbol\":\"SIM_STOCK\"}");
	}
	TEST_STREQ("streamed reasoning", t.resp.reasoning, "Need scores.");
	TEST_STREQ("tool_use is tool_calls", t.resp.stop_reason, "tool_calls");
	TEST_CHECK("metadata usage",
	    t.resp.prompt_tokens == 30 && t.resp.completion_tokens == 7);
	TEST_CHECK("converse-stream path",
	    t.log &&
		strstr(t.log,
		    "POST /model/openai.gpt-oss-120b-1%3A0/converse-stream "
		    "HTTP"));
	t_done(&t);
}

static void
test_stream_errors(void)
{
	static unsigned char ok[1024], exc[1024], crc[1024];
	static struct mock_reply r_exc = { 200, NULL, (const char *)exc, 0, 0,
		0, 0 };
	static struct mock_reply r_crc = { 200, NULL, (const char *)crc, 0, 0,
		0, 0 };
	static struct mock_reply r_cut = { 200, NULL, (const char *)ok, 0, 0, 0,
		0 };
	size_t n, m;
	struct t_run t;

	n = t_event(ok, "contentBlockDelta",
	    "{\"contentBlockIndex\":0,"
	    "\"delta\":{\"text\":\"Hel\"}}");
	m = n +
	    t_exception(ok + n, "throttlingException",
		"{\"message\":\"Too many requests\"}");
	memcpy(exc, ok, m);
	r_exc.body_len = m;
	t_run(&t, BR, &r_exc, 1);
	TEST_CHECK("mid-stream exception reported with its type",
	    t.rc == -1 && t.cause &&
		strstr(t.cause, "throttlingException: Too many requests"));
	t_done(&t);
	memcpy(crc, ok, n);
	crc[n - 6] ^= 0x20; /* payload byte: message CRC breaks */
	r_crc.body_len = n;
	t_run(&t, BR, &r_crc, 1);
	TEST_CHECK("bad CRC reported",
	    t.rc == -1 && t.cause &&
		(strstr(t.cause, "CRC") || strstr(t.cause, "crc")));
	t_done(&t);
	r_cut.body_len = n + 20;
	memcpy(ok + n, exc + n, 20);
	t_run(&t, BR, &r_cut, 1);
	TEST_CHECK("stream cut mid-frame reported",
	    t.rc == -1 && t.cause &&
		strstr(t.cause, "bedrock converse-stream"));
	t_done(&t);
}

static void
test_bedrock_errors(void)
{
	static const struct mock_reply retry[] = {
		{ 400,
		    "x-amzn-ErrorType: ThrottlingException:http://internal."
		    "amazon.com/coral/\r\n",
		    "{\"message\":\"Rate exceeded\"}", 0, 0, 0, 0 },
		{ 503, NULL, "{\"message\":\"unavailable\"}", 0, 0, 0, 0 },
		{ 200, NULL,
		    "{\"output\":{\"message\":{\"role\":\"assistant\","
		    "\"content\":[{\"text\":\"ok\"}]}},\"stopReason\":"
		    "\"end_turn\",\"usage\":{\"inputTokens\":1,"
		    "\"outputTokens\":"
		    "1,\"totalTokens\":2}}",
		    0, 0, 0, 0 },
	};
	static const struct mock_reply invalid[] = {
		{ 400,
		    "x-amzn-ErrorType: ValidationException\r\n"
		    "x-amzn-RequestId: req-42\r\n",
		    "{\"message\":\"The provided model identifier is "
		    "invalid.\"}",
		    0, 0, 0, 0 },
		{ 200, NULL, "{}", 0, 0, 0, 0 },
	};
	struct t_run t;

	t_run(&t, BR "&stream=0", retry, 3);
	TEST_CHECK("throttling (as 400) and 503 retried, then success",
	    t.rc == 0 && t.resp.content && strcmp(t.resp.content, "ok") == 0);
	TEST_CHECK("three attempts", t.log && mock_count(t.log) == 3);
	t_done(&t);
	t_run(&t, BR "&stream=0", invalid, 2);
	TEST_CHECK("validation error shown with code, message, request id",
	    t.rc == -1 && t.cause &&
		strstr(t.cause,
		    "ValidationException: "
		    "The provided model identifier is invalid. (HTTP 400, "
		    "request id "
		    "req-42)"));
	TEST_CHECK("validation error not retried",
	    t.log && mock_count(t.log) == 1);
	t_done(&t);
}

static void
test_invoke(void)
{
	static const struct mock_reply r[] = { { 200, NULL,
	    "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\","
	    "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
	    "\"content\":\"<reasoning>Check score.</reasoning>Score 61.\"},"
	    "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":9,"
	    "\"completion_tokens\":3,\"total_tokens\":12},"
	    "\"amazon-bedrock-guardrailAction\":\"INTERVENED\"}",
	    0, 0, 0, 0 } };
	struct t_run t;

	t_run(&t, BR "&api=invoke&stream=0&guardrail=gr-1:DRAFT", r, 1);
	TEST_CHECK("InvokeModel answer accepted", t.rc == 0);
	TEST_STREQ("content after the reasoning tags", t.resp.content,
	    "Score 61.");
	TEST_STREQ("reasoning from the tags", t.resp.reasoning, "Check score.");
	TEST_STREQ("guardrail intervention reported", t.resp.stop_reason,
	    "guardrail_intervened");
	TEST_CHECK("invoke path",
	    t.log &&
		strstr(t.log,
		    "POST /model/openai.gpt-oss-120b-1%3A0/invoke HTTP"));
	TEST_CHECK("guardrail headers",
	    t.log &&
		strstr(t.log, "X-Amzn-Bedrock-GuardrailIdentifier: gr-1") &&
		strstr(t.log, "X-Amzn-Bedrock-GuardrailVersion: DRAFT"));
	TEST_CHECK("OpenAI body with max_completion_tokens",
	    t.log && strstr(t.log, "\"max_completion_tokens\":256") &&
		strstr(t.log, "\"tool_call_id\":\"tooluse_1\""));
	TEST_CHECK("model field omitted",
	    t.log && strstr(t.log, "\"model\"") == NULL);
	t_done(&t);
}

static void
test_invoke_stream(void)
{
	static unsigned char body[4096];
	static struct mock_reply r[] = { { 200, NULL, (const char *)body, 0, 0,
	    0, 3 } };
	size_t n = 0;
	struct t_run t;

	/* {"choices":[{"index":0,"delta":{"content":"Hi"}}]} (spec vector) */
	n += t_event(body + n, "chunk",
	    "{\"bytes\":\"eyJjaG9pY2VzIjpbeyJpbm"
	    "RleCI6MCwiZGVsdGEiOnsiY29udGVudCI6IkhpIn19XX0=\"}");
	/* {"choices":[{"index":0,"delta":{"content":" there"},
	 *  "finish_reason":"stop"}],"amazon-bedrock-invocationMetrics":
	 *  {"inputTokenCount":11,"outputTokenCount":2}} */
	n += t_event(body + n, "chunk",
	    "{\"bytes\":\"eyJjaG9pY2VzIjpbeyJpbm"
	    "RleCI6MCwiZGVsdGEiOnsiY29udGVudCI6IiB0aGVyZSJ9LCJmaW5pc2hfcmVh"
	    "c29uIjoic3RvcCJ9XSwiYW1hem9uLWJlZHJvY2staW52b2NhdGlvbk1ldHJpY3Mi"
	    "OnsiaW5wdXRUb2tlbkNvdW50IjoxMSwib3V0cHV0VG9rZW5Db3VudCI6Mn19\"}");
	r[0].body_len = n;
	t_run(&t, BR "&api=invoke", r, 1);
	TEST_CHECK("InvokeModelWithResponseStream accepted", t.rc == 0);
	TEST_STREQ("chunks joined", t.resp.content, "Hi there");
	TEST_CHECK("invocation metrics as usage",
	    t.resp.prompt_tokens == 11 && t.resp.completion_tokens == 2);
	TEST_CHECK("stream path and accept header",
	    t.log && strstr(t.log, "/invoke-with-response-stream HTTP") &&
		strstr(t.log, "X-Amzn-Bedrock-Accept: application/json"));
	t_done(&t);
}

static void
test_bearer_and_env(void)
{
	static const struct mock_reply r[] = { { 200, NULL,
	    "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":"
	    "[{\"text\":\"k\"}]}},\"stopReason\":\"end_turn\",\"usage\":{"
	    "\"inputTokens\":1,\"outputTokens\":1,\"totalTokens\":2}}",
	    0, 0, 0, 0 } };
	char env[64];
	struct t_run t;
	struct model *m;
	char *cause = NULL;
	int ue;

	setenv("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-TEST", 1);
	memset(&t, 0, sizeof t);
	if (mock_start(&t.s, r, 1) == 0) {
		snprintf(env, sizeof env, "http://127.0.0.1:%d", t.s.port);
		setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", env, 1);
		t.rc = t_chat("bedrock:openai.gpt-oss-20b-1:0?stream=0",
		    &t.resp, &t.cause);
		t.log = mock_stop(&t.s);
		TEST_CHECK("API key request succeeds via the endpoint "
			   "variable",
		    t.rc == 0);
		TEST_CHECK("Bearer API key sent, no SigV4",
		    t.log &&
			strstr(t.log,
			    "Authorization: Bearer bedrock-api-key-TEST") &&
			strstr(t.log, "X-Amz-Date") == NULL);
	}
	t_done(&t);
	unsetenv("AWS_BEARER_TOKEN_BEDROCK");
	unsetenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME");
	unsetenv("AWS_REGION");
	m = model_open("bedrock:openai.gpt-oss-20b-1:0", NULL, &ue, &cause);
	TEST_CHECK("missing region explained",
	    m == NULL && cause && strstr(cause, "AWS_REGION") && !ue);
	free(cause);
	cause = NULL;
	m = model_open("bedrock:m?region=x&guardrail=nover", NULL, &ue, &cause);
	TEST_CHECK("bad guardrail option explained",
	    m == NULL && cause && strstr(cause, "ID:VERSION"));
	free(cause);
	setenv("AWS_REGION", "us-east-1", 1);
}

/* --- SageMaker ---------------------------------------------------------- */

#define SM                                                                     \
	"sagemaker:gpt-oss-ep?region=us-east-1&"                               \
	"endpoint=http://127.0.0.1:%d"

static void
test_sagemaker(void)
{
	static const struct mock_reply r[] = {
		{ 429, "x-amzn-ErrorType: ModelNotReadyException\r\n",
		    "{\"message\":\"Model is loading\"}", 0, 0, 0, 0 },
		{ 200, NULL,
		    "{\"choices\":[{\"index\":0,\"message\":{\"role\":"
		    "\"assistant\",\"content\":\"Fine.\",\"reasoning_content\":"
		    "\"ok\"},\"finish_reason\":\"stop\"}],\"usage\":{"
		    "\"prompt_tokens\":4,\"completion_tokens\":1}}",
		    0, 0, 0, 0 },
	};
	struct t_run t;

	t_run(&t, SM "&stream=0&component=ic-gptoss&custom-attributes=a=1", r,
	    2);
	TEST_CHECK("InvokeEndpoint after ModelNotReady retry",
	    t.rc == 0 && t.resp.content &&
		strcmp(t.resp.content, "Fine.") == 0);
	TEST_STREQ("vLLM reasoning_content", t.resp.reasoning, "ok");
	TEST_CHECK("two attempts", t.log && mock_count(t.log) == 2);
	TEST_CHECK("invocations path",
	    t.log &&
		strstr(t.log, "POST /endpoints/gpt-oss-ep/invocations HTTP"));
	TEST_CHECK("inference component header",
	    t.log &&
		strstr(t.log,
		    "X-Amzn-SageMaker-Inference-Component: ic-gptoss"));
	TEST_CHECK("custom attributes header",
	    t.log && strstr(t.log, "X-Amzn-SageMaker-Custom-Attributes: a=1"));
	TEST_CHECK("signed for sagemaker",
	    t.log && strstr(t.log, "/us-east-1/sagemaker/aws4_request"));
	t_done(&t);
}

static void
test_sagemaker_stream(int sse)
{
	static unsigned char body[4096];
	static struct mock_reply r[] = { { 200, NULL, (const char *)body, 0, 0,
	    0, 5 } };
	const char *text = sse ?
	    "data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":"
	    "\"Think\"}}]}\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{"
	    "\"tool_calls\":[{\"index\":0,\"id\":\"c1\",\"function\":{\"name\":"
	    "\"analyze_stock_performance\",\"arguments\":\"{}\"}}]},"
	    "\"finish_reason\":\"tool_calls\"}]}\n\ndata: [DONE]\n\n" :
	    "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Line one\"}}]}"
	    "\n{\"choices\":[{\"index\":0,\"delta\":{\"content\":\" done\"},"
	    "\"finish_reason\":\"stop\"}]}\n";
	char part[64];
	size_t n = 0, off, len = strlen(text), step = 23;
	struct t_run t;

	/* PayloadParts split lines (and JSON) at arbitrary points. */
	for (off = 0; off < len; off += step) {
		snprintf(part, sizeof part, "%.*s", (int)step, text + off);
		n += t_raw_event(body + n, "PayloadPart", part);
	}
	r[0].body_len = n;
	t_run(&t, SM, r, 1);
	TEST_CHECK(sse ? "SSE stream over PayloadParts" :
			 "JSON lines over PayloadParts",
	    t.rc == 0);
	if (sse) {
		TEST_STREQ("reasoning reassembled", t.resp.reasoning, "Think");
		TEST_CHECK("tool call reassembled", t.resp.n_calls == 1);
	} else {
		TEST_STREQ("content reassembled", t.resp.content,
		    "Line one done");
	}
	TEST_CHECK("stream path",
	    t.log &&
		strstr(t.log,
		    "/endpoints/gpt-oss-ep/invocations-response-stream HTTP"));
	t_done(&t);
}

int
main(void)
{
	setenv("HOME", "/nonexistent", 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "secretTEST", 1);
	setenv("AWS_REGION", "us-east-1", 1);
	unsetenv("AWS_SESSION_TOKEN");
	unsetenv("AWS_BEARER_TOKEN_BEDROCK");
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME");
	unsetenv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME");
	test_frame_vectors();
	test_sigv4_vector();
	test_converse();
	test_converse_stream();
	test_stream_errors();
	test_bedrock_errors();
	test_invoke();
	test_invoke_stream();
	test_bearer_and_env();
	test_sagemaker();
	test_sagemaker_stream(1);
	test_sagemaker_stream(0);
	return TEST_REPORT();
}
