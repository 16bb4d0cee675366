/*
 * unit-fetch.c: the market providers' HTTP layer against scripted servers
 * on 127.0.0.1: the shared rate limiter, retries that honour Retry-After,
 * throttling said with HTTP 200, gzip bodies, size caps, a slow server,
 * cookies, and an API key that never reaches a message.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/http.h"
#include "lib/xmalloc.h"
#include "tests/fake-http.h"
#include "tests/testlib.h"
#include "tools/market/fetch.h"
#include "tools/market/market.h"

struct sleeps {
	long ms[16];
	int n;
};

static struct sleeps waits;
static pthread_mutex_t waits_lock = PTHREAD_MUTEX_INITIALIZER;

static void
record_sleep(long ms, void *arg)
{
	struct sleeps *s = arg;

	pthread_mutex_lock(&waits_lock);
	if (s->n < 16)
		s->ms[s->n++] = ms;
	pthread_mutex_unlock(&waits_lock);
}

static char *
url_for(const struct fake_server *s, const char *path)
{
	return xasprintf("http://127.0.0.1:%d%s", s->port, path);
}

/* A site's check: "Note" bodies are throttling, "Unknown" not found. */
static enum fetch_body
check(const char *body, size_t len, char **why)
{
	(void)len;
	if (strstr(body, "\"Note\"") != NULL) {
		*why = xstrdup("the provider's call frequency note");
		return FETCH_BODY_THROTTLED;
	}
	if (strstr(body, "Unknown symbol") != NULL)
		return FETCH_BODY_NOT_FOUND;
	if (fetch_body_is_html(body, len))
		return FETCH_BODY_OTHER;
	return FETCH_BODY_DATA;
}

static const struct fetch_site site = {
	.name = "test",
	.attempts = 3,
	.base_delay_ms = 10,
	.max_wait_ms = 5000,
	.timeout_ms = 5000,
	.check_body = check,
};

/* Runs SCRIPT and one fetch of PATH with SITE_; the server log in *LOG. */
static int
run(const struct fetch_site *site_, const struct fake_response *script,
    size_t n, const char *path, struct fetch_result *r, char **log)
{
	struct fake_server s;
	char *url;
	int rc;

	waits.n = 0;
	fake_server_start(&s, script, n);
	url = url_for(&s, path);
	fetch_result_init(r);
	rc = fetch_get(site_, url, NULL, NULL, r);
	if (log != NULL)
		*log = fake_server_log(&s);
	fake_server_stop(&s);
	free(url);
	return rc;
}

static void
test_ok_and_gzip(void)
{
	static const char gz[] =
	    "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xab\x56\x4a\xce\x48\x2c"
	    "\x2a\x51\xb2\xaa\x56\x2a\x4a\x2d\x2e\xcd\x01\xb2\xa2\x63\x75\x94"
	    "\x52\x8b\x8a\xf2\x8b\x94\xac\xf2\x4a\x73\x72\x6a\x6b\x01\x0b\xe2"
	    "\xad\x07\x24\x00\x00\x00";
	struct fake_response script[] = {
		{ 200, "Content-Encoding: gzip\r\n", gz, 0 },
	};
	size_t lens[] = { sizeof gz - 1 };
	struct fake_server s;
	struct fetch_result r;
	char *log = NULL, *url;
	int rc;

	fake_server_start_bin(&s, script, lens, 1);
	url = url_for(&s, "/chart");
	fetch_result_init(&r);
	rc = fetch_get(&site, url, NULL, NULL, &r);
	log = fake_server_log(&s);
	fake_server_stop(&s);
	free(url);
	TEST_CHECK("a gzip body is fetched",
	    rc == 0 && r.status == FETCH_OK && r.message == NULL);
	TEST_STREQ("the gzip body arrives decoded", r.body.data,
	    "{\"chart\":{\"result\":[],\"error\":null}}");
	TEST_CHECK("the request offers gzip",
	    log != NULL && strcasestr(log, "Accept-Encoding:") != NULL &&
		strstr(log, "gzip") != NULL);
	TEST_CHECK("the fetch time is recorded",
	    r.fetched_at >= (int64_t)time(NULL) - 60);
	free(log);
	fetch_result_free(&r);
}

