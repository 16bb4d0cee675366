/*
 * remote-aws.c: how the Bedrock and SageMaker backends find their region,
 * endpoint and credentials, and sign each attempt.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/aws-sigv4.h"
#include "model/remote-aws.h"
#include "lib/xmalloc.h"

/* Credentials that expire within this many seconds are fetched again. */
#define REMOTE_AWS_REFRESH_S 300

int
remote_aws_open(struct remote_aws *a, const struct remote_aws_service *svc,
    const char *region, const char *endpoint, char **cause)
{
	const char *bearer;

	memset(a, 0, sizeof *a);
	a->svc = svc;
	if (awscred_region(region, NULL, &a->region, cause) != 0)
		goto fail;
	if (aws_endpoint_resolve(svc->endpoint_id, a->region, endpoint, &a->ep,
		cause) != 0)
		goto fail;
	bearer = svc->bearer_env != NULL ? getenv(svc->bearer_env) : NULL;
	if (bearer != NULL && *bearer != '\0') {
		a->bearer = xstrdup(bearer);
		return 0;
	}
	if (awscred_resolve(NULL, &a->cred, cause) != 0)
		goto fail;
	return 0;
fail:
	remote_aws_free(a);
	return -1;
}

void
remote_aws_free(struct remote_aws *a)
{
	free(a->region);
	aws_endpoint_free(&a->ep);
	if (a->bearer != NULL) {
		memset(a->bearer, 0, strlen(a->bearer));
		free(a->bearer);
	}
	awscred_free(a->cred);
	memset(a, 0, sizeof *a);
}

char *
remote_aws_url(const struct remote_aws *a, const char *path)
{
	return xasprintf("%s%s", a->ep.base, path);
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

int
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
