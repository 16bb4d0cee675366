/*
 * report-pdf.c: the document, the top of the report's files: libharu
 * setup and errors, the embedded fonts (completed by report-font.c),
 * metadata, the running header and footer, and the atomic write.
 *
 * Pages are laid out first (report-sections.c) and kept in order; the
 * headers and "page X of Y" footers are drawn afterwards (report-page.c),
 * once the page count is known. The document is saved into libharu's memory
 * stream and written with paths_write_atomic, so a failed run never leaves a
 * partial PDF at the destination.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/i18n.h"
#include "lib/jsonutil.h"
#include "lib/numfmt.h"
#include "lib/paths.h"
#include "lib/xmalloc.h"
#include "tools/report/report-deflate.h"
#include "tools/report/report-doc.h"
#include "tools/report/report-encoder.h"
#include "tools/report/report-font.h"
#include "tools/report/report-json.h"
#include "tools/report/report-page.h"
#include "tools/report/report-sections.h"
#include "tools/report/report.h"

/* The first libharu error, recorded by the handler. */
struct hpdf_error {
	HPDF_STATUS status, detail;
};

static void
on_hpdf_error(HPDF_STATUS status, HPDF_STATUS detail, void *arg)
{
	struct hpdf_error *e = arg;

	if (e->status == 0) {
		e->status = status;
		e->detail = detail;
	}
}

/* Loads one TrueType file; NULL name with *CAUSE on failure. */
static const char *
load_font(HPDF_Doc pdf, struct hpdf_error *err, const char *path, char **cause)
{
	const char *name;

	if (access(path, R_OK) != 0) {
		*cause = xasprintf(
		    "font %s: %s; install it with `apt-get "
		    "install fonts-dejavu-core` or name another TrueType font",
		    path, strerror(errno));
		return NULL;
	}
	name = HPDF_LoadTTFontFromFile(pdf, path, HPDF_TRUE);
	if (name == NULL || err->status != 0) {
		*cause = xasprintf(
		    "font %s: libharu cannot embed it (error "
		    "0x%04X); use a TrueType (.ttf) font such as DejaVu Sans "
		    "from fonts-dejavu-core",
		    path, (unsigned)err->status);
		return NULL;
	}
	return name;
}

/*
 * The default font PATH, or where the system has none, the copy among the
 * data files (fonts/NAME: a Lambda package carries one). Heap string.
 */
static char *
default_font(const char *path, const char *name)
{
	char *rel, *found, *why = NULL;

	if (access(path, R_OK) == 0)
		return xstrdup(path);
	rel = xasprintf("fonts/%s", name);
	found = paths_data_file(rel, &why);
	free(why);
	free(rel);
	return found != NULL ? found : xstrdup(path);
}

static int
setup_fonts(struct report_doc *d, struct hpdf_error *err, const char *reg_path,
    const char *bold_path, char **cause)
{
	const char *reg, *bold;

	if (report_encoder_use(d->pdf) != HPDF_OK) {
		*cause = xstrdup("libharu cannot register the report's UTF-8 "
				 "encoder (needs 2.3+)");
		return -1;
	}
	reg = load_font(d->pdf, err, reg_path, cause);
	if (reg == NULL)
		return -1;
	bold = load_font(d->pdf, err, bold_path, cause);
	if (bold == NULL)
		return -1;
	d->font = HPDF_GetFont(d->pdf, reg, REPORT_ENCODER);
	d->bold = HPDF_GetFont(d->pdf, bold, REPORT_ENCODER);
	report_encoder_fonts_made(d->pdf);
	if (d->font == NULL || d->bold == NULL) {
		*cause = xasprintf("libharu cannot use the fonts with UTF-8 "
				   "(error 0x%04X)",
		    (unsigned)err->status);
		return -1;
	}
	HPDF_SetCurrentEncoder(d->pdf, REPORT_ENCODER);
	return 0;
}

/* "2025-09-04T23:12:03Z" -> HPDF_Date; 0 or -1. */
static int
parse_iso(const char *s, HPDF_Date *dt)
{
	int y, mo, da, h = 0, mi = 0, se = 0;

	if (s == NULL ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &da, &h, &mi, &se) <
		3 ||
	    mo < 1 || mo > 12 || da < 1 || da > 31 || h > 23 || mi > 59 ||
	    se > 59)
		return -1;
	*dt = (HPDF_Date){ y, mo, da, h, mi, se, 'Z', 0, 0 };
	return 0;
}

