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

# A password in a model URL is never shown or stored.
M='openai:http://user:hunter2pw@127.0.0.1:1/v1#m'
STOCKAGENT_DEBUG_KILL_AT=end:gather "$STOCKAGENT" analyze SIM_STOCK --as-of $D \
	--no-pdf --model "$M" --thread secret >/dev/null 2>&1
expect 2 "resume without the secret" -- runs resume secret
has "$T/err" "held a secret, which is never stored" "resume says why"
STOCKAGENT_MODEL=$M "$STOCKAGENT" runs resume secret --format json \
	>"$T/out" 2>"$T/err"
same "$?" 0 "resume with the secret from the environment"
has "$T/out" 'user:\*\*\*@127.0.0.1' "the masked URL is shown"
hasnt "$T/out" hunter2pw "no password in the JSON"
hasnt "$T/err" hunter2pw "no password on stderr"
expect 0 "runs show" -- runs show secret --format json
hasnt "$T/out" hunter2pw "no password in runs show"
if command -v sqlite3 >/dev/null 2>&1; then
	sqlite3 "$STOCKAGENT_DB" .dump >"$T/dump"
	hasnt "$T/dump" hunter2pw "no password in the database"
fi
expect 4 "an unreachable model with a token as userinfo" -- analyze SIM_STOCK \
	--as-of $D --no-pdf --no-fallback \
	--model 'openai:http://sk-hunter2@127.0.0.1:1/v1#m'
hasnt "$T/err" hunter2 "no token on stderr"

# Control characters in arguments are escaped in messages.
expect 2 "ESC in a symbol" -- analyze "$(printf '\033[31mX\nY')" --no-pdf
one_line "$T/err" "ESC and newline in a symbol"
has "$T/err" 'x1b\[31mX\\nY' "written escaped"
expect 2 "ESC in a command" -- "$(printf '\033[2J')"
hasnt "$T/err" "$(printf '\033')" "no raw ESC"

# The symbol rule of the man page: no two dots in a row.
expect 2 "A.." -- analyze A.. --no-pdf
has "$T/err" "no two dots in a row" "the rule is stated"

# JSON output is valid UTF-8 whatever bytes the input held.
expect 0 "ask with invalid UTF-8" -- ask "$(printf 'Analyze SIM_STOCK \377\376 stock')" \
	--as-of $D --no-pdf --thread utf8
expect 0 "runs show json" -- runs show utf8 --format json
$PYTHON -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$T/out" &&
	ok || bad "runs show --format json is not valid UTF-8"
jget "$T/out" 'r["request"]["prompt"]' >/dev/null 2>&1 && ok || bad "not JSON"

# Malformed model URLs are bad input: exit 2 before any run is recorded.
n0=$("$STOCKAGENT" runs list --format json | $PYTHON -c 'import json,sys; print(len(json.load(sys.stdin)))')
for u in 'http://[::1/v1' 'http://127.0.0.1:99999/v1' 'http://h st/v1' \
	'http:///v1' 'http://127.0.0.1:0/v1'; do
	expect 2 "model URL $u" -- analyze SIM_STOCK --as-of $D --no-pdf \
		--model "openai:$u#m"
	one_line "$T/err" "$u"
	has "$T/err" "invalid URL" "$u named invalid"
done
AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=a AWS_SECRET_ACCESS_KEY=b \
	"$STOCKAGENT" analyze SIM_STOCK --as-of $D --no-pdf \
	--model 'bedrock:m?endpoint=http://[::1/x' >"$T/out" 2>"$T/err"
same "$?" 2 "a malformed Bedrock endpoint option"
n1=$("$STOCKAGENT" runs list --format json | $PYTHON -c 'import json,sys; print(len(json.load(sys.stdin)))')
same "$n1" "$n0" "no run recorded for a bad URL"

# A bad S3 location from the environment is refused before any work.
STOCKAGENT_S3=s3:// "$STOCKAGENT" analyze SIM_STOCK --as-of $D >"$T/out" 2>"$T/err"
same "$?" 2 "a bad STOCKAGENT_S3"
has "$T/err" "s3 \(from STOCKAGENT_S3\): 's3://' names no bucket" "names the variable"

# A missing AWS region names the ways to give one that exist.
env -u AWS_REGION -u AWS_DEFAULT_REGION AWS_CONFIG_FILE="$T/none" \
	AWS_SHARED_CREDENTIALS_FILE="$T/none" "$STOCKAGENT" analyze SIM_STOCK \
	--as-of $D --no-pdf --model bedrock:openai.gpt-oss-120b-1:0 \
	>"$T/out" 2>"$T/err"
has "$T/err" "set AWS_REGION" "region: the variable"
has "$T/err" "\?region=" "region: the URI option"
hasnt "$T/err" "pass --region" "no flag that does not exist"

# A report directory too long for the system is refused before anything
# is made or recorded.
long=$($PYTHON -c "print('/'.join(['d'] * 2000))")
expect 2 "a 2,000-level --out" -- analyze SIM_STOCK --as-of $D --out "$long" \
	--thread longout
has "$T/err" "out \(from --out\): directory .* is too long" "says why"
[ -e d ] && bad "directories were created" || ok
expect 2 "an unknown run" -- runs show longout

cli_done
