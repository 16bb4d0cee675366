/*
 * csv-import.c: daily bars from a user's delimited text (csv-import.h).
 *
 * Two passes over the text: the first finds the delimiter, the header
 * and, for dates with the year last, which number is the day; the second
 * reads and checks every row. Bars are then sorted by symbol and date and
 * repeated days reported.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/date.h"
#include "lib/xmalloc.h"
#include "tools/market/csv-import.h"

enum csvimp_col {
	COL_NONE = -1,
	COL_DATE,
	COL_SYMBOL,
	COL_OPEN,
	COL_HIGH,
	COL_LOW,
	COL_CLOSE,
	COL_ADJ,
	COL_VOLUME,
	COL_DIVIDEND,
	COL_SPLIT,
	COL_COUNT
};

/*
 * Header spellings, compared after lower-casing ASCII letters and leaving
 * out spaces, '_', '-', '.', '<' and '>' ("Adj Close", "<DTYYYYMMDD>").
 */
static const struct {
	enum csvimp_col col;
	const char *names[14];
} csvimp_aliases[] = {
	{ COL_DATE,
	    { "date", "day", "time", "timestamp", "datetime", "tradingdate",
		"tradedate", "dtyyyymmdd", "ngày", "ngàygiaodịch", NULL } },
	{ COL_SYMBOL,
	    { "symbol", "ticker", "code", "stock", "mack", "mãck", "mãcp",
		"ticker_symbol", NULL } },
	{ COL_OPEN,
	    { "open", "o", "openprice", "opening", "giámởcửa", "mởcửa",
		NULL } },
	{ COL_HIGH,
	    { "high", "h", "highprice", "max", "giácaonhất", "caonhất",
		NULL } },
	{ COL_LOW,
	    { "low", "l", "lowprice", "min", "giáthấpnhất", "thấpnhất",
		NULL } },
	{ COL_CLOSE,
	    { "close", "c", "closeprice", "last", "price", "closing",
		"giáđóngcửa", "đóngcửa", NULL } },
	{ COL_ADJ,
	    { "adjclose", "adjustedclose", "adjclosing", "adjustedcloseprice",
		"closeadj", "giáđiềuchỉnh", NULL } },
	{ COL_VOLUME,
	    { "volume", "vol", "v", "shares", "qty", "khốilượng", "klgd",
		NULL } },
	{ COL_DIVIDEND,
	    { "dividend", "dividends", "div", "cashdividend", "cổtức", NULL } },
	{ COL_SPLIT,
	    { "split", "splits", "stocksplit", "stocksplits", "splitratio",
		"splitfactor", NULL } },
};

static const char *const csvimp_col_names[COL_COUNT] = { "date", "symbol",
	"open", "high", "low", "close", "adj close", "volume", "dividends",
	"splits" };

static const char *const csvimp_months[12] = { "jan", "feb", "mar", "apr",
	"may", "jun", "jul", "aug", "sep", "oct", "nov", "dec" };

#define CSVIMP_SYMBOL_MAX 20 /* as tools/symbol.h's SYMBOL_MAX */

/*
 * Checks and upper-cases a symbol into OUT (CSVIMP_SYMBOL_MAX + 1 bytes)
 * by the rule of tools/symbol.h: 1-20 letters, digits and . _ - ^ =,
 * starting with a letter, digit or ^, no "..". Returns 0, or -1 with *MSG.
 */
static int
csvimp_symbol(const char *in, char *out, char **msg)
{
	size_t i, n = strlen(in);

	for (i = 0; i < n && i < CSVIMP_SYMBOL_MAX; i++) {
		unsigned char c = (unsigned char)in[i];

		if (!(c < 128 && isalnum(c)) &&
		    (strchr("._-^=", c) == NULL || c == '\0' ||
			(i == 0 && c != '^')))
			break;
		out[i] = (char)toupper(c);
	}
	if (n == 0 || i < n || strstr(in, "..") != NULL) {
		*msg = xasprintf("symbol '%s' is not 1-%d letters, digits and "
				 ". _ - ^ = starting with a letter, digit or ^",
		    in, CSVIMP_SYMBOL_MAX);
		return -1;
	}
	out[n] = '\0';
	return 0;
}

/* A reader of records over the text. */
struct csvimp_reader {
	const char *p, *end;
	size_t line; /* line of the next character, 1-based */
	char delim;  /* 0 while unknown */
	char *rec;   /* [CSVIMP_MAX_LINE + 1] the current record's bytes */
	char *fields[CSVIMP_MAX_FIELDS];
	size_t nf;
	size_t rec_line; /* where the current record started */
};

