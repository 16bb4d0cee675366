#!/bin/sh
# tests/cli-import.sh: stockagent data import (a user's CSV of daily bars),
# its listing and removal, the csv provider serving the bars to data
# history and analyze, and failing files that import nothing.
. "$top_srcdir/tests/cli-lib.sh"

# Three years of weekday bars in a Vietnamese broker's layout: semicolons,
# day-first dates, dotted thousands in volumes, a dividend and a split.
$PYTHON - <<'PY'
import datetime, random
random.seed(7)
d = datetime.date(2022, 1, 3); p = 50000.0
rows = ["Ngày;Giá mở cửa;Giá cao nhất;Giá thấp nhất;Giá đóng cửa;Khối lượng;Cổ tức;Stock Splits"]
n = 0
while d <= datetime.date(2024, 12, 31):
    if d.weekday() < 5:
        o = round(p); c = round(p * (1 + random.gauss(0, 0.015)))
        h = round(max(o, c) * 1.01); l = round(min(o, c) * 0.99)
        v = "{:,}".format(random.randint(100000, 900000)).replace(",", ".")
        div = "1500" if d == datetime.date(2023, 6, 14) else ""
        split = "2:1" if d == datetime.date(2024, 3, 4) else ""
        rows.append(f"{d.day:02d}/{d.month:02d}/{d.year};{o};{h};{l};{c};{v};{div};{split}")
        p = c; n += 1
    d += datetime.timedelta(days=1)
open("fpt.csv", "w").write("\n".join(rows) + "\n")
PY

expect 0 "import a broker's file" -- data import fpt.csv --symbol fpt.vn \
	--currency VND --name "FPT Corporation" --decimal-comma
has "$T/out" "^imported FPT.VN: 782 days, 2022-01-03 to 2024-12-31, volume, dividends, splits" \
	"the summary names the symbol, days, span and columns"
expect 0 "list" -- data import --list
has "$T/out" "^FPT.VN +782 days +2022-01-03 to 2024-12-31 +VND +fpt.csv" "listed"
expect 0 "list as json" -- data import --list --format json
[ "$(jget "$T/out" 'r[0]["symbol"], r[0]["rows"], r[0]["currency"]')" = \
	"('FPT.VN', 782, 'VND')" ] && ok || bad "json listing"

# The csv provider serves the bars as imported (raw prices; volumes whole).
expect 0 "history from csv" -- data history FPT.VN --provider csv --as-of 2024-12-31
[ "$(($(wc -l <"$T/out") - 1))" -eq 782 ] && ok || bad "every bar"
$PYTHON - "$T/out" fpt.csv <<'PY' && ok || bad "history equals the file"
import csv, sys
served = {r["date"]: r for r in csv.DictReader(open(sys.argv[1]))}
for r in list(csv.reader(open(sys.argv[2]), delimiter=";"))[1:]:
    d, m, y = r[0].split("/")
    iso = f"{y}-{m}-{d}"
    if iso not in served:
        continue
    s = served[iso]
    assert float(s["close"]) == float(r[4]), (iso, s, r)
    assert float(s["volume"]) == float(r[5].replace(".", "")), (iso, s, r)
PY

# analyze works on it; fundamentals and news are absent, not made up.
expect 0 "analyze an imported symbol" -- analyze FPT.VN --provider csv \
	--as-of 2024-12-31 --no-pdf --format json
[ "$(jget "$T/out" 'r["market"]["provider"], r["market"]["profile"]["currency"], r["market"]["fundamentals"]["pe_ratio"], r["market"]["news"]')" = \
	"('csv', 'VND', None, [])" ] && ok || bad "analysis of imported bars"
expect 0 "analyze as text" -- analyze FPT.VN --provider csv --as-of 2024-12-31 --no-pdf
has "$T/out" "P/E Ratio: N/A" "no P/E is invented"
has "$T/out" "provider csv" "the text names the provider"
has "$T/out" "^SOURCES: daily bars: csv, .*; fundamentals: n/a; news: n/a" \
	"the text says fundamentals and news are missing"
if command -v pdftotext >/dev/null 2>&1; then
	expect 0 "analyze with a PDF" -- analyze FPT.VN --provider csv \
		--as-of 2024-12-31 --out "$T/rep" --format json
	pdftotext "$(jget "$T/out" 'r["report"]["pdf"]["path"]')" "$T/pdf.txt" 2>/dev/null
	tr '\n' ' ' <"$T/pdf.txt" | grep -q "daily bars: csv, .*fundamentals: n/a; news: n/a" &&
		ok || bad "the PDF says fundamentals and news are missing"
