/*
 * unit-awscred.c: the credential chain and region lookup: environment,
 * shared files and profiles, precedence, container and EC2 metadata
 * credentials served by fake servers on 127.0.0.1, and the message when
 * nothing is found. Secrets must not reach the debug log.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/aws-credentials.h"
#include "lib/aws-webidentity.h"
#include "lib/log.h"
#include "lib/xmalloc.h"
#include "tests/fake-http.h"
#include "tests/testlib.h"

extern char **environ;

static char dir[] = "/tmp/unit-awscred-XXXXXX";

static void
clear_aws_env(void)
{
	char **e;
	int again = 1;

	while (again) {
		again = 0;
		for (e = environ; *e != NULL; e++) {
			if (strncmp(*e, "AWS_", 4) == 0) {
				char *name = xstrndup(*e, strcspn(*e, "="));

				unsetenv(name);
				free(name);
				again = 1;
				break;
			}
		}
	}
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	setenv("HOME", dir, 1);
}

static char *
write_file(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	return path;
}

static char *creds_path, *config_path;

static void
setup_files(void)
{
	creds_path = write_file("credentials",
	    "[default]\n"
	    "aws_access_key_id = AKIDDEFAULT\n"
	    "aws_secret_access_key = secret-default\n"
	    "\n# a comment\n; another\n"
	    "[dev]\n"
	    "aws_access_key_id=AKIDDEV\n"
	    "aws_secret_access_key=  secret-dev  \n"
	    "aws_session_token = token-dev\n"
	    "[half]\n"
	    "aws_access_key_id = AKIDHALF\n");
	config_path = write_file("config",
	    "[default]\nregion = eu-west-1\n"
	    "[profile dev]\nregion = ap-southeast-1\n"
	    "s3 =\n  addressing_style = path\n"
	    "[profile cfgonly]\n"
	    "aws_access_key_id = AKIDCFG\naws_secret_access_key = s-cfg\n"
	    "[cfgbare]\n"
	    "aws_access_key_id = AKIDBARE\naws_secret_access_key = s-bare\n"
	    "[profile role]\nrole_arn = arn:aws:iam::1:role/x\n"
	    "source_profile = default\n");
}

static void
test_env_and_files(void)
{
	struct aws_credentials *c = NULL;
	struct awscred_options o = { 0 };
	char *cause = NULL, *region = NULL;

	clear_aws_env();
	setenv("AWS_SHARED_CREDENTIALS_FILE", creds_path, 1);
	setenv("AWS_CONFIG_FILE", config_path, 1);

	TEST_CHECK("default profile from the credentials file",
	    awscred_resolve(NULL, &c, &cause) == 0 && c &&
		strcmp(c->access_key_id, "AKIDDEFAULT") == 0 &&
		c->session_token == NULL);
	awscred_free(c);

	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "secret-env", 1);
	setenv("AWS_SESSION_TOKEN", "token-env", 1);
	TEST_CHECK("environment wins over files",
	    awscred_resolve(NULL, &c, &cause) == 0 &&
		strcmp(c->access_key_id, "AKIDENV") == 0 &&
		strcmp(c->session_token, "token-env") == 0 &&
		strcmp(c->source, "environment") == 0);
	awscred_free(c);

	o.profile = "dev";
	TEST_CHECK("an explicit profile skips the environment",
	    awscred_resolve(&o, &c, &cause) == 0 &&
		strcmp(c->access_key_id, "AKIDDEV") == 0 &&
		strcmp(c->secret_access_key, "secret-dev") == 0 &&
		strcmp(c->session_token, "token-dev") == 0);
	TEST_CHECK("source names profile and file",
	    c && strstr(c->source, "'dev'") &&
		strstr(c->source, "credentials"));
	awscred_free(c);

	unsetenv("AWS_SECRET_ACCESS_KEY");
	TEST_CHECK("a key id without secret in the environment is an error",
	    awscred_resolve(NULL, &c, &cause) == -1 && cause &&
		strstr(cause, "AWS_SECRET_ACCESS_KEY"));
	free(cause);
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SESSION_TOKEN");

	setenv("AWS_PROFILE", "cfgonly", 1);
	TEST_CHECK("keys in the config file's [profile x]",
	    awscred_resolve(NULL, &c, &cause) == 0 &&
		strcmp(c->access_key_id, "AKIDCFG") == 0);
	awscred_free(c);

	setenv("AWS_PROFILE", "cfgbare", 1);
	TEST_CHECK("config's [x] without 'profile' is not profile x",
	    awscred_resolve(NULL, &c, &cause) == -1 && cause &&
		strstr(cause, "'cfgbare' not found"));
	free(cause);

	setenv("AWS_PROFILE", "half", 1);
	TEST_CHECK("a profile with a key id but no secret is an error",
	    awscred_resolve(NULL, &c, &cause) == -1 && cause &&
		strstr(cause, "no aws_secret_access_key"));
	free(cause);

	setenv("AWS_PROFILE", "role", 1);
	TEST_CHECK("assume-role profiles are refused with advice",
	    awscred_resolve(NULL, &c, &cause) == -1 && cause &&
		strstr(cause, "role_arn") &&
		strstr(cause, "export-credentials"));
	free(cause);

	setenv("AWS_PROFILE", "nosuch", 1);
	TEST_CHECK("a missing named profile is named",
	    awscred_resolve(NULL, &c, &cause) == -1 && cause &&
		strstr(cause, "'nosuch' not found"));
	free(cause);

	/* Region order. */
	setenv("AWS_PROFILE", "dev", 1);
	TEST_CHECK("region from the profile",
	    awscred_region(NULL, NULL, &region, &cause) == 0 &&
		strcmp(region, "ap-southeast-1") == 0);
	free(region);
	setenv("AWS_DEFAULT_REGION", "us-west-1", 1);
	TEST_CHECK("AWS_DEFAULT_REGION over the profile",
	    awscred_region(NULL, NULL, &region, &cause) == 0 &&
		strcmp(region, "us-west-1") == 0);
	free(region);
	setenv("AWS_REGION", "us-west-2", 1);
	TEST_CHECK("AWS_REGION over AWS_DEFAULT_REGION",
	    awscred_region(NULL, NULL, &region, &cause) == 0 &&
		strcmp(region, "us-west-2") == 0);
	free(region);
	TEST_CHECK("explicit over all",
	    awscred_region("sa-east-1", NULL, &region, &cause) == 0 &&
		strcmp(region, "sa-east-1") == 0);
	free(region);
	unsetenv("AWS_REGION");
	unsetenv("AWS_DEFAULT_REGION");
	TEST_CHECK("default profile's region from [default]",
	    awscred_region(NULL, "default", &region, &cause) == 0 &&
		strcmp(region, "eu-west-1") == 0);
	free(region);
	setenv("AWS_PROFILE", "cfgonly", 1);
	TEST_CHECK("no region is an error saying how to set one",
	    awscred_region(NULL, NULL, &region, &cause) == -1 &&
		strstr(cause, "AWS_REGION"));
	free(cause);
}

