/*
 * report-page.h: the pages of the report and what can be drawn on them,
 * private to tools/report.
 *
 * The bottom of the report's files: report-page.c keeps the list of pages
 * and draws text, rules and boxes with the embedded fonts; it calls no
 * other file of the report. The flow (report-layout.c), the charts
 * (report-chart.c), the sections and the document build on it.
 *
 * Coordinates are PDF points with the origin at the bottom left. The flow
 * cursor Y is the top of the next block; blocks move it down.
 */
#ifndef STOCKAGENT_REPORT_PAGE_H
#define STOCKAGENT_REPORT_PAGE_H

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

/* The document being drawn; report-pdf.c sets it up and frees it. */
struct report_doc {
	HPDF_Doc pdf;
	HPDF_Font font;			/* regular, UTF-8 */
	HPDF_Font bold;			/* bold, UTF-8 */
	float pw, ph;			/* page width and height, points */
	float left, right, top, bottom; /* content box edges, points */
	HPDF_Page *pages;		/* [npages], in order; heap */
	size_t npages, pages_cap;
	HPDF_Page page;		      /* the page being filled */
	float y;		      /* flow cursor: top of the next block */
	const cJSON *state;	      /* borrowed */
	const cJSON *series;	      /* the chart series; borrowed */
	const char *symbol, *company; /* borrowed from state, never NULL */
};

/*
 * Appends a page and makes it the one being filled, the cursor at its
 * top. Past the page limit, or when libharu fails (the error reaches the
 * save), the cursor goes back to the top of the current page instead.
 */
void report_new_page(struct report_doc *d);

/* Width of S in points at SIZE; 0 for NULL or "". */
float report_text_width(struct report_doc *d, HPDF_Font f, float size,
    const char *s);
/* S with its left end at X and baseline at Y (NULL or "": nothing). */
void report_text(struct report_doc *d, HPDF_Font f, float size, struct rgb c,
    float x, float y, const char *s);
/* S ending at XR. */
void report_text_right(struct report_doc *d, HPDF_Font f, float size,
    struct rgb c, float xr, float y, const char *s);
/* S centred on XC. */
void report_text_center(struct report_doc *d, HPDF_Font f, float size,
    struct rgb c, float xc, float y, const char *s);
/*
 * Bytes of the longest prefix of S[0..LEN) that fits in W points: whole
 * UTF-8 characters, at least one.
 */
size_t report_text_prefix(struct report_doc *d, HPDF_Font f, float size,
    const char *s, size_t len, float w);
/* Fits S into W points, cutting it with an ellipsis; heap string. */
char *report_text_fit(struct report_doc *d, HPDF_Font f, float size,
    const char *s, float w);

/* A filled rectangle; (X, Y) is its bottom left corner. */
void report_fill_rect(struct report_doc *d, struct rgb c, float x, float y,
    float w, float h);
/* A rectangle's outline, WIDTH points thick. */
void report_stroke_rect(struct report_doc *d, struct rgb c, float width,
    float x, float y, float w, float h);
/* A horizontal rule from X0 to X1 at Y, WIDTH points thick. */
void report_hline(struct report_doc *d, struct rgb c, float width, float x0,
    float x1, float y);

#endif