const char *
csvimp_column_names(void)
{
	return "date (day, time, timestamp, datetime, trading date, "
	       "<DTYYYYMMDD>, Ngày), symbol (ticker, code, stock, <Ticker>, "
	       "Mã CK), open (o, open price, Giá mở cửa), high (h, max, Giá "
	       "cao nhất), low (l, min, Giá thấp nhất), close (c, last, "
	       "price, close price, Giá đóng cửa), adj close (adjusted close, "
	       "adj_close), volume (vol, v, Khối lượng), dividends (dividend, "
	       "div), splits (split, stock splits, split ratio)";
}

/* Whether the rest of the current line is only white space. */
static int
csvimp_blank_line(const char *p, const char *end)
{
	for (; p < end && *p != '\n'; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r')
			return 0;
	return 1;
}

static int csvimp_next_raw(struct csvimp_reader *r, char **cause);

/*
 * Reads the next record into R->fields. Returns 1, 0 at the end of the
 * text, or -1 with *CAUSE for a row too long, with too many fields or an
 * unterminated quote (R->rec_line names it; the reader goes on at the
 * next line).
 */
static int
csvimp_next(struct csvimp_reader *r, char **cause)
{
	int rc = csvimp_next_raw(r, cause);

	if (rc < 0) {
		while (r->p < r->end && *r->p != '\n')
			r->p++;
		if (r->p < r->end) {
			r->p++;
			r->line++;
		}
	}
	return rc;
}

static int
csvimp_next_raw(struct csvimp_reader *r, char **cause)
{
	size_t len = 0;
	int quoted = 0, field_start = 1;

	while (r->p < r->end && csvimp_blank_line(r->p, r->end)) {
		while (r->p < r->end && *r->p != '\n')
			r->p++;
		if (r->p < r->end) {
			r->p++;
			r->line++;
		}
	}
	if (r->p >= r->end)
		return 0;
	r->rec_line = r->line;
	r->nf = 0;
	r->fields[r->nf++] = r->rec;
	for (; r->p < r->end; r->p++) {
		char c = *r->p;

		if (len >= CSVIMP_MAX_LINE) {
			*cause = xasprintf("the row is longer than %d bytes",
			    CSVIMP_MAX_LINE);
			return -1;
		}
		if (quoted) {
			if (c == '"' && r->p + 1 < r->end && r->p[1] == '"') {
				r->rec[len++] = '"';
				r->p++;
			} else if (c == '"') {
				quoted = 0;
			} else {
				if (c == '\n')
					r->line++;
				r->rec[len++] = c;
			}
			continue;
		}
		if (c == '"' && field_start) {
			quoted = 1;
			field_start = 0;
			continue;
		}
		if (c == '\n' || c == '\r') {
			if (c == '\r' && r->p + 1 < r->end && r->p[1] == '\n')
				r->p++;
			r->p++;
			r->line++;
			break;
		}
		if (r->delim != 0 && c == r->delim) {
			r->rec[len++] = '\0';
			if (r->nf == CSVIMP_MAX_FIELDS) {
				*cause = xasprintf("the row has more than %d "
						   "fields",
				    CSVIMP_MAX_FIELDS);
				return -1;
			}
			r->fields[r->nf++] = r->rec + len;
			field_start = 1;
			continue;
		}
		if (c != ' ')
			field_start = 0;
		r->rec[len++] = c == '\0' ? ' ' : c;
	}
	if (quoted) {
		*cause = xstrdup("a quoted field is not closed; end it with "
				 "a double quote");
		return -1;
	}
	r->rec[len] = '\0';
	return 1;
}

/* Trims spaces (and tabs when they do not separate) of S in place. */
static char *
csvimp_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* The column a header field names, or COL_NONE. */
static enum csvimp_col
csvimp_column(const char *field)
{
	char norm[128];
	size_t i, j, n = 0;

	for (i = 0; field[i] != '\0' && n + 1 < sizeof norm; i++) {
		unsigned char c = (unsigned char)field[i];

		if (strchr(" _-.<>\t\"", c) != NULL)
			continue;
		norm[n++] = (char)(c < 128 ? tolower(c) : c);
	}
	norm[n] = '\0';
	for (i = 0; i < sizeof csvimp_aliases / sizeof *csvimp_aliases; i++)
		for (j = 0; csvimp_aliases[i].names[j] != NULL; j++)
			if (strcmp(norm, csvimp_aliases[i].names[j]) == 0)
				return csvimp_aliases[i].col;
	return COL_NONE;
}

/* Reads 1-4 digits at *P into *V, advancing *P. Returns the digit count. */
static int
csvimp_digits(const char **p, int max, int *v)
{
	int n = 0;

	*v = 0;
	while (n < max && isdigit((unsigned char)**p)) {
		*v = *v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n;
}

/* Whether what follows a date (at P) is nothing or a time of day. */
static int
csvimp_date_tail(const char *p)
{
	if (*p == '\0')
		return 1;
	if (*p != ' ' && *p != 'T')
		return 0;
	p++;
	while (*p == ' ')
		p++;
	if (!isdigit((unsigned char)*p))
		return 0;
	for (; *p != '\0'; p++)
		if (!isdigit((unsigned char)*p) && strchr(":.+-Z ", *p) == NULL)
			return 0;
	return 1;
}

/* The month (1-12) an English name or abbreviation at *P names, or 0. */
static int
csvimp_month_name(const char **p)
{
	char w[16];
	size_t n = 0;
	int m;

	while (isalpha((unsigned char)**p) && n + 1 < sizeof w) {
		w[n++] = (char)tolower((unsigned char)**p);
		(*p)++;
	}
	w[n] = '\0';
	if (n < 3)
		return 0;
	for (m = 0; m < 12; m++) {
		static const char *const full[12] = { "january", "february",
			"march", "april", "may", "june", "july", "august",
			"september", "october", "november", "december" };

		if (strcmp(w, csvimp_months[m]) == 0 ||
		    strcmp(w, full[m]) == 0 ||
		    (m == 8 && strcmp(w, "sept") == 0))
			return m + 1;
	}
	return 0;
}

static int
csvimp_ymd(int y, int m, int d, int32_t *day)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (y < 1800 || y > 2200 || m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
		return -1;
	*day = date_from_ymd(y, m, d);
	return 0;
}

/* Dates with a month name: "15-Jan-2024", "15 Jan 2024", "Jan 15, 2024". */
static int
csvimp_date_named(const char *s, int32_t *day)
{
	const char *p = s;
	int d, m, y;

	if (isdigit((unsigned char)*p)) {
		if (csvimp_digits(&p, 2, &d) == 0 || (*p != '-' && *p != ' '))
			return -1;
		p++;
		if ((m = csvimp_month_name(&p)) == 0 ||
		    (*p != '-' && *p != ' ' && *p != ','))
			return -1;
	} else {
		if ((m = csvimp_month_name(&p)) == 0 || *p != ' ')
			return -1;
		while (*p == ' ')
			p++;
		if (csvimp_digits(&p, 2, &d) == 0)
			return -1;
	}
	while (*p == ',' || *p == ' ' || *p == '-')
		p++;
	if (csvimp_digits(&p, 4, &y) != 4 || !csvimp_date_tail(p))
		return -1;
	return csvimp_ymd(y, m, d, day);
}

/*
 * Splits S of the form A?B?YYYY (? one of / - .) into A and B. Returns 0,
 * or -1 when S has another form.
 */
static int
csvimp_year_last(const char *s, int *a, int *b, int *y)
{
	const char *p = s;
	char sep;

	if (csvimp_digits(&p, 2, a) == 0 || *p == '\0' ||
	    strchr("/-.", *p) == NULL)
		return -1;
	sep = *p++;
	if (csvimp_digits(&p, 2, b) == 0 || *p != sep)
		return -1;
	p++;
	if (csvimp_digits(&p, 4, y) != 4 || !csvimp_date_tail(p))
		return -1;
	return 0;
}

int
csvimp_date(const char *s, enum csvimp_order order, int32_t *day)
{
	const char *p = s;
	int y, m, d, a, b;
	char sep;

	if (csvimp_year_last(s, &a, &b, &y) == 0) {
		if (order == CSVIMP_ORDER_DMY)
			return csvimp_ymd(y, b, a, day);
		if (order == CSVIMP_ORDER_MDY)
			return csvimp_ymd(y, a, b, day);
		if (a > 12 && b <= 12)
			return csvimp_ymd(y, b, a, day);
		if (b > 12 && a <= 12)
			return csvimp_ymd(y, a, b, day);
		return -1;
	}
	if (csvimp_digits(&p, 4, &y) == 4) {
		if (isdigit((unsigned char)*p)) { /* YYYYMMDD */
			if (csvimp_digits(&p, 2, &m) != 2 ||
			    csvimp_digits(&p, 2, &d) != 2 ||
			    !csvimp_date_tail(p))
				return -1;
			return csvimp_ymd(y, m, d, day);
		}
		if (strchr("-/.", *p) == NULL || *p == '\0')
			return -1;
		sep = *p++;
		if (csvimp_digits(&p, 2, &m) == 0 || *p++ != sep ||
		    csvimp_digits(&p, 2, &d) == 0 || !csvimp_date_tail(p))
			return -1;
		return csvimp_ymd(y, m, d, day);
	}
	return csvimp_date_named(s, day);
}

/*
 * A number field: 0 with *V, 1 when empty ("", "-", "null", "NaN",
 * "N/A"), -1 when not a number. DECIMAL is the decimal mark ('.' or ','):
 * the other one, spaces and apostrophes are thousands separators. SUFFIX
 * allows K, M, B.
 */
static int
csvimp_number(const char *s, char decimal, int suffix, double *v)
{
	char buf[64], *end;
	size_t i, n = 0;
	double mult = 1;

	while (*s == ' ')
		s++;
	if (*s == '\0' || strcmp(s, "-") == 0 || strcasecmp(s, "null") == 0 ||
	    strcasecmp(s, "nan") == 0 || strcasecmp(s, "n/a") == 0 ||
	    strcasecmp(s, "na") == 0)
		return 1;
	for (i = 0; s[i] != '\0'; i++) {
		char c = s[i];

		if (n + 2 >= sizeof buf)
			return -1;
		if (c == decimal)
			buf[n++] = '.';
		else if (c == ',' || c == '.' || c == ' ' || c == '\'')
			continue; /* a thousands separator */
		else
			buf[n++] = c;
	}
	buf[n] = '\0';
	if (suffix && n > 1) {
		char c = (char)toupper((unsigned char)buf[n - 1]);

		mult = c == 'K' ? 1e3 : c == 'M' ? 1e6 : c == 'B' ? 1e9 : 1;
		if (mult != 1)
			buf[--n] = '\0';
	}
	if (n == 0 || strchr("+-0123456789.", buf[0]) == NULL)
		return -1;
	errno = 0;
	*v = strtod(buf, &end) * mult;
	if (*end != '\0' || errno == ERANGE || !isfinite(*v))
		return -1;
	return 0;
}

/*
 * The decimal mark of a file delimited by DELIM: a comma when the
 * delimiter is not one and a comma stands between two digits somewhere.
 */
static char
csvimp_decimal_mark(const char *p, const char *end, char delim)
{
	if (delim == ',')
		return '.';
	for (; p + 2 < end; p++)
		if (p[1] == ',' && isdigit((unsigned char)p[0]) &&
		    isdigit((unsigned char)p[2]))
			return ',';
	return '.';
}

/* A split: "2", "2:1", "2/1", "1:10"; empty or 0 means none (1). */
static int
csvimp_split(const char *s, char decimal, double *v)
{
	const char *sep = strpbrk(s, ":/");
	double a, b;
	char *left;
	int rc;

	if (sep == NULL) {
		rc = csvimp_number(s, decimal, 0, v);
		if (rc == 1 || (rc == 0 && *v == 0))
			*v = 1;
		return rc < 0 || *v < 0 ? -1 : 0;
	}
	left = xstrndup(s, (size_t)(sep - s));
	rc = csvimp_number(left, decimal, 0, &a) != 0 ||
	    csvimp_number(sep + 1, decimal, 0, &b) != 0 || a <= 0 || b <= 0;
	free(left);
	if (rc)
		return -1;
	*v = a / b;
	return 0;
}

/* The state of one parse. */
struct csvimp_parse {
	const struct csvimp_options *opt;
	struct csvimp_result *out;
	struct csvimp_reader rd;
	int map[COL_COUNT]; /* field index of each column, -1: none */
	char decimal;	    /* '.' or ',' */
	size_t cap, sym_cap;
};

static void
csvimp_error_add(struct csvimp_parse *ps, size_t line, char *msg)
{
	struct csvimp_result *o = ps->out;

	o->n_bad++;
	if (o->n_errors >= CSVIMP_MAX_ERRORS) {
		free(msg);
		return;
	}
	o->errors = xreallocarray(o->errors, o->n_errors + 1,
	    sizeof *o->errors);
	o->errors[o->n_errors].line = line;
	o->errors[o->n_errors++].message = msg;
}

/* Picks the delimiter from the first line: the most frequent outside
 * quotes of tab, semicolon and comma. */
static char
csvimp_delimiter(const char *p, const char *end)
{
	size_t tab = 0, semi = 0, comma = 0;
	int quoted = 0;

	for (; p < end && (quoted || (*p != '\n' && *p != '\r')); p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == '\t')
			tab++;
		else if (!quoted && *p == ';')
			semi++;
		else if (!quoted && *p == ',')
			comma++;
	}
	if (tab > 0 && tab >= semi && tab >= comma)
		return '\t';
	if (semi > 0 && semi >= comma)
		return ';';
	return comma > 0 ? ',' : 0;
}

/* Maps the columns of a header row. Returns 1 when the row is a header. */
static int
csvimp_header(struct csvimp_parse *ps, char **cause)
{
	struct csvimp_reader *r = &ps->rd;
	struct buf ign;
	size_t i, known = 0;

	buf_init(&ign, 4096);
	for (i = 0; i < r->nf; i++) {
		char *f = csvimp_trim(r->fields[i]);
		enum csvimp_col c = csvimp_column(f);

		if (c == COL_NONE || ps->map[c] >= 0) {
			if (*f != '\0')
				buf_printf(&ign, "%s%s", ign.len ? ", " : "",
				    f);
			continue;
		}
		ps->map[c] = (int)i;
		known++;
	}
	if (known == 0) {
		buf_free(&ign);
		return 0;
	}
	if (ign.len > 0)
		ps->out->ignored = buf_take(&ign);
	buf_free(&ign);
	if (ps->map[COL_DATE] < 0 || ps->map[COL_CLOSE] < 0) {
		*cause = xasprintf("the header names no %s column; name the "
				   "columns date and close at least (open, "
				   "high, low, volume, adj close, dividends, "
				   "splits are optional)",
		    ps->map[COL_DATE] < 0 ? "date" : "close");
		return -1;
	}
	return 1;
}

/* The columns of a row without a header, from its shape. */
static int
csvimp_positional(struct csvimp_parse *ps, char **cause)
{
	struct csvimp_reader *r = &ps->rd;
	size_t first = 0, n;
	int32_t day;

	if (csvimp_date(csvimp_trim(r->fields[0]), CSVIMP_ORDER_DMY, &day) !=
	    0) {
		if (r->nf < 2 ||
		    csvimp_date(csvimp_trim(r->fields[1]), CSVIMP_ORDER_DMY,
			&day) != 0) {
			*cause = xstrdup("the first row is neither a header "
					 "(date, open, high, low, close, "
					 "volume...) nor a row of data; add a "
					 "header row");
			return -1;
		}
		ps->map[COL_SYMBOL] = 0;
		first = 1;
	}
	n = r->nf - first;
	if (n != 2 && n != 5 && n != 6) {
		*cause = xasprintf("a row without a header has %zu fields "
				   "after the symbol; use date,close or "
				   "date,open,high,low,close[,volume], or add "
				   "a header row",
		    n);
		return -1;
	}
	ps->map[COL_DATE] = (int)first;
	if (n == 2) {
		ps->map[COL_CLOSE] = (int)first + 1;
		return 0;
	}
	ps->map[COL_OPEN] = (int)first + 1;
	ps->map[COL_HIGH] = (int)first + 2;
	ps->map[COL_LOW] = (int)first + 3;
	ps->map[COL_CLOSE] = (int)first + 4;
	if (n == 6)
		ps->map[COL_VOLUME] = (int)first + 5;
	return 0;
}

/* The field of column C in the current record, "" when absent. */
static char *
csvimp_field(struct csvimp_parse *ps, enum csvimp_col c)
{
	int i = ps->map[c];

	if (i < 0 || (size_t)i >= ps->rd.nf)
		return (char *)"";
	return csvimp_trim(ps->rd.fields[i]);
}

/* Pass one: which number of year-last dates is the day. */
static int
csvimp_find_order(struct csvimp_parse *ps, int header, char **cause)
{
	struct csvimp_reader *r = &ps->rd;
	size_t dmy_line = 0, mdy_line = 0, amb = 0;
	int rc, a, b, y;

	while ((rc = csvimp_next(r, cause)) != 0) {
		if (rc < 0) { /* reported by the second pass */
			free(*cause);
			*cause = NULL;
			continue;
		}
		if (header) {
			header = 0;
			continue;
		}
		if (csvimp_year_last(csvimp_field(ps, COL_DATE), &a, &b, &y) !=
		    0)
			continue;
		if (a > 12 && b <= 12 && dmy_line == 0)
			dmy_line = r->rec_line;
		else if (b > 12 && a <= 12 && mdy_line == 0)
			mdy_line = r->rec_line;
		else if (a <= 12 && b <= 12)
			amb++;
	}
	if (dmy_line && mdy_line) {
		*cause = xasprintf("dates are day first on line %zu and month "
				   "first on line %zu; make them one form or "
				   "say --date-order dmy or mdy",
		    dmy_line, mdy_line);
		return -1;
	}
	ps->out->order = dmy_line ? CSVIMP_ORDER_DMY :
	    mdy_line		  ? CSVIMP_ORDER_MDY :
				    CSVIMP_ORDER_AUTO;
	if (ps->out->order == CSVIMP_ORDER_AUTO && amb > 0) {
		*cause = xstrdup("the dates could be day first or month first "
				 "(no day above 12); say --date-order dmy or "
				 "mdy");
		return -1;
	}
	return 0;
}

static size_t
csvimp_symbol_index(struct csvimp_parse *ps, const char *sym)
{
	struct csvimp_result *o = ps->out;
	size_t i;

	/* Files hold one symbol or a few; the last one is the likely one. */
	for (i = o->n_symbols; i > 0; i--)
		if (strcmp(o->symbols[i - 1], sym) == 0)
			return i - 1;
	if (o->n_symbols == ps->sym_cap) {
		ps->sym_cap = ps->sym_cap ? ps->sym_cap * 2 : 4;
		o->symbols = xreallocarray(o->symbols, ps->sym_cap,
		    sizeof *o->symbols);
	}
	o->symbols[o->n_symbols] = xstrdup(sym);
	return o->n_symbols++;
}

/* A price column: 0 with *V, 1 when absent or empty, -1 with a message. */
static int
csvimp_price(struct csvimp_parse *ps, enum csvimp_col c, double *v, char **msg)
{
	const char *f = csvimp_field(ps, c);
	int rc;

	if (ps->map[c] < 0)
		return 1;
	if ((rc = csvimp_number(f, ps->decimal, 0, v)) < 0 ||
	    (rc == 0 && *v <= 0)) {
		*msg = xasprintf("%s '%s' is not a price above zero",
		    csvimp_col_names[c], f);
		return -1;
	}
	return rc;
}

/* Reads the OHLC of the current row into B. Returns 0 or -1 with *MSG. */
static int
csvimp_row_prices(struct csvimp_parse *ps, struct csvimp_bar *b, char **msg)
{
	int ro, rh, rl, rc;

	if ((rc = csvimp_price(ps, COL_CLOSE, &b->close, msg)) < 0)
		return -1;
	if (rc == 1) {
		*msg = xstrdup("no close price");
		return -1;
	}
	if ((ro = csvimp_price(ps, COL_OPEN, &b->open, msg)) < 0 ||
	    (rh = csvimp_price(ps, COL_HIGH, &b->high, msg)) < 0 ||
	    (rl = csvimp_price(ps, COL_LOW, &b->low, msg)) < 0)
		return -1;
	if (ro == 1)
		b->open = b->close;
	if (rh == 1)
		b->high = fmax(b->open, b->close);
	if (rl == 1)
		b->low = fmin(b->open, b->close);
	if (b->high < fmax(fmax(b->open, b->close), b->low) ||
	    b->low > fmin(b->open, b->close)) {
		*msg = xasprintf("high %g and low %g do not hold open %g and "
				 "close %g",
		    b->high, b->low, b->open, b->close);
		return -1;
	}
	rc = csvimp_price(ps, COL_ADJ, &b->adj_close, msg);
	if (rc < 0)
		return -1;
	if (rc == 1)
		b->adj_close = NAN;
	return 0;
}

/* Reads volume, dividend and split of the current row into B. */
static int
csvimp_row_extras(struct csvimp_parse *ps, struct csvimp_bar *b, char **msg)
{
	const char *f;
	int rc;

	f = csvimp_field(ps, COL_VOLUME);
	rc = csvimp_number(f, ps->decimal, 1, &b->volume);
	if (rc < 0 || (rc == 0 && b->volume < 0)) {
		*msg = xasprintf("volume '%s' is not a number of shares", f);
		return -1;
	}
	if (rc == 1)
		b->volume = NAN;
	f = csvimp_field(ps, COL_DIVIDEND);
	rc = csvimp_number(f, ps->decimal, 0, &b->dividend);
	if (rc < 0 || (rc == 0 && b->dividend < 0)) {
		*msg = xasprintf("dividend '%s' is not an amount of zero or "
				 "more",
		    f);
		return -1;
	}
	if (rc == 1)
		b->dividend = 0;
	f = csvimp_field(ps, COL_SPLIT);
	if (csvimp_split(f, ps->decimal, &b->split) != 0) {
		*msg = xasprintf("split '%s' is not a ratio such as 2, 2:1 "
				 "or 1/10",
		    f);
		return -1;
	}
	return 0;
}

/* Reads the current record as one bar into B. Returns 0 or -1 with *MSG. */
static int
csvimp_row(struct csvimp_parse *ps, struct csvimp_bar *b, char **msg)
{
	char sym[CSVIMP_SYMBOL_MAX + 1];
	const char *f;

	memset(b, 0, sizeof *b);
	b->line = ps->rd.rec_line;
	f = csvimp_field(ps, COL_DATE);
	if (csvimp_date(f, ps->out->order, &b->date) != 0) {
		*msg = xasprintf("date '%s' is not a date; use YYYY-MM-DD, "
				 "YYYYMMDD, DD/MM/YYYY or MM/DD/YYYY (see "
				 "--date-order) or 15-Jan-2024",
		    f);
		return -1;
	}
	if (ps->opt->symbol != NULL) {
		f = ps->opt->symbol;
	} else {
		f = csvimp_field(ps, COL_SYMBOL);
	}
	if (csvimp_symbol(f, sym, msg) != 0)
		return -1;
	if (csvimp_row_prices(ps, b, msg) != 0 ||
	    csvimp_row_extras(ps, b, msg) != 0)
		return -1;
	b->symbol = csvimp_symbol_index(ps, sym);
	return 0;
}

/* Pass two: every row. */
static int
csvimp_rows(struct csvimp_parse *ps, int header, char **cause)
{
	struct csvimp_result *o = ps->out;
	struct csvimp_bar b;
	char *msg;
	int rc;

	while ((rc = csvimp_next(&ps->rd, &msg)) != 0) {
		if (rc < 0) {
			csvimp_error_add(ps, ps->rd.rec_line, msg);
			continue;
		}
		if (header) {
			header = 0;
			continue;
		}
		if (o->n + o->n_bad >= CSVIMP_MAX_ROWS) {
			*cause = xasprintf("more than %d rows; split the file",
			    CSVIMP_MAX_ROWS);
			return -1;
		}
		msg = NULL;
		if (csvimp_row(ps, &b, &msg) != 0) {
			csvimp_error_add(ps, b.line, msg);
			continue;
		}
		if (o->n == ps->cap) {
			ps->cap = ps->cap ? ps->cap * 2 : 256;
			o->bars = xreallocarray(o->bars, ps->cap,
			    sizeof *o->bars);
		}
		o->bars[o->n++] = b;
	}
	return 0;
}

static int
csvimp_cmp_bar(const void *pa, const void *pb)
{
	const struct csvimp_bar *a = pa, *b = pb;

	if (a->symbol != b->symbol)
		return a->symbol < b->symbol ? -1 : 1;
	if (a->date != b->date)
		return a->date < b->date ? -1 : 1;
	return a->line < b->line ? -1 : a->line > b->line;
}

static int
csvimp_cmp_error(const void *pa, const void *pb)
{
	const struct csvimp_error *a = pa, *b = pb;

	return a->line < b->line ? -1 : a->line > b->line;
}

static int
csvimp_cmp_str(const void *pa, const void *pb)
{
	return strcmp(*(char *const *)pa, *(char *const *)pb);
}

/*
 * Renumbers the symbols in sorted order, sorts the bars by symbol and
 * date, and reports repeated days.
 */
static void
csvimp_sort(struct csvimp_parse *ps)
{
	struct csvimp_result *o = ps->out;
	char ds[DATE_STR_SIZE], **sorted;
	size_t i, j, *newidx;

	if (o->n_symbols == 0) {
		if (o->n_errors > 0)
			qsort(o->errors, o->n_errors, sizeof *o->errors,
			    csvimp_cmp_error);
		return;
	}
	sorted = xreallocarray(NULL, o->n_symbols + 1, sizeof *sorted);
	memcpy(sorted, o->symbols, o->n_symbols * sizeof *sorted);
	qsort(sorted, o->n_symbols, sizeof *sorted, csvimp_cmp_str);
	newidx = xreallocarray(NULL, o->n_symbols + 1, sizeof *newidx);
	for (i = 0; i < o->n_symbols; i++)
		for (j = 0; j < o->n_symbols; j++)
			if (sorted[j] == o->symbols[i])
				newidx[i] = j;
	for (i = 0; i < o->n; i++)
		o->bars[i].symbol = newidx[o->bars[i].symbol];
	free(o->symbols);
	o->symbols = sorted;
	free(newidx);
	/* qsort is not stable; the line breaks ties so repeats are ordered. */
	qsort(o->bars, o->n, sizeof *o->bars, csvimp_cmp_bar);
	for (i = 1; i < o->n; i++)
		if (o->bars[i].symbol == o->bars[i - 1].symbol &&
		    o->bars[i].date == o->bars[i - 1].date)
			csvimp_error_add(ps, o->bars[i].line,
			    xasprintf("%s %s repeats line %zu",
				o->symbols[o->bars[i].symbol],
				date_format(o->bars[i].date, ds),
				o->bars[i - 1].line));
	if (o->n_errors > 0)
		qsort(o->errors, o->n_errors, sizeof *o->errors,
		    csvimp_cmp_error);
}

static void
csvimp_flags(struct csvimp_parse *ps)
{
	ps->out->has_adj_close = ps->map[COL_ADJ] >= 0;
	ps->out->has_volume = ps->map[COL_VOLUME] >= 0;
	ps->out->has_dividends = ps->map[COL_DIVIDEND] >= 0;
	ps->out->has_splits = ps->map[COL_SPLIT] >= 0;
}

/* Sets up the reader at the start of the text (after a byte order mark). */
static void
csvimp_rewind(struct csvimp_parse *ps, const char *text, size_t len)
{
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;
		len -= 3;
	}
	ps->rd.p = text;
	ps->rd.end = text + len;
	ps->rd.line = 1;
}

