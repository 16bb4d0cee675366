/*
 * backend-openai.c: any OpenAI-compatible chat-completions server (vLLM,
 * Bedrock's OpenAI-compatible endpoint, others).
 *
 *   openai:http://127.0.0.1:8000/v1#openai/gpt-oss-20b
 *   openai:https://bedrock-runtime.us-west-2.amazonaws.com/openai/v1#openai.gpt-oss-120b-1:0
 *   openai:#MODEL        (base URL from OPENAI_BASE_URL)
 *
 * The key is OPENAI_API_KEY, or AWS_BEARER_TOKEN_BEDROCK for an AWS host
 * (either is used when the other is unset), sent as a Bearer token.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/http.h"
#include "lib/xmalloc.h"
#include "model/model-int.h"
#include "model/openai-wire.h"
#include "model/remote.h"

struct openai_state {
	char *url; /* .../chat/completions */
	char *model;
	char *key; /* secret: never logged */
	struct remote_conf conf;
	struct model_params defaults;
};

static const char *const openai_options[] = { "key-env", NULL };

static int
openai_is_aws(const char *url)
{
	return strstr(url, ".amazonaws.com") != NULL ||
	    strstr(url, ".api.aws") != NULL;
}

static char *
openai_key(const char *url, const struct remote_uri *u)
{
	const char *first = "OPENAI_API_KEY";
	const char *second = "AWS_BEARER_TOKEN_BEDROCK";
	const char *named = remote_uri_get(u, "key-env"), *v;

	if (named != NULL)
		return (v = getenv(named)) != NULL && *v ? xstrdup(v) : NULL;
	if (openai_is_aws(url)) {
		first = "AWS_BEARER_TOKEN_BEDROCK";
		second = "OPENAI_API_KEY";
	}
	if ((v = getenv(first)) != NULL && *v != '\0')
		return xstrdup(v);
	if ((v = getenv(second)) != NULL && *v != '\0')
		return xstrdup(v);
	return NULL;
}

static int
openai_open(const char *rest, const struct model_params *defaults,
    void **state_out, char **cause)
{
	struct remote_uri u;
	struct openai_state *st = NULL;
	const char *base;
	char *why = NULL;
	size_t n;

	if (remote_uri_parse("openai", rest, openai_options, &u, cause) != 0)
		return MODEL_OPEN_USAGE;
	base = *u.base != '\0' ? u.base : getenv("OPENAI_BASE_URL");
	if (base == NULL || *base == '\0' ||
	    (strncmp(base, "http://", 7) != 0 &&
		strncmp(base, "https://", 8) != 0)) {
		*cause = xasprintf(
		    "model 'openai:%s' needs a base URL: write "
		    "openai:http://HOST:PORT/v1#MODEL or set OPENAI_BASE_URL",
		    rest != NULL ? rest : "");
		goto fail;
	}
	if (http_url_check(base, &why) != 0) {
		*cause = xasprintf("model 'openai:%s': %s",
		    rest != NULL ? rest : "", why);
		free(why);
		goto fail;
	}
	if (u.fragment == NULL || *u.fragment == '\0') {
		*cause = xasprintf("model 'openai:%s' names no model: add "
				   "#MODEL, e.g. openai:%s#openai/gpt-oss-20b",
		    rest, base);
		goto fail;
	}
	st = xcalloc(1, sizeof *st);
	if (remote_conf_parse("openai", &u, &st->conf, cause) != 0)
		goto fail;
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		n--;
	st->url = xasprintf("%.*s/chat/completions", (int)n, base);
	st->model = xstrdup(u.fragment);
	st->key = openai_key(st->url, &u);
	remote_params(NULL, defaults, &st->defaults);
	remote_uri_free(&u);
	*state_out = st;
	return 0;
fail:
	free(st);
	remote_uri_free(&u);
	return MODEL_OPEN_USAGE;
}

static int
openai_on_chunk(void *arg, const char *data, size_t len)
{
	return remote_lines_feed(arg, data, len) != 0;
}

static int
openai_chat(void *state, const struct model_request *req,
    struct model_response *resp, char **cause)
{
	struct openai_state *st = state;
	struct openai_wire_opts o = { st->model, "max_tokens", st->conf.stream,
		1, 1 };
	struct remote_call call = { 0 };
	struct http_response hr;
	struct http_headers h;
	struct remote_lines lines;
	struct openai_wire_acc acc;
	struct model_params p;
	char *body, *auth, *why = NULL;
	int rc = -1;

	remote_params(&req->params, &st->defaults, &p);
	body = openai_wire_body(req, &p, &o);
	http_headers_init(&h);
	http_headers_add(&h, "Content-Type", "application/json");
	http_headers_add(&h, "Accept",
	    st->conf.stream ? "text/event-stream" : "application/json");
	if (st->key != NULL) {
		auth = xasprintf("Bearer %s", st->key);
		http_headers_add(&h, "Authorization", auth);
		free(auth);
	}
	openai_wire_acc_init(&acc, req);
	remote_lines_init(&lines, openai_wire_acc_chunk, &acc);
	call.what = "chat completions";
	call.url = st->url;
	call.headers = &h;
	call.body = body;
	call.body_len = strlen(body);
	call.conf = &st->conf;
	if (st->conf.stream) {
		call.on_chunk = openai_on_chunk;
		call.chunk_arg = &lines;
	}
	http_response_init(&hr);
	if (remote_perform(&call, &hr, &why) != 0) {
		if (lines.error != NULL) {
			*cause = xasprintf("chat completions stream: %s",
			    lines.error);
			free(why);
		} else
			*cause = why;
		goto out;
	}
	if (st->conf.stream)
		rc = openai_wire_stream_finish(&acc, &lines,
		    "chat completions stream", resp, cause);
	else
		rc = openai_wire_parse(hr.body.data, hr.body.len, resp, cause);
out:
	http_response_free(&hr);
	http_headers_free(&h);
	remote_lines_free(&lines);
	openai_wire_acc_free(&acc);
	free(body);
	return rc;
}

static void
openai_close(void *state)
{
	struct openai_state *st = state;

	if (st == NULL)
		return;
	free(st->url);
	free(st->model);
	free(st->key);
	free(st);
}

const struct model_backend model_backend_openai = {
	.scheme = "openai",
	.summary = "OpenAI-compatible chat completions (vLLM, Bedrock "
		   "/openai/v1, others)",
	.open = openai_open,
	.chat = openai_chat,
	.close = openai_close,
};
