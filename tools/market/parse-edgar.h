/*
 * parse-edgar.h: the readers of SEC EDGAR's answers (private to
 * tools/market; exposed to tests and fuzzing).
 *
 * Two documents: the ticker-to-CIK map (www.sec.gov/files/
 * company_tickers.json: {"0": {"cik_str": 320193, "ticker": "AAPL",
 * "title": "Apple Inc."}, ...}) and a filer's XBRL company facts
 * (data.sec.gov/api/xbrl/companyfacts/CIK##########.json: {"cik",
 * "entityName", "facts": {"dei": {...}, "us-gaap": {CONCEPT: {"units":
 * {"USD": [{"start"?, "end", "val", "fy", "fp", "form", "filed",
 * "frame"?}]}}}}}). A fact counts as of a day only when it was filed by
 * then, so an analysis as of a past day sees what was public that day.
 *
 * Returns as parse-alphavantage.h does: 0, EDGAR_NOT_FOUND, or EDGAR_BAD
 * with *cause (heap, one line, starting "edgar: ").
 */
#ifndef STOCKAGENT_MARKET_PARSE_EDGAR_H
#define STOCKAGENT_MARKET_PARSE_EDGAR_H

#include <stddef.h>
#include <stdint.h>

#include "tools/market/fetch.h"
#include "tools/market/market.h"

#define EDGAR_NOT_FOUND (-2)
#define EDGAR_BAD (-1)

/*
 * What a 2xx body from the SEC is (the fetch layer's check_body): data
 * unless it is a page: the SEC's block page ("Undeclared Automated Tool",
 * "Request Rate Threshold Exceeded"; refused, not retried: retries prolong
 * the block), S3's NoSuchKey (no such filer), or another page.
 */
enum fetch_body edgar_check_body(const char *body, size_t len, char **why);

/*
 * The CIK and company name of SYMBOL in the ticker map. Tickers compare
 * without case and with '.' and '-' alike (BRK.B is BRK-B in the map).
 */
int edgar_parse_tickers(const char *body, size_t len, const char *symbol,
    long *cik, char *name, size_t name_size, char **cause);

/* What the company facts say as of a day. NAN: not reported. */
struct edgar_facts {
	char name[128];		   /* entityName */
	double revenue_ttm;	   /* USD, the last twelve months */
	double net_income_ttm;	   /* USD */
	double eps_ttm;		   /* USD per share, diluted if given */
	double dividends_ps_ttm;   /* USD per share declared */
	double shares_outstanding; /* shares, the latest count */
	double equity;		   /* stockholders' equity, USD, latest */
	int32_t period_end;	   /* the last period the TTM figures end */
};

/*
 * Reads the company facts as of AS_OF: each twelve-month figure is the
 * last fiscal year's, plus the year to date of a later quarterly report
 * minus the same span a year before (when both are filed by AS_OF); the
 * counts are the latest ones filed. Concepts, first one reported wins:
 * revenue Revenues, RevenueFromContractWithCustomerExcludingAssessedTax,
 * SalesRevenueNet, RevenueFromContractWithCustomerIncludingAssessedTax;
 * net income NetIncomeLoss, ProfitLoss; EPS EarningsPerShareDiluted,
 * EarningsPerShareBasic; dividends CommonStockDividendsPerShareDeclared,
 * CommonStockDividendsPerShareCashPaid; shares dei
 * EntityCommonStockSharesOutstanding, CommonStockSharesOutstanding;
 * equity StockholdersEquity, StockholdersEquityIncludingPortion
 * AttributableToNoncontrollingInterest. A document with none of them is
 * EDGAR_NOT_FOUND.
 */
int edgar_parse_facts(const char *body, size_t len, int32_t as_of,
    struct edgar_facts *out, char **cause);

/*
 * Fundamentals from FACTS and the close PRICE of the as-of day: market
 * cap, P/E (when EPS > 0), price-to-book, book value per share, profit
 * margin, revenue, EPS, dividend per share and yield. Fields it cannot
 * compute stay NAN (set every field of OUT).
 */
void edgar_fundamentals(const struct edgar_facts *facts, double price,
    struct market_fundamentals *out);

#endif
