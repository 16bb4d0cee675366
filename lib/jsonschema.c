/*
 * jsonschema.c: a small JSON Schema validator for tool arguments.
 */
#include "config.h"

#include <math.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "lib/jsonschema.h"
#include "lib/xmalloc.h"

static int js_check(const cJSON *schema, const cJSON *v, const char *path,
    char **cause);

static int
js_fail(char **cause, const char *path, const char *what)
{
	*cause = xasprintf("%s: %s", path, what);
	return -1;
}

static int
js_type_is(const char *type, const cJSON *v)
{
	if (strcmp(type, "string") == 0)
		return cJSON_IsString(v);
	if (strcmp(type, "number") == 0)
		return cJSON_IsNumber(v);
	if (strcmp(type, "integer") == 0)
		return cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
		    floor(v->valuedouble) == v->valuedouble;
	if (strcmp(type, "boolean") == 0)
		return cJSON_IsBool(v);
	if (strcmp(type, "object") == 0)
		return cJSON_IsObject(v);
	if (strcmp(type, "array") == 0)
		return cJSON_IsArray(v);
	if (strcmp(type, "null") == 0)
		return cJSON_IsNull(v);
	return 0;
}

static int
js_check_type(const cJSON *type, const cJSON *v, const char *path, char **cause)
{
	const cJSON *t;
	char *what;

	if (type == NULL)
		return 0;
	if (cJSON_IsString(type)) {
		if (js_type_is(type->valuestring, v))
			return 0;
		what = xasprintf("must be of type %s", type->valuestring);
	} else {
		cJSON_ArrayForEach(t, type) {
			if (cJSON_IsString(t) && js_type_is(t->valuestring, v))
				return 0;
		}
		what = xstrdup("has a type the schema does not allow");
	}
	js_fail(cause, path, what);
	free(what);
	return -1;
}

static int
js_check_enum(const cJSON *schema, const cJSON *v, const char *path,
    char **cause)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(schema, "enum"), *it;
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(schema, "const");

	if (c != NULL && !cJSON_Compare(c, v, 1))
		return js_fail(cause, path, "must equal the schema's const");
	if (e == NULL)
		return 0;
	cJSON_ArrayForEach(it, e) {
		if (cJSON_Compare(it, v, 1))
			return 0;
	}
	return js_fail(cause, path, "is not one of the allowed values");
}

static int
js_check_string(const cJSON *schema, const cJSON *v, const char *path,
    char **cause)
{
	const cJSON *pat = cJSON_GetObjectItemCaseSensitive(schema, "pattern");
	const cJSON *mn = cJSON_GetObjectItemCaseSensitive(schema, "minLength");
	const cJSON *mx = cJSON_GetObjectItemCaseSensitive(schema, "maxLength");
	size_t len = strlen(v->valuestring);
	regex_t re;
	int rc;
	char *what;

	if (cJSON_IsNumber(mn) && (double)len < mn->valuedouble)
		return js_fail(cause, path, "is too short");
	if (cJSON_IsNumber(mx) && (double)len > mx->valuedouble)
		return js_fail(cause, path, "is too long");
	if (!cJSON_IsString(pat))
		return 0;
	if (regcomp(&re, pat->valuestring, REG_EXTENDED | REG_NOSUB) != 0)
		return js_fail(cause, path, "schema pattern does not compile");
	rc = regexec(&re, v->valuestring, 0, NULL, 0);
	regfree(&re);
	if (rc == 0)
		return 0;
	what = xasprintf("does not match %s", pat->valuestring);
	js_fail(cause, path, what);
	free(what);
	return -1;
}

static int
js_check_number(const cJSON *schema, const cJSON *v, const char *path,
    char **cause)
{
	const cJSON *mn = cJSON_GetObjectItemCaseSensitive(schema, "minimum");
	const cJSON *mx = cJSON_GetObjectItemCaseSensitive(schema, "maximum");

	if (!isfinite(v->valuedouble))
		return js_fail(cause, path, "must be a finite number");
	if (cJSON_IsNumber(mn) && v->valuedouble < mn->valuedouble)
		return js_fail(cause, path, "is below the minimum");
	if (cJSON_IsNumber(mx) && v->valuedouble > mx->valuedouble)
		return js_fail(cause, path, "is above the maximum");
	return 0;
}

static int
js_check_object(const cJSON *schema, const cJSON *v, const char *path,
    char **cause)
{
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(schema,
	    "properties");
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(schema, "required");
	const cJSON *addl = cJSON_GetObjectItemCaseSensitive(schema,
	    "additionalProperties");
	const cJSON *it, *sub;
	char *p, *what;
	int rc;

	cJSON_ArrayForEach(it, req) {
		if (cJSON_IsString(it) &&
		    cJSON_GetObjectItemCaseSensitive(v, it->valuestring) ==
			NULL) {
			what = xasprintf("missing required property '%s'",
			    it->valuestring);
			js_fail(cause, path, what);
			free(what);
			return -1;
		}
	}
	cJSON_ArrayForEach(it, v) {
		sub = cJSON_GetObjectItemCaseSensitive(props, it->string);
		p = xasprintf("%s.%s", path, it->string);
		if (sub == NULL && cJSON_IsFalse(addl))
			rc = js_fail(cause, p, "is not an allowed property");
		else
			rc = sub != NULL ? js_check(sub, it, p, cause) : 0;
		free(p);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
js_check_array(const cJSON *schema, const cJSON *v, const char *path,
    char **cause)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(schema, "items");
	const cJSON *mn = cJSON_GetObjectItemCaseSensitive(schema, "minItems");
	const cJSON *mx = cJSON_GetObjectItemCaseSensitive(schema, "maxItems");
	const cJSON *it;
	int n = cJSON_GetArraySize(v), i = 0, rc;
	char *p;

	if (cJSON_IsNumber(mn) && n < mn->valuedouble)
		return js_fail(cause, path, "has too few items");
	if (cJSON_IsNumber(mx) && n > mx->valuedouble)
		return js_fail(cause, path, "has too many items");
	if (!cJSON_IsObject(items))
		return 0;
	cJSON_ArrayForEach(it, v) {
		p = xasprintf("%s[%d]", path, i++);
		rc = js_check(items, it, p, cause);
		free(p);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
js_check(const cJSON *schema, const cJSON *v, const char *path, char **cause)
{
	if (!cJSON_IsObject(schema))
		return 0;
	if (js_check_type(cJSON_GetObjectItemCaseSensitive(schema, "type"), v,
		path, cause) != 0 ||
	    js_check_enum(schema, v, path, cause) != 0)
		return -1;
	if (cJSON_IsString(v))
		return js_check_string(schema, v, path, cause);
	if (cJSON_IsNumber(v))
		return js_check_number(schema, v, path, cause);
	if (cJSON_IsObject(v))
		return js_check_object(schema, v, path, cause);
	if (cJSON_IsArray(v))
		return js_check_array(schema, v, path, cause);
	return 0;
}

int
jsonschema_validate(const cJSON *schema, const cJSON *value, char **cause)
{
	return js_check(schema, value, "$", cause);
}
