#!/bin/sh
# cli-market.sh: real market data end to end against Yahoo and Stooq
# replayed on 127.0.0.1 (tests/servers/market-fake.js): analyze, ask and
# data history of AAPL, provider fallbacks, what each provider said, null
# holes, splits and dividends, throttling, HTML and truncated answers, a
# slow server, an expired crumb, the cache, --offline and --refresh, and the
# indicators on the served bars against technicalindicators.
. "$top_srcdir/tests/cli-lib.sh"
command -v node >/dev/null 2>&1 || { echo "SKIP: no node"; exit 77; }

D=2025-09-04
LOG="$T/requests.log"
node "$top_srcdir/tests/servers/market-fake.js" --log "$LOG" >"$T/port" &
SPID=$!
trap 'kill $SPID 2>/dev/null; rm -rf "$T"' EXIT
i=0
while [ ! -s "$T/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
U=http://127.0.0.1:$(cat "$T/port")
export STOCKAGENT_YAHOO_URL=$U STOCKAGENT_YAHOO_COOKIE_URL=$U/cookie \
	STOCKAGENT_YAHOO_NEWS_URL=$U/rss STOCKAGENT_STOOQ_URL=$U
: >"$LOG"

# result CHECK DESCRIPTION: a Python expression over r, the JSON in $T/out.
result() {
	$PYTHON -c "import json,sys; r=json.load(open('$T/out')); sys.exit(0 if ($1) else 1)" &&
		ok || bad "$2 ($(head -c 300 "$T/err"))"
}
requests() { grep -c "$1" "$LOG"; }

# --- analyze AAPL: every part from yahoo, gzip offered and used ----------
expect 0 "analyze AAPL" -- analyze AAPL --as-of $D --no-pdf --format json
cp "$T/out" "$T/first.json"
result 'r["market"]["provider"] == "yahoo"' "bars from yahoo"
result 'all(r["market"]["sources"][k]["provider"] == "yahoo" for k in
	("history", "fundamentals", "news", "benchmark"))' "each part's source"
result 'r["market"]["sources"]["history"]["fetched_at"].endswith("Z")' \
	"fetch time recorded"
result 'r["market"]["benchmark"] == "^GSPC"' "US benchmark ^GSPC"
result 'r["market"]["profile"]["name"] == "Apple Inc."' "profile"
result 'r["market"]["profile"]["sector"] == "Technology"' "sector"
result 'abs(r["market"]["fundamentals"]["pe_ratio"] - 34.78) < 1e-9' \
	"quoteSummary P/E"
result 'abs(r["market"]["fundamentals"]["profit_margin_percent"] - 23.97) < 1e-9' \
	"profit margin from a fraction"
result 'abs(r["market"]["fundamentals"]["dividend_yield_percent"] -
	1.0 / 230.49 * 100) < 1e-9' "dividend yield from the rate"
result '[n["headline"] for n in r["market"]["news"]] == ["Apple & partners unveil new chips",
	"Apple shares rise after earnings beat", "Analysts weigh Apple'"'"'s services growth"]' \
	"RSS headlines decoded, newest first, none after the as-of date"
result 'r["market"]["quote"]["date"] == "'$D'"' "quote date"
result 'all(n["sentiment"] == "unrated" and n["sentiment_score"] is None
	for n in r["market"]["news"])' "headlines unrated, no score"
if $PYTHON -c 'import jsonschema' 2>/dev/null; then
	$PYTHON -c 'import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))' \
		"$top_srcdir/data/output.schema.json" "$T/out" && ok ||
		bad "the result of real data fails data/output.schema.json"
fi
result 'r["analysis"]["risk"]["beta"] is not None' "beta against ^GSPC"
has "$LOG" "^GET /v8/finance/chart/AAPL\?period1=.*events=div%2Csplit.* gz$" \
	"chart asked with events, gzip offered"
has "$LOG" "^GET /v8/finance/chart/%5EGSPC" "benchmark symbol encoded"
has "$LOG" "^GET /cookie" "cookie fetched"
has "$LOG" "^GET /v10/finance/quoteSummary/AAPL\?modules=.*&crumb=cr4mb.Q1" \
	"quoteSummary with the crumb"
