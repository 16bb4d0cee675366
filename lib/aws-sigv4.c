/*
 * aws-sigv4.c: AWS Signature Version 4 (header signing).
 *
 * The steps follow botocore's auth.py: canonical request, string to sign,
 * the derived key chain, the Authorization header. Checked against the AWS
 * SigV4 test suite (tests/fixtures/sigv4/).
 *
 * Plain SHA-256 (payload hashes, the content addresses of stored run data,
 * report checksums) uses OpenSSL's direct SHA256_* functions: the EVP
 * path first loads the configuration and the default provider, 1-3 ms
 * that every analysis would pay once for a few hashes. HMAC keeps EVP.
 */
#include "config.h"

/* SHA256_Init/Update/Final: the OpenSSL 1.1.1 API, deprecated (not
 * removed) in 3.0. */
#define OPENSSL_API_COMPAT 0x10101000L

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "lib/aws-sigv4.h"
#include "lib/xmalloc.h"

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SIGV4_UNSIGNED "UNSIGNED-PAYLOAD"

/* Headers the SDKs never sign: proxies and clients may change them. */
static const char *const sigv4_unsignable[] = {
	"authorization",
	"user-agent",
	"expect",
	"connection",
	"x-amzn-trace-id",
	"host",
	"x-amz-date",
	"x-amz-security-token",
};

static void
hex_encode(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

void
sigv4_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256_CTX ctx;

	SHA256_Init(&ctx);
	SHA256_Update(&ctx, data, len);
	SHA256_Final(md, &ctx);
	hex_encode(md, sizeof md, out);
}

int
sigv4_sha256_file_hex(const char *path, char out[65], char **cause)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	unsigned char chunk[65536];
	SHA256_CTX ctx;
	FILE *f;
	size_t n;
	int rc = -1;

	if ((f = fopen(path, "rb")) == NULL) {
		*cause = xasprintf("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	SHA256_Init(&ctx);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		SHA256_Update(&ctx, chunk, n);
	if (ferror(f)) {
		*cause = xasprintf("cannot read %s: %s", path, strerror(errno));
	} else {
		SHA256_Final(md, &ctx);
		hex_encode(md, sizeof md, out);
		rc = 0;
	}
	fclose(f);
	return rc;
}

static void
hmac(const void *key, size_t key_len, const char *msg, unsigned char out[32])
{
	unsigned int len = 32;

	if (HMAC(EVP_sha256(), key, (int)key_len, (const unsigned char *)msg,
		strlen(msg), out, &len) == NULL)
		abort();
}

static int
is_unreserved(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

char *
sigv4_uri_encode(const char *s, size_t len, int keep_slash)
{
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	buf_append(&b, "", 0);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_unreserved(c) || (keep_slash && c == '/'))
			buf_append(&b, &s[i], 1);
		else
			buf_printf(&b, "%%%02X", c);
	}
	return buf_take(&b);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decodes len bytes of s (a malformed escape is kept as is). */
static char *
uri_decode(const char *s, size_t len, size_t *out_len)
{
	char *out = xmalloc(len + 1);
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			out[n++] = (char)(hexval(s[i + 1]) * 16 +
			    hexval(s[i + 2]));
			i += 2;
		} else {
			out[n++] = s[i];
		}
	}
	out[n] = '\0';
	*out_len = n;
	return out;
}

/* RFC 3986 5.2.4 dot-segment removal plus collapsing of empty segments,
 * as botocore's normalize_url_path does. */
