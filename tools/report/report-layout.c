/*
 * report-layout.c: text measuring and wrapping, headings, paragraphs and
 * tables that flow from page to page.
 *
 * Everything measures with the embedded font's metrics
 * (HPDF_Font_TextWidth, in 1/1000 em), so wrapped text and table cells
 * never run past their box whatever the script.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tools/report/report-int.h"
#include "lib/xmalloc.h"

#define LEADING    1.42f /* line height / font size */
#define CELL_PAD_X 5.0f
#define CELL_PAD_Y 3.5f
#define TABLE_SIZE 8.8f

const struct rgb report_ink = {0.13f, 0.15f, 0.19f};
const struct rgb report_muted = {0.42f, 0.45f, 0.50f};
const struct rgb report_navy = {0.07f, 0.19f, 0.37f};
const struct rgb report_accent = {0.11f, 0.47f, 0.71f};
const struct rgb report_rule = {0.75f, 0.78f, 0.82f};
const struct rgb report_grid = {0.90f, 0.91f, 0.93f};
const struct rgb report_band = {0.87f, 0.92f, 0.97f};
const struct rgb report_zebra = {0.96f, 0.97f, 0.98f};
const struct rgb report_up = {0.10f, 0.56f, 0.33f};
const struct rgb report_down = {0.80f, 0.20f, 0.18f};
const struct rgb report_amber = {1.00f, 0.90f, 0.60f};
const struct rgb report_sma50 = {0.93f, 0.55f, 0.13f};
const struct rgb report_sma200 = {0.55f, 0.27f, 0.68f};
const struct rgb report_white = {1.0f, 1.0f, 1.0f};

/* Width of S in points at SIZE. */
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

/* S with its left end at X and baseline at Y. */
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

/* S ending at XR. */
void
report_text_right(struct report_doc *d, HPDF_Font f, float size, struct rgb c,
                  float xr, float y, const char *s)
{
	report_text(d, f, size, c, xr - report_text_width(d, f, size, s), y, s);
}

/* S centred on XC. */
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

/* The longest prefix of S[0..LEN) (whole characters, at least one) in W. */
static size_t
fit_prefix(struct report_doc *d, HPDF_Font f, float size, const char *s,
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
	n = fit_prefix(d, f, size, s, strlen(s), w > 0 ? w : 0);
	cut = xstrndup(s, n);
	r = xasprintf("%s…", cut);
	free(cut);
	return r;
}

static void
lines_push(char ***lines, size_t *n, size_t *cap, char *line)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*lines = xreallocarray(*lines, *cap, sizeof **lines);
	}
	(*lines)[(*n)++] = line;
}

size_t
report_wrap(struct report_doc *d, HPDF_Font f, float size, const char *s,
            float w, char ***lines)
{
	struct buf line;
	size_t n = 0, cap = 0, wl, cut;
	const char *p = s ? s : "";
	float sp = report_text_width(d, f, size, " "), lw = 0, ww;
	char *word;

	/* Widths add up: libharu applies no kerning between glyphs. */
	*lines = NULL;
	buf_init(&line, 0);
	for (;;) {
		while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
			p++;
		if (*p == '\0')
			break;
		wl = strcspn(p, " \n\t\r");
		word = xstrndup(p, wl);
		ww = report_text_width(d, f, size, word);
		free(word);
		if (lw + (line.len ? sp : 0) + ww <= w) {
			if (line.len)
				buf_append(&line, " ", 1);
			buf_append(&line, p, wl);
			lw += (line.len > wl ? sp : 0) + ww;
			p += wl;
			continue;
		}
		if (line.len > 0) {
			lines_push(lines, &n, &cap, buf_take(&line));
			lw = 0;
			continue;
		}
		/* A word wider than the line: cut it where it stops fitting. */
		cut = fit_prefix(d, f, size, p, wl, w);
		lines_push(lines, &n, &cap, xstrndup(p, cut));
		p += cut;
	}
	if (line.len > 0)
		lines_push(lines, &n, &cap, buf_take(&line));
	buf_free(&line);
	return n;
}