expect 0 "text output" -- analyze AAPL --as-of $D --no-pdf
has "$T/out" "^SOURCES: daily bars: yahoo, fetched .*Z \(cached\); fundamentals: yahoo" \
	"text names the sources"

# --- data history: null holes, splits, dividends --------------------------
expect 0 "data history AAPL" -- data history AAPL --as-of $D --format json
cp "$T/out" "$T/hist.json"
result '"2025-03-12" not in r["bars"]["date"]' "an all-null day is left out"
result 'min(min(r["bars"][k]) for k in ("open", "high", "low", "close")) > 0' \
	"no price read as zero"
result 'r["bars"]["open"][r["bars"]["date"].index("2025-03-13")] ==
	r["bars"]["close"][r["bars"]["date"].index("2025-03-13")]' \
	"a null open takes the close"
result 'r["splits"] == [{"date": "2024-06-10", "ratio": 4}]' "the 4:1 split"
result 'len(r["dividends"]) >= 8 and all(d["amount"] > 0 for d in r["dividends"])' \
	"dividends"
result 'r["currency"] == "USD" and r["timezone"] == "America/New_York"' \
	"currency and zone"
result 'r["provider"] == "yahoo" and r["fetched_at"].endswith("Z")' \
	"provider and fetch time"
# Adjusted closes have no jump at the split; traded ones fall by 3/4.
result '(lambda b, i: abs(b["adj_close"][i] / b["adj_close"][i - 1] - 1) < 0.1
	and b["close"][i] / b["close"][i - 1] < 0.3)(r["bars"],
	r["bars"]["date"].index("2024-06-10"))' "adjusted across the split"
expect 0 "data history csv" -- data history AAPL --as-of $D
head -1 "$T/out" | grep -qx "date,open,high,low,close,volume,adj_close" &&
	ok || bad "csv header"

# --- the cache: a second run asks nothing; list; offline; refresh --------
n=$(requests "/v8/finance/chart/AAPL")
expect 0 "analyze again" -- analyze AAPL --as-of $D --no-pdf --format json
same "$(requests "/v8/finance/chart/AAPL")" "$n" "second run served by the cache"
result 'r["market"]["sources"]["history"]["cached"] is True' "marked cached"
expect 0 "cache list" -- data cache list AAPL --format json
result 'sorted(x["kind"] for x in r) == ["bars", "fundamentals", "news"] and
	all(x["provider"] == "yahoo" for x in r)' "cache list"
: >"$LOG"
expect 0 "analyze --offline" -- analyze AAPL --as-of $D --no-pdf --format json --offline
same "$(wc -l <"$LOG")" 0 "--offline makes no request"
has "$T/err" "offline: AAPL daily bars from yahoo, fetched .* ago" \
	"--offline says how old the data is"
strip_result "$T/first.json" | sed 's/"cached": [a-z]*//g' >"$T/a1"
strip_result "$T/out" | sed 's/"cached": [a-z]*//g' >"$T/a2"
cmp -s "$T/a1" "$T/a2" && ok || bad "--offline analysis differs from the first"
expect 3 "--offline, nothing cached" -- analyze ZZZZ --as-of $D --no-pdf --offline
has "$T/err" "yahoo: not asked \(offline\)" "offline: yahoo not asked"
expect 0 "--refresh" -- data history AAPL --as-of $D --refresh
same "$(requests "/v8/finance/chart/AAPL")" 1 "--refresh fetches again"
expect 0 "cache clear" -- data cache clear AAPL
has "$T/out" "^cleared [1-9][0-9]* cached items of AAPL" "cleared"
expect 0 "cache empty" -- data cache list AAPL
has "$T/out" "nothing cached" "nothing left"

# --- ask: a company name looked up with Yahoo's search --------------------
expect 0 "ask Apple" -- ask "Analyze Apple stock for investment purposes" \
	--as-of $D --no-pdf --format json
result 'r["symbol"] == "AAPL"' "Apple is AAPL"
has "$LOG" "^GET /v1/finance/search\?q=Apple&" "search asked"

# --- fallbacks and what each provider said --------------------------------
expect 0 "MSFT from stooq" -- data history MSFT --as-of $D --format json
result 'r["provider"] == "stooq" and len(r["bars"]["date"]) > 700' \
	"yahoo has no MSFT: stooq serves"
