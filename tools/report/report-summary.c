/*
 * report-summary.c: the batch summary PDF (see report_summary_write in
 * report.h).
 *
 * Page 1 opens with what a daily reader looks for first, the changes
 * since the previous batch of the watchlist; then the ranking table,
 * changed rows marked; then a grid of small charts, one per symbol, the
 * frame of a changed symbol in amber with its changes under it.
 *
 * Beside report-pdf.c on report-doc.h; over report-layout.c,
 * report-chart.c, report-page.c and report-json.c.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/i18n.h"
#include "lib/jsonutil.h"
#include "lib/numfmt.h"
#include "lib/xmalloc.h"
#include "tools/report/report-chart.h"
#include "tools/report/report-doc.h"
#include "tools/report/report-json.h"
#include "tools/report/report-layout.h"
#include "tools/report/report-page.h"
#include "tools/report/report.h"

/* The grid of small charts. */
#define SPARK_COLS 4
#define SPARK_H 44.0f
#define SPARK_CELL_H 86.0f

static const struct report_col rank_cols[] = {
	{ N_("#"), 0.05f, REPORT_RIGHT },
	{ N_("Symbol"), 0.16f, REPORT_LEFT },
	{ N_("Status"), 0.08f, REPORT_LEFT },
	{ N_("Overall"), 0.09f, REPORT_RIGHT },
	{ N_("Tech."), 0.07f, REPORT_RIGHT },
	{ N_("Fund."), 0.07f, REPORT_RIGHT },
	{ N_("1y return"), 0.10f, REPORT_RIGHT },
	{ N_("Volatility"), 0.10f, REPORT_RIGHT },
	{ N_("Changes"), 0.28f, REPORT_LEFT },
};
#define RANK_NCOLS (sizeof rank_cols / sizeof *rank_cols)

/* Row R's changes joined with "; ", or NULL when none; heap. */
static char *
changes_text(const cJSON *r)
{
	const cJSON *c;
	char *text = NULL, *next;

	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(r, "changes")) {
		if (!cJSON_IsString(c))
			continue;
		next = xasprintf("%s%s%s", text ? text : "", text ? "; " : "",
		    c->valuestring);
		free(text);
		text = next;
	}
	return text;
}

static int
is_done(const cJSON *r)
{
	const char *s = report_str(r, "status");

	return s != NULL && strcmp(s, "done") == 0;
}

/* The title and the one line that says what the batch is. */
static void
summary_title(struct report_doc *d, const cJSON *sum)
{
	const cJSON *r,
	    *rank = cJSON_GetObjectItemCaseSensitive(sum, "ranking");
	int done = 0, n = 0;
	char day[48], *line;

	cJSON_ArrayForEach(r, rank) {
		n++;
		done += is_done(r);
	}
	report_text(d, d->bold, 20, report_navy, d->left, d->y - 20,
	    _("Batch summary"));
	d->y -= 34;
	line = xasprintf(_("Watchlist %s · as of %s · %d symbols: %d done, "
			   "%d failed · batch %s"),
	    report_fmt_str(sum, "watchlist"),
	    numfmt_date(day, sizeof day, report_fmt_str(sum, "as_of")), n, done,
	    n - done, report_fmt_str(sum, "id"));
	report_paragraph(d, d->font, 9, report_muted, line, NULL, 0);
	free(line);
}

/* "What changed": one line per changed symbol, amber. */
static void
summary_changes(struct report_doc *d, const cJSON *sum)
{
	const cJSON *r;
	char *ch, *line;
	int any = 0;

	report_heading(d, _("What changed"), 30);
	if (report_str(sum, "previous") == NULL) {
		report_paragraph(d, d->font, 9, report_muted,
		    _("No previous batch of this watchlist to compare with."),
		    NULL, 0);
		return;
	}
	cJSON_ArrayForEach(r,
	    cJSON_GetObjectItemCaseSensitive(sum, "ranking")) {
		if ((ch = changes_text(r)) == NULL)
			continue;
		line = xasprintf("%s: %s", report_fmt_str(r, "symbol"), ch);
		report_paragraph(d, d->bold, 9, report_amber, line, NULL, 0);
		free(line);
		free(ch);
		any = 1;
	}
	line = xasprintf(_("Compared with batch %s."),
	    report_fmt_str(sum, "previous"));
	if (!any)
		report_paragraph(d, d->font, 9, report_muted,
		    _("Nothing changed since the previous batch."), NULL, 0);
	report_paragraph(d, d->font, 8, report_muted, line, NULL, 0);
	free(line);
}

/* Cell text into CELL (heap, freed by rank_table). */
static void
cell(struct report_cell *c, char *text, int bold, const struct rgb *color)
{
	*c = (struct report_cell){ text, bold, color };
}

