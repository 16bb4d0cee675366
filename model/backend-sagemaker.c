/*
 * backend-sagemaker.c: an Amazon SageMaker endpoint serving a chat model
 * through vLLM (or the LMI container).
 *
 *   sagemaker:ENDPOINT_NAME?region=us-east-1&component=IC_NAME
 *   sagemaker:ENDPOINT_NAME?custom-attributes=trace=1&model=NAME&stream=0
 *
 * The body is the OpenAI chat-completions body; InvokeEndpoint answers a
 * chat completion, InvokeEndpointWithResponseStream an event stream whose
 * PayloadPart events carry the container's raw bytes, split anywhere:
 * they are reassembled into lines, SSE "data:" lines (vLLM) and JSON lines
 * (LMI) both accepted. Signed with SigV4 for service "sagemaker".
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lib/aws-eventstream.h"
#include "lib/xmalloc.h"
#include "model/model-int.h"
#include "model/openai-wire.h"
#include "model/remote-aws.h"
#include "model/remote.h"

#define SAGEMAKER_MAX_NAME 63
#define SAGEMAKER_MAX_ATTRS 1024

static const char *const sagemaker_options[] = { "region", "component",
	"custom-attributes", "endpoint", "model", NULL };

struct sagemaker_state {
	struct remote_aws aws; /* first: also stream, timeout, defaults */
	char *name;
	char *component;
	char *attributes;
	char *model;
};

_Static_assert(offsetof(struct sagemaker_state, aws) == 0,
    "remote_aws_open hands the state out as its struct remote_aws");

/* A remote_aws_service free: what sagemaker_configure kept. */
static void
sagemaker_free(void *state)
{
	struct sagemaker_state *st = state;

	free(st->name);
	free(st->component);
	free(st->attributes);
	free(st->model);
}

/* Endpoint names are [a-zA-Z0-9](-*[a-zA-Z0-9])*, at most 63. */
static int
sagemaker_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > SAGEMAKER_MAX_NAME || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
			(s[i] >= 'A' && s[i] <= 'Z') ||
			(s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	}
	return 1;
}

static char *
sagemaker_opt(const struct remote_uri *u, const char *key)
{
	const char *v = remote_uri_get(u, key);

	return v != NULL ? xstrdup(v) : NULL;
}

/* A remote_aws_service configure: the endpoint name and its headers. */
static int
sagemaker_configure(void *state, const struct remote_uri *u, char **cause)
{
	struct sagemaker_state *st = state;

	if (!sagemaker_name_ok(u->base)) {
		*cause = xasprintf("invalid SageMaker endpoint name '%s': use "
				   "1-63 letters, digits and hyphens, e.g. "
				   "sagemaker:gpt-oss-20b-endpoint",
		    u->base);
		return -1;
	}
	st->name = xstrdup(u->base);
	st->component = sagemaker_opt(u, "component");
	st->attributes = sagemaker_opt(u, "custom-attributes");
	st->model = sagemaker_opt(u, "model");
	if (st->attributes != NULL &&
	    strlen(st->attributes) > SAGEMAKER_MAX_ATTRS) {
		*cause = xasprintf("sagemaker custom-attributes is longer than "
				   "%d characters",
		    SAGEMAKER_MAX_ATTRS);
		return -1;
	}
	return 0;
}

static const struct remote_aws_service sagemaker_service = {
	"sagemaker",
	sagemaker_options,
	"sagemaker-runtime",
	NULL,
	sizeof(struct sagemaker_state),
	sagemaker_configure,
	sagemaker_free,
};

static int
sagemaker_open(const char *rest, const struct model_params *defaults,
    void **state_out, char **cause)
{
	return remote_aws_open(&sagemaker_service, rest, defaults, state_out,
	    cause);
}

static int
sagemaker_on_event(void *arg, const char *type,
    const struct eventstream_message *m, char **cause)
{
	struct remote_lines *lines = arg;

	if (type == NULL || strcmp(type, "PayloadPart") != 0)
		return 0;
	if (remote_lines_feed(lines, (const char *)m->payload,
		m->payload_len) != 0) {
		*cause = xstrdup(lines->error);
		return -1;
	}
	return 0;
}

static void
sagemaker_headers(const struct sagemaker_state *st, struct http_headers *h)
{
	http_headers_add(h, "Content-Type", "application/json");
	if (st->aws.conf.stream)
		http_headers_add(h, "X-Amzn-SageMaker-Accept",
		    "text/event-stream");
	else
		http_headers_add(h, "Accept", "application/json");
	if (st->component != NULL)
		http_headers_add(h, "X-Amzn-SageMaker-Inference-Component",
		    st->component);
	if (st->attributes != NULL)
		http_headers_add(h, "X-Amzn-SageMaker-Custom-Attributes",
		    st->attributes);
}

static int
sagemaker_stream_result(struct remote_events *ev, struct remote_lines *lines,
    struct openai_wire_acc *acc, struct model_response *resp, char **cause)
{
	if (remote_events_finish(ev) != 0) {
		*cause = xasprintf("sagemaker response stream: %s", ev->error);
		return -1;
	}
	return openai_wire_stream_finish(acc, lines,
	    "sagemaker response stream", resp, cause);
}

static int
sagemaker_chat(void *state, const struct model_request *req,
    struct model_response *resp, char **cause)
{
	struct sagemaker_state *st = state;
	struct openai_wire_opts o = { st->model, "max_tokens",
		st->aws.conf.stream, 1, 1 };
	struct openai_wire_acc acc;
	struct remote_lines lines;
	struct remote_events ev;
	struct http_response hr;
	struct http_headers h;
	struct model_params p;
	char *body, *path;
	const char *what = st->aws.conf.stream ?
	    "sagemaker InvokeEndpointWithResponseStream" :
	    "sagemaker InvokeEndpoint";
	int rc;

	remote_params(&req->params, &st->aws.defaults, &p);
	body = openai_wire_body(req, &p, &o);
	path = xasprintf("/endpoints/%s/%s", st->name,
	    st->aws.conf.stream ? "invocations-response-stream" :
				  "invocations");
	http_headers_init(&h);
	sagemaker_headers(st, &h);
	openai_wire_acc_init(&acc, req);
	remote_lines_init(&lines, openai_wire_acc_chunk, &acc);
	remote_events_init(&ev, sagemaker_on_event, &lines);
	http_response_init(&hr);
	rc = remote_aws_send(&st->aws, what, path, &h, body, &ev, &hr, cause);
	if (rc == 0 && st->aws.conf.stream)
		rc = sagemaker_stream_result(&ev, &lines, &acc, resp, cause);
	else if (rc == 0)
		rc = openai_wire_parse(hr.body.data, hr.body.len, resp, cause);
	http_response_free(&hr);
	http_headers_free(&h);
	remote_events_free(&ev);
	remote_lines_free(&lines);
	openai_wire_acc_free(&acc);
	free(body);
	free(path);
	return rc;
}

const struct model_backend model_backend_sagemaker = {
	.scheme = "sagemaker",
	.summary = "Amazon SageMaker endpoint (vLLM chat completions), "
		   "InvokeEndpoint(WithResponseStream), SigV4",
	.open = sagemaker_open,
	.chat = sagemaker_chat,
	.close = remote_aws_close,
};
