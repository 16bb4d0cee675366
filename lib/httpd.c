/*
 * httpd.c: routes, limits, a worker pool and an access log over
 * libmicrohttpd.
 *
 * Life of a request: the URI callback makes the httpd_request as soon as
 * the request line is read; the access handler collects the body (within
 * max_body) and, on its last call, runs an inline route's handler or puts
 * the request on the work queue and suspends the connection. A worker
 * runs the handler and resumes the connection when the reply (or a
 * stream) is ready; the access handler is then called again and queues
 * it. A streamed reply's reader suspends the connection whenever it has
 * nothing to send, and the writer resumes it. The completion callback
 * writes the access log line.
 *
 * A request is shared by the connection, the worker and a stream reply,
 * so it is reference-counted; it is freed when the last lets go.
 *
 * libmicrohttpd's own timeout only notices a silent client, so a watchdog
 * thread gives each request a deadline from its first byte: a client still
 * sending its request then gets 408 and the socket is shut down, which
 * libmicrohttpd sees as the client closing.
 */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "lib/httpd.h"
#include "lib/jsonutil.h"
#include "lib/xmalloc.h"

/* A stream the client stops reading is dropped past this many bytes. */
#define HTTPD_STREAM_MAX (16 * 1024 * 1024)
#define HTTPD_RETRY_AFTER "1" /* seconds, for 503 */

enum httpd_conn_state {
	CONN_IDLE,     /* no request begun (after connect or a reply) */
	CONN_READING,  /* request line seen, request not yet whole */
	CONN_HANDLING, /* a handler or a reply has it: no deadline */
	CONN_CUT,      /* shut down by the watchdog */
};

/* One TCP connection: libmicrohttpd's socket context. */
struct httpd_conn {
	struct httpd_conn *prev, *next;
	int fd;
	int first; /* no request completed on it yet */
	enum httpd_conn_state state;
	double deadline; /* monotonic seconds */
};

enum httpd_phase {
	PHASE_NEW,     /* reading the request */
	PHASE_WAITING, /* queued or running on a worker, suspended */
	PHASE_READY,   /* the worker's reply is ready to queue */
	PHASE_QUEUED,  /* a reply is queued */
};

struct httpd_request {
	struct httpd *h;
	struct MHD_Connection *mc;
	struct httpd_conn *conn;
	const struct httpd_route *route;
	struct httpd_request *qnext; /* the work queue */
	pthread_mutex_t lock;	     /* refs, phase, suspended, stream */
	int refs;
	enum httpd_phase phase;
	int suspended;
	int offloaded; /* counted in h->inflight */
	double start;  /* monotonic seconds */
	const char *method, *path;
	struct buf body; /* limit max_body */
	char **hdrs;	 /* name, value pairs copied for a worker [2 * nhdrs] */
	size_t nhdrs;
	char **out_hdrs; /* reply headers, pairs */
	size_t n_out_hdrs;
	int status;
	struct MHD_Response *resp;
	size_t bytes; /* body bytes of the reply */
	int streaming, finished, gone;
	struct buf sbuf; /* stream bytes not yet sent */
	cJSON *log;	 /* extra access log fields */
};

struct httpd {
	struct httpd_opts o;
	char *host;
	struct MHD_Daemon *d;
	int port;
	pthread_mutex_t lock; /* everything below */
	pthread_cond_t work;
	struct httpd_request *qhead, *qtail;
	int queued, running, inflight;
	long long busy_since;
	int stopping;
	pthread_t *workers;
	pthread_t watchdog;
	int watchdog_started;
	struct httpd_conn conns; /* list head */
};

static double
httpd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- requests -------------------------------------------------------- */

static struct httpd_request *
httpd_request_new(struct httpd *h, struct MHD_Connection *mc)
{
	struct httpd_request *r = xcalloc(1, sizeof *r);
	const union MHD_ConnectionInfo *ci;

	r->h = h;
	r->mc = mc;
	r->refs = 1;
	r->start = httpd_now();
	buf_init(&r->body, h->o.max_body);
	buf_init(&r->sbuf, HTTPD_STREAM_MAX);
	pthread_mutex_init(&r->lock, NULL);
	ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci != NULL)
		r->conn = ci->socket_context;
	return r;
}

