#!/bin/sh
# tests/cli-batch.sh: stockagent batch: watchlists, workers, the batch
# record, kill and resume, one batch at a time, retry, --force, exit 10.
. "$top_srcdir/tests/cli-lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "SKIP: sqlite3 missing"; exit 77; }
D=2025-09-04
export STOCKAGENT_DB="$T/db"
q() { sqlite3 "$STOCKAGENT_DB" "$1"; }

# Watchlists: comments, blanks, duplicates once, CSV with a symbol column.
printf '# mine\nSIM_STOCK\n\nsim_value  # cheap\nSIM_STOCK\nSIM_GROWTH\n' >"$T/wl"
expect 0 "batch of a watchlist" -- batch --watchlist "$T/wl" --as-of $D --out "$T/rep" --jobs 2 --format json
cp "$T/out" "$T/b1.json"
same "$(jget "$T/b1.json" '[r["symbol"] for r in r["ranking"]].__len__()')" 3 "three symbols, duplicates once"
same "$(jget "$T/b1.json" 'r["status"]')" done "status done"
same "$(jget "$T/b1.json" 'sorted(r["ranking"], key=lambda x: -x["overall"]) == r["ranking"]')" True "ranked by overall score"
B1=$(jget "$T/b1.json" 'r["id"]')
same "$(q "SELECT count(*) FROM batch_items WHERE batch_id='$B1' AND state='done' AND thread_id IS NOT NULL AND report_path IS NOT NULL")" 3 "items recorded done with run and report"
printf 'name,Symbol,sector\nx,SIM_SMALL,a\ny,"SIM_INDEX",b\n' >"$T/wl.csv"
expect 0 "csv watchlist" -- batch --watchlist "$T/wl.csv" --as-of $D --out "$T/rep" --format csv
same "$($PYTHON -c 'import csv,sys; print(sorted(r["symbol"] for r in csv.DictReader(open(sys.argv[1]))))' "$T/out")" "['SIM_INDEX', 'SIM_SMALL']" "csv watchlist symbols, csv output"
printf 'SIM_STOCK\nbad symbol!\nSIM_VALUE\n' >"$T/bad"
expect 2 "bad symbol" -- batch --watchlist "$T/bad" --as-of $D
has "$T/err" "$T/bad:2:" "bad symbol named by file:line"
echo SIM_UTILITY | "$STOCKAGENT" batch --watchlist - --as-of $D --out "$T/rep" --format json >"$T/out" 2>"$T/err"
same "$(jget "$T/out" 'r["ranking"][0]["symbol"]')" SIM_UTILITY "watchlist from stdin"
expect 2 "no symbols" -- batch

# The summary CSV beside the reports, read by python's csv.
csv=$(jget "$T/b1.json" 'r["csv"]')
same "$($PYTHON -c 'import csv,sys; rows=list(csv.DictReader(open(sys.argv[1]))); print(len(rows), rows[0]["rank"], rows[0]["status"], "overall_score" in rows[0])' "$csv")" "3 1 done True" "summary csv"

# Run again: the same list and date skips what is done; --force is new.
expect 0 "rerun" -- batch --watchlist "$T/wl" --as-of $D --out "$T/rep" --format json
same "$(jget "$T/out" 'r["id"]')" "$B1" "rerun continues the batch"
same "$(q "SELECT count(*) FROM runs")" 6 "rerun analyzed nothing again"
expect 0 "force" -- batch --watchlist "$T/wl" --as-of $D --out "$T/rep" --format json
expect 0 "force" -- batch --watchlist "$T/wl" --as-of $D --out "$T/rep" --format json --force
B2=$(jget "$T/out" 'r["id"]')
[ "$B2" != "$B1" ] && ok || bad "--force makes a new batch"
same "$(q "SELECT count(*) FROM runs")" 9 "--force analyzed again"

# Against the previous batch of the list (another date): changes.
expect 0 "next day" -- batch --watchlist "$T/wl" --as-of 2025-09-12 --out "$T/rep" --format json
same "$(jget "$T/out" 'r["previous"]')" "$B2" "compared with the previous batch"

# The summary PDF beside the CSV: the ranking, a chart per symbol, and
# the changes against the previous batch marked.
B4=$(jget "$T/out" 'r["id"]')
q "UPDATE batch_items SET row = json_set(row, '\$.overall', 0.5) WHERE batch_id='$B4' AND symbol='SIM_VALUE'"
expect 0 "changes" -- batch --watchlist "$T/wl" --as-of 2025-09-15 --out "$T/rep" --format json
pdf=$(jget "$T/out" 'r["pdf"]')
same "$(dirname "$pdf")" "$(dirname "$(jget "$T/out" 'r["csv"]')")" "summary PDF beside the CSV"
same "$(jget "$T/out" '[x["changes"] for x in r["ranking"] if x["symbol"] == "SIM_VALUE"][0][0].startswith("score +")')" True "score change found"
same "$(jget "$T/out" 'all(len(x["spark"]["close"]) > 10 for x in r["ranking"])')" True "a chart series per symbol"
if command -v pdftotext >/dev/null 2>&1; then
	pdftotext "$pdf" "$T/sum.txt" 2>/dev/null
	has "$T/sum.txt" "Batch summary" "summary PDF title"
	has "$T/sum.txt" "SIM_VALUE: score \+" "summary PDF says what changed"
	has "$T/sum.txt" "SIM_GROWTH" "summary PDF ranks the symbols"
	qpdf --check "$pdf" >/dev/null 2>&1 && ok || bad "qpdf --check summary PDF"
