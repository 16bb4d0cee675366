/*
 * s3.h: the small S3 client the report upload needs: s3:// URIs,
 * PutObject of a file and GetObject into memory, signed with SigV4,
 * retried on 5xx, SlowDown and connection failures.
 *
 * Results tell apart what the user must fix (input, credentials or
 * permissions) from what may pass by itself (transient failures).
 */
#ifndef STOCKAGENT_S3_H
#define STOCKAGENT_S3_H

#include <stddef.h>

#include "lib/xmalloc.h"

/* Where reports go: s3://bucket/prefix/. */
struct s3_location {
	char *bucket;
	char *prefix; /* "" or "a/b/" (always ends with '/') */
};

struct s3_options {
	const char *region;   /* NULL: AWS_REGION, ..., the profile's */
	const char *endpoint; /* NULL: AWS_ENDPOINT_URL_S3, ..., AWS */
	const char *profile;  /* NULL: AWS_PROFILE or default */
	int max_attempts;     /* 0 means 3 */
};

enum s3_status {
	S3_OK = 0,
	S3_ERR_INPUT = -1,     /* bad URI, unreadable file, no region */
	S3_ERR_AUTH = -2,      /* credentials missing, invalid or denied */
	S3_ERR_TRANSIENT = -3, /* network / 5xx / throttling after retries */
	S3_ERR_REJECTED = -4,  /* other 4xx: NoSuchBucket, NoSuchKey, ... */
};

/*
 * Parses "s3://bucket[/prefix]". Returns 0 and fills out (free with
 * s3_location_free), or -1 with *cause for a missing bucket, an invalid
 * bucket name, or a prefix with "." / ".." segments.
 */
int s3_uri_parse(const char *uri, struct s3_location *out, char **cause);
void s3_location_free(struct s3_location *loc);

/*
 * Uploads the file at path to loc->prefix + key with Content-Type
 * content_type (NULL: application/pdf), Content-MD5 and the payload's
 * SHA-256 signed. opts may be NULL. Returns S3_OK with *uri_out
 * ("s3://bucket/prefix/key", heap) or an s3_status < 0 with *cause:
 * "S3 PutObject s3://b/k failed: AccessDenied: Access Denied (HTTP 403)".
 */
int s3_put_file(const struct s3_location *loc, const char *key,
    const char *path, const char *content_type, const struct s3_options *opts,
    char **uri_out, char **cause);

/*
 * Reads loc->prefix + key into out (initialised by the caller; at most
 * max_bytes, 0 meaning 64 MiB). Returns S3_OK or an s3_status < 0 with
 * *cause, as s3_put_file.
 */
int s3_get_object(const struct s3_location *loc, const char *key,
    const struct s3_options *opts, size_t max_bytes, struct buf *out,
    char **cause);

/*
 * The text of the first <TAG>...</TAG> in XML, an S3 error body
 * (NUL-terminated, from the network: any bytes), with the five predefined
 * entities unescaped and line breaks dropped. Returns a heap string the
 * caller frees, or NULL when XML has no such element. Exposed for the
 * error classification's tests and fuzzing.
 */
char *s3_xml_text(const char *xml, const char *tag);

#endif
