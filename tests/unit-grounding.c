/*
 * unit-grounding.c: the narrative grounding check.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "agents/grounding.h"
#include "lib/i18n.h"
#include "tests/testlib.h"

/* The ungrounded numbers of TEXT against SOURCE, joined by spaces. */
static char *
ungrounded(const char *text, const char *source)
{
	cJSON *src = cJSON_Parse(source), *out;
	const cJSON *const srcs[] = { src };
	const cJSON *c;
	char *s = calloc(1, 512);

	out = grounding_check(text, srcs, 1);
	cJSON_ArrayForEach(c, out) {
		if (*s)
			strcat(s, " ");
		strncat(s, c->valuestring, 100);
	}
	cJSON_Delete(out);
	cJSON_Delete(src);
	return s;
}

static void
check(const char *what, const char *text, const char *source, const char *want)
{
	char *got = ungrounded(text, source);

	TEST_STREQ(what, got, want);
	free(got);
}

int
main(void)
{
	const char *src =
	    "{\"price\":26.96,\"ret_1y\":-18.1036,"
	    "\"vol\":0.3776,\"market_cap\":64704000000,\"score\":2,"
	    "\"as_of\":\"2025-09-04\",\"volume\":42253845,"
	    "\"tool\":\"{\\\"rsi\\\":56.4015}\"}";

	check("all quoted figures grounded",
	    "SIM_STOCK closed at $26.96, down 18.10% over one year, "
	    "volatility 37.76%.",
	    src, "");
	check("invented figures flagged in order, once",
	    "Price 26.96; target 31.50 and 31.50 again; upside 16.8%.", src,
	    "31.50 16.8");
	check("scale words", "Market cap $64.7 billion (64,704,000,000).", src,
	    "");
	check("wrong scale flagged", "Market cap $64.7 million.", src, "64.7");
	check("thousands separators", "Average volume 42,253,845 shares.", src,
	    "");
	check("dates and small whole numbers are not claims",
	    "As of 2025-09-04 the score is 2/5 in three of 4 areas.", src, "");
	check("numbers in words skipped",
	    "SIM_STOCK2 and gpt-oss-120b "
	    "and Q3 are names.",
	    src, "");
	check("numbers inside JSON text of tool messages",
	    "RSI stands at 56.4.", src, "");
	check("negative sign kept in the flag", "Return was -25.5%.", src,
	    "-25.5");
	check("a year in no source is flagged", "Since 1999 it grew.", src,
	    "1999");

	/* A Vietnamese narrative: 1.234,56 is 1234.56, "tỷ" a billion. */
	i18n_set("vi");
	check("vi: decimal comma and dates grounded",
	    "SIM_STOCK đóng cửa ở mức 26,96 USD ngày 04/09/2025, giảm "
	    "18,10% trong một năm, biến động 37,76%.",
	    src, "");
	check("vi: dot groups thousands",
	    "Khối lượng bình quân 42.253.845 "
	    "cổ phiếu, vốn hóa 64.704.000.000 USD.",
	    src, "");
	check("vi: scale words", "Vốn hóa 64,7 tỷ USD.", src, "");
	check("vi: invented figures flagged as written",
	    "Giá mục tiêu 31,50 USD, vốn hóa 64,7 triệu USD.", src,
	    "31,50 64,7");
	i18n_set("en");
	return TEST_REPORT();
}
