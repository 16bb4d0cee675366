/*
 * remote-aws.c: how the Bedrock and SageMaker backends find their region,
 * endpoint and credentials, and sign each attempt.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws-sigv4.h"
#include "model/remote-aws.h"
#include "xmalloc.h"

#define REMOTE_AWS_MAX_LINE 4096

static const char *
remote_aws_env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

static char *
remote_aws_home_file(const char *env, const char *leaf)
{
	const char *v = remote_aws_env(env), *home;

	if (v != NULL)
		return xstrdup(v);
	if ((home = remote_aws_env("HOME")) == NULL)
		return NULL;
	return xasprintf("%s/.aws/%s", home, leaf);
}

static char *
remote_aws_trim(char *s)
{
	size_t n;

	s += strspn(s, " \t");
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* KEY in [SECTION] of the INI file PATH (heap), or NULL. */
static char *
remote_aws_ini(const char *path, const char *section, const char *key)
{
	char line[REMOTE_AWS_MAX_LINE], *s, *eq, *found = NULL;
	FILE *f;
	int in = 0;

	if (path == NULL || (f = fopen(path, "r")) == NULL)
		return NULL;
	while (found == NULL && fgets(line, sizeof line, f) != NULL) {
		s = remote_aws_trim(line);
		if (*s == '[') {
			s[strcspn(s, "]")] = '\0';
			in = strcmp(remote_aws_trim(s + 1), section) == 0;
			continue;
		}
		if (!in || *s == '#' || *s == ';' ||
		    (eq = strchr(s, '=')) == NULL)
			continue;
		*eq = '\0';
		if (strcmp(remote_aws_trim(s), key) == 0)
			found = xstrdup(remote_aws_trim(eq + 1));
	}
	fclose(f);
	return found;
}

/* KEY of the active profile: credentials file first when CREDS. */
static char *
remote_aws_profile(const char *key, int creds)
{
	const char *p = remote_aws_env("AWS_PROFILE");
	char *path, *section, *v = NULL;

	if (p == NULL)
		p = remote_aws_env("AWS_DEFAULT_PROFILE");
	if (p == NULL)
		p = "default";
	if (creds) {
		path = remote_aws_home_file("AWS_SHARED_CREDENTIALS_FILE",
		    "credentials");
		v = remote_aws_ini(path, p, key);
		free(path);
	}
	if (v == NULL) {
		path = remote_aws_home_file("AWS_CONFIG_FILE", "config");
		section = strcmp(p, "default") == 0 ? xstrdup(p) :
		    xasprintf("profile %s", p);
		v = remote_aws_ini(path, section, key);
		free(section);
		free(path);
	}
	return v;
}

static int
remote_aws_region(struct remote_aws *a, const char *opt, char **cause)
{
	const char *v = opt;

	if (v == NULL && (v = remote_aws_env("AWS_REGION")) == NULL)
		v = remote_aws_env("AWS_DEFAULT_REGION");
	a->region = v != NULL ? xstrdup(v) : remote_aws_profile("region", 0);
	if (a->region == NULL || *a->region == '\0') {
		*cause = xasprintf("no AWS region for %s: add ?region=REGION "
		    "to the model URI or set AWS_REGION", a->svc->signing_name);
		return -1;
	}
	return 0;
}

static int
remote_aws_ignore_endpoints(void)
{
	const char *v = remote_aws_env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");

	return v != NULL && strcasecmp(v, "true") == 0;
}

static int
remote_aws_endpoint(struct remote_aws *a, const char *opt, char **cause)
{
	char name[96], *url;
	const char *v = opt, *host, *slash;
	size_t n;

	if (v == NULL && !remote_aws_ignore_endpoints()) {
		snprintf(name, sizeof name, "AWS_ENDPOINT_URL_%s",
		    a->svc->env_id);
		if ((v = remote_aws_env(name)) == NULL)
			v = remote_aws_env("AWS_ENDPOINT_URL");
	}
	if (v != NULL)
		url = xstrdup(v);
	else
		url = xasprintf("https://%s.%s.amazonaws.com%s",
		    a->svc->host_prefix, a->region,
		    strncmp(a->region, "cn-", 3) == 0 ? ".cn" : "");
	n = strlen(url);
	while (n > 0 && url[n - 1] == '/')
		url[--n] = '\0';
	if (strncmp(url, "https://", 8) != 0 &&
	    strncmp(url, "http://", 7) != 0) {
		*cause = xasprintf("endpoint '%s' for %s is not an http(s) "
		    "URL", url, a->svc->signing_name);
		free(url);
		return -1;
	}
	host = strstr(url, "://") + 3;
	slash = strchr(host, '/');
	a->host = slash != NULL ? xstrndup(host, (size_t)(slash - host)) :
	    xstrdup(host);
	a->base_path = xstrdup(slash != NULL ? slash : "");
	a->endpoint = url;
	return 0;
}

