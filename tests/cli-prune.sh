#!/bin/sh
# tests/cli-prune.sh: reports prune --older-than DAYS removes old report
# files and their records, says what it would do with --dry-run, and
# never takes the report of a run that is running or leased.
. "$top_srcdir/tests/cli-lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "SKIP: sqlite3 missing"; exit 77; }
D=2025-09-04
export STOCKAGENT_DB="$T/db"
q() { sqlite3 "$STOCKAGENT_DB" "$1"; }

expect 0 "batch" -- batch SIM_STOCK SIM_VALUE SIM_GROWTH SIM_SMALL --as-of $D --out "$T/rep" --format json
same "$(q "SELECT count(*) FROM reports")" 4 "four reports"
path() { q "SELECT r.path FROM reports r JOIN runs u USING (thread_id) WHERE u.symbol='$1'"; }
OLD=$(path SIM_STOCK) RUNNING=$(path SIM_VALUE) LEASED=$(path SIM_GROWTH) NEW=$(path SIM_SMALL)
# Three of them 40 days old: one of a run still running, one leased.
q "UPDATE reports SET created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-40 days') WHERE symbol IN ('SIM_STOCK', 'SIM_VALUE', 'SIM_GROWTH')"
q "UPDATE runs SET status = 'running' WHERE symbol = 'SIM_VALUE'"
q "INSERT INTO leases SELECT thread_id, 1, 'elsewhere', NULL, '2025-01-01T00:00:00Z', strftime('%s','now') FROM runs WHERE symbol = 'SIM_GROWTH'"

expect 0 "dry run" -- reports prune --older-than 30 --dry-run
has "$T/out" "would remove $OLD" "dry run names the old report"
same "$(grep -c . "$T/out")" 1 "dry run: only the free old report"
[ -f "$OLD" ] && ok || bad "dry run removed a file"
same "$(q "SELECT count(*) FROM reports")" 4 "dry run kept the records"

expect 0 "prune" -- reports prune --older-than 30 --format json
same "$(jget "$T/out" 'r["removed"], [x["path"] for x in r["reports"]]')" "(1, ['$OLD'])" "json says what went"
[ ! -e "$OLD" ] && ok || bad "old report file still there"
for f in "$RUNNING" "$LEASED" "$NEW"; do [ -f "$f" ] && ok || bad "kept report $f removed"; done
same "$(q "SELECT count(*) FROM reports")" 3 "its record went"
same "$(q "SELECT count(*) FROM reports WHERE path='$OLD'")" 0 "the old record"
same "$(q "SELECT count(*) FROM runs")" 4 "runs are kept"

# The run ends: its report may go; a file already gone is no error.
q "UPDATE runs SET status = 'done' WHERE symbol = 'SIM_VALUE'"
rm -f "$RUNNING"
expect 0 "prune again" -- reports prune --older-than 30
has "$T/out" "removed $RUNNING" "finished run's report"
expect 0 "nothing left" -- reports prune --older-than 30
has "$T/out" "no report older than 30 days" "says nothing to do"

for bad in x -1 36501 ''; do
	expect 2 "--older-than '$bad'" -- reports prune --older-than "$bad"
	one_line "$T/err" "--older-than '$bad'"
done
expect 2 "no --older-than" -- reports prune
has "$T/err" "older-than DAYS" "says what to give"
cli_done
