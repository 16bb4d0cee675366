/*
 * remote.c: URI options, limits, retries and error messages shared by the
 * remote model backends.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "lib/aws-eventstream.h"
#include "lib/xmalloc.h"
#include "model/remote.h"

#define REMOTE_CONNECT_MS 10000L
#define REMOTE_TIMEOUT_S 300L
#define REMOTE_STALL_S 60L
#define REMOTE_ATTEMPTS 3
#define REMOTE_SHOWN_BODY 300

static const char *const remote_common[] = { "stream", "timeout", "retries",
	NULL };

static int
remote_known(const char *key, const char *const *list)
{
	for (; list != NULL && *list != NULL; list++) {
		if (strcmp(key, *list) == 0)
			return 1;
	}
	return 0;
}

/* Adds the pairs of QUERY ("k=v&k=v") to U. */
static int
remote_uri_pairs(const char *scheme, char *query, const char *const *allowed,
    struct remote_uri *u, char **cause)
{
	char *pair, *save = NULL, *eq;

	for (pair = strtok_r(query, "&", &save); pair != NULL;
	     pair = strtok_r(NULL, "&", &save)) {
		if ((eq = strchr(pair, '=')) == NULL) {
			*cause = xasprintf("model option '%s' in a %s: URI "
					   "has no value; write it as %s=VALUE",
			    pair, scheme, pair);
			return -1;
		}
		*eq = '\0';
		if (!remote_known(pair, remote_common) &&
		    !remote_known(pair, allowed)) {
			*cause = xasprintf("unknown option '%s' for %s: models "
					   "(see 'man stockagent', MODELS)",
			    pair, scheme);
			return -1;
		}
		u->keys = xreallocarray(u->keys, u->n + 1, sizeof *u->keys);
		u->values = xreallocarray(u->values, u->n + 1,
		    sizeof *u->values);
		u->keys[u->n] = xstrdup(pair);
		u->values[u->n] = xstrdup(eq + 1);
		u->n++;
	}
	return 0;
}

int
remote_uri_parse(const char *scheme, const char *rest,
    const char *const *allowed, struct remote_uri *out, char **cause)
{
	char *copy = xstrdup(rest != NULL ? rest : ""), *hash, *q, *fq;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if ((hash = strchr(copy, '#')) != NULL) {
		*hash++ = '\0';
		if ((fq = strchr(hash, '?')) != NULL) {
			*fq++ = '\0';
			if (remote_uri_pairs(scheme, fq, allowed, out, cause) !=
			    0)
				goto out;
		}
		out->fragment = xstrdup(hash);
	}
	if ((q = strchr(copy, '?')) != NULL) {
		*q++ = '\0';
		if (remote_uri_pairs(scheme, q, allowed, out, cause) != 0)
			goto out;
	}
	out->base = xstrdup(copy);
	rc = 0;
out:
	free(copy);
	if (rc != 0)
		remote_uri_free(out);
	return rc;
}

const char *
remote_uri_get(const struct remote_uri *u, const char *key)
{
	size_t i;

	for (i = u->n; i > 0; i--) {
		if (strcmp(u->keys[i - 1], key) == 0)
			return u->values[i - 1];
	}
	return NULL;
}

void
remote_uri_free(struct remote_uri *u)
{
	size_t i;

	for (i = 0; i < u->n; i++) {
		free(u->keys[i]);
		free(u->values[i]);
	}
	free(u->keys);
	free(u->values);
	free(u->base);
	free(u->fragment);
	memset(u, 0, sizeof *u);
}

static int
remote_long(const char *scheme, const char *key, const char *v, long lo,
    long hi, long *out, char **cause)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < lo || n > hi) {
		*cause = xasprintf("invalid %s option %s=%s: use a whole "
				   "number from %ld to %ld",
		    scheme, key, v, lo, hi);
		return -1;
	}
	*out = n;
	return 0;
}

int
remote_conf_parse(const char *scheme, const struct remote_uri *u,
    struct remote_conf *conf, char **cause)
{
	const char *v;
	long n;

	conf->stream = 1;
	conf->timeout_ms = REMOTE_TIMEOUT_S * 1000;
	conf->attempts = REMOTE_ATTEMPTS;
	if ((v = remote_uri_get(u, "stream")) != NULL) {
		if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0)
			conf->stream = 1;
		else if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0)
			conf->stream = 0;
		else {
			*cause = xasprintf("invalid %s option stream=%s: use "
					   "1 or 0",
			    scheme, v);
			return -1;
		}
	}
	if ((v = remote_uri_get(u, "timeout")) != NULL) {
		if (remote_long(scheme, "timeout", v, 1, 3600, &n, cause) != 0)
			return -1;
		conf->timeout_ms = n * 1000;
	}
	if ((v = remote_uri_get(u, "retries")) != NULL) {
		if (remote_long(scheme, "retries", v, 1, 10, &n, cause) != 0)
			return -1;
		conf->attempts = (int)n;
	}
	return 0;
}

