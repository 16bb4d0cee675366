/*
 * symbol.c: symbol syntax and finding the ticker in a prompt.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/xmalloc.h"
#include "tools/symbol.h"

#define SYMBOL_MAX_WORDS 256

/* Words of a request that are never a ticker. */
static const char *const symbol_stopwords[] = {
	"A",
	"ABOUT",
	"AN",
	"ANALYSE",
	"ANALYSIS",
	"ANALYZE",
	"AND",
	"ARE",
	"AS",
	"AT",
	"BE",
	"BUY",
	"BY",
	"CAN",
	"CHECK",
	"COMPANY",
	"DATA",
	"DO",
	"EQUITY",
	"EVALUATE",
	"FOR",
	"FROM",
	"GET",
	"GIVE",
	"HOLD",
	"HOW",
	"I",
	"IN",
	"INFO",
	"INVEST",
	"INVESTING",
	"INVESTMENT",
	"IS",
	"IT",
	"LOOK",
	"ME",
	"MY",
	"OF",
	"ON",
	"OR",
	"PERFORMANCE",
	"PLEASE",
	"PURPOSE",
	"PURPOSES",
	"REPORT",
	"REVIEW",
	"RUN",
	"SELL",
	"SHARE",
	"SHARES",
	"SHOULD",
	"SHOW",
	"STOCK",
	"STOCKS",
	"SYMBOL",
	"TELL",
	"THE",
	"THIS",
	"TICKER",
	"TO",
	"TODAY",
	"US",
	"WHAT",
	"WITH",
	"YOU",
};

int
symbol_normalize(const char *in, char *out, char **cause)
{
	size_t i, n = in != NULL ? strlen(in) : 0;
	unsigned char c;

	if (n == 0 || n > SYMBOL_MAX) {
		*cause = xasprintf(
		    "invalid symbol '%s': use 1-%d characters "
		    "(letters, digits, . _ - ^ =), e.g. SIM_STOCK",
		    in != NULL ? in : "", SYMBOL_MAX);
		return -1;
	}
	for (i = 0; i < n; i++) {
		c = (unsigned char)in[i];
		if (!(isalnum(c) && c < 128) && strchr("._-^=", c) == NULL)
			break;
		if (i == 0 && !(isalnum(c) && c < 128) && c != '^')
			break;
		out[i] = (char)toupper(c);
	}
	if (i < n || strstr(in, "..") != NULL) {
		*cause = xasprintf(
		    "invalid symbol '%s': use letters, digits "
		    "and . _ - ^ = only, starting with a letter, digit or ^, "
		    "with no two dots in a row, e.g. SIM_STOCK",
		    in);
		return -1;
	}
	out[n] = '\0';
	return 0;
}

static int
symbol_is_stopword(const char *w)
{
	size_t i;

	for (i = 0; i < sizeof symbol_stopwords / sizeof *symbol_stopwords;
	     i++) {
		if (strcasecmp(symbol_stopwords[i], w) == 0)
			return 1;
	}
	return 0;
}

/* Splits PROMPT into words of symbol characters (plus a leading $). */
static size_t
symbol_words(char *text, char **words, size_t max)
{
	size_t n = 0;
	char *p = text, *end;

	while (*p != '\0' && n < max) {
		while (*p != '\0' && !isalnum((unsigned char)*p) &&
		    strchr("$^_", *p) == NULL)
			p++;
		if (*p == '\0')
			break;
		words[n++] = p;
		while (*p != '\0' &&
		    (isalnum((unsigned char)*p) ||
			strchr("$^_.-=", *p) != NULL))
			p++;
		end = p;
		while (end > words[n - 1] && strchr(".-=", end[-1]) != NULL)
			end--;
		if (*p != '\0')
			p++;
		*end = '\0';
	}
	return n;
}

static int
symbol_known(const char *w, const char *const *known, size_t n_known)
{
	size_t i;

	for (i = 0; i < n_known; i++) {
		if (strcasecmp(known[i], w) == 0)
			return 1;
	}
	return 0;
}

/* Score of a word as a ticker candidate; 0 = not one. */
static int
symbol_rank(char **words, size_t i, const char *const *known, size_t n_known)
{
	const char *w = words[i], *q;
	int upper = 1, special = 0;

	if (*w == '$')
		return 5;
	if (symbol_is_stopword(w))
		return 0;
	if (symbol_known(w, known, n_known))
		return 6;
	if (i > 0 &&
	    (strcasecmp(words[i - 1], "ticker") == 0 ||
		strcasecmp(words[i - 1], "symbol") == 0))
		return 4;
	for (q = w; *q != '\0'; q++) {
		if (islower((unsigned char)*q))
			upper = 0;
		if (strchr("_.^", *q) != NULL || isdigit((unsigned char)*q))
			special = 1;
	}
	if (special)
		return 3;
	return upper && strlen(w) >= 1 && strlen(w) <= 6 ? 2 : 0;
}

int
symbol_from_prompt(const char *prompt, const char *const *known, size_t n_known,
    char *out, char **cause)
{
	char *text = xstrdup(prompt != NULL ? prompt : ""),
	     *words[SYMBOL_MAX_WORDS], *best = NULL;
	size_t n, i;
	int rank, best_rank = 0, rc = -1;

	n = symbol_words(text, words, SYMBOL_MAX_WORDS);
	for (i = 0; i < n; i++) {
		rank = symbol_rank(words, i, known, n_known);
		if (rank > best_rank) {
			best_rank = rank;
			best = words[i];
		}
	}
	if (best == NULL) {
		*cause = xasprintf("no ticker symbol found in \"%s\"; name "
				   "one, e.g. \"Analyze SIM_STOCK stock\"",
		    prompt);
	} else {
		rc = symbol_normalize(*best == '$' ? best + 1 : best, out,
		    cause);
	}
	free(text);
	return rc;
}

size_t
symbol_prompt_terms(const char *prompt, char *out, size_t size)
{
	char *text = xstrdup(prompt != NULL ? prompt : ""),
	     *words[SYMBOL_MAX_WORDS];
	size_t n, i, k = 0, used = 0;

	if (size > 0)
		out[0] = '\0';
	n = symbol_words(text, words, SYMBOL_MAX_WORDS);
	for (i = 0; i < n; i++) {
		const char *w = words[i][0] == '$' ? words[i] + 1 : words[i];

		if (*w == '\0' || symbol_is_stopword(w) ||
		    used + strlen(w) + 2 > size)
			continue;
		used += (size_t)snprintf(out + used, size - used, "%s%s",
		    k ? " " : "", w);
		k++;
	}
	free(text);
	return k;
}
