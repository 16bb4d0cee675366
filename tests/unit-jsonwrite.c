/*
 * unit-jsonwrite.c: the checkpoints' JSON writer. Every number reads back
 * as the same double (what makes a resume exact), in the short forms;
 * strings are escaped as cJSON escapes them; whole trees read back equal.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/jsonwrite.h"
#include "tests/testlib.h"

/* V written and read back, bit for bit; 1 when equal. */
static int
roundtrip(double v)
{
	cJSON *n = cJSON_CreateNumber(v), *back;
	char *text = jsonwrite_print(n);
	int ok;

	back = cJSON_Parse(text);
	ok = back != NULL && cJSON_IsNumber(back) &&
	    (back->valuedouble == v || (v == 0 && back->valuedouble == 0));
	cJSON_Delete(back);
	cJSON_Delete(n);
	free(text);
	return ok;
}

/* The text of the number V (static buffer). */
static const char *
text_of(double v)
{
	static char buf[64];
	cJSON *n = cJSON_CreateNumber(v);
	char *t = jsonwrite_print(n);

	snprintf(buf, sizeof buf, "%s", t);
	free(t);
	cJSON_Delete(n);
	return buf;
}

int
main(void)
{
	static const double fixed[] = { 0, 1, -1, 0.1, 0.2, 0.3, 1.5, 28.3,
		-0.0001, 123456.789, 1e-7, 1e-300, 5e-324, 1e300,
		1.7976931348623157e308, 9007199254740991.0, 9007199254740993.0,
		0.1 + 0.2, 1.0 / 3, 2.0 / 3, -26.9648, 3.25, 1e21,
		123456789.123456789 };
	unsigned long long x = 88172645463325252ULL;
	double v;
	int i, bad = 0;
	size_t k;

	for (k = 0; k < sizeof fixed / sizeof *fixed; k++)
		bad += !roundtrip(fixed[k]);
	TEST_CHECK("fixed numbers read back exactly", bad == 0);
	for (bad = 0, i = 0; i < 200000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		memcpy(&v, &x, sizeof v);
		if (isnan(v) || isinf(v))
			continue;
		bad += !roundtrip(v);
		/* prices: 4 decimals, and their sums */
		v = (double)(x % 10000000) / 1e4;
		bad += !roundtrip(v) + !roundtrip(v * 1.013);
	}
	TEST_CHECK("600,000 random doubles read back exactly", bad == 0);
	TEST_CHECK("integers as integers",
	    strcmp(text_of(42), "42") == 0 && strcmp(text_of(-7), "-7") == 0 &&
		strcmp(text_of(-0.0), "0") == 0);
	TEST_CHECK("short decimals stay short",
	    strcmp(text_of(0.1), "0.1") == 0 &&
		strcmp(text_of(28.3), "28.3") == 0 &&
		strcmp(text_of(-0.0001), "-0.0001") == 0 &&
		strcmp(text_of(26.9648), "26.9648") == 0);
	TEST_CHECK("not finite as null",
	    strcmp(text_of(NAN), "null") == 0 &&
		strcmp(text_of(INFINITY), "null") == 0);
	{
		const double series[] = { 0.1, -7, NAN, 1e-300, 3, -0.0001 };
		cJSON *a = cJSON_CreateDoubleArray(series, 6), *mixed;
		char *t = jsonwrite_print(a);

		TEST_STREQ("a series of numbers", t,
		    "[0.1,-7,null,1e-300,3,-0.0001]");
		free(t);
		mixed = cJSON_Parse("[\"a\",1,[2,3.5],{\"k\":4},5]");
		t = jsonwrite_print(mixed);
		TEST_STREQ("numbers among other values", t,
		    "[\"a\",1,[2,3.5],{\"k\":4},5]");
		free(t);
		cJSON_Delete(mixed);
		cJSON_Delete(a);
	}
	{
		const char *src = "{\"a\\\"b\":[\"x\\n\\t\\u0001\\\\\\/\","
				  "\"Đóng cửa ₫\",true,false,null,{},[]],"
				  "\"n\":-12.5e3}";
		cJSON *t = cJSON_Parse(src), *back;
		char *ours = jsonwrite_print(t),
		     *theirs = cJSON_PrintUnformatted(t);

		back = cJSON_Parse(ours);
		TEST_CHECK("a tree reads back equal",
		    cJSON_Compare(t, back, 1));
		TEST_CHECK("the text cJSON prints, numbers aside",
		    strcmp(ours, theirs) == 0);
		free(ours);
		cJSON_free(theirs);
		cJSON_Delete(back);
		cJSON_Delete(t);
	}
	return TEST_REPORT();
}