static void
test_retry_after(void)
{
	struct fake_response script[] = {
		{ 429, "Retry-After: 2\r\n", "Too Many Requests", 0 },
		{ 200, NULL, "{\"data\":1}", 0 },
	};
	struct fetch_result r;

	TEST_CHECK("a 429 then data is data",
	    run(&site, script, 2, "/q", &r, NULL) == 0 &&
		r.status == FETCH_OK && r.attempts == 2);
	TEST_CHECK("the wait honours Retry-After: 2",
	    waits.n == 1 && waits.ms[0] > 1500 && waits.ms[0] <= 2000);
	fetch_result_free(&r);
}

static void
test_retry_after_too_long(void)
{
	struct fake_response script[] = {
		{ 429, "Retry-After: 3600\r\n", "Too Many Requests", 0 },
		{ 200, NULL, "{}", 0 },
	};
	struct fetch_site s = site;
	struct fetch_result r;

	s.name = "patient";
	TEST_CHECK("a Retry-After past the longest wait gives up at once",
	    run(&s, script, 2, "/q", &r, NULL) == -1 &&
		r.status == FETCH_THROTTLED && r.attempts == 1 && waits.n == 0);
	fetch_result_free(&r);
	fetch_result_init(&r);
	TEST_CHECK("and the next request of the process is not even sent",
	    fetch_get(&s, "http://127.0.0.1:1/q", NULL, NULL, &r) == -1 &&
		r.status == FETCH_THROTTLED && r.http_status == 0 &&
		strstr(r.message, "asked to wait") != NULL && waits.n == 0);
	fetch_result_free(&r);
}

static void
test_throttling_body(void)
{
	struct fake_response script[] = {
		{ 200, NULL, "{\"Note\": \"call frequency\"}", 0 },
		{ 200, NULL, "{\"Note\": \"call frequency\"}", 0 },
		{ 200, NULL, "{\"Note\": \"call frequency\"}", 0 },
	};
	struct fetch_result r;

	TEST_CHECK("throttling said with HTTP 200 is throttled, not data",
	    run(&site, script, 3, "/q", &r, NULL) == -1 &&
		r.status == FETCH_THROTTLED && r.attempts == 3);
	TEST_CHECK("the message says throttled and why",
	    r.message != NULL && strstr(r.message, "test: GET") != NULL &&
		strstr(r.message, "call frequency note") != NULL &&
		strstr(r.message, "after 3 attempts") != NULL);
	fetch_result_free(&r);
}

static void
test_statuses(void)
{
	struct fake_response nf[] = { { 404, NULL, "no", 0 } };
	struct fake_response body_nf[] = {
		{ 200, NULL, "Unknown symbol", 0 },
	};
	struct fake_response html[] = {
		{ 200, NULL, "  <!DOCTYPE html><html>Sorry</html>", 0 },
	};
	struct fake_response unauth[] = { { 401, NULL, "x", 0 } };
	struct fake_response down[] = {
		{ 503, NULL, "", 0 },
		{ 502, NULL, "", 0 },
		{ 200, NULL, "ok", 0 },
	};
	struct fetch_result r;

	TEST_CHECK("404 is not found, tried once",
	    run(&site, nf, 1, "/x", &r, NULL) == -1 &&
		r.status == FETCH_NOT_FOUND && r.attempts == 1);
	fetch_result_free(&r);
	TEST_CHECK("a body saying no such symbol is not found",
	    run(&site, body_nf, 1, "/x", &r, NULL) == -1 &&
		r.status == FETCH_NOT_FOUND);
	fetch_result_free(&r);
	TEST_CHECK("an HTML page with HTTP 200 is a bad answer",
	    run(&site, html, 1, "/x", &r, NULL) == -1 &&
		r.status == FETCH_BAD && r.message != NULL &&
		strstr(r.message, "HTML page") != NULL);
	fetch_result_free(&r);
	TEST_CHECK("401 is refused",
	    run(&site, unauth, 1, "/x", &r, NULL) == -1 &&
		r.status == FETCH_UNAUTHORIZED);
	fetch_result_free(&r);
	TEST_CHECK("503 and 502 are retried",
	    run(&site, down, 3, "/x", &r, NULL) == 0 && r.attempts == 3);
	fetch_result_free(&r);
}

