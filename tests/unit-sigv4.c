/*
 * unit-sigv4.c: the SigV4 signer against the AWS test-suite vectors in
 * tests/fixtures/sigv4/ (see its README), plus the path and query rules
 * that Bedrock and S3 depend on.
 *
 * For each case: parse request.txt (the suite's
 * header-signed-request.txt), drop the Authorization, X-Amz-Date and
 * X-Amz-Security-Token lines, sign with context.json's credentials and
 * time, and compare the Authorization header we produce with the file's.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "lib/aws-sigv4.h"
#include "lib/xmalloc.h"
#include "tests/testlib.h"

static char *
slurp(const char *path, size_t *len_out)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	buf_init(&b, 1 << 20);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	if (len_out != NULL)
		*len_out = b.len;
	return buf_take(&b);
}

struct parsed {
	char *method;
	char *path;
	char *query;
	char *host;
	char *expected_auth;
	struct http_headers headers;
	char *body;
	size_t body_len;
};

/* Parses the suite's request format (folded header lines included). */
static int
parse_request(char *text, size_t len, struct parsed *p)
{
	char *line, *next, *sp, *target, *end = text + len;
	struct http_header *last = NULL;

	memset(p, 0, sizeof *p);
	http_headers_init(&p->headers);
	next = strchr(text, '\n');
	if (next == NULL)
		return -1;
	*next++ = '\0';
	sp = strchr(text, ' ');
	if (sp == NULL)
		return -1;
	p->method = xstrndup(text, (size_t)(sp - text));
	target = sp + 1;
	sp = strstr(target, " HTTP/");
	if (sp == NULL)
		return -1;
	*sp = '\0';
	if ((sp = strchr(target, '?')) != NULL) {
		*sp = '\0';
		p->query = xstrdup(sp + 1);
	}
	p->path = xstrdup(target);
	while (next < end) {
		line = next;
		next = strchr(line, '\n');
		if (next == NULL)
			next = end;
		*next++ = '\0';
		if (*line == '\0')
			break;
		if ((*line == ' ' || *line == '\t') && last != NULL) {
			char *v = xasprintf("%s\n%s", last->value, line);

			free(last->value);
			last->value = v;
			continue;
		}
		sp = strchr(line, ':');
		if (sp == NULL)
			return -1;
		*sp = '\0';
		last = NULL;
		if (strcasecmp(line, "Host") == 0) {
			p->host = xstrdup(sp + 1);
		} else if (strcasecmp(line, "Authorization") == 0) {
			p->expected_auth = xstrdup(sp + 1);
		} else if (strcasecmp(line, "X-Amz-Date") != 0 &&
		    strcasecmp(line, "X-Amz-Security-Token") != 0) {
			http_headers_add(&p->headers, line, sp + 1);
			last = &p->headers.items[p->headers.count - 1];
		}
	}
	p->body_len = next < end ? (size_t)(end - next) : 0;
	p->body = xstrndup(next < end ? next : "", p->body_len);
	return p->host != NULL && p->expected_auth != NULL ? 0 : -1;
}

static void
parsed_free(struct parsed *p)
{
	free(p->method);
	free(p->path);
	free(p->query);
	free(p->host);
	free(p->expected_auth);
	free(p->body);
	http_headers_free(&p->headers);
}

static time_t
parse_timestamp(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof tm);
	if (strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) == NULL)
		return 0;
	return timegm(&tm);
}

