/*
 * jsonwrite.h: compact JSON text of a cJSON tree, fast where checkpoints
 * need it.
 *
 * The same text as cJSON_PrintUnformatted but for the numbers: cJSON
 * prints each number with sprintf("%1.15g") and reads it back with sscanf
 * to check it, which is most of a checkpoint's cost. Here an integer
 * (|v| < 2^53) is written by itself, a number with at most 9 decimals as
 * the integer v x 10^d with its point put back once (double)m / 10^d == v
 * (then the text reads back as v: the division is correctly rounded), and
 * only the others go through "%.15g" (checked with strtod) or "%.17g".
 * Every number reads back as the same double; NaN and infinities are
 * written as null, as cJSON writes them.
 */
#ifndef STOCKAGENT_JSONWRITE_H
#define STOCKAGENT_JSONWRITE_H

#include <cjson/cJSON.h>

#include "lib/xmalloc.h"

/* The text of V (NULL: "null"); heap string the caller frees. */
char *jsonwrite_print(const cJSON *v);

/* Appends "KEY":V to B (an object's member; the caller writes the braces
 * and commas). */
void jsonwrite_member(struct buf *b, const char *key, const cJSON *v);

#endif
