/*
 * numfmt.c: thousands separators.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lib/numfmt.h"

char *
numfmt_grouped(char *out, size_t size, double v, int decimals)
{
	char raw[64], *dot;
	size_t intlen, i, o = 0;

	/* The digits of |v| first, so the commas count integer digits only. */
	snprintf(raw, sizeof raw, "%.*f", decimals, fabs(v));
	dot = strchr(raw, '.');
	intlen = dot ? (size_t)(dot - raw) : strlen(raw);
	if (v < 0 && strspn(raw, "0.") != strlen(raw) && o + 1 < size)
		out[o++] = '-';
	for (i = 0; i < intlen && o + 2 < size; i++) {
		if (i > 0 && (intlen - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = raw[i];
	}
	snprintf(out + o, size - o, "%s", dot ? dot : "");
	return out;
}
