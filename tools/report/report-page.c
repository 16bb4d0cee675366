/*
 * report-page.c: the pages and the drawing primitives: the palette, the
 * page list, text measured and drawn with the embedded fonts, rules and
 * boxes.
 *
 * Everything measures with the embedded font's metrics
 * (HPDF_Font_TextWidth, in 1/1000 em), so text cut to a width never runs
 * past its box whatever the script.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/xmalloc.h"
#include "tools/report/report-page.h"

#define MAX_PAGES 64 /* a runaway layout stops here */

const struct rgb report_ink = { 0.13f, 0.15f, 0.19f };
const struct rgb report_muted = { 0.42f, 0.45f, 0.50f };
const struct rgb report_navy = { 0.07f, 0.19f, 0.37f };
const struct rgb report_accent = { 0.11f, 0.47f, 0.71f };
const struct rgb report_rule = { 0.75f, 0.78f, 0.82f };
const struct rgb report_grid = { 0.90f, 0.91f, 0.93f };
const struct rgb report_band = { 0.87f, 0.92f, 0.97f };
const struct rgb report_zebra = { 0.96f, 0.97f, 0.98f };
const struct rgb report_up = { 0.10f, 0.56f, 0.33f };
const struct rgb report_down = { 0.80f, 0.20f, 0.18f };
const struct rgb report_amber = { 1.00f, 0.90f, 0.60f };
const struct rgb report_sma50 = { 0.93f, 0.55f, 0.13f };
const struct rgb report_sma200 = { 0.55f, 0.27f, 0.68f };
const struct rgb report_white = { 1.0f, 1.0f, 1.0f };

void
report_new_page(struct report_doc *d)
{
	HPDF_Page page;

	if (d->npages == MAX_PAGES) {
		d->y = d->top; /* overdraw the last page rather than grow */
		return;
	}
	if ((page = HPDF_AddPage(d->pdf)) == NULL) {
		d->y = d->top; /* libharu failed: the error reaches save() */
		return;
	}
	d->page = page;
	HPDF_Page_SetWidth(d->page, d->pw);
	HPDF_Page_SetHeight(d->page, d->ph);
	if (d->npages == d->pages_cap) {
		d->pages_cap = d->pages_cap ? d->pages_cap * 2 : 8;
		d->pages = xreallocarray(d->pages, d->pages_cap,
		    sizeof *d->pages);
	}
	d->pages[d->npages++] = d->page;
	d->y = d->top;
}

float
report_text_width(struct report_doc *d, HPDF_Font f, float size, const char *s)
{
	HPDF_TextWidth tw;

	(void)d;
	if (s == NULL || *s == '\0')
		return 0;
	tw = HPDF_Font_TextWidth(f, (const HPDF_BYTE *)s, (HPDF_UINT)strlen(s));
	return (float)tw.width * size / 1000.0f;
}

void
report_text(struct report_doc *d, HPDF_Font f, float size, struct rgb c,
    float x, float y, const char *s)
{
	if (s == NULL || *s == '\0')
		return;
	HPDF_Page_SetRGBFill(d->page, c.r, c.g, c.b);
	HPDF_Page_BeginText(d->page);
	HPDF_Page_SetFontAndSize(d->page, f, size);
	HPDF_Page_TextOut(d->page, x, y, s);
	HPDF_Page_EndText(d->page);
}

void
report_text_right(struct report_doc *d, HPDF_Font f, float size, struct rgb c,
    float xr, float y, const char *s)
{
	report_text(d, f, size, c, xr - report_text_width(d, f, size, s), y, s);
}

void
report_text_center(struct report_doc *d, HPDF_Font f, float size, struct rgb c,
    float xc, float y, const char *s)
{
	report_text(d, f, size, c, xc - report_text_width(d, f, size, s) / 2, y,
	    s);
}

/* Bytes of the UTF-8 sequence starting at S (1 for stray bytes). */
static size_t
utf8_len(const char *s)
{
	unsigned char c = (unsigned char)*s;
	size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1, i;

	for (i = 1; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

size_t
report_text_prefix(struct report_doc *d, HPDF_Font f, float size, const char *s,
    size_t len, float w)
{
	size_t n = utf8_len(s), next;
	char *tmp, save;
	int fits;

	if (n >= len)
		return len;
	tmp = xstrndup(s, len);
	while (n < len) {
		next = n + utf8_len(s + n);
		if (next > len)
			break;
		save = tmp[next];
		tmp[next] = '\0';
		fits = report_text_width(d, f, size, tmp) <= w;
		tmp[next] = save;
		if (!fits)
			break;
		n = next;
	}
	free(tmp);
	return n;
}

char *
report_text_fit(struct report_doc *d, HPDF_Font f, float size, const char *s,
    float w)
{
	size_t n;
	char *cut, *r;

	if (s == NULL)
		return xstrdup("");
	if (report_text_width(d, f, size, s) <= w)
		return xstrdup(s);
	w -= report_text_width(d, f, size, "…");
	n = report_text_prefix(d, f, size, s, strlen(s), w > 0 ? w : 0);
	cut = xstrndup(s, n);
	r = xasprintf("%s…", cut);
	free(cut);
	return r;
}

void
report_fill_rect(struct report_doc *d, struct rgb c, float x, float y, float w,
    float h)
{
	HPDF_Page_SetRGBFill(d->page, c.r, c.g, c.b);
	HPDF_Page_Rectangle(d->page, x, y, w, h);
	HPDF_Page_Fill(d->page);
}

void
report_stroke_rect(struct report_doc *d, struct rgb c, float width, float x,
    float y, float w, float h)
{
	HPDF_Page_SetRGBStroke(d->page, c.r, c.g, c.b);
	HPDF_Page_SetLineWidth(d->page, width);
	HPDF_Page_Rectangle(d->page, x, y, w, h);
	HPDF_Page_Stroke(d->page);
}

void
report_hline(struct report_doc *d, struct rgb c, float width, float x0,
    float x1, float y)
{
	HPDF_Page_SetRGBStroke(d->page, c.r, c.g, c.b);
	HPDF_Page_SetLineWidth(d->page, width);
	HPDF_Page_MoveTo(d->page, x0, y);
	HPDF_Page_LineTo(d->page, x1, y);
	HPDF_Page_Stroke(d->page);
}