fi

# Local data: --offline serves it; clearing the cache leaves it.
expect 0 "offline" -- analyze FPT.VN --provider csv --as-of 2024-12-31 \
	--no-pdf --offline
expect 0 "cache clear" -- data cache clear
expect 0 "list after cache clear" -- data import --list
has "$T/out" "^FPT.VN +782 days" "imported bars are not a cache"

# A file with bad rows imports nothing and names each row FILE:LINE.
cp fpt.csv bad.csv
printf '32/01/2025;1;2;1;1;1;;\n02/01/2025;5;4;6;5;1;;\n03/01/2025;1;2;1;abc;1;;\n' >>bad.csv
expect 2 "a file with bad rows" -- data import bad.csv --symbol FPT.VN \
	--decimal-comma
has "$T/err" "^bad.csv:784: date '32/01/2025' is not a date" "bad date by line"
has "$T/err" "^bad.csv:785: high 4 and low 6" "bad range by line"
has "$T/err" "^bad.csv:786: close 'abc' is not a price" "bad close by line"
has "$T/err" "bad.csv: 3 bad rows; nothing imported" "the summary line"
expect 0 "the old bars stay" -- data import --list
has "$T/out" "^FPT.VN +782 days" "nothing half-imported"

# A database failure mid-import leaves the symbol as it was: a second
# symbol's insert fails on a trigger after the first one's rows went in.
printf 'symbol,date,close\nAAA,2024-01-02,1\nBOOM,2024-01-02,2\n' >two.csv
sqlite3 "$XDG_DATA_HOME/stockagent/stockagent.db" \
	"CREATE TRIGGER t BEFORE INSERT ON imported_bars WHEN NEW.symbol = 'BOOM' BEGIN SELECT RAISE(ABORT, 'disk trouble'); END;"
expect 5 "a failing store" -- data import two.csv
has "$T/err" "nothing imported" "said so"
expect 0 "list after the failure" -- data import --list
hasnt "$T/out" "^AAA" "no symbol of the failed import"
sqlite3 "$XDG_DATA_HOME/stockagent/stockagent.db" "DROP TRIGGER t;"

# Importing again replaces the symbol's rows.
printf 'date,open,high,low,close,adj close,volume\n2024-12-30,10,11,9,10,9.5,100\n2024-12-31,10,12,10,11,10.5,200\n' >short.csv
expect 0 "reimport" -- data import short.csv --symbol FPT.VN
expect 0 "history after reimport" -- data history FPT.VN --provider csv --as-of 2024-12-31
[ "$(($(wc -l <"$T/out") - 1))" -eq 2 ] && ok || bad "replaced, not merged"

# Removing; the cache commands would not touch it (it is not a cache).
expect 0 "remove" -- data import --remove fpt.vn
has "$T/out" "^removed FPT.VN" "removed"
expect 2 "remove again" -- data import --remove FPT.VN
one_line "$T/err" "unknown symbol"
expect 3 "history of a removed symbol" -- data history FPT.VN --provider csv --as-of 2024-12-31
has "$T/err" "never imported" "says how to import it"

# Bad command lines and files: one line each, exit 2.
expect 2 "no file" -- data import
one_line "$T/err" "no file"
expect 2 "missing file" -- data import nosuch.csv --symbol X
one_line "$T/err" "missing file"
expect 2 "no symbol" -- data import short.csv
has "$T/err" "--symbol" "asks for --symbol"
expect 2 "bad date order" -- data import short.csv --symbol X --date-order ymd
printf 'date,close\n01/02/2024,1\n02/01/2024,2\n' >amb.csv
expect 2 "ambiguous dates" -- data import amb.csv --symbol X
has "$T/err" "date-order" "names the option"
expect 0 "resolved by the option" -- data import amb.csv --symbol X --date-order mdy --check
has "$T/out" "^would import X: 2 days, 2024-01-02 to 2024-02-01" "month first"
expect 0 "check stores nothing" -- data import --list
hasnt "$T/out" "^X " "nothing stored by --check"
expect 0 "from standard input" -- data import - --symbol STDIN <short.csv
has "$T/out" "^imported STDIN: 2 days" "stdin"

cli_done