static void
test_limits(void)
{
	char *big = xmalloc(5000);
	struct fake_response script[] = { { 200, NULL, big, 0 } };
	struct fake_response slow[] = { { 200, NULL, "0123456789", 3000 } };
	struct fetch_site small = site, quick = site;
	struct fetch_result r;

	memset(big, 'a', 4999);
	big[4999] = '\0';
	small.max_body = 1000;
	TEST_CHECK("a body past max_body is a bad answer",
	    run(&small, script, 1, "/x", &r, NULL) == -1 &&
		r.status == FETCH_BAD && strstr(r.message, "larger") != NULL);
	fetch_result_free(&r);
	quick.timeout_ms = 300;
	quick.attempts = 1;
	TEST_CHECK("a slow server times out as down",
	    run(&quick, slow, 1, "/x", &r, NULL) == -1 &&
		r.status == FETCH_DOWN);
	fetch_result_free(&r);
	free(big);
}

static void
test_redaction(void)
{
	struct fake_response script[] = {
		{ 500, NULL, "", 0 },
		{ 500, NULL, "", 0 },
		{ 500, NULL, "", 0 },
	};
	struct fetch_result r;
	char *shown;

	TEST_CHECK("three 500s are down",
	    run(&site, script, 3,
		"/query?function=OVERVIEW&symbol=IBM&apikey=SeCrEt123", &r,
		NULL) == -1 &&
		r.status == FETCH_DOWN);
	TEST_CHECK("the API key is not in the message",
	    r.message != NULL && strstr(r.message, "SeCrEt123") == NULL);
	fetch_result_free(&r);
	shown = fetch_url_for_humans(
	    "http://h/query?function=X&apikey=SeCrEt123&symbol=IBM");
	TEST_CHECK("a stored URL has its key masked",
	    strstr(shown, "SeCrEt123") == NULL &&
		strstr(shown, "symbol=IBM") != NULL);
	free(shown);
}

static void
test_limiter(void)
{
	struct fake_response script[] = {
		{ 200, NULL, "a", 0 },
		{ 200, NULL, "b", 0 },
	};
	struct fetch_site slow = site;
	struct fake_server s;
	struct fetch_result r1, r2;
	char *url;

	slow.name = "limited";
	slow.per_second = 2; /* 500 ms apart */
	waits.n = 0;
	fake_server_start(&s, script, 2);
	url = url_for(&s, "/x");
	fetch_result_init(&r1);
	fetch_result_init(&r2);
	fetch_get(&slow, url, NULL, NULL, &r1);
	fetch_get(&slow, url, NULL, NULL, &r2);
	TEST_CHECK("the second request of a site waits for its slot",
	    r2.status == FETCH_OK && waits.n == 1 && waits.ms[0] > 0 &&
		waits.ms[0] <= 500);
	fake_server_stop(&s);
	fetch_result_free(&r1);
	fetch_result_free(&r2);
	free(url);
}

struct thread_arg {
	const struct fetch_site *site;
	const char *url;
	struct fetch_result r;
};

static void *
fetch_thread(void *arg)
{
	struct thread_arg *a = arg;

	fetch_result_init(&a->r);
	fetch_get(a->site, a->url, NULL, NULL, &a->r);
	return NULL;
}

/* Two threads of one process share a site's limiter: one of them waits. */
static void
test_limiter_threads(void)
{
	struct fake_response script[] = {
		{ 200, NULL, "a", 0 },
		{ 200, NULL, "b", 0 },
	};
	struct fetch_site slow = site;
	struct thread_arg a[2];
	struct fake_server s;
	pthread_t t[2];
	char *url;
	int i;

	slow.name = "threads";
	slow.per_second = 1;
	waits.n = 0;
	fake_server_start(&s, script, 2);
	url = url_for(&s, "/x");
	for (i = 0; i < 2; i++) {
		a[i].site = &slow;
		a[i].url = url;
		pthread_create(&t[i], NULL, fetch_thread, &a[i]);
	}
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	TEST_CHECK("both threads got their answer",
	    a[0].r.status == FETCH_OK && a[1].r.status == FETCH_OK);
	TEST_CHECK("the second start waited for the shared slot",
	    waits.n == 1 && waits.ms[0] > 500 && waits.ms[0] <= 1000);
	fake_server_stop(&s);
	fetch_result_free(&a[0].r);
	fetch_result_free(&a[1].r);
	free(url);
}