void
remote_params(const struct model_params *req,
    const struct model_params *defaults, struct model_params *out)
{
	static const struct model_params none = { NULL, 0, -1, -1, -1, NULL };

	if (defaults == NULL)
		defaults = &none;
	*out = *defaults;
	if (req == NULL)
		return;
	if (req->reasoning != NULL)
		out->reasoning = req->reasoning;
	if (req->max_tokens > 0)
		out->max_tokens = req->max_tokens;
	if (req->temperature >= 0)
		out->temperature = req->temperature;
	if (req->top_p >= 0)
		out->top_p = req->top_p;
	if (req->seed >= 0)
		out->seed = req->seed;
}

/* The error code without a ":..." or "...#" decoration. */
static char *
remote_clean_code(const char *code)
{
	const char *hash = strrchr(code, '#');

	if (hash != NULL)
		code = hash + 1;
	return xstrndup(code, strcspn(code, ":"));
}

static const char *
remote_json_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Code and message of an error response; both heap strings or NULL. */
static void
remote_error_parts(const struct http_response *resp, char **code,
    char **message)
{
	const char *h = http_headers_get(&resp->headers, "x-amzn-ErrorType");
	const char *c = NULL, *m = NULL;
	cJSON *body = cJSON_ParseWithLength(resp->body.data, resp->body.len);
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(body, "error");

	if ((c = remote_json_str(body, "__type")) == NULL &&
	    (c = remote_json_str(body, "code")) == NULL)
		c = remote_json_str(body, "Code");
	if ((m = remote_json_str(body, "message")) == NULL)
		m = remote_json_str(body, "Message");
	if (cJSON_IsObject(err)) {
		if (c == NULL && (c = remote_json_str(err, "type")) == NULL)
			c = remote_json_str(err, "code");
		if (m == NULL)
			m = remote_json_str(err, "message");
	} else if (m == NULL && cJSON_IsString(err)) {
		m = err->valuestring;
	}
	if (h != NULL && *h != '\0')
		c = h;
	*code = c != NULL ? remote_clean_code(c) : NULL;
	*message = m != NULL ? xstrdup(m) : NULL;
	cJSON_Delete(body);
}

/* A body that is not JSON, shortened and stripped of control bytes. */
static char *
remote_shown_body(const struct http_response *resp)
{
	size_t i, n = resp->body.len;
	char *s;

	if (n > REMOTE_SHOWN_BODY)
		n = REMOTE_SHOWN_BODY;
	s = xstrndup(resp->body.data != NULL ? resp->body.data : "", n);
	for (i = 0; s[i] != '\0'; i++) {
		if ((unsigned char)s[i] < 0x20)
			s[i] = ' ';
	}
	return s;
}

static char *
remote_error_message(const struct remote_call *call,
    const struct http_response *resp)
{
	char *code = NULL, *msg = NULL, *text;
	const char *rid = http_headers_get(&resp->headers, "x-amzn-RequestId");

	remote_error_parts(resp, &code, &msg);
	if (msg == NULL)
		msg = remote_shown_body(resp);
	text = xasprintf("%s failed: %s%s%s (HTTP %ld%s%s)", call->what,
	    code != NULL ? code : "", code != NULL ? ": " : "",
	    *msg != '\0' ? msg : "no message", resp->status,
	    rid != NULL ? ", request id " : "", rid != NULL ? rid : "");
	free(code);
	free(msg);
	return text;
}

/* Error codes retried whatever the status (botocore's standard mode). */
static const char *const remote_retry_codes[] = {
	"Throttling",
	"ThrottlingException",
	"ThrottledException",
	"RequestThrottledException",
	"TooManyRequestsException",
	"ProvisionedThroughputExceededException",
	"RequestLimitExceeded",
	"LimitExceededException",
	"RequestThrottled",
	"SlowDown",
	"ModelNotReadyException",
	"RequestTimeout",
	"RequestTimeoutException",
	"PriorRequestNotComplete",
	"ServiceUnavailableException",
	"InternalServerException",
	NULL,
};

static enum http_verdict
remote_classify(const struct http_response *resp, void *arg)
{
	char *code = NULL, *msg = NULL;
	enum http_verdict v = HTTP_VERDICT_DEFAULT;

	(void)arg;
	if (resp->status >= 200 && resp->status < 300)
		return HTTP_VERDICT_FINAL;
	remote_error_parts(resp, &code, &msg);
	if (code != NULL && remote_known(code, remote_retry_codes))
		v = HTTP_VERDICT_RETRY;
	else if (resp->status >= 400 && resp->status < 500 &&
	    resp->status != 429)
		v = HTTP_VERDICT_FINAL;
	free(code);
	free(msg);
	return v;
}

