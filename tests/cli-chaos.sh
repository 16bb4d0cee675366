#!/bin/sh
# cli-chaos.sh: kill -9 at random moments of analyze and resume (all three
# nodes and the PDF write), then resume until done: every run ends with the
# same result as an uninterrupted one, one report each, nothing left over.
# Bounded: KILLS kills (default 20), each run at most a few seconds.
. "$top_srcdir/tests/cli-lib.sh"

D=2025-09-04
KILLS=${CHAOS_KILLS:-20}
export STOCKAGENT_DB="$T/chaos.db"

strip() { strip_result "$1"; }

expect 0 "reference run" -- analyze SIM_STOCK --as-of $D --out "$T/ref" \
	--format json --thread ref
strip "$T/out" >"$T/ref.json"

# An analysis takes some tens of milliseconds: kill within its first 80.
k=0
i=0
while [ "$k" -lt "$KILLS" ]; do
	i=$((i + 1))
	id="chaos-$i"
	"$STOCKAGENT" analyze SIM_STOCK --as-of $D --out "$T/rep" --format json \
		--thread "$id" >"$T/run.json" 2>"$T/run.err" &
	pid=$!
	sleep "0.0$(($(od -An -N1 -tu1 /dev/urandom) % 80 / 10))$(($(od -An -N1 -tu1 /dev/urandom) % 10))"
	kill -9 "$pid" 2>/dev/null && k=$((k + 1))
	wait "$pid" 2>/dev/null
	# Resume, itself killed now and then, until the run is done.
	tries=0
	while :; do
		tries=$((tries + 1))
		if [ "$tries" -gt 8 ]; then
			bad "$id: not done after 8 resumes: $(cat "$T/run.err")"
			break
		fi
		if ! "$STOCKAGENT" runs show "$id" >/dev/null 2>&1; then
			# Killed before the run was recorded: start it again.
			"$STOCKAGENT" analyze SIM_STOCK --as-of $D --out "$T/rep" \
				--format json --thread "$id" >"$T/run.json" 2>"$T/run.err"
		elif [ $((tries % 3)) -eq 2 ]; then
			"$STOCKAGENT" runs resume "$id" --format json \
				>"$T/run.json" 2>"$T/run.err" &
			pid=$!
			sleep 0.02
			kill -9 "$pid" 2>/dev/null && k=$((k + 1))
			wait "$pid" 2>/dev/null
			continue
		else
			"$STOCKAGENT" runs resume "$id" --format json \
				>"$T/run.json" 2>"$T/run.err"
		fi
		[ $? -eq 0 ] && break
	done
	strip "$T/run.json" >"$T/got.json" 2>/dev/null
	cmp -s "$T/ref.json" "$T/got.json" && ok ||
		bad "$id: the result differs from the uninterrupted run"
done

# One report record and one file per run; every record matches its file.
expect 0 "reports list" -- reports list --format json
$PYTHON - "$T/out" "$i" <<'PY' >"$T/check"
import collections, hashlib, json, sys
rows = [r for r in json.load(open(sys.argv[1])) if r["path"].find("/rep/") >= 0]
per = collections.Counter(r.get("thread_id") for r in rows)
bad = [r["path"] for r in rows
       if hashlib.sha256(open(r["path"], "rb").read()).hexdigest() != r["sha256"]]
print(len(rows), max(per.values()), bad)
PY
same "$(cat "$T/check")" "$i 1 []" "one report per run, each matching its file"
same "$(find "$T/rep" -name '*.pdf' | wc -l)" "$i" "one PDF file per run"
same "$(find "$T/rep" -name '*.tmp.*' | wc -l)" 0 "no temporary file left"
if command -v sqlite3 >/dev/null 2>&1; then
	same "$(sqlite3 "$STOCKAGENT_DB" 'PRAGMA integrity_check')" ok \
		"the database is intact"
fi
echo "chaos: $k kills over $i runs"

cli_done
