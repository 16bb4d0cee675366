/*
 * report-int.h: what the report's files share, private to tools/report.
 *
 * report-pdf.c owns the document (fonts, pages, header/footer, saving),
 * report-layout.c the flowing text and tables, report-chart.c the vector
 * charts and gauges, report-sections.c what goes on the pages, and
 * report-json.c the null-tolerant reads and number formatting, and
 * report-font.c completes libharu's font subset.
 *
 * Coordinates are PDF points with the origin at the bottom left. The flow
 * cursor Y is the top of the next block; blocks move it down.
 */
#ifndef STOCKAGENT_REPORT_INT_H
#define STOCKAGENT_REPORT_INT_H

#include <stddef.h>

#include <cjson/cJSON.h>
#include <hpdf.h>

struct rgb {
	float r, g, b;
};

/* The palette: one place, so every page uses the same colours. */
extern const struct rgb report_ink, report_muted, report_navy, report_accent,
    report_rule, report_grid, report_band, report_zebra, report_up, report_down,
    report_amber, report_sma50, report_sma200, report_white;

struct report_doc {
	HPDF_Doc pdf;
	HPDF_Font font;                 /* regular, UTF-8 */
	HPDF_Font bold;                 /* bold, UTF-8 */
	float pw, ph;                   /* page width and height, points */
	float left, right, top, bottom; /* content box edges, points */
	HPDF_Page *pages;               /* [npages], in order */
	size_t npages, pages_cap;
	HPDF_Page page;               /* the page being filled */
	float y;                      /* flow cursor: top of the next block */
	const cJSON *state;           /* borrowed */
	const char *symbol, *company; /* borrowed from state, never NULL */
};

/* report-pdf.c */
void report_new_page(struct report_doc *d);

/* report-font.c */
int report_font_complete(HPDF_Font font, const char *path, char **cause);

/* report-layout.c: text */
float report_text_width(struct report_doc *d, HPDF_Font f, float size,
                        const char *s);
void report_text(struct report_doc *d, HPDF_Font f, float size, struct rgb c,
                 float x, float y, const char *s);
void report_text_right(struct report_doc *d, HPDF_Font f, float size,
                       struct rgb c, float xr, float y, const char *s);
void report_text_center(struct report_doc *d, HPDF_Font f, float size,
                        struct rgb c, float xc, float y, const char *s);
/* Fits S into W points, cutting it with an ellipsis; heap string. */
char *report_text_fit(struct report_doc *d, HPDF_Font f, float size,
                      const char *s, float w);
/*
 * Breaks S into lines of at most W points at spaces (and inside words too
 * long for a line). Returns the number of lines; *LINES gets a heap array
 * of heap strings (free with report_lines_free).
 */
size_t report_wrap(struct report_doc *d, HPDF_Font f, float size, const char *s,
                   float w, char ***lines);
void report_lines_free(char **lines, size_t n);

/* report-layout.c: flow */
void report_fill_rect(struct report_doc *d, struct rgb c, float x, float y,
                      float w, float h);
void report_hline(struct report_doc *d, struct rgb c, float width, float x0,
                  float x1, float y);
/* Starts a new page unless H points are left above the bottom margin. */
void report_ensure(struct report_doc *d, float h);
/* A section heading; keeps KEEP points below it on the same page. */
void report_heading(struct report_doc *d, const char *title, float keep);
void report_subheading(struct report_doc *d, const char *title);
/*
 * A wrapped paragraph across pages. Words containing one of MARK[0..NMARK)
 * are highlighted and followed by a dagger (the narrative's ungrounded
 * numbers).
 */
void report_paragraph(struct report_doc *d, HPDF_Font f, float size,
                      struct rgb c, const char *text, const char *const *mark,
                      size_t nmark);
void report_gap(struct report_doc *d, float h);

/* A table: columns, then rows of cells; cells wrap, rows paginate. */
enum report_align { REPORT_LEFT, REPORT_RIGHT, REPORT_CENTER };
struct report_col {
	const char *title;
	float width; /* fraction of the content width */
	enum report_align align;
};
struct report_cell {
	const char *text;
	int bold;
	const struct rgb *color; /* NULL: ink */
};
void report_table(struct report_doc *d, const struct report_col *cols,
                  size_t ncols, const struct report_cell *cells, size_t nrows);

/* report-chart.c */
struct report_series {
	const double *v; /* [n]; NAN where the value is missing */
	size_t n;
};
void report_chart_price(struct report_doc *d, const cJSON *series, float x,
                        float y, float w, float h);
void report_chart_rsi(struct report_doc *d, const cJSON *series, float x,
                      float y, float w, float h);
void report_chart_macd(struct report_doc *d, const cJSON *series, float x,
                       float y, float w, float h);
/* Five blocks, SCORE (1-5, 0 for unknown) of them filled. */
void report_gauge(struct report_doc *d, int score, float x, float y, float w,
                  float h);
struct rgb report_score_color(int score);

/* report-sections.c */
void report_sections(struct report_doc *d);

/* report-json.c: reads that tolerate NULL, missing and wrong types */
int report_num(const cJSON *root, const char *path, double *out);
const char *report_str(const cJSON *root, const char *path);
/* Array of numbers (null -> NAN) at PATH; *N its length; heap, or NULL. */
double *report_array(const cJSON *root, const char *path, size_t *n);
/* Formatted values into BUF (size REPORT_FMT); "n/a" when missing. */
#define REPORT_FMT 64
enum report_sign { REPORT_PLAIN, REPORT_SIGNED };
/*
 * The number at PATH, thousands grouped, with DECIMALS digits and SUFFIX
 * (may be NULL): "12.35%"; REPORT_SIGNED puts a plus before a value that
 * is not negative: "+1.25%", "-0.11%".
 */
const char *report_fmt_num(char *buf, const cJSON *root, const char *path,
                           enum report_sign sign, int decimals,
                           const char *suffix);
const char *report_fmt_money(char *buf, const cJSON *root, const char *path,
                             const char *currency);
const char *report_fmt_big(char *buf, const cJSON *root, const char *path,
                           const char *currency);
const char *report_fmt_str(const cJSON *root, const char *path);

#endif
