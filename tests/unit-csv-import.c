/*
 * unit-csv-import.c: the importer of users' daily bars (tools/market/
 * csv-import.h): delimiters, headers, date forms and their order, number
 * forms, optional columns, and bad rows reported by line with nothing
 * kept.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/date.h"
#include "tests/testlib.h"
#include "tools/market/csv-import.h"

static int32_t
ymd(int y, int m, int d)
{
	return date_from_ymd(y, m, d);
}

/* Parses TEXT with SYMBOL (may be NULL) and ORDER into *R. */
static int
parse(const char *text, const char *symbol, enum csvimp_order order,
    struct csvimp_result *r, char **cause)
{
	struct csvimp_options o = { symbol, order, 0 };

	*cause = NULL;
	return csvimp_parse(text, strlen(text), &o, r, cause);
}

static void
test_formats(void)
{
	static const struct {
		const char *what, *text;
		char delim;
	} files[] = {
		{ "comma, ISO, yahoo's columns",
		    "Date,Open,High,Low,Close,Adj Close,Volume\n"
		    "2024-01-15,10,11,9.5,10.5,10.4,1000\n"
		    "2024-01-16,10.5,12,10,11.5,11.4,2000\n",
		    ',' },
		{ "semicolon, decimal comma, day first with dots",
		    "\xef\xbb\xbfNgày;Giá mở cửa;Giá cao nhất;Giá thấp nhất;"
		    "Giá đóng cửa;Khối lượng\r\n"
		    "15.01.2024;10;11;9,5;10,5;1.000\r\n"
		    "\r\n"
		    "16.01.2024;10,5;12;10;11,5;2.000\r\n",
		    ';' },
		{ "tab, YYYYMMDD, metastock header",
		    "<Ticker>\t<DTYYYYMMDD>\t<Open>\t<High>\t<Low>\t<Close>\t"
		    "<Volume>\n"
		    "FPT\t20240115\t10\t11\t9.5\t10.5\t1000\n"
		    "FPT\t20240116\t10.5\t12\t10\t11.5\t2000\n",
		    '\t' },
		{ "investing.com: quoted, month first, K volumes",
		    "\"Date\",\"Price\",\"Open\",\"High\",\"Low\",\"Vol.\","
		    "\"Change %\"\n"
		    "\"01/16/2024\",\"11.5\",\"10.5\",\"12\",\"10\",\"2K\","
		    "\"9.52%\"\n"
		    "\"01/15/2024\",\"10.5\",\"10\",\"11\",\"9.5\",\"1.00K\","
		    "\"1%\"\n",
		    ',' },
		{ "no header, month names",
		    "15 Jan 2024,10,11,9.5,10.5,1000\n"
		    "Jan 16 2024,10.5,12,10,11.5,2000\n",
		    ',' },
	};
	size_t i;

	for (i = 0; i < sizeof files / sizeof *files; i++) {
		struct csvimp_result r;
		char *cause;
		int rc = parse(files[i].text, i == 2 ? NULL : "FPT",
		    CSVIMP_ORDER_AUTO, &r, &cause);

		if (rc != 0)
			printf("# %s: %s (%s)\n", files[i].what, cause,
			    r.n_errors ? r.errors[0].message : "");
		TEST_CHECK(files[i].what, rc == 0);
		TEST_CHECK("the delimiter is found",
		    r.delimiter == files[i].delim);
		TEST_CHECK("two bars of one symbol",
		    r.n == 2 && r.n_symbols == 1 &&
			strcmp(r.symbols[0], "FPT") == 0);
		if (r.n == 2) {
			TEST_CHECK("dates ascending",
			    r.bars[0].date == ymd(2024, 1, 15) &&
				r.bars[1].date == ymd(2024, 1, 16));
			TEST_NEAR("low of day one", r.bars[0].low, 9.5, 0,
			    1e-12);
			TEST_NEAR("close of day two", r.bars[1].close, 11.5, 0,
			    1e-12);
			TEST_NEAR("volume of day one", r.bars[0].volume, 1000,
			    0, 1e-9);
		}
		free(cause);
		csvimp_result_free(&r);
	}
}

