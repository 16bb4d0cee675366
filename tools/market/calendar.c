/*
 * calendar.c: NYSE full-day holidays and trading days.
 *
 * The rules compute each holiday's observed date for a year; there is no
 * table to keep up to date. One-off closures are deliberately ignored (see
 * calendar.h).
 */
#include "config.h"

#include <stddef.h>

#include "lib/date.h"
#include "tools/market/calendar.h"

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

/* One year's holidays, in the order the rules are tried. */
struct calendar_year {
	int year;
	int n;
	int32_t day[10];
	const char *name[10];
};

static void
calendar_add(struct calendar_year *cy, int32_t day, const char *name)
{
	cy->day[cy->n] = day;
	cy->name[cy->n++] = name;
}

/*
 * The fixed-date holiday M-D of year Y at its observed date: Sunday moves
 * to Monday; Saturday moves to Friday when SAT_TO_FRI, else the holiday is
 * lost. Either way it stays in year Y.
 */
static void
calendar_fixed(struct calendar_year *cy, int m, int d, int sat_to_fri,
    const char *name, const char *observed)
{
	int32_t h = date_from_ymd(cy->year, m, d);
	int wd = date_weekday(h);

	if (wd == 0)
		calendar_add(cy, h + 1, observed);
	else if (wd != 6)
		calendar_add(cy, h, name);
	else if (sat_to_fri)
		calendar_add(cy, h - 1, observed);
}

static void
calendar_year_fill(struct calendar_year *cy, int y)
{
	cy->year = y;
	cy->n = 0;
	/* NYSE rule 7.2: a Saturday New Year's Day is not moved to Dec 31. */
	calendar_fixed(cy, 1, 1, 0, "New Year's Day",
	    "New Year's Day (observed)");
	if (y >= 2022)
		calendar_fixed(cy, 6, 19, 1, "Juneteenth",
		    "Juneteenth (observed)");
	calendar_fixed(cy, 7, 4, 1, "Independence Day",
	    "Independence Day (observed)");
	calendar_fixed(cy, 12, 25, 1, "Christmas Day",
	    "Christmas Day (observed)");
	if (y >= 1998)
		calendar_add(cy, calendar_nth_weekday(y, 1, 1, 3),
		    "Martin Luther King Jr. Day");
	calendar_add(cy, calendar_nth_weekday(y, 2, 1, 3), "Presidents Day");
	calendar_add(cy, calendar_easter(y) - 2, "Good Friday");
	calendar_add(cy, calendar_last_weekday(y, 5, 1), "Memorial Day");
	calendar_add(cy, calendar_nth_weekday(y, 9, 1, 1), "Labor Day");
	calendar_add(cy, calendar_nth_weekday(y, 11, 4, 4), "Thanksgiving Day");
}

const char *
calendar_holiday_name(int32_t day)
{
	/* Days are asked about in runs, mostly within one year: the last
	 * year's list is kept (per thread). */
	static _Thread_local struct calendar_year cy = { .year = -1 };
	int y, m, d, i, wd = date_weekday(day);

	if (wd == 0 || wd == 6)
		return NULL;
	date_to_ymd(day, &y, &m, &d);
	if (cy.year != y)
		calendar_year_fill(&cy, y);
	for (i = 0; i < cy.n; i++)
		if (cy.day[i] == day)
			return cy.name[i];
	return NULL;
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
