/*
 * redact.c: secrets out of URLs before they are shown or stored.
 *
 * A URL may carry a password in its userinfo (http://user:pw@host/) or a
 * key in its query (?apikey=...). Everything stockagent prints, logs or
 * writes to its database passes the URLs it holds through here first.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/redact.h"
#include "lib/xmalloc.h"

#define REDACT_MASK "***"

/* Query parameters whose values are secrets (compared without case). */
static const char *const redact_params[] = {
	"access_token",
	"api-key",
	"api_key",
	"apikey",
	"auth",
	"client_secret",
	"key",
	"passwd",
	"password",
	"pwd",
	"secret",
	"sig",
	"signature",
	"token",
	"x-amz-credential",
	"x-amz-security-token",
	"x-amz-signature",
};

/* Appends N bytes of S to B (unbounded: the output is about as long as
 * the input, which the caller bounds). */
static void
redact_put(struct buf *b, const char *s, size_t n)
{
	(void)buf_append(b, s, n);
}

/* Ends a URL: white space, quotes and brackets that text puts around one. */
static int
redact_url_end(char c)
{
	return c == '\0' || isspace((unsigned char)c) || strchr("\"'<>`", c);
}

static int
redact_secret_param(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof redact_params / sizeof *redact_params; i++) {
		if (strlen(redact_params[i]) == n &&
		    strncasecmp(redact_params[i], name, n) == 0)
			return 1;
	}
	return 0;
}

/* Copies the authority at P (after "://"), masking a userinfo password;
 * returns the end of the authority. */
static const char *
redact_authority(struct buf *b, const char *p)
{
	const char *end = p, *at = NULL, *colon;

	while (!redact_url_end(*end) && strchr("/?#", *end) == NULL) {
		if (*end == '@')
			at = end;
		end++;
	}
	if (at == NULL) {
		redact_put(b, p, (size_t)(end - p));
		return end;
	}
	colon = memchr(p, ':', (size_t)(at - p));
	if (colon != NULL)
		redact_put(b, p, (size_t)(colon - p + 1));
	redact_put(b, REDACT_MASK, strlen(REDACT_MASK));
	redact_put(b, at, (size_t)(end - at));
	return end;
}

/* Copies the rest of a URL at P (path, query, fragment), masking the
 * values of secret query parameters; returns the end of the URL. */
static const char *
redact_rest(struct buf *b, const char *p)
{
	const char *eq, *end;
	int in_query = 0, in_fragment = 0;
	char c;

	while (!redact_url_end(*p)) {
		c = *p;
		redact_put(b, p++, 1);
		if (c == '#')
			in_query = 0, in_fragment = 1;
		if (c == '?' && !in_fragment)
			in_query = 1;
		else if (c != '&' || !in_query)
			continue;
		/* P is at a parameter: NAME[=VALUE] up to & or # */
		for (end = p; !redact_url_end(*end) && !strchr("&#", *end);
		     end++)
			;
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq != NULL && redact_secret_param(p, (size_t)(eq - p))) {
			redact_put(b, p, (size_t)(eq - p + 1));
			redact_put(b, REDACT_MASK, strlen(REDACT_MASK));
			p = end;
		}
	}
	return p;
}

char *
redact_text(const char *text)
{
	struct buf b;
	const char *p = text, *sep;

	buf_init(&b, 0);
	if (text == NULL)
		return buf_take(&b);
	while ((sep = strstr(p, "://")) != NULL) {
		redact_put(&b, p, (size_t)(sep - p + 3));
		p = redact_rest(&b, redact_authority(&b, sep + 3));
	}
	redact_put(&b, p, strlen(p));
	return buf_take(&b);
}

int
redact_has_secret(const char *text)
{
	char *r = redact_text(text);
	int differs = text != NULL && strcmp(r, text) != 0;

	free(r);
	return differs;
}
