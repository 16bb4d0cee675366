/*
 * http.c: the libcurl wrapper every remote client uses.
 *
 * One easy handle per attempt keeps attempts independent (fresh headers,
 * fresh body reader). Retries follow botocore's "standard" mode: 3
 * attempts, exponential backoff with full jitter capped at 20 s, on
 * connection failures, timeouts, 500/502/503/504 and 429.
 *
 * libcurl is loaded on the first request (dlopen of its stable soname, or
 * of $STOCKAGENT_LIBCURL), not linked: its dependency tree (TLS, HTTP/2, IDN,
 * Kerberos, LDAP, ...) is some thirty shared libraries, which cost every
 * command about 10 ms at start-up although only remote models and S3 uploads
 * use HTTP.
 */
#include "config.h"

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* CURLOPT_PROTOCOLS stays as the fallback for a libcurl older than 7.85. */
#define CURL_DISABLE_DEPRECATION 1
#include <curl/curl.h>

#include "lib/http.h"
#include "lib/log.h"
#include "lib/redact.h"
#include "lib/xmalloc.h"

#define HTTP_DEFAULT_CONNECT_MS 10000L
#define HTTP_DEFAULT_TIMEOUT_MS 120000L
#define HTTP_DEFAULT_MAX_RESPONSE (16u * 1024 * 1024)
#define HTTP_MAX_HEADER_BYTES (64 * 1024)
#define HTTP_MAX_HEADERS 200
#define HTTP_DEFAULT_ATTEMPTS 3
#define HTTP_DEFAULT_BASE_MS 250L
#define HTTP_DEFAULT_CAP_MS 20000L

void
http_headers_init(struct http_headers *h)
{
	h->items = NULL;
	h->count = 0;
	h->cap = 0;
}

void
http_headers_add(struct http_headers *h, const char *name, const char *value)
{
	if (h->count == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 8;
		h->items = xreallocarray(h->items, h->cap, sizeof *h->items);
	}
	h->items[h->count].name = xstrdup(name);
	h->items[h->count].value = xstrdup(value);
	h->count++;
}

static void
header_clear(struct http_header *item)
{
	if (item->value != NULL)
		explicit_bzero(item->value, strlen(item->value));
	free(item->name);
	free(item->value);
}

void
http_headers_set(struct http_headers *h, const char *name, const char *value)
{
	size_t i, j = 0;

	for (i = 0; i < h->count; i++) {
		if (strcasecmp(h->items[i].name, name) == 0)
			header_clear(&h->items[i]);
		else
			h->items[j++] = h->items[i];
	}
	h->count = j;
	http_headers_add(h, name, value);
}

const char *
http_headers_get(const struct http_headers *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->count; i++)
		if (strcasecmp(h->items[i].name, name) == 0)
			return h->items[i].value;
	return NULL;
}

void
http_headers_free(struct http_headers *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->count; i++)
		header_clear(&h->items[i]);
	free(h->items);
	http_headers_init(h);
}

int
http_header_is_secret(const char *name)
{
	static const char *const secret[] = {
		"authorization",
		"proxy-authorization",
		"x-amz-security-token",
		"x-api-key",
		"api-key",
		"cookie",
		"set-cookie",
		"x-aws-ec2-metadata-token",
	};
	size_t i;

	for (i = 0; i < sizeof secret / sizeof *secret; i++)
		if (strcasecmp(name, secret[i]) == 0)
			return 1;
	/* Anything that calls itself a token, key or secret. */
	return strcasestr(name, "token") != NULL ||
	    strcasestr(name, "secret") != NULL ||
	    strcasestr(name, "api-key") != NULL;
}

void
http_response_init(struct http_response *resp)
{
	resp->status = 0;
	http_headers_init(&resp->headers);
	buf_init(&resp->body, 0);
	resp->attempts = 0;
	resp->error = HTTP_ERR_NONE;
}

void
http_response_free(struct http_response *resp)
{
	if (resp == NULL)
		return;
	http_headers_free(&resp->headers);
	buf_free(&resp->body);
	resp->status = 0;
}

