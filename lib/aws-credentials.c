/*
 * aws-credentials.c: the credential chain and region lookup (see the
 * header for the order). Files are parsed the way botocore's
 * configloader reads them: "[section]" headers, "key = value" lines,
 * comments starting with '#' or ';', indented lines belonging to nested
 * sub-sections (ignored here).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "lib/aws-credentials.h"
#include "lib/aws-webidentity.h"
#include "lib/http.h"
#include "lib/log.h"
#include "lib/xmalloc.h"

#define AWSCRED_MAX_FILE (1024 * 1024)
#define AWSCRED_MAX_RESPONSE (64 * 1024)
#define CONTAINER_HOST "http://169.254.170.2"
#define IMDS_DEFAULT "http://169.254.169.254"

/* One profile section: its keys and values. */
struct section {
	struct http_headers kv; /* reused as an ordered key/value list */
	int found;
};

static void
wipe_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

void
awscred_free(struct aws_credentials *c)
{
	if (c == NULL)
		return;
	wipe_free(c->access_key_id);
	wipe_free(c->secret_access_key);
	wipe_free(c->session_token);
	free(c->source);
	explicit_bzero(c, sizeof *c);
	free(c);
}

int
awscred_expiring(const struct aws_credentials *c, time_t now, long margin)
{
	return c->expiration != 0 && c->expiration - margin <= now;
}

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

static int
env_true(const char *name)
{
	const char *v = env(name);

	return v != NULL && strcasecmp(v, "true") == 0;
}

/* The profile in effect: explicit, AWS_PROFILE, AWS_DEFAULT_PROFILE,
 * "default" (borrowed). */
static const char *
awscred_profile_name(const char *explicit_profile)
{
	if (explicit_profile != NULL && *explicit_profile != '\0')
		return explicit_profile;
	if (env("AWS_PROFILE") != NULL)
		return env("AWS_PROFILE");
	if (env("AWS_DEFAULT_PROFILE") != NULL)
		return env("AWS_DEFAULT_PROFILE");
	return "default";
}

/* A file path from an environment variable or ~/.aws/NAME. */
static char *
aws_file(const char *var, const char *name)
{
	const char *v = env(var), *home = env("HOME");

	if (v != NULL && v[0] == '~' && v[1] == '/' && home != NULL)
		return xasprintf("%s%s", home, v + 1);
	if (v != NULL)
		return xstrdup(v);
	return xasprintf("%s/.aws/%s", home ? home : "", name);
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Whether a section header names profile (config files use "profile "). */
static int
section_matches(char *header, const char *profile, int config_style)
{
	char *name = trim(header);

	if (config_style && strncmp(name, "profile", 7) == 0 &&
	    isspace((unsigned char)name[7]))
		return strcmp(trim(name + 8), profile) == 0;
	if (config_style && strcmp(profile, "default") != 0)
		return 0;
	return strcmp(name, profile) == 0;
}

/*
 * Reads profile's section of path into sec. Returns 0 (sec->found says
 * whether the section exists; a missing file is just not found), or -1
 * with *cause when the file is unreadable or too large.
 */
static int
read_section(const char *path, const char *profile, int config_style,
    struct section *sec, char **cause)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *p, *eq;
	size_t cap = 0;
	int in = 0;

	http_headers_init(&sec->kv);
	sec->found = 0;
	if (f == NULL) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		*cause = xasprintf("cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) == 0 && ftell(f) > AWSCRED_MAX_FILE) {
		fclose(f);
		*cause = xasprintf("%s is larger than %d bytes", path,
		    AWSCRED_MAX_FILE);
		return -1;
	}
	rewind(f);
	/* Whole lines, however long (a session token is one; the file's
	 * size is bounded above). */
	while (getline(&line, &cap, f) != -1) {
		if (line[0] == ' ' || line[0] == '\t')
			continue; /* nested sub-section value */
		p = trim(line);
		if (*p == '\0' || *p == '#' || *p == ';')
			continue;
		if (*p == '[') {
			char *end = strchr(p, ']');

			if (end != NULL)
				*end = '\0';
			in = section_matches(p + 1, profile, config_style);
			sec->found |= in;
			continue;
		}
		if (in && (eq = strchr(p, '=')) != NULL) {
			*eq = '\0';
			http_headers_set(&sec->kv, trim(p), trim(eq + 1));
		}
	}
	if (line != NULL) {
		explicit_bzero(line, cap);
		free(line);
	}
	fclose(f);
	return 0;
}