static char *
normalize_path(const char *path)
{
	char *copy = xstrdup(path), *seg, *save = NULL;
	char **segs;
	size_t nseg = 0, i, len = strlen(path);
	struct buf b;

	segs = xcalloc(len / 2 + 2, sizeof *segs);
	for (seg = strtok_r(copy, "/", &save); seg != NULL;
	     seg = strtok_r(NULL, "/", &save)) {
		if (strcmp(seg, ".") == 0)
			continue;
		if (strcmp(seg, "..") == 0) {
			if (nseg > 0)
				nseg--;
			continue;
		}
		segs[nseg++] = seg;
	}
	buf_init(&b, 0);
	buf_append(&b, "/", 1);
	for (i = 0; i < nseg; i++) {
		if (i > 0)
			buf_append(&b, "/", 1);
		buf_append(&b, segs[i], strlen(segs[i]));
	}
	if (nseg > 0 && len > 0 && path[len - 1] == '/')
		buf_append(&b, "/", 1);
	free(segs);
	free(copy);
	return buf_take(&b);
}

static int
is_s3_service(const char *service)
{
	return service != NULL &&
	    (strcmp(service, "s3") == 0 || strcmp(service, "s3-express") == 0 ||
		strcmp(service, "s3-outposts") == 0);
}

char *
sigv4_canonical_uri(const char *path, enum sigv4_path_mode mode,
    const char *service)
{
	char *norm, *enc;

	if (path == NULL || *path == '\0')
		path = "/";
	if (mode == SIGV4_PATH_AUTO)
		mode = is_s3_service(service) ? SIGV4_PATH_AS_IS :
						SIGV4_PATH_NORMALIZE;
	if (mode == SIGV4_PATH_AS_IS)
		return xstrdup(path);
	if (mode == SIGV4_PATH_ENCODE)
		return sigv4_uri_encode(path, strlen(path), 1);
	norm = normalize_path(path);
	enc = sigv4_uri_encode(norm, strlen(norm), 1);
	free(norm);
	return enc;
}

struct qpair {
	char *key; /* encoded */
	char *value;
};

static int
qpair_cmp(const void *a, const void *b)
{
	const struct qpair *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c != 0 ? c : strcmp(x->value, y->value);
}

/* Decodes then encodes one key or value, so raw and encoded input agree. */
static char *
query_part(const char *s, size_t len)
{
	size_t dlen;
	char *dec = uri_decode(s, len, &dlen);
	char *enc = sigv4_uri_encode(dec, dlen, 0);

	free(dec);
	return enc;
}

char *
sigv4_canonical_query(const char *query)
{
	struct qpair *pairs;
	size_t n = 0, i, qlen;
	const char *p, *end, *eq;
	struct buf b;

	if (query == NULL || *query == '\0')
		return xstrdup("");
	qlen = strlen(query);
	pairs = xcalloc(qlen / 2 + 2, sizeof *pairs);
	for (p = query; p <= query + qlen; p = end + 1) {
		end = strchr(p, '&');
		if (end == NULL)
			end = query + qlen;
		if (end > p) {
			eq = memchr(p, '=', (size_t)(end - p));
			if (eq == NULL)
				eq = end;
			pairs[n].key = query_part(p, (size_t)(eq - p));
			pairs[n].value = eq < end ?
			    query_part(eq + 1, (size_t)(end - eq - 1)) :
			    xstrdup("");
			n++;
		}
	}
	qsort(pairs, n, sizeof *pairs, qpair_cmp);
	buf_init(&b, 0);
	buf_append(&b, "", 0);
	for (i = 0; i < n; i++) {
		buf_printf(&b, "%s%s=%s", i ? "&" : "", pairs[i].key,
		    pairs[i].value);
		free(pairs[i].key);
		free(pairs[i].value);
	}
	free(pairs);
	return buf_take(&b);
}

struct chead {
	char *name;	  /* lowercase */
	struct buf value; /* canonical values joined with ',' */
};

