#!/bin/sh
# tests/cli-analyze.sh: stockagent analyze and ask, as a user runs them.
. "$top_srcdir/tests/cli-lib.sh"

D=2025-09-04

# The article's three sections, scores, summary and disclaimer.
expect 0 "analyze SIM_STOCK" -- analyze SIM_STOCK --as-of $D --no-pdf
for h in "STOCK DATA GATHERING REPORT:" "STOCK PERFORMANCE ANALYSIS:" \
	"STOCK REPORT GENERATION:" "Company Name: Simulated Stock Inc\." \
	"Sector: SIM_SECTOR" "Industry: SIM INDUSTRY" "Technical Score: [1-5]/5" \
	"Fundamental Score: [1-5]/5" "Overall Score: [1-5]/5" "^SUMMARY:" \
	"^DISCLAIMER:" "RECENT NEWS HEADLINES:" "DATA AS OF: $D"; do
	has "$T/out" "$h" "text output"
done
price=$(sed -n 's/^- Current Price: \$\([0-9.]*\)$/\1/p' "$T/out" | head -1)
awk -v p="$price" 'BEGIN { exit !(p >= 20 && p <= 40) }' && ok ||
	bad "SIM_STOCK price $price outside 20-40"

# Deterministic: the same date gives the same analysis.
grep -v '^- Generated:' "$T/out" >"$T/a1"
expect 0 "analyze again" -- analyze SIM_STOCK --as-of $D --no-pdf
grep -v '^- Generated:' "$T/out" >"$T/a2"
cmp -s "$T/a1" "$T/a2" && ok || bad "two runs of the same date differ"

# The golden output at the fixed date.
golden="$top_srcdir/tests/fixtures/golden/SIM_STOCK-$D.txt"
if cmp -s "$golden" "$T/a1"; then ok; else
	bad "text differs from $golden"; diff "$golden" "$T/a1" | head -20
fi

# JSON: valid against the schema, and the text shows the same numbers.
expect 0 "json" -- analyze SIM_STOCK --as-of $D --no-pdf --format json
cp "$T/out" "$T/r.json"
if $PYTHON -c 'import jsonschema' 2>/dev/null; then
	$PYTHON - "$top_srcdir/data/output.schema.json" "$T/r.json" "$T/a1" <<'PY' && ok || bad "json schema / text agreement"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1])); r = json.load(open(sys.argv[2]))
jsonschema.validate(r, schema)
text = open(sys.argv[3]).read()
a, m = r["analysis"], r["market"]
for label, v in [("Current Price: $", a["price"]),
                 ("1-Year Return: ", a["returns"]["one_year_percent"]),
                 ("Volatility (Annualized): ", a["risk"]["volatility_percent"]),
                 ("P/E Ratio: ", m["fundamentals"]["pe_ratio"]),
                 ("Beta: ", a["risk"]["beta"])]:
    want = label + "%.2f" % v
    assert want in text, want
assert "Technical Score: %d/5" % a["scores"]["technical"] in text
assert r["symbol"] == "SIM_STOCK" and r["as_of"] == "2025-09-04"
assert r["market"]["history"]["bars"] >= 750
PY
else
	echo "SKIP: python3-jsonschema missing"
fi

# NDJSON: one JSON object per line, events then the result.
expect 0 "ndjson" -- analyze SIM_STOCK --as-of $D --no-pdf --format ndjson
$PYTHON - "$T/out" <<'PY' && ok || bad "ndjson events"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
types = [l["type"] for l in lines]
assert types[0] == "run_start" and types[-1] == "result", types
assert "node_start" in types and "checkpoint" in types, types
assert lines[-1]["result"]["symbol"] == "SIM_STOCK"
PY

# Other universe members have their own profiles.
for s in SIM_GROWTH SIM_VALUE SIM_SMALL SIM_DECLINE SIM_UTILITY; do
	expect 0 "analyze $s" -- analyze $s --as-of $D --no-pdf --format json
done

# A weekend as-of moves back to Friday.
expect 0 "weekend" -- analyze SIM_STOCK --as-of 2025-09-06 --no-pdf --format json
same "$(jget "$T/out" 'r["as_of"]')" 2025-09-05 "Saturday -> Friday"

# ask: the ticker is found whatever the wording.
for p in "Analyze SIM_STOCK Stock for Investment purposes." \
	"analyze sim_stock for investment purposes" \
	"Analyze SIM_STOCK for investment purposes" \
	"Please give me a report on ticker sim_value"; do
	expect 0 "ask '$p'" -- ask "$p" --as-of $D --no-pdf --format json