int
remote_perform(const struct remote_call *call, struct http_response *resp,
    char **cause)
{
	struct http_retry retry = { 0 };
	struct http_request req = { 0 };
	char *why = NULL;
	long stall = REMOTE_STALL_S;

	retry.max_attempts = call->conf->attempts;
	retry.classify = remote_classify;
	req.method = "POST";
	req.url = call->url;
	req.headers = call->headers;
	req.body = call->body;
	req.body_len = call->body_len;
	req.connect_timeout_ms = REMOTE_CONNECT_MS;
	req.timeout_ms = call->conf->timeout_ms;
	if (stall * 1000 > call->conf->timeout_ms)
		stall = call->conf->timeout_ms / 1000;
	req.low_speed_bytes = 1;
	req.low_speed_s = stall > 0 ? stall : 1;
	req.max_response = REMOTE_MAX_RESPONSE;
	req.retry = &retry;
	req.prepare = call->prepare;
	req.prepare_arg = call->prepare_arg;
	req.on_chunk = call->on_chunk;
	req.chunk_arg = call->chunk_arg;
	if (http_perform(&req, resp, &why) != 0) {
		*cause = xasprintf("%s failed: %s", call->what, why);
		free(why);
		return -1;
	}
	if (resp->status < 200 || resp->status >= 300) {
		*cause = remote_error_message(call, resp);
		if (resp->attempts > 1) {
			why = *cause;
			*cause = xasprintf("%s (after %d attempts)", why,
			    resp->attempts);
			free(why);
		}
		return -1;
	}
	return 0;
}

void
remote_append(char **dst, const char *text, size_t len)
{
	size_t old = *dst != NULL ? strlen(*dst) : 0;
	char *s = xmalloc(old + len + 1);

	if (old > 0)
		memcpy(s, *dst, old);
	memcpy(s + old, text, len);
	s[old + len] = '\0';
	free(*dst);
	*dst = s;
}

void
remote_split_reasoning(char **content, char **reasoning)
{
	static const char open[] = "<reasoning>", close[] = "</reasoning>";
	char *c = *content, *start, *end, *rest;

	while (c != NULL && (start = strstr(c, open)) != NULL) {
		end = strstr(start, close);
		if (*reasoning != NULL && **reasoning != '\0')
			remote_append(reasoning, "\n", 1);
		if (end == NULL) {
			/* Cut off mid-thought: all of it is reasoning. */
			remote_append(reasoning, start + strlen(open),
			    strlen(start + strlen(open)));
			*start = '\0';
			break;
		}
		remote_append(reasoning, start + strlen(open),
		    (size_t)(end - start) - strlen(open));
		rest = end + strlen(close);
		memmove(start, rest, strlen(rest) + 1);
	}
	if (c != NULL) {
		/* Leading whitespace left where the tags were. */
		rest = c + strspn(c, " \t\r\n");
		memmove(c, rest, strlen(rest) + 1);
	}
}

void
remote_add_call(struct model_response *resp, const char *id, const char *name,
    const char *arguments)
{
	struct model_tool_call *c;

	resp->calls = xreallocarray(resp->calls, resp->n_calls + 1,
	    sizeof *resp->calls);
	c = &resp->calls[resp->n_calls++];
	c->id = xstrdup(id != NULL && *id != '\0' ? id : "call");
	c->name = xstrdup(name != NULL ? name : "");
	c->arguments = xstrdup(arguments != NULL && *arguments != '\0' ?
		arguments :
		"{}");
}

void
remote_lines_init(struct remote_lines *l,
    int (*on_json)(void *arg, const cJSON *obj, char **cause), void *arg)
{
	memset(l, 0, sizeof *l);
	buf_init(&l->line, REMOTE_MAX_LINE);
	l->on_json = on_json;
	l->arg = arg;
}

/* One complete line: SSE field, JSON line or blank. */
static int
remote_lines_one(struct remote_lines *l, char *s, size_t n)
{
	cJSON *obj;
	char *why = NULL;
	int rc;

	while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' '))
		s[--n] = '\0';
	if (strncmp(s, "data:", 5) == 0)
		s += 5;
	else if (*s == ':' || strncmp(s, "event:", 6) == 0 ||
	    strncmp(s, "id:", 3) == 0 || strncmp(s, "retry:", 6) == 0)
		return 0;
	s += strspn(s, " \t");
	if (*s == '\0' || l->done)
		return 0;
	if (strcmp(s, "[DONE]") == 0) {
		l->done = 1;
		return 0;
	}
	if ((obj = cJSON_Parse(s)) == NULL) {
		l->error = xasprintf("malformed JSON in the stream: %.80s", s);
		return -1;
	}
	rc = l->on_json(l->arg, obj, &why);
	cJSON_Delete(obj);
	if (rc != 0)
		l->error = why != NULL ? why : xstrdup("bad stream event");
	return rc;
}