static void
test_nothing_found(void)
{
	struct aws_credentials *c = NULL;
	char *cause = NULL;

	clear_aws_env();
	TEST_CHECK("nothing found is an error",
	    awscred_resolve(NULL, &c, &cause) == -1 && c == NULL);
	TEST_CHECK("the message names each place searched",
	    cause && strstr(cause, "no AWS credentials found") &&
		strstr(cause, "environment") &&
		strstr(cause, ".aws/credentials") &&
		strstr(cause, ".aws/config") && strstr(cause, "container") &&
		strstr(cause, "EC2 instance metadata (disabled)") &&
		strchr(cause, '\n') == NULL);
	free(cause);
}

/* Runs fn with stderr captured at debug level; returns what it printed. */
static char *
capture_stderr(void (*fn)(void))
{
	char path[] = "/tmp/unit-awscred-log-XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	struct buf b;
	char chunk[4096];
	ssize_t n;

	fflush(stderr);
	dup2(fd, 2);
	log_set_level(LOG_LEVEL_DEBUG);
	fn();
	fflush(stderr);
	log_set_level(LOG_LEVEL_INFO);
	dup2(saved, 2);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	buf_init(&b, 0);
	buf_append(&b, "", 0);
	while ((n = read(fd, chunk, sizeof chunk)) > 0)
		buf_append(&b, chunk, (size_t)n);
	close(fd);
	unlink(path);
	return buf_take(&b);
}