static const char *
json_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void
run_case(const char *dir, const char *name)
{
	char *req_path = xasprintf("%s/%s/request.txt", dir, name);
	char *ctx_path = xasprintf("%s/%s/context.json", dir, name);
	char *text = NULL, *ctx_text = NULL, *cause = NULL;
	cJSON *ctx = NULL, *cred_json;
	struct sigv4_credentials cred;
	struct sigv4_request req;
	struct http_headers out;
	struct parsed p;
	size_t len = 0;
	char *descr = xasprintf("vector %s signs like the AWS suite", name);

	http_headers_init(&out);
	memset(&p, 0, sizeof p);
	text = slurp(req_path, &len);
	ctx_text = slurp(ctx_path, NULL);
	TEST_CHECK("vector files are readable", text && ctx_text);
	if (text == NULL || ctx_text == NULL)
		goto cleanup;
	ctx = cJSON_Parse(ctx_text);
	TEST_CHECK("context.json parses", ctx != NULL);
	TEST_CHECK("request parses", parse_request(text, len, &p) == 0);
	if (ctx == NULL || p.host == NULL)
		goto cleanup;
	cred_json = cJSON_GetObjectItemCaseSensitive(ctx, "credentials");
	cred.access_key_id = json_str(cred_json, "access_key_id");
	cred.secret_access_key = json_str(cred_json, "secret_access_key");
	cred.session_token = json_str(cred_json, "token");
	memset(&req, 0, sizeof req);
	req.method = p.method;
	req.host = p.host;
	req.path = p.path;
	req.query = p.query;
	req.headers = &p.headers;
	req.body = p.body;
	req.body_len = p.body_len;
	req.region = json_str(ctx, "region");
	req.service = json_str(ctx, "service");
	req.when = parse_timestamp(json_str(ctx, "timestamp"));
	if (strcmp(req.service, "s3") == 0)
		req.path_mode = SIGV4_PATH_AS_IS;
	else if (cJSON_IsFalse(cJSON_GetObjectItem(ctx, "normalize")))
		req.path_mode = SIGV4_PATH_ENCODE;
	else
		req.path_mode = SIGV4_PATH_NORMALIZE;
	TEST_CHECK(descr, sigv4_sign(&req, &cred, &out, &cause) == 0);
	TEST_STREQ(descr, http_headers_get(&out, "Authorization"),
	    p.expected_auth);
	if (cred.session_token != NULL)
		TEST_STREQ("the session token is sent",
		    http_headers_get(&out, "X-Amz-Security-Token"),
		    cred.session_token);
cleanup:
	free(descr);
	free(cause);
	parsed_free(&p);
	http_headers_free(&out);
	cJSON_Delete(ctx);
	free(text);
	free(ctx_text);
	free(req_path);
	free(ctx_path);
}

static int
run_suite(void)
{
	const char *top = getenv("top_srcdir");
	char *dir = xasprintf("%s/tests/fixtures/sigv4", top ? top : ".");
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	TEST_CHECK("the vector directory exists", d != NULL);
	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, "README") == 0)
			continue;
		run_case(dir, e->d_name);
		n++;
	}
	if (d != NULL)
		closedir(d);
	free(dir);
	return n;
}

static void
test_paths(void)
{
	char *s;

	s = sigv4_canonical_uri("/model/openai.gpt-oss-120b-1%3A0/invoke",
	    SIGV4_PATH_AUTO, "bedrock");
	TEST_STREQ("bedrock model ids are double-encoded", s,
	    "/model/openai.gpt-oss-120b-1%253A0/invoke");
	free(s);
	s = sigv4_canonical_uri("/b/a%20b/../c.pdf", SIGV4_PATH_AUTO, "s3");
	TEST_STREQ("S3 keys are signed as sent, not normalised", s,
	    "/b/a%20b/../c.pdf");
	free(s);
	s = sigv4_canonical_uri("", SIGV4_PATH_AUTO, "sagemaker");
	TEST_STREQ("an empty path is /", s, "/");
	free(s);
	s = sigv4_canonical_query("b=2&a=&c&a=1+2&x=%2b");
	TEST_STREQ("query pairs sorted, empty values kept, + is literal", s,
	    "a=&a=1%2B2&b=2&c=&x=%2B");
	free(s);
	s = sigv4_uri_encode("reports/2026 11/x$y.pdf", 23, 1);
	TEST_STREQ("key encoding keeps slashes", s,
	    "reports/2026%2011/x%24y.pdf");
	free(s);
}