static void
httpd_strings_free(char **v, size_t pairs)
{
	size_t i;

	for (i = 0; i < 2 * pairs; i++)
		free(v[i]);
	free(v);
}

/* Drops one reference; the last frees R and ends its in-flight count. */
static void
httpd_request_unref(struct httpd_request *r)
{
	struct httpd *h = r->h;
	int left;

	pthread_mutex_lock(&r->lock);
	left = --r->refs;
	pthread_mutex_unlock(&r->lock);
	if (left > 0)
		return;
	if (r->offloaded) {
		pthread_mutex_lock(&h->lock);
		h->inflight--;
		pthread_mutex_unlock(&h->lock);
	}
	if (r->resp != NULL)
		MHD_destroy_response(r->resp);
	httpd_strings_free(r->hdrs, r->nhdrs);
	httpd_strings_free(r->out_hdrs, r->n_out_hdrs);
	cJSON_Delete(r->log);
	buf_free(&r->body);
	buf_free(&r->sbuf);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

static void
httpd_request_ref(struct httpd_request *r)
{
	pthread_mutex_lock(&r->lock);
	r->refs++;
	pthread_mutex_unlock(&r->lock);
}

/* Moves R's connection to STATE (the watchdog reads it). */
static void
httpd_conn_set(struct httpd_request *r, enum httpd_conn_state state)
{
	struct httpd *h = r->h;

	if (r->conn == NULL)
		return;
	pthread_mutex_lock(&h->lock);
	if (r->conn->state != CONN_CUT)
		r->conn->state = state;
	pthread_mutex_unlock(&h->lock);
}

/* ---- the request's accessors ------------------------------------------ */

struct httpd *
httpd_request_server(const struct httpd_request *r)
{
	return r->h;
}

const char *
httpd_method(const struct httpd_request *r)
{
	return r->method;
}

const char *
httpd_path(const struct httpd_request *r)
{
	return r->path;
}

const char *
httpd_header(const struct httpd_request *r, const char *name)
{
	size_t i;

	if (r->hdrs == NULL)
		return MHD_lookup_connection_value(r->mc, MHD_HEADER_KIND,
		    name);
	for (i = 0; i < r->nhdrs; i++) {
		if (strcasecmp(r->hdrs[2 * i], name) == 0)
			return r->hdrs[2 * i + 1];
	}
	return NULL;
}

const char *
httpd_body(const struct httpd_request *r, size_t *len_out)
{
	if (len_out != NULL)
		*len_out = r->body.len;
	return r->body.data != NULL ? r->body.data : "";
}

void
httpd_headers_prefixed(const struct httpd_request *r, const char *prefix,
    void (*fn)(void *arg, const char *name, const char *value), void *arg)
{
	size_t i, n = strlen(prefix);

	for (i = 0; i < r->nhdrs; i++) {
		if (strncasecmp(r->hdrs[2 * i], prefix, n) == 0)
			fn(arg, r->hdrs[2 * i], r->hdrs[2 * i + 1]);
	}
}

void
httpd_log_field(struct httpd_request *r, const char *key, const char *value)
{
	if (r->log == NULL)
		r->log = cJSON_CreateObject();
	cJSON_DeleteItemFromObjectCaseSensitive(r->log, key);
	cJSON_AddStringToObject(r->log, key, value);
}

static enum MHD_Result
httpd_copy_header(void *arg, enum MHD_ValueKind kind, const char *name,
    const char *value)
{
	struct httpd_request *r = arg;

	(void)kind;
	r->hdrs = xreallocarray(r->hdrs, 2 * (r->nhdrs + 1), sizeof *r->hdrs);
	r->hdrs[2 * r->nhdrs] = xstrdup(name);
	r->hdrs[2 * r->nhdrs + 1] = xstrdup(value != NULL ? value : "");
	r->nhdrs++;
	return MHD_YES;
}

/* Copies the headers, which a worker reads while the loop sends. */
static void
httpd_copy_headers(struct httpd_request *r)
{
	r->hdrs = xcalloc(1, sizeof *r->hdrs);
	MHD_get_connection_values(r->mc, MHD_HEADER_KIND, httpd_copy_header, r);
}

/* ---- replies ------------------------------------------------------------ */

void
httpd_add_header(struct httpd_request *r, const char *name, const char *value)
{
	r->out_hdrs = xreallocarray(r->out_hdrs, 2 * (r->n_out_hdrs + 1),
	    sizeof *r->out_hdrs);
	r->out_hdrs[2 * r->n_out_hdrs] = xstrdup(name);
	r->out_hdrs[2 * r->n_out_hdrs + 1] = xstrdup(value);
	r->n_out_hdrs++;
}

static void
httpd_apply_headers(struct httpd_request *r, struct MHD_Response *resp,
    const char *content_type)
{
	size_t i;

	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    content_type);
	for (i = 0; i < r->n_out_hdrs; i++)
		MHD_add_response_header(resp, r->out_hdrs[2 * i],
		    r->out_hdrs[2 * i + 1]);
}

