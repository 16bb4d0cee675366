/*
 * ask-symbol.h: a language model finds the stock a request is about
 * ('stockagent ask' with a real model configured).
 */
#ifndef STOCKAGENT_ASK_SYMBOL_H
#define STOCKAGENT_ASK_SYMBOL_H

#include <stddef.h>

struct model;

/*
 * Asks M which ticker PROMPT names, offering one tool, choose_symbol
 * {"symbol"}, restricted to KNOWN[n] when the provider lists its symbols.
 * Returns 0 with OUT (SYMBOL_MAX + 1 bytes, normalised), or -1 with *cause
 * when the model fails, calls no tool or names an invalid or unknown
 * symbol; the caller then falls back to the rule-based extraction.
 */
int ask_symbol_pick(struct model *m, const char *prompt,
    const char *const *known, size_t n, char *out, char **cause);

#endif
