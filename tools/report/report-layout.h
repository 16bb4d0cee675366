/*
 * report-layout.h: blocks that flow from page to page, private to
 * tools/report.
 *
 * Headings, wrapped paragraphs and tables placed at the flow cursor of a
 * report_doc (report-page.h), which they move down, starting a new page
 * when the next block does not fit. Built on report-page.c only.
 */
#ifndef STOCKAGENT_REPORT_LAYOUT_H
#define STOCKAGENT_REPORT_LAYOUT_H

#include <stddef.h>

#include "tools/report/report-page.h"

/* Starts a new page unless H points are left above the bottom margin. */
void report_ensure(struct report_doc *d, float h);
/* Moves the cursor H points down, no further than the bottom margin. */
void report_gap(struct report_doc *d, float h);
/* A section heading; keeps KEEP points below it on the same page. */
void report_heading(struct report_doc *d, const char *title, float keep);
void report_subheading(struct report_doc *d, const char *title);
/*
 * A wrapped paragraph across pages. Words containing one of MARK[0..NMARK)
 * are highlighted and followed by a dagger (the narrative's ungrounded
 * numbers).
 */
void report_paragraph(struct report_doc *d, HPDF_Font f, float size,
    struct rgb c, const char *text, const char *const *mark, size_t nmark);

/* A table: columns, then rows of cells; cells wrap, rows paginate. */
enum report_align { REPORT_LEFT, REPORT_RIGHT, REPORT_CENTER };
struct report_col {
	const char *title; /* NULL in the first column: no header row */
	float width;	   /* fraction of the content width */
	enum report_align align;
};
struct report_cell {
	const char *text; /* NULL: "n/a" */
	int bold;
	const struct rgb *color; /* NULL: ink */
};
/* CELLS is [NROWS * NCOLS], row by row (borrowed). */
void report_table(struct report_doc *d, const struct report_col *cols,
    size_t ncols, const struct report_cell *cells, size_t nrows);

#endif
