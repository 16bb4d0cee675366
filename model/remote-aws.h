/*
 * remote-aws.h: region, endpoint, credentials and request signing for the
 * Bedrock and SageMaker backends (private to model/).
 *
 * Resolution follows the AWS SDKs:
 *   region     ?region=, AWS_REGION, AWS_DEFAULT_REGION, the profile's
 *              "region" in AWS_CONFIG_FILE (~/.aws/config)
 *   endpoint   ?endpoint=, AWS_ENDPOINT_URL_<SERVICE_ID>, AWS_ENDPOINT_URL
 *              (both ignored when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true),
 *              else https://PREFIX.REGION.amazonaws.com
 *   auth       a Bedrock API key (AWS_BEARER_TOKEN_BEDROCK) as a Bearer
 *              token where the service takes one; else SigV4 with
 *              AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN,
 *              or the profile (AWS_PROFILE, default "default") in
 *              AWS_SHARED_CREDENTIALS_FILE (~/.aws/credentials) or the
 *              config file.
 * Container and instance-metadata credentials are not fetched.
 */
#ifndef STOCKAGENT_MODEL_REMOTE_AWS_H
#define STOCKAGENT_MODEL_REMOTE_AWS_H

#include "http.h"

struct remote_aws_service {
	const char *signing_name; /* "bedrock", "sagemaker" */
	const char *host_prefix;  /* "bedrock-runtime", "runtime.sagemaker" */
	const char *env_id;	  /* "BEDROCK_RUNTIME", "SAGEMAKER_RUNTIME" */
	const char *bearer_env;	  /* "AWS_BEARER_TOKEN_BEDROCK" or NULL */
};

struct remote_aws {
	const struct remote_aws_service *svc;
	char *region;
	char *endpoint;	 /* "https://host[:port][/base]", no trailing '/' */
	char *host;	 /* "host[:port]" as the Host header says it */
	char *base_path; /* "" or "/base" */
	char *bearer;	 /* secret */
	char *access_key_id;
	char *secret_access_key; /* secret */
	char *session_token;	 /* secret */
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
	const struct remote_aws *aws;
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
