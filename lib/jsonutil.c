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
