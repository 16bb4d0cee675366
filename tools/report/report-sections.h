/*
 * report-sections.h: what the report says, private to tools/report.
 *
 * Built on report-layout.c, report-chart.c, report-page.c and
 * report-json.c; report-pdf.c calls it once the document is set up.
 */
#ifndef STOCKAGENT_REPORT_SECTIONS_H
#define STOCKAGENT_REPORT_SECTIONS_H

#include "tools/report/report-page.h"

/*
 * Lays out every section of D->state from the first page on, adding pages
 * as they fill; the running headers and footers are left to the caller.
 */
void report_sections(struct report_doc *d);

#endif
