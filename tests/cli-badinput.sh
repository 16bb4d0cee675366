#!/bin/sh
# cli-badinput.sh: every case of tests/fixtures/bad-inputs.txt exits with
# its documented code, one line on stderr naming what is wrong, nothing on
# stdout, no crash and nothing recorded.
. "$top_srcdir/tests/cli-lib.sh"

D=2025-09-04
export STOCKAGENT_DB="$T/bad.db"
"$STOCKAGENT" analyze SIM_STOCK --as-of $D --no-pdf --thread keep >/dev/null 2>&1

# runs: how many runs the database holds
runs() {
	"$STOCKAGENT" runs list --format json | $PYTHON -c \
		'import json, sys; print(len(json.load(sys.stdin)))'
}

n=0
tab=$(printf '\t')
while IFS="$tab" read -r want args pattern; do
	case "$want" in '#'* | '') continue ;; esac
	n=$((n + 1))
	eval "set -- $args"
	before=$(runs)
	"$STOCKAGENT" "$@" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
	# Bad input (2) is refused before a run is recorded.
	[ "$want" -eq 2 ] && [ "$(runs)" != "$before" ] &&
		bad "[$args]: a run was recorded"
	if [ "$rc" -ne "$want" ]; then
		bad "[$args]: exit $rc, expected $want: $(head -c 200 "$T/err")"
		continue
	fi
	ok
	[ -s "$T/out" ] && bad "[$args]: printed on stdout" || ok
	one_line "$T/err" "[$args]"
	has "$T/err" "$pattern" "[$args] message"
done <"$top_srcdir/tests/fixtures/bad-inputs.txt"

echo "bad inputs tried: $n"

cli_done
