/*
 * s3.c: PutObject / GetObject over http.c, signed by aws-sigv4.c with
 * credentials from aws-credentials.c at the address aws-endpoint.c picks.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "lib/aws-credentials.h"
#include "lib/aws-endpoint.h"
#include "lib/aws-sigv4.h"
#include "lib/http.h"
#include "lib/log.h"
#include "lib/s3.h"
#include "lib/xmalloc.h"

#define S3_DEFAULT_MAX_GET (64u * 1024 * 1024)
#define S3_ERROR_BODY_MAX (64 * 1024)

/* Checks that no "/"-separated segment of s is "." or "..". */
static int
segments_ok(const char *s)
{
	const char *p = s;

	while (*p != '\0') {
		size_t n = strcspn(p, "/");

		if ((n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		p += n;
		if (*p == '/')
			p++;
	}
	return 1;
}

static int
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* Collapses repeated '/' and makes a non-empty prefix end with '/'. */
static char *
clean_prefix(const char *p)
{
	struct buf b;

	buf_init(&b, 0);
	buf_append(&b, "", 0);
	while (*p == '/')
		p++;
	for (; *p != '\0'; p++)
		if (!(*p == '/' && b.len > 0 && b.data[b.len - 1] == '/'))
			buf_append(&b, p, 1);
	if (b.len > 0 && b.data[b.len - 1] != '/')
		buf_append(&b, "/", 1);
	return buf_take(&b);
}

int
s3_uri_parse(const char *uri, struct s3_location *out, char **cause)
{
	const char *rest, *slash;

	memset(out, 0, sizeof *out);
	if (strncmp(uri, "s3://", 5) != 0) {
		*cause = xasprintf("'%s' is not an S3 URI: use "
				   "s3://bucket/prefix",
		    uri);
		return -1;
	}
	rest = uri + 5;
	slash = rest + strcspn(rest, "/");
	if (slash == rest) {
		*cause = xasprintf("'%s' names no bucket: use "
				   "s3://bucket/prefix",
		    uri);
		return -1;
	}
	out->bucket = xstrndup(rest, (size_t)(slash - rest));
	if (!aws_endpoint_bucket_dns_ok(out->bucket)) {
		*cause = xasprintf("'%s' is not a valid S3 bucket name (3-63 "
				   "lowercase letters, digits, '-' and '.')",
		    out->bucket);
		s3_location_free(out);
		return -1;
	}
	out->prefix = clean_prefix(*slash == '/' ? slash + 1 : "");
	if (!segments_ok(out->prefix) || has_control(out->prefix)) {
		*cause = xasprintf("the key prefix in '%s' may not contain "
				   "'.' or '..' segments or control characters",
		    uri);
		s3_location_free(out);
		return -1;
	}
	return 0;
}

void
s3_location_free(struct s3_location *loc)
{
	if (loc == NULL)
		return;
	free(loc->bucket);
	free(loc->prefix);
	loc->bucket = loc->prefix = NULL;
}

char *
s3_xml_text(const char *xml, const char *tag)
{
	char *open = xasprintf("<%s>", tag), *close = xasprintf("</%s>", tag);
	const char *a = strstr(xml, open), *b;
	struct buf out;
	static const char *const ent[][2] = { { "&amp;", "&" }, { "&lt;", "<" },
		{ "&gt;", ">" }, { "&quot;", "\"" }, { "&apos;", "'" } };
	size_t i;

	buf_init(&out, 0);
	if (a != NULL && (b = strstr(a, close)) != NULL) {
		const char *p;

		buf_append(&out, "", 0);
		for (p = a + strlen(open); p < b; p++) {
			for (i = 0; i < 5; i++)
				if (strncmp(p, ent[i][0], strlen(ent[i][0])) ==
				    0)
					break;
			if (i < 5) {
				buf_append(&out, ent[i][1], 1);
				p += strlen(ent[i][0]) - 1;
			} else if (*p != '\n' && *p != '\r') {
				buf_append(&out, p, 1);
			}
		}
	}
	free(open);
	free(close);
	return out.data;
}

static int
is_auth_code(const char *code)
{
	static const char *const codes[] = { "AccessDenied",
		"InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken",
		"InvalidToken", "TokenRefreshRequired", "AllAccessDisabled",
		"AccountProblem", "InvalidSecurity" };
	size_t i;

	for (i = 0; i < sizeof codes / sizeof *codes; i++)
		if (code != NULL && strcmp(code, codes[i]) == 0)
			return 1;
	return 0;
}

/* S3 answers a few transient errors with 400 (RequestTimeout). */
static enum http_verdict
classify(const struct http_response *resp, void *arg)
{
	char *code;
	enum http_verdict v = HTTP_VERDICT_DEFAULT;

	(void)arg;
	if (resp->body.data == NULL)
		return v;
	code = s3_xml_text(resp->body.data, "Code");
	if (code != NULL &&
	    (strcmp(code, "RequestTimeout") == 0 ||
		strcmp(code, "SlowDown") == 0 ||
		strcmp(code, "InternalError") == 0))
		v = HTTP_VERDICT_RETRY;
	free(code);
	return v;
}

/* Everything one signed S3 request needs, also the prepare hook's arg. */
struct s3_call {
	const char *op; /* "PutObject" */
	const char *method;
	char *uri; /* s3://bucket/key, for messages */
	char *url;
	char *host;
	char *path;
	char *region;
	char hash[65];
	struct aws_credentials *cred;
	struct http_headers headers; /* signed, besides the sigv4 ones */
};

static int
sign_attempt(void *arg, struct http_headers *out, char **cause)
{
	struct s3_call *c = arg;
	struct sigv4_credentials sc = { c->cred->access_key_id,
		c->cred->secret_access_key, c->cred->session_token };
	struct sigv4_request r = { .method = c->method,
		.host = c->host,
		.path = c->path,
		.headers = &c->headers,
		.payload_hash = c->hash,
		.region = c->region,
		.service = "s3",
		.add_content_sha256 = 1 };
	size_t i;

	for (i = 0; i < c->headers.count; i++)
		http_headers_add(out, c->headers.items[i].name,
		    c->headers.items[i].value);
	return sigv4_sign(&r, &sc, out, cause);
}

/* Region, credentials and address; S3_OK or an error status. */
static int
call_setup(struct s3_call *c, const struct s3_location *loc, const char *key,
    const struct s3_options *opts, char **cause)
{
	struct aws_endpoint ep;
	char *full, *why = NULL;
	const char *endpoint = opts ? opts->endpoint : NULL;
	int rc = S3_ERR_INPUT;

	memset(&ep, 0, sizeof ep);
	full = xasprintf("%s%s", loc->prefix ? loc->prefix : "", key);
	c->uri = xasprintf("s3://%s/%s", loc->bucket, full);
	if (*key == '\0' || !segments_ok(full) || has_control(full)) {
		why = xasprintf("the key '%s' is empty or has '.'/'..' "
				"segments",
		    key);
		goto cleanup;
	}
	if (awscred_region(opts ? opts->region : NULL,
		opts ? opts->profile : NULL, &c->region, &why) != 0) {
		/* A local endpoint (s3rver, MinIO) needs no real region. */
		if (endpoint == NULL && getenv("AWS_ENDPOINT_URL_S3") == NULL &&
		    getenv("AWS_ENDPOINT_URL") == NULL)
			goto cleanup;
		free(why);
		why = NULL;
		c->region = xstrdup("us-east-1");
	}
	if (aws_endpoint_resolve("s3", c->region, endpoint, &ep, &why) != 0)
		goto cleanup;
	{
		struct awscred_options co = { .profile = opts ? opts->profile :
								NULL };

		if (awscred_resolve(&co, &c->cred, &why) != 0) {
			rc = S3_ERR_AUTH;
			goto cleanup;
		}
	}
	aws_endpoint_s3_object(&ep, loc->bucket, full, &c->url, &c->host,
	    &c->path);
	rc = S3_OK;
cleanup:
	if (rc != S3_OK)
		*cause = xasprintf("S3 %s %s failed: %s", c->op, c->uri, why);
	aws_endpoint_free(&ep);
	free(full);
	free(why);
	return rc;
}

static void
call_free(struct s3_call *c)
{
	free(c->uri);
	free(c->url);
	free(c->host);
	free(c->path);
	free(c->region);
	awscred_free(c->cred);
	http_headers_free(&c->headers);
}

/* Turns a finished exchange into a status and message. */
static int
judge(const struct s3_call *c, int perform_rc, const struct http_response *r,
    const char *why, char **cause)
{
	char *code = NULL, *msg = NULL, *tries;
	int rc;

	if (perform_rc != 0) {
		*cause = xasprintf("S3 %s %s failed: %s", c->op, c->uri, why);
		return r->error == HTTP_ERR_LOCAL ? S3_ERR_INPUT :
						    S3_ERR_TRANSIENT;
	}
	if (r->status >= 200 && r->status < 300)
		return S3_OK;
	if (r->body.data != NULL) {
		code = s3_xml_text(r->body.data, "Code");
		msg = s3_xml_text(r->body.data, "Message");
	}
	if (r->status == 401 || r->status == 403 || is_auth_code(code))
		rc = S3_ERR_AUTH;
	else if (r->status >= 500 || r->status == 429 ||
	    (code && strcmp(code, "SlowDown") == 0))
		rc = S3_ERR_TRANSIENT;
	else
		rc = S3_ERR_REJECTED;
	tries = r->attempts > 1 ?
	    xasprintf(", after %d attempts", r->attempts) :
	    xstrdup("");
	*cause = xasprintf("S3 %s %s failed: %s%s%s (HTTP %ld%s)", c->op,
	    c->uri, code ? code : "no error code", msg ? ": " : "",
	    msg ? msg : "", r->status, tries);
	free(tries);
	free(code);
	free(msg);
	return rc;
}

static int
content_md5(const char *path, char out[25], char **cause)
{
	unsigned char md[EVP_MAX_MD_SIZE], chunk[65536];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	FILE *f = fopen(path, "rb");
	size_t n;
	int rc = -1;

	if (f == NULL) {
		*cause = xasprintf("cannot open %s: %s", path, strerror(errno));
		goto cleanup;
	}
	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_md5(), NULL) != 1)
		abort();
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		EVP_DigestUpdate(ctx, chunk, n);
	if (ferror(f)) {
		*cause = xasprintf("cannot read %s", path);
		goto cleanup;
	}
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen);
	rc = 0;
