/*
 * report.h: the PDF stock report (libharu).
 *
 * report_pdf_write renders a finished run state (the cJSON document the
 * graph builds: request, market, analysis, report) as a client-ready PDF:
 * page 1 has the title, an executive summary with score gauges and a
 * 12-month price chart; the following pages hold the momentum panels,
 * market data, fundamentals, the analysis with its observations, the
 * narrative, news, risk, methodology and the disclaimer. Every page has a
 * header and a "page X of Y" footer with the run id and generation time.
 *
 * Missing or null fields print as "n/a"; the writer never fails because
 * the state is incomplete, only because fonts, libharu or the file system
 * fail. The charts draw the analysis's columnar chart series: the caller
 * passes them when the state holds only a reference to them (see
 * tools/analyze.h).
 */
#ifndef STOCKAGENT_REPORT_H
#define STOCKAGENT_REPORT_H

#include <time.h>

#include <cjson/cJSON.h>

#include "lib/paths.h"

/* Debian's fonts-dejavu-core; any TrueType file with the glyphs will do. */
#define REPORT_FONT_DIR "/usr/share/fonts/truetype/dejavu/"
#define REPORT_FONT_REGULAR REPORT_FONT_DIR "DejaVuSans.ttf"
#define REPORT_FONT_BOLD REPORT_FONT_DIR "DejaVuSans-Bold.ttf"

struct report_pdf_opts {
	const char *paper;	  /* "letter" (default, also NULL) or "a4" */
	const char *run_id;	  /* NULL: request.thread_id of the state */
	const char *generated_at; /* NULL: report.generated_at, else now */
	const char *font_regular; /* TrueType file; NULL: DejaVu Sans */
	const char *font_bold;	  /* TrueType file; NULL: DejaVu Sans Bold */
	const cJSON *series;	  /* borrowed; NULL: analysis.series */
	/* report_pdf_write_new: called before the file takes a name (see
	 * paths_write_new); NULL for none. */
	paths_claim_fn claim;
	void *claim_arg;
};

/*
 * Writes the report for STATE (borrowed, not modified) to PATH. O may be
 * NULL for the defaults. The PDF is built in memory and written to a
 * temporary file beside PATH which is then renamed, so PATH is either the
 * complete new report or untouched. Returns 0, or -1 with *CAUSE (the
 * caller frees) naming the font, the libharu error or the path.
 */
int report_pdf_write(const cJSON *state, const struct report_pdf_opts *o,
    const char *path, char **cause);

/*
 * As report_pdf_write, but never replaces a file: the report goes to PATH
 * when it is free, else to PATH with "-2", "-3", ... before ".pdf" (see
 * paths_write_new). *WRITTEN_OUT is the path taken (caller frees).
 */
int report_pdf_write_new(const cJSON *state, const struct report_pdf_opts *o,
    const char *path, char **written_out, char **cause);

/*
 * The report's path relative to an output directory, from the one UTC
 * timestamp T: "YYYY/MM/DD/SYMBOL_Stock_Report_YYYYMMDD_HHMMSS.pdf".
 * Characters of SYMBOL other than letters, digits, '.', '-' and '_' become
 * '_' so the name is always one path component. Heap string, caller frees.
 */
char *report_pdf_relpath(const char *symbol, time_t t);

/*
 * The summary of a batch as a PDF at PATH (written as report_pdf_write
 * writes): what changed since the previous batch, the ranking table and
 * a small chart per symbol. SUMMARY (borrowed) is the batch summary
 * object: id, as_of, watchlist, previous (may be missing) and ranking, an
 * array of rows {rank, symbol, status, overall, technical, fundamental,
 * one_year_return_percent, volatility_percent, label, changes (array of
 * strings), message, spark {close, sma200}}; missing values print "n/a".
 * O may be NULL (only paper, fonts and generated_at are read). Returns
 * 0, or -1 with *cause.
 */
int report_summary_write(const cJSON *summary, const struct report_pdf_opts *o,
    const char *path, char **cause);

#endif