static void
set_metadata(struct report_doc *d, const struct report_frame *f)
{
	HPDF_Date dt;

	HPDF_SetInfoAttr(d->pdf, HPDF_INFO_TITLE, f->title);
	HPDF_SetInfoAttr(d->pdf, HPDF_INFO_AUTHOR, "stockagent");
	HPDF_SetInfoAttr(d->pdf, HPDF_INFO_CREATOR, "stockagent " VERSION);
	HPDF_SetInfoAttr(d->pdf, HPDF_INFO_SUBJECT, f->subject);
	HPDF_SetInfoAttr(d->pdf, HPDF_INFO_KEYWORDS, f->keywords);
	if (parse_iso(f->generated_at, &dt) == 0) {
		HPDF_SetInfoDateAttr(d->pdf, HPDF_INFO_CREATION_DATE, dt);
		HPDF_SetInfoDateAttr(d->pdf, HPDF_INFO_MOD_DATE, dt);
	}
}

/* Header and footer of page I of N. */
static void
page_frame(struct report_doc *d, size_t i, const struct report_frame *f)
{
	char *left, num[48];
	float y = d->ph - 36, fy = 34, nw;

	d->page = d->pages[i];
	report_text(d, d->bold, 7.5f, report_navy, d->left, y, f->head_left);
	left = report_text_fit(d, d->font, 7.5f, f->head_right,
	    d->right - d->left - 120);
	report_text_right(d, d->font, 7.5f, report_muted, d->right, y, left);
	free(left);
	report_hline(d, report_navy, 0.8f, d->left, d->right, y - 7);

	snprintf(num, sizeof num, _("Page %zu of %zu"), i + 1, d->npages);
	nw = report_text_width(d, d->bold, 7, num);
	report_hline(d, report_rule, 0.5f, d->left, d->right, fy + 11);
	report_text_right(d, d->bold, 7, report_ink, d->right, fy, num);
	left = report_text_fit(d, d->font, 7, f->foot,
	    d->right - d->left - nw - 16);
	report_text(d, d->font, 7, report_muted, d->left, fy, left);
	free(left);
}

/* Saves into memory and writes PATH atomically, or, with WRITTEN_OUT, a
 * new file at PATH or a numbered name beside it (*written_out). */
static int
save(struct report_doc *d, struct hpdf_error *err,
    const struct report_pdf_opts *o, const char *path, char **written_out,
    char **cause)
{
	HPDF_UINT32 size, got;
	HPDF_BYTE *data = NULL;
	int rc = -1;

	if (HPDF_SaveToStream(d->pdf) != HPDF_OK || err->status != 0) {
		*cause = xasprintf("%s: libharu cannot build the PDF (error "
				   "0x%04X, detail %u)",
		    path, (unsigned)err->status, (unsigned)err->detail);
		return -1;
	}
	size = HPDF_GetStreamSize(d->pdf);
	data = xmalloc(size ? size : 1);
	got = size;
	HPDF_ResetStream(d->pdf);
	if (HPDF_ReadFromStream(d->pdf, data, &got) != HPDF_OK && got != size) {
		*cause = xasprintf("%s: libharu stream read failed (%u of %u "
				   "bytes)",
		    path, (unsigned)got, (unsigned)size);
		goto out;
	}
	if (written_out != NULL)
		rc = paths_write_new(path, data, got, o->claim, o->claim_arg,
		    written_out, cause);
	else
		rc = paths_write_atomic(path, data, got, cause);
out:
	free(data);
	return rc;
}

char *
report_now_iso(void)
{
	time_t t = time(NULL);
	struct tm tm;
	char buf[32];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(buf);
}

int
report_doc_write(struct report_doc *d, const struct report_pdf_opts *o,
    const struct report_frame *f, const char *path, char **written_out,
    char **cause)
{
	struct hpdf_error err = { 0, 0 };
	char *reg_path = NULL, *bold_path = NULL;
	size_t i;
	int rc = -1, a4;

	a4 = o->paper != NULL && strcmp(o->paper, "a4") == 0;
	if (o->paper != NULL && !a4 && strcmp(o->paper, "letter") != 0) {
		*cause = xasprintf("paper size %s: use letter or a4", o->paper);
		return -1;
	}
	d->pw = a4 ? 595.276f : 612.0f;
	d->ph = a4 ? 841.89f : 792.0f;
	d->left = 54;
	d->right = d->pw - 54;
	d->top = d->ph - 62;
	d->bottom = 56;
	if ((d->pdf = HPDF_New(on_hpdf_error, &err)) == NULL) {
		*cause = xstrdup("libharu cannot create a document");
		goto cleanup;
	}
	HPDF_SetCompressionMode(d->pdf, HPDF_COMP_ALL);
	report_deflate_level(1); /* fonts: a third of the time, +7% size */
	reg_path = o->font_regular ?
	    xstrdup(o->font_regular) :
	    default_font(REPORT_FONT_REGULAR, "DejaVuSans.ttf");
	bold_path = o->font_bold ?
	    xstrdup(o->font_bold) :
	    default_font(REPORT_FONT_BOLD, "DejaVuSans-Bold.ttf");
	if (setup_fonts(d, &err, reg_path, bold_path, cause) != 0)
		goto cleanup;
	set_metadata(d, f);
	report_new_page(d);
	f->body(d, f->arg);
	for (i = 0; i < d->npages; i++)
		page_frame(d, i, f);
	if (report_font_complete(d->font, reg_path, cause) != 0 ||
	    report_font_complete(d->bold, bold_path, cause) != 0)
		goto cleanup;
	rc = save(d, &err, o, path, written_out, cause);
cleanup:
	if (d->pdf != NULL)
		HPDF_Free(d->pdf);
	d->pdf = NULL;
	free(d->pages);
	d->pages = NULL;
	free(reg_path);
	free(bold_path);
	return rc;
}

