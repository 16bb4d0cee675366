#!/bin/sh
# tests/cli-runs.sh: checkpoints, kill -9 and resume, approval pauses,
# pruning, and storage failures that must lose nothing.
. "$top_srcdir/tests/cli-lib.sh"

D=2025-09-04
export STOCKAGENT_DB="$T/runs.db"

strip() { strip_result "$1"; }

expect 0 "reference run" -- analyze SIM_STOCK --as-of $D --no-pdf --format json --thread ref
strip "$T/out" >"$T/ref"

# kill -9 inside a node (work done, not checkpointed) and between nodes.
for at in end:gather start:analyze end:analyze start:report end:report; do
	id="kill-$(echo $at | tr : -)"
	STOCKAGENT_DEBUG_KILL_AT=$at "$STOCKAGENT" analyze SIM_STOCK --as-of $D \
		--no-pdf --format json --thread "$id" >/dev/null 2>&1
	rc=$?
	[ "$rc" -eq 137 ] && ok || bad "$at: expected a SIGKILL (137), got $rc"
	expect 0 "runs show $id" -- runs show "$id"
	has "$T/out" "status: +running" "$at: run left running"
	expect 0 "resume $id" -- runs resume "$id" --format json
	strip "$T/out" >"$T/resumed"
	cmp -s "$T/ref" "$T/resumed" && ok || bad "$at: resumed result differs"
	expect 0 "runs show $id after" -- runs show "$id"
	has "$T/out" "status: +done" "$at: run done after resume"
done

