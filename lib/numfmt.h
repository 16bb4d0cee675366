/*
 * numfmt.h: numbers as people read them.
 *
 * The text output and the PDF report both print large figures (market
 * cap, revenue, volume) with thousands separators; one function does it
 * so the two agree digit for digit.
 */
#ifndef STOCKAGENT_NUMFMT_H
#define STOCKAGENT_NUMFMT_H

#include <stddef.h>

/*
 * Writes V with DECIMALS digits after the point and a comma between
 * thousands ("-1,234,567.89") into OUT (SIZE bytes, NUL-terminated,
 * cut short when it does not fit). A value that rounds to zero prints
 * without a minus sign. V must be finite; returns OUT.
 */
char *numfmt_grouped(char *out, size_t size, double v, int decimals);

#endif