/* A worker's reply is ready: let the loop queue it. */
static void
httpd_ready(struct httpd_request *r)
{
	pthread_mutex_lock(&r->lock);
	r->phase = PHASE_READY;
	if (r->suspended) {
		r->suspended = 0;
		MHD_resume_connection(r->mc);
	}
	pthread_mutex_unlock(&r->lock);
}

/* Queues R's reply on the loop's thread. */
static enum MHD_Result
httpd_queue(struct httpd_request *r)
{
	enum MHD_Result ok;

	pthread_mutex_lock(&r->lock);
	r->phase = PHASE_QUEUED;
	pthread_mutex_unlock(&r->lock);
	httpd_conn_set(r, CONN_HANDLING);
	if (r->resp == NULL)
		return MHD_NO;
	ok = MHD_queue_response(r->mc, (unsigned)r->status, r->resp);
	MHD_destroy_response(r->resp);
	r->resp = NULL;
	return ok;
}

void
httpd_reply(struct httpd_request *r, int status, const char *content_type,
    const char *body, size_t len)
{
	struct MHD_Response *resp;

	if (r->resp != NULL || r->streaming)
		return; /* one reply only */
	resp = MHD_create_response_from_buffer(len, (void *)body,
	    MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return;
	httpd_apply_headers(r, resp, content_type);
	r->status = status;
	r->bytes = len;
	r->resp = resp;
}

void
httpd_reply_json(struct httpd_request *r, int status, cJSON *body)
{
	char *text = jsonutil_print(body);

	httpd_reply(r, status, "application/json", text, strlen(text));
	free(text);
	cJSON_Delete(body);
}

void
httpd_reply_error(struct httpd_request *r, int status, const char *title,
    const char *message)
{
	cJSON *e = cJSON_CreateObject();

	cJSON_AddStringToObject(e, "error", title);
	cJSON_AddStringToObject(e, "message", message);
	httpd_reply_json(r, status, e);
}

/* ---- streams ----------------------------------------------------------- */

static ssize_t
httpd_stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct httpd_request *r = cls;
	ssize_t n;

	(void)pos;
	pthread_mutex_lock(&r->lock);
	if (r->sbuf.len > 0) {
		n = (ssize_t)(r->sbuf.len < max ? r->sbuf.len : max);
		memcpy(buf, r->sbuf.data, (size_t)n);
		memmove(r->sbuf.data, r->sbuf.data + n,
		    r->sbuf.len - (size_t)n + 1);
		r->sbuf.len -= (size_t)n;
		r->bytes += (size_t)n;
	} else if (r->finished) {
		n = MHD_CONTENT_READER_END_OF_STREAM;
	} else {
		/* Nothing yet: sleep until the writer has more. */
		r->suspended = 1;
		MHD_suspend_connection(r->mc);
		n = 0;
	}
	pthread_mutex_unlock(&r->lock);
	return n;
}

static void
httpd_stream_free(void *cls)
{
	httpd_request_unref(cls);
}