fi
expect 0 "no pdf" -- batch SIM_STOCK --as-of 2025-09-16 --out "$T/rep" --no-pdf --format json
same "$(jget "$T/out" '"pdf" in r')" False "--no-pdf: no summary PDF"

# A symbol's failure does not stop the others: exit 10; retry.
expect 10 "some failed" -- batch SIM_STOCK NOPE_XYZ SIM_VALUE --as-of $D --out "$T/rep" --format ndjson
same "$(grep -c '"type":"symbol"' "$T/out")" 3 "an ndjson event per symbol"
same "$(grep '"state":"failed"' "$T/out" | grep -c NOPE_XYZ)" 1 "the failed one"
B3=$(grep '"type":"summary"' "$T/out" | $PYTHON -c 'import json,sys; print(json.load(sys.stdin)["id"])')
expect 0 "show" -- batch show "$B3" --format json
same "$(jget "$T/out" '[i["state"] for i in r["items"]]')" "['done', 'failed', 'done']" "show states"
same "$(jget "$T/out" 'r["items"][1]["exit_code"] > 0')" True "failure's exit code kept"
expect 10 "retry" -- batch retry "$B3"
same "$(q "SELECT count(*) FROM runs WHERE symbol='SIM_STOCK' AND as_of='$D'")" 3 "retry does not redo done symbols"
expect 0 "list" -- batch list
has "$T/out" "$B3" "list shows it"
expect 2 "show unknown" -- batch show nope

# Two batches at once: the second exits 9 naming the first, or waits.
"$STOCKAGENT" batch SIM_STOCK SIM_VALUE SIM_GROWTH SIM_SMALL SIM_DECLINE SIM_UTILITY SIM_INDEX --as-of 2025-08-01 --out "$T/rep" --jobs 1 --format json >"$T/long" 2>&1 &
pid=$!
i=0; while [ "$(q "SELECT count(*) FROM locks" 2>/dev/null)" != 1 ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
expect 9 "second batch" -- batch SIM_STOCK --as-of 2025-08-04 --out "$T/rep"
has "$T/err" "batch .* holds the lock" "says which batch holds the lock"
expect 0 "second batch waits" -- batch SIM_STOCK --as-of 2025-08-05 --out "$T/rep" --wait 60
wait $pid; same $? 0 "first batch"

# Killed at any moment, resumed: each symbol analyzed once, one report each.
L=""; for s in SIM_STOCK SIM_VALUE SIM_GROWTH SIM_SMALL SIM_DECLINE SIM_UTILITY SIM_INDEX; do L="$L $s"; done
"$STOCKAGENT" batch $L --as-of 2025-07-01 --out "$T/kill" --jobs 2 >/dev/null 2>&1 &
pid=$!
i=0; while [ "$(q "SELECT count(*) FROM batch_items i JOIN batches b ON b.id = i.batch_id WHERE b.as_of='2025-07-01' AND state='done'" 2>/dev/null || echo 0)" -lt 2 ] && [ $i -lt 200 ]; do sleep 0.02; i=$((i + 1)); done
kill -9 $pid; wait $pid 2>/dev/null
BK=$(q "SELECT id FROM batches WHERE as_of='2025-07-01'")
expect 0 "resume" -- batch resume "$BK"
same "$(q "SELECT count(*) FROM batch_items WHERE batch_id='$BK' AND state='done'")" 7 "all done after resume"
same "$(q "SELECT count(DISTINCT symbol) || ' ' || count(*) FROM runs WHERE as_of='2025-07-01'")" "7 7" "one run per symbol"
same "$(q "SELECT count(*) FROM reports r JOIN runs u USING (thread_id) WHERE u.as_of='2025-07-01'")" 7 "one report per symbol"
same "$(find "$T/kill" -name '*_Stock_Report_*.pdf' | wc -l)" 7 "seven PDFs"

# Killed inside a run (its report written, not checkpointed) while the
# other worker runs: resume finishes that run, with its one report.
STOCKAGENT_DEBUG_KILL_AT=end:report "$STOCKAGENT" batch $L --as-of 2025-06-02 --out "$T/kill2" --jobs 2 >/dev/null 2>&1
same $? 137 "killed inside a run"
BK=$(q "SELECT id FROM batches WHERE as_of='2025-06-02'")
[ "$(q "SELECT count(*) FROM batch_items WHERE batch_id='$BK' AND state='running'")" -ge 1 ] && ok || bad "a symbol running when killed"
expect 0 "resume after kill inside a run" -- batch resume "$BK" --format json
same "$(jget "$T/out" '[x["status"] for x in r["ranking"]].count("done")')" 7 "all done"
same "$(q "SELECT count(DISTINCT symbol) || ' ' || count(*) FROM runs WHERE as_of='2025-06-02'")" "7 7" "one run per symbol"
same "$(find "$T/kill2" -name '*_Stock_Report_*.pdf' | wc -l)" 7 "one PDF per symbol"
cli_done
