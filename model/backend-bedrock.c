/*
 * backend-bedrock.c: Amazon Bedrock Runtime.
 *
 *   bedrock:openai.gpt-oss-120b-1:0?region=us-west-2
 *   bedrock:MODEL_ID?api=invoke&guardrail=ID:VERSION&stream=0
 *
 * api=converse (default) uses Converse / ConverseStream; api=invoke sends
 * the OpenAI chat body gpt-oss takes to InvokeModel /
 * InvokeModelWithResponseStream. Streams are binary event streams.
 * Requests are SigV4-signed for service "bedrock" (the model id is
 * percent-encoded in the path and encoded again for the signature), or
 * carry a Bedrock API key (AWS_BEARER_TOKEN_BEDROCK) as a Bearer token.
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lib/aws-eventstream.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "model/converse-wire.h"
#include "model/model-int.h"
#include "model/openai-wire.h"
#include "model/remote-aws.h"
#include "model/remote.h"

static const char *const bedrock_options[] = { "region", "api", "guardrail",
	"endpoint", NULL };

struct bedrock_state {
	struct remote_aws aws; /* first: also stream, timeout, defaults */
	char *model_label;     /* percent-encoded model id */
	int invoke;	       /* api=invoke */
	char *guard_id;
	char *guard_version;
};

_Static_assert(offsetof(struct bedrock_state, aws) == 0,
    "remote_aws_open hands the state out as its struct remote_aws");

/* A remote_aws_service free: what bedrock_configure kept. */
static void
bedrock_free(void *state)
{
	struct bedrock_state *st = state;

	free(st->model_label);
	free(st->guard_id);
	free(st->guard_version);
}

/* A remote_aws_service configure: the model id, api= and guardrail=. */
static int
bedrock_configure(void *state, const struct remote_uri *u, char **cause)
{
	struct bedrock_state *st = state;
	const char *api = remote_uri_get(u, "api");
	const char *g = remote_uri_get(u, "guardrail"), *colon;

	if (*u->base == '\0') {
		*cause = xstrdup("model 'bedrock:' names no model: write e.g. "
				 "bedrock:openai.gpt-oss-120b-1:0");
		return -1;
	}
	if (api != NULL && strcmp(api, "invoke") != 0 &&
	    strcmp(api, "converse") != 0) {
		*cause = xasprintf("invalid bedrock option api=%s: use "
				   "converse or invoke",
		    api);
		return -1;
	}
	st->invoke = api != NULL && strcmp(api, "invoke") == 0;
	if (g != NULL) {
		if ((colon = strrchr(g, ':')) == NULL || colon == g ||
		    colon[1] == '\0') {
			*cause = xasprintf(
			    "invalid bedrock option "
			    "guardrail=%s: write guardrail=ID:VERSION",
			    g);
			return -1;
		}
		st->guard_id = xstrndup(g, (size_t)(colon - g));
		st->guard_version = xstrdup(colon + 1);
	}
	st->model_label = remote_aws_label(u->base);
	return 0;
}

static const struct remote_aws_service bedrock_service = {
	"bedrock",
	bedrock_options,
	"bedrock-runtime",
	"AWS_BEARER_TOKEN_BEDROCK",
	sizeof(struct bedrock_state),
	bedrock_configure,
	bedrock_free,
};

static int
bedrock_open(const char *rest, const struct model_params *defaults,
    void **state_out, char **cause)
{
	return remote_aws_open(&bedrock_service, rest, defaults, state_out,
	    cause);
}

/* What the stream callbacks fold into. */
struct bedrock_stream {
	struct converse_wire_acc converse;
	struct openai_wire_acc invoke;
	int is_invoke;
};

static int
bedrock_invoke_chunk(struct bedrock_stream *bs, const cJSON *payload,
    char **cause)
{
	const cJSON *b = cJSON_GetObjectItemCaseSensitive(payload, "bytes");
	const cJSON *metrics;
	cJSON *chunk;
	char *raw;
	size_t len;
	int rc;

	if (!cJSON_IsString(b) ||
	    (raw = remote_base64_decode(b->valuestring, &len)) == NULL) {
		*cause = xstrdup("a chunk event without base64 \"bytes\"");
		return -1;
	}
	chunk = cJSON_ParseWithLength(raw, len);
	free(raw);
	if (chunk == NULL) {
		*cause = xstrdup("a chunk whose bytes are not JSON");
		return -1;
	}
	rc = openai_wire_acc_chunk(&bs->invoke, chunk, cause);
	metrics = cJSON_GetObjectItemCaseSensitive(chunk,
	    "amazon-bedrock-invocationMetrics");
	if (rc == 0 && cJSON_IsObject(metrics)) {
		bs->invoke.resp.prompt_tokens = openai_wire_long(metrics,
		    "inputTokenCount");
		bs->invoke.resp.completion_tokens = openai_wire_long(metrics,
		    "outputTokenCount");
	}
	cJSON_Delete(chunk);
	return rc;
}

static int
bedrock_on_event(void *arg, const char *type,
    const struct eventstream_message *m, char **cause)
{
	struct bedrock_stream *bs = arg;
	cJSON *payload = cJSON_ParseWithLength((const char *)m->payload,
	    m->payload_len);
	int rc;

	if (payload == NULL) {
		*cause = xasprintf("event %s carries malformed JSON",
		    type != NULL ? type : "(untyped)");
		return -1;
	}
	if (bs->is_invoke)
		rc = type != NULL && strcmp(type, "chunk") == 0 ?
		    bedrock_invoke_chunk(bs, payload, cause) :
		    0;
	else
		rc = converse_wire_event(&bs->converse, type, payload, cause);
	cJSON_Delete(payload);
	return rc;
}

