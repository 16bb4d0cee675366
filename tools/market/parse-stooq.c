/*
 * parse-stooq.c: Stooq's daily CSV and the bodies it sends instead of
 * data (see parse.h).
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/date.h"
#include "lib/xmalloc.h"
#include "tools/market/fetch.h"
#include "tools/market/parse.h"

#define STOOQ_MAX_ROWS 40000

/* Whether [P, P+LEN) holds NEEDLE, case-insensitively. */
static int
has(const char *p, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++)
		if (strncasecmp(p + i, needle, n) == 0)
			return 1;
	return 0;
}

int
stooq_body_kind(const char *body, size_t len, char **why)
{
	size_t i = 0;

	while (i < len && isspace((unsigned char)body[i]))
		i++;
	if (has(body, len, "Exceeded the daily hits limit")) {
		*why = xstrdup("Exceeded the daily hits limit");
		return FETCH_BODY_THROTTLED;
	}
	if (len - i >= 7 && strncasecmp(body + i, "No data", 7) == 0) {
		*why = xstrdup("No data");
		return FETCH_BODY_NOT_FOUND;
	}
	if (fetch_body_is_html(body, len) || (i < len && body[i] == '<')) {
		*why = xstrdup(has(body, len, "apikey") ||
			    has(body, len, "api key") ?
			"an HTML page asking for an API key instead of CSV" :
			"an HTML page instead of CSV");
		return FETCH_BODY_OTHER;
	}
	if (len - i < 4 || strncasecmp(body + i, "Date", 4) != 0) {
		*why = xasprintf("a body that is not Stooq's CSV (%.*s)",
		    (int)(len - i < 40 ? len - i : 40), body + i);
		return FETCH_BODY_OTHER;
	}
	return FETCH_BODY_DATA;
}

/* Splits the line [P, END) at commas into at most MAX fields. */
static int
fields(const char *p, const char *end, char f[][32], int max)
{
	int n = 0;
	size_t k;

	while (n < max) {
		k = 0;
		while (p < end && *p != ',' && *p != '\r') {
			if (k + 1 < sizeof f[0])
				f[n][k++] = *p;
			p++;
		}
		f[n++][k] = '\0';
		if (p >= end || *p != ',')
			break;
		p++;
	}
	return n;
}

static int
num(const char *s, double *v)
{
	char *stop;

	if (*s == '\0')
		return -1;
	*v = strtod(s, &stop);
	return *stop == '\0' && isfinite(*v) ? 0 : -1;
}

int
stooq_parse_csv(const char *body, size_t len, int32_t from, int32_t as_of,
    struct market_bars *out, char **cause)
{
	const char *p = body, *end = body + len, *nl;
	char f[7][32], *why = NULL;
	size_t cap = 256, k = 0, line = 1;
	int nf, cols, kind;
	int32_t day;

	memset(out, 0, sizeof *out);
	if ((kind = stooq_body_kind(body, len, &why)) != FETCH_BODY_DATA) {
		*cause = xasprintf("stooq: %s", why);
		free(why);
		return kind == FETCH_BODY_NOT_FOUND ? PARSE_NOT_FOUND :
						      PARSE_BAD;
	}
	nl = memchr(p, '\n', len);
	cols = fields(p, nl ? nl : end, f, 7);
	if (cols < 5 || strcasecmp(f[4], "Close") != 0) {
		*cause = xstrdup("stooq: the CSV header is not "
				 "Date,Open,High,Low,Close[,Volume]");
		return PARSE_BAD;
	}
	out->date = xcalloc(cap, sizeof *out->date);
	out->open = xcalloc(cap, sizeof *out->open);
	out->high = xcalloc(cap, sizeof *out->high);
	out->low = xcalloc(cap, sizeof *out->low);
	out->close = xcalloc(cap, sizeof *out->close);
	out->volume = xcalloc(cap, sizeof *out->volume);
	for (p = nl ? nl + 1 : end; p < end; p = nl ? nl + 1 : end) {
		double o, h, l, c, v = 0;

		nl = memchr(p, '\n', (size_t)(end - p));
		line++;
		if ((nl ? nl : end) - p <= 1)
			continue;
		nf = fields(p, nl ? nl : end, f, 7);
		if (nf < 5 || date_parse(f[0], &day) != 0 || num(f[1], &o) ||
		    num(f[2], &h) || num(f[3], &l) || num(f[4], &c) ||
		    (nf > 5 && cols > 5 && f[5][0] && num(f[5], &v))) {
			*cause = xasprintf("stooq: CSV line %zu is not a daily "
					   "bar",
			    line);
			market_bars_free(out);
			return PARSE_BAD;
		}
		if (day < from || day > as_of || !(c > 0) ||
		    (k > 0 && day <= out->date[k - 1]))
			continue;
		if (k == cap) {
			if (cap >= STOOQ_MAX_ROWS)
				break;
			cap *= 2;
			out->date = xreallocarray(out->date, cap,
			    sizeof *out->date);
			out->open = xreallocarray(out->open, cap,
			    sizeof(double));
			out->high = xreallocarray(out->high, cap,
			    sizeof(double));
			out->low = xreallocarray(out->low, cap, sizeof(double));
			out->close = xreallocarray(out->close, cap,
			    sizeof(double));
			out->volume = xreallocarray(out->volume, cap,
			    sizeof(double));
		}
		out->date[k] = day;
		out->close[k] = c;
		out->open[k] = o > 0 ? o : c;
		out->high[k] = fmax(h > 0 ? h : c, fmax(c, out->open[k]));
		out->low[k] = fmin(l > 0 ? l : c, fmin(c, out->open[k]));
		out->volume[k] = v >= 0 ? v : 0;
		k++;
	}
	out->n = k;
	return 0;
}
