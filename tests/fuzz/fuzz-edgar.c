/*
 * fuzz-edgar.c: libFuzzer harness for the readers of SEC EDGAR's answers
 * (parse-edgar.h): the ticker map, company facts and the page check. The
 * first byte picks the reader; the rest is the body, in a buffer of
 * exactly its size. Errors are fine; a crash or a failure without a
 * message is not.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "tools/market/parse-edgar.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct edgar_facts x;
	struct market_fundamentals f;
	char *body, *cause = NULL, name[64];
	size_t len;
	long cik;
	int rc = 0;

	if (size == 0)
		return 0;
	len = size - 1;
	body = xmalloc(len + 1);
	memcpy(body, data + 1, len);
	switch (data[0] % 3) {
	case 0:
		rc = edgar_parse_tickers(body, len, "AAPL", &cik, name,
		    sizeof name, &cause);
		if (rc == 0 && (cik <= 0 || cik >= 10000000000L))
			abort();
		break;
	case 1:
		rc = edgar_parse_facts(body, len, 20335, &x, &cause);
		if (rc == 0)
			edgar_fundamentals(&x, 238.47, &f);
		break;
	default:
		if (edgar_check_body(body, len, &cause) != FETCH_BODY_DATA &&
		    cause == NULL)
			abort();
		break;
	}
	if (rc != 0 && cause == NULL)
		abort();
	free(cause);
	free(body);
	return 0;
}