int
httpd_stream_open(struct httpd_request *r, int status, const char *content_type)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096,
	    httpd_stream_read, r, httpd_stream_free);
	if (resp == NULL)
		return -1;
	httpd_request_ref(r); /* the response's */
	httpd_apply_headers(r, resp, content_type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-cache");
	r->status = status;
	r->resp = resp;
	r->streaming = 1;
	httpd_ready(r);
	return 0;
}

/* Wakes a reader that waits for data (R's lock held). */
static void
httpd_stream_wake(struct httpd_request *r)
{
	if (r->suspended && r->phase == PHASE_QUEUED) {
		r->suspended = 0;
		MHD_resume_connection(r->mc);
	}
}

int
httpd_stream_write(struct httpd_request *r, const char *data, size_t len)
{
	int rc = 0;

	pthread_mutex_lock(&r->lock);
	if (r->gone || buf_append(&r->sbuf, data, len) != 0)
		rc = -1;
	else
		httpd_stream_wake(r);
	pthread_mutex_unlock(&r->lock);
	return rc;
}

/* The handler returned: end the stream, or send its reply. */
static void
httpd_finish(struct httpd_request *r)
{
	if (!r->streaming) {
		if (r->resp == NULL)
			httpd_reply_error(r, 500, "Internal Server Error",
			    "the handler gave no reply");
		httpd_ready(r);
		return;
	}
	pthread_mutex_lock(&r->lock);
	r->finished = 1;
	httpd_stream_wake(r);
	pthread_mutex_unlock(&r->lock);
}

/* ---- the worker pool -------------------------------------------------- */

/* The busy count changed from IS_BUSY's opposite (H's lock held). */
static void
httpd_busy_edge(struct httpd *h, int before)
{
	int now = h->queued + h->running;

	if ((before == 0) != (now == 0))
		h->busy_since = (long long)time(NULL);
}

static struct httpd_request *
httpd_take(struct httpd *h)
{
	struct httpd_request *r;

	pthread_mutex_lock(&h->lock);
	while (h->qhead == NULL && !h->stopping)
		pthread_cond_wait(&h->work, &h->lock);
	if ((r = h->qhead) != NULL) {
		h->qhead = r->qnext;
		if (h->qhead == NULL)
			h->qtail = NULL;
		h->queued--;
		h->running++;
	}
	pthread_mutex_unlock(&h->lock);
	return r;
}

static void *
httpd_worker(void *arg)
{
	struct httpd *h = arg;
	struct httpd_request *r;
	int before;

	while ((r = httpd_take(h)) != NULL) {
		r->route->handle(r, h->o.arg);
		httpd_finish(r);
		pthread_mutex_lock(&h->lock);
		before = h->queued + h->running;
		h->running--;
		httpd_busy_edge(h, before);
		pthread_mutex_unlock(&h->lock);
		httpd_request_unref(r); /* the worker's */
	}
	return NULL;
}

/* Puts R on the queue; -1 when it is full or the server is stopping. */
static int
httpd_enqueue(struct httpd *h, struct httpd_request *r)
{
	int before, rc = -1;

	pthread_mutex_lock(&h->lock);
	if (!h->stopping &&
	    h->queued + h->running < h->o.workers + h->o.queue) {
		before = h->queued + h->running;
		if (h->qtail != NULL)
			h->qtail->qnext = r;
		else
			h->qhead = r;
		h->qtail = r;
		h->queued++;
		h->inflight++;
		r->offloaded = 1;
		httpd_busy_edge(h, before);
		pthread_cond_signal(&h->work);
		rc = 0;
	}
	pthread_mutex_unlock(&h->lock);
	return rc;
}

int
httpd_busy(struct httpd *h, long long *since_out)
{
	int n;

	pthread_mutex_lock(&h->lock);
	n = h->queued + h->running;
	if (since_out != NULL)
		*since_out = h->busy_since;
	pthread_mutex_unlock(&h->lock);
	return n;
}

int
httpd_inflight(struct httpd *h)
{
	int n;

	pthread_mutex_lock(&h->lock);
	n = h->inflight;
	pthread_mutex_unlock(&h->lock);
	return n;
}

