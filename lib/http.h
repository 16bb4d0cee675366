/*
 * http.h: one HTTP exchange through libcurl, with timeouts, a bounded
 * response, retries with exponential backoff and jitter, and a streaming
 * mode for SSE and event streams.
 *
 * Ownership: struct http_headers and struct http_response own their
 * strings; release them with http_headers_free / http_response_free. The
 * request struct only borrows.
 *
 * Nothing here logs a secret: debug output (--verbose) shows each request
 * line and header with the values of Authorization, X-Amz-Security-Token,
 * API-key and token headers replaced by "[redacted]".
 */
#ifndef STOCKAGENT_HTTP_H
#define STOCKAGENT_HTTP_H

#include <stddef.h>

#include "lib/xmalloc.h"

/* An ordered list of headers; names keep their case, lookups ignore it. */
struct http_header {
	char *name;
	char *value;
};

struct http_headers {
	struct http_header *items; /* [count] */
	size_t count;
	size_t cap;
};

void http_headers_init(struct http_headers *h);
/* Appends a copy of name and value (repeated names are kept, in order). */
void http_headers_add(struct http_headers *h, const char *name,
    const char *value);
/* Replaces every header called name with one copy of value. */
void http_headers_set(struct http_headers *h, const char *name,
    const char *value);
/* First value of name (case-insensitive), or NULL; borrowed from h. */
const char *http_headers_get(const struct http_headers *h, const char *name);
void http_headers_free(struct http_headers *h);

/* Whether a header's value must never be shown (Authorization, tokens). */
int http_header_is_secret(const char *name);

struct http_response;

/*
 * A cookie jar in libcurl's cookie engine (a share handle), kept in memory
 * across requests and threads: cookies a server sets are sent back to it on
 * the next request that carries the same jar. Never written to disk. A
 * request without a User-Agent header gets "stockagent/VERSION".
 */
struct http_cookies;

/* A new empty jar, or NULL with *cause when libcurl cannot be loaded. */
struct http_cookies *http_cookies_new(char **cause);
/* Forgets every cookie of the jar. */
void http_cookies_clear(struct http_cookies *jar);
/* Releases the jar; accepts NULL. No request may be using it. */
void http_cookies_free(struct http_cookies *jar);

/* What a caller's classifier says about a finished attempt. */
enum http_verdict {
	HTTP_VERDICT_DEFAULT = 0, /* use the built-in rules */
	HTTP_VERDICT_RETRY = 1,	  /* transient: try again */
	HTTP_VERDICT_FINAL = 2,	  /* do not retry */
};

struct http_retry {
	int max_attempts;   /* total attempts, 1 = no retry; 0 means 3 */
	long base_delay_ms; /* first backoff ceiling; 0 means 250 */
	long max_delay_ms;  /* backoff cap; 0 means 20000 */
	/*
	 * Optional: looks at a response (status, headers, error body) and
	 * says whether to retry, for throttling that arrives as a 400 with
	 * an error code. Called only for responses, not transport failures.
	 */
	enum http_verdict (*classify)(const struct http_response *resp,
	    void *arg);
	void *classify_arg;
	/* Optional: replaces the real sleep (tests record the delays). */
	void (*sleep)(long ms, void *arg);
	void *sleep_arg;
};

/*
 * Called before every attempt with an empty list to fill: request signing
 * goes here, so each attempt carries a fresh date and signature. Returns 0,
 * or -1 with *cause set to stop without sending.
 */
typedef int (*http_prepare_fn)(void *arg, struct http_headers *attempt_headers,
    char **cause);

/*
 * Streaming: called for each chunk of a 2xx response body as it arrives.
 * Return 0 to go on, non-zero to stop the transfer (the exchange then
 * fails with HTTP_ERR_ABORTED). Error responses (status >= 300) are never
 * streamed; their bodies are collected into response.body for the caller.
 */
typedef int (*http_chunk_fn)(void *arg, const char *data, size_t len);

struct http_request {
	const char *method; /* "GET", "PUT", "POST", "HEAD", "DELETE" */
	const char *url;
	const struct http_headers *headers; /* may be NULL */
	const void *body;		    /* request body, or NULL */
	size_t body_len;		    /* bytes */
	const char *body_path;		    /* or: upload this file */
	long connect_timeout_ms;	    /* 0 means 10000 */
	long timeout_ms; /* whole exchange; 0 means 120000, -1 none */
	/* Abort when fewer than low_speed_bytes/s arrive for low_speed_s. */
	long low_speed_bytes; /* 0: no low-speed limit */
	long low_speed_s;
	size_t max_response; /* response body bytes; 0 means 16 MiB */
	const struct http_retry *retry; /* NULL: one attempt */
	http_prepare_fn prepare;	/* may be NULL */
	void *prepare_arg;
	http_chunk_fn on_chunk; /* NULL: collect the body */
	void *chunk_arg;
	/* 1: offer every encoding libcurl decodes (gzip, deflate, ...);
	 * the body and max_response are the decoded bytes. */
	int accept_encoding;
	struct http_cookies *cookies; /* NULL: no cookie engine */
};

/* Why an exchange ended without a usable HTTP response. */
enum http_error {
	HTTP_ERR_NONE = 0,
	HTTP_ERR_CONNECT,   /* DNS, refused, reset, TLS handshake */
	HTTP_ERR_TIMEOUT,   /* connect, total or low-speed timeout */
	HTTP_ERR_TOO_LARGE, /* response body past max_response */
	HTTP_ERR_ABORTED,   /* the chunk callback stopped it */
	HTTP_ERR_LOCAL,	    /* request body file unreadable, bad URL */
	HTTP_ERR_OTHER,	    /* any other transport failure */
};

struct http_response {
	long status;		     /* HTTP status; 0 when none arrived */
	struct http_headers headers; /* of the final response */
	struct buf body;       /* collected body (error body when streaming) */
	int attempts;	       /* attempts made */
	enum http_error error; /* HTTP_ERR_NONE when status is valid */
};

void http_response_init(struct http_response *resp);
void http_response_free(struct http_response *resp);

/*
 * Performs req, retrying per req->retry on connection failures, timeouts,
 * HTTP 500/502/503/504 and 429 (and whatever the classifier adds), never
 * after a streamed chunk was delivered. resp must be initialised; it holds
 * the last attempt. Returns 0 when an HTTP response arrived (any status:
 * the caller judges resp->status), or -1 with resp->error set and *cause a
 * one-line message naming the URL (without its query) and the reason.
 */
/*
 * Checks that URL is an http:// or https:// URL a request can be made to:
 * a host (a name, an IPv4 address, or an IPv6 address in brackets that
 * close), a port from 1 to 65535 when one is given, no space or control
 * character. Returns 0, or -1 with *cause naming the URL and the fault.
 * (libcurl itself is loaded only by the first request.)
 */
int http_url_check(const char *url, char **cause);

int http_perform(const struct http_request *req, struct http_response *resp,
    char **cause);

/* The version of libcurl (loaded on first use), or NULL when it cannot be
 * loaded. */
const char *http_curl_version(void);

/*
 * The backoff before attempt number attempt+1 (attempt >= 1 failed):
 * a uniformly random delay in [0, min(max, base * 2^(attempt-1))] ms
 * ("full jitter"). Exposed for tests.
 */
long http_backoff_ms(const struct http_retry *retry, int attempt);

#endif
