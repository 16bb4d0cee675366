/*
 * report-encoder.h: the UTF-8 text encoding of the report's fonts,
 * private to tools/report.
 *
 * libharu's own "UTF-8" encoder (HPDF_UseUTFEncodings) maps all 65,536
 * code points of the Basic Multilingual Plane, so every document pays,
 * per font, a glyph search for each of them (HPDF_TTFontDef_GetGlyphid,
 * a linear walk of the cmap) and writes and deflates a 128 KiB
 * CIDToGIDMap. This encoder reads UTF-8 the same way (CID = code point,
 * Identity-H) but maps only the scripts and symbols a report can show:
 * U+0020-U+052F (Latin with Vietnamese, combining marks, Greek,
 * Cyrillic), U+1D00-U+1FFF (Latin Extended Additional: the rest of
 * Vietnamese, Greek Extended) and U+2000-U+2BFF (punctuation, currency,
 * arrows, mathematical and technical signs, shapes); a character outside
 * them shows as the font's missing glyph.
 *
 * Built on libharu's published encoder structs (hpdf_encoder.h), as
 * report-font.c is on its fontdef structs.
 */
#ifndef STOCKAGENT_REPORT_ENCODER_H
#define STOCKAGENT_REPORT_ENCODER_H

#include <hpdf.h>

/* The name to give HPDF_GetFont. */
#define REPORT_ENCODER "UTF-8-report"

/* Registers the encoder in PDF; HPDF_OK or libharu's error. */
HPDF_STATUS report_encoder_use(HPDF_Doc pdf);

/*
 * Call after HPDF_GetFont has made every font with the encoder: from then
 * on it decodes UTF-8 for text widths (the fonts were built from its code
 * point table, which libharu reads only while it makes a font).
 */
void report_encoder_fonts_made(HPDF_Doc pdf);

#endif
