#!/bin/sh
# tests/cli-store.sh: the database when runs collide, crash or fill the
# disk: concurrent starts on a new file, a full disk at the first
# checkpoint, one owner per run (exit 9), one report per run after any
# kill, damaged and read-only files, and 'stockagent db'. Bounded: no step
# waits longer than the 5 s busy timeout.
. "$top_srcdir/tests/cli-lib.sh"

D=2025-09-04
export STOCKAGENT_DB="$T/store.db"
HOST=$(hostname)

# sql DB STATEMENT: runs one statement with Python's sqlite3, prints rows
sql() {
	$PYTHON -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
for row in c.execute(sys.argv[2]):
    print("|".join(str(v) for v in row))' "$1" "$2"
}

# Four runs starting together on a new database all succeed.
fails=0
for r in 1 2 3 4 5 6 7 8 9 10 11 12; do
	rm -f "$T"/new.db*
	for s in SIM_STOCK SIM_GROWTH SIM_VALUE SIM_SMALL; do
		("$STOCKAGENT" --db "$T/new.db" analyze $s --as-of $D --no-pdf \
			>/dev/null 2>>"$T/new.err" || echo x >>"$T/new.fail") &
	done
	wait
done
same "$(cat "$T/new.fail" 2>/dev/null | wc -l)" 0 \
	"48 runs starting on new files ($(sort -u "$T/new.err" | head -c 300))"

# A run recorded without its first checkpoint (a full disk there) resumes
# from its request; the thread id stays taken.
expect 0 "reference run" -- analyze SIM_STOCK --as-of $D --no-pdf --format json --thread ref
jget "$T/out" 'r["analysis"]' >"$T/ref"
expect 0 "run to empty" -- analyze SIM_STOCK --as-of $D --no-pdf --thread bare
sql "$STOCKAGENT_DB" "DELETE FROM writes WHERE thread_id = 'bare'"
sql "$STOCKAGENT_DB" "DELETE FROM checkpoints WHERE thread_id = 'bare'"
sql "$STOCKAGENT_DB" "UPDATE runs SET status = 'failed', steps = 0 WHERE thread_id = 'bare'"
expect 0 "a run without checkpoints resumes" -- runs resume bare --format json
jget "$T/out" 'r["analysis"]' >"$T/bare"
cmp -s "$T/ref" "$T/bare" && ok || bad "the resumed bare run differs"
expect 2 "its thread id is still taken" -- analyze SIM_STOCK --as-of $D --no-pdf --thread bare

# A real full disk (a small tmpfs in a user namespace, where allowed): what
# the failure message promises holds, and failing to record a --thread
# run is a storage failure (5), not a usage error.
if unshare -rm true 2>/dev/null; then
	mkdir -p "$T/fs"
	cat >"$T/full.sh" <<'SH'
mount -t tmpfs -o size=${2}k none "$1" || exit 99
"$STOCKAGENT" --db "$1/f.db" analyze SIM_STOCK --as-of 2025-09-04 --no-pdf \
	--thread F >/dev/null 2>"$1.err1"
echo "$?" >"$1.rc1"
mount -o remount,size=20m "$1"
"$STOCKAGENT" --db "$1/f.db" runs resume F >/dev/null 2>"$1.err2"
echo "$?" >"$1.rc2"
umount "$1"
SH
	k=96
	while [ $k -le 184 ]; do
		unshare -rm sh "$T/full.sh" "$T/fs" $k
		rc1=$(cat "$T/fs.rc1")
		[ "$rc1" -eq 0 ] || [ "$rc1" -eq 5 ] && ok ||
			bad "full disk at ${k}k: exit $rc1 ($(head -c 200 "$T/fs.err1"))"
		if grep -q "runs resume F" "$T/fs.err1"; then
			same "$(cat "$T/fs.rc2")" 0 "full disk at ${k}k: the promised resume ($(head -c 200 "$T/fs.err2"))"
		fi
		k=$((k + 8))
	done
else
	echo "# no user namespaces: the tmpfs disk-full checks are skipped"
fi

# A locked database while a --thread run is recorded: 5, not 2.
sql "$STOCKAGENT_DB" "SELECT 1" >/dev/null
$PYTHON -c '
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
time.sleep(8)' "$STOCKAGENT_DB" "$T/locked" &
lock=$!
n=0
while [ ! -e "$T/locked" ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n + 1)); done
expect 5 "--thread on a locked database" -- analyze SIM_STOCK --as-of $D --no-pdf --thread locked
has "$T/err" "locked" "says locked"
kill $lock 2>/dev/null
wait $lock 2>/dev/null

# One owner per run. Four resumes at once: one runs the report step, the
# others exit 9 or find the run done.
STOCKAGENT_DEBUG_KILL_AT=start:report "$STOCKAGENT" analyze SIM_STOCK --as-of $D \
	--out "$T/rep4" --thread four >/dev/null 2>&1
for i in 1 2 3 4; do
	("$STOCKAGENT" runs resume four --format json >/dev/null 2>"$T/four.$i"
	echo $? >"$T/four.rc.$i") &
done
wait
for i in 1 2 3 4; do
	case $(cat "$T/four.rc.$i") in 0|9) ok ;; *) bad "resume $i: exit $(cat "$T/four.rc.$i")" ;; esac
done
same "$(sql "$STOCKAGENT_DB" "SELECT count(*) FROM checkpoints WHERE thread_id = 'four' AND step = 2")" 1 "one report step"
same "$(sql "$STOCKAGENT_DB" "SELECT count(*) FROM reports WHERE thread_id = 'four'")" 1 "one report record"
same "$(find "$T/rep4" -name '*.pdf' | wc -l)" 1 "one report file"

