/*
 * numfmt.h: numbers, money and dates as people read them.
 *
 * The text output and the PDF report both print large figures (market
 * cap, revenue, volume) with thousands separators; one place does it so
 * the two agree digit for digit. The numfmt_local family follows the
 * language of lib/i18n.h: English writes 1,234.56 and 2025-12-31,
 * Vietnamese 1.234,56 and 31/12/2025.
 */
#ifndef STOCKAGENT_NUMFMT_H
#define STOCKAGENT_NUMFMT_H

#include <stddef.h>

/*
 * Writes V with DECIMALS digits after the point and a comma between
 * thousands ("-1,234,567.89") into OUT (SIZE bytes, NUL-terminated,
 * cut short when it does not fit), whatever the language. A value that
 * rounds to zero prints without a minus sign. V must be finite; returns
 * OUT.
 */
char *numfmt_grouped(char *out, size_t size, double v, int decimals);

enum numfmt_flags {
	NUMFMT_SIGN = 1,  /* "+" before a positive value */
	NUMFMT_GROUP = 2, /* thousands separators in English too */
};

/*
 * V with DECIMALS digits in the current language, as numfmt_grouped
 * writes it: English "1234.56" ("1,234.56" with NUMFMT_GROUP), like
 * printf's "%.*f"; Vietnamese always "1.234,56". Returns OUT.
 */
char *numfmt_local(char *out, size_t size, double v, int decimals, int flags);

/*
 * An amount V of CURRENCY (an ISO code; NULL: USD) in the current
 * language. English: "$1,234.56" ("$" for USD; EUR, GBP, JPY by their
 * signs; others "1,234.56 CHF"), DECIMALS digits, grouped only with
 * NUMFMT_GROUP. Vietnamese: "1.234,56 USD", a code after the figure,
 * VND without decimals ("25.400 VND"). Returns OUT.
 */
char *numfmt_money(char *out, size_t size, double v, int decimals,
    const char *currency, int flags);

/*
 * NUM, a figure already written in the current language ("343.81B"),
 * marked as an amount of CURRENCY the way numfmt_money marks it
 * ("$343.81B"; Vietnamese "343,81 tỷ USD"). Returns OUT.
 */
char *numfmt_currency(char *out, size_t size, const char *num,
    const char *currency);

/*
 * The day of ISO ("YYYY-MM-DD", maybe followed by more, which is kept)
 * in the current language: English as it is, Vietnamese "DD/MM/YYYY".
 * Anything else is copied. Returns OUT.
 */
char *numfmt_date(char *out, size_t size, const char *iso);

/*
 * Reads a number written in language LANG (enum i18n_lang) at S: digits
 * with the group and decimal marks of that language ("1.234,56" in
 * Vietnamese, "1,234.56" in English) and an optional leading '-' or '+'.
 * Returns the value and sets *END past the number; *END == S when no
 * number starts there.
 */
double numfmt_parse(const char *s, int lang, const char **end);

#endif
