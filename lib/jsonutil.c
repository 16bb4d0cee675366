/*
 * jsonutil.c: cJSON conveniences.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/jsonutil.h"
#include "lib/xmalloc.h"

cJSON *
jsonutil_add_number(cJSON *obj, const char *key, double v)
{
	if (!isfinite(v))
		return cJSON_AddNullToObject(obj, key);
	return cJSON_AddNumberToObject(obj, key, v);
}

const cJSON *
jsonutil_path(const cJSON *root, const char *path)
{
	const cJSON *cur = root;
	const char *p = path, *dot;
	char key[128];
	size_t n;

	while (cur != NULL && *p != '\0') {
		dot = strchr(p, '.');
		n = dot != NULL ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof key)
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		cur = cJSON_GetObjectItemCaseSensitive(cur, key);
		p += n + (dot != NULL);
	}
	return cur;
}

double
jsonutil_number(const cJSON *root, const char *path)
{
	const cJSON *v = jsonutil_path(root, path);

	return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

const char *
jsonutil_string(const cJSON *root, const char *path)
{
	const cJSON *v = jsonutil_path(root, path);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

char *
jsonutil_print(const cJSON *v)
{
	char *s = v != NULL ? cJSON_PrintUnformatted(v) : NULL;

	return s != NULL ? s : xstrdup("null");
}

/* Length of the valid UTF-8 sequence at P (1-4), or 0 when it is not one:
 * no overlong forms, no surrogates, nothing past U+10FFFF. */
static size_t
jsonutil_utf8_len(const unsigned char *p)
{
	size_t n, i;
	unsigned cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

char *
jsonutil_print_text(const cJSON *v, int formatted)
{
	char *s = v == NULL ? NULL :
	    formatted	    ? cJSON_Print(v) :
			      cJSON_PrintUnformatted(v);
	const unsigned char *p;
	struct buf b;
	size_t n;

	if (s == NULL)
		return xstrdup("null");
	buf_init(&b, 0);
	for (p = (const unsigned char *)s; *p != '\0'; p += n) {
		if ((n = jsonutil_utf8_len(p)) == 0) {
			(void)buf_append(&b, "\xef\xbf\xbd", 3); /* U+FFFD */
			n = 1;
		} else {
			(void)buf_append(&b, p, n);
		}
	}
	free(s);
	return buf_take(&b);
}
