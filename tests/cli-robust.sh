#!/bin/sh
# cli-robust.sh: nothing lost when runs collide; no file replaced; no
# secret in a URL kept; bad input refused before any work.
. "$top_srcdir/tests/cli-lib.sh"

D=2025-09-04
export STOCKAGENT_DB="$T/r.db"

# Reports of one symbol in the same second keep their own files, and each
# record describes the file at its path.
for i in 1 2 3 4 5 6; do
	"$STOCKAGENT" analyze SIM_STOCK --as-of $D --out "$T/rep" --format json \
		>"$T/r$i.json" 2>"$T/err" &
done
wait
same "$(find "$T/rep" -name '*.pdf' | wc -l)" 6 "six runs, six PDF files"
paths=$(for i in 1 2 3 4 5 6; do jget "$T/r$i.json" 'r["report"]["pdf"]["path"]'; done | sort -u | wc -l)
same "$paths" 6 "six distinct paths in the results"
expect 0 "reports list" -- reports list --format json
$PYTHON - "$T/out" <<'PY' >"$T/check" 2>&1
import hashlib, json, sys
rows = json.load(open(sys.argv[1]))
bad = [r["path"] for r in rows
       if hashlib.sha256(open(r["path"], "rb").read()).hexdigest() != r["sha256"]]
print(len(rows), len({r["path"] for r in rows}), bad)
PY
same "$(cat "$T/check")" "6 6 []" "every record matches its own file"
find "$T/rep" -name '*-[0-9].pdf' | grep -Eq '_[0-9]{6}-[2-6]\.pdf$' && ok ||
	bad "a taken name gets a -N suffix: $(find "$T/rep" -name '*.pdf')"

# A temporary file left by a killed writer is removed by the next write.
dir=$(dirname "$(jget "$T/r1.json" 'r["report"]["pdf"]["path"]')")
(sleep 0 & echo $! >"$T/deadpid"; wait)
dead=$(cat "$T/deadpid")
touch "$dir/SIM_STOCK_Stock_Report_x.pdf.tmp.$dead.AbC123"
touch "$dir/SIM_STOCK_Stock_Report_y.pdf.tmp.$$.AbC123"
expect 0 "another report" -- analyze SIM_STOCK --as-of $D --out "$T/rep"
[ -e "$dir/SIM_STOCK_Stock_Report_x.pdf.tmp.$dead.AbC123" ] &&
	bad "a dead writer's temporary file was kept" || ok
[ -e "$dir/SIM_STOCK_Stock_Report_y.pdf.tmp.$$.AbC123" ] && ok ||
	bad "a live writer's temporary file was removed"

# An empty --db would keep nothing that can be listed or resumed.
expect 2 "--db ''" -- --db '' analyze SIM_STOCK --as-of $D --no-pdf
one_line "$T/err" "--db ''"

cli_done
