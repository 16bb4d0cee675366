/*
 * unit-http.c: the libcurl wrapper against scripted servers on 127.0.0.1:
 * bodies and headers, retries and their backoff, size caps, timeouts,
 * streaming, uploads from memory and from a file.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/http.h"
#include "lib/xmalloc.h"
#include "tests/fake-http.h"
#include "tests/testlib.h"

struct sleeps {
	long ms[16];
	int n;
};

static void
record_sleep(long ms, void *arg)
{
	struct sleeps *s = arg;

	if (s->n < 16)
		s->ms[s->n++] = ms;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static char *
url_for(const struct fake_server *s, const char *path)
{
	return xasprintf("http://127.0.0.1:%d%s", s->port, path);
}

static void
test_get(void)
{
	struct fake_response script[] = {
		{ 200, "ETag: \"abc\"\r\nX-Amzn-RequestId: r-1\r\n", "hello",
		    0 },
	};
	struct fake_server s;
	struct http_request req = { .method = "GET" };
	struct http_response resp;
	char *cause = NULL, *url, *log;

	fake_server_start(&s, script, 1);
	url = url_for(&s, "/a/b?x=1");
	req.url = url;
	http_response_init(&resp);
	TEST_CHECK("GET succeeds", http_perform(&req, &resp, &cause) == 0);
	TEST_CHECK("status 200", resp.status == 200);
	TEST_STREQ("body", resp.body.data, "hello");
	TEST_STREQ("response header captured, case-insensitive",
	    http_headers_get(&resp.headers, "etag"), "\"abc\"");
	TEST_STREQ("request id",
	    http_headers_get(&resp.headers, "x-amzn-requestid"), "r-1");
	log = fake_server_log(&s);
	TEST_CHECK("server saw the path and query",
	    strstr(log, "GET /a/b?x=1 HTTP/1.1") != NULL);
	TEST_CHECK("no Expect: 100-continue", strstr(log, "Expect") == NULL);
	free(log);
	http_response_free(&resp);
	fake_server_stop(&s);
	free(url);
}

static int prepared;

static int
prepare(void *arg, struct http_headers *h, char **cause)
{
	(void)arg;
	(void)cause;
	prepared++;
	http_headers_add(h, "X-Attempt", prepared == 1 ? "one" : "two");
	return 0;
}

static void
test_retry_then_ok(void)
{
	struct fake_response script[] = {
		{ 503, NULL, "<Error><Code>SlowDown</Code></Error>", 0 },
		{ 200, NULL, "ok", 0 },
	};
	struct fake_server s;
	struct sleeps sl = { .n = 0 };
	struct http_retry retry = { .max_attempts = 3,
		.base_delay_ms = 100,
		.sleep = record_sleep,
		.sleep_arg = &sl };
	struct http_request req = { .method = "PUT",
		.body = "data",
		.body_len = 4,
		.retry = &retry,
		.prepare = prepare };
	struct http_response resp;
	char *cause = NULL, *url, *log;

	fake_server_start(&s, script, 2);
	url = url_for(&s, "/k");
	req.url = url;
	http_response_init(&resp);
	prepared = 0;
	TEST_CHECK("503 then 200 succeeds",
	    http_perform(&req, &resp, &cause) == 0 && resp.status == 200);
	TEST_CHECK("two attempts", resp.attempts == 2);
	TEST_CHECK("one backoff within [0, base]",
	    sl.n == 1 && sl.ms[0] >= 0 && sl.ms[0] <= 100);
	TEST_CHECK("prepare ran before each attempt", prepared == 2);
	log = fake_server_log(&s);
	TEST_CHECK("each attempt carried its own prepared headers",
	    strstr(log, "X-Attempt: one") && strstr(log, "X-Attempt: two"));
	TEST_CHECK("the body was sent again on the retry",
	    strstr(strstr(log, "X-Attempt: two"), "\r\n\r\ndata") != NULL);
	free(log);
	http_response_free(&resp);
	fake_server_stop(&s);
	free(url);
}

static void
test_refused(void)
{
	struct sleeps sl = { .n = 0 };
	struct http_retry retry = { .max_attempts = 3,
		.base_delay_ms = 100,
		.sleep = record_sleep,
		.sleep_arg = &sl };
	struct http_request req = { .method = "GET", .retry = &retry };
	struct http_response resp;
	char *cause = NULL, *url;

	url = xasprintf("http://127.0.0.1:%d/x?secret=1", fake_closed_port());
	req.url = url;
	http_response_init(&resp);
	TEST_CHECK("refused connection fails",
	    http_perform(&req, &resp, &cause) == -1);
	TEST_CHECK("classified as a connection failure",
	    resp.error == HTTP_ERR_CONNECT && resp.status == 0);
	TEST_CHECK("three attempts, two backoffs",
	    resp.attempts == 3 && sl.n == 2 && sl.ms[1] <= 200);
	TEST_CHECK("cause names the URL and attempts",
	    cause && strstr(cause, "/x") && strstr(cause, "after 3 attempts"));
	TEST_CHECK("cause leaves the query out",
	    cause && strstr(cause, "secret") == NULL);
	free(cause);
	http_response_free(&resp);
	free(url);
}

static enum http_verdict
classify_throttle(const struct http_response *resp, void *arg)
{
	(void)arg;
	if (resp->status == 400 &&
	    strstr(resp->body.data ? resp->body.data : "",
		"ThrottlingException"))
		return HTTP_VERDICT_RETRY;
	return HTTP_VERDICT_DEFAULT;
}

static void
test_classifier_and_retry_after(void)
{
	struct fake_response script[] = {
		{ 400, NULL, "{\"__type\":\"ThrottlingException\"}", 0 },
		{ 429, "Retry-After: 1\r\n", "{}", 0 },
		{ 404, NULL, "missing", 0 },
	};
	struct fake_server s;
	struct sleeps sl = { .n = 0 };
	struct http_retry retry = { .max_attempts = 5,
		.base_delay_ms = 10,
		.classify = classify_throttle,
		.sleep = record_sleep,
		.sleep_arg = &sl };
	struct http_request req = { .method = "POST", .retry = &retry };
	struct http_response resp;
	char *cause = NULL, *url;

	fake_server_start(&s, script, 3);
	url = url_for(&s, "/invoke");
	req.url = url;
	http_response_init(&resp);
	TEST_CHECK("ends with a response",
	    http_perform(&req, &resp, &cause) == 0);
	TEST_CHECK("a 404 is final", resp.status == 404 && resp.attempts == 3);
	TEST_CHECK("classifier retried the throttling 400", sl.n == 2);
	TEST_CHECK("Retry-After stretched the second wait", sl.ms[1] >= 1000);
	http_response_free(&resp);
	fake_server_stop(&s);
	free(url);
}

static void
test_too_large(void)
{
	struct fake_response script[] = { { 200, NULL, "0123456789abcdef",
	    0 } };
	struct fake_server s;
	struct http_retry retry = { .max_attempts = 3 };
	struct http_request req = { .method = "GET",
		.max_response = 8,
		.retry = &retry };
	struct http_response resp;
	char *cause = NULL, *url;

	fake_server_start(&s, script, 1);
	url = url_for(&s, "/big");
	req.url = url;
	http_response_init(&resp);
	TEST_CHECK("a body over the cap fails",
	    http_perform(&req, &resp, &cause) == -1 &&
		resp.error == HTTP_ERR_TOO_LARGE);
	TEST_CHECK("and is not retried", resp.attempts == 1);
	TEST_CHECK("cause says the limit", cause && strstr(cause, "8 bytes"));
	free(cause);
	http_response_free(&resp);
	fake_server_stop(&s);
	free(url);
}

static void
test_stalls(void)
{
	struct fake_response script[] = {
		{ 200, NULL, "abcdefgh", 5000 },
		{ 200, NULL, "abcdefgh", 5000 },
	};
	struct fake_server s;
	struct http_request req = { .method = "GET",
		.low_speed_bytes = 100,
		.low_speed_s = 1 };
	struct http_response resp;
	char *cause = NULL, *url;
	double t0;

	fake_server_start(&s, script, 2);
	url = url_for(&s, "/slow");
	req.url = url;
	http_response_init(&resp);
	t0 = now_s();
	TEST_CHECK("a stalled server trips the low-speed limit",
	    http_perform(&req, &resp, &cause) == -1 &&
		resp.error == HTTP_ERR_TIMEOUT);
	TEST_CHECK("within about a second", now_s() - t0 < 3.5);
	free(cause);
	cause = NULL;
	req.low_speed_bytes = 0;
	req.timeout_ms = 300;
	t0 = now_s();
	TEST_CHECK("the total timeout holds too",
	    http_perform(&req, &resp, &cause) == -1 &&
		resp.error == HTTP_ERR_TIMEOUT && now_s() - t0 < 2.0);
	free(cause);
	http_response_free(&resp);
	fake_server_stop(&s);
	free(url);
}

static int
collect(void *arg, const char *data, size_t len)
{
	buf_append(arg, data, len);
	return 0;
}

static void
test_streaming_and_file(void)
{
	struct fake_response script[] = {
		{ 200, NULL, "data: one\n\ndata: two\n\n", 200 },
		{ 403, NULL, "<Error><Code>AccessDenied</Code></Error>", 0 },
		{ 201, NULL, "", 0 },
	};
	struct fake_server s;
	struct http_request req = { .method = "POST" };
	struct http_response resp;
	struct buf chunks;
	char *cause = NULL, *url, *log, path[] = "/tmp/unit-http-XXXXXX";
	int fd;

	fake_server_start(&s, script, 3);
	url = url_for(&s, "/stream");
	req.url = url;
	req.on_chunk = collect;
	req.chunk_arg = &chunks;
	buf_init(&chunks, 0);
	http_response_init(&resp);
	TEST_CHECK("stream succeeds", http_perform(&req, &resp, &cause) == 0);
	TEST_STREQ("chunks carry the whole body", chunks.data,
	    "data: one\n\ndata: two\n\n");
	TEST_CHECK("streamed bodies are not collected", resp.body.len == 0);
	buf_free(&chunks);
	TEST_CHECK("error response arrives",
	    http_perform(&req, &resp, &cause) == 0 && resp.status == 403);
	TEST_CHECK("error bodies are collected, not streamed",
	    chunks.len == 0 && strstr(resp.body.data, "AccessDenied"));

	fd = mkstemp(path);
	TEST_CHECK("temp file", fd >= 0 && write(fd, "%PDF-1.4 x", 10) == 10);
	close(fd);
	req.on_chunk = NULL;
	req.method = "PUT";
	req.body_path = path;
	TEST_CHECK("file upload",
	    http_perform(&req, &resp, &cause) == 0 && resp.status == 201);
	log = fake_server_log(&s);
	TEST_CHECK("file bytes and length sent",
	    strstr(log, "Content-Length: 10\r\n") &&
		strstr(log, "\r\n\r\n%PDF-1.4 x"));
	free(log);
	req.body_path = "/nonexistent/file.pdf";
	TEST_CHECK("a missing file fails locally",
	    http_perform(&req, &resp, &cause) == -1 &&
		resp.error == HTTP_ERR_LOCAL && cause &&
		strstr(cause, "/nonexistent/file.pdf"));
	free(cause);
	unlink(path);
	buf_free(&chunks);
	http_response_free(&resp);
	fake_server_stop(&s);
	free(url);
}

static void
test_helpers(void)
{
	struct http_retry r = { .base_delay_ms = 100, .max_delay_ms = 1000 };
	struct http_headers h;
	int i, ok = 1;

	for (i = 0; i < 200; i++) {
		long a1 = http_backoff_ms(&r, 1), a3 = http_backoff_ms(&r, 3);
		long a9 = http_backoff_ms(&r, 9);

		if (a1 < 0 || a1 > 100 || a3 < 0 || a3 > 400 || a9 < 0 ||
		    a9 > 1000)
			ok = 0;
	}
	TEST_CHECK("backoff grows by 2x and stays under the cap", ok);
	TEST_CHECK("authorization is secret",
	    http_header_is_secret("Authorization"));
	TEST_CHECK("session token is secret",
	    http_header_is_secret("x-amz-security-token"));
	TEST_CHECK("content-type is not secret",
	    !http_header_is_secret("Content-Type"));
	http_headers_init(&h);
	http_headers_add(&h, "A", "1");
	http_headers_add(&h, "a", "2");
	http_headers_set(&h, "A", "3");
	TEST_CHECK("set replaces every copy",
	    h.count == 1 && strcmp(http_headers_get(&h, "a"), "3") == 0);
	http_headers_free(&h);
}

int
main(void)
{
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	test_helpers();
	test_get();
	test_retry_then_ok();
	test_refused();
	test_classifier_and_retry_after();
	test_too_large();
	test_stalls();
	test_streaming_and_file();
	return TEST_REPORT();
}
