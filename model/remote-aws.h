/*
 * remote-aws.h: region, endpoint, credentials and request signing for the
 * Bedrock and SageMaker backends (private to model/), on top of
 * lib/aws-credentials.h, lib/aws-endpoint.h and lib/aws-sigv4.h.
 *
 *   region     ?region=, AWS_REGION, AWS_DEFAULT_REGION, the profile's
 *   endpoint   ?endpoint=, AWS_ENDPOINT_URL_<SERVICE_ID>, AWS_ENDPOINT_URL,
 *              else https://PREFIX.REGION.amazonaws.com
 *   auth       a Bedrock API key (AWS_BEARER_TOKEN_BEDROCK) as a Bearer
 *              token where the service takes one; else SigV4 with the
 *              credential chain (environment, shared files, container,
 *              instance metadata), refreshed when they are about to expire.
 */
#ifndef STOCKAGENT_MODEL_REMOTE_AWS_H
#define STOCKAGENT_MODEL_REMOTE_AWS_H

#include "lib/aws-credentials.h"
#include "lib/aws-endpoint.h"
#include "lib/http.h"

struct remote_aws_service {
	const char *endpoint_id; /* "bedrock-runtime", "sagemaker-runtime" */
	const char *bearer_env;	 /* "AWS_BEARER_TOKEN_BEDROCK" or NULL */
};

struct remote_aws {
	const struct remote_aws_service *svc;
	char *region;
	struct aws_endpoint ep;
	char *bearer; /* secret */
	struct aws_credentials *cred;
};

/*
 * Resolves region, endpoint and credentials. REGION and ENDPOINT are the
 * URI's options (may be NULL). Returns 0, or -1 with *cause saying what
 * to set.
 */
int remote_aws_open(struct remote_aws *a, const struct remote_aws_service *svc,
    const char *region, const char *endpoint, char **cause);
void remote_aws_free(struct remote_aws *a);

/* The URL for PATH (already percent-encoded), heap string. */
char *remote_aws_url(const struct remote_aws *a, const char *path);

/* What one request needs signed, fresh for every attempt. */
struct remote_aws_req {
	struct remote_aws *aws;
	const char *path; /* wire path after the base, percent-encoded */
	const struct http_headers *headers; /* signed along */
	const char *body;
	size_t body_len;
};

/* An http_prepare_fn: adds Authorization (Bearer or SigV4) headers. */
int remote_aws_prepare(void *arg, struct http_headers *out, char **cause);

/* Percent-encodes one path label (":" becomes "%3A"), heap string. */
char *remote_aws_label(const char *s);

#endif
