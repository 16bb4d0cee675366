/*
 * httpd.h: a small HTTP/1.1 server over libmicrohttpd, for 'serve'.
 *
 * Requests are matched against a const table of routes. A route's handler
 * runs either on the event loop (quick ones: a health check) or, for an
 * offloaded route, on one of a fixed pool of worker threads behind a
 * bounded queue; a request that finds every worker busy and the queue
 * full is answered 503 with Retry-After. While a worker runs, the
 * connection is suspended, so a slow handler never holds up the loop.
 *
 * The server enforces the limits that do not depend on the application:
 * body size (413), header size (431), connections, a whole request's
 * arrival time (408: a client that trickles its headers or body is cut
 * off, not only one that goes quiet), unknown paths (404) and methods
 * (405), the content type of a route's body (415). Every error it sends is
 * a JSON object {"error": TITLE, "message": TEXT}. It writes one JSON line
 * per request on stderr (see httpd_opts.log_headers).
 *
 * Ownership: strings passed in are copied unless said otherwise; cJSON
 * objects given to httpd_reply_json are taken (deleted by httpd). Every
 * httpd_request belongs to the server; a handler uses it only until it
 * returns.
 */
#ifndef STOCKAGENT_HTTPD_H
#define STOCKAGENT_HTTPD_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct httpd;
struct httpd_request;

struct httpd_route {
	const char *method;    /* "GET" */
	const char *path;      /* "/ping", matched exactly */
	int offload;	       /* run on a worker (may take long) */
	const char *body_type; /* required media type of the body, or NULL */
	void (*handle)(struct httpd_request *r, void *arg);
};

struct httpd_opts {
	const char *host;  /* numeric IPv4 or IPv6 address */
	int port;	   /* 0: any free port (see httpd_port) */
	int workers;	   /* threads for offloaded routes */
	int queue;	   /* offloaded requests that may wait for one */
	size_t max_body;   /* bytes */
	size_t max_header; /* bytes: request line and headers */
	int max_connections;
	int timeout_s; /* a request must arrive whole within this; an idle
			  kept-alive connection is closed after it */
	const struct httpd_route *routes;
	size_t n_routes;
	void *arg; /* given to every handler */
	/* Pairs of (header name, log key), NULL-terminated: request headers
	 * copied into the access log line; NULL for none. Never name one
	 * that carries credentials. */
	const char *const *log_headers;
	int access_log; /* write the per-request line */
};

/*
 * Binds and starts serving. Returns 0 with *OUT, or -1 with *cause (the
 * address is taken, not an address, not permitted).
 */
int httpd_start(const struct httpd_opts *o, struct httpd **out, char **cause);
/* The port the server listens on (the chosen one when opts.port was 0). */
int httpd_port(const struct httpd *h);
/*
 * Requests being handled on workers or waiting for one. *SINCE_OUT (may
 * be NULL) is the Unix time the count last went from 0 to more or back.
 */
int httpd_busy(struct httpd *h, long long *since_out);
/* Offloaded requests accepted and not yet answered. */
int httpd_inflight(struct httpd *h);
/* Stops accepting connections; those open are still served. */
void httpd_quiesce(struct httpd *h);
/*
 * Stops the server. When requests are still in flight (the caller's drain
 * deadline passed) the server is left running for the process to exit,
 * and their number is returned; 0 when everything was stopped and freed.
 */
int httpd_stop(struct httpd *h);

/* The server R came to. */
struct httpd *httpd_request_server(const struct httpd_request *r);
/* The request line and headers (case-insensitive names); NULL if none. */
const char *httpd_method(const struct httpd_request *r);
const char *httpd_path(const struct httpd_request *r);
const char *httpd_header(const struct httpd_request *r, const char *name);
/* The body (NUL-terminated; LEN_OUT may be NULL), "" when there is none. */
const char *httpd_body(const struct httpd_request *r, size_t *len_out);
/* Calls FN for each header whose name starts with PREFIX (any case). */
void httpd_headers_prefixed(const struct httpd_request *r, const char *prefix,
    void (*fn)(void *arg, const char *name, const char *value), void *arg);
/* Adds KEY: VALUE to the request's access log line. */
void httpd_log_field(struct httpd_request *r, const char *key,
    const char *value);

/* Adds a header to the reply (before httpd_reply* or httpd_stream_open). */
void httpd_add_header(struct httpd_request *r, const char *name,
    const char *value);
/* Replies STATUS with BODY (LEN bytes, copied) of CONTENT_TYPE. */
void httpd_reply(struct httpd_request *r, int status, const char *content_type,
    const char *body, size_t len);
/* Replies STATUS with BODY as application/json; takes BODY. */
void httpd_reply_json(struct httpd_request *r, int status, cJSON *body);
/* Replies STATUS with {"error": TITLE, "message": MESSAGE}. */
void httpd_reply_error(struct httpd_request *r, int status, const char *title,
    const char *message);

/*
 * Starts a streamed reply (chunked) on an offloaded route: the status and
 * headers go out now, then each httpd_stream_write as it comes; the stream
 * ends when the handler returns. Returns 0.
 */
int httpd_stream_open(struct httpd_request *r, int status,
    const char *content_type);
/* Appends LEN bytes to the stream; -1 when the client has gone. */
int httpd_stream_write(struct httpd_request *r, const char *data, size_t len);

#endif
