/*
 * remote-aws.c: how the Bedrock and SageMaker backends open from a URI,
 * find their region, endpoint and credentials, and send a request signed
 * afresh for each attempt.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/aws-sigv4.h"
#include "lib/http.h"
#include "lib/xmalloc.h"
#include "model/model-int.h"
#include "model/remote-aws.h"

/* Credentials that expire within this many seconds are fetched again. */
#define REMOTE_AWS_REFRESH_S 300

/* Region, endpoint and credentials: 0, or -1 with *cause. */
static int
remote_aws_resolve(struct remote_aws *a, const char *region,
    const char *endpoint, char **cause)
{
	const char *bearer;
	char *why = NULL;

	if (awscred_region(region, NULL, &a->region, &why) != 0) {
		/* The model URI's own option first: it is the nearest. */
		*cause = xasprintf("%s; or give the model URI a region, e.g. "
				   "'%s:...?region=us-west-2'",
		    why, a->svc->scheme);
		free(why);
		return -1;
	}
	if (aws_endpoint_resolve(a->svc->endpoint_id, a->region, endpoint,
		&a->ep, cause) != 0)
		return -1;
	bearer = a->svc->bearer_env != NULL ? getenv(a->svc->bearer_env) : NULL;
	if (bearer != NULL && *bearer != '\0') {
		a->bearer = xstrdup(bearer);
		return 0;
	}
	return awscred_resolve(NULL, &a->cred, cause);
}

/* Sets up A, the backend's state, from URI U. */
static int
remote_aws_setup(struct remote_aws *a, const struct remote_uri *u,
    const struct model_params *defaults, char **cause)
{
	const struct remote_aws_service *svc = a->svc;
	const char *ep = remote_uri_get(u, "endpoint");

	if (svc->configure(a, u, cause) != 0 ||
	    remote_conf_parse(svc->scheme, u, &a->conf, cause) != 0 ||
	    (ep != NULL && http_url_check(ep, cause) != 0))
		return MODEL_OPEN_USAGE;
	/* The URI is fine; what fails from here is the set-up. */
	if (remote_aws_resolve(a, remote_uri_get(u, "region"),
		remote_uri_get(u, "endpoint"), cause) != 0)
		return -1;
	remote_params(NULL, defaults, &a->defaults);
	return 0;
}

int
remote_aws_open(const struct remote_aws_service *svc, const char *rest,
    const struct model_params *defaults, void **state_out, char **cause)
{
	struct remote_aws *a;
	struct remote_uri u;
	int rc;

	if (remote_uri_parse(svc->scheme, rest, svc->options, &u, cause) != 0)
		return MODEL_OPEN_USAGE;
	a = xcalloc(1, svc->state_size);
	a->svc = svc;
	rc = remote_aws_setup(a, &u, defaults, cause);
	remote_uri_free(&u);
	if (rc != 0) {
		remote_aws_close(a);
		return rc;
	}
	*state_out = a;
	return 0;
}

void
remote_aws_close(void *state)
{
	struct remote_aws *a = state;

	if (a == NULL)
		return;
	a->svc->free(state);
	free(a->region);
	aws_endpoint_free(&a->ep);
	if (a->bearer != NULL) {
		memset(a->bearer, 0, strlen(a->bearer));
		free(a->bearer);
	}
	awscred_free(a->cred);
	free(a);
}

char *
remote_aws_label(const char *s)
{
	return sigv4_uri_encode(s, strlen(s), 0);
}

static int
remote_aws_refresh(struct remote_aws *a, char **cause)
{
	struct aws_credentials *fresh = NULL;

	if (!awscred_expiring(a->cred, time(NULL), REMOTE_AWS_REFRESH_S))
		return 0;
	if (awscred_resolve(NULL, &fresh, cause) != 0)
		return -1;
	awscred_free(a->cred);
	a->cred = fresh;
	return 0;
}

/* What one request needs signed, fresh for every attempt. */
struct remote_aws_req {
	struct remote_aws *aws;
	const char *path; /* wire path after the base, percent-encoded */
	const struct http_headers *headers; /* signed along */
	const char *body;
	size_t body_len;
};

/* An http_prepare_fn: adds Authorization (Bearer or SigV4) headers. */
static int
remote_aws_prepare(void *arg, struct http_headers *out, char **cause)
{
	const struct remote_aws_req *r = arg;
	struct remote_aws *a = r->aws;
	struct sigv4_credentials cred;
	struct sigv4_request sr = { 0 };
	char *auth, *path;
	int rc;

	if (a->bearer != NULL) {
		auth = xasprintf("Bearer %s", a->bearer);
		http_headers_add(out, "Authorization", auth);
		memset(auth, 0, strlen(auth));
		free(auth);
		return 0;
	}
	if (remote_aws_refresh(a, cause) != 0)
		return -1;
	cred = (struct sigv4_credentials){ a->cred->access_key_id,
		a->cred->secret_access_key, a->cred->session_token };
	path = xasprintf("%s%s", a->ep.path, r->path);
	sr.method = "POST";
	sr.host = a->ep.host;
	sr.path = path;
	sr.headers = r->headers;
	sr.body = r->body;
	sr.body_len = r->body_len;
	sr.region = a->region;
	sr.service = a->ep.signing_name;
	rc = sigv4_sign(&sr, &cred, out, cause);
	free(path);
	return rc;
}

int
remote_aws_send(struct remote_aws *a, const char *what, const char *path,
    const struct http_headers *h, const char *body, struct remote_events *ev,
    struct http_response *hr, char **cause)
{
	struct remote_aws_req ar = { a, path, h, body, strlen(body) };
	struct remote_call call = { what, NULL, h, body, strlen(body), &a->conf,
		remote_aws_prepare, &ar, NULL, NULL };
	char *url = xasprintf("%s%s", a->ep.base, path), *why = NULL;
	int rc;

	call.url = url;
	if (a->conf.stream) {
		call.on_chunk = remote_events_chunk;
		call.chunk_arg = ev;
	}
	if ((rc = remote_perform(&call, hr, &why)) != 0)
		*cause = ev->error != NULL ?
		    xasprintf("%s: %s", what, ev->error) :
		    xstrdup(why);
	free(why);
	free(url);
	return rc;
}
