/*
 * batch-watchlist.h: the symbols a batch analyzes.
 *
 * A watchlist is a text file with one symbol a line, '#' comments and
 * blank lines, or a CSV file whose header row has a "symbol" column (any
 * case). Symbols are normalised as analyze normalises them; a symbol
 * listed twice is analyzed once.
 */
#ifndef STOCKAGENT_BATCH_WATCHLIST_H
#define STOCKAGENT_BATCH_WATCHLIST_H

#include <stdio.h>

#include <cjson/cJSON.h>

/* The most bytes of a watchlist line and the most symbols of a batch. */
#define BATCH_WATCHLIST_LINE_MAX 4096
#define BATCH_WATCHLIST_MAX 100000

/*
 * Adds the symbols of F (read to its end; NAME is how messages call it)
 * to the array LIST, skipping those it holds. Returns 0, or -1 with
 * *cause: one line per bad symbol, "NAME:LINE: why".
 */
int batch_watchlist_read(FILE *f, const char *name, cJSON *list, char **cause);

/* Adds symbol IN, normalised, to LIST unless it holds it; 0 or -1 with
 * *cause. */
int batch_watchlist_add(cJSON *list, const char *in, char **cause);

#endif
