/*
 * aws-sigv4.h: AWS Signature Version 4 for request headers, as botocore
 * signs them (SigV4Auth, S3SigV4Auth), with OpenSSL HMAC-SHA256.
 *
 * Path rules: S3 signs the wire path exactly as sent; every other service
 * normalises it (drops "." and ".." segments and repeated slashes) and then
 * percent-encodes it once more, so "%3A" in a Bedrock model id is signed as
 * "%253A". libcurl 7.88's CURLOPT_AWS_SIGV4 gets that wrong, hence this file.
 */
#ifndef STOCKAGENT_AWS_SIGV4_H
#define STOCKAGENT_AWS_SIGV4_H

#include <stddef.h>
#include <time.h>

#include "lib/http.h"

struct sigv4_credentials {
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token; /* NULL when none */
};

enum sigv4_path_mode {
	SIGV4_PATH_AUTO = 0,  /* AS_IS for s3*, NORMALIZE otherwise */
	SIGV4_PATH_NORMALIZE, /* remove dot segments, then encode again */
	SIGV4_PATH_ENCODE,    /* encode again, no normalisation */
	SIGV4_PATH_AS_IS,     /* the wire path unchanged (S3) */
};

struct sigv4_request {
	const char *method; /* "GET", "PUT", ... */
	const char *host;   /* Host header value, with ":port" if not default */
	const char *path;   /* wire path, percent-encoded as it is sent */
	const char *query;  /* wire query without '?', or NULL */
	/* Headers sent with the request that should be signed. Host,
	 * Authorization, X-Amz-Date and X-Amz-Security-Token in here are
	 * ignored; User-Agent, Expect, Connection, X-Amzn-Trace-Id are
	 * never signed. May be NULL. */
	const struct http_headers *headers;
	const void *body;	  /* payload, hashed unless told otherwise */
	size_t body_len;	  /* bytes */
	const char *payload_hash; /* hex SHA-256 already known, or NULL */
	int unsigned_payload;	  /* sign "UNSIGNED-PAYLOAD" instead */
	int add_content_sha256;	  /* send X-Amz-Content-SHA256 (S3) */
	const char *region;	  /* "us-east-1" */
	const char *service;	  /* signing name: "s3", "bedrock", ... */
	enum sigv4_path_mode path_mode;
	time_t when; /* signing time; 0 means now */
};

/*
 * Signs req with cred and appends to out the headers to send: X-Amz-Date,
 * X-Amz-Security-Token (when cred has a token), X-Amz-Content-SHA256 (when
 * asked, or S3) and Authorization. Returns 0, or -1 with *cause set when
 * the request is incomplete (no host, path, region, service or key).
 */
int sigv4_sign(const struct sigv4_request *req,
    const struct sigv4_credentials *cred, struct http_headers *out,
    char **cause);

/*
 * The canonical request (the text that is hashed), for tests and for
 * explaining a SignatureDoesNotMatch. Heap string; NULL when req is
 * incomplete.
 */
char *sigv4_canonical_request(const struct sigv4_request *req,
    const struct sigv4_credentials *cred);

/* Canonical URI of a wire path under mode (heap string). */
char *sigv4_canonical_uri(const char *path, enum sigv4_path_mode mode,
    const char *service);
/* Canonical query string: pairs decoded, re-encoded, sorted (heap). */
char *sigv4_canonical_query(const char *query);

/*
 * RFC 3986 percent-encoding of len bytes of s: unreserved A-Z a-z 0-9 - _
 * . ~ are kept, with keep_slash '/' too; everything else is %XX with
 * uppercase hex. Heap string.
 */
char *sigv4_uri_encode(const char *s, size_t len, int keep_slash);

/* Lowercase hex SHA-256 of data into out[65]. */
void sigv4_sha256_hex(const void *data, size_t len, char out[65]);
/* The same for a file's contents; 0, or -1 with *cause naming the file. */
int sigv4_sha256_file_hex(const char *path, char out[65], char **cause);

#endif