static void
test_cookies(void)
{
	struct fake_response script[] = {
		{ 404, "Set-Cookie: A3=d=AQAB; Path=/; Domain=127.0.0.1\r\n",
		    "", 0 },
		{ 200, NULL, "crumb", 0 },
	};
	struct http_cookies *jar;
	struct http_headers h;
	struct fake_server s;
	struct fetch_result r;
	char *url, *cause = NULL, *log;

	jar = http_cookies_new(&cause);
	TEST_CHECK("a cookie jar is made", jar != NULL);
	if (jar == NULL)
		return;
	http_headers_init(&h);
	http_headers_add(&h, "User-Agent", "Mozilla/5.0 (test)");
	fake_server_start(&s, script, 2);
	url = url_for(&s, "/");
	fetch_result_init(&r);
	fetch_get(&site, url, &h, jar, &r);
	fetch_result_free(&r);
	fetch_result_init(&r);
	fetch_get(&site, url, &h, jar, &r);
	log = fake_server_log(&s);
	TEST_CHECK("the cookie set by the first answer goes with the second",
	    strstr(log, "Cookie: A3=d=AQAB") != NULL);
	TEST_CHECK("a caller's User-Agent replaces the default",
	    strstr(log, "Mozilla/5.0 (test)") != NULL &&
		strstr(log, "User-Agent: " PACKAGE_NAME) == NULL);
	fake_server_stop(&s);
	fetch_result_free(&r);
	http_headers_free(&h);
	http_cookies_free(jar);
	free(url);
	free(log);
}

static void
test_helpers(void)
{
	int64_t now = 1445412480; /* 2015-10-21 07:28:00 UTC */

	TEST_CHECK("Retry-After in seconds",
	    fetch_retry_after_ms("120", now) == 120000);
	TEST_CHECK("Retry-After as an HTTP date",
	    fetch_retry_after_ms("Wed, 21 Oct 2015 07:28:30 GMT", now) ==
		30000);
	TEST_CHECK("Retry-After in the past is no wait",
	    fetch_retry_after_ms("Wed, 21 Oct 2015 07:00:00 GMT", now) == 0);
	TEST_CHECK("Retry-After that is neither",
	    fetch_retry_after_ms("soon", now) == -1 &&
		fetch_retry_after_ms("12abc", now) == -1);
	TEST_CHECK("HTML is recognised",
	    fetch_body_is_html("\n<HTML><body>", 12) &&
		!fetch_body_is_html("Date,Open", 9));
}

static void
test_adjust(void)
{
	int32_t d[] = { 100, 101, 102, 103 };
	double c[] = { 100, 102, 51, 50 };
	struct market_dividend div = { 103, 1.0 };
	struct market_split split = { 102, 2.0 };
	struct market_bars b = { 0 };

	b.n = 4;
	b.date = xmalloc(sizeof d);
	b.close = xmalloc(sizeof c);
	memcpy(b.date, d, sizeof d);
	memcpy(b.close, c, sizeof c);
	b.dividends = xmalloc(sizeof div);
	b.splits = xmalloc(sizeof split);
	*b.dividends = div;
	*b.splits = split;
	b.n_dividends = b.n_splits = 1;
	TEST_CHECK("adjusted closes are computed", market_bars_adjust(&b) == 0);
	TEST_NEAR("the last close is itself", b.adj_close[3], 50, 0, 1e-12);
	TEST_NEAR("the dividend adjusts the day before", b.adj_close[2],
	    51 * (1 - 1.0 / 51), 1e-12, 0);
	TEST_NEAR("the split halves earlier closes", b.adj_close[1],
	    102 / 2.0 * (1 - 1.0 / 51), 1e-12, 0);
	TEST_NEAR("both reach the first bar", b.adj_close[0],
	    100 / 2.0 * (1 - 1.0 / 51), 1e-12, 0);
	market_bars_free(&b);
}

int
main(void)
{
	fetch_set_sleep(record_sleep, &waits);
	test_helpers();
	test_adjust();
	test_ok_and_gzip();
	test_retry_after();
	test_retry_after_too_long();
	test_throttling_body();
	test_statuses();
	test_limits();
	test_redaction();
	test_limiter();
	test_limiter_threads();
	test_cookies();
	return TEST_REPORT();
}
