/*
 * symbol.h: ticker symbols as users type them.
 */
#ifndef STOCKAGENT_SYMBOL_H
#define STOCKAGENT_SYMBOL_H

#include <stddef.h>

#define SYMBOL_MAX 20

/* The JSON Schema pattern tools use for a normalised symbol. */
#define SYMBOL_PATTERN "^[A-Z0-9^][A-Z0-9._^=-]{0,19}$"

/*
 * Checks and normalises a symbol: 1-20 characters from letters, digits and
 * . _ - ^ =, starting with a letter, digit or ^, no "..". Letters are
 * upper-cased into OUT (SYMBOL_MAX + 1 bytes). Returns 0, or -1 with *cause
 * naming the input and what is allowed.
 */
int symbol_normalize(const char *in, char *out, char **cause);

/*
 * Finds the ticker in a request such as "Analyze SIM_STOCK stock for
 * investment purposes". KNOWN lists symbols the provider covers (may be
 * NULL); a word naming one of them wins. Otherwise a word after "ticker" or
 * "symbol", a $WORD, a word with an underscore, dot or digit, or an
 * all-capitals word in the original text, in that order; words such as
 * STOCK, FOR or ANALYZE are never taken. Returns 0 with OUT filled, or -1
 * with *cause.
 */
int symbol_from_prompt(const char *prompt, const char *const *known,
    size_t n_known, char *out, char **cause);

/*
 * The words of PROMPT that may name a company ("Analyze Apple stock for
 * investment purposes" gives "Apple"): words that are not stop words,
 * joined by spaces, into OUT (SIZE bytes). Returns the number of words.
 */
size_t symbol_prompt_terms(const char *prompt, char *out, size_t size);

#endif