has "$LOG" "^GET /q/d/l/\?s=msft.us&i=d&d1=20220905&d2=20250904" "stooq URL"
expect 3 "unknown symbol" -- analyze ZZZZ --as-of $D --no-pdf
one_line "$T/err" "unknown symbol"
has "$T/err" "ZZZZ: no provider has daily bars \(yahoo: .*no such symbol.*; stooq: .*no such symbol" \
	"each provider named"
STOCKAGENT_MARKET_RETRIES=1 expect 3 "always throttled" -- data history BUSY --as-of $D
has "$T/err" "yahoo: GET $U/v8/finance/chart/BUSY: throttled \(HTTP 429\) after 2 attempts" \
	"throttled, not no data"
expect 0 "429 then data" -- data history THROT --as-of $D
same "$(requests "/v8/finance/chart/THROT")" 2 "Retry-After honoured, then data"
expect 0 "throttled with HTTP 200, then data" -- data history THROT200 --as-of $D \
	--format json
result 'r["provider"] == "yahoo"' "a 200 throttling body is retried, not no data"
same "$(requests "/v8/finance/chart/THROT200")" 2 "asked twice"
expect 3 "HTML page" -- data history HTMLX --as-of $D
has "$T/err" "yahoo: .*an HTML page instead of data" "yahoo HTML named"
has "$T/err" "stooq: .*an HTML page asking for an API key" "stooq HTML named"
expect 3 "truncated JSON" -- data history TRUNC --as-of $D --provider yahoo
has "$T/err" "yahoo: the chart answer is not complete JSON" "truncated named"
STOCKAGENT_MARKET_TIMEOUT=1 STOCKAGENT_MARKET_RETRIES=0 \
	expect 3 "slow server" -- data history SLOW --as-of $D --provider yahoo
has "$T/err" "yahoo: .*(timed out|Timeout)" "timeout named"
expect 3 "stooq daily limit" -- data history LIMIT --as-of $D --provider stooq
has "$T/err" "stooq: .*Exceeded the daily hits limit" "hits limit named"
STOCKAGENT_STOOQ_KEY=s3cr3tK3y expect 3 "stooq with a key" -- \
	data history ZZZZ --as-of $D --provider stooq
has "$LOG" "^GET /q/d/l/\?s=zzzz.us&.*&apikey=s3cr3tK3y" "the key is sent"
hasnt "$T/err" "s3cr3tK3y" "the key is not in the message"
STOCKAGENT_STOOQ_KEY=s3cr3tK3y STOCKAGENT_MARKET_RETRIES=0 expect 3 \
	"stooq with a key, --verbose" -- data history ZZZZ --as-of $D --provider stooq \
	--verbose
hasnt "$T/err" "s3cr3tK3y" "nor in the debug log"
expect 2 "unknown provider" -- analyze AAPL --provider nosuch --no-pdf
has "$T/err" "unknown market data provider 'nosuch'" "bad provider"

# --- an expired crumb: one new handshake, then fundamentals ---------------
: >"$LOG"
expect 0 "expired crumb" -- analyze ROT --as-of $D --no-pdf --format json
result 'r["market"]["sources"]["fundamentals"]["provider"] == "yahoo" and
	r["market"]["fundamentals"]["pe_ratio"] is not None' "fundamentals after 401"
same "$(requests "/v1/test/getcrumb")" 2 "the handshake made again once"

# --- symbols as typed; Tokyo dates in Tokyo ------------------------------
expect 0 "BRK.B" -- data history BRK.B --as-of $D --provider yahoo
has "$LOG" "^GET /v8/finance/chart/BRK-B\?" "BRK.B asked as BRK-B"
expect 0 "7203.T" -- data history 7203.T --as-of $D --format json
result 'all(__import__("datetime").date.fromisoformat(d).weekday() < 5
	for d in r["bars"]["date"])' "Tokyo bars on Tokyo weekdays"
result 'r["timezone"] == "Asia/Tokyo"' "Tokyo zone"
# 2025-07-04 is a NYSE holiday, not London's: trading days are the data's.
expect 0 "VOD.L on the 4th of July" -- data history VOD.L --as-of 2025-07-04 --format json
result 'r["as_of"] == "2025-07-04" and r["bars"]["date"][-1] == "2025-07-04"' \
	"London trades on a US holiday"
