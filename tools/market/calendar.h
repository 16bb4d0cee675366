/*
 * calendar.h: NYSE trading days.
 *
 * A trading day is a weekday that is not an NYSE full-day holiday. The
 * holidays follow the exchange's observance rules (a Sunday holiday moves
 * to Monday, a Saturday one to Friday, except New Year's Day, which is then
 * not observed at all). One-off closures (national days of mourning,
 * 2001-09-11 to 09-14, Hurricane Sandy in 2012) and early closes are not
 * modelled: those days count as trading days. Days are day numbers from
 * lib/date.h.
 */
#ifndef STOCKAGENT_CALENDAR_H
#define STOCKAGENT_CALENDAR_H

#include <stdint.h>

/* Whether the NYSE trades on DAY (weekday and not a holiday). */
int calendar_is_trading_day(int32_t day);

/* The last trading day on or before DAY. */
int32_t calendar_prev_trading_day(int32_t day);

/* The first trading day on or after DAY. */
int32_t calendar_next_trading_day(int32_t day);

/*
 * The name of the NYSE holiday that closes the market on DAY ("Good
 * Friday", "Christmas Day (observed)"), or NULL when DAY is a trading day
 * or a weekend. The string is static.
 */
const char *calendar_holiday_name(int32_t day);

#endif