static const char *
sec_get(const struct section *sec, const char *key)
{
	const char *v = http_headers_get(&sec->kv, key);

	return v != NULL && *v != '\0' ? v : NULL;
}

static struct aws_credentials *
creds_new(const char *akid, const char *secret, const char *token, char *source)
{
	struct aws_credentials *c = xcalloc(1, sizeof *c);

	c->access_key_id = xstrdup(akid);
	c->secret_access_key = xstrdup(secret);
	c->session_token = token != NULL && *token != '\0' ? xstrdup(token) :
							     NULL;
	c->source = source;
	return c;
}

/* 1 found, 0 not present, -1 broken (cause set). */
static int
from_env(struct aws_credentials **out, char **cause)
{
	const char *akid = env("AWS_ACCESS_KEY_ID");
	const char *secret = env("AWS_SECRET_ACCESS_KEY");
	const char *token = env("AWS_SESSION_TOKEN");

	if (akid == NULL && secret == NULL)
		return 0;
	if (akid == NULL || secret == NULL) {
		*cause = xasprintf("%s is set but %s is not: set both, or "
				   "neither",
		    akid ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
		    akid ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
		return -1;
	}
	if (token == NULL)
		token = env("AWS_SECURITY_TOKEN");
	*out = creds_new(akid, secret, token, xstrdup("environment"));
	return 1;
}

/* Static keys from one section; 1, 0 or -1 as from_env. */
static int
from_section(const struct section *sec, const char *profile, const char *path,
    struct aws_credentials **out, char **cause)
{
	const char *akid = sec_get(sec, "aws_access_key_id");
	const char *secret = sec_get(sec, "aws_secret_access_key");
	const char *token = sec_get(sec, "aws_session_token");
	static const char *const unsupported[] = { "role_arn", "sso_session",
		"sso_start_url", "credential_process",
		"web_identity_token_file", "login_session" };
	size_t i;

	if (!sec->found)
		return 0;
	if (akid != NULL && secret != NULL) {
		if (token == NULL)
			token = sec_get(sec, "aws_security_token");
		*out = creds_new(akid, secret, token,
		    xasprintf("profile "
			      "'%s' in %s",
			profile, path));
		return 1;
	}
	if (akid != NULL || secret != NULL) {
		*cause = xasprintf("profile '%s' in %s has %s but no %s",
		    profile, path,
		    akid ? "aws_access_key_id" : "aws_secret_access_key",
		    akid ? "aws_secret_access_key" : "aws_access_key_id");
		return -1;
	}
	for (i = 0; i < sizeof unsupported / sizeof *unsupported; i++) {
		if (sec_get(sec, unsupported[i]) == NULL)
			continue;
		*cause = xasprintf(
		    "profile '%s' in %s uses %s, which "
		    "stockagent cannot resolve; export static credentials "
		    "(aws configure export-credentials --profile %s "
		    "--format env)",
		    profile, path, unsupported[i], profile);
		return -1;
	}
	return 0;
}

/* Parses {"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}. */
static struct aws_credentials *
parse_json_creds(const char *body, char *source)
{
	cJSON *j = cJSON_Parse(body);
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "AccessKeyId");
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "SecretAccessKey");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "Token");
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "Expiration");
	struct aws_credentials *c = NULL;

	if (cJSON_IsString(a) && cJSON_IsString(s) && *a->valuestring &&
	    *s->valuestring) {
		c = creds_new(a->valuestring, s->valuestring,
		    cJSON_IsString(t) ? t->valuestring : NULL, source);
		if (cJSON_IsString(e)) {
			struct tm tm;

			memset(&tm, 0, sizeof tm);
			if (strptime(e->valuestring, "%Y-%m-%dT%H:%M:%S",
				&tm) != NULL)
				c->expiration = timegm(&tm);
		}
	} else {
		free(source);
	}
	if (j != NULL) {
		/* Wipe the secret copies cJSON made. */
		if (cJSON_IsString(s))
			explicit_bzero(s->valuestring, strlen(s->valuestring));
		if (cJSON_IsString(t))
			explicit_bzero(t->valuestring, strlen(t->valuestring));
	}
	cJSON_Delete(j);
	return c;
}