/* ---- the access log ------------------------------------------------------ */

static void
httpd_log_time(cJSON *line)
{
	struct timeval tv;
	struct tm tm;
	char ts[40];

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + 19, sizeof ts - 19, ".%03dZ", (int)(tv.tv_usec / 1000));
	cJSON_AddStringToObject(line, "time", ts);
}

/* Copies the headers opts.log_headers names into LINE. */
static void
httpd_log_headers(const struct httpd_request *r, cJSON *line)
{
	const char *const *p;
	const char *v;
	char cut[257];

	for (p = r->h->o.log_headers; p != NULL && *p != NULL; p += 2) {
		if ((v = httpd_header(r, p[0])) == NULL)
			continue;
		snprintf(cut, sizeof cut, "%s", v);
		cJSON_AddStringToObject(line, p[1], cut);
	}
}

/* One line, one write(2), so lines from several threads never mix. */
static void
httpd_log_write(cJSON *line)
{
	char *text = jsonutil_print_text(line, 0);
	size_t n = strlen(text);
	ssize_t w;

	text[n] = '\n';
	w = write(STDERR_FILENO, text, n + 1);
	(void)w;
	free(text);
	cJSON_Delete(line);
}

static void
httpd_log(const struct httpd_request *r, int status, int aborted)
{
	cJSON *line = cJSON_CreateObject(), *f;

	httpd_log_time(line);
	if (r->mc != NULL)
		httpd_log_headers(r, line);
	cJSON_ArrayForEach(f, r->log)
		cJSON_AddItemToObject(line, f->string, cJSON_Duplicate(f, 1));
	cJSON_AddStringToObject(line, "method", r->method ? r->method : "");
	cJSON_AddStringToObject(line, "path", r->path ? r->path : "");
	cJSON_AddNumberToObject(line, "status", status);
	cJSON_AddNumberToObject(line, "bytes", (double)r->bytes);
	cJSON_AddNumberToObject(line, "duration_ms",
	    (double)(long long)((httpd_now() - r->start) * 1e4) / 10);
	if (aborted)
		cJSON_AddTrueToObject(line, "aborted");
	httpd_log_write(line);
}

/* ---- the event loop's callbacks ------------------------------------------ */

static const struct httpd_route *
httpd_route_find(const struct httpd *h, const char *method, const char *path,
    int *path_known)
{
	size_t i;

	*path_known = 0;
	for (i = 0; i < h->o.n_routes; i++) {
		if (strcmp(h->o.routes[i].path, path) != 0)
			continue;
		*path_known = 1;
		if (strcmp(h->o.routes[i].method, method) == 0)
			return &h->o.routes[i];
	}
	return NULL;
}

