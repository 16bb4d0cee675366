/*
 * aws-endpoint.h: which URL an AWS service call goes to.
 *
 * Order (botocore ConfiguredEndpointProvider, without the config-file
 * steps): an explicit URL, AWS_ENDPOINT_URL_<SERVICE> (S3, BEDROCK_RUNTIME,
 * SAGEMAKER_RUNTIME, BEDROCK_AGENTCORE, STS), AWS_ENDPOINT_URL, then the
 * default https://{prefix}.{region}.amazonaws.com.
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true skips the variables.
 */
#ifndef STOCKAGENT_AWS_ENDPOINT_H
#define STOCKAGENT_AWS_ENDPOINT_H

struct aws_endpoint {
	char *base; /* "https://host[:port][/path]", no trailing / */
	char *host; /* "host[:port]" as the Host header shows it */
	char *path; /* base path, "" or "/prefix" */
	int https;
	int custom;		  /* from an override, not the default */
	const char *signing_name; /* "s3", "bedrock", "sagemaker", ... */
};

/*
 * Resolves service ("s3", "bedrock-runtime", "sagemaker-runtime",
 * "bedrock-agentcore", "sts") in region. explicit_url may be NULL. Returns 0
 * and fills out (free with aws_endpoint_free), or -1 with *cause for an unknown
 * service or a malformed override URL.
 */
int aws_endpoint_resolve(const char *service, const char *region,
    const char *explicit_url, struct aws_endpoint *out, char **cause);
void aws_endpoint_free(struct aws_endpoint *ep);

/* Whether bucket can be a DNS label: 3-63 of [a-z0-9.-], no "..", no IP
 * form, starts and ends with a letter or digit. */
int aws_endpoint_bucket_dns_ok(const char *bucket);

/*
 * The URL, Host and wire path of an S3 object. Path-style
 * (base/bucket/key) when the endpoint host is an IP address or localhost,
 * when the bucket is not DNS-compatible, or when it has dots under https;
 * virtual-hosted (bucket.host/key) otherwise. key is encoded per segment,
 * slashes kept. All three outputs are heap strings.
 */
void aws_endpoint_s3_object(const struct aws_endpoint *ep, const char *bucket,
    const char *key, char **url_out, char **host_out, char **path_out);

#endif