/* The built-in retry rule for an HTTP status (500/502/503/504, 429). */
static int
http_status_is_transient(long status)
{
	return status == 500 || status == 502 || status == 503 ||
	    status == 504 || status == 429;
}

static _Thread_local unsigned int jitter_seed;

long
http_backoff_ms(const struct http_retry *retry, int attempt)
{
	long base = retry && retry->base_delay_ms > 0 ? retry->base_delay_ms :
							HTTP_DEFAULT_BASE_MS;
	long cap = retry && retry->max_delay_ms > 0 ? retry->max_delay_ms :
						      HTTP_DEFAULT_CAP_MS;
	long ceiling = base;
	int i;

	for (i = 1; i < attempt && ceiling < cap; i++)
		ceiling *= 2;
	if (ceiling > cap)
		ceiling = cap;
	if (jitter_seed == 0)
		jitter_seed = (unsigned int)time(NULL) ^
		    ((unsigned int)getpid() << 16) ^ (unsigned int)(size_t)&i;
	return (long)((double)rand_r(&jitter_seed) / RAND_MAX *
	    (double)ceiling);
}

#define LIBCURL_SONAME "libcurl.so.4"

/* The libcurl functions this file calls, resolved by curl_init_once. */
static struct {
	CURLcode (*global_init)(long flags);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *c, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *c);
	void (*easy_cleanup)(CURL *c);
	const char *(*easy_strerror)(CURLcode rc);
	struct curl_slist *(*slist_append)(struct curl_slist *list,
	    const char *s);
	void (*slist_free_all)(struct curl_slist *list);
	curl_version_info_data *(*version_info)(CURLversion v);
	char *error; /* why libcurl is unusable, or NULL */
} lc;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