/* Finds the delimiter and the columns from the first record. */
static int
csvimp_layout(struct csvimp_parse *ps, int *header, char **cause)
{
	int rc;

	if (memchr(ps->rd.p, '\0', (size_t)(ps->rd.end - ps->rd.p)) != NULL) {
		*cause = xstrdup("the file holds NUL bytes (UTF-16 text?); "
				 "save it as UTF-8 CSV");
		return -1;
	}
	while (ps->rd.p < ps->rd.end &&
	    csvimp_blank_line(ps->rd.p, ps->rd.end)) {
		const char *nl = memchr(ps->rd.p, '\n',
		    (size_t)(ps->rd.end - ps->rd.p));

		ps->rd.p = nl != NULL ? nl + 1 : ps->rd.end;
		ps->rd.line++;
	}
	ps->rd.delim = csvimp_delimiter(ps->rd.p, ps->rd.end);
	if (ps->rd.delim == 0) {
		*cause = xstrdup("the first row has no comma, semicolon or "
				 "tab between fields; export the file as CSV");
		return -1;
	}
	ps->out->delimiter = ps->rd.delim;
	ps->decimal = ps->opt->decimal != 0 ?
	    ps->opt->decimal :
	    csvimp_decimal_mark(ps->rd.p, ps->rd.end, ps->rd.delim);
	if ((rc = csvimp_next(&ps->rd, cause)) <= 0) {
		if (rc == 0)
			*cause = xstrdup("the file has no rows");
		return -1;
	}
	if ((*header = csvimp_header(ps, cause)) < 0)
		return -1;
	if (*header == 0 && csvimp_positional(ps, cause) != 0)
		return -1;
	if (ps->opt->symbol == NULL && ps->map[COL_SYMBOL] < 0) {
		*cause = xstrdup("the file has no symbol column; name the "
				 "symbol with --symbol");
		return -1;
	}
	ps->out->header = *header;
	return 0;
}