static char *
bedrock_body(struct bedrock_state *st, const struct model_request *req)
{
	struct converse_wire_guard g = { st->guard_id, st->guard_version };
	struct openai_wire_opts o = { NULL, "max_completion_tokens",
		st->aws.conf.stream, 0, 0 };
	struct model_params p;

	remote_params(&req->params, &st->aws.defaults, &p);
	if (st->invoke)
		return openai_wire_body(req, &p, &o);
	return converse_wire_body(req, &p, &g);
}

static void
bedrock_headers(struct bedrock_state *st, struct http_headers *h)
{
	http_headers_add(h, "Content-Type", "application/json");
	if (!st->invoke) {
		http_headers_add(h, "Accept", "application/json");
		return;
	}
	http_headers_add(h,
	    st->aws.conf.stream ? "X-Amzn-Bedrock-Accept" : "Accept",
	    "application/json");
	if (st->guard_id != NULL) {
		http_headers_add(h, "X-Amzn-Bedrock-GuardrailIdentifier",
		    st->guard_id);
		http_headers_add(h, "X-Amzn-Bedrock-GuardrailVersion",
		    st->guard_version);
		http_headers_add(h, "X-Amzn-Bedrock-Trace", "ENABLED");
	}
}

static const char *
bedrock_op(const struct bedrock_state *st)
{
	if (st->invoke)
		return st->aws.conf.stream ? "invoke-with-response-stream" :
					     "invoke";
	return st->aws.conf.stream ? "converse-stream" : "converse";
}

/* InvokeModel's whole body: an OpenAI chat completion. */
static int
bedrock_invoke_parse(const struct http_response *hr,
    struct model_response *resp, char **cause)
{
	cJSON *obj;
	const char *action;

	if (openai_wire_parse(hr->body.data, hr->body.len, resp, cause) != 0)
		return -1;
	obj = cJSON_ParseWithLength(hr->body.data, hr->body.len);
	action = openai_wire_str(obj, "amazon-bedrock-guardrailAction");
	if (action != NULL && strcmp(action, "INTERVENED") == 0) {
		free(resp->stop_reason);
		resp->stop_reason = xstrdup("guardrail_intervened");
	}
	cJSON_Delete(obj);
	return 0;
}

static int
bedrock_result(struct bedrock_state *st, struct bedrock_stream *bs,
    struct remote_events *ev, const struct http_response *hr,
    struct model_response *resp, char **cause)
{
	if (!st->aws.conf.stream)
		return st->invoke ? bedrock_invoke_parse(hr, resp, cause) :
				    converse_wire_parse(hr->body.data,
					hr->body.len, resp, cause);
	if (remote_events_finish(ev) != 0) {
		*cause = xasprintf("bedrock %s: %s", bedrock_op(st), ev->error);
		return -1;
	}
	if (!st->invoke)
		return converse_wire_finish(&bs->converse, resp, cause);
	if (bs->invoke.resp.stop_reason == NULL) {
		*cause = xstrdup(
		    "bedrock invoke-with-response-stream: the "
		    "stream ended before a finish_reason (connection cut?)");
		return -1;
	}
	return openai_wire_acc_finish(&bs->invoke, resp, cause);
}

static int
bedrock_chat(void *state, const struct model_request *req,
    struct model_response *resp, char **cause)
{
	struct bedrock_state *st = state;
	struct bedrock_stream bs;
	struct remote_events ev;
	struct http_response hr;
	struct http_headers h;
	char *body = bedrock_body(st, req), *path, *what;
	int rc;

	path = xasprintf("/model/%s/%s", st->model_label, bedrock_op(st));
	what = xasprintf("bedrock %s", bedrock_op(st));
	http_headers_init(&h);
	bedrock_headers(st, &h);
	memset(&bs, 0, sizeof bs);
	bs.is_invoke = st->invoke;
	converse_wire_acc_init(&bs.converse, req);
	openai_wire_acc_init(&bs.invoke, req);
	remote_events_init(&ev, bedrock_on_event, &bs);
	http_response_init(&hr);
	rc = remote_aws_send(&st->aws, what, path, &h, body, &ev, &hr, cause);
	if (rc == 0)
		rc = bedrock_result(st, &bs, &ev, &hr, resp, cause);
	if (rc == 0 && strcmp(resp->stop_reason, "guardrail_intervened") == 0)
		log_warn("bedrock: the guardrail intervened in the answer");
	http_response_free(&hr);
	http_headers_free(&h);
	remote_events_free(&ev);
	converse_wire_acc_free(&bs.converse);
	openai_wire_acc_free(&bs.invoke);
	free(body);
	free(path);
	free(what);
	return rc;
}

const struct model_backend model_backend_bedrock = {
	.scheme = "bedrock",
	.summary = "Amazon Bedrock Runtime: Converse(Stream) or "
		   "InvokeModel(WithResponseStream), SigV4 or API key",
	.open = bedrock_open,
	.chat = bedrock_chat,
	.close = remote_aws_close,
};
