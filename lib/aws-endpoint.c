/*
 * aws-endpoint.c: endpoint resolution and S3 addressing (see the header).
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/aws-endpoint.h"
#include "lib/aws-sigv4.h"
#include "lib/http.h"
#include "lib/xmalloc.h"

struct service_desc {
	const char *id;		 /* our name */
	const char *env_suffix;	 /* AWS_ENDPOINT_URL_<this> */
	const char *host_prefix; /* default host's first labels */
	const char *signing;	 /* SigV4 service name */
};

static const struct service_desc services[] = {
	{ "s3", "S3", "s3", "s3" },
	{ "bedrock-runtime", "BEDROCK_RUNTIME", "bedrock-runtime", "bedrock" },
	{ "sagemaker-runtime", "SAGEMAKER_RUNTIME", "runtime.sagemaker",
	    "sagemaker" },
	{ "bedrock-agentcore", "BEDROCK_AGENTCORE", "bedrock-agentcore",
	    "bedrock-agentcore" },
	{ "sts", "STS", "sts", "sts" },
};

static const struct service_desc *
find_service(const char *id)
{
	size_t i;

	for (i = 0; i < sizeof services / sizeof *services; i++)
		if (strcmp(services[i].id, id) == 0)
			return &services[i];
	return NULL;
}

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* Splits a base URL; 0, or -1 when it is not http(s)://host... */
static int
split_url(const char *url, struct aws_endpoint *out)
{
	const char *rest, *slash;
	size_t len;

	if (strncasecmp(url, "https://", 8) == 0) {
		out->https = 1;
		rest = url + 8;
	} else if (strncasecmp(url, "http://", 7) == 0) {
		out->https = 0;
		rest = url + 7;
	} else {
		return -1;
	}
	slash = rest + strcspn(rest, "/?#");
	if (slash == rest || *slash == '?' || *slash == '#')
		return -1;
	out->host = xstrndup(rest, (size_t)(slash - rest));
	len = strlen(slash);
	while (len > 0 && slash[len - 1] == '/')
		len--;
	out->path = xstrndup(slash, len);
	out->base = xasprintf("%s://%s%s", out->https ? "https" : "http",
	    out->host, out->path);
	return 0;
}

int
aws_endpoint_resolve(const char *service, const char *region,
    const char *explicit_url, struct aws_endpoint *out, char **cause)
{
	const struct service_desc *sd = find_service(service);
	const char *url = explicit_url;
	char *var = NULL, *def = NULL, *why = NULL;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (sd == NULL) {
		*cause = xasprintf("unknown AWS service '%s'", service);
		return -1;
	}
	var = xasprintf("AWS_ENDPOINT_URL_%s", sd->env_suffix);
	if ((url == NULL || *url == '\0') &&
	    !(env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") &&
		strcasecmp(env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"),
		    "true") == 0)) {
		url = env(var);
		if (url == NULL)
			url = env("AWS_ENDPOINT_URL");
	}
	if (url == NULL || *url == '\0') {
		if (region == NULL || *region == '\0') {
			*cause = xasprintf("no AWS region for %s", service);
			goto cleanup;
		}
		def = xasprintf("https://%s.%s.amazonaws.com%s",
		    sd->host_prefix, region,
		    strncmp(region, "cn-", 3) == 0 ? ".cn" : "");
		url = def;
	} else {
		out->custom = 1;
	}
	if (out->custom && http_url_check(url, &why) != 0) {
		*cause = xasprintf("endpoint: %s (check the URI's endpoint "
				   "option, %s or AWS_ENDPOINT_URL)",
		    why, var);
		free(why);
		goto cleanup;
	}
	if (split_url(url, out) != 0) {
		*cause = xasprintf(
		    "endpoint URL '%s' must look like "
		    "https://host[:port][/path] (check %s / AWS_ENDPOINT_URL)",
		    url, var);
		aws_endpoint_free(out);
		goto cleanup;
	}
	out->signing_name = sd->signing;
	rc = 0;
cleanup:
	free(var);
	free(def);
	return rc;
}

void
aws_endpoint_free(struct aws_endpoint *ep)
{
	if (ep == NULL)
		return;
	free(ep->base);
	free(ep->host);
	free(ep->path);
	memset(ep, 0, sizeof *ep);
}

static int
is_ip_or_localhost(const char *hostport)
{
	char *h;
	unsigned char tmp[16];
	int r;

	if (hostport[0] == '[')
		return 1; /* IPv6 literal */
	h = xstrndup(hostport, strcspn(hostport, ":"));
	r = inet_pton(AF_INET, h, tmp) == 1 || strcasecmp(h, "localhost") == 0;
	free(h);
	return r;
}

int
aws_endpoint_bucket_dns_ok(const char *b)
{
	size_t n = strlen(b), i;
	unsigned char tmp[4];

	if (n < 3 || n > 63 || !isalnum((unsigned char)b[0]) ||
	    !isalnum((unsigned char)b[n - 1]) || strstr(b, "..") ||
	    strstr(b, ".-") || strstr(b, "-.") ||
	    inet_pton(AF_INET, b, tmp) == 1)
		return 0;
	for (i = 0; i < n; i++)
		if (!(islower((unsigned char)b[i]) ||
			isdigit((unsigned char)b[i]) || b[i] == '-' ||
			b[i] == '.'))
			return 0;
	return 1;
}

void
aws_endpoint_s3_object(const struct aws_endpoint *ep, const char *bucket,
    const char *key, char **url_out, char **host_out, char **path_out)
{
	char *ekey = sigv4_uri_encode(key, strlen(key), 1);
	int path_style = is_ip_or_localhost(ep->host) ||
	    !aws_endpoint_bucket_dns_ok(bucket) ||
	    (ep->https && strchr(bucket, '.') != NULL);

	if (path_style) {
		char *eb = sigv4_uri_encode(bucket, strlen(bucket), 0);

		*host_out = xstrdup(ep->host);
		*path_out = xasprintf("%s/%s/%s", ep->path, eb, ekey);
		free(eb);
	} else {
		*host_out = xasprintf("%s.%s", bucket, ep->host);
		*path_out = xasprintf("%s/%s", ep->path, ekey);
	}
	*url_out = xasprintf("%s://%s%s", ep->https ? "https" : "http",
	    *host_out, *path_out);
	free(ekey);
}