static void
container_case(void)
{
	struct fake_response script[] = {
		{ 200, "Content-Type: application/json\r\n",
		    "{\"AccessKeyId\":\"AKIDCONT\",\"SecretAccessKey\":"
		    "\"secret-container\",\"Token\":\"token-container\","
		    "\"Expiration\":\"2030-01-02T03:04:05Z\"}",
		    0 },
	};
	struct fake_server s;
	struct aws_credentials *c = NULL;
	char *cause = NULL, *uri, *tok, *log;

	clear_aws_env();
	fake_server_start(&s, script, 1);
	uri = xasprintf("http://127.0.0.1:%d/v2/credentials/abc", s.port);
	tok = write_file("token", "container-auth-token\n");
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri, 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tok, 1);
	TEST_CHECK("container credentials",
	    awscred_resolve(NULL, &c, &cause) == 0 &&
		strcmp(c->access_key_id, "AKIDCONT") == 0 &&
		strcmp(c->session_token, "token-container") == 0);
	TEST_CHECK("expiration parsed",
	    c && c->expiration == 1893553445 &&
		awscred_expiring(c, 1893553445 - 100, 300) &&
		!awscred_expiring(c, 1893553445 - 1000, 300));
	log = fake_server_log(&s);
	TEST_CHECK("token file sent as Authorization",
	    strstr(log, "GET /v2/credentials/abc HTTP/1.1") &&
		strstr(log, "Authorization: container-auth-token\r\n"));
	free(log);
	awscred_free(c);
	fake_server_stop(&s);

	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI",
	    "http://198.51.100.7/creds", 1);
	TEST_CHECK("full URI to another host is refused before connecting",
	    awscred_resolve(NULL, &c, &cause) == -1 &&
		strstr(cause, "AWS_CONTAINER_CREDENTIALS_FULL_URI"));
	free(cause);
	free(uri);
	free(tok);
}

static void
imds_case(void)
{
	struct fake_response script[] = {
		{ 200, NULL, "IMDSTOKEN123", 0 },
		{ 200, NULL, "my-role\n", 0 },
		{ 200, NULL,
		    "{\"Code\":\"Success\",\"AccessKeyId\":\"AKIDEC2\","
		    "\"SecretAccessKey\":\"secret-ec2\",\"Token\":\"token-"
		    "ec2\","
		    "\"Expiration\":\"2030-01-02T03:04:05Z\"}",
		    0 },
	};
	struct fake_server s;
	struct aws_credentials *c = NULL;
	char *cause = NULL, *ep, *log;

	clear_aws_env();
	unsetenv("AWS_EC2_METADATA_DISABLED");
	fake_server_start(&s, script, 3);
	ep = xasprintf("http://127.0.0.1:%d/", s.port);
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", ep, 1);
	TEST_CHECK("IMDSv2 credentials",
	    awscred_resolve(NULL, &c, &cause) == 0 &&
		strcmp(c->access_key_id, "AKIDEC2") == 0 &&
		strcmp(c->secret_access_key, "secret-ec2") == 0 &&
		strstr(c->source, "my-role"));
	log = fake_server_log(&s);
	TEST_CHECK("token requested with PUT and a TTL",
	    strstr(log, "PUT /latest/api/token HTTP/1.1") &&
		strstr(log, "x-aws-ec2-metadata-token-ttl-seconds: 21600"));
	TEST_CHECK("role and credentials fetched with the token",
	    strstr(log, "GET /latest/meta-data/iam/security-credentials/ ") &&
		strstr(log,
		    "GET /latest/meta-data/iam/security-credentials/"
		    "my-role ") &&
		strstr(log, "x-aws-ec2-metadata-token: IMDSTOKEN123"));
	free(log);
	awscred_free(c);
	fake_server_stop(&s);
	free(ep);
}

