/*
 * csv.h: comma-separated values as RFC 4180 reads them.
 *
 * One header row, then one row per record; a field holding a comma, a
 * double quote, a CR or an LF is quoted and its quotes doubled. Rows end
 * in LF (what Unix tools expect; every RFC 4180 reader accepts it).
 * Numbers are written unformatted, with the digits the JSON output gives
 * them; a missing or non-finite number is an empty field.
 */
#ifndef STOCKAGENT_CSV_H
#define STOCKAGENT_CSV_H

#include <stdio.h>

#include <cjson/cJSON.h>

/* One column: its header and where its value is in a record. */
struct csv_column {
	const char *name; /* "rsi14" */
	const char *path; /* "analysis.indicators.rsi14" (jsonutil_path) */
};

/* Writes S as one field (quoted when it must be). */
void csv_field(FILE *f, const char *s);

/* Writes V as one field: "26.96", "-0.4958197795631871", "2", or empty. */
void csv_number(FILE *f, double v);

/*
 * Writes the records of ROWS (an array of objects, or one object) under
 * the columns COLS (N of them): the header row first when HEADER is set.
 * A string, number or boolean is written as such; null, a missing key, an
 * array or an object is an empty field.
 */
void csv_write(FILE *f, const cJSON *rows, const struct csv_column *cols,
    size_t n, int header);

#endif
