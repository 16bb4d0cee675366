/*
 * report-json.c: null-tolerant reads of the run state and the number
 * formats the report prints.
 *
 * The state comes from many producers and any field may be null, missing
 * or of the wrong type; every read here turns that into "not there" so the
 * report prints "n/a" instead of failing. At the bottom of the report's
 * files beside report-page.c: it calls neither.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lib/jsonutil.h"
#include "lib/numfmt.h"
#include "tools/report/report-json.h"
#include "lib/xmalloc.h"

/* 1 and *OUT when PATH is a finite number, else 0. */
int
report_num(const cJSON *root, const char *path, double *out)
{
	double v = jsonutil_number(root, path);

	if (!isfinite(v))
		return 0;
	*out = v;
	return 1;
}

/* The string at PATH, or NULL when missing, null, empty or not a string. */
const char *
report_str(const cJSON *root, const char *path)
{
	const char *s = jsonutil_string(root, path);

	return s != NULL && s[0] != '\0' ? s : NULL;
}

/* Numbers of the array at PATH with NAN for anything else. */
double *
report_array(const cJSON *root, const char *path, size_t *n)
{
	const cJSON *a = jsonutil_path(root, path), *e;
	double *v;
	size_t i = 0;

	*n = 0;
	if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) == 0)
		return NULL;
	v = xreallocarray(NULL, (size_t)cJSON_GetArraySize(a), sizeof *v);
	cJSON_ArrayForEach(e, a)
	{
		v[i++] = cJSON_IsNumber(e) && isfinite(e->valuedouble)
		             ? e->valuedouble
		             : NAN;
	}
	*n = i;
	return v;
}

/* "$" for USD and friends; other currencies print as a code suffix. */
static const char *
currency_prefix(const char *currency)
{
	if (currency == NULL || strcmp(currency, "USD") == 0)
		return "$";
	if (strcmp(currency, "EUR") == 0)
		return "€";
	if (strcmp(currency, "GBP") == 0)
		return "£";
	if (strcmp(currency, "JPY") == 0)
		return "¥";
	return NULL;
}

static const char *
with_currency(char *buf, const char *num, const char *currency)
{
	const char *pre = currency_prefix(currency);

	if (pre != NULL && num[0] == '-')
		snprintf(buf, REPORT_FMT, "-%s%.40s", pre, num + 1);
	else if (pre != NULL)
		snprintf(buf, REPORT_FMT, "%s%.40s", pre, num);
	else
		snprintf(buf, REPORT_FMT, "%.40s %.16s", num, currency);
	return buf;
}

const char *
report_fmt_num(char *buf, const cJSON *root, const char *path,
               enum report_sign sign, int decimals, const char *suffix)
{
	char num[REPORT_FMT];
	double v;

	if (!report_num(root, path, &v))
		return "n/a";
	numfmt_grouped(num, sizeof num, v, decimals);
	snprintf(buf, REPORT_FMT, "%s%.40s%.16s",
	         sign == REPORT_SIGNED && num[0] != '-' ? "+" : "", num,
	         suffix ? suffix : "");
	return buf;
}

/* A price: "$226.19", "25,400.00 VND". */
const char *
report_fmt_money(char *buf, const cJSON *root, const char *path,
                 const char *currency)
{
	char num[REPORT_FMT];
	double v;

	if (!report_num(root, path, &v))
		return "n/a";
	numfmt_grouped(num, sizeof num, v, 2);
	return with_currency(buf, num, currency);
}

/*
 * A large amount with a scale letter: "$343.81B", "1.52B" (CURRENCY NULL
 * for plain counts like shares).
 */
const char *
report_fmt_big(char *buf, const cJSON *root, const char *path,
               const char *currency)
{
	static const struct {
		double div;
		const char *unit;
	} scales[] = {{1e12, "T"}, {1e9, "B"}, {1e6, "M"}};
	char num[REPORT_FMT];
	double v;
	size_t i;

	if (!report_num(root, path, &v))
		return "n/a";
	for (i = 0; i < sizeof scales / sizeof scales[0]; i++) {
		if (fabs(v) >= scales[i].div) {
			snprintf(num, sizeof num, "%.2f%s", v / scales[i].div,
			         scales[i].unit);
			break;
		}
	}
	if (i == sizeof scales / sizeof scales[0])
		numfmt_grouped(num, sizeof num, v, 0);
	if (currency == NULL) {
		snprintf(buf, REPORT_FMT, "%s", num);
		return buf;
	}
	return with_currency(buf, num, currency);
}

/* The string at PATH or "n/a". */
const char *
report_fmt_str(const cJSON *root, const char *path)
{
	const char *s = report_str(root, path);

	return s ? s : "n/a";
}
