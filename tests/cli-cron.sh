#!/bin/sh
# tests/cli-cron.sh: the crontab line of the man page, started twice at
# once (two cron daemons, or a slow day overlapping the next run) with one
# of them killed in the middle, leaves every symbol analyzed exactly once
# with one report each. The line is read from man/stockagent.1, so the
# documented line is the one tested.
. "$top_srcdir/tests/cli-lib.sh"

command -v sqlite3 >/dev/null 2>&1 || { echo "SKIP: sqlite3 missing"; exit 77; }
export STOCKAGENT_DB="$T/db"
q() { sqlite3 "$STOCKAGENT_DB" "$1"; }

# The crontab line: the line after "A crontab line:" inside .nf/.fi.
line=$(sed -n '/^A crontab line/,/^\.fi/p' "$top_srcdir/man/stockagent.1" |
	grep -E '^[0-9*]' | head -1 | sed 's/\\-/-/g')
[ -n "$line" ] && ok || bad "no crontab line in the man page"
cmd=$(echo "$line" | cut -d' ' -f6- | sed 's/^ *//')
case $cmd in "stockagent batch "*) ok ;; *) bad "crontab line runs '$cmd'" ;; esac
case $cmd in *"--wait "*) ok ;; *) bad "crontab line without --wait: a second run would exit 9" ;; esac

# cron's environment: sh -c, stockagent on PATH, HOME.
mkdir -p "$T/bin"
ln -s "$STOCKAGENT" "$T/bin/stockagent"
L="SIM_STOCK SIM_VALUE SIM_GROWTH SIM_SMALL SIM_DECLINE SIM_UTILITY SIM_INDEX"
printf '%s\n' $L >"$HOME/watchlist.txt"
cron() { PATH="$T/bin:$PATH" sh -c "$cmd" </dev/null >>"$T/cron.out" 2>&1; }

cron & a=$!
cron & b=$!
# Kill the one holding the lock once two symbols are done.
i=0
while [ "$(q "SELECT count(*) FROM batch_items WHERE state='done'" 2>/dev/null || echo 0)" -lt 2 ] && [ $i -lt 400 ]; do
	sleep 0.02; i=$((i + 1))
done
holder=$(q "SELECT pid FROM locks WHERE name='batch'")
# Only a process of ours: walk up from the holder to one of the two.
p=$holder
while [ -n "$p" ] && [ "$p" -gt 1 ] && [ "$p" != $a ] && [ "$p" != $b ]; do
	p=$(ps -o ppid= -p "$p" | tr -d ' ')
done
if [ "$p" = $a ] || [ "$p" = $b ]; then kill -9 "$holder" && killed=$holder; fi
[ -n "${killed:-}" ] && ok || bad "no process held the lock (holder '$holder')"
wait $a; ra=$?
wait $b; rb=$?
[ $ra -eq 137 ] || [ $rb -eq 137 ] || [ $ra -eq 0 -a $rb -eq 0 ] || bad "exit statuses $ra $rb"
[ $ra -eq 0 ] || [ $rb -eq 0 ] && ok || bad "the other run did not finish: $ra $rb ($(tail -c 300 "$T/cron.out"))"

same "$(q "SELECT count(*) FROM batches")" 1 "one batch"
same "$(q "SELECT count(*) FROM batch_items WHERE state='done'")" 7 "every symbol done"
same "$(q "SELECT count(DISTINCT symbol) || ' ' || count(*) FROM runs")" "7 7" "each symbol analyzed exactly once"
same "$(q "SELECT count(DISTINCT thread_id) || ' ' || count(*) FROM reports")" "7 7" "one report each"
same "$(find "$HOME/reports" -name '*_Stock_Report_*.pdf' | wc -l)" 7 "seven report files"
# (but for the shell's word on the process killed)
grep -v '^Killed$' "$T/cron.out" >"$T/cron.rest"
hasnt "$T/cron.rest" "." "cron stays silent ($(head -c 300 "$T/cron.rest"))"

# The next day's line (here: the same line again) does nothing new.
cron; same $? 0 "the line again"
same "$(q "SELECT count(*) FROM runs")" 7 "nothing analyzed again"
cli_done
