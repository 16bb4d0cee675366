/*
 * aws-webidentity.c: STS AssumeRoleWithWebIdentity for the credential
 * chain (see aws-webidentity.h).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/aws-credentials.h"
#include "lib/aws-endpoint.h"
#include "lib/aws-sigv4.h"
#include "lib/aws-webidentity.h"
#include "lib/http.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

/* The credentials kept for the process, and what they were got for. */
static pthread_mutex_t webid_lock = PTHREAD_MUTEX_INITIALIZER;
static struct aws_credentials *webid_cache;
static char *webid_key; /* role ARN, token file and session name */

static void
webid_wipe(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* Wipes and frees C (as awscred_free, which is above this file). */
static void
webid_free(struct aws_credentials *c)
{
	if (c == NULL)
		return;
	webid_wipe(c->access_key_id);
	webid_wipe(c->secret_access_key);
	webid_wipe(c->session_token);
	free(c->source);
	explicit_bzero(c, sizeof *c);
	free(c);
}

/* A copy of C. */
static struct aws_credentials *
webid_copy(const struct aws_credentials *c)
{
	struct aws_credentials *d = xcalloc(1, sizeof *d);

	d->access_key_id = xstrdup(c->access_key_id);
	d->secret_access_key = xstrdup(c->secret_access_key);
	d->session_token = c->session_token ? xstrdup(c->session_token) : NULL;
	d->expiration = c->expiration;
	d->source = xstrdup(c->source);
	return d;
}

/* The token in PATH, without its line end; NULL with *cause. */
static char *
webid_token(const char *path, char **cause)
{
	FILE *f = fopen(path, "re");
	char *tok = xmalloc(AWSCRED_WEBID_TOKEN_MAX + 1);
	size_t n;

	if (f == NULL) {
		*cause = xasprintf(
		    "cannot read AWS_WEB_IDENTITY_TOKEN_FILE %s: "
		    "%s",
		    path, strerror(errno));
		free(tok);
		return NULL;
	}
	n = fread(tok, 1, AWSCRED_WEBID_TOKEN_MAX + 1, f);
	fclose(f);
	while (n > 0 &&
	    (tok[n - 1] == '\n' || tok[n - 1] == '\r' || tok[n - 1] == ' '))
		n--;
	tok[n > AWSCRED_WEBID_TOKEN_MAX ? AWSCRED_WEBID_TOKEN_MAX : n] = '\0';
	if (n == 0 || n > AWSCRED_WEBID_TOKEN_MAX) {
		*cause = xasprintf("AWS_WEB_IDENTITY_TOKEN_FILE %s is %s", path,
		    n == 0 ? "empty" : "larger than 64 KiB");
		webid_wipe(tok);
		return NULL;
	}
	return tok;
}

/* The form body of the request (heap; holds the token). */
static char *
webid_body(const char *role, const char *session, const char *token)
{
	char *r = sigv4_uri_encode(role, strlen(role), 0);
	char *s = sigv4_uri_encode(session, strlen(session), 0);
	char *t = sigv4_uri_encode(token, strlen(token), 0);
	char *body = xasprintf("Action=AssumeRoleWithWebIdentity"
			       "&Version=2011-06-15&RoleArn=%s"
			       "&RoleSessionName=%s&WebIdentityToken=%s",
	    r, s, t);

	free(r);
	free(s);
	webid_wipe(t);
	return body;
}

/*
 * The text of the first <TAG>...</TAG> of XML (the STS answer: any
 * bytes) with the five predefined entities unescaped; heap, or NULL.
 */
static char *
webid_xml_text(const char *xml, const char *tag)
{
	static const struct {
		const char *ent;
		char c;
	} ents[] = { { "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' },
		{ "&quot;", '"' }, { "&apos;", '\'' } };
	char *open = xasprintf("<%s>", tag), *close = xasprintf("</%s>", tag);
	const char *a = strstr(xml, open), *b, *p;
	char *out = NULL, *o;
	size_t i;

	if (a != NULL && (b = strstr(a += strlen(open), close)) != NULL) {
		o = out = xmalloc((size_t)(b - a) + 1);
		for (p = a; p < b;) {
			for (i = 0; i < sizeof ents / sizeof *ents; i++) {
				if (strncmp(p, ents[i].ent,
					strlen(ents[i].ent)) == 0)
					break;
			}
			if (i < sizeof ents / sizeof *ents) {
				*o++ = ents[i].c;
				p += strlen(ents[i].ent);
			} else
				*o++ = *p++;
		}
		*o = '\0';
	}
	free(open);
	free(close);
	return out;
}

/* "2030-01-02T03:04:05Z" (fraction allowed) -> time_t; 0 when not. */
static time_t
webid_time(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	if (s == NULL || strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
		return 0;
	return timegm(&tm);
}

/* The credentials of STS's XML answer XML for ROLE; NULL when absent. */
static struct aws_credentials *
webid_parse(const char *xml, const char *role)
{
	char *a = webid_xml_text(xml, "AccessKeyId");
	char *s = webid_xml_text(xml, "SecretAccessKey");
	char *t = webid_xml_text(xml, "SessionToken");
	char *e = webid_xml_text(xml, "Expiration");
	struct aws_credentials *c = NULL;

	if (a != NULL && s != NULL && *a != '\0' && *s != '\0') {
		c = xcalloc(1, sizeof *c);
		c->access_key_id = a;
		c->secret_access_key = s;
		c->session_token = t;
		c->expiration = webid_time(e);
		c->source = xasprintf("web identity (role %s)", role);
		a = s = t = NULL;
	}
	free(a);
	webid_wipe(s);
	webid_wipe(t);
	free(e);
	return c;
}

/* STS's error as one line: "Code: Message (HTTP n)". */
static char *
webid_error(const struct http_response *resp, const char *url)
{
	const char *body = resp->body.data != NULL ? resp->body.data : "";
	char *code = webid_xml_text(body, "Code");
	char *msg = webid_xml_text(body, "Message");
	char *out;

	out = xasprintf("STS AssumeRoleWithWebIdentity at %s failed: %s%s%s "
			"(HTTP %ld); check AWS_ROLE_ARN and the role's trust "
			"policy for the cluster's OIDC provider",
	    url, code != NULL ? code : "no error code", msg != NULL ? ": " : "",
	    msg != NULL ? msg : "", resp->status);
	free(code);
	free(msg);
	return out;
}

/* The STS endpoint URL for REGION (NULL: us-east-1), heap, or NULL
 * with *cause. */
static char *
webid_url(const char *region, char **cause)
{
	struct aws_endpoint ep;
	char *url;

	if (aws_endpoint_resolve("sts", region != NULL ? region : "us-east-1",
		NULL, &ep, cause) != 0)
		return NULL;
	url = xasprintf("%s/", ep.base);
	aws_endpoint_free(&ep);
	return url;
}

/* Asks STS; 1 with *out, -1 with *cause. */
static int
webid_fetch(const char *region, const char *role, const char *path,
    const char *session, struct aws_credentials **out, char **cause)
{
	struct http_retry retry = { .max_attempts = 3, .base_delay_ms = 200 };
	struct http_request req = { .method = "POST",
		.connect_timeout_ms = 3000,
		.timeout_ms = 10000,
		.max_response = AWSCRED_WEBID_RESPONSE_MAX,
		.retry = &retry };
	struct http_response resp;
	struct http_headers h;
	char *token = NULL, *body = NULL, *url = NULL, *why = NULL;
	int rc = -1;

	http_headers_init(&h);
	http_response_init(&resp);
	if ((token = webid_token(path, cause)) == NULL ||
	    (url = webid_url(region, cause)) == NULL)
		goto out;
	body = webid_body(role, session, token);
	http_headers_add(&h, "Content-Type",
	    "application/x-www-form-urlencoded; charset=utf-8");
	http_headers_add(&h, "Accept", "text/xml");
	req.url = url;
	req.headers = &h;
	req.body = body;
	req.body_len = strlen(body);
	if (http_perform(&req, &resp, &why) != 0)
		*cause = xasprintf("STS AssumeRoleWithWebIdentity at %s: %s",
		    url, why);
	else if (resp.status != 200)
		*cause = webid_error(&resp, url);
	else if ((*out = webid_parse(resp.body.data ? resp.body.data : "",
		      role)) == NULL)
		*cause = xasprintf("STS at %s answered without credentials",
		    url);
	else
		rc = 1;
out:
	if (resp.body.data != NULL)
		explicit_bzero(resp.body.data, resp.body.len);
	http_response_free(&resp);
	http_headers_free(&h);
	webid_wipe(body);
	webid_wipe(token);
	free(url);
	free(why);
	return rc;
}

int
awscred_web_identity(const char *region, struct aws_credentials **out,
    char **cause)
{
	const char *path = getenv("AWS_WEB_IDENTITY_TOKEN_FILE");
	const char *role = getenv("AWS_ROLE_ARN");
	const char *name = getenv("AWS_ROLE_SESSION_NAME");
	char *session, *key;
	int rc = 1;

	if (path == NULL || *path == '\0' || role == NULL || *role == '\0')
		return 0;
	session = name != NULL && *name != '\0' ?
	    xstrdup(name) :
	    xasprintf("stockagent-%lld", (long long)time(NULL));
	key = xasprintf("%s\n%s\n%s", role, path, name ? name : "");
	pthread_mutex_lock(&webid_lock);
	if (webid_cache == NULL || strcmp(webid_key, key) != 0 ||
	    (webid_cache->expiration != 0 &&
		webid_cache->expiration - time(NULL) <=
		    AWSCRED_WEBID_MARGIN_S)) {
		webid_free(webid_cache);
		webid_cache = NULL;
		free(webid_key);
		webid_key = NULL;
		if ((rc = webid_fetch(region, role, path, session, &webid_cache,
			 cause)) == 1) {
			webid_key = key;
			key = NULL;
			log_debug("aws: web identity credentials for %s until "
				  "%lld",
			    role, (long long)webid_cache->expiration);
		}
	}
	if (rc == 1)
		*out = webid_copy(webid_cache);
	pthread_mutex_unlock(&webid_lock);
	free(key);
	free(session);
	return rc;
}

void
awscred_web_identity_reset(void)
{
	pthread_mutex_lock(&webid_lock);
	webid_free(webid_cache);
	webid_cache = NULL;
	free(webid_key);
	webid_key = NULL;
	pthread_mutex_unlock(&webid_lock);
}