/* The ranking, changed rows' changes in amber, failures in red. */
static void
summary_table(struct report_doc *d, const cJSON *sum)
{
	const cJSON *rank = cJSON_GetObjectItemCaseSensitive(sum, "ranking"),
		    *r;
	size_t n = (size_t)cJSON_GetArraySize(rank), i = 0, k;
	struct report_cell *c = xcalloc(n * RANK_NCOLS + 1, sizeof *c);
	struct report_col cols[RANK_NCOLS];
	char b[REPORT_FMT], *ch;

	for (k = 0; k < RANK_NCOLS; k++) {
		cols[k] = rank_cols[k];
		cols[k].title = _(rank_cols[k].title);
	}
	report_heading(d, _("Ranking"), 60);
	cJSON_ArrayForEach(r, rank) {
		struct report_cell *row = c + i * RANK_NCOLS;

		ch = changes_text(r);
		cell(&row[0],
		    xstrdup(report_fmt_num(b, r, "rank", REPORT_PLAIN, 0,
			NULL)),
		    0, NULL);
		cell(&row[1], xstrdup(report_fmt_str(r, "symbol")), 1, NULL);
		cell(&row[2], xstrdup(report_fmt_str(r, "status")), !is_done(r),
		    is_done(r) ? NULL : &report_down);
		cell(&row[3],
		    xstrdup(report_fmt_num(b, r, "overall", REPORT_PLAIN, 1,
			NULL)),
		    1, NULL);
		cell(&row[4],
		    xstrdup(report_fmt_num(b, r, "technical", REPORT_PLAIN, 1,
			NULL)),
		    0, NULL);
		cell(&row[5],
		    xstrdup(report_fmt_num(b, r, "fundamental", REPORT_PLAIN, 1,
			NULL)),
		    0, NULL);
		cell(&row[6],
		    xstrdup(report_fmt_num(b, r, "one_year_return_percent",
			REPORT_SIGNED, 1, "%")),
		    0, NULL);
		cell(&row[7],
		    xstrdup(report_fmt_num(b, r, "volatility_percent",
			REPORT_PLAIN, 1, "%")),
		    0, NULL);
		cell(&row[8], ch != NULL ? ch : xstrdup(""), ch != NULL,
		    ch != NULL ? &report_amber : NULL);
		i++;
	}
	report_table(d, cols, RANK_NCOLS, c, n);
	for (k = 0; k < n * RANK_NCOLS; k++)
		free((char *)c[k].text);
	free(c);
}

/* One symbol's small chart in the cell whose top left is (X, Y). */
static void
spark_cell(struct report_doc *d, const cJSON *r, float x, float y, float w)
{
	char b[REPORT_FMT], *head, *ch = changes_text(r), *fit;
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(r, "spark");

	head = xasprintf("%s  %s", report_fmt_str(r, "symbol"),
	    is_done(r) ?
		report_fmt_num(b, r, "overall", REPORT_PLAIN, 1, NULL) :
		_("failed"));
	fit = report_text_fit(d, d->bold, 8, head, w);
	report_text(d, d->bold, 8, is_done(r) ? report_ink : report_down, x,
	    y - 8, fit);
	free(fit);
	report_chart_spark(d, s, x, y - 12, w, SPARK_H,
	    ch != NULL ? report_amber : report_rule, ch != NULL ? 1.4f : 0.5f);
	if (ch != NULL) {
		fit = report_text_fit(d, d->font, 6.5f, ch, w);
		report_text(d, d->font, 6.5f, report_amber, x,
		    y - 12 - SPARK_H - 9, fit);
		free(fit);
	}
	free(ch);
	free(head);
}

/* The grid of small charts, SPARK_COLS to a row, across pages. */
static void
summary_sparks(struct report_doc *d, const cJSON *sum)
{
	const cJSON *r;
	float gap = 10,
	      w = (d->right - d->left - gap * (SPARK_COLS - 1)) / SPARK_COLS;
	int col = 0;

	report_heading(d, _("A year of each symbol"), SPARK_CELL_H);
	report_paragraph(d, d->font, 8, report_muted,
	    _("Close (dark) and 200-day average (light); an amber frame marks "
	      "a symbol that changed since the previous batch."),
	    NULL, 0);
	report_gap(d, 4);
	cJSON_ArrayForEach(r,
	    cJSON_GetObjectItemCaseSensitive(sum, "ranking")) {
		if (col == 0)
			report_ensure(d, SPARK_CELL_H);
		spark_cell(d, r, d->left + (float)col * (w + gap), d->y, w);
		if (++col == SPARK_COLS) {
			col = 0;
			d->y -= SPARK_CELL_H;
		}
	}
	if (col != 0)
		d->y -= SPARK_CELL_H;
}

static void
summary_body(struct report_doc *d, const void *arg)
{
	const cJSON *sum = arg;

	summary_title(d, sum);
	summary_changes(d, sum);
	summary_table(d, sum);
	summary_sparks(d, sum);
}

int
report_summary_write(const cJSON *summary, const struct report_pdf_opts *o,
    const char *path, char **cause)
{
	static const struct report_pdf_opts defaults;
	struct report_frame f;
	struct report_doc d;
	char *gen, *title, *right, *foot, day[48];
	int rc;

	if (o == NULL)
		o = &defaults;
	memset(&d, 0, sizeof d);
	memset(&f, 0, sizeof f);
	d.state = summary;
	d.symbol = d.company = report_fmt_str(summary, "id");
	gen = o->generated_at != NULL ? xstrdup(o->generated_at) :
					report_now_iso();
	title = xasprintf(_("Batch summary %s (as of %s)"),
	    report_fmt_str(summary, "id"), report_fmt_str(summary, "as_of"));
	right = xasprintf(_("%s · as of %s"),
	    report_fmt_str(summary, "watchlist"),
	    numfmt_date(day, sizeof day, report_fmt_str(summary, "as_of")));
	foot = xasprintf(_("Batch %s  ·  Generated %s  ·  stockagent"),
	    report_fmt_str(summary, "id"), numfmt_date(day, sizeof day, gen));
	f.title = title;
	f.subject = title;
	f.keywords = "batch summary";
	f.head_left = _("BATCH SUMMARY");
	f.head_right = right;
	f.foot = foot;
	f.generated_at = gen;
	f.body = summary_body;
	f.arg = summary;
	rc = report_doc_write(&d, o, &f, path, NULL, cause);
	free(foot);
	free(right);
	free(title);
	free(gen);
	return rc;
}
