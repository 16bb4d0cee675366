#!/bin/sh
# tests/cli-av-edgar.sh: the alphavantage and edgar providers end to end
# against their answers replayed on 127.0.0.1 (tests/servers/
# av-edgar-fake.js): analyze and data history through them, the API key
# in no log, message, database or PDF, throttling that is never "no
# data", unknown symbols, a free key's compact series, SEC's User-Agent.
. "$top_srcdir/tests/cli-lib.sh"
command -v node >/dev/null 2>&1 || { echo "SKIP: no node"; exit 77; }

D=2025-09-04
KEY=AVk3y5ecretZ9
LOG="$T/requests.log"
node "$top_srcdir/tests/servers/av-edgar-fake.js" --key "$KEY" --log "$LOG" \
	>"$T/port" &
SPID=$!
trap 'kill $SPID 2>/dev/null; rm -rf "$T"' EXIT
i=0
while [ ! -s "$T/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
U=http://127.0.0.1:$(cat "$T/port")
export STOCKAGENT_ALPHAVANTAGE_URL=$U/query STOCKAGENT_EDGAR_URL=$U \
	STOCKAGENT_EDGAR_TICKERS_URL=$U/files/company_tickers.json \
	STOCKAGENT_OUT="$T/rep"
DB="$XDG_DATA_HOME/stockagent/stockagent.db"

result() {
	$PYTHON -c "import json,sys; r=json.load(open('$T/out')); sys.exit(0 if ($1) else 1)" &&
		ok || bad "$2 ($(head -c 300 "$T/err"))"
}

# No key: one line saying how to give one.
expect 3 "no key" -- data history AAPL --provider alphavantage --as-of $D
has "$T/err" "ALPHAVANTAGE_API_KEY" "names the variable"

export ALPHAVANTAGE_API_KEY=$KEY
# --- analyze AAPL from Alpha Vantage, with its PDF, logging verbosely -----
expect 0 "analyze AAPL" -- analyze AAPL --provider alphavantage --as-of $D \
	--format json --verbose
cp "$T/err" "$T/analyze.err"
result 'r["market"]["provider"] == "alphavantage"' "bars from alphavantage"
result 'r["market"]["history"]["last"] == "'$D'"' "up to the as-of day"
result 'abs(r["market"]["fundamentals"]["pe_ratio"] - 36.21) < 1e-9' "P/E from OVERVIEW"
result 'r["market"]["profile"]["name"] == "Apple Inc"' "profile from OVERVIEW"
result 'len(r["market"]["news"]) == 2' "news up to the as-of day"
result 'r["market"]["sources"]["fundamentals"]["provider"] == "alphavantage"' \
	"fundamentals' source"
pdf=$(jget "$T/out" 'r["report"]["pdf"]["path"]')
[ -f "$pdf" ] && ok || bad "no PDF"
grep -q "apikey=$KEY" "$LOG" && ok || bad "the key was not sent"

# The key is nowhere it must not be: stdout, the verbose log, the
# database (its file and write-ahead log), the PDF's text, the reports.
if grep -q "$KEY" "$T/out" "$T/analyze.err"; then bad "key in output or log"; else ok; fi
if cat "$DB"* | grep -aq "$KEY"; then bad "key in the database"; else ok; fi
if command -v pdftotext >/dev/null 2>&1; then
	pdftotext "$pdf" "$T/pdf.txt" 2>/dev/null
	has "$T/pdf.txt" "alphavantage" "the PDF names its source"
	hasnt "$T/pdf.txt" "$KEY" "key in the PDF"
fi
if grep -rqa "$KEY" "$T/rep"; then bad "key in a report file"; else ok; fi

# The daily limit says so (and quotes the key, which is never repeated).
expect 3 "the daily limit" -- data history LIMIT --provider alphavantage \
	--as-of $D --verbose
has "$T/err" "rate limit" "throttled"
hasnt "$T/err" "no such symbol" "not read as no data"
hasnt "$T/err" "$KEY" "key in the message"
expect 3 "a Note" -- data history NOTE --provider alphavantage --as-of $D
has "$T/err" "rate limit" "a Note is a rate limit"
expect 3 "unknown symbol" -- data history ZZZZ --provider alphavantage --as-of $D
has "$T/err" "ZZZZ: .*alphavantage: .*no such symbol" "unknown symbol"
expect 3 "an HTML page" -- data history HTMLX --provider alphavantage --as-of $D
has "$T/err" "502" "the status"
expect 3 "truncated JSON" -- data history TRUNC --provider alphavantage --as-of $D
has "$T/err" "not JSON" "truncated"
expect 0 "a free key" -- data history FREE --provider alphavantage --as-of 2025-09-05
[ "$(($(wc -l <"$T/out") - 1))" -eq 101 ] && ok || bad "compact series and the quote's day"
has "$T/err" "last 100 days" "says why the series is short"
ALPHAVANTAGE_API_KEY=wrong expect 3 "a wrong key" -- data history AAPL \
	--provider alphavantage --as-of $D --refresh
has "$T/err" "key is missing or invalid" "refused"

# The setting wins over the variable and is never shown.
STOCKAGENT_ALPHAVANTAGE_KEY=$KEY expect 0 "config list" -- config list
has "$T/out" "alphavantage_key=\[redacted\]" "redacted"
hasnt "$T/out" "$KEY" "key in config list"

# --- edgar: fundamentals of a US filer, with the as-of close ---------------
export STOCKAGENT_HISTORY_PROVIDER=alphavantage \
	STOCKAGENT_FUNDAMENTALS_PROVIDER=edgar STOCKAGENT_NEWS_PROVIDER=alphavantage
expect 0 "analyze without sec_user_agent" -- analyze AAPL --as-of $D --no-pdf \
	--format json --refresh
has "$T/err" "sec_user_agent" "says to set it"
result 'r["market"]["fundamentals"]["pe_ratio"] is None' "no fundamentals made up"
export STOCKAGENT_SEC_USER_AGENT="Jane Doe jane@example.com"
expect 0 "analyze with edgar" -- analyze AAPL --as-of $D --no-pdf \
	--format json --refresh
result 'r["market"]["sources"]["fundamentals"]["provider"] == "edgar"' \
	"fundamentals from edgar"
result 'abs(r["market"]["fundamentals"]["pe_ratio"] - 238.47 / 6.59) < 1e-6' \
	"P/E: the as-of close over the twelve months' EPS"
result 'abs(r["market"]["fundamentals"]["profit_margin_percent"] - 99280000000 / 408625000000 * 100) < 1e-9' \
	"margin from company facts"
grep -q "GET /api/xbrl/companyfacts/CIK0000320193.json UA=Jane Doe jane@example.com" \
	"$LOG" && ok || bad "companyfacts with the User-Agent"
STOCKAGENT_SEC_USER_AGENT=anonymous expect 0 "a User-Agent the SEC refuses" \
	-- analyze AAPL --as-of $D --no-pdf --format json --refresh
has "$T/err" "block page" "the block page explained"

cli_done
