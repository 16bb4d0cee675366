#!/bin/sh
# tests/cli-data.sh: stockagent data history / symbols.
. "$top_srcdir/tests/cli-lib.sh"

D=2025-09-04
expect 0 "history csv" -- data history SIM_STOCK --as-of $D
head -1 "$T/out" | grep -qx "date,open,high,low,close,volume,adj_close" && ok || bad "csv header"
n=$(($(wc -l <"$T/out") - 1))
[ "$n" -ge 750 ] && ok || bad "only $n bars"
tail -1 "$T/out" | grep -q "^$D," && ok || bad "last bar is the as-of date"
# Weekends never appear.
$PYTHON - "$T/out" <<'PY' && ok || bad "weekend bars"
import csv, datetime, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for r in rows:
    d = datetime.date.fromisoformat(r["date"])
    assert d.weekday() < 5, r["date"]
    assert float(r["low"]) <= min(float(r["open"]), float(r["close"]))
    assert float(r["high"]) >= max(float(r["open"]), float(r["close"]))
dates = [r["date"] for r in rows]
assert dates == sorted(dates) and len(set(dates)) == len(dates)
PY
cp "$T/out" "$T/h.csv"

# The same bars as the analysis used.
expect 0 "analysis" -- analyze SIM_STOCK --as-of $D --no-pdf --format json
$PYTHON - "$T/out" "$T/h.csv" <<'PY' && ok || bad "history equals the analysis window"
import csv, json, sys
r = json.load(open(sys.argv[1])); rows = list(csv.DictReader(open(sys.argv[2])))
h = r["market"]["history"]
assert h["bars"] == len(rows) and h["first"] == rows[0]["date"] and h["last"] == rows[-1]["date"]
assert abs(float(rows[-1]["close"]) - r["analysis"]["price"]) < 0.005
PY

expect 0 "history json" -- data history SIM_STOCK --as-of $D --format json
$PYTHON -c 'import json,sys; j=json.load(open(sys.argv[1])); assert len(j["bars"]["close"]) >= 750' "$T/out" && ok || bad "json history"
expect 0 "symbols" -- data symbols
has "$T/out" "^SIM_STOCK +Simulated Stock Inc\." "symbols list"
expect 3 "history AAPL" -- data history AAPL
expect 2 "history bad symbol" -- data history "a b"
expect 2 "history bad format" -- data history SIM_STOCK --format xml
expect 2 "data nothing" -- data
cli_done
