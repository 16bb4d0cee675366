/*
 * batch-watchlist.c: the symbols a batch analyzes (see batch-watchlist.h).
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/xmalloc.h"
#include "src/batch-watchlist.h"
#include "tools/symbol.h"

int
batch_watchlist_add(cJSON *list, const char *in, char **cause)
{
	char sym[SYMBOL_MAX + 1];
	const cJSON *it;

	if (symbol_normalize(in, sym, cause) != 0)
		return -1;
	cJSON_ArrayForEach(it, list) {
		if (strcmp(it->valuestring, sym) == 0)
			return 0;
	}
	if (cJSON_GetArraySize(list) >= BATCH_WATCHLIST_MAX) {
		*cause = xasprintf("more than %d symbols", BATCH_WATCHLIST_MAX);
		return -1;
	}
	cJSON_AddItemToArray(list, cJSON_CreateString(sym));
	return 0;
}

/* LINE without its comment and surrounding blanks (in place). */
static char *
batch_watchlist_trim(char *line)
{
	char *end;

	line[strcspn(line, "#\r\n")] = '\0';
	while (isspace((unsigned char)*line))
		line++;
	end = line + strlen(line);
	while (end > line && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return line;
}

/* Field COL of the CSV LINE (in place; quotes dropped), or NULL. */
static char *
batch_watchlist_field(char *line, int col)
{
	char *f = line, *end;
	int i;

	for (i = 0; i < col && f != NULL; i++)
		f = (f = strchr(f, ',')) != NULL ? f + 1 : NULL;
	if (f == NULL)
		return NULL;
	f[strcspn(f, ",")] = '\0';
	while (isspace((unsigned char)*f) || *f == '"')
		f++;
	end = f + strlen(f);
	while (end > f && (isspace((unsigned char)end[-1]) || end[-1] == '"'))
		*--end = '\0';
	return f;
}

/* The index of the "symbol" column of the CSV header HEADER, or -1. */
static int
batch_watchlist_column(const char *header)
{
	char *copy, *f;
	int col, found = -1;

	for (col = 0; found < 0; col++) {
		copy = xstrdup(header);
		f = batch_watchlist_field(copy, col);
		if (f != NULL && strcasecmp(f, "symbol") == 0)
			found = col;
		free(copy);
		if (f == NULL)
			break;
	}
	return found;
}

/* Appends "NAME:LINE: WHY" to the message *ALL (heap). */
static void
batch_watchlist_bad(char **all, const char *name, int line, char *why)
{
	char *m = xasprintf("%s%s%s:%d: %s", *all != NULL ? *all : "",
	    *all != NULL ? "\n" : "", name, line, why);

	free(*all);
	free(why);
	*all = m;
}

int
batch_watchlist_read(FILE *f, const char *name, cJSON *list, char **cause)
{
	char buf[BATCH_WATCHLIST_LINE_MAX], *p, *why = NULL, *bad = NULL;
	int n = 0, col = -1, first = 1;

	while (fgets(buf, sizeof buf, f) != NULL) {
		n++;
		if (*(p = batch_watchlist_trim(buf)) == '\0')
			continue;
		if (first && strchr(p, ',') != NULL) {
			if ((col = batch_watchlist_column(p)) < 0) {
				batch_watchlist_bad(&bad, name, n,
				    xstrdup("a CSV watchlist needs a 'symbol' "
					    "column "
					    "in its header row"));
				break;
			}
			first = 0;
			continue;
		}
		first = 0;
		if (col >= 0 && (p = batch_watchlist_field(p, col)) == NULL)
			p = "";
		if (batch_watchlist_add(list, p, &why) != 0)
			batch_watchlist_bad(&bad, name, n, why);
	}
	if (ferror(f))
		batch_watchlist_bad(&bad, name, n, xstrdup("read error"));
	*cause = bad;
	return bad != NULL ? -1 : 0;
}