static void
test_remote_and_secrets(void)
{
	char *log = capture_stderr(container_case);

	TEST_CHECK("container secrets never logged",
	    strstr(log, "secret-container") == NULL &&
		strstr(log, "container-auth-token") == NULL);
	free(log);
	log = capture_stderr(imds_case);
	TEST_CHECK("IMDS secrets never logged",
	    strstr(log, "secret-ec2") == NULL &&
		strstr(log, "IMDSTOKEN123") == NULL);
	TEST_CHECK("debug log did show the exchange",
	    strstr(log, "/latest/api/token") != NULL);
	free(log);
}

/* The STS answer for web identity credentials expiring at EXP. */
#define STS_OK(exp)                                                            \
	"<AssumeRoleWithWebIdentityResponse "                                  \
	"xmlns=\"https://sts.amazonaws.com/"                                   \
	"doc/2011-06-15/\"><AssumeRoleWithWebIdentityResult>"                  \
	"<SubjectFromWebIdentityToken>system:serviceaccount:ns:sa"             \
	"</SubjectFromWebIdentityToken><Credentials>"                          \
	"<SessionToken>token-webid</SessionToken>"                             \
	"<SecretAccessKey>secret-webid</SecretAccessKey>"                      \
	"<Expiration>" exp "</Expiration>"                                     \
	"<AccessKeyId>ASIAWEBID</AccessKeyId></Credentials>"                   \
	"</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>1"     \
	"</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>"

static void
webid_case(void)
{
	struct fake_response script[] = {
		{ 200, "Content-Type: text/xml\r\n",
		    STS_OK("2030-01-02T03:04:05Z"), 0 },
		{ 200, "Content-Type: text/xml\r\n",
		    STS_OK("2001-01-02T03:04:05Z"), 0 },
		{ 200, "Content-Type: text/xml\r\n",
		    STS_OK("2030-01-02T03:04:05Z"), 0 },
		{ 403, "Content-Type: text/xml\r\n",
		    "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/"
		    "2011-06-15/\"><Error><Type>Sender</Type><Code>"
		    "InvalidIdentityToken</Code><Message>No OpenIDConnect "
		    "provider found in your account for https://oidc.eks"
		    "</Message></Error><RequestId>2</RequestId>"
		    "</ErrorResponse>",
		    0 },
	};
	struct fake_server s;
	struct aws_credentials *c = NULL, *c2 = NULL;
	char *cause = NULL, *ep, *tok, *log;

	clear_aws_env();
	awscred_web_identity_reset();
	fake_server_start(&s, script, 4);
	ep = xasprintf("http://127.0.0.1:%d", s.port);
	tok = write_file("webid-token", "eyJhbGciOiJSUzI1NiJ9.webid+token/=\n");
	setenv("AWS_ENDPOINT_URL_STS", ep, 1);
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", tok, 1);
	setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/stockagent", 1);
	setenv("AWS_ROLE_SESSION_NAME", "pod-1", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", creds_path, 1);
	TEST_CHECK("web identity credentials before the shared files",
	    awscred_resolve(NULL, &c, &cause) == 0 &&
		strcmp(c->access_key_id, "ASIAWEBID") == 0 &&
		strcmp(c->secret_access_key, "secret-webid") == 0 &&
		strcmp(c->session_token, "token-webid") == 0 &&
		c->expiration == 1893553445 && strstr(c->source, "role/"));
	log = fake_server_log(&s);
	TEST_CHECK("AssumeRoleWithWebIdentity query API request",
	    strstr(log, "POST / HTTP/1.1") &&
		strstr(log,
		    "Content-Type: application/x-www-form-urlencoded") &&
		strstr(log, "Action=AssumeRoleWithWebIdentity") &&
		strstr(log, "Version=2011-06-15") &&
		strstr(log,
		    "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole"
		    "%2Fstockagent") &&
		strstr(log, "RoleSessionName=pod-1") &&
		strstr(log,
		    "WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.webid%2B"
		    "token%2F%3D") &&
		strstr(log, "Authorization:") == NULL);
	free(log);
	TEST_CHECK("kept until they expire: no second STS call",
	    awscred_resolve(NULL, &c2, &cause) == 0 &&
		strcmp(c2->access_key_id, "ASIAWEBID") == 0 &&
		fake_server_count(&s) == 1);
	awscred_free(c2);
	c2 = NULL;
	awscred_free(c);
	c = NULL;
	setenv("AWS_ROLE_SESSION_NAME", "pod-2", 1);
	TEST_CHECK("another session asks again",
	    awscred_resolve(NULL, &c, &cause) == 0 &&
		fake_server_count(&s) == 2 && c->expiration < time(NULL));
	awscred_free(c);
	c = NULL;
	TEST_CHECK("expired credentials are fetched again",
	    awscred_resolve(NULL, &c, &cause) == 0 &&
		fake_server_count(&s) == 3 && c->expiration == 1893553445);
	awscred_free(c);
	c = NULL;
	awscred_web_identity_reset();
	TEST_CHECK("STS error named in one line",
	    awscred_resolve(NULL, &c, &cause) == -1 &&
		strstr(cause, "InvalidIdentityToken: No OpenIDConnect") &&
		strstr(cause, "HTTP 403") && strchr(cause, '\n') == NULL);
	free(cause);
	cause = NULL;
	fake_server_stop(&s);
	unlink(tok);
	awscred_web_identity_reset();
	TEST_CHECK("a missing token file is named",
	    awscred_resolve(NULL, &c, &cause) == -1 &&
		strstr(cause, "AWS_WEB_IDENTITY_TOKEN_FILE") &&
		strstr(cause, tok));
	free(cause);
	unsetenv("AWS_ROLE_ARN");
	unsetenv("AWS_WEB_IDENTITY_TOKEN_FILE");
	unsetenv("AWS_ENDPOINT_URL_STS");
	awscred_web_identity_reset();
	free(ep);
	free(tok);
}

static void
test_web_identity(void)
{
	char *log = capture_stderr(webid_case);

	TEST_CHECK("web identity token and secrets never logged",
	    strstr(log, "webid+token") == NULL &&
		strstr(log, "webid%2Btoken") == NULL &&
		strstr(log, "secret-webid") == NULL &&
		strstr(log, "token-webid") == NULL);
	free(log);
}

static void
test_imds_absent(void)
{
	struct aws_credentials *c = NULL;
	char *cause = NULL, *ep;
	struct timespec t0, t1;

	clear_aws_env();
	unsetenv("AWS_EC2_METADATA_DISABLED");
	ep = xasprintf("http://127.0.0.1:%d", fake_closed_port());
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", ep, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	TEST_CHECK("no metadata service: not found",
	    awscred_resolve(NULL, &c, &cause) == -1 && cause &&
		strstr(cause, "no answer"));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	TEST_CHECK("and quickly", t1.tv_sec - t0.tv_sec < 3);
	free(cause);
	free(ep);
}

