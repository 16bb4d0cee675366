/*
 * unit-s3rver.c: PutObject then GetObject against s3rver (npm, started
 * here on 127.0.0.1 with an ephemeral port): the bytes read back must be
 * the bytes uploaded. s3rver does not verify signatures (the SigV4 vectors
 * do that); it checks addressing, headers and bodies. Exits 77 when node
 * or tests/node_modules/s3rver is missing.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/s3.h"
#include "lib/xmalloc.h"
#include "tests/testlib.h"

static const char script[] =
    "const S3rver = require(process.argv[1]);"
    "new S3rver({address: '127.0.0.1', port: 0, silent: true,"
    "  directory: process.argv[2], configureBuckets: [{name: 'reports'}]})"
    ".run().then(a => { console.log(a.port); },"
    "  e => { console.error(e); process.exit(1); });";

/* Starts s3rver; returns its pid and sets *port, or -1. */
static pid_t
start_s3rver(const char *module, const char *dir, int *port)
{
	int fds[2];
	pid_t pid;
	FILE *f;

	if (pipe(fds) != 0)
		return -1;
	fflush(NULL);
	if ((pid = fork()) == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		execlp("node", "node", "-e", script, module, dir, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	if (f == NULL || fscanf(f, "%d", port) != 1) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		pid = -1;
	}
	if (f != NULL)
		fclose(f);
	return pid;
}

int
main(void)
{
	const char *top = getenv("top_srcdir");
	char *module = xasprintf("%s/tests/node_modules/s3rver",
	    top ? top : ".");
	char dir[] = "/tmp/unit-s3rver-XXXXXX",
	     file[] = "/tmp/s3rver-pdfXXXXXX";
	struct s3_location l;
	struct s3_options o = { .region = "us-east-1" };
	unsigned char body[70000];
	struct buf got;
	char *cause = NULL, *uri = NULL, *ep, *rm;
	struct stat st;
	int port = 0, fd;
	size_t i;
	pid_t pid;

	if (stat(module, &st) != 0 ||
	    system("node --version >/dev/null 2>&1") != 0) {
		printf("skip: node or %s missing\n", module);
		return 77;
	}
	if (mkdtemp(dir) == NULL ||
	    (pid = start_s3rver(module, dir, &port)) < 0) {
		printf("skip: s3rver did not start\n");
		return 77;
	}
	for (i = 0; i < sizeof body; i++)
		body[i] = (unsigned char)(i * 131 + (i >> 8));
	fd = mkstemp(file);
	if (fd < 0 || write(fd, body, sizeof body) != (ssize_t)sizeof body)
		return 99;
	close(fd);

	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
	unsetenv("AWS_SESSION_TOKEN");
	unsetenv("AWS_PROFILE");
	ep = xasprintf("http://127.0.0.1:%d", port);
	o.endpoint = ep;

	s3_uri_parse("s3://reports/2026-11-23", &l, &cause);
	TEST_CHECK("upload to s3rver",
	    s3_put_file(&l, "SIM STOCK.pdf", file, NULL, &o, &uri, &cause) ==
		S3_OK);
	if (cause != NULL)
		printf("# %s\n", cause);
	TEST_STREQ("uri", uri, "s3://reports/2026-11-23/SIM STOCK.pdf");
	buf_init(&got, 0);
	TEST_CHECK("read back",
	    s3_get_object(&l, "SIM STOCK.pdf", &o, 0, &got, &cause) == S3_OK);
	TEST_CHECK("same bytes",
	    got.len == sizeof body && memcmp(got.data, body, sizeof body) == 0);
	buf_free(&got);
	free(cause);
	cause = NULL;
	TEST_CHECK("missing key is rejected",
	    s3_get_object(&l, "none.pdf", &o, 0, &got, &cause) ==
		    S3_ERR_REJECTED &&
		cause && strstr(cause, "NoSuchKey"));
	free(cause);
	cause = NULL;
	s3_location_free(&l);
	s3_uri_parse("s3://no-such-bucket", &l, &cause);
	TEST_CHECK("missing bucket is rejected",
	    s3_put_file(&l, "a.pdf", file, NULL, &o, &uri, &cause) ==
		    S3_ERR_REJECTED &&
		cause && strstr(cause, "NoSuchBucket"));
	free(cause);
	cause = NULL;
	setenv("AWS_ACCESS_KEY_ID", "UNKNOWNKEY", 1);
	TEST_CHECK("an unknown access key is an auth failure",
	    s3_put_file(&l, "a.pdf", file, NULL, &o, &uri, &cause) ==
		    S3_ERR_AUTH &&
		cause && strstr(cause, "InvalidAccessKeyId"));
	free(cause);
	s3_location_free(&l);

	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	unlink(file);
	rm = xasprintf("rm -rf '%s'", dir);
	if (system(rm) != 0)
		printf("# could not remove %s\n", dir);
	free(rm);
	free(ep);
	free(uri);
	free(module);
	return TEST_REPORT();
}