static void
test_columns(void)
{
	struct csvimp_result r;
	char *cause;
	int rc;

	rc = parse("date,close,dividends,stock splits,notes\n"
		   "2024-01-02,10,0,0,x\n"
		   "2024-01-03,11,0.25,2:1,y\n"
		   "2024-01-04,12,,1/10,\n",
	    "vn30.hm", CSVIMP_ORDER_AUTO, &r, &cause);
	TEST_CHECK("date and close are enough", rc == 0 && r.n == 3);
	TEST_STREQ("the symbol is upper-cased",
	    r.n_symbols ? r.symbols[0] : NULL, "VN30.HM");
	TEST_STREQ("unknown columns are listed", r.ignored, "notes");
	TEST_CHECK("no volume column",
	    !r.has_volume && isnan(r.bars[0].volume));
	TEST_CHECK("open, high, low are the close",
	    r.bars[0].open == 10 && r.bars[0].high == 10 &&
		r.bars[0].low == 10);
	TEST_CHECK("a dividend",
	    r.bars[1].dividend == 0.25 && r.bars[0].dividend == 0 &&
		r.bars[2].dividend == 0);
	TEST_CHECK("splits: 0 none, 2:1, 1/10",
	    r.bars[0].split == 1 && r.bars[1].split == 2 &&
		fabs(r.bars[2].split - 0.1) < 1e-12);
	TEST_CHECK("no adjusted close", isnan(r.bars[0].adj_close));
	free(cause);
	csvimp_result_free(&r);

	rc = parse("symbol;date;close\nAAA;2024-01-03;1\nBBB;2024-01-02;2\n"
		   "AAA;2024-01-02;3\n",
	    NULL, CSVIMP_ORDER_AUTO, &r, &cause);
	TEST_CHECK("several symbols, sorted",
	    rc == 0 && r.n_symbols == 2 && strcmp(r.symbols[0], "AAA") == 0 &&
		r.bars[0].symbol == 0 && r.bars[0].close == 3 &&
		r.bars[2].symbol == 1);
	free(cause);
	csvimp_result_free(&r);
}

static void
test_dates(void)
{
	struct csvimp_result r;
	char *cause;
	int32_t d;
	int rc;

	TEST_CHECK("ISO",
	    csvimp_date("2024-02-29", CSVIMP_ORDER_AUTO, &d) == 0 &&
		d == ymd(2024, 2, 29));
	TEST_CHECK("no 29 February in 2023",
	    csvimp_date("2023-02-29", CSVIMP_ORDER_AUTO, &d) != 0);
	TEST_CHECK("a time of day is ignored",
	    csvimp_date("2024-01-02 16:00:00-05:00", CSVIMP_ORDER_AUTO, &d) ==
		    0 &&
		d == ymd(2024, 1, 2));
	TEST_CHECK("ISO with T",
	    csvimp_date("2024-01-02T00:00:00Z", CSVIMP_ORDER_AUTO, &d) == 0);
	TEST_CHECK("03/04 day first",
	    csvimp_date("03/04/2024", CSVIMP_ORDER_DMY, &d) == 0 &&
		d == ymd(2024, 4, 3));
	TEST_CHECK("03/04 month first",
	    csvimp_date("03/04/2024", CSVIMP_ORDER_MDY, &d) == 0 &&
		d == ymd(2024, 3, 4));
	TEST_CHECK("03/04 alone is ambiguous",
	    csvimp_date("03/04/2024", CSVIMP_ORDER_AUTO, &d) != 0);
	TEST_CHECK("15-Jan-2024",
	    csvimp_date("15-Jan-2024", CSVIMP_ORDER_AUTO, &d) == 0 &&
		d == ymd(2024, 1, 15));
	TEST_CHECK("September 5, 2024",
	    csvimp_date("September 5, 2024", CSVIMP_ORDER_AUTO, &d) == 0 &&
		d == ymd(2024, 9, 5));
	TEST_CHECK("not a date",
	    csvimp_date("2024", CSVIMP_ORDER_AUTO, &d) != 0 &&
		csvimp_date("1/2/24", CSVIMP_ORDER_DMY, &d) != 0 &&
		csvimp_date("2024-13-01", CSVIMP_ORDER_AUTO, &d) != 0 &&
		csvimp_date("", CSVIMP_ORDER_AUTO, &d) != 0);

	rc = parse("date,close\n01/02/2024,1\n25/02/2024,2\n", "X",
	    CSVIMP_ORDER_AUTO, &r, &cause);
	TEST_CHECK("a day above 12 makes the file day first",
	    rc == 0 && r.order == CSVIMP_ORDER_DMY &&
		r.bars[0].date == ymd(2024, 2, 1));
	free(cause);
	csvimp_result_free(&r);
	rc = parse("date,close\n01/02/2024,1\n02/01/2024,2\n", "X",
	    CSVIMP_ORDER_AUTO, &r, &cause);
	TEST_CHECK("a file that cannot tell is refused, naming the option",
	    rc != 0 && strstr(cause, "--date-order") != NULL);
	free(cause);
	csvimp_result_free(&r);
	rc = parse("date,close\n01/02/2024,1\n02/01/2024,2\n", "X",
	    CSVIMP_ORDER_MDY, &r, &cause);
	TEST_CHECK("unless the order is given",
	    rc == 0 && r.bars[0].date == ymd(2024, 1, 2));
	free(cause);
	csvimp_result_free(&r);
	rc = parse("date,close\n13/02/2024,1\n02/13/2024,2\n", "X",
	    CSVIMP_ORDER_AUTO, &r, &cause);
	TEST_CHECK("both orders in one file are refused with their lines",
	    rc != 0 && strstr(cause, "line 2") != NULL &&
		strstr(cause, "line 3") != NULL);
	free(cause);
	csvimp_result_free(&r);
}

