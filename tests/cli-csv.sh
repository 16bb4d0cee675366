#!/bin/sh
# tests/cli-csv.sh: --format csv of analyze, runs and reports, read back
# with Python's csv module (RFC 4180), against the JSON of the same runs.
. "$top_srcdir/tests/cli-lib.sh"

D=2025-09-04
export STOCKAGENT_DB="$T/csv.db"

check() { # check DESCRIPTION SCRIPT FILE...
	what=$1
	shift
	msg=$($PYTHON -c "$@" 2>&1)
	if [ -z "$msg" ]; then ok; else bad "$what: $msg"; fi
}
# both NAME ARGS...: stockagent ARGS with --format csv into $T/NAME.csv,
# then with --format json into $T/NAME.json
both() {
	name=$1
	shift
	for f in csv json; do
		expect 0 "$* --format $f" -- "$@" --format $f
		cp "$T/out" "$T/$name.$f"
	done
}
PRE='import csv, json, sys
def rows(p):
    with open(p, newline="") as f:
        return list(csv.DictReader(f, strict=True))
def j(p):
    return json.load(open(p))
'

# analyze: one header row and one row, the same numbers as the JSON.
expect 0 "analyze csv" -- analyze SIM_STOCK --as-of $D --no-pdf --format csv --thread csv1
cp "$T/out" "$T/a.csv"
expect 0 "analyze json" -- analyze SIM_STOCK --as-of $D --no-pdf --format json --thread json1
cp "$T/out" "$T/a.json"
[ "$(wc -l <"$T/a.csv")" -eq 2 ] && ok || bad "analyze csv: $(wc -l <"$T/a.csv") lines, expected 2"
check "analyze csv matches json" "$PRE"'
r = rows(sys.argv[1]); a = j(sys.argv[2])
assert len(r) == 1, len(r)
r = r[0]; an = a["analysis"]
want = {"symbol": a["symbol"], "date": a["as_of"], "label": an["scores"]["label"],
        "trend": an["trend"], "risk_level": an["risk"]["level"], "pdf": ""}
for k, v in want.items():
    assert r[k] == v, (k, r[k], v)
nums = {"price": an["price"], "change_percent": an["change_percent"],
        "overall_score": an["scores"]["overall"], "rsi14": an["indicators"]["rsi14"],
        "macd_hist": an["indicators"]["macd_hist"], "sharpe": an["risk"]["sharpe"],
        "one_year_return_percent": an["returns"]["one_year_percent"],
        "pe_ratio": a["market"]["fundamentals"]["pe_ratio"]}
for k, v in nums.items():
    assert float(r[k]) == v, (k, r[k], v)
assert "," not in r["price"] and "$" not in r["price"]
assert r["thread_id"] == "csv1"
' "$T/a.csv" "$T/a.json"

# Several symbols make one sheet: the header once, then --no-header rows.
for s in SIM_GROWTH SIM_VALUE SIM_DECLINE; do
	h=--no-header
	[ $s = SIM_GROWTH ] && h=
	"$STOCKAGENT" analyze $s --as-of $D --no-pdf --format csv $h >>"$T/sheet.csv" 2>"$T/err" ||
		bad "analyze $s csv: $(cat "$T/err")"
done
check "sheet of three" "$PRE"'
r = rows(sys.argv[1])
assert [x["symbol"] for x in r] == ["SIM_GROWTH", "SIM_VALUE", "SIM_DECLINE"], r
' "$T/sheet.csv"

# The format setting takes csv too; resume prints the same row.
STOCKAGENT_FORMAT=csv "$STOCKAGENT" analyze SIM_SMALL --as-of $D --no-pdf --thread envcsv >"$T/env.csv" 2>"$T/err"
head -1 "$T/env.csv" | grep -q '^symbol,date,price,' && ok || bad "STOCKAGENT_FORMAT=csv: $(head -c 200 "$T/env.csv")"
expect 0 "resume csv" -- runs resume csv1 --format csv --no-header
[ "$(wc -l <"$T/out")" -eq 1 ] && ok || bad "resume --no-header: $(wc -l <"$T/out") lines"
same "$(cat "$T/out")" "$(sed -n 2p "$T/a.csv")" "resumed row is the run's row"

# runs list: the JSON's runs, in order.
both runs runs list
check "runs list csv matches json" "$PRE"'
r = rows(sys.argv[1]); js = j(sys.argv[2])
assert len(r) == len(js) and len(r) >= 5, (len(r), len(js))
for x, y in zip(r, js):
    for k in ("thread_id", "symbol", "as_of", "status", "created_at", "model"):
        assert x[k] == y[k], (k, x[k], y[k])
    assert int(x["steps"]) == y["steps"]
' "$T/runs.csv" "$T/runs.json"
expect 0 "runs list csv no header" -- runs list --format csv --no-header --limit 2
[ "$(wc -l <"$T/out")" -eq 2 ] && ok || bad "runs list --no-header --limit 2: $(wc -l <"$T/out") lines"
expect 2 "runs show csv refused" -- runs show csv1 --format csv
one_line "$T/err" "runs show csv refused"

# reports list: a path with a comma, a double quote and a space is quoted
# by RFC 4180 and reads back as it was.
odd="$T/odd, \"dir\" x"
expect 0 "analyze with a pdf" -- analyze SIM_STOCK --as-of $D --out "$odd" --thread pdf1
both rep reports list
check "reports list csv matches json" "$PRE"'
r = rows(sys.argv[1]); js = j(sys.argv[2])
assert len(r) == len(js) == 1, (len(r), len(js))
assert r[0]["path"] == js[0]["path"] and ", \"dir\"" in r[0]["path"], r[0]["path"]
assert int(r[0]["size"]) == js[0]["size"] and r[0]["sha256"] == js[0]["sha256"]
assert r[0]["s3_uri"] == ""
' "$T/rep.csv" "$T/rep.json"
grep -q '"' "$T/rep.csv" && ok || bad "the odd path was not quoted"
expect 2 "reports bad format" -- reports list --format xml
has "$T/err" "csv" "reports format error names csv"

# data history keeps its header unless asked.
expect 0 "data history no header" -- data history SIM_STOCK --as-of $D --no-header
head -1 "$T/out" | grep -q '^20[0-9-]*,' && ok || bad "data history --no-header: $(head -1 "$T/out")"

cli_done