/* A line longer than any buffer (a long session token) is read whole. */
static void
test_long_line(void)
{
	struct aws_credentials *c = NULL;
	struct awscred_options o = { 0 };
	char *cause = NULL, *token = xcalloc(1, 6001), *text, *path;

	memset(token, 'T', 6000);
	text = xasprintf("[long]\naws_session_token = %s\n"
			 "aws_access_key_id = AKIDLONG\n"
			 "aws_secret_access_key = secret-long\n",
	    token);
	path = write_file("credentials-long", text);
	clear_aws_env();
	setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
	setenv("AWS_CONFIG_FILE", config_path, 1);
	o.profile = "long";
	TEST_CHECK("a 6,000-byte session token read whole",
	    awscred_resolve(&o, &c, &cause) == 0 && c &&
		c->session_token != NULL &&
		strcmp(c->session_token, token) == 0 &&
		strcmp(c->access_key_id, "AKIDLONG") == 0);
	awscred_free(c);
	free(cause);
	free(text);
	free(path);
	free(token);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 99;
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	setup_files();
	test_env_and_files();
	test_long_line();
	test_nothing_found();
	test_remote_and_secrets();
	test_web_identity();
	test_imds_absent();
	unlink(creds_path);
	unlink(config_path);
	free(creds_path);
	free(config_path);
	{
		char *t = xasprintf("%s/token", dir);

		unlink(t);
		free(t);
	}
	rmdir(dir);
	return TEST_REPORT();
}