static void
test_bad_rows(void)
{
	struct csvimp_result r;
	char *cause;
	int rc;

	rc = parse("date,open,high,low,close,volume\n"
		   "2024-01-02,10,11,9,10,100\n"
		   "2024-01-03,10,9,11,10,100\n"  /* high below low */
		   "2024-01-32,10,11,9,10,100\n"  /* no such day */
		   "2024-01-05,10,11,9,abc,100\n" /* close not a number */
		   "2024-01-06,10,11,9,10,-5\n"	  /* negative volume */
		   "2024-01-02,10,11,9,10,100\n"  /* repeats line 2 */
		   "2024-01-08,10,11,9,0,100\n"	  /* zero close */
		   "\"2024-01-09,10\n",		  /* unclosed quote */
	    "X", CSVIMP_ORDER_AUTO, &r, &cause);
	TEST_CHECK("a file with bad rows fails", rc != 0);
	TEST_STREQ("and says how many", cause, "7 bad rows");
	TEST_CHECK("the rows are named by line, in order",
	    r.n_errors == 7 && r.errors[0].line == 3 && r.errors[1].line == 4 &&
		r.errors[5].line == 8 && r.errors[6].line == 9);
	TEST_CHECK("a repeated day names the first",
	    r.n_errors == 7 && strstr(r.errors[4].message, "repeats line 2"));
	TEST_CHECK("the bad value is quoted",
	    r.n_errors == 7 && strstr(r.errors[2].message, "'abc'") != NULL);
	free(cause);
	csvimp_result_free(&r);

	rc = parse("open,close\n1,2\n", "X", CSVIMP_ORDER_AUTO, &r, &cause);
	TEST_CHECK("a header without date",
	    rc != 0 && r.n_bad == 0 && strstr(cause, "no date column") != NULL);
	free(cause);
	csvimp_result_free(&r);
	rc = parse("date,close\n2024-01-02,1\n", NULL, CSVIMP_ORDER_AUTO, &r,
	    &cause);
	TEST_CHECK("no symbol anywhere",
	    rc != 0 && strstr(cause, "--symbol") != NULL);
	free(cause);
	csvimp_result_free(&r);
	rc = parse("date,close\n", "X", CSVIMP_ORDER_AUTO, &r, &cause);
	TEST_CHECK("a header alone", rc != 0 && r.n == 0);
	free(cause);
	csvimp_result_free(&r);
	rc = parse("hello world\n", "X", CSVIMP_ORDER_AUTO, &r, &cause);
	TEST_CHECK("not delimited", rc != 0);
	free(cause);
	csvimp_result_free(&r);
	rc = csvimp_parse("d\0a,t", 5, &(struct csvimp_options){ "X", 0, 0 },
	    &r, &cause);
	TEST_CHECK("UTF-16 or binary", rc != 0 && strstr(cause, "NUL"));
	free(cause);
	csvimp_result_free(&r);
}

int
main(void)
{
	test_formats();
	test_columns();
	test_dates();
	test_bad_rows();
	return TEST_REPORT();
}