/* Whether a full container URI may be trusted with credentials. */
static int
container_host_allowed(const char *uri)
{
	static const char *const hosts[] = { "127.", "localhost",
		"169.254.170.2", "169.254.170.23", "[::1]", "[fd00:ec2::23]" };
	const char *h;
	size_t i, n;

	if (strncasecmp(uri, "https://", 8) == 0)
		return 1;
	if (strncasecmp(uri, "http://", 7) != 0)
		return 0;
	h = uri + 7;
	n = strcspn(h, ":/");
	if (h[0] == '[')
		n = strcspn(h, "]") + 1;
	for (i = 0; i < sizeof hosts / sizeof *hosts; i++) {
		size_t hl = strlen(hosts[i]);

		if (hosts[i][hl - 1] == '.' ?
			strncmp(h, hosts[i], hl) == 0 :
			(n == hl && strncasecmp(h, hosts[i], hl) == 0))
			return 1;
	}
	return 0;
}

static char *
read_token_file(const char *path, char **cause)
{
	FILE *f = fopen(path, "r");
	char line[8192];

	if (f == NULL) {
		*cause = xasprintf("cannot read AWS_CONTAINER_AUTHORIZATION_"
				   "TOKEN_FILE %s: %s",
		    path, strerror(errno));
		return NULL;
	}
	if (fgets(line, sizeof line, f) == NULL)
		line[0] = '\0';
	fclose(f);
	{
		char *t = xstrdup(trim(line));

		explicit_bzero(line, sizeof line);
		return t;
	}
}