cleanup:
	EVP_MD_CTX_free(ctx);
	if (f != NULL)
		fclose(f);
	return rc;
}

static struct http_retry
s3_retry(const struct s3_options *opts)
{
	struct http_retry r = { .max_attempts = opts && opts->max_attempts > 0 ?
		    opts->max_attempts :
		    3,
		.classify = classify };

	return r;
}

int
s3_put_file(const struct s3_location *loc, const char *key, const char *path,
    const char *content_type, const struct s3_options *opts, char **uri_out,
    char **cause)
{
	struct s3_call c = { .op = "PutObject", .method = "PUT" };
	struct http_retry retry = s3_retry(opts);
	struct http_request req = { .method = "PUT",
		.body_path = path,
		.timeout_ms = 300000,
		.low_speed_bytes = 1024,
		.low_speed_s = 30,
		.max_response = S3_ERROR_BODY_MAX,
		.retry = &retry,
		.prepare = sign_attempt,
		.prepare_arg = &c };
	struct http_response resp;
	char md5[25], *why = NULL, *fwhy = NULL;
	int rc;

	http_headers_init(&c.headers);
	http_response_init(&resp);
	if ((rc = call_setup(&c, loc, key, opts, cause)) != S3_OK)
		goto cleanup;
	if (sigv4_sha256_file_hex(path, c.hash, &fwhy) != 0 ||
	    content_md5(path, md5, &fwhy) != 0) {
		*cause = xasprintf("S3 PutObject %s failed: %s", c.uri, fwhy);
		rc = S3_ERR_INPUT;
		goto cleanup;
	}
	http_headers_add(&c.headers, "Content-Type",
	    content_type ? content_type : "application/pdf");
	http_headers_add(&c.headers, "Content-MD5", md5);
	req.url = c.url;
	rc = http_perform(&req, &resp, &why);
	rc = judge(&c, rc, &resp, why, cause);
	if (rc == S3_OK) {
		*uri_out = xstrdup(c.uri);
		log_debug("s3: uploaded %s (ETag %s)", c.uri,
		    http_headers_get(&resp.headers, "ETag") ?
			http_headers_get(&resp.headers, "ETag") :
			"none");
	}
cleanup:
	http_response_free(&resp);
	call_free(&c);
	free(why);
	free(fwhy);
	return rc;
}

