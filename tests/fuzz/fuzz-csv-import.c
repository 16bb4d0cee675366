/*
 * fuzz-csv-import.c: libFuzzer harness for the importer of users' daily
 * bars (csvimp_parse). The first byte picks the options (date order,
 * decimal mark, a symbol or a symbol column); the rest is the file, in a
 * buffer of exactly its size. A result must keep its promises: on success
 * bars sorted by symbol and date, prices above zero, high and low holding
 * open and close; on failure a message.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "tools/market/csv-import.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csvimp_options o = { NULL, CSVIMP_ORDER_AUTO, 0 };
	struct csvimp_result r;
	char *text, *cause = NULL;
	size_t i;

	if (size == 0)
		return 0;
	o.order = (enum csvimp_order)(data[0] % 3);
	o.decimal = (data[0] & 4) ? ',' : (data[0] & 8) ? '.' : 0;
	o.symbol = (data[0] & 16) ? "FUZZ" : NULL;
	text = xmalloc(size - 1 + 1);
	memcpy(text, data + 1, size - 1);
	if (csvimp_parse(text, size - 1, &o, &r, &cause) == 0) {
		if (r.n == 0 || cause != NULL)
			abort();
		for (i = 0; i < r.n; i++) {
			const struct csvimp_bar *b = &r.bars[i];

			if (b->symbol >= r.n_symbols || !(b->close > 0) ||
			    !(b->low > 0) || b->high < b->open ||
			    b->high < b->close || b->low > b->open ||
			    b->low > b->close)
				abort();
			if (i > 0 && b->symbol == r.bars[i - 1].symbol &&
			    b->date <= r.bars[i - 1].date)
				abort();
		}
	} else if (cause == NULL) {
		abort();
	}
	free(cause);
	csvimp_result_free(&r);
	free(text);
	return 0;
}
