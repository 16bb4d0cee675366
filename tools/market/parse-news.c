/*
 * parse-news.c: an RSS 2.0 headline feed into news items (see parse.h).
 *
 * Not a general XML parser: it reads <item> elements and their <title>,
 * <link>, <pubDate> and <source> children, with CDATA sections and the
 * five predefined entities plus numeric character references, which is
 * all a headline feed uses.
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
#include "tools/market/parse.h"

#define RSS_MAX_ITEMS 200

/* The first occurrence of NEEDLE in [P, END), or NULL. */
static const char *
find(const char *p, const char *end, const char *needle)
{
	size_t n = strlen(needle);

	for (; p != NULL && p + n <= end; p++)
		if (*p == *needle && memcmp(p, needle, n) == 0)
			return p;
	return NULL;
}

/* Appends the UTF-8 form of code point C to OUT at *K (room checked). */
static void
put_utf8(char *out, size_t size, size_t *k, unsigned long c)
{
	unsigned char b[4];
	size_t n, i;

	if (c < 0x80) {
		b[0] = (unsigned char)c;
		n = 1;
	} else if (c < 0x800) {
		b[0] = (unsigned char)(0xc0 | (c >> 6));
		b[1] = (unsigned char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		b[0] = (unsigned char)(0xe0 | (c >> 12));
		b[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		b[2] = (unsigned char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		b[0] = (unsigned char)(0xf0 | (c >> 18));
		b[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
		b[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
		b[3] = (unsigned char)(0x80 | (c & 0x3f));
		n = 4;
	}
	if (*k + n >= size)
		return;
	for (i = 0; i < n; i++)
		out[(*k)++] = (char)b[i];
}

/* One entity at P (after '&') of at most END; its length into *LEN. */
static int
entity(const char *p, const char *end, char *out, size_t size, size_t *k,
    size_t *len)
{
	static const struct {
		const char *name;
		char c;
	} ents[] = { { "amp;", '&' }, { "lt;", '<' }, { "gt;", '>' },
		{ "quot;", '"' }, { "apos;", '\'' } };
	const char *semi = memchr(p, ';', (size_t)(end - p));
	unsigned long c;
	size_t i;
	char *stop;

	if (semi == NULL || semi - p > 10)
		return -1;
	for (i = 0; i < sizeof ents / sizeof *ents; i++)
		if ((size_t)(semi + 1 - p) == strlen(ents[i].name) &&
		    memcmp(p, ents[i].name, strlen(ents[i].name)) == 0) {
			put_utf8(out, size, k, (unsigned char)ents[i].c);
			*len = strlen(ents[i].name);
			return 0;
		}
	if (*p != '#')
		return -1;
	c = p[1] == 'x' ? strtoul(p + 2, &stop, 16) : strtoul(p + 1, &stop, 10);
	if (stop != semi || c == 0 || c > 0x10ffff)
		return -1;
	put_utf8(out, size, k, c);
	*len = (size_t)(semi + 1 - p);
	return 0;
}

/* The text of [P, END) with CDATA unwrapped, entities decoded, tags
 * dropped and white space collapsed, into OUT (SIZE bytes). */
static void
text_of(const char *p, const char *end, char *out, size_t size)
{
	const char *cd;
	size_t k = 0, n;
	int space = 0;

	while (p < end && k + 1 < size) {
		if (end - p >= 9 && memcmp(p, "<![CDATA[", 9) == 0) {
			cd = find(p + 9, end, "]]>");
			cd = cd ? cd : end;
			for (p += 9; p < cd && k + 1 < size; p++)
				out[k++] = isspace((unsigned char)*p) ? ' ' :
									*p;
			p = cd < end ? cd + 3 : end;
			continue;
		}
		if (*p == '<') {
			const char *gt = memchr(p, '>', (size_t)(end - p));

			p = gt ? gt + 1 : end;
			continue;
		}
		if (*p == '&' && entity(p + 1, end, out, size, &k, &n) == 0) {
			p += n + 1;
			space = 0;
			continue;
		}
		if (isspace((unsigned char)*p) || (unsigned char)*p < 0x20) {
			if (!space && k > 0)
				out[k++] = ' ';
			space = 1;
			p++;
			continue;
		}
		space = 0;
		out[k++] = *p++;
	}
	while (k > 0 && out[k - 1] == ' ')
		k--;
	out[k] = '\0';
}

/* The content of the first <TAG ...>...</TAG> in [P, END) into OUT. */
static int
child(const char *p, const char *end, const char *tag, char *out, size_t size)
{
	char open[32], close[32];
	const char *s, *gt, *e;

	snprintf(open, sizeof open, "<%s", tag);
	snprintf(close, sizeof close, "</%s>", tag);
	for (s = find(p, end, open); s != NULL; s = find(s + 1, end, open)) {
		char after = s + strlen(open) < end ? s[strlen(open)] : '\0';

		if (after == '>' || after == ' ')
			break;
	}
	if (s == NULL || (gt = memchr(s, '>', (size_t)(end - s))) == NULL ||
	    (e = find(gt + 1, end, close)) == NULL)
		return -1;
	text_of(gt + 1, e, out, size);
	return 0;
}

/* RFC 822 date "Wed, 04 Dec 2024 16:42:11 +0000" (or GMT) to Unix time. */
static int64_t
rss_time(const char *s)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char mon[4] = "", zone[8] = "";
	int d, y, hh, mm, ss = 0, off = 0;
	const char *m, *p = strchr(s, ',');

	p = p ? p + 1 : s;
	if (sscanf(p, "%d %3s %d %d:%d:%d %7s", &d, mon, &y, &hh, &mm, &ss,
		zone) < 5 ||
	    (m = strstr(months, mon)) == NULL || strlen(mon) != 3 ||
	    (m - months) % 3 || d < 1 || d > 31 || y < 1970 || y > 9999 ||
	    hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60)
		return 0;
	if ((zone[0] == '+' || zone[0] == '-') && strlen(zone) == 5) {
		off = atoi(zone + 1);
		off = (off / 100) * 3600 + (off % 100) * 60;
		if (zone[0] == '-')
			off = -off;
	}
	return (int64_t)date_from_ymd(y, (int)((m - months) / 3) + 1, d) *
	    86400 +
	    hh * 3600 + mm * 60 + ss - off;
}

static int
news_newest_first(const void *a, const void *b)
{
	const struct market_news *x = a, *y = b;

	return (y->published > x->published) - (y->published < x->published);
}

int
rss_parse_news(const char *body, size_t len, int32_t as_of, size_t max,
    struct market_news **out, size_t *n_out, char **cause)
{
	const char *p = body, *end = body + len, *s, *e;
	struct market_news *v = NULL, *it;
	char date[64];
	size_t n = 0;

	*out = NULL;
	*n_out = 0;
	if (find(body, end, "<rss") == NULL &&
	    find(body, end, "<channel") == NULL) {
		*cause = xstrdup("yahoo: the news feed is not RSS");
		return PARSE_BAD;
	}
	v = xcalloc(RSS_MAX_ITEMS, sizeof *v);
	while (n < RSS_MAX_ITEMS && (s = find(p, end, "<item")) != NULL &&
	    (e = find(s, end, "</item>")) != NULL) {
		p = e + 7;
		it = &v[n];
		memset(it, 0, sizeof *it);
		if (child(s, e, "title", it->headline, sizeof it->headline) !=
			0 ||
		    it->headline[0] == '\0')
			continue;
		child(s, e, "link", it->url, sizeof it->url);
		if (child(s, e, "source", it->source, sizeof it->source) != 0 ||
		    it->source[0] == '\0')
			snprintf(it->source, sizeof it->source,
			    "Yahoo Finance");
		if (child(s, e, "pubDate", date, sizeof date) != 0 ||
		    (it->published = rss_time(date)) == 0)
			continue;
		it->date = (int32_t)(it->published / 86400);
		if (it->date > as_of)
			continue;
		snprintf(it->sentiment, sizeof it->sentiment, "unrated");
		it->sentiment_score = NAN;
		n++;
	}
	qsort(v, n, sizeof *v, news_newest_first);
	if (n > max)
		n = max;
	if (n == 0) {
		free(v);
		v = NULL;
	}
	*out = v;
	*n_out = n;
	return 0;
}
