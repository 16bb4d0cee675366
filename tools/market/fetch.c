/*
 * fetch.c: GET with a per-site rate limiter, retries that honour
 * Retry-After, body checks and redacted messages (see fetch.h).
 *
 * The retry loop is here rather than in lib/http.c because every wait,
 * backoff or Retry-After alike, goes through the site's limiter: a 429 seen
 * by one worker thread delays the next request of every thread.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/aws-sigv4.h"
#include "lib/http.h"
#include "lib/log.h"
#include "lib/redact.h"
#include "lib/xmalloc.h"
#include "tools/market/fetch.h"

#define FETCH_DEFAULT_ATTEMPTS 3
#define FETCH_DEFAULT_BASE_MS 500L
#define FETCH_DEFAULT_MAX_WAIT_MS 30000L
#define FETCH_DEFAULT_TIMEOUT_MS 30000L
#define FETCH_DEFAULT_MAX_BODY (8u * 1024 * 1024)
#define FETCH_CONNECT_MS 10000L
#define FETCH_MAX_SITES 16

/* One limiter per site name: the earliest time the next request starts. */
struct limiter {
	char name[32];
	int64_t next_ms; /* monotonic ms */
};

static struct limiter limiters[FETCH_MAX_SITES];
static size_t n_limiters;
static pthread_mutex_t limiter_lock = PTHREAD_MUTEX_INITIALIZER;

static void (*sleep_hook)(long ms, void *arg);
static void *sleep_hook_arg;

void
fetch_set_sleep(void (*sleep_fn)(long ms, void *arg), void *arg)
{
	pthread_mutex_lock(&limiter_lock);
	sleep_hook = sleep_fn;
	sleep_hook_arg = arg;
	pthread_mutex_unlock(&limiter_lock);
}

void
fetch_reset_limiters(void)
{
	pthread_mutex_lock(&limiter_lock);
	n_limiters = 0;
	memset(limiters, 0, sizeof limiters);
	pthread_mutex_unlock(&limiter_lock);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
fetch_sleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	void (*hook)(long, void *);
	void *arg;

	if (ms <= 0)
		return;
	pthread_mutex_lock(&limiter_lock);
	hook = sleep_hook;
	arg = sleep_hook_arg;
	pthread_mutex_unlock(&limiter_lock);
	if (hook != NULL) {
		hook(ms, arg);
		return;
	}
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* The limiter of NAME (created on first use); call with the lock held. */
static struct limiter *
limiter_get(const char *name)
{
	size_t i;

	for (i = 0; i < n_limiters; i++)
		if (strcmp(limiters[i].name, name) == 0)
			return &limiters[i];
	if (n_limiters == FETCH_MAX_SITES)
		return NULL; /* more sites than providers: no limit */
	snprintf(limiters[n_limiters].name, sizeof limiters[0].name, "%s",
	    name);
	limiters[n_limiters].next_ms = 0;
	return &limiters[n_limiters++];
}

/*
 * Takes the next start slot of SITE and waits for it. The slot is taken
 * under the lock, the wait happens outside it, so threads queue in order.
 * Returns 0, or the milliseconds left when the site is held off for more
 * than CAP (nothing is taken or waited for).
 */
static long
limiter_wait(const struct fetch_site *site, long cap)
{
	int64_t now = now_ms(), start, gap = 0;
	struct limiter *l;

	if (site->per_second > 0)
		gap = (int64_t)(1000.0 / site->per_second);
	pthread_mutex_lock(&limiter_lock);
	l = limiter_get(site->name);
	start = l != NULL && l->next_ms > now ? l->next_ms : now;
	if (start - now > cap) {
		pthread_mutex_unlock(&limiter_lock);
		return (long)(start - now);
	}
	if (l != NULL)
		l->next_ms = start + gap;
	pthread_mutex_unlock(&limiter_lock);
	if (start > now) {
		log_debug("%s: waiting %lld ms for the rate limit", site->name,
		    (long long)(start - now));
		fetch_sleep((long)(start - now));
	}
	return 0;
}

/* No request of SITE starts in the next MS milliseconds. */
static void
limiter_hold(const struct fetch_site *site, long ms)
{
	int64_t until = now_ms() + ms;
	struct limiter *l;

	pthread_mutex_lock(&limiter_lock);
	if ((l = limiter_get(site->name)) != NULL && l->next_ms < until)
		l->next_ms = until;
	pthread_mutex_unlock(&limiter_lock);
}

void
fetch_result_init(struct fetch_result *r)
{
	memset(r, 0, sizeof *r);
	buf_init(&r->body, 0);
}

void
fetch_result_free(struct fetch_result *r)
{
	if (r == NULL)
		return;
	buf_free(&r->body);
	free(r->message);
	r->message = NULL;
}

const char *
fetch_status_name(enum fetch_status status)
{
	switch (status) {
	case FETCH_OK:
		return "ok";
	case FETCH_NOT_FOUND:
		return "not found";
	case FETCH_THROTTLED:
		return "throttled";
	case FETCH_UNAUTHORIZED:
		return "refused";
	case FETCH_DOWN:
		return "down";
	case FETCH_BAD:
		break;
	}
	return "bad answer";
}

char *
fetch_url_encode(const char *s)
{
	/* SigV4's encoding is RFC 3986's, the one a query needs. */
	return sigv4_uri_encode(s, strlen(s), 0);
}

char *
fetch_url_for_humans(const char *url)
{
	return redact_text(url);
}

/* Days from 1970-01-01 to Y-M-D (proleptic Gregorian). */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

long
fetch_retry_after_ms(const char *value, int64_t now)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char wd[8], mon[8];
	int d, y, hh, mm, ss;
	const char *m;
	char *end;
	long s;
	int64_t t;

	if (value == NULL)
		return -1;
	while (isspace((unsigned char)*value))
		value++;
	if (isdigit((unsigned char)*value)) {
		errno = 0;
		s = strtol(value, &end, 10);
		if (errno != 0 || s > 86400 * 7 ||
		    (*end != '\0' && !isspace((unsigned char)*end)))
			return -1;
		return s * 1000;
	}
	/* IMF-fixdate: "Wed, 21 Oct 2015 07:28:00 GMT". */
	if (sscanf(value, "%3s, %d %3s %d %d:%d:%d GMT", wd, &d, mon, &y, &hh,
		&mm, &ss) != 7 ||
	    (m = strstr(months, mon)) == NULL || strlen(mon) != 3 ||
	    (m - months) % 3 != 0 || d < 1 || d > 31 || y < 1970 || y > 9999 ||
	    hh > 23 || mm > 59 || ss > 60 || hh < 0 || mm < 0 || ss < 0)
		return -1;
	t = days_from_civil(y, (int)((m - months) / 3) + 1, d) * 86400 +
	    hh * 3600 + mm * 60 + ss;
	return t <= now ? 0 : (long)((t - now) * 1000);
}