static int
chead_cmp(const void *a, const void *b)
{
	const struct chead *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static int
is_unsignable(const char *lname)
{
	size_t i;

	for (i = 0; i < sizeof sigv4_unsignable / sizeof *sigv4_unsignable; i++)
		if (strcmp(lname, sigv4_unsignable[i]) == 0)
			return 1;
	return 0;
}

/*
 * Trim and collapse runs of blanks to one space. A folded (multi-line)
 * value counts as one value per line, joined with ',' as the test suite's
 * get-header-value-multiline case requires.
 */
static void
append_canonical_value(struct buf *b, const char *v)
{
	int pending = 0, started = 0;

	for (; *v != '\0'; v++) {
		if (*v == '\n') {
			buf_append(b, ",", 1);
			pending = started = 0;
			continue;
		}
		if (*v == ' ' || *v == '\t' || *v == '\r') {
			pending = started;
			continue;
		}
		if (pending)
			buf_append(b, " ", 1);
		buf_append(b, v, 1);
		pending = 0;
		started = 1;
	}
}

static void
chead_add(struct chead *list, size_t *n, const char *name, const char *value)
{
	char *lname = xstrdup(name);
	size_t i;
	char *p;

	for (p = lname; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	for (i = 0; i < *n; i++)
		if (strcmp(list[i].name, lname) == 0)
			break;
	if (i == *n) {
		list[i].name = lname;
		buf_init(&list[i].value, 0);
		buf_append(&list[i].value, "", 0);
		(*n)++;
	} else {
		free(lname);
		buf_append(&list[i].value, ",", 1);
	}
	append_canonical_value(&list[i].value, value);
}

/* The payload hash the canonical request ends with. */
static void
payload_hash(const struct sigv4_request *req, char out[65])
{
	const char *h = req->headers != NULL ?
	    http_headers_get(req->headers, "x-amz-content-sha256") :
	    NULL;

	if (req->unsigned_payload)
		snprintf(out, 65, "%s", SIGV4_UNSIGNED);
	else if (req->payload_hash != NULL)
		snprintf(out, 65, "%s", req->payload_hash);
	else if (h != NULL)
		snprintf(out, 65, "%s", h);
	else
		sigv4_sha256_hex(req->body != NULL ? req->body : "",
		    req->body_len, out);
}

static int
wants_content_sha256(const struct sigv4_request *req)
{
	if (req->headers != NULL &&
	    http_headers_get(req->headers, "x-amz-content-sha256") != NULL)
		return 0; /* the caller sends it already */
	return req->add_content_sha256 || is_s3_service(req->service);
}

static void
amz_date(time_t when, char date[17])
{
	struct tm tm;

	if (when == 0)
		when = time(NULL);
	gmtime_r(&when, &tm);
	strftime(date, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/*
 * Builds the canonical request and the signed-header list. The extra
 * headers (date, token, content hash) are passed in so that signing and
 * the debug view agree.
 */
static char *
build_canonical(const struct sigv4_request *req, const char *date,
    const char *token, const char *hash, int send_hash, char **signed_out)
{
	size_t cap = (req->headers ? req->headers->count : 0) + 4, n = 0, i;
	struct chead *list = xcalloc(cap, sizeof *list);
	struct buf creq, sh;
	char *uri, *query;

	chead_add(list, &n, "host", req->host);
	chead_add(list, &n, "x-amz-date", date);
	if (token != NULL)
		chead_add(list, &n, "x-amz-security-token", token);
	if (send_hash)
		chead_add(list, &n, "x-amz-content-sha256", hash);
	for (i = 0; req->headers != NULL && i < req->headers->count; i++) {
		const struct http_header *h = &req->headers->items[i];
		char *lname = xstrdup(h->name), *p;

		for (p = lname; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		if (*lname != '\0' && !is_unsignable(lname))
			chead_add(list, &n, h->name, h->value);
		free(lname);
	}
	qsort(list, n, sizeof *list, chead_cmp);

	uri = sigv4_canonical_uri(req->path, req->path_mode, req->service);
	query = sigv4_canonical_query(req->query);
	buf_init(&creq, 0);
	buf_init(&sh, 0);
	buf_append(&sh, "", 0);
	buf_printf(&creq, "%s\n%s\n%s\n", req->method, uri, query);
	for (i = 0; i < n; i++) {
		buf_printf(&creq, "%s:%s\n", list[i].name, list[i].value.data);
		buf_printf(&sh, "%s%s", i ? ";" : "", list[i].name);
		free(list[i].name);
		buf_free(&list[i].value);
	}
	buf_printf(&creq, "\n%s\n%s", sh.data, hash);
	free(list);
	free(uri);
	free(query);
	*signed_out = buf_take(&sh);
	return buf_take(&creq);
}

static int
check_request(const struct sigv4_request *req,
    const struct sigv4_credentials *cred, char **cause)
{
	const char *missing = NULL;

	if (req->method == NULL)
		missing = "method";
	else if (req->host == NULL || *req->host == '\0')
		missing = "host";
	else if (req->region == NULL || *req->region == '\0')
		missing = "region";
	else if (req->service == NULL || *req->service == '\0')
		missing = "service";
	else if (cred == NULL || cred->access_key_id == NULL ||
	    *cred->access_key_id == '\0' || cred->secret_access_key == NULL ||
	    *cred->secret_access_key == '\0')
		missing = "credentials";
	if (missing == NULL)
		return 0;
	if (cause != NULL)
		*cause = xasprintf("cannot sign the AWS request: no %s",
		    missing);
	return -1;
}

char *
sigv4_canonical_request(const struct sigv4_request *req,
    const struct sigv4_credentials *cred)
{
	char date[17], hash[65], *signed_headers = NULL, *creq;

	if (check_request(req, cred, NULL) != 0)
		return NULL;
	amz_date(req->when, date);
	payload_hash(req, hash);
	creq = build_canonical(req, date, cred->session_token, hash,
	    wants_content_sha256(req), &signed_headers);
	free(signed_headers);
	return creq;
}

int
sigv4_sign(const struct sigv4_request *req,
    const struct sigv4_credentials *cred, struct http_headers *out,
    char **cause)
{
	char date[17], day[9], hash[65], creq_hash[65], sig[65];
	char *signed_headers = NULL, *creq, *sts, *key, *auth;
	unsigned char k[32];
	int send_hash;

	if (check_request(req, cred, cause) != 0)
		return -1;
	amz_date(req->when, date);
	payload_hash(req, hash);
	send_hash = wants_content_sha256(req);
	creq = build_canonical(req, date, cred->session_token, hash, send_hash,
	    &signed_headers);
	sigv4_sha256_hex(creq, strlen(creq), creq_hash);
	sts = xasprintf(SIGV4_ALGORITHM "\n%s\n%.8s/%s/%s/aws4_request\n%s",
	    date, date, req->region, req->service, creq_hash);

	key = xasprintf("AWS4%s", cred->secret_access_key);
	snprintf(day, sizeof day, "%.8s", date);
	hmac(key, strlen(key), day, k);
	hmac(k, 32, req->region, k);
	hmac(k, 32, req->service, k);
	hmac(k, 32, "aws4_request", k);
	{
		unsigned char s[32];

		hmac(k, 32, sts, s);
		hex_encode(s, 32, sig);
	}
	auth = xasprintf(SIGV4_ALGORITHM
	    " Credential=%s/%.8s/%s/%s/"
	    "aws4_request, SignedHeaders=%s, Signature=%s",
	    cred->access_key_id, date, req->region, req->service,
	    signed_headers, sig);

	http_headers_add(out, "X-Amz-Date", date);
	if (cred->session_token != NULL)
		http_headers_add(out, "X-Amz-Security-Token",
		    cred->session_token);
	if (send_hash)
		http_headers_add(out, "X-Amz-Content-SHA256", hash);
	http_headers_add(out, "Authorization", auth);

	explicit_bzero(key, strlen(key));
	explicit_bzero(k, sizeof k);
	free(key);
	free(auth);
	free(sts);
	free(creq);
	free(signed_headers);
	return 0;
}