int
remote_lines_feed(struct remote_lines *l, const char *data, size_t len)
{
	const char *nl;
	size_t take;

	if (l->error != NULL)
		return -1;
	l->total += len;
	if (l->total > REMOTE_MAX_RESPONSE) {
		l->error = xasprintf("the stream is larger than %u bytes",
		    REMOTE_MAX_RESPONSE);
		return -1;
	}
	while (len > 0) {
		nl = memchr(data, '\n', len);
		take = nl != NULL ? (size_t)(nl - data) : len;
		if (buf_append(&l->line, data, take) != 0) {
			l->error = xasprintf("a stream line is longer than %u "
					     "bytes",
			    REMOTE_MAX_LINE);
			return -1;
		}
		if (nl == NULL)
			break;
		if (remote_lines_one(l,
			l->line.data != NULL ? l->line.data : (char *)"",
			l->line.len) != 0)
			return -1;
		l->line.len = 0;
		if (l->line.data != NULL)
			l->line.data[0] = '\0';
		data += take + 1;
		len -= take + 1;
	}
	return 0;
}

int
remote_lines_finish(struct remote_lines *l)
{
	int rc = 0;

	if (l->error != NULL)
		return -1;
	if (l->line.len > 0)
		rc = remote_lines_one(l, l->line.data, l->line.len);
	l->line.len = 0;
	return rc;
}

void
remote_lines_free(struct remote_lines *l)
{
	buf_free(&l->line);
	free(l->error);
	l->error = NULL;
}

void
remote_events_init(struct remote_events *e,
    int (*on_event)(void *arg, const char *type,
	const struct eventstream_message *m, char **cause),
    void *arg)
{
	memset(e, 0, sizeof *e);
	e->dec = eventstream_decoder_new(0);
	e->on_event = on_event;
	e->arg = arg;
}

static int
remote_events_one(struct remote_events *e, struct eventstream_message *m)
{
	enum eventstream_kind kind = eventstream_message_kind(m);
	char *why = NULL, *text;

	if (kind == EVENTSTREAM_KIND_EXCEPTION ||
	    kind == EVENTSTREAM_KIND_ERROR) {
		text = eventstream_message_describe_error(m);
		e->error = xasprintf("the service sent %s", text);
		free(text);
		return -1;
	}
	if (kind != EVENTSTREAM_KIND_EVENT)
		return 0;
	if (e->on_event(e->arg, eventstream_message_string(m, ":event-type"), m,
		&why) != 0) {
		e->error = why != NULL ? why : xstrdup("bad stream event");
		return -1;
	}
	return 0;
}

int
remote_events_chunk(void *arg, const char *data, size_t len)
{
	struct remote_events *e = arg;
	struct eventstream_message *m = NULL;
	enum eventstream_status st;
	int rc = 0;

	if (e->error != NULL)
		return 1;
	e->total += len;
	if (e->total > REMOTE_MAX_RESPONSE) {
		e->error = xasprintf("the stream is larger than %u bytes",
		    REMOTE_MAX_RESPONSE);
		return 1;
	}
	st = eventstream_push(e->dec, data, len);
	while (st == EVENTSTREAM_OK &&
	    (st = eventstream_next(e->dec, &m)) == EVENTSTREAM_OK) {
		rc = remote_events_one(e, m);
		eventstream_message_free(m);
		if (rc != 0)
			return 1;
	}
	if (st != EVENTSTREAM_NEED_MORE) {
		e->error = xasprintf("bad event-stream frame: %s",
		    eventstream_strerror(st));
		return 1;
	}
	return 0;
}

int
remote_events_finish(struct remote_events *e)
{
	enum eventstream_status st;

	if (e->error != NULL)
		return -1;
	if ((st = eventstream_finish(e->dec)) != EVENTSTREAM_OK) {
		e->error = xasprintf("bad event stream: %s",
		    eventstream_strerror(st));
		return -1;
	}
	return 0;
}

void
remote_events_free(struct remote_events *e)
{
	eventstream_decoder_free(e->dec);
	free(e->error);
	memset(e, 0, sizeof *e);
}

char *
remote_base64_decode(const char *in, size_t *len_out)
{
	size_t n = strlen(in), pad = 0;
	unsigned char *out;
	int got;

	if (n % 4 != 0)
		return NULL;
	out = xmalloc(n / 4 * 3 + 1);
	if ((got = EVP_DecodeBlock(out, (const unsigned char *)in, (int)n)) <
	    0) {
		free(out);
		return NULL;
	}
	if (n > 0 && in[n - 1] == '=')
		pad++;
	if (n > 1 && in[n - 2] == '=')
		pad++;
	*len_out = (size_t)got - pad;
	out[*len_out] = '\0';
	return (char *)out;
}
