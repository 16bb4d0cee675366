/*
 * grounding.c: the grounding check of a model's narrative.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/grounding.h"
#include "lib/i18n.h"
#include "lib/xmalloc.h"

#define GROUNDING_MAX_TOKEN 64
#define GROUNDING_SMALL 10

/* A number as found in text. */
struct grounding_num {
	double value; /* as written, scale applied */
	double scale; /* 1, 1e3, 1e6, ... */
	int decimals; /* digits after the point */
	int is_int;
	char text[GROUNDING_MAX_TOKEN];
};

/* The growable list of numbers found in the sources. */
struct grounding_pool {
	double *v; /* [n] */
	size_t n;
	size_t cap;
};

static void
grounding_pool_add(struct grounding_pool *p, double v)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 256;
		p->v = xreallocarray(p->v, p->cap, sizeof *p->v);
	}
	p->v[p->n++] = v;
}

static const struct {
	const char *word;
	double scale;
} grounding_scales[] = {
	{ "thousand", 1e3 },
	{ "million", 1e6 },
	{ "billion", 1e9 },
	{ "trillion", 1e12 },
	{ "bn", 1e9 },
	{ "K", 1e3 },
	{ "M", 1e6 },
	{ "B", 1e9 },
	{ "T", 1e12 },
	/* Vietnamese: "nghìn tỷ" (10^12) before "nghìn" (10^3) */
	{ "nghìn tỷ", 1e12 },
	{ "tỷ", 1e9 },
	{ "triệu", 1e6 },
	{ "nghìn", 1e3 },
};

/* The marks numbers are written with in the narrative's language:
 * English 1,234.56, Vietnamese 1.234,56. */
struct grounding_marks {
	char group, point;
};

static struct grounding_marks
grounding_marks(void)
{
	struct grounding_marks m = { ',', '.' };

	if (i18n_lang() == I18N_VI)
		m.group = '.', m.point = ',';
	return m;
}

/* The scale word right after a number at P ("64.7 billion", "8.4B"). */
static double
grounding_scale(const char *p)
{
	size_t i, n;
	const char *q = p + (*p == ' ');

	for (i = 0; i < sizeof grounding_scales / sizeof *grounding_scales;
	     i++) {
		n = strlen(grounding_scales[i].word);
		if (strncmp(q, grounding_scales[i].word, n) == 0 &&
		    !isalnum((unsigned char)q[n]) && (n > 2 || q == p))
			return grounding_scales[i].scale;
	}
	return 1;
}

/* Whether P starts ",ddd" (a thousands group; ".ddd" in Vietnamese). */
static int
grounding_group(const char *p, char group)
{
	return p[0] == group && isdigit((unsigned char)p[1]) &&
	    isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3]) &&
	    !isdigit((unsigned char)p[4]);
}

/*
 * Reads the number starting at *pp (a digit); advances *pp past it.
 * Returns 0 when it is part of a word and should be skipped.
 */
static int
grounding_read(const char *start, const char **pp, struct grounding_num *out)
{
	const char *p = *pp, *b = p, *dot = NULL;
	struct grounding_marks mk = grounding_marks();
	char digits[GROUNDING_MAX_TOKEN];
	size_t n = 0;
	int in_word, neg;

	in_word = p > start &&
	    (isalnum((unsigned char)p[-1]) || p[-1] == '_' || p[-1] == '.');
	neg = p > start && p[-1] == '-' &&
	    (p - 1 == start || !isalnum((unsigned char)p[-2]));
	for (;;) {
		if (isdigit((unsigned char)*p)) {
			if (n < sizeof digits - 1)
				digits[n++] = *p;
			p++;
		} else if (dot == NULL && grounding_group(p, mk.group)) {
			p++;
		} else if (dot == NULL && *p == mk.point &&
		    isdigit((unsigned char)p[1])) {
			dot = p;
			if (n < sizeof digits - 1)
				digits[n++] = '.';
			p++;
		} else {
			break;
		}
	}
	digits[n] = '\0';
	*pp = p;
	if (in_word || (isalpha((unsigned char)*p) && grounding_scale(p) == 1))
		return 0;
	snprintf(out->text, sizeof out->text, "%s%.*s", neg ? "-" : "",
	    (int)(p - b), b);
	out->decimals = dot != NULL ? (int)(p - dot - 1) : 0;
	out->is_int = dot == NULL;
	out->scale = grounding_scale(p);
	out->value = strtod(digits, NULL) * (neg ? -1 : 1);
	return 1;
}

/* Every number in the string S into the pool. */
static void
grounding_scan(const char *s, struct grounding_pool *pool)
{
	struct grounding_num num;
	const char *p = s;

	while (*p != '\0') {
		if (!isdigit((unsigned char)*p)) {
			p++;
			continue;
		}
		if (grounding_read(s, &p, &num))
			grounding_pool_add(pool, num.value * num.scale);
	}
}

static void
grounding_collect(const cJSON *v, struct grounding_pool *pool)
{
	const cJSON *c;
	cJSON *inner;

	if (cJSON_IsNumber(v)) {
		grounding_pool_add(pool, v->valuedouble);
	} else if (cJSON_IsString(v)) {
		/* Tool results travel as JSON text inside messages. */
		if ((v->valuestring[0] == '{' || v->valuestring[0] == '[') &&
		    (inner = cJSON_Parse(v->valuestring)) != NULL) {
			grounding_collect(inner, pool);
			cJSON_Delete(inner);
		} else {
			grounding_scan(v->valuestring, pool);
		}
	} else {
		cJSON_ArrayForEach(c, v)
			grounding_collect(c, pool);
	}
}

/* Whether source value S, seen the way the text shows numbers, is N. */
static int
grounding_match(const struct grounding_num *n, double s)
{
	static const double forms[] = { 1, 100, 0.01 };
	double q = pow(10, n->decimals), t, w = n->value;
	size_t i;

	for (i = 0; i < sizeof forms / sizeof *forms; i++) {
		t = s * forms[i] / n->scale;
		if (fabs(round(t * q) - round(w * q)) < 0.5 ||
		    fabs(round(fabs(t) * q) - round(fabs(w) * q)) < 0.5)
			return 1;
		/* Rounding the other way (26.955 shown as 26.95 or 26.96). */
		if (fabs(fabs(t) - fabs(w)) <= 0.5 / q + 1e-9)
			return 1;
	}
	return 0;
}

static int
grounding_seen(const cJSON *out, const char *text)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, out) {
		if (strcmp(c->valuestring, text) == 0)
			return 1;
	}
	return 0;
}

cJSON *
grounding_check(const char *text, const cJSON *const *sources, size_t n)
{
	struct grounding_pool pool = { NULL, 0, 0 };
	struct grounding_num num;
	cJSON *out = cJSON_CreateArray();
	const char *p = text;
	size_t i;

	for (i = 0; i < n; i++)
		grounding_collect(sources[i], &pool);
	while (p != NULL && *p != '\0') {
		if (!isdigit((unsigned char)*p)) {
			p++;
			continue;
		}
		if (!grounding_read(text, &p, &num) ||
		    (num.is_int && num.scale == 1 &&
			fabs(num.value) <= GROUNDING_SMALL))
			continue;
		for (i = 0; i < pool.n && !grounding_match(&num, pool.v[i]);
		     i++)
			;
		if (i == pool.n && !grounding_seen(out, num.text))
			cJSON_AddItemToArray(out, cJSON_CreateString(num.text));
	}
	free(pool.v);
	return out;
}