# A live holder on this host: exit 9 naming it; once it is dead, taken over.
STOCKAGENT_DEBUG_KILL_AT=start:report "$STOCKAGENT" analyze SIM_STOCK --as-of $D \
	--no-pdf --thread held >/dev/null 2>&1
sleep 30 &
holder=$!
sql "$STOCKAGENT_DB" "UPDATE leases SET pid = $holder, host = '$HOST', started = NULL WHERE thread_id = 'held'"
expect 9 "held by a live process" -- runs resume held
one_line "$T/err" "busy message"
has "$T/err" "process $holder on host $HOST has held it since" "names the holder"
kill $holder
wait $holder 2>/dev/null
expect 0 "a dead holder's run is taken over" -- runs resume held
same "$(sql "$STOCKAGENT_DB" "SELECT count(*) FROM leases WHERE thread_id = 'held'")" 0 "released at the end"

# Another host: busy while its heartbeat is fresh, taken over when stale.
STOCKAGENT_DEBUG_KILL_AT=start:report "$STOCKAGENT" analyze SIM_STOCK --as-of $D \
	--no-pdf --thread far >/dev/null 2>&1
sql "$STOCKAGENT_DB" "UPDATE leases SET host = 'elsewhere.example', heartbeat = strftime('%s','now') WHERE thread_id = 'far'"
expect 9 "held by another host" -- runs resume far
sql "$STOCKAGENT_DB" "UPDATE leases SET heartbeat = strftime('%s','now') - 660 WHERE thread_id = 'far'"
expect 0 "another host's stale hold is taken over" -- runs resume far
expect 0 "a finished run still prints its result" -- runs resume far

# One report record and one file after a kill after the PDF is written.
STOCKAGENT_DEBUG_KILL_AT=end:report "$STOCKAGENT" analyze SIM_STOCK --as-of $D \
	--out "$T/repk" --thread endrep >/dev/null 2>&1
same "$?" 137 "killed at end:report"
expect 0 "resume after end:report" -- runs resume endrep --format json
pdf=$(jget "$T/out" 'r["report"]["pdf"]["path"]')
same "$(sql "$STOCKAGENT_DB" "SELECT count(*) FROM reports WHERE thread_id = 'endrep'")" 1 "end:report: one record"
same "$(find "$T/repk" -name '*.pdf' | wc -l)" 1 "end:report: one file"
same "$(sql "$STOCKAGENT_DB" "SELECT path || ' ' || sha256 FROM reports WHERE thread_id = 'endrep'")" \
	"$pdf $(sha256sum "$pdf" | cut -d' ' -f1)" "the record describes the file"
# The file gone before the step is checkpointed: written again under its record.
STOCKAGENT_DEBUG_KILL_AT=end:report "$STOCKAGENT" analyze SIM_STOCK --as-of $D \
	--out "$T/repg" --thread gone >/dev/null 2>&1
rm -f "$T"/repg/*/*/*/*.pdf
expect 0 "resume with the file gone" -- runs resume gone --format json
pdf=$(jget "$T/out" 'r["report"]["pdf"]["path"]')
same "$(sql "$STOCKAGENT_DB" "SELECT path || ' ' || sha256 FROM reports WHERE thread_id = 'gone'")" \
	"$pdf $(sha256sum "$pdf" | cut -d' ' -f1)" "rewritten under its record"
same "$(find "$T/repg" -name '*.pdf' | wc -l)" 1 "gone: one file"

# db check, backup, vacuum.
expect 0 "db check" -- db check
has "$T/out" "^ok" "db check says ok"
expect 0 "db backup" -- db backup "$T/backup.db"
expect 2 "db backup refuses to overwrite" -- db backup "$T/backup.db"
one_line "$T/err" "overwrite refusal"
expect 0 "db backup --force" -- db backup "$T/backup.db" --force
same "$(ls "$T" | grep -c 'backup.db.tmp')" 0 "no temporary file left"
expect 0 "the backup checks out" -- --db "$T/backup.db" db check
expect 0 "runs in the backup" -- --db "$T/backup.db" runs show ref
expect 0 "db vacuum" -- db vacuum
expect 2 "db without subcommand" -- db

# Garbage in the middle of the file: db check says so (5).
cp "$T/backup.db" "$T/garbage.db"
$PYTHON -c '
import sys
f = open(sys.argv[1], "r+b"); f.seek(4096 * 6); f.write(b"\xa5" * 8192)' "$T/garbage.db"
expect 5 "db check on garbage" -- --db "$T/garbage.db" db check
cat "$T/out" "$T/err" >"$T/both"
has "$T/both" "integrity|is damaged" "the problems are listed"
has "$T/err" "db backup" "says how to recover"

# A truncated stockagent database is damaged, not another program's.
head -c 20000 "$T/backup.db" >"$T/trunc.db"
expect 5 "truncated database" -- --db "$T/trunc.db" runs list
one_line "$T/err" "truncated"
has "$T/err" "trunc.db is damaged" "says damaged"
has "$T/err" "db backup" "says how to recover"

# A database on a read-only file system.
if unshare -rm true 2>/dev/null; then
	mkdir -p "$T/ro"
	unshare -rm sh -c 'mount -t tmpfs none "$1" && cp "$2" "$1/" &&
		mount -o remount,ro "$1" &&
		"$STOCKAGENT" --db "$1/backup.db" runs list' sh "$T/ro" \
		"$T/backup.db" >"$T/out" 2>"$T/err"
	same "$?" 5 "read-only file system"
	has "$T/err" "ro/backup.db is on a read-only file system" "says read-only"
fi

cli_done