void
report_lines_free(char **lines, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
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
report_hline(struct report_doc *d, struct rgb c, float width, float x0,
             float x1, float y)
{
	HPDF_Page_SetRGBStroke(d->page, c.r, c.g, c.b);
	HPDF_Page_SetLineWidth(d->page, width);
	HPDF_Page_MoveTo(d->page, x0, y);
	HPDF_Page_LineTo(d->page, x1, y);
	HPDF_Page_Stroke(d->page);
}

void
report_ensure(struct report_doc *d, float h)
{
	if (d->y - h < d->bottom)
		report_new_page(d);
}

void
report_gap(struct report_doc *d, float h)
{
	d->y -= h;
	if (d->y < d->bottom)
		d->y = d->bottom;
}

void
report_heading(struct report_doc *d, const char *title, float keep)
{
	if (d->y < d->top)
		report_gap(d, 12);
	report_ensure(d, 26 + keep);
	report_text(d, d->bold, 13, report_navy, d->left, d->y - 13, title);
	report_fill_rect(d, report_accent, d->left, d->y - 19, 36, 2);
	report_hline(d, report_rule, 0.5f, d->left + 36, d->right, d->y - 18);
	d->y -= 28;
}

void
report_subheading(struct report_doc *d, const char *title)
{
	report_ensure(d, 40);
	report_text(d, d->bold, 10, report_ink, d->left, d->y - 10, title);
	d->y -= 16;
}

/* End of the first marked string inside WORD[0..LEN), or NULL. */
static const char *
marked(const char *word, size_t len, const char *const *mark, size_t nmark)
{
	const char *at;
	size_t i, ml;

	for (i = 0; i < nmark; i++) {
		ml = strlen(mark[i]);
		if (ml == 0 || ml > len)
			continue;
		if ((at = memmem(word, len, mark[i], ml)) != NULL)
			return at + ml;
	}
	return NULL;
}

/* TEXT with a dagger right after every marked string. */
static char *
dagger_marks(const char *text, const char *const *mark, size_t nmark)
{
	struct buf b;
	const char *p = text, *end;
	size_t wl;

	buf_init(&b, 0);
	buf_append(&b, "", 0);
	while (*p != '\0') {
		wl = strcspn(p, " \n\t\r");
		if (wl > 0 && (end = marked(p, wl, mark, nmark)) != NULL) {
			buf_append(&b, p, (size_t)(end - p));
			buf_append(&b, "†", strlen("†"));
			buf_append(&b, end, wl - (size_t)(end - p));
		} else {
			buf_append(&b, p, wl);
		}
		p += wl;
		if (*p != '\0')
			buf_append(&b, p++, 1);
	}
	return buf_take(&b);
}

/* One line, highlighting the words that end with a dagger. */
static void
draw_marked_line(struct report_doc *d, HPDF_Font f, float size, struct rgb c,
                 float y, const char *line)
{
	const char *p = line;
	float x = d->left, sp = report_text_width(d, f, size, " "), ww;
	size_t wl, dl = strlen("†");
	char *word;

	while (*p != '\0') {
		wl = strcspn(p, " ");
		word = xstrndup(p, wl);
		ww = report_text_width(d, f, size, word);
		if (wl > dl && strstr(word, "†") != NULL)
			report_fill_rect(d, report_amber, x - 1,
			                 y - size * 0.25f, ww + 2,
			                 size * 1.15f);
		report_text(d, f, size, c, x, y, word);
		free(word);
		x += ww + sp;
		p += wl;
		while (*p == ' ')
			p++;
	}
}

void
report_paragraph(struct report_doc *d, HPDF_Font f, float size, struct rgb c,
                 const char *text, const char *const *mark, size_t nmark)
{
	char **lines,
	    *marked_text = dagger_marks(text ? text : "", mark, nmark);
	size_t n = report_wrap(d, f, size, marked_text, d->right - d->left,
	                       &lines),
	       i;
	float lead = size * LEADING;

	for (i = 0; i < n; i++) {
		report_ensure(d, lead);
		if (nmark > 0)
			draw_marked_line(d, f, size, c, d->y - size, lines[i]);
		else
			report_text(d, f, size, c, d->left, d->y - size,
			            lines[i]);
		d->y -= lead;
	}
	report_lines_free(lines, n);
	free(marked_text);
}

/* Column I's left edge and width in points. */
static void
col_box(struct report_doc *d, const struct report_col *cols, size_t i, float *x,
        float *w)
{
	float cw = d->right - d->left, left = d->left;
	size_t k;

	for (k = 0; k < i; k++)
		left += cols[k].width * cw;
	*x = left;
	*w = cols[i].width * cw;
}

static void
cell_text(struct report_doc *d, HPDF_Font f, struct rgb c, enum report_align al,
          float x, float w, float y, const char *s)
{
	if (al == REPORT_RIGHT)
		report_text_right(d, f, TABLE_SIZE, c, x + w - CELL_PAD_X, y,
		                  s);
	else if (al == REPORT_CENTER)
		report_text_center(d, f, TABLE_SIZE, c, x + w / 2, y, s);
	else
		report_text(d, f, TABLE_SIZE, c, x + CELL_PAD_X, y, s);
}

static void
table_header(struct report_doc *d, const struct report_col *cols, size_t ncols)
{
	float h = TABLE_SIZE * LEADING + 2 * CELL_PAD_Y, x, w;
	size_t i;

	report_fill_rect(d, report_navy, d->left, d->y - h, d->right - d->left,
	                 h);
	for (i = 0; i < ncols; i++) {
		col_box(d, cols, i, &x, &w);
		cell_text(d, d->bold, report_white, cols[i].align, x, w,
		          d->y - CELL_PAD_Y - TABLE_SIZE, cols[i].title);
	}
	d->y -= h;
}

void
report_table(struct report_doc *d, const struct report_col *cols, size_t ncols,
             const struct report_cell *cells, size_t nrows)
{
	float lead = TABLE_SIZE * LEADING, hh = lead + 2 * CELL_PAD_Y, x, w, h;
	char ***lines = xcalloc(ncols, sizeof *lines);
	size_t *nl = xcalloc(ncols, sizeof *nl), r, c, k, most;
	int has_header = cols[0].title != NULL;

	report_ensure(d, hh * (has_header ? 2 : 1));
	if (has_header)
		table_header(d, cols, ncols);
	for (r = 0; r < nrows; r++) {
		most = 1;
		for (c = 0; c < ncols; c++) {
			const struct report_cell *cl = &cells[r * ncols + c];

			col_box(d, cols, c, &x, &w);
			nl[c] =
			    report_wrap(d, cl->bold ? d->bold : d->font,
			                TABLE_SIZE, cl->text ? cl->text : "n/a",
			                w - 2 * CELL_PAD_X, &lines[c]);
			if (nl[c] > most)
				most = nl[c];
		}
		h = most * lead + 2 * CELL_PAD_Y;
		if (d->y - h < d->bottom) {
			report_new_page(d);
			if (has_header)
				table_header(d, cols, ncols);
		}
		if (r % 2 == 1)
			report_fill_rect(d, report_zebra, d->left, d->y - h,
			                 d->right - d->left, h);
		for (c = 0; c < ncols; c++) {
			const struct report_cell *cl = &cells[r * ncols + c];

			col_box(d, cols, c, &x, &w);
			for (k = 0; k < nl[c]; k++)
				cell_text(d, cl->bold ? d->bold : d->font,
				          cl->color ? *cl->color : report_ink,
				          cols[c].align, x, w,
				          d->y - CELL_PAD_Y - TABLE_SIZE -
				              k * lead,
				          lines[c][k]);
			report_lines_free(lines[c], nl[c]);
		}
		d->y -= h;
		report_hline(d, report_grid, 0.5f, d->left, d->right, d->y);
	}
	report_hline(d, report_rule, 0.8f, d->left, d->right, d->y);
	d->y -= 10;
	free(lines);
	free(nl);
}
