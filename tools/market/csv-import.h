/*
 * csv-import.h: a user's own daily bars (a broker's export, a spreadsheet)
 * read from delimited text, as 'stockagent data import' takes them.
 *
 * A pure function: text in, checked bars out; nothing is stored here
 * (tools/market/imported.h stores them). What it reads:
 *
 * - fields separated by commas, semicolons or tabs (the most frequent of
 *   the three on the first line; on a tie tab, then semicolon), quoted as
 *   RFC 4180 quotes them; a UTF-8 byte order mark and CR LF line ends are
 *   accepted; blank lines are skipped;
 * - a header row naming the columns, in any order and case (see
 *   csvimp_column_names: date, open, high, low, close, adj close, volume,
 *   dividends, stock splits, symbol, and common spellings of them), or no
 *   header: date,close / date,open,high,low,close[,volume], optionally
 *   after a symbol column; other columns are ignored and listed;
 * - dates as YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD, YYYYMMDD, DD/MM/YYYY or
 *   MM/DD/YYYY (with / - or .), 15-Jan-2024, 15 Jan 2024, Jan 15 2024
 *   (English month names, commas allowed), each optionally followed by a
 *   time of day that is ignored. Day-first or month-first is what the
 *   options say; CSVIMP_ORDER_AUTO decides from the file: a first number
 *   above 12 somewhere means day first, a second number above 12 means
 *   month first; a file that shows neither (or both) is refused;
 * - numbers with a decimal point, or with a decimal comma in a file whose
 *   delimiter is not a comma and that has a comma between two digits
 *   somewhere; the other mark, spaces and apostrophes are thousands
 *   separators ("1,234.5", "1.234,5"); volumes may end in K, M or B. A
 *   date or number holding the delimiter must be quoted.
 *
 * Every row is checked: a real date, prices above zero, high at or above
 * open, close and low, low at or below them, volume and dividends not
 * negative, one row per symbol and day. A file with a bad row yields no
 * bars: the errors, with their line numbers, say what to fix.
 */
#ifndef STOCKAGENT_CSV_IMPORT_H
#define STOCKAGENT_CSV_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#define CSVIMP_MAX_BYTES (256u * 1024 * 1024) /* the largest file read */
#define CSVIMP_MAX_ROWS 5000000		      /* data rows in one file */
#define CSVIMP_MAX_FIELDS 64		      /* fields in one row */
#define CSVIMP_MAX_LINE 65536		      /* bytes in one row */
#define CSVIMP_MAX_ERRORS 20		      /* bad rows kept with messages */

/* Which number of a DD/MM/YYYY or MM/DD/YYYY date is the day. */
enum csvimp_order {
	CSVIMP_ORDER_AUTO = 0, /* decided from the file (see above) */
	CSVIMP_ORDER_DMY,      /* day first: 02/03/2024 is 2 March */
	CSVIMP_ORDER_MDY,      /* month first: 02/03/2024 is 3 February */
};

struct csvimp_options {
	const char *symbol;	 /* every row's symbol; NULL: a symbol column */
	enum csvimp_order order; /* for dates with the year last */
	char decimal;		 /* '.' or ','; 0: found as said above */
};

/* One day of one symbol. */
struct csvimp_bar {
	int32_t date;	  /* day number (lib/date.h) */
	size_t symbol;	  /* index into csvimp_result.symbols */
	size_t line;	  /* where it was read, 1-based */
	double open;	  /* price; the close where the file has no open */
	double high;	  /* price; the max of open and close where none */
	double low;	  /* price; the min of open and close where none */
	double close;	  /* price as traded */
	double adj_close; /* price adjusted by the source; NAN: none given */
	double volume;	  /* shares; NAN: none given */
	double dividend;  /* cash per share going ex that day; 0: none */
	double split;	  /* new shares per old share that day; 1: none */
};

/* A bad row: LINE of the file (1-based) and what is wrong with it. */
struct csvimp_error {
	size_t line;
	char *message; /* heap, one line, without the file name */
};

/* What a file held. Owns everything; release with csvimp_result_free. */
struct csvimp_result {
	char **symbols; /* [n_symbols] upper case, sorted */
	size_t n_symbols;
	struct csvimp_bar *bars; /* [n] by symbol, then date ascending */
	size_t n;
	struct csvimp_error *errors; /* [n_errors] by line, the first ones */
	size_t n_errors;
	size_t n_bad;		 /* bad rows in all (>= n_errors) */
	char delimiter;		 /* ',', ';' or '\t' */
	int header;		 /* 1: the first row named the columns */
	enum csvimp_order order; /* as used (AUTO: no such dates) */
	char *ignored;		 /* columns left out, "Change %, Value", or
				    NULL */
	int has_adj_close, has_volume, has_dividends, has_splits;
};

/*
 * Reads TEXT (LEN bytes, need not be NUL-terminated) under OPT into
 * *OUT, which the caller releases with csvimp_result_free whatever the
 * outcome. Returns 0 when every row is good and there is at least one;
 * otherwise -1 with *CAUSE (heap, one line, no file name): either about
 * the whole file (no date or close column, ambiguous dates, too large),
 * or "N bad rows" with the rows in out->errors.
 */
int csvimp_parse(const char *text, size_t len, const struct csvimp_options *opt,
    struct csvimp_result *out, char **cause);

void csvimp_result_free(struct csvimp_result *r);

/*
 * Parses one date as csvimp_parse does with ORDER (AUTO accepts only
 * dates whose form is not ambiguous). Returns 0 with *DAY, or -1.
 */
int csvimp_date(const char *s, enum csvimp_order order, int32_t *day);

/* The spellings of each column a header may use, for the manual. Static. */
const char *csvimp_column_names(void);

#endif
