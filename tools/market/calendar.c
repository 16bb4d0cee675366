/*
 * calendar.c: NYSE full-day holidays and trading days.
 *
 * Each rule computes the holiday's observed date for a year and compares it
 * with the day asked about; there is no table to keep up to date. One-off
 * closures are deliberately ignored (see calendar.h).
 */
#include "config.h"

#include <stddef.h>

#include "calendar.h"
#include "date.h"

/* The Nth (1-based) weekday WD (0 = Sunday) of month M in year Y. */
static int32_t
calendar_nth_weekday(int y, int m, int wd, int n)
{
	int32_t first = date_from_ymd(y, m, 1);
	int shift = (wd - date_weekday(first) + 7) % 7;

	return first + shift + 7 * (n - 1);
}

/* The last weekday WD of month M in year Y. */
static int32_t
calendar_last_weekday(int y, int m, int wd)
{
	int32_t last = date_from_ymd(y + (m == 12), m % 12 + 1, 1) - 1;

	return last - (date_weekday(last) - wd + 7) % 7;
}

/* Easter Sunday (anonymous Gregorian computus). */
static int32_t
calendar_easter(int y)
{
	int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
	int f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31;
	int day = (h + l - 7 * m + 114) % 31 + 1;

	return date_from_ymd(y, month, day);
}

/*
 * Whether DAY is the observed date of the fixed-date holiday M-D of year Y:
 * Sunday moves to Monday; Saturday moves to Friday when SAT_TO_FRI, else
 * the holiday is lost. *OBSERVED says whether the date moved.
 */
static int
calendar_fixed(int32_t day, int y, int m, int d, int sat_to_fri,
    int *observed)
{
	int32_t h = date_from_ymd(y, m, d);
	int wd = date_weekday(h);

	*observed = 0;
	if (wd == 0) {
		h++;
		*observed = 1;
	} else if (wd == 6) {
		if (!sat_to_fri)
			return 0;
		h--;
		*observed = 1;
	}
	return h == day;
}

/* Fixed-date holidays: New Year, Juneteenth, Independence, Christmas. */
static const char *
calendar_fixed_name(int32_t day, int y)
{
	int obs;

	/* NYSE rule 7.2: a Saturday New Year's Day is not moved to Dec 31. */
	if (calendar_fixed(day, y, 1, 1, 0, &obs))
		return obs ? "New Year's Day (observed)" : "New Year's Day";
	if (y >= 2022 && calendar_fixed(day, y, 6, 19, 1, &obs))
		return obs ? "Juneteenth (observed)" : "Juneteenth";
	if (calendar_fixed(day, y, 7, 4, 1, &obs))
		return obs ? "Independence Day (observed)" :
			     "Independence Day";
	if (calendar_fixed(day, y, 12, 25, 1, &obs))
		return obs ? "Christmas Day (observed)" : "Christmas Day";
	return NULL;
}

/* Holidays defined by a weekday rule or by Easter. */
static const char *
calendar_floating_name(int32_t day, int y)
{
	if (y >= 1998 && day == calendar_nth_weekday(y, 1, 1, 3))
		return "Martin Luther King Jr. Day";
	if (day == calendar_nth_weekday(y, 2, 1, 3))
		return "Presidents Day";
	if (day == calendar_easter(y) - 2)
		return "Good Friday";
	if (day == calendar_last_weekday(y, 5, 1))
		return "Memorial Day";
	if (day == calendar_nth_weekday(y, 9, 1, 1))
		return "Labor Day";
	if (day == calendar_nth_weekday(y, 11, 4, 4))
		return "Thanksgiving Day";
	return NULL;
}

const char *
calendar_holiday_name(int32_t day)
{
	int y, m, d, wd = date_weekday(day);
	const char *name;

	if (wd == 0 || wd == 6)
		return NULL;
	date_to_ymd(day, &y, &m, &d);
	if ((name = calendar_fixed_name(day, y)) != NULL)
		return name;
	return calendar_floating_name(day, y);
}

int
calendar_is_trading_day(int32_t day)
{
	int wd = date_weekday(day);

	return wd != 0 && wd != 6 && calendar_holiday_name(day) == NULL;
}

int32_t
calendar_prev_trading_day(int32_t day)
{
	while (!calendar_is_trading_day(day))
		day--;
	return day;
}

int32_t
calendar_next_trading_day(int32_t day)
{
	while (!calendar_is_trading_day(day))
		day++;
	return day;
}