int
csvimp_parse(const char *text, size_t len, const struct csvimp_options *opt,
    struct csvimp_result *out, char **cause)
{
	struct csvimp_parse ps;
	int header = 0, rc = -1, i;

	memset(out, 0, sizeof *out);
	memset(&ps, 0, sizeof ps);
	ps.opt = opt;
	ps.out = out;
	for (i = 0; i < COL_COUNT; i++)
		ps.map[i] = -1;
	if (len > CSVIMP_MAX_BYTES) {
		*cause = xasprintf("the file is larger than %u MiB; split it",
		    CSVIMP_MAX_BYTES >> 20);
		return -1;
	}
	ps.rd.rec = xmalloc(CSVIMP_MAX_LINE + 1);
	csvimp_rewind(&ps, text, len);
	if (csvimp_layout(&ps, &header, cause) != 0)
		goto out;
	csvimp_flags(&ps);
	out->order = opt->order;
	if (opt->order == CSVIMP_ORDER_AUTO) {
		csvimp_rewind(&ps, text, len);
		if (csvimp_find_order(&ps, header, cause) != 0)
			goto out;
	}
	csvimp_rewind(&ps, text, len);
	if (csvimp_rows(&ps, header, cause) != 0)
		goto out;
	csvimp_sort(&ps);
	if (out->n_bad > 0) {
		*cause = xasprintf("%zu bad row%s", out->n_bad,
		    out->n_bad == 1 ? "" : "s");
		goto out;
	}
	if (out->n == 0) {
		*cause = xstrdup("the file has a header but no rows of data");
		goto out;
	}
	rc = 0;
out:
	free(ps.rd.rec);
	return rc;
}

void
csvimp_result_free(struct csvimp_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n_symbols; i++)
		free(r->symbols[i]);
	free(r->symbols);
	free(r->bars);
	for (i = 0; i < r->n_errors; i++)
		free(r->errors[i].message);
	free(r->errors);
	free(r->ignored);
	memset(r, 0, sizeof *r);
}
