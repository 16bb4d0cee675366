/*
 * unit-report.c: the PDF report, checked the way a reader would.
 *
 * Writes reports for the fixtures into a mktemp directory and reads them
 * back with poppler-utils and qpdf: the text holds the symbol, company,
 * price, scores and every section heading; Vietnamese round-trips; page 1
 * renders and is not blank; Letter and A4 sizes; no word past the margins;
 * errors for an unwritable directory (no file left) and missing fonts.
 * Exits 77 when pdftotext, pdftoppm, pdfinfo or qpdf is missing.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/xmalloc.h"
#include "tests/testlib.h"
#include "tools/report/report.h"

static char dir[] = "/tmp/unit-report.XXXXXX";

/* Runs CMD through the shell; its stdout (heap), NULL when it fails. */
static char *
run(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	struct buf b;
	char chunk[8192];
	size_t n;

	if (p == NULL)
		return NULL;
	buf_init(&b, 64u << 20);
	buf_append(&b, "", 0);
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
		buf_append(&b, chunk, n);
	if (pclose(p) != 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_take(&b);
}

static cJSON *
load(const char *name)
{
	const char *top = getenv("top_srcdir");
	char *path = xasprintf("%s/tests/fixtures/report/%s", top ? top : ".",
		 name),
	     *cmd = xasprintf("cat '%s'", path), *text = run(cmd);
	cJSON *j = text ? cJSON_Parse(text) : NULL;

	if (j == NULL)
		printf("cannot load %s\n", path);
	free(path);
	free(cmd);
	free(text);
	return j;
}

static char *
pdftext(const char *pdf)
{
	char *cmd = xasprintf("pdftotext -enc UTF-8 '%s' - 2>/dev/null", pdf);
	char *t = run(cmd);

	free(cmd);
	return t ? t : xstrdup("");
}

static int
has(const char *hay, const char *needle)
{
	int ok = strstr(hay, needle) != NULL;

	if (!ok)
		printf("  missing in the PDF text: \"%s\"\n", needle);
	return ok;
}

static int
entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	while (d != NULL && (e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	if (d != NULL)
		closedir(d);
	return n;
}

static void
test_relpath(void)
{
	char *p = report_pdf_relpath("SIM_STOCK", 1757027515);

	TEST_STREQ("relative path from one UTC timestamp", p,
	    "2025/09/04/SIM_STOCK_Stock_Report_20250904_231155.pdf");
	free(p);
	p = report_pdf_relpath("../BRK/B", 0);
	TEST_STREQ("symbol cannot leave its directory", p,
	    "1970/01/01/.._BRK_B_Stock_Report_19700101_000000.pdf");
	free(p);
}

static void
test_english(const cJSON *st)
{
	static const char *const want[] = { "SIM_STOCK", "Simulated Stock Inc.",
		"$226.19", "5/5", "3/5", "4/5", "POSITIVE", "Executive Summary",
		"Price History", "Momentum Indicators", "Market Data",
		"Fundamentals", "Technical Analysis", "Fundamental Analysis",
		"Analyst Commentary", "Recent News", "Risk Assessment",
		"Methodology", "Disclaimer", "2025-09-03", "Page 1 of",
		"3f6b2c1e-8d4a-4f7e-9a51-0c2d7e9b4a10", "12.5%†" };
	struct report_pdf_opts o = { 0 };
	char *pdf = xasprintf("%s/letter.pdf", dir), *cause = NULL, *t, *cmd;
	size_t i;
	int ok = 1;

	TEST_CHECK("letter report is written",
	    report_pdf_write(st, &o, pdf, &cause) == 0);
	free(cause);
	cause = NULL;
	TEST_CHECK("rewriting over an existing report works",
	    report_pdf_write(st, &o, pdf, &cause) == 0);
	if (cause != NULL)
		printf("  cause: %s\n", cause);
	t = pdftext(pdf);
	for (i = 0; i < sizeof want / sizeof want[0]; i++)
		ok &= has(t, want[i]);
	TEST_CHECK("text has symbol, company, price, scores, headings", ok);
	free(t);
	cmd = xasprintf("qpdf --check '%s' >/dev/null 2>&1 && echo ok", pdf);
	t = run(cmd);
	TEST_CHECK("qpdf --check passes", t && strncmp(t, "ok", 2) == 0);
	free(t);
	free(cmd);
	cmd = xasprintf("pdfinfo '%s' 2>/dev/null", pdf);
	t = run(cmd);
	TEST_CHECK("Letter by default", t && strstr(t, "612 x 792 pts"));
	TEST_CHECK("metadata author", t && strstr(t, "stockagent"));
	TEST_CHECK("metadata title",
	    t && strstr(t, "Stock Analysis Report: SIM_STOCK"));
	TEST_CHECK("metadata creation date", t && strstr(t, "Sep  4 23:12:03"));
	free(t);
	free(cmd);
	free(pdf);
}

/*
 * A state whose analysis.series is only a blob reference, the series
 * passed beside it, gives the same PDF as the series inline.
 */
static void
test_series_apart(const cJSON *st)
{
	struct report_pdf_opts o = { 0 };
	cJSON *ref = cJSON_Duplicate(st, 1), *analysis, *series;
	char *inl = xasprintf("%s/inline.pdf", dir);
	char *apart = xasprintf("%s/apart.pdf", dir), *cause = NULL, *cmd, *t;

	analysis = cJSON_GetObjectItemCaseSensitive(ref, "analysis");
	series = cJSON_DetachItemFromObject(analysis, "series");
	cJSON_AddItemToObject(analysis, "series",
	    cJSON_Parse("{\"blob\":\"5d5916cb\"}"));
	o.series = series;
	TEST_CHECK("series inline",
	    report_pdf_write(st, NULL, inl, &cause) == 0);
	TEST_CHECK("series apart from the state",
	    report_pdf_write(ref, &o, apart, &cause) == 0);
	cmd = xasprintf("cmp -s '%s' '%s' && echo same", inl, apart);
	t = run(cmd);
	TEST_CHECK("the same PDF either way", t && strncmp(t, "same", 4) == 0);
	free(t);
	free(cmd);
	t = pdftext(apart);
	TEST_CHECK("the charts are drawn", !strstr(t, "not available"));
	free(t);
	free(cause);
	free(inl);
	free(apart);
	cJSON_Delete(series);
	cJSON_Delete(ref);
}

/* Fraction of pixels darker than white in a binary PGM, or -1. */
static double
ink(const char *pgm)
{
	FILE *f = fopen(pgm, "rb");
	int w, h, max, c;
	long n = 0, dark = 0;

	if (f == NULL || fscanf(f, "P5 %d %d %d", &w, &h, &max) != 3) {
		if (f)
			fclose(f);
		return -1;
	}
	fgetc(f);
	while ((c = fgetc(f)) != EOF) {
		n++;
		dark += c < 200;
	}
	fclose(f);
	return n == (long)w * h && n > 0 ? (double)dark / n : -1;
}

static void
test_render(void)
{
	char *cmd = xasprintf(
		 "cd '%s' && pdftoppm -f 1 -l 1 -r 50 -png "
		 "letter.pdf page && pdftoppm -f 1 -l 1 -r 50 -gray letter.pdf "
		 "gray 2>/dev/null && ls",
		 dir),
	     *t = run(cmd);
	char *pgm = xasprintf("%s/gray-1.pgm", dir);
	struct stat st;
	char *png = xasprintf("%s/page-1.png", dir);
	double f = ink(pgm);

	TEST_CHECK("page 1 renders to PNG",
	    t && stat(png, &st) == 0 && st.st_size > 10000);
	TEST_CHECK("page 1 is not blank (and not solid)", f > 0.03 && f < 0.6);
	printf("  page 1: %.1f%% of pixels inked\n", f * 100);
	free(t);
	free(cmd);
	free(pgm);
	free(png);
}

/* Every word's box lies inside the 54-point margins. */
static void
test_margins(const char *pdf, double pw)
{
	char *cmd = xasprintf("pdftotext -bbox '%s' - 2>/dev/null", pdf);
	char *t = run(cmd), *p;
	double x0, x1, worst_l = 1e9, worst_r = 0;
	int words = 0;

	for (p = t; p && (p = strstr(p, "<word xMin=\"")); p++) {
		if (sscanf(p, "<word xMin=\"%lf\" yMin=\"%*f\" xMax=\"%lf\"",
			&x0, &x1) != 2)
			continue;
		words++;
		worst_l = x0 < worst_l ? x0 : worst_l;
		worst_r = x1 > worst_r ? x1 : worst_r;
	}
	TEST_CHECK("text found for the margin check", words > 100);
	TEST_CHECK("no word runs past the margins",
	    worst_l >= 53 && worst_r <= pw - 53);
	if (!(worst_l >= 53 && worst_r <= pw - 53))
		printf("  words span %.1f..%.1f of %.1f\n", worst_l, worst_r,
		    pw);
	free(t);
	free(cmd);
}

static void
test_vietnamese_a4(const cJSON *st)
{
	struct report_pdf_opts o = { .paper = "a4", .run_id = "run-vi-1" };
	char *pdf = xasprintf("%s/vi-a4.pdf", dir), *cause = NULL, *t, *cmd;

	TEST_CHECK("A4 Vietnamese report is written",
	    report_pdf_write(st, &o, pdf, &cause) == 0);
	free(cause);
	t = pdftext(pdf);
	TEST_CHECK("Vietnamese company name round-trips",
	    has(t, "Công ty Cổ phần Mô phỏng"));
	TEST_CHECK("Vietnamese headline round-trips",
	    has(t, "Cổ phiếu tăng mạnh sau báo cáo lợi nhuận quý"));
	TEST_CHECK("run id option in the footer", has(t, "Run run-vi-1"));
	TEST_CHECK("missing fundamentals print n/a", has(t, "n/a"));
	free(t);
	cmd = xasprintf("pdfinfo '%s' 2>/dev/null", pdf);
	t = run(cmd);
	TEST_CHECK("A4 page size", t && strstr(t, "595.276 x 841.89 pts"));
	TEST_CHECK("UTF-8 title in the metadata",
	    t && strstr(t, "SIM_VN (Công ty Cổ phần Mô phỏng)"));
	free(t);
	free(cmd);
	test_margins(pdf, 595.276);
	free(pdf);
}

/* Long narrative, a giant word, many news items: still inside the page. */
static void
test_long_text(const cJSON *base)
{
	cJSON *st = cJSON_Duplicate(base, 1), *news, *item;
	cJSON *narr = cJSON_GetObjectItem(cJSON_GetObjectItem(st, "analysis"),
	    "narrative");
	struct buf b;
	char *pdf = xasprintf("%s/long.pdf", dir), *cause = NULL, *cmd, *t;
	int i;

	buf_init(&b, 0);
	for (i = 0; i < 400; i++)
		buf_printf(&b,
		    "Sentence %d of a long narrative that must wrap "
		    "and flow onto further pages. %s",
		    i, i % 40 == 39 ? "\n\n" : "");
	for (i = 0; i < 60; i++)
		buf_printf(&b, "Unbreakable");
	cJSON_ReplaceItemInObject(narr, "text", cJSON_CreateString(b.data));
	news = cJSON_GetObjectItem(cJSON_GetObjectItem(st, "market"), "news");
	for (i = 0; i < 80; i++) {
		item = cJSON_CreateObject();
		cJSON_AddStringToObject(item, "date", "2025-08-01");
		cJSON_AddStringToObject(item, "headline",
		    "A long headline that "
		    "goes on and on about the simulated company and its "
		    "simulated quarterly results in great detail");
		cJSON_AddStringToObject(item, "source", "SimWire");
		cJSON_AddItemToArray(news, item);
	}
	TEST_CHECK("long report is written",
	    report_pdf_write(st, NULL, pdf, &cause) == 0);
	free(cause);
	cmd = xasprintf("pdfinfo '%s' 2>/dev/null | grep '^Pages:'", pdf);
	t = run(cmd);
	TEST_CHECK("long text paginates", t && atoi(t + 6) >= 9);
	free(t);
	free(cmd);
	test_margins(pdf, 612);
	buf_free(&b);
	free(pdf);
	cJSON_Delete(st);
}

static void
test_sparse_states(void)
{
	static const char *const states[] = { "{}", "null",
		"{\"analysis\":{\"series\":{\"close\":[1,null,\"x\"],"
		"\"date\":[\"bad\"]},\"scores\":{\"overall\":\"high\"},"
		"\"observations\":{\"technical\":[{\"text\":null}]}},"
		"\"market\":{\"news\":\"nope\",\"profile\":[]}}",
		"{\"analysis\":{\"series\":{\"date\":[\"2025-01-02\","
		"\"2025-01-03\"],\"close\":[5,5],\"volume\":[0,0],"
		"\"rsi14\":[null,null],\"macd\":[0,0]}}}" };
	char *pdf = xasprintf("%s/sparse.pdf", dir), *cause = NULL, *t;
	size_t i;
	cJSON *st;

	for (i = 0; i < sizeof states / sizeof states[0]; i++) {
		st = cJSON_Parse(states[i]);
		TEST_CHECK("a sparse or malformed state still renders",
		    report_pdf_write(st, NULL, pdf, &cause) == 0);
		if (cause != NULL)
			printf("  state %zu: %s\n", i, cause);
		free(cause);
		cause = NULL;
		cJSON_Delete(st);
	}
	t = pdftext(pdf);
	TEST_CHECK("sparse state prints n/a", has(t, "n/a"));
	free(t);
	free(pdf);
}

static void
test_errors(const cJSON *st)
{
	struct report_pdf_opts o = { 0 };
	char *sub = xasprintf("%s/errs", dir);
	char *pdf = xasprintf("%s/missing/out.pdf", sub), *cause = NULL;

	mkdir(sub, 0755);
	TEST_CHECK("unwritable directory fails",
	    report_pdf_write(st, NULL, pdf, &cause) == -1);
	TEST_CHECK("the cause names the path", cause && strstr(cause, pdf));
	TEST_CHECK("nothing is left behind", entries(sub) == 0);
	free(cause);
	cause = NULL;
	free(pdf);

	if (geteuid() != 0) { /* root writes anywhere */
		pdf = xasprintf("%s/out.pdf", sub);
		chmod(sub, 0555);
		TEST_CHECK("read-only directory fails",
		    report_pdf_write(st, NULL, pdf, &cause) == -1);
		chmod(sub, 0755);
		TEST_CHECK("nothing is left in it", entries(sub) == 0);
		free(cause);
		cause = NULL;
		free(pdf);
	}

	pdf = xasprintf("%s/font.pdf", sub);
	o.font_regular = "/nonexistent/NoSuchFont.ttf";
	TEST_CHECK("missing font fails",
	    report_pdf_write(st, &o, pdf, &cause) == -1);
	TEST_CHECK("the cause names the font and the package",
	    cause && strstr(cause, "/nonexistent/NoSuchFont.ttf") &&
		strstr(cause, "apt-get install fonts-dejavu-core"));
	TEST_CHECK("no PDF after a font error", access(pdf, F_OK) != 0);
	free(cause);
	cause = NULL;

	o.font_regular = NULL;
	o.font_bold = "/etc/hostname";
	TEST_CHECK("a file that is not a font fails",
	    report_pdf_write(st, &o, pdf, &cause) == -1 && cause != NULL);
	free(cause);
	cause = NULL;

	o.font_bold = NULL;
	o.paper = "legal";
	TEST_CHECK("unknown paper size fails",
	    report_pdf_write(st, &o, pdf, &cause) == -1 && cause &&
		strstr(cause, "legal"));
	free(cause);
	TEST_CHECK("directory still empty", entries(sub) == 0);
	free(pdf);
	free(sub);
}

int
main(void)
{
	char *t = run("command -v pdftotext pdftoppm pdfinfo qpdf "
		      ">/dev/null 2>&1 && echo ok");
	cJSON *en, *vi;
	char *cmd;

	test_relpath();
	if (t == NULL || strncmp(t, "ok", 2) != 0) {
		printf("poppler-utils or qpdf missing: skipping\n");
		free(t);
		return 77;
	}
	free(t);
	if (mkdtemp(dir) == NULL)
		return 99;
	en = load("state-sim-stock.json");
	vi = load("state-vi.json");
	if (en == NULL || vi == NULL)
		return 99;
	test_english(en);
	test_series_apart(en);
	test_render();
	{
		char *pdf = xasprintf("%s/letter.pdf", dir);

		test_margins(pdf, 612);
		free(pdf);
	}
	test_vietnamese_a4(vi);
	test_long_text(en);
	test_sparse_states();
	test_errors(en);
	cJSON_Delete(en);
	cJSON_Delete(vi);
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("  cannot remove %s\n", dir);
	free(cmd);
	return TEST_REPORT();
}