/* Whether the request's Content-Type is TYPE (parameters ignored). */
static int
httpd_type_ok(struct httpd_request *r, const char *type)
{
	const char *ct = httpd_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
	size_t n = strlen(type);

	if (ct == NULL)
		return 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return strncasecmp(ct, type, n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* The Allow header of a 405: the methods PATH has. */
static void
httpd_allow(struct httpd_request *r)
{
	char allow[64] = "";
	size_t i;

	for (i = 0; i < r->h->o.n_routes; i++) {
		if (strcmp(r->h->o.routes[i].path, r->path) != 0)
			continue;
		if (*allow != '\0')
			strncat(allow, ", ", sizeof allow - strlen(allow) - 1);
		strncat(allow, r->h->o.routes[i].method,
		    sizeof allow - strlen(allow) - 1);
	}
	httpd_add_header(r, "Allow", allow);
}

/* The checks made before any body is read; 0, or a reply was made. */
static int
httpd_check_head(struct httpd_request *r)
{
	const char *cl;
	char msg[128];
	int known;

	r->route = httpd_route_find(r->h, r->method, r->path, &known);
	if (r->route == NULL && known) {
		httpd_allow(r);
		snprintf(msg, sizeof msg, "%s is not allowed on %s", r->method,
		    r->path);
		httpd_reply_error(r, 405, "Method Not Allowed", msg);
		return -1;
	}
	if (r->route == NULL) {
		httpd_reply_error(r, 404, "Not Found",
		    "no such path; use "
		    "POST /invocations or GET /ping");
		return -1;
	}
	if (r->route->body_type != NULL &&
	    !httpd_type_ok(r, r->route->body_type)) {
		snprintf(msg, sizeof msg, "send the body as Content-Type: %s",
		    r->route->body_type);
		httpd_reply_error(r, 415, "Unsupported Media Type", msg);
		return -1;
	}
	cl = httpd_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL && strtoull(cl, NULL, 10) > r->h->o.max_body) {
		snprintf(msg, sizeof msg,
		    "the body is over the %zu-byte "
		    "limit",
		    r->h->o.max_body);
		httpd_reply_error(r, 413, "Payload Too Large", msg);
		return -1;
	}
	return 0;
}

/* Appends a piece of the body; -1 (and a 413 reply) past the limit. */
static int
httpd_body_add(struct httpd_request *r, const char *data, size_t n)
{
	char msg[128];

	if (buf_append(&r->body, data, n) == 0)
		return 0;
	snprintf(msg, sizeof msg, "the body is over the %zu-byte limit",
	    r->h->o.max_body);
	httpd_reply_error(r, 413, "Payload Too Large", msg);
	return -1;
}

/* The whole request is here: run it inline, or hand it to a worker. */
static enum MHD_Result
httpd_dispatch(struct httpd_request *r)
{
	httpd_conn_set(r, CONN_HANDLING);
	if (!r->route->offload) {
		r->route->handle(r, r->h->o.arg);
		if (r->resp == NULL)
			httpd_reply_error(r, 500, "Internal Server Error",
			    "the handler gave no reply");
		return httpd_queue(r);
	}
	httpd_copy_headers(r);
	httpd_request_ref(r); /* the worker's */
	pthread_mutex_lock(&r->lock);
	if (httpd_enqueue(r->h, r) != 0) {
		pthread_mutex_unlock(&r->lock);
		httpd_request_unref(r);
		httpd_add_header(r, "Retry-After", HTTPD_RETRY_AFTER);
		httpd_reply_error(r, 503, "Service Unavailable",
		    "every worker "
		    "is busy and the queue is full; retry later");
		return httpd_queue(r);
	}
	r->phase = PHASE_WAITING;
	r->suspended = 1;
	MHD_suspend_connection(r->mc);
	pthread_mutex_unlock(&r->lock);
	return MHD_YES;
}

static enum MHD_Result
httpd_access(void *cls, struct MHD_Connection *mc, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct httpd_request *r = *con_cls;

	(void)cls;
	(void)version;
	if (r->method == NULL) {
		r->method = method;
		r->path = url;
		if (httpd_check_head(r) != 0)
			return httpd_queue(r);
		return MHD_YES;
	}
	if (r->phase == PHASE_READY)
		return httpd_queue(r);
	if (r->phase != PHASE_NEW) {
		*upload_data_size = 0; /* after an early reply: dropped */
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (httpd_body_add(r, upload_data, n) != 0)
			return httpd_queue(r);
		return MHD_YES;
	}
	(void)mc;
	return httpd_dispatch(r);
}

/* The request line is in: the request begins (and its deadline). */
static void *
httpd_uri_log(void *cls, const char *uri, struct MHD_Connection *mc)
{
	struct httpd *h = cls;
	struct httpd_request *r = httpd_request_new(h, mc);

	(void)uri;
	if (r->conn != NULL) {
		pthread_mutex_lock(&h->lock);
		if (!r->conn->first)
			r->conn->deadline = r->start + h->o.timeout_s;
		if (r->conn->state != CONN_CUT)
			r->conn->state = CONN_READING;
		pthread_mutex_unlock(&h->lock);
	}
	return r;
}

static void
httpd_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct httpd *h = cls;
	struct httpd_request *r = *con_cls;

	(void)mc;
	if (r == NULL)
		return;
	*con_cls = NULL;
	if (h->o.access_log && r->method != NULL)
		httpd_log(r, r->status,
		    toe != MHD_REQUEST_TERMINATED_COMPLETED_OK);
	pthread_mutex_lock(&r->lock);
	r->gone = 1;
	pthread_mutex_unlock(&r->lock);
	if (r->conn != NULL) {
		pthread_mutex_lock(&h->lock);
		r->conn->first = 0;
		if (r->conn->state != CONN_CUT)
			r->conn->state = CONN_IDLE;
		r->conn->deadline = httpd_now() + h->o.timeout_s;
		pthread_mutex_unlock(&h->lock);
	}
	r->mc = NULL;
	httpd_request_unref(r); /* the connection's */
}