static int
remote_aws_credentials(struct remote_aws *a, char **cause)
{
	const char *id = remote_aws_env("AWS_ACCESS_KEY_ID");
	const char *secret = remote_aws_env("AWS_SECRET_ACCESS_KEY");
	const char *token = remote_aws_env("AWS_SESSION_TOKEN");

	if (a->svc->bearer_env != NULL &&
	    remote_aws_env(a->svc->bearer_env) != NULL) {
		a->bearer = xstrdup(remote_aws_env(a->svc->bearer_env));
		return 0;
	}
	if (id != NULL && secret != NULL) {
		a->access_key_id = xstrdup(id);
		a->secret_access_key = xstrdup(secret);
		if (token == NULL)
			token = remote_aws_env("AWS_SECURITY_TOKEN");
		a->session_token = token != NULL ? xstrdup(token) : NULL;
		return 0;
	}
	a->access_key_id = remote_aws_profile("aws_access_key_id", 1);
	a->secret_access_key = remote_aws_profile("aws_secret_access_key", 1);
	a->session_token = remote_aws_profile("aws_session_token", 1);
	if (a->access_key_id != NULL && a->secret_access_key != NULL)
		return 0;
	*cause = xasprintf("no AWS credentials for %s: set AWS_ACCESS_KEY_ID "
	    "and AWS_SECRET_ACCESS_KEY, a profile in ~/.aws/credentials%s",
	    a->svc->signing_name, a->svc->bearer_env != NULL ?
	    ", or AWS_BEARER_TOKEN_BEDROCK (a Bedrock API key)" : "");
	return -1;
}

int
remote_aws_open(struct remote_aws *a, const struct remote_aws_service *svc,
    const char *region, const char *endpoint, char **cause)
{
	memset(a, 0, sizeof *a);
	a->svc = svc;
	if (remote_aws_region(a, region, cause) != 0 ||
	    remote_aws_endpoint(a, endpoint, cause) != 0 ||
	    remote_aws_credentials(a, cause) != 0) {
		remote_aws_free(a);
		return -1;
	}
	return 0;
}

void
remote_aws_free(struct remote_aws *a)
{
	free(a->region);
	free(a->endpoint);
	free(a->host);
	free(a->base_path);
	free(a->bearer);
	free(a->access_key_id);
	free(a->secret_access_key);
	free(a->session_token);
	memset(a, 0, sizeof *a);
}

char *
remote_aws_url(const struct remote_aws *a, const char *path)
{
	return xasprintf("%s%s", a->endpoint, path);
}

char *
remote_aws_label(const char *s)
{
	return sigv4_uri_encode(s, strlen(s), 0);
}

int
remote_aws_prepare(void *arg, struct http_headers *out, char **cause)
{
	const struct remote_aws_req *r = arg;
	const struct remote_aws *a = r->aws;
	struct sigv4_credentials cred = { a->access_key_id,
		a->secret_access_key, a->session_token };
	struct sigv4_request sr = { 0 };
	char *auth, *path;
	int rc;

	if (a->bearer != NULL) {
		auth = xasprintf("Bearer %s", a->bearer);
		http_headers_add(out, "Authorization", auth);
		free(auth);
		return 0;
	}
	path = xasprintf("%s%s", a->base_path, r->path);
	sr.method = "POST";
	sr.host = a->host;
	sr.path = path;
	sr.headers = r->headers;
	sr.body = r->body;
	sr.body_len = r->body_len;
	sr.region = a->region;
	sr.service = a->svc->signing_name;
	rc = sigv4_sign(&sr, &cred, out, cause);
	free(path);
	return rc;
}