done
same "$(jget "$T/out" 'r["symbol"]')" SIM_VALUE "ask picks SIM_VALUE"
expect 0 "ask STOCK" -- ask "Analyze SIM_STOCK Stock for Investment purposes." --as-of $D --no-pdf --format json
same "$(jget "$T/out" 'r["symbol"]')" SIM_STOCK "ask does not take STOCK"
expect 3 "ask AAPL" -- ask "What about AAPL?" --as-of $D --no-pdf
has "$T/err" "AAPL" "ask names the symbol it could not find data for"
expect 2 "ask nothing" -- ask "analyze the stock for investment" --no-pdf

# Bad input: one line naming the input, exit 2.
for s in "" "../x" "A B" 'X;rm' '$(id)' "ABCDEFGHIJKLMNOPQRSTU" "-x-" "a/b"; do
	expect 2 "symbol '$s'" -- analyze "$s" --no-pdf
	one_line "$T/err" "symbol '$s'"
done
expect 2 "bad date" -- analyze SIM_STOCK --as-of 2025-02-30 --no-pdf
has "$T/err" "2025-02-30" "bad date named"
expect 2 "future date" -- analyze SIM_STOCK --as-of 2199-01-01 --no-pdf
expect 2 "bad format" -- analyze SIM_STOCK --format xml
expect 2 "unknown option" -- analyze SIM_STOCK --frobnicate
has "$T/err" "frobnicate" "unknown option named"
expect 2 "missing value" -- analyze SIM_STOCK --as-of
expect 2 "two symbols" -- analyze SIM_STOCK SIM_VALUE
expect 2 "unknown command" -- frobnicate
expect 2 "unknown provider" -- analyze SIM_STOCK --provider nope --no-pdf
expect 2 "bad model" -- analyze SIM_STOCK --model nope: --no-pdf
expect 3 "not in the universe" -- analyze AAPL --no-pdf
one_line "$T/err" "AAPL error"
has "$T/err" "AAPL" "AAPL named"

# Configuration: file < environment < flag; bad values name their source.
mkdir -p "$XDG_CONFIG_HOME/stockagent"
printf 'format = json\nno_pdf = 1\n' >"$XDG_CONFIG_HOME/stockagent/config"
expect 0 "format from the config file" -- analyze SIM_STOCK --as-of $D
same "$(jget "$T/out" 'r["symbol"]')" SIM_STOCK "config file format=json"
STOCKAGENT_FORMAT=text "$STOCKAGENT" analyze SIM_STOCK --as-of $D >"$T/out" 2>"$T/err"
has "$T/out" "^STOCK DATA GATHERING REPORT:" "environment beats the file"
STOCKAGENT_FORMAT=text "$STOCKAGENT" analyze SIM_STOCK --as-of $D --format json >"$T/out" 2>"$T/err"
same "$(jget "$T/out" 'r["as_of"]')" $D "flag beats the environment"
STOCKAGENT_FORMAT=xml "$STOCKAGENT" analyze SIM_STOCK --as-of $D >"$T/out" 2>"$T/err"
same "$?" 2 "bad format from the environment"
has "$T/err" "STOCKAGENT_FORMAT" "the message names where the value came from"
printf 'this is not ini\n' >"$T/bad.ini"
expect 2 "bad config file" -- --config "$T/bad.ini" analyze SIM_STOCK --as-of $D
has "$T/err" "bad.ini:1" "names the file and line"
expect 2 "missing config file" -- --config "$T/none.ini" version
rm -f "$XDG_CONFIG_HOME/stockagent/config"
expect 0 "--quiet" -- --quiet analyze SIM_STOCK --as-of $D --no-pdf
[ -s "$T/err" ] && bad "--quiet printed on stderr" || ok
expect 0 "--db before and after the command" -- analyze SIM_STOCK --as-of $D --no-pdf --db "$T/other.db"
[ -f "$T/other.db" ] && ok || bad "--db after the command ignored"
[ -f "$XDG_DATA_HOME/stockagent/stockagent.db" ] && ok || bad "default database under XDG_DATA_HOME"

# help everywhere
expect 0 "help" -- help
cp "$T/out" "$T/help"
for c in analyze ask data runs reports version help; do
	has "$T/help" "^  $c " "help lists $c"
	expect 0 "$c --help" -- $c --help
	has "$T/out" "^usage: stockagent $c" "$c --help usage"
done
expect 0 "version" -- version
has "$T/out" "^stockagent [0-9]" "version"
has "$T/out" "^libcurl [0-9]" "version names the libcurl it loads"
# libcurl (and its ~30 dependencies) is loaded by the first HTTP request,
# not by every command at start-up.
if command -v readelf >/dev/null 2>&1; then
	if readelf -d "$STOCKAGENT" | grep -q 'NEEDED.*libcurl'; then
		bad "stockagent is linked against libcurl"
	else ok; fi
fi

cli_done