/* Loads libcurl: STOCKAGENT_LIBCURL (a path or soname) or the system's. */
static void
curl_init_once(void)
{
	const char *name = getenv("STOCKAGENT_LIBCURL");
	const char *missing = NULL;
	void *h;

	if (name == NULL || name[0] == '\0')
		name = LIBCURL_SONAME;
	if ((h = dlopen(name, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		lc.error = xasprintf(
		    "libcurl cannot be loaded (%s): install "
		    "libcurl4 (scripts/setup does) or point STOCKAGENT_LIBCURL "
		    "at a libcurl.so.4",
		    dlerror());
		return;
	}
#define LOAD(field, name)                                                      \
	do {                                                                   \
		*(void **)&lc.field = dlsym(h, name);                          \
		if (lc.field == NULL && missing == NULL)                       \
			missing = name;                                        \
	} while (0)
	LOAD(global_init, "curl_global_init");
	LOAD(easy_init, "curl_easy_init");
	LOAD(easy_setopt, "curl_easy_setopt");
	LOAD(easy_perform, "curl_easy_perform");
	LOAD(easy_cleanup, "curl_easy_cleanup");
	LOAD(easy_strerror, "curl_easy_strerror");
	LOAD(slist_append, "curl_slist_append");
	LOAD(slist_free_all, "curl_slist_free_all");
	LOAD(version_info, "curl_version_info");
#undef LOAD
	if (missing != NULL)
		lc.error = xasprintf("%s has no %s: install libcurl 7.68 or "
				     "later",
		    name, missing);
	else if (lc.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		lc.error = xasprintf("libcurl failed to initialise");
}

const char *
http_curl_version(void)
{
	pthread_once(&curl_once, curl_init_once);
	return lc.version_info != NULL ?
	    lc.version_info(CURLVERSION_NOW)->version :
	    NULL;
}

/* The URL without its query string, for messages. */
static char *
url_for_message(const char *url)
{
	char *bare = xstrndup(url, strcspn(url, "?#")), *r;

	/* Without the query; and without a userinfo password either. */
	r = redact_text(bare);
	free(bare);
	return r;
}

/* State of one attempt, shared with the curl callbacks. */
struct attempt {
	const struct http_request *req;
	struct http_response *resp;
	size_t max_response;
	size_t header_bytes;
	int too_large;
	int aborted;
	int delivered; /* a chunk went to the caller: no retry */
	/* request body */
	FILE *file;
	size_t offset;
	size_t body_len;
};

static size_t
on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct attempt *a = arg;
	size_t len = size * nmemb, n = len, vs;
	char *line, *colon, *value;

	a->header_bytes += len;
	if (a->header_bytes > HTTP_MAX_HEADER_BYTES ||
	    a->resp->headers.count >= HTTP_MAX_HEADERS) {
		a->too_large = 1;
		return 0;
	}
	while (n > 0 && (data[n - 1] == '\r' || data[n - 1] == '\n'))
		n--;
	line = xstrndup(data, n);
	if (strncmp(line, "HTTP/", 5) == 0) {
		/* A new response (after 100 Continue or a redirect). */
		http_headers_free(&a->resp->headers);
		a->resp->status = strtol(line + strcspn(line, " "), NULL, 10);
	} else if ((colon = strchr(line, ':')) != NULL) {
		*colon = '\0';
		value = colon + 1 + strspn(colon + 1, " \t");
		vs = strlen(value);
		while (vs > 0 &&
		    (value[vs - 1] == ' ' || value[vs - 1] == '\t'))
			value[--vs] = '\0';
		http_headers_add(&a->resp->headers, line, value);
	}
	free(line);
	return len;
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct attempt *a = arg;
	size_t len = size * nmemb;
	long status = a->resp->status;

	if (a->req->on_chunk != NULL && status >= 200 && status < 300) {
		a->delivered = 1;
		if (a->req->on_chunk(a->req->chunk_arg, data, len) != 0) {
			a->aborted = 1;
			return 0;
		}
		return len;
	}
	if (a->resp->body.len + len > a->max_response) {
		a->too_large = 1;
		return 0;
	}
	buf_append(&a->resp->body, data, len);
	return len;
}

static size_t
on_read(char *dest, size_t size, size_t nmemb, void *arg)
{
	struct attempt *a = arg;
	size_t room = size * nmemb, n;

	if (a->file != NULL) {
		n = fread(dest, 1, room, a->file);
		if (n == 0 && ferror(a->file))
			return CURL_READFUNC_ABORT;
		return n;
	}
	n = a->body_len - a->offset;
	if (n > room)
		n = room;
	memcpy(dest, (const char *)a->req->body + a->offset, n);
	a->offset += n;
	return n;
}

static int
on_seek(void *arg, curl_off_t offset, int origin)
{
	struct attempt *a = arg;

	if (origin != SEEK_SET || offset < 0)
		return CURL_SEEKFUNC_CANTSEEK;
	if (a->file != NULL)
		return fseeko(a->file, (off_t)offset, SEEK_SET) == 0 ?
		    CURL_SEEKFUNC_OK :
		    CURL_SEEKFUNC_FAIL;
	if ((size_t)offset > a->body_len)
		return CURL_SEEKFUNC_FAIL;
	a->offset = (size_t)offset;
	return CURL_SEEKFUNC_OK;
}

static void
log_request(const struct http_request *req, const struct curl_slist *list,
    int attempt)
{
	char *u;

	if (log_get_level() < LOG_LEVEL_DEBUG)
		return;
	u = url_for_message(req->url);
	log_debug("http: > %s %s (attempt %d)", req->method, u, attempt);
	free(u);
	for (; list != NULL; list = list->next) {
		const char *colon = strchr(list->data, ':');
		char *name = colon ?
		    xstrndup(list->data, (size_t)(colon - list->data)) :
		    xstrdup(list->data);

		if (colon != NULL && colon[1] != '\0')
			log_debug("http: > %s: %s", name,
			    http_header_is_secret(name) ?
				"[redacted]" :
				colon + 1 + strspn(colon + 1, " "));
		free(name);
	}
}

static struct curl_slist *
add_headers(struct curl_slist *list, const struct http_headers *h)
{
	size_t i;

	for (i = 0; h != NULL && i < h->count; i++) {
		char *line = xasprintf("%s: %s", h->items[i].name,
		    h->items[i].value);

		list = lc.slist_append(list, line);
		explicit_bzero(line, strlen(line));
		free(line);
		if (list == NULL)
			abort();
	}
	return list;
}

/* Sets method and request body on the handle. 0, or -1 with *cause. */
static int
set_body(CURL *c, const struct http_request *req, struct attempt *a,
    char **cause)
{
	const char *m = req->method;
	int has_body = req->body != NULL || req->body_path != NULL;

	if (req->body_path != NULL) {
		struct stat st;

		a->file = fopen(req->body_path, "rb");
		if (a->file == NULL || fstat(fileno(a->file), &st) != 0) {
			*cause = xasprintf("cannot open %s: %s", req->body_path,
			    strerror(errno));
			return -1;
		}
		a->body_len = (size_t)st.st_size;
	} else {
		a->body_len = req->body_len;
	}
	if (strcmp(m, "GET") == 0 && !has_body) {
		lc.easy_setopt(c, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(m, "HEAD") == 0) {
		lc.easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else if (has_body || strcmp(m, "PUT") == 0 ||
	    strcmp(m, "POST") == 0) {
		lc.easy_setopt(c, CURLOPT_UPLOAD, 1L);
		lc.easy_setopt(c, CURLOPT_INFILESIZE_LARGE,
		    (curl_off_t)a->body_len);
		lc.easy_setopt(c, CURLOPT_READFUNCTION, on_read);
		lc.easy_setopt(c, CURLOPT_READDATA, a);
		lc.easy_setopt(c, CURLOPT_SEEKFUNCTION, on_seek);
		lc.easy_setopt(c, CURLOPT_SEEKDATA, a);
		if (strcmp(m, "PUT") != 0)
			lc.easy_setopt(c, CURLOPT_CUSTOMREQUEST, m);
	} else {
		lc.easy_setopt(c, CURLOPT_CUSTOMREQUEST, m);
	}
	return 0;
}

static enum http_error
classify_curl(CURLcode rc, const struct attempt *a)
{
	switch (rc) {
	case CURLE_OK:
		return HTTP_ERR_NONE;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return HTTP_ERR_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		return HTTP_ERR_TIMEOUT;
	case CURLE_WRITE_ERROR:
		if (a->aborted)
			return HTTP_ERR_ABORTED;
		return a->too_large ? HTTP_ERR_TOO_LARGE : HTTP_ERR_OTHER;
	case CURLE_READ_ERROR:
	case CURLE_ABORTED_BY_CALLBACK:
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return HTTP_ERR_LOCAL;
	default:
		return a->too_large ? HTTP_ERR_TOO_LARGE : HTTP_ERR_OTHER;
	}
}

static void
set_options(CURL *c, const struct http_request *req, struct attempt *a,
    struct curl_slist *list)
{
	long connect_ms = req->connect_timeout_ms > 0 ?
	    req->connect_timeout_ms :
	    HTTP_DEFAULT_CONNECT_MS;
	long total_ms = req->timeout_ms == 0 ? HTTP_DEFAULT_TIMEOUT_MS :
					       req->timeout_ms;
	const char *ca;

	lc.easy_setopt(c, CURLOPT_URL, req->url);
	lc.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/* Only http and https. The libcurl loaded may be older than the
	 * headers: CURLOPT_PROTOCOLS_STR exists from 7.85. */
#if LIBCURL_VERSION_NUM >= 0x075500
	if (lc.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK)
#endif
		lc.easy_setopt(c, CURLOPT_PROTOCOLS,
		    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	lc.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	/* As the curl tool reads it: a system whose CA bundle is not where
	 * this libcurl was built to look (a Lambda package's libcurl on
	 * Amazon Linux) names its own. */
	if ((ca = getenv("CURL_CA_BUNDLE")) != NULL && *ca != '\0')
		lc.easy_setopt(c, CURLOPT_CAINFO, ca);
	if (total_ms > 0)
		lc.easy_setopt(c, CURLOPT_TIMEOUT_MS, total_ms);
	if (req->low_speed_bytes > 0 && req->low_speed_s > 0) {
		lc.easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT,
		    req->low_speed_bytes);
		lc.easy_setopt(c, CURLOPT_LOW_SPEED_TIME, req->low_speed_s);
	}
	lc.easy_setopt(c, CURLOPT_HTTPHEADER, list);
	lc.easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	lc.easy_setopt(c, CURLOPT_HEADERDATA, a);
	lc.easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	lc.easy_setopt(c, CURLOPT_WRITEDATA, a);
}

/*
 * One attempt. Returns 0 when a response arrived, -1 on a transport
 * failure (resp->error set, *cause the curl message), -2 when the request
 * could not be prepared (never retried).
 */
static int
attempt_once(const struct http_request *req, struct http_response *resp,
    int number, int *delivered, char **cause)
{
	struct attempt a = { .req = req, .resp = resp };
	struct http_headers extra;
	struct curl_slist *list = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *c = NULL;
	CURLcode rc;
	int ret = -2;

	http_headers_init(&extra);
	a.max_response = req->max_response ? req->max_response :
					     HTTP_DEFAULT_MAX_RESPONSE;
	http_headers_free(&resp->headers);
	buf_free(&resp->body);
	resp->status = 0;
	resp->error = HTTP_ERR_NONE;
	if (req->prepare != NULL &&
	    req->prepare(req->prepare_arg, &extra, cause) != 0) {
		resp->error = HTTP_ERR_LOCAL;
		goto cleanup;
	}
	if ((c = lc.easy_init()) == NULL)
		abort();
	list = add_headers(list, req->headers);
	list = add_headers(list, &extra);
	/* No "Expect: 100-continue" wait; our bodies are small. */
	list = lc.slist_append(list, "Expect:");
	list = lc.slist_append(list,
	    "User-Agent: " PACKAGE_NAME "/" PACKAGE_VERSION);
	if (set_body(c, req, &a, cause) != 0) {
		resp->error = HTTP_ERR_LOCAL;
		goto cleanup;
	}
	set_options(c, req, &a, list);
	lc.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	log_request(req, list, number);
	rc = lc.easy_perform(c);
	*delivered = a.delivered;
	resp->error = classify_curl(rc, &a);
	if (resp->error == HTTP_ERR_NONE) {
		log_debug("http: < %ld (%zu bytes)", resp->status,
		    resp->body.len);
		ret = 0;
	} else if (resp->error == HTTP_ERR_TOO_LARGE) {
		*cause = xasprintf("the response is larger than %zu bytes",
		    a.max_response);
		ret = -1;
	} else {
		*cause = xstrdup(errbuf[0] ? errbuf : lc.easy_strerror(rc));
		ret = -1;
	}
cleanup:
	if (a.file != NULL)
		fclose(a.file);
	lc.slist_free_all(list);
	if (c != NULL)
		lc.easy_cleanup(c);
	http_headers_free(&extra);
	return ret;
}

static void
real_sleep(long ms, void *arg)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	(void)arg;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Whether a finished attempt should be tried again. */
static int
should_retry(const struct http_request *req, const struct http_response *resp,
    int rc, int delivered)
{
	const struct http_retry *r = req->retry;
	enum http_verdict v = HTTP_VERDICT_DEFAULT;

	if (rc == -2 || delivered)
		return 0;
	if (rc == -1)
		return resp->error == HTTP_ERR_CONNECT ||
		    resp->error == HTTP_ERR_TIMEOUT;
	if (r->classify != NULL)
		v = r->classify(resp, r->classify_arg);
	if (v != HTTP_VERDICT_DEFAULT)
		return v == HTTP_VERDICT_RETRY;
	return http_status_is_transient(resp->status);
}

/* Backoff, stretched to a Retry-After of a few seconds when one came. */
static long
retry_delay(const struct http_retry *r, const struct http_response *resp,
    int attempt)
{
	long ms = http_backoff_ms(r, attempt);
	long cap = r->max_delay_ms > 0 ? r->max_delay_ms : HTTP_DEFAULT_CAP_MS;
	const char *ra = http_headers_get(&resp->headers, "Retry-After");

	if (ra != NULL && ra[0] >= '0' && ra[0] <= '9') {
		long want = strtol(ra, NULL, 10) * 1000;

		if (want > cap)
			want = cap;
		if (want > ms)
			ms = want;
	}
	return ms;
}

int
http_perform(const struct http_request *req, struct http_response *resp,
    char **cause)
{
	int max = 1, number, rc = -1, delivered = 0;
	char *why = NULL, *u;

	pthread_once(&curl_once, curl_init_once);
	if (lc.error != NULL) {
		resp->attempts = 0;
		resp->status = 0;
		resp->error = HTTP_ERR_LOCAL;
		u = url_for_message(req->url);
		*cause = xasprintf("%s %s: %s", req->method, u, lc.error);
		free(u);
		return -1;
	}
	if (req->retry != NULL)
		max = req->retry->max_attempts > 0 ? req->retry->max_attempts :
						     HTTP_DEFAULT_ATTEMPTS;
	for (number = 1; number <= max; number++) {
		free(why);
		why = NULL;
		resp->attempts = number;
		rc = attempt_once(req, resp, number, &delivered, &why);
		if (number == max || req->retry == NULL ||
		    !should_retry(req, resp, rc, delivered))
			break;
		{
			long ms = retry_delay(req->retry, resp, number);

			log_debug("http: attempt %d failed (%s), retrying in "
				  "%ld ms",
			    number, rc == 0 ? "transient status" : why, ms);
			if (req->retry->sleep != NULL)
				req->retry->sleep(ms, req->retry->sleep_arg);
			else
				real_sleep(ms, NULL);
		}
	}
	if (rc == 0) {
		free(why);
		return 0;
	}
	u = url_for_message(req->url);
	if (rc == -2)
		*cause = why;
	else if (resp->attempts > 1)
		*cause = xasprintf("%s %s: %s (after %d attempts)", req->method,
		    u, why, resp->attempts);
	else
		*cause = xasprintf("%s %s: %s", req->method, u, why);
	if (rc != -2)
		free(why);
	free(u);
	return -1;
}

/* Checks the host (and port) of an http(s) URL's authority [P, END). */
static int
http_authority_ok(const char *p, const char *end, const char **why)
{
	const char *at = NULL, *q, *colon = NULL;
	char *stop;
	long port;

	for (q = p; q < end; q++)
		if (*q == '@')
			at = q;
	if (at != NULL)
		p = at + 1;
	if (p < end && *p == '[') {
		for (q = p + 1; q < end && *q != ']'; q++)
			if (!isxdigit((unsigned char)*q) && *q != ':' &&
			    *q != '.')
				return *why = "the IPv6 address in [ ] holds "
					      "other characters",
				       -1;
		if (q == end)
			return *why = "the IPv6 address has no closing ]", -1;
		if (q == p + 1)
			return *why = "the IPv6 address is empty", -1;
		colon = q + 1 < end ? q + 1 : NULL;
		if (colon != NULL && *colon != ':')
			return *why = "a host in [ ] is followed by other than "
				      ":PORT",
			       -1;
	} else {
		for (q = p; q < end && *q != ':'; q++)
			if (!isalnum((unsigned char)*q) && *q != '-' &&
			    *q != '.' && *q != '_' && *q != '%')
				return *why =
					   "the host name holds a character a "
					   "host cannot have",
				       -1;
		if (q == p)
			return *why = "it names no host", -1;
		colon = q < end ? q : NULL;
	}
	if (colon == NULL)
		return 0;
	port = strtol(colon + 1, &stop, 10);
	if (stop != end || stop == colon + 1 || port < 1 || port > 65535 ||
	    !isdigit((unsigned char)colon[1]))
		return *why = "the port is not a number from 1 to 65535", -1;
	return 0;
}

int
http_url_check(const char *url, char **cause)
{
	const char *p, *end, *why = NULL;

	if (strncmp(url, "http://", 7) == 0)
		p = url + 7;
	else if (strncmp(url, "https://", 8) == 0)
		p = url + 8;
	else
		why = "it does not start with http:// or https://";
	if (why == NULL) {
		for (end = p; *end != '\0' && !strchr("/?#", *end); end++)
			;
		(void)http_authority_ok(p, end, &why);
	}
	if (why == NULL)
		for (p = url; *p != '\0' && why == NULL; p++)
			if ((unsigned char)*p <= ' ' || *p == 0x7f)
				why = "it holds a space or control character";
	if (why == NULL)
		return 0;
	*cause = xasprintf("invalid URL '%s': %s", url, why);
	return -1;
}
