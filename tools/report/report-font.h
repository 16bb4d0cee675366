/*
 * report-font.h: the embedded fonts' subsets made whole, private to
 * tools/report.
 */
#ifndef STOCKAGENT_REPORT_FONT_H
#define STOCKAGENT_REPORT_FONT_H

#include <hpdf.h>

/*
 * Marks every component, at any depth, of the glyphs FONT has used so far,
 * reading the glyph data from PATH (the file FONT was loaded from), so
 * libharu embeds them too; call it before saving. Returns 0, or -1 with
 * *CAUSE (the caller frees) when the file cannot be read.
 */
int report_font_complete(HPDF_Font font, const char *path, char **cause);

#endif