expect 0 "AAPL on the 4th of July" -- data history AAPL --as-of 2025-07-04 --format json
result 'r["as_of"] == "2025-07-03"' "a US holiday moves back"

# --- a batch: worker threads share the cache and the rate limiters -------
expect 0 "batch of real symbols" -- batch AAPL MSFT 7203.T --as-of $D --jobs 2 \
	--out "$T/batch"
[ -s "$T/err" ] && bad "batch not silent: $(head -c 300 "$T/err")" || ok
expect 0 "cache after the batch" -- data cache list --format json
result 'set(x["symbol"] for x in r if x["kind"] == "bars") >=
	{"AAPL", "MSFT", "7203.T", "^GSPC", "^N225"}' "every symbol and benchmark cached"

# --- indicators on the served bars against technicalindicators -----------
if NODE_PATH="$top_srcdir/tests/node_modules" node -e 'require("technicalindicators")' \
	2>/dev/null; then
	NODE_PATH="$top_srcdir/tests/node_modules" node -e '
const ti = require("technicalindicators"), fs = require("fs");
const h = JSON.parse(fs.readFileSync(process.argv[1])).bars;
const a = JSON.parse(fs.readFileSync(process.argv[2])).analysis.indicators;
const k = h.close.map((c, i) => h.adj_close[i] / c);
const adj = (col) => h[col].map((x, i) => x * k[i]);
const close = adj("close"), high = adj("high"), low = adj("low");
const last = (v) => v[v.length - 1];
const want = {
	sma20: last(ti.SMA.calculate({ period: 20, values: close })),
	sma200: last(ti.SMA.calculate({ period: 200, values: close })),
	ema12: last(ti.EMA.calculate({ period: 12, values: close })),
	rsi14: last(ti.RSI.calculate({ period: 14, values: close })),
	atr14: last(ti.ATR.calculate({ period: 14, high, low, close })),
	bb_upper: last(ti.BollingerBands.calculate({ period: 20, stdDev: 2,
		values: close })).upper,
};
let bad = 0;
for (const [name, t] of Object.entries(want)) {
	const tol = name === "rsi14" ? 0.006 : 1e-6 * Math.abs(t);
	if (!(Math.abs(a[name] - t) <= tol)) {
		console.log("FAIL " + name + ": ours " + a[name] + ", oracle " + t);
		bad = 1;
	}
}
process.exit(bad);' "$T/hist.json" "$T/first.json" && ok ||
		bad "indicators on served bars differ from technicalindicators"
else
	echo "SKIP: technicalindicators not installed (indicator oracle)"
fi

# --- bars imported after Yahoo's were cached: csv first in the chain wins --
$PYTHON - "$T/aapl.csv" <<'EOF2'
import datetime, sys
d, rows = datetime.date(2024, 8, 1), ["Date,Open,High,Low,Close,Volume"]
while d <= datetime.date(2025, 9, 4):
    if d.weekday() < 5:
        c = 500 + (d.toordinal() % 17) * 0.5
        rows.append("%s,%.2f,%.2f,%.2f,%.2f,1000000" % (d, c, c + 1, c - 1, c))
    d += datetime.timedelta(days=1)
open(sys.argv[1], "w").write("\n".join(rows) + "\n")
EOF2
expect 0 "import AAPL" -- data import "$T/aapl.csv" --symbol AAPL
: >"$LOG"
export STOCKAGENT_HISTORY_PROVIDER=csv,yahoo,stooq
expect 0 "analyze AAPL, csv first" -- analyze AAPL --as-of $D --no-pdf \
	--format json
unset STOCKAGENT_HISTORY_PROVIDER
result 'r["market"]["sources"]["history"]["provider"] == "csv" and
	r["market"]["quote"]["price"] > 400' "imported bars over cached ones"
same "$(requests "/v8/finance/chart/AAPL")" 0 "no chart asked for AAPL"
expect 0 "analyze AAPL, default chain" -- analyze AAPL --as-of $D --no-pdf \
	--format json
result 'r["market"]["sources"]["history"]["provider"] == "yahoo" and
	r["market"]["quote"]["price"] < 400' "the default chain keeps yahoo's"

cli_done