# A checkpoint keeps only the channels its step wrote (in its state
# column); one written whole (before schema 8), or with its channels in
# the channels table (schema 8's first layout), still resumes exactly.
if command -v sqlite3 >/dev/null 2>&1; then
	for layout in whole table; do
		STOCKAGENT_DEBUG_KILL_AT=start:report "$STOCKAGENT" analyze \
			SIM_STOCK --as-of $D --no-pdf --format json \
			--thread $layout >/dev/null 2>&1
		n=$(sqlite3 "$STOCKAGENT_DB" "SELECT count(*) FROM checkpoints
			WHERE thread_id = '$layout'
			AND json_type(state, '$.request') IS NOT NULL")
		[ "$n" = 1 ] && ok || bad "the request stored $n times, not once"
	done
	sqlite3 "$STOCKAGENT_DB" "CREATE TEMP TABLE full AS SELECT
		c.checkpoint_id AS id, (SELECT json_group_object(v.key,
		json_extract(o.state, '$.\"' || v.key || '\"')) FROM
		json_each(c.versions) v JOIN checkpoints o ON
		o.thread_id = c.thread_id AND o.checkpoint_id = v.value) AS st
		FROM checkpoints c WHERE c.thread_id = 'whole';
		UPDATE checkpoints SET state = (SELECT st FROM full
		WHERE id = checkpoint_id), versions = NULL
		WHERE thread_id = 'whole';
		INSERT INTO channels (thread_id, checkpoint_id, channel, value)
		SELECT c.thread_id, c.checkpoint_id, j.key, CASE j.type
		WHEN 'object' THEN j.value WHEN 'array' THEN j.value
		WHEN 'true' THEN 'true' WHEN 'false' THEN 'false'
		WHEN 'null' THEN 'null' ELSE json_quote(j.value) END
		FROM checkpoints c, json_each(c.state) j
		WHERE c.thread_id = 'table';
		UPDATE checkpoints SET state = '' WHERE thread_id = 'table'"
	n=$(sqlite3 "$STOCKAGENT_DB" "SELECT count(*) FROM checkpoints
		WHERE thread_id = 'whole' AND json_type(state, '$.request')
		IS NOT NULL")
	[ "$n" -ge 3 ] && ok || bad "whole: $n checkpoints hold the request"
	for layout in whole table; do
		expect 0 "resume a checkpoint kept $layout" -- runs resume \
			$layout --format json
		strip "$T/out" >"$T/resumed"
		cmp -s "$T/ref" "$T/resumed" && ok ||
			bad "$layout: resumed result differs"
	done
fi

# Resuming a finished run runs nothing and prints the same result.
expect 0 "resume finished" -- runs resume ref --format json
strip "$T/out" >"$T/again"
cmp -s "$T/ref" "$T/again" && ok || bad "resume of a finished run differs"

expect 2 "thread reused" -- analyze SIM_STOCK --as-of $D --no-pdf --thread ref
expect 2 "resume unknown" -- runs resume no-such-thread
one_line "$T/err" "resume unknown"

# Approval before the report: without a terminal it pauses (exit 7).
expect 7 "approve without terminal" -- analyze SIM_STOCK --as-of $D --no-pdf --approve report --thread pause </dev/null
has "$T/err" "runs resume pause" "pause message says how to continue"
expect 0 "show paused" -- runs show pause
has "$T/out" "report" "paused before report"
expect 0 "resume paused" -- runs resume pause --format json
strip "$T/out" >"$T/paused"
cmp -s "$T/ref" "$T/paused" && ok || bad "resumed paused run differs"

# Storage failures: exit 5, one line naming the database, nothing lost.
echo "this is not a database" >"$T/notadb"
expect 5 "not a database" -- --db "$T/notadb" analyze SIM_STOCK --as-of $D --no-pdf
one_line "$T/err" "not a database"
has "$T/err" "notadb" "names the file"
same "$(cat "$T/notadb")" "this is not a database" "file untouched"
expect 5 "unwritable db dir" -- --db /proc/stockagent/x.db analyze SIM_STOCK --as-of $D --no-pdf
has "$T/err" "/proc/stockagent" "names the path"

# A database locked by another process.
if command -v sqlite3 >/dev/null 2>&1; then
	cp "$STOCKAGENT_DB" "$T/locked.db"
	# sqlite3 holds the lock until lockdone appears; the test goes on
	# once sqlite3 says it holds it (a fixed sleep is too short on a
	# busy machine).
	(printf '%s\n' "BEGIN EXCLUSIVE;" \
		".shell touch '$T/lockheld'"
	i=0
	while [ ! -e "$T/lockdone" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done) |
		sqlite3 "$T/locked.db" &
	lock=$!
	i=0
	while [ ! -e "$T/lockheld" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	expect 5 "locked database" -- --db "$T/locked.db" analyze SIM_STOCK --as-of $D --no-pdf
	has "$T/err" "locked" "says locked"
	touch "$T/lockdone"
	wait $lock 2>/dev/null
fi

# Earlier runs intact after all of the above.
expect 0 "ref still there" -- runs show ref --format json
same "$(jget "$T/out" 'r["status"]')" done "ref intact"

# runs list / show / prune
expect 0 "runs list" -- runs list
has "$T/out" "^ref " "list shows ref"
expect 0 "runs list json" -- runs list --format json --symbol SIM_STOCK
$PYTHON -c 'import json,sys; a=json.load(open(sys.argv[1])); assert len(a) >= 7' "$T/out" && ok || bad "list json"
expect 0 "runs show checkpoints" -- runs show ref
for n in gather analyze report; do has "$T/out" "$n" "checkpoint $n"; done
before=$(stat -c %s "$STOCKAGENT_DB")
expect 0 "prune" -- runs prune --keep 1
has "$T/out" "pruned [0-9]+ run" "prune message"
after=$(stat -c %s "$STOCKAGENT_DB")
[ "$after" -lt "$before" ] && ok || bad "prune did not shrink the file ($before -> $after)"
expect 0 "list after prune" -- runs list --format json
$PYTHON -c 'import json,sys; assert len(json.load(open(sys.argv[1]))) == 1' "$T/out" && ok || bad "one run kept"
# A run a process holds (here killed while running, never released) is
# kept by prune until it is resumed.
STOCKAGENT_DEBUG_KILL_AT=start:analyze "$STOCKAGENT" analyze SIM_STOCK \
	--as-of $D --no-pdf --format json --thread held >/dev/null 2>&1
expect 0 "a newer run" -- analyze SIM_VALUE --as-of $D --no-pdf --thread newer
expect 0 "prune with a held run" -- runs prune --keep 1
expect 0 "held run kept" -- runs show held
has "$T/out" "status: +running" "held run still running"
expect 0 "held run resumes" -- runs resume held --format json
expect 0 "prune after the resume" -- runs prune --keep 1
expect 0 "list after the second prune" -- runs list --format json
$PYTHON -c 'import json,sys; a=json.load(open(sys.argv[1])); assert [r["thread_id"] for r in a] == ["newer"], a' "$T/out" && ok || bad "the resumed run pruned, the newest kept"
expect 2 "prune without keep" -- runs prune
expect 2 "prune bad keep" -- runs prune --keep -3

cli_done