static int
from_container(struct aws_credentials **out, char **cause)
{
	const char *rel = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	const char *tokfile = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	struct http_retry retry = { .max_attempts = 3, .base_delay_ms = 100 };
	struct http_request req = { .method = "GET",
		.connect_timeout_ms = 1000,
		.timeout_ms = 2000,
		.max_response = AWSCRED_MAX_RESPONSE,
		.retry = &retry };
	struct http_response resp;
	struct http_headers h;
	char *url = NULL, *token = NULL, *why = NULL;
	int rc = -1;

	if (rel == NULL && full == NULL)
		return 0;
	http_headers_init(&h);
	http_response_init(&resp);
	if (rel != NULL) {
		url = xasprintf("%s%s", CONTAINER_HOST, rel);
	} else if (!container_host_allowed(full)) {
		*cause = xasprintf("AWS_CONTAINER_CREDENTIALS_FULL_URI %s must "
				   "be https, loopback or 169.254.170.2/23",
		    full);
		goto cleanup;
	} else {
		url = xstrdup(full);
	}
	if (tokfile != NULL) {
		if ((token = read_token_file(tokfile, cause)) == NULL)
			goto cleanup;
	} else if (env("AWS_CONTAINER_AUTHORIZATION_TOKEN") != NULL) {
		token = xstrdup(env("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
	}
	if (token != NULL)
		http_headers_add(&h, "Authorization", token);
	http_headers_add(&h, "Accept", "application/json");
	req.url = url;
	req.headers = &h;
	if (http_perform(&req, &resp, &why) != 0) {
		*cause = xasprintf("container credentials endpoint: %s", why);
		goto cleanup;
	}
	if (resp.status != 200 ||
	    (*out = parse_json_creds(resp.body.data ? resp.body.data : "",
		 xstrdup("container credentials endpoint"))) == NULL) {
		*cause = xasprintf("container credentials endpoint %s answered "
				   "HTTP %ld without credentials",
		    url, resp.status);
		goto cleanup;
	}
	rc = 1;
cleanup:
	if (resp.body.data != NULL)
		explicit_bzero(resp.body.data, resp.body.len);
	http_response_free(&resp);
	http_headers_free(&h);
	wipe_free(token);
	free(url);
	free(why);
	return rc;
}

/* One IMDS call; returns the HTTP status, or 0 on a transport failure. */
static long
imds_call(const char *method, const char *url, const char *token_header,
    const char *token, long timeout_ms, int attempts, struct buf *body)
{
	struct http_retry retry = { .max_attempts = attempts,
		.base_delay_ms = 100 };
	struct http_request req = { .method = method,
		.url = url,
		.connect_timeout_ms = timeout_ms,
		.timeout_ms = timeout_ms,
		.max_response = AWSCRED_MAX_RESPONSE,
		.retry = &retry };
	struct http_response resp;
	struct http_headers h;
	char *why = NULL;
	long status = 0;

	http_headers_init(&h);
	http_response_init(&resp);
	if (token_header != NULL)
		http_headers_add(&h, token_header, token);
	req.headers = &h;
	if (http_perform(&req, &resp, &why) == 0) {
		status = resp.status;
		buf_free(body);
		buf_append(body, resp.body.data ? resp.body.data : "",
		    resp.body.len);
	} else {
		log_debug("aws: instance metadata: %s", why);
	}
	if (resp.body.data != NULL)
		explicit_bzero(resp.body.data, resp.body.len);
	http_response_free(&resp);
	http_headers_free(&h);
	free(why);
	return status;
}

static long
metadata_timeout(const struct awscred_options *opts)
{
	const char *v = env("AWS_METADATA_SERVICE_TIMEOUT");

	if (opts != NULL && opts->metadata_timeout_ms > 0)
		return opts->metadata_timeout_ms;
	if (v != NULL && atof(v) > 0)
		return (long)(atof(v) * 1000);
	return 1000;
}

/* EC2 IMDSv2 (v1 fallback when the token call is not supported). */
static int
from_imds(const struct awscred_options *opts, struct aws_credentials **out,
    char **note)
{
	const char *ep = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	const char *na = env("AWS_METADATA_SERVICE_NUM_ATTEMPTS");
	long tmo = metadata_timeout(opts), st;
	int attempts = na != NULL && atoi(na) > 0 ? atoi(na) : 1;
	char *base, *url, *token = NULL, *role = NULL;
	const char *th = NULL;
	struct buf body;
	int rc = 0;

	if (env_true("AWS_EC2_METADATA_DISABLED")) {
		*note = xstrdup("EC2 instance metadata (disabled)");
		return 0;
	}
	base = xstrndup(ep ? ep : IMDS_DEFAULT,
	    strlen(ep ? ep : IMDS_DEFAULT) - (ep && ep[strlen(ep) - 1] == '/'));
	buf_init(&body, AWSCRED_MAX_RESPONSE);
	url = xasprintf("%s/latest/api/token", base);
	st = imds_call("PUT", url, "x-aws-ec2-metadata-token-ttl-seconds",
	    "21600", tmo, attempts, &body);
	free(url);
	if (st == 200) {
		token = xstrdup(trim(body.data));
		th = "x-aws-ec2-metadata-token";
	} else if (st == 0 || st == 403 ||
	    env_true("AWS_EC2_METADATA_V1_DISABLED")) {
		*note = xasprintf("EC2 instance metadata at %s (%s)", base,
		    st == 0 ? "no answer" : "token refused");
		goto cleanup;
	}
	url = xasprintf("%s/latest/meta-data/iam/security-credentials/", base);
	st = imds_call("GET", url, th, token, tmo, attempts, &body);
	free(url);
	if (st != 200 || body.data == NULL || *trim(body.data) == '\0') {
		*note = xasprintf("EC2 instance metadata at %s (no IAM role)",
		    base);
		goto cleanup;
	}
	role = xstrndup(trim(body.data), strcspn(trim(body.data), "\r\n"));
	url = xasprintf("%s/latest/meta-data/iam/security-credentials/%s", base,
	    role);
	st = imds_call("GET", url, th, token, tmo, attempts, &body);
	free(url);
	if (st == 200 &&
	    (*out = parse_json_creds(body.data,
		 xasprintf("EC2 instance metadata (role %s)", role))) != NULL)
		rc = 1;
	else
		*note = xasprintf("EC2 instance metadata at %s (role %s gave "
				  "no credentials)",
		    base, role);
cleanup:
	if (body.data != NULL)
		explicit_bzero(body.data, body.len);
	buf_free(&body);
	wipe_free(token);
	free(role);
	free(base);
	return rc;
}

/* Files: credentials then config. 1, 0 or -1; *searched describes them. */
static int
from_files(const char *profile, int named, struct aws_credentials **out,
    char **searched, char **cause)
{
	char *cpath = aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
	char *fpath = aws_file("AWS_CONFIG_FILE", "config");
	struct section a, b;
	int rc;

	http_headers_init(&a.kv);
	http_headers_init(&b.kv);
	a.found = b.found = 0;
	rc = read_section(cpath, profile, 0, &a, cause);
	if (rc == 0)
		rc = read_section(fpath, profile, 1, &b, cause);
	if (rc == 0)
		rc = from_section(&a, profile, cpath, out, cause);
	if (rc == 0)
		rc = from_section(&b, profile, fpath, out, cause);
	if (rc == 0 && named && !a.found && !b.found) {
		*cause = xasprintf("AWS profile '%s' not found in %s or %s",
		    profile, cpath, fpath);
		rc = -1;
	}
	*searched = xasprintf("profile '%s' in %s and %s", profile, cpath,
	    fpath);
	http_headers_free(&a.kv);
	http_headers_free(&b.kv);
	free(cpath);
	free(fpath);
	return rc;
}

/* Web identity (aws-webidentity.h) in the region of the environment. */
static int
from_web_identity(struct aws_credentials **out, char **cause)
{
	char *region = NULL, *why = NULL;
	int rc;

	if (env("AWS_WEB_IDENTITY_TOKEN_FILE") == NULL)
		return 0;
	if (awscred_region(NULL, NULL, &region, &why) != 0)
		free(why);
	rc = awscred_web_identity(region, out, cause);
	free(region);
	return rc;
}

int
awscred_resolve(const struct awscred_options *opts,
    struct aws_credentials **out, char **cause)
{
	const char *explicit_profile = opts ? opts->profile : NULL;
	const char *profile = awscred_profile_name(explicit_profile);
	int named = strcmp(profile, "default") != 0, rc = 0;
	char *files = NULL, *imds = NULL;

	*out = NULL;
	if (explicit_profile == NULL)
		rc = from_env(out, cause);
	if (rc == 0)
		rc = from_web_identity(out, cause);
	if (rc == 0)
		rc = from_files(profile, named, out, &files, cause);
	if (rc == 0)
		rc = from_container(out, cause);
	if (rc == 0)
		rc = from_imds(opts, out, &imds);
	if (rc == 0)
		*cause = xasprintf(
		    "no AWS credentials found: searched the "
		    "environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY; "
		    "AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN), "
		    "%s, the container endpoint (AWS_CONTAINER_CREDENTIALS_"
		    "FULL_URI/RELATIVE_URI unset) and %s; set the variables "
		    "or AWS_PROFILE",
		    files, imds);
	else if (rc == 1)
		log_debug("aws: credentials from %s", (*out)->source);
	free(files);
	free(imds);
	return rc == 1 ? 0 : -1;
}

/*
 * A key from the profile's section of the config file (e.g.
 * "endpoint_url"), or NULL. Heap string.
 */
static char *
awscred_config_value(const char *profile, const char *key)
{
	char *fpath = aws_file("AWS_CONFIG_FILE", "config"), *cause = NULL;
	struct section sec;
	const char *v;
	char *out = NULL;

	if (read_section(fpath, awscred_profile_name(profile), 1, &sec,
		&cause) == 0 &&
	    (v = sec_get(&sec, key)) != NULL)
		out = xstrdup(v);
	http_headers_free(&sec.kv);
	free(cause);
	free(fpath);
	return out;
}

int
awscred_region(const char *explicit_region, const char *profile,
    char **region_out, char **cause)
{
	const char *v = explicit_region;
	char *fromfile;

	if (v == NULL || *v == '\0')
		v = env("AWS_REGION");
	if (v == NULL)
		v = env("AWS_DEFAULT_REGION");
	if (v != NULL) {
		*region_out = xstrdup(v);
		return 0;
	}
	fromfile = awscred_config_value(profile, "region");
	if (fromfile != NULL) {
		*region_out = fromfile;
		return 0;
	}
	*cause = xasprintf(
	    "no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION), "
	    "or add region = ... to profile '%s' in the AWS config "
	    "file",
	    awscred_profile_name(profile));
	return -1;
}
