/*
 * grounding.h: which numbers in a model's narrative appear in no tool
 * result.
 *
 * A number in the text (123, -4.5, 1,234.56, $26.96, 18.10%, 64.7 billion)
 * is grounded when some number in the sources, rounded to as many decimals
 * as the text shows, equals it: as is, as a percentage of a fraction
 * (0.181 -> 18.1%), without its sign ("down 18.10%" for -18.10), or scaled
 * by the word after it (thousand, million, billion, trillion, K, M, B, T).
 * Numbers inside words (SIM_STOCK2, Q3, gpt-oss-120b) and whole numbers
 * from 0 to 10 ("three paragraphs", "1-year", "2/5") are not checked.
 * Sources are JSON values; numbers inside their strings (dates, text)
 * count too. Numbers are read in the language of lib/i18n.h: in
 * Vietnamese "1.234,56" is 1234.56 and "64,7 tỷ" is 64.7 billion.
 */
#ifndef STOCKAGENT_GROUNDING_H
#define STOCKAGENT_GROUNDING_H

#include <stddef.h>

#include <cjson/cJSON.h>

/*
 * The ungrounded numbers of TEXT, as written there (without '$', '%' or
 * scale word), in order and without repeats: a new array of strings the
 * caller owns. SOURCES[n] are borrowed.
 */
cJSON *grounding_check(const char *text, const cJSON *const *sources, size_t n);

#endif
