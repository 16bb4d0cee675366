/*
 * jsonwrite.c: compact JSON text of a cJSON tree (see jsonwrite.h).
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/jsonwrite.h"
#include "lib/xmalloc.h"

static const double jsonwrite_pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6,
	1e7, 1e8, 1e9 };
#define JSONWRITE_DECIMALS 9
#define JSONWRITE_EXACT 9007199254740992.0 /* 2^53 */

/* The digits of M (>= 0) into the end of BUF; returns the first. */
static char *
jsonwrite_digits(unsigned long long m, char *end)
{
	*--end = '\0';
	do {
		*--end = (char)('0' + m % 10);
		m /= 10;
	} while (m != 0);
	return end;
}

/* M / 10^D as decimal text into OUT (size >= 32). */
static void
jsonwrite_scaled(char *out, long long m, int d)
{
	char buf[32],
	    *p = jsonwrite_digits(m < 0 ? -(unsigned long long)m :
					  (unsigned long long)m,
		buf + sizeof buf);
	size_t n = strlen(p);

	if (m < 0)
		*out++ = '-';
	if (d == 0) {
		memcpy(out, p, n + 1);
		return;
	}
	if ((int)n <= d) { /* 0.000ddd */
		*out++ = '0';
		*out++ = '.';
		memset(out, '0', (size_t)d - n);
		out += d - (int)n;
		memcpy(out, p, n + 1);
		return;
	}
	memcpy(out, p, n - (size_t)d);
	out += n - (size_t)d;
	*out++ = '.';
	memcpy(out, p + n - (size_t)d, (size_t)d + 1);
}

/* The text of V into OUT (size >= 32): the shortest of the forms that
 * reads back as V. */
static void
jsonwrite_number(char *out, double v)
{
	double s;
	int d;

	if (isnan(v) || isinf(v)) {
		strcpy(out, "null");
		return;
	}
	for (d = 0; d <= JSONWRITE_DECIMALS; d++) {
		s = v * jsonwrite_pow10[d];
		if (fabs(s) >= JSONWRITE_EXACT)
			break;
		s = nearbyint(s);
		if (s / jsonwrite_pow10[d] == v) {
			jsonwrite_scaled(out, (long long)s, d);
			return;
		}
	}
	snprintf(out, 32, "%.15g", v);
	if (strtod(out, NULL) != v)
		snprintf(out, 32, "%.17g", v);
}

/* S as a JSON string. */
static void
jsonwrite_string(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : ""), *run;
	char esc[8];

	(void)buf_append(b, "\"", 1);
	for (run = p; *p != '\0'; p++) {
		if (*p >= 0x20 && *p != '"' && *p != '\\')
			continue;
		(void)buf_append(b, run, (size_t)(p - run));
		switch (*p) {
		case '"':
			(void)buf_append(b, "\\\"", 2);
			break;
		case '\\':
			(void)buf_append(b, "\\\\", 2);
			break;
		case '\b':
			(void)buf_append(b, "\\b", 2);
			break;
		case '\f':
			(void)buf_append(b, "\\f", 2);
			break;
		case '\n':
			(void)buf_append(b, "\\n", 2);
			break;
		case '\r':
			(void)buf_append(b, "\\r", 2);
			break;
		case '\t':
			(void)buf_append(b, "\\t", 2);
			break;
		default:
			snprintf(esc, sizeof esc, "\\u%04x", *p);
			(void)buf_append(b, esc, 6);
		}
		run = p + 1;
	}
	(void)buf_append(b, run, (size_t)(p - run));
	(void)buf_append(b, "\"", 1);
}

static void
jsonwrite_value(struct buf *b, const cJSON *v)
{
	const cJSON *c;
	char num[32];

	switch (v->type & 0xFF) {
	case cJSON_False:
		(void)buf_append(b, "false", 5);
		return;
	case cJSON_True:
		(void)buf_append(b, "true", 4);
		return;
	case cJSON_Number:
		jsonwrite_number(num, v->valuedouble);
		(void)buf_append(b, num, strlen(num));
		return;
	case cJSON_String:
		jsonwrite_string(b, v->valuestring);
		return;
	case cJSON_Raw:
		if (v->valuestring != NULL)
			(void)buf_append(b, v->valuestring,
			    strlen(v->valuestring));
		return;
	case cJSON_Array:
	case cJSON_Object:
		(void)buf_append(b, cJSON_IsArray(v) ? "[" : "{", 1);
		for (c = v->child; c != NULL; c = c->next) {
			if (c != v->child)
				(void)buf_append(b, ",", 1);
			if (cJSON_IsObject(v)) {
				jsonwrite_string(b, c->string);
				(void)buf_append(b, ":", 1);
			}
			jsonwrite_value(b, c);
		}
		(void)buf_append(b, cJSON_IsArray(v) ? "]" : "}", 1);
		return;
	default: /* cJSON_NULL, cJSON_Invalid */
		(void)buf_append(b, "null", 4);
	}
}

char *
jsonwrite_print(const cJSON *v)
{
	struct buf b;

	if (v == NULL)
		return xstrdup("null");
	buf_init(&b, 0);
	jsonwrite_value(&b, v);
	return buf_take(&b);
}
