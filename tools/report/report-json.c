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

#include "lib/i18n.h"
#include "lib/jsonutil.h"
#include "lib/numfmt.h"
#include "lib/xmalloc.h"
#include "tools/report/report-json.h"

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
	cJSON_ArrayForEach(e, a) {
		v[i++] = cJSON_IsNumber(e) && isfinite(e->valuedouble) ?
		    e->valuedouble :
		    NAN;
	}
	*n = i;
	return v;
}

const char *
report_fmt_num(char *buf, const cJSON *root, const char *path,
    enum report_sign sign, int decimals, const char *suffix)
{
	char num[REPORT_FMT];
	double v;

	if (!report_num(root, path, &v))
		return _("n/a");
	numfmt_local(num, sizeof num, v, decimals,
	    NUMFMT_GROUP | (sign == REPORT_SIGNED ? NUMFMT_SIGN : 0));
	snprintf(buf, REPORT_FMT, "%.40s%.16s", num, suffix ? suffix : "");
	return buf;
}

/* A price: "$226.19", "25,400.00 VND" (Vietnamese "25.400 VND"). */
const char *
report_fmt_money(char *buf, const cJSON *root, const char *path,
    const char *currency)
{
	double v;

	if (!report_num(root, path, &v))
		return _("n/a");
	return numfmt_money(buf, REPORT_FMT, v, 2, currency, NUMFMT_GROUP);
}

/*
 * A large amount with a scale word: "$343.81B", "1.52B" (CURRENCY NULL
 * for plain counts like shares); Vietnamese "343,81 tỷ USD".
 */
const char *
report_fmt_big(char *buf, const cJSON *root, const char *path,
    const char *currency)
{
	char num[REPORT_FMT], scaled[REPORT_FMT];
	double v, a;

	if (!report_num(root, path, &v))
		return _("n/a");
	a = fabs(v);
	numfmt_local(num, sizeof num,
	    v /
		(a >= 1e12	 ? 1e12 :
			a >= 1e9 ? 1e9 :
				   1e6),
	    2, 0);
	/* TRANSLATORS: an amount in trillions, billions, millions */
	if (a >= 1e12)
		snprintf(scaled, sizeof scaled, _("%sT"), num);
	else if (a >= 1e9)
		snprintf(scaled, sizeof scaled, _("%sB"), num);
	else if (a >= 1e6)
		snprintf(scaled, sizeof scaled, _("%sM"), num);
	else
		numfmt_local(scaled, sizeof scaled, v, 0, NUMFMT_GROUP);
	if (currency == NULL)
		snprintf(buf, REPORT_FMT, "%s", scaled);
	else
		numfmt_currency(buf, REPORT_FMT, scaled, currency);
	return buf;
}

/* The string at PATH or "n/a". */
const char *
report_fmt_str(const cJSON *root, const char *path)
{
	const char *s = report_str(root, path);

	return s ? s : "n/a";
}
