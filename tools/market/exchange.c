/*
 * exchange.c: the market a symbol trades on, from the suffix users type
 * (Yahoo's spelling), and that exchange's offset from UTC.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tools/market/market.h"

/* Indices of markets outside the US, by Yahoo's symbol. */
static const struct {
	const char *index, *market;
} exchange_indices[] = {
	{ "^FTSE", "L" },
	{ "^N225", "T" },
	{ "^GDAXI", "DE" },
	{ "^FCHI", "PA" },
	{ "^HSI", "HK" },
	{ "^GSPTSE", "TO" },
	{ "^AXJO", "AX" },
	{ "^STOXX50E", "DE" },
};

char *
market_exchange(const char *symbol, char *out, size_t size)
{
	const char *dot = strrchr(symbol, '.');
	size_t i;

	snprintf(out, size, "US");
	if (strncasecmp(symbol, "SIM_", 4) == 0) {
		snprintf(out, size, "SIM");
	} else if (symbol[0] == '^') {
		for (i = 0;
		     i < sizeof exchange_indices / sizeof *exchange_indices;
		     i++)
			if (strcasecmp(symbol, exchange_indices[i].index) == 0)
				snprintf(out, size, "%s",
				    exchange_indices[i].market);
	} else if (dot != NULL && dot != symbol && dot[1] != '\0' &&
	    (dot[2] != '\0' || strchr("LTVF", dot[1]) != NULL)) {
		snprintf(out, size, "%s", dot + 1);
	}
	return out;
}

/* Standard-time offsets of the markets Yahoo names by suffix. */
static const struct {
	const char *market;
	int minutes;
} exchange_offsets[] = {
	{ "L", 0 },
	{ "IL", 0 },
	{ "LS", 0 },
	{ "IR", 0 },
	{ "DE", 60 },
	{ "F", 60 },
	{ "PA", 60 },
	{ "AS", 60 },
	{ "MI", 60 },
	{ "MC", 60 },
	{ "SW", 60 },
	{ "ST", 60 },
	{ "OL", 60 },
	{ "CO", 60 },
	{ "BR", 60 },
	{ "VI", 60 },
	{ "WA", 60 },
	{ "PR", 60 },
	{ "HE", 120 },
	{ "AT", 120 },
	{ "JO", 120 },
	{ "TA", 120 },
	{ "IS", 180 },
	{ "SR", 180 },
	{ "QA", 180 },
	{ "NS", 330 },
	{ "BO", 330 },
	{ "BK", 420 },
	{ "JK", 420 },
	{ "VN", 420 },
	{ "HK", 480 },
	{ "SS", 480 },
	{ "SZ", 480 },
	{ "TW", 480 },
	{ "TWO", 480 },
	{ "SI", 480 },
	{ "KL", 480 },
	{ "T", 540 },
	{ "KS", 540 },
	{ "KQ", 540 },
	{ "AX", 600 },
	{ "NZ", 720 },
	{ "TO", -300 },
	{ "V", -300 },
	{ "NE", -300 },
	{ "CN", -300 },
	{ "SA", -180 },
	{ "BA", -180 },
	{ "MX", -360 },
};

int
market_utc_offset(const char *symbol, int *minutes)
{
	char m[16];
	size_t i;

	market_exchange(symbol, m, sizeof m);
	for (i = 0; i < sizeof exchange_offsets / sizeof *exchange_offsets; i++)
		if (strcasecmp(m, exchange_offsets[i].market) == 0) {
			*minutes = exchange_offsets[i].minutes;
			return 0;
		}
	return -1;
}
