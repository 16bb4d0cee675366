/*
 * numfmt.c: thousands separators, decimal marks, currencies and dates in
 * the conventions of each language.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lib/i18n.h"
#include "lib/numfmt.h"

/* V with DECIMALS digits, GROUP between thousands (0: none), POINT before
 * the decimals, "+" first when SIGN and V is positive. */
static char *
numfmt_marks(char *out, size_t size, double v, int decimals, char group,
    char point, int sign)
{
	char raw[64], *dot;
	size_t intlen, i, o = 0;
	int zero;

	/* The digits of |v| first, so the marks count integer digits only. */
	snprintf(raw, sizeof raw, "%.*f", decimals, fabs(v));
	dot = strchr(raw, '.');
	intlen = dot ? (size_t)(dot - raw) : strlen(raw);
	zero = strspn(raw, "0.") == strlen(raw);
	if (((!zero && v < 0) || sign) && o + 1 < size)
		out[o++] = !zero && v < 0 ? '-' : '+';
	for (i = 0; i < intlen && o + 2 < size; i++) {
		if (group != 0 && i > 0 && (intlen - i) % 3 == 0)
			out[o++] = group;
		out[o++] = raw[i];
	}
	if (dot != NULL && o + 1 < size) {
		out[o++] = point;
		snprintf(out + o, size - o, "%s", dot + 1);
	} else
		out[o < size ? o : size - 1] = '\0';
	return out;
}

char *
numfmt_grouped(char *out, size_t size, double v, int decimals)
{
	return numfmt_marks(out, size, v, decimals, ',', '.', 0);
}

char *
numfmt_local(char *out, size_t size, double v, int decimals, int flags)
{
	int sign = (flags & NUMFMT_SIGN) != 0;

	if (i18n_lang() == I18N_VI)
		return numfmt_marks(out, size, v, decimals, '.', ',', sign);
	if (!(flags & NUMFMT_GROUP)) {
		/* printf's own rounding and "-0.00", as the text always had */
		snprintf(out, size, sign ? "%+.*f" : "%.*f", decimals, v);
		return out;
	}
	return numfmt_marks(out, size, v, decimals, ',', '.', sign);
}

/* The sign English writes before an amount of CURRENCY, or NULL. */
static const char *
numfmt_symbol(const char *currency)
{
	static const char *const signs[][2] = { { "USD", "$" },
		{ "EUR", "\xe2\x82\xac" }, { "GBP", "\xc2\xa3" },
		{ "JPY", "\xc2\xa5" } };
	size_t i;

	for (i = 0; i < sizeof signs / sizeof *signs; i++) {
		if (strcmp(currency, signs[i][0]) == 0)
			return signs[i][1];
	}
	return NULL;
}

char *
numfmt_currency(char *out, size_t size, const char *num, const char *currency)
{
	const char *sym;

	if (currency == NULL || *currency == '\0')
		currency = "USD";
	sym = i18n_lang() == I18N_VI ? NULL : numfmt_symbol(currency);
	if (sym == NULL)
		snprintf(out, size, "%s %.8s", num, currency);
	else if (num[0] == '-' || num[0] == '+')
		snprintf(out, size, "%c%s%s", num[0], sym, num + 1);
	else
		snprintf(out, size, "%s%s", sym, num);
	return out;
}

char *
numfmt_money(char *out, size_t size, double v, int decimals,
    const char *currency, int flags)
{
	char num[64];

	if (i18n_lang() == I18N_VI && currency != NULL &&
	    strcmp(currency, "VND") == 0)
		decimals = 0;
	numfmt_local(num, sizeof num, v, decimals, flags);
	return numfmt_currency(out, size, num, currency);
}

char *
numfmt_date(char *out, size_t size, const char *iso)
{
	int ok = strlen(iso) >= 10 && iso[4] == '-' && iso[7] == '-';

	if (i18n_lang() != I18N_VI || !ok)
		snprintf(out, size, "%s", iso);
	else
		snprintf(out, size, "%.2s/%.2s/%.4s%s", iso + 8, iso + 5, iso,
		    iso + 10);
	return out;
}

double
numfmt_parse(const char *s, int lang, const char **end)
{
	char group = lang == I18N_VI ? '.' : ',';
	char point = lang == I18N_VI ? ',' : '.';
	char buf[64];
	const char *p = s;
	size_t n = 0;
	double v;

	if (*p == '-' || *p == '+')
		buf[n++] = *p++;
	if (!isdigit((unsigned char)*p)) {
		*end = s;
		return 0;
	}
	for (; n + 2 < sizeof buf; p++) {
		if (isdigit((unsigned char)*p))
			buf[n++] = *p;
		else if (*p == group && isdigit((unsigned char)p[1]) &&
		    isdigit((unsigned char)p[2]) &&
		    isdigit((unsigned char)p[3]))
			continue;
		else if (*p == point && isdigit((unsigned char)p[1]) &&
		    strchr(buf, '.') == NULL)
			buf[n++] = '.';
		else
			break;
	}
	buf[n] = '\0';
	sscanf(buf, "%lf", &v);
	*end = p;
	return v;
}
