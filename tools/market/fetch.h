/*
 * fetch.h: the HTTP layer of the market data providers (over lib/http.h).
 *
 * fetch_get makes one GET for a provider ("site") and says in one word how
 * it went: data, not found, throttled, refused, down or bad. It adds what
 * every provider needs:
 *
 * - one rate limiter per site name, shared by all threads of the process
 *   (a batch analyses symbols on worker threads): requests of a site start
 *   at least 1/per_second apart, and a throttling answer pushes the next
 *   start of every thread back;
 * - retries with backoff and full jitter on connection failures, timeouts,
 *   HTTP 429 and 5xx, waiting at least what Retry-After asks (seconds or an
 *   HTTP date) up to max_wait_ms, then giving up as FETCH_THROTTLED or
 *   FETCH_DOWN, never as "no data"; a Retry-After longer than max_wait_ms
 *   gives up at once and keeps the process's requests to the site off
 *   for that long;
 * - a body check for answers that come with HTTP 200 but are not data (a
 *   throttling note, an HTML page): the site's check_body says which;
 * - a bounded body (max_body decoded bytes), gzip and deflate accepted,
 *   connect and whole-request timeouts, a low-speed abort;
 * - redaction: the URL may carry an API key in its query; no message, log
 *   line or stored field made here holds it (fetch_url_for_humans).
 *
 * Ownership: struct fetch_result owns its body and message; release it
 * with fetch_result_free. The site and the headers are borrowed.
 */
#ifndef STOCKAGENT_MARKET_FETCH_H
#define STOCKAGENT_MARKET_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "lib/http.h"

/* How a fetch ended. */
enum fetch_status {
	FETCH_OK = 0,	    /* a 2xx body that the check calls data */
	FETCH_NOT_FOUND,    /* 404, or the body says no such symbol */
	FETCH_THROTTLED,    /* 429 or a throttling body, retries spent */
	FETCH_UNAUTHORIZED, /* 401 or 403: key, cookie or crumb refused */
	FETCH_DOWN,	    /* no answer or 5xx, retries spent */
	FETCH_BAD,	    /* any other status, an HTML page, too large */
};

/* What a site's check_body says about a 2xx body. */
enum fetch_body {
	FETCH_BODY_DATA = 0,	 /* looks like data: parse it */
	FETCH_BODY_THROTTLED,	 /* a rate limit said with HTTP 200: retried */
	FETCH_BODY_NOT_FOUND,	 /* "no data", "unknown symbol" */
	FETCH_BODY_UNAUTHORIZED, /* "invalid API key", "invalid crumb" */
	FETCH_BODY_OTHER,	 /* an HTML page or anything else */
};

/* A provider's fetch policy. Const data; the limiter is found by name. */
struct fetch_site {
	const char *name;   /* "yahoo": names messages and the limiter */
	double per_second;  /* requests a second at most; 0: no limit */
	int attempts;	    /* total tries of one request; 0 means 3 */
	long base_delay_ms; /* first backoff ceiling; 0 means 500 */
	long max_wait_ms;   /* longest single wait; 0 means 30000 */
	long timeout_ms;    /* whole request; 0 means 30000 */
	size_t max_body;    /* decoded body bytes; 0 means 8 MiB */
	/*
	 * Optional: judges a 2xx body. Sets *why (heap, one line, no
	 * secret) for anything but FETCH_BODY_DATA; may leave it NULL.
	 */
	enum fetch_body (*check_body)(const char *body, size_t len, char **why);
};

struct fetch_result {
	enum fetch_status status;
	long http_status;   /* of the last attempt; 0 when none came */
	struct buf body;    /* decoded body of the last attempt */
	int attempts;	    /* tries made */
	int64_t fetched_at; /* Unix seconds the last answer came */
	/* One line for the user when status != FETCH_OK: site, URL without
	 * its query, what happened ("yahoo: GET http://h/x: throttled
	 * (HTTP 429) after 3 attempts"). Heap; NULL when FETCH_OK. */
	char *message;
};

void fetch_result_init(struct fetch_result *r);
void fetch_result_free(struct fetch_result *r);

/*
 * GETs URL for SITE with the extra HEADERS (may be NULL) and the cookie
 * JAR (may be NULL) into *OUT (initialised by the caller). Returns 0 when
 * out->status is FETCH_OK, -1 otherwise with out->message set. Never logs
 * the query string of URL.
 */
int fetch_get(const struct fetch_site *site, const char *url,
    const struct http_headers *headers, struct http_cookies *jar,
    struct fetch_result *out);

/* A short word for STATUS: "ok", "not found", "throttled", ... Static. */
const char *fetch_status_name(enum fetch_status status);

/* S with every byte but RFC 3986's unreserved ones %-encoded, for a
 * query or path (heap). */
char *fetch_url_encode(const char *s);

/* URL with secrets of its query masked, for messages and storage (heap). */
char *fetch_url_for_humans(const char *url);

/*
 * The value of a Retry-After header in milliseconds from NOW (Unix
 * seconds): delta-seconds or an HTTP date; -1 when VALUE is neither.
 */
long fetch_retry_after_ms(const char *value, int64_t now);

/*
 * Whether BODY (LEN bytes) starts, after white space, like an HTML or XML
 * page that is not the data asked for: "<!DOCTYPE", "<html", "<HTML".
 */
int fetch_body_is_html(const char *body, size_t len);

/*
 * Test hook: replaces the sleep between tries (NULL restores it) so a test
 * can record the waits instead of spending them. Process-wide.
 */
void fetch_set_sleep(void (*sleep_fn)(long ms, void *arg), void *arg);

/* Forgets the limiters' state (tests). */
void fetch_reset_limiters(void);

#endif
