/*
 * fuzz-alphavantage.c: libFuzzer harness for the readers of Alpha
 * Vantage's answers (parse-alphavantage.h). The first byte picks the
 * reader; the rest is the body, in a buffer of exactly its size (the
 * readers take a length, not a string). Errors are fine; a crash, a
 * failure without a message or bars out of order are not.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "tools/market/parse-alphavantage.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct market_bars b;
	struct market_profile p;
	struct market_fundamentals f;
	struct market_news *news = NULL;
	struct av_quote q;
	char *body, *cause = NULL;
	size_t len, n = 0, i;
	int rc = 0;

	if (size == 0)
		return 0;
	len = size - 1;
	body = xmalloc(len + 1);
	memcpy(body, data + 1, len);
	switch (data[0] % 6) {
	case 0:
		if (av_check_body(body, len, &cause) != FETCH_BODY_DATA &&
		    cause == NULL)
			abort();
		rc = 0;
		break;
	case 1:
		rc = av_parse_daily(body, len, 0, 40000, &b, &cause);
		for (i = 1; rc == 0 && i < b.n; i++)
			if (b.date[i] <= b.date[i - 1])
				abort();
		if (rc == 0)
			market_bars_free(&b);
		break;
	case 2:
		rc = av_parse_quote(body, len, &q, &cause);
		break;
	case 3:
		rc = av_parse_overview(body, len, &p, &f, &cause);
		break;
	case 4:
		rc = av_parse_news(body, len, "AAPL", 40000, 5, &news, &n,
		    &cause);
		if (rc == 0 && n > 5)
			abort();
		free(news);
		break;
	default:
		av_is_premium_full(body, len);
		break;
	}
	if (rc != 0 && cause == NULL)
		abort();
	free(cause);
	free(body);
	return 0;
}
