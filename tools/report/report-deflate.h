/*
 * report-deflate.h: the deflate level of the PDF's streams, private to
 * tools/report.
 *
 * libharu compresses every stream with zlib's default level (6) and has no
 * setting for it. Most of what a report deflates is its two embedded
 * fonts (about 300 KB of TrueType data a document), where level 1 costs a
 * third of the time for files about 7% larger. report-deflate.c defines
 * zlib's deflateInit_, the entry libharu calls, so the program's
 * definition is the one libharu's call binds to; it starts the stream at
 * the level set here through zlib's deflateInit2_ (found with dlsym).
 * Nothing else in the program deflates.
 */
#ifndef STOCKAGENT_REPORT_DEFLATE_H
#define STOCKAGENT_REPORT_DEFLATE_H

/* Sets the level (1 fastest .. 9 smallest; -1 zlib's default). */
void report_deflate_level(int level);

#endif
