/*
 * followup.h: answer a follow-up question about a finished analysis
 * ('serve' sessions: "and what about its risk?").
 */
#ifndef STOCKAGENT_FOLLOWUP_H
#define STOCKAGENT_FOLLOWUP_H

#include <cjson/cJSON.h>

struct model;

/*
 * Answers QUESTION about RESULT (the result object of --format json) in
 * the conversation HISTORY (an array of {"role", "content"}, oldest first;
 * NULL or empty for none).
 *
 * With a language model M, the model answers from the analysis alone.
 * With the built-in policy (M NULL or builtin), or when the model fails
 * and NO_FALLBACK is 0, the answer is the part of the analysis the
 * question is about, found by keyword: risk, performance, technicals,
 * fundamentals, news, or the scores and summary. Returns 0 with
 * *ANSWER_OUT (heap text) and *SOURCE_OUT ("model" or "builtin", static),
 * or -1 with *cause when the model failed and NO_FALLBACK is set.
 */
int followup_answer(struct model *m, const cJSON *result, const cJSON *history,
    const char *question, int no_fallback, char **answer_out,
    const char **source_out, char **cause);

/* The built-in answer alone (never fails; heap text). */
char *followup_builtin(const cJSON *result, const char *question);

#endif