static void
httpd_notify(void *cls, struct MHD_Connection *mc, void **socket_context,
    enum MHD_ConnectionNotificationCode toe)
{
	struct httpd *h = cls;
	struct httpd_conn *c;
	const union MHD_ConnectionInfo *ci;

	pthread_mutex_lock(&h->lock);
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		c = xcalloc(1, sizeof *c);
		ci = MHD_get_connection_info(mc,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		c->fd = ci != NULL ? ci->connect_fd : -1;
		c->first = 1;
		c->deadline = httpd_now() + h->o.timeout_s;
		c->next = h->conns.next;
		c->prev = &h->conns;
		h->conns.next->prev = c;
		h->conns.next = c;
		*socket_context = c;
	} else if ((c = *socket_context) != NULL) {
		/* Before libmicrohttpd closes the fd: the watchdog must
		 * never shut down a number that is reused. */
		c->prev->next = c->next;
		c->next->prev = c->prev;
		free(c);
		*socket_context = NULL;
	}
	pthread_mutex_unlock(&h->lock);
}

/* ---- the watchdog ------------------------------------------------------ */

#define HTTPD_408_BODY                                                         \
	"{\"error\":\"Request Timeout\",\"message\":\"the request did not "    \
	"arrive in time\"}"
static const char httpd_408[] = "HTTP/1.1 408 Request Timeout\r\n"
				"Content-Type: application/json\r\n"
				"Connection: close\r\n"
				"Content-Length: %d\r\n\r\n" HTTPD_408_BODY;

static void
httpd_log_cut(double ms)
{
	cJSON *line = cJSON_CreateObject();

	httpd_log_time(line);
	cJSON_AddStringToObject(line, "method", "");
	cJSON_AddStringToObject(line, "path", "");
	cJSON_AddNumberToObject(line, "status", 408);
	cJSON_AddNumberToObject(line, "bytes", sizeof HTTPD_408_BODY - 1);
	cJSON_AddNumberToObject(line, "duration_ms", (double)(long long)ms);
	httpd_log_write(line);
}

