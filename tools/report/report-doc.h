/*
 * report-doc.h: a document of the report's look (fonts, header, footer,
 * "page X of Y", atomic write), private to tools/report.
 *
 * report-pdf.c draws the stock report through it, report-summary.c the
 * batch summary; each gives its pages as a body function.
 */
#ifndef STOCKAGENT_REPORT_DOC_H
#define STOCKAGENT_REPORT_DOC_H

#include "tools/report/report-page.h"
#include "tools/report/report.h"

/* What frames the pages; strings borrowed. */
struct report_frame {
	const char *title, *subject, *keywords; /* document information */
	const char *head_left, *head_right;	/* running header */
	const char *foot;			/* footer, left */
	const char *generated_at;		/* "YYYY-MM-DDTHH:MM:SSZ" */
	void (*body)(struct report_doc *d, const void *arg);
	const void *arg;
};

/*
 * Draws F's body into D (zeroed by the caller but for what the body
 * reads) with O's paper and fonts, frames every page and writes PATH as
 * report_pdf_write does, or, with WRITTEN_OUT, as report_pdf_write_new
 * does. Returns 0, or -1 with *cause.
 */
int report_doc_write(struct report_doc *d, const struct report_pdf_opts *o,
    const struct report_frame *f, const char *path, char **written_out,
    char **cause);

/* The time now as "YYYY-MM-DDTHH:MM:SSZ"; heap string. */
char *report_now_iso(void);

#endif