/* The stock report's pages (a report_frame body). */
static void
stock_body(struct report_doc *d, const void *arg)
{
	(void)arg;
	report_sections(d);
}

static int
pdf_write(const cJSON *state, const struct report_pdf_opts *o, const char *path,
    char **written_out, char **cause)
{
	static const struct report_pdf_opts defaults;
	struct report_frame f;
	struct report_doc d;
	char *gen = NULL, *title, *subject, *right, *foot, day[48];
	int rc;

	if (o == NULL)
		o = &defaults;
	memset(&d, 0, sizeof d);
	memset(&f, 0, sizeof f);
	d.state = state;
	d.series = o->series ? o->series :
			       jsonutil_path(state, "analysis.series");
	d.symbol = report_str(state, "request.symbol");
	if (d.symbol == NULL)
		d.symbol = report_fmt_str(state, "market.symbol");
	d.company = report_str(state, "market.profile.name");
	if (d.company == NULL)
		d.company = d.symbol;
	gen = xstrdup(o->generated_at ?
		o->generated_at :
		report_str(state, "report.generated_at") ?
		report_str(state, "report.generated_at") :
		"");
	if (gen[0] == '\0') {
		free(gen);
		gen = report_now_iso();
	}
	title = xasprintf(_("Stock Analysis Report: %s (%s)"), d.symbol,
	    d.company);
	subject = xasprintf(
	    _("Technical, fundamental and risk analysis of %s as of "
	      "%s"),
	    d.symbol, report_fmt_str(state, "analysis.as_of"));
	right = xasprintf(_("%s · %s · as of %s"), d.company, d.symbol,
	    numfmt_date(day, sizeof day,
		report_fmt_str(state, "analysis.as_of")));
	f.title = title;
	f.subject = subject;
	f.keywords = d.symbol;
	f.head_left = _("STOCK ANALYSIS REPORT");
	f.head_right = right;
	foot = xasprintf(_("Run %s  ·  Generated %s  ·  stockagent"),
	    o->run_id ? o->run_id : report_fmt_str(state, "request.thread_id"),
	    numfmt_date(day, sizeof day, gen));
	f.foot = foot;
	f.generated_at = gen;
	f.body = stock_body;
	rc = report_doc_write(&d, o, &f, path, written_out, cause);
	free(foot);
	free(right);
	free(subject);
	free(title);
	free(gen);
	return rc;
}

int
report_pdf_write(const cJSON *state, const struct report_pdf_opts *o,
    const char *path, char **cause)
{
	return pdf_write(state, o, path, NULL, cause);
}

int
report_pdf_write_new(const cJSON *state, const struct report_pdf_opts *o,
    const char *path, char **written_out, char **cause)
{
	return pdf_write(state, o, path, written_out, cause);
}

char *
report_pdf_relpath(const char *symbol, time_t t)
{
	struct tm tm;
	char stamp[32], *sym = xstrdup(symbol && *symbol ? symbol : "UNKNOWN"),
			*p, *out;

	for (p = sym; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			(*p >= '0' && *p <= '9') || *p == '.' || *p == '-' ||
			*p == '_'))
			*p = '_';
	if (strcmp(sym, ".") == 0 || strcmp(sym, "..") == 0)
		sym[0] = '_';
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof stamp, "%Y/%m/%d/", &tm);
	out = xasprintf("%s%s_Stock_Report_", stamp, sym);
	strftime(stamp, sizeof stamp, "%Y%m%d_%H%M%S", &tm);
	p = xasprintf("%s%s.pdf", out, stamp);
	free(out);
	free(sym);
	return p;
}