static void
test_headers_and_errors(void)
{
	struct sigv4_credentials cred = { "AKID", "SECRET", NULL };
	struct sigv4_request req;
	struct http_headers h, out;
	char *cause = NULL, *creq;

	http_headers_init(&h);
	http_headers_init(&out);
	http_headers_add(&h, "User-Agent", "x/1");
	http_headers_add(&h, "Content-Type", "application/pdf");
	memset(&req, 0, sizeof req);
	req.method = "PUT";
	req.host = "127.0.0.1:4568";
	req.path = "/reports/a.pdf";
	req.headers = &h;
	req.body = "%PDF";
	req.body_len = 4;
	req.region = "us-east-1";
	req.service = "s3";
	req.when = 1440938160;
	creq = sigv4_canonical_request(&req, &cred);
	TEST_CHECK("user-agent is never signed",
	    creq != NULL && strstr(creq, "user-agent") == NULL);
	TEST_CHECK("S3 signs the body hash",
	    creq != NULL && strstr(creq, "x-amz-content-sha256:") != NULL);
	free(creq);
	TEST_CHECK("S3 request signs",
	    sigv4_sign(&req, &cred, &out, &cause) == 0);
	TEST_CHECK("S3 gets X-Amz-Content-SHA256",
	    http_headers_get(&out, "X-Amz-Content-SHA256") != NULL);
	http_headers_free(&out);

	req.unsigned_payload = 1;
	req.service = "bedrock";
	req.add_content_sha256 = 1;
	TEST_CHECK("unsigned payload signs",
	    sigv4_sign(&req, &cred, &out, &cause) == 0);
	TEST_STREQ("UNSIGNED-PAYLOAD is sent",
	    http_headers_get(&out, "X-Amz-Content-SHA256"), "UNSIGNED-PAYLOAD");
	http_headers_free(&out);

	req.region = NULL;
	TEST_CHECK("a missing region is an error",
	    sigv4_sign(&req, &cred, &out, &cause) == -1 && cause != NULL &&
		strstr(cause, "region") != NULL);
	free(cause);
	cause = NULL;
	req.region = "us-east-1";
	cred.secret_access_key = "";
	TEST_CHECK("missing credentials are an error",
	    sigv4_sign(&req, &cred, &out, &cause) == -1 && cause != NULL);
	free(cause);
	http_headers_free(&h);
	http_headers_free(&out);
}

/* SHA-256 known answers (FIPS 180-2 examples), in memory and from a file
 * that spans several read chunks. */
static void
test_sha256(void)
{
	static const char tmpl[] = "/tmp/stockagent-sha.XXXXXX";
	char hex[65], path[sizeof tmpl], *cause = NULL;
	FILE *f;
	int fd, i;

	sigv4_sha256_hex("", 0, hex);
	TEST_CHECK("sha256 of nothing",
	    strcmp(hex,
		"e3b0c44298fc1c149afbf4c8"
		"996fb92427ae41e4649b934ca495991b7852b855") == 0);
	sigv4_sha256_hex("abc", 3, hex);
	TEST_CHECK("sha256 of abc",
	    strcmp(hex,
		"ba7816bf8f01cfea414140de5dae"
		"2223b00361a396177a9cb410ff61f20015ad") == 0);
	memcpy(path, tmpl, sizeof tmpl);
	if ((fd = mkstemp(path)) < 0 || (f = fdopen(fd, "wb")) == NULL) {
		TEST_CHECK("temporary file", 0);
		return;
	}
	for (i = 0; i < 1000000; i++)
		fputc('a', f);
	fclose(f);
	TEST_CHECK("sha256 of a file",
	    sigv4_sha256_file_hex(path, hex, &cause) == 0 &&
		strcmp(hex,
		    "cdc76e5c9914fb9281a1c7e284d73e67f1"
		    "809a48a497200e046d39ccc7112cd0") == 0);
	remove(path);
	TEST_CHECK("a missing file is an error",
	    sigv4_sha256_file_hex(path, hex, &cause) == -1 && cause != NULL &&
		strstr(cause, path));
	free(cause);
}

int
main(void)
{
	int n = run_suite();

	TEST_CHECK("at least 30 vectors ran", n >= 30);
	test_sha256();
	test_paths();
	test_headers_and_errors();
	return TEST_REPORT();
}
