/*
 * report-layout.c: headings, paragraphs and tables that flow from page to
 * page, drawn with report-page.c; the sections call it.
 *
 * Text is wrapped with the embedded font's metrics (report_text_width),
 * so wrapped text and table cells never run past their box whatever the
 * script.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lib/i18n.h"
#include "lib/xmalloc.h"
#include "tools/report/report-layout.h"

#define LEADING 1.42f /* line height / font size */
#define CELL_PAD_X 5.0f
#define CELL_PAD_Y 3.5f
#define TABLE_SIZE 8.8f

static void
lines_push(char ***lines, size_t *n, size_t *cap, char *line)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*lines = xreallocarray(*lines, *cap, sizeof **lines);
	}
	(*lines)[(*n)++] = line;
}

/*
 * Breaks S into lines of at most W points at spaces (and inside words too
 * long for a line). Returns the number of lines; *LINES gets a heap array
 * of heap strings (free with lines_free).
 */
static size_t
wrap(struct report_doc *d, HPDF_Font f, float size, const char *s, float w,
    char ***lines)
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
		cut = report_text_prefix(d, f, size, p, wl, w);
		lines_push(lines, &n, &cap, xstrndup(p, cut));
		p += cut;
	}
	if (line.len > 0)
		lines_push(lines, &n, &cap, buf_take(&line));
	buf_free(&line);
	return n;
}

static void
lines_free(char **lines, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
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
			    y - size * 0.25f, ww + 2, size * 1.15f);
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
	size_t n = wrap(d, f, size, marked_text, d->right - d->left, &lines), i;
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
	lines_free(lines, n);
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
		    d->y - CELL_PAD_Y - TABLE_SIZE,
		    cols[i].title ? _(cols[i].title) : NULL);
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
			nl[c] = wrap(d, cl->bold ? d->bold : d->font,
			    TABLE_SIZE, cl->text ? cl->text : _("n/a"),
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
				    d->y - CELL_PAD_Y - TABLE_SIZE - k * lead,
				    lines[c][k]);
			lines_free(lines[c], nl[c]);
		}
		d->y -= h;
		report_hline(d, report_grid, 0.5f, d->left, d->right, d->y);
	}
	report_hline(d, report_rule, 0.8f, d->left, d->right, d->y);
	d->y -= 10;
	free(lines);
	free(nl);
}