int
s3_get_object(const struct s3_location *loc, const char *key,
    const struct s3_options *opts, size_t max_bytes, struct buf *out,
    char **cause)
{
	struct s3_call c = { .op = "GetObject", .method = "GET" };
	struct http_retry retry = s3_retry(opts);
	struct http_request req = { .method = "GET",
		.timeout_ms = 300000,
		.low_speed_bytes = 1024,
		.low_speed_s = 30,
		.max_response = max_bytes ? max_bytes : S3_DEFAULT_MAX_GET,
		.retry = &retry,
		.prepare = sign_attempt,
		.prepare_arg = &c };
	struct http_response resp;
	char *why = NULL;
	int rc;

	http_headers_init(&c.headers);
	http_response_init(&resp);
	if ((rc = call_setup(&c, loc, key, opts, cause)) != S3_OK)
		goto cleanup;
	sigv4_sha256_hex("", 0, c.hash);
	req.url = c.url;
	rc = http_perform(&req, &resp, &why);
	rc = judge(&c, rc, &resp, why, cause);
	if (rc == S3_OK && resp.body.len > 0 &&
	    buf_append(out, resp.body.data, resp.body.len) != 0) {
		*cause = xasprintf("S3 GetObject %s failed: the object is "
				   "larger than the buffer allows",
		    c.uri);
		rc = S3_ERR_INPUT;
	}
cleanup:
	http_response_free(&resp);
	call_free(&c);
	free(why);
	return rc;
}
