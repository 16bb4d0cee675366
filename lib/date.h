/*
 * date.h: civil dates as day numbers.
 *
 * A date is an int32_t count of days since 1970-01-01 (proleptic Gregorian,
 * no time zone): 0 is 1970-01-01, 20335 is 2025-09-04. Bars, news and as-of
 * dates all use it, so comparing and stepping dates is integer arithmetic.
 */
#ifndef STOCKAGENT_DATE_H
#define STOCKAGENT_DATE_H

#include <stdint.h>

#define DATE_STR_SIZE 11 /* "YYYY-MM-DD" + NUL */

/* Day number of Y-M-D; no range check (see date_valid_ymd). */
int32_t date_from_ymd(int y, int m, int d);
/* Splits DAY into year, month (1-12) and day of month (1-31). */
void date_to_ymd(int32_t day, int *y, int *m, int *d);
/* 0 = Sunday ... 6 = Saturday. */
int date_weekday(int32_t day);
/*
 * Parses exactly "YYYY-MM-DD" into *DAY. Returns 0, or -1 for anything else
 * (wrong shape, month 13, February 30, trailing characters).
 */
int date_parse(const char *s, int32_t *day);
/* Writes "YYYY-MM-DD" into BUF (DATE_STR_SIZE bytes); returns BUF. */
char *date_format(int32_t day, char *buf);
/* Today's date in local time. */
int32_t date_today(void);

#endif
