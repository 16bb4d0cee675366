/*
 * unit-s3.c: s3:// parsing, endpoint resolution and S3 addressing, and
 * PutObject / GetObject against scripted servers on 127.0.0.1: a 503
 * SlowDown then 200, a server that is down, a 403 with an S3 error body,
 * a 404, missing credentials and a missing file.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/aws-endpoint.h"
#include "lib/aws-sigv4.h"
#include "lib/s3.h"
#include "lib/xmalloc.h"
#include "tests/fake-http.h"
#include "tests/testlib.h"

extern char **environ;

static void
clear_aws_env(void)
{
	char **e;

	for (e = environ; *e != NULL;) {
		if (strncmp(*e, "AWS_", 4) == 0) {
			char *name = xstrndup(*e, strcspn(*e, "="));

			unsetenv(name);
			free(name);
			e = environ;
		} else {
			e++;
		}
	}
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
	setenv("AWS_CONFIG_FILE", "/nonexistent/config", 1);
}

static void
test_uri(void)
{
	struct s3_location l;
	char *cause = NULL;

	TEST_CHECK("bucket and prefix",
	    s3_uri_parse("s3://my-bucket/a//b", &l, &cause) == 0 &&
		strcmp(l.bucket, "my-bucket") == 0 &&
		strcmp(l.prefix, "a/b/") == 0);
	s3_location_free(&l);
	TEST_CHECK("bucket only",
	    s3_uri_parse("s3://reports", &l, &cause) == 0 &&
		strcmp(l.prefix, "") == 0);
	s3_location_free(&l);
	TEST_CHECK("bucket with slash",
	    s3_uri_parse("s3://reports/", &l, &cause) == 0 &&
		strcmp(l.prefix, "") == 0);
	s3_location_free(&l);
	TEST_CHECK("missing bucket",
	    s3_uri_parse("s3:///x", &l, &cause) == -1 &&
		strstr(cause, "no bucket"));
	free(cause);
	TEST_CHECK("empty URI body", s3_uri_parse("s3://", &l, &cause) == -1);
	free(cause);
	TEST_CHECK("not s3",
	    s3_uri_parse("https://b/x", &l, &cause) == -1 &&
		strstr(cause, "s3://bucket/prefix"));
	free(cause);
	TEST_CHECK("uppercase bucket is invalid",
	    s3_uri_parse("s3://My_Bkt/x", &l, &cause) == -1 &&
		strstr(cause, "not a valid S3 bucket"));
	free(cause);
	TEST_CHECK("IP-shaped bucket is invalid",
	    s3_uri_parse("s3://192.168.1.1/x", &l, &cause) == -1);
	free(cause);
	TEST_CHECK("too short bucket",
	    s3_uri_parse("s3://ab", &l, &cause) == -1);
	free(cause);
	TEST_CHECK("'..' in the prefix",
	    s3_uri_parse("s3://bkt/a/../b", &l, &cause) == -1 &&
		strstr(cause, "'..'"));
	free(cause);
	TEST_CHECK("trailing '..'",
	    s3_uri_parse("s3://bkt/a/..", &l, &cause) == -1);
	free(cause);
	TEST_CHECK("'..x' is an ordinary name",
	    s3_uri_parse("s3://bkt/..x/", &l, &cause) == 0);
	s3_location_free(&l);
}

static void
test_endpoints(void)
{
	struct aws_endpoint ep;
	char *cause = NULL, *url, *host, *path;

	clear_aws_env();
	TEST_CHECK("default S3",
	    aws_endpoint_resolve("s3", "us-east-1", NULL, &ep, &cause) == 0 &&
		strcmp(ep.base, "https://s3.us-east-1.amazonaws.com") == 0 &&
		!ep.custom);
	aws_endpoint_s3_object(&ep, "reports", "2026/a b.pdf", &url, &host,
	    &path);
	TEST_STREQ("virtual-hosted on AWS", url,
	    "https://reports.s3.us-east-1.amazonaws.com/2026/a%20b.pdf");
	TEST_STREQ("host has the bucket", host,
	    "reports.s3.us-east-1.amazonaws.com");
	free(url);
	free(host);
	free(path);
	aws_endpoint_s3_object(&ep, "my.dotted.bucket", "k", &url, &host,
	    &path);
	TEST_STREQ("dotted bucket under https is path-style", url,
	    "https://s3.us-east-1.amazonaws.com/my.dotted.bucket/k");
	free(url);
	free(host);
	free(path);
	aws_endpoint_free(&ep);

	TEST_CHECK("bedrock runtime default",
	    aws_endpoint_resolve("bedrock-runtime", "us-west-2", NULL, &ep,
		&cause) == 0 &&
		strcmp(ep.base,
		    "https://bedrock-runtime.us-west-2.amazonaws.com") == 0 &&
		strcmp(ep.signing_name, "bedrock") == 0);
	aws_endpoint_free(&ep);
	TEST_CHECK("sagemaker runtime default",
	    aws_endpoint_resolve("sagemaker-runtime", "eu-west-1", NULL, &ep,
		&cause) == 0 &&
		strcmp(ep.base,
		    "https://runtime.sagemaker.eu-west-1.amazonaws.com") == 0 &&
		strcmp(ep.signing_name, "sagemaker") == 0);
	aws_endpoint_free(&ep);

	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9000", 1);
	setenv("AWS_ENDPOINT_URL_S3", "http://localhost:4568/", 1);
	TEST_CHECK("AWS_ENDPOINT_URL_S3 beats AWS_ENDPOINT_URL",
	    aws_endpoint_resolve("s3", "us-east-1", NULL, &ep, &cause) == 0 &&
		strcmp(ep.base, "http://localhost:4568") == 0 && ep.custom);
	aws_endpoint_s3_object(&ep, "reports", "k.pdf", &url, &host, &path);
	TEST_STREQ("localhost is path-style", url,
	    "http://localhost:4568/reports/k.pdf");
	TEST_STREQ("path-style wire path", path, "/reports/k.pdf");
	free(url);
	free(host);
	free(path);
	aws_endpoint_free(&ep);
	TEST_CHECK("other services use AWS_ENDPOINT_URL",
	    aws_endpoint_resolve("bedrock-runtime", "us-east-1", NULL, &ep,
		&cause) == 0 &&
		strcmp(ep.host, "127.0.0.1:9000") == 0);
	aws_endpoint_free(&ep);
	TEST_CHECK("explicit beats the environment",
	    aws_endpoint_resolve("s3", "us-east-1",
		"https://minio.example:9000/base/", &ep, &cause) == 0 &&
		strcmp(ep.path, "/base") == 0 &&
		strcmp(ep.host, "minio.example:9000") == 0);
	aws_endpoint_s3_object(&ep, "reports", "k", &url, &host, &path);
	TEST_STREQ("virtual-hosted keeps a base path", url,
	    "https://reports.minio.example:9000/base/k");
	free(url);
	free(host);
	free(path);
	aws_endpoint_free(&ep);
	TEST_CHECK("a bad override is refused",
	    aws_endpoint_resolve("s3", "us-east-1", "ftp://x", &ep, &cause) ==
		    -1 &&
		strstr(cause, "ftp://x"));
	free(cause);
	TEST_CHECK("unknown service",
	    aws_endpoint_resolve("ec2", "us-east-1", NULL, &ep, &cause) == -1);
	free(cause);
	clear_aws_env();
}

static char pdf_path[] = "/tmp/unit-s3-XXXXXX";
static const char pdf[] = "%PDF-1.4\n% test report\n%%EOF\n";

static void
use_server(int port)
{
	char *ep = xasprintf("http://127.0.0.1:%d", port);

	clear_aws_env();
	setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "secret-test", 1);
	setenv("AWS_REGION", "us-east-1", 1);
	setenv("AWS_ENDPOINT_URL_S3", ep, 1);
	free(ep);
}

static void
test_retry_then_ok(void)
{
	struct fake_response script[] = {
		{ 503, "Content-Type: application/xml\r\n",
		    "<?xml version=\"1.0\"?><Error><Code>SlowDown</Code>"
		    "<Message>Please reduce your request rate.</Message>"
		    "</Error>",
		    0 },
		{ 200, "ETag: \"d41d8cd98f00b204e9800998ecf8427e\"\r\n", "",
		    0 },
	};
	struct fake_server s;
	struct s3_location l;
	char *cause = NULL, *uri = NULL, *log, hash[65], *want, *second;

	fake_server_start(&s, script, 2);
	use_server(s.port);
	s3_uri_parse("s3://reports/daily", &l, &cause);
	TEST_CHECK("503 SlowDown then 200 uploads",
	    s3_put_file(&l, "SIM_STOCK.pdf", pdf_path, NULL, NULL, &uri,
		&cause) == S3_OK);
	TEST_STREQ("the URI of the object", uri,
	    "s3://reports/daily/SIM_STOCK.pdf");
	log = fake_server_log(&s);
	TEST_CHECK("two requests", fake_server_count(&s) == 2);
	TEST_CHECK("path-style PUT on loopback",
	    strstr(log, "PUT /reports/daily/SIM_STOCK.pdf HTTP/1.1"));
	TEST_CHECK("Content-Type application/pdf",
	    strstr(log, "Content-Type: application/pdf\r\n"));
	want = xasprintf("Content-Length: %zu\r\n", strlen(pdf));
	TEST_CHECK("Content-Length", strstr(log, want) != NULL);
	free(want);
	sigv4_sha256_hex(pdf, strlen(pdf), hash);
	want = xasprintf("X-Amz-Content-SHA256: %s\r\n", hash);
	TEST_CHECK("payload hash sent", strstr(log, want) != NULL);
	free(want);
	TEST_CHECK("Content-MD5 sent", strstr(log, "Content-MD5: ") != NULL);
	TEST_CHECK("signed for s3 with the signed headers listed",
	    strstr(log,
		"Authorization: AWS4-HMAC-SHA256 Credential=AKIDTEST/") &&
		strstr(log,
		    "/us-east-1/s3/aws4_request, SignedHeaders="
		    "content-md5;content-type;host;"
		    "x-amz-content-sha256;x-amz-date, Signature="));
	TEST_CHECK("the secret is not on the wire",
	    strstr(log, "secret-test") == NULL);
	second = strstr(strstr(log, "=== request\n") + 1, "=== request\n");
	TEST_CHECK("the retry carried the body",
	    second != NULL && strstr(second, pdf) != NULL);
	free(log);
	free(uri);
	s3_location_free(&l);
	fake_server_stop(&s);
}

static void
test_down(void)
{
	struct s3_location l;
	char *cause = NULL, *uri = NULL;
	struct timespec t0, t1;

	use_server(fake_closed_port());
	s3_uri_parse("s3://reports", &l, &cause);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	TEST_CHECK("server down is transient",
	    s3_put_file(&l, "a.pdf", pdf_path, NULL, NULL, &uri, &cause) ==
		S3_ERR_TRANSIENT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	TEST_CHECK("after retries, quickly",
	    cause && strstr(cause, "after 3 attempts") &&
		t1.tv_sec - t0.tv_sec < 5);
	TEST_CHECK("message starts with the operation and URI",
	    cause &&
		strncmp(cause,
		    "S3 PutObject s3://reports/a.pdf failed: ", 40) == 0);
	free(cause);
	s3_location_free(&l);
}

static void
test_denied_and_missing(void)
{
	struct fake_response script[] = {
		{ 403, "Content-Type: application/xml\r\n",
		    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>"
		    "AccessDenied</Code><Message>Access Denied</Message>"
		    "<RequestId>R1</RequestId></Error>",
		    0 },
		{ 404, NULL,
		    "<Error><Code>NoSuchBucket</Code><Message>The "
		    "specified bucket does not exist</Message></Error>",
		    0 },
		{ 200, NULL, "report bytes", 0 },
		{ 404, NULL,
		    "<Error><Code>NoSuchKey</Code><Message>The "
		    "specified key does not exist.</Message></Error>",
		    0 },
	};
	struct fake_server s;
	struct s3_location l;
	struct buf got;
	char *cause = NULL, *uri = NULL;

	fake_server_start(&s, script, 4);
	use_server(s.port);
	s3_uri_parse("s3://bkt", &l, &cause);
	TEST_CHECK("403 is an auth failure",
	    s3_put_file(&l, "k", pdf_path, NULL, NULL, &uri, &cause) ==
		S3_ERR_AUTH);
	TEST_STREQ("S3's code and message shown", cause,
	    "S3 PutObject s3://bkt/k failed: AccessDenied: Access Denied "
	    "(HTTP 403)");
	TEST_CHECK("403 is not retried", fake_server_count(&s) == 1);
	free(cause);
	TEST_CHECK("404 NoSuchBucket is rejected",
	    s3_put_file(&l, "k", pdf_path, NULL, NULL, &uri, &cause) ==
		    S3_ERR_REJECTED &&
		strstr(cause, "NoSuchBucket"));
	free(cause);
	buf_init(&got, 0);
	TEST_CHECK("GetObject reads the body",
	    s3_get_object(&l, "k", NULL, 0, &got, &cause) == S3_OK &&
		strcmp(got.data, "report bytes") == 0);
	buf_free(&got);
	TEST_CHECK("GetObject of a missing key",
	    s3_get_object(&l, "nope", NULL, 0, &got, &cause) ==
		    S3_ERR_REJECTED &&
		strstr(cause, "NoSuchKey"));
	free(cause);
	fake_server_stop(&s);

	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	TEST_CHECK("no credentials is an auth failure",
	    s3_put_file(&l, "k", pdf_path, NULL, NULL, &uri, &cause) ==
		    S3_ERR_AUTH &&
		strstr(cause, "no AWS credentials found"));
	free(cause);
	setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "secret-test", 1);
	TEST_CHECK("a missing file is an input error",
	    s3_put_file(&l, "k", "/nonexistent/r.pdf", NULL, NULL, &uri,
		&cause) == S3_ERR_INPUT &&
		strstr(cause, "/nonexistent/r.pdf"));
	free(cause);
	TEST_CHECK("a '..' key is an input error",
	    s3_put_file(&l, "../k", pdf_path, NULL, NULL, &uri, &cause) ==
		S3_ERR_INPUT);
	free(cause);
	s3_location_free(&l);
}

int
main(void)
{
	int fd = mkstemp(pdf_path);

	if (fd < 0 || write(fd, pdf, strlen(pdf)) != (ssize_t)strlen(pdf))
		return 99;
	close(fd);
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	test_uri();
	test_endpoints();
	test_retry_then_ok();
	test_down();
	test_denied_and_missing();
	unlink(pdf_path);
	return TEST_REPORT();
}