int
fetch_body_is_html(const char *body, size_t len)
{
	size_t i = 0;

	while (i < len && isspace((unsigned char)body[i]))
		i++;
	if (i < len && (unsigned char)body[i] == 0xef && i + 2 < len)
		i += 3; /* a UTF-8 byte order mark */
	return (len - i >= 9 && strncasecmp(body + i, "<!doctype", 9) == 0) ||
	    (len - i >= 5 && strncasecmp(body + i, "<html", 5) == 0) ||
	    (len - i >= 5 && strncasecmp(body + i, "<head", 5) == 0) ||
	    (len - i >= 5 && strncasecmp(body + i, "<body", 5) == 0);
}

/* Backoff before try ATTEMPT+1: uniform in [0, min(cap, base*2^(a-1))]. */
static long
backoff_ms(const struct fetch_site *site, int attempt, long cap)
{
	static _Thread_local unsigned int seed;
	long ceiling = site->base_delay_ms > 0 ? site->base_delay_ms :
						 FETCH_DEFAULT_BASE_MS;
	int i;

	for (i = 1; i < attempt && ceiling < cap; i++)
		ceiling *= 2;
	if (ceiling > cap)
		ceiling = cap;
	if (seed == 0)
		seed = (unsigned int)time(NULL) ^ (unsigned int)(size_t)&seed;
	return (long)((double)rand_r(&seed) / RAND_MAX * (double)ceiling);
}

/* What one try came to: a status, and whether another try may help. */
struct verdict {
	enum fetch_status status;
	int transient;
	char *why; /* heap, for the message */
};

static void
judge(const struct fetch_site *site, int rc, const struct http_response *resp,
    const char *http_why, struct verdict *v)
{
	long st = resp->status;
	char *why = NULL;

	v->transient = 0;
	v->why = NULL;
	if (rc != 0) {
		v->transient = resp->error == HTTP_ERR_CONNECT ||
		    resp->error == HTTP_ERR_TIMEOUT;
		v->status = resp->error == HTTP_ERR_TOO_LARGE ? FETCH_BAD :
								FETCH_DOWN;
		v->why = xstrdup(http_why ? http_why : "no answer");
		return;
	}
	if (st == 429) {
		v->status = FETCH_THROTTLED;
		v->transient = 1;
	} else if (st >= 500) {
		v->status = FETCH_DOWN;
		v->transient = st != 501;
	} else if (st == 401 || st == 403) {
		v->status = FETCH_UNAUTHORIZED;
	} else if (st == 404 || st == 410) {
		v->status = FETCH_NOT_FOUND;
	} else if (st < 200 || st >= 300) {
		v->status = FETCH_BAD;
	} else {
		enum fetch_body b = FETCH_BODY_DATA;

		if (site->check_body != NULL)
			b = site->check_body(resp->body.data, resp->body.len,
			    &why);
		else if (fetch_body_is_html(resp->body.data, resp->body.len))
			b = FETCH_BODY_OTHER;
		switch (b) {
		case FETCH_BODY_DATA:
			v->status = FETCH_OK;
			break;
		case FETCH_BODY_THROTTLED:
			v->status = FETCH_THROTTLED;
			v->transient = 1;
			break;
		case FETCH_BODY_NOT_FOUND:
			v->status = FETCH_NOT_FOUND;
			break;
		case FETCH_BODY_UNAUTHORIZED:
			v->status = FETCH_UNAUTHORIZED;
			break;
		case FETCH_BODY_OTHER:
			v->status = FETCH_BAD;
			if (why == NULL)
				why = xstrdup(
				    fetch_body_is_html(resp->body.data,
					resp->body.len) ?
					"an HTML page instead of data" :
					"a body that is not data");
			break;
		}
		if (why != NULL) {
			v->why = xasprintf("%s (HTTP %ld)", why, st);
			free(why);
		}
		return;
	}
	v->why = xasprintf("%s (HTTP %ld)", fetch_status_name(v->status), st);
}