/* Cuts C off: a 408 when a request was begun, then no more reading. */
static void
httpd_cut(struct httpd *h, struct httpd_conn *c)
{
	char msg[256];
	ssize_t w;
	int n;

	if (c->state == CONN_READING || c->first) {
		n = snprintf(msg, sizeof msg, httpd_408,
		    (int)(sizeof HTTPD_408_BODY - 1));
		w = send(c->fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
		(void)w;
		if (h->o.access_log)
			httpd_log_cut(
			    (httpd_now() - c->deadline + h->o.timeout_s) * 1e3);
	}
	shutdown(c->fd, SHUT_RDWR);
	c->state = CONN_CUT;
}

static void *
httpd_watch(void *arg)
{
	struct httpd *h = arg;
	struct httpd_conn *c;
	struct timespec tick = { 0, 200 * 1000 * 1000 };
	double now;

	for (;;) {
		nanosleep(&tick, NULL);
		pthread_mutex_lock(&h->lock);
		if (h->stopping && h->inflight == 0) {
			pthread_mutex_unlock(&h->lock);
			return NULL;
		}
		now = httpd_now();
		for (c = h->conns.next; c != &h->conns; c = c->next) {
			if (c->fd >= 0 &&
			    (c->state == CONN_IDLE ||
				c->state == CONN_READING) &&
			    now > c->deadline)
				httpd_cut(h, c);
		}
		pthread_mutex_unlock(&h->lock);
	}
}

/* ---- start and stop ---------------------------------------------------- */

/* The numeric address HOST:PORT into SS. Returns 0 or -1 with *cause. */
static int
httpd_address(const char *host, int port, struct sockaddr_storage *ss,
    char **cause)
{
	struct addrinfo hints, *ai = NULL;
	char serv[16];
	int rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(serv, sizeof serv, "%d", port);
	if ((rc = getaddrinfo(host, serv, &hints, &ai)) != 0) {
		*cause = xasprintf("'%s' is not an IP address (%s); use "
				   "e.g. 127.0.0.1, 0.0.0.0 or ::",
		    host, gai_strerror(rc));
		return -1;
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	return 0;
}

static void
httpd_log_mhd(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	(void)fmt;
	(void)ap; /* libmicrohttpd's own messages: the access log suffices */
}

static struct MHD_Daemon *
httpd_daemon(struct httpd *h, const struct sockaddr_storage *ss)
{
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD |
	    MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;

	if (ss->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	return MHD_start_daemon(flags, (uint16_t)h->o.port, NULL, NULL,
	    httpd_access, h, MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)h->o.max_connections,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)h->o.timeout_s + 5,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, h->o.max_header + 4096,
	    MHD_OPTION_URI_LOG_CALLBACK, httpd_uri_log, h,
	    MHD_OPTION_NOTIFY_COMPLETED, httpd_completed, h,
	    MHD_OPTION_NOTIFY_CONNECTION, httpd_notify, h,
	    MHD_OPTION_EXTERNAL_LOGGER, httpd_log_mhd, h,
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_END);
}

static void
httpd_start_threads(struct httpd *h)
{
	int i;

	h->workers = xcalloc((size_t)h->o.workers, sizeof *h->workers);
	for (i = 0; i < h->o.workers; i++)
		pthread_create(&h->workers[i], NULL, httpd_worker, h);
	h->watchdog_started = pthread_create(&h->watchdog, NULL, httpd_watch,
				  h) == 0;
}

static void
httpd_free(struct httpd *h)
{
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->work);
	free(h->workers);
	free(h->host);
	free(h);
}

int
httpd_start(const struct httpd_opts *o, struct httpd **out, char **cause)
{
	struct httpd *h = xcalloc(1, sizeof *h);
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *di;
	int err;

	h->o = *o;
	h->host = xstrdup(o->host);
	h->o.host = h->host;
	h->conns.next = h->conns.prev = &h->conns;
	h->busy_since = (long long)time(NULL);
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->work, NULL);
	if (httpd_address(o->host, o->port, &ss, cause) != 0) {
		httpd_free(h);
		return -1;
	}
	errno = 0;
	if ((h->d = httpd_daemon(h, &ss)) == NULL) {
		err = errno;
		*cause = xasprintf("cannot listen on %s port %d%s%s", o->host,
		    o->port, err ? ": " : "", err ? strerror(err) : "");
		httpd_free(h);
		return -1;
	}
	di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	h->port = di != NULL ? di->port : o->port;
	httpd_start_threads(h);
	*out = h;
	return 0;
}

int
httpd_port(const struct httpd *h)
{
	return h->port;
}

void
httpd_quiesce(struct httpd *h)
{
	MHD_socket fd = MHD_quiesce_daemon(h->d);

	if (fd != MHD_INVALID_SOCKET)
		close(fd);
}

int
httpd_stop(struct httpd *h)
{
	int i, left;

	pthread_mutex_lock(&h->lock);
	h->stopping = 1;
	left = h->inflight;
	pthread_cond_broadcast(&h->work);
	pthread_mutex_unlock(&h->lock);
	if (left > 0)
		return left; /* suspended connections: no MHD_stop_daemon */
	for (i = 0; i < h->o.workers; i++)
		pthread_join(h->workers[i], NULL);
	if (h->watchdog_started)
		pthread_join(h->watchdog, NULL);
	MHD_stop_daemon(h->d);
	httpd_free(h);
	return 0;
}
