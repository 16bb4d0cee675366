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

#define JSONWRITE_NUMBER_SIZE 40

/* M / 10^D as decimal text ending at END (no NUL); returns its start. */
static char *
jsonwrite_scaled(char *end, long long m, int d)
{
	unsigned long long u = m < 0 ? -(unsigned long long)m :
				       (unsigned long long)m;
	char *p = end;
	int i;

	if (d > 0) {
		for (i = 0; i < d; i++) {
			*--p = (char)('0' + u % 10);
			u /= 10;
		}
		*--p = '.';
	}
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (m < 0)
		*--p = '-';
	return p;
}

/* The text of V in BUF: the shortest of the forms that reads back as V;
 * its start (never BUF itself: a separator fits before it) into *START,
 * its length returned. */
static size_t
jsonwrite_number(char buf[JSONWRITE_NUMBER_SIZE], double v, char **start)
{
	char *end = buf + JSONWRITE_NUMBER_SIZE;
	double s;
	long long m;
	int d;

	*start = buf + 1;
	if (isnan(v) || isinf(v)) {
		memcpy(buf + 1, "null", 4);
		return 4;
	}
	for (d = 0; d <= JSONWRITE_DECIMALS; d++) {
		s = v * jsonwrite_pow10[d];
		if (fabs(s) >= JSONWRITE_EXACT)
			break;
		/* The nearest integer (half away from zero: any candidate
		 * will do, the test below decides). */
		m = (long long)(s < 0 ? s - 0.5 : s + 0.5);
		if ((double)m / jsonwrite_pow10[d] == v) {
			*start = jsonwrite_scaled(end, m, d);
			return (size_t)(end - *start);
		}
	}
	snprintf(buf + 1, 32, "%.15g", v);
	if (strtod(buf + 1, NULL) != v)
		snprintf(buf + 1, 32, "%.17g", v);
	return strlen(buf + 1);
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
	char num[JSONWRITE_NUMBER_SIZE], *p;
	size_t n;

	switch (v->type & 0xFF) {
	case cJSON_False:
		(void)buf_append(b, "false", 5);
		return;
	case cJSON_True:
		(void)buf_append(b, "true", 4);
		return;
	case cJSON_Number:
		n = jsonwrite_number(num, v->valuedouble, &p);
		(void)buf_append(b, p, n);
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
			if (cJSON_IsArray(v) && cJSON_IsNumber(c)) {
				/* A series: the comma goes with the number. */
				n = jsonwrite_number(num, c->valuedouble, &p);
				if (c != v->child) {
					*--p = ',';
					n++;
				}
				(void)buf_append(b, p, n);
				continue;
			}
			if (c != v->child)
				(void)buf_append(b, ",", 1);
			if (cJSON_IsObject(v))
				jsonwrite_member(b, c->string, c);
			else
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

void
jsonwrite_member(struct buf *b, const char *key, const cJSON *v)
{
	jsonwrite_string(b, key);
	(void)buf_append(b, ":", 1);
	jsonwrite_value(b, v);
}