/*
 * The wait before the next try: backoff, or longer when Retry-After says;
 * -1 when Retry-After asks for more than CAP (no use waiting: the caller
 * gives up and the next provider serves).
 */
static long
next_wait(const struct fetch_site *site, const struct http_response *resp,
    int attempt, long cap)
{
	long ms = backoff_ms(site, attempt, cap);
	long ra = fetch_retry_after_ms(http_headers_get(&resp->headers,
					   "Retry-After"),
	    (int64_t)time(NULL));

	if (ra > cap)
		return -1;
	if (ra > ms)
		ms = ra;
	return ms > cap ? cap : ms;
}

int
fetch_get(const struct fetch_site *site, const char *url,
    const struct http_headers *headers, struct http_cookies *jar,
    struct fetch_result *out)
{
	int max = site->attempts > 0 ? site->attempts : FETCH_DEFAULT_ATTEMPTS;
	long cap = site->max_wait_ms > 0 ? site->max_wait_ms :
					   FETCH_DEFAULT_MAX_WAIT_MS;
	struct http_request req = {
		.method = "GET",
		.url = url,
		.headers = headers,
		.connect_timeout_ms = FETCH_CONNECT_MS,
		.timeout_ms = site->timeout_ms > 0 ? site->timeout_ms :
						     FETCH_DEFAULT_TIMEOUT_MS,
		.low_speed_bytes = 1,
		.low_speed_s = 30,
		.max_response = site->max_body > 0 ? site->max_body :
						     FETCH_DEFAULT_MAX_BODY,
		.accept_encoding = 1,
		.cookies = jar,
	};
	struct http_response resp;
	struct verdict v = { FETCH_DOWN, 0, NULL };
	char *http_why = NULL, *u;
	long held;
	int attempt, rc = 0;

	http_response_init(&resp);
	for (attempt = 1; attempt <= max; attempt++) {
		free(v.why);
		free(http_why);
		http_why = NULL;
		if ((held = limiter_wait(site, cap)) > 0) {
			/* Asked to keep off longer than we wait: throttled. */
			v.status = FETCH_THROTTLED;
			v.transient = 0;
			v.why = xasprintf("throttled: asked to wait %ld s more",
			    (held + 999) / 1000);
			rc = 0;
			break;
		}
		rc = http_perform(&req, &resp, &http_why);
		judge(site, rc, &resp, http_why, &v);
		if (!v.transient || attempt == max)
			break;
		{
			long ms = next_wait(site, &resp, attempt, cap);

			if (ms < 0) {
				/* The whole process keeps off it that long. */
				limiter_hold(site,
				    fetch_retry_after_ms(
					http_headers_get(&resp.headers,
					    "Retry-After"),
					(int64_t)time(NULL)));
				break;
			}
			log_debug("%s: try %d: %s; next in %ld ms", site->name,
			    attempt, v.why, ms);
			limiter_hold(site, ms);
		}
	}
	out->status = v.status;
	out->http_status = resp.status;
	out->attempts = attempt > max ? max : attempt;
	out->fetched_at = (int64_t)time(NULL);
	buf_free(&out->body);
	out->body = resp.body;
	buf_init(&resp.body, 0);
	free(out->message);
	out->message = NULL;
	if (v.status != FETCH_OK) {
		/* http_why names the URL already when the transport failed. */
		u = redact_text(url);
		u[strcspn(u, "?#")] = '\0';
		if (rc != 0)
			out->message = out->attempts > 1 ?
			    xasprintf("%s: %s (after %d attempts)", site->name,
				v.why, out->attempts) :
			    xasprintf("%s: %s", site->name, v.why);
		else
			out->message = out->attempts > 1 ?
			    xasprintf("%s: GET %s: %s after %d attempts",
				site->name, u, v.why, out->attempts) :
			    xasprintf("%s: GET %s: %s", site->name, u, v.why);
		free(u);
		u = redact_text(out->message);
		free(out->message);
		out->message = u;
	}
	free(v.why);
	free(http_why);
	http_response_free(&resp);
	return v.status == FETCH_OK ? 0 : -1;
}
