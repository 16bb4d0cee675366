/*
 * fuzz-market-parse.c: libFuzzer harness for the market providers' answer
 * readers (tools/market/parse.h): the first byte chooses the reader (0
 * Yahoo chart, 1 quoteSummary, 2 search, 3 RSS news, 4 Stooq CSV), the
 * rest is the body, in a buffer of exactly its size (the readers must not
 * read past LEN). Errors are fine; a crash, or a failure without a
 * message, is not.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "tools/market/parse.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct market_bars b = { 0 };
	struct market_profile p;
	struct market_fundamentals f;
	struct market_news *news = NULL;
	char sym[32], name[64], *cause = NULL, *body;
	size_t n = 0, len;
	int rc = 0, which;

	if (size == 0)
		return 0;
	which = data[0] % 5;
	len = size - 1;
	body = xmalloc(len ? len : 1);
	memcpy(body, data + 1, len);
	switch (which) {
	case 0:
		rc = yahoo_parse_chart(body, len, 0, 30000, &b, &p, &cause);
		if (rc == 0 && b.n > 0 && market_bars_adjust(&b) != 0)
			abort();
		break;
	case 1:
		rc = yahoo_parse_summary(body, len, &p, &f, &cause);
		break;
	case 2:
		rc = yahoo_parse_search(body, len, sym, sizeof sym, name,
		    sizeof name, &cause);
		break;
	case 3:
		rc = rss_parse_news(body, len, 30000, 20, &news, &n, &cause);
		break;
	default:
		rc = stooq_parse_csv(body, len, 0, 30000, &b, &cause);
		break;
	}
	if (rc != 0 && cause == NULL)
		abort();
	market_bars_free(&b);
	free(news);
	free(cause);
	free(body);
	return 0;
}
